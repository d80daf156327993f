//! The capture: a process of its own that reads every frame on `lo`, in a
//! private network namespace that the lesson shares with it.
//!
//! - **Why a namespace.** On the machine's own loopback, any program's
//!   packets pass by. A network namespace made for the run has a loopback
//!   of its own, with only the run's packets on it. Making one takes
//!   `CAP_SYS_ADMIN`: root has it; anyone else gets it inside a user
//!   namespace of their own (where the kernel allows unprivileged user
//!   namespaces; Ubuntu 24.04's AppArmor default and Docker's default
//!   seccomp profile refuse them). socklab enters both itself, before it
//!   starts anything, so the capture and the lesson, its children, are in
//!   them too, and brings the new namespace's `lo` up (it starts down).
//! - **Why a separate process.** `strace -f` of the lesson follows the
//!   lesson and its children only; the capture's socket, in a process the
//!   lesson never started, is never in the lesson's trace.
//! - **Readiness.** The capture says `ready` on its stdout once its socket
//!   is bound to `lo`; socklab starts the lesson only after reading it, so
//!   the first SYN is never missed (no sleep, a pipe).
//! - **Each frame once.** An `AF_PACKET` socket on `lo` sees every frame
//!   twice: going out (`PACKET_OUTGOING`) and coming back in
//!   (`PACKET_HOST`). The outgoing copy is kept: it is stamped in the
//!   sending call itself.
//! - **Stopping.** When socklab closes the capture's stdin, the capture
//!   reads what its socket still holds, writes every frame to its stdout
//!   (time, length, bytes) and ends.

use super::Packet;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// What the capture says once it listens on `lo`.
const READY: &[u8] = b"ready\n";

const ETH_P_ALL: u16 = 0x0003;
const PACKET_OUTGOING: u8 = 4;
const SO_TIMESTAMPNS: libc::c_int = 35;
const SIOCGIFFLAGS: libc::c_ulong = 0x8913;
const SIOCSIFFLAGS: libc::c_ulong = 0x8914;

/// `struct ifreq` with the member `SIOC[GS]IFFLAGS` use.
#[repr(C)]
struct IfreqFlags {
    name: [u8; 16],
    flags: libc::c_short,
    _rest: [u8; 22],
}

fn errno_text() -> String {
    std::io::Error::last_os_error().to_string()
}

/// Why unshare failed. ENOSPC is not a full disk there but a limit on
/// namespaces, which is said.
fn unshare_error() -> String {
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::ENOSPC) {
        format!("{e}, the limit user.max_net_namespaces or user.max_user_namespaces is reached")
    } else {
        e.to_string()
    }
}

/// What to do when no namespace can be made: one line.
fn refused(why: &str) -> String {
    format!(
        "--packets needs a private network namespace for the run, and this system refuses one ({why}): \
         run socklab as root, or allow unprivileged user namespaces \
         (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0; \
         in Docker, a seccomp profile that allows unshare)"
    )
}

/// Put this process (and so every child it starts from now on) in a new
/// network namespace, inside a new user namespace unless it is root, and
/// bring that namespace's `lo` up. Call it while the process has one
/// thread (a user namespace cannot be entered by a process with more).
/// The error is one line saying why and what to do.
pub fn enter_private_net() -> Result<(), String> {
    // SAFETY: getuid, getgid, geteuid and unshare touch no memory.
    let (uid, gid, euid) = unsafe { (libc::getuid(), libc::getgid(), libc::geteuid()) };
    if euid == 0 {
        // SAFETY: as above.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return Err(refused(&format!(
                "unshare(CLONE_NEWNET): {}",
                unshare_error()
            )));
        }
    } else {
        // SAFETY: as above.
        if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) } != 0 {
            return Err(refused(&format!(
                "unshare(CLONE_NEWUSER|CLONE_NEWNET): {}",
                unshare_error()
            )));
        }
        // Inside, this user is root (uid 0), mapped to the real uid outside:
        // files it writes are still the learner's.
        let write = |file: &str, text: String| {
            std::fs::write(file, text).map_err(|e| refused(&format!("writing {file}: {e}")))
        };
        write("/proc/self/setgroups", "deny".to_string())?;
        write("/proc/self/uid_map", format!("0 {uid} 1"))?;
        write("/proc/self/gid_map", format!("0 {gid} 1"))?;
    }
    loopback_up()
}

