//! Lessons 02, 03 and 05: each runs self-contained and prints exactly what
//! strace saw, shows the thing it is there to teach, and works with an
//! outside peer in `--wait` mode.

mod common;

use common::{call_line, first_arg, port_in, run, stdout_lines as lines, traced, Interactive};
use std::io::{Read, Write};

const EADDRINUSE: &str = "= -1 EADDRINUSE (Address already in use)";

#[test]
fn lesson_02_port_0_eaddrinuse_and_so_reuseaddr() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_02_bind"), &[]) else {
        return;
    };
    let l = lines(&cmp);
    let at = |prefix: &str| -> Vec<usize> {
        (0..l.len()).filter(|&i| l[i].starts_with(prefix)).collect()
    };
    let binds: Vec<&String> = at("bind(").iter().map(|&i| &l[i]).collect();
    let names: Vec<&String> = l.iter().filter(|s| s.starts_with("getsockname(")).collect();
    assert_eq!(binds.len(), 6, "{l:#?}");
    assert_eq!(names.len(), 2, "{l:#?}");

    // Port 0 in bind; getsockname shows the port the kernel picked.
    assert_eq!(port_in(binds[1]), 0);
    assert_ne!(port_in(names[1]), 0, "the kernel picked a port");
    // Page 02: Linux prefers odd ports for bind to port 0 (and even ones
    // for connect: lesson 05's test checks that side).
    assert_eq!(port_in(names[1]) % 2, 1, "an odd port: {}", names[1]);
    let taken = port_in(names[0]);
    assert_ne!(taken, 0);
    let first = first_arg(binds[0]);
    let third = first_arg(binds[2]);
    assert_ne!(third, first, "a different socket");

    // The same address again: EADDRINUSE, and still EADDRINUSE with
    // SO_REUSEADDR on the third socket only.
    for b in &binds[2..4] {
        assert_eq!(port_in(b), taken, "{b}");
        assert!(b.ends_with(EADDRINUSE), "{b}");
    }
    let reuse = |fd: i32| {
        l.iter()
            .position(|s| {
                s.starts_with(&format!(
                    "setsockopt({fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"
                ))
            })
            .unwrap_or_else(|| panic!("SO_REUSEADDR on fd {fd}: {l:#?}"))
    };
    let bind_at = at("bind(");
    assert!(bind_at[2] < reuse(third) && reuse(third) < bind_at[3]);

    // With SO_REUSEADDR on both sockets, neither listening, the second
    // bind succeeds: two sockets hold one address.
    assert!(bind_at[3] < reuse(first) && reuse(first) < bind_at[4]);
    assert_eq!(first_arg(binds[4]), third);
    assert_eq!(port_in(binds[4]), taken);
    assert!(binds[4].ends_with(") = 0"), "{}", binds[4]);

    // Only one of them may listen: the first listen succeeds, the second
    // fails with EADDRINUSE, and its socket is closed.
    let listens = at("listen(");
    assert_eq!(listens.len(), 2, "{l:#?}");
    assert_eq!(
        l[listens[0]],
        format!("listen({first}, 1)                            = 0")
    );
    assert_eq!(
        l[listens[1]],
        format!("listen({third}, 1)                            {EADDRINUSE}")
    );
    assert_eq!(
        l[listens[1] + 1],
        format!("close({third})                                = 0")
    );

    // Once the listening socket is closed, a fresh socket without
    // SO_REUSEADDR binds the address at once.
    let first_closed = l
        .iter()
        .position(|s| s.starts_with(&format!("close({first})")))
        .unwrap();
    assert!(listens[1] < first_closed && first_closed < bind_at[5]);
    assert_eq!(port_in(binds[5]), taken);
    assert!(binds[5].ends_with(") = 0"), "{}", binds[5]);
    let last = first_arg(binds[5]);
    assert!(
        !l[first_closed..]
            .iter()
            .any(|s| s.starts_with(&format!("setsockopt({last}, "))),
        "the last socket binds without SO_REUSEADDR"
    );

    let err = String::from_utf8_lossy(&cmp.output.stderr);
    assert!(err.contains("errno EADDRINUSE"), "explained: {err}");
    assert!(err.contains("only if both set it"), "{err}");
    assert!(err.contains("only one socket may listen"), "{err}");
}

