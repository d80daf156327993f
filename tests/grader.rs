//! `socklab check`: the reference solutions of exercises 1 to 6 (Rust and
//! C) pass; each wrong solution fails with the rule it breaks; hostile
//! programs are stopped within the time limit with a clear verdict.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn socklab() -> &'static str {
    env!("CARGO_BIN_EXE_socklab")
}

/// A Rust solution: an example of the socklab package, built by `cargo
/// test` beside the binaries.
fn example(name: &str) -> PathBuf {
    Path::new(socklab())
        .parent()
        .expect("target dir")
        .join("examples")
        .join(name)
}

/// A C solution from tests/exercises, built with `cc -O1 -Wall`.
fn c_program(source: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/exercises")
        .join(source);
    // Cargo's scratch folder for integration tests (target/tmp), not the
    // system's temp folder: nothing is left behind there.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "socklab-grader-{}-{}",
        std::process::id(),
        source.replace(['/', '.'], "_")
    ));
    c_build(&src, &out);
    out
}

fn c_build(src: &Path, out: &Path) {
    let status = Command::new("cc")
        .args(["-O1", "-Wall", "-Werror", "-o"])
        .arg(out)
        .arg(src)
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc {}", src.display());
}

/// `socklab check N --json -- CMD…`: (exit code, the JSON verdict).
fn check(n: u8, cmd: &[&Path], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(socklab())
        .args(["check", &n.to_string(), "--json", "--"])
        .args(cmd)
        .envs(env.iter().copied())
        .output()
        .expect("socklab check runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn failed(json: &str) -> Vec<String> {
    json.split("{\"rule\":\"")
        .skip(1)
        .filter(|r| r.contains("\"passed\":false"))
        .filter_map(|r| r.split('"').next().map(str::to_string))
        .collect()
}

fn assert_passes(n: u8, prog: &Path) {
    let (code, json) = check(n, &[prog], &[]);
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
    assert!(json.contains("\"passed\":true"), "{json}");
}

fn assert_fails_with(n: u8, prog: &Path, rule: &str) {
    let (code, json) = check(n, &[prog], &[]);
    assert_eq!(code, 1, "{json}");
    assert!(failed(&json).iter().any(|r| r == rule), "{rule}: {json}");
}

#[test]
fn the_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    assert_passes(1, &example("ex01_solution"));
    assert_passes(1, &c_program("01/solution.c"));
    assert_passes(2, &example("ex02_solution"));
    assert_passes(2, &c_program("02/solution.c"));
}

#[test]
fn each_wrong_solution_fails_with_its_rule() {
    if !common::strace_usable() {
        return;
    }
    assert_fails_with(1, &example("ex01_single_recv"), "recv_until_zero");
    assert_fails_with(1, &example("ex01_single_recv"), "prints_the_greeting");
    assert_fails_with(1, &c_program("01/never_closes.c"), "no_socket_open_at_exit");
    assert_fails_with(
        2,
        &example("ex02_send_on_listener"),
        "no_data_on_listening_fd",
    );
    assert_fails_with(
        2,
        &c_program("02/keeps_accepted_fd.c"),
        "accepted_fds_closed",
    );
}

#[test]
fn exercises_3_and_4_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    assert_passes(3, &example("ex03_solution"));
    assert_passes(3, &c_program("03/solution.c"));
    assert_passes(4, &example("ex04_solution"));
    assert_passes(4, &c_program("04/solution.c"));
}

/// Exercise 3, the iterative echo server: each wrong server fails with
/// the rule it breaks, and the clients' side names the client that was
/// not served.
#[test]
fn exercise_3_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    let (code, json) = check(3, &[&example("ex03_only_first_client")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["echoes_each_client".to_string()]),
        "{json}"
    );
    assert!(
        json.contains("Client 2 did not get back what it sent"),
        "{json}"
    );
    assert_fails_with(3, &example("ex03_one_recv_per_client"), "recv_until_zero");
    assert_fails_with(
        3,
        &example("ex03_one_recv_per_client"),
        "echoes_each_client",
    );
    // The first failure shown is the close inside the loop, and the
    // accept after it that the kernel refused.
    let (code, json) = check(3, &[&c_program("03/closes_listener_in_loop.c")], &[]);
    assert_eq!(code, 1, "{json}");
    let first = failed(&json);
    assert_eq!(
        first.first().map(String::as_str),
        Some("listening_fd_closed_last"),
        "{json}"
    );
    assert!(
        json.contains("accept(3, NULL, NULL)")
            && json.contains(" = -1 EBADF (Bad file descriptor)\"]"),
        "{json}"
    );
    let (code, json) = check(3, &[&c_program("03/shutdown_not_close.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "accepted_fds_closed".to_string(),
                "no_socket_open_at_exit".to_string()
            ]
        ),
        "{json}"
    );
}

/// Exercise 4, the 100 KB stream: a single recv, a loop that stops at a
/// short recv and a loop that stops at a fixed count all fail.
#[test]
fn exercise_4_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    assert_fails_with(4, &example("ex04_single_recv"), "prints_the_stream");
    assert_fails_with(4, &example("ex04_single_recv"), "recv_until_zero");
    // The loop stopped at the stream's first piece, a single byte: the
    // record shows that read, and stdout holds that one byte.
    let (code, json) = check(4, &[&c_program("04/stops_on_short_recv.c")], &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        failed(&json),
        vec![
            "recv_until_zero".to_string(),
            "prints_the_stream".to_string()
        ],
        "{json}"
    );
    assert!(
        json.contains("\", 4096)") && json.contains(" = 1\"]"),
        "{json}"
    );
    assert!(json.contains("first 1 of 102400 bytes"), "{json}");
    // The bytes are all there; only the record shows it never saw the end.
    let (code, json) = check(4, &[&example("ex04_fixed_count")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["recv_until_zero".to_string()]),
        "{json}"
    );
}

