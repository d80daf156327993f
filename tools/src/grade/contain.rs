//! What keeps a hostile program in, beyond the namespaces of [`super::run`]:
//!
//! - **Under root, a uid of its own per run.** Two programs graded at once
//!   (`socklab grade --jobs N`) run as different uids (60000, 60001, …), so
//!   neither may signal or ptrace the other's processes (the kernel allows
//!   kill and ptrace only between processes of the same uid, unless root).
//!   strace stays root; `socklab __run-as UID -- CMD…` drops to the uid
//!   just before the program's exec (with raw ids: no user lookup, whose
//!   socket to nscd would show in the record). A uid is claimed with a
//!   lock file, so separate `socklab` processes never share one either.
//! - **A cap on processes.** RLIMIT_NPROC counts the processes of one uid
//!   (per user namespace), and does not bind root: it caps a fork bomb
//!   only where the program runs as its own uid, or as the root of a user
//!   namespace made without privileges.
//! - **The sweep.** After the run, every process left with the run's uid
//!   is killed (`kill(-1, SIGKILL)` sent by a process of that uid reaches
//!   exactly them), even one that left the run's process group.

use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The first uid a run may get; run k at once gets about `FIRST_UID + k`.
pub const FIRST_UID: u32 = 60000;

/// How many uids the grader may claim (that many runs at once).
pub const UIDS: u32 = 256;

/// The most processes (and threads) a program running as its own uid may
/// have at once: room for a fork-per-client server and a language
/// runtime's threads, not for a fork bomb.
pub const MAX_PROCESSES: u64 = 64;

/// A uid held for one run, until dropped (its lock file is then free).
pub struct RunUid {
    pub uid: u32,
    _lock: File,
}

/// A uid of its own for the next run: only as root, where that uid is
/// mapped in this user namespace. None: the run keeps this process's uid.
pub fn claim_uid() -> Option<RunUid> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !uids_mapped(FIRST_UID, UIDS) {
        return None;
    }
    let dir = std::env::temp_dir().join("socklab-grade-uids");
    std::fs::create_dir_all(&dir).ok()?;
    (FIRST_UID..FIRST_UID + UIDS).find_map(|uid| {
        let lock = File::create(dir.join(format!("{uid}.lock"))).ok()?;
        // SAFETY: flock on an fd we own; the lock goes with the fd.
        let held = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        held.then_some(RunUid { uid, _lock: lock })
    })
}

/// Whether uids `first..first+count` exist in this user namespace
/// (`/proc/self/uid_map`: inside, outside, count per line). Inside an
/// `unshare -r` only one uid is mapped, and setuid to any other fails.
fn uids_mapped(first: u32, count: u32) -> bool {
    let map = std::fs::read_to_string("/proc/self/uid_map").unwrap_or_default();
    map.lines().any(|l| {
        let n: Vec<u64> = l
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        matches!(n[..], [inside, _, len] if inside <= u64::from(first)
            && u64::from(first) + u64::from(count) <= inside + len)
    })
}

/// A run's uid and the `socklab` binary that drops to it.
#[derive(Clone, Debug)]
pub struct RunAs {
    pub uid: u32,
    pub socklab: PathBuf,
}

/// The words that run `cmd` as `who.uid`: `socklab __run-as`, between
/// strace and the program, so strace stays root and the program's first
/// own call is already made as the uid.
pub fn as_uid(who: &RunAs, cmd: &[OsString]) -> Vec<OsString> {
    let mut words: Vec<OsString> = vec![
        who.socklab.clone().into(),
        "__run-as".into(),
        who.uid.to_string().into(),
        "--".into(),
    ];
    words.extend(cmd.iter().cloned());
    words
}

/// `socklab __run-as UID -- CMD…`: no supplementary groups, gid and uid
/// UID (real, effective and saved), then exec CMD. Returns only on failure.
pub fn exec_as(uid: u32, cmd: &[OsString]) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let Some(program) = cmd.first() else {
        return std::io::Error::other("no program given");
    };
    // SAFETY: plain calls on this process's ids; no other thread runs yet.
    let dropped = unsafe {
        libc::setgroups(0, std::ptr::null()) == 0
            && libc::setresgid(uid, uid, uid) == 0
            && libc::setresuid(uid, uid, uid) == 0
    };
    if !dropped {
        return std::io::Error::last_os_error();
    }
    Command::new(program).args(&cmd[1..]).exec()
}

