//! The sockets themselves: thin wrappers, each making exactly one system
//! call, the one it is named after, and tracing it.
//!
//! The types follow the life of a TCP socket, so the compiler refuses the
//! mistakes learners make most:
//!
//! ```text
//!   Socket ──listen──▶ Listener ──accept──▶ (Connection, PeerAddr)   (server)
//!     │                   ▲  └──── accept again for the next client
//!     └──connect──▶ Connection                                      (client)
//!        └─ fails: ConnectError { error, socket }: the socket comes back,
//!           for a retry, or (EINPROGRESS) to poll, then finish_connect
//!
//!   Connection::socketpair() ──▶ (Connection, Connection)   (no address)
//! ```
//!
//! A [`Listener`] never carries data: `accept` hands out a *new* fd, a
//! [`Connection`], for each client, and the listener stays as it was. Only a
//! [`Connection`] can `send`, `recv` and `shutdown`. A [`DatagramSocket`]
//! (UDP) has no connection at all: every `sendto` names its destination,
//! unless `connect` has given it a default one for `send` and `recv`.
//!
//! Nothing is added behind the caller's back: no SOCK_CLOEXEC, no
//! MSG_NOSIGNAL, no retry on EINTR, no fcntl. Flags are what the caller
//! passes; `fcntl_setfl` is there for a program that wants to make a
//! socket nonblocking itself. (A Rust program ignores SIGPIPE, so `send` to a peer that has
//! gone returns EPIPE instead of killing the process.)

use crate::addr::{Family, PeerAddr, SockAddr};
use crate::error::{Error, Result};
use crate::event::{Arg, CallEvent};
use crate::strace::consts::{
    errno_name, family_name, fcntl_cmd_name, flag_names, open_flags, protocol_name,
    shutdown_how_name, sockopt_level_name, sockopt_name, socktype_name, MSG_FLAGS, SOCK_FLAGS,
};
use crate::strace::{format_len, Ret};
use crate::trace::{self, Role, Started};
use nix::errno::Errno;
use std::fmt;
use std::mem::{size_of, zeroed};
use std::ops::BitOr;
use std::os::fd::{AsRawFd, RawFd};

/// Flags for `send`, `recv`, `sendto` and `recvfrom` (`MSG_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgFlags(i32);

impl MsgFlags {
    /// No flags: a plain blocking call.
    pub const NONE: MsgFlags = MsgFlags(0);
    /// Look at the data without taking it off the queue.
    pub const PEEK: MsgFlags = MsgFlags(libc::MSG_PEEK);
    /// Do not block: fail with EAGAIN when the call would wait.
    pub const DONTWAIT: MsgFlags = MsgFlags(libc::MSG_DONTWAIT);
    /// Wait until the whole buffer is filled (or the peer closes).
    pub const WAITALL: MsgFlags = MsgFlags(libc::MSG_WAITALL);
    /// Return EPIPE instead of raising SIGPIPE when the peer has gone.
    pub const NOSIGNAL: MsgFlags = MsgFlags(libc::MSG_NOSIGNAL);
    /// More data follows: let TCP hold this back to fill a segment.
    pub const MORE: MsgFlags = MsgFlags(libc::MSG_MORE);
    /// recvfrom on a datagram socket: return the datagram's real length,
    /// even when the buffer was shorter and the rest was cut.
    pub const TRUNC: MsgFlags = MsgFlags(libc::MSG_TRUNC);

    pub fn bits(self) -> i32 {
        self.0
    }
}

impl BitOr for MsgFlags {
    type Output = MsgFlags;
    fn bitor(self, rhs: MsgFlags) -> MsgFlags {
        MsgFlags(self.0 | rhs.0)
    }
}

/// Flags that `socket()` and `accept4()` set on the new fd.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockFlags(i32);

impl SockFlags {
    pub const NONE: SockFlags = SockFlags(0);
    /// Close the fd when the program calls exec.
    pub const CLOEXEC: SockFlags = SockFlags(libc::SOCK_CLOEXEC);
    /// Calls on the fd never wait: they fail with EAGAIN or EINPROGRESS.
    pub const NONBLOCK: SockFlags = SockFlags(libc::SOCK_NONBLOCK);

    pub fn bits(self) -> i32 {
        self.0
    }
}

impl BitOr for SockFlags {
    type Output = SockFlags;
    fn bitor(self, rhs: SockFlags) -> SockFlags {
        SockFlags(self.0 | rhs.0)
    }
}

/// An fd's file status flags (`O_*`), as `fcntl(fd, F_GETFL)` returns them
/// and `fcntl(fd, F_SETFL, flags)` sets them. A socket is always open for
/// reading and writing, so they include `O_RDWR`; add `NONBLOCK` to what
/// F_GETFL returned and hand the whole back to F_SETFL, as C does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileFlags(i32);

impl FileFlags {
    /// `O_NONBLOCK`: calls on the fd never wait; one that would fails with
    /// EAGAIN (recv, send, accept) or EINPROGRESS (connect).
    pub const NONBLOCK: FileFlags = FileFlags(libc::O_NONBLOCK);

    pub fn bits(self) -> i32 {
        self.0
    }
    pub fn contains(self, other: FileFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// These flags with the bits of `other` cleared.
    pub fn without(self, other: FileFlags) -> FileFlags {
        FileFlags(self.0 & !other.0)
    }
}

impl BitOr for FileFlags {
    type Output = FileFlags;
    fn bitor(self, rhs: FileFlags) -> FileFlags {
        FileFlags(self.0 | rhs.0)
    }
}

/// Which direction `shutdown` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// `SHUT_RD`: this side reads no more.
    Read,
    /// `SHUT_WR`: this side sends no more; the peer's `recv` returns 0 (EOF),
    /// but the peer may still answer.
    Write,
    /// `SHUT_RDWR`: both.
    Both,
}

impl Shutdown {
    pub(crate) fn raw(self) -> i32 {
        match self {
            Shutdown::Read => libc::SHUT_RD,
            Shutdown::Write => libc::SHUT_WR,
            Shutdown::Both => libc::SHUT_RDWR,
        }
    }
}

