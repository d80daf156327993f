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
    // The interpreter itself: a wrapper script (a version manager's shim)
    // makes writes of its own, which the fault run fails too.
    let python = Path::new("/usr/bin/python3");
    if !common::strace_usable() || !python.is_file() {
        return;
    }
    let script = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "socklab-grader-{}-send_once.py",
        std::process::id()
    ));
    std::fs::write(
        &script,
        "import os, socket\n\
         data = bytes(i % 251 for i in range(1 << 20))\n\
         s = socket.create_connection((os.environ['SOCKLAB_HOST'], int(os.environ['SOCKLAB_PORT'])))\n\
         s.send(data)\n\
         s.close()\n",
    )
    .expect("write");
    let (code, json) = check(5, &[python, &script], &[]);
    assert_eq!((code, failed(&json)), (0, vec![]), "{json}");
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
