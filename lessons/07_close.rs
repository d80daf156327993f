//! Lesson 07 · shutdown and close: ending a connection.
//!
//! A TCP connection has two directions, and each is ended on its own by a
//! FIN. `shutdown(fd, SHUT_WR)` sends this side's FIN but keeps the fd: the
//! peer's `recv` returns 0 (EOF), and it can still answer, because only one
//! direction is closed. `close` gives the fd back; for the last fd of a
//! connection it also sends the FIN if `shutdown` has not.
//!
//! The side that sent the first FIN and then received the other's ends in
//! TIME_WAIT: the kernel keeps the connection's address pair, with no fd,
//! for a fixed 60 s on Linux. TCP's design gives two reasons (a loopback
//! run cannot show them): a lost last ACK makes the peer resend its FIN,
//! which this side must still answer; and stray packets of the old
//! connection must not land in a new one with the same address pair.
//!
//! The lesson shows both orders, read from /proc/net/tcp. First the client
//! ends first (half-close), so TIME_WAIT is on the client's side. Then, in
//! the self-contained run, a second client meets a server that closes
//! first, as HTTP/1.0 servers do by convention: TIME_WAIT now holds the
//! server's port, and after the server is gone a new socket cannot bind
//! that port (EADDRINUSE) until it sets SO_REUSEADDR, which the old
//! connection's socket had from its listener. Last, the restarted server
//! closes a third client's connection with SO_LINGER 0: a reset (RST)
//! instead of a FIN, ECONNRESET for the client, and no TIME_WAIT at all.

use socklab::trace::Side;
use socklab::{Errno, Listener, MsgFlags, Shutdown, SockAddr, SockOpt, Socket};
use socklab_tools::kernel::{self, SocketView, TcpState};
use socklab_tools::lesson::{self, Lesson, Outcome};
use std::time::Duration;

