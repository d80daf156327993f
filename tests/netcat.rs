//! `socklab serve` and `socklab connect` used as a learner, a teacher and a
//! clumsy or hostile user would use them.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

const SOCKLAB: &str = env!("CARGO_BIN_EXE_socklab");

/// Long enough for a loaded CI machine; a test that waits this long has
/// found a hang.
const PATIENCE: Duration = Duration::from_secs(20);

/// A socklab process, killed if the test fails before it ends.
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().unwrap()
    }

    fn pid(&self) -> u32 {
        self.0.as_ref().unwrap().id()
    }

    /// Wait for the end, with a deadline: a hang fails the test.
    fn wait(mut self) -> ExitStatus {
        let mut child = self.0.take().unwrap();
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > PATIENCE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("socklab did not end within {PATIENCE:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A started `socklab serve`, once it has said where it listens.
struct Server {
    proc: Running,
    addr: String,
    err: BufReader<ChildStderr>,
}

impl Server {
    fn start(args: &[&str], stdin: Stdio) -> Server {
        Server::start_with(Command::new(SOCKLAB).arg("serve").args(args), stdin)
    }

    fn start_with(cmd: &mut Command, stdin: Stdio) -> Server {
        let mut child = cmd
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let err = BufReader::new(child.stderr.take().unwrap());
        let mut me = Server {
            proc: Running(Some(child)),
            addr: String::new(),
            err,
        };
        let line = me.stderr_line_with("listening on ");
        me.addr = line
            .split("listening on ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .expect(&line)
            .to_string();
        me
    }

    /// Read the server's stderr until a line contains `text`.
    fn stderr_line_with(&mut self, text: &str) -> String {
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            let n = self.err.read_line(&mut line).unwrap();
            assert!(n > 0, "the server ended before `{text}`:\n{seen}");
            if line.contains(text) {
                return line;
            }
            seen.push_str(&line);
        }
    }

    fn tcp(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s
    }

    /// The rest of its stderr and its exit status. The end is waited for
    /// with a deadline, so a server that hangs fails the test.
    fn finish(self) -> (ExitStatus, String) {
        let Server { proc, mut err, .. } = self;
        let reader = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = err.read_to_string(&mut rest);
            rest
        });
        let status = proc.wait();
        (status, reader.join().unwrap())
    }
}