/// The first failure is shown with strace's line, its meaning, the hint
/// and the lesson, in the language asked for.
#[test]
fn the_first_failure_shows_its_strace_line_in_english_and_korean() {
    if !common::strace_usable() {
        return;
    }
    let prog = c_program("02/keeps_accepted_fd.c");
    for (lang, words) in [
        (
            "en",
            [
                "first failed rule: accepted_fds_closed",
                "hint:",
                "08_iterative_server",
            ],
        ),
        (
            "ko",
            [
                "처음 실패한 규칙: accepted_fds_closed",
                "힌트:",
                "08_iterative_server",
            ],
        ),
    ] {
        let out = Command::new(socklab())
            .args(["--lang", lang, "check", "2", "--"])
            .arg(&prog)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{text}");
        for w in words {
            assert!(text.contains(w), "{w}: {text}");
        }
        assert!(text.contains("accept(3, NULL, NULL)"), "{text}");
    }
}

/// Without a namespace, on this machine's loopback and a free port, with
/// a note that isolation is weaker; `{host}` and `{port}` reach the
/// program's arguments.
#[test]
fn the_loopback_fallback_grades_the_same_and_says_so() {
    if !common::strace_usable() {
        return;
    }
    let prog = c_program("01/solution.c");
    let out = Command::new(socklab())
        .args(["check", "1", "--json", "--"])
        .arg(&prog)
        .args(["{host}", "{port}"])
        .env("SOCKLAB_GRADE_ISOLATION", "loopback")
        .env_remove("SOCKLAB_HOST")
        .output()
        .expect("runs");
    let json = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert!(json.contains("isolation is weaker"), "{json}");
    // A peer of three clients finds the program's free port too.
    let out = Command::new(socklab())
        .args(["check", "3", "--json", "--"])
        .arg(example("ex03_solution"))
        .env("SOCKLAB_GRADE_ISOLATION", "loopback")
        .output()
        .expect("runs");
    let json = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{json}");
}

/// An endless loop and a program that never closes (nor ends) are stopped
/// at the time limit (here 5 s × 0.3), and the verdict says why.
#[test]
fn hostile_programs_are_stopped_with_a_clear_verdict() {
    if !common::strace_usable() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let src = dir.join(format!("socklab-grader-{}-hangs.c", std::process::id()));
    std::fs::write(
        &src,
        "#include <arpa/inet.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n\
         int main(void) {\n  struct sockaddr_in a; memset(&a, 0, sizeof a);\n  a.sin_family = AF_INET;\n\
           a.sin_port = htons(atoi(getenv(\"SOCKLAB_PORT\")));\n  inet_pton(AF_INET, getenv(\"SOCKLAB_HOST\"), &a.sin_addr);\n\
           int fd = socket(AF_INET, SOCK_STREAM, 0);\n  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) return 1;\n\
           char b[64];\n  while (read(fd, b, sizeof b) > 0) {}\n  for (;;) pause();\n}\n",
    )
    .expect("write");
    let hangs = dir.join(format!("socklab-grader-{}-hangs", std::process::id()));
    c_build(&src, &hangs);
    let scale = [("SOCKLAB_GRADE_TIME_SCALE", "0.3")];
    let sh = Path::new("sh");
    for (n, cmd, extra) in [
        (
            1,
            vec![sh, Path::new("-c"), Path::new("while :; do :; done")],
            None,
        ),
        (1, vec![hangs.as_path()], Some("no_socket_open_at_exit")),
        (
            2,
            vec![sh, Path::new("-c"), Path::new("while :; do :; done")],
            None,
        ),
    ] {
        let started = Instant::now();
        let (code, json) = check(n, &cmd, &scale);
        assert!(started.elapsed() < Duration::from_secs(8), "{json}");
        assert_eq!(code, 1, "{json}");
        let failed = failed(&json);
        assert!(failed.iter().any(|r| r == "exits_cleanly"), "{json}");
        assert!(json.contains("deadline"), "{json}");
        if let Some(rule) = extra {
            assert!(failed.iter().any(|r| r == rule), "{json}");
        }
    }
}

