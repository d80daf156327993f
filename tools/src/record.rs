//! Reading back a recorded run: the JSON lines the tracer writes with
//! `--record FILE` (or `SOCKLAB_RECORD`), one system call per line.

use crate::json::{self, Value};
use crate::strace_log;
use socklab::addr::{SockAddr, UnixName};
use socklab::event::{Arg, ArgValue, CallEvent, Span};
use socklab::strace::{consts::errno_number, Ret};
use socklab::trace::{Role, Side};
use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// The fields every version of the record has, as the JSON holds them.
struct Fields {
    seq: u64,
    t_us: u64,
    pid: Option<i32>,
    tid: i32,
    side: Option<String>,
    syscall: String,
    fd: Option<i32>,
    role: Option<String>,
    args: Vec<String>,
    ret: i64,
    errno: Option<String>,
    new_fd: Option<i32>,
    new_role: Option<String>,
    /// Version 2: socketpair's other end, or a second received socket;
    /// absent in older records and where there is none.
    new_fd2: Option<i32>,
    /// The exact strace line.
    line: String,
}

/// One line's object, its fields. Each must be there with the type the
/// tracer writes (`pid`, `side`, `fd`, `role`, `errno`, `new_fd`,
/// `new_role` and `new_fd2` may be null or missing); other keys are ignored.
fn from_value(v: Value) -> Result<Fields, String> {
    let Value::Obj(mut m) = v else {
        return Err(format!("{} where an object was expected", v.kind()));
    };
    let mut field = |k: &'static str| (k, m.remove(k));
    Ok(Fields {
        seq: whole(field("seq"), 0, i64::MAX)? as u64,
        t_us: whole(field("t_us"), 0, i64::MAX)? as u64,
        pid: maybe_fd(field("pid"))?,
        tid: whole(field("tid"), i32::MIN.into(), i32::MAX.into())? as i32,
        side: match maybe_text(field("side"))? {
            Some(s) if s != "server" && s != "client" => {
                return Err(format!(
                    "\"side\" is \"{}\", not \"server\", \"client\" or null",
                    s.escape_debug()
                ))
            }
            side => side,
        },
        syscall: text(field("syscall"))?,
        fd: maybe_fd(field("fd"))?,
        role: maybe_text(field("role"))?,
        args: match field("args") {
            (_, Some(Value::Arr(a))) => a
                .into_iter()
                .map(|a| match a {
                    Value::Str(s) => Ok(s),
                    other => Err(format!("\"args\" holds {}, not only strings", other.kind())),
                })
                .collect::<Result<_, _>>()?,
            (k, v) => return Err(wrong(k, v, "an array of strings")),
        },
        ret: whole(field("ret"), i64::MIN, i64::MAX)?,
        errno: maybe_text(field("errno"))?,
        new_fd: maybe_fd(field("new_fd"))?,
        new_role: maybe_text(field("new_role"))?,
        new_fd2: maybe_fd(field("new_fd2"))?,
        line: text(field("line"))?,
    })
}

/// Parse a whole record file into call events, with each argument's
/// value where the record has it (`"v"` 1 and later: `typed`); a record
/// written before `"v"` existed is version 0: its arguments are typed by
/// reading its strace line as strace's log is read, and stay opaque only
/// where that line cannot be read. Blank lines are skipped; a broken line
/// is an error naming its line number and what is wrong with it. An empty
/// file gives no calls.
///
/// A record made with `--packets` also holds packets' lines
/// (`"kind":"packet"`, see [`crate::packets::to_json`]); they are left out
/// here, and [`parse_run`] gives them.
pub fn parse_events(text: &str) -> Result<Vec<CallEvent>, String> {
    parse_run(text).map(|(calls, _)| calls)
}

