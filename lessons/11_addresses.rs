//! Lesson 11 · Addresses: byte order, IPv6 and name lookup.
//!
//! - **Byte order.** A port and an IPv4 address travel in network byte
//!   order (big-endian): the most significant byte first. x86-64 keeps
//!   numbers the other way round (little-endian), so a C program writes
//!   `sin_port = htons(7811)`, and strace shows the field as that call.
//!   The lesson prints the real bytes of the sockaddr it hands to bind,
//!   and what the kernel makes of a port written without htons.
//! - **Text and bytes.** `inet_pton` and `inet_ntop` turn "127.0.0.1"
//!   into four bytes and back. They are C library functions, not system
//!   calls: nothing happens in the kernel, and strace sees nothing.
//! - **IPv6 and dual stack.** A socket of family AF_INET6 bound to `::`
//!   with IPV6_V6ONLY off also takes IPv4 clients, which it sees as
//!   IPv4-mapped addresses, `::ffff:127.0.0.1`. With IPV6_V6ONLY on, an
//!   IPv4 client is refused, and `[::1]` is IPv6's loopback.
//! - **Name lookup.** `getaddrinfo("localhost")` is a library function
//!   too, but it makes system calls of its own (nscd's socket, the files
//!   under /etc, a netlink socket) that socklab cannot wrap and so cannot
//!   print. The lesson says so, shows what /proc sees of them, and
//!   `socklab strace 11` shows the calls themselves, marked as glibc's.

use socklab::addr::{Family, SockAddr};
use socklab::lookup::{self, AiFlags};
use socklab::trace::Side;
use socklab::{Errno, MsgFlags, SockOpt, Socket};
use socklab_tools::lesson::{self, josa, Lesson, LessonError, Outcome};
use std::collections::BTreeSet;
use std::net::{Ipv6Addr, SocketAddrV6};