#[test]
fn an_unknown_exercise_or_no_program_is_a_one_line_error() {
    let out = Command::new(socklab())
        .args(["check", "99", "--", "true"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no exercise 99"), "{err}");
}

/// `socklab check N --json -- CMD…` with a fixed seed.
fn check_seeded(n: u8, prog: &Path, seed: u64) -> (i32, String) {
    let seed = seed.to_string();
    check(n, &[prog], &[("SOCKLAB_GRADE_SEED", seed.as_str())])
}

/// Exercise 5: the references pass both runs, and the JSON verdict holds
/// the fault run's rows, each with its fault and its strace expression.
/// Exercise 6: the references pass for several seeds.
#[test]
fn exercises_5_and_6_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    for prog in [example("ex05_solution"), c_program("05/solution.c")] {
        let (code, json) = check(5, &[&prog], &[]);
        assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
        for row in [
            "eintr:send_retried",
            "eintr:sends_the_mebibyte",
            "eintr:exits_cleanly",
        ] {
            assert!(
                json.contains(&format!("{{\"rule\":\"{row}\",\"passed\":true,")),
                "{row}: {json}"
            );
        }
        assert!(
            json.contains("\"fault\":\"eintr\",\"inject\":\"sendto,write:error=EINTR:when=1+2\""),
            "{json}"
        );
    }
    // std's write_all makes the interrupted write again by itself.
    assert_passes(5, &example("ex05_std_write_all"));
    let c = c_program("06/solution.c");
    for seed in [1, 2, 3, 12345] {
        for prog in [&example("ex06_solution"), &c] {
            let (code, json) = check_seeded(6, prog, seed);
            assert_eq!((code, failed(&json)), (0, vec![]), "seed {seed}: {json}");
            assert!(json.contains(&format!("\"seed\":{seed},")), "{json}");
        }
    }
}

/// Exercise 5's wrong solutions pass the plain run (a blocking write of
/// the whole 1 MiB returns 1,048,576 at once) and fail the fault run,
/// each with the rule it breaks.
#[test]
fn exercise_5_wrong_solutions_fail_only_the_fault_run() {
    if !common::strace_usable() {
        return;
    }
    let retried = "eintr:send_retried".to_string();
    let mebibyte = "eintr:sends_the_mebibyte".to_string();
    let exits = "eintr:exits_cleanly".to_string();
    // EINTR taken as fatal: the write fails, the program closes and
    // exits 1 with nothing sent.
    let (code, json) = check(5, &[&c_program("05/eintr_is_fatal.c")], &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        failed(&json),
        vec![retried.clone(), mebibyte.clone(), exits],
        "{json}"
    );
    // Shown: the write strace failed, and the close that came instead
    // of the same write again.
    assert!(
        json.contains("1048576) = -1 EINTR (Interrupted system call) (INJECTED)\",\"")
            && json.contains(" close(3)"),
        "{json}"
    );
    // One write, no loop: the plain run passes; the fault run's write
    // fails, and the program ends with status 0 and nothing sent.
    let (code, json) = check(5, &[&c_program("05/single_write.c")], &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        failed(&json),
        vec![retried.clone(), mebibyte.clone()],
        "{json}"
    );
    assert!(json.contains("the first 0 of 1048576 bytes"), "{json}");
    // The failed piece skipped: the next send starts with other bytes,
    // and every other 64 KiB piece is missing at the peer.
    let (code, json) = check(5, &[&example("ex05_skips_failed_piece")], &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(failed(&json), vec![retried, mebibyte], "{json}");
    assert!(json.contains("65536, 0, NULL, 0) = 65536\"]"), "{json}");
    assert!(
        json.contains(
            "received 524288 bytes (of 1048576); they first differ from the data at offset 0"
        ),
        "{json}"
    );
}

/// The fault run's rows, in English and Korean, with its own header and
/// its failed call shown as strace printed it.
#[test]
fn the_fault_run_shows_its_own_rows_in_english_and_korean() {
    if !common::strace_usable() {
        return;
    }
    let prog = c_program("05/eintr_is_fatal.c");
    for (lang, words) in [
        (
            "en",
            [
                "run under fault injection `eintr` (strace -e inject=sendto,write:error=EINTR:when=1+2)",
                "  FAIL  eintr:send_retried ",
                "first failed rule: eintr:send_retried",
            ],
        ),
        (
            "ko",
            [
                "오류 주입 실행 `eintr` (strace -e inject=sendto,write:error=EINTR:when=1+2)",
                "  FAIL  eintr:send_retried ",
                "처음 실패한 규칙: eintr:send_retried",
            ],
        ),
    ] {
        let out = Command::new(socklab())
            .args(["--lang", lang, "check", "5", "--"])
            .arg(&prog)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{text}");
        for w in words {
            assert!(text.contains(w), "{w}: {text}");
        }
        assert!(
            text.contains("= -1 EINTR (Interrupted system call) (INJECTED)"),
            "{text}"
        );
        assert!(text.contains("  pass  sends_the_mebibyte "), "{text}");
    }
}

/// Python's socket.send makes an interrupted call again itself (PEP 475):
/// a single send passes the fault run, the record showing the retry.
#[test]
fn python_retries_eintr_itself() {
    let python = Path::new("/usr/bin/python3");
    if !common::strace_usable() || !python.is_file() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("socklab-grader-{}-python", std::process::id()));
    std::fs::create_dir_all(dir.join("bin")).expect("mkdir");
    // `python3` on PATH is a wrapper script, as a version manager's shim
    // is: its own writes would be failed by the fault run too, so the
    // grader runs the interpreter the wrapper starts.
    let shim = dir.join("bin/python3");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\necho \"$@\" >> {}\nexec {} \"$@\"\n",
            dir.join("shim.log").display(),
            python.display()
        ),
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let script = dir.join("send_once.py");
    std::fs::write(
        &script,
        "import os, socket\n\
         data = bytes(i % 251 for i in range(1 << 20))\n\
         s = socket.create_connection((os.environ['SOCKLAB_HOST'], int(os.environ['SOCKLAB_PORT'])))\n\
         s.send(data)\n\
         s.close()\n",
    )
    .expect("write");
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (code, json) = check(
        5,
        &[Path::new("python3"), &script],
        &[("PATH", path.as_str())],
    );
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
    // The shim was asked for the interpreter's path, and never ran the
    // program.
    let log = std::fs::read_to_string(dir.join("shim.log")).unwrap_or_default();
    assert!(
        log.contains("sys.executable") && !log.contains("send_once"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Exercise 6's wrong servers fail with answers_each_line, for every
/// seed; the verdict names the request whose answer was wrong, and the
/// seed that makes the run again.
#[test]
fn exercise_6_wrong_solutions_fail_with_their_rule() {
    if !common::strace_usable() {
        return;
    }
    let c = c_program("06/first_line_only.c");
    for seed in [1, 2, 3] {
        for prog in [&example("ex06_one_recv_one_line"), &c] {
            let (code, json) = check_seeded(6, prog, seed);
            assert_eq!(
                (code, failed(&json)),
                (1, vec!["answers_each_line".to_string()]),
                "seed {seed}: {json}"
            );
            assert!(json.contains("\"meaning\":\"Request "), "{json}");
        }
    }
    let out = Command::new(socklab())
        .args(["--lang", "en", "check", "6", "--"])
        .arg(&c)
        .env("SOCKLAB_GRADE_SEED", "7")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "seed: 7 (SOCKLAB_GRADE_SEED=7 makes the same requests and split points again)\n"
        ),
        "{text}"
    );
}

/// Why a fault run holds one `inject=` expression: given two for the same
/// call, strace 6.1 keeps only the last. Here the first (fail every
/// write) is dropped, and the second (fail the 2nd write) never comes:
/// echo's one write goes through.
#[test]
fn strace_keeps_only_the_last_inject_per_call() {
    if !common::strace_usable() {
        return;
    }
    let log = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("socklab-grader-{}-inject.log", std::process::id()));
    let out = Command::new("strace")
        .args(["-qq", "-o"])
        .arg(&log)
        .args([
            "-e",
            "trace=write",
            "-e",
            "inject=write:error=EINTR",
            "-e",
            "inject=write:error=EPIPE:when=2",
            "echo",
            "x",
        ])
        .output()
        .expect("strace runs");
    let text = std::fs::read_to_string(&log).expect("log");
    let _ = std::fs::remove_file(&log);
    assert_eq!(out.stdout, b"x\n", "{text}");
    assert!(
        text.contains("write(1, \"x\\n\", 2)") && text.contains("= 2\n"),
        "{text}"
    );
    assert!(!text.contains("INJECTED"), "{text}");
}