fn main() {
    lesson::run(7, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    // socket → setsockopt → bind → listen, as lessons 01 to 04 showed.
    let (listener, here) = l.listening_socket(&addr)?;

    // The client's request has no length and no terminator: its end is the
    // client's FIN. That is what half-close is for.
    let (say_shut, shut) = lesson::cue::<()>();
    let client = l.peer(Side::Client, &here, move |l, here| {
        l.say("the client connects", "클라이언트가 접속합니다");
        let c = Socket::new(here.family())?.connect(&here)?;
        l.say("it sends its request", "요청을 보냅니다");
        c.send(b"count these bytes\n", MsgFlags::NONE)?;
        l.say(
            "shutdown(SHUT_WR): \"I will send no more.\" Our FIN goes out; the fd stays open, and we can still read.",
            "shutdown(SHUT_WR): \"더 보내지 않겠다\"는 뜻입니다(Half-close). FIN이 나가지만 fd는 열려 있고, 수신은 계속할 수 있습니다.",
        );
        c.shutdown(Shutdown::Write)?;
        // FIN_WAIT1 while our FIN is unacknowledged (it counts as one byte
        // in send-q), FIN_WAIT2 once the server's kernel has acknowledged it.
        // Either way we now wait for the server's FIN.
        l.kernel(&c);
        say_shut.give(());

        let mut buf = [0u8; 64];
        while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        l.say(
            "recv returned 0: the server closed its side too. Now close the fd.",
            "recv가 0을 돌려줬습니다: 서버도 자기 쪽을 닫았습니다. 이제 fd를 닫습니다.",
        );
        c.close()?;
        Ok(())
    });
    if l.interactive() {
        l.say(
            &format!("The server listens on {here}. Add -N to that nc (`nc -N {}`, OpenBSD nc), so that Ctrl-D shuts down nc's sending side: type a line, Enter, then Ctrl-D.", lesson::nc_args(&here)),
            &format!("서버 주소: {here}. 위 nc에 -N을 붙이세요 (`nc -N {}`, OpenBSD nc). 그래야 Ctrl-D가 nc의 보내는 쪽을 shutdown합니다: 한 줄 치고 Enter, 그다음 Ctrl-D.", lesson::nc_args(&here)),
        );
    }

    // Self-contained: wait until the client has connected, sent and shut
    // down, so the trace reads in order. (An outside client: wait_for_peer
    // polls until it has connected.)
    shut.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "a data socket for the client.",
        "클라이언트의 연결 요청을 수락합니다: 데이터 송수신용 소켓이 생깁니다.",
    );
    let (conn, peer) = listener.accept()?;

    let mut buf = [0u8; 64];
    let mut total = 0;
    loop {
        l.wait_for_peer(&conn)?;
        l.step(
            "recv",
            "read the request until EOF: recv returning 0.",
            "EOF까지, 곧 recv가 0을 돌려줄 때까지 요청을 읽습니다.",
        );
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        total += n;
    }
    l.say(
        "recv returned 0: EOF. The client shut down its sending side (its FIN arrived), but the connection is only half closed.",
        "recv가 0을 돌려줬습니다: EOF입니다. 클라이언트가 송신 방향을 shutdown했고(FIN 도착), 연결은 반만 닫혔습니다(Half-close).",
    );
    // CLOSE_WAIT: the peer has closed its direction; ours waits for close.
    l.kernel(&conn);

    l.step(
        "send",
        "our direction is still open: answer the request.",
        "우리 쪽 송신 방향은 아직 열려 있으니 요청에 답합니다.",
    );
    conn.send(format!("{total} bytes\n").as_bytes(), MsgFlags::NONE)?;

    l.step(
        "close",
        "the answer is complete: close. Our FIN goes out, and the client's recv returns 0.",
        "답을 다 보냈으니 닫습니다. FIN이 나가고, 클라이언트의 recv는 0을 돌려줍니다.",
    );
    conn.close()?;
    client.join();

    let time_wait_found = if l.args.no_kernel {
        l.say(
            "\n(The kernel's view is hidden by --no-kernel: run without it to see TIME_WAIT.)",
            "\n(--no-kernel로 커널 관점을 숨겼습니다: TIME_WAIT를 보려면 이 옵션 없이 실행하세요.)",
        );
        true
    } else if !l.shows_kernel() {
        // The tables cannot be read (said once): nothing found, nothing
        // claimed about what was not found.
        true
    } else {
        show_time_wait(l, &peer, &here)
    };
    if !time_wait_found {
        // An outside client that closed its socket completely before the
        // answer came (nc without -N, ended with Ctrl-C): its kernel met the
        // answer with a reset, and a reset leaves no TIME_WAIT.
        l.say(
            "No TIME_WAIT this time: the client closed its socket completely before the answer came, so the connection did not end with a FIN from each side. A socket closed with data still arriving answers with a reset (RST, the rule of RFC 1122, 4.2.2.13), and a reset leaves nothing behind.",
            "이번에는 Time-wait 상태가 없습니다: 클라이언트가 답이 오기 전에 소켓을 완전히 닫아서, 연결이 양쪽의 FIN으로 끝나지 않았습니다. 닫힌 소켓에 데이터가 오면 RST로 답하고(RFC 1122, 4.2.2.13의 규칙), RST로 끝난 연결은 아무것도 남기지 않습니다.",
        );
    } else {
        l.say(
            "In this lesson the client closed first (its shutdown sent the first FIN), so TIME_WAIT is on the client's side. Why TCP has TIME_WAIT at all is a design reason, which a run on loopback cannot show: if the last ACK were lost, the other side would resend its FIN, and this side must still be there to answer it; and stray packets of the old connection must not land in a new one between the same two ports. Linux keeps the entry for a fixed 60 s (TCP_TIMEWAIT_LEN in its source).",
            "이 실습에서는 클라이언트가 먼저 닫았으므로(shutdown이 첫 FIN을 보냈습니다) Time-wait 상태는 클라이언트 쪽에 남습니다. TCP에 Time-wait 상태가 있는 이유는 설계상의 이유이고, 루프백에서 실행해서는 볼 수 없습니다: 마지막 ACK가 사라지면 상대가 FIN을 다시 보내는데, 이쪽이 남아 있어야 그때도 답할 수 있습니다. 그리고 옛 연결의 늦은 패킷이 같은 두 포트 사이의 새 연결에 섞여 들면 안 됩니다. 리눅스는 이 항목을 60초 동안 둡니다 (소스의 TCP_TIMEWAIT_LEN).",
        );
    }

    if l.interactive() {
        l.step(
            "close",
            "and the listening socket.",
            "리스닝 소켓도 닫습니다.",
        );
        listener.close()?;
        return Ok(());
    }
    server_closes_first(l, listener, &here)
}

