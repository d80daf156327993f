//! The verdict: each rule passed or failed, shown to a learner in English
//! or Korean, or as JSON for a machine.

use super::exercise::Fault;
use super::rules::{Broken, Evidence, Exit, Rule};
use socklab::event::CallEvent;
use socklab::lang::Lang;
use std::time::Duration;

/// A sentence in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub en: String,
    pub ko: String,
}

impl Said {
    pub fn new(en: impl Into<String>, ko: impl Into<String>) -> Said {
        Said {
            en: en.into(),
            ko: ko.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}

/// The English or the Korean of a pair.
pub fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    match lang {
        Lang::En => pair.0,
        Lang::Ko => pair.1,
    }
}

/// Why the grader or a limit stopped a run, when one did: the mark in
/// the grade table and the sentence a student reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// Still running at the wall-clock limit: killed, with all it started.
    TimedOut(Duration),
    /// Killed by SIGXFSZ: a file it wrote (`"stdout"`, `"stderr"`, or
    /// another) passed RLIMIT_FSIZE.
    OutputTooLarge(&'static str),
    /// Killed by SIGXCPU (or SIGKILL past it): it used up RLIMIT_CPU.
    CpuTime,
    /// The kernel refused it a new process (fork or clone failed with
    /// EAGAIN): it hit the cap on processes, then was stopped.
    TooManyProcesses,
    /// Killed by a signal of its own doing (SIGSEGV, SIGABRT, SIGPIPE…).
    Crashed(i32),
}

/// The most a program may write to one file (RLIMIT_FSIZE): 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

impl Stop {
    /// How a run ended, read from its exit, the size of what it wrote
    /// (`written`: stdout's and stderr's bytes) and its calls.
    pub fn of(
        exit: &Exit,
        written: (u64, u64),
        events: &[CallEvent],
        limit: Duration,
    ) -> Option<Stop> {
        let refused_fork = events.iter().any(|e| {
            matches!(&*e.syscall, "clone" | "clone3" | "fork" | "vfork")
                && e.ret == socklab::strace::Ret::Error(libc::EAGAIN)
        });
        match exit {
            Exit::Signal(s) if *s == libc::SIGXFSZ => {
                Some(Stop::OutputTooLarge(if written.0 >= MAX_FILE_BYTES {
                    "stdout"
                } else if written.1 >= MAX_FILE_BYTES {
                    "stderr"
                } else {
                    "a file"
                }))
            }
            Exit::Signal(s) if *s == libc::SIGXCPU => Some(Stop::CpuTime),
            _ if refused_fork => Some(Stop::TooManyProcesses),
            Exit::TimedOut => Some(Stop::TimedOut(limit)),
            Exit::Signal(s) => Some(Stop::Crashed(*s)),
            Exit::Code(_) | Exit::NotStarted(_) => None,
        }
    }

    /// Its mark in the grade table, in place of `fail`.
    pub fn mark(&self, lang: Lang) -> String {
        match self {
            Stop::TimedOut(_) => pick(lang, ("timed out", "시간 초과")).into(),
            Stop::OutputTooLarge(_) => pick(lang, ("output too large", "출력 초과")).into(),
            Stop::CpuTime => pick(lang, ("CPU time used up", "CPU 시간 초과")).into(),
            Stop::TooManyProcesses => pick(lang, ("too many processes", "프로세스 초과")).into(),
            Stop::Crashed(s) => {
                let name = socklab::process::signal_name(*s);
                match lang {
                    Lang::En => format!("crashed ({name})"),
                    Lang::Ko => format!("비정상 종료({name})"),
                }
            }
        }
    }

    /// The same for machines (JSON): `timed_out`, `output_too_large`,
    /// `cpu_time`, `too_many_processes`, `crashed`.
    pub fn code(&self) -> &'static str {
        match self {
            Stop::TimedOut(_) => "timed_out",
            Stop::OutputTooLarge(_) => "output_too_large",
            Stop::CpuTime => "cpu_time",
            Stop::TooManyProcesses => "too_many_processes",
            Stop::Crashed(_) => "crashed",
        }
    }

