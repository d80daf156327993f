//! What every lesson shares: its flags, narration in English or Korean,
//! `--step` pauses, the kernel's view of a socket, and the peer it plays.
//!
//! A lesson is a `flow` function that reads like the course's diagram: a
//! narration, one wrapper call, the next narration. Everything else (flag
//! parsing, the peer thread, timeouts, errors) lives here.
//!
//! Two modes:
//! - **self-contained** (default): the lesson plays its own peer in a
//!   thread, whose calls are traced and marked with its side, and finishes
//!   in about a second;
//! - **interactive** (`--wait`): it prints the command to run in another
//!   terminal and waits for that outside peer, at most `--timeout` seconds.

pub mod catalog;
mod cue;
pub mod josa;

pub use catalog::{Flow, LessonInfo, LESSONS};
pub use cue::{cue, ForkCue, Give, Wait};
pub use socklab::lang::Lang;

use clap::Parser;
use socklab::addr::{parse_port, SockAddr};
use socklab::output::{paint, write_stdout, Color};
use socklab::poll::{poll, PollFlags};
use socklab::socket::AsSocket;
use socklab::trace::{self, Side, View};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

/// How long a self-contained lesson may run before it counts as hung
/// (`Lesson::allow_secs` may give it longer).
static WATCHDOG_SECS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(10);

/// The flags every lesson takes (and `socklab run N` passes on).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LessonArgs {
    /// Wait for an outside peer (nc, socklab connect) instead of playing it.
    #[arg(long)]
    pub wait: bool,
    /// Seconds to wait for an outside peer (with --wait).
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
    /// Pause before each call and wait for Enter (runs through when stdin is closed).
    #[arg(long)]
    pub step: bool,
    /// Narration language: en or ko (default: from LC_ALL / LANG).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<Lang>,
    /// Address to bind or connect to (numeric; 127.0.0.1 keeps it on this machine).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port (0: let the kernel pick a free one). Default: the lesson's own.
    #[arg(long, value_parser = parse_port_arg)]
    pub port: Option<u16>,
    /// How calls are shown: pretty, plain (exactly strace's lines), json, off.
    #[arg(long, value_name = "VIEW")]
    pub trace: Option<View>,
    /// Also record every call as JSON lines to this file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Do not show the kernel's view of the sockets (from /proc/net).
    #[arg(long)]
    pub no_kernel: bool,
}

fn parse_port_arg(s: &str) -> Result<u16, String> {
    parse_port(s).map_err(|e| e.0)
}

#[derive(Parser)]
struct LessonCli<E: clap::Args> {
    #[command(flatten)]
    args: LessonArgs,
    /// A lesson's own flags (lesson 19's `--clients`).
    #[command(flatten)]
    extra: E,
}

/// No flags beyond the ones every lesson takes.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct NoExtra {}

/// A running lesson.
pub struct Lesson {
    pub info: &'static LessonInfo,
    pub args: LessonArgs,
    pub lang: Lang,
    view: View,
    steps: AtomicU32,
    /// Whether the lesson has said that the kernel's view is unavailable.
    said_unavailable: AtomicBool,
}

/// Set by the first thread that ends the lesson (a failure, a timeout, or
/// the end of the flow): the lesson ends once, with one line at most. A
/// second thread that fails (the peer, when the lesson's own call failed
/// for the same reason) waits for the first one's exit instead of printing
/// a line of its own.
static ENDING: AtomicBool = AtomicBool::new(false);

