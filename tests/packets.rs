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
    // Three datagrams went where the server had been (two from f, one
    // from g): three ICMP answers, each inside the sendto that drew it.
    assert_eq!(icmp.len(), 3, "{out}");
    for l in &icmp {
        assert!(l.contains("no socket on port 7810"), "{l}");
        assert!(l.contains("· during sendto("), "{l}");
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
    // The window: tcpdump prints the header's field, socklab the bytes
    // (the field times 2^scale, the SYNs' own unscaled).
    let wins = |text: &str, key: &str| -> Vec<u64> {
        text.lines()
            .filter_map(|l| l.split(key).nth(1))
            .map(|w| w.split([' ', ',']).next().unwrap().parse().unwrap())
            .collect()
    };
    let (ours, theirs) = (
        wins(&out, " win="),
        wins(&String::from_utf8_lossy(&td.stdout), " win "),
    );
    assert_eq!(ours.len(), theirs.len());
    for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        let syn = i % 8 < 2;
        assert!(
            if syn {
                o == t
            } else {
                o % t == 0 && (o / t).is_power_of_two()
            },
            "packet {i}: socklab win={o}, tcpdump win {t}"
        );
    }
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

/// `socklab ARGS` as an unprivileged user. Root of the machine (not of a
/// user namespace, where uid 65534 is not mapped and cannot be taken)
/// drops to nobody, with the binaries copied where nobody can run them;
/// root of a user namespace enters a user namespace of its own with no
/// uid mapped (its uid is then 65534, nobody); anyone else is already
/// unprivileged.
fn as_nobody(tmp: &TempDir, bins: &[&str], args: &[&str]) -> Command {
    // SAFETY: geteuid touches no memory.
    let euid = unsafe { libc::geteuid() };
    let machine_root = euid == 0
        && std::fs::read_to_string("/proc/self/uid_map")
            .is_ok_and(|m| m.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"]);
    let dir = tmp.0.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let bin_dir = Path::new(SOCKLAB).parent().unwrap();
    for name in bins {
        std::fs::copy(bin_dir.join(name), dir.join(name)).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    for p in [&tmp.0, &dir] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = if euid == 0 && !machine_root {
        let mut c = Command::new("unshare");
        c.arg("--user").arg(dir.join("socklab"));
        c
    } else {
        Command::new(dir.join("socklab"))
    };
    cmd.args(args)
        .current_dir(&dir)
        .env("TMPDIR", &dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    if machine_root {
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
    cmd
}

#[test]
fn an_unprivileged_user_gets_the_packets_or_one_clear_line() {
    let tmp = TempDir::new("nobody");
    let mut cmd = as_nobody(
        &tmp,
        &["socklab", "04_accept"],
        &["run", "4", "--packets", "--no-kernel"],
    );
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

/// The lines of `socklab run N --packets --no-kernel`, calls and packets.
fn run_lines(n: &str) -> (String, Vec<String>) {
    let out = text(&socklab(&["run", n, "--packets", "--no-kernel"]));
    let lines = out
        .lines()
        .filter(|l| is_packet(l) || l.contains(" │ "))
        .map(str::to_string)
        .collect();
    (out, lines)
}

fn first(lines: &[String], what: &[&str]) -> usize {
    lines
        .iter()
        .position(|l| what.iter().all(|w| l.contains(w)))
        .unwrap_or_else(|| panic!("no line with {what:?}:\n{}", lines.join("\n")))
}

/// Lesson 03's page: three handshakes before the first accept, each inside
/// its connect; the one never accepted is reset by the listener's close.
#[test]
fn lesson_03_handshakes_complete_before_accept() {
    let (out, lines) = run_lines("3");
    let accept = first(&lines, &["│ accept(3,"]);
    for fd in ["4", "5", "6"] {
        let during = format!("· during connect({fd}) (client, ");
        for flags in ["[SYN] ", "[SYN, ACK] ", "[ACK] seq=1 ack=1 "] {
            let at = first(&lines, &[flags, &during]);
            assert!(
                at < accept,
                "{flags} of connect({fd}) before accept:\n{out}"
            );
        }
    }
    let rst = first(&lines, &["[RST, ACK]", "· during close(3) (server, "]);
    assert!(rst > accept);
    let reset = first(&lines, &["│ recvfrom(6,", "ECONNRESET"]);
    assert!(reset > rst, "{out}");
}

/// Lesson 04's page: the client's ACK while the server's sendto runs, and
/// a FIN counting one byte.
#[test]
fn lesson_04_data_is_acked_inside_the_send_and_a_fin_is_one_byte() {
    let (out, lines) = run_lines("4");
    let data = first(&lines, &["[PSH, ACK] seq=1 ack=1 ", "len=16"]);
    // The next packet (another thread's call line may come between).
    let ack = data
        + 1
        + lines[data + 1..]
            .iter()
            .position(|l| is_packet(l))
            .unwrap_or_else(|| panic!("no packet after the data:\n{out}"));
    assert!(
        lines[ack].contains("client → server")
            && lines[ack].contains("[ACK] seq=1 ack=17 ")
            && lines[ack].contains("· during sendto(5) (server, "),
        "{out}"
    );
    let fin = first(&lines, &["server → client", "[FIN, ACK] seq=17 "]);
    assert!(lines[fin + 1..]
        .iter()
        .find(|l| is_packet(l) && l.contains("client → server"))
        .is_some_and(|l| l.contains(" ack=18 ")));
}

/// Lesson 06's page: two sends, two segments, one recv; one send of 100
/// bytes, one segment, four recvs.
#[test]
fn lesson_06_segments_and_recvs_do_not_pair_up() {
    let (out, lines) = run_lines("6");
    let hello = first(
        &lines,
        &["[PSH, ACK]", "len=6 \"hello \"", "during sendto(4)"],
    );
    let world = first(
        &lines,
        &["[PSH, ACK]", "len=6 \"world\\n\"", "during sendto(4)"],
    );
    let recv = first(&lines, &["│ recvfrom(5, \"hello world\\n\"", "= 12"]);
    assert!(hello < world && world < recv, "{out}");
    let hundred = first(&lines, &["[PSH, ACK]", "len=100 "]);
    let segments = lines[hundred..]
        .iter()
        .filter(|l| is_packet(l) && l.contains("client → server") && l.contains("[PSH, ACK]"))
        .count();
    assert_eq!(segments, 1, "one segment of 100 bytes:\n{out}");
    let recvs: Vec<&String> = lines[hundred..]
        .iter()
        .filter(|l| l.contains("│ recvfrom(5, ") && l.contains(", 32, 0, NULL, NULL)"))
        .take_while(|l| !l.ends_with("= 0"))
        .collect();
    assert_eq!(recvs.len(), 4, "{out}");
}

/// Lesson 07's page: shutdown's FIN inside shutdown, before accept; close
/// after shutdown sends nothing; SO_LINGER 0 makes close send an RST.
#[test]
fn lesson_07_shutdown_sends_the_fin_and_linger_sends_an_rst() {
    let (out, lines) = run_lines("7");
    let fin = first(
        &lines,
        &[
            "client → server",
            "[FIN, ACK]",
            "· during shutdown(4) (client, ",
        ],
    );
    let accept = first(&lines, &["│ accept(3,"]);
    assert!(fin < accept, "{out}");
    let server_fin = first(
        &lines,
        &["server → client", "[FIN, ACK]", "during close(5)"],
    );
    // The next packet is the client's ACK of that FIN (a call's line may
    // come between: its end and the ACK are microseconds apart).
    let ack = server_fin
        + 1
        + lines[server_fin + 1..]
            .iter()
            .position(|l| is_packet(l))
            .unwrap_or_else(|| panic!("no packet after the server's FIN:\n{out}"));
    assert!(
        lines[ack].contains("client → server") && lines[ack].contains("[ACK]"),
        "{out}"
    );
    let close4 = first(&lines, &["│ close(4)"]);
    assert!(
        !lines[ack + 1..close4].iter().any(|l| is_packet(l)),
        "the client's close after shutdown sends nothing:\n{out}"
    );
    let linger = first(&lines, &["SO_LINGER, {l_onoff=1, l_linger=0}"]);
    let rst = first(
        &lines,
        &[
            "server → client",
            "[RST, ACK]",
            "· during close(5) (server, ",
        ],
    );
    assert!(rst > linger);
    assert!(!lines[linger..].iter().any(|l| l.contains("[FIN")), "{out}");
    assert!(lines[rst..]
        .iter()
        .any(|l| l.contains("│ recvfrom(4,") && l.contains("ECONNRESET")));
}

/// Lesson 10's page: no handshake and no ACK; the ICMP inside the sendto,
/// which still returns 7.
#[test]
fn lesson_10_datagrams_have_no_handshake_and_icmp_comes_inside_sendto() {
    let (out, lines) = run_lines("10");
    assert!(!lines
        .iter()
        .any(|l| is_packet(l) && !l.contains(" UDP ") && !l.contains(" ICMP ")));
    let icmp = first(
        &lines,
        &["ICMP port unreachable", "· during sendto(4) (client, "],
    );
    assert!(
        lines[icmp + 1].contains("│ sendto(4, \"anyone?\"") && lines[icmp + 1].ends_with("= 7"),
        "{out}"
    );
    let refused = first(&lines, &["│ recvfrom(3,", "ECONNREFUSED"]);
    assert!(
        lines[..refused]
            .iter()
            .rev()
            .take(3)
            .any(|l| l.contains("ICMP port unreachable")),
        "{out}"
    );
}

/// `--wait --packets`: an outside client cannot reach a private namespace,
/// so root captures on the machine's loopback, keeping the run's ports;
/// anyone else is told in one line.
#[test]
fn wait_with_packets_captures_an_outside_client_as_root() {
    use std::io::{BufRead, BufReader, Read};
    // SAFETY: geteuid touches no memory.
    let root = unsafe { libc::geteuid() } == 0;
    let mut child = Command::new(SOCKLAB)
        .args([
            "run",
            "4",
            "--wait",
            "--packets",
            "--port",
            "0",
            "--no-kernel",
            "--timeout",
            "10",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("socklab");
    if !root {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--packets with --wait needs root"));
        return;
    }
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let port: u16 = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "no prompt:\n{seen}");
        seen.push_str(&line);
        if let Some(rest) = line.split("be the client:  nc 127.0.0.1 ").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    for _ in 0..2 {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut got = String::new();
        c.read_to_string(&mut got).unwrap();
        assert!(got.starts_with("hello, client"), "{got}");
    }
    out.read_to_string(&mut seen).unwrap();
    assert!(child.wait().unwrap().success(), "{seen}");
    let listing = seen
        .split("The run's packets, in time order (")
        .nth(1)
        .unwrap_or_else(|| panic!("no listing:\n{seen}"));
    let to_port = format!("→ 127.0.0.1:{port}  TCP [SYN] seq=0 ");
    assert_eq!(listing.matches(&to_port).count(), 2, "{listing}");
    // The server's FIN for each client; a client's own FIN, sent when the
    // test closes it, may come after the run has ended and its capture
    // with it.
    let server_fins = listing
        .lines()
        .filter(|l| l.contains("server → client") && l.contains("[FIN, ACK]"))
        .count();
    assert_eq!(server_fins, 2, "{listing}");
    // Only the run's own ports.
    for l in listing.lines().filter(|l| is_packet(l)) {
        assert!(l.contains(&format!("127.0.0.1:{port} ")), "{l}");
    }
}

/// The lines of one part of a lesson's run: from its `── N.` heading to
/// the next heading.
fn part(out: &str, n: u32) -> Vec<&str> {
    let head = format!("── {n}. ");
    out.lines()
        .skip_while(|l| !l.starts_with(&head))
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !l.starts_with("── "))
        .map(|(_, l)| l)
        .collect()
}

fn at(lines: &[&str], what: &[&str]) -> usize {
    lines
        .iter()
        .position(|l| what.iter().all(|w| l.contains(w)))
        .unwrap_or_else(|| panic!("no line with {what:?}:\n{}", lines.join("\n")))
}

/// Lesson 14's page: each bad ending on the wire. SO_LINGER 0 and a close
/// with unread data send an RST inside close; the closed peer's kernel
/// answers data with an RST (in a forked child's send, marked with the
/// child's pid); a killed child's kernel sends a FIN; a reset before
/// accept travels inside the client's close, before accept.
#[test]
fn lesson_14_shows_each_reset_and_the_killed_peers_fin() {
    let out = text(&socklab(&["run", "14", "--packets", "--no-kernel"]));
    // 1. SO_LINGER {on, 0}, then close: an RST, no FIN.
    let p = part(&out, 1);
    let linger = at(
        &p,
        &["│ setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}"],
    );
    let rst = at(
        &p,
        &[
            "client → server",
            "TCP [RST, ACK] seq=1 ack=1 ",
            "· during close(4) (client, ",
        ],
    );
    let reset = at(&p, &["│ recvfrom(5,", "ECONNRESET"]);
    assert!(linger < rst && rst < reset, "{}", p.join("\n"));
    assert!(
        !p.iter().any(|l| is_packet(l) && l.contains("FIN")),
        "{}",
        p.join("\n")
    );
    // 2. A plain close with 7 bytes unread: an RST that acknowledges them.
    let p = part(&out, 2);
    let data = at(
        &p,
        &[
            "server → client",
            "[PSH, ACK] seq=1 ack=1 ",
            "len=7 \"unread\\n\"",
            "during sendto(5) (server, ",
        ],
    );
    let rst = at(
        &p,
        &[
            "client → server",
            "TCP [RST, ACK] seq=1 ack=8 ",
            "· during close(4) (client, ",
        ],
    );
    let reset = at(&p, &["│ recvfrom(5,", "ECONNRESET"]);
    assert!(data < rst && rst < reset, "{}", p.join("\n"));
    assert!(
        !p.iter().any(|l| is_packet(l) && l.contains("FIN")),
        "{}",
        p.join("\n")
    );
    // 3. The server's FIN, then the child's "first" and the RST its bytes
    // draw, both inside the child's sendto: the child's own pid marks them.
    let p = part(&out, 3);
    let child = p[at(&p, &["│ clone(", "← new child process "])]
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let fin = at(
        &p,
        &[
            "server → client",
            "[FIN, ACK] seq=1 ack=1 ",
            "· during close(4) (server, ",
        ],
    );
    let in_child = format!("· during sendto(3) (client, thread {child})");
    let first = at(
        &p,
        &[
            "client → server",
            "[PSH, ACK] seq=1 ack=2 ",
            "len=5 \"first\"",
            &in_child,
        ],
    );
    // The RST travels inside the child's sendto; when the server's wait4
    // has started by then, the mark names that call, the latest of the
    // calls in progress.
    let rst = at(&p, &["server → client", "TCP [RST] seq=2 "]);
    assert!(
        p[rst].contains(&in_child) || p[rst].contains("· during wait4("),
        "{}",
        p[rst]
    );
    let sent = at(&p, &["│ sendto(3, \"first\", 5, 0, NULL, 0)", "= 5"]);
    let epipe = at(&p, &["│ sendto(3, \"second\"", "EPIPE"]);
    // The sends that fail with EPIPE put nothing on the wire.
    assert!(!p[sent..].iter().any(|l| is_packet(l)), "{}", p.join("\n"));
    assert!(
        fin < first && first < rst && rst < sent && sent < epipe,
        "{}",
        p.join("\n")
    );
    // 4. A child killed in its recv: its kernel closes the socket with a
    // FIN (nothing unread), and no RST; the server's recv then returns 0.
    let p = part(&out, 4);
    let accepted = at(&p, &["│ accept(3,", "← new data socket 4"]);
    let fin = at(&p, &["client → server", "TCP [FIN, ACK] seq=1 ack=1 "]);
    let zero = at(&p, &["│ recvfrom(4, \"\", 64, 0, NULL, NULL)", "= 0"]);
    assert!(accepted < fin && fin < zero, "{}", p.join("\n"));
    // No call of the killed child is marked: it makes no more calls.
    let kill = at(&p, &["│ kill(", "SIGKILL)"]);
    assert!(
        !p[fin].contains("(client, ")
            && (!p[fin].contains("· ")
                || p[fin].contains("· during wait4(")
                || p[fin].contains("· during kill(")),
        "{}",
        p[fin]
    );
    assert!(
        p[fin].contains("· during kill(") || kill < fin,
        "{}",
        p.join("\n")
    );
    assert!(
        !p.iter().any(|l| is_packet(l) && l.contains("RST")),
        "{}",
        p.join("\n")
    );
    // 5. The reset before accept: inside the client's close, before the
    // accept that still hands the connection out.
    let p = part(&out, 5);
    let rst = at(
        &p,
        &[
            "client → server",
            "TCP [RST, ACK] seq=1 ack=1 ",
            "· during close(4) (client, ",
        ],
    );
    let accepted = at(&p, &["│ accept(3,", "← new data socket 4"]);
    let reset = at(&p, &["│ recvfrom(4,", "ECONNRESET"]);
    assert!(rst < accepted && accepted < reset, "{}", p.join("\n"));
    // 6. A full queue: the nonblocking connect's SYN gets no answer at
    // all, and its close sends nothing; the listener's close resets the
    // connection left in its queue.
    let p = part(&out, 6);
    let syn = &p[at(
        &p,
        &[
            "client → server",
            "TCP [SYN] seq=0 ",
            "· during connect(5) (client, ",
        ],
    )];
    let port = syn
        .split("127.0.0.1:")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let port = format!(":{port} ");
    assert_eq!(
        p.iter()
            .filter(|l| is_packet(l) && l.contains(&port))
            .count(),
        1,
        "one SYN and nothing else on {port}:\n{}",
        p.join("\n")
    );
    let close4 = at(&p, &["│ close(4)"]);
    let rst = at(
        &p,
        &[
            "server → client",
            "TCP [RST, ACK] ",
            "· during close(3) (server, ",
        ],
    );
    assert!(close4 < rst, "{}", p.join("\n"));
}

/// Where no network namespace can be made, `--packets` says so in one
/// line and exits with 2. The refusal is real: a user namespace of the
/// test's own whose limit of network namespaces is 0, where unshare
/// fails with ENOSPC.
#[test]
fn no_namespace_possible_gives_one_line_and_exit_2() {
    let probe = Command::new("unshare")
        .args(["-r", "true"])
        .output()
        .map(|o| o.status.success());
    if probe.as_ref().map_or(true, |ok| !ok) {
        eprintln!("SKIPPED: this system makes no user namespace for the test (unshare -r)");
        return;
    }
    let o = Command::new("unshare")
        .args([
            "-r",
            "sh",
            "-c",
            "echo 0 > /proc/sys/user/max_net_namespaces && exec \"$0\" run 4 --packets --no-kernel",
            SOCKLAB,
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("unshare");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("socklab: --packets needs a private network namespace for the run, and this system refuses one (unshare(CLONE_NEWNET): No space left on device")
            && err.contains("the limit user.max_net_namespaces or user.max_user_namespaces is reached")
            && err.contains("run socklab as root"),
        "{err}"
    );
}

/// Whether this test may capture on the loopback it runs beside (root, of
/// the machine or of the user namespace that owns this network
/// namespace); if not, it says it skips.
fn may_capture(what: &str) -> bool {
    // SAFETY: geteuid touches no memory.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("SKIPPED: {what} --packets captures on the loopback, which needs root");
    }
    root
}

/// The line index of the first line holding every piece of `what`.
fn line_with(lines: &[&str], what: &[&str]) -> usize {
    at(lines, what)
}

/// `serve --packets`: an outside client's handshake before accept's line,
/// its data before the recv that read it, the echo inside the send, the
/// client's FIN before the recv that returned 0, the server's FIN inside
/// its close; only this server's port.
#[test]
fn serve_with_packets_shows_a_clients_packets_between_the_calls() {
    use std::io::{BufRead, BufReader, Read, Write};
    if !may_capture("serve") {
        return;
    }
    let mut child = Command::new(SOCKLAB)
        .args([
            "serve",
            "127.0.0.1:0",
            "--echo",
            "--count",
            "1",
            "--packets",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("socklab serve");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let port: u16 = loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "serve said nothing");
        if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"ping\n").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut echo = String::new();
    c.read_to_string(&mut echo).unwrap();
    assert_eq!(echo, "ping\n");
    drop(c);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{out}{rest}");
    let lines: Vec<&str> = out.lines().collect();
    let accept = line_with(&lines, &["│ accept(3,", "← new data socket "]);
    let syn = line_with(&lines, &["client → server", "TCP [SYN] seq=0 "]);
    let syn_ack = line_with(&lines, &["server → client", "TCP [SYN, ACK] seq=0 ack=1 "]);
    let ack = line_with(&lines, &["client → server", "TCP [ACK] seq=1 ack=1 "]);
    assert!(syn < syn_ack && syn_ack < ack && ack < accept, "{out}");
    let data = line_with(
        &lines,
        &[
            "client → server",
            "[PSH, ACK] seq=1 ack=1 ",
            "len=5 \"ping\\n\"",
        ],
    );
    let read = line_with(&lines, &["│ recvfrom(", "\"ping\\n\"", "= 5"]);
    // The client may send and close before the server calls accept: its
    // bytes wait in the connection's receive queue.
    assert!(ack < data && data < read, "{out}");
    let echoed = line_with(
        &lines,
        &[
            "server → client",
            "[PSH, ACK] seq=1 ",
            "len=5 \"ping\\n\"",
            "· during sendto(",
        ],
    );
    let sent = line_with(&lines, &["│ sendto(", "\"ping\\n\"", "= 5"]);
    assert!(read < echoed && echoed < sent, "{out}");
    let client_fin = line_with(&lines, &["client → server", "[FIN, ACK] seq=6 "]);
    let zero = line_with(&lines, &["│ recvfrom(", "\"\"", "= 0"]);
    assert!(data < client_fin && client_fin < zero, "{out}");
    let server_fin = line_with(
        &lines,
        &["server → client", "[FIN, ACK] seq=6 ", "· during close("],
    );
    let close = line_with(&lines, &["server data", "│ close("]);
    assert!(zero < server_fin && server_fin < close, "{out}");
    let mine = format!("127.0.0.1:{port} ");
    for l in lines.iter().filter(|l| is_packet(l)) {
        assert!(l.contains(&mine), "only this server's port: {l}");
    }
}

/// `connect --packets`: the same conversation from the client's side,
/// each packet inside the client's call that made it.
#[test]
fn connect_with_packets_shows_its_packets_between_the_calls() {
    use std::io::{Read, Write};
    if !may_capture("connect") {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        c.read_to_end(&mut got).unwrap();
        c.write_all(b"pong\n").unwrap();
        got
    });
    let mut child = Command::new(SOCKLAB)
        .args(["connect", &format!("127.0.0.1:{port}"), "--packets"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("socklab connect");
    child.stdin.take().unwrap().write_all(b"ping\n").unwrap();
    let o = child.wait_with_output().unwrap();
    let out = text(&o);
    assert_eq!(server.join().unwrap(), b"ping\n");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "pong\n");
    let lines: Vec<&str> = out.lines().collect();
    let connect = line_with(&lines, &["│ connect(", "= 0"]);
    let handshake = [
        ("client → server", "TCP [SYN] seq=0 "),
        ("server → client", "TCP [SYN, ACK] seq=0 ack=1 "),
        ("client → server", "TCP [ACK] seq=1 ack=1 "),
    ];
    for (i, (way, flags)) in handshake.iter().enumerate() {
        assert!(
            lines[connect - 3 + i].contains(way)
                && lines[connect - 3 + i].contains(flags)
                && lines[connect - 3 + i].contains("· during connect(")
                && lines[connect - 3 + i].contains("(client, thread "),
            "{flags} inside connect, before its line:\n{out}"
        );
    }
    // The stdin thread sends and shuts down while the main thread waits
    // in recv: which of their lines comes first is the scheduler's, so
    // only the order of each packet and its own call's line is asserted.
    let data = line_with(
        &lines,
        &[
            "client → server",
            "[PSH, ACK] seq=1 ack=1 ",
            "len=5 \"ping\\n\"",
        ],
    );
    let sent = line_with(&lines, &["│ sendto(", "\"ping\\n\"", "= 5"]);
    assert!(connect < data && data < sent, "{out}");
    let fin = line_with(&lines, &["client → server", "[FIN, ACK] seq=6 "]);
    let shutdown = line_with(&lines, &["│ shutdown(", "SHUT_WR", "= 0"]);
    assert!(data < fin && fin < shutdown, "{out}");
    let pong = line_with(
        &lines,
        &[
            "server → client",
            "[PSH, ACK] seq=1 ack=7 ",
            "len=5 \"pong\\n\"",
        ],
    );
    let read = line_with(&lines, &["│ recvfrom(", "\"pong\\n\"", "= 5"]);
    assert!(pong < read, "{out}");
    let server_fin = line_with(&lines, &["server → client", "[FIN, ACK] seq=6 ack=7 "]);
    let zero = line_with(&lines, &["│ recvfrom(", "\"\"", "= 0"]);
    assert!(server_fin < zero, "{out}");
    let theirs = format!("127.0.0.1:{port} ");
    for l in lines.iter().filter(|l| is_packet(l)) {
        assert!(l.contains(&theirs), "only this connection: {l}");
    }
}

/// `serve --packets` and `connect --packets` as anyone but root: one line
/// saying why, exit 2, and no socket made. So too, for anyone, with a
/// Unix address or with `--trace off`.
#[test]
fn serve_and_connect_with_packets_need_root() {
    for (args, why) in [
        (
            &["serve", "unix:/tmp/socklab-packets-unix", "--packets"][..],
            "serve --packets shows TCP and UDP packets: a Unix socket's bytes never pass through a network interface",
        ),
        (
            &["connect", "127.0.0.1:9", "--packets", "--trace", "off"][..],
            "connect --packets puts the packets between the calls: it needs a trace view (pretty, plain or json), not off",
        ),
    ] {
        let o = socklab(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(o.stdout.is_empty());
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with(&format!("socklab: {why}")), "{err}");
    }
    for (command, addr) in [("serve", "127.0.0.1:0"), ("connect", "127.0.0.1:9")] {
        let tmp = TempDir::new(&format!("nobody-{command}"));
        let o = as_nobody(&tmp, &["socklab"], &[command, addr, "--packets"])
            .output()
            .expect("socklab as nobody");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            o.stdout.is_empty(),
            "no call made:\n{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.starts_with(&format!("socklab: {command} --packets needs root: "))
                && err.contains(&format!("(sudo socklab {command} --packets)")),
            "{err}"
        );
    }
}

/// `serve --packets` prints packets live: while the server waits in recv
/// on its first client, a second client's handshake completes in the
/// kernel (it waits in the accept queue), and its packets are printed
/// then, with no call line after them yet.
#[test]
fn serve_with_packets_prints_a_waiting_clients_handshake_live() {
    use std::io::{BufRead, BufReader};
    if !may_capture("serve") {
        return;
    }
    let mut child = Command::new(SOCKLAB)
        .args(["serve", "127.0.0.1:0", "--count", "2", "--packets"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("socklab serve");
    // Never hang: a server still running after 20 s is ended.
    let pid = child.id() as libc::pid_t;
    let (done, watch) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if watch
            .recv_timeout(std::time::Duration::from_secs(20))
            .is_err()
        {
            // SAFETY: kill touches no memory.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let port: u16 = loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "serve said nothing");
        if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let mut next_line = |seen: &mut String| {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "serve ended:\n{seen}"
        );
        seen.push_str(&line);
        line
    };
    let first = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    while !next_line(&mut seen).contains("│ accept(3,") {}
    let second = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let theirs = format!("127.0.0.1:{} ", second.local_addr().unwrap().port());
    let mut after = Vec::new();
    loop {
        let line = next_line(&mut seen);
        let done = line.contains(&theirs) && line.contains("TCP [ACK] seq=1 ack=1 ");
        after.push(line);
        if done {
            break;
        }
    }
    // Only packets since the accept: the server is still in its recv.
    assert!(after.iter().all(|l| is_packet(l)), "{seen}");
    assert!(
        after
            .iter()
            .any(|l| l.contains(&theirs) && l.contains("TCP [SYN] seq=0 ")),
        "{seen}"
    );
    drop(first);
    drop(second);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{seen}{rest}");
    let _ = done.send(());
    watchdog.join().unwrap();
}
