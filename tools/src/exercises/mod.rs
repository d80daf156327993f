//! The student's side of the exercises: a workspace of their own
//! (`socklab exercises init DIR`), with a stub per exercise, built and
//! checked by `socklab check`, with hints and progress.
//!
//! - [`init`]: make a workspace: a Cargo project that depends on the
//!   socklab library by path, the stubs (Rust and C), an index page;
//! - [`progress`]: which exercises passed, which hints were shown
//!   (`.socklab/progress.json`);
//! - [`hints`]: `socklab hint N`, one hint at a time.
//!
//! The grading itself is [`crate::grade`]'s; this module only finds the
//! program to give it.

pub mod hints;
pub mod init;
pub mod progress;
pub mod watch;

use crate::grade::exercise::{exercise, Exercise};
use progress::Progress;
use socklab::lang::Lang;
use socklab::output::eprintln_quiet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The socklab version a workspace is made for, in `.socklab/version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A failure of an exercise command: one line, and whether it is bad
/// usage (exit 2) or a failure (exit 1).
#[derive(Debug)]
pub struct Problem {
    pub message: String,
    pub usage: bool,
}

impl Problem {
    pub fn usage(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            usage: true,
        }
    }
    pub fn failed(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            usage: false,
        }
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::failed(message)
    }
}

/// Every exercise of the grader's registry, in order.
pub fn all_exercises() -> Vec<&'static Exercise> {
    (1..=99).filter_map(exercise).collect()
}

/// Which of a workspace's stubs the student writes: the Rust ones in
/// `src/bin/`, built by cargo, or the C ones in `c/`, built by `cc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stubs {
    Rust,
    C,
}

impl Stubs {
    /// The folder under the workspace's root that holds these sources.
    pub fn folder(self) -> &'static str {
        match self {
            Stubs::Rust => "src",
            Stubs::C => "c",
        }
    }
}

/// A stub's file name in a workspace: `ex01`.
pub fn stub_name(number: u8) -> String {
    format!("ex{number:02}")
}

/// A student workspace: the folder holding `.socklab/version`.
pub struct Workspace {
    pub root: PathBuf,
}

impl Workspace {
    /// The workspace `dir` is in (it, or a folder above it), if any.
    pub fn find(dir: &Path) -> Option<Workspace> {
        dir.ancestors()
            .find(|d| {
                d.join(".socklab").join("version").is_file() && d.join("Cargo.toml").is_file()
            })
            .map(|d| Workspace {
                root: d.to_path_buf(),
            })
    }

    /// The workspace the current folder is in, if any.
    pub fn here() -> Option<Workspace> {
        Workspace::find(&std::env::current_dir().ok()?)
    }

    fn progress_file(&self) -> PathBuf {
        self.root.join(".socklab").join("progress.json")
    }

    pub fn progress(&self) -> Result<Progress, String> {
        Progress::load(&self.progress_file())
    }

    pub fn save_progress(&self, progress: &Progress) -> Result<(), String> {
        progress.save(&self.progress_file())
    }

    /// Record that exercise `number` passed.
    pub fn record_pass(&self, number: u8) -> Result<(), String> {
        let mut progress = self.progress()?;
        if progress.done.insert(number) {
            self.save_progress(&progress)?;
        }
        Ok(())
    }

    /// One line when the workspace was made by another socklab version.
    pub fn version_note(&self, lang: Lang) -> Option<String> {
        let made_for = std::fs::read_to_string(self.root.join(".socklab").join("version")).ok()?;
        let made_for = made_for.trim();
        (made_for != VERSION).then(|| {
            lang.pick2(
                format!("note: this workspace was made for socklab {made_for}; this is socklab {VERSION} (its exercises or rules may differ)"),
                format!("참고: 이 작업 폴더는 socklab {made_for}용으로 만들어졌고, 지금 실행 중인 것은 socklab {VERSION}입니다(연습 문제나 규칙이 다를 수 있습니다)"),
            )
        })
    }

    /// A stub's source file: `src/bin/ex01.rs`.
    pub fn source(&self, number: u8) -> PathBuf {
        self.root
            .join("src")
            .join("bin")
            .join(format!("{}.rs", stub_name(number)))
    }

    /// A stub's source file in `stubs`' language: `src/bin/ex01.rs` or
    /// `c/ex01.c`.
    pub fn source_of(&self, number: u8, stubs: Stubs) -> PathBuf {
        match stubs {
            Stubs::Rust => self.source(number),
            Stubs::C => self.root.join("c").join(format!("{}.c", stub_name(number))),
        }
    }

