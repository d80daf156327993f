//! `socklab check --watch`: check the exercise being worked on, then check
//! it again each time a source file of the workspace is saved, as
//! rustlings' watch mode does; after a pass, go on to the next exercise
//! not yet passed. With `--c`, the C stubs instead: `c/exNN.c`, checked
//! again at each save of a `.c` (or `.h`) file under `c/`.
//!
//! The kernel says when a file is saved: inotify, one fd whose reads give
//! an event per change in the folders it watches. Editors save in two
//! ways: writing the file in place (an `IN_CLOSE_WRITE` of the file), or
//! writing a new file and renaming it over the old one, as vim does (an
//! `IN_MOVED_TO` in the folder: the old file's watch, if a file were
//! watched, would see nothing, since the name now leads to a new inode).
//! So the folders are watched, not the files. One save is often several
//! events (a rename, a write of a backup), so a check waits until the
//! folders have been quiet for [`QUIET`].
//!
//! One `poll` waits for all that can happen: an inotify event, a line on
//! stdin (`q` quits, `h` shows a hint, Enter checks again), stdin's end,
//! and Ctrl-C, which arrives as a byte on a pipe (see [`Signals`]).

use super::{hint, Problem, Stubs, Workspace};
use crate::grade::exercise::Exercise;
use socklab::lang::Lang;
use socklab::output::{eprintln_quiet, write_stdout};
use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// How long the sources must stay unchanged after a save before the
/// check starts: one save's burst of events is one check.
pub const QUIET: Duration = Duration::from_millis(150);

/// How one check ended.
pub enum Outcome {
    /// Every rule passed (and the pass was recorded).
    Passed,
    /// A rule failed.
    Failed,
    /// No verdict: the build failed, or the run could not be made; the
    /// one line to show.
    Error(String),
}

/// Why the watch stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// `q`, or the end of stdin.
    Quit,
    /// Every exercise in the workspace has passed.
    AllPassed,
    /// SIGINT (Ctrl-C) or SIGTERM.
    Signal(i32),
}

impl Stop {
    /// The exit status: 0 when the student quit or finished, 128 + the
    /// signal's number for Ctrl-C (130), as a shell reports it.
    pub fn exit_code(&self) -> u8 {
        match self {
            Stop::Quit | Stop::AllPassed => 0,
            Stop::Signal(s) => (128 + s).clamp(0, 255) as u8,
        }
    }
}

/// `--watch` needs a workspace to watch and a learner reading the screen:
/// the workspace, or the one line that says why not.
pub fn workspace_to_watch(json: bool, has_cmd: bool, lang: Lang) -> Result<Workspace, Problem> {
    if json {
        return Err(Problem::usage(lang.pick(
            "--watch is for a person at a terminal and cannot be used with --json: run socklab check --json once per change instead",
            "--watch는 터미널 앞의 사람을 위한 것이라 --json과 함께 쓸 수 없습니다. 바꿀 때마다 socklab check --json을 실행하십시오",
        )));
    }
    if has_cmd {
        return Err(Problem::usage(lang.pick(
            "--watch checks the workspace's own exNN programs, so it takes no -- CMD: run it in a workspace made by socklab exercises init DIR",
            "--watch는 작업 폴더의 exNN 프로그램을 채점하므로 -- CMD를 받지 않습니다. socklab exercises init DIR로 만든 작업 폴더에서 실행하십시오",
        )));
    }
    Workspace::here().ok_or_else(|| {
        Problem::usage(lang.pick(
            "--watch works inside an exercise workspace, and this folder is not in one: make one with socklab exercises init DIR, then cd into it",
            "--watch는 연습 문제 작업 폴더 안에서만 동작하는데, 이 폴더는 작업 폴더가 아닙니다. socklab exercises init DIR로 만든 뒤 그 폴더로 이동하십시오",
        ))
    })
}