/// A socket option for `setsockopt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockOpt {
    /// `SO_REUSEADDR`: bind a port even while old connections on it sit in
    /// TIME_WAIT, so a restarted server need not wait a minute.
    ReuseAddr(bool),
    /// `SO_REUSEPORT`: let several sockets listen on one port.
    ReusePort(bool),
    /// `SO_KEEPALIVE`: probe an idle connection to find a dead peer.
    KeepAlive(bool),
    /// `SO_RCVBUF`: ask for a receive buffer of this many bytes.
    RcvBuf(i32),
    /// `SO_SNDBUF`: ask for a send buffer of this many bytes.
    SndBuf(i32),
    /// `SO_LINGER`: with `Some(0)`, close resets the connection (RST)
    /// instead of the orderly FIN, and skips TIME_WAIT.
    Linger(Option<i32>),
    /// `TCP_NODELAY`: send small writes at once (turn off Nagle's algorithm).
    TcpNoDelay(bool),
    /// `IPV6_V6ONLY`: an IPv6 socket does not also take IPv4 clients.
    Ipv6V6Only(bool),
}

impl SockOpt {
    fn level_name(self) -> (i32, i32) {
        match self {
            SockOpt::ReuseAddr(_) => (libc::SOL_SOCKET, libc::SO_REUSEADDR),
            SockOpt::ReusePort(_) => (libc::SOL_SOCKET, libc::SO_REUSEPORT),
            SockOpt::KeepAlive(_) => (libc::SOL_SOCKET, libc::SO_KEEPALIVE),
            SockOpt::RcvBuf(_) => (libc::SOL_SOCKET, libc::SO_RCVBUF),
            SockOpt::SndBuf(_) => (libc::SOL_SOCKET, libc::SO_SNDBUF),
            SockOpt::Linger(_) => (libc::SOL_SOCKET, libc::SO_LINGER),
            SockOpt::TcpNoDelay(_) => (libc::IPPROTO_TCP, libc::TCP_NODELAY),
            SockOpt::Ipv6V6Only(_) => (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
        }
    }
}

/// A socket option `getsockopt` can read, with the type of its value:
/// [`SoError`], [`SoType`], [`SoRcvBuf`], [`SoSndBuf`], [`SoLinger`].
/// `sock.getsockopt(SoRcvBuf)?` is an `i32`, `sock.getsockopt(SoError)?`
/// an `Option<Errno>`.
pub trait GetSockOpt {
    /// What the option's value means to a program.
    type Value;
    /// Make the one `getsockopt` call on `on` and read its value.
    #[doc(hidden)]
    fn read(self, on: (RawFd, Role)) -> Result<Self::Value>;
}

/// `SO_ERROR`: the error the socket is holding, and clearing it: a second
/// read gives `None`. After a nonblocking connect that said EINPROGRESS,
/// this is how the program learns how the handshake ended (`None`: it
/// connected; `Some(ECONNREFUSED)`: nobody listens there).
#[derive(Clone, Copy, Debug)]
pub struct SoError;

/// `SO_TYPE`: stream or datagram.
#[derive(Clone, Copy, Debug)]
pub struct SoType;

/// `SO_RCVBUF`: the receive buffer's size in bytes. Linux reports twice
/// what `setsockopt` asked for: it keeps the other half for its own
/// bookkeeping.
#[derive(Clone, Copy, Debug)]
pub struct SoRcvBuf;

/// `SO_SNDBUF`: the send buffer's size in bytes (doubled, as SO_RCVBUF).
#[derive(Clone, Copy, Debug)]
pub struct SoSndBuf;

/// `SO_LINGER`: `None` for the usual close; `Some(0)` when close resets
/// the connection (RST), as [`SockOpt::Linger`] sets it.
#[derive(Clone, Copy, Debug)]
pub struct SoLinger;

/// A socket's type, as `SO_TYPE` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockType {
    /// `SOCK_STREAM` (1): TCP, or a Unix stream socket.
    Stream,
    /// `SOCK_DGRAM` (2): UDP, or a Unix datagram socket.
    Datagram,
    /// Any other type number.
    Other(i32),
}

/// `getsockopt(fd, SOL_SOCKET, name, &value, &len)`, the value starting as
/// `value`, shown by `show` once the kernel has filled it in. strace prints
/// the length as `[4]` when the kernel left it as passed.
fn getsockopt_call<T>(
    on: (RawFd, Role),
    name: i32,
    mut value: T,
    show: impl FnOnce(&T) -> String,
) -> Result<T> {
    let fd = on.0;
    let passed = size_of::<T>() as libc::socklen_t;
    let mut len = passed;
    let started = trace::start();
    // SAFETY: value and len are valid for writing during the call, and
    // `len` says how many bytes the kernel may write into value.
    let ret = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            name,
            &mut value as *mut T as *mut libc::c_void,
            &mut len,
        )
    };
    traced(started, "getsockopt", Some(on), ret.into(), None, |ret| {
        let shown = match ret {
            Ret::Error(_) => format!("{:p}", &value as *const T),
            _ => show(&value),
        };
        vec![
            Arg::fd(fd),
            Arg::flags(
                libc::SOL_SOCKET.into(),
                sockopt_level_name(libc::SOL_SOCKET),
            ),
            Arg::flags(name.into(), sockopt_name(libc::SOL_SOCKET, name)),
            Arg::opaque(shown),
            Arg::opaque(format_len(passed, len)),
        ]
    })?;
    Ok(value)
}

impl GetSockOpt for SoError {
    type Value = Option<Errno>;
    fn read(self, on: (RawFd, Role)) -> Result<Option<Errno>> {
        // strace names the error: [ECONNREFUSED]; no error is [0].
        let shown = |v: &i32| match *v {
            0 => "[0]".to_string(),
            e => format!("[{}]", errno_name(e)),
        };
        let v = getsockopt_call(on, libc::SO_ERROR, 0i32, shown)?;
        Ok((v != 0).then(|| Errno::from_raw(v)))
    }
}

