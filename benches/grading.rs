//! How long the grader takes, builds excluded, against the goals of
//! issue 9: checking one exercise in at most 2 s, and grading 30
//! submissions of one exercise in at most 60 s on a 2-core machine.
//!
//! Run with `cargo bench --bench grading` (about a minute, after a first
//! build of the reference solutions). Everything is built first: the Rust
//! reference and wrong solutions (the socklab package's examples, `cargo
//! build --release --examples` into cargo's scratch folder) and the C ones
//! (`cc -O1 -Wall`). Then, timed, as a learner and an instructor run them:
//!
//! - `socklab check N -- PROGRAM` for each exercise's reference solution,
//!   Rust and C, a median of [`RUNS`] runs taken in turns, and `socklab
//!   check 1 -- true` (a program that exits at once), the fixed cost of a
//!   check: the namespace, strace's start, the peer's setup; and once,
//!   `socklab check 1 -- sleep 3600`, which stops at the time limit;
//! - `socklab grade N FOLDER` over 30 prebuilt executables of exercise N
//!   (3 unless a number follows `--`): copies of its reference and wrong
//!   solutions, Rust and C, in turn, with the default `--jobs` (the
//!   machine's cores); a median of 3 runs.
//!
//! Each figure is printed with its ratio to its goal (below 1.00: met).

use socklab_tools::grade::exercise::exercise;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const GRADE_RUNS: usize = 3;
const SUBMISSIONS: usize = 30;
const CHECK_GOAL: Duration = Duration::from_secs(2);
const GRADE_GOAL: Duration = Duration::from_secs(60);
const DEFAULT_BATCH_EXERCISE: u8 = 3;