/// Watch `ws`: check `first` (or the first exercise not yet passed) with
/// `check`, then again on each save, until the student quits. `check`
/// builds, grades, shows the verdict and records a pass, as `socklab
/// check N` does.
pub fn watch(
    ws: &Workspace,
    stubs: Stubs,
    first: Option<&'static Exercise>,
    lang: Lang,
    check: &mut dyn FnMut(u8) -> Outcome,
) -> Result<Stop, Problem> {
    let mut current = match first {
        Some(ex) => ex,
        None => match ws.next_of(&ws.progress()?, stubs) {
            Some(ex) => ex,
            None => {
                write_stdout(lang.pick(
                    "Every exercise in this workspace has passed (socklab exercises): nothing to watch.\n",
                    "이 작업 폴더의 연습 문제를 모두 통과했습니다(socklab exercises). 지켜볼 것이 없습니다.\n",
                ));
                return Ok(Stop::AllPassed);
            }
        },
    };
    if !ws.source_of(current.number, stubs).is_file() {
        return Err(Problem::usage(format!(
            "this workspace has no {}: write one, or watch another exercise",
            ws.source_of(current.number, stubs).display()
        )));
    }
    // The watches are in place before the first check, so a save made
    // while it runs is not missed: its event waits in the inotify fd.
    let mut sources = Sources::watch(&ws.root, stubs).map_err(|e| {
        Problem::failed(format!(
            "cannot watch {} for saves (inotify): {e}",
            ws.root.display()
        ))
    })?;
    let signals = Signals::catch().map_err(|e| Problem::failed(format!("pipe: {e}")))?;
    let mut stdin = LineReader::default();
    loop {
        let outcome = check(current.number);
        // Ctrl-C during the check: it has ended; now stop.
        if let Some(s) = signals.seen() {
            write_stdout(lang.pick("\nStopped watching.\n", "\n지켜보기를 끝냅니다.\n"));
            return Ok(Stop::Signal(s));
        }
        match outcome {
            Outcome::Passed => {
                let progress = ws.progress()?;
                match ws.next_of(&progress, stubs) {
                    Some(next) => {
                        write_stdout(&lang.pick2(
                            format!("\n→ On to exercise {}: checking it now.\n", next.number),
                            format!(
                                "\n→ 연습 문제 {}{} 넘어갑니다. 바로 채점합니다.\n",
                                next.number,
                                particle_ro(next.number)
                            ),
                        ));
                        current = next;
                        continue;
                    }
                    None => {
                        write_stdout(lang.pick(
                            "\nEvery exercise in this workspace has passed. Well done!\n",
                            "\n이 작업 폴더의 연습 문제를 모두 통과했습니다. 수고하셨습니다!\n",
                        ));
                        return Ok(Stop::AllPassed);
                    }
                }
            }
            Outcome::Failed => {}
            Outcome::Error(line) => eprintln_quiet(&format!("socklab: {line}")),
        }
        let file = ws.source_of(current.number, stubs);
        let shown = file.strip_prefix(&ws.root).unwrap_or(&file).display();
        let folder = stubs.folder();
        write_stdout(&lang.pick2(
            format!(
                "\nWatching exercise {} ({shown} and the rest of {folder}/): save to check again. Enter checks now, h + Enter shows a hint, q + Enter (or Ctrl-C) quits.\n",
                current.number
            ),
            format!(
                "\n연습 문제 {}{} 지켜보고 있습니다(대상: {shown} 및 {folder}/의 다른 파일). 저장하면 다시 채점합니다. Enter는 지금 채점, h + Enter는 힌트, q + Enter(또는 Ctrl-C)는 끝냅니다.\n",
                current.number,
                particle_eul(current.number)
            ),
        ));
        // Wait for a save, a line or a signal.
        loop {
            match wait(&mut sources, &mut stdin, &signals)? {
                Wake::Saved(path) => {
                    let shown = path.strip_prefix(&ws.root).unwrap_or(&path).display();
                    write_stdout(&lang.pick2(
                        format!("\n── {shown} changed: checking exercise {} ──\n", current.number),
                        format!("\n── {shown} 변경: 연습 문제 {} 채점 ──\n", current.number),
                    ));
                    break;
                }
                Wake::Line(line) => match line.trim() {
                    "" => break,
                    "q" | "quit" => {
                        write_stdout(lang.pick("Stopped watching.\n", "지켜보기를 끝냅니다.\n"));
                        return Ok(Stop::Quit);
                    }
                    "h" | "hint" => write_stdout(&hint(current, Some(ws), lang)?),
                    other => write_stdout(&lang.pick2(
                        format!("'{other}'? Enter checks now, h + Enter shows a hint, q + Enter quits.\n"),
                        format!("'{other}'? Enter는 지금 채점, h + Enter는 힌트, q + Enter는 끝냅니다.\n"),
                    )),
                },
                Wake::StdinEnded => {
                    // No one can type q any more: stop, as at q.
                    write_stdout(lang.pick(
                        "Stopped watching (stdin ended).\n",
                        "입력(stdin)이 끝나 지켜보기를 끝냅니다.\n",
                    ));
                    return Ok(Stop::Quit);
                }
                Wake::Signal(s) => {
                    write_stdout(lang.pick("\nStopped watching.\n", "\n지켜보기를 끝냅니다.\n"));
                    return Ok(Stop::Signal(s));
                }
            }
        }
    }
}

