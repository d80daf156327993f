//! Reading back a recorded run: the JSON lines the tracer writes with
//! `--record FILE` (or `SOCKLAB_RECORD`), one system call per line.

use crate::json::{self, Value};

/// One recorded system call.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub seq: u64,
    pub t_us: u64,
    /// The process that made the call (None in records made before the
    /// tracer wrote it). A forked child has its own.
    pub pid: Option<i32>,
    pub tid: i32,
    /// "server", "client", or None.
    pub side: Option<String>,
    pub syscall: String,
    pub fd: Option<i32>,
    /// "socket", "listening", "data" or "datagram".
    pub role: Option<String>,
    pub args: Vec<String>,
    pub ret: i64,
    pub errno: Option<String>,
    pub new_fd: Option<i32>,
    pub new_role: Option<String>,
    /// The exact strace line.
    pub line: String,
}

/// Parse a whole record file. Blank lines are skipped; a broken line is an
/// error naming its line number and what is wrong with it. An empty file
/// gives no calls.
pub fn parse_record(text: &str) -> Result<Vec<Recorded>, String> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let v = json::parse(raw).map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
        out.push(
            from_value(v)
                .map_err(|e| format!("line {}: not a socklab trace record: {e}", n + 1))?,
        );
    }
    Ok(out)
}

/// One line's object as a call. Each field must be there with the type the
/// tracer writes (`pid`, `side`, `fd`, `role`, `errno`, `new_fd` and
/// `new_role` may be null or missing); other keys are ignored.
fn from_value(v: Value) -> Result<Recorded, String> {
    let Value::Obj(mut m) = v else {
        return Err(format!("{} where an object was expected", v.kind()));
    };
    let mut field = |k: &'static str| (k, m.remove(k));
    Ok(Recorded {
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
        line: text(field("line"))?,
    })
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

    #[test]
    fn parses_tracer_output() {
        let text = "{\"seq\":1,\"t_us\":5,\"pid\":40,\"tid\":42,\"side\":\"client\",\"syscall\":\"connect\",\"fd\":3,\
                    \"role\":\"socket\",\"args\":[\"3\",\"{...}\",\"16\"],\"ret\":-1,\"errno\":\"ECONNREFUSED\",\
                    \"new_fd\":null,\"new_role\":null,\"line\":\"connect(...) = -1\"}\n\n";
        let r = parse_record(text).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].tid, 42);
        assert_eq!(r[0].pid, Some(40));
        assert_eq!(r[0].side.as_deref(), Some("client"));
        assert_eq!(r[0].errno.as_deref(), Some("ECONNREFUSED"));
        assert_eq!(r[0].args.len(), 3);
        assert!(parse_record("{\"seq\":1}").unwrap_err().contains("line 1"));
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
        assert!(parse_record(&with("", None)).is_ok());
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
            let e = parse_record(&format!("\n{}", with(key, value))).unwrap_err();
            assert!(
                e.starts_with("line 2: not a socklab trace record: ") && e.contains(want),
                "{key}={value:?}: {e}"
            );
        }
        // The fields that may be null may also be missing.
        for key in ["pid", "side", "fd", "role", "errno", "new_fd", "new_role"] {
            assert!(parse_record(&with(key, None)).is_ok(), "{key}");
            assert!(parse_record(&with(key, Some("null"))).is_ok(), "{key}");
        }
    }

    #[test]
    fn not_an_object_or_not_json() {
        assert_eq!(
            parse_record("[1]").unwrap_err(),
            "line 1: not a socklab trace record: an array where an object was expected"
        );
        assert_eq!(
            parse_record("\u{7f}ELF\u{2}\u{1}").unwrap_err(),
            "line 1: not JSON: expected a value, found byte 0x7f at column 1"
        );
        assert_eq!(parse_record("").unwrap(), []);
        assert_eq!(parse_record("\n  \n").unwrap(), []);
    }
}
