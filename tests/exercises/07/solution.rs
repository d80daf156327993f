//! Exercise 7, reference solution: connect to the server at
//! SOCKLAB_HOST:SOCKLAB_PORT, send the request whole, half-close
//! (shutdown SHUT_WR: the server's recv returns 0, and this side can still
//! receive), read the answer until recv returns 0, print it, close.

use socklab::{Family, MsgFlags, Shutdown, SockAddr, Socket};
use std::io::Write;

const QUESTION: &[u8] = b"What does shutdown(SHUT_WR) do?\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    // send may take fewer bytes than it is given: send the rest.
    let mut sent = 0;
    while sent < QUESTION.len() {
        sent += conn.send(&QUESTION[sent..], MsgFlags::NONE)?;
    }
    // The server reads until EOF before it answers: SHUT_WR sends that
    // EOF (a FIN) and leaves this side's receiving open.
    conn.shutdown(Shutdown::Write)?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    conn.close()?;
    std::io::stdout().write_all(&answer)?;
    Ok(())
}
