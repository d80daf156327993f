//! Exercise 2, a wrong solution: it sends its answer on the listening fd
//! first (through socklab::raw, as a C program can by mistake), gets an
//! error, and then sends on the accepted socket. The client gets the
//! right bytes; the kernel's record shows the mistake.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::os::fd::AsRawFd;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
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
    let _ = socklab::raw::send(listener.as_raw_fd(), &line, MsgFlags::NONE);
    conn.send(&line, MsgFlags::NONE)?;
    conn.close()?;
    listener.close()?;
    Ok(())
}
