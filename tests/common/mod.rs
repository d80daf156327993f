//! Shared by the integration tests: running a built binary under strace and
//! failing with a readable side-by-side when a line differs.

#![allow(dead_code)]

use socklab::addr::SockAddr;
use socklab::event::{ArgValue, CallEvent};
use socklab_tools::against_strace::{find_strace, run_and_compare_also, Comparison};
use socklab_tools::strace_log::parse_line;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};

/// Whether strace can trace here. Under CI (`CI` set) a missing or broken
/// strace is a failure, never a skip: `.ci/run` installs it.
pub fn strace_usable() -> bool {
    let ok = find_strace().is_some_and(|s| {
        std::process::Command::new(s)
            .args(["-qq", "-e", "trace=none", "true"])
            .status()
            .is_ok_and(|st| st.success())
    });
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace cannot run under CI: .ci/run must install it"
        );
        eprintln!("SKIPPED: strace is missing or cannot trace here (no ptrace permission); install strace to run this test");
    }
    ok
}

/// Run `program args` under strace and assert every line matches. A
/// lesson's binary is traced with the calls it also prints
/// (`LessonInfo::also_traced`: lesson 12's `unlink`).
pub fn assert_matches_strace(program: &Path, args: &[&str]) -> Comparison {
    let also = program
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| socklab_tools::lesson::LESSONS.iter().find(|l| l.bin == n))
        .map_or(&[][..], |l| l.also_traced());
    assert_matches_strace_also(program, args, also)
}

/// [`assert_matches_strace`] with the calls in `also` traced as well
/// (`unlink`, for a program that removes a Unix socket's file).
pub fn assert_matches_strace_also(program: &Path, args: &[&str], also: &[&str]) -> Comparison {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let cmp = run_and_compare_also(program, &args, also).expect("traced run");
    assert!(
        cmp.output.status.success(),
        "{} exited with {:?}\nstderr:\n{}",
        program.display(),
        cmp.output.status,
        String::from_utf8_lossy(&cmp.output.stderr)
    );
    if !cmp.all_match() {
        let mut report = String::new();
        for r in &cmp.rows {
            let mark = if r.matches() { "  " } else { "✗ " };
            report.push_str(&format!(
                "{mark}[{}] strace : {}\n  {:>w$}  socklab: {}\n",
                r.tid,
                r.strace.as_deref().unwrap_or("(nothing)"),
                "",
                r.socklab.as_deref().unwrap_or("(nothing)"),
                w = r.tid.to_string().len() + 2
            ));
        }
        panic!("socklab's trace differs from strace's:\n{report}");
    }
    cmp
}

