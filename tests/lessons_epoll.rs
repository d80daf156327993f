//! Lesson 19: epoll. Level-triggered reports a ready fd again, edge-
//! triggered does not (the stall) until the fd is read until EAGAIN; and
//! the scale mode (`--clients N`): every client echo-verified, the counts
//! of the `strace -c` table right, the record complete, the open-file
//! limit raised or refused in one line, running out of ephemeral ports
//! said as EADDRNOTAVAIL.

mod common;

use common::{call_line, first_arg, ret_fd, run, stdout_lines as lines, traced};
use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

const L19: &str = env!("CARGO_BIN_EXE_19_epoll");

/// Whether a line of `l` is the call `call` with result `ret` (strace
/// pads the result to column 40).
fn has(l: &[String], call: &str, ret: &str) -> bool {
    l.iter().any(|s| {
        s.starts_with(call)
            && s.ends_with(ret)
            && s[call.len()..s.len() - ret.len()].trim().is_empty()
    })
}

/// The epoll_wait lines of a run, in order.
fn waits(l: &[String]) -> Vec<&String> {
    l.iter().filter(|s| s.starts_with("epoll_wait(")).collect()
}

#[test]
fn lesson_19_level_triggered_reports_again_edge_triggered_stalls_until_eagain() {
    let Some(cmp) = traced(L19, &[]) else {
        return;
    };
    let l = lines(&cmp);
    let ep = ret_fd(call_line(&l, "epoll_create1(0)"));
    let listen = first_arg(call_line(&l, "listen("));
    let accepts: Vec<i32> = l
        .iter()
        .filter(|s| s.starts_with("accept("))
        .map(|s| ret_fd(s))
        .collect();
    let [lt, et] = accepts[..] else {
        panic!("two accepts: {l:#?}")
    };
    assert!(l.contains(&format!(
        "epoll_ctl({ep}, EPOLL_CTL_ADD, {lt}, {{events=EPOLLIN, data={{u32={lt}, u64={lt}}}}}) = 0"
    )));
    assert!(l.contains(&format!(
        "epoll_ctl({ep}, EPOLL_CTL_ADD, {et}, {{events=EPOLLIN|EPOLLET, data={{u32={et}, u64={et}}}}}) = 0"
    )));
    let ready = |fd: i32| format!("{{events=EPOLLIN, data={{u32={fd}, u64={fd}}}}}");
    let w = waits(&l);
    assert_eq!(w.len(), 6, "{w:#?}");
    // Two clients queued: the listener is reported, and after one accept
    // it is reported again (level-triggered), since one still waits.
    for i in [0, 1] {
        assert!(
            w[i].starts_with(&format!("epoll_wait({ep}, [{}], 8, -1)", ready(listen)))
                && w[i].ends_with("= 1"),
            "{w:#?}"
        );
    }
    // Both data sockets ready; then each read 4 of its 13 bytes.
    assert!(w[2].contains(&ready(lt)) && w[2].contains(&ready(et)) && w[2].ends_with("= 2"));
    for fd in [lt, et] {
        let call = format!("recvfrom({fd}, \"hell\", 4, 0, NULL, NULL)");
        assert!(has(&l, &call, "= 4"), "{l:#?}");
    }
    // Level-triggered A is reported again; edge-triggered B is not.
    assert_eq!(
        *w[3],
        format!("epoll_wait({ep}, [{}], 8, 100) = 1", ready(lt)),
        "{w:#?}"
    );
    // A drained: nothing at all, though B's 9 bytes wait.
    assert!(
        w[4].starts_with(&format!("epoll_wait({ep}, [], 8, 100)")) && w[4].ends_with("= 0"),
        "{w:#?}"
    );
    // The fix: nonblocking, read until EAGAIN.
    let after_stall = l.iter().position(|s| s == w[4]).unwrap();
    let rest = &l[after_stall + 1..];
    assert!(rest[0].starts_with(&format!("fcntl({et}, F_GETFL)")));
    assert!(rest[1].starts_with(&format!("fcntl({et}, F_SETFL, O_RDWR|O_NONBLOCK)")));
    let b: Vec<&String> = rest
        .iter()
        .filter(|s| s.starts_with(&format!("recvfrom({et}, ")))
        .collect();
    assert!(
        b[0].starts_with(&format!(
            "recvfrom({et}, \"o, epoll\\n\", 64, 0, NULL, NULL)"
        )) && b[0].ends_with("= 9")
    );
    assert!(
        b[1].ends_with("= -1 EAGAIN (Resource temporarily unavailable)"),
        "{b:#?}"
    );
    // Both echoes went back whole.
    for fd in [lt, et] {
        assert!(l.contains(&format!(
            "sendto({fd}, \"hello, epoll\\n\", 13, 0, NULL, 0) = 13"
        )));
    }
    // Both clients' FINs: B's is a new edge, so it is reported too.
    assert!(w[5].contains(&ready(lt)) && w[5].contains(&ready(et)) && w[5].ends_with("= 2"));
}

