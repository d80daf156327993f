//! Exercise 11: a fork-per-client server.
//!
//! Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays three clients.
//! Client 1 connects, sends half a line and, once that half is echoed,
//! stays connected and silent; meanwhile clients 2 and 3 connect, send
//! their lines, half-close and must get their whole echo and their EOF.
//! Only then does client 1 send the rest and half-close. Fork a child
//! for each client: the child closes the listening socket, echoes until
//! recv returns 0, closes the client's socket and exits 0; the parent
//! closes its copy of the client's socket and accepts the next. Reap
//! every child (waitpid). After the third client, close the listening
//! socket, wait for the children still running, and exit with status 0.
//!
//! Check it: `socklab check 11`. A hint: `socklab hint 11`.

use socklab::process::{fork, Forked};
use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

const CLIENTS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    for _ in 0..CLIENTS {
        let (conn, _peer) = listener.accept()?;
        // Two processes from here on, each with a copy of every fd.
        match fork()? {
            Forked::Child => {
                // TODO: the child never accepts: close its copy of the
                // listening socket first (listener.close()?).
                let code = match echo_until_eof(&conn).and_then(|()| conn.close()) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("child: {e}");
                        1
                    }
                };
                std::process::exit(code);
            }
            Forked::Parent(child) => {
                // TODO: close the parent's copy of the client's socket
                // (conn.close()?): the connection ends only when its last
                // fd is closed. Reap the children that have ended
                // (socklab::wait_any_nohang) and accept the next client;
                // after the third, listener.close()? and wait_any() for
                // each child still running.
                todo!("exercise 11: close conn in the parent, reap child {child}, accept the next")
            }
        }
    }
    Ok(())
}

/// Send back each piece as it comes, until the client half-closes.
fn echo_until_eof(conn: &Connection) -> socklab::Result<()> {
    let mut buf = [0u8; 256];
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            return Ok(());
        }
        let mut sent = 0;
        while sent < n {
            sent += conn.send(&buf[sent..n], MsgFlags::NONE)?;
        }
    }
}
