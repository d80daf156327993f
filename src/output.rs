//! The program's own output on the terminal: whole lines, colour only where
//! it helps, and a quiet, clear end when the reader goes away.
//!
//! When a learner pipes a lesson into `head -1`, `head` exits and the pipe
//! closes. A Rust program ignores SIGPIPE, so the next write fails with EPIPE
//! instead of killing the process; here that ends the program with one line
//! on stderr instead of a panic.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The exit status after stdout closed: 128 + SIGPIPE, what a shell reports
/// for a program that SIGPIPE ended.
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Write `text` to stdout as one piece. A closed stdout ends the program.
pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    if let Err(e) = result {
        drop(out);
        stdout_failed(e);
    }
}

/// Whether the program is ending because stdout failed.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether a failed stdout already ended the program with its own line.
pub fn stdout_failed_already() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// End the program after a write to stdout failed.
pub fn stdout_failed(e: std::io::Error) -> ! {
    // This line is the one that speaks: the tracer's exit handler does not
    // add a record error behind it.
    if STDOUT_FAILED.swap(true, Ordering::SeqCst) {
        // Another thread met the failed stdout first and is ending the
        // program with its line: one line, one exit.
        loop {
            std::thread::park();
        }
    }
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        eprintln_quiet("socklab: stdout was closed (broken pipe), stopping");
        std::process::exit(BROKEN_PIPE_EXIT);
    }
    eprintln_quiet(&format!("socklab: cannot write to stdout: {e}"));
    std::process::exit(1);
}

/// One line on stderr, ignoring failure: there is nowhere left to report it.
pub fn eprintln_quiet(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(format!("{line}\n").as_bytes());
}

/// Whether stdout should get colour: only on a terminal, and never when the
/// user set `NO_COLOR` (see no-color.org).
pub fn color_enabled() -> bool {
    static COLOR: OnceLock<bool> = OnceLock::new();
    *COLOR.get_or_init(|| {
        let no_color = crate::env::get().no_color;
        // SAFETY: isatty only reads the state of descriptor 1.
        !no_color && unsafe { libc::isatty(1) } == 1
    })
}

/// ANSI colours used in the human view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Dim,
    Bold,
}

/// Wrap `text` in `color` when colour is on.
pub fn paint(text: &str, color: Color, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    let code = match color {
        Color::Red => "31",
        Color::Green => "32",
        Color::Yellow => "33",
        Color::Blue => "34",
        Color::Magenta => "35",
        Color::Cyan => "36",
        Color::Dim => "2",
        Color::Bold => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
