//! Lesson 14, connections that end badly: every line of every process is
//! strace's line (`strace -f`), and the run shows each thing the lesson
//! says: ECONNRESET after SO_LINGER 0 and nothing left in the kernel's
//! table; an RST from a close with unread data; a first send that succeeds
//! and an EPIPE after it, with SIGPIPE only without MSG_NOSIGNAL; a child
//! killed by SIGPIPE; recv 0 after a SIGKILL; accept succeeding after a
//! reset and recv failing; a connect that gets no answer from a full
//! backlog. Beside the lesson, the claims it makes about programs it does
//! not run (a C program's SIGPIPE, a shell's 141, a killed process with
//! unread data) are checked here directly.

mod common;

use common::{first_arg, ret_fd, traced, Interactive};
use socklab::event::CallEvent;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::process::{Command, Stdio};

const L14: &str = env!("CARGO_BIN_EXE_14_bad_endings");

/// The index of the first line at or after `from` that satisfies `want`.
fn find_from(lines: &[(i32, String)], from: usize, want: impl Fn(i32, &str) -> bool) -> usize {
    (from..lines.len())
        .find(|&i| want(lines[i].0, &lines[i].1))
        .unwrap_or_else(|| panic!("nothing wanted after line {from}:\n{lines:#?}"))
}

/// A line with every run of spaces made one: strace pads the call to
/// column 40, so the padding depends on how long the numbers are.
fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fd a poll line watches: `poll([{fd=4, events=POLLIN}], …` → 4.
fn poll_fd(line: &str) -> i32 {
    line.split("fd=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no fd in {line}"))
}

/// The number right after `before` in `text`, as a float: `"in 0.78 s"`.
fn float_after(text: &str, before: &str) -> f64 {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("no `{before}` in {text}"));
    text[at + before.len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after `{before}` in {text}"))
}

