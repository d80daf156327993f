//! A recorded run drawn as the course's sequence diagram: the client and
//! the server in two columns, time going down, each system call in its
//! column, and between them what crossed the network because of it.

use crate::record::Recorded;
use crate::trace::causal::Ledger;

const COL: usize = 34;
const MID: usize = 26;

/// What went between the two sides because of a call, and which way.
enum Arrow {
    ToServer(String),
    ToClient(String),
}

fn is_client(r: &Recorded) -> bool {
    r.side.as_deref() == Some("client")
}

/// `accept(3) = 4`, `connect(5) = -1 ECONNREFUSED`: the call, short.
fn short(r: &Recorded) -> String {
    let fd = r.fd.map(|f| f.to_string()).unwrap_or_default();
    let result = match &r.errno {
        Some(e) => format!("-1 {e}"),
        None => r.ret.to_string(),
    };
    let note = match (r.syscall.as_str(), r.new_role.as_deref(), &r.errno) {
        ("accept" | "accept4", Some(_), None) => "  new data fd",
        _ => "",
    };
    format!("{}({fd}) = {result}{note}", r.syscall)
}

/// What each call sent across, in time order. A FIN goes out once per
/// connection and direction: from `shutdown(SHUT_WR)` or, when the program
/// did not shut down first, from the `close` of the data socket.
fn arrows(calls: &[&Recorded]) -> Vec<Option<Arrow>> {
    let mut fin_sent: std::collections::HashSet<i32> = std::collections::HashSet::new();
    calls
        .iter()
        .map(|r| {
            let fd = r.fd?;
            if r.errno.is_some() {
                return None;
            }
            let what = match r.syscall.as_str() {
                "connect" => "SYN, handshake".to_string(),
                "sendto" if r.ret > 0 => {
                    let data = r.args.get(1).cloned().unwrap_or_default();
                    let data = if data.chars().count() > 14 {
                        format!("{}…", data.chars().take(13).collect::<String>())
                    } else {
                        data
                    };
                    format!("{data} {}B", r.ret)
                }
                "shutdown" if r.args.get(1).is_some_and(|h| h != "SHUT_RD") => {
                    if !fin_sent.insert(fd) {
                        return None;
                    }
                    "FIN".to_string()
                }
                "close" => {
                    // The fd number is free again: a later socket may get it.
                    let already = fin_sent.remove(&fd);
                    if r.role.as_deref() != Some("data") || already {
                        return None;
                    }
                    "FIN".to_string()
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

fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.chars().take(w).collect()
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

/// The calls in the order cause and effect read. A record is in the order
/// the calls *returned*, and a `recv` can return before the `send` that
/// woke it has returned in another thread. (socklab's tracer already holds
/// such a line back, for at most 0.2 s; a record made otherwise may not.)
/// Each thread's calls keep their order, but a call is drawn only once
/// what it waited for has been drawn, by the tracer's own rules
/// ([`Ledger`]). Where the other end is not in the record (an outside
/// peer), the order is kept.
fn causal_order(calls: &[Recorded]) -> Vec<&Recorded> {
    use std::collections::{BTreeMap, VecDeque};
    let mut sorted: Vec<&Recorded> = calls.iter().collect();
    sorted.sort_by_key(|r| r.seq);
    let mut threads: BTreeMap<i32, VecDeque<&Recorded>> = BTreeMap::new();
    for r in sorted {
        threads.entry(r.tid).or_default().push_back(r);
    }
    let succeeded = |r: &Recorded| r.errno.is_none().then(|| (r.fd.unwrap_or(-1), r.ret));
    let mut ledger = Ledger::default();
    let mut out = Vec::with_capacity(calls.len());
    loop {
        let heads = threads.values().filter_map(|q| q.front().copied());
        let caused =
            |r: &&Recorded| succeeded(r).is_none_or(|(fd, ret)| ledger.caused(&r.syscall, fd, ret));
        let pick = heads
            .clone()
            .filter(caused)
            .min_by_key(|r| r.seq)
            .or_else(|| heads.min_by_key(|r| r.seq));
        let Some(r) = pick else { break };
        threads.entry(r.tid).or_default().pop_front();
        out.push(r);
        if let Some((fd, ret)) = succeeded(r) {
            ledger.note(&r.syscall, fd, ret, r.args.get(1).map(String::as_str));
        }
    }
    out
}

/// The diagram as text for a terminal.
pub fn text(calls: &[Recorded]) -> String {
    let calls = causal_order(calls);
    let server_name = if calls.iter().any(|r| r.side.as_deref() == Some("server")) {
        "server"
    } else {
        "program"
    };
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
    let arrows = arrows(&calls);
    for (r, arrow) in calls.iter().zip(arrows) {
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

/// The diagram as an SVG picture.
pub fn svg(calls: &[Recorded]) -> String {
    let calls = causal_order(calls);
    let (cx, sx, row, top) = (180, 620, 26, 70);
    let height = top + row * (calls.len() + 1);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"{height}\" \
         font-family=\"monospace\" font-size=\"13\">\n\
         <defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">\
         <path d=\"M0,0 L10,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{cx}\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">client</text>\n\
         <text x=\"{sx}\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">server</text>\n\
         <line x1=\"{cx}\" y1=\"40\" x2=\"{cx}\" y2=\"{height}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n\
         <line x1=\"{sx}\" y1=\"40\" x2=\"{sx}\" y2=\"{height}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n"
    );
    let arrows = arrows(&calls);
    for (i, (r, arrow)) in calls.iter().zip(arrows).enumerate() {
        let y = top + row * i;
        let (x, anchor, color) = if is_client(r) {
            (cx - 10, "end", "#1a7f37")
        } else {
            (sx + 10, "start", "#0550ae")
        };
        let color = if r.errno.is_some() { "#cf222e" } else { color };
        s.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" fill=\"{color}\">{}</text>\n",
            xml_escape(&short(r))
        ));
        if let Some(a) = arrow {
            let (x1, x2, label) = match a {
                Arrow::ToServer(w) => (cx, sx, w),
                Arrow::ToClient(w) => (sx, cx, w),
            };
            s.push_str(&format!(
                "<line x1=\"{x1}\" y1=\"{}\" x2=\"{x2}\" y2=\"{}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n",
                y - 4,
                y - 4,
                (cx + sx) / 2,
                y - 8,
                xml_escape(&label)
            ));
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(
        seq: u64,
        side: &str,
        syscall: &str,
        fd: i32,
        args: &[&str],
        ret: i64,
        role: &str,
    ) -> Recorded {
        Recorded {
            seq,
            t_us: seq,
            tid: if side == "client" { 2 } else { 1 },
            side: Some(side.into()),
            syscall: syscall.into(),
            fd: Some(fd),
            role: Some(role.into()),
            args: args.iter().map(|s| s.to_string()).collect(),
            ret,
            errno: None,
            new_fd: (syscall == "accept").then_some(ret as i32),
            new_role: (syscall == "accept").then(|| "data".to_string()),
            line: String::new(),
        }
    }

    fn run() -> Vec<Recorded> {
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
            rec(6, "client", "shutdown", 5, &["5", "SHUT_WR"], 0, "data"),
            rec(7, "server", "close", 4, &["4"], 0, "data"),
            rec(8, "client", "close", 5, &["5"], 0, "data"),
            // The number 5 again, for a new connection: its close sends a FIN.
            rec(9, "client", "close", 5, &["5"], 0, "data"),
        ]);
        let t = text(&calls);
        let fins: Vec<&str> = t.lines().filter(|l| l.contains("FIN")).collect();
        assert_eq!(fins.len(), 3, "{t}");
        assert!(fins[0].starts_with("shutdown(5)") && fins[0].contains('▶'));
        assert!(fins[1].contains('◀') && fins[1].ends_with("close(4) = 0"));
        assert!(fins[2].starts_with("close(5)"));
        assert!(!t.lines().nth(9).unwrap().contains("FIN"), "{t}");
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
        let server_only: Vec<Recorded> = calls
            .into_iter()
            .filter(|r| r.side.as_deref() == Some("server"))
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
}
