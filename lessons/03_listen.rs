//! Lesson 03 · listen: the kernel accepts connections before you do.
//!
//! `listen` turns a bound socket into a listening socket. From then on the
//! kernel itself answers clients: it completes each TCP handshake (SYN,
//! SYN-ACK, ACK) and puts the finished connection in the socket's accept
//! queue (연결 요청 대기 큐). The client's `connect` returns as soon as its handshake is done,
//! whether or not the server program has called `accept`. `accept` only
//! takes a connection that is already there off the queue.
//!
//! The backlog argument caps that queue. Linux lets backlog + 1 finished
//! connections wait: the lesson listens with a backlog of 2 and queues
//! three clients, and the kernel's view shows all three in the queue.
//! (Linux also caps the backlog at /proc/sys/net/core/somaxconn, as
//! `man 2 listen` says; a run with three clients cannot show that.)
//!
//! A connection still in the queue when the listening socket is closed has
//! no fd and nobody to serve it: the kernel resets it, and the client's
//! next `recv` fails with ECONNRESET. The lesson leaves its third client
//! there to show it.

use socklab::trace::Side;
use socklab::{Errno, MsgFlags, SockOpt, Socket};
use socklab_tools::kernel::{self, TcpState};
use socklab_tools::lesson::{self, Lesson, Outcome};
use std::time::Duration;

/// The backlog the lesson listens with.
const BACKLOG: i32 = 2;
/// How many clients the self-contained run queues up before it accepts:
/// backlog + 1, as many as Linux lets wait.
const CLIENTS: usize = BACKLOG as usize + 1;
/// How many of them the server accepts; the last one is still queued when
/// the listening socket closes.
const ACCEPTED: usize = 2;

