//! Running a student's program, contained, under real strace, with the
//! exercise's peer on the other side.
//!
//! Where the machine allows it, the whole run (peer and program) happens
//! in a user, network and pid namespace of its own (`unshare -rnp
//! --fork`): its own loopback, so its port is nobody else's, and its own
//! pid 1, so every process it forks dies with the run. Elsewhere it runs
//! on this machine's 127.0.0.1 with a free port, and says that isolation
//! is weaker.

use super::exercise::{Exercise, PeerRole};
use super::peer::{bind_without_listening, half_close_server, late_server};
use super::peer::{
    clients_at_once, datagram_clients, echo_clients, greeting_server, line_client, request_client,
    slow_reader, stream_server, PeerReport, ProgramEnded,
};
use super::rules::Exit;
use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// strace's options for a graded run: every call on a socket a C, Rust or
/// Python program can make, the calls that copy, pass on or end fds, and
/// the calls that wait on many fds at once (glibc's `select` is the
/// `pselect6` system call on x86_64; Python's selectors use epoll).
pub const STRACE_ARGS: &[&str] = &[
    "-f",
    "-qq",
    "-e",
    "signal=none",
    "-e",
    "trace=%net,read,write,readv,writev,close,dup,dup2,dup3,fcntl,clone,clone3,fork,vfork,wait4,exit_group,poll,ppoll,select,pselect6,epoll_create,epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,epoll_pwait2",
];

/// The port a program gets inside its own network namespace, where no
/// other program can hold it.
pub const NAMESPACE_PORT: u16 = 7000;

/// The most fds a program may hold open at once (RLIMIT_NOFILE).
pub const MAX_OPEN_FILES: u64 = 256;

/// A run's wall-clock limit: 5 s, times `SOCKLAB_GRADE_TIME_SCALE` (a
/// number, for slow machines; 0.2 makes it 1 s).
pub fn time_limit() -> Duration {
    let scale = std::env::var("SOCKLAB_GRADE_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64((5.0 * scale).clamp(0.1, 3600.0))
}

/// What makes one run of a program differ from another.
#[derive(Clone, Copy, Debug, Default)]
pub struct Setup {
    /// strace's `-e inject=` expression of a fault run; None: the plain
    /// run.
    pub inject: Option<&'static str>,
    /// The seed a peer that draws its script at random draws it from.
    pub seed: u64,
}

/// The seed of a check: `SOCKLAB_GRADE_SEED` (a number) when set, so a
/// run can be made again; else one drawn from the clock.
pub fn seed() -> u64 {
    std::env::var("SOCKLAB_GRADE_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            (now ^ u64::from(std::process::id())) % 100_000
        })
}

