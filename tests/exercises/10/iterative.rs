//! Exercise 10, a wrong solution: an iterative server. It accepts a
//! client and serves it until recv returns 0 before it accepts the next:
//! while client 1 is connected and silent, it waits in recv on client 1's
//! socket, and client 2, connected and talking, gets no echo. Exercise
//! 3's server, which is right there, where the clients come one after
//! another.

use socklab::{Errno, Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    // Client 1 (silent a while), client 2 (talks), and one that resets.
    for _ in 0..3 {
        let (conn, _peer) = listener.accept()?;
        let mut buf = [0u8; 256];
        loop {
            let n = match conn.recv(&mut buf, MsgFlags::NONE) {
                Ok(n) => n,
                // The client reset its connection: it is gone.
                Err(e) if e.errno == Errno::ECONNRESET => 0,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                break;
            }
            let mut sent = 0;
            while sent < n {
                sent += conn.send(&buf[sent..n], MsgFlags::NONE)?;
            }
        }
        conn.close()?;
    }
    listener.close()?;
    Ok(())
}
