//! `socklab explain NAME --demo`: every errno `explain` lists is made to
//! happen, with the calls its text claims, and the demos' lines are
//! strace's lines.

mod common;

use socklab::addr::SockAddr;
use socklab::event::{ArgValue, CallEvent};
use socklab::strace::consts::errno_name;
use socklab::strace::Ret;
use socklab::trace::Role;
use socklab_tools::record::parse_events;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const SOCKLAB: &str = env!("CARGO_BIN_EXE_socklab");

fn demo(name: &str, lang: &str, view: &str) -> Output {
    Command::new(SOCKLAB)
        .args(["explain", name, "--demo", "--lang", lang])
        .env("SOCKLAB_TRACE", view)
        .env_remove("SOCKLAB_RECORD")
        .stdin(Stdio::null())
        .output()
        .expect("run socklab")
}

/// The demo's calls, from its JSON trace on stdout.
fn calls(name: &str) -> Vec<CallEvent> {
    let o = demo(name, "en", "json");
    assert!(
        o.status.success(),
        "explain {name} --demo: {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    parse_events(&String::from_utf8_lossy(&o.stdout)).expect("JSON trace")
}

/// The error a call failed with, by name (`EAGAIN`).
fn errno(c: &CallEvent) -> Option<String> {
    match c.ret {
        Ret::Error(e) => Some(errno_name(e)),
        _ => None,
    }
}

/// `syscall:ERRNO`, or `syscall:N` for a return value, or `syscall:ok`.
fn brief(c: &CallEvent) -> String {
    match (errno(c), c.value()) {
        (Some(e), _) => format!("{}:{e}", c.syscall),
        (None, v) => format!("{}:{}", c.syscall, v.unwrap_or_default()),
    }
}

/// `want` appears in the calls in this order (other calls may come between).
fn assert_in_order(name: &str, got: &[CallEvent], want: &[&str]) {
    let seen: Vec<String> = got.iter().map(brief).collect();
    let mut at = 0;
    for w in want {
        let found = seen[at..].iter().position(|s| {
            s == w
                || (w.ends_with(":ok")
                    && s.starts_with(w.trim_end_matches("ok"))
                    && !s.contains(":E"))
        });
        match found {
            Some(i) => at += i + 1,
            None => panic!("{name}: no {w} after call {at} in {seen:#?}"),
        }
    }
}

fn unprivileged_port_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(1024)
}

