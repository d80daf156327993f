//! `socklab serve` and `socklab connect`: a netcat that prints every system
//! call it makes, to be the outside peer of a lesson in `--wait` mode.
//!
//! The server keeps accepting clients on the same listening fd; each client
//! gets its own data fd, which the server closes when that client is done.
//! By default it serves one client at a time, in order, as lesson 8's
//! iterative server does: a client that says nothing holds the others in
//! the listen queue. With `--many` each client gets a thread of its own, so
//! thirty students can share one echo server; every call is still the one
//! system call it prints.
//!
//! Where the output goes: stdout is one kind of thing. While a trace is
//! shown (pretty, plain or json), stdout carries the trace alone and the
//! bytes received from the peer go to stderr, so `--trace json | jq` and
//! `--trace plain | diff` read only the trace, as with the lessons. With
//! `--trace off` the received bytes go to stdout, as nc's do. socklab's own
//! notes ("listening on ...") always go to stderr.

use socklab::addr::{SockAddr, UnixName};
use socklab::output::eprintln_quiet;
use socklab::socket::{Connection, DatagramSocket, MsgFlags, Shutdown, SockOpt, Socket};
use socklab::trace::{self, Side, View};
use socklab::{poll, Errno, PollFlags};
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

const TRACE_HELP: &str = "How calls are shown on stdout: pretty, plain, json, off \
(the bytes received then go to stderr; with off, to stdout)";
const TRACE_LONG_HELP: &str = "How calls are shown on stdout: pretty, plain, json, off \
(default: SOCKLAB_TRACE, else pretty).\n\nWhile a trace is shown, stdout holds the trace \
only and the bytes received go to stderr, so `--trace json | jq` and `--trace plain | diff` \
work. With `off`, the bytes received go to stdout, as nc's do.";

const PACKETS_HELP: &str = "Show each TCP segment and UDP datagram between the calls, as they travel (root only: a capture on this machine's loopback)";
const PACKETS_LONG_HELP: &str =
    "Show each TCP segment and UDP datagram between the calls, as they \
travel, marked with the call in progress.\n\nThe peer is another program, which cannot reach a \
private network namespace, so socklab captures on this machine's own loopback, keeping the \
packets of the ports the calls name. Only root may capture there (sudo socklab serve --packets). \
Needs a trace view on stdout (not --trace off).";

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on: HOST:PORT (127.0.0.1 keeps it on this machine;
    /// port 0: any free port) or unix:PATH.
    #[arg(default_value = "127.0.0.1:7878")]
    pub addr: String,
    /// UDP instead of TCP.
    #[arg(long)]
    pub udp: bool,
    /// Send back whatever arrives (stdin is then not read).
    #[arg(long)]
    pub echo: bool,
    /// Serve many clients at once, a thread each (default: one at a time).
    ///
    /// By default the server serves one client at a time: the next waits in
    /// the listen queue until the first is done, as lesson 8's iterative
    /// server does. With --many each client gets a thread of its own, so a
    /// silent client holds no one up. Without --echo, what you type goes to
    /// every connected client.
    #[arg(long, conflicts_with = "udp")]
    pub many: bool,
    /// Stop after this many clients (UDP: messages). Default: run until stopped.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub count: Option<u32>,
    #[arg(long, value_name = "VIEW", help = TRACE_HELP, long_help = TRACE_LONG_HELP)]
    pub trace: Option<View>,
    #[arg(long, help = PACKETS_HELP, long_help = PACKETS_LONG_HELP)]
    pub packets: bool,
}

#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// The server: HOST:PORT, as in 127.0.0.1:7804 or [::1]:7804, or unix:PATH.
    pub addr: String,
    /// UDP instead of TCP.
    #[arg(long)]
    pub udp: bool,
    #[arg(long, value_name = "VIEW", help = TRACE_HELP, long_help = TRACE_LONG_HELP)]
    pub trace: Option<View>,
    /// UDP: milliseconds to wait for each reply (0 or more).
    #[arg(long, default_value_t = 1000, value_name = "MS",
          value_parser = clap::value_parser!(i32).range(0..))]
    pub reply_timeout: i32,
    #[arg(long, help = PACKETS_HELP, long_help = PACKETS_LONG_HELP)]
    pub packets: bool,
}