/// What a run leaves in its folder, read back.
pub struct RunFiles {
    pub log: String,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// `{host}` and `{port}` in the program's arguments.
fn fill(cmd: &[OsString], host: &str, port: u16) -> Vec<OsString> {
    cmd.iter()
        .map(|a| match a.to_str() {
            Some(s) => s
                .replace("{host}", host)
                .replace("{port}", &port.to_string())
                .into(),
            None => a.clone(),
        })
        .collect()
}

/// Run the program under strace here, with the peer in a thread, until it
/// ends or the time limit: strace's log, the program's stdout and stderr
/// go to files in `dir`. `port` None: a free port of this machine.
pub fn run_here(
    ex: &Exercise,
    cmd: &[OsString],
    dir: &Path,
    port: Option<u16>,
    limit: Duration,
    setup: Setup,
) -> (Exit, PeerReport) {
    let deadline = Instant::now() + limit;
    let host = "127.0.0.1";
    let bind = |p: u16| match ex.peer {
        // The server that starts late holds its port, bound but not
        // listening, from now until it listens (see bind_without_listening).
        PeerRole::LateServer => bind_without_listening(p),
        _ => TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, p))),
    };
    // A peer that is a server listens before the program starts; a peer
    // that is a client connects to a port the grader found free.
    let (listener, port) = match (ex.peer.is_server(), port) {
        (true, p) => match bind(p.unwrap_or(0)) {
            Ok(l) => {
                let p = l.local_addr().map(|a| a.port()).unwrap_or(0);
                (Some(l), p)
            }
            Err(e) => {
                return (
                    Exit::NotStarted(format!("peer: {e}")),
                    PeerReport::default(),
                )
            }
        },
        (false, Some(p)) => (None, p),
        // A UDP peer needs a port free for UDP.
        (false, None) if ex.peer.is_datagram() => {
            match UdpSocket::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .and_then(|s| s.local_addr())
            {
                Ok(a) => (None, a.port()),
                Err(e) => {
                    return (
                        Exit::NotStarted(format!("peer: {e}")),
                        PeerReport::default(),
                    )
                }
            }
        }
        (false, None) => match bind(0).and_then(|l| l.local_addr()) {
            Ok(a) => (None, a.port()),
            Err(e) => {
                return (
                    Exit::NotStarted(format!("peer: {e}")),
                    PeerReport::default(),
                )
            }
        },
    };
    let ended = ProgramEnded::default();
    let peer = {
        let ended = ended.clone();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let role = ex.peer;
        let seed = setup.seed;
        let log = dir.join("strace.log");
        std::thread::spawn(move || match (role, listener) {
            (PeerRole::GreetingServer, Some(l)) => greeting_server(l, deadline, ended),
            (PeerRole::StreamServer, Some(l)) => stream_server(l, deadline, ended),
            (PeerRole::RequestClient, _) => request_client(addr, deadline, ended),
            (PeerRole::EchoClients, _) => echo_clients(addr, deadline, ended),
            (PeerRole::SlowReader, Some(l)) => slow_reader(l, deadline, ended),
            (PeerRole::LineClient, _) => line_client(addr, deadline, ended, seed),
            (PeerRole::HalfCloseServer, Some(l)) => half_close_server(l, deadline, ended),
            (PeerRole::LateServer, Some(l)) => late_server(l, &log, deadline, ended),
            (PeerRole::DatagramClients, _) => datagram_clients(addr, deadline, ended),
            (PeerRole::ClientsAtOnce { clients, reset }, _) => {
                clients_at_once(addr, deadline, ended, clients, reset)
            }
            (_, None) => PeerReport::default(),
        })
    };
    let exit = run_program(cmd, dir, host, port, limit, deadline, setup.inject);
    ended.store(true, std::sync::atomic::Ordering::SeqCst);
    let report = peer.join().unwrap_or_default();
    (exit, report)
}

fn run_program(
    cmd: &[OsString],
    dir: &Path,
    host: &str,
    port: u16,
    limit: Duration,
    deadline: Instant,
    inject: Option<&'static str>,
) -> Exit {
    let files = (|| {
        Ok::<_, std::io::Error>((
            File::create(dir.join("stdout"))?,
            File::create(dir.join("stderr"))?,
        ))
    })();
    let (out, err) = match files {
        Ok(f) => f,
        Err(e) => return Exit::NotStarted(e.to_string()),
    };
    let cpu_secs = limit.as_secs() + 1;
    // Under root, the program's own uid (contain.rs); strace stays root.
    let run_as = super::contain::run_as();
    let program = match &run_as {
        Some(who) => super::contain::as_uid(who, &fill(cmd, host, port)),
        None => fill(cmd, host, port),
    };
    // A cap on processes that binds: the program's own uid, or the root
    // of our own user namespace (pid 1 there), never root itself.
    let cap_processes = run_as.is_some() || std::process::id() == 1;
    let mut command = Command::new("strace");
    command
        .args(STRACE_ARGS)
        .args(
            inject
                .iter()
                .flat_map(|i| ["-e".to_string(), format!("inject={i}")]),
        )
        .arg("-o")
        .arg(dir.join("strace.log"))
        .arg("--")
        .args(program)
        .env("SOCKLAB_HOST", host)
        .env("SOCKLAB_PORT", port.to_string())
        // A socklab program's own trace would mix with its output.
        .env("SOCKLAB_TRACE", "off")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: only async-signal-safe calls (setpgid, setrlimit) between
    // fork and exec.
    unsafe {
        command.pre_exec(move || {
            // Its own process group, so a timeout kills it and all it forked.
            libc::setpgid(0, 0);
            let limit = |what, n: u64| {
                let r = libc::rlimit {
                    rlim_cur: n,
                    rlim_max: n,
                };
                libc::setrlimit(what, &r);
            };
            // SIGXCPU at the soft limit, SIGKILL a second later.
            libc::setrlimit(
                libc::RLIMIT_CPU,
                &libc::rlimit {
                    rlim_cur: cpu_secs,
                    rlim_max: cpu_secs + 1,
                },
            );
            limit(libc::RLIMIT_NOFILE, MAX_OPEN_FILES);
            // At least 1 GiB of address space, so language runtimes start.
            limit(libc::RLIMIT_AS, 2 << 30);
            // Output and strace's log, each at most 64 MiB.
            limit(libc::RLIMIT_FSIZE, super::verdict::MAX_FILE_BYTES);
            if cap_processes {
                limit(libc::RLIMIT_NPROC, super::contain::MAX_PROCESSES);
            }
            Ok(())
        });
    }
    let exit = match command.spawn() {
        Ok(child) => {
            let group = child.id() as i32;
            let exit = match wait_until(child, deadline) {
                Some(status) => exit_of(status),
                None => Exit::TimedOut,
            };
            // strace that died (of SIGXFSZ on its log) leaves its tracees
            // running: end the group, and the run's uid, in every case.
            super::contain::end_leftovers(run_as.map(|w| w.uid), group);
            exit
        }
        Err(e) => Exit::NotStarted(format!("strace: {e}")),
    };
    exit
}

