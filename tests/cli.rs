//! The `socklab` command, driven as a learner would drive it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

const SOCKLAB: &str = env!("CARGO_BIN_EXE_socklab");

fn socklab(args: &[&str]) -> Output {
    Command::new(SOCKLAB)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run socklab")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure is one line on stderr, never a backtrace.
fn one_line_error(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn list_shows_every_lesson_in_both_languages() {
    let o = socklab(&["list", "--lang", "en"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for l in socklab_tools::lesson::LESSONS {
        assert!(out.contains(l.bin), "{} missing:\n{out}", l.bin);
        assert!(out.contains(l.title_en));
    }
    let out = stdout(&socklab(&["list", "--lang", "ko"]));
    assert!(
        out.contains(socklab_tools::lesson::LESSONS[3].title_ko),
        "{out}"
    );
}

#[test]
fn explain_every_covered_call_and_suggest_for_a_typo() {
    for name in socklab_tools::explain::names() {
        for lang in ["en", "ko"] {
            let o = socklab(&["explain", name, "--lang", lang]);
            assert!(
                o.status.success(),
                "explain {name} --lang {lang}: {}",
                stderr(&o)
            );
            assert!(stdout(&o).contains(name), "explain {name}");
        }
    }
    for name in [
        "socket", "bind", "listen", "accept", "connect", "send", "recv", "close", "shutdown",
    ] {
        assert!(
            socklab_tools::explain::names().contains(&name),
            "{name} is not explained"
        );
    }
    let o = socklab(&["explain", "acept"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(one_line_error(&o).contains("accept"), "{}", stderr(&o));
}

#[test]
fn strace_shows_every_lesson_matching() {
    if !common::strace_usable() {
        return;
    }
    for l in socklab_tools::lesson::LESSONS {
        let o = socklab(&["strace", &l.number.to_string(), "--lang", "en"]);
        let out = stdout(&o);
        assert!(
            o.status.success(),
            "lesson {}: {}\n{out}",
            l.number,
            stderr(&o)
        );
        assert!(
            out.contains("strace -f -qq -e signal=none"),
            "the command is shown"
        );
        assert!(
            out.contains("lines match: socklab printed exactly what strace saw."),
            "{out}"
        );
        assert!(!out.contains('✗'), "{out}");
    }
}

#[test]
fn the_strace_command_shown_can_be_repeated_as_typed() {
    if !common::strace_usable() {
        return;
    }
    let out = stdout(&socklab(&["strace", "4", "--lang", "en"]));
    let repeat = out
        .lines()
        .skip_while(|l| !l.starts_with("To do the same yourself"))
        .nth(1)
        .expect("a command to repeat")
        .trim();
    let dir = std::env::temp_dir().join(format!("socklab-repeat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new("sh")
        .args(["-c", repeat])
        .current_dir(&dir)
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.join("strace.log")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{repeat}: {}", stderr(&o));
    // The lesson printed its plain lines, and strace logged the same calls
    // (a call it split with `<unfinished ...>` still starts the same way).
    let lesson = stdout(&o);
    for start in [
        "socket(AF_INET, SOCK_STREAM",
        "listen(3, 128)",
        "accept(3, ",
    ] {
        assert!(lesson.lines().any(|l| l.starts_with(start)), "{lesson}");
        assert!(log.contains(start), "{start} in strace.log:\n{log}");
    }
}

#[test]
fn strace_missing_says_how_to_install_it() {
    let empty = socklab_tools::against_strace::scratch_dir().unwrap();
    let o = Command::new(SOCKLAB)
        .args(["strace", "4"])
        .env("PATH", empty.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(one_line_error(&o).contains("apt-get install strace"));
}

#[test]
fn unknown_lesson_and_bad_addresses_are_usage_errors() {
    for args in [
        &["run", "99"][..],
        &["strace", "nope"],
        &["connect", "127.0.0.1:70000"],
        &["connect", "no.such.host:80"],
        &["serve", "127.0.0.1"],
    ] {
        let o = socklab(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        one_line_error(&o);
    }
}

#[test]
fn serve_in_use_port_fails_with_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = socklab(&["serve", &addr, "--trace", "off"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(one_line_error(&o).contains("EADDRINUSE"));
}

/// A server process that is killed if the test fails before it ends, so a
/// failing test leaves no `socklab serve` behind.
struct Server(Option<std::process::Child>);

impl Server {
    fn wait_with_output(mut self) -> Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Start `socklab serve` on a free port; return it with the address it
/// printed once listening (readiness: its own "listening on" line).
fn start_server(extra: &[&str]) -> (Server, String, BufReader<std::process::ChildStderr>) {
    let mut child = Command::new(SOCKLAB)
        .args(["serve", "127.0.0.1:0", "--trace", "plain"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .expect(&line)
        .to_string();
    (Server(Some(child)), addr, err)
}

#[test]
fn serve_and_connect_exchange_data_and_each_client_gets_a_new_fd() {
    let (server, addr, mut server_err) = start_server(&["--echo", "--count", "2"]);
    for word in ["hello", "again"] {
        let mut client = Command::new(SOCKLAB)
            .args(["connect", &addr, "--trace", "plain"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        client
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{word}\n").as_bytes())
            .unwrap();
        let o = client.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        // The trace owns stdout; the bytes received go to stderr.
        assert_eq!(stderr(&o), format!("{word}\n"), "the echo came back");
        assert!(out.contains("shutdown(3, SHUT_WR)"), "{out}");
    }
    let o = server.wait_with_output();
    assert!(o.status.success());
    let out = stdout(&o);
    let accepts: Vec<&str> = out.lines().filter(|l| l.starts_with("accept(")).collect();
    assert_eq!(accepts.len(), 2, "{out}");
    for a in &accepts {
        assert!(a.starts_with("accept(3, "), "the listening fd stays 3: {a}");
        assert!(a.ends_with("= 4"), "each client gets its own data fd: {a}");
    }
    let mut rest = String::new();
    server_err.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("client 2 from 127.0.0.1:"), "{rest}");
    assert!(rest.contains("listening fd 3 unchanged"), "{rest}");
}

#[test]
fn udp_serve_and_connect() {
    let (server, addr, _err) = start_server(&["--udp", "--echo", "--count", "1"]);
    let mut client = Command::new(SOCKLAB)
        .args(["connect", &addr, "--udp", "--trace", "plain"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    client.stdin.take().unwrap().write_all(b"ping\n").unwrap();
    let o = client.wait_with_output().unwrap();
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("sendto(3, \"ping\\n\", 5, 0, {sa_family=AF_INET"),
        "{out}"
    );
    assert_eq!(stderr(&o), "ping\n", "the echo, on stderr beside the trace");
    assert!(server.wait_with_output().status.success());
}

/// A small XML well-formedness check: every tag closes in order, and
/// every `&` starts a known entity.
fn well_formed_xml(s: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        for (j, _) in text.match_indices('&') {
            let ent = &text[j..];
            if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| ent.starts_with(e))
            {
                return Err(format!("bad entity near {}", &ent[..ent.len().min(10)]));
            }
        }
        let end = rest[i..].find('>').ok_or("unclosed tag")? + i;
        let tag = &rest[i + 1..end];
        if tag.starts_with('?') || tag.starts_with('!') {
        } else if let Some(name) = tag.strip_prefix('/') {
            if stack.pop().as_deref() != Some(name.trim()) {
                return Err(format!("</{name}> closes the wrong tag"));
            }
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        if tag.matches('"').count() % 2 != 0 {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        rest = &rest[end + 1..];
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {stack:?}"))
    }
}

#[test]
fn diagram_draws_a_recorded_run_as_text_and_svg() {
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let record = dir.join("run.jsonl");
    let svg = dir.join("run.svg");
    let o = Command::new(env!("CARGO_BIN_EXE_04_accept"))
        .args(["--port", "0", "--trace", "off", "--record"])
        .arg(&record)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = socklab(&[
        "diagram",
        record.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let head = out.lines().next().unwrap();
    assert!(
        head.starts_with("client") && head.trim_end().ends_with("server"),
        "{head}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("connect(") && l.contains("handshake") && l.contains('▶')),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("accept(3) = ") && l.contains("new data fd")),
        "{out}"
    );
    assert!(
        out.contains('◀'),
        "data from the server to the client: {out}"
    );
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.contains("<svg"));
    well_formed_xml(&picture).unwrap();
    // `socklab run N --diagram` draws the run it just made.
    let o = socklab(&["run", "4", "--port", "0", "--trace", "off", "--diagram"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("new data fd"));
}

#[test]
fn a_closed_stdout_ends_with_one_line_not_a_panic() {
    let mut child = Command::new(SOCKLAB)
        .args(["run", "4", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, as `| head -1` exits.
    let o = child.wait_with_output().unwrap();
    assert!(first.contains("Lesson 04"));
    assert!(!o.status.success());
    let err = one_line_error(&o);
    assert!(err.contains("broken pipe"), "{err}");
}

#[test]
fn every_subcommand_help_has_an_example() {
    for sub in [
        "list",
        "run",
        "explain",
        "strace",
        "serve",
        "connect",
        "diagram",
        "check",
        "hint",
        "exercises",
    ] {
        let o = socklab(&[sub, "--help"]);
        assert!(o.status.success());
        assert!(
            stdout(&o).contains("Example"),
            "{sub} --help has no example"
        );
    }
}
