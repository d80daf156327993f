//! Lesson 08 · an iterative server: one listening socket, a data socket per
//! client.
//!
//! The simplest real server is a loop: accept a client, talk to it, close
//! its data socket, accept the next. The listening fd is made once and
//! never changes; every client gets a data fd of its own, closed when that
//! client is done. Because the kernel always hands out the lowest free fd
//! number, the number just closed usually comes back for the next client:
//! same number, a different socket.
//!
//! While one client is served, the next waits in the listen queue: the
//! kernel has already completed its handshake (lesson 03), and `accept`
//! takes it off the queue when the loop comes round.

use socklab::trace::Side;
use socklab::{MsgFlags, Socket};
use socklab_tools::lesson::{self, josa, Lesson, Outcome};

/// The three clients the peer plays, one after the other.
const NAMES: [&str; 3] = ["alice", "bob", "carol"];

fn main() {
    lesson::run(8, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    // socket → setsockopt → bind → listen, as lessons 01 to 04 showed.
    let (listener, here) = l.listening_socket(&addr)?;

    // The client tells the server (with a cue, not over the network) that it
    // has connected, and which fd its own end has: the client is a thread
    // of this process, so its sockets take numbers from the same fd table.
    let (say_connected, connected) = lesson::cue::<i32>();
    let clients = l.peer(Side::Client, &here, move |l, here| {
        for name in NAMES {
            l.say(
                &format!("{name} connects"),
                &format!("클라이언트 {} 접속합니다", josa::i(name)),
            );
            let c = Socket::new(here.family())?.connect(&here)?;
            say_connected.give(c.fd());
            c.send(format!("{name}\n").as_bytes(), MsgFlags::NONE)?;
            let mut buf = [0u8; 64];
            // The server answers, then closes: recv returns 0 at the end.
            while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
            c.close()?;
        }
        Ok(())
    });
    if l.interactive() {
        l.say(
            &format!("The server listens on {here}. Connect three times, one after the other: type a name and Enter each time."),
            &format!("서버 주소: {here}. 세 번, 한 번에 하나씩 접속하세요: 매번 이름을 치고 Enter."),
        );
    }

    let mut data_fds = Vec::new();
    for n in 1..=NAMES.len() {
        // Self-contained: the next client has connected and waits in the
        // listen queue. (An outside client: wait_for_peer polls for it.)
        let client_fd = connected.wait();
        l.wait_for_peer(&listener)?;
        l.step(
            "accept",
            &format!(
                "client {n}: accept on the same listening fd {}.",
                listener.fd()
            ),
            &format!(
                "{n}번 클라이언트: 같은 리스닝 소켓 fd {}에서 accept합니다.",
                listener.fd()
            ),
        );
        let (conn, peer) = listener.accept()?;
        data_fds.push(conn.fd());
        l.say(
            &format!(
                "listening fd {} unchanged; client {n} ({peer}) gets data fd {}.",
                listener.fd(),
                conn.fd()
            ),
            &format!(
                "리스닝 소켓 fd {} 그대로입니다. {n}번 클라이언트({peer})와 연결된 소켓은 fd {}입니다.",
                josa::eun(listener.fd()),
                conn.fd()
            ),
        );
        if n == 1 {
            if let Some(fd) = client_fd {
                l.say(
                    &format!("(fd {fd} is the client's own end: the client is a thread of this process, and takes numbers from the same fd table.)"),
                    &format!("(fd {}: 클라이언트 쪽 소켓입니다. 클라이언트는 이 프로세스의 스레드 하나가 맡고 있으므로, 같은 파일 디스크립터 테이블에서 번호를 받습니다.)", fd),
                );
            }
        }

        l.wait_for_peer(&conn)?;
        l.step(
            "recv",
            "the client's name, on its data fd.",
            "연결된 소켓으로 클라이언트의 이름을 수신합니다.",
        );
        let mut buf = [0u8; 64];
        let got = conn.recv(&mut buf, MsgFlags::NONE)?;
        let name = String::from_utf8_lossy(&buf[..got]).trim().to_string();
        let name = if name.is_empty() {
            "stranger".to_string()
        } else {
            name
        };

        l.step(
            "send",
            "greet this client.",
            "이 클라이언트에게 인사합니다.",
        );
        conn.send(format!("hello, {name}\n").as_bytes(), MsgFlags::NONE)?;

        l.step(
            "close",
            &format!(
                "done with client {n}: close data fd {} only. Its number is free again.",
                conn.fd()
            ),
            &format!(
                "{n}번 클라이언트와는 끝났습니다: 연결된 소켓 fd {}만 닫습니다. 그 번호는 다시 비게 됩니다.",
                conn.fd()
            ),
        );
        conn.close()?;
    }

    let list = data_fds
        .iter()
        .map(|fd| fd.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if data_fds.windows(2).all(|w| w[0] == w[1]) {
        l.say(
            &format!("\nData fds: {list}; listening fd: {} all along. The same number each time: close freed it, and the kernel hands out the lowest free number. Same number, three different sockets (three client ports).", listener.fd()),
            &format!("\n연결된 소켓의 fd: {list}. 리스닝 소켓은 내내 fd {}입니다. 매번 같은 번호인 까닭은 close가 번호를 비웠고, 커널은 비어 있는 가장 작은 번호를 주기 때문입니다. 번호는 같아도 소켓은 셋 다 다릅니다 (클라이언트 포트가 셋입니다).", listener.fd()),
        );
    } else {
        l.say(
            &format!("\nData fds: {list}; listening fd: {} all along. A number comes back only if it is the lowest free one when accept runs.", listener.fd()),
            &format!("\n연결된 소켓의 fd: {list}. 리스닝 소켓은 내내 fd {}입니다. 닫은 번호는 accept하는 순간 그것이 비어 있는 가장 작은 번호일 때만 다시 나옵니다.", listener.fd()),
        );
    }
    clients.join();

    l.step(
        "close",
        "the server is done: now, and only now, close the listening socket.",
        "서버 일이 끝났으니 이제야 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    Ok(())
}
