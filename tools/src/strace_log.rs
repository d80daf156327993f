//! Reading what `strace -f -o FILE` wrote, and keeping the socket calls.
//!
//! With `-f`, strace starts each line with the thread id, and counts that
//! prefix when it pads the call to column 40. When two threads are inside
//! calls at once, it splits a line into `call(args <unfinished ...>` and a
//! later `<... call resumed>rest`. This module undoes both: it joins split
//! lines and lays each line out as strace does for a single thread, so it
//! can be compared byte for byte with socklab's own line.
//!
//! Of the `close`, `poll` and `fcntl` calls, only those on sockets (or an
//! epoll instance) are kept: the Rust
//! runtime and the lessons also close files (a /proc read, the loader's own
//! fd 3 before `main`), and the runtime polls fds 0, 1 and 2 before `main`;
//! those belong to no lesson.
//!
//! Which fds are sockets is a question for each *process*: fd numbers are
//! an index into a process's fd table. Threads share one table (`clone3`
//! with `CLONE_FILES`, what `pthread_create` makes); a forked child gets a
//! copy of its parent's table as it was at the fork (`clone` without
//! `CLONE_FILES`, what glibc's `fork` makes) and from then on its own
//! closes and sockets are its own. With `-f`, strace names each line by the
//! thread id that made it, and a process's first thread has the process's
//! id, so a clone's return value says whose table the new id uses.
//!
//! `clone` lines (a `fork`) and `wait4` lines are kept: socklab prints
//! them. `clone3` lines are left out: they are the Rust runtime's thread
//! spawns, not the program's calls.

use socklab::strace::line::RESULT_COLUMN;
use std::collections::{HashMap, HashSet};

/// One finished system call from strace's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StraceCall {
    /// The thread that made it.
    pub tid: i32,
    pub syscall: String,
    /// The line as strace prints it for a single thread.
    pub line: String,
}

/// A line of the log with split calls joined: a call that started (and
/// strace will finish later), or a whole call.
enum Piece {
    Started { tid: i32, start: String },
    Whole { tid: i32, whole: String },
}

/// Join each `<unfinished ...>` with its `<... resumed>`, per thread.
fn pieces(log: &str) -> Vec<Piece> {
    let mut pending: HashMap<i32, String> = HashMap::new();
    let mut out = Vec::new();
    for raw in log.lines() {
        let Some((tid, body)) = split_tid(raw) else {
            continue;
        };
        if body.starts_with("+++") || body.starts_with("---") {
            continue;
        }
        if let Some(start) = body.strip_suffix(" <unfinished ...>") {
            pending.insert(tid, start.to_string());
            out.push(Piece::Started {
                tid,
                start: start.to_string(),
            });
        } else if let Some(rest) = body.strip_prefix("<... ") {
            let Some((_, after)) = rest.split_once(" resumed>") else {
                continue;
            };
            let start = pending.remove(&tid).unwrap_or_default();
            out.push(Piece::Whole {
                tid,
                whole: format!("{start}{after}"),
            });
        } else {
            out.push(Piece::Whole {
                tid,
                whole: body.to_string(),
            });
        }
    }
    out
}

/// Which thread made each new thread or process, and whether the new one
/// shares its maker's fd table (`CLONE_FILES`) or starts with a copy.
fn origins(pieces: &[Piece]) -> HashMap<i32, (i32, bool)> {
    let mut out = HashMap::new();
    for piece in pieces {
        let Piece::Whole { tid, whole } = piece else {
            continue;
        };
        let Some((call, result)) = split_result(whole) else {
            continue;
        };
        let syscall = call.split('(').next().unwrap_or("");
        if !matches!(syscall, "clone" | "clone3" | "fork" | "vfork") {
            continue;
        }
        if let Some(child) = result.split(' ').next().and_then(|r| r.parse::<i32>().ok()) {
            if child > 0 {
                out.insert(child, (*tid, call.contains("CLONE_FILES")));
            }
        }
    }
    out
}

/// The socket fds each process has open, followed through forks.
struct FdTables {
    origins: HashMap<i32, (i32, bool)>,
    /// Each thread's table, an index into `tables`.
    of_thread: HashMap<i32, usize>,
    tables: Vec<HashSet<i64>>,
}

