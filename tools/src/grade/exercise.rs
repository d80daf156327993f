//! The exercises: what each asks, which side the peer plays, and the
//! rules that judge it.

use super::peer::{
    datagram_steps, datagrams_of_client, line_pieces, line_requests, mebibyte, sent_by_client,
    stream, unframe_datagrams, DATAGRAM_CLIENTS, ECHO_CLIENTS, GREETING, LARGE_DATAGRAM, MEBIBYTE,
    REQUEST, STREAM_LEN,
};
use super::peer::{sent_at_once, while_silent, SILENT_WAIT};
use super::peer::{ANSWER, NO_EOF, QUESTION};
use super::rules::{self, Broken, Evidence, Rule};
use crate::lesson::josa::{eul, eun, i};

/// Which side the grader's peer plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerRole {
    /// The peer is the server; the program connects to it.
    GreetingServer,
    /// The peer is a client; the program is the server it connects to.
    RequestClient,
    /// Three clients, one after another; the program is their server.
    EchoClients,
    /// The peer is the server of a 100 KB stream; the program connects.
    StreamServer,
    /// The peer is a server that reads 1 MiB slowly; the program
    /// connects and sends.
    SlowReader,
    /// The peer is a client that sends request lines cut at random
    /// points; the program is the server that answers each line.
    LineClient,
    /// The peer is a server that answers only after the request's EOF.
    HalfCloseServer,
    /// The peer is a server that starts listening late.
    LateServer,
    /// Two UDP clients send datagrams; the program is the UDP server that
    /// echoes each.
    DatagramClients,
    /// This many TCP clients at once (2 or 3): the first stays connected
    /// and silent while the others talk; the program is the server that
    /// must serve them all at once (`peer::clients_at_once`). With
    /// `reset`, one more client connects meanwhile and resets (an RST).
    ClientsAtOnce { clients: usize, reset: bool },
}

impl PeerRole {
    /// Whether the peer listens (and the program connects to it).
    pub fn is_server(self) -> bool {
        matches!(
            self,
            PeerRole::GreetingServer
                | PeerRole::StreamServer
                | PeerRole::SlowReader
                | PeerRole::HalfCloseServer
                | PeerRole::LateServer
        )
    }

    /// Whether the peer draws its script from a seed (which the verdict
    /// then shows, and `SOCKLAB_GRADE_SEED` sets).
    pub fn uses_seed(self) -> bool {
        matches!(self, PeerRole::LineClient)
    }

    /// Whether the peer talks UDP (the program's port must be free for
    /// UDP, and its readiness is its bind, not a listen).
    pub fn is_datagram(self) -> bool {
        matches!(self, PeerRole::DatagramClients)
    }
}

/// A second run of the same program under strace's own fault
/// injection, judged by rules of its own.
pub struct Fault {
    /// Its name: a fault run's rows in the verdict and the tables are
    /// `NAME:rule`.
    pub name: &'static str,
    /// strace's `-e inject=` expression. One per run: strace 6.1 keeps
    /// only the last `inject=` given for a call.
    pub inject: &'static str,
    /// What it does to the program, in English and Korean.
    pub does: (&'static str, &'static str),
    pub rules: &'static [Rule],
}

pub struct Exercise {
    pub number: u8,
    pub title: (&'static str, &'static str),
    pub peer: PeerRole,
    pub rules: &'static [Rule],
    /// The runs under fault injection, after the plain one.
    pub faults: &'static [Fault],
    /// Hints for a student who is stuck, shown one at a time, each in
    /// English and Korean; the first says the least.
    pub hints: &'static [(&'static str, &'static str)],
}

/// The program printed the whole greeting, and nothing else.
pub fn prints_the_greeting(ev: &Evidence) -> Result<(), Broken> {
    if ev.stdout == GREETING {
        return Ok(());
    }
    // A flood of output is named by its start and its size.
    let cut = ev.stdout.len().min(4 * GREETING.len());
    let mut got = format!("{:?}", String::from_utf8_lossy(&ev.stdout[..cut]));
    if cut < ev.stdout.len() {
        got.push_str(&format!("… ({} bytes or more)", ev.stdout.len()));
    }
    let want = String::from_utf8_lossy(GREETING);
    Err(Broken {
        events: vec![],
        meaning: super::verdict::Said::new(
            format!("The program printed {got}; the server sent {want:?}."),
            format!("프로그램은 {got}을(를) 출력했지만 서버가 보낸 것은 {want:?}입니다."),
        ),
    })
}

/// The client received its request back, whole, and then EOF.
pub fn answers_the_request(ev: &Evidence) -> Result<(), Broken> {
    let received = ev.peer_received.concat();
    if received == REQUEST && ev.peer_error.is_none() {
        return Ok(());
    }
    let got = String::from_utf8_lossy(&received);
    let want = String::from_utf8_lossy(REQUEST);
    let error = ev.peer_error.as_deref().unwrap_or("none");
    Err(Broken {
        events: vec![],
        meaning: super::verdict::Said::new(
            format!("The client received {got:?} (its error: {error}); it expected {want:?} and then EOF."),
            format!("클라이언트는 {got:?}을(를) 받았습니다(오류: {error}). 기대한 것은 {want:?}와 그 뒤의 EOF입니다."),
        ),
    })
}

/// Each of the three clients received exactly the lines it sent, then
/// EOF.
pub fn echoes_each_client(ev: &Evidence) -> Result<(), Broken> {
    for (k, (sent, _)) in ECHO_CLIENTS.iter().enumerate() {
        let got = ev.peer_received.get(k).map(Vec::as_slice);
        if got == Some(*sent) {
            continue;
        }
        let n = k + 1;
        let (got_en, got_ko) = match got {
            Some(g) => {
                let g = format!("{:?}", String::from_utf8_lossy(g));
                (g.clone(), g)
            }
            None => (
                "nothing (the peer never got that far)".to_string(),
                "없음(그 클라이언트까지 가지 못했습니다)".to_string(),
            ),
        };
        let sent = String::from_utf8_lossy(sent);
        let error = ev.peer_error.as_deref().unwrap_or("none");
        let client = eun(format!("클라이언트 {n}"));
        return Err(Broken {
            events: vec![],
            meaning: super::verdict::Said::new(
                format!("Client {n} did not get back what it sent. Sent: {sent:?}; received: {got_en} (the clients' errors: {error})."),
                format!("{client} 보낸 것을 그대로 돌려받지 못했습니다. 보낸 것: {sent:?}, 받은 것: {got_ko} (클라이언트 오류: {error})."),
            ),
        });
    }
    Ok(())
}

/// stdout holds the 100 KB stream, byte for byte.
pub fn prints_the_stream(ev: &Evidence) -> Result<(), Broken> {
    let want = stream();
    if ev.stdout == want {
        return Ok(());
    }
    let got = ev.stdout.len();
    let at = ev
        .stdout
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.min(STREAM_LEN));
    let meaning = if at == got {
        super::verdict::Said::new(
            format!("stdout holds the stream's first {got} of {STREAM_LEN} bytes, correct so far; the rest is missing."),
            format!("stdout에는 스트림 {STREAM_LEN}바이트 중 앞의 {got}바이트만 있고, 거기까지는 맞습니다. 나머지가 없습니다."),
        )
    } else if at == STREAM_LEN {
        super::verdict::Said::new(
            format!("stdout holds the whole stream and then {} bytes more; the server sent {STREAM_LEN}.", got - STREAM_LEN),
            format!("stdout에는 스트림 전체 뒤에 {}바이트가 더 있습니다. 서버가 보낸 것은 {STREAM_LEN}바이트입니다.", got - STREAM_LEN),
        )
    } else {
        super::verdict::Said::new(
            format!("stdout holds {got} bytes (the server sent {STREAM_LEN}), and they differ from the stream at offset {at}."),
            format!("stdout에는 {got}바이트가 있고(서버가 보낸 것은 {STREAM_LEN}바이트), 오프셋 {at}부터 스트림과 다릅니다."),
        )
    };
    Err(Broken {
        events: vec![],
        meaning,
    })
}

const EXITS_CLEANLY: Rule = Rule {
    name: "exits_cleanly",
    asks: (
        "the program ends by itself, with status 0, within the time limit",
        "프로그램이 제한 시간 안에 스스로 종료 상태 0으로 끝납니다",
    ),
    hint: (
        "Read the program's stderr; a program that waits for more data waits for a peer that already closed or never will send.",
        "프로그램의 stderr를 읽어 보십시오. 더 올 데이터를 기다리는 프로그램은 이미 닫았거나 보내지 않을 상대를 기다리고 있습니다.",
    ),
    lesson: "06_send_recv",
    check: rules::exits_cleanly,
};

/// The listening fd hands out connections and carries no bytes.
const NO_DATA_ON_LISTENING_FD: Rule = Rule {
    name: "no_data_on_listening_fd",
    asks: (
        "nothing is sent or received on the listening fd",
        "리스닝 fd로는 아무것도 송수신하지 않습니다",
    ),
    hint: (
        "accept returns a new fd for the client; send and recv on that one.",
        "accept는 클라이언트용으로 새 fd를 반환합니다. 송수신은 그 fd로 하십시오.",
    ),
    lesson: "04_accept",
    check: rules::no_data_on_listening_fd,
};

const NO_SOCKET_OPEN_AT_EXIT: Rule = Rule {
    name: "no_socket_open_at_exit",
    asks: (
        "every socket is closed before the program ends",
        "프로그램이 끝나기 전에 모든 소켓을 닫습니다",
    ),
    hint: (
        "Call close on each socket when you are done with it (in Rust with socklab, `conn.close()?`).",
        "다 쓴 소켓마다 close를 호출하십시오(socklab을 쓰는 Rust에서는 `conn.close()?`).",
    ),
    lesson: "07_close",
    check: rules::no_socket_open_at_exit,
};