/// The kernel's view at the stall: the bytes epoll_wait did not report
/// are in the receive queue.
#[test]
fn lesson_19_the_stalled_bytes_are_in_the_kernel_receive_queue() {
    let (code, out, err) = run(L19, &["--port", "0", "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    let stall = out
        .find("epoll_wait returned 0: no fd became ready in time.")
        .expect(&out);
    let after = &out[stall..];
    let kernel = after.lines().nth(1).unwrap();
    assert!(
        kernel.contains("kernel: fd ")
            && kernel.contains("ESTABLISHED")
            && kernel.ends_with("recv-q 9"),
        "{after}"
    );
    assert!(
        after.contains("nothing, though 9 bytes wait on fd"),
        "{after}"
    );
    assert!(out.contains("accept queue 2"), "{out}");
    assert!(out.contains("-> anon_inode:[eventpoll]"), "{out}");
}

/// One `strace -c` table of a scale run, by syscall: (calls, errors).
fn table(text: &str, heading: &str) -> HashMap<String, (u64, u64)> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("{heading}: {text}"));
    let mut rows = HashMap::new();
    for line in text[start..].lines().skip(3) {
        if line.starts_with("------") {
            break;
        }
        // % time, seconds, usecs/call, calls, [errors], name
        let words: Vec<&str> = line.split_whitespace().collect();
        let name = words.last().unwrap().to_string();
        let calls = words[3].parse().unwrap();
        let errors = if words.len() == 6 {
            words[4].parse().unwrap()
        } else {
            0
        };
        rows.insert(name, (calls, errors));
    }
    rows
}

