//! Exercise 6: a line-framed protocol whose lines are split at random
//! points.
//!
//! Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays one client: it
//! sends request lines, `ADD a b` a few times and then `QUIT`, cut at
//! random points (a line in several pieces, two lines in one), then
//! half-closes. Answer each line with one line: `ADD a b` with the sum
//! (`ADD 3 4` → `7`), `QUIT` with `BYE` (then stop), anything else with
//! `ERR`. Then close the client's socket and the listening socket.
//!
//! Check it: `socklab check 6`. A hint: `socklab hint 6`.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    let (conn, _peer) = listener.accept()?;
    serve(&conn)?;
    conn.close()?;
    listener.close()?;
    Ok(())
}

/// The answer to one request line (without its newline).
#[allow(dead_code)] // used once the TODO below is done
fn answer(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let words: Vec<&str> = text.split(' ').collect();
    match words.as_slice() {
        ["ADD", a, b] => match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(a), Ok(b)) => format!("{}\n", a + b),
            _ => "ERR\n".into(),
        },
        ["QUIT"] => "BYE\n".into(),
        _ => "ERR\n".into(),
    }
}

/// Answer the client's lines until QUIT (or until it closes).
fn serve(conn: &Connection) -> Result<(), socklab::Error> {
    // What has arrived and is not yet a whole line.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 512];
    // The first piece: maybe part of a line, maybe a line and more.
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    pending.extend_from_slice(&buf[..n]);
    // TODO: loop: while `pending` holds a b'\n', take the line before it
    // off the front (pending.drain(..=i)), send answer(line) whole, and
    // stop after QUIT. Keep what follows the last newline: it is the
    // start of the next line. Then recv again and append; a recv of 0
    // means the client closed.
    todo!(
        "exercise 6: answer every whole line, keep the rest for the next recv ({} bytes waiting)",
        pending.len()
    )
}
