//! Lesson 13, framing: every line it prints is strace's, and each thing it
//! says happens in the run: recv's short counts on a frame sent in odd
//! pieces, read_exact gathering them, the decoders' whole messages, the
//! nonblocking send's short counts and then EAGAIN, the bytes send accepted
//! counted in send-q and recv-q, and write_all finishing the job.
//! (The decoders' every split point: the unit tests in lessons/13_framing.rs.)

mod common;

use common::{call_line, first_arg, ret_fd, run, stdout_lines as lines, traced, Interactive};
use socklab::event::CallEvent;
use std::io::{Read, Write};

const L13: &str = env!("CARGO_BIN_EXE_13_framing");

/// The frame the server sends in part 4: a 4-byte prefix and 16384 bytes.
const BIG_FRAME: usize = 4 + 16384;

/// The number after `label ` in `text`, up to the next non-digit.
fn number_after(text: &str, label: &str) -> u64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("no `{label}` in {text}"));
    text[at + label.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after `{label}` in {text}"))
}

/// The server's MSG_DONTWAIT sends until the first EAGAIN: their counts,
/// and the EAGAIN's place among the lines.
fn sends_until_eagain(l: &[String], data: i32) -> (Vec<i64>, usize) {
    let mut counts = Vec::new();
    for (i, s) in l.iter().enumerate() {
        if !s.starts_with(&format!("sendto({data}, ")) || !s.contains(", MSG_DONTWAIT, NULL, 0)") {
            continue;
        }
        if s.ends_with("= -1 EAGAIN (Resource temporarily unavailable)") {
            return (counts, i);
        }
        counts.push(i64::from(ret_fd(s)));
    }
    panic!("no send ended in EAGAIN: {l:#?}");
}

