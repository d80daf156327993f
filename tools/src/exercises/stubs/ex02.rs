//! Exercise 2: a one-shot server.
//!
//! Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays one client: it
//! connects, sends a request line (ending in a newline) in two pieces,
//! and reads until EOF. Send the line back, whole, then close the
//! client's socket and the listening socket.
//!
//! Check it: `socklab check 2`. A hint: `socklab hint 2`.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    // accept waits for the client's connect and returns a NEW socket for
    // this one client; the listening socket only ever takes connections.
    let (conn, _peer) = listener.accept()?;
    answer(&conn)?;
    conn.close()?;
    listener.close()?;
    Ok(())
}

/// Read the client's request line from `conn` and send it back.
fn answer(conn: &Connection) -> Result<(), socklab::Error> {
    let mut line = Vec::new();
    let mut buf = [0u8; 64];
    // The first piece of the request: maybe the whole line, maybe not.
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    line.extend_from_slice(&buf[..n]);
    // TODO: call recv again until `line` holds a b'\n' (a recv of 0
    // means the client closed first). Then send the whole line back with
    // conn.send: send may take fewer bytes than you give it, so call it
    // until every byte is sent.
    todo!("exercise 2: read the whole request line, then send it back")
}