/// Whether `uid` may run `cmd`: execute its program and read the files
/// its arguments name. A checkout under a folder closed to others (such as
/// /root) is not; the run then keeps root's uid.
pub fn can_run(who: &RunAs, cmd: &[OsString]) -> bool {
    let Some(program) = cmd.first() else {
        return false;
    };
    let mut checks: Vec<OsString> = Vec::new();
    if Path::new(program).components().count() > 1 {
        checks.push("x".into());
        checks.push(program.clone());
    }
    for arg in &cmd[1..] {
        if Path::new(arg).is_file() {
            checks.push("r".into());
            checks.push(arg.clone());
        }
    }
    if checks.is_empty() {
        return true;
    }
    let script = "while [ $# -gt 0 ]; do test -$1 \"$2\" || exit 1; shift 2; done";
    let mut sh: Vec<OsString> = vec!["sh".into(), "-c".into(), script.into(), "sh".into()];
    sh.extend(checks);
    let words = as_uid(who, &sh);
    Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Make this process the one that orphans of its descendants are handed
/// to (instead of pid 1, which in a container may never reap them), so
/// that [`end_leftovers`] can reap what a run left.
pub fn become_reaper() {
    // SAFETY: a flag on this process.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// One process as /proc shows it.
struct Proc {
    pid: i32,
    ppid: i32,
    group: i32,
    zombie: bool,
    uid: u32,
}

fn processes() -> Vec<Proc> {
    use std::os::unix::fs::MetadataExt;
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) S ppid pgrp …": comm may hold spaces and parens.
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let f: Vec<&str> = rest.split(' ').collect();
        let (Some(state), Some(ppid), Some(group)) = (f.first(), f.get(1), f.get(2)) else {
            continue;
        };
        out.push(Proc {
            pid,
            ppid: ppid.parse().unwrap_or(0),
            group: group.parse().unwrap_or(0),
            zombie: *state == "Z" || *state == "X",
            uid: entry.metadata().map_or(u32::MAX, |m| m.uid()),
        });
    }
    out
}

/// After a run: kill what is left of it (its process `group`, and every
/// process of its own `uid`, if it had one) until nothing of it lives,
/// and reap those that were handed to this process. At most about a
/// second.
pub fn end_leftovers(uid: Option<u32>, group: i32) {
    let me = std::process::id() as i32;
    for _ in 0..200 {
        let left: Vec<Proc> = processes()
            .into_iter()
            .filter(|p| p.pid != me && (p.group == group || Some(p.uid) == uid))
            .collect();
        for p in left.iter().filter(|p| p.zombie && p.ppid == me) {
            // SAFETY: reaping a zombie child of ours, by its pid.
            unsafe { libc::waitpid(p.pid, std::ptr::null_mut(), libc::WNOHANG) };
        }
        if left.iter().all(|p| p.zombie) {
            return;
        }
        // SAFETY: a signal to the run's group (see run.rs).
        unsafe { libc::kill(-group, libc::SIGKILL) };
        if let Some(uid) = uid {
            sweep(uid);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Kill every process of `uid` (none is the grader's: the uid is the
/// run's own). A child of the grader drops to the uid and sends SIGKILL to
/// every process it may signal; a fork bomb racing it runs out of room
/// under [`MAX_PROCESSES`].
fn sweep(uid: u32) {
    // SAFETY: between fork and _exit the child makes only raw system
    // calls (setgid, setuid, kill), which are async-signal-safe.
    unsafe {
        match libc::fork() {
            0 => {
                // Raw calls: glibc's setuid would try to reach threads
                // this child does not have.
                if libc::syscall(libc::SYS_setgid, uid) != 0
                    || libc::syscall(libc::SYS_setuid, uid) != 0
                {
                    libc::_exit(1);
                }
                // kill(-1) reaches every process the sender may signal
                // but itself: here, exactly the processes of this uid.
                for _ in 0..10 {
                    libc::kill(-1, libc::SIGKILL);
                }
                libc::_exit(0);
            }
            pid if pid > 0 => {
                let mut status = 0;
                libc::waitpid(pid, &mut status, 0);
            }
            _ => {}
        }
    }
}

/// The processes whose command line starts with `program` (for tests:
/// whether anything a run started outlived it).
pub fn processes_running(program: &Path) -> Vec<i32> {
    let want = program.as_os_str().as_encoded_bytes();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let cmdline =
                std::fs::read(PathBuf::from(format!("/proc/{pid}/cmdline"))).unwrap_or_default();
            cmdline.split(|&b| b == 0).next() == Some(want)
        })
        .collect()
}

thread_local! {
    /// The uid the next run on this thread drops to (set by the grader
    /// that claimed it, read where the program is spawned).
    static RUN_AS: std::cell::RefCell<Option<RunAs>> = const { std::cell::RefCell::new(None) };
}

/// Set the uid of the runs this thread makes; None: keep this process's.
pub fn set_run_as(who: Option<RunAs>) {
    RUN_AS.with(|r| *r.borrow_mut() = who);
}

/// The uid the runs of this thread drop to, if any.
pub fn run_as() -> Option<RunAs> {
    RUN_AS.with(|r| r.borrow().clone())
}
