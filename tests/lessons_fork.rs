//! Lesson 15, a process per client: every claim its narration makes is
//! checked here against what the run showed (its trace, with the pid of
//! each line, and /proc).

mod common;

use common::{event, pid_of, run, Interactive};
use std::io::{Read, Write};

const L15: &str = env!("CARGO_BIN_EXE_15_fork");

/// One line of a pretty run.
#[derive(Debug, PartialEq)]
enum Line {
    /// A call: the thread that made it (from `[pid  TID]`) and its strace
    /// line without the prefix, laid out as for one thread.
    Call(i32, String),
    /// `   /proc/PID/fd/N -> target`
    Proc(i32, i32, String),
    Kernel(String),
    Other(String),
}

fn pretty_run(extra: &[&str]) -> Vec<Line> {
    let mut args = vec!["--port", "0"];
    if !extra.contains(&"--lang") {
        args.extend(["--lang", "en"]);
    }
    args.extend_from_slice(extra);
    let (code, out, err) = run(L15, &args);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(out.contains("Done.") || out.contains("끝."), "{out}");
    out.lines().map(parse).collect()
}

fn parse(l: &str) -> Line {
    if l.contains("│ ") {
        let pid = pid_of(l).unwrap_or_else(|| panic!("no [pid N] on {l}"));
        return Line::Call(pid, event(l).line());
    }
    if let Some(k) = l.strip_prefix("   kernel: ") {
        return Line::Kernel(k.to_string());
    }
    if let Some(rest) = l.strip_prefix("   /proc/") {
        let (path, target) = rest.split_once(" -> ").unwrap();
        let (pid, fd) = path.split_once("/fd/").unwrap();
        return Line::Proc(
            pid.parse().unwrap(),
            fd.parse().unwrap(),
            target.to_string(),
        );
    }
    Line::Other(l.to_string())
}

/// The index of the first call at or after `from` by `pid` (any when
/// None) that starts with `prefix`.
fn find(lines: &[Line], from: usize, pid: Option<i32>, prefix: &str) -> usize {
    lines[from..]
        .iter()
        .position(|l| {
            matches!(l, Line::Call(p, c) if c.starts_with(prefix) && pid.is_none_or(|want| want == *p))
        })
        .map(|i| i + from)
        .unwrap_or_else(|| panic!("no {prefix} by {pid:?} after line {from}: {lines:#?}"))
}

fn call(l: &Line) -> (i32, &str) {
    match l {
        Line::Call(p, c) => (*p, c),
        other => panic!("not a call: {other:?}"),
    }
}

/// The calls after line `i`, in order.
fn calls_after(lines: &[Line], i: usize) -> Vec<(i32, &str)> {
    lines[i + 1..]
        .iter()
        .filter(|l| matches!(l, Line::Call(..)))
        .map(call)
        .collect()
}

/// The kernel lines between line `i` and the next numbered step.
fn kernel_after(lines: &[Line], i: usize) -> Vec<&str> {
    lines[i + 1..]
        .iter()
        .take_while(|l| !matches!(l, Line::Other(o) if o.split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok())))
        .filter_map(|l| match l {
            Line::Kernel(k) => Some(k.as_str()),
            _ => None,
        })
        .collect()
}

/// The parent's pid and the two children's, from the two clones.
fn processes(lines: &[Line]) -> (i32, i32, i32) {
    let first = find(lines, 0, None, "clone(");
    let second = find(lines, first + 1, None, "clone(");
    let child = |i: usize| event(call(&lines[i]).1).value().unwrap() as i32;
    (call(&lines[first]).0, child(first), child(second))
}

