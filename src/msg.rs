//! `sendmsg` and `recvmsg`: passing an open socket to another process.
//!
//! Beside its bytes, a message on a Unix socket can carry control
//! messages. One kind, `SCM_RIGHTS`, carries fds: the kernel takes the
//! open socket behind the sender's fd and installs it in the receiver's fd
//! table under a **new** number, the lowest one free there, as `socket`
//! and `accept` would. Both numbers now refer to the same open socket; it
//! stays open until every fd referring to it is closed. A server can so
//! hand an accepted connection to a worker process.
//!
//! strace decodes the control message too:
//! `msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3]}]`.

use crate::error::Result;
use crate::event::Arg;
use crate::socket::Socket;
use crate::socket::{
    finish_new_fds, msg_flags, traced, AsSocket, Connection, DatagramSocket, Listener, MsgFlags,
};
use crate::strace::msghdr::{msghdr, msghdr_failed, scm_rights, scm_rights_fds};
use crate::strace::Ret;
use crate::trace;
use crate::trace::Role;
use nix::errno::Errno;
use std::mem::zeroed;
use std::os::fd::RawFd;

mod sealed {
    /// Only socklab's own socket types can take in a passed fd.
    pub trait Adopt {
        fn adopt_passed(raw: std::os::fd::RawFd) -> Self;
    }
}

/// A kind of socket that can arrive in an `SCM_RIGHTS` message:
/// [`Connection`], [`Listener`], [`Socket`] or [`DatagramSocket`]. The
/// message does not say which kind it carries; the receiving program says
/// what it expects, as its protocol with the sender defines it.
pub trait PassedSocket: sealed::Adopt + AsSocket {}

macro_rules! passed_socket {
    ($($t:ty => $role:expr),*) => {$(
        impl sealed::Adopt for $t {
            fn adopt_passed(raw: RawFd) -> $t {
                <$t>::adopt(raw, $role)
            }
        }
        impl PassedSocket for $t {}
    )*};
}

passed_socket!(
    Connection => Role::Data,
    Listener => Role::Listening,
    Socket => Role::Socket,
    DatagramSocket => Role::Datagram
);

/// Room for one control message of one fd: `CMSG_SPACE(sizeof(int))`, 24
/// bytes. (Two fds also fit; a third would be cut off, with MSG_CTRUNC.)
const CONTROL_SPACE: usize = 24;

impl Connection {
    /// `sendmsg(fd, {data, SCM_RIGHTS [passed fd]}, flags)`: send `data`
    /// over this (Unix) connection, and with it the open socket behind
    /// `pass`. The receiver gets its own fd for that socket; `pass` stays
    /// open here too, until this process closes it.
    pub fn sendmsg(&self, data: &[u8], pass: &dyn AsSocket, flags: MsgFlags) -> Result<usize> {
        let (fd, role) = self.socket_fd();
        let mut control = scm_rights(&[pass.socket_fd().0]);
        let mut iov = libc::iovec {
            iov_base: data.as_ptr() as *mut libc::c_void,
            iov_len: data.len(),
        };
        // SAFETY: all-zero bytes are a valid msghdr (no name, no buffers).
        let mut msg: libc::msghdr = unsafe { zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control.len();
        let started = trace::start();
        // SAFETY: msg points at iov and control, valid for the whole call;
        // the kernel only reads from data.
        let ret = unsafe { libc::sendmsg(fd, &msg, flags.bits()) };
        traced(
            started,
            "sendmsg",
            Some((fd, role)),
            ret as i64,
            None,
            |_| {
                vec![
                    Arg::fd(fd),
                    Arg::opaque(msghdr(data, data.len(), &control, msg.msg_flags)),
                    Arg::flags(flags.bits().into(), msg_flags(flags)),
                ]
            },
        )
        .map(|n| n as usize)
    }

    /// `recvmsg(fd, {buf, control}, flags)`: receive bytes into `buf`,
    /// and any sockets passed with them (`SCM_RIGHTS`), each now a new fd
    /// of this process, typed as the program expects (`T`). Returns how
    /// many bytes arrived (0: the peer closed) and the sockets.
    pub fn recvmsg<T: PassedSocket>(
        &self,
        buf: &mut [u8],
        flags: MsgFlags,
    ) -> Result<(usize, Vec<T>)> {
        let (fd, role) = self.socket_fd();
        // u64s, so the control buffer is aligned as a cmsghdr.
        let mut control = [0u64; CONTROL_SPACE / 8];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: all-zero bytes are a valid msghdr (no name, no buffers).
        let mut msg: libc::msghdr = unsafe { zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = CONTROL_SPACE;
        let started = trace::start();
        // SAFETY: msg points at iov (over buf) and control, both valid for
        // writing for their lengths during the call.
        let n = unsafe { libc::recvmsg(fd, &mut msg, flags.bits()) };
        let ret = Ret::from_libc(n as i64, Errno::last_raw());
        // SAFETY: control is CONTROL_SPACE plain bytes.
        let bytes: &[u8] =
            unsafe { std::slice::from_raw_parts(control.as_ptr().cast(), CONTROL_SPACE) };
        let filled = &bytes[..msg.msg_controllen.min(CONTROL_SPACE)];
        // The fds are this process's from the moment the call returns:
        // own them before anything else, so none can leak.
        let passed: Vec<T> = match ret {
            Ret::Error(_) => Vec::new(),
            _ => scm_rights_fds(filled)
                .into_iter()
                .map(T::adopt_passed)
                .collect(),
        };
        // Each received socket is a new fd here, as accept's is: the pretty
        // view marks its number.
        let received = |_: &Ret| {
            let mut fds = passed.iter().map(|p| p.socket_fd());
            let (first, role) = fds.next()?;
            Some((role, first, fds.next().map(|(fd, _)| fd)))
        };
        let n = finish_new_fds(started, "recvmsg", Some((fd, role)), ret, received, |ret| {
            let header = match ret {
                Ret::Value(n) => msghdr(
                    &buf[..(*n as usize).min(buf.len())],
                    buf.len(),
                    filled,
                    msg.msg_flags,
                ),
                _ => msghdr_failed(),
            };
            vec![
                Arg::fd(fd),
                Arg::opaque(header),
                Arg::flags(flags.bits().into(), msg_flags(flags)),
            ]
        })?;
        Ok((n as usize, passed))
    }
}
