//! The packets put between a lesson's lines, in time order.
//!
//! The lesson writes its lines (narration and calls) to socklab through a
//! pipe; its record gives each call's start and end. After the run, each
//! packet is written just before the line of the first call, in the order
//! the lines were printed, that ended after it: a packet sent inside
//! `connect` comes before `connect(...) = 0`, marked `during connect`.
//!
//! Where the live view held a `recv`'s line back until the `send` that fed
//! it was shown (cause and effect, see the library's `trace/causal.rs`),
//! the `recv` returned first on the clock; the packets still follow the
//! clock, so the data segment stands before the `send`'s line, and the
//! held `recv` line comes after both.

use super::{describe, during_note, Seen};
use socklab::event::CallEvent;
use socklab::lang::Lang;
use socklab::output::{paint, Color};

/// How many calls ahead of the next one a line is looked for: a forked
/// child's lines may come out a little out of `seq` order.
const LOOK_AHEAD: usize = 16;

/// How the lesson showed its calls (its `--trace`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// pretty or plain: a packet is a line of words.
    Text,
    /// json: a packet is its JSON object (as in the record).
    Json,
}

/// A call's end on the packets' clock (ns since 1970).
fn end_ns(c: &CallEvent) -> Option<u64> {
    let t = c.time?;
    Some(t.t0_unix_us? * 1000 + t.end_ns)
}

/// Whether `line` is the printed line of call `c`.
fn is_line_of(line: &str, c: &CallEvent, strace_line: &str) -> bool {
    if line.starts_with('{') {
        return line.contains(&format!("\"seq\":{},", c.seq));
    }
    line == strace_line || line.contains(&format!("│ {strace_line}"))
}

/// One packet's line: `packet           ┆ client → server  …   · during connect(4) (client, thread 12)`.
pub fn packet_line(s: &Seen, calls: &[CallEvent], lang: Lang, color: bool) -> String {
    let gutter = match lang {
        Lang::En => format!("{:<16}", "packet"),
        // 패킷 takes four columns; the Korean gutter is 21.
        Lang::Ko => format!("패킷{}", " ".repeat(17)),
    };
    let mut text = describe(s, lang);
    if let Some(call) = s.during.and_then(|q| calls.iter().find(|c| c.seq == q)) {
        text.push_str("   · ");
        text.push_str(&during_note(call, lang));
    }
    format!(
        "{} {} {}\n",
        paint(&gutter, Color::Magenta, color),
        paint("┆", Color::Dim, color),
        paint(&text, Color::Magenta, color)
    )
}

/// The lesson's output with the packets between its lines.
pub fn interleave(
    output: &str,
    calls: &[CallEvent],
    seen: &[Seen],
    shown: Shown,
    lang: Lang,
    color: bool,
) -> String {
    let mut by_seq: Vec<&CallEvent> = calls.iter().collect();
    by_seq.sort_by_key(|c| c.seq);
    let lines: Vec<String> = by_seq.iter().map(|c| c.line()).collect();
    let mut matched = vec![false; by_seq.len()];
    let mut first_open = 0;
    let mut next_packet = 0;
    let mut out = String::with_capacity(output.len() + seen.len() * 120);
    let write_packet = |out: &mut String, s: &Seen| match shown {
        Shown::Text => out.push_str(&packet_line(s, calls, lang, color)),
        Shown::Json => out.push_str(&super::to_json(s)),
    };
    // The last line that is a call's: packets after every call go after it.
    let text_lines: Vec<&str> = output.split_inclusive('\n').collect();
    let mut call_of_line: Vec<Option<usize>> = vec![None; text_lines.len()];
    for (i, raw) in text_lines.iter().enumerate() {
        let line = raw.trim_end_matches('\n');
        while first_open < matched.len() && matched[first_open] {
            first_open += 1;
        }
        let hit = (first_open..(first_open + LOOK_AHEAD).min(by_seq.len()))
            .find(|&k| !matched[k] && is_line_of(line, by_seq[k], &lines[k]));
        if let Some(k) = hit {
            matched[k] = true;
            call_of_line[i] = Some(k);
        }
    }
    let last_call_line = call_of_line.iter().rposition(Option::is_some);
    for (i, raw) in text_lines.iter().enumerate() {
        if let Some(k) = call_of_line[i] {
            if let Some(end) = end_ns(by_seq[k]) {
                while next_packet < seen.len() && seen[next_packet].packet.t_unix_ns <= end {
                    write_packet(&mut out, &seen[next_packet]);
                    next_packet += 1;
                }
            }
        }
        out.push_str(raw);
        if Some(i) == last_call_line {
            for s in &seen[next_packet..] {
                write_packet(&mut out, s);
            }
            next_packet = seen.len();
        }
    }
    // No call line at all (--trace off): the packets at the end.
    for s in &seen[next_packet..] {
        write_packet(&mut out, s);
    }
    out
}

