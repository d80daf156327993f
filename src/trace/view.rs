//! How one recorded call is written: the human view and the JSON object.

use super::{Event, Role, Side};
use crate::output::{paint, Color};
use crate::strace::Ret;
use std::fmt::Write;

/// `server listening │ accept(3, ...) = 5   ← new data socket`
pub fn pretty(e: &Event<'_>, color: bool) -> String {
    let side = e.side.map(Side::as_str).unwrap_or("");
    let role = e
        .call
        .fd
        .or(e.call.new_fd)
        .map(|(_, r)| r.as_str())
        .unwrap_or("");
    let side_txt = format!("{side:<6}");
    let role_txt = format!("{role:<9}");
    let side_c = match e.side {
        Some(Side::Server) => Color::Blue,
        Some(Side::Client) => Color::Green,
        None => Color::Dim,
    };
    let role_c = match e.call.fd.or(e.call.new_fd).map(|(_, r)| r) {
        Some(Role::Listening) => Color::Yellow,
        Some(Role::Data) => Color::Cyan,
        _ => Color::Dim,
    };
    let failed = matches!(e.call.ret, Ret::Error(_));
    let line = if failed {
        paint(e.line, Color::Red, color)
    } else {
        e.line.to_string()
    };
    let mut out = format!(
        "{} {} {} {line}",
        paint(&side_txt, side_c, color),
        paint(&role_txt, role_c, color),
        paint("│", Color::Dim, color),
    );
    if e.call.syscall != "socket" {
        if let Some((fd, role)) = e.call.new_fd {
            let note = format!("  ← new {} socket {fd}", role.as_str());
            out.push_str(&paint(&note, Color::Magenta, color));
        }
    }
    out.push('\n');
    out
}

/// One JSON object: seq, time, thread, side, syscall, fd and role, args,
/// return value or errno, new fd, and the strace line.
pub fn json(e: &Event<'_>) -> String {
    let c = e.call;
    let mut o = String::with_capacity(256);
    let _ = write!(
        o,
        "{{\"seq\":{},\"t_us\":{},\"tid\":{},\"side\":",
        e.seq, e.t_us, e.tid
    );
    opt_str(&mut o, e.side.map(Side::as_str));
    o.push_str(",\"syscall\":");
    string(&mut o, c.syscall);
    o.push_str(",\"fd\":");
    opt_num(&mut o, c.fd.map(|(fd, _)| fd as i64));
    o.push_str(",\"role\":");
    opt_str(&mut o, c.fd.map(|(_, r)| r.as_str()));
    o.push_str(",\"args\":[");
    for (i, a) in c.args.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        string(&mut o, a);
    }
    o.push_str("],\"ret\":");
    match &c.ret {
        Ret::Value(v) | Ret::Annotated(v, _) => {
            let _ = write!(o, "{v},\"errno\":null");
        }
        Ret::Error(errno) => {
            o.push_str("-1,\"errno\":");
            string(&mut o, &crate::strace::errno_name(*errno));
        }
    }
    o.push_str(",\"new_fd\":");
    opt_num(&mut o, c.new_fd.map(|(fd, _)| fd as i64));
    o.push_str(",\"new_role\":");
    opt_str(&mut o, c.new_fd.map(|(_, r)| r.as_str()));
    o.push_str(",\"line\":");
    string(&mut o, e.line);
    o.push_str("}\n");
    o
}

fn opt_num(o: &mut String, v: Option<i64>) {
    match v {
        Some(n) => {
            let _ = write!(o, "{n}");
        }
        None => o.push_str("null"),
    }
}

fn opt_str(o: &mut String, v: Option<&str>) {
    match v {
        Some(s) => string(o, s),
        None => o.push_str("null"),
    }
}

/// A JSON string literal.
pub fn string(o: &mut String, s: &str) {
    o.push('"');
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Call;

    fn accept_call() -> Call {
        Call {
            syscall: "accept",
            fd: Some((3, Role::Listening)),
            args: vec!["3".into(), "NULL".into(), "NULL".into()],
            ret: Ret::Value(5),
            new_fd: Some((5, Role::Data)),
        }
    }

    #[test]
    fn json_has_every_field() {
        let call = accept_call();
        let line = call.line();
        let e = Event {
            seq: 7,
            t_us: 12,
            tid: 99,
            side: Some(Side::Server),
            call: &call,
            line: &line,
        };
        assert_eq!(
            json(&e),
            "{\"seq\":7,\"t_us\":12,\"tid\":99,\"side\":\"server\",\"syscall\":\"accept\",\"fd\":3,\
             \"role\":\"listening\",\"args\":[\"3\",\"NULL\",\"NULL\"],\"ret\":5,\"errno\":null,\
             \"new_fd\":5,\"new_role\":\"data\",\"line\":\"accept(3, NULL, NULL)                   = 5\"}\n"
        );
    }

    #[test]
    fn json_escapes_strace_quotes() {
        let call = Call {
            syscall: "sendto",
            fd: Some((4, Role::Data)),
            args: vec!["4".into(), "\"hi\\n\"".into()],
            ret: Ret::Error(libc::EPIPE),
            new_fd: None,
        };
        let line = call.line();
        let e = Event {
            seq: 1,
            t_us: 0,
            tid: 1,
            side: None,
            call: &call,
            line: &line,
        };
        let j = json(&e);
        assert!(j.contains(r#""args":["4","\"hi\\n\""]"#), "{j}");
        assert!(j.contains(r#""ret":-1,"errno":"EPIPE""#), "{j}");
        assert!(j.contains(r#""side":null"#), "{j}");
    }

    #[test]
    fn pretty_shows_side_role_and_the_new_socket() {
        let call = accept_call();
        let line = call.line();
        let e = Event {
            seq: 1,
            t_us: 0,
            tid: 1,
            side: Some(Side::Server),
            call: &call,
            line: &line,
        };
        assert_eq!(
            pretty(&e, false),
            "server listening │ accept(3, NULL, NULL)                   = 5  ← new data socket 5\n"
        );
        let colored = pretty(&e, true);
        assert!(colored.contains("\x1b[34mserver"), "{colored:?}");
        assert!(
            colored.contains(&line),
            "the strace line itself is never recoloured on success"
        );
    }
}