impl GetSockOpt for SoType {
    type Value = SockType;
    fn read(self, on: (RawFd, Role)) -> Result<SockType> {
        // strace 6.1 prints the bare number here: [1], not [SOCK_STREAM].
        let v = getsockopt_call(on, libc::SO_TYPE, 0i32, |v| format!("[{v}]"))?;
        Ok(match v {
            libc::SOCK_STREAM => SockType::Stream,
            libc::SOCK_DGRAM => SockType::Datagram,
            n => SockType::Other(n),
        })
    }
}

impl GetSockOpt for SoRcvBuf {
    type Value = i32;
    fn read(self, on: (RawFd, Role)) -> Result<i32> {
        getsockopt_call(on, libc::SO_RCVBUF, 0i32, |v| format!("[{v}]"))
    }
}

impl GetSockOpt for SoSndBuf {
    type Value = i32;
    fn read(self, on: (RawFd, Role)) -> Result<i32> {
        getsockopt_call(on, libc::SO_SNDBUF, 0i32, |v| format!("[{v}]"))
    }
}

impl GetSockOpt for SoLinger {
    type Value = Option<i32>;
    fn read(self, on: (RawFd, Role)) -> Result<Option<i32>> {
        let off = libc::linger {
            l_onoff: 0,
            l_linger: 0,
        };
        let lg = getsockopt_call(on, libc::SO_LINGER, off, |lg| {
            format!("{{l_onoff={}, l_linger={}}}", lg.l_onoff, lg.l_linger)
        })?;
        Ok((lg.l_onoff != 0).then_some(lg.l_linger))
    }
}

/// The fd under every socket type. Dropping it closes it, traced, with a
/// plain `close()`: no `fcntl(F_GETFD)` check as `OwnedFd` makes in debug builds.
#[derive(Debug)]
struct Fd {
    raw: RawFd,
    role: Role,
}

impl Fd {
    fn close(mut self) -> Result<()> {
        let result = close_raw(self.raw, self.role);
        // Linux frees the fd even when close reports an error, so never
        // close this number again: it may already belong to someone else.
        self.raw = -1;
        result
    }

    /// This fd with its role, as the trace names it.
    fn on(&self) -> Option<(RawFd, Role)> {
        Some((self.raw, self.role))
    }

    fn with_role(mut self, role: Role) -> Fd {
        self.role = role;
        self
    }

    fn setsockopt(&self, opt: SockOpt) -> Result<()> {
        let (level, name) = opt.level_name();
        let int_value = |v: i32| (v, format!("[{v}]"));
        let started = trace::start();
        let (value, shown, ret) = match opt {
            SockOpt::Linger(l) => {
                let lg = libc::linger {
                    l_onoff: l.is_some() as i32,
                    l_linger: l.unwrap_or(0),
                };
                let shown = format!("{{l_onoff={}, l_linger={}}}", lg.l_onoff, lg.l_linger);
                (size_of::<libc::linger>(), shown, unsafe {
                    setsockopt_raw(self.raw, level, name, &lg)
                })
            }
            SockOpt::RcvBuf(n) | SockOpt::SndBuf(n) => {
                let (v, shown) = int_value(n);
                (size_of::<i32>(), shown, unsafe {
                    setsockopt_raw(self.raw, level, name, &v)
                })
            }
            SockOpt::ReuseAddr(b)
            | SockOpt::ReusePort(b)
            | SockOpt::KeepAlive(b)
            | SockOpt::TcpNoDelay(b)
            | SockOpt::Ipv6V6Only(b) => {
                let (v, shown) = int_value(b as i32);
                (size_of::<i32>(), shown, unsafe {
                    setsockopt_raw(self.raw, level, name, &v)
                })
            }
        };
        traced(started, "setsockopt", self.on(), ret.into(), None, |_| {
            vec![
                Arg::fd(self.raw),
                Arg::flags(level.into(), sockopt_level_name(level)),
                Arg::flags(name.into(), sockopt_name(level, name)),
                Arg::opaque(shown),
                Arg::int(value as i64),
            ]
        })
        .map(drop)
    }

    /// `fcntl(fd, F_GETFL)`: the fd's status flags. strace writes the
    /// result in hex with its meaning: `= 0x802 (flags O_RDWR|O_NONBLOCK)`.
    fn fcntl_getfl(&self) -> Result<FileFlags> {
        let started = trace::start();
        // SAFETY: F_GETFL takes no third argument.
        let ret = unsafe { libc::fcntl(self.raw, libc::F_GETFL) };
        let ret = match Ret::from_libc(ret.into(), Errno::last_raw()) {
            Ret::Value(v) => Ret::Hex(v, format!("flags {}", open_flags(v))),
            other => other,
        };
        let v = finish(started, "fcntl", self.on(), ret, None, |_| {
            vec![
                Arg::fd(self.raw),
                Arg::flags(libc::F_GETFL.into(), fcntl_cmd_name(libc::F_GETFL)),
            ]
        })?;
        Ok(FileFlags(v as i32))
    }

    /// `fcntl(fd, F_SETFL, flags)`: set the fd's status flags to `flags`.
    fn fcntl_setfl(&self, flags: FileFlags) -> Result<()> {
        let started = trace::start();
        // SAFETY: F_SETFL takes an int.
        let ret = unsafe { libc::fcntl(self.raw, libc::F_SETFL, flags.bits()) };
        traced(started, "fcntl", self.on(), ret.into(), None, |_| {
            vec![
                Arg::fd(self.raw),
                Arg::flags(libc::F_SETFL.into(), fcntl_cmd_name(libc::F_SETFL)),
                Arg::flags(flags.bits().into(), open_flags(flags.bits().into())),
            ]
        })
        .map(drop)
    }

    /// `send(fd, buf, len, flags)`, which the kernel sees as
    /// `sendto(fd, buf, len, flags, NULL, 0)`.
    fn send(&self, buf: &[u8], flags: MsgFlags) -> Result<usize> {
        send_on(self.raw, self.on(), buf, flags)
    }

    /// `recv(fd, buf, len, flags)`, which the kernel sees as
    /// `recvfrom(fd, buf, len, flags, NULL, NULL)`.
    fn recv(&self, buf: &mut [u8], flags: MsgFlags) -> Result<usize> {
        recv_on(self.raw, self.on(), buf, flags)
    }

