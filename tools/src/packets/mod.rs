//! Packets beside the system calls: what crossed the loopback wire while a
//! run's calls were made (`socklab run N --packets`, `--pcap FILE`).
//!
//! - [`capture`]: the capture process (an `AF_PACKET` socket on `lo`), the
//!   private network namespace the run and the capture share, and the
//!   handshake that has the capture running before the lesson starts.
//! - [`timeline`]: the packets put between the lesson's lines by their
//!   time, each marked with the call in progress when it travelled.
//! - here: one packet as the wire carried it, read as TCP, UDP or ICMP
//!   (the headers are parsed by `etherparse`); seq and ack relative to
//!   each side's first sequence number, as Wireshark shows them; the pcap
//!   file; the packet's line in a JSON record.
//!
//! ## One clock
//!
//! The kernel stamps each packet with the wall clock (`CLOCK_REALTIME`,
//! `SO_TIMESTAMPNS`). A call event carries monotonic times counted from
//! the start of tracing, and `t0_unix_us`, the wall clock at that start:
//! a call's wall-clock time is `t0_unix_us * 1000 + start_ns`. Packets and
//! calls are compared on that clock, in nanoseconds since 1970. The anchor
//! is kept to the microsecond, so a packet less than 1 µs from a call's
//! edge may be placed on the wrong side of it; on loopback a call's packets
//! travel several microseconds inside it.

pub mod capture;
pub mod live;
pub mod timeline;

use crate::json::Value;
use socklab::event::CallEvent;
use socklab::lang::Lang;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// One frame as the capture saw it on `lo`: the wall-clock time the kernel
/// stamped it with, and its bytes (lo's Ethernet header of zero addresses,
/// then the IP packet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub t_unix_ns: u64,
    pub frame: Vec<u8>,
}

/// TCP's flags, the ones a lesson meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Flags {
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
    pub psh: bool,
    pub ack: bool,
}

impl Flags {
    /// `SYN, ACK`: in the order Wireshark writes them.
    pub fn names(&self) -> String {
        let mut v = Vec::new();
        for (on, name) in [
            (self.syn, "SYN"),
            (self.fin, "FIN"),
            (self.rst, "RST"),
            (self.psh, "PSH"),
            (self.ack, "ACK"),
        ] {
            if on {
                v.push(name);
            }
        }
        v.join(", ")
    }
}

/// What the packet is, read from its headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Tcp {
        flags: Flags,
        /// As on the wire.
        seq: u32,
        ack: u32,
        window: u16,
        /// A SYN's window scale option: the sender's later windows are
        /// to be multiplied by 2 to this power (when both SYNs carry it).
        wscale: Option<u8>,
    },
    Udp,
    /// ICMP "port unreachable": the kernel's answer to a datagram for a
    /// port where no socket is bound. `about` is the datagram it answers
    /// (from, to), read from the copy of its headers the ICMP carries.
    PortUnreachable {
        about: Option<(SocketAddr, SocketAddr)>,
    },
    /// Anything else (another ICMP message, another protocol).
    Other(String),
}

/// A packet read: addresses, what it is, and its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub kind: Kind,
    /// The TCP or UDP payload (for ICMP: none).
    pub payload: Vec<u8>,
}

