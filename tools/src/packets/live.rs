//! `socklab serve --packets` and `socklab connect --packets`: the packets
//! printed as they travel, between the call lines, for a run that goes on
//! until Ctrl-C.
//!
//! - **Where.** The peer is another program (`nc`, a browser, a lesson),
//!   and a program outside cannot reach a private network namespace, so
//!   the capture listens on this machine's own loopback, which only root
//!   may, and only the packets to or from a port that the command's calls
//!   named (bound, connected to, accepted from) are shown.
//! - **The capture** is the process `run --packets` uses (`socklab
//!   __capture --live`), started before the first call: it writes each
//!   frame as it reads it, and answers a sync (a byte on its stdin) once
//!   it has written every frame its socket held.
//! - **In time order.** A call's line is written when the call returns.
//!   Just before it (the tracer's [`socklab::trace::before_each_line`],
//!   with stdout locked), socklab asks the capture for a sync: every frame
//!   sent before the call returned is then here, and those that travelled
//!   before its end are printed above its line, marked with the call they
//!   travelled in. A packet no call line follows soon (the peer's ACK
//!   after a close, a segment while this side is blocked elsewhere) is
//!   printed by a thread of its own once it is [`SETTLE`] old, when no
//!   call that returned before it is still waiting for its line.

use super::timeline::{packet_line, Shown};
use super::{decode, Kind, Packet, Reading};
use socklab::event::CallEvent;
use socklab::lang::Lang;
use std::collections::{HashSet, VecDeque};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// How long a packet waits for a call line to carry it above (the call it
/// woke returns within microseconds) before it is printed on its own.
const SETTLE: Duration = Duration::from_millis(100);

/// How long a line waits for the capture's sync at most: never hang.
const SYNC_WAIT: Duration = Duration::from_secs(1);

/// How many shown calls are kept to mark the packets with.
const RECENT_CALLS: usize = 64;

struct Live {
    /// The capture's stdin: one byte asks for a sync. Also holds the
    /// number of syncs asked for so far.
    ask: Mutex<(ChildStdin, u64)>,
    state: Mutex<State>,
    changed: Condvar,
    shown: Shown,
    lang: Lang,
    color: bool,
    /// The capture process, ended with this one.
    _child: Mutex<Child>,
}

struct State {
    /// Frames read from the capture, not printed yet, with when they came.
    waiting: VecDeque<(Packet, Instant)>,
    synced: u64,
    /// The capture ended (or failed): nothing more will come.
    ended: bool,
    reading: Reading,
    /// The last calls shown, to mark packets with the call in progress.
    recent: VecDeque<CallEvent>,
    /// The ports the command's calls named, and the address it was given.
    ports: HashSet<u16>,
}

static LIVE: OnceLock<Live> = OnceLock::new();

fn live() -> Option<&'static Live> {
    LIVE.get()
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Start the live capture on this machine's loopback and print the
/// packets of the ports the calls name (and `port`, the command's own, when
/// not 0) between the call lines from now on. Call it before the first
/// socket call, with the trace configured.
pub fn start(socklab: &Path, port: u16, shown: Shown, lang: Lang) -> Result<(), String> {
    let mut child = super::capture::spawn(socklab, true)?;
    let stdin = child
        .stdin
        .take()
        .ok_or("the packet capture has no stdin")?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or("the packet capture has no stdout")?;
    let mut ports = HashSet::new();
    if port != 0 {
        ports.insert(port);
    }
    let live = Live {
        ask: Mutex::new((stdin, 0)),
        state: Mutex::new(State {
            waiting: VecDeque::new(),
            synced: 0,
            ended: false,
            reading: Reading::default(),
            recent: VecDeque::new(),
            ports,
        }),
        changed: Condvar::new(),
        shown,
        lang,
        color: socklab::output::color_enabled(),
        _child: Mutex::new(child),
    };
    if LIVE.set(live).is_err() {
        return Err("the live packet capture is already running".to_string());
    }
    std::thread::Builder::new()
        .name("packets-in".into())
        .spawn(move || read_capture(&mut stdout))
        .map_err(|e| format!("cannot start the packet reader: {e}"))?;
    std::thread::Builder::new()
        .name("packets-out".into())
        .spawn(print_settled)
        .map_err(|e| format!("cannot start the packet printer: {e}"))?;
    socklab::trace::before_each_line(before_line);
    Ok(())
}

