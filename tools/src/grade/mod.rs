//! `socklab check N -- CMD ARGS…`: grade a student's program, in any
//! language, by the system calls the kernel saw.
//!
//! - [`run`]: run the program, contained, under real strace;
//! - [`peer`]: the other side of the conversation, per exercise;
//! - [`rules`]: small named functions over the calls strace saw;
//! - [`exercise`]: each exercise's peer and rules;
//! - [`verdict`]: each rule passed or failed, for a learner or as JSON;
//! - [`batch`]: `socklab grade`, many submissions built and graded at once.

pub mod batch;
pub mod exercise;
pub mod peer;
pub mod rules;
pub mod run;
pub mod verdict;

use crate::strace_log::program_calls;
use exercise::Exercise;
use rules::Evidence;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use verdict::{Said, Verdict};

/// Grade `cmd` on exercise `ex`. `self_exe` is a `socklab` binary that can
/// play the run inside a namespace (`socklab __grade-inside`); without one,
/// or where namespaces do not work (or `SOCKLAB_GRADE_ISOLATION=loopback`),
/// the run uses this machine's loopback. Err: the run could not be made
/// (no strace).
pub fn check(
    ex: &'static Exercise,
    cmd: &[OsString],
    self_exe: Option<&Path>,
) -> Result<Verdict, String> {
    if Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        return Err("strace is not installed; the grader reads the kernel's record through it (apt-get install strace)".into());
    }
    if cmd.is_empty() {
        return Err("no program given: socklab check N -- CMD ARGS…".into());
    }
    // Removed with everything in it when the check ends, however it ends.
    let dir = crate::against_strace::scratch_dir().map_err(|e| format!("scratch folder: {e}"))?;
    let limit = run::time_limit();
    let loopback_asked = std::env::var("SOCKLAB_GRADE_ISOLATION").is_ok_and(|v| v == "loopback");
    let inside = self_exe.filter(|_| !loopback_asked && run::namespaces_work());
    let mut notes = Vec::new();
    if inside.is_none() {
        notes.push(Said::new(
            "no private network namespace here: the program runs on this machine's 127.0.0.1 with a free port; isolation is weaker.",
            "여기서는 전용 네트워크 네임스페이스를 쓸 수 없어 이 컴퓨터의 127.0.0.1과 빈 포트에서 실행합니다. 격리가 약합니다.",
        ));
    }
    let seed = run::seed();
    // The plain run, then each fault run: the same program, the same
    // peer and seed, under strace's fault injection; each in its folder.
    let evidence = one_run(ex, cmd, inside, dir.path(), limit, None, seed)?;
    let mut verdict = Verdict::judge(ex.number, ex.rules, evidence.0);
    for (k, fault) in ex.faults.iter().enumerate() {
        let fault_dir = dir.path().join(format!("fault-{}", fault.name));
        std::fs::create_dir(&fault_dir).map_err(|e| format!("scratch folder: {e}"))?;
        let (fault_evidence, _) = one_run(ex, cmd, inside, &fault_dir, limit, Some(k), seed)?;
        verdict.judge_fault(fault, fault_evidence);
    }
    verdict.notes = notes;
    verdict.seed = ex.peer.uses_seed().then_some(seed);
    verdict.stderr = evidence.1;
    Ok(verdict)
}

/// One run of the program, in a namespace through `inside` (a socklab
/// binary) or here: what it left, as evidence, and its stderr. `fault`:
/// which of the exercise's fault runs, None for the plain one.
fn one_run(
    ex: &'static Exercise,
    cmd: &[OsString],
    inside: Option<&Path>,
    dir: &Path,
    limit: std::time::Duration,
    fault: Option<usize>,
    seed: u64,
) -> Result<(Evidence, Vec<u8>), String> {
    let setup = run::Setup {
        inject: fault.and_then(|k| ex.faults.get(k)).map(|f| f.inject),
        seed,
    };
    let (exit, peer) = match inside {
        Some(exe) => {
            let mut command = Command::new("unshare");
            command
                .args(["-rnp", "--fork", "--kill-child", "--"])
                .arg(exe)
                .arg("__grade-inside")
                .arg(ex.number.to_string())
                .arg(dir)
                .arg(limit.as_millis().to_string())
                .arg("--seed")
                .arg(seed.to_string());
            if let Some(k) = fault {
                command.arg("--fault").arg(k.to_string());
            }
            command
                .arg("--")
                .args(cmd)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit());
            // SAFETY: setpgid only, between fork and exec.
            let child = unsafe {
                use std::os::unix::process::CommandExt;
                command.pre_exec(|| {
                    libc::setpgid(0, 0);
                    Ok(())
                })
            }
            .spawn()
            .map_err(|e| format!("unshare: {e}"))?;
            // The run stops itself at the limit; this is the backstop.
            let backstop = Instant::now() + limit + std::time::Duration::from_secs(5);
            run::wait_until(child, backstop);
            run::read_inside(dir)
        }
        None => run::run_here(ex, cmd, dir, None, limit, setup),
    };
    let files = run::read_files(dir);
    let evidence = Evidence {
        events: program_calls(&files.log),
        stdout: files.stdout,
        peer_received: peer.received,
        peer_error: peer.error,
        exit,
        seed,
    };
    Ok((evidence, files.stderr))
}
