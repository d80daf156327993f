//! Showing a conversation in the order of cause and effect.
//!
//! Each call is shown when it returns. When both ends of a connection are
//! threads of this one program (a lesson playing its own peer), that order
//! can run backwards: the kernel copies the bytes of a `send` into the
//! peer's receive queue and wakes the peer's `recv` *inside* the sender's
//! call, so the `recv` may return, and be shown, before the `send` that fed
//! it. On a projector the client would seem to read what the server has
//! not sent yet.
//!
//! So before a call that waited on the other end is shown, its thread
//! waits, briefly, until what caused it has been shown:
//! - a `recv` that got bytes, until the other end's sends cover them;
//! - a `recv` of 0 (end of file), until the other end's FIN: its
//!   `shutdown(SHUT_WR)` or `close`;
//! - an `accept`, until a `connect`;
//! - a `recvfrom` of a datagram sent from an address a socket here is
//!   bound to, until that socket's `sendto`s cover it (UDP: lesson 10's
//!   client reads the server's answer only after the server's `sendto`).
//!
//! Only the showing waits: the call has already happened, and its result
//! is what it was. The wait has a bound, and applies only where both ends
//! are known to be here: a connection is paired when a `connect` and an
//! `accept` both happen in this program (the accept queue is first in,
//! first out), and only once a server thread and a client thread exist.
//! Calls on a connection to an outside peer never wait.

use super::{Role, Side};
use crate::event::CallEvent;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a call's line may wait for its cause: far more than a thread
/// needs to return from a call, far less than a learner notices.
const LIMIT: Duration = Duration::from_millis(200);

/// Which sides have a thread here: bit 0 server, bit 1 client.
static SIDES: AtomicU8 = AtomicU8::new(0);

/// One TCP connection with both ends in this program; end 0 made the
/// `connect`, end 1 came from `accept`.
#[derive(Default)]
struct Connection {
    sent: [i64; 2],
    received: [i64; 2],
    fin: [bool; 2],
    /// Whether the accepting end is here too.
    paired: bool,
}

/// What a call that cannot be shown yet waits for: any `connect` (an
/// `accept`), or more from the other end of one connection (a `recv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    AConnect,
    Connection(usize),
}

/// What has been shown so far of each connection whose ends are here, and
/// so whether a call's cause has been shown. The tracer keeps one for the
/// running program; `socklab diagram` replays a record through one.
#[derive(Default)]
pub struct Ledger {
    connections: Vec<Connection>,
    /// Each open data fd: its connection and end.
    ends: HashMap<i32, (usize, usize)>,
    /// Connections whose `connect` returned and no `accept` has taken yet.
    waiting: VecDeque<usize>,
    /// Datagram sockets bound here: fd → its address, as strace spells it.
    bound: HashMap<i32, String>,
    /// Per bound address: datagrams sent from it, and received from it.
    datagrams: HashMap<String, (u64, u64)>,
}

impl Ledger {
    /// Whether what a successful call returning `ret` on `fd` waited for
    /// has been shown: for a `recv`, the other end's sends (or FIN); for an
    /// `accept`, a `connect`. True for every other call, and for a
    /// connection whose other end is not here.
    pub fn caused(&self, syscall: &str, fd: i32, ret: i64) -> bool {
        match same_as(syscall) {
            "accept" | "accept4" => !self.waiting.is_empty(),
            "recvfrom" => match self.ends.get(&fd) {
                Some(&(c, end)) if self.connections[c].paired => {
                    let conn = &self.connections[c];
                    if ret > 0 {
                        conn.sent[1 - end] >= conn.received[end] + ret
                    } else {
                        conn.fin[1 - end]
                    }
                }
                _ => true,
            },
            _ => true,
        }
    }

    /// Bytes the other end of `fd`'s connection has sent and this end has
    /// not received: what closing `fd` now would leave unread (and the
    /// kernel then answers with a reset). None when the other end is not
    /// here.
    pub fn unread(&self, fd: i32) -> Option<i64> {
        let &(c, end) = self.ends.get(&fd)?;
        let conn = &self.connections[c];
        conn.paired.then(|| conn.sent[1 - end] - conn.received[end])
    }

