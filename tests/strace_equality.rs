//! The trace is the truth: every line socklab prints for a system call is
//! the line strace prints for that same call in that same run.

mod common;

use common::{assert_matches_strace, stdout_lines, strace_usable};
use std::path::{Path, PathBuf};

/// `every_call` is an example (so `cargo install` leaves it out), which
/// `cargo test` builds into target/<profile>/examples before running tests.
fn every_call() -> PathBuf {
    let me = std::env::current_exe().expect("test binary path");
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let exe = profile_dir.join("examples").join("every_call");
    assert!(
        exe.exists(),
        "{} is missing: a whole `cargo test` builds it, or `cargo build --examples`",
        exe.display()
    );
    exe
}

#[test]
fn every_wrapper_prints_what_strace_prints() {
    if !strace_usable() {
        return;
    }
    let cmp = assert_matches_strace(&every_call(), &[]);

    // The plain view on stdout is exactly the strace-identical lines, in the
    // order socklab made the calls.
    let recorded: Vec<String> = cmp.rows.iter().filter_map(|r| r.socklab.clone()).collect();
    let mut printed = stdout_lines(&cmp);
    let mut sorted_recorded = recorded.clone();
    printed.sort();
    sorted_recorded.sort();
    assert_eq!(printed, sorted_recorded);

    // The run really covered every call and the error paths.
    let text = recorded.join("\n");
    for needle in [
        "socket(AF_INET, SOCK_STREAM, IPPROTO_IP)",
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP)",
        "socket(AF_INET6, SOCK_STREAM, IPPROTO_IP)",
        "socket(AF_UNIX, SOCK_STREAM, 0)",
        "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)",
        "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4)",
        "SO_LINGER, {l_onoff=1, l_linger=0}, 8)",
        "SOL_TCP, TCP_NODELAY, [1], 4)",
        "SOL_IPV6, IPV6_V6ONLY, [1], 4)",
        "= -1 EADDRINUSE (Address already in use)",
        "= -1 ECONNREFUSED (Connection refused)",
        "= -1 EAGAIN (Resource temporarily unavailable)",
        "= -1 ECONNRESET (Connection reset by peer)",
        "listen(3, 16)",
        "accept4(",
        "SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP)",
        ", [128]) = -1 EAGAIN (Resource temporarily unavailable)",
        "SOCK_CLOEXEC|SOCK_NONBLOCK) = ",
        ", [128 => 16]) = ",
        ", [128 => 28]) = ",
        "{sa_family=AF_UNIX}, [128 => 2]",
        "sun_path=@\"socklab-",
        "MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0)",
        "\"...",
        "MSG_PEEK, NULL, NULL)",
        "MSG_WAITALL, NULL, NULL)",
        "shutdown(",
        "SHUT_WR)",
        ", \"\", 1024, 0, NULL, NULL)",
        "sendto(",
        "\"ping\", 4, 0, {sa_family=AF_INET, ",
        "recvfrom(",
        "getpeername(",
        "getsockname(",
        "close(",
        "poll([{fd=3, events=POLLIN}, {fd=",
        ", events=POLLOUT}], 2, 1000) = 2 ([{fd=3, revents=POLLIN}, {fd=",
        "poll([{fd=3, events=POLLIN}], 1, 0)     = 0 (Timeout)",
        // fcntl, getsockopt, socketpair, a connected datagram socket.
        ", F_GETFL)                       = 0x2 (flags O_RDWR)",
        ", F_SETFL, O_RDWR|O_NONBLOCK)    = 0",
        ", F_GETFL)                       = 0x802 (flags O_RDWR|O_NONBLOCK)",
        "= -1 EINPROGRESS (Operation now in progress)",
        "= -1 ECONNABORTED (Software caused connection abort)",
        "revents=POLLOUT|POLLERR|POLLHUP}])",
        ", SOL_SOCKET, SO_ERROR, [0], [4]) = 0",
        ", SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0",
        ", SOL_SOCKET, SO_TYPE, [1], [4]) = 0",
        ", SOL_SOCKET, SO_TYPE, [2], [4]) = 0",
        ", SOL_SOCKET, SO_RCVBUF, [131072], [4]) = 0",
        ", SOL_SOCKET, SO_SNDBUF, [",
        ", SOL_SOCKET, SO_LINGER, {l_onoff=0, l_linger=0}, [8]) = 0",
        ", SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, [8]) = 0",
        "socketpair(AF_UNIX, SOCK_STREAM, 0, [",
        "\"pair\", 4, 0, NULL, 0)",
        ", 1, 0, NULL, 0)           = -1 EDESTADDRREQ (Destination address required)",
        "\"ping\", 4, 0, NULL, 0)",
        "\"pong\", 64, 0, NULL, NULL)",
        // select is pselect6: nanoseconds, the ready sets and the time left.
        "], NULL, {tv_sec=1, tv_nsec=0}, NULL) = 2 (in [",
        "], left {tv_sec=0, tv_nsec=",
        ", NULL, NULL, {tv_sec=0, tv_nsec=10000000}, NULL) = 0 (Timeout)",
        "epoll_create1(EPOLL_CLOEXEC)            = ",
        ", {events=EPOLLIN, data={u32=7, u64=7}}) = 0",
        ", {events=EPOLLIN, data={u32=7, u64=7}}) = -1 EEXIST (File exists)",
        "EPOLL_CTL_MOD, ",
        ", {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = 0",
        ", [{events=EPOLLIN, data={u32=7, u64=7}}], 8, 1000) = 1",
        ", [], 8, 10)                = 0",
        "EPOLL_CTL_DEL, ",
        ", NULL)    = 0",
        // An open socket passed over a Unix connection, and what arrives.
        "sendmsg(",
        "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"x\", iov_len=1}], msg_iovlen=1, \
         msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[",
        "]}], msg_controllen=24, msg_flags=0}, 0) = 1",
        "recvmsg(",
        "msg_iov=[{iov_base=\"x\", iov_len=64}]",
        "msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 5",
        ", {msg_namelen=0}, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)",
    ] {
        assert!(
            text.contains(needle),
            "no traced call contains {needle:?}:\n{text}"
        );
    }
    // The nonblocking connect, both ways, call after call on one fd:
    // EINPROGRESS, poll says writable, SO_ERROR says how it ended.
    let connected = [
        "connect({fd}, ",
        "= -1 EINPROGRESS (Operation now in progress)",
        "poll([{fd={fd}, events=POLLOUT}], 1, 1000) = 1 ([{fd={fd}, revents=POLLOUT}])",
        "getsockopt({fd}, SOL_SOCKET, SO_ERROR, [0], [4]) = 0",
    ];
    let refused = [
        "connect({fd}, ",
        "= -1 EINPROGRESS (Operation now in progress)",
        "poll([{fd={fd}, events=POLLOUT}], 1, 1000) = 1 ([{fd={fd}, revents=POLLOUT|POLLERR|POLLHUP}])",
        "getsockopt({fd}, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0",
    ];
    for steps in [connected, refused] {
        assert!(
            three_calls_in_a_row(&recorded, &steps),
            "no connect, poll, getsockopt in a row like {steps:?}:\n{text}"
        );
    }
    // Two threads took part, and strace saw both.
    let tids: std::collections::BTreeSet<i32> = cmp.rows.iter().map(|r| r.tid).collect();
    assert!(tids.len() >= 2, "{tids:?}");
}