pub static EXERCISE_1: Exercise = Exercise {
    number: 1,
    title: (
        "a client that reads a greeting until EOF and prints it",
        "인사말을 EOF까지 읽어 출력하는 클라이언트",
    ),
    peer: PeerRole::GreetingServer,
    faults: &[],
    rules: &[
        EXITS_CLEANLY,
        Rule {
            name: "prints_the_greeting",
            asks: (
                "stdout holds the server's whole greeting, byte for byte",
                "stdout에 서버의 인사말 전체가 바이트 단위로 그대로 나옵니다",
            ),
            hint: (
                "The greeting comes in several pieces; keep everything each recv returns.",
                "인사말은 여러 조각으로 옵니다. recv가 반환한 것을 모두 모으십시오.",
            ),
            lesson: "06_send_recv",
            check: prints_the_greeting,
        },
        Rule {
            name: "recv_until_zero",
            asks: (
                "recv (or read) is called until it returns 0",
                "recv(또는 read)를 0을 반환할 때까지 호출합니다",
            ),
            hint: (
                "TCP is a byte stream with no message boundaries: loop on recv, and stop only when it returns 0 (the server closed).",
                "TCP는 메시지 경계가 없는 바이트 스트림입니다. recv를 반복 호출하고, 0을 반환할 때(서버가 닫았을 때)에만 멈추십시오.",
            ),
            lesson: "06_send_recv",
            check: rules::recv_until_zero,
        },
        NO_SOCKET_OPEN_AT_EXIT,
    ],
    hints: &[
    (
        "TCP is a byte stream: the server's sends do not arrive as separate messages. One recv returns what has arrived so far, which may be a few bytes or everything.",
        "TCP는 바이트 스트림입니다. 서버가 send한 단위 그대로 도착하지 않습니다. recv 한 번은 그때까지 도착한 만큼을 반환하며, 몇 바이트일 수도 있고 전부일 수도 있습니다.",
    ),
    (
        "recv returns 0 only when the server has closed its side (EOF): that is the one sign that nothing more will come. Keep calling recv until you see it (lesson 6 shows it: socklab run 6).",
        "recv는 서버가 자기 쪽 연결을 닫았을 때(EOF)에만 0을 반환합니다. 더 올 데이터가 없다는 신호는 이것 하나뿐입니다. 0이 나올 때까지 recv를 계속 호출하십시오(제 6강에서 볼 수 있습니다: socklab run 6).",
    ),
    (
        "The loop: `loop { let n = conn.recv(&mut buf, MsgFlags::NONE)?; if n == 0 { break; } greeting.extend_from_slice(&buf[..n]); }`, then `Ok(greeting)`. In C: `while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);`.",
        "반복문은 이렇습니다. `loop { let n = conn.recv(&mut buf, MsgFlags::NONE)?; if n == 0 { break; } greeting.extend_from_slice(&buf[..n]); }` 그 뒤 `Ok(greeting)`을 반환합니다. C에서는 `while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);`입니다.",
    ),
    ],
};

pub static EXERCISE_2: Exercise = Exercise {
    number: 2,
    title: (
        "a one-shot server: listen, accept one client, answer, close",
        "한 번만 응답하는 서버: listen, 클라이언트 하나 accept, 응답, close",
    ),
    peer: PeerRole::RequestClient,
    faults: &[],
    rules: &[
        EXITS_CLEANLY,
        Rule {
            name: "answers_the_request",
            asks: (
                "the client gets its request line back, then EOF",
                "클라이언트가 보낸 요청 줄을 그대로 돌려받고, 그 뒤 EOF를 받습니다",
            ),
            hint: (
                "The request may arrive in pieces: read until you have the newline, then send the whole line back on the accepted socket.",
                "요청은 여러 조각으로 올 수 있습니다. 줄바꿈이 올 때까지 읽은 뒤, accept한 소켓으로 그 줄 전체를 보내십시오.",
            ),
            lesson: "08_iterative_server",
            check: answers_the_request,
        },
        NO_DATA_ON_LISTENING_FD,
        Rule {
            name: "accepted_fds_closed",
            asks: (
                "every fd accept returned is closed",
                "accept가 반환한 fd를 모두 닫습니다",
            ),
            hint: (
                "Close the client's fd (the one accept returned, not only a dup of it) when its answer is sent.",
                "응답을 보낸 뒤 클라이언트의 fd(dup한 사본만이 아니라 accept가 반환한 fd)를 닫으십시오.",
            ),
            lesson: "08_iterative_server",
            check: rules::accepted_fds_closed,
        },
        Rule {
            name: "listening_fd_closed",
            asks: (
                "the listening fd is closed",
                "리스닝 fd를 닫습니다",
            ),
            hint: (
                "A one-shot server closes its listening socket too, once the client is served.",
                "한 번만 응답하는 서버는 클라이언트에게 응답한 뒤 리스닝 소켓도 닫습니다.",
            ),
            lesson: "04_accept",
            check: rules::listening_fd_closed,
        },
        NO_SOCKET_OPEN_AT_EXIT,
    ],
    hints: &[
    (
        "accept returns a new socket for this one client: receive and send on `conn`, never on the listening socket (lesson 4: socklab run 4).",
        "accept는 이 클라이언트 하나를 위한 새 소켓을 반환합니다. 데이터 송수신은 리스닝 소켓이 아니라 `conn`으로 하십시오(제 4강: socklab run 4).",
    ),
    (
        "The client sends its line in two pieces. Call recv again and again, adding each piece, until the bytes hold b'\\n'; a recv of 0 means the client closed before its line was complete.",
        "클라이언트는 요청 줄을 두 조각으로 보냅니다. 받은 바이트에 b'\\n'이 들어 있을 때까지 recv를 반복 호출하며 조각을 모으십시오. recv가 0을 반환하면 클라이언트가 줄을 다 보내기 전에 연결을 닫은 것입니다.",
    ),
    (
        "send may take fewer bytes than you give it: `let mut sent = 0; while sent < line.len() { sent += conn.send(&line[sent..], MsgFlags::NONE)?; }`. Then return Ok(()); main closes both sockets.",
        "send는 넘긴 것보다 적은 바이트만 보낼 수 있습니다. `let mut sent = 0; while sent < line.len() { sent += conn.send(&line[sent..], MsgFlags::NONE)?; }` 그 뒤 Ok(())를 반환하면 main이 두 소켓을 닫습니다.",
    ),
    ],
};

/// The listening fd closed after the last accept (an iterative server).
const LISTENING_FD_CLOSED_LAST: Rule = Rule {
    name: "listening_fd_closed_last",
    asks: (
        "the listening fd is closed once, after the last client",
        "리스닝 fd를 마지막 클라이언트를 받은 뒤 한 번만 닫습니다",
    ),
    hint: (
        "Close the listening fd after the loop, not inside it: it must take every client's connection.",
        "리스닝 fd는 반복문 안이 아니라 반복문이 끝난 뒤에 닫으십시오. 모든 클라이언트의 연결 요청을 그 fd가 받아야 합니다.",
    ),
    lesson: "08_iterative_server",
    check: rules::listening_fd_closed_last,
};

pub static EXERCISE_3: Exercise = Exercise {
    number: 3,
    title: (
        "an iterative echo server for three clients in turn",
        "세 클라이언트를 차례로 처리하는 반복 에코 서버",
    ),
    peer: PeerRole::EchoClients,
    faults: &[],
    // The rules that name a call come first: the verdict explains its
    // first failure, and a call in the record says why the clients or the
    // exit status went wrong.
    rules: &[
        Rule {
            name: "one_listening_fd",
            asks: (
                "one listening fd takes every client",
                "리스닝 fd 하나가 모든 클라이언트의 연결 요청을 받습니다",
            ),
            hint: (
                "Make, bind and listen on one socket before the loop; inside the loop, only accept on it.",
                "소켓 하나를 반복문 앞에서 만들고 bind, listen하십시오. 반복문 안에서는 그 소켓으로 accept만 합니다.",
            ),
            lesson: "08_iterative_server",
            check: rules::one_listening_fd,
        },
        Rule {
            name: "no_data_on_listening_fd",
            asks: (
                "nothing is sent or received on the listening fd",
                "리스닝 fd로는 아무것도 송수신하지 않습니다",
            ),
            hint: (
                "accept returns a new fd for each client; send and recv on that one.",
                "accept는 클라이언트마다 새 fd를 반환합니다. 송수신은 그 fd로 하십시오.",
            ),
            lesson: "04_accept",
            check: rules::no_data_on_listening_fd,
        },
        Rule {
            name: "recv_until_zero",
            asks: (
                "each client's socket is read until recv returns 0",
                "클라이언트 소켓마다 recv가 0을 반환할 때까지 읽습니다",
            ),
            hint: (
                "A client's lines come in pieces, and its half-close (shutdown) is what makes recv return 0: echo each piece and stop only at 0.",
                "클라이언트의 줄은 여러 조각으로 옵니다. 클라이언트가 Half-close(shutdown)해야 recv가 0을 반환합니다. 조각마다 에코하고 0일 때에만 멈추십시오.",
            ),
            lesson: "07_close",
            check: rules::recv_until_zero_per_client,
        },
        Rule {
            name: "accepted_fds_closed",
            asks: (
                "every fd accept returned is closed",
                "accept가 반환한 fd를 모두 닫습니다",
            ),
            hint: (
                "shutdown ends the conversation but keeps the fd: close each client's fd once its echo is sent.",
                "shutdown은 대화를 끝낼 뿐 fd는 남겨 둡니다. 에코를 다 보낸 클라이언트의 fd는 close로 닫으십시오.",
            ),
            lesson: "08_iterative_server",
            check: rules::accepted_fds_closed,
        },
        LISTENING_FD_CLOSED_LAST,
        NO_SOCKET_OPEN_AT_EXIT,
        Rule {
            name: "echoes_each_client",
            asks: (
                "each of the three clients gets back exactly what it sent, then EOF",
                "세 클라이언트가 각자 보낸 것을 그대로 돌려받고, 그 뒤 EOF를 받습니다",
            ),
            hint: (
                "Serve the clients one after another: accept, echo until recv returns 0, close, and accept the next; three in all.",
                "클라이언트를 하나씩 차례로 처리하십시오. accept하고, recv가 0을 반환할 때까지 에코하고, 닫은 뒤 다음 클라이언트를 accept합니다. 모두 세 번입니다.",
            ),
            lesson: "08_iterative_server",
            check: echoes_each_client,
        },
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "Exercise 2's server in a loop: one listening socket, and three rounds of accept, echo, close.",
            "연습 문제 2의 서버를 반복문에 넣으십시오. 리스닝 소켓 하나에 accept, 에코, close를 세 번 반복합니다.",
        ),
        (
            "Echo what each recv returns as soon as it returns; stop a client only when recv returns 0 (it has half-closed).",
            "recv가 반환한 것을 그때그때 에코하십시오. recv가 0을 반환할 때(클라이언트가 Half-close했을 때)에만 그 클라이언트를 끝냅니다.",
        ),
        (
            "send may take fewer bytes than you gave it: send the rest until all is sent. Close the listening fd after the third client.",
            "send는 준 것보다 적게 보낼 수 있습니다. 다 보낼 때까지 나머지를 보내십시오. 리스닝 fd는 세 번째 클라이언트 뒤에 닫습니다.",
        ),
    ],
};

