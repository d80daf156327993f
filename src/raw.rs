//! The calls the typed API forbids, for showing mistakes.
//!
//! [`crate::socket`]'s types make the usual mistakes fail to compile: a
//! `recv` on a socket that never connected, a `send` on a listening socket,
//! a second `bind`, a `connect` on a listener. That is the way to write
//! programs. But a learner should also *see* what the kernel answers to
//! each mistake, and `socklab explain NAME --demo` shows it; so here are
//! the same system calls as free functions over a bare fd number, with no
//! rules at all.
//!
//! Each function makes exactly one system call and traces it through the
//! same chokepoint as the typed wrappers, so its line is the line strace
//! prints. Nothing is closed for you: an fd from here lives until
//! [`close`] is called on it.

use crate::addr::SockAddr;
use crate::error::Result;
use crate::event::Arg;
use crate::socket::{
    finish_new_fds, out_addr, pair_made, recv_on, recvfrom_on, send_on, sendto_on, traced,
    MsgFlags, Shutdown,
};
use crate::strace::consts::{
    family_name, protocol_name, shutdown_how_name, sockopt_level_name, sockopt_name, socktype_name,
};
use crate::strace::epoll::{epoll_create1_flags, epoll_ctl_op, epoll_event};
use crate::strace::{format_len, quote_bytes};
use crate::trace;
use crate::trace::Role;
use std::collections::HashMap;
use std::mem::{size_of, zeroed};
use std::os::fd::RawFd;
use std::sync::Mutex;
use std::time::Duration;

/// What each fd made here is to the program, for the trace's role column:
/// a fresh socket, a listening one, a data socket, a datagram socket.
static ROLES: Mutex<Option<HashMap<RawFd, Role>>> = Mutex::new(None);

fn role_of(fd: RawFd) -> Option<(RawFd, Role)> {
    let roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    roles.as_ref()?.get(&fd).map(|r| (fd, *r))
}

/// What `fd` is to the program, if it was made here.
pub fn role(fd: RawFd) -> Option<Role> {
    role_of(fd).map(|(_, r)| r)
}

fn set_role(fd: RawFd, role: Option<Role>) {
    let mut roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    let map = roles.get_or_insert_with(HashMap::new);
    match role {
        Some(r) => map.insert(fd, r),
        None => map.remove(&fd),
    };
}

/// `socket(family, type, 0)`. `family` is a bare number, so a family the
/// kernel does not support can be asked for too.
pub fn socket(family: i32, ty: i32) -> Result<RawFd> {
    let role = if ty & 0xf == libc::SOCK_DGRAM {
        Role::Datagram
    } else {
        Role::Socket
    };
    let started = trace::start();
    // SAFETY: socket takes plain integers.
    let ret = unsafe { libc::socket(family, ty, 0) };
    let fd = traced(started, "socket", None, ret.into(), Some(role), |_| {
        vec![
            Arg::flags(family.into(), family_name(family)),
            Arg::flags(ty.into(), socktype_name(ty)),
            Arg::flags(0, protocol_name(family, 0)),
        ]
    })? as RawFd;
    set_role(fd, Some(role));
    Ok(fd)
}

/// `socketpair(family, type, 0, [fd1, fd2])`, with any family: on Linux
/// only AF_UNIX has pairs, and another family gets EOPNOTSUPP.
pub fn socketpair(family: i32, ty: i32) -> Result<(RawFd, RawFd)> {
    let mut fds: [libc::c_int; 2] = [-1, -1];
    let started = trace::start();
    // SAFETY: fds has room for the two fds the kernel writes.
    let ret = unsafe { libc::socketpair(family, ty, 0, fds.as_mut_ptr()) };
    let ret = crate::strace::Ret::from_libc(ret.into(), nix::errno::Errno::last_raw());
    finish_new_fds(
        started,
        "socketpair",
        None,
        ret,
        |ret| pair_made(ret, fds),
        |ret| {
            vec![
                Arg::flags(family.into(), family_name(family)),
                Arg::flags(ty.into(), socktype_name(ty)),
                // strace names no protocol for socketpair, whatever the family.
                Arg::flags(0, "0".to_string()),
                match ret {
                    crate::strace::Ret::Error(_) => Arg::unfilled(fds.as_ptr()),
                    _ => Arg::opaque(format!("[{}, {}]", fds[0], fds[1])),
                },
            ]
        },
    )?;
    set_role(fds[0], Some(Role::Data));
    set_role(fds[1], Some(Role::Data));
    Ok((fds[0], fds[1]))
}

