//! A recorded run drawn as the course's sequence diagram: the client and
//! the server in two columns, time going down, each system call in its
//! column, and between them what crossed the network because of it.
//!
//! A record made with `--packets` holds the real packets: each is an arrow
//! of its own (the handshake's three, each data segment and its ACK, a FIN
//! and its ACK each way, an RST, a datagram, an ICMP error), drawn where
//! its time puts it among the calls. A record without packets gets one
//! arrow per call, inferred from the call (`SYN, handshake` for a
//! `connect`).

use crate::packets::{Direction, Kind, Packet, Seen};
use socklab::event::{ArgValue, CallEvent};
use socklab::strace::consts::errno_name;
use socklab::strace::Ret;
use socklab::trace::causal::{Cause, Ledger};
use socklab::trace::{Role, Side};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};

const COL: usize = 34;
const MID: usize = 26;
/// The longest call name or errno drawn whole. The tracer's are short; a
/// record written by hand may hold anything.
const MAX_NAME: usize = 24;
/// The bytes of a send shown on its arrow.
const MAX_DATA: usize = 14;
/// How many calls may wait, in [`causal_order`], for one connection's
/// bytes or for a `connect`. Each is looked at again when it may have come.
const MAX_HELD: usize = 64;

/// What went between the two sides because of a call, and which way.
enum Arrow {
    ToServer(String),
    ToClient(String),
}

/// One row of the diagram, top to bottom.
enum Row<'a> {
    Call(&'a CallEvent, Option<Arrow>),
    /// A packet the record holds: an arrow with nothing in the columns.
    Packet(Arrow),
    /// Where another run begins, in a file of several runs one after another.
    NextRun(usize),
}

fn is_client(r: &CallEvent) -> bool {
    r.side == Some(Side::Client)
}

/// The error a failed call returned.
fn errno(r: &CallEvent) -> Option<i32> {
    match r.ret {
        Ret::Error(e) => Some(e),
        _ => None,
    }
}

/// A `shutdown`'s second argument as its number (`SHUT_WR` is 1); None
/// where the record does not type it (a record made before version 1).
fn shutdown_how(r: &CallEvent) -> Option<i64> {
    match r.arg(1)? {
        ArgValue::Flags(how) | ArgValue::Int(how) => Some(*how),
        _ => None,
    }
}

