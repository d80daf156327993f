//! Lesson 12 · Unix-domain sockets: a path for an address, socketpair,
//! passing an fd.
//!
//! A Unix-domain socket (`AF_UNIX`) connects two processes on one
//! machine. Its address is not an IP address and a port but a name, and
//! the lesson shows the three kinds of name and what each leaves behind:
//!
//! - **a path**: `bind` makes a file of type socket there. `close` gives
//!   the socket back but leaves the file, and while the file is there a
//!   second `bind` to the path fails with EADDRINUSE, even with no socket
//!   behind it (/proc/net/unix lists none). `unlink`, a file-system call,
//!   removes it; the lesson's `unlink` is traced like its socket calls.
//! - **an abstract name** (Linux only): `sun_path` starts with a NUL
//!   byte, which strace and /proc/net/unix write as `@`. No file is made,
//!   and the name is gone with the last socket that had it.
//! - **no name at all**: `socketpair` gives two sockets already connected
//!   to each other; `getsockname` and `getpeername` give back only the
//!   family.
//!
//! Last, a forked child passes an open socket to its parent with
//! `sendmsg` and SCM_RIGHTS, and exits. The parent's `recvmsg` gets the
//! socket under another fd number (the lowest free one in *its* table),
//! and /proc shows the same `socket:[inode]` behind both numbers: an fd is
//! an index into one process's table, and the socket is the kernel's.

use socklab::process::{fork, waitpid, Forked};
use socklab::trace::Side;
use socklab::{unlink, Connection, Errno, Family, MsgFlags, SockAddr, Socket, UnixName};
use socklab_tools::kernel;
use socklab_tools::lesson::{self, josa, Lesson, LessonError, Outcome};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    lesson::run(12, flow)
}

fn flow(l: &'static Lesson) -> Outcome {
    let folder = Folder::new()?;
    let path = folder.0.join("lesson.sock");
    path_socket(l, &path)?;
    abstract_name(l, &path)?;
    let (mine, childs) = pair(l)?;
    pass_an_fd(l, mine, childs)
}

