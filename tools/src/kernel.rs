//! The kernel's view of a socket: its TCP state, addresses and queues, as
//! `ss` and `netstat` show them, read from the text files under /proc/net.
//!
//! Reading a file is not a socket system call, so showing this view adds
//! nothing to a `strace -e trace=%net` of the lesson. That is the rule of
//! this module: it opens files and reads `/proc/self/fd` links, and never
//! touches a socket.
//!
//! The TCP states a learner meets:
//! - `LISTEN`: a passive socket after `listen()`; its receive queue is the
//!   number of finished connections waiting for `accept()`.
//! - `ESTABLISHED`: a connected data socket.
//! - `FIN_WAIT2`, `CLOSE_WAIT`, `LAST_ACK`: one side has closed its sending
//!   direction, the other has not yet.
//! - `TIME_WAIT`: the side that closed first keeps the connection's
//!   address pair for `TCP_TIMEWAIT_LEN`, a constant 60 s in Linux's
//!   source (include/net/tcp.h). TCP's design reason: late packets of the
//!   old connection must not be mistaken for a new one, and a lost last
//!   ACK must still be answered. No fd refers to it any more, so its inode
//!   is 0.

use socklab::lang::Lang;
use std::fs::File;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::FileExt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A TCP state, numbered as in the kernel's `include/net/tcp_states.h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    NewSynRecv,
    Unknown(u8),
}

impl TcpState {
    fn from_code(code: u8) -> TcpState {
        match code {
            0x01 => TcpState::Established,
            0x02 => TcpState::SynSent,
            0x03 => TcpState::SynRecv,
            0x04 => TcpState::FinWait1,
            0x05 => TcpState::FinWait2,
            0x06 => TcpState::TimeWait,
            0x07 => TcpState::Close,
            0x08 => TcpState::CloseWait,
            0x09 => TcpState::LastAck,
            0x0A => TcpState::Listen,
            0x0B => TcpState::Closing,
            0x0C => TcpState::NewSynRecv,
            n => TcpState::Unknown(n),
        }
    }

    /// The name `ss` and `netstat` print.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait1 => "FIN_WAIT1",
            TcpState::FinWait2 => "FIN_WAIT2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Close => "CLOSE",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
            TcpState::NewSynRecv => "NEW_SYN_RECV",
            TcpState::Unknown(_) => "UNKNOWN",
        }
    }
}

/// Which /proc/net table a socket was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    Unix,
}

/// One socket as the kernel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketView {
    pub proto: Proto,
    /// The inode that names the socket (`socket:[inode]` in /proc/self/fd);
    /// 0 for a TIME_WAIT entry, which no fd refers to.
    pub inode: u64,
    /// The TCP state (None for UDP and Unix sockets).
    pub state: Option<TcpState>,
    /// For Unix sockets: LISTEN, CONNECTED or UNCONNECTED.
    pub unix_state: Option<&'static str>,
    pub local: Option<SocketAddr>,
    /// None while there is no peer (0.0.0.0:0 in the table).
    pub remote: Option<SocketAddr>,
    /// A Unix socket's path (`@name` for an abstract one).
    pub unix_path: Option<String>,
    /// Bytes sent but not yet acknowledged by the peer.
    pub tx_queue: u64,
    /// Bytes received but not yet read by `recv`; for a LISTEN socket, the
    /// connections waiting for `accept`. For UDP, the memory the queued
    /// datagrams take in the receive buffer, which is more than their
    /// payload.
    pub rx_queue: u64,
    /// UDP: datagrams the kernel threw away for this socket, such as
    /// those that found its receive buffer full (the `drops` column).
    /// 0 for TCP and Unix sockets.
    pub drops: u64,
}

impl SocketView {
    /// One line for a learner, for example
    /// `TCP LISTEN 127.0.0.1:7804, accept queue 1` or
    /// `TCP ESTABLISHED 127.0.0.1:7804 <-> 127.0.0.1:51234, send-q 0, recv-q 6`.
    pub fn summary(&self) -> String {
        self.summary_in(Lang::En)
    }

