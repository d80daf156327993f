//! `socklab run`: flags passed to the lesson unchanged, `--lang` anywhere,
//! records of every lesson kept, nothing left in the temp folder, and a
//! lesson that ends with socklab.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SOCKLAB: &str = env!("CARGO_BIN_EXE_socklab");

fn socklab_in(tmp: &Path, args: &[&str]) -> Output {
    Command::new(SOCKLAB)
        .args(args)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .output()
        .expect("run socklab")
}

/// A fresh, empty folder for one test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("socklab-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn entries(&self) -> Vec<String> {
        std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn lang_is_a_global_option() {
    let tmp = TempDir::new("lang");
    for args in [
        &["--lang", "ko", "explain", "close"][..],
        &["explain", "close", "--lang", "ko"][..],
    ] {
        let o = socklab_in(&tmp.0, args);
        assert!(o.status.success(), "{args:?}: {:?}", o);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.chars().any(|c| ('가'..='힣').contains(&c)),
            "{args:?} speaks Korean: {out}"
        );
    }
    // Before `run`, it reaches the lesson; after the lesson number, the lesson takes it itself.
    for args in [
        &["--lang", "ko", "run", "1", "--trace", "off"][..],
        &["run", "1", "--trace", "off", "--lang", "ko"][..],
    ] {
        let o = socklab_in(&tmp.0, args);
        assert!(o.status.success(), "{args:?}: {:?}", o);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("실습 01"), "{args:?}: {out}");
    }
}

#[test]
fn the_lessons_own_flags_pass_through_unchanged() {
    let tmp = TempDir::new("flags");
    // A flag the lesson does not know is the lesson's usage error, in one line.
    let o = socklab_in(&tmp.0, &["run", "4", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--no-such-flag"), "{err}");
    // The lesson's own help, through socklab.
    let o = socklab_in(&tmp.0, &["run", "4", "--help"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for flag in ["--wait", "--step", "--port", "--trace", "--record"] {
        assert!(out.contains(flag), "{flag} in the lesson's help: {out}");
    }
}

#[test]
fn run_all_records_every_lesson() {
    let tmp = TempDir::new("all");
    let record = tmp.0.join("all.jsonl");
    let o = socklab_in(
        &tmp.0,
        &[
            "run",
            "all",
            "--port",
            "0",
            "--trace",
            "off",
            "--no-kernel",
            "--record",
            record.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{o:?}");
    let text = std::fs::read_to_string(&record).unwrap();
    // Each lesson numbers its calls from 1: nine runs, nine first calls.
    let starts = text
        .lines()
        .filter(|l| l.starts_with("{\"seq\":1,"))
        .count();
    assert_eq!(starts, socklab_tools::lesson::LESSONS.len(), "{text}");
    // Only the record asked for is left behind.
    assert_eq!(tmp.entries(), vec!["all.jsonl".to_string()]);
}

#[test]
fn a_diagram_run_leaves_nothing_in_the_temp_folder() {
    let tmp = TempDir::new("diagram");
    let o = socklab_in(
        &tmp.0,
        &["run", "9", "--port", "0", "--trace", "off", "--diagram"],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("new data fd"));
    assert_eq!(tmp.entries(), Vec::<String>::new());
}

/// The one child process of `pid`.
fn child_of(pid: u32) -> Option<u32> {
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    children.split_whitespace().next()?.parse().ok()
}

/// Whether `pid` is still running (a zombie has ended).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let state = s.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        })
        .unwrap_or(false)
}

#[test]
fn a_lesson_ends_when_socklab_is_killed() {
    let mut socklab = Command::new(SOCKLAB)
        .args([
            "run",
            "4",
            "--wait",
            "--port",
            "0",
            "--no-kernel",
            "--timeout",
            "30",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (_out, line) = waiting_lesson(&mut socklab);
    assert!(line.contains("nc "), "the lesson waits for a peer");
    let lesson = child_of(socklab.id()).expect("the lesson runs as socklab's child");
    assert!(running(lesson));
    unsafe { libc::kill(socklab.id() as i32, libc::SIGTERM) };
    let status = socklab.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGTERM)
    );
    // The kernel tells the lesson its parent died; it ends at once. A pidfd
    // becomes readable when its process has ended.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, lesson, 0) } as i32;
    if pidfd >= 0 {
        let mut pfd = libc::pollfd {
            fd: pidfd,
            events: libc::POLLIN,
            revents: 0,
        };
        unsafe { libc::poll(&mut pfd, 1, 5000) };
        unsafe { libc::close(pidfd) };
    }
    assert!(!running(lesson), "lesson {lesson} outlived socklab");
}

/// Readiness: a `--wait` lesson prints the `nc` command for its peer
/// once it is listening. The rest of its stdout, and that line.
fn waiting_lesson(
    child: &mut std::process::Child,
) -> (BufReader<std::process::ChildStdout>, String) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("nc ") {
        line.clear();
    }
    (out, line)
}

/// The port in a lesson's "nc 127.0.0.1 PORT" line.
fn nc_port(line: &str) -> u16 {
    line.split_whitespace()
        .skip_while(|w| *w != "127.0.0.1")
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"))
}

#[test]
fn a_silent_client_is_not_called_absent() {
    for lesson in ["06", "07", "09"] {
        let mut child = Command::new(SOCKLAB)
            .args([
                "run",
                lesson,
                "--wait",
                "--port",
                "0",
                "--no-kernel",
                "--timeout",
                "1",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (mut out, line) = waiting_lesson(&mut child);
        // Connect and say nothing.
        let _silent = std::net::TcpStream::connect(("127.0.0.1", nc_port(&line))).unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(1), "lesson {lesson}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("the peer is connected but sent nothing within 1 s"),
            "lesson {lesson}: {err}"
        );
    }
    // Nobody at all: that is what the other message says.
    let o = Command::new(SOCKLAB)
        .args([
            "run",
            "6",
            "--wait",
            "--port",
            "0",
            "--no-kernel",
            "--timeout",
            "1",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no client connected within 1 s"));
}
