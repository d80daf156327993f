//! Exercise 5, a wrong solution: it sends in 64 KiB pieces, and when a
//! send fails it counts the piece as sent and goes on to the next. The
//! plain run passes; under fault injection every other piece is lost,
//! and the peer's data shows the gap.

use socklab::{Family, MsgFlags, SockAddr, Socket};

const PIECE: usize = 64 * 1024;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let mut offset = 0;
    while offset < data.len() {
        let end = (offset + PIECE).min(data.len());
        match conn.send(&data[offset..end], MsgFlags::NONE) {
            Ok(n) => offset += n,
            // The mistake: the error is dropped and the piece skipped.
            Err(_) => offset = end,
        }
    }
    conn.close()?;
    Ok(())
}
