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
    Command::new(socklab())
        .args(args)
        .current_dir(dir)
        // One target folder for every run of this test, in cargo's
        // scratch folder: the library is built once, not once per run.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("exercises-student-target"),
        )
        .output()
        .expect("socklab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