pub static EXERCISE_4: Exercise = Exercise {
    number: 4,
    title: (
        "reading a 100 KB stream that arrives in odd pieces",
        "불규칙한 조각으로 도착하는 100 KB 스트림 읽기",
    ),
    peer: PeerRole::StreamServer,
    faults: &[],
    // As in exercise 3, the rules that name a call first.
    rules: &[
        Rule {
            name: "recv_until_zero",
            asks: (
                "recv (or read) is called until it returns 0",
                "recv(또는 read)를 0을 반환할 때까지 호출합니다",
            ),
            hint: (
                "A recv that returns less than your buffer does not mean the end: only 0 does (the server closed). Do not count on a size either.",
                "recv가 버퍼보다 적게 반환해도 끝이 아닙니다. 0을 반환할 때(서버가 닫았을 때)만 끝입니다. 크기를 미리 정해 두고 세지도 마십시오.",
            ),
            lesson: "06_send_recv",
            check: rules::recv_until_zero,
        },
        NO_SOCKET_OPEN_AT_EXIT,
        Rule {
            name: "prints_the_stream",
            asks: (
                "stdout holds the server's 100 KB, byte for byte, and nothing else",
                "stdout에 서버가 보낸 100 KB가 바이트 단위로 그대로, 그것만 나옵니다",
            ),
            hint: (
                "Read until recv returns 0, and write out exactly the n bytes each recv returned, not the whole buffer.",
                "recv가 0을 반환할 때까지 읽고, 버퍼 전체가 아니라 recv가 반환한 n바이트만 정확히 출력하십시오.",
            ),
            lesson: "06_send_recv",
            check: prints_the_stream,
        },
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "The same client as exercise 1, with more data: connect to SOCKLAB_HOST:SOCKLAB_PORT and read.",
            "연습 문제 1과 같은 클라이언트이고 데이터만 더 많습니다. SOCKLAB_HOST:SOCKLAB_PORT로 연결을 요청하고 읽으십시오.",
        ),
        (
            "The pieces have odd sizes and arrive with pauses; the first is a single byte. A short recv is not the end of the stream.",
            "조각은 크기가 제각각이고 간격을 두고 도착합니다. 첫 조각은 1바이트입니다. recv가 적게 반환해도 스트림의 끝이 아닙니다.",
        ),
        (
            "Loop: n = recv; if n is 0, stop; else write those n bytes to stdout. Then close the socket.",
            "반복문: n = recv; n이 0이면 멈추고, 아니면 그 n바이트를 stdout에 씁니다. 그 뒤 소켓을 닫으십시오.",
        ),
    ],
};

/// The peer received exercise 5's 1 MiB whole, in order, and nothing
/// more.
pub fn sends_the_mebibyte(ev: &Evidence) -> Result<(), Broken> {
    let got = ev.peer_received.concat();
    let want = mebibyte();
    if got == want {
        return Ok(());
    }
    let n = got.len();
    let at = got
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(n.min(MEBIBYTE));
    let error = ev.peer_error.as_deref().unwrap_or("none");
    let meaning = if at == n {
        super::verdict::Said::new(
            format!("The server received the first {n} of {MEBIBYTE} bytes, correct so far; the rest never came (the server's error: {error})."),
            format!("서버는 {MEBIBYTE}바이트 중 앞의 {n}바이트만 받았고, 거기까지는 맞습니다. 나머지는 오지 않았습니다(서버 오류: {error})."),
        )
    } else if at == MEBIBYTE {
        super::verdict::Said::new(
            format!(
                "The server received the whole 1 MiB and then {} bytes more.",
                n - MEBIBYTE
            ),
            format!(
                "서버는 1 MiB 전체를 받은 뒤 {}바이트를 더 받았습니다.",
                n - MEBIBYTE
            ),
        )
    } else {
        let (g, w) = (got[at], want[at]);
        super::verdict::Said::new(
            format!("The server received {n} bytes (of {MEBIBYTE}); they first differ from the data at offset {at}, where byte {g} came instead of {w} (byte i is i % 251): a piece is missing or sent twice there."),
            format!("서버는 ({MEBIBYTE}바이트 중) {n}바이트를 받았습니다. 오프셋 {at}에서 처음 달라집니다. 그 자리에 {w} 대신 {} 왔습니다(바이트 i는 i % 251). 그곳에서 조각 하나가 빠졌거나 두 번 보내졌습니다.", i(g)),
        )
    };
    Err(Broken {
        events: vec![],
        meaning,
    })
}

/// The client of exercise 6 received one answer line per request line,
/// each right, and then EOF.
pub fn answers_each_line(ev: &Evidence) -> Result<(), Broken> {
    let got = ev.peer_received.concat();
    let talk = line_requests(ev.seed);
    let want: Vec<u8> = talk.iter().flat_map(|(_, a)| a.bytes()).collect();
    if got == want && ev.peer_error.is_none() {
        return Ok(());
    }
    let error = ev.peer_error.as_deref().unwrap_or("none");
    let lines: Vec<&[u8]> = got.split_inclusive(|&b| b == b'\n').collect();
    let wrong = talk
        .iter()
        .enumerate()
        .find(|(k, (_, answer))| lines.get(*k) != Some(&answer.as_bytes()));
    let meaning = match wrong {
        Some((k, (request, answer))) => {
            let shown = |l: Option<&&[u8]>| match l {
                Some(l) => format!("{:?}", String::from_utf8_lossy(l)),
                None => "nothing".to_string(),
            };
            let (got_en, got_ko) = match lines.get(k) {
                Some(l) => (shown(Some(l)), shown(Some(l))),
                None => (
                    "nothing".to_string(),
                    "아무것도 받지 못했습니다".to_string(),
                ),
            };
            let n = k + 1;
            super::verdict::Said::new(
                format!("Request {n} was {request:?}; its answer is {answer:?}, and the client received {got_en} in its place (the client's error: {error})."),
                format!("{n}번 요청은 {request:?}이고 답은 {answer:?}입니다. 그 자리에 클라이언트가 받은 것: {got_ko} (클라이언트 오류: {error})."),
            )
        }
        None => {
            let extra = String::from_utf8_lossy(&got[want.len().min(got.len())..]).into_owned();
            super::verdict::Said::new(
                format!("Every answer was right, and then came {extra:?} more (the client's error: {error})."),
                format!("답은 모두 맞았지만 그 뒤에 {extra:?}이(가) 더 왔습니다(클라이언트 오류: {error})."),
            )
        }
    };
    // The pieces as the client sent them, so the cut that broke the
    // program can be seen.
    let pieces: Vec<String> = line_pieces(ev.seed)
        .iter()
        .map(|p| format!("{:?}", String::from_utf8_lossy(p)))
        .collect();
    let pieces = pieces.join(", ");
    let meaning = super::verdict::Said::new(
        format!(
            "{} The client sent its requests in these pieces, a pause after each: {pieces}.",
            meaning.en
        ),
        format!(
            "{} 클라이언트는 요청을 다음 조각으로 나누어 조각마다 잠시 쉬며 보냈습니다: {pieces}.",
            meaning.ko
        ),
    );
    Err(Broken {
        events: vec![],
        meaning,
    })
}

const SENDS_THE_MEBIBYTE: Rule = Rule {
    name: "sends_the_mebibyte",
    asks: (
        "the server receives the 1 MiB whole, in order, and nothing more",
        "서버가 1 MiB를 빠짐없이 순서대로, 그것만 받습니다",
    ),
    hint: (
        "Send until the return values add up to 1,048,576: each send starts where the bytes sent so far end.",
        "반환값의 합이 1,048,576이 될 때까지 보내십시오. 각 송신은 지금까지 보낸 바이트가 끝난 자리에서 시작합니다.",
    ),
    lesson: "06_send_recv",
    check: sends_the_mebibyte,
};

/// Exercise 5's second run: strace fails every other send with EINTR.
pub const EINTR_ON_SENDS: Fault = Fault {
    name: "eintr",
    inject: "sendto,write:error=EINTR:when=1+2",
    does: (
        "strace fails the 1st, 3rd, 5th… sendto and write with EINTR, without making them",
        "strace가 1, 3, 5…번째 sendto와 write를 실제로 하지 않고 EINTR로 실패시킵니다",
    ),
    rules: &[
        Rule {
            name: "send_retried",
            asks: (
                "every send that failed with EINTR is made again, the same bytes on the same socket",
                "EINTR로 실패한 송신마다 같은 소켓에서 같은 바이트를 다시 보냅니다",
            ),
            hint: (
                "EINTR is no error of the connection: the call was cut short before it sent a byte. Make the same send again, and stop only at another error.",
                "EINTR은 연결의 오류가 아닙니다. 한 바이트도 보내기 전에 호출이 중단된 것입니다. 같은 송신을 다시 하고, 다른 오류일 때에만 멈추십시오.",
            ),
            lesson: "06_send_recv",
            check: rules::send_retried_after_eintr,
        },
        SENDS_THE_MEBIBYTE,
        EXITS_CLEANLY,
    ],
};

