//! The classic fork server, for `tests/fork.rs`: the parent accepts, forks
//! a child for each client, closes its own copy of the data fd and goes
//! back to accept; the child closes its copy of the listening fd, echoes
//! what the client sends and exits; the parent reaps each child. The
//! clients are one more child process, forked first.
//!
//! Not a thread: a fork copies the whole fd table, so a server child would
//! hold a copy of a client thread's socket too, and the client's `close`
//! would then close only one of two fds for that socket: no FIN, and the
//! child's `recv` would wait for ever.
//!
//! `fork_server last-close` shows why: after a fork both processes hold
//! the data socket, and the parent's `close` of its copy sends no FIN (its
//! peer's non-blocking recv finds nothing: EAGAIN); the child's close of
//! the last copy does (the peer reads 0).
//!
//! `fork_server stress N` forks N children while two other threads make
//! calls as fast as they can, so that a fork often lands while another
//! thread is in the middle of a line: each child makes two calls and
//! exits. A child that found a lock held would hang.

use socklab::process::{fork, wait_any, wait_any_nohang, waitpid, Forked};
use socklab::trace::{set_side, Side};
use socklab::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const CLIENTS: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("last-close") => last_close(),
        Some("stress") => stress(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(50)),
        _ => fork_server(),
    };
    if let Err(e) = result {
        eprintln!("fork_server: {e}");
        std::process::exit(1);
    }
}

fn fork_server() -> Result<()> {
    set_side(Side::Server);
    let server = Socket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(16)?;
    let clients = match fork()? {
        Forked::Child => {
            // The client process's copy of the listening socket: it never
            // accepts.
            listener.close()?;
            set_side(Side::Client);
            let code = match clients(&addr) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("fork_server clients: {e}");
                    1
                }
            };
            std::process::exit(code);
        }
        Forked::Parent(child) => child,
    };

    let mut children = Vec::new();
    for _ in 0..CLIENTS {
        let (conn, _peer) = listener.accept()?;
        match fork()? {
            Forked::Child => {
                // The child's copy of the listening socket: only the
                // parent accepts.
                listener.close()?;
                let code = match echo(conn) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("fork_server child: {e}");
                        1
                    }
                };
                std::process::exit(code);
            }
            Forked::Parent(child) => {
                // The parent's copy of the data socket: the child still
                // holds the connection, so this sends no FIN.
                conn.close()?;
                children.push(child);
            }
        }
    }
    let status = waitpid(clients)?;
    assert!(status.success(), "the client process {status}");
    let mut children = children.into_iter();
    let first = children.next().expect("a child per client");
    let status = waitpid(first)?;
    assert!(status.success(), "the first child {status}");
    let (pid, status) = wait_any()?;
    assert!(status.success(), "child {pid} {status}");
    assert_eq!(Some(pid), children.next());
    // Every child has been reaped: none is left to wait for.
    let none = wait_any_nohang().unwrap_err();
    assert_eq!(none.name(), "ECHILD");
    listener.close()
}

/// The child's work: echo until the client closes.
fn echo(conn: Connection) -> Result<()> {
    let mut buf = [0u8; 64];
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        conn.send(&buf[..n], MsgFlags::NONE)?;
    }
    conn.close()
}

/// One client after the other: send, read the echo back, close.
fn clients(addr: &SockAddr) -> Result<()> {
    for i in 0..CLIENTS {
        let conn = Socket::new(Family::Inet)?.connect(addr)?;
        let msg = format!("hello {i}\n");
        conn.send(msg.as_bytes(), MsgFlags::NONE)?;
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while got.len() < msg.len() {
            let n = conn.recv(&mut buf, MsgFlags::NONE)?;
            assert!(n > 0, "the server closed before echoing");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, msg.as_bytes());
        conn.close()?;
    }
    Ok(())
}

fn last_close() -> Result<()> {
    let server = Socket::new(Family::Inet)?;
    server.bind(&SockAddr::loopback(0))?;
    let addr = server.getsockname()?;
    let listener = server.listen(1)?;
    let client = Socket::new(Family::Inet)?.connect(&addr)?;
    let (conn, _peer) = listener.accept()?;
    let mut buf = [0u8; 64];
    match fork()? {
        Forked::Child => {
            listener.close()?;
            client.close()?;
            let code = match echo(conn) {
                Ok(()) => 0,
                Err(_) => 1,
            };
            std::process::exit(code);
        }
        Forked::Parent(child) => {
            listener.close()?;
            // The parent's copy of the server's end: the child still
            // holds the socket, so no FIN goes to the client.
            conn.close()?;
            let nothing = client.recv(&mut buf, MsgFlags::DONTWAIT).unwrap_err();
            assert_eq!(nothing.name(), "EAGAIN");
            client.send(b"still there?\n", MsgFlags::NONE)?;
            // The child echoes, then closes the last fd of the socket.
            client.shutdown(Shutdown::Write)?;
            let status = waitpid(child)?;
            assert!(status.success(), "the child {status}");
            let n = client.recv(&mut buf, MsgFlags::NONE)?;
            assert_eq!(&buf[..n], b"still there?\n");
            assert_eq!(client.recv(&mut buf, MsgFlags::NONE)?, 0);
            client.close()
        }
    }
}

fn stress(forks: usize) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || -> Result<()> {
                while !stop.load(Ordering::Relaxed) {
                    Socket::new(Family::Inet)?.close()?;
                }
                Ok(())
            })
        })
        .collect();
    for _ in 0..forks {
        match fork()? {
            Forked::Child => {
                let code = match Socket::new(Family::Inet).and_then(Socket::close) {
                    Ok(()) => 0,
                    Err(_) => 1,
                };
                std::process::exit(code);
            }
            Forked::Parent(child) => {
                let status = waitpid(child)?;
                assert!(status.success(), "a child {status}");
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in busy {
        t.join().expect("busy thread")?;
    }
    Ok(())
}
