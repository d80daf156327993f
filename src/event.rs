//! One system call as an event: who made it, on which socket, with which
//! arguments, what the kernel answered, and when it started and ended.
//!
//! The tracer makes one for every call a wrapper reports; the tools read
//! the same type back from a record file (tools/src/record.rs) and from
//! strace's own log (tools/src/strace_log.rs). Each argument carries both
//! its value, typed (an fd, an address, the bytes of a buffer), and its
//! text as strace writes it; the strace line is made from the texts, so
//! it stays byte for byte strace's, and whoever needs a value (a port, a
//! byte count, `SHUT_WR`) reads the value and never parses the text.

use crate::addr::SockAddr;
use crate::strace::{format_line, Ret, MAX_STRLEN};
use crate::trace::{Role, Side};
use std::borrow::Cow;

/// The version of the JSON record's fields (`"v"`). Records written
/// before it existed have none and read as version 0: texts only.
/// Version 2 adds `new_fd2` (written only when there is one) and fills
/// `new_fd` and `new_role` for `socketpair` and for a `recvmsg` that
/// received sockets; a version 1 record has neither, and reads as before.
pub const SCHEMA_VERSION: u32 = 2;

/// One argument: its value and strace's text for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub value: ArgValue,
    /// Exactly what strace prints for this argument.
    pub text: String,
}

/// What an argument is, as far as socklab (or strace's text) knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgValue {
    /// A plain number: a length, a backlog, a timeout.
    Int(i64),
    /// A file descriptor.
    Fd(i32),
    /// Flag bits or a named constant (`MSG_DONTWAIT`, `SHUT_WR`,
    /// `AF_INET`): the number, with strace's name in the text.
    Flags(i64),
    /// A socket address.
    Addr(SockAddr),
    /// A buffer of bytes. `shown` holds what strace shows of it, at most
    /// its first 32 bytes (`-s 32`); `len` is the whole length the call
    /// carried; `cut` says strace printed `"..."...`, so `shown` is not
    /// all of it.
    Bytes {
        shown: Vec<u8>,
        len: usize,
        cut: bool,
    },
    /// A NULL pointer.
    Null,
    /// A pointer the kernel did not fill (the call failed): strace shows
    /// its address, as in `0x7ffc12345678`.
    Unfilled,
    /// Anything else (a struct strace decodes, a list): only the text.
    Opaque,
}

impl Arg {
    pub fn int(n: i64) -> Arg {
        Arg {
            value: ArgValue::Int(n),
            text: n.to_string(),
        }
    }
    pub fn fd(fd: i32) -> Arg {
        Arg {
            value: ArgValue::Fd(fd),
            text: fd.to_string(),
        }
    }
    pub fn flags(bits: i64, text: String) -> Arg {
        Arg {
            value: ArgValue::Flags(bits),
            text,
        }
    }
    pub fn null() -> Arg {
        Arg {
            value: ArgValue::Null,
            text: "NULL".into(),
        }
    }
    pub fn unfilled<T>(ptr: *const T) -> Arg {
        Arg {
            value: ArgValue::Unfilled,
            text: format!("{ptr:p}"),
        }
    }
    pub fn opaque(text: String) -> Arg {
        Arg {
            value: ArgValue::Opaque,
            text,
        }
    }
    /// A buffer, shown as strace shows it: at most 32 bytes, quoted.
    pub fn bytes(buf: &[u8]) -> Arg {
        let cut = buf.len() > MAX_STRLEN;
        Arg {
            text: crate::strace::quote_bytes(buf),
            value: ArgValue::Bytes {
                shown: buf[..buf.len().min(MAX_STRLEN)].to_vec(),
                len: buf.len(),
                cut,
            },
        }
    }
    /// An address of `len` bytes in `ss`, as the kernel was given it or
    /// wrote it; opaque when socklab cannot read it as an address.
    pub fn addr(ss: &libc::sockaddr_storage, len: usize) -> Arg {
        let text = crate::strace::format_sockaddr(ss, len);
        match SockAddr::from_raw(ss, len as libc::socklen_t) {
            Some(a) => Arg {
                value: ArgValue::Addr(a),
                text,
            },
            None => Arg::opaque(text),
        }
    }

