//! `fork` and `waitpid`: one server becomes two processes, and the parent
//! collects the child's exit status.
//!
//! ```text
//!  parent: accept → fork ─┬─ close(data fd) → accept the next client …
//!                         │                   waitpid(child) ← exit status
//!  child:                 └─ close(listening fd) → recv/send → close → exit
//! ```
//!
//! `fork` copies the whole process, and with it the fd table: the child has
//! the same numbers for the same sockets (each socket now has two fds
//! pointing at it, one per process). A socket is only closed, and its FIN
//! sent, when the *last* of them is closed, which is why the classic fork
//! server closes the data fd in the parent and the listening fd in the
//! child.
//!
//! ```no_run
//! use socklab::process::{fork, waitpid, Forked};
//! # fn serve(_c: socklab::Connection) {}
//! # fn main() -> socklab::Result<()> {
//! # let listener: socklab::Listener = unimplemented!();
//! let (conn, _peer) = listener.accept()?;     // accept(3, {...}, [128 => 16]) = 4
//! match fork()? {                              // clone(child_stack=NULL, ...) = 1429
//!     Forked::Child => {
//!         listener.close()?;                   // the child's copy of fd 3
//!         serve(conn);                         // recv, send, close(4)
//!         std::process::exit(0);               // the child never goes back to accept
//!     }
//!     Forked::Parent(child) => {
//!         conn.close()?;                       // the parent's copy of fd 4: no FIN yet
//!         let status = waitpid(child)?;        // wait4(1429, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 1429
//!         println!("the child {status}");
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! What strace shows: glibc's `fork()` is the `clone` system call, and
//! `waitpid(pid, &status, options)` is `wait4(pid, &status, options,
//! NULL)`. Only the parent's side of the `clone` is printed (with the
//! child's pid); the child starts life returning 0 from it, and strace
//! prints no line for that.
//!
//! A child should end with `std::process::exit`, which writes out what
//! the tracer still holds for the record file. The tracer is fork-safe:
//! see `trace/mod.rs`.

use crate::error::Result;
use crate::event::Arg;
use crate::socket::finish;
use crate::strace::Ret;
use crate::trace;
use nix::errno::Errno;
use std::fmt;

/// A child process, as `fork` names it to the parent: its process id.
/// `waitpid` takes it by value, since a child can be waited for once.
#[derive(Debug, PartialEq, Eq)]
pub struct ChildPid(libc::pid_t);

impl ChildPid {
    /// The process id, as `ps` and strace show it.
    pub fn raw(&self) -> libc::pid_t {
        self.0
    }
}

impl fmt::Display for ChildPid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What `fork` returned, in the process that sees it: both processes go
/// on from the same point, each with its own answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Forked {
    /// This is the new process (`fork` returned 0 here).
    Child,
    /// This is the process that called `fork`; the new one is `ChildPid`.
    Parent(ChildPid),
}

/// How a child ended, as `waitpid` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// It called `exit(code)` (or returned from `main`).
    Exited(i32),
    /// A signal ended it (SIGKILL, SIGSEGV, ...); `core_dumped` when the
    /// kernel wrote a core file.
    Killed { signal: i32, core_dumped: bool },
    /// A stopped or continued child: only reported with flags socklab
    /// does not pass. The raw status word.
    Other(i32),
}

impl ExitStatus {
    /// Decode the status word `waitpid` filled in.
    pub fn from_raw(status: i32) -> ExitStatus {
        if libc::WIFEXITED(status) {
            ExitStatus::Exited(libc::WEXITSTATUS(status))
        } else if libc::WIFSIGNALED(status) {
            ExitStatus::Killed {
                signal: libc::WTERMSIG(status),
                core_dumped: libc::WCOREDUMP(status),
            }
        } else {
            ExitStatus::Other(status)
        }
    }

    /// Exited with status 0.
    pub fn success(&self) -> bool {
        *self == ExitStatus::Exited(0)
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Exited(code) => write!(f, "exited with status {code}"),
            ExitStatus::Killed {
                signal,
                core_dumped,
            } => {
                write!(f, "was killed by {}", signal_name(*signal))?;
                if *core_dumped {
                    f.write_str(" (core dumped)")?;
                }
                Ok(())
            }
            ExitStatus::Other(raw) => write!(f, "changed state (status {raw:#x})"),
        }
    }
}