/// 로 or 으로 after an exercise number, by its sound.
fn particle_ro(n: u8) -> String {
    crate::lesson::josa::ro(n)
        .strip_prefix(&n.to_string())
        .unwrap_or("로")
        .to_string()
}

/// 을 or 를 after an exercise number, by its sound.
fn particle_eul(n: u8) -> String {
    crate::lesson::josa::eul(n)
        .strip_prefix(&n.to_string())
        .unwrap_or("를")
        .to_string()
}

/// What ended a wait.
enum Wake {
    /// A source file was saved (or the folders changed): the path, after
    /// [`QUIET`] with no further change.
    Saved(PathBuf),
    Line(String),
    StdinEnded,
    Signal(i32),
}

/// One `poll` over the inotify fd, stdin and the signal pipe.
fn wait(sources: &mut Sources, stdin: &mut LineReader, signals: &Signals) -> Result<Wake, Problem> {
    loop {
        if let Some(line) = stdin.next_line() {
            return Ok(Wake::Line(line));
        }
        let mut fds = [
            pollfd(sources.fd.as_raw_fd()),
            pollfd(signals.fd.as_raw_fd()),
            pollfd(0),
        ];
        // SAFETY: fds is a valid array of pollfd of the length given.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Problem::failed(format!("poll: {e}")));
        }
        if fds[1].revents != 0 {
            return Ok(Wake::Signal(signals.read()));
        }
        if fds[2].revents != 0 {
            if !stdin.fill() {
                // A last line without its newline still counts; the end
                // comes with the next wait.
                return Ok(match stdin.rest() {
                    Some(line) => Wake::Line(line),
                    None => Wake::StdinEnded,
                });
            }
            continue;
        }
        if fds[0].revents != 0 {
            if let Some(path) = sources.read_changes() {
                // Let the burst end: one check for one save.
                let mut last = path;
                while sources.readable_within(QUIET) {
                    if let Some(p) = sources.read_changes() {
                        last = p;
                    }
                }
                return Ok(Wake::Saved(last));
            }
        }
    }
}

fn pollfd(fd: i32) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

/// Lines from stdin, read with plain `read`s on fd 0 once `poll` says
/// there is something (std's buffered stdin would hide bytes from poll).
#[derive(Default)]
struct LineReader {
    pending: Vec<u8>,
}