    /// bind and connect: hand the kernel an address.
    fn addr_call(
        &self,
        name: &'static str,
        addr: &SockAddr,
        f: unsafe extern "C" fn(libc::c_int, *const libc::sockaddr, libc::socklen_t) -> libc::c_int,
    ) -> Result<()> {
        let (ss, len) = addr.to_raw();
        let started = trace::start();
        // SAFETY: ss is a valid address of `len` bytes for the whole call.
        let ret = unsafe { f(self.raw, &ss as *const _ as *const libc::sockaddr, len) };
        traced(started, name, self.on(), ret.into(), None, |_| {
            vec![
                Arg::fd(self.raw),
                Arg::addr(&ss, len as usize),
                Arg::int(len.into()),
            ]
        })
        .map(drop)
    }

    /// getsockname and getpeername: ask the kernel for an address.
    fn addr_query(
        &self,
        name: &'static str,
        f: unsafe extern "C" fn(
            libc::c_int,
            *mut libc::sockaddr,
            *mut libc::socklen_t,
        ) -> libc::c_int,
    ) -> Result<SockAddr> {
        // SAFETY: all-zero bytes are a valid sockaddr_storage.
        let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
        let passed = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        let mut len = passed;
        let started = trace::start();
        // SAFETY: ss and len are valid for writing during the call.
        let ret = unsafe { f(self.raw, &mut ss as *mut _ as *mut libc::sockaddr, &mut len) };
        traced(started, name, self.on(), ret.into(), None, |ret| {
            vec![
                Arg::fd(self.raw),
                out_addr(&ss, passed, len, ret),
                Arg::opaque(format_len(passed, len)),
            ]
        })?;
        Ok(SockAddr::from_kernel(&ss, len))
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        if self.raw >= 0 {
            let _ = close_raw(self.raw, self.role);
        }
    }
}

/// An address the kernel wrote back: shown when the call succeeded, and as
/// the buffer's bare address when it did not (the kernel left it unfilled).
pub(crate) fn out_addr(
    ss: &libc::sockaddr_storage,
    passed: libc::socklen_t,
    len: libc::socklen_t,
    ret: &Ret,
) -> Arg {
    match ret {
        Ret::Error(_) => Arg::unfilled(ss),
        _ => Arg::addr(ss, len.min(passed) as usize),
    }
}

unsafe fn setsockopt_raw<T>(fd: RawFd, level: i32, name: i32, value: &T) -> libc::c_int {
    libc::setsockopt(
        fd,
        level,
        name,
        value as *const T as *const libc::c_void,
        size_of::<T>() as libc::socklen_t,
    )
}

fn close_raw(fd: RawFd, role: Role) -> Result<()> {
    let started = trace::start();
    // SAFETY: fd is owned by the socket being closed, and closed only once.
    let ret = unsafe { libc::close(fd) };
    traced(started, "close", Some((fd, role)), ret.into(), None, |_| {
        vec![Arg::fd(fd)]
    })
    .map(drop)
}

/// Every wrapper ends here, straight after its libc call and before
/// anything else can change errno: read errno, trace the call (building
/// its arguments only when tracing is on), and give back the result.
/// `started` is [`trace::start`], taken just before the libc call, so the
/// event says when the call began as well as when it ended.
/// `syscall` is the kernel's name for the call; a new fd, if the call made
/// one, gets `new_role`.
pub(crate) fn traced(
    started: Started,
    syscall: &'static str,
    on: Option<(RawFd, Role)>,
    raw: i64,
    new_role: Option<Role>,
    args: impl FnOnce(&Ret) -> Vec<Arg>,
) -> Result<i64> {
    finish(
        started,
        syscall,
        on,
        Ret::from_libc(raw, Errno::last_raw()),
        new_role,
        args,
    )
}

/// [`traced`] for a call whose result strace annotates (`poll`'s
/// `= 1 ([{fd=3, revents=POLLIN}])`): the wrapper reads errno into `ret`
/// itself, at once, and adds the annotation.
pub(crate) fn finish(
    started: Started,
    syscall: &'static str,
    on: Option<(RawFd, Role)>,
    ret: Ret,
    new_role: Option<Role>,
    args: impl FnOnce(&Ret) -> Vec<Arg>,
) -> Result<i64> {
    finish_new_fds(
        started,
        syscall,
        on,
        ret,
        |ret| match (ret, new_role) {
            (Ret::Value(fd), Some(role)) => Some((role, *fd as RawFd, None)),
            _ => None,
        },
        args,
    )
}

/// [`finish`] for a call whose new fds are not its return value:
/// `socketpair` writes two into an array, `recvmsg` finds the sockets it
/// received in the message. `new_fds` says, from the result, which fds
/// the call made and their role: the first, and a second if there is one.
/// Like `args`, it runs only when tracing is on.
pub(crate) fn finish_new_fds(
    started: Started,
    syscall: &'static str,
    on: Option<(RawFd, Role)>,
    ret: Ret,
    new_fds: impl FnOnce(&Ret) -> Option<(Role, RawFd, Option<RawFd>)>,
    args: impl FnOnce(&Ret) -> Vec<Arg>,
) -> Result<i64> {
    trace::record(started, || {
        let mut call = CallEvent::new(syscall, args(&ret), ret.clone());
        if let Some((fd, role)) = on {
            call.fd = Some(fd);
            call.role = Some(role);
        }
        if let Some((role, fd, fd2)) = new_fds(&ret) {
            call.new_fd = Some(fd);
            call.new_role = Some(role);
            call.new_fd2 = fd2;
        }
        call
    });
    match ret {
        Ret::Error(e) => Err(Error {
            call: syscall,
            errno: Errno::from_raw(e),
        }),
        Ret::Value(v) | Ret::Annotated(v, _) | Ret::Hex(v, _) => Ok(v),
    }
}

