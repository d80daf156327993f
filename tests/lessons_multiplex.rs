//! Lessons 17 (select and poll) and 18 (nonblocking sockets): each claim
//! their narration makes is checked against what the run showed, and
//! their lines equal strace's.

mod common;

use common::{call_line, first_arg, ret_fd, run, stdout_lines, traced, Interactive};
use std::io::{BufRead, BufReader, Write};
use std::process::Command;

const L17: &str = env!("CARGO_BIN_EXE_17_select_poll");
const L18: &str = env!("CARGO_BIN_EXE_18_nonblocking");

/// The calls of a pretty run, without the gutter and the note after the
/// result, and the kernel lines (`kernel: ...`), in order.
fn pretty(bin: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--port", "0", "--lang", "en"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(bin, &args);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(out.contains("Done."), "{out}");
    out.lines()
        .map(|l| match l.split_once("│ ") {
            Some((_, call)) => call
                .rsplit_once("  ← ")
                .map_or(call, |(c, _)| c)
                .trim_end()
                .to_string(),
            None => l.to_string(),
        })
        .collect()
}

/// Lesson 17, traced: every line equals strace's; the first wait is
/// select, made as pselect6, and says the listener is ready.
#[test]
fn lesson_17_prints_what_strace_saw_and_select_is_pselect6() {
    let Some(cmp) = traced(L17, &["--lang", "en"]) else {
        return;
    };
    let l = stdout_lines(&cmp);
    let listen_fd = first_arg(call_line(&l, "listen("));
    let select = call_line(&l, "pselect6(");
    assert!(
        select.starts_with(&format!(
            "pselect6({}, [{listen_fd}], NULL, NULL, {{tv_sec=5, tv_nsec=0}}, NULL) = 1 (in [{listen_fd}], left {{tv_sec=",
            listen_fd + 1
        )),
        "{select}"
    );
    // select came before any accept, and the accept right after it did not
    // wait: the listener was ready.
    let at_select = l.iter().position(|s| s.starts_with("pselect6(")).unwrap();
    let at_accept = l.iter().position(|s| s.starts_with("accept(")).unwrap();
    assert!(at_select < at_accept);
}

/// alice's data socket is in every poll and ready in none until she
/// speaks; meanwhile bob and carol are accepted, answered and closed.
#[test]
fn the_silent_client_does_not_stall_the_others() {
    let Some(cmp) = traced(L17, &[]) else {
        return;
    };
    let l = stdout_lines(&cmp);
    let listen_fd = first_arg(call_line(&l, "listen("));
    let accepts: Vec<i32> = l
        .iter()
        .filter(|s| s.starts_with(&format!("accept({listen_fd}, ")))
        .map(|s| ret_fd(s))
        .collect();
    assert_eq!(accepts.len(), 3, "{l:#?}");
    let alice = accepts[0];
    let alice_spoke = l
        .iter()
        .position(|s| s.starts_with(&format!("recvfrom({alice}, \"alice\\n\"")))
        .expect("alice speaks at last");
    let polls: Vec<&String> = l[..alice_spoke]
        .iter()
        .filter(|s| s.starts_with("poll("))
        .collect();
    assert!(polls.len() >= 4, "{polls:#?}");
    for p in &polls[..polls.len() - 1] {
        assert!(
            p.contains(&format!("{{fd={alice}, events=POLLIN}}")),
            "alice is in every poll: {p}"
        );
        assert!(
            !p.contains(&format!("{{fd={alice}, revents=")),
            "and ready in none: {p}"
        );
    }
    // Before alice said a word, the other two were served and are gone.
    for (fd, name) in [(accepts[1], "bob"), (accepts[2], "carol")] {
        let served = &l[..alice_spoke];
        assert!(
            served
                .iter()
                .any(|s| s.starts_with(&format!("sendto({fd}, \"hello, {name}\\n\""))),
            "{name} answered before alice spoke: {l:#?}"
        );
        assert!(
            served
                .iter()
                .any(|s| s.starts_with(&format!("recvfrom({fd}, \"\", 64, ")) && s.ends_with("= 0")),
            "{name}'s close read as 0 before alice spoke"
        );
        assert!(served
            .iter()
            .any(|s| s.starts_with(&format!("close({fd}) ")) && s.ends_with("= 0")));
    }
    // And no call was made on alice's fd while she was silent.
    assert!(!l[..alice_spoke]
        .iter()
        .any(|s| !s.starts_with("poll(") && s.contains(&format!("({alice}, "))));
}