/// `fork()`: copy this process. The copy (the child) gets a copy of every
/// fd, so both processes now hold each open socket.
///
/// The parent's line is strace's for glibc's fork: `clone(child_stack=NULL,
/// flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD,
/// child_tidptr=0x7f…) = PID`. The child prints nothing for it.
pub fn fork() -> Result<Forked> {
    crate::trace::before_fork();
    let tidptr = child_tidptr();
    let started = trace::start();
    // SAFETY: fork has no preconditions. The tracer's own locks are taken
    // before it and let go after it in both processes (trace::before_fork
    // registered the handlers), so the child finds none of them held.
    let pid = unsafe { libc::fork() };
    let ret = Ret::from_libc(pid.into(), Errno::last_raw());
    if pid == 0 {
        return Ok(Forked::Child);
    }
    let pid = finish(started, "clone", None, ret, None, |_| {
        vec![
            Arg::opaque("child_stack=NULL".to_string()),
            Arg::opaque("flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD".to_string()),
            Arg::opaque(format!("child_tidptr={tidptr:#x}")),
        ]
    })?;
    Ok(Forked::Parent(ChildPid(pid as libc::pid_t)))
}

/// `waitpid(child, &status, 0)`: wait until `child` ends, and collect its
/// exit status. Until then the ended child is a zombie: its pid and
/// status are kept for the parent to read.
pub fn waitpid(child: ChildPid) -> Result<ExitStatus> {
    let (_, status) = wait4(child.0, 0)?;
    Ok(status)
}

/// `waitpid(-1, &status, 0)`: wait until any child ends.
pub fn wait_any() -> Result<(ChildPid, ExitStatus)> {
    wait4(-1, 0)
}

/// `waitpid(-1, &status, WNOHANG)`: collect a child that has already
/// ended, or None at once when none has. A fork server calls it in a loop
/// between clients so ended children do not stay zombies.
pub fn wait_any_nohang() -> Result<Option<(ChildPid, ExitStatus)>> {
    match wait4(-1, libc::WNOHANG) {
        Ok((ChildPid(0), _)) => Ok(None),
        other => other.map(Some),
    }
}

/// `kill(pid, sig)`: send `signal` to a process. With SIGKILL the process
/// ends at once, wherever it is (inside a blocking `recv`, say), and runs
/// nothing more; its kernel then closes every fd it had, as `close` would.
///
/// strace: `kill(1429, SIGKILL)                      = 0`.
pub fn kill(child: &ChildPid, signal: i32) -> Result<()> {
    let started = trace::start();
    // SAFETY: kill takes plain integers.
    let ret = unsafe { libc::kill(child.0, signal) };
    finish(
        started,
        "kill",
        None,
        Ret::from_libc(ret.into(), Errno::last_raw()),
        None,
        |_| {
            vec![
                Arg::int(child.0.into()),
                Arg::flags(signal.into(), signal_name(signal)),
            ]
        },
    )?;
    Ok(())
}

/// glibc's waitpid is the wait4 system call with no rusage.
fn wait4(pid: libc::pid_t, options: i32) -> Result<(ChildPid, ExitStatus)> {
    let mut status: libc::c_int = 0;
    let at = &mut status as *mut libc::c_int;
    let started = trace::start();
    // SAFETY: `at` points at a live c_int for the call to fill.
    let ret = unsafe { libc::waitpid(pid, at, options) };
    let errno = Errno::last_raw();
    let got = finish(
        started,
        "wait4",
        None,
        Ret::from_libc(ret.into(), errno),
        None,
        |ret| {
            vec![
                Arg::int(pid.into()),
                Arg::opaque(status_arg(ret, at as usize, status)),
                Arg::flags(options.into(), wait_options(options)),
                Arg::null(),
            ]
        },
    )?;
    Ok((ChildPid(got as libc::pid_t), ExitStatus::from_raw(status)))
}

/// The status argument as strace shows it: decoded when a child was
/// reported (`[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`), the buffer's
/// address when nothing was written (a WNOHANG 0, an error).
fn status_arg(ret: &Ret, at: usize, status: i32) -> String {
    match ret {
        Ret::Value(n) | Ret::Annotated(n, _) if *n > 0 => format_status(status),
        _ => format!("{at:#x}"),
    }
}

/// strace's decoding of a wait status word.
pub fn format_status(status: i32) -> String {
    let (text, rest) = if libc::WIFSTOPPED(status) {
        let sig = libc::WSTOPSIG(status);
        let mark = if sig & 0x80 != 0 { " | 0x80" } else { "" };
        (
            format!(
                "[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}{mark}}}",
                signal_name(sig & 0x7f)
            ),
            status & !((sig << 8) | 0x7f),
        )
    } else if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        let core = if libc::WCOREDUMP(status) {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        (
            format!(
                "[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{core}}}",
                signal_name(sig)
            ),
            status & !(sig | 0x80),
        )
    } else if libc::WIFEXITED(status) {
        let code = libc::WEXITSTATUS(status);
        (
            format!("[{{WIFEXITED(s) && WEXITSTATUS(s) == {code}}}"),
            status & !(code << 8),
        )
    } else if libc::WIFCONTINUED(status) {
        ("[{WIFCONTINUED(s)}".to_string(), status & !0xffff)
    } else {
        return format!("[{status:#x}]");
    };
    if rest == 0 {
        format!("{text}]")
    } else {
        format!("{text} | {rest:#x}]")
    }
}

