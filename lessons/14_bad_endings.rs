//! Lesson 14 · Connections that end badly.
//!
//! Lesson 07 ended connections in order: a FIN from each side, recv
//! returning 0. This lesson shows the other endings, each in its trace:
//!
//! 1. **A reset (RST)** with SO_LINGER {on, 0}: the peer's recv fails with
//!    ECONNRESET, and the kernel keeps nothing of the connection (no
//!    TIME_WAIT on either side).
//! 2. **Closing with unread data** also sends an RST, not a FIN.
//! 3. **Sending to a peer that has closed:** the first send succeeds and
//!    draws an RST; the next gets EPIPE, and the kernel raises SIGPIPE. A
//!    Rust program ignores SIGPIPE; a C program is killed by it unless it
//!    passes MSG_NOSIGNAL or ignores the signal. A forked child, with
//!    SIGPIPE set back to its default as in C, shows both.
//! 4. **A peer process killed with SIGKILL:** its kernel closes its socket
//!    as close does, with a FIN (it had no unread data), so recv returns 0.
//! 5. **A reset before accept:** on Linux accept still succeeds, and the
//!    first recv gets ECONNRESET.
//! 6. **A connect that gets no answer:** a listener whose backlog is full
//!    drops new SYNs; a nonblocking connect and a poll with a timeout give
//!    up after 200 ms, where a blocking connect would go on for minutes.

use socklab::process::{self, ExitStatus, Forked};
use socklab::trace::{self, Side};
use socklab::{
    poll, raw, ConnectError, Errno, Listener, MsgFlags, PollFlags, SockAddr, SockFlags, SockOpt,
    Socket,
};
use socklab_tools::kernel::{self, TcpState};
use socklab_tools::lesson::{self, ForkCue, Lesson, LessonError, Outcome};
use std::time::Duration;

/// How long the client of part 6 waits for its connect to complete.
const CONNECT_TIMEOUT_MS: i32 = 200;

