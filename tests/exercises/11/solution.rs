//! Exercise 11, reference solution: a server that forks a child for each
//! client. After fork both processes hold both fds: the child closes its
//! copy of the listening socket (it never accepts), echoes until recv
//! returns 0, closes the client's socket and exits; the parent closes its
//! copy of the client's socket at once (the connection ends, and the
//! client sees EOF, only when its last fd is closed) and goes back to
//! accept. Children that have ended are reaped before each accept
//! (waitpid with WNOHANG); after the third client the parent closes the
//! listening socket, waits for the children still running, and exits 0.

use socklab::process::{fork, wait_any, wait_any_nohang, Forked};
use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

const CLIENTS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    let mut running = 0;
    for _ in 0..CLIENTS {
        // The children that have ended since: each reaped, none a zombie.
        // (With no child at all, waitpid fails with ECHILD.)
        while running > 0 && wait_any_nohang()?.is_some() {
            running -= 1;
        }
        let (conn, _peer) = listener.accept()?;
        match fork()? {
            Forked::Child => {
                // The child's copy of the listening socket: only the
                // parent accepts.
                listener.close()?;
                let code = match echo_until_eof(&conn).and_then(|()| conn.close()) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("child: {e}");
                        1
                    }
                };
                std::process::exit(code);
            }
            Forked::Parent(_child) => {
                // The parent's copy of the client's socket: the child's
                // close will be the last one, and send the FIN.
                conn.close()?;
                running += 1;
            }
        }
    }
    listener.close()?;
    for _ in 0..running {
        wait_any()?;
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
