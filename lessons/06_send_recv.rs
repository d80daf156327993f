//! Lesson 06 · send and recv: a byte stream, not messages.
//!
//! Three things to take away:
//! - `send` returns how many bytes the kernel copied into the socket's send
//!   buffer. That is "queued", not "delivered", and not "read".
//! - TCP keeps no message boundaries. Two sends can come out of one recv,
//!   and one send can take several recvs: one recv returns the bytes that
//!   have already arrived, up to the size of its buffer, however the
//!   sender split them. Where a message ends is for the program to mark
//!   (here: a newline).
//! - `recv` returning 0 is not an error: it means the peer closed its
//!   sending side, and no more bytes will ever come.

use socklab::trace::Side;
use socklab::{Connection, Listener, MsgFlags, Socket};
use socklab_tools::kernel;
use socklab_tools::lesson::{self, Lesson, Outcome};
use std::time::Duration;

fn main() {
    lesson::run(6, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    // socket → setsockopt → bind → listen, as lessons 01 to 04 showed.
    let (listener, here) = l.listening_socket(&addr)?;

    // The two threads agree on timing with cues, never over the
    // network: `queued` says "the client has sent N bytes", `go` says "the
    // server has read the first part".
    let (say_queued, queued) = lesson::cue::<u64>();
    let (say_go, go) = lesson::cue::<()>();
    let client = l.peer(Side::Client, &here, move |l, here| {
        l.say("the client connects", "클라이언트가 접속합니다");
        let c = Socket::new(here.family())?.connect(&here)?;

        l.say(
            "two sends: \"hello \" and then \"world\\n\"",
            "send 두 번: \"hello \" 그리고 \"world\\n\"",
        );
        let a = c.send(b"hello ", MsgFlags::NONE)?;
        let b = c.send(b"world\n", MsgFlags::NONE)?;
        l.say(
            &format!("send returned {a} and {b}: bytes copied into the kernel's send buffer, nothing more"),
            &format!("send의 반환값은 {a}, {b}입니다: 커널의 송신 버퍼(출력 버퍼)에 복사된 바이트 수일 뿐입니다"),
        );
        say_queued.give((a + b) as u64);
        go.wait();

        // 99 digits and a newline: easy to count in the trace. strace shows
        // only the first 32 bytes of a buffer (its -s 32 default), then "...".
        let line: Vec<u8> = (0..99u8).map(|i| b'0' + i % 10).chain([b'\n']).collect();
        l.say(
            "one send of a 100-byte line",
            "100바이트짜리 줄 하나를 send 한 번으로 보냅니다",
        );
        let n = c.send(&line, MsgFlags::NONE)?;
        say_queued.give(n as u64);

        let mut buf = [0u8; 64];
        c.recv(&mut buf, MsgFlags::NONE)?;
        l.say(
            "the client closes: the server's next recv will return 0",
            "클라이언트가 연결을 닫습니다: 서버의 다음 recv는 0을 돌려줄 것입니다",
        );
        c.close()?;
        Ok(())
    });
    if l.interactive() {
        l.say(
            &format!("The server listens on {here}. Type `hello world` and Enter, then a line longer than 32 characters and Enter, and end nc with Ctrl-C."),
            &format!("서버 주소: {here}. `hello world`를 치고 Enter, 32자보다 긴 줄을 치고 Enter, 마지막으로 Ctrl-C로 nc를 끝내세요."),
        );
    }

    // Self-contained: the client has connected and made both sends. (An
    // outside client: wait_for_peer polls until it has connected.)
    let sent = queued.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "a data socket for the client.",
        "클라이언트의 연결 요청을 수락합니다: 데이터 송수신용 소켓이 생깁니다.",
    );
    let (conn, peer) = listener.accept()?;

    // Wait until the kernel holds the bytes of both sends. Each went out as
    // its own TCP segment; the receiving kernel appended both to one
    // receive queue (recv-q below), and nothing is left of where one ended.
    if let Some(n) = sent {
        let _ = kernel::wait_for_tcp(&here, &peer, Duration::from_secs(2), |v| v.rx_queue >= n);
    }
    l.kernel(&conn);
    l.wait_for_peer(&conn)?;
    if l.interactive() {
        l.step(
            "recv",
            "ONE recv with a 64-byte buffer: whatever the client has sent so far.",
            "64바이트 버퍼로 recv를 딱 한 번 호출합니다: 클라이언트가 지금까지 보낸 만큼을 받습니다.",
        );
    } else {
        l.step(
            "recv",
            "ONE recv with a 64-byte buffer. The client made two sends.",
            "64바이트 버퍼로 recv를 딱 한 번 호출합니다. 클라이언트는 send를 두 번 호출했습니다.",
        );
    }
    let mut buf = [0u8; 64];
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    if n == 0 {
        // Readable, and 0 bytes: the peer's FIN came before any data. That
        // says nothing about message boundaries: there were no messages.
        l.say(
            "recv returned 0 at once: the peer closed without sending anything. There are no bytes here to show message boundaries with; run the lesson again and send a line first.",
            "recv가 바로 0을 돌려줬습니다: 상대가 아무것도 보내지 않고 연결을 닫았습니다. 메시지 경계를 보여 줄 바이트가 없습니다. 실습을 다시 실행하고 먼저 한 줄을 보내 보세요.",
        );
        drop(say_go);
        return close_both(l, conn, listener, client);
    }
    let text = String::from_utf8_lossy(&buf[..n]);
    if sent == Some(n as u64) {
        l.say(
            &format!("one recv returned {n} bytes, {text:?}: both sends at once, because both had arrived and fit the buffer. TCP is a byte stream and keeps no message boundaries."),
            &format!("recv 한 번으로 {n}바이트를 수신했습니다: {text:?}. 두 번의 send가 이미 도착해 있었고 버퍼에 다 들어가므로 한꺼번에 왔습니다. TCP는 바이트 스트림이라 데이터의 경계를 남기지 않습니다."),
        );
    } else {
        // An outside client (or bytes still on their way): say what came,
        // and no more than that about how it was sent.
        l.say(
            &format!("one recv returned {n} bytes, {text:?}: the bytes that had arrived, up to the 64-byte buffer. TCP is a byte stream and keeps no message boundaries: recv cannot tell how the sender split them."),
            &format!("recv 한 번으로 {n}바이트를 수신했습니다: {text:?}. 도착해 있던 바이트를 버퍼 크기(64바이트)까지 돌려준 것입니다. TCP는 바이트 스트림이라 데이터의 경계를 남기지 않습니다: 보낸 쪽이 send를 어떻게 나눴는지 recv로는 알 수 없습니다."),
        );
    }
    say_go.give(());

    // The other way round: one send, several recvs. Read with a 32-byte
    // buffer until the newline. The newline is the program's own mark for
    // "end of message": TCP has none.
    if let Some(n) = queued.wait() {
        let _ = kernel::wait_for_tcp(&here, &peer, Duration::from_secs(2), |v| v.rx_queue >= n);
        l.kernel(&conn);
    }
    let mut piece = [0u8; 32];
    let (mut total, mut recvs) = (0, 0);
    let mut closed = false;
    loop {
        l.wait_for_peer(&conn)?;
        l.step(
            "recv",
            "a 32-byte buffer: at most 32 bytes per call.",
            "32바이트 버퍼: 한 번에 최대 32바이트를 받습니다.",
        );
        let n = conn.recv(&mut piece, MsgFlags::NONE)?;
        if n == 0 {
            closed = true; // the peer closed before its newline
            break;
        }
        total += n;
        recvs += 1;
        l.say(
            &format!("{n} bytes ({total} so far)"),
            &format!("{n}바이트 (지금까지 {total}바이트)"),
        );
        if piece[..n].contains(&b'\n') {
            break;
        }
    }
    if closed {
        let (en, ko) = if total == 0 {
            (
                "the peer closed without sending more".to_string(),
                "상대가 더 보내지 않고 연결을 닫았습니다".to_string(),
            )
        } else {
            (
                format!("the peer closed after {total} more bytes, before a newline ended a line"),
                format!("상대가 {total}바이트를 더 보낸 뒤, 줄바꿈으로 줄을 끝내기 전에 연결을 닫았습니다"),
            )
        };
        l.say(
            &format!("recv returned 0: {en}. 0 means closed: no more bytes will come."),
            &format!("recv가 0을 돌려줬습니다: {ko}. 0은 연결이 닫혔다는 뜻이고, 앞으로 바이트는 더 오지 않습니다."),
        );
        return close_both(l, conn, listener, client);
    }
    l.say(
        &format!("one line of {total} bytes took {recvs} recvs: all of it had arrived, and each recv returned what was there, up to its 32-byte buffer. How the sender split the bytes does not matter. The newline, not TCP, marks the end."),
        &format!("{total}바이트 한 줄에 recv가 {recvs}번 필요했습니다: 바이트는 모두 도착해 있었고, recv는 매번 도착한 만큼을 버퍼 크기(32바이트)까지만 돌려줬습니다. 보낸 쪽이 send를 몇 번 했는지는 상관없습니다. 메시지가 어디서 끝나는지는 TCP가 알려 주지 않습니다. 이 프로그램은 줄바꿈으로 끝을 표시합니다."),
    );

    let answer = format!("{total} bytes in {recvs} recvs\n");
    l.step(
        "send",
        "answer the client. Watch the return value.",
        "클라이언트에게 답을 송신합니다. 반환값을 보세요.",
    );
    let sent = conn.send(answer.as_bytes(), MsgFlags::NONE)?;
    l.say(
        &format!("send returned {sent}: {sent} bytes are queued in our kernel's send buffer. The client may not have read them yet."),
        &format!("send의 반환값은 {sent}입니다: {sent}바이트가 커널의 송신 버퍼에 들어갔다는 뜻입니다. 클라이언트가 아직 읽지 않았을 수도 있습니다."),
    );

    loop {
        l.wait_for_peer(&conn)?;
        l.step(
            "recv",
            "wait for more bytes. The client is about to close.",
            "바이트를 더 기다립니다. 클라이언트는 곧 연결을 닫습니다.",
        );
        let n = conn.recv(&mut piece, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        l.say(
            &format!("{n} more bytes"),
            &format!("{n}바이트가 더 왔습니다"),
        );
    }
    l.say(
        "recv returned 0: 0 means the peer closed. It is not an error (that would be -1), and no more bytes will ever come.",
        "recv가 0을 돌려줬습니다: 0은 상대가 연결을 닫았다는 뜻입니다. 오류(-1)가 아니며, 앞으로 바이트는 더 오지 않습니다.",
    );

    close_both(l, conn, listener, client)
}

/// The end, however the client left: close its data socket, then the
/// listening socket.
fn close_both(
    l: &'static Lesson,
    conn: Connection,
    listener: Listener,
    client: lesson::Peer,
) -> Outcome {
    l.step(
        "close",
        "done with this client: close the data socket.",
        "이 클라이언트와는 끝났습니다: 데이터 송수신용 소켓을 닫습니다.",
    );
    conn.close()?;
    client.join();

    l.step(
        "close",
        "and the listening socket.",
        "리스닝 소켓도 닫습니다.",
    );
    listener.close()?;
    Ok(())
}