/// The other order, self-contained only: the server answers and closes
/// first, as HTTP/1.0 servers do by convention. TIME_WAIT then holds the
/// server's own port, and a restarted server has to bind through it.
fn server_closes_first(l: &'static Lesson, listener: Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\nNow the other order. Which side closes first is the protocol's convention: an HTTP/1.0 server closes once its answer is sent. A second client connects, and this time the server closes first.",
        "\n이번에는 반대 순서입니다. 어느 쪽이 먼저 닫는지는 프로토콜이 정한 관례입니다: HTTP/1.0 서버는 응답을 다 보내면 먼저 닫습니다. 두 번째 클라이언트가 접속하고, 이번에는 서버가 먼저 닫습니다.",
    );
    let (say_connected, connected) = lesson::cue::<()>();
    let client = l.peer(Side::Client, here, move |l, here| {
        l.say(
            "a second client connects",
            "두 번째 클라이언트가 접속합니다",
        );
        let c = Socket::new(here.family())?.connect(&here)?;
        say_connected.give(());
        let mut buf = [0u8; 64];
        while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        l.say(
            "recv returned 0: the server closed first. The client closes too.",
            "recv가 0을 돌려줬습니다: 서버가 먼저 닫았습니다. 클라이언트도 닫습니다.",
        );
        c.close()?;
        Ok(())
    });
    connected.wait();
    l.step(
        "accept",
        "the second client.",
        "두 번째 클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    l.step("send", "the answer.", "응답을 보냅니다.");
    conn.send(b"HTTP/1.0 200 OK\r\n\r\nbye\n", MsgFlags::NONE)?;
    l.step(
        "close",
        "the server closes first: its FIN is the first one.",
        "서버가 먼저 닫습니다: 서버의 FIN이 첫 FIN입니다.",
    );
    conn.close()?;
    client.join();
    let time_wait = |v: &SocketView| v.state == Some(TcpState::TimeWait);
    let tw = kernel::wait_for_tcp(here, &peer, Duration::from_secs(2), time_wait);
    if let Some(tw) = l.found(tw) {
        l.kernel_line(&format!(
            "{}  ← {}",
            tw.summary_in(l.lang),
            l.lang.pick(
                "the server's side now: TIME_WAIT holds the server's port",
                "이번에는 서버 쪽: Time-wait 상태가 서버 포트를 쥐고 있습니다"
            )
        ));
    }

    l.step(
        "close",
        "the listening socket: the server is gone.",
        "리스닝 소켓을 닫습니다: 서버는 이제 없습니다.",
    );
    listener.close()?;

    l.say(
        &format!("\nA restarted server binds {here} again, while that TIME_WAIT entry is still there."),
        &format!("\n다시 시작한 서버가 {here} 주소에 다시 bind합니다. 그 Time-wait 항목은 아직 남아 있습니다."),
    );
    l.step(
        "socket",
        "the restarted server's socket.",
        "다시 시작한 서버의 소켓을 만듭니다.",
    );
    let restarted = Socket::new(here.family())?;
    l.step(
        "bind",
        "the server's port, without SO_REUSEADDR. Expect -1 EADDRINUSE.",
        "SO_REUSEADDR 없이 서버 포트에 bind합니다. -1 EADDRINUSE가 나올 것입니다.",
    );
    l.expect_errno(
        restarted.bind(here),
        Errno::EADDRINUSE,
        "bind returned -1, errno EADDRINUSE: no program holds the port, only the TIME_WAIT entry.",
        "bind가 -1을 돌려줬고 errno는 EADDRINUSE입니다: 포트를 쥔 프로그램은 없고, Time-wait 항목만 있습니다.",
    )?;
    l.step(
        "setsockopt",
        "SO_REUSEADDR on the same socket, as every server in these lessons sets it.",
        "같은 소켓에 SO_REUSEADDR를 켭니다. 이 실습들의 서버가 모두 그렇게 합니다.",
    );
    restarted.setsockopt(SockOpt::ReuseAddr(true))?;
    l.step(
        "bind",
        "the same port again.",
        "같은 포트에 다시 bind합니다.",
    );
    restarted.bind(here)?;
    let still = kernel::wait_for_tcp(here, &peer, Duration::ZERO, time_wait);
    l.say(
        "bind returned 0, with the TIME_WAIT entry still there: Linux lets a bind share a port with TIME_WAIT when both sockets set SO_REUSEADDR (as lesson 02 showed for two bound sockets), and the old connection's socket came from the listener of step 2, which set it.",
        "bind가 0을 돌려줬습니다. Time-wait 항목이 아직 있는데도 그렇습니다: 두 소켓이 모두 SO_REUSEADDR를 켰으면 리눅스는 Time-wait 상태와 포트를 함께 쓰게 해 줍니다 (실습 02에서 bind한 두 소켓으로 본 규칙입니다). 옛 연결의 소켓은 2단계에서 SO_REUSEADDR를 켠 리스닝 소켓에서 나왔습니다.",
    );
    if let Some(tw) = l.found(still) {
        l.kernel_line(&format!(
            "{}  ← {}",
            tw.summary_in(l.lang),
            l.lang.pick("still there", "아직 있음")
        ));
    }
    l.step(
        "listen",
        "and it listens: the restart works.",
        "listen도 됩니다: 서버를 다시 시작할 수 있습니다.",
    );
    let restarted = restarted.listen(128)?;
    linger_zero(l, restarted, here)
}

