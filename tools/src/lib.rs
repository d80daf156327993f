//! # socklab-tools
//!
//! Everything around the `socklab` library that a student's program does
//! not need: the `socklab` command, the lessons' runtime, and the tools
//! that explain, compare and draw a run.
//!
//! ## Layout
//!
//! - [`lesson`]: what every lesson shares: flags, narration in English or
//!   Korean (with [`lesson::josa`] for Korean particles), `--step`, the peer
//!   it plays, and the catalog of lessons (`lesson/catalog.rs`).
//! - [`kernel`]: the kernel's view of a socket, read from /proc/net.
//! - [`explain`]: `socklab explain`: each call and errno, in both languages;
//!   [`demo`] makes each one happen (`--demo`).
//! - [`against_strace`] runs a program under real strace; [`strace_log`]
//!   reads strace's `-f` log, so the two traces can be compared line by line.
//! - [`record`] reads a recorded run back ([`json`] is its small reader);
//!   [`diagram`] draws it as a sequence diagram, in text or SVG.
//! - [`grade`]: `socklab check`: a student's program graded by the calls
//!   strace saw, with a scripted peer.
//! - [`exercises`]: the student's side: `socklab exercises init DIR` (a
//!   workspace with a stub per exercise), `socklab check` in it, hints
//!   and progress.
//! - [`netcat`]: `socklab serve` and `socklab connect`, a traced netcat.
//! - [`advice`]: what to do about a failed call, one place per errno, for
//!   a lesson's last line and netcat's.
//! - [`args`]: command lines, where a usage error is one line.
//! - [`packets`]: `socklab run N --packets` and `--pcap`: the run's packets,
//!   captured in a process of their own on a private network namespace's
//!   `lo`, put between the calls by their time.
//!
//! The lessons themselves are in `lessons/`, one binary each.

pub mod advice;
pub mod against_strace;
pub mod args;
pub mod demo;
pub mod diagram;
pub mod exercises;
pub mod explain;
pub mod grade;
pub mod json;
pub mod kernel;
pub mod lesson;
pub mod netcat;
pub mod packets;
pub mod record;
pub mod strace_log;
