//! Lesson 17 · select and poll: one thread, many sockets.
//!
//! Lesson 08's iterative server serves one client at a time: while it sits
//! in `recv` on one client's data socket, every other client waits. Here
//! one thread serves three clients at once. Before each blocking call it
//! asks the kernel which of its sockets is ready (`select`, then `poll`),
//! and calls only on those:
//!
//! - a **listening socket** is ready (readable) when a finished connection
//!   waits in its queue: `accept` will not block;
//! - a **data socket** is readable when bytes have arrived *or the peer
//!   has closed*: `recv` will not block, and may return 0 (EOF).
//!
//! Readiness says a call will not block, not that there is data.
//!
//! The clients: alice connects first and says nothing; bob and carol
//! connect, talk and leave while she is silent. alice's data socket is in
//! every `poll` and ready in none, and the server is never stuck on it.
//!
//! `select` takes bitmaps of fd numbers (`fd_set`, room for fds 0 to
//! 1023: FD_SETSIZE); glibc 2.36 makes it as `pselect6`. `poll` takes an
//! array of `{fd, events}`, with no such limit. Both hand the kernel the
//! whole list on every call, and the kernel checks every entry each time
//! (Linux's fs/select.c): lesson 19 measures that cost against epoll.

use socklab::trace::{Role, Side};
use socklab::{
    poll, select, Connection, FdSet, Listener, MsgFlags, PeerAddr, PollFlags, SockAddr, Socket,
};
use socklab_tools::lesson::{self, josa, Give, Lesson, LessonError, Outcome, Wait};
use std::os::fd::RawFd;
use std::time::Duration;

/// How many clients the server serves before it ends.
const CLIENTS: usize = 3;

/// How long a self-contained wait may take (it never does: the clients
/// move before each wait).
const WAIT_MS: i32 = 5000;

fn main() {
    lesson::run(17, flow)
}

/// What the server has done so far, which the clients act on.
#[derive(Clone, Debug, Default)]
struct Done {
    accepted: usize,
    /// The names the server has answered, in order.
    answered: Vec<String>,
    /// How many clients' data sockets it has closed.
    closed: usize,
}

/// One client the server serves: its data socket, and its name once it
/// has said it.
struct Client {
    conn: Connection,
    peer: PeerAddr,
    name: Option<String>,
    /// The waits this socket was in, and in how many it was ready.
    waits: u32,
    ready: u32,
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let (listener, here) = l.listening_socket(&addr)?;

    // The server and the clients take turns, told by cues in memory (no
    // system call): before each wait the server says what it has done,
    // and the clients make their move. So every run is the same run.
    let (tell, told) = lesson::cue::<Done>();
    let (say_moved, moved) = lesson::cue::<()>();
    let clients = l.peer(Side::Client, &here, move |l, here| {
        one_silent_two_talking(l, &here, told, say_moved)
    });
    if l.interactive() {
        l.say(
            &format!("Connect three times, from three terminals, and keep the first one silent: type a line in the second and the third, and end them (Ctrl-C); then type a line in the first, and end it. The server listens on {here}."),
            &format!("터미널 세 개에서 세 번 접속하세요. 첫 번째에서는 아무것도 치지 마세요. 두 번째와 세 번째에서 한 줄씩 치고 끝내세요(Ctrl-C). 그다음 첫 번째에서 한 줄을 치고 끝내세요. 서버 주소: {here}."),
        );
    }
    let turns = Turns { tell, moved };
    let limit = if l.interactive() {
        (l.args.timeout.saturating_mul(1000)).min(i32::MAX as u64) as i32
    } else {
        WAIT_MS
    };

    let mut done = Done::default();
    turns.take(&done);
    let first = first_client_with_select(l, &listener, limit)?;
    done.accepted += 1;
    let mut served = vec![first];

    while done.closed < CLIENTS {
        turns.take(&done);
        one_turn_with_poll(l, &listener, &mut served, &mut done, limit)?;
    }
    // The clients see that all three are done, and end.
    drop(turns);
    clients.join();

    l.step(
        "close",
        "every client is done: close the listening socket.",
        "클라이언트가 모두 끝났으니 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    l.say(
        "\nThe cost: each poll handed the kernel the whole array, and the kernel checked every entry on every call, ready or not (Linux's fs/select.c: do_poll walks the array, do_select every fd below nfds). With 10,000 mostly idle clients that is 10,000 checks per wake-up; lesson 19 measures it against epoll.",
        "\n비용: poll은 매번 배열 전체를 커널에 넘기고, 커널은 준비되었든 아니든 매번 모든 항목을 확인합니다 (리눅스 fs/select.c: do_poll은 배열 전체를, do_select는 nfds 아래의 모든 fd를 훑습니다). 대부분 한가한 클라이언트가 10,000개라면 깨어날 때마다 10,000번 확인합니다. 실습 19에서 epoll과 비교해 잽니다.",
    );
    Ok(())
}