/// bind and connect: hand the kernel an address.
fn addr_call(
    name: &'static str,
    fd: RawFd,
    addr: &SockAddr,
    f: unsafe extern "C" fn(libc::c_int, *const libc::sockaddr, libc::socklen_t) -> libc::c_int,
) -> Result<()> {
    let (ss, len) = addr.to_raw();
    let started = trace::start();
    // SAFETY: ss is a valid address of `len` bytes for the whole call.
    let ret = unsafe { f(fd, &ss as *const _ as *const libc::sockaddr, len) };
    traced(started, name, role_of(fd), ret.into(), None, |_| {
        vec![
            Arg::fd(fd),
            Arg::addr(&ss, len as usize),
            Arg::int(len.into()),
        ]
    })
    .map(drop)
}

/// `bind(fd, addr, len)`.
pub fn bind(fd: RawFd, addr: &SockAddr) -> Result<()> {
    addr_call("bind", fd, addr, libc::bind)
}

/// `connect(fd, addr, len)`. A stream socket that connects becomes a data
/// socket in the trace.
pub fn connect(fd: RawFd, addr: &SockAddr) -> Result<()> {
    addr_call("connect", fd, addr, libc::connect)?;
    if role_of(fd).is_some_and(|(_, r)| r == Role::Socket) {
        set_role(fd, Some(Role::Data));
    }
    Ok(())
}

/// `listen(fd, backlog)`.
pub fn listen(fd: RawFd, backlog: i32) -> Result<()> {
    let started = trace::start();
    // SAFETY: plain integers.
    let ret = unsafe { libc::listen(fd, backlog) };
    traced(started, "listen", role_of(fd), ret.into(), None, |_| {
        vec![Arg::fd(fd), Arg::int(backlog.into())]
    })?;
    set_role(fd, Some(Role::Listening));
    Ok(())
}

/// `accept(fd, &addr, &len)`: the new data socket and the peer's address.
pub fn accept(fd: RawFd) -> Result<(RawFd, SockAddr)> {
    // SAFETY: all-zero bytes are a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
    let passed = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let mut len = passed;
    let started = trace::start();
    // SAFETY: ss and len are valid for writing during the call.
    let ret = unsafe { libc::accept(fd, &mut ss as *mut _ as *mut libc::sockaddr, &mut len) };
    let new = traced(
        started,
        "accept",
        role_of(fd),
        ret.into(),
        Some(Role::Data),
        |ret| {
            vec![
                Arg::fd(fd),
                out_addr(&ss, passed, len, ret),
                Arg::opaque(format_len(passed, len)),
            ]
        },
    )? as RawFd;
    set_role(new, Some(Role::Data));
    Ok((new, SockAddr::from_kernel(&ss, len)))
}

/// `send(fd, buf, len, flags)`, which the kernel sees as
/// `sendto(fd, buf, len, flags, NULL, 0)`.
pub fn send(fd: RawFd, buf: &[u8], flags: MsgFlags) -> Result<usize> {
    send_on(fd, role_of(fd), buf, flags)
}

/// `recv(fd, buf, len, flags)`, which the kernel sees as
/// `recvfrom(fd, buf, len, flags, NULL, NULL)`.
pub fn recv(fd: RawFd, buf: &mut [u8], flags: MsgFlags) -> Result<usize> {
    recv_on(fd, role_of(fd), buf, flags)
}

/// `sendto(fd, buf, len, flags, addr, addrlen)`.
pub fn sendto(fd: RawFd, buf: &[u8], flags: MsgFlags, to: &SockAddr) -> Result<usize> {
    sendto_on(fd, role_of(fd), buf, flags, to)
}