/// Whether the bytes received go to stderr (a trace owns stdout).
static RECEIVED_TO_STDERR: AtomicBool = AtomicBool::new(false);

fn setup(view: Option<View>, side: Side, packets: bool, addr: &SockAddr) -> Result<(), String> {
    let (env_view, record) = trace::from_env();
    let view = view.unwrap_or(env_view);
    trace::configure(view, record.as_deref())
        .map_err(|e| format!("cannot write the record file (SOCKLAB_RECORD): {e}"))?;
    trace::set_side(side);
    RECEIVED_TO_STDERR.store(view != View::Off, Ordering::Relaxed);
    if packets {
        // Started before the first socket call, so its SYN is seen.
        let me =
            std::env::current_exe().map_err(|e| format!("cannot find socklab's own path: {e}"))?;
        let shown = if view == View::Json {
            crate::packets::timeline::Shown::Json
        } else {
            crate::packets::timeline::Shown::Text
        };
        crate::packets::live::start(
            &me,
            addr.port().unwrap_or(0),
            shown,
            socklab::lang::Lang::current(),
        )?;
    }
    Ok(())
}

/// Why `--packets` cannot go with this command line, if it cannot: one
/// line (bad usage, exit 2). It needs root (the capture is on this
/// machine's loopback), a TCP or UDP address, and a trace view to put
/// the packets between.
pub fn packets_refused(
    command: &str,
    addr: &str,
    view: Option<View>,
    lang: socklab::lang::Lang,
) -> Option<String> {
    if matches!(addr.parse::<SockAddr>(), Ok(SockAddr::Unix(_))) {
        return Some(lang.pick2(
            format!("{command} --packets shows TCP and UDP packets: a Unix socket's bytes never pass through a network interface, so there is nothing to capture"),
            format!("{command} --packets는 TCP와 UDP 패킷을 보여 줍니다: 유닉스 소켓의 바이트는 네트워크 인터페이스를 지나지 않으므로 잡을 패킷이 없습니다"),
        ));
    }
    if view.unwrap_or_else(trace::view_from_env) == View::Off {
        return Some(lang.pick2(
            format!("{command} --packets puts the packets between the calls: it needs a trace view (pretty, plain or json), not off"),
            format!("{command} --packets는 패킷을 시스템 콜 사이에 보여 줍니다: 트레이스 보기(pretty, plain, json)가 필요하며 off로는 쓸 수 없습니다"),
        ));
    }
    // SAFETY: geteuid touches no memory.
    if unsafe { libc::geteuid() } != 0 {
        return Some(lang.pick2(
            format!("{command} --packets needs root: the peer is another program, which cannot reach a private network namespace, so socklab captures on this machine's loopback instead, which only root may (sudo socklab {command} --packets)"),
            format!("{command} --packets를 쓰려면 root여야 합니다: 상대는 다른 프로그램이라 전용 네트워크 네임스페이스에 닿지 못하므로 socklab은 이 컴퓨터의 루프백에서 패킷을 잡는데, 이는 root만 할 수 있습니다(sudo socklab {command} --packets)"),
        ));
    }
    None
}

/// A failed call, with what to do about the usual ones.
fn explain(e: socklab::Error, addr: &SockAddr) -> String {
    let at = crate::advice::At {
        addr,
        port_flag: false,
    };
    match crate::advice::advice(&e, &at, socklab::lang::Lang::current()) {
        Some(hint) => format!("{e}: {hint}"),
        None => e.to_string(),
    }
}

fn parse_addr(text: &str) -> Result<SockAddr, String> {
    text.parse::<SockAddr>().map_err(|e| e.0)
}

