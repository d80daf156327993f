//! Lessons 06 to 09: each runs self-contained and prints exactly what
//! strace saw, shows the thing it is there to teach, and serves an outside
//! peer with `--wait` as `nc` would be.

mod common;

use common::{
    call_line, first_arg, port_in, ret_fd, run, stdout_lines as lines, traced, Interactive,
};
use std::io::{Read, Write};

#[test]
fn lesson_06_one_recv_gets_both_sends_and_0_means_closed() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_06_send_recv"), &[]) else {
        return;
    };
    let l = lines(&cmp);
    let data = ret_fd(call_line(&l, "accept("));
    let recvs: Vec<&String> = l
        .iter()
        .filter(|s| s.starts_with(&format!("recvfrom({data}, ")))
        .collect();
    assert!(
        recvs[0].starts_with(&format!(
            "recvfrom({data}, \"hello world\\n\", 64, 0, NULL, NULL) = 12"
        )),
        "one recv got both sends: {recvs:#?}"
    );
    let small: Vec<i32> = recvs
        .iter()
        .filter(|s| s.contains(", 32, 0, NULL, NULL)"))
        .map(|s| ret_fd(s))
        .collect();
    assert_eq!(
        small,
        [32, 32, 32, 4, 0],
        "100 bytes in 32-byte pieces, then 0: {recvs:#?}"
    );
    let last = recvs.last().unwrap();
    assert!(
        last.starts_with(&format!("recvfrom({data}, \"\", 32, 0, NULL, NULL)"))
            && last.ends_with("= 0"),
        "the last recv returns 0 when the client has closed: {last}"
    );
    // send returns how many bytes were queued.
    let sends: Vec<i32> = l
        .iter()
        .filter(|s| s.starts_with("sendto(") && !s.starts_with(&format!("sendto({data}, ")))
        .map(|s| ret_fd(s))
        .collect();
    assert_eq!(sends, [6, 6, 100], "the client's sends: {l:#?}");
}

#[test]
fn lesson_07_half_close_and_time_wait_on_the_side_that_closed_first() {
    if let Some(cmp) = traced(env!("CARGO_BIN_EXE_07_close"), &[]) {
        let l = lines(&cmp);
        let client = first_arg(call_line(&l, "connect("));
        assert!(
            l.iter()
                .any(|s| s.starts_with(&format!("shutdown({client}, SHUT_WR)"))),
            "the client shuts down its sending side: {l:#?}"
        );
        // After EOF the server still answers, and the client receives it.
        let data = ret_fd(call_line(&l, "accept("));
        let eof = l
            .iter()
            .position(|s| s.starts_with(&format!("recvfrom({data}, \"\", ")))
            .expect("the server reads EOF");
        let answer = l
            .iter()
            .position(|s| s.starts_with(&format!("sendto({data}, \"18 bytes\\n\"")))
            .expect("the server answers");
        assert!(eof < answer, "{l:#?}");
        assert!(l
            .iter()
            .any(|s| s.starts_with(&format!("recvfrom({client}, \"18 bytes\\n\""))));
    }

    // The pretty view: TIME_WAIT is on the client's address pair.
    let (code, out, err) = run(
        env!("CARGO_BIN_EXE_07_close"),
        &["--port", "0", "--trace", "pretty", "--lang", "en"],
    );
    assert_eq!(code, 0, "{err}");
    let l: Vec<String> = out.lines().map(str::to_string).collect();
    let server = port_in(call_line(&l, "getsockname("));
    let client = port_in(call_line(&l, "accept("));
    // The first part, up to "Now the other order": the client closed first.
    let (first_part, second_part) = out
        .split_once("Now the other order")
        .unwrap_or_else(|| panic!("a second part where the server closes first: {out}"));
    let marker = format!("kernel: TCP TIME_WAIT 127.0.0.1:{client} <-> 127.0.0.1:{server}");
    assert!(
        first_part.contains(&marker),
        "TIME_WAIT on the client's side: {out}"
    );
    assert!(
        !first_part.contains(&format!("TIME_WAIT 127.0.0.1:{server} <->")),
        "no TIME_WAIT on the server's side: {out}"
    );
    assert!(out.contains("CLOSE_WAIT"), "the server saw the FIN: {out}");
    assert!(out.contains("SO_REUSEADDR"));
    // The narration says which side closed first in this run: the client,
    // whose shutdown comes before the server's close of the data socket.
    let shutdown = l.iter().position(|s| s.contains("│ shutdown(")).unwrap();
    let server_close = l
        .iter()
        .position(|s| s.contains(&format!("│ close({})", ret_fd(call_line(&l, "accept(")))))
        .unwrap();
    assert!(shutdown < server_close, "{out}");
    assert!(
        out.contains("In this lesson the client closed first"),
        "{out}"
    );
    let listen_fd = first_arg(call_line(&l, "listen("));
    let (second_part, third_part) = second_part
        .split_once("Last, what some programs do to avoid TIME_WAIT")
        .unwrap_or_else(|| panic!("a last part with SO_LINGER 0: {out}"));
    server_closed_first_and_a_restart_binds_through_time_wait(server, listen_fd, second_part);
    linger_zero_resets_and_leaves_no_time_wait(server, third_part);
}

