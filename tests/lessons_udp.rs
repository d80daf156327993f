//! Lesson 10, UDP: every line is strace's line, and the run shows each
//! thing the lesson says: one socket for every sender, boundaries kept,
//! truncation and MSG_TRUNC, SO_RCVBUF doubled and its minimum, drops
//! counted in /proc/net/udp, ECONNREFUSED on a connected socket's later
//! call and never on an unconnected one.

mod common;

use common::{call_line, event, first_arg, ret_fd, traced, Interactive};
use socklab::addr::SockAddr;
use std::net::UdpSocket;

const L10: &str = env!("CARGO_BIN_EXE_10_udp");

/// The calls made on `fd`, in order.
fn on(l: &[String], fd: i32) -> Vec<&String> {
    l.iter()
        .filter(|s| {
            s.split_once('(').is_some_and(|(_, rest)| {
                rest.starts_with(&format!("{fd},")) || rest.starts_with(&format!("{fd})"))
            })
        })
        .collect()
}

/// The sender's address a recvfrom line reports.
fn sender(line: &str) -> SockAddr {
    event(line)
        .addr()
        .cloned()
        .unwrap_or_else(|| panic!("no address in {line}"))
}

/// The number in `text` right after `before`: `"recv-q 1664"` → 1664.
fn number_after(text: &str, before: &str) -> u64 {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("no `{before}` in {text}"));
    text[at + before.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after `{before}` in {text}"))
}