/// The last part: SO_LINGER with a timeout of 0, which some programs set to
/// avoid TIME_WAIT. close then aborts the connection with a reset (RST)
/// instead of a FIN: the client's recv fails with ECONNRESET instead of
/// returning 0, and the kernel keeps nothing of the connection on either
/// side.
fn linger_zero(l: &'static Lesson, listener: Listener, here: &SockAddr) -> Outcome {
    l.say(
        "\nLast, what some programs do to avoid TIME_WAIT: SO_LINGER with a timeout of 0, then close.",
        "\n마지막으로, Time-wait 상태를 피하려고 어떤 프로그램들이 쓰는 방법입니다: SO_LINGER의 시간을 0으로 하고 close합니다.",
    );
    let (say_connected, connected) = lesson::cue::<()>();
    let (say_closed, closed) = lesson::cue::<()>();
    let client = l.peer(Side::Client, here, move |l, here| {
        l.say("a third client connects", "세 번째 클라이언트가 접속합니다");
        let c = Socket::new(here.family())?.connect(&here)?;
        say_connected.give(());
        // Read only once the server has closed (told by a cue), so
        // the trace shows the close first.
        closed.wait();
        let mut buf = [0u8; 64];
        l.expect_errno(
            c.recv(&mut buf, MsgFlags::NONE),
            Errno::ECONNRESET,
            "recv returned -1, errno ECONNRESET: the server's close sent a reset. An orderly close would have given 0, so the client cannot tell whether it got everything.",
            "recv가 -1을 돌려줬고 errno는 ECONNRESET입니다: 서버의 close가 RST를 보냈습니다. 정상적으로 닫혔다면 0이 왔을 것입니다. 그래서 클라이언트는 데이터를 다 받았는지 알 수 없습니다.",
        )?;
        c.close()?;
        Ok(())
    });
    connected.wait();
    l.step(
        "accept",
        "the third client.",
        "세 번째 클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    l.step(
        "setsockopt",
        "SO_LINGER on, with a timeout of 0 seconds.",
        "SO_LINGER를 켜고 시간을 0초로 합니다.",
    );
    conn.setsockopt(SockOpt::Linger(Some(0)))?;
    l.step(
        "close",
        "with linger 0, close sends a reset (RST), not a FIN.",
        "linger가 0이면 close는 FIN이 아니라 RST를 보냅니다.",
    );
    conn.close()?;
    drop(say_closed);
    client.join();
    if l.shows_kernel() {
        let left =
            kernel::wait_for_tcp(here, &peer, Duration::ZERO, |_| true).and_then(
                |ours| match ours {
                    Some(v) => Ok(Some(v)),
                    None => kernel::wait_for_tcp(&peer, here, Duration::ZERO, |_| true),
                },
            );
        match left {
            Ok(None) => l.kernel_line(l.lang.pick(
                &format!("nothing left for {here} <-> {peer} on either side: a reset leaves no TIME_WAIT"),
                &format!("{here} <-> {peer} 연결은 양쪽 모두 남은 것이 없습니다: RST로 끝난 연결에는 Time-wait 상태가 없습니다"),
            )),
            Ok(Some(v)) => l.kernel_line(&v.summary_in(l.lang)),
            Err(e) => l.kernel_unavailable(&e),
        }
    }

    l.step(
        "close",
        "the listening socket: done.",
        "리스닝 소켓을 닫습니다: 끝.",
    );
    listener.close()?;
    Ok(())
}