/// What each errno's demo must show, in order: the claims of its text.
fn expected(errno: &str) -> Vec<&'static str> {
    match errno {
        "EACCES" => vec!["bind:EACCES"],
        "EADDRINUSE" => vec![
            "listen:0",
            "bind:EADDRINUSE",
            // 0.0.0.0 after 127.0.0.1 on one port, then 127.0.0.1 after 0.0.0.0
            "bind:EADDRINUSE",
            "bind:0",
            "getsockname:0",
            "bind:EADDRINUSE",
            // both SO_REUSEADDR: the second bind works, the second listen fails
            "setsockopt:0",
            "bind:0",
            "setsockopt:0",
            "bind:0",
            "listen:0",
            "listen:EADDRINUSE",
            // TIME_WAIT from a listener without SO_REUSEADDR
            "accept:ok",
            "setsockopt:0",
            "bind:EADDRINUSE",
            // a Unix socket's path: the file close leaves, until unlink
            "bind:0",
            "close:0",
            "bind:EADDRINUSE",
            "unlink:0",
            "bind:0",
        ],
        // 192.0.2.1, then 127.0.0.1 without htonl
        "EADDRNOTAVAIL" => vec!["bind:EADDRNOTAVAIL", "bind:EADDRNOTAVAIL"],
        "EAFNOSUPPORT" => vec!["socket:EAFNOSUPPORT"],
        "EAGAIN" => vec![
            "recvfrom:EAGAIN",
            "accept:EAGAIN",
            "setsockopt:0",
            "recvfrom:EAGAIN",
            "sendto:ok",
            "sendto:EAGAIN",
            // the server's sends fill the other direction: both sides stuck
            "sendto:ok",
            "sendto:EAGAIN",
            "poll:0",
        ],
        "EALREADY" => vec![
            "connect:0",
            "setsockopt:0",
            "connect:EINTR",
            "connect:EALREADY",
            "getsockopt:0",
        ],
        "EBADF" => vec!["close:0", "sendto:EBADF", "close:EBADF"],
        "ECONNABORTED" => vec![
            "setsockopt:0",
            "close:0",
            "accept:ok",
            "recvfrom:ECONNRESET",
        ],
        "ECONNREFUSED" => vec![
            "connect:ECONNREFUSED",
            "sendto:4",
            "sendto:4",
            "connect:0",
            "sendto:4",
            "sendto:ECONNREFUSED",
        ],
        "ECONNRESET" => vec![
            "setsockopt:0",
            "close:0",
            "recvfrom:ECONNRESET",
            "recvfrom:0",
            "sendto:6",
            "close:0",
            "recvfrom:ECONNRESET",
        ],
        "EEXIST" | "ENOENT" => vec!["epoll_ctl:0", "epoll_ctl:EEXIST", "epoll_ctl:ENOENT"],
        "EINPROGRESS" => vec![
            "connect:EINPROGRESS",
            "poll:1",
            "getsockopt:0",
            "accept:ok",
            "connect:EINPROGRESS",
            "poll:1",
            "getsockopt:0",
        ],
        "EINTR" => vec![
            "setsockopt:0",
            "recvfrom:EINTR",
            "connect:EINTR",
            "connect:EALREADY",
        ],
        "EINVAL" => vec!["bind:0", "bind:EINVAL", "accept:EINVAL"],
        "EISCONN" => vec!["connect:0", "connect:EISCONN", "connect:EISCONN"],
        "EMFILE" => vec![
            // two clients come and go; the server never closes their fds
            "accept:ok",
            "close:0",
            "accept:ok",
            "close:0",
            "connect:0",
            "accept:EMFILE",
            "socket:EMFILE",
            // closing the leaked fds gives the numbers back
            "close:0",
            "close:0",
            "accept:ok",
        ],
        "EMSGSIZE" => vec!["sendto:EMSGSIZE", "sendto:65507"],
        "ENETUNREACH" => vec!["connect:ENETUNREACH"],
        "ENOPROTOOPT" => vec!["setsockopt:ENOPROTOOPT"],
        "ENOTCONN" => vec![
            "recvfrom:ENOTCONN",
            "recvfrom:ENOTCONN",
            "getpeername:ENOTCONN",
            "getpeername:ENOTCONN",
            "shutdown:ENOTCONN",
        ],
        "ENOTSOCK" => vec!["getsockname:ENOTSOCK"],
        "EOPNOTSUPP" => vec!["bind:0", "listen:EOPNOTSUPP"],
        "EPIPE" => vec![
            "close:0",
            "sendto:5",
            "sendto:EPIPE",
            "sendto:EPIPE",
            "sendto:EPIPE",
            "shutdown:0",
            "sendto:EPIPE",
        ],
        "ETIMEDOUT" => vec!["connect:0", "setsockopt:0", "connect:ETIMEDOUT"],
        // a child running (0), then a zombie collected, then none left
        "ECHILD" => vec!["clone:ok", "wait4:0", "wait4:ok", "wait4:ECHILD"],
        other => {
            panic!("{other}: explain lists it, but this test does not know what its demo shows")
        }
    }
}

#[test]
fn every_errno_explain_lists_is_shown_happening() {
    let errnos = socklab_tools::explain::errnos();
    assert!(errnos.len() >= 20, "{errnos:?}");
    for errno in errnos {
        let got = calls(errno);
        if errno == "EACCES" && unprivileged_port_start() <= 1 {
            // Every port is open to everyone here: the demo says so instead.
            assert!(got.is_empty(), "{got:?}");
            continue;
        }
        // explain says Linux's accept does not return ECONNABORTED for a
        // client that reset first: the demo shows accept succeeding.
        let shown = got.iter().any(|c| self::errno(c).as_deref() == Some(errno));
        assert_eq!(shown, errno != "ECONNABORTED", "{errno}: {got:#?}");
        assert_in_order(errno, &got, &expected(errno));
    }
}