fn info(line: &str) {
    eprintln_quiet(&format!("socklab: {line}"));
}

/// Bytes from the peer: to stderr while the trace owns stdout, else stdout.
fn received(bytes: &[u8]) {
    if !RECEIVED_TO_STDERR.load(Ordering::Relaxed) {
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(bytes).and_then(|_| out.flush()) {
            drop(out);
            socklab::output::stdout_failed(e);
        }
        return;
    }
    let mut err = std::io::stderr().lock();
    if let Err(e) = err.write_all(bytes) {
        drop(err);
        trace::flush();
        // Nowhere is left to say it: stderr is where it would be said.
        let broken = e.kind() == std::io::ErrorKind::BrokenPipe;
        std::process::exit(if broken {
            socklab::output::BROKEN_PIPE_EXIT
        } else {
            1
        });
    }
}

/// Send all of `bytes`. A blocking send can still return a short count (a
/// signal arrived mid-way), so go on from where it stopped; each send is
/// traced.
fn send_all(conn: &Connection, mut bytes: &[u8]) -> socklab::Result<()> {
    while !bytes.is_empty() {
        let n = conn.send(bytes, MsgFlags::NOSIGNAL)?;
        if n == 0 {
            break;
        }
        bytes = &bytes[n..];
    }
    Ok(())
}

/// The file that `bind` made for a Unix socket at a path. The file outlives
/// the socket: closing the fd leaves it, and the next `bind` to the same
/// path fails with EADDRINUSE. So the server removes the file it made (and
/// only that one: it checks the inode) when it ends: on a normal end, an
/// error, a closed stdout, and SIGINT, SIGTERM or SIGHUP.
mod socket_file {
    use super::info;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    struct Made {
        path: PathBuf,
        dev: u64,
        ino: u64,
    }

    static MADE: Mutex<Option<Made>> = Mutex::new(None);

    /// After a successful `bind` to `path`: remember the file it made, and
    /// remove it however the program ends. Call it before any other thread
    /// starts, so all of them inherit the blocked signals.
    pub fn made(path: &Path) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        *MADE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Made {
            path: path.to_path_buf(),
            dev: meta.dev(),
            ino: meta.ino(),
        });
        extern "C" fn at_exit() {
            remove();
        }
        // SAFETY: at_exit is a plain function that never unwinds.
        unsafe { libc::atexit(at_exit) };
        catch_signals();
    }

    /// Remove the file, if it is still the one `bind` made.
    pub fn remove() {
        // try_lock: this runs at exit too, possibly while a thread that was
        // stopped mid-way holds the lock.
        let Ok(mut made) = MADE.try_lock() else {
            return;
        };
        let Some(m) = made.take() else { return };
        let same = std::fs::symlink_metadata(&m.path)
            .is_ok_and(|now| now.dev() == m.dev && now.ino() == m.ino);
        if !same {
            return;
        }
        info(&format!(
            "unlink(\"{}\"): removing the socket file bind made (not a socket call: \
             the file stays after close until someone removes it)",
            m.path.display()
        ));
        if let Err(e) = std::fs::remove_file(&m.path) {
            info(&format!("cannot remove {}: {e}", m.path.display()));
        }
    }

    /// Block SIGINT, SIGTERM and SIGHUP in this thread (and so in every
    /// thread started after), and let one thread wait for them with
    /// sigwait: it removes the file and ends the program as the signal
    /// would have. No handler runs inside a socket call, so no call is
    /// interrupted with EINTR.
    fn catch_signals() {
        // SAFETY: sigset operations on a local set, then the thread's mask.
        let set = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaddset(&mut set, sig);
            }
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return;
            }
            set
        };
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || loop {
                let mut sig = 0;
                // SAFETY: set is a valid signal set; sig is written by sigwait.
                if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                    continue;
                }
                let name = match sig {
                    libc::SIGINT => "SIGINT",
                    libc::SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                info(&format!("stopped by {name}"));
                remove();
                socklab::trace::flush();
                std::process::exit(128 + sig);
            });
        if spawned.is_err() {
            // No thread to wait for them: let the signals act as before.
            // SAFETY: as above.
            unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
        }
    }
}

