//! The learner's language for narration: English or Korean.

use std::sync::atomic::{AtomicBool, Ordering};

/// The language of this process's human words outside the narration (the
/// trace's gutter): set once by the lesson runtime, English until then.
static KOREAN: AtomicBool = AtomicBool::new(false);

/// A narration language. Trace lines stay exactly as strace prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// From `LC_ALL`, `LC_MESSAGES` or `LANG`, the first one set, as the
    /// C library chooses: Korean when it starts with `ko`.
    pub fn from_env() -> Lang {
        match &crate::env::get().locale {
            Some(l) if l.starts_with("ko") => Lang::Ko,
            _ => Lang::En,
        }
    }

    /// Make `self` the language of the trace's gutter for this process.
    pub fn set_current(self) {
        KOREAN.store(self == Lang::Ko, Ordering::Relaxed);
    }

    /// The language set by `set_current` (English if none was).
    pub fn current() -> Lang {
        if KOREAN.load(Ordering::Relaxed) {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// Pick the pair of texts in this language.
    pub fn pick2<T>(self, en: T, ko: T) -> T {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }

    /// Pick the text in this language.
    pub fn pick<'a>(self, en: &'a str, ko: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "ko" => Ok(Lang::Ko),
            other => Err(format!("unknown language '{other}': use en or ko")),
        }
    }
}