/// A whole record: its calls, and the packets a `--packets` run put beside
/// them (none in other records).
pub fn parse_run(text: &str) -> Result<(Vec<CallEvent>, Vec<crate::packets::Packet>), String> {
    let mut out = Vec::new();
    let mut packets = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let v = json::parse(raw).map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
        if crate::packets::is_packet(&v) {
            packets.push(
                crate::packets::from_value(&v)
                    .map_err(|e| format!("line {}: not a socklab packet record: {e}", n + 1))?,
            );
            continue;
        }
        out.push(
            event_from_value(v)
                .map_err(|e| format!("line {}: not a socklab trace record: {e}", n + 1))?,
        );
    }
    Ok((out, packets))
}

/// One line's object as a call event.
pub fn event_from_value(v: Value) -> Result<CallEvent, String> {
    let version = match v.get("v") {
        None => 0,
        Some(n) => match n.as_i64() {
            Some(n) if n >= 0 => n,
            _ => return Err(format!("\"v\" is {}, not a version number", n.kind())),
        },
    };
    let num = |k: &str| v.get(k).and_then(Value::as_i64);
    let note = v.get("note").and_then(Value::as_str).map(str::to_string);
    let hex = matches!(v.get("hex"), Some(Value::Bool(true)));
    let flag = |k: &str| matches!(v.get(k), Some(Value::Bool(true)));
    let typed: Option<Vec<Value>> = v.get("typed").and_then(Value::as_array).map(<[_]>::to_vec);
    let (start, end, t0) = (num("start_ns"), num("end_ns"), num("t0_unix_us"));
    let (cut, injected) = (flag("cut"), flag("injected"));
    let r = from_value(v)?;
    let ret = match &r.errno {
        Some(name) => Ret::Error(
            errno_number(name).ok_or_else(|| format!("\"errno\" {name:?} is no error name"))?,
        ),
        None => match note {
            Some(note) if hex => Ret::Hex(r.ret, note),
            Some(note) => Ret::Annotated(r.ret, note),
            None => Ret::Value(r.ret),
        },
    };
    let role = |name: &Option<String>, key: &str| match name {
        None => Ok(None),
        Some(n) => Role::from_name(n)
            .map(Some)
            .ok_or_else(|| format!("\"{key}\" is {n:?}, not a role")),
    };
    let typed = match typed {
        Some(t) if t.len() != r.args.len() => {
            return Err(format!(
                "\"typed\" has {} values for {} args",
                t.len(),
                r.args.len()
            ))
        }
        Some(t) if version >= 1 => Some(t),
        _ => None,
    };
    let args = match typed {
        Some(typed) => r
            .args
            .into_iter()
            .zip(typed)
            .map(|(text, t)| {
                Ok(Arg {
                    value: arg_value(&t)?,
                    text,
                })
            })
            .collect::<Result<Vec<_>, String>>()?,
        None => args_from_line(&r.line, r.args),
    };
    Ok(CallEvent {
        seq: r.seq,
        pid: r.pid,
        tid: r.tid,
        side: r.side.as_deref().and_then(Side::from_name),
        syscall: Cow::Owned(r.syscall),
        fd: r.fd,
        role: role(&r.role, "role")?,
        args,
        ret,
        new_fd: r.new_fd,
        new_role: role(&r.new_role, "new_role")?,
        new_fd2: r.new_fd2,
        time: Some(match (start, end) {
            (Some(start_ns), Some(end_ns)) if version >= 1 => Span {
                start_ns: start_ns as u64,
                end_ns: end_ns as u64,
                t0_unix_us: t0.map(|t| t as u64),
            },
            _ => Span {
                start_ns: r.t_us * 1000,
                end_ns: r.t_us * 1000,
                t0_unix_us: None,
            },
        }),
        cut,
        injected,
    })
}

/// A version-0 record's arguments, typed as strace's log is: its `line`
/// is strace's line, read by the one reader of strace's text
/// ([`strace_log::parse_line`]). Each value is kept only where that
/// reading gives back the record's own texts, one for one; else the
/// arguments stay opaque, as the record wrote them.
fn args_from_line(line: &str, texts: Vec<String>) -> Vec<Arg> {
    match strace_log::parse_line(0, line) {
        Some(e) if e.args.iter().map(|a| &a.text).eq(texts.iter()) => e.args,
        _ => texts.into_iter().map(Arg::opaque).collect(),
    }
}

