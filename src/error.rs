//! The error a wrapper returns: which call failed and the kernel's errno.

use nix::errno::Errno;
use std::fmt;

/// A failed system call. It was traced like any other, as
/// `= -1 ECONNREFUSED (Connection refused)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// The call the program made (`connect`, `send`, ...).
    pub call: &'static str,
    /// What the kernel said went wrong.
    pub errno: Errno,
}

/// The result of a socket call.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The errno's name, as strace prints it: `ECONNREFUSED`.
    pub fn name(&self) -> String {
        crate::strace::errno_name(self.errno as i32)
    }

    /// glibc's wording for the errno: `Connection refused`.
    pub fn message(&self) -> String {
        crate::strace::errno_message(self.errno as i32)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {} ({})",
            self.call,
            self.name(),
            self.message()
        )
    }
}

impl std::error::Error for Error {}
