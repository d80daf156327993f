//! `socklab`: list, run and explain the lessons, hold them against real
//! strace, play a traced peer, and draw a recorded run.

use clap::{Parser, Subcommand};
use socklab::output::{eprintln_quiet, paint, write_stdout, Color};
use socklab_tools::against_strace::{run_and_compare_also, RunError};
use socklab_tools::exercises::{Problem, Stubs, Workspace};
use socklab_tools::lesson::{catalog, Lang, LESSONS};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(Parser)]
#[command(
    name = "socklab",
    version,
    about = "Learn raw POSIX sockets one system call at a time",
    after_help = "Examples:\n  socklab list\n  socklab run 4\n  socklab --lang ko explain accept\n  socklab strace 4\n  socklab serve 127.0.0.1:7878 --echo\n  socklab connect 127.0.0.1:7878"
)]
struct Cli {
    /// Language of the narration and messages: en or ko (default: from LC_ALL / LANG).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum ExercisesCmd {
    /// Make a student workspace in DIR (a new or empty folder): a Cargo project with a stub per exercise.
    Init {
        /// The new workspace's folder.
        dir: PathBuf,
    },
    /// Each exercise, done or not (the default).
    List,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the lessons and the system calls each introduces.
    #[command(after_help = "Example:\n  socklab list --lang ko")]
    List,
    /// Run lesson N (or `all`); every flag after N goes to the lesson unchanged.
    #[command(
        after_help = "The lesson's own flags (see `socklab run 4 --help`):\n  --step  --wait  --timeout SECS  --host ADDR  --port N  --trace VIEW  --record FILE  --no-kernel  --lang LANG\n\nsocklab's own, anywhere after N:\n  --diagram     draw the run as a sequence diagram afterwards\n  --packets     show each TCP segment and UDP datagram between the calls (a private network namespace)\n  --pcap FILE   write the run's packets as a pcap file (tcpdump -r FILE, Wireshark)\n\nExamples:\n  socklab run 4\n  socklab run 4 --packets\n  socklab run 4 --step --lang ko\n  socklab run 4 --wait --port 7804\n  socklab run 9 --diagram\n  socklab run all"
    )]
    Run {
        /// Lesson number or name (4, 04, 04_accept, accept), or `all`.
        lesson: String,
        /// After the run, draw it as a sequence diagram.
        #[arg(long)]
        diagram: bool,
        /// The lesson's own flags, passed on as they are.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "LESSON FLAGS"
        )]
        args: Vec<OsString>,
    },
    /// Explain one system call: signature, return value, errors, lesson, man page.
    #[command(
        after_help = "Examples:\n  socklab explain accept\n  socklab explain recv --lang ko\n  socklab explain ECONNREFUSED --demo"
    )]
    Explain {
        /// socket, bind, listen, accept, connect, send, recv, close, ... (with --demo, also an errno: ECONNREFUSED, EPIPE, ...)
        syscall: String,
        /// Make it happen: run a short traced scenario on loopback that shows what the explanation says.
        #[arg(long)]
        demo: bool,
    },
    /// Run lesson N under real strace and compare its trace with strace's, line by line.
    #[command(after_help = "Example:\n  socklab strace 4")]
    Strace {
        /// Lesson number or name.
        lesson: String,
        /// Capture the run's packets too, in a private network namespace, as `run --packets` does (strace's trace of the lesson stays its own).
        #[arg(long)]
        packets: bool,
    },
    /// A traced TCP (or UDP) server: a netcat that prints every system call.
    #[command(
        after_help = "Examples:\n  socklab serve                       # 127.0.0.1:7878\n  socklab serve 127.0.0.1:7804 --echo\n  socklab serve 127.0.0.1:9000 --udp\n  sudo socklab serve --echo --packets # the packets too, as they travel"
    )]
    Serve(socklab_tools::netcat::ServeArgs),
    /// A traced TCP (or UDP) client: sends stdin, prints what arrives.
    #[command(
        after_help = "Examples:\n  socklab connect 127.0.0.1:7804\n  echo hello | socklab connect 127.0.0.1:7878\n  sudo socklab connect 127.0.0.1:7878 --packets"
    )]
    Connect(socklab_tools::netcat::ConnectArgs),
    /// Grade a program on exercise N by the system calls strace saw; in an exercise workspace, build and check its stub.
    #[command(
        after_help = "The program learns the address from SOCKLAB_HOST and SOCKLAB_PORT, or from {host} and {port} in its arguments.\n\nIn a workspace made by `socklab exercises init`, with no program given, it builds the workspace (cargo build --offline --bins) and checks src/bin/exNN.rs: exercise N, or the first one not yet passed. With --c it checks the C stub c/exNN.c instead, built with cc -O1 -Wall -o c/exNN c/exNN.c. A pass is recorded in .socklab/progress.json.\n\nExamples:\n  socklab check 1 -- ./client\n  socklab check 2 -- ./server {host} {port}\n  socklab check 2 --json -- python3 server.py\n  socklab check          # in a workspace\n  socklab check 2        # in a workspace\n  socklab check --watch  # in a workspace: again at each save\n  socklab check --c --watch  # the same, for the C stubs in c/"
    )]
    Check {
        /// The exercise's number (in a workspace: the first one not yet passed).
        exercise: Option<u8>,
        /// The verdict as one JSON object.
        #[arg(long)]
        json: bool,
        /// In a workspace: check, then check again each time a source is saved (q + Enter quits).
        #[arg(long)]
        watch: bool,
        /// In a workspace: check the C stub c/exNN.c (built with cc -O1 -Wall) instead of src/bin/exNN.rs; with --watch, again at each save of a .c file under c/.
        #[arg(long = "c")]
        c: bool,
        /// The program and its arguments, after `--` (in a workspace: its own exNN binary).
        #[arg(last = true, value_name = "CMD ARGS")]
        cmd: Vec<OsString>,
    },
    /// Build and grade many submissions of exercise N, several at once: a table of submission × rule.
    #[command(
        after_help = "A submission is a folder or an executable file; given one folder that is not itself a submission, its entries are the submissions.\n\nHow each is built:\n  folder with Cargo.toml   cargo build --release (--offline first), one shared target folder\n  folder with a Makefile   make, in a copy; the program is prog (or the only executable made)\n  folder with .c files     cc -O1 -Wall *.c -o prog\n  folder with main.py      python3 main.py\n  executable file          run as it is\n  anything else            -- CMD ARGS: run as CMD ARGS {submission} (nothing built)\nA build that fails is the verdict \"does not build\", with the compiler's last lines.\n\nExamples:\n  socklab grade 1 submissions/\n  socklab grade 2 alice/ bob/ ./carol --csv grades.csv --json grades.json\n  socklab grade 1 submissions/ -- python3 {submission}/client.py"
    )]
    Grade {
        /// The exercise's number.
        exercise: u8,
        /// The submissions, or one folder holding them.
        #[arg(required = true, value_name = "SUBMISSION")]
        submissions: Vec<PathBuf>,
        /// Also write the table as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also write the table as JSON.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// How many submissions at once (default: the machine's cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// The target folder every Rust submission builds in (default: socklab-grade-target in the temp folder).
        #[arg(long, value_name = "DIR")]
        target_dir: Option<PathBuf>,
        /// For any other kind: the command that runs one submission, after `--`; {submission} is its path (added last when no word holds it). Nothing is built.
        #[arg(last = true, value_name = "CMD ARGS")]
        cmd: Vec<OsString>,
    },
    /// Show exercise N's next hint, one at a time (remembered in the workspace).
    #[command(after_help = "Examples:\n  socklab hint 1\n  socklab --lang ko hint 2")]
    Hint {
        /// The exercise's number.
        exercise: u8,
    },
    /// The exercises, done or not; `init DIR` makes a student workspace.
    #[command(
        after_help = "Examples:\n  socklab exercises init my-exercises\n  socklab exercises          # in the workspace: each exercise, done or not"
    )]
    Exercises {
        #[command(subcommand)]
        action: Option<ExercisesCmd>,
    },
    /// (The grader's own run inside its namespace.)
    #[command(name = "__grade-inside", hide = true)]
    GradeInside {
        exercise: u8,
        dir: PathBuf,
        limit_ms: u64,
        /// The seed of a peer that draws its script at random.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Which of the exercise's fault runs (from 0); none: the plain run.
        #[arg(long)]
        fault: Option<usize>,
        /// The uid the program drops to (under root).
        #[arg(long)]
        uid: Option<u32>,
        #[arg(last = true)]
        cmd: Vec<OsString>,
    },
    /// (The packet capture of `run --packets`, a process of its own.)
    #[command(name = "__capture", hide = true)]
    Capture {
        /// Write each frame as it comes, and answer syncs (serve and connect --packets).
        #[arg(long)]
        live: bool,
    },
    /// (The grader's drop to a run's own uid, just before the program's exec.)
    #[command(name = "__run-as", hide = true)]
    RunAs {
        uid: u32,
        #[arg(last = true)]
        cmd: Vec<OsString>,
    },
    /// Draw a recorded run (a lesson's --record FILE) as a sequence diagram.
    #[command(
        after_help = "Examples:\n  socklab run 9 --record run.jsonl && socklab diagram run.jsonl\n  socklab diagram run.jsonl --svg run.svg"
    )]
    Diagram {
        /// The JSON-lines record of a run.
        record: PathBuf,
        /// Also write the diagram as an SVG picture.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli: Cli = socklab_tools::args::parse_args();
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    // The trace's gutter (serve, connect, explain --demo) speaks it too.
    lang.set_current();
    let result = match cli.command {
        Cmd::List => list(lang),
        Cmd::Run {
            lesson,
            diagram,
            args,
        } => run(&lesson, diagram, args, cli.lang, lang),
        Cmd::Explain { syscall, demo } => {
            if demo {
                explain_demo(&syscall, lang)
            } else {
                explain(&syscall, lang)
            }
        }
        Cmd::Strace { lesson, packets } => strace(&lesson, packets, lang),
        Cmd::Capture { live } => socklab_tools::packets::capture::run_capture(live)
            .map(|_| ExitCode::SUCCESS)
            .map_err(Failure::from),
        Cmd::Serve(args) => check_addr(&args.addr)
            .and_then(|_| check_packets("serve", args.packets, &args.addr, args.trace, lang))
            .and_then(|_| socklab_tools::netcat::serve(&args).map_err(Failure::from)),
        Cmd::Connect(args) => check_addr(&args.addr)
            .and_then(|_| check_packets("connect", args.packets, &args.addr, args.trace, lang))
            .and_then(|_| socklab_tools::netcat::connect(&args).map_err(Failure::from)),
        Cmd::Diagram { record, svg } => diagram(&record, svg.as_deref()),
        Cmd::Check {
            exercise,
            json,
            watch: true,
            c,
            cmd,
        } => check_watch(exercise, json, stubs(c), &cmd, lang),
        Cmd::Check {
            exercise,
            json,
            watch: false,
            c,
            cmd,
        } => check(exercise, json, stubs(c), &cmd, lang),
        Cmd::Grade {
            exercise,
            submissions,
            csv,
            json,
            jobs,
            target_dir,
            cmd,
        } => grade(
            exercise,
            &submissions,
            &cmd,
            csv.as_deref(),
            json.as_deref(),
            jobs,
            target_dir,
            lang,
        ),
        Cmd::Hint { exercise: n } => hint(n, lang),
        Cmd::Exercises { action } => match action {
            Some(ExercisesCmd::Init { dir }) => exercises_init(&dir, lang),
            None | Some(ExercisesCmd::List) => exercises_list(lang),
        },
        Cmd::GradeInside {
            exercise,
            dir,
            limit_ms,
            seed,
            fault,
            uid,
            cmd,
        } => grade_inside(exercise, &dir, limit_ms, seed, fault, uid, &cmd),
        Cmd::RunAs { uid, cmd } => Err(Failure::from(format!(
            "cannot run the program as uid {uid}: {}",
            socklab_tools::grade::contain::exec_as(uid, &cmd)
        ))),
    };
    // A record (serve --record, connect --record) that could not be
    // written fails the command, unless it failed already: one line.
    let result = match (result, socklab::trace::take_record_error()) {
        (Ok(_), Some(e)) => Err(Failure::from(e.to_string())),
        (result, _) => result,
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln_quiet(&format!("socklab: {}", f.0));
            ExitCode::from(f.1)
        }
    }
}

