//! Lesson 10 · UDP: datagrams, not a stream.
//!
//! ```text
//! client: socket → sendto/recvfrom … → close
//! server: socket → bind → recvfrom/sendto … → close
//! ```
//!
//! What to take away:
//! - No listen, no accept, no connection: one bound socket receives from
//!   every peer, and each `recvfrom` says who sent that datagram. An answer
//!   goes back with `sendto` to that address.
//! - Message boundaries are kept. Each `sendto` is one datagram and each
//!   `recvfrom` returns one, where lesson 06's TCP `recv` returned two sends
//!   at once.
//! - A datagram longer than the buffer is cut and the rest is lost: recvfrom
//!   returns the bytes it copied, or with MSG_TRUNC the datagram's real
//!   length.
//! - The kernel's view: /proc/net/udp lists a socket once it has a port
//!   (bind, connect, or its first sendto). A small SO_RCVBUF fills up, the
//!   datagrams that do not fit are thrown away, and the `drops` column
//!   counts them; the sender is told nothing.
//! - A connected UDP socket (`connect` records a peer, nothing is sent)
//!   hears of a datagram nobody received: its *next* call fails with
//!   ECONNREFUSED. An unconnected socket never does.

use socklab::trace::Side;
use socklab::{DatagramSocket, Errno, MsgFlags, SoRcvBuf, SockAddr, SockOpt};
use socklab_tools::kernel;
use socklab_tools::lesson::{self, josa, Lesson, LessonError, Outcome};
use std::time::Duration;

/// The first receive buffer asked for, and a smaller one.
const ASK_RCVBUF: i32 = 4096;
const ASK_SMALL_RCVBUF: i32 = 1024;
/// The flood: this many datagrams of this many bytes.
const FLOOD: usize = 10;
const FLOOD_BYTES: usize = 100;
/// The short buffer that truncates.
const SHORT: usize = 8;