/// Lesson 07's last part: the restarted server sets SO_LINGER {1, 0} on a
/// third client's data socket and closes it; the client's recv fails with
/// ECONNRESET, and the kernel lists nothing for the pair on either side.
fn linger_zero_resets_and_leaves_no_time_wait(server: u16, out: &str) {
    let l: Vec<&str> = out.lines().collect();
    let at = |needle: &str| {
        l.iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {out}"))
    };
    let accept = at("│ accept(");
    let data = ret_fd(l[accept]);
    let client_port = port_in(l[accept]);
    let client = l
        .iter()
        .find(|s| s.contains("│ connect("))
        .map(|s| first_arg(s.split("│ ").nth(1).unwrap_or(s)))
        .expect("the third client connects");
    let linger = at(&format!(
        "│ setsockopt({data}, SOL_SOCKET, SO_LINGER, {{l_onoff=1, l_linger=0}}, 8) = 0"
    ));
    let close = at(&format!("│ close({data})"));
    let reset = at(&format!("│ recvfrom({client}, "));
    assert!(
        l[reset].ends_with("= -1 ECONNRESET (Connection reset by peer)"),
        "{out}"
    );
    assert!(accept < linger && linger < close && close < reset, "{out}");
    let nothing = at(&format!(
        "kernel: nothing left for 127.0.0.1:{server} <-> 127.0.0.1:{client_port} on either side"
    ));
    assert!(reset < nothing, "{out}");
    assert!(
        !out.contains("TIME_WAIT 127.0.0.1"),
        "no TIME_WAIT entry: {out}"
    );
}

