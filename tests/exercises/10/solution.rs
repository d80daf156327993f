//! Exercise 10, reference solution: one thread serves every client at
//! once with poll. The set holds the listening socket (POLLIN there means
//! a connection waits, so accept will not block) and each client's socket
//! (POLLIN means bytes came, or the client half-closed and recv returns
//! 0). Each ready client gets one recv, and what it returned is sent back
//! at once: no call waits on one client while another's bytes wait. A
//! client whose recv returns 0 is closed and leaves the set. So is a
//! client that reset its connection (it closed with SO_LINGER {on, 0}, so
//! an RST came): poll marks it POLLIN|POLLERR|POLLHUP and its recv fails
//! with ECONNRESET, which ends that client, not the server. After the
//! third accept the listening socket is closed; once every client is gone
//! the server ends.

use socklab::{poll, AsSocket, Connection, Errno, Family, MsgFlags, PollFlags, SockAddr, Socket};

/// Client 1 (silent a while), client 2 (talks), and one that resets.
const CLIENTS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let mut listener = Some(socket.listen(16)?);
    let mut clients: Vec<Connection> = Vec::new();
    let mut accepted = 0;
    while listener.is_some() || !clients.is_empty() {
        // The set, made again each time: the listening socket while
        // clients are still to come, then each open client.
        let mut watch: Vec<(&dyn AsSocket, PollFlags)> = Vec::new();
        if let Some(l) = &listener {
            watch.push((l, PollFlags::IN));
        }
        for c in &clients {
            watch.push((c, PollFlags::IN));
        }
        let ready = poll(&watch, -1)?;
        let (listener_ready, clients_ready) = match listener {
            Some(_) => (ready[0] != PollFlags::NONE, &ready[1..]),
            None => (false, &ready[..]),
        };
        // Each ready client: one recv, which poll said will not block.
        let mut done = Vec::new();
        for (k, revents) in clients_ready.iter().enumerate() {
            if *revents == PollFlags::NONE {
                continue;
            }
            let mut buf = [0u8; 256];
            let n = match clients[k].recv(&mut buf, MsgFlags::NONE) {
                Ok(n) => n,
                // The client reset its connection: it is gone, the
                // others are not. Close it like one that half-closed.
                Err(e) if e.errno == Errno::ECONNRESET => {
                    done.push(k);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                done.push(k);
                continue;
            }
            let mut sent = 0;
            while sent < n {
                sent += clients[k].send(&buf[sent..n], MsgFlags::NONE)?;
            }
        }
        // A client whose recv returned 0 has half-closed: its echo is all
        // sent. Close it, and one that reset; it is not in the next set.
        for k in done.into_iter().rev() {
            clients.remove(k).close()?;
        }
        if listener_ready {
            if let Some(l) = &listener {
                let (conn, _peer) = l.accept()?;
                clients.push(conn);
                accepted += 1;
            }
            if accepted == CLIENTS {
                // No more clients to take: the listening socket leaves too.
                if let Some(l) = listener.take() {
                    l.close()?;
                }
            }
        }
    }
    Ok(())
}