#[test]
fn lesson_10_datagrams_truncation_drops_and_connected_udp() {
    let Some(cmp) = traced(L10, &["--lang", "en"]) else {
        return;
    };
    let l = common::stdout_lines(&cmp);
    let told = String::from_utf8_lossy(&cmp.output.stderr).into_owned();

    // No listen and no accept: one bound socket.
    assert!(
        !l.iter()
            .any(|s| s.starts_with("listen(") || s.starts_with("accept")),
        "{l:#?}"
    );
    let server = first_arg(call_line(&l, "bind("));
    assert!(l[0].starts_with(&format!(
        "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = {server}"
    )));
    let here = event(call_line(&l, "getsockname("))
        .addr()
        .cloned()
        .unwrap();

    // Two sendtos, two recvfroms: each returns one datagram, though the
    // 64-byte buffer had room for more and more was queued.
    let recvs: Vec<&String> = on(&l, server)
        .into_iter()
        .filter(|s| s.starts_with("recvfrom("))
        .collect();
    let starts = [
        format!("recvfrom({server}, \"hello \", 64, 0, {{"),
        format!("recvfrom({server}, \"world\\n\", 64, 0, {{"),
        format!("recvfrom({server}, \"from b\\n\", 64, 0, {{"),
    ];
    for (r, start) in recvs.iter().zip(&starts) {
        assert!(r.starts_with(start), "{r} should start {start}");
    }
    assert_eq!(
        recvs[..3].iter().map(|r| ret_fd(r)).collect::<Vec<_>>(),
        [6, 6, 7]
    );
    let a = first_arg(
        l.iter()
            .find(|s| s.starts_with("sendto(") && s.contains("\"hello \""))
            .unwrap(),
    );
    assert!(
        l.iter()
            .any(|s| s.starts_with(&format!("sendto({a}, \"world\\n\", 6, 0, {{"))),
        "the second sendto is a call of its own: {l:#?}"
    );
    // recvfrom says who sent: a twice, then b from another port.
    assert_eq!(sender(recvs[0]), sender(recvs[1]));
    assert_ne!(
        sender(recvs[0]),
        sender(recvs[2]),
        "two senders, one socket"
    );

    // A short buffer cuts a 20-byte datagram: 8 copied, 8 returned; with
    // MSG_TRUNC the real length, 20, and the next datagram's start.
    assert!(recvs[3].starts_with(&format!("recvfrom({server}, \"01234567\", 8, 0, {{")));
    assert_eq!(ret_fd(recvs[3]), 8);
    assert!(recvs[4].starts_with(&format!(
        "recvfrom({server}, \"ABCDEFGH\", 8, MSG_TRUNC, {{"
    )));
    assert_eq!(ret_fd(recvs[4]), 20);
    // The answer goes to the address recvfrom gave, and a receives it.
    let answer = call_line(&l, &format!("sendto({server}, \"got 5 datagrams\\n\""));
    assert_eq!(event(answer).addr(), Some(&sender(recvs[4])));
    assert!(l
        .iter()
        .any(|s| s.starts_with(&format!("recvfrom({a}, \"got 5 datagrams\\n\""))));

    // SO_RCVBUF: 4096 asked, 8192 set; 1024 asked, more than twice that
    // (the kernel's minimum).
    assert!(l.contains(&format!(
        "getsockopt({server}, SOL_SOCKET, SO_RCVBUF, [8192], [4]) = 0"
    )));
    let small = l
        .iter()
        .filter(|s| s.starts_with(&format!("getsockopt({server}, SOL_SOCKET, SO_RCVBUF, [")))
        .nth(1)
        .expect("a second getsockopt")
        .clone();
    let min = number_after(&small, "SO_RCVBUF, [");
    assert!(min > 2048, "{small}");
    assert!(
        told.contains(&format!("on this machine it is {min}")),
        "{told}"
    );

    // The flood: ten sendtos of 100 bytes, each returning 100.
    let flood: Vec<&String> = l
        .iter()
        .filter(|s| s.starts_with("sendto(") && s.contains("\"xxxxxxxx"))
        .collect();
    assert_eq!(flood.len(), 10, "{l:#?}");
    assert!(flood.iter().all(|s| ret_fd(s) == 100), "{flood:#?}");
    let f = first_arg(flood[0]);
    // What the server read after it: datagrams, then EAGAIN.
    let after: Vec<&&String> = recvs
        .iter()
        .filter(|s| s.contains(", 128, MSG_DONTWAIT, "))
        .collect();
    let (last, kept) = after.split_last().unwrap();
    assert!(last.ends_with("= -1 EAGAIN (Resource temporarily unavailable)"));
    assert!(kept.iter().all(|s| ret_fd(s) == 100), "{after:#?}");
    // The drops column: every datagram was kept or dropped, and some were
    // dropped.
    let dropped = number_after(&told, " kept + ");
    assert!(dropped > 0, "{told}");
    assert_eq!(kept.len() as u64 + dropped, 10, "{told}");
    assert!(
        told.contains(&format!(
            "{} kept + {dropped} dropped = 10 sent",
            kept.len()
        )),
        "{told}"
    );
    assert!(
        told.contains(&format!(
            "kernel: fd {server} = UDP {here} <-> *, recv-q 0, drops {dropped}"
        )),
        "{told}"
    );
    // recv-q counted more than the datagrams' data.
    let full = told
        .lines()
        .find(|s| {
            s.contains(&format!("kernel: fd {server} = UDP"))
                && s.ends_with(&format!("drops {dropped}"))
        })
        .unwrap();
    let queued = number_after(full, "recv-q ");
    assert!(queued > kept.len() as u64 * 100, "{full}");
    assert!(told.contains(&format!("recv-q was {queued} for {} datagrams", kept.len())));

    // Where the server was, after its close: the unconnected f's sendtos
    // succeed and its later recvfrom finds no error (EAGAIN); the
    // connected g's send succeeds and its later recv gets ECONNREFUSED.
    let closed = l
        .iter()
        .position(|s| *s == format!("close({server})                                = 0"))
        .expect("the server closes");
    let rest = &l[closed + 1..];
    let f_calls: Vec<&String> = on(rest, f);
    assert_eq!(
        f_calls.iter().map(|s| ret_fd(s)).collect::<Vec<_>>()[..3],
        [7, 7, -1]
    );
    assert!(f_calls[2].starts_with(&format!("recvfrom({f}, ")));
    assert!(f_calls[2].ends_with("= -1 EAGAIN (Resource temporarily unavailable)"));
    let g = first_arg(call_line(rest, "connect("));
    let g_calls: Vec<String> = on(rest, g).iter().map(|s| s.to_string()).collect();
    assert_eq!(
        g_calls[0],
        format!("connect({g}, {}, 16) = 0", here_in_strace(&here))
    );
    assert_eq!(
        g_calls[1],
        format!("sendto({g}, \"anyone?\", 7, 0, NULL, 0)     = 7")
    );
    assert!(g_calls[2].starts_with(&format!("recvfrom({g}, 0x")));
    assert!(g_calls[2].ends_with("= -1 ECONNREFUSED (Connection refused)"));
    assert_eq!(
        l.iter().filter(|s| s.contains("ECONNREFUSED")).count(),
        1,
        "ECONNREFUSED only on the connected socket's later call: {l:#?}"
    );

    // The kernel's view: a UDP socket is listed once it has a port, by
    // bind (the server), its first sendto (f, on 0.0.0.0) or connect (g,
    // with its peer).
    let not_yet = |fd: i32| format!("kernel: fd {fd} = not in /proc/net/udp yet");
    let at = |needle: &str| {
        told.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in {told}"))
    };
    assert!(
        at(&not_yet(server))
            < at(&format!(
                "kernel: fd {server} = UDP {here} <-> *, recv-q 0, drops 0"
            ))
    );
    assert!(at(&not_yet(f)) < at(&format!("kernel: fd {f} = UDP 0.0.0.0:")));
    assert!(
        told.contains(&format!(" <-> {here}, recv-q 0, drops 0")),
        "{told}"
    );
    assert!(
        told.contains(&format!("kernel: fd {g} = UDP 127.0.0.1:")),
        "{told}"
    );
}