/// Lesson 07's second part: the server closes first, so TIME_WAIT holds
/// the server's port; once the listener is closed a new socket gets
/// EADDRINUSE without SO_REUSEADDR and binds and listens with it, while
/// the TIME_WAIT entry is still listed.
fn server_closed_first_and_a_restart_binds_through_time_wait(
    server: u16,
    listen_fd: i32,
    out: &str,
) {
    let l: Vec<&str> = out.lines().collect();
    let at = |needle: &str| {
        l.iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {out}"))
    };
    let data = l
        .iter()
        .find(|s| s.contains("│ accept("))
        .map(|s| ret_fd(s))
        .expect("the second accept");
    let client = l
        .iter()
        .find(|s| s.contains("│ connect("))
        .map(|s| first_arg(s.split("│ ").nth(1).unwrap_or(s)))
        .expect("the second client connects");
    let server_close = at(&format!("│ close({data})"));
    let client_eof = at(&format!("│ recvfrom({client}, \"\", "));
    assert!(server_close < client_eof, "the server closes first: {out}");
    let time_wait = format!("kernel: TCP TIME_WAIT 127.0.0.1:{server} <-> ");
    let first_tw = at(&time_wait);
    let listener_close = at(&format!("│ close({listen_fd})"));
    assert!(
        first_tw < listener_close,
        "TIME_WAIT on the server's port: {out}"
    );
    let binds: Vec<usize> = (0..l.len())
        .filter(|&i| l[i].contains("│ bind(") && port_in(l[i]) == server)
        .collect();
    let [refused, bound] = binds[..] else {
        panic!("two binds of the server's port: {out}")
    };
    assert!(
        l[refused].ends_with("= -1 EADDRINUSE (Address already in use)"),
        "{out}"
    );
    assert!(l[bound].ends_with("= 0"), "{out}");
    let reuse = at("SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
    let listening = at("│ listen(");
    assert!(
        listener_close < refused && refused < reuse && reuse < bound && bound < listening,
        "{out}"
    );
    assert!(l[listening].ends_with("= 0"), "{out}");
    // The TIME_WAIT entry is still listed after the successful bind.
    assert!(
        l[bound..]
            .iter()
            .any(|s| s.contains(&time_wait) && s.contains("still there")),
        "{out}"
    );
}

#[test]
fn lesson_08_one_listening_fd_for_three_clients() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_08_iterative_server"), &[]) else {
        return;
    };
    let l = lines(&cmp);
    let listen_fd = first_arg(call_line(&l, "listen("));
    let accepts: Vec<&String> = l.iter().filter(|s| s.starts_with("accept(")).collect();
    assert_eq!(accepts.len(), 3, "{l:#?}");
    for a in &accepts {
        assert_eq!(first_arg(a), listen_fd, "one listening fd for all: {a}");
        let data = ret_fd(a);
        assert_ne!(data, listen_fd, "accept returns a new fd: {a}");
    }
    // Each data fd is closed before the next accept.
    let mut open: Option<i32> = None;
    for s in &l {
        if s.starts_with("accept(") {
            assert_eq!(open, None, "the previous client's fd is closed first");
            open = Some(ret_fd(s));
        } else if s.starts_with("close(") && Some(first_arg(s)) == open {
            open = None;
        }
    }
    assert_eq!(open, None);
    for name in ["alice", "bob", "carol"] {
        assert!(
            l.iter()
                .any(|s| s.starts_with("sendto(") && s.contains(&format!("\"hello, {name}\\n\""))),
            "{name} was greeted: {l:#?}"
        );
    }
    // The listening socket is closed last.
    assert!(l
        .last()
        .unwrap()
        .starts_with(&format!("close({listen_fd})")));
}

#[test]
fn lesson_09_both_sides_and_the_flow_of_the_run() {
    let Some(cmp) = traced(env!("CARGO_BIN_EXE_09_echo"), &["--lang", "en"]) else {
        return;
    };
    let side_calls = |side: &str| -> Vec<String> {
        cmp.rows
            .iter()
            .filter(|r| r.side.as_deref() == Some(side))
            .filter_map(|r| r.socklab.as_deref())
            .map(|s| s.split('(').next().unwrap().to_string())
            .collect()
    };
    let server = side_calls("server");
    let client = side_calls("client");
    for call in [
        "socket",
        "setsockopt",
        "bind",
        "listen",
        "getsockname",
        "accept",
        "recvfrom",
        "sendto",
        "close",
    ] {
        assert!(
            server.iter().any(|c| c == call),
            "server {call}: {server:?}"
        );
    }
    for call in [
        "socket", "connect", "sendto", "recvfrom", "shutdown", "close",
    ] {
        assert!(
            client.iter().any(|c| c == call),
            "client {call}: {client:?}"
        );
    }
    // The flow drawn at the end (narration: stderr in the plain view)
    // names the fds this very run got.
    let l = lines(&cmp);
    let err = String::from_utf8_lossy(&cmp.output.stderr);
    let accepted = ret_fd(call_line(&l, "accept("));
    let client_fd = first_arg(call_line(&l, "connect("));
    let listen_fd = first_arg(call_line(&l, "listen("));
    assert!(err.contains("The flow of this run:"), "{err}");
    assert!(
        err.contains(&format!(
            "  client: socket={client_fd} → connect → send/recv ×2 → shutdown → recv=0 → close({client_fd})"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "  server: socket={listen_fd} → setsockopt → bind → listen → getsockname → accept={accepted} → recv/send ×2 → recv=0 → close({accepted}) → close({listen_fd})"
        )),
        "{err}"
    );
}

