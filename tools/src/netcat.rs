//! `socklab serve` and `socklab connect`: a netcat that prints every system
//! call it makes, to be the outside peer of a lesson in `--wait` mode.
//!
//! The server keeps accepting clients one after another on the same
//! listening fd; each client gets its own data fd, which the server closes
//! when that client is done.

use socklab::addr::SockAddr;
use socklab::output::eprintln_quiet;
use socklab::socket::{Connection, DatagramSocket, MsgFlags, Shutdown, SockOpt, Socket};
use socklab::trace::{self, Side, View};
use socklab::{poll, PollFlags};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (127.0.0.1 keeps it on this machine; port 0: any free port).
    #[arg(default_value = "127.0.0.1:7878")]
    pub addr: String,
    /// UDP instead of TCP.
    #[arg(long)]
    pub udp: bool,
    /// Send back whatever arrives.
    #[arg(long)]
    pub echo: bool,
    /// Stop after this many clients (UDP: messages). Default: run until stopped.
    #[arg(long, value_name = "N")]
    pub count: Option<u32>,
    /// How calls are shown: pretty, plain, json, off.
    #[arg(long, value_name = "VIEW")]
    pub trace: Option<View>,
}

#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// HOST:PORT of the server, as in 127.0.0.1:7804 or [::1]:7804.
    pub addr: String,
    /// UDP instead of TCP.
    #[arg(long)]
    pub udp: bool,
    /// How calls are shown: pretty, plain, json, off.
    #[arg(long, value_name = "VIEW")]
    pub trace: Option<View>,
    /// UDP: milliseconds to wait for each reply.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub reply_timeout: i32,
}

fn setup(view: Option<View>, side: Side) -> Result<(), String> {
    let (env_view, record) = trace::from_env();
    trace::configure(view.unwrap_or(env_view), record.as_deref()).map_err(|e| e.to_string())?;
    trace::set_side(side);
    Ok(())
}

/// A failed call, with what to do about the usual ones.
fn explain(e: socklab::Error, addr: &SockAddr) -> String {
    let hint = match e.name().as_str() {
        "EADDRINUSE" => {
            format!(": {addr} is already in use; pick another port, or port 0 for any free one")
        }
        "ECONNREFUSED" => format!(": nothing listens at {addr}; start the server first"),
        "EACCES" => ": ports below 1024 need root".to_string(),
        "EADDRNOTAVAIL" => format!(": {addr} is not an address of this machine"),
        _ => String::new(),
    };
    format!("{e}{hint}")
}

fn parse_addr(text: &str) -> Result<SockAddr, String> {
    text.parse::<SockAddr>().map_err(|e| e.0)
}

fn info(line: &str) {
    eprintln_quiet(&format!("socklab: {line}"));
}

fn write_out(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|_| out.flush()) {
        drop(out);
        socklab::output::stdout_failed(e);
    }
}

type Shared = Arc<Mutex<Option<Arc<Connection>>>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Option<Arc<Connection>>> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// Take the connection away from the stdin thread and close it. The stdin
/// thread only touches it under the lock, so once it is taken out here no
/// other reference is left, and the fd is closed exactly once, traced.
fn close_shared(shared: &Shared, conn: Arc<Connection>) -> socklab::Result<()> {
    drop(lock(shared).take());
    match Arc::try_unwrap(conn) {
        Ok(conn) => conn.close(),
        // Not reached: no copy lives outside the lock. Were one left, its
        // drop would close the fd, traced, all the same.
        Err(conn) => {
            drop(conn);
            Ok(())
        }
    }
}