    /// What a call that `caused` holds back waits for.
    pub fn awaits(&self, syscall: &str, fd: i32) -> Option<Cause> {
        match same_as(syscall) {
            "accept" | "accept4" => Some(Cause::AConnect),
            "recvfrom" => self.ends.get(&fd).map(|&(c, _)| Cause::Connection(c)),
            _ => None,
        }
    }

    /// What noting a successful call may let go: the causes after which a
    /// call held back may have been caused. Ask before [`Ledger::note`].
    /// A `connect` lets an `accept` go; a send, a FIN, or a new socket on
    /// an fd number that an old connection had, lets that connection's
    /// `recv`s go. (A `recv` only makes the next one on its end wait more.)
    pub fn lets_go(&self, syscall: &str, fd: i32, ret: i64) -> [Option<Cause>; 2] {
        let old = |fd: i32| self.ends.get(&fd).map(|&(c, _)| Cause::Connection(c));
        match same_as(syscall) {
            "connect" => [Some(Cause::AConnect), old(fd)],
            "accept" | "accept4" => [old(ret as i32), None],
            "sendto" | "shutdown" | "close" => [old(fd), None],
            _ => [None, None],
        }
    }

    /// Note that a successful call has been shown. `how` is a `shutdown`'s
    /// second argument (`SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`, as a number).
    /// False when the call changes nothing here.
    pub fn note(&mut self, syscall: &str, fd: i32, ret: i64, how: Option<i64>) -> bool {
        let syscall = same_as(syscall);
        match syscall {
            "connect" => {
                self.connections.push(Connection::default());
                let c = self.connections.len() - 1;
                self.ends.insert(fd, (c, 0));
                self.waiting.push_back(c);
            }
            "accept" | "accept4" => {
                if let Some(c) = self.waiting.pop_front() {
                    self.connections[c].paired = true;
                    self.ends.insert(ret as i32, (c, 1));
                }
            }
            "sendto" | "recvfrom" => {
                if let Some(&(c, end)) = self.ends.get(&fd) {
                    let conn = &mut self.connections[c];
                    if syscall == "sendto" {
                        conn.sent[end] += ret;
                    } else {
                        conn.received[end] += ret;
                    }
                }
            }
            // Shutting down the reading half sends nothing; the writing
            // half (SHUT_WR, SHUT_RDWR) sends a FIN.
            "shutdown" if how.is_some_and(|how| how != i64::from(libc::SHUT_RD)) => {
                if let Some(&(c, end)) = self.ends.get(&fd) {
                    self.connections[c].fin[end] = true;
                }
            }
            "close" => {
                // The number is free for the next socket; the connection's
                // record stays for the other end's last recv.
                if let Some((c, end)) = self.ends.remove(&fd) {
                    self.connections[c].fin[end] = true;
                }
            }
            _ => return false,
        }
        true
    }
}

/// The call a ledger counts it as: `sendmsg` moves a connection's bytes
/// as `sendto` does, and `recvmsg` as `recvfrom` (the fds a message may
/// carry change no byte count).
fn same_as(syscall: &str) -> &str {
    match syscall {
        "sendmsg" => "sendto",
        "recvmsg" => "recvfrom",
        other => other,
    }
}

impl Ledger {
    /// Whether a datagram call's cause has been shown: a `recvfrom` whose
    /// sender is a socket bound here waits until that socket has sent
    /// more datagrams than have been received from it. Any other call,
    /// or a sender that is not here, has nothing to wait for.
    pub fn datagram_caused(&self, call: &CallEvent) -> bool {
        match datagram_source(call) {
            Some(from) => self
                .datagrams
                .get(from)
                .is_none_or(|&(sent, received)| sent > received),
            None => true,
        }
    }