#[test]
fn lesson_03_connect_returns_before_accept_is_called() {
    if let Some(cmp) = traced(env!("CARGO_BIN_EXE_03_listen"), &[]) {
        let l = lines(&cmp);
        assert!(
            l.iter().any(|s| s.starts_with("listen(3, 2) ")),
            "backlog 2"
        );
        let connects: Vec<usize> = l
            .iter()
            .enumerate()
            .filter(|(_, s)| s.starts_with("connect("))
            .map(|(i, s)| {
                assert!(s.ends_with(" = 0"), "{s}");
                i
            })
            .collect();
        let first_accept = l.iter().position(|s| s.starts_with("accept(")).unwrap();
        assert_eq!(connects.len(), 3);
        assert!(connects.iter().all(|&c| c < first_accept), "{l:#?}");
        assert_eq!(
            l.iter().filter(|s| s.starts_with("accept(")).count(),
            2,
            "the third client is never accepted: {l:#?}"
        );
        // The listening socket closes with the third client still queued;
        // that client's recv then fails with ECONNRESET.
        let third = first_arg(&l[connects[2]]);
        let listener_close = l
            .iter()
            .position(|s| s.starts_with("close(3)"))
            .expect("the listening socket is closed");
        let reset = l
            .iter()
            .position(|s| {
                s.starts_with(&format!("recvfrom({third}, "))
                    && s.ends_with("= -1 ECONNRESET (Connection reset by peer)")
            })
            .unwrap_or_else(|| panic!("the queued client is reset: {l:#?}"));
        assert!(listener_close < reset, "{l:#?}");
    }

    // The pretty view puts both sides and the kernel's view in one stream,
    // in the order things happened: both connects returned, then the
    // kernel showed the queue, and only then was accept called.
    let (code, out, err) = run(
        env!("CARGO_BIN_EXE_03_listen"),
        &["--port", "0", "--lang", "en"],
    );
    assert_eq!(code, 0, "{err}");
    let l: Vec<&str> = out.lines().collect();
    let at = |needle: &str| {
        l.iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {out}"))
    };
    // listen(3, 2), and three connections wait: backlog + 1.
    assert!(out.contains("│ listen(3, 2) "), "{out}");
    let queue_of_3 = at("accept queue 3");
    assert!(
        l[queue_of_3 + 1].contains("Linux lets backlog + 1 connections wait for accept"),
        "{out}"
    );
    let last_connect = l.iter().rposition(|s| s.contains("│ connect(")).unwrap();
    let accept_step = at("accept — take the oldest connection");
    assert!(
        last_connect < queue_of_3 && queue_of_3 < accept_step,
        "{out}"
    );
    assert_eq!(
        l.iter()
            .filter(|s| s.contains("ESTABLISHED") && s.contains("no fd yet (inode 0)"))
            .count(),
        3,
        "three queued connections with no fd: {out}"
    );
    let one_left = at("accept queue 1");
    assert!(accept_step < one_left, "one left after two accepts: {out}");
    // The queued client is reset only once the listening socket closes.
    let close_step = at("close — close the listening socket, with client 3 still in its queue");
    let reset = at("= -1 ECONNRESET");
    assert!(one_left < close_step && close_step < reset, "{out}");
    assert!(
        l[reset..]
            .iter()
            .any(|s| s.contains("the kernel reset the connection that was still in the queue")),
        "{out}"
    );
}