/// Some line is `steps[0]…steps[1]` (a connect and its result) and the next
/// two are `steps[2]` and `steps[3]`, with `{fd}` the connect's fd in each.
fn three_calls_in_a_row(lines: &[String], steps: &[&str; 4]) -> bool {
    lines.windows(3).any(|w| {
        let Some(fd) = w[0]
            .strip_prefix("connect(")
            .and_then(|r| r.split(',').next())
        else {
            return false;
        };
        let with_fd = |s: &str| s.replace("{fd}", fd);
        w[0].starts_with(&with_fd(steps[0]))
            && w[0].ends_with(steps[1])
            && w[1] == with_fd(steps[2])
            && w[2] == with_fd(steps[3])
    })
}

/// Every call the library makes (every_call: IPv4, IPv6, Unix path,
/// abstract and unnamed addresses, UDP, binary buffers, errors), recorded
/// by the library and read back by the tools: the same event, written
/// again, is the same JSON line, and its strace line is the recorded one.
#[test]
fn every_recorded_call_reads_back_as_the_same_event() {
    let dir = std::env::temp_dir().join(format!("socklab-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("every_call.jsonl");
    let out = std::process::Command::new(every_call())
        .env("SOCKLAB_TRACE", "off")
        .env("SOCKLAB_RECORD", &record)
        .current_dir(&dir)
        .output()
        .expect("every_call runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&record).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let events = socklab_tools::record::parse_events(&text).unwrap();
    assert!(events.len() > 50, "{} calls", events.len());
    let mut kinds = std::collections::BTreeSet::new();
    for (e, json) in events.iter().zip(text.lines()) {
        assert_eq!(socklab::event::to_json(e), format!("{json}\n"));
        let line = socklab_tools::json::parse(json).unwrap();
        assert_eq!(line.get("line").and_then(|l| l.as_str()), Some(&*e.line()));
        assert!(e.time.is_some_and(|t| t.start_ns <= t.end_ns), "{json}");
        for a in &e.args {
            kinds.insert(
                format!("{:?}", a.value)
                    .split(['(', ' '])
                    .next()
                    .unwrap()
                    .to_string(),
            );
            if let socklab::event::ArgValue::Addr(addr) = &a.value {
                kinds.insert(
                    format!("{:?}", addr)
                        .split('(')
                        .take(2)
                        .collect::<Vec<_>>()
                        .join("("),
                );
            }
        }
    }
    for want in [
        "Int",
        "Fd",
        "Flags",
        "Bytes",
        "Null",
        "Unfilled",
        "Opaque",
        "V4",
        "V6",
        "Unix(Path",
        "Unix(Abstract",
        "Unix(Unnamed",
    ] {
        assert!(
            kinds.iter().any(|k| k.starts_with(want)),
            "no {want} among {kinds:?}"
        );
    }
}

/// Lesson 12 forks: the parent's lines and its child's each equal what
/// strace saw from that process (`-f`), and its `unlink`s are traced too.
#[test]
fn lesson_12_prints_what_strace_saw_in_both_processes() {
    let Some(cmp) = common::traced(env!("CARGO_BIN_EXE_12_unix"), &[]) else {
        return;
    };
    let parent = cmp.recorded[0].pid.unwrap();
    let pids: std::collections::BTreeSet<i32> = cmp.recorded.iter().filter_map(|e| e.pid).collect();
    assert_eq!(pids.len(), 2, "the parent and its child: {pids:?}");
    let child = *pids.iter().find(|&&p| p != parent).unwrap();
    // strace saw the child's calls as its own process, and they matched.
    assert!(cmp.rows.iter().any(|r| r.tid == child && r.matches()));
    let text: Vec<String> = cmp.rows.iter().filter_map(|r| r.strace.clone()).collect();
    assert_eq!(
        text.iter().filter(|l| l.starts_with("unlink(\"")).count(),
        2,
        "strace saw both unlinks: {text:#?}"
    );
    assert!(text.iter().any(|l| l.contains("cmsg_type=SCM_RIGHTS")));
    // The lesson's folder is gone.
    let path = cmp
        .recorded
        .iter()
        .find_map(|e| match e.addr() {
            Some(socklab::SockAddr::Unix(socklab::UnixName::Path(p))) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert!(!path.parent().unwrap().exists());
}

/// Lesson 13's short counts and its EAGAIN come from how the buffers fill
/// at that moment: every line of several runs is strace's, the EAGAIN
/// line included, and the one blocking send after it.
#[test]
fn lesson_13_matches_strace_run_after_run() {
    let bin = common::lesson_bin("13_framing");
    for _ in 0..3 {
        let Some(cmp) = common::traced(&bin, &[]) else {
            return;
        };
        let lines = stdout_lines(&cmp);
        assert!(
            lines
                .iter()
                .any(|l| l.contains(", MSG_DONTWAIT, NULL, 0) = -1 EAGAIN")),
            "{lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("sendto(5, ") && l.ends_with(", 6148, 0, NULL, 0) = 6148")),
            "{lines:#?}"
        );
    }
}

/// Lessons 17 and 18: select (as pselect6), poll, fcntl and the
/// nonblocking calls' errors, each line against strace's.
#[test]
fn lessons_17_and_18_print_what_strace_saw() {
    for (bin, needles) in [
        (
            env!("CARGO_BIN_EXE_17_select_poll"),
            &["pselect6(", "poll(["][..],
        ),
        (
            env!("CARGO_BIN_EXE_18_nonblocking"),
            &[
                ", F_SETFL, O_RDWR|O_NONBLOCK)    = 0",
                "= -1 EINPROGRESS (Operation now in progress)",
                "SO_ERROR, [0], [4]) = 0",
                "SO_ERROR, [ECONNREFUSED], [4]) = 0",
                "= -1 EAGAIN (Resource temporarily unavailable)",
            ][..],
        ),
    ] {
        let Some(cmp) = common::traced(bin, &[]) else {
            return;
        };
        let seen: Vec<String> = cmp.rows.iter().filter_map(|r| r.strace.clone()).collect();
        for needle in needles {
            assert!(
                seen.iter().any(|l| l.contains(needle)),
                "{bin}: strace saw no {needle:?}"
            );
        }
    }
}

/// Lessons 15 and 16: every line of every process and thread equals
/// strace's (`-f`), and the plain view prints each with its `[pid  TID]`.
#[test]
fn lessons_15_and_16_print_what_strace_saw_in_every_process_and_thread() {
    for (bin, processes, threads) in [
        (env!("CARGO_BIN_EXE_15_fork"), 3, 4),
        (env!("CARGO_BIN_EXE_16_threads"), 1, 4),
    ] {
        let Some(cmp) = common::traced(bin, &[]) else {
            return;
        };
        let pids: std::collections::BTreeSet<i32> =
            cmp.recorded.iter().filter_map(|e| e.pid).collect();
        let tids: std::collections::BTreeSet<i32> = cmp.recorded.iter().map(|e| e.tid).collect();
        assert_eq!(pids.len(), processes, "{bin}: {pids:?}");
        assert_eq!(tids.len(), threads, "{bin}: {tids:?}");
        // strace saw each of them, and each one's lines matched.
        for tid in &tids {
            assert!(
                cmp.rows.iter().any(|r| r.tid == *tid && r.matches()),
                "{bin}: {tid}"
            );
        }
        let mut printed = stdout_lines(&cmp);
        let mut with_pids: Vec<String> = cmp.recorded.iter().map(|e| e.line_with_pid()).collect();
        printed.sort();
        with_pids.sort();
        assert_eq!(printed, with_pids, "{bin}");
    }
}

/// What `strace -f` writes on its stderr (no `-o`) while it follows more
/// than one thread: `[pid  TID] call ... = ret`, padded to column 40 with
/// the prefix counted. Lessons 15 and 16 print their lines the same way:
/// each recorded call's prefixed line is one of strace's lines, unless
/// strace split that call (`<unfinished ...>`) because another thread's
/// call came in between.
#[test]
fn lessons_15_and_16_lines_carry_the_pid_as_strace_f_writes_it() {
    if !strace_usable() {
        return;
    }
    for bin in [
        env!("CARGO_BIN_EXE_15_fork"),
        env!("CARGO_BIN_EXE_16_threads"),
    ] {
        let dir = socklab_tools::against_strace::scratch_dir().unwrap();
        let record = dir.join("record.jsonl");
        let out = std::process::Command::new(socklab_tools::against_strace::find_strace().unwrap())
            .args(socklab_tools::against_strace::STRACE_ARGS)
            .arg(bin)
            .args(["--port", "0", "--trace", "off"])
            .env("SOCKLAB_RECORD", &record)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{bin}");
        let strace: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(str::to_string)
            .collect();
        let events =
            socklab_tools::record::parse_events(&std::fs::read_to_string(&record).unwrap())
                .unwrap();
        let mut whole = 0;
        for e in &events {
            let mine = e.line_with_pid();
            if strace.contains(&mine) {
                whole += 1;
                continue;
            }
            // strace writes `[pid N]` only while it traces more than one
            // task, and counts a new thread only once it has seen the
            // thread's first stop: a call right after a clone may come
            // out bare, in strace's own order of events.
            if strace.contains(&e.line()) {
                continue;
            }
            let start = format!("{}{}(", socklab::strace::line::pid_prefix(e.tid), e.syscall);
            assert!(
                strace
                    .iter()
                    .any(|l| l.starts_with(&start) && l.ends_with(" <unfinished ...>")),
                "{bin}: {mine} is not among strace's lines:\n{}",
                strace.join("\n")
            );
        }
        assert!(
            whole * 2 > events.len(),
            "{bin}: {whole} of {}",
            events.len()
        );
    }
}

/// Lesson 19: every epoll_create1, epoll_ctl and epoll_wait line, the
/// fcntl that makes a socket nonblocking and the recv that fails with
/// EAGAIN, as strace prints them.
#[test]
fn lesson_19_prints_what_strace_saw_of_epoll() {
    let Some(cmp) = common::traced(env!("CARGO_BIN_EXE_19_epoll"), &[]) else {
        return;
    };
    let text: Vec<String> = cmp.rows.iter().filter_map(|r| r.strace.clone()).collect();
    for call in ["epoll_create1(", "epoll_ctl(", "epoll_wait(", "fcntl("] {
        assert!(
            text.iter().any(|l| l.starts_with(call)),
            "{call}: {text:#?}"
        );
    }
    assert!(text
        .iter()
        .any(|l| l.ends_with("= 0") && l.starts_with("epoll_wait(")));
    assert!(text
        .iter()
        .any(|l| l.ends_with("= -1 EAGAIN (Resource temporarily unavailable)")));
}