impl FdTables {
    fn new(origins: HashMap<i32, (i32, bool)>) -> FdTables {
        FdTables {
            origins,
            of_thread: HashMap::new(),
            tables: Vec::new(),
        }
    }

    /// The table `tid` uses. A thread or process strace saw created takes
    /// its maker's table (a thread) or a copy of it as it is now (a
    /// process: the first time the log names it is the instant of the
    /// fork, as far as the log can tell). Any other id uses the first
    /// process's table: a log without clone lines is one process.
    fn table(&mut self, tid: i32) -> usize {
        if let Some(&t) = self.of_thread.get(&tid) {
            return t;
        }
        let t = match self.origins.get(&tid).copied() {
            Some((parent, shared)) if parent != tid => {
                let theirs = self.table(parent);
                if shared {
                    theirs
                } else {
                    self.tables.push(self.tables[theirs].clone());
                    self.tables.len() - 1
                }
            }
            _ if self.tables.is_empty() => {
                self.tables.push(HashSet::new());
                0
            }
            _ => 0,
        };
        self.of_thread.insert(tid, t);
        t
    }

    fn sockets(&mut self, tid: i32) -> &mut HashSet<i64> {
        let t = self.table(tid);
        &mut self.tables[t]
    }
}

/// Parse a `strace -f -o FILE` log and keep the socket calls, in the order
/// strace finished them.
pub fn socket_calls(log: &str) -> Vec<StraceCall> {
    let pieces = pieces(log);
    let mut fds = FdTables::new(origins(&pieces));
    // A close frees its fd when it starts, not when strace sees it return:
    // another thread's accept can get the same number in between.
    let mut closing_socket: HashMap<i32, bool> = HashMap::new();
    let mut out = Vec::new();
    for piece in pieces {
        let (tid, whole) = match piece {
            Piece::Started { tid, start } => {
                if let Some(fd) = start
                    .strip_prefix("close(")
                    .and_then(|a| a.parse::<i64>().ok())
                {
                    let was = fds.sockets(tid).remove(&fd);
                    closing_socket.insert(tid, was);
                }
                continue;
            }
            Piece::Whole { tid, whole } => (tid, whole),
        };
        let Some((call, result)) = split_result(&whole) else {
            continue;
        };
        if result.starts_with("? ERESTART") {
            // A signal stopped the call inside the kernel, which then made
            // it again: strace shows both, the program saw one return.
            // (Under strace every signal interrupts a blocking call, even
            // one the program ignores, like SIGCHLD from an ended child.)
            continue;
        }
        let syscall = call.split('(').next().unwrap_or("").to_string();
        let ret = result
            .split(' ')
            .next()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(-1);
        let live_sockets = fds.sockets(tid);
        match syscall.as_str() {
            "close" => {
                let fd = first_arg(call)
                    .and_then(|a| a.parse::<i64>().ok())
                    .unwrap_or(-1);
                let was_socket = closing_socket
                    .remove(&tid)
                    .unwrap_or_else(|| live_sockets.remove(&fd));
                if !was_socket {
                    continue; // a file, a pipe, or the loader's fd: not a socket
                }
            }
            "poll" => {
                let on_sockets = poll_fds(call).iter().all(|fd| live_sockets.contains(fd));
                if !on_sockets {
                    continue;
                }
            }
            "socket" | "accept" | "accept4" | "epoll_create1" if ret >= 0 => {
                live_sockets.insert(ret);
            }
            // Calls the runtime also makes on its own files (high_fd's
            // F_DUPFD on a /proc table): only those on a socket, or on an
            // epoll instance, are the program's.
            "fcntl" | "epoll_ctl" | "epoll_wait" => {
                let fd = first_arg(call)
                    .and_then(|a| a.parse::<i64>().ok())
                    .unwrap_or(-1);
                if !live_sockets.contains(&fd) {
                    continue;
                }
            }
            // Sockets passed in an SCM_RIGHTS message are new fds here:
            // `cmsg_type=SCM_RIGHTS, cmsg_data=[7]`.
            "recvmsg" if ret >= 0 => {
                for passed in call.split("cmsg_type=SCM_RIGHTS, cmsg_data=[").skip(1) {
                    let fds = passed.split(']').next().unwrap_or("");
                    live_sockets.extend(fds.split(", ").filter_map(|n| n.parse::<i64>().ok()));
                }
            }
            "socketpair" if ret == 0 => {
                // socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
                if let Some(pair) = call.rsplit_once('[').and_then(|(_, p)| p.split_once(']')) {
                    live_sockets.extend(pair.0.split(", ").filter_map(|n| n.parse::<i64>().ok()));
                }
            }
            // A new thread (or posix_spawn's short-lived process): the
            // runtime's, not the program's. Its table was settled above.
            "clone3" => continue,
            "clone" | "fork" | "vfork" if ret > 0 => {
                // The child's table is the copy made now.
                fds.table(ret as i32);
            }
            _ => {}
        }
        out.push(StraceCall {
            tid,
            syscall,
            line: single_thread_layout(call, result),
        });
    }
    out
}