    /// `summary` in `lang`. The kernel's own names (TCP states, addresses)
    /// stay as the kernel writes them; only the words around them change.
    pub fn summary_in(&self, lang: Lang) -> String {
        let addr = |a: &Option<SocketAddr>| a.map_or("*".to_string(), |a| a.to_string());
        let (accept_queue, send_q, recv_q, queued) = match lang {
            Lang::En => ("accept queue", "send-q", "recv-q", ""),
            Lang::Ko => ("연결 요청 대기 큐", "송신 큐", "수신 큐", "개"),
        };
        let drops = match lang {
            Lang::En => format!("drops {}", self.drops),
            Lang::Ko => format!("버린 데이터그램 {}개", self.drops),
        };
        match self.proto {
            Proto::Unix => format!(
                "UNIX {} {}",
                self.unix_state.unwrap_or("?"),
                self.unix_path.as_deref().unwrap_or("(unnamed)")
            ),
            Proto::Udp => format!(
                "UDP {} <-> {}, {recv_q} {}, {drops}",
                addr(&self.local),
                addr(&self.remote),
                self.rx_queue
            ),
            Proto::Tcp => match self.state {
                Some(TcpState::Listen) => {
                    format!(
                        "TCP LISTEN {}, {accept_queue} {}{queued}",
                        addr(&self.local),
                        self.rx_queue
                    )
                }
                state => format!(
                    "TCP {} {} <-> {}, {send_q} {}, {recv_q} {}",
                    state.map_or("?", TcpState::name),
                    addr(&self.local),
                    addr(&self.remote),
                    self.tx_queue,
                    self.rx_queue
                ),
            },
        }
    }
}

/// The inode of the socket behind this process's fd `fd`, from the link
/// `/proc/self/fd/N -> socket:[12345]`.
pub fn socket_inode(fd: i32) -> Option<u64> {
    let link = std::fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
    let text = link.to_str()?;
    text.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The kernel's tables could not be read (a very low `ulimit -n`, a /proc
/// that is not mounted): nothing can be said about any socket, neither
/// that it is listed nor that it is not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The socket with this inode, from /proc/net/{tcp,tcp6,udp,udp6,unix}.
pub fn view_of_inode(inode: u64) -> Result<Option<SocketView>, Unavailable> {
    let mut all = all_inet()?;
    all.extend(read_table("/proc/net/unix", parse_unix)?);
    Ok(all.into_iter().find(|v| v.inode == inode))
}

/// The kernel's view of this process's fd `fd` (None: it is in no table,
/// or it is not a socket).
pub fn view_of_fd(fd: i32) -> Result<Option<SocketView>, Unavailable> {
    match socket_inode(fd) {
        Some(inode) => view_of_inode(inode),
        None => Ok(None),
    }
}

/// Every socket /proc/net/unix lists under this name: a path, or an
/// abstract name written `@name`, as the table writes it. A path's file
/// can outlive its socket (close does not remove it): the table lists
/// sockets, not files.
pub fn unix_by_name(name: &str) -> Result<Vec<SocketView>, Unavailable> {
    Ok(read_table("/proc/net/unix", parse_unix)?
        .into_iter()
        .filter(|v| v.unix_path.as_deref() == Some(name))
        .collect())
}

/// Whether process `pid` is inside system call number `nr` now, from
/// /proc/PID/syscall (its first field is the call's number; `running`
/// when it is in none). A file read, never a call on a socket.
pub fn in_syscall(file: &File, nr: i64) -> bool {
    let mut buf = [0u8; 64];
    let n = file.read_at(&mut buf, 0).unwrap_or(0);
    std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|f| f.parse::<i64>().ok())
        == Some(nr)
}

/// Every TCP entry with this local and remote address, TIME_WAIT ones
/// (inode 0) included.
pub fn tcp_by_addrs(local: SocketAddr, remote: SocketAddr) -> Result<Vec<SocketView>, Unavailable> {
    Ok(tcp_entries()?
        .into_iter()
        .filter(|v| v.local == Some(local) && v.remote == Some(remote))
        .collect())
}

