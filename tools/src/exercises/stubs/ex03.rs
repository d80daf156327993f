//! Exercise 3: an iterative echo server for three clients in turn.
//!
//! Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays three clients,
//! one after another. Each sends its lines in odd-sized pieces, then
//! half-closes (shutdown SHUT_WR) and reads until EOF. Send every byte
//! back to the client that sent it; serve each client to the end, close
//! its socket, then take the next; after the third, close the listening
//! socket and exit with status 0.
//!
//! Check it: `socklab check 3`. A hint: `socklab hint 3`.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

const CLIENTS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    // One listening socket, made before the loop: it takes every client.
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    for _ in 0..CLIENTS {
        // A new data socket per client; the next client waits in the
        // listening socket's queue meanwhile.
        let (conn, _peer) = listener.accept()?;
        echo_until_eof(&conn)?;
        conn.close()?;
    }
    listener.close()?;
    Ok(())
}

/// Send back everything `conn` receives, until the client half-closes.
fn echo_until_eof(conn: &Connection) -> Result<(), socklab::Error> {
    let mut buf = [0u8; 64];
    // The first piece: a few bytes of the client's first line, not all
    // it will send. TCP keeps no message boundaries.
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    // send may take fewer bytes than it is given: send the rest.
    let mut sent = 0;
    while sent < n {
        sent += conn.send(&buf[sent..n], MsgFlags::NONE)?;
    }
    // TODO: do that again and again: recv a piece, send it back whole,
    // and stop only when recv returns 0 (the client has half-closed: it
    // will send nothing more). Then return Ok(()): main closes this
    // client's socket and accepts the next one.
    todo!("exercise 3: echo every piece until recv returns 0")
}
