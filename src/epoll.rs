//! epoll: a list of watched sockets that lives in the kernel.
//!
//! `poll` and `select` hand the kernel the whole list of fds on every call.
//! An epoll instance keeps the list inside the kernel instead: the program
//! makes it once (`epoll_create1`, which returns an fd of its own, not a
//! socket), adds and removes sockets with `epoll_ctl`, and each
//! `epoll_wait` returns only the sockets that are ready, each with the
//! `data` the program gave it when it was added.
//!
//! Level-triggered (the default): `epoll_wait` reports a socket for as long
//! as it is ready. Edge-triggered ([`EpollFlags::ET`]): it reports a socket
//! when it becomes ready, once; the program must then read until EAGAIN.

use crate::error::Result;
use crate::event::Arg;
use crate::socket::{finish, traced, AsSocket};
use crate::strace::epoll::{epoll_create1_flags, epoll_ctl_op, epoll_event, epoll_event_list};
use crate::strace::Ret;
use crate::trace;
use nix::errno::Errno;
use std::ops::BitOr;
use std::os::fd::{AsRawFd, RawFd};

/// `EPOLL*` event bits: what to watch for, and what happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EpollFlags(u32);

impl EpollFlags {
    pub const NONE: EpollFlags = EpollFlags(0);
    /// Data to read, or (on a listening socket) a connection to accept.
    pub const IN: EpollFlags = EpollFlags(libc::EPOLLIN as u32);
    /// Room in the send buffer.
    pub const OUT: EpollFlags = EpollFlags(libc::EPOLLOUT as u32);
    /// The peer closed its sending side.
    pub const RDHUP: EpollFlags = EpollFlags(libc::EPOLLRDHUP as u32);
    /// Urgent (out-of-band) data.
    pub const PRI: EpollFlags = EpollFlags(libc::EPOLLPRI as u32);
    /// An error is pending (reported whether asked for or not).
    pub const ERR: EpollFlags = EpollFlags(libc::EPOLLERR as u32);
    /// Both directions are closed (reported whether asked for or not).
    pub const HUP: EpollFlags = EpollFlags(libc::EPOLLHUP as u32);
    /// Edge-triggered: report the socket when it *becomes* ready, not for
    /// as long as it is ready.
    pub const ET: EpollFlags = EpollFlags(libc::EPOLLET as u32);
    /// Report the socket once, then stop watching it until `modify`.
    pub const ONESHOT: EpollFlags = EpollFlags(libc::EPOLLONESHOT as u32);

    pub fn bits(self) -> u32 {
        self.0
    }
    pub fn contains(self, other: EpollFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for EpollFlags {
    type Output = EpollFlags;
    fn bitor(self, rhs: EpollFlags) -> EpollFlags {
        EpollFlags(self.0 | rhs.0)
    }
}

/// The flags `epoll_create1` takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EpollCreateFlags(i32);

impl EpollCreateFlags {
    pub const NONE: EpollCreateFlags = EpollCreateFlags(0);
    /// Close the epoll fd when the program calls exec.
    pub const CLOEXEC: EpollCreateFlags = EpollCreateFlags(libc::EPOLL_CLOEXEC);

    pub fn bits(self) -> i32 {
        self.0
    }
}

/// One ready socket, as `epoll_wait` reports it: what happened, and the
/// `data` the program gave it in `add` (usually the fd, or an index).
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct EpollEvent(libc::epoll_event);

impl EpollEvent {
    /// An empty slot for `wait` to fill.
    pub const EMPTY: EpollEvent = EpollEvent(libc::epoll_event { events: 0, u64: 0 });

    pub fn events(&self) -> EpollFlags {
        EpollFlags(self.0.events)
    }
    pub fn data(&self) -> u64 {
        self.0.u64
    }
}

impl Default for EpollEvent {
    fn default() -> EpollEvent {
        EpollEvent::EMPTY
    }
}

impl std::fmt::Debug for EpollEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpollEvent")
            .field("events", &self.events())
            .field("data", &self.data())
            .finish()
    }
}

/// An epoll instance: its own fd, which it closes (traced) when closed or
/// dropped.
#[derive(Debug)]
pub struct Epoll {
    fd: RawFd,
}

impl Epoll {
    /// `epoll_create1(0)`: a new, empty epoll instance.
    pub fn new() -> Result<Epoll> {
        Epoll::with_flags(EpollCreateFlags::NONE)
    }

