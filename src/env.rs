//! The environment, read in one place: what the learner's shell says
//! about language (`LC_ALL`, `LC_MESSAGES`, `LANG`), colour (`NO_COLOR`)
//! and tracing (`SOCKLAB_TRACE`, `SOCKLAB_RECORD`). Each is read once, the
//! first time it is asked for, and is the same for the whole run.

use std::ffi::OsString;
use std::sync::OnceLock;

/// What the environment says, as it was at the first question.
#[derive(Debug)]
pub struct Env {
    /// The locale the C library would use for messages: the first of
    /// `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty.
    pub locale: Option<String>,
    /// `NO_COLOR` set to anything but the empty string (no-color.org).
    pub no_color: bool,
    /// `SOCKLAB_TRACE`, when set and not empty.
    pub trace: Option<OsString>,
    /// `SOCKLAB_RECORD`, when set.
    pub record: Option<OsString>,
}

/// The environment of this run.
pub fn get() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| Env {
        locale: ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty()),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        trace: std::env::var_os("SOCKLAB_TRACE").filter(|v| !v.is_empty()),
        record: std::env::var_os("SOCKLAB_RECORD"),
    })
}
