//! `socklab grade N SUBMISSION…`: build and grade many submissions of one
//! exercise, several at once, and write one table of submission × rule.
//!
//! One build recipe per kind of submission, decided by what it holds:
//!
//! | the submission | the build | the program |
//! |---|---|---|
//! | a folder with `Cargo.toml` | `cargo build --release` (`--offline` first), every submission sharing one `CARGO_TARGET_DIR` | the package's binary, or its only one |
//! | a folder with a `Makefile` | `make`, in a copy of the folder | `prog`, or the only executable file `make` made |
//! | a folder with `.c` files | `cc -O1 -Wall *.c -o prog` | `prog` |
//! | a folder with `main.py` | none | `python3 main.py` |
//! | an executable file | none | the file |
//!
//! A build that fails (or takes longer than [`BUILD_LIMIT`]) is a verdict,
//! "does not build", with the compiler's last lines. Each program is then
//! graded by [`super::check`], contained as a single check is.

use super::exercise::Exercise;
use super::verdict::{pick, quote, row_key, Stop, Verdict};
use socklab::lang::Lang;
use std::ffi::OsString;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest one build may take before it is stopped: five minutes.
pub const BUILD_LIMIT: Duration = Duration::from_secs(300);

/// How many of a failed build's last lines the verdict keeps.
const TAIL_LINES: usize = 15;

/// What kind of submission a path is, and so how it is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Cargo,
    Make,
    C,
    Python,
    Executable,
}

/// One submission: its name in the table (its file or folder name) and
/// where it is.
#[derive(Clone, Debug)]
pub struct Submission {
    pub name: String,
    pub path: PathBuf,
}

/// What became of one submission.
pub enum Outcome {
    Graded(Box<Verdict>),
    /// The build failed: the recipe, and the compiler's last lines.
    DoesNotBuild {
        recipe: String,
        tail: String,
    },
    /// Nothing socklab knows how to build or run.
    NotASubmission(String),
    /// The grader itself could not run (no strace).
    NotGraded(String),
}

pub struct Row {
    pub submission: Submission,
    pub outcome: Outcome,
}

impl Row {
    /// Why the run was stopped, if the grader or a limit stopped it.
    fn stop(&self) -> Option<&Stop> {
        match &self.outcome {
            Outcome::Graded(v) => v.stop.as_ref(),
            _ => None,
        }
    }

    /// What failed first: how the run was stopped (`timed out`, `output
    /// too large`, `crashed (SIGSEGV)`…), else the first broken rule's
    /// name, or why nothing ran; None: passed.
    pub fn first_failure(&self, lang: Lang) -> Option<String> {
        if let Some(stop) = self.stop() {
            return Some(stop.mark(lang));
        }
        match &self.outcome {
            Outcome::Graded(v) => v
                .outcomes
                .iter()
                .find(|o| o.broken.is_some())
                .map(|o| o.key()),
            Outcome::DoesNotBuild { .. } => {
                Some(pick(lang, ("does not build", "빌드 실패")).into())
            }
            Outcome::NotASubmission(_) => {
                Some(pick(lang, ("not a submission", "제출물 아님")).into())
            }
            Outcome::NotGraded(_) => Some(pick(lang, ("not graded", "채점 못 함")).into()),
        }
    }

    /// Each column's mark: `pass`, `fail`, or `not run`; and for
    /// `exits_cleanly`, how a stopped run was stopped (`timed out`…).
    pub fn marks(&self, ex: &Exercise, lang: Lang) -> Vec<String> {
        let not_run = pick(lang, ("not run", "실행 안 함"));
        columns(ex)
            .iter()
            .map(|key| match &self.outcome {
                Outcome::Graded(v) => match v.outcomes.iter().find(|o| &o.key() == key) {
                    Some(o) if o.broken.is_none() => pick(lang, ("pass", "통과")).into(),
                    Some(o) => match &v.stop {
                        Some(stop) if key == "exits_cleanly" && o.fault.is_none() => {
                            stop.mark(lang)
                        }
                        _ => pick(lang, ("fail", "실패")).into(),
                    },
                    None => not_run.into(),
                },
                _ => not_run.into(),
            })
            .collect()
    }