fn socklab(args: &[&str]) -> Output {
    Command::new(SOCKLAB)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A failure is one line on stderr, never a backtrace.
fn one_line_error(err: &[u8]) -> String {
    let err = String::from_utf8_lossy(err).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Send `text`, half-close, and read the answer to the end.
fn exchange(mut s: TcpStream, text: &[u8]) -> Vec<u8> {
    s.write_all(text).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    s.read_to_end(&mut back).unwrap();
    back
}

fn scratch() -> socklab_tools::against_strace::ScratchDir {
    socklab_tools::against_strace::scratch_dir().unwrap()
}

// 1. What was piped into `serve` before a client came reaches that client.

#[test]
fn serve_delivers_stdin_that_arrived_before_the_first_client() {
    let mut server = Server::start(
        &["127.0.0.1:0", "--count", "1", "--trace", "off"],
        Stdio::piped(),
    );
    // The greeting is in the pipe before any client exists; the writer
    // stays open until the client has read it, so the server cannot see
    // the end of its input first.
    let mut stdin = server.proc.child().stdin.take().unwrap();
    stdin.write_all(b"greeting\n").unwrap();
    let client = server.tcp();
    let mut line = String::new();
    BufReader::new(&client).read_line(&mut line).unwrap();
    assert_eq!(line, "greeting\n");
    drop(stdin);
    client.shutdown(Shutdown::Write).unwrap();
    let (status, err) = server.finish();
    assert!(status.success(), "{err}");
}

// 2. With a trace on, stdout is the trace alone; the data goes to stderr.

fn assert_all_json_objects(out: &str) {
    assert!(!out.trim().is_empty(), "no trace at all");
    for line in out.lines() {
        let v = socklab_tools::json::parse(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        assert!(v.get("syscall").is_some(), "not a call: {line}");
    }
}

#[test]
fn serve_trace_json_is_json_only_and_the_data_goes_to_stderr() {
    let mut server = Server::start(
        &["127.0.0.1:0", "--count", "1", "--trace", "json"],
        Stdio::null(),
    );
    let mut out = server.proc.child().stdout.take().unwrap();
    assert!(exchange(server.tcp(), b"not json\n").is_empty());
    let (status, err) = server.finish();
    assert!(status.success(), "{err}");
    let mut trace = String::new();
    out.read_to_string(&mut trace).unwrap();
    assert_all_json_objects(&trace);
    assert!(trace.contains("\"syscall\":\"recvfrom\""), "{trace}");
    assert!(err.contains("not json\n"), "{err}");
}

/// A one-shot server in the test: sends `text` to its first client and
/// closes.
fn one_shot_server(text: &'static [u8]) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.write_all(text).unwrap();
    });
    (addr, t)
}

#[test]
fn connect_trace_json_and_plain_keep_stdout_for_the_trace() {
    for view in ["json", "plain"] {
        let (addr, t) = one_shot_server(b"from the server\n");
        let o = socklab(&["connect", &addr, "--trace", view]);
        t.join().unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(o.status.success(), "{err}");
        assert!(!out.lines().any(|l| l == "from the server"), "{out}");
        assert_eq!(err, "from the server\n");
        if view == "json" {
            assert_all_json_objects(&out);
        } else {
            assert!(out.lines().all(|l| l.contains('(') && l.contains(" = ")));
        }
    }
}

#[test]
fn with_trace_off_the_data_goes_to_stdout_as_with_nc() {
    let (addr, t) = one_shot_server(b"from the server\n");
    let o = socklab(&["connect", &addr, "--trace", "off"]);
    t.join().unwrap();
    assert!(o.status.success());
    assert_eq!(o.stdout, b"from the server\n");

    let mut server = Server::start(
        &["127.0.0.1:0", "--count", "1", "--trace", "off"],
        Stdio::null(),
    );
    let mut out = server.proc.child().stdout.take().unwrap();
    exchange(server.tcp(), b"to the server\n");
    assert!(server.finish().0.success());
    let mut got = String::new();
    out.read_to_string(&mut got).unwrap();
    assert_eq!(got, "to the server\n");
}

// 3. A Unix socket's file is removed when the server ends.

fn unix_echo_once(path: &Path) {
    let mut s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s.write_all(b"ping").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    s.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"ping");
}

#[test]
fn serve_unix_twice_works_the_file_is_removed_each_time() {
    let dir = scratch();
    let path = dir.join("s.sock");
    let addr = format!("unix:{}", path.display());
    for _ in 0..2 {
        let server = Server::start(
            &[&addr, "--echo", "--count", "1", "--trace", "off"],
            Stdio::null(),
        );
        unix_echo_once(&path);
        let (status, err) = server.finish();
        assert!(status.success(), "{err}");
        assert!(
            err.contains(&format!("unlink(\"{}\")", path.display())),
            "{err}"
        );
        assert!(!path.exists(), "the socket file is gone");
    }
}

