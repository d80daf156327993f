//! Lesson 04 · accept: a new data socket for every client.
//!
//! The one thing to take away: `accept` does not hand the listening socket
//! over to the client. It creates a *new* fd, a data socket for that one
//! connection, and the listening socket stays exactly as it was, ready to
//! accept the next client.

use socklab::trace::Side;
use socklab::{MsgFlags, SockOpt, Socket};
use socklab_tools::lesson::{self, josa, Lesson, Outcome};

fn main() {
    lesson::run(4, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    l.step(
        "socket",
        "a TCP socket for the server.",
        "서버용 TCP 소켓을 만듭니다.",
    );
    let server = Socket::new(addr.family())?;

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
        "from now on the kernel accepts connections for us.",
        "이제부터 커널이 연결 요청을 받아 연결 요청 대기 큐에 넣어 둡니다.",
    );
    let listener = server.listen(128)?;

    l.step(
        "getsockname",
        "which address and port did we get?",
        "어떤 주소와 포트가 할당되었는지 확인합니다.",
    );
    let here = listener.getsockname()?;
    l.kernel(&listener);

    // The peer: two clients, one after the other. Each tells the server
    // (with a cue, not over the network) when its connect has returned.
    let (say_connected, connected) = lesson::cue::<()>();
    let clients = l.peer(Side::Client, &here, move |l, here| {
        for n in 1..=2u8 {
            l.say(
                &format!("client {n} connects"),
                &format!("{n}번 클라이언트가 접속합니다"),
            );
            let c = Socket::new(here.family())?.connect(&here)?;
            say_connected.give(());
            let mut buf = [0u8; 64];
            // The server greets, then closes: recv returns 0 at the end.
            while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
            c.close()?;
        }
        Ok(())
    });

    // Self-contained: the client is in the accept queue. (An outside
    // client: wait_for_peer polls for it.)
    connected.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "take the first client off the queue. Watch the return value: a NEW fd.",
        "대기 큐에서 첫 클라이언트의 연결을 꺼냅니다. 반환값을 보세요: 새 fd입니다.",
    );
    let (first, peer) = listener.accept()?;
    l.say(
        &format!(
            "listening fd {} still listens on {here}; data fd {} is connected to {peer}.",
            listener.fd(),
            first.fd()
        ),
        &format!(
            "리스닝 소켓 {} 여전히 {here}에서 연결 요청을 기다리고, 연결된 소켓 {} {} 연결되어 있습니다.",
            josa::eun(format!("fd {}", listener.fd())),
            josa::eun(format!("fd {}", first.fd())),
            josa::gwa(&peer)
        ),
    );
    l.kernel(&listener);
    l.kernel(&first);

    l.step(
        "send",
        "data goes over the data socket, never the listening one.",
        "데이터는 리스닝 소켓이 아니라 연결된 소켓으로 송신합니다.",
    );
    first.send(b"hello, client 1\n", MsgFlags::NONE)?;

    l.step(
        "close",
        "done with this client: close its data socket only.",
        "이 클라이언트와는 끝났습니다: 연결된 소켓만 닫습니다.",
    );
    first.close()?;

    connected.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "the same listening fd accepts the next client, and hands out another new fd.",
        "같은 리스닝 소켓이 다음 클라이언트의 연결 요청을 수락하고, 또 새 fd를 내줍니다.",
    );
    let (second, peer) = listener.accept()?;
    l.say(
        &format!(
            "listening fd {} again; new data fd {} for {peer}.",
            listener.fd(),
            second.fd()
        ),
        &format!(
            "리스닝 소켓은 그대로 fd {}입니다. 클라이언트 {peer}의 연결된 소켓은 새 fd {}입니다.",
            listener.fd(),
            second.fd()
        ),
    );

    second.send(b"hello, client 2\n", MsgFlags::NONE)?;
    second.close()?;
    clients.join();

    l.step(
        "close",
        "no more clients: now close the listening socket.",
        "더 받을 클라이언트가 없으니 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    Ok(())
}