/// One value of `typed` (see the tracer's trace/view.rs); null is opaque.
fn arg_value(t: &Value) -> Result<ArgValue, String> {
    let Value::Obj(m) = t else {
        return match t {
            Value::Null => Ok(ArgValue::Opaque),
            other => Err(format!("\"typed\" holds {}, not objects", other.kind())),
        };
    };
    let int = |k: &str| {
        m.get(k)
            .and_then(Value::as_i64)
            .ok_or_else(|| format!("a typed value's \"{k}\" is not a whole number"))
    };
    let text = |k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("a typed value's \"{k}\" is not a string"))
    };
    let port = || u16::try_from(int("port")?).map_err(|_| "a port out of range".to_string());
    let Some(kind) = m
        .keys()
        .find(|k| !matches!(k.as_str(), "len" | "cut" | "port" | "flowinfo" | "scope_id"))
    else {
        return Err("an empty typed value".into());
    };
    Ok(match kind.as_str() {
        "int" => ArgValue::Int(int("int")?),
        "fd" => ArgValue::Fd(int("fd")? as i32),
        "flags" => ArgValue::Flags(int("flags")?),
        "bytes" => ArgValue::Bytes {
            shown: unhex(text("bytes")?)?,
            len: int("len")? as usize,
            cut: matches!(m.get("cut"), Some(Value::Bool(true))),
        },
        "null" => ArgValue::Null,
        "unfilled" => ArgValue::Unfilled,
        "opaque" => ArgValue::Opaque,
        "inet" => ArgValue::Addr(SockAddr::V4(SocketAddrV4::new(
            text("inet")?
                .parse::<Ipv4Addr>()
                .map_err(|e| format!("\"inet\": {e}"))?,
            port()?,
        ))),
        "inet6" => ArgValue::Addr(SockAddr::V6(SocketAddrV6::new(
            text("inet6")?
                .parse::<Ipv6Addr>()
                .map_err(|e| format!("\"inet6\": {e}"))?,
            port()?,
            int("flowinfo")? as u32,
            int("scope_id")? as u32,
        ))),
        "unix_path" => {
            use std::os::unix::ffi::OsStringExt;
            let bytes = unhex(text("unix_path")?)?;
            ArgValue::Addr(SockAddr::Unix(UnixName::Path(
                std::ffi::OsString::from_vec(bytes).into(),
            )))
        }
        "unix_abstract" => ArgValue::Addr(SockAddr::Unix(UnixName::Abstract(unhex(text(
            "unix_abstract",
        )?)?))),
        "unix_unnamed" => ArgValue::Addr(SockAddr::Unix(UnixName::Unnamed)),
        other => return Err(format!("an unknown typed value {other:?}")),
    })
}

/// Bytes written as hex digits, two per byte.
fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = text.as_bytes();
    if b.len() % 2 != 0 {
        return Err("bytes in hex of odd length".into());
    }
    b.chunks(2)
        .map(|p| match (digit(p[0]), digit(p[1])) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err("bytes in hex hold a non-hex digit".to_string()),
        })
        .collect()
}

/// The error for a field that is missing or of the wrong type.
fn wrong(key: &str, v: Option<Value>, want: &str) -> String {
    match v {
        None => format!("no \"{key}\""),
        Some(v) => format!("\"{key}\" is {}, not {want}", v.kind()),
    }
}

fn whole((key, v): (&str, Option<Value>), min: i64, max: i64) -> Result<i64, String> {
    match (v.as_ref().and_then(Value::as_i64), &v) {
        (Some(n), _) if (min..=max).contains(&n) => Ok(n),
        (Some(n), _) => Err(format!("\"{key}\" is {n}, out of range")),
        // Whole, but beyond what a double holds exactly (2^53).
        (None, Some(Value::Num(n))) if n.fract() == 0.0 => {
            Err(format!("\"{key}\" is {n:e}, out of range"))
        }
        (None, _) => Err(wrong(key, v, "a whole number")),
    }
}

fn text((key, v): (&str, Option<Value>)) -> Result<String, String> {
    match v {
        Some(Value::Str(s)) => Ok(s),
        v => Err(wrong(key, v, "a string")),
    }
}