#[test]
fn a_socket_file_outlives_its_socket_and_serve_says_to_remove_it() {
    let dir = scratch();
    let path = dir.join("stale.sock");
    // Another program's server that ended: its file stays after close.
    drop(UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let o = socklab(&["serve", &format!("unix:{}", path.display())]);
    assert_eq!(o.status.code(), Some(1));
    let err = one_line_error(&o.stderr);
    assert!(err.contains("EADDRINUSE"), "{err}");
    assert!(err.contains(&format!("rm {}", path.display())), "{err}");
    assert!(!err.contains("port"), "{err}");
    assert!(path.exists(), "a file socklab did not make is left alone");
    // A file that is not a socket gets no advice to remove it.
    let file = dir.join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let o = socklab(&["serve", &format!("unix:{}", file.display())]);
    assert_eq!(o.status.code(), Some(1));
    let err = one_line_error(&o.stderr);
    assert!(
        err.contains("is not a socket file") && !err.contains("rm "),
        "{err}"
    );
    assert!(file.exists());
    // A client is told what the file is.
    let o = socklab(&["connect", &format!("unix:{}", path.display())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(one_line_error(&o.stderr).contains("no server listens"));
}

#[test]
fn sigint_and_sigterm_remove_the_socket_file() {
    let dir = scratch();
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let path = dir.join(format!("sig{sig}.sock"));
        let server = Server::start(
            &[
                &format!("unix:{}", path.display()),
                "--echo",
                "--trace",
                "off",
            ],
            Stdio::null(),
        );
        assert!(path.exists());
        // SAFETY: kill sends a signal to our own child.
        assert_eq!(unsafe { libc::kill(server.proc.pid() as i32, sig) }, 0);
        let (status, err) = server.finish();
        assert_eq!(status.code(), Some(code), "{err}");
        assert!(!path.exists(), "{err}");
    }
}

#[test]
fn a_closed_stdout_ends_serve_with_one_line_and_removes_the_file() {
    let dir = scratch();
    let path = dir.join("head.sock");
    let mut server = Server::start(
        &[
            &format!("unix:{}", path.display()),
            "--echo",
            "--trace",
            "plain",
        ],
        Stdio::null(),
    );
    let mut first = String::new();
    BufReader::new(server.proc.child().stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("socket(AF_UNIX"), "{first}");
    // The reader is gone, as after `| head -1`; a trace line written from
    // now on fails. (A process another test is starting can hold a copy of
    // the pipe's read end for a moment, until its exec: so the client keeps
    // the server writing lines until the server stops.)
    let mut client = UnixStream::connect(&path).unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 1];
    while client.write_all(b"x").is_ok() && matches!(client.read(&mut buf), Ok(1)) {}
    let (status, err) = server.finish();
    assert_eq!(status.code(), Some(141), "{err}");
    assert!(err.contains("broken pipe"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!path.exists(), "{err}");
}

// 4. A Unix path too long for sun_path is refused, not cut.

#[test]
fn a_unix_path_longer_than_sun_path_is_a_usage_error() {
    let long = format!("unix:/tmp/{}", "a".repeat(120));
    for sub in ["serve", "connect"] {
        let o = socklab(&[sub, &long]);
        assert_eq!(o.status.code(), Some(2));
        let err = one_line_error(&o.stderr);
        assert!(err.contains("at most 107"), "{err}");
    }
}

// 5. A negative reply timeout would be poll's "wait for ever".

#[test]
fn a_negative_reply_timeout_is_a_usage_error() {
    for t in ["--reply-timeout=-1", "--reply-timeout=-5000"] {
        let o = socklab(&["connect", "--udp", t, "127.0.0.1:9"]);
        assert_eq!(o.status.code(), Some(2));
        one_line_error(&o.stderr);
    }
}

// 6. An unwritable record file is named.

#[test]
fn an_unwritable_socklab_record_names_the_file() {
    for sub in ["serve", "connect"] {
        let o = Command::new(SOCKLAB)
            .args([sub, "127.0.0.1:0"])
            .env("SOCKLAB_RECORD", "/nonexistent/dir/x")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        let err = one_line_error(&o.stderr);
        assert!(err.contains("/nonexistent/dir/x"), "{err}");
    }
}

// 7. --many: a silent client does not hold the others.

#[test]
fn with_many_a_silent_client_does_not_hold_the_next() {
    let mut server = Server::start(
        &["127.0.0.1:0", "--echo", "--many", "--count", "2"],
        Stdio::null(),
    );
    let silent = server.tcp();
    server.stderr_line_with("client 1 from");
    assert_eq!(exchange(server.tcp(), b"hello\n"), b"hello\n");
    drop(silent);
    let (status, err) = server.finish();
    assert!(status.success(), "{err}");
}

#[test]
fn with_many_stdin_goes_to_every_connected_client() {
    let mut server = Server::start(&["127.0.0.1:0", "--many", "--count", "2"], Stdio::piped());
    let mut stdin = server.proc.child().stdin.take().unwrap();
    let clients = [server.tcp(), server.tcp()];
    server.stderr_line_with("client 2 from");
    stdin.write_all(b"to all\n").unwrap();
    for c in &clients {
        let mut line = String::new();
        BufReader::new(c).read_line(&mut line).unwrap();
        assert_eq!(line, "to all\n");
    }
    drop(stdin);
    for c in clients {
        assert!(exchange(c, b"").is_empty());
    }
    assert!(server.finish().0.success());
}

#[test]
fn without_many_the_next_client_waits_for_the_first() {
    let mut server = Server::start(
        &["127.0.0.1:0", "--echo", "--count", "2", "--trace", "off"],
        Stdio::null(),
    );
    let silent = server.tcp();
    server.stderr_line_with("client 1 from");
    let mut second = server.tcp();
    second.write_all(b"hello\n").unwrap();
    // The second client is connected (the kernel finished its handshake)
    // but not served: its echo does not come while the first is there.
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 8];
    let e = second.read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    drop(silent);
    second.set_read_timeout(Some(PATIENCE)).unwrap();
    assert_eq!(exchange(second, b""), b"hello\n");
    assert!(server.finish().0.success());
}

/// The fds of a process that are sockets.
fn sockets_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|t| t.to_string_lossy().starts_with("socket:"))
        .count()
}

