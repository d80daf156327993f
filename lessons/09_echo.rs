//! Lesson 09 · echo: the whole conversation, both sides.
//!
//! Everything so far in one run: an echo server and its client, each doing
//! its full flow.
//!
//! ```text
//! client: socket → connect → send/recv … → shutdown → recv = 0 → close
//! server: socket → setsockopt → bind → listen → getsockname → accept
//!                → recv/send … until recv = 0 → close data → close listener
//! ```
//!
//! Both sides' calls are printed in the order they returned, each marked
//! with its side. At the end the lesson draws the flow of this very run,
//! with the fds it got.

use socklab::trace::Side;
use socklab::{MsgFlags, Shutdown, SockOpt, Socket};
use socklab_tools::lesson::{self, josa, Lesson, Outcome};

/// The lines the client sends, one at a time, waiting for each echo.
const LINES: [&str; 2] = ["hello\n", "echo me\n"];

/// What the client did, for the summary at the end.
struct ClientFlow {
    fd: i32,
    round_trips: usize,
}

fn main() {
    lesson::run(9, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    l.step("socket", "the server's socket.", "서버의 소켓을 만듭니다.");
    let server = Socket::new(addr.family())?;
    let socket_fd = server.fd();

    l.step(
        "setsockopt",
        "SO_REUSEADDR before bind, as servers do: lesson 07 ends by showing why.",
        "bind 전에 SO_REUSEADDR를 켭니다. 서버는 보통 이렇게 합니다: 이유는 실습 07의 끝에서 봅니다.",
    );
    server.setsockopt(SockOpt::ReuseAddr(true))?;

    l.step(
        "bind",
        "the address clients will dial.",
        "클라이언트가 접속할 주소를 할당합니다.",
    );
    server.bind(&addr)?;

    l.step(
        "listen",
        "the kernel now accepts connections for us.",
        "이제부터 커널이 연결 요청을 받아 연결 요청 대기 큐에 넣어 둡니다.",
    );
    let listener = server.listen(128)?;

    l.step(
        "getsockname",
        "the real address and port, for the client.",
        "클라이언트에게 알려 줄 실제 주소와 포트를 확인합니다.",
    );
    let here = listener.getsockname()?;

    // The client's whole flow. It sends a line, reads until the whole echo
    // is back (TCP may hand it over in pieces), and only then sends the
    // next. When it has nothing more to say it shuts down its sending side,
    // reads until the server closes too, and closes.
    let (say_done, done) = lesson::cue::<ClientFlow>();
    let (say_connected, connected) = lesson::cue::<()>();
    let client = l.peer(Side::Client, &here, move |l, here| {
        l.say("socket: the client's socket", "socket: 클라이언트의 소켓");
        let sock = Socket::new(here.family())?;
        let fd = sock.fd();
        l.say(
            &format!("connect to {here}"),
            &format!("{here}에 connect합니다"),
        );
        let c = sock.connect(&here)?;
        say_connected.give(());
        let mut buf = [0u8; 64];
        for line in LINES {
            l.say(
                &format!("send {line:?}, then recv until the echo is back"),
                &format!("{line:?} 줄을 send하고, 에코가 다 올 때까지 recv합니다"),
            );
            c.send(line.as_bytes(), MsgFlags::NONE)?;
            let mut got = 0;
            while got < line.len() {
                let n = c.recv(&mut buf[got..], MsgFlags::NONE)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
        }
        l.say(
            "nothing more to send: shutdown(SHUT_WR), and read until the server closes (recv = 0)",
            "더 보낼 것이 없습니다: shutdown(SHUT_WR) 후 서버가 닫을 때까지(recv = 0) 읽습니다",
        );
        c.shutdown(Shutdown::Write)?;
        while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        l.say("close", "close");
        c.close()?;
        say_done.give(ClientFlow {
            fd,
            round_trips: LINES.len(),
        });
        Ok(())
    });
    if l.interactive() {
        l.say(
            &format!("The server listens on {here}. Type lines; each comes back. End with Ctrl-D (`nc -N`) or Ctrl-C."),
            &format!("서버 주소: {here}. 줄을 입력하면 그대로 돌아옵니다. Ctrl-D(`nc -N`)나 Ctrl-C로 끝내세요."),
        );
    }

    // Self-contained: the client has connected (told by a cue, not
    // the network). An outside client: wait_for_peer polls for it.
    connected.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "a data socket for this client.",
        "이 클라이언트의 연결 요청을 수락합니다: 데이터 송수신용 소켓이 생깁니다.",
    );
    let (conn, peer) = listener.accept()?;
    let data_fd = conn.fd();
    l.say(
        &format!(
            "data fd {data_fd} talks to {peer}; listening fd {} stays as it is.",
            listener.fd()
        ),
        &format!(
            "fd {data_fd}: 클라이언트 {} 연결된 소켓입니다. 리스닝 소켓 fd {} 그대로입니다.",
            josa::gwa(&peer),
            josa::eun(listener.fd())
        ),
    );

    // The echo loop: whatever arrives goes straight back, until recv
    // returns 0 (the client has finished sending).
    let mut buf = [0u8; 512];
    let mut echoes = 0;
    loop {
        l.wait_for_peer(&conn)?;
        l.step(
            "recv",
            "wait for bytes from the client (0 means it has finished).",
            "클라이언트가 보낸 바이트를 기다립니다 (0이면 클라이언트가 송신을 마친 것입니다).",
        );
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            l.say(
                "recv returned 0: the client is done sending.",
                "recv가 0을 돌려줬습니다: 클라이언트가 송신을 마쳤습니다.",
            );
            break;
        }
        l.step(
            "send",
            "send the same bytes back.",
            "받은 바이트를 그대로 돌려보냅니다.",
        );
        // send may queue fewer bytes than asked: send the rest, if any.
        let mut sent = 0;
        while sent < n {
            sent += conn.send(&buf[sent..n], MsgFlags::NONE)?;
        }
        echoes += 1;
    }

    l.step(
        "close",
        "close the data socket: our FIN, and the client's recv returns 0.",
        "연결된 소켓을 닫습니다: FIN이 나가고, 클라이언트의 recv는 0을 돌려줍니다.",
    );
    conn.close()?;
    client.join();

    l.step(
        "close",
        "one client was all: close the listening socket.",
        "클라이언트는 하나뿐이니 리스닝 소켓도 닫습니다.",
    );
    let listen_fd = listener.fd();
    listener.close()?;

    // The flow of this run, drawn from the values the calls returned.
    let client_row = match done.wait() {
        Some(c) => format!(
            "socket={fd} → connect → send/recv ×{n} → shutdown → recv=0 → close({fd})",
            fd = c.fd,
            n = c.round_trips
        ),
        None => l
            .lang
            .pick(
                "(outside peer: its calls are in its own process)",
                "(바깥 상대: 그쪽의 시스템 콜은 그 프로세스에서 일어났습니다)",
            )
            .to_string(),
    };
    let server_row = format!(
        "socket={socket_fd} → setsockopt → bind → listen → getsockname → accept={data_fd} → recv/send ×{echoes} → recv=0 → close({data_fd}) → close({listen_fd})"
    );
    l.say(
        &format!("\nThe flow of this run:\n  client: {client_row}\n  server: {server_row}"),
        &format!("\n이번 실행의 흐름:\n  클라이언트: {client_row}\n  서버:       {server_row}"),
    );
    Ok(())
}