/// The kernel's view at the end, read from /proc/net/tcp: no system call
/// on any socket. TIME_WAIT has no fd, so it is looked up by the address
/// pair, seen from each side. The client enters TIME_WAIT when the server's
/// FIN arrives, which may be a moment after the calls above returned.
///
/// Returns whether the client's side was found in TIME_WAIT.
fn show_time_wait(l: &Lesson, client: &SockAddr, server: &SockAddr) -> bool {
    l.say(
        "\nThe kernel's view of this connection now, from /proc/net/tcp:",
        "\n지금 이 연결을 커널 관점에서 보면 (/proc/net/tcp):",
    );
    let time_wait = |v: &SocketView| v.state == Some(TcpState::TimeWait);
    let found = match kernel::wait_for_tcp(client, server, Duration::from_secs(2), time_wait) {
        Ok(found) => found,
        Err(e) => {
            l.kernel_unavailable(&e);
            return true;
        }
    };
    match &found {
        Some(tw) => l.kernel_line(&format!(
            "{} ({} {})  ← {}",
            tw.summary_in(l.lang),
            l.lang.pick("no fd: inode", "fd 없음: inode"),
            tw.inode,
            l.lang.pick(
                "the client's side, which sent the first FIN",
                "먼저 FIN을 보낸 클라이언트 쪽"
            )
        )),
        None => l.kernel_line(l.lang.pick(
            &format!(
                "no TIME_WAIT for {client} <-> {server} (did the peer close first, and in order?)"
            ),
            &format!(
                "{client} <-> {server} 연결의 TIME_WAIT가 없습니다 (상대가 먼저, 순서대로 닫았나요?)"
            ),
        )),
    }
    let ours = kernel::wait_for_tcp(server, client, Duration::ZERO, |_| true);
    match ours {
        Err(e) => l.kernel_unavailable(&e),
        Ok(None) => l.kernel_line(l.lang.pick(
            &format!("nothing left for {server} <-> {client}: no TIME_WAIT on the server's side"),
            &format!(
                "{server} <-> {client} 쪽에는 남은 것이 없습니다: 서버 쪽에는 TIME_WAIT가 없습니다"
            ),
        )),
        Ok(Some(v)) => l.kernel_line(&v.summary_in(l.lang)),
    }
    found.is_some()
}