    /// The fd, flag bits or number this argument holds.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            ArgValue::Int(n) | ArgValue::Flags(n) => Some(n),
            ArgValue::Fd(fd) => Some(fd.into()),
            _ => None,
        }
    }
}

/// When a call started and ended, in nanoseconds on the tracer's monotonic
/// clock, counted from the moment tracing started; `t0_unix_us` is the
/// wall-clock time of that moment (microseconds since 1970), so a call can
/// be placed next to a packet capture's timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start_ns: u64,
    pub end_ns: u64,
    pub t0_unix_us: Option<u64>,
}

/// One system call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallEvent {
    /// Its number among all the calls of the run (every process's).
    pub seq: u64,
    /// The process that made it (a forked child has its own); None where
    /// the source does not say (strace's `-f` log names threads only).
    pub pid: Option<i32>,
    /// The thread that made it; a process's first thread has tid = pid.
    pub tid: i32,
    pub side: Option<Side>,
    /// The kernel's name for the call (`sendto` for `send`).
    pub syscall: Cow<'static, str>,
    /// The socket it was made on, and what that socket is to the program.
    pub fd: Option<i32>,
    pub role: Option<Role>,
    pub args: Vec<Arg>,
    pub ret: Ret,
    /// A new fd the call made (`socket`, `accept`; `socketpair`'s first
    /// end; the first socket a `recvmsg` received, under this process's
    /// own number), and its role.
    pub new_fd: Option<i32>,
    pub new_role: Option<Role>,
    /// A second new fd of the same role: `socketpair`'s other end, or a
    /// second socket received in the same `recvmsg`.
    pub new_fd2: Option<i32>,
    /// When it happened; None where the source has no clock.
    pub time: Option<Span>,
    /// From strace's log: a buffer strace cut (`"..."...`).
    pub cut: bool,
    /// From strace's log: the result was injected (`(INJECTED)`), not
    /// the kernel's.
    pub injected: bool,
}

impl CallEvent {
    /// A call as a wrapper reports it; the tracer fills in the rest.
    pub fn new(syscall: &'static str, args: Vec<Arg>, ret: Ret) -> CallEvent {
        CallEvent {
            seq: 0,
            pid: None,
            tid: 0,
            side: None,
            syscall: Cow::Borrowed(syscall),
            fd: None,
            role: None,
            args,
            ret,
            new_fd: None,
            new_role: None,
            new_fd2: None,
            time: None,
            cut: false,
            injected: false,
        }
    }

    /// The exact line strace prints for this call.
    pub fn line(&self) -> String {
        let mut line = format_line(&self.syscall, &self.args, &self.ret);
        if self.injected {
            line.push_str(" (INJECTED)");
        }
        line
    }

    /// The line as `strace -f` prints it on its stderr while it follows
    /// more than one thread or process: `[pid  TID] ` first, the thread's
    /// id (a process's first thread has the process's id), counted in the
    /// padding to column 40.
    pub fn line_with_pid(&self) -> String {
        let prefix = crate::strace::line::pid_prefix(self.tid);
        let mut line =
            crate::strace::line::format_line_after(&prefix, &self.syscall, &self.args, &self.ret);
        if self.injected {
            line.push_str(" (INJECTED)");
        }
        line
    }

    /// The value a successful call returned; None when it failed.
    pub fn value(&self) -> Option<i64> {
        match self.ret {
            Ret::Value(v) | Ret::Annotated(v, _) | Ret::Hex(v, _) => Some(v),
            Ret::Error(_) => None,
        }
    }

    /// The argument at `i`.
    pub fn arg(&self, i: usize) -> Option<&ArgValue> {
        self.args.get(i).map(|a| &a.value)
    }

    /// The first address among the arguments.
    pub fn addr(&self) -> Option<&SockAddr> {
        self.args.iter().find_map(|a| match &a.value {
            ArgValue::Addr(addr) => Some(addr),
            _ => None,
        })
    }

    /// The first byte buffer among the arguments: what strace shows of it.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.args.iter().find_map(|a| match &a.value {
            ArgValue::Bytes { shown, .. } => Some(shown.as_slice()),
            _ => None,
        })
    }
}

impl AsRef<str> for Arg {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// The event as one line of the JSON record (what `--record` writes),
/// with its strace line.
pub fn to_json(event: &CallEvent) -> String {
    crate::trace::json_line(event)
}