#[test]
fn each_call_demo_shows_success_and_its_main_error() {
    let cases: &[(&str, &[&str])] = &[
        (
            "socket",
            &["socket:ok", "bind:0", "listen:0", "socket:EMFILE"],
        ),
        ("bind", &["bind:0", "getsockname:0", "bind:EADDRINUSE"]),
        ("listen", &["listen:0", "listen:EOPNOTSUPP"]),
        (
            "accept",
            &["accept:ok", "getpeername:0", "accept:ok", "accept:EINVAL"],
        ),
        (
            "connect",
            &["connect:0", "getsockname:0", "connect:ECONNREFUSED"],
        ),
        (
            "select",
            &[
                "connect:0",
                "pselect6:1",
                "accept:ok",
                "close:0",
                "poll:1",
                "recvfrom:0",
                "close:0",
                "pselect6:EBADF",
            ],
        ),
        // The same demo: select and poll, side by side.
        (
            "poll",
            &[
                "pselect6:1",
                "accept:ok",
                "poll:1",
                "recvfrom:0",
                "pselect6:EBADF",
            ],
        ),
        (
            "send",
            &[
                "sendto:6",
                "sendto:5",
                "recvfrom:11",
                "setsockopt:0",
                "connect:0",
                "accept:ok",
                "sendto:ok",
                "sendto:EAGAIN",
                // blocking, cut short by a signal
                "setsockopt:0",
                "sendto:ok",
                "sendto:EPIPE",
            ],
        ),
        (
            "recv",
            &[
                "sendto:2",
                "recvfrom:2",
                "recvfrom:0",
                "recvfrom:0",
                "recvfrom:0",
                "recvfrom:ENOTCONN",
            ],
        ),
        ("sendto", &["sendto:4", "recvfrom:4", "sendto:ECONNREFUSED"]),
        (
            "recvfrom",
            &[
                "recvfrom:4",
                "recvfrom:10",
                "recvfrom:EAGAIN",
                "connect:0",
                "sendto:4",
                "recvfrom:ECONNREFUSED",
            ],
        ),
        (
            "shutdown",
            &[
                "shutdown:0",
                "recvfrom:0",
                "sendto:6",
                "recvfrom:6",
                "shutdown:ENOTCONN",
            ],
        ),
        (
            "close",
            &[
                "close:0",
                "recvfrom:0",
                "recvfrom:0",
                "close:0",
                "recvfrom:0",
                "socket:ok",
                "close:EBADF",
            ],
        ),
        (
            "setsockopt",
            &[
                "bind:EADDRINUSE",
                "bind:0",
                "listen:0",
                "listen:EADDRINUSE",
                "listen:0",
                "listen:0",
                "setsockopt:ENOPROTOOPT",
            ],
        ),
        ("getsockname", &["getsockname:0", "getsockname:ENOTSOCK"]),
        ("getpeername", &["getpeername:0", "getpeername:ENOTCONN"]),
        (
            "getsockopt",
            &[
                "setsockopt:0",
                "getsockopt:0",
                "setsockopt:0",
                "getsockopt:0",
                "close:0",
                "getsockopt:EBADF",
            ],
        ),
        (
            "socketpair",
            &[
                "socketpair:0",
                "getsockname:0",
                "getpeername:0",
                "sendto:2",
                "recvfrom:2",
                "socketpair:EOPNOTSUPP",
            ],
        ),
        (
            "sendmsg",
            &[
                "socketpair:0",
                "socket:ok",
                "sendmsg:1",
                "recvmsg:1",
                "close:0",
                "getsockname:0",
                "recvmsg:EAGAIN",
                "sendmsg:EBADF",
            ],
        ),
        ("recvmsg", &["sendmsg:1", "recvmsg:1", "recvmsg:EAGAIN"]),
        (
            "unlink",
            &[
                "bind:0",
                "close:0",
                "bind:EADDRINUSE",
                "unlink:0",
                "bind:0",
                "close:0",
                "unlink:0",
                "unlink:ENOENT",
            ],
        ),
        ("fork", &["clone:ok", "wait4:0", "wait4:ok", "wait4:ECHILD"]),
        (
            "waitpid",
            &["clone:ok", "wait4:0", "wait4:ok", "wait4:ECHILD"],
        ),
        (
            "epoll_ctl",
            &[
                "epoll_ctl:0",
                "sendto:8",
                "epoll_wait:1",
                "recvfrom:2",
                "epoll_wait:0",
                "recvfrom:6",
                "recvfrom:EAGAIN",
                "sendto:4",
                "epoll_wait:1",
                "recvfrom:4",
            ],
        ),
    ];
    for (call, want) in cases {
        assert_in_order(call, &calls(call), want);
    }
    // Every call demo is in the table above.
    for name in socklab_tools::demo::names() {
        if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            assert!(
                cases.iter().any(|(c, _)| c == &name),
                "{name} is not tested"
            );
        }
    }
}