/// One line for the learner, and the exit code (2: bad usage, 1: failure).
struct Failure(String, u8);

impl From<String> for Failure {
    fn from(s: String) -> Failure {
        Failure(s, 1)
    }
}

type CmdResult = Result<ExitCode, Failure>;

fn usage(msg: String) -> Failure {
    Failure(msg, 2)
}

/// A bad address is bad usage (exit 2), found before any socket is made.
fn check_addr(text: &str) -> Result<(), Failure> {
    text.parse::<socklab::SockAddr>()
        .map(drop)
        .map_err(|e| usage(e.0))
}

/// `serve --packets`, `connect --packets`: refused with one line (exit 2)
/// where it cannot work, before any socket is made.
fn check_packets(
    command: &str,
    packets: bool,
    addr: &str,
    view: Option<socklab::trace::View>,
    lang: Lang,
) -> Result<(), Failure> {
    match packets
        .then(|| socklab_tools::netcat::packets_refused(command, addr, view, lang))
        .flatten()
    {
        Some(why) => Err(usage(why)),
        None => Ok(()),
    }
}

fn find_lesson(key: &str) -> Result<&'static catalog::LessonInfo, Failure> {
    catalog::find(key).ok_or_else(|| {
        usage(format!(
            "no lesson '{key}': there are lessons {} (see `socklab list`)",
            lesson_numbers()
        ))
    })
}