pub static EXERCISE_5: Exercise = Exercise {
    number: 5,
    title: (
        "sending 1 MB with a loop that survives EINTR",
        "EINTR에도 멈추지 않는 반복문으로 1 MB 보내기",
    ),
    peer: PeerRole::SlowReader,
    rules: &[NO_SOCKET_OPEN_AT_EXIT, SENDS_THE_MEBIBYTE, EXITS_CLEANLY],
    faults: &[EINTR_ON_SENDS],
    hints: &[
        (
            "A single send of the whole 1 MiB on a blocking socket may well pass the first run. The second run is the test: there strace makes the 1st, 3rd, 5th… sendto and write fail with EINTR.",
            "블로킹 소켓에서는 1 MiB 전체를 send 한 번으로 보내도 첫 번째 실행은 통과할 수 있습니다. 시험은 두 번째 실행입니다. 거기서는 strace가 1, 3, 5…번째 sendto와 write를 EINTR로 실패시킵니다.",
        ),
        (
            "A send that fails with EINTR sent nothing (man 2 send: a signal occurred before any data was transmitted), and the connection is fine: send the same bytes again. Any other error ends the program.",
            "EINTR로 실패한 send는 아무것도 보내지 않았고(man 2 send: 데이터를 보내기 전에 시그널이 발생했습니다) 연결은 멀쩡합니다. 같은 바이트를 다시 보내십시오. 다른 오류라면 프로그램을 끝냅니다.",
        ),
        (
            "The loop: `let mut sent = 0; while sent < data.len() { match conn.send(&data[sent..], MsgFlags::NONE) { Ok(n) => sent += n, Err(e) if e.errno == Errno::EINTR => continue, Err(e) => return Err(e.into()) } }`. In C: `n = write(fd, buf + sent, len - sent); if (n < 0 && errno == EINTR) continue; if (n < 0) { perror(\"write\"); return 1; } sent += n;`.",
            "반복문은 이렇습니다. `let mut sent = 0; while sent < data.len() { match conn.send(&data[sent..], MsgFlags::NONE) { Ok(n) => sent += n, Err(e) if e.errno == Errno::EINTR => continue, Err(e) => return Err(e.into()) } }` C에서는 `n = write(fd, buf + sent, len - sent); if (n < 0 && errno == EINTR) continue; if (n < 0) { perror(\"write\"); return 1; } sent += n;`입니다.",
        ),
    ],
};

pub static EXERCISE_6: Exercise = Exercise {
    number: 6,
    title: (
        "a line-framed protocol whose lines are split at random points",
        "임의의 지점에서 잘려 오는 줄 단위 프로토콜",
    ),
    peer: PeerRole::LineClient,
    faults: &[],
    // As in exercise 3, the rules that name a call first.
    rules: &[
        NO_DATA_ON_LISTENING_FD,
        Rule {
            name: "accepted_fds_closed",
            asks: (
                "every fd accept returned is closed",
                "accept가 반환한 fd를 모두 닫습니다",
            ),
            hint: (
                "Close the client's fd once it has said QUIT (or closed) and its BYE is sent.",
                "클라이언트가 QUIT을 보냈거나 연결을 닫았고 BYE를 보낸 뒤에는 클라이언트의 fd를 닫으십시오.",
            ),
            lesson: "08_iterative_server",
            check: rules::accepted_fds_closed,
        },
        Rule {
            name: "listening_fd_closed",
            asks: ("the listening fd is closed", "리스닝 fd를 닫습니다"),
            hint: (
                "The server serves one client: close its listening socket too before it ends.",
                "이 서버는 클라이언트 하나만 처리합니다. 끝나기 전에 리스닝 소켓도 닫으십시오.",
            ),
            lesson: "04_accept",
            check: rules::listening_fd_closed,
        },
        NO_SOCKET_OPEN_AT_EXIT,
        Rule {
            name: "answers_each_line",
            asks: (
                "each request line gets its one answer line, in order, then EOF",
                "요청 줄마다 답 한 줄을 순서대로 보내고, 그 뒤 EOF를 보냅니다",
            ),
            hint: (
                "A recv is not a line: keep the bytes received in a buffer, answer every whole line in it, and keep the part after the last newline for the next recv.",
                "recv 한 번이 한 줄이 아닙니다. 받은 바이트를 버퍼에 모으고, 그 안의 완전한 줄마다 답한 뒤, 마지막 줄바꿈 뒤에 남은 부분은 다음 recv를 위해 남겨 두십시오.",
            ),
            lesson: "06_send_recv",
            check: answers_each_line,
        },
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "TCP keeps no line boundaries: one recv may return half a line, a line and a half, or three lines. The newline is the only boundary there is.",
            "TCP는 줄의 경계를 지키지 않습니다. recv 한 번이 반 줄, 한 줄 반, 세 줄을 반환할 수 있습니다. 경계는 줄바꿈 문자뿐입니다.",
        ),
        (
            "Keep one buffer across recvs: append what each recv returns, then take whole lines off its front while it holds a newline; what is left waits for the next recv.",
            "recv 사이에 버퍼 하나를 유지하십시오. recv가 반환한 것을 뒤에 붙이고, 줄바꿈이 있는 동안 앞에서부터 완전한 줄을 떼어 냅니다. 남은 것은 다음 recv를 기다립니다.",
        ),
        (
            "`while let Some(i) = pending.iter().position(|&b| b == b'\\n') { let line: Vec<u8> = pending.drain(..=i).collect(); /* answer it; QUIT: send BYE and stop */ }`. In C, find '\\n' with memchr, answer the line, then memmove the rest to the front.",
            "`while let Some(i) = pending.iter().position(|&b| b == b'\\n') { let line: Vec<u8> = pending.drain(..=i).collect(); /* 답하고, QUIT이면 BYE를 보내고 멈춤 */ }` C에서는 memchr로 '\\n'을 찾아 그 줄에 답한 뒤, 나머지를 memmove로 버퍼 앞으로 옮기십시오.",
        ),
    ],
};

/// The server received the request, whole, and then its end (EOF).
pub fn sends_the_request(ev: &Evidence) -> Result<(), Broken> {
    let received = ev.peer_received.first().map(Vec::as_slice).unwrap_or(b"");
    let no_eof = ev.peer_error.as_deref().is_some_and(|e| e.contains(NO_EOF));
    if received == QUESTION && !no_eof {
        return Ok(());
    }
    let got = String::from_utf8_lossy(received);
    let want = String::from_utf8_lossy(QUESTION);
    Err(Broken {
        events: vec![],
        meaning: if received == QUESTION {
            super::verdict::Said::new(
                format!("The server received the request {got:?}, but never its end (EOF): it was still waiting for more when the time ran out, so it never answered."),
                format!("서버는 요청 {got:?}을(를) 받았지만 그 끝(EOF)은 받지 못했습니다. 시간이 다 될 때까지 더 올 데이터를 기다렸으므로 응답하지 않았습니다."),
            )
        } else {
            super::verdict::Said::new(
                format!("The server received {got:?}; the request is {want:?}."),
                format!("서버가 받은 것은 {got:?}입니다. 요청은 {want:?}입니다."),
            )
        },
    })
}

/// The program printed the server's whole answer, and nothing else.
pub fn prints_the_answer(ev: &Evidence) -> Result<(), Broken> {
    if ev.stdout == ANSWER {
        return Ok(());
    }
    let got = String::from_utf8_lossy(&ev.stdout);
    let error = ev.peer_error.as_deref().unwrap_or("none");
    Err(Broken {
        events: vec![],
        meaning: super::verdict::Said::new(
            format!("The program printed {got:?}, not the server's answer (the server's error: {error})."),
            format!("프로그램은 서버의 응답이 아니라 {got:?}을(를) 출력했습니다(서버 쪽 오류: {error})."),
        ),
    })
}

pub static EXERCISE_7: Exercise = Exercise {
    number: 7,
    title: (
        "half-close: send a request, shutdown(SHUT_WR), read the whole answer",
        "Half-close: 요청을 보내고 shutdown(SHUT_WR)한 뒤 응답 전체 읽기",
    ),
    peer: PeerRole::HalfCloseServer,
    faults: &[],
    // As in exercise 3, the rules that name a call first.
    rules: &[
        Rule {
            name: "half_closes_after_sending",
            asks: (
                "shutdown(fd, SHUT_WR) after the request is sent, before the answer is read to its end",
                "요청을 다 보낸 뒤, 응답을 끝까지 읽기 전에 shutdown(fd, SHUT_WR)을 호출합니다",
            ),
            hint: (
                "The server answers only once it has read your request to EOF. shutdown(fd, SHUT_WR) sends that EOF and keeps your side able to read; close would end both directions, SHUT_RDWR the reading too.",
                "서버는 요청을 EOF까지 읽은 뒤에야 응답합니다. shutdown(fd, SHUT_WR)은 그 EOF를 보내면서 이쪽의 수신은 남겨 둡니다. close는 양방향을 모두 끝내고, SHUT_RDWR 옵션은 수신도 끝냅니다.",
            ),
            lesson: "07_close",
            check: rules::half_closes_after_sending,
        },
        Rule {
            name: "recv_until_zero",
            asks: (
                "recv (or read) is called until it returns 0",
                "recv(또는 read)를 0을 반환할 때까지 호출합니다",
            ),
            hint: (
                "The answer comes in several pieces after your half-close: keep calling recv, and stop only when it returns 0 (the server closed).",
                "응답은 Half-close 뒤에 여러 조각으로 옵니다. recv를 계속 호출하고, 0을 반환할 때(서버가 닫았을 때)에만 멈추십시오.",
            ),
            lesson: "06_send_recv",
            check: rules::recv_until_zero,
        },
        NO_SOCKET_OPEN_AT_EXIT,
        Rule {
            name: "sends_the_request",
            asks: (
                "the server receives the whole request, then its end (EOF)",
                "서버가 요청 전체를 받고, 그 뒤 요청의 끝(EOF)을 받습니다",
            ),
            hint: (
                "Send the whole request line (send may take fewer bytes than you give it), then shutdown(fd, SHUT_WR): that is the EOF the server waits for.",
                "요청 줄 전체를 보내고(send는 준 것보다 적게 보낼 수 있습니다), 그 뒤 shutdown(fd, SHUT_WR)을 호출하십시오. 서버가 기다리는 EOF가 그것입니다.",
            ),
            lesson: "07_close",
            check: sends_the_request,
        },
        Rule {
            name: "prints_the_answer",
            asks: (
                "stdout holds the server's whole answer, byte for byte",
                "stdout에 서버의 응답 전체가 바이트 단위로 그대로 나옵니다",
            ),
            hint: (
                "Read the answer on the same socket after the half-close, and write out exactly the bytes each recv returned.",
                "Half-close한 그 소켓에서 응답을 읽고, recv가 반환한 바이트만 정확히 출력하십시오.",
            ),
            lesson: "07_close",
            check: prints_the_answer,
        },
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "The server reads your request until EOF and answers only then. How does a client say \"my request is complete\" and still hear the answer? Lesson 7 shows it: socklab run 7.",
            "서버는 요청을 EOF까지 읽은 뒤에야 응답합니다. 클라이언트가 \"요청은 여기까지\"라고 알리면서 응답도 들으려면 어떻게 해야 할까요? 제 7강에서 볼 수 있습니다: socklab run 7.",
        ),
        (
            "shutdown(fd, SHUT_WR) sends the server its EOF and keeps your fd open for reading. close ends both directions and gives the fd back; SHUT_RDWR ends your reading too.",
            "shutdown(fd, SHUT_WR)은 서버에 EOF를 보내고 fd는 수신용으로 남겨 둡니다. close는 양방향을 모두 끝내고 fd를 반납하며, SHUT_RDWR 옵션은 수신도 끝냅니다.",
        ),
        (
            "In order: send the whole request; `conn.shutdown(Shutdown::Write)?` (C: `shutdown(fd, SHUT_WR)`); recv until it returns 0, printing each piece; close.",
            "순서는 이렇습니다. 요청 전체를 보내고, `conn.shutdown(Shutdown::Write)?`(C에서는 `shutdown(fd, SHUT_WR)`)를 호출하고, recv가 0을 반환할 때까지 조각마다 출력하고, close합니다.",
        ),
    ],
};

