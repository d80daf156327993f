//! Exercise 9, a wrong solution: the server reads datagrams as exercise
//! 6 read a stream, gathering bytes in a buffer and sending back each
//! whole line. Two datagrams sent back to back, the first without a
//! newline, go back as one; the empty datagram gets no reply at all.
//! one_reply_per_datagram names the datagram that got no reply of its
//! own.

use socklab::{DatagramSocket, Family, MsgFlags, SockAddr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let sock = DatagramSocket::new(Family::Inet)?;
    sock.bind(&SockAddr::from_host_port(&host, port)?)?;
    let mut buf = [0u8; 2048];
    // Wrong: bytes kept across datagrams, as for a byte stream.
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
        if &buf[..n] == b"QUIT" {
            sock.sendto(&buf[..n], MsgFlags::NONE, &from)?;
            break;
        }
        pending.extend_from_slice(&buf[..n]);
        while let Some(i) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=i).collect();
            sock.sendto(&line, MsgFlags::NONE, &from)?;
        }
    }
    sock.close()?;
    Ok(())
}
