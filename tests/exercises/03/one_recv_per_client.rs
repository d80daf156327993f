//! Exercise 3, a wrong solution: three clients on one listening socket,
//! but one recv per client, as if each client's lines came in one piece.
//! It echoes the first piece and closes; the rest of what the client sends
//! never comes back.

use socklab::{Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    for _ in 0..3 {
        let (conn, _peer) = listener.accept()?;
        let mut buf = [0u8; 1024];
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        conn.send(&buf[..n], MsgFlags::NONE)?;
        conn.close()?;
    }
    listener.close()?;
    Ok(())
}
