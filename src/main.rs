//! `socklab`: list, run and explain the lessons, hold them against real
//! strace, play a traced peer, and draw a recorded run.

use clap::{Parser, Subcommand};
use socklab::against_strace::{run_and_compare, RunError};
use socklab::lesson::{catalog, Lang, LessonArgs, LESSONS};
use socklab::output::{eprintln_quiet, paint, write_stdout, Color};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

#[derive(Parser)]
#[command(
    name = "socklab",
    version,
    about = "Learn raw POSIX sockets one system call at a time",
    after_help = "Examples:\n  socklab list\n  socklab run 4\n  socklab explain accept --lang ko\n  socklab strace 4\n  socklab serve 127.0.0.1:7878 --echo\n  socklab connect 127.0.0.1:7878"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the lessons and the system calls each introduces.
    #[command(after_help = "Example:\n  socklab list --lang ko")]
    List {
        /// en or ko (default: from LC_ALL / LANG).
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Run lesson N (or `all`) with the lesson's own flags.
    #[command(
        after_help = "Examples:\n  socklab run 4\n  socklab run 4 --step --lang ko\n  socklab run 4 --wait --port 7804\n  socklab run 9 --diagram\n  socklab run all"
    )]
    Run {
        /// Lesson number or name (4, 04, 04_accept, accept), or `all`.
        lesson: String,
        /// After the run, draw it as a sequence diagram.
        #[arg(long)]
        diagram: bool,
        #[command(flatten)]
        args: LessonArgs,
    },
    /// Explain one system call: signature, return value, errors, lesson, man page.
    #[command(
        after_help = "Examples:\n  socklab explain accept\n  socklab explain recv --lang ko\n  socklab explain ECONNREFUSED --demo"
    )]
    Explain {
        /// socket, bind, listen, accept, connect, send, recv, close, ... (with --demo, also an errno: ECONNREFUSED, EPIPE, ...)
        syscall: String,
        #[arg(long)]
        lang: Option<Lang>,
        /// Make it happen: run a short traced scenario on loopback that shows what the explanation says.
        #[arg(long)]
        demo: bool,
    },
    /// Run lesson N under real strace and compare its trace with strace's, line by line.
    #[command(after_help = "Example:\n  socklab strace 4")]
    Strace {
        /// Lesson number or name.
        lesson: String,
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// A traced TCP (or UDP) server: a netcat that prints every system call.
    #[command(
        after_help = "Examples:\n  socklab serve                       # 127.0.0.1:7878\n  socklab serve 127.0.0.1:7804 --echo\n  socklab serve 127.0.0.1:9000 --udp"
    )]
    Serve(socklab::netcat::ServeArgs),
    /// A traced TCP (or UDP) client: sends stdin, prints what arrives.
    #[command(
        after_help = "Examples:\n  socklab connect 127.0.0.1:7804\n  echo hello | socklab connect 127.0.0.1:7878"
    )]
    Connect(socklab::netcat::ConnectArgs),
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
    let cli: Cli = socklab::output::parse_args();
    let result = match cli.command {
        Cmd::List { lang } => list(lang.unwrap_or_else(Lang::from_env)),
        Cmd::Run {
            lesson,
            diagram,
            args,
        } => run(&lesson, diagram, &args),
        Cmd::Explain {
            syscall,
            lang,
            demo,
        } => {
            let lang = lang.unwrap_or_else(Lang::from_env);
            if demo {
                explain_demo(&syscall, lang)
            } else {
                explain(&syscall, lang)
            }
        }
        Cmd::Strace { lesson, lang } => strace(&lesson, lang.unwrap_or_else(Lang::from_env)),
        Cmd::Serve(args) => check_addr(&args.addr)
            .and_then(|_| socklab::netcat::serve(&args).map_err(Failure::from)),
        Cmd::Connect(args) => check_addr(&args.addr)
            .and_then(|_| socklab::netcat::connect(&args).map_err(Failure::from)),
        Cmd::Diagram { record, svg } => diagram(&record, svg.as_deref()),
    };
    socklab::trace::flush();
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

fn find_lesson(key: &str) -> Result<&'static catalog::LessonInfo, Failure> {
    catalog::find(key).ok_or_else(|| {
        usage(format!(
            "no lesson '{key}': there are lessons 1 to {} (see `socklab list`)",
            LESSONS.len()
        ))
    })
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

/// The lesson binaries sit beside `socklab` (in target/debug, or where
/// `cargo install` put them all).
fn lesson_binary(bin: &str) -> Result<PathBuf, Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure(format!("cannot find socklab's own path: {e}"), 1))?;
    let path = exe.with_file_name(bin);
    if path.exists() {
        Ok(path)
    } else {
        Err(Failure(
            format!(
                "lesson binary {} is missing: build it with `cargo build --bins`",
                path.display()
            ),
            1,
        ))
    }
}

