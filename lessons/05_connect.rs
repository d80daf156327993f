//! Lesson 05 · connect: the client side.
//!
//! A client needs no `bind` and no `listen`: `connect` does it all. The
//! kernel gives the socket a local address on the way, the right IP
//! address for the route to the server and a free *ephemeral* port, then
//! runs the TCP handshake, and `connect` returns once the server's kernel
//! has answered. `getsockname` shows the port the kernel picked, and
//! `getpeername` the server's address.
//!
//! When nothing listens at the address, the server's kernel answers the
//! handshake with a reset, and `connect` fails with ECONNREFUSED. POSIX
//! leaves the state of a socket whose connect failed unspecified: close it,
//! and make a new one to try again.

use socklab::trace::Side;
use socklab::{Errno, MsgFlags, SockOpt, Socket};
use socklab_tools::lesson::{self, Lesson, Outcome};

fn main() {
    lesson::run(5, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    // The peer: a server that answers one client, then goes away. It calls
    // accept only once our connect has returned (told by a cue, not
    // the network): a blocked accept already holds the next free fd number,
    // and our fds would depend on which thread got there first.
    let (say_listening, listening) = lesson::cue();
    let (say_connected, connected) = lesson::cue::<()>();
    let (say_gone, gone) = lesson::cue::<()>();
    let server = l.peer(Side::Server, &addr, move |l, addr| {
        l.say("the server starts", "서버가 시작합니다");
        let s = Socket::new(addr.family())?;
        s.setsockopt(SockOpt::ReuseAddr(true))?;
        s.bind(&addr)?;
        let listener = s.listen(1)?;
        say_listening.give(listener.getsockname()?);
        connected.wait();
        let (conn, _) = listener.accept()?;
        let mut buf = [0u8; 64];
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        conn.send(format!("got {n} bytes\n").as_bytes(), MsgFlags::NONE)?;
        while conn.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        conn.close()?;
        l.say(
            "the server closes its listening socket and is gone",
            "서버가 리스닝 소켓을 닫고 종료합니다",
        );
        listener.close()?;
        say_gone.give(());
        Ok(())
    });
    // Self-contained: the server says where it listens (its real port,
    // when --port 0 let the kernel pick). Interactive: no peer thread ran,
    // its sender is gone, and the outside server listens on --host/--port.
    let server_addr = listening.wait().unwrap_or(addr);
    l.wait_for_enter()?;

    l.step(
        "socket",
        "a TCP socket for the client. No bind: connect will give it an address.",
        "클라이언트용 TCP 소켓을 만듭니다. bind는 하지 않습니다: connect가 주소를 할당해 줍니다.",
    );
    let client = Socket::new(server_addr.family())?;
    l.kernel(&client);

    l.step(
        "connect",
        &format!("dial {server_addr}. Returns when the handshake is done."),
        &format!(
            "그 주소({server_addr})로 연결을 요청합니다. 3-way 핸드셰이크가 끝나면 돌아옵니다."
        ),
    );
    let conn = client.connect(&server_addr)?;
    say_connected.give(());
    l.kernel(&conn);

    l.step(
        "getsockname",
        "our own address: we never called bind, so which port do we have?",
        "우리 쪽 주소를 묻습니다: bind를 한 적이 없는데 포트는 몇 번일까요?",
    );
    let ours = conn.getsockname()?;
    l.say(
        &format!("{ours}: connect bound the socket to a free ephemeral port, picked by the kernel (range in /proc/sys/net/ipv4/ip_local_port_range)."),
        &format!("우리 주소는 {ours}입니다: connect하는 동안 커널이 비어 있는 임시 포트를 골라 소켓에 할당했습니다 (범위는 /proc/sys/net/ipv4/ip_local_port_range)."),
    );

    l.step(
        "getpeername",
        "the other end: the server's address.",
        "연결 반대편, 서버의 주소를 묻습니다.",
    );
    let theirs = conn.getpeername()?;
    l.say(
        &format!("connected: {ours} <-> {theirs}. These four values (two addresses, two ports) identify the connection."),
        &format!("연결되었습니다: {ours} <-> {theirs}. 이 네 값(양쪽의 IP 주소와 포트)이 연결 하나를 식별합니다."),
    );

    l.step("send", "say hello to the server.", "서버에게 인사합니다.");
    conn.send(b"hello, server\n", MsgFlags::NONE)?;

    if l.interactive() {
        l.say(
            "Type an answer in the server's terminal and press Enter.",
            "서버 터미널에서 답을 치고 Enter를 누르세요.",
        );
    }
    l.wait_for_peer(&conn)?;
    l.step(
        "recv",
        "read the server's answer.",
        "서버의 답을 수신합니다.",
    );
    let mut buf = [0u8; 64];
    conn.recv(&mut buf, MsgFlags::NONE)?;

    l.step(
        "close",
        "done: close the connection.",
        "다 끝났으니 연결을 닫습니다.",
    );
    conn.close()?;
    server.join();

    // Self-contained: the server has closed its listening socket.
    gone.wait();
    if l.interactive() {
        l.say(
            "Now stop the server (Ctrl-C in its terminal, if it is still running).",
            "이제 서버를 멈추세요 (아직 돌고 있다면 그 터미널에서 Ctrl-C).",
        );
        l.wait_for_enter()?;
    }
    l.step(
        "socket",
        "a new socket, to dial the same address again. Nothing listens there now.",
        "같은 주소로 다시 연결을 요청할 새 소켓을 만듭니다. 이제 그 주소에서 listen하는 서버는 없습니다.",
    );
    let again = Socket::new(server_addr.family())?;
    l.step(
        "connect",
        "expect -1 ECONNREFUSED: the server's kernel answers our SYN with a reset.",
        "-1 ECONNREFUSED가 나올 것입니다: 서버 쪽 커널이 SYN에 RST로 답합니다.",
    );
    l.expect_errno(
        again.connect(&server_addr),
        Errno::ECONNREFUSED,
        "connect returned -1, errno ECONNREFUSED: no socket listens on that port. After a failed connect the socket's state is unspecified (POSIX), so it is closed (the close above) and a retry takes a new socket.",
        "connect가 -1을 돌려줬고 errno는 ECONNREFUSED입니다: 그 포트에서 listen하는 소켓이 없습니다. connect가 실패한 소켓의 상태는 정해져 있지 않으므로(POSIX) 닫았고(위의 close), 다시 하려면 새 소켓을 씁니다.",
    )?;
    Ok(())
}