/// The calls of a demo on one fd, in order.
fn on_fd(got: &[CallEvent], fd: i32) -> Vec<String> {
    got.iter().filter(|c| c.fd == Some(fd)).map(brief).collect()
}

/// Lessons 01 and 08 say a server that never closes its data sockets runs
/// out of fds: the fds accept returned before EMFILE are still open then.
#[test]
fn emfile_comes_from_data_sockets_never_closed() {
    let got = calls("EMFILE");
    let emfile = got
        .iter()
        .position(|c| c.syscall == "accept" && errno(c).as_deref() == Some("EMFILE"))
        .expect("accept EMFILE");
    let leaked: Vec<i32> = got[..emfile]
        .iter()
        .filter(|c| c.syscall == "accept")
        .filter_map(|c| c.value().map(|fd| fd as i32))
        .collect();
    assert_eq!(leaked.len(), 2, "{got:#?}");
    for fd in &leaked {
        assert!(
            !got[..emfile]
                .iter()
                .any(|c| c.syscall == "close" && c.fd == Some(*fd)),
            "fd {fd} was closed before EMFILE"
        );
    }
    // They are closed after, and the queued connection is accepted.
    let after: Vec<String> = got[emfile..].iter().map(brief).collect();
    let closed: Vec<i32> = got[emfile..]
        .iter()
        .filter(|c| c.syscall == "close")
        .filter_map(|c| c.fd)
        .collect();
    assert!(leaked.iter().all(|fd| closed.contains(fd)), "{after:?}");
}

/// Lesson 02: 0.0.0.0 and 127.0.0.1 on one port conflict, in either order;
/// forgetting htonl asks for 1.0.0.127, which is EADDRNOTAVAIL.
#[test]
fn bind_mistakes_of_lesson_02() {
    let binds = |name: &str| -> Vec<String> {
        calls(name)
            .into_iter()
            .filter(|c| c.syscall == "bind")
            // The EADDRINUSE demo ends with a Unix socket's path.
            .filter(|c| !matches!(c.addr(), Some(SockAddr::Unix(_))))
            .map(|c| {
                let ip = match c.addr() {
                    Some(SockAddr::V4(a)) => a.ip().to_string(),
                    other => panic!("bind of {other:?}"),
                };
                format!("{ip} {}", brief(&c))
            })
            .collect()
    };
    let inuse = binds("EADDRINUSE");
    let any = |s: &String| s.starts_with("0.0.0.0 ");
    let lo = |s: &String| s.starts_with("127.0.0.1 ");
    let i = inuse
        .iter()
        .position(|b| any(b) && b.ends_with("bind:EADDRINUSE"))
        .expect("0.0.0.0 refused after 127.0.0.1");
    assert!(lo(&inuse[0]) && inuse[0].ends_with("bind:0"), "{inuse:#?}");
    assert!(
        any(&inuse[i + 1]) && inuse[i + 1].ends_with("bind:0"),
        "{inuse:#?}"
    );
    assert!(
        lo(&inuse[i + 2]) && inuse[i + 2].ends_with("bind:EADDRINUSE"),
        "{inuse:#?}"
    );
    let notavail = binds("EADDRNOTAVAIL");
    assert!(
        notavail
            .iter()
            .any(|b| b.starts_with("1.0.0.127 ") && b.ends_with("bind:EADDRNOTAVAIL")),
        "{notavail:#?}"
    );
}

