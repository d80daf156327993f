//! Exercise 4, a wrong solution: one recv into a buffer big enough for
//! the whole 100 KB, as if one recv could wait for all of it. It gets
//! what had arrived by then.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let mut buf = vec![0u8; 100 * 1024];
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    conn.close()?;
    std::io::stdout().write_all(&buf[..n])?;
    Ok(())
}
