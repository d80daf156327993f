//! Exercise 1, a wrong solution: one recv, as if the whole greeting came
//! in one piece. It prints only what had arrived by then.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let mut buf = [0u8; 1024];
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    conn.close()?;
    std::io::stdout().write_all(&buf[..n])?;
    Ok(())
}
