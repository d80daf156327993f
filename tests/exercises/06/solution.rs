//! Exercise 6, reference solution: a line server. Listen on
//! SOCKLAB_HOST:SOCKLAB_PORT, accept one client, and answer each line it
//! sends with one line: `ADD a b` with the sum, `QUIT` with `BYE` (and
//! then the end), anything else with `ERR`. The lines arrive cut
//! anywhere, so the bytes received wait in a buffer until a newline
//! makes a whole line of them; the rest stays for the next recv.

use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};

/// The answer to one request line (without its newline).
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

/// send until every byte is taken.
fn send_all(conn: &Connection, mut data: &[u8]) -> socklab::Result<()> {
    while !data.is_empty() {
        let n = conn.send(data, MsgFlags::NONE)?;
        data = &data[n..];
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    let (conn, _peer) = listener.accept()?;
    // What has arrived and is not yet a whole line: kept across recvs.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 512];
    'talk: loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break; // the client closed before QUIT
        }
        pending.extend_from_slice(&buf[..n]);
        // One recv may hold no newline, one, or several: every whole
        // line in the buffer is answered now.
        while let Some(i) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=i).collect();
            let line = &line[..i];
            send_all(&conn, answer(line).as_bytes())?;
            if line == b"QUIT" {
                break 'talk;
            }
        }
    }
    conn.close()?;
    listener.close()?;
    Ok(())
}
