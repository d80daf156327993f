//! `socklab diagram` on records of size N, 2N and 4N, in two shapes: one
//! call carrying one huge string, and many runs of lesson 09 one after
//! another in one file. Each size is read and drawn in-process, as
//! `socklab diagram FILE --svg OUT` does (parse the record, draw the text
//! and the SVG), and the bench prints time(2N)/time(N) and time(4N)/time(2N):
//! about 2 means the time grows with the size (linear), about 4 quadratic.
//!
//! Run with `cargo bench --bench diagram` (about four seconds). After `--`,
//! a number sets N in KiB (default 2048; the huge string starts at 2N, as
//! it is read eight times as fast), and `huge` or `runs` measures one shape
//! only.
//!
//! One step is not the reader's: glibc gives each allocation of 32 MiB or
//! more fresh pages from the kernel, whose first touch costs a page fault,
//! so a string's cost per byte rises by about a third between 16 and 32
//! MiB, once (2N/N about 2.6 there), and is flat again above.

use socklab_tools::{diagram, record};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A real run of lesson 09 (`09_echo --port 0 --record FILE`), 22 calls.
const LESSON_09: &str = include_str!("../tests/data/09_echo.jsonl");
/// The run's two threads, renumbered in each copy as separate runs would be.
const SERVER_TID: &str = "\"tid\":15647,";
const CLIENT_TID: &str = "\"tid\":15649,";
/// The client's first send, whose string the huge-string shape replaces.
const FIRST_SEND: &str = r#""args":["4","\"hello\\n\"","6","0","NULL","0"],"ret":6,"#;
const DEFAULT_KIB: usize = 2048;
const ROUNDS: usize = 9;

fn main() {
    let kib = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(DEFAULT_KIB);
    let only = std::env::args().find(|a| a == "huge" || a == "runs");
    let n = kib * 1024;
    assert!(LESSON_09.contains(FIRST_SEND) && LESSON_09.contains(SERVER_TID));
    println!("socklab diagram (parse + text + svg), {ROUNDS} rounds");
    for (key, shape, base, make) in [
        (
            "huge",
            "one huge string",
            2 * n,
            huge_string as fn(usize) -> String,
        ),
        ("runs", "concatenated runs", n, concatenated_runs),
    ] {
        if only.as_deref().is_some_and(|o| o != key) {
            continue;
        }
        let records: Vec<String> = [base, 2 * base, 4 * base].into_iter().map(make).collect();
        let mut times: [Vec<Duration>; 3] = Default::default();
        for round in 0..ROUNDS {
            // The sizes take turns, each round in another order, so that a
            // slow spell of this shared machine does not fall on one size.
            for k in 0..3 {
                let i = (round + k) % 3;
                times[i].push(time(&records[i]));
            }
        }
        // Each round's ratio compares runs made moments apart; the median
        // of those is steadier than a ratio of two bests.
        let ratio = |big: usize| {
            let mut r: Vec<f64> = (0..ROUNDS)
                .map(|round| times[big][round].as_secs_f64() / times[big - 1][round].as_secs_f64())
                .collect();
            r.sort_by(f64::total_cmp);
            r[ROUNDS / 2]
        };
        let best = |i: usize| times[i].iter().min().copied().unwrap_or_default();
        let ms = |i: usize| best(i).as_secs_f64() * 1e3;
        println!(
            "  {shape:<18} N = {:>5} KiB   best: N {:>6.1} ms, 2N {:>6.1} ms, 4N {:>6.1} ms ({:.1} ns/byte)   \
             median ratio: 2N/N {:.2}, 4N/2N {:.2}",
            base / 1024,
            ms(0),
            ms(1),
            ms(2),
            best(2).as_secs_f64() * 1e9 / records[2].len() as f64,
            ratio(1),
            ratio(2),
        );
    }
}

/// What `socklab diagram FILE --svg OUT` does with the file's text.
fn time(text: &str) -> Duration {
    let start = Instant::now();
    let calls = record::parse_events(black_box(text)).expect("a valid record");
    black_box(diagram::text(&calls));
    black_box(diagram::svg(&calls));
    start.elapsed()
}

/// Lesson 09's run whose first send carries about `size` bytes, as strace
/// escapes them (a `\n` every 64 bytes), escaped again in JSON.
fn huge_string(size: usize) -> String {
    let line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\\\\n";
    let mut payload = String::with_capacity(size + line.len());
    while payload.len() < size {
        payload.push_str(line);
    }
    let send = format!(
        r#""args":["4","\"{payload}\"","{}","0","NULL","0"],"ret":{},"#,
        payload.len(),
        payload.len()
    );
    LESSON_09.replacen(FIRST_SEND, &send, 1)
}

/// Copies of lesson 09's run, one after another, about `size` bytes, each
/// with its own thread ids.
fn concatenated_runs(size: usize) -> String {
    let mut out = String::with_capacity(size + LESSON_09.len());
    let mut run = 0;
    while out.len() < size {
        let server = format!("\"tid\":{},", 100_000 + 2 * run);
        let client = format!("\"tid\":{},", 100_001 + 2 * run);
        out.push_str(
            &LESSON_09
                .replace(SERVER_TID, &server)
                .replace(CLIENT_TID, &client),
        );
        run += 1;
    }
    out
}