fn main() {
    lesson::run(11, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let SockAddr::V4(_) = addr else {
        return Err(LessonError::Message {
            en: "this lesson starts from an IPv4 address (--host 127.0.0.1); it makes its IPv6 sockets itself".into(),
            ko: "이 실습은 IPv4 주소(--host 127.0.0.1)에서 시작하고, IPv6 소켓은 실습이 직접 만듭니다".into(),
        });
    };
    byte_order(l, &addr)?;
    match ipv6_here() {
        Ipv6::Missing(why) => l.say(
            &format!("IPv6 part skipped: {why}. This machine's kernel has no IPv6, so the lesson cannot show an AF_INET6 socket here; the rest goes on."),
            &format!("IPv6 부분은 건너뜁니다: {why}. 이 컴퓨터의 커널에 IPv6가 없어 AF_INET6 소켓을 보여 줄 수 없습니다. 나머지는 계속합니다."),
        ),
        v6 => dual_stack(l, &addr, v6 == Ipv6::WithLoopback)?,
    }
    name_lookup(l, addr.port().unwrap_or(0))
}

/// The bytes of a value as they lie in memory, `83 1e`.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bytes of the sockaddr socklab hands to the kernel for `addr`.
fn sockaddr_bytes(addr: &SockAddr) -> Vec<u8> {
    let (ss, len) = addr.to_raw();
    // SAFETY: sockaddr_storage is plain bytes, `len` of them filled in.
    let all = unsafe {
        std::slice::from_raw_parts(
            (&ss as *const libc::sockaddr_storage).cast::<u8>(),
            std::mem::size_of_val(&ss),
        )
    };
    all[..len as usize].to_vec()
}

fn byte_order(l: &'static Lesson, addr: &SockAddr) -> Outcome {
    l.say("\nPart 1: byte order.", "\n1부: 바이트 순서.");
    l.step(
        "socket",
        "an IPv4 TCP socket, to bind.",
        "bind할 IPv4 TCP 소켓을 만듭니다.",
    );
    let sock = Socket::new(Family::Inet)?;
    l.step(
        "setsockopt",
        "SO_REUSEADDR, as servers do: the server sockets below close their connections first, which leaves them in TIME_WAIT on this port for a minute (lesson 07), and the next run binds it again.",
        "서버가 보통 하듯 SO_REUSEADDR를 켭니다: 아래의 서버 소켓들이 연결을 먼저 닫으므로 이 포트에 Time-wait 상태가 1분 동안 남고(실습 07), 다음 실행이 이 포트에 다시 bind합니다.",
    );
    sock.setsockopt(SockOpt::ReuseAddr(true))?;
    let raw = sockaddr_bytes(addr);
    let port = addr.port().unwrap_or(0);
    l.step(
        "bind",
        &format!("to {addr}. Watch sin_port in strace's line: htons({port})."),
        &format!("{addr} 주소를 할당합니다. strace 줄의 sin_port를 보세요: htons({port})입니다."),
    );
    sock.bind(addr)?;
    l.say(
        &format!(
            "The 16 bytes of that sockaddr_in, as they lie in memory: {}.\n   sa_family {} (AF_INET = 2, in this machine's order), sin_port {}, sin_addr {}, then 8 zero bytes.",
            hex(&raw),
            hex(&raw[0..2]),
            hex(&raw[2..4]),
            hex(&raw[4..8])
        ),
        &format!(
            "bind에 넘긴 sockaddr_in 16바이트가 메모리에 놓인 모습: {}.\n   sa_family {} (AF_INET = 2, 이 컴퓨터의 순서), sin_port {}, sin_addr {}, 그리고 0인 바이트 8개.",
            hex(&raw),
            hex(&raw[0..2]),
            hex(&raw[2..4]),
            hex(&raw[4..8])
        ),
    );
    l.say(
        &format!(
            "The number {port} is 0x{port:04x}. This x86-64 machine keeps it little-endian, low byte first: {} in memory. The network wants it big-endian, high byte first: {}, the bytes in sin_port above. htons ('host to network, short') makes that swap; strace writes the field as htons({port}) because that is the call which puts those bytes there.",
            hex(&port.to_ne_bytes()),
            hex(&port.to_be_bytes())
        ),
        &format!(
            "{} 16진수로 0x{port:04x}입니다. 이 x86-64 컴퓨터는 리틀 엔디안이라 낮은 바이트부터 메모리에 둡니다: {}. 네트워크 바이트 순서는 빅 엔디안, 높은 바이트부터입니다: {}. 위 sin_port의 바이트가 바로 이것입니다. htons('host to network, short')가 이렇게 바이트 순서를 바꿉니다. strace가 이 필드를 htons({port})로 쓰는 것은, 그 바이트를 만드는 C 코드가 그것이기 때문입니다.",
            josa::eun(port),
            hex(&port.to_ne_bytes()),
            hex(&port.to_be_bytes())
        ),
    );
    if let SockAddr::V4(v4) = addr {
        let ip = u32::from(*v4.ip());
        l.say(
            &format!(
                "The address {} is the number 0x{ip:08x}: little-endian in memory {}, in network order {}, as sin_addr holds it (htonl).",
                v4.ip(),
                hex(&ip.to_ne_bytes()),
                hex(&ip.to_be_bytes())
            ),
            &format!(
                "주소 {} 수로 0x{ip:08x}입니다: 메모리에 리틀 엔디안으로는 {}, 네트워크 바이트 순서로는 {}입니다. sin_addr에는 뒤의 것이 들어 있습니다 (htonl).",
                josa::eun(v4.ip()),
                hex(&ip.to_ne_bytes()),
                hex(&ip.to_be_bytes())
            ),
        );
    }

    l.step(
        "getsockname",
        "the address the kernel gave the socket, as bytes in a sockaddr.",
        "커널이 소켓에 할당한 주소를 sockaddr의 바이트로 받습니다.",
    );
    let here = sock.getsockname()?;
    // No narration between here and the next socket call: under strace
    // (tests/lessons_addresses.rs) nothing but the write of getsockname's
    // line happens in between, though inet_ntop and inet_pton run here.
    let sin_addr = sockaddr_bytes(&here)[4..8].to_vec();
    let as_text = lookup::inet_ntop(Family::Inet, &sin_addr).unwrap_or_default();
    let v4_bytes = lookup::inet_pton(Family::Inet, &as_text).unwrap_or_default();
    let v6_bytes = lookup::inet_pton(Family::Inet6, "::ffff:127.0.0.1").unwrap_or_default();
    let v6_text = lookup::inet_ntop(Family::Inet6, &v6_bytes).unwrap_or_default();
    let port = here.port().unwrap_or(port);
    let forgot = port.swap_bytes();
    l.step(
        "socket",
        "a second IPv4 socket, for a port written without htons.",
        "htons 없이 쓴 포트로 bind할 두 번째 IPv4 소켓을 만듭니다.",
    );
    let wrong = Socket::new(Family::Inet)?;
    l.say(
        &format!(
            "Just before this socket call, between the two lines, the lesson ran inet_ntop({}) = \"{as_text}\", inet_pton(AF_INET, \"{as_text}\") = {} and inet_pton(AF_INET6, \"::ffff:127.0.0.1\") = {} (inet_ntop gives back \"{v6_text}\"). Not one line appeared for them: they are C library functions that work in this process's memory, not system calls. (socklab strace 11 shows the same: strace sees nothing there either.)",
            hex(&sin_addr),
            hex(&v4_bytes),
            hex(&v6_bytes)
        ),
        &format!(
            "바로 앞의 두 줄 사이에서 실습은 세 함수를 실행했습니다: inet_ntop({}) = \"{as_text}\", inet_pton(AF_INET, \"{as_text}\") = {}, inet_pton(AF_INET6, \"::ffff:127.0.0.1\") = {} (inet_ntop으로 되돌리면 \"{v6_text}\"). 그런데 출력된 줄이 하나도 없습니다: 이 함수들은 시스템 콜이 아니라 프로세스 메모리 안에서 계산하는 C 라이브러리 함수이기 때문입니다. (socklab strace 11로 봐도 같습니다: strace에도 아무것도 보이지 않습니다.)",
            hex(&sin_addr),
            hex(&v4_bytes),
            hex(&v6_bytes)
        ),
    );
    let forgot_addr = here.with_port(forgot);
    l.step(
        "bind",
        &format!("a C program that writes sin_port = {port} without htons stores {port}'s bytes in this machine's order, {}; the kernel reads them in network order, as port 0x{forgot:04x} = {forgot}.", hex(&port.to_ne_bytes())),
        &format!("C 프로그램이 htons를 빼먹고 sin_port에 {} 그대로 넣으면, 바이트가 이 컴퓨터의 순서대로 저장됩니다: {}. 커널은 이를 네트워크 바이트 순서로 읽으므로 포트는 0x{forgot:04x}, 곧 {forgot}입니다.", josa::eul(port), hex(&port.to_ne_bytes())),
    );
    match wrong.bind(&forgot_addr) {
        Ok(()) => {
            let got = wrong.getsockname()?;
            l.say(
                &format!("the socket holds {got}, not port {port}: same two bytes, read the other way round. Clients dialing port {port} would never find it."),
                &format!("소켓은 포트 {} 아니라 {got} 주소를 얻었습니다: 같은 두 바이트를 반대 순서로 읽은 것입니다. 포트 {} 접속하는 클라이언트는 이 소켓을 찾지 못합니다.", josa::i(port), josa::ro(port)),
            );
        }
        Err(e) => l.say(
            &format!("bind failed ({}): port {forgot} is not free here. The line still shows what the kernel was asked: htons({forgot}), not htons({port}).", e.name()),
            &format!("bind가 실패했습니다 ({}): 여기서는 포트 {} 비어 있지 않습니다. 그래도 줄에는 커널이 받은 값이 보입니다: htons({port})가 아니라 htons({forgot})입니다.", e.name(), josa::i(forgot)),
        ),
    }
    l.step(
        "close",
        "both IPv4 sockets: their ports are free again.",
        "두 IPv4 소켓을 닫습니다: 포트가 다시 비게 됩니다.",
    );
    wrong.close()?;
    sock.close()?;
    Ok(())
}

/// What IPv6 this machine has, from /proc (no system call on a socket).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ipv6 {
    /// No /proc/net/if_inet6: the kernel has no IPv6 (or it is off).
    Missing(String),
    /// IPv6, but lo has no ::1 (net.ipv6.conf.lo.disable_ipv6 = 1, say).
    NoLoopback,
    WithLoopback,
}

