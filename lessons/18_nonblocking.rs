//! Lesson 18 · nonblocking sockets: EAGAIN, EINPROGRESS, and a short send.
//!
//! A call on a blocking socket waits: `accept` for a client, `recv` for
//! bytes, `send` for room in the send buffer, `connect` for the handshake.
//! With `O_NONBLOCK` set (`fcntl(fd, F_SETFL, flags | O_NONBLOCK)`), a
//! call that would wait fails at once instead: EAGAIN ("try again"), or
//! EINPROGRESS for `connect`, whose handshake goes on in the kernel; the
//! program learns how it ended by polling for POLLOUT and reading
//! `SO_ERROR`. A `send` copies what fits and returns that count, which
//! may be short.
//!
//! Why an event loop needs this: `poll` says a call *would not have
//! blocked when poll looked*. A loop that accepts until the queue is empty
//! (or another thread that accepted first) meets an empty queue: a
//! blocking `accept` there would stop the whole loop. man 2 accept:
//! "there may not always be a connection waiting after [...] poll(2) [...]
//! return[s] a readability event [...] To ensure that accept() never
//! blocks, the passed socket sockfd needs to have the O_NONBLOCK flag set".

use socklab::trace::Side;
use socklab::{
    poll, Connection, Errno, FileFlags, Listener, MsgFlags, PollFlags, SockAddr, SockFlags,
    SockOpt, Socket,
};
use socklab_tools::kernel;
use socklab_tools::lesson::{self, josa, Give, Lesson, LessonError, Outcome, Wait};
use std::time::Duration;

/// The bytes the server tries to send at once: far more than fits.
const MIB: usize = 1 << 20;

/// The send buffer the server asks for (the kernel doubles it).
const SNDBUF: i32 = 4096;

/// At most this many sends before the buffers are full.
const MAX_SENDS: usize = 16;

fn main() {
    lesson::run(18, flow)
}

/// The cues between the server and its client, in memory.
struct ClientCues {
    connected: Give<()>,
    may_close: Wait<()>,
    closed: Give<()>,
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let (listener, here) = l.listening_socket(&addr)?;
    make_nonblocking(l, &listener, listener.fd(), None)?;

    let (connected_give, connected) = lesson::cue::<()>();
    let (may_close, may_close_wait) = lesson::cue::<()>();
    let (closed_give, closed) = lesson::cue::<()>();
    let cues = ClientCues {
        connected: connected_give,
        may_close: may_close_wait,
        closed: closed_give,
    };
    let client = l.peer(Side::Client, &here, move |l, here| {
        a_client_that_never_reads(l, &here, cues)
    });
    if l.interactive() {
        l.say(
            &format!("Connect to {here} and type nothing: the server will try to read and to send a lot."),
            &format!("{here}에 접속하고 아무것도 치지 마세요: 서버가 읽기를 시도하고, 많은 데이터를 보내려 합니다."),
        );
    }
    connected.wait();

    let (conn, peer) = accept_until_eagain(l, &listener)?;

    l.step(
        "fcntl",
        &format!("F_GETFL on the new fd {}: accept's fd does not inherit O_NONBLOCK from the listener (on Linux; man 2 accept).", conn.fd()),
        &format!("새 fd {}의 F_GETFL: accept가 준 fd는 리스닝 소켓의 O_NONBLOCK을 물려받지 않습니다 (리눅스; man 2 accept).", conn.fd()),
    );
    let flags = conn.fcntl_getfl()?;
    if flags.contains(FileFlags::NONBLOCK) {
        l.say("It is already nonblocking.", "이미 넌블로킹입니다.");
    } else {
        l.say(
            "No O_NONBLOCK: a blocking socket again.",
            "O_NONBLOCK이 없습니다: 다시 블로킹 소켓입니다.",
        );
    }
    make_nonblocking(l, &conn, conn.fd(), Some(flags))?;

    l.step(
        "recv",
        "the client has sent nothing: a blocking recv would wait here.",
        "클라이언트는 아무것도 보내지 않았습니다: 블로킹 recv라면 여기서 기다립니다.",
    );
    let mut buf = [0u8; 64];
    l.expect_errno(
        conn.recv(&mut buf, MsgFlags::NONE),
        Errno::EAGAIN,
        "EAGAIN at once: nothing to read, and the socket does not wait.",
        "바로 EAGAIN입니다: 읽을 것이 없고, 소켓은 기다리지 않습니다.",
    )?;

