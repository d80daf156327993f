//! The student's side of the exercises: `socklab exercises init DIR` makes
//! a workspace that builds offline; each stub fails its check with the
//! rule its exercise is about; the reference solution in its place passes
//! and is recorded; hints come one at a time; init overwrites nothing; a
//! workspace made for another socklab version is said so.

mod common;

use socklab_tools::against_strace::{scratch_dir, ScratchDir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn socklab() -> &'static str {
    env!("CARGO_BIN_EXE_socklab")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

/// `socklab ARGS…` run in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_in_target(dir, args, "exercises-student-target")
}

/// `socklab ARGS…` run in `dir`, cargo building into `target`, a folder
/// in cargo's scratch folder: the library is built once there, not once
/// per run. Tests that build at the same time use folders of their own:
/// every workspace's binaries have the same names (`ex01` to `ex11`), and
/// a stub built by one test would take the place of a solution another
/// test has just built, before it runs.
fn run_in_target(dir: &Path, args: &[&str], target: &str) -> Output {
    Command::new(socklab())
        .args(args)
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(target),
        )
        .output()
        .expect("socklab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exercise `n`'s Rust reference solution in its stub's place: `check n`
/// builds it and passes all `rules` of the exercise.
fn solution_passes(run_in: impl Fn(&Path, &[&str]) -> Output, ws: &Path, n: u8, rules: usize) {
    std::fs::copy(
        root().join(format!("tests/exercises/{n:02}/solution.rs")),
        ws.join(format!("src/bin/ex{n:02}.rs")),
    )
    .unwrap();
    let out = run_in(ws, &["--lang", "en", "check", &n.to_string()]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}\n{}", text(&out.stderr));
    assert!(
        said.contains(&format!("{rules} of {rules} rules passed")),
        "{said}"
    );
}

/// A new workspace in a scratch folder (removed when dropped).
fn workspace() -> (ScratchDir, PathBuf) {
    let scratch = scratch_dir().expect("scratch folder");
    let ws = scratch.join("my-exercises");
    let out = run_in(scratch.path(), &["exercises", "init", "my-exercises"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (scratch, ws)
}

fn failed_rules(json: &str) -> Vec<String> {
    json.split("{\"rule\":\"")
        .skip(1)
        .filter(|r| r.contains("\"passed\":false"))
        .filter_map(|r| r.split('"').next().map(str::to_string))
        .collect()
}

fn assert_fails_with(out: &Output, rules: &[&str]) {
    let json = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{json}\n{}", text(&out.stderr));
    let failed = failed_rules(&json);
    for rule in rules {
        assert!(failed.iter().any(|r| r == rule), "{rule}: {json}");
    }
}

fn progress(ws: &Path) -> String {
    std::fs::read_to_string(ws.join(".socklab/progress.json")).expect("progress.json")
}

#[test]
fn init_makes_a_workspace_that_depends_on_this_library_by_path() {
    let (_scratch, ws) = workspace();
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "README.ko.md",
        "src/bin/ex01.rs",
        "src/bin/ex02.rs",
        "src/bin/ex03.rs",
        "src/bin/ex04.rs",
        "c/ex01.c",
        "c/ex02.c",
        "c/ex03.c",
        "c/ex04.c",
        ".socklab/progress.json",
        "src/bin/ex07.rs",
        "src/bin/ex08.rs",
        "c/ex07.c",
        "c/ex08.c",
    ] {
        assert!(ws.join(file).is_file(), "{file} is missing");
    }
    let manifest = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    let library = root().canonicalize().unwrap();
    assert!(
        manifest.contains(&format!("socklab = {{ path = \"{}\" }}", library.display())),
        "{manifest}"
    );
    assert!(library.join("src/lib.rs").is_file());
    assert_eq!(
        std::fs::read_to_string(ws.join(".socklab/version")).unwrap(),
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        std::fs::read(ws.join("Cargo.lock")).unwrap(),
        std::fs::read(root().join("Cargo.lock")).unwrap()
    );
    // Each stub says what is left to do.
    for stub in [
        "src/bin/ex01.rs",
        "src/bin/ex02.rs",
        "src/bin/ex03.rs",
        "src/bin/ex04.rs",
        "src/bin/ex07.rs",
        "src/bin/ex08.rs",
    ] {
        let src = std::fs::read_to_string(ws.join(stub)).unwrap();
        assert!(src.contains("todo!(") && src.contains("// TODO"), "{stub}");
    }
    for stub in [
        "c/ex01.c", "c/ex02.c", "c/ex03.c", "c/ex04.c", "c/ex07.c", "c/ex08.c",
    ] {
        let src = std::fs::read_to_string(ws.join(stub)).unwrap();
        assert!(src.contains("TODO") && src.contains("return 1;"), "{stub}");
    }
    let ko = std::fs::read_to_string(ws.join("README.ko.md")).unwrap();
    assert!(ko.contains("연습 문제") && ko.contains("합니다"), "{ko}");
}

/// The whole road, with one build: the stubs compile offline and fail
/// with their exercise's rules; the C stubs too; the reference solution
/// in the stub's place passes, is recorded, and the next check moves on.
#[test]
fn stubs_fail_with_their_rule_and_a_solution_passes_and_is_recorded() {
    if !common::strace_usable() {
        return;
    }
    let (_scratch, ws) = workspace();

    let out = run_in(&ws, &["check", "--json"]);
    let err = text(&out.stderr);
    assert!(err.contains("cargo build --offline --bins"), "{err}");
    assert!(err.contains("checking exercise 1"), "{err}");
    assert_fails_with(&out, &["recv_until_zero", "prints_the_greeting"]);
    assert!(err.contains("todo!()"), "{err}");

    let out = run_in(&ws, &["check", "2", "--json"]);
    assert_fails_with(&out, &["answers_the_request"]);

    // Exercises 3 and 4: each stub stops at its todo!() and fails the
    // rules its exercise is about (built once, by the first check). The
    // Rust stub's panic unwinds and drops its sockets, which closes them;
    // the C stub returns without closing its client's fd.
    let out = run_in(&ws, &["check", "3", "--json"]);
    assert_fails_with(&out, &["recv_until_zero", "echoes_each_client"]);
    assert!(text(&out.stderr).contains("todo!()"));
    let out = run_in(&ws, &["check", "4", "--json"]);
    assert_fails_with(&out, &["recv_until_zero", "prints_the_stream"]);
    assert!(text(&out.stderr).contains("todo!()"));
    // Exercise 7's stub sends the request and stops before the
    // half-close; exercise 8's stops after the first refused connect.
    let out = run_in(&ws, &["check", "7", "--json"]);
    assert_fails_with(&out, &["half_closes_after_sending", "prints_the_answer"]);
    assert!(text(&out.stderr).contains("todo!()"));
    let out = run_in(&ws, &["check", "8", "--json"]);
    assert_fails_with(&out, &["retries_until_connected", "prints_the_greeting"]);
    assert!(text(&out.stderr).contains("todo!()"));

    // The C stubs, built as the index page says.
    for (n, rules) in [
        (1, &["recv_until_zero", "prints_the_greeting"][..]),
        (2, &["answers_the_request", "accepted_fds_closed"][..]),
        (
            3,
            &[
                "echoes_each_client",
                "recv_until_zero",
                "accepted_fds_closed",
            ][..],
        ),
        (4, &["recv_until_zero", "prints_the_stream"][..]),
        (
            7,
            &[
                "half_closes_after_sending",
                "recv_until_zero",
                "prints_the_answer",
            ][..],
        ),
        (
            8,
            &[
                "retries_until_connected",
                "failed_sockets_closed",
                "prints_the_greeting",
            ][..],
        ),
    ] {
        let (src, bin) = (format!("c/ex0{n}.c"), format!("c/ex0{n}"));
        let cc = Command::new("cc")
            .args(["-Wall", "-Werror", "-o", &bin, &src])
            .current_dir(&ws)
            .status()
            .expect("cc runs");
        assert!(cc.success(), "{src}");
        let out = run_in(
            &ws,
            &["check", &n.to_string(), "--json", "--", &format!("./{bin}")],
        );
        assert_fails_with(&out, rules);
    }
    assert!(progress(&ws).contains("\"done\":[]"), "{}", progress(&ws));

    std::fs::copy(
        root().join("tests/exercises/01/solution.rs"),
        ws.join("src/bin/ex01.rs"),
    )
    .unwrap();
    let out = run_in(&ws, &["check"]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}\n{}", text(&out.stderr));
    assert!(said.contains("4 of 4 rules passed"), "{said}");
    assert!(said.contains("Exercise 1 is done"), "{said}");
    assert!(progress(&ws).contains("\"done\":[1]"), "{}", progress(&ws));

    let out = run_in(&ws, &["--lang", "en", "exercises"]);
    let list = text(&out.stdout);
    assert!(list.lines().any(|l| l.starts_with(" 1  done")), "{list}");
    assert!(
        list.lines()
            .any(|l| l.starts_with(" 2  to do") && l.contains("next")),
        "{list}"
    );

    // Exercise 1 has passed: the next `socklab check` is exercise 2's.
    let out = run_in(&ws, &["check", "--json"]);
    assert!(text(&out.stderr).contains("checking exercise 2"));
    assert_fails_with(&out, &["answers_the_request"]);
}

#[test]
fn hints_come_one_at_a_time_and_are_remembered() {
    let (_scratch, ws) = workspace();
    let hint = |lang: &str| {
        let out = run_in(&ws, &["--lang", lang, "hint", "1"]);
        assert_eq!(out.status.code(), Some(0));
        text(&out.stdout)
    };
    assert!(hint("en").starts_with("exercise 1, hint 1 of 3:"));
    assert!(progress(&ws).contains("\"hints_seen\":{\"1\":1}"));
    assert!(hint("ko").starts_with("연습 문제 1, 힌트 2/3:"));
    let third = hint("en");
    assert!(third.starts_with("exercise 1, hint 3 of 3:"), "{third}");
    assert!(!third.contains("last hint"), "{third}");
    // After the last, the last again, and a word that there are no more.
    let again = hint("en");
    assert!(again.starts_with("exercise 1, hint 3 of 3:"), "{again}");
    assert!(again.contains("that was the last hint"), "{again}");
    assert!(progress(&ws).contains("\"hints_seen\":{\"1\":3}"));
    // Exercise 2's hints are counted apart.
    let out = run_in(&ws, &["--lang", "en", "hint", "2"]);
    assert!(text(&out.stdout).starts_with("exercise 2, hint 1 of 3:"));
}

#[test]
fn outside_a_workspace_hints_come_all_at_once_and_check_wants_a_program() {
    let scratch = scratch_dir().unwrap();
    let out = run_in(scratch.path(), &["--lang", "en", "hint", "2"]);
    let all = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for i in 1..=3 {
        assert!(all.contains(&format!("hint {i} of 3")), "{all}");
    }
    let out = run_in(scratch.path(), &["--lang", "en", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("socklab exercises init DIR"), "{err}");

    let out = run_in(scratch.path(), &["--lang", "en", "exercises", "list"]);
    let list = text(&out.stdout);
    assert!(list.contains(" 1  ") && list.contains(" 2  "), "{list}");
    assert!(list.contains("Not inside an exercise workspace"), "{list}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let scratch = scratch_dir().unwrap();
    std::fs::write(scratch.join("notes.txt"), "mine").unwrap();
    let out = run_in(scratch.path(), &["exercises", "init", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not an empty folder"), "{err}");
    let left: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "init wrote something");
    assert_eq!(
        std::fs::read_to_string(scratch.join("notes.txt")).unwrap(),
        "mine"
    );
    // A file where the folder should be is refused the same way.
    let out = run_in(scratch.path(), &["exercises", "init", "notes.txt"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_workspace_made_for_another_version_is_said_in_one_line() {
    let (_scratch, ws) = workspace();
    std::fs::write(ws.join(".socklab/version"), "0.0.1\n").unwrap();
    let note = format!(
        "this workspace was made for socklab 0.0.1; this is socklab {}",
        env!("CARGO_PKG_VERSION")
    );
    let out = run_in(&ws, &["--lang", "en", "exercises"]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&note), "{err}");
    // check says it too, first, and goes on.
    let out = run_in(&ws, &["--lang", "en", "check", "1", "--json", "--", "true"]);
    let err = text(&out.stderr);
    assert!(err.lines().next().unwrap_or("").contains(&note), "{err}");
    if common::strace_usable() {
        assert_fails_with(&out, &["prints_the_greeting"]);
    }
}

/// `socklab check --watch` in a workspace, its stdin a pipe: stdout's
/// lines arrive on a channel (read by a thread), so the test waits for
/// what it expects, with a deadline, never for a fixed time.
struct Watching {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: String,
}

impl Watching {
    fn start(ws: &Path, args: &[&str]) -> Watching {
        Watching::start_with(ws, args, "exercises-student-target-watch", false)
    }

    /// As `start`, cargo building into `target`; with `stderr`, the
    /// lines of stderr (the compiler's, socklab's one-line errors) come
    /// on the same channel as stdout's.
    fn start_with(ws: &Path, args: &[&str], target: &str, stderr: bool) -> Watching {
        use std::process::Stdio;
        let mut child = Command::new(socklab())
            .args(args)
            .current_dir(ws)
            .env(
                "CARGO_TARGET_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join(target),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if stderr {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("socklab runs");
        let (tx, lines) = std::sync::mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        let readers: Vec<Box<dyn std::io::Read + Send>> = match child.stderr.take() {
            Some(err) => vec![Box::new(out), Box::new(err)],
            None => vec![Box::new(out)],
        };
        for reader in readers {
            let tx = tx.clone();
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(reader)
                    .lines()
                    .map_while(Result::ok)
                {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watching {
            child,
            lines,
            seen: String::new(),
        }
    }

    /// Read stdout until a line contains `needle`; everything read since
    /// the last call. The deadline is generous: the first check builds
    /// the workspace.
    fn until(&mut self, needle: &str) -> String {
        self.until_all(&[needle])
    }

    /// Read until every one of `needles` has been in a line read by this
    /// call: stdout's and stderr's lines come by two threads, so their
    /// order on the channel is not the order they were written in.
    fn until_all(&mut self, needles: &[&str]) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
        let mut got = String::new();
        let mut missing: Vec<&str> = needles.to_vec();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    got.push_str(&line);
                    got.push('\n');
                    missing.retain(|needle| !line.contains(needle));
                    if missing.is_empty() {
                        self.seen.push_str(&got);
                        return got;
                    }
                }
                Err(e) => panic!("no {missing:?} ({e:?}) after:\n{}{got}", self.seen),
            }
        }
    }

    fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("stdin");
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
    }

    /// Close stdin; the exit status, which must come within 10 s.
    fn close_stdin(mut self) -> Option<i32> {
        drop(self.child.stdin.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        // No check is under way, so the watch stops at once: the deadline
        // only bounds a hang, and each wait is for its next line.
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("the watch did not stop within 10 s of stdin's end");
            }
            let _ = self
                .lines
                .recv_timeout(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The watch checks the first exercise, then again when its file is
/// saved the way vim saves (a new file renamed over the old one); after
/// the pass it is recorded and the watch goes on to exercise 2 and
/// checks it; `h` shows its hint; stdin's end stops it with status 0.
#[test]
fn watch_checks_again_at_each_save_and_moves_on_after_a_pass() {
    if !common::strace_usable() {
        return;
    }
    let (_scratch, ws) = workspace();
    let mut watch = Watching::start(&ws, &["--lang", "en", "check", "--watch"]);
    let first = watch.until("Watching exercise 1");
    assert!(first.contains("exercise 1:"), "{first}");
    assert!(first.contains("FAIL  recv_until_zero"), "{first}");
    assert!(first.contains("q + Enter"), "{first}");

    // Save by rename, as an editor does.
    let new = ws.join("src/bin/ex01.rs.new");
    std::fs::copy(root().join("tests/exercises/01/solution.rs"), &new).unwrap();
    std::fs::rename(&new, ws.join("src/bin/ex01.rs")).unwrap();
    let after = watch.until("Watching exercise 2");
    assert!(
        after.contains("src/bin/ex01.rs changed: checking exercise 1"),
        "{after}"
    );
    assert!(after.contains("4 of 4 rules passed"), "{after}");
    assert!(after.contains("Exercise 1 is done"), "{after}");
    assert!(after.contains("On to exercise 2"), "{after}");
    assert!(after.contains("FAIL  answers_the_request"), "{after}");
    // Only one check of exercise 1 for one save.
    assert_eq!(after.matches("exercise 1:").count(), 1, "{after}");
    assert!(progress(&ws).contains("\"done\":[1]"), "{}", progress(&ws));

    watch.type_line("h");
    watch.until("exercise 2, hint 1 of 3:");
    assert_eq!(watch.close_stdin(), Some(0));

    // In Korean, from exercise 2 (the first not yet passed); q quits.
    let mut watch = Watching::start(&ws, &["--lang", "ko", "check", "--watch"]);
    let said = watch.until("지켜보고 있습니다");
    assert!(said.contains("연습 문제 2를 지켜보고"), "{said}");
    watch.type_line("q");
    watch.until("지켜보기를 끝냅니다");
    assert_eq!(watch.close_stdin(), Some(0));

    // Ctrl-C (SIGINT) while it waits: it stops, with 128 + 2.
    let mut watch = Watching::start(&ws, &["--lang", "en", "check", "1", "--watch"]);
    let said = watch.until("Watching exercise 2");
    assert!(said.contains("On to exercise 2"), "{said}");
    // SAFETY: a signal to the child this test started and has not reaped.
    unsafe { libc::kill(watch.child.id() as i32, libc::SIGINT) };
    watch.until("Stopped watching");
    assert_eq!(watch.close_stdin(), Some(130));
}

/// `--watch` where it cannot work: one line and status 2, at once.
#[test]
fn watch_refuses_json_a_command_and_a_folder_that_is_no_workspace() {
    let scratch = scratch_dir().unwrap();
    let out = run_in(scratch.path(), &["--lang", "en", "check", "--watch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--watch works inside an exercise workspace"),
        "{err}"
    );
    let out = run_in(
        scratch.path(),
        &["--lang", "ko", "check", "1", "--watch", "--", "true"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("-- CMD를 받지 않습니다"), "{err}");
    let out = run_in(
        scratch.path(),
        &["--lang", "en", "check", "--watch", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot be used with --json"));
}

/// Exercises 5 and 6: the workspace has their stubs, `exercises` lists
/// them, and each stub (Rust and C) fails with the rule its exercise is
/// about: exercise 5's in its fault run, where strace fails its one send
/// with EINTR; exercise 6's with the answers its client never got. The
/// reference solution in exercise 5's place passes both runs.
#[test]
fn stubs_of_exercises_5_and_6_fail_with_their_rule() {
    let (_scratch, ws) = workspace();
    let run_in =
        |dir: &Path, args: &[&str]| run_in_target(dir, args, "exercises-student-target-56");
    for file in ["src/bin/ex05.rs", "src/bin/ex06.rs", "c/ex05.c", "c/ex06.c"] {
        let src = std::fs::read_to_string(ws.join(file)).expect(file);
        assert!(src.contains("TODO"), "{file}");
    }
    let out = run_in(&ws, &["--lang", "en", "exercises"]);
    let list = text(&out.stdout);
    assert!(
        list.lines().any(|l| l.starts_with(" 5  to do")
            && l.contains("sending 1 MB with a loop that survives EINTR")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with(" 6  to do") && l.contains("line-framed")),
        "{list}"
    );
    if !common::strace_usable() {
        return;
    }
    let out = run_in(&ws, &["check", "5", "--json"]);
    assert_fails_with(&out, &["eintr:send_retried", "exits_cleanly"]);
    assert!(text(&out.stderr).contains("todo!()"));
    let out = run_in(&ws, &["check", "6", "--json"]);
    assert_fails_with(&out, &["answers_each_line"]);
    assert!(text(&out.stderr).contains("todo!()"));
    for (n, rules) in [
        (5, &["eintr:send_retried", "exits_cleanly"][..]),
        (6, &["answers_each_line", "accepted_fds_closed"][..]),
    ] {
        let (src, bin) = (format!("c/ex0{n}.c"), format!("c/ex0{n}"));
        let cc = Command::new("cc")
            .args(["-Wall", "-Werror", "-o", &bin, &src])
            .current_dir(&ws)
            .status()
            .expect("cc runs");
        assert!(cc.success(), "{src}");
        let out = run_in(
            &ws,
            &["check", &n.to_string(), "--json", "--", &format!("./{bin}")],
        );
        assert_fails_with(&out, rules);
    }
    solution_passes(run_in, &ws, 5, 6);
    assert!(progress(&ws).contains("\"done\":[5]"), "{}", progress(&ws));
}

/// Exercise 9: the workspace has its stubs, `exercises` lists it, and
/// each stub (Rust and C) fails with the rule the exercise is about: the
/// first datagram got no reply. The reference solution in the Rust
/// stub's place passes and is recorded (built in a target folder of its
/// own, as [`run_in_target`] says why).
#[test]
fn stubs_of_exercise_9_fail_with_its_rule() {
    let (_scratch, ws) = workspace();
    let run_in =
        |dir: &Path, args: &[&str]| run_in_target(dir, args, "exercises-student-target-09");
    let rust = std::fs::read_to_string(ws.join("src/bin/ex09.rs")).expect("ex09.rs");
    assert!(rust.contains("todo!(") && rust.contains("// TODO"));
    let c = std::fs::read_to_string(ws.join("c/ex09.c")).expect("ex09.c");
    assert!(c.contains("TODO") && c.contains("return 1;"));
    let out = run_in(&ws, &["--lang", "en", "exercises"]);
    let list = text(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with(" 9  to do") && l.contains("a UDP echo server")),
        "{list}"
    );
    if !common::strace_usable() {
        return;
    }
    let out = run_in(&ws, &["check", "9", "--json"]);
    assert_fails_with(&out, &["one_reply_per_datagram", "echoes_arrive_whole"]);
    assert!(text(&out.stderr).contains("todo!()"));
    let cc = Command::new("cc")
        .args(["-Wall", "-Werror", "-o", "c/ex09", "c/ex09.c"])
        .current_dir(&ws)
        .status()
        .expect("cc runs");
    assert!(cc.success());
    let out = run_in(&ws, &["check", "9", "--json", "--", "./c/ex09"]);
    assert_fails_with(
        &out,
        &[
            "one_reply_per_datagram",
            "echoes_arrive_whole",
            "no_socket_open_at_exit",
        ],
    );
    solution_passes(run_in, &ws, 9, 6);
    assert!(progress(&ws).contains("\"done\":[9]"), "{}", progress(&ws));
}

/// Exercises 10 and 11: the workspace has their stubs, `exercises` lists
/// them, and each stub (Rust and C) fails with the rule its exercise is
/// about: exercise 10's polls the listening socket alone, and client 2
/// is not served while client 1 is silent; exercise 11's children keep
/// the listening fd, and the parent reaps no child (the C one's keeps
/// the data fd too). The reference solutions in the Rust stubs' places pass and are
/// recorded (built in a target folder of their own, as [`run_in_target`]
/// says why).
#[test]
fn stubs_of_exercises_10_and_11_fail_with_their_rule() {
    let (_scratch, ws) = workspace();
    let run_in =
        |dir: &Path, args: &[&str]| run_in_target(dir, args, "exercises-student-target-1011");
    for n in ["10", "11"] {
        let rust = std::fs::read_to_string(ws.join(format!("src/bin/ex{n}.rs"))).expect("stub");
        assert!(
            rust.contains("todo!(") && rust.contains("// TODO"),
            "ex{n}.rs"
        );
        let c = std::fs::read_to_string(ws.join(format!("c/ex{n}.c"))).expect("stub");
        assert!(c.contains("TODO"), "ex{n}.c");
    }
    let out = run_in(&ws, &["--lang", "en", "exercises"]);
    let list = text(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with("10  to do") && l.contains("a poll server")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("11  to do") && l.contains("a fork-per-client server")),
        "{list}"
    );
    if !common::strace_usable() {
        return;
    }
    let out = run_in(&ws, &["check", "10", "--json"]);
    assert_fails_with(
        &out,
        &["waits_on_listener_and_clients", "serves_clients_at_once"],
    );
    assert!(text(&out.stderr).contains("todo!()"));
    // The Rust stub's parent stops at its todo!(): the panic's unwinding
    // drops (closes) its copy of the client's socket, and reaps nothing.
    let out = run_in(&ws, &["check", "11", "--json"]);
    assert_fails_with(&out, &["child_closes_listening_fd", "children_reaped"]);
    assert!(text(&out.stderr).contains("todo!()"));
    for (n, rules) in [
        (
            "10",
            &["waits_on_listener_and_clients", "serves_clients_at_once"][..],
        ),
        (
            "11",
            &[
                "child_closes_listening_fd",
                "parent_closes_data_fd",
                "children_reaped",
            ][..],
        ),
    ] {
        let (src, bin) = (format!("c/ex{n}.c"), format!("c/ex{n}"));
        let cc = Command::new("cc")
            .args(["-Wall", "-Werror", "-o", &bin, &src])
            .current_dir(&ws)
            .status()
            .expect("cc runs");
        assert!(cc.success(), "{src}");
        let out = run_in(&ws, &["check", n, "--json", "--", &format!("./{bin}")]);
        assert_fails_with(&out, rules);
    }
    for (n, rules) in [(10, 10), (11, 10)] {
        solution_passes(run_in, &ws, n, rules);
    }
    assert!(
        progress(&ws).contains("\"done\":[10,11]"),
        "{}",
        progress(&ws)
    );
}

/// The C stubs, with `--c`: `socklab check --c` builds `c/ex01.c` with
/// `cc -O1 -Wall` and checks it; a file that does not compile gets the
/// compiler's lines and a one-line verdict, and nothing is graded; in
/// the watch, the reference solution in C saved by rename into
/// `c/ex01.c` passes, is recorded, and the watch goes on to `c/ex02.c`.
#[test]
fn watch_in_c_checks_the_c_stub_and_moves_on_after_a_pass() {
    if !common::strace_usable() {
        return;
    }
    let (_scratch, ws) = workspace();
    let target = "exercises-student-target-c";
    let out = run_in_target(&ws, &["--lang", "en", "check", "--c", "--json"], target);
    assert_fails_with(&out, &["recv_until_zero"]);
    let err = text(&out.stderr);
    assert!(
        err.contains("compiling c/ex01.c (cc -O1 -Wall -o c/ex01 c/ex01.c)"),
        "{err}"
    );
    assert!(ws.join("c/ex01").is_file());
    // --c checks the workspace's own program: no -- CMD.
    let out = run_in_target(
        &ws,
        &["--lang", "en", "check", "1", "--c", "--", "true"],
        target,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("takes no -- CMD"));

    // A file that does not compile: the compiler's own line, then the
    // verdict in one line, status 1, no rule graded.
    let broken = "int main(void) { return not_declared; }\n";
    std::fs::write(ws.join("c/ex01.c"), broken).unwrap();
    let out = run_in_target(&ws, &["--lang", "ko", "check", "1", "--c"], target);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("c/ex01.c:1:"), "{err}");
    assert!(err.contains("not_declared"), "{err}");
    assert!(
        err.contains("c/ex01.c가 컴파일되지 않아 채점하지 않았습니다"),
        "{err}"
    );
    assert!(!text(&out.stdout).contains("rules passed"));

    // The watch: the broken file's verdict, then a save by rename of the
    // reference solution makes it pass and move on.
    let mut watch = Watching::start_with(
        &ws,
        &["--lang", "en", "check", "--c", "--watch"],
        target,
        true,
    );
    let first = watch.until_all(&[
        "not_declared",
        "c/ex01.c does not compile, so it was not checked",
        "Watching exercise 1",
    ]);
    assert!(first.contains("(c/ex01.c and the rest of c/)"), "{first}");
    let new = ws.join("c/ex01.c.new");
    std::fs::copy(root().join("tests/exercises/01/solution.c"), &new).unwrap();
    std::fs::rename(&new, ws.join("c/ex01.c")).unwrap();
    let after = watch.until_all(&["compiling c/ex02.c", "Watching exercise 2"]);
    assert!(
        after.contains("c/ex01.c changed: checking exercise 1"),
        "{after}"
    );
    assert!(after.contains("4 of 4 rules passed"), "{after}");
    assert!(
        after.contains("Next: exercise 2 (socklab check --c)"),
        "{after}"
    );
    assert!(after.contains("On to exercise 2"), "{after}");
    assert!(after.contains("FAIL  answers_the_request"), "{after}");
    // The program cc wrote into c/ is not a save: one check per save.
    assert_eq!(after.matches("exercise 1:").count(), 1, "{after}");
    assert!(progress(&ws).contains("\"done\":[1]"), "{}", progress(&ws));
    assert_eq!(watch.close_stdin(), Some(0));

    // In Korean, from exercise 2 (the first not yet passed); q quits.
    let mut watch = Watching::start_with(
        &ws,
        &["--lang", "ko", "check", "--c", "--watch"],
        target,
        false,
    );
    let said = watch.until("지켜보고 있습니다");
    assert!(
        said.contains("연습 문제 2를 지켜보고 있습니다(대상: c/ex02.c 및 c/의 다른 파일)"),
        "{said}"
    );
    watch.type_line("q");
    watch.until("지켜보기를 끝냅니다");
    assert_eq!(watch.close_stdin(), Some(0));
}