/// Read a frame's IP, TCP, UDP or ICMP headers; None for a frame that is
/// not IP (lo carries none in a run, but a capture on the host's loopback
/// may see anything).
pub fn decode(frame: &[u8]) -> Option<Decoded> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let p = SlicedPacket::from_ethernet(frame).ok()?;
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match p.net.as_ref()? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        _ => return None,
    };
    let at = |ip, port| SocketAddr::new(ip, port);
    Some(match p.transport.as_ref() {
        Some(TransportSlice::Tcp(t)) => Decoded {
            src: at(src_ip, t.source_port()),
            dst: at(dst_ip, t.destination_port()),
            kind: Kind::Tcp {
                flags: Flags {
                    syn: t.syn(),
                    fin: t.fin(),
                    rst: t.rst(),
                    psh: t.psh(),
                    ack: t.ack(),
                },
                seq: t.sequence_number(),
                ack: t.acknowledgment_number(),
                window: t.window_size(),
                wscale: t.options_iterator().find_map(|o| match o {
                    Ok(etherparse::TcpOptionElement::WindowScale(n)) => Some(n),
                    _ => None,
                }),
            },
            payload: t.payload().to_vec(),
        },
        Some(TransportSlice::Udp(u)) => Decoded {
            src: at(src_ip, u.source_port()),
            dst: at(dst_ip, u.destination_port()),
            kind: Kind::Udp,
            payload: u.payload().to_vec(),
        },
        // Type 3 code 3 (ICMPv4), type 1 code 4 (ICMPv6): port unreachable.
        Some(TransportSlice::Icmpv4(i)) => Decoded {
            src: at(src_ip, 0),
            dst: at(dst_ip, 0),
            kind: if (i.type_u8(), i.code_u8()) == (3, 3) {
                Kind::PortUnreachable {
                    about: quoted_datagram(i.payload()),
                }
            } else {
                Kind::Other(format!("ICMP type {} code {}", i.type_u8(), i.code_u8()))
            },
            payload: Vec::new(),
        },
        Some(TransportSlice::Icmpv6(i)) => Decoded {
            src: at(src_ip, 0),
            dst: at(dst_ip, 0),
            kind: if (i.type_u8(), i.code_u8()) == (1, 4) {
                Kind::PortUnreachable {
                    about: quoted_datagram(i.payload()),
                }
            } else {
                Kind::Other(format!("ICMPv6 type {} code {}", i.type_u8(), i.code_u8()))
            },
            payload: Vec::new(),
        },
        _ => Decoded {
            src: at(src_ip, 0),
            dst: at(dst_ip, 0),
            kind: Kind::Other("IP".to_string()),
            payload: Vec::new(),
        },
    })
}

/// The addresses of the UDP datagram an ICMP error quotes: its IP header
/// and at least the first 8 bytes after it (the UDP ports).
fn quoted_datagram(b: &[u8]) -> Option<(SocketAddr, SocketAddr)> {
    let (src, dst, rest): (IpAddr, IpAddr, &[u8]) = match b.first()? >> 4 {
        4 => {
            let ihl = usize::from(b[0] & 0x0f) * 4;
            let ip = |o: usize| -> Option<IpAddr> {
                let a: [u8; 4] = b.get(o..o + 4)?.try_into().ok()?;
                Some(IpAddr::from(a))
            };
            (ip(12)?, ip(16)?, b.get(ihl..)?)
        }
        6 => {
            let ip = |o: usize| -> Option<IpAddr> {
                let a: [u8; 16] = b.get(o..o + 16)?.try_into().ok()?;
                Some(IpAddr::from(a))
            };
            (ip(8)?, ip(24)?, b.get(40..)?)
        }
        _ => return None,
    };
    let port = |o: usize| Some(u16::from_be_bytes(rest.get(o..o + 2)?.try_into().ok()?));
    Some((
        SocketAddr::new(src, port(0)?),
        SocketAddr::new(dst, port(2)?),
    ))
}

/// Which end sent a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    ToServer,
    ToClient,
    /// Neither end is known as the server (no SYN seen, no bound port).
    Unknown,
}

/// One packet of a run, read and placed: what the learner sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub packet: Packet,
    pub decoded: Decoded,
    pub direction: Direction,
    /// seq and ack counted from each side's first sequence number (its
    /// SYN's), as Wireshark shows them; None for UDP and ICMP.
    pub rel_seq: Option<u32>,
    pub rel_ack: Option<u32>,
    /// The window in bytes, as Wireshark computes it: the field times
    /// 2^scale, once both SYNs agreed on scaling (a SYN's own is not
    /// scaled); the field itself when the SYNs were not seen.
    pub window: Option<u32>,
    /// The call in progress when it travelled: its `seq` in the record.
    pub during: Option<u64>,
}

/// The packets of a run read and placed beside its calls: the direction
/// (the end that sent a SYN is the client; for UDP the port a `bind` of
/// the run named, or of the server's side, is the server's), relative
/// sequence numbers, and the call each travelled in.
pub fn read_run(packets: &[Packet], calls: &[CallEvent]) -> Vec<Seen> {
    let mut packets: Vec<&Packet> = packets.iter().collect();
    packets.sort_by_key(|p| p.t_unix_ns);
    let decoded: Vec<(&Packet, Decoded)> = packets
        .into_iter()
        .filter_map(|p| decode(&p.frame).map(|d| (p, d)))
        .collect();
    let mut reading = Reading::default();
    for c in calls {
        reading.learn_call(c);
    }
    for (_, d) in &decoded {
        reading.learn(d);
    }
    decoded
        .into_iter()
        .map(|(p, d)| reading.place(p, d, calls))
        .collect()
}

