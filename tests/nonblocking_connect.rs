//! Issue 8's calls, in this process and without strace (the strace
//! comparison of the same calls is `every_call` in tests/strace_equality.rs):
//! a nonblocking connect that says EINPROGRESS, then poll, then
//! getsockopt(SO_ERROR), to a listener and to a port nobody listens on; the
//! socket a failed connect gives back; fcntl; getsockopt; socketpair; a
//! connected datagram socket.
//!
//! On loopback a nonblocking connect never completes inside the call: the
//! answer to its SYN (a SYN-ACK, or an RST) is handled only after connect
//! has chosen to return EINPROGRESS. Measured on Linux 6.x, 3000 of 3000
//! connects both ways; the tests below rely on it.

use socklab::trace::{configure, View};
use socklab::*;

fn quiet() {
    configure(View::Off, None).expect("trace off");
}

fn listener() -> Result<(Listener, SockAddr)> {
    let s = Socket::new(Family::Inet)?;
    s.bind(&SockAddr::loopback(0))?;
    let addr = s.getsockname()?;
    Ok((s.listen(4)?, addr))
}

/// A port nothing listens on: bound, read back, closed.
fn dead_port() -> Result<SockAddr> {
    let s = Socket::new(Family::Inet)?;
    s.bind(&SockAddr::loopback(0))?;
    let addr = s.getsockname()?;
    s.close()?;
    Ok(addr)
}

/// fcntl(F_GETFL), then F_SETFL with O_NONBLOCK added, the C way.
fn nonblocking_socket() -> Result<Socket> {
    let sock = Socket::new(Family::Inet)?;
    let flags = sock.fcntl_getfl()?;
    assert!(!flags.contains(FileFlags::NONBLOCK));
    assert_eq!(flags.bits() & 3, 2, "a socket is O_RDWR");
    sock.fcntl_setfl(flags | FileFlags::NONBLOCK)?;
    assert!(sock.fcntl_getfl()?.contains(FileFlags::NONBLOCK));
    Ok(sock)
}

#[test]
fn to_a_listener_einprogress_then_poll_then_so_error_0() -> Result<()> {
    quiet();
    let (listener, addr) = listener()?;
    let sock = nonblocking_socket()?;
    let fd = sock.fd();
    let pending = sock.connect(&addr).unwrap_err();
    assert_eq!(pending.error.errno, Errno::EINPROGRESS);
    assert!(pending.in_progress());
    let sock = pending.socket;
    assert_eq!(sock.fd(), fd, "the same socket comes back, still open");
    let ready = poll(&[(&sock, PollFlags::OUT)], 1000)?;
    assert_eq!(ready[0], PollFlags::OUT);
    let client = sock.finish_connect()?;
    let (conn, peer) = listener.accept()?;
    assert_eq!(peer, client.getsockname()?);
    client.send(b"hello", MsgFlags::NONE)?;
    let mut buf = [0u8; 8];
    assert_eq!(conn.recv(&mut buf, MsgFlags::NONE)?, 5);
    Ok(())
}

#[test]
fn to_a_dead_port_einprogress_then_poll_then_so_error_econnrefused() -> Result<()> {
    quiet();
    let dead = dead_port()?;
    let sock = Socket::with_flags(Family::Inet, SockFlags::NONBLOCK)?;
    let pending = sock.connect(&dead).unwrap_err();
    assert!(pending.in_progress(), "{pending}");
    let ready = poll(&[(&pending.socket, PollFlags::OUT)], 1000)?;
    assert!(ready[0].contains(PollFlags::OUT | PollFlags::ERR | PollFlags::HUP));
    let refused = pending.socket.finish_connect().unwrap_err();
    assert_eq!(refused.error.call, "connect");
    assert_eq!(refused.error.errno, Errno::ECONNREFUSED);
    // Reading SO_ERROR cleared it.
    assert_eq!(refused.socket.getsockopt(SoError)?, None);
    Ok(())
}

#[test]
fn a_refused_socket_connects_again() -> Result<()> {
    quiet();
    let (listener, addr) = listener()?;
    let dead = dead_port()?;

    // Blocking: ECONNREFUSED, then the same socket dials a live port.
    let refused = Socket::new(Family::Inet)?.connect(&dead).unwrap_err();
    assert_eq!(refused.error.errno, Errno::ECONNREFUSED);
    let fd = refused.socket.fd();
    let client = refused.socket.connect(&addr)?;
    assert_eq!(client.fd(), fd);
    listener.accept()?;

    // Nonblocking, the refusal read through SO_ERROR: the next connect
    // says ECONNABORTED and resets the socket; the one after dials.
    let sock = Socket::with_flags(Family::Inet, SockFlags::NONBLOCK)?;
    let pending = sock.connect(&dead).unwrap_err();
    poll(&[(&pending.socket, PollFlags::OUT)], 1000)?;
    let refused = pending.socket.finish_connect().unwrap_err();
    assert_eq!(refused.error.errno, Errno::ECONNREFUSED);
    let aborted = refused.socket.connect(&addr).unwrap_err();
    assert_eq!(aborted.error.errno, Errno::ECONNABORTED);
    let pending = aborted.socket.connect(&addr).unwrap_err();
    assert!(pending.in_progress(), "{pending}");
    poll(&[(&pending.socket, PollFlags::OUT)], 1000)?;
    pending.socket.finish_connect()?;
    listener.accept()?;
    Ok(())
}

