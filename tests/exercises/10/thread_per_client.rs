//! Exercise 10, a wrong solution for this exercise: a thread per client.
//! It does serve both clients at once, the silent one in a thread of its
//! own; but this exercise asks one thread to serve them all, with poll
//! telling it which socket is ready. A thread per client is lesson 16's
//! design, and the rule `one_thread_serves_all` names the clone3 that
//! made each thread.

use socklab::{Connection, Errno, Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    let mut threads = Vec::new();
    // Client 1 (silent a while), client 2 (talks), and one that resets.
    for _ in 0..3 {
        let (conn, _peer) = listener.accept()?;
        threads.push(std::thread::spawn(move || echo(conn)));
    }
    listener.close()?;
    for t in threads {
        t.join().map_err(|_| "a thread panicked")??;
    }
    Ok(())
}

fn echo(conn: Connection) -> socklab::Result<()> {
    let mut buf = [0u8; 256];
    loop {
        let n = match conn.recv(&mut buf, MsgFlags::NONE) {
            Ok(n) => n,
            // The client reset its connection: it is gone.
            Err(e) if e.errno == Errno::ECONNRESET => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        let mut sent = 0;
        while sent < n {
            sent += conn.send(&buf[sent..n], MsgFlags::NONE)?;
        }
    }
    conn.close()
}
