//! `socklab explain SYSCALL`: one system call explained for a learner, in
//! English or Korean: its C signature, what it returns, what strace shows,
//! the errors learners meet with their usual cause and fix, the lesson that
//! introduces it, and the man page to read next.

pub use socklab::lang::Lang;

/// A text in both languages.
#[derive(Clone, Copy, Debug)]
pub struct Text {
    pub en: &'static str,
    pub ko: &'static str,
}

const fn t(en: &'static str, ko: &'static str) -> Text {
    Text { en, ko }
}

impl Text {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ko => self.ko,
        }
    }
}

/// The name strace shows for a call, where x86-64's kernel has no call of
/// the library's name: `send` is `sendto(fd, buf, len, flags, NULL, 0)`,
/// `recv` is `recvfrom(…, NULL, NULL)`.
fn kernel_name(call: &str) -> &str {
    match call {
        "send" => "sendto",
        "recv" => "recvfrom",
        other => other,
    }
}

/// One system call, explained.
#[derive(Debug)]
pub struct Explanation {
    name: &'static str,
    aliases: &'static [&'static str],
    summary: Text,
    signature: &'static str,
    args: &'static [(&'static str, Text)],
    returns: Text,
    /// What the kernel and strace see, where it differs from the C call.
    kernel: Option<Text>,
    strace: &'static str,
    errors: &'static [(&'static str, Text)],
    points: &'static [Text],
    man: &'static str,
}

/// The functions `explain` covers that are the C library's, not system
/// calls: strace shows nothing for them (getaddrinfo: nothing of its own,
/// only the calls glibc makes inside it).
const LIBRARY_FUNCTIONS: &[&str] = &["htons", "inet_pton", "getaddrinfo"];

impl Explanation {
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether this is a C library function rather than a system call.
    pub fn is_library(&self) -> bool {
        LIBRARY_FUNCTIONS.contains(&self.name)
    }

    /// The lesson binary that introduces the call (`04_accept`), if any.
    pub fn lesson(&self) -> Option<&'static str> {
        // From the catalog: the first lesson that introduces this call, by
        // its name, an alias, or the call whose kernel name it is (a
        // lesson's `send` is `sendto` in the trace).
        // A lesson that names the call itself comes first: recvfrom is
        // lesson 10's, though lesson 06's recv is recvfrom in the trace.
        let lessons = crate::lesson::LESSONS;
        lessons
            .iter()
            .find(|l| {
                l.calls
                    .iter()
                    .any(|c| *c == self.name || self.aliases.contains(c))
            })
            .or_else(|| {
                lessons
                    .iter()
                    .find(|l| l.calls.iter().any(|c| kernel_name(c) == self.name))
            })
            .map(|l| l.bin)
    }
}

const EADDRINUSE: (&str, Text) = (
    "EADDRINUSE",
    t(
        "the address and port are taken: a socket listens or is bound there, or an old connection on that port still exists (ESTABLISHED, or TIME_WAIT after a close). SO_REUSEADDR, set before bind, lets a server bind past old connections only if the listener they came from set it too; it never lets two sockets listen on one port (with both set, the second bind succeeds and the second listen fails). Or use port 0. For a Unix socket's path: the file an earlier bind made is still there (close does not remove it), even with no socket behind it: unlink it first.",
        "주소와 포트를 이미 쓰고 있습니다: 그 포트에서 듣고 있거나 주소를 할당받은 소켓이 있거나, 그 포트의 이전 연결이 아직 남아 있습니다 (ESTABLISHED, 또는 닫은 뒤의 Time-wait 상태). bind 전에 켠 SO_REUSEADDR는 이전 연결을 만든 리스닝 소켓에도 켜져 있었을 때에만 bind를 허용합니다. 두 소켓이 한 포트에서 listen하게 해 주지는 않습니다 (양쪽에 켜면 두 번째 bind는 성공하고 두 번째 listen이 실패합니다). 아니면 포트 0을 쓰세요. 유닉스 도메인 소켓의 경로라면: 앞선 bind가 만든 파일이 뒤에 소켓이 없어도 그대로 남아 있습니다 (close는 파일을 지우지 않습니다). 먼저 unlink하세요.",
    ),
);
const EBADF: (&str, Text) = (
    "EBADF",
    t(
        "the fd is not open: usually a use after close, or a close done twice. (With socklab's types this does not compile.)",
        "fd가 열려 있지 않습니다: 대개 close 뒤에 쓰거나 두 번 닫은 경우입니다. (socklab의 타입을 쓰면 아예 컴파일되지 않습니다.)",
    ),
);
const EINTR: (&str, Text) = (
    "EINTR",
    t(
        "a signal's handler ran while the call was waiting, and the call returned. Nothing is broken: call it again (socklab never retries for you, so you can see it). Not connect: its handshake goes on in the kernel (connect called again gets EALREADY once SO_SNDTIMEO runs out, or at once on a non-blocking socket); wait with poll for POLLOUT, then read SO_ERROR.",
        "호출이 기다리는 동안 시그널 핸들러가 실행되어 호출이 돌아왔습니다. 잘못된 것은 없으니 다시 호출하세요 (socklab은 이것이 보이도록 재시도를 대신해 주지 않습니다). connect는 예외입니다: 핸드셰이크는 커널에서 계속됩니다 (다시 부른 connect는 SO_SNDTIMEO 시간이 다 되면, 넌블로킹 소켓이면 바로 EALREADY를 받습니다). poll로 POLLOUT을 기다린 뒤 SO_ERROR를 읽으세요.",
    ),
);
const EAGAIN: (&str, Text) = (
    "EAGAIN",
    t(
        "the call would have had to wait (nothing to read, no room to send, no connection to accept) and the socket is non-blocking (O_NONBLOCK, set with fcntl, or SOCK_NONBLOCK) or MSG_DONTWAIT was passed; or a blocking call's SO_RCVTIMEO ran out. Wait with poll or epoll, then call again. EWOULDBLOCK is the same number.",
        "기다려야 하는 호출이었는데(읽을 것이 없음, 보낼 자리가 없음, 수락할 연결이 없음) 넌블로킹 소켓(fcntl로 켠 O_NONBLOCK, 또는 SOCK_NONBLOCK)이거나 MSG_DONTWAIT를 주었습니다. 또는 블로킹 호출의 SO_RCVTIMEO 시간이 다 되었습니다. poll이나 epoll로 기다린 뒤 다시 호출하세요. EWOULDBLOCK도 같은 값입니다.",
    ),
);
const ECONNRESET: (&str, Text) = (
    "ECONNRESET",
    t(
        "the peer reset the connection (an RST): it closed with data still unread, or with SO_LINGER {on, 0}; or its host rebooted and answered your data with an RST. A peer process that crashed or was killed does not do this: the kernel closes its sockets with a FIN and recv returns 0 (unless it left unread data). Close your side; the connection is gone.",
        "상대가 연결을 리셋(RST)했습니다: 읽지 않은 데이터를 둔 채 닫았거나, SO_LINGER {on, 0}으로 닫았거나, 상대 호스트가 재부팅되어 이쪽 데이터에 RST로 답했습니다. 상대 프로세스가 죽거나 kill된 경우는 다릅니다: 커널이 그 소켓을 FIN으로 닫으므로 recv는 0을 돌려줍니다 (읽지 않은 데이터를 남긴 경우는 예외). 이쪽도 닫으세요. 연결은 끝났습니다.",
    ),
);
const ENOTCONN: (&str, Text) = (
    "ENOTCONN",
    t(
        "the socket is not connected: recv, getpeername or shutdown on a socket that never connected, or recv on the listening socket instead of the one accept returned. (On Linux send there gets EPIPE instead.)",
        "연결되지 않은 소켓입니다: 연결한 적 없는 소켓으로 recv, getpeername, shutdown을 했거나, accept가 돌려준 소켓 대신 리스닝 소켓으로 recv를 했습니다. (리눅스에서는 거기서 send하면 대신 EPIPE를 받습니다.)",
    ),
);
const EPIPE: (&str, Text) = (
    "EPIPE",
    t(
        "the connection can no longer send: the peer closed it and your first send after that drew an RST (that first send succeeded), or you shut down for writing, or the socket never connected (Linux gives EPIPE, not ENOTCONN, to send). The kernel also raises SIGPIPE, which kills a C program unless it ignores SIGPIPE or passes MSG_NOSIGNAL; a Rust program ignores SIGPIPE. Stop sending and close.",
        "더 이상 보낼 수 없는 연결입니다: 상대가 닫은 뒤의 첫 send가 RST를 불러왔거나(그 첫 send는 성공합니다), 이쪽이 쓰기를 shutdown했거나, 연결한 적 없는 소켓입니다 (리눅스는 send에 ENOTCONN이 아니라 EPIPE를 줍니다). 커널은 SIGPIPE도 보내며, C 프로그램은 SIGPIPE를 무시하거나 MSG_NOSIGNAL을 주지 않으면 이 시그널로 종료됩니다. Rust 프로그램은 SIGPIPE를 무시합니다. 보내기를 멈추고 닫으세요.",
    ),
);
const EMFILE: (&str, Text) = (
    "EMFILE",
    t(
        "no fd number left: the process reached its limit of open fds (RLIMIT_NOFILE, `ulimit -n`). Usually sockets that were never closed: close what you are done with. A server that must hold many connections at once needs one fd each: a process may raise its soft limit up to the hard limit (setrlimit, `ulimit -n`), never past it without privilege, as `socklab run 19 --clients N` does and says.",
        "남은 fd 번호가 없습니다: 프로세스가 열 수 있는 fd 한도(RLIMIT_NOFILE, `ulimit -n`)에 닿았습니다. 대개 닫지 않은 소켓들입니다. 다 쓴 것은 닫으세요. 많은 연결을 동시에 유지해야 하는 서버에는 연결마다 fd가 하나씩 필요합니다: 프로세스는 소프트 한도를 하드 한도까지는 올릴 수 있지만(setrlimit, `ulimit -n`), 권한 없이는 그 이상 올릴 수 없습니다. `socklab run 19 --clients N`이 그렇게 하고, 한 일을 알려 줍니다.",
    ),
);