/// The server's side of the turns.
struct Turns {
    tell: Give<Done>,
    moved: Wait<()>,
}

impl Turns {
    /// Tell the clients what the server has done, and wait until they have
    /// made their move. With outside clients (`--wait`) nobody listens,
    /// and this returns at once.
    fn take(&self, done: &Done) {
        self.tell.give(done.clone());
        self.moved.wait();
    }
}

/// The first wait, written with select: one fd so far, the listener.
fn first_client_with_select(
    l: &'static Lesson,
    listener: &Listener,
    limit_ms: i32,
) -> Result<Client, LessonError> {
    let mut read = FdSet::new();
    // An fd_set is a bitmap of FD_SETSIZE (1024) bits: fds 0 to 1023.
    if let Err(too_high) = read.insert(&FdNumber(socklab::FD_SETSIZE as RawFd)) {
        l.say(
            &format!("(An fd_set has one bit for each fd from 0 to 1023. FdSet::insert of fd 1024 is refused before any call: {too_high}. In C, FD_SET(1024, &set) is undefined behaviour: in a program compiled with _FORTIFY_SOURCE, glibc stops it, `*** bit out of range 0 - FD_SETSIZE on fd_set ***`.)"),
            &format!("(fd_set은 fd 0부터 1023까지 fd마다 비트 하나를 둡니다. {} FdSet::insert하면 시스템 콜 전에 거부됩니다: select가 볼 수 있는 fd는 0부터 {}까지입니다 (FD_SETSIZE {}). C에서 FD_SET(1024, &set)은 정의되지 않은 동작입니다: _FORTIFY_SOURCE로 컴파일한 프로그램이면 glibc가 `*** bit out of range 0 - FD_SETSIZE on fd_set ***`라며 프로그램을 멈춥니다.)", josa::eul(format!("fd {}", too_high.fd)), socklab::FD_SETSIZE - 1, socklab::FD_SETSIZE),
        );
    }
    read.insert(listener).map_err(|e| LessonError::Message {
        en: e.to_string(),
        ko: e.to_string(),
    })?;
    let fd = listener.fd();
    l.step(
        "select",
        &format!("wait until fd {fd} is readable. The read set is a bitmap with bit {fd} on; nfds, the first argument, is one more than the highest fd in it. glibc's select is the kernel's pselect6, with a timeout in nanoseconds."),
        &format!("fd {fd}에서 읽을 수 있을 때까지 기다립니다. 읽기 집합은 비트 {fd}만 켠 비트맵이고, 첫 인자 nfds는 집합에서 가장 큰 fd에 1을 더한 값입니다. glibc의 select는 커널의 pselect6이고, 타임아웃은 나노초 단위입니다."),
    );
    let limit = Duration::from_millis(limit_ms.max(0) as u64);
    let woke = select(Some(&mut read), None, None, Some(limit))?;
    if woke.ready == 0 {
        return Err(nobody_came(l));
    }
    l.say(
        &format!("select overwrote the set with the ready fds: [{}]. A ready listener means a connection waits in its queue, so accept will not block. (left: the time the kernel wrote back.)",
            list(&read.fds())),
        &format!("select는 집합을 준비된 fd로 덮어썼습니다: [{}]. 리스닝 소켓이 준비되었다는 것은 연결 요청 대기 큐에 연결이 있다는 뜻이므로 accept가 블록되지 않습니다. (left: 커널이 돌려 적은 남은 시간)",
            list(&read.fds())),
    );
    l.kernel(listener);
    accept_one(l, listener)
}

/// accept, once: the listener was ready, so this does not block.
fn accept_one(l: &'static Lesson, listener: &Listener) -> Result<Client, LessonError> {
    l.step(
        "accept",
        "the listener is ready: accept takes the waiting connection at once.",
        "리스닝 소켓이 준비되었으니 accept가 기다리던 연결을 바로 꺼냅니다.",
    );
    let (conn, peer) = listener.accept()?;
    Ok(Client {
        conn,
        peer,
        name: None,
        waits: 0,
        ready: 0,
    })
}