fn main() {
    let batch_exercise = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u8>().ok())
        .unwrap_or(DEFAULT_BATCH_EXERCISE);
    let socklab = Path::new(env!("CARGO_BIN_EXE_socklab"));
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("grading-bench");
    let programs = build_everything(&scratch);

    // Checking one exercise.
    let mut checks: Vec<(String, Vec<std::ffi::OsString>, u8)> = vec![(
        "fixed cost: a program that exits at once".into(),
        vec!["true".into()],
        1,
    )];
    for p in programs.iter().filter(|p| p.stem == "solution") {
        checks.push((
            format!(
                "exercise {}, reference solution, {}",
                p.exercise, p.language
            ),
            vec![p.path.clone().into_os_string()],
            p.exercise,
        ));
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); checks.len()];
    for round in 0..RUNS {
        // The programs take turns, each round in another order, so that a
        // slow spell of this shared machine does not fall on one of them.
        for k in 0..checks.len() {
            let i = (round + k) % checks.len();
            let (_, cmd, n) = &checks[i];
            let start = Instant::now();
            let status = Command::new(socklab)
                .args(["--lang", "en", "check", &n.to_string(), "--"])
                .args(cmd)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("socklab runs");
            times[i].push(start.elapsed());
            let must_pass = i > 0;
            assert!(
                !must_pass || status.success(),
                "{} did not pass its check",
                checks[i].0
            );
        }
    }
    println!(
        "socklab check N -- PROGRAM (builds excluded), median of {RUNS} runs; goal ≤ {} s",
        CHECK_GOAL.as_secs()
    );
    for (i, (name, _, _)) in checks.iter().enumerate() {
        let m = median(&mut times[i]);
        println!(
            "  {name:<48} {:>6.0} ms   {:.2}x the goal",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() / CHECK_GOAL.as_secs_f64()
        );
    }

    // A program that never ends costs a check its whole time limit (5 s
    // unless SOCKLAB_GRADE_TIME_SCALE says otherwise): the bound on a
    // batch is that limit times the submissions, over the jobs.
    let start = Instant::now();
    let status = Command::new(socklab)
        .args(["--lang", "en", "check", "1", "--", "sleep", "3600"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("socklab runs");
    assert!(!status.success(), "an endless program passed");
    println!(
        "  {:<48} {:>6.0} ms   (one run: the time limit, no goal)",
        "a program that never ends (`sleep 3600`)",
        start.elapsed().as_secs_f64() * 1e3
    );

    // Grading 30 submissions of one exercise.
    let variants: Vec<&Program> = programs
        .iter()
        .filter(|p| p.exercise == batch_exercise)
        .collect();
    assert!(
        !variants.is_empty(),
        "no prebuilt programs for exercise {batch_exercise} (tests/exercises/{batch_exercise:02}/)"
    );
    let folder = scratch.join(format!("submissions-{batch_exercise:02}"));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("mkdir");
    let mut expected_passes = 0;
    for k in 0..SUBMISSIONS {
        let p = variants[k % variants.len()];
        // A second reference (exercise 9's solution_msg.c) passes too.
        expected_passes += usize::from(p.stem.starts_with("solution"));
        let name = format!("{k:02}-{}-{}", p.stem, p.language.to_lowercase());
        std::fs::copy(&p.path, folder.join(name)).expect("copy a program");
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut grade_times = Vec::new();
    let mut summary = String::new();
    for _ in 0..GRADE_RUNS {
        let start = Instant::now();
        let out = Command::new(socklab)
            .args(["--lang", "en", "grade", &batch_exercise.to_string()])
            .arg(&folder)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .expect("socklab grade runs");
        grade_times.push(start.elapsed());
        let table = String::from_utf8_lossy(&out.stdout);
        summary = table
            .lines()
            .find(|l| l.contains("submissions passed"))
            .unwrap_or("(no summary line)")
            .to_string();
        assert!(
            summary.starts_with(&format!("{expected_passes} of {SUBMISSIONS} ")),
            "expected {expected_passes} passes: {summary}"
        );
    }
    let m = median(&mut grade_times);
    println!(
        "socklab grade {batch_exercise} FOLDER: {SUBMISSIONS} prebuilt executables ({} kinds: {}), \
         default --jobs ({cores} cores), median of {GRADE_RUNS} runs; goal ≤ {} s",
        variants.len(),
        variants
            .iter()
            .map(|p| format!("{} {}", p.stem, p.language))
            .collect::<Vec<_>>()
            .join(", "),
        GRADE_GOAL.as_secs()
    );
    println!(
        "  {:<48} {:>6.1} s    {:.2}x the goal   ({summary})",
        format!("{SUBMISSIONS} submissions"),
        m.as_secs_f64(),
        m.as_secs_f64() / GRADE_GOAL.as_secs_f64()
    );
    println!(
        "  {:<48} {:>6.0} ms",
        "per submission (wall clock / 30)",
        m.as_secs_f64() * 1e3 / SUBMISSIONS as f64
    );
}

/// A prebuilt program of `tests/exercises/NN/`.
struct Program {
    exercise: u8,
    /// Its file's name without the extension: `solution`, `single_recv`, …
    stem: String,
    language: &'static str,
    path: PathBuf,
}

/// Build every program of `tests/exercises/`, untimed: Rust as the
/// socklab package's examples (`exNN_stem`), C with `cc -O1 -Wall`.
fn build_everything(scratch: &Path) -> Vec<Program> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent");
    let target = scratch.join("target");
    let c_out = scratch.join("c");
    std::fs::create_dir_all(&c_out).expect("mkdir");
    eprintln!("building the reference and wrong solutions (not timed)…");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--examples",
            "-p",
            "socklab",
            "--quiet",
        ])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(root)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "cargo build --examples failed");
    let mut programs = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/exercises"))
        .expect("tests/exercises")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let Some(n) = dir
            .file_name()
            .and_then(OsStr::to_str)
            .and_then(|s| s.parse::<u8>().ok())
        else {
            continue;
        };
        if exercise(n).is_none() {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("an exercise's folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            let stem = file
                .file_stem()
                .and_then(OsStr::to_str)
                .unwrap_or_default()
                .to_string();
            let (language, path) = match file.extension().and_then(OsStr::to_str) {
                Some("rs") => (
                    "Rust",
                    target
                        .join("release/examples")
                        .join(format!("ex{n:02}_{stem}")),
                ),
                Some("c") => {
                    let out = c_out.join(format!("ex{n:02}_{stem}"));
                    let cc = Command::new("cc")
                        .args(["-O1", "-Wall", "-o"])
                        .arg(&out)
                        .arg(&file)
                        .status()
                        .expect("cc runs");
                    assert!(cc.success(), "cc {}", file.display());
                    ("C", out)
                }
                _ => continue,
            };
            // A Rust file that is no example of the package is left out.
            if path.is_file() {
                programs.push(Program {
                    exercise: n,
                    stem,
                    language,
                    path,
                });
            }
        }
    }
    programs
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
