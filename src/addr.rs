//! Socket addresses: what `bind` names, `connect` dials and `accept` reports.
//!
//! An address is an IPv4 or IPv6 address with a port, or a Unix-domain
//! socket's name. Only numeric addresses are taken: resolving a host name
//! such as `localhost` goes through the resolver, which opens sockets of its
//! own that the lesson would not show.

use std::fmt;
use std::mem::{size_of, zeroed};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::path::{Path, PathBuf};

/// A socket address, as the kernel's `struct sockaddr` holds it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SockAddr {
    /// IPv4 (`AF_INET`): an address and a port.
    V4(SocketAddrV4),
    /// IPv6 (`AF_INET6`): an address, a port, flow info and a scope.
    V6(SocketAddrV6),
    /// A Unix-domain socket (`AF_UNIX`).
    Unix(UnixName),
}

/// The name of a Unix-domain socket.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnixName {
    /// A file in the file system, made by `bind`.
    Path(PathBuf),
    /// A name in Linux's abstract namespace (shown as `@name`): no file.
    Abstract(Vec<u8>),
    /// A socket that never called bind, as the peer of a Unix client is.
    Unnamed,
}

/// The address of the other end of a connection, as `accept` reports it.
pub type PeerAddr = SockAddr;

/// Why an address could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrParseError(pub String);

impl fmt::Display for AddrParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AddrParseError {}

