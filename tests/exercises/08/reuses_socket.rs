//! Exercise 8, a wrong solution: after ECONNREFUSED it calls connect
//! again on the same socket. On Linux that works once the server listens,
//! so the greeting arrives; POSIX leaves the socket's state unspecified
//! after a failed connect, and the record shows the second connect on the
//! socket whose connect had failed.

use socklab::{ConnectError, Errno, Family, MsgFlags, SockAddr, Socket};
use std::io::Write;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let addr = SockAddr::from_host_port(&host, port)?;
    let mut socket = Socket::new(Family::Inet)?;
    let mut tries = 1;
    let conn = loop {
        match socket.connect(&addr) {
            Ok(conn) => break conn,
            // The ConnectError gives the socket back: connect it again.
            Err(ConnectError {
                error,
                socket: same,
            }) if error.errno == Errno::ECONNREFUSED && tries < 20 => {
                socket = same;
                tries += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(socklab::Error::from(e).into()),
        }
    };
    let mut greeting = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        greeting.extend_from_slice(&buf[..n]);
    }
    conn.close()?;
    std::io::stdout().write_all(&greeting)?;
    Ok(())
}