#[test]
fn after_fork_both_processes_hold_both_fds() {
    let lines = pretty_run(&[]);
    let (parent, child, _) = processes(&lines);
    let accept = find(&lines, 0, Some(parent), "accept(3, ");
    assert_eq!(event(call(&lines[accept]).1).value(), Some(5));
    let clone = find(&lines, accept, Some(parent), "clone(");
    let procs: Vec<(i32, i32, &str)> = lines[clone + 1..]
        .iter()
        .map_while(|l| match l {
            Line::Proc(p, fd, t) => Some((*p, *fd, t.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        procs.iter().map(|(p, fd, _)| (*p, *fd)).collect::<Vec<_>>(),
        [(parent, 3), (parent, 5), (child, 3), (child, 5)],
        "{lines:#?}"
    );
    for fd in [3, 5] {
        let of = |pid| {
            procs
                .iter()
                .find(|(p, f, _)| *p == pid && *f == fd)
                .unwrap()
                .2
        };
        assert!(of(parent).starts_with("socket:["), "{procs:?}");
        assert_eq!(of(parent), of(child), "fd {fd}: one socket in both");
    }
    assert_ne!(procs[0].2, procs[1].2);
    // Then the child closes the listening fd (and its copy of the client
    // thread's fd 4); the parent closes the data fd 5.
    let child_calls: Vec<&str> = calls_after(&lines, clone)
        .into_iter()
        .filter(|(p, _)| *p == child)
        .map(|(_, c)| c)
        .collect();
    assert_eq!(
        child_calls[..2],
        [
            "close(3)                                = 0",
            "close(4)                                = 0"
        ]
    );
    let parent_close = find(&lines, clone, Some(parent), "close(");
    assert_eq!(
        call(&lines[parent_close]).1,
        "close(5)                                = 0"
    );
    // The child's first close came before the parent's.
    assert!(find(&lines, clone, Some(child), "close(3)") < parent_close);
}

#[test]
fn only_the_last_close_sends_the_fin() {
    let lines = pretty_run(&[]);
    let (parent, child, _) = processes(&lines);
    let clone = find(&lines, 0, Some(parent), "clone(");
    // The parent's close of its copy: the server's end stays ESTABLISHED,
    // the client's poll finds nothing, its end is ESTABLISHED.
    let parent_close = find(&lines, clone, Some(parent), "close(5)");
    let kernel = kernel_after(&lines, parent_close);
    assert!(
        kernel[0].starts_with("the server's end: TCP ESTABLISHED 127.0.0.1:"),
        "{kernel:?}"
    );
    let next = calls_after(&lines, parent_close);
    let client = next[0].0;
    assert!(client != parent && client != child, "{next:?}");
    assert_eq!(
        next[0].1,
        "poll([{fd=4, events=POLLIN}], 1, 0)     = 0 (Timeout)"
    );
    assert!(
        kernel[1].starts_with("fd 4 = TCP ESTABLISHED"),
        "{kernel:?}"
    );
    // The child's close, the last copy: the client reads the echo, then 0.
    let child_close = find(&lines, parent_close, Some(child), "close(5)");
    let next = calls_after(&lines, child_close);
    assert_eq!(
        next[..2],
        [
            (client, "recvfrom(4, \"hello\\n\", 64, 0, NULL, NULL) = 6"),
            (client, "recvfrom(4, \"\", 64, 0, NULL, NULL)      = 0"),
        ]
    );
    let got_zero = find(&lines, child_close, Some(client), "recvfrom(4, \"\"");
    assert!(
        kernel_after(&lines, got_zero)[0].starts_with("fd 4 = TCP CLOSE_WAIT"),
        "{lines:#?}"
    );
}

#[test]
fn an_exited_child_is_a_zombie_until_waitpid() {
    let lines = pretty_run(&[]);
    let (parent, child, _) = processes(&lines);
    let zombie = lines
        .iter()
        .position(|l| *l == Line::Kernel(format!("/proc/{child}/stat: state Z (zombie)")))
        .unwrap_or_else(|| panic!("no zombie line: {lines:#?}"));
    let pending = lines
        .iter()
        .position(|l| matches!(l, Line::Kernel(k) if k.starts_with(&format!("/proc/{parent}/status: ShdPnd ")) && k.ends_with("(SIGCHLD pending)")))
        .expect("SIGCHLD pending");
    let wait = find(&lines, 0, Some(parent), "wait4(");
    assert!(zombie < wait && pending < wait);
    assert_eq!(
        call(&lines[wait]).1,
        format!("wait4(-1, [{{WIFEXITED(s) && WEXITSTATUS(s) == 0}}], WNOHANG, NULL) = {child}")
    );
    assert_eq!(
        lines[wait + 1],
        Line::Kernel(format!("/proc/{child}: gone"))
    );
    let again = find(&lines, wait + 1, Some(parent), "wait4(");
    let again = call(&lines[again]).1;
    assert!(
        again.starts_with("wait4(-1, 0x")
            && again.ends_with(", WNOHANG, NULL) = -1 ECHILD (No child processes)"),
        "{again}"
    );
}

#[test]
fn a_parent_that_forgets_the_data_fd_leaves_the_connection_open() {
    let lines = pretty_run(&[]);
    let (parent, _, child) = processes(&lines);
    let clone = lines
        .iter()
        .rposition(|l| matches!(l, Line::Call(_, c) if c.starts_with("clone(")))
        .unwrap();
    // The child closes its copy and is waited for: it is gone.
    let child_close = find(&lines, clone, Some(child), "close(5)");
    let wait = find(&lines, child_close, Some(parent), "wait4(");
    assert_eq!(
        call(&lines[wait]).1,
        format!("wait4({child}, [{{WIFEXITED(s) && WEXITSTATUS(s) == 0}}], 0, NULL) = {child}")
    );
    // No parent close in between: the parent still holds fd 5, and the
    // kernel shows it ESTABLISHED.
    assert!(calls_after(&lines, clone)
        .iter()
        .take_while(|(p, c)| !(*p == parent && c.starts_with("wait4(")))
        .all(|(p, _)| *p != parent));
    assert!(
        kernel_after(&lines, wait)[0].starts_with("fd 5 = TCP ESTABLISHED 127.0.0.1:"),
        "{lines:#?}"
    );
    // The client got the line and then nothing: no FIN.
    let next = calls_after(&lines, wait);
    let client = next[0].0;
    assert_eq!(next[0].1, "recvfrom(4, \"bye\\n\", 64, 0, NULL, NULL) = 4");
    assert_eq!(
        next[1],
        (
            client,
            "poll([{fd=4, events=POLLIN}], 1, 0)     = 0 (Timeout)"
        )
    );
    let polled = find(&lines, wait, Some(client), "poll(");
    assert!(kernel_after(&lines, polled)[0].starts_with("fd 4 = TCP ESTABLISHED"));
    // The fix: the parent's close is the last one, and the FIN comes.
    assert_eq!(
        next[2],
        (parent, "close(5)                                = 0")
    );
    assert_eq!(
        next[3],
        (client, "recvfrom(4, \"\", 64, 0, NULL, NULL)      = 0")
    );
}

#[test]
fn every_line_carries_the_id_of_the_process_or_thread_that_made_it() {
    let lines = pretty_run(&[]);
    let (parent, child, child_2) = processes(&lines);
    let ids: std::collections::BTreeSet<i32> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Call(p, _) => Some(*p),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 4, "parent, client thread, two children: {ids:?}");
    for id in [parent, child, child_2] {
        assert!(ids.contains(&id), "{ids:?}");
    }
}

#[test]
fn korean_step_and_no_kernel_runs_take_the_same_calls() {
    let calls = |extra: &[&str]| -> Vec<String> {
        pretty_run(extra)
            .into_iter()
            .filter_map(|l| match l {
                Line::Call(_, c) => Some(event(&c).syscall.to_string()),
                _ => None,
            })
            .collect()
    };
    let en = calls(&[]);
    assert_eq!(calls(&["--lang", "ko"]), en);
    assert_eq!(calls(&["--step", "--no-kernel"]), en);
}

/// With `--wait`, an outside client (as nc) is served by a child; the
/// second one gets its line, and its connection ends only once the parent
/// closes the fd it forgot.
#[test]
fn interactive_15_serves_two_outside_clients() {
    let mut lesson = Interactive::spawn(L15, 0, &[]);
    let line = lesson.line_starting_call("getsockname(");
    let port = common::port_in(common::without_pid(&line));
    lesson.port = port;
    let mut first = lesson.connect();
    first.write_all(b"hi\n").unwrap();
    let mut got = String::new();
    first.read_to_string(&mut got).unwrap();
    assert_eq!(got, "hi\n");
    let mut second = lesson.connect();
    let mut got = String::new();
    second.read_to_string(&mut got).unwrap();
    assert_eq!(got, "bye\n");
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    let calls: Vec<&str> = rest.lines().map(common::without_pid).collect();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("clone(")).count(),
        2,
        "{rest}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.ends_with("= -1 ECHILD (No child processes)")),
        "{rest}"
    );
    assert!(err.contains(&format!("nc 127.0.0.1 {port}")), "{err}");
}