    /// `epoll_create1(flags)`.
    pub fn with_flags(flags: EpollCreateFlags) -> Result<Epoll> {
        let started = trace::start();
        // SAFETY: a plain integer.
        let ret = unsafe { libc::epoll_create1(flags.bits()) };
        let fd = traced(started, "epoll_create1", None, ret.into(), None, |_| {
            vec![Arg::flags(
                flags.bits().into(),
                epoll_create1_flags(flags.bits()),
            )]
        })?;
        Ok(Epoll { fd: fd as RawFd })
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {events, data})`: watch a socket
    /// for `events`; `wait` will hand back `data` with it.
    pub fn add(&self, sock: &dyn AsSocket, events: EpollFlags, data: u64) -> Result<()> {
        self.ctl(
            libc::EPOLL_CTL_ADD,
            sock.socket_fd().0,
            Some((events, data)),
        )
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_MOD, fd, {events, data})`: change what a
    /// watched socket is watched for.
    pub fn modify(&self, sock: &dyn AsSocket, events: EpollFlags, data: u64) -> Result<()> {
        self.ctl(
            libc::EPOLL_CTL_MOD,
            sock.socket_fd().0,
            Some((events, data)),
        )
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)`: stop watching a socket.
    pub fn delete(&self, sock: &dyn AsSocket) -> Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, sock.socket_fd().0, None)
    }

    fn ctl(&self, op: i32, fd: RawFd, event: Option<(EpollFlags, u64)>) -> Result<()> {
        let mut ev = event.map(|(events, data)| libc::epoll_event {
            events: events.bits(),
            u64: data,
        });
        let ptr = ev
            .as_mut()
            .map_or(std::ptr::null_mut(), |e| e as *mut libc::epoll_event);
        let started = trace::start();
        // SAFETY: ptr is null or points at ev for the whole call.
        let ret = unsafe { libc::epoll_ctl(self.fd, op, fd, ptr) };
        traced(started, "epoll_ctl", None, ret.into(), None, |_| {
            vec![
                Arg::fd(self.fd),
                Arg::flags(op.into(), epoll_ctl_op(op)),
                Arg::fd(fd),
                event.map_or(Arg::null(), |(e, d)| Arg::opaque(epoll_event(e.bits(), d))),
            ]
        })
        .map(drop)
    }

    /// `epoll_wait(epfd, events, maxevents, timeout_ms)`: wait until a
    /// watched socket is ready or `timeout_ms` passes (-1: no limit; 0:
    /// just look). Fills `events` from the start (at most `events.len()`,
    /// which is `maxevents`) and returns how many it filled; 0 after a
    /// timeout.
    pub fn wait(&self, events: &mut [EpollEvent], timeout_ms: i32) -> Result<usize> {
        let max = events.len().min(i32::MAX as usize) as i32;
        let buf = events.as_mut_ptr() as *mut libc::epoll_event;
        let started = trace::start();
        // SAFETY: EpollEvent is an epoll_event (repr(transparent)), and the
        // kernel writes at most `max` of them into `events`.
        let n = unsafe { libc::epoll_wait(self.fd, buf, max, timeout_ms) };
        let ret = Ret::from_libc(n.into(), Errno::last_raw());
        let got = finish(started, "epoll_wait", None, ret, None, |ret| {
            let shown = match ret {
                Ret::Value(n) => {
                    let filled: Vec<(u32, u64)> = events[..*n as usize]
                        .iter()
                        .map(|e| (e.0.events, e.0.u64))
                        .collect();
                    epoll_event_list(&filled)
                }
                // Nothing was filled: strace shows where the buffer is.
                _ => format!("{buf:p}"),
            };
            vec![
                Arg::fd(self.fd),
                Arg::opaque(shown),
                Arg::int(max.into()),
                Arg::int(timeout_ms.into()),
            ]
        })?;
        Ok(got as usize)
    }

    /// `close(epfd)`: the kernel forgets the watch list.
    pub fn close(mut self) -> Result<()> {
        let fd = std::mem::replace(&mut self.fd, -1);
        close_epoll(fd)
    }

    /// The epoll instance's fd number.
    pub fn fd(&self) -> RawFd {
        self.fd
    }
}

impl AsRawFd for Epoll {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        if self.fd >= 0 {
            let _ = close_epoll(self.fd);
        }
    }
}

fn close_epoll(fd: RawFd) -> Result<()> {
    let started = trace::start();
    // SAFETY: fd is this Epoll's own, closed only once.
    let ret = unsafe { libc::close(fd) };
    traced(started, "close", None, ret.into(), None, |_| {
        vec![Arg::fd(fd)]
    })
    .map(drop)
}
