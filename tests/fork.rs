//! `fork` and `waitpid`: a fork server's parent and children each print
//! their own calls, every line equal to the one `strace -f` prints for
//! that process, and each call is in the record exactly once, under the
//! pid of the process that made it.

mod common;

use common::{assert_matches_strace, stdout_lines, strace_usable};
use socklab::event::CallEvent;
use socklab_tools::record::parse_events;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `fork_server` is an example, which `cargo test` builds into
/// target/<profile>/examples before running tests.
fn fork_server() -> PathBuf {
    let me = std::env::current_exe().expect("test binary path");
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let exe = profile_dir.join("examples").join("fork_server");
    assert!(
        exe.exists(),
        "{} is missing: a whole `cargo test` builds it, or `cargo build --examples`",
        exe.display()
    );
    exe
}

/// Each process's calls, in order: pid → lines.
fn by_pid(recorded: &[CallEvent]) -> BTreeMap<i32, Vec<&CallEvent>> {
    let mut out: BTreeMap<i32, Vec<&CallEvent>> = BTreeMap::new();
    for r in recorded {
        let pid = r.pid.expect("every record line has a pid");
        out.entry(pid).or_default().push(r);
    }
    out
}

/// The record holds each call once: seq runs 1, 2, 3 … across every
/// process (no number twice, none missing), and every line is whole.
fn assert_each_call_once(recorded: &[CallEvent]) {
    let mut seqs: Vec<u64> = recorded.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    let want: Vec<u64> = (1..=recorded.len() as u64).collect();
    assert_eq!(seqs, want, "seq must count every call once");
}

#[test]
fn a_fork_servers_parent_and_children_print_what_strace_prints() {
    if !strace_usable() {
        return;
    }
    let cmp = assert_matches_strace(&fork_server(), &[]);
    let rows = &cmp.rows;
    let recorded = &cmp.recorded;
    assert_each_call_once(recorded);

    // The parent forked three children (the clients, then one per
    // client), each shown by strace as glibc's clone, and reaped them.
    let clones: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.strace.as_deref())
        .filter(|l| l.starts_with("clone("))
        .collect();
    assert_eq!(clones.len(), 3, "{clones:#?}");
    for line in &clones {
        assert!(
            line.starts_with(
                "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x"
            ),
            "{line}"
        );
    }
    // The children's pids, as clone returned them to the parent.
    let children: Vec<i32> = recorded
        .iter()
        .filter(|r| r.syscall == "clone")
        .filter_map(|r| r.value())
        .map(|pid| pid as i32)
        .collect();
    let pids = by_pid(recorded);
    let parent = *pids
        .keys()
        .find(|p| !children.contains(p))
        .expect("the parent's pid");
    assert_eq!(
        pids.keys().copied().collect::<BTreeSet<_>>(),
        std::iter::once(parent)
            .chain(children.iter().copied())
            .collect(),
        "one pid per process, the children's as clone returned them"
    );
    // Each process has one thread, whose id is its pid.
    for r in recorded {
        assert_eq!(Some(r.tid), r.pid, "{r:?}");
    }
    let lines_of = |pid: i32| -> Vec<String> { pids[&pid].iter().map(|r| r.line()).collect() };

    // The parent: the clone lines and the waits are its own, each once.
    let parent_lines = lines_of(parent);
    assert_eq!(
        parent_lines
            .iter()
            .filter(|l| l.starts_with("clone("))
            .count(),
        3
    );
    let waits: Vec<&String> = parent_lines
        .iter()
        .filter(|l| l.starts_with("wait4("))
        .collect();
    assert_eq!(waits.len(), 4, "{waits:#?}");
    assert_eq!(
        *waits[0],
        format!(
            "wait4({}, [{{WIFEXITED(s) && WEXITSTATUS(s) == 0}}], 0, NULL) = {}",
            children[0], children[0]
        )
    );
    assert!(
        waits[2].starts_with("wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = "),
        "{}",
        waits[2]
    );
    assert!(
        waits[3].starts_with("wait4(-1, 0x7ff")
            && waits[3].ends_with(", WNOHANG, NULL) = -1 ECHILD (No child processes)"),
        "{}",
        waits[3]
    );
    // The parent closes its copy of each data fd, and never receives.
    assert!(parent_lines.iter().all(|l| !l.starts_with("recvfrom(")));

    // The children: no clone line (strace shows none for the child's side
    // of a fork); each server child first closes its copy of the
    // listening fd, then serves the data fd it inherited.
    for (i, &child) in children.iter().enumerate() {
        let lines = lines_of(child);
        assert!(lines.iter().all(|l| !l.starts_with("clone(")), "{lines:#?}");
        assert!(lines[0].starts_with("close(3) "), "{lines:#?}");
        if i > 0 {
            assert!(lines[1].starts_with("recvfrom(4, \"hello "), "{lines:#?}");
            assert!(lines.last().unwrap().starts_with("close(4) "), "{lines:#?}");
        }
    }

    // The plain view on stdout: every line whole (parent and children
    // share the pipe, one write per line), each call's line exactly once.
    let mut printed = stdout_lines(&cmp);
    let mut wanted: Vec<String> = recorded.iter().map(CallEvent::line).collect();
    printed.sort();
    wanted.sort();
    assert_eq!(printed, wanted);
}

