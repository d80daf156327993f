//! strace's names for the numbers a socket call takes and returns.

use std::ffi::CStr;

/// Write `bits` as strace writes a flag set: the known names joined by `|`
/// in the order of `table`, any unknown bits as one hex number after them,
/// and `zero` when no bit is set.
pub fn flag_names(bits: i64, table: &[(i64, &str)], zero: &str) -> String {
    if bits == 0 {
        return zero.to_string();
    }
    let mut left = bits;
    let mut parts: Vec<String> = Vec::new();
    for &(bit, name) in table {
        if bit != 0 && left & bit == bit {
            parts.push(name.to_string());
            left &= !bit;
        }
    }
    if left != 0 {
        parts.push(format!("{left:#x}"));
    }
    parts.join("|")
}

/// `MSG_*` flags of send, recv, sendto and recvfrom, in strace's order.
pub const MSG_FLAGS: &[(i64, &str)] = &[
    (libc::MSG_OOB as i64, "MSG_OOB"),
    (libc::MSG_PEEK as i64, "MSG_PEEK"),
    (libc::MSG_DONTROUTE as i64, "MSG_DONTROUTE"),
    (libc::MSG_CTRUNC as i64, "MSG_CTRUNC"),
    (0x10, "MSG_PROBE"),
    (libc::MSG_TRUNC as i64, "MSG_TRUNC"),
    (libc::MSG_DONTWAIT as i64, "MSG_DONTWAIT"),
    (libc::MSG_EOR as i64, "MSG_EOR"),
    (libc::MSG_WAITALL as i64, "MSG_WAITALL"),
    (libc::MSG_FIN as i64, "MSG_FIN"),
    (libc::MSG_SYN as i64, "MSG_SYN"),
    (libc::MSG_CONFIRM as i64, "MSG_CONFIRM"),
    (libc::MSG_RST as i64, "MSG_RST"),
    (libc::MSG_ERRQUEUE as i64, "MSG_ERRQUEUE"),
    (libc::MSG_NOSIGNAL as i64, "MSG_NOSIGNAL"),
    (libc::MSG_MORE as i64, "MSG_MORE"),
    (libc::MSG_WAITFORONE as i64, "MSG_WAITFORONE"),
    (libc::MSG_CMSG_CLOEXEC as i64, "MSG_CMSG_CLOEXEC"),
];

/// Flags that `socket()` and `accept4()` take beside the type. strace lists
/// SOCK_CLOEXEC before SOCK_NONBLOCK although its bit is higher.
pub const SOCK_FLAGS: &[(i64, &str)] = &[
    (libc::SOCK_CLOEXEC as i64, "SOCK_CLOEXEC"),
    (libc::SOCK_NONBLOCK as i64, "SOCK_NONBLOCK"),
];

/// The address family, as in `sa_family=AF_INET` or `socket(AF_UNIX, ...)`.
pub fn family_name(family: i32) -> String {
    match family {
        libc::AF_UNIX => "AF_UNIX".into(),
        libc::AF_INET => "AF_INET".into(),
        libc::AF_INET6 => "AF_INET6".into(),
        libc::AF_UNSPEC => "AF_UNSPEC".into(),
        n => format!("{n} /* AF_??? */"),
    }
}

/// The socket type with its flags: `SOCK_STREAM|SOCK_CLOEXEC`.
pub fn socktype_name(ty: i32) -> String {
    let flags = (ty & (libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK)) as i64;
    let base = match ty & 0xf {
        libc::SOCK_STREAM => "SOCK_STREAM".to_string(),
        libc::SOCK_DGRAM => "SOCK_DGRAM".to_string(),
        libc::SOCK_RAW => "SOCK_RAW".to_string(),
        libc::SOCK_SEQPACKET => "SOCK_SEQPACKET".to_string(),
        n => format!("{n:#x} /* SOCK_??? */"),
    };
    if flags == 0 {
        base
    } else {
        format!("{base}|{}", flag_names(flags, SOCK_FLAGS, "0"))
    }
}