#[test]
fn lesson_14_every_bad_ending_as_it_happens() {
    let Some(cmp) = traced(L14, &["--lang", "en"]) else {
        return;
    };
    let err = String::from_utf8_lossy(&cmp.output.stderr).into_owned();
    // Every call of every process, in the order they were made.
    let lines: Vec<(i32, String)> = cmp
        .recorded
        .iter()
        .map(|e: &CallEvent| (e.pid.expect("a pid"), e.line()))
        .collect();
    let main = lines[0].0;
    let is = |prefix: &'static str| move |_: i32, l: &str| l.starts_with(prefix);

    // 1. SO_LINGER {on, 0} and close: the server's recv gets ECONNRESET,
    // and nothing of the connection is left on either side.
    let linger = find_from(&lines, 0, |_, l| {
        l.contains("SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0")
    });
    let client = first_arg(&lines[linger].1);
    let close = find_from(&lines, linger, |_, l| {
        squeeze(l) == format!("close({client}) = 0")
    });
    let reset = find_from(&lines, close, is("recvfrom("));
    assert!(
        lines[reset]
            .1
            .ends_with("= -1 ECONNRESET (Connection reset by peer)"),
        "{}",
        lines[reset].1
    );
    assert_eq!(
        err.matches("on either side: no TIME_WAIT after a reset")
            .count(),
        2,
        "{err}"
    );

    // 2. Unread data: the server sends 7 bytes, the client waits until they
    // are in its receive queue and closes without SO_LINGER; the server's
    // recv gets ECONNRESET, not 0.
    let sent = find_from(&lines, reset, is("sendto("));
    assert!(
        squeeze(&lines[sent].1).ends_with("\"unread\\n\", 7, 0, NULL, 0) = 7"),
        "{}",
        lines[sent].1
    );
    let arrived = find_from(&lines, sent, is("poll("));
    let client = poll_fd(&lines[arrived].1);
    assert!(lines[arrived].1.ends_with("revents=POLLIN}])"));
    assert!(
        err.contains("recv-q 7  ← the server's bytes, not read"),
        "{err}"
    );
    let close = find_from(&lines, arrived, |_, l| {
        l.starts_with(&format!("close({client})"))
    });
    assert!(
        !lines[arrived..close]
            .iter()
            .any(|(_, l)| l.contains("SO_LINGER")),
        "a plain close"
    );
    let reset = find_from(&lines, close, is("recvfrom("));
    assert!(lines[reset]
        .1
        .ends_with("-1 ECONNRESET (Connection reset by peer)"));

    // 3. The first child: killed by SIGPIPE, after a first send that
    // succeeded and two that got EPIPE, the signal pending only after the
    // one without MSG_NOSIGNAL.
    let fork = find_from(&lines, reset, is("clone("));
    let child = ret_fd(&lines[fork].1);
    let of_child = |from: usize, text: &'static str| {
        find_from(&lines, from, move |pid, l| pid == child && l.contains(text))
    };
    let fin = of_child(fork, "recvfrom(");
    assert!(squeeze(&lines[fin].1).ends_with("\"\", 64, 0, NULL, NULL) = 0"));
    let first = of_child(fin, "sendto(");
    assert!(lines[first].1.contains("\"first\", 5, 0, NULL, 0)"));
    assert!(lines[first].1.ends_with("= 5"), "the first send succeeds");
    let rst = of_child(first, "poll(");
    assert!(
        lines[rst].1.contains("events=0}], 1, 2000)")
            && lines[rst].1.ends_with("revents=POLLERR|POLLHUP}])"),
        "{}",
        lines[rst].1
    );
    let nosignal = of_child(rst, "sendto(");
    assert!(lines[nosignal].1.contains("MSG_NOSIGNAL"));
    assert!(lines[nosignal].1.ends_with("= -1 EPIPE (Broken pipe)"));
    let third = of_child(nosignal + 1, "sendto(");
    assert!(lines[third].1.contains("\"third\", 5, 0, NULL, 0)"));
    assert!(lines[third].1.ends_with("= -1 EPIPE (Broken pipe)"));
    // The masks as the kernel writes them may hold other signals (an
    // ignored one inherited from the shell): read SIGPIPE's part.
    let at = |text: &str| {
        err.find(text)
            .unwrap_or_else(|| panic!("no `{text}` in:\n{err}"))
    };
    let ignored = at("(SIGPIPE in it): the Rust runtime set SIGPIPE to 'ignore'");
    let no_signal = at("(no SIGPIPE): MSG_NOSIGNAL: EPIPE, and no signal");
    let pending = at("(SIGPIPE in it): SIGPIPE raised by that send");
    assert!(ignored < no_signal && no_signal < pending, "{err}");
    let waited = find_from(&lines, fork, |pid, l| {
        pid == main && l.starts_with("wait4(")
    });
    assert_eq!(
        lines[waited].1,
        format!(
            "wait4({child}, [{{WIFSIGNALED(s) && WTERMSIG(s) == SIGPIPE}}], 0, NULL) = {child}"
        )
    );

    // 4. The second child, killed with SIGKILL while in recv: the server's
    // recv returns 0 (a FIN), and the kernel shows CLOSE_WAIT.
    let fork = find_from(&lines, waited, is("clone("));
    let child = ret_fd(&lines[fork].1);
    let connect = find_from(&lines, fork, |pid, l| {
        pid == child && l.starts_with("connect(")
    });
    let kill = find_from(&lines, fork, is("kill("));
    assert!(connect < kill, "the child's connect comes before the kill");
    assert_eq!(
        squeeze(&lines[kill].1),
        format!("kill({child}, SIGKILL) = 0")
    );
    assert!(
        !lines[connect + 1..].iter().any(|(pid, _)| *pid == child),
        "no line of the child after its connect: its recv never returned"
    );
    let waited = find_from(&lines, kill, is("wait4("));
    assert!(lines[waited].1.contains("WTERMSIG(s) == SIGKILL"));
    let eof = find_from(&lines, waited, is("recvfrom("));
    assert!(squeeze(&lines[eof].1).ends_with("\"\", 64, 0, NULL, NULL) = 0"));
    assert!(err.contains("TCP CLOSE_WAIT"), "{err}");

    // 5. A reset before accept: the connection stays in the accept queue,
    // accept succeeds with the client's address, the first recv fails.
    let linger = find_from(&lines, eof, |_, l| l.contains("SO_LINGER"));
    let accept = find_from(&lines, linger, is("accept("));
    assert!(ret_fd(&lines[accept].1) >= 0);
    assert!(lines[accept]
        .1
        .contains("sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = "));
    assert!(err.contains("still in the accept queue"), "{err}");
    assert!(
        err.contains("accept queue 1\nThe connection is no longer"),
        "{err}"
    );
    let reset = find_from(&lines, accept, is("recvfrom("));
    assert_eq!(first_arg(&lines[reset].1), ret_fd(&lines[accept].1));
    assert!(lines[reset]
        .1
        .ends_with("-1 ECONNRESET (Connection reset by peer)"));

    // 6. A full backlog: the second connect is still in progress when its
    // poll gives up; the kernel shows SYN_SENT, a retransmit timer due
    // within the first second, and this machine's tcp_syn_retries.
    find_from(&lines, reset, |_, l| {
        l.starts_with("listen(") && l.contains(", 0)")
    });
    let connect = find_from(&lines, reset, |_, l| {
        l.ends_with("EINPROGRESS (Operation now in progress)")
    });
    let fd = first_arg(&lines[connect].1);
    let gave_up = find_from(&lines, connect, is("poll("));
    assert_eq!(
        squeeze(&lines[gave_up].1),
        format!("poll([{{fd={fd}, events=POLLOUT}}], 1, 200) = 0 (Timeout)")
    );
    assert!(err.contains("TCP SYN_SENT"), "{err}");
    let due = float_after(&err, "the SYN goes again in ");
    assert!(due > 0.0 && due <= 1.0, "{due}");
    let retries = sysctl("tcp_syn_retries").unwrap();
    let (tries, secs) = match sysctl("tcp_syn_linear_timeouts") {
        Some(linear) => (retries + linear, give_up_secs(retries, linear)),
        None => (retries, give_up_secs(retries, 0)),
    };
    assert!(
        err.contains(&format!("{tries} times on this machine"))
            || err.contains(&format!("tcp_syn_retries times, {tries} on this machine")),
        "{err}"
    );
    assert!(err.contains(&format!("about {secs} s in all")), "{err}");
}