    short_send(l, &conn, &here, &peer)?;

    l.step(
        "close",
        &format!(
            "close data fd {}: the kernel still sends what its buffer holds, then a FIN.",
            conn.fd()
        ),
        &format!(
            "연결된 소켓 {} 닫습니다: 커널은 버퍼에 남은 데이터를 마저 보내고 FIN을 보냅니다.",
            josa::eul(format!("fd {}", conn.fd()))
        ),
    );
    conn.close()?;
    may_close.give(());
    closed.wait();

    l.step(
        "close",
        "close the listening socket: now nothing listens at this address.",
        "리스닝 소켓을 닫습니다: 이제 이 주소에서 듣는 소켓이 없습니다.",
    );
    listener.close()?;
    client.join();
    // Played here even with --wait: no outside tool shows SO_ERROR.
    l.own_peer(Side::Client, &here, |l, here| {
        a_client_dialing_nobody(l, &here)
    })
    .join();
    Ok(())
}

/// Add O_NONBLOCK the C way: F_GETFL (unless `known` already holds what
/// it returned), then F_SETFL with the same flags and O_NONBLOCK.
fn make_nonblocking(l: &Lesson, sock: &dyn HasFlags, fd: i32, known: Option<FileFlags>) -> Outcome {
    let flags = match known {
        Some(f) => f,
        None => {
            l.step(
                "fcntl",
                &format!("F_GETFL: fd {fd}'s status flags. A socket is open for reading and writing: O_RDWR."),
                &format!("F_GETFL: fd {fd}의 상태 플래그를 읽습니다. 소켓은 읽기와 쓰기로 열려 있습니다: O_RDWR."),
            );
            sock.getfl()?
        }
    };
    l.step(
        "fcntl",
        &format!("F_SETFL: the same flags with O_NONBLOCK added. From now on a call on fd {fd} that would wait fails at once."),
        &format!("F_SETFL: 같은 플래그에 O_NONBLOCK을 더해 설정합니다. 이제 fd {fd}에서 기다려야 하는 호출은 바로 실패합니다."),
    );
    sock.setfl(flags | FileFlags::NONBLOCK)?;
    Ok(())
}

/// The fcntl calls every socket type has.
trait HasFlags {
    fn getfl(&self) -> socklab::Result<FileFlags>;
    fn setfl(&self, f: FileFlags) -> socklab::Result<()>;
}

impl HasFlags for Listener {
    fn getfl(&self) -> socklab::Result<FileFlags> {
        self.fcntl_getfl()
    }
    fn setfl(&self, f: FileFlags) -> socklab::Result<()> {
        self.fcntl_setfl(f)
    }
}

impl HasFlags for Connection {
    fn getfl(&self) -> socklab::Result<FileFlags> {
        self.fcntl_getfl()
    }
    fn setfl(&self, f: FileFlags) -> socklab::Result<()> {
        self.fcntl_setfl(f)
    }
}

impl HasFlags for Socket {
    fn getfl(&self) -> socklab::Result<FileFlags> {
        self.fcntl_getfl()
    }
    fn setfl(&self, f: FileFlags) -> socklab::Result<()> {
        self.fcntl_setfl(f)
    }
}