impl SockAddr {
    /// `127.0.0.1:port`, the safe default: reachable from this machine only.
    pub fn loopback(port: u16) -> SockAddr {
        SockAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))
    }

    /// An IPv4 or IPv6 address from a host text and a port.
    ///
    /// `localhost` is taken as 127.0.0.1 without asking the resolver.
    pub fn from_host_port(host: &str, port: u16) -> Result<SockAddr, AddrParseError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if bare.eq_ignore_ascii_case("localhost") {
            return Ok(SockAddr::loopback(port));
        }
        if let Ok(ip) = bare.parse::<Ipv4Addr>() {
            return Ok(SockAddr::V4(SocketAddrV4::new(ip, port)));
        }
        if let Ok(ip) = bare.parse::<Ipv6Addr>() {
            return Ok(SockAddr::V6(SocketAddrV6::new(ip, port, 0, 0)));
        }
        Err(AddrParseError(format!(
            "unknown host '{host}': give a numeric address such as 127.0.0.1 or ::1"
        )))
    }

    /// A Unix-domain socket at a path in the file system.
    pub fn unix(path: impl AsRef<Path>) -> SockAddr {
        SockAddr::Unix(UnixName::Path(path.as_ref().to_path_buf()))
    }

    /// The `AF_*` family of this address.
    pub fn family(&self) -> Family {
        match self {
            SockAddr::V4(_) => Family::Inet,
            SockAddr::V6(_) => Family::Inet6,
            SockAddr::Unix(_) => Family::Unix,
        }
    }

    /// The port, for an internet address.
    pub fn port(&self) -> Option<u16> {
        match self {
            SockAddr::V4(a) => Some(a.port()),
            SockAddr::V6(a) => Some(a.port()),
            SockAddr::Unix(_) => None,
        }
    }

    /// The same IP address with another port (a Unix address is unchanged).
    pub fn with_port(&self, port: u16) -> SockAddr {
        let mut a = self.clone();
        match &mut a {
            SockAddr::V4(v4) => v4.set_port(port),
            SockAddr::V6(v6) => v6.set_port(port),
            SockAddr::Unix(_) => {}
        }
        a
    }

    /// The address as the standard library holds it (a Unix path has none).
    pub fn to_std(&self) -> Option<std::net::SocketAddr> {
        match self {
            SockAddr::V4(a) => Some(std::net::SocketAddr::V4(*a)),
            SockAddr::V6(a) => Some(std::net::SocketAddr::V6(*a)),
            SockAddr::Unix(_) => None,
        }
    }

    /// The bytes and length handed to the kernel. A path's length counts its
    /// closing NUL, as `sizeof(sa_family) + strlen(path) + 1`.
    pub fn to_raw(&self) -> (libc::sockaddr_storage, libc::socklen_t) {
        // SAFETY: all-zero bytes are a valid sockaddr_storage.
        let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
        let len = match self {
            SockAddr::V4(a) => {
                // SAFETY: sockaddr_storage is big and aligned enough for sockaddr_in.
                let sin = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in) };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = a.port().to_be();
                sin.sin_addr.s_addr = u32::from(*a.ip()).to_be();
                size_of::<libc::sockaddr_in>()
            }
            SockAddr::V6(a) => {
                // SAFETY: as above, for sockaddr_in6.
                let sin6 = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in6) };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = a.port().to_be();
                sin6.sin6_flowinfo = a.flowinfo().to_be();
                sin6.sin6_addr.s6_addr = a.ip().octets();
                sin6.sin6_scope_id = a.scope_id();
                size_of::<libc::sockaddr_in6>()
            }
            SockAddr::Unix(name) => {
                ss.ss_family = libc::AF_UNIX as libc::sa_family_t;
                // SAFETY: the storage is 128 bytes; names are cut to sun_path's 108.
                let bytes =
                    unsafe { std::slice::from_raw_parts_mut(&mut ss as *mut _ as *mut u8, 110) };
                let path = &mut bytes[2..];
                match name {
                    UnixName::Path(p) => {
                        use std::os::unix::ffi::OsStrExt;
                        let b = p.as_os_str().as_bytes();
                        let n = b.len().min(path.len() - 1);
                        path[..n].copy_from_slice(&b[..n]);
                        2 + n + 1
                    }
                    UnixName::Abstract(b) => {
                        let n = b.len().min(path.len() - 1);
                        path[1..1 + n].copy_from_slice(&b[..n]);
                        2 + 1 + n
                    }
                    UnixName::Unnamed => 2,
                }
            }
        };
        (ss, len as libc::socklen_t)
    }

    /// An address the kernel wrote back (accept, getsockname, recvfrom).
    /// A family socklab does not know reads as an unnamed Unix socket.
    pub(crate) fn from_kernel(ss: &libc::sockaddr_storage, len: libc::socklen_t) -> SockAddr {
        SockAddr::from_raw(ss, len).unwrap_or(SockAddr::Unix(UnixName::Unnamed))
    }

    /// Read an address the kernel wrote into `ss`, `len` bytes long.
    pub fn from_raw(ss: &libc::sockaddr_storage, len: libc::socklen_t) -> Option<SockAddr> {
        let len = (len as usize).min(size_of::<libc::sockaddr_storage>());
        match i32::from(ss.ss_family) {
            libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
                // SAFETY: the family says this storage holds a sockaddr_in.
                let sin = unsafe { &*(ss as *const _ as *const libc::sockaddr_in) };
                Some(SockAddr::V4(SocketAddrV4::new(
                    Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)),
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
                // SAFETY: the family says this storage holds a sockaddr_in6.
                let sin6 = unsafe { &*(ss as *const _ as *const libc::sockaddr_in6) };
                Some(SockAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                    u16::from_be(sin6.sin6_port),
                    u32::from_be(sin6.sin6_flowinfo),
                    sin6.sin6_scope_id,
                )))
            }
            libc::AF_UNIX if len >= 2 => {
                // SAFETY: `len` bytes of the storage were written by the kernel.
                let bytes = unsafe { std::slice::from_raw_parts(ss as *const _ as *const u8, len) };
                let path = &bytes[2..];
                Some(SockAddr::Unix(match path.first() {
                    None => UnixName::Unnamed,
                    Some(0) => UnixName::Abstract(path[1..].to_vec()),
                    Some(_) => {
                        use std::os::unix::ffi::OsStrExt;
                        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                        UnixName::Path(PathBuf::from(std::ffi::OsStr::from_bytes(&path[..end])))
                    }
                }))
            }
            _ => None,
        }
    }
}

impl std::str::FromStr for SockAddr {
    type Err = AddrParseError;