#[test]
fn exercises_7_and_8_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    assert_passes(7, &example("ex07_solution"));
    assert_passes(7, &c_program("07/solution.c"));
    assert_passes(8, &example("ex08_solution"));
    assert_passes(8, &c_program("08/solution.c"));
}

/// Exercise 7, half-close: close instead of shutdown, SHUT_RDWR and no
/// shutdown at all each fail at the call that broke it; the server's
/// side says what it saw; the one that never half-closes is stopped at
/// the time limit (here 5 s × 0.3) and the verdict says why.
#[test]
fn exercise_7_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    // close: the server got the request and its EOF, then could not
    // deliver its answer; the program's read after the close is on no
    // socket (EBADF, not in the record of socket calls).
    let (code, json) = check(7, &[&c_program("07/close_not_shutdown.c")], &[]);
    assert_eq!(code, 1, "{json}");
    let broken = failed(&json);
    assert_eq!(
        broken.first().map(String::as_str),
        Some("half_closes_after_sending"),
        "{json}"
    );
    assert!(!broken.iter().any(|r| r == "sends_the_request"), "{json}");
    assert!(broken.iter().any(|r| r == "prints_the_answer"), "{json}");
    assert!(
        json.contains("close(3)                                = 0\"]"),
        "{json}"
    );
    assert!(
        json.contains("could not send its answer: Broken pipe"),
        "{json}"
    );
    // SHUT_RDWR: the shutdown and the read after it, which came back at
    // once without the answer (0, or ECONNRESET once the answer's first
    // piece had come); the server's answer met a broken pipe.
    let (code, json) = check(7, &[&c_program("07/shutdown_both.c")], &[]);
    assert_eq!(code, 1, "{json}");
    let broken = failed(&json);
    assert_eq!(
        broken.first().map(String::as_str),
        Some("half_closes_after_sending"),
        "{json}"
    );
    assert!(broken.iter().any(|r| r == "prints_the_answer"), "{json}");
    assert!(json.contains("shutdown(3, SHUT_RDWR)"), "{json}");
    assert!(
        json.contains("read(3, \\\"\\\", 64)")
            || json.contains("-1 ECONNRESET (Connection reset by peer)\""),
        "{json}"
    );
    assert!(
        json.contains("could not send its answer: Broken pipe"),
        "{json}"
    );
    // No shutdown: both sides wait; the grader stops the program.
    let started = Instant::now();
    let (code, json) = check(
        7,
        &[&example("ex07_no_shutdown")],
        &[("SOCKLAB_GRADE_TIME_SCALE", "0.3")],
    );
    assert!(started.elapsed() < Duration::from_secs(8), "{json}");
    assert_eq!(code, 1, "{json}");
    let broken = failed(&json);
    for rule in [
        "half_closes_after_sending",
        "sends_the_request",
        "exits_cleanly",
    ] {
        assert!(broken.iter().any(|r| r == rule), "{rule}: {json}");
    }
    assert!(
        json.contains("sendto(3, \\\"What does shutdown(SHUT_WR) do?\\\\n\\\"")
            && json.contains("stopped it at the time limit"),
        "{json}"
    );
    assert!(json.contains("but never its end (EOF)"), "{json}");
    assert!(json.contains("deadline"), "{json}");
}

/// Exercise 8, the server that starts late: reusing the refused socket
/// works on Linux (the greeting arrives) and only the record shows it;
/// refused sockets left open and a client that gives up fail too.
#[test]
fn exercise_8_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    let (code, json) = check(8, &[&example("ex08_reuses_socket")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["new_socket_per_connect".to_string()]),
        "{json}"
    );
    assert!(
        json.contains("connect(3, {sa_family=AF_INET")
            && json
                .matches("= -1 ECONNREFUSED (Connection refused)")
                .count()
                >= 2,
        "{json}"
    );
    let (code, json) = check(8, &[&c_program("08/never_closes_failed.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "failed_sockets_closed".to_string(),
                "no_socket_open_at_exit".to_string()
            ]
        ),
        "{json}"
    );
    assert!(json.contains("connect(4, "), "{json}");
    let (code, json) = check(8, &[&c_program("08/gives_up.c")], &[]);
    assert_eq!(code, 1, "{json}");
    let broken = failed(&json);
    for rule in [
        "retries_until_connected",
        "prints_the_greeting",
        "exits_cleanly",
    ] {
        assert!(broken.iter().any(|r| r == rule), "{rule}: {json}");
    }
    assert!(
        json.contains("ECONNREFUSED (Connection refused)\"]"),
        "{json}"
    );
}

