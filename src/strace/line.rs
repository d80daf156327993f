//! One whole strace line: `name(args)`, padding, `= result`.

use super::consts::{errno_message, errno_name};
use std::fmt::Write;

/// strace pads the call to this column before `= `.
pub const RESULT_COLUMN: usize = 40;

/// What a system call returned, as strace shows it after `= `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ret {
    /// A success value: `= 3`.
    Value(i64),
    /// A success value with strace's remark after it: `= 0 (Timeout)`.
    Annotated(i64, String),
    /// A success value strace writes in hex, with what its bits mean:
    /// `= 0x802 (flags O_RDWR|O_NONBLOCK)` (fcntl's F_GETFL).
    Hex(i64, String),
    /// A failure: `= -1 ECONNREFUSED (Connection refused)`.
    Error(i32),
}

impl Ret {
    /// From a libc return value and the errno read right after the call.
    pub fn from_libc(ret: i64, errno: i32) -> Ret {
        if ret < 0 {
            Ret::Error(errno)
        } else {
            Ret::Value(ret)
        }
    }

    /// The text strace prints after `= `.
    pub fn text(&self) -> String {
        match self {
            Ret::Value(v) => v.to_string(),
            Ret::Annotated(v, note) => format!("{v} ({note})"),
            Ret::Hex(v, note) => format!("{} ({note})", super::consts::c_hex(*v)),
            Ret::Error(e) => format!("-1 {} ({})", errno_name(*e), errno_message(*e)),
        }
    }
}

/// The whole line: `listen(3, 128)                          = 0`.
pub fn format_line<A: AsRef<str>>(name: &str, args: &[A], ret: &Ret) -> String {
    format_line_after("", name, args, ret)
}

/// `strace -f`'s prefix for a line of thread `tid` once it follows more
/// than one: `[pid  1234] ` (the id right-aligned in five columns).
pub fn pid_prefix(tid: i32) -> String {
    format!("[pid {tid:>5}] ")
}

/// The whole line after `prefix`, which counts toward column 40 as strace
/// counts it: `[pid  4100] close(3)                    = 0`.
pub fn format_line_after<A: AsRef<str>>(prefix: &str, name: &str, args: &[A], ret: &Ret) -> String {
    let mut line = String::with_capacity(96);
    line.push_str(prefix);
    line.push_str(name);
    line.push('(');
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        line.push_str(a.as_ref());
    }
    line.push(')');
    let pad = RESULT_COLUMN.saturating_sub(line.len()).max(1);
    line.extend(std::iter::repeat_n(' ', pad));
    let _ = write!(line, "= {}", ret.text());
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// Lines strace 6.1 printed under `-f` to stderr, with two threads.
    #[test]
    fn the_pid_prefix_counts_toward_column_40() {
        assert_eq!(
            format_line_after(&pid_prefix(4100), "close", &args(&["3"]), &Ret::Value(0)),
            "[pid  4100] close(3)                    = 0"
        );
        assert_eq!(
            format_line_after(
                &pid_prefix(4100),
                "socket",
                &args(&["AF_UNIX", "SOCK_STREAM", "0"]),
                &Ret::Value(3)
            ),
            "[pid  4100] socket(AF_UNIX, SOCK_STREAM, 0) = 3"
        );
        assert_eq!(pid_prefix(123456), "[pid 123456] ");
    }

    #[test]
    fn short_calls_pad_to_column_40() {
        assert_eq!(
            format_line("listen", &args(&["3", "128"]), &Ret::Value(0)),
            "listen(3, 128)                          = 0"
        );
        assert_eq!(
            format_line("close", &args(&["3"]), &Ret::Value(0)),
            "close(3)                                = 0"
        );
    }

    #[test]
    fn long_calls_get_one_space() {
        assert_eq!(
            format_line(
                "socket",
                &args(&["AF_INET", "SOCK_DGRAM", "IPPROTO_IP"]),
                &Ret::Value(3)
            ),
            "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3"
        );
        // Exactly 40 characters: strace still writes one space.
        let forty = format_line(
            "sendto",
            &args(&["4", "\"hello\\n\"", "6", "0", "NULL", "0"]),
            &Ret::Value(6),
        );
        assert_eq!(forty, "sendto(4, \"hello\\n\", 6, 0, NULL, 0)     = 6");
        let name = "x".repeat(38);
        assert_eq!(
            format_line::<String>(&name, &[], &Ret::Value(0)),
            format!("{name}() = 0")
        );
    }

    #[test]
    fn errors_and_annotations() {
        assert_eq!(
            Ret::Error(libc::ECONNREFUSED).text(),
            "-1 ECONNREFUSED (Connection refused)"
        );
        assert_eq!(Ret::Annotated(0, "Timeout".into()).text(), "0 (Timeout)");
        assert_eq!(
            Ret::Hex(0x802, "flags O_RDWR|O_NONBLOCK".into()).text(),
            "0x802 (flags O_RDWR|O_NONBLOCK)"
        );
        assert_eq!(
            Ret::from_libc(-1, libc::EAGAIN).text(),
            "-1 EAGAIN (Resource temporarily unavailable)"
        );
        assert_eq!(Ret::from_libc(5, 0), Ret::Value(5));
    }
}
