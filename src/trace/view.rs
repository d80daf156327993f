//! How one recorded call is written: the human view and the JSON object.

use super::{Role, Side};
use crate::addr::{SockAddr, UnixName};
use crate::event::{ArgValue, CallEvent, SCHEMA_VERSION};
use crate::lang::Lang;
use crate::output::{paint, Color};
use crate::strace::Ret;
use std::fmt::Write;

/// `server listening │ accept(3, ...) = 5   ← new data socket`: the gutter
/// in the language of the lesson (`서버   리스닝     │ …` in Korean); the
/// strace line itself is never translated.
pub fn pretty(e: &CallEvent, line: &str, color: bool) -> String {
    let words = Words::of(Lang::current());
    let side = e.side.map(|s| words.side(s)).unwrap_or("");
    let shown_role = e.role.or(e.new_role);
    let role = shown_role.map(|r| words.role(r)).unwrap_or("");
    let side_txt = pad(side, words.side_width);
    let role_txt = pad(role, words.role_width);
    let side_c = match e.side {
        Some(Side::Server) => Color::Blue,
        Some(Side::Client) => Color::Green,
        None => Color::Dim,
    };
    let role_c = match shown_role {
        Some(Role::Listening) => Color::Yellow,
        Some(Role::Data) => Color::Cyan,
        _ => Color::Dim,
    };
    let failed = matches!(e.ret, Ret::Error(_));
    let line = if failed {
        paint(line, Color::Red, color)
    } else {
        line.to_string()
    };
    let mut out = format!(
        "{} {} {} {line}",
        paint(&side_txt, side_c, color),
        paint(&role_txt, role_c, color),
        paint("│", Color::Dim, color),
    );
    if let Some(note) = words.new_fds(e) {
        out.push_str(&paint(&note, Color::Magenta, color));
    }
    if let ("clone", Ret::Value(pid)) = (&*e.syscall, &e.ret) {
        out.push_str(&paint(&words.new_process(*pid), Color::Magenta, color));
    }
    out.push('\n');
    out
}

/// The gutter's words in one language, and the columns they take.
struct Words {
    lang: Lang,
    side_width: usize,
    role_width: usize,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::En => Words {
                lang,
                side_width: 6,
                role_width: 9,
            },
            // A Hangul syllable takes two columns: 클라이언트 is 10.
            Lang::Ko => Words {
                lang,
                side_width: 10,
                role_width: 10,
            },
        }
    }

    fn side(&self, s: Side) -> &'static str {
        match (self.lang, s) {
            (Lang::En, s) => s.as_str(),
            (Lang::Ko, Side::Server) => "서버",
            (Lang::Ko, Side::Client) => "클라이언트",
        }
    }

    fn role(&self, r: Role) -> &'static str {
        match (self.lang, r) {
            (Lang::En, r) => r.as_str(),
            (Lang::Ko, Role::Socket) => "소켓",
            (Lang::Ko, Role::Listening) => "리스닝",
            (Lang::Ko, Role::Data) => "데이터",
            (Lang::Ko, Role::Datagram) => "데이터그램",
        }
    }

    /// After a `fork`'s `clone` line, in the parent: the child's pid.
    fn new_process(&self, pid: i64) -> String {
        match self.lang {
            Lang::En => format!("  ← new child process {pid}"),
            Lang::Ko => format!("  ← 새 자식 프로세스 {pid}"),
        }
    }

    /// The mark after a call that made new fds, if it is worth one: not
    /// after `socket`, whose line is nothing but that.
    fn new_fds(&self, e: &CallEvent) -> Option<String> {
        let (Some(fd), Some(role)) = (e.new_fd, e.new_role) else {
            return None;
        };
        match &*e.syscall {
            "socket" => None,
            // recvmsg did not make a socket: it received one that another
            // process has open, under a new number in this process.
            "recvmsg" => Some(self.received_socket(role, fd, e.new_fd2)),
            _ => Some(self.new_socket(role, fd, e.new_fd2)),
        }
    }

    /// After `accept` (one fd) or `socketpair` (two): the new sockets.
    fn new_socket(&self, r: Role, fd: i32, fd2: Option<i32>) -> String {
        match (self.lang, fd2) {
            (Lang::En, None) => format!("  ← new {} socket {fd}", r.as_str()),
            (Lang::En, Some(fd2)) => format!("  ← new {} sockets {fd} and {fd2}", r.as_str()),
            (Lang::Ko, None) => format!("  ← 새 {} 소켓 {fd}", self.role(r)),
            (Lang::Ko, Some(fd2)) => format!("  ← 새 {} 소켓 {fd}, {fd2}", self.role(r)),
        }
    }

    /// After a `recvmsg` that received sockets (SCM_RIGHTS): the number
    /// each now has in this process.
    fn received_socket(&self, r: Role, fd: i32, fd2: Option<i32>) -> String {
        match (self.lang, fd2) {
            (Lang::En, None) => format!("  ← {} socket received as fd {fd}", r.as_str()),
            (Lang::En, Some(fd2)) => {
                format!("  ← {} sockets received as fds {fd} and {fd2}", r.as_str())
            }
            (Lang::Ko, None) => {
                format!("  ← 전달받은 {} 소켓: 이 프로세스의 fd {fd}", self.role(r))
            }
            (Lang::Ko, Some(fd2)) => {
                format!(
                    "  ← 전달받은 {} 소켓: 이 프로세스의 fd {fd}, {fd2}",
                    self.role(r)
                )
            }
        }
    }
}