    /// What happened, in a sentence a student understands.
    pub fn says(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        match self {
            Stop::TimedOut(limit) => {
                let secs = format!("{:.1}", limit.as_secs_f64());
                if ko {
                    format!("제한 시간({secs}초)이 지나도 끝나지 않아 멈췄습니다.")
                } else {
                    format!("stopped at the time limit ({secs} s): the program was still running.")
                }
            }
            Stop::OutputTooLarge(what) => {
                let mib = MAX_FILE_BYTES >> 20;
                match (ko, *what) {
                    (false, "a file") => {
                        format!("stopped: wrote more than {mib} MiB to a file (SIGXFSZ).")
                    }
                    (false, what) => {
                        format!("stopped: wrote more than {mib} MiB to {what} (SIGXFSZ).")
                    }
                    (true, "a file") => {
                        format!("파일 하나에 {mib} MiB보다 많이 써서 멈췄습니다(SIGXFSZ).")
                    }
                    (true, what) => {
                        format!("{what}에 {mib} MiB보다 많이 써서 멈췄습니다(SIGXFSZ).")
                    }
                }
            }
            Stop::CpuTime => pick(
                lang,
                (
                    "stopped: used up its CPU time (SIGXCPU), a loop that never waits.",
                    "CPU 시간을 다 써서 멈췄습니다(SIGXCPU). 기다리지 않고 도는 루프가 있습니다.",
                ),
            )
            .into(),
            Stop::TooManyProcesses => {
                let n = super::contain::MAX_PROCESSES;
                if ko {
                    format!("프로세스를 너무 많이 만들어 멈췄습니다. 커널이 fork를 거부했습니다(EAGAIN, 한도 {n}개).")
                } else {
                    format!("stopped: made too many processes; the kernel refused a fork (EAGAIN, at most {n}).")
                }
            }
            Stop::Crashed(s) => {
                let name = socklab::process::signal_name(*s);
                if ko {
                    format!(
                        "{} 받아 비정상 종료했습니다.",
                        crate::lesson::josa::eul(format!("시그널 {s}({name})"))
                    )
                } else {
                    format!("crashed: killed by signal {s} ({name}).")
                }
            }
        }
    }
}

/// One rule's result.
pub struct Outcome {
    pub rule: &'static Rule,
    pub broken: Option<Broken>,
    /// The fault run it judged; None: the plain run.
    pub fault: Option<&'static Fault>,
}

impl Outcome {
    /// Its row's name: the rule's, or `FAULT:rule` for a fault run's.
    pub fn key(&self) -> String {
        row_key(self.fault, self.rule)
    }
}

/// A row's name: `rule`, or `FAULT:rule` in a fault run.
pub fn row_key(fault: Option<&Fault>, rule: &Rule) -> String {
    match fault {
        Some(f) => format!("{}:{}", f.name, rule.name),
        None => rule.name.to_string(),
    }
}

/// Every rule's result for one run.
pub struct Verdict {
    pub exercise: u8,
    pub outcomes: Vec<Outcome>,
    /// Each broken rule's calls, as strace printed them (pid first).
    pub evidence: Evidence,
    /// What each fault run left, in the exercise's order.
    pub fault_runs: Vec<(&'static Fault, Evidence)>,
    /// The seed the peer drew its script from, when it draws one.
    pub seed: Option<u64>,
    /// A note on the run (weaker isolation), if any.
    pub notes: Vec<Said>,
    /// The program's stderr (its first 64 KiB).
    pub stderr: Vec<u8>,
    /// Why the run was stopped, if it was.
    pub stop: Option<Stop>,
}

impl Verdict {
    pub fn judge(exercise: u8, rules: &'static [Rule], evidence: Evidence) -> Verdict {
        let outcomes = rules
            .iter()
            .map(|rule| Outcome {
                rule,
                broken: (rule.check)(&evidence).err(),
                fault: None,
            })
            .collect();
        Verdict {
            exercise,
            outcomes,
            evidence,
            fault_runs: Vec::new(),
            seed: None,
            notes: Vec::new(),
            stderr: Vec::new(),
            stop: None,
        }
    }

    /// Judge a fault run by its own rules, after the rows there are.
    pub fn judge_fault(&mut self, fault: &'static Fault, evidence: Evidence) {
        for rule in fault.rules {
            self.outcomes.push(Outcome {
                rule,
                broken: (rule.check)(&evidence).err(),
                fault: Some(fault),
            });
        }
        self.fault_runs.push((fault, evidence));
    }