/// An address as strace writes it in a call line.
fn here_in_strace(here: &SockAddr) -> String {
    format!(
        "{{sa_family=AF_INET, sin_port=htons({}), sin_addr=inet_addr(\"127.0.0.1\")}}",
        here.port().unwrap()
    )
}

/// With --wait the first part is for outside clients, as `nc -u` would be:
/// two sockets, each line one datagram, and the answer goes to the last.
#[test]
fn interactive_10_with_two_outside_senders() {
    let mut lesson = Interactive::spawn(L10, common::free_port(), &[]);
    lesson.line_starting("getsockname(");
    let server = ("127.0.0.1", lesson.port);
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.send_to(b"hello\n", server).unwrap();
    a.send_to(b"world\n", server).unwrap();
    b.send_to(b"from b\n", server).unwrap();
    a.send_to(b"a line longer than eight\n", server).unwrap();
    a.send_to(b"and another one\n", server).unwrap();
    a.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = a.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"got 5 datagrams\n");
    assert_eq!(from.port(), lesson.port);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    let b_port = b.local_addr().unwrap().port();
    assert!(
        rest.contains(&format!(
            "\"from b\\n\", 64, 0, {{sa_family=AF_INET, sin_port=htons({b_port}),"
        )),
        "{rest}"
    );
    assert!(rest.contains(", \"a line l\", 8, 0, {"), "{rest}");
    assert!(rest.contains(", \"and anot\", 8, MSG_TRUNC, {"), "{rest}");
    assert!(rest.contains(") = 16\n"), "{rest}");
    assert!(
        err.contains("another sender, received by the same socket"),
        "{err}"
    );
    // The flood and the connected socket are the lesson's own, even so.
    assert!(
        rest.contains("= -1 ECONNREFUSED (Connection refused)"),
        "{rest}"
    );
    assert!(err.contains(" dropped = 10 sent"), "{err}");
}

/// The ICMP counters in /proc/net/snmp: (OutDestUnreachs, InDestUnreachs).
fn dest_unreachables() -> (u64, u64) {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap();
    let mut icmp = snmp.lines().filter(|l| l.starts_with("Icmp:"));
    let (names, values) = (icmp.next().unwrap(), icmp.next().unwrap());
    let value = |name: &str| -> u64 {
        let at = names.split_whitespace().position(|n| n == name).unwrap();
        values.split_whitespace().nth(at).unwrap().parse().unwrap()
    };
    (value("OutDestUnreachs"), value("InDestUnreachs"))
}

/// The pages say why ECONNREFUSED came: each of the three datagrams sent
/// where the server had been drew an ICMP "destination unreachable" (port
/// unreachable), sent by the kernel and received back on loopback. Other
/// tests may add to the counters at the same time, never take from them.
#[test]
fn each_datagram_to_the_closed_port_draws_an_icmp_unreachable() {
    let before = dest_unreachables();
    let (code, _, err) = common::run(L10, &["--port", "0", "--trace", "off", "--no-kernel"]);
    assert_eq!(code, 0, "{err}");
    let after = dest_unreachables();
    assert!(after.0 >= before.0 + 3, "{before:?} -> {after:?}");
    assert!(after.1 >= before.1 + 3, "{before:?} -> {after:?}");
}

/// The live view shows cause before effect for datagrams too: the
/// server's answer (its sendto) is shown before the client's recvfrom of
/// it, though the kernel may wake the client inside the sendto.
#[test]
fn the_servers_sendto_is_shown_before_the_clients_recvfrom_of_it() {
    for _ in 0..5 {
        let (code, out, err) =
            common::run(L10, &["--port", "0", "--trace", "plain", "--no-kernel"]);
        assert_eq!(code, 0, "{err}");
        let at = |start: &str| {
            out.lines()
                .position(|l| l.starts_with(start) && l.contains("\"got 5 datagrams\\n\""))
                .unwrap_or_else(|| panic!("no {start}… line:\n{out}"))
        };
        assert!(at("sendto(3, ") < at("recvfrom(4, "), "{out}");
    }
}
