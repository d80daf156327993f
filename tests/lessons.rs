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
