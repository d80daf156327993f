//! Addresses as text, and host names: `inet_pton`, `inet_ntop` and
//! `getaddrinfo`. These are functions of the C library, not system calls,
//! so nothing here is traced: there is no kernel call to print.
//!
//! - `inet_pton` and `inet_ntop` turn text into an address's bytes (in
//!   network byte order) and back, in this process's memory. They make no
//!   system call at all.
//! - `getaddrinfo` asks glibc's resolver, which makes system calls of its
//!   own that this library cannot wrap: on glibc 2.36 it tries to connect
//!   to nscd's socket (`/var/run/nscd/socket`), reads /etc/nsswitch.conf,
//!   /etc/host.conf, /etc/resolv.conf and /etc/hosts, opens a netlink
//!   socket for `AI_ADDRCONFIG` or to sort several answers, and for that
//!   sorting a UDP socket per answer. Lesson 11 shows them under strace.
//!
//! Each function is one call of the C function of the same name, with
//! nothing added but turning Rust values into C's and back.

use crate::addr::{Family, SockAddr};
use std::ffi::{CStr, CString};

// glibc's own functions; the libc crate does not declare these two.
extern "C" {
    #[link_name = "inet_pton"]
    fn c_inet_pton(
        af: libc::c_int,
        src: *const libc::c_char,
        dst: *mut libc::c_void,
    ) -> libc::c_int;
    #[link_name = "inet_ntop"]
    fn c_inet_ntop(
        af: libc::c_int,
        src: *const libc::c_void,
        dst: *mut libc::c_char,
        size: libc::socklen_t,
    ) -> *const libc::c_char;
}

/// `inet_pton(family, text, buf)`: the address in `text` as the bytes a
/// `sin_addr` (4) or `sin6_addr` (16) holds, in network byte order; None
/// when `text` is not an address of that family (the C function returns
/// 0). A Unix family has no text form: None.
pub fn inet_pton(family: Family, text: &str) -> Option<Vec<u8>> {
    let len = match family {
        Family::Inet => 4,
        Family::Inet6 => 16,
        Family::Unix => return None,
    };
    let c = CString::new(text).ok()?;
    let mut buf = [0u8; 16];
    // SAFETY: `buf` holds 16 bytes, enough for either family's address.
    let r = unsafe { c_inet_pton(family.raw(), c.as_ptr(), buf.as_mut_ptr().cast()) };
    (r == 1).then(|| buf[..len].to_vec())
}

/// `inet_ntop(family, bytes, buf, size)`: the address in `bytes` (4 for
/// IPv4, 16 for IPv6, network byte order) as text; None for a wrong length.
pub fn inet_ntop(family: Family, bytes: &[u8]) -> Option<String> {
    let want = match family {
        Family::Inet => 4,
        Family::Inet6 => 16,
        Family::Unix => return None,
    };
    if bytes.len() != want {
        return None;
    }
    // INET6_ADDRSTRLEN is 46, with its NUL.
    let mut out = [0 as libc::c_char; 46];
    // SAFETY: `bytes` has the family's length; `out` is 46 bytes long.
    let p = unsafe {
        c_inet_ntop(
            family.raw(),
            bytes.as_ptr().cast(),
            out.as_mut_ptr(),
            out.len() as libc::socklen_t,
        )
    };
    if p.is_null() {
        return None;
    }
    // SAFETY: inet_ntop wrote a NUL-terminated string into `out`.
    Some(
        unsafe { CStr::from_ptr(out.as_ptr()) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// Flags for `getaddrinfo`'s hints (`AI_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AiFlags(i32);

impl AiFlags {
    /// No flags.
    pub const NONE: AiFlags = AiFlags(0);
    /// `AI_ADDRCONFIG`: only the families this machine has an address of
    /// (glibc asks the kernel over a netlink socket).
    pub const ADDRCONFIG: AiFlags = AiFlags(libc::AI_ADDRCONFIG);

    pub fn bits(self) -> i32 {
        self.0
    }
}

/// Why a lookup found nothing: `gai_strerror`'s words and the `EAI_*` code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupError {
    pub code: i32,
    pub message: String,
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "getaddrinfo failed: {} (code {})",
            self.message, self.code
        )
    }
}

impl std::error::Error for LookupError {}

