//! `select`: wait until one of several sockets is ready, the oldest way.
//!
//! A program hands the kernel up to three fd sets (bitmaps of fd numbers:
//! "tell me when one of these can be read", "... written", "... has an
//! exception", such as TCP urgent data) and a timeout. The kernel
//! overwrites each set with the fds that are ready, and returns how many
//! there are, or 0 when the time ran out.
//!
//! glibc 2.36's `select` is not the kernel's old `select` call: it makes
//! `pselect6`, whose timeout is a `struct timespec` (seconds and
//! nanoseconds) and whose sixth argument (a signal mask) is NULL. So strace
//! shows `pselect6(5, [3 4], NULL, NULL, {tv_sec=1, tv_nsec=0}, NULL)`, and
//! this wrapper makes that same call. Linux also writes the time that was
//! left back into the timeout, which strace shows as `left {...}`.
//!
//! An fd set has room for fds 0 to 1023 (`FD_SETSIZE`, 1024): in C,
//! `FD_SET` of a higher fd is undefined behaviour (`man 2 select`).
//! [`FdSet::insert`] refuses such an fd instead, before any call; `poll`
//! and epoll have no such limit.

use crate::error::Result;
use crate::event::Arg;
use crate::socket::{finish, AsSocket};
use crate::strace::select::{fd_set_arg, select_result, timespec};
use crate::strace::Ret;
use crate::trace;
use crate::trace::Role;
use nix::errno::Errno;
use std::fmt;
use std::os::fd::RawFd;
use std::time::Duration;

/// The number of fds an fd set can hold: fds 0 to 1023.
pub const FD_SETSIZE: usize = 1024;

/// An `fd_set`: one bit per fd number, 0 to 1023, laid out as the kernel
/// reads it.
#[derive(Clone, Debug)]
pub struct FdSet {
    bits: [u64; FD_SETSIZE / 64],
    /// The first socket put in, for the trace's gutter.
    first: Option<(RawFd, Role)>,
}

/// An fd that does not fit in an fd set: select cannot watch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdTooHigh {
    pub fd: RawFd,
}

impl fmt::Display for FdTooHigh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fd {} does not fit in an fd set: select watches fds 0 to {} only \
             (FD_SETSIZE is {FD_SETSIZE}); use poll or epoll for higher fds",
            self.fd,
            FD_SETSIZE - 1
        )
    }
}

impl std::error::Error for FdTooHigh {}

/// Two sets are equal when they hold the same fds.
impl PartialEq for FdSet {
    fn eq(&self, other: &FdSet) -> bool {
        self.bits == other.bits
    }
}

impl Eq for FdSet {}

impl Default for FdSet {
    fn default() -> FdSet {
        FdSet::new()
    }
}

impl FdSet {
    /// An empty set (`FD_ZERO`).
    pub fn new() -> FdSet {
        FdSet {
            bits: [0; FD_SETSIZE / 64],
            first: None,
        }
    }

    /// Add a socket's fd (`FD_SET`). An fd of 1024 or more is refused,
    /// and the set is left as it was.
    pub fn insert(&mut self, sock: &dyn AsSocket) -> std::result::Result<(), FdTooHigh> {
        let (fd, role) = sock.socket_fd();
        let (word, bit) = slot(fd).ok_or(FdTooHigh { fd })?;
        self.bits[word] |= 1 << bit;
        self.first.get_or_insert((fd, role));
        Ok(())
    }

    /// Take a socket's fd out (`FD_CLR`).
    pub fn remove(&mut self, sock: &dyn AsSocket) {
        if let Some((word, bit)) = slot(sock.socket_fd().0) {
            self.bits[word] &= !(1 << bit);
        }
    }

    /// Whether a socket's fd is in the set (`FD_ISSET`): after `select`,
    /// whether it is ready.
    pub fn contains(&self, sock: &dyn AsSocket) -> bool {
        slot(sock.socket_fd().0).is_some_and(|(word, bit)| self.bits[word] & (1 << bit) != 0)
    }

    /// The fds in the set, lowest first.
    pub fn fds(&self) -> Vec<RawFd> {
        (0..FD_SETSIZE as RawFd)
            .filter(|&fd| slot(fd).is_some_and(|(w, b)| self.bits[w] & (1 << b) != 0))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    /// One more than the highest fd in the set; 0 when it is empty.
    fn end(&self) -> i32 {
        self.fds().last().map_or(0, |fd| fd + 1)
    }
}

/// The word and bit of `fd` in a set, if it fits.
fn slot(fd: RawFd) -> Option<(usize, usize)> {
    let fd = usize::try_from(fd).ok().filter(|&fd| fd < FD_SETSIZE)?;
    Some((fd / 64, fd % 64))
}

/// What `select` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selected {
    /// How many fds are ready, over all three sets (0: the time ran out).
    pub ready: usize,
    /// The time that was left of the timeout, as the kernel wrote it back
    /// (None when there was no timeout).
    pub left: Option<Duration>,
}