/// One wait with poll on every socket, then a call on each ready one.
fn one_turn_with_poll(
    l: &'static Lesson,
    listener: &Listener,
    served: &mut Vec<Client>,
    done: &mut Done,
    limit_ms: i32,
) -> Outcome {
    let fds: Vec<RawFd> = std::iter::once(listener.fd())
        .chain(served.iter().map(|c| c.conn.fd()))
        .collect();
    if done.accepted == 1 && done.answered.is_empty() {
        l.step(
            "poll",
            &format!("from now on, poll: one array of {{fd, events}} for every socket, [{}], with no limit on fd numbers. POLLIN on the listener: a client to accept; on a data socket: bytes, or a close.", list(&fds)),
            &format!("이제부터는 poll입니다: 모든 소켓을 {{fd, events}} 배열 하나에 담습니다: [{}]. fd 번호에 한도가 없습니다. 리스닝 소켓의 POLLIN은 수락할 클라이언트가, 연결된 소켓의 POLLIN은 데이터나 연결 종료가 왔다는 뜻입니다.", list(&fds)),
        );
    } else {
        l.step(
            "poll",
            &format!("wait again, on every socket: [{}].", list(&fds)),
            &format!("다시 모든 소켓에서 기다립니다: [{}].", list(&fds)),
        );
    }
    let mut watch: Vec<(&dyn socklab::socket::AsSocket, PollFlags)> =
        vec![(listener, PollFlags::IN)];
    watch.extend(
        served
            .iter()
            .map(|c| (&c.conn as &dyn socklab::socket::AsSocket, PollFlags::IN)),
    );
    let ready = poll(&watch, limit_ms)?;
    drop(watch);
    if ready.iter().all(|r| *r == PollFlags::NONE) {
        return Err(nobody_came(l));
    }
    let mut idle = Vec::new();
    for (c, r) in served.iter_mut().zip(&ready[1..]) {
        c.waits += 1;
        if *r != PollFlags::NONE {
            c.ready += 1;
        } else {
            idle.push(c.conn.fd());
        }
    }
    if !idle.is_empty() {
        l.say(
            &format!("Not ready: fd {}. Nothing arrived there, and the server does not call on it.", list(&idle)),
            &format!("준비되지 않은 fd: {}. 도착한 것이 없으니 서버는 그 fd에는 시스템 콜을 하지 않습니다.", list(&idle)),
        );
    }

    // The listener first: a new client.
    if ready[0] != PollFlags::NONE {
        l.kernel(listener);
        let c = accept_one(l, listener)?;
        l.say(
            &format!(
                "data fd {} for {}; the server goes on with the others.",
                c.conn.fd(),
                c.peer
            ),
            &format!(
                "{}의 연결된 소켓은 fd {}입니다. 서버는 다른 소켓으로 넘어갑니다.",
                c.peer,
                c.conn.fd()
            ),
        );
        done.accepted += 1;
        served.push(c);
    }

    // Then each data socket that was ready (not the one just accepted:
    // it was not in this poll).
    let closed_before = done.closed;
    let mut i = 0;
    let mut slot = 1;
    while i < served.len() && slot < ready.len() {
        let was_ready = ready[slot] != PollFlags::NONE;
        slot += 1;
        if !was_ready {
            i += 1;
            continue;
        }
        if serve_ready(l, &mut served[i], done)? {
            let c = served.remove(i);
            finish(l, c, done)?;
        } else {
            i += 1;
        }
    }
    if closed_before < CLIENTS - 1 && done.closed == CLIENTS - 1 {
        the_silent_one(l, served);
    }
    Ok(())
}

/// Two clients have been served and have gone: the one left has been in
/// every wait and ready in none, and the server never waited on it alone.
fn the_silent_one(l: &'static Lesson, served: &[Client]) {
    let [c] = served else { return };
    if c.ready > 0 {
        return;
    }
    let fd = c.conn.fd();
    l.say(
        &format!("\nfd {fd} ({}) has been in all {} polls and ready in none: that client has sent nothing. Meanwhile two clients were served and have gone. An iterative server (lesson 08) would still sit in recv on fd {fd}, and they would still be waiting.", c.peer, c.waits),
        &format!("\n클라이언트 {}의 {} poll {}번에 모두 들어 있었지만 한 번도 준비되지 않았습니다: 그 클라이언트는 아무것도 보내지 않았습니다. 그사이 다른 클라이언트 둘은 서비스를 받고 떠났습니다. Iterative 서버(실습 08)였다면 아직도 fd {fd}의 recv에서 기다리고, 두 클라이언트도 계속 기다리고 있을 것입니다.", c.peer, josa::eun(format!("fd {fd}")), c.waits),
    );
    l.kernel(&c.conn);
}

