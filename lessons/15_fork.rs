//! Lesson 15 · a process per client: fork, the last close, zombies.
//!
//! The classic multiprocess server: accept a client, `fork`, and let the
//! child serve it while the parent goes back to `accept`.
//!
//! - **After fork, both processes hold both fds.** fork copies the fd
//!   table: the child has fd 3 (listening) and fd 5 (the client's data
//!   socket) too, and /proc shows the same `socket:[inode]` behind each
//!   number in both processes. So the child closes the listening fd and
//!   the parent closes the data fd.
//! - **A connection ends only when its last fd is closed.** The parent's
//!   close of its copy sends nothing: the client's poll finds nothing to
//!   read and the kernel still says ESTABLISHED. The child's close, the
//!   last copy, sends the FIN, and the client's recv returns 0.
//! - **Zombies.** A child that has exited and that nobody has waited for
//!   stays in the process table, state Z in /proc/PID/stat, and the kernel
//!   has sent its parent SIGCHLD. `waitpid` (the `wait4` system call)
//!   collects its exit status and the zombie is gone; a second waitpid
//!   with no child left fails with ECHILD.
//! - **The classic bug:** a parent that forgets its copy of the data fd.
//!   The child closes its copy and exits, and still no FIN goes out: the
//!   client waits, and the kernel shows the connection ESTABLISHED with no
//!   process serving it, until the parent closes its copy.
//!
//! Every line carries the id of the process (or thread) that made the
//! call, `[pid  1234]`, as `strace -f` writes it. The three actors, the
//! parent, the child and the client (a thread of the parent), take turns
//! (a baton in memory the two processes share), so their lines never mix
//! and the run is the same every time.

use socklab::poll::{poll, PollFlags};
use socklab::process::{fork, wait_any_nohang, waitpid, Forked};
use socklab::trace::Side;
use socklab::{Connection, Errno, Listener, MsgFlags, SockAddr, Socket};
use socklab_tools::kernel;
use socklab_tools::lesson::{self, josa, Lesson, LessonError, Outcome};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

fn main() {
    keep_sigchld_pending();
    socklab::trace::show_pids(true);
    lesson::run(15, flow)
}

/// Whose turn it is: only that actor makes calls and speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Turn {
    Parent = 0,
    Child = 1,
    Client = 2,
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let baton = Baton::new()?;
    let (listener, here) = l.listening_socket(&addr)?;

    // The client: a thread of the parent, acting only on its turn.
    let (say_fd, client_fd) = lesson::cue::<i32>();
    let client = l.peer(Side::Client, &here, move |l, here| {
        client_part(l, baton, &here, say_fd)
    });
    let alone = !l.interactive();

    // Round 1: the server as it should be.
    let client_copy = if alone {
        baton.pass(l, Turn::Client);
        baton.wait(l, Turn::Parent)?;
        client_fd.wait()
    } else {
        None
    };
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "a client: a new data socket.",
        "클라이언트의 연결 요청을 수락합니다: 연결된 소켓이 새로 생깁니다.",
    );
    let (conn, peer) = listener.accept()?;
    let (lfd, dfd) = (listener.fd(), conn.fd());
    l.step(
        "fork",
        &format!("a child process to serve this client. fork copies the whole process, its fd table too: fd {lfd} and fd {dfd} now exist in both processes."),
        &format!("이 클라이언트를 맡을 자식 프로세스를 만듭니다. fork는 프로세스 전체를 복사하고, 파일 디스크립터 테이블도 복사합니다: 이제 fd {} {} 두 프로세스 모두에 있습니다.", josa::gwa(lfd), josa::i(format!("fd {dfd}"))),
    );
    let child_pid = match fork()? {
        Forked::Child => {
            let code = match child_round_1(l, baton, listener, conn, client_copy) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("socklab 15 (child): {}", l.describe(&e));
                    1
                }
            };
            std::process::exit(code);
        }
        Forked::Parent(pid) => pid,
    };
    let child = child_pid.raw();
    let me = std::process::id() as i32;
    for pid in [me, child] {
        for fd in [lfd, dfd] {
            l.proc_fd_of(pid, fd);
        }
    }
    let same = [lfd, dfd].iter().all(|&fd| {
        let link = |pid: i32| std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok();
        link(me).is_some() && link(me) == link(child)
    });
    if same {
        l.say(
            &format!("The parent {me} and the child {child} each hold fd {lfd} and fd {dfd}, and the same socket (the same inode) is behind each number in both: two fds for one socket."),
            &format!("부모 프로세스 {me}, 자식 프로세스 {child} 모두 fd {} {} 가지고 있고, 두 프로세스에서 같은 번호 뒤에 같은 소켓(같은 inode)이 있습니다: 소켓 하나에 fd가 둘입니다.", josa::gwa(lfd), josa::eul(format!("fd {dfd}"))),
        );
    }
    baton.pass(l, Turn::Child);
    baton.wait(l, Turn::Parent)?;

    l.step(
        "close",
        &format!("the parent closes its copy of the data fd {dfd}: the child serves this client."),
        &format!("부모 프로세스는 연결된 소켓 fd {dfd}의 사본을 닫습니다: 이 클라이언트는 자식이 맡습니다."),
    );
    conn.close()?;
    if let Some(v) = server_end(l, &here, &peer) {
        l.kernel_line(&v);
        l.say(
            "Still ESTABLISHED: this close sent no FIN. The socket stays open while the child's fd refers to it.",
            "여전히 ESTABLISHED입니다: 이 close는 FIN을 보내지 않았습니다. 자식의 fd가 가리키는 동안 소켓은 열려 있습니다.",
        );
    }
    baton.pass(l, if alone { Turn::Client } else { Turn::Child });
    baton.wait(l, Turn::Parent)?;

    zombie_and_reap(l, child)?;

    // Round 2: the classic bug.
    let listener = round_2(l, baton, listener, &here, alone, &client_fd)?;
    client.join();

    l.step(
        "close",
        "the server is done: close the listening socket.",
        "서버 일이 끝났으니 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    Ok(())
}