/// The protocol argument of `socket()`. For the internet families strace
/// names protocol 0 `IPPROTO_IP`; for AF_UNIX it prints the bare number.
pub fn protocol_name(family: i32, protocol: i32) -> String {
    if family != libc::AF_INET && family != libc::AF_INET6 {
        return protocol.to_string();
    }
    match protocol {
        libc::IPPROTO_IP => "IPPROTO_IP".into(),
        libc::IPPROTO_TCP => "IPPROTO_TCP".into(),
        libc::IPPROTO_UDP => "IPPROTO_UDP".into(),
        n => n.to_string(),
    }
}

/// The `how` of `shutdown()`.
pub fn shutdown_how_name(how: i32) -> String {
    match how {
        libc::SHUT_RD => "SHUT_RD".into(),
        libc::SHUT_WR => "SHUT_WR".into(),
        libc::SHUT_RDWR => "SHUT_RDWR".into(),
        n => format!("{n:#x} /* SHUT_??? */"),
    }
}

/// The level of `setsockopt()`: strace says SOL_TCP for IPPROTO_TCP.
pub fn sockopt_level_name(level: i32) -> String {
    match level {
        libc::SOL_SOCKET => "SOL_SOCKET".into(),
        libc::IPPROTO_TCP => "SOL_TCP".into(),
        libc::IPPROTO_IPV6 => "SOL_IPV6".into(),
        libc::IPPROTO_IP => "SOL_IP".into(),
        n => n.to_string(),
    }
}

/// The option name of `setsockopt()` at its level.
pub fn sockopt_name(level: i32, name: i32) -> String {
    let known = match (level, name) {
        (libc::SOL_SOCKET, libc::SO_REUSEADDR) => "SO_REUSEADDR",
        (libc::SOL_SOCKET, libc::SO_REUSEPORT) => "SO_REUSEPORT",
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE) => "SO_KEEPALIVE",
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => "SO_RCVBUF",
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => "SO_SNDBUF",
        (libc::SOL_SOCKET, libc::SO_LINGER) => "SO_LINGER",
        (libc::SOL_SOCKET, libc::SO_BROADCAST) => "SO_BROADCAST",
        (libc::SOL_SOCKET, libc::SO_ERROR) => "SO_ERROR",
        (libc::SOL_SOCKET, libc::SO_TYPE) => "SO_TYPE",
        // glibc's SO_RCVTIMEO and SO_SNDTIMEO on x86-64 are the _OLD ones.
        (libc::SOL_SOCKET, libc::SO_RCVTIMEO) => "SO_RCVTIMEO_OLD",
        (libc::SOL_SOCKET, libc::SO_SNDTIMEO) => "SO_SNDTIMEO_OLD",
        (libc::IPPROTO_TCP, libc::TCP_SYNCNT) => "TCP_SYNCNT",
        (libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT) => "TCP_USER_TIMEOUT",
        (libc::IPPROTO_TCP, libc::TCP_NODELAY) => "TCP_NODELAY",
        (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY) => "IPV6_V6ONLY",
        _ => return name.to_string(),
    };
    known.to_string()
}

/// The command of `fcntl()`.
pub fn fcntl_cmd_name(cmd: i32) -> String {
    match cmd {
        libc::F_GETFL => "F_GETFL".into(),
        libc::F_SETFL => "F_SETFL".into(),
        libc::F_GETFD => "F_GETFD".into(),
        libc::F_SETFD => "F_SETFD".into(),
        libc::F_DUPFD => "F_DUPFD".into(),
        libc::F_DUPFD_CLOEXEC => "F_DUPFD_CLOEXEC".into(),
        n => format!("{n:#x} /* F_??? */"),
    }
}