    /// The evidence a row was judged on.
    fn evidence_of(&self, o: &Outcome) -> &Evidence {
        o.fault
            .and_then(|f| {
                self.fault_runs
                    .iter()
                    .find(|(g, _)| g.name == f.name)
                    .map(|(_, e)| e)
            })
            .unwrap_or(&self.evidence)
    }

    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.broken.is_none())
    }

    /// The strace lines of a broken rule's calls, `PID  line`.
    pub fn lines(&self, o: &Outcome) -> Vec<String> {
        let Some(broken) = &o.broken else {
            return Vec::new();
        };
        let evidence = self.evidence_of(o);
        broken
            .events
            .iter()
            .filter_map(|&i| evidence.events.get(i))
            .map(|e| format!("{:<5} {}", e.pid.unwrap_or(e.tid), e.line()))
            .collect()
    }

    /// The verdict for a learner.
    pub fn render(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        let mut out = String::new();
        for note in &self.notes {
            out.push_str(&format!("note: {}\n", note.get(lang)));
        }
        if let Some(seed) = self.seed {
            out.push_str(&seed_note(seed, lang));
        }
        out.push_str(&if ko {
            format!("연습 문제 {}:\n", self.exercise)
        } else {
            format!("exercise {}:\n", self.exercise)
        });
        let mut shown: Option<&str> = None;
        for o in &self.outcomes {
            if let Some(f) = o.fault.filter(|f| shown != Some(f.name)) {
                shown = Some(f.name);
                out.push_str(&if ko {
                    format!(
                        "  오류 주입 실행 `{}` (strace -e inject={}): {}\n",
                        f.name,
                        f.inject,
                        pick(lang, f.does)
                    )
                } else {
                    format!(
                        "  run under fault injection `{}` (strace -e inject={}): {}\n",
                        f.name,
                        f.inject,
                        pick(lang, f.does)
                    )
                });
            }
            let mark = if o.broken.is_none() { "pass" } else { "FAIL" };
            out.push_str(&format!(
                "  {mark}  {:<26} {}\n",
                o.key(),
                pick(lang, o.rule.asks)
            ));
        }
        if let Some(stop) = &self.stop {
            out.push('\n');
            out.push_str(&stop.says(lang));
            out.push('\n');
        }
        if let Some(first) = self.outcomes.iter().find(|o| o.broken.is_some()) {
            let broken = first.broken.as_ref().expect("found broken");
            out.push('\n');
            out.push_str(&if ko {
                format!("처음 실패한 규칙: {}\n", first.key())
            } else {
                format!("first failed rule: {}\n", first.key())
            });
            let lines = self.lines(first);
            if !lines.is_empty() {
                out.push_str(if ko {
                    "  strace가 본 호출:\n"
                } else {
                    "  the calls strace saw:\n"
                });
                for l in lines {
                    out.push_str(&format!("    {l}\n"));
                }
            }
            let (what, hint, lesson) = if ko {
                ("뜻", "힌트", "다시 읽을 실습")
            } else {
                ("what it means", "hint", "lesson to re-read")
            };
            out.push_str(&format!("  {what}: {}\n", broken.meaning.get(lang)));
            out.push_str(&format!("  {hint}: {}\n", pick(lang, first.rule.hint)));
            out.push_str(&format!(
                "  {lesson}: {} (socklab run {})\n",
                first.rule.lesson,
                first
                    .rule
                    .lesson
                    .trim_start_matches('0')
                    .split('_')
                    .next()
                    .unwrap_or("")
            ));
        }
        let (passed, all) = (
            self.outcomes.iter().filter(|o| o.broken.is_none()).count(),
            self.outcomes.len(),
        );
        out.push('\n');
        out.push_str(&if ko {
            format!("규칙 {all}개 중 {passed}개 통과\n")
        } else {
            format!("{passed} of {all} rules passed\n")
        });
        out
    }

    /// The same verdict as one JSON object.
    pub fn to_json(&self, lang: Lang) -> String {
        let rules: Vec<String> = self
            .outcomes
            .iter()
            .map(|o| {
                let mut fields = vec![
                    format!("\"rule\":{}", quote(&o.key())),
                    format!("\"passed\":{}", o.broken.is_none()),
                    format!("\"asks\":{}", quote(pick(lang, o.rule.asks))),
                ];
                if let Some(f) = o.fault {
                    fields.push(format!("\"fault\":{}", quote(f.name)));
                    fields.push(format!("\"inject\":{}", quote(f.inject)));
                }
                if let Some(b) = &o.broken {
                    let lines: Vec<String> = self.lines(o).iter().map(|l| quote(l)).collect();
                    fields.push(format!("\"lines\":[{}]", lines.join(",")));
                    fields.push(format!("\"meaning\":{}", quote(b.meaning.get(lang))));
                    fields.push(format!("\"hint\":{}", quote(pick(lang, o.rule.hint))));
                    fields.push(format!("\"lesson\":{}", quote(o.rule.lesson)));
                }
                format!("{{{}}}", fields.join(","))
            })
            .collect();
        let notes: Vec<String> = self.notes.iter().map(|n| quote(n.get(lang))).collect();
        let stopped = self.stop.as_ref().map_or("null".to_string(), |s| {
            format!(
                "{{\"code\":{},\"mark\":{},\"says\":{}}}",
                quote(s.code()),
                quote(&s.mark(lang)),
                quote(&s.says(lang))
            )
        });
        let seed = self
            .seed
            .map(|s| format!("\"seed\":{s},"))
            .unwrap_or_default();
        format!(
            "{{\"exercise\":{},\"passed\":{},{seed}\"stopped\":{},\"notes\":[{}],\"rules\":[{}]}}",
            self.exercise,
            self.passed(),
            stopped,
            notes.join(","),
            rules.join(",")
        )
    }
}

/// The line that says which seed a run drew its peer's script from, and
/// how to draw the same again.
fn seed_note(seed: u64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("seed: {seed} (SOCKLAB_GRADE_SEED={seed} makes the same requests and split points again)\n"),
        Lang::Ko => format!("시드: {seed} (SOCKLAB_GRADE_SEED={seed}로 같은 요청과 분할 지점을 다시 만듭니다)\n"),
    }
}

/// A JSON string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
