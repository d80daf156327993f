//! Every lesson runs self-contained, finishes, and prints exactly what
//! strace saw; and each shows the thing it is there to teach.

mod common;

use common::{assert_matches_strace, strace_usable};
use socklab::against_strace::Comparison;
use std::path::Path;
use std::process::{Command, Stdio};

/// Lines socklab printed, in the order it printed them (all threads).
fn lines(cmp: &Comparison) -> Vec<String> {
    String::from_utf8_lossy(&cmp.output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Run a lesson with `--port 0` under strace; all its lines must match.
fn traced(bin: &str, extra: &[&str]) -> Option<Comparison> {
    if !strace_usable() {
        return None;
    }
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    Some(assert_matches_strace(Path::new(bin), &args))
}

/// Run a lesson without strace and return (exit code, stdout, stderr).
fn run(bin: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run lesson");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The fd a syscall line returned: `... = 4` → 4.
fn ret_fd(line: &str) -> i32 {
    line.rsplit("= ")
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn lesson_01_socket() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_01_socket"), &[]) else {
        return;
    };
    let l = lines(&cmp);
    assert_eq!(
        l[0], "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
        "the lowest free fd is 3"
    );
    assert!(l[1].starts_with("socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4"));
    let (code, out, _) = run(env!("CARGO_BIN_EXE_01_socket"), &["--trace", "pretty"]);
    assert_eq!(code, 0);
    assert!(out.contains("/proc/self/fd/3 -> socket:["), "{out}");
}

#[test]
fn lesson_04_accept() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_04_accept"), &[]) else {
        return;
    };
    let l = lines(&cmp);
    let listen_fd = l
        .iter()
        .find(|s| s.starts_with("listen("))
        .map(|s| s[7..].split(',').next().unwrap().parse::<i32>().unwrap())
        .unwrap();
    let accepts: Vec<&String> = l.iter().filter(|s| s.starts_with("accept(")).collect();
    assert_eq!(
        accepts.len(),
        2,
        "the listening socket serves a second accept"
    );
    for a in &accepts {
        assert!(a.starts_with(&format!("accept({listen_fd}, ")), "{a}");
        assert_ne!(ret_fd(a), listen_fd, "accept returns a new fd");
    }
    // The listening socket is closed last, after both data sockets.
    assert_eq!(
        l.iter().rev().find(|s| s.starts_with("close(")).unwrap(),
        &format!("close({listen_fd})                                = 0")
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for args in [
        &["--port", "70000"][..],
        &["--host", "no.such.host"],
        &["--lang", "fr"],
        &["--bogus"],
    ] {
        let (code, out, err) = run(env!("CARGO_BIN_EXE_04_accept"), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
        assert!(!out.contains("socket("), "nothing was called: {out}");
    }
}

#[test]
fn a_busy_port_is_explained() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    // Without SO_REUSEADDR on the other socket, a listening port stays busy.
    let (code, _, err) = run(
        env!("CARGO_BIN_EXE_04_accept"),
        &["--port", &port, "--trace", "off"],
    );
    assert_eq!(code, 1);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("EADDRINUSE") && err.contains("--port 0"),
        "{err}"
    );
}

#[test]
fn json_view_is_one_object_per_call_with_sides() {
    let (code, out, err) = run(
        env!("CARGO_BIN_EXE_04_accept"),
        &["--port", "0", "--trace", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let calls = socklab::record::parse_record(&out).expect("stdout is JSON lines only");
    assert!(calls
        .iter()
        .any(|c| c.side.as_deref() == Some("server") && c.syscall == "accept"));
    assert!(calls
        .iter()
        .any(|c| c.side.as_deref() == Some("client") && c.syscall == "connect"));
    let accept = calls.iter().find(|c| c.syscall == "accept").unwrap();
    assert_eq!(accept.role.as_deref(), Some("listening"));
    assert_eq!(accept.new_role.as_deref(), Some("data"));
    assert!(
        err.contains("accept"),
        "the narration went to stderr: {err}"
    );
}

/// Colour only on a terminal, and never with NO_COLOR: run under
/// `script`, which gives the lesson a pseudo-terminal.
#[test]
fn colour_on_a_terminal_unless_no_color() {
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!(
            "SKIPPED: `script` (util-linux) is not installed, so no pseudo-terminal can be made"
        );
        return;
    }
    let cmd = format!("{} --port 0 --no-kernel", env!("CARGO_BIN_EXE_01_socket"));
    let on_tty = |no_color: bool| {
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"]).stdin(Stdio::null());
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };
    assert!(on_tty(false).contains("\x1b["), "colour on a terminal");
    assert!(!on_tty(true).contains("\x1b["), "no colour with NO_COLOR");
    let (_, piped, _) = run(env!("CARGO_BIN_EXE_01_socket"), &["--port", "0"]);
    assert!(!piped.contains("\x1b["), "no colour into a pipe");
}

#[test]
fn step_mode_with_stdin_closed_runs_through() {
    let (code, out, err) = run(
        env!("CARGO_BIN_EXE_04_accept"),
        &["--port", "0", "--step", "--no-kernel"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("[Enter: make the call]"), "{out}");
    assert!(out.contains("Done."));
}

/// A free port: bound by the kernel for a moment, then released.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A lesson process that is killed if the test fails before it ends.
struct Running(Option<std::process::Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn interactive_mode_serves_an_outside_peer() {
    use std::io::{BufRead, BufReader, Read};
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_04_accept"))
        .args([
            "--wait",
            "--port",
            &port.to_string(),
            "--trace",
            "plain",
            "--timeout",
            "10",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut guard = Running(Some(child));
    // Readiness: the lesson has printed its listen() line.
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the lesson ended before listening: {seen:?}"
        );
        seen.push(line.clone());
        if line.starts_with("listen(") {
            break;
        }
    }
    // Two outside clients, as `nc 127.0.0.1 PORT` would be.
    for n in 1..=2 {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut got = String::new();
        c.read_to_string(&mut got).unwrap();
        assert_eq!(got, format!("hello, client {n}\n"));
    }
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let status = guard.0.take().unwrap().wait().unwrap();
    assert!(status.success());
    assert_eq!(
        rest.lines().filter(|l| l.starts_with("accept(")).count(),
        2,
        "{rest}"
    );
    assert!(
        rest.contains("poll([{fd=3, events=POLLIN}], 1, 10000) = 1"),
        "the wait is a traced poll: {rest}"
    );
}

#[test]
fn interactive_mode_gives_up_after_its_timeout() {
    let port = free_port().to_string();
    let (code, _, err) = run(
        env!("CARGO_BIN_EXE_04_accept"),
        &[
            "--wait",
            "--port",
            &port,
            "--timeout",
            "1",
            "--trace",
            "off",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("no peer came within 1 s"), "{err}");
}