/// A path: bind makes the file, close leaves it, unlink removes it.
fn path_socket(l: &'static Lesson, path: &Path) -> Outcome {
    let addr = SockAddr::unix(path);

    l.step(
        "socket",
        "a Unix-domain stream socket: AF_UNIX, SOCK_STREAM. Its address will be a path, not an IP address and a port.",
        "유닉스 도메인 스트림 소켓을 만듭니다: AF_UNIX, SOCK_STREAM. 주소는 IP 주소와 포트가 아니라 경로입니다.",
    );
    let first = Socket::new(Family::Unix)?;
    l.step(
        "bind",
        "bind to a path in the lesson's own folder: the kernel makes a file there.",
        "실습용 폴더 안의 경로로 주소를 할당합니다: 커널이 그 자리에 파일을 만듭니다.",
    );
    first.bind(&addr)?;
    show_file(l, path);
    l.kernel(&first);

    l.step(
        "close",
        "close the socket, and look at the path again.",
        "소켓을 닫고 경로를 다시 봅니다.",
    );
    first.close()?;
    show_file(l, path);
    if show_unix_name(l, &path.display().to_string()) {
        l.say(
            "close gave the socket back to the kernel, and /proc/net/unix lists no socket with that path; but the file is still there. close does not remove it.",
            "close로 소켓은 커널에 반납했고 /proc/net/unix에도 그 경로의 소켓이 없습니다. 하지만 파일은 그대로 남아 있습니다. close는 파일을 지우지 않습니다.",
        );
    } else {
        l.say(
            "close gave the socket back to the kernel, but the file is still there. close does not remove it.",
            "close로 소켓은 커널에 반납했지만 파일은 그대로 남아 있습니다. close는 파일을 지우지 않습니다.",
        );
    }

    l.step(
        "socket",
        "a new socket, to bind the same path again.",
        "같은 경로에 다시 주소를 할당해 보려고 새 소켓을 만듭니다.",
    );
    let server = Socket::new(Family::Unix)?;
    l.step("bind", "the same path.", "같은 경로로 bind합니다.");
    l.expect_errno(
        server.bind(&addr),
        Errno::EADDRINUSE,
        "EADDRINUSE: the file takes the path, though no socket is behind it.",
        "EADDRINUSE: 뒤에 소켓이 없는데도 파일이 그 경로를 차지하고 있습니다.",
    )?;

    l.step(
        "unlink",
        "remove the file. unlink is a file-system call, not a socket call, and strace shows it as well.",
        "파일을 지웁니다. unlink는 소켓이 아니라 파일 시스템의 시스템 콜이고, strace에도 보입니다.",
    );
    unlink(path)?;
    show_file(l, path);

    l.step(
        "bind",
        "bind again: the path is free now.",
        "다시 bind합니다: 이제 경로가 비어 있습니다.",
    );
    server.bind(&addr)?;
    show_file(l, path);
    l.step(
        "listen",
        "listen, as a TCP server does: clients connect to the path.",
        "TCP 서버처럼 listen합니다: 클라이언트는 이 경로로 연결을 요청합니다.",
    );
    let listener = server.listen(128)?;
    l.kernel(&listener);

    // The peer: one client. It connects, sends a line, and reads until
    // the server closes. Its cue says when its connect has returned.
    let (say_connected, connected) = lesson::cue::<()>();
    let client = l.peer(Side::Client, &addr, move |l, addr| {
        l.say(
            "the client connects to the path",
            "클라이언트가 경로로 연결을 요청합니다",
        );
        let c = Socket::new(Family::Unix)?.connect(&addr)?;
        say_connected.give(());
        c.send(b"hello over a path\n", MsgFlags::NONE)?;
        let mut buf = [0u8; 64];
        while c.recv(&mut buf, MsgFlags::NONE)? > 0 {}
        c.close()?;
        Ok(())
    });
    if l.interactive() {
        l.say(
            "Type a line in that terminal and press Enter.",
            "그 터미널에서 한 줄을 입력하고 Enter를 누르세요.",
        );
    }

    connected.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "take the client's connection: a new data socket, as with TCP.",
        "클라이언트의 연결 요청을 수락합니다: TCP처럼 연결된 소켓이 새로 생깁니다.",
    );
    let (conn, peer) = listener.accept()?;
    match &peer {
        SockAddr::Unix(UnixName::Unnamed) => l.say(
            "The client's address is only the family, {sa_family=AF_UNIX}: it never called bind, and a Unix client needs no name to connect.",
            "클라이언트의 주소에는 주소 체계 {sa_family=AF_UNIX}뿐입니다: 클라이언트는 bind한 적이 없고, 유닉스 도메인 소켓의 클라이언트는 이름 없이도 연결을 요청할 수 있습니다.",
        ),
        other => l.say(
            &format!("The client bound a name of its own: {other}."),
            &format!("클라이언트는 자기 이름을 할당해 두었습니다: {other}."),
        ),
    }
    l.kernel(&conn);

    l.wait_for_peer(&conn)?;
    l.step(
        "recv",
        "what the client sent.",
        "클라이언트가 보낸 데이터를 수신합니다.",
    );
    let mut buf = [0u8; 64];
    conn.recv(&mut buf, MsgFlags::NONE)?;
    l.step(
        "close",
        "done with this client: close its data socket, and the client's recv returns 0.",
        "이 클라이언트와는 끝났습니다: 연결된 소켓을 닫으면 클라이언트의 recv는 0을 돌려줍니다.",
    );
    conn.close()?;
    client.join();

    l.step(
        "close",
        "close the listening socket.",
        "리스닝 소켓을 닫습니다.",
    );
    listener.close()?;
    l.step(
        "unlink",
        "a server removes its file when it ends; otherwise its next start meets EADDRINUSE, as above.",
        "서버는 끝날 때 자기 파일을 지웁니다. 그러지 않으면 다음에 시작할 때 위에서처럼 EADDRINUSE를 만납니다.",
    );
    unlink(path)?;
    show_file(l, path);
    Ok(())
}

