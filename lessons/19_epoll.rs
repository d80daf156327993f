//! Lesson 19 · epoll: one thread, many connections, up to 10,000.
//!
//! ```text
//! server: socket → bind → listen → epoll_create1 → epoll_ctl(ADD listener)
//!         → epoll_wait ─┬─ listener ready → accept → epoll_ctl(ADD data fd)
//!              ▲        └─ data fd ready  → recv → send (or recv = 0 → close)
//!              └──────────────┘
//! ```
//!
//! An epoll instance is a list of watched fds that lives in the kernel:
//! `epoll_wait` returns only the ones that are ready. The default run has
//! two clients, one watched level-triggered and one edge-triggered, and
//! shows the difference on the same bytes: after a partial read the
//! level-triggered fd is reported again and the edge-triggered one is not,
//! though its bytes still wait (the classic bug: a server that reads less
//! than everything under EPOLLET stalls). The fix is to read until EAGAIN.
//!
//! `--clients N` is the scale mode: an epoll server in this process and N
//! clients in a forked one, all connected at once and each echo-verified,
//! with the calls counted as `strace -c` counts them.

use socklab::process::{fork, wait_any_nohang, waitpid, Forked};
use socklab::trace::{self, Side};
use socklab::{
    Connection, Epoll, EpollEvent, EpollFlags, Errno, FileFlags, Listener, MsgFlags, SockAddr,
    SockOpt, Socket,
};
use socklab_tools::kernel;
use socklab_tools::lesson::{self, josa, Lesson, LessonError, Outcome};
use std::time::{Duration, Instant};

/// Lesson 19's own flags.
#[derive(clap::Args, Clone, Debug, Default)]
struct Scale {
    /// Scale mode: serve N clients at once from one epoll thread; the
    /// clients run in a forked process, the calls are counted (strace -c).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    clients: Option<u32>,
}

/// What each default-run client sends: 13 bytes.
const HELLO: &[u8] = b"hello, epoll\n";
/// How much the server reads at first: less than arrived.
const PART: usize = 4;
/// epoll_wait's short timeout, in ms, where nothing is expected.
const SHORT_MS: i32 = 100;
/// How long the scale mode's server waits before it looks whether the
/// clients' process is still there.
const IDLE_MS: i32 = 200;
/// The calls shown as they happen, and kept for the end, in scale mode.
const FIRST_LINES: usize = 6;
const LAST_LINES: usize = 4;

