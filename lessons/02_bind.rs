//! Lesson 02 · bind: giving a socket an address.
//!
//! A new socket has no address. `bind` gives it one: an IP address of this
//! machine and a port. A server binds so that clients know where to dial;
//! 127.0.0.1 (loopback) means only programs on this machine can reach it.
//!
//! While a socket holds 127.0.0.1:7802, a second bind to it fails with
//! EADDRINUSE. Port 0 asks the kernel for any free port, and `getsockname`
//! tells which one it picked.
//!
//! SO_REUSEADDR on Linux: two sockets may both be bound to one address only
//! if *both* set it, and even then only one of them may listen. It never
//! lets two live servers share a port. What it is for: after a close, the
//! connection's address pair stays in TIME_WAIT for about a minute (lesson
//! 07), and without SO_REUSEADDR a restarted server cannot bind its port
//! until then.

use socklab::{Errno, SockOpt, Socket};
use socklab_tools::lesson::{self, josa, Lesson, Outcome};

fn main() {
    lesson::run(2, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;

    l.step(
        "socket",
        "a TCP socket. It has no address yet.",
        "TCP 소켓을 만듭니다. 아직 주소가 없습니다.",
    );
    let first = Socket::new(addr.family())?;
    l.kernel(&first);

    l.step(
        "bind",
        &format!("give it the address {addr}: IP address and port, as a sockaddr."),
        &format!(
            "소켓에 {addr} 주소를 할당합니다: IP 주소와 포트를 sockaddr 구조체에 담아 넘깁니다."
        ),
    );
    first.bind(&addr)?;
    if addr.port() == Some(0) {
        l.say(
            &format!("(--port 0: this bind let the kernel pick too, so steps 4 to 6 repeat it. Without --port the lesson binds its fixed port {}.)", l.info.port),
            &format!("(--port 0이라 이 bind도 커널이 포트를 골랐고, 4~6단계가 같은 일을 되풀이합니다. --port 없이 실행하면 고정 포트 {}번에 bind합니다.)", l.info.port),
        );
    }

    l.step(
        "getsockname",
        "ask the kernel which address the socket has now.",
        "소켓이 지금 어떤 주소를 가졌는지 커널에 묻습니다.",
    );
    let taken = first.getsockname()?;
    l.say(
        &format!("fd {} holds {taken}. It does not listen yet, so a client dialing it would be refused (lesson 03).", first.fd()),
        &format!("{} {taken} 주소를 차지했습니다. 아직 listen하지 않으므로 이 주소로 접속하면 거절됩니다 (실습 03).", josa::i(format!("fd {}", first.fd()))),
    );
    l.kernel(&first);
    if l.interactive() {
        let nc = lesson::nc_args(&taken);
        l.say(
            &format!("Try it in another terminal:  nc -v {nc}   It is refused: an address alone is not a server. Then press Enter."),
            &format!("다른 터미널에서 해 보세요:  nc -v {nc}   거절됩니다: 주소만으로는 서버가 아닙니다. 그다음 Enter를 누르세요."),
        );
        l.wait_for_enter()?;
    }

    l.step(
        "socket",
        "a second socket, to bind to port 0.",
        "포트 0에 bind할 두 번째 소켓을 만듭니다.",
    );
    let any_port = Socket::new(addr.family())?;
    l.step(
        "bind",
        "port 0 means: kernel, pick any free port for me.",
        "포트 0은 \"커널이 비어 있는 포트를 아무거나 골라 달라\"는 뜻입니다.",
    );
    any_port.bind(&addr.with_port(0))?;
    l.step(
        "getsockname",
        "bind returned 0 but did not say which port: ask.",
        "bind는 0만 돌려줄 뿐 어떤 포트인지 말하지 않으니 물어봅니다.",
    );
    let picked = any_port.getsockname()?;
    l.say(
        &format!("the kernel picked {picked}: a free port from the ephemeral range (/proc/sys/net/ipv4/ip_local_port_range)."),
        &format!("커널이 고른 주소는 {picked}입니다: 임시 포트 범위(/proc/sys/net/ipv4/ip_local_port_range)의 빈 포트입니다."),
    );
    l.step(
        "close",
        "done with the port-0 socket: its port is free again.",
        "포트 0 소켓은 다 썼으니 닫습니다: 그 포트는 다시 비게 됩니다.",
    );
    any_port.close()?;

    l.step(
        "socket",
        &format!(
            "a third socket, to bind to {taken}, which fd {} still holds.",
            first.fd()
        ),
        &format!(
            "세 번째 소켓을 만들어, {} 아직 쥐고 있는 {taken} 주소에 bind해 봅니다.",
            josa::i(format!("fd {}", first.fd()))
        ),
    );
    let second = Socket::new(addr.family())?;
    l.step(
        "bind",
        "the same address again. Expect -1 EADDRINUSE.",
        "같은 주소에 또 bind합니다. -1 EADDRINUSE가 나올 것입니다.",
    );
    l.expect_errno(
        second.bind(&taken),
        Errno::EADDRINUSE,
        &format!(
            "bind returned -1, errno EADDRINUSE: fd {} already holds {taken}.",
            first.fd()
        ),
        &format!(
            "bind가 -1을 돌려줬고 errno는 EADDRINUSE입니다: {taken} 주소는 이미 {} 쥐고 있습니다.",
            josa::i(format!("fd {}", first.fd()))
        ),
    )?;

    l.step(
        "setsockopt",
        "SO_REUSEADDR on the third socket. Will the bind work now?",
        "세 번째 소켓에 SO_REUSEADDR를 켭니다. 이제 bind가 될까요?",
    );
    second.setsockopt(SockOpt::ReuseAddr(true))?;
    l.step(
        "bind",
        "the same address, with SO_REUSEADDR.",
        "SO_REUSEADDR를 켠 채 같은 주소에 bind합니다.",
    );
    l.expect_errno(
        second.bind(&taken),
        Errno::EADDRINUSE,
        &format!("EADDRINUSE again: fd {} did not set SO_REUSEADDR. Linux shares an address between two bound sockets only if both set it.", first.fd()),
        &format!("또 EADDRINUSE입니다: fd {}에는 SO_REUSEADDR가 꺼져 있습니다. 리눅스는 두 소켓이 모두 SO_REUSEADDR를 켰을 때만 한 주소에 함께 bind하게 해 줍니다.", first.fd()),
    )?;

    l.step(
        "setsockopt",
        &format!("SO_REUSEADDR on fd {} too.", first.fd()),
        &format!("fd {}에도 SO_REUSEADDR를 켭니다.", first.fd()),
    );
    first.setsockopt(SockOpt::ReuseAddr(true))?;
    l.step(
        "bind",
        "the third socket tries the same address once more.",
        "세 번째 소켓이 같은 주소에 한 번 더 bind합니다.",
    );
    second.bind(&taken)?;
    l.say(
        &format!("bind returned 0: both sockets set SO_REUSEADDR and neither listens, so Linux lets both hold {taken}."),
        &format!("bind가 0을 돌려줬습니다: 두 소켓 모두 SO_REUSEADDR를 켰고 둘 다 listen하지 않으므로, 리눅스는 둘이 함께 {taken} 주소를 갖게 합니다."),
    );

    l.step(
        "listen",
        &format!("fd {} listens on {taken}.", first.fd()),
        &format!(
            "{} {taken} 주소에서 listen합니다.",
            josa::i(format!("fd {}", first.fd()))
        ),
    );
    let server = first.listen(1)?;
    l.step(
        "listen",
        "and the third socket on the same address? Expect -1 EADDRINUSE.",
        "세 번째 소켓도 같은 주소에서 listen하면? -1 EADDRINUSE가 나올 것입니다.",
    );
    let third = second.fd();
    l.expect_errno(
        second.listen(1),
        Errno::EADDRINUSE,
        &format!("listen returned -1, errno EADDRINUSE: only one socket may listen on an address, SO_REUSEADDR or not. (socklab closes a socket whose listen failed: the close({third}) above.) So SO_REUSEADDR never lets two live servers share a port; it lets a server bind while only TIME_WAIT leftovers of old connections hold the port (lesson 07), which is why servers set it before bind."),
        &format!("listen이 -1을 돌려줬고 errno는 EADDRINUSE입니다: SO_REUSEADDR와 상관없이 한 주소에서 listen할 수 있는 소켓은 하나뿐입니다. (socklab은 listen에 실패한 소켓을 닫습니다: 위의 close({third}).) 그러니 SO_REUSEADDR를 켜도 살아 있는 두 서버가 한 포트를 나눠 쓸 수는 없습니다. SO_REUSEADDR는 옛 연결이 Time-wait 상태로 포트를 쥐고 있을 때도 서버가 bind할 수 있게 해 줍니다 (실습 07). 그래서 서버는 bind 전에 이 옵션을 켭니다."),
    )?;

    l.step(
        "close",
        &format!("close fd {}: the address it held is free.", server.fd()),
        &format!(
            "{} 닫습니다: 쥐고 있던 주소가 풀립니다.",
            josa::eul(format!("fd {}", server.fd()))
        ),
    );
    server.close()?;

    l.step(
        "socket",
        "a fresh socket, without SO_REUSEADDR.",
        "SO_REUSEADDR를 켜지 않은 새 소켓을 만듭니다.",
    );
    let last = Socket::new(addr.family())?;
    l.step(
        "bind",
        "the same address: nobody holds it now.",
        "같은 주소에 bind합니다: 이제 아무도 쥐고 있지 않습니다.",
    );
    last.bind(&taken)?;
    l.say(
        &format!("bind returned 0: {taken} is free as soon as its socket is closed (no connection ever used it, so nothing lingers in TIME_WAIT)."),
        &format!("bind가 0을 돌려줬습니다: 소켓을 닫자마자 {taken} 주소가 풀렸습니다 (연결을 한 적이 없으니 Time-wait 상태로 남는 것도 없습니다)."),
    );

    l.step("close", "and the last socket.", "마지막 소켓도 닫습니다.");
    last.close()?;
    Ok(())
}
