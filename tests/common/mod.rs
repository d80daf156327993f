//! Shared by the integration tests: running a built binary under strace and
//! failing with a readable side-by-side when a line differs.

#![allow(dead_code)]

use socklab::against_strace::{find_strace, run_and_compare, Comparison};
use std::path::Path;

/// Whether strace can trace here. Under CI (`CI` set) a missing or broken
/// strace is a failure, never a skip: `.ci/run` installs it.
pub fn strace_usable() -> bool {
    let ok = find_strace().is_some_and(|s| {
        std::process::Command::new(s)
            .args(["-qq", "-e", "trace=none", "true"])
            .status()
            .is_ok_and(|st| st.success())
    });
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace cannot run under CI: .ci/run must install it"
        );
        eprintln!("SKIPPED: strace is missing or cannot trace here (no ptrace permission); install strace to run this test");
    }
    ok
}

/// Run `program args` under strace and assert every line matches.
pub fn assert_matches_strace(program: &Path, args: &[&str]) -> Comparison {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let cmp = run_and_compare(program, &args).expect("traced run");
    assert!(
        cmp.output.status.success(),
        "{} exited with {:?}\nstderr:\n{}",
        program.display(),
        cmp.output.status,
        String::from_utf8_lossy(&cmp.output.stderr)
    );
    if !cmp.all_match() {
        let mut report = String::new();
        for r in &cmp.rows {
            let mark = if r.matches() { "  " } else { "✗ " };
            report.push_str(&format!(
                "{mark}[{}] strace : {}\n  {:>w$}  socklab: {}\n",
                r.tid,
                r.strace.as_deref().unwrap_or("(nothing)"),
                "",
                r.socklab.as_deref().unwrap_or("(nothing)"),
                w = r.tid.to_string().len() + 2
            ));
        }
        panic!("socklab's trace differs from strace's:\n{report}");
    }
    cmp
}

/// The plain-view lines a run printed on stdout (narration excluded: in
/// plain view the lessons write it to stderr).
pub fn stdout_lines(cmp: &Comparison) -> Vec<String> {
    String::from_utf8_lossy(&cmp.output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
