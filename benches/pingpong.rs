//! Loopback TCP ping-pong, 64-byte messages, 50,000 round trips, three
//! ways in one run: raw libc calls, socklab with tracing off, and socklab
//! recording every call to a file. Prints each time and the ratios to raw.
//!
//! Run with `cargo bench -p socklab`. The machine is noisy, so the variants take turns
//! in every round, and a variant's ratio to raw is the median of its
//! rounds' ratios.

use socklab::trace::{configure, View};
use socklab::{Connection, Family, MsgFlags, SockAddr, Socket};
use std::time::{Duration, Instant};

const ROUND_TRIPS: usize = 50_000;
const MSG: usize = 64;
const ROUNDS: usize = 9;
/// A text payload, as lessons send. (Binary bytes each print as an octal
/// escape, which the JSON record escapes again, and cost more.)
const PAYLOAD: &[u8; MSG] =
    b"GET /lesson/06 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Ping: 0123456789\r\n\r\n";

fn main() {
    // Both threads on one core: each round trip is then two context
    // switches, not two cross-core wake-ups, whose latency varies a lot
    // with what else the machine runs. Threads inherit the main thread's mask.
    pin_to_one_cpu();
    let record = std::env::temp_dir().join(format!("socklab-bench-{}.jsonl", std::process::id()));
    // `cargo bench -p socklab -- record` (or raw, off) runs one variant only, for a profiler.
    let only = std::env::args()
        .skip(1)
        .find(|a| ["raw", "off", "record"].contains(&a.as_str()));
    let runs = |v: usize| only.as_deref().is_none_or(|o| o == NAMES[v]);
    let mut times: [Vec<Duration>; 3] = Default::default();
    for round in 0..ROUNDS {
        // The variants take turns, each round in another order, so that a
        // slow spell of the machine does not always fall on the same one.
        for k in 0..3 {
            let v = (round + k) % 3;
            if !runs(v) {
                continue;
            }
            let t = match v {
                0 => raw_libc(),
                1 => {
                    configure(View::Off, None).unwrap();
                    socklab_run()
                }
                _ => {
                    configure(View::Off, Some(&record)).unwrap();
                    socklab_run()
                }
            };
            configure(View::Off, None).unwrap();
            times[v].push(t);
        }
    }
    let _ = std::fs::remove_file(&record);
    if only.is_some() {
        println!("{only:?}: {:?}", times.iter().flatten().collect::<Vec<_>>());
        return;
    }
    println!("loopback TCP ping-pong, {ROUND_TRIPS} round trips of {MSG} bytes, {ROUNDS} rounds");
    let best = |v: usize| times[v].iter().min().unwrap().as_secs_f64();
    println!("  raw libc               {:>8.1} ms (best)", best(0) * 1e3);
    for (v, name) in [(1, "socklab, tracing off"), (2, "socklab, record file")] {
        // Each round's ratio compares runs made seconds apart; the median
        // of those is steadier than a ratio of two bests.
        let mut ratios: Vec<f64> = (0..ROUNDS)
            .map(|r| times[v][r].as_secs_f64() / times[0][r].as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name:<22} {:>8.1} ms (best)   {:.3}x raw (median of rounds; best/best {:.3}x)",
            best(v) * 1e3,
            ratios[ROUNDS / 2],
            best(v) / best(0)
        );
    }
}

const NAMES: [&str; 3] = ["raw", "off", "record"];

fn socklab_run() -> Duration {
    let server = Socket::new(Family::Inet).unwrap();
    server.bind(&SockAddr::loopback(0)).unwrap();
    let addr = server.getsockname().unwrap();
    let listener = server.listen(1).unwrap();
    let echo = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; MSG];
        while read_full(&conn, &mut buf) {
            conn.send(&buf, MsgFlags::NONE).unwrap();
        }
    });
    let client = Socket::new(Family::Inet).unwrap().connect(&addr).unwrap();
    let msg = *PAYLOAD;
    let mut buf = [0u8; MSG];
    let start = Instant::now();
    for _ in 0..ROUND_TRIPS {
        client.send(&msg, MsgFlags::NONE).unwrap();
        read_full(&client, &mut buf);
    }
    let took = start.elapsed();
    client.close().unwrap();
    echo.join().unwrap();
    took
}

/// Fill `buf` from a TCP stream, which may deliver it in pieces. False at EOF.
fn read_full(conn: &Connection, buf: &mut [u8]) -> bool {
    let mut got = 0;
    while got < buf.len() {
        match conn.recv(&mut buf[got..], MsgFlags::NONE).unwrap() {
            0 => return false,
            n => got += n,
        }
    }
    true
}

fn raw_libc() -> Duration {
    unsafe {
        let l = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        let (ss, len) = SockAddr::loopback(0).to_raw();
        assert_eq!(
            libc::bind(l, &ss as *const _ as *const libc::sockaddr, len),
            0
        );
        let mut bound = ss;
        let mut blen = len;
        libc::getsockname(l, &mut bound as *mut _ as *mut libc::sockaddr, &mut blen);
        assert_eq!(libc::listen(l, 1), 0);
        let echo = std::thread::spawn(move || {
            let c = libc::accept(l, std::ptr::null_mut(), std::ptr::null_mut());
            let mut buf = [0u8; MSG];
            while raw_read_full(c, &mut buf) {
                libc::send(c, buf.as_ptr().cast(), MSG, 0);
            }
            libc::close(c);
            libc::close(l);
        });
        let c = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert_eq!(
            libc::connect(c, &bound as *const _ as *const libc::sockaddr, blen),
            0
        );
        let msg = *PAYLOAD;
        let mut buf = [0u8; MSG];
        let start = Instant::now();
        for _ in 0..ROUND_TRIPS {
            libc::send(c, msg.as_ptr().cast(), MSG, 0);
            raw_read_full(c, &mut buf);
        }
        let took = start.elapsed();
        libc::close(c);
        echo.join().unwrap();
        took
    }
}

unsafe fn raw_read_full(fd: i32, buf: &mut [u8]) -> bool {
    let mut got = 0;
    while got < buf.len() {
        let n = libc::recv(fd, buf[got..].as_mut_ptr().cast(), buf.len() - got, 0);
        if n <= 0 {
            return false;
        }
        got += n as usize;
    }
    true
}

fn pin_to_one_cpu() {
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}
