//! Exercise 7: half-close: send a request, shutdown(SHUT_WR), read the
//! whole answer.
//!
//! The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT. It reads your
//! request until EOF, and only then answers: in several pieces, with
//! pauses between them, and then it closes. Send the question below,
//! whole; end it with a half-close; read the answer until recv returns 0;
//! print it on stdout, byte for byte; close the socket.
//!
//! Check it: `socklab check 7`. A hint: `socklab hint 7`.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};
use std::io::Write;

const QUESTION: &[u8] = b"What does shutdown(SHUT_WR) do?\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let answer = ask(&conn)?;
    std::io::stdout().write_all(&answer)?;
    conn.close()?;
    Ok(())
}

/// Send the question, end it, and return the server's whole answer.
fn ask(conn: &Connection) -> Result<Vec<u8>, socklab::Error> {
    // send may take fewer bytes than it is given: send the rest.
    let mut sent = 0;
    while sent < QUESTION.len() {
        sent += conn.send(&QUESTION[sent..], MsgFlags::NONE)?;
    }
    // TODO: the server answers only once its recv has returned 0 (EOF),
    // and nothing in the bytes says "the question ends here". End your
    // sending side, and only it: `conn.shutdown(Shutdown::Write)?` (add
    // `Shutdown` to the `use socklab::{…}` line). Not close, which ends
    // both directions and gives the fd back, nor `Shutdown::Both`, which
    // ends your receiving too. Then call recv again and again on `conn`,
    // adding each piece to a Vec, and stop only when recv returns 0 (the
    // server has closed). Return Ok(answer).
    todo!("exercise 7: conn.shutdown(Shutdown::Write), then recv until it returns 0")
}