/// The same text as an abstract name: no file, and gone with its socket.
fn abstract_name(l: &'static Lesson, path: &Path) -> Outcome {
    use std::os::unix::ffi::OsStrExt;
    let name = path.as_os_str().as_bytes().to_vec();
    let shown = format!("@{}", path.display());
    let addr = SockAddr::Unix(UnixName::Abstract(name));

    l.step(
        "socket",
        "another Unix socket, for an abstract name.",
        "추상 이름(abstract name)을 할당할 유닉스 도메인 소켓을 하나 더 만듭니다.",
    );
    let s = Socket::new(Family::Unix)?;
    l.step(
        "bind",
        "the same text as before, but as an abstract name: sun_path starts with a NUL byte, which strace writes as @. Linux only.",
        "앞과 같은 글자를 이번에는 추상 이름으로 할당합니다: sun_path가 NUL 바이트로 시작하고, strace는 그것을 @로 씁니다. 리눅스에만 있는 기능입니다.",
    );
    s.bind(&addr)?;
    l.kernel(&s);
    show_file(l, path);
    l.say(
        "No file at the path: an abstract name lives in the kernel only (/proc/net/unix writes it @name), so there is nothing to unlink.",
        "그 경로에 파일은 없습니다: 추상 이름은 커널 안에만 있으므로(/proc/net/unix에는 @name으로 나옵니다) unlink할 것도 없습니다.",
    );

    l.step(
        "close",
        "close the only socket with that name.",
        "그 이름을 가진 유일한 소켓을 닫습니다.",
    );
    s.close()?;
    let _ = show_unix_name(l, &shown);

    l.step(
        "socket",
        "a new socket, to take the name again.",
        "그 이름을 다시 할당해 보려고 새 소켓을 만듭니다.",
    );
    let again = Socket::new(Family::Unix)?;
    l.step(
        "bind",
        "the same abstract name.",
        "같은 추상 이름으로 bind합니다.",
    );
    again.bind(&addr)?;
    l.say(
        "bind succeeds at once, with no unlink: the name went away with its last socket.",
        "unlink 없이 바로 성공합니다: 이름은 마지막 소켓과 함께 사라졌습니다.",
    );
    l.step("close", "close it.", "이 소켓도 닫습니다.");
    again.close()?;
    Ok(())
}

/// Two sockets connected to each other, and no address anywhere.
fn pair(l: &'static Lesson) -> Result<(Connection, Connection), LessonError> {
    l.step(
        "socketpair",
        "two Unix sockets, already connected to each other: no bind, no listen, no connect.",
        "서로 연결된 유닉스 도메인 소켓 두 개를 한 번에 만듭니다: bind도, listen도, connect도 없습니다.",
    );
    let (a, b) = Connection::socketpair()?;
    l.step(
        "getsockname",
        "this end's address.",
        "이쪽 끝의 주소를 확인합니다.",
    );
    a.getsockname()?;
    l.step(
        "getpeername",
        "the other end's address.",
        "상대 끝의 주소를 확인합니다.",
    );
    a.getpeername()?;
    l.say(
        "Both give back only the family, {sa_family=AF_UNIX}, in 2 bytes ([128 => 2]): neither end has a name, and none is needed.",
        "둘 다 주소 체계 {sa_family=AF_UNIX}만, 2바이트로([128 => 2]) 돌려줍니다: 어느 쪽에도 이름이 없고, 필요하지도 않습니다.",
    );
    l.kernel(&a);
    l.kernel(&b);
    Ok((a, b))
}

/// x86-64's number for wait4, as /proc/PID/syscall shows it.
const SYS_WAIT4: i64 = 61;

/// A forked child makes a socket and passes it to its parent over the
/// socketpair; the parent receives it under another number.
fn pass_an_fd(l: &'static Lesson, mine: Connection, childs: Connection) -> Outcome {
    let (parent_fd, child_fd) = (mine.fd(), childs.fd());
    l.step(
        "fork",
        &format!("a child process: it gets a copy of every fd, {parent_fd} and {child_fd} too. The parent keeps {parent_fd} and waits for the child; the child keeps {child_fd}, makes a socket and passes it to the parent."),
        &format!(
            "자식 프로세스를 만듭니다: 자식은 모든 fd의 사본을 받습니다. fd {} fd {child_fd}도 마찬가지입니다. 부모 프로세스는 {} 쓰고 자식을 기다립니다. 자식은 {} 쓰고, 소켓을 하나 만들어 부모에게 전달합니다.",
            josa::gwa(parent_fd),
            josa::eul(format!("fd {parent_fd}")),
            josa::eul(format!("fd {child_fd}")),
        ),
    );
    let told = Told::new()?;
    let steps_before = l.steps_so_far();
    match fork()? {
        Forked::Child => {
            let code = match child(l, mine, childs, &told) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("socklab 12 (child): {}", l.describe(&e));
                    1
                }
            };
            std::process::exit(code);
        }
        Forked::Parent(pid) => {
            let child_pid = pid.raw();
            let status = waitpid(pid)?;
            l.steps_taken_elsewhere(told.steps().saturating_sub(steps_before));
            if !status.success() {
                return Err(LessonError::Message {
                    en: format!("the child process {status}"),
                    ko: format!("자식 프로세스가 실패했습니다: {status}"),
                });
            }
            parent(l, mine, childs, child_pid, told.inode())
        }
    }
}