/// /proc/net/if_inet6 lists each IPv6 address of each interface, the
/// address first as 32 hex digits, the interface's name last.
fn ipv6_here() -> Ipv6 {
    match std::fs::read_to_string("/proc/net/if_inet6") {
        Err(e) => Ipv6::Missing(format!("/proc/net/if_inet6: {e}")),
        Ok(text) => {
            let loopback = text.lines().any(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                f.first() == Some(&"00000000000000000000000000000001") && f.last() == Some(&"lo")
            });
            if loopback {
                Ipv6::WithLoopback
            } else {
                Ipv6::NoLoopback
            }
        }
    }
}

/// `[::]:port`: every address of this machine, IPv6 and (dual stack) IPv4.
fn any6(port: u16) -> SockAddr {
    SockAddr::V6(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0))
}

fn dual_stack(l: &'static Lesson, addr: &SockAddr, loopback6: bool) -> Outcome {
    l.say("\nPart 2: IPv6 and dual stack.", "\n2부: IPv6와 듀얼 스택.");
    let default = std::fs::read_to_string("/proc/sys/net/ipv6/bindv6only")
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    l.step(
        "socket",
        "an IPv6 TCP socket: AF_INET6.",
        "IPv6 TCP 소켓을 만듭니다: AF_INET6.",
    );
    let server = Socket::new(Family::Inet6)?;
    l.step(
        "setsockopt",
        &format!("IPV6_V6ONLY off, said out loud: the default comes from /proc/sys/net/ipv6/bindv6only ({default} here), and a program should not depend on it."),
        &format!("IPV6_V6ONLY를 명시적으로 끕니다: 기본값은 /proc/sys/net/ipv6/bindv6only({default})에서 오므로, 프로그램이 기본값에 기대면 안 됩니다."),
    );
    server.setsockopt(SockOpt::Ipv6V6Only(false))?;
    l.step(
        "setsockopt",
        "SO_REUSEADDR, as servers do: this port is bound again below.",
        "서버가 보통 하듯 SO_REUSEADDR를 켭니다: 아래에서 이 포트에 다시 bind합니다.",
    );
    server.setsockopt(SockOpt::ReuseAddr(true))?;
    let any = any6(addr.port().unwrap_or(0));
    l.step(
        "bind",
        &format!("to {any}: '::' is every address of this machine. strace shows a sockaddr_in6: sin6_port=htons(..), sin6_flowinfo, the address as inet_pton(AF_INET6, \"::\", &sin6_addr), sin6_scope_id; 28 bytes."),
        &format!("{any} 주소를 할당합니다: '::'는 이 컴퓨터의 모든 주소입니다. strace에는 sockaddr_in6가 보입니다: sin6_port=htons(..), sin6_flowinfo, inet_pton(AF_INET6, \"::\", &sin6_addr)로 쓴 주소, sin6_scope_id, 모두 28바이트."),
    );
    server.bind(&any)?;
    l.step(
        "listen",
        "the IPv6 socket listens.",
        "IPv6 소켓이 연결 요청을 기다립니다.",
    );
    let listener = server.listen(16)?;
    let here6 = listener.getsockname()?;
    let port = here6.port().unwrap_or(0);
    l.kernel(&listener);
    let v4 = addr.with_port(port);
    let (connected, wait_connected) = lesson::cue::<()>();
    let client = l.peer(Side::Client, &v4, move |l, v4| {
        l.say(
            &format!("an IPv4 client dials {v4}"),
            &format!("IPv4 클라이언트가 {v4} 주소로 접속합니다"),
        );
        let c = Socket::new(Family::Inet)?.connect(&v4)?;
        connected.give(());
        let mut buf = [0u8; 64];
        while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        c.close()?;
        Ok(())
    });
    wait_connected.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "an IPv4 client, on an IPv6 listener.",
        "IPv6 리스닝 소켓이 IPv4 클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    l.say(
        &format!("the peer is {peer}: an IPv4-mapped IPv6 address, ::ffff: and then the client's four IPv4 bytes. The kernel speaks IPv4 on the wire and shows it to the IPv6 socket this way."),
        &format!("상대 주소는 {peer}입니다: IPv4 매핑 IPv6 주소로, ::ffff: 뒤에 클라이언트의 IPv4 주소 4바이트가 붙습니다. 실제로는 IPv4로 통신하고, 커널이 IPv6 소켓에는 이렇게 보여 줍니다."),
    );
    l.kernel(&conn);
    conn.send(b"hello over IPv4\n", MsgFlags::NONE)?;
    conn.close()?;
    client.join();
    l.step(
        "close",
        "the dual-stack listener.",
        "듀얼 스택 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;

    l.step(
        "socket",
        "another IPv6 socket, this time IPv6 only.",
        "IPv6 소켓을 하나 더 만듭니다. 이번에는 IPv6 전용입니다.",
    );
    let server = Socket::new(Family::Inet6)?;
    l.step("setsockopt", "IPV6_V6ONLY on.", "IPV6_V6ONLY를 켭니다.");
    server.setsockopt(SockOpt::Ipv6V6Only(true))?;
    server.setsockopt(SockOpt::ReuseAddr(true))?;
    l.step(
        "bind",
        &format!("to {}, the same port.", any6(port)),
        &format!("같은 포트인 {} 주소를 할당합니다.", any6(port)),
    );
    server.bind(&any6(port))?;
    let listener = server.listen(16)?;
    l.kernel(&listener);
    l.step(
        "connect",
        &format!("the lesson itself dials {v4} over IPv4."),
        &format!("실습이 직접 IPv4로 {v4} 주소에 연결을 요청합니다."),
    );
    let probe = Socket::new(Family::Inet)?;
    let probe_fd = probe.fd();
    l.expect_errno(
        probe.connect(&v4),
        Errno::ECONNREFUSED,
        &format!("connect returned -1 ECONNREFUSED: with IPV6_V6ONLY on, nothing listens on port {port} for IPv4, and the kernel answers the SYN with a reset. (socklab closed fd {probe_fd}, the socket whose connect failed.)"),
        &format!("connect가 -1 ECONNREFUSED를 돌려줬습니다: IPV6_V6ONLY를 켜면 IPv4로는 포트 {port}에서 연결 요청을 기다리는 소켓이 없으므로, 커널이 SYN에 RST로 답합니다. (socklab은 connect에 실패한 소켓 {} 닫았습니다.)", josa::eul(format!("fd {probe_fd}"))),
    )?;
    if !loopback6 {
        l.say(
            "[::1] part skipped: this machine's lo has no ::1 (/proc/net/if_inet6 lists none; net.ipv6.conf.lo.disable_ipv6 may be 1), so there is no IPv6 loopback to dial.",
            "[::1] 부분은 건너뜁니다: 이 컴퓨터의 lo에는 ::1이 없습니다 (/proc/net/if_inet6에 없음, net.ipv6.conf.lo.disable_ipv6가 1일 수 있음). 연결을 요청할 IPv6 루프백이 없습니다.",
        );
    } else {
        let v6 = SockAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, port, 0, 0));
        let (connected, wait_connected) = lesson::cue::<()>();
        let client = l.peer(Side::Client, &v6, move |l, v6| {
            l.say(
                &format!("an IPv6 client dials {v6}, IPv6's loopback"),
                &format!("IPv6 클라이언트가 IPv6 루프백 {v6} 주소로 접속합니다"),
            );
            let c = Socket::new(Family::Inet6)?.connect(&v6)?;
            connected.give(());
            let mut buf = [0u8; 64];
            while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
            c.close()?;
            Ok(())
        });
        wait_connected.wait();
        l.wait_for_peer(&listener)?;
        l.step(
            "accept",
            "an IPv6 client.",
            "IPv6 클라이언트의 연결 요청을 수락합니다.",
        );
        let (conn, peer) = listener.accept()?;
        l.say(
            &format!("the peer is {peer}: ::1 is to IPv6 what 127.0.0.1 is to IPv4."),
            &format!(
                "상대 주소는 {peer}입니다: ::1은 IPv6에서 IPv4의 127.0.0.1과 같은 주소입니다."
            ),
        );
        l.kernel(&conn);
        conn.send(b"hello over IPv6\n", MsgFlags::NONE)?;
        conn.close()?;
        client.join();
    }
    l.step(
        "close",
        "the IPv6-only listener.",
        "IPv6 전용 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    Ok(())
}

