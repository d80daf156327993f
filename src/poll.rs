//! `poll`: wait until one of several sockets is ready, or a timeout passes.
//!
//! A lesson in interactive mode waits for a learner's `nc` this way, so a
//! client that never comes ends the lesson after `--timeout` instead of
//! leaving `accept` blocked for ever.

use crate::error::Result;
use crate::event::Arg;
use crate::socket::{finish, AsSocket};
use crate::strace::consts::flag_names;
use crate::strace::Ret;
use crate::trace;
use nix::errno::Errno;
use std::ops::BitOr;

/// `POLL*` event bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollFlags(i16);

impl PollFlags {
    pub const NONE: PollFlags = PollFlags(0);
    /// Data to read, or (on a listening socket) a connection to accept.
    pub const IN: PollFlags = PollFlags(libc::POLLIN);
    /// Room in the send buffer.
    pub const OUT: PollFlags = PollFlags(libc::POLLOUT);
    /// The peer closed its sending side.
    pub const RDHUP: PollFlags = PollFlags(libc::POLLRDHUP);
    pub const ERR: PollFlags = PollFlags(libc::POLLERR);
    pub const HUP: PollFlags = PollFlags(libc::POLLHUP);

    pub fn bits(self) -> i16 {
        self.0
    }
    pub fn contains(self, other: PollFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for PollFlags {
    type Output = PollFlags;
    fn bitor(self, rhs: PollFlags) -> PollFlags {
        PollFlags(self.0 | rhs.0)
    }
}

const POLL_NAMES: &[(i64, &str)] = &[
    (libc::POLLIN as i64, "POLLIN"),
    (libc::POLLPRI as i64, "POLLPRI"),
    (libc::POLLOUT as i64, "POLLOUT"),
    (libc::POLLERR as i64, "POLLERR"),
    (libc::POLLHUP as i64, "POLLHUP"),
    (libc::POLLNVAL as i64, "POLLNVAL"),
    (libc::POLLRDNORM as i64, "POLLRDNORM"),
    (libc::POLLRDBAND as i64, "POLLRDBAND"),
    (libc::POLLWRNORM as i64, "POLLWRNORM"),
    (libc::POLLWRBAND as i64, "POLLWRBAND"),
    (0x400, "POLLMSG"),
    (libc::POLLRDHUP as i64, "POLLRDHUP"),
];

/// `poll(fds, n, timeout_ms)`: wait until a socket in `watch` has one of
/// its events, or `timeout_ms` passes (-1: no limit). Returns each socket's
/// `revents`, in the order given; all empty after a timeout.
pub fn poll(watch: &[(&dyn AsSocket, PollFlags)], timeout_ms: i32) -> Result<Vec<PollFlags>> {
    let mut fds: Vec<libc::pollfd> = watch
        .iter()
        .map(|(s, ev)| libc::pollfd {
            fd: s.socket_fd().0,
            events: ev.bits(),
            revents: 0,
        })
        .collect();
    let started = trace::start();
    // SAFETY: fds is a valid array of fds.len() pollfd structs.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    let ret = match Ret::from_libc(n.into(), Errno::last_raw()) {
        Ret::Value(0) => Ret::Annotated(0, "Timeout".into()),
        Ret::Value(n) => Ret::Annotated(n, revents_list(&fds)),
        other => other,
    };
    let on = watch.first().map(|(s, _)| s.socket_fd());
    finish(started, "poll", on, ret, None, |_| {
        vec![
            Arg::opaque(events_list(&fds)),
            Arg::int(fds.len() as i64),
            Arg::int(timeout_ms.into()),
        ]
    })?;
    Ok(fds.iter().map(|p| PollFlags(p.revents)).collect())
}

fn events_list(fds: &[libc::pollfd]) -> String {
    let items: Vec<String> = fds
        .iter()
        .map(|p| {
            format!(
                "{{fd={}, events={}}}",
                p.fd,
                flag_names(p.events as u16 as i64, POLL_NAMES, "0")
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn revents_list(fds: &[libc::pollfd]) -> String {
    let items: Vec<String> = fds
        .iter()
        .filter(|p| p.revents != 0)
        .map(|p| {
            format!(
                "{{fd={}, revents={}}}",
                p.fd,
                flag_names(p.revents as u16 as i64, POLL_NAMES, "0")
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}
