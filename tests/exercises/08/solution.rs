//! Exercise 8, reference solution: connect to SOCKLAB_HOST:SOCKLAB_PORT,
//! where the server starts late. Each refused try closes its socket and
//! the next try makes a new one, 100 ms later, up to 20 tries. Then read
//! the greeting until recv returns 0, print it, close.

use socklab::{ConnectError, Connection, Errno, Family, MsgFlags, SockAddr, Socket};
use std::io::Write;
use std::time::Duration;

const TRIES: u32 = 20;
const PAUSE: Duration = Duration::from_millis(100);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = connect_with_retries(&SockAddr::from_host_port(&host, port)?)?;
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

/// ECONNREFUSED: nothing listens on the port yet. After a failed connect
/// POSIX leaves the socket's state unspecified, so close it and try again
/// with a new socket.
fn connect_with_retries(addr: &SockAddr) -> socklab::Result<Connection> {
    let mut tries = 1;
    loop {
        match Socket::new(Family::Inet)?.connect(addr) {
            Ok(conn) => return Ok(conn),
            Err(ConnectError { error, socket })
                if error.errno == Errno::ECONNREFUSED && tries < TRIES =>
            {
                socket.close()?;
                tries += 1;
                std::thread::sleep(PAUSE);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