    /// `127.0.0.1:7878`, `[::1]:7878`, `localhost:7878`, `unix:/tmp/s.sock`
    /// or `unix:@name` (abstract).
    fn from_str(text: &str) -> Result<SockAddr, AddrParseError> {
        if let Some(rest) = text.strip_prefix("unix:") {
            let name = rest.strip_prefix('@').unwrap_or(rest);
            // The kernel copies a name into `sun_path`, 108 bytes. Linux
            // binds a path of all 108 with no NUL, but other systems and
            // most programs that read the path back want the NUL, so
            // socklab keeps one byte for it (an abstract name needs one for
            // its leading NUL). A longer name would be cut short and the
            // socket would get another name than the one asked for.
            if name.len() > UNIX_NAME_MAX {
                return Err(AddrParseError(format!(
                    "{} is {} bytes long, but a Unix socket's name holds at most {UNIX_NAME_MAX} \
                     (sun_path is 108 bytes; socklab keeps one for a NUL): use a shorter path, such as one in /tmp",
                    if rest.starts_with('@') { "the abstract name" } else { "the path" },
                    name.len()
                )));
            }
            return Ok(match rest.strip_prefix('@') {
                Some(name) => SockAddr::Unix(UnixName::Abstract(name.as_bytes().to_vec())),
                None if rest.is_empty() => {
                    return Err(AddrParseError(
                        "unix: needs a path, as in unix:/tmp/lesson.sock".into(),
                    ))
                }
                None => SockAddr::unix(rest),
            });
        }
        // An IPv6 address is written in brackets, [ADDR]:PORT (RFC 3986):
        // its own colons would otherwise run into the port's.
        if let Some(inner) = text.strip_prefix('[') {
            let (host, after) = inner.split_once(']').ok_or_else(|| {
                AddrParseError(format!(
                    "'{text}' has no closing ']': write [ADDR]:PORT, as in [::1]:7878"
                ))
            })?;
            let port = after.strip_prefix(':').ok_or_else(|| {
                AddrParseError(format!(
                    "'{text}' has no port: write [ADDR]:PORT, as in [{host}]:7878"
                ))
            })?;
            return SockAddr::from_host_port(host, parse_port(port)?);
        }
        let (host, port) = text.rsplit_once(':').ok_or_else(|| {
            AddrParseError(format!(
                "'{text}' has no port: write HOST:PORT, as in 127.0.0.1:7878"
            ))
        })?;
        if host.contains(':') {
            return Err(AddrParseError(ipv6_needs_brackets(text, host, port)));
        }
        SockAddr::from_host_port(host, parse_port(port)?)
    }
}

/// The longest Unix socket name, in bytes: `sun_path` (108 bytes) less the
/// NUL that ends a path or starts an abstract name.
pub const UNIX_NAME_MAX: usize = 107;

/// What to say about `text`, an IPv6 address (or part of one) written
/// without brackets: which bracketed forms it could mean. `::1:7878` is a
/// whole IPv6 address as it stands, and also ::1 with port 7878; only the
/// brackets tell them apart, so socklab guesses neither.
fn ipv6_needs_brackets(text: &str, host: &str, port: &str) -> String {
    let whole = text.parse::<Ipv6Addr>().is_ok();
    let split = host.parse::<Ipv6Addr>().is_ok() && parse_port(port).is_ok();
    let example = match (whole, split) {
        (true, true) => format!("[{text}]:PORT, or [{host}]:{port} if {port} is the port"),
        (true, false) => format!("[{text}]:PORT"),
        (false, true) => format!("[{host}]:{port}"),
        (false, false) => "[::1]:7878".to_string(),
    };
    format!("'{text}': write an IPv6 address in brackets, then its port, [ADDR]:PORT: {example}")
}

/// A TCP or UDP port: a whole number from 0 to 65535 (0 asks the kernel to
/// pick a free one).
pub fn parse_port(text: &str) -> Result<u16, AddrParseError> {
    match text.parse::<u64>() {
        Ok(n) if n <= 65535 => Ok(n as u16),
        Ok(n) => Err(AddrParseError(format!(
            "port {n} is out of range: a port is 0 to 65535"
        ))),
        Err(_) => Err(AddrParseError(format!(
            "'{text}' is not a port: a port is a number from 0 to 65535"
        ))),
    }
}

impl fmt::Display for SockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockAddr::V4(a) => write!(f, "{a}"),
            SockAddr::V6(a) => write!(f, "[{}]:{}", a.ip(), a.port()),
            SockAddr::Unix(UnixName::Path(p)) => write!(f, "unix:{}", p.display()),
            SockAddr::Unix(UnixName::Abstract(b)) => {
                write!(f, "unix:@{}", String::from_utf8_lossy(b))
            }
            SockAddr::Unix(UnixName::Unnamed) => f.write_str("unix:(unnamed)"),
        }
    }
}

/// An address family: the first argument of `socket()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `AF_INET`, IPv4.
    Inet,
    /// `AF_INET6`, IPv6.
    Inet6,
    /// `AF_UNIX`, a socket between processes on one machine.
    Unix,
}