/// `text` padded with spaces to `width` terminal columns (a Hangul
/// syllable takes two).
fn pad(text: &str, width: usize) -> String {
    let cols: usize = text
        .chars()
        .map(|c| {
            if ('\u{AC00}'..='\u{D7A3}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(cols)))
}

/// One JSON object: the schema version, seq, time, process, thread, side,
/// syscall, fd and role, the arguments (strace's texts in `args`, their
/// values in `typed`), return value or errno, new fd, the call's start and
/// end, and the strace line.
pub fn json(c: &CallEvent, line: &str) -> String {
    // Room for a typical call with a 32-byte buffer, escaped twice (in
    // `args` and in `line`) and once in hex, so the string is not grown on
    // the way.
    let mut o = String::with_capacity(640);
    // `seq` stays first, as before `v` existed, for readers that look
    // for `{"seq":`.
    o.push_str("{\"seq\":");
    int(&mut o, c.seq as i64);
    o.push_str(",\"v\":");
    int(&mut o, i64::from(SCHEMA_VERSION));
    let span = c.time.unwrap_or(crate::event::Span {
        start_ns: 0,
        end_ns: 0,
        t0_unix_us: None,
    });
    o.push_str(",\"t_us\":");
    int(&mut o, (span.end_ns / 1000) as i64);
    o.push_str(",\"pid\":");
    opt_num(&mut o, c.pid.map(i64::from));
    o.push_str(",\"tid\":");
    int(&mut o, i64::from(c.tid));
    o.push_str(",\"side\":");
    opt_str(&mut o, c.side.map(Side::as_str));
    o.push_str(",\"syscall\":");
    string(&mut o, &c.syscall);
    o.push_str(",\"fd\":");
    opt_num(&mut o, c.fd.map(i64::from));
    o.push_str(",\"role\":");
    opt_str(&mut o, c.role.map(Role::as_str));
    o.push_str(",\"args\":[");
    for (i, a) in c.args.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        string(&mut o, &a.text);
    }
    o.push_str("],\"typed\":[");
    for (i, a) in c.args.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        typed(&mut o, &a.value);
    }
    o.push_str("],\"ret\":");
    match &c.ret {
        Ret::Value(v) | Ret::Annotated(v, _) | Ret::Hex(v, _) => {
            int(&mut o, *v);
            o.push_str(",\"errno\":null");
        }
        Ret::Error(errno) => {
            o.push_str("-1,\"errno\":");
            string(&mut o, &crate::strace::errno_name(*errno));
        }
    }
    // What strace adds after the value: `= 0 (Timeout)`, or the value in
    // hex with its meaning, `= 0x802 (flags O_RDWR|O_NONBLOCK)`.
    o.push_str(",\"note\":");
    match &c.ret {
        Ret::Annotated(_, note) => string(&mut o, note),
        Ret::Hex(_, note) => {
            string(&mut o, note);
            o.push_str(",\"hex\":true");
        }
        _ => o.push_str("null"),
    }
    o.push_str(",\"new_fd\":");
    opt_num(&mut o, c.new_fd.map(i64::from));
    o.push_str(",\"new_role\":");
    opt_str(&mut o, c.new_role.map(Role::as_str));
    // Version 2: only when a call made two (socketpair, or two sockets
    // received at once), so every other line stays as version 1 wrote it.
    if let Some(fd) = c.new_fd2 {
        o.push_str(",\"new_fd2\":");
        int(&mut o, i64::from(fd));
    }
    if let Some(t) = c.time {
        o.push_str(",\"start_ns\":");
        int(&mut o, t.start_ns as i64);
        o.push_str(",\"end_ns\":");
        int(&mut o, t.end_ns as i64);
        if let Some(t0) = t.t0_unix_us {
            o.push_str(",\"t0_unix_us\":");
            int(&mut o, t0 as i64);
        }
    }
    if c.cut {
        o.push_str(",\"cut\":true");
    }
    if c.injected {
        o.push_str(",\"injected\":true");
    }
    o.push_str(",\"line\":");
    string(&mut o, line);
    o.push_str("}\n");
    o
}

/// One argument's value: `{"int":3}`, `{"fd":3}`, `{"flags":2048}`,
/// `{"bytes":"6869","len":2,"cut":false}` (the bytes strace shows, in
/// hex), `{"null":true}`, `{"unfilled":true}`, `{"opaque":true}`, or an
/// address: `{"inet":"127.0.0.1","port":7801}`,
/// `{"inet6":"::1","port":7801,"flowinfo":0,"scope_id":0}`,
/// `{"unix_path":"2f746d70"}` and `{"unix_abstract":"6e616d65"}` (hex, as a
/// name need not be text), `{"unix_unnamed":true}`.
fn typed(o: &mut String, v: &ArgValue) {
    match v {
        ArgValue::Int(n) => {
            o.push_str("{\"int\":");
            int(o, *n);
        }
        ArgValue::Fd(fd) => {
            o.push_str("{\"fd\":");
            int(o, i64::from(*fd));
        }
        ArgValue::Flags(n) => {
            o.push_str("{\"flags\":");
            int(o, *n);
        }
        ArgValue::Bytes { shown, len, cut } => {
            o.push_str("{\"bytes\":");
            hex(o, shown);
            o.push_str(",\"len\":");
            int(o, *len as i64);
            o.push_str(if *cut {
                ",\"cut\":true"
            } else {
                ",\"cut\":false"
            });
        }
        ArgValue::Null => o.push_str("{\"null\":true"),
        ArgValue::Unfilled => o.push_str("{\"unfilled\":true"),
        ArgValue::Opaque => o.push_str("{\"opaque\":true"),
        ArgValue::Addr(SockAddr::V4(a)) => {
            o.push_str("{\"inet\":");
            string(o, &a.ip().to_string());
            o.push_str(",\"port\":");
            int(o, i64::from(a.port()));
        }
        ArgValue::Addr(SockAddr::V6(a)) => {
            o.push_str("{\"inet6\":");
            string(o, &a.ip().to_string());
            o.push_str(",\"port\":");
            int(o, i64::from(a.port()));
            o.push_str(",\"flowinfo\":");
            int(o, i64::from(a.flowinfo()));
            o.push_str(",\"scope_id\":");
            int(o, i64::from(a.scope_id()));
        }
        ArgValue::Addr(SockAddr::Unix(UnixName::Path(p))) => {
            use std::os::unix::ffi::OsStrExt;
            o.push_str("{\"unix_path\":");
            hex(o, p.as_os_str().as_bytes());
        }
        ArgValue::Addr(SockAddr::Unix(UnixName::Abstract(name))) => {
            o.push_str("{\"unix_abstract\":");
            hex(o, name);
        }
        ArgValue::Addr(SockAddr::Unix(UnixName::Unnamed)) => o.push_str("{\"unix_unnamed\":true"),
    }
    o.push('}');
}

/// Bytes as a JSON string of hex digits, two per byte.
fn hex(o: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    o.push('"');
    for &b in bytes {
        o.push(char::from(DIGITS[usize::from(b >> 4)]));
        o.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    o.push('"');
}

fn opt_num(o: &mut String, v: Option<i64>) {
    match v {
        Some(n) => int(o, n),
        None => o.push_str("null"),
    }
}

/// A number in decimal, without the formatting machinery: a record writes
/// five or six per call.
fn int(o: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        o.push('-');
    }
    for &d in &digits[at..] {
        o.push(char::from(d));
    }
}

fn opt_str(o: &mut String, v: Option<&str>) {
    match v {
        Some(s) => string(o, s),
        None => o.push_str("null"),
    }
}

/// A JSON string literal. Runs of plain characters are copied whole.
pub fn string(o: &mut String, s: &str) {
    o.push('"');
    let bytes = s.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        i += plain_run(&bytes[i..]);
        let Some(&b) = bytes.get(i) else { break };
        o.push_str(&s[plain..i]);
        match b {
            b'"' => o.push_str("\\\""),
            b'\\' => o.push_str("\\\\"),
            b'\n' => o.push_str("\\n"),
            b'\r' => o.push_str("\\r"),
            b'\t' => o.push_str("\\t"),
            _ => {
                let _ = write!(o, "\\u{b:04x}");
            }
        }
        i += 1;
        plain = i;
    }
    o.push_str(&s[plain..]);
    o.push('"');
}

