//! Lesson 11 (addresses): every line strace-identical, glibc's own calls
//! inside getaddrinfo allowed by the one allow-list and nothing else, and
//! each claim the lesson makes about byte order, inet_pton/inet_ntop,
//! dual stack, IPV6_V6ONLY and name lookup shown by its run.

mod common;

use common::{call_line, port_in, ret_fd, run, stdout_lines as lines, traced, Interactive};
use std::io::Read;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_11_addresses");

/// Whether lo has ::1 here (a namespace or CI machine may lack it).
fn loopback6() -> bool {
    std::fs::read_to_string("/proc/net/if_inet6").is_ok_and(|t| {
        t.lines()
            .any(|l| l.starts_with("00000000000000000000000000000001") && l.ends_with("lo"))
    })
}

fn ipv6() -> bool {
    std::path::Path::new("/proc/net/if_inet6").exists()
}

#[test]
fn lesson_11_matches_strace_and_only_glibc_lookup_calls_are_allowed() {
    let Some(cmp) = traced(BIN, &[]) else {
        return;
    };
    let l = lines(&cmp);
    // Byte order: the port the kernel picked, as htons(P); the same two
    // bytes read the other way round are another port.
    let bind = call_line(&l, "bind(3, {sa_family=AF_INET, ");
    let port = port_in(call_line(&l, "getsockname(3, "));
    assert!(bind.contains("sin_addr=inet_addr(\"127.0.0.1\")"), "{bind}");
    let wrong = call_line(&l, "bind(4, {sa_family=AF_INET, ");
    let got = port_in(call_line(&l, "getsockname(4, "));
    assert_eq!(port_in(wrong), port.swap_bytes(), "{wrong}");
    if wrong.ends_with("= 0") {
        assert_eq!(got, port.swap_bytes());
    }
    if ipv6() {
        let v6bind = call_line(&l, "bind(3, {sa_family=AF_INET6, ");
        assert!(
            v6bind.contains("inet_pton(AF_INET6, \"::\", &sin6_addr), sin6_scope_id=0}, 28) = 0"),
            "{v6bind}"
        );
        assert!(l.contains(&"setsockopt(3, SOL_IPV6, IPV6_V6ONLY, [0], 4) = 0".to_string()));
        assert!(l.contains(&"setsockopt(3, SOL_IPV6, IPV6_V6ONLY, [1], 4) = 0".to_string()));
        // An IPv4 client on the dual-stack listener: a v4-mapped peer.
        let accepts: Vec<&String> = l.iter().filter(|s| s.starts_with("accept(3, ")).collect();
        assert!(
            accepts[0].contains("inet_pton(AF_INET6, \"::ffff:127.0.0.1\", &sin6_addr)"),
            "{accepts:?}"
        );
        // With IPV6_V6ONLY on, the IPv4 client is refused.
        assert!(
            l.iter().any(|s| s.starts_with("connect(")
                && s.contains("sin_addr=inet_addr(\"127.0.0.1\")")
                && s.ends_with("= -1 ECONNREFUSED (Connection refused)")),
            "{l:#?}"
        );
        if loopback6() {
            assert!(
                accepts[1].contains("inet_pton(AF_INET6, \"::1\", &sin6_addr)"),
                "{accepts:?}"
            );
        }
    }
    // glibc's own calls: on its own sockets, in the lesson's main thread,
    // during the lookups at the end, after the lesson's last socket closed.
    let libc: Vec<&socklab_tools::against_strace::Row> =
        cmp.rows.iter().filter(|r| r.libc.is_some()).collect();
    assert!(!libc.is_empty(), "no calls of glibc's seen");
    let first_libc = cmp.rows.iter().position(|r| r.libc.is_some()).unwrap();
    assert!(
        cmp.rows[first_libc..].iter().all(|r| r.libc.is_some()),
        "every call after the first lookup is glibc's: {:#?}",
        &cmp.rows[first_libc..]
    );
    let strace_of = |r: &&socklab_tools::against_strace::Row| r.strace.clone().unwrap();
    let libc_lines: Vec<String> = libc.iter().map(strace_of).collect();
    let text = libc_lines.join("\n");
    assert!(
        text.contains("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0)")
            && text.contains("sun_path=\"/var/run/nscd/socket\""),
        "glibc tries nscd's socket first:\n{text}"
    );
    assert!(
        text.contains("socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)")
            && text.contains("RTM_GETADDR"),
        "AI_ADDRCONFIG asks the kernel over netlink:\n{text}"
    );
    // Each socket glibc made, it closed.
    let opened = libc_lines
        .iter()
        .filter(|s| s.starts_with("socket("))
        .count();
    let closed = libc_lines
        .iter()
        .filter(|s| s.starts_with("close("))
        .count();
    assert_eq!(opened, closed, "{text}");
    // The allow-list is the only exception: nothing else went unprinted.
    assert!(cmp
        .rows
        .iter()
        .all(|r| r.libc.is_some() || r.strace == r.socklab));
}