#[test]
fn lesson_19_serves_1000_clients_at_once_each_echo_verified_and_counted() {
    let dir = std::env::temp_dir().join(format!("socklab-l19-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("run.jsonl");
    let out = Command::new(L19)
        .args([
            "--clients",
            "1000",
            "--port",
            "0",
            "--trace",
            "plain",
            "--lang",
            "en",
        ])
        .arg("--record")
        .arg(&record)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("clients: 1000 connected at once, 1000 of 1000 echoes verified"),
        "{err}"
    );
    assert!(
        err.contains("The server held 1000 connections at once, from one thread and one epoll instance, and echoed 1000 lines"),
        "{err}"
    );
    assert!(err.contains("Its peak memory (VmHWM in /proc/"), "{err}");
    // Counted: the server accepted until EAGAIN on every wake-up of the
    // listener, added each connection to the epoll set, read each line
    // and each end, echoed each line, closed each socket (and the epoll
    // fd); the clients made one socket, connect, send and close each.
    let server = table(&err, "Calls of the server");
    let clients = table(&err, "Calls of the clients");
    let (accepts, eagain) = server["accept"];
    assert_eq!(accepts - eagain, 1000, "{server:?}");
    assert!(eagain >= 1, "{server:?}");
    assert_eq!(server["epoll_ctl"], (1001, 0));
    assert_eq!(server["recvfrom"], (2000, 0));
    assert_eq!(server["sendto"], (1000, 0));
    assert_eq!(
        server["close"],
        (1002, 0),
        "the data sockets, the epoll fd and the listener"
    );
    assert_eq!(server["clone"], (1, 0));
    // One wait4 collects the clients' process (more only if the server
    // sat idle for 200 ms and looked for it).
    assert!(server["wait4"].0 >= 1);
    assert_eq!(clients["socket"], (1000, 0));
    assert_eq!(clients["connect"], (1000, 0));
    assert_eq!(clients["sendto"], (1000, 0));
    assert!(clients["recvfrom"].0 >= 1000);
    assert_eq!(
        clients["close"],
        (1001, 0),
        "the sockets and the listener's copy"
    );
    // The first few and last few lines on stdout only, each strace's own.
    // socket, setsockopt, bind, listen and getsockname before counting
    // starts; then each process's first 6 and last 4.
    assert_eq!(stdout.lines().count(), 5 + 2 * (6 + 4), "{stdout}");
    assert!(err.contains("more calls of the server"), "{err}");
    // The record has every call of both processes, as many as counted.
    let text = std::fs::read_to_string(&record).unwrap();
    let events = socklab_tools::record::parse_events(&text).unwrap();
    let total: u64 = server.values().chain(clients.values()).map(|r| r.0).sum();
    // (and the 5 calls made before counting started).
    assert_eq!(events.len() as u64, 5 + total);
    let connects = events.iter().filter(|e| e.syscall == "connect").count();
    assert_eq!(connects, 1000);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Run lesson 19 under an open-file limit of `soft` and `hard`.
fn with_limit(soft: u64, hard: u64, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(L19);
    cmd.args(args).stdin(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: soft,
                rlim_max: hard,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn lesson_19_raises_the_soft_open_file_limit_and_says_so() {
    let (code, out, err) = with_limit(
        200,
        2000,
        &[
            "--clients",
            "100",
            "--port",
            "0",
            "--lang",
            "en",
            "--trace",
            "off",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("open files: raised the soft limit (RLIMIT_NOFILE) from 200 to the hard limit, 2000; 100 clients need 220 in each process."),
        "{out}"
    );
    assert!(
        out.contains("The server held 100 connections at once"),
        "{out}"
    );
}

#[test]
fn lesson_19_too_low_a_hard_limit_is_one_line_and_exit_1() {
    let (code, _, err) = with_limit(
        300,
        300,
        &["--clients", "1000", "--port", "0", "--lang", "en"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "socklab lesson 19: --clients 1000 needs 1120 open files in each process, but the hard limit on open files (RLIMIT_NOFILE, ulimit -Hn) is 300: ask for at most 180 clients"
    );
    // Zero clients is a usage error.
    let (code, _, err) = run(L19, &["--clients", "0"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// With 10 ephemeral ports (in a network namespace of its own, where the
/// range can be set), the 11th connect to one server address fails with
/// EADDRNOTAVAIL, said in one line.
#[test]
fn lesson_19_out_of_ephemeral_ports_is_eaddrnotavail_in_one_line() {
    let script = format!(
        "ip link set lo up && echo '40000 40009' > /proc/sys/net/ipv4/ip_local_port_range && exec {L19} --clients 20 --lang en --trace off --no-kernel"
    );
    let out = Command::new("unshare")
        .args(["-rn", "sh", "-c", &script])
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("unshare:") => o,
        _ => {
            eprintln!("SKIPPED: unshare -rn is not available here");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{err}");
    assert!(
        stdout.contains("ephemeral ports: 40000–40009, 10 for connect to pick from (net.ipv4.ip_local_port_range); 20 clients to one server address need one each: not enough."),
        "{stdout}"
    );
    assert_eq!(
        err.trim_end(),
        "socklab lesson 19: connect failed with EADDRNOTAVAIL after 10 clients: the ephemeral ports (10 in net.ipv4.ip_local_port_range) are all in use toward 127.0.0.1:7819; ask for fewer clients or widen the range"
    );
}

/// --wait: outside clients (as nc would be), served at once from one
/// thread; the lesson ends when the last one leaves.
#[test]
fn lesson_19_wait_serves_outside_clients_at_once() {
    use std::io::{Read, Write};
    let lesson = common::Interactive::start(L19);
    let mut a = lesson.connect();
    let mut b = lesson.connect();
    b.write_all(b"from b\n").unwrap();
    a.write_all(b"from a\n").unwrap();
    let mut got = [0u8; 7];
    b.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"from b\n");
    a.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"from a\n");
    drop(a);
    drop(b);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert_eq!(
        rest.lines().filter(|l| l.starts_with("accept(")).count(),
        2,
        "{rest}"
    );
}

/// explain epoll_ctl: "Closing an fd removes it from epoll sets only when no other fd refers to
/// the same socket." epoll watches the open socket, not the number: after close(a) with a dup b
/// still open, bytes sent to it are still reported (with a's data); after close(b) nothing is.
#[test]
fn epoll_close_removes_a_watched_socket_only_with_its_last_fd() {
    // SAFETY: plain calls on fds this test makes and closes.
    unsafe {
        let mut pair = [0; 2];
        assert_eq!(
            libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr()),
            0
        );
        let (watched, peer) = (pair[0], pair[1]);
        let ep = libc::epoll_create1(0);
        assert!(ep >= 0);
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: watched as u64,
        };
        assert_eq!(
            libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, watched, &mut ev),
            0
        );
        let copy = libc::dup(watched);
        assert!(copy >= 0);
        assert_eq!(libc::close(watched), 0);
        assert_eq!(libc::send(peer, b"x".as_ptr().cast(), 1, 0), 1);
        let mut out = [libc::epoll_event { events: 0, u64: 0 }; 4];
        let n = libc::epoll_wait(ep, out.as_mut_ptr(), 4, 1000);
        assert_eq!(n, 1, "the dup still holds the socket: still watched");
        let data = out[0].u64;
        assert_eq!(data, watched as u64);
        assert_eq!(libc::close(copy), 0);
        let n = libc::epoll_wait(ep, out.as_mut_ptr(), 4, 0);
        assert_eq!(n, 0, "the last fd closed: the socket left the set");
        libc::close(peer);
        libc::close(ep);
    }
}
