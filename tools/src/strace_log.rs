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

/// Parse a `strace -f -o FILE` log and keep the socket calls, in the order
/// strace finished them.
pub fn socket_calls(log: &str) -> Vec<StraceCall> {
    let mut pending: HashMap<i32, String> = HashMap::new();
    let mut live_sockets: HashSet<i64> = HashSet::new();
    // A close frees its fd when it starts, not when strace sees it return:
    // another thread's accept can get the same number in between.
    let mut closing_socket: HashMap<i32, bool> = HashMap::new();
    let mut out = Vec::new();
    for raw in log.lines() {
        let Some((tid, body)) = split_tid(raw) else {
            continue;
        };
        if body.starts_with("+++") || body.starts_with("---") {
            continue;
        }
        let whole = if let Some(start) = body.strip_suffix(" <unfinished ...>") {
            if let Some(fd) = start
                .strip_prefix("close(")
                .and_then(|a| a.parse::<i64>().ok())
            {
                closing_socket.insert(tid, live_sockets.remove(&fd));
            }
            pending.insert(tid, start.to_string());
            continue;
        } else if let Some(rest) = body.strip_prefix("<... ") {
            let Some((_, after)) = rest.split_once(" resumed>") else {
                continue;
            };
            let start = pending.remove(&tid).unwrap_or_default();
            format!("{start}{after}")
        } else {
            body.to_string()
        };
        let Some((call, result)) = split_result(&whole) else {
            continue;
        };
        let syscall = call.split('(').next().unwrap_or("").to_string();
        let ret = result
            .split(' ')
            .next()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(-1);
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
