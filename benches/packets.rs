//! What `--packets` costs: lesson 09's wall time with and without it, in
//! one run. `socklab run 9 --no-kernel` and `socklab run 9 --packets
//! --no-kernel` take turns, ROUNDS times each, output to nowhere; the
//! figure is the ratio of their medians (and of their best times).
//!
//! `--packets` adds: a network namespace (and a user namespace when not
//! root), a second process (the capture), the lesson's output through a
//! pipe, reading its record back, and the packets put between its lines.
//! The lesson's own calls are the same.
//!
//! `cargo bench --bench packets` (`-- N` for N rounds). Without
//! `--packets`, lesson 09 listens on its fixed port, 7809: run the bench
//! where nothing else uses it, or in a namespace of its own
//! (`unshare -rn sh -c 'ip link set lo up && cargo bench --bench packets'`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;

fn run(socklab: &Path, packets: bool) -> Duration {
    let mut cmd = Command::new(socklab);
    cmd.args(["run", "9", "--no-kernel"]);
    if packets {
        cmd.arg("--packets");
    }
    let t = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("run socklab");
    let took = t.elapsed();
    assert!(status.success(), "socklab run 9 failed: {status}");
    took
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(ROUNDS);
    let socklab = Path::new(env!("CARGO_BIN_EXE_socklab"));
    // Built already, and warm: one untimed run of each.
    run(socklab, false);
    run(socklab, true);
    let (mut plain, mut packets) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // Alternate which goes first, so a drift of the machine's speed
        // falls on both alike.
        if i % 2 == 0 {
            plain.push(run(socklab, false));
            packets.push(run(socklab, true));
        } else {
            packets.push(run(socklab, true));
            plain.push(run(socklab, false));
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (best_plain, best_packets) = (*plain.iter().min().unwrap(), *packets.iter().min().unwrap());
    let (med_plain, med_packets) = (median(&mut plain), median(&mut packets));
    println!("lesson 09, {rounds} rounds each, in turns:");
    println!(
        "  socklab run 9 --no-kernel            median {:7.1} ms, best {:7.1} ms",
        ms(med_plain),
        ms(best_plain)
    );
    println!(
        "  socklab run 9 --no-kernel --packets  median {:7.1} ms, best {:7.1} ms",
        ms(med_packets),
        ms(best_packets)
    );
    println!(
        "  --packets costs {:.2}x the wall time (medians), {:.2}x (best against best)",
        ms(med_packets) / ms(med_plain),
        ms(best_packets) / ms(best_plain)
    );
}