pub static EXERCISE_8: Exercise = Exercise {
    number: 8,
    title: (
        "a client that retries ECONNREFUSED with a new socket each time",
        "ECONNREFUSED가 나면 매번 새 소켓으로 다시 시도하는 클라이언트",
    ),
    peer: PeerRole::LateServer,
    faults: &[],
    rules: &[
        Rule {
            name: "new_socket_per_connect",
            asks: (
                "no connect on a socket whose connect already failed",
                "connect에 실패한 소켓으로 다시 연결을 요청하지 않습니다",
            ),
            hint: (
                "After ECONNREFUSED, close that socket and make a new one with socket() for the next try.",
                "ECONNREFUSED가 나면 그 소켓은 닫고, 다음 시도에는 socket()으로 새 소켓을 만드십시오.",
            ),
            lesson: "05_connect",
            check: rules::new_socket_per_connect,
        },
        Rule {
            name: "failed_sockets_closed",
            asks: (
                "each socket whose connect failed is closed before the next try",
                "connect에 실패한 소켓은 다음 시도 전에 닫습니다",
            ),
            hint: (
                "A refused socket is still an open fd: close it before you make the next one.",
                "거절된 소켓도 열린 fd입니다. 다음 소켓을 만들기 전에 close로 닫으십시오.",
            ),
            lesson: "05_connect",
            check: rules::failed_sockets_closed,
        },
        Rule {
            name: "retries_until_connected",
            asks: (
                "a refused connect is tried again until it succeeds",
                "거절된 connect를 성공할 때까지 다시 시도합니다",
            ),
            hint: (
                "ECONNREFUSED means nothing listens on the port yet: wait 100 ms and try again, up to 20 tries.",
                "ECONNREFUSED는 그 포트에서 아직 아무도 listen하지 않는다는 뜻입니다. 100 ms 기다렸다가 다시 시도하십시오. 최대 20번입니다.",
            ),
            lesson: "05_connect",
            check: rules::retries_until_connected,
        },
        NO_SOCKET_OPEN_AT_EXIT,
        Rule {
            name: "prints_the_greeting",
            asks: (
                "stdout holds the server's whole greeting, byte for byte",
                "stdout에 서버의 인사말 전체가 바이트 단위로 그대로 나옵니다",
            ),
            hint: (
                "Once connected, read as in exercise 1: recv until it returns 0, printing each piece.",
                "연결된 뒤에는 연습 문제 1처럼 읽으십시오. recv가 0을 반환할 때까지 조각마다 출력합니다.",
            ),
            lesson: "06_send_recv",
            check: prints_the_greeting,
        },
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "The server starts late: for its first few hundred milliseconds nothing listens on the port, and connect fails with ECONNREFUSED (lesson 5 shows that error: socklab run 5).",
            "서버는 늦게 시작합니다. 처음 몇백 밀리초 동안은 그 포트에서 아무도 listen하지 않으므로 connect가 ECONNREFUSED로 실패합니다(제 5강에서 이 오류를 볼 수 있습니다: socklab run 5).",
        ),
        (
            "After a failed connect POSIX leaves the socket's state unspecified, so do not connect it again: close it, wait 100 ms, make a new socket and connect that one.",
            "connect에 실패한 소켓의 상태는 POSIX가 정해 두지 않았습니다. 그러니 그 소켓으로 다시 연결을 요청하지 말고, 그 소켓을 닫고 100 ms 기다린 뒤 새 소켓을 만들어 연결을 요청하십시오.",
        ),
        (
            "A loop of at most 20 tries: socket; connect; on ECONNREFUSED close and sleep 100 ms; on success read until recv returns 0, print, close. In Rust, `Err(ConnectError { error, socket })` gives the socket back: `socket.close()?`.",
            "최대 20번 도는 반복문입니다. socket, connect, ECONNREFUSED면 close하고 100 ms 쉽니다. 성공하면 recv가 0을 반환할 때까지 읽어 출력하고 close합니다. Rust에서는 `Err(ConnectError { error, socket })`이 소켓을 돌려주므로 `socket.close()?`로 닫습니다.",
        ),
    ],
};

/// A datagram as a verdict shows it: its size, and its start.
fn shown_datagram(d: &[u8]) -> String {
    if d.is_empty() {
        return "an empty datagram".into();
    }
    let start = String::from_utf8_lossy(&d[..d.len().min(24)]).into_owned();
    let more = if d.len() > 24 { "…" } else { "" };
    format!("{} bytes {start:?}{more}", d.len())
}

fn shown_datagram_ko(d: &[u8]) -> String {
    if d.is_empty() {
        return "빈 데이터그램".into();
    }
    let start = String::from_utf8_lossy(&d[..d.len().min(24)]).into_owned();
    let more = if d.len() > 24 { "…" } else { "" };
    format!("{}바이트 {start:?}{more}", d.len())
}

/// Each client got back exactly the datagrams it sent, each whole and
/// separate, at its own port, and from the program's address. The order
/// is not judged: UDP does not promise it. A datagram cut short names
/// the receive that filled its whole buffer.
pub fn echoes_arrive_whole(ev: &Evidence) -> Result<(), Broken> {
    let said = super::verdict::Said::new;
    for k in 0..DATAGRAM_CLIENTS {
        let n = k + 1;
        let sent = sent_by_client(&ev.peer_received, k);
        let got = ev
            .peer_received
            .get(k)
            .map(|f| unframe_datagrams(f))
            .unwrap_or_default();
        let sorted = |v: &[Vec<u8>]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        if sorted(&sent) == sorted(&got) {
            continue;
        }
        // What is missing, and what came that was not sent.
        let mut missing = sent.clone();
        let mut extra = Vec::new();
        for d in &got {
            match missing.iter().position(|m| m == d) {
                Some(i) => {
                    missing.remove(i);
                }
                None => extra.push(d.clone()),
            }
        }
        let list = |v: &[Vec<u8>], f: fn(&[u8]) -> String| {
            v.iter().map(|d| f(d)).collect::<Vec<_>>().join(", ")
        };
        let (none_en, none_ko) = ("nothing".to_string(), "없음".to_string());
        let or = |s: String, none: &String| if s.is_empty() { none.clone() } else { s };
        let mut meaning = said(
            format!(
                "Client {n} did not get back exactly the datagrams it sent. Missing: {}. Came instead: {}.",
                or(list(&missing, shown_datagram), &none_en),
                or(list(&extra, shown_datagram), &none_en)
            ),
            format!(
                "{} 보낸 데이터그램을 그대로 돌려받지 못했습니다. 빠진 것: {}. 대신 온 것: {}.",
                i(format!("클라이언트 {n}")),
                or(list(&missing, shown_datagram_ko), &none_ko),
                or(list(&extra, shown_datagram_ko), &none_ko)
            ),
        );
        let mut events = vec![];
        let all_sent: Vec<Vec<u8>> = datagram_steps()
            .into_iter()
            .flatten()
            .map(|(_, d)| d)
            .collect();
        let cut = extra.iter().find(|d| {
            missing
                .iter()
                .any(|m| m.len() > d.len() && m.starts_with(d))
        });
        let merged = extra.iter().find(|d| {
            all_sent
                .windows(2)
                .any(|w| !w[0].is_empty() && d.starts_with(&w[0]) && d.len() > w[0].len())
        });
        let elsewhere = (0..DATAGRAM_CLIENTS)
            .filter(|&j| j != k)
            .flat_map(datagrams_of_client)
            .find(|d| extra.contains(d));
        if let Some(d) = cut {
            let whole = missing
                .iter()
                .find(|m| m.len() > d.len() && m.starts_with(d))
                .map_or(LARGE_DATAGRAM, Vec::len);
            // The receive that filled its buffer: a datagram longer than
            // the buffer is cut, and recvfrom returns the buffer's size.
            events = (0..ev.events.len())
                .filter(|&i| {
                    let e = &ev.events[i];
                    rules::is_receive(e)
                        && e.value() == Some(d.len() as i64)
                        && e.args.get(2).and_then(|a| a.as_i64()) == Some(d.len() as i64)
                })
                .take(1)
                .collect();
            let m = d.len();
            meaning = said(
                format!("{} The {whole}-byte datagram came back as its first {m} bytes: the program received it into a buffer of {m} bytes, the kernel cut it there, and the rest was lost. recvfrom returned {m}, the buffer's size, and nothing more says so. Give recvfrom a buffer larger than any datagram (the largest here is {LARGE_DATAGRAM} bytes).", meaning.en),
                format!("{} {whole}바이트 데이터그램이 앞의 {m}바이트만 돌아왔습니다. 프로그램이 {m}바이트 버퍼로 받아서 커널이 거기서 잘랐고, 나머지는 사라졌습니다. recvfrom은 버퍼 크기인 {} 반환했을 뿐, 잘렸다는 표시는 없습니다. recvfrom에는 어떤 데이터그램보다 큰 버퍼를 주십시오(여기서 가장 큰 것은 {LARGE_DATAGRAM}바이트입니다).", meaning.ko, eul(m)),
            );
        } else if merged.is_some() {
            meaning = said(
                format!("{} Datagrams sent one after another came back joined in one: UDP keeps each datagram's boundary, and a server that gathers bytes as from a stream loses it.", meaning.en),
                format!("{} 연달아 보낸 데이터그램이 하나로 합쳐져 돌아왔습니다. UDP는 데이터그램마다 경계를 지키는데, 스트림처럼 바이트를 모으는 서버가 그 경계를 없앴습니다.", meaning.ko),
            );
        } else if elsewhere.is_some() {
            meaning = said(
                format!("{} It received another client's datagrams: the replies went to the wrong address.", meaning.en),
                format!("{} 다른 클라이언트의 데이터그램을 받았습니다. 답이 엉뚱한 주소로 갔습니다.", meaning.ko),
            );
        }
        let sent_all: usize = (0..DATAGRAM_CLIENTS)
            .map(|j| sent_by_client(&ev.peer_received, j).len())
            .sum();
        let script = all_sent.len();
        if sent_all < script {
            meaning = said(
                format!("{} The clients sent {sent_all} of their {script} datagrams: they wait for the answer to each step before the next, and stop once the program has ended.", meaning.en),
                format!("{} 클라이언트는 데이터그램 {script}개 중 {sent_all}개를 보냈습니다. 단계마다 답을 기다린 뒤 다음 단계로 가고, 프로그램이 끝나면 멈춥니다.", meaning.ko),
            );
        }
        if let Some(error) = &ev.peer_error {
            meaning = said(
                format!("{} (the clients' errors: {error})", meaning.en),
                format!("{} (클라이언트 오류: {error})", meaning.ko),
            );
        }
        return Err(Broken { events, meaning });
    }
    match &ev.peer_error {
        None => Ok(()),
        Some(error) => Err(Broken {
            events: vec![],
            meaning: said(
                format!("Every client got its datagrams back, but: {error}."),
                format!("클라이언트마다 데이터그램을 돌려받았지만 문제가 있습니다: {error}."),
            ),
        }),
    }
}

