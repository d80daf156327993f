//! Exercise 8: a client that retries ECONNREFUSED with a new socket each
//! time.
//!
//! The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT that starts
//! late: for its first few hundred milliseconds nothing listens on the
//! port, and connect fails with ECONNREFUSED. Then it listens, sends a
//! greeting in pieces and closes. Try again after each refusal with a new
//! socket, 100 ms later, up to 20 tries; print the greeting on stdout,
//! byte for byte; close the socket.
//!
//! Check it: `socklab check 8`. A hint: `socklab hint 8`.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = connect_with_retries(&SockAddr::from_host_port(&host, port)?)?;
    let mut greeting = Vec::new();
    let mut buf = [0u8; 64];
    // Exercise 1's loop: the greeting comes in pieces; 0 is the end.
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

/// A connection to the server, however late it starts.
fn connect_with_retries(addr: &SockAddr) -> Result<Connection, socklab::Error> {
    // The first try. If it fails, the ConnectError holds the error and
    // the socket, still open.
    match Socket::new(Family::Inet)?.connect(addr) {
        Ok(conn) => Ok(conn),
        Err(refused) => {
            eprintln!("try 1: {refused}");
            // TODO: when `refused.error.errno == Errno::ECONNREFUSED`
            // (add `ConnectError` and `Errno` to the `use socklab::{…}`
            // line and match `Err(ConnectError { error, socket })`):
            // nothing listens on the port yet. Close that socket
            // (`socket.close()?`), wait 100 ms (std::thread::sleep), make
            // a new socket and connect again; up to 20 tries. Do not call
            // connect on the refused socket again: after a failed connect
            // POSIX leaves its state unspecified. Any other error: return
            // it (`Err(refused.into())`).
            todo!("exercise 8: close the refused socket, wait 100 ms, try a new one")
        }
    }
}
