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
    let uid = run_uid.as_ref().map(|u| u.uid);
    // As root with a uid to drop to, no user namespace: uids stay real.
    let flags = if uid.is_some() { "-np" } else { "-rnp" };
    let (exit, peer) = match self_exe {
        Some(exe) if !loopback_asked && run::namespaces_work(flags) => {
            let mut command = Command::new("unshare");
            command
                .args([flags, "--fork", "--kill-child", "--"])
                .arg(exe)
                .arg("__grade-inside")
                .arg(ex.number.to_string())
                .arg(dir.path())
                .arg(limit.as_millis().to_string())
                .args(uid.map(|u| format!("--uid={u}")))
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
            run::read_inside(&dir)
        }
        _ => {
            notes.push(Said::new(
                "no private network namespace here: the program runs on this machine's 127.0.0.1 with a free port; isolation is weaker.",
                "여기서는 전용 네트워크 네임스페이스를 쓸 수 없어 이 컴퓨터의 127.0.0.1과 빈 포트에서 실행합니다. 격리가 약합니다.",
            ));
            // What the program leaves behind is handed to us, to reap.
            contain::become_reaper();
            contain::set_run_as(run_uid.as_ref().and_then(who));
            let ran = run::run_here(ex, cmd, &dir, None, limit);
            contain::set_run_as(None);
            ran
        }
    };
    let files = run::read_files(&dir);
    let size = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    let events = program_calls(&files.log);
    let stop = verdict::Stop::of(&exit, (size("stdout"), size("stderr")), &events, limit);
    if events
        .iter()
        .any(|e| e.ret == socklab::strace::Ret::Error(libc::EMFILE))
    {
        notes.push(Said::new(
            format!("the program ran out of file descriptors: a call failed with EMFILE (at most {} open).", run::MAX_OPEN_FILES),
            format!("프로그램이 파일 디스크립터를 다 썼습니다. 호출이 EMFILE로 실패했습니다(한 번에 최대 {}개).", run::MAX_OPEN_FILES),
        ));
    }
    let evidence = Evidence {
        events,
        stdout: files.stdout,
        peer_received: peer.received,
        peer_error: peer.error,
        exit,
    };
    let mut verdict = Verdict::judge(ex.number, ex.rules, evidence);
    verdict.notes = notes;
    verdict.stderr = files.stderr;
    verdict.stop = stop;
    Ok(verdict)
}