    /// The exercises this workspace has a program for, in order.
    pub fn exercises(&self) -> Vec<&'static Exercise> {
        self.exercises_of(Stubs::Rust)
    }

    /// The exercises this workspace has a program for in `stubs`' language.
    pub fn exercises_of(&self, stubs: Stubs) -> Vec<&'static Exercise> {
        all_exercises()
            .into_iter()
            .filter(|e| self.source_of(e.number, stubs).is_file())
            .collect()
    }

    /// The first exercise with a program here that has not passed yet.
    pub fn next(&self, progress: &Progress) -> Option<&'static Exercise> {
        self.next_of(progress, Stubs::Rust)
    }

    /// The first exercise with a program in `stubs`' language that has not
    /// passed yet (a pass counts whatever language it was in).
    pub fn next_of(&self, progress: &Progress, stubs: Stubs) -> Option<&'static Exercise> {
        self.exercises_of(stubs)
            .into_iter()
            .find(|e| !progress.done.contains(&e.number))
    }

    /// `cc -O1 -Wall -o c/exNN c/exNN.c` in the workspace: the C stub's
    /// program, or the failure (the compiler's lines go to stderr as they
    /// come, as cargo's do).
    pub fn build_c(&self, number: u8, lang: Lang) -> Result<PathBuf, Problem> {
        let name = stub_name(number);
        let recipe = format!("cc -O1 -Wall -o c/{name} c/{name}.c");
        eprintln_quiet(&lang.pick2(
            format!("socklab: compiling c/{name}.c ({recipe})…"),
            format!("socklab: c/{name}.c를 컴파일합니다({recipe})…"),
        ));
        let mut cmd = Command::new("cc");
        cmd.args(["-O1", "-Wall", "-o"])
            .arg(format!("c/{name}"))
            .arg(format!("c/{name}.c"))
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            Problem::failed(format!(
                "cannot run cc ({e}): install a C compiler (gcc or clang) to check the C stubs"
            ))
        })?;
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln_quiet(&line);
            }
        }
        let status = child
            .wait()
            .map_err(|e| Problem::failed(format!("cc: {e}")))?;
        if !status.success() {
            return Err(Problem::failed(lang.pick2(
                format!("c/{name}.c does not compile, so it was not checked: the compiler's lines above say where"),
                format!("c/{name}.c가 컴파일되지 않아 채점하지 않았습니다. 위의 컴파일러 메시지가 위치를 알려 줍니다"),
            )));
        }
        Ok(self.root.join("c").join(name))
    }

    /// Where cargo puts the binaries: `$CARGO_TARGET_DIR/debug`, else
    /// `target/debug` in the workspace.
    pub fn binary(&self, number: u8) -> PathBuf {
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(t) if !t.is_empty() => self.root.join(t),
            _ => self.root.join("target"),
        };
        target.join("debug").join(stub_name(number))
    }

    /// `cargo build --offline --bins`, and once more with the network if
    /// offline failed for want of a package. cargo's messages go to stderr.
    pub fn build(&self, lang: Lang) -> Result<(), Problem> {
        eprintln_quiet(&format!(
            "socklab: {} (cargo build --offline --bins)…",
            lang.pick("building the exercises", "연습 문제를 빌드합니다")
        ));
        let offline = self.cargo_build(true)?;
        if offline.success {
            return Ok(());
        }
        if !offline.wants_network {
            return Err(Problem::failed(lang.pick(
                "the build failed: cargo's messages above say where",
                "빌드에 실패했습니다. 위의 cargo 메시지가 위치를 알려 줍니다",
            )));
        }
        eprintln_quiet(&format!(
            "socklab: {}",
            lang.pick(
                "the offline build needs a package cargo has not downloaded; trying once with the network (cargo build --bins)…",
                "오프라인 빌드에 cargo가 아직 내려받지 않은 패키지가 필요합니다. 네트워크로 한 번 더 시도합니다(cargo build --bins)…",
            )
        ));
        if self.cargo_build(false)?.success {
            Ok(())
        } else {
            Err(Problem::failed(lang.pick(
                "the build failed, with the network too: cargo's messages above say why",
                "네트워크를 써도 빌드에 실패했습니다. 위의 cargo 메시지가 이유를 알려 줍니다",
            )))
        }
    }

    fn cargo_build(&self, offline: bool) -> Result<BuildOutcome, Problem> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build");
        if offline {
            cmd.arg("--offline");
        }
        cmd.arg("--bins")
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // cargo colours only a terminal; its stderr is a pipe to us here.
        // SAFETY: isatty only reads the state of descriptor 2.
        if std::env::var_os("NO_COLOR").is_none() && unsafe { libc::isatty(2) } == 1 {
            cmd.env("CARGO_TERM_COLOR", "always");
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Problem::failed(format!("cannot run cargo: {e}")))?;
        let mut wants_network = false;
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                // cargo's words when --offline stops it for a missing package.
                wants_network |= line.contains("--offline") || line.contains("offline mode");
                eprintln_quiet(&line);
            }
        }
        let status = child
            .wait()
            .map_err(|e| Problem::failed(format!("cargo: {e}")))?;
        Ok(BuildOutcome {
            success: status.success(),
            wants_network,
        })
    }
}