/// The reader: frames and syncs from the capture, as they come.
fn read_capture(from: &mut impl Read) {
    let Some(live) = live() else { return };
    let mut head = [0u8; 12];
    loop {
        if from.read_exact(&mut head).is_err() {
            break;
        }
        let t = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
        let n = u32::from_le_bytes(head[8..].try_into().unwrap_or_default()) as usize;
        let mut frame = vec![0u8; n];
        if from.read_exact(&mut frame).is_err() {
            break;
        }
        let mut state = live.lock();
        if t == super::capture::SYNCED {
            state.synced += 1;
        } else {
            state.waiting.push_back((
                Packet {
                    t_unix_ns: t,
                    frame,
                },
                Instant::now(),
            ));
        }
        drop(state);
        live.changed.notify_all();
    }
    live.lock().ended = true;
    live.changed.notify_all();
}

/// Just before a call's line (stdout locked): the packets that travelled
/// before the call returned.
fn before_line(call: &CallEvent) {
    let Some(live) = live() else { return };
    let mut state = synced(live);
    // The call's addresses are the run's ports from now on.
    if let Some(port) = call.addr().and_then(|a| a.port()).filter(|&p| p != 0) {
        state.ports.insert(port);
    }
    state.reading.learn_call(call);
    state.recent.push_back(call.clone());
    if state.recent.len() > RECENT_CALLS {
        state.recent.pop_front();
    }
    let end = call
        .time
        .and_then(|t| Some(t.t0_unix_us? * 1000 + t.end_ns))
        .unwrap_or(u64::MAX);
    print_waiting(live, &mut state, Some(end));
}

/// Print (to stdout, which the caller has locked) the waiting packets of
/// the run's ports that travelled before `until` (all of them: None).
fn print_waiting(live: &Live, state: &mut State, until: Option<u64>) {
    let mut text = String::new();
    while let Some((p, _)) = state.waiting.front() {
        if until.is_some_and(|end| p.t_unix_ns > end) {
            break;
        }
        let Some((p, _)) = state.waiting.pop_front() else {
            break;
        };
        let Some(d) = decode(&p.frame) else { continue };
        let (a, b) = match d.kind {
            Kind::PortUnreachable {
                about: Some((a, b)),
            } => (a, b),
            _ => (d.src, d.dst),
        };
        if !state.ports.contains(&a.port()) && !state.ports.contains(&b.port()) {
            continue;
        }
        state.reading.learn(&d);
        let calls: Vec<CallEvent> = state.recent.iter().cloned().collect();
        let seen = state.reading.place(&p, d, &calls);
        match live.shown {
            Shown::Text => text.push_str(&packet_line(&seen, &calls, live.lang, live.color)),
            Shown::Json => text.push_str(&super::to_json(&seen)),
        }
    }
    if !text.is_empty() {
        socklab::output::write_stdout(&text);
    }
}

/// The printer: packets no call line has carried, once they are SETTLE
/// old and no call that returned is still waiting for its line.
fn print_settled() {
    let Some(live) = live() else { return };
    loop {
        let mut state = live.lock();
        // Wait for a packet, then until the oldest has settled.
        loop {
            match state.waiting.front() {
                Some((_, came)) if came.elapsed() >= SETTLE => break,
                Some((_, came)) => {
                    let left = SETTLE.saturating_sub(came.elapsed());
                    state = live
                        .changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
                None if state.ended => return,
                None => {
                    state = live.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            }
        }
        drop(state);
        // stdout first, then the state: the order a call line takes them.
        let out = std::io::stdout().lock();
        if socklab::trace::lines_being_written() {
            // A call returned and its line comes first: let it through.
            drop(out);
            std::thread::yield_now();
            continue;
        }
        let mut state = live.lock();
        let settled = state
            .waiting
            .iter()
            .take_while(|(_, came)| came.elapsed() >= SETTLE)
            .count();
        let until = state
            .waiting
            .get(settled.saturating_sub(1))
            .map(|(p, _)| p.t_unix_ns);
        if settled > 0 {
            print_waiting(live, &mut state, until);
        }
        drop(state);
        drop(out);
    }
}

/// At the end of the command: the packets that travelled until now (the
/// peer's ACK of the last FIN travels inside the close that sent it).
pub fn finish() {
    let Some(live) = live() else { return };
    let out = std::io::stdout().lock();
    let mut state = synced(live);
    print_waiting(live, &mut state, None);
    drop(state);
    drop(out);
}

/// Ask the capture for a sync and wait (at most SYNC_WAIT) until it has
/// answered: every frame its socket held is then waiting here.
fn synced(live: &Live) -> MutexGuard<'_, State> {
    let ticket = {
        let mut ask = live.ask.lock().unwrap_or_else(|e| e.into_inner());
        ask.1 += 1;
        let asked = ask.0.write_all(b"s").and_then(|_| ask.0.flush());
        asked.ok().map(|_| ask.1)
    };
    let mut state = live.lock();
    let Some(ticket) = ticket else { return state };
    let deadline = Instant::now() + SYNC_WAIT;
    while state.synced < ticket && !state.ended {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        state = live
            .changed
            .wait_timeout(state, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    state
}
