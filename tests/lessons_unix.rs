//! Lesson 12, Unix-domain sockets: every claim its narration makes is
//! checked here against what the run showed (its trace, the file system
//! and /proc), and its lines equal strace's in both processes.

mod common;

use common::{event, run};
use socklab::addr::{SockAddr, UnixName};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const L12: &str = env!("CARGO_BIN_EXE_12_unix");

/// One line of a pretty run: a call (its strace line), a file-system or
/// kernel line, or anything else (narration, step headings).
#[derive(Debug, PartialEq)]
enum Line {
    Call(String),
    File(String),
    Kernel(String),
    Other(String),
}

/// The lesson in the pretty view, English, stdin closed.
fn pretty_run(extra: &[&str]) -> Vec<Line> {
    let mut args = vec!["--lang", "en"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(L12, &args);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(out.contains("Done."), "{out}");
    out.lines()
        .map(|l| {
            if let Some((_, call)) = l.split_once("│ ") {
                let call = call.rsplit_once("  ← ").map_or(call, |(c, _)| c);
                Line::Call(call.trim_end().to_string())
            } else if let Some(f) = l.strip_prefix("   file system: ") {
                Line::File(f.to_string())
            } else if let Some(k) = l.strip_prefix("   kernel: ") {
                Line::Kernel(k.to_string())
            } else {
                Line::Other(l.to_string())
            }
        })
        .collect()
}

/// The index of the first call line at or after `from` that starts with
/// `prefix`.
fn find_call(lines: &[Line], from: usize, prefix: &str) -> usize {
    lines[from..]
        .iter()
        .position(|l| matches!(l, Line::Call(c) if c.starts_with(prefix)))
        .map(|i| i + from)
        .unwrap_or_else(|| panic!("no {prefix} after line {from}: {lines:#?}"))
}

/// The file-system and kernel lines right after line `i` (up to the next
/// call or heading).
fn after(lines: &[Line], i: usize) -> Vec<&Line> {
    lines[i + 1..]
        .iter()
        .take_while(|l| matches!(l, Line::File(_) | Line::Kernel(_)))
        .collect()
}

fn call_text(l: &Line) -> &str {
    match l {
        Line::Call(c) => c,
        other => panic!("not a call: {other:?}"),
    }
}

/// The socket's path, from the first bind.
fn the_path(lines: &[Line]) -> PathBuf {
    let bind = find_call(lines, 0, "bind(");
    match event(call_text(&lines[bind])).addr() {
        Some(SockAddr::Unix(UnixName::Path(p))) => p.clone(),
        other => panic!("the first bind is to a path: {other:?}"),
    }
}

#[test]
fn a_path_stays_after_close_and_takes_the_name_until_unlink() {
    let lines = pretty_run(&[]);
    let path = the_path(&lines);
    let p = path.display().to_string();
    let is_socket = Line::File(format!("{p} is a file of type socket (stat: S_IFSOCK)"));
    let no_file = Line::File(format!("no file at {p}"));

    // bind makes the file, of type socket; /proc/net/unix lists the socket.
    let bind = find_call(&lines, 0, "bind(");
    assert!(call_text(&lines[bind]).ends_with(") = 0"));
    let seen = after(&lines, bind);
    assert!(seen.contains(&&is_socket), "{seen:?}");
    assert!(
        seen.iter()
            .any(|l| **l == Line::Kernel(format!("fd 3 = UNIX UNCONNECTED {p}"))),
        "{seen:?}"
    );

    // close: the file is still there, with no socket behind it.
    let close = find_call(&lines, bind, "close(");
    let seen = after(&lines, close);
    assert!(seen.contains(&&is_socket), "{seen:?}");
    assert!(
        seen.contains(&&Line::Kernel(format!(
            "/proc/net/unix lists no socket named {p}"
        ))),
        "{seen:?}"
    );

    assert!(lines[close..].iter().any(|l| matches!(l, Line::Other(t)
        if t.contains("/proc/net/unix lists no socket with that path; but the file is still there. close does not remove it."))));

    // A second bind to the path: EADDRINUSE, until unlink removes it.
    let again = find_call(&lines, close, "bind(");
    assert!(
        call_text(&lines[again]).ends_with("= -1 EADDRINUSE (Address already in use)"),
        "{:?}",
        lines[again]
    );
    assert_eq!(
        event(call_text(&lines[again])).addr(),
        Some(&SockAddr::unix(&path))
    );
    let unlink = find_call(&lines, again, "unlink(");
    assert_eq!(call_text(&lines[unlink]), format!("unlink(\"{p}\") = 0"));
    assert!(after(&lines, unlink).contains(&&no_file));
    let third = find_call(&lines, unlink, "bind(");
    assert!(call_text(&lines[third]).ends_with(") = 0"));
    assert!(after(&lines, third).contains(&&is_socket));

    // A client with no name: accept reports only the family.
    let accept = find_call(&lines, third, "accept(");
    assert!(
        call_text(&lines[accept]).starts_with("accept(3, {sa_family=AF_UNIX}, [128 => 2]) = "),
        "{:?}",
        lines[accept]
    );

    // The server's last unlink leaves no file, and the lesson's folder is
    // gone after the run.
    let last = find_call(&lines, accept, "unlink(");
    assert!(after(&lines, last).contains(&&no_file));
    assert!(!path.parent().unwrap().exists(), "{}", path.display());
}

#[test]
fn an_abstract_name_makes_no_file_and_goes_with_its_socket() {
    let lines = pretty_run(&[]);
    let p = the_path(&lines).display().to_string();
    let name = format!("sun_path=@\"{p}\"");
    let bind = lines
        .iter()
        .position(|l| matches!(l, Line::Call(c) if c.starts_with("bind(") && c.contains(&name)))
        .expect("a bind to the abstract name");
    assert!(call_text(&lines[bind]).ends_with(") = 0"));
    let seen = after(&lines, bind);
    assert!(
        seen.iter().any(
            |l| matches!(l, Line::Kernel(k) if k.ends_with(&format!("= UNIX UNCONNECTED @{p}")))
        ),
        "the kernel lists @name: {seen:?}"
    );
    assert!(
        seen.contains(&&Line::File(format!("no file at {p}"))),
        "{seen:?}"
    );
    let close = find_call(&lines, bind, "close(");
    assert!(
        after(&lines, close).contains(&&Line::Kernel(format!(
            "/proc/net/unix lists no socket named @{p}"
        ))),
        "gone with its last socket"
    );
    // And so the name can be bound again at once, with no unlink between.
    let again = find_call(&lines, close, "bind(");
    assert!(call_text(&lines[again]).contains(&name));
    assert!(call_text(&lines[again]).ends_with(") = 0"));
    assert!(!lines[close..again]
        .iter()
        .any(|l| matches!(l, Line::Call(c) if c.starts_with("unlink("))));
}

#[test]
fn a_socketpair_has_only_the_family_for_an_address() {
    let lines = pretty_run(&[]);
    let pair = find_call(&lines, 0, "socketpair(");
    let fds = call_text(&lines[pair]);
    let a: i32 = fds
        .split('[')
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    for call in ["getsockname", "getpeername"] {
        let i = find_call(&lines, pair, &format!("{call}({a}, "));
        assert_eq!(
            call_text(&lines[i]),
            format!("{call}({a}, {{sa_family=AF_UNIX}}, [128 => 2]) = 0")
        );
        assert_eq!(
            event(call_text(&lines[i])).addr(),
            Some(&SockAddr::Unix(UnixName::Unnamed))
        );
    }
    // The kernel lines come after the narration, before the next call.
    let peer = find_call(&lines, pair, "getpeername(");
    let seen: Vec<&Line> = lines[peer + 1..]
        .iter()
        .take_while(|l| !matches!(l, Line::Call(_)))
        .collect();
    assert_eq!(
        seen.iter()
            .filter(|l| matches!(l, Line::Kernel(k) if k.ends_with("= UNIX CONNECTED (unnamed)")))
            .count(),
        2,
        "{seen:?}"
    );
}

/// `/proc/PID/fd/N -> socket:[INODE]` lines: (pid, fd, inode).
fn proc_fd_lines(lines: &[Line]) -> Vec<(i32, i32, u64)> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Other(t) => t.trim().strip_prefix("/proc/"),
            _ => None,
        })
        .map(|rest| {
            let (pid, rest) = rest.split_once("/fd/").unwrap();
            let (fd, target) = rest.split_once(" -> socket:[").unwrap();
            (
                pid.parse().unwrap(),
                fd.parse().unwrap(),
                target.trim_end_matches(']').parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_passed_socket_has_another_number_and_the_same_inode() {
    let lines = pretty_run(&[]);
    let clone = find_call(&lines, 0, "clone(");
    let child: i32 = event(call_text(&lines[clone])).value().unwrap() as i32;
    let sendmsg = find_call(&lines, clone, "sendmsg(");
    let recvmsg = find_call(&lines, sendmsg, "recvmsg(");
    let passed = |line: &str| -> i32 {
        line.split("cmsg_type=SCM_RIGHTS, cmsg_data=[")
            .nth(1)
            .and_then(|r| r.split(']').next())
            .unwrap()
            .parse()
            .unwrap()
    };
    let sent = passed(call_text(&lines[sendmsg]));
    let got = passed(call_text(&lines[recvmsg]));
    assert_ne!(sent, got, "the receiver's number differs");

    let shown = proc_fd_lines(&lines);
    assert_eq!(shown.len(), 2, "{shown:?}");
    let (child_pid, child_fd, child_inode) = shown[0];
    let (parent_pid, parent_fd, parent_inode) = shown[1];
    assert_eq!((child_pid, child_fd), (child, sent));
    assert_ne!(parent_pid, child);
    assert_eq!(parent_fd, got);
    assert_eq!(child_inode, parent_inode, "one socket behind both numbers");

    // The bytes sent into the socket before it was passed arrive, then 0.
    let recv = find_call(&lines, recvmsg, &format!("recvfrom({got}, "));
    assert!(call_text(&lines[recv]).starts_with(&format!(
        "recvfrom({got}, \"made by the child\\n\", 64, 0, NULL, NULL) = 18"
    )));
    let eof = find_call(&lines, recv + 1, &format!("recvfrom({got}, "));
    assert!(call_text(&lines[eof]).ends_with("= 0"));

    // The parent receives only after wait4 has reaped the child.
    let wait = find_call(&lines, sendmsg, "wait4(");
    assert!(wait < recvmsg);
    assert!(call_text(&lines[wait]).starts_with(&format!(
        "wait4({child}, [{{WIFEXITED(s) && WEXITSTATUS(s) == 0}}]"
    )));

    // The narration says so only because the inodes matched.
    assert!(lines.iter().any(|l| matches!(l, Line::Other(t)
        if t.contains(&format!("The inode, {parent_inode}, is the one the child showed")))));
}

#[test]
fn the_steps_are_numbered_once_across_both_processes() {
    let lines = pretty_run(&["--no-kernel"]);
    let numbers: Vec<u32> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Other(t) => t.split_once(". ").and_then(|(n, _)| n.parse().ok()),
            _ => None,
        })
        .collect();
    let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
    assert_eq!(numbers, expected);
    // With the kernel's view hidden, the narration says nothing of it.
    assert!(!lines
        .iter()
        .any(|l| matches!(l, Line::Other(t) if t.contains("lists no socket"))));
    assert!(lines.iter().any(|l| matches!(l, Line::Other(t)
        if t == "close gave the socket back to the kernel, but the file is still there. close does not remove it.")));
    assert!(lines
        .iter()
        .any(|l| matches!(l, Line::Other(t) if t.starts_with("  pair:   [socketpair]"))));
}

#[test]
fn wait_mode_serves_an_outside_client_on_the_path() {
    let mut child = Command::new(L12)
        .args([
            "--wait",
            "--timeout",
            "10",
            "--trace",
            "plain",
            "--lang",
            "en",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let path = loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "no nc -U line");
        if let Some(rest) = line.split("nc -U ").nth(1) {
            assert!(line.contains("socat - UNIX-CONNECT:"), "{line}");
            break PathBuf::from(rest.split_whitespace().next().unwrap());
        }
    };
    // The listener is up once the path is announced.
    let mut c = std::os::unix::net::UnixStream::connect(&path).unwrap();
    c.write_all(b"hi from outside\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut c, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let trace = String::from_utf8_lossy(&out.stdout);
    assert!(
        trace.contains("recvfrom(4, \"hi from outside\\n\", 64, 0, NULL, NULL) = 16"),
        "{trace}"
    );
    assert!(trace.contains("poll([{fd=3, events=POLLIN}], 1, 10000) = 1"));
    assert!(!path.exists());
}

/// The pretty view marks the new fds of socketpair (both ends) and of a
/// recvmsg that received a socket (its number in the receiver, the one
/// strace shows in `cmsg_data`), in both languages; the plain view stays
/// strace's lines only, with no mark.
#[test]
fn socketpair_and_received_sockets_are_marked_in_the_pretty_view_only() {
    for (lang, pair_mark, received_mark) in [
        (
            "en",
            "  ← new data sockets ",
            "  ← data socket received as fd ",
        ),
        (
            "ko",
            "  ← 새 데이터 소켓 ",
            "  ← 전달받은 데이터 소켓: 이 프로세스의 fd ",
        ),
    ] {
        let (code, out, err) = run(L12, &["--lang", lang, "--no-kernel"]);
        assert_eq!(code, 0, "{err}\n{out}");
        let pairs: Vec<&str> = out.lines().filter(|l| l.contains("socketpair(")).collect();
        assert_eq!(pairs.len(), 2, "{out}");
        for l in pairs {
            let fds = l.split_once("0, [").unwrap().1.split_once(']').unwrap().0;
            let (a, b) = fds.split_once(", ").unwrap();
            let and = if lang == "en" { " and " } else { ", " };
            assert!(l.ends_with(&format!("{pair_mark}{a}{and}{b}")), "{l}");
        }
        let recv = out
            .lines()
            .find(|l| l.contains("recvmsg(") && l.contains("SCM_RIGHTS"))
            .unwrap_or_else(|| panic!("{out}"));
        let fd = recv
            .split_once("cmsg_data=[")
            .unwrap()
            .1
            .split_once(']')
            .unwrap()
            .0;
        assert!(recv.ends_with(&format!("{received_mark}{fd}")), "{recv}");
    }
    let (code, plain, err) = run(L12, &["--lang", "en", "--trace", "plain"]);
    assert_eq!(code, 0, "{err}\n{plain}");
    assert!(
        plain.contains("socketpair(") && plain.contains("SCM_RIGHTS"),
        "{plain}"
    );
    assert!(!plain.contains('←'), "{plain}");
}