/// The file status flags beside the access mode (`O_NONBLOCK`, ...), in
/// strace's order, which is not the order of their bits. O_SYNC holds
/// O_DSYNC's bit, so it comes first; O_LARGEFILE is the kernel's value
/// (glibc's is 0 on x86-64).
pub const OPEN_FLAGS: &[(i64, &str)] = &[
    (libc::O_CREAT as i64, "O_CREAT"),
    (libc::O_EXCL as i64, "O_EXCL"),
    (libc::O_NOCTTY as i64, "O_NOCTTY"),
    (libc::O_TRUNC as i64, "O_TRUNC"),
    (libc::O_APPEND as i64, "O_APPEND"),
    (libc::O_NONBLOCK as i64, "O_NONBLOCK"),
    (libc::O_SYNC as i64, "O_SYNC"),
    (libc::O_DSYNC as i64, "O_DSYNC"),
    (libc::O_DIRECT as i64, "O_DIRECT"),
    (0o100000, "O_LARGEFILE"),
    (libc::O_NOFOLLOW as i64, "O_NOFOLLOW"),
    (libc::O_NOATIME as i64, "O_NOATIME"),
    (libc::O_CLOEXEC as i64, "O_CLOEXEC"),
    (libc::O_PATH as i64, "O_PATH"),
    (libc::O_DIRECTORY as i64, "O_DIRECTORY"),
    (libc::O_ASYNC as i64, "FASYNC"),
];

/// An `open()`-style flag word as strace writes it: the access mode
/// always first, even when it is 0 (`O_RDONLY|O_NONBLOCK`), then the flags.
pub fn open_flags(bits: i64) -> String {
    let mode = match bits & i64::from(libc::O_ACCMODE) {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let rest = bits & !i64::from(libc::O_ACCMODE);
    if rest == 0 {
        mode.to_string()
    } else {
        format!("{mode}|{}", flag_names(rest, OPEN_FLAGS, "0"))
    }
}

/// A number as C's `%#x` writes it, as strace prints a hex result: `0x802`,
/// but a bare `0` for zero.
pub fn c_hex(n: i64) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("{n:#x}")
    }
}

/// The kernel's name for an error number, as strace prints it: `ECONNREFUSED`.
pub fn errno_name(errno: i32) -> String {
    let e = nix::errno::Errno::from_raw(errno);
    if e == nix::errno::Errno::UnknownErrno {
        return errno.to_string();
    }
    format!("{e:?}")
}

/// The error number strace names `name` (`ECONNREFUSED` → 111).
pub fn errno_number(name: &str) -> Option<i32> {
    (1..4096).find(|&e| errno_name(e) == name)
}

