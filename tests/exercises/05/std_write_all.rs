//! Exercise 5, a right solution without socklab: std's `TcpStream` and
//! `write_all`. std's `write_all` makes a write that failed with EINTR
//! (`ErrorKind::Interrupted`) again by itself, so the record shows the
//! retry although this program has no loop of its own.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port = std::env::var("SOCKLAB_PORT")?;
    let addr: SocketAddr = format!("{host}:{port}").parse()?;
    let mut conn = TcpStream::connect(addr)?;
    let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    conn.write_all(&data)?;
    // Dropping the stream closes the socket.
    drop(conn);
    Ok(())
}
