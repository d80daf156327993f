//! `socklab grade N SUBMISSION…`: a folder of submissions (a Rust crate,
//! C folders, a folder that does not build, an endless loop) is built and
//! graded into one table, in Markdown, CSV and JSON.

mod common;

use socklab_tools::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn socklab() -> &'static str {
    env!("CARGO_BIN_EXE_socklab")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the checkout")
        .to_path_buf()
}

/// A fresh folder for this test's submissions, in cargo's scratch folder.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("grade-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// A C submission: a folder holding one source file.
fn c_submission(subs: &Path, name: &str, source: &str) {
    let dir = subs.join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(
        repo().join("tests/exercises").join(source),
        dir.join("main.c"),
    )
    .expect("copy");
}

/// The Rust reference solution of exercise 1 as a crate of its own, on
/// the socklab library by path, with socklab's Cargo.lock (so it builds
/// offline).
fn rust_submission(subs: &Path, name: &str) {
    let dir = subs.join(name);
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::copy(
        repo().join("tests/exercises/01/solution.rs"),
        dir.join("src/main.rs"),
    )
    .expect("copy");
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nsocklab = {{ path = {:?} }}\n\n# Not part of socklab's workspace.\n[workspace]\n",
            repo().display().to_string()
        ),
    )
    .expect("write");
}

