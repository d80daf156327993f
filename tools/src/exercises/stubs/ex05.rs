//! Exercise 5: sending 1 MB with a loop that survives EINTR.
//!
//! The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT that reads
//! slowly. Send it exactly 1 MiB (1,048,576 bytes) where byte i is
//! i % 251, then close the socket. The grader runs the program twice: the
//! second time, strace makes the 1st, 3rd, 5th… send fail with EINTR.
//!
//! Check it: `socklab check 5`. A hint: `socklab hint 5`.

use socklab::{Family, MsgFlags, SockAddr, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = std::env::var("SOCKLAB_HOST")?;
    let port: u16 = std::env::var("SOCKLAB_PORT")?.parse()?;
    let conn = Socket::new(Family::Inet)?
        .connect(&SockAddr::from_host_port(&host, port)?)
        .map_err(socklab::Error::from)?;
    let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    // One send: n is how many bytes the kernel took. When strace fails
    // it with EINTR, `?` ends the program with nothing sent.
    let sent = conn.send(&data, MsgFlags::NONE)?;
    // TODO: make this a loop: send &data[sent..] until sent reaches
    // data.len(), adding each n. A send that fails with EINTR
    // (e.errno == socklab::Errno::EINTR) sent nothing: make it again.
    // Any other error ends the program. Then conn.close()? and Ok(()).
    todo!(
        "exercise 5: a send loop that makes a send again after EINTR ({sent} of {} bytes sent)",
        data.len()
    )
}