/// poll says the listener is ready; accept, and accept again as an event
/// loop does until the queue is empty: the second one says EAGAIN.
fn accept_until_eagain(
    l: &'static Lesson,
    listener: &Listener,
) -> Result<(Connection, SockAddr), LessonError> {
    let fd = listener.fd();
    l.step(
        "poll",
        &format!("wait until the listener, fd {fd}, is readable: a connection waits in its queue."),
        &format!("리스닝 소켓 fd {fd}에서 읽을 수 있을 때까지, 즉 연결 요청 대기 큐에 연결이 들어올 때까지 기다립니다."),
    );
    let ms = if l.interactive() {
        (l.args.timeout.saturating_mul(1000)).min(i32::MAX as u64) as i32
    } else {
        1000
    };
    let ready = poll(&[(listener, PollFlags::IN)], ms)?;
    if ready[0] == PollFlags::NONE {
        return Err(LessonError::Message {
            en: format!("no client connected within {} ms (--timeout)", ms),
            ko: format!("{}ms 안에 접속한 클라이언트가 없습니다 (--timeout)", ms),
        });
    }
    l.kernel(listener);
    l.step(
        "accept",
        "ready: accept takes the connection.",
        "준비되었으니 accept가 연결을 꺼냅니다.",
    );
    let (conn, peer) = listener.accept()?;
    l.say(
        &format!("data fd {} for {peer}.", conn.fd()),
        &format!("{peer}의 연결된 소켓은 fd {}입니다.", conn.fd()),
    );
    l.step(
        "accept",
        "again, as an event loop does until the queue is empty: one readiness may stand for several clients.",
        "이벤트 루프처럼 큐가 빌 때까지 다시 accept합니다: 한 번의 준비가 클라이언트 여럿을 뜻할 수 있기 때문입니다.",
    );
    l.expect_errno(
        listener.accept(),
        Errno::EAGAIN,
        "EAGAIN: the queue is empty. poll said ready, and it was, for one accept. A blocking listener would have stopped the whole loop here, every other socket with it, until the next client came.",
        "EAGAIN: 큐가 비었습니다. poll이 준비되었다고 한 것은 맞지만, accept 한 번 분량이었습니다. 블로킹 리스닝 소켓이었다면 다음 클라이언트가 올 때까지 루프 전체가, 다른 모든 소켓과 함께 여기서 멈췄을 것입니다.",
    )?;
    Ok((conn, peer))
}

