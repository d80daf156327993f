//! The lessons: number, titles, the calls each introduces, its port.

use socklab::trace::Side;

/// The course diagram a lesson belongs to, drawn at its head with the
/// lesson's own steps marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// A TCP conversation: the client connects, the server listens and
    /// accepts a new data socket for each client.
    Tcp,
    /// UDP: no listen, no accept; one socket on each side, every datagram
    /// carrying its address.
    Udp,
    /// Unix-domain sockets: the TCP steps with a path for an address,
    /// which bind makes in the file system and unlink removes; and a
    /// third row, socketpair, two sockets connected with no address.
    Unix,
    /// One server thread, many sockets: it waits with select or poll on
    /// all of them, then calls only on the ready ones, and waits again.
    Multiplex,
    /// Nonblocking sockets: calls that would wait fail at once instead
    /// (EAGAIN, EINPROGRESS), and poll says when to call again.
    Nonblocking,
    /// A process per client: the server forks after accept, and a third
    /// row is the child's.
    Fork,
    /// A thread per client: the server starts a thread after accept, and
    /// a third row is the thread's.
    Threads,
    /// One server thread serving many clients through an epoll instance:
    /// it waits on the whole set at once and serves whichever is ready.
    Epoll,
}

impl Flow {
    /// The client's and the server's steps, in order.
    pub fn rows(self) -> [&'static [&'static str]; 2] {
        match self {
            Flow::Tcp => [
                &["socket", "connect", "send/recv", "close"],
                &["socket", "bind", "listen", "accept", "send/recv", "close"],
            ],
            Flow::Udp => [
                &["socket", "sendto/recvfrom", "close"],
                &["socket", "bind", "recvfrom/sendto", "close"],
            ],
            Flow::Unix => [
                &["socket", "connect(path)", "send/recv", "close"],
                &[
                    "socket",
                    "bind(path)",
                    "listen",
                    "accept",
                    "send/recv",
                    "close",
                    "unlink(path)",
                ],
            ],
            Flow::Multiplex => [
                &["socket", "connect", "send/recv", "close"],
                &[
                    "socket",
                    "bind",
                    "listen",
                    "select/poll",
                    "accept | recv/send | close",
                    "↺ select/poll",
                ],
            ],
            Flow::Nonblocking => [
                &[
                    "socket",
                    "fcntl(O_NONBLOCK)",
                    "connect = EINPROGRESS",
                    "poll(POLLOUT)",
                    "getsockopt(SO_ERROR)",
                    "close",
                ],
                &[
                    "socket",
                    "bind",
                    "listen",
                    "fcntl(O_NONBLOCK)",
                    "poll",
                    "accept/recv/send = EAGAIN",
                    "close",
                ],
            ],
            Flow::Fork => [
                &["socket", "connect", "send/recv", "close"],
                &[
                    "socket",
                    "bind",
                    "listen",
                    "accept",
                    "fork",
                    "close(data)",
                    "waitpid",
                    "accept …",
                ],
            ],
            Flow::Threads => [
                &["socket", "connect", "send/recv", "close"],
                &[
                    "socket",
                    "bind",
                    "listen",
                    "accept",
                    "pthread_create",
                    "accept …",
                ],
            ],
            Flow::Epoll => [
                &["socket", "connect", "send/recv", "close"],
                &[
                    "socket",
                    "bind",
                    "listen",
                    "epoll_create1",
                    "epoll_ctl",
                    "epoll_wait",
                    "accept/recv/send",
                    "close",
                ],
            ],
        }
    }

    /// A third row for a server that hands each client to another process
    /// or thread: its label (English, Korean, padded to the other labels'
    /// width) and its steps.
    pub fn worker_row(self) -> Option<(&'static str, &'static str, &'static [&'static str])> {
        match self {
            Flow::Fork => Some((
                "child: ",
                "자식:      ",
                &["close(listening)", "recv/send", "close(data)", "exit"],
            )),
            Flow::Threads => Some(("thread:", "스레드:    ", &["recv/send", "close(data)"])),
            Flow::Tcp
            | Flow::Udp
            | Flow::Unix
            | Flow::Multiplex
            | Flow::Nonblocking
            | Flow::Epoll => None,
        }
    }

    /// A third row, drawn under the two: socketpair's steps, which need
    /// no address, no listener and no connect.
    pub fn pair_row(self) -> Option<&'static [&'static str]> {
        match self {
            Flow::Unix => Some(&["socketpair", "sendmsg/recvmsg", "close"]),
            Flow::Tcp
            | Flow::Udp
            | Flow::Multiplex
            | Flow::Nonblocking
            | Flow::Fork
            | Flow::Threads
            | Flow::Epoll => None,
        }
    }
}

/// One lesson, as `socklab list` shows it.
#[derive(Debug)]
pub struct LessonInfo {
    pub number: u8,
    /// The binary's name: `04_accept`.
    pub bin: &'static str,
    pub title_en: &'static str,
    pub title_ko: &'static str,
    /// The system calls this lesson introduces.
    pub calls: &'static [&'static str],
    /// The steps of the course's flow diagram this lesson is about.
    pub highlight: &'static [&'static str],
    /// The port it uses unless told otherwise (`--port`); 0 for a lesson
    /// that uses no port (lesson 12: its addresses are paths).
    pub port: u16,
    /// The side the lesson's own main thread plays; the peer plays the other.
    pub side: Option<Side>,
    /// The diagram at the lesson's head.
    pub flow: Flow,
}