#[test]
fn thirty_clients_at_once_each_get_their_echo_and_no_fd_is_left() {
    let mut server = Server::start(
        &["127.0.0.1:0", "--echo", "--many", "--trace", "plain"],
        Stdio::null(),
    );
    let mut trace = BufReader::new(server.proc.child().stdout.take().unwrap());
    // All thirty are connected before any sends, so all are served at once.
    let clients: Vec<TcpStream> = (0..30).map(|_| server.tcp()).collect();
    let threads: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            std::thread::spawn(move || {
                let text = format!("student {i}\n");
                assert_eq!(exchange(s, text.as_bytes()), text.as_bytes());
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Each close is shown once it returned: after thirty, only the
    // listening socket is left.
    let mut closes = 0;
    while closes < 30 {
        let mut line = String::new();
        assert!(trace.read_line(&mut line).unwrap() > 0);
        if line.starts_with("close(") {
            closes += 1;
        }
    }
    assert_eq!(sockets_of(server.proc.pid()), 1);
}

#[test]
fn out_of_fds_with_many_waits_for_a_client_to_leave() {
    // 12 fds: stdin, stdout, stderr, the listening socket and (less any
    // fds the test runner lets the server inherit) 8 clients.
    let mut server = Server::start_with(
        Command::new("sh").args([
            "-c",
            &format!("ulimit -n 12 && exec {SOCKLAB} serve 127.0.0.1:0 --echo --many --trace off"),
        ]),
        Stdio::null(),
    );
    let mut clients: Vec<Option<TcpStream>> = (0..10).map(|_| Some(server.tcp())).collect();
    let line = server.stderr_line_with("EMFILE");
    let held: usize = line
        .split(" clients hold the fds")
        .next()
        .and_then(|before| before.rsplit(' ').next()?.parse().ok())
        .expect(&line);
    assert!((1..10).contains(&held), "{line}");
    // The next one waits in the listen queue until the first leaves.
    drop(clients[0].take());
    let next = clients[held].take().unwrap();
    assert_eq!(exchange(next, b"my turn\n"), b"my turn\n");
}

/// `socklab serve ARGS` under strace (the options of the lessons' strace
/// tests), recording its own lines; `compare` holds one against the other.
struct Straced {
    server: Server,
    dir: socklab_tools::against_strace::ScratchDir,
}

impl Straced {
    /// None (with a SKIPPED line) only where strace cannot run.
    fn serve(args: &[&str], stdin: Stdio) -> Option<Straced> {
        if !common::strace_usable() {
            return None;
        }
        let dir = scratch();
        let mut cmd = Command::new(socklab_tools::against_strace::find_strace().unwrap());
        cmd.args(socklab_tools::against_strace::STRACE_ARGS)
            .arg("-o")
            .arg(dir.join("strace.log"))
            .arg(SOCKLAB)
            .arg("serve")
            .args(args)
            .env("SOCKLAB_TRACE", "plain")
            .env("SOCKLAB_RECORD", dir.join("socklab.jsonl"));
        let server = Server::start_with(&mut cmd, stdin);
        Some(Straced { server, dir })
    }

    /// After the run: every line socklab printed equals strace's, thread
    /// by thread, and strace saw no socket call socklab did not print.
    /// Returns socklab's record.
    fn compare(self) -> Vec<socklab::event::CallEvent> {
        let Straced { mut server, dir } = self;
        let mut out = server.proc.child().stdout.take().unwrap();
        let (status, err) = server.finish();
        assert!(status.success(), "{err}");
        let mut shown = String::new();
        out.read_to_string(&mut shown).unwrap();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let calls = socklab_tools::strace_log::socket_calls(&read("strace.log"));
        let ours = socklab_tools::record::parse_events(&read("socklab.jsonl")).unwrap();
        let rows = socklab_tools::against_strace::line_up(&calls, &ours);
        let bad: Vec<_> = rows.iter().filter(|r| !r.matches()).collect();
        assert!(
            !rows.is_empty() && bad.is_empty(),
            "differ: {bad:#?}\nstrace log:\n{}\nstderr:\n{err}",
            read("strace.log")
        );
        // stdout showed what was recorded, nothing else.
        let lines: Vec<String> = ours.iter().map(|r| r.line()).collect();
        assert_eq!(shown.lines().collect::<Vec<_>>(), lines);
        ours
    }
}

#[test]
fn many_clients_mode_matches_strace_line_for_line() {
    let Some(mut run) = Straced::serve(
        &["127.0.0.1:0", "--echo", "--many", "--count", "3"],
        Stdio::null(),
    ) else {
        return;
    };
    let silent = run.server.tcp();
    run.server.stderr_line_with("client 1 from");
    assert_eq!(exchange(run.server.tcp(), b"second\n"), b"second\n");
    assert_eq!(exchange(run.server.tcp(), b"third\n"), b"third\n");
    assert_eq!(exchange(silent, b"at last\n"), b"at last\n");
    let ours = run.compare();
    // Each client was echoed from a thread of its own.
    let echo_tids: std::collections::HashSet<i32> = ours
        .iter()
        .filter(|r| r.syscall == "sendto")
        .map(|r| r.tid)
        .collect();
    assert_eq!(echo_tids.len(), 3, "{ours:#?}");
}

#[test]
fn stdin_to_a_unix_client_matches_strace_line_for_line() {
    let dir = scratch();
    let path = dir.join("traced.sock");
    let addr = format!("unix:{}", path.display());
    let Some(mut run) = Straced::serve(&[&addr, "--count", "1"], Stdio::piped()) else {
        return;
    };
    let mut stdin = run.server.proc.child().stdin.take().unwrap();
    stdin.write_all(b"from stdin\n").unwrap();
    let mut client = UnixStream::connect(&path).unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut line = String::new();
    BufReader::new(&client).read_line(&mut line).unwrap();
    assert_eq!(line, "from stdin\n");
    drop(stdin);
    client.write_all(b"to stdout\n").unwrap();
    drop(client);
    let ours = run.compare();
    assert!(ours
        .iter()
        .any(|r| r.syscall == "sendto" && r.fd == Some(4) && r.bytes() == Some(b"from stdin\n")));
    assert!(!path.exists());
}

// 8. Clumsy and hostile use.

#[test]
fn count_zero_and_a_count_too_big_are_usage_errors() {
    for n in ["0", "99999999999", "-1", "many"] {
        let o = socklab(&["serve", "127.0.0.1:0", "--count", n]);
        assert_eq!(o.status.code(), Some(2), "--count {n}");
        one_line_error(&o.stderr);
    }
    // UDP has no connections to give a thread each.
    let o = socklab(&["serve", "127.0.0.1:0", "--udp", "--many"]);
    assert_eq!(o.status.code(), Some(2));
    one_line_error(&o.stderr);
}

#[test]
fn a_client_that_resets_does_not_stop_the_server() {
    let mut server = Server::start(
        &["127.0.0.1:0", "--echo", "--count", "2", "--trace", "off"],
        Stdio::null(),
    );
    let rude = server.tcp();
    server.stderr_line_with("client 1 from");
    common::reset(rude);
    server.stderr_line_with("client 1 done");
    assert_eq!(exchange(server.tcp(), b"still here\n"), b"still here\n");
    let (status, err) = server.finish();
    assert!(status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn connect_to_a_server_that_resets_fails_with_one_line_and_closes_its_fd() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let t = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        common::reset(s);
    });
    let child = Command::new(SOCKLAB)
        .args(["connect", &addr, "--trace", "plain"])
        .stdin(Stdio::piped()) // open: the client sends nothing, only reads
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    t.join().unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(one_line_error(&o.stderr).contains("ECONNRESET"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().last().unwrap().starts_with("close(3)"), "{out}");
}

#[test]
fn ten_megabytes_through_the_echo_and_to_stdout() {
    let data: Vec<u8> = (0..10 << 20).map(|i: u32| (i % 251) as u8).collect();
    let data = std::sync::Arc::new(data);
    // Echo: the client writes and reads at once, as the buffers are small.
    let server = Server::start(
        &["127.0.0.1:0", "--echo", "--count", "1", "--trace", "off"],
        Stdio::null(),
    );
    let s = server.tcp();
    let mut w = s.try_clone().unwrap();
    let d = std::sync::Arc::clone(&data);
    let writer = std::thread::spawn(move || {
        w.write_all(&d).unwrap();
        w.shutdown(Shutdown::Write).unwrap();
    });
    let mut back = Vec::new();
    (&s).read_to_end(&mut back).unwrap();
    writer.join().unwrap();
    assert!(back == *data, "the echo differs");
    assert!(server.finish().0.success());

    // To stdout, with the trace off.
    let mut server = Server::start(
        &["127.0.0.1:0", "--count", "1", "--trace", "off"],
        Stdio::null(),
    );
    let mut out = server.proc.child().stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        out.read_to_end(&mut got).unwrap();
        got
    });
    exchange(server.tcp(), &data);
    assert!(server.finish().0.success());
    assert!(reader.join().unwrap() == *data, "stdout differs");
}