/// `socklab serve`.
pub fn serve(args: &ServeArgs) -> Result<ExitCode, String> {
    let addr = parse_addr(&args.addr)?;
    setup(args.trace, Side::Server, args.packets, &addr)?;
    let ex = |e| explain(e, &addr);
    let result = if args.udp {
        serve_udp(args, &addr).map_err(ex)
    } else {
        serve_tcp(args, &addr).map_err(ex)
    };
    socket_file::remove();
    crate::packets::live::finish();
    result
}

/// After a successful bind: a Unix path is now a file that socklab made.
fn bound(addr: &SockAddr) {
    if let SockAddr::Unix(UnixName::Path(p)) = addr {
        socket_file::made(p);
    }
}

/// The clients connected now, shared by the threads that serve them and
/// the thread that sends them stdin.
#[derive(Default)]
struct Clients {
    state: Mutex<ClientState>,
    /// Signalled when a client comes, goes, or its fd is closed.
    changed: Condvar,
}

#[derive(Default)]
struct ClientState {
    list: Vec<(u32, Arc<Connection>)>,
    /// Clients whose data fd is still open (connected, or leaving).
    open: usize,
    /// How many clients' data fds have been closed so far.
    closed: u64,
}

impl Clients {
    fn lock(&self) -> MutexGuard<'_, ClientState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, state: MutexGuard<'a, ClientState>) -> MutexGuard<'a, ClientState> {
        self.changed.wait(state).unwrap_or_else(|e| e.into_inner())
    }

    fn join(&self, id: u32, conn: Arc<Connection>) {
        let mut state = self.lock();
        state.list.push((id, conn));
        state.open += 1;
        drop(state);
        self.changed.notify_all();
    }

    fn leave(&self, id: u32) {
        self.lock().list.retain(|(i, _)| *i != id);
        self.changed.notify_all();
    }

    /// A client's data fd was closed: its number is free again.
    fn closed_one(&self) {
        let mut state = self.lock();
        state.open -= 1;
        state.closed += 1;
        drop(state);
        self.changed.notify_all();
    }

    /// Wait until at least one client is connected; those connected then.
    fn wait_for_any(&self) -> Vec<Arc<Connection>> {
        let mut state = self.lock();
        while state.list.is_empty() {
            state = self.wait(state);
        }
        state.list.iter().map(|(_, c)| Arc::clone(c)).collect()
    }

    /// Wait until some client's fd is closed after `since` were; false if
    /// no client's fd is open, so none will be.
    fn wait_for_a_close(&self, since: u64) -> bool {
        let mut state = self.lock();
        while state.closed == since {
            if state.open == 0 {
                return false;
            }
            state = self.wait(state);
        }
        true
    }
}

