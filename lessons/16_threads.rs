//! Lesson 16 · a thread per client: one fd table for every thread.
//!
//! The server accepts a client and starts a thread to serve it, and goes
//! back to `accept`. Unlike a forked child, a thread gets no copy of
//! anything:
//!
//! - **One fd table.** Every thread of the process uses the same numbers
//!   for the same sockets: /proc/PID/task/TID/fd is the same table for
//!   each thread. A close in one thread closes the fd for all of them: the
//!   main thread's next use of the old number fails with EBADF, and the
//!   number is free, so the next `socket` (in yet another thread) gets it.
//!   (A forked child has a copy of the table instead, and the parent's
//!   copy stays open: lesson 15.)
//! - **One memory.** The serving threads add what they echoed to one
//!   counter, and the main thread reads their sum.
//! - **Thread ids in the trace.** Each line carries `[pid TID]`, as
//!   `strace -f` writes it: the main thread's TID is the process id, and
//!   each thread has its own.
//!
//! The threads take turns through cues in memory, so the lines come out in
//! the same order every run, and the EBADF is no race: the main thread
//! uses the old number only after the serving thread's close returned.

use socklab::trace::{self, Side};
use socklab::{Connection, Errno, MsgFlags, Socket};
use socklab_tools::lesson::{self, josa, Lesson, LessonError, Outcome};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn main() {
    socklab::trace::show_pids(true);
    lesson::run(16, flow)
}

/// A cue the client thread waits for: what to do next.
enum Go {
    /// Read the echo until the FIN, then open a second connection (while
    /// still holding the first socket).
    ReadThenReconnect,
    /// Read the second echo until the FIN, and close both sockets.
    ReadThenClose,
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let (listener, here) = l.listening_socket(&addr)?;
    let me = std::process::id() as i32;
    let alone = !l.interactive();

    let (tell_client, client_go) = lesson::cue::<Go>();
    let (say_connected, connected) = lesson::cue::<(i32, i32)>();
    let client = l.peer(Side::Client, &here, move |l, here| {
        l.say("the client connects", "클라이언트가 접속합니다");
        let first = Socket::new(here.family())?.connect(&here)?;
        first.send(b"one\n", MsgFlags::NONE)?;
        say_connected.give((first.fd(), gettid()));
        let mut buf = [0u8; 64];
        let Some(Go::ReadThenReconnect) = client_go.wait() else {
            return Ok(());
        };
        while first.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        l.say(
            &format!("a second connection, while fd {} is still open", first.fd()),
            &format!(
                "{} 아직 연 채로 두 번째 연결을 만듭니다",
                josa::eul(format!("fd {}", first.fd()))
            ),
        );
        let second = Socket::new(here.family())?.connect(&here)?;
        second.send(b"two\n", MsgFlags::NONE)?;
        say_connected.give((second.fd(), gettid()));
        let Some(Go::ReadThenClose) = client_go.wait() else {
            return Ok(());
        };
        while second.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        second.close()?;
        first.close()?;
        Ok(())
    });

    let echoed = Arc::new(AtomicUsize::new(0));
    let client_tid = if alone {
        connected.wait().map(|c| c.1)
    } else {
        None
    };

