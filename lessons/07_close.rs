//! Lesson 07 · shutdown and close: ending a connection.
//!
//! A TCP connection has two directions, and each is ended on its own by a
//! FIN. `shutdown(fd, SHUT_WR)` sends this side's FIN but keeps the fd: the
//! peer's `recv` returns 0 (EOF), and it can still answer, because only one
//! direction is closed. `close` gives the fd back; for the last fd of a
//! connection it also sends the FIN if `shutdown` has not.
//!
//! The side that sent the first FIN and then received the other's ends in
//! TIME_WAIT: the kernel keeps the connection's address pair for a while
//! (60 s on Linux), with no fd, for two reasons: if its last ACK is lost,
//! the peer resends its FIN and this side can still acknowledge it; and
//! stray packets of the old connection cannot land in a new one with the
//! same address pair. Here the client ends first, so TIME_WAIT is on the
//! client's side, which the lesson shows from /proc/net/tcp.

use socklab::kernel::{self, SocketView, TcpState};
use socklab::lesson::{self, Lesson, Outcome};
use socklab::trace::Side;
use socklab::{MsgFlags, Shutdown, SockAddr, Socket};
use std::sync::mpsc;
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
    let (shut_tx, shut) = mpsc::channel::<()>();
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
        let _ = shut_tx.send(());

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
    let _ = shut.recv();
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

    if l.args.no_kernel {
        l.say(
            "\n(The kernel's view is hidden by --no-kernel: run without it to see TIME_WAIT.)",
            "\n(--no-kernel로 커널 관점을 숨겼습니다: TIME_WAIT를 보려면 이 옵션 없이 실행하세요.)",
        );
    } else {
        show_time_wait(l, &peer, &here);
    }
    l.say(
        "TIME_WAIT keeps that address pair for 60 s, for two reasons: if the last ACK is lost, the server resends its FIN, and the client can still answer it; and stray packets of this connection cannot land in a new one between the same two ports. In this lesson the client closed first (its shutdown sent the first FIN), so TIME_WAIT is on the client's side. Which side closes first is up to the protocol: an HTTP/1.0 server closes after its answer, and then TIME_WAIT holds the server's port.",
        "Time-wait 상태는 그 주소 쌍을 60초 동안 붙잡아 둡니다. 이유는 두 가지입니다: 마지막 ACK가 사라지면 서버가 FIN을 다시 보내는데, 클라이언트가 그때도 ACK로 답할 수 있어야 합니다. 그리고 이 연결의 늦게 도착한 패킷이 같은 두 포트 사이의 새 연결에 섞여 들어가지 않게 합니다. 이 실습에서는 클라이언트가 먼저 닫았으므로(shutdown이 첫 FIN을 보냈습니다) Time-wait 상태는 클라이언트 쪽에 남습니다. 어느 쪽이 먼저 닫는지는 프로토콜이 정합니다: HTTP/1.0 서버는 응답을 보낸 뒤 먼저 닫고, 그러면 Time-wait 상태가 서버 포트를 쥐게 됩니다.",
    );

    l.step(
        "close",
        "and the listening socket.",
        "리스닝 소켓도 닫습니다.",
    );
    listener.close()?;
    Ok(())
}

/// The kernel's view at the end, read from /proc/net/tcp: no system call
/// on any socket. TIME_WAIT has no fd, so it is looked up by the address
/// pair, seen from each side. The client enters TIME_WAIT when the server's
/// FIN arrives, which may be a moment after the calls above returned.
fn show_time_wait(l: &Lesson, client: &SockAddr, server: &SockAddr) {
    l.say(
        "\nThe kernel's view of this connection now, from /proc/net/tcp:",
        "\n지금 이 연결을 커널 관점에서 보면 (/proc/net/tcp):",
    );
    let time_wait = |v: &SocketView| v.state == Some(TcpState::TimeWait);
    match kernel::wait_for_tcp(client, server, Duration::from_secs(2), time_wait) {
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
        None => l.kernel_line(l.lang.pick(
            &format!("nothing left for {server} <-> {client}: no TIME_WAIT on the server's side"),
            &format!(
                "{server} <-> {client} 쪽에는 남은 것이 없습니다: 서버 쪽에는 TIME_WAIT가 없습니다"
            ),
        )),
        Some(v) => l.kernel_line(&v.summary_in(l.lang)),
    }
}