/// `socklab serve`.
pub fn serve(args: &ServeArgs) -> Result<std::process::ExitCode, String> {
    let addr = parse_addr(&args.addr)?;
    setup(args.trace, Side::Server)?;
    let ex = |e| explain(e, &addr);
    if args.udp {
        return serve_udp(args, &addr).map_err(ex);
    }
    let sock = Socket::new(addr.family()).map_err(ex)?;
    sock.setsockopt(SockOpt::ReuseAddr(true)).map_err(ex)?;
    sock.bind(&addr).map_err(ex)?;
    let listener = sock.listen(128).map_err(ex)?;
    let here = listener.getsockname().map_err(ex)?;
    info(&format!(
        "listening on {here} (listening fd {})",
        listener.fd()
    ));

    // The client being served now, for the thread that sends stdin to it.
    let current: Shared = Arc::new(Mutex::new(None));
    if !args.echo {
        let current = Arc::clone(&current);
        std::thread::spawn(move || {
            trace::set_side(Side::Server);
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::stdin().read(&mut buf) {
                if n == 0 {
                    break;
                }
                // Sent under the lock, so the connection cannot be closed
                // mid-send, and no copy of it outlives the lock.
                if let Some(c) = lock(&current).as_ref() {
                    let _ = c.send(&buf[..n], MsgFlags::NOSIGNAL);
                }
            }
        });
    }

    let mut served = 0u32;
    while args.count.is_none_or(|c| served < c) {
        let (conn, peer) = listener.accept().map_err(ex)?;
        served += 1;
        info(&format!(
            "client {served} from {peer}: new data fd {}; listening fd {} unchanged",
            conn.fd(),
            listener.fd()
        ));
        let conn = Arc::new(conn);
        *lock(&current) = Some(Arc::clone(&conn));
        let mut buf = [0u8; 4096];
        loop {
            match conn.recv(&mut buf, MsgFlags::NONE) {
                Ok(0) => break, // the client closed its side: no more bytes
                Ok(n) if args.echo => {
                    if conn.send(&buf[..n], MsgFlags::NOSIGNAL).is_err() {
                        break;
                    }
                }
                Ok(n) => write_out(&buf[..n]),
                Err(e) => {
                    info(&format!("client {served}: {e}"));
                    break;
                }
            }
        }
        current.lock().unwrap_or_else(|e| e.into_inner()).take();
        info(&format!(
            "client {served} done: closing data fd {}",
            conn.fd()
        ));
        // The last reference closes the data fd (traced).
        if let Ok(conn) = Arc::try_unwrap(conn) {
            conn.close().map_err(ex)?;
        }
    }
    listener.close().map_err(ex)?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn serve_udp(args: &ServeArgs, addr: &SockAddr) -> socklab::Result<std::process::ExitCode> {
    let sock = DatagramSocket::new(addr.family())?;
    sock.bind(addr)?;
    let here = sock.getsockname()?;
    info(&format!(
        "listening on {here} for datagrams (fd {})",
        sock.fd()
    ));
    let mut buf = [0u8; 65536];
    let mut got = 0u32;
    while args.count.is_none_or(|c| got < c) {
        let (n, from) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
        got += 1;
        if args.echo {
            sock.sendto(&buf[..n], MsgFlags::NONE, &from)?;
        } else {
            write_out(&buf[..n]);
        }
    }
    sock.close()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// `socklab connect`.
pub fn connect(args: &ConnectArgs) -> Result<std::process::ExitCode, String> {
    let addr = parse_addr(&args.addr)?;
    setup(args.trace, Side::Client)?;
    let ex = |e| explain(e, &addr);
    if args.udp {
        return connect_udp(args, &addr).map_err(ex);
    }
    let conn = Arc::new(
        Socket::new(addr.family())
            .map_err(ex)?
            .connect(&addr)
            .map_err(|e| ex(e.into()))?,
    );
    let shared: Shared = Arc::new(Mutex::new(Some(Arc::clone(&conn))));
    let sender = Arc::clone(&shared);
    std::thread::spawn(move || {
        trace::set_side(Side::Client);
        let mut buf = [0u8; 4096];
        loop {
            let n = std::io::stdin().read(&mut buf).unwrap_or(0);
            let guard = lock(&sender);
            let Some(c) = guard.as_ref() else { return };
            if n == 0 {
                // End of input: tell the server we send no more, but keep
                // reading its answer (a half-close).
                let _ = c.shutdown(Shutdown::Write);
                return;
            }
            if c.send(&buf[..n], MsgFlags::NOSIGNAL).is_err() {
                return;
            }
        }
    });
    let mut buf = [0u8; 4096];
    loop {
        match conn.recv(&mut buf, MsgFlags::NONE) {
            Ok(0) => break, // the server closed: nothing more will come
            Ok(n) => write_out(&buf[..n]),
            Err(e) => return Err(ex(e)),
        }
    }
    close_shared(&shared, conn).map_err(ex)?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn connect_udp(args: &ConnectArgs, addr: &SockAddr) -> socklab::Result<std::process::ExitCode> {
    let sock = DatagramSocket::new(addr.family())?;
    let mut line = String::new();
    let mut buf = [0u8; 65536];
    while std::io::stdin().read_line(&mut line).unwrap_or(0) > 0 {
        sock.sendto(line.as_bytes(), MsgFlags::NONE, addr)?;
        line.clear();
        // A datagram may get no answer at all: wait a bounded time.
        let ready = poll(&[(&sock, PollFlags::IN)], args.reply_timeout)?;
        if ready[0].contains(PollFlags::IN) {
            let (n, _) = sock.recvfrom(&mut buf, MsgFlags::NONE)?;
            write_out(&buf[..n]);
        }
    }
    sock.close()?;
    Ok(std::process::ExitCode::SUCCESS)
}
