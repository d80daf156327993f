//! The verdict: each rule passed or failed, shown to a learner in English
//! or Korean, or as JSON for a machine.

use super::exercise::Fault;
use super::rules::{Broken, Evidence, Rule};
use socklab::lang::Lang;

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
        let seed = self
            .seed
            .map(|s| format!("\"seed\":{s},"))
            .unwrap_or_default();
        format!(
            "{{\"exercise\":{},\"passed\":{},{seed}\"notes\":[{}],\"rules\":[{}]}}",
            self.exercise,
            self.passed(),
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
