//! `socklab diagram FILE [--svg OUT]` on a real run of lesson 09, and on
//! records no tracer would write: each is drawn, or refused with one line
//! naming the file and the line, and exit status 1. Never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SOCKLAB: &str = env!("CARGO_BIN_EXE_socklab");

fn diagram(record: &Path, svg: Option<&Path>) -> Output {
    let mut cmd = Command::new(SOCKLAB);
    cmd.arg("diagram").arg(record);
    if let Some(svg) = svg {
        cmd.arg("--svg").arg(svg);
    }
    cmd.stdin(Stdio::null()).output().expect("run socklab")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Lesson 09's run recorded to a file in a fresh scratch directory.
fn lesson_09_record() -> (socklab_tools::against_strace::ScratchDir, PathBuf) {
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let record = dir.join("run.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_09_echo"))
        .args(["--port", "0", "--trace", "off", "--record"])
        .arg(&record)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, record)
}

/// The value of `name="…"` in an SVG tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn every_label_of_lesson_09_lies_inside_the_svg() {
    let (dir, record) = lesson_09_record();
    let svg_path = dir.join("run.svg");
    let o = diagram(&record, Some(&svg_path));
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let root = &svg[svg.find("<svg ").unwrap()..];
    let root = &root[..root.find('>').unwrap()];
    let width: f64 = attr(root, "width").unwrap().parse().unwrap();
    let font_px: f64 = attr(root, "font-size").unwrap().parse().unwrap();
    assert_eq!(attr(root, "font-family"), Some("monospace"));
    // A monospace character is 0.6 em wide (DejaVu Sans Mono: 1233/2048).
    let char_px = 0.6 * font_px;
    let mut labels = Vec::new();
    for text in svg.split("<text").skip(1) {
        let (tag, rest) = text.split_once('>').unwrap();
        let label = unescape(&rest[..rest.find("</text>").unwrap()]);
        let x: f64 = attr(tag, "x").unwrap().parse().unwrap();
        let w = label.chars().count() as f64 * char_px;
        let (left, right) = match attr(tag, "text-anchor") {
            Some("end") => (x - w, x),
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            _ => (x, x + w),
        };
        assert!(
            left >= 0.0 && right <= width,
            "{label:?} spans {left:.0}..{right:.0}, the picture 0..{width}"
        );
        labels.push(label);
    }
    // The label the picture used to cut at its right edge, whole.
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("accept(3) = ") && l.ends_with("  new data fd")),
        "{labels:?}"
    );
    assert!(labels.iter().any(|l| l == "close(3) = 0"), "{labels:?}");
}

#[test]
fn concatenated_runs_are_drawn_run_after_run() {
    let (_dir, record) = lesson_09_record();
    let one = std::fs::read_to_string(&record).unwrap();
    let calls = one.lines().count();
    std::fs::write(&record, one.repeat(3)).unwrap();
    let o = diagram(&record, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2 + 3 * calls + 2, "{out}");
    assert!(lines[2 + calls].starts_with("── run 2 "), "{out}");
    assert!(lines[3 + 2 * calls].starts_with("── run 3 "), "{out}");
    // Each run drawn alike, and apart: its own connect before its accept.
    let first = &lines[2..2 + calls];
    assert_eq!(first, &lines[3 + calls..3 + 2 * calls]);
    assert_eq!(first, &lines[4 + 2 * calls..]);
    let at = |p: &str| first.iter().position(|l| l.contains(p)).unwrap();
    assert!(at("connect(") < at("accept("), "{out}");
}

/// A valid record line for `close(fd)`, with `extra` spliced in first.
fn close_record(seq: u64, extra: &str) -> String {
    format!(
        "{{{extra}\"seq\":{seq},\"t_us\":1,\"tid\":7,\"side\":\"client\",\"syscall\":\"close\",\"fd\":3,\
         \"role\":\"data\",\"args\":[\"3\"],\"ret\":0,\"errno\":null,\"new_fd\":null,\
         \"new_role\":null,\"line\":\"close(3) = 0\"}}\n"
    )
}

