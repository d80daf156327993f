//! A student's progress, kept in the workspace (`.socklab/progress.json`):
//! which exercises have passed, and how many hints of each were shown.
//!
//! ```json
//! {"done":[1],"hints_seen":{"1":2}}
//! ```

use crate::json::{self, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The exercises that have passed once.
    pub done: BTreeSet<u8>,
    /// How many hints of each exercise were shown.
    pub hints_seen: BTreeMap<u8, usize>,
}

impl Progress {
    /// Read `path`; no file yet is no progress yet.
    pub fn load(path: &Path) -> Result<Progress, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Progress::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Progress::parse(&text).map_err(|e| {
            format!(
                "{} is not what socklab wrote ({e}): mend it, or delete it to start the record over",
                path.display()
            )
        })
    }

    pub fn parse(text: &str) -> Result<Progress, String> {
        let value = json::parse(text.trim())?;
        let exercise = |v: &Value| {
            v.as_i64()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| format!("{} where an exercise number should be", v.kind()))
        };
        let mut progress = Progress::default();
        if let Some(done) = value.get("done") {
            let list = done.as_array().ok_or("\"done\" is not an array")?;
            for v in list {
                progress.done.insert(exercise(v)?);
            }
        }
        if let Some(Value::Obj(seen)) = value.get("hints_seen") {
            for (key, v) in seen {
                let n: u8 = key
                    .parse()
                    .map_err(|_| format!("\"{key}\" where an exercise number should be"))?;
                let count = v
                    .as_i64()
                    .and_then(|c| usize::try_from(c).ok())
                    .ok_or_else(|| format!("{} where a count of hints should be", v.kind()))?;
                progress.hints_seen.insert(n, count);
            }
        }
        Ok(progress)
    }

    pub fn to_json(&self) -> String {
        let done: Vec<String> = self.done.iter().map(u8::to_string).collect();
        let seen: Vec<String> = self
            .hints_seen
            .iter()
            .map(|(n, c)| format!("\"{n}\":{c}"))
            .collect();
        format!(
            "{{\"done\":[{}],\"hints_seen\":{{{}}}}}\n",
            done.join(","),
            seen.join(",")
        )
    }

    /// Write `path` whole or not at all (a new file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let tmp = path.with_extension("json.new");
        std::fs::write(&tmp, self.to_json())
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let mut p = Progress::default();
        p.done.insert(1);
        p.done.insert(2);
        p.hints_seen.insert(1, 3);
        assert_eq!(p.to_json(), "{\"done\":[1,2],\"hints_seen\":{\"1\":3}}\n");
        assert_eq!(Progress::parse(&p.to_json()), Ok(p));
        assert_eq!(Progress::parse("{}"), Ok(Progress::default()));
    }

    #[test]
    fn refuses_what_it_did_not_write() {
        assert!(Progress::parse("{\"done\":[300]}").is_err());
        assert!(Progress::parse("{\"done\":\"1\"}").is_err());
        assert!(Progress::parse("{\"hints_seen\":{\"x\":1}}").is_err());
        assert!(Progress::parse("not json").is_err());
    }
}