    /// Note a datagram call that has been shown: a `bind` (and after it a
    /// `getsockname`, for the port a bind to port 0 got) names a sender,
    /// its `sendto`s count, a `recvfrom` from it counts, and a
    /// `close` forgets it. False when the call changes nothing here.
    pub fn note_datagram(&mut self, call: &CallEvent) -> bool {
        let Some(fd) = call.fd else {
            return false;
        };
        match &*call.syscall {
            "bind" if call.role == Some(Role::Datagram) => {
                let Some(addr) = call.args.get(1) else {
                    return false;
                };
                self.datagrams.entry(addr.text.clone()).or_default();
                self.bound.insert(fd, addr.text.clone());
            }
            // After a bind to port 0, the port the kernel chose.
            "getsockname" if self.bound.contains_key(&fd) => {
                let Some(addr) = call.args.get(1) else {
                    return false;
                };
                self.datagrams.entry(addr.text.clone()).or_default();
                self.bound.insert(fd, addr.text.clone());
            }
            "sendto" | "sendmsg" => match self.bound.get(&fd) {
                Some(addr) => self.datagrams.entry(addr.clone()).or_default().0 += 1,
                None => return false,
            },
            "recvfrom" => match datagram_source(call).map(str::to_string) {
                Some(from) if self.datagrams.contains_key(&from) => {
                    self.datagrams.entry(from).or_default().1 += 1;
                }
                _ => return false,
            },
            "close" => return self.bound.remove(&fd).is_some(),
            _ => return false,
        }
        true
    }
}

/// The sender's address a datagram `recvfrom` wrote (its fifth
/// argument), as strace spells it; None for any other call.
fn datagram_source(call: &CallEvent) -> Option<&str> {
    if call.syscall != "recvfrom" || call.role != Some(Role::Datagram) {
        return None;
    }
    call.args.get(4).map(|a| a.text.as_str())
}

static LEDGER: Mutex<Option<Ledger>> = Mutex::new(None);
static SHOWN: Condvar = Condvar::new();

/// A thread now plays `side`.
pub fn side_seen(side: Side) {
    let bit = match side {
        Side::Server => 1,
        Side::Client => 2,
    };
    SIDES.fetch_or(bit, Ordering::Relaxed);
}

fn both_sides() -> bool {
    SIDES.load(Ordering::Relaxed) == 3
}

fn ledger() -> MutexGuard<'static, Option<Ledger>> {
    LEDGER.lock().unwrap_or_else(|e| e.into_inner())
}

/// The fd and value of a successful call.
fn succeeded(call: &CallEvent) -> Option<(i32, i64)> {
    Some((call.fd.unwrap_or(-1), call.value()?))
}

