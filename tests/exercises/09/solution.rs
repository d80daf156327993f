//! Exercise 9, reference solution: a UDP echo server. One socket bound to
//! SOCKLAB_HOST:SOCKLAB_PORT, no listen and no accept: each recvfrom
//! returns one whole datagram and who sent it, and one sendto sends the
//! same bytes back to that address. An empty datagram (recvfrom returns
//! 0) is echoed empty. After echoing the datagram `QUIT` it closes its
//! socket and ends.

use socklab::{DatagramSocket, Family, MsgFlags, SockAddr};

/// Larger than any datagram the clients send (1400 bytes at most): a
/// shorter buffer would cut a datagram, and the rest would be lost.
const BUFFER: usize = 2048;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let sock = DatagramSocket::new(Family::Inet)?;
    sock.bind(&SockAddr::from_host_port(&host, port)?)?;
    let mut buf = [0u8; BUFFER];
    loop {
        // One datagram, whole, and the address of whoever sent it: each
        // datagram may come from another client.
        let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
        sock.sendto(&buf[..n], MsgFlags::NONE, &from)?;
        if &buf[..n] == b"QUIT" {
            break;
        }
    }
    sock.close()?;
    Ok(())
}