pub static EXERCISE_9: Exercise = Exercise {
    number: 9,
    title: (
        "a UDP echo server: one datagram back for each, boundaries kept",
        "UDP 에코 서버: 데이터그램마다 하나씩, 경계를 지켜 돌려보내기",
    ),
    peer: PeerRole::DatagramClients,
    faults: &[],
    // As in exercise 3, the rules that name a call first.
    rules: &[
        Rule {
            name: "no_listen_or_accept",
            asks: (
                "no listen and no accept: a UDP server has no connections",
                "listen도 accept도 하지 않습니다. UDP 서버에는 연결이 없습니다",
            ),
            hint: (
                "socket(AF_INET, SOCK_DGRAM, 0), bind, then recvfrom and sendto on that one socket: that is the whole server.",
                "socket(AF_INET, SOCK_DGRAM, 0), bind, 그리고 그 소켓 하나로 recvfrom과 sendto를 반복하면 서버 전체입니다.",
            ),
            lesson: "10_udp",
            check: rules::no_listen_or_accept,
        },
        Rule {
            name: "replies_to_sender",
            asks: (
                "each reply goes to the address recvfrom gave for its datagram",
                "답마다 그 데이터그램의 recvfrom이 알려 준 주소로 보냅니다",
            ),
            hint: (
                "Keep no client's address from one datagram to the next: send each reply to the address the same loop's recvfrom returned.",
                "데이터그램 사이에 클라이언트 주소를 저장해 두지 마십시오. 답은 같은 반복에서 recvfrom이 반환한 주소로 보냅니다.",
            ),
            lesson: "10_udp",
            check: rules::replies_to_sender,
        },
        Rule {
            name: "one_reply_per_datagram",
            asks: (
                "each datagram received gets one sendto of its whole size before the next recvfrom",
                "받은 데이터그램마다 다음 recvfrom 전에 그 크기 그대로 sendto를 한 번 합니다",
            ),
            hint: (
                "A recvfrom is one whole datagram, even an empty one (0 bytes): answer it with one sendto of the n bytes it returned, and gather nothing across datagrams.",
                "recvfrom 한 번이 데이터그램 하나 전체입니다. 빈 데이터그램(0바이트)도 마찬가지입니다. 반환된 n바이트를 sendto 한 번으로 답하고, 데이터그램 사이에 바이트를 모으지 마십시오.",
            ),
            lesson: "10_udp",
            check: rules::one_reply_per_datagram,
        },
        NO_SOCKET_OPEN_AT_EXIT,
        Rule {
            name: "echoes_arrive_whole",
            asks: (
                "each client gets back exactly its own datagrams, each whole and separate, at its own port",
                "클라이언트마다 자기 데이터그램을 하나하나 온전히, 따로따로, 자기 포트로 돌려받습니다",
            ),
            hint: (
                "Receive into a buffer larger than any datagram (2048 bytes; the largest here has 1400), since a shorter one cuts it and the rest is lost; send each datagram back alone and whole, to its sender.",
                "어떤 데이터그램보다 큰 버퍼로 받으십시오(2048바이트. 여기서 가장 큰 것은 1400바이트입니다). 더 짧은 버퍼는 데이터그램을 자르고, 나머지는 사라집니다. 데이터그램은 하나씩 온전히, 보낸 쪽에게 돌려보내십시오.",
            ),
            lesson: "10_udp",
            check: echoes_arrive_whole,
        },
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "UDP has no connections: no listen, no accept. Bind one socket to SOCKLAB_HOST:SOCKLAB_PORT; recvfrom gives each datagram and who sent it, and sendto answers that address (lesson 10: socklab run 10).",
            "UDP에는 연결이 없습니다. listen도 accept도 없습니다. 소켓 하나에 SOCKLAB_HOST:SOCKLAB_PORT 주소를 할당하십시오. recvfrom이 데이터그램과 보낸 쪽 주소를 알려 주고, sendto로 그 주소에 답합니다(제 10강: socklab run 10).",
        ),
        (
            "Each recvfrom returns one whole datagram, never two and never half of one, if the buffer is large enough; a shorter buffer cuts it. A recvfrom of 0 is an empty datagram, not the end: echo it too. Stop only after echoing the datagram QUIT.",
            "버퍼가 충분히 크면 recvfrom은 매번 데이터그램 하나 전체를 반환합니다. 둘을 합치지도, 반으로 나누지도 않습니다. 더 짧은 버퍼는 데이터그램을 자릅니다. recvfrom이 0을 반환하면 빈 데이터그램이지 끝이 아닙니다. 그것도 에코하십시오. 멈추는 것은 QUIT 데이터그램을 에코한 뒤뿐입니다.",
        ),
        (
            "The loop: `let mut buf = [0u8; 2048]; loop { let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?; sock.sendto(&buf[..n], MsgFlags::NONE, &from)?; if &buf[..n] == b\"QUIT\" { break; } }`, then `sock.close()?`. In C: `n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len); sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);`, with `len = sizeof from` before each recvfrom.",
            "반복문은 이렇습니다. `let mut buf = [0u8; 2048]; loop { let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?; sock.sendto(&buf[..n], MsgFlags::NONE, &from)?; if &buf[..n] == b\"QUIT\" { break; } }` 그 뒤 `sock.close()?`를 호출합니다. C에서는 recvfrom마다 그 앞에서 `len = sizeof from`으로 두고 `n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len); sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);`입니다.",
        ),
    ],
};

/// The clients of a [`PeerRole::ClientsAtOnce`] run: as many as the
/// report's entries, less the record of what happened while client 1
/// was silent.
fn clients_of(ev: &Evidence) -> usize {
    ev.peer_received.len().saturating_sub(1)
}

/// The talking clients (client 2, and client 3 in exercise 11) each got
/// their whole echo and their EOF while client 1 was connected and
/// silent. Where the program took a talking client only after client
/// 1's end, the calls that show it are named: client 1's receive of 0
/// and the late accept.
pub fn serves_clients_at_once(ev: &Evidence) -> Result<(), Broken> {
    let said = super::verdict::Said::new;
    let clients = clients_of(ev);
    let record = while_silent(&ev.peer_received, clients);
    let error = ev.peer_error.as_deref().unwrap_or("none");
    if clients < 2 || record.len() + 1 < clients {
        return Err(Broken {
            events: vec![],
            meaning: said(
                format!("The clients never got as far as talking while client 1 was silent (their errors: {error})."),
                format!("클라이언트들이 클라이언트 1이 말이 없는 동안 대화하는 데까지 가지 못했습니다(클라이언트 오류: {error})."),
            ),
        });
    }
    let walk = rules::Walk::new(&ev.events);
    let accepted: Vec<usize> = (0..walk.kinds.len())
        .filter(|&s| walk.kinds[s] == rules::Kind::Accepted)
        .collect();
    let accept_of = |s: usize| walk.fds.iter().find(|u| u.socket == s).map(|u| u.opened_by);
    let end_of_first = accepted.first().and_then(|&s| {
        (0..ev.events.len()).find(|&i| {
            rules::is_receive(&ev.events[i])
                && ev.events[i].value() == Some(0)
                && walk.on[i].is_some_and(|(o, _)| o == s)
        })
    });
    let ms = SILENT_WAIT.as_millis();
    for (t, had) in record.iter().enumerate() {
        let want = sent_at_once(t + 1);
        if had.eof && had.received == want {
            continue;
        }
        let n = t + 2;
        let (got, all) = (had.received.len(), want.len());
        let client = format!("클라이언트 {n}");
        let failed = ev
            .peer_error
            .as_deref()
            .filter(|e| e.contains(&format!("client {n}: ")));
        let (mut en, mut ko) = if let Some(e) = failed {
            (
                format!("Client {n} was to talk while client 1 was silent, and could not: {e}."),
                format!(
                    "{} 클라이언트 1이 말이 없는 동안 대화해야 했는데 그러지 못했습니다: {e}.",
                    eun(&client)
                ),
            )
        } else if got == 0 {
            (
                format!("Client {n} sent its lines and half-closed while client 1 was connected and silent, and in {ms} ms it got no echo at all: the program was waiting on client 1 alone (in a receive on its socket, or serving it to its end before the next accept)."),
                format!("{} 클라이언트 1이 연결된 채 말이 없는 동안 자기 줄을 보내고 Half-close했는데, {ms} ms 동안 에코를 하나도 받지 못했습니다. 프로그램이 클라이언트 1만 기다리고 있었습니다(그 소켓의 수신 호출에서, 또는 다음 accept 전에 클라이언트 1을 끝까지 처리하느라).", eun(&client)),
            )
        } else if had.received == want {
            (
                format!("Client {n} got its whole echo ({all} bytes) while client 1 was silent, but not its EOF within {ms} ms: its connection did not end when it was served, as some fd on it was still open."),
                format!("{} 클라이언트 1이 말이 없는 동안 에코 전체({all}바이트)는 받았지만 {ms} ms 안에 EOF를 받지 못했습니다. 처리가 끝났는데도 연결이 끝나지 않았습니다. 그 연결의 fd가 아직 어딘가 열려 있었습니다.", eun(&client)),
            )
        } else {
            (
                format!("Client {n} got {got} of its {all} bytes back while client 1 was silent, and not its EOF within {ms} ms."),
                format!("{} 클라이언트 1이 말이 없는 동안 {all}바이트 중 {got}바이트만 돌려받았고, {ms} ms 안에 EOF도 받지 못했습니다.", eun(&client)),
            )
        };
        let mut events = vec![];
        let late = accepted.get(t + 1).and_then(|&s| accept_of(s));
        if let (Some(end), Some(late)) = (end_of_first, late) {
            if late > end {
                events = vec![end, late];
                en.push_str(&format!(" The program accepted client {n} only after client 1's end (its receive of 0)."));
                ko.push_str(&format!(" 프로그램은 클라이언트 1이 끝난 뒤에야(수신 호출이 0을 반환한 뒤에야) {} accept했습니다.", eul(&client)));
            }
        }
        return Err(Broken {
            events,
            meaning: said(en, ko),
        });
    }
    Ok(())
}

