//! Lesson 19's figures: 10,000 connections on one epoll thread, and what
//! one wake-up of select, poll and epoll costs as the fds they watch grow.
//!
//! Run with `cargo bench --bench epoll` (about a minute). Two parts:
//!
//! - **10,000 clients**: `19_epoll --clients 10000` (the lesson's scale
//!   mode, built by `cargo bench` in release), [`RUNS`] times with
//!   tracing off, then once counting calls (the default view) and once
//!   recording every call to a file. Each run prints the server's time to
//!   serve every client (from the fork to the last close) and its peak
//!   memory (VmHWM); the bench gives the median time, the largest peak,
//!   and the whole run's wall-clock time, against the goal of 64 MiB.
//! - **Wake-up cost**: N idle UDP sockets (one fd each, nothing ever
//!   arrives on them) and one more that a datagram reaches before each
//!   wait; the wait (`select`, `poll` or `epoll_wait`) then returns at
//!   once with that one fd ready, and the time of that call alone is one
//!   wake-up. N is 10, 100, 1,000 and 10,000 (select stops at 1,000: its
//!   fd set holds fds 0 to 1023). The calls are made with libc directly,
//!   so the figure is the kernel's work and not a wrapper's. The
//!   mechanisms and sizes take turns in each of [`ROUNDS`] rounds; a
//!   figure is the median of its rounds' means. The bench writes the plot
//!   to `docs/wakeup_cost.svg`, by hand (no plotting dependency), and
//!   prints the ratios taken in this one run.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const CLIENTS: &str = "10000";
const RSS_GOAL_MIB: f64 = 64.0;
const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const ROUNDS: usize = 7;
/// Wake-ups measured per size: fewer at 10,000 fds, where one poll takes
/// milliseconds.
fn wakeups(n: usize) -> usize {
    if n >= 10_000 {
        100
    } else {
        1_000
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mechanism {
    Select,
    Poll,
    Epoll,
}

const MECHANISMS: [Mechanism; 3] = [Mechanism::Select, Mechanism::Poll, Mechanism::Epoll];

impl Mechanism {
    fn name(self) -> &'static str {
        match self {
            Mechanism::Select => "select",
            Mechanism::Poll => "poll",
            Mechanism::Epoll => "epoll",
        }
    }

    /// select's fd set ends at fd 1023.
    fn fits(self, n: usize) -> bool {
        self != Mechanism::Select || n + 16 < 1024
    }
}

fn main() {
    raise_open_file_limit();
    let only_plot = std::env::args().any(|a| a == "wakeup");
    if !only_plot {
        ten_thousand_clients();
    }
    wakeup_cost();
}

// ---------------------------------------------------------------------
// 10,000 clients
// ---------------------------------------------------------------------

/// One run of the lesson's scale mode: (wall clock, time to serve, peak
/// RSS in MiB).
fn scale_run(extra: &[&str]) -> (Duration, f64, f64) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_19_epoll"))
        .args([
            "--clients",
            CLIENTS,
            "--port",
            "0",
            "--no-kernel",
            "--lang",
            "en",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("19_epoll runs");
    let wall = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "19_epoll --clients {CLIENTS} failed");
    assert!(
        text.contains(&format!("echoed {CLIENTS} lines in ")),
        "every client served: {text}"
    );
    // "... and echoed 10000 lines in 0.52 s. Its peak memory (VmHWM in
    // /proc/PID/status): 4.4 MiB."
    let after = |key: &str| -> f64 {
        let at = text.find(key).expect(key) + key.len();
        let rest = &text[at..];
        let num: String = rest
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        num.parse().expect(key)
    };
    (
        wall,
        after(&format!("echoed {CLIENTS} lines in")),
        after("/status):"),
    )
}

fn ten_thousand_clients() {
    println!("19_epoll --clients {CLIENTS}: one epoll server thread, {CLIENTS} clients in a forked process, each echo-verified");
    let mut serve = Vec::new();
    let mut walls = Vec::new();
    let mut rss: f64 = 0.0;
    for _ in 0..RUNS {
        let (wall, s, r) = scale_run(&["--trace", "off"]);
        walls.push(wall.as_secs_f64());
        serve.push(s);
        rss = rss.max(r);
    }
    let (wall_c, serve_c, rss_c) = scale_run(&[]);
    let record =
        std::env::temp_dir().join(format!("socklab-epoll-bench-{}.jsonl", std::process::id()));
    let (wall_r, serve_r, rss_r) =
        scale_run(&["--trace", "off", "--record", record.to_str().unwrap()]);
    let recorded = std::fs::read_to_string(&record).map_or(0, |t| t.lines().count());
    let _ = std::fs::remove_file(&record);
    println!(
        "  tracing off ({RUNS} runs): serve {:.2} s median ({:.2}–{:.2}), whole run {:.2} s median; server peak RSS {:.1} MiB (goal ≤ {RSS_GOAL_MIB} MiB: {:.2} of it)",
        median(&serve),
        min(&serve),
        max(&serve),
        median(&walls),
        rss,
        rss / RSS_GOAL_MIB
    );
    println!(
        "  counting calls (strace -c view): serve {serve_c:.2} s, whole run {:.2} s, peak RSS {rss_c:.1} MiB",
        wall_c.as_secs_f64()
    );
    println!(
        "  recording every call ({recorded} lines): serve {serve_r:.2} s, whole run {:.2} s, peak RSS {rss_r:.1} MiB",
        wall_r.as_secs_f64()
    );
    println!();
}

// ---------------------------------------------------------------------
// Wake-up cost
// ---------------------------------------------------------------------

/// A UDP socket: one fd, no address until it sends or binds.
fn udp() -> i32 {
    // SAFETY: plain integer arguments.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    fd
}

fn loopback(port: u16) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    }
}