/// The child's part. The parent is blocked in wait4 all along, so the
/// two processes' lines never mix.
fn child(l: &'static Lesson, mine: Connection, childs: Connection, told: &Told) -> Outcome {
    let result = child_steps(l, mine, childs, told);
    told.set_steps(l.steps_so_far());
    result
}

fn child_steps(l: &'static Lesson, mine: Connection, childs: Connection, told: &Told) -> Outcome {
    wait_until_parent_waits();
    let me = std::process::id();
    let said = |en: &str, ko: &str| {
        l.say(
            &format!("child {me}: {en}"),
            &format!("자식 프로세스 {me}: {ko}"),
        )
    };
    let parent_fd = mine.fd();
    l.step(
        "close",
        &format!("(child {me}) close our copy of fd {parent_fd}: that end is the parent's."),
        &format!(
            "(자식 프로세스 {me}) fd {parent_fd}의 사본을 닫습니다: 그쪽 끝은 부모의 것입니다."
        ),
    );
    mine.close()?;
    l.step(
        "socketpair",
        &format!("(child {me}) a new pair of sockets, made in the child."),
        &format!("(자식 프로세스 {me}) 자식이 새 소켓 쌍을 만듭니다."),
    );
    let (kept, passed) = Connection::socketpair()?;
    l.step(
        "send",
        &format!(
            "(child {me}) a line into fd {}: it waits in the receive buffer of fd {}.",
            kept.fd(),
            passed.fd()
        ),
        &format!(
            "(자식 프로세스 {me}) fd {}에 한 줄을 송신합니다: 이 데이터는 fd {}의 수신 버퍼에서 기다립니다.",
            kept.fd(),
            passed.fd()
        ),
    );
    kept.send(b"made by the child\n", MsgFlags::NONE)?;
    said(
        &format!("fd {} is this socket:", passed.fd()),
        &format!("fd {}의 소켓은 이것입니다:", passed.fd()),
    );
    l.proc_pid_fd(&passed);
    told.set_inode(kernel::socket_inode(passed.fd()).unwrap_or(0));
    l.step(
        "sendmsg",
        &format!(
            "(child {me}) pass fd {} to the parent over fd {}: an SCM_RIGHTS control message, which strace decodes as cmsg_data=[{}].",
            passed.fd(),
            childs.fd(),
            passed.fd()
        ),
        &format!(
            "(자식 프로세스 {me}) {} 통해 {} 부모에게 전달합니다: SCM_RIGHTS 제어 메시지이고, strace는 cmsg_data=[{}]로 풀어 보여 줍니다.",
            josa::eul(format!("fd {}", childs.fd())),
            josa::eul(format!("fd {}", passed.fd())),
            passed.fd()
        ),
    );
    childs.sendmsg(b"fd", &passed, MsgFlags::NONE)?;
    l.step(
        "close",
        &format!(
            "(child {me}) close fd {}, our number for the passed socket.",
            passed.fd()
        ),
        &format!(
            "(자식 프로세스 {me}) 전달한 소켓을 가리키던 이쪽 번호 {} 닫습니다.",
            josa::eul(format!("fd {}", passed.fd()))
        ),
    );
    passed.close()?;
    l.step(
        "close",
        &format!("(child {me}) close fd {}, the other end.", kept.fd()),
        &format!(
            "(자식 프로세스 {me}) 다른 쪽 끝인 fd {}도 닫습니다.",
            kept.fd()
        ),
    );
    kept.close()?;
    l.step(
        "close",
        &format!(
            "(child {me}) close fd {}, our end of the pair with the parent, and exit.",
            childs.fd()
        ),
        &format!(
            "(자식 프로세스 {me}) 부모와 이어진 이쪽 끝 fd {}도 닫고 종료합니다.",
            childs.fd()
        ),
    );
    childs.close()?;
    Ok(())
}

