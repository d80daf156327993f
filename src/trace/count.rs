//! Counting calls instead of showing each one, as `strace -c` does.
//!
//! A server with 10,000 clients makes tens of thousands of calls: a line
//! each is more than anyone reads. Counting keeps, per system call, how
//! many were made, how many failed and the time spent in them (from just
//! before the call to just after it, as `strace -c -w` measures), shows the
//! first few calls as usual, keeps the last few, and writes the table at
//! the end. A record file (`--record`) still gets every call.
//!
//! The table is this process's own: a forked child starts counting afresh
//! when it calls [`super::count_calls`] (its own calls, its own table).

use crate::event::CallEvent;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Whether calls are being counted. Read only on the tracer's slow path
/// (tracing on), never by a wrapper with tracing off.
static COUNTING: AtomicBool = AtomicBool::new(false);
static COUNTS: Mutex<Option<Counts>> = Mutex::new(None);

/// One system call's row, as `strace -c` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    pub syscall: String,
    pub calls: u64,
    pub errors: u64,
    /// The time spent in these calls, summed.
    pub time: Duration,
}

/// What counting found: a row per system call (most time first), the
/// first calls that were shown, and the last ones, kept to be shown now.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub rows: Vec<SummaryRow>,
    /// How many calls were shown as they happened (the first few).
    pub shown: u64,
    /// The last calls that were not shown as they happened, oldest first.
    pub last: Vec<CallEvent>,
    /// Calls neither shown as they happened nor kept in `last`.
    pub hidden: u64,
}

pub(super) struct Counts {
    rows: Vec<SummaryRow>,
    first: usize,
    last: usize,
    seen: u64,
    kept: VecDeque<CallEvent>,
}

fn counts() -> MutexGuard<'static, Option<Counts>> {
    COUNTS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Start counting (afresh): show the first `first` calls, keep the last
/// `last`.
pub(super) fn start(first: usize, last: usize) {
    *counts() = Some(Counts {
        rows: Vec::new(),
        first,
        last,
        seen: 0,
        kept: VecDeque::with_capacity(last),
    });
    COUNTING.store(true, Ordering::Release);
}

pub(super) fn on() -> bool {
    COUNTING.load(Ordering::Acquire)
}

/// Count one call that took `took`: true when it is among the first and
/// is to be shown now.
pub(super) fn note(call: &CallEvent, took: Duration) -> bool {
    let mut guard = counts();
    let Some(c) = guard.as_mut() else {
        return true;
    };
    let failed = matches!(call.ret, crate::strace::Ret::Error(_));
    match c.rows.iter_mut().find(|r| r.syscall == call.syscall) {
        Some(row) => {
            row.calls += 1;
            row.errors += u64::from(failed);
            row.time += took;
        }
        None => c.rows.push(SummaryRow {
            syscall: call.syscall.to_string(),
            calls: 1,
            errors: u64::from(failed),
            time: took,
        }),
    }
    c.seen += 1;
    c.seen <= c.first as u64
}

/// Keep a call that was not shown, as one of the last.
pub(super) fn keep(call: CallEvent) {
    if let Some(c) = counts().as_mut() {
        if c.last == 0 {
            return;
        }
        if c.kept.len() == c.last {
            c.kept.pop_front();
        }
        c.kept.push_back(call);
    }
}

/// Stop counting and give what was counted (None when nothing was).
pub(super) fn finish() -> Option<Summary> {
    COUNTING.store(false, Ordering::Release);
    let c = counts().take()?;
    let mut rows = c.rows;
    // Most time first, as strace sorts; then by name, for a stable order.
    rows.sort_by(|a, b| b.time.cmp(&a.time).then(a.syscall.cmp(&b.syscall)));
    let shown = c.seen.min(c.first as u64);
    let last: Vec<CallEvent> = c.kept.into();
    Some(Summary {
        rows,
        shown,
        hidden: c.seen - shown - last.len() as u64,
        last,
    })
}

/// The lock, held by a forking thread across `fork` (see `super`).
pub(super) fn lock_for_fork() -> MutexGuard<'static, Option<Counts>> {
    counts()
}

impl Summary {
    pub fn calls(&self) -> u64 {
        self.rows.iter().map(|r| r.calls).sum()
    }

    pub fn errors(&self) -> u64 {
        self.rows.iter().map(|r| r.errors).sum()
    }

    pub fn row(&self, syscall: &str) -> Option<&SummaryRow> {
        self.rows.iter().find(|r| r.syscall == syscall)
    }

    /// The table, laid out as `strace -c` lays out its own:
    ///
    /// ```text
    /// % time     seconds  usecs/call     calls    errors syscall
    /// ------ ----------- ----------- --------- --------- ----------------
    ///  37.69    0.000146          13        11           close
    /// ```
    pub fn table(&self) -> String {
        let rule = "------ ----------- ----------- --------- --------- ----------------\n";
        let total: Duration = self.rows.iter().map(|r| r.time).sum();
        let mut out = String::from("% time     seconds  usecs/call     calls    errors syscall\n");
        out.push_str(rule);
        let line = |pct: f64, time: Duration, calls: u64, errors: u64, name: &str| {
            let usecs = (time.as_micros() as u64).checked_div(calls).unwrap_or(0);
            let errors = if errors == 0 {
                String::new()
            } else {
                errors.to_string()
            };
            format!(
                "{pct:6.2} {:11.6} {usecs:11} {calls:9} {errors:>9} {name}\n",
                time.as_secs_f64()
            )
        };
        for r in &self.rows {
            let pct = if total.is_zero() {
                0.0
            } else {
                100.0 * r.time.as_secs_f64() / total.as_secs_f64()
            };
            out.push_str(&line(pct, r.time, r.calls, r.errors, &r.syscall));
        }
        out.push_str(rule);
        out.push_str(&line(100.0, total, self.calls(), self.errors(), "total"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_laid_out_as_strace_lays_out_its_own() {
        let s = Summary {
            rows: vec![
                SummaryRow {
                    syscall: "close".into(),
                    calls: 11,
                    errors: 0,
                    time: Duration::from_micros(146),
                },
                SummaryRow {
                    syscall: "connect".into(),
                    calls: 3,
                    errors: 3,
                    time: Duration::from_micros(144),
                },
            ],
            ..Summary::default()
        };
        assert_eq!(
            s.table(),
            "% time     seconds  usecs/call     calls    errors syscall\n\
             ------ ----------- ----------- --------- --------- ----------------\n \
             50.34    0.000146          13        11           close\n \
             49.66    0.000144          48         3         3 connect\n\
             ------ ----------- ----------- --------- --------- ----------------\n\
             100.00    0.000290          20        14         3 total\n"
        );
    }
}
