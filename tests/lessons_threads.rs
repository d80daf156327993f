//! Lesson 16, a thread per client: one fd table and one memory for every
//! thread, and the thread ids in the trace, checked against what the run
//! showed.

mod common;

use common::{event, pid_of, run, strace_usable, Interactive};
use socklab_tools::against_strace::{find_strace, scratch_dir};
use std::io::{Read, Write};
use std::process::{Command, Stdio};

const L16: &str = env!("CARGO_BIN_EXE_16_threads");

#[derive(Debug, PartialEq)]
enum Line {
    /// A call: the thread that made it and its line without the prefix.
    Call(i32, String),
    Kernel(String),
    Other(String),
}

fn pretty_run(extra: &[&str]) -> (Vec<Line>, String) {
    let mut args = vec!["--port", "0"];
    if !extra.contains(&"--lang") {
        args.extend(["--lang", "en"]);
    }
    args.extend_from_slice(extra);
    let (code, out, err) = run(L16, &args);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(out.contains("Done.") || out.contains("끝."), "{out}");
    let lines = out
        .lines()
        .map(|l| {
            if l.contains("│ ") {
                Line::Call(pid_of(l).expect("[pid N]"), event(l).line())
            } else if let Some(k) = l.strip_prefix("   kernel: ") {
                Line::Kernel(k.to_string())
            } else {
                Line::Other(l.to_string())
            }
        })
        .collect();
    (lines, out)
}