/// `getaddrinfo(host, port, &hints, &res)` with hints `ai_family =
/// AF_UNSPEC`, `ai_socktype = SOCK_STREAM` and `flags`: the addresses in
/// the order glibc returns them (the order to try them in), then
/// `freeaddrinfo`.
pub fn getaddrinfo(host: &str, port: u16, flags: AiFlags) -> Result<Vec<SockAddr>, LookupError> {
    let bad = |message: &str| LookupError {
        code: libc::EAI_NONAME,
        message: message.to_string(),
    };
    let host = CString::new(host).map_err(|_| bad("a host name holds no NUL byte"))?;
    let service = CString::new(port.to_string()).map_err(|_| bad("bad port"))?;
    // SAFETY: all-zero bytes are a valid addrinfo (null pointers, zeros).
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_UNSPEC;
    hints.ai_socktype = libc::SOCK_STREAM;
    hints.ai_flags = flags.bits();
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid C strings and hints; `res` receives a list we free below.
    let r = unsafe { libc::getaddrinfo(host.as_ptr(), service.as_ptr(), &hints, &mut res) };
    if r != 0 {
        // SAFETY: gai_strerror returns a static NUL-terminated string.
        let message = unsafe { CStr::from_ptr(libc::gai_strerror(r)) }
            .to_string_lossy()
            .into_owned();
        return Err(LookupError { code: r, message });
    }
    let mut out = Vec::new();
    let mut p = res;
    while !p.is_null() {
        // SAFETY: `p` walks the list getaddrinfo returned, until its end.
        let ai = unsafe { &*p };
        if !ai.ai_addr.is_null() {
            // SAFETY: ai_addr points at ai_addrlen bytes of an address.
            let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
            let n = (ai.ai_addrlen as usize).min(std::mem::size_of_val(&ss));
            unsafe {
                std::ptr::copy_nonoverlapping(
                    ai.ai_addr.cast::<u8>(),
                    (&mut ss as *mut libc::sockaddr_storage).cast::<u8>(),
                    n,
                )
            };
            if let Some(a) = SockAddr::from_raw(&ss, n as libc::socklen_t) {
                out.push(a);
            }
        }
        p = ai.ai_next;
    }
    // SAFETY: `res` came from a successful getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_to_bytes_and_back() {
        assert_eq!(
            inet_pton(Family::Inet, "127.0.0.1"),
            Some(vec![127, 0, 0, 1])
        );
        let v6 = inet_pton(Family::Inet6, "::ffff:127.0.0.1").unwrap();
        assert_eq!(&v6[10..], &[0xff, 0xff, 127, 0, 0, 1]);
        assert_eq!(
            inet_ntop(Family::Inet6, &v6).as_deref(),
            Some("::ffff:127.0.0.1")
        );
        assert_eq!(
            inet_ntop(Family::Inet, &[10, 0, 0, 1]).as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(inet_pton(Family::Inet, "localhost"), None);
        assert_eq!(inet_pton(Family::Inet, "1.2.3.4\0"), None);
        assert_eq!(inet_ntop(Family::Inet, &[1, 2, 3]), None);
    }

    /// The errors `socklab explain inet_pton` lists.
    #[test]
    fn an_unknown_family_and_a_short_buffer() {
        let mut buf = [0u8; 16];
        let text = CString::new("127.0.0.1").unwrap();
        // SAFETY: valid string and a 16-byte buffer.
        let r = unsafe { c_inet_pton(libc::AF_UNIX, text.as_ptr(), buf.as_mut_ptr().cast()) };
        assert_eq!(r, -1);
        assert_eq!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::EAFNOSUPPORT)
        );
        let mut out = [0 as libc::c_char; 4];
        // SAFETY: 4 bytes of address in, a 4-byte buffer out.
        let p = unsafe {
            c_inet_ntop(
                libc::AF_INET,
                [127u8, 0, 0, 1].as_ptr().cast(),
                out.as_mut_ptr(),
                4,
            )
        };
        assert!(p.is_null());
        assert_eq!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::ENOSPC)
        );
    }

    #[test]
    fn a_numeric_host_and_a_name_with_a_nul() {
        let a = getaddrinfo("127.0.0.1", 80, AiFlags::NONE).unwrap();
        assert_eq!(a, vec![SockAddr::loopback(80)]);
        assert!(getaddrinfo("a\0b", 80, AiFlags::NONE).is_err());
    }
}
