//! `socklab hint N`: each exercise's hints (kept in the grader's registry,
//! beside its rules), shown one at a time, in English or Korean.

use crate::grade::exercise::Exercise;
use socklab::lang::Lang;

/// A hint in both languages.
pub type Hint = (&'static str, &'static str);

/// Exercise `ex`'s hints, in order: its own, from the registry (one place
/// for an exercise's facts), else its rules' hints.
pub fn hints(ex: &Exercise) -> Vec<Hint> {
    if ex.hints.is_empty() {
        ex.rules.iter().map(|r| r.hint).collect()
    } else {
        ex.hints.to_vec()
    }
}

/// Hint `i` (from 0) of `ex`, as shown: "hint 2 of 3: …".
pub fn render(ex: &Exercise, i: usize, lang: Lang) -> Option<String> {
    let all = hints(ex);
    let hint = all.get(i)?;
    Some(match lang {
        Lang::En => format!(
            "exercise {}, hint {} of {}: {}\n",
            ex.number,
            i + 1,
            all.len(),
            hint.0
        ),
        Lang::Ko => format!(
            "연습 문제 {}, 힌트 {}/{}: {}\n",
            ex.number,
            i + 1,
            all.len(),
            hint.1
        ),
    })
}