fn main() {
    lesson::run(14, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let (listener, here) = l.listening_socket(&addr)?;
    linger_zero(l, &listener, &here)?;
    unread_data(l, &listener, &here)?;
    sigpipe(l, &listener, &here)?;
    killed_peer(l, &listener, &here)?;
    reset_before_accept(l, &listener, &here)?;
    l.step(
        "close",
        "the listening socket: the next part needs a server with a full queue.",
        "리스닝 소켓을 닫습니다: 다음 부분에는 연결 요청 대기 큐가 가득 찬 서버가 필요합니다.",
    );
    listener.close()?;
    connect_timeout(l, &here)
}

/// Part 1: the client closes with SO_LINGER {on, 0}.
fn linger_zero(l: &'static Lesson, listener: &Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\n── 1. A reset: SO_LINGER {on, 0}, then close",
        "\n── 1. 연결 리셋(RST): SO_LINGER {on, 0}으로 설정한 뒤 close",
    );
    let (say_connected, connected) = lesson::cue::<()>();
    let (say_accepted, accepted) = lesson::cue::<()>();
    let (say_closed, closed) = lesson::cue::<()>();
    let client = l.own_peer(Side::Client, here, move |l, here| {
        l.say("a client connects", "클라이언트가 접속합니다");
        let c = Socket::new(here.family())?.connect(&here)?;
        say_connected.give(());
        if accepted.wait().is_none() {
            return Ok(());
        }
        l.say(
            "it sets SO_LINGER on, with a timeout of 0 seconds, and closes: its kernel sends an RST instead of a FIN",
            "SO_LINGER를 켜고 시간을 0초로 한 뒤 닫습니다: 클라이언트의 커널은 FIN 대신 RST를 보냅니다",
        );
        c.setsockopt(SockOpt::Linger(Some(0)))?;
        c.close()?;
        say_closed.give(());
        Ok(())
    });
    connected.wait();
    l.step(
        "accept",
        "the client's connection.",
        "클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    say_accepted.give(());
    closed.wait();
    l.step(
        "recv",
        "what does the server read now?",
        "이제 서버는 무엇을 읽을까요?",
    );
    let mut buf = [0u8; 64];
    l.expect_errno(
        conn.recv(&mut buf, MsgFlags::NONE),
        Errno::ECONNRESET,
        "recv returned -1, errno ECONNRESET: the connection was reset. An orderly close would have made recv return 0.",
        "recv가 -1을 돌려줬고 errno는 ECONNRESET입니다: 연결이 리셋되었습니다. 정상적으로 닫혔다면 recv는 0을 돌려줬을 것입니다.",
    )?;
    client.join();
    nothing_left(l, here, &peer);
    l.step(
        "close",
        "the server's fd: the connection is gone, the fd is not.",
        "서버의 fd를 닫습니다: 연결은 사라졌지만 fd는 아직 열려 있습니다.",
    );
    conn.close()?;
    Ok(())
}

/// The kernel's view after a reset: no entry for the connection, seen
/// from either side (where an orderly close leaves TIME_WAIT on the side
/// that closed first, as lesson 07 showed).
fn nothing_left(l: &Lesson, here: &SockAddr, peer: &SockAddr) {
    if !l.shows_kernel() {
        return;
    }
    let left =
        kernel::wait_for_tcp(here, peer, Duration::ZERO, |_| true).and_then(|ours| match ours {
            Some(v) => Ok(Some(v)),
            None => kernel::wait_for_tcp(peer, here, Duration::ZERO, |_| true),
        });
    match left {
        Ok(None) => l.kernel_line(l.lang.pick(
            &format!("nothing left for {here} <-> {peer} on either side: no TIME_WAIT after a reset"),
            &format!("{here} <-> {peer} 연결은 양쪽 모두 남은 것이 없습니다: RST로 끝난 연결에는 Time-wait 상태가 없습니다"),
        )),
        Ok(Some(v)) => l.kernel_line(&v.summary_in(l.lang)),
        Err(e) => l.kernel_unavailable(&e),
    }
}

/// Part 2: the client closes with bytes it has not read.
fn unread_data(l: &'static Lesson, listener: &Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\n── 2. Closing with unread data",
        "\n── 2. 읽지 않은 데이터를 둔 채 닫기",
    );
    let (say_connected, connected) = lesson::cue::<()>();
    let (say_sent, sent) = lesson::cue::<usize>();
    let (say_closed, closed) = lesson::cue::<()>();
    let client = l.own_peer(Side::Client, here, move |l, here| {
        l.say("a client connects", "클라이언트가 접속합니다");
        let c = Socket::new(here.family())?.connect(&here)?;
        say_connected.give(());
        let Some(n) = sent.wait() else {
            return Ok(());
        };
        l.say(
            "it waits until the server's bytes have arrived (POLLIN), and does not read them",
            "서버가 보낸 바이트가 도착할 때까지(POLLIN) 기다리고, 읽지는 않습니다",
        );
        poll(&[(&c, PollFlags::IN)], 2000)?;
        let fd = c.fd();
        let waiting = if l.shows_kernel() {
            l.found(kernel::wait_for(Duration::from_secs(2), || {
                Ok(kernel::view_of_fd(fd)?.filter(|v| v.rx_queue >= n as u64))
            }))
        } else {
            None
        };
        if let Some(v) = waiting {
            l.kernel_line(&format!(
                "fd {fd} = {}  ← {}",
                v.summary_in(l.lang),
                l.lang.pick(
                    "the server's bytes, not read",
                    "서버가 보낸 바이트, 읽지 않음"
                )
            ));
        }
        l.say(
            "it closes without reading them, with no SO_LINGER",
            "클라이언트는 그 바이트를 읽지 않고, SO_LINGER 없이 그냥 닫습니다",
        );
        c.close()?;
        say_closed.give(());
        Ok(())
    });
    connected.wait();
    l.step(
        "accept",
        "the client's connection.",
        "클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    l.step(
        "send",
        "bytes the client will never read.",
        "클라이언트가 끝내 읽지 않을 바이트를 보냅니다.",
    );
    let n = conn.send(b"unread\n", MsgFlags::NONE)?;
    say_sent.give(n);
    closed.wait();
    l.step("recv", "and now?", "이제는요?");
    let mut buf = [0u8; 64];
    l.expect_errno(
        conn.recv(&mut buf, MsgFlags::NONE),
        Errno::ECONNRESET,
        "ECONNRESET again, though the client called a plain close: a socket closed with unread data sends an RST, not a FIN (RFC 2525, 2.17), so that its peer knows the data was lost.",
        "이번에도 ECONNRESET입니다. 클라이언트는 평범하게 close했을 뿐인데도 그렇습니다: 읽지 않은 데이터를 둔 채 닫은 소켓은 FIN이 아니라 RST를 보냅니다 (RFC 2525, 2.17). 데이터가 버려졌다는 것을 상대가 알 수 있도록 하기 위해서입니다.",
    )?;
    client.join();
    nothing_left(l, here, &peer);
    l.step("close", "the server's fd.", "서버의 fd를 닫습니다.");
    conn.close()?;
    Ok(())
}

