//! `socklab explain NAME --demo`: what `explain` says about an errno or a
//! call, made to happen on this machine, one traced call at a time.
//!
//! Every demo runs on loopback (127.0.0.1, ports the kernel picks), in one
//! thread, and never waits without a bound: the listening sockets are
//! non-blocking (so `accept` returns at once, with a connection or
//! EAGAIN), receives that expect bytes already here pass MSG_DONTWAIT, and
//! the few calls that must block get SO_RCVTIMEO or SO_SNDTIMEO. Mistakes
//! the typed API refuses to compile go through [`socklab::raw`].
//!
//! Narration goes where the lessons put it: stdout in the pretty view,
//! stderr when stdout carries a plain or JSON trace (`SOCKLAB_TRACE`).

use crate::explain::{Lang, Text};
use crate::kernel::{self, TcpState};
use socklab::addr::SockAddr;
use socklab::output::{eprintln_quiet, write_stdout};
use socklab::raw;
use socklab::socket::{AsSocket, MsgFlags, Shutdown};
use socklab::trace::{self, Role, View};
use socklab::{poll, Errno, PollFlags};
use std::cell::Cell;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// What a demo name leads to.
pub enum Entry {
    /// A scenario to run.
    Run(fn(&Show) -> Step),
    /// Why this cannot be shown on one machine.
    Cannot(Text),
}

/// Every demo: the errnos `explain` lists, then the calls.
static DEMOS: &[(&str, Entry)] = &[
    ("EACCES", Entry::Run(eacces)),
    ("EADDRINUSE", Entry::Run(eaddrinuse)),
    ("EADDRNOTAVAIL", Entry::Run(eaddrnotavail)),
    ("EAFNOSUPPORT", Entry::Run(eafnosupport)),
    ("EAGAIN", Entry::Run(eagain)),
    ("EALREADY", Entry::Run(ealready)),
    ("EBADF", Entry::Run(ebadf)),
    ("ECONNABORTED", Entry::Run(econnaborted)),
    ("ECONNREFUSED", Entry::Run(econnrefused)),
    ("ECONNRESET", Entry::Run(econnreset)),
    ("EEXIST", Entry::Run(epoll_errors)),
    ("EINPROGRESS", Entry::Run(einprogress)),
    ("EINTR", Entry::Run(eintr)),
    ("EINVAL", Entry::Run(einval)),
    ("EISCONN", Entry::Run(eisconn)),
    ("EMFILE", Entry::Run(emfile)),
    ("EMSGSIZE", Entry::Run(emsgsize)),
    ("ENETUNREACH", Entry::Run(enetunreach)),
    ("ENOENT", Entry::Run(epoll_errors)),
    ("ENOPROTOOPT", Entry::Run(enoprotoopt)),
    ("ENOTCONN", Entry::Run(enotconn)),
    ("ENOTSOCK", Entry::Run(enotsock)),
    ("EOPNOTSUPP", Entry::Run(eopnotsupp)),
    ("EPIPE", Entry::Run(epipe)),
    ("EPOLLET", Entry::Run(epollet)),
    ("ETIMEDOUT", Entry::Run(etimedout)),
    // Not errnos: the signal behind EPIPE, and the flag that stops it.
    ("SIGPIPE", Entry::Run(epipe)),
    ("MSG_NOSIGNAL", Entry::Run(epipe)),
    ("socket", Entry::Run(call_socket)),
    ("bind", Entry::Run(call_bind)),
    ("listen", Entry::Run(call_listen)),
    ("accept", Entry::Run(call_accept)),
    ("connect", Entry::Run(call_connect)),
    ("send", Entry::Run(call_send)),
    ("sendto", Entry::Run(call_sendto)),
    ("recv", Entry::Run(call_recv)),
    ("recvfrom", Entry::Run(call_recvfrom)),
    ("shutdown", Entry::Run(call_shutdown)),
    ("close", Entry::Run(call_close)),
    ("setsockopt", Entry::Run(call_setsockopt)),
    ("getsockname", Entry::Run(call_getsockname)),
    ("getpeername", Entry::Run(call_getpeername)),
    ("getsockopt", Entry::Run(call_getsockopt)),
    ("socketpair", Entry::Run(call_socketpair)),
    ("epoll_ctl", Entry::Run(epollet)),
    ("ECHILD", Entry::Run(call_fork)),
    ("fork", Entry::Run(call_fork)),
    ("waitpid", Entry::Run(call_fork)),
    ("sendmsg", Entry::Run(call_sendmsg)),
    ("recvmsg", Entry::Run(call_sendmsg)),
    ("unlink", Entry::Run(call_unlink)),
    ("IPV6_V6ONLY", Entry::Run(ipv6_v6only)),
    ("select", Entry::Run(call_select_poll)),
    ("poll", Entry::Run(call_select_poll)),
];

/// The names that have a demo (or a reason there is none), errnos first.
pub fn names() -> Vec<&'static str> {
    DEMOS.iter().map(|(n, _)| *n).collect()
}

/// The entry for an errno name (any case) or a call name or alias.
pub fn find(name: &str) -> Option<&'static Entry> {
    let key = name.trim();
    let call = crate::explain::lookup(key).ok().map(|e| e.name());
    // A demo of that very name first (IPV6_V6ONLY), else the call's.
    DEMOS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(key))
        .or_else(|| DEMOS.iter().find(|(n, _)| Some(*n) == call))
        .map(|(_, e)| e)
}

/// Why `--demo` did not run to the end.
#[derive(Debug)]
pub enum DemoError {
    /// No demo by that name: bad usage (exit 2).
    NoDemo(String),
    /// The kernel did not do what the explanation says (exit 1).
    Failed(String),
}

/// Run the demo for `name`, narrated in `lang`.
pub fn run(name: &str, lang: Lang) -> Result<(), DemoError> {
    let Some(entry) = find(name) else {
        let shown = crate::explain::shown(name);
        return Err(DemoError::NoDemo(match lang {
            Lang::En => format!(
                "no demo for '{shown}': demos exist for {}",
                names().join(", ")
            ),
            Lang::Ko => format!(
                "'{shown}'에 대한 데모가 없습니다. 데모가 있는 이름: {}",
                names().join(", ")
            ),
        }));
    };
    let show = Show {
        lang,
        view: trace::from_env().0,
        steps: Cell::new(0),
    };
    match entry {
        Entry::Cannot(why) => {
            show.text(why.get(lang));
            Ok(())
        }
        Entry::Run(demo) => {
            let before = open_sockets();
            demo(&show).map_err(|Failed(why)| DemoError::Failed(why))?;
            let after = open_sockets();
            if after > before {
                return Err(DemoError::Failed(format!(
                    "the demo left {} fd(s) open",
                    after - before
                )));
            }
            Ok(())
        }
    }
}

/// How many sockets (and epoll instances) this process has open, from
/// /proc/self/fd. (The /proc tables the kernel view reads stay open on
/// purpose, so plain fds are not counted.)
fn open_sockets() -> usize {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| {
            let t = target.to_string_lossy();
            t.starts_with("socket:") || t.starts_with("anon_inode:")
        })
        .count()
}

/// The demo's narrator.
pub struct Show {
    lang: Lang,
    view: View,
    steps: Cell<u32>,
}

impl Show {
    fn text(&self, s: &str) {
        match self.view {
            View::Pretty | View::Off => write_stdout(&format!("{s}\n")),
            View::Plain | View::Json => eprintln_quiet(s),
        }
    }

    /// The next step, one line, before its calls.
    fn step(&self, en: &str, ko: &str) {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        self.text(&format!("{n}. {}", self.lang_pick(en, ko)));
    }

    /// What the calls just showed.
    fn saw(&self, en: &str, ko: &str) {
        self.text(&format!("   ⇒ {}", self.lang_pick(en, ko)));
    }

    fn lang_pick<'a>(&self, en: &'a str, ko: &'a str) -> &'a str {
        match self.lang {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }

    /// The kernel's table entry for a TCP connection, in a line.
    fn kernel_state(&self, local: &SockAddr, remote: &SockAddr, want: TcpState) -> Step {
        let found = kernel::wait_for_tcp(local, remote, Duration::from_millis(500), |v| {
            v.state == Some(want)
        })?;
        match found {
            Some(v) => {
                self.text(&format!("   /proc/net/tcp: {}", v.summary()));
                Ok(())
            }
            None => Err(Failed(format!(
                "/proc/net/tcp shows no {} entry for {local} <-> {remote}",
                want.name()
            ))),
        }
    }

    /// The kernel's table has no entry for this end of a connection any
    /// more (its last ACK may take a moment to arrive).
    fn kernel_gone(&self, local: &SockAddr, remote: &SockAddr) -> Step {
        let (Some(l), Some(r)) = (local.to_std(), remote.to_std()) else {
            return Err(Failed(format!("{local} is not an IP address")));
        };
        let gone = kernel::wait_for(Duration::from_millis(500), || {
            kernel::tcp_by_addrs(l, r).map(|v| v.is_empty().then_some(()))
        })?;
        match gone {
            Some(()) => {
                self.text(&match self.lang {
                    Lang::En => format!("   /proc/net/tcp: no entry for {local} <-> {remote}"),
                    Lang::Ko => format!("   /proc/net/tcp: {local} <-> {remote} 항목이 없습니다"),
                });
                Ok(())
            }
            None => Err(Failed(format!(
                "/proc/net/tcp still has an entry for {local} <-> {remote}"
            ))),
        }
    }
}

impl Show {
    /// What `stat` finds at `path`: it must be a socket file.
    fn file(&self, path: &std::path::Path) -> Step {
        use std::os::unix::fs::FileTypeExt;
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_socket() => {
                self.text(&match self.lang {
                    Lang::En => format!(
                        "   file system: {} is a file of type socket (stat: S_IFSOCK)",
                        path.display()
                    ),
                    Lang::Ko => format!(
                        "   파일 시스템: {}: 종류가 소켓인 파일 (stat: S_IFSOCK)",
                        path.display()
                    ),
                });
                Ok(())
            }
            other => Err(Failed(format!(
                "{} is not a socket file: {other:?}",
                path.display()
            ))),
        }
    }
}

impl Show {
    /// /proc/net/unix lists no socket at `path` (the file may still be
    /// there: the table lists sockets, not files).
    fn no_unix_socket(&self, path: &std::path::Path) -> Step {
        let name = path.display().to_string();
        if !kernel::unix_by_name(&name)?.is_empty() {
            return Err(Failed(format!("/proc/net/unix still lists {name}")));
        }
        self.text(&match self.lang {
            Lang::En => format!("   /proc/net/unix: no socket named {name}"),
            Lang::Ko => format!("   /proc/net/unix: 이름이 {name}인 소켓이 없습니다"),
        });
        Ok(())
    }
}

/// The kernel did something else than the explanation says.
#[derive(Debug)]
pub struct Failed(String);

/// Without the kernel's tables a demo cannot show what it is about: it
/// stops and says why, instead of taking "not listed" for an answer.
impl From<kernel::Unavailable> for Failed {
    fn from(e: kernel::Unavailable) -> Failed {
        Failed(format!("the kernel's view is unavailable: {e}"))
    }
}

impl From<socklab::Error> for Failed {
    fn from(e: socklab::Error) -> Failed {
        Failed(format!("unexpected failure: {e}"))
    }
}

pub type Step = Result<(), Failed>;

/// The call must have failed with `errno`.
fn want<T>(r: socklab::Result<T>, errno: Errno) -> Step {
    match r {
        Err(e) if e.errno == errno => Ok(()),
        Err(e) => Err(Failed(format!(
            "expected {}, got {e}",
            socklab::strace::errno_name(errno as i32)
        ))),
        Ok(_) => Err(Failed(format!(
            "expected {}, but the call succeeded",
            socklab::strace::errno_name(errno as i32)
        ))),
    }
}

/// The call must have returned `n`.
fn want_n(r: socklab::Result<usize>, n: usize) -> Step {
    match r? {
        got if got == n => Ok(()),
        got => Err(Failed(format!("expected {n}, the call returned {got}"))),
    }
}

/// An fd made through [`raw`]; dropping it closes it, traced.
struct Fd(RawFd);

impl Fd {
    fn n(&self) -> RawFd {
        self.0
    }

    fn close(self) -> Step {
        let fd = self.0;
        std::mem::forget(self);
        raw::close(fd)?;
        Ok(())
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        let _ = raw::close(self.0);
    }
}

impl AsSocket for Fd {
    fn socket_fd(&self) -> (RawFd, Role) {
        (self.0, raw::role(self.0).unwrap_or(Role::Socket))
    }
}

const STREAM: i32 = libc::SOCK_STREAM;
const DGRAM: i32 = libc::SOCK_DGRAM;
const INET: i32 = libc::AF_INET;

fn tcp() -> Result<Fd, Failed> {
    Ok(Fd(raw::socket(INET, STREAM)?))
}

fn udp() -> Result<Fd, Failed> {
    Ok(Fd(raw::socket(INET, DGRAM)?))
}

fn any_port() -> SockAddr {
    SockAddr::loopback(0)
}

/// A listening socket on 127.0.0.1 at a port the kernel picks. It is
/// non-blocking, so `accept` never waits: it returns a connection that is
/// already queued, or EAGAIN.
fn listener(s: &Show, backlog: i32) -> Result<(Fd, SockAddr), Failed> {
    s.step(
        "A server: a non-blocking TCP socket (so accept never waits), bound to 127.0.0.1, port 0 (the kernel picks one), listening.",
        "서버: 넌블로킹 TCP 소켓(accept가 기다리지 않도록)을 만들고 127.0.0.1, 포트 0(커널이 고름)에 주소를 할당한 뒤 listen합니다.",
    );
    let l = Fd(raw::socket(INET, STREAM | libc::SOCK_NONBLOCK)?);
    raw::bind(l.n(), &any_port())?;
    raw::listen(l.n(), backlog)?;
    let addr = raw::getsockname(l.n())?;
    Ok((l, addr))
}

/// A client connected to `addr`, and the server's end from accept. On
/// loopback the kernel finishes the handshake inside connect, so the
/// connection is already queued when accept runs.
fn connect_and_accept(s: &Show, l: &Fd, addr: &SockAddr) -> Result<(Fd, Fd), Failed> {
    s.step(
        "A client connects; the kernel completes the handshake, and accept takes the connection off the queue as a new fd.",
        "클라이언트가 연결을 요청합니다. 커널이 3-way 핸드셰이크를 마치고, accept가 큐에서 연결을 꺼내 새 fd로 돌려줍니다.",
    );
    let c = tcp()?;
    raw::connect(c.n(), addr)?;
    let (d, _) = raw::accept(l.n())?;
    Ok((c, Fd(d)))
}