/// The two new fds a successful `socketpair` wrote: both ends are data
/// sockets, already connected to each other.
pub(crate) fn pair_made(ret: &Ret, fds: [libc::c_int; 2]) -> Option<(Role, RawFd, Option<RawFd>)> {
    match ret {
        Ret::Error(_) => None,
        _ => Some((Role::Data, fds[0], Some(fds[1]))),
    }
}

/// `socket(family, type|flags, 0)`: a new fd with the role `role`.
fn socket_call(family: Family, ty: i32, flags: SockFlags, role: Role) -> Result<Fd> {
    let ty = ty | flags.bits();
    let started = trace::start();
    // SAFETY: socket takes plain integers.
    let ret = unsafe { libc::socket(family.raw(), ty, 0) };
    let fd = traced(started, "socket", None, ret.into(), Some(role), |_| {
        vec![
            Arg::flags(family.raw().into(), family_name(family.raw())),
            Arg::flags(ty.into(), socktype_name(ty)),
            Arg::flags(0, protocol_name(family.raw(), 0)),
        ]
    })?;
    Ok(Fd {
        raw: fd as RawFd,
        role,
    })
}

/// The methods every kind of socket has: setsockopt, getsockname, close.
macro_rules! common_socket_methods {
    () => {
        /// `setsockopt(fd, level, name, &value, len)`: set one option.
        pub fn setsockopt(&self, opt: SockOpt) -> Result<()> {
            self.fd.setsockopt(opt)
        }

        /// `getsockopt(fd, SOL_SOCKET, name, &value, &len)`: read one
        /// option, [`SoError`], [`SoType`], [`SoRcvBuf`], [`SoSndBuf`] or
        /// [`SoLinger`]; the value has the option's own type.
        pub fn getsockopt<O: GetSockOpt>(&self, opt: O) -> Result<O::Value> {
            opt.read((self.fd.raw, self.fd.role))
        }

        /// `fcntl(fd, F_GETFL)`: the fd's status flags (`O_RDWR`, and
        /// `O_NONBLOCK` once set).
        pub fn fcntl_getfl(&self) -> Result<FileFlags> {
            self.fd.fcntl_getfl()
        }

        /// `fcntl(fd, F_SETFL, flags)`: replace the fd's status flags.
        /// `s.fcntl_setfl(s.fcntl_getfl()? | FileFlags::NONBLOCK)` makes
        /// every later call on it return at once instead of waiting.
        pub fn fcntl_setfl(&self, flags: FileFlags) -> Result<()> {
            self.fd.fcntl_setfl(flags)
        }

        /// `getsockname(fd, ...)`: the address this socket is bound to
        /// (the port the kernel picked, after a bind to port 0 or a connect).
        pub fn getsockname(&self) -> Result<SockAddr> {
            self.fd.addr_query("getsockname", libc::getsockname)
        }

        /// `close(fd)`: give the fd back to the kernel. It takes the socket
        /// by value, so the fd cannot be used, or closed, again.
        pub fn close(self) -> Result<()> {
            self.fd.close()
        }

        /// The fd number, as the kernel and strace name this socket.
        pub fn fd(&self) -> RawFd {
            self.fd.raw
        }
    };
}

/// A new stream (TCP or Unix) socket: it can be bound, then either listen
/// (server) or connect (client).
#[derive(Debug)]
pub struct Socket {
    fd: Fd,
}

impl Socket {
    /// `socket(family, SOCK_STREAM, 0)`: a TCP socket for AF_INET and
    /// AF_INET6, a Unix stream socket for AF_UNIX. The kernel hands out the
    /// lowest fd number not in use, usually 3 after stdin, stdout, stderr.
    pub fn new(family: Family) -> Result<Socket> {
        Socket::with_flags(family, SockFlags::NONE)
    }

    /// `socket(family, SOCK_STREAM|flags, 0)`.
    pub fn with_flags(family: Family, flags: SockFlags) -> Result<Socket> {
        Ok(Socket {
            fd: socket_call(family, libc::SOCK_STREAM, flags, Role::Socket)?,
        })
    }

    /// `bind(fd, addr, len)`: give the socket its local address. A server
    /// binds the address clients will dial; port 0 lets the kernel choose.
    pub fn bind(&self, addr: &SockAddr) -> Result<()> {
        self.fd.addr_call("bind", addr, libc::bind)
    }

    /// `listen(fd, backlog)`: make this a passive socket. From now on the
    /// kernel completes handshakes by itself and queues up to about
    /// `backlog` finished connections until the program calls `accept`.
    ///
    /// The socket becomes a [`Listener`]: it will never send or receive.
    /// If the call fails, the socket is closed (the close is traced).
    pub fn listen(self, backlog: i32) -> Result<Listener> {
        let started = trace::start();
        // SAFETY: plain integers.
        let ret = unsafe { libc::listen(self.fd.raw, backlog) };
        traced(started, "listen", self.fd.on(), ret.into(), None, |_| {
            vec![Arg::fd(self.fd.raw), Arg::int(backlog.into())]
        })?;
        Ok(Listener {
            fd: self.fd.with_role(Role::Listening),
        })
    }

    /// `connect(fd, addr, len)`: dial a server. It returns once the TCP
    /// handshake is done, which the server's kernel completes on its own,
    /// before (or without) the server calling `accept`.
    ///
    /// The socket becomes a [`Connection`]. If the call fails, the
    /// [`ConnectError`] holds the error *and the socket*, still open:
    ///
    /// - EINPROGRESS: the socket is nonblocking and the handshake has
    ///   started. `poll` it for [`PollFlags::OUT`](crate::PollFlags::OUT),
    ///   then [`Socket::finish_connect`].
    /// - ECONNREFUSED and the like: close it, or try again (POSIX leaves a
    ///   socket's state unspecified after a failed connect, so portable code
    ///   makes a new socket; Linux lets the same one connect again).
    ///
    /// `?` turns a [`ConnectError`] into an [`Error`] and drops the socket,
    /// which closes it (traced), so `Socket::new(f)?.connect(&addr)?` reads
    /// as before.
    pub fn connect(self, addr: &SockAddr) -> std::result::Result<Connection, ConnectError> {
        match self.fd.addr_call("connect", addr, libc::connect) {
            Ok(()) => Ok(Connection {
                fd: self.fd.with_role(Role::Data),
            }),
            Err(error) => Err(ConnectError {
                error,
                socket: self,
            }),
        }
    }

