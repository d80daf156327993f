//! One catalog of lessons (`tools/src/lesson/catalog.rs`): the binaries,
//! the source files and the test list all agree with it, so adding a lesson
//! is its source file, its catalog entry and its two doc pages
//! (tests/docs.rs checks those), and nothing else.

use socklab_tools::lesson::LESSONS;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `(name, path)` of each target of one kind in tools/Cargo.toml.
fn targets(kind: &str) -> Vec<(String, String)> {
    let manifest = std::fs::read_to_string(root().join("tools/Cargo.toml")).unwrap();
    let header = format!("[[{kind}]]");
    let mut out = Vec::new();
    let mut lines = manifest.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() != header {
            continue;
        }
        let (mut name, mut path) = (String::new(), String::new());
        while let Some(l) = lines.next_if(|l| !l.trim().is_empty() && !l.starts_with('[')) {
            let value = |key: &str| {
                l.strip_prefix(&format!("{key} = \""))
                    .and_then(|v| v.strip_suffix('"'))
                    .map(str::to_string)
            };
            name = value("name").unwrap_or(name);
            path = value("path").unwrap_or(path);
        }
        out.push((name, path));
    }
    out
}

fn rust_files(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_lesson_is_in_the_catalog_once_with_its_binary() {
    let catalog: Vec<String> = LESSONS.iter().map(|l| l.bin.to_string()).collect();
    assert_eq!(
        rust_files("lessons"),
        catalog,
        "lessons/*.rs against the catalog"
    );
    // Each lesson is a binary because tools/src/bin is a link to lessons/
    // (Cargo makes a binary of every src/bin/*.rs), and the catalog's
    // binary exists once built.
    let link = std::fs::read_link(root().join("tools/src/bin")).expect("tools/src/bin is a link");
    assert_eq!(link, Path::new("../../lessons"));
    let only_socklab: Vec<String> = targets("bin").into_iter().map(|(n, _)| n).collect();
    assert_eq!(only_socklab, ["socklab"], "no lesson needs a [[bin]] entry");
    for b in &catalog {
        let exe = Path::new(env!("CARGO_BIN_EXE_socklab")).with_file_name(b);
        assert!(exe.exists(), "{} was built", exe.display());
    }
    // Numbers rise; a gap is a lesson not in this branch yet.
    for w in LESSONS.windows(2) {
        assert!(
            w[0].number < w[1].number,
            "{} comes before {}",
            w[0].bin,
            w[1].bin
        );
    }
    for l in LESSONS {
        assert!(
            l.bin.starts_with(&format!("{:02}_", l.number)),
            "{} starts with its number",
            l.bin
        );
        assert!(
            LESSONS.iter().filter(|o| o.port == l.port).count() == 1,
            "{}'s port {} is its own",
            l.bin,
            l.port
        );
    }
}

#[test]
fn every_test_file_runs() {
    let listed: Vec<String> = {
        let mut v: Vec<String> = targets("test").into_iter().map(|(n, _)| n).collect();
        v.sort();
        v
    };
    assert_eq!(
        rust_files("tests"),
        listed,
        "each tests/*.rs needs a [[test]] in tools/Cargo.toml"
    );
}