fn maybe_text((key, v): (&str, Option<Value>)) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        v => text((key, v)).map(Some),
    }
}

/// An fd number or a process id: a C `int`.
fn maybe_fd((key, v): (&str, Option<Value>)) -> Result<Option<i32>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        v => whole((key, v), i32::MIN.into(), i32::MAX.into()).map(|fd| Some(fd as i32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events of every kind the library makes, written by the library's
    /// JSON writer and read back here: the same event, the same line.
    #[test]
    fn events_round_trip_through_the_record() {
        let sa = |a: SockAddr| {
            let (ss, len) = a.to_raw();
            Arg::addr(&ss, len as usize)
        };
        let binary: Vec<u8> = (0..=255u8).rev().chain([0, b'"', b'\\', b'\n']).collect();
        let mut events = vec![
            call(
                "socket",
                vec![
                    Arg::flags(2, "AF_INET".into()),
                    Arg::flags(1, "SOCK_STREAM".into()),
                    Arg::flags(0, "IPPROTO_IP".into()),
                ],
                Ret::Value(3),
            ),
            call(
                "bind",
                vec![Arg::fd(3), sa(SockAddr::loopback(7801)), Arg::int(16)],
                Ret::Value(0),
            ),
            call(
                "bind",
                vec![Arg::fd(3), sa("[::1]:7802".parse().unwrap()), Arg::int(28)],
                Ret::Error(libc::EADDRINUSE),
            ),
            call(
                "connect",
                vec![
                    Arg::fd(3),
                    sa(SockAddr::unix("/tmp/s \"q\".sock")),
                    Arg::int(110),
                ],
                Ret::Error(libc::ECONNREFUSED),
            ),
            call(
                "bind",
                vec![
                    Arg::fd(3),
                    sa("unix:@abs\u{1}name".parse().unwrap()),
                    Arg::int(14),
                ],
                Ret::Value(0),
            ),
            call(
                "accept",
                vec![
                    Arg::fd(3),
                    sa(SockAddr::Unix(UnixName::Unnamed)),
                    Arg::opaque("[110 => 2]".into()),
                ],
                Ret::Value(4),
            ),
            call(
                "sendto",
                vec![
                    Arg::fd(4),
                    Arg::bytes(&binary),
                    Arg::int(binary.len() as i64),
                    Arg::flags(0, "0".into()),
                    Arg::null(),
                    Arg::int(0),
                ],
                Ret::Value(260),
            ),
            call(
                "sendto",
                vec![
                    Arg::fd(4),
                    Arg::bytes(b"\0\xff\"\\x"),
                    Arg::int(5),
                    Arg::flags(libc::MSG_DONTWAIT.into(), "MSG_DONTWAIT".into()),
                    Arg::null(),
                    Arg::int(0),
                ],
                Ret::Error(libc::EPIPE),
            ),
            call(
                "recvfrom",
                vec![
                    Arg::fd(4),
                    Arg::unfilled(8 as *const u8),
                    Arg::int(64),
                    Arg::flags(0, "0".into()),
                    Arg::null(),
                    Arg::null(),
                ],
                Ret::Error(libc::EAGAIN),
            ),
            call(
                "poll",
                vec![
                    Arg::opaque("[{fd=3, events=POLLIN}]".into()),
                    Arg::int(1),
                    Arg::int(0),
                ],
                Ret::Annotated(0, "Timeout".into()),
            ),
            call(
                "fcntl",
                vec![Arg::fd(3), Arg::flags(3, "F_GETFL".into())],
                Ret::Hex(0x802, "flags O_RDWR|O_NONBLOCK".into()),
            ),
            call(
                "shutdown",
                vec![Arg::fd(4), Arg::flags(1, "SHUT_WR".into())],
                Ret::Value(0),
            ),
            call("close", vec![Arg::fd(4)], Ret::Value(0)),
            call(
                "socketpair",
                vec![
                    Arg::flags(1, "AF_UNIX".into()),
                    Arg::flags(1, "SOCK_STREAM".into()),
                    Arg::flags(0, "0".into()),
                    Arg::opaque("[5, 6]".into()),
                ],
                Ret::Value(0),
            ),
        ];
        // Version 2: socketpair's two new fds, the second in new_fd2.
        let pair = events.len() - 1;
        events[pair].new_fd = Some(5);
        events[pair].new_role = Some(Role::Data);
        events[pair].new_fd2 = Some(6);
        events[0].new_fd = Some(3);
        events[0].new_role = Some(Role::Socket);
        events[5].new_fd = Some(4);
        events[5].new_role = Some(Role::Data);
        events[6].side = Some(Side::Client);
        for (i, e) in events.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
            e.pid = Some(40);
            e.tid = 41;
            e.fd = Some(3);
            e.role = Some(Role::Listening);
            e.time = Some(Span {
                start_ns: 1000 * i as u64 + 7,
                end_ns: 1000 * i as u64 + 900,
                t0_unix_us: Some(1_795_000_000_000_000),
            });
        }
        let text: String = events.iter().map(socklab::event::to_json).collect();
        let back = parse_events(&text).unwrap();
        assert_eq!(back, events);
        for (e, json) in back.iter().zip(text.lines()) {
            assert_eq!(format!("{json}\n"), socklab::event::to_json(e));
            assert!(json.contains(&json_string(&e.line())), "{json}");
        }
    }

    fn call(syscall: &'static str, args: Vec<Arg>, ret: Ret) -> CallEvent {
        CallEvent::new(syscall, args, ret)
    }

    fn json_string(s: &str) -> String {
        let mut o = String::new();
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c => o.push(c),
            }
        }
        o
    }

    /// A record without "v" (written before it) reads as version 0: its
    /// arguments typed from its strace line, as strace's log is read.
    #[test]
    fn old_records_read_as_version_0() {
        let e = parse_events(&with("", None)).unwrap().remove(0);
        assert_eq!(e.args, vec![Arg::fd(3)]);
        assert_eq!(e.ret, Ret::Value(0));
        assert_eq!(e.role, Some(Role::Data));
        assert_eq!(e.time.unwrap().end_ns, 5000);
        assert!(parse_events(&with("errno", Some("\"EBOGUS\""))).is_err());
        // shutdown's how, and an address: the values the diagram reads.
        let shut = with("syscall", Some("\"shutdown\""))
            .replace("[\"3\"]", "[\"3\",\"SHUT_WR\"]")
            .replace("close(3) = 0", "shutdown(3, SHUT_WR) = 0");
        let e = parse_events(&shut).unwrap().remove(0);
        assert_eq!(e.arg(1), Some(&ArgValue::Flags(libc::SHUT_WR.into())));
        let addr =
            "{sa_family=AF_INET, sin_port=htons(7809), sin_addr=inet_addr(\\\"127.0.0.1\\\")}";
        let bind = with("syscall", Some("\"bind\""))
            .replace("[\"3\"]", &format!("[\"3\",\"{addr}\",\"16\"]"))
            .replace("close(3) = 0", &format!("bind(3, {addr}, 16) = 0"));
        let e = parse_events(&bind).unwrap().remove(0);
        assert_eq!(e.addr(), Some(&SockAddr::loopback(7809)));
        assert_eq!(e.arg(2), Some(&ArgValue::Int(16)));
        // A line that does not say what the args say: the texts, opaque.
        let odd = with("line", Some("\"close(4) = 0\""));
        let e = parse_events(&odd).unwrap().remove(0);
        assert_eq!(e.args, vec![Arg::opaque("3".into())]);
        let odd = with("line", Some("\"not a call\""));
        let e = parse_events(&odd).unwrap().remove(0);
        assert_eq!(e.args, vec![Arg::opaque("3".into())]);
    }

    #[test]
    fn parses_tracer_output() {
        let text = "{\"seq\":1,\"t_us\":5,\"pid\":40,\"tid\":42,\"side\":\"client\",\"syscall\":\"connect\",\"fd\":3,\
                    \"role\":\"socket\",\"args\":[\"3\",\"{...}\",\"16\"],\"ret\":-1,\"errno\":\"ECONNREFUSED\",\
                    \"new_fd\":null,\"new_role\":null,\"line\":\"connect(...) = -1\"}\n\n";
        let r = parse_events(text).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].tid, 42);
        assert_eq!(r[0].pid, Some(40));
        assert_eq!(r[0].side, Some(Side::Client));
        assert_eq!(r[0].ret, Ret::Error(libc::ECONNREFUSED));
        // Written before version 2: no new_fd2 key, so none.
        assert_eq!(r[0].new_fd2, None);
        assert_eq!(r[0].args.len(), 3);
        assert!(parse_events("{\"seq\":1}").unwrap_err().contains("line 1"));
    }

    /// A valid record with one field's text replaced by `value` (or the
    /// field removed, for None).
    fn with(key: &str, value: Option<&str>) -> String {
        let fields = [
            ("seq", "1"),
            ("t_us", "5"),
            ("pid", "42"),
            ("tid", "42"),
            ("side", "\"client\""),
            ("syscall", "\"close\""),
            ("fd", "3"),
            ("role", "\"data\""),
            ("args", "[\"3\"]"),
            ("ret", "0"),
            ("errno", "null"),
            ("new_fd", "null"),
            ("new_role", "null"),
            ("line", "\"close(3) = 0\""),
        ];
        let body: Vec<String> = fields
            .iter()
            .filter_map(|&(k, v)| {
                let v = if k == key { value? } else { v };
                Some(format!("\"{k}\":{v}"))
            })
            .collect();
        format!("{{{}}}", body.join(","))
    }

    #[test]
    fn a_wrong_field_is_named() {
        assert!(parse_events(&with("", None)).is_ok());
        let cases = [
            ("syscall", None, "no \"syscall\""),
            ("seq", None, "no \"seq\""),
            (
                "fd",
                Some("\"3\""),
                "\"fd\" is a string, not a whole number",
            ),
            (
                "fd",
                Some("4294967301"),
                "\"fd\" is 4294967301, out of range",
            ),
            ("seq", Some("-1"), "\"seq\" is -1, out of range"),
            ("ret", Some("1e300"), "\"ret\" is 1e300, out of range"),
            (
                "ret",
                Some("99999999999999999999"),
                "\"ret\" is 1e20, out of range",
            ),
            (
                "ret",
                Some("0.5"),
                "\"ret\" is a number, not a whole number",
            ),
            (
                "args",
                Some("\"3\""),
                "\"args\" is a string, not an array of strings",
            ),
            (
                "args",
                Some("[3]"),
                "\"args\" holds a number, not only strings",
            ),
            ("side", Some("\"martian\""), "\"side\" is \"martian\", not"),
            ("line", Some("null"), "\"line\" is null, not a string"),
            (
                "pid",
                Some("\"42\""),
                "\"pid\" is a string, not a whole number",
            ),
        ];
        for (key, value, want) in cases {
            let e = parse_events(&format!("\n{}", with(key, value))).unwrap_err();
            assert!(
                e.starts_with("line 2: not a socklab trace record: ") && e.contains(want),
                "{key}={value:?}: {e}"
            );
        }
        // The fields that may be null may also be missing.
        for key in ["pid", "side", "fd", "role", "errno", "new_fd", "new_role"] {
            assert!(parse_events(&with(key, None)).is_ok(), "{key}");
            assert!(parse_events(&with(key, Some("null"))).is_ok(), "{key}");
        }
    }

    #[test]
    fn not_an_object_or_not_json() {
        assert_eq!(
            parse_events("[1]").unwrap_err(),
            "line 1: not a socklab trace record: an array where an object was expected"
        );
        assert_eq!(
            parse_events("\u{7f}ELF\u{2}\u{1}").unwrap_err(),
            "line 1: not JSON: expected a value, found byte 0x7f at column 1"
        );
        assert_eq!(parse_events("").unwrap(), []);
        assert_eq!(parse_events("\n  \n").unwrap(), []);
    }
}