/// The child of round 1: close what it does not serve, then echo the
/// client's line and close the last copy of the data socket.
fn child_round_1(
    l: &'static Lesson,
    baton: &'static Baton,
    listener: Listener,
    conn: Connection,
    client_copy: Option<i32>,
) -> Outcome {
    let me = std::process::id();
    baton.wait(l, Turn::Child)?;
    l.step(
        "close",
        &format!(
            "(child {me}) close the listening fd {}: accepting is the parent's job.",
            listener.fd()
        ),
        &format!(
            "(자식 프로세스 {me}) 리스닝 소켓 fd {} 닫습니다: accept는 부모 프로세스가 할 일입니다.",
            josa::eul(listener.fd())
        ),
    );
    listener.close()?;
    close_client_copy(l, client_copy)?;
    baton.pass(l, Turn::Parent);
    baton.wait(l, Turn::Child)?;

    let fd = conn.fd();
    l.wait_for_peer(&conn)?;
    l.step(
        "recv",
        &format!("(child {me}) the client's line, on fd {fd}."),
        &format!(
            "(자식 프로세스 {me}) {} 클라이언트가 보낸 줄을 수신합니다.",
            josa::ro(format!("fd {fd}"))
        ),
    );
    let mut buf = [0u8; 64];
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    l.step(
        "send",
        &format!("(child {me}) send it back."),
        &format!("(자식 프로세스 {me}) 받은 그대로 돌려보냅니다."),
    );
    conn.send(&buf[..n], MsgFlags::NONE)?;
    l.step(
        "close",
        &format!("(child {me}) close fd {fd}, the last fd for this socket: now the FIN goes out. Then the child exits."),
        &format!("(자식 프로세스 {me}) 이 소켓의 마지막 fd인 fd {} 닫습니다: 이제 FIN이 나갑니다. 그리고 자식 프로세스는 종료합니다.", josa::eul(fd)),
    );
    conn.close()?;
    baton.pass(
        l,
        if l.interactive() {
            Turn::Parent
        } else {
            Turn::Client
        },
    );
    Ok(())
}

/// fork copied the client thread's socket into the child as well: the
/// child has no use for it.
fn close_client_copy(l: &Lesson, client_copy: Option<i32>) -> Outcome {
    let Some(fd) = client_copy else {
        return Ok(());
    };
    let me = std::process::id();
    l.step(
        "close",
        &format!("(child {me}) close fd {fd} too: the client thread's socket. The client is a thread of the parent, and fork copied every fd."),
        &format!("(자식 프로세스 {me}) fd {}도 닫습니다: 클라이언트 스레드의 소켓입니다. 클라이언트는 부모 프로세스의 스레드이고, fork는 모든 fd를 복사했습니다.", fd),
    );
    socklab::raw::close(fd)?;
    Ok(())
}