    // Client 1, served by thread 1.
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "a client: a new data socket.",
        "클라이언트의 연결 요청을 수락합니다: 연결된 소켓이 새로 생깁니다.",
    );
    let (conn, _) = listener.accept()?;
    let dfd = conn.fd();
    let (worker_1, closed_1) = serve_in_a_thread(l, conn, &echoed, 1)?;
    let tid_1 = worker_1.tid;
    show_threads(l, me, client_tid, &[tid_1], dfd);
    worker_1.go();
    closed_1.wait();

    l.step(
        "recv",
        &format!("the main thread still has the number {dfd} in a variable, and uses it."),
        &format!(
            "메인 스레드는 번호 {} 아직 변수에 가지고 있고, 그 번호를 씁니다.",
            josa::eul(dfd)
        ),
    );
    let mut buf = [0u8; 64];
    l.expect_errno(
        socklab::raw::recv(dfd, &mut buf, MsgFlags::DONTWAIT),
        Errno::EBADF,
        &format!("EBADF: thread {tid_1} closed fd {dfd}, and that closed it for every thread of the process."),
        &format!("EBADF: 스레드 {} {} 닫았고, 그것으로 프로세스의 모든 스레드에서 닫혔습니다.", josa::i(tid_1), josa::eul(format!("fd {dfd}"))),
    )?;
    if l.shows_kernel() && !std::path::Path::new(&format!("/proc/{me}/fd/{dfd}")).exists() {
        l.kernel_line(&format!(
            "/proc/{me}/fd/{dfd}: {}",
            l.lang.pick("gone", "없음")
        ));
    }

    // The client's second socket, or an outside client's second connection.
    if alone {
        tell_client.give(Go::ReadThenReconnect);
        if let Some((fd, _)) = connected.wait() {
            if fd == dfd {
                l.say(
                    &format!("The client thread's new socket got fd {fd}: the number thread {tid_1} closed, handed out again to another thread of the same process."),
                    &format!("클라이언트 스레드의 새 소켓은 {} 받았습니다: 스레드 {} 닫은 번호가 같은 프로세스의 다른 스레드에게 다시 주어졌습니다.", josa::eul(format!("fd {fd}")), josa::i(tid_1)),
                );
            }
        }
    } else {
        l.say(
            &format!(
                "Connect once more from another terminal: nc {}",
                lesson::nc_args(&here)
            ),
            &format!(
                "다른 터미널에서 한 번 더 접속하세요: nc {}",
                lesson::nc_args(&here)
            ),
        );
    }
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "the next client.",
        "다음 클라이언트의 연결 요청을 수락합니다.",
    );
    let (conn, _) = listener.accept()?;
    if !alone && conn.fd() == dfd {
        l.say(
            &format!(
                "fd {dfd} again: the number thread {tid_1} closed is free for the whole process."
            ),
            &format!(
                "다시 fd {dfd}입니다: 스레드 {} 닫은 번호는 프로세스 전체에서 비어 있습니다.",
                josa::i(tid_1)
            ),
        );
    }
    let (worker_2, closed_2) = serve_in_a_thread(l, conn, &echoed, 2)?;
    worker_2.go();
    closed_2.wait();
    if alone {
        tell_client.give(Go::ReadThenClose);
    }
    client.join();
    worker_1.join();
    worker_2.join();
    let total = echoed.load(Ordering::SeqCst);
    l.say(
        &format!("The two serving threads added what they echoed to one counter in memory: the main thread reads {total} bytes. Threads share memory as they share the fd table; a forked child gets a copy of the fd table instead, and its close leaves the parent's fd open (lesson 15)."),
        &format!("두 스레드는 돌려보낸 바이트 수를 메모리의 카운터 하나에 더했고, 메인 스레드는 {total}바이트를 읽습니다. 스레드는 파일 디스크립터 테이블처럼 메모리도 함께 씁니다. fork로 만든 자식 프로세스는 파일 디스크립터 테이블의 사본을 받기 때문에, 자식이 close해도 부모 프로세스의 fd는 열려 있습니다 (실습 15)."),
    );

    l.step(
        "close",
        "the server is done: close the listening socket.",
        "서버 일이 끝났으니 리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    Ok(())
}

/// A thread serving one client, started and waiting for its cue.
struct Worker {
    tid: i32,
    go: lesson::Give<()>,
    handle: std::thread::JoinHandle<()>,
}

impl Worker {
    fn go(&self) {
        self.go.give(());
    }

    fn join(self) {
        let _ = self.handle.join();
    }
}