/// This process's open fds, from /proc/self/fd (the listing's own fd
/// left out).
fn open_fds() -> BTreeSet<i32> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return BTreeSet::new();
    };
    let mut fds: BTreeSet<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    // The directory being read is an fd too, open only while it is read:
    // the one whose link no longer resolves.
    fds.retain(|fd| std::fs::read_link(format!("/proc/self/fd/{fd}")).is_ok());
    fds
}

/// This thread's read calls and bytes read so far, from
/// /proc/thread-self/io (`syscr`, `rchar`), read with one read call; and
/// how many bytes that read returned, which the counters take in after it.
fn reads_so_far() -> Option<(u64, u64, u64)> {
    use std::io::Read;
    let mut f = std::fs::File::open("/proc/thread-self/io").ok()?;
    let mut buf = [0u8; 512];
    let n = f.read(&mut buf).ok()?;
    let text = std::str::from_utf8(&buf[..n]).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
    };
    Some((field("syscr:")?, field("rchar:")?, n as u64))
}

/// /etc/hosts' addresses for `name`, in file order.
fn hosts_file(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let ip = words.next()?;
            words.any(|w| w == name).then(|| ip.to_string())
        })
        .collect()
}

fn ip_of(a: &SockAddr) -> String {
    match a {
        SockAddr::V4(v4) => v4.ip().to_string(),
        SockAddr::V6(v6) => v6.ip().to_string(),
        other => other.to_string(),
    }
}