/// The child has exited and nobody has waited for it: a zombie. SIGCHLD
/// told the parent; waitpid collects it.
fn zombie_and_reap(l: &Lesson, child: i32) -> Outcome {
    let me = std::process::id();
    let stat = format!("/proc/{child}/stat");
    // The child hands over its turn just before it exits: wait (reading
    // /proc, at most two seconds) until the kernel shows it ended, so the
    // WNOHANG below finds it. (With --no-kernel, /proc is read but not
    // shown.)
    let state = kernel::wait_for(Duration::from_secs(2), || {
        Ok(kernel::process_state(child).filter(|&s| s == 'Z'))
    })
    .ok()
    .flatten();
    let shown = state.is_some() && l.shows_kernel();
    if shown {
        l.kernel_line(&format!(
            "{stat}: state Z ({})",
            l.lang.pick("zombie", "좀비")
        ));
        l.say(
            &format!("The child {child} has exited, but it is still in the process table, state Z: a zombie. The kernel keeps its exit status until the parent collects it."),
            &format!("자식 프로세스 {} 종료했지만 아직 프로세스 테이블에 있습니다. 상태는 Z, 좀비 프로세스입니다. 부모 프로세스가 가져갈 때까지 커널이 종료 상태 값을 보관합니다.", josa::eun(child)),
        );
    }
    if let Some(mask) = shown
        .then(|| kernel::signal_pending(libc::SIGCHLD))
        .flatten()
    {
        l.kernel_line(&format!(
            "/proc/{me}/status: ShdPnd {mask} ({})",
            l.lang.pick("SIGCHLD pending", "SIGCHLD 대기 중")
        ));
        l.say(
            "The kernel sent the parent SIGCHLD when the child exited (this lesson blocks it, so it waits, pending, where /proc shows it). A server reaps on SIGCHLD: waitpid until no ended child is left.",
            "자식 프로세스가 종료할 때 커널은 부모 프로세스에게 SIGCHLD를 보냈습니다 (이 실습은 이 시그널을 막아 두었기 때문에, /proc에 보이는 대기 상태로 남아 있습니다). 서버는 SIGCHLD를 받으면 끝난 자식이 없을 때까지 waitpid를 부릅니다.",
        );
    }
    l.step(
        "waitpid",
        "waitpid(-1, &status, WNOHANG): collect any child that has ended, without waiting. The system call is wait4.",
        "waitpid(-1, &status, WNOHANG): 끝난 자식 프로세스가 있으면 기다리지 않고 회수합니다. 시스템 콜은 wait4입니다.",
    );
    // Without /proc there is no telling that the child has ended: wait
    // for it instead (wait4 with no WNOHANG).
    let reaped = if state.is_some() {
        wait_any_nohang()?
    } else {
        Some(socklab::process::wait_any()?)
    };
    if let Some((pid, status)) = reaped {
        let gone = l.shows_kernel() && kernel::process_state(pid.raw()).is_none();
        if gone {
            l.kernel_line(&format!(
                "/proc/{}: {}",
                pid.raw(),
                l.lang.pick("gone", "없음")
            ));
        }
        l.say(
            &format!("wait4 returned the child's pid, {pid}, and its status: it {status}. The zombie is gone from the process table."),
            &format!("wait4는 자식 프로세스의 pid {pid}, 그리고 종료 상태 값을 돌려주었습니다 ({}). 좀비 프로세스는 프로세스 테이블에서 사라졌습니다.", exit_words_ko(&status)),
        );
    }
    l.step(
        "waitpid",
        "again: is any child left?",
        "한 번 더: 남은 자식 프로세스가 있나요?",
    );
    l.expect_errno(
        wait_any_nohang(),
        Errno::ECHILD,
        "ECHILD: this process has no child left to wait for.",
        "ECHILD: 기다릴 자식 프로세스가 하나도 남아 있지 않습니다.",
    )
}