/// The sockets of one measurement: `idle` fds nobody sends to, the one
/// the datagrams reach (`ready`, created last so it has the highest fd)
/// and the one that sends them.
struct Fds {
    idle: Vec<i32>,
    ready: i32,
    sender: i32,
    to: libc::sockaddr_in,
}

impl Fds {
    fn new(n: usize) -> Fds {
        let idle: Vec<i32> = (0..n).map(|_| udp()).collect();
        let sender = udp();
        let ready = udp();
        let mut addr = loopback(0);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: addr is a sockaddr_in of `len` bytes.
        unsafe {
            assert_eq!(
                libc::bind(ready, &addr as *const _ as *const libc::sockaddr, len),
                0
            );
            let mut got = len;
            libc::getsockname(ready, &mut addr as *mut _ as *mut libc::sockaddr, &mut got);
        }
        Fds {
            idle,
            ready,
            sender,
            to: addr,
        }
    }

    /// Make `ready` readable: one datagram.
    fn poke(&self) {
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: a 1-byte buffer and a sockaddr_in of `len` bytes.
        let n = unsafe {
            libc::sendto(
                self.sender,
                b"x".as_ptr().cast(),
                1,
                0,
                &self.to as *const _ as *const libc::sockaddr,
                len,
            )
        };
        assert_eq!(n, 1);
    }

    /// Read the datagram back, so `ready` is idle again.
    fn drain(&self) {
        let mut b = [0u8; 8];
        // SAFETY: a buffer of 8 bytes.
        let n = unsafe { libc::recv(self.ready, b.as_mut_ptr().cast(), b.len(), 0) };
        assert_eq!(n, 1);
    }

    fn all(&self) -> impl Iterator<Item = i32> + '_ {
        self.idle.iter().copied().chain([self.ready])
    }
}

impl Drop for Fds {
    fn drop(&mut self) {
        for fd in self.all().chain([self.sender]).collect::<Vec<_>>() {
            // SAFETY: fds this struct opened.
            unsafe { libc::close(fd) };
        }
    }
}

