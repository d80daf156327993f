//! The other side of the conversation, scripted per exercise, over real
//! sockets on loopback. The peer is the grader's, not the student's: it
//! runs outside strace, so its calls are not in the record.

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the peer saw.
#[derive(Clone, Debug, Default)]
pub struct PeerReport {
    /// What each of the peer's connections received, in the order they
    /// were made (one entry per client the peer played).
    pub received: Vec<Vec<u8>>,
    pub error: Option<String>,
}

/// Set by the grader once the program has ended: from then on a refused
/// connect or a connection that never comes is final, not "not yet".
pub type ProgramEnded = Arc<AtomicBool>;

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

/// The three clients of exercise 3, one after another: each sends its
/// lines in the pieces given (a pause after each), half-closes, and reads
/// its echo until EOF.
pub const ECHO_CLIENTS: [(&[u8], &[usize]); 3] = [
    (b"first client: one line\n", &[3, 11]),
    (
        b"second client: line one\nsecond client: line two\n",
        &[1, 30, 9],
    ),
    (
        b"third client: a\nthird client: bb\nthird client: ccc\n",
        &[17, 2, 25],
    ),
];

/// Exercise 4's stream: 100 KB (102,400 bytes) of numbered 64-byte
/// lines, so a lost, repeated or reordered piece shows where it happened.
pub const STREAM_LEN: usize = 100 * 1024;
/// The odd-sized pieces it is sent in, a pause after each; the rest of
/// the stream goes in one last write. The first piece is a single byte,
/// so a program that stops at a short recv stops at once.
const STREAM_PIECES: &[usize] = &[1, 4093, 37, 16411, 997, 65, 30011, 3, 9999];

/// The stream of exercise 4, byte for byte.
pub fn stream() -> Vec<u8> {
    let mut out = Vec::with_capacity(STREAM_LEN);
    for line in 0..STREAM_LEN / 64 {
        let mut l = format!("{line:05} socklab stream: 100 KB in odd pieces; read to EOF.");
        while l.len() < 63 {
            l.push('.');
        }
        l.push('\n');
        out.extend_from_slice(l.as_bytes());
    }
    out
}

/// Exercise 1's server: accept one connection, send the greeting in
/// pieces, close.
pub fn greeting_server(
    listener: TcpListener,
    deadline: Instant,
    ended: ProgramEnded,
) -> PeerReport {
    send_in_pieces(listener, deadline, ended, GREETING, GREETING_PIECES)
}

/// Exercise 4's server: accept one connection, send the 100 KB stream in
/// odd pieces with pauses, close.
pub fn stream_server(listener: TcpListener, deadline: Instant, ended: ProgramEnded) -> PeerReport {
    send_in_pieces(listener, deadline, ended, &stream(), STREAM_PIECES)
}

fn send_in_pieces(
    listener: TcpListener,
    deadline: Instant,
    ended: ProgramEnded,
    data: &[u8],
    pieces: &[usize],
) -> PeerReport {
    let mut report = PeerReport::default();
    let result = (|| -> std::io::Result<()> {
        wait_for_client(listener.as_raw_fd(), deadline, &ended)?;
        let (mut conn, _) = listener.accept()?;
        write_in_pieces(&mut conn, data, pieces)
        // conn is dropped here: close, and the program's recv returns 0.
    })();
    report.error = result.err().map(|e| e.to_string());
    report
}

/// Write `data` in the pieces given, pausing after each; what is left
/// after the last piece goes in one write.
fn write_in_pieces(conn: &mut TcpStream, data: &[u8], pieces: &[usize]) -> std::io::Result<()> {
    let mut rest = data;
    for &n in pieces.iter().chain(std::iter::once(&usize::MAX)) {
        let (piece, after) = rest.split_at(n.min(rest.len()));
        conn.write_all(piece)?;
        rest = after;
        if rest.is_empty() {
            break;
        }
        std::thread::sleep(PAUSE);
    }
    Ok(())
}

/// Exercise 2's client: connect once the program listens, send the
/// request in two pieces, read the answer until EOF.
pub fn request_client(addr: SocketAddr, deadline: Instant, ended: ProgramEnded) -> PeerReport {
    let mut report = PeerReport::default();
    let mut received = Vec::new();
    let result = (|| -> std::io::Result<()> {
        let mut conn = connect_when_listening(addr, deadline, &ended)?;
        conn.set_read_timeout(Some(remaining(deadline)?))?;
        write_in_pieces(&mut conn, REQUEST, &[REQUEST_SPLIT])?;
        read_to_eof(&mut conn, &mut received)
    })();
    report.received.push(received);
    report.error = result.err().map(|e| e.to_string());
    report
}

/// Exercise 3's clients, in turn: each connects once the one before has
/// its EOF, sends its lines in pieces, half-closes (shutdown SHUT_WR, so
/// the server's recv returns 0) and reads the echo until EOF. A client
/// that fails does not stop the next one: a server that broke one
/// conversation is still asked for the others.
pub fn echo_clients(addr: SocketAddr, deadline: Instant, ended: ProgramEnded) -> PeerReport {
    let mut report = PeerReport::default();
    let mut errors = Vec::new();
    for (k, (lines, pieces)) in ECHO_CLIENTS.iter().enumerate() {
        let mut received = Vec::new();
        let result = (|| -> std::io::Result<()> {
            let mut conn = connect_when_listening(addr, deadline, &ended)?;
            conn.set_read_timeout(Some(remaining(deadline)?))?;
            let sent = write_in_pieces(&mut conn, lines, pieces)
                .and_then(|()| conn.shutdown(Shutdown::Write));
            // A server that closed early makes the next write fail; what
            // it did echo before that is still there to read.
            let read = read_to_eof(&mut conn, &mut received);
            sent.and(read)
        })();
        report.received.push(received);
        if let Err(e) = result {
            errors.push(format!("client {}: {e}", k + 1));
            if ended.load(Ordering::SeqCst) || Instant::now() >= deadline {
                break;
            }
        }
    }
    if !errors.is_empty() {
        report.error = Some(errors.join("; "));
    }
    report
}