/// Part 3: sending to a peer that has closed, from a forked child that
/// handles SIGPIPE as a C program does.
fn sigpipe(l: &'static Lesson, listener: &Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\n── 3. Sending to a peer that has closed: EPIPE and SIGPIPE",
        "\n── 3. 이미 닫은 상대에게 보내기: EPIPE와 SIGPIPE",
    );
    l.step(
        "fork",
        "a child process plays a client written in C. (glibc's fork is the clone system call.)",
        "자식 프로세스가 C로 작성한 클라이언트 역할을 합니다. (glibc의 fork는 clone 시스템 콜입니다.)",
    );
    let cue = fork_cue()?;
    let child = match process::fork()? {
        Forked::Child => child_ends(l, sigpipe_child(l, listener, here, cue)),
        Forked::Parent(child) => child,
    };
    connected(cue)?;
    l.step(
        "accept",
        "the child's connection.",
        "자식 프로세스의 연결 요청을 수락합니다.",
    );
    let (conn, _) = listener.accept()?;
    l.step(
        "close",
        "at once: the server's FIN goes to the child. The child does not know yet.",
        "바로 닫습니다: 서버의 FIN이 자식에게 갑니다. 자식은 아직 모릅니다.",
    );
    conn.close()?;
    l.step(
        "waitpid",
        "wait for the child to end, and read how it ended (the wait4 system call).",
        "자식 프로세스가 끝나기를 기다리고, 어떻게 끝났는지 읽습니다 (wait4 시스템 콜).",
    );
    match process::waitpid(child)? {
        ExitStatus::Killed {
            signal: libc::SIGPIPE,
            ..
        } => {
            l.say(
                "WTERMSIG(s) == SIGPIPE: the child did not exit, it was killed by SIGPIPE. A shell shows such an end as exit status 141 (128 + 13, SIGPIPE's number). strace -f prints `--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, ...} ---` and `+++ killed by SIGPIPE +++` for it; they are not system calls, and socklab prints only calls.",
                "WTERMSIG(s) == SIGPIPE: 자식은 스스로 종료한 것이 아니라 SIGPIPE로 종료되었습니다. 셸은 이런 종료를 종료 상태 141(128 + SIGPIPE 번호 13)로 보여 줍니다. strace -f는 이때 `--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, ...} ---`와 `+++ killed by SIGPIPE +++`를 찍습니다. 둘 다 시스템 콜이 아니고, socklab은 시스템 콜만 보여 줍니다.",
            );
            Ok(())
        }
        other => Err(unexpected_end("SIGPIPE", other)),
    }
}

/// The child of part 3: SIGPIPE back to its default, as in a C program,
/// then three sends to a server that has closed.
fn sigpipe_child(
    l: &'static Lesson,
    listener: &Listener,
    here: &SockAddr,
    mut cue: ForkCue,
) -> Outcome {
    trace::set_side(Side::Client);
    l.say(
        "the child closes its copy of the listening socket (fork copied every fd)",
        "자식은 물려받은 리스닝 소켓 사본을 닫습니다 (fork가 모든 fd를 복사했습니다)",
    );
    raw::close(listener.fd())?;
    sigpipe_line(
        l,
        "SigIgn",
        "the Rust runtime set SIGPIPE to 'ignore' before main",
        "Rust 런타임이 main 전에 SIGPIPE를 '무시'로 설정했습니다",
    );
    l.say(
        "the child sets SIGPIPE back to its default action, to end the process, as a C program has it; and it blocks SIGPIPE for a moment, so that a raised SIGPIPE waits (pending) until each line is printed. (signal and sigprocmask: no socket involved, not shown.)",
        "자식은 SIGPIPE를 C 프로그램과 같은 기본 동작, 곧 프로세스 종료로 되돌립니다. 그리고 SIGPIPE를 잠시 블록해서, 발생한 SIGPIPE가 줄이 찍힐 때까지 대기(pending)하게 합니다. (signal과 sigprocmask는 소켓과 상관없는 호출이라 보여 주지 않습니다.)",
    );
    sigpipe_default_and_blocked();
    sigpipe_line(
        l,
        "SigBlk",
        "blocked, and no longer ignored",
        "블록되었고, 더는 무시하지 않습니다",
    );
    l.say("the child connects", "자식이 접속합니다");
    let c = Socket::new(here.family())?.connect(here)?;
    trace::flush();
    cue.give();
    let mut buf = [0u8; 64];
    let n = c.recv(&mut buf, MsgFlags::NONE)?;
    if n != 0 {
        return Err(message(
            "the server sent bytes",
            "서버가 바이트를 보냈습니다",
        ));
    }
    l.say(
        "recv returned 0: the server has closed. A careless client sends all the same.",
        "recv가 0을 돌려줬습니다: 서버가 닫았습니다. 부주의한 클라이언트는 그래도 보냅니다.",
    );
    c.send(b"first", MsgFlags::NONE)?;
    l.say(
        "the first send succeeded: a FIN only says the server sends no more. But the server's socket is closed, so its kernel answers these bytes with an RST. poll with no events asked returns only for an error or a hang-up:",
        "첫 send는 성공했습니다: FIN은 서버가 더 보내지 않는다는 뜻일 뿐입니다. 하지만 서버의 소켓은 닫혔으므로 서버의 커널은 이 바이트에 RST로 답합니다. 요청한 이벤트 없이 poll하면 오류나 연결 끊김(hang-up)일 때만 돌아옵니다:",
    );
    let ready = poll(&[(&c, PollFlags::NONE)], 2000)?;
    if !ready[0].contains(PollFlags::ERR) {
        return Err(message(
            "no RST within 2 s",
            "2초 안에 RST가 오지 않았습니다",
        ));
    }
    l.say(
        "POLLERR|POLLHUP: the RST has arrived. The next send, with MSG_NOSIGNAL:",
        "POLLERR|POLLHUP: RST가 도착했습니다. 다음 send는 MSG_NOSIGNAL을 줍니다:",
    );
    l.expect_errno(
        c.send(b"second", MsgFlags::NOSIGNAL),
        Errno::EPIPE,
        "-1 EPIPE (Broken pipe): the connection can no longer send.",
        "-1 EPIPE (Broken pipe): 이 연결로는 더 보낼 수 없습니다.",
    )?;
    sigpipe_line(
        l,
        "SigPnd",
        "MSG_NOSIGNAL: EPIPE, and no signal",
        "MSG_NOSIGNAL: EPIPE만 오고 시그널은 없습니다",
    );
    l.say(
        "the third send, with flags 0, as most C programs send:",
        "세 번째 send는 대부분의 C 프로그램처럼 flags 0으로 보냅니다:",
    );
    l.expect_errno(
        c.send(b"third", MsgFlags::NONE),
        Errno::EPIPE,
        "EPIPE again, and this time the kernel raised SIGPIPE as well:",
        "다시 EPIPE이고, 이번에는 커널이 SIGPIPE도 보냈습니다:",
    )?;
    sigpipe_line(
        l,
        "SigPnd",
        "SIGPIPE raised by that send, waiting while blocked",
        "방금 그 send가 보낸 SIGPIPE가 블록된 채 대기 중입니다",
    );
    l.say(
        "the child unblocks SIGPIPE. A C program has it unblocked all along and dies inside that send, before it can look at the -1.",
        "자식이 SIGPIPE 블록을 풉니다. C 프로그램은 처음부터 블록하지 않으므로 그 send 안에서, -1을 확인해 보기도 전에 종료됩니다.",
    );
    trace::flush();
    unblock_sigpipe();
    Err(message(
        "the child survived its SIGPIPE",
        "자식이 SIGPIPE를 받고도 살아 있습니다",
    ))
}

