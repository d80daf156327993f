//! `socklab exercises init DIR`: a student workspace of its own, outside
//! socklab's checkout, so a `git pull` of socklab never meets the
//! student's work.
//!
//! ```text
//! DIR/
//!   Cargo.toml          socklab = { path = "<this checkout>" }, its own [workspace]
//!   Cargo.lock          socklab's, so `cargo build --offline` finds every package
//!   src/bin/ex01.rs …   a stub per exercise: it compiles, does part of the job,
//!                       and stops at a todo!() that says what is left
//!   c/ex01.c …          the same stubs in C
//!   README.md           the index page (README.ko.md in Korean)
//!   .socklab/version    the socklab version it was made for
//!   .socklab/progress.json
//! ```

use super::{stub_name, Problem, VERSION};
use crate::grade::exercise::{exercise, Exercise};
use std::path::{Path, PathBuf};

/// One exercise's stubs.
pub struct Stub {
    pub number: u8,
    pub rust: &'static str,
    pub c: &'static str,
}

/// The stubs a new workspace gets.
pub const STUBS: &[Stub] = &[
    Stub {
        number: 1,
        rust: include_str!("stubs/ex01.rs"),
        c: include_str!("stubs/ex01.c"),
    },
    Stub {
        number: 2,
        rust: include_str!("stubs/ex02.rs"),
        c: include_str!("stubs/ex02.c"),
    },
    Stub {
        number: 3,
        rust: include_str!("stubs/ex03.rs"),
        c: include_str!("stubs/ex03.c"),
    },
    Stub {
        number: 4,
        rust: include_str!("stubs/ex04.rs"),
        c: include_str!("stubs/ex04.c"),
    },
    Stub {
        number: 5,
        rust: include_str!("stubs/ex05.rs"),
        c: include_str!("stubs/ex05.c"),
    },
    Stub {
        number: 6,
        rust: include_str!("stubs/ex06.rs"),
        c: include_str!("stubs/ex06.c"),
    },
    Stub {
        number: 7,
        rust: include_str!("stubs/ex07.rs"),
        c: include_str!("stubs/ex07.c"),
    },
    Stub {
        number: 8,
        rust: include_str!("stubs/ex08.rs"),
        c: include_str!("stubs/ex08.c"),
    },
    Stub {
        number: 9,
        rust: include_str!("stubs/ex09.rs"),
        c: include_str!("stubs/ex09.c"),
    },
    Stub {
        number: 10,
        rust: include_str!("stubs/ex10.rs"),
        c: include_str!("stubs/ex10.c"),
    },
    Stub {
        number: 11,
        rust: include_str!("stubs/ex11.rs"),
        c: include_str!("stubs/ex11.c"),
    },
];

/// The checkout socklab was built from: the library's folder, where
/// `src/lib.rs` is. A workspace depends on it by path.
pub fn library_dir() -> Result<PathBuf, Problem> {
    // This crate is tools/ in the checkout; the library is its parent.
    let recorded = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("/"));
    if recorded.join("src").join("lib.rs").is_file() {
        Ok(recorded
            .canonicalize()
            .unwrap_or_else(|_| recorded.to_path_buf()))
    } else {
        Err(Problem::failed(format!(
            "the socklab source this command was built from ({}) is gone, and a workspace depends on the library there by path: install socklab again from a checkout (cargo install --path tools), then run init again",
            recorded.display()
        )))
    }
}