#[test]
fn endless_stdin_to_a_server_that_hangs_up_ends_connect() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = vec![0u8; 1 << 20];
        s.read_exact(&mut buf).unwrap();
        // Dropped with bytes unread: the kernel answers with RST.
    });
    let child = Command::new(SOCKLAB)
        .args(["connect", &addr, "--trace", "off"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut proc = Running(Some(child));
    let mut err = String::new();
    proc.child()
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = proc.wait();
    t.join().unwrap();
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?} {err}");
    assert!(err.trim_end().lines().count() <= 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Wait until a thread of `pid` sleeps inside system call `nr`, as
/// /proc/PID/task/TID/syscall shows it ("running" while it runs).
fn wait_until_blocked_in(pid: u32, nr: libc::c_long) {
    let start = Instant::now();
    let prefix = format!("{nr} ");
    loop {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
        let blocked = tasks.filter_map(Result::ok).any(|t| {
            std::fs::read_to_string(t.path().join("syscall")).is_ok_and(|s| s.starts_with(&prefix))
        });
        if blocked {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "no thread blocked in {nr}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_server_that_stops_reading_and_closes_its_side_does_not_hang_connect() {
    let dir = scratch();
    let path = dir.join("deaf.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let mut child = Command::new(SOCKLAB)
        .args([
            "connect",
            &format!("unix:{}", path.display()),
            "--trace",
            "plain",
        ])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut trace = BufReader::new(child.stdout.take().unwrap());
    let err = child.stderr.take().unwrap();
    let proc = Running(Some(child));
    let (server, _) = listener.accept().unwrap();
    // The client's sends fill the socket's buffer, which nobody empties,
    // until one waits for room; then the server says it will send no
    // more, and never reads.
    let mut line = String::new();
    while !line.starts_with("sendto(") {
        line.clear();
        assert!(trace.read_line(&mut line).unwrap() > 0);
    }
    wait_until_blocked_in(proc.pid(), libc::SYS_sendto);
    server.shutdown(Shutdown::Write).unwrap();
    // Wait first (with a deadline), so a hang fails instead of blocking
    // the read below; the few lines left fit in the pipe.
    let status = proc.wait();
    let mut rest = String::new();
    trace.read_to_string(&mut rest).unwrap();
    let mut err_text = String::new();
    BufReader::new(err).read_to_string(&mut err_text).unwrap();
    assert!(status.success(), "{err_text}");
    assert!(
        rest.lines().last().unwrap().starts_with("close(3)"),
        "{rest}"
    );
    // The send left waiting for room was ended by shutdown.
    assert!(rest.contains("shutdown(3, SHUT_RDWR)"), "{rest}");
    assert!(rest.contains("= -1 EPIPE"), "{rest}");
    assert!(err_text.contains("stopped reading"), "{err_text}");
    drop(server);
}

#[test]
fn bad_addresses_are_one_line_usage_errors() {
    for addr in [
        "unix:",
        "127.0.0.1:",
        ":80",
        "[::1]",
        "256.0.0.1:80",
        "127.0.0.1:http",
        "127.0.0.1:-1",
        "",
    ] {
        for sub in ["serve", "connect"] {
            let o = socklab(&[sub, addr]);
            assert_eq!(o.status.code(), Some(2), "{sub} {addr:?}");
            one_line_error(&o.stderr);
        }
    }
}

#[test]
fn the_help_says_where_output_goes_and_which_mode_is_the_default() {
    let o = socklab(&["serve", "-h"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("(default: one at a time)"), "{help}");
    for sub in ["serve", "connect"] {
        let o = socklab(&[sub, "--help"]);
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(
            help.contains("the bytes received go to stderr")
                && help.contains("the bytes received go to stdout"),
            "{help}"
        );
    }
}