/// `ip link set lo up`, by the two ioctls it makes.
fn loopback_up() -> Result<(), String> {
    // SAFETY: socket returns a new fd or -1.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(format!("cannot bring lo up: socket: {}", errno_text()));
    }
    // SAFETY: fd is ours and open.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut req = IfreqFlags {
        name: [0; 16],
        flags: 0,
        _rest: [0; 22],
    };
    req.name[..2].copy_from_slice(b"lo");
    // SAFETY: req is a valid ifreq for these two requests.
    unsafe {
        if libc::ioctl(sock.as_raw_fd(), SIOCGIFFLAGS, &mut req) != 0 {
            return Err(format!(
                "cannot bring lo up: SIOCGIFFLAGS: {}",
                errno_text()
            ));
        }
        req.flags |= libc::IFF_UP as libc::c_short;
        if libc::ioctl(sock.as_raw_fd(), SIOCSIFFLAGS, &req) != 0 {
            return Err(format!(
                "cannot bring lo up: SIOCSIFFLAGS: {}",
                errno_text()
            ));
        }
    }
    Ok(())
}

/// A running capture, started by [`Capture::start`].
pub struct Capture {
    child: Child,
}

impl Capture {
    /// Start `socklab __capture` and wait until it listens on `lo`.
    pub fn start(socklab: &Path) -> Result<Capture, String> {
        Ok(Capture {
            child: spawn(socklab, false)?,
        })
    }

    /// Stop the capture and take every frame it kept, in time order.
    pub fn finish(mut self) -> Result<Vec<Packet>, String> {
        drop(self.child.stdin.take());
        let mut bytes = Vec::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_end(&mut bytes)
                .map_err(|e| format!("reading the packet capture: {e}"))?;
        }
        let status = self
            .child
            .wait()
            .map_err(|e| format!("waiting for the packet capture: {e}"))?;
        if !status.success() {
            return Err(format!("the packet capture failed ({status})"));
        }
        let mut packets = read_frames(&bytes)?;
        packets.sort_by_key(|p| p.t_unix_ns);
        Ok(packets)
    }
}

/// Start `socklab __capture` (with `--live`, the live one) and wait until
/// it listens on `lo`.
pub(crate) fn spawn(socklab: &Path, live: bool) -> Result<Child, String> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(socklab);
    cmd.arg("__capture");
    if live {
        cmd.arg("--live");
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    // SAFETY: prctl is async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the packet capture: {e}"))?;
    let mut said = [0u8; READY.len()];
    let ready = child
        .stdout
        .as_mut()
        .map(|out| out.read_exact(&mut said).is_ok() && said == READY)
        .unwrap_or(false);
    if !ready {
        let _ = child.kill();
        let _ = child.wait();
        return Err("the packet capture did not start (see its message above)".to_string());
    }
    Ok(child)
}