/// Read until EOF into `into` (at most 1 MiB).
fn read_to_eof(conn: &mut TcpStream, into: &mut Vec<u8>) -> std::io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        into.extend_from_slice(&buf[..n]);
        if into.len() > 1 << 20 {
            return Err(std::io::Error::other("more than 1 MiB of answer"));
        }
    }
}

fn remaining(deadline: Instant) -> std::io::Result<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| std::io::Error::new(ErrorKind::TimedOut, "deadline passed"))
}

/// Wait until the listening `fd` is readable (a connection to accept),
/// the program has ended without connecting, or the deadline.
fn wait_for_client(fd: i32, deadline: Instant, ended: &AtomicBool) -> std::io::Result<()> {
    loop {
        // Read before the poll: a program that connected and then ended
        // left its connection in the queue, and the poll still sees it.
        let was_ended = ended.load(Ordering::SeqCst);
        let ms = remaining(deadline)?.as_millis().min(20) as i32;
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
        } else if was_ended {
            return Err(std::io::Error::new(
                ErrorKind::NotConnected,
                "the program ended without connecting",
            ));
        }
    }
}

/// The program starts on its own time; until its listen, a connect is
/// refused. Try again every few milliseconds until the deadline: the
/// program's listen is the readiness signal, and only a connect sees it.
/// Once the program has ended, a refusal is final.
fn connect_when_listening(
    addr: SocketAddr,
    deadline: Instant,
    ended: &AtomicBool,
) -> std::io::Result<TcpStream> {
    loop {
        let was_ended = ended.load(Ordering::SeqCst);
        match TcpStream::connect_timeout(&addr, remaining(deadline)?) {
            Ok(c) => return Ok(c),
            Err(e) if e.kind() == ErrorKind::ConnectionRefused && !was_ended => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                return Err(std::io::Error::new(
                    e.kind(),
                    "connection refused: the program had ended",
                ))
            }
            Err(e) => return Err(e),
        }
    }
}

/// Exercise 5's data: 1 MiB (1,048,576 bytes) where byte `i` is
/// `i % 251`. 251 is a prime that divides no power of two, so a piece
/// lost, repeated or sent twice shows at once, and where.
pub const MEBIBYTE: usize = 1 << 20;

/// Exercise 5's 1 MiB, byte for byte.
pub fn mebibyte() -> Vec<u8> {
    (0..MEBIBYTE).map(|i| (i % 251) as u8).collect()
}

/// The receive buffer exercise 5's server asks for (the kernel doubles
/// it): small, so the program's sends fill it and wait for room.
const SLOW_RCVBUF: libc::c_int = 4096;
/// The sizes of its first reads, a pause after each; then it reads as
/// fast as it can.
const SLOW_READS: &[usize] = &[1, 997, 4093, 61, 8192];

