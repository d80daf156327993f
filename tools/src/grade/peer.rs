//! The other side of the conversation, scripted per exercise, over real
//! sockets on loopback. The peer is the grader's, not the student's: it
//! runs outside strace, so its calls are not in the record.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// What the peer saw.
#[derive(Clone, Debug, Default)]
pub struct PeerReport {
    pub received: Vec<u8>,
    pub error: Option<String>,
}

/// The greeting of exercise 1, and the pieces it is sent in: odd sizes,
/// with a pause after each, so a program that calls recv once gets only
/// the start.
pub const GREETING: &[u8] =
    b"Hello from the socklab peer.\nThis greeting arrives in pieces;\nread until recv returns 0.\n";
const GREETING_PIECES: &[usize] = &[1, 7, 13, 29];
const PAUSE: Duration = Duration::from_millis(40);

/// The request of exercise 2, sent in two pieces with a pause between.
pub const REQUEST: &[u8] = b"ping from the socklab peer\n";
const REQUEST_SPLIT: usize = 9;

/// Exercise 1's server: accept one connection, send the greeting in
/// pieces, close.
pub fn greeting_server(listener: TcpListener, deadline: Instant) -> PeerReport {
    let mut report = PeerReport::default();
    let result = (|| -> std::io::Result<()> {
        wait_readable(listener.as_raw_fd(), deadline)?;
        let (mut conn, _) = listener.accept()?;
        let mut rest = GREETING;
        for &n in GREETING_PIECES.iter().chain(std::iter::once(&usize::MAX)) {
            let (piece, after) = rest.split_at(n.min(rest.len()));
            conn.write_all(piece)?;
            rest = after;
            if rest.is_empty() {
                break;
            }
            std::thread::sleep(PAUSE);
        }
        Ok(())
        // conn is dropped here: close, and the program's recv returns 0.
    })();
    report.error = result.err().map(|e| e.to_string());
    report
}

/// Exercise 2's client: connect once the program listens, send the
/// request in two pieces, read the answer until EOF.
pub fn request_client(addr: SocketAddr, deadline: Instant) -> PeerReport {
    let mut report = PeerReport::default();
    let result = (|| -> std::io::Result<()> {
        let mut conn = connect_when_listening(addr, deadline)?;
        conn.set_read_timeout(Some(remaining(deadline)?))?;
        let (a, b) = REQUEST.split_at(REQUEST_SPLIT);
        conn.write_all(a)?;
        std::thread::sleep(PAUSE);
        conn.write_all(b)?;
        let mut buf = [0u8; 4096];
        loop {
            let n = conn.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            report.received.extend_from_slice(&buf[..n]);
            if report.received.len() > 1 << 20 {
                return Err(std::io::Error::other("more than 1 MiB of answer"));
            }
        }
    })();
    report.error = result.err().map(|e| e.to_string());
    report
}

fn remaining(deadline: Instant) -> std::io::Result<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| std::io::Error::new(ErrorKind::TimedOut, "deadline passed"))
}

/// Wait until `fd` is readable (a connection to accept), or the deadline.
fn wait_readable(fd: i32, deadline: Instant) -> std::io::Result<()> {
    loop {
        let ms = remaining(deadline)?.as_millis().min(i32::MAX as u128) as i32;
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut p, 1, ms.max(1)) };
        if n > 0 {
            return Ok(());
        }
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

/// The program starts on its own time; until its listen, a connect is
/// refused. Try again every few milliseconds until the deadline: the
/// program's listen is the readiness signal, and only a connect sees it.
fn connect_when_listening(addr: SocketAddr, deadline: Instant) -> std::io::Result<TcpStream> {
    loop {
        match TcpStream::connect_timeout(&addr, remaining(deadline)?) {
            Ok(c) => return Ok(c),
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e),
        }
    }
}