/// `socklab grade 1 ARGS…` with every build in cargo's scratch folder:
/// (exit code, Markdown table, stderr).
fn grade(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(socklab())
        .args(["grade", "1", "--target-dir"])
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("grade-batch-target"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("socklab grade runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The Markdown row of a submission, its cells trimmed.
fn row(table: &str, name: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("no row {name}:\n{table}"));
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn a_folder_of_rust_and_c_submissions_becomes_one_table() {
    if !common::strace_usable() {
        return;
    }
    let subs = folder("three");
    rust_submission(&subs, "ex01-rust");
    c_submission(&subs, "ex01-c", "01/solution.c");
    c_submission(&subs, "ex01-never-closes", "01/never_closes.c");
    let csv_path = subs.with_extension("csv");
    let json_path = subs.with_extension("json");
    let (code, table, err) = grade(
        &[
            subs.as_os_str(),
            "--csv".as_ref(),
            csv_path.as_os_str(),
            "--json".as_ref(),
            json_path.as_os_str(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{table}\n{err}");
    assert!(
        table.contains(
            "| submission | exits_cleanly | prints_the_greeting | recv_until_zero | no_socket_open_at_exit | first failure |"
        ),
        "{table}"
    );
    for name in ["ex01-rust", "ex01-c"] {
        assert_eq!(
            row(&table, name)[1..],
            ["pass", "pass", "pass", "pass", ""],
            "{table}\n{err}"
        );
    }
    assert_eq!(
        row(&table, "ex01-never-closes")[1..],
        ["pass", "pass", "pass", "fail", "no_socket_open_at_exit"],
        "{table}"
    );
    assert!(table.contains("2 of 3 submissions passed."), "{table}");

    // The CSV: a header and a row per submission, the same marks.
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV file");
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert_eq!(lines[0][0], "submission");
    assert_eq!(lines[0].last(), Some(&"first_failure"));
    assert!(lines.iter().all(|l| l.len() == 6), "{csv}");
    assert!(
        csv.contains("ex01-never-closes,pass,pass,pass,fail,no_socket_open_at_exit\n"),
        "{csv}"
    );

    // The JSON: one object, read back with socklab's own reader.
    let text = std::fs::read_to_string(&json_path).expect("the JSON file");
    let v = json::parse(text.trim()).expect("the JSON parses");
    assert_eq!(v.get("exercise").and_then(|n| n.as_i64()), Some(1));
    let subs_json = v
        .get("submissions")
        .and_then(|s| s.as_array())
        .expect("submissions");
    assert_eq!(subs_json.len(), 3);
    let by_name = |n: &str| {
        subs_json
            .iter()
            .find(|s| s.get("submission").and_then(|x| x.as_str()) == Some(n))
            .unwrap_or_else(|| panic!("{n}: {text}"))
    };
    assert_eq!(
        by_name("ex01-rust").get("passed"),
        Some(&json::Value::Bool(true))
    );
    let wrong = by_name("ex01-never-closes");
    assert_eq!(
        wrong.get("first_failure").and_then(|f| f.as_str()),
        Some("no_socket_open_at_exit")
    );
    assert_eq!(
        wrong
            .get("rules")
            .and_then(|r| r.get("no_socket_open_at_exit"))
            .and_then(|m| m.as_str()),
        Some("fail")
    );
    let _ = std::fs::remove_dir_all(&subs);
    let _ = std::fs::remove_file(&csv_path);
    let _ = std::fs::remove_file(&json_path);
}

/// A folder that does not compile is marked "does not build" with the
/// compiler's words; an endless loop is stopped at the limit and marked,
/// while a good submission beside it is graded as usual.
#[test]
fn a_build_failure_and_an_endless_loop_are_verdicts_that_stall_nothing() {
    if !common::strace_usable() {
        return;
    }
    let subs = folder("hostile");
    let broken = subs.join("broken");
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(
        broken.join("main.c"),
        "int main(void) { return missing; }\n",
    )
    .expect("write");
    let spins = subs.join("spins");
    std::fs::write(&spins, "#!/bin/sh\nwhile :; do :; done\n").expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&spins, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    c_submission(&subs, "good", "01/solution.c");
    let json_path = subs.with_extension("json");
    let started = Instant::now();
    // Three submissions given as a list, one at a time: the loop's 1.5 s
    // limit (5 s × 0.3) is the longest part.
    let (code, table, err) = grade(
        &[
            broken.as_os_str(),
            spins.as_os_str(),
            subs.join("good").as_os_str(),
            "--jobs".as_ref(),
            "1".as_ref(),
            "--json".as_ref(),
            json_path.as_os_str(),
        ],
        &[("SOCKLAB_GRADE_TIME_SCALE", "0.3")],
    );
    assert!(started.elapsed() < Duration::from_secs(15), "{table}");
    assert_eq!(code, 0, "{table}\n{err}");
    assert_eq!(
        row(&table, "broken")[1..],
        ["not run", "not run", "not run", "not run", "does not build"],
        "{table}"
    );
    assert!(table.contains("## broken: does not build"), "{table}");
    assert!(table.contains("cc -O1 -Wall *.c -o prog"), "{table}");
    // The compiler's own last lines, which name what is missing.
    assert!(table.contains("return missing;"), "{table}");
    assert_eq!(row(&table, "spins")[1], "timed out", "{table}");
    assert_eq!(row(&table, "spins")[5], "timed out", "{table}");
    assert_eq!(
        row(&table, "good")[1..],
        ["pass", "pass", "pass", "pass", ""],
        "{table}"
    );
    let text = std::fs::read_to_string(&json_path).expect("the JSON file");
    let v = json::parse(text.trim()).expect("the JSON parses");
    let first = &v
        .get("submissions")
        .and_then(|s| s.as_array())
        .expect("submissions")[0];
    assert!(
        first
            .get("detail")
            .and_then(|d| d.as_str())
            .is_some_and(|d| d.contains("missing")),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&subs);
    let _ = std::fs::remove_file(&json_path);
}

#[test]
fn a_path_that_is_not_there_is_a_one_line_usage_error() {
    let (code, _, err) = grade(&["/nonexistent/socklab-submission".as_ref()], &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// An executable submission: a C file of tests/exercises built here.
fn c_executable(subs: &Path, name: &str, source: &str) -> PathBuf {
    let out = subs.join(name);
    let status = Command::new("cc")
        .args(["-O1", "-Wall", "-o"])
        .arg(&out)
        .arg(repo().join("tests/exercises").join(source))
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc {source}");
    out
}

/// `socklab [--lang L] grade ARGS…`: (exit code, stdout, stderr).
fn grade_with(
    lang: &str,
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let out = Command::new(socklab())
        .args(["--lang", lang, "grade"])
        .args(args)
        .arg("--target-dir")
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("grade-batch-target"))
        .envs(env.iter().copied())
        .output()
        .expect("socklab grade runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fork bomb, 1 GiB on stdout, a crash and an endless loop graded two
/// at a time beside a good submission: each gets its own mark (not
/// `fail`) in the Markdown, the CSV and the JSON, the good one passes,
/// and the batch ends in bounded time with nothing left running.
#[test]
fn hostile_submissions_get_their_own_marks_and_spare_their_neighbours() {
    if !common::strace_usable() {
        return;
    }
    let subs = folder("hostile-marks");
    let bomb = c_executable(&subs, "bomb", "hostile/fork_bomb.c");
    c_executable(&subs, "flood", "hostile/floods_stdout.c");
    c_executable(&subs, "crash", "hostile/crashes.c");
    let spins = subs.join("spins");
    std::fs::write(&spins, "#!/bin/sh\nwhile :; do :; done\n").expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&spins, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    c_submission(&subs, "good", "01/solution.c");
    let csv_path = subs.with_extension("csv");
    let json_path = subs.with_extension("json");
    let started = Instant::now();
    let (code, table, err) = grade_with(
        "en",
        &[
            "1".as_ref(),
            subs.as_os_str(),
            "--jobs".as_ref(),
            "2".as_ref(),
            "--csv".as_ref(),
            csv_path.as_os_str(),
            "--json".as_ref(),
            json_path.as_os_str(),
        ],
        &[("SOCKLAB_GRADE_TIME_SCALE", "0.3")],
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{table}");
    assert_eq!(code, 0, "{table}\n{err}");
    let bomb_mark = row(&table, "bomb")[1].clone();
    assert!(
        bomb_mark == "too many processes" || bomb_mark == "timed out",
        "{table}"
    );
    assert_eq!(row(&table, "bomb")[5], bomb_mark, "{table}");
    assert_eq!(row(&table, "flood")[1], "output too large", "{table}");
    assert_eq!(row(&table, "crash")[1], "crashed (SIGSEGV)", "{table}");
    assert_eq!(
        row(&table, "spins")[1..],
        ["timed out", "fail", "fail", "pass", "timed out"],
        "{table}"
    );
    assert_eq!(
        row(&table, "good")[1..],
        ["pass", "pass", "pass", "pass", ""],
        "{table}"
    );
    assert!(table.contains("1 of 5 submissions passed."), "{table}");
    // Each stopped one is explained under the table.
    assert!(
        table.contains("## flood: output too large")
            && table.contains("stopped: wrote more than 64 MiB to stdout (SIGXFSZ).")
            && table.contains("## spins: timed out")
            && table.contains("stopped at the time limit (1.5 s)"),
        "{table}"
    );
    assert!(
        socklab_tools::grade::contain::processes_running(&bomb).is_empty(),
        "the bomb outlived the batch"
    );
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV file");
    assert!(
        csv.contains("flood,output too large,fail,fail,pass,output too large\n")
            && csv.contains("crash,crashed (SIGSEGV),fail,fail,fail,crashed (SIGSEGV)\n"),
        "{csv}"
    );
    let text = std::fs::read_to_string(&json_path).expect("the JSON file");
    let v = json::parse(text.trim()).expect("the JSON parses");
    let subs_json = v
        .get("submissions")
        .and_then(|s| s.as_array())
        .expect("submissions");
    let field = |name: &str, key: &str| -> Option<String> {
        let s = subs_json
            .iter()
            .find(|s| s.get("submission").and_then(|x| x.as_str()) == Some(name))
            .unwrap_or_else(|| panic!("{name}: {text}"));
        s.get(key).and_then(|x| x.as_str()).map(str::to_string)
    };
    assert_eq!(field("spins", "stopped").as_deref(), Some("timed_out"));
    assert_eq!(
        field("flood", "stopped").as_deref(),
        Some("output_too_large")
    );
    assert_eq!(field("crash", "stopped").as_deref(), Some("crashed"));
    assert_eq!(field("good", "stopped"), None);
    let _ = std::fs::remove_dir_all(&subs);
    let _ = std::fs::remove_file(&csv_path);
    let _ = std::fs::remove_file(&json_path);
}

/// `socklab --lang ko grade`: the table's headers, marks and notes in
/// Korean (the JSON keeps English keys and marks for machines).
#[test]
fn the_grade_table_speaks_korean() {
    if !common::strace_usable() {
        return;
    }
    let subs = folder("korean");
    c_submission(&subs, "good", "01/solution.c");
    c_executable(&subs, "crash", "hostile/crashes.c");
    let broken = subs.join("broken");
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(
        broken.join("main.c"),
        "int main(void) { return missing; }\n",
    )
    .expect("write");
    let csv_path = subs.with_extension("csv");
    let json_path = subs.with_extension("json");
    let (code, table, err) = grade_with(
        "ko",
        &[
            "1".as_ref(),
            subs.as_os_str(),
            "--csv".as_ref(),
            csv_path.as_os_str(),
            "--json".as_ref(),
            json_path.as_os_str(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{table}\n{err}");
    assert!(table.starts_with("# 연습 문제 1\n"), "{table}");
    assert!(table.contains("| 제출물 | exits_cleanly |"), "{table}");
    assert!(table.contains(" 처음 실패 |"), "{table}");
    assert_eq!(
        row(&table, "good")[1..],
        ["통과", "통과", "통과", "통과", ""],
        "{table}"
    );
    assert_eq!(row(&table, "crash")[1], "비정상 종료(SIGSEGV)", "{table}");
    assert_eq!(
        row(&table, "broken")[1..],
        [
            "실행 안 함",
            "실행 안 함",
            "실행 안 함",
            "실행 안 함",
            "빌드 실패"
        ],
        "{table}"
    );
    assert!(
        table.contains("제출물 3개 중 1개가 통과했습니다."),
        "{table}"
    );
    assert!(
        table.contains("시그널 11(SIGSEGV)를 받아 비정상 종료했습니다."),
        "{table}"
    );
    assert!(err.contains("통과") && err.contains("실패("), "{err}");
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV file");
    assert!(csv.starts_with("제출물,exits_cleanly,"), "{csv}");
    assert!(csv.contains("good,통과,통과,통과,통과,\n"), "{csv}");
    let text = std::fs::read_to_string(&json_path).expect("the JSON file");
    assert!(
        text.contains("\"exits_cleanly\":\"crashed (SIGSEGV)\""),
        "{text}"
    );
    assert!(text.contains("\"stopped\":\"crashed\""), "{text}");
    assert!(text.contains("비정상 종료했습니다."), "{text}");
    let _ = std::fs::remove_dir_all(&subs);
    let _ = std::fs::remove_file(&csv_path);
    let _ = std::fs::remove_file(&json_path);
}

/// One recipe per kind, each graded: a C folder with a Makefile (make),
/// a C folder without one (cc), a Python folder (python3 main.py), an
/// executable, and `-- CMD` for anything else ({submission} its path).
#[test]
fn each_kind_of_submission_is_built_by_its_recipe() {
    if !common::strace_usable() {
        return;
    }
    for tool in ["make", "python3"] {
        if Command::new(tool).arg("--version").output().is_err() {
            assert!(std::env::var_os("CI").is_none(), "CI installs {tool}");
            eprintln!("SKIPPED: no {tool} here");
            return;
        }
    }
    let subs = folder("kinds");
    let made = subs.join("made");
    std::fs::create_dir_all(&made).expect("mkdir");
    std::fs::copy(
        repo().join("tests/exercises/01/solution.c"),
        made.join("client.c"),
    )
    .expect("copy");
    // The program may have any name, when it is the only one make made.
    std::fs::write(
        made.join("Makefile"),
        "client: client.c\n\tcc -O1 -Wall -o client client.c\n",
    )
    .expect("write");
    c_submission(&subs, "plain-c", "01/solution.c");
    let python = subs.join("python");
    std::fs::create_dir_all(&python).expect("mkdir");
    std::fs::copy(
        repo().join("tests/exercises/01/solution.py"),
        python.join("main.py"),
    )
    .expect("copy");
    c_executable(&subs, "executable", "01/solution.c");
    let (code, table, err) = grade_with("en", &["1".as_ref(), subs.as_os_str()], &[]);
    assert_eq!(code, 0, "{table}\n{err}");
    for name in ["made", "plain-c", "python", "executable"] {
        assert_eq!(
            row(&table, name)[1..],
            ["pass", "pass", "pass", "pass", ""],
            "{name}: {table}"
        );
    }
    // The Makefile's copy is built, the submission itself left clean.
    assert!(!made.join("client").exists());

    // Anything else: `-- CMD`, each submission's path in place of
    // {submission}; here Python files under another name.
    let other = folder("other");
    for (name, source) in [("alice", "01/solution.py"), ("bob", "01/single_recv.py")] {
        std::fs::create_dir_all(other.join(name)).expect("mkdir");
        std::fs::copy(
            repo().join("tests/exercises").join(source),
            other.join(name).join("client.py"),
        )
        .expect("copy");
    }
    let (code, table, err) = grade_with(
        "en",
        &[
            "1".as_ref(),
            other.as_os_str(),
            "--".as_ref(),
            "python3".as_ref(),
            "{submission}/client.py".as_ref(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{table}\n{err}");
    assert_eq!(
        row(&table, "alice")[1..],
        ["pass", "pass", "pass", "pass", ""],
        "{table}"
    );
    assert_eq!(row(&table, "bob")[5], "prints_the_greeting", "{table}");
    let _ = std::fs::remove_dir_all(&subs);
    let _ = std::fs::remove_dir_all(&other);
}
