//! Holding socklab's own record of a run against strace's record of the
//! same run: the proof that every line socklab prints is the truth.
//!
//! The program runs once, under
//! `strace -f -qq -e signal=none -e trace=%net,close,poll,fcntl,pselect6,epoll_create1,epoll_ctl,epoll_wait,clone,clone3,wait4,kill -o LOG`, while the
//! tracer records its own lines (with thread ids) to a file. Then, thread by
//! thread, the n-th socket call strace saw must be the n-th line socklab
//! printed, byte for byte. A forked child is a thread of its own here (its
//! first thread's id is its pid), and its parent and it each record their
//! own calls to the one file. A call strace saw that socklab did not print is a
//! hidden system call, and fails the comparison too, with one exception:
//! the C library's own sockets during a name lookup ([`LIBC_LOOKUP_SOCKETS`]),
//! which no socklab wrapper makes and so none can print.

use crate::record::parse_events;
use crate::strace_log::{socket_calls, StraceCall};
use socklab::event::CallEvent;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The strace options used, shown to learners so they can repeat the run.
pub const STRACE_ARGS: &[&str] = &[
    "-f",
    "-qq",
    "-e",
    "signal=none",
    "-e",
    "trace=%net,close,poll,fcntl,pselect6,epoll_create1,epoll_ctl,epoll_wait,clone,clone3,wait4,kill",
];

/// The allow-list, and the only one: sockets glibc 2.36 opens by itself
/// inside `getaddrinfo` (lesson 11, `socklab::lookup`), each as strace
/// prints its `socket` call, with why glibc makes it. A call strace saw on
/// such a socket, from its `socket` to its `close`, that socklab did not
/// print is glibc's, not a hidden call of the program's: the comparison
/// shows it as the C library's and lets it pass. socklab's own wrappers
/// never make these calls unasked, and a socket socklab did print (the
/// same `socket` line, in its place) is compared as usual.
pub const LIBC_LOOKUP_SOCKETS: &[(&str, &str)] = &[
    (
        "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0)",
        "glibc asks nscd, the name service cache daemon, first, over its Unix socket /var/run/nscd/socket (ENOENT where nscd is not running)",
    ),
    (
        "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)",
        "glibc asks the kernel for this machine's own addresses (RTM_GETADDR): for AI_ADDRCONFIG, and to sort several answers (RFC 6724)",
    ),
    (
        "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)",
        "to sort several answers glibc connects a UDP socket to each (no packet is sent) and asks getsockname which source address the kernel would use",
    ),
    (
        "socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)",
        "the same for an IPv6 answer: a connected UDP socket and getsockname, to sort the answers",
    ),
];

/// Why glibc made this `socket` call during a lookup, if the allow-list
/// has it.
pub fn libc_lookup_socket(line: &str) -> Option<&'static str> {
    let call = line.split(" = ").next()?.trim_end();
    LIBC_LOOKUP_SOCKETS
        .iter()
        .find(|(socket, _)| *socket == call)
        .map(|(_, why)| *why)
}

/// One line of the side-by-side view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub tid: i32,
    /// The side socklab marked the thread with, if any.
    pub side: Option<String>,
    pub strace: Option<String>,
    pub socklab: Option<String>,
    /// A call of the C library's own, on a socket of [`LIBC_LOOKUP_SOCKETS`]
    /// (why it made that socket): socklab printed nothing for it, rightly.
    pub libc: Option<&'static str>,
}

impl Row {
    /// The two lines are the same, or the call is the C library's own.
    pub fn matches(&self) -> bool {
        self.libc.is_some() || (self.strace.is_some() && self.strace == self.socklab)
    }
}

/// The result of one traced run.
#[derive(Debug)]
pub struct Comparison {
    /// In the order strace saw the calls; socklab's extra lines (if any) last.
    pub rows: Vec<Row>,
    /// socklab's record of the run, every process's calls (each with its
    /// pid), in the order of `seq`.
    pub recorded: Vec<CallEvent>,
    pub output: Output,
    /// The command that ran, with the environment that makes the program
    /// print strace's lines and record its own (in a scratch directory
    /// that is gone afterwards).
    pub command: String,
    /// The same run for a learner to type: strace's log in `strace.log`,
    /// the program's own lines on its stdout.
    pub repeat: String,
}

impl Comparison {
    pub fn all_match(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(Row::matches)
    }
    pub fn mismatches(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| !r.matches()).collect()
    }
}