#[test]
fn lesson_13_short_reads_decoders_short_writes_and_the_queues() {
    let Some(cmp) = traced(L13, &["--lang", "en"]) else {
        return;
    };
    let l = lines(&cmp);
    let err = String::from_utf8_lossy(&cmp.output.stderr).into_owned();
    let data = ret_fd(call_line(&l, "accept("));
    let client = first_arg(call_line(&l, "connect("));
    assert_eq!((client, data), (4, 5), "the same fds as lesson 06: {l:#?}");

    // Part 1: the client's odd pieces, and the server's recvs, each
    // returning the piece that had arrived, fewer than asked.
    let sends: Vec<&String> = l
        .iter()
        .filter(|s| s.starts_with(&format!("sendto({client}, ")))
        .collect();
    let pieces: Vec<String> = sends
        .iter()
        .map(|s| s.split(", ").nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        pieces,
        [
            r#""\0\0\0""#,
            r#""\5hel""#,
            r#""lo""#,
            r#""\0\0\0\4ping\0\0""#,
            r#""\0\6fra""#,
            r#""med""#,
            r#""one\ntw""#,
            r#""o\nthree\n""#,
        ],
        "{l:#?}"
    );
    let recvs: Vec<String> = l
        .iter()
        .filter(|s| s.starts_with(&format!("recvfrom({data}, ")))
        .map(|s| {
            s.split_once(", NULL, NULL)").unwrap().0.to_string() + " = " + &ret_fd(s).to_string()
        })
        .collect();
    let r =
        |buf: &str, asked: usize, got: usize| format!("recvfrom({data}, {buf}, {asked}, 0 = {got}");
    assert_eq!(
        recvs,
        [
            // read_exact(4): 3 of 4, then the 1 missing.
            r(r#""\0\0\0""#, 4, 3),
            r(r#""\5""#, 1, 1),
            // read_exact(5): 3 of 5, then the 2 missing.
            r(r#""hel""#, 5, 3),
            r(r#""lo""#, 2, 2),
            // The decoders: each recv takes one piece, whatever it holds.
            r(r#""\0\0\0\4ping\0\0""#, 64, 10),
            r(r#""\0\6fra""#, 64, 5),
            r(r#""med""#, 64, 3),
            r(r#""one\ntw""#, 64, 6),
            r(r#""o\nthree\n""#, 64, 8),
        ],
        "{l:#?}"
    );
    assert!(
        err.contains("kernel: fd 5 = TCP ESTABLISHED") && err.contains(", send-q 0, recv-q 3\n"),
        "the first piece waits in the receive queue: {err}"
    );
    assert!(err.contains("4 bytes in 2 recvs (3, 1)"), "{err}");
    assert!(err.contains("The prefix bytes 00 00 00 05"), "{err}");
    assert!(err.contains("make 5: the length"), "{err}");
    assert!(err.contains("5 bytes in 2 recvs (3, 2)"), "{err}");
    assert!(err.contains("The message: \"hello\"."), "{err}");
    // The decoders hand back whole messages only, and keep the rest.
    for said in [
        "10 bytes in; the decoder hands back \"ping\" and keeps 2 bytes",
        "5 bytes in; the decoder hands back nothing whole yet and keeps 7 bytes",
        "3 bytes in; the decoder hands back \"framed\" and keeps 0 bytes",
        "6 bytes in; the decoder hands back \"one\" and keeps 2 bytes",
        "8 bytes in; the decoder hands back \"two\", \"three\" and keeps 0 bytes",
    ] {
        assert!(err.contains(said), "{said}: {err}");
    }

    // Part 4: a small SO_SNDBUF, then MSG_DONTWAIT sends: short counts,
    // then EAGAIN, while the client does not read.
    assert!(l.contains(&format!(
        "setsockopt({data}, SOL_SOCKET, SO_SNDBUF, [4096], 4) = 0"
    )));
    let first = l
        .iter()
        .find(|s| s.contains(", MSG_DONTWAIT, NULL, 0)"))
        .unwrap();
    assert!(
        first.starts_with(&format!(
            "sendto({data}, \"\\0\\0@\\0abcdefghijklmnopqrstuvwxyzab\"..., {BIG_FRAME}, MSG_DONTWAIT, NULL, 0) = "
        )),
        "the 4 prefix bytes of 16384, as strace escapes them: {first}"
    );
    let (short, eagain) = sends_until_eagain(&l, data);
    let mut left = BIG_FRAME as i64;
    assert!(!short.is_empty(), "{l:#?}");
    for n in &short {
        assert!(*n > 0 && *n < left, "a short count: {n} of {left}: {l:#?}");
        left -= n;
    }
    let accepted: i64 = short.iter().sum();
    // The queues: send-q + recv-q is every byte send accepted.
    let server_line = err
        .lines()
        .find(|s| s.contains("kernel: server: TCP ESTABLISHED"))
        .unwrap_or_else(|| panic!("{err}"));
    let client_line = err
        .lines()
        .find(|s| s.contains("kernel: client: TCP ESTABLISHED"))
        .unwrap_or_else(|| panic!("{err}"));
    let s_q = number_after(server_line, "send-q ");
    let c_q = number_after(client_line, "recv-q ");
    assert!(s_q > 0 && c_q > 0, "{server_line}\n{client_line}");
    assert_eq!(s_q + c_q, accepted as u64, "{err}");
    assert!(
        err.contains(&format!(
            "send-q {s_q} + recv-q {c_q} = {accepted}, the bytes send accepted: {c_q} wait in the client's receive queue"
        )),
        "{err}"
    );
    // After EAGAIN: write_all sends the rest without MSG_DONTWAIT, in one
    // send that waits for room; the client, which read nothing before,
    // reads the whole frame with MSG_WAITALL, one recv each.
    let after = &l[eagain + 1..];
    let rest = BIG_FRAME as i64 - accepted;
    let blocking: Vec<&String> = after
        .iter()
        .filter(|s| s.starts_with(&format!("sendto({data}, ")))
        .collect();
    assert_eq!(blocking.len(), 1, "{after:#?}");
    assert!(
        blocking[0].ends_with(&format!(", {rest}, 0, NULL, 0) = {rest}")),
        "{blocking:?}"
    );
    assert!(
        err.contains(&format!("send returned {rest}, all of it")),
        "{err}"
    );
    let client_reads: Vec<&String> = l
        .iter()
        .filter(|s| s.starts_with(&format!("recvfrom({client}, ")))
        .collect();
    assert_eq!(client_reads.len(), 2, "{client_reads:#?}");
    assert_eq!(
        client_reads[0],
        &format!(r#"recvfrom({client}, "\0\0@\0", 4, MSG_WAITALL, NULL, NULL) = 4"#)
    );
    assert!(
        client_reads[1].ends_with(", 16384, MSG_WAITALL, NULL, NULL) = 16384"),
        "{client_reads:#?}"
    );
    assert!(
        err.contains("16384 of the 16384 bytes in one recv"),
        "{err}"
    );
    // In the order the calls were made: the client's first read comes after
    // the EAGAIN, so nobody read while the buffers filled.
    let by_seq: Vec<&CallEvent> = {
        let mut v: Vec<&CallEvent> = cmp.recorded.iter().collect();
        v.sort_by_key(|e| e.seq);
        v
    };
    let eagain_at = by_seq
        .iter()
        .position(|e| e.syscall == "sendto" && e.value().is_none())
        .unwrap();
    let first_read = by_seq
        .iter()
        .position(|e| e.syscall == "recvfrom" && e.fd == Some(client))
        .unwrap();
    assert!(eagain_at < first_read);
    // MSG_DONTWAIT did not wait: the EAGAIN came back at once.
    let t = by_seq[eagain_at].time.expect("the call's times");
    assert!(t.end_ns - t.start_ns < 100_000_000, "{t:?}");
}

/// The numbers say what this run did: in Korean too, around the same
/// calls, and the same sums.
#[test]
fn lesson_13_in_korean_adds_up_the_queues() {
    let (code, out, err) = run(L13, &["--port", "0", "--lang", "ko"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("수신 큐 3"), "{out}");
    let line = out
        .lines()
        .find(|s| s.starts_with("송신 큐 "))
        .unwrap_or_else(|| panic!("{out}"));
    let s_q = number_after(line, "송신 큐 ");
    let c_q = number_after(line, "수신 큐 ");
    let sum = number_after(line, "= ");
    assert_eq!(s_q + c_q, sum, "{line}");
    assert!(
        out.contains("4바이트를 recv 2번(3, 1)으로 받았습니다"),
        "{out}"
    );
    assert!(out.contains("길이 헤더의 바이트 00 00 00 05를"), "{out}");
    assert!(
        out.contains("-1 EAGAIN: 한 바이트도 들어가지 않았고"),
        "{out}"
    );
}

/// With --wait, an outside client sends the same pieces (as bash's printf
/// to /dev/tcp would, one write each) and reads the big frame to its end.
#[test]
fn interactive_13_with_an_outside_client() {
    let mut lesson = Interactive::start(L13);
    let mut c = lesson.connect();
    // Each piece once the lesson has read everything before it.
    let mut send = |piece: &[u8], recvs: usize| {
        c.write_all(piece).unwrap();
        (0..recvs)
            .map(|_| lesson.line_starting("recvfrom("))
            .collect::<Vec<String>>()
    };
    let got = send(b"\0\0\0", 1);
    assert!(
        got[0].starts_with("recvfrom(4, \"\\0\\0\\0\", 4, 0, NULL, NULL) = 3"),
        "{got:?}"
    );
    let got = send(b"\x05hel", 2);
    assert!(got[0].starts_with("recvfrom(4, \"\\5\", 1, "), "{got:?}");
    assert!(got[1].starts_with("recvfrom(4, \"hel\", 5, "), "{got:?}");
    send(b"lo", 1);
    for piece in [
        &b"\0\0\0\x04ping\0\0"[..],
        b"\0\x06fra",
        b"med",
        b"one\ntw",
        b"o\nthree\n",
    ] {
        send(piece, 1);
    }
    let mut frame = Vec::new();
    c.read_to_end(&mut frame).unwrap();
    assert_eq!(frame.len(), BIG_FRAME);
    assert_eq!(&frame[..4], b"\0\0@\0");
    drop(c);
    let (status, rest, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        rest.contains(", 16388, MSG_DONTWAIT, NULL, 0) = "),
        "{rest}"
    );
    assert!(err.contains("exec 3<>/dev/tcp/127.0.0.1/"), "{err}");
}

/// An outside client that sends text, not frames: its 4 letters read as a
/// length of about 1.6 GB, which the lesson refuses instead of making room.
#[test]
fn interactive_13_refuses_a_length_that_is_not_one() {
    let lesson = Interactive::start(L13);
    let mut c = lesson.connect();
    c.write_all(b"abcd\n").unwrap();
    let (status, _, err) = lesson.finish();
    assert!(status.success(), "{err}");
    assert!(
        err.contains("make 1633837924: the length")
            && err.contains("1633837924 bytes is more than this lesson accepts"),
        "{err}"
    );
}