/// `select(nfds, read, write, except, timeout)`, which glibc makes as
/// `pselect6(nfds, read, write, except, {tv_sec, tv_nsec}, NULL)`.
///
/// `nfds`, one more than the highest fd in any of the sets, is worked out
/// from the sets. A set left as `None` is NULL: nothing of that kind is
/// watched. The timeout is a `struct timeval` in C, so it counts whole
/// microseconds; `None` waits with no limit.
///
/// On return each set holds only the fds that are ready ([`FdSet::contains`]
/// says which); after a timeout every set is empty. So a loop must fill its
/// sets again before each call.
pub fn select(
    mut read: Option<&mut FdSet>,
    mut write: Option<&mut FdSet>,
    mut except: Option<&mut FdSet>,
    timeout: Option<Duration>,
) -> Result<Selected> {
    let nfds = [&read, &write, &except]
        .iter()
        .filter_map(|s| s.as_ref().map(|s| s.end()))
        .max()
        .unwrap_or(0);
    let on = [&read, &write, &except]
        .iter()
        .find_map(|s| s.as_ref().and_then(|s| s.first));
    // A timeval's microseconds, as glibc turns them into a timespec.
    let mut ts = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: (t.subsec_micros() * 1000) as libc::c_long,
    });
    let given = ts;
    // The sets as they go in, which strace prints: the kernel overwrites them.
    let before = [&read, &write, &except].map(|s| s.as_ref().map(|s| s.bits));
    let ptr = |s: &mut Option<&mut FdSet>| {
        s.as_mut()
            .map_or(std::ptr::null_mut(), |s| s.bits.as_mut_ptr())
    };
    let (r, w, e) = (ptr(&mut read), ptr(&mut write), ptr(&mut except));
    let ts_ptr = ts
        .as_mut()
        .map_or(std::ptr::null_mut(), |t| t as *mut libc::timespec);
    let started = trace::start();
    // SAFETY: each set pointer is null or points at 1024 bits, and nfds is
    // at most 1024, so the kernel reads and writes inside them; ts_ptr is
    // null or points at ts; the signal mask is NULL, as glibc passes it.
    let n = unsafe {
        libc::syscall(
            libc::SYS_pselect6,
            nfds as libc::c_long,
            r,
            w,
            e,
            ts_ptr,
            std::ptr::null::<libc::c_void>(),
        )
    };
    let after = [&read, &write, &except].map(|s| s.as_ref().map(|s| &s.bits[..]));
    let ret = match Ret::from_libc(n as i64, Errno::last_raw()) {
        Ret::Value(n) => Ret::Annotated(n, select_result(n, after, nfds, ts.as_ref())),
        other => other,
    };
    let ready = finish(started, "pselect6", on, ret, None, |_| {
        // With nfds 0 strace reads no bits and shows where each set is;
        // the kernel has not touched them.
        let set = |i: usize| match (&before[i], after[i]) {
            (Some(bits), Some(_)) if nfds > 0 => fd_set_arg(Some(&bits[..]), nfds),
            (_, real) => fd_set_arg(real, nfds),
        };
        vec![
            Arg::int(nfds.into()),
            Arg::opaque(set(0)),
            Arg::opaque(set(1)),
            Arg::opaque(set(2)),
            given
                .as_ref()
                .map_or(Arg::null(), |t| Arg::opaque(timespec(t))),
            Arg::null(),
        ]
    })?;
    Ok(Selected {
        ready: ready as usize,
        left: ts.map(|t| {
            Duration::new(
                t.tv_sec.max(0) as u64,
                t.tv_nsec.clamp(0, 999_999_999) as u32,
            )
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A socket with any fd number, open or not: `insert` must look at the
    /// number alone.
    struct Numbered(RawFd);
    impl AsSocket for Numbered {
        fn socket_fd(&self) -> (RawFd, Role) {
            (self.0, Role::Data)
        }
    }

    #[test]
    fn an_fd_of_1024_or_more_is_refused_and_the_set_is_unchanged() {
        let mut set = FdSet::new();
        set.insert(&Numbered(1023)).unwrap();
        let before = set.clone();
        for fd in [1024, 1500, i32::MAX, -1] {
            assert_eq!(set.insert(&Numbered(fd)), Err(FdTooHigh { fd }));
            assert!(!set.contains(&Numbered(fd)));
            set.remove(&Numbered(fd));
        }
        assert_eq!(set, before);
        assert_eq!(set.fds(), [1023]);
        assert_eq!(set.end(), 1024);
        let msg = FdTooHigh { fd: 1500 }.to_string();
        assert!(
            msg.contains("fd 1500") && msg.contains("FD_SETSIZE is 1024"),
            "{msg}"
        );
    }

    #[test]
    fn bits_in_and_out() {
        let mut set = FdSet::new();
        assert!(set.is_empty());
        assert_eq!(set.end(), 0);
        for fd in [3, 64, 65] {
            set.insert(&Numbered(fd)).unwrap();
        }
        assert_eq!(set.fds(), [3, 64, 65]);
        assert_eq!(set.end(), 66);
        set.remove(&Numbered(64));
        assert!(!set.contains(&Numbered(64)) && set.contains(&Numbered(65)));
    }
}