/// The options argument: `0`, `WNOHANG`. (strace names WUNTRACED by its
/// other name, WSTOPPED.)
fn wait_options(options: i32) -> String {
    const NAMES: &[(i64, &str)] = &[
        (libc::WNOHANG as i64, "WNOHANG"),
        (libc::WSTOPPED as i64, "WSTOPPED"),
        (libc::WEXITED as i64, "WEXITED"),
        (libc::WCONTINUED as i64, "WCONTINUED"),
        (libc::WNOWAIT as i64, "WNOWAIT"),
        (libc::__WNOTHREAD as i64, "__WNOTHREAD"),
        (libc::__WALL as i64, "__WALL"),
        (libc::__WCLONE as i64, "__WCLONE"),
    ];
    crate::strace::consts::flag_names(i64::from(options as u32), NAMES, "0")
}

/// A signal's name as strace writes it: `SIGKILL`, `SIGRTMIN`, `SIGRT_2`.
pub fn signal_name(sig: i32) -> String {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match sig {
        1..=31 => NAMES[sig as usize].to_string(),
        32 => "SIGRTMIN".to_string(),
        33..=64 => format!("SIGRT_{}", sig - 32),
        _ => sig.to_string(),
    }
}

/// Where glibc's `fork` asks the kernel to write the child's thread id
/// (and to clear it, with a futex wake, when the thread ends): the `tid`
/// field of the calling thread's `struct pthread`, which `pthread_self()`
/// points at. glibc passes it as `clone`'s `child_tidptr`, and strace
/// prints it.
///
/// In glibc 2.36 on x86-64 that field is 0x2d0 bytes in. The field holds
/// this thread's id, so the guess is checked by reading it; if it does
/// not hold (another glibc), the kernel is asked instead: it keeps the
/// same address as the thread's `clear_child_tid` (set by glibc at start
/// with `set_tid_address`, or by `clone3` for a thread), and
/// `prctl(PR_GET_TID_ADDRESS)` returns it.
fn child_tidptr() -> usize {
    const GLIBC_2_36_TID_OFFSET: usize = 0x2d0;
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() } as usize;
    #[cfg(target_env = "gnu")]
    {
        let guess = me + GLIBC_2_36_TID_OFFSET;
        // SAFETY: glibc's struct pthread is larger than 0x2d4 bytes and
        // lives as long as this thread; an aligned i32 read of it is a
        // plain memory read. gettid has no preconditions.
        let (field, tid) =
            unsafe { (std::ptr::read_volatile(guess as *const i32), libc::gettid()) };
        if field == tid {
            return guess;
        }
    }
    tid_address().unwrap_or(me + GLIBC_2_36_TID_OFFSET)
}

/// The kernel's `clear_child_tid` of this thread.
pub(crate) fn tid_address() -> Option<usize> {
    let mut at: usize = 0;
    // SAFETY: PR_GET_TID_ADDRESS writes one pointer to `at`.
    let r = unsafe {
        libc::prctl(
            libc::PR_GET_TID_ADDRESS,
            &mut at as *mut usize,
            0usize,
            0usize,
            0usize,
        )
    };
    (r == 0).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_is_decoded_as_strace_decodes_it() {
        // Lines strace 6.1 printed for these children (see tests/fork.rs
        // for a live run).
        assert_eq!(format_status(0), "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
        assert_eq!(
            format_status(255 << 8),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 255}]"
        );
        assert_eq!(
            format_status(libc::SIGKILL),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
        );
        assert_eq!(
            format_status(libc::SIGABRT | 0x80),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT && WCOREDUMP(s)}]"
        );
        assert_eq!(
            format_status(32),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGRTMIN}]"
        );
        assert_eq!(
            format_status(64),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGRT_32}]"
        );
        assert_eq!(wait_options(0), "0");
        assert_eq!(wait_options(libc::WNOHANG), "WNOHANG");
        assert_eq!(
            wait_options(libc::WNOHANG | libc::WUNTRACED),
            "WNOHANG|WSTOPPED"
        );
    }

    /// The address computed from `pthread_self()` is the one the kernel
    /// keeps for this thread, in the main thread and in another.
    #[test]
    fn child_tidptr_is_the_threads_tid_field() {
        let here = || (child_tidptr(), tid_address());
        let (mine, kernel) = here();
        assert_eq!(Some(mine), kernel);
        let (theirs, kernel) = std::thread::spawn(here).join().unwrap();
        assert_eq!(Some(theirs), kernel);
        assert_ne!(mine, theirs);
    }

    #[test]
    fn exit_statuses_read_as_words() {
        assert_eq!(
            ExitStatus::from_raw(3 << 8).to_string(),
            "exited with status 3"
        );
        assert_eq!(
            ExitStatus::from_raw(libc::SIGKILL).to_string(),
            "was killed by SIGKILL"
        );
        assert!(ExitStatus::from_raw(0).success());
    }
}
