//! `socklab run N --packets` and `--pcap FILE`: the packets of a run
//! between its calls, captured in a private network namespace by a process
//! of their own; what tcpdump reads back from the pcap file; the diagram
//! drawn from them; strace's trace of the lesson unchanged; and a run as
//! an unprivileged user.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SOCKLAB: &str = env!("CARGO_BIN_EXE_socklab");

/// A fresh folder for one test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("socklab-packets-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn socklab(args: &[&str]) -> Output {
    Command::new(SOCKLAB)
        .args(args)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .output()
        .expect("run socklab")
}

fn text(o: &Output) -> String {
    assert!(
        o.status.success(),
        "socklab failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn is_packet(line: &str) -> bool {
    line.starts_with("packet ")
}

#[test]
fn lesson_04_shows_the_handshake_inside_connect_and_a_fin_in_each_close() {
    let out = text(&socklab(&["run", "4", "--packets", "--no-kernel"]));
    let lines: Vec<&str> = out.lines().collect();
    let connects: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("│ connect(") && l.ends_with("= 0"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(connects.len(), 2, "two clients connect:\n{out}");
    // Just before each connect's line: SYN, SYN-ACK and ACK, each sent
    // while connect was in progress.
    for &c in &connects {
        let before: Vec<&str> = lines[c - 3..c].to_vec();
        let want = [
            "[SYN] seq=0 ",
            "[SYN, ACK] seq=0 ack=1 ",
            "[ACK] seq=1 ack=1 ",
        ];
        for (line, flags) in before.iter().zip(want) {
            assert!(
                is_packet(line)
                    && line.contains(flags)
                    && line.contains("· during connect(4) (client, thread "),
                "{flags} inside connect's call, before its line:\n{}",
                before.join("\n")
            );
        }
        assert!(before[0].contains("client → server"));
        assert!(before[1].contains("server → client"));
    }
    // Each close of a data socket sends a FIN, inside the close.
    let fins: Vec<&&str> = lines
        .iter()
        .filter(|l| is_packet(l) && l.contains("[FIN, ACK]"))
        .collect();
    assert_eq!(fins.len(), 4, "one FIN per side per connection:\n{out}");
    for fin in &fins {
        assert!(
            fin.contains("· during close("),
            "a FIN travels inside a close: {fin}"
        );
    }
    // The data segment, with its bytes as strace escapes them.
    assert!(
        lines.iter().any(|l| is_packet(l)
            && l.contains("[PSH, ACK] seq=1 ack=1 ")
            && l.contains("len=16 \"hello, client 1\\n\"")
            && l.contains("during sendto(5) (server, thread ")),
        "the server's data segment:\n{out}"
    );
    // Nothing of the kind without --packets.
    let plain = text(&socklab(&["run", "4", "--no-kernel"]));
    assert!(!plain.lines().any(is_packet));
}

#[test]
fn lesson_04_packets_speak_korean() {
    let out = text(&socklab(&[
        "--lang",
        "ko",
        "run",
        "4",
        "--packets",
        "--no-kernel",
    ]));
    assert!(
        out.lines().any(|l| l.starts_with("패킷")
            && l.contains("클라이언트 → 서버")
            && l.contains("[SYN]")
            && l.contains("connect(4) 호출 중(클라이언트, 스레드 ")),
        "{out}"
    );
}

#[test]
fn lesson_10_shows_each_datagram_and_the_icmp_for_a_closed_port() {
    let out = text(&socklab(&["run", "10", "--packets", "--no-kernel"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.iter().any(|l| is_packet(l)
            && l.contains("client → server")
            && l.contains(":7810  UDP len=6 \"hello \"")
            && l.contains("during sendto(4)")),
        "{out}"
    );
    let icmp: Vec<&&str> = lines
        .iter()
        .filter(|l| is_packet(l) && l.contains("ICMP port unreachable"))
        .collect();
    assert!(!icmp.is_empty(), "{out}");
    for l in &icmp {
        assert!(l.contains("no socket on port 7810"), "{l}");
    }
    // The ICMP comes right after the datagram it answers, and no TCP.
    let first = lines
        .iter()
        .position(|l| l.contains("ICMP port unreachable"))
        .unwrap();
    assert!(lines[first - 1].contains("UDP len=7 \"anyone?\""), "{out}");
    assert!(!lines.iter().any(|l| is_packet(l) && l.contains("TCP")));
}

/// tcpdump's flags (`S.`) as socklab writes them (`SYN, ACK`).
fn tcpdump_flags(f: &str) -> String {
    let mut names = Vec::new();
    for (c, name) in [
        ('S', "SYN"),
        ('F', "FIN"),
        ('R', "RST"),
        ('P', "PSH"),
        ('.', "ACK"),
    ] {
        if f.contains(c) {
            names.push(name);
        }
    }
    names.join(", ")
}

#[test]
fn the_pcap_file_holds_what_socklab_showed() {
    let Some(tcpdump) = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "tcpdump is missing under CI: scripts/install-deps installs it"
        );
        eprintln!("SKIPPED: tcpdump is not installed");
        return;
    };
    let tmp = TempDir::new("pcap");
    let pcap = tmp.0.join("run.pcap");
    let out = text(&socklab(&[
        "run",
        "4",
        "--packets",
        "--no-kernel",
        "--pcap",
        pcap.to_str().unwrap(),
    ]));
    // socklab's view: flags and payload length of each TCP packet.
    let ours: Vec<(String, usize)> = out
        .lines()
        .filter(|l| is_packet(l))
        .map(|l| {
            let flags = l.split('[').nth(1).unwrap().split(']').next().unwrap();
            let len = l.split(" len=").nth(1).unwrap();
            let len: usize = len.split(' ').next().unwrap().parse().unwrap();
            (flags.to_string(), len)
        })
        .collect();
    // As root, tcpdump gives up root for its own user after opening the
    // file; in a user namespace (setgroups denied) that fails, so there it
    // runs as a user that is not root, in a user namespace of its own.
    let mut td = Command::new(tcpdump)
        .args(["-r", pcap.to_str().unwrap(), "-nn"])
        .output()
        .expect("tcpdump");
    if String::from_utf8_lossy(&td.stderr).contains("Couldn't change to") {
        td = Command::new("unshare")
            .args(["--user", "--map-user=1000", "--map-group=1000", tcpdump])
            .args(["-r", pcap.to_str().unwrap(), "-nn"])
            .output()
            .expect("tcpdump in a user namespace");
    }
    assert!(
        td.status.success(),
        "{}",
        String::from_utf8_lossy(&td.stderr)
    );
    let theirs: Vec<(String, usize)> = String::from_utf8_lossy(&td.stdout)
        .lines()
        .map(|l| {
            // 07:44:16.648831 IP 127.0.0.1.41962 > 127.0.0.1.7804: Flags [S], seq …, length 0
            let flags = l
                .split("Flags [")
                .nth(1)
                .unwrap()
                .split(']')
                .next()
                .unwrap();
            let len = l.rsplit("length ").next().unwrap().trim();
            (tcpdump_flags(flags), len.parse().unwrap())
        })
        .collect();
    assert_eq!(
        ours.len(),
        16,
        "lesson 04: two connections of 8 packets:\n{out}"
    );
    assert_eq!(ours, theirs);
}

#[test]
fn the_record_carries_the_packets_and_the_diagram_draws_them() {
    let tmp = TempDir::new("diagram");
    let record = tmp.0.join("run.jsonl");
    let svg = tmp.0.join("run.svg");
    text(&socklab(&[
        "run",
        "4",
        "--packets",
        "--no-kernel",
        "--trace",
        "off",
        "--record",
        record.to_str().unwrap(),
    ]));
    let rec = std::fs::read_to_string(&record).unwrap();
    let packets: Vec<&str> = rec
        .lines()
        .filter(|l| l.contains("\"kind\":\"packet\""))
        .collect();
    assert_eq!(packets.len(), 16);
    assert!(packets[0].contains("\"v\":1,") && packets[0].contains("\"flags\":\"SYN\""));
    let (calls, read_back) = socklab_tools::record::parse_run(&rec).unwrap();
    assert_eq!(read_back.len(), 16);
    assert!(calls.iter().any(|c| c.syscall == "connect"));
    let d = text(&socklab(&[
        "diagram",
        record.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]));
    let lines: Vec<&str> = d.lines().collect();
    let syn = lines.iter().position(|l| l.contains(" SYN ─")).expect(&d);
    assert!(lines[syn].contains('▶'), "{d}");
    assert!(
        lines[syn + 1].contains("SYN, ACK") && lines[syn + 1].contains('◀'),
        "{d}"
    );
    assert!(
        lines[syn + 2].contains(" ACK ") && lines[syn + 2].contains('▶'),
        "{d}"
    );
    assert!(lines[syn + 3].starts_with("connect(4) = 0"), "{d}");
    assert!(!d.contains("handshake"), "no inferred arrow: {d}");
    assert_eq!(d.matches("FIN, ACK").count(), 4, "{d}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(svg.matches(">SYN, ACK</text>").count(), 2);
}

#[test]
fn strace_still_matches_with_the_capture_running() {
    if !common::strace_usable() {
        return;
    }
    let o = socklab(&["strace", "4", "--packets"]);
    let out = text(&o);
    assert!(out.contains("lines match"), "{out}");
    assert!(
        out.contains("16 packets were captured beside the run"),
        "{out}"
    );
}

#[test]
fn an_unprivileged_user_gets_the_packets_or_one_clear_line() {
    // Root of the machine (not of a user namespace, where uid 65534 is not
    // mapped and cannot be taken): drop to nobody. Anyone else is already
    // unprivileged.
    // SAFETY: geteuid touches no memory.
    let root = unsafe { libc::geteuid() } == 0
        && std::fs::read_to_string("/proc/self/uid_map")
            .is_ok_and(|m| m.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"]);
    let tmp = TempDir::new("nobody");
    // The binaries where the user `nobody` can run them.
    let dir = tmp.0.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let bin_dir = Path::new(SOCKLAB).parent().unwrap();
    for name in ["socklab", "04_accept"] {
        std::fs::copy(bin_dir.join(name), dir.join(name)).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    for p in [&tmp.0, &dir] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = Command::new(dir.join("socklab"));
    cmd.args(["run", "4", "--packets", "--no-kernel"])
        .current_dir(&dir)
        .env("TMPDIR", &dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    if root {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        use std::os::unix::process::CommandExt;
        // nobody:nogroup (65534), with no supplementary groups.
        // SAFETY: setgroups, setgid and setuid are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(65534) != 0
                    || libc::setuid(65534) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let o = cmd.output().expect("run socklab as nobody");
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.success() {
        assert!(
            out.lines().any(|l| is_packet(l) && l.contains("[SYN]")),
            "{out}"
        );
    } else {
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.contains("private network namespace") && err.contains("run socklab as root"),
            "{err}"
        );
    }
}