/// A listener and one connection: (listener, client, server's data socket).
fn pair(s: &Show) -> Result<(Fd, Fd, Fd, SockAddr), Failed> {
    let (l, addr) = listener(s, 8)?;
    let (c, d) = connect_and_accept(s, &l, &addr)?;
    Ok((l, c, d, addr))
}

/// A port with nothing listening: a socket that is only bound holds it,
/// so no other program can take it while the demo runs.
fn bound_only(s: &Show) -> Result<(Fd, SockAddr), Failed> {
    s.step(
        "A TCP socket bound to a free port, but not listening: nothing accepts connections there.",
        "TCP 소켓에 빈 포트를 할당만 하고 listen은 하지 않습니다: 그 포트에서는 아무도 연결을 받지 않습니다.",
    );
    let b = tcp()?;
    raw::bind(b.n(), &any_port())?;
    let addr = raw::getsockname(b.n())?;
    Ok((b, addr))
}

// ---------------------------------------------------------------- errnos

fn econnrefused(s: &Show) -> Step {
    tcp_refused(s)?;
    udp_refused(s)
}

fn tcp_refused(s: &Show) -> Step {
    let (b, addr) = bound_only(s)?;
    s.step(
        "connect to that port: the kernel answers the SYN with an RST.",
        "그 포트로 connect합니다: 커널이 SYN에 RST로 답합니다.",
    );
    let c = tcp()?;
    want(raw::connect(c.n(), &addr), Errno::ECONNREFUSED)?;
    s.saw(
        "ECONNREFUSED: nothing listens there. A socket that is only bound does not accept connections.",
        "ECONNREFUSED: 거기서 듣는 소켓이 없습니다. 주소만 할당된 소켓은 연결을 받지 않습니다.",
    );
    c.close()?;
    b.close()
}

fn udp_refused(s: &Show) -> Step {
    s.step(
        "UDP: find a free UDP port (bind port 0, read it, close the socket).",
        "UDP: 빈 UDP 포트를 찾습니다 (포트 0으로 bind하고, 번호를 읽고, 소켓을 닫습니다).",
    );
    let probe = udp()?;
    raw::bind(probe.n(), &any_port())?;
    let closed = raw::getsockname(probe.n())?;
    probe.close()?;
    s.step(
        "Two sendto calls to that closed port from an unconnected UDP socket.",
        "연결하지 않은 UDP 소켓으로 닫힌 포트에 sendto를 두 번 합니다.",
    );
    let u = udp()?;
    want_n(raw::sendto(u.n(), b"ping", MsgFlags::NONE, &closed), 4)?;
    want_n(raw::sendto(u.n(), b"ping", MsgFlags::NONE, &closed), 4)?;
    s.saw(
        "Both succeed: an unconnected UDP socket is never told about the ICMP 'port unreachable'.",
        "둘 다 성공합니다: 연결하지 않은 UDP 소켓은 ICMP 'port unreachable'을 전달받지 않습니다.",
    );
    u.close()?;
    s.step(
        "Now a connected UDP socket (connect only records the peer: nothing is sent), and two sends.",
        "이번에는 connect한 UDP 소켓입니다 (connect는 상대 주소만 기록하고 아무것도 보내지 않습니다). send를 두 번 합니다.",
    );
    let u = udp()?;
    raw::connect(u.n(), &closed)?;
    want_n(raw::send(u.n(), b"ping", MsgFlags::NONE), 4)?;
    want(
        raw::send(u.n(), b"ping", MsgFlags::NONE),
        Errno::ECONNREFUSED,
    )?;
    s.saw(
        "The first send succeeds; the ICMP it drew comes back as ECONNREFUSED on the next call. Only a connected UDP socket gets it.",
        "첫 send는 성공하고, 그 데이터그램이 불러온 ICMP가 다음 호출에서 ECONNREFUSED로 돌아옵니다. connect한 UDP 소켓만 이것을 받습니다.",
    );
    u.close()
}

fn eaddrinuse(s: &Show) -> Step {
    s.step(
        "A server listens on a port the kernel picks.",
        "서버가 커널이 고른 포트에서 listen합니다.",
    );
    let a = tcp()?;
    raw::bind(a.n(), &any_port())?;
    raw::listen(a.n(), 8)?;
    let addr = raw::getsockname(a.n())?;
    s.step(
        "A second socket binds the same address.",
        "두 번째 소켓이 같은 주소를 bind합니다.",
    );
    let b = tcp()?;
    want(raw::bind(b.n(), &addr), Errno::EADDRINUSE)?;
    s.saw(
        "EADDRINUSE: a socket listens there.",
        "EADDRINUSE: 그 주소에서 이미 듣고 있는 소켓이 있습니다.",
    );
    b.close()?;
    any_and_loopback_conflict(s, &addr)?;
    a.close()?;
    reuse_both_bind_one_listens(s)?;
    time_wait_without_reuse(s)?;
    let dir = scratch()?;
    path_in_use(s, &dir.join("demo.sock"))
}

/// A private folder for a Unix socket's file, removed afterwards.
fn scratch() -> Result<crate::against_strace::ScratchDir, Failed> {
    let dir = crate::against_strace::scratch_dir().map_err(|e| Failed(e.to_string()))?;
    if dir.join("demo.sock").as_os_str().len() > socklab::addr::UNIX_NAME_MAX {
        return Err(Failed(format!(
            "the temp folder {} is too long for a Unix socket's path: set TMPDIR to a shorter one, such as /tmp",
            dir.display()
        )));
    }
    Ok(dir)
}

/// A Unix socket's path: bind makes a file, close leaves it, and the
/// file keeps the path taken (EADDRINUSE) until unlink removes it. Ends
/// with the path bound, closed and unlinked again.
fn path_in_use(s: &Show, path: &std::path::Path) -> Step {
    let addr = SockAddr::unix(path);
    s.step(
        "A Unix socket binds a path, and is closed.",
        "유닉스 도메인 소켓이 경로에 주소를 할당하고, 닫힙니다.",
    );
    let a = Fd(raw::socket(libc::AF_UNIX, STREAM)?);
    raw::bind(a.n(), &addr)?;
    a.close()?;
    s.file(path)?;
    s.no_unix_socket(path)?;
    s.step(
        "A new socket binds the same path.",
        "새 소켓이 같은 경로로 bind합니다.",
    );
    let b = Fd(raw::socket(libc::AF_UNIX, STREAM)?);
    want(raw::bind(b.n(), &addr), Errno::EADDRINUSE)?;
    s.saw(
        "EADDRINUSE: close left the file, and the file keeps the path taken though no socket is behind it.",
        "EADDRINUSE: close가 파일을 남겼고, 뒤에 소켓이 없는데도 파일이 그 경로를 차지하고 있습니다.",
    );
    s.step(
        "unlink the path, and bind again.",
        "경로를 unlink하고 다시 bind합니다.",
    );
    socklab::unlink(path)?;
    raw::bind(b.n(), &addr)?;
    s.saw(
        "With the file removed, bind makes a new one.",
        "파일을 지우자 bind가 새 파일을 만듭니다.",
    );
    b.close()?;
    socklab::unlink(path)?;
    Ok(())
}

/// 0.0.0.0 (every address of this machine) includes 127.0.0.1, so the
/// two on one port conflict, whichever binds first.
/// `listening` is on 127.0.0.1 and stays open while this runs.
fn any_and_loopback_conflict(s: &Show, listening: &SockAddr) -> Step {
    let port = listening.port().unwrap_or(0);
    s.step(
        "Another socket binds 0.0.0.0 (every address of this machine) on the port 127.0.0.1 listens on.",
        "다른 소켓이 127.0.0.1이 listen하고 있는 포트에 0.0.0.0(이 컴퓨터의 모든 주소)으로 bind합니다.",
    );
    let any = tcp()?;
    want(
        raw::bind(
            any.n(),
            &SockAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)),
        ),
        Errno::EADDRINUSE,
    )?;
    any.close()?;
    s.step(
        "The other order: a socket bound to 0.0.0.0, port 0 (the kernel picks one; it never listens), then another binds 127.0.0.1 on that port.",
        "순서를 바꿉니다: 0.0.0.0, 포트 0(커널이 고름)에 주소를 할당한 소켓(listen은 하지 않습니다)이 있고, 다른 소켓이 같은 포트에 127.0.0.1로 bind합니다.",
    );
    let any = tcp()?;
    raw::bind(
        any.n(),
        &SockAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)),
    )?;
    let any_port = raw::getsockname(any.n())?.port().unwrap_or(0);
    let lo = tcp()?;
    want(
        raw::bind(lo.n(), &SockAddr::loopback(any_port)),
        Errno::EADDRINUSE,
    )?;
    s.saw(
        "EADDRINUSE both times: 0.0.0.0 covers 127.0.0.1, so the two on one port conflict, whichever comes second.",
        "두 번 모두 EADDRINUSE입니다: 0.0.0.0은 127.0.0.1을 포함하므로, 같은 포트의 둘은 어느 쪽이 나중에 오든 충돌합니다.",
    );
    lo.close()?;
    any.close()
}