/// Round 2: the parent forgets its copy of the data fd.
fn round_2(
    l: &'static Lesson,
    baton: &'static Baton,
    listener: Listener,
    here: &SockAddr,
    alone: bool,
    client_fd: &lesson::Wait<i32>,
) -> Result<Listener, LessonError> {
    l.say(
        "\nNow the classic bug: a parent that forgets to close its copy of the data fd.",
        "\n이번에는 흔한 버그입니다: 부모 프로세스가 연결된 소켓 fd의 사본을 닫는 것을 잊습니다.",
    );
    let client_copy = if alone {
        baton.pass(l, Turn::Client);
        baton.wait(l, Turn::Parent)?;
        client_fd.wait()
    } else {
        l.say(
            &format!(
                "Connect once more from another terminal: nc {}",
                lesson::nc_args(here)
            ),
            &format!(
                "다른 터미널에서 한 번 더 접속하세요: nc {}",
                lesson::nc_args(here)
            ),
        );
        None
    };
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "the next client.",
        "다음 클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, peer) = listener.accept()?;
    let dfd = conn.fd();
    l.step(
        "fork",
        "a child for it, as before.",
        "앞에서처럼 이 클라이언트를 맡을 자식 프로세스를 만듭니다.",
    );
    let child = match fork()? {
        Forked::Child => {
            let code = match child_round_2(l, baton, listener, conn, client_copy) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("socklab 15 (child): {}", l.describe(&e));
                    1
                }
            };
            std::process::exit(code);
        }
        Forked::Parent(pid) => pid,
    };
    l.say(
        &format!("The bug: the parent goes on without closing its fd {dfd}."),
        &format!(
            "버그: 부모 프로세스가 fd {}의 사본을 닫지 않고 넘어갑니다.",
            dfd
        ),
    );
    baton.pass(l, Turn::Child);
    baton.wait(l, Turn::Parent)?;
    l.step(
        "waitpid",
        "wait for the child: it has served the client and exits.",
        "자식 프로세스를 기다립니다: 클라이언트에게 응답하고 종료합니다.",
    );
    let status = waitpid(child)?;
    if !status.success() {
        return Err(LessonError::Message {
            en: format!("the child process {status}"),
            ko: format!("자식 프로세스가 실패했습니다: {status}"),
        });
    }
    l.say(
        &format!("The child has closed its fd {dfd} and is gone. And yet:"),
        &format!(
            "자식 프로세스는 {} 닫고 사라졌습니다. 그런데도:",
            josa::eul(format!("fd {dfd}"))
        ),
    );
    l.kernel(&conn);
    if let Some(v) = server_end(l, here, &peer) {
        if v.contains("ESTABLISHED") {
            l.say(
                &format!("the connection is still ESTABLISHED: the parent's forgotten fd {dfd} keeps the socket open, and no FIN went out."),
                &format!("연결은 여전히 ESTABLISHED입니다: 부모 프로세스가 잊은 {} 소켓을 열어 두고 있어서 FIN이 나가지 않았습니다.", josa::i(format!("fd {dfd}"))),
            );
        }
    }
    if alone {
        baton.pass(l, Turn::Client);
        baton.wait(l, Turn::Parent)?;
    } else {
        l.say(
            "Your nc got the line, but its connection has not ended (look with `ss -tn` in another terminal). Press Enter for the fix.",
            "nc는 그 줄을 받았지만, 연결은 끝나지 않았습니다 (다른 터미널에서 `ss -tn`으로 보세요). Enter를 누르면 고칩니다.",
        );
        l.wait_for_enter()?;
    }
    l.step(
        "close",
        &format!("the fix: the parent closes fd {dfd}, the last fd for this socket. Now the FIN goes out."),
        &format!("고치기: 부모 프로세스가 이 소켓의 마지막 fd인 fd {} 닫습니다. 이제 FIN이 나갑니다.", josa::eul(dfd)),
    );
    conn.close()?;
    if alone {
        baton.pass(l, Turn::Client);
        baton.wait(l, Turn::Parent)?;
    }
    Ok(listener)
}

/// The child of round 2: closes what it should, sends a line, closes its
/// copy and exits; the parent still holds the data fd.
fn child_round_2(
    l: &'static Lesson,
    baton: &'static Baton,
    listener: Listener,
    conn: Connection,
    client_copy: Option<i32>,
) -> Outcome {
    let me = std::process::id();
    baton.wait(l, Turn::Child)?;
    l.step(
        "close",
        &format!("(child {me}) the listening fd {}.", listener.fd()),
        &format!(
            "(자식 프로세스 {me}) 리스닝 소켓 fd {} 닫습니다.",
            josa::eul(listener.fd())
        ),
    );
    listener.close()?;
    close_client_copy(l, client_copy)?;
    l.step(
        "send",
        &format!("(child {me}) a line for the client."),
        &format!("(자식 프로세스 {me}) 클라이언트에게 한 줄을 송신합니다."),
    );
    conn.send(b"bye\n", MsgFlags::NONE)?;
    l.step(
        "close",
        &format!(
            "(child {me}) close fd {}, done with this client, and exit.",
            conn.fd()
        ),
        &format!(
            "(자식 프로세스 {me}) 이 클라이언트와는 끝났으니 fd {} 닫고 종료합니다.",
            josa::eul(conn.fd())
        ),
    );
    conn.close()?;
    baton.pass(l, Turn::Parent);
    Ok(())
}

