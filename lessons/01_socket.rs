//! Lesson 01 · socket: a new fd for talking to the network.
//!
//! `socket()` creates an endpoint in the kernel and gives the program a
//! file descriptor for it: the lowest number not in use, so 3 in a program
//! that has only stdin (0), stdout (1) and stderr (2) open. Nothing is
//! sent on the network yet: the socket has no address and no peer.

use socklab::lesson::{self, Lesson, Outcome};
use socklab::{DatagramSocket, Socket};

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
    l.say(
        &format!(
            "fd {}: the lowest free number, after stdin 0, stdout 1 and stderr 2.",
            tcp.fd()
        ),
        &format!(
            "fd {}: 비어 있는 가장 작은 번호입니다 (stdin 0, stdout 1, stderr 2 다음).",
            tcp.fd()
        ),
    );
    l.proc_fd(&tcp);
    l.say(
        "To the process it is just an fd; the kernel keeps the socket itself, named by that inode.",
        "프로세스에게는 그저 fd 하나이고, 소켓 자체는 커널이 그 inode 번호로 관리합니다.",
    );
    l.kernel(&tcp);

    l.step(
        "socket",
        "for contrast, a UDP socket: SOCK_DGRAM, separate messages, no connection.",
        "비교하려고 UDP 소켓도 만듭니다: SOCK_DGRAM, 연결 없이 낱개의 메시지.",
    );
    let udp = DatagramSocket::new(family)?;
    l.say(
        &format!("fd {}: the next free number.", udp.fd()),
        &format!("fd {}: 그다음 빈 번호입니다.", udp.fd()),
    );
    l.proc_fd(&udp);
    l.kernel(&udp);

    l.step(
        "close",
        "give the UDP socket back to the kernel.",
        "UDP 소켓을 커널에 돌려줍니다.",
    );
    udp.close()?;
    l.step(
        "close",
        "and the TCP socket. Its number 3 is free again for the next socket.",
        "TCP 소켓도 닫습니다. 3번은 다시 다음 소켓이 쓸 수 있습니다.",
    );
    tcp.close()?;
    Ok(())
}
