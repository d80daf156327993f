//! Exercise 3, reference solution: an iterative echo server. One
//! listening socket on SOCKLAB_HOST:SOCKLAB_PORT; three clients, one
//! after another: accept, send back every piece until recv returns 0 (the
//! client half-closed), close that client's socket; then close the
//! listening socket.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

const CLIENTS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    for _ in 0..CLIENTS {
        // A new data socket per client; the listening socket stays, and
        // the next client waits in its queue meanwhile.
        let (conn, _peer) = listener.accept()?;
        echo_until_eof(&conn)?;
        conn.close()?;
    }
    listener.close()?;
    Ok(())
}

/// Send back each piece as it comes. recv returns 0 only once the client
/// has shut down its side: before that, a short recv is just a piece.
fn echo_until_eof(conn: &Connection) -> socklab::Result<()> {
    let mut buf = [0u8; 64];
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