/// The client thread: it acts only on its turn, and hands the turn on.
fn client_part(
    l: &'static Lesson,
    baton: &'static Baton,
    here: &SockAddr,
    say_fd: lesson::Give<i32>,
) -> Outcome {
    // Round 1.
    baton.wait(l, Turn::Client)?;
    l.say("the client connects", "클라이언트가 접속합니다");
    let c = Socket::new(here.family())?.connect(here)?;
    c.send(b"hello\n", MsgFlags::NONE)?;
    say_fd.give(c.fd());
    baton.pass(l, Turn::Parent);

    baton.wait(l, Turn::Client)?;
    nothing_to_read(l, &c)?;
    l.say(
        "poll says nothing to read, and the kernel says ESTABLISHED: no FIN came.",
        "poll 결과 읽을 것이 없고, 커널도 ESTABLISHED라고 합니다: FIN은 오지 않았습니다.",
    );
    baton.pass(l, Turn::Child);

    baton.wait(l, Turn::Client)?;
    let mut buf = [0u8; 64];
    c.recv(&mut buf, MsgFlags::NONE)?;
    c.recv(&mut buf, MsgFlags::NONE)?;
    l.kernel(&c);
    l.say(
        "recv returned 0: the FIN of the child's close arrived (CLOSE_WAIT).",
        "recv가 0을 돌려주었습니다: 자식의 close가 보낸 FIN이 도착했습니다 (CLOSE_WAIT).",
    );
    c.close()?;
    baton.pass(l, Turn::Parent);

    // Round 2.
    baton.wait(l, Turn::Client)?;
    l.say("the client connects again", "클라이언트가 다시 접속합니다");
    let c = Socket::new(here.family())?.connect(here)?;
    say_fd.give(c.fd());
    baton.pass(l, Turn::Parent);

    baton.wait(l, Turn::Client)?;
    c.recv(&mut buf, MsgFlags::NONE)?;
    nothing_to_read(l, &c)?;
    l.say(
        "The line came, then nothing: no FIN, though the child that served us is gone. A client reading until EOF would wait for ever.",
        "줄은 왔지만 그 뒤로는 아무것도 없습니다: 응답한 자식 프로세스는 사라졌는데도 FIN이 오지 않았습니다. EOF까지 읽는 클라이언트라면 끝없이 기다립니다.",
    );
    baton.pass(l, Turn::Parent);

    baton.wait(l, Turn::Client)?;
    c.recv(&mut buf, MsgFlags::NONE)?;
    l.say(
        "0: the parent's close, the last fd, sent the FIN.",
        "0: 마지막 fd를 닫은 부모 프로세스의 close가 FIN을 보냈습니다.",
    );
    c.close()?;
    baton.pass(l, Turn::Parent);
    Ok(())
}

/// poll with a zero timeout: is anything readable (bytes, or a FIN) right
/// now? Then the kernel's view of the client's end.
fn nothing_to_read(l: &Lesson, c: &Connection) -> Outcome {
    let ready = poll(&[(c, PollFlags::IN)], 0)?;
    l.kernel(c);
    if ready.iter().all(|r| *r == PollFlags::NONE) {
        Ok(())
    } else {
        Err(LessonError::Message {
            en: "the client's socket became readable: a FIN came early".into(),
            ko: "클라이언트 소켓에 읽을 것이 생겼습니다: FIN이 예상보다 일찍 왔습니다".into(),
        })
    }
}

/// The server's end of the connection with `peer`, in the kernel's words
/// (said as a kernel line by the caller), read from /proc/net/tcp: no fd of
/// this process needs to refer to it.
fn server_end(l: &Lesson, here: &SockAddr, peer: &SockAddr) -> Option<String> {
    if !l.shows_kernel() {
        return None;
    }
    let (local, remote) = (here.to_std()?, peer.to_std()?);
    let found = l.found(kernel::tcp_by_addrs(local, remote).map(|v| v.into_iter().next()))?;
    Some(format!(
        "{}: {}",
        l.lang.pick("the server's end", "서버 쪽 끝"),
        found.summary_in(l.lang)
    ))
}