/// The parent's part, after the child has exited.
fn parent(
    l: &'static Lesson,
    mine: Connection,
    childs: Connection,
    child_pid: i32,
    childs_inode: u64,
) -> Outcome {
    l.say(
        &format!("The child {child_pid} has exited, and every fd it had is closed. The socket it passed is still in the message waiting on fd {}.", mine.fd()),
        &format!("자식 프로세스 {} 종료했고, 자식의 fd는 모두 닫혔습니다. 자식이 전달한 소켓은 fd {}에서 기다리는 메시지 안에 아직 있습니다.", josa::i(child_pid), mine.fd()),
    );
    l.step(
        "close",
        &format!(
            "our copy of fd {}, the child's end: the parent does not use it.",
            childs.fd()
        ),
        &format!(
            "자식 쪽 끝인 fd {}의 사본을 닫습니다: 부모는 쓰지 않습니다.",
            childs.fd()
        ),
    );
    childs.close()?;
    l.step(
        "recvmsg",
        "receive the message and the socket in it.",
        "메시지와 그 안에 든 소켓을 수신합니다.",
    );
    let mut buf = [0u8; 64];
    let (_, mut sockets) = mine.recvmsg::<Connection>(&mut buf, MsgFlags::NONE)?;
    let Some(got) = sockets.pop() else {
        return Err(LessonError::Message {
            en: "recvmsg brought no socket".into(),
            ko: "recvmsg로 받은 소켓이 없습니다".into(),
        });
    };
    l.proc_pid_fd(&got);
    let here = kernel::socket_inode(got.fd()).unwrap_or(0);
    if here != 0 && here == childs_inode {
        l.say(
            &format!("The socket arrived as fd {}, the lowest number free in the parent's table; the child had another number for it. The inode, {here}, is the one the child showed: one socket, kept by the kernel, with a number in each process that holds it.", got.fd()),
            &format!("소켓은 {} 도착했습니다. 부모의 파일 디스크립터 테이블에서 비어 있는 가장 작은 번호이고, 자식에게서는 다른 번호였습니다. {} 자식이 보여 준 것과 같습니다: 소켓은 커널 안에 하나 있고, 그 소켓을 가진 프로세스마다 번호가 따로 있을 뿐입니다.", josa::ro(format!("fd {}", got.fd())), josa::eun(format!("inode {here}"))),
        );
    } else {
        l.say(
            &format!("The socket arrived as fd {}. (/proc could not show its inode in both processes here.)", got.fd()),
            &format!("소켓은 {} 도착했습니다. (여기서는 /proc으로 두 프로세스의 inode를 볼 수 없었습니다.)", josa::ro(format!("fd {}", got.fd()))),
        );
    }
    l.step(
        "recv",
        "read from the socket the child made.",
        "자식이 만든 소켓에서 수신합니다.",
    );
    got.recv(&mut buf, MsgFlags::NONE)?;
    l.say(
        "The line the child sent before passing the socket was in it all along.",
        "자식이 소켓을 전달하기 전에 보낸 줄이 그대로 들어 있었습니다.",
    );
    l.step("recv", "again.", "한 번 더 수신합니다.");
    got.recv(&mut buf, MsgFlags::NONE)?;
    l.say(
        "0: the other end is closed (the child closed it before it exited).",
        "0: 상대 끝이 닫혔습니다 (자식이 종료하기 전에 닫았습니다).",
    );
    l.step("close", "close it.", "이 소켓을 닫습니다.");
    got.close()?;
    l.step(
        "close",
        "and our end of the pair.",
        "부모 쪽 끝도 닫습니다.",
    );
    mine.close()?;
    Ok(())
}

/// Two numbers the child tells its parent through memory they share (an
/// anonymous shared mapping made before the fork), not through a socket:
/// the passed socket's inode, for the parent to compare with its own, and
/// how many steps the lesson had counted when the child ended.
struct Told(*mut u64);

impl Told {
    fn new() -> Result<Told, LessonError> {
        // SAFETY: a fresh anonymous mapping of two u64s, shared with
        // children forked after this; never unmapped (the lesson ends soon).
        let at = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                16,
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
        Ok(Told(at.cast()))
    }

    fn set_inode(&self, inode: u64) {
        // SAFETY: the mapping holds two u64s; one process writes at a time
        // (the parent reads only after wait4).
        unsafe { self.0.write_volatile(inode) }
    }

    fn inode(&self) -> u64 {
        // SAFETY: as above.
        unsafe { self.0.read_volatile() }
    }