fn main() {
    lesson::run(10, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    l.step(
        "socket",
        "a UDP socket for the server: SOCK_DGRAM.",
        "서버용 UDP 소켓을 만듭니다: SOCK_DGRAM.",
    );
    let server = DatagramSocket::new(addr.family())?;
    l.kernel(&server);

    l.step(
        "bind",
        "the address clients send to. No listen and no accept follow: UDP has no connections to wait for.",
        "클라이언트가 데이터그램을 보낼 주소를 할당합니다. listen도 accept도 없습니다: UDP에는 기다릴 연결이 없습니다.",
    );
    server.bind(&addr)?;
    l.say(
        "bind gave it a port, and the kernel lists it in /proc/net/udp:",
        "bind로 포트가 생겼으므로 커널이 /proc/net/udp에 올립니다:",
    );
    l.kernel(&server);

    l.step(
        "getsockname",
        "the real address and port, for the clients.",
        "클라이언트에게 알려 줄 실제 주소와 포트를 확인합니다.",
    );
    let here = server.getsockname()?;

    who_sent(l, &server, &here)?;
    drops(l, server, &here)
}

/// Two clients, one server socket: recvfrom says who sent each datagram,
/// each sendto is one recvfrom, and a short buffer cuts a datagram.
fn who_sent(l: &'static Lesson, server: &DatagramSocket, here: &SockAddr) -> Outcome {
    // The clients send everything first; the server reads once all of it
    // is queued (a cue in memory, not a network message, says so).
    let (say_sent, sent) = lesson::cue::<()>();
    let client = l.peer(Side::Client, here, move |l, here| {
        l.say(
            "two sockets, a and b: no bind, no connect",
            "소켓 두 개, a와 b를 만듭니다: bind도 connect도 하지 않습니다",
        );
        let a = DatagramSocket::new(here.family())?;
        let b = DatagramSocket::new(here.family())?;
        l.say(
            "a: two sendtos, \"hello \" and then \"world\\n\"",
            "a: sendto 두 번, \"hello \" 그리고 \"world\\n\"",
        );
        a.sendto(b"hello ", MsgFlags::NONE, &here)?;
        a.sendto(b"world\n", MsgFlags::NONE, &here)?;
        l.say("b: one sendto", "b: sendto 한 번");
        b.sendto(b"from b\n", MsgFlags::NONE, &here)?;
        l.say(
            "a: two datagrams of 20 bytes each",
            "a: 20바이트짜리 데이터그램 두 개",
        );
        a.sendto(b"0123456789abcdefghij", MsgFlags::NONE, &here)?;
        a.sendto(b"ABCDEFGHIJKLMNOPQRST", MsgFlags::NONE, &here)?;
        l.say(
            "a waits for the server's answer",
            "a가 서버의 답을 기다립니다",
        );
        say_sent.give(());
        let mut buf = [0u8; 64];
        a.recvfrom(&mut buf, MsgFlags::NONE)?;
        a.close()?;
        b.close()?;
        Ok(())
    });
    if l.interactive() {
        l.say(
            &format!("The server waits on {here}. In nc, type `hello` and Enter, then `world` and Enter. Then start a second `nc -u` in a third terminal and type a line there. Last, type two lines longer than {SHORT} characters."),
            &format!("서버 주소는 {here}입니다. nc에서 `hello`를 치고 Enter, `world`를 치고 Enter를 누르세요. 그다음 세 번째 터미널에서 `nc -u`를 하나 더 실행하고 한 줄을 치세요. 마지막으로 {SHORT}자보다 긴 줄을 두 번 치세요."),
        );
    }
    let all_sent = sent.wait().is_some();
    if all_sent {
        l.say(
            "The client has sent five datagrams. They wait in the server socket's receive buffer:",
            "클라이언트가 데이터그램 다섯 개를 보냈습니다. 서버 소켓의 수신 버퍼에서 기다리고 있습니다:",
        );
        l.kernel(server);
    }

    let mut buf = [0u8; 64];
    l.wait_for_peer(server)?;
    l.step(
        "recvfrom",
        "a 64-byte buffer, and room for the sender's address.",
        "64바이트 버퍼와, 보낸 쪽 주소를 받을 자리를 줍니다.",
    );
    let (n, first) = server.recvfrom(&mut buf, MsgFlags::NONE)?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    l.say(
        &format!("{n} bytes, {text:?}, from {first}: recvfrom also wrote who sent them."),
        &format!(
            "{n}바이트 {text:?}, 보낸 쪽은 {first}입니다: recvfrom은 누가 보냈는지도 알려 줍니다."
        ),
    );

    l.wait_for_peer(server)?;
    l.step(
        "recvfrom",
        "the same 64-byte buffer again.",
        "같은 64바이트 버퍼로 한 번 더 받습니다.",
    );
    let (n, _) = server.recvfrom(&mut buf, MsgFlags::NONE)?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    if all_sent {
        l.say(
            &format!("{n} bytes, {text:?}: the second sendto, alone, though more was waiting and the buffer had room. Two sendtos, two recvfroms. In lesson 06 one TCP recv returned both sends at once, \"hello world\\n\"; UDP keeps the boundary of each datagram."),
            &format!("{n}바이트 {text:?}: 두 번째 sendto만 왔습니다. 더 기다리는 데이터가 있고 버퍼에 자리도 남았는데도 그렇습니다. sendto 두 번에 recvfrom 두 번입니다. 실습 06에서는 TCP의 recv 한 번이 두 send를 한꺼번에 \"hello world\\n\"로 돌려줬습니다. UDP는 데이터그램마다 데이터의 경계를 지킵니다."),
        );
    } else {
        l.say(
            &format!("{n} bytes, {text:?}: one datagram, one recvfrom. UDP keeps the boundary of each datagram: each line you typed comes as its own."),
            &format!("{n}바이트 {text:?}: 데이터그램 하나에 recvfrom 한 번입니다. UDP는 데이터그램마다 데이터의 경계를 지킵니다: 친 줄마다 따로 도착합니다."),
        );
    }

    l.wait_for_peer(server)?;
    l.step(
        "recvfrom",
        "the next datagram. Watch the sender's port.",
        "다음 데이터그램을 받습니다. 보낸 쪽 포트를 보세요.",
    );
    let (n, other) = server.recvfrom(&mut buf, MsgFlags::NONE)?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    if other != first {
        l.say(
            &format!("{text:?} from {other}: another sender, received by the same socket. No accept and no new fd: one UDP socket serves every peer."),
            &format!("{text:?}, 보낸 쪽은 {other}입니다: 다른 송신자인데 같은 소켓으로 받았습니다. accept도 새 fd도 없습니다: UDP 소켓 하나가 모든 상대를 맡습니다."),
        );
    } else {
        l.say(
            &format!("{text:?} from {other}, the same sender as before. Another socket (a second nc) would show another port, and the same server socket would receive it."),
            &format!("{text:?}, 보낸 쪽은 {other}, 앞과 같은 송신자입니다. 다른 소켓(두 번째 nc)이 보내면 다른 포트가 보이고, 같은 서버 소켓이 그것도 받습니다."),
        );
    }

    let mut short = [0u8; SHORT];
    l.wait_for_peer(server)?;
    l.step(
        "recvfrom",
        &format!("a buffer of only {SHORT} bytes."),
        &format!("이번에는 {SHORT}바이트짜리 버퍼로 받습니다."),
    );
    let (n, _) = server.recvfrom(&mut short, MsgFlags::NONE)?;
    if all_sent {
        l.say(
            &format!("{n}: the datagram had 20 bytes, recvfrom copied {n} and returns {n}. The other {} are lost, and nothing in the return value says so.", 20 - n),
            &format!("{n}: 데이터그램은 20바이트였는데 recvfrom은 {n}바이트를 복사하고 {} 돌려줍니다. 나머지 {}바이트는 사라졌고, 반환값만 봐서는 알 수 없습니다.", josa::eul(n), 20 - n),
        );
    } else {
        l.say(
            &format!("{n}: the bytes copied, at most the buffer's {SHORT}. If the line was longer, the rest is lost, and the return value cannot say so."),
            &format!("{n}: 복사한 바이트 수이며, 버퍼 크기 {SHORT}바이트를 넘지 않습니다. 줄이 더 길었다면 나머지는 사라졌고, 반환값만 봐서는 알 수 없습니다."),
        );
    }

    l.wait_for_peer(server)?;
    l.step(
        "recvfrom",
        &format!("{SHORT} bytes again, with MSG_TRUNC in flags."),
        &format!("다시 {SHORT}바이트 버퍼로, 이번에는 flags에 MSG_TRUNC를 줍니다."),
    );
    let (real, last) = server.recvfrom(&mut short, MsgFlags::TRUNC)?;
    let copied = String::from_utf8_lossy(&short[..real.min(SHORT)]).into_owned();
    if real > SHORT {
        l.say(
            &format!("{real}: with MSG_TRUNC recvfrom returns the datagram's real length, though it copied only {SHORT} bytes, {copied:?}. {real} > {SHORT} means it was cut."),
            &format!("{real}: MSG_TRUNC를 주면 recvfrom은 {SHORT}바이트({copied:?})만 복사하고도 데이터그램의 실제 길이를 돌려줍니다. {real} > {SHORT}이면 잘렸다는 뜻입니다."),
        );
    } else {
        l.say(
            &format!("{real}: with MSG_TRUNC recvfrom returns the datagram's real length. It fit the buffer: nothing was cut."),
            &format!("{real}: MSG_TRUNC를 주면 recvfrom은 데이터그램의 실제 길이를 돌려줍니다. 버퍼에 다 들어갔으니 잘린 것은 없습니다."),
        );
    }
    if all_sent {
        l.say(
            &format!("It starts {copied:?}: the second 20-byte datagram. The 12 bytes cut from the first are not waiting anywhere."),
            &format!("{} 시작합니다: 두 번째 20바이트 데이터그램입니다. 첫 데이터그램에서 잘린 12바이트는 어디에도 남아 있지 않습니다.", josa::ro(format!("{copied:?}"))),
        );
    }

    l.step(
        "sendto",
        &format!("answer the last sender, at the address recvfrom gave: {last}."),
        &format!(
            "마지막 송신자에게, recvfrom이 알려 준 주소 {} 답을 보냅니다.",
            josa::ro(&last)
        ),
    );
    server.sendto(b"got 5 datagrams\n", MsgFlags::NONE, &last)?;
    client.join();
    Ok(())
}

/// The kernel's view: a receive buffer made small on purpose overflows,
/// and /proc/net/udp counts the datagrams thrown away. Then the server
/// closes, and a connected socket hears that nobody is there.
fn drops(l: &'static Lesson, server: DatagramSocket, here: &SockAddr) -> Outcome {
    l.step(
        "setsockopt",
        &format!("ask for a receive buffer of {ASK_RCVBUF} bytes (SO_RCVBUF)."),
        &format!("수신 버퍼를 {ASK_RCVBUF}바이트로 요청합니다 (SO_RCVBUF)."),
    );
    server.setsockopt(SockOpt::RcvBuf(ASK_RCVBUF))?;
    l.step(
        "getsockopt",
        "what did the kernel set?",
        "커널이 실제로 얼마로 정했을까요?",
    );
    let got = server.getsockopt(SoRcvBuf)?;
    if got == 2 * ASK_RCVBUF {
        l.say(
            &format!("{got}: twice what was asked. The kernel doubles the value (man 7 socket: to leave room for its bookkeeping)."),
            &format!("{got}: 요청한 값의 두 배입니다. 커널은 이 값을 두 배로 잡습니다 (man 7 socket: 자기 관리용 공간을 위해서)."),
        );
    } else {
        l.say(
            &format!("{got}, for {ASK_RCVBUF} asked."),
            &format!("{ASK_RCVBUF}바이트를 요청했고 {got}바이트가 되었습니다."),
        );
    }
    l.step(
        "setsockopt",
        &format!("ask for only {ASK_SMALL_RCVBUF} bytes."),
        &format!("이번에는 {ASK_SMALL_RCVBUF}바이트만 요청합니다."),
    );
    server.setsockopt(SockOpt::RcvBuf(ASK_SMALL_RCVBUF))?;
    l.step("getsockopt", "and now?", "이번에는요?");
    let small = server.getsockopt(SoRcvBuf)?;
    if small > 2 * ASK_SMALL_RCVBUF {
        l.say(
            &format!("{small}, more than twice {ASK_SMALL_RCVBUF}: the kernel has a minimum receive buffer, and on this machine it is {small}."),
            &format!("{small}: {ASK_SMALL_RCVBUF}의 두 배보다 큽니다. 커널에는 수신 버퍼의 최솟값이 있고, 이 컴퓨터에서는 {small}바이트입니다."),
        );
    } else {
        l.say(
            &format!("{small}, for {ASK_SMALL_RCVBUF} asked."),
            &format!("{ASK_SMALL_RCVBUF}바이트를 요청했고 {small}바이트가 되었습니다."),
        );
    }

    // The client that floods the small buffer, then (once the server has
    // closed) sends where nobody receives. No outside tool plays this part,
    // so the lesson plays it with --wait too.
    let (say_small, small_set) = lesson::cue::<()>();
    let (say_flooded, flooded) = lesson::cue::<usize>();
    let (say_closed, closed) = lesson::cue::<()>();
    let client = l.own_peer(Side::Client, here, move |l, here| {
        if small_set.wait().is_none() {
            return Ok(());
        }
        l.say(
            "a new socket, f, not bound and not connected",
            "새 소켓 f를 만듭니다. bind도 connect도 하지 않습니다",
        );
        let f = DatagramSocket::new(here.family())?;
        l.kernel(&f);
        l.say(
            &format!("f floods the server: {FLOOD} datagrams of {FLOOD_BYTES} bytes, one sendto after another"),
            &format!("f가 서버에 {FLOOD_BYTES}바이트짜리 데이터그램 {FLOOD}개를 쉬지 않고 sendto로 보냅니다"),
        );
        let data = [b'x'; FLOOD_BYTES];
        let mut full = 0;
        for i in 0..FLOOD {
            if f.sendto(&data, MsgFlags::NONE, &here)? == FLOOD_BYTES {
                full += 1;
            }
            if i == 0 {
                l.say(
                    "its first sendto gave f a port (on address 0.0.0.0, any), and now it is listed:",
                    "첫 sendto가 f에 포트를 할당했고(주소는 0.0.0.0, 아무 주소), 이제 목록에 있습니다:",
                );
                l.kernel(&f);
            }
        }
        say_flooded.give(full);
        if closed.wait().is_none() {
            return Ok(());
        }
        connected_udp(l, f, &here)
    });
    say_small.give(());

    let Some(full) = flooded.wait() else {
        return Ok(());
    };
    l.say(
        &format!("Every one of the {FLOOD} sendtos returned {FLOOD_BYTES}: the sender is told nothing about what happens next. The kernel's view of the server's socket:"),
        &format!("sendto {FLOOD}번이 모두 {} 돌려줬습니다: 그 뒤에 무슨 일이 생기든 보낸 쪽은 알 수 없습니다. 커널이 보는 서버 소켓의 상태:", josa::eul(FLOOD_BYTES)),
    );
    if full != FLOOD {
        return Err(LessonError::Message {
            en: format!("only {full} of the {FLOOD} sendtos sent the whole datagram"),
            ko: format!("sendto {FLOOD}번 중 {full}번만 데이터그램 전체를 보냈습니다"),
        });
    }
    // The drops counter moves as the kernel hands each datagram to the
    // socket, which on loopback is done by the time sendto returns; wait
    // a moment for it all the same, reading /proc only.
    let fd = server.fd();
    let seen = if l.shows_kernel() {
        l.found(kernel::wait_for(Duration::from_secs(2), || {
            Ok(kernel::view_of_fd(fd)?.filter(|v| v.drops > 0))
        }))
    } else {
        None
    };
    l.kernel(&server);

    let mut buf = [0u8; 128];
    let mut kept = 0;
    loop {
        l.step(
            "recvfrom",
            "the next datagram; MSG_DONTWAIT: do not wait when there is none.",
            "다음 데이터그램을 받습니다. MSG_DONTWAIT: 없으면 기다리지 않습니다.",
        );
        match server.recvfrom(&mut buf, MsgFlags::DONTWAIT) {
            Ok(_) => kept += 1,
            Err(e) if e.errno == Errno::EAGAIN => break,
            Err(e) => return Err(e.into()),
        }
    }
    l.say(
        &format!("{kept} datagrams were waiting, then EAGAIN: nothing more to read."),
        &format!(
            "기다리던 데이터그램은 {kept}개였고, 그다음은 EAGAIN입니다: 더 읽을 것이 없습니다."
        ),
    );
    if let Some(v) = seen {
        l.say(
            &format!("{kept} kept + {} dropped = {FLOOD} sent: each datagram that found the buffer full was thrown away and counted in the drops column of /proc/net/udp.", v.drops),
            &format!("{kept}개 받음 + {}개 버림 = {FLOOD}개 보냄: 버퍼가 가득 찼을 때 도착한 데이터그램은 버려지고, /proc/net/udp의 drops 열에 세어집니다.", v.drops),
        );
        if v.rx_queue > (kept * FLOOD_BYTES) as u64 {
            l.say(
                &format!("recv-q was {} for {kept} datagrams of {FLOOD_BYTES} bytes: the kernel counts the memory each queued datagram takes, far more than its data. That is why a buffer of {small} held so few.", v.rx_queue),
                &format!("{FLOOD_BYTES}바이트 데이터그램 {kept}개에 수신 큐가 {}였습니다: 커널은 데이터가 아니라 큐에 든 데이터그램 하나하나가 차지하는 메모리를 셉니다. 그래서 {small}바이트 버퍼에 몇 개 들어가지 못했습니다.", v.rx_queue),
            );
        }
        l.kernel(&server);
    }

    l.step(
        "close",
        "the server closes its socket: from now on nothing receives at its address.",
        "서버가 소켓을 닫습니다: 이제 그 주소에서 받는 소켓은 없습니다.",
    );
    server.close()?;
    say_closed.give(());
    client.join();
    Ok(())
}

/// The client's last part: datagrams to an address where nothing
/// receives, from an unconnected socket and from a connected one.
fn connected_udp(l: &'static Lesson, f: DatagramSocket, gone: &SockAddr) -> Outcome {
    l.say(
        &format!("f, unconnected, sends twice to {gone}, where the server was"),
        &format!(
            "연결하지 않은 f가 서버가 있던 주소 {} 두 번 보냅니다",
            josa::ro(gone)
        ),
    );
    f.sendto(b"anyone?", MsgFlags::NONE, gone)?;
    f.sendto(b"anyone?", MsgFlags::NONE, gone)?;
    l.say(
        "both returned 7. Then a later call on f: recvfrom, with MSG_DONTWAIT",
        "둘 다 7을 돌려줬습니다. 이어서 f로 다음 호출, MSG_DONTWAIT를 준 recvfrom을 합니다",
    );
    let mut buf = [0u8; 64];
    l.expect_errno(
        f.recvfrom(&mut buf, MsgFlags::DONTWAIT),
        Errno::EAGAIN,
        "EAGAIN: nothing to read, and no error. An unconnected socket is never told that nobody received its datagrams.",
        "EAGAIN: 읽을 것이 없고, 오류도 없습니다. 연결하지 않은 소켓은 아무도 데이터그램을 받지 않았다는 것을 전달받지 못합니다.",
    )?;

    l.say(
        "a new socket, g, and connect: on a UDP socket connect records the peer's address",
        "새 소켓 g를 만들고 connect합니다: UDP 소켓의 connect는 상대 주소를 기록합니다",
    );
    let g = DatagramSocket::new(gone.family())?;
    g.connect(gone)?;
    l.say(
        "connect gave g a port too, and the kernel lists it with its peer:",
        "connect로 g에도 포트가 생겼고, 커널은 상대 주소와 함께 목록에 올립니다:",
    );
    l.kernel(&g);
    l.say(
        "g: send, with no address (the kernel sees sendto with NULL)",
        "g: 주소 없이 send합니다 (커널에는 NULL을 준 sendto로 보입니다)",
    );
    g.send(b"anyone?", MsgFlags::NONE)?;
    l.say(
        "send returned 7 as well. Then a later call on g: recv",
        "send도 7을 돌려줬습니다. 이어서 g로 다음 호출, recv를 합니다",
    );
    l.expect_errno(
        g.recv(&mut buf, MsgFlags::NONE),
        Errno::ECONNREFUSED,
        "recv: -1 ECONNREFUSED. Nobody received the datagram: the kernel answered it with an ICMP 'port unreachable', and reports that on the connected socket's next call. f, unconnected, never heard of it.",
        "recv: -1 ECONNREFUSED. 데이터그램을 받은 소켓이 없었습니다: 커널이 ICMP 'port unreachable'로 답했고, 그것을 connect한 소켓의 다음 호출에서 알려 줍니다. 연결하지 않은 f는 끝내 듣지 못했습니다.",
    )?;
    g.close()?;
    f.close()?;
    Ok(())
}