/// The packets alone, in time order, after a run shown live (`--step`,
/// `--wait`): a heading, then one line each.
pub fn listing(
    calls: &[CallEvent],
    seen: &[Seen],
    shown: Shown,
    lang: Lang,
    color: bool,
) -> String {
    let mut out = String::new();
    if shown == Shown::Text {
        out.push_str(&lang.pick2(
            format!("\nThe run's packets, in time order ({}):\n", seen.len()),
            format!(
                "\n이번 실행의 패킷을 시간 순서로 보입니다({}개):\n",
                seen.len()
            ),
        ));
    }
    for s in seen {
        match shown {
            Shown::Text => out.push_str(&packet_line(s, calls, lang, color)),
            Shown::Json => out.push_str(&super::to_json(s)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packets::{read_run, Packet};
    use etherparse::PacketBuilder;
    use socklab::event::{Arg, Span};
    use socklab::strace::Ret;

    const T0_US: u64 = 1_700_000_000_000_000;

    fn call(seq: u64, syscall: &'static str, fd: i32, start: u64, end: u64) -> CallEvent {
        let mut c = CallEvent::new(syscall, vec![Arg::fd(fd)], Ret::Value(0));
        c.seq = seq;
        c.fd = Some(fd);
        c.time = Some(Span {
            start_ns: start * 1000,
            end_ns: end * 1000,
            t0_unix_us: Some(T0_US),
        });
        c
    }

    #[test]
    fn packets_follow_the_clock_past_a_held_recv_line() {
        // The recv returned at 25 µs, before the send (20 to 30 µs) that fed
        // it; the view printed the send's line first (seq 1), then the recv's.
        let send = call(1, "sendto", 4, 20, 30);
        let recv = call(2, "recvfrom", 5, 5, 25);
        let mut f = Vec::new();
        PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(40000, 7804, 1, 512)
            .ack(1)
            .psh()
            .write(&mut f, b"hi")
            .unwrap();
        let packets = [Packet {
            t_unix_ns: (T0_US + 22) * 1000,
            frame: f,
        }];
        let calls = [send.clone(), recv.clone()];
        let seen = read_run(&packets, &calls);
        let output = format!(
            "narration\nserver data      │ {}\nclient data      │ {}\nDone.\n",
            send.line(),
            recv.line()
        );
        let out = interleave(&output, &calls, &seen, Shown::Text, Lang::En, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "narration");
        assert!(lines[1].starts_with("packet ") && lines[1].contains("· during sendto(4)"));
        assert!(lines[2].contains("│ sendto(4"));
        assert!(lines[3].contains("│ recvfrom(5"));
        assert_eq!(lines[4], "Done.");
        // With no call lines at all (--trace off), the packets come last.
        let out = interleave("Done.\n", &calls, &seen, Shown::Text, Lang::En, false);
        assert!(out.starts_with("Done.\npacket "));
    }
}