/// Both sockets set SO_REUSEADDR and neither listens: the second bind
/// succeeds, and only the second listen fails.
fn reuse_both_bind_one_listens(s: &Show) -> Step {
    s.step(
        "Two sockets, both with SO_REUSEADDR, bind the same port; neither listens yet.",
        "두 소켓이 모두 SO_REUSEADDR를 켜고 같은 포트에 bind합니다. 아직 어느 쪽도 listen하지 않습니다.",
    );
    let a = tcp()?;
    raw::setsockopt_int(a.n(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    raw::bind(a.n(), &any_port())?;
    let addr = raw::getsockname(a.n())?;
    let b = tcp()?;
    raw::setsockopt_int(b.n(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    raw::bind(b.n(), &addr)?;
    s.step("Each calls listen.", "각각 listen을 부릅니다.");
    raw::listen(a.n(), 8)?;
    want(raw::listen(b.n(), 8), Errno::EADDRINUSE)?;
    s.saw(
        "The second bind succeeded; the second listen fails with EADDRINUSE. SO_REUSEADDR never lets two sockets listen on one port.",
        "두 번째 bind는 성공했고, 두 번째 listen이 EADDRINUSE로 실패합니다. SO_REUSEADDR로도 두 소켓이 한 포트에서 listen할 수는 없습니다.",
    );
    b.close()?;
    a.close()
}

/// A TIME_WAIT left by a listener without SO_REUSEADDR blocks even a new
/// socket that sets it: the option must be on both sides.
fn time_wait_without_reuse(s: &Show) -> Step {
    s.step(
        "A server WITHOUT SO_REUSEADDR accepts a client, and closes its end first.",
        "SO_REUSEADDR 없이 만든 서버가 클라이언트의 연결 요청을 수락하고, 자기 쪽을 먼저 닫습니다.",
    );
    let l = tcp()?;
    raw::bind(l.n(), &any_port())?;
    raw::listen(l.n(), 8)?;
    let addr = raw::getsockname(l.n())?;
    let c = tcp()?;
    raw::connect(c.n(), &addr)?;
    let (d, _) = raw::accept(l.n())?;
    let client_addr = raw::getsockname(c.n())?;
    raw::close(d)?;
    c.close()?;
    l.close()?;
    s.kernel_state(&addr, &client_addr, TcpState::TimeWait)?;
    s.step(
        "A new server sets SO_REUSEADDR and binds the same port.",
        "새 서버가 SO_REUSEADDR를 켜고 같은 포트에 bind합니다.",
    );
    let n = tcp()?;
    raw::setsockopt_int(n.n(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    want(raw::bind(n.n(), &addr), Errno::EADDRINUSE)?;
    s.saw(
        "EADDRINUSE: the TIME_WAIT connection came from a listener without SO_REUSEADDR, and the option must be on both sockets.",
        "EADDRINUSE: Time-wait 상태의 연결이 SO_REUSEADDR 없는 리스닝 소켓에서 나왔기 때문입니다. 이 옵션은 양쪽 소켓 모두에 켜져 있어야 합니다.",
    );
    n.close()
}

fn econnreset(s: &Show) -> Step {
    let (l, c, d, addr) = pair(s)?;
    s.step(
        "The client sets SO_LINGER {on, 0 s} and closes: the kernel sends an RST instead of a FIN.",
        "클라이언트가 SO_LINGER {on, 0초}를 설정하고 닫습니다: 커널은 FIN 대신 RST를 보냅니다.",
    );
    raw::setsockopt_linger(c.n(), 0)?;
    c.close()?;
    s.step(
        "The server receives (MSG_DONTWAIT: on loopback the RST has already arrived).",
        "서버가 수신합니다 (MSG_DONTWAIT: 루프백에서는 RST가 이미 도착했습니다).",
    );
    let mut buf = [0u8; 64];
    want(
        raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::ECONNRESET,
    )?;
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    s.saw(
        "ECONNRESET once; after that the connection is gone and recv returns 0.",
        "ECONNRESET은 한 번만 옵니다. 그 뒤로는 연결이 사라졌으므로 recv가 0을 돌려줍니다.",
    );
    d.close()?;
    unread_data_resets(s, &l, &addr)?;
    l.close()
}

/// Closing a socket with bytes still unread sends an RST, not a FIN.
fn unread_data_resets(s: &Show, l: &Fd, addr: &SockAddr) -> Step {
    let (c, d) = connect_and_accept(s, l, addr)?;
    s.step(
        "The server sends 6 bytes; the client closes without reading them.",
        "서버가 6바이트를 보내고, 클라이언트는 읽지 않은 채 닫습니다.",
    );
    want_n(raw::send(d.n(), b"unread", MsgFlags::NONE), 6)?;
    c.close()?;
    let mut buf = [0u8; 64];
    want(
        raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::ECONNRESET,
    )?;
    s.saw(
        "ECONNRESET: closing with unread data resets the connection (an RST), where a clean close sends a FIN.",
        "ECONNRESET: 읽지 않은 데이터를 둔 채 닫으면 연결이 리셋(RST)됩니다. 깨끗이 닫으면 FIN이 갑니다.",
    );
    d.close()
}

fn epipe(s: &Show) -> Step {
    let (l, c, d, addr) = pair(s)?;
    s.step(
        "The server closes its end: a FIN goes to the client.",
        "서버가 자기 쪽을 닫습니다: 클라이언트로 FIN이 갑니다.",
    );
    d.close()?;
    let sigpipe = SignalBlocked::new(libc::SIGPIPE);
    s.step(
        "The client sends twice. (SIGPIPE is blocked for a moment, so we can see whether the kernel raised it.)",
        "클라이언트가 두 번 보냅니다. (커널이 SIGPIPE를 보내는지 보려고 잠시 SIGPIPE를 블록합니다.)",
    );
    want_n(raw::send(c.n(), b"first", MsgFlags::NONE), 5)?;
    if sigpipe.taken() {
        return Err(Failed("SIGPIPE after the first send".into()));
    }
    want(raw::send(c.n(), b"second", MsgFlags::NONE), Errno::EPIPE)?;
    if !sigpipe.taken() {
        return Err(Failed("no SIGPIPE with the EPIPE".into()));
    }
    s.saw(
        "The first send succeeds (a FIN only says the peer sends no more) and draws an RST; the second gets EPIPE, and the kernel raised SIGPIPE, which kills a C program unless it ignores SIGPIPE or passes MSG_NOSIGNAL.",
        "첫 send는 성공하고(FIN은 상대가 더 보내지 않는다는 뜻일 뿐입니다) RST를 불러옵니다. 두 번째 send는 EPIPE를 받고, 커널은 SIGPIPE를 보냈습니다. C 프로그램은 SIGPIPE를 무시하거나 MSG_NOSIGNAL을 주지 않으면 이 시그널로 종료됩니다.",
    );
    s.step(
        "Once more with MSG_NOSIGNAL.",
        "MSG_NOSIGNAL을 주고 한 번 더 보냅니다.",
    );
    want(raw::send(c.n(), b"third", MsgFlags::NOSIGNAL), Errno::EPIPE)?;
    if sigpipe.taken() {
        return Err(Failed("SIGPIPE despite MSG_NOSIGNAL".into()));
    }
    s.saw(
        "EPIPE, and no SIGPIPE this time.",
        "EPIPE이고, 이번에는 SIGPIPE가 없습니다.",
    );
    c.close()?;
    s.step(
        "send on a socket that never connected, and after shutdown(SHUT_WR).",
        "연결한 적 없는 소켓과, shutdown(SHUT_WR)한 소켓으로 send합니다.",
    );
    let fresh = tcp()?;
    want(raw::send(fresh.n(), b"x", MsgFlags::NOSIGNAL), Errno::EPIPE)?;
    fresh.close()?;
    let (c, d) = connect_and_accept(s, &l, &addr)?;
    raw::shutdown(c.n(), Shutdown::Write)?;
    want(raw::send(c.n(), b"x", MsgFlags::NOSIGNAL), Errno::EPIPE)?;
    s.saw(
        "EPIPE both times: on Linux, send on an unconnected TCP socket gets EPIPE, not ENOTCONN.",
        "두 번 모두 EPIPE입니다: 리눅스에서 연결되지 않은 TCP 소켓으로 send하면 ENOTCONN이 아니라 EPIPE를 받습니다.",
    );
    d.close()?;
    c.close()?;
    l.close()
}

/// A signal blocked while it lives, so a raised one stays pending where
/// [`SignalBlocked::taken`] (or /proc) can see it; on drop, a pending one
/// is taken and the signal unblocked. (A Rust program ignores SIGPIPE, but
/// a blocked signal is kept even when ignored.)
struct SignalBlocked {
    set: libc::sigset_t,
    signal: libc::c_int,
}

impl SignalBlocked {
    fn new(signal: libc::c_int) -> SignalBlocked {
        // SAFETY: plain signal-mask calls on a local set.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            SignalBlocked { set, signal }
        }
    }

    /// Whether the signal is pending; if so, take it (sigtimedwait, no
    /// wait).
    fn taken(&self) -> bool {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a set built in `new`; the zero timeout never waits.
        unsafe { libc::sigtimedwait(&self.set, std::ptr::null_mut(), &zero) == self.signal }
    }
}

impl Drop for SignalBlocked {
    fn drop(&mut self) {
        while self.taken() {}
        // SAFETY: unblocks what `new` blocked.
        unsafe {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &self.set, std::ptr::null_mut());
        }
    }
}

fn eagain(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "recv with MSG_DONTWAIT when nothing has arrived.",
        "아무것도 도착하지 않았을 때 MSG_DONTWAIT로 recv합니다.",
    );
    let mut buf = [0u8; 64];
    want(
        raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::EAGAIN,
    )?;
    s.saw(
        "EAGAIN: the call would have had to wait.",
        "EAGAIN: 기다려야 하는 호출이었습니다.",
    );
    s.step(
        "accept on the non-blocking listener with an empty queue.",
        "큐가 빈 넌블로킹 리스닝 소켓으로 accept합니다.",
    );
    want(raw::accept(l.n()), Errno::EAGAIN)?;
    s.step(
        "A blocking recv with SO_RCVTIMEO of 50 ms.",
        "SO_RCVTIMEO를 50ms로 설정하고 블로킹 recv를 합니다.",
    );
    raw::setsockopt_timeout(d.n(), libc::SO_RCVTIMEO, Duration::from_millis(50))?;
    want(raw::recv(d.n(), &mut buf, MsgFlags::NONE), Errno::EAGAIN)?;
    s.saw(
        "EAGAIN again: an SO_RCVTIMEO timeout ends a blocking recv the same way.",
        "다시 EAGAIN입니다: SO_RCVTIMEO 시간이 다 되면 블로킹 recv도 같은 방식으로 끝납니다.",
    );
    s.step(
        "The client sends 4 MiB with MSG_DONTWAIT, twice; the server reads nothing.",
        "클라이언트가 MSG_DONTWAIT로 4MiB를 두 번 보냅니다. 서버는 아무것도 읽지 않습니다.",
    );
    let big = vec![0u8; 4 << 20];
    let first = raw::send(c.n(), &big, MsgFlags::DONTWAIT)?;
    if first == 0 || first >= big.len() {
        return Err(Failed(format!(
            "expected a short count, send returned {first}"
        )));
    }
    want(raw::send(c.n(), &big, MsgFlags::DONTWAIT), Errno::EAGAIN)?;
    s.saw(
        "The first send copies only what fits in the buffers (a short count); the second finds no room: EAGAIN.",
        "첫 send는 버퍼에 들어가는 만큼만 복사합니다(보낸 수가 모자람). 두 번째는 자리가 없어 EAGAIN을 받습니다.",
    );
    s.step(
        "Now the server, too, sends 4 MiB with MSG_DONTWAIT, twice; the client reads nothing either.",
        "이번에는 서버도 MSG_DONTWAIT로 4MiB를 두 번 보냅니다. 클라이언트도 아무것도 읽지 않습니다.",
    );
    let first = raw::send(d.n(), &big, MsgFlags::DONTWAIT)?;
    if first == 0 || first >= big.len() {
        return Err(Failed(format!(
            "expected a short count, send returned {first}"
        )));
    }
    want(raw::send(d.n(), &big, MsgFlags::DONTWAIT), Errno::EAGAIN)?;
    s.step(
        "poll: wait at most 50 ms for either socket to become writable (POLLOUT).",
        "poll: 두 소켓 중 하나라도 쓰기 가능(POLLOUT)해지기를 최대 50ms 기다립니다.",
    );
    let ready = poll(&[(&c, PollFlags::OUT), (&d, PollFlags::OUT)], 50)?;
    if ready.iter().any(|r| r.contains(PollFlags::OUT)) {
        return Err(Failed(
            "a socket became writable with nobody reading".into(),
        ));
    }
    s.saw(
        "Both sides' sends end in EAGAIN, and neither socket becomes writable: each side's data waits for the other to read, and nobody reads. With blocking sockets both would sit in send, each waiting for the other: a deadlock. Read as you go (or poll for POLLIN too) to avoid it.",
        "양쪽 send가 모두 EAGAIN으로 끝나고, 어느 소켓도 쓰기 가능해지지 않습니다: 각자의 데이터는 상대가 읽기를 기다리는데 아무도 읽지 않습니다. 블로킹 소켓이었다면 양쪽 모두 send에서 서로를 기다리며 멈춰 있을 것입니다: 교착 상태(데드락)입니다. 보내면서 읽으면(또는 POLLIN도 함께 poll하면) 피할 수 있습니다.",
    );
    d.close()?;
    c.close()?;
    l.close()
}

fn enotconn(s: &Show) -> Step {
    s.step(
        "recv on a TCP socket that never connected.",
        "연결한 적 없는 TCP 소켓으로 recv합니다.",
    );
    let fresh = tcp()?;
    let mut buf = [0u8; 64];
    want(
        raw::recv(fresh.n(), &mut buf, MsgFlags::NONE),
        Errno::ENOTCONN,
    )?;
    fresh.close()?;
    let (l, _) = listener(s, 8)?;
    s.step(
        "recv and getpeername on the listening socket.",
        "리스닝 소켓으로 recv와 getpeername을 합니다.",
    );
    want(raw::recv(l.n(), &mut buf, MsgFlags::NONE), Errno::ENOTCONN)?;
    want(raw::getpeername(l.n()), Errno::ENOTCONN)?;
    s.saw(
        "ENOTCONN: data travels only on a connected socket, such as the one accept returns. (send there gets EPIPE instead: see `socklab explain EPIPE --demo`.)",
        "ENOTCONN: 데이터는 accept가 돌려준 소켓처럼 연결된 소켓으로만 오갑니다. (거기서 send하면 EPIPE를 받습니다: `socklab explain EPIPE --demo`)",
    );
    l.close()?;
    s.step(
        "getpeername and shutdown on a socket that never connected.",
        "연결한 적 없는 소켓으로 getpeername과 shutdown을 합니다.",
    );
    let fresh = tcp()?;
    want(raw::getpeername(fresh.n()), Errno::ENOTCONN)?;
    want(raw::shutdown(fresh.n(), Shutdown::Write), Errno::ENOTCONN)?;
    fresh.close()
}

fn einval(s: &Show) -> Step {
    s.step(
        "bind a socket, then bind it again.",
        "소켓에 주소를 할당하고, 한 번 더 bind합니다.",
    );
    let b = tcp()?;
    raw::bind(b.n(), &any_port())?;
    want(raw::bind(b.n(), &any_port()), Errno::EINVAL)?;
    s.saw(
        "EINVAL: the socket already has an address.",
        "EINVAL: 이미 주소가 할당된 소켓입니다.",
    );
    s.step(
        "accept on that socket, which never called listen.",
        "listen을 부른 적 없는 그 소켓으로 accept합니다.",
    );
    want(raw::accept(b.n()), Errno::EINVAL)?;
    s.saw(
        "EINVAL: accept needs a listening socket.",
        "EINVAL: accept에는 리스닝 소켓이 필요합니다.",
    );
    b.close()
}

fn emfile(s: &Show) -> Step {
    let (l, addr) = listener(s, 8)?;
    let limit = l.n() as u64 + 4;
    s.step(
        &format!("Lower this process's RLIMIT_NOFILE to {limit} (setrlimit): fds 0 to {}, three numbers above the listening socket.", limit - 1),
        &format!("이 프로세스의 RLIMIT_NOFILE을 낮춥니다 (setrlimit, 한도 {limit}): fd 0부터 {}까지, 리스닝 소켓 위로 세 개만 쓸 수 있습니다.", limit - 1),
    );
    let low = LowFdLimit::set(limit)?;
    s.step(
        "A server that forgets close: two clients connect and leave (each closes its end); the server accepts each and never closes the data socket.",
        "close를 잊은 서버: 클라이언트 둘이 차례로 연결했다가 떠납니다(각자 자기 쪽을 닫습니다). 서버는 각각의 연결 요청을 수락하고 데이터 송수신용 소켓을 닫지 않습니다.",
    );
    let mut leaked = Vec::new();
    for _ in 0..2 {
        let c = tcp()?;
        raw::connect(c.n(), &addr)?;
        leaked.push(Fd(raw::accept(l.n())?.0));
        c.close()?;
    }
    s.step(
        "A third client connects (its socket takes the last number); the server calls accept, and the client tries one more socket.",
        "세 번째 클라이언트가 연결을 요청합니다(그 소켓이 마지막 번호를 차지합니다). 서버가 accept를 부르고, 클라이언트는 소켓을 하나 더 만들려고 합니다.",
    );
    let c = tcp()?;
    raw::connect(c.n(), &addr)?;
    want(raw::accept(l.n()), Errno::EMFILE)?;
    want(raw::socket(INET, STREAM), Errno::EMFILE)?;
    s.saw(
        "EMFILE: the two leaked data sockets hold the numbers the third client needed. Every client that came and went still takes an fd in the server; no fd number is left under the limit, for accept and socket alike (and any call that makes an fd).",
        "EMFILE: 새어 나간 데이터 송수신용 소켓 두 개가 세 번째 클라이언트에게 필요한 번호를 차지하고 있습니다. 왔다 간 클라이언트마다 서버의 fd를 하나씩 쥐고 있는 셈입니다. 한도 아래에 남은 fd 번호가 없으니 accept도 socket도 (fd를 만드는 모든 호출이) 마찬가지입니다.",
    );
    s.step(
        "The server closes the two data sockets it leaked, and accepts again.",
        "서버가 새어 나간 데이터 송수신용 소켓 두 개를 닫고 다시 accept합니다.",
    );
    for d in leaked {
        d.close()?;
    }
    let d = Fd(raw::accept(l.n())?.0);
    s.saw(
        "The connection waited in the queue: EMFILE did not lose it. Closing a client's data socket when its conversation ends gives its number back.",
        "연결은 큐에서 기다리고 있었습니다: EMFILE 때문에 사라지지 않았습니다. 대화가 끝날 때 클라이언트의 데이터 송수신용 소켓을 닫으면 그 번호가 반납됩니다.",
    );
    drop(low);
    d.close()?;
    c.close()?;
    l.close()
}

/// RLIMIT_NOFILE lowered while it lives; the old limit comes back on drop.
struct LowFdLimit(libc::rlimit);

impl LowFdLimit {
    fn set(soft: u64) -> Result<LowFdLimit, Failed> {
        // SAFETY: getrlimit and setrlimit read and write local structs.
        unsafe {
            let mut old: libc::rlimit = std::mem::zeroed();
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) != 0 {
                return Err(Failed("getrlimit failed".into()));
            }
            let low = libc::rlimit {
                rlim_cur: soft.min(old.rlim_cur),
                rlim_max: old.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &low) != 0 {
                return Err(Failed("setrlimit failed".into()));
            }
            Ok(LowFdLimit(old))
        }
    }
}

impl Drop for LowFdLimit {
    fn drop(&mut self) {
        // SAFETY: restores the limit read in `set`.
        unsafe {
            libc::setrlimit(libc::RLIMIT_NOFILE, &self.0);
        }
    }
}

fn ebadf(s: &Show) -> Step {
    s.step(
        "Make a socket and close it; then send on its number, and close it again.",
        "소켓을 만들고 닫은 뒤, 그 번호로 send하고 한 번 더 close합니다.",
    );
    let fd = raw::socket(INET, STREAM)?;
    raw::close(fd)?;
    want(raw::send(fd, b"x", MsgFlags::NOSIGNAL), Errno::EBADF)?;
    want(raw::close(fd), Errno::EBADF)?;
    s.saw(
        "EBADF: the number is not open. In a program with more threads it could already name another socket; socklab's types make this a compile error.",
        "EBADF: 열려 있지 않은 번호입니다. 쓰레드가 여럿인 프로그램이라면 그 번호가 이미 다른 소켓일 수도 있습니다. socklab의 타입은 이것을 컴파일 오류로 막습니다.",
    );
    Ok(())
}

fn econnaborted(s: &Show) -> Step {
    let (l, addr) = listener(s, 8)?;
    s.step(
        "A client connects, sets SO_LINGER {on, 0 s} and closes: it resets the connection before the server accepts it.",
        "클라이언트가 연결을 요청하고, SO_LINGER {on, 0초}를 설정해 닫습니다: 서버가 accept하기 전에 연결을 리셋합니다.",
    );
    let c = tcp()?;
    raw::connect(c.n(), &addr)?;
    raw::setsockopt_linger(c.n(), 0)?;
    c.close()?;
    s.step(
        "The server accepts, then receives.",
        "서버가 accept하고 수신합니다.",
    );
    let (d, _) = raw::accept(l.n())?;
    let d = Fd(d);
    let mut buf = [0u8; 64];
    want(
        raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::ECONNRESET,
    )?;
    s.saw(
        "On Linux accept succeeds; the reset shows as ECONNRESET on the first recv. Linux does not return ECONNABORTED here (BSD systems do).",
        "리눅스에서는 accept가 성공하고, 리셋은 첫 recv의 ECONNRESET으로 나타납니다. 리눅스는 여기서 ECONNABORTED를 돌려주지 않습니다 (BSD 계열은 돌려줍니다).",
    );
    d.close()?;
    l.close()
}

fn eisconn(s: &Show) -> Step {
    let (l, c, d, addr) = pair(s)?;
    s.step(
        "connect the connected client again, and connect the listening socket.",
        "이미 연결된 클라이언트로 다시 connect하고, 리스닝 소켓으로도 connect합니다.",
    );
    want(raw::connect(c.n(), &addr), Errno::EISCONN)?;
    want(raw::connect(l.n(), &addr), Errno::EISCONN)?;
    s.saw(
        "EISCONN both times: Linux answers a connect on a listening socket with EISCONN too.",
        "두 번 모두 EISCONN입니다: 리눅스는 리스닝 소켓의 connect에도 EISCONN으로 답합니다.",
    );
    d.close()?;
    c.close()?;
    l.close()
}

fn einprogress(s: &Show) -> Step {
    let (l, addr) = listener(s, 8)?;
    s.step(
        "A non-blocking client socket connects.",
        "넌블로킹 클라이언트 소켓이 연결을 요청합니다.",
    );
    let c = Fd(raw::socket(INET, STREAM | libc::SOCK_NONBLOCK)?);
    want(raw::connect(c.n(), &addr), Errno::EINPROGRESS)?;
    s.step(
        "Wait for POLLOUT (at most 1 s), then read SO_ERROR.",
        "POLLOUT을 기다린 뒤(최대 1초) SO_ERROR를 읽습니다.",
    );
    let ready = poll(&[(&c, PollFlags::OUT)], 1000)?;
    if !ready[0].contains(PollFlags::OUT) {
        return Err(Failed("no POLLOUT within 1 s".into()));
    }
    let err = raw::getsockopt_error(c.n())?;
    if err != 0 {
        return Err(Failed(format!("SO_ERROR was {err}")));
    }
    s.saw(
        "EINPROGRESS, then writable with SO_ERROR 0: the handshake finished in the background.",
        "EINPROGRESS 뒤에 쓰기 가능해졌고 SO_ERROR는 0입니다: 핸드셰이크가 뒤에서 끝났습니다.",
    );
    let (d, _) = raw::accept(l.n())?;
    raw::close(d)?;
    c.close()?;
    l.close()?;
    let (b, nobody) = bound_only(s)?;
    s.step(
        "A non-blocking client socket connects there; wait for POLLOUT (at most 1 s), then read SO_ERROR.",
        "넌블로킹 클라이언트 소켓이 그곳으로 연결을 요청합니다. POLLOUT을 기다린 뒤(최대 1초) SO_ERROR를 읽습니다.",
    );
    let c = Fd(raw::socket(INET, STREAM | libc::SOCK_NONBLOCK)?);
    want(raw::connect(c.n(), &nobody), Errno::EINPROGRESS)?;
    let ready = poll(&[(&c, PollFlags::OUT)], 1000)?;
    if !ready[0].contains(PollFlags::OUT | PollFlags::ERR) {
        return Err(Failed(format!(
            "poll gave {:?}, not POLLOUT|POLLERR",
            ready[0]
        )));
    }
    let err = raw::getsockopt_error(c.n())?;
    if err != libc::ECONNREFUSED {
        return Err(Failed(format!("SO_ERROR was {err}, not ECONNREFUSED")));
    }
    s.saw(
        "EINPROGRESS here too: the refusal came after connect had returned. poll says POLLOUT|POLLERR|POLLHUP, and SO_ERROR holds the connect's error: [ECONNREFUSED].",
        "여기서도 EINPROGRESS입니다: 거절은 connect가 돌아온 뒤에 왔습니다. poll은 POLLOUT|POLLERR|POLLHUP을 알려 주고, SO_ERROR에 connect의 오류 [ECONNREFUSED]가 들어 있습니다.",
    );
    c.close()?;
    b.close()
}

extern "C" fn on_alarm(_: libc::c_int) {}

/// A no-op SIGALRM handler without SA_RESTART while it lives, and a timer
/// that raises SIGALRM once.
struct Alarm(libc::sigaction);

impl Alarm {
    fn install() -> Alarm {
        // SAFETY: sigaction with a handler that does nothing.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_alarm as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGALRM, &sa, &mut old);
            Alarm(old)
        }
    }

    /// SIGALRM once, after `ms` milliseconds.
    fn after(&self, ms: i64) {
        let it = libc::itimerval {
            it_interval: libc::timeval {
                tv_sec: 0,
                tv_usec: 0,
            },
            it_value: libc::timeval {
                tv_sec: 0,
                tv_usec: (ms * 1000) as libc::suseconds_t,
            },
        };
        // SAFETY: sets this process's real-time timer.
        unsafe {
            libc::setitimer(libc::ITIMER_REAL, &it, std::ptr::null_mut());
        }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        self.after(0);
        // SAFETY: puts back the action read in `install`.
        unsafe {
            libc::sigaction(libc::SIGALRM, &self.0, std::ptr::null_mut());
        }
    }
}

fn eintr(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    let alarm = Alarm::install();
    s.step(
        "A SIGALRM handler (without SA_RESTART) and a timer for 50 ms; SO_RCVTIMEO of 1 s as a bound; then a blocking recv with nothing to read.",
        "SIGALRM 핸들러(SA_RESTART 없이)와 50ms 타이머를 설정하고, 상한으로 SO_RCVTIMEO 1초를 준 뒤, 읽을 것이 없는 블로킹 recv를 합니다.",
    );
    raw::setsockopt_timeout(d.n(), libc::SO_RCVTIMEO, Duration::from_secs(1))?;
    alarm.after(50);
    let mut buf = [0u8; 64];
    want(raw::recv(d.n(), &mut buf, MsgFlags::NONE), Errno::EINTR)?;
    s.saw(
        "EINTR: the signal's handler ran and the waiting recv returned. Nothing is broken: for recv, call it again.",
        "EINTR: 시그널 핸들러가 실행되고 기다리던 recv가 돌아왔습니다. 잘못된 것은 없으니 recv라면 다시 호출하면 됩니다.",
    );
    d.close()?;
    c.close()?;
    l.close()?;
    connect_interrupted(s, &alarm)
}

fn ealready(s: &Show) -> Step {
    let alarm = Alarm::install();
    connect_interrupted(s, &alarm)
}

/// A connect interrupted by a signal goes on in the kernel; connect again
/// finds it under way (UNP 5.9).
fn connect_interrupted(s: &Show, alarm: &Alarm) -> Step {
    let (l, addr) = listener(s, 0)?;
    s.step(
        "Fill the listener's queue (backlog 0 holds one connection), so the next SYN is dropped and a connect has to wait.",
        "리스닝 소켓의 연결 요청 대기 큐를 채웁니다 (backlog 0이면 연결 하나가 들어갑니다). 다음 SYN은 버려지므로 connect가 기다려야 합니다.",
    );
    let first = tcp()?;
    raw::connect(first.n(), &addr)?;
    s.step(
        "A second client with SO_SNDTIMEO of 200 ms (a bound for connect), and SIGALRM in 50 ms: connect, then connect again.",
        "두 번째 클라이언트에 SO_SNDTIMEO 200ms(connect의 상한)를 주고 50ms 뒤 SIGALRM이 오게 한 뒤, connect하고 다시 connect합니다.",
    );
    let c = tcp()?;
    raw::setsockopt_timeout(c.n(), libc::SO_SNDTIMEO, Duration::from_millis(200))?;
    alarm.after(50);
    want(raw::connect(c.n(), &addr), Errno::EINTR)?;
    want(raw::connect(c.n(), &addr), Errno::EALREADY)?;
    if raw::getsockopt_error(c.n())? != 0 {
        return Err(Failed("SO_ERROR was set".into()));
    }
    s.saw(
        "EINTR; then connect again waited until SO_SNDTIMEO ran out and said EALREADY, with SO_ERROR 0: the interrupted handshake goes on in the kernel. Do not call connect in a loop: wait with poll for POLLOUT, then read SO_ERROR.",
        "EINTR 뒤에 다시 부른 connect는 SO_SNDTIMEO 시간이 다 될 때까지 기다렸다가 EALREADY를 돌려주었고, SO_ERROR는 0입니다: 중단된 핸드셰이크는 커널에서 계속 진행됩니다. connect를 반복해 부르지 말고 poll로 POLLOUT을 기다린 뒤 SO_ERROR를 읽으세요.",
    );
    c.close()?;
    first.close()?;
    l.close()
}

fn etimedout(s: &Show) -> Step {
    let (l, addr) = listener(s, 0)?;
    s.step(
        "Fill the listener's queue (backlog 0 holds one connection): the kernel drops the next SYN.",
        "리스닝 소켓의 연결 요청 대기 큐를 채웁니다 (backlog 0이면 연결 하나가 들어갑니다). 커널은 다음 SYN을 버립니다.",
    );
    let first = tcp()?;
    raw::connect(first.n(), &addr)?;
    s.step(
        "A second client: TCP_SYNCNT 1 (one SYN retry), TCP_USER_TIMEOUT 200 ms, SO_SNDTIMEO 3 s as a bound; connect. This takes about a second: the first SYN retry comes 1 s after the SYN (the initial RTO).",
        "두 번째 클라이언트: TCP_SYNCNT 1(SYN 재전송 한 번), TCP_USER_TIMEOUT 200ms, 상한으로 SO_SNDTIMEO 3초를 주고 connect합니다. 약 1초 걸립니다: 첫 SYN 재전송은 SYN 1초 뒤(초기 RTO)에 나갑니다.",
    );
    let c = tcp()?;
    raw::setsockopt_int(c.n(), libc::IPPROTO_TCP, libc::TCP_SYNCNT, 1)?;
    raw::setsockopt_int(c.n(), libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT, 200)?;
    raw::setsockopt_timeout(c.n(), libc::SO_SNDTIMEO, Duration::from_secs(3))?;
    want(raw::connect(c.n(), &addr), Errno::ETIMEDOUT)?;
    s.saw(
        "ETIMEDOUT: no answer to the SYNs. With Linux's defaults (6 retries) a connect waits about 2 minutes for this.",
        "ETIMEDOUT: SYN에 아무 답이 없었습니다. 리눅스 기본값(재전송 6번)이면 connect가 이것을 약 2분 동안 기다립니다.",
    );
    c.close()?;
    first.close()?;
    l.close()
}

fn enetunreach(s: &Show) -> Step {
    s.step(
        "connect a TCP socket to 255.255.255.255, the broadcast address.",
        "TCP 소켓으로 브로드캐스트 주소 255.255.255.255에 connect합니다.",
    );
    let c = tcp()?;
    let bcast = SockAddr::from_host_port("255.255.255.255", 9).map_err(|e| Failed(e.0))?;
    want(raw::connect(c.n(), &bcast), Errno::ENETUNREACH)?;
    s.saw(
        "ENETUNREACH, and no packet sent: TCP cannot go to a broadcast address. A missing route gives the same errno (on a machine whose routing table has no way to the network); this demo uses broadcast because it fails the same way on every machine and sends nothing.",
        "ENETUNREACH이고, 패킷은 나가지 않았습니다: TCP는 브로드캐스트 주소로 갈 수 없습니다. 경로가 없을 때도 같은 errno가 나옵니다 (라우팅 테이블에 그 네트워크로 가는 길이 없는 컴퓨터에서). 이 데모는 어느 컴퓨터에서나 같은 방식으로 실패하고 아무것도 보내지 않는 브로드캐스트를 씁니다.",
    );
    c.close()
}

fn eaddrnotavail(s: &Show) -> Step {
    s.step(
        "bind to 192.0.2.1, an address reserved for documentation that this machine does not have.",
        "문서용으로 예약되어 이 컴퓨터에는 없는 주소 192.0.2.1에 bind합니다.",
    );
    let b = tcp()?;
    let addr = SockAddr::from_host_port("192.0.2.1", 0).map_err(|e| Failed(e.0))?;
    want(raw::bind(b.n(), &addr), Errno::EADDRNOTAVAIL)?;
    s.saw(
        "EADDRNOTAVAIL: a socket can only be bound to one of this machine's addresses.",
        "EADDRNOTAVAIL: 소켓에는 이 컴퓨터가 가진 주소만 할당할 수 있습니다.",
    );
    b.close()?;
    s.step(
        "Forgetting htonl: INADDR_LOOPBACK (0x7f000001) stored as this x86 machine stores a number, lowest byte first, is 1.0.0.127. bind to it.",
        "htonl을 잊은 경우: INADDR_LOOPBACK(0x7f000001)을 이 x86 컴퓨터가 숫자를 저장하는 방식(낮은 바이트 먼저, 리틀 엔디안)대로 넣으면 1.0.0.127이 됩니다. 그 주소에 bind합니다.",
    );
    let b = tcp()?;
    let swapped = Ipv4Addr::from(libc::INADDR_LOOPBACK.to_le_bytes());
    want(
        raw::bind(b.n(), &SockAddr::V4(SocketAddrV4::new(swapped, 0))),
        Errno::EADDRNOTAVAIL,
    )?;
    s.saw(
        "EADDRNOTAVAIL: 1.0.0.127 is not an address of this machine. strace's inet_addr(\"1.0.0.127\") shows the bytes the wrong way round.",
        "EADDRNOTAVAIL: 1.0.0.127은 이 컴퓨터의 주소가 아닙니다. strace의 inet_addr(\"1.0.0.127\")에 바이트 순서가 뒤집힌 것이 보입니다.",
    );
    b.close()
}

fn eafnosupport(s: &Show) -> Step {
    s.step(
        "socket with family AF_UNSPEC (0), which no protocol implements.",
        "어떤 프로토콜도 구현하지 않는 주소 체계 AF_UNSPEC(0)으로 socket을 부릅니다.",
    );
    want(raw::socket(libc::AF_UNSPEC, STREAM), Errno::EAFNOSUPPORT)?;
    s.saw(
        "EAFNOSUPPORT: the kernel has no such address family.",
        "EAFNOSUPPORT: 커널에 그런 주소 체계가 없습니다.",
    );
    Ok(())
}

fn eopnotsupp(s: &Show) -> Step {
    s.step("listen on a UDP socket.", "UDP 소켓으로 listen합니다.");
    let u = udp()?;
    raw::bind(u.n(), &any_port())?;
    want(raw::listen(u.n(), 8), Errno::EOPNOTSUPP)?;
    s.saw(
        "EOPNOTSUPP: UDP has no connections to wait for.",
        "EOPNOTSUPP: UDP에는 기다릴 연결이 없습니다.",
    );
    u.close()
}

fn emsgsize(s: &Show) -> Step {
    s.step(
        "A UDP receiver; a sender sends 65508 bytes, then 65507.",
        "UDP 수신 소켓을 만들고, 송신 소켓이 65508바이트, 이어서 65507바이트를 보냅니다.",
    );
    let r = udp()?;
    raw::bind(r.n(), &any_port())?;
    let addr = raw::getsockname(r.n())?;
    let u = udp()?;
    let big = vec![0u8; 65508];
    want(
        raw::sendto(u.n(), &big, MsgFlags::NONE, &addr),
        Errno::EMSGSIZE,
    )?;
    want_n(
        raw::sendto(u.n(), &big[..65507], MsgFlags::NONE, &addr),
        65507,
    )?;
    s.saw(
        "EMSGSIZE for 65508: over IPv4 a UDP datagram carries at most 65507 bytes (65535 minus the IP and UDP headers).",
        "65508바이트는 EMSGSIZE입니다: IPv4에서 UDP 데이터그램 하나에는 최대 65507바이트(65535에서 IP와 UDP 헤더를 뺀 값)가 들어갑니다.",
    );
    u.close()?;
    r.close()
}

fn enoprotoopt(s: &Show) -> Step {
    s.step(
        "setsockopt TCP_NODELAY, a TCP option, on a UDP socket.",
        "UDP 소켓에 TCP 옵션인 TCP_NODELAY를 setsockopt합니다.",
    );
    let u = udp()?;
    want(
        raw::setsockopt_int(u.n(), libc::IPPROTO_TCP, libc::TCP_NODELAY, 1),
        Errno::ENOPROTOOPT,
    )?;
    s.saw(
        "ENOPROTOOPT: no such option at that level for this socket.",
        "ENOPROTOOPT: 이 소켓에는 그 레벨에 그런 옵션이 없습니다.",
    );
    u.close()
}

fn enotsock(s: &Show) -> Step {
    s.step(
        "Open /dev/null (a file: open is not a socket call, so it is not traced), then getsockname on its fd.",
        "/dev/null을 엽니다 (파일입니다. open은 소켓 시스템 콜이 아니라 추적하지 않습니다). 그 fd로 getsockname을 부릅니다.",
    );
    let file = std::fs::File::open("/dev/null").map_err(|e| Failed(e.to_string()))?;
    want(raw::getsockname(file.as_raw_fd()), Errno::ENOTSOCK)?;
    s.saw(
        "ENOTSOCK: the fd is open, but it is not a socket.",
        "ENOTSOCK: 열려 있는 fd지만 소켓이 아닙니다.",
    );
    Ok(())
}

fn epoll_errors(s: &Show) -> Step {
    s.step(
        "An epoll instance; add a socket, add it again, and delete an fd that was never added.",
        "epoll 인스턴스를 만들고, 소켓을 더하고, 한 번 더 더하고, 더한 적 없는 fd를 뺍니다.",
    );
    let ep = Fd(raw::epoll_create1()?);
    let a = tcp()?;
    let b = tcp()?;
    raw::epoll_ctl(ep.n(), libc::EPOLL_CTL_ADD, a.n())?;
    want(
        raw::epoll_ctl(ep.n(), libc::EPOLL_CTL_ADD, a.n()),
        Errno::EEXIST,
    )?;
    want(
        raw::epoll_ctl(ep.n(), libc::EPOLL_CTL_DEL, b.n()),
        Errno::ENOENT,
    )?;
    s.saw(
        "EEXIST for the second ADD (use EPOLL_CTL_MOD), ENOENT for deleting what is not in the set.",
        "두 번째 ADD는 EEXIST(EPOLL_CTL_MOD를 쓰세요), 목록에 없는 것을 빼면 ENOENT입니다.",
    );
    b.close()?;
    a.close()?;
    ep.close()
}

/// Edge-triggered (EPOLLET): a socket is reported when it becomes
/// readable, not while it stays readable (lesson 19).
fn epollet(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "An epoll instance watching the server's data socket for EPOLLIN|EPOLLET: edge-triggered.",
        "epoll 인스턴스가 서버의 연결된 소켓을 EPOLLIN|EPOLLET으로 관찰합니다: 엣지 트리거입니다.",
    );
    let ep = socklab::Epoll::new()?;
    ep.add(
        &d,
        socklab::EpollFlags::IN | socklab::EpollFlags::ET,
        d.n() as u64,
    )?;
    let mut events = [socklab::EpollEvent::EMPTY; 4];
    let mut buf = [0u8; 64];
    let reported = |n: usize, want: usize| -> Step {
        if n == want {
            Ok(())
        } else {
            Err(Failed(format!(
                "epoll_wait reported {n} sockets, expected {want}"
            )))
        }
    };
    s.step(
        "The client sends 8 bytes; epoll_wait reports the data socket, and the server reads only 2 of them.",
        "클라이언트가 8바이트를 보냅니다. epoll_wait가 연결된 소켓을 보고하고, 서버는 그중 2바이트만 읽습니다.",
    );
    want_n(raw::send(c.n(), b"8 bytes!", MsgFlags::NONE), 8)?;
    reported(ep.wait(&mut events, 1000)?, 1)?;
    want_n(raw::recv(d.n(), &mut buf[..2], MsgFlags::NONE), 2)?;
    s.step(
        "epoll_wait again, at most 50 ms.",
        "다시 epoll_wait를 최대 50ms 기다립니다.",
    );
    reported(ep.wait(&mut events, 50)?, 0)?;
    s.saw(
        "0, though 6 bytes wait: the socket became readable once, and nothing new has arrived since. A server that waits here for the rest stalls.",
        "6바이트가 남아 있는데도 0입니다: 소켓이 읽을 수 있는 상태가 된 것은 한 번뿐이고, 그 뒤로 새로 도착한 것이 없습니다. 여기서 나머지를 기다리는 서버는 멈춥니다.",
    );
    s.step(
        "Read until EAGAIN (here with MSG_DONTWAIT; a server makes the socket nonblocking with fcntl, as lesson 19 does).",
        "EAGAIN이 나올 때까지 읽습니다(여기서는 MSG_DONTWAIT로. 서버는 실습 19처럼 fcntl로 소켓을 넌블로킹으로 만듭니다).",
    );
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 6)?;
    want(
        raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::EAGAIN,
    )?;
    s.step(
        "The client sends 4 more bytes: a new edge, and epoll_wait reports the socket again.",
        "클라이언트가 4바이트를 더 보냅니다: 새 엣지이므로 epoll_wait가 소켓을 다시 보고합니다.",
    );
    want_n(raw::send(c.n(), b"more", MsgFlags::NONE), 4)?;
    reported(ep.wait(&mut events, 1000)?, 1)?;
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 4)?;
    s.saw(
        "With EPOLLET, read until EAGAIN each time the socket is reported; new bytes report it again.",
        "EPOLLET에서는 소켓이 보고될 때마다 EAGAIN이 나올 때까지 읽으세요. 새 바이트가 오면 다시 보고됩니다.",
    );
    ep.close()?;
    d.close()?;
    c.close()?;
    l.close()
}