/// A small send buffer, a client that does not read, and 1 MiB to send:
/// send copies what fits, then EAGAIN.
fn short_send(l: &'static Lesson, conn: &Connection, here: &SockAddr, peer: &SockAddr) -> Outcome {
    let fd = conn.fd();
    l.step(
        "setsockopt",
        &format!("SO_SNDBUF {SNDBUF}: a small send buffer on fd {fd}, so that it fills soon."),
        &format!("SO_SNDBUF {SNDBUF}: fd {fd}의 송신 버퍼를 작게 잡아 금방 차게 합니다."),
    );
    conn.setsockopt(SockOpt::SndBuf(SNDBUF))?;
    let big = vec![b'x'; MIB];
    let mut counts = Vec::new();
    let mut full = false;
    for n in 1..=MAX_SENDS {
        l.step(
            "send",
            &format!("send {MIB} bytes (try {n}). The client reads nothing."),
            &format!("{MIB}바이트를 보냅니다 ({n}번째). 클라이언트는 아무것도 읽지 않습니다."),
        );
        match conn.send(&big, MsgFlags::NONE) {
            Ok(sent) => {
                counts.push(sent);
                if sent < MIB {
                    l.say(
                        &format!("{sent} of {MIB}: a short send. It copied what fitted and returned; the rest is the program's to send later."),
                        &format!("{MIB}바이트 중 {sent}바이트: 일부만 보냈습니다. 들어가는 만큼 복사하고 돌아왔고, 나머지는 프로그램이 나중에 보내야 합니다."),
                    );
                }
            }
            Err(e) if e.errno == Errno::EAGAIN => {
                full = true;
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !full {
        l.say(
            "Every send found room: the client is reading.",
            "send마다 자리가 있었습니다: 클라이언트가 읽고 있습니다.",
        );
        return Ok(());
    }
    let total: usize = counts.iter().sum();
    l.say(
        &format!("EAGAIN: nothing more fits, and the send does not wait. {} short send(s) took {total} bytes. A loop would poll for POLLOUT and send the rest from where send stopped.", counts.len()),
        &format!("EAGAIN: 더 들어갈 자리가 없고, send는 기다리지 않습니다. 일부만 보낸 send {}번이 {total}바이트를 넘겼습니다. 루프라면 POLLOUT을 poll해 두고, send가 멈춘 곳부터 나머지를 보냅니다.", counts.len()),
    );
    // Where the bytes are, from the kernel's tables: the client's end
    // holds them unread; fd's send-q counts those not yet acknowledged.
    if l.shows_kernel() {
        l.say(
            &format!("Where they are: recv-q is bytes in the client's receive buffer that nobody reads; send-q is bytes still in fd {fd}'s send buffer: queued by send, not yet acknowledged by the client's kernel."),
            &format!("데이터가 있는 곳: 수신 큐는 클라이언트의 수신 버퍼에 있지만 아무도 읽지 않는 바이트, 송신 큐는 fd {fd}의 송신 버퍼에 아직 남은 바이트, 즉 send가 넣었지만 클라이언트 커널이 아직 확인(ACK)하지 않은 바이트입니다."),
        );
        l.kernel(conn);
        if let Some(v) = l.found(kernel::wait_for_tcp(peer, here, Duration::ZERO, |_| true)) {
            l.kernel_line(&format!(
                "{}: {}",
                l.lang.pick("the client's end", "클라이언트 쪽"),
                v.summary_in(l.lang)
            ));
        }
    }
    Ok(())
}

/// The peer: a nonblocking client that connects, never reads, closes
/// when told, then dials the same address again once nothing listens.
fn a_client_that_never_reads(l: &'static Lesson, here: &SockAddr, cues: ClientCues) -> Outcome {
    l.say(
        "a client: socket, O_NONBLOCK with fcntl, connect",
        "클라이언트: socket, fcntl로 O_NONBLOCK, connect",
    );
    let sock = Socket::new(here.family())?;
    let flags = sock.fcntl_getfl()?;
    sock.fcntl_setfl(flags | FileFlags::NONBLOCK)?;
    let c = connect_nonblocking(l, sock, here)?.map_err(LessonError::from)?;
    cues.connected.give(());
    cues.may_close.wait();
    l.say(
        "the client closes, its receive buffer full and unread",
        "클라이언트가 수신 버퍼를 읽지 않은 채 연결을 닫습니다",
    );
    c.close()?;
    cues.closed.give(());
    Ok(())
}

/// The peer, again: a new nonblocking socket dials the address where
/// nothing listens any more.
fn a_client_dialing_nobody(l: &'static Lesson, here: &SockAddr) -> Outcome {
    l.say(
        "the client dials the same address again, nonblocking from socket() on (SOCK_NONBLOCK); nothing listens there now",
        "클라이언트가 같은 주소로 다시 연결을 요청합니다. 이번에는 socket()에서부터 넌블로킹(SOCK_NONBLOCK)이고, 이제 그 주소에서 듣는 소켓이 없습니다",
    );
    let sock = Socket::with_flags(here.family(), SockFlags::NONBLOCK)?;
    match connect_nonblocking(l, sock, here)? {
        Ok(c) => {
            l.say("it connected after all", "그래도 연결되었습니다");
            c.close()?;
        }
        Err(refused) => {
            l.say(
                &format!("SO_ERROR held {}: the connect's own error, told after the fact. close the socket.", refused.error.name()),
                &format!("SO_ERROR에 {}: connect 자신의 오류가 나중에 전해졌습니다. 소켓을 닫습니다.", josa::i(refused.error.name())),
            );
            refused.socket.close()?;
        }
    }
    Ok(())
}

/// connect on a nonblocking socket: EINPROGRESS, poll for POLLOUT, then
/// getsockopt(SO_ERROR) says how the handshake ended.
fn connect_nonblocking(
    l: &'static Lesson,
    sock: Socket,
    here: &SockAddr,
) -> Result<Result<Connection, socklab::ConnectError>, LessonError> {
    let pending = match sock.connect(here) {
        Ok(c) => {
            l.say("connected at once", "바로 연결되었습니다");
            return Ok(Ok(c));
        }
        Err(e) if e.in_progress() => e,
        Err(e) => return Err(e.into()),
    };
    l.say(
        "EINPROGRESS: the connection could not be made at once, and connect did not wait (man 2 connect); poll for POLLOUT, writable: the handshake has ended, one way or the other",
        "EINPROGRESS: 연결을 바로 맺을 수 없었고, connect는 기다리지 않았습니다 (man 2 connect). POLLOUT을 poll합니다. 쓰기 가능해지면 핸드셰이크가 어느 쪽으로든 끝난 것입니다",
    );
    let ready = poll(&[(&pending.socket, PollFlags::OUT)], 1000)?;
    if ready[0] == PollFlags::NONE {
        return Err(LessonError::Message {
            en: "the connect did not end within 1 s".into(),
            ko: "connect가 1초 안에 끝나지 않았습니다".into(),
        });
    }
    l.say(
        "writable; now getsockopt(SO_ERROR): [0] connected, or the connect's error",
        "쓰기 가능해졌습니다. 이제 getsockopt(SO_ERROR): [0]이면 연결됨, 아니면 connect의 오류입니다",
    );
    Ok(pending.socket.finish_connect())
}
