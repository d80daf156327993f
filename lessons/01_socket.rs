//! Lesson 01 · socket: a new fd for talking to the network.
//!
//! `socket()` creates an endpoint in the kernel and gives the program a
//! file descriptor for it: the lowest number not in use, so 3 in a program
//! that has only stdin (0), stdout (1) and stderr (2) open. Nothing is
//! sent on the network yet: the socket has no address and no peer.
//!
//! The kernel's tables in /proc/net list a socket only once the kernel can
//! find it by address: a TCP socket once it listens or connects (lessons
//! 02 and 03), a UDP socket as soon as it has a port, which this lesson
//! gives it with `bind`.

use socklab::{DatagramSocket, Socket};
use socklab_tools::lesson::{self, josa, Lesson, Outcome};

fn main() {
    lesson::run(1, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let family = l.addr()?.family();

    l.step(
        "socket",
        "a TCP socket: SOCK_STREAM, a reliable byte stream.",
        "TCP 소켓을 만듭니다: SOCK_STREAM, 신뢰할 수 있는 바이트 스트림.",
    );
    let tcp = Socket::new(family)?;
    let fd = tcp.fd();
    if fd == 3 {
        l.say(
            "fd 3: the lowest free number, after stdin 0, stdout 1 and stderr 2.",
            "fd 3: 비어 있는 가장 작은 번호입니다. 0(stdin), 1(stdout), 2(stderr)는 이미 쓰고 있습니다.",
        );
    } else {
        l.say(
            &format!("fd {fd}: the lowest free number. 0 to {} were already open: stdin, stdout, stderr, and what this program was started with.", fd - 1),
            &format!("fd {fd}: 비어 있는 가장 작은 번호입니다. 0부터 {}까지는 이미 열려 있습니다: stdin, stdout, stderr, 그리고 이 프로그램이 시작할 때 받은 fd들.", fd - 1),
        );
    }
    l.proc_fd(&tcp);
    l.say(
        "To the process it is just an fd; the kernel keeps the socket itself, named by that inode.",
        "프로세스에게 소켓은 fd 하나일 뿐입니다. 소켓 자체는 커널 안에 있고, 커널은 그것을 이 inode 번호로 식별합니다.",
    );
    l.kernel(&tcp);

    l.step(
        "socket",
        "for contrast, a UDP socket: SOCK_DGRAM, separate messages, no connection.",
        "비교를 위해 UDP 소켓도 만듭니다: SOCK_DGRAM, 연결 없이 주고받는 데이터그램.",
    );
    let udp = DatagramSocket::new(family)?;
    l.say(
        &format!("fd {}: the next free number.", udp.fd()),
        &format!("fd {}: 그다음으로 비어 있는 번호입니다.", udp.fd()),
    );
    l.proc_fd(&udp);
    l.kernel(&udp);

    let any_port = l.addr()?.with_port(0);
    l.step(
        "bind",
        "give the UDP socket an address, port 0: any free port.",
        "UDP 소켓에 주소를 할당합니다. 포트 0: 비어 있는 아무 포트.",
    );
    udp.bind(&any_port)?;
    l.say(
        "Now it has a port, and the kernel lists it in /proc/net/udp. A TCP socket would not be listed yet: it needs listen or connect.",
        "이제 포트가 생겼으므로 커널이 /proc/net/udp에 올립니다. TCP 소켓이라면 아직 목록에 없습니다: listen이나 connect가 필요합니다.",
    );
    l.kernel(&udp);

    l.step(
        "close",
        "give the UDP socket back to the kernel.",
        "UDP 소켓을 커널에 돌려줍니다.",
    );
    udp.close()?;
    l.step(
        "close",
        &format!("and the TCP socket. Its number {fd} is free again for the next socket."),
        &format!(
            "TCP 소켓도 닫습니다. 이제 fd {} 다음 소켓이 쓸 수 있습니다.",
            josa::eun(fd)
        ),
    );
    tcp.close()?;
    Ok(())
}