/// Look at the kernel's tables with `look` until it finds something, for
/// at most `within`; at once when the tables cannot be read.
///
/// The kernel works on a connection after the call that started the work
/// has returned: the last ACK of a handshake or a close arrives a moment
/// later (only then is a connection in the accept queue, or in TIME_WAIT),
/// and bytes a peer sent may still be on their way into our receive queue.
/// This reads the files again every millisecond: it waits on the kernel's
/// tables, never on a socket, so it adds no system call to the trace.
pub fn wait_for<T>(
    within: Duration,
    mut look: impl FnMut() -> Result<Option<T>, Unavailable>,
) -> Result<Option<T>, Unavailable> {
    let start = Instant::now();
    loop {
        let found = look()?;
        if found.is_some() || start.elapsed() >= within {
            return Ok(found);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// [`wait_for`] an entry for the connection `local <-> remote` that
/// satisfies `want`. A Unix address has no entry.
pub fn wait_for_tcp(
    local: &socklab::SockAddr,
    remote: &socklab::SockAddr,
    within: Duration,
    want: impl Fn(&SocketView) -> bool,
) -> Result<Option<SocketView>, Unavailable> {
    let (Some(local), Some(remote)) = (local.to_std(), remote.to_std()) else {
        return Ok(None);
    };
    wait_for(within, || {
        Ok(tcp_by_addrs(local, remote)?.into_iter().find(&want))
    })
}

/// Every TCP entry on this local port, in any state.
pub fn tcp_by_local_port(port: u16) -> Result<Vec<SocketView>, Unavailable> {
    Ok(tcp_entries()?
        .into_iter()
        .filter(|v| v.local.is_some_and(|a| a.port() == port))
        .collect())
}

/// Every UDP entry (IPv4 and IPv6) on this local port: a UDP socket is
/// listed once it has a port, so an entry here means datagrams to the
/// port now reach a socket.
pub fn udp_by_local_port(port: u16) -> Result<Vec<SocketView>, Unavailable> {
    let mut v = read_table("/proc/net/udp", |l| parse_inet(l, Proto::Udp))?;
    v.extend(read_table("/proc/net/udp6", |l| parse_inet(l, Proto::Udp))?);
    Ok(v.into_iter()
        .filter(|v| v.local.is_some_and(|a| a.port() == port))
        .collect())
}

/// A process's state letter from /proc/PID/stat, the field after its
/// name in parentheses: R (running), S (sleeping), Z (zombie: it has
/// exited and its parent has not collected its status yet) ... None once
/// the process is gone. Read at a high fd (a file, no socket call).
pub fn process_state(pid: i32) -> Option<char> {
    let path = format!("/proc/{pid}/stat");
    let file = socklab::high_fd::open_all(&[&path]).pop()?.ok()?;
    let mut buf = [0u8; 512];
    let n = file.read_at(&mut buf, 0).ok()?;
    let text = std::str::from_utf8(&buf[..n]).ok()?;
    text.rsplit_once(") ")?.1.chars().next()
}

/// The signals pending for this whole process (ShdPnd in
/// /proc/self/status, a hex mask with bit N-1 for signal N), as the file
/// writes it, when `signal` is among them.
pub fn signal_pending(signal: i32) -> Option<String> {
    let file = socklab::high_fd::open_all(&["/proc/self/status"])
        .pop()?
        .ok()?;
    let mut buf = vec![0u8; 8192];
    let n = file.read_at(&mut buf, 0).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    let mask = text
        .lines()
        .find_map(|l| l.strip_prefix("ShdPnd:"))?
        .trim()
        .to_string();
    let bits = u64::from_str_radix(&mask, 16).ok()?;
    (signal >= 1 && bits & (1 << (signal - 1)) != 0).then_some(mask)
}

/// How many fds this process has open.
pub fn open_fd_count() -> usize {
    // read_dir holds one fd of its own while it reads: leave it out.
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count().saturating_sub(1))
}

fn tcp_entries() -> Result<Vec<SocketView>, Unavailable> {
    let mut v = read_table("/proc/net/tcp", |l| parse_inet(l, Proto::Tcp))?;
    v.extend(read_table("/proc/net/tcp6", |l| parse_inet(l, Proto::Tcp))?);
    Ok(v)
}

fn all_inet() -> Result<Vec<SocketView>, Unavailable> {
    let mut v = tcp_entries()?;
    v.extend(read_table("/proc/net/udp", |l| parse_inet(l, Proto::Udp))?);
    v.extend(read_table("/proc/net/udp6", |l| parse_inet(l, Proto::Udp))?);
    Ok(v)
}

fn read_table(
    path: &'static str,
    parse: impl Fn(&str) -> Option<SocketView>,
) -> Result<Vec<SocketView>, Unavailable> {
    Ok(read_whole(path)?
        .map(|text| text.lines().skip(1).filter_map(parse).collect())
        .unwrap_or_default())
}

/// A table as it was opened: the file, or why it could not be.
enum Table {
    Open(File),
    /// The file does not exist: the kernel has no such protocol (IPv6
    /// turned off, say), so it has no socket of it either.
    Missing,
    Failed(String),
}

/// The tables, opened once and kept at fd 100 and above (see `high_fd`):
/// opening a file for each look would take the lowest free fd for a
/// moment, the number a socket made at the same time in another thread
/// would otherwise get.
static TABLES: Mutex<Vec<(&str, Table)>> = Mutex::new(Vec::new());

fn table_of(path: &str, opened: std::io::Result<File>) -> Table {
    match opened {
        Ok(f) => Table::Open(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Table::Missing,
        Err(e) => Table::Failed(format!("cannot open {path}: {e}")),
    }
}

/// Read a /proc table afresh (None: the kernel has no such table). A read
/// from offset 0 makes the kernel list the table again as it is now.
fn read_whole(path: &'static str) -> Result<Option<String>, Unavailable> {
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    let at = match tables.iter().position(|(p, _)| *p == path) {
        Some(i) => i,
        None => {
            tables.push((path, table_of(path, socklab::high_fd::open(path))));
            tables.len() - 1
        }
    };
    let file = match &tables[at].1 {
        Table::Open(f) => f,
        Table::Missing => return Ok(None),
        Table::Failed(why) => return Err(Unavailable(why.clone())),
    };
    let (mut bytes, mut buf) = (Vec::new(), vec![0u8; 64 * 1024]);
    loop {
        let n = file
            .read_at(&mut buf, bytes.len() as u64)
            .map_err(|e| Unavailable(format!("cannot read {path}: {e}")))?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Unavailable(format!("{path} is not text")))
}

const TABLE_PATHS: [&str; 5] = [
    "/proc/net/tcp",
    "/proc/net/tcp6",
    "/proc/net/udp",
    "/proc/net/udp6",
    "/proc/net/unix",
];

/// Open the tables now, before the lesson makes its first socket. Err:
/// why the kernel's view cannot be shown.
pub fn open_tables() -> Result<(), Unavailable> {
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    if tables.is_empty() {
        let files = socklab::high_fd::open_all(&TABLE_PATHS);
        for (path, file) in TABLE_PATHS.into_iter().zip(files) {
            tables.push((path, table_of(path, file)));
        }
    }
    match tables.iter().find_map(|(_, t)| match t {
        Table::Failed(why) => Some(why.clone()),
        _ => None,
    }) {
        Some(why) => Err(Unavailable(why)),
        None => Ok(()),
    }
}

/// One line of /proc/net/tcp, tcp6, udp or udp6:
/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`; the
/// UDP tables end with `ref pointer drops`.
pub fn parse_inet(line: &str, proto: Proto) -> Option<SocketView> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 10 {
        return None;
    }
    let local = parse_addr(f[1])?;
    let remote = parse_addr(f[2])?;
    let code = u8::from_str_radix(f[3], 16).ok()?;
    let (tx, rx) = f[4].split_once(':')?;
    let udp = proto == Proto::Udp;
    Some(SocketView {
        state: (proto == Proto::Tcp).then(|| TcpState::from_code(code)),
        proto,
        inode: f[9].parse().ok()?,
        unix_state: None,
        local: Some(local),
        remote: (!remote.ip().is_unspecified() || remote.port() != 0).then_some(remote),
        unix_path: None,
        tx_queue: u64::from_str_radix(tx, 16).ok()?,
        rx_queue: u64::from_str_radix(rx, 16).ok()?,
        drops: if udp {
            f.get(12).and_then(|d| d.parse().ok()).unwrap_or(0)
        } else {
            0
        },
    })
}

/// `0100007F:1F90` is 127.0.0.1:8080: the address is hex of the bytes as
/// they lie in memory, read as 32-bit words in the machine's (little-endian)
/// order; the port is a plain hex number.
fn parse_addr(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| {
        u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16)
            .ok()
            .map(u32::to_le_bytes)
    };
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// One line of /proc/net/unix: `Num RefCount Protocol Flags Type St Inode [Path]`.
pub fn parse_unix(line: &str) -> Option<SocketView> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 7 {
        return None;
    }
    // __SO_ACCEPTCON in the flags marks a listening socket.
    let flags = u32::from_str_radix(f[3], 16).ok()?;
    let st = u8::from_str_radix(f[5], 16).ok()?;
    let unix_state = if flags & 0x10000 != 0 {
        "LISTEN"
    } else if st == 3 {
        "CONNECTED"
    } else {
        "UNCONNECTED"
    };
    Some(SocketView {
        proto: Proto::Unix,
        inode: f[6].parse().ok()?,
        state: None,
        unix_state: Some(unix_state),
        local: None,
        remote: None,
        unix_path: f.get(7).map(|p| p.to_string()),
        tx_queue: 0,
        rx_queue: 0,
        drops: 0,
    })
}

/// A TCP socket's retransmit timer, from /proc/net/tcp's `tr:tm->when`
/// and `retrnsmt` columns: the kernel is waiting for an acknowledgement
/// (of a SYN, say) and will send again when the timer runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retransmit {
    /// When the kernel sends again, from now.
    pub due_in: Duration,
    /// How many times it has sent again already.
    pub retransmits: u32,
}

/// The retransmit timer of the TCP socket with this inode; None when it
/// is not listed or no retransmit timer is running (`tr` other than 1).
pub fn retransmit_timer(inode: u64) -> Result<Option<Retransmit>, Unavailable> {
    let mut text = read_whole("/proc/net/tcp")?.unwrap_or_default();
    text.push_str(&read_whole("/proc/net/tcp6")?.unwrap_or_default());
    Ok(text.lines().find_map(|line| parse_retransmit(line, inode)))
}

/// `tr:tm->when retrnsmt` of one line with this inode: `01:0000004F
/// 00000000` is a retransmit timer due in 0x4F clock ticks (USER_HZ, 100
/// a second), none sent again yet.
fn parse_retransmit(line: &str, inode: u64) -> Option<Retransmit> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 10 || f[9].parse::<u64>().ok()? != inode {
        return None;
    }
    let (timer, when) = f[5].split_once(':')?;
    if timer != "01" {
        return None;
    }
    // SAFETY: sysconf takes a plain integer.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let ticks = u64::from_str_radix(when, 16).ok()?;
    Some(Retransmit {
        due_in: Duration::from_millis(ticks * 1000 / hz),
        retransmits: u32::from_str_radix(f[6], 16).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;

    #[test]
    fn parses_v4_listen_and_time_wait() {
        let listen = "   0: 0100007F:1E7C 00000000:0000 0A 00000000:00000002 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0";
        let v = parse_inet(listen, Proto::Tcp).unwrap();
        assert_eq!(v.state, Some(TcpState::Listen));
        assert_eq!(v.local, Some("127.0.0.1:7804".parse().unwrap()));
        assert_eq!(v.remote, None);
        assert_eq!((v.inode, v.rx_queue), (4242, 2));
        assert_eq!(v.summary(), "TCP LISTEN 127.0.0.1:7804, accept queue 2");
        assert_eq!(
            v.summary_in(Lang::Ko),
            "TCP LISTEN 127.0.0.1:7804, 연결 요청 대기 큐 2개"
        );
        let tw = "   1: 0100007F:C350 0100007F:1E7C 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0";
        let v = parse_inet(tw, Proto::Tcp).unwrap();
        assert_eq!(v.state.map(TcpState::name), Some("TIME_WAIT"));
        assert_eq!(v.inode, 0);
        assert_eq!(v.remote, Some("127.0.0.1:7804".parse().unwrap()));
    }

    #[test]
    fn parses_udp_with_its_drops() {
        // As this machine's kernel printed it: two datagrams queued (0x680
        // bytes of buffer), eight dropped.
        let line = " 1530: 0100007F:8CD3 00000000:0000 07 00000000:00000680 00:00000000 00000000     0        0 5672737 2 0000000003d5267a 8       ";
        let v = parse_inet(line, Proto::Udp).unwrap();
        assert_eq!((v.rx_queue, v.drops, v.state), (1664, 8, None));
        assert_eq!(
            v.summary(),
            "UDP 127.0.0.1:36051 <-> *, recv-q 1664, drops 8"
        );
        assert_eq!(
            v.summary_in(Lang::Ko),
            "UDP 127.0.0.1:36051 <-> *, 수신 큐 1664, 버린 데이터그램 8개"
        );
    }

    #[test]
    fn parses_v6() {
        let line = "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1 0";
        let v = parse_inet(line, Proto::Tcp).unwrap();
        assert_eq!(v.local, Some("[::1]:8080".parse().unwrap()));
    }

    #[test]
    fn parses_unix_with_and_without_path() {
        let listen = "0000000000000000: 00000002 00000000 00010000 0001 01 123 /tmp/lesson.sock";
        let v = parse_unix(listen).unwrap();
        assert_eq!((v.inode, v.unix_state), (123, Some("LISTEN")));
        assert_eq!(v.unix_path.as_deref(), Some("/tmp/lesson.sock"));
        let conn = "0000000000000000: 00000003 00000000 00000000 0001 03 124";
        let v = parse_unix(conn).unwrap();
        assert_eq!((v.unix_state, v.unix_path), (Some("CONNECTED"), None));
    }

    /// Poll the kernel's tables, not the clock, for a state change: at most
    /// two seconds, yielding between reads.
    fn eventually<T>(mut f: impl FnMut() -> Option<T>) -> T {
        let start = std::time::Instant::now();
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(
                start.elapsed().as_secs() < 2,
                "the kernel's view did not change in time"
            );
            std::thread::yield_now();
        }
    }

    #[test]
    fn live_listen_established_and_time_wait() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = listener.local_addr().unwrap();
        let v = view_of_fd(listener.as_raw_fd()).unwrap().unwrap();
        assert_eq!((v.state, v.local), (Some(TcpState::Listen), Some(server)));

        let mut client = std::net::TcpStream::connect(server).unwrap();
        let client_addr = client.local_addr().unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        let v = view_of_fd(conn.as_raw_fd()).unwrap().unwrap();
        assert_eq!(v.state, Some(TcpState::Established));
        assert_eq!((v.local, v.remote), (Some(server), Some(client_addr)));

        // The client closes first; the server reads EOF and closes too.
        client.write_all(b"bye").unwrap();
        drop(client);
        let mut buf = Vec::new();
        conn.read_to_end(&mut buf).unwrap();
        drop(conn);
        let tw = eventually(|| {
            tcp_by_addrs(client_addr, server)
                .unwrap()
                .into_iter()
                .find(|v| v.state == Some(TcpState::TimeWait))
        });
        assert_eq!(tw.inode, 0, "no fd refers to a TIME_WAIT socket");
        assert!(tcp_by_local_port(server.port())
            .unwrap()
            .iter()
            .any(|v| v.state == Some(TcpState::Listen)));
    }
}
