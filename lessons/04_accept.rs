//! Lesson 04 · accept: a new data socket for every client.
//!
//! The one thing to take away: `accept` does not hand the listening socket
//! over to the client. It creates a *new* fd, a data socket for that one
//! connection, and the listening socket stays exactly as it was, ready to
//! accept the next client.

use socklab::lesson::{self, Lesson, Outcome};
use socklab::trace::Side;
use socklab::{MsgFlags, SockOpt, Socket};
use std::sync::mpsc;

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
        "SO_REUSEADDR, so a rerun can bind while old connections sit in TIME_WAIT.",
        "SO_REUSEADDR: 이전 연결이 TIME_WAIT에 남아 있어도 다시 bind할 수 있게 합니다.",
    );
    server.setsockopt(SockOpt::ReuseAddr(true))?;

    l.step(
        "bind",
        "the address clients will dial.",
        "클라이언트가 접속할 주소를 붙입니다.",
    );
    server.bind(&addr)?;

    l.step(
        "listen",
        "from now on the kernel accepts connections for us.",
        "이제 커널이 대신 연결을 받아 둡니다.",
    );
    let listener = server.listen(128)?;

    l.step(
        "getsockname",
        "which address and port did we get?",
        "어떤 주소와 포트를 받았는지 확인합니다.",
    );
    let here = listener.getsockname()?;
    l.kernel(&listener);

    // The peer: two clients, one after the other. Each tells the server
    // (over a channel, not the network) when its connect has returned.
    let (connected_tx, connected) = mpsc::channel::<()>();
    let clients = l.peer(Side::Client, &here, move |l, here| {
        for n in 1..=2u8 {
            l.say(
                &format!("client {n} connects"),
                &format!("{n}번 클라이언트가 접속합니다"),
            );
            let c = Socket::new(here.family())?.connect(&here)?;
            let _ = connected_tx.send(());
            let mut buf = [0u8; 64];
            // The server greets, then closes: recv returns 0 at the end.
            while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
            c.close()?;
        }
        Ok(())
    });

    // Self-contained: the client is in the accept queue. (An outside
    // client: wait_for_peer polls for it.)
    let _ = connected.recv();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "take the first client off the queue. Watch the return value: a NEW fd.",
        "큐에서 첫 클라이언트를 꺼냅니다. 반환값을 보세요: 새 fd입니다.",
    );
    let (first, peer) = listener.accept()?;
    l.say(
        &format!(
            "listening fd {} still listens on {here}; data fd {} is connected to {peer}.",
            listener.fd(),
            first.fd()
        ),
        &format!(
            "리스닝 소켓(fd {})은 여전히 {here}에서 듣고 있고, 데이터 소켓(fd {})은 {peer}에 연결되어 있습니다.",
            listener.fd(),
            first.fd()
        ),
    );
    l.kernel(&listener);
    l.kernel(&first);

    l.step(
        "send",
        "data goes over the data socket, never the listening one.",
        "데이터는 리스닝 소켓이 아니라 데이터 소켓으로 보냅니다.",
    );
    first.send(b"hello, client 1\n", MsgFlags::NONE)?;

    l.step(
        "close",
        "done with this client: close its data socket only.",
        "이 클라이언트와는 끝: 데이터 소켓만 닫습니다.",
    );
    first.close()?;

    let _ = connected.recv();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "the same listening fd accepts the next client, and hands out another new fd.",
        "같은 리스닝 fd가 다음 클라이언트를 받고, 또 새 fd를 내줍니다.",
    );
    let (second, peer) = listener.accept()?;
    l.say(
        &format!(
            "listening fd {} again; new data fd {} for {peer}.",
            listener.fd(),
            second.fd()
        ),
        &format!(
            "리스닝 소켓은 그대로 fd {}; {peer} 클라이언트를 위한 새 데이터 소켓은 fd {}.",
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