/// Start a thread for `conn` (pthread_create; strace shows `clone3`). It
/// waits for its cue, echoes one line, closes the data socket and tells
/// the main thread (the returned cue).
fn serve_in_a_thread(
    l: &'static Lesson,
    conn: Connection,
    echoed: &Arc<AtomicUsize>,
    n: u32,
) -> Result<(Worker, lesson::Wait<()>), LessonError> {
    let fd = conn.fd();
    l.step(
        "pthread_create",
        &format!("a thread to serve client {n} on fd {fd}; the main thread goes back to accept. (strace -f shows a clone3 with CLONE_VM|CLONE_FILES: the new thread shares the memory and the fd table.)"),
        &format!("{n}번 클라이언트를 {} 맡을 스레드를 만듭니다. 메인 스레드는 다시 accept로 돌아갑니다. (strace -f에는 CLONE_VM|CLONE_FILES가 들어 있는 clone3 호출이 보입니다: 새 스레드는 메모리와 파일 디스크립터 테이블을 함께 씁니다.)", josa::ro(format!("fd {fd}"))),
    );
    let (give_tid, tid) = lesson::cue::<i32>();
    let (go, wait_go) = lesson::cue::<()>();
    let (say_closed, closed) = lesson::cue::<()>();
    let echoed = Arc::clone(echoed);
    let handle = std::thread::Builder::new()
        .name(format!("client-{n}"))
        .spawn(move || {
            trace::set_side(Side::Server);
            give_tid.give(gettid());
            if wait_go.wait().is_none() {
                return;
            }
            if let Err(e) = serve(l, conn, &echoed) {
                l.exit_with(&e);
            }
            say_closed.give(());
        })
        .map_err(|e| LessonError::Message {
            en: format!("cannot start a thread: {e}"),
            ko: format!("스레드를 만들 수 없습니다: {e}"),
        })?;
    let tid = tid.wait().unwrap_or(0);
    Ok((Worker { tid, go, handle }, closed))
}

/// One client, in its own thread: echo its line, close.
fn serve(l: &Lesson, conn: Connection, echoed: &AtomicUsize) -> Outcome {
    let me = gettid();
    let fd = conn.fd();
    l.wait_for_peer(&conn)?;
    l.step(
        "recv",
        &format!("(thread {me}) the client's line, on fd {fd}."),
        &format!(
            "(스레드 {me}) {} 클라이언트가 보낸 줄을 수신합니다.",
            josa::ro(format!("fd {fd}"))
        ),
    );
    let mut buf = [0u8; 64];
    let n = conn.recv(&mut buf, MsgFlags::NONE)?;
    l.step(
        "send",
        &format!("(thread {me}) send it back."),
        &format!("(스레드 {me}) 받은 그대로 돌려보냅니다."),
    );
    let sent = conn.send(&buf[..n], MsgFlags::NONE)?;
    echoed.fetch_add(sent, Ordering::SeqCst);
    l.step(
        "close",
        &format!("(thread {me}) done with this client: close fd {fd}."),
        &format!(
            "(스레드 {me}) 이 클라이언트와는 끝났습니다: fd {} 닫습니다.",
            josa::eul(fd)
        ),
    );
    conn.close()?;
    Ok(())
}

/// The process's threads, from /proc/PID/task, and fd `fd` as each thread
/// sees it: one table.
fn show_threads(l: &Lesson, pid: i32, client: Option<i32>, workers: &[i32], fd: i32) {
    if !l.shows_kernel() {
        return;
    }
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    let mut tids: Vec<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    let (main_w, client_w, worker_w, other_w) = l.lang.pick2(
        (
            "the main thread: TID = pid",
            "the client",
            "serves the client",
            "the lesson's timer",
        ),
        (
            "메인 스레드: TID = pid",
            "클라이언트",
            "클라이언트를 맡음",
            "실습의 타이머",
        ),
    );
    let label = |tid: i32| {
        if tid == pid {
            main_w
        } else if Some(tid) == client {
            client_w
        } else if workers.contains(&tid) {
            worker_w
        } else {
            other_w
        }
    };
    let list = tids
        .iter()
        .map(|t| format!("{t} ({})", label(*t)))
        .collect::<Vec<_>>()
        .join(", ");
    l.kernel_line(&format!("/proc/{pid}/task: {list}"));
    for tid in [pid].iter().chain(workers) {
        let target = std::fs::read_link(format!("/proc/{pid}/task/{tid}/fd/{fd}"))
            .map(|p| p.display().to_string())
            .unwrap_or_else(|e| e.to_string());
        l.kernel_line(&format!("/proc/{pid}/task/{tid}/fd/{fd} -> {target}"));
    }
    l.say(
        &format!("{} threads, one process {pid}: every thread sees the same fd {fd}, the same socket. There is one fd table, /proc/{pid}/fd.", tids.len()),
        &format!("프로세스 {pid} 하나에 스레드가 {}개 있습니다: 모든 스레드에서 {} 같은 소켓입니다. 파일 디스크립터 테이블은 /proc/{pid}/fd 하나뿐입니다.", tids.len(), josa::eun(format!("fd {fd}"))),
    );
}

fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}
