//! Calls every socklab wrapper at least once, on every address family, with
//! the error paths learners meet. `tests/strace_equality.rs` runs it under
//! strace and checks that each line socklab printed is strace's line.

use socklab::trace::{set_side, Side};
use socklab::*;
use std::sync::mpsc;

fn main() -> Result<()> {
    tcp_v4_single_thread()?;
    tcp_v4_two_threads()?;
    tcp_v6()?;
    unix_stream()?;
    udp()?;
    nonblocking_connect()?;
    options_pairs_and_connected_udp()?;
    select_epoll_and_passing_a_socket()?;
    Ok(())
}

/// Server and client in one thread: connect completes before accept, since
/// the kernel finishes the handshake into the listen queue.
fn tcp_v4_single_thread() -> Result<()> {
    let server = Socket::new(Family::Inet)?;
    server.setsockopt(SockOpt::ReuseAddr(true))?;
    server.setsockopt(SockOpt::RcvBuf(65536))?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(16)?;

    // The same port again: EADDRINUSE, traced like any other call.
    let second = Socket::new(Family::Inet)?;
    let busy = second.bind(&addr).unwrap_err();
    assert_eq!(busy.name(), "EADDRINUSE");
    second.close()?;

    let client = Socket::with_flags(Family::Inet, SockFlags::CLOEXEC)?;
    client.setsockopt(SockOpt::TcpNoDelay(true))?;
    let client = client.connect(&addr)?;
    // The handshake is done: the listening socket is readable.
    let ready = poll(
        &[(&listener, PollFlags::IN), (&client, PollFlags::OUT)],
        1000,
    )?;
    assert!(ready[0].contains(PollFlags::IN));
    let (conn, _peer) = listener.accept()?;
    // The queue is empty now: poll times out.
    poll(&[(&listener, PollFlags::IN)], 0)?;
    conn.getpeername()?;
    client.getsockname()?;

    client.send(b"hello\n", MsgFlags::NONE)?;
    client.send(
        b"\x001\x07x\xff\t\"\\ and more than thirty-two bytes",
        MsgFlags::NOSIGNAL | MsgFlags::DONTWAIT,
    )?;
    let mut buf = [0u8; 1024];
    conn.recv(&mut buf[..6], MsgFlags::PEEK)?;
    conn.recv(&mut buf, MsgFlags::NONE)?;
    // Nothing left: a non-blocking recv fails with EAGAIN.
    let again = conn.recv(&mut buf, MsgFlags::DONTWAIT).unwrap_err();
    assert_eq!(again.name(), "EAGAIN");

    // Half-close: the server reads EOF (0), yet can still answer.
    client.shutdown(Shutdown::Write)?;
    assert_eq!(conn.recv(&mut buf, MsgFlags::NONE)?, 0);
    conn.send(b"bye", MsgFlags::NONE)?;
    conn.close()?;
    client.recv(&mut buf, MsgFlags::NONE)?;
    client.close()?;

    // accept4 with flags, and a reset connection.
    let client = Socket::new(Family::Inet)?.connect(&addr)?;
    let (conn, _) = listener.accept4(SockFlags::CLOEXEC | SockFlags::NONBLOCK)?;
    conn.setsockopt(SockOpt::Linger(Some(0)))?;
    conn.close()?; // linger 0: close sends RST
    let reset = client.recv(&mut buf, MsgFlags::NONE);
    assert!(reset.is_err());
    let _ = client.send(b"x", MsgFlags::NOSIGNAL);
    drop(client); // Drop closes, traced.
    listener.close()?;

    // A non-blocking listener with an empty queue: accept fails with EAGAIN
    // and leaves the address buffer unfilled.
    let nb = Socket::with_flags(Family::Inet, SockFlags::NONBLOCK)?;
    nb.bind(&SockAddr::loopback(0))?;
    let nb = nb.listen(1)?;
    assert_eq!(nb.accept().unwrap_err().name(), "EAGAIN");
    nb.close()?;

    // Nothing listens there any more: ECONNREFUSED.
    let refused = Socket::new(Family::Inet)?.connect(&addr).unwrap_err();
    assert_eq!(refused.error.name(), "ECONNREFUSED");
    refused.socket.close()
}

/// Server and client in two threads: strace sees the calls interleave.
fn tcp_v4_two_threads() -> Result<()> {
    set_side(Side::Server);
    let server = Socket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(128)?;
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let client = std::thread::spawn(move || -> Result<()> {
        set_side(Side::Client);
        ready_rx.recv().ok();
        for word in [&b"one"[..], b"two"] {
            let c = Socket::new(Family::Inet)?.connect(&addr)?;
            c.send(word, MsgFlags::NONE)?;
            let mut buf = [0u8; 16];
            c.recv(&mut buf, MsgFlags::NONE)?;
            c.close()?;
        }
        Ok(())
    });
    ready_tx.send(()).ok();
    for _ in 0..2 {
        let (conn, _) = listener.accept()?;
        let mut buf = [0u8; 16];
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        conn.send(&buf[..n], MsgFlags::NONE)?;
        conn.close()?;
    }
    listener.close()?;
    client.join().expect("client thread")
}