/// Readable is not data: a poll that says a data socket is readable, and
/// a recv on it that returns 0, for each client.
#[test]
fn readiness_is_not_data_recv_returns_0() {
    let l = pretty(L17, &["--no-kernel"]);
    let mut eofs = 0;
    for (i, s) in l.iter().enumerate() {
        let Some(rest) = s.strip_prefix("recvfrom(") else {
            continue;
        };
        if !s.ends_with("= 0") {
            continue;
        }
        let fd = rest.split(',').next().unwrap();
        let poll = l[..i]
            .iter()
            .rev()
            .find(|p| p.starts_with("poll("))
            .unwrap();
        assert!(
            poll.contains(&format!("{{fd={fd}, revents=POLLIN}}")),
            "{poll} before {s}"
        );
        eofs += 1;
    }
    assert_eq!(eofs, 3, "{l:#?}");
    assert!(l.iter().any(|s| s
        == "recv returned 0: readable meant the client closed, not data. Readiness is not data."));
    // select said the listener was ready: a connection waited in its queue.
    let select = l.iter().position(|s| s.starts_with("pselect6(")).unwrap();
    assert!(l[select + 1..select + 3]
        .iter()
        .any(|s| s.contains("A ready listener means a connection waits in its queue")));
    // The fd_set's limit: the library refuses fd 1024 before any call.
    assert!(l.iter().any(|s| s.contains(
        "FdSet::insert of fd 1024 is refused before any call: fd 1024 does not fit in an fd set"
    )));
}

/// The kernel's view of the silent client's socket: nothing to read; and
/// of the listener after select said ready: a connection in its queue.
#[test]
fn the_silent_socket_has_nothing_to_read() {
    let l = pretty(L17, &[]);
    let select = l.iter().position(|s| s.starts_with("pselect6(")).unwrap();
    assert!(
        l[select + 1..select + 4]
            .iter()
            .any(|s| s.starts_with("   kernel: fd 3 = TCP LISTEN ")
                && s.ends_with(", accept queue 1")),
        "{:#?}",
        &l[select..select + 4]
    );
    let at = l
        .iter()
        .position(|s| s.contains("has been in all 4 polls and ready in none"))
        .expect("the silent client is named");
    assert!(
        l[at + 1].starts_with("   kernel: fd 5 = TCP ESTABLISHED ")
            && l[at + 1].ends_with("send-q 0, recv-q 0"),
        "{}",
        l[at + 1]
    );
}