/// glibc's message for an error number, the text strace shows in brackets:
/// `Connection refused`. (nix's `Errno::desc()` words EAGAIN and EBADF
/// differently from glibc, so ask glibc itself.)
pub fn errno_message(errno: i32) -> String {
    let mut buf = [0 as libc::c_char; 256];
    // SAFETY: the buffer is valid for its length, and the XSI strerror_r
    // always NUL-terminates what it writes there.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {errno}");
    }
    // SAFETY: see above, the buffer now holds a C string.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_and_glibc_messages() {
        let cases = [
            (libc::ECONNREFUSED, "ECONNREFUSED", "Connection refused"),
            (libc::EADDRINUSE, "EADDRINUSE", "Address already in use"),
            (libc::EAGAIN, "EAGAIN", "Resource temporarily unavailable"),
            (libc::EBADF, "EBADF", "Bad file descriptor"),
            (libc::EPIPE, "EPIPE", "Broken pipe"),
            (libc::ECONNRESET, "ECONNRESET", "Connection reset by peer"),
            (
                libc::EINPROGRESS,
                "EINPROGRESS",
                "Operation now in progress",
            ),
            (libc::EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"),
            (libc::EINVAL, "EINVAL", "Invalid argument"),
            (
                libc::ENOTCONN,
                "ENOTCONN",
                "Transport endpoint is not connected",
            ),
            (libc::EINTR, "EINTR", "Interrupted system call"),
            (libc::ENETUNREACH, "ENETUNREACH", "Network is unreachable"),
            (
                libc::EADDRNOTAVAIL,
                "EADDRNOTAVAIL",
                "Cannot assign requested address",
            ),
            (libc::EACCES, "EACCES", "Permission denied"),
            (libc::ENOENT, "ENOENT", "No such file or directory"),
        ];
        for (n, name, msg) in cases {
            assert_eq!(errno_name(n), name);
            assert_eq!(errno_message(n), msg);
        }
    }

    #[test]
    fn msg_flags_in_strace_order() {
        let f = (libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) as i64;
        assert_eq!(flag_names(f, MSG_FLAGS, "0"), "MSG_DONTWAIT|MSG_NOSIGNAL");
        assert_eq!(flag_names(0, MSG_FLAGS, "0"), "0");
        assert_eq!(
            flag_names(libc::MSG_PEEK as i64, MSG_FLAGS, "0"),
            "MSG_PEEK"
        );
        assert_eq!(
            flag_names(libc::MSG_WAITALL as i64 | 0x8000_0000, MSG_FLAGS, "0"),
            "MSG_WAITALL|0x80000000"
        );
    }

    #[test]
    fn socket_types_families_and_protocols() {
        assert_eq!(socktype_name(libc::SOCK_STREAM), "SOCK_STREAM");
        assert_eq!(
            socktype_name(libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC),
            "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"
        );
        assert_eq!(socktype_name(libc::SOCK_DGRAM), "SOCK_DGRAM");
        assert_eq!(family_name(libc::AF_INET6), "AF_INET6");
        assert_eq!(protocol_name(libc::AF_INET, 0), "IPPROTO_IP");
        assert_eq!(
            protocol_name(libc::AF_INET6, libc::IPPROTO_TCP),
            "IPPROTO_TCP"
        );
        assert_eq!(protocol_name(libc::AF_UNIX, 0), "0");
    }

    #[test]
    fn sockopt_and_shutdown_names() {
        assert_eq!(sockopt_level_name(libc::IPPROTO_TCP), "SOL_TCP");
        assert_eq!(
            sockopt_name(libc::IPPROTO_TCP, libc::TCP_NODELAY),
            "TCP_NODELAY"
        );
        assert_eq!(sockopt_level_name(libc::IPPROTO_IPV6), "SOL_IPV6");
        assert_eq!(
            sockopt_name(libc::SOL_SOCKET, libc::SO_REUSEADDR),
            "SO_REUSEADDR"
        );
        assert_eq!(shutdown_how_name(libc::SHUT_WR), "SHUT_WR");
        assert_eq!(shutdown_how_name(7), "0x7 /* SHUT_??? */");
        assert_eq!(sockopt_name(libc::SOL_SOCKET, libc::SO_TYPE), "SO_TYPE");
        assert_eq!(sockopt_name(libc::SOL_SOCKET, 9999), "9999");
    }

    /// Each expected text is what strace 6.1 printed for the same bits.
    #[test]
    fn fcntl_commands_and_open_flags() {
        assert_eq!(fcntl_cmd_name(libc::F_GETFL), "F_GETFL");
        assert_eq!(fcntl_cmd_name(libc::F_SETFL), "F_SETFL");
        assert_eq!(open_flags(2), "O_RDWR");
        assert_eq!(open_flags(0), "O_RDONLY");
        assert_eq!(open_flags(3), "O_ACCMODE");
        assert_eq!(
            open_flags((libc::O_RDWR | libc::O_NONBLOCK).into()),
            "O_RDWR|O_NONBLOCK"
        );
        assert_eq!(open_flags(libc::O_NONBLOCK.into()), "O_RDONLY|O_NONBLOCK");
        assert_eq!(open_flags(0x2c02), "O_RDWR|O_APPEND|O_NONBLOCK|FASYNC");
        assert_eq!(open_flags(0x40002), "O_RDWR|O_NOATIME");
        assert_eq!(
            open_flags(0x4000 | 0x8000 | libc::O_NOFOLLOW as i64),
            "O_RDONLY|O_DIRECT|O_LARGEFILE|O_NOFOLLOW"
        );
        assert_eq!(
            open_flags((libc::O_NONBLOCK | libc::O_SYNC | libc::O_DIRECT).into()),
            "O_RDONLY|O_NONBLOCK|O_SYNC|O_DIRECT"
        );
        assert_eq!(
            open_flags((libc::O_DIRECTORY | libc::O_ASYNC | libc::O_PATH | libc::O_CLOEXEC).into()),
            "O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY|FASYNC"
        );
        assert_eq!(
            open_flags(libc::O_APPEND as i64 | 0x8000_0000),
            "O_RDONLY|O_APPEND|0x80000000"
        );
        assert_eq!(c_hex(0x802), "0x802");
        assert_eq!(c_hex(0), "0");
    }
}