/// Lesson 04: recv on the listening fd fails with ENOTCONN.
#[test]
fn recv_on_a_listening_socket_is_enotconn() {
    let got = calls("ENOTCONN");
    assert!(
        got.iter().any(|c| c.syscall == "recvfrom"
            && c.role == Some(Role::Listening)
            && errno(c).as_deref() == Some("ENOTCONN")),
        "{got:#?}"
    );
}

/// Lesson 06: a non-blocking send with a full buffer returns less than it
/// was asked to send, and then EAGAIN; so does a blocking send that a signal
/// interrupts; after EOF recv returns 0 every time.
#[test]
fn partial_sends_and_zero_after_zero() {
    let got = calls("send");
    let first_short = got
        .iter()
        .position(|c| c.syscall == "sendto" && c.arg(2) == Some(&ArgValue::Int(1 << 20)))
        .expect("a 1 MiB send");
    let fd = got[first_short].fd.unwrap();
    let rest = on_fd(&got[first_short..], fd);
    // The client's sends until it closes.
    let sends: Vec<&String> = rest
        .iter()
        .take_while(|s| s.as_str() != "close:0")
        .filter(|s| s.starts_with("sendto:"))
        .collect();
    let (last, short) = sends.split_last().unwrap();
    assert_eq!(*last, "sendto:EAGAIN", "{rest:?}");
    assert!(!short.is_empty(), "{rest:?}");
    for s in short {
        let n: usize = s["sendto:".len()..].parse().expect(s);
        assert!(n > 0 && n < 1 << 20, "{s} is not a partial send");
    }
    // A blocking send that a signal interrupts returns what it copied.
    let blocking = got
        .iter()
        .find(|c| {
            c.syscall == "sendto"
                && c.arg(2) == Some(&ArgValue::Int(1 << 20))
                && c.args[3].as_i64() == Some(0)
        })
        .expect("a blocking 1 MiB send");
    assert!(
        blocking.value().is_some_and(|n| n > 0 && n < 1 << 20),
        "{blocking:?}"
    );

    let got = calls("recv");
    let eof = got
        .iter()
        .position(|c| c.syscall == "recvfrom" && c.value() == Some(0))
        .expect("recv 0");
    let fd = got[eof].fd.unwrap();
    assert_eq!(
        on_fd(&got[eof..], fd)[..4],
        ["recvfrom:0", "recvfrom:0", "recvfrom:0", "close:0"],
        "{got:#?}"
    );
}

/// Lesson 07: CLOSE_WAIT lasts until this side closes. The pretty view
/// puts the kernel's view between the calls, in order.
#[test]
fn close_wait_lasts_until_this_side_closes() {
    let o = demo("close", "en", "pretty");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    let at = |from: usize, what: &str| {
        lines[from..]
            .iter()
            .position(|l| l.contains(what))
            .map(|i| from + i)
            .unwrap_or_else(|| panic!("no {what:?} after line {from}:\n{out}"))
    };
    let eof = at(0, "recvfrom(4, \"\", 64, MSG_DONTWAIT, NULL, NULL) = 0");
    let wait1 = at(eof, "/proc/net/tcp: TCP CLOSE_WAIT");
    let eof2 = at(wait1, "recvfrom(4, \"\", 64, MSG_DONTWAIT, NULL, NULL) = 0");
    let wait2 = at(eof2, "/proc/net/tcp: TCP CLOSE_WAIT");
    let close = at(wait2, "close(4)");
    let gone = at(close, "/proc/net/tcp: no entry for");
    // Nothing closed fd 4 between the two CLOSE_WAIT sightings.
    assert!(!lines[eof..close].iter().any(|l| l.contains("close(4)")));
    assert!(gone > close);
}