/// Each client of a [`PeerRole::ClientsAtOnce`] run received exactly
/// what it sent, and then EOF.
pub fn echoes_every_client(ev: &Evidence) -> Result<(), Broken> {
    let error = ev.peer_error.as_deref().unwrap_or("none");
    for k in 0..clients_of(ev).max(1) {
        let sent = sent_at_once(k);
        let got = ev.peer_received.get(k).cloned().unwrap_or_default();
        if got == sent {
            continue;
        }
        let n = k + 1;
        let (sent, got) = (
            String::from_utf8_lossy(&sent),
            String::from_utf8_lossy(&got),
        );
        return Err(Broken {
            events: vec![],
            meaning: super::verdict::Said::new(
                format!("Client {n} did not get back what it sent. Sent: {sent:?}; received: {got:?} (the clients' errors: {error})."),
                format!("{} 보낸 것을 그대로 돌려받지 못했습니다. 보낸 것: {sent:?}, 받은 것: {got:?} (클라이언트 오류: {error}).", eun(format!("클라이언트 {n}"))),
            ),
        });
    }
    match &ev.peer_error {
        None => Ok(()),
        Some(e) => Err(Broken {
            events: vec![],
            meaning: super::verdict::Said::new(
                format!("Every client got its bytes back, but: {e}."),
                format!("클라이언트마다 바이트를 돌려받았지만 문제가 있습니다: {e}."),
            ),
        }),
    }
}

/// Exercise 10's client that resets (it connects while client 1 is
/// silent, sends nothing and closes with SO_LINGER {on, 0}) was accepted,
/// and the program closed its fd and went on (`rules::goes_on_after_a_reset`).
pub fn goes_on_after_a_reset(ev: &Evidence) -> Result<(), Broken> {
    rules::goes_on_after_a_reset(ev)?;
    let walk = rules::Walk::new(&ev.events);
    let accepted = walk
        .kinds
        .iter()
        .filter(|&&k| k == rules::Kind::Accepted)
        .count();
    let want = clients_of(ev) + 1;
    if accepted >= want {
        return Ok(());
    }
    Err(Broken {
        events: vec![],
        meaning: super::verdict::Said::new(format!("The program accepted {accepted} of the {want} clients: the last one, which connects while client 1 is silent and resets its connection, was never accepted. Keep the listening socket in the set until every client has come."),
        format!("프로그램이 클라이언트 {want}개 중 {accepted}개만 accept했습니다. 클라이언트 1이 말이 없는 동안 접속해 연결을 리셋하는 마지막 클라이언트를 accept하지 않았습니다. 모든 클라이언트가 올 때까지 리스닝 소켓을 집합에 두십시오."),
        ),
    })
}

const SERVES_CLIENTS_AT_ONCE: Rule = Rule {
    name: "serves_clients_at_once",
    asks: (
        "while client 1 is connected and silent, each other client gets its whole echo and its EOF",
        "클라이언트 1이 연결된 채 말이 없는 동안 다른 클라이언트가 저마다 에코 전체와 EOF를 받습니다",
    ),
    hint: (
        "Never wait on one client alone: a client that sends nothing must not hold up the others.",
        "클라이언트 하나만 기다리지 마십시오. 아무것도 보내지 않는 클라이언트가 다른 클라이언트를 붙잡아서는 안 됩니다.",
    ),
    lesson: "17_select_poll",
    check: serves_clients_at_once,
};

const ECHOES_EVERY_CLIENT: Rule = Rule {
    name: "echoes_every_client",
    asks: (
        "each client gets back exactly what it sent, then EOF",
        "클라이언트마다 보낸 것을 그대로 돌려받고, 그 뒤 EOF를 받습니다",
    ),
    hint: (
        "Send back exactly the bytes each receive returned, on the socket they came from; close a client's socket once its receive returns 0.",
        "수신 호출이 반환한 바이트를 그것이 온 소켓으로 그대로 돌려보내십시오. 수신 호출이 0을 반환한 클라이언트의 소켓은 닫습니다.",
    ),
    lesson: "09_echo",
    check: echoes_every_client,
};

const ACCEPTED_FDS_CLOSED_AT_ONCE: Rule = Rule {
    name: "accepted_fds_closed",
    asks: (
        "every fd accept returned is closed, in every process that held it",
        "accept가 반환한 fd를 그 fd를 가진 모든 프로세스에서 닫습니다",
    ),
    hint: (
        "A client whose receive returned 0 has half-closed: close its fd (and take it out of the set).",
        "수신 호출이 0을 반환한 클라이언트는 Half-close한 것입니다. 그 fd를 닫으십시오(그리고 집합에서 빼십시오).",
    ),
    lesson: "08_iterative_server",
    check: rules::accepted_fds_closed,
};

const NO_DATA_ON_A_READY_LISTENER: Rule = Rule {
    name: "no_data_on_listening_fd",
    asks: (
        "nothing is sent or received on the listening fd",
        "리스닝 fd로는 아무것도 송수신하지 않습니다",
    ),
    hint: (
        "A ready listening socket means a client waits to be accepted, not bytes to read: call accept on it.",
        "리스닝 소켓이 준비되었다는 것은 읽을 바이트가 아니라 accept를 기다리는 클라이언트가 있다는 뜻입니다. accept를 호출하십시오.",
    ),
    lesson: "04_accept",
    check: rules::no_data_on_listening_fd,
};

pub static EXERCISE_10: Exercise = Exercise {
    number: 10,
    title: (
        "a poll server: one thread serves its clients at once, one of them silent, one that resets",
        "poll 서버: 스레드 하나가 클라이언트들을 한꺼번에 처리합니다(한 클라이언트는 말이 없고, 한 클라이언트는 연결을 리셋합니다)",
    ),
    peer: PeerRole::ClientsAtOnce {
        clients: 2,
        reset: true,
    },
    faults: &[],
    // As in exercise 3, the rules that name a call first.
    rules: &[
        Rule {
            name: "one_thread_serves_all",
            asks: (
                "one thread in one process serves every client: no thread, no fork",
                "프로세스 하나의 스레드 하나가 모든 클라이언트를 처리합니다. 스레드도 fork도 없습니다",
            ),
            hint: (
                "This exercise is IO multiplexing: poll tells the one thread which socket is ready. A thread per client is lesson 16's way, a process per client exercise 11's.",
                "이 연습 문제는 IO 멀티플렉싱입니다. poll이 스레드 하나에게 어느 소켓이 준비되었는지 알려 줍니다. 클라이언트마다 스레드를 두는 것은 제 16강의 방법이고, 프로세스를 두는 것은 연습 문제 11입니다.",
            ),
            lesson: "17_select_poll",
            check: rules::one_thread_serves_all,
        },
        Rule {
            name: "waits_on_listener_and_clients",
            asks: (
                "poll (or select, epoll_wait) watches the listening socket and the clients' sockets together",
                "poll(또는 select, epoll_wait)이 리스닝 소켓과 클라이언트 소켓을 함께 지켜봅니다",
            ),
            hint: (
                "Put the listening socket and every client's socket in one poll set, and call accept or recv only on what poll marked ready.",
                "리스닝 소켓과 모든 클라이언트 소켓을 poll 집합 하나에 넣고, poll이 준비되었다고 표시한 소켓에만 accept나 recv를 호출하십시오.",
            ),
            lesson: "17_select_poll",
            check: rules::waits_on_listener_and_clients,
        },
        Rule {
            name: "closed_fds_leave_the_set",
            asks: (
                "no fd the program closed is left in the poll (or select) set",
                "프로그램이 닫은 fd를 poll(또는 select) 집합에 남겨 두지 않습니다",
            ),
            hint: (
                "When you close a client's fd, take its entry out of the set: in C set its fd to -1 (poll skips it), or FD_CLR it for select.",
                "클라이언트 fd를 닫을 때 집합에서도 그 항목을 빼십시오. C에서는 fd를 -1로 두거나(poll이 건너뜁니다), select라면 FD_CLR로 뺍니다.",
            ),
            lesson: "17_select_poll",
            check: rules::closed_fds_leave_the_set,
        },
        Rule {
            name: "goes_on_after_a_reset",
            asks: (
                "a client that resets its connection (an RST) is accepted, its fd is closed, and the others are served to the end",
                "연결을 리셋(RST)하는 클라이언트도 accept하고, 그 fd를 닫은 뒤 다른 클라이언트를 끝까지 처리합니다",
            ),
            hint: (
                "A client that closed with SO_LINGER {on, 0} sends an RST: poll marks its fd POLLIN|POLLERR|POLLHUP and recv fails with ECONNRESET. That ends this client, not the server: close its fd, take it out of the set, and go on.",
                "SO_LINGER {on, 0}으로 닫은 클라이언트는 RST를 보냅니다. poll은 그 fd에 POLLIN|POLLERR|POLLHUP을 표시하고 recv는 ECONNRESET으로 실패합니다. 이것은 그 클라이언트의 끝이지 서버의 끝이 아닙니다. 그 fd를 닫고 집합에서 뺀 뒤 계속 처리하십시오.",
            ),
            lesson: "17_select_poll",
            check: goes_on_after_a_reset,
        },
        NO_DATA_ON_A_READY_LISTENER,
        ACCEPTED_FDS_CLOSED_AT_ONCE,
        NO_SOCKET_OPEN_AT_EXIT,
        SERVES_CLIENTS_AT_ONCE,
        ECHOES_EVERY_CLIENT,
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "An iterative server waits in one call on one socket: in accept, or in a recv on one client's socket. Here client 1 connects, sends half a line and goes silent, and client 2 must be served meanwhile; then, while client 1 is still silent, a third client connects and resets its connection. poll waits on many sockets at once and says which are ready (lesson 17: socklab run 17).",
            "반복 서버는 호출 하나로 소켓 하나만 기다립니다. accept에서, 또는 클라이언트 소켓 하나의 recv에서 기다립니다. 여기서는 클라이언트 1이 접속해 줄의 절반만 보내고 말이 없어지며, 그동안 클라이언트 2를 처리해야 합니다. 그 뒤 클라이언트 1이 아직 말이 없는 동안 세 번째 클라이언트가 접속해 연결을 리셋합니다. poll은 여러 소켓을 한꺼번에 기다리고 어느 소켓이 준비되었는지 알려 줍니다(제 17강: socklab run 17).",
        ),
        (
            "One poll set: the listening socket (POLLIN there means a client waits, so accept will not block) and each client's socket (POLLIN means bytes came, or the client half-closed). After poll returns, make one accept or one recv on each socket it marked, echo what recv returned, and go back to poll. A recv of 0: that client is done, close it and take it out of the set. The third client sends nothing and closes with SO_LINGER {on, 0}, an RST: poll marks its socket POLLIN|POLLERR|POLLHUP, and recv fails with ECONNRESET (a recv after that would return 0). That client is done too: close it, take it out of the set, and go on; a server that exits on the error leaves client 1 unserved. After the third client has come and gone, close the listening socket and exit 0.",
            "poll 집합 하나에 리스닝 소켓(여기서 POLLIN은 클라이언트가 기다린다는 뜻이므로 accept가 블로킹되지 않습니다)과 클라이언트 소켓마다 하나씩(POLLIN은 바이트가 왔거나 클라이언트가 Half-close했다는 뜻입니다)을 넣습니다. poll이 반환하면 표시된 소켓마다 accept나 recv를 한 번 하고, recv가 반환한 것을 에코한 뒤 다시 poll로 돌아갑니다. recv가 0이면 그 클라이언트는 끝났으니 닫고 집합에서 뺍니다. 세 번째 클라이언트는 아무것도 보내지 않고 SO_LINGER {on, 0}으로 닫으므로 RST를 보냅니다. poll은 그 소켓에 POLLIN|POLLERR|POLLHUP을 표시하고, recv는 ECONNRESET으로 실패합니다(그다음 recv는 0을 반환합니다). 이 클라이언트도 끝났으니 닫고 집합에서 뺀 뒤 계속합니다. 이 오류에 종료하는 서버는 클라이언트 1을 끝까지 처리하지 못합니다. 세 번째 클라이언트까지 왔다가 가면 리스닝 소켓을 닫고 종료 상태 0으로 끝납니다.",
        ),
        (
            "In Rust: `let mut watch: Vec<(&dyn AsSocket, PollFlags)> = vec![(&listener, PollFlags::IN)]; for c in &clients { watch.push((c, PollFlags::IN)); } let ready = poll(&watch, -1)?;` and `ready[k]` is the k-th socket's revents. A reset in Rust: `Err(e) if e.errno == Errno::ECONNRESET`. In C: `struct pollfd fds[4]`, `fds[0].fd = lfd`, a free or closed client's entry has `fd = -1`, and after `poll(fds, 4, -1)` test `fds[i].revents & (POLLIN | POLLHUP | POLLERR)`; a read of -1 with `errno == ECONNRESET` is a reset.",
            "Rust에서는 `let mut watch: Vec<(&dyn AsSocket, PollFlags)> = vec![(&listener, PollFlags::IN)]; for c in &clients { watch.push((c, PollFlags::IN)); } let ready = poll(&watch, -1)?;`이고, `ready[k]`가 k번째 소켓의 revents입니다. Rust에서 리셋은 `Err(e) if e.errno == Errno::ECONNRESET`입니다. C에서는 `struct pollfd fds[4]`에 `fds[0].fd = lfd`로 두고, 비어 있거나 닫은 클라이언트 항목은 `fd = -1`로 둡니다. `poll(fds, 4, -1)` 뒤에 `fds[i].revents & (POLLIN | POLLHUP | POLLERR)`를 확인합니다. read가 -1을 반환하고 `errno == ECONNRESET`이면 리셋입니다.",
        ),
    ],
};