/// SIGPIPE's action set back to the default (end the process), and the
/// signal blocked in this thread: raised, it stays pending.
fn sigpipe_default_and_blocked() {
    // SAFETY: plain signal-mask and disposition calls on local values, in
    // a child with one thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Let a pending SIGPIPE through: with the default action, it ends the
/// process here.
fn unblock_sigpipe() {
    // SAFETY: as above.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    }
}

/// One line of the kernel's view of this process's signals, from
/// /proc/self/status: `field` (SigIgn, SigBlk, SigPnd) as the kernel
/// writes it, and whether it holds SIGPIPE.
fn sigpipe_line(l: &Lesson, field: &str, en: &str, ko: &str) {
    if l.args.no_kernel {
        return;
    }
    let Some(mask) = signal_mask(field) else {
        return;
    };
    let has = mask & (1 << (libc::SIGPIPE - 1)) != 0;
    let holds = match (has, l.lang) {
        (true, lesson::Lang::En) => "SIGPIPE in it".to_string(),
        (false, lesson::Lang::En) => "no SIGPIPE".to_string(),
        (true, lesson::Lang::Ko) => "SIGPIPE 있음".to_string(),
        (false, lesson::Lang::Ko) => "SIGPIPE 없음".to_string(),
    };
    l.kernel_line(&format!(
        "/proc/self/status {field}: {mask:016x} ({holds}): {}",
        l.lang.pick(en, ko)
    ));
}

/// A signal mask from /proc/self/status (`SigPnd`, `SigBlk`, `SigIgn`).
fn signal_mask(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
}

/// Part 4: a peer process killed with SIGKILL.
fn killed_peer(l: &'static Lesson, listener: &Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\n── 4. A peer process killed with SIGKILL",
        "\n── 4. SIGKILL로 강제 종료된 상대 프로세스",
    );
    if l.interactive() {
        return killed_outside_peer(l, listener, here);
    }
    let cue = fork_cue()?;
    l.step(
        "fork",
        "another child, a client that connects and then waits in recv.",
        "자식 프로세스를 하나 더 만듭니다. 접속한 뒤 recv에서 기다리는 클라이언트입니다.",
    );
    let child = match process::fork()? {
        Forked::Child => child_ends(l, waiting_child(l, listener, here, cue)),
        Forked::Parent(child) => child,
    };
    connected(cue)?;
    l.step(
        "accept",
        "the child's connection.",
        "자식 프로세스의 연결 요청을 수락합니다.",
    );
    let (conn, _) = listener.accept()?;
    l.step(
        "kill",
        "SIGKILL: the child ends at once, inside its recv. No code of its own runs after this.",
        "SIGKILL: 자식은 recv 안에서 즉시 종료됩니다. 이 뒤로 자식 자신의 코드는 한 줄도 실행되지 않습니다.",
    );
    process::kill(&child, libc::SIGKILL)?;
    l.step("waitpid", "collect the child.", "자식 프로세스를 거둡니다.");
    match process::waitpid(child)? {
        ExitStatus::Killed {
            signal: libc::SIGKILL,
            ..
        } => {}
        other => return Err(unexpected_end("SIGKILL", other)),
    }
    l.step(
        "recv",
        "what did the child's end send?",
        "자식 쪽 끝은 무엇을 보냈을까요?",
    );
    let mut buf = [0u8; 64];
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    if n != 0 {
        return Err(message(
            "the child sent bytes",
            "자식이 바이트를 보냈습니다",
        ));
    }
    l.say(
        "recv returned 0, not ECONNRESET: when a process ends, even by SIGKILL, its kernel closes each of its fds as close does. With nothing unread, close sends a FIN, an orderly end; with unread data it would have been an RST, as part 2 showed.",
        "recv가 ECONNRESET이 아니라 0을 돌려줬습니다: 프로세스가 끝나면, SIGKILL로 끝나더라도, 커널이 그 프로세스의 fd를 close처럼 하나씩 닫습니다. 읽지 않은 데이터가 없으면 close는 FIN을 보내므로 정상 종료입니다. 읽지 않은 데이터가 있었다면 2번에서 본 것처럼 RST였을 것입니다.",
    );
    l.kernel(&conn);
    l.say(
        "CLOSE_WAIT: the peer's FIN arrived. A crashed or rebooted host is different, and one machine cannot show it: no FIN comes at all. The connection looks open until this side sends and meets an RST from the rebooted host (ECONNRESET), or gets no answer (ETIMEDOUT after the retransmissions), or a keepalive (SO_KEEPALIVE) finds it dead.",
        "CLOSE_WAIT: 상대의 FIN이 도착했습니다. 컴퓨터(호스트) 자체가 죽거나 재부팅된 경우는 다르며, 컴퓨터 한 대로는 보여 줄 수 없습니다: FIN이 아예 오지 않습니다. 연결은 열린 것처럼 보이다가, 이쪽이 보낸 데이터에 재부팅된 호스트가 RST로 답하거나(ECONNRESET), 재전송 끝에 아무 답이 없거나(ETIMEDOUT), keepalive(SO_KEEPALIVE)가 죽은 연결을 찾아낼 때에야 끝납니다.",
    );
    l.step("close", "the server's fd.", "서버의 fd를 닫습니다.");
    conn.close()?;
    Ok(())
}