/// Text from a record as it may be drawn: at most `max` characters (the
/// last one then `…`), and no control characters, which would move a
/// terminal's cursor and make an SVG file unreadable.
fn clean(s: &str, max: usize) -> String {
    let n = s.chars().count();
    let keep = if n > max { max.saturating_sub(1) } else { n };
    let mut out: String = s
        .chars()
        .take(keep)
        .map(|c| match c {
            c if c.is_control() => '\u{fffd}',
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect();
    if n > max {
        out.push('…');
    }
    out
}

/// `accept(3) = 4`, `connect(5) = -1 ECONNREFUSED`: the call, short.
fn short(r: &CallEvent) -> String {
    let fd = fd_of(r).map(|f| f.to_string()).unwrap_or_default();
    let result = match (errno(r), r.value()) {
        (Some(e), _) => format!("-1 {}", clean(&errno_name(e), MAX_NAME)),
        (None, v) => v.unwrap_or(-1).to_string(),
    };
    let note = match (&*r.syscall, r.new_role, r.value()) {
        ("accept" | "accept4", Some(_), Some(_)) => "  new data fd",
        _ => "",
    };
    format!("{}({fd}) = {result}{note}", clean(&r.syscall, MAX_NAME))
}

/// The fd a call was made on: the record's, or, for a call the tracer
/// could not mark (a bare `close(4)` of a number it did not make), its
/// first argument.
fn fd_of(r: &CallEvent) -> Option<i32> {
    r.fd.or_else(|| match r.arg(0) {
        Some(ArgValue::Fd(fd)) => Some(*fd),
        _ => None,
    })
}

/// Which socket each call's fd number names, followed across processes.
///
/// An fd number is an index into one *process's* table, and `fork` (the
/// `clone` line) gives the child a copy of the table: after it, the same
/// socket has an fd in each process, and only the `close` of its last fd
/// ends the connection (the FIN). Each socket gets an id of its own here,
/// the same in every process that holds it, with a count of the fds that
/// refer to it; threads share their process's table.
#[derive(Default)]
struct Copies {
    /// By a call's `seq`: the id of the socket its fd names.
    on: HashMap<u64, i32>,
    /// By a `socket` or `accept` call's `seq`: the id of the new socket.
    made: HashMap<u64, i32>,
    /// The `close` calls that left another fd on their socket open.
    not_last: HashSet<u64>,
}

/// Ids for sockets start above any fd number a record holds, so a call on
/// an fd the record never saw made (kept as its number) never meets one.
const FIRST_SOCKET_ID: i32 = 1 << 24;

impl Copies {
    fn of<'a>(calls: impl IntoIterator<Item = &'a CallEvent>) -> Copies {
        let mut by_seq: Vec<&CallEvent> = calls.into_iter().collect();
        by_seq.sort_by_key(|r| r.seq);
        let mut out = Copies::default();
        let mut table: HashMap<(i32, i32), i32> = HashMap::new();
        let mut refs: HashMap<i32, usize> = HashMap::new();
        let mut next = FIRST_SOCKET_ID;
        for r in by_seq {
            let pid = r.pid.unwrap_or(0);
            let fd = fd_of(r);
            if let Some(&id) = fd.and_then(|fd| table.get(&(pid, fd))) {
                out.on.insert(r.seq, id);
            }
            match (&*r.syscall, r.value()) {
                ("socket" | "accept" | "accept4", Some(new)) => {
                    table.insert((pid, new as i32), next);
                    refs.insert(next, 1);
                    out.made.insert(r.seq, next);
                    next += 1;
                }
                ("clone" | "fork" | "vfork", Some(child)) if child > 0 => {
                    let copied: Vec<(i32, i32)> = table
                        .iter()
                        .filter(|((p, _), _)| *p == pid)
                        .map(|((_, fd), id)| (*fd, *id))
                        .collect();
                    for (fd, id) in copied {
                        table.insert((child as i32, fd), id);
                        *refs.entry(id).or_default() += 1;
                    }
                }
                // The number is free afterwards even when close failed.
                ("close", _) => {
                    if let Some(id) = fd.and_then(|fd| table.remove(&(pid, fd))) {
                        let left = refs.entry(id).or_default();
                        *left = left.saturating_sub(1);
                        if *left > 0 {
                            out.not_last.insert(r.seq);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The socket a call's fd names (its number where the record never
    /// showed the socket made), and its value, with a new socket's id in
    /// place of its number: what [`Ledger`] and the arrows key on.
    fn fd_and_value(&self, r: &CallEvent) -> Option<(i32, i64)> {
        let fd = self.socket_of(r);
        let value = r.value()?;
        Some((fd, self.made.get(&r.seq).map_or(value, |&id| i64::from(id))))
    }

    /// The socket a call's fd names, failed calls' too (its number where
    /// the record never showed the socket made).
    fn socket_of(&self, r: &CallEvent) -> i32 {
        self.on
            .get(&r.seq)
            .copied()
            .or_else(|| fd_of(r))
            .unwrap_or(-1)
    }

    /// A `close` that left the socket open elsewhere: it sent nothing.
    fn closes_a_copy(&self, r: &CallEvent) -> bool {
        self.not_last.contains(&r.seq)
    }
}

/// What each call sent across, in time order. A FIN goes out once per
/// connection and direction: from `shutdown(SHUT_WR)` or, when the program
/// did not shut down first, from the `close` of the data socket's last fd
/// (after a `fork`, the parent and the child each hold one). A close
/// sends a reset (RST) instead when the socket had SO_LINGER {on, 0}, or
/// when bytes the other end sent were still unread (lesson 14); and
/// nothing at all once the connection was reset (a call on it failed with
/// ECONNRESET or EPIPE): the kernel has already ended it.
fn arrows(calls: &[&CallEvent]) -> Vec<Option<Arrow>> {
    let copies = Copies::of(calls.iter().copied());
    let mut fin_sent: HashSet<i32> = HashSet::new();
    let mut linger_zero: HashSet<i32> = HashSet::new();
    let mut was_reset: HashSet<i32> = HashSet::new();
    let mut ledger = Ledger::default();
    calls
        .iter()
        .map(|r| {
            if errno(r).is_some_and(|e| e == libc::ECONNRESET || e == libc::EPIPE) {
                was_reset.insert(copies.socket_of(r));
            }
            let (fd, value) = copies.fd_and_value(r)?;
            let sent = r.value()?;
            let resets = r.syscall == "close"
                && (linger_zero.remove(&fd) || ledger.unread(fd).is_some_and(|n| n > 0));
            ledger.note(&r.syscall, fd, value, shutdown_how(r));
            if r.syscall == "setsockopt" && r.line().contains("SO_LINGER, {l_onoff=1, l_linger=0}")
            {
                linger_zero.insert(fd);
            }
            let what = match &*r.syscall {
                "connect" => "SYN, handshake".to_string(),
                // The bytes as strace shows them, and how many the kernel took.
                "sendto" if sent > 0 => {
                    let data = r.args.get(1).map_or("", |a| a.text.as_str());
                    format!("{} {sent}B", clean(data, MAX_DATA))
                }
                "shutdown" if shutdown_how(r).is_some_and(|h| h != i64::from(libc::SHUT_RD)) => {
                    if !fin_sent.insert(fd) {
                        return None;
                    }
                    "FIN".to_string()
                }
                "close" => {
                    if copies.closes_a_copy(r) {
                        return None;
                    }
                    // The fd number is free again: a later socket may get it.
                    let already = fin_sent.remove(&fd);
                    if was_reset.remove(&fd) || r.role != Some(Role::Data) {
                        return None;
                    }
                    if resets {
                        "RST".to_string()
                    } else if already {
                        return None;
                    } else {
                        "FIN".to_string()
                    }
                }
                _ => return None,
            };
            Some(if is_client(r) {
                Arrow::ToServer(what)
            } else {
                Arrow::ToClient(what)
            })
        })
        .collect()
}

/// `s` in exactly `w` columns: padded, or cut with `…`.
fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n > w {
        let mut cut: String = s.chars().take(w - 1).collect();
        cut.push('…');
        cut
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn centre(label: &str, w: usize, right: bool) -> String {
    let label = format!(" {label} ");
    let n = label.chars().count().min(w - 2);
    let label: String = label.chars().take(n).collect();
    let left = (w - 1 - n) / 2;
    let rest = w - 1 - n - left;
    if right {
        format!("{}{label}{}▶", "─".repeat(left), "─".repeat(rest))
    } else {
        format!("◀{}{label}{}", "─".repeat(left), "─".repeat(rest))
    }
}

/// The runs in a record, in file order. Each program numbers its calls
/// from 1, so a file holding several runs one after another (`cat a b >
/// c`) starts a new run where a number comes again. Each run is put in
/// order on its own: its fd numbers and threads are its own.
fn runs(calls: &[CallEvent]) -> Vec<&[CallEvent]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut seen = HashSet::new();
    for (i, r) in calls.iter().enumerate() {
        if !seen.insert(r.seq) {
            out.push(&calls[start..i]);
            start = i;
            seen = HashSet::from([r.seq]);
        }
    }
    if start < calls.len() {
        out.push(&calls[start..]);
    }
    out
}

/// The calls of one run in the order cause and effect read. A record is in
/// the order the calls *returned*, and a `recv` can return before the
/// `send` that woke it has returned in another thread. (socklab's tracer
/// already holds such a line back, for at most 0.2 s; a record made
/// otherwise may not.) Each thread's calls keep their order, but a call is
/// drawn only once what it waited for has been drawn, by the tracer's own
/// rules ([`Ledger`]): the next call drawn is the earliest (by `seq`) of
/// the threads' next calls whose cause has been drawn, or, when none has,
/// the earliest of them all. Where the other end is not in the record (an
/// outside peer), the order is kept.
///
/// A call found waiting is put aside under what it waits for, and looked
/// at again only when that may have come ([`Ledger::lets_go`]), so a run
/// of many threads costs no more per call than a run of two. At most
/// [`MAX_HELD`] calls wait for one cause; beyond that (thousands of
/// threads reading one socket is no lesson, but a file can say anything)
/// a call is drawn where the record has it.
fn causal_order(run: &[CallEvent]) -> Vec<&CallEvent> {
    let mut by_seq: Vec<usize> = (0..run.len()).collect();
    by_seq.sort_by_key(|&i| run[i].seq);
    let mut threads: HashMap<i32, VecDeque<usize>> = HashMap::new();
    for i in by_seq {
        threads.entry(run[i].tid).or_default().push_back(i);
    }
    let copies = Copies::of(run);
    // A close of one of several fds for a socket changes nothing for its
    // connection: the other process still sends and receives on it.
    let succeeded = |r: &CallEvent| {
        if copies.closes_a_copy(r) {
            return None;
        }
        copies.fd_and_value(r)
    };
    // A thread's next call, as (seq, index): the earliest sorts first.
    let next_of = |i: usize| Reverse((run[i].seq, i));
    let mut ready: BinaryHeap<Reverse<(u64, usize)>> =
        threads.values().map(|q| next_of(q[0])).collect();
    let mut waiting: BTreeSet<(u64, usize)> = BTreeSet::new();
    let mut waiting_for: HashMap<Cause, Vec<(u64, usize)>> = HashMap::new();
    let mut ledger = Ledger::default();
    let mut out = Vec::with_capacity(run.len());
    loop {
        let pick = loop {
            let Some(Reverse(next)) = ready.pop() else {
                // No thread's next call has had its cause drawn.
                break waiting.pop_first();
            };
            let r = &run[next.1];
            if let Some((fd, ret)) = succeeded(r) {
                if !ledger.caused(&r.syscall, fd, ret) {
                    if let Some(cause) = ledger.awaits(&r.syscall, fd) {
                        let held = waiting_for.entry(cause).or_default();
                        if held.len() >= MAX_HELD {
                            held.retain(|call| waiting.contains(call));
                        }
                        if held.len() < MAX_HELD {
                            held.push(next);
                            waiting.insert(next);
                            continue;
                        }
                    }
                }
            }
            break Some(next);
        };
        let Some((_, i)) = pick else { break };
        let r = &run[i];
        out.push(r);
        if let Some((fd, ret)) = succeeded(r) {
            for cause in ledger.lets_go(&r.syscall, fd, ret).into_iter().flatten() {
                for call in waiting_for.remove(&cause).unwrap_or_default() {
                    if waiting.remove(&call) {
                        ready.push(Reverse(call));
                    }
                }
            }
            ledger.note(&r.syscall, fd, ret, shutdown_how(r));
        }
        if let Some(q) = threads.get_mut(&r.tid) {
            q.pop_front();
            if let Some(&n) = q.front() {
                ready.push(next_of(n));
            }
        }
    }
    out
}

/// The diagram's rows: each run in causal order, with its arrows; with
/// packets, the packets instead, each before the first call (as drawn)
/// that ended after it.
fn rows<'a>(calls: &'a [CallEvent], packets: &[Packet]) -> Vec<Row<'a>> {
    let seen = crate::packets::read_run(packets, calls);
    let mut next = 0;
    let mut out = Vec::with_capacity(calls.len() + seen.len());
    for (k, run) in runs(calls).into_iter().enumerate() {
        if k > 0 {
            out.push(Row::NextRun(k + 1));
        }
        let ordered = causal_order(run);
        if seen.is_empty() {
            let arrows = arrows(&ordered);
            out.extend(
                ordered
                    .into_iter()
                    .zip(arrows)
                    .map(|(r, a)| Row::Call(r, a)),
            );
            continue;
        }
        for r in ordered {
            if let Some(end) = r.time.and_then(|t| Some(t.t0_unix_us? * 1000 + t.end_ns)) {
                while next < seen.len() && seen[next].packet.t_unix_ns <= end {
                    out.push(Row::Packet(packet_arrow(&seen[next])));
                    next += 1;
                }
            }
            out.push(Row::Call(r, None));
        }
    }
    out.extend(seen[next..].iter().map(|s| Row::Packet(packet_arrow(s))));
    out
}

/// A packet as an arrow: its flags (or UDP, ICMP) and the bytes it carried.
fn packet_arrow(s: &Seen) -> Arrow {
    let d = &s.decoded;
    let data = |out: &mut String| {
        if !d.payload.is_empty() {
            out.push_str(&format!(
                " {} {}B",
                clean(&socklab::strace::quote_bytes(&d.payload), MAX_DATA),
                d.payload.len()
            ));
        }
    };
    let mut label = match &d.kind {
        Kind::Tcp { flags, .. } => flags.names(),
        Kind::Udp => "UDP".to_string(),
        Kind::PortUnreachable { .. } => "ICMP port unreachable".to_string(),
        Kind::Other(what) => clean(what, MAX_NAME),
    };
    data(&mut label);
    match s.direction {
        Direction::ToClient => Arrow::ToClient(label),
        Direction::ToServer | Direction::Unknown => Arrow::ToServer(label),
    }
}

/// What the right-hand column is called: "server", or "program" when no
/// call was marked as the server's.
fn server_name(calls: &[CallEvent]) -> &'static str {
    if calls.iter().any(|r| r.side == Some(Side::Server)) {
        "server"
    } else {
        "program"
    }
}

const NO_CALLS: &str = "(no system calls in this record)";

/// The diagram as text for a terminal.
pub fn text(calls: &[CallEvent]) -> String {
    text_with_packets(calls, &[])
}

/// The diagram as text, with the packets a `--packets` record holds.
pub fn text_with_packets(calls: &[CallEvent], packets: &[Packet]) -> String {
    let server_name = server_name(calls);
    let mut out = format!(
        "{}{} {}\n",
        fit("client", COL),
        " ".repeat(MID),
        server_name
    );
    out.push_str(&format!(
        "{}{} {}\n",
        fit("──────", COL),
        " ".repeat(MID),
        "─".repeat(server_name.len())
    ));
    if calls.is_empty() {
        out.push_str(NO_CALLS);
        out.push('\n');
    }
    for row in rows(calls, packets) {
        let (r, arrow) = match row {
            Row::Call(r, arrow) => (r, arrow),
            Row::Packet(a) => {
                let mid = match a {
                    Arrow::ToServer(w) => centre(&w, MID, true),
                    Arrow::ToClient(w) => centre(&w, MID, false),
                };
                out.push_str(&format!("{}{mid}\n", " ".repeat(COL)));
                continue;
            }
            Row::NextRun(k) => {
                out.push_str(&format!("── run {k} {}\n", "─".repeat(COL + MID)));
                continue;
            }
        };
        let mid = match arrow {
            Some(Arrow::ToServer(w)) => centre(&w, MID, true),
            Some(Arrow::ToClient(w)) => centre(&w, MID, false),
            None => " ".repeat(MID),
        };
        let line = if is_client(r) {
            format!("{}{mid}", fit(&short(r), COL))
        } else {
            format!("{}{mid} {}", " ".repeat(COL), short(r))
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG's font: 13 px monospace, whose characters are 0.6 em wide
/// (7.8 px), rounded up. A character outside ASCII may take two columns.
const FONT_PX: usize = 13;
const CHAR_PX: usize = 8;

/// How wide `s` is drawn, at most.
fn width_px(s: &str) -> usize {
    s.chars()
        .map(|c| if c.is_ascii() { CHAR_PX } else { 2 * CHAR_PX })
        .sum()
}

/// The diagram as an SVG picture, as wide as its longest labels need.
pub fn svg(calls: &[CallEvent]) -> String {
    svg_with_packets(calls, &[])
}

/// The SVG picture, with the packets a `--packets` record holds.
pub fn svg_with_packets(calls: &[CallEvent], packets: &[Packet]) -> String {
    let rows = rows(calls, packets);
    let (mut widest_client, mut widest_server, mut widest_arrow) = (0, 0, 0);
    for row in &rows {
        if let Row::Packet(Arrow::ToServer(a) | Arrow::ToClient(a)) = row {
            widest_arrow = widest_arrow.max(width_px(a));
        }
        if let Row::Call(r, arrow) = row {
            let w = width_px(&short(r));
            if is_client(r) {
                widest_client = widest_client.max(w);
            } else {
                widest_server = widest_server.max(w);
            }
            if let Some(Arrow::ToServer(a) | Arrow::ToClient(a)) = arrow {
                widest_arrow = widest_arrow.max(width_px(a));
            }
        }
    }
    // A label ends (client) or starts (server) `GAP` from its column's line;
    // an arrow's label sits over the middle of the arrow.
    let (margin, gap) = (20, 10);
    let cx = (margin + gap + widest_client).max(180);
    let sx = cx + (widest_arrow + 4 * margin).max(440);
    let width = (sx + gap + widest_server + margin)
        .max(sx + width_px("program") / 2 + margin)
        .max(width_px(NO_CALLS) + 2 * margin)
        .max(800);
    let (row_px, top) = (26, 70);
    let height = top + row_px * (rows.len() + 1);
    let server = server_name(calls);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"monospace\" font-size=\"{FONT_PX}\" xml:space=\"preserve\">\n\
         <defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">\
         <path d=\"M0,0 L10,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{cx}\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">client</text>\n\
         <text x=\"{sx}\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">{server}</text>\n\
         <line x1=\"{cx}\" y1=\"40\" x2=\"{cx}\" y2=\"{height}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n\
         <line x1=\"{sx}\" y1=\"40\" x2=\"{sx}\" y2=\"{height}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n"
    );
    if calls.is_empty() {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{top}\" text-anchor=\"middle\" fill=\"#555\">{NO_CALLS}</text>\n",
            width / 2
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_px * i;
        let (r, arrow) = match row {
            Row::Call(r, arrow) => (r, arrow),
            Row::Packet(a) => {
                s.push_str(&svg_arrow(a, cx, sx, y));
                continue;
            }
            Row::NextRun(k) => {
                s.push_str(&format!(
                    "<line x1=\"{margin}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>\n\
                     <text x=\"{margin}\" y=\"{}\" fill=\"#555\">run {k}</text>\n",
                    y - 18,
                    width - margin,
                    y - 18,
                    y - 4,
                ));
                continue;
            }
        };
        let (x, anchor, color) = if is_client(r) {
            (cx - gap, "end", "#1a7f37")
        } else {
            (sx + gap, "start", "#0550ae")
        };
        let color = if errno(r).is_some() { "#cf222e" } else { color };
        s.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" fill=\"{color}\">{}</text>\n",
            xml_escape(&short(r))
        ));
        if let Some(a) = arrow {
            s.push_str(&svg_arrow(a, cx, sx, y));
        }
    }
    s.push_str("</svg>\n");
    s
}

/// One arrow between the columns, its label above it.
fn svg_arrow(a: &Arrow, cx: usize, sx: usize, y: usize) -> String {
    let (x1, x2, label) = match a {
        Arrow::ToServer(w) => (cx, sx, w),
        Arrow::ToClient(w) => (sx, cx, w),
    };
    format!(
        "<line x1=\"{x1}\" y1=\"{}\" x2=\"{x2}\" y2=\"{}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n",
        y - 4,
        y - 4,
        (cx + sx) / 2,
        y - 8,
        xml_escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab::event::Arg;
    use std::borrow::Cow;

    fn rec(
        seq: u64,
        side: &str,
        syscall: &str,
        fd: i32,
        args: &[&str],
        ret: i64,
        role: &str,
    ) -> CallEvent {
        CallEvent {
            seq,
            pid: None,
            tid: if side == "client" { 2 } else { 1 },
            side: Side::from_name(side),
            syscall: Cow::Owned(syscall.into()),
            fd: Some(fd),
            role: Role::from_name(role),
            args: args.iter().map(|s| arg(s)).collect(),
            ret: Ret::Value(ret),
            new_fd: (syscall == "accept").then_some(ret as i32),
            new_role: (syscall == "accept").then_some(Role::Data),
            new_fd2: None,
            time: None,
            cut: false,
            injected: false,
        }
    }

    /// An argument typed as the tracer types it: a number, a `shutdown`'s
    /// flag, a buffer; anything else opaque.
    fn arg(text: &str) -> Arg {
        match text {
            "SHUT_RD" | "SHUT_WR" | "SHUT_RDWR" => {
                let how = ["SHUT_RD", "SHUT_WR", "SHUT_RDWR"]
                    .iter()
                    .position(|h| *h == text);
                Arg::flags(how.unwrap() as i64, text.into())
            }
            "NULL" => Arg::null(),
            _ => match text.parse() {
                Ok(n) => Arg::int(n),
                Err(_) => Arg::opaque(text.into()),
            },
        }
    }

    fn run() -> Vec<CallEvent> {
        vec![
            rec(1, "server", "listen", 3, &["3", "128"], 0, "socket"),
            rec(
                2,
                "client",
                "connect",
                5,
                &["5", "{...}", "16"],
                0,
                "socket",
            ),
            rec(
                3,
                "server",
                "accept",
                3,
                &["3", "NULL", "NULL"],
                4,
                "listening",
            ),
            rec(
                4,
                "client",
                "sendto",
                5,
                &["5", "\"hi\\n\"", "3", "0", "NULL", "0"],
                3,
                "data",
            ),
            rec(
                5,
                "server",
                "sendto",
                4,
                &["4", "\"<&>\"", "3", "0", "NULL", "0"],
                3,
                "data",
            ),
        ]
    }

    #[test]
    fn text_puts_each_side_in_its_column_with_arrows_between() {
        let t = text(&run());
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("client") && lines[0].ends_with("server"));
        assert!(lines[2].trim_start().starts_with("listen(3) = 0"));
        assert!(
            lines[3].starts_with("connect(5) = 0")
                && lines[3].contains("handshake")
                && lines[3].contains('▶')
        );
        assert!(lines[4].contains("accept(3) = 4  new data fd"));
        assert!(lines[5].contains("\"hi\\n\" 3B"));
        assert!(lines[6].contains('◀'));
    }

    #[test]
    fn one_fin_per_direction_after_a_half_close() {
        let mut calls = run();
        calls.extend([
            // Each side reads what the other sent, so no close leaves
            // bytes unread (that would be a reset).
            rec(
                6,
                "server",
                "recvfrom",
                4,
                &["4", "\"hi\\n\"", "64"],
                3,
                "data",
            ),
            rec(
                7,
                "client",
                "recvfrom",
                5,
                &["5", "\"<&>\"", "64"],
                3,
                "data",
            ),
            rec(8, "client", "shutdown", 5, &["5", "SHUT_WR"], 0, "data"),
            rec(9, "server", "close", 4, &["4"], 0, "data"),
            rec(10, "client", "close", 5, &["5"], 0, "data"),
            // The number 5 again, for a new connection: its close sends a FIN.
            rec(11, "client", "close", 5, &["5"], 0, "data"),
        ]);
        let t = text(&calls);
        let fins: Vec<&str> = t.lines().filter(|l| l.contains("FIN")).collect();
        assert_eq!(fins.len(), 3, "{t}");
        assert!(fins[0].starts_with("shutdown(5)") && fins[0].contains('▶'));
        assert!(fins[1].contains('◀') && fins[1].ends_with("close(4) = 0"));
        assert!(fins[2].starts_with("close(5)"));
        let closes: Vec<&str> = t.lines().filter(|l| l.starts_with("close(5)")).collect();
        assert!(
            !closes[0].contains("FIN") && !closes[0].contains("RST"),
            "{t}"
        );
        assert!(!t.contains("RST"), "{t}");
    }

    /// A close with SO_LINGER {on, 0}, or with bytes the other end sent
    /// still unread, sends a reset, not a FIN.
    #[test]
    fn a_close_with_linger_0_or_unread_bytes_is_an_rst() {
        let mut calls = run();
        calls.extend([
            // The server's 3 bytes are unread by the client when it closes.
            rec(6, "client", "close", 5, &["5"], 0, "data"),
            rec(7, "server", "close", 4, &["4"], 0, "data"),
        ]);
        let t = text(&calls);
        let line = |start: &str| t.lines().find(|l| l.starts_with(start)).unwrap();
        assert!(line("close(5)").contains("RST"), "{t}");
        let mut calls = run();
        calls.extend([
            rec(
                6,
                "client",
                "recvfrom",
                5,
                &["5", "\"<&>\"", "64"],
                3,
                "data",
            ),
            rec(
                7,
                "server",
                "setsockopt",
                4,
                &[
                    "4",
                    "SOL_SOCKET",
                    "SO_LINGER",
                    "{l_onoff=1, l_linger=0}",
                    "8",
                ],
                0,
                "data",
            ),
            rec(8, "server", "close", 4, &["4"], 0, "data"),
            rec(9, "client", "close", 5, &["5"], 0, "data"),
        ]);
        let t = text(&calls);
        let rst: Vec<&str> = t.lines().filter(|l| l.contains("RST")).collect();
        assert_eq!(rst.len(), 1, "{t}");
        assert!(
            rst[0].contains('◀') && rst[0].ends_with("close(4) = 0"),
            "{t}"
        );
        // The client read everything: its close is an orderly FIN.
        assert!(t.lines().last().unwrap().contains("FIN"), "{t}");
        // After a recv that got ECONNRESET, a close sends nothing.
        let mut calls = run();
        calls.extend([
            rec(
                6,
                "client",
                "recvfrom",
                5,
                &["5", "\"<&>\"", "64"],
                3,
                "data",
            ),
            rec(7, "client", "close", 5, &["5"], 0, "data"),
            rec(8, "server", "recvfrom", 4, &["4"], 0, "data"),
            rec(9, "server", "close", 4, &["4"], 0, "data"),
        ]);
        calls[7].ret = Ret::Error(libc::ECONNRESET);
        let t = text(&calls);
        assert!(t.lines().last().unwrap().ends_with("close(4) = 0"), "{t}");
        assert!(!t.lines().last().unwrap().contains("FIN"), "{t}");
    }

    /// After a fork, the parent's close of its copy of the data socket
    /// sends nothing; the child's close, the last fd, sends the FIN; and the
    /// client's recv is drawn after the child's send, not held for ever.
    #[test]
    fn only_the_last_close_after_a_fork_draws_a_fin() {
        let (parent, child) = (10, 20);
        let at = |mut r: CallEvent, pid: i32| {
            r.pid = Some(pid);
            r.tid = if r.side == Some(Side::Client) {
                11
            } else {
                pid
            };
            r
        };
        let mut clone = rec(6, "server", "clone", 0, &["child_stack=NULL"], 20, "");
        clone.fd = None;
        let calls = vec![
            at(rec(1, "server", "socket", 0, &["AF_INET"], 3, ""), parent),
            at(
                rec(2, "server", "listen", 3, &["3", "128"], 0, "listening"),
                parent,
            ),
            at(rec(3, "client", "socket", 0, &["AF_INET"], 4, ""), parent),
            at(rec(4, "client", "connect", 4, &["4"], 0, "socket"), parent),
            at(
                rec(5, "server", "accept", 3, &["3"], 5, "listening"),
                parent,
            ),
            at(clone, parent),
            at(rec(7, "server", "close", 3, &["3"], 0, "listening"), child),
            at(rec(8, "server", "close", 5, &["5"], 0, "data"), parent),
            at(
                rec(9, "client", "recvfrom", 4, &["4", "\"hi\\n\""], 3, "data"),
                parent,
            ),
            at(
                rec(10, "server", "sendto", 5, &["5", "\"hi\\n\""], 3, "data"),
                child,
            ),
            at(rec(11, "server", "close", 5, &["5"], 0, "data"), child),
            at(
                rec(12, "client", "recvfrom", 4, &["4", "\"\""], 0, "data"),
                parent,
            ),
        ];
        let t = text(&calls);
        let lines: Vec<&str> = t.lines().collect();
        let fins: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.contains("FIN"))
            .collect();
        assert_eq!(fins.len(), 1, "{t}");
        let closes: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].ends_with("close(5) = 0"))
            .collect();
        assert_eq!(closes.len(), 2, "{t}");
        assert!(!lines[closes[0]].contains("FIN"), "the parent's copy: {t}");
        assert!(lines[closes[1]].contains("FIN"), "the last fd: {t}");
        // The client's recv of the bytes comes after the child's send.
        let send = lines
            .iter()
            .position(|l| l.ends_with("sendto(5) = 3"))
            .unwrap();
        let recv = lines
            .iter()
            .position(|l| l.starts_with("recvfrom(4) = 3"))
            .unwrap();
        assert!(send < recv, "{t}");
    }

    #[test]
    fn a_recv_is_drawn_after_the_send_that_carried_its_bytes() {
        let mut calls = run();
        // The client's recv returned (seq 5) before the server's send did
        // (seq 6): the record's order, not the order of cause and effect.
        calls[4] = rec(
            5,
            "client",
            "recvfrom",
            5,
            &["5", "\"<&>\"", "64", "0", "NULL", "NULL"],
            3,
            "data",
        );
        calls.push(rec(
            6,
            "server",
            "sendto",
            4,
            &["4", "\"<&>\"", "3", "0", "NULL", "0"],
            3,
            "data",
        ));
        let order: Vec<u64> = causal_order(&calls).iter().map(|r| r.seq).collect();
        assert_eq!(order, [1, 2, 3, 4, 6, 5]);
        // With only one side recorded (an outside peer), nothing moves.
        let server_only: Vec<CallEvent> = calls
            .into_iter()
            .filter(|r| r.side == Some(Side::Server))
            .collect();
        let order: Vec<u64> = causal_order(&server_only).iter().map(|r| r.seq).collect();
        assert_eq!(order, [1, 3, 6]);
    }

    #[test]
    fn svg_escapes_text() {
        let s = svg(&run());
        assert!(s.starts_with("<?xml"));
        assert!(s.contains("&quot;&lt;&amp;&gt;&quot;"));
        assert!(s.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn control_characters_never_reach_the_screen_or_the_svg() {
        let mut calls = run();
        calls[4].args[1] = Arg::opaque("\u{7}\u{ffff}abcdefghijklmnopqrstuvwxyz".into());
        let t = text(&calls);
        // The data is cut to 14 characters, the last one `…`.
        assert!(t.contains("\u{fffd}\u{fffd}abcdefghijk… 3B"), "{t}");
        calls[3].syscall = Cow::Owned("send\u{1b}[2J\u{0}".into());
        calls[4].syscall = Cow::Owned("E\u{9b}31m".into());
        let t = text(&calls);
        assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t:?}");
        assert!(t.contains("send\u{fffd}[2J\u{fffd}(5)"), "{t}");
        assert!(t.contains("E\u{fffd}31m(4) = 3"), "{t}");
        let s = svg(&calls);
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'));
        // A name longer than MAX_NAME is cut too.
        calls[4].syscall = Cow::Owned("x".repeat(1000));
        assert!(text(&calls).contains(&format!("{}…(4)", "x".repeat(MAX_NAME - 1))));
    }

    #[test]
    fn concatenated_runs_are_drawn_one_after_another() {
        let one = run();
        let mut two = one.clone();
        two.extend(run().into_iter().map(|mut r| {
            r.tid += 10;
            r
        }));
        assert_eq!(runs(&two).len(), 2);
        let t = text(&two);
        let lines: Vec<&str> = t.lines().collect();
        // The first run, the rule, then the second run drawn the same way.
        assert_eq!(lines.len(), 2 + 5 + 1 + 5, "{t}");
        assert!(lines[7].starts_with("── run 2 ─"), "{t}");
        assert_eq!(lines[2..7], lines[8..13], "{t}");
        assert!(svg(&two).contains(">run 2</text>"));
    }

    #[test]
    fn a_run_of_many_threads_keeps_causal_order() {
        // A connection, then 40 client threads each reading one byte
        // before the server's 40 one-byte sends have returned: each read
        // is drawn after the send that carried its byte.
        let mut calls = vec![
            rec(
                1,
                "client",
                "connect",
                4,
                &["4", "{...}", "16"],
                0,
                "socket",
            ),
            rec(
                2,
                "server",
                "accept",
                3,
                &["3", "NULL", "NULL"],
                5,
                "listening",
            ),
        ];
        let reader = |seq: u64, tid: i32| CallEvent {
            tid,
            ..rec(
                seq,
                "client",
                "recvfrom",
                4,
                &["4", "\"a\"", "1"],
                1,
                "data",
            )
        };
        for k in 0..40 {
            calls.push(reader(3 + k, 100 + k as i32));
        }
        for k in 0..40 {
            calls.push(rec(
                43 + k,
                "server",
                "sendto",
                5,
                &["5", "\"a\""],
                1,
                "data",
            ));
        }
        let order: Vec<&str> = causal_order(&calls).iter().map(|r| &*r.syscall).collect();
        let mut want = vec!["connect", "accept"];
        for _ in 0..40 {
            want.extend(["sendto", "recvfrom"]);
        }
        assert_eq!(order, want);
    }

    #[test]
    fn svg_is_as_wide_as_its_longest_labels() {
        let mut calls = run();
        calls[0].syscall = Cow::Owned("listen_and_more_and_more".into());
        calls[0].ret = Ret::Error(libc::EADDRNOTAVAIL);
        calls[1].syscall = Cow::Owned("connect_and_more_and_more".into());
        calls[1].ret = Ret::Error(libc::ECONNREFUSED);
        let s = svg(&calls);
        let number = |key: &str, from: &str| -> usize {
            let at = from.find(key).unwrap() + key.len();
            from[at..].split('"').next().unwrap().parse().unwrap()
        };
        let width = number("width=\"", &s);
        for text in s.split("<text ").skip(1) {
            let x = number("x=\"", text);
            let content = &text[text.find('>').unwrap() + 1..text.find("</text>").unwrap()];
            let w = width_px(content);
            let (left, right) = match () {
                _ if text.contains("text-anchor=\"end\"") => (x.checked_sub(w), x),
                _ if text.contains("text-anchor=\"middle\"") => (x.checked_sub(w / 2), x + w / 2),
                _ => (Some(x), x + w),
            };
            assert!(
                left.is_some() && right <= width,
                "{content} at {x}, width {width}"
            );
        }
    }

    #[test]
    fn an_empty_record_says_so() {
        assert!(text(&[]).ends_with("(no system calls in this record)\n"));
        assert!(svg(&[]).contains("(no system calls in this record)"));
    }
}