pub static EXERCISE_11: Exercise = Exercise {
    number: 11,
    title: (
        "a fork-per-client server: the child closes the listening fd, the parent reaps its children",
        "클라이언트마다 fork하는 서버: 자식은 리스닝 fd를 닫고, 부모는 자식을 거둡니다",
    ),
    peer: PeerRole::ClientsAtOnce {
        clients: 3,
        reset: false,
    },
    faults: &[],
    // As in exercise 3, the rules that name a call first.
    rules: &[
        Rule {
            name: "forks_per_client",
            asks: (
                "each client accepted is served by a child forked for it",
                "accept한 클라이언트마다 그 클라이언트를 위해 fork한 자식이 처리합니다",
            ),
            hint: (
                "After each accept, fork: the child serves that client, the parent goes straight back to accept.",
                "accept할 때마다 fork하십시오. 자식은 그 클라이언트를 처리하고, 부모는 곧바로 accept로 돌아갑니다.",
            ),
            lesson: "15_fork",
            check: rules::forks_per_client,
        },
        Rule {
            name: "child_closes_listening_fd",
            asks: (
                "each child closes its copy of the listening fd before it serves its client",
                "자식마다 클라이언트를 처리하기 전에 리스닝 fd의 사본을 닫습니다",
            ),
            hint: (
                "The child never accepts: close the listening fd first thing in the child.",
                "자식은 accept하지 않습니다. 자식에서는 맨 먼저 리스닝 fd를 닫으십시오.",
            ),
            lesson: "15_fork",
            check: rules::child_closes_listening_fd,
        },
        Rule {
            name: "parent_closes_data_fd",
            asks: (
                "after each fork the parent closes its copy of the client's fd, before its next accept",
                "fork할 때마다 부모는 다음 accept 전에 클라이언트 fd의 사본을 닫습니다",
            ),
            hint: (
                "The connection ends only when its last fd is closed: close the client's fd in the parent right after fork.",
                "연결은 마지막 fd가 닫혀야 끝납니다. 부모에서는 fork 직후에 클라이언트 fd를 닫으십시오.",
            ),
            lesson: "15_fork",
            check: rules::parent_closes_data_fd,
        },
        Rule {
            name: "children_reaped",
            asks: (
                "every child is reaped: a wait4 (waitpid) in the parent returns its pid",
                "자식을 모두 거둡니다. 부모의 wait4(waitpid)가 자식마다 그 pid를 반환합니다",
            ),
            hint: (
                "Call waitpid(-1, &status, WNOHANG) in the accept loop for the children that have ended, and waitpid for the rest before the parent exits.",
                "accept 반복문에서 waitpid(-1, &status, WNOHANG)로 끝난 자식을 거두고, 부모가 끝나기 전에 남은 자식을 waitpid로 거두십시오.",
            ),
            lesson: "15_fork",
            check: rules::children_reaped,
        },
        NO_DATA_ON_LISTENING_FD,
        ACCEPTED_FDS_CLOSED_AT_ONCE,
        NO_SOCKET_OPEN_AT_EXIT,
        SERVES_CLIENTS_AT_ONCE,
        ECHOES_EVERY_CLIENT,
        EXITS_CLEANLY,
    ],
    hints: &[
        (
            "fork after each accept: the child serves that one client while the parent goes back to accept the next, so a silent client holds up no one. After fork both processes hold both fds, the listening one and the client's (lesson 15: socklab run 15).",
            "accept할 때마다 fork하십시오. 자식이 그 클라이언트 하나를 처리하는 동안 부모는 다음 클라이언트를 accept하러 돌아가므로, 말이 없는 클라이언트가 아무도 붙잡지 않습니다. fork 뒤에는 두 프로세스가 리스닝 fd와 클라이언트 fd를 모두 가집니다(제 15강: socklab run 15).",
        ),
        (
            "In the child: close the listening fd, echo until recv returns 0, close the client's fd, exit 0. In the parent: close the client's fd at once (the connection ends, and the client sees EOF, only when its last fd is closed) and accept the next. After the third client, close the listening fd.",
            "자식에서는 리스닝 fd를 닫고, recv가 0을 반환할 때까지 에코하고, 클라이언트 fd를 닫은 뒤 종료 상태 0으로 끝납니다. 부모에서는 클라이언트 fd를 곧바로 닫고(연결은 마지막 fd가 닫혀야 끝나고, 그래야 클라이언트가 EOF를 받습니다) 다음 클라이언트를 accept합니다. 세 번째 클라이언트 뒤에는 리스닝 fd를 닫습니다.",
        ),
        (
            "Reap: before each accept, `while running > 0 && wait_any_nohang()?.is_some() { running -= 1; }` (C: `while (waitpid(-1, NULL, WNOHANG) > 0) running--;`) collects the children that ended (with no child at all, waitpid fails with ECHILD); after the third client, `wait_any()` (C: `waitpid(-1, NULL, 0)`) once per child still running, then exit 0. In Rust: `match fork()? { Forked::Child => { listener.close()?; serve(conn)?; std::process::exit(0) } Forked::Parent(_) => conn.close()? }`.",
            "거두기: accept 앞에서 `while running > 0 && wait_any_nohang()?.is_some() { running -= 1; }`(C: `while (waitpid(-1, NULL, WNOHANG) > 0) running--;`)로 끝난 자식을 거두고(자식이 하나도 없으면 waitpid는 ECHILD로 실패합니다), 세 번째 클라이언트 뒤에는 아직 도는 자식마다 `wait_any()`(C: `waitpid(-1, NULL, 0)`)를 한 번씩 호출한 뒤 종료 상태 0으로 끝납니다. Rust에서는 `match fork()? { Forked::Child => { listener.close()?; serve(conn)?; std::process::exit(0) } Forked::Parent(_) => conn.close()? }`입니다.",
        ),
    ],
};

/// The exercises there are, by number.
pub fn exercise(number: u8) -> Option<&'static Exercise> {
    [
        &EXERCISE_1,
        &EXERCISE_2,
        &EXERCISE_3,
        &EXERCISE_4,
        &EXERCISE_5,
        &EXERCISE_6,
        &EXERCISE_7,
        &EXERCISE_8,
        &EXERCISE_9,
        &EXERCISE_10,
        &EXERCISE_11,
    ]
    .into_iter()
    .find(|e| e.number == number)
}