/// Lesson 09: when neither side reads, both sides' sends end in EAGAIN
/// and neither socket becomes writable.
#[test]
fn both_sides_full_with_nobody_reading() {
    let got = calls("EAGAIN");
    let full: Vec<i32> = got
        .iter()
        .filter(|c| c.syscall == "sendto" && errno(c).as_deref() == Some("EAGAIN"))
        .filter_map(|c| c.fd)
        .collect();
    assert_eq!(full.len(), 2, "{got:#?}");
    assert_ne!(full[0], full[1], "both sides: {full:?}");
    let last = got.iter().rposition(|c| c.syscall == "sendto").unwrap();
    let polled = &got[last + 1];
    assert_eq!(brief(polled), "poll:0", "{polled:?}");
    for fd in &full {
        assert!(
            polled.args[0]
                .text
                .contains(&format!("fd={fd}, events=POLLOUT")),
            "{polled:?}"
        );
    }
}

/// Every demo but those whose calls strace's `trace=%net,close,poll` set
/// cannot all see: epoll (EEXIST, ENOENT) and closes of numbers that are
/// not open (EBADF, and `close`, whose demo ends with EBADF).
#[test]
fn the_demos_print_what_strace_prints() {
    if !common::strace_usable() {
        return;
    }
    for name in [
        "ECONNREFUSED",
        "EADDRINUSE",
        "ECONNRESET",
        "EPIPE",
        "EAGAIN",
        "ENOTCONN",
        "EMFILE",
        "EINVAL",
        "EINTR",
        "ECONNABORTED",
        "EINPROGRESS",
        "EISCONN",
        "ENOTSOCK",
        "EACCES",
        "EADDRNOTAVAIL",
        "EAFNOSUPPORT",
        "EALREADY",
        "EMSGSIZE",
        "ENETUNREACH",
        "ENOPROTOOPT",
        "EOPNOTSUPP",
        "ETIMEDOUT",
        "socket",
        "bind",
        "listen",
        "accept",
        "connect",
        "send",
        "recv",
        "sendto",
        "recvfrom",
        "shutdown",
        "setsockopt",
        "getsockname",
        "getpeername",
        "socketpair",
        "sendmsg",
        "unlink",
        "IPV6_V6ONLY",
        "select",
    ] {
        // A Unix socket's file is removed with unlink, traced too.
        let cmp = common::assert_matches_strace_also(
            Path::new(SOCKLAB),
            &["explain", name, "--demo", "--lang", "en"],
            &["unlink"],
        );
        assert!(!cmp.rows.is_empty(), "{name}: no calls");
    }
}

#[test]
fn narration_in_korean_and_out_of_the_way_of_a_plain_trace() {
    let o = demo("EPIPE", "ko", "plain");
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    // stdout: only strace's lines; the narration is on stderr, in Korean.
    assert!(
        out.lines().all(|l| l.contains('(') && l.contains(" = ")),
        "{out}"
    );
    assert!(err.contains("EPIPE") && err.contains("SIGPIPE"), "{err}");
    assert!(
        err.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c)),
        "{err}"
    );
    let en = demo("EPIPE", "en", "pretty");
    assert!(String::from_utf8_lossy(&en.stdout).contains("The first send succeeds"));
}

#[test]
fn a_name_without_a_demo_is_one_line_and_exit_2() {
    for name in ["fcntl", "xyzzy", "EWHATEVER"] {
        let o = demo(name, "en", "plain");
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("no demo for"), "{err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn a_huge_hostile_name_is_not_echoed_whole() {
    let name = format!("\x1b[2J{}", "x".repeat(10_000));
    for extra in [&[][..], &["--demo"][..]] {
        let o = Command::new(SOCKLAB)
            .arg("explain")
            .arg(&name)
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains('\x1b'), "raw escape echoed");
        assert!(err.len() < 1200, "{} bytes echoed", err.len());
        assert!(err.contains('…'));
    }
}

