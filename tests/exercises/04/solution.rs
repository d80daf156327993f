//! Exercise 4, reference solution: connect to SOCKLAB_HOST:SOCKLAB_PORT
//! and copy everything the server sends to stdout, recv after recv, until
//! recv returns 0 (the server closed); then close.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let mut out = std::io::stdout().lock();
    let mut buf = [0u8; 4096];
    // Each recv returns what has arrived by then: one byte or a full
    // buffer, whatever the sender's pieces and the network made of them.
    // Only 0 means the end: the server closed its side.
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
    }
    out.flush()?;
    conn.close()?;
    Ok(())
}