static CALLS: &[Explanation] = &[
    Explanation {
        name: "socket",
        aliases: &[],
        summary: t(
            "create an endpoint for communication and get an fd for it",
            "통신 끝점을 만들고 그것을 가리키는 파일 디스크립터(fd)를 받습니다",
        ),
        signature: "int socket(int domain, int type, int protocol);",
        args: &[
            ("domain", t("the address family: AF_INET (IPv4), AF_INET6, AF_UNIX", "주소 체계: AF_INET(IPv4), AF_INET6, AF_UNIX")),
            ("type", t("SOCK_STREAM (a byte stream: TCP) or SOCK_DGRAM (messages: UDP), optionally | SOCK_NONBLOCK | SOCK_CLOEXEC", "SOCK_STREAM(바이트 스트림: TCP) 또는 SOCK_DGRAM(메시지: UDP), 필요하면 | SOCK_NONBLOCK | SOCK_CLOEXEC")),
            ("protocol", t("0 = the usual protocol for that type (strace prints IPPROTO_IP)", "0 = 그 타입의 기본 프로토콜 (strace는 IPPROTO_IP로 적습니다)")),
        ],
        returns: t("a new fd, the lowest number not in use; -1 and errno on failure", "새 fd, 즉 비어 있는 가장 작은 번호; 실패하면 -1과 errno"),
        kernel: None,
        strace: "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
        errors: &[
            EMFILE,
            ("EAFNOSUPPORT", t("the kernel does not support that address family: AF_UNSPEC (0) is never one, and AF_INET6 fails this way when IPv6 is disabled at boot.", "커널이 지원하지 않는 주소 체계입니다: AF_UNSPEC(0)은 소켓의 주소 체계가 될 수 없고, 부팅할 때 IPv6를 끈 컴퓨터에서는 AF_INET6도 이렇게 실패합니다.")),
        ],
        points: &[
            t("socket() sends nothing on the network: the socket has no address and no peer yet.", "socket()은 네트워크로 아무것도 보내지 않습니다: 소켓에는 아직 주소도 상대도 없습니다."),
            t("The fd is usually 3 in a fresh program: 0, 1 and 2 are stdin, stdout and stderr, and the kernel gives the lowest free number.", "새 프로그램에서 fd는 보통 3입니다: 0, 1, 2가 stdin, stdout, stderr이고, 커널은 비어 있는 가장 작은 번호를 주기 때문입니다."),
            t("/proc/self/fd/3 shows socket:[inode]. The same inode appears in /proc/net/tcp once the socket listens or connects; a TCP socket that is only bound is not listed.", "/proc/self/fd/3은 socket:[inode]로 보입니다. 소켓이 listen하거나 connect하면 같은 inode가 /proc/net/tcp에 나타납니다. 주소만 할당된 TCP 소켓은 나오지 않습니다."),
        ],
        man: "man 2 socket, man 7 socket, man 7 ip, man 7 tcp",
    },
    Explanation {
        name: "bind",
        aliases: &[],
        summary: t("give a socket its local address and port", "소켓에 로컬 주소와 포트를 할당합니다"),
        signature: "int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);",
        args: &[
            ("sockfd", t("a socket from socket()", "socket()이 준 소켓")),
            ("addr", t("the address: struct sockaddr_in {sin_family, sin_port (network byte order: htons), sin_addr}", "주소: struct sockaddr_in {sin_family, sin_port (네트워크 바이트 순서: htons), sin_addr}")),
            ("addrlen", t("the size of that struct: 16 for IPv4, 28 for IPv6", "그 구조체의 크기: IPv4는 16, IPv6는 28")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "bind(3, {sa_family=AF_INET, sin_port=htons(7878), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
        errors: &[
            EADDRINUSE,
            ("EADDRNOTAVAIL", t("the IP address is not one of this machine's. Use 127.0.0.1, 0.0.0.0 or an address the machine has.", "이 컴퓨터의 IP 주소가 아닙니다. 127.0.0.1, 0.0.0.0 또는 이 컴퓨터가 가진 주소를 쓰세요.")),
            ("EACCES", t("a port below net.ipv4.ip_unprivileged_port_start (1024 by default) needs CAP_NET_BIND_SERVICE, which root has. Use a port at or above it.", "net.ipv4.ip_unprivileged_port_start(기본값 1024)보다 낮은 포트에는 CAP_NET_BIND_SERVICE가 필요합니다 (root에게는 있습니다). 그 이상의 포트를 쓰세요.")),
            ("EINVAL", t("the socket already has an address: bind called twice.", "이미 주소가 할당된 소켓입니다: bind를 두 번 불렀습니다.")),
        ],
        points: &[
            t("Port 0 asks the kernel for any free port; getsockname shows which one you got.", "포트 0은 커널에게 아무 빈 포트나 달라는 뜻이고, 어떤 포트를 받았는지는 getsockname으로 봅니다."),
            t("127.0.0.1 is reachable from this machine only; 0.0.0.0 from every network the machine is on. Bind 127.0.0.1 unless you mean it.", "127.0.0.1은 이 컴퓨터에서만, 0.0.0.0은 컴퓨터가 연결된 모든 네트워크에서 접속할 수 있습니다. 의도한 것이 아니라면 127.0.0.1에 bind하세요."),
            t("A client rarely calls bind: connect picks an ephemeral port for it.", "클라이언트는 bind를 거의 부르지 않습니다: connect가 임시 포트를 골라 할당합니다."),
        ],
        man: "man 2 bind, man 7 ip",
    },
    Explanation {
        name: "listen",
        aliases: &[],
        summary: t("turn a bound socket into a passive, listening socket", "주소를 할당한 소켓을 연결 요청 대기 상태의 리스닝 소켓으로 바꿉니다"),
        signature: "int listen(int sockfd, int backlog);",
        args: &[
            ("sockfd", t("a bound stream socket", "주소를 할당한 스트림 소켓")),
            ("backlog", t("about how many finished connections the kernel may queue for accept (Linux holds backlog + 1; capped by net.core.somaxconn)", "커널이 accept를 위해 연결 요청 대기 큐에 쌓아 둘 수 있는 완료된 연결 수의 기준 (리눅스는 backlog + 1개까지 둡니다. net.core.somaxconn이 상한)")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "listen(3, 128)                          = 0",
        errors: &[
            EADDRINUSE,
            ("EOPNOTSUPP", t("the socket is SOCK_DGRAM: UDP has no connections to listen for.", "SOCK_DGRAM 소켓입니다: UDP에는 기다릴 연결이 없습니다.")),
            EBADF,
        ],
        points: &[
            t("After listen, the kernel completes TCP handshakes by itself and queues the connections: a client's connect returns before the server calls accept.", "listen 뒤에는 커널이 TCP 3-way 핸드셰이크를 스스로 마치고 연결을 연결 요청 대기 큐에 쌓습니다: 서버가 accept를 부르기 전에 클라이언트의 connect가 돌아옵니다."),
            t("The listening socket never carries data. It only hands out new sockets through accept.", "리스닝 소켓으로는 데이터가 오가지 않습니다. accept로 새 소켓을 내줄 뿐입니다."),
            t("In /proc/net/tcp (or `ss -lt`) it shows as LISTEN; its Recv-Q is how many connections wait for accept.", "/proc/net/tcp(또는 `ss -lt`)에서는 LISTEN으로 보이고, Recv-Q는 accept를 기다리는 연결 수입니다."),
        ],
        man: "man 2 listen, man 7 tcp",
    },
    Explanation {
        name: "accept",
        aliases: &["accept4"],
        summary: t(
            "take the next connection off a listening socket's queue, as a NEW data socket",
            "리스닝 소켓의 연결 요청 대기 큐에서 다음 연결을 꺼내, 새 데이터 송수신용 소켓으로 연결 요청을 수락합니다",
        ),
        signature: "int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen);\nint accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);",
        args: &[
            ("sockfd", t("the listening socket", "리스닝 소켓")),
            ("addr", t("where to write the client's address (or NULL)", "클라이언트 주소를 써 넣을 곳 (또는 NULL)")),
            ("addrlen", t("in: the size of addr's buffer; out: the size of the address written (strace: [128 => 16])", "들어갈 때: addr 버퍼 크기, 나올 때: 써 넣은 주소 크기 (strace: [128 => 16])")),
            ("flags", t("accept4 only: SOCK_NONBLOCK, SOCK_CLOEXEC for the new fd", "accept4만: 새 fd에 줄 SOCK_NONBLOCK, SOCK_CLOEXEC")),
        ],
        returns: t(
            "a NEW fd connected to that one client; -1 and errno on failure. The listening fd is unchanged.",
            "그 클라이언트 하나와 연결된 새 fd; 실패하면 -1과 errno. 리스닝 fd는 그대로입니다.",
        ),
        kernel: None,
        strace: "accept(3, {sa_family=AF_INET, sin_port=htons(44130), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 4",
        errors: &[
            EAGAIN,
            EINTR,
            ("EINVAL", t("the socket is not listening: call listen first (or you passed a connected socket).", "듣고 있는 소켓이 아닙니다: 먼저 listen을 부르세요 (또는 연결된 소켓을 넘겼습니다).")),
            ("EMFILE", t("no fd left for the new connection (RLIMIT_NOFILE): close the data sockets of finished clients. The connection stays queued, so a later accept still gets it.", "새 연결에 줄 fd가 없습니다 (RLIMIT_NOFILE): 끝난 클라이언트의 데이터 송수신용 소켓을 닫으세요. 연결은 큐에 남아 있어 나중의 accept가 받을 수 있습니다.")),
            ("ECONNABORTED", t("a connection was aborted before accept took it. BSD systems return it when the client reset the connection first; Linux does not: its accept succeeds and the first recv gets ECONNRESET. Portable servers treat it as 'accept again'.", "accept가 꺼내기 전에 연결이 중단되었습니다. BSD 계열은 클라이언트가 먼저 연결을 리셋하면 이것을 돌려주지만, 리눅스는 아닙니다: accept는 성공하고 첫 recv가 ECONNRESET을 받습니다. 이식성 있는 서버는 이것을 '다시 accept'로 처리합니다.")),
        ],
        points: &[
            t("accept returns a NEW fd for this one client. The listening socket stays open and goes back to accept for the next client.", "accept는 이 클라이언트 하나만을 위한 새 fd를 돌려줍니다. 리스닝 소켓은 열린 채로 다음 클라이언트를 위해 다시 accept합니다."),
            t("Send and recv on the new fd, never on the listening one; close the new fd when that client is done.", "send와 recv는 리스닝 fd가 아니라 새 fd로 하고, 그 클라이언트가 끝나면 새 fd를 닫으세요."),
            t("accept blocks until a connection is queued; it sends nothing itself: the handshake already happened.", "accept는 연결 요청 대기 큐에 연결이 들어올 때까지 기다리며, 스스로는 아무것도 보내지 않습니다: 3-way 핸드셰이크는 이미 끝났습니다."),
            t("The kernel's name for it is accept on x86-64; glibc does not turn it into accept4.", "x86-64에서 커널이 보는 이름도 accept입니다; glibc가 accept4로 바꾸지 않습니다."),
        ],
        man: "man 2 accept, man 7 tcp",
    },
    Explanation {
        name: "connect",
        aliases: &[],
        summary: t("connect a socket to a server (TCP: do the three-way handshake)", "서버에 연결을 요청합니다 (TCP: 3-way 핸드셰이크를 합니다)"),
        signature: "int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);",
        args: &[
            ("sockfd", t("a socket from socket()", "socket()이 준 소켓")),
            ("addr", t("the server's address and port", "서버의 주소와 포트")),
            ("addrlen", t("the size of addr: 16 for IPv4", "addr의 크기: IPv4는 16")),
        ],
        returns: t("0 once connected; -1 and errno on failure", "연결되면 0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)",
        errors: &[
            ("ECONNREFUSED", t("nothing listens at that address and port (the peer answered with RST). Start the server first, or check the port.", "그 주소와 포트에서 듣는 것이 없습니다 (상대가 RST로 답함). 서버를 먼저 띄우거나 포트를 확인하세요.")),
            ("ETIMEDOUT", t("no answer to the SYNs: the host is down, a firewall drops the packets, or the server's queue is full (Linux then drops the SYN). With Linux's defaults this takes about 2 minutes (lesson 14 counts the SYN retries on your machine).", "SYN에 아무 답이 없습니다: 호스트가 꺼져 있거나, 방화벽이 패킷을 버리거나, 서버의 연결 요청 대기 큐가 가득 찼습니다 (리눅스는 그때 SYN을 버립니다). 리눅스 기본값이면 약 2분 걸립니다 (실습 14가 여러분의 컴퓨터에서 SYN 재전송 횟수를 셉니다).")),
            ("ENETUNREACH", t("no route to that network; TCP also refuses a broadcast or multicast address this way.", "그 네트워크로 가는 경로가 없습니다. TCP는 브로드캐스트나 멀티캐스트 주소도 이렇게 거부합니다.")),
            ("EINPROGRESS", t("a non-blocking socket: the handshake goes on in the background. Wait with poll for POLLOUT, then read SO_ERROR.", "넌블로킹 소켓: 핸드셰이크가 뒤에서 진행 중입니다. poll로 POLLOUT을 기다린 뒤 SO_ERROR를 읽으세요.")),
            ("EALREADY", t("connect called again while the handshake is still under way: at once on a non-blocking socket, or when SO_SNDTIMEO runs out (after an EINTR, say). Wait with poll for POLLOUT instead.", "핸드셰이크가 아직 진행 중인데 connect를 다시 불렀습니다: 넌블로킹 소켓이면 바로, 아니면 SO_SNDTIMEO 시간이 다 될 때(예: EINTR 뒤) 받습니다. 대신 poll로 POLLOUT을 기다리세요.")),
            ("EISCONN", t("the socket is already connected (Linux also says this for a listening socket).", "이미 연결된 소켓입니다 (리눅스는 리스닝 소켓에도 이렇게 답합니다).")),
            ("EADDRNOTAVAIL", t("no ephemeral port left: each connection to one server address takes a local port of its own from net.ipv4.ip_local_port_range, and every one is in use. Lesson 19 with --clients beyond the range shows it; use fewer connections at once, or widen the range.", "남은 임시 포트가 없습니다: 서버 주소 하나로 가는 연결은 저마다 net.ipv4.ip_local_port_range에서 로컬 포트를 하나씩 받는데, 모두 쓰이고 있습니다. 실습 19를 범위보다 큰 --clients로 실행하면 볼 수 있습니다. 동시 연결 수를 줄이거나 범위를 넓히세요.")),
        ],
        points: &[
            t("The kernel picks the client's local port (an ephemeral port, from net.ipv4.ip_local_port_range: 32768-60999 by default); getsockname shows it.", "클라이언트의 로컬 포트는 커널이 고릅니다 (임시 포트, net.ipv4.ip_local_port_range에서: 기본값 32768-60999). getsockname으로 볼 수 있습니다."),
            t("connect returns as soon as the handshake is done, before the server calls accept.", "connect는 3-way 핸드셰이크가 끝나는 즉시 돌아옵니다. 서버가 accept를 부르기 전입니다."),
            t("After a failed connect, make a new socket to try again.", "connect가 실패하면 다시 시도할 때 새 소켓을 만드세요."),
        ],
        man: "man 2 connect, man 7 tcp",
    },
    Explanation {
        name: "send",
        aliases: &["write", "msg_nosignal", "sigpipe", "msg_dontwait"],
        summary: t("queue bytes for sending on a connected socket", "연결된 소켓으로 보낼 바이트를 큐에 넣습니다"),
        signature: "ssize_t send(int sockfd, const void *buf, size_t len, int flags);",
        args: &[
            ("sockfd", t("a connected socket (from connect or accept)", "연결된 소켓 (connect나 accept에서)")),
            ("buf, len", t("the bytes to send", "보낼 바이트")),
            ("flags", t("0, or MSG_NOSIGNAL, MSG_DONTWAIT, MSG_MORE ...", "0, 또는 MSG_NOSIGNAL, MSG_DONTWAIT, MSG_MORE ...")),
        ],
        returns: t(
            "how many bytes were copied into the kernel's send buffer (possibly fewer than len); -1 and errno on failure",
            "커널 송신 버퍼로 복사된 바이트 수 (len보다 적을 수 있음); 실패하면 -1과 errno",
        ),
        kernel: Some(t(
            "On x86-64 there is no send system call: glibc calls sendto(fd, buf, len, flags, NULL, 0), and that is what strace prints.",
            "x86-64에는 send 시스템 콜이 없습니다: glibc가 sendto(fd, buf, len, flags, NULL, 0)를 부르고, strace도 그렇게 보여 줍니다.",
        )),
        strace: "sendto(4, \"hello\\n\", 6, 0, NULL, 0)     = 6",
        errors: &[EPIPE, ECONNRESET, EAGAIN, EINTR],
        points: &[
            t("A successful send means the bytes are in the kernel's buffer, not that the peer has read them.", "send가 성공했다는 것은 바이트가 커널 버퍼에 들어갔다는 뜻이지, 상대가 읽었다는 뜻이 아닙니다."),
            t("TCP keeps no message boundaries: two sends may arrive in one recv.", "TCP는 데이터의 경계를 지키지 않습니다: send 두 번이 recv 한 번에 도착할 수 있습니다."),
            t("A short count is possible (a non-blocking send copies only what fits): loop until everything is sent.", "보낸 수가 모자랄 수 있으니(넌블로킹 send는 들어가는 만큼만 복사합니다), 다 보낼 때까지 반복하세요."),
            t("SIGPIPE: after the peer has closed, the first send succeeds and draws an RST; the next fails with EPIPE and raises SIGPIPE, whose default action ends the process inside that send (a shell shows exit status 141). A Rust program ignores SIGPIPE; a C program passes MSG_NOSIGNAL to each send, or ignores SIGPIPE once at start, and handles EPIPE. Lesson 14 shows a child killed by it.", "SIGPIPE: 상대가 닫은 뒤의 첫 send는 성공하고 RST를 불러옵니다. 다음 send는 EPIPE로 실패하면서 SIGPIPE를 일으키고, 이 시그널의 기본 동작은 그 send 안에서 프로세스를 끝내는 것입니다 (셸은 종료 상태 141로 보여 줍니다). Rust 프로그램은 SIGPIPE를 무시합니다. C 프로그램은 send마다 MSG_NOSIGNAL을 주거나 시작할 때 SIGPIPE를 한 번 무시하도록 설정하고, EPIPE를 처리합니다. 실습 14에서 이 시그널로 종료되는 자식 프로세스를 볼 수 있습니다."),
            t("MSG_DONTWAIT makes this one send nonblocking: with room in the send buffer for only part of buf, it copies that part and returns its count (a short count); with no room at all, -1 EAGAIN. Send the rest from where it stopped: wait for POLLOUT with poll first, or send without MSG_DONTWAIT, which waits for room (lesson 13).", "MSG_DONTWAIT를 주면 그 send 하나만 넌블로킹이 됩니다: 송신 버퍼에 buf의 일부만 들어갈 자리가 있으면 그만큼 복사하고 그 수를 돌려줍니다(요청보다 적은 수, short count). 자리가 전혀 없으면 -1 EAGAIN입니다. 나머지는 멈춘 곳부터 보내세요: 먼저 poll로 POLLOUT을 기다리거나, 자리가 날 때까지 기다리는 MSG_DONTWAIT 없는 send를 쓰세요 (실습 13)."),
        ],
        man: "man 2 send, man 7 tcp, man 7 signal",
    },
    Explanation {
        name: "sendto",
        aliases: &[],
        summary: t("send bytes, naming the destination (UDP), or on a connected socket with NULL", "목적지를 지정해 데이터를 송신합니다 (UDP). 연결된 소켓이면 목적지는 NULL입니다"),
        signature: "ssize_t sendto(int sockfd, const void *buf, size_t len, int flags,\n               const struct sockaddr *dest_addr, socklen_t addrlen);",
        args: &[
            ("sockfd", t("a datagram socket (or a connected stream socket)", "데이터그램 소켓 (또는 연결된 스트림 소켓)")),
            ("buf, len", t("one message", "메시지 하나")),
            ("flags", t("MSG_* flags, often 0", "MSG_* 플래그, 보통 0")),
            ("dest_addr, addrlen", t("where the message goes; NULL, 0 on a connected socket", "메시지가 갈 곳; 연결된 소켓이면 NULL, 0")),
        ],
        returns: t("bytes sent; -1 and errno on failure", "보낸 바이트 수; 실패하면 -1과 errno"),
        kernel: Some(t("It is also the kernel's call behind send().", "send() 뒤에서 커널이 실제로 받는 호출이기도 합니다.")),
        strace: "sendto(4, \"ping\", 4, 0, {sa_family=AF_INET, sin_port=htons(19090), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 4",
        errors: &[
            ("EMSGSIZE", t("the datagram is larger than UDP allows: 65507 bytes over IPv4.", "UDP가 허용하는 크기보다 큰 데이터그램입니다: IPv4에서는 65507바이트까지입니다.")),
            ("ECONNREFUSED", t("only on a connected UDP socket: an earlier datagram drew an ICMP 'port unreachable', reported on this call; nothing listens there. sendto on an unconnected socket is never told: those all succeed.", "connect한 UDP 소켓에서만 나옵니다: 앞서 보낸 데이터그램이 ICMP 'port unreachable'을 불러왔고, 그것이 이번 호출에서 보고됩니다. 거기서 듣는 것이 없습니다. 연결하지 않은 소켓의 sendto는 이것을 전달받지 못해 모두 성공합니다.")),
            EAGAIN,
            EPIPE,
        ],
        points: &[
            t("UDP has no connection: each datagram carries its own destination and arrives whole, or not at all.", "UDP에는 연결이 없습니다: 데이터그램마다 목적지를 담고, 통째로 도착하거나 아예 도착하지 않습니다."),
        ],
        man: "man 2 sendto, man 7 udp",
    },
    Explanation {
        name: "recv",
        aliases: &["read", "receive", "msg_waitall"],
        summary: t("take received bytes out of a connected socket", "연결된 소켓에서 수신한 바이트를 꺼냅니다"),
        signature: "ssize_t recv(int sockfd, void *buf, size_t len, int flags);",
        args: &[
            ("sockfd", t("a connected socket", "연결된 소켓")),
            ("buf, len", t("where to put the bytes, and at most how many", "바이트를 넣을 곳과 최대 개수")),
            ("flags", t("0, or MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL ...", "0, 또는 MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL ...")),
        ],
        returns: t(
            "how many bytes were copied into buf (1..len); 0 when the peer has closed; -1 and errno on failure",
            "buf로 복사한 바이트 수 (1..len); 상대가 닫았으면 0; 실패하면 -1과 errno",
        ),
        kernel: Some(t(
            "On x86-64 glibc calls recvfrom(fd, buf, len, flags, NULL, NULL), and strace prints that.",
            "x86-64에서 glibc는 recvfrom(fd, buf, len, flags, NULL, NULL)을 부르고, strace도 그렇게 보여 줍니다.",
        )),
        strace: "recvfrom(4, \"hello\\n\", 1024, 0, NULL, NULL) = 6",
        errors: &[ECONNRESET, EAGAIN, ENOTCONN, EINTR, EBADF],
        points: &[
            t("recv returns 0 when the peer has closed (or shut down) its sending side: end of stream, no more bytes will come.", "상대가 보내는 쪽을 닫으면(또는 shutdown하면) recv는 0을 돌려줍니다: 스트림의 끝이고, 더 오는 바이트는 없습니다."),
            t("recv waits for at least one byte and returns what is there: one send may need several recvs, and several sends may come in one.", "recv는 적어도 한 바이트를 기다렸다가 있는 만큼 돌려줍니다: send 한 번을 recv 여러 번으로 받을 수도, send 여러 번을 한 번에 받을 수도 있습니다."),
            t("Read in a loop until you have what your protocol needs.", "프로토콜에 필요한 만큼 모일 때까지 반복해서 읽으세요."),
            t("MSG_WAITALL asks the kernel to wait until buf is full: read_exact's loop in one call. Lesson 13's client gets a 16384-byte body that arrives in pieces with one recv.", "MSG_WAITALL을 주면 커널이 buf가 다 찰 때까지 기다립니다. read_exact의 반복을 호출 한 번으로 하는 셈입니다: 실습 13의 클라이언트는 조각으로 도착하는 16384바이트 본문을 recv 한 번으로 받습니다."),
        ],
        man: "man 2 recv, man 7 tcp",
    },
    Explanation {
        name: "recvfrom",
        aliases: &["msg_trunc"],
        summary: t("receive a message and learn who sent it (UDP)", "메시지를 받고 누가 보냈는지 알아냅니다 (UDP)"),
        signature: "ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags,\n                 struct sockaddr *src_addr, socklen_t *addrlen);",
        args: &[
            ("sockfd", t("a datagram socket (or any connected socket)", "데이터그램 소켓 (또는 연결된 아무 소켓)")),
            ("buf, len", t("where to put the message", "메시지를 넣을 곳")),
            ("flags", t("MSG_* flags (MSG_DONTWAIT, MSG_TRUNC ...)", "MSG_* 플래그 (MSG_DONTWAIT, MSG_TRUNC ...)")),
            ("src_addr, addrlen", t("where to write the sender's address (NULL, NULL when not wanted)", "보낸 쪽 주소를 써 넣을 곳 (필요 없으면 NULL, NULL)")),
        ],
        returns: t("how many bytes were copied into buf (at most len; with MSG_TRUNC, the datagram's real length); -1 and errno on failure", "buf로 복사한 바이트 수 (최대 len; MSG_TRUNC를 주면 데이터그램의 실제 길이); 실패하면 -1과 errno"),
        kernel: Some(t("It is also the kernel's call behind recv().", "recv() 뒤에서 커널이 실제로 받는 호출이기도 합니다.")),
        strace: "recvfrom(3, \"ping\", 1024, 0, {sa_family=AF_INET, sin_port=htons(55765), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 4",
        errors: &[
            EAGAIN,
            EINTR,
            ECONNRESET,
            ("ECONNREFUSED", t("only on a connected UDP socket: a datagram it sent earlier found no socket at the peer's port, and the kernel reports that on this later call. An unconnected socket never gets it.", "connect한 UDP 소켓에서만 나옵니다: 앞서 보낸 데이터그램이 상대 포트에서 받을 소켓을 찾지 못했고, 커널이 그것을 이번 호출에서 알려 줍니다. 연결하지 않은 소켓은 이것을 받지 않습니다.")),
        ],
        points: &[
            t("A datagram longer than the buffer is cut and the rest is lost: a 10-byte datagram read into 4 bytes returns 4. MSG_TRUNC makes it return the real length, 10.", "버퍼보다 긴 데이터그램은 잘리고 나머지는 사라집니다: 10바이트 데이터그램을 4바이트 버퍼로 읽으면 4를 돌려줍니다. MSG_TRUNC를 주면 실제 길이 10을 돌려줍니다."),
            t("When the call fails, strace prints the unfilled buffers as bare addresses (0x7ff...).", "호출이 실패하면 strace는 채워지지 않은 버퍼를 주소(0x7ff...)로만 보여 줍니다."),
        ],
        man: "man 2 recvfrom, man 7 udp",
    },
    Explanation {
        name: "shutdown",
        aliases: &[],
        summary: t("end one or both directions of a connection, keeping the fd", "fd는 둔 채 연결의 한쪽 또는 양쪽 방향을 끝냅니다"),
        signature: "int shutdown(int sockfd, int how);",
        args: &[
            ("sockfd", t("a connected socket", "연결된 소켓")),
            ("how", t("SHUT_WR (no more sending: the peer reads EOF), SHUT_RD, or SHUT_RDWR", "SHUT_WR (더 보내지 않음: 상대는 EOF를 읽음), SHUT_RD, SHUT_RDWR")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "shutdown(4, SHUT_WR)                    = 0",
        errors: &[ENOTCONN, EBADF],
        points: &[
            t("shutdown(SHUT_WR) is a half-close: TCP sends a FIN, the peer's recv returns 0, and the peer can still answer.", "shutdown(SHUT_WR)은 Half-close입니다: TCP가 FIN을 보내고, 상대의 recv는 0을 돌려주며, 상대는 여전히 답할 수 있습니다."),
            t("Unlike close, shutdown acts on the connection even if another fd refers to the same socket, and it does not free the fd.", "close와 달리 shutdown은 같은 소켓을 가리키는 다른 fd가 있어도 연결에 작용하고, fd를 해제하지는 않습니다."),
        ],
        man: "man 2 shutdown, man 7 tcp",
    },
    Explanation {
        name: "close",
        aliases: &[],
        summary: t("release an fd; for the last fd of a connection, end the connection", "fd를 반납합니다. 연결의 마지막 fd라면 연결을 끝냅니다"),
        signature: "int close(int fd);",
        args: &[("fd", t("the fd to release", "반납할 fd"))],
        returns: t("0; -1 and errno on failure (the fd is released anyway on Linux)", "0; 실패하면 -1과 errno (리눅스에서는 그래도 fd가 해제됩니다)"),
        kernel: None,
        strace: "close(3)                                = 0",
        errors: &[
            EBADF,
            ("EINTR", t("interrupted, but on Linux the fd is already closed: never close it again, the number may belong to a new socket.", "중단되었지만 리눅스에서는 fd가 이미 닫혔습니다: 다시 닫지 마세요. 그 번호는 이미 새 소켓의 것일 수 있습니다.")),
        ],
        points: &[
            t("Closing a data socket sends FIN; the peer's recv returns 0. Closing with unread data sends RST instead. When a process dies, even by SIGKILL, the kernel closes its sockets the same way.", "데이터 송수신용 소켓을 닫으면 FIN이 가고 상대의 recv는 0을 돌려줍니다. 읽지 않은 데이터를 둔 채 닫으면 대신 RST가 갑니다. 프로세스가 죽으면(SIGKILL이라도) 커널이 그 소켓을 똑같이 닫습니다."),
            t("The side that closes first ends in TIME_WAIT for 60 s on Linux, so that it can resend the last ACK if the peer's FIN comes again, and so that old segments of this connection die out. A restarted server binds past it with SO_REUSEADDR, set on the old listener and the new socket alike.", "먼저 닫은 쪽은 리눅스에서 60초 동안 Time-wait 상태에 머뭅니다. 상대의 FIN이 다시 오면 마지막 ACK를 다시 보내고, 이 연결의 오래된 세그먼트가 사라지게 하기 위해서입니다. 재시작한 서버는 SO_REUSEADDR로 이를 넘어 bind하는데, 이전 리스닝 소켓과 새 소켓 모두에 켜져 있어야 합니다."),
            t("The number is free at once: the next socket() or accept() may get the same fd.", "번호는 바로 비므로, 다음 socket()이나 accept()가 같은 fd 번호를 받을 수 있습니다."),
        ],
        man: "man 2 close, man 7 tcp",
    },
    Explanation {
        name: "setsockopt",
        aliases: &["sockopt", "ipv6_v6only"],
        summary: t("set an option on a socket", "소켓에 옵션을 설정합니다"),
        signature: "int setsockopt(int sockfd, int level, int optname,\n               const void *optval, socklen_t optlen);",
        args: &[
            ("level", t("SOL_SOCKET for socket options, IPPROTO_TCP (strace: SOL_TCP), IPPROTO_IPV6", "소켓 옵션은 SOL_SOCKET, IPPROTO_TCP (strace: SOL_TCP), IPPROTO_IPV6")),
            ("optname", t("SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF, SO_LINGER, TCP_NODELAY, IPV6_V6ONLY ...", "SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF, SO_LINGER, TCP_NODELAY, IPV6_V6ONLY ...")),
            ("optval, optlen", t("the value, usually an int: strace shows [1], 4", "값, 보통 int: strace는 [1], 4로 보여 줍니다")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
        errors: &[
            ("ENOPROTOOPT", t("no such option at that level for this socket (a TCP option on a UDP socket, say).", "이 소켓에는 그 레벨에 그런 옵션이 없습니다 (예: UDP 소켓에 TCP 옵션).")),
            EBADF,
        ],
        points: &[
            t("SO_REUSEADDR lets a restarted server bind its port while its old connections still exist, in TIME_WAIT or even ESTABLISHED, provided the old listener set it too; set it before bind.", "SO_REUSEADDR는 이전 연결이 아직 남아 있어도(Time-wait 상태든 ESTABLISHED든) 재시작한 서버가 포트에 bind하게 해 줍니다. 단, 이전 리스닝 소켓에도 켜져 있었어야 합니다. bind 전에 켜세요."),
            t("It does not let two sockets listen on one port on Linux: with both set the second bind succeeds and the second listen fails with EADDRINUSE. Sharing a port between listeners is SO_REUSEPORT.", "리눅스에서 두 소켓이 한 포트에서 listen하게 해 주지는 않습니다: 양쪽에 켜면 두 번째 bind는 성공하고 두 번째 listen이 EADDRINUSE로 실패합니다. 리스닝 소켓 여럿이 포트를 나눠 쓰는 것은 SO_REUSEPORT입니다."),
            t("IPV6_V6ONLY (IPPROTO_IPV6; strace: SOL_IPV6): off, an AF_INET6 socket bound to :: takes IPv4 clients too, and accept shows them as IPv4-mapped addresses, ::ffff:127.0.0.1; on, an IPv4 client's connect to that port is refused (ECONNREFUSED). Its default is /proc/sys/net/ipv6/bindv6only: set it yourself (socklab explain IPV6_V6ONLY --demo, lesson 11).", "IPV6_V6ONLY(IPPROTO_IPV6, strace에서는 SOL_IPV6): 끄면 ::에 bind한 AF_INET6 소켓이 IPv4 클라이언트도 받고, accept는 그 주소를 IPv4 매핑 주소 ::ffff:127.0.0.1로 보여 줍니다. 켜면 그 포트로 오는 IPv4 클라이언트의 connect는 거절됩니다(ECONNREFUSED). 기본값은 /proc/sys/net/ipv6/bindv6only에서 오므로 직접 설정하세요 (socklab explain IPV6_V6ONLY --demo, 실습 11)."),
        ],
        man: "man 2 setsockopt, man 7 socket, man 7 tcp",
    },
    Explanation {
        name: "getsockname",
        aliases: &[],
        summary: t("ask which local address and port a socket has", "소켓이 가진 로컬 주소와 포트를 묻습니다"),
        signature: "int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);",
        args: &[
            ("addr", t("where the kernel writes the address", "커널이 주소를 써 넣을 곳")),
            ("addrlen", t("in: buffer size; out: address size (strace: [128 => 16])", "들어갈 때: 버퍼 크기, 나올 때: 주소 크기 (strace: [128 => 16])")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "getsockname(3, {sa_family=AF_INET, sin_port=htons(18080), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 0",
        errors: &[EBADF, ("ENOTSOCK", t("the fd is not a socket.", "소켓이 아닌 fd입니다."))],
        points: &[
            t("After bind to port 0, it shows the port the kernel picked; after connect, the client's ephemeral port.", "포트 0으로 bind한 뒤에는 커널이 고른 포트를, connect 뒤에는 클라이언트의 임시 포트를 보여 줍니다."),
        ],
        man: "man 2 getsockname",
    },
    Explanation {
        name: "getpeername",
        aliases: &[],
        summary: t("ask the address of the other end of a connection", "연결 반대편의 주소를 묻습니다"),
        signature: "int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);",
        args: &[
            ("addr", t("where the kernel writes the peer's address", "커널이 상대 주소를 써 넣을 곳")),
            ("addrlen", t("in: buffer size; out: address size", "들어갈 때: 버퍼 크기, 나올 때: 주소 크기")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "getpeername(5, {sa_family=AF_INET, sin_port=htons(57288), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 0",
        errors: &[ENOTCONN, EBADF],
        points: &[
            t("It gives the same address accept already returned; on a listening socket there is no peer (ENOTCONN).", "accept가 이미 돌려준 주소와 같습니다; 리스닝 소켓에는 상대가 없습니다 (ENOTCONN)."),
        ],
        man: "man 2 getpeername",
    },
    Explanation {
        name: "select",
        aliases: &["pselect6", "pselect", "fd_set", "fd_setsize"],
        summary: t("wait until one of several fds is ready, given as bitmaps of fd numbers", "fd 번호의 비트맵으로 넘긴 여러 fd 중 하나가 준비될 때까지 기다립니다"),
        signature: "int select(int nfds, fd_set *readfds, fd_set *writefds,\n           fd_set *exceptfds, struct timeval *timeout);",
        args: &[
            ("nfds", t("one more than the highest fd in any of the sets: the kernel looks at fds 0 to nfds - 1", "세 집합 중 가장 큰 fd에 1을 더한 값: 커널은 fd 0부터 nfds - 1까지 봅니다")),
            ("readfds", t("the fds to watch for reading (FD_SET each one); on return, only the ready ones are left", "읽기를 지켜볼 fd (하나씩 FD_SET); 돌아올 때는 준비된 것만 남습니다")),
            ("writefds, exceptfds", t("the same for writing and for exceptions (TCP urgent data); NULL for none", "쓰기와 예외(TCP 긴급 데이터)에 대해 같은 일; 없으면 NULL")),
            ("timeout", t("how long to wait at most, {tv_sec, tv_usec}; NULL waits for ever", "최대로 기다릴 시간 {tv_sec, tv_usec}; NULL이면 끝없이 기다립니다")),
        ],
        returns: t("how many fds are ready over the three sets; 0 on timeout; -1 and errno on failure", "세 집합에서 준비된 fd의 수; 시간 초과면 0; 실패하면 -1과 errno"),
        kernel: Some(t(
            "glibc 2.36 on x86-64 makes select as pselect6, whose timeout is a timespec (nanoseconds) and whose last argument, a signal mask, is NULL; strace shows the ready sets and the time left after the result.",
            "x86-64의 glibc 2.36은 select를 pselect6으로 호출합니다. 타임아웃은 timespec(나노초)이고, 마지막 인자인 시그널 마스크는 NULL입니다. strace는 결과 뒤에 준비된 집합과 남은 시간을 보여 줍니다.",
        )),
        strace: "pselect6(4, [3], NULL, NULL, {tv_sec=5, tv_nsec=0}, NULL) = 1 (in [3], left {tv_sec=4, tv_nsec=999997897})",
        errors: &[
            EINTR,
            ("EBADF", t("an fd in one of the sets is not open: a closed fd left in a set. Take an fd out of the set (FD_CLR) when you close it.", "집합에 든 fd 중 열려 있지 않은 것이 있습니다: 닫은 fd가 집합에 남았습니다. fd를 닫을 때 집합에서도 빼세요(FD_CLR).")),
        ],
        points: &[
            t("An fd_set is a bitmap of FD_SETSIZE (1024) bits: fds 0 to 1023 only. In C, FD_SET of fd 1024 or more is undefined behaviour; in a program compiled with -D_FORTIFY_SOURCE, glibc stops it (`*** bit out of range 0 - FD_SETSIZE on fd_set ***`). socklab's FdSet::insert refuses such an fd with an error. poll and epoll have no such limit.", "fd_set은 FD_SETSIZE(1024)비트의 비트맵입니다: fd 0부터 1023까지만 들어갑니다. C에서 1024 이상인 fd를 FD_SET하면 정의되지 않은 동작입니다. -D_FORTIFY_SOURCE로 컴파일한 프로그램이면 glibc가 프로그램을 멈춥니다(`*** bit out of range 0 - FD_SETSIZE on fd_set ***`). socklab의 FdSet::insert는 그런 fd를 오류로 거부합니다. poll과 epoll에는 이런 한도가 없습니다."),
            t("The kernel overwrites each set with the ready fds: a loop fills its sets again before every call.", "커널은 각 집합을 준비된 fd로 덮어씁니다: 루프는 호출할 때마다 집합을 다시 채워야 합니다."),
            t("Ready means the call will not block, not that there is data: a readable listener has a connection for accept; a readable data socket has bytes, or the peer closed and recv returns 0 (lesson 17).", "준비되었다는 것은 호출이 블록되지 않는다는 뜻이지 데이터가 있다는 뜻이 아닙니다: 읽기 가능한 리스닝 소켓에는 accept할 연결이, 읽기 가능한 연결된 소켓에는 데이터가 있거나 상대가 닫아 recv가 0을 돌려줍니다 (실습 17)."),
            t("Each call hands the kernel the sets again, and the kernel checks every fd below nfds (fs/select.c): the cost grows with the number of fds, ready or not.", "호출할 때마다 집합을 다시 넘기고, 커널은 nfds 아래의 모든 fd를 확인합니다 (fs/select.c): 준비되었든 아니든 fd 수만큼 비용이 늡니다."),
        ],
        man: "man 2 select, man 2 select_tut",
    },
    Explanation {
        name: "poll",
        aliases: &["ppoll", "pollfd"],
        summary: t("wait until one of several fds is ready, or a timeout passes", "여러 fd 중 하나가 준비되거나 시간이 다 될 때까지 기다립니다"),
        signature: "int poll(struct pollfd *fds, nfds_t nfds, int timeout);",
        args: &[
            ("fds", t("an array of {fd, events (POLLIN, POLLOUT), revents (filled in)}", "{fd, events (POLLIN, POLLOUT), revents (채워짐)}의 배열")),
            ("nfds", t("how many entries", "항목 수")),
            ("timeout", t("milliseconds; -1 waits for ever, 0 only checks", "밀리초; -1은 끝없이 기다리고, 0은 확인만 합니다")),
        ],
        returns: t("how many fds are ready; 0 on timeout; -1 and errno on failure", "준비된 fd 수; 시간 초과면 0; 실패하면 -1과 errno"),
        kernel: Some(t("aarch64 has no poll: glibc calls ppoll there.", "aarch64에는 poll이 없어 glibc가 ppoll을 부릅니다.")),
        strace: "poll([{fd=3, events=POLLIN}, {fd=5, events=POLLIN}], 2, 5000) = 1 ([{fd=3, revents=POLLIN}])",
        errors: &[EINTR],
        points: &[
            t("A listening socket is readable (POLLIN) when a connection waits for accept.", "리스닝 소켓은 accept를 기다리는 연결이 있으면 읽기 가능(POLLIN)이 됩니다."),
            t("A data socket is readable when bytes have arrived or the peer has closed: readiness is not data, and recv may return 0 (lesson 17).", "연결된 소켓은 데이터가 도착했거나 상대가 닫았을 때 읽기 가능해집니다: 준비되었다고 데이터가 있는 것은 아니며, recv가 0을 돌려줄 수 있습니다 (실습 17)."),
            t("POLLOUT after a nonblocking connect means the handshake has ended, one way or the other: read SO_ERROR to learn which (lesson 18).", "넌블로킹 connect 뒤의 POLLOUT은 핸드셰이크가 어느 쪽으로든 끝났다는 뜻입니다: 어느 쪽인지는 SO_ERROR를 읽어 압니다 (실습 18)."),
            t("No limit on fd numbers, unlike select; but the whole array goes to the kernel on every call and the kernel checks every entry (fs/select.c), so the cost grows with the number of fds (lesson 19 measures it against epoll).", "select와 달리 fd 번호에 한도가 없습니다. 하지만 호출할 때마다 배열 전체가 커널로 가고 커널은 모든 항목을 확인하므로(fs/select.c), fd 수만큼 비용이 늡니다 (실습 19에서 epoll과 비교해 잽니다)."),
            t("socklab's interactive lessons wait for you with poll and --timeout, so they never hang.", "socklab의 대화형 실습은 poll과 --timeout으로 여러분을 기다리므로 멈춰 버리지 않습니다."),
        ],
        man: "man 2 poll",
    },
    Explanation {
        name: "epoll_create1",
        aliases: &["epoll_create", "epoll"],
        summary: t("create an epoll instance: a kernel object that watches many fds", "epoll 인스턴스를 만듭니다: 많은 fd를 지켜보는 커널 객체"),
        signature: "int epoll_create1(int flags);",
        args: &[("flags", t("0 or EPOLL_CLOEXEC", "0 또는 EPOLL_CLOEXEC"))],
        returns: t("a new fd for the epoll instance; -1 and errno on failure", "epoll 인스턴스의 새 fd; 실패하면 -1과 errno"),
        kernel: None,
        strace: "epoll_create1(EPOLL_CLOEXEC)            = 5",
        errors: &[EMFILE],
        points: &[
            t("Unlike poll, the set of watched fds lives in the kernel: a wait does not hand the whole list over again, and it returns only the ready fds.", "poll과 달리 지켜볼 fd 목록이 커널 안에 있습니다: 기다릴 때마다 목록 전체를 다시 넘기지 않고, 준비된 fd만 돌려받습니다."),
        ],
        man: "man 7 epoll, man 2 epoll_create1",
    },
    Explanation {
        name: "epoll_ctl",
        aliases: &["epollet", "epollin"],
        summary: t("add, change or remove an fd in an epoll instance", "epoll 인스턴스에 fd를 더하고, 바꾸고, 빼냅니다"),
        signature: "int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);",
        args: &[
            ("epfd", t("the epoll fd", "epoll fd")),
            ("op", t("EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL", "EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL")),
            ("fd", t("the socket to watch", "지켜볼 소켓")),
            ("event", t("{events (EPOLLIN, EPOLLOUT, EPOLLET), data (yours, returned by epoll_wait)}", "{events (EPOLLIN, EPOLLOUT, EPOLLET), data (여러분의 값, epoll_wait가 돌려줌)}")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=7, u64=7}}) = 0",
        errors: &[
            ("EEXIST", t("the fd is already in the set: use EPOLL_CTL_MOD.", "이미 들어 있는 fd입니다: EPOLL_CTL_MOD를 쓰세요.")),
            ("ENOENT", t("MOD or DEL of an fd that is not in the set.", "목록에 없는 fd를 MOD나 DEL했습니다.")),
            EBADF,
        ],
        points: &[
            t("Closing an fd removes it from epoll sets only when no other fd refers to the same socket.", "fd를 닫으면, 같은 소켓을 가리키는 다른 fd가 없을 때에만 epoll 목록에서 빠집니다."),
            t("Level-triggered (the default): epoll_wait reports the fd for as long as it is ready, so an fd read only in part is reported again. EPOLLET (edge-triggered): it is reported when it becomes ready, and after a partial read the next epoll_wait does not report it though bytes wait. With EPOLLET, make the fd nonblocking and read until EAGAIN (lesson 19).", "레벨 트리거(기본값): epoll_wait는 fd가 준비된 동안 계속 보고하므로, 일부만 읽은 fd는 다시 보고됩니다. EPOLLET(엣지 트리거): 준비 상태가 되는 순간에만 보고하므로, 일부만 읽으면 바이트가 남아 있어도 다음 epoll_wait는 보고하지 않습니다. EPOLLET을 쓰면 fd를 넌블로킹으로 만들고 EAGAIN이 나올 때까지 읽으세요 (실습 19)."),
            t("A listening socket watched for EPOLLIN is ready while a connection waits to be accepted; level-triggered, it is reported again after one accept when more wait.", "EPOLLIN으로 지켜보는 리스닝 소켓은 수락을 기다리는 연결이 있는 동안 준비 상태입니다. 레벨 트리거라면 accept를 한 번 한 뒤에도 연결이 더 남아 있으면 다시 보고됩니다."),
        ],
        man: "man 2 epoll_ctl",
    },
    Explanation {
        name: "epoll_wait",
        aliases: &["epoll_pwait"],
        summary: t("wait until watched fds are ready, and learn which", "지켜보는 fd가 준비될 때까지 기다리고, 어느 것인지 알아냅니다"),
        signature: "int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);",
        args: &[
            ("events, maxevents", t("where the kernel writes the ready fds' events, and how many fit", "커널이 준비된 fd의 이벤트를 써 넣을 곳과 들어갈 개수")),
            ("timeout", t("milliseconds; -1 waits for ever", "밀리초; -1은 끝없이 기다림")),
        ],
        returns: t("how many events were written; 0 on timeout; -1 and errno on failure", "써 넣은 이벤트 수; 시간 초과면 0; 실패하면 -1과 errno"),
        kernel: Some(t("aarch64 has no epoll_wait: glibc calls epoll_pwait there.", "aarch64에는 epoll_wait가 없어 glibc가 epoll_pwait를 부릅니다.")),
        strace: "epoll_wait(5, [{events=EPOLLIN, data={u32=7, u64=7}}], 8, 1000) = 1",
        errors: &[EINTR, EBADF],
        points: &[
            t("Only ready fds come back, each with the data you gave epoll_ctl: no scanning of every fd.", "준비된 fd만, epoll_ctl에 준 data와 함께 돌아옵니다: 모든 fd를 훑을 필요가 없습니다."),
            t("One wake-up costs the same with 10 watched fds or 10,000, where poll's and select's cost grows with the number of fds they are handed (cargo bench --bench epoll, README).", "지켜보는 fd가 10개든 10,000개든 깨어나는 비용이 같습니다. poll과 select는 넘겨받은 fd 수에 따라 비용이 늘어납니다 (cargo bench --bench epoll, README)."),
            t("With a timeout, 0 means no watched fd became ready in time: strace shows `epoll_wait(4, [], 8, 100) = 0`.", "시간 제한이 있으면 0은 그 시간 안에 준비된 fd가 없었다는 뜻입니다: strace에는 `epoll_wait(4, [], 8, 100) = 0`으로 보입니다."),
        ],
        man: "man 2 epoll_wait, man 7 epoll",
    },
    Explanation {
        name: "getsockopt",
        aliases: &["so_rcvbuf", "so_error"],
        summary: t("read the value of a socket option", "소켓 옵션의 값을 읽습니다"),
        signature: "int getsockopt(int sockfd, int level, int optname,\n               void *optval, socklen_t *optlen);",
        args: &[
            ("level", t("SOL_SOCKET for socket options, IPPROTO_TCP (strace: SOL_TCP) ...", "소켓 옵션은 SOL_SOCKET, IPPROTO_TCP (strace: SOL_TCP) ...")),
            ("optname", t("SO_RCVBUF, SO_SNDBUF, SO_ERROR, SO_TYPE, SO_LINGER ...", "SO_RCVBUF, SO_SNDBUF, SO_ERROR, SO_TYPE, SO_LINGER ...")),
            ("optval, optlen", t("where the kernel writes the value; in: the room there, out: the value's size (strace: [4])", "커널이 값을 써 넣을 곳; 들어갈 때: 그 크기, 나올 때: 값의 크기 (strace: [4])")),
        ],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "getsockopt(3, SOL_SOCKET, SO_RCVBUF, [8192], [4]) = 0",
        errors: &[
            EBADF,
            ("ENOPROTOOPT", t("no such option at that level for this socket.", "이 소켓에는 그 레벨에 그런 옵션이 없습니다.")),
        ],
        points: &[
            t("SO_RCVBUF reads back twice what setsockopt asked for: 4096 gives 8192. The kernel doubles the value to leave room for its bookkeeping (man 7 socket).", "SO_RCVBUF를 읽으면 setsockopt로 요청한 값의 두 배가 나옵니다: 4096이면 8192입니다. 커널이 자기 관리용 공간을 위해 두 배로 잡습니다 (man 7 socket)."),
            t("A small request gives the kernel's minimum instead: asking for 1024 gave 2304 on the machine these lessons were written on (the demo shows yours).", "작은 값을 요청하면 대신 커널의 최솟값이 됩니다: 이 실습을 만든 컴퓨터에서는 1024를 요청하면 2304가 되었습니다 (데모가 여러분의 컴퓨터에서 보여 줍니다)."),
            t("SO_ERROR tells how a nonblocking connect ended: [0] when it connected, [ECONNREFUSED] when nothing listened (socklab explain EINPROGRESS --demo).", "SO_ERROR는 넌블로킹 connect가 어떻게 끝났는지 알려 줍니다: 연결되었으면 [0], 듣는 소켓이 없었으면 [ECONNREFUSED] (socklab explain EINPROGRESS --demo)."),
        ],
        man: "man 2 getsockopt, man 7 socket",
    },
    Explanation {
        name: "socketpair",
        aliases: &[],
        summary: t("create two Unix sockets already connected to each other", "서로 연결된 유닉스 도메인 소켓 두 개를 만듭니다"),
        signature: "int socketpair(int domain, int type, int protocol, int sv[2]);",
        args: &[
            ("domain", t("AF_UNIX", "AF_UNIX")),
            ("type", t("SOCK_STREAM (a byte stream) or SOCK_DGRAM", "SOCK_STREAM(바이트 스트림) 또는 SOCK_DGRAM")),
            ("sv", t("where the kernel writes the two new fds", "커널이 새 fd 두 개를 써 넣을 곳")),
        ],
        returns: t("0, with the two fds in sv; -1 and errno on failure", "0, 그리고 sv에 fd 두 개; 실패하면 -1과 errno"),
        kernel: None,
        strace: "socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0",
        errors: &[
            ("EOPNOTSUPP", t("the family has no pairs: socketpair(AF_INET, …) fails this way. For TCP, listen and connect.", "그 주소 체계에는 소켓 쌍이 없습니다: socketpair(AF_INET, …)는 이렇게 실패합니다. TCP라면 listen과 connect를 쓰세요.")),
            EMFILE,
        ],
        points: &[
            t("No bind, no listen, no connect: the two ends have no address at all, and getsockname and getpeername give back only the family, {sa_family=AF_UNIX}.", "bind도, listen도, connect도 없습니다: 두 끝에는 주소가 전혀 없고, getsockname과 getpeername은 주소 체계 {sa_family=AF_UNIX}만 돌려줍니다."),
            t("What one end sends, the other receives. Made before fork, it connects a parent and its child: each keeps one end and closes its copy of the other (lesson 12).", "한쪽 끝이 송신한 것을 다른 쪽 끝이 수신합니다. fork 전에 만들면 부모와 자식 프로세스를 잇습니다: 각자 한쪽 끝을 쓰고 다른 끝의 사본은 닫습니다 (실습 12)."),
        ],
        man: "man 2 socketpair, man 7 unix",
    },
    Explanation {
        name: "sendmsg",
        aliases: &["scm_rights"],
        summary: t("send bytes, and with SCM_RIGHTS an open fd, over a Unix socket", "데이터를 송신하고, SCM_RIGHTS로 열린 fd도 함께 유닉스 도메인 소켓으로 보냅니다"),
        signature: "ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);",
        args: &[
            ("msg", t("the bytes (msg_iov) and control messages (msg_control): SCM_RIGHTS carries fds", "보낼 데이터(msg_iov)와 제어 메시지(msg_control): SCM_RIGHTS가 fd를 나릅니다")),
            ("flags", t("MSG_* flags, as for send", "send와 같은 MSG_* 플래그")),
        ],
        returns: t("how many bytes were sent; -1 and errno on failure", "송신한 바이트 수; 실패하면 -1과 errno"),
        kernel: None,
        strace: "sendmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"fd\", iov_len=2}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[5]}], msg_controllen=24, msg_flags=0}, 0) = 2",
        errors: &[
            ("EBADF", t("an fd in the SCM_RIGHTS message is not open (or sockfd is not): only an open fd can be passed.", "SCM_RIGHTS 메시지에 담은 fd(또는 sockfd)가 열려 있지 않습니다: 열린 fd만 전달할 수 있습니다.")),
        ],
        points: &[
            t("The kernel installs the open socket in the receiver's fd table under a NEW number, the lowest free one there: another fd for the same socket, with the same inode in /proc.", "커널은 열린 소켓을 받는 쪽의 파일 디스크립터 테이블에, 그곳에서 비어 있는 가장 작은 번호로 새로 올립니다: 같은 소켓(/proc에서 같은 inode)을 가리키는 또 하나의 fd입니다."),
            t("The sender's fd stays open until it closes it. The socket lives on while an fd or a message still in flight holds it: lesson 12's child closes its fd before the parent has received the socket, and the parent still reads from it.", "보낸 쪽 fd는 닫을 때까지 열려 있습니다. 소켓은 fd나 아직 전달 중인 메시지가 붙잡고 있는 동안 살아 있습니다: 실습 12의 자식은 부모가 소켓을 받기 전에 자기 fd를 닫지만, 부모는 그 소켓에서 여전히 읽습니다."),
            t("strace decodes the control message: cmsg_type=SCM_RIGHTS, cmsg_data=[5] is the sender's number.", "strace는 제어 메시지를 풀어 보여 줍니다: cmsg_type=SCM_RIGHTS, cmsg_data=[5]는 보낸 쪽의 번호입니다."),
        ],
        man: "man 2 sendmsg, man 7 unix (SCM_RIGHTS), man 3 cmsg",
    },
    Explanation {
        name: "recvmsg",
        aliases: &[],
        summary: t("receive bytes, and any fds passed with them (SCM_RIGHTS)", "데이터와, 함께 전달된 fd(SCM_RIGHTS)를 수신합니다"),
        signature: "ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);",
        args: &[
            ("msg", t("where the bytes go (msg_iov) and room for control messages (msg_control, msg_controllen)", "데이터를 받을 곳(msg_iov)과 제어 메시지를 받을 자리(msg_control, msg_controllen)")),
            ("flags", t("MSG_* flags, as for recv", "recv와 같은 MSG_* 플래그")),
        ],
        returns: t("how many bytes arrived (0: the peer closed); -1 and errno on failure", "수신한 바이트 수(0: 상대가 닫음); 실패하면 -1과 errno"),
        kernel: None,
        strace: "recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"fd\", iov_len=64}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[4]}], msg_controllen=24, msg_flags=0}, 0) = 2",
        errors: &[EAGAIN],
        points: &[
            t("cmsg_data in recvmsg's line is the receiver's new number, not the sender's: the same socket, another fd.", "recvmsg 줄의 cmsg_data는 보낸 쪽 번호가 아니라 받는 쪽의 새 번호입니다: 같은 소켓, 다른 fd입니다."),
            t("An fd is an index into one process's table; the socket is the kernel's object, and /proc/PID/fd shows the same socket:[inode] in every process that holds it.", "fd는 프로세스 하나의 테이블 안 번호이고, 소켓은 커널의 객체입니다. /proc/PID/fd는 그 소켓을 가진 모든 프로세스에서 같은 socket:[inode]를 보여 줍니다."),
        ],
        man: "man 2 recvmsg, man 7 unix (SCM_RIGHTS), man 3 cmsg",
    },
    Explanation {
        name: "unlink",
        aliases: &[],
        summary: t("remove a name from the file system, such as the file a Unix socket's bind made", "파일 시스템에서 이름을 지웁니다. 유닉스 도메인 소켓의 bind가 만든 파일도 그렇습니다"),
        signature: "int unlink(const char *pathname);",
        args: &[("pathname", t("the path to remove", "지울 경로"))],
        returns: t("0; -1 and errno on failure", "0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "unlink(\"/tmp/socklab-12-1234-0/lesson.sock\") = 0",
        errors: &[
            ("ENOENT", t("there is no file at that path: it was already removed.", "그 경로에 파일이 없습니다: 이미 지웠습니다.")),
        ],
        points: &[
            t("bind to a path makes a file of type socket; close gives the socket back but leaves the file, and a bind to that path fails with EADDRINUSE until the file is unlinked.", "경로로 bind하면 종류가 소켓인 파일이 생깁니다. close는 소켓을 반납하지만 파일은 남기고, 그 경로로 다시 bind하면 파일을 unlink할 때까지 EADDRINUSE로 실패합니다."),
            t("A server unlinks its path when it ends. An abstract name (@name) makes no file, and goes away with its last socket: nothing to unlink (lesson 12).", "서버는 끝날 때 자기 경로를 unlink합니다. 추상 이름(@name)은 파일을 만들지 않고 마지막 소켓과 함께 사라지므로 unlink할 것이 없습니다 (실습 12)."),
            t("It is a file-system call, not a socket call: `strace -e trace=%net` leaves it out, and socklab strace 12 adds unlink to the calls traced.", "소켓이 아니라 파일 시스템의 시스템 콜입니다: `strace -e trace=%net`에는 나오지 않으므로 socklab strace 12는 추적할 시스템 콜에 unlink를 더합니다."),
        ],
        man: "man 2 unlink, man 7 unix",
    },
    Explanation {
        name: "htons",
        aliases: &["htonl", "ntohs", "ntohl", "byte-order"],
        summary: t("put a number into network byte order (big-endian), or take it out: C library functions, not system calls", "수를 네트워크 바이트 순서(빅 엔디안)로 바꾸거나 되돌립니다: 시스템 콜이 아니라 C 라이브러리 함수입니다"),
        signature: "uint16_t htons(uint16_t hostshort);   /* a port */\nuint32_t htonl(uint32_t hostlong);    /* an IPv4 address */\nuint16_t ntohs(uint16_t netshort);\nuint32_t ntohl(uint32_t netlong);",
        args: &[
            ("hostshort", t("a number in this machine's byte order", "이 컴퓨터의 바이트 순서로 된 수")),
            ("netshort", t("a number as it came from the network (sin_port)", "네트워크에서 온 그대로의 수 (sin_port)")),
        ],
        returns: t("the same number with its bytes in network order: on x86-64, a little-endian machine, its bytes swapped (7811 = 0x1e83 is stored 83 1e, htons makes it 1e 83)", "바이트를 네트워크 바이트 순서로 놓은 같은 수: 리틀 엔디안인 x86-64에서는 바이트 순서가 뒤집힙니다 (7811 = 0x1e83은 83 1e로 저장되고, htons를 거치면 1e 83이 됩니다)"),
        kernel: Some(t("No system call: the swap happens in the program. strace writes sin_port as htons(7811) because the field holds 7811's bytes in network order, 1e 83.", "시스템 콜이 아닙니다: 바이트 순서는 프로그램 안에서 바뀝니다. strace가 sin_port를 htons(7811)로 쓰는 것은 그 필드에 7811이 네트워크 바이트 순서, 1e 83으로 들어 있기 때문입니다.")),
        strace: "bind(3, {sa_family=AF_INET, sin_port=htons(7811), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
        errors: &[],
        points: &[
            t("Ports (sin_port) and IPv4 addresses (sin_addr) go in network byte order; sa_family stays in the machine's order.", "포트(sin_port)와 IPv4 주소(sin_addr)는 네트워크 바이트 순서로 넣고, sa_family는 컴퓨터의 순서 그대로 둡니다."),
            t("Forgetting htons: on x86-64, sin_port = 7811 stores the bytes 83 1e, which the kernel reads as port 33566, and bind takes that port (lesson 11 shows it).", "htons를 잊으면: x86-64에서 sin_port = 7811은 바이트 83 1e로 저장되고, 커널은 이를 포트 33566으로 읽어 그 포트에 bind합니다 (실습 11에서 볼 수 있습니다)."),
            t("Read a port back with ntohs: getsockname's sin_port is in network order too.", "포트를 읽을 때는 ntohs를 쓰세요: getsockname이 돌려준 sin_port도 네트워크 바이트 순서입니다."),
        ],
        man: "man 3 byteorder, man 7 ip",
    },
    Explanation {
        name: "inet_pton",
        aliases: &["inet_ntop", "inet_addr", "inet_aton", "inet_ntoa"],
        summary: t("turn an address's text into its bytes (inet_pton), or its bytes into text (inet_ntop): C library functions, not system calls", "주소의 문자열을 바이트로(inet_pton), 바이트를 문자열로(inet_ntop) 바꿉니다: 시스템 콜이 아니라 C 라이브러리 함수입니다"),
        signature: "int inet_pton(int af, const char *src, void *dst);\nconst char *inet_ntop(int af, const void *src, char *dst, socklen_t size);",
        args: &[
            ("af", t("AF_INET (4 bytes, a struct in_addr) or AF_INET6 (16 bytes, a struct in6_addr)", "AF_INET(4바이트, struct in_addr) 또는 AF_INET6(16바이트, struct in6_addr)")),
            ("src, dst", t("the text and the bytes, in network byte order", "문자열과 바이트 (네트워크 바이트 순서)")),
            ("size", t("inet_ntop's buffer: INET_ADDRSTRLEN (16) or INET6_ADDRSTRLEN (46)", "inet_ntop의 버퍼 크기: INET_ADDRSTRLEN(16) 또는 INET6_ADDRSTRLEN(46)")),
        ],
        returns: t("inet_pton: 1; 0 when the text is not an address of that family; -1 for an unknown family. inet_ntop: dst, or NULL and errno", "inet_pton: 1, 문자열이 그 주소 체계의 주소가 아니면 0, 모르는 주소 체계면 -1. inet_ntop: dst, 실패하면 NULL과 errno"),
        kernel: Some(t("No system call: strace shows nothing for either (lesson 11 runs them between two traced calls, and strace sees nothing between). strace writes an IPv6 address inside a sockaddr_in6 as the C that would fill it:", "시스템 콜이 아닙니다: strace에는 둘 다 보이지 않습니다 (실습 11은 추적되는 두 호출 사이에서 이 함수들을 실행하고, strace는 그 사이에서 아무것도 보지 못합니다). strace는 sockaddr_in6 안의 IPv6 주소를 그 값을 채우는 C 코드로 적습니다:")),
        strace: "bind(3, {sa_family=AF_INET6, sin6_port=htons(7811), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::\", &sin6_addr), sin6_scope_id=0}, 28) = 0",
        errors: &[
            ("EAFNOSUPPORT", t("af is neither AF_INET nor AF_INET6 (inet_pton returns -1, inet_ntop NULL).", "af가 AF_INET도 AF_INET6도 아닙니다 (inet_pton은 -1, inet_ntop은 NULL을 돌려줍니다).")),
            ("ENOSPC", t("inet_ntop: the buffer is too small for the text.", "inet_ntop: 버퍼가 문자열을 담기에 작습니다.")),
        ],
        points: &[
            t("inet_pton returns 0, not -1, for text that is not an address: test for == 1.", "inet_pton은 주소가 아닌 문자열에 -1이 아니라 0을 돌려줍니다: == 1인지 확인하세요."),
            t("An IPv4 client seen by a dual-stack IPv6 socket is ::ffff:127.0.0.1: 10 zero bytes, ff ff, then the four IPv4 bytes.", "듀얼 스택 IPv6 소켓이 보는 IPv4 클라이언트는 ::ffff:127.0.0.1입니다: 0인 바이트 10개, ff ff, 그리고 IPv4 주소 4바이트."),
            t("inet_addr and inet_aton know IPv4 only; inet_pton and inet_ntop take both families.", "inet_addr와 inet_aton은 IPv4만 압니다. inet_pton과 inet_ntop은 두 주소 체계를 모두 다룹니다."),
        ],
        man: "man 3 inet_pton, man 3 inet_ntop",
    },
    Explanation {
        name: "getaddrinfo",
        aliases: &["freeaddrinfo", "gai_strerror", "getnameinfo"],
        summary: t("look up the addresses of a host name (and a service's port): a C library function, which makes system calls of its own", "호스트 이름의 주소(와 서비스의 포트)를 조회합니다: C 라이브러리 함수이고, 안에서 직접 시스템 콜을 합니다"),
        signature: "int getaddrinfo(const char *node, const char *service,\n                const struct addrinfo *hints, struct addrinfo **res);\nvoid freeaddrinfo(struct addrinfo *res);",
        args: &[
            ("node, service", t("\"localhost\", \"7811\": a name or a numeric address, a service name or a port", "\"localhost\", \"7811\": 이름이나 숫자 주소, 서비스 이름이나 포트")),
            ("hints", t("ai_family AF_UNSPEC (IPv4 and IPv6), ai_socktype SOCK_STREAM, ai_flags such as AI_ADDRCONFIG or AI_PASSIVE", "ai_family AF_UNSPEC(IPv4와 IPv6), ai_socktype SOCK_STREAM, ai_flags (AI_ADDRCONFIG, AI_PASSIVE 등)")),
            ("res", t("a list of sockaddrs to try in order; free it with freeaddrinfo", "차례로 시도할 sockaddr 목록. freeaddrinfo로 해제합니다")),
        ],
        returns: t("0 and the list; else an EAI_* code (not -1, and not errno), worded by gai_strerror", "0과 목록, 실패하면 EAI_* 코드 (-1도 errno도 아닙니다). gai_strerror로 문장을 얻습니다"),
        kernel: Some(t("No call of its own in strace, but glibc 2.36 makes several inside it: it tries nscd's socket first, reads /etc/nsswitch.conf, /etc/host.conf, /etc/resolv.conf and /etc/hosts, and with AI_ADDRCONFIG asks the kernel for the machine's addresses over a netlink socket (socklab strace 11 shows its sockets, marked as the C library's; strace -e trace=openat shows the files):", "strace에 getaddrinfo 자신의 줄은 없지만, glibc 2.36은 그 안에서 여러 시스템 콜을 합니다: 먼저 nscd의 소켓에 연결을 시도하고, /etc/nsswitch.conf, /etc/host.conf, /etc/resolv.conf, /etc/hosts를 읽고, AI_ADDRCONFIG가 있으면 netlink 소켓으로 커널에 이 컴퓨터의 주소를 묻습니다 (socklab strace 11은 그 소켓들을 C 라이브러리의 호출로 표시해 보여 주고, strace -e trace=openat은 파일들을 보여 줍니다):")),
        strace: "connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT (No such file or directory)",
        errors: &[
            ("EAI_NONAME", t("the name has no address: not in /etc/hosts, and the other sources in /etc/nsswitch.conf know none.", "그 이름에 해당하는 주소가 없습니다: /etc/hosts에도 없고, /etc/nsswitch.conf의 다른 곳도 모릅니다.")),
        ],
        points: &[
            t("Assuming it makes no calls is a mistake: its sockets and files take fd numbers while it runs, so not every fd in a trace is the program's.", "getaddrinfo가 아무 호출도 하지 않는다고 여기면 안 됩니다: 실행되는 동안 glibc의 소켓과 파일이 fd 번호를 차지하므로, 트레이스의 fd가 모두 프로그램의 것은 아닙니다."),
            t("Where it looks, in order, is the hosts line of /etc/nsswitch.conf ('files' is /etc/hosts).", "어디를 어떤 순서로 찾을지는 /etc/nsswitch.conf의 hosts 줄이 정합니다 ('files'가 /etc/hosts)."),
            t("Try the addresses in the list in order until a connect succeeds: a name may have an IPv6 and an IPv4 address.", "목록의 주소를 차례로 connect해 보고 성공한 것을 쓰세요: 이름 하나에 IPv6와 IPv4 주소가 함께 있을 수 있습니다."),
        ],
        man: "man 3 getaddrinfo, man 5 nsswitch.conf, man 5 hosts",
    },
    Explanation {
        name: "fcntl",
        aliases: &["o_nonblock", "nonblocking", "f_getfl", "f_setfl", "sock_nonblock"],
        summary: t("read or change an fd's flags: O_NONBLOCK makes a socket nonblocking", "fd의 플래그를 읽거나 바꿉니다: O_NONBLOCK을 켜면 넌블로킹 소켓이 됩니다"),
        signature: "int fcntl(int fd, int cmd, ... /* arg */ );",
        args: &[
            ("fd", t("the socket", "소켓")),
            ("cmd", t("F_GETFL: read the status flags; F_SETFL: replace them with arg", "F_GETFL: 상태 플래그를 읽습니다. F_SETFL: arg로 바꿉니다")),
            ("arg", t("F_SETFL's new flags: what F_GETFL returned | O_NONBLOCK", "F_SETFL의 새 플래그: F_GETFL이 돌려준 값 | O_NONBLOCK")),
        ],
        returns: t("F_GETFL: the flags (strace: 0x2 (flags O_RDWR)); F_SETFL: 0; -1 and errno on failure", "F_GETFL: 플래그 (strace: 0x2 (flags O_RDWR)); F_SETFL: 0; 실패하면 -1과 errno"),
        kernel: None,
        strace: "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK)    = 0",
        errors: &[EBADF],
        points: &[
            t("On a nonblocking socket a call that would wait fails at once: accept, recv and send with EAGAIN, connect with EINPROGRESS (its handshake goes on; poll for POLLOUT, then read SO_ERROR: [0] or [ECONNREFUSED]).", "넌블로킹 소켓에서 기다려야 하는 호출은 바로 실패합니다: accept, recv, send는 EAGAIN, connect는 EINPROGRESS입니다 (핸드셰이크는 계속되니 POLLOUT을 poll한 뒤 SO_ERROR를 읽으세요: [0] 또는 [ECONNREFUSED])."),
            t("A nonblocking send copies what fits and returns that count, which may be short; then EAGAIN. Send the rest later, from where it stopped (lesson 18).", "넌블로킹 send는 들어가는 만큼 복사하고 그 수를 돌려주므로 모자랄 수 있습니다. 그다음은 EAGAIN입니다. 나머지는 멈춘 곳부터 나중에 보내세요 (실습 18)."),
            t("On Linux the fd accept returns does not inherit O_NONBLOCK from the listener: set it again, or use accept4(..., SOCK_NONBLOCK). socket(..., SOCK_STREAM|SOCK_NONBLOCK, ...) sets it in the same call.", "리눅스에서 accept가 돌려준 fd는 리스닝 소켓의 O_NONBLOCK을 물려받지 않습니다: 다시 켜거나 accept4(..., SOCK_NONBLOCK)를 쓰세요. socket(..., SOCK_STREAM|SOCK_NONBLOCK, ...)은 같은 호출에서 켭니다."),
            t("An event loop needs it: poll's readiness may be gone by the time of the call (another accept took the connection), and a blocking call would stop every socket with it. man 2 accept: to ensure accept never blocks, the socket needs O_NONBLOCK.", "이벤트 루프에는 꼭 필요합니다: poll이 알려 준 준비 상태는 호출할 때쯤 사라졌을 수 있고(다른 accept가 연결을 가져감), 블로킹 호출은 다른 모든 소켓까지 멈춰 세웁니다. man 2 accept: accept가 절대 블록되지 않게 하려면 소켓에 O_NONBLOCK이 있어야 합니다."),
        ],
        man: "man 2 fcntl, man 2 accept (NOTES), man 7 socket",
    },
    Explanation {
        name: "fork",
        aliases: &["clone"],
        summary: t("copy this process: the child gets a copy of every fd, so both hold each socket", "프로세스를 복사합니다: 자식 프로세스는 모든 fd의 사본을 받으므로, 두 프로세스가 각 소켓을 함께 가집니다"),
        signature: "pid_t fork(void);",
        args: &[("(none)", t("the child is a copy of the caller, taken at the call", "자식은 호출한 순간의 호출자를 복사한 것입니다"))],
        returns: t("the child's pid in the parent, 0 in the child; -1 and errno on failure (no child)", "부모에게는 자식의 pid, 자식에게는 0; 실패하면 -1과 errno (자식 없음)"),
        kernel: Some(t("glibc's fork is the clone system call; strace prints only the parent's line, with the child's pid.", "glibc의 fork는 clone 시스템 콜입니다. strace는 부모 쪽 줄만, 자식의 pid와 함께 보여 줍니다.")),
        strace: "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f5cb816cad0) = 5783",
        errors: &[
            ("EAGAIN", t("no more processes for this user: RLIMIT_NPROC (`ulimit -u`), which does not bind a privileged process (root). Collect ended children with waitpid, or raise the limit.", "이 사용자는 프로세스를 더 만들 수 없습니다: RLIMIT_NPROC(`ulimit -u`) 때문이며, 특권이 있는 프로세스(root)에는 적용되지 않습니다. 끝난 자식을 waitpid로 회수하거나 한도를 올리세요.")),
        ],
        points: &[
            t("After fork both processes hold every fd the parent had, each number naming the same socket (the same inode in /proc/PID/fd).", "fork 뒤에는 두 프로세스 모두 부모가 가졌던 모든 fd를 가지고, 같은 번호는 같은 소켓(/proc/PID/fd에서 같은 inode)을 가리킵니다."),
            t("A connection ends (its FIN goes out) only when its last fd is closed: the parent's close of its copy sends nothing while the child holds the socket. So the child closes the listening fd and the parent closes the data fd (lesson 15).", "연결은 마지막 fd가 닫혀야 끝납니다(FIN이 나갑니다): 자식이 소켓을 가진 동안 부모가 자기 사본을 닫아도 아무것도 나가지 않습니다. 그래서 자식은 리스닝 소켓을, 부모는 연결된 소켓을 닫습니다 (실습 15)."),
            t("A parent that forgets the data fd keeps every connection open after its child has closed it and exited: the client never sees the end (lesson 15).", "연결된 소켓을 닫는 것을 잊은 부모는, 자식이 닫고 종료한 뒤에도 연결을 계속 열어 둡니다: 클라이언트는 끝을 보지 못합니다 (실습 15)."),
        ],
        man: "man 2 fork, man 2 clone",
    },
    Explanation {
        name: "waitpid",
        aliases: &["wait4", "wait", "sigchld", "zombie"],
        summary: t("wait for a child to end and collect its exit status; a child not collected stays a zombie", "자식 프로세스가 끝나기를 기다려 종료 상태 값을 회수합니다. 회수하지 않은 자식은 좀비 프로세스로 남습니다"),
        signature: "pid_t waitpid(pid_t pid, int *wstatus, int options);",
        args: &[
            ("pid", t("a child's pid, or -1 for any child", "자식의 pid, 또는 아무 자식이나 -1")),
            ("wstatus", t("where the kernel writes how the child ended (WIFEXITED, WEXITSTATUS ...)", "자식이 어떻게 끝났는지 커널이 써 넣을 곳 (WIFEXITED, WEXITSTATUS ...)")),
            ("options", t("0 to wait, or WNOHANG to return at once (0 when no child has ended yet)", "기다리려면 0, 바로 돌아오려면 WNOHANG (아직 끝난 자식이 없으면 0)")),
        ],
        returns: t("the pid of the child collected (0 with WNOHANG when none has ended); -1 and errno on failure", "회수한 자식의 pid (WNOHANG일 때 끝난 자식이 없으면 0); 실패하면 -1과 errno"),
        kernel: Some(t("glibc's waitpid is the wait4 system call, with no rusage (NULL).", "glibc의 waitpid는 wait4 시스템 콜이고, rusage는 NULL입니다.")),
        strace: "wait4(5783, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5783",
        errors: &[
            ("ECHILD", t("no child to wait for: none was made, or every one has already been collected.", "기다릴 자식 프로세스가 없습니다: 만든 적이 없거나, 이미 모두 회수했습니다.")),
        ],
        points: &[
            t("A child that has exited and that nobody has waited for is a zombie: state Z in /proc/PID/stat, kept in the process table with its exit status until waitpid collects it.", "종료했지만 아무도 기다려 주지 않은 자식은 좀비 프로세스입니다: /proc/PID/stat에서 상태가 Z이고, waitpid가 회수할 때까지 종료 상태 값과 함께 프로세스 테이블에 남습니다."),
            t("When a child exits, the kernel sends its parent SIGCHLD. A fork server reaps on it: waitpid(-1, &status, WNOHANG) until it returns 0 or fails with ECHILD.", "자식이 종료하면 커널은 부모에게 SIGCHLD를 보냅니다. fork 서버는 이때 회수합니다: 0을 돌려주거나 ECHILD로 실패할 때까지 waitpid(-1, &status, WNOHANG)를 부릅니다."),
        ],
        man: "man 2 waitpid, man 7 signal (SIGCHLD)",
    },
    Explanation {
        name: "pthread_create",
        aliases: &["clone3", "thread", "threads"],
        summary: t("start a thread: it shares the process's memory and its one fd table", "스레드를 만듭니다: 스레드는 프로세스의 메모리와 하나뿐인 파일 디스크립터 테이블을 함께 씁니다"),
        signature: "int pthread_create(pthread_t *thread, const pthread_attr_t *attr,\n                   void *(*start)(void *), void *arg);",
        args: &[
            ("start, arg", t("the function the new thread runs, and its argument", "새 스레드가 실행할 함수와 그 인자")),
            ("attr", t("NULL for the defaults (stack size ...)", "기본값이면 NULL (스택 크기 ...)")),
        ],
        returns: t("0; an error number on failure (not -1 and errno)", "0; 실패하면 오류 번호 (-1과 errno가 아님)"),
        kernel: Some(t("glibc 2.36 makes the thread with clone3; its flags include CLONE_VM (one memory) and CLONE_FILES (one fd table), which fork's clone lacks. strace -f prints the thread's calls as [pid TID].", "glibc 2.36은 clone3로 스레드를 만듭니다. 플래그에 CLONE_VM(메모리 하나)과 CLONE_FILES(파일 디스크립터 테이블 하나)가 있고, fork의 clone에는 없습니다. strace -f는 스레드의 시스템 콜을 [pid TID]로 표시합니다.")),
        strace: "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f9d0bb71990, parent_tid=0x7f9d0bb71990, exit_signal=0, stack=0x7f9d0b971000, stack_size=0x1ffec0, tls=0x7f9d0bb716c0} => {parent_tid=[4103]}, 88) = 4103",
        errors: &[
            ("EBADF", t("not pthread_create's own, but the one threads meet: a thread used an fd number another thread had closed. The fd table is one for all threads (lesson 16).", "pthread_create 자체의 오류는 아니지만 스레드에서 자주 만납니다: 다른 스레드가 이미 닫은 fd 번호를 썼습니다. 파일 디스크립터 테이블은 모든 스레드에 하나뿐입니다 (실습 16).")),
        ],
        points: &[
            t("One fd table: a close in one thread closes the fd for every thread, and the number is free for the next socket or accept, in any thread (lesson 16).", "파일 디스크립터 테이블은 하나입니다: 한 스레드에서 close하면 모든 스레드에서 닫히고, 그 번호는 어느 스레드의 다음 socket이나 accept에든 다시 주어집니다 (실습 16)."),
            t("/proc/PID/task lists the threads; each thread's id is its TID, and the first thread's TID is the pid.", "/proc/PID/task에 스레드 목록이 있습니다. 각 스레드의 id가 TID이고, 첫 스레드의 TID는 pid와 같습니다."),
        ],
        man: "man 3 pthread_create, man 2 clone",
    },
];

/// Find a call by name (case-insensitive, aliases too). An unknown name
/// gets the closest known one, if any is close, as a suggestion.
pub fn lookup(name: &str) -> Result<&'static Explanation, Option<&'static str>> {
    let key = name.trim().to_ascii_lowercase();
    if let Some(e) = CALLS
        .iter()
        .find(|e| e.name == key || e.aliases.contains(&key.as_str()))
    {
        return Ok(e);
    }
    let best = CALLS
        .iter()
        .flat_map(|e| {
            std::iter::once(e.name)
                .chain(e.aliases.iter().copied())
                .map(move |n| (n, e.name))
        })
        .map(|(n, canonical)| (edit_distance(&key, n), canonical))
        .min_by_key(|(d, _)| *d);
    Err(best
        .filter(|(d, _)| *d <= 3 && *d < key.len())
        .map(|(_, n)| n))
}

/// Every errno some system call's explanation lists, each once, sorted
/// (a library function's errors, such as getaddrinfo's EAI_NONAME, are
/// not the kernel's and have no demo).
pub fn errnos() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = CALLS
        .iter()
        .filter(|e| !e.is_library())
        .flat_map(|e| e.errors.iter().map(|(name, _)| *name))
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The system calls whose explanation lists `errno`.
pub fn calls_listing(errno: &str) -> Vec<&'static str> {
    CALLS
        .iter()
        .filter(|e| !e.is_library())
        .filter(|e| e.errors.iter().any(|(n, _)| n.eq_ignore_ascii_case(errno)))
        .map(|e| e.name)
        .collect()
}

/// A name the user typed, safe to echo in one line of an error: control
/// bytes escaped (`\x1b`), and cut after 40 characters with "…".
pub fn shown(name: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The one-line error for a name `lookup` did not find: the closest call,
/// or, for an errno, where to see it; else the calls there are.
pub fn unknown(name: &str, near: Option<&str>, lang: Lang) -> String {
    let shown = shown(name);
    let calls = calls_listing(name.trim());
    if !calls.is_empty() {
        let errno = name.trim().to_ascii_uppercase();
        return match lang {
            Lang::En => format!(
                "'{shown}' is an errno, not a system call: see it under {} (socklab explain {}), or watch it happen: socklab explain {errno} --demo",
                calls.join(", "),
                calls[0]
            ),
            Lang::Ko => format!(
                "'{shown}': 시스템 콜이 아니라 errno입니다. {} 설명에 나옵니다 (socklab explain {}). 실제로 일어나는 모습은 socklab explain {errno} --demo로 볼 수 있습니다",
                calls.join(", "),
                calls[0]
            ),
        };
    }
    match (near, lang) {
        (Some(n), Lang::En) => format!("unknown system call: '{shown}'. Did you mean `{n}`?"),
        (Some(n), Lang::Ko) => format!("모르는 시스템 콜: '{shown}'. 혹시 `{n}`?"),
        (None, Lang::En) => format!(
            "unknown system call: '{shown}'. Known calls: {}",
            names().join(", ")
        ),
        (None, Lang::Ko) => format!(
            "모르는 시스템 콜: '{shown}'. 설명할 수 있는 시스템 콜: {}",
            names().join(", ")
        ),
    }
}

/// Every call covered, in lesson order.
pub fn names() -> Vec<&'static str> {
    CALLS.iter().map(|e| e.name).collect()
}

/// The explanation as text for a terminal. `call_has_demo`: whether
/// `socklab explain NAME --demo` exists for the call itself (the demos
/// know; this module does not ask them, so neither depends on the other
/// both ways).
pub fn render(e: &Explanation, lang: Lang, call_has_demo: bool) -> String {
    let h = |en: &'static str, ko: &'static str| t(en, ko).get(lang);
    let mut out = format!("{} — {}\n\n", e.name, e.summary.get(lang));
    out.push_str(&format!("{}\n", h("C signature", "C 시그니처")));
    for line in e.signature.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    let width = e.args.iter().map(|(a, _)| a.len()).max().unwrap_or(0);
    for (arg, what) in e.args {
        out.push_str(&format!("    {arg:<width$}  {}\n", what.get(lang)));
    }
    out.push_str(&format!(
        "\n{}\n  {}\n",
        h("Returns", "반환값"),
        e.returns.get(lang)
    ));
    out.push_str(&format!(
        "\n{}\n",
        h("What strace shows", "strace에서 보이는 모습")
    ));
    if let Some(k) = e.kernel {
        out.push_str(&format!("  {}\n", k.get(lang)));
    }
    out.push_str(&format!("  {}\n", e.strace));
    out.push_str(&format!(
        "\n{}\n",
        h("Errors you may meet", "자주 만나는 오류")
    ));
    for (name, why) in e.errors {
        out.push_str(&format!("  {name:<13} {}\n", why.get(lang)));
    }
    if e.errors.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            h("none: it cannot fail", "없습니다: 실패하지 않습니다")
        ));
    }
    if let (Some((first, _)), false) = (e.errors.first(), e.is_library()) {
        let call = if call_has_demo {
            format!("socklab explain {} --demo, ", e.name)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {} {call}socklab explain {first} --demo\n",
            h("See them happen:", "직접 보기:"),
        ));
    }
    out.push_str(&format!("\n{}\n", h("Key points", "핵심")));
    for p in e.points {
        out.push_str(&format!("  - {}\n", p.get(lang)));
    }
    out.push_str(&format!("\n{}\n", h("Lesson", "실습")));
    match e.lesson() {
        Some(bin) => {
            let n = bin
                .split('_')
                .next()
                .and_then(|n| n.parse::<u8>().ok())
                .unwrap_or(0);
            out.push_str(&format!(
                "  {bin}  ({} socklab run {n})\n",
                h("run it:", "실행:")
            ));
        }
        None => out.push_str(&format!(
            "  {}\n",
            h("a later lesson", "이후 실습에서 다룹니다")
        )),
    }
    out.push_str(&format!(
        "\n{}\n  {}\n",
        h("Read more", "더 읽을거리"),
        e.man
    ));
    out
}

/// Levenshtein distance: how many single-letter edits turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADINGS_EN: [&str; 7] = [
        "C signature",
        "Returns",
        "What strace shows",
        "Errors you may meet",
        "Key points",
        "Lesson",
        "Read more",
    ];
    const HEADINGS_KO: [&str; 7] = [
        "C 시그니처",
        "반환값",
        "strace에서 보이는 모습",
        "자주 만나는 오류",
        "핵심",
        "실습",
        "더 읽을거리",
    ];

    #[test]
    fn every_call_renders_every_section_in_both_languages() {
        for name in names() {
            let e = lookup(name).unwrap();
            let en = render(e, Lang::En, false);
            let ko = render(e, Lang::Ko, false);
            for h in HEADINGS_EN {
                assert!(en.contains(&format!("\n{h}\n")), "{name}: no {h}");
            }
            for h in HEADINGS_KO {
                assert!(ko.contains(&format!("\n{h}\n")), "{name}: no {h}");
            }
            assert!(
                ko.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c)),
                "{name}: no Hangul"
            );
            assert!(
                (e.is_library() || !e.errors.is_empty())
                    && !e.points.is_empty()
                    && !e.args.is_empty(),
                "{name}"
            );
            assert!(e.man.contains("man "), "{name}");
        }
    }

    #[test]
    fn the_strace_examples_are_laid_out_as_strace_does() {
        for e in CALLS {
            let (call, result) = e
                .strace
                .split_once(") ")
                .map(|(c, r)| (format!("{c})"), r))
                .unwrap();
            let (call, result) = match result.trim_start().strip_prefix("= ") {
                Some(r) => (call, r.to_string()),
                // A ") " inside the arguments: split at the last one instead.
                None => {
                    let i = e.strace.rfind(") ").unwrap();
                    (
                        e.strace[..=i].to_string(),
                        e.strace[i + 1..]
                            .trim_start()
                            .trim_start_matches("= ")
                            .to_string(),
                    )
                }
            };
            let pad = socklab::strace::line::RESULT_COLUMN
                .saturating_sub(call.len())
                .max(1);
            assert_eq!(
                e.strace,
                format!("{call}{}= {result}", " ".repeat(pad)),
                "{}",
                e.name
            );
        }
    }

    #[test]
    fn a_long_or_hostile_name_is_cut_and_escaped() {
        let long = format!("\x1b[31m{}", "a".repeat(10_000));
        let msg = unknown(&long, None, Lang::En);
        assert!(!msg.contains('\x1b'), "{msg}");
        assert!(msg.contains("\\u{1b}[31m"), "{msg}");
        assert!(msg.contains('…'));
        assert!(msg.len() < 400, "{}", msg.len());
        assert_eq!(shown("accept"), "accept");
    }

    #[test]
    fn an_errno_name_points_at_its_calls_and_demo() {
        let msg = unknown("econnrefused", None, Lang::En);
        assert!(msg.contains("connect, sendto"), "{msg}");
        assert!(msg.contains("socklab explain ECONNREFUSED --demo"), "{msg}");
        assert!(errnos().contains(&"ENOTCONN"));
        assert!(!lookup("send")
            .unwrap()
            .errors
            .iter()
            .any(|(n, _)| *n == "ENOTCONN"));
    }

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(lookup("acept").unwrap_err(), Some("accept"));
        assert_eq!(lookup("lisen").unwrap_err(), Some("listen"));
        assert_eq!(lookup("conect").unwrap_err(), Some("connect"));
        assert_eq!(lookup("recieve").unwrap_err(), Some("recv"));
        assert_eq!(lookup("xyzzy").unwrap_err(), None);
    }

    #[test]
    fn msg_dontwait_leads_to_send_and_its_short_count() {
        let e = lookup("MSG_DONTWAIT").unwrap();
        assert_eq!(e.name(), "send");
        let en = render(e, Lang::En, true);
        assert!(
            en.contains("MSG_DONTWAIT makes this one send nonblocking"),
            "{en}"
        );
        assert!(en.contains("socklab explain send --demo"), "{en}");
        let ko = render(e, Lang::Ko, true);
        assert!(
            ko.contains("MSG_DONTWAIT를 주면 그 send 하나만 넌블로킹이 됩니다"),
            "{ko}"
        );
    }

    #[test]
    fn msg_waitall_leads_to_recv() {
        let e = lookup("MSG_WAITALL").unwrap();
        assert_eq!(e.name(), "recv");
        assert!(render(e, Lang::En, true)
            .contains("MSG_WAITALL asks the kernel to wait until buf is full"));
        assert!(render(e, Lang::Ko, true).contains("MSG_WAITALL을 주면 커널이 buf가 다 찰 때까지"));
    }

    #[test]
    fn lookup_ignores_case_and_knows_aliases() {
        assert_eq!(lookup("ACCEPT").unwrap().name(), "accept");
        assert_eq!(lookup("accept4").unwrap().name(), "accept");
        assert_eq!(lookup(" Recv ").unwrap().name(), "recv");
    }

    #[test]
    fn accept_says_it_returns_a_new_socket_in_both_languages() {
        let e = lookup("accept").unwrap();
        assert!(render(e, Lang::En, false).contains("NEW fd"));
        assert!(render(e, Lang::Ko, false).contains("새 fd"));
        assert_eq!(e.lesson(), Some("04_accept"));
        assert!(render(e, Lang::En, false).contains("socklab run 4"));
    }

    #[test]
    fn lessons_as_taught() {
        let lesson = |n: &str| lookup(n).unwrap().lesson();
        assert_eq!(lesson("socket"), Some("01_socket"));
        assert_eq!(lesson("getsockname"), Some("02_bind"));
        assert_eq!(lesson("listen"), Some("03_listen"));
        assert_eq!(lesson("getpeername"), Some("05_connect"));
        assert_eq!(lesson("connect"), Some("05_connect"));
        assert_eq!(lesson("recv"), Some("06_send_recv"));
        assert_eq!(lesson("shutdown"), Some("07_close"));
        assert_eq!(lesson("poll"), Some("17_select_poll"));
        assert_eq!(lesson("select"), Some("17_select_poll"));
        assert_eq!(lesson("fcntl"), Some("18_nonblocking"));
        assert_eq!(lookup("pselect6").unwrap().name(), "select");
        assert_eq!(lookup("O_NONBLOCK").unwrap().name(), "fcntl");
        assert_eq!(lookup("SO_ERROR").unwrap().name(), "getsockopt");
    }

    #[test]
    fn the_lesson_named_is_the_first_that_lists_the_call() {
        for info in crate::lesson::LESSONS {
            for call in info.calls {
                let first = crate::lesson::LESSONS
                    .iter()
                    .find(|l| l.calls.contains(call))
                    .unwrap();
                assert_eq!(lookup(call).unwrap().lesson(), Some(first.bin), "{call}");
            }
        }
    }
}