/// A Python client, slow to start under strace, still has its first
/// connects refused: the late server counts from the first connect.
#[test]
fn a_python_client_of_the_late_server_passes() {
    if !common::strace_usable() || Command::new("python3").arg("-V").output().is_err() {
        return;
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/exercises/08/solution.py");
    let (code, json) = check(8, &[Path::new("python3"), &src], &[]);
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
}

/// On this machine's loopback the late server's port is held, bound but
/// not listening, so the program's first connects are refused there too.
#[test]
fn the_late_server_is_late_on_the_loopback_fallback_too() {
    if !common::strace_usable() {
        return;
    }
    let out = Command::new(socklab())
        .args(["check", "8", "--json", "--"])
        .arg(c_program("08/solution.c"))
        .args(["{host}", "{port}"])
        .env("SOCKLAB_GRADE_ISOLATION", "loopback")
        .output()
        .expect("runs");
    let json = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert!(json.contains("isolation is weaker"), "{json}");
}

/// The `stopped` object's code in a JSON verdict (`timed_out`, …), or
/// "" when the run was not stopped.
fn stop_code(json: &str) -> String {
    let v = socklab_tools::json::parse(json.trim()).expect("the verdict parses");
    v.get("stopped")
        .and_then(|s| s.get("code"))
        .and_then(|c| c.as_str())
        .unwrap_or("")
        .to_string()
}

/// What the program printed, as the verdict's first meaning quotes it
/// (JSON-escaped Rust-escaped: a newline is `\\n` here).
fn printed(json: &str) -> String {
    json.split("The program printed \\\"")
        .nth(1)
        .and_then(|r| r.split("\\\";").next())
        .unwrap_or("")
        .to_string()
}

/// Whether runs here get a uid of their own (root, with uids to spare in
/// this user namespace): only then does a cap on processes bind root.
fn own_uids_here() -> bool {
    socklab_tools::grade::contain::claim_uid().is_some()
}

const QUICK: (&str, &str) = ("SOCKLAB_GRADE_TIME_SCALE", "0.3");

/// A fork bomb (bounded at 128 processes by itself, so a grader bug
/// cannot take CI down) is stopped in both isolations, every process it
/// made is gone when the check returns, and the next check runs as usual.
#[test]
fn a_fork_bomb_is_stopped_and_leaves_no_process_behind() {
    if !common::strace_usable() {
        return;
    }
    let bomb = c_program("hostile/fork_bomb.c");
    for isolation in ["namespace", "loopback"] {
        let started = Instant::now();
        let (code, json) = check(
            1,
            &[&bomb],
            &[QUICK, ("SOCKLAB_GRADE_ISOLATION", isolation)],
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{json}");
        assert_eq!(code, 1, "{json}");
        let stop = stop_code(&json);
        // Where the cap binds the kernel refuses the forks past it;
        // elsewhere the bomb idles until the time limit.
        if own_uids_here() && !json.contains("cannot reach") {
            assert_eq!(stop, "too_many_processes", "{isolation}: {json}");
            assert!(json.contains("at most 64"), "{json}");
        } else {
            assert!(
                stop == "too_many_processes" || stop == "timed_out",
                "{isolation}: {json}"
            );
        }
        let left = socklab_tools::grade::contain::processes_running(&bomb);
        assert!(left.is_empty(), "{isolation}: still running: {left:?}");
    }
    assert_passes(1, &c_program("01/solution.c"));
}

/// 1 GiB on stdout: stopped at 64 MiB by SIGXFSZ, and said so; the
/// verdict quotes only the start of what it printed.
#[test]
fn a_gigabyte_on_stdout_is_stopped_as_output_too_large() {
    if !common::strace_usable() {
        return;
    }
    let flood = c_program("hostile/floods_stdout.c");
    for isolation in ["namespace", "loopback"] {
        let started = Instant::now();
        let (code, json) = check(
            1,
            &[&flood],
            &[QUICK, ("SOCKLAB_GRADE_ISOLATION", isolation)],
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{json}");
        assert_eq!(code, 1, "{json}");
        assert_eq!(stop_code(&json), "output_too_large", "{json}");
        assert!(
            json.contains("stopped: wrote more than 64 MiB to stdout (SIGXFSZ)."),
            "{json}"
        );
        assert!(json.contains("signal 25 (SIGXFSZ)"), "{json}");
        assert!(json.len() < 16 << 10, "{} bytes of verdict", json.len());
        assert!(json.contains("bytes or more)"), "{json}");
    }
}

/// A program that takes every port it can and never ends: it runs out of
/// fds (EMFILE at 256), is stopped at the time limit, and nothing of it
/// is left; a crash is named by its signal. In Korean too.
#[test]
fn a_port_grabber_and_a_crash_get_clear_verdicts() {
    if !common::strace_usable() {
        return;
    }
    let grabber = c_program("hostile/grabs_ports.c");
    for isolation in ["namespace", "loopback"] {
        let (code, json) = check(
            1,
            &[&grabber],
            &[QUICK, ("SOCKLAB_GRADE_ISOLATION", isolation)],
        );
        assert_eq!(code, 1, "{json}");
        assert_eq!(stop_code(&json), "timed_out", "{json}");
        assert!(
            json.contains("stopped at the time limit (1.5 s)")
                && json.contains("ran out of file descriptors")
                && json.contains("EMFILE"),
            "{json}"
        );
        let left = socklab_tools::grade::contain::processes_running(&grabber);
        assert!(left.is_empty(), "{isolation}: still running: {left:?}");
    }
    let crash = c_program("hostile/crashes.c");
    let (code, json) = check(1, &[&crash], &[]);
    assert_eq!(
        (code, stop_code(&json)),
        (1, "crashed".to_string()),
        "{json}"
    );
    assert!(json.contains("\"mark\":\"crashed (SIGSEGV)\""), "{json}");
    let out = Command::new(socklab())
        .args(["--lang", "ko", "check", "1", "--"])
        .arg(&crash)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("시그널 11(SIGSEGV)") && text.contains("비정상 종료"),
        "{text}"
    );
}

/// Under root, each run has a uid of its own: two runs at once get two
/// uids (60000 and up), and one cannot kill the other's process. Skipped
/// when not root (nothing to drop from) or inside `unshare -r` (one uid).
#[test]
fn under_root_each_run_has_its_own_uid_and_cannot_kill_another() {
    if !common::strace_usable() {
        return;
    }
    if !own_uids_here() {
        eprintln!("SKIPPED: runs get a uid of their own only as root with uids 60000 and up mapped (not inside unshare -r)");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("socklab-grader-{}-uids", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    use std::os::unix::fs::PermissionsExt;
    // Both runs' uids write here.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let script = |name: &str, body: String| {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    };
    let pid_file = dir.join("a.pid");
    // A tells its uid and pid, then waits; B tells its uid, waits for
    // A's pid, and tries to kill it.
    let a = script(
        "a.sh",
        format!(
            "id -u\necho $$ > {0}.tmp && mv {0}.tmp {0}\nexec sleep 30\n",
            pid_file.display()
        ),
    );
    let b = script(
        "b.sh",
        format!(
            "id -u\nwhile [ ! -e {0} ]; do sleep 0.02; done\n\
             if kill -9 \"$(cat {0})\" 2>/dev/null; then echo killed; else echo refused; fi\n",
            pid_file.display()
        ),
    );
    if check(1, &[&a], &[("SOCKLAB_GRADE_TIME_SCALE", "0.05")])
        .1
        .contains("cannot reach")
    {
        eprintln!("SKIPPED: the run's uid cannot reach {}", dir.display());
        return;
    }
    // In the loopback fallback both runs share this machine's pids, so
    // only the uid stands between them.
    // A generous limit: on a loaded machine A may start well after B, and
    // B waits for A's pid; A then runs to its limit, killed by nobody.
    let env = [
        ("SOCKLAB_GRADE_TIME_SCALE", "2"),
        ("SOCKLAB_GRADE_ISOLATION", "loopback"),
    ];
    let run_a = {
        let a = a.clone();
        std::thread::spawn(move || check(1, &[&a], &env))
    };
    let (_, json_b) = check(1, &[&b], &env);
    let (_, json_a) = run_a.join().expect("run a");
    let uid = |json: &str| -> u32 {
        printed(json)
            .split("\\\\n")
            .next()
            .and_then(|u| u.parse().ok())
            .unwrap_or_else(|| panic!("no uid printed: {json}"))
    };
    let (uid_a, uid_b) = (uid(&json_a), uid(&json_b));
    assert!(uid_a >= 60000 && uid_b >= 60000, "{uid_a} {uid_b}");
    assert_ne!(uid_a, uid_b);
    assert!(printed(&json_b).ends_with("refused\\\\n"), "{json_b}");
    // A ran on to its time limit: nobody killed it.
    assert_eq!(stop_code(&json_a), "timed_out", "{json_a}");
    // In a namespace too, the program runs as a uid of its own.
    let (_, json) = check(1, &[Path::new("id"), Path::new("-u")], &[]);
    assert!(
        printed(&json)
            .trim_end_matches("\\\\n")
            .parse::<u32>()
            .is_ok_and(|u| u >= 60000),
        "{json}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Python: the reference solutions of exercises 1 to 4 pass, as does a
/// client with a timeout (nonblocking, connect = EINPROGRESS); the wrong
/// ones fail with their rules. A close forgotten in Python is made by
/// CPython at exit, so the record holds it and the rule passes.
#[test]
fn python_solutions_are_read_right() {
    if !common::strace_usable() {
        return;
    }
    if Command::new("python3").arg("-V").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI installs python3");
        eprintln!("SKIPPED: no python3 here");
        return;
    }
    let py = |n: u8, file: &str| -> (i32, String) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/exercises")
            .join(format!("{n:02}"))
            .join(file);
        check(n, &[Path::new("python3"), &path], &[])
    };
    for n in 1..=4 {
        let (code, json) = py(n, "solution.py");
        assert_eq!((code, failed(&json)), (0, vec![]), "exercise {n}: {json}");
    }
    let (code, json) = py(1, "with_timeout.py");
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
    // With a timeout the socket is nonblocking and connect returns
    // EINPROGRESS: CPython connecting to its own listening socket.
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "socklab-grader-{}-py-timeout.log",
        std::process::id()
    ));
    let status = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=connect,ioctl", "-o"])
        .arg(&log)
        .args([
            "python3",
            "-c",
            "import socket\nl = socket.socket()\nl.bind(('127.0.0.1', 0))\nl.listen()\n\
             s = socket.create_connection(l.getsockname(), timeout=5)\ns.close()\nl.close()",
        ])
        .status()
        .expect("strace runs");
    assert!(status.success());
    let text = std::fs::read_to_string(&log).expect("the log");
    let _ = std::fs::remove_file(&log);
    assert!(
        text.contains(", FIONBIO, [1])")
            && text.contains("= -1 EINPROGRESS (Operation now in progress)"),
        "{text}"
    );
    // recv is a recvfrom, accept an accept4.
    let (code, json) = py(1, "single_recv.py");
    assert_eq!(code, 1, "{json}");
    assert!(
        failed(&json).contains(&"recv_until_zero".to_string()),
        "{json}"
    );
    assert!(json.contains("recvfrom(3, \\\"H"), "{json}");
    let (code, json) = py(2, "keeps_accepted_fd.py");
    assert_eq!(code, 1, "{json}");
    assert!(json.contains("], SOCK_CLOEXEC) = 4"), "{json}");
    assert_eq!(
        failed(&json),
        ["accepted_fds_closed", "no_socket_open_at_exit"],
        "{json}"
    );
    let (code, json) = py(2, "forgets_close.py");
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
}

/// Go (only where a Go toolchain is installed): a correct client of
/// exercise 1 passes, but a correct echo server built on io.Copy fails
/// recv_until_zero, because io.Copy moves the bytes with splice(2), no
/// recv or read; and every socket is nonblocking (SOCK_NONBLOCK).
#[test]
fn go_programs_show_their_runtime() {
    if !common::strace_usable() {
        return;
    }
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("SKIPPED: no Go toolchain here (apt-get install golang-go)");
        return;
    }
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let build = |source: &str| {
        let out = tmp.join(format!(
            "socklab-grader-{}-{}",
            std::process::id(),
            source.replace(['/', '.'], "_")
        ));
        let status = Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../tests/exercises")
                    .join(source),
            )
            .env("GOCACHE", tmp.join("go-cache"))
            .env("GOFLAGS", "-mod=mod")
            .env("GO111MODULE", "off")
            .status()
            .expect("go runs");
        assert!(status.success(), "go build {source}");
        out
    };
    let (code, json) = check(1, &[&build("01/solution.go")], &[]);
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
    let (code, json) = check(3, &[&build("03/io_copy.go")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["recv_until_zero".to_string()]),
        "{json}"
    );
    assert!(json.contains("SOCK_CLOEXEC|SOCK_NONBLOCK) = 4"), "{json}");
}