fn tcp_v6() -> Result<()> {
    let server = Socket::new(Family::Inet6)?;
    server.setsockopt(SockOpt::Ipv6V6Only(true))?;
    server.bind(&"[::1]:0".parse().expect("address"))?;
    let addr = server.getsockname()?;
    let listener = server.listen(4)?;
    let client = Socket::new(Family::Inet6)?.connect(&addr)?;
    let (conn, _) = listener.accept()?;
    client.send(b"v6", MsgFlags::NONE)?;
    let mut buf = [0u8; 8];
    conn.recv(&mut buf[..2], MsgFlags::WAITALL)?;
    client.close()?;
    conn.close()?;
    listener.close()
}

fn unix_stream() -> Result<()> {
    let path = std::env::temp_dir().join(format!("socklab-every-call-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let server = Socket::new(Family::Unix)?;
    server.bind(&SockAddr::unix(&path))?;
    let listener = server.listen(1)?;
    listener.getsockname()?;
    let client = Socket::new(Family::Unix)?.connect(&SockAddr::unix(&path))?;
    let (conn, _) = listener.accept()?;
    client.getpeername()?;
    conn.getpeername()?;
    client.send(b"unix\n", MsgFlags::NONE)?;
    let mut buf = [0u8; 8];
    conn.recv(&mut buf, MsgFlags::NONE)?;
    client.close()?;
    conn.close()?;
    listener.close()?;
    let _ = std::fs::remove_file(&path);

    let abstract_name = SockAddr::Unix(UnixName::Abstract(
        format!("socklab-{}", std::process::id()).into_bytes(),
    ));
    let s = Socket::new(Family::Unix)?;
    s.bind(&abstract_name)?;
    s.getsockname()?;
    s.close()
}

fn udp() -> Result<()> {
    let a = DatagramSocket::new(Family::Inet)?;
    a.bind(&SockAddr::loopback(0))?;
    let a_addr = a.getsockname()?;
    let b = DatagramSocket::new(Family::Inet)?;
    b.sendto(b"ping", MsgFlags::NONE, &a_addr)?;
    let mut buf = [0u8; 64];
    let (_, from) = a.recvfrom(&mut buf, MsgFlags::NONE)?;
    a.sendto(b"pong", MsgFlags::NONE, &from)?;
    b.recvfrom(&mut buf, MsgFlags::NONE)?;
    let empty = a.recvfrom(&mut buf, MsgFlags::DONTWAIT).unwrap_err();
    assert_eq!(empty.name(), "EAGAIN");
    a.close()?;
    b.close()
}

// --- fcntl, a nonblocking connect, getsockopt, socketpair, connected UDP ---

/// A port nothing listens on: bound, read back, closed.
fn dead_port() -> Result<SockAddr> {
    let s = Socket::new(Family::Inet)?;
    s.bind(&SockAddr::loopback(0))?;
    let addr = s.getsockname()?;
    s.close()?;
    Ok(addr)
}

/// A nonblocking connect on loopback returns EINPROGRESS even to a
/// listening port: the SYN-ACK (or the RST) is handled only after connect
/// has decided to return. poll then says writable, and SO_ERROR says how
/// it ended: 0, or ECONNREFUSED. A refused socket can connect again.
fn nonblocking_connect() -> Result<()> {
    let server = Socket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(4)?;
    let dead = dead_port()?;

    // fcntl: read the flags, add O_NONBLOCK, read them again.
    let sock = Socket::new(Family::Inet)?;
    let flags = sock.fcntl_getfl()?;
    assert!(!flags.contains(FileFlags::NONBLOCK));
    sock.fcntl_setfl(flags | FileFlags::NONBLOCK)?;
    assert!(sock.fcntl_getfl()?.contains(FileFlags::NONBLOCK));

    // Success: EINPROGRESS, poll POLLOUT, SO_ERROR [0], a Connection.
    let pending = sock.connect(&addr).unwrap_err();
    assert!(pending.in_progress(), "{pending}");
    let sock = pending.socket;
    let ready = poll(&[(&sock, PollFlags::OUT)], 1000)?;
    assert_eq!(ready[0], PollFlags::OUT);
    let client = sock.finish_connect()?;
    let (conn, _) = listener.accept()?;
    client.send(b"nonblocking", MsgFlags::NONE)?;
    let mut buf = [0u8; 32];
    assert_eq!(conn.recv(&mut buf, MsgFlags::NONE)?, 11);
    client.close()?;
    conn.close()?;

    // Refused: EINPROGRESS, poll POLLOUT|POLLERR|POLLHUP, SO_ERROR
    // [ECONNREFUSED]; reading SO_ERROR cleared it.
    let sock = Socket::with_flags(Family::Inet, SockFlags::NONBLOCK)?;
    let pending = sock.connect(&dead).unwrap_err();
    assert!(pending.in_progress(), "{pending}");
    let sock = pending.socket;
    let ready = poll(&[(&sock, PollFlags::OUT)], 1000)?;
    assert!(ready[0].contains(PollFlags::OUT | PollFlags::ERR | PollFlags::HUP));
    let refused = sock.finish_connect().unwrap_err();
    assert_eq!(refused.error.errno, Errno::ECONNREFUSED);
    assert_eq!(refused.error.call, "connect");
    let sock = refused.socket;
    assert_eq!(sock.getsockopt(SoError)?, None);

    // The same socket again: its first connect after the refusal reports
    // ECONNABORTED (the error was read already) and resets it; the next
    // one dials, on the same fd.
    let fd = sock.fd();
    let aborted = sock.connect(&addr).unwrap_err();
    assert_eq!(aborted.error.errno, Errno::ECONNABORTED);
    let pending = aborted.socket.connect(&addr).unwrap_err();
    assert!(pending.in_progress(), "{pending}");
    poll(&[(&pending.socket, PollFlags::OUT)], 1000)?;
    let client = pending.socket.finish_connect()?;
    assert_eq!(client.fd(), fd);
    let (conn, _) = listener.accept()?;
    conn.close()?;
    client.close()?;

    // A blocking connect that was refused can dial again at once.
    let refused = Socket::new(Family::Inet)?.connect(&dead).unwrap_err();
    assert_eq!(refused.error.errno, Errno::ECONNREFUSED);
    let fd = refused.socket.fd();
    let client = refused.socket.connect(&addr)?;
    assert_eq!(client.fd(), fd);
    let (conn, _) = listener.accept()?;
    conn.close()?;
    client.close()?;
    listener.close()
}

fn options_pairs_and_connected_udp() -> Result<()> {
    // getsockopt: SO_TYPE, the buffers (Linux doubles what was asked
    // for), SO_LINGER before and after setting it.
    let s = Socket::new(Family::Inet)?;
    assert_eq!(s.getsockopt(SoType)?, SockType::Stream);
    s.setsockopt(SockOpt::RcvBuf(65536))?;
    assert_eq!(s.getsockopt(SoRcvBuf)?, 131072);
    assert!(s.getsockopt(SoSndBuf)? > 0);
    assert_eq!(s.getsockopt(SoLinger)?, None);
    s.setsockopt(SockOpt::Linger(Some(0)))?;
    assert_eq!(s.getsockopt(SoLinger)?, Some(0));
    assert_eq!(s.getsockopt(SoError)?, None);
    s.close()?;

    // socketpair: two connected ends, no address.
    let (a, b) = Connection::socketpair()?;
    a.send(b"pair", MsgFlags::NONE)?;
    let mut buf = [0u8; 64];
    assert_eq!(b.recv(&mut buf, MsgFlags::NONE)?, 4);
    b.getpeername()?;
    a.close()?;
    b.close()?;

    // A datagram socket with no peer: send has nowhere to go.
    let server = DatagramSocket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let server_addr = server.getsockname()?;
    let client = DatagramSocket::new(Family::Inet)?;
    assert_eq!(client.getsockopt(SoType)?, SockType::Datagram);
    let nowhere = client.send(b"x", MsgFlags::NONE).unwrap_err();
    assert_eq!(nowhere.errno, Errno::EDESTADDRREQ);

    // connect gives it a peer: send and recv, with no address in the call.
    client.connect(&server_addr)?;
    client.send(b"ping", MsgFlags::NONE)?;
    let (_, client_addr) = server.recvfrom(&mut buf, MsgFlags::NONE)?;
    server.connect(&client_addr)?;
    // A stranger's datagram is not delivered to a connected socket.
    let stranger = DatagramSocket::new(Family::Inet)?;
    stranger.sendto(b"stranger", MsgFlags::NONE, &client_addr)?;
    server.send(b"pong", MsgFlags::NONE)?;
    let n = client.recv(&mut buf, MsgFlags::NONE)?;
    assert_eq!(&buf[..n], b"pong");
    let none = client.recv(&mut buf, MsgFlags::DONTWAIT).unwrap_err();
    assert_eq!(none.errno, Errno::EAGAIN);
    stranger.close()?;
    client.close()?;
    server.close()
}

/// Waiting on several sockets with `select` (glibc's is `pselect6`) and
/// epoll, then handing an open TCP socket over a Unix connection
/// (`sendmsg` / `recvmsg` with SCM_RIGHTS).
fn select_epoll_and_passing_a_socket() -> Result<()> {
    use std::time::Duration;
    let server = Socket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(4)?;
    let client = Socket::new(Family::Inet)?.connect(&addr)?;
    let client_addr = client.getsockname()?;
    let (conn, _) = listener.accept()?;
    client.send(b"x", MsgFlags::NONE)?;

    // select: conn has a byte to read, client has room to send. The kernel
    // overwrites each set with the ready fds and writes back the time left.
    let mut read = FdSet::new();
    read.insert(&conn).expect("a low fd");
    read.insert(&client).expect("a low fd");
    let mut write = FdSet::new();
    write.insert(&client).expect("a low fd");
    let woke = select(
        Some(&mut read),
        Some(&mut write),
        None,
        Some(Duration::from_secs(1)),
    )?;
    assert_eq!(woke.ready, 2);
    assert!(read.contains(&conn) && !read.contains(&client));
    assert!(write.contains(&client));
    assert!(woke.left.is_some_and(|left| left <= Duration::from_secs(1)));
    // Nothing to read on client: the time runs out and the set comes back empty.
    let mut read = FdSet::new();
    read.insert(&client).expect("a low fd");
    let woke = select(Some(&mut read), None, None, Some(Duration::from_millis(10)))?;
    assert_eq!(woke.ready, 0);
    assert!(read.is_empty());

    // epoll: the watch list lives in the kernel; each ready socket comes
    // back with the data it was added with.
    let epoll = Epoll::with_flags(EpollCreateFlags::CLOEXEC)?;
    epoll.add(&conn, EpollFlags::IN, 7)?;
    let again = epoll.add(&conn, EpollFlags::IN, 7).unwrap_err();
    assert_eq!(again.name(), "EEXIST");
    let mut events = [EpollEvent::EMPTY; 8];
    assert_eq!(epoll.wait(&mut events, 1000)?, 1);
    assert_eq!(events[0].data(), 7);
    assert!(events[0].events().contains(EpollFlags::IN));
    // Level-triggered: the unread byte is reported again.
    assert_eq!(epoll.wait(&mut events, 0)?, 1);
    // Edge-triggered: reported once when the change is made, then not
    // again while the byte sits unread.
    epoll.modify(&conn, EpollFlags::IN | EpollFlags::ET, 7)?;
    assert_eq!(epoll.wait(&mut events, 1000)?, 1);
    assert_eq!(epoll.wait(&mut events, 10)?, 0);
    let mut buf = [0u8; 64];
    conn.recv(&mut buf, MsgFlags::NONE)?;
    epoll.delete(&conn)?;
    epoll.close()?;

    // Pass the client's TCP socket over a Unix connection.
    let name = SockAddr::Unix(UnixName::Abstract(
        format!("socklab-pass-{}", std::process::id()).into_bytes(),
    ));
    let unix_server = Socket::new(Family::Unix)?;
    unix_server.bind(&name)?;
    let unix_listener = unix_server.listen(1)?;
    let sender = Socket::new(Family::Unix)?.connect(&name)?;
    let (receiver, _) = unix_listener.accept()?;
    sender.sendmsg(b"x", &client, MsgFlags::NONE)?;
    let (n, passed) = receiver.recvmsg::<Connection>(&mut buf, MsgFlags::NONE)?;
    assert_eq!((n, passed.len()), (1, 1));
    let passed = passed.into_iter().next().expect("one socket");
    // A new fd number in this process for the same open socket: it
    // outlives the original fd, and sends on the same TCP connection.
    assert_ne!(passed.fd(), client.fd());
    client.close()?;
    assert_eq!(passed.getsockname()?, client_addr);
    passed.send(b"sent on the passed fd", MsgFlags::NONE)?;
    conn.recv(&mut buf, MsgFlags::NONE)?;
    passed.close()?;
    // A message with no fds: no control message comes back.
    sender.send(b"plain", MsgFlags::NONE)?;
    let (_, none) = receiver.recvmsg::<Connection>(&mut buf, MsgFlags::NONE)?;
    assert!(none.is_empty());
    let empty = receiver
        .recvmsg::<Connection>(&mut buf, MsgFlags::DONTWAIT)
        .unwrap_err();
    assert_eq!(empty.name(), "EAGAIN");
    sender.close()?;
    receiver.close()?;
    unix_listener.close()?;
    conn.close()?;
    listener.close()
}