fn serve_tcp(args: &ServeArgs, addr: &SockAddr) -> socklab::Result<ExitCode> {
    let sock = Socket::new(addr.family())?;
    sock.setsockopt(SockOpt::ReuseAddr(true))?;
    sock.bind(addr)?;
    bound(addr);
    let listener = sock.listen(128)?;
    let here = listener.getsockname()?;
    info(&format!(
        "listening on {here} (listening fd {}){}",
        listener.fd(),
        if args.many {
            ", serving many clients at once"
        } else {
            ", one client at a time"
        }
    ));

    let clients = Arc::new(Clients::default());
    if !args.echo {
        let clients = Arc::clone(&clients);
        let spawned = std::thread::Builder::new().spawn(move || stdin_to_clients(&clients));
        if let Err(e) = spawned {
            info(&format!(
                "stdin will not be sent: no thread to read it ({e})"
            ));
        }
    }

    let mut served = 0u32;
    let mut threads: Vec<std::thread::JoinHandle<()>> = Vec::new();
    while args.count.is_none_or(|c| served < c) {
        let (conn, peer) = match listener.accept() {
            Ok(client) => client,
            // Out of fds while many clients are connected: wait for one to
            // leave and its fd to be closed, then accept again.
            Err(e) if is_out_of_fds(e.errno) && args.many => {
                let (now, closed) = {
                    let state = clients.lock();
                    (state.open, state.closed)
                };
                info(&format!(
                    "{e}: {now} clients hold the fds; waiting for one to leave"
                ));
                if clients.wait_for_a_close(closed) {
                    continue;
                }
                return Err(e);
            }
            // A client that gave up before its turn: serve the next one.
            Err(e) if e.errno == Errno::ECONNABORTED => continue,
            Err(e) => return Err(e),
        };
        served += 1;
        // On the list before it is announced: stdin read from now on
        // reaches it.
        let conn = Arc::new(conn);
        clients.join(served, Arc::clone(&conn));
        info(&format!(
            "client {served} from {peer}: new data fd {}; listening fd {} unchanged",
            conn.fd(),
            listener.fd()
        ));
        if !args.many {
            serve_client(&clients, served, conn, args.echo);
            continue;
        }
        threads.retain(|t| !t.is_finished());
        let (echo, shared) = (args.echo, Arc::clone(&clients));
        let spawned = std::thread::Builder::new().spawn(move || {
            trace::set_side(Side::Server);
            serve_client(&shared, served, conn, echo);
        });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => {
                // The closure (and the connection in it) was dropped, so
                // taking the client off the list drops the last reference,
                // which closes its fd (traced).
                clients.leave(served);
                clients.closed_one();
                info(&format!("client {served}: no thread to serve it ({e})"));
            }
        }
    }
    // No more clients will be accepted: close the listening fd. With
    // --many this comes while the last clients are still being served, so
    // a late client is refused at once instead of waiting in the queue.
    info(&format!(
        "accepted {served} clients (--count): closing listening fd {}",
        listener.fd()
    ));
    listener.close()?;
    for t in threads {
        let _ = t.join();
    }
    Ok(stdin_status())
}

fn is_out_of_fds(errno: Errno) -> bool {
    errno == Errno::EMFILE || errno == Errno::ENFILE
}

/// Receive from one client until it closes, echoing or showing the bytes,
/// then close its data fd.
fn serve_client(clients: &Clients, id: u32, conn: Arc<Connection>, echo: bool) {
    let mut buf = [0u8; 4096];
    loop {
        match conn.recv(&mut buf, MsgFlags::NONE) {
            Ok(0) => break, // the client closed its side: no more bytes
            Ok(n) if echo => {
                if let Err(e) = send_all(&conn, &buf[..n]) {
                    info(&format!("client {id}: {e}"));
                    break;
                }
            }
            Ok(n) => received(&buf[..n]),
            Err(e) => {
                info(&format!("client {id}: {e}"));
                break;
            }
        }
    }
    clients.leave(id);
    info(&format!("client {id} done: closing data fd {}", conn.fd()));
    match Arc::try_unwrap(conn) {
        Ok(conn) => {
            if let Err(e) = conn.close() {
                info(&format!("client {id}: {e}"));
            }
        }
        // The stdin thread is sending to this client right now; when its
        // send returns it drops the last reference, which closes the fd
        // (traced). Until then the number cannot go to another client.
        Err(still_sending) => drop(still_sending),
    }
    clients.closed_one();
}

/// Send what arrives on stdin to the connected clients (all of them with
/// `--many`). Like `nc -l`, stdin is read only once a client is there, so
/// what was typed or piped before the first client connected reaches it.
/// Bytes read while no client is connected wait for the next one.
fn stdin_to_clients(clients: &Clients) {
    trace::set_side(Side::Server);
    let mut buf = [0u8; 4096];
    let mut stdin = std::io::stdin().lock();
    loop {
        drop(clients.wait_for_any());
        let n = read_stdin(&mut stdin, &mut buf);
        if n == 0 {
            return; // end of input: the clients may still send
        }
        // Not under the lock: a client that does not read would block this
        // send, and must not block the others from coming and going.
        for conn in clients.wait_for_any() {
            let _ = send_all(&conn, &buf[..n]);
        }
    }
}

