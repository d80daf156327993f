//! # socklab
//!
//! Raw POSIX sockets, one system call at a time. Every wrapper here makes
//! exactly one system call, the one it is named after, and prints one line
//! for it, the same line `strace` prints.
//!
//! ```text
//! client: socket → connect → send/recv → close
//! server: socket → bind → listen → accept → send/recv → close
//!                                  ▲    │
//!                                  └────┘ accept returns a NEW data socket;
//!                                         the listening socket stays open
//! ```
//!
//! ```no_run
//! use socklab::{Family, MsgFlags, SockAddr, Socket};
//!
//! # fn main() -> socklab::Result<()> {
//! let server = Socket::new(Family::Inet)?;                 // socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
//! server.bind(&SockAddr::loopback(7878))?;                  // bind(3, {...}, 16) = 0
//! let listener = server.listen(128)?;                       // listen(3, 128) = 0
//! let (conn, peer) = listener.accept()?;                    // accept(3, {...}, [128 => 16]) = 4
//! conn.send(format!("hello {peer}\n").as_bytes(), MsgFlags::NONE)?; // sendto(4, ...) = 23
//! conn.close()?;                                            // close(4) = 0
//! listener.close()?;                                        // close(3) = 0
//! # Ok(()) }
//! ```
//!
//! ## Layout
//!
//! This crate is what a student's program depends on: the wrappers and the
//! tracer, with libc and nix only. The `socklab` command, the lesson
//! runtime, `explain`, the diagram and the strace comparison live beside
//! it in the `socklab-tools` crate (`tools/`).
//!
//! - [`socket`]: the typed wrappers. `Socket` → `Listener` or `Connection`
//!   (or a `ConnectError` holding the socket), `DatagramSocket`; fcntl,
//!   getsockopt, socketpair, and `unlink` for the file a Unix socket's bind
//!   made; one system call each, the one it is named after.
//! - [`poll`]: waiting for several sockets at once.
//! - [`process`]: `fork` and `waitpid`, for a server that gives each
//!   client its own process (`match fork()? { Forked::Child => …,
//!   Forked::Parent(child) => … }`).
//! - [`select`]: the same with fd sets, as glibc makes it (`pselect6`);
//!   fds 0 to 1023 only.
//! - [`epoll`]: an `Epoll` instance that keeps a list of watched sockets
//!   in the kernel (`epoll_create1`, `epoll_ctl`, `epoll_wait`).
//! - [`msg`]: `sendmsg` and `recvmsg`, passing an open socket to another
//!   process over a Unix socket (`SCM_RIGHTS`).
//! - [`raw`]: the same calls over a bare fd, to *show* the mistakes the
//!   types forbid (recv on a listener, a second bind).
//! - [`addr`]: socket addresses (`SockAddr`, `PeerAddr`) and their parsing.
//! - [`lookup`]: `inet_pton`, `inet_ntop` and `getaddrinfo`, C library
//!   functions and not system calls, so never traced (lesson 11).
//! - [`error`]: `Error { call, errno }`, what a failed call returns.
//! - [`event`]: `CallEvent`, one system call: pid and tid, side, fd and
//!   role, each argument typed (`Arg { value, text }`: an fd, flags, an
//!   address, a byte buffer, …) with strace's text, the result, the new
//!   fd, and when it started and ended. The tracer makes one per call and
//!   renders strace's line and the JSON record (`"v"` 2) from it; the
//!   tools read records and strace logs back into the same type.
//! - [`trace`]: the tracer. Every wrapper reports its call here; the
//!   pretty, plain and JSON views, the record file, the
//!   cause-and-effect rule for two threads (`trace/causal.rs`), counting
//!   calls as `strace -c` does for runs too long to show
//!   (`trace/count.rs`), and what it does around a `fork` so the child's
//!   lines are its own.
//! - [`strace`]: strace's formatting, by the letter: argument decoding,
//!   string escaping, constant names, the line's padding.
//! - [`output`]: the program's own stdout: whole lines, colour only on a
//!   terminal, a quiet end when the reader goes away (`| head`).
//! - [`env`]: the environment (`LANG`, `NO_COLOR`, `SOCKLAB_TRACE`,
//!   `SOCKLAB_RECORD`), read in this one place.
//! - [`lang`]: the learner's language (English or Korean) for the human
//!   words around the trace.
//! - [`high_fd`]: keeps socklab's own files (the record, /proc tables) out
//!   of the fd numbers a lesson teaches.
//!
//! ## What the types forbid
//!
//! A listening socket cannot receive: data never travels on it.
//!
//! ```compile_fail,E0599
//! fn misuse(listener: socklab::Listener) {
//!     let mut buf = [0u8; 64];
//!     let _ = listener.recv(&mut buf, socklab::MsgFlags::NONE);
//! }
//! ```
//!
//! A connection cannot accept: only the listening socket has a queue of
//! clients.
//!
//! ```compile_fail,E0599
//! fn misuse(conn: socklab::Connection) {
//!     let _ = conn.accept();
//! }
//! ```
//!
//! A fresh socket cannot send: it is connected to nothing yet.
//!
//! ```compile_fail,E0599
//! fn misuse(sock: socklab::Socket) {
//!     let _ = sock.send(b"hi", socklab::MsgFlags::NONE);
//! }
//! ```
//!
//! A closed socket is gone: using it, or closing it twice, does not compile.
//!
//! ```compile_fail,E0382
//! fn misuse(conn: socklab::Connection) {
//!     let _ = conn.close();
//!     let _ = conn.send(b"hi", socklab::MsgFlags::NONE);
//! }
//! ```
//!
//! ```compile_fail,E0382
//! fn misuse(listener: socklab::Listener) {
//!     let _ = listener.close();
//!     let _ = listener.close();
//! }
//! ```
//!
//! `listen` consumes the fresh socket, so it cannot then be connected too.
//!
//! ```compile_fail,E0382
//! fn misuse(sock: socklab::Socket, addr: socklab::SockAddr) {
//!     let _listener = sock.listen(128);
//!     let _ = sock.connect(&addr);
//! }
//! ```
//!
//! The right way round compiles:
//!
//! ```no_run
//! fn fine(listener: socklab::Listener) -> socklab::Result<()> {
//!     let (conn, _peer) = listener.accept()?;
//!     let mut buf = [0u8; 64];
//!     conn.recv(&mut buf, socklab::MsgFlags::NONE)?;
//!     conn.close()?;
//!     listener.close()
//! }
//! ```

