//! Exercise 2, reference solution: a one-shot server. Listen on
//! SOCKLAB_HOST:SOCKLAB_PORT, accept one client, read its request up to
//! the end of its line, send the line back, close the data socket and then
//! the listening socket.

use socklab::{Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    // accept gives a new socket for this one client; the listening socket
    // only ever takes connections, never data.
    let (conn, _peer) = listener.accept()?;
    let mut line = Vec::new();
    let mut buf = [0u8; 64];
    while !line.contains(&b'\n') {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        line.extend_from_slice(&buf[..n]);
    }
    let mut sent = 0;
    while sent < line.len() {
        sent += conn.send(&line[sent..], MsgFlags::NONE)?;
    }
    conn.close()?;
    listener.close()?;
    Ok(())
}