/// The plain-view lines a run printed on stdout (narration excluded: in
/// plain view the lessons write it to stderr).
pub fn stdout_lines(cmp: &Comparison) -> Vec<String> {
    String::from_utf8_lossy(&cmp.output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// A lesson's binary: built beside `socklab` in the same target folder.
pub fn lesson_bin(name: &str) -> String {
    Path::new(env!("CARGO_BIN_EXE_socklab"))
        .with_file_name(name)
        .to_string_lossy()
        .into_owned()
}

/// Every lesson binary, in the catalog's order.
pub fn all_lessons() -> Vec<String> {
    socklab_tools::lesson::LESSONS
        .iter()
        .map(|l| lesson_bin(l.bin))
        .collect()
}

/// Run a lesson with `--port 0` under strace; all its lines must match.
/// None (with a SKIPPED line) only where strace cannot run.
pub fn traced(bin: &str, extra: &[&str]) -> Option<Comparison> {
    if !strace_usable() {
        return None;
    }
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    Some(assert_matches_strace(Path::new(bin), &args))
}

/// Run a binary with stdin closed: (exit code, stdout, stderr).
pub fn run(bin: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run lesson");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A printed call line read as strace's log is read
/// ([`parse_line`]): the call as a typed event. The pretty view's gutter
/// (`server data      │ `) and its note after the result (`  ← new data
/// socket 5`) are the view's, not the call's, and are left out.
pub fn event(line: &str) -> CallEvent {
    let call = line.split_once("│ ").map_or(line, |(_, call)| call);
    let call = without_pid(call);
    let call = call.rsplit_once("  ← ").map_or(call, |(call, _)| call);
    parse_line(0, call.trim_end()).unwrap_or_else(|| panic!("not a call line: {line}"))
}

/// A call line without the `[pid  TID] ` that `strace -f` (and lessons
/// 15 and 16, as it does) writes first; a line without one as it is.
pub fn without_pid(line: &str) -> &str {
    line.strip_prefix("[pid ")
        .and_then(|rest| rest.split_once("] "))
        .filter(|(tid, _)| tid.trim().parse::<i32>().is_ok())
        .map_or(line, |(_, call)| call)
}

/// The thread id a `[pid  TID] ` prefix names, if the line has one.
pub fn pid_of(line: &str) -> Option<i32> {
    let call = line.split_once("│ ").map_or(line, |(_, call)| call);
    call.strip_prefix("[pid ")?
        .split_once("] ")?
        .0
        .trim()
        .parse()
        .ok()
}

/// The value a call line returned: `... = 4` → 4, `... = -1 E...` → -1.
pub fn ret_fd(line: &str) -> i32 {
    event(line).value().map_or(-1, |v| v as i32)
}

/// The fd a call line was made on: `accept(3, ...` → 3.
pub fn first_arg(line: &str) -> i32 {
    let e = event(line);
    match e.arg(0) {
        Some(ArgValue::Fd(fd)) => *fd,
        _ => panic!("no fd argument in {line}"),
    }
}

/// The port of the first address in a call line.
pub fn port_in(line: &str) -> u16 {
    event(line)
        .addr()
        .and_then(SockAddr::port)
        .unwrap_or_else(|| panic!("no port in {line}"))
}

/// The first call line starting with `prefix` (after the pretty view's
/// gutter, if any).
pub fn call_line<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines
        .iter()
        .map(|l| l.split_once("│ ").map_or(l.as_str(), |(_, call)| call))
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} line in {lines:#?}"))
}

/// A free port: bound by the kernel for a moment, then released.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A lesson in interactive mode (`--wait`, plain trace on stdout), killed
/// if the test fails before it ends.
pub struct Interactive {
    child: Option<Child>,
    out: BufReader<ChildStdout>,
    pub port: u16,
}

impl Interactive {
    /// A server lesson on a free port, once it has printed its `listen(`
    /// line: from then on, an outside client can connect.
    pub fn start(bin: &str) -> Interactive {
        let mut me = Interactive::spawn(bin, free_port(), &[]);
        me.line_starting("listen(");
        me
    }

    /// The lesson with `--wait --port PORT`, plain trace, a 10 s timeout,
    /// English narration, and `extra` flags; its stdin closed, so each
    /// "press Enter" goes on at once.
    pub fn spawn(bin: &str, port: u16, extra: &[&str]) -> Interactive {
        Interactive::launch(bin, port, extra, Stdio::null())
    }

    /// As `spawn`, but the lesson waits at each "press Enter" until the
    /// test calls `enter`.
    pub fn spawn_waiting_for_enter(bin: &str, port: u16, extra: &[&str]) -> Interactive {
        Interactive::launch(bin, port, extra, Stdio::piped())
    }

    /// Press Enter in the lesson's terminal.
    pub fn enter(&mut self) {
        let child = self.child.as_mut().unwrap();
        child.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
    }

    fn launch(bin: &str, port: u16, extra: &[&str], stdin: Stdio) -> Interactive {
        let port_text = port.to_string();
        let mut args = vec![
            "--wait",
            "--port",
            &port_text,
            "--trace",
            "plain",
            "--timeout",
            "10",
            "--lang",
            "en",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(bin)
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Interactive {
            child: Some(child),
            out,
            port,
        }
    }

    /// Read the lesson's trace until a line starts with `prefix`.
    pub fn line_starting(&mut self, prefix: &str) -> String {
        let mut seen = Vec::new();
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the lesson ended before `{prefix}`: {seen:?}"
            );
            if line.starts_with(prefix) {
                return line;
            }
            seen.push(line);
        }
    }

    /// Read the lesson's trace until a call line starts with `prefix`,
    /// after the `[pid  TID] ` of lessons 15 and 16, if any.
    pub fn line_starting_call(&mut self, prefix: &str) -> String {
        let mut seen = Vec::new();
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the lesson ended before `{prefix}`: {seen:?}"
            );
            if without_pid(&line).starts_with(prefix) {
                return line;
            }
            seen.push(line);
        }
    }

    /// Connect as `nc 127.0.0.1 PORT` would.
    pub fn connect(&self) -> std::net::TcpStream {
        std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap()
    }

    /// Wait for the lesson to end: its status, the rest of its trace, and
    /// its narration.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        let mut rest = String::new();
        self.out.read_to_string(&mut rest).unwrap();
        let mut child = self.child.take().unwrap();
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status, rest, err)
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Close `s` with SO_LINGER {on, 0}: the kernel sends a reset (RST), not a
/// FIN, and the peer's next recv gets ECONNRESET.
pub fn reset(s: std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd and a linger struct of the size given.
    let r = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0);
    drop(s);
}