fn serve_udp(args: &ServeArgs, addr: &SockAddr) -> socklab::Result<ExitCode> {
    let sock = DatagramSocket::new(addr.family())?;
    sock.bind(addr)?;
    bound(addr);
    let here = sock.getsockname()?;
    info(&format!(
        "listening on {here} for datagrams (fd {})",
        sock.fd()
    ));
    let mut buf = [0u8; 65536];
    let mut got = 0u32;
    while args.count.is_none_or(|c| got < c) {
        let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
        got += 1;
        if !args.echo {
            received(&buf[..n]);
        } else if let Err(e) = sock.sendto(&buf[..n], MsgFlags::NONE, &from) {
            // One sender that cannot be answered (an unnamed Unix socket)
            // does not stop the server.
            let why = if from == SockAddr::Unix(UnixName::Unnamed) {
                ": a Unix client that did not bind has no name to answer to"
            } else {
                ""
            };
            info(&format!("cannot answer {from}: {e}{why}"));
        }
    }
    sock.close()?;
    Ok(ExitCode::SUCCESS)
}

/// The client's connection as the stdin thread sees it: the main thread
/// takes it away when the server has closed, and then waits for a send
/// under way to end before it closes the fd, so the number is never
/// closed under a send (and reused by another open meanwhile).
#[derive(Default)]
struct Outgoing {
    state: Mutex<OutState>,
    /// Signalled when a send (or the shutdown at the end of stdin) returns.
    idle: Condvar,
}

#[derive(Default)]
struct OutState {
    conn: Option<Arc<Connection>>,
    sending: bool,
}

/// How long a send under way may hold up the end after the server closed.
const SEND_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

impl Outgoing {
    fn lock(&self) -> MutexGuard<'_, OutState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stdin thread: send `bytes`, or half-close at the end of input
    /// (empty `bytes`). False when there is nothing more to do.
    fn send(&self, bytes: &[u8]) -> bool {
        let conn = {
            let mut state = self.lock();
            let Some(conn) = state.conn.clone() else {
                return false;
            };
            state.sending = true;
            conn
        };
        let go_on = if bytes.is_empty() {
            // End of input: tell the server we send no more, but keep
            // reading its answer (a half-close).
            let _ = conn.shutdown(Shutdown::Write);
            false
        } else {
            send_all(&conn, bytes).is_ok()
        };
        drop(conn);
        self.lock().sending = false;
        self.idle.notify_all();
        go_on
    }

