//! Files socklab keeps open for itself live at fd 100 and above.
//!
//! The kernel gives each new socket the lowest free fd, and the lessons
//! teach that number: the first socket is 3, a closed number is handed out
//! again. A record file or a /proc table sitting on fd 4, even for a
//! moment, would shift every number after it, and a thread reading /proc
//! while another makes a socket would make them change from run to run.
//!
//! A process may not hold an fd at or above its soft limit on open files
//! (`ulimit -n`, RLIMIT_NOFILE): `fcntl(F_DUPFD)` with a start at or above
//! it fails with EINVAL. Under a limit below 106 the files go to the top
//! of what the limit allows instead: the last [`OWN_FILES`] numbers below
//! it, still above the sockets a lesson makes. Under a limit so
//! low that this would leave a program fewer than 7 fds for its sockets
//! (3 to 9), there is no room, and opening one of these files says so.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};

/// The usual first fd for socklab's own files.
const USUAL_FLOOR: RawFd = 100;

/// How many files socklab keeps open at most: five /proc/net tables and
/// the record file.
pub const OWN_FILES: RawFd = 6;

/// The lowest floor that still leaves fds 3 to 9 to the program's sockets.
const LOWEST_FLOOR: RawFd = 10;

/// The soft limit on open files, `ulimit -n` (None: unlimited).
fn soft_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit struct, which `lim` is.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    (ok && lim.rlim_cur != libc::RLIM_INFINITY).then_some(lim.rlim_cur)
}

/// The first fd socklab's own files may take: 100, or [`OWN_FILES`] below
/// a lower soft limit; an error that names the limit when it leaves no
/// such room.
pub fn floor() -> Result<RawFd, std::io::Error> {
    let Some(limit) = soft_limit() else {
        return Ok(USUAL_FLOOR);
    };
    let top = limit.min(i32::MAX as u64) as RawFd;
    let floor = USUAL_FLOOR.min(top - OWN_FILES);
    if floor < LOWEST_FLOOR {
        return Err(std::io::Error::other(format!(
            "the limit on open files (ulimit -n {limit}) leaves it no fd above the program's sockets: socklab's own files need a limit of {} or more",
            LOWEST_FLOOR + OWN_FILES
        )));
    }
    Ok(floor)
}

/// Open `path` for reading and keep it above fd 100 (see [`floor`]).
pub fn open(path: &str) -> std::io::Result<File> {
    move_up(File::open(path)?)
}

/// Move an open file to fd 100 or above (see [`floor`]; the low fd closes).
pub fn move_up(file: File) -> std::io::Result<File> {
    copy_up(&file)
}

/// A second fd for the same open file, at the floor or above.
fn copy_up(file: &File) -> std::io::Result<File> {
    let floor = floor()?;
    // SAFETY: F_DUPFD_CLOEXEC makes a new fd for the same open file, owned
    // by the File made from it.
    let high = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_DUPFD_CLOEXEC, floor) };
    if high < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(unsafe { File::from_raw_fd(high) })
}

/// Open each path for reading, kept above fd 100, or say why it could not
/// be. The low fds the opens took on the way are given back with one
/// `close_range` when they form one run, as they do at start-up, so a
/// `strace -e trace=close` of a lesson shows no close of socklab's own
/// files, only the program's sockets and what the Rust runtime does.
pub fn open_all(paths: &[&str]) -> Vec<std::io::Result<File>> {
    // With no room above the sockets, nothing is opened: not even for a
    // moment on a low fd.
    if let Err(e) = floor() {
        return paths
            .iter()
            .map(|_| Err(std::io::Error::new(e.kind(), e.to_string())))
            .collect();
    }
    let mut low: Vec<RawFd> = Vec::new();
    let files = paths
        .iter()
        .map(|path| {
            let file = File::open(path)?;
            let high = copy_up(&file);
            // The low fd stays open until the close below.
            low.push(file.into_raw_fd());
            high
        })
        .collect();
    low.sort_unstable();
    let one_run = low.windows(2).all(|w| w[1] == w[0] + 1);
    let closed = match (low.first(), low.last()) {
        // SAFETY: every fd from first to last is one this function opened
        // and still owns (one_run), and none is used after this.
        (Some(&first), Some(&last)) if one_run => unsafe {
            libc::syscall(libc::SYS_close_range, first as u32, last as u32, 0u32) == 0
        },
        _ => false,
    };
    if !closed {
        for fd in low {
            // SAFETY: an fd this function opened and owns.
            unsafe { libc::close(fd) };
        }
    }
    files
}