/// Claim the end of the lesson for this thread. Only the first thread
/// returns; a later one waits for ever, for the first one's exit.
fn claim_the_end() {
    if ENDING.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// Why a lesson stopped early: one line for the learner.
#[derive(Debug)]
pub enum LessonError {
    /// A system call failed.
    Call(socklab::Error),
    /// Anything else, already worded in both languages.
    Message { en: String, ko: String },
}

impl From<socklab::Error> for LessonError {
    fn from(e: socklab::Error) -> LessonError {
        LessonError::Call(e)
    }
}

/// A failed connect gives its socket back; a lesson that stops there
/// drops it, which closes it (traced).
impl From<socklab::ConnectError> for LessonError {
    fn from(e: socklab::ConnectError) -> LessonError {
        LessonError::Call(e.into())
    }
}

impl From<socklab::addr::AddrParseError> for LessonError {
    fn from(e: socklab::addr::AddrParseError) -> LessonError {
        LessonError::Message {
            en: e.0.clone(),
            ko: e.0,
        }
    }
}

pub type Outcome = Result<(), LessonError>;

/// Run lesson `number`: parse its flags, set up the tracer, run `flow`,
/// and exit: 0 when it finished, 1 with one line on stderr when it failed,
/// 2 for bad flags.
pub fn run(number: u8, flow: fn(&'static Lesson) -> Outcome) -> ! {
    run_with::<NoExtra>(number, move |l, _| flow(l))
}

/// [`run`] for a lesson with flags of its own (`E`), which `flow` gets.
pub fn run_with<E: clap::Args + 'static>(
    number: u8,
    flow: impl FnOnce(&'static Lesson, E) -> Outcome,
) -> ! {
    let info = LESSONS
        .iter()
        .find(|l| l.number == number)
        .expect("lesson in the catalog");
    let cli: LessonCli<E> = crate::args::parse_args();
    let extra = cli.extra;
    let lesson: &'static Lesson = Box::leak(Box::new(Lesson::new(info, cli.args)));
    // A host that is not an address is bad usage, like a bad flag.
    if let Err(e) = lesson.addr().and_then(|a| lesson.check_outside_server(&a)) {
        lesson.fail(&e);
        std::process::exit(2);
    }
    let result = lesson.start().and_then(|_| flow(lesson, extra));
    let mut code = result.map_or_else(
        |e| lesson.fail(&e),
        |_| {
            claim_the_end();
            0
        },
    );
    // A record that could not be written (a full disk) is a failure too,
    // said at the end: the calls went on, only the file lost them. When
    // the lesson already failed, its own line is the one that speaks.
    if let Some(e) = trace::take_record_error() {
        if code == 0 {
            code = lesson.say_failure(&record_failure(&e));
        }
    }
    if code == 0 {
        lesson.finish();
    }
    std::process::exit(code);
}

/// The record file cannot be written: one line naming it.
fn record_failure(e: &trace::RecordError) -> LessonError {
    LessonError::Message {
        en: e.to_string(),
        ko: format!(
            "기록 파일 {}에 쓸 수 없습니다: {}",
            e.path.display(),
            e.error
        ),
    }
}

impl Lesson {
    /// A lesson with these flags (tests and the CLI build one directly).
    pub fn new(info: &'static LessonInfo, args: LessonArgs) -> Lesson {
        Lesson {
            info,
            lang: args.lang.unwrap_or_else(Lang::from_env),
            view: args.trace.unwrap_or_else(trace::view_from_env),
            args,
            steps: AtomicU32::new(0),
            said_unavailable: AtomicBool::new(false),
        }
    }

    fn start(&'static self) -> Outcome {
        // The trace's gutter speaks the narration's language.
        self.lang.set_current();
        let record = self.args.record.clone().or_else(trace::record_from_env);
        trace::configure(self.view, record.as_deref()).map_err(|e| record_failure(&e))?;
        if let Some(side) = self.info.side {
            trace::set_side(side);
        }
        // Opened even with --no-kernel: lessons also wait on the tables
        // (until bytes have arrived, say) before a call. When they cannot
        // be opened, the first look says so.
        let _ = crate::kernel::open_tables();
        one_malloc_arena();
        self.watchdog();
        let title = format!(
            "{} {:02} · {}",
            self.lang.pick("Lesson", "실습"),
            self.info.number,
            self.info.title(self.lang)
        );
        self.text(&format!(
            "{}\n{}\n",
            paint(&title, Color::Bold, self.color()),
            self.flow_diagram()
        ));
        Ok(())
    }

    /// The course's flow, this lesson's steps in brackets.
    fn flow_diagram(&self) -> String {
        let mark = |step: &str| {
            if self.info.highlight.contains(&step) {
                paint(&format!("[{step}]"), Color::Yellow, self.color())
            } else {
                step.to_string()
            }
        };
        let row = |steps: &[&str]| {
            steps
                .iter()
                .map(|s| mark(s))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        // Korean: 클라이언트 takes 10 columns, 서버 4.
        let (client, server) = self
            .lang
            .pick2(("client:", "server:"), ("클라이언트:", "서버:      "));
        let [client_steps, server_steps] = self.info.flow.rows();
        let mut text = format!(
            "  {client} {}\n  {server} {}",
            row(client_steps),
            row(server_steps)
        );
        // socketpair's row: two connected sockets, no address at all.
        if let Some(pair_steps) = self.info.flow.pair_row() {
            let (label, no_address) = self.lang.pick2(
                ("pair:  ", "(no address, no listen, no connect)"),
                ("소켓 쌍:   ", "(주소도, listen도, connect도 없음)"),
            );
            text.push_str(&format!("\n  {label} {}   {no_address}", row(pair_steps)));
        }
        // The process or thread each client is handed to.
        if let Some((en, ko, steps)) = self.info.flow.worker_row() {
            text.push_str(&format!("\n  {} {}", self.lang.pick(en, ko), row(steps)));
        }
        text
    }

    /// A self-contained lesson finishes in about a second. One still
    /// running after ten has hung (a peer that never came, a bug): end it
    /// with a clear line rather than leave a class waiting. With `--step`
    /// the learner sets the pace, and with `--wait` each wait has its own
    /// `--timeout`, so neither has this limit.
    fn watchdog(&'static self) {
        if self.args.step || self.args.wait {
            return;
        }
        let started = std::time::Instant::now();
        std::thread::spawn(move || loop {
            let limit = Duration::from_secs(WATCHDOG_SECS.load(Ordering::Relaxed));
            let elapsed = started.elapsed();
            if elapsed < limit {
                std::thread::sleep((limit - elapsed).min(Duration::from_millis(500)));
                continue;
            }
            self.exit_with(&LessonError::Message {
                en: format!(
                    "the lesson did not finish within {} s; stopping",
                    limit.as_secs()
                ),
                ko: format!("실습이 {}초 안에 끝나지 않아 멈춥니다", limit.as_secs()),
            });
        });
    }

    /// Give a self-contained run `secs` seconds before it counts as hung,
    /// instead of ten: for a run whose point is scale (lesson 19's
    /// `--clients`).
    pub fn allow_secs(&self, secs: u64) {
        WATCHDOG_SECS.fetch_max(secs, Ordering::Relaxed);
    }

    fn color(&self) -> bool {
        self.view == View::Pretty && socklab::output::color_enabled()
    }

    /// Narration goes where it does not mix with a plain or JSON trace:
    /// stdout in the pretty view, stderr otherwise.
    pub fn text(&self, s: &str) {
        let mut s = s.to_string();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        match self.view {
            View::Pretty | View::Off => write_stdout(&s),
            View::Plain | View::Json => socklab::output::eprintln_quiet(s.trim_end_matches('\n')),
        }
    }

    /// One line of narration, in the learner's language.
    pub fn say(&self, en: &str, ko: &str) {
        // The peer's narration is marked with its side; the lesson's own is not.
        let who = match trace::side() {
            side if side == self.info.side => String::new(),
            Some(Side::Client) => paint(
                self.lang.pick("  client ▸ ", "  클라이언트 ▸ "),
                Color::Green,
                self.color(),
            ),
            Some(Side::Server) => paint(
                self.lang.pick("  server ▸ ", "  서버 ▸ "),
                Color::Blue,
                self.color(),
            ),
            None => String::new(),
        };
        self.text(&format!("{who}{}", self.lang.pick(en, ko)));
    }

    /// The next step: which call comes, and why. With `--step`, waits for
    /// Enter first (and runs through when stdin is closed).
    pub fn step(&self, call: &str, en: &str, ko: &str) {
        let n = self.steps.fetch_add(1, Ordering::Relaxed) + 1;
        let head = paint(&format!("\n{n}. {call}"), Color::Bold, self.color());
        self.text(&format!("{head} — {}", self.lang.pick(en, ko)));
        if self.args.step && trace::side() == self.info.side {
            let prompt = self
                .lang
                .pick("   [Enter: make the call]", "   [Enter: 호출하기]");
            self.text(&paint(prompt, Color::Dim, self.color()));
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
        }
    }

    /// A call the lesson makes to show it failing with `errno`: narrate
    /// that failure (it was traced like any call). Any other error ends the
    /// lesson as usual, and success is a surprise worth a line too.
    pub fn expect_errno<T, E: Into<socklab::Error>>(
        &self,
        result: Result<T, E>,
        errno: socklab::Errno,
        en: &str,
        ko: &str,
    ) -> Outcome {
        match result.map_err(Into::into) {
            Err(e) if e.errno == errno => {
                self.say(en, ko);
                Ok(())
            }
            Err(e) => Err(e.into()),
            Ok(_) => {
                let name = socklab::strace::errno_name(errno as i32);
                Err(LessonError::Message {
                    en: format!("the call succeeded, but this lesson expected {name}"),
                    ko: format!(
                        "호출이 성공했지만 이 실습은 {} 예상했습니다",
                        josa::eul(&name)
                    ),
                })
            }
        }
    }

    /// A server's first steps, as lessons 01 to 04 teach them: socket,
    /// SO_REUSEADDR, bind to `addr`, listen, and getsockname for the real
    /// port. Each is still its own narrated, traced step. For the lessons
    /// about what comes after accept; 03, 04 and 09 spell these out.
    pub fn listening_socket(
        &self,
        addr: &SockAddr,
    ) -> Result<(socklab::Listener, SockAddr), LessonError> {
        self.step(
            "socket",
            "a TCP socket for the server.",
            "서버용 TCP 소켓을 만듭니다.",
        );
        let server = socklab::Socket::new(addr.family())?;
        self.step(
            "setsockopt",
            "SO_REUSEADDR before bind, as servers do: lesson 07 ends by showing why.",
            "bind 전에 SO_REUSEADDR를 켭니다. 서버는 보통 이렇게 합니다: 이유는 실습 07의 끝에서 봅니다.",
        );
        server.setsockopt(socklab::SockOpt::ReuseAddr(true))?;
        self.step(
            "bind",
            "the address clients will dial.",
            "클라이언트가 접속할 주소를 할당합니다.",
        );
        server.bind(addr)?;
        self.step(
            "listen",
            "the kernel now accepts connections for us.",
            "이제부터 커널이 연결 요청을 받아 연결 요청 대기 큐에 넣어 둡니다.",
        );
        let listener = server.listen(128)?;
        self.step(
            "getsockname",
            "the real address and port, for the clients.",
            "클라이언트에게 알려 줄 실제 주소와 포트를 확인합니다.",
        );
        let here = listener.getsockname()?;
        Ok((listener, here))
    }

    /// The address this lesson binds or dials: `--host` and `--port`.
    pub fn addr(&self) -> Result<SockAddr, LessonError> {
        Ok(SockAddr::from_host_port(
            &self.args.host,
            self.args.port.unwrap_or(self.info.port),
        )?)
    }

    /// A client lesson with `--wait` dials a server the learner starts, and
    /// that server cannot listen on "any port": port 0 is for binding only.
    fn check_outside_server(&self, addr: &SockAddr) -> Outcome {
        if self.interactive() && self.info.side == Some(Side::Client) && addr.port() == Some(0) {
            return Err(LessonError::Message {
                en: format!("--wait with --port 0: the outside server needs a real port to listen on, e.g. --port {}", self.info.port),
                ko: format!("--wait와 --port 0은 함께 쓸 수 없습니다: 바깥 서버가 listen할 실제 포트가 필요합니다 (예: --port {})", self.info.port),
            });
        }
        Ok(())
    }

    /// Whether the lesson waits for an outside peer (`--wait`).
    pub fn interactive(&self) -> bool {
        self.args.wait
    }

    /// Show the kernel's view of `sock`: its TCP state, addresses and queue
    /// sizes, read from /proc/net (no system call on the socket).
    pub fn kernel(&self, sock: &dyn AsSocket) {
        if self.args.no_kernel {
            return;
        }
        let (fd, role) = sock.socket_fd();
        let what = match crate::kernel::view_of_fd(fd) {
            Err(e) => return self.kernel_unavailable(&e),
            Ok(Some(v)) => v.summary_in(self.lang),
            // /proc/net/udp lists every UDP socket that has a local port,
            // which bind, connect or the first sendto gives it.
            Ok(None) if role == socklab::trace::Role::Datagram => self
                .lang
                .pick(
                    "not in /proc/net/udp yet: it has no port, and the kernel lists a UDP socket once it has one",
                    "아직 /proc/net/udp에 없습니다: 포트가 없기 때문입니다. 커널은 UDP 소켓에 포트가 생겨야 목록에 올립니다",
                )
                .to_string(),
            // /proc/net/tcp lists the kernel's lookup tables: listening
            // sockets and connections. A TCP socket that is only bound (or
            // not even that) is in neither, so it is not listed.
            Ok(None) => self
                .lang
                .pick(
                    "not in /proc/net/tcp yet: the kernel lists a TCP socket once it listens or connects",
                    "아직 /proc/net/tcp에 없습니다: 커널은 TCP 소켓이 listen하거나 connect해야 목록에 올립니다",
                )
                .to_string(),
        };
        self.kernel_line(&format!("fd {fd} = {what}"));
    }

    /// Whether the kernel's view is shown: not hidden by `--no-kernel`,
    /// and the /proc/net tables could be opened. When they could not, the
    /// first question says so (once), and the lesson goes on without it:
    /// a table it cannot read must never become "the socket is not there".
    pub fn shows_kernel(&self) -> bool {
        if self.args.no_kernel {
            return false;
        }
        match crate::kernel::open_tables() {
            Err(e) => {
                self.kernel_unavailable(&e);
                false
            }
            Ok(()) => true,
        }
    }

    /// What a look at the kernel's tables found; when they cannot be read,
    /// nothing (and that is said, once).
    pub fn found<T>(&self, look: Result<Option<T>, crate::kernel::Unavailable>) -> Option<T> {
        look.unwrap_or_else(|e| {
            self.kernel_unavailable(&e);
            None
        })
    }

    /// Say, once, that the kernel's view cannot be shown, and why.
    pub fn kernel_unavailable(&self, e: &crate::kernel::Unavailable) {
        if self.said_unavailable.swap(true, Ordering::Relaxed) {
            return;
        }
        self.kernel_line(&format!(
            "{}: {e}",
            self.lang.pick(
                "the kernel's view is unavailable, and the lesson goes on without it",
                "커널 관점을 볼 수 없어 이 부분 없이 진행합니다",
            )
        ));
    }

    /// One line of the kernel's view, `   kernel: {what}`, dimmed; for
    /// entries no fd refers to (a queued connection, TIME_WAIT).
    pub fn kernel_line(&self, what: &str) {
        if self.args.no_kernel {
            return;
        }
        let label = self.lang.pick("kernel", "커널");
        self.text(&paint(
            &format!("   {label}: {what}"),
            Color::Dim,
            self.color(),
        ));
    }

    /// One line of what the file system holds, `   file system: {what}`,
    /// dimmed: what `stat` finds at a Unix socket's path.
    pub fn file_line(&self, what: &str) {
        let label = self.lang.pick("file system", "파일 시스템");
        self.text(&paint(
            &format!("   {label}: {what}"),
            Color::Dim,
            self.color(),
        ));
    }

    /// Show what the fd is in /proc/self/fd: `socket:[inode]` for a socket.
    pub fn proc_fd(&self, sock: &dyn AsSocket) {
        let (fd, _) = sock.socket_fd();
        let target = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            .map(|p| p.display().to_string())
            .unwrap_or_else(|e| e.to_string());
        self.text(&paint(
            &format!("   /proc/self/fd/{fd} -> {target}"),
            Color::Dim,
            self.color(),
        ));
    }

    /// Show what the fd is in /proc/PID/fd, with this process's real pid
    /// (for a lesson with two processes, each showing its own table).
    pub fn proc_pid_fd(&self, sock: &dyn AsSocket) {
        let (fd, _) = sock.socket_fd();
        let pid = std::process::id();
        let target = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            .map(|p| p.display().to_string())
            .unwrap_or_else(|e| e.to_string());
        self.text(&paint(
            &format!("   /proc/{pid}/fd/{fd} -> {target}"),
            Color::Dim,
            self.color(),
        ));
    }

    /// Show what fd `fd` of process `pid` is, from /proc/PID/fd: another
    /// process's table read from this one (a parent looking at its
    /// child's), or this process's own. Also a file read, no system call
    /// on a socket.
    pub fn proc_fd_of(&self, pid: i32, fd: i32) {
        let target = std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
            .map(|p| p.display().to_string())
            .unwrap_or_else(|e| e.to_string());
        self.text(&paint(
            &format!("   /proc/{pid}/fd/{fd} -> {target}"),
            Color::Dim,
            self.color(),
        ));
    }

    /// How many numbered steps the lesson has taken so far.
    pub fn steps_so_far(&self) -> u32 {
        self.steps.load(Ordering::Relaxed)
    }

    /// A forked child took `n` numbered steps of its own: the parent,
    /// whose count the child copied, numbers its next step after them.
    pub fn steps_taken_elsewhere(&self, n: u32) {
        self.steps.fetch_add(n, Ordering::Relaxed);
    }

    /// Play the peer at `addr`: the address a client peer dials, or the one
    /// a server peer listens on. In self-contained mode run `part` in a
    /// thread whose calls are marked `side`. In interactive mode, tell the
    /// learner what to run in another terminal instead, and run nothing.
    pub fn peer<F>(&'static self, side: Side, addr: &SockAddr, part: F) -> Peer
    where
        F: FnOnce(&'static Lesson, SockAddr) -> Outcome + Send + 'static,
    {
        if self.interactive() {
            let (en, ko) = outside_peer_command(side, addr, self.info.flow);
            self.text(&paint(
                &format!("\n→ {}", self.lang.pick(&en, &ko)),
                Color::Magenta,
                self.color(),
            ));
            return Peer(None);
        }
        self.own_peer(side, addr, part)
    }

    /// Play the peer at `addr` in a thread whose calls are marked `side`,
    /// even with `--wait`: for a part of a lesson that no outside tool can
    /// play (a flood of datagrams, a send to a port nobody uses).
    pub fn own_peer<F>(&'static self, side: Side, addr: &SockAddr, part: F) -> Peer
    where
        F: FnOnce(&'static Lesson, SockAddr) -> Outcome + Send + 'static,
    {
        let addr = addr.clone();
        Peer(Some(std::thread::spawn(move || {
            trace::set_side(side);
            if let Err(e) = part(self, addr) {
                // The peer failing leaves the lesson without its partner:
                // end now instead of waiting for ever.
                self.exit_with(&e);
            }
        })))
    }

    /// In interactive mode, wait (traced `poll`, at most `--timeout`) until
    /// `sock` is readable: for a listener, until an outside client has
    /// connected. In self-contained mode the peer thread is already on its
    /// way, and nothing is called.
    pub fn wait_for_peer(&self, sock: &dyn AsSocket) -> Outcome {
        if !self.interactive() {
            return Ok(());
        }
        let ms = (self.args.timeout.saturating_mul(1000)).min(i32::MAX as u64) as i32;
        let ready = poll(&[(sock, PollFlags::IN)], ms)?;
        if !ready.iter().all(|r| *r == PollFlags::NONE) {
            return Ok(());
        }
        let secs = self.args.timeout;
        // A listener becomes readable when a client has connected; a data
        // socket when the peer sent bytes or closed (a FIN makes recv return
        // 0). Either way, nothing happened: say which of the two.
        Err(match sock.socket_fd().1 {
            trace::Role::Listening => LessonError::Message {
                en: format!("no client connected within {secs} s (--timeout)"),
                ko: format!("{secs}초 안에 접속한 클라이언트가 없습니다 (--timeout)"),
            },
            // A UDP socket becomes readable when a datagram has arrived.
            trace::Role::Datagram => LessonError::Message {
                en: format!("no datagram arrived within {secs} s (--timeout)"),
                ko: format!("{secs}초 안에 도착한 데이터그램이 없습니다 (--timeout)"),
            },
            _ => LessonError::Message {
                en: format!(
                    "the peer is connected but sent nothing within {secs} s: no data, and no close (--timeout)"
                ),
                ko: format!(
                    "상대는 연결되어 있지만 {secs}초 동안 아무것도 보내지 않았습니다: 데이터도, 연결 종료도 없었습니다 (--timeout)"
                ),
            },
        })
    }

    /// In interactive mode: wait for Enter while the learner does something
    /// in another terminal (starts a server, tries a connect), at most
    /// `--timeout` seconds (stdin closed: go on at once).
    pub fn wait_for_enter(&self) -> Outcome {
        if !self.interactive() {
            return Ok(());
        }
        self.text(self.lang.pick("   [Enter: go on]", "   [Enter: 계속]"));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            let _ = tx.send(());
        });
        rx.recv_timeout(Duration::from_secs(self.args.timeout))
            .map_err(|_| LessonError::Message {
                en: format!("no Enter within {} s (--timeout)", self.args.timeout),
                ko: format!(
                    "{}초 안에 Enter가 없었습니다 (--timeout)",
                    self.args.timeout
                ),
            })
    }

    fn finish(&self) {
        self.text(&format!("\n{}", self.lang.pick("Done.", "끝.")));
    }

    /// End the lesson on this failure: one line, unless another thread
    /// ended it first (then this one waits for that exit).
    fn fail(&self, e: &LessonError) -> i32 {
        claim_the_end();
        self.say_failure(e)
    }

    /// The one line that says why the lesson stopped; exit status 1.
    fn say_failure(&self, e: &LessonError) -> i32 {
        let line = self.describe(e);
        let lesson = self.lang.pick("lesson", "실습");
        socklab::output::eprintln_quiet(&format!(
            "socklab {lesson} {:02}: {line}",
            self.info.number
        ));
        1
    }

    /// End the lesson from any thread on this failure: one line, exit 1.
    pub fn exit_with(&self, e: &LessonError) -> ! {
        let code = self.fail(e);
        // The lesson's failure is the line that speaks; a record error
        // behind it is not said as well.
        let _ = trace::take_record_error();
        std::process::exit(code);
    }

    /// One line: what failed and what to do about it.
    pub fn describe(&self, e: &LessonError) -> String {
        match e {
            LessonError::Message { en, ko } => self.lang.pick(en, ko).to_string(),
            LessonError::Call(err) => {
                let hint = self.addr().ok().and_then(|addr| {
                    let at = crate::advice::At {
                        addr: &addr,
                        port_flag: true,
                    };
                    crate::advice::advice(err, &at, self.lang)
                });
                // The call's name and errno stay as strace prints them.
                let err = match self.lang {
                    Lang::En => err.to_string(),
                    Lang::Ko => format!("{} 실패: {} ({})", err.call, err.name(), err.message()),
                };
                match hint {
                    Some(hint) => format!("{err}: {hint}"),
                    None => err,
                }
            }
        }
    }
}

/// Keep the fd numbers the same from run to run: with one malloc arena
/// for all threads, glibc never shrinks a thread's own arena, and so never
/// opens /proc/sys/vm/overcommit_memory to decide how, which took the
/// lowest free fd for a moment in the peer thread, now and then in the
/// middle of the other thread's `socket` or `accept`.
fn one_malloc_arena() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets a tuning value, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// What to type in another terminal to be the peer at `addr`, in English
/// and Korean: `nc` first (every learner has it), then socklab's own. A UDP
/// lesson's peer is `nc -u`, each line one datagram.
fn outside_peer_command(side: Side, addr: &SockAddr, flow: Flow) -> (String, String) {
    // A Unix socket's path: nc -U (OpenBSD nc), or socat.
    if let (Side::Client, SockAddr::Unix(socklab::UnixName::Path(path))) = (side, addr) {
        let path = path.display();
        return (
            format!("In another terminal, be the client:  nc -U {path}   (or: socat - UNIX-CONNECT:{path})"),
            format!("다른 터미널에서 클라이언트를 실행하세요:  nc -U {path}   (또는: socat - UNIX-CONNECT:{path})"),
        );
    }
    if flow == Flow::Udp {
        let nc = nc_args(addr);
        return (
            format!("In another terminal, be a client:  nc -u {nc}   (or: socklab connect --udp {addr}); each line you type is one datagram"),
            format!("다른 터미널에서 클라이언트를 실행하세요:  nc -u {nc}   (또는: socklab connect --udp {addr}). 한 줄을 칠 때마다 데이터그램 하나가 갑니다"),
        );
    }
    let nc = nc_args(addr);
    match side {
        Side::Client => (
            format!("In another terminal, be the client:  nc {nc}   (or: socklab connect {addr})"),
            format!("다른 터미널에서 클라이언트를 실행하세요:  nc {nc}   (또는: socklab connect {addr})"),
        ),
        Side::Server => (
            format!("In another terminal, start a server first:  nc -l {nc}   (or: socklab serve {addr})"),
            format!("다른 터미널에서 먼저 서버를 실행하세요:  nc -l {nc}   (또는: socklab serve {addr})"),
        ),
    }
}

/// `addr` as nc takes it: `127.0.0.1 7802`, `::1 7802`.
pub fn nc_args(addr: &SockAddr) -> String {
    let text = addr.to_string();
    let (host, port) = text.rsplit_once(':').unwrap_or((&text, ""));
    let host = host.trim_start_matches('[').trim_end_matches(']');
    format!("{host} {port}")
}

/// The peer a lesson plays (or, in interactive mode, does not).
pub struct Peer(Option<std::thread::JoinHandle<()>>);

impl Peer {
    /// Wait for the peer's part to end.
    pub fn join(self) {
        if let Some(h) = self.0 {
            let _ = h.join();
        }
    }
}
