//! The exercises: what each asks, which side the peer plays, and the
//! rules that judge it.

use super::peer::{GREETING, REQUEST};
use super::rules::{self, Broken, Evidence, Rule};

/// Which side the grader's peer plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerRole {
    /// The peer is the server; the program connects to it.
    GreetingServer,
    /// The peer is a client; the program is the server it connects to.
    RequestClient,
}

pub struct Exercise {
    pub number: u8,
    pub title: (&'static str, &'static str),
    pub peer: PeerRole,
    pub rules: &'static [Rule],
}

/// The program printed the whole greeting, and nothing else.
pub fn prints_the_greeting(ev: &Evidence) -> Result<(), Broken> {
    if ev.stdout == GREETING {
        return Ok(());
    }
    let got = String::from_utf8_lossy(&ev.stdout);
    let want = String::from_utf8_lossy(GREETING);
    Err(Broken {
        events: vec![],
        meaning: super::verdict::Said::new(
            format!("The program printed {got:?}; the server sent {want:?}."),
            format!("프로그램은 {got:?}을(를) 출력했지만 서버가 보낸 것은 {want:?}입니다."),
        ),
    })
}

/// The client received its request back, whole, and then EOF.
pub fn answers_the_request(ev: &Evidence) -> Result<(), Broken> {
    if ev.peer_received == REQUEST && ev.peer_error.is_none() {
        return Ok(());
    }
    let got = String::from_utf8_lossy(&ev.peer_received);
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
};

pub static EXERCISE_2: Exercise = Exercise {
    number: 2,
    title: (
        "a one-shot server: listen, accept one client, answer, close",
        "한 번만 응답하는 서버: listen, 클라이언트 하나 accept, 응답, close",
    ),
    peer: PeerRole::RequestClient,
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
        Rule {
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
        },
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
};

/// The exercises there are, by number.
pub fn exercise(number: u8) -> Option<&'static Exercise> {
    [&EXERCISE_1, &EXERCISE_2]
        .into_iter()
        .find(|e| e.number == number)
}