/// Wait for `child` until `deadline`; past it, kill its process group
/// and say None.
pub fn wait_until(mut child: Child, deadline: Instant) -> Option<ExitStatus> {
    let pid = child.id() as i32;
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let status = match rx.recv_timeout(left) {
        Ok(Ok(status)) => Some(status),
        _ => {
            // SAFETY: signals to the group we made; it has not been reaped
            // (the waiter still holds it), so the id is still ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
                libc::kill(pid, libc::SIGKILL);
            }
            None
        }
    };
    let _ = waiter.join();
    status
}

fn exit_of(status: ExitStatus) -> Exit {
    match (status.code(), status.signal()) {
        (Some(c), _) => Exit::Code(c),
        (None, Some(s)) => Exit::Signal(s),
        _ => Exit::NotStarted("no status".into()),
    }
}

/// Read what a run left in `dir` (at most 1 MiB of stdout, 64 KiB of
/// stderr, 64 MiB of log).
pub fn read_files(dir: &Path) -> RunFiles {
    let read = |name: &str, cap: u64| {
        let mut buf = Vec::new();
        if let Ok(f) = File::open(dir.join(name)) {
            let _ = f.take(cap).read_to_end(&mut buf);
        }
        buf
    };
    RunFiles {
        log: String::from_utf8_lossy(&read("strace.log", 64 << 20)).into_owned(),
        stdout: read("stdout", 1 << 20),
        stderr: read("stderr", 64 << 10),
    }
}

/// Whether `unshare FLAGS --fork` works here: `-rnp` needs unprivileged
/// user namespaces (or root), `-np` needs root.
pub fn namespaces_work(flags: &str) -> bool {
    Command::new("unshare")
        .args([flags, "--fork", "--", "ip", "link", "set", "lo", "up"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Inside the namespace: bring loopback up, run, and leave the exit and
/// the peer's report in `dir` for the grader outside.
pub fn inside(
    ex: &Exercise,
    cmd: &[OsString],
    dir: &Path,
    limit: Duration,
    setup: Setup,
) -> std::io::Result<()> {
    let up = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()?;
    if !up.success() {
        return Err(std::io::Error::other("ip link set lo up failed"));
    }
    let (exit, peer) = run_here(ex, cmd, dir, Some(NAMESPACE_PORT), limit, setup);
    let exit_text = match exit {
        Exit::Code(c) => format!("code {c}"),
        Exit::Signal(s) => format!("signal {s}"),
        Exit::TimedOut => "timeout".to_string(),
        Exit::NotStarted(why) => format!("not-started {why}"),
    };
    for (k, received) in peer.received.iter().enumerate() {
        std::fs::write(dir.join(format!("peer_received.{k}")), received)?;
    }
    if let Some(e) = &peer.error {
        std::fs::write(dir.join("peer_error"), e)?;
    }
    // Written last: its presence says the rest is there.
    std::fs::write(dir.join("exit"), exit_text)
}

/// Outside the namespace: what `inside` left.
pub fn read_inside(dir: &Path) -> (Exit, PeerReport) {
    let exit = match std::fs::read_to_string(dir.join("exit")) {
        Ok(t) => match t.split_once(' ').unwrap_or((&t, "")) {
            ("code", n) => Exit::Code(n.parse().unwrap_or(-1)),
            ("signal", n) => Exit::Signal(n.parse().unwrap_or(0)),
            ("timeout", _) => Exit::TimedOut,
            (_, why) => Exit::NotStarted(why.to_string()),
        },
        Err(_) => Exit::TimedOut,
    };
    let peer = PeerReport {
        received: (0..)
            .map_while(|k| std::fs::read(dir.join(format!("peer_received.{k}"))).ok())
            .collect(),
        error: std::fs::read_to_string(dir.join("peer_error")).ok(),
    };
    (exit, peer)
}
