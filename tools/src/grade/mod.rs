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
pub mod contain;
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
    let cmd = &python_itself(cmd);
    // Removed with everything in it when the check ends, however it ends.
    let dir = crate::against_strace::scratch_dir().map_err(|e| format!("scratch folder: {e}"))?;
    let limit = run::time_limit();
    let loopback_asked = std::env::var("SOCKLAB_GRADE_ISOLATION").is_ok_and(|v| v == "loopback");
    let mut notes = Vec::new();
    // Under root, a uid of its own for this run (held until check ends).
    let mut run_uid = self_exe.and_then(|_| contain::claim_uid());
    let who = |u: &contain::RunUid| {
        self_exe.map(|exe| contain::RunAs {
            uid: u.uid,
            socklab: exe.to_path_buf(),
        })
    };
    if let Some(u) = run_uid.take() {
        if who(&u).is_some_and(|w| contain::can_run(&w, cmd)) {
            run_uid = Some(u);
        } else {
            notes.push(Said::new(
                format!("uid {} cannot reach the program's files (a folder on their path is closed to other users): it runs as root, and nothing but the time limit caps how many processes it makes.", u.uid),
                format!("uid {}로는 프로그램 파일에 접근할 수 없어(경로의 폴더가 다른 사용자에게 닫혀 있습니다) root로 실행합니다. 프로세스 수는 제한 시간 말고는 제한되지 않습니다.", u.uid),
            ));
        }
    }
    let run_as = run_uid.as_ref().and_then(who);
    // As root with a uid to drop to, no user namespace: uids stay real.
    let flags = if run_as.is_some() { "-np" } else { "-rnp" };
    let inside = self_exe.filter(|_| !loopback_asked && run::namespaces_work(flags));
    if inside.is_none() {
        notes.push(Said::new(
            "no private network namespace here: the program runs on this machine's 127.0.0.1 with a free port; isolation is weaker.",
            "여기서는 전용 네트워크 네임스페이스를 쓸 수 없어 이 컴퓨터의 127.0.0.1과 빈 포트에서 실행합니다. 격리가 약합니다.",
        ));
        // What the program leaves behind is handed to us, to reap.
        contain::become_reaper();
    }
    let how = How {
        inside,
        flags,
        run_as: run_as.as_ref(),
    };
    let seed = run::seed();
    // The plain run, then each fault run: the same program, the same
    // peer and seed, under strace's fault injection; each in its folder.
    let ran = one_run(ex, cmd, &how, dir.path(), limit, None, seed)?;
    let stop = verdict::Stop::of(&ran.evidence.exit, ran.written, &ran.evidence.events, limit);
    if ran
        .evidence
        .events
        .iter()
        .any(|e| e.ret == socklab::strace::Ret::Error(libc::EMFILE))
    {
        notes.push(Said::new(
            format!("the program ran out of file descriptors: a call failed with EMFILE (at most {} open).", run::MAX_OPEN_FILES),
            format!("프로그램이 파일 디스크립터를 다 썼습니다. 호출이 EMFILE로 실패했습니다(한 번에 최대 {}개).", run::MAX_OPEN_FILES),
        ));
    }
    let mut verdict = Verdict::judge(ex.number, ex.rules, ran.evidence);
    for (k, fault) in ex.faults.iter().enumerate() {
        let fault_dir = dir.path().join(format!("fault-{}", fault.name));
        std::fs::create_dir(&fault_dir).map_err(|e| format!("scratch folder: {e}"))?;
        let fault_run = one_run(ex, cmd, &how, &fault_dir, limit, Some(k), seed)?;
        verdict.judge_fault(fault, fault_run.evidence);
    }
    verdict.notes = notes;
    verdict.seed = ex.peer.uses_seed().then_some(seed);
    verdict.stderr = ran.stderr;
    verdict.stop = stop;
    Ok(verdict)
}

/// What one run left.
struct Ran {
    evidence: Evidence,
    stderr: Vec<u8>,
    /// The sizes of its stdout and stderr.
    written: (u64, u64),
}

/// Where and as whom each run of one check happens.
struct How<'a> {
    /// A socklab binary to run it inside namespaces; None: here.
    inside: Option<&'a Path>,
    /// unshare's flags: `-rnp`, or `-np` under root with a uid to drop to.
    flags: &'static str,
    run_as: Option<&'a contain::RunAs>,
}

/// One run of the program, in a namespace through `how.inside` (a socklab
/// binary) or here. `fault`: which of the exercise's fault runs, None for
/// the plain one.
fn one_run(
    ex: &'static Exercise,
    cmd: &[OsString],
    how: &How,
    dir: &Path,
    limit: std::time::Duration,
    fault: Option<usize>,
    seed: u64,
) -> Result<Ran, String> {
    let setup = run::Setup {
        inject: fault.and_then(|k| ex.faults.get(k)).map(|f| f.inject),
        seed,
    };
    let (exit, peer) = match how.inside {
        Some(exe) => {
            let mut command = Command::new("unshare");
            command
                .args([how.flags, "--fork", "--kill-child", "--"])
                .arg(exe)
                .arg("__grade-inside")
                .arg(ex.number.to_string())
                .arg(dir)
                .arg(limit.as_millis().to_string())
                .args(how.run_as.map(|w| format!("--uid={}", w.uid)))
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
        None => {
            contain::set_run_as(how.run_as.cloned());
            let ran = run::run_here(ex, cmd, dir, None, limit, setup);
            contain::set_run_as(None);
            ran
        }
    };
    let files = run::read_files(dir);
    let size = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    let written = (size("stdout"), size("stderr"));
    let evidence = Evidence {
        events: program_calls(&files.log),
        stdout: files.stdout,
        peer_received: peer.received,
        peer_error: peer.error,
        exit,
        seed,
    };
    Ok(Ran {
        evidence,
        stderr: files.stderr,
        written,
    })
}

/// `python3 prog.py` runs the interpreter itself, not what `python3` on
/// PATH may be: a version manager's shim (pyenv's is a shell script that
/// starts pyenv, which then starts Python) would put its own processes
/// and calls in the record, and strace's fault injection would fail its
/// writes before the student's program even starts. The interpreter
/// names its own file (`sys.executable`); where asking fails, the command
/// stays as given.
fn python_itself(cmd: &[OsString]) -> Vec<OsString> {
    let mut cmd = cmd.to_vec();
    let is_python = Path::new(&cmd[0])
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "python" || n.starts_with("python3"));
    if !is_python {
        return cmd;
    }
    let asked = Command::new(&cmd[0])
        .args(["-c", "import sys; sys.stdout.write(sys.executable)"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    if let Ok(out) = asked {
        let exe = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && Path::new(&exe).is_absolute() {
            cmd[0] = exe.into();
        }
    }
    cmd
}