/// `recvfrom(fd, buf, len, flags, &addr, &addrlen)`: what the call
/// returned (with MSG_TRUNC, a datagram's real length, which may exceed
/// `buf.len()`) and the sender.
pub fn recvfrom(fd: RawFd, buf: &mut [u8], flags: MsgFlags) -> Result<(usize, SockAddr)> {
    recvfrom_on(fd, role_of(fd), buf, flags)
}

/// `setsockopt(fd, level, name, &value, len)` with `value`'s bytes and
/// strace's picture of them.
fn setsockopt_bytes<T>(fd: RawFd, level: i32, name: i32, value: &T, shown: String) -> Result<()> {
    let started = trace::start();
    // SAFETY: value is valid for reading for its size during the call.
    let ret = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            value as *const T as *const libc::c_void,
            size_of::<T>() as libc::socklen_t,
        )
    };
    traced(started, "setsockopt", role_of(fd), ret.into(), None, |_| {
        vec![
            Arg::fd(fd),
            Arg::flags(level.into(), sockopt_level_name(level)),
            Arg::flags(name.into(), sockopt_name(level, name)),
            Arg::opaque(shown),
            Arg::int(size_of::<T>() as i64),
        ]
    })
    .map(drop)
}

/// `setsockopt(fd, level, name, [value], 4)`: an int option.
pub fn setsockopt_int(fd: RawFd, level: i32, name: i32, value: i32) -> Result<()> {
    setsockopt_bytes(fd, level, name, &value, format!("[{value}]"))
}

/// `setsockopt(fd, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=secs}, 8)`.
/// With 0 seconds, close resets the connection (RST) instead of a FIN.
pub fn setsockopt_linger(fd: RawFd, secs: i32) -> Result<()> {
    let lg = libc::linger {
        l_onoff: 1,
        l_linger: secs,
    };
    let shown = format!("{{l_onoff=1, l_linger={secs}}}");
    setsockopt_bytes(fd, libc::SOL_SOCKET, libc::SO_LINGER, &lg, shown)
}

/// `setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO or SO_SNDTIMEO, &tv, 16)`: a
/// blocking receive (and accept), or send (and connect), waits at most
/// this long. strace 6.1 prints the struct timeval as its raw bytes.
pub fn setsockopt_timeout(fd: RawFd, name: i32, limit: Duration) -> Result<()> {
    let tv = libc::timeval {
        tv_sec: limit.as_secs() as libc::time_t,
        tv_usec: limit.subsec_micros() as libc::suseconds_t,
    };
    // SAFETY: a timeval is plain bytes, with no padding on x86-64.
    let bytes = unsafe {
        std::slice::from_raw_parts(&tv as *const _ as *const u8, size_of::<libc::timeval>())
    };
    let shown = quote_bytes(bytes);
    setsockopt_bytes(fd, libc::SOL_SOCKET, name, &tv, shown)
}

/// `getsockopt(fd, SOL_SOCKET, SO_ERROR, [err], [4])`: the error a
/// non-blocking connect ended with (0: connected), which it also clears.
pub fn getsockopt_error(fd: RawFd) -> Result<i32> {
    let mut value: libc::c_int = 0;
    let passed = size_of::<libc::c_int>() as libc::socklen_t;
    let mut len = passed;
    let started = trace::start();
    // SAFETY: value and len are valid for writing during the call.
    let ret = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ERROR,
            &mut value as *mut _ as *mut libc::c_void,
            &mut len,
        )
    };
    traced(
        started,
        "getsockopt",
        role_of(fd),
        ret.into(),
        None,
        |ret| {
            // A failed call wrote nothing: strace shows the buffer's address.
            let shown = match (ret, value) {
                (crate::strace::Ret::Error(_), _) => format!("{:p}", &value as *const libc::c_int),
                (_, 0) => "[0]".to_string(),
                (_, e) => format!("[{}]", crate::strace::errno_name(e)),
            };
            vec![
                Arg::fd(fd),
                Arg::flags(libc::SOL_SOCKET.into(), "SOL_SOCKET".into()),
                Arg::flags(libc::SO_ERROR.into(), "SO_ERROR".into()),
                Arg::opaque(shown),
                Arg::opaque(format_len(passed, len)),
            ]
        },
    )?;
    Ok(value)
}