/// Forks while two other threads trace as fast as they can: a thread is
/// often in the middle of a line (holding stdout's lock, the record's,
/// with bytes in the record's buffer) at the instant of a fork. No child
/// may hang on a lock, no line may be written twice or cut.
#[test]
fn forks_while_other_threads_trace_leave_no_lock_held_and_no_line_twice() {
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let record = dir.join("record.jsonl");
    let forks = 40;
    let mut child = Command::new(fork_server())
        .args(["stress", &forks.to_string()])
        .env("SOCKLAB_TRACE", "plain")
        .env("SOCKLAB_RECORD", &record)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a hang can be ended with every child.
        .process_group(0)
        .spawn()
        .unwrap();
    // Read stdout on a thread so the pipe never fills.
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    // Wait on a thread, so a hang ends the test instead of the test run.
    let pid = child.id() as libc::pid_t;
    let mut err_pipe = child.stderr.take().unwrap();
    let (done, waited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait());
    });
    let Ok(status) = waited.recv_timeout(Duration::from_secs(20)) else {
        // SAFETY: kill signals the process group this test started.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        panic!("fork_server stress hung: a child found a lock held");
    };
    let status = status.unwrap();
    let stdout = reader.join().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut err_pipe, &mut err).unwrap();
    assert!(status.success(), "{status:?}\n{err}");

    let recorded = parse_events(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_each_call_once(&recorded);
    let pids = by_pid(&recorded);
    let parent = recorded
        .iter()
        .find(|r| r.syscall == "clone")
        .and_then(|r| r.pid)
        .unwrap();
    let children: Vec<i32> = recorded
        .iter()
        .filter(|r| r.syscall == "clone")
        .map(|r| r.value().unwrap() as i32)
        .collect();
    assert_eq!(children.len(), forks);
    assert_eq!(pids.len(), forks + 1);
    for child in &children {
        // Exactly the child's two calls, made by its one thread, under its
        // own pid: nothing of the parent's threads' lines came along.
        let calls: Vec<(&str, i32)> = pids[child].iter().map(|r| (&*r.syscall, r.tid)).collect();
        assert_eq!(calls, [("socket", *child), ("close", *child)]);
    }
    // The parent's threads each made calls; the main thread's are the
    // clones and waits.
    assert!(pids[&parent].len() > 2 * forks);

    // stdout: each call's line once, none cut or joined with another.
    let mut printed: Vec<&str> = stdout.lines().collect();
    let mut wanted: Vec<String> = recorded.iter().map(CallEvent::line).collect();
    printed.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(printed.len(), wanted.len());
    assert!(printed == wanted, "stdout and the record differ");
}

/// After a fork both processes hold the data socket: the parent's close
/// of its copy sends no FIN (the client's non-blocking recv finds nothing),
/// the child's close of the last copy does (the client reads 0). Every
/// line of both processes against strace.
#[test]
fn only_the_last_close_of_a_forked_socket_sends_the_fin() {
    if !strace_usable() {
        return;
    }
    let cmp = assert_matches_strace(&fork_server(), &["last-close"]);
    let recorded = &cmp.recorded;
    assert_each_call_once(recorded);
    let parent = recorded[0].pid.unwrap();
    let child = recorded
        .iter()
        .find(|r| r.syscall == "clone")
        .and_then(CallEvent::value)
        .expect("a clone that returned a pid") as i32;
    let lines = |pid: i32| -> Vec<String> {
        recorded
            .iter()
            .filter(|r| r.pid == Some(pid))
            .map(CallEvent::line)
            .collect()
    };
    let (p, c) = (lines(parent), lines(child));
    let (p, c): (Vec<&str>, Vec<&str>) = (
        p.iter().map(String::as_str).collect(),
        c.iter().map(String::as_str).collect(),
    );
    let at = |lines: &[&str], prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {lines:#?}"))
    };
    // The parent closes its copy of the data fd 5, and the client's fd 4
    // has nothing to read: no FIN came.
    let closed = at(&p, "close(5)");
    assert!(
        p[closed + 1].starts_with("recvfrom(4, 0x")
            && p[closed + 1].ends_with("= -1 EAGAIN (Resource temporarily unavailable)"),
        "{p:#?}"
    );
    // The child still serves fd 5, then closes it: the last copy.
    assert!(
        c.contains(&"recvfrom(5, \"still there?\\n\", 64, 0, NULL, NULL) = 13"),
        "{c:#?}"
    );
    assert_eq!(
        c.last().copied(),
        Some("close(5)                                = 0")
    );
    // After the child has ended, the client reads the echo and then 0.
    let reaped = at(&p, "wait4(");
    assert_eq!(
        p[reaped + 1..],
        [
            "recvfrom(4, \"still there?\\n\", 64, 0, NULL, NULL) = 13",
            "recvfrom(4, \"\", 64, 0, NULL, NULL)      = 0",
            "close(4)                                = 0",
        ]
    );
}