/// Why a traced run could not be made.
#[derive(Debug)]
pub enum RunError {
    /// strace is not on PATH.
    NoStrace,
    /// strace could not trace (no ptrace permission, say).
    StraceFailed(String),
    Io(std::io::Error),
    BadRecord(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NoStrace => f.write_str(
                "strace is not installed: install it with `sudo apt-get install strace` (Debian, Ubuntu) \
                 or `sudo dnf install strace` (Fedora)",
            ),
            RunError::StraceFailed(why) => write!(f, "strace could not trace the program: {why}"),
            RunError::Io(e) => write!(f, "{e}"),
            RunError::BadRecord(e) => write!(f, "socklab's record of the run is unreadable: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Where strace is, if it is installed.
pub fn find_strace() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("strace"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// [`STRACE_ARGS`] with `also` added to the calls traced: a lesson that
/// makes and prints another call (lesson 12's `unlink`) is held against
/// strace's line for it too.
pub fn strace_args(also: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = STRACE_ARGS.iter().map(|a| a.to_string()).collect();
    if let Some(set) = args.last_mut() {
        for call in also {
            set.push(',');
            set.push_str(call);
        }
    }
    args
}

/// Run `program args` under strace with socklab recording in plain view,
/// and compare the two records.
pub fn run_and_compare(program: &Path, args: &[String]) -> Result<Comparison, RunError> {
    run_and_compare_also(program, args, &[])
}

/// [`run_and_compare`], with the calls in `also` traced as well (see
/// [`strace_args`]).
pub fn run_and_compare_also(
    program: &Path,
    args: &[String],
    also: &[&str],
) -> Result<Comparison, RunError> {
    let strace_args = strace_args(also);
    let strace = find_strace().ok_or(RunError::NoStrace)?;
    let dir = scratch_dir().map_err(RunError::Io)?;
    let log = dir.join("strace.log");
    let record = dir.join("socklab.jsonl");
    let mut cmd = Command::new(&strace);
    cmd.args(&strace_args)
        .arg("-o")
        .arg(&log)
        .arg(program)
        .args(args)
        .env("SOCKLAB_TRACE", "plain")
        .env("SOCKLAB_RECORD", &record)
        .stdin(Stdio::null());
    let command = format!(
        "SOCKLAB_TRACE=plain SOCKLAB_RECORD={} strace {} -o {} {} {}",
        record.display(),
        strace_args.join(" "),
        log.display(),
        program.display(),
        args.join(" ")
    );
    let repeat = format!(
        "strace {} -o strace.log {} {} --trace plain",
        strace_args.join(" "),
        program.display(),
        args.join(" ")
    );
    let output = cmd.output().map_err(RunError::Io)?;
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let record_text = std::fs::read_to_string(&record).unwrap_or_default();
    if log_text.is_empty() {
        let why = String::from_utf8_lossy(&output.stderr)
            .lines()
            .next()
            .unwrap_or("no log written")
            .to_string();
        return Err(RunError::StraceFailed(why));
    }
    let mut ours = parse_events(&record_text).map_err(RunError::BadRecord)?;
    ours.sort_by_key(|r| r.seq);
    Ok(Comparison {
        rows: line_up(&socket_calls(&log_text), &ours),
        recorded: ours,
        output,
        command,
        repeat,
    })
}

/// Pair strace's calls with socklab's, thread by thread, in order. Each
/// side's line is the one its event renders.
pub fn line_up(strace: &[StraceCall], ours: &[CallEvent]) -> Vec<Row> {
    let mut by_tid: HashMap<i32, Vec<&CallEvent>> = HashMap::new();
    for r in ours {
        by_tid.entry(r.tid).or_default().push(r);
    }
    for list in by_tid.values_mut() {
        list.sort_by_key(|r| r.seq);
    }
    let mut used: HashMap<i32, usize> = HashMap::new();
    // Per thread: the fds of the C library's lookup sockets, with why.
    let mut libc_fds: HashMap<i32, HashMap<i32, &'static str>> = HashMap::new();
    let mut rows = Vec::new();
    for call in strace {
        let n = used.entry(call.tid).or_insert(0);
        let mine = by_tid.get(&call.tid).and_then(|l| l.get(*n));
        let line = call.line();
        let printed = mine.is_some_and(|r| r.line() == line);
        let fds = libc_fds.entry(call.tid).or_default();
        let libc = if printed {
            None
        } else if call.syscall == "socket" {
            let why = libc_lookup_socket(&line);
            if let (Some(why), Some(fd)) = (why, call.value()) {
                fds.insert(fd as i32, why);
            }
            why
        } else {
            let why = call.fd.and_then(|fd| fds.get(&fd).copied());
            if why.is_some() && call.syscall == "close" {
                fds.remove(&call.fd.unwrap_or(-1));
            }
            why
        };
        if libc.is_some() {
            rows.push(Row {
                tid: call.tid,
                side: side_of(&by_tid, call.tid),
                strace: Some(line),
                socklab: None,
                libc,
            });
            continue;
        }
        *n += 1;
        rows.push(Row {
            tid: call.tid,
            side: mine
                .and_then(|r| side_name(r))
                .or_else(|| side_of(&by_tid, call.tid)),
            strace: Some(line),
            socklab: mine.map(|r| r.line()),
            libc: None,
        });
    }
    // Lines socklab printed that strace never saw.
    let mut extra: Vec<&CallEvent> = by_tid
        .iter()
        .flat_map(|(tid, list)| {
            list.iter()
                .skip(used.get(tid).copied().unwrap_or(0))
                .copied()
        })
        .collect();
    extra.sort_by_key(|r| r.seq);
    rows.extend(extra.into_iter().map(|r| Row {
        tid: r.tid,
        side: side_name(r),
        strace: None,
        socklab: Some(r.line()),
        libc: None,
    }));
    rows
}

fn side_of(by_tid: &HashMap<i32, Vec<&CallEvent>>, tid: i32) -> Option<String> {
    by_tid.get(&tid)?.iter().find_map(|r| side_name(r))
}

fn side_name(r: &CallEvent) -> Option<String> {
    r.side.map(|s| s.as_str().to_string())
}

/// A fresh private directory under the system's temp dir, removed with
/// everything in it when this value is dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }
}

impl std::ops::Deref for ScratchDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new [`ScratchDir`].
pub fn scratch_dir() -> std::io::Result<ScratchDir> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let tmp = std::env::temp_dir();
    loop {
        let dir = tmp.join(format!(
            "socklab-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(ScratchDir(dir)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            // TMPDIR names a folder that is not there (or not writable):
            // name it, since the error alone does not.
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("cannot make a scratch folder in {}: {e}", tmp.display()),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab::event::Arg;
    use socklab::strace::Ret;
    use socklab::trace::Side;

    /// socklab's event for `name(fd) = ret`.
    fn rec(seq: u64, tid: i32, name: &'static str, fd: i32, ret: i64) -> CallEvent {
        let mut e = CallEvent::new(name, vec![Arg::fd(fd)], Ret::Value(ret));
        e.seq = seq;
        e.pid = Some(tid);
        e.tid = tid;
        e.side = Some(if tid == 1 { Side::Server } else { Side::Client });
        e
    }

    fn st(tid: i32, line: &str) -> StraceCall {
        let (call, result) = line.split_once(" = ").unwrap();
        crate::strace_log::parse_call(tid, call.trim_end(), result)
    }

    #[test]
    fn threads_are_matched_separately() {
        // strace saw the client's call first, socklab recorded the server's first.
        let strace = [
            st(2, "connect(4)                              = 0"),
            st(1, "accept(3)                               = 5"),
        ];
        let ours = [rec(1, 1, "accept", 3, 5), rec(2, 2, "connect", 4, 0)];
        let rows = line_up(&strace, &ours);
        assert!(rows.iter().all(Row::matches), "{rows:?}");
        assert_eq!(rows[0].side.as_deref(), Some("client"));
    }

    /// glibc's nscd socket during a lookup passes as the C library's; the
    /// same call on a socket it did not make, or a socket socklab printed,
    /// is compared as usual.
    #[test]
    fn the_libc_allow_list_covers_its_sockets_and_nothing_else() {
        let strace = [
            st(1, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3"),
            st(1, "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 4"),
            st(
                1,
                "connect(4, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT (No such file or directory)",
            ),
            st(1, "close(4) = 0"),
            st(1, "close(3) = 0"),
        ];
        let mut ours = vec![
            st(1, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3"),
            st(1, "close(3) = 0"),
        ];
        ours[1].seq = 1;
        let rows = line_up(&strace, &ours);
        assert!(rows.iter().all(Row::matches), "{rows:#?}");
        assert_eq!(rows.iter().filter(|r| r.libc.is_some()).count(), 3);
        // A close of fd 3 is socklab's again once libc's fd 4 is closed.
        assert!(rows[4].libc.is_none());
        // The program's own socket on fd 3: not on the list.
        let hidden = [st(1, "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0")];
        assert!(!line_up(&hidden, &[])[0].matches());
        assert_eq!(
            libc_lookup_socket("socket(AF_UNIX, SOCK_STREAM, 0) = 3"),
            None
        );
    }

    #[test]
    fn a_hidden_call_and_an_extra_line_both_fail() {
        let strace = [
            st(1, "socket(2)                               = 3"),
            st(1, "setsockopt(3)                           = 0"),
        ];
        let ours = [rec(1, 1, "socket", 2, 3)];
        let rows = line_up(&strace, &ours);
        assert!(!rows[1].matches());
        assert_eq!(rows[1].socklab, None);
        let rows = line_up(
            &strace[..1],
            &[rec(1, 1, "socket", 2, 3), rec(2, 1, "close", 3, 0)],
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].strace, None);
    }
}