/// `1234  close(3)   = 0` → (1234, `close(3)   = 0`).
fn split_tid(raw: &str) -> Option<(i32, &str)> {
    let (tid, rest) = raw.split_once(' ')?;
    Some((tid.parse().ok()?, rest.trim_start()))
}

/// Split `call(args)    = result` at the padding before `= `. The last `)`
/// followed by spaces and `= ` ends the call: a result never holds one.
fn split_result(line: &str) -> Option<(&str, &str)> {
    let mut i = line.rfind("= ")?;
    loop {
        let before = line[..i].trim_end_matches(' ');
        if before.ends_with(')') && before.len() < i {
            return Some((before, &line[i + 2..]));
        }
        i = line[..i].rfind("= ")?;
    }
}

/// The fds of `poll([{fd=3, events=POLLIN}, ...], ...)`.
fn poll_fds(call: &str) -> Vec<i64> {
    call.split("{fd=")
        .skip(1)
        .filter_map(|s| s.split(',').next()?.parse().ok())
        .collect()
}

fn first_arg(call: &str) -> Option<&str> {
    let inner = call.split_once('(')?.1;
    Some(inner.split([',', ')']).next()?.trim())
}

/// The line as strace writes it with no thread-id prefix.
fn single_thread_layout(call: &str, result: &str) -> String {
    let pad = RESULT_COLUMN.saturating_sub(call.len()).max(1);
    format!("{call}{}= {result}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tid_and_pads_as_for_one_thread() {
        let log = "1590  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   1590  listen(3, 128)                    = 0\n";
        let calls = socket_calls(log);
        assert_eq!(
            calls[0].line,
            "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3"
        );
        assert_eq!(calls[1].line, "listen(3, 128)                          = 0");
        assert_eq!(calls[1].tid, 1590);
    }

    #[test]
    fn joins_unfinished_and_resumed() {
        let log = "10  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   10  accept(3,  <unfinished ...>\n\
                   11  connect(4, {sa_family=AF_INET}, 16) = 0\n\
                   10  <... accept resumed>NULL, NULL) = 5\n";
        let calls = socket_calls(log);
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[2].line, "accept(3, NULL, NULL)                   = 5");
        assert_eq!(calls[2].tid, 10);
    }

    #[test]
    fn keeps_only_closes_of_sockets() {
        let log = "7  close(3)    = 0\n\
                   7  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   7  close(4)    = 0\n\
                   7  close(3)    = 0\n\
                   7  close(3)    = 0\n";
        let lines: Vec<String> = socket_calls(log).into_iter().map(|c| c.line).collect();
        assert_eq!(
            lines,
            [
                "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "close(3)                                = 0"
            ]
        );
    }

    #[test]
    fn a_close_frees_its_fd_before_another_threads_accept_reuses_it() {
        // Thread 11 closes its socket 4; while that close is under way,
        // thread 10's accept gets the number 4. Both closes are sockets.
        let log = "10  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   11  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4\n\
                   11  close(4 <unfinished ...>\n\
                   10  accept(3, NULL, NULL) = 4\n\
                   11  <... close resumed>) = 0\n\
                   10  close(4) = 0\n";
        let calls = socket_calls(log);
        let by_tid = |tid| calls.iter().filter(|c| c.tid == tid).count();
        assert_eq!((by_tid(10), by_tid(11)), (3, 2));
    }

    #[test]
    fn the_runtimes_poll_before_main_is_dropped() {
        let log =
            "7  poll([{fd=0, events=0}, {fd=1, events=0}, {fd=2, events=0}], 3, 0) = 0 (Timeout)\n\
                   7  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   7  poll([{fd=3, events=POLLIN}], 1, 10) = 0 (Timeout)\n";
        let lines: Vec<String> = socket_calls(log).into_iter().map(|c| c.line).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1],
            "poll([{fd=3, events=POLLIN}], 1, 10)    = 0 (Timeout)"
        );
    }

    /// A fork server: the child inherits fds 3 and 4 and closes its copy
    /// of the listening fd; the parent closes its copy of the data fd. A
    /// thread shares its process's table; its clone3 is not the program's.
    #[test]
    fn fds_are_followed_per_process_through_fork_and_threads() {
        let log = "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f0, parent_tid=0x7f0, exit_signal=0, stack=0x7f0, stack_size=0x200000, tls=0x7f0} => {parent_tid=[101]}, 88) = 101\n\
                   101 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4\n\
                   100 accept(3, NULL, NULL) = 5\n\
                   100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>\n\
                   102 close(3) = 0\n\
                   100 <... clone resumed>, child_tidptr=0x7f0a10) = 102\n\
                   100 close(5) = 0\n\
                   102 close(5) = 0\n\
                   102 close(7) = 0\n\
                   101 close(4) = 0\n\
                   100 wait4(102, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 102\n\
                   100 close(3) = 0\n";
        let calls = socket_calls(log);
        let of = |tid| -> Vec<&str> {
            calls
                .iter()
                .filter(|c| c.tid == tid)
                .map(|c| c.line.as_str())
                .collect()
        };
        assert_eq!(
            of(100),
            [
                "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "accept(3, NULL, NULL)                   = 5",
                "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0a10) = 102",
                "close(5)                                = 0",
                "wait4(102, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 102",
                "close(3)                                = 0",
            ]
        );
        // The child's copy of the table holds 3, 4 (the thread's, opened
        // before the fork) and 5; 7 is not a socket.
        assert_eq!(
            of(102),
            [
                "close(3)                                = 0",
                "close(5)                                = 0"
            ]
        );
        // The thread's socket is in its process's table.
        assert_eq!(of(101).len(), 2);
        assert!(calls.iter().all(|c| c.syscall != "clone3"));
    }

    /// A wait4 that a SIGCHLD interrupted under strace, and that the
    /// kernel made again: one call for the program.
    #[test]
    fn a_call_the_kernel_restarts_is_one_call() {
        let log = "100 wait4(102, 0x7fff9c5fb16c, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n\
                   100 wait4(102, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 102\n";
        let calls = socket_calls(log);
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(calls[0].line.ends_with("= 102"));
    }

    /// A socket the parent opens after the fork is not the child's.
    #[test]
    fn a_socket_made_after_the_fork_is_the_parents_alone() {
        let log = "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0a10) = 102\n\
                   100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
                   102 close(3) = -1 EBADF (Bad file descriptor)\n\
                   100 close(3) = 0\n";
        let calls = socket_calls(log);
        assert_eq!(calls.len(), 3, "{calls:?}");
        assert!(calls.iter().all(|c| c.tid == 100));
    }

    #[test]
    fn a_socket_passed_in_recvmsg_is_a_socket_here() {
        let log = "7  recvmsg(8, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"x\", iov_len=64}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[9]}], msg_controllen=24, msg_flags=0}, 0) = 1\n\
                   7  close(9)    = 0\n";
        let calls = socket_calls(log);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].line, "close(9)                                = 0");
    }

    #[test]
    fn a_string_with_an_equals_sign_does_not_split_early() {
        let log = "7  sendto(4, \"a) = b\", 6, 0, NULL, 0) = 6\n";
        assert_eq!(
            socket_calls(log)[0].line,
            "sendto(4, \"a) = b\", 6, 0, NULL, 0)      = 6"
        );
        let log = "7  connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)\n";
        assert!(socket_calls(log)[0]
            .line
            .ends_with(", 16) = -1 ECONNREFUSED (Connection refused)"));
    }
}