impl Family {
    /// The `AF_*` number.
    pub fn raw(self) -> i32 {
        match self {
            Family::Inet => libc::AF_INET,
            Family::Inet6 => libc::AF_INET6,
            Family::Unix => libc::AF_UNIX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_a_learner_types() {
        assert_eq!("127.0.0.1:7878".parse(), Ok(SockAddr::loopback(7878)));
        assert_eq!("localhost:80".parse(), Ok(SockAddr::loopback(80)));
        assert_eq!(
            "[::1]:9".parse::<SockAddr>().unwrap(),
            SockAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0))
        );
        assert_eq!(
            "unix:/tmp/a.sock".parse(),
            Ok(SockAddr::unix("/tmp/a.sock"))
        );
        assert_eq!(
            "unix:@demo".parse(),
            Ok(SockAddr::Unix(UnixName::Abstract(b"demo".to_vec())))
        );
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        let e = "127.0.0.1:70000".parse::<SockAddr>().unwrap_err();
        assert_eq!(e.0, "port 70000 is out of range: a port is 0 to 65535");
        let e = "example.invalid:80".parse::<SockAddr>().unwrap_err();
        assert!(e.0.starts_with("unknown host 'example.invalid'"), "{e}");
        assert!("127.0.0.1"
            .parse::<SockAddr>()
            .unwrap_err()
            .0
            .contains("no port"));
        assert!(parse_port("http").is_err());
    }

    #[test]
    fn a_unix_name_longer_than_sun_path_is_refused_not_cut() {
        let fits = format!("unix:/{}", "a".repeat(UNIX_NAME_MAX - 1));
        let a = fits.parse::<SockAddr>().unwrap();
        assert_eq!(a.to_raw().1 as usize, 2 + UNIX_NAME_MAX + 1);
        let (ss, len) = a.to_raw();
        assert_eq!(SockAddr::from_raw(&ss, len), Some(a), "kept whole");
        let long = format!("unix:/{}", "a".repeat(UNIX_NAME_MAX));
        let e = long.parse::<SockAddr>().unwrap_err();
        assert!(e.0.starts_with("the path is 108 bytes long"), "{e}");
        assert!(!e.0.contains('\n'));
        let e = format!("unix:@{}", "b".repeat(200))
            .parse::<SockAddr>()
            .unwrap_err();
        assert!(e.0.starts_with("the abstract name is 200 bytes"), "{e}");
        assert!(format!("unix:@{}", "b".repeat(UNIX_NAME_MAX))
            .parse::<SockAddr>()
            .is_ok());
    }

    #[test]
    fn ipv6_with_a_port_needs_brackets() {
        for (text, hint) in [
            ("2001:db8::1", "[2001:db8::1]:PORT"),
            (
                "::1:7878",
                "[::1:7878]:PORT, or [::1]:7878 if 7878 is the port",
            ),
            (
                "fe80::1:80",
                "[fe80::1:80]:PORT, or [fe80::1]:80 if 80 is the port",
            ),
            ("::", "[::]:PORT"),
            ("1:2:3", "[::1]:7878"),
            ("[::1]", "[::1]:7878"),
            ("[::1:80", "[ADDR]:PORT"),
        ] {
            let e = text.parse::<SockAddr>().unwrap_err();
            assert!(e.0.starts_with(&format!("'{text}'")), "{e}");
            assert!(e.0.contains(hint), "{text}: {e}");
        }
        assert_eq!(
            "[::1]:7878".parse::<SockAddr>().unwrap().to_string(),
            "[::1]:7878"
        );
        assert!("[::1]x:80".parse::<SockAddr>().is_err());
        // A bare host (--host) needs no brackets: no port follows it.
        assert!(SockAddr::from_host_port("::1", 80).is_ok());
    }

    #[test]
    fn raw_round_trip() {
        for a in [
            SockAddr::loopback(1234),
            "[::1]:5".parse().unwrap(),
            SockAddr::unix("/tmp/x.sock"),
            SockAddr::Unix(UnixName::Abstract(b"abs".to_vec())),
            SockAddr::Unix(UnixName::Unnamed),
        ] {
            let (ss, len) = a.to_raw();
            assert_eq!(SockAddr::from_raw(&ss, len), Some(a.clone()), "{a}");
        }
        assert_eq!(SockAddr::loopback(1).to_raw().1, 16);
        assert_eq!(SockAddr::unix("/tmp/x.sock").to_raw().1, 2 + 11 + 1);
    }

    #[test]
    fn displays_like_a_learner_writes_it() {
        assert_eq!(SockAddr::loopback(7).to_string(), "127.0.0.1:7");
        assert_eq!(
            "[::1]:7".parse::<SockAddr>().unwrap().to_string(),
            "[::1]:7"
        );
    }
}