/// Binding a port below net.ipv4.ip_unprivileged_port_start needs
/// CAP_NET_BIND_SERVICE. A root process drops it from its effective set
/// for the bind, so the demo shows EACCES for root too.
fn eacces(s: &Show) -> Step {
    let start: u32 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(1024);
    if start <= 1 {
        s.step(
            "This machine lets every process bind every port (net.ipv4.ip_unprivileged_port_start is 0 or 1): EACCES from bind cannot happen here.",
            "이 컴퓨터는 모든 프로세스가 모든 포트에 bind할 수 있게 설정되어 있어(net.ipv4.ip_unprivileged_port_start가 0 또는 1) 여기서는 bind의 EACCES가 일어날 수 없습니다.",
        );
        return Ok(());
    }
    let _dropped = NoBindCapability::drop_it();
    s.step(
        &format!("Without CAP_NET_BIND_SERVICE (dropped for now if this process had it), bind 127.0.0.1 port 1, below net.ipv4.ip_unprivileged_port_start ({start})."),
        &format!("CAP_NET_BIND_SERVICE 없이(이 프로세스에 있었다면 잠시 뺍니다) 127.0.0.1의 포트 1에 bind합니다. net.ipv4.ip_unprivileged_port_start({start})보다 낮은 포트입니다."),
    );
    let b = tcp()?;
    want(raw::bind(b.n(), &SockAddr::loopback(1)), Errno::EACCES)?;
    s.saw(
        "EACCES: a port below that limit needs CAP_NET_BIND_SERVICE (root has it). Use a port at or above it.",
        "EACCES: 그 한도보다 낮은 포트에는 CAP_NET_BIND_SERVICE가 필요합니다 (root에게는 있습니다). 그 이상의 포트를 쓰세요.",
    );
    b.close()
}

