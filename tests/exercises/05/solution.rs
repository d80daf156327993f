//! Exercise 5, reference solution: connect to SOCKLAB_HOST:SOCKLAB_PORT,
//! send 1 MiB where byte i is i % 251, and close. The send loop starts
//! each send where the bytes sent so far end, and makes a send that
//! failed with EINTR again: it was cut short before it sent a byte.

use socklab::{Errno, Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let mut sent = 0;
    while sent < data.len() {
        match conn.send(&data[sent..], MsgFlags::NONE) {
            Ok(n) => sent += n,
            // socklab's send makes one sendto and hands EINTR back, as the
            // kernel gave it: nothing went out, so send the same again.
            Err(e) if e.errno == Errno::EINTR => continue,
            Err(e) => return Err(e.into()),
        }
    }
    conn.close()?;
    Ok(())
}