impl LessonInfo {
    /// System calls this lesson makes and prints beyond the socket calls
    /// that `socklab strace` always traces (`against_strace::STRACE_ARGS`):
    /// lesson 12 removes its socket file with `unlink`.
    pub fn also_traced(&self) -> &'static [&'static str] {
        ALSO_TRACED
            .iter()
            .find(|(n, _)| *n == self.number)
            .map_or(&[], |(_, calls)| calls)
    }

    pub fn title(&self, lang: super::Lang) -> &'static str {
        match lang {
            super::Lang::En => self.title_en,
            super::Lang::Ko => self.title_ko,
        }
    }
}

/// Every lesson, in order.
pub const LESSONS: &[LessonInfo] = &[
    LessonInfo {
        number: 1,
        bin: "01_socket",
        title_en: "socket: a new fd for talking to the network",
        title_ko: "socket: 네트워크 통신에 쓸 새 파일 디스크립터",
        calls: &["socket"],
        highlight: &["socket"],
        port: 7801,
        side: None,
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 2,
        bin: "02_bind",
        title_en: "bind: giving a socket an address",
        title_ko: "bind: 소켓에 주소 할당하기",
        calls: &["bind", "getsockname", "setsockopt"],
        highlight: &["bind"],
        port: 7802,
        side: None,
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 3,
        bin: "03_listen",
        title_en: "listen: the kernel accepts connections before you do",
        title_ko: "listen: accept보다 먼저 커널이 연결 요청을 받아 둔다",
        calls: &["listen"],
        highlight: &["listen"],
        port: 7803,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 4,
        bin: "04_accept",
        title_en: "accept: a new data socket for every client",
        title_ko: "accept: 클라이언트마다 새로 생기는 연결된 소켓",
        calls: &["accept"],
        highlight: &["accept"],
        port: 7804,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 5,
        bin: "05_connect",
        title_en: "connect: the client side",
        title_ko: "connect: 클라이언트의 연결 요청",
        calls: &["connect", "getpeername"],
        highlight: &["connect"],
        port: 7805,
        side: Some(Side::Client),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 6,
        bin: "06_send_recv",
        title_en: "send and recv: a byte stream, not messages",
        title_ko: "send와 recv: 메시지가 아닌 바이트 스트림",
        calls: &["send", "recv"],
        highlight: &["send/recv"],
        port: 7806,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 7,
        bin: "07_close",
        title_en: "shutdown and close: ending a connection",
        title_ko: "shutdown과 close: 연결 종료",
        calls: &["shutdown", "close"],
        highlight: &["close"],
        port: 7807,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 8,
        bin: "08_iterative_server",
        title_en: "an iterative server: one listening socket, a data socket per client",
        title_ko: "Iterative 서버: 리스닝 소켓 하나, 클라이언트마다 연결된 소켓 하나",
        calls: &["accept", "close"],
        highlight: &["accept", "close"],
        port: 7808,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 9,
        bin: "09_echo",
        title_en: "echo: the whole conversation, both sides",
        title_ko: "에코 서버와 클라이언트: 양쪽의 대화 전체",
        calls: &[
            "socket", "bind", "listen", "accept", "connect", "send", "recv", "close",
        ],
        highlight: &[
            "socket",
            "bind",
            "listen",
            "accept",
            "connect",
            "send/recv",
            "close",
        ],
        port: 7809,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 10,
        bin: "10_udp",
        title_en: "UDP: datagrams, not a stream",
        title_ko: "UDP: 스트림이 아닌 데이터그램",
        calls: &["sendto", "recvfrom", "getsockopt"],
        highlight: &["sendto/recvfrom", "recvfrom/sendto"],
        port: 7810,
        side: Some(Side::Server),
        flow: Flow::Udp,
    },
    LessonInfo {
        number: 11,
        bin: "11_addresses",
        title_en: "addresses: byte order, IPv6 and name lookup",
        title_ko: "주소: 바이트 순서, IPv6, 이름 조회",
        calls: &["htons", "inet_pton", "getaddrinfo"],
        highlight: &["bind", "accept"],
        port: 7811,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 12,
        bin: "12_unix",
        title_en: "Unix-domain sockets: a path for an address, socketpair, passing an fd",
        title_ko: "유닉스 도메인 소켓: 주소가 되는 경로, socketpair, fd 전달",
        calls: &["unlink", "socketpair", "sendmsg", "recvmsg"],
        highlight: &[
            "bind(path)",
            "unlink(path)",
            "socketpair",
            "sendmsg/recvmsg",
        ],
        port: 0,
        side: Some(Side::Server),
        flow: Flow::Unix,
    },
    LessonInfo {
        number: 13,
        bin: "13_framing",
        title_en: "framing: short reads, short writes and byte order on the wire",
        title_ko: "프레이밍: 부분 읽기와 부분 쓰기, 네트워크 바이트 순서",
        calls: &["recv", "send"],
        highlight: &["send/recv"],
        port: 7813,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 14,
        bin: "14_bad_endings",
        title_en: "connections that end badly: resets, SIGPIPE, killed peers, timeouts",
        title_ko: "비정상적인 연결 종료: RST, SIGPIPE, 강제 종료된 상대, 연결 시간 초과",
        calls: &["setsockopt", "send", "recv", "close"],
        highlight: &["send/recv", "close"],
        port: 7814,
        side: Some(Side::Server),
        flow: Flow::Tcp,
    },
    LessonInfo {
        number: 15,
        bin: "15_fork",
        title_en: "a process per client: fork, the last close, zombies",
        title_ko: "클라이언트마다 프로세스 하나: fork, 마지막 close, 좀비 프로세스",
        calls: &["fork", "waitpid"],
        highlight: &["fork", "close(data)", "waitpid", "close(listening)", "exit"],
        port: 7815,
        side: Some(Side::Server),
        flow: Flow::Fork,
    },
    LessonInfo {
        number: 16,
        bin: "16_threads",
        title_en: "a thread per client: one fd table for every thread",
        title_ko: "클라이언트마다 스레드 하나: 모든 스레드가 함께 쓰는 파일 디스크립터 테이블",
        calls: &["pthread_create"],
        highlight: &["pthread_create", "close(data)"],
        port: 7816,
        side: Some(Side::Server),
        flow: Flow::Threads,
    },
    LessonInfo {
        number: 17,
        bin: "17_select_poll",
        title_en: "select and poll: one thread, many sockets",
        title_ko: "select와 poll: 스레드 하나로 여러 소켓 다루기",
        calls: &["select", "poll"],
        highlight: &["select/poll", "↺ select/poll"],
        port: 7817,
        side: Some(Side::Server),
        flow: Flow::Multiplex,
    },
    LessonInfo {
        number: 18,
        bin: "18_nonblocking",
        title_en: "nonblocking sockets: EAGAIN, EINPROGRESS, and a short send",
        title_ko: "넌블로킹 소켓: EAGAIN, EINPROGRESS, 그리고 일부만 보내는 send",
        calls: &["fcntl"],
        highlight: &[
            "fcntl(O_NONBLOCK)",
            "connect = EINPROGRESS",
            "poll(POLLOUT)",
            "getsockopt(SO_ERROR)",
            "poll",
            "accept/recv/send = EAGAIN",
        ],
        port: 7818,
        side: Some(Side::Server),
        flow: Flow::Nonblocking,
    },
    LessonInfo {
        number: 19,
        bin: "19_epoll",
        title_en: "epoll: one thread, many connections, up to 10,000",
        title_ko: "epoll: 스레드 하나로 많은 연결을, 10,000개까지",
        calls: &["epoll_create1", "epoll_ctl", "epoll_wait"],
        highlight: &["epoll_create1", "epoll_ctl", "epoll_wait"],
        port: 7819,
        side: Some(Side::Server),
        flow: Flow::Epoll,
    },
];