/// CAP_NET_BIND_SERVICE out of the effective capability set while it
/// lives (it stays permitted, so it comes back on drop).
struct NoBindCapability(Option<[CapData; 2]>);

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAP_V3: u32 = 0x2008_0522;
const CAP_NET_BIND_SERVICE: u32 = 10;

impl NoBindCapability {
    fn drop_it() -> NoBindCapability {
        let mut head = CapHeader {
            version: CAP_V3,
            pid: 0,
        };
        let mut data = [CapData::default(); 2];
        // SAFETY: capget writes two CapData for version 3.
        let got = unsafe { libc::syscall(libc::SYS_capget, &mut head, data.as_mut_ptr()) };
        let bit = 1u32 << CAP_NET_BIND_SERVICE;
        if got != 0 || data[0].effective & bit == 0 {
            return NoBindCapability(None);
        }
        let mut lower = data;
        lower[0].effective &= !bit;
        // SAFETY: capset reads two CapData for version 3.
        let set = unsafe { libc::syscall(libc::SYS_capset, &mut head, lower.as_ptr()) };
        NoBindCapability((set == 0).then_some(data))
    }
}

impl Drop for NoBindCapability {
    fn drop(&mut self) {
        if let Some(data) = self.0 {
            let mut head = CapHeader {
                version: CAP_V3,
                pid: 0,
            };
            // SAFETY: puts back the sets read in `drop_it`.
            unsafe {
                libc::syscall(libc::SYS_capset, &mut head, data.as_ptr());
            }
        }
    }
}

// ----------------------------------------------------------------- calls

fn call_socket(s: &Show) -> Step {
    s.step(
        "socket: a TCP socket. The kernel gives the lowest fd number not in use.",
        "socket: TCP 소켓을 만듭니다. 커널은 비어 있는 가장 작은 fd 번호를 줍니다.",
    );
    let a = tcp()?;
    let link = std::fs::read_link(format!("/proc/self/fd/{}", a.n()))
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    s.text(&format!("   /proc/self/fd/{} -> {link}", a.n()));
    s.step(
        "bind it to 127.0.0.1, port 0, and look for it in /proc/net/tcp.",
        "127.0.0.1, 포트 0으로 주소를 할당하고 /proc/net/tcp에서 찾아봅니다.",
    );
    raw::bind(a.n(), &any_port())?;
    if kernel::view_of_fd(a.n())?.is_some() {
        return Err(Failed(
            "a socket that is only bound is in /proc/net/tcp".into(),
        ));
    }
    s.saw(
        "Not there: /proc/net/tcp lists listening sockets and connections, and a socket that is only bound is neither.",
        "없습니다: /proc/net/tcp에는 리스닝 소켓과 연결만 나오고, 주소만 할당된 소켓은 둘 다 아닙니다.",
    );
    s.step("listen, and look again.", "listen하고 다시 찾아봅니다.");
    raw::listen(a.n(), 8)?;
    match kernel::view_of_fd(a.n())? {
        Some(v) if v.state == Some(TcpState::Listen) => {
            s.text(&format!("   /proc/net/tcp: {}", v.summary()))
        }
        _ => {
            return Err(Failed(
                "the listening socket is not in /proc/net/tcp".into(),
            ))
        }
    }
    a.close()?;
    emfile(s)
}