/// The lessons' numbers, runs of consecutive ones joined: `1 to 9, 12`.
fn lesson_numbers() -> String {
    let mut runs: Vec<(u8, u8)> = Vec::new();
    for l in LESSONS {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == l.number => *last = l.number,
            _ => runs.push((l.number, l.number)),
        }
    }
    runs.iter()
        .map(|(a, b)| match b - a {
            0 => a.to_string(),
            1 => format!("{a}, {b}"),
            _ => format!("{a} to {b}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(lang: Lang) -> CmdResult {
    let mut out = String::new();
    for l in LESSONS {
        out.push_str(&format!(
            "{:>2}  {:<20} {}\n",
            l.number,
            l.bin,
            l.title(lang)
        ));
        out.push_str(&format!(
            "    {:<20} {}\n",
            "",
            paint(
                &l.calls.join(", "),
                Color::Dim,
                socklab::output::color_enabled()
            )
        ));
    }
    out.push_str(lang.pick(
        "\nRun one with `socklab run N`; add --step to go one call at a time.\n",
        "\n`socklab run N`으로 실행하세요. --step을 붙이면 호출 하나씩 진행합니다.\n",
    ));
    write_stdout(&out);
    Ok(ExitCode::SUCCESS)
}

/// Where the lesson binaries live: beside `socklab` (in target/debug, or
/// where `cargo install` put them all).
///
/// From a source checkout (`cargo run -- run 4`), cargo built only `socklab`
/// itself, so the lessons are built here first: `cargo build --bins` is a
/// no-op when they are fresh, and rebuilds a lesson the learner just edited.
fn lesson_binary(bin: &str, lang: Lang) -> Result<PathBuf, Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure(format!("cannot find socklab's own path: {e}"), 1))?;
    let path = exe.with_file_name(bin);
    if let Some(profile) = checkout_profile(&exe) {
        if lesson_changed_since(&path, bin) {
            build_lessons(&profile, lang)?;
        }
    }
    if path.exists() {
        Ok(path)
    } else {
        Err(Failure(
            format!(
                "lesson binary {} is missing: build it with `cargo build --bins` in socklab's source folder",
                path.display()
            ),
            1,
        ))
    }
}

/// The source folder socklab was built from, if it is still there.
fn source_dir() -> Option<&'static Path> {
    // This crate is tools/ in the checkout; the lessons are beside it.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
    dir.join("lessons").is_dir().then_some(dir)
}

/// When `exe` is a build in its own checkout's target folder
/// (`target/debug/socklab`), the cargo profile it was built with.
fn checkout_profile(exe: &Path) -> Option<String> {
    let src = source_dir()?;
    let profile_dir = exe.parent()?;
    let target = profile_dir.parent()?;
    let in_target = target == src.join("target")
        || std::env::var_os("CARGO_TARGET_DIR").is_some_and(|t| Path::new(&t) == target);
    if !in_target {
        return None;
    }
    Some(profile_dir.file_name()?.to_string_lossy().into_owned())
}