/// A value from /proc/sys/net/ipv4.
fn sysctl(name: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/sys/net/ipv4/{name}"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The sum of the waits the lesson says a SYN-dropped connect makes: one
/// after the SYN and one after each retry; the first `linear + 1` are 1 s,
/// then each doubles.
fn give_up_secs(retries: u64, linear: u64) -> u64 {
    (0..=retries + linear)
        .map(|i| 1 << i.saturating_sub(linear))
        .sum()
}

/// The kernel rule behind part 6's sentence, with small numbers in a
/// network namespace of the test's own: tcp_syn_retries 1 (and
/// tcp_syn_linear_timeouts 1 where the kernel has it), and a blocking
/// connect to a full queue. It fails with ETIMEDOUT after 1 + 1 retries
/// and about 1 + 1 + 2 = 4 s (1 retry and 1 + 2 = 3 s without the file).
#[test]
fn a_blocking_connect_gives_up_after_the_retries_the_lesson_counts() {
    if std::env::var_os("SOCKLAB_SYN_TEST").is_some() {
        return connect_to_a_full_queue();
    }
    let linear = sysctl("tcp_syn_linear_timeouts").map(|_| 1);
    let me = std::env::current_exe().unwrap();
    let script = format!(
        "ip link set lo up && echo 1 > /proc/sys/net/ipv4/tcp_syn_retries{} && exec {} --exact a_blocking_connect_gives_up_after_the_retries_the_lesson_counts --nocapture",
        if linear.is_some() { " && echo 1 > /proc/sys/net/ipv4/tcp_syn_linear_timeouts" } else { "" },
        me.display()
    );
    let out = Command::new("unshare")
        .args(["-rn", "sh", "-c", &script])
        .env("SOCKLAB_SYN_TEST", "1")
        .stdin(Stdio::null())
        .output();
    let Ok(out) = out else {
        eprintln!("SKIPPED: unshare is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && !text.contains("gave up") {
        eprintln!(
            "SKIPPED: no network namespace here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let line = text.lines().find(|l| l.starts_with("gave up")).unwrap();
    let word = |n: usize| line.split(' ').nth(n).unwrap().to_string();
    let (secs, retransmits) = (
        word(2).parse::<f64>().unwrap(),
        word(3).parse::<u64>().unwrap(),
    );
    let linear = linear.unwrap_or(0);
    assert_eq!(word(4), "ETIMEDOUT", "{line}");
    assert_eq!(retransmits, 1 + linear, "{line}");
    let expected = give_up_secs(1, linear) as f64;
    assert!(secs > expected - 0.5 && secs < expected + 2.0, "{line}");
}

/// Inside the namespace: a listener with backlog 0 and one connection
/// waiting fills the queue; a blocking connect's SYNs are then dropped.
/// Prints `gave up SECONDS RETRANSMITS ERRNO`.
fn connect_to_a_full_queue() {
    let retransmits = || -> u64 {
        let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap();
        let tcp: Vec<&str> = snmp.lines().filter(|l| l.starts_with("Tcp:")).collect();
        let at = tcp[0].split(' ').position(|w| w == "RetransSegs").unwrap();
        tcp[1].split(' ').nth(at).unwrap().parse().unwrap()
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // listen again, with a backlog of 0: the queue holds one connection.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let here = listener.local_addr().unwrap();
    let _queued = TcpStream::connect(here).unwrap();
    let before = retransmits();
    let start = std::time::Instant::now();
    let err = TcpStream::connect(here).expect_err("a full queue answers nothing");
    let errno = if err.raw_os_error() == Some(libc::ETIMEDOUT) {
        "ETIMEDOUT"
    } else {
        "other"
    };
    println!(
        "gave up {:.1} {} {errno}",
        start.elapsed().as_secs_f64(),
        retransmits() - before
    );
}

/// What the lesson does not print, strace -f does: the signal the child
/// got and how it ended, for the child's pid.
#[test]
fn strace_f_shows_the_childs_sigpipe_and_its_end() {
    if !common::strace_usable() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("socklab-l14-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("strace.log");
    let out = Command::new(socklab_tools::against_strace::find_strace().unwrap())
        .args(["-f", "-e", "trace=%net,clone,wait4,kill", "-o"])
        .arg(&log)
        .args([L14, "--port", "0", "--trace", "off", "--no-kernel"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = squeeze(&std::fs::read_to_string(&log).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    let children: Vec<&str> = text
        .split(" clone(child_stack=NULL, ")
        .skip(1)
        .filter_map(|l| l.split(") = ").nth(1)?.split(' ').next())
        .collect();
    assert_eq!(children.len(), 2, "{text}");
    let (piped, killed) = (children[0], children[1]);
    let signal = text
        .find(&format!(
            "{piped} --- SIGPIPE {{si_signo=SIGPIPE, si_code=SI_USER, si_pid={piped},"
        ))
        .unwrap_or_else(|| panic!("no SIGPIPE line for {piped}:\n{text}"));
    let end = text
        .find(&format!("{piped} +++ killed by SIGPIPE +++"))
        .unwrap_or_else(|| panic!("no end line for {piped}:\n{text}"));
    let third = text.find("\"third\", 5, 0, NULL, 0) = -1 EPIPE").unwrap();
    assert!(third < signal && signal < end);
    assert!(
        text.contains(&format!("{killed} +++ killed by SIGKILL +++")),
        "{text}"
    );
}

/// A process that has SIGPIPE at its default action and unblocked, as a
/// C program has it, dies inside the send that gets EPIPE: the code after
/// that send never runs. And a shell shows such an end as 141.
#[test]
fn a_c_like_process_dies_inside_its_send_and_a_shell_says_141() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    drop(server);
    // The FIN has arrived: recv returns 0.
    let mut buf = [0u8; 8];
    assert_eq!((&client).read(&mut buf).unwrap(), 0);
    let fd = client.as_raw_fd();
    // SAFETY: the child makes only async-signal-safe calls (signal,
    // send, poll, _exit) before it ends.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            if libc::send(fd, b"first".as_ptr().cast(), 5, 0) != 5 {
                libc::_exit(3);
            }
            let mut p = libc::pollfd {
                fd,
                events: 0,
                revents: 0,
            };
            libc::poll(&mut p, 1, 2000);
            libc::send(fd, b"second".as_ptr().cast(), 6, 0);
            libc::_exit(7); // never reached
        }
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFSIGNALED(status), "{status:#x}");
    assert_eq!(libc::WTERMSIG(status), libc::SIGPIPE);

    let out = Command::new("sh")
        .args(["-c", "sh -c 'kill -PIPE $$'; echo $?"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "141");
}

/// A process killed with SIGKILL: its kernel closes its socket as close
/// does, a FIN when nothing was unread (recv 0), an RST when bytes were
/// waiting unread (ECONNRESET).
#[test]
fn a_killed_process_sends_a_fin_or_with_unread_data_an_rst() {
    for unread in [false, true] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        if unread {
            server.write_all(b"unread").unwrap();
            // Wait until the bytes are in the client's receive queue.
            let mut p = libc::pollfd {
                fd: client.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            assert_eq!(unsafe { libc::poll(&mut p, 1, 2000) }, 1);
        }
        let fd = client.into_raw_fd();
        // SAFETY: the child only waits for its signal.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            loop {
                unsafe { libc::pause() };
            }
        }
        // The child holds the only fd of the client's socket now.
        // SAFETY: our own fd, closed once.
        unsafe { libc::close(fd) };
        let mut status = 0;
        // SAFETY: our own child.
        unsafe {
            assert_eq!(libc::kill(pid, libc::SIGKILL), 0);
            assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
        }
        assert_eq!(libc::WTERMSIG(status), libc::SIGKILL);
        let mut buf = [0u8; 16];
        let got = server.read(&mut buf);
        if unread {
            let e = got.expect_err("an RST");
            assert_eq!(e.raw_os_error(), Some(libc::ECONNRESET), "{e}");
        } else {
            assert_eq!(got.unwrap(), 0, "a FIN");
        }
    }
}

/// With --wait, part 4's peer is an outside client that the learner
/// kills with `kill -9`; here a forked process connects and is killed.
#[test]
fn with_wait_an_outside_client_killed_with_sigkill_gives_recv_0() {
    let mut lesson = Interactive::spawn(L14, common::free_port(), &[]);
    // Part 3 ends with the first child's wait4; part 4 then waits for a
    // client on the listener.
    lesson.line_starting("wait4(");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], lesson.port));
    let client = TcpStream::connect(addr).unwrap();
    let fd = client.into_raw_fd();
    // SAFETY: the child only waits for its signal.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        loop {
            unsafe { libc::pause() };
        }
    }
    // SAFETY: our own fd, closed once; our own child.
    unsafe {
        libc::close(fd);
        let accept = lesson.line_starting("accept(");
        assert!(ret_fd(&accept) >= 0, "{accept}");
        assert_eq!(libc::kill(pid, libc::SIGKILL), 0);
        let mut status = 0;
        assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
    }
    let eof = lesson.line_starting("recvfrom(");
    assert!(eof.trim_end().ends_with("= 0"), "{eof}");
    let (status, _, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(err.contains("kill -9"), "{err}");
    assert!(err.contains("recv returned 0, not ECONNRESET"), "{err}");
}