fn call_bind(s: &Show) -> Step {
    s.step(
        "bind to 127.0.0.1, port 0; getsockname shows the port the kernel picked.",
        "127.0.0.1, 포트 0으로 주소를 할당합니다. 커널이 고른 포트는 getsockname으로 봅니다.",
    );
    let a = tcp()?;
    raw::bind(a.n(), &any_port())?;
    let addr = raw::getsockname(a.n())?;
    s.step(
        "Another socket binds that same address.",
        "다른 소켓이 같은 주소를 bind합니다.",
    );
    let b = tcp()?;
    want(raw::bind(b.n(), &addr), Errno::EADDRINUSE)?;
    s.saw(
        "EADDRINUSE: the port is taken, even by a socket that is only bound and not listening.",
        "EADDRINUSE: 포트를 이미 쓰고 있습니다. 주소만 할당하고 listen하지 않은 소켓이라도 그렇습니다.",
    );
    b.close()?;
    a.close()
}

fn call_listen(s: &Show) -> Step {
    let (l, _) = listener(s, 8)?;
    match kernel::view_of_fd(l.n())? {
        Some(v) if v.state == Some(TcpState::Listen) => {
            s.text(&format!("   /proc/net/tcp: {}", v.summary()))
        }
        _ => {
            return Err(Failed(
                "the listening socket is not in /proc/net/tcp".into(),
            ))
        }
    }
    l.close()?;
    eopnotsupp(s)
}

fn call_accept(s: &Show) -> Step {
    let (l, c, d, addr) = pair(s)?;
    s.step(
        "The accepted fd's peer is the client's own address.",
        "accept가 돌려준 fd의 상대 주소는 클라이언트 자신의 주소입니다.",
    );
    let peer = raw::getpeername(d.n())?;
    let client = raw::getsockname(c.n())?;
    if peer != client {
        return Err(Failed(format!("peer {peer} is not the client {client}")));
    }
    s.saw(
        "accept returned a NEW fd for this client; the listening fd is unchanged and serves the next one.",
        "accept는 이 클라이언트를 위한 새 fd를 돌려주었습니다. 리스닝 fd는 그대로이며 다음 클라이언트를 받습니다.",
    );
    let (c2, d2) = connect_and_accept(s, &l, &addr)?;
    d2.close()?;
    c2.close()?;
    d.close()?;
    c.close()?;
    l.close()?;
    einval(s)
}

fn call_connect(s: &Show) -> Step {
    ephemeral_port(s)?;
    tcp_refused(s)
}

/// A connection, and the client's getsockname: the port connect picked.
fn ephemeral_port(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "getsockname on the client: the ephemeral port connect picked.",
        "클라이언트의 getsockname: connect가 고른 임시 포트입니다.",
    );
    raw::getsockname(c.n())?;
    d.close()?;
    c.close()?;
    l.close()
}

fn call_send(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "The client sends \"hello \" and \"world\"; the server receives once.",
        "클라이언트가 \"hello \"와 \"world\"를 보내고, 서버는 한 번 수신합니다.",
    );
    want_n(raw::send(c.n(), b"hello ", MsgFlags::NONE), 6)?;
    want_n(raw::send(c.n(), b"world", MsgFlags::NONE), 5)?;
    let mut buf = [0u8; 64];
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 11)?;
    s.saw(
        "Both sends came in one recv: TCP keeps no message boundaries.",
        "send 두 번이 recv 한 번에 왔습니다: TCP는 데이터의 경계를 지키지 않습니다.",
    );
    d.close()?;
    c.close()?;
    partial_sends(s, &l)?;
    l.close()?;
    epipe(s)
}