/// The mean time of one wait call that finds `ready` readable among
/// `fds.idle.len() + 1` watched fds.
fn mean_wakeup(m: Mechanism, fds: &Fds) -> Duration {
    let mut total = Duration::ZERO;
    let count = wakeups(fds.idle.len());
    match m {
        Mechanism::Poll => {
            let mut set: Vec<libc::pollfd> = fds
                .all()
                .map(|fd| libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            for _ in 0..count {
                fds.poke();
                let t = Instant::now();
                // SAFETY: set is a valid array of pollfd.
                let n = unsafe { libc::poll(set.as_mut_ptr(), set.len() as libc::nfds_t, -1) };
                total += t.elapsed();
                assert_eq!(n, 1);
                fds.drain();
            }
        }
        Mechanism::Select => {
            let nfds = fds.all().max().unwrap() + 1;
            for _ in 0..count {
                // The kernel overwrites the set: fill it again each time,
                // as a select loop must (outside the timed call).
                // SAFETY: fd_set is plain bits; every fd is below 1024.
                let mut set: libc::fd_set = unsafe { std::mem::zeroed() };
                for fd in fds.all() {
                    unsafe { libc::FD_SET(fd, &mut set) };
                }
                fds.poke();
                let t = Instant::now();
                // SAFETY: set holds fds below nfds; no timeout.
                let n = unsafe {
                    libc::select(
                        nfds,
                        &mut set,
                        std::ptr::null_mut(),
                        std::ptr::null_mut(),
                        std::ptr::null_mut(),
                    )
                };
                total += t.elapsed();
                assert_eq!(n, 1);
                fds.drain();
            }
        }
        Mechanism::Epoll => {
            // SAFETY: plain integer argument.
            let ep = unsafe { libc::epoll_create1(0) };
            assert!(ep >= 0);
            for fd in fds.all() {
                let mut ev = libc::epoll_event {
                    events: libc::EPOLLIN as u32,
                    u64: fd as u64,
                };
                // SAFETY: ev is a valid epoll_event.
                assert_eq!(
                    unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, fd, &mut ev) },
                    0
                );
            }
            let mut out = [libc::epoll_event { events: 0, u64: 0 }; 16];
            for _ in 0..count {
                fds.poke();
                let t = Instant::now();
                // SAFETY: out has room for 16 events.
                let n = unsafe { libc::epoll_wait(ep, out.as_mut_ptr(), 16, -1) };
                total += t.elapsed();
                assert_eq!(n, 1);
                fds.drain();
            }
            // SAFETY: the epoll fd made above.
            unsafe { libc::close(ep) };
        }
    }
    total / count as u32
}

fn wakeup_cost() {
    // Each round measures every mechanism at every size, in another order
    // each round, each with sockets made for it alone (so select's fds
    // are the lowest free ones, below 1024).
    let cells: Vec<(Mechanism, usize)> = MECHANISMS
        .iter()
        .flat_map(|&m| (0..SIZES.len()).map(move |s| (m, s)))
        .filter(|&(m, s)| m.fits(SIZES[s]))
        .collect();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cells.len()];
    for round in 0..ROUNDS {
        for k in 0..cells.len() {
            let i = (round * 5 + k) % cells.len();
            let (m, s) = cells[i];
            let fds = Fds::new(SIZES[s]);
            times[i].push(mean_wakeup(m, &fds).as_secs_f64() * 1e6);
        }
    }
    let figure = |m: Mechanism, n: usize| -> Option<f64> {
        let s = SIZES.iter().position(|&x| x == n)?;
        let i = cells.iter().position(|&c| c == (m, s))?;
        Some(median(&times[i]))
    };
    println!("One wake-up (µs; the wait call alone, median of {ROUNDS} rounds' means of 1,000, or 100 at 10,000 fds), by idle fds watched:");
    print!("{:>8}", "idle fds");
    for m in MECHANISMS {
        print!("{:>10}", m.name());
    }
    println!();
    for &n in &SIZES {
        print!("{n:>8}");
        for m in MECHANISMS {
            match figure(m, n) {
                Some(us) => print!("{us:>10.2}"),
                None => print!("{:>10}", "—"),
            }
        }
        println!();
    }
    let ratio =
        |m: Mechanism, hi: usize, lo: usize| figure(m, hi).unwrap() / figure(m, lo).unwrap();
    println!(
        "Ratios in this run: poll 10,000/10 = {:.1}, select 1,000/10 = {:.1}, epoll 10,000/10 = {:.2}; at 10,000 fds poll/epoll = {:.1}",
        ratio(Mechanism::Poll, 10_000, 10),
        ratio(Mechanism::Select, 1_000, 10),
        ratio(Mechanism::Epoll, 10_000, 10),
        figure(Mechanism::Poll, 10_000).unwrap() / figure(Mechanism::Epoll, 10_000).unwrap()
    );
    // What the plot is there to show, checked: poll's cost grows with the
    // fds it is handed, epoll's does not.
    assert!(
        ratio(Mechanism::Poll, 10_000, 10) > 10.0,
        "poll at 10,000 fds should cost far more than at 10"
    );
    assert!(
        ratio(Mechanism::Epoll, 10_000, 10) < 3.0,
        "epoll at 10,000 fds should cost about what it does at 10"
    );
    let series: Vec<(Mechanism, Vec<(usize, f64)>)> = MECHANISMS
        .iter()
        .map(|&m| {
            (
                m,
                SIZES
                    .iter()
                    .filter_map(|&n| figure(m, n).map(|us| (n, us)))
                    .collect(),
            )
        })
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("docs/wakeup_cost.svg");
    std::fs::write(&path, svg(&series)).expect("write the plot");
    println!("Plot written to {}", path.display());
}