/// What reading a run's packets has learnt so far: the servers' addresses
/// (where a SYN went, and what the run bound), each direction's first
/// sequence number and window scale. [`read_run`] learns from every packet
/// before placing any; a live view (`serve --packets`) learns as they come.
#[derive(Default)]
pub struct Reading {
    servers: Vec<SocketAddr>,
    bound_ports: Vec<u16>,
    isn: HashMap<(SocketAddr, SocketAddr), u32>,
    scale: HashMap<(SocketAddr, SocketAddr), Option<u8>>,
}

impl Reading {
    /// A `bind` of the server's side names a server's port.
    pub fn learn_call(&mut self, c: &CallEvent) {
        if c.syscall == "bind"
            && c.value() == Some(0)
            && c.side != Some(socklab::trace::Side::Client)
        {
            if let Some(port) = c.addr().and_then(inet_port) {
                if !self.bound_ports.contains(&port) {
                    self.bound_ports.push(port);
                }
            }
        }
    }

    /// A SYN names the server and its sender's first sequence number and
    /// window scale (used only when both SYNs carried one, RFC 7323);
    /// without a SYN, the first sequence number seen counts.
    pub fn learn(&mut self, d: &Decoded) {
        if let Kind::Tcp {
            flags, seq, wscale, ..
        } = d.kind
        {
            let key = (d.src, d.dst);
            if flags.syn {
                if !flags.ack && !self.servers.contains(&d.dst) {
                    self.servers.push(d.dst);
                }
                self.isn.insert(key, seq);
                self.scale.insert(key, wscale);
            } else {
                self.isn.entry(key).or_insert(seq);
            }
        }
    }

    /// One packet placed: its direction, relative numbers, window, and the
    /// call in progress among `calls` when it travelled.
    pub fn place(&self, p: &Packet, d: Decoded, calls: &[CallEvent]) -> Seen {
        let (a, b) = match &d.kind {
            Kind::PortUnreachable {
                about: Some((from, to)),
            } => (*to, *from),
            _ => (d.src, d.dst),
        };
        let (servers, bound_ports) = (&self.servers, &self.bound_ports);
        let direction = if servers.contains(&b)
            || (!servers.contains(&a)
                && bound_ports.contains(&b.port())
                && !bound_ports.contains(&a.port()))
        {
            Direction::ToServer
        } else if servers.contains(&a) || bound_ports.contains(&a.port()) {
            Direction::ToClient
        } else {
            Direction::Unknown
        };
        let (rel_seq, rel_ack) = match d.kind {
            Kind::Tcp {
                flags, seq, ack, ..
            } => (
                self.isn.get(&(d.src, d.dst)).map(|i| seq.wrapping_sub(*i)),
                if flags.ack {
                    self.isn.get(&(d.dst, d.src)).map(|i| ack.wrapping_sub(*i))
                } else {
                    None
                },
            ),
            _ => (None, None),
        };
        let window = match d.kind {
            Kind::Tcp { flags, window, .. } => {
                let both = (
                    self.scale.get(&(d.src, d.dst)).copied().flatten(),
                    self.scale.get(&(d.dst, d.src)).copied().flatten(),
                );
                Some(match both {
                    (Some(n), Some(_)) if !flags.syn => u32::from(window) << n.min(14),
                    _ => u32::from(window),
                })
            }
            _ => None,
        };
        Seen {
            packet: p.clone(),
            decoded: d,
            direction,
            rel_seq,
            rel_ack,
            window,
            during: during(p.t_unix_ns, calls),
        }
    }
}