/// A non-blocking send copies what fits in the buffers and returns that
/// count; once nothing fits, EAGAIN. `listener` is non-blocking.
fn partial_sends(s: &Show, listener: &Fd) -> Step {
    let addr = raw::getsockname(listener.n())?;
    s.step(
        "A client with a small send buffer (SO_SNDBUF 4096) connects; the server accepts and never reads.",
        "송신 버퍼가 작은(SO_SNDBUF 4096) 클라이언트가 연결을 요청합니다. 서버는 연결 요청을 수락하고 읽지 않습니다.",
    );
    let c = tcp()?;
    raw::setsockopt_int(c.n(), libc::SOL_SOCKET, libc::SO_SNDBUF, 4096)?;
    raw::connect(c.n(), &addr)?;
    let d = Fd(raw::accept(listener.n())?.0);
    s.step(
        "The client sends 1 MiB with MSG_DONTWAIT (a non-blocking send), again and again, until send says EAGAIN (at most 16 times).",
        "클라이언트가 MSG_DONTWAIT(넌블로킹 send)로 1MiB를 보냅니다. send가 EAGAIN을 돌려줄 때까지 되풀이합니다(최대 16번).",
    );
    let mib = vec![0u8; 1 << 20];
    let mut counts = Vec::new();
    let mut full = false;
    for _ in 0..16 {
        match raw::send(c.n(), &mib, MsgFlags::DONTWAIT) {
            Ok(n) => counts.push(n),
            Err(e) if e.errno == Errno::EAGAIN => {
                full = true;
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !full || counts.is_empty() || counts.iter().any(|&n| n == 0 || n >= mib.len()) {
        return Err(Failed(format!(
            "expected sends shorter than {} and then EAGAIN, got {counts:?} (EAGAIN: {full})",
            mib.len()
        )));
    }
    s.saw(
        "Each send returned less than the 1 MiB asked (a partial send): it copied what fitted in the buffers. Then EAGAIN: nothing fitted. A program must send the rest itself, from where send stopped.",
        "send마다 요청한 1MiB보다 적은 수를 돌려주었습니다(일부만 보냄): 버퍼에 들어가는 만큼만 복사했습니다. 그다음은 EAGAIN입니다: 하나도 들어가지 않았습니다. 나머지는 send가 멈춘 곳부터 프로그램이 직접 보내야 합니다.",
    );
    d.close()?;
    c.close()?;
    s.step(
        "The same with a blocking send: a new client like the first, SO_SNDTIMEO of 1 s as a bound, a SIGALRM handler (without SA_RESTART) and a timer for 50 ms; then one send of 1 MiB.",
        "블로킹 send로 같은 일을 합니다: 앞과 같은 새 클라이언트에 상한으로 SO_SNDTIMEO 1초를 주고, SIGALRM 핸들러(SA_RESTART 없이)와 50ms 타이머를 설정한 뒤 1MiB를 한 번 send합니다.",
    );
    let c = tcp()?;
    raw::setsockopt_int(c.n(), libc::SOL_SOCKET, libc::SO_SNDBUF, 4096)?;
    raw::connect(c.n(), &addr)?;
    let d = Fd(raw::accept(listener.n())?.0);
    let alarm = Alarm::install();
    raw::setsockopt_timeout(c.n(), libc::SO_SNDTIMEO, Duration::from_secs(1))?;
    let started = std::time::Instant::now();
    alarm.after(50);
    let n = raw::send(c.n(), &mib, MsgFlags::NONE)?;
    let waited = started.elapsed();
    if n == 0 || n >= mib.len() {
        return Err(Failed(format!(
            "expected a partial send, send returned {n}"
        )));
    }
    if waited < Duration::from_millis(40) || waited >= Duration::from_millis(900) {
        return Err(Failed(format!(
            "the send returned after {} ms, not when the 50 ms signal came",
            waited.as_millis()
        )));
    }
    s.saw(
        &format!("A count, not EINTR, after {} ms: the send copied what fitted, waited for room, and the signal ended the wait. A blocking send can return less than asked too.", waited.as_millis()),
        &format!("EINTR이 아니라 보낸 수이고, {}ms 뒤에 돌아왔습니다: send는 들어가는 만큼 복사하고 자리가 나기를 기다리다가 시그널에 기다림이 끝났습니다. 블로킹 send도 요청보다 적게 돌려줄 수 있습니다.", waited.as_millis()),
    );
    drop(alarm);
    d.close()?;
    c.close()
}

fn call_recv(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "The client sends \"hi\" and closes; the server receives twice.",
        "클라이언트가 \"hi\"를 보내고 닫습니다. 서버는 두 번 수신합니다.",
    );
    want_n(raw::send(c.n(), b"hi", MsgFlags::NONE), 2)?;
    c.close()?;
    let mut buf = [0u8; 64];
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 2)?;
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    s.saw(
        "2 bytes, then 0: the peer closed, and no more bytes will come.",
        "2바이트, 그다음 0입니다: 상대가 닫았고 더 올 바이트는 없습니다.",
    );
    s.step(
        "The server receives twice more.",
        "서버가 두 번 더 수신합니다.",
    );
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    s.saw(
        "0 and 0, not EAGAIN (there is nothing to wait for): after end-of-file every recv returns 0 at once. A loop that does not stop at the first 0 keeps getting 0.",
        "0, 그리고 또 0입니다. EAGAIN이 아닙니다(기다릴 것이 없습니다): EOF 뒤에는 모든 recv가 바로 0을 돌려줍니다. 첫 0에서 멈추지 않는 루프는 0만 계속 받습니다.",
    );
    d.close()?;
    l.close()?;
    enotconn(s)
}

fn call_sendto(s: &Show) -> Step {
    s.step(
        "A UDP receiver and a sender: sendto names the destination.",
        "UDP 수신 소켓과 송신 소켓: sendto가 목적지를 지정합니다.",
    );
    let r = udp()?;
    raw::bind(r.n(), &any_port())?;
    let addr = raw::getsockname(r.n())?;
    let u = udp()?;
    want_n(raw::sendto(u.n(), b"ping", MsgFlags::NONE, &addr), 4)?;
    let mut buf = [0u8; 64];
    let (n, _) = raw::recvfrom(r.n(), &mut buf, MsgFlags::DONTWAIT)?;
    want_n(Ok(n), 4)?;
    u.close()?;
    r.close()?;
    udp_refused(s)
}

fn call_recvfrom(s: &Show) -> Step {
    s.step(
        "A UDP receiver gets two 10-byte datagrams into a 4-byte buffer: once plain, once with MSG_TRUNC.",
        "UDP 수신 소켓이 10바이트 데이터그램 두 개를 4바이트 버퍼로 받습니다. 한 번은 그냥, 한 번은 MSG_TRUNC로 받습니다.",
    );
    let r = udp()?;
    raw::bind(r.n(), &any_port())?;
    let addr = raw::getsockname(r.n())?;
    let u = udp()?;
    want_n(raw::sendto(u.n(), b"0123456789", MsgFlags::NONE, &addr), 10)?;
    want_n(raw::sendto(u.n(), b"0123456789", MsgFlags::NONE, &addr), 10)?;
    let mut buf = [0u8; 4];
    let (n, _) = raw::recvfrom(r.n(), &mut buf, MsgFlags::DONTWAIT)?;
    want_n(Ok(n), 4)?;
    let (n, _) = raw::recvfrom(r.n(), &mut buf, MsgFlags::DONTWAIT | MsgFlags::TRUNC)?;
    want_n(Ok(n), 10)?;
    s.saw(
        "4: recvfrom returns the bytes copied, and the other 6 are lost. With MSG_TRUNC it returns the datagram's real length, 10.",
        "4: recvfrom은 복사한 바이트 수를 돌려주고 나머지 6바이트는 사라집니다. MSG_TRUNC를 주면 데이터그램의 실제 길이 10을 돌려줍니다.",
    );
    s.step(
        "Once more, with nothing left (MSG_DONTWAIT).",
        "남은 것이 없을 때 한 번 더 받습니다 (MSG_DONTWAIT).",
    );
    want(
        raw::recvfrom(r.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::EAGAIN,
    )?;
    u.close()?;
    r.close()?;
    s.step(
        "A connected UDP socket sends to a port where nothing receives (the receiver is closed), then calls recvfrom (MSG_DONTWAIT).",
        "connect한 UDP 소켓이 받는 소켓이 없는 포트(수신 소켓은 닫았습니다)로 보내고, 이어서 recvfrom을 부릅니다 (MSG_DONTWAIT).",
    );
    let c = udp()?;
    raw::connect(c.n(), &addr)?;
    want_n(raw::send(c.n(), b"ping", MsgFlags::NONE), 4)?;
    want(
        raw::recvfrom(c.n(), &mut buf, MsgFlags::DONTWAIT),
        Errno::ECONNREFUSED,
    )?;
    s.saw(
        "The send succeeds; the later recvfrom fails with ECONNREFUSED: nobody received the datagram, and the kernel tells a connected socket on its next call.",
        "send는 성공하고, 그다음 recvfrom이 ECONNREFUSED로 실패합니다: 데이터그램을 받은 소켓이 없었고, 커널은 connect한 소켓에 다음 호출에서 그것을 알려 줍니다.",
    );
    c.close()
}

fn call_shutdown(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "The client shuts down its sending side; the server reads end-of-file, yet can still answer.",
        "클라이언트가 송신 쪽을 shutdown합니다. 서버는 EOF를 읽지만 여전히 답할 수 있습니다.",
    );
    raw::shutdown(c.n(), Shutdown::Write)?;
    let mut buf = [0u8; 64];
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    want_n(raw::send(d.n(), b"answer", MsgFlags::NONE), 6)?;
    want_n(raw::recv(c.n(), &mut buf, MsgFlags::DONTWAIT), 6)?;
    s.saw(
        "A half-close: recv 0 on the server, and the answer still reaches the client.",
        "Half-close입니다: 서버의 recv는 0이고, 답은 여전히 클라이언트에 닿습니다.",
    );
    d.close()?;
    c.close()?;
    l.close()?;
    s.step(
        "shutdown on a socket that never connected.",
        "연결한 적 없는 소켓으로 shutdown합니다.",
    );
    let fresh = tcp()?;
    want(raw::shutdown(fresh.n(), Shutdown::Write), Errno::ENOTCONN)?;
    fresh.close()
}

fn call_close(s: &Show) -> Step {
    let (l, c, d, addr) = pair(s)?;
    let client_addr = raw::getsockname(c.n())?;
    s.step(
        "The server closes first (a FIN); the client reads 0 and does not close yet.",
        "서버가 먼저 닫습니다(FIN). 클라이언트는 0을 읽고, 아직 닫지 않습니다.",
    );
    d.close()?;
    let mut buf = [0u8; 64];
    want_n(raw::recv(c.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    s.kernel_state(&client_addr, &addr, TcpState::CloseWait)?;
    s.saw(
        "The client's end is in CLOSE_WAIT: the server's direction is closed, the client's is still open, and the kernel waits for the client to close it.",
        "클라이언트 쪽은 CLOSE_WAIT 상태입니다: 서버 방향은 닫혔고 클라이언트 방향은 아직 열려 있어, 커널은 클라이언트가 닫기를 기다립니다.",
    );
    s.step(
        "The client reads again: 0 again, and its end is still in CLOSE_WAIT.",
        "클라이언트가 다시 읽습니다: 또 0이고, 클라이언트 쪽은 여전히 CLOSE_WAIT입니다.",
    );
    want_n(raw::recv(c.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    s.kernel_state(&client_addr, &addr, TcpState::CloseWait)?;
    s.step("The client closes.", "클라이언트가 닫습니다.");
    c.close()?;
    s.kernel_gone(&client_addr, &addr)?;
    s.saw(
        "CLOSE_WAIT lasted until the client closed, and no longer: reading end-of-file does not end it, close does.",
        "CLOSE_WAIT는 클라이언트가 닫을 때까지 이어졌고, 닫자 끝났습니다: EOF를 읽는 것으로는 끝나지 않고 close가 끝냅니다.",
    );
    s.kernel_state(&addr, &client_addr, TcpState::TimeWait)?;
    s.saw(
        "The side that closed first is in TIME_WAIT (60 s on Linux): it can resend the last ACK if the peer's FIN comes again, and old segments of this connection die out before the same addresses are used again.",
        "먼저 닫은 쪽이 Time-wait 상태입니다 (리눅스에서 60초). 상대의 FIN이 다시 오면 마지막 ACK를 다시 보낼 수 있고, 같은 주소가 다시 쓰이기 전에 이 연결의 오래된 세그먼트가 사라집니다.",
    );
    killed_peer_closes_with_fin(s, &l, &addr)?;
    s.step(
        "close a socket, then make a new one.",
        "소켓을 닫고 새 소켓을 만듭니다.",
    );
    let a = tcp()?;
    let number = a.n();
    a.close()?;
    let b = tcp()?;
    if b.n() != number {
        return Err(Failed(format!("the new socket is {}, not {number}", b.n())));
    }
    s.saw(
        "The same number: a closed fd is free at once.",
        "같은 번호입니다: 닫은 fd 번호는 바로 비게 됩니다.",
    );
    b.close()?;
    l.close()?;
    ebadf(s)
}

/// A process killed with SIGKILL has its sockets closed by the kernel
/// the normal way: a FIN, so the peer reads 0.
fn killed_peer_closes_with_fin(s: &Show, l: &Fd, addr: &SockAddr) -> Step {
    let (c, d) = connect_and_accept(s, l, addr)?;
    s.step(
        "A child process (sleep) inherits the client's fd; we close our copy and kill the child with SIGKILL.",
        "자식 프로세스(sleep)가 클라이언트 fd를 물려받습니다. 이쪽 사본을 닫고 자식을 SIGKILL로 죽입니다.",
    );
    let mut child = std::process::Command::new("sleep")
        .arg("10")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| Failed(format!("cannot start sleep: {e}")))?;
    c.close()?;
    let _ = child.kill();
    let _ = child.wait();
    let mut buf = [0u8; 64];
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::DONTWAIT), 0)?;
    s.saw(
        "recv 0, not ECONNRESET: a killed process's sockets are closed normally, with a FIN (unless it left unread data).",
        "ECONNRESET이 아니라 recv 0입니다: 죽은 프로세스의 소켓도 FIN으로 정상 종료됩니다 (읽지 않은 데이터를 남겼다면 예외입니다).",
    );
    d.close()
}

fn call_setsockopt(s: &Show) -> Step {
    s.step(
        "A server with SO_REUSEADDR accepts a client; then the server 'restarts': its listening socket closes, the accepted connection stays ESTABLISHED.",
        "SO_REUSEADDR를 켠 서버가 클라이언트의 연결 요청을 수락합니다. 그리고 서버가 '재시작'합니다: 리스닝 소켓은 닫히고, 수락한 연결은 ESTABLISHED로 남습니다.",
    );
    let l = tcp()?;
    raw::setsockopt_int(l.n(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    raw::bind(l.n(), &any_port())?;
    raw::listen(l.n(), 8)?;
    let addr = raw::getsockname(l.n())?;
    let c = tcp()?;
    raw::connect(c.n(), &addr)?;
    let (d, _) = raw::accept(l.n())?;
    let d = Fd(d);
    l.close()?;
    s.step(
        "The new server binds the port without SO_REUSEADDR, then with it, and listens.",
        "새 서버가 SO_REUSEADDR 없이 그 포트에 bind하고, 이어서 옵션을 켜고 bind한 뒤 listen합니다.",
    );
    let plain = tcp()?;
    want(raw::bind(plain.n(), &addr), Errno::EADDRINUSE)?;
    plain.close()?;
    let n = tcp()?;
    raw::setsockopt_int(n.n(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    raw::bind(n.n(), &addr)?;
    raw::listen(n.n(), 8)?;
    s.saw(
        "Without SO_REUSEADDR: EADDRINUSE. With it (set on the old server too) the restarted server binds and listens while its old connection is still ESTABLISHED, not only while one is in TIME_WAIT.",
        "SO_REUSEADDR 없이는 EADDRINUSE입니다. 옵션을 켜면(이전 서버에도 켜져 있었으므로) 이전 연결이 TIME_WAIT일 때뿐 아니라 아직 ESTABLISHED일 때도 재시작한 서버가 bind하고 listen할 수 있습니다.",
    );
    n.close()?;
    d.close()?;
    c.close()?;
    reuse_both_bind_one_listens(s)?;
    s.step(
        "Two sockets with SO_REUSEPORT bind the same port and both listen.",
        "SO_REUSEPORT를 켠 두 소켓이 같은 포트에 bind하고 둘 다 listen합니다.",
    );
    let a = tcp()?;
    raw::setsockopt_int(a.n(), libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
    raw::bind(a.n(), &any_port())?;
    let addr = raw::getsockname(a.n())?;
    let b = tcp()?;
    raw::setsockopt_int(b.n(), libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
    raw::bind(b.n(), &addr)?;
    raw::listen(a.n(), 8)?;
    raw::listen(b.n(), 8)?;
    s.saw(
        "Both listen: sharing one port between listeners is SO_REUSEPORT's job.",
        "둘 다 listen합니다: 리스닝 소켓 여럿이 포트 하나를 나눠 쓰게 하는 것은 SO_REUSEPORT입니다.",
    );
    b.close()?;
    a.close()?;
    enoprotoopt(s)
}

fn call_getsockname(s: &Show) -> Step {
    ephemeral_port(s)?;
    enotsock(s)
}

fn call_getpeername(s: &Show) -> Step {
    let (l, c, d, _) = pair(s)?;
    s.step(
        "getpeername on the server's data socket, then on the listening socket.",
        "서버의 데이터 송수신용 소켓, 이어서 리스닝 소켓으로 getpeername을 부릅니다.",
    );
    raw::getpeername(d.n())?;
    want(raw::getpeername(l.n()), Errno::ENOTCONN)?;
    s.saw(
        "The client's address, then ENOTCONN: a listening socket has no peer.",
        "클라이언트 주소, 그리고 ENOTCONN입니다: 리스닝 소켓에는 상대가 없습니다.",
    );
    d.close()?;
    c.close()?;
    l.close()
}

/// SO_RCVBUF read back: doubled, and never below the kernel's minimum;
/// then getsockopt on an fd that is closed.
fn call_getsockopt(s: &Show) -> Step {
    s.step(
        "A UDP socket asks for a 4096-byte receive buffer (SO_RCVBUF) and reads it back, then asks for 1024.",
        "UDP 소켓이 4096바이트 수신 버퍼(SO_RCVBUF)를 요청하고 다시 읽습니다. 이어서 1024를 요청합니다.",
    );
    let u = socklab::DatagramSocket::new(socklab::Family::Inet)?;
    u.setsockopt(socklab::SockOpt::RcvBuf(4096))?;
    let doubled = u.getsockopt(socklab::SoRcvBuf)?;
    u.setsockopt(socklab::SockOpt::RcvBuf(1024))?;
    let least = u.getsockopt(socklab::SoRcvBuf)?;
    if doubled != 8192 || least <= 2048 {
        return Err(Failed(format!(
            "SO_RCVBUF read back {doubled} for 4096 and {least} for 1024"
        )));
    }
    s.saw(
        &format!("8192 for 4096: doubled. {least} for 1024: more than double, the kernel's minimum on this machine."),
        &format!("4096에 8192: 두 배입니다. 1024에 {least}: 두 배보다 큰, 이 컴퓨터에서 커널이 허용하는 최솟값입니다."),
    );
    let fd = u.fd();
    u.close()?;
    s.step(
        "getsockopt on that fd, now closed.",
        "이제 닫힌 그 fd로 getsockopt를 부릅니다.",
    );
    want(raw::getsockopt_error(fd), Errno::EBADF)?;
    s.saw(
        "EBADF: the fd is not open.",
        "EBADF: 열려 있지 않은 fd입니다.",
    );
    Ok(())
}

fn call_socketpair(s: &Show) -> Step {
    s.step(
        "socketpair: two Unix sockets connected to each other. Ask each end's address, and send from one to the other.",
        "socketpair: 서로 연결된 유닉스 도메인 소켓 두 개를 만듭니다. 양쪽 주소를 묻고, 한쪽에서 다른 쪽으로 송신합니다.",
    );
    let (a, b) = socklab::Connection::socketpair()?;
    a.getsockname()?;
    a.getpeername()?;
    want_n(a.send(b"hi", MsgFlags::NONE), 2)?;
    let mut buf = [0u8; 16];
    want_n(b.recv(&mut buf, MsgFlags::NONE), 2)?;
    s.saw(
        "No bind, no listen, no connect: the addresses are only the family, {sa_family=AF_UNIX}, and the bytes arrive.",
        "bind도, listen도, connect도 없습니다: 주소에는 주소 체계 {sa_family=AF_UNIX}만 있고, 데이터는 도착합니다.",
    );
    b.close()?;
    a.close()?;
    s.step(
        "socketpair with AF_INET.",
        "AF_INET으로 socketpair를 부릅니다.",
    );
    want(raw::socketpair(INET, STREAM), Errno::EOPNOTSUPP)?;
    s.saw(
        "EOPNOTSUPP: AF_INET has no pairs; for TCP, listen and connect.",
        "EOPNOTSUPP: AF_INET에는 소켓 쌍이 없습니다. TCP라면 listen과 connect를 쓰세요.",
    );
    Ok(())
}

/// The socket behind an fd of this process: its inode (`socket:[N]`).
fn inode(s: &Show, fd: RawFd) -> Result<u64, Failed> {
    let inode = kernel::socket_inode(fd).ok_or_else(|| Failed(format!("fd {fd} is no socket")))?;
    s.text(&format!("   /proc/self/fd/{fd} -> socket:[{inode}]"));
    Ok(inode)
}

/// An fd number that is not open, to put in a message.
struct NotOpen(RawFd);

impl AsSocket for NotOpen {
    fn socket_fd(&self) -> (RawFd, Role) {
        (self.0, Role::Socket)
    }
}

fn call_sendmsg(s: &Show) -> Step {
    s.step(
        "A socketpair to carry the message, and a TCP socket to pass in it.",
        "메시지를 나를 소켓 쌍과, 그 안에 담아 전달할 TCP 소켓을 만듭니다.",
    );
    let (a, b) = socklab::Connection::socketpair()?;
    let x = tcp()?;
    let before = inode(s, x.n())?;
    s.step(
        "sendmsg on one end with the TCP socket's fd in an SCM_RIGHTS control message; recvmsg on the other end.",
        "한쪽 끝에서 TCP 소켓의 fd를 SCM_RIGHTS 제어 메시지에 담아 sendmsg하고, 다른 쪽 끝에서 recvmsg합니다.",
    );
    want_n(a.sendmsg(b"x", &x, MsgFlags::NONE), 1)?;
    let mut buf = [0u8; 16];
    let (n, mut got) = b.recvmsg::<socklab::Socket>(&mut buf, MsgFlags::NONE)?;
    let Some(y) = got.pop().filter(|_| n == 1) else {
        return Err(Failed("recvmsg brought no socket".into()));
    };
    let after = inode(s, y.fd())?;
    if y.fd() == x.n() || after != before {
        return Err(Failed(format!(
            "fd {} (socket:[{before}]) arrived as fd {} (socket:[{after}])",
            x.n(),
            y.fd()
        )));
    }
    s.saw(
        "The socket arrived under a new number, the lowest free one, with the same inode: one socket, two fds.",
        "소켓이 새 번호, 곧 비어 있는 가장 작은 번호로 도착했고 inode는 같습니다: 소켓 하나에 fd 둘입니다.",
    );
    s.step(
        "Close the fd that was sent, then ask the new one for its address.",
        "보낸 쪽 fd를 닫고, 새 fd로 주소를 묻습니다.",
    );
    x.close()?;
    y.getsockname()?;
    s.saw(
        "The socket is still open: it closes only when its last fd does.",
        "소켓은 아직 열려 있습니다: 마지막 fd가 닫혀야 소켓이 닫힙니다.",
    );
    s.step(
        "recvmsg again with MSG_DONTWAIT, with nothing sent.",
        "보낸 것이 없는데 MSG_DONTWAIT로 다시 recvmsg합니다.",
    );
    want(
        b.recvmsg::<socklab::Socket>(&mut buf, MsgFlags::DONTWAIT),
        Errno::EAGAIN,
    )?;
    s.step(
        "sendmsg with a number that is not open in SCM_RIGHTS.",
        "열려 있지 않은 번호를 SCM_RIGHTS에 담아 sendmsg합니다.",
    );
    let closed = y.fd();
    y.close()?;
    want(
        a.sendmsg(b"x", &NotOpen(closed), MsgFlags::NONE),
        Errno::EBADF,
    )?;
    s.saw(
        "EAGAIN: no message waits. EBADF: only an open fd can be passed.",
        "EAGAIN: 기다리는 메시지가 없습니다. EBADF: 열려 있는 fd만 전달할 수 있습니다.",
    );
    b.close()?;
    a.close()?;
    Ok(())
}

fn call_unlink(s: &Show) -> Step {
    let dir = scratch()?;
    let path = dir.join("demo.sock");
    path_in_use(s, &path)?;
    s.step(
        "unlink the same path once more.",
        "같은 경로를 한 번 더 unlink합니다.",
    );
    want(socklab::unlink(&path), Errno::ENOENT)?;
    s.saw(
        "ENOENT: the file is already gone.",
        "ENOENT: 파일은 이미 없습니다.",
    );
    Ok(())
}

/// `[::]:port`: every address of this machine, IPv6 and, with IPV6_V6ONLY
/// off, IPv4 too.
fn any6(port: u16) -> SockAddr {
    SockAddr::V6(std::net::SocketAddrV6::new(
        std::net::Ipv6Addr::UNSPECIFIED,
        port,
        0,
        0,
    ))
}

/// What `explain setsockopt` says of IPV6_V6ONLY: off, an IPv6 socket on
/// `::` accepts an IPv4 client as `::ffff:127.0.0.1`; on, the IPv4
/// client's connect is refused. (The listeners hold `::`, every address,
/// for the few milliseconds the demo takes.)
fn ipv6_v6only(s: &Show) -> Step {
    if !std::path::Path::new("/proc/net/if_inet6").exists() {
        return Err(Failed(
            "this kernel has no IPv6 (/proc/net/if_inet6 is missing): IPV6_V6ONLY cannot be shown here".into(),
        ));
    }
    s.step(
        "An IPv6 socket with IPV6_V6ONLY off, bound to [::] on a port the kernel picks, listens; an IPv4 client connects to 127.0.0.1 on that port.",
        "IPV6_V6ONLY를 끈 IPv6 소켓을 커널이 고른 포트로 [::]에 bind하고 listen합니다. IPv4 클라이언트가 그 포트의 127.0.0.1로 연결을 요청합니다.",
    );
    let l = Fd(raw::socket(libc::AF_INET6, STREAM)?);
    raw::setsockopt_int(l.n(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0)?;
    raw::bind(l.n(), &any6(0))?;
    raw::listen(l.n(), 8)?;
    let port = raw::getsockname(l.n())?.port().unwrap_or(0);
    let c = tcp()?;
    raw::connect(c.n(), &SockAddr::loopback(port))?;
    let (d, peer) = raw::accept(l.n())?;
    let d = Fd(d);
    let mapped =
        matches!(&peer, SockAddr::V6(a) if a.ip().to_ipv4_mapped() == Some(Ipv4Addr::LOCALHOST));
    if !mapped {
        return Err(Failed(format!(
            "accept returned {peer}, not an IPv4-mapped address"
        )));
    }
    s.saw(
        &format!("accept returned the IPv4 client as {peer}: an IPv4-mapped IPv6 address, ::ffff: and the four IPv4 bytes."),
        &format!("accept는 IPv4 클라이언트를 {peer}로 돌려줬습니다: ::ffff: 뒤에 IPv4 주소 4바이트가 붙은 IPv4 매핑 IPv6 주소입니다."),
    );
    d.close()?;
    c.close()?;
    l.close()?;
    s.step(
        "The same with IPV6_V6ONLY on, and an IPv4 client again.",
        "이번에는 IPV6_V6ONLY를 켜고, 다시 IPv4 클라이언트가 연결을 요청합니다.",
    );
    let l = Fd(raw::socket(libc::AF_INET6, STREAM)?);
    raw::setsockopt_int(l.n(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
    raw::bind(l.n(), &any6(0))?;
    raw::listen(l.n(), 8)?;
    let port = raw::getsockname(l.n())?.port().unwrap_or(0);
    let c = tcp()?;
    want(
        raw::connect(c.n(), &SockAddr::loopback(port)),
        Errno::ECONNREFUSED,
    )?;
    s.saw(
        "ECONNREFUSED: with IPV6_V6ONLY on, nothing listens on that port for IPv4.",
        "ECONNREFUSED: IPV6_V6ONLY를 켜면 IPv4로는 그 포트에서 연결 요청을 기다리는 소켓이 없습니다.",
    );
    c.close()?;
    l.close()
}

/// Readiness is not data: select says a listener is ready (accept will
/// not block), poll says a data socket is readable and recv returns 0;
/// and select refuses a closed fd left in its set.
fn call_select_poll(s: &Show) -> Step {
    let (l, addr) = listener(s, 8)?;
    s.step(
        "A client connects; select waits (at most 1 s) until the listener is readable.",
        "클라이언트가 연결을 요청합니다. select로 리스닝 소켓이 읽기 가능해질 때까지(최대 1초) 기다립니다.",
    );
    let c = tcp()?;
    raw::connect(c.n(), &addr)?;
    let mut read = socklab::FdSet::new();
    read.insert(&l).map_err(|e| Failed(e.to_string()))?;
    let woke = socklab::select(Some(&mut read), None, None, Some(Duration::from_secs(1)))?;
    if woke.ready != 1 || !read.contains(&l) {
        return Err(Failed(format!("select gave {woke:?}")));
    }
    let (d, _) = raw::accept(l.n())?;
    let d = Fd(d);
    s.saw(
        "The listener was ready: a connection waited, and accept took it without waiting.",
        "리스닝 소켓이 준비되어 있었습니다: 연결이 기다리고 있었고, accept는 기다리지 않고 그것을 꺼냈습니다.",
    );
    s.step(
        "The client closes; poll waits (at most 1 s) until the server's data socket is readable, then recv.",
        "클라이언트가 닫습니다. poll로 서버의 연결된 소켓이 읽기 가능해질 때까지(최대 1초) 기다린 뒤 recv합니다.",
    );
    c.close()?;
    let ready = poll(&[(&d, PollFlags::IN)], 1000)?;
    if !ready[0].contains(PollFlags::IN) {
        return Err(Failed(format!("poll gave {:?}, not POLLIN", ready[0])));
    }
    let mut buf = [0u8; 64];
    want_n(raw::recv(d.n(), &mut buf, MsgFlags::NONE), 0)?;
    s.saw(
        "Readable, and recv returned 0: the peer had closed. Ready means the call will not block, not that there is data.",
        "읽기 가능했고 recv는 0을 돌려줬습니다: 상대가 닫았던 것입니다. 준비되었다는 것은 호출이 블록되지 않는다는 뜻이지 데이터가 있다는 뜻이 아닙니다.",
    );
    s.step(
        "close the data socket, leave its number in a read set, and select again.",
        "연결된 소켓을 닫고, 그 번호를 읽기 집합에 남긴 채 다시 select합니다.",
    );
    let mut stale = socklab::FdSet::new();
    stale.insert(&d).map_err(|e| Failed(e.to_string()))?;
    d.close()?;
    want(
        socklab::select(Some(&mut stale), None, None, Some(Duration::ZERO)),
        Errno::EBADF,
    )?;
    s.saw(
        "EBADF: an fd in the set is not open. Take an fd out of the set when you close it.",
        "EBADF: 집합에 든 fd가 열려 있지 않습니다. fd를 닫을 때 집합에서도 빼세요.",
    );
    l.close()
}

/// fork and waitpid: a child that exits is a zombie (and its parent gets
/// SIGCHLD) until waitpid collects it; then no child is left (ECHILD); and
/// under RLIMIT_NPROC fork fails with EAGAIN, unless this process is
/// privileged.
fn call_fork(s: &Show) -> Step {
    use socklab::process::{fork, wait_any_nohang, waitpid, Forked};
    let _blocked = SignalBlocked::new(libc::SIGCHLD);
    // The child exits once the parent closes this pipe's writing end (its
    // read then returns 0): a pipe, not a socket, and never traced.
    let mut ends = [0; 2];
    // SAFETY: pipe writes two fds into `ends`.
    if unsafe { libc::pipe(ends.as_mut_ptr()) } != 0 {
        return Err(Failed("pipe failed".into()));
    }
    let [read_end, write_end] = ends;
    s.step(
        "fork: a child process, which exits when the parent tells it to.",
        "fork: 자식 프로세스를 만듭니다. 자식은 부모가 알려 줄 때 종료합니다.",
    );
    let forked = fork();
    if let Ok(Forked::Child) = forked {
        let mut byte = [0u8; 1];
        // SAFETY: a read into a local byte, then the child ends.
        unsafe {
            libc::close(write_end);
            libc::read(read_end, byte.as_mut_ptr().cast(), 1);
        }
        std::process::exit(0);
    }
    // SAFETY: closing the pipe's ends this process no longer needs.
    unsafe { libc::close(read_end) };
    let child = match forked {
        Ok(Forked::Parent(pid)) => pid,
        Ok(Forked::Child) => unreachable!(),
        Err(e) => {
            // SAFETY: as above.
            unsafe { libc::close(write_end) };
            return Err(e.into());
        }
    };
    s.step(
        "waitpid(-1, WNOHANG) while the child still runs.",
        "자식이 아직 실행 중일 때 waitpid(-1, WNOHANG)를 부릅니다.",
    );
    let early = wait_any_nohang();
    // SAFETY: as above: the child's read returns 0 and it exits.
    unsafe { libc::close(write_end) };
    if !matches!(early, Ok(None)) {
        return Err(Failed(format!("expected 0 from wait4, got {early:?}")));
    }
    s.saw(
        "0: the child has not ended yet, and WNOHANG does not wait.",
        "0: 자식은 아직 끝나지 않았고, WNOHANG이므로 기다리지 않습니다.",
    );
    s.step("the child exits.", "자식 프로세스가 종료합니다.");
    let pid = child.raw();
    let zombie = kernel::wait_for(Duration::from_secs(2), || {
        Ok(kernel::process_state(pid).filter(|&st| st == 'Z'))
    })?;
    if zombie.is_none() {
        return Err(Failed(format!("/proc/{pid}/stat never showed state Z")));
    }
    s.text(&format!("   /proc/{pid}/stat: state Z"));
    let Some(mask) = kernel::signal_pending(libc::SIGCHLD) else {
        return Err(Failed("no SIGCHLD pending after the child exited".into()));
    };
    s.text(&format!(
        "   /proc/{}/status: ShdPnd {mask}",
        std::process::id()
    ));
    s.saw(
        "The child has exited but is still in the process table, state Z: a zombie, keeping its exit status for the parent. The kernel sent the parent SIGCHLD (blocked here, so /proc shows it pending).",
        "자식 프로세스는 종료했지만 아직 프로세스 테이블에 있습니다. 상태 Z, 좀비 프로세스이고, 부모를 위해 종료 상태 값을 보관합니다. 커널은 부모에게 SIGCHLD를 보냈습니다 (여기서는 막아 두었으므로 /proc에 대기 중으로 보입니다).",
    );
    s.step(
        "waitpid(child): collect it. The system call is wait4.",
        "waitpid(child): 자식을 회수합니다. 시스템 콜은 wait4입니다.",
    );
    waitpid(child)?;
    if kernel::process_state(pid).is_some() {
        return Err(Failed(format!("/proc/{pid} is still there after wait4")));
    }
    s.saw(
        &format!("wait4 returned its pid and status, and /proc/{pid} is gone: no zombie left."),
        &format!("wait4는 자식의 pid와 종료 상태 값을 돌려주었고, /proc/{pid}는 사라졌습니다: 좀비 프로세스가 남지 않았습니다."),
    );
    s.step(
        "waitpid(-1, WNOHANG) again, with no child left.",
        "남은 자식이 없는데 waitpid(-1, WNOHANG)를 다시 부릅니다.",
    );
    want(wait_any_nohang(), Errno::ECHILD)?;
    s.saw(
        "ECHILD: there is no child to wait for.",
        "ECHILD: 기다릴 자식 프로세스가 없습니다.",
    );
    s.step(
        "fork under a limit of 1 process for this user (RLIMIT_NPROC, ulimit -u 1), which this process already uses.",
        "이 사용자의 프로세스 수 한도를 1로 정하고(RLIMIT_NPROC, ulimit -u 1) fork합니다. 이 프로세스가 이미 그 하나를 씁니다.",
    );
    let limit = NprocLimit::set(1)?;
    let forked = fork();
    drop(limit);
    match forked {
        Err(e) if e.errno == Errno::EAGAIN => s.saw(
            "EAGAIN: the user may not have more processes. Reap ended children, or raise the limit.",
            "EAGAIN: 이 사용자는 프로세스를 더 만들 수 없습니다. 끝난 자식을 회수하거나 한도를 올리세요.",
        ),
        Err(e) => return Err(e.into()),
        Ok(Forked::Child) => std::process::exit(0),
        Ok(Forked::Parent(child)) => {
            s.saw(
                "fork succeeded: this process is privileged (root, or CAP_SYS_RESOURCE), and RLIMIT_NPROC does not bind it. As another user the same fork fails with EAGAIN.",
                "fork가 성공했습니다: 이 프로세스는 특권이 있어서(root, 또는 CAP_SYS_RESOURCE) RLIMIT_NPROC의 제한을 받지 않습니다. 다른 사용자라면 같은 fork가 EAGAIN으로 실패합니다.",
            );
            waitpid(child)?;
        }
    }
    Ok(())
}

/// RLIMIT_NPROC's soft limit lowered while it lives, put back on drop.
struct NprocLimit(libc::rlimit);

impl NprocLimit {
    fn set(soft: libc::rlim_t) -> Result<NprocLimit, Failed> {
        let mut old = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit on local structs.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NPROC, &mut old) != 0 {
                return Err(Failed("getrlimit(RLIMIT_NPROC) failed".into()));
            }
            let new = libc::rlimit {
                rlim_cur: soft,
                rlim_max: old.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &new) != 0 {
                return Err(Failed("setrlimit(RLIMIT_NPROC) failed".into()));
            }
        }
        Ok(NprocLimit(old))
    }
}

impl Drop for NprocLimit {
    fn drop(&mut self) {
        // SAFETY: puts back the limit read in `set` (raising a soft limit
        // up to the hard one is always allowed).
        unsafe {
            libc::setrlimit(libc::RLIMIT_NPROC, &self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_errno_explain_lists_has_a_demo() {
        for errno in crate::explain::errnos() {
            assert!(find(errno).is_some(), "{errno} has no demo");
        }
    }

    #[test]
    fn call_names_and_aliases_find_their_demo() {
        assert!(find("accept4").is_some());
        assert!(find("econnrefused").is_some());
        assert!(find("poll").is_some());
        assert!(find("pselect6").is_some());
        assert!(find("fcntl").is_none());
    }
}