/// inet_pton and inet_ntop run between the lesson's getsockname and its
/// next socket; under strace with every system call traced, nothing but
/// the write of getsockname's line (and the narration) happens there.
#[test]
fn inet_pton_and_inet_ntop_make_no_system_call() {
    if !common::strace_usable() {
        return;
    }
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let log = dir.join("all.log");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "signal=none", "-o"])
        .arg(&log)
        .args([
            BIN,
            "--port",
            "0",
            "--trace",
            "plain",
            "--no-kernel",
            "--lang",
            "en",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let main = text.split_whitespace().next().unwrap().to_string();
    let mine: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{main} ")))
        .map(str::trim_start)
        .collect();
    let start = mine
        .iter()
        .position(|l| l.starts_with("getsockname(3, {sa_family=AF_INET,"))
        .expect("getsockname of the bound socket");
    let end = start
        + mine[start..]
            .iter()
            .position(|l| l.starts_with("socket("))
            .expect("the next socket");
    let between = &mine[start + 1..end];
    assert!(!between.is_empty(), "the getsockname line is written");
    assert!(
        between.iter().all(|l| l.starts_with("write(")),
        "only writes between getsockname and socket: {between:#?}"
    );
    // getaddrinfo, in the same log: glibc's files, and nscd's socket
    // (what `socklab explain getaddrinfo` says it does).
    let lookup_calls = mine[end..].join("\n");
    for file in [
        "/etc/nsswitch.conf",
        "/etc/host.conf",
        "/etc/resolv.conf",
        "/etc/hosts",
    ] {
        assert!(
            lookup_calls.contains(&format!("openat(AT_FDCWD, \"{file}\", O_RDONLY|O_CLOEXEC)")),
            "glibc opens {file}:\n{lookup_calls}"
        );
    }
    assert!(lookup_calls.contains("{sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110)"));
    let narration = String::from_utf8_lossy(&out.stderr);
    assert!(
        narration.contains("inet_pton(AF_INET, \"127.0.0.1\") = 7f 00 00 01"),
        "{narration}"
    );
}

/// What the narration says is what the run did.
#[test]
fn lesson_11_narration_says_what_happened() {
    let (code, out, err) = run(BIN, &["--port", "0", "--lang", "en", "--trace", "pretty"]);
    assert_eq!(code, 0, "{err}");
    let calls: Vec<String> = out
        .lines()
        .filter_map(|l| l.split_once("│ ").map(|(_, c)| c.to_string()))
        .collect();
    // The sockaddr's bytes: port and address in network order (the port
    // asked for, 0 here; the kernel's pick comes back from getsockname).
    let asked = port_in(call_line(&calls, "bind(3, {sa_family=AF_INET, "));
    let port = port_in(call_line(&calls, "getsockname(3, "));
    let [hi, lo] = asked.to_be_bytes();
    assert!(
        out.contains(&format!("sin_port {hi:02x} {lo:02x}, sin_addr 7f 00 00 01")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "This x86-64 machine keeps it little-endian, low byte first: {lo:02x} {hi:02x} in memory."
        )),
        "{out}"
    );
    assert!(out.contains("little-endian in memory 01 00 00 7f, in network order 7f 00 00 01"));
    assert!(
        out.contains("inet_pton(AF_INET6, \"::ffff:127.0.0.1\") = 00 00 00 00 00 00 00 00 00 00 ff ff 7f 00 00 01"),
        "{out}"
    );
    let swapped = port.swap_bytes();
    assert!(
        out.contains(&format!("as port 0x{swapped:04x} = {swapped}"))
            && (out.contains(&format!(
                "the socket holds 127.0.0.1:{swapped}, not port {port}"
            )) || out.contains(&format!("port {swapped} is not free here"))),
        "{out}"
    );
    if ipv6() {
        let data = ret_fd(call_line(&calls, "accept(3, "));
        assert!(out.contains("the peer is [::ffff:127.0.0.1]:"), "{out}");
        // The kernel's view, from /proc/net/tcp6: the v4-mapped peer.
        assert!(
            out.contains(&format!(
                "kernel: fd {data} = TCP ESTABLISHED [::ffff:127.0.0.1]:"
            )) && out.contains("<-> [::ffff:127.0.0.1]:"),
            "{out}"
        );
        assert!(out.contains("kernel: fd 3 = TCP LISTEN [::]:"), "{out}");
        assert!(out.contains("connect returned -1 ECONNREFUSED: with IPV6_V6ONLY on"));
        assert!(out.contains("(socklab closed fd 4, the socket whose connect failed.)"));
        assert!(calls.contains(&"close(4)                                = 0".to_string()));
        let default = std::fs::read_to_string("/proc/sys/net/ipv6/bindv6only").unwrap();
        assert!(out.contains(&format!("bindv6only ({} here)", default.trim())));
        if loopback6() {
            assert!(out.contains("the peer is [::1]:"), "{out}");
            assert!(out.contains("= TCP ESTABLISHED [::1]:"), "{out}");
        }
    }
    // Name lookup: no line, glibc's reads counted, no fd left open, and
    // the answer is /etc/hosts' when it names localhost.
    let hosts_len = std::fs::metadata("/etc/hosts").unwrap().len();
    let reads: Vec<(u64, u64)> = out
        .split("this thread made ")
        .skip(1)
        .map(|rest| {
            let n = rest.split(' ').next().unwrap().parse().unwrap();
            let bytes = rest
                .split("reading ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap()
                .parse()
                .unwrap();
            (n, bytes)
        })
        .collect();
    assert_eq!(reads.len(), 2, "{out}");
    for (n, bytes) in reads {
        assert!(
            n >= 1 && bytes >= hosts_len,
            "{n} reads, {bytes} bytes: {out}"
        );
    }
    assert_eq!(
        out.matches("/proc/self/fd before and after: the same fds")
            .count(),
        2,
        "{out}"
    );
    let lookup_at = out.find("getaddrinfo — ").unwrap();
    assert!(
        !out[lookup_at..].contains("│ "),
        "no call line after the lookups: {}",
        &out[lookup_at..]
    );
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap();
    if hosts.lines().any(|l| {
        l.split('#')
            .next()
            .unwrap()
            .split_whitespace()
            .skip(1)
            .any(|w| w == "localhost")
    }) {
        assert!(
            out.contains("/etc/hosts gives localhost the addresses"),
            "{out}"
        );
        assert!(out.contains("the ones getaddrinfo returned"), "{out}");
    }
    assert!(out.contains("socklab strace 11"));
}

#[test]
fn lesson_11_in_korean() {
    let (code, out, err) = run(BIN, &["--port", "0", "--lang", "ko", "--no-kernel"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1부: 바이트 순서."), "{out}");
    assert!(out.contains("리틀 엔디안"), "{out}");
    assert!(
        out.contains("시스템 콜이 아니라 C 라이브러리 함수입니다"),
        "{out}"
    );
    assert!(!out.contains("the peer is"), "{out}");
}

/// Without ::1 on lo (net.ipv6.conf.lo.disable_ipv6 = 1, in a namespace
/// of the test's own), the lesson says what it skips and why, and still
/// shows the dual-stack listener taking an IPv4 client.
#[test]
fn lesson_11_without_ipv6_loopback_says_what_it_skips() {
    if !ipv6() {
        eprintln!("SKIPPED: no IPv6 in this kernel (/proc/net/if_inet6 is missing)");
        return;
    }
    let script = format!(
        "ip link set lo up && echo 1 > /proc/sys/net/ipv6/conf/lo/disable_ipv6 && exec {BIN} --port 0 --lang en --no-kernel"
    );
    let out = Command::new("unshare")
        .args(["-rn", "sh", "-c", &script])
        .stdin(Stdio::null())
        .output();
    let Ok(out) = out else {
        eprintln!("SKIPPED: unshare is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && text.is_empty() {
        eprintln!(
            "SKIPPED: no network namespace here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("[::1] part skipped: this machine's lo has no ::1"),
        "{text}"
    );
    assert!(text.contains("the peer is [::ffff:127.0.0.1]:"), "{text}");
    assert!(!text.contains("the peer is [::1]"), "{text}");
}

/// `--wait`: an outside IPv4 client on the dual-stack listener, then an
/// outside IPv6 client on the IPv6-only one, as `nc` would be.
#[test]
fn lesson_11_waits_for_outside_clients() {
    if !ipv6() {
        return;
    }
    let mut lesson = Interactive::spawn(BIN, common::free_port(), &[]);
    lesson.line_starting("listen(");
    let mut v4 = lesson.connect();
    let mut got = String::new();
    v4.read_to_string(&mut got).unwrap();
    assert_eq!(got, "hello over IPv4\n");
    let accept = lesson.line_starting("accept(");
    assert!(accept.contains("::ffff:127.0.0.1"), "{accept}");
    lesson.line_starting("listen(");
    if loopback6() {
        lesson.line_starting("close(4)");
        let mut v6 = std::net::TcpStream::connect(("::1", lesson.port)).unwrap();
        let mut got = String::new();
        v6.read_to_string(&mut got).unwrap();
        assert_eq!(got, "hello over IPv6\n");
    }
    let (status, _rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
}

/// Where /etc/hosts names localhost twice (::1 and 127.0.0.1; here a
/// file bound over /etc/hosts in a namespace of the test's own), glibc
/// sorts the two answers: it opens /etc/gai.conf, asks netlink, and
/// connects a UDP socket to each answer without sending anything. The
/// comparison lets those pass as glibc's, and only those.
#[test]
fn two_answers_are_sorted_with_glibcs_own_sockets() {
    if !common::strace_usable() || !loopback6() {
        return;
    }
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, "127.0.0.1 localhost\n::1 localhost\n").unwrap();
    let log = dir.join("strace.log");
    let script = format!(
        "ip link set lo up && mount --bind {hosts} /etc/hosts && {BIN} --port 0 --no-kernel --lang en --trace off && strace -f -qq -e signal=none -e trace=%net,openat -o {log} {BIN} --port 0 --no-kernel --trace off --lang en >/dev/null && exec {socklab} strace 11 --lang en",
        hosts = hosts.display(),
        log = log.display(),
        socklab = env!("CARGO_BIN_EXE_socklab"),
    );
    let out = Command::new("unshare")
        .args(["-rnm", "sh", "-c", &script])
        .stdin(Stdio::null())
        .output();
    let Ok(out) = out else {
        eprintln!("SKIPPED: unshare is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && text.is_empty() {
        eprintln!(
            "SKIPPED: no user, mount and network namespace here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("it returned 2: ::1, 127.0.0.1."), "{text}");
    assert!(
        text.contains("/etc/hosts gives localhost the addresses 127.0.0.1, ::1"),
        "{text}"
    );
    assert!(
        text.contains("lines match: socklab printed exactly what strace saw."),
        "{text}"
    );
    let libc: Vec<&str> = text.lines().filter(|l| l.starts_with("· ")).collect();
    for socket in [
        "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)",
        "socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)",
        "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)",
    ] {
        assert!(
            libc.iter().any(|l| l.contains(socket)),
            "{socket}: {libc:#?}"
        );
    }
    // The UDP sockets are connected and asked getsockname, never sent on:
    // the only sendto of glibc's is its netlink request.
    assert!(libc
        .iter()
        .any(|l| l.contains("connect(") && l.contains("inet_pton(AF_INET6, \"::1\"")));
    assert!(
        libc.iter()
            .filter(|l| l.contains("sendto("))
            .all(|l| l.contains("RTM_GETADDR")),
        "{libc:#?}"
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("openat(AT_FDCWD, \"/etc/gai.conf\""), "{log}");
}