/// The plot: fds watched across (log scale), µs per wake-up up (log
/// scale), a line and dots per mechanism.
fn svg(series: &[(Mechanism, Vec<(usize, f64)>)]) -> String {
    let (w, h) = (640.0, 400.0);
    let (left, right, top, bottom) = (70.0, 130.0, 30.0, 60.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    // The y axis spans whole decades around the figures.
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, y)| y))
        .collect();
    let lo = min(&all).log10().floor();
    let hi = max(&all).log10().ceil().max(lo + 1.0);
    let x = |n: usize| left + pw * ((n as f64).log10() - 1.0) / 3.0;
    let y = |us: f64| top + ph * (1.0 - (us.log10() - lo) / (hi - lo));
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <title>One wake-up of select, poll and epoll, by the number of idle fds watched</title>\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"18\">One wake-up: the wait call alone, the ready fd watched last (cargo bench --bench epoll)</text>\n"
    );
    // Grid and labels: a line per decade on each axis.
    for &n in &SIZES {
        let px = x(n);
        s.push_str(&format!(
            "<line x1=\"{px:.1}\" y1=\"{top}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\n\
             <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            top + ph,
            top + ph + 18.0,
            thousands(n)
        ));
    }
    let mut d = lo;
    while d <= hi + 1e-9 {
        let v = 10f64.powf(d);
        let py = y(v);
        let label = if v >= 1.0 {
            format!("{v:.0}")
        } else {
            format!("{v}")
        };
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"#ddd\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>\n",
            left + pw,
            left - 8.0,
            py + 4.0
        ));
        d += 1.0;
    }
    s.push_str(&format!(
        "<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#333\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">idle fds watched (log scale)</text>\n\
         <text x=\"18\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {:.1})\">µs per wake-up (log scale)</text>\n",
        left + pw / 2.0,
        h - 15.0,
        top + ph / 2.0,
        top + ph / 2.0
    ));
    let colour = |m: Mechanism| match m {
        Mechanism::Select => "#d95f02",
        Mechanism::Poll => "#7570b3",
        Mechanism::Epoll => "#1b9e77",
    };
    for (i, (m, points)) in series.iter().enumerate() {
        let c = colour(*m);
        let path: Vec<String> = points
            .iter()
            .map(|&(n, us)| format!("{:.1},{:.1}", x(n), y(us)))
            .collect();
        s.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\"/>\n",
            path.join(" ")
        ));
        for &(n, us) in points {
            s.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{c}\"><title>{} at {}: {us:.2} µs</title></circle>\n",
                x(n),
                y(us),
                m.name(),
                thousands(n)
            ));
        }
        let ly = top + 20.0 + 22.0 * i as f64;
        let lx = left + pw + 15.0;
        s.push_str(&format!(
            "<line x1=\"{lx:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{c}\" stroke-width=\"2\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            lx + 24.0,
            lx + 30.0,
            ly + 4.0,
            m.name()
        ));
    }
    s.push_str("</svg>\n");
    s
}

fn thousands(n: usize) -> String {
    if n >= 1000 {
        format!("{},{:03}", n / 1000, n % 1000)
    } else {
        n.to_string()
    }
}

fn raise_open_file_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write one rlimit.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
    assert!(
        lim.rlim_cur >= 10_100,
        "the wake-up bench holds 10,000 sockets: the open-file limit is {}",
        lim.rlim_cur
    );
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}