/// `socklab explain SIGPIPE` and `MSG_NOSIGNAL` name the call they belong
/// to, send, with what the lesson shows; `--demo` makes it happen.
#[test]
fn explain_knows_sigpipe_and_msg_nosignal_and_shows_them() {
    let socklab = env!("CARGO_BIN_EXE_socklab");
    for name in ["SIGPIPE", "MSG_NOSIGNAL"] {
        let out = Command::new(socklab)
            .args(["explain", name, "--lang", "en"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("send — "), "{text}");
        assert!(
            text.contains("Lesson 14 shows a child killed by it"),
            "{text}"
        );
        let demo = Command::new(socklab)
            .args(["explain", name, "--demo", "--lang", "en"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            demo.status.success(),
            "{}",
            String::from_utf8_lossy(&demo.stderr)
        );
        let text = String::from_utf8_lossy(&demo.stdout);
        assert!(text.contains("EPIPE, and no SIGPIPE this time."), "{text}");
    }
}

/// The run as a diagram draws each reset as an RST, not a FIN: the three
/// closes of parts 1, 2 and 5; and no arrow for the server's close of a
/// connection that was already reset.
#[test]
fn the_diagram_draws_the_resets() {
    let out = Command::new(env!("CARGO_BIN_EXE_socklab"))
        .args(["run", "14", "--port", "0", "--diagram", "--lang", "en"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let arrows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("──▶") || l.contains("◀──"))
        .collect();
    let rst = arrows.iter().filter(|l| l.contains(" RST ")).count();
    let fin = arrows.iter().filter(|l| l.contains(" FIN ")).count();
    assert_eq!(rst, 3, "{text}");
    // The server's FIN to the first child, its close after the killed
    // child's FIN, and the first client of part 6.
    assert_eq!(fin, 3, "{text}");
}
