//! No fd is leaked: after a whole server/client exchange, with its error
//! paths, the process holds exactly the fds it held before.
//!
//! This file holds one test only, so no other test's fds come and go in the
//! same process while it counts.

use socklab::trace::{configure, View};
use socklab::*;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

fn exchange_with_errors() -> Result<()> {
    let server = Socket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(8)?;

    // Error paths: the sockets they leave behind must be closed too.
    let busy = Socket::new(Family::Inet)?;
    assert!(busy.bind(&addr).is_err()); // EADDRINUSE, then dropped
    drop(busy);
    let dead_port = {
        let s = Socket::new(Family::Inet)?;
        s.bind(&SockAddr::loopback(0))?;
        let a = s.getsockname()?;
        s.close()?;
        a
    };
    assert!(Socket::new(Family::Inet)?.connect(&dead_port).is_err()); // ECONNREFUSED consumes the socket

    let client = Socket::new(Family::Inet)?.connect(&addr)?;
    let (conn, _) = listener.accept()?;
    client.send(b"ping", MsgFlags::NONE)?;
    let mut buf = [0u8; 8];
    conn.recv(&mut buf, MsgFlags::NONE)?;
    assert!(conn.recv(&mut buf, MsgFlags::DONTWAIT).is_err()); // EAGAIN
    client.shutdown(Shutdown::Write)?;
    assert_eq!(conn.recv(&mut buf, MsgFlags::NONE)?, 0);
    client.close()?;
    drop(conn); // dropping closes as well as close() does
    listener.close()?;

    let udp = DatagramSocket::new(Family::Inet)?;
    assert!(udp.recvfrom(&mut buf, MsgFlags::DONTWAIT).is_err());
    drop(udp);
    Ok(())
}

#[test]
fn a_full_exchange_leaves_no_fd_behind() {
    configure(View::Off, None).unwrap();
    let before = open_fds();
    exchange_with_errors().unwrap();
    assert_eq!(open_fds(), before);
    // And again, to be sure nothing accumulates.
    exchange_with_errors().unwrap();
    assert_eq!(open_fds(), before);
}