/// How many leading bytes need no JSON escape. Eight bytes are checked at
/// once: the trace writes a few hundred bytes of JSON per call, and a
/// recorded run should cost little more than an unrecorded one.
fn plain_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut n = 0;
    while n + 8 <= b.len() {
        let x = u64::from_le_bytes(b[n..n + 8].try_into().unwrap_or([0; 8]));
        let special = (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
            | has_zero(x ^ (ONES * u64::from(b'"')))
            | has_zero(x ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            // The lowest flagged byte is the first special one (a false
            // flag can only sit above a true one).
            return n + (special.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    while n < b.len() && b[n] >= 0x20 && b[n] != b'"' && b[n] != b'\\' {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Arg, Span};

    fn accept_call() -> CallEvent {
        let mut c = CallEvent::new(
            "accept",
            vec![Arg::fd(3), Arg::null(), Arg::null()],
            Ret::Value(5),
        );
        c.fd = Some(3);
        c.role = Some(Role::Listening);
        c.new_fd = Some(5);
        c.new_role = Some(Role::Data);
        c
    }

    #[test]
    fn json_has_every_field() {
        let mut e = accept_call();
        e.seq = 7;
        e.pid = Some(98);
        e.tid = 99;
        e.side = Some(Side::Server);
        e.time = Some(Span {
            start_ns: 11_500,
            end_ns: 12_400,
            t0_unix_us: Some(1_800_000_000_000_000),
        });
        assert_eq!(
            json(&e, &e.line()),
            "{\"seq\":7,\"v\":2,\"t_us\":12,\"pid\":98,\"tid\":99,\"side\":\"server\",\"syscall\":\"accept\",\"fd\":3,\
             \"role\":\"listening\",\"args\":[\"3\",\"NULL\",\"NULL\"],\
             \"typed\":[{\"fd\":3},{\"null\":true},{\"null\":true}],\"ret\":5,\"errno\":null,\"note\":null,\
             \"new_fd\":5,\"new_role\":\"data\",\"start_ns\":11500,\"end_ns\":12400,\"t0_unix_us\":1800000000000000,\
             \"line\":\"accept(3, NULL, NULL)                   = 5\"}\n"
        );
    }

    #[test]
    fn json_escapes_strace_quotes() {
        let mut e = CallEvent::new(
            "sendto",
            vec![Arg::fd(4), Arg::bytes(b"hi\n")],
            Ret::Error(libc::EPIPE),
        );
        e.fd = Some(4);
        e.role = Some(Role::Data);
        let j = json(&e, &e.line());
        assert!(
            j.contains(r#""typed":[{"fd":4},{"bytes":"68690a","len":3,"cut":false}]"#),
            "{j}"
        );
        assert!(j.contains(r#""args":["4","\"hi\\n\""]"#), "{j}");
        assert!(j.contains(r#""ret":-1,"errno":"EPIPE""#), "{j}");
        assert!(j.contains(r#""side":null"#), "{j}");
    }

    #[test]
    fn json_strings_escape_controls_and_keep_unicode() {
        let mut o = String::new();
        string(&mut o, "a\"b\\c\nd\u{1}é");
        assert_eq!(o, r#""a\"b\\c\nd\u0001é""#);
        // Long plain runs, and specials at every offset of an 8-byte block.
        for k in 0..20 {
            let text = format!("{}\"{}\u{1f}", "x".repeat(k), "yz".repeat(k));
            let mut o = String::new();
            string(&mut o, &text);
            assert_eq!(
                o,
                format!("\"{}\\\"{}\\u001f\"", "x".repeat(k), "yz".repeat(k))
            );
        }
    }

    /// Every ASCII byte at every offset around an 8-byte block, against
    /// a byte-at-a-time escape.
    #[test]
    fn json_strings_match_a_byte_at_a_time_escape() {
        let slow = |s: &str| {
            let mut o = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => o.push_str("\\\""),
                    '\\' => o.push_str("\\\\"),
                    '\n' => o.push_str("\\n"),
                    '\r' => o.push_str("\\r"),
                    '\t' => o.push_str("\\t"),
                    c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
                    c => o.push(c),
                }
            }
            o.push('"');
            o
        };
        for b in 0u8..128 {
            for at in 0..19 {
                let mut text: Vec<u8> = b"abcdefghijklmnopqrs".to_vec();
                text[at] = b;
                let text = String::from_utf8(text).unwrap();
                let mut o = String::new();
                string(&mut o, &text);
                assert_eq!(o, slow(&text), "byte {b} at {at}");
            }
        }
    }

    #[test]
    fn numbers_without_the_formatter() {
        for n in [0, 7, -1, 10, 99, 1234567890, i64::MAX, i64::MIN] {
            let mut o = String::new();
            int(&mut o, n);
            assert_eq!(o, n.to_string());
        }
    }

    #[test]
    fn pretty_shows_side_role_and_the_new_socket() {
        let mut e = accept_call();
        e.side = Some(Side::Server);
        let line = e.line();
        assert_eq!(
            pretty(&e, &line, false),
            "server listening │ accept(3, NULL, NULL)                   = 5  ← new data socket 5\n"
        );
        let colored = pretty(&e, &line, true);
        assert!(colored.contains("\x1b[34mserver"), "{colored:?}");
        assert!(
            colored.contains(&line),
            "the strace line itself is never recoloured on success"
        );
    }

    #[test]
    fn the_korean_gutter_keeps_its_columns() {
        let ko = Words::of(Lang::Ko);
        assert_eq!(pad(ko.side(Side::Client), ko.side_width), "클라이언트");
        assert_eq!(pad(ko.side(Side::Server), ko.side_width), "서버      ");
        assert_eq!(pad(ko.role(Role::Listening), ko.role_width), "리스닝    ");
        assert_eq!(ko.new_fds(&accept_call()).unwrap(), "  ← 새 데이터 소켓 5");
        assert_eq!(ko.new_process(1429), "  ← 새 자식 프로세스 1429");
        let en = Words::of(Lang::En);
        assert_eq!(pad(en.side(Side::Server), en.side_width), "server");
        assert_eq!(pad(en.role(Role::Data), en.role_width), "data     ");
    }

    /// `socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0`, as the wrapper
    /// reports it: the two ends are the new fds, not the return value.
    fn socketpair_call() -> CallEvent {
        let mut c = CallEvent::new(
            "socketpair",
            vec![
                Arg::flags(1, "AF_UNIX".into()),
                Arg::flags(1, "SOCK_STREAM".into()),
                Arg::flags(0, "0".into()),
                Arg::opaque("[3, 4]".into()),
            ],
            Ret::Value(0),
        );
        c.new_fd = Some(3);
        c.new_role = Some(Role::Data);
        c.new_fd2 = Some(4);
        c
    }

    /// A recvmsg on fd 3 that received a socket, now fd 4 here.
    fn recvmsg_call(second: Option<i32>) -> CallEvent {
        let mut c = CallEvent::new(
            "recvmsg",
            vec![
                Arg::fd(3),
                Arg::opaque("{...}".into()),
                Arg::flags(0, "0".into()),
            ],
            Ret::Value(2),
        );
        c.fd = Some(3);
        c.role = Some(Role::Data);
        c.new_fd = Some(4);
        c.new_role = Some(Role::Data);
        c.new_fd2 = second;
        c
    }

    #[test]
    fn socketpair_marks_both_new_sockets_in_both_languages() {
        let e = socketpair_call();
        let en = Words::of(Lang::En);
        let ko = Words::of(Lang::Ko);
        assert_eq!(en.new_fds(&e).unwrap(), "  ← new data sockets 3 and 4");
        assert_eq!(ko.new_fds(&e).unwrap(), "  ← 새 데이터 소켓 3, 4");
        let line = e.line();
        assert!(pretty(&e, &line, false).ends_with(") = 0  ← new data sockets 3 and 4\n"));
    }

    #[test]
    fn recvmsg_marks_the_received_socket_in_both_languages() {
        let en = Words::of(Lang::En);
        let ko = Words::of(Lang::Ko);
        let one = recvmsg_call(None);
        assert_eq!(
            en.new_fds(&one).unwrap(),
            "  ← data socket received as fd 4"
        );
        assert_eq!(
            ko.new_fds(&one).unwrap(),
            "  ← 전달받은 데이터 소켓: 이 프로세스의 fd 4"
        );
        let two = recvmsg_call(Some(5));
        assert_eq!(
            en.new_fds(&two).unwrap(),
            "  ← data sockets received as fds 4 and 5"
        );
        assert_eq!(
            ko.new_fds(&two).unwrap(),
            "  ← 전달받은 데이터 소켓: 이 프로세스의 fd 4, 5"
        );
        // A recvmsg that received only bytes made no fd: no mark.
        let mut bytes_only = recvmsg_call(None);
        bytes_only.new_fd = None;
        bytes_only.new_role = None;
        assert_eq!(en.new_fds(&bytes_only), None);
        // socket's own line is its new fd: no mark either.
        let mut socket = CallEvent::new("socket", vec![], Ret::Value(3));
        socket.new_fd = Some(3);
        socket.new_role = Some(Role::Socket);
        assert_eq!(en.new_fds(&socket), None);
    }

    #[test]
    fn json_writes_the_second_new_fd_only_when_there_is_one() {
        let pair = socketpair_call();
        let j = json(&pair, &pair.line());
        assert!(
            j.contains("\"new_fd\":3,\"new_role\":\"data\",\"new_fd2\":4,"),
            "{j}"
        );
        let accept = accept_call();
        assert!(!json(&accept, &accept.line()).contains("new_fd2"));
    }
}
