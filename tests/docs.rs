//! The docs: a page per lesson in English and Korean, listed in each
//! index, and every relative link in the README and docs leads somewhere.

use std::path::{Path, PathBuf};

/// The checkout: these tests belong to tools/, the docs are beside it.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn every_lesson_has_a_page_in_both_languages_in_its_index() {
    for lang_dir in ["docs/lessons", "docs/ko/lessons"] {
        let dir = root().join(lang_dir);
        let index = std::fs::read_to_string(dir.join("README.md")).unwrap();
        for lesson in socklab_tools::lesson::LESSONS {
            let page = format!("{}.md", lesson.bin);
            assert!(dir.join(&page).is_file(), "{lang_dir}/{page} is missing");
            assert!(
                index.contains(&format!("({page})")),
                "{lang_dir}/README.md does not link {page}"
            );
        }
    }
}

#[test]
fn relative_links_lead_to_files_that_exist() {
    let mut files = vec![root().join("README.md")];
    markdown_files(&root().join("docs"), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        // [text](target): the part in brackets after "](", up to ")".
        for piece in text.split("](").skip(1) {
            let Some(target) = piece.split(')').next() else {
                continue;
            };
            let target = target.split('#').next().unwrap_or("");
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            if !file.parent().unwrap().join(target).exists() {
                broken.push(format!("{} -> {target}", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
