//! Files socklab keeps open for itself live at fd 100 and above.
//!
//! The kernel gives each new socket the lowest free fd, and the lessons
//! teach that number: the first socket is 3, a closed number is handed out
//! again. A record file or a /proc table sitting on fd 4, even for a
//! moment, would shift every number after it, and a thread reading /proc
//! while another makes a socket would make them change from run to run.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};

/// Open `path` for reading and keep it above fd 100.
pub fn open(path: &str) -> std::io::Result<File> {
    move_up(File::open(path)?)
}

/// Move an open file to fd 100 or above (the low fd closes).
pub fn move_up(file: File) -> std::io::Result<File> {
    copy_up(&file)
}

/// A second fd for the same open file, at 100 or above.
fn copy_up(file: &File) -> std::io::Result<File> {
    // SAFETY: F_DUPFD_CLOEXEC makes a new fd for the same open file, owned
    // by the File made from it.
    let high = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 100) };
    if high < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(unsafe { File::from_raw_fd(high) })
}

/// Open each path for reading, kept above fd 100 (None where it cannot be
/// opened). The low fds the opens took on the way are given back with one
/// `close_range` when they form one run, as they do at start-up, so a
/// `strace -e trace=close` of a lesson shows no close of socklab's own
/// files, only the program's sockets and what the Rust runtime does.
pub fn open_all(paths: &[&str]) -> Vec<Option<File>> {
    let mut low: Vec<RawFd> = Vec::new();
    let files = paths
        .iter()
        .map(|path| {
            let file = File::open(path).ok()?;
            let high = copy_up(&file);
            // The low fd stays open until the close below.
            low.push(file.into_raw_fd());
            high.ok()
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
