//! Exercise 4, a wrong solution: it knows the stream is 100 KB and reads
//! until it has that many bytes, then closes. The output is right, but
//! the program never saw the server's end (recv returning 0): given a
//! longer stream it would cut it, given a shorter one it would wait
//! forever.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

const EXPECTED: usize = 100 * 1024;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let mut data = vec![0u8; EXPECTED];
    let mut have = 0;
    while have < EXPECTED {
        let n = conn.recv(&mut data[have..], MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        have += n;
    }
    conn.close()?;
    std::io::stdout().write_all(&data[..have])?;
    Ok(())
}