/// Before `call` is shown: wait until what caused it has been shown.
pub fn before(call: &CallEvent) {
    if !both_sides() {
        return;
    }
    let Some((fd, ret)) = succeeded(call) else {
        return;
    };
    let deadline = Instant::now() + LIMIT;
    let mut guard = ledger();
    loop {
        let ledger = guard.get_or_insert_with(Ledger::default);
        let caused = ledger.caused(&call.syscall, fd, ret) && ledger.datagram_caused(call);
        let now = Instant::now();
        if caused || now >= deadline {
            return;
        }
        guard = SHOWN
            .wait_timeout(guard, deadline - now)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// After `call` has been shown: note what it did to its connection, and
/// wake the threads whose lines wait for it.
pub fn after(call: &CallEvent) {
    // A bind is noted even while one side alone has a thread: a UDP
    // server binds before its clients start, and answers them later.
    if !both_sides() && call.syscall != "bind" && call.syscall != "getsockname" {
        return;
    }
    let Some((fd, ret)) = succeeded(call) else {
        return;
    };
    let how = call.args.get(1).and_then(|a| a.as_i64());
    let mut guard = ledger();
    let ledger = guard.get_or_insert_with(Ledger::default);
    let changed = ledger.note(&call.syscall, fd, ret, how) | ledger.note_datagram(call);
    drop(guard);
    if changed {
        SHOWN.notify_all();
    }
}

/// The ledger's lock, for the tracer to hold across a `fork` (see
/// trace/mod.rs): no thread is then noting a call at the instant of the
/// copy, so the child finds the lock free and the ledger whole.
pub(super) fn lock_for_fork() -> MutexGuard<'static, Option<Ledger>> {
    ledger()
}

/// Just after a `fork`, in each process, with the ledger's lock held.
///
/// From now on the other end of any connection this program had may be in
/// the other process: a `fork` server's child sends on the data socket
/// while the parent's client thread reads it, and this process will not
/// see those sends. So no line waits for a connection that existed before
/// the fork: in the parent, those connections are no longer paired; the
/// child starts with an empty ledger, and with only the side of its one
/// thread (the thread that forked), until it starts others.
pub(super) fn forked(ledger: &mut Option<Ledger>, in_child: bool, side: Option<Side>) {
    if in_child {
        *ledger = None;
        SIDES.store(0, Ordering::Relaxed);
        if let Some(side) = side {
            side_seen(side);
        }
    } else if let Some(ledger) = ledger.as_mut() {
        for conn in &mut ledger.connections {
            conn.paired = false;
        }
    }
}

/// After the ledger's lock is let go: the lines that waited for a
/// connection that is no longer paired may go now.
pub(super) fn wake_after_fork() {
    SHOWN.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Arg;
    use crate::strace::Ret;

    /// A connection with both ends here: a recv waits for the sends that
    /// cover it, whether they were sendto or sendmsg, and recvmsg waits as
    /// recvfrom does.
    #[test]
    fn sendmsg_and_recvmsg_count_as_sendto_and_recvfrom() {
        let mut l = Ledger::default();
        l.note("connect", 3, 0, None);
        l.note("accept4", 4, 5, None);
        assert!(!l.caused("recvmsg", 5, 3));
        assert_eq!(l.awaits("recvmsg", 5), Some(Cause::Connection(0)));
        assert_eq!(
            l.lets_go("sendmsg", 3, 3),
            [Some(Cause::Connection(0)), None]
        );
        l.note("sendmsg", 3, 2, None);
        assert!(!l.caused("recvmsg", 5, 3));
        l.note("sendto", 3, 1, None);
        assert!(l.caused("recvmsg", 5, 3));
        l.note("recvmsg", 5, 3, None);
        assert!(!l.caused("recvfrom", 5, 1));
    }

    fn datagram(syscall: &'static str, fd: i32, args: &[&str]) -> CallEvent {
        let args = args.iter().map(|a| Arg::opaque(a.to_string())).collect();
        let mut e = CallEvent::new(syscall, args, Ret::Value(1));
        e.fd = Some(fd);
        e.role = Some(Role::Datagram);
        e
    }

    /// UDP: a datagram received from a socket bound here waits for that
    /// socket's sendto; one from a socket that is not here waits for
    /// nothing.
    #[test]
    fn a_datagram_from_a_socket_here_waits_for_its_sendto() {
        let server = "{sa_family=AF_INET, sin_port=htons(7810), sin_addr=inet_addr(\"127.0.0.1\")}";
        let other = "{sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr(\"127.0.0.1\")}";
        let recv_from = |from: &str| {
            datagram(
                "recvfrom",
                4,
                &["4", "\"ok\"", "64", "0", from, "[128 => 16]"],
            )
        };
        let mut l = Ledger::default();
        assert!(l.note_datagram(&datagram("bind", 3, &["3", server, "16"])));
        assert!(l.datagram_caused(&recv_from(other)));
        assert!(!l.datagram_caused(&recv_from(server)));
        assert!(l.note_datagram(&datagram(
            "sendto",
            3,
            &["3", "\"ok\"", "2", "0", other, "16"]
        )));
        assert!(l.datagram_caused(&recv_from(server)));
        assert!(l.note_datagram(&recv_from(server)));
        assert!(!l.datagram_caused(&recv_from(server)));
        // A TCP recvfrom is not a datagram's.
        let mut tcp = recv_from(server);
        tcp.role = Some(Role::Data);
        assert!(l.datagram_caused(&tcp));
    }
}
