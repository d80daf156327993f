//! Cues between a lesson's two threads: "my connect has returned", "here
//! is how many bytes I queued". A cue travels through the program's
//! memory, never the network, so it adds no system call on a socket: the
//! trace shows only the lesson's own calls. The server calls `accept` only
//! once the client's cue says its `connect` returned, which keeps the fd
//! numbers the same on every run.

use std::sync::mpsc::{channel, Receiver, Sender};

/// The end of a cue that gives it.
pub struct Give<T>(Sender<T>);

/// The end of a cue that waits for it.
pub struct Wait<T>(Receiver<T>);

/// A new cue: give it in one thread, wait for it in the other.
pub fn cue<T>() -> (Give<T>, Wait<T>) {
    let (give, wait) = channel();
    (Give(give), Wait(wait))
}

impl<T> Give<T> {
    /// Give the cue. A thread that has stopped waiting is no error.
    pub fn give(&self, value: T) {
        let _ = self.0.send(value);
    }
}

impl<T> Wait<T> {
    /// Wait until the cue is given: its value, or None once the giving
    /// thread has ended without giving it.
    pub fn wait(&self) -> Option<T> {
        self.0.recv().ok()
    }
}

/// A cue that crosses `fork`: a pipe, whose two ends both processes
/// inherit. The child gives it (one byte written), the parent waits for it
/// (one byte read). A pipe is not a socket, so the trace shows nothing for
/// it; strace's `%net` does not list `read` and `write` either.
pub struct ForkCue {
    read: std::fs::File,
    write: std::fs::File,
}

impl ForkCue {
    /// A new pipe, before the fork.
    pub fn new() -> std::io::Result<ForkCue> {
        use std::os::fd::FromRawFd;
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two fds into the array it is given.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: two new fds, each owned by one File from here on.
        let (read, write) = unsafe {
            (
                std::fs::File::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        };
        Ok(ForkCue { read, write })
    }

    /// Give the cue (in the other process).
    pub fn give(&mut self) {
        use std::io::Write;
        let _ = self.write.write_all(b"!");
    }

    /// Wait until the cue is given: true, or false once every write end
    /// is closed without it (the other process ended first). This copy of
    /// the write end is closed first, so that only the other one counts.
    pub fn wait(self) -> bool {
        use std::io::Read;
        let ForkCue { mut read, write } = self;
        drop(write);
        let mut byte = [0u8; 1];
        matches!(read.read(&mut byte), Ok(1))
    }
}