/// Make the workspace in `dir` (new, or empty), and say anything the
/// student should know (one line each). Nothing is written when `dir` is
/// not empty.
pub fn init(dir: &Path) -> Result<Vec<String>, Problem> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Problem::usage(format!(
                "{} is not an empty folder: init makes a new workspace and overwrites nothing (give a new folder's name)",
                dir.display()
            )));
        }
    }
    let library = library_dir()?;
    let stubs: Vec<(&Stub, &'static Exercise)> = STUBS
        .iter()
        .filter_map(|s| exercise(s.number).map(|e| (s, e)))
        .collect();
    let mut notes = Vec::new();
    let write = |rel: &str, text: &str| -> Result<(), Problem> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Problem::failed(format!("cannot make {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| Problem::failed(format!("cannot write {}: {e}", path.display())))
    };
    write("Cargo.toml", &cargo_toml(&library))?;
    match std::fs::read_to_string(library.join("Cargo.lock")) {
        Ok(lock) => write("Cargo.lock", &lock)?,
        Err(_) => notes.push(format!(
            "no Cargo.lock in {}: the first build may need the network",
            library.display()
        )),
    }
    write(".gitignore", "/target\n")?;
    write(".socklab/version", &format!("{VERSION}\n"))?;
    write(
        ".socklab/progress.json",
        &super::progress::Progress::default().to_json(),
    )?;
    for (stub, _) in &stubs {
        let name = stub_name(stub.number);
        write(&format!("src/bin/{name}.rs"), stub.rust)?;
        write(&format!("c/{name}.c"), stub.c)?;
    }
    write("README.md", &index_en(&stubs, &library))?;
    write("README.ko.md", &index_ko(&stubs, &library))?;
    Ok(notes)
}

fn cargo_toml(library: &Path) -> String {
    format!(
        "# A socklab exercise workspace, made by `socklab exercises init`.\n\
         # Each exercise is a binary: src/bin/ex01.rs is `ex01`.\n\
         [package]\n\
         name = \"socklab-exercises\"\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         # The socklab library, from the checkout socklab was built from.\n\
         socklab = {{ path = {} }}\n\
         \n\
         # A workspace of its own, wherever this folder is.\n\
         [workspace]\n",
        toml_string(&library.to_string_lossy())
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn table(stubs: &[(&Stub, &'static Exercise)], ko: bool) -> String {
    let mut out = String::from(if ko {
        "| # | 연습 문제 | Rust | C |\n|---|---|---|---|\n"
    } else {
        "| # | exercise | Rust | C |\n|---|---|---|---|\n"
    });
    for (stub, ex) in stubs {
        let name = stub_name(stub.number);
        out.push_str(&format!(
            "| {} | {} | [src/bin/{name}.rs](src/bin/{name}.rs) | [c/{name}.c](c/{name}.c) |\n",
            ex.number,
            if ko { ex.title.1 } else { ex.title.0 }
        ));
    }
    out
}

fn index_en(stubs: &[(&Stub, &'static Exercise)], library: &Path) -> String {
    format!(
        r#"# Socket exercises

Made by `socklab exercises init` for socklab {VERSION}. (한국어: [README.ko.md](README.ko.md))

Each exercise is a program of its own. Its stub compiles, does the first
part of the job, and stops at a `todo!()` whose comment says what is left.
The grader judges a program by the system calls the kernel saw (real
strace), with its own peer on the other side of the connection.

{table}
## The commands (run them in this folder)

```text
socklab check           # build (cargo build --offline --bins), check the first exercise not yet passed
socklab check 2         # check exercise 2
socklab hint 1          # the next hint for exercise 1, one at a time
socklab exercises       # each exercise, done or not
socklab --lang ko check # in Korean
```

`socklab check` lists each rule as passed or failed; for the first failure
it shows the strace lines that broke it, what they mean, a hint and the
lesson to read again. An exercise is done once it has passed:
`.socklab/progress.json` keeps that, and the hints you have seen.

The program learns its address from the environment: `SOCKLAB_HOST` and
`SOCKLAB_PORT`. The stubs read them already.

## In C

The same exercises in C are in `c/`. Build (cc -O1 -Wall) and check them with

```text
socklab check --c          # the first C exercise not yet passed
socklab check 2 --c        # c/ex02.c
socklab check --c --watch  # again each time you save a .c file under c/
```

Any program can be checked that way (`socklab check 2 -- python3 server.py`);
run in this folder, a pass is recorded here too.

## This folder

It is yours: socklab writes only `.socklab/progress.json` (and cargo,
`target/`). It depends on the socklab library at
`{library}` by path, and carries socklab's `Cargo.lock`, so it builds
without the network.
"#,
        table = table(stubs, false),
        library = library.display()
    )
}

fn index_ko(stubs: &[(&Stub, &'static Exercise)], library: &Path) -> String {
    format!(
        r#"# 소켓 연습 문제

socklab {VERSION}의 `socklab exercises init`으로 만든 작업 폴더입니다. (English: [README.md](README.md))

연습 문제마다 프로그램이 하나씩 있습니다. 스텁(stub)은 컴파일되고, 일의 앞부분을
해 두었으며, 남은 일을 주석으로 설명하는 `todo!()`에서 멈춥니다. 채점기는 커널이 본
시스템 콜(실제 strace)로 프로그램을 판단하며, 연결의 반대편은 채점기가 직접 맡습니다.

{table}
## 명령 (이 폴더에서 실행합니다)

```text
socklab check           # 빌드(cargo build --offline --bins) 후 아직 통과하지 못한 첫 연습 문제를 채점합니다
socklab check 2         # 연습 문제 2를 채점합니다
socklab hint 1          # 연습 문제 1의 다음 힌트를 하나씩 보여 줍니다
socklab exercises       # 연습 문제마다 완료 여부를 보여 줍니다
socklab --lang ko check # 한국어로 채점합니다
```

`socklab check`는 규칙마다 통과와 실패를 보여 줍니다. 처음 실패한 규칙에 대해서는
그 규칙을 어긴 strace 줄, 그 뜻, 힌트, 다시 볼 실습을 보여 줍니다. 한 번 통과한
연습 문제는 완료입니다. `.socklab/progress.json`이 완료 기록과 이미 본 힌트를
보관합니다.

프로그램은 환경 변수 `SOCKLAB_HOST`와 `SOCKLAB_PORT`에서 주소를 얻습니다. 스텁은
이미 이 값을 읽습니다.

## C로 풀기

같은 연습 문제의 C 스텁이 `c/`에 있습니다. 빌드(cc -O1 -Wall)와 채점은 이렇게 합니다.

```text
socklab check --c          # 아직 통과하지 못한 첫 C 연습 문제
socklab check 2 --c        # c/ex02.c
socklab check --c --watch  # c/ 아래의 .c 파일을 저장할 때마다 다시 채점합니다
```

어떤 프로그램이든 이렇게 채점할 수 있습니다(`socklab check 2 -- python3 server.py`).
이 폴더에서 실행하면 통과 기록도 여기에 남습니다.

## 이 폴더

이 폴더는 학생의 것입니다. socklab은 `.socklab/progress.json`만 씁니다(cargo는
`target/`을 씁니다). socklab 라이브러리는 `{library}` 경로로 의존하고, socklab의
`Cargo.lock`을 함께 두어 네트워크 없이 빌드됩니다.
"#,
        table = table(stubs, true),
        library = library.display()
    )
}
