//! Exercise 4: reading a 100 KB stream that arrives in odd pieces.
//!
//! The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT. It sends
//! 100 KB in pieces of odd sizes, with pauses between them (the first is
//! a single byte), and then closes its side. Copy every byte to stdout,
//! nothing more, and close the socket.
//!
//! Check it: `socklab check 4`. A hint: `socklab hint 4`.

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
    // One recv returns what has arrived by then: one byte or a full
    // buffer. Write out exactly the n bytes it returned, not the buffer.
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    out.write_all(&buf[..n])?;
    out.flush()?;
    // TODO: recv and write again and again. A recv that returns less than
    // the buffer is not the end, and the size is not known in advance:
    // stop only when recv returns 0 (the server has closed). Then
    // conn.close()? and Ok(()).
    todo!("exercise 4: recv until it returns 0, writing each piece")
}