#[test]
fn lesson_05_ephemeral_port_and_econnrefused() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_05_connect"), &[]) else {
        return;
    };
    let l = lines(&cmp);
    let server_port = port_in(call_line(&l, "getsockname(3, "));
    let connect = call_line(&l, "connect(");
    let client = first_arg(connect);
    assert_eq!(port_in(connect), server_port);
    assert!(connect.ends_with(" = 0"), "{connect}");
    assert!(
        !l.iter().any(|s| s.starts_with(&format!("bind({client}, "))),
        "the client never binds"
    );

    // The ephemeral port: the client's own address, picked by the kernel.
    let ours = port_in(call_line(&l, &format!("getsockname({client}, ")));
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let range: Vec<u16> = range
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert!((range[0]..=range[1]).contains(&ours), "{ours} in {range:?}");
    // Page 05: connect's ephemeral port is even (lesson 02's bind to port
    // 0 got an odd one).
    assert_eq!(ours % 2, 0, "an even port: {ours}");
    let theirs = port_in(call_line(&l, &format!("getpeername({client}, ")));
    assert_eq!(theirs, server_port);

    // Once the server is gone: ECONNREFUSED, and that socket is closed.
    let refused = l
        .iter()
        .position(|s| s.ends_with("= -1 ECONNREFUSED (Connection refused)"))
        .expect("a refused connect");
    assert_eq!(port_in(&l[refused]), server_port);
    let fd = first_arg(&l[refused]);
    assert_eq!(
        l[refused + 1..]
            .iter()
            .find(|s| s.starts_with(&format!("close({fd})"))),
        Some(&format!("close({fd})                                = 0"))
    );
    let listener_closed = l.iter().position(|s| s.starts_with("close(3)")).unwrap();
    assert!(listener_closed < refused);
}

#[test]
fn interactive_03_with_an_outside_client() {
    let lesson = Interactive::start(env!("CARGO_BIN_EXE_03_listen"));
    // As `nc 127.0.0.1 PORT`: connect returns at once, before any accept.
    let mut c = lesson.connect();
    let mut got = String::new();
    c.read_to_string(&mut got).unwrap();
    assert_eq!(got, "you waited in the accept queue\n");
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(err.contains("accept queue 1"), "{err}");
    assert_eq!(
        rest.lines().filter(|l| l.starts_with("accept(")).count(),
        1,
        "{rest}"
    );
}

#[test]
fn interactive_05_with_an_outside_server() {
    // The outside server, as `nc -l 127.0.0.1 PORT`: listening before the
    // lesson starts, so there is nothing to wait for.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let lesson = Interactive::spawn(env!("CARGO_BIN_EXE_05_connect"), port, &[]);
    let (mut conn, _) = server.accept().unwrap();
    // The lesson will dial the same port again, and must be refused: stop
    // listening before answering, as the learner stops `nc -l`.
    drop(server);
    let mut hello = [0u8; 14];
    conn.read_exact(&mut hello).unwrap();
    assert_eq!(&hello, b"hello, server\n");
    conn.write_all(b"hi there\n").unwrap();
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).unwrap();
    assert!(
        rest.is_empty(),
        "the lesson closed after reading the answer"
    );

    let (status, trace, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        trace
            .lines()
            .any(|l| l.starts_with("recvfrom(3, \"hi there\\n\", 64, ")),
        "{trace}"
    );
    assert!(
        trace.contains("= -1 ECONNREFUSED (Connection refused)"),
        "{trace}"
    );
    assert!(err.contains(&format!("nc -l 127.0.0.1 {port}")), "{err}");
}

#[test]
fn a_client_lesson_cannot_wait_for_a_server_on_port_0() {
    let (code, _, err) = run(
        env!("CARGO_BIN_EXE_05_connect"),
        &["--wait", "--port", "0", "--lang", "en"],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--port 7805"), "{err}");
}

#[test]
fn wait_with_port_0_names_the_real_port() {
    let mut lesson = Interactive::spawn(env!("CARGO_BIN_EXE_03_listen"), 0, &[]);
    let name = lesson.line_starting("getsockname(");
    let port = port_in(&name);
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut got = String::new();
    c.read_to_string(&mut got).unwrap();
    let (status, _, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        err.contains(&format!("nc 127.0.0.1 {port}")),
        "the command to run names port {port}, not 0: {err}"
    );
}

#[test]
fn interactive_02_an_outside_client_is_refused_by_a_bound_socket() {
    let mut lesson =
        Interactive::spawn_waiting_for_enter(env!("CARGO_BIN_EXE_02_bind"), 0, &["--no-kernel"]);
    let bound = lesson.line_starting("getsockname(");
    // The lesson now waits for Enter, its socket bound and not listening.
    let refused = std::net::TcpStream::connect(("127.0.0.1", port_in(&bound)));
    let kind = refused.map(|_| ()).unwrap_err().kind();
    lesson.enter();
    let (status, _, err) = lesson.finish();
    assert_eq!(kind, std::io::ErrorKind::ConnectionRefused);
    assert!(status.success(), "{err}");
}