fn main() {
    lesson::run(3, flow)
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
    l.kernel(&server);

    l.step(
        "listen",
        &format!("backlog {BACKLOG}: how many finished connections may wait for accept. Linux lets one more wait: {CLIENTS} clients will fit."),
        &format!("backlog {BACKLOG}: 연결 요청 대기 큐에서 accept를 기다릴 수 있는, 핸드셰이크를 마친 연결의 수입니다. 리눅스는 하나 더 받아 두므로 클라이언트 {CLIENTS}개가 들어갑니다."),
    );
    let listener = server.listen(BACKLOG)?;

    l.step(
        "getsockname",
        "the real address and port, for the clients.",
        "클라이언트에게 알려 줄 실제 주소와 포트를 확인합니다.",
    );
    let here = listener.getsockname()?;
    l.kernel(&listener);

    // The clients tell the server (with a cue, not over the network) when
    // their connects have returned, and wait for the server's greeting.
    let (say_connected, connected) = lesson::cue::<()>();
    let (say_served, served) = lesson::cue::<()>();
    let (say_closed, listener_closed) = lesson::cue::<()>();
    let clients = l.peer(Side::Client, &here, move |l, here| {
        let mut conns = Vec::new();
        for n in 1..=CLIENTS {
            l.say(
                &format!("client {n} connects"),
                &format!("{n}번 클라이언트가 접속합니다"),
            );
            conns.push(Socket::new(here.family())?.connect(&here)?);
            l.say(
                "connect returned 0: the handshake is done, yet the server has not called accept.",
                "connect가 0을 돌려줬습니다: 3-way 핸드셰이크가 끝났습니다. 서버는 아직 accept를 호출하지 않았습니다.",
            );
        }
        say_connected.give(());
        let mut buf = [0u8; 64];
        let never_accepted = conns.split_off(ACCEPTED);
        for c in conns {
            // The server greets, then closes: recv returns 0 at the end.
            while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
            c.close()?;
        }
        say_served.give(());
        // The last client reads only once the listening socket is closed
        // (told by a cue), so the trace shows the close first.
        listener_closed.wait();
        for c in never_accepted {
            l.say(
                &format!("client {CLIENTS}, never accepted, tries to read"),
                &format!("accept되지 못한 {CLIENTS}번 클라이언트가 수신을 시도합니다"),
            );
            l.expect_errno(
                c.recv(&mut buf, MsgFlags::NONE),
                Errno::ECONNRESET,
                "recv returned -1, errno ECONNRESET: the kernel reset the connection that was still in the queue when the listening socket closed.",
                "recv가 -1을 돌려줬고 errno는 ECONNRESET입니다: 리스닝 소켓이 닫힐 때 아직 대기 큐에 있던 연결을 커널이 리셋했습니다.",
            )?;
            c.close()?;
        }
        Ok(())
    });
    if l.interactive() {
        l.say(
            &format!("The server listens on {here} and has not called accept. Connect: nc's connect returns at once."),
            &format!("서버 주소: {here}. 서버는 아직 accept를 호출하지 않았습니다. 접속해 보세요: nc의 connect는 바로 끝납니다."),
        );
    }

    // Self-contained: the clients' connects have returned. (An outside
    // client: wait_for_peer polls until one is in the accept queue.)
    connected.wait();
    l.wait_for_peer(&listener)?;
    let (queued, to_accept) = if l.interactive() {
        (1, 1)
    } else {
        (CLIENTS, ACCEPTED)
    };
    // The last ACK of a handshake may reach the server's side a moment
    // after the client's connect returned: read the kernel's table until
    // the queue holds them.
    let _ = kernel::wait_for(Duration::from_secs(2), || {
        Ok(kernel::view_of_fd(listener.fd())?.filter(|v| v.rx_queue >= queued as u64))
    });
    l.say(
        "No accept yet, but the kernel has already finished the handshakes and queued the connections.",
        "아직 accept를 호출하지 않았지만, 커널은 이미 핸드셰이크를 마치고 연결을 연결 요청 대기 큐에 넣어 두었습니다.",
    );
    l.kernel(&listener);
    if !l.interactive() {
        l.say(
            &format!("The queue holds {CLIENTS} with a backlog of {BACKLOG}: Linux lets backlog + 1 connections wait for accept."),
            &format!("backlog는 {BACKLOG}인데 대기 큐에는 {CLIENTS}개가 있습니다: 리눅스는 backlog + 1개의 연결이 accept를 기다리게 합니다."),
        );
    }
    let port = here.port().unwrap_or(0);
    for v in kernel::tcp_by_local_port(port).unwrap_or_default() {
        if v.state == Some(TcpState::Established) && v.inode == 0 {
            l.kernel_line(&format!(
                "{}  ← {}",
                v.summary_in(l.lang),
                l.lang.pick(
                    "queued: no fd yet (inode 0), accept will make one",
                    "대기 큐에 있음: 아직 fd가 없습니다(inode 0). accept가 fd를 만들어 줍니다"
                )
            ));
        }
    }

    let mut conns = Vec::new();
    for _ in 0..to_accept {
        l.step(
            "accept",
            "take the oldest connection off the queue: a new data fd.",
            "대기 큐에서 가장 먼저 들어온 연결을 꺼냅니다: 새 fd, 연결된 소켓입니다.",
        );
        let (conn, _peer) = listener.accept()?;
        l.kernel(&listener);
        conns.push(conn);
    }

    for conn in conns {
        l.step(
            "send",
            "greet the client over its data socket.",
            "연결된 소켓으로 클라이언트에게 인사합니다.",
        );
        conn.send(b"you waited in the accept queue\n", MsgFlags::NONE)?;

        l.step(
            "close",
            "done with this client.",
            "이 클라이언트와의 연결을 닫습니다.",
        );
        conn.close()?;
    }
    // Self-contained: the accepted clients have read their greeting and
    // closed, so the trace reads in order.
    served.wait();
    if queued > to_accept {
        l.step(
            "close",
            &format!("close the listening socket, with client {CLIENTS} still in its queue."),
            &format!("{CLIENTS}번 클라이언트가 아직 대기 큐에 있는 채로 리스닝 소켓을 닫습니다."),
        );
    } else {
        l.step(
            "close",
            "close the listening socket.",
            "리스닝 소켓을 닫습니다.",
        );
    }
    listener.close()?;
    drop(say_closed);
    clients.join();
    Ok(())
}
