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