    /// After a nonblocking `connect` said EINPROGRESS and `poll` said the
    /// socket is writable: one call, `getsockopt(fd, SOL_SOCKET, SO_ERROR,
    /// ...)`, asks the kernel how the handshake ended. `[0]`: the socket is
    /// connected and becomes a [`Connection`]. Anything else is the
    /// connect's own error (`ECONNREFUSED`), returned as a [`ConnectError`]
    /// for `connect` with the socket back. Reading SO_ERROR clears it.
    ///
    /// Call it only once `poll` has reported `POLLOUT`: before that,
    /// SO_ERROR is 0 too, while the handshake is still under way.
    pub fn finish_connect(self) -> std::result::Result<Connection, ConnectError> {
        match self.getsockopt(SoError) {
            Ok(None) => Ok(Connection {
                fd: self.fd.with_role(Role::Data),
            }),
            Ok(Some(errno)) => Err(ConnectError {
                error: Error {
                    call: "connect",
                    errno,
                },
                socket: self,
            }),
            Err(error) => Err(ConnectError {
                error,
                socket: self,
            }),
        }
    }

    common_socket_methods!();
}

/// A `connect` that did not connect: the error, and the socket, still open,
/// so the program can poll it (EINPROGRESS), try again, or close it.
///
/// ```no_run
/// use socklab::{ConnectError, Errno, Family, FileFlags, PollFlags, SockAddr, Socket};
///
/// # fn main() -> socklab::Result<()> {
/// let addr = SockAddr::loopback(7878);
/// let sock = Socket::new(Family::Inet)?;
/// sock.fcntl_setfl(sock.fcntl_getfl()? | FileFlags::NONBLOCK)?;
/// let conn = match sock.connect(&addr) {
///     Ok(conn) => conn,
///     Err(ConnectError { error, socket }) if error.errno == Errno::EINPROGRESS => {
///         socklab::poll(&[(&socket, PollFlags::OUT)], 1000)?;
///         socket.finish_connect()? // getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
///     }
///     Err(other) => return Err(other.into()), // closes the socket, traced
/// };
/// conn.close()
/// # }
/// ```
#[derive(Debug)]
pub struct ConnectError {
    /// What the kernel said (for `finish_connect`, what SO_ERROR held).
    pub error: Error,
    /// The socket, still open, still unconnected.
    pub socket: Socket,
}

impl ConnectError {
    /// EINPROGRESS: a nonblocking connect has sent its SYN and returned;
    /// the handshake goes on without the program.
    pub fn in_progress(&self) -> bool {
        self.error.errno == Errno::EINPROGRESS
    }
}

impl From<ConnectError> for Error {
    /// Keep the error and drop the socket, which closes it (traced).
    fn from(e: ConnectError) -> Error {
        let ConnectError { error, socket } = e;
        drop(socket);
        error
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for ConnectError {}

/// A listening socket. It only accepts: each `accept` returns a new
/// [`Connection`] for one client, and this socket stays open, listening for
/// the next.
#[derive(Debug)]
pub struct Listener {
    fd: Fd,
}

impl Listener {
    /// `accept(fd, &addr, &len)`: take the next finished connection off the
    /// queue, waiting for one if it is empty.
    ///
    /// The kernel creates a **new** fd for that one connection and returns
    /// it with the client's address. The listening fd is untouched: it goes
    /// on listening, and the next `accept` gives the next client its own fd.
    pub fn accept(&self) -> Result<(Connection, PeerAddr)> {
        self.accept_call(None)
    }

    /// `accept4(fd, &addr, &len, flags)`: `accept` that sets flags such as
    /// SOCK_NONBLOCK on the new fd in the same call.
    pub fn accept4(&self, flags: SockFlags) -> Result<(Connection, PeerAddr)> {
        self.accept_call(Some(flags))
    }

    fn accept_call(&self, flags: Option<SockFlags>) -> Result<(Connection, PeerAddr)> {
        let fd = self.fd.raw;
        // SAFETY: all-zero bytes are a valid sockaddr_storage.
        let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
        let passed = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        let mut len = passed;
        let ptr = &mut ss as *mut _ as *mut libc::sockaddr;
        let started = trace::start();
        // SAFETY: ss and len are valid for writing during the call.
        let ret = unsafe {
            match flags {
                None => libc::accept(fd, ptr, &mut len),
                Some(f) => libc::accept4(fd, ptr, &mut len, f.bits()),
            }
        };
        let name = if flags.is_some() { "accept4" } else { "accept" };
        let new = traced(
            started,
            name,
            self.fd.on(),
            ret.into(),
            Some(Role::Data),
            |ret| {
                let mut args = vec![
                    Arg::fd(fd),
                    out_addr(&ss, passed, len, ret),
                    Arg::opaque(format_len(passed, len)),
                ];
                if let Some(f) = flags {
                    args.push(Arg::flags(
                        f.bits().into(),
                        flag_names(f.bits().into(), SOCK_FLAGS, "0"),
                    ));
                }
                args
            },
        )? as RawFd;
        let conn = Connection {
            fd: Fd {
                raw: new,
                role: Role::Data,
            },
        };
        let peer = SockAddr::from_kernel(&ss, len);
        Ok((conn, peer))
    }

    common_socket_methods!();
}

/// A data socket: one end of one connection, from `accept` (server) or
/// `connect` (client). Bytes go in with `send` and come out with `recv`, as a
/// stream: TCP keeps no message boundaries.
#[derive(Debug)]
pub struct Connection {
    fd: Fd,
}

impl Connection {
    /// `socketpair(AF_UNIX, SOCK_STREAM, 0, [fd1, fd2])`: two new fds,
    /// already connected to each other, with no address and no listener:
    /// what one sends, the other receives.
    pub fn socketpair() -> Result<(Connection, Connection)> {
        let mut fds: [libc::c_int; 2] = [-1, -1];
        let started = trace::start();
        // SAFETY: fds has room for the two fds the kernel writes.
        let ret =
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) };
        let ret = Ret::from_libc(ret.into(), Errno::last_raw());
        finish_new_fds(
            started,
            "socketpair",
            None,
            ret,
            |ret| pair_made(ret, fds),
            |ret| {
                vec![
                    Arg::flags(libc::AF_UNIX.into(), family_name(libc::AF_UNIX)),
                    Arg::flags(libc::SOCK_STREAM.into(), socktype_name(libc::SOCK_STREAM)),
                    Arg::flags(0, protocol_name(libc::AF_UNIX, 0)),
                    match ret {
                        Ret::Error(_) => Arg::unfilled(fds.as_ptr()),
                        _ => Arg::opaque(format!("[{}, {}]", fds[0], fds[1])),
                    },
                ]
            },
        )?;
        let end = |raw| Connection {
            fd: Fd {
                raw,
                role: Role::Data,
            },
        };
        Ok((end(fds[0]), end(fds[1])))
    }

