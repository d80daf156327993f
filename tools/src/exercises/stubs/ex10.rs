//! Exercise 10: a poll server that serves its clients at once.
//!
//! Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays three clients.
//! Client 1 connects, sends half a line and, once that half is echoed,
//! stays connected and silent; meanwhile client 2 connects, sends its
//! lines, half-closes and must get its whole echo and its EOF. Only then
//! does client 1 send the rest and half-close. Send every byte back to
//! the client that sent it, from one thread: poll says which socket is
//! ready. A client whose recv returns 0 is done: close its socket. While
//! client 1 is still silent a third client connects and resets its
//! connection (it closes with SO_LINGER {on, 0}: an RST): poll marks its
//! socket POLLIN|POLLERR|POLLHUP and its recv fails with ECONNRESET. That
//! ends that client, not the server: close its socket and go on. After
//! the third client has come and gone, close the listening socket and
//! exit with status 0.
//!
//! Check it: `socklab check 10`. A hint: `socklab hint 10`.

use socklab::{poll, AsSocket, Connection, Family, PollFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let socket = Socket::new(Family::Inet)?;
    socket.bind(&SockAddr::from_host_port(&host, port)?)?;
    let listener = socket.listen(16)?;
    let mut clients: Vec<Connection> = Vec::new();
    // The set: the listening socket (POLLIN there: a client waits, and
    // accept will not block), then each client's socket.
    let mut watch: Vec<(&dyn AsSocket, PollFlags)> = vec![(&listener, PollFlags::IN)];
    for c in &clients {
        watch.push((c, PollFlags::IN));
    }
    let ready = poll(&watch, -1)?;
    if ready[0].contains(PollFlags::IN) {
        let (conn, _peer) = listener.accept()?;
        clients.push(conn);
    }
    // TODO: do that in a loop. Make the set again each time, with every
    // open client in it; after poll returns, for each client it marked
    // ready, make one recv (it will not block) and send back what it
    // returned; a recv of 0 means that client half-closed: close it and
    // drop it from `clients`. So does a recv that fails with ECONNRESET
    // (`Err(e) if e.errno == Errno::ECONNRESET`): that client reset its
    // connection. Accept while fewer than 3 have come. When 3 have come
    // and gone, leave the loop and listener.close()?.
    todo!(
        "exercise 10: poll the listening socket and {} client(s) in a loop, echo, close",
        clients.len()
    )
}
