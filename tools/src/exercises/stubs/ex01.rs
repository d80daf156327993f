//! Exercise 1: a client that reads a greeting until EOF and prints it.
//!
//! The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT. It sends a
//! greeting in several pieces, with pauses between them, and then closes
//! its side. Print the whole greeting on stdout, byte for byte, and close
//! the socket.
//!
//! Check it: `socklab check 1`. A hint: `socklab hint 1`.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    // socket, then connect: the 3-way handshake happens inside connect.
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let greeting = read_until_closed(&conn)?;
    std::io::stdout().write_all(&greeting)?;
    conn.close()?;
    Ok(())
}

/// Everything the server sends, up to the moment it closes.
fn read_until_closed(conn: &Connection) -> Result<Vec<u8>, socklab::Error> {
    let mut greeting = Vec::new();
    let mut buf = [0u8; 64];
    // One recv returns what has arrived so far: the first piece, not the
    // whole greeting. TCP is a byte stream; it keeps no message boundaries.
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    greeting.extend_from_slice(&buf[..n]);
    // TODO: call recv again and again, adding each piece to `greeting`,
    // and stop only when recv returns 0: the server has closed its side
    // and no more bytes will come. Then return Ok(greeting).
    todo!("exercise 1: call recv until it returns 0")
}