fn main() {
    lesson::run_with(19, |l, scale: Scale| match scale.clients {
        Some(n) => scale_mode(l, n as usize),
        None => flow(l),
    })
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let (listener, here) = l.listening_socket(&addr)?;

    l.step(
        "epoll_create1",
        "an epoll instance: a watch list kept in the kernel. It is an fd of its own, not a socket.",
        "epoll 인스턴스를 만듭니다: 커널 안에 있는 관찰 대상 목록입니다. 소켓이 아닌 별도의 fd입니다.",
    );
    let ep = Epoll::new()?;
    show_epoll_fd(l, &ep);

    l.step(
        "epoll_ctl",
        "EPOLL_CTL_ADD the listening socket, for EPOLLIN: readable means a client waits to be accepted. data is what epoll_wait hands back: here, the fd.",
        "리스닝 소켓을 EPOLLIN으로 EPOLL_CTL_ADD합니다: 읽을 수 있다는 것은 수락을 기다리는 클라이언트가 있다는 뜻입니다. data는 epoll_wait가 돌려줄 값이며, 여기서는 fd입니다.",
    );
    ep.add(&listener, EpollFlags::IN, listener.fd() as u64)?;

    if l.interactive() {
        return serve_outside_clients(l, &listener, &ep, &here);
    }

    // Two clients in one thread of this program. Cues (memory, not the
    // network) keep each step in order, so the run is the same every time.
    let (say_connected, connected) = lesson::cue::<()>();
    let (say_send, send_now) = lesson::cue::<()>();
    let (say_sent, sent) = lesson::cue::<()>();
    let (say_got_a, got_a) = lesson::cue::<()>();
    let (say_echoed, echoed) = lesson::cue::<()>();
    let client = l.peer(Side::Client, &here, move |l, here| {
        l.say(
            "socket and connect, twice: clients A and B",
            "socket과 connect를 두 번: 클라이언트 A와 B",
        );
        let a = Socket::new(here.family())?.connect(&here)?;
        let b = Socket::new(here.family())?.connect(&here)?;
        say_connected.give(());
        send_now.wait();
        l.say(
            &format!("A and B each send {} bytes", HELLO.len()),
            &format!("A와 B가 각각 {}바이트를 send합니다", HELLO.len()),
        );
        a.send(HELLO, MsgFlags::NONE)?;
        b.send(HELLO, MsgFlags::NONE)?;
        say_sent.give(());
        for c in [&a, &b] {
            let mut buf = [0u8; 64];
            let mut got = 0;
            while got < HELLO.len() {
                let n = c.recv(&mut buf[got..], MsgFlags::NONE)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            if std::ptr::eq(c, &a) {
                // A's echo is in: the server may go on to its next wait.
                say_got_a.give(());
            }
        }
        l.say(
            "both echoes are back: close A, then B",
            "두 에코가 모두 돌아왔습니다: A, B 순서로 close합니다",
        );
        a.close()?;
        b.close()?;
        say_echoed.give(());
        Ok(())
    });

    connected.wait();
    // The last ACK of each handshake lands a moment after connect returns:
    // wait (on /proc, no system call) until both are in the accept queue.
    let _ = kernel::wait_for(Duration::from_secs(2), || {
        Ok(kernel::tcp_by_local_port(here.port().unwrap_or(0))?
            .into_iter()
            .find(|v| v.state == Some(kernel::TcpState::Listen) && v.rx_queue >= 2))
    });
    let mut events = [EpollEvent::EMPTY; 8];

    l.step(
        "epoll_wait",
        "wait for any watched fd to be ready (-1: no time limit). Two clients are in the accept queue.",
        "관찰 중인 fd 중 어느 것이든 준비될 때까지 기다립니다(-1: 시간 제한 없음). 연결 요청 대기 큐에 클라이언트 둘이 있습니다.",
    );
    let n = ep.wait(&mut events, -1)?;
    say_ready(l, &events[..n]);
    l.kernel(&listener);

    l.step(
        "accept",
        "the listener was ready: accept cannot block now.",
        "리스닝 소켓이 준비되었으니 accept는 기다리지 않습니다.",
    );
    let (lt, lt_peer) = listener.accept()?;
    l.step(
        "epoll_ctl",
        "watch client A's data socket for EPOLLIN, level-triggered (the default).",
        "클라이언트 A의 연결된 소켓을 EPOLLIN으로 관찰합니다. 레벨 트리거(기본값)입니다.",
    );
    ep.add(&lt, EpollFlags::IN, lt.fd() as u64)?;

    l.step(
        "epoll_wait",
        "one client still waits in the accept queue, so the listener is still ready.",
        "연결 요청 대기 큐에 클라이언트 하나가 아직 남아 있으니 리스닝 소켓은 여전히 준비 상태입니다.",
    );
    let n = ep.wait(&mut events, -1)?;
    say_ready(l, &events[..n]);
    l.say(
        &format!(
            "level-triggered: the listener is reported again while a connection waits (fd {} again).",
            listener.fd()
        ),
        &format!(
            "레벨 트리거: 연결 요청이 남아 있는 동안 리스닝 소켓은 다시 보고됩니다(다시 fd {}).",
            listener.fd()
        ),
    );
    l.step(
        "accept",
        "client B.",
        "클라이언트 B의 연결 요청을 수락합니다.",
    );
    let (et, et_peer) = listener.accept()?;
    l.step(
        "epoll_ctl",
        "watch client B's data socket for EPOLLIN|EPOLLET: edge-triggered, reported when it *becomes* readable.",
        "클라이언트 B의 연결된 소켓을 EPOLLIN|EPOLLET으로 관찰합니다: 엣지 트리거는 읽을 수 있는 상태가 *되는* 순간에 보고합니다.",
    );
    ep.add(&et, EpollFlags::IN | EpollFlags::ET, et.fd() as u64)?;

    say_send.give(());
    sent.wait();
    for peer in [&lt_peer, &et_peer] {
        let _ = kernel::wait_for_tcp(&here, peer, Duration::from_secs(2), |v| {
            v.rx_queue >= HELLO.len() as u64
        });
    }
    l.step(
        "epoll_wait",
        "both clients have sent: both data sockets are ready.",
        "두 클라이언트가 모두 보냈으니 두 연결된 소켓이 모두 준비되었습니다.",
    );
    let n = ep.wait(&mut events, -1)?;
    say_ready(l, &events[..n]);

    let mut got_lt = Vec::new();
    let mut got_et = Vec::new();
    let mut buf = [0u8; 64];
    l.step(
        "recv",
        &format!("read only {PART} bytes from A, leaving the rest in the kernel."),
        &format!("A에서 {PART}바이트만 읽고 나머지는 커널에 남겨 둡니다."),
    );
    let k = lt.recv(&mut buf[..PART], MsgFlags::NONE)?;
    got_lt.extend_from_slice(&buf[..k]);
    l.step(
        "recv",
        &format!("the same with B: {PART} bytes only."),
        &format!("B도 마찬가지로 {PART}바이트만 읽습니다."),
    );
    let k = et.recv(&mut buf[..PART], MsgFlags::NONE)?;
    got_et.extend_from_slice(&buf[..k]);
    l.kernel(&lt);
    l.kernel(&et);

    l.step(
        "epoll_wait",
        &format!("both still hold bytes. Wait at most {SHORT_MS} ms."),
        &format!("둘 다 아직 바이트가 남아 있습니다. 최대 {SHORT_MS}ms 기다립니다."),
    );
    let n = ep.wait(&mut events, SHORT_MS)?;
    say_ready(l, &events[..n]);
    l.say(
        &format!(
            "only fd {}: level-triggered reports A again, for as long as bytes wait; edge-triggered B is not reported, since nothing new arrived.",
            lt.fd()
        ),
        &format!(
            "fd {}만 보고되었습니다: 레벨 트리거인 A는 바이트가 남아 있는 한 다시 보고되고, 엣지 트리거인 B는 새로 도착한 것이 없으니 보고되지 않습니다.",
            lt.fd()
        ),
    );

    l.step(
        "recv",
        "the rest of A's bytes.",
        "A에 남은 바이트를 읽습니다.",
    );
    let k = lt.recv(&mut buf, MsgFlags::NONE)?;
    got_lt.extend_from_slice(&buf[..k]);
    l.step(
        "send",
        "A's line is whole: echo it.",
        "A의 줄이 다 모였으니 에코합니다.",
    );
    send_all(&lt, &got_lt)?;
    // Client A's recv of this echo comes before the next step, every run.
    got_a.wait();

    l.step(
        "epoll_wait",
        &format!("A is drained; B still holds bytes. Wait at most {SHORT_MS} ms again."),
        &format!("A는 다 읽었고 B에는 아직 바이트가 있습니다. 다시 최대 {SHORT_MS}ms 기다립니다."),
    );
    let n = ep.wait(&mut events, SHORT_MS)?;
    say_ready(l, &events[..n]);
    let waiting = HELLO.len() - got_et.len();
    l.kernel(&et);
    l.say(
        &format!(
            "nothing, though {waiting} bytes wait on fd {}: the edge-triggered bug. A server that read once and went back to epoll_wait would wait here for ever, and client B with it.",
            et.fd()
        ),
        &format!(
            "fd {}에 {waiting}바이트가 남아 있는데도 아무것도 보고되지 않았습니다: 엣지 트리거의 전형적인 버그입니다. 한 번만 읽고 epoll_wait로 돌아간 서버는 여기서 영원히 기다리고, 클라이언트 B도 함께 멈춥니다.",
            et.fd()
        ),
    );

    l.step(
        "fcntl",
        "the fix: read until EAGAIN. First make B nonblocking, so the read that finds nothing returns instead of waiting. F_GETFL, then F_SETFL with O_NONBLOCK.",
        "해결책은 EAGAIN이 나올 때까지 읽는 것입니다. 먼저 B를 넌블로킹으로 만들어, 읽을 것이 없을 때 기다리지 않고 돌아오게 합니다. F_GETFL 후 O_NONBLOCK을 더해 F_SETFL합니다.",
    );
    let flags = et.fcntl_getfl()?;
    et.fcntl_setfl(flags | FileFlags::NONBLOCK)?;
    loop {
        l.step(
            "recv",
            "read B until EAGAIN.",
            "B에서 EAGAIN이 나올 때까지 읽습니다.",
        );
        match et.recv(&mut buf, MsgFlags::NONE) {
            Ok(0) => break,
            Ok(k) => got_et.extend_from_slice(&buf[..k]),
            Err(e) if e.errno == Errno::EAGAIN => {
                l.say(
                    "EAGAIN: B is drained. Only now may an edge-triggered server go back to epoll_wait.",
                    "EAGAIN: B를 다 읽었습니다. 엣지 트리거 서버는 이제야 epoll_wait로 돌아가도 됩니다.",
                );
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    l.step("send", "echo B's line.", "B의 줄을 에코합니다.");
    send_all(&et, &got_et)?;

    echoed.wait();
    for peer in [&lt_peer, &et_peer] {
        let _ = kernel::wait_for_tcp(&here, peer, Duration::from_secs(2), |v| {
            v.state == Some(kernel::TcpState::CloseWait)
        });
    }
    l.step(
        "epoll_wait",
        "both clients have closed: a FIN makes a socket readable (recv will return 0), and for B it is a new edge.",
        "두 클라이언트가 모두 닫았습니다: FIN이 오면 소켓은 읽을 수 있는 상태가 되고(recv가 0을 돌려줌), B에게는 새 엣지입니다.",
    );
    let n = ep.wait(&mut events, -1)?;
    say_ready(l, &events[..n]);
    for conn in [lt, et] {
        l.step(
            "recv",
            "0: the client closed.",
            "0: 클라이언트가 닫았습니다.",
        );
        let k = conn.recv(&mut buf, MsgFlags::NONE)?;
        if k != 0 {
            return Err(LessonError::Message {
                en: format!("expected recv to return 0 after the client's close, got {k}"),
                ko: format!("클라이언트가 닫은 뒤 recv가 0을 돌려줄 줄 알았지만 {k}였습니다"),
            });
        }
        l.step("close", "close the data socket.", "연결된 소켓을 닫습니다.");
        conn.close()?;
    }
    client.join();

    l.step(
        "close",
        "close the epoll fd, as any other fd.",
        "epoll fd도 다른 fd처럼 닫습니다.",
    );
    ep.close()?;
    l.step(
        "close",
        "and the listening socket.",
        "리스닝 소켓도 닫습니다.",
    );
    listener.close()?;
    l.say(
        "Try `socklab run 19 --clients 10000`: one epoll thread, ten thousand clients.",
        "`socklab run 19 --clients 10000`도 실행해 보세요: epoll 스레드 하나가 클라이언트 1만 개를 처리합니다.",
    );
    Ok(())
}

/// The epoll fd in /proc/self/fd: not `socket:[…]` but an anonymous inode.
fn show_epoll_fd(l: &Lesson, ep: &Epoll) {
    let target = std::fs::read_link(format!("/proc/self/fd/{}", ep.fd()))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| e.to_string());
    l.text(&format!("   /proc/self/fd/{} -> {target}", ep.fd()));
}

/// Say which fds epoll_wait reported.
fn say_ready(l: &Lesson, ready: &[EpollEvent]) {
    if ready.is_empty() {
        l.say(
            "epoll_wait returned 0: no fd became ready in time.",
            "epoll_wait가 0을 돌려줬습니다: 시간 안에 준비된 fd가 없습니다.",
        );
        return;
    }
    let fds: Vec<String> = ready.iter().map(|e| e.data().to_string()).collect();
    let list = fds.join(", ");
    l.say(&format!("ready: fd {list}"), &format!("준비된 fd: {list}"));
}

/// send may queue fewer bytes than asked: send the rest too.
fn send_all(conn: &Connection, bytes: &[u8]) -> Outcome {
    let mut sent = 0;
    while sent < bytes.len() {
        sent += conn.send(&bytes[sent..], MsgFlags::NONE)?;
    }
    Ok(())
}

/// `--wait`: an echo server for outside clients (`nc`), as many at once
/// as connect, all from this one thread, level-triggered. It ends when
/// the last client has gone, or when nothing happens for `--timeout`.
fn serve_outside_clients(
    l: &'static Lesson,
    listener: &Listener,
    ep: &Epoll,
    here: &SockAddr,
) -> Outcome {
    let nc = lesson::nc_args(here);
    l.say(
        &format!("\n→ In other terminals, connect as many clients as you like: nc {nc}   Each line comes back. The lesson ends when the last client leaves."),
        &format!("\n→ 다른 터미널 여러 개에서 원하는 만큼 접속하세요: nc {nc}   입력한 줄이 그대로 돌아옵니다. 마지막 클라이언트가 나가면 실습이 끝납니다."),
    );
    let ms = (l.args.timeout.saturating_mul(1000)).min(i32::MAX as u64) as i32;
    let mut clients: Vec<Option<Connection>> = Vec::new();
    let mut served = 0usize;
    let mut events = [EpollEvent::EMPTY; 16];
    let mut buf = [0u8; 512];
    loop {
        let n = ep.wait(&mut events, ms)?;
        if n == 0 {
            let secs = l.args.timeout;
            return Err(LessonError::Message {
                en: format!("nothing happened within {secs} s (--timeout)"),
                ko: format!("{secs}초 동안 아무 일도 없었습니다 (--timeout)"),
            });
        }
        for e in &events[..n] {
            let fd = e.data() as usize;
            if fd == listener.fd() as usize {
                let (conn, peer) = listener.accept()?;
                l.say(
                    &format!("client {peer}: fd {}", conn.fd()),
                    &format!("클라이언트 {peer}: fd {}", conn.fd()),
                );
                ep.add(&conn, EpollFlags::IN, conn.fd() as u64)?;
                let slot = conn.fd() as usize;
                if clients.len() <= slot {
                    clients.resize_with(slot + 1, || None);
                }
                clients[slot] = Some(conn);
                served += 1;
                continue;
            }
            let Some(conn) = clients.get(fd).and_then(Option::as_ref) else {
                continue;
            };
            let k = conn.recv(&mut buf, MsgFlags::NONE)?;
            if k == 0 {
                if let Some(conn) = clients[fd].take() {
                    conn.close()?;
                }
            } else {
                send_all(conn, &buf[..k])?;
            }
        }
        if served > 0 && clients.iter().all(Option::is_none) {
            return Ok(());
        }
    }
}

// ---------------------------------------------------------------------
// Scale mode: --clients N
// ---------------------------------------------------------------------

/// fds a process needs beyond one per connection: stdin, stdout, stderr,
/// the listening socket, the epoll fd, and the lesson's /proc files and
/// record file (kept at fd 100 and up).
const SPARE_FDS: u64 = 120;

fn scale_mode(l: &'static Lesson, clients: usize) -> Outcome {
    if l.interactive() {
        return Err(LessonError::Message {
            en: "--clients plays its own clients: it does not go with --wait".into(),
            ko: "--clients는 클라이언트를 직접 실행하므로 --wait와 함께 쓸 수 없습니다".into(),
        });
    }
    // A generous limit for a big run on a slow machine: about 1 s per
    // 1,000 clients, at least 10.
    l.allow_secs(10 + clients as u64 / 1000);
    open_file_limit(l, clients)?;
    let ports = ephemeral_ports(l, clients);

    let addr = l.addr()?;
    l.step(
        "socket",
        "the server's listening socket: socket, SO_REUSEADDR, bind, listen with a long backlog (thousands of clients connect at once), getsockname.",
        "서버의 리스닝 소켓: socket, SO_REUSEADDR, bind, 긴 연결 요청 대기 큐로 listen(클라이언트 수천 개가 한꺼번에 접속합니다), getsockname.",
    );
    let server = Socket::new(addr.family())?;
    server.setsockopt(SockOpt::ReuseAddr(true))?;
    server.bind(&addr)?;
    // The kernel caps the backlog at net.core.somaxconn (4096 here).
    let listener = server.listen(4096)?;
    let here = listener.getsockname()?;

    trace::count_calls(FIRST_LINES, LAST_LINES);
    l.say(
        &format!("\nFrom here on, calls are counted as `strace -c` counts them: each process shows its first {FIRST_LINES} calls, then its last {LAST_LINES} and a table at the end (--record FILE keeps every one)."),
        &format!("\n여기부터는 `strace -c`처럼 시스템 콜의 수를 셉니다: 프로세스마다 처음 {FIRST_LINES}개를 보여 주고, 끝에 마지막 {LAST_LINES}개와 표를 보여 줍니다(--record FILE은 모두 기록합니다)."),
    );
    l.step(
        "fork",
        &format!("the {clients} clients run in a child process: each process may hold only so many fds, and the server's memory is then its own."),
        &format!("클라이언트 {clients}개는 자식 프로세스에서 실행합니다: 프로세스 하나가 가질 수 있는 fd 수에는 한도가 있고, 이렇게 하면 서버의 메모리만 따로 잴 수 있습니다."),
    );
    let started = Instant::now();
    let child = match fork()? {
        Forked::Child => {
            let code = match run_clients(l, listener, &here, clients, ports) {
                Ok(()) => 0,
                Err(e) => {
                    socklab::output::eprintln_quiet(&format!(
                        "socklab {} 19: {}",
                        l.lang.pick("lesson", "실습"),
                        l.describe(&e)
                    ));
                    1
                }
            };
            std::process::exit(code);
        }
        Forked::Parent(child) => child,
    };

    let served = match serve(&listener, clients) {
        Ok(served) => served,
        // The clients' process has ended early and said why, in one line:
        // that line is the lesson's.
        Err(Stop::ClientsEnded) => {
            trace::flush();
            std::process::exit(1);
        }
        Err(Stop::Failed(e)) => {
            // Take the clients' process down with the server, silently.
            // SAFETY: a signal to our own child.
            unsafe { libc::kill(child.raw(), libc::SIGKILL) };
            let _ = waitpid(child);
            return Err(e);
        }
    };
    let took = started.elapsed();
    let status = waitpid(child)?;
    listener.close()?;
    let summary = trace::take_summary().unwrap_or_default();
    show_summary(l, Side::Server, &summary);
    if !status.success() {
        return Err(LessonError::Message {
            en: format!("the clients' process {status}"),
            ko: format!("클라이언트 프로세스가 비정상 종료했습니다: {status}"),
        });
    }
    let rss = peak_rss_kib();
    l.say(
        &format!(
            "\nThe server held {} connections at once, from one thread and one epoll instance, and echoed {} lines in {:.2} s. Its peak memory (VmHWM in /proc/{}/status): {}.",
            served.most_open,
            served.echoed,
            took.as_secs_f64(),
            std::process::id(),
            rss.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
        ),
        &format!(
            "\n서버는 스레드 하나와 epoll 인스턴스 하나로 연결 {}개를 동시에 유지했고, {:.2}초 동안 {}줄을 에코했습니다. 최대 메모리 사용량(/proc/{}/status의 VmHWM): {}.",
            served.most_open,
            took.as_secs_f64(),
            served.echoed,
            std::process::id(),
            rss.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
        ),
    );
    Ok(())
}

/// Why the scale mode's server stopped before serving every client.
enum Stop {
    /// The clients' process ended first (it said why).
    ClientsEnded,
    Failed(LessonError),
}

impl<E: Into<LessonError>> From<E> for Stop {
    fn from(e: E) -> Stop {
        Stop::Failed(e.into())
    }
}

/// What the server saw in scale mode.
struct Served {
    /// The most connections open at one moment.
    most_open: usize,
    echoed: usize,
}

/// The epoll server of the scale mode: a nonblocking listener accepted
/// from until EAGAIN, data sockets watched level-triggered, each line
/// echoed, each socket closed when its client closes. Ends when `clients`
/// have come and gone.
fn serve(listener: &Listener, clients: usize) -> Result<Served, Stop> {
    // Accept until EAGAIN on each wake-up: many clients arrive at once.
    listener.fcntl_setfl(listener.fcntl_getfl()? | FileFlags::NONBLOCK)?;
    let ep = Epoll::new()?;
    let listen_fd = listener.fd() as u64;
    ep.add(listener, EpollFlags::IN, listen_fd)?;
    let mut conns: Vec<Option<Connection>> = Vec::new();
    let (mut open, mut most_open, mut closed, mut echoed) = (0usize, 0usize, 0usize, 0usize);
    let mut events = vec![EpollEvent::EMPTY; 256];
    let mut buf = [0u8; 256];
    while closed < clients {
        // A short timeout: when nothing happens, see whether the clients'
        // process has ended (it cannot connect them all, say).
        let n = ep.wait(&mut events, IDLE_MS)?;
        if n == 0 {
            if wait_any_nohang()?.is_some() {
                return Err(Stop::ClientsEnded);
            }
            continue;
        }
        for e in &events[..n] {
            let data = e.data();
            if data == listen_fd {
                loop {
                    match listener.accept() {
                        Ok((conn, _)) => {
                            ep.add(&conn, EpollFlags::IN, conn.fd() as u64)?;
                            let slot = conn.fd() as usize;
                            if conns.len() <= slot {
                                conns.resize_with(slot + 1, || None);
                            }
                            conns[slot] = Some(conn);
                            open += 1;
                            most_open = most_open.max(open);
                        }
                        Err(e) if e.errno == Errno::EAGAIN => break,
                        Err(e) => return Err(e.into()),
                    }
                }
                continue;
            }
            let slot = data as usize;
            let Some(conn) = conns.get(slot).and_then(Option::as_ref) else {
                continue;
            };
            let k = conn.recv(&mut buf, MsgFlags::NONE)?;
            if k == 0 {
                if let Some(conn) = conns[slot].take() {
                    conn.close()?;
                }
                open -= 1;
                closed += 1;
            } else {
                send_all(conn, &buf[..k])?;
                echoed += 1;
            }
        }
    }
    ep.close()?;
    Ok(Served { most_open, echoed })
}

/// The clients' process: connect all `n` (each held open), then send a
/// line of its own on each, then read each echo and check it, then close
/// them all.
fn run_clients(
    l: &'static Lesson,
    listener: Listener,
    here: &SockAddr,
    n: usize,
    ports: Option<u64>,
) -> Outcome {
    trace::set_side(Side::Client);
    trace::count_calls(FIRST_LINES, LAST_LINES);
    // The listening socket is the server's: this process's copy goes.
    listener.close()?;
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        let sock = Socket::new(here.family())?;
        match sock.connect(here) {
            Ok(c) => conns.push(c),
            Err(e) if e.error.errno == Errno::EADDRNOTAVAIL => {
                let range = ports.map_or("?".into(), |p| p.to_string());
                return Err(LessonError::Message {
                    en: format!("connect failed with EADDRNOTAVAIL after {i} clients: the ephemeral ports ({range} in net.ipv4.ip_local_port_range) are all in use toward {here}; ask for fewer clients or widen the range"),
                    ko: format!("클라이언트 {i}개 다음에 connect가 EADDRNOTAVAIL로 실패했습니다: {} 가는 임시 포트(net.ipv4.ip_local_port_range의 {range}개)를 모두 쓰고 있습니다. 클라이언트 수를 줄이거나 범위를 넓히세요", josa::ro(here)),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    let held = conns.len();
    for (i, c) in conns.iter().enumerate() {
        c.send(line_of(i).as_bytes(), MsgFlags::NONE)?;
    }
    let mut verified = 0;
    let mut buf = [0u8; 64];
    for (i, c) in conns.iter().enumerate() {
        let want = line_of(i);
        let mut got = 0;
        while got < want.len() {
            let k = c.recv(&mut buf[got..want.len()], MsgFlags::NONE)?;
            if k == 0 {
                break;
            }
            got += k;
        }
        if &buf[..got] == want.as_bytes() {
            verified += 1;
        }
    }
    for c in conns {
        c.close()?;
    }
    let summary = trace::take_summary().unwrap_or_default();
    show_summary(l, Side::Client, &summary);
    l.say(
        &format!("clients: {held} connected at once, {verified} of {n} echoes verified"),
        &format!(
            "클라이언트: {held}개가 동시에 연결되었고, 에코 {n}개 중 {verified}개가 확인되었습니다"
        ),
    );
    if verified != n {
        return Err(LessonError::Message {
            en: format!("{} echoes did not come back as sent", n - verified),
            ko: format!("에코 {}개가 보낸 그대로 돌아오지 않았습니다", n - verified),
        });
    }
    Ok(())
}

/// Client i's line: each one different, so a mixed-up echo shows.
fn line_of(i: usize) -> String {
    format!("client {i}\n")
}

/// The last calls kept, then the table, under a heading naming the process.
fn show_summary(l: &Lesson, side: Side, s: &trace::Summary) {
    // With --trace off and no record, no call reaches the tracer: there
    // is nothing to count.
    if !trace::enabled() {
        return;
    }
    let pid = std::process::id();
    let (en, ko) = match side {
        Side::Server => ("the server", "서버"),
        Side::Client => ("the clients", "클라이언트"),
    };
    if s.hidden > 0 {
        l.text(l.lang.pick(
            &format!(
                "   … {} more calls of {en} (pid {pid}), counted but not shown …",
                s.hidden
            ),
            &format!(
                "   … {ko}(pid {pid})의 시스템 콜 {}개는 세기만 하고 보여 주지 않았습니다 …",
                s.hidden
            ),
        ));
    }
    let mut lines = String::new();
    for call in &s.last {
        lines.push_str(&trace::format_in_view(call));
    }
    socklab::output::write_stdout(&lines);
    l.text(l.lang.pick(
        &format!(
            "\nCalls of {en} (pid {pid}), as strace -c -w counts them:\n{}",
            s.table()
        ),
        &format!(
            "\n{ko}(pid {pid})의 시스템 콜, strace -c -w처럼 센 결과:\n{}",
            s.table()
        ),
    ));
}

/// Raise the soft limit on open files to the hard limit, and say so; fail
/// in one line when even the hard limit cannot hold `clients` sockets
/// (each process holds one end of every connection).
fn open_file_limit(l: &Lesson, clients: usize) -> Outcome {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(LessonError::Message {
            en: "cannot read RLIMIT_NOFILE".into(),
            ko: "RLIMIT_NOFILE을 읽을 수 없습니다".into(),
        });
    }
    let need = clients as u64 + SPARE_FDS;
    if lim.rlim_max != libc::RLIM_INFINITY && lim.rlim_max < need {
        let most = lim.rlim_max.saturating_sub(SPARE_FDS);
        return Err(LessonError::Message {
            en: format!(
                "--clients {clients} needs {need} open files in each process, but the hard limit on open files (RLIMIT_NOFILE, ulimit -Hn) is {}: ask for at most {most} clients",
                lim.rlim_max
            ),
            ko: format!(
                "--clients {clients}에는 프로세스마다 파일 {need}개를 열 수 있어야 하지만, 열린 파일 수의 하드 한도(RLIMIT_NOFILE, ulimit -Hn)는 {}입니다: 클라이언트를 {most}개 이하로 요청하세요",
                lim.rlim_max
            ),
        });
    }
    let old = lim.rlim_cur;
    if old != lim.rlim_max {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: setrlimit reads one rlimit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(LessonError::Message {
                en: "cannot raise the soft RLIMIT_NOFILE".into(),
                ko: "RLIMIT_NOFILE의 소프트 한도를 올릴 수 없습니다".into(),
            });
        }
    }
    let max = if lim.rlim_max == libc::RLIM_INFINITY {
        "unlimited".to_string()
    } else {
        lim.rlim_max.to_string()
    };
    if old == lim.rlim_max {
        l.say(
            &format!("open files: the soft limit (RLIMIT_NOFILE) is already the hard limit, {max}; {clients} clients need {need} in each process."),
            &format!("열린 파일 수: 소프트 한도(RLIMIT_NOFILE)가 이미 하드 한도인 {max}입니다. 클라이언트 {clients}개에는 프로세스마다 {need}개가 필요합니다."),
        );
    } else {
        l.say(
            &format!("open files: raised the soft limit (RLIMIT_NOFILE) from {old} to the hard limit, {max}; {clients} clients need {need} in each process."),
            &format!("열린 파일 수: 소프트 한도(RLIMIT_NOFILE)를 {old}에서 하드 한도인 {max}로 올렸습니다. 클라이언트 {clients}개에는 프로세스마다 {need}개가 필요합니다."),
        );
    }
    Ok(())
}

/// How many ephemeral ports connect can pick from
/// (/proc/sys/net/ipv4/ip_local_port_range), said once.
fn ephemeral_ports(l: &Lesson, clients: usize) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut it = text
        .split_whitespace()
        .filter_map(|w| w.parse::<u64>().ok());
    let (lo, hi) = (it.next()?, it.next()?);
    let ports = hi.checked_sub(lo)? + 1;
    let enough = clients as u64 <= ports;
    l.say(
        &format!(
            "ephemeral ports: {lo}–{hi}, {ports} for connect to pick from (net.ipv4.ip_local_port_range); {clients} clients to one server address need one each{}.",
            if enough { "" } else { ": not enough" }
        ),
        &format!(
            "임시 포트: {lo}–{hi}, connect가 고를 수 있는 포트는 {ports}개입니다(net.ipv4.ip_local_port_range). 서버 주소 하나로 가는 클라이언트 {clients}개는 하나씩 필요합니다{}.",
            if enough { "" } else { ": 모자랍니다" }
        ),
    );
    Some(ports)
}

/// This process's peak resident memory, in KiB: VmHWM in /proc/self/status.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