// The trace names calls as the x86-64 Linux kernel does: on aarch64 there
// is no `poll` or `epoll_wait` (glibc makes `ppoll` and `epoll_pwait`), so
// socklab's lines would not be strace's there.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
compile_error!(
    "socklab runs on Linux x86-64 only: its trace must equal strace's, and other \
     architectures make other system calls (ppoll for poll, for example)"
);

pub mod addr;
pub mod env;
pub mod epoll;
pub mod error;
pub mod event;
pub mod high_fd;
pub mod lang;
pub mod lookup;
pub mod msg;
pub mod output;
pub mod poll;
pub mod process;
pub mod raw;
pub mod select;
pub mod socket;
pub mod strace;
pub mod trace;

pub use addr::{Family, PeerAddr, SockAddr, UnixName};
pub use epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
pub use error::{Error, Result};
pub use msg::PassedSocket;
/// The kernel's error numbers, as a failed call's [`Error::errno`].
pub use nix::errno::Errno;
pub use poll::{poll, PollFlags};
pub use process::{fork, wait_any, wait_any_nohang, waitpid, ChildPid, ExitStatus, Forked};
pub use select::{select, FdSet, FdTooHigh, Selected, FD_SETSIZE};
pub use socket::unlink;
pub use socket::{
    AsSocket, ConnectError, Connection, DatagramSocket, FileFlags, GetSockOpt, Listener, MsgFlags,
    Shutdown, SoError, SoLinger, SoRcvBuf, SoSndBuf, SoType, SockFlags, SockOpt, SockType, Socket,
};