/// Whether a source `bin` is built from (its lesson file, the library) is
/// newer than `bin`. Cargo decides by the same times, so a build then really
/// rebuilds it; `tools/src/main.rs` is the command's own and not among them.
fn lesson_changed_since(bin: &Path, name: &str) -> bool {
    let Some(built) = std::fs::metadata(bin).and_then(|m| m.modified()).ok() else {
        return true;
    };
    let Some(src) = source_dir() else {
        return false;
    };
    if modified_after(&src.join("lessons").join(format!("{name}.rs")), built) {
        return true;
    }
    let cli = src.join("tools").join("src").join("main.rs");
    let mut dirs = vec![src.join("src"), src.join("tools").join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            // Not through tools/src/bin, the link to lessons/: another
            // lesson's source is not this lesson's.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(p);
            } else if p.extension() == Some(OsStr::new("rs"))
                && p != cli
                && modified_after(&p, built)
            {
                return true;
            }
        }
    }
    false
}

fn modified_after(file: &Path, t: std::time::SystemTime) -> bool {
    std::fs::metadata(file)
        .and_then(|m| m.modified())
        .is_ok_and(|m| m > t)
}

fn build_lessons(profile: &str, lang: Lang) -> Result<(), Failure> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.args(["build", "--bins"])
        .current_dir(source_dir().unwrap_or(Path::new(".")));
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    eprintln_quiet(&format!(
        "socklab: {} (cargo build --bins)…",
        lang.pick("building the lessons", "실습 프로그램을 빌드합니다")
    ));
    let status = cmd
        .status()
        .map_err(|e| Failure(format!("cannot run cargo to build the lessons: {e}"), 1))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(
            "building the lessons failed (see cargo's messages above)".into(),
            1,
        ))
    }
}

fn run(
    key: &str,
    draw: bool,
    mut args: Vec<OsString>,
    global_lang: Option<Lang>,
    lang: Lang,
) -> CmdResult {
    let lessons: Vec<&catalog::LessonInfo> = if key == "all" {
        LESSONS.iter().collect()
    } else {
        vec![find_lesson(key)?]
    };
    // `socklab --lang ko run 4` means the lesson's `--lang ko`.
    if let Some(l) = global_lang {
        if !args
            .iter()
            .any(|a| a == "--lang" || a.to_string_lossy().starts_with("--lang="))
        {
            args.extend([
                "--lang".into(),
                if l == Lang::Ko { "ko" } else { "en" }.into(),
            ]);
        }
    }
    // `--diagram`, `--packets` and `--pcap` are socklab's; they may come
    // after the lesson number too.
    let draw = draw || take_flag(&mut args, "--diagram");
    let show_packets = take_flag(&mut args, "--packets");
    let pcap = take_value(&mut args, "--pcap")
        .map_err(usage)?
        .map(PathBuf::from);
    let capture = show_packets || pcap.is_some();
    let record = take_value(&mut args, "--record")
        .map_err(usage)?
        .map(PathBuf::from);
    // With `all`, each lesson records into the scratch folder and socklab
    // appends the runs to the one file asked for, so none is lost.
    if let Some(r) = &record {
        std::fs::File::create(r)
            .map_err(|e| format!("cannot write the record file {}: {e}", r.display()))?;
    }
    if let Some(p) = &pcap {
        std::fs::File::create(p)
            .map_err(|e| format!("cannot write the pcap file {}: {e}", p.display()))?;
    }
    let scratch = if draw || record.is_some() || capture {
        Some(socklab_tools::against_strace::scratch_dir().map_err(|e| e.to_string())?)
    } else {
        None
    };
    // A run that waits for the learner (`--step`, `--wait`) is shown live,
    // and its packets listed after it; any other run is shown at its end,
    // with its packets between its lines.
    let live = args.iter().any(|a| a == "--step" || a == "--wait");
    let waits_for_outside = args.iter().any(|a| a == "--wait");
    let socklab_exe = if capture {
        // Build the lessons first, outside the namespace.
        for info in &lessons {
            lesson_binary(info.bin, lang)?;
        }
        if waits_for_outside {
            // An outside peer cannot reach a private namespace: capture on
            // this machine's loopback, which only root may.
            // SAFETY: geteuid touches no memory.
            if unsafe { libc::geteuid() } != 0 {
                return Err(usage(lang.pick2(
                    "--packets with --wait needs root: an outside peer cannot reach the run's private network namespace, so socklab captures on this machine's loopback instead, which only root may (sudo socklab run N --wait --packets)".to_string(),
                    "--packets와 --wait를 함께 쓰려면 root여야 합니다: 바깥의 상대는 실행 전용 네트워크 네임스페이스에 닿지 못하므로 socklab은 이 컴퓨터의 루프백에서 패킷을 잡는데, 이는 root만 할 수 있습니다(sudo socklab run N --wait --packets)".to_string(),
                )));
            }
        } else {
            socklab_tools::packets::capture::enter_private_net().map_err(usage)?;
        }
        Some(
            std::env::current_exe()
                .map_err(|e| Failure(format!("cannot find socklab's own path: {e}"), 1))?,
        )
    } else {
        None
    };
    let mut all_packets: Vec<socklab_tools::packets::Packet> = Vec::new();
    for info in lessons {
        let bin = lesson_binary(info.bin, lang)?;
        let mut cmd = Command::new(&bin);
        cmd.args(&args);
        let this_record = scratch
            .as_ref()
            .map(|d| d.join(format!("{}.jsonl", info.bin)));
        if let Some(r) = &this_record {
            cmd.arg("--record").arg(r);
        }
        let status = match &socklab_exe {
            None => run_as_child(cmd).map_err(|e| format!("cannot start {}: {e}", info.bin))?,
            Some(me) => {
                let cap = socklab_tools::packets::capture::Capture::start(me)?;
                let (status, output) = if live {
                    let status =
                        run_as_child(cmd).map_err(|e| format!("cannot start {}: {e}", info.bin))?;
                    (status, None)
                } else {
                    cmd.stdout(std::process::Stdio::piped());
                    let mut child =
                        spawn_child(cmd).map_err(|e| format!("cannot start {}: {e}", info.bin))?;
                    let mut out = Vec::new();
                    if let Some(mut pipe) = child.stdout.take() {
                        let _ = std::io::Read::read_to_end(&mut pipe, &mut out);
                    }
                    let status = child
                        .wait()
                        .map_err(|e| format!("waiting for {}: {e}", info.bin))?;
                    (status, Some(out))
                };
                let packets = cap.finish()?;
                let r = this_record.as_deref().unwrap_or(Path::new(""));
                let text = std::fs::read_to_string(r).unwrap_or_default();
                let calls = socklab_tools::record::parse_events(&text)
                    .map_err(|e| format!("{}: {e}", r.display()))?;
                let packets = if waits_for_outside {
                    socklab_tools::packets::of_these_calls(&packets, &calls)
                } else {
                    packets
                };
                let seen = socklab_tools::packets::read_run(&packets, &calls);
                // The record carries the packets, after the calls.
                append_text(
                    r,
                    &seen
                        .iter()
                        .map(socklab_tools::packets::to_json)
                        .collect::<String>(),
                )?;
                if show_packets {
                    let shown = if trace_view(&args).as_deref() == Some("json") {
                        socklab_tools::packets::timeline::Shown::Json
                    } else {
                        socklab_tools::packets::timeline::Shown::Text
                    };
                    // The lesson wrote to a pipe, so without colour: the
                    // packets between its lines match it.
                    let color = socklab::output::color_enabled();
                    match output {
                        Some(out) => write_stdout(&socklab_tools::packets::timeline::interleave(
                            &String::from_utf8_lossy(&out),
                            &calls,
                            &seen,
                            shown,
                            lang,
                            false,
                        )),
                        None => write_stdout(&socklab_tools::packets::timeline::listing(
                            &calls, &seen, shown, lang, color,
                        )),
                    }
                } else if let Some(out) = output {
                    write_stdout(&String::from_utf8_lossy(&out));
                }
                all_packets.extend(packets);
                status
            }
        };
        if let (Some(from), Some(to)) = (&this_record, &record) {
            append(from, to)?;
        }
        if let Some(p) = &pcap {
            let refs: Vec<&socklab_tools::packets::Packet> = all_packets.iter().collect();
            std::fs::write(p, socklab_tools::packets::pcap(&refs))
                .map_err(|e| format!("cannot write the pcap file {}: {e}", p.display()))?;
        }
        if !status.success() {
            // The lesson already said why, in one line.
            return Ok(exit_code_of(status));
        }
        if draw {
            if let Some(r) = &this_record {
                diagram(r, None)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The lesson's `--trace VIEW`, if given.
fn trace_view(args: &[OsString]) -> Option<String> {
    let mut it = args.iter().map(|a| a.to_string_lossy().into_owned());
    let mut view = None;
    while let Some(a) = it.next() {
        if a == "--trace" {
            view = it.next();
        } else if let Some(v) = a.strip_prefix("--trace=") {
            view = Some(v.to_string());
        }
    }
    view
}

fn append_text(to: &Path, text: &str) -> Result<(), Failure> {
    std::fs::OpenOptions::new()
        .append(true)
        .open(to)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| {
            Failure(
                format!("cannot write the record file {}: {e}", to.display()),
                1,
            )
        })
}

/// Run a lesson as a child that ends with socklab: if socklab is killed
/// (SIGTERM, SIGKILL, a closed terminal), the kernel sends the lesson
/// SIGTERM, so it never keeps its port open on its own.
fn run_as_child(cmd: Command) -> std::io::Result<std::process::ExitStatus> {
    spawn_child(cmd)?.wait()
}

/// Start a lesson as [`run_as_child`] says, without waiting for it.
fn spawn_child(mut cmd: Command) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl and getppid are async-signal-safe and touch no memory
    // of the parent; the closure allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // socklab may have died before the prctl: then go at once.
            if libc::getppid() != parent {
                libc::_exit(143);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// The shell's view of how a child ended: its code, or 128 + its signal.
fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1);
    ExitCode::from(code.clamp(1, 255) as u8)
}

fn append(from: &Path, to: &Path) -> Result<(), Failure> {
    let text = std::fs::read(from).unwrap_or_default();
    std::fs::OpenOptions::new()
        .append(true)
        .open(to)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &text))
        .map_err(|e| {
            Failure(
                format!("cannot write the record file {}: {e}", to.display()),
                1,
            )
        })
}