    /// `send(fd, buf, len, flags)`, which the kernel sees as
    /// `sendto(fd, buf, len, flags, NULL, 0)`. It returns how many bytes
    /// were copied into the socket's send buffer, which may be fewer than
    /// `buf.len()`: that is not yet delivery.
    pub fn send(&self, buf: &[u8], flags: MsgFlags) -> Result<usize> {
        self.fd.send(buf, flags)
    }

    /// `recv(fd, buf, len, flags)`, which the kernel sees as
    /// `recvfrom(fd, buf, len, flags, NULL, NULL)`. It waits until at least
    /// one byte has arrived and returns what is there, up to `buf.len()`.
    /// A return of 0 means the peer closed (or shut down) its sending side:
    /// no more bytes will ever come.
    pub fn recv(&self, buf: &mut [u8], flags: MsgFlags) -> Result<usize> {
        self.fd.recv(buf, flags)
    }

    /// `shutdown(fd, how)`: end one direction of the connection while the
    /// fd stays open. After `Shutdown::Write` the peer's `recv` returns 0,
    /// yet this side can still receive its answer.
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        let fd = self.fd.raw;
        let started = trace::start();
        // SAFETY: plain integers.
        let ret = unsafe { libc::shutdown(fd, how.raw()) };
        traced(started, "shutdown", self.fd.on(), ret.into(), None, |_| {
            vec![
                Arg::fd(fd),
                Arg::flags(how.raw().into(), shutdown_how_name(how.raw())),
            ]
        })
        .map(drop)
    }

    /// `getpeername(fd, ...)`: the address of the other end.
    pub fn getpeername(&self) -> Result<PeerAddr> {
        self.fd.addr_query("getpeername", libc::getpeername)
    }

    common_socket_methods!();
}

/// `MSG_PEEK|MSG_DONTWAIT`, or `0`.
pub(crate) fn msg_flags(flags: MsgFlags) -> String {
    flag_names(flags.bits().into(), MSG_FLAGS, "0")
}

/// What a receive call wrote: the bytes, or the bare buffer address when
/// it failed and wrote nothing.
pub(crate) fn received(buf: &[u8], ret: &Ret) -> Arg {
    match ret {
        Ret::Value(n) => Arg::bytes(&buf[..(*n as usize).min(buf.len())]),
        _ => Arg::unfilled(buf.as_ptr()),
    }
}

/// A datagram (UDP) socket: no listen, no accept, no connection. Each
/// `sendto` names where the message goes; each `recvfrom` says where one
/// came from. Every message arrives whole or not at all.
///
/// `connect` gives it a default peer, with no handshake: then `send` and
/// `recv` work as on a [`Connection`], yet it stays a datagram socket.
#[derive(Debug)]
pub struct DatagramSocket {
    fd: Fd,
}

impl DatagramSocket {
    /// `socket(family, SOCK_DGRAM, 0)`.
    pub fn new(family: Family) -> Result<DatagramSocket> {
        DatagramSocket::with_flags(family, SockFlags::NONE)
    }

    /// `socket(family, SOCK_DGRAM|flags, 0)`.
    pub fn with_flags(family: Family, flags: SockFlags) -> Result<DatagramSocket> {
        Ok(DatagramSocket {
            fd: socket_call(family, libc::SOCK_DGRAM, flags, Role::Datagram)?,
        })
    }

    /// `bind(fd, addr, len)`: the address others send to.
    pub fn bind(&self, addr: &SockAddr) -> Result<()> {
        self.fd.addr_call("bind", addr, libc::bind)
    }

    /// `connect(fd, addr, len)` on a datagram socket: no packet is sent.
    /// The kernel records `addr` as this socket's peer: `send` goes there,
    /// and datagrams from anyone else are no longer delivered to it.
    pub fn connect(&self, addr: &SockAddr) -> Result<()> {
        self.fd.addr_call("connect", addr, libc::connect)
    }

    /// `send(fd, buf, len, flags)`, which the kernel sees as
    /// `sendto(fd, buf, len, flags, NULL, 0)`: one message to the peer
    /// `connect` set. Without one it fails with EDESTADDRREQ.
    pub fn send(&self, buf: &[u8], flags: MsgFlags) -> Result<usize> {
        self.fd.send(buf, flags)
    }

    /// `recv(fd, buf, len, flags)`, which the kernel sees as
    /// `recvfrom(fd, buf, len, flags, NULL, NULL)`: the next message,
    /// without asking who sent it.
    pub fn recv(&self, buf: &mut [u8], flags: MsgFlags) -> Result<usize> {
        self.fd.recv(buf, flags)
    }

    /// `sendto(fd, buf, len, flags, addr, addrlen)`: one message to `to`.
    pub fn sendto(&self, buf: &[u8], flags: MsgFlags, to: &SockAddr) -> Result<usize> {
        sendto_on(self.fd.raw, self.fd.on(), buf, flags, to)
    }