impl LineReader {
    /// One read; false at the end of stdin (or an error, or fd 0 closed).
    fn fill(&mut self) -> bool {
        let mut buf = [0u8; 512];
        // SAFETY: reads at most buf.len() bytes into buf.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            self.pending.extend_from_slice(&buf[..n as usize]);
            return true;
        }
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if matches!(
                e.kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
            ) {
                return true;
            }
        }
        false
    }

    fn next_line(&mut self) -> Option<String> {
        let end = self.pending.iter().position(|&b| b == b'\n')?;
        let line: Vec<u8> = self.pending.drain(..=end).collect();
        Some(String::from_utf8_lossy(&line[..end]).into_owned())
    }

    fn rest(&mut self) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let line = std::mem::take(&mut self.pending);
        Some(String::from_utf8_lossy(&line).into_owned())
    }
}

/// The events that can mean a saved source: a file written and closed,
/// a file renamed into the folder (an editor's save), a file removed, a
/// folder made. `IN_ONLYDIR`: the path must be a folder.
const SOURCE_EVENTS: u32 =
    libc::IN_CLOSE_WRITE | libc::IN_MOVED_TO | libc::IN_DELETE | libc::IN_CREATE | libc::IN_ONLYDIR;

/// The workspace's sources under watch. Rust: `Cargo.toml` in the root,
/// every `.rs` file under `src/` (the build takes every binary, so a
/// change to any of them is a change to the build). C: every `.c` and
/// `.h` file under `c/` (not the programs `cc` writes there).
struct Sources {
    fd: OwnedFd,
    root: PathBuf,
    stubs: Stubs,
    /// Each watch descriptor's folder.
    folders: HashMap<i32, PathBuf>,
}

impl Sources {
    fn watch(root: &Path, stubs: Stubs) -> std::io::Result<Sources> {
        // SAFETY: inotify_init1 takes flags only; the fd it returns is ours.
        let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fd was just made and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut sources = Sources {
            fd,
            root: root.to_path_buf(),
            stubs,
            folders: HashMap::new(),
        };
        if stubs == Stubs::Rust {
            sources.add(root)?;
        }
        sources.add_tree(&root.join(stubs.folder()))?;
        Ok(sources)
    }