/// What the page says C does with FD_SET(1024): glibc's fortified FD_SET
/// stops the program with SIGABRT and this line.
#[test]
fn fd_set_of_1024_aborts_a_fortified_c_program() {
    let dir = std::env::temp_dir().join(format!("socklab-fdset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("fdset.c");
    std::fs::write(
        &src,
        "#include <sys/select.h>\n#include <stdio.h>\n\
         int main(int argc, char **argv) {\n\
             (void)argv;\n\
             fd_set set;\n\
             FD_ZERO(&set);\n\
             FD_SET(1023 + argc, &set);\n\
             printf(\"returned\\n\");\n\
             return 0;\n\
         }\n",
    )
    .unwrap();
    let exe = dir.join("fdset");
    let built = Command::new("cc")
        .args(["-O2", "-D_FORTIFY_SOURCE=2", "-o"])
        .arg(&exe)
        .arg(&src)
        .status();
    let Ok(built) = built else {
        assert!(std::env::var_os("CI").is_none(), "cc is missing under CI");
        eprintln!("SKIPPED: no cc");
        return;
    };
    assert!(built.success());
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("*** bit out of range 0 - FD_SETSIZE on fd_set ***"));
    assert!(out.stdout.is_empty());
}

/// --wait: three outside clients, the first silent until the others have
/// gone; the server serves all three.
#[test]
fn lesson_17_serves_outside_clients_one_silent() {
    let lesson = Interactive::start(L17);
    let alice = lesson.connect();
    for name in ["bob", "carol"] {
        let mut c = lesson.connect();
        c.write_all(format!("{name}\n").as_bytes()).unwrap();
        let mut answer = String::new();
        BufReader::new(&c).read_line(&mut answer).unwrap();
        assert_eq!(answer, format!("hello, {name}\n"));
    }
    let mut alice = alice;
    alice.write_all(b"alice\n").unwrap();
    let mut answer = String::new();
    BufReader::new(&alice).read_line(&mut answer).unwrap();
    assert_eq!(answer, "hello, alice\n");
    drop(alice);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert_eq!(
        rest.lines()
            .filter(|l| l.starts_with("close(") && !l.starts_with("close(3)"))
            .count(),
        3,
        "{rest}"
    );
}

/// Lesson 18, traced: every line equals strace's, and each claim shows:
/// EAGAIN from accept (after poll said ready), recv and send; the
/// accepted fd without O_NONBLOCK; the connect's two outcomes.
#[test]
fn lesson_18_eagain_from_accept_recv_and_send() {
    let Some(cmp) = traced(L18, &["--lang", "en"]) else {
        return;
    };
    let l = stdout_lines(&cmp);
    let eagain = "= -1 EAGAIN (Resource temporarily unavailable)";
    let listen_fd = first_arg(call_line(&l, "listen("));
    assert_eq!(
        call_line(&l, &format!("fcntl({listen_fd}, F_SETFL")),
        format!("fcntl({listen_fd}, F_SETFL, O_RDWR|O_NONBLOCK)    = 0")
    );

    // poll said ready; one accept took the connection, the next: EAGAIN.
    let at = l
        .iter()
        .position(|s| {
            s.starts_with(&format!("poll([{{fd={listen_fd}, events=POLLIN}}], 1, "))
                && s.ends_with(&format!("= 1 ([{{fd={listen_fd}, revents=POLLIN}}])"))
        })
        .expect("poll on the listener");
    let server: Vec<&String> = l[at + 1..]
        .iter()
        .filter(|s| s.starts_with(&format!("accept({listen_fd}, ")))
        .collect();
    let data = ret_fd(server[0]);
    assert!(data > listen_fd, "{}", server[0]);
    assert!(server[1].ends_with(eagain), "{}", server[1]);

    // The accepted fd did not inherit O_NONBLOCK.
    assert_eq!(
        call_line(&l, &format!("fcntl({data}, F_GETFL)")),
        format!("fcntl({data}, F_GETFL)                       = 0x2 (flags O_RDWR)")
    );
    let recv = call_line(&l, &format!("recvfrom({data}, "));
    assert!(recv.ends_with(eagain), "{recv}");

    // Short sends of 1 MiB, then EAGAIN.
    let sends: Vec<&String> = l
        .iter()
        .filter(|s| s.starts_with(&format!("sendto({data}, ")))
        .collect();
    assert!(sends.len() >= 2, "{sends:#?}");
    let (last, short) = sends.split_last().unwrap();
    assert!(last.ends_with(eagain), "{last}");
    for s in short {
        let n = ret_fd(s);
        assert!(n > 0 && n < 1 << 20, "a short send: {s}");
        assert!(s.contains(", 1048576, 0, NULL, 0) = "), "{s}");
    }
}

/// A nonblocking connect: EINPROGRESS, poll for POLLOUT, then SO_ERROR:
/// [0] to the listener, [ECONNREFUSED] once nothing listens.
#[test]
fn lesson_18_nonblocking_connect_both_outcomes() {
    let l = pretty(L18, &["--no-kernel"]);
    let einprogress = "= -1 EINPROGRESS (Operation now in progress)";
    let connects: Vec<usize> = l
        .iter()
        .enumerate()
        .filter(|(_, s)| s.starts_with("connect("))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(connects.len(), 2, "{l:#?}");
    for (i, revents, so_error) in [
        (connects[0], "POLLOUT", "[0]"),
        (connects[1], "POLLOUT|POLLERR|POLLHUP", "[ECONNREFUSED]"),
    ] {
        assert!(l[i].ends_with(einprogress), "{}", l[i]);
        let fd = first_arg(&l[i]);
        let calls: Vec<&String> = l[i + 1..]
            .iter()
            .filter(|s| s.contains(&format!("({fd}, ")) || s.contains(&format!("[{{fd={fd}, ")))
            .take(2)
            .collect();
        assert_eq!(
            calls[0],
            &format!("poll([{{fd={fd}, events=POLLOUT}}], 1, 1000) = 1 ([{{fd={fd}, revents={revents}}}])")
        );
        assert_eq!(
            calls[1],
            &format!("getsockopt({fd}, SOL_SOCKET, SO_ERROR, {so_error}, [4]) = 0")
        );
    }
    // The first socket was made nonblocking with fcntl, the second with
    // SOCK_NONBLOCK in socket() itself.
    let second = first_arg(&l[connects[1]]);
    assert!(l.iter().any(
        |s| s == &format!("socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = {second}")
    ));
}

/// The short sends' bytes, in the kernel's view: in the client's
/// receive buffer, unread, and what fd 5's send buffer still holds.
#[test]
fn lesson_18_short_send_bytes_are_in_the_clients_receive_buffer() {
    let l = pretty(L18, &[]);
    let sent: usize = l
        .iter()
        .filter(|s| s.starts_with("sendto(5, ") && !s.contains("= -1"))
        .map(|s| ret_fd(s) as usize)
        .sum();
    let number = |line: &str, key: &str| -> usize {
        line.split(key)
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {line}"))
    };
    let server = l
        .iter()
        .find(|s| s.starts_with("   kernel: fd 5 = TCP ESTABLISHED"))
        .expect("fd 5's view");
    let client = l
        .iter()
        .find(|s| s.starts_with("   kernel: the client's end: TCP ESTABLISHED"))
        .expect("the client's view");
    let unread = number(client, "recv-q ");
    let queued = number(server, "send-q ");
    assert!(unread > 0 && unread <= sent, "{client} ({sent} sent)");
    assert!(queued <= sent, "{server}");
    assert_eq!(number(server, "recv-q "), 0);
}

/// --wait: an outside client that connects and reads nothing.
#[test]
fn lesson_18_serves_an_outside_client_that_reads_nothing() {
    let mut lesson = Interactive::start(L18);
    let c = lesson.connect();
    lesson.line_starting("close(3)");
    drop(c);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        rest.contains("SO_ERROR, [ECONNREFUSED], [4]) = 0"),
        "{rest}"
    );
}