struct BuildOutcome {
    success: bool,
    wants_network: bool,
}

/// `socklab exercises`: each exercise, done or not (in a workspace).
pub fn list(ws: Option<&Workspace>, lang: Lang) -> Result<String, Problem> {
    let mut out = String::new();
    let progress = match ws {
        Some(ws) => Some(ws.progress()?),
        None => None,
    };
    let next = match (ws, &progress) {
        (Some(ws), Some(p)) => ws.next(p).map(|e| e.number),
        _ => None,
    };
    for ex in all_exercises() {
        let mark = match (&progress, ws) {
            (Some(p), _) if p.done.contains(&ex.number) => lang.pick("done", "완료"),
            (Some(_), Some(ws)) if !ws.source(ex.number).is_file() => {
                lang.pick("no stub", "스텁 없음")
            }
            (Some(_), _) => lang.pick("to do", "남음"),
            (None, _) => "",
        };
        let arrow = if next == Some(ex.number) {
            lang.pick("  ← next: socklab check", "  ← 다음: socklab check")
        } else {
            ""
        };
        out.push_str(&format!(
            "{:>2}  {} {}{arrow}\n",
            ex.number,
            pad(mark, 8),
            lang.pick(ex.title.0, ex.title.1)
        ));
    }
    match (ws, &progress) {
        (Some(_), Some(p)) => {
            let with_stub = ws.map(|w| w.exercises().len()).unwrap_or(0);
            out.push_str(&lang.pick2(
                format!("\n{} of {with_stub} done.\n", p.done.len()),
                format!("\n{with_stub}개 중 {}개 완료.\n", p.done.len()),
            ));
        }
        _ => out.push_str(lang.pick(
            "\nNot inside an exercise workspace, so no progress to show: `socklab exercises init DIR` makes one.\n",
            "\n연습 문제 작업 폴더 안이 아니어서 진행 상황이 없습니다. `socklab exercises init DIR`로 만드십시오.\n",
        )),
    }
    Ok(out)
}

/// `text` padded with spaces to `width` columns of a terminal, where a
/// Hangul syllable takes two.
fn pad(text: &str, width: usize) -> String {
    let columns: usize = text
        .chars()
        .map(|c| {
            if ('\u{1100}'..='\u{d7ff}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

/// `socklab hint N`: the next hint not yet shown (remembered in the
/// workspace); outside a workspace, every hint at once.
pub fn hint(ex: &'static Exercise, ws: Option<&Workspace>, lang: Lang) -> Result<String, Problem> {
    let all = hints::hints(ex);
    let Some(ws) = ws else {
        let mut out = String::new();
        for i in 0..all.len() {
            out.push_str(&hints::render(ex, i, lang).unwrap_or_default());
        }
        out.push_str(lang.pick(
            "(outside an exercise workspace nothing remembers which hints you saw, so here are all of them)\n",
            "(연습 문제 작업 폴더 밖에서는 본 힌트를 기억할 곳이 없어 모두 보여 줍니다)\n",
        ));
        return Ok(out);
    };
    let mut progress = ws.progress()?;
    let seen = progress.hints_seen.get(&ex.number).copied().unwrap_or(0);
    if all.is_empty() {
        return Ok(lang
            .pick(
                "this exercise has no hints.\n",
                "이 연습 문제에는 힌트가 없습니다.\n",
            )
            .to_string());
    }
    let i = seen.min(all.len() - 1);
    let mut out = hints::render(ex, i, lang).unwrap_or_default();
    if seen >= all.len() {
        out.push_str(lang.pick(
            "(that was the last hint; `socklab check` shows what the kernel saw)\n",
            "(마지막 힌트였습니다. `socklab check`로 커널이 본 것을 확인하십시오)\n",
        ));
    } else {
        progress.hints_seen.insert(ex.number, seen + 1);
        ws.save_progress(&progress)?;
    }
    Ok(out)
}