/// Exercise 9, the UDP echo server: the references pass, in Rust, C
/// (recvfrom and sendto; recvmsg and sendmsg) and Python, well within
/// the time limit (the peer waits for the program's
/// bind in /proc/net/udp, never for a fixed time).
#[test]
fn exercise_9_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    for prog in [
        example("ex09_solution"),
        c_program("09/solution.c"),
        c_program("09/solution_msg.c"),
    ] {
        let started = Instant::now();
        assert_passes(9, &prog);
        assert!(started.elapsed() < Duration::from_secs(2), "{prog:?}");
    }
    let python = Path::new("/usr/bin/python3");
    if python.is_file() {
        let script = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("socklab-grader-{}-udp_echo.py", std::process::id()));
        std::fs::write(
            &script,
            "import os, socket\n\
             s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             s.bind((os.environ['SOCKLAB_HOST'], int(os.environ['SOCKLAB_PORT'])))\n\
             while True:\n\
             \x20   data, addr = s.recvfrom(2048)\n\
             \x20   s.sendto(data, addr)\n\
             \x20   if data == b'QUIT':\n\
             \x20       break\n\
             s.close()\n",
        )
        .expect("write");
        let (code, json) = check(9, &[python, &script], &[]);
        assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
    }
}

/// Exercise 9's wrong servers, each failing with the rule it breaks and
/// naming the calls that show it: the reply to the first client's
/// address, the 512-byte buffer that cut the 1400-byte datagram, the
/// datagrams gathered as a stream and sent back as one.
#[test]
fn exercise_9_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    let (code, json) = check(9, &[&example("ex09_first_client_only")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "replies_to_sender".to_string(),
                "echoes_arrive_whole".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("recvfrom(3, \\\"hello from client 2, another por\\\"...")
            && json.contains("It received another client's datagrams"),
        "{json}"
    );
    let (code, json) = check(9, &[&c_program("09/small_buffer.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["echoes_arrive_whole".to_string()]),
        "{json}"
    );
    assert!(
        json.contains(", 512, 0, {sa_family=AF_INET")
            && json.contains("}, [16]) = 512\"]")
            && json.contains("The 1400-byte datagram came back as its first 512 bytes"),
        "{json}"
    );
    let (code, json) = check(9, &[&example("ex09_merges_lines")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "one_reply_per_datagram".to_string(),
                "echoes_arrive_whole".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("recvfrom(3, \\\"two datagrams, \\\", 2048")
            && json.contains("got no reply of its own")
            && json.contains("came back joined in one"),
        "{json}"
    );
    // Connected to its first client, the socket takes no datagram from
    // the second: the program waits in read until the deadline (here
    // 5 s × 0.3), and client 2 never gets an echo. Its reads and writes
    // are datagrams from and to the connected peer: replies_to_sender
    // and one_reply_per_datagram pass.
    let started = Instant::now();
    let (code, json) = check(
        9,
        &[&c_program("09/connects_first_client.c")],
        &[("SOCKLAB_GRADE_TIME_SCALE", "0.3")],
    );
    assert!(started.elapsed() < Duration::from_secs(5), "{json}");
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "no_socket_open_at_exit".to_string(),
                "echoes_arrive_whole".to_string(),
                "exits_cleanly".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("Client 2 did not get back")
            && json.contains("step 2 had no answer before the deadline"),
        "{json}"
    );
}

/// Exercise 10, the poll server: the references pass in Rust (poll), C
/// (poll, a closed client's entry set to -1) and Python (selectors:
/// epoll here), well within 2 s: a server that serves both clients at
/// once lets the peer go on at once.
#[test]
fn exercise_10_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    for prog in [example("ex10_solution"), c_program("10/solution.c")] {
        let started = Instant::now();
        assert_passes(10, &prog);
        assert!(started.elapsed() < Duration::from_secs(2), "{prog:?}");
    }
    if Command::new("python3").arg("-V").output().is_ok() {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/exercises/10/solution.py");
        let (code, json) = check(10, &[Path::new("python3"), &script], &[]);
        assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
    }
}

/// Exercise 10's wrong servers, each failing with the rule it breaks:
/// the iterative server and the poll server that reads a client to its
/// end both leave client 2 without an echo while client 1 is silent
/// (and the record shows client 2 accepted only after client 1's end);
/// the thread per client serves both, in threads; the server that exits
/// on the reset client's ECONNRESET is named by that read; the server that
/// leaves a closed fd in its set spins on POLLNVAL.
#[test]
fn exercise_10_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    let (code, json) = check(10, &[&example("ex10_iterative")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "waits_on_listener_and_clients".to_string(),
                "serves_clients_at_once".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("never called poll")
            && json.contains("in 1000 ms it got no echo at all")
            && json.contains("accepted client 2 only after client 1's end"),
        "{json}"
    );
    let (code, json) = check(10, &[&c_program("10/blocks_in_recv.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["serves_clients_at_once".to_string()]),
        "{json}"
    );
    assert!(
        json.contains("read(4, \\\"\\\", 256)")
            && json.contains("accepted client 2 only after client 1's end"),
        "{json}"
    );
    let (code, json) = check(10, &[&example("ex10_thread_per_client")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "one_thread_serves_all".to_string(),
                "waits_on_listener_and_clients".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("clone3({flags=CLONE_VM") && json.contains("made a new thread"),
        "{json}"
    );
    let (code, json) = check(10, &[&c_program("10/keeps_closed_fd.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["closed_fds_leave_the_set".to_string()]),
        "{json}"
    );
    assert!(
        json.contains("revents=POLLNVAL}])") && json.contains("the loop spins"),
        "{json}"
    );
    // The server that exits on the reset client's ECONNRESET: the verdict
    // names that read, and client 1 never gets the rest of its echo.
    let (code, json) = check(10, &[&c_program("10/exits_on_reset.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "goes_on_after_a_reset".to_string(),
                "accepted_fds_closed".to_string(),
                "no_socket_open_at_exit".to_string(),
                "echoes_every_client".to_string(),
                "exits_cleanly".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("= -1 ECONNRESET (Connection reset by peer)")
            && json.contains("failed with ECONNRESET (the client reset its connection)"),
        "{json}"
    );
}

/// Exercise 11, the fork-per-client server: the references pass in Rust
/// and C, well within 2 s.
#[test]
fn exercise_11_reference_solutions_pass() {
    if !common::strace_usable() {
        return;
    }
    for prog in [example("ex11_solution"), c_program("11/solution.c")] {
        let started = Instant::now();
        assert_passes(11, &prog);
        assert!(started.elapsed() < Duration::from_secs(2), "{prog:?}");
    }
}

/// Exercise 11's wrong servers. The child that keeps the listening fd
/// and the parent that never reaps serve every client right: only the
/// record shows them. The parent that keeps the data fd leaves each
/// client without its EOF after its whole echo (the child's close is not
/// the last one), until the parent exits and the kernel closes its
/// copies: then the EOF comes, and the echoes are right. The exercise 10
/// server, one process, fails the fork rule at its first client.
#[test]
fn exercise_11_wrong_solutions_fail_with_their_rules() {
    if !common::strace_usable() {
        return;
    }
    let (code, json) = check(11, &[&example("ex11_never_reaps")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (1, vec!["children_reaped".to_string()]),
        "{json}"
    );
    assert!(json.contains("clone(child_stack=NULL"), "{json}");
    let (code, json) = check(11, &[&c_program("11/child_keeps_listener.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "child_closes_listening_fd".to_string(),
                "no_socket_open_at_exit".to_string()
            ]
        ),
        "{json}"
    );
    let (code, json) = check(11, &[&c_program("11/parent_keeps_data_fd.c")], &[]);
    assert_eq!(
        (code, failed(&json)),
        (
            1,
            vec![
                "parent_closes_data_fd".to_string(),
                "accepted_fds_closed".to_string(),
                "no_socket_open_at_exit".to_string(),
                "serves_clients_at_once".to_string()
            ]
        ),
        "{json}"
    );
    assert!(
        json.contains("got its whole echo (41 bytes) while client 1 was silent, but not its EOF within 1000 ms"),
        "{json}"
    );
    let (code, json) = check(11, &[&example("ex10_solution")], &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(failed(&json)[0], "forks_per_client", "{json}");
}

/// What the rule `children_reaped` says of a child never waited for: once
/// it has ended, it stays a zombie (state Z in /proc/PID/stat), its pid
/// kept, until its parent waits for it; then its pid is gone.
#[test]
fn an_ended_child_is_a_zombie_until_its_parent_waits() {
    // SAFETY: the child calls only _exit, which is async-signal-safe.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // SAFETY: ends the child at once, running nothing of the parent's.
        unsafe { libc::_exit(0) };
    }
    // Wait until it has ended, without reaping it (WNOWAIT).
    // SAFETY: a zeroed siginfo_t for waitid to fill.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: a pid of our own child and a valid siginfo_t.
    let r = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    assert_eq!(r, 0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("its /proc entry");
    let state = stat.rsplit_once(") ").map(|(_, rest)| &rest[..1]);
    assert_eq!(state, Some("Z"), "{stat}");
    let mut status = 0;
    // SAFETY: our own child, a valid status word.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    // A process with no child at all: waitpid(-1, WNOHANG) fails with
    // ECHILD (asked in a child of ours, which has none).
    // SAFETY: the child calls only waitpid and _exit, both
    // async-signal-safe.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // SAFETY: as above.
        unsafe {
            let r = libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG);
            let echild = r == -1 && *libc::__errno_location() == libc::ECHILD;
            libc::_exit(if echild { 0 } else { 1 });
        }
    }
    // SAFETY: our own child, a valid status word.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
}

/// What the rule `closed_fds_leave_the_set` says: an fd closed and left
/// in a poll set is answered POLLNVAL at once, every time; select with it
/// fails with EBADF; an entry of -1 is skipped.
#[test]
fn a_closed_fd_in_a_set_is_pollnval_to_poll_and_ebadf_to_select() {
    let mut pair = [0; 2];
    // SAFETY: a valid array of two ints.
    assert_eq!(
        unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr()) },
        0
    );
    // A high number no other test's fd gets (fds are handed out lowest
    // first), closed at once.
    // SAFETY: plain fcntl and close on fds of our own.
    let closed = unsafe { libc::fcntl(pair[0], libc::F_DUPFD, 900) };
    assert!(closed >= 900);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::close(closed) }, 0);
    let mut fds = [
        libc::pollfd {
            fd: pair[0],
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: closed,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: -1,
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    for _ in 0..3 {
        // SAFETY: a valid array of three pollfds. No timeout: it returns
        // at once, for the closed fd.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 3, -1) };
        assert_eq!(n, 1);
        assert_eq!(fds[1].revents, libc::POLLNVAL);
        assert_eq!((fds[0].revents, fds[2].revents), (0, 0));
    }
    // SAFETY: an fd_set of our own, fds below FD_SETSIZE.
    unsafe {
        let mut set: libc::fd_set = std::mem::zeroed();
        libc::FD_ZERO(&mut set);
        libc::FD_SET(closed, &mut set);
        let mut zero = libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        };
        let r = libc::select(
            closed + 1,
            &mut set,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut zero,
        );
        assert_eq!((r, *libc::__errno_location()), (-1, libc::EBADF));
        libc::close(pair[0]);
        libc::close(pair[1]);
    }
}