fn run(key: &str, draw: bool, args: &LessonArgs) -> CmdResult {
    let lessons: Vec<&catalog::LessonInfo> = if key == "all" {
        LESSONS.iter().collect()
    } else {
        vec![find_lesson(key)?]
    };
    for info in lessons {
        let record = match (&args.record, draw) {
            (Some(r), _) => Some(r.clone()),
            (None, true) => Some(
                socklab::against_strace::scratch_dir()
                    .map_err(|e| e.to_string())?
                    .join("run.jsonl"),
            ),
            (None, false) => None,
        };
        let status = Command::new(lesson_binary(info.bin)?)
            .args(lesson_flags(args, record.as_deref()))
            .status()
            .map_err(|e| format!("cannot start {}: {e}", info.bin))?;
        if !status.success() {
            // The lesson already said why, in one line.
            return Ok(ExitCode::from(
                status.code().unwrap_or(1).clamp(1, 255) as u8
            ));
        }
        if draw {
            if let Some(r) = &record {
                diagram(r, None)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The lesson flags, back as command-line words for the lesson binary.
fn lesson_flags(a: &LessonArgs, record: Option<&std::path::Path>) -> Vec<String> {
    let mut v = vec![
        "--timeout".to_string(),
        a.timeout.to_string(),
        "--host".into(),
        a.host.clone(),
    ];
    let flag = |on: bool, name: &str, v: &mut Vec<String>| {
        if on {
            v.push(name.to_string())
        }
    };
    flag(a.wait, "--wait", &mut v);
    flag(a.step, "--step", &mut v);
    flag(a.no_kernel, "--no-kernel", &mut v);
    if let Some(l) = a.lang {
        v.extend([
            "--lang".into(),
            if l == Lang::Ko { "ko" } else { "en" }.into(),
        ]);
    }
    if let Some(p) = a.port {
        v.extend(["--port".into(), p.to_string()]);
    }
    if let Some(t) = a.trace {
        let name = match t {
            socklab::trace::View::Pretty => "pretty",
            socklab::trace::View::Plain => "plain",
            socklab::trace::View::Json => "json",
            socklab::trace::View::Off => "off",
        };
        v.extend(["--trace".into(), name.into()]);
    }
    if let Some(r) = record {
        v.extend(["--record".into(), r.display().to_string()]);
    }
    v
}

fn explain(name: &str, lang: Lang) -> CmdResult {
    let xl = match lang {
        Lang::En => socklab::explain::Lang::En,
        Lang::Ko => socklab::explain::Lang::Ko,
    };
    match socklab::explain::lookup(name) {
        Ok(e) => {
            write_stdout(&socklab::explain::render(e, xl));
            Ok(ExitCode::SUCCESS)
        }
        Err(near) => Err(usage(socklab::explain::unknown(name, near, xl))),
    }
}

fn explain_demo(name: &str, lang: Lang) -> CmdResult {
    let xl = match lang {
        Lang::En => socklab::explain::Lang::En,
        Lang::Ko => socklab::explain::Lang::Ko,
    };
    match socklab::demo::run(name, xl) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(socklab::demo::DemoError::NoDemo(why)) => Err(usage(why)),
        Err(socklab::demo::DemoError::Failed(why)) => Err(Failure(why, 1)),
    }
}

fn strace(key: &str, lang: Lang) -> CmdResult {
    let info = find_lesson(key)?;
    let bin = lesson_binary(info.bin)?;
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
    let cmp = run_and_compare(&bin, &args).map_err(|e| match e {
        RunError::NoStrace => Failure(e.to_string(), 1),
        other => Failure(other.to_string(), 1),
    })?;
    let color = socklab::output::color_enabled();
    let mut out = format!(
        "{}\n  {}\n{}\n  {}\n\n",
        lang.pick(
            "strace ran the lesson as:",
            "strace로 레슨을 이렇게 실행했습니다:"
        ),
        cmp.command,
        lang.pick(
            "To do the same yourself (strace's lines go to strace.log, the lesson's to the screen):",
            "직접 해 보려면 (strace의 줄은 strace.log로, 레슨의 줄은 화면으로):"
        ),
        paint(&cmp.repeat, Color::Bold, color)
    );
    for row in &cmp.rows {
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
    let total = cmp.rows.len();
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
    let text = std::fs::read_to_string(record)
        .map_err(|e| format!("cannot read {}: {e}", record.display()))?;
    let calls =
        socklab::record::parse_record(&text).map_err(|e| format!("{}: {e}", record.display()))?;
    write_stdout(&socklab::diagram::text(&calls));
    if let Some(path) = svg {
        std::fs::write(path, socklab::diagram::svg(&calls))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