/// Exercise 5's server: accept one connection on a small receive
/// buffer, read slowly at first (odd sizes, pauses), then to EOF; report
/// every byte received (at most 2 MiB).
pub fn slow_reader(listener: TcpListener, deadline: Instant, ended: ProgramEnded) -> PeerReport {
    let mut report = PeerReport::default();
    let mut received = Vec::new();
    let result = (|| -> std::io::Result<()> {
        // Set on the listening socket, so the accepted one has it from
        // its first segment on.
        // SAFETY: setsockopt with a pointer to an int and its size.
        let r = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&SLOW_RCVBUF as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
        wait_for_client(listener.as_raw_fd(), deadline, &ended)?;
        let (mut conn, _) = listener.accept()?;
        conn.set_read_timeout(Some(remaining(deadline)?))?;
        let mut buf = vec![0u8; 64 * 1024];
        for k in 0.. {
            let want = SLOW_READS.get(k).copied().unwrap_or(buf.len());
            let n = conn.read(&mut buf[..want])?;
            if n == 0 {
                return Ok(());
            }
            received.extend_from_slice(&buf[..n]);
            if received.len() > 2 * MEBIBYTE {
                return Err(std::io::Error::other("more than 2 MiB received"));
            }
            if k < SLOW_READS.len() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    })();
    report.received.push(received);
    report.error = result.err().map(|e| e.to_string());
    report
}

/// A small random generator (splitmix64): the same seed, the same
/// numbers, on every machine.
pub struct Draw(u64);

impl Draw {
    pub fn new(seed: u64) -> Draw {
        Draw(seed)
    }
    pub fn number(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `lo..=hi`.
    pub fn within(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.number() % (hi - lo + 1)
    }
}

/// Exercise 6's conversation for a seed: each request line the client
/// sends and the answer line it expects, `ADD a b` (answered `a+b`) and
/// last `QUIT` (answered `BYE`).
pub fn line_requests(seed: u64) -> Vec<(String, String)> {
    let mut draw = Draw::new(seed);
    let count = draw.within(6, 9);
    let mut out: Vec<(String, String)> = (0..count)
        .map(|_| {
            let (a, b) = (draw.within(0, 9999), draw.within(0, 9999));
            (format!("ADD {a} {b}\n"), format!("{}\n", a + b))
        })
        .collect();
    out.push(("QUIT\n".into(), "BYE\n".into()));
    out
}

/// The pieces exercise 6's client sends its requests in, cut at points
/// drawn from the seed, and drawn again until the cuts hold all three
/// cases a line reader must handle: a line cut into three pieces or more,
/// a piece with two whole lines, and a piece with a line and a half.
pub fn line_pieces(seed: u64) -> Vec<Vec<u8>> {
    let all: Vec<u8> = line_requests(seed)
        .into_iter()
        .flat_map(|(req, _)| req.into_bytes())
        .collect();
    let mut draw = Draw::new(seed ^ 0x5eed);
    loop {
        let mut pieces = Vec::new();
        let mut rest = &all[..];
        while !rest.is_empty() {
            // Short pieces cut lines; long ones hold more than a line.
            let n = if draw.number() % 2 == 0 {
                draw.within(1, 6)
            } else {
                draw.within(14, 40)
            };
            let n = (n as usize).min(rest.len());
            pieces.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        if has_every_cut(&pieces) {
            return pieces;
        }
    }
}

/// Whether `pieces` hold a line in three pieces or more, a piece with two
/// whole lines, and a piece where one line ends and the next begins but
/// does not end (a line and a half).
pub fn has_every_cut(pieces: &[Vec<u8>]) -> bool {
    let newlines = |p: &[u8]| p.iter().filter(|&&b| b == b'\n').count();
    // Two whole lines: a piece that starts a line and holds two ends.
    let mut at_line_start = true;
    let mut two_whole = false;
    // A piece in which a line ends and the next begins, unfinished.
    let mut and_a_half = false;
    // The most pieces a single line took.
    let (mut longest, mut current) = (0, 0);
    for p in pieces {
        two_whole |= at_line_start && newlines(p) >= 2;
        and_a_half |= newlines(p) >= 1 && p.last() != Some(&b'\n');
        // This piece carries on the line being read, or starts one.
        current += 1;
        for (i, &b) in p.iter().enumerate() {
            if b == b'\n' {
                longest = longest.max(current);
                current = usize::from(i + 1 < p.len());
            }
        }
        at_line_start = p.last() == Some(&b'\n');
    }
    two_whole && and_a_half && longest >= 3
}

/// The pause after each piece of exercise 6: long enough that each piece
/// arrives alone at a program waiting in recv.
const LINE_PAUSE: Duration = Duration::from_millis(15);

/// Exercise 6's client: connect once the program listens, send the
/// requests in the seed's pieces (a pause after each), half-close, and
/// read the answers until EOF.
pub fn line_client(
    addr: SocketAddr,
    deadline: Instant,
    ended: ProgramEnded,
    seed: u64,
) -> PeerReport {
    let mut report = PeerReport::default();
    let mut received = Vec::new();
    let result = (|| -> std::io::Result<()> {
        let mut conn = connect_when_listening(addr, deadline, &ended)?;
        conn.set_read_timeout(Some(remaining(deadline)?))?;
        let sent = (|| {
            for piece in line_pieces(seed) {
                conn.write_all(&piece)?;
                std::thread::sleep(LINE_PAUSE);
            }
            conn.shutdown(Shutdown::Write)
        })();
        // A program that closed early makes a write fail; what it did
        // answer before that is still there to read.
        let read = read_to_eof(&mut conn, &mut received);
        sent.and(read)
    })();
    report.received.push(received);
    report.error = result.err().map(|e| e.to_string());
    report
}

/// Exercise 7's request: the program sends it, then half-closes.
pub const QUESTION: &[u8] = b"What does shutdown(SHUT_WR) do?\n";
/// Exercise 7's answer, sent only once the request has ended (EOF), in
/// odd pieces with a pause after each, then the server closes.
pub const ANSWER: &[u8] = b"It ends your sending side only: my recv returned 0,\nand your socket still receives this answer,\nwhich comes in pieces; read until recv returns 0.\n";
const ANSWER_PIECES: &[usize] = &[1, 6, 19, 40];
/// What the server keeps of the time limit to send its answer: it waits
/// for the request's end until this long before the limit.
const ANSWER_TIME: Duration = Duration::from_millis(300);
/// The peer's error when the request never ended; the rule
/// `sends_the_request` looks for it.
pub const NO_EOF: &str = "the request never ended: no EOF came from the program (it never shut down its sending side), so the server never answered";

/// Exercise 7's server: accept one connection, read the request until
/// EOF, and only then answer, in pieces, and close. A program that never
/// half-closes gets no answer: the server keeps the connection open,
/// silent, until the program has ended (stopped at the time limit).
pub fn half_close_server(
    listener: TcpListener,
    deadline: Instant,
    ended: ProgramEnded,
) -> PeerReport {
    let mut report = PeerReport::default();
    let mut received = Vec::new();
    let result = (|| -> std::io::Result<()> {
        wait_for_client(listener.as_raw_fd(), deadline, &ended)?;
        let (mut conn, _) = listener.accept()?;
        let answer_by = deadline.checked_sub(ANSWER_TIME).unwrap_or(deadline);
        conn.set_read_timeout(Some(remaining(answer_by)?))?;
        match read_to_eof(&mut conn, &mut received) {
            Ok(()) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                // Hold the connection, silent: the program is blocked in
                // its read, and the grader stops it at the limit.
                let give_up = deadline + Duration::from_secs(1);
                while !ended.load(Ordering::SeqCst) && Instant::now() < give_up {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return Err(std::io::Error::new(ErrorKind::TimedOut, NO_EOF));
            }
            Err(e) => return Err(e),
        }
        write_in_pieces(&mut conn, ANSWER, ANSWER_PIECES).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("the server could not send its answer: {e}"),
            )
        })
        // conn is dropped here: close, and the program's recv returns 0.
    })();
    report.received.push(received);
    report.error = result.err().map(|e| e.to_string());
    report
}

/// How late exercise 8's server starts: nothing listens on the port
/// until this long after the program's first connect, so that connect
/// and the next few (one every 100 ms) are refused.
pub const LATE_START: Duration = Duration::from_millis(350);

