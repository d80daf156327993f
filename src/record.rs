//! Reading back a recorded run: the JSON lines the tracer writes with
//! `--record FILE` (or `SOCKLAB_RECORD`), one system call per line.

use crate::json::{self, Value};

/// One recorded system call.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub seq: u64,
    pub t_us: u64,
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
/// error naming its line number.
pub fn parse_record(text: &str) -> Result<Vec<Recorded>, String> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let v = json::parse(raw).map_err(|e| format!("line {}: {e}", n + 1))?;
        out.push(
            from_value(&v).ok_or_else(|| format!("line {}: not a socklab trace record", n + 1))?,
        );
    }
    Ok(out)
}

fn from_value(v: &Value) -> Option<Recorded> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |k: &str| v.get(k).and_then(Value::as_i64);
    Some(Recorded {
        seq: n("seq")? as u64,
        t_us: n("t_us")? as u64,
        tid: n("tid")? as i32,
        side: s("side"),
        syscall: s("syscall")?,
        fd: n("fd").map(|x| x as i32),
        role: s("role"),
        args: v
            .get("args")?
            .as_array()?
            .iter()
            .map(|a| a.as_str().unwrap_or("").to_string())
            .collect(),
        ret: n("ret")?,
        errno: s("errno"),
        new_fd: n("new_fd").map(|x| x as i32),
        new_role: s("new_role"),
        line: s("line")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tracer_output() {
        let text = "{\"seq\":1,\"t_us\":5,\"tid\":42,\"side\":\"client\",\"syscall\":\"connect\",\"fd\":3,\
                    \"role\":\"socket\",\"args\":[\"3\",\"{...}\",\"16\"],\"ret\":-1,\"errno\":\"ECONNREFUSED\",\
                    \"new_fd\":null,\"new_role\":null,\"line\":\"connect(...) = -1\"}\n\n";
        let r = parse_record(text).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].tid, 42);
        assert_eq!(r[0].side.as_deref(), Some("client"));
        assert_eq!(r[0].errno.as_deref(), Some("ECONNREFUSED"));
        assert_eq!(r[0].args.len(), 3);
        assert!(parse_record("{\"seq\":1}").unwrap_err().contains("line 1"));
    }
}