    fn set_steps(&self, n: u32) {
        // SAFETY: as above, the second u64.
        unsafe { self.0.add(1).write_volatile(n.into()) }
    }

    fn steps(&self) -> u32 {
        // SAFETY: as above.
        unsafe { self.0.add(1).read_volatile() as u32 }
    }
}

/// Wait (at most two seconds) until the parent is inside wait4, read
/// from /proc/PPID/syscall: from then on the child's lines are the only
/// ones, and they follow the parent's `clone` line instead of racing it.
fn wait_until_parent_waits() {
    let parent = std::os::unix::process::parent_id();
    let path = format!("/proc/{parent}/syscall");
    let Some(Ok(file)) = socklab::high_fd::open_all(&[&path]).pop() else {
        return;
    };
    let start = Instant::now();
    while !kernel::in_syscall(&file, SYS_WAIT4) && start.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(1));
    }
    // Kept open until the child exits, so strace shows no close of it
    // among the child's calls.
    std::mem::forget(file);
}

/// What the file system has at `path`: a socket, something else, or
/// nothing (stat, not a socket call).
fn show_file(l: &Lesson, path: &Path) {
    let what = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_socket() => l
            .lang
            .pick(
                "{} is a file of type socket (stat: S_IFSOCK)",
                "{}: 종류가 소켓인 파일 (stat: S_IFSOCK)",
            )
            .replace("{}", &path.display().to_string()),
        Ok(_) => l
            .lang
            .pick("{} is a file, not a socket", "{}: 소켓이 아닌 파일")
            .replace("{}", &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => l
            .lang
            .pick("no file at {}", "{}에 파일이 없습니다")
            .replace("{}", &path.display().to_string()),
        Err(e) => format!("{}: {e}", path.display()),
    };
    l.file_line(&what);
}

/// Whether /proc/net/unix lists a socket under `name` (a path, or
/// `@name`), said as a line of the kernel's view. False when the view is
/// not shown (--no-kernel, or the table cannot be read): then nothing is
/// said about it.
fn show_unix_name(l: &Lesson, name: &str) -> bool {
    if !l.shows_kernel() {
        return false;
    }
    let Some(found) = l.found(kernel::unix_by_name(name).map(Some)) else {
        return false;
    };
    let line = match found.first() {
        None => l
            .lang
            .pick(
                "/proc/net/unix lists no socket named {}",
                "/proc/net/unix에 이름이 {}인 소켓이 없습니다",
            )
            .replace("{}", name),
        Some(v) => format!("/proc/net/unix: {}", v.summary_in(l.lang)),
    };
    l.kernel_line(&line);
    true
}

/// The lesson's own folder, private (mode 0700), under the temp folder;
/// removed with what is left in it when the lesson ends.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Result<Folder, LessonError> {
        let tmp = std::env::temp_dir();
        for n in 0..100 {
            let dir = tmp.join(format!("socklab-12-{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => {
                    let longest = dir.join("lesson.sock").as_os_str().len();
                    let folder = Folder(dir);
                    if longest > socklab::addr::UNIX_NAME_MAX {
                        return Err(LessonError::Message {
                            en: format!("the temp folder {} is too long for a Unix socket's path (at most {} bytes): set TMPDIR to a shorter one, such as /tmp", tmp.display(), socklab::addr::UNIX_NAME_MAX),
                            ko: format!("임시 폴더 {} 경로가 유닉스 도메인 소켓의 경로로 쓰기에 너무 깁니다 (최대 {}바이트): TMPDIR을 /tmp처럼 짧은 곳으로 정하세요", tmp.display(), socklab::addr::UNIX_NAME_MAX),
                        });
                    }
                    return Ok(folder);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(LessonError::Message {
                        en: format!("cannot make a folder in {}: {e}", tmp.display()),
                        ko: format!("{}에 폴더를 만들 수 없습니다: {e}", tmp.display()),
                    })
                }
            }
        }
        Err(LessonError::Message {
            en: format!("cannot make a new folder in {}", tmp.display()),
            ko: format!("{}에 새 폴더를 만들 수 없습니다", tmp.display()),
        })
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        // Empty after the lesson's own unlinks: rmdir needs no fd (so
        // strace shows no close of one); what a failed run left goes too.
        if std::fs::remove_dir(&self.0).is_err() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