fn find(lines: &[Line], from: usize, prefix: &str) -> (usize, i32) {
    lines[from..]
        .iter()
        .enumerate()
        .find_map(|(i, l)| match l {
            Line::Call(t, c) if c.starts_with(prefix) => Some((i + from, *t)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {prefix} after {from}: {lines:#?}"))
}

fn kernel_lines(lines: &[Line]) -> Vec<&str> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Kernel(k) => Some(k.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_thread_sees_one_fd_table() {
    let (lines, _) = pretty_run(&[]);
    let (accept, main) = find(&lines, 0, "accept(3, ");
    assert!(lines[accept] == Line::Call(main, lines_call(&lines[accept])));
    let (recv, worker) = find(&lines, accept, "recvfrom(5, \"one\\n\"");
    let (_, client) = find(&lines, 0, "connect(4, ");
    assert!(main != worker && worker != client && main != client);
    let kernel = kernel_lines(&lines);
    // /proc/PID/task lists the threads of the one process; the main
    // thread's id is the pid.
    let tasks = kernel
        .iter()
        .find(|k| k.starts_with(&format!("/proc/{main}/task: ")))
        .expect("the task list");
    for tid in [main, client, worker] {
        assert!(tasks.contains(&format!("{tid} (")), "{tasks}");
    }
    // fd 5 as the main thread and the serving thread see it: one socket.
    let seen = |tid: i32| {
        kernel
            .iter()
            .find_map(|k| k.strip_prefix(&format!("/proc/{main}/task/{tid}/fd/5 -> ")))
            .unwrap_or_else(|| panic!("no fd 5 of {tid}: {kernel:?}"))
    };
    assert!(seen(main).starts_with("socket:["));
    assert_eq!(seen(main), seen(worker));
    assert!(recv > accept);
}

fn lines_call(l: &Line) -> String {
    match l {
        Line::Call(_, c) => c.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_close_in_one_thread_closes_the_fd_for_all_and_frees_the_number() {
    let (lines, _) = pretty_run(&[]);
    let (accept, main) = find(&lines, 0, "accept(3, ");
    let (_, worker) = find(&lines, accept, "recvfrom(5, ");
    let (closed, by) = find(&lines, accept, "close(5)");
    assert_eq!(by, worker);
    // The main thread's use of the old number, after that close: EBADF.
    let (stale, who) = find(&lines, closed, "recvfrom(5, ");
    assert_eq!(who, main);
    let text = lines_call(&lines[stale]);
    assert!(
        text.ends_with(", 64, MSG_DONTWAIT, NULL, NULL) = -1 EBADF (Bad file descriptor)"),
        "{text}"
    );
    assert_eq!(
        lines[stale + 2],
        Line::Kernel(format!("/proc/{main}/fd/5: gone"))
    );
    // The next socket, made by the client thread while its fd 4 is still
    // open, gets the number 5.
    let (socket, client) = find(&lines, stale, "socket(");
    assert!(client != main && client != worker);
    assert_eq!(event(&lines_call(&lines[socket])).value(), Some(5));
    let (close_4, _) = find(&lines, 0, "close(4)");
    assert!(close_4 > socket);
    // The second client's connection is fd 6, served by another thread.
    let (accept_2, _) = find(&lines, socket, "accept(3, ");
    assert_eq!(event(&lines_call(&lines[accept_2])).value(), Some(6));
    let (_, worker_2) = find(&lines, accept_2, "recvfrom(6, ");
    assert!(![main, worker, client].contains(&worker_2));
}

#[test]
fn the_threads_share_memory() {
    let (_, out) = pretty_run(&[]);
    assert!(
        out.contains("the main thread reads 8 bytes"),
        "one counter, 4 + 4 bytes echoed: {out}"
    );
}

/// strace shows each new thread as `clone3` with CLONE_VM and
/// CLONE_FILES (one memory, one fd table), returning the thread's id: the
/// one the serving thread's lines carry.
#[test]
fn strace_shows_the_serving_thread_made_with_clone_files() {
    if !strace_usable() {
        return;
    }
    let dir = scratch_dir().unwrap();
    let log = dir.join("strace.log");
    let status = Command::new(find_strace().unwrap())
        .args(["-f", "-qq", "-e", "trace=clone3,recvfrom", "-o"])
        .arg(&log)
        .args([L16, "--port", "0", "--trace", "plain"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(status.status.success());
    let out = String::from_utf8_lossy(&status.stdout);
    let worker = out
        .lines()
        .find(|l| common::without_pid(l).starts_with("recvfrom(5, \"one\\n\""))
        .and_then(pid_of)
        .expect("the serving thread's recv");
    let log = std::fs::read_to_string(&log).unwrap();
    let made = log
        .lines()
        .find(|l| l.contains("clone3(") && l.ends_with(&format!(" = {worker}")))
        .unwrap_or_else(|| panic!("no clone3 = {worker}: {log}"));
    assert!(
        made.contains("CLONE_VM") && made.contains("CLONE_FILES") && made.contains("CLONE_THREAD"),
        "{made}"
    );
}

#[test]
fn korean_step_and_no_kernel_runs_take_the_same_calls() {
    let calls = |extra: &[&str]| -> Vec<String> {
        pretty_run(extra)
            .0
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

/// With `--wait`, two outside clients (as nc), each served by a thread;
/// the second accept gets the number the first thread closed.
#[test]
fn interactive_16_serves_two_outside_clients() {
    let mut lesson = Interactive::spawn(L16, 0, &[]);
    let line = lesson.line_starting_call("getsockname(");
    lesson.port = common::port_in(common::without_pid(&line));
    for word in ["one\n", "two\n"] {
        let mut c = lesson.connect();
        c.write_all(word.as_bytes()).unwrap();
        let mut got = String::new();
        c.read_to_string(&mut got).unwrap();
        assert_eq!(got, word);
    }
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    let accepts: Vec<i64> = rest
        .lines()
        .map(common::without_pid)
        .filter(|c| c.starts_with("accept("))
        .filter_map(|c| event(c).value())
        .collect();
    // No client thread here: the first data socket is fd 4, and the
    // number comes back for the second client.
    assert_eq!(accepts, [4, 4], "{rest}");
    assert!(rest.contains("= -1 EBADF (Bad file descriptor)"), "{rest}");
}
