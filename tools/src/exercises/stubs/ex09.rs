//! Exercise 9: a UDP echo server, message boundaries kept.
//!
//! Bind one UDP socket to SOCKLAB_HOST:SOCKLAB_PORT: no listen and no
//! accept, UDP has no connections. The grader plays two clients, each
//! from a port of its own. They send datagrams of many sizes: two back
//! to back, an empty one (0 bytes), one of 1400 bytes. Answer each
//! datagram with one datagram of the same bytes, sent to the address
//! recvfrom gave for it. After echoing the datagram `QUIT`, close the
//! socket and end.
//!
//! Check it: `socklab check 9`. A hint: `socklab hint 9`.

use socklab::{DatagramSocket, Family, MsgFlags, SockAddr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let sock = DatagramSocket::new(Family::Inet)?;
    sock.bind(&SockAddr::from_host_port(&host, port)?)?;
    // Larger than any datagram the clients send (1400 bytes at most).
    let mut buf = [0u8; 2048];
    // One whole datagram, and who sent it.
    let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
    // TODO: send the n bytes back with sock.sendto(&buf[..n],
    // MsgFlags::NONE, &from): one datagram for one datagram, to the
    // address this recvfrom gave (the next one may come from another
    // client). Then loop: recvfrom again, and echo each datagram the
    // same way, an empty one (n = 0) too: on UDP 0 is a datagram, not
    // the end. After echoing b"QUIT", leave the loop and sock.close()?.
    todo!("exercise 9: echo the {n}-byte datagram to {from}, then every datagram until QUIT")
}