#[test]
fn hostile_records_get_one_line_and_exit_1() {
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let good = close_record(1, "");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "deep",
            format!("{good}{}\n", "[".repeat(100_000)).into_bytes(),
            "line 2: not JSON: arrays and objects nested deeper than 16 at column 17",
        ),
        (
            "deep-objects",
            "{\"a\":".repeat(100_000).into_bytes(),
            "line 1: not JSON: arrays and objects nested deeper than 16",
        ),
        (
            "nul",
            format!("{good}{}", close_record(2, "\"x\":\"a\0b\",")).into_bytes(),
            "line 2: not JSON: a raw control character (byte 0x00) inside a string at column 8",
        ),
        (
            "nul-outside-a-string",
            b"\0\n".to_vec(),
            "line 1: not JSON: expected a value, found byte 0x00 at column 1",
        ),
        (
            "binary",
            b"\x7fELF\x02\x01\x01\0\0\0".to_vec(),
            "line 1: not JSON: expected a value, found byte 0x7f",
        ),
        (
            // Read as text before any line is looked at (in main.rs).
            "not-utf8",
            [good.as_bytes(), b"{\"seq\":\xff}\n"].concat(),
            "line 2: not UTF-8 text",
        ),
        (
            "number-too-big",
            close_record(1, "\"x\":1e999,").into_bytes(),
            "line 1: not JSON: a number too large at column 6",
        ),
        (
            "fd-out-of-range",
            close_record(1, "")
                .replace("\"fd\":3", "\"fd\":4294967299")
                .into_bytes(),
            "line 1: not a socklab trace record: \"fd\" is 4294967299, out of range",
        ),
        (
            "missing-field",
            close_record(1, "")
                .replace("\"syscall\":\"close\",", "")
                .into_bytes(),
            "line 1: not a socklab trace record: no \"syscall\"",
        ),
        (
            "wrong-type",
            close_record(1, "")
                .replace("\"ret\":0", "\"ret\":\"0\"")
                .into_bytes(),
            "line 1: not a socklab trace record: \"ret\" is a string, not a whole number",
        ),
        (
            "duplicate-key",
            close_record(1, "\"fd\":4,").into_bytes(),
            "line 1: not JSON: the key \"fd\" given twice",
        ),
        (
            "not-an-object",
            format!("\n\n{good}[1,2]\n").into_bytes(),
            "line 4: not a socklab trace record: an array where an object was expected",
        ),
        (
            "cut-short",
            good.as_bytes()[..good.len() / 2].to_vec(),
            "line 1: not JSON:",
        ),
        // No call at all: not a run, most likely the wrong file.
        ("empty", Vec::new(), "holds no system calls"),
        ("blank", b"\n \n\t\n".to_vec(), "holds no system calls"),
    ];
    for (name, bytes, want) in cases {
        let path = dir.join(format!("{name}.jsonl"));
        std::fs::write(&path, bytes).unwrap();
        let o = diagram(&path, None);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: not one line: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            err.starts_with("socklab: ")
                && err.contains(&path.display().to_string())
                && err.contains(want),
            "{name}: {err}"
        );
        assert!(o.stdout.is_empty(), "{name}: drew something");
    }
}

#[test]
fn odd_but_valid_records_are_drawn() {
    let dir = socklab_tools::against_strace::scratch_dir().unwrap();
    let svg = dir.join("odd.svg");
    // Calls on fds no record opened: drawn as they are.
    let cases = [
        (
            "never-opened",
            close_record(1, "").replace("\"fd\":3", "\"fd\":977"),
            "close(977) = 0",
        ),
        (
            // Keys the tracer does not write are passed over.
            "extra-keys",
            close_record(1, "\"comment\":[{\"a\":[]}],"),
            "close(3) = 0",
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.join(format!("{name}.jsonl"));
        std::fs::write(&path, text).unwrap();
        let o = diagram(&path, Some(&svg));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains(want), "{name}");
        assert!(
            std::fs::read_to_string(&svg).unwrap().contains(want),
            "{name}"
        );
    }
}

/// The lines of a diagram that draw a FIN.
fn fins(record: &Path) -> Vec<String> {
    let o = diagram(record, None);
    assert!(o.status.success(), "{}", stderr(&o));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.contains("FIN"))
        .map(str::to_string)
        .collect()
}

/// A record written before `"v"` (version 0, the bench's fixture) has
/// its arguments typed from its strace lines: the diagram knows
/// shutdown's how, so the client's FIN goes out at its shutdown, not at
/// its close, as in a run recorded today.
#[test]
fn a_version_0_record_draws_the_fin_at_shutdown() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/09_echo.jsonl");
    let old = fins(&fixture);
    assert_eq!(old.len(), 2, "{old:#?}");
    assert!(old[0].starts_with("shutdown(4) = 0 "), "{old:#?}");
    assert!(old[1].ends_with(" close(5) = 0"), "{old:#?}");
    let (_dir, record) = lesson_09_record();
    assert!(std::fs::read_to_string(&record)
        .unwrap()
        .contains(&format!("\"v\":{},", socklab::event::SCHEMA_VERSION)));
    assert_eq!(old, fins(&record));
}
