//! Why lessons 04, 05 and 09 have their server call `accept` only once the
//! client's `connect` has returned: Linux's `accept` takes the number for
//! its new fd when the call starts, before it waits for a client. A socket
//! made while `accept` waits gets the number after it.
//!
//! Alone in its own test binary, so no other test opens or closes fds in
//! this process while it counts them.

use socklab::{Family, SockAddr, Socket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// x86-64's number for the accept system call, as /proc/…/syscall shows
/// it for a thread blocked in one.
const SYS_ACCEPT: &str = "43";

#[test]
fn a_blocked_accept_holds_the_next_fd_number() {
    socklab::trace::configure(socklab::trace::View::Off, None).unwrap();
    let server = Socket::new(Family::Inet).unwrap();
    server.bind(&SockAddr::loopback(0)).unwrap();
    let listener = server.listen(1).unwrap();
    let here = listener.getsockname().unwrap();

    // The thread tells its id, then waits for a go before it accepts, so
    // the /proc files it is watched through are opened first: opening one
    // while accept starts would take a number itself.
    let (tid_tx, tid) = mpsc::channel();
    let (go_tx, go) = mpsc::channel::<()>();
    let acceptor = std::thread::spawn(move || {
        let _ = tid_tx.send(unsafe { libc::gettid() });
        let _ = go.recv();
        let (conn, _) = listener.accept().unwrap();
        conn.fd()
    });
    let tid = tid.recv().unwrap();
    let open = |name: &str| std::fs::File::open(format!("/proc/self/task/{tid}/{name}")).unwrap();
    let (syscall, wchan) = (open("syscall"), open("wchan"));
    let read = |f: &std::fs::File| {
        let mut buf = [0u8; 256];
        let n = std::os::unix::fs::FileExt::read_at(f, &mut buf, 0).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    // The lowest free number now, with the listening socket and the two
    // /proc files open: the one accept should take.
    let next_free = {
        let probe = Socket::new(Family::Inet).unwrap();
        let n = probe.fd();
        probe.close().unwrap();
        n
    };
    let _ = go_tx.send(());

    // Readiness, not a sleep: wait until the thread is asleep inside
    // accept, waiting for a client: /proc/self/task/TID/syscall names the
    // call, and wchan the kernel function it sleeps in, TCP's accept.
    let waiting = || {
        read(&syscall).split(' ').next() == Some(SYS_ACCEPT)
            && read(&wchan).starts_with("inet_csk_")
    };
    let start = Instant::now();
    while !waiting() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the thread never blocked in accept"
        );
        std::thread::yield_now();
    }

    // The client's socket, made while accept waits: not the next number
    // after the listening socket, which accept already holds.
    let client = Socket::new(Family::Inet).unwrap();
    let client_fd = client.fd();
    let conn = client.connect(&here).unwrap();
    let accepted = acceptor.join().unwrap();
    assert_eq!(accepted, next_free, "accept took the next number first");
    assert_eq!(client_fd, next_free + 1, "the socket got the one after");
    drop(conn);
}
