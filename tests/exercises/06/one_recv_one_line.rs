//! Exercise 6, a wrong solution: it takes what each recv returns to be
//! one line. A line cut in pieces is answered piece by piece (`ERR` for
//! `AD`), and two lines in one recv get one answer.

use socklab::{Family, MsgFlags, SockAddr, Socket};

fn answer(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    match words.as_slice() {
        ["ADD", a, b] => match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(a), Ok(b)) => format!("{}\n", a + b),
            _ => "ERR\n".into(),
        },
        ["QUIT"] => "BYE\n".into(),
        _ => "ERR\n".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    let (conn, _peer) = listener.accept()?;
    let mut buf = [0u8; 512];
    loop {
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if n == 0 {
            break;
        }
        // The mistake: one recv, one line.
        let line = String::from_utf8_lossy(&buf[..n]);
        let line = line.trim_end_matches('\n');
        let reply = answer(line);
        let mut sent = 0;
        while sent < reply.len() {
            sent += conn.send(&reply.as_bytes()[sent..], MsgFlags::NONE)?;
        }
        if line == "QUIT" {
            break;
        }
    }
    conn.close()?;
    listener.close()?;
    Ok(())
}