/// getsockname and getpeername.
fn addr_query(
    name: &'static str,
    fd: RawFd,
    f: unsafe extern "C" fn(libc::c_int, *mut libc::sockaddr, *mut libc::socklen_t) -> libc::c_int,
) -> Result<SockAddr> {
    // SAFETY: all-zero bytes are a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
    let passed = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let mut len = passed;
    let started = trace::start();
    // SAFETY: ss and len are valid for writing during the call.
    let ret = unsafe { f(fd, &mut ss as *mut _ as *mut libc::sockaddr, &mut len) };
    traced(started, name, role_of(fd), ret.into(), None, |ret| {
        vec![
            Arg::fd(fd),
            out_addr(&ss, passed, len, ret),
            Arg::opaque(format_len(passed, len)),
        ]
    })?;
    Ok(SockAddr::from_kernel(&ss, len))
}

/// `getsockname(fd, &addr, &len)`: the socket's own address.
pub fn getsockname(fd: RawFd) -> Result<SockAddr> {
    addr_query("getsockname", fd, libc::getsockname)
}

/// `getpeername(fd, &addr, &len)`: the other end's address.
pub fn getpeername(fd: RawFd) -> Result<SockAddr> {
    addr_query("getpeername", fd, libc::getpeername)
}

/// `shutdown(fd, how)`.
pub fn shutdown(fd: RawFd, how: Shutdown) -> Result<()> {
    let started = trace::start();
    // SAFETY: plain integers.
    let ret = unsafe { libc::shutdown(fd, how.raw()) };
    traced(started, "shutdown", role_of(fd), ret.into(), None, |_| {
        vec![
            Arg::fd(fd),
            Arg::flags(how.raw().into(), shutdown_how_name(how.raw())),
        ]
    })
    .map(drop)
}

/// `close(fd)`. On Linux the number is free afterwards even if close
/// reported an error.
pub fn close(fd: RawFd) -> Result<()> {
    let on = role_of(fd);
    set_role(fd, None);
    let started = trace::start();
    // SAFETY: closing a number the caller says it owns (or, to show
    // EBADF, one that is not open).
    let ret = unsafe { libc::close(fd) };
    traced(started, "close", on, ret.into(), None, |_| {
        vec![Arg::fd(fd)]
    })
    .map(drop)
}

/// `epoll_create1(0)`: a new epoll instance (not a socket).
pub fn epoll_create1() -> Result<RawFd> {
    let started = trace::start();
    // SAFETY: a plain integer.
    let ret = unsafe { libc::epoll_create1(0) };
    traced(started, "epoll_create1", None, ret.into(), None, |_| {
        vec![Arg::flags(0, epoll_create1_flags(0))]
    })
    .map(|fd| fd as RawFd)
}

/// `epoll_ctl(epfd, op, fd, event)`: EPOLL_CTL_ADD watches `fd` for
/// EPOLLIN (its data is the fd number); EPOLL_CTL_DEL passes NULL.
pub fn epoll_ctl(epfd: RawFd, op: i32, fd: RawFd) -> Result<()> {
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: fd as u64,
    };
    let event = op != libc::EPOLL_CTL_DEL;
    let ptr = if event {
        &mut ev as *mut libc::epoll_event
    } else {
        std::ptr::null_mut()
    };
    let started = trace::start();
    // SAFETY: ptr is null or points at ev for the whole call.
    let ret = unsafe { libc::epoll_ctl(epfd, op, fd, ptr) };
    traced(started, "epoll_ctl", None, ret.into(), None, |_| {
        vec![
            Arg::fd(epfd),
            Arg::flags(op.into(), epoll_ctl_op(op)),
            Arg::fd(fd),
            if event {
                Arg::opaque(epoll_event(ev.events, fd as u64))
            } else {
                Arg::null()
            },
        ]
    })
    .map(drop)
}