fn name_lookup(l: &'static Lesson, port: u16) -> Outcome {
    l.say("\nPart 3: name lookup.", "\n3부: 이름 조회.");
    let mut found: Vec<String> = Vec::new();
    for (flags, flag_name) in [(AiFlags::NONE, "0"), (AiFlags::ADDRCONFIG, "AI_ADDRCONFIG")] {
        l.step(
            "getaddrinfo",
            &format!("getaddrinfo(\"localhost\", \"{port}\", {{ai_flags={flag_name}, ai_family=AF_UNSPEC, ai_socktype=SOCK_STREAM}}, &res): a C library function, not a system call."),
            &format!("getaddrinfo(\"localhost\", \"{port}\", {{ai_flags={flag_name}, ai_family=AF_UNSPEC, ai_socktype=SOCK_STREAM}}, &res): 시스템 콜이 아니라 C 라이브러리 함수입니다."),
        );
        let fds_before = open_fds();
        let before = reads_so_far();
        let answer = lookup::getaddrinfo("localhost", port, flags);
        let after = reads_so_far();
        let fds_after = open_fds();
        let answer = answer.map_err(|e| LessonError::Message {
            en: e.to_string(),
            ko: format!("getaddrinfo 실패: {} (코드 {})", e.message, e.code),
        })?;
        let ips: Vec<String> = answer.iter().map(ip_of).collect();
        if found.is_empty() {
            found = ips.clone();
        }
        l.say(
            &format!("it returned {}: {}.", answer.len(), ips.join(", ")),
            &format!("결과는 {}개입니다: {}.", answer.len(), ips.join(", ")),
        );
        if let (Some((r0, b0, n0)), Some((r1, b1, _))) = (before, after) {
            // The first reading's own read call, and its bytes, count
            // after it: take them out.
            let calls = r1.saturating_sub(r0 + 1);
            let bytes = b1.saturating_sub(b0 + n0);
            l.say(
                &format!("No line was printed, yet the kernel did work: /proc/thread-self/io says this thread made {calls} read calls inside getaddrinfo, reading {bytes} bytes. Those are glibc's own system calls, not the lesson's: socklab wraps the calls the lesson makes, and cannot print the ones inside the C library."),
                &format!("출력된 줄은 없지만 커널은 일을 했습니다: /proc/thread-self/io를 보면 이 쓰레드가 getaddrinfo 안에서 read를 {calls}번 호출해 {bytes}바이트를 읽었습니다. 실습이 아니라 glibc가 직접 한 시스템 콜입니다: socklab은 실습이 하는 호출을 감싸 출력할 뿐, C 라이브러리 안의 호출은 출력할 수 없습니다."),
            );
        }
        let list = |fds: &BTreeSet<i32>| {
            fds.iter()
                .map(|fd| fd.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        if fds_before == fds_after {
            l.say(
                &format!("/proc/self/fd before and after: the same fds ({}). Whatever glibc opened inside, it closed again, so the next socket still gets the lowest free number.", list(&fds_after)),
                &format!("/proc/self/fd는 호출 전과 후가 같습니다 ({}). glibc가 안에서 연 것은 모두 다시 닫았으므로, 다음 소켓도 비어 있는 가장 작은 번호를 받습니다.", list(&fds_after)),
            );
        } else {
            l.say(
                &format!("/proc/self/fd before: {}; after: {}. glibc left fds open, so the next socket's number shifts.", list(&fds_before), list(&fds_after)),
                &format!("/proc/self/fd 호출 전: {}, 호출 후: {}. glibc가 연 fd가 남아 있어 다음 소켓의 번호가 밀립니다.", list(&fds_before), list(&fds_after)),
            );
        }
    }
    let hosts = hosts_file("localhost");
    let same = {
        let mut a = hosts.clone();
        let mut b = found.clone();
        a.sort();
        a.dedup();
        b.sort();
        b.dedup();
        a == b
    };
    // Where glibc looks, in order: the hosts line of /etc/nsswitch.conf.
    let sources = std::fs::read_to_string("/etc/nsswitch.conf")
        .unwrap_or_default()
        .lines()
        .find(|l| l.trim_start().starts_with("hosts:"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "hosts: (none)".into());
    let hosts_text = if hosts.is_empty() {
        "-".to_string()
    } else {
        hosts.join(", ")
    };
    if same {
        l.say(
            &format!("/etc/hosts gives localhost the addresses {hosts_text}: the ones getaddrinfo returned. /etc/nsswitch.conf tells glibc where to look, in order: '{sources}'; 'files' is /etc/hosts."),
            &format!("/etc/hosts에 적힌 localhost의 주소는 {hosts_text}입니다. getaddrinfo가 돌려준 주소와 같습니다. glibc가 어디를 어떤 순서로 찾을지는 /etc/nsswitch.conf에 있습니다: '{sources}'. 'files'가 /etc/hosts입니다."),
        );
    } else {
        l.say(
            &format!("/etc/hosts gives localhost the addresses {hosts_text}, but getaddrinfo returned {}: glibc found them elsewhere, in a source of /etc/nsswitch.conf's '{sources}'.", found.join(", ")),
            &format!("/etc/hosts에 적힌 localhost의 주소는 {hosts_text}이지만, getaddrinfo는 다른 주소를 돌려줬습니다: {}. glibc가 /etc/nsswitch.conf의 '{sources}' 가운데 다른 곳에서 찾았습니다.", found.join(", ")),
        );
    }
    l.say(
        "To see every system call glibc made inside these lookups, run the lesson under strace: socklab strace 11 (they are marked as the C library's).",
        "이 조회들 안에서 glibc가 한 시스템 콜을 모두 보려면 strace로 실습을 실행하세요: socklab strace 11 (C 라이브러리의 호출로 표시됩니다).",
    );
    Ok(())
}