/// recv on a ready data socket, and answer a line; true when it gave 0.
fn serve_ready(l: &'static Lesson, c: &mut Client, done: &mut Done) -> Result<bool, LessonError> {
    let fd = c.conn.fd();
    l.step(
        "recv",
        &format!("fd {fd} is readable: recv will not block."),
        &format!("fd {fd}에서 읽을 수 있으니 recv는 블록되지 않습니다."),
    );
    let mut buf = [0u8; 64];
    let n = c.conn.recv(&mut buf, MsgFlags::NONE)?;
    if n == 0 {
        l.say(
            "recv returned 0: readable meant the client closed, not data. Readiness is not data.",
            "recv가 0을 돌려줬습니다: 읽을 수 있다는 것은 데이터가 아니라 클라이언트가 연결을 닫았다는 뜻이었습니다. 준비되었다고 해서 데이터가 있는 것은 아닙니다.",
        );
        return Ok(true);
    }
    let said = String::from_utf8_lossy(&buf[..n]).trim().to_string();
    let name = if said.is_empty() {
        "stranger".to_string()
    } else {
        said
    };
    l.step(
        "send",
        &format!("answer {name} on fd {fd}."),
        &format!("fd {fd}로 {}에게 답합니다.", name),
    );
    c.conn
        .send(format!("hello, {name}\n").as_bytes(), MsgFlags::NONE)?;
    done.answered.push(name.clone());
    c.name = Some(name);
    Ok(false)
}

/// close a finished client's data socket; after the first two, say what
/// the silent one's socket did meanwhile.
fn finish(l: &'static Lesson, c: Client, done: &mut Done) -> Outcome {
    let fd = c.conn.fd();
    let who = c.name.clone().unwrap_or_else(|| c.peer.to_string());
    l.step(
        "close",
        &format!("{who} is done: close data fd {fd}."),
        &format!(
            "{} 끝났습니다: 연결된 소켓 {} 닫습니다.",
            josa::i(&who),
            josa::eul(format!("fd {fd}"))
        ),
    );
    c.conn.close()?;
    done.closed += 1;
    Ok(())
}

/// The peer: three clients in one thread. alice connects and says
/// nothing until bob and carol have talked and gone; then she talks too.
fn one_silent_two_talking(
    l: &'static Lesson,
    here: &SockAddr,
    told: Wait<Done>,
    moved: Give<()>,
) -> Outcome {
    let mut alice: Option<Connection> = None;
    let mut alice_spoke = false;
    let mut others: Vec<(&str, Connection)> = Vec::new();
    let mut others_left = false;
    // Each time the server is about to wait: one move, or none.
    while let Some(done) = told.wait() {
        if alice.is_none() {
            l.say(
                "alice connects, and says nothing",
                "alice가 접속하고, 아무 말도 하지 않습니다",
            );
            alice = Some(Socket::new(here.family())?.connect(here)?);
        } else if done.accepted == 1 && others.is_empty() {
            for name in ["bob", "carol"] {
                l.say(
                    &format!("{name} connects and sends its name"),
                    &format!("{} 접속해 이름을 보냅니다", josa::i(name)),
                );
                let c = Socket::new(here.family())?.connect(here)?;
                c.send(format!("{name}\n").as_bytes(), MsgFlags::NONE)?;
                others.push((name, c));
            }
        } else if !others_left
            && others
                .iter()
                .all(|(n, _)| done.answered.iter().any(|a| a == n))
        {
            for (name, c) in others.drain(..) {
                l.say(
                    &format!("{name} reads its answer and closes"),
                    &format!("{} 답을 읽고 연결을 닫습니다", josa::i(name)),
                );
                read_line(&c)?;
                c.close()?;
            }
            others_left = true;
        } else if others_left && done.closed == 2 && !alice_spoke {
            l.say("alice speaks at last", "alice가 이제야 말합니다");
            if let Some(a) = &alice {
                a.send(b"alice\n", MsgFlags::NONE)?;
            }
            alice_spoke = true;
        } else if done.answered.iter().any(|a| a == "alice") {
            if let Some(a) = alice.take() {
                l.say(
                    "alice reads her answer and closes",
                    "alice가 답을 읽고 연결을 닫습니다",
                );
                read_line(&a)?;
                a.close()?;
            }
        }
        moved.give(());
    }
    Ok(())
}

/// Read until a whole line has come.
fn read_line(c: &Connection) -> Outcome {
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    while !got.ends_with(b"\n") {
        let n = c.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    Ok(())
}

/// A number that may be no open fd: FdSet::insert looks at the number
/// alone, so the lesson can show the limit without 1024 open files.
struct FdNumber(RawFd);

impl socklab::socket::AsSocket for FdNumber {
    fn socket_fd(&self) -> (RawFd, Role) {
        (self.0, Role::Data)
    }
}

fn list(fds: &[RawFd]) -> String {
    fds.iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The wait ran out with nothing ready (an outside client that never
/// came or never spoke).
fn nobody_came(l: &'static Lesson) -> LessonError {
    let secs = l.args.timeout;
    LessonError::Message {
        en: format!("nothing became ready within {secs} s: no client came, spoke or left (--timeout)"),
        ko: format!("{secs}초 안에 준비된 소켓이 없습니다: 접속하거나, 보내거나, 떠난 클라이언트가 없습니다 (--timeout)"),
    }
}