/// `strace -ff -o PREFIX` (the strace page): a file per process and
/// thread, with no `[pid N]`; each child's file holds its own calls only,
/// beginning with the closes of the fds it does not serve.
#[test]
fn strace_ff_gives_each_child_a_file_of_its_own() {
    if !common::strace_usable() {
        return;
    }
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let out = std::process::Command::new(socklab_tools::against_strace::find_strace().unwrap())
        .args(["-ff", "-e", "trace=%net,poll,close,clone,wait4", "-o"])
        .arg(dir.join("t"))
        .args([L15, "--port", "0", "--trace", "off", "--no-kernel"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    // The parent, the watchdog, the client thread and two children.
    assert_eq!(files.len(), 5);
    assert!(files.iter().all(|f| !f.contains("[pid ")));
    let children: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("close(3)                                = 0\nclose(4)"))
        .collect();
    assert_eq!(children.len(), 2, "{files:#?}");
    assert!(children
        .iter()
        .any(|f| f.contains("recvfrom(5, \"hello\\n\", 64, 0, NULL, NULL) = 6")));
    assert!(children
        .iter()
        .any(|f| f.contains("sendto(5, \"bye\\n\", 4, 0, NULL, 0)")));
    assert!(children
        .iter()
        .all(|f| !f.contains("accept(") && !f.contains("wait4(")));
}

/// The line the client sent waits, after the parent's close, in the
/// server end's receive queue for the child (`recv-q 6`).
#[test]
fn the_clients_line_waits_for_the_child_after_the_parents_close() {
    let lines = pretty_run(&[]);
    let (parent, _, _) = processes(&lines);
    let closed = find(&lines, 0, Some(parent), "close(5)");
    let kernel = kernel_after(&lines, closed);
    assert!(kernel[0].ends_with(", recv-q 6"), "{kernel:?}");
}