impl Drop for Capture {
    fn drop(&mut self) {
        // Not finished (an error on the way): end it, leave nothing running.
        if self.child.stdin.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The frames as the capture writes them: for each, its time (u64
/// nanoseconds since 1970), its length (u32), its bytes; little-endian.
fn read_frames(mut b: &[u8]) -> Result<Vec<Packet>, String> {
    let mut out = Vec::new();
    while !b.is_empty() {
        if b.len() < 12 {
            return Err("the packet capture's output is cut short".to_string());
        }
        let t = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
        let n = u32::from_le_bytes(b[8..12].try_into().unwrap_or_default()) as usize;
        let frame = b
            .get(12..12 + n)
            .ok_or("the packet capture's output is cut short")?;
        out.push(Packet {
            t_unix_ns: t,
            frame: frame.to_vec(),
        });
        b = &b[12 + n..];
    }
    Ok(out)
}

/// The capture process itself (`socklab __capture`): listen on `lo`, say
/// `ready`, keep each outgoing frame until stdin closes, then write them
/// all to stdout.
///
/// `live` (`socklab __capture --live`, for `serve --packets` and `connect
/// --packets`): each frame is written to stdout as soon as it is read,
/// and each byte that arrives on stdin asks for a sync: the capture reads
/// every frame its socket holds, writes them, then writes [`SYNCED`]. A
/// frame sent inside a call is in the socket's queue when the call
/// returns, so after a sync asked for then, it has been written.
pub fn run_capture(live: bool) -> Result<(), String> {
    let sock = open_on_lo()?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(READY)
        .and_then(|_| stdout.flush())
        .map_err(|e| format!("packet capture: {e}"))?;
    let mut frames: Vec<Packet> = Vec::new();
    let mut buf = vec![0u8; super::SNAPLEN as usize];
    let mut out = Vec::new();
    let mut write_out = |frames: &mut Vec<Packet>, syncs: usize| {
        out.clear();
        for f in frames.drain(..) {
            out.extend_from_slice(&f.t_unix_ns.to_le_bytes());
            out.extend_from_slice(&(f.frame.len() as u32).to_le_bytes());
            out.extend_from_slice(&f.frame);
        }
        for _ in 0..syncs {
            out.extend_from_slice(&SYNCED.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
        }
        stdout
            .write_all(&out)
            .and_then(|_| stdout.flush())
            .map_err(|e| format!("packet capture: {e}"))
    };
    loop {
        let mut fds = [
            libc::pollfd {
                fd: sock.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: fds is a valid array of two pollfd.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("packet capture: poll: {}", errno_text()));
        }
        if fds[0].revents != 0 {
            drain(&sock, &mut buf, &mut frames)?;
            if live {
                write_out(&mut frames, 0)?;
            }
        }
        if fds[1].revents != 0 {
            let mut asked = [0u8; 64];
            // SAFETY: asked is a valid buffer of its length.
            let got = unsafe { libc::read(0, asked.as_mut_ptr().cast(), asked.len()) };
            // What the socket still holds travelled before the end (or
            // before the sync asked for).
            drain(&sock, &mut buf, &mut frames)?;
            if !live || got <= 0 {
                // socklab closed our stdin: the run is over.
                break;
            }
            write_out(&mut frames, got as usize)?;
        }
    }
    write_out(&mut frames, 0)
}

/// The time field of the record that answers a sync, in place of a frame's.
pub const SYNCED: u64 = u64::MAX;

/// An `AF_PACKET` socket bound to `lo`, stamping each frame with the wall
/// clock, its buffer large enough for a lesson's whole run.
fn open_on_lo() -> Result<OwnedFd, String> {
    let fail = |what: &str| format!("packet capture: {what}: {}", errno_text());
    // SAFETY: plain system calls on values we own; the sockaddr_ll and the
    // option values outlive the calls.
    unsafe {
        let fd = libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            i32::from(ETH_P_ALL.to_be()),
        );
        if fd < 0 {
            return Err(fail("socket(AF_PACKET)"));
        }
        let sock = OwnedFd::from_raw_fd(fd);
        let ifindex = libc::if_nametoindex(c"lo".as_ptr());
        if ifindex == 0 {
            return Err(fail("if_nametoindex(lo)"));
        }
        let on: libc::c_int = 1;
        let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        if libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            size,
        ) != 0
        {
            return Err(fail("SO_TIMESTAMPNS"));
        }
        // 16 MiB of frames may wait (the capture reads as they come; this
        // covers a burst while it is not scheduled). FORCE passes the
        // system's cap, where the namespace's root may.
        let bytes: libc::c_int = 16 << 20;
        if libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&bytes as *const libc::c_int).cast(),
            size,
        ) != 0
        {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&bytes as *const libc::c_int).cast(),
                size,
            );
        }
        let mut sll: libc::sockaddr_ll = std::mem::zeroed();
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = ifindex as i32;
        if libc::bind(
            fd,
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        ) != 0
        {
            return Err(fail("bind to lo"));
        }
        Ok(sock)
    }
}

/// Read every frame waiting on the socket, keeping the outgoing copies.
fn drain(sock: &OwnedFd, buf: &mut [u8], frames: &mut Vec<Packet>) -> Result<(), String> {
    loop {
        // SAFETY: every pointer in msg points into buffers that outlive
        // the call, with their lengths.
        let (n, from, t) = unsafe {
            let mut from: libc::sockaddr_ll = std::mem::zeroed();
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.len(),
            };
            let mut control = [0u64; 16];
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_name = (&mut from as *mut libc::sockaddr_ll).cast();
            msg.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = std::mem::size_of_val(&control);
            let n = libc::recvmsg(
                sock.as_raw_fd(),
                &mut msg,
                libc::MSG_DONTWAIT | libc::MSG_TRUNC,
            );
            let mut t = None;
            if n >= 0 {
                let mut c = libc::CMSG_FIRSTHDR(&msg);
                while !c.is_null() {
                    if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == SO_TIMESTAMPNS {
                        let ts: libc::timespec =
                            std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                        t = Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64);
                    }
                    c = libc::CMSG_NXTHDR(&msg, c);
                }
            }
            (n, from, t)
        };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            return match e.kind() {
                std::io::ErrorKind::WouldBlock => Ok(()),
                std::io::ErrorKind::Interrupted => continue,
                _ => Err(format!("packet capture: recvmsg: {e}")),
            };
        }
        if from.sll_pkttype != PACKET_OUTGOING {
            continue;
        }
        let len = (n as usize).min(buf.len());
        let t = t.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        frames.push(Packet {
            t_unix_ns: t,
            frame: buf[..len].to_vec(),
        });
    }
}