fn exit_words_ko(status: &socklab::process::ExitStatus) -> String {
    match status {
        socklab::process::ExitStatus::Exited(code) => format!("종료 코드 {code}"),
        other => other.to_string(),
    }
}

/// Block SIGCHLD in every thread (before any starts): an ended child's
/// SIGCHLD then stays pending, where /proc shows it, instead of being
/// discarded at once (its default action is to ignore it).
fn keep_sigchld_pending() {
    // SAFETY: signal-set calls on a local set; the mask is this thread's,
    // inherited by the threads it starts.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGCHLD);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Whose turn it is, in memory the parent and its children share (an
/// anonymous shared mapping made before the first fork), with the step
/// count so the numbering goes on across processes. A waiting actor sleeps
/// in the kernel (a futex) until its turn comes: no socket, no fd.
struct Baton {
    turn: &'static AtomicU32,
    steps: &'static AtomicU32,
}

impl Baton {
    fn new() -> Result<&'static Baton, LessonError> {
        // SAFETY: a fresh anonymous shared mapping of two u32s, never
        // unmapped (the lesson ends soon).
        let at = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                8,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if at == libc::MAP_FAILED {
            return Err(LessonError::Message {
                en: format!("mmap failed: {}", std::io::Error::last_os_error()),
                ko: format!("mmap 실패: {}", std::io::Error::last_os_error()),
            });
        }
        let words = at.cast::<AtomicU32>();
        // SAFETY: the mapping is zeroed, aligned and lives for ever; a
        // zeroed AtomicU32 is 0 (Turn::Parent).
        let (turn, steps) = unsafe { (&*words, &*words.add(1)) };
        Ok(Box::leak(Box::new(Baton { turn, steps })))
    }

    /// Hand the turn to `to`, with this process's step count.
    fn pass(&self, l: &Lesson, to: Turn) {
        self.steps.store(l.steps_so_far(), Ordering::SeqCst);
        self.turn.store(to as u32, Ordering::SeqCst);
        // SAFETY: FUTEX_WAKE on a live, aligned u32 (shared, so not
        // FUTEX_PRIVATE_FLAG): wake every waiter; each checks its turn.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.turn.as_ptr(),
                libc::FUTEX_WAKE,
                i32::MAX,
                std::ptr::null::<libc::timespec>(),
                std::ptr::null::<u32>(),
                0,
            );
        }
    }

    /// Wait until it is `me`'s turn; then number the next step after the
    /// steps the others took. At most ten seconds (or `--timeout` more
    /// with `--wait`; no limit with `--step`, where the learner sets the
    /// pace), so a child never outlives a parent that failed.
    fn wait(&self, l: &Lesson, me: Turn) -> Outcome {
        let limit = (!l.args.step).then(|| {
            Duration::from_secs(if l.interactive() {
                l.args.timeout.saturating_add(10)
            } else {
                10
            })
        });
        let start = Instant::now();
        loop {
            let now = self.turn.load(Ordering::SeqCst);
            if now == me as u32 {
                break;
            }
            let left = match limit {
                Some(limit) => match limit.checked_sub(start.elapsed()) {
                    Some(left) => Some(left),
                    None => {
                        return Err(LessonError::Message {
                            en: format!("{me:?}: the other side did not hand over its turn"),
                            ko: format!("{me:?}: 상대가 차례를 넘겨주지 않았습니다"),
                        })
                    }
                },
                None => None,
            };
            let ts = left.map(|d| libc::timespec {
                tv_sec: d.as_secs() as libc::time_t,
                tv_nsec: d.subsec_nanos() as libc::c_long,
            });
            // SAFETY: FUTEX_WAIT on a live, aligned u32: sleeps only while
            // it still holds `now`, at most `ts`.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.turn.as_ptr(),
                    libc::FUTEX_WAIT,
                    now,
                    ts.as_ref()
                        .map_or(std::ptr::null(), |t| t as *const libc::timespec),
                    std::ptr::null::<u32>(),
                    0,
                );
            }
        }
        let theirs = self.steps.load(Ordering::SeqCst);
        let mine = l.steps_so_far();
        if theirs > mine {
            l.steps_taken_elsewhere(theirs - mine);
        }
        Ok(())
    }
}