#[test]
fn question_mark_turns_a_connect_error_into_an_error() {
    quiet();
    fn dial(addr: &SockAddr) -> Result<Connection> {
        Ok(Socket::new(Family::Inet)?.connect(addr)?)
    }
    let e = dial(&dead_port().unwrap()).unwrap_err();
    assert_eq!((e.call, e.errno), ("connect", Errno::ECONNREFUSED));
}

#[test]
fn getsockopt_reads_type_buffers_linger_and_error() -> Result<()> {
    quiet();
    let s = Socket::new(Family::Inet)?;
    assert_eq!(s.getsockopt(SoType)?, SockType::Stream);
    assert_eq!(s.getsockopt(SoError)?, None);
    // Linux doubles the size asked for, keeping half for bookkeeping.
    s.setsockopt(SockOpt::RcvBuf(65536))?;
    assert_eq!(s.getsockopt(SoRcvBuf)?, 131072);
    s.setsockopt(SockOpt::SndBuf(65536))?;
    assert_eq!(s.getsockopt(SoSndBuf)?, 131072);
    assert_eq!(s.getsockopt(SoLinger)?, None);
    s.setsockopt(SockOpt::Linger(Some(0)))?;
    assert_eq!(s.getsockopt(SoLinger)?, Some(0));
    let u = DatagramSocket::new(Family::Inet)?;
    assert_eq!(u.getsockopt(SoType)?, SockType::Datagram);
    Ok(())
}

#[test]
fn socketpair_is_two_connected_ends_with_no_address() -> Result<()> {
    quiet();
    let (a, b) = Connection::socketpair()?;
    let mut buf = [0u8; 8];
    a.send(b"ab", MsgFlags::NONE)?;
    assert_eq!(b.recv(&mut buf, MsgFlags::NONE)?, 2);
    b.send(b"ba", MsgFlags::NONE)?;
    assert_eq!(a.recv(&mut buf, MsgFlags::NONE)?, 2);
    assert_eq!(a.getpeername()?, SockAddr::Unix(UnixName::Unnamed));
    a.shutdown(Shutdown::Write)?;
    assert_eq!(b.recv(&mut buf, MsgFlags::NONE)?, 0);
    Ok(())
}

#[test]
fn a_connected_datagram_socket_sends_and_receives_with_its_peer_only() -> Result<()> {
    quiet();
    let server = DatagramSocket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let server_addr = server.getsockname()?;
    let client = DatagramSocket::new(Family::Inet)?;
    let nowhere = client.send(b"x", MsgFlags::NONE).unwrap_err();
    assert_eq!(nowhere.errno, Errno::EDESTADDRREQ);

    client.connect(&server_addr)?;
    client.send(b"ping", MsgFlags::NONE)?;
    let mut buf = [0u8; 16];
    let (n, client_addr) = server.recvfrom(&mut buf, MsgFlags::NONE)?;
    assert_eq!(&buf[..n], b"ping");
    // A stranger sends to the client first, then the client's peer: only
    // the peer's datagram is delivered.
    let stranger = DatagramSocket::new(Family::Inet)?;
    stranger.sendto(b"stranger", MsgFlags::NONE, &client_addr)?;
    server.sendto(b"pong", MsgFlags::NONE, &client_addr)?;
    let n = client.recv(&mut buf, MsgFlags::NONE)?;
    assert_eq!(&buf[..n], b"pong");
    let none = client.recv(&mut buf, MsgFlags::DONTWAIT).unwrap_err();
    assert_eq!(none.errno, Errno::EAGAIN);
    Ok(())
}

/// Why `finish_connect` waits for poll: while the handshake is under way
/// SO_ERROR is 0 as well. A listener with backlog 0 holds one finished
/// connection; with its queue full, the kernel drops the next SYN, so that
/// connect stays in progress (SYN_SENT) until its retransmission, a second
/// later.
#[test]
fn so_error_is_0_while_the_handshake_is_still_under_way() -> Result<()> {
    quiet();
    let s = Socket::new(Family::Inet)?;
    s.bind(&SockAddr::loopback(0))?;
    let addr = s.getsockname()?;
    let listener = s.listen(0)?;
    let first = Socket::new(Family::Inet)?.connect(&addr)?;
    let sock = Socket::with_flags(Family::Inet, SockFlags::NONBLOCK)?;
    let pending = sock.connect(&addr).unwrap_err();
    assert!(pending.in_progress(), "{pending}");
    let ready = poll(&[(&pending.socket, PollFlags::OUT)], 0)?;
    assert_eq!(ready[0], PollFlags::NONE, "not writable yet");
    assert_eq!(pending.socket.getsockopt(SoError)?, None);
    drop((first, listener));
    Ok(())
}
