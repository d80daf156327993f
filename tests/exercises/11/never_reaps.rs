//! Exercise 11, a wrong solution: a fork server that never waits for its
//! children. Each client is served, each fd is closed where it should
//! be; but no waitpid ever collects a child, so each child that ends
//! while the parent runs stays a zombie until the parent exits.

use socklab::process::{fork, Forked};
use socklab::{Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    for _ in 0..3 {
        let (conn, _peer) = listener.accept()?;
        match fork()? {
            Forked::Child => {
                listener.close()?;
                let mut buf = [0u8; 256];
                loop {
                    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
                    if n == 0 {
                        break;
                    }
                    let mut sent = 0;
                    while sent < n {
                        sent += conn.send(&buf[sent..n], MsgFlags::NONE)?;
                    }
                }
                conn.close()?;
                std::process::exit(0);
            }
            Forked::Parent(_) => conn.close()?,
        }
    }
    listener.close()?;
    Ok(())
}