    /// What stopped it, in sentences, or the compiler's lines; and the
    /// run's notes.
    pub fn detail(&self, lang: Lang) -> Option<String> {
        match &self.outcome {
            Outcome::Graded(v) => {
                let mut lines: Vec<String> = v.stop.iter().map(|s| s.says(lang)).collect();
                lines.extend(v.notes.iter().map(|n| n.get(lang).to_string()));
                (!lines.is_empty() && !v.passed()).then(|| lines.join("\n"))
            }
            Outcome::DoesNotBuild { recipe, tail } => Some(format!("{recipe}\n{tail}")),
            Outcome::NotASubmission(why) | Outcome::NotGraded(why) => Some(why.clone()),
        }
    }
}

/// The table's rule columns: the plain run's rules, then each fault
/// run's as `FAULT:rule`.
pub fn columns(ex: &Exercise) -> Vec<String> {
    let plain = ex.rules.iter().map(|r| row_key(None, r));
    let faults = ex
        .faults
        .iter()
        .flat_map(|f| f.rules.iter().map(move |r| row_key(Some(f), r)));
    plain.chain(faults).collect()
}

/// The submissions a list of paths names: the paths themselves, or, when
/// the list is one folder that is not itself a submission, its entries
/// (hidden ones left out), in name order.
///
/// With `one_folder_of_many` (as with `-- CMD`, where no kind is needed),
/// one folder given alone always holds the submissions.
pub fn submissions(paths: &[PathBuf], one_folder_of_many: bool) -> Result<Vec<Submission>, String> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let as_given = |p: &PathBuf| -> Result<Submission, String> {
        let path = std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(Submission {
            name: name(&path),
            path,
        })
    };
    if let [one] = paths {
        if one.is_dir() && (one_folder_of_many || kind(one).is_err()) {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(one)
                .map_err(|e| format!("{}: {e}", one.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| !name(p).starts_with('.'))
                .collect();
            entries.sort();
            if entries.is_empty() {
                return Err(format!("{} holds no submissions", one.display()));
            }
            return entries.iter().map(as_given).collect();
        }
    }
    paths.iter().map(as_given).collect()
}

