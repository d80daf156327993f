//! strace's rendering of a `struct sockaddr` and of its length argument.
//!
//! The input is the raw bytes the program handed to (or got back from) the
//! kernel, so what is printed is what really crossed the system call.

use super::consts::family_name;
use super::escape::quote_all;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Render the first `len` bytes of `storage` as strace does, for example
/// `{sa_family=AF_INET, sin_port=htons(7878), sin_addr=inet_addr("127.0.0.1")}`.
pub fn format_sockaddr(storage: &libc::sockaddr_storage, len: usize) -> String {
    let len = len.min(std::mem::size_of::<libc::sockaddr_storage>());
    if len < 2 {
        return "{}".to_string();
    }
    let family = i32::from(storage.ss_family);
    // SAFETY: sockaddr_storage is large enough and suitably aligned for every
    // sockaddr_* type; only the bytes the length covers are read below.
    match family {
        libc::AF_INET if len >= std::mem::size_of::<libc::sockaddr_in>() => {
            let sin = unsafe { &*(storage as *const _ as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            format!(
                "{{sa_family=AF_INET, sin_port=htons({}), sin_addr=inet_addr(\"{ip}\")}}",
                u16::from_be(sin.sin_port)
            )
        }
        libc::AF_INET6 if len >= std::mem::size_of::<libc::sockaddr_in6>() => {
            let sin6 = unsafe { &*(storage as *const _ as *const libc::sockaddr_in6) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            format!(
                "{{sa_family=AF_INET6, sin6_port=htons({}), sin6_flowinfo=htonl({}), \
                 inet_pton(AF_INET6, \"{ip}\", &sin6_addr), sin6_scope_id={}}}",
                u16::from_be(sin6.sin6_port),
                u32::from_be(sin6.sin6_flowinfo),
                scope_id(sin6.sin6_scope_id)
            )
        }
        libc::AF_UNIX => {
            let bytes =
                unsafe { std::slice::from_raw_parts(storage as *const _ as *const u8, len) };
            let path = &bytes[2..];
            match path.first() {
                None => "{sa_family=AF_UNIX}".to_string(),
                // An abstract name lives in no file system: it starts with a
                // NUL byte, and every byte the length covers belongs to it.
                Some(0) => format!("{{sa_family=AF_UNIX, sun_path=@{}}}", quote_all(&path[1..])),
                Some(_) => {
                    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                    format!(
                        "{{sa_family=AF_UNIX, sun_path={}}}",
                        quote_all(&path[..end])
                    )
                }
            }
        }
        other => format!("{{sa_family={}}}", family_name(other)),
    }
}

/// An interface index as strace shows it: by name when an interface has it.
/// The name is read from /sys, because `if_indextoname()` would open a
/// socket behind the lesson's back.
fn scope_id(index: u32) -> String {
    if index == 0 {
        return "0".to_string();
    }
    if let Ok(dir) = std::fs::read_dir("/sys/class/net") {
        for entry in dir.flatten() {
            let ifindex = std::fs::read_to_string(entry.path().join("ifindex"));
            if ifindex.ok().and_then(|s| s.trim().parse::<u32>().ok()) == Some(index) {
                return format!(
                    "if_nametoindex(\"{}\")",
                    entry.file_name().to_string_lossy()
                );
            }
        }
    }
    index.to_string()
}

/// A value-result length: `[16]` when the kernel left it as passed,
/// `[128 => 16]` when it wrote back another value.
pub fn format_len(passed: u32, returned: u32) -> String {
    if passed == returned {
        format!("[{passed}]")
    } else {
        format!("[{passed} => {returned}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{size_of, zeroed};

    fn storage_from<T>(addr: &T) -> libc::sockaddr_storage {
        let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
        unsafe {
            std::ptr::copy_nonoverlapping(
                addr as *const T as *const u8,
                &mut ss as *mut _ as *mut u8,
                size_of::<T>(),
            )
        };
        ss
    }

    #[test]
    fn inet() {
        let mut sin: libc::sockaddr_in = unsafe { zeroed() };
        sin.sin_family = libc::AF_INET as u16;
        sin.sin_port = 18080u16.to_be();
        sin.sin_addr.s_addr = u32::from(Ipv4Addr::new(127, 0, 0, 1)).to_be();
        assert_eq!(
            format_sockaddr(&storage_from(&sin), 16),
            r#"{sa_family=AF_INET, sin_port=htons(18080), sin_addr=inet_addr("127.0.0.1")}"#
        );
    }

    #[test]
    fn inet6_loopback_and_mapped() {
        let mut sin6: libc::sockaddr_in6 = unsafe { zeroed() };
        sin6.sin6_family = libc::AF_INET6 as u16;
        sin6.sin6_port = 18081u16.to_be();
        sin6.sin6_addr.s6_addr = Ipv6Addr::LOCALHOST.octets();
        assert_eq!(
            format_sockaddr(&storage_from(&sin6), 28),
            r#"{sa_family=AF_INET6, sin6_port=htons(18081), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}"#
        );
        sin6.sin6_addr.s6_addr = Ipv4Addr::new(127, 0, 0, 1).to_ipv6_mapped().octets();
        sin6.sin6_flowinfo = 5u32.to_be();
        sin6.sin6_port = 1u16.to_be();
        assert_eq!(
            format_sockaddr(&storage_from(&sin6), 28),
            r#"{sa_family=AF_INET6, sin6_port=htons(1), sin6_flowinfo=htonl(5), inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}"#
        );
    }

    #[test]
    fn inet6_scope_names_the_interface() {
        let mut sin6: libc::sockaddr_in6 = unsafe { zeroed() };
        sin6.sin6_family = libc::AF_INET6 as u16;
        sin6.sin6_addr.s6_addr = "fe80::1".parse::<Ipv6Addr>().unwrap().octets();
        sin6.sin6_scope_id = 1; // the loopback interface is always index 1
        let text = format_sockaddr(&storage_from(&sin6), 28);
        assert!(
            text.ends_with(r#"sin6_scope_id=if_nametoindex("lo")}"#),
            "{text}"
        );
        sin6.sin6_scope_id = 99999;
        let text = format_sockaddr(&storage_from(&sin6), 28);
        assert!(text.ends_with("sin6_scope_id=99999}"), "{text}");
    }

    fn unix_storage(path: &[u8]) -> libc::sockaddr_storage {
        let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
        ss.ss_family = libc::AF_UNIX as u16;
        let bytes = unsafe { std::slice::from_raw_parts_mut(&mut ss as *mut _ as *mut u8, 128) };
        bytes[2..2 + path.len()].copy_from_slice(path);
        ss
    }

    #[test]
    fn unix_path_abstract_and_unnamed() {
        // strace does not cut a sun_path at 32 bytes, and stops at its NUL.
        let long = b"/tmp/probe/a-very-long-directory-name/lesson\n.sock";
        let ss = unix_storage(long);
        assert_eq!(
            format_sockaddr(&ss, 2 + long.len() + 1),
            r#"{sa_family=AF_UNIX, sun_path="/tmp/probe/a-very-long-directory-name/lesson\n.sock"}"#
        );
        let ss = unix_storage(b"\0ab\0c");
        assert_eq!(
            format_sockaddr(&ss, 7),
            r#"{sa_family=AF_UNIX, sun_path=@"ab\0c"}"#
        );
        assert_eq!(format_sockaddr(&ss, 2), "{sa_family=AF_UNIX}");
    }

    #[test]
    fn lengths() {
        assert_eq!(format_len(16, 16), "[16]");
        assert_eq!(format_len(128, 16), "[128 => 16]");
    }
}
