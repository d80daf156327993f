//! Exercise 1, reference solution: connect to the server at
//! SOCKLAB_HOST:SOCKLAB_PORT, read its greeting until recv returns 0 (the
//! server closed), print it, close.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let mut greeting = Vec::new();
    let mut buf = [0u8; 64];
    // TCP is a stream: the greeting arrives in as many pieces as the
    // network made; only a recv of 0 says the server has closed.
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        greeting.extend_from_slice(&buf[..n]);
    }
    conn.close()?;
    std::io::stdout().write_all(&greeting)?;
    Ok(())
}