/// The call in progress at `t` (ns since 1970): of those whose span holds
/// it, the one that started last (a blocked accept holds the whole
/// handshake; the connect that made it started later).
pub fn during(t: u64, calls: &[CallEvent]) -> Option<u64> {
    calls
        .iter()
        .filter_map(|c| {
            let span = c.time?;
            let t0 = span.t0_unix_us? * 1000;
            Some((t0 + span.start_ns, t0 + span.end_ns, c.seq))
        })
        .filter(|(s, e, _)| *s <= t && t <= *e)
        .max_by_key(|(s, _, _)| *s)
        .map(|(_, _, seq)| seq)
}

fn inet_port(a: &socklab::addr::SockAddr) -> Option<u16> {
    a.port()
}

/// How many payload bytes a line shows: strace's `-s 32`.
pub use socklab::strace::MAX_STRLEN;

/// The packet in words, without its gutter:
/// `client → server  127.0.0.1:35972 → 127.0.0.1:7804  [SYN] seq=0 win=65495 len=0`.
pub fn describe(s: &Seen, lang: Lang) -> String {
    let d = &s.decoded;
    let way = match s.direction {
        Direction::ToServer => lang.pick("client → server", "클라이언트 → 서버"),
        Direction::ToClient => lang.pick("server → client", "서버 → 클라이언트"),
        Direction::Unknown => lang.pick("packet", "패킷"),
    };
    match &d.kind {
        Kind::Tcp { flags, .. } => {
            let mut out = format!(
                "{way}  {} → {}  TCP [{}] seq={}",
                d.src,
                d.dst,
                flags.names(),
                s.rel_seq.unwrap_or(0)
            );
            if let Some(a) = s.rel_ack {
                out.push_str(&format!(" ack={a}"));
            }
            out.push_str(&format!(
                " win={} len={}",
                s.window.unwrap_or(0),
                d.payload.len()
            ));
            if !d.payload.is_empty() {
                out.push(' ');
                out.push_str(&socklab::strace::quote_bytes(&d.payload));
            }
            out
        }
        Kind::Udp => {
            let mut out = format!("{way}  {} → {}  UDP len={}", d.src, d.dst, d.payload.len());
            if !d.payload.is_empty() {
                out.push(' ');
                out.push_str(&socklab::strace::quote_bytes(&d.payload));
            }
            out
        }
        Kind::PortUnreachable { about } => {
            let about = about.map_or(String::new(), |(from, to)| {
                lang.pick2(
                    format!(": no socket on port {} (for {from} → {to})", to.port()),
                    format!(": 포트 {}에 소켓이 없습니다({from} → {to})", to.port()),
                )
            });
            format!(
                "{way}  {} → {}  ICMP {}{about}",
                d.src.ip(),
                d.dst.ip(),
                lang.pick("port unreachable", "포트 도달 불가")
            )
        }
        Kind::Other(what) => format!("{way}  {} → {}  {what}", d.src.ip(), d.dst.ip()),
    }
}

/// `during connect (client, thread 1234)`: the call a packet travelled in.
pub fn during_note(call: &CallEvent, lang: Lang) -> String {
    let side = match (call.side, lang) {
        (Some(socklab::trace::Side::Server), Lang::En) => "server, ",
        (Some(socklab::trace::Side::Client), Lang::En) => "client, ",
        (Some(socklab::trace::Side::Server), Lang::Ko) => "서버, ",
        (Some(socklab::trace::Side::Client), Lang::Ko) => "클라이언트, ",
        (None, _) => "",
    };
    lang.pick2(
        format!(
            "during {}({}) ({side}thread {})",
            call.syscall,
            fd_text(call),
            call.tid
        ),
        format!(
            "{}({}) 호출 중({side}스레드 {})",
            call.syscall,
            fd_text(call),
            call.tid
        ),
    )
}

/// The fd a call was on; for a call on no fd (`wait4`, `kill`), its first
/// argument, the process it waited for or signalled.
fn fd_text(call: &CallEvent) -> String {
    match call.fd {
        Some(f) => f.to_string(),
        None => call.args.first().map_or(String::new(), |a| a.text.clone()),
    }
}

// ---- pcap ---------------------------------------------------------------

/// pcap's magic number for nanosecond timestamps, and its link type for
/// Ethernet frames (what lo's frames are).
const PCAP_MAGIC_NS: u32 = 0xa1b2_3c4d;
const LINKTYPE_ETHERNET: u32 = 1;
/// The longest frame a record may hold (lo's MTU is 65536).
pub const SNAPLEN: u32 = 262_144;

