//! Exercise 7, a wrong solution: it sends the request and goes straight
//! to reading the answer, with no half-close. The server reads until EOF
//! before it answers, and no EOF comes: each side waits for the other
//! until the grader stops the program at the time limit.

use socklab::{Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

const QUESTION: &[u8] = b"What does shutdown(SHUT_WR) do?\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let mut sent = 0;
    while sent < QUESTION.len() {
        sent += conn.send(&QUESTION[sent..], MsgFlags::NONE)?;
    }
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