/// The child of part 4: connect, say so, and wait in recv until killed.
fn waiting_child(
    l: &'static Lesson,
    listener: &Listener,
    here: &SockAddr,
    mut cue: ForkCue,
) -> Outcome {
    trace::set_side(Side::Client);
    l.say(
        "the child closes its copy of the listening socket",
        "자식은 물려받은 리스닝 소켓 사본을 닫습니다",
    );
    raw::close(listener.fd())?;
    l.say("the child connects", "자식이 접속합니다");
    let c = Socket::new(here.family())?.connect(here)?;
    l.say(
        "and waits in recv for an answer that will not come",
        "그리고 오지 않을 답을 recv에서 기다립니다",
    );
    trace::flush();
    cue.give();
    let mut buf = [0u8; 64];
    c.recv(&mut buf, MsgFlags::NONE)?;
    Err(message(
        "the child's recv returned before the kill",
        "kill 전에 자식의 recv가 돌아왔습니다",
    ))
}

/// Part 4 with `--wait`: the learner kills an outside `nc` with `kill -9`.
fn killed_outside_peer(l: &'static Lesson, listener: &Listener, here: &SockAddr) -> Outcome {
    let nc = lesson::nc_args(here);
    l.say(
        &format!("\n→ In another terminal, be the client: nc {nc}. Type nothing. Then, from a third terminal, kill it with SIGKILL: kill -9 $(pgrep -n nc)"),
        &format!("\n→ 다른 터미널에서 클라이언트를 실행하세요: nc {nc}. 아무것도 치지 마세요. 그다음 세 번째 터미널에서 SIGKILL로 강제 종료하세요: kill -9 $(pgrep -n nc)"),
    );
    l.wait_for_peer(listener)?;
    l.step(
        "accept",
        "the nc's connection.",
        "nc의 연결 요청을 수락합니다.",
    );
    let (conn, _) = listener.accept()?;
    let mut buf = [0u8; 64];
    loop {
        l.wait_for_peer(&conn)?;
        l.step("recv", "until nc is gone.", "nc가 사라질 때까지 읽습니다.");
        match conn.recv(&mut buf, MsgFlags::NONE) {
            Ok(0) => break,
            Ok(n) => l.say(
                &format!("{n} bytes: type nothing in nc; kill it."),
                &format!("{n}바이트가 왔습니다: nc에는 아무것도 치지 말고 강제 종료하세요."),
            ),
            Err(e) if e.errno == Errno::ECONNRESET => {
                l.say(
                    "ECONNRESET: nc closed with data it had not read, so its kernel sent an RST.",
                    "ECONNRESET: nc가 읽지 않은 데이터를 둔 채 닫혀서 nc 쪽 커널이 RST를 보냈습니다.",
                );
                conn.close()?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    l.say(
        "recv returned 0, not ECONNRESET: when a process ends, even by SIGKILL, its kernel closes each of its fds as close does, and with nothing unread that is a FIN.",
        "recv가 ECONNRESET이 아니라 0을 돌려줬습니다: 프로세스가 끝나면, SIGKILL로 끝나더라도, 커널이 그 프로세스의 fd를 close처럼 닫고, 읽지 않은 데이터가 없으면 그것은 FIN입니다.",
    );
    l.kernel(&conn);
    l.step("close", "the server's fd.", "서버의 fd를 닫습니다.");
    conn.close()?;
    Ok(())
}

/// Part 5: the client resets before the server accepts.
fn reset_before_accept(l: &'static Lesson, listener: &Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\n── 5. A reset before accept",
        "\n── 5. accept 전에 리셋된 연결",
    );
    let (say_reset, reset) = lesson::cue::<()>();
    let client = l.own_peer(Side::Client, here, move |l, here| {
        l.say(
            "a client connects, sets SO_LINGER {on, 0} and closes at once: an RST, before the server has called accept",
            "클라이언트가 접속하고, SO_LINGER {on, 0}을 설정한 뒤 바로 닫습니다: 서버가 accept하기도 전에 RST가 갑니다",
        );
        let c = Socket::new(here.family())?.connect(&here)?;
        c.setsockopt(SockOpt::Linger(Some(0)))?;
        c.close()?;
        say_reset.give(());
        Ok(())
    });
    reset.wait();
    client.join();
    if l.shows_kernel() {
        // The RST ends the queued connection: it leaves the kernel's table
        // of connections, but stays in the listener's accept queue.
        let port = here.port().unwrap_or(0);
        let gone = kernel::wait_for(Duration::from_secs(2), || {
            let open = kernel::tcp_by_local_port(port)?
                .into_iter()
                .any(|v| v.state == Some(TcpState::Established));
            Ok((!open).then_some(()))
        });
        if l.found(gone).is_some() {
            l.kernel(listener);
            l.say(
                "The connection is no longer in /proc/net/tcp, but it is still in the accept queue.",
                "이 연결은 /proc/net/tcp에서는 사라졌지만, 연결 요청 대기 큐에는 아직 남아 있습니다.",
            );
        }
    }
    l.step(
        "accept",
        "a connection that was reset while it waited.",
        "기다리는 동안 리셋된 연결을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    l.say(
        &format!("accept succeeded, with the client's address {peer}: Linux hands out a reset connection like any other."),
        &format!("accept가 성공했고, 클라이언트 주소 {peer}까지 알려 줍니다: 리눅스는 리셋된 연결도 다른 연결처럼 내줍니다."),
    );
    l.step(
        "recv",
        "the first call on the new fd.",
        "새 fd로 하는 첫 호출입니다.",
    );
    let mut buf = [0u8; 64];
    l.expect_errno(
        conn.recv(&mut buf, MsgFlags::NONE),
        Errno::ECONNRESET,
        "ECONNRESET: the reset shows on the first recv, not on accept.",
        "ECONNRESET: 리셋은 accept가 아니라 첫 recv에서 드러납니다.",
    )?;
    l.step("close", "the server's fd.", "서버의 fd를 닫습니다.");
    conn.close()?;
    Ok(())
}

/// Part 6: a connect to a listener whose queue is full, with a timeout.
fn connect_timeout(l: &'static Lesson, here: &SockAddr) -> Outcome {
    l.say(
        "\n── 6. A connect that gets no answer",
        "\n── 6. 답이 없는 connect",
    );
    l.step("socket", "a new server socket.", "새 서버 소켓을 만듭니다.");
    let server = Socket::new(here.family())?;
    l.step(
        "setsockopt",
        "SO_REUSEADDR, to bind the same port again.",
        "같은 포트에 다시 bind하려고 SO_REUSEADDR를 켭니다.",
    );
    server.setsockopt(SockOpt::ReuseAddr(true))?;
    l.step("bind", "the same address.", "같은 주소를 할당합니다.");
    server.bind(here)?;
    l.step(
        "listen",
        "with a backlog of 0: the accept queue holds one connection, and this server never accepts.",
        "backlog를 0으로 listen합니다: 연결 요청 대기 큐에는 연결 하나가 들어가고, 이 서버는 accept하지 않습니다.",
    );
    let small = server.listen(0)?;
    let (say_first, first) = lesson::cue::<()>();
    let (say_done, done) = lesson::cue::<()>();
    let client = l.own_peer(Side::Client, here, move |l, here| {
        l.say(
            "a first client connects and fills the queue",
            "첫 번째 클라이언트가 접속해서 큐를 채웁니다",
        );
        let one = Socket::new(here.family())?.connect(&here)?;
        say_first.give(());
        if done.wait().is_none() {
            return Ok(());
        }
        timed_connect(l, &here)?;
        one.close()?;
        Ok(())
    });
    first.wait();
    // The queue is full once the handshake's last ACK has reached the
    // listener, a moment after the client's connect returned: wait for it
    // in the kernel's table (read even with --no-kernel, shown without).
    let fd = small.fd();
    let full = kernel::wait_for(Duration::from_secs(2), || {
        Ok(kernel::view_of_fd(fd)?.filter(|v| v.rx_queue >= 1))
    });
    if l.found(full).is_some() {
        l.kernel(&small);
    }
    say_done.give(());
    client.join();
    l.step(
        "close",
        "the small server: done.",
        "작은 서버를 닫습니다: 끝.",
    );
    small.close()?;
    Ok(())
}

/// The second client of part 6: a nonblocking connect and a poll that
/// gives up.
fn timed_connect(l: &'static Lesson, here: &SockAddr) -> Outcome {
    l.say(
        "a second client, with a nonblocking socket (SOCK_NONBLOCK), so that connect does not wait",
        "두 번째 클라이언트는 connect가 기다리지 않도록 넌블로킹 소켓(SOCK_NONBLOCK)을 씁니다",
    );
    let s = Socket::with_flags(here.family(), SockFlags::NONBLOCK)?;
    let s = match s.connect(here) {
        Err(ConnectError { error, socket }) if error.errno == Errno::EINPROGRESS => socket,
        Err(e) => return Err(e.into()),
        Ok(c) => {
            c.close()?;
            return Err(message(
                "the second connect completed",
                "두 번째 connect가 완료되었습니다",
            ));
        }
    };
    l.say(
        &format!("EINPROGRESS: the SYN is sent, and the handshake goes on in the kernel. poll waits for POLLOUT (the connect done), at most {CONNECT_TIMEOUT_MS} ms:"),
        &format!("EINPROGRESS: SYN을 보냈고, 핸드셰이크는 커널에서 계속됩니다. poll로 POLLOUT(connect 완료)을 최대 {CONNECT_TIMEOUT_MS}ms 기다립니다:"),
    );
    let ready = poll(&[(&s, PollFlags::OUT)], CONNECT_TIMEOUT_MS)?;
    if ready[0] != PollFlags::NONE {
        s.close()?;
        return Err(message(
            "the second connect was answered",
            "두 번째 connect에 답이 왔습니다",
        ));
    }
    l.say(
        "0 (Timeout): no answer. The listener's queue is full, so its kernel drops the SYN without a word: no SYN-ACK, and no RST either.",
        "0 (Timeout): 답이 없습니다. 리스닝 소켓의 큐가 가득 찼으므로 그 커널은 SYN을 말없이 버립니다: SYN-ACK도, RST도 보내지 않습니다.",
    );
    l.kernel(&s);
    syn_timer(l, &s);
    match syn_retries() {
        Some(n) => {
            // Linux 6.5 and later first wait tcp_syn_linear_timeouts times
            // one RTO (1 s) each, and add those tries to tcp_syn_retries.
            let linear = syn_linear_timeouts().unwrap_or(0);
            let tries = n + linear;
            let secs = syn_give_up_secs(n, linear);
            let (waits_en, waits_ko) = if linear > 0 {
                (
                    format!("{tries} times on this machine, tcp_syn_retries ({n}) plus tcp_syn_linear_timeouts ({linear}), both in /proc/sys/net/ipv4, and only then does a blocking connect fail, with ETIMEDOUT. The first {} waits are 1 s each, then each is twice the one before: about {secs} s in all.", linear + 1),
                    format!("이 컴퓨터에서 {tries}번입니다. tcp_syn_retries({n})와 tcp_syn_linear_timeouts({linear})를 더한 값이고, 둘 다 /proc/sys/net/ipv4에 있습니다. 그만큼 다시 보낸 뒤에야 블로킹 connect가 ETIMEDOUT으로 실패합니다. 처음 {}번은 1초씩 기다리고, 그 뒤로는 매번 앞의 두 배를 기다립니다: 모두 약 {secs}초입니다.", linear + 1),
                )
            } else {
                (
                    format!("tcp_syn_retries times, {n} on this machine (/proc/sys/net/ipv4/tcp_syn_retries), and only then does a blocking connect fail, with ETIMEDOUT. Each wait is twice the one before, from 1 s: about {secs} s in all."),
                    format!("tcp_syn_retries번, 이 컴퓨터에서는 {n}번입니다(/proc/sys/net/ipv4/tcp_syn_retries). 그만큼 다시 보낸 뒤에야 블로킹 connect가 ETIMEDOUT으로 실패합니다. 기다리는 시간은 1초부터 매번 앞의 두 배입니다: 모두 약 {secs}초입니다."),
                )
            };
            l.say(
                &format!("SYN_SENT, and send-q 1: the SYN counts as one byte, not yet acknowledged. The kernel is still trying. It sends the SYN again {waits_en} A poll timeout, as here, or SO_SNDTIMEO on a blocking socket, is how a program sets a shorter limit of its own. (socklab explain ETIMEDOUT --demo lets one connect reach ETIMEDOUT.)"),
                &format!("SYN_SENT이고 송신 큐는 1입니다: SYN은 1바이트로 세며, 아직 확인 응답(ACK)을 받지 못했습니다. 커널은 아직 시도하고 있습니다. SYN을 다시 보내는 횟수는 {waits_ko} 여기처럼 poll의 timeout을 주거나, 블로킹 소켓에 SO_SNDTIMEO를 주면 프로그램이 더 짧은 한도를 직접 정할 수 있습니다. (socklab explain ETIMEDOUT --demo에서 connect 하나가 ETIMEDOUT에 이르는 모습을 볼 수 있습니다.)"),
            )
        }
        None => l.say(
            "SYN_SENT: the kernel is still trying; it sends the SYN again up to tcp_syn_retries times (/proc/sys/net/ipv4/tcp_syn_retries, unreadable here) before a blocking connect fails with ETIMEDOUT.",
            "SYN_SENT: 커널은 아직 시도하고 있습니다. 블로킹 connect가 ETIMEDOUT으로 실패하기 전까지 SYN을 tcp_syn_retries번까지 다시 보냅니다 (/proc/sys/net/ipv4/tcp_syn_retries, 여기서는 읽을 수 없음).",
        ),
    }
    l.say(
        "the client gives up: close",
        "클라이언트는 포기하고 닫습니다",
    );
    s.close()?;
    Ok(())
}

/// A pipe for a child to say that it has connected.
fn fork_cue() -> Result<ForkCue, LessonError> {
    ForkCue::new().map_err(|e| message(&format!("pipe: {e}"), &format!("pipe: {e}")))
}

/// Wait until the child says (through a pipe, not a socket) that it has
/// connected and its lines are printed: the parent's next calls then come
/// after them, and a kill cannot come before them.
fn connected(cue: ForkCue) -> Outcome {
    if cue.wait() {
        return Ok(());
    }
    Err(message(
        "the child ended before it connected",
        "자식 프로세스가 접속하기 전에 끝났습니다",
    ))
}

/// The kernel's timer for the SYN's next copy, from /proc/net/tcp.
fn syn_timer(l: &Lesson, s: &Socket) {
    if !l.shows_kernel() {
        return;
    }
    let Some(inode) = kernel::socket_inode(s.fd()) else {
        return;
    };
    if let Some(t) = l.found(kernel::retransmit_timer(inode)) {
        let due = t.due_in.as_secs_f64();
        l.kernel_line(&l.lang.pick2(
            format!("retransmit timer running: the SYN goes again in {due:.2} s, 1 s after the first (sent again so far: {})", t.retransmits),
            format!("재전송 타이머 동작 중: {due:.2}초 뒤, 곧 첫 SYN의 1초 뒤에 SYN을 다시 보냅니다 (지금까지 재전송: {}번)", t.retransmits),
        ));
    }
}

/// This machine's tcp_syn_retries.
fn syn_retries() -> Option<u32> {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_retries")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// /proc/sys/net/ipv4/tcp_syn_linear_timeouts: how many of a connect's
/// SYN retries wait one RTO each before the waits start doubling. The
/// file exists from Linux 6.5 on; before, every wait doubles.
fn syn_linear_timeouts() -> Option<u32> {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_linear_timeouts")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Seconds until a blocking connect whose SYNs get no answer fails: the
/// SYN and its `retries + linear` retries each wait one RTO (1 s at
/// first); the first `linear + 1` waits stay 1 s, each later one doubles.
/// 6 and 0 give 1 + 2 + … + 64 = 127; 6 and 4 give 5 + 2 + … + 64 = 131.
fn syn_give_up_secs(retries: u32, linear: u32) -> u64 {
    (0..=retries + linear)
        .map(|i| 1u64 << i.saturating_sub(linear).min(62))
        .sum()
}

/// A forked child's end: exit 0 when its part went as told (it is
/// normally killed before), else one line and exit 1. The tracer's
/// record is written out first.
fn child_ends(l: &Lesson, part: Outcome) -> ! {
    let code = match part {
        Ok(()) => 0,
        Err(e) => {
            socklab::output::eprintln_quiet(&format!(
                "socklab {} {:02} ({}): {}",
                l.lang.pick("lesson", "실습"),
                l.info.number,
                l.lang.pick("child", "자식 프로세스"),
                l.describe(&e)
            ));
            1
        }
    };
    trace::flush();
    std::process::exit(code)
}

/// The child ended otherwise than by `signal`.
fn unexpected_end(signal: &str, status: ExitStatus) -> LessonError {
    LessonError::Message {
        en: format!("the child was to be killed by {signal}, but it {status}"),
        ko: format!("자식 프로세스는 {signal}로 종료되어야 했지만 실제로는: {status}"),
    }
}

fn message(en: &str, ko: &str) -> LessonError {
    LessonError::Message {
        en: en.to_string(),
        ko: ko.to_string(),
    }
}