/// Remove every `name` from `args`; whether there was one.
fn take_flag(args: &mut Vec<OsString>, name: &str) -> bool {
    let before = args.len();
    args.retain(|a| a != name);
    args.len() != before
}

/// Remove `name VALUE` or `name=VALUE` from `args` and give the (last) value.
fn take_value(args: &mut Vec<OsString>, name: &str) -> Result<Option<OsString>, String> {
    let prefix = format!("{name}=");
    let mut value = None;
    let mut i = 0;
    while i < args.len() {
        let text = args[i].to_string_lossy();
        if text == name {
            if i + 1 >= args.len() {
                return Err(format!("{name} needs a value"));
            }
            value = Some(args.remove(i + 1));
            args.remove(i);
        } else if let Some(v) = text.strip_prefix(&prefix) {
            value = Some(OsString::from(v));
            args.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(value)
}

fn explain(name: &str, lang: Lang) -> CmdResult {
    match socklab_tools::explain::lookup(name) {
        Ok(e) => {
            let has_demo = socklab_tools::demo::find(e.name()).is_some();
            write_stdout(&socklab_tools::explain::render(e, lang, has_demo));
            Ok(ExitCode::SUCCESS)
        }
        Err(near) => Err(usage(socklab_tools::explain::unknown(name, near, lang))),
    }
}

fn explain_demo(name: &str, lang: Lang) -> CmdResult {
    match socklab_tools::demo::run(name, lang) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(socklab_tools::demo::DemoError::NoDemo(why)) => Err(usage(why)),
        Err(socklab_tools::demo::DemoError::Failed(why)) => Err(Failure(why, 1)),
    }
}

fn strace(key: &str, packets: bool, lang: Lang) -> CmdResult {
    let info = find_lesson(key)?;
    let bin = lesson_binary(info.bin, lang)?;
    // With --packets, the capture runs beside strace in the run's private
    // namespace, in a process strace does not follow.
    let capture = if packets {
        socklab_tools::packets::capture::enter_private_net().map_err(usage)?;
        let me = std::env::current_exe()
            .map_err(|e| Failure(format!("cannot find socklab's own path: {e}"), 1))?;
        Some(socklab_tools::packets::capture::Capture::start(&me)?)
    } else {
        None
    };
    let args: Vec<String> = [
        "--port",
        "0",
        "--no-kernel",
        "--lang",
        if lang == Lang::Ko { "ko" } else { "en" },
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let cmp = run_and_compare_also(&bin, &args, info.also_traced()).map_err(|e| match e {
        RunError::NoStrace => Failure(e.to_string(), 1),
        other => Failure(other.to_string(), 1),
    })?;
    let color = socklab::output::color_enabled();
    let mut out = format!(
        "{}\n  {}\n{}\n  {}\n\n",
        lang.pick(
            "strace ran the lesson as:",
            "strace로 실습을 이렇게 실행했습니다:"
        ),
        cmp.command,
        lang.pick(
            "To do the same yourself (strace's lines go to strace.log, the lesson's to the screen):",
            "직접 해 보려면 (strace의 줄은 strace.log로, 실습의 줄은 화면으로):"
        ),
        paint(&cmp.repeat, Color::Bold, color)
    );
    for row in &cmp.rows {
        if let Some(why) = row.libc {
            // glibc's own call inside a name lookup: no socklab line to
            // hold against it, and the reason it is there.
            out.push_str(&format!(
                "{} {:<6} strace : {}\n  {:<6} libc   : {}\n",
                paint("·", Color::Dim, color),
                row.side.as_deref().unwrap_or(""),
                row.strace.as_deref().unwrap_or(""),
                "",
                paint(
                    &if row.strace.as_deref().is_some_and(|l| l.starts_with("socket(")) {
                        format!(
                            "{} {why}",
                            lang.pick(
                                "the C library's own call inside getaddrinfo, which socklab cannot print:",
                                "getaddrinfo 안에서 C 라이브러리가 직접 한 호출이라 socklab이 출력할 수 없습니다:"
                            )
                        )
                    } else {
                        lang.pick(
                            "the C library's, on the socket it made above",
                            "C 라이브러리의 호출, 위에서 만든 소켓에서",
                        )
                        .to_string()
                    },
                    Color::Dim,
                    color
                ),
            ));
            continue;
        }
        let (mark, c) = if row.matches() {
            ("✓", Color::Green)
        } else {
            ("✗", Color::Red)
        };
        let side = row.side.as_deref().unwrap_or("");
        out.push_str(&format!(
            "{} {:<6} strace : {}\n  {:<6} socklab: {}\n",
            paint(mark, c, color),
            side,
            row.strace
                .as_deref()
                .unwrap_or("(nothing: socklab printed a call strace did not see)"),
            "",
            row.socklab
                .as_deref()
                .unwrap_or("(nothing: a system call socklab did not print)"),
        ));
    }
    let libc = cmp.rows.iter().filter(|r| r.libc.is_some()).count();
    let total = cmp.rows.len() - libc;
    let bad = cmp.mismatches().len();
    let verdict = if cmp.all_match() {
        paint(
            &format!(
                "{total}/{total} {}",
                lang.pick(
                    "lines match: socklab printed exactly what strace saw.",
                    "줄 일치: socklab은 strace가 본 그대로 출력했습니다."
                )
            ),
            Color::Green,
            color,
        )
    } else {
        paint(
            &format!(
                "{bad}/{total} {}",
                lang.pick("lines differ.", "줄이 다릅니다.")
            ),
            Color::Red,
            color,
        )
    };
    out.push_str(&format!("\n{verdict}\n"));
    if libc > 0 {
        out.push_str(&format!(
            "{}\n",
            match lang {
                Lang::En => format!("{libc} more calls were the C library's own, inside getaddrinfo (marked ·): the comparison's one allow-list, LIBC_LOOKUP_SOCKETS in tools/src/against_strace.rs."),
                Lang::Ko => format!("그 밖의 {libc}개 호출은 getaddrinfo 안에서 C 라이브러리가 직접 한 것입니다 (· 표시): 비교에서 유일하게 허용하는 목록, tools/src/against_strace.rs의 LIBC_LOOKUP_SOCKETS에 있습니다."),
            }
        ));
    }
    if let Some(cap) = capture {
        let n = cap.finish()?.len();
        out.push_str(&lang.pick2(
            format!("{n} packets were captured beside the run, by a process strace did not follow: its socket is not in the lesson's trace.\n"),
            format!("실행하는 동안 패킷 {n}개를 따로 잡았습니다. strace가 따라가지 않은 프로세스가 잡았으므로, 그 소켓은 실습의 추적에 나오지 않습니다.\n"),
        ));
    }
    write_stdout(&out);
    if !cmp.output.status.success() {
        return Err(Failure(
            format!(
                "the lesson itself failed: {}",
                String::from_utf8_lossy(&cmp.output.stderr).trim()
            ),
            1,
        ));
    }
    Ok(if cmp.all_match() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn diagram(record: &std::path::Path, svg: Option<&std::path::Path>) -> CmdResult {
    let bytes =
        std::fs::read(record).map_err(|e| format!("cannot read {}: {e}", record.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "{}: line {line}: not UTF-8 text (a record is JSON lines)",
            record.display()
        )
    })?;
    let (calls, packets) = socklab_tools::record::parse_run(&text)
        .map_err(|e| format!("{}: {e}", record.display()))?;
    // An empty file is not a run: most likely the wrong file, or a run
    // that ended before its first call. There is nothing to draw.
    if calls.is_empty() {
        return Err(Failure::from(format!(
            "{} holds no system calls: a record is the JSON lines of a run (--record FILE)",
            record.display()
        )));
    }
    write_stdout(&socklab_tools::diagram::text_with_packets(&calls, &packets));
    if let Some(path) = svg {
        std::fs::write(
            path,
            socklab_tools::diagram::svg_with_packets(&calls, &packets),
        )
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn exercise(number: u8) -> Result<&'static socklab_tools::grade::exercise::Exercise, Failure> {
    socklab_tools::grade::exercise::exercise(number).ok_or_else(|| {
        Failure(
            format!(
                "there is no exercise {number} yet (exercises: {})",
                socklab_tools::exercises::all_exercises()
                    .iter()
                    .map(|e| e.number.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            2,
        )
    })
}

/// `--c`: the workspace's C stubs; else its Rust ones.
fn stubs(c: bool) -> Stubs {
    if c {
        Stubs::C
    } else {
        Stubs::Rust
    }
}

fn check(number: Option<u8>, json: bool, stubs: Stubs, cmd: &[OsString], lang: Lang) -> CmdResult {
    if stubs == Stubs::C && !cmd.is_empty() {
        return Err(usage(lang.pick2(
            "--c checks the workspace's own c/exNN.c, so it takes no -- CMD: drop --c to check a program of your own".to_string(),
            "--c는 작업 폴더의 c/exNN.c를 채점하므로 -- CMD를 받지 않습니다. 직접 만든 프로그램을 채점하려면 --c를 빼십시오".to_string(),
        )));
    }
    let ws = Workspace::here();
    if let Some(note) = ws.as_ref().and_then(|w| w.version_note(lang)) {
        eprintln_quiet(&note);
    }
    let me = std::env::current_exe().ok();
    if !cmd.is_empty() {
        let Some(number) = number else {
            return Err(usage(
                "which exercise? socklab check N -- CMD ARGS…".to_string(),
            ));
        };
        let ex = exercise(number)?;
        let verdict = socklab_tools::grade::check(ex, cmd, me.as_deref())?;
        show_verdict(&verdict, json, lang);
        if verdict.passed() {
            if let Some(ws) = &ws {
                ws.record_pass(number)?;
            }
        }
        return Ok(passed_code(&verdict));
    }
    // No program given: the workspace's own.
    let Some(ws) = ws else {
        return Err(usage(lang.pick2(
            "no program given, and this folder is not in an exercise workspace: socklab check N -- CMD ARGS…, or make a workspace with socklab exercises init DIR".to_string(),
            "채점할 프로그램이 없고, 이 폴더는 연습 문제 작업 폴더도 아닙니다: socklab check N -- CMD ARGS… 또는 socklab exercises init DIR로 작업 폴더를 만드십시오".to_string(),
        )));
    };
    let progress = ws.progress()?;
    let ex = match number {
        Some(n) => exercise(n)?,
        None => match ws.next_of(&progress, stubs) {
            Some(ex) => ex,
            None => {
                write_stdout(lang.pick(
                    "Every exercise in this workspace has passed (socklab exercises).\n",
                    "이 작업 폴더의 연습 문제를 모두 통과했습니다(socklab exercises).\n",
                ));
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let source = ws.source_of(ex.number, stubs);
    if !source.is_file() {
        return Err(usage(format!(
            "this workspace has no {} (it was made before exercise {} existed): write one, or check any program with socklab check {} -- CMD",
            source.display(),
            ex.number,
            ex.number
        )));
    }
    let bin = match stubs {
        Stubs::Rust => {
            ws.build(lang).map_err(problem)?;
            let bin = ws.binary(ex.number);
            if !bin.is_file() {
                return Err(Failure::from(format!(
                    "cargo built, but {} is not there (a target folder set elsewhere in cargo's config?)",
                    bin.display()
                )));
            }
            bin
        }
        Stubs::C => ws.build_c(ex.number, lang).map_err(problem)?,
    };
    eprintln_quiet(&format!(
        "socklab: {} {} ({})",
        lang.pick("checking exercise", "연습 문제 채점:"),
        ex.number,
        source.strip_prefix(&ws.root).unwrap_or(&source).display()
    ));
    let verdict = socklab_tools::grade::check(ex, &[bin.into_os_string()], me.as_deref())?;
    show_verdict(&verdict, json, lang);
    let mut after = String::new();
    if verdict.passed() {
        ws.record_pass(ex.number)?;
        let progress = ws.progress()?;
        after.push_str(&lang.pick2(
            format!(
                "\nExercise {} is done (recorded in .socklab/progress.json).",
                ex.number
            ),
            format!(
                "\n연습 문제 {} 완료했습니다(.socklab/progress.json에 기록).",
                socklab_tools::lesson::josa::eul(ex.number)
            ),
        ));
        let again = match stubs {
            Stubs::Rust => "socklab check",
            Stubs::C => "socklab check --c",
        };
        match ws.next_of(&progress, stubs) {
            Some(next) => after.push_str(&lang.pick2(
                format!(" Next: exercise {} ({again}).\n", next.number),
                format!(" 다음은 연습 문제 {}입니다({again}).\n", next.number),
            )),
            None => after.push_str(lang.pick(
                " Every exercise here has passed.\n",
                " 여기 있는 연습 문제를 모두 통과했습니다.\n",
            )),
        }
    } else if let Some(line) = todo_line(&verdict.stderr) {
        after.push_str(&lang.pick2(
            format!("\nThe program stopped at a todo!() of its stub: {line}\n"),
            format!("\n프로그램이 스텁의 todo!()에서 멈췄습니다: {line}\n"),
        ));
    }
    if !after.is_empty() {
        if json {
            eprintln_quiet(after.trim());
        } else {
            write_stdout(&after);
        }
    }
    Ok(passed_code(&verdict))
}

/// `socklab check --watch`: `check` again at each save of the workspace.
fn check_watch(
    number: Option<u8>,
    json: bool,
    stubs: Stubs,
    cmd: &[OsString],
    lang: Lang,
) -> CmdResult {
    use socklab_tools::exercises::watch::{watch, workspace_to_watch, Outcome};
    let ws = workspace_to_watch(json, !cmd.is_empty(), lang).map_err(problem)?;
    let first = number.map(exercise).transpose()?;
    let stop = watch(
        &ws,
        stubs,
        first,
        lang,
        &mut |n| match check(Some(n), false, stubs, &[], lang) {
            Ok(code) if code == ExitCode::SUCCESS => Outcome::Passed,
            Ok(_) => Outcome::Failed,
            Err(f) => Outcome::Error(f.0),
        },
    )
    .map_err(problem)?;
    Ok(ExitCode::from(stop.exit_code()))
}

/// The panic message of a `todo!()` in the program's stderr, if any.
fn todo_line(stderr: &[u8]) -> Option<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .find(|l| l.contains("not yet implemented"))
        .map(|l| l.trim().to_string())
}

fn show_verdict(verdict: &socklab_tools::grade::verdict::Verdict, json: bool, lang: Lang) {
    if json {
        write_stdout(&(verdict.to_json(lang) + "\n"));
    } else {
        write_stdout(&verdict.render(lang));
    }
}

fn passed_code(verdict: &socklab_tools::grade::verdict::Verdict) -> ExitCode {
    if verdict.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn problem(p: Problem) -> Failure {
    Failure(p.message, if p.usage { 2 } else { 1 })
}

#[allow(clippy::too_many_arguments)]
fn grade(
    number: u8,
    paths: &[PathBuf],
    cmd: &[OsString],
    csv: Option<&Path>,
    json: Option<&Path>,
    jobs: Option<usize>,
    target_dir: Option<PathBuf>,
    lang: Lang,
) -> CmdResult {
    use socklab_tools::grade::batch;
    let ex = exercise(number)?;
    if jobs == Some(0) {
        return Err(usage("--jobs needs at least 1".to_string()));
    }
    let subs = batch::submissions(paths, !cmd.is_empty()).map_err(usage)?;
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let target_dir =
        target_dir.unwrap_or_else(|| std::env::temp_dir().join("socklab-grade-target"));
    let me = std::env::current_exe().ok();
    let total = subs.len();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let rows = batch::grade_all(ex, &subs, cmd, me.as_deref(), &target_dir, jobs, &|row| {
        let k = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        eprintln_quiet(&format!(
            "socklab: [{k}/{total}] {}: {}",
            row.submission.name,
            row.first_failure(lang).map_or_else(
                || lang.pick("passed", "통과").to_string(),
                |f| lang.pick2(format!("failed ({f})"), format!("실패({f})"))
            )
        ));
    });
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = csv {
        write(path, batch::csv(ex, &rows, lang))?;
    }
    if let Some(path) = json {
        write(path, batch::json(ex, &rows, lang))?;
    }
    write_stdout(&batch::markdown(ex, &rows, lang));
    Ok(ExitCode::SUCCESS)
}

fn hint(number: u8, lang: Lang) -> CmdResult {
    let ex = exercise(number)?;
    let ws = Workspace::here();
    write_stdout(&socklab_tools::exercises::hint(ex, ws.as_ref(), lang).map_err(problem)?);
    Ok(ExitCode::SUCCESS)
}

fn exercises_list(lang: Lang) -> CmdResult {
    let ws = Workspace::here();
    if let Some(note) = ws.as_ref().and_then(|w| w.version_note(lang)) {
        eprintln_quiet(&note);
    }
    write_stdout(&socklab_tools::exercises::list(ws.as_ref(), lang).map_err(problem)?);
    Ok(ExitCode::SUCCESS)
}

fn exercises_init(dir: &Path, lang: Lang) -> CmdResult {
    let notes = socklab_tools::exercises::init::init(dir).map_err(problem)?;
    for note in notes {
        eprintln_quiet(&format!("socklab: {note}"));
    }
    let shown = dir.display();
    write_stdout(&lang.pick2(
        format!("Made an exercise workspace in {shown}. Read {shown}/README.md, then:\n  cd {shown}\n  socklab check\n"),
        format!("{shown}에 연습 문제 작업 폴더를 만들었습니다. {shown}/README.ko.md를 읽은 뒤 다음을 실행하십시오.\n  cd {shown}\n  socklab check\n"),
    ));
    Ok(ExitCode::SUCCESS)
}

fn grade_inside(
    number: u8,
    dir: &Path,
    limit_ms: u64,
    seed: u64,
    fault: Option<usize>,
    uid: Option<u32>,
    cmd: &[OsString],
) -> CmdResult {
    let ex = exercise(number)?;
    let limit = std::time::Duration::from_millis(limit_ms);
    let socklab = std::env::current_exe()
        .map_err(|e| Failure::from(format!("grader inside its namespace: {e}")))?;
    socklab_tools::grade::contain::set_run_as(
        uid.map(|uid| socklab_tools::grade::contain::RunAs { uid, socklab }),
    );
    let setup = socklab_tools::grade::run::Setup {
        inject: fault.and_then(|k| ex.faults.get(k)).map(|f| f.inject),
        seed,
    };
    socklab_tools::grade::run::inside(ex, cmd, dir, limit, setup)
        .map_err(|e| Failure::from(format!("grader inside its namespace: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