/// Per lesson number, the calls it also makes and prints (see
/// [`LessonInfo::also_traced`]).
const ALSO_TRACED: &[(u8, &[&str])] = &[(12, &["unlink"])];

/// A lesson by number (`4`) or name (`04`, `04_accept`, `accept`).
pub fn find(key: &str) -> Option<&'static LessonInfo> {
    let key = key.trim();
    if let Ok(n) = key.parse::<u8>() {
        return LESSONS.iter().find(|l| l.number == n);
    }
    LESSONS
        .iter()
        .find(|l| l.bin == key || l.bin.split_once('_').is_some_and(|(_, topic)| topic == key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lessons_are_numbered_in_order_with_distinct_ports() {
        // Numbers rise; a gap is a lesson still being written elsewhere.
        for w in LESSONS.windows(2) {
            assert!(w[0].number < w[1].number, "{} then {}", w[0].bin, w[1].bin);
        }
        for l in LESSONS {
            assert!(l.bin.starts_with(&format!("{:02}_", l.number)));
        }
        // Port 0: a lesson that uses no port.
        let mut ports: Vec<u16> = LESSONS.iter().map(|l| l.port).filter(|&p| p != 0).collect();
        let n = ports.len();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), n);
    }

    #[test]
    fn find_by_number_or_name() {
        assert_eq!(find("4").map(|l| l.bin), Some("04_accept"));
        assert_eq!(find("04").map(|l| l.bin), Some("04_accept"));
        assert_eq!(find("04_accept").map(|l| l.number), Some(4));
        assert_eq!(find("accept").map(|l| l.number), Some(4));
        assert_eq!(find("10").map(|l| l.bin), Some("10_udp"));
        assert_eq!(find("udp").map(|l| l.number), Some(10));
        assert_eq!(find("12").map(|l| l.bin), Some("12_unix"));
        assert_eq!(find("unix").map(|l| l.number), Some(12));
        assert!(find("99").is_none());
        assert!(find("nope").is_none());
    }
}