/// Exercise 8's port, held from before the program starts until the
/// server listens on it: a TCP socket bound to 127.0.0.1:`port` that does
/// not listen yet (a `TcpListener` in name only until [`late_server`]
/// calls listen on it). A connect to it is refused (ECONNREFUSED), as to
/// a port nobody holds, since only a listening socket takes connections.
///
/// Holding it keeps the port free for the late server, with no race: no
/// other socket can bind it (ours has neither SO_REUSEADDR nor
/// SO_REUSEPORT, and Linux lets two sockets share a port only when both
/// ask), and connect's choice of an ephemeral port skips a port a socket
/// has bound. What it cannot stop: a program given the port number
/// itself connecting to it, which is the point. Inside the grader's own
/// network namespace nothing else runs anyway.
pub fn bind_without_listening(port: u16) -> std::io::Result<TcpListener> {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: plain integers; the fd is owned at once.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: fd is a new socket that nothing else owns.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: addr is a valid sockaddr_in for the length given.
    let r = unsafe {
        libc::bind(
            fd,
            (&addr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(TcpListener::from(owned))
}

/// Exercise 8's server, started late: nothing listens until
/// [`LATE_START`] after the program's first connect; then it listens,
/// accepts one connection, sends exercise 1's greeting in pieces and
/// closes.
///
/// The clock starts at the first connect in strace's `log`, not at the
/// program's start: a runtime that is slow to start under strace (a
/// Python program takes most of a second here) still has its first
/// connects refused. strace writes each line as the call returns.
pub fn late_server(
    socket: TcpListener,
    log: &Path,
    deadline: Instant,
    ended: ProgramEnded,
) -> PeerReport {
    let first_connect = wait_for_first_connect(log, deadline, &ended);
    let listen_at = first_connect + LATE_START;
    while Instant::now() < listen_at {
        if ended.load(Ordering::SeqCst) {
            return PeerReport {
                received: vec![],
                error: Some("the program ended before the server started".into()),
            };
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: plain integers on a socket we own.
    if unsafe { libc::listen(socket.as_raw_fd(), 16) } < 0 {
        return PeerReport {
            received: vec![],
            error: Some(format!("listen: {}", std::io::Error::last_os_error())),
        };
    }
    send_in_pieces(socket, deadline, ended, GREETING, GREETING_PIECES)
}

/// When the program's first TCP/IP connect appeared in strace's log
/// (looked at every 5 ms), or when the program ended or the deadline
/// passed first. A connect to another family (glibc asking nscd over a
/// Unix socket) is not the one.
fn wait_for_first_connect(log: &Path, deadline: Instant, ended: &AtomicBool) -> Instant {
    let mut seen = 0u64;
    let mut partial = Vec::new();
    while !ended.load(Ordering::SeqCst) && Instant::now() < deadline {
        if let Ok(mut f) = std::fs::File::open(log) {
            use std::io::{Seek, SeekFrom};
            let mut new = Vec::new();
            if f.seek(SeekFrom::Start(seen)).is_ok() && f.read_to_end(&mut new).is_ok() {
                seen += new.len() as u64;
                partial.extend_from_slice(&new);
                // Whole lines only; the last one may still be written.
                let whole = partial
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let found = partial[..whole]
                    .split(|&b| b == b'\n')
                    .map(String::from_utf8_lossy)
                    .any(|l| l.contains(" connect(") && l.contains("sa_family=AF_INET"));
                if found {
                    return Instant::now();
                }
                partial.drain(..whole);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Instant::now()
}

/// Exercise 9's clients: two UDP sockets, each with a port of its own.
pub const DATAGRAM_CLIENTS: usize = 2;

/// The datagram that ends exercise 9: the program echoes it, like every
/// other, then closes its socket and exits.
pub const QUIT: &[u8] = b"QUIT";

/// The largest datagram of exercise 9: 1400 bytes, what fits in one
/// Ethernet frame with its headers. A 2048-byte buffer holds it whole.
pub const LARGE_DATAGRAM: usize = 1400;

/// Exercise 9's conversation: steps, each a few datagrams (the client
/// that sends it, its bytes) sent back to back; the peer waits for the
/// program's answer to one step before the next.
///
/// - the first client, then the second from another port: a server that
///   keeps the first sender's address answers the second one wrongly;
/// - two datagrams back to back, the first without a newline: a server
///   that gathers bytes as a stream (until a newline, or until nothing is
///   waiting) sends them back as one;
/// - an empty datagram: recvfrom returns 0, which on UDP is a datagram of
///   0 bytes and not the end of anything, and its echo is empty too;
/// - 1400 bytes: a buffer of 512 or 1024 bytes cuts it;
/// - `QUIT`.
pub fn datagram_steps() -> Vec<Vec<(usize, Vec<u8>)>> {
    let large: Vec<u8> = (0..LARGE_DATAGRAM - 1)
        .map(|i| b'a' + (i % 26) as u8)
        .chain(std::iter::once(b'\n'))
        .collect();
    vec![
        vec![(0, b"hello from client 1\n".to_vec())],
        vec![(1, b"hello from client 2, another port\n".to_vec())],
        vec![
            (0, b"two datagrams, ".to_vec()),
            (0, b"sent back to back\n".to_vec()),
        ],
        vec![(1, Vec::new())],
        vec![(0, large)],
        vec![(1, b"client 2 again\n".to_vec())],
        vec![(0, QUIT.to_vec())],
    ]
}

/// The datagrams client `k` sends, in order.
pub fn datagrams_of_client(k: usize) -> Vec<Vec<u8>> {
    datagram_steps()
        .into_iter()
        .flatten()
        .filter(|(c, _)| *c == k)
        .map(|(_, d)| d)
        .collect()
}

/// Datagrams in one byte string, so a client's datagrams travel as one
/// entry of [`PeerReport::received`]: each is its length (4 bytes, big
/// endian), then its bytes. An empty datagram stays one.
pub fn frame_datagrams(datagrams: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in datagrams {
        out.extend_from_slice(&(d.len() as u32).to_be_bytes());
        out.extend_from_slice(d);
    }
    out
}

/// The datagrams [`frame_datagrams`] put in one byte string.
pub fn unframe_datagrams(mut framed: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while framed.len() >= 4 {
        let n = u32::from_be_bytes([framed[0], framed[1], framed[2], framed[3]]) as usize;
        let n = n.min(framed.len() - 4);
        out.push(framed[4..4 + n].to_vec());
        framed = &framed[4 + n..];
    }
    out
}

/// What client `k` sent in a run, from the report's last entry (see
/// [`datagram_clients`]); the whole script when the report has none.
pub fn sent_by_client(received: &[Vec<u8>], k: usize) -> Vec<Vec<u8>> {
    match received.get(DATAGRAM_CLIENTS) {
        Some(log) => unframe_datagrams(log)
            .into_iter()
            .filter(|d| d.first() == Some(&(k as u8)))
            .map(|d| d[1..].to_vec())
            .collect(),
        None => datagrams_of_client(k),
    }
}

/// At most this many datagrams are kept per client: a program that
/// answers without end does not fill the grader's memory.
const MOST_DATAGRAMS: usize = 1000;

/// Exercise 9's clients: two UDP sockets on the program's host, each
/// bound to a port of its own, which send the steps of [`datagram_steps`] to
/// the program and keep every datagram that comes back, whole, each with
/// who sent it. A datagram from anywhere but the program's address is
/// noted as an error. `received[k]` is client k's datagrams, framed;
/// the entry after the clients' is what they sent, in order, framed,
/// each datagram led by its client's number (one byte): the clients stop
/// sending once the program has ended, so that may be less than the
/// script.
pub fn datagram_clients(addr: SocketAddr, deadline: Instant, ended: ProgramEnded) -> PeerReport {
    let mut report = PeerReport::default();
    let mut got: Vec<Vec<Vec<u8>>> = vec![Vec::new(); DATAGRAM_CLIENTS];
    let mut errors: Vec<String> = Vec::new();
    let mut sent_log: Vec<Vec<u8>> = Vec::new();
    let result = (|| -> std::io::Result<()> {
        let clients = (0..DATAGRAM_CLIENTS)
            .map(|_| {
                let s = UdpSocket::bind((addr.ip(), 0))?;
                s.set_nonblocking(true)?;
                Ok(s)
            })
            .collect::<std::io::Result<Vec<UdpSocket>>>()?;
        wait_until_bound(addr.port(), deadline, &ended)?;
        let (mut sent, mut sent_bytes) = (0, 0);
        let sent_log = &mut sent_log;
        for (n, step) in datagram_steps().into_iter().enumerate() {
            if ended.load(Ordering::SeqCst) {
                break;
            }
            for (k, datagram) in &step {
                clients[*k].send_to(datagram, addr)?;
                sent_log.push(
                    std::iter::once(*k as u8)
                        .chain(datagram.iter().copied())
                        .collect(),
                );
                sent += 1;
                sent_bytes += datagram.len();
            }
            // The step is answered once as many datagrams, or as many
            // bytes, have come back as were sent so far: a server that
            // cuts datagrams still answers each, one that merges them
            // still sends every byte, and neither makes the peer wait
            // for the deadline. What is wrong with them is judged later.
            loop {
                let was_ended = ended.load(Ordering::SeqCst);
                receive_waiting(&clients, addr, &mut got, &mut errors)?;
                let count: usize = got.iter().map(Vec::len).sum();
                let bytes: usize = got.iter().flatten().map(Vec::len).sum();
                if count >= sent || bytes >= sent_bytes || was_ended {
                    break;
                }
                if remaining(deadline).is_err() {
                    return Err(std::io::Error::new(
                        ErrorKind::TimedOut,
                        format!("step {} had no answer before the deadline", n + 1),
                    ));
                }
                wait_readable(&clients, deadline)?;
            }
        }
        // The program ends after QUIT: take what comes until then, and
        // what is waiting after. A program that does not end is the
        // exit rule's to judge, not an error of the clients.
        while !ended.load(Ordering::SeqCst) && remaining(deadline).is_ok() {
            receive_waiting(&clients, addr, &mut got, &mut errors)?;
            let _ = wait_readable(&clients, deadline);
        }
        receive_waiting(&clients, addr, &mut got, &mut errors)
    })();
    report.received = got.iter().map(|d| frame_datagrams(d)).collect();
    report.received.push(frame_datagrams(&sent_log));
    if let Err(e) = result {
        errors.push(e.to_string());
    }
    if !errors.is_empty() {
        report.error = Some(errors.join("; "));
    }
    report
}

/// Every datagram waiting at each client, taken whole (a 64 KiB buffer
/// holds the largest UDP datagram), with a word for each one that came
/// from another address than the program's.
fn receive_waiting(
    clients: &[UdpSocket],
    program: SocketAddr,
    got: &mut [Vec<Vec<u8>>],
    errors: &mut Vec<String>,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 65536];
    for (k, client) in clients.iter().enumerate() {
        loop {
            match client.recv_from(&mut buf) {
                Ok((n, from)) => {
                    if from != program {
                        errors.push(format!(
                            "client {} received a datagram from {from}, not from the program's address {program}",
                            k + 1
                        ));
                    }
                    if got[k].len() >= MOST_DATAGRAMS {
                        return Err(std::io::Error::other(format!(
                            "client {} received more than {MOST_DATAGRAMS} datagrams",
                            k + 1
                        )));
                    }
                    got[k].push(buf[..n].to_vec());
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Wait until a client has a datagram, for at most 20 ms (so the caller
/// sees the program's end soon), or fail at the deadline.
fn wait_readable(clients: &[UdpSocket], deadline: Instant) -> std::io::Result<()> {
    let ms = remaining(deadline)?.as_millis().min(20) as i32;
    let mut fds: Vec<libc::pollfd> = clients
        .iter()
        .map(|c| libc::pollfd {
            fd: c.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: a valid array of pollfds, with its length, for the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms.max(1)) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

/// The program's readiness, for UDP: a datagram sent to a port no socket
/// has is thrown away (the kernel answers it with an ICMP port
/// unreachable, which an unconnected sender never hears of), so the peer
/// must not send before the program's bind. Nor can it probe with a
/// datagram and wait for the echo: a probe that arrived late would be
/// answered twice. It reads the kernel's table instead: /proc/net/udp
/// lists a UDP socket as soon as it has a port, and from then on
/// datagrams to that port are queued for it. In the run's own network
/// namespace only the program's socket can hold the port. The table is
/// read again every 2 ms, until the deadline or the program's end.
fn wait_until_bound(port: u16, deadline: Instant, ended: &AtomicBool) -> std::io::Result<()> {
    loop {
        let was_ended = ended.load(Ordering::SeqCst);
        let bound = crate::kernel::udp_by_local_port(port)
            .map_err(|e| std::io::Error::other(format!("reading /proc/net/udp: {}", e.0)))?;
        if !bound.is_empty() {
            return Ok(());
        }
        if was_ended {
            return Err(std::io::Error::new(
                ErrorKind::NotConnected,
                "the program ended without binding a UDP socket to its port",
            ));
        }
        remaining(deadline)?;
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The clients of exercises 10 and 11, which a server must serve at
/// once. Client 1 connects first and sends the first half of a line;
/// once that half is echoed it stays connected and silent while each
/// other client connects, sends its lines in pieces (a pause after each),
/// half-closes and reads until EOF. Only then does client 1 send the rest
/// of its line and another, half-close and read until EOF.
pub const SILENT_FIRST: &[u8] = b"client 1: a line in two hal";
/// What client 1 sends once the others are done, in two pieces.
pub const SILENT_REST: &[u8] = b"ves\nclient 1: talks again after the others\n";
const SILENT_REST_PIECES: &[usize] = &[4];
/// The clients that talk while client 1 is silent (client 2, client 3),
/// each with the pieces it sends its lines in.
pub const TALKERS: [(&[u8], &[usize]); 2] = [
    (b"client 2: one line\nclient 2: and another\n", &[7, 20]),
    (b"client 3: a short one\nclient 3: bye\n", &[13, 9]),
];
/// How long the talking clients have, all together, to get their whole
/// echo and EOF while client 1 is silent. A server that serves them at
/// once needs a few milliseconds; one that waits on client 1 needs
/// client 1 to talk, and it will not before this is over.
pub const SILENT_WAIT: Duration = Duration::from_millis(1000);

/// Everything client `k` (from 0) of [`clients_at_once`] sends, in order.
pub fn sent_at_once(k: usize) -> Vec<u8> {
    match k {
        0 => [SILENT_FIRST, SILENT_REST].concat(),
        k => TALKERS
            .get(k - 1)
            .map_or(Vec::new(), |(lines, _)| lines.to_vec()),
    }
}

/// What one talking client had while client 1 was silent: the bytes it
/// had received, and whether its EOF had come.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhileSilent {
    pub received: Vec<u8>,
    pub eof: bool,
}

/// The entry after the clients' in [`clients_at_once`]'s report: for each
/// talking client, one byte (1: its EOF had come) and the bytes it had
/// received when client 1 spoke again, framed as datagrams are.
pub fn while_silent(received: &[Vec<u8>], clients: usize) -> Vec<WhileSilent> {
    received
        .get(clients)
        .map(|f| unframe_datagrams(f))
        .unwrap_or_default()
        .into_iter()
        .map(|d| WhileSilent {
            eof: d.first() == Some(&1),
            received: d.get(1..).unwrap_or_default().to_vec(),
        })
        .collect()
}

/// Exercises 10 and 11's clients (`clients` of them, 2 or 3; see
/// [`SILENT_FIRST`]): `received[k]` is what client k+1 received, and
/// `received[clients]` what the talking clients had while client 1 was
/// silent (see [`while_silent`]). With `reset`, one more client
/// connects once the talking clients are done, while client 1 is still
/// connected and silent: it sends nothing and closes with SO_LINGER
/// {on, 0}, so its end is an RST (see [`reset_client`]). A talking client that was not served
/// in time is not an error of the peer: the record says so, and the
/// clients then go on, client 1 first, so a server that served them one
/// after another still finishes.
pub fn clients_at_once(
    addr: SocketAddr,
    deadline: Instant,
    ended: ProgramEnded,
    clients: usize,
    reset: bool,
) -> PeerReport {
    let talkers = clients.saturating_sub(1).min(TALKERS.len());
    let mut got: Vec<Vec<u8>> = vec![Vec::new(); 1 + talkers];
    let mut silent: Vec<WhileSilent> = vec![WhileSilent::default(); talkers];
    let mut errors: Vec<String> = Vec::new();
    let result = (|| -> std::io::Result<()> {
        let mut first = connect_when_listening(addr, deadline, &ended)?;
        // Half a line, and its echo: the server has taken client 1.
        first.write_all(SILENT_FIRST)?;
        let waited = (Instant::now() + SILENT_WAIT).min(deadline);
        read_until(&mut first, &mut got[0], waited, Some(SILENT_FIRST.len()))?;
        // The others, while client 1 stays connected and silent.
        let mut conns: Vec<Option<TcpStream>> = Vec::new();
        for (t, (lines, pieces)) in TALKERS.iter().take(talkers).enumerate() {
            let sent = TcpStream::connect_timeout(&addr, remaining(deadline)?).and_then(|mut c| {
                write_in_pieces(&mut c, lines, pieces)?;
                c.shutdown(Shutdown::Write)?;
                Ok(c)
            });
            match sent {
                Ok(c) => conns.push(Some(c)),
                Err(e) => {
                    errors.push(format!("client {}: {e}", t + 2));
                    conns.push(None);
                }
            }
        }
        let waited = (Instant::now() + SILENT_WAIT).min(deadline);
        for (t, conn) in conns.iter_mut().enumerate() {
            if let Some(c) = conn {
                match read_until(c, &mut got[t + 1], waited, None) {
                    Ok(eof) => silent[t].eof = eof,
                    Err(e) => {
                        errors.push(format!("client {}: {e}", t + 2));
                        *conn = None;
                    }
                }
                silent[t].received = got[t + 1].clone();
            }
        }
        // A client that resets, while client 1 is still silent.
        if reset {
            if let Err(e) = reset_client(addr, deadline) {
                errors.push(format!("the client that resets: {e}"));
            }
        }
        // Client 1 talks again, and everyone reads to the end.
        let rest = write_in_pieces(&mut first, SILENT_REST, SILENT_REST_PIECES)
            .and_then(|()| first.shutdown(Shutdown::Write));
        let read = read_until(&mut first, &mut got[0], deadline, None).and_then(|eof| {
            eof.then_some(()).ok_or_else(|| {
                std::io::Error::new(ErrorKind::TimedOut, "no EOF before the deadline")
            })
        });
        if let Err(e) = rest.and(read) {
            errors.push(format!("client 1: {e}"));
        }
        for (t, conn) in conns.iter_mut().enumerate() {
            let Some(c) = conn else { continue };
            if silent[t].eof {
                continue;
            }
            match read_until(c, &mut got[t + 1], deadline, None) {
                Ok(true) => {}
                Ok(false) => errors.push(format!("client {}: no EOF before the deadline", t + 2)),
                Err(e) => errors.push(format!("client {}: {e}", t + 2)),
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        errors.insert(0, e.to_string());
    }
    let mut report = PeerReport {
        received: got,
        error: None,
    };
    report.received.push(frame_datagrams(
        &silent
            .iter()
            .map(|s| {
                std::iter::once(u8::from(s.eof))
                    .chain(s.received.iter().copied())
                    .collect()
            })
            .collect::<Vec<Vec<u8>>>(),
    ));
    if !errors.is_empty() {
        report.error = Some(errors.join("; "));
    }
    report
}

/// Connect, send nothing, and close with SO_LINGER {on, 0}: the close
/// sends an RST instead of a FIN. On this machine the server's socket
/// then polls as POLLIN|POLLERR|POLLHUP, its next receive fails with
/// ECONNRESET and the one after that returns 0, whether the RST came
/// before or after the server's accept.
fn reset_client(addr: SocketAddr, deadline: Instant) -> std::io::Result<()> {
    let conn = TcpStream::connect_timeout(&addr, remaining(deadline)?)?;
    let reset = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is open (conn owns it) and `reset` is a linger
    // struct of the size given.
    let r = unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&reset as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    drop(conn);
    Ok(())
}

/// Read from `conn` into `into` until EOF (true), `until` (false), or,
/// with `want`, until `into` holds that many bytes (false). What has
/// come by `until` is kept; at most 1 MiB.
fn read_until(
    conn: &mut TcpStream,
    into: &mut Vec<u8>,
    until: Instant,
    want: Option<usize>,
) -> std::io::Result<bool> {
    let mut buf = [0u8; 4096];
    loop {
        if want.is_some_and(|w| into.len() >= w) {
            return Ok(false);
        }
        if into.len() > 1 << 20 {
            return Err(std::io::Error::other("more than 1 MiB of answer"));
        }
        let left = until.saturating_duration_since(Instant::now());
        let n = if left.is_zero() {
            // Time is up: take only what is already there.
            conn.set_nonblocking(true)?;
            let n = conn.read(&mut buf);
            conn.set_nonblocking(false)?;
            n
        } else {
            conn.set_read_timeout(Some(left))?;
            conn.read(&mut buf)
        };
        match n {
            Ok(0) => return Ok(true),
            Ok(n) => into.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Ok(false)
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stream the exercise pages describe: 1,600 numbered lines of 64
    /// bytes, 102,400 bytes in all, sent in pieces whose first is 1 byte.
    #[test]
    fn the_stream_is_1600_numbered_lines_of_64_bytes() {
        let s = stream();
        assert_eq!(s.len(), 102_400);
        let lines: Vec<&[u8]> = s.split_inclusive(|&b| b == b'\n').collect();
        assert_eq!(lines.len(), 1600);
        assert!(lines.iter().all(|l| l.len() == 64));
        assert!(lines[0].starts_with(b"00000 socklab stream: 100 KB in odd pieces; read to EOF."));
        assert!(lines[1599].starts_with(b"01599 "));
        assert_eq!(STREAM_PIECES[0], 1);
        assert!(STREAM_PIECES.iter().sum::<usize>() < STREAM_LEN);
    }

    /// Exercise 5's data: byte i is i % 251, 1 MiB in all.
    /// What exercise 10's pages and hints say of a client that resets:
    /// poll marks the server's socket POLLIN|POLLERR|POLLHUP, recv fails
    /// with ECONNRESET, and the recv after that returns 0; with the RST
    /// before the accept as after it.
    #[test]
    fn a_reset_client_polls_in_err_hup_then_econnreset_then_zero() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        for rst_before_accept in [true, false] {
            let server = if rst_before_accept {
                reset_client(addr, deadline).unwrap();
                listener.accept().unwrap().0
            } else {
                let client = std::thread::spawn(move || reset_client(addr, deadline));
                let (server, _) = listener.accept().unwrap();
                client.join().unwrap().unwrap();
                server
            };
            let mut fds = [libc::pollfd {
                fd: server.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            }];
            // SAFETY: one valid pollfd; 5 s at most.
            assert_eq!(unsafe { libc::poll(fds.as_mut_ptr(), 1, 5000) }, 1);
            assert_eq!(fds[0].revents, libc::POLLIN | libc::POLLERR | libc::POLLHUP);
            let mut buf = [0u8; 16];
            let err = (&server).read(&mut buf).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET));
            assert_eq!((&server).read(&mut buf).unwrap(), 0);
        }
    }

    #[test]
    fn the_mebibyte_is_i_mod_251() {
        let m = mebibyte();
        assert_eq!(m.len(), 1_048_576);
        assert_eq!(&m[..3], &[0, 1, 2]);
        assert_eq!(m[250], 250);
        assert_eq!(m[251], 0);
        assert_eq!(m[65536], 25);
    }

    /// The same seed gives the same requests and pieces; the pieces put
    /// together are the requests; every seed's pieces hold the three
    /// cuts (a line in three pieces or more, two whole lines in one, a
    /// line and a half).
    #[test]
    fn line_pieces_are_reproducible_and_hold_every_cut() {
        assert_eq!(line_pieces(7), line_pieces(7));
        assert_ne!(line_requests(7), line_requests(8));
        for seed in 0..500 {
            let talk = line_requests(seed);
            assert_eq!(
                talk.last().map(|(q, a)| (q.as_str(), a.as_str())),
                Some(("QUIT\n", "BYE\n"))
            );
            let (q, a) = &talk[0];
            let words: Vec<u64> = q
                .trim_end()
                .split(' ')
                .skip(1)
                .map(|w| w.parse().unwrap())
                .collect();
            assert_eq!(a, &format!("{}\n", words[0] + words[1]));
            let pieces = line_pieces(seed);
            let joined: String = talk.iter().map(|(q, _)| q.as_str()).collect();
            assert_eq!(pieces.concat(), joined.into_bytes(), "seed {seed}");
            assert!(has_every_cut(&pieces), "seed {seed}");
        }
    }

    #[test]
    fn the_three_cuts_are_told_apart() {
        let p = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        // All three: "ADD 1 2" in three pieces; two lines; a line and a half.
        assert!(has_every_cut(&p(&[
            "AD",
            "D 1",
            " 2\n",
            "ADD 3 4\nADD 5 6\n",
            "QUIT\nAD",
            "D 7 8\n"
        ])));
        // No line in three pieces.
        assert!(!has_every_cut(&p(&[
            "ADD 1",
            " 2\n",
            "ADD 3 4\nADD 5 6\n",
            "QUIT\nX\n"
        ])));
        // No piece with two whole lines.
        assert!(!has_every_cut(&p(&["AD", "D 1", " 2\nADD 3", " 4\n"])));
        // Every piece with a newline ends at one: no line and a half.
        assert!(!has_every_cut(&p(&[
            "A",
            "D",
            "D 1 2\n",
            "ADD 3 4\nQUIT\n"
        ])));
    }

    /// The late server's port, bound and not listening: a connect is
    /// refused, another socket cannot bind it (std's bind asks for
    /// SO_REUSEADDR, ours did not), and once it listens, a connect is
    /// taken.
    #[test]
    fn a_bound_socket_that_does_not_listen_refuses_and_keeps_its_port() {
        let held = bind_without_listening(0).expect("bind");
        let addr = held.local_addr().expect("its address");
        let refused = TcpStream::connect(addr).expect_err("nothing listens");
        assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
        let taken = TcpListener::bind(addr).expect_err("the port is held");
        assert_eq!(taken.kind(), ErrorKind::AddrInUse);
        // SAFETY: plain integers on a socket the test owns.
        assert_eq!(unsafe { libc::listen(held.as_raw_fd(), 1) }, 0);
        TcpStream::connect(addr).expect("it listens now");
    }

    /// Exercise 9's script, as its page describes it: two clients; the
    /// first client's datagram first and then the second's; a pair sent
    /// back to back whose first holds no newline; an empty datagram; one
    /// of 1400 bytes; `QUIT` last, alone.
    #[test]
    fn the_datagram_steps_hold_every_case() {
        let steps = datagram_steps();
        assert_eq!(steps[0][0].0, 0);
        assert_eq!(steps[1][0].0, 1);
        assert!(steps
            .iter()
            .any(|s| s.len() == 2 && s[0].0 == s[1].0 && !s[0].1.contains(&b'\n')));
        let all: Vec<&Vec<u8>> = steps.iter().flatten().map(|(_, d)| d).collect();
        assert!(all.iter().any(|d| d.is_empty()));
        assert_eq!(all.iter().map(|d| d.len()).max(), Some(LARGE_DATAGRAM));
        assert_eq!(steps.last(), Some(&vec![(0, QUIT.to_vec())]));
        assert_eq!(all.iter().filter(|d| d.as_slice() == QUIT).count(), 1);
        assert_eq!(
            datagrams_of_client(0).len() + datagrams_of_client(1).len(),
            all.len()
        );
    }

    #[test]
    fn framed_datagrams_come_back_the_same_empty_ones_too() {
        let d = vec![b"ab".to_vec(), Vec::new(), vec![7; 1400], b"QUIT".to_vec()];
        assert_eq!(unframe_datagrams(&frame_datagrams(&d)), d);
        assert!(unframe_datagrams(&[]).is_empty());
    }
}