    /// Watch `dir` and every folder under it.
    fn add_tree(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut todo = vec![dir.to_path_buf()];
        while let Some(dir) = todo.pop() {
            self.add(&dir)?;
            for entry in std::fs::read_dir(&dir)?.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    todo.push(entry.path());
                }
            }
        }
        Ok(())
    }

    fn add(&mut self, dir: &Path) -> std::io::Result<()> {
        let path = CString::new(dir.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: path is a NUL-terminated string that outlives the call.
        let wd =
            unsafe { libc::inotify_add_watch(self.fd.as_raw_fd(), path.as_ptr(), SOURCE_EVENTS) };
        if wd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        self.folders.insert(wd, dir.to_path_buf());
        Ok(())
    }

    /// Whether the inotify fd becomes readable within `within`.
    fn readable_within(&self, within: Duration) -> bool {
        let mut fd = [pollfd(self.fd.as_raw_fd())];
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(fd.as_mut_ptr(), 1, within.as_millis() as i32) };
        n > 0
    }

    /// Read the events waiting; the last source among them that changed.
    fn read_changes(&mut self) -> Option<PathBuf> {
        let mut changed = None;
        // Room for many events; each is a header and a padded name.
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            // SAFETY: reads at most buf.len() bytes into buf.
            let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            let mut at = 0;
            let header = std::mem::size_of::<libc::inotify_event>();
            while at + header <= n as usize {
                // SAFETY: the kernel wrote a whole inotify_event at `at`;
                // read_unaligned does not need the buffer aligned.
                let event: libc::inotify_event =
                    unsafe { std::ptr::read_unaligned(buf.as_ptr().add(at).cast()) };
                let name_bytes =
                    &buf[at + header..(at + header + event.len as usize).min(n as usize)];
                let name_len = name_bytes
                    .iter()
                    .position(|&b| b == 0)
                    .unwrap_or(name_bytes.len());
                let name = OsStr::from_bytes(&name_bytes[..name_len]);
                at += header + event.len as usize;
                if let Some(path) = self.consider(&event, name) {
                    changed = Some(path);
                }
            }
        }
        changed
    }

    /// Whether one event is a change to a source; a new folder under src/
    /// is watched from now on.
    fn consider(&mut self, event: &libc::inotify_event, name: &OsStr) -> Option<PathBuf> {
        if event.mask & libc::IN_Q_OVERFLOW != 0 {
            // Events were lost: something changed.
            return Some(self.root.join(self.stubs.folder()));
        }
        if event.mask & libc::IN_IGNORED != 0 {
            // The folder itself went away.
            self.folders.remove(&event.wd);
            return None;
        }
        let dir = self.folders.get(&event.wd)?.clone();
        let path = dir.join(name);
        let in_root = dir == self.root;
        if event.mask & libc::IN_ISDIR != 0 {
            if in_root && name != "src" {
                return None;
            }
            if event.mask & (libc::IN_CREATE | libc::IN_MOVED_TO) != 0 {
                // A folder made (or moved in) under src/: its files count too.
                let _ = self.add_tree(&path);
                return Some(path);
            }
            return None;
        }
        // IN_CREATE of a file is followed by its IN_CLOSE_WRITE.
        if event.mask & libc::IN_CREATE != 0 {
            return None;
        }
        let extension = Path::new(name).extension();
        let is_source = match self.stubs {
            _ if in_root => name == "Cargo.toml",
            Stubs::Rust => extension == Some(OsStr::new("rs")),
            Stubs::C => extension == Some(OsStr::new("c")) || extension == Some(OsStr::new("h")),
        };
        is_source.then_some(path)
    }
}

/// The write end of [`Signals`]' pipe, for the handler; -1 when none.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);
/// The last signal the handler saw.
static SIGNAL_SEEN: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signo: libc::c_int) {
    SIGNAL_SEEN.store(signo, Ordering::SeqCst);
    let fd = SIGNAL_PIPE.load(Ordering::SeqCst);
    if fd >= 0 {
        // SAFETY: write is async-signal-safe; one byte from a static.
        unsafe { libc::write(fd, b"!".as_ptr().cast(), 1) };
    }
}

/// SIGINT (Ctrl-C) and SIGTERM as a byte on a pipe, so one poll sees them
/// with the rest (the self-pipe way). A handler, not a blocked mask: a
/// blocked mask would pass on to every program a check starts (cargo,
/// strace, the student's program), where a handler is reset by `execve`.
/// cargo, in this process group, still stops at Ctrl-C; the graded run,
/// in a group of its own, ends by itself within its time limit; then the
/// watch stops, with nothing left behind. The old handlers come back
/// when this is dropped.
struct Signals {
    fd: OwnedFd,
    write_end: OwnedFd,
    old: [(libc::c_int, libc::sigaction); 2],
}

