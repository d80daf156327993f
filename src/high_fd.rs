//! Files socklab keeps open for itself live at fd 100 and above.
//!
//! The kernel gives each new socket the lowest free fd, and the lessons
//! teach that number: the first socket is 3, a closed number is handed out
//! again. A record file or a /proc table sitting on fd 4, even for a
//! moment, would shift every number after it, and a thread reading /proc
//! while another makes a socket would make them change from run to run.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};

/// Open `path` for reading and keep it above fd 100.
pub fn open(path: &str) -> std::io::Result<File> {
    move_up(File::open(path)?)
}

/// Move an open file to fd 100 or above (the low fd closes).
pub fn move_up(file: File) -> std::io::Result<File> {
    // SAFETY: F_DUPFD_CLOEXEC makes a new fd for the same open file; the
    // new fd is owned by the File made from it, the old one closes when
    // `file` drops.
    let high = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 100) };
    if high < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(unsafe { File::from_raw_fd(high) })
}