/// The kind of a submission, by what it holds; Err says why none fits.
pub fn kind(path: &Path) -> Result<Kind, String> {
    if path.is_dir() {
        if path.join("Cargo.toml").is_file() {
            return Ok(Kind::Cargo);
        }
        if ["Makefile", "makefile", "GNUmakefile"]
            .iter()
            .any(|m| path.join(m).is_file())
        {
            return Ok(Kind::Make);
        }
        if !c_files(path).is_empty() {
            return Ok(Kind::C);
        }
        if path.join("main.py").is_file() {
            return Ok(Kind::Python);
        }
        return Err("a folder with no Cargo.toml, Makefile, .c file or main.py".into());
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(Kind::Executable),
        Ok(_) => Err("a file that is not executable".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn c_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c") && p.is_file())
        .collect();
    files.sort();
    files
}

/// `-- CMD ARGS…` for one submission: `{submission}` in the words
/// replaced by its path, or, where no word holds it, the path added last.
pub fn command_for(cmd: &[OsString], path: &Path) -> Vec<OsString> {
    let path_text = path.to_string_lossy();
    let mut found = false;
    let mut words: Vec<OsString> = cmd
        .iter()
        .map(|w| match w.to_str() {
            Some(s) if s.contains("{submission}") => {
                found = true;
                s.replace("{submission}", &path_text).into()
            }
            _ => w.clone(),
        })
        .collect();
    if !found {
        words.push(path.into());
    }
    words
}

/// Build every submission and grade it on `ex`, `jobs` at a time (at
/// least one). Cargo builds take turns on the shared `target_dir`; each
/// built program is copied out to the submission's own scratch folder.
/// With a `cmd` (`-- CMD ARGS…`), nothing is built: each submission is
/// run as [`command_for`] says.
pub fn grade_all(
    ex: &'static Exercise,
    subs: &[Submission],
    cmd: &[OsString],
    self_exe: Option<&Path>,
    target_dir: &Path,
    jobs: usize,
    on_done: &(dyn Fn(&Row) + Sync),
) -> Vec<Row> {
    let next = Mutex::new(0usize);
    let cargo_turn = Mutex::new(());
    let done: Mutex<Vec<Option<Row>>> = Mutex::new((0..subs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, subs.len().max(1)) {
            s.spawn(|| loop {
                let k = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    let k = *n;
                    *n += 1;
                    k
                };
                let Some(sub) = subs.get(k) else { break };
                let row = Row {
                    submission: sub.clone(),
                    outcome: if cmd.is_empty() {
                        grade_one(ex, sub, self_exe, target_dir, &cargo_turn)
                    } else {
                        match super::check(ex, &command_for(cmd, &sub.path), self_exe) {
                            Ok(v) => Outcome::Graded(Box::new(v)),
                            Err(e) => Outcome::NotGraded(e),
                        }
                    },
                };
                on_done(&row);
                done.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(row);
            });
        }
    });
    done.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

fn grade_one(
    ex: &'static Exercise,
    sub: &Submission,
    self_exe: Option<&Path>,
    target_dir: &Path,
    cargo_turn: &Mutex<()>,
) -> Outcome {
    let kind = match kind(&sub.path) {
        Ok(k) => k,
        Err(why) => return Outcome::NotASubmission(why),
    };
    let scratch = match crate::against_strace::scratch_dir() {
        Ok(d) => d,
        Err(e) => return Outcome::NotGraded(format!("scratch folder: {e}")),
    };
    // The scratch folder goes when this returns (ScratchDir removes it).
    match build(&kind, &sub.path, &scratch, target_dir, cargo_turn) {
        Ok(cmd) => match super::check(ex, &cmd, self_exe) {
            Ok(v) => Outcome::Graded(Box::new(v)),
            Err(e) => Outcome::NotGraded(e),
        },
        Err(outcome) => outcome,
    }
}

/// Build a submission of `kind` at `path`: the command that runs it.
fn build(
    kind: &Kind,
    path: &Path,
    scratch: &Path,
    target_dir: &Path,
    cargo_turn: &Mutex<()>,
) -> Result<Vec<OsString>, Outcome> {
    match kind {
        Kind::Executable => Ok(vec![path.into()]),
        Kind::Python => Ok(vec!["python3".into(), path.join("main.py").into()]),
        Kind::C => {
            let prog = scratch.join("prog");
            let mut cmd = Command::new("cc");
            cmd.args(["-O1", "-Wall"])
                .args(c_files(path))
                .arg("-o")
                .arg(&prog)
                .current_dir(path);
            run_build(cmd, scratch, "cc -O1 -Wall *.c -o prog")?;
            Ok(vec![prog.into()])
        }
        Kind::Make => {
            let copy = scratch.join("src");
            let mut cp = Command::new("cp");
            cp.arg("-a").arg(path).arg(&copy);
            run_build(cp, scratch, "cp -a (a copy to build in)")?;
            let mut make = Command::new("make");
            make.current_dir(&copy);
            run_build(make, scratch, "make")?;
            made_program(&copy).map(|p| vec![p.into()])
        }
        Kind::Cargo => {
            let _turn = cargo_turn.lock().unwrap_or_else(|e| e.into_inner());
            let recipe = "cargo build --release";
            let artifacts = scratch.join("artifacts");
            let offline = run_cargo(path, target_dir, &artifacts, scratch, true);
            let built = match offline {
                Err(Outcome::DoesNotBuild { tail, .. })
                    if tail.contains("--offline") || tail.contains("offline mode") =>
                {
                    run_cargo(path, target_dir, &artifacts, scratch, false)
                }
                other => other,
            };
            built?;
            let bin = cargo_binary(path, &artifacts).map_err(|why| Outcome::DoesNotBuild {
                recipe: recipe.into(),
                tail: why,
            })?;
            // The shared target folder is the next submission's too: keep
            // this program in the submission's own folder.
            let prog = scratch.join("prog");
            std::fs::copy(&bin, &prog).map_err(|e| Outcome::DoesNotBuild {
                recipe: recipe.into(),
                tail: format!("copying {}: {e}", bin.display()),
            })?;
            Ok(vec![prog.into()])
        }
    }
}

fn run_cargo(
    path: &Path,
    target_dir: &Path,
    artifacts: &Path,
    scratch: &Path,
    offline: bool,
) -> Result<(), Outcome> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release"]);
    if offline {
        cmd.arg("--offline");
    }
    // rustc's messages rendered as usual on stderr; on stdout, one JSON
    // line per artifact, which names the binaries built.
    cmd.arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(path.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .current_dir(path);
    match File::create(artifacts) {
        Ok(f) => {
            cmd.stdout(f);
        }
        Err(e) => {
            return Err(Outcome::NotGraded(format!("scratch folder: {e}")));
        }
    }
    let recipe = if offline {
        "cargo build --release --offline"
    } else {
        "cargo build --release"
    };
    run_build_logged(cmd, scratch, recipe, false)
}

/// The binary cargo built: the one named after the package, or the only
/// one.
fn cargo_binary(path: &Path, artifacts: &Path) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(artifacts).unwrap_or_default();
    let mut bins: Vec<(String, PathBuf)> = Vec::new();
    for line in text.lines() {
        let Ok(v) = crate::json::parse(line) else {
            continue;
        };
        if v.get("reason").and_then(|r| r.as_str()) != Some("compiler-artifact") {
            continue;
        }
        let Some(exe) = v.get("executable").and_then(|e| e.as_str()) else {
            continue;
        };
        let target = v.get("target");
        let is_bin = target
            .and_then(|t| t.get("kind"))
            .and_then(|k| k.as_array())
            .is_some_and(|k| k.iter().any(|x| x.as_str() == Some("bin")));
        if is_bin {
            let name = target
                .and_then(|t| t.get("name"))
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string();
            bins.push((name, PathBuf::from(exe)));
        }
    }
    let package = package_name(path);
    if let Some((_, exe)) = bins.iter().find(|(n, _)| Some(n) == package.as_ref()) {
        return Ok(exe.clone());
    }
    match bins.as_slice() {
        [(_, exe)] => Ok(exe.clone()),
        [] => Err("cargo built no binary".into()),
        many => Err(format!(
            "cargo built {} binaries ({}) and none is named after the package: keep one",
            many.len(),
            many.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `name = "…"` in Cargo.toml's `[package]`.
fn package_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path.join("Cargo.toml")).ok()?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(rest) = line.strip_prefix("name") {
                let value = rest.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

/// After `make`: `prog`, or the only executable file in the folder.
fn made_program(dir: &Path) -> Result<PathBuf, Outcome> {
    let prog = dir.join("prog");
    if prog.is_file() {
        return Ok(prog);
    }
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Outcome::DoesNotBuild {
            recipe: "make".into(),
            tail: format!(
                "make left {} executable files and none named prog: name the program prog",
                found.len()
            ),
        }),
    }
}

fn run_build(cmd: Command, scratch: &Path, recipe: &str) -> Result<(), Outcome> {
    run_build_logged(cmd, scratch, recipe, true)
}

/// Run one build step, its messages to `scratch/build.log`, at most
/// [`BUILD_LIMIT`]; a failure is the verdict "does not build".
fn run_build_logged(
    mut cmd: Command,
    scratch: &Path,
    recipe: &str,
    stdout_too: bool,
) -> Result<(), Outcome> {
    let log_path = scratch.join("build.log");
    let log = File::create(&log_path).and_then(|f| Ok((f.try_clone()?, f)));
    let (out, err) = match log {
        Ok(pair) => pair,
        Err(e) => return Err(Outcome::NotGraded(format!("scratch folder: {e}"))),
    };
    if stdout_too {
        cmd.stdout(out);
    }
    cmd.stderr(err).stdin(Stdio::null());
    // SAFETY: setpgid only, between fork and exec: its own process group,
    // so a build past its limit is stopped with everything it started.
    unsafe {
        cmd.pre_exec(|| {
            libc::setpgid(0, 0);
            Ok(())
        });
    }
    let fails = |tail: String| Outcome::DoesNotBuild {
        recipe: recipe.to_string(),
        tail,
    };
    let child = cmd
        .spawn()
        .map_err(|e| fails(format!("cannot start it: {e}")))?;
    let status = super::run::wait_until(child, Instant::now() + BUILD_LIMIT);
    let text = std::fs::read(&log_path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    match status {
        Some(s) if s.success() => Ok(()),
        Some(_) => Err(fails(tail)),
        None => Err(fails(format!(
            "{tail}\nstopped after {} s",
            BUILD_LIMIT.as_secs()
        ))),
    }
}

/// The table in Markdown: a row per submission, a column per rule, the
/// first failure last; then what stopped each submission that did not
/// pass or did not run.
pub fn markdown(ex: &Exercise, rows: &[Row], lang: Lang) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let (title, submission, first) = match lang {
        Lang::En => (
            format!("exercise {}", ex.number),
            "submission",
            "first failure",
        ),
        Lang::Ko => (format!("연습 문제 {}", ex.number), "제출물", "처음 실패"),
    };
    let mut out = format!("# {title}\n\n| {submission} |");
    let columns = columns(ex);
    for key in &columns {
        out.push_str(&format!(" {key} |"));
    }
    out.push_str(&format!(" {first} |\n|---|"));
    out.push_str(&"---|".repeat(columns.len() + 1));
    out.push('\n');
    for row in rows {
        out.push_str(&format!("| {} |", cell(&row.submission.name)));
        for mark in row.marks(ex, lang) {
            out.push_str(&format!(" {mark} |"));
        }
        out.push_str(&format!(
            " {} |\n",
            cell(&row.first_failure(lang).unwrap_or_default())
        ));
    }
    let passed = rows
        .iter()
        .filter(|r| r.first_failure(lang).is_none())
        .count();
    out.push_str(&match lang {
        Lang::En => format!("\n{passed} of {} submissions passed.\n", rows.len()),
        Lang::Ko => format!("\n제출물 {}개 중 {passed}개가 통과했습니다.\n", rows.len()),
    });
    for row in rows {
        if let Some(detail) = row.detail(lang) {
            out.push_str(&format!(
                "\n## {}: {}\n\n```text\n{}\n```\n",
                row.submission.name,
                row.first_failure(lang).unwrap_or_default(),
                detail.trim_end().replace("```", "'''")
            ));
        }
    }
    out
}

/// The same table as CSV: a header, then a row per submission.
pub fn csv(ex: &Exercise, rows: &[Row], lang: Lang) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut header = vec![pick(lang, ("submission", "제출물")).to_string()];
    header.extend(columns(ex));
    header.push(pick(lang, ("first_failure", "처음_실패")).into());
    let mut out = header.join(",") + "\n";
    for row in rows {
        let mut fields = vec![field(&row.submission.name)];
        fields.extend(row.marks(ex, lang).iter().map(|m| field(m)));
        fields.push(field(&row.first_failure(lang).unwrap_or_default()));
        out.push_str(&(fields.join(",") + "\n"));
    }
    out
}

/// The same table as one JSON object: the exercise, its rules, and per
/// submission its marks, its first failure (null: passed), how it was
/// stopped (null: it was not) and, when it did not pass, why. Keys and
/// marks stay English for machines; sentences follow `lang`.
pub fn json(ex: &Exercise, rows: &[Row], lang: Lang) -> String {
    let q = |s: &str| quote(s);
    let columns = columns(ex);
    let rules: Vec<String> = columns.iter().map(|k| q(k)).collect();
    let subs: Vec<String> = rows
        .iter()
        .map(|row| {
            let marks: Vec<String> = columns
                .iter()
                .zip(row.marks(ex, Lang::En))
                .map(|(k, m)| format!("{}:{}", q(k), q(&m)))
                .collect();
            let opt = |o: Option<String>| o.map_or("null".to_string(), |s| q(&s));
            format!(
                "{{\"submission\":{},\"path\":{},\"passed\":{},\"first_failure\":{},\"stopped\":{},\"rules\":{{{}}},\"detail\":{}}}",
                q(&row.submission.name),
                q(&row.submission.path.display().to_string()),
                row.first_failure(Lang::En).is_none(),
                opt(row.first_failure(Lang::En)),
                opt(row.stop().map(|s| s.code().to_string())),
                marks.join(","),
                opt(row.detail(lang))
            )
        })
        .collect();
    format!(
        "{{\"exercise\":{},\"rules\":[{}],\"submissions\":[{}]}}\n",
        ex.number,
        rules.join(","),
        subs.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_name_is_read_from_its_section() {
        let dir = std::env::temp_dir().join(format!("socklab-batch-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[workspace]\nname = \"no\"\n\n[package]\nname = \"ex01-alice\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        assert_eq!(package_name(&dir).as_deref(), Some("ex01-alice"));
        assert_eq!(kind(&dir), Ok(Kind::Cargo));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fault run's rules are columns of their own, `FAULT:rule`, after
    /// the plain run's, in the Markdown, CSV and JSON tables.
    #[test]
    fn a_fault_runs_rules_are_columns_of_their_own() {
        use crate::grade::exercise::EXERCISE_5;
        use crate::grade::peer::mebibyte;
        use crate::grade::rules::{Evidence, Exit};
        let evidence = |received: Vec<u8>| Evidence {
            events: vec![],
            stdout: vec![],
            peer_received: vec![received],
            peer_error: None,
            exit: Exit::Code(0),
            seed: 0,
        };
        let mut verdict = Verdict::judge(5, EXERCISE_5.rules, evidence(mebibyte()));
        verdict.judge_fault(&EXERCISE_5.faults[0], evidence(vec![]));
        let row = Row {
            submission: Submission {
                name: "alice".into(),
                path: PathBuf::from("/alice"),
            },
            outcome: Outcome::Graded(Box::new(verdict)),
        };
        assert_eq!(
            columns(&EXERCISE_5),
            [
                "no_socket_open_at_exit",
                "sends_the_mebibyte",
                "exits_cleanly",
                "eintr:send_retried",
                "eintr:sends_the_mebibyte",
                "eintr:exits_cleanly"
            ]
        );
        let rows = [row];
        let md = markdown(&EXERCISE_5, &rows, Lang::En);
        assert!(
            md.contains("| alice | pass | pass | pass | fail | fail | pass | eintr:send_retried |"),
            "{md}"
        );
        assert!(csv(&EXERCISE_5, &rows, Lang::En).starts_with(
            "submission,no_socket_open_at_exit,sends_the_mebibyte,exits_cleanly,eintr:send_retried,"
        ));
        let json = json(&EXERCISE_5, &rows, Lang::En);
        assert!(json.contains("\"eintr:send_retried\":\"fail\""), "{json}");
    }
}