impl Signals {
    fn catch() -> std::io::Result<Signals> {
        let mut ends = [0; 2];
        // SAFETY: pipe2 fills the two fds, which are then ours.
        if unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: both fds were just made and nothing else owns them.
        let (fd, write_end) =
            unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
        SIGNAL_SEEN.store(0, Ordering::SeqCst);
        SIGNAL_PIPE.store(write_end.as_raw_fd(), Ordering::SeqCst);
        // SAFETY: sigaction is plain data; the handler only does
        // async-signal-safe things; SA_RESTART restarts the calls a
        // signal interrupts (poll, which is never restarted, says EINTR).
        let old = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old = [
                (libc::SIGINT, std::mem::zeroed()),
                (libc::SIGTERM, std::mem::zeroed()),
            ];
            for (signo, previous) in old.iter_mut() {
                libc::sigaction(*signo, &action, previous);
            }
            old
        };
        Ok(Signals { fd, write_end, old })
    }

    /// The signal that arrived, if one did.
    fn seen(&self) -> Option<i32> {
        match SIGNAL_SEEN.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    /// The signal that arrived (the pipe emptied).
    fn read(&self) -> i32 {
        let mut buf = [0u8; 16];
        // SAFETY: reads at most buf.len() bytes into buf.
        while unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
        match SIGNAL_SEEN.load(Ordering::SeqCst) {
            0 => libc::SIGINT,
            s => s,
        }
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        // SAFETY: puts back the handlers saved in catch().
        unsafe {
            for (signo, previous) in &self.old {
                libc::sigaction(*signo, previous, std::ptr::null_mut());
            }
        }
        let _ = SIGNAL_PIPE.compare_exchange(
            self.write_end.as_raw_fd(),
            -1,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_particles_follow_the_number_as_read() {
        assert_eq!(particle_ro(2), "로"); // 이
        assert_eq!(particle_ro(3), "으로"); // 삼
        assert_eq!(particle_ro(1), "로"); // 일: ㄹ
        assert_eq!(particle_eul(2), "를");
        assert_eq!(particle_eul(3), "을");
    }

    #[test]
    fn an_editor_save_by_rename_is_a_change_and_its_temporary_file_is_not() {
        let dir = crate::against_strace::scratch_dir().unwrap();
        std::fs::create_dir_all(dir.join("src/bin")).unwrap();
        let mut sources = Sources::watch(dir.path(), Stubs::Rust).unwrap();
        // A swap file and a temporary name: not sources.
        std::fs::write(dir.join("src/bin/.ex01.rs.swp"), "x").unwrap();
        std::fs::write(dir.join("src/bin/ex01.rs.new"), "fn main() {}\n").unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), None);
        // The rename over the old name, as vim saves.
        std::fs::rename(dir.join("src/bin/ex01.rs.new"), dir.join("src/bin/ex01.rs")).unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), Some(dir.join("src/bin/ex01.rs")));
        // A folder made under src/ is watched from then on.
        std::fs::create_dir(dir.join("src/net")).unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), Some(dir.join("src/net")));
        std::fs::write(dir.join("src/net/mod.rs"), "").unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), Some(dir.join("src/net/mod.rs")));
        // The manifest counts; the target folder's files do not.
        std::fs::write(dir.join("Cargo.toml"), "[package]\n").unwrap();
        std::fs::write(dir.join("Cargo.lock"), "").unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), Some(dir.join("Cargo.toml")));
        assert!(!sources.readable_within(Duration::from_millis(50)));
    }

    #[test]
    fn a_c_source_saved_is_a_change_and_the_program_cc_writes_is_not() {
        let dir = crate::against_strace::scratch_dir().unwrap();
        std::fs::create_dir_all(dir.join("c")).unwrap();
        let mut sources = Sources::watch(dir.path(), Stubs::C).unwrap();
        // The program the compiler writes next to the source, and a
        // temporary name: not C sources.
        std::fs::write(dir.join("c/ex01"), "\x7fELF").unwrap();
        std::fs::write(dir.join("c/ex01.c.new"), "int main(void) { return 0; }\n").unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), None);
        std::fs::rename(dir.join("c/ex01.c.new"), dir.join("c/ex01.c")).unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), Some(dir.join("c/ex01.c")));
        std::fs::write(dir.join("c/net.h"), "").unwrap();
        assert!(sources.readable_within(Duration::from_secs(5)));
        assert_eq!(sources.read_changes(), Some(dir.join("c/net.h")));
        // The root is not watched for C: Cargo.toml is cargo's business.
        std::fs::write(dir.join("Cargo.toml"), "[package]\n").unwrap();
        assert!(!sources.readable_within(Duration::from_millis(50)));
    }
}