    /// `recvfrom(fd, buf, len, flags, &addr, &addrlen)`: the next message
    /// and who sent it. A message longer than `buf` is cut, the rest lost.
    pub fn recvfrom(&self, buf: &mut [u8], flags: MsgFlags) -> Result<(usize, SockAddr)> {
        recvfrom_on(self.fd.raw, self.fd.on(), buf, flags)
    }

    common_socket_methods!();
}

/// `send` on `fd`, reported as `on` (the fd and what it is, where known):
/// the kernel sees `sendto(fd, buf, len, flags, NULL, 0)`. The typed
/// sockets and `raw` both make the call here.
pub(crate) fn send_on(
    fd: RawFd,
    on: Option<(RawFd, Role)>,
    buf: &[u8],
    flags: MsgFlags,
) -> Result<usize> {
    let started = trace::start();
    // SAFETY: buf is valid for reading for its length.
    let ret = unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), flags.bits()) };
    traced(started, "sendto", on, ret as i64, None, |_| {
        vec![
            Arg::fd(fd),
            Arg::bytes(buf),
            Arg::int(buf.len() as i64),
            Arg::flags(flags.bits().into(), msg_flags(flags)),
            Arg::null(),
            Arg::int(0),
        ]
    })
    .map(|n| n as usize)
}

/// `recv` on `fd`: the kernel sees `recvfrom(fd, buf, len, flags, NULL,
/// NULL)`.
pub(crate) fn recv_on(
    fd: RawFd,
    on: Option<(RawFd, Role)>,
    buf: &mut [u8],
    flags: MsgFlags,
) -> Result<usize> {
    let started = trace::start();
    // SAFETY: buf is valid for writing for its length.
    let ret = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags.bits()) };
    traced(started, "recvfrom", on, ret as i64, None, |ret| {
        vec![
            Arg::fd(fd),
            received(buf, ret),
            Arg::int(buf.len() as i64),
            Arg::flags(flags.bits().into(), msg_flags(flags)),
            Arg::null(),
            Arg::null(),
        ]
    })
    .map(|n| n as usize)
}

/// `sendto(fd, buf, len, flags, addr, addrlen)` on `fd`.
pub(crate) fn sendto_on(
    fd: RawFd,
    on: Option<(RawFd, Role)>,
    buf: &[u8],
    flags: MsgFlags,
    to: &SockAddr,
) -> Result<usize> {
    let (ss, len) = to.to_raw();
    let started = trace::start();
    // SAFETY: buf and ss are valid for reading during the call.
    let ret = unsafe {
        libc::sendto(
            fd,
            buf.as_ptr().cast(),
            buf.len(),
            flags.bits(),
            &ss as *const _ as *const libc::sockaddr,
            len,
        )
    };
    traced(started, "sendto", on, ret as i64, None, |_| {
        vec![
            Arg::fd(fd),
            Arg::bytes(buf),
            Arg::int(buf.len() as i64),
            Arg::flags(flags.bits().into(), msg_flags(flags)),
            Arg::addr(&ss, len as usize),
            Arg::int(len.into()),
        ]
    })
    .map(|n| n as usize)
}

/// `recvfrom(fd, buf, len, flags, &addr, &addrlen)` on `fd`: what the call
/// returned (with MSG_TRUNC, a datagram's real length, which may exceed
/// `buf.len()`) and the sender.
pub(crate) fn recvfrom_on(
    fd: RawFd,
    on: Option<(RawFd, Role)>,
    buf: &mut [u8],
    flags: MsgFlags,
) -> Result<(usize, SockAddr)> {
    // SAFETY: all-zero bytes are a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
    let passed = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let mut len = passed;
    let started = trace::start();
    // SAFETY: buf, ss and len are valid for writing during the call.
    let ret = unsafe {
        libc::recvfrom(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            flags.bits(),
            &mut ss as *mut _ as *mut libc::sockaddr,
            &mut len,
        )
    };
    let n = traced(started, "recvfrom", on, ret as i64, None, |ret| {
        vec![
            Arg::fd(fd),
            received(buf, ret),
            Arg::int(buf.len() as i64),
            Arg::flags(flags.bits().into(), msg_flags(flags)),
            out_addr(&ss, passed, len, ret),
            Arg::opaque(format_len(passed, len)),
        ]
    })? as usize;
    Ok((n, SockAddr::from_kernel(&ss, len)))
}

/// Any of socklab's sockets: its fd and what that fd is to the program.
/// `poll` takes sockets of every kind through this.
pub trait AsSocket {
    fn socket_fd(&self) -> (RawFd, Role);
}

macro_rules! as_socket {
    ($($t:ty),*) => {$(
        impl AsSocket for $t {
            fn socket_fd(&self) -> (RawFd, Role) {
                (self.fd.raw, self.fd.role)
            }
        }
        impl AsRawFd for $t {
            fn as_raw_fd(&self) -> RawFd {
                self.fd.raw
            }
        }
        impl $t {
            /// Own `raw`, an fd this process was handed (SCM_RIGHTS, see
            /// `msg.rs`): from now on this socket closes it.
            pub(crate) fn adopt(raw: RawFd, role: Role) -> $t {
                Self { fd: Fd { raw, role } }
            }
        }
    )*};
}

as_socket!(Socket, Listener, Connection, DatagramSocket);

/// `unlink(path)`: remove a name from the file system. A Unix socket's
/// path is a file that `bind` made, and `close` leaves it where it is: a
/// later `bind` to the same path fails with EADDRINUSE until someone
/// unlinks it. (glibc's `unlink` is the `unlink` system call on x86-64;
/// strace shows the path quoted, as it shows `sun_path`.)
pub fn unlink(path: &std::path::Path) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    // A path with a NUL byte inside cannot be passed to the kernel at all.
    let Ok(c_path) = std::ffi::CString::new(bytes) else {
        return Err(Error {
            call: "unlink",
            errno: Errno::EINVAL,
        });
    };
    let started = trace::start();
    // SAFETY: c_path is a NUL-terminated string, valid for the call.
    let ret = unsafe { libc::unlink(c_path.as_ptr()) };
    traced(started, "unlink", None, ret.into(), None, |_| {
        vec![Arg::opaque(crate::strace::escape::quote_all(bytes))]
    })
    .map(drop)
}