/// The packets as a pcap file (the classic format tcpdump and Wireshark
/// read: a 24-byte header, then a 16-byte header before each frame).
pub fn pcap(packets: &[&Packet]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(24 + packets.iter().map(|p| 16 + p.frame.len()).sum::<usize>());
    out.extend_from_slice(&PCAP_MAGIC_NS.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // time zone: UTC
    out.extend_from_slice(&0u32.to_le_bytes()); // accuracy
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    for p in packets {
        let len = p.frame.len() as u32;
        out.extend_from_slice(&((p.t_unix_ns / 1_000_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((p.t_unix_ns % 1_000_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&p.frame);
    }
    out
}

// ---- the record ---------------------------------------------------------

/// The version of a packet's line in a record.
pub const PACKET_SCHEMA_VERSION: i64 = 1;

/// A packet's line in a JSON record, beside the calls' lines:
/// `{"kind":"packet","v":1,"t_sec":…,"t_nsec":…,"frame":"<hex>",…}`: its
/// wall-clock time in seconds since 1970 and nanoseconds (two numbers, as
/// pcap keeps them: nanoseconds since 1970 are more than a JSON number
/// holds exactly). The frame
/// is the truth a reader parses again; the other fields (`proto`, `src`,
/// `dst`, `dir`, `flags`, `seq`, `ack`, `win`, `len`, `during_seq`) say
/// the same for a reader with no packet parser.
pub fn to_json(s: &Seen) -> String {
    let d = &s.decoded;
    let mut o = format!(
        "{{\"kind\":\"packet\",\"v\":{PACKET_SCHEMA_VERSION},\"t_sec\":{},\"t_nsec\":{},\"frame\":\"{}\"",
        s.packet.t_unix_ns / 1_000_000_000,
        s.packet.t_unix_ns % 1_000_000_000,
        hex(&s.packet.frame)
    );
    let proto = match d.kind {
        Kind::Tcp { .. } => "tcp",
        Kind::Udp => "udp",
        Kind::PortUnreachable { .. } => "icmp_port_unreachable",
        Kind::Other(_) => "other",
    };
    o.push_str(&format!(
        ",\"proto\":\"{proto}\",\"src\":\"{}\",\"dst\":\"{}\",\"dir\":\"{}\"",
        d.src,
        d.dst,
        match s.direction {
            Direction::ToServer => "to_server",
            Direction::ToClient => "to_client",
            Direction::Unknown => "unknown",
        }
    ));
    if let Kind::Tcp { flags, window, .. } = d.kind {
        o.push_str(&format!(
            ",\"flags\":\"{}\",\"seq\":{},\"ack\":{},\"win\":{},\"win_field\":{window}",
            flags.names(),
            s.rel_seq.unwrap_or(0),
            s.rel_ack.map_or("null".to_string(), |a| a.to_string()),
            s.window.unwrap_or(0)
        ));
    }
    o.push_str(&format!(",\"len\":{}", d.payload.len()));
    o.push_str(&format!(
        ",\"during_seq\":{}}}\n",
        s.during.map_or("null".to_string(), |q| q.to_string())
    ));
    o
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

/// Whether a record's object is a packet's line.
pub fn is_packet(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some("packet")
}

/// A packet's line read back: its time and frame (the rest is derived).
pub fn from_value(v: &Value) -> Result<Packet, String> {
    match v.get("v").and_then(Value::as_i64) {
        Some(PACKET_SCHEMA_VERSION) => {}
        other => {
            return Err(format!(
                "a packet of version {}, not {PACKET_SCHEMA_VERSION}",
                other.map_or("(none)".to_string(), |n| n.to_string())
            ))
        }
    }
    let part = |k: &str, max: i64| {
        v.get(k)
            .and_then(Value::as_i64)
            .filter(|t| (0..max).contains(t))
            .ok_or(format!("a packet without \"{k}\" (a whole number)"))
    };
    let t = part("t_sec", i64::from(u32::MAX))? * 1_000_000_000 + part("t_nsec", 1_000_000_000)?;
    let frame = v
        .get("frame")
        .and_then(Value::as_str)
        .ok_or("a packet without \"frame\"")?;
    if frame.len() % 2 != 0 {
        return Err("\"frame\" is not hex".to_string());
    }
    let frame = (0..frame.len())
        .step_by(2)
        .map(|i| {
            frame
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("\"frame\" is not hex".to_string())
        })
        .collect::<Result<Vec<u8>, String>>()?;
    Ok(Packet {
        t_unix_ns: t as u64,
        frame,
    })
}

/// On a loopback other programs share (the machine's own, for `--wait`),
/// the packets of this run's connections: those to or from a port that
/// one of its calls named (bound, connected to, accepted from, looked up
/// with `getsockname`, sent to or received from).
pub fn of_these_calls(packets: &[Packet], calls: &[CallEvent]) -> Vec<Packet> {
    let ports: std::collections::HashSet<u16> = calls
        .iter()
        .filter_map(|c| c.addr().and_then(inet_port))
        .filter(|&p| p != 0)
        .collect();
    packets
        .iter()
        .filter(|p| {
            decode(&p.frame).is_some_and(|d| {
                let (a, b) = match d.kind {
                    Kind::PortUnreachable {
                        about: Some((a, b)),
                    } => (a, b),
                    _ => (d.src, d.dst),
                };
                ports.contains(&a.port()) || ports.contains(&b.port())
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;
    use socklab::event::{Arg, Span};
    use socklab::strace::Ret;

    const T0_US: u64 = 1_700_000_000_000_000;

    fn frame(b: etherparse::PacketBuilderStep<etherparse::TcpHeader>, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        b.write(&mut v, payload).unwrap();
        v
    }

    fn tcp(from: u16, to: u16, seq: u32) -> etherparse::PacketBuilderStep<etherparse::TcpHeader> {
        PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(from, to, seq, 512)
    }

    fn at(us: u64, frame: Vec<u8>) -> Packet {
        Packet {
            t_unix_ns: (T0_US + us) * 1000,
            frame,
        }
    }

    /// A call from `start` to `end` µs after the tracer's start.
    fn call(seq: u64, syscall: &'static str, fd: i32, start: u64, end: u64) -> CallEvent {
        let mut c = CallEvent::new(syscall, vec![Arg::fd(fd)], Ret::Value(0));
        c.seq = seq;
        c.fd = Some(fd);
        c.tid = 7;
        c.side = Some(socklab::trace::Side::Client);
        c.time = Some(Span {
            start_ns: start * 1000,
            end_ns: end * 1000,
            t0_unix_us: Some(T0_US),
        });
        c
    }

    fn handshake() -> Vec<Packet> {
        vec![
            at(12, frame(tcp(40000, 7804, 1000).syn(), &[])),
            at(13, frame(tcp(7804, 40000, 5000).syn().ack(1001), &[])),
            at(14, frame(tcp(40000, 7804, 1001).ack(5001), &[])),
            at(30, frame(tcp(40000, 7804, 1001).ack(5001).psh(), b"hi\n")),
            at(40, frame(tcp(40000, 7804, 1004).ack(5001).fin(), &[])),
        ]
    }

    #[test]
    fn seq_and_ack_count_from_each_sides_syn_and_the_syn_sender_is_the_client() {
        let seen = read_run(&handshake(), &[call(1, "connect", 3, 10, 20)]);
        let got: Vec<(Direction, String, Option<u32>, Option<u32>)> = seen
            .iter()
            .map(|s| match s.decoded.kind {
                Kind::Tcp { flags, .. } => (s.direction, flags.names(), s.rel_seq, s.rel_ack),
                _ => panic!("not TCP"),
            })
            .collect();
        use Direction::*;
        assert_eq!(
            got,
            vec![
                (ToServer, "SYN".into(), Some(0), None),
                (ToClient, "SYN, ACK".into(), Some(0), Some(1)),
                (ToServer, "ACK".into(), Some(1), Some(1)),
                (ToServer, "PSH, ACK".into(), Some(1), Some(1)),
                (ToServer, "FIN, ACK".into(), Some(4), Some(1)),
            ]
        );
        // Inside connect's span (10 to 20 µs): the handshake; after it, nothing.
        let during: Vec<Option<u64>> = seen.iter().map(|s| s.during).collect();
        assert_eq!(during, [Some(1), Some(1), Some(1), None, None]);
        assert_eq!(seen[3].decoded.payload, b"hi\n");
        assert!(describe(&seen[3], Lang::En).ends_with("len=3 \"hi\\n\""));
    }

    #[test]
    fn the_call_that_started_last_is_the_one_a_packet_travelled_in() {
        let mut accept = call(1, "accept", 3, 0, 50);
        accept.side = Some(socklab::trace::Side::Server);
        let seen = read_run(&handshake(), &[accept, call(2, "connect", 4, 10, 20)]);
        assert_eq!(seen[0].during, Some(2));
        assert_eq!(seen[3].during, Some(1));
    }

    #[test]
    fn a_call_on_no_fd_is_named_by_its_first_argument() {
        let mut wait = CallEvent::new("wait4", vec![Arg::int(4242)], Ret::Value(4242));
        wait.tid = 7;
        wait.side = Some(socklab::trace::Side::Server);
        assert_eq!(
            during_note(&wait, Lang::En),
            "during wait4(4242) (server, thread 7)"
        );
        assert_eq!(
            during_note(&call(1, "close", 4, 0, 1), Lang::Ko),
            "close(4) 호출 중(클라이언트, 스레드 7)"
        );
    }

    #[test]
    fn an_icmp_port_unreachable_names_the_datagram_it_answers() {
        let mut udp = Vec::new();
        PacketBuilder::ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .udp(50000, 7810)
            .write(&mut udp, b"anyone?")
            .unwrap();
        let mut f = Vec::new();
        PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .icmpv4(etherparse::Icmpv4Type::DestinationUnreachable(
                etherparse::icmpv4::DestUnreachableHeader::Port,
            ))
            .write(&mut f, &udp)
            .unwrap();
        let d = decode(&f).unwrap();
        let from: SocketAddr = "127.0.0.1:50000".parse().unwrap();
        let to: SocketAddr = "127.0.0.1:7810".parse().unwrap();
        assert_eq!(
            d.kind,
            Kind::PortUnreachable {
                about: Some((from, to))
            }
        );
        let mut bind = call(1, "bind", 3, 0, 1);
        bind.side = Some(socklab::trace::Side::Server);
        bind.args.push(Arg {
            text: String::new(),
            value: socklab::event::ArgValue::Addr(socklab::addr::SockAddr::V4(
                "127.0.0.1:7810".parse().unwrap(),
            )),
        });
        let seen = read_run(&[at(5, f)], &[bind]);
        assert_eq!(seen[0].direction, Direction::ToClient);
        assert!(describe(&seen[0], Lang::En).contains(
            "ICMP port unreachable: no socket on port 7810 (for 127.0.0.1:50000 → 127.0.0.1:7810)"
        ));
    }

    #[test]
    fn pcap_has_the_classic_headers_and_each_frame() {
        let p = handshake();
        let refs: Vec<&Packet> = p.iter().collect();
        let b = pcap(&refs);
        assert_eq!(&b[..4], &0xa1b2_3c4du32.to_le_bytes());
        assert_eq!(u32::from_le_bytes(b[20..24].try_into().unwrap()), 1);
        let first_len = u32::from_le_bytes(b[32..36].try_into().unwrap()) as usize;
        assert_eq!(&b[40..40 + first_len], &p[0].frame[..]);
        let sec = u32::from_le_bytes(b[24..28].try_into().unwrap()) as u64;
        let nsec = u32::from_le_bytes(b[28..32].try_into().unwrap()) as u64;
        assert_eq!(sec * 1_000_000_000 + nsec, p[0].t_unix_ns);
        assert_eq!(
            b.len(),
            24 + p.iter().map(|f| 16 + f.frame.len()).sum::<usize>()
        );
    }

    #[test]
    fn a_packet_line_reads_back_from_the_record() {
        let seen = read_run(&handshake(), &[]);
        let text: String = seen.iter().map(to_json).collect();
        let (calls, packets) = crate::record::parse_run(&text).unwrap();
        assert!(calls.is_empty());
        assert_eq!(packets, handshake());
        // A record of another version is refused, with its line.
        let wrong = to_json(&seen[0]).replace("\"v\":1,", "\"v\":2,");
        let e = crate::record::parse_run(&wrong).unwrap_err();
        assert!(e.starts_with("line 1: ") && e.contains("version 2"), "{e}");
    }
}