    /// The main thread, when the server has closed or failed: take the
    /// connection away from the stdin thread and close it, traced.
    fn close(&self, conn: Arc<Connection>) -> socklab::Result<()> {
        let mut state = self.lock();
        // No new send starts from now on; one under way may still run.
        drop(state.conn.take());
        let (mut state, _) = self
            .idle
            .wait_timeout_while(state, SEND_GRACE, |s| s.sending)
            .unwrap_or_else(|e| e.into_inner());
        if state.sending {
            // The send waits for room the server will never make: it
            // stopped reading. shutdown wakes the send (it fails with
            // EPIPE) without closing the fd under it.
            drop(state);
            info("the server stopped reading: shutting the connection down to end the send");
            let _ = conn.shutdown(Shutdown::Both);
            state = self.lock();
            while state.sending {
                state = self.idle.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        }
        drop(state);
        match Arc::try_unwrap(conn) {
            Ok(conn) => conn.close(),
            // Not reached: the stdin thread holds no copy while not sending.
            // Were one left, its drop would close the fd, traced, all the same.
            Err(conn) => {
                drop(conn);
                Ok(())
            }
        }
    }
}

/// `socklab connect`.
pub fn connect(args: &ConnectArgs) -> Result<ExitCode, String> {
    let result = connect_to(args);
    crate::packets::live::finish();
    result
}

fn connect_to(args: &ConnectArgs) -> Result<ExitCode, String> {
    let addr = parse_addr(&args.addr)?;
    setup(args.trace, Side::Client, args.packets, &addr)?;
    let ex = |e| explain(e, &addr);
    if args.udp {
        return connect_udp(args, &addr).map_err(ex);
    }
    let conn = Arc::new(
        Socket::new(addr.family())
            .map_err(ex)?
            .connect(&addr)
            .map_err(|e| ex(e.into()))?,
    );
    let out = Arc::new(Outgoing::default());
    out.lock().conn = Some(Arc::clone(&conn));
    let sender = Arc::clone(&out);
    let spawned = std::thread::Builder::new().spawn(move || {
        trace::set_side(Side::Client);
        let mut buf = [0u8; 4096];
        let mut stdin = std::io::stdin().lock();
        loop {
            let n = read_stdin(&mut stdin, &mut buf);
            if !sender.send(&buf[..n]) {
                return;
            }
        }
    });
    if let Err(e) = spawned {
        info(&format!(
            "stdin will not be sent: no thread to read it ({e})"
        ));
    }
    let mut buf = [0u8; 4096];
    let ended = loop {
        match conn.recv(&mut buf, MsgFlags::NONE) {
            Ok(0) => break Ok(()), // the server closed: nothing more will come
            Ok(n) => received(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    // Close the fd on an error too: it is shown, not left to the exit.
    out.close(conn).map_err(ex)?;
    ended.map_err(ex)?;
    Ok(stdin_status())
}

/// The largest UDP payload over IPv4: 65535 less the IP and UDP headers.
const MAX_DATAGRAM: usize = 65507;

fn connect_udp(args: &ConnectArgs, addr: &SockAddr) -> socklab::Result<ExitCode> {
    let sock = DatagramSocket::new(addr.family())?;
    let mut line = Vec::new();
    let mut buf = [0u8; 65536];
    let mut stdin = std::io::stdin().lock();
    // Each line is one datagram; a line longer than a datagram can hold
    // goes in pieces.
    while read_piece(&mut stdin, &mut line) > 0 {
        sock.sendto(&line, MsgFlags::NONE, addr)?;
        line.clear();
        // A datagram may get no answer at all: wait a bounded time.
        let ready = poll(&[(&sock, PollFlags::IN)], args.reply_timeout)?;
        if ready[0].contains(PollFlags::IN) {
            let (n, _) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
            received(&buf[..n]);
        }
    }
    sock.close()?;
    Ok(stdin_status())
}

/// One line of stdin, or its first MAX_DATAGRAM bytes; 0 at the end (or
/// when stdin cannot be read).
fn read_piece(stdin: &mut impl BufRead, line: &mut Vec<u8>) -> usize {
    match stdin.take(MAX_DATAGRAM as u64).read_until(b'\n', line) {
        Ok(n) => n,
        Err(e) => stdin_failed(e),
    }
}

/// Whether reading stdin failed (a directory, a closed terminal): then
/// the run ends with exit status 1, after the one line that said why.
static STDIN_FAILED: AtomicBool = AtomicBool::new(false);

/// Read stdin into `buf`: the count, or 0 at its end. A read that fails is
/// said in one line and ends the input like an end of file.
fn read_stdin(stdin: &mut impl Read, buf: &mut [u8]) -> usize {
    loop {
        match stdin.read(buf) {
            Ok(n) => return n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return stdin_failed(e),
        }
    }
}

fn stdin_failed(e: std::io::Error) -> usize {
    if !STDIN_FAILED.swap(true, Ordering::Relaxed) {
        info(&format!("cannot read stdin: {e}"));
    }
    0
}

fn stdin_status() -> ExitCode {
    if STDIN_FAILED.load(Ordering::Relaxed) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
