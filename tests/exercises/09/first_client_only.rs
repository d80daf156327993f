//! Exercise 9, a wrong solution: the server keeps the address of the
//! first client that wrote to it, as a TCP server keeps its connection,
//! and sends every reply there. The second client's echoes go to the
//! first client; replies_to_sender names the recvfrom and the sendto.

use socklab::{DatagramSocket, Family, MsgFlags, SockAddr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let sock = DatagramSocket::new(Family::Inet)?;
    sock.bind(&SockAddr::from_host_port(&host, port)?)?;
    let mut buf = [0u8; 2048];
    let mut client: Option<SockAddr> = None;
    loop {
        let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
        // Wrong: "the client" is whoever wrote first.
        let to = client.get_or_insert(from).clone();
        sock.sendto(&buf[..n], MsgFlags::NONE, &to)?;
        if &buf[..n] == b"QUIT" {
            break;
        }
    }
    sock.close()?;
    Ok(())
}