#[test]
fn an_errno_without_demo_flag_points_to_the_demo() {
    let o = Command::new(SOCKLAB)
        .args(["explain", "ECONNREFUSED", "--lang", "en"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("socklab explain ECONNREFUSED --demo"), "{err}");
}

/// The pages point to demos for their claims: every
/// `socklab explain NAME --demo` they name exists.
#[test]
fn every_demo_the_docs_name_exists() {
    // These tests belong to tools/; the docs are beside it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut pages = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    let mut named = 0;
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for piece in text.split("socklab explain ").skip(1) {
            let mut words = piece
                .split_whitespace()
                .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()));
            let (Some(name), Some("--demo")) = (words.next(), words.next()) else {
                continue;
            };
            named += 1;
            assert!(
                socklab_tools::demo::find(name).is_some(),
                "{} names `socklab explain {name} --demo`, which does not exist",
                page.display()
            );
        }
    }
    assert!(named >= 10, "only {named} demos named in the docs");
}

/// A nonblocking connect's two outcomes, told by SO_ERROR after poll: [0]
/// to a listener, [ECONNREFUSED] to a port where nothing listens.
#[test]
fn einprogress_ends_in_so_error_0_or_econnrefused() {
    let got = calls("EINPROGRESS");
    let so_error: Vec<String> = got
        .iter()
        .filter(|c| c.syscall == "getsockopt")
        .map(|c| c.line())
        .collect();
    assert_eq!(so_error.len(), 2, "{so_error:#?}");
    assert!(
        so_error[0].contains("SO_ERROR, [0], [4]) = 0"),
        "{so_error:?}"
    );
    assert!(
        so_error[1].contains("SO_ERROR, [ECONNREFUSED], [4]) = 0"),
        "{so_error:?}"
    );
    let polls: Vec<String> = got
        .iter()
        .filter(|c| c.syscall == "poll")
        .map(|c| c.line())
        .collect();
    assert!(polls[0].ends_with("revents=POLLOUT}])"), "{polls:?}");
    assert!(
        polls[1].ends_with("revents=POLLOUT|POLLERR|POLLHUP}])"),
        "{polls:?}"
    );
}

/// fork's demo: a child is a zombie (state Z, SIGCHLD pending) until
/// waitpid collects it, and /proc/PID is gone after; and a fork under
/// RLIMIT_NPROC 1 fails with EAGAIN, unless this process is privileged,
/// which the demo then says.
#[test]
fn fork_demo_shows_the_zombie_and_the_process_limit() {
    let o = demo("fork", "en", "pretty");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let clone = out
        .lines()
        .find_map(|l| l.split_once("│ clone(").map(|(_, c)| c))
        .expect("a clone line");
    let child = common::event(&format!("clone({clone}"))
        .value()
        .expect("the child's pid");
    assert!(
        out.contains(&format!("   /proc/{child}/stat: state Z")),
        "{out}"
    );
    assert!(out.contains("status: ShdPnd 0000000000010000"), "{out}");
    let got = calls("fork");
    let last_fork = got.iter().rfind(|c| c.syscall == "clone").unwrap();
    match errno(last_fork) {
        Some(e) => assert_eq!(e, "EAGAIN"),
        None => assert!(
            out.contains("fork succeeded: this process is privileged"),
            "{out}"
        ),
    }
}

/// `socklab explain EPOLLET --demo` is epoll_ctl's: the stall after a
/// partial read, the fix (read until EAGAIN), and a new edge.
#[test]
fn epollet_demo_is_epoll_ctls() {
    let a: Vec<String> = calls("EPOLLET").iter().map(brief).collect();
    let b: Vec<String> = calls("epoll_ctl").iter().map(brief).collect();
    assert_eq!(a, b);
    let o = demo("EPOLLET", "en", "pretty");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("0, though 6 bytes wait"), "{out}");
}
