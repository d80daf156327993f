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

    /// A third row, drawn under the two: socketpair's steps, which need
    /// no address, no listener and no connect.
    pub fn pair_row(self) -> Option<&'static [&'static str]> {
        match self {
            Flow::Unix => Some(&["socketpair", "sendmsg/recvmsg", "close"]),
            Flow::Tcp | Flow::Udp | Flow::Epoll => None,
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