#[test]
fn interactive_06_with_an_outside_client() {
    let mut lesson = Interactive::start(env!("CARGO_BIN_EXE_06_send_recv"));
    let mut c = lesson.connect();
    c.write_all(b"hello world\n").unwrap();
    // Send the long line only once the first recv has taken the first.
    lesson.line_starting("recvfrom(");
    c.write_all(b"abcdefghijklmnopqrstuvwxyz0123456789ABCD\n")
        .unwrap();
    // Read the whole answer: closing with unread bytes would send a reset.
    let mut answer = [0u8; 20];
    c.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"41 bytes in 2 recvs\n");
    drop(c);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        rest.lines()
            .any(|l| l.starts_with("recvfrom(4, \"\", 32, ") && l.ends_with("= 0")),
        "recv returns 0 when the client closes: {rest}"
    );
}

#[test]
fn interactive_07_with_an_outside_client_that_shuts_down() {
    let lesson = Interactive::start(env!("CARGO_BIN_EXE_07_close"));
    // As `nc -N`: send, then Ctrl-D shuts down the sending side.
    let mut c = lesson.connect();
    let me = c.local_addr().unwrap();
    c.write_all(b"abc\n").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "4 bytes\n");
    drop(c);
    let (status, _, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        err.contains(&format!("kernel: TCP TIME_WAIT {me} <-> ")),
        "TIME_WAIT on the outside client's side: {err}"
    );
}

/// Try this 2 on lesson 07's page: nc without -N, ended with Ctrl-C, has
/// closed its socket completely before the answer comes. Its kernel meets
/// the answer with a reset, and the lesson finds no TIME_WAIT on either
/// side.
#[test]
fn interactive_07_a_client_that_closes_before_the_answer_leaves_no_time_wait() {
    let mut lesson = Interactive::start(env!("CARGO_BIN_EXE_07_close"));
    let mut c = lesson.connect();
    let me = c.local_addr().unwrap();
    c.write_all(b"abc\n").unwrap();
    // Close only once the lesson has read the line, as a person types a
    // line and then presses Ctrl-C.
    lesson.line_starting("recvfrom(");
    drop(c);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        rest.lines().any(
            |l| l.starts_with("sendto(4, \"4 bytes\\n\", 8, 0, NULL, 0)") && l.ends_with("= 8")
        ),
        "the answer is sent all the same: {rest}"
    );
    assert!(
        err.contains(&format!("kernel: no TIME_WAIT for {me} <-> ")),
        "no TIME_WAIT on the client's side: {err}"
    );
    assert!(
        err.contains("kernel: nothing left for ") && err.contains("No TIME_WAIT this time"),
        "nor on the server's: {err}"
    );
}

#[test]
fn interactive_08_serves_three_outside_clients() {
    let lesson = Interactive::start(env!("CARGO_BIN_EXE_08_iterative_server"));
    for name in ["ann", "ben", "cid"] {
        let mut c = lesson.connect();
        c.write_all(format!("{name}\n").as_bytes()).unwrap();
        let mut got = String::new();
        c.read_to_string(&mut got).unwrap();
        assert_eq!(got, format!("hello, {name}\n"));
    }
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    let accepts: Vec<&str> = rest.lines().filter(|l| l.starts_with("accept(")).collect();
    assert_eq!(accepts.len(), 3, "{rest}");
    assert!(accepts
        .iter()
        .all(|a| first_arg(a) == first_arg(accepts[0])));
}

#[test]
fn interactive_09_echoes_for_an_outside_client() {
    let lesson = Interactive::start(env!("CARGO_BIN_EXE_09_echo"));
    let mut c = lesson.connect();
    c.write_all(b"ping\n").unwrap();
    let mut echo = [0u8; 5];
    c.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"ping\n");
    drop(c); // as nc does on Ctrl-C
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        rest.contains("sendto(4, \"ping\\n\", 5, 0, NULL, 0)"),
        "{rest}"
    );
    assert!(err.contains("The flow of this run:"), "{err}");
    assert!(err.contains("outside peer"), "{err}");
}
