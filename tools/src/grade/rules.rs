//! The rules: small named functions over what a run left behind, the
//! kernel's record of the program's calls above all. A rule that fails
//! names the call (its index in the event list) that broke it.

use super::verdict::Said;
use socklab::addr::SockAddr;
use socklab::event::CallEvent;
use socklab::strace::Ret;
use std::collections::HashMap;

/// How the program ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// Still running at the deadline: killed, with everything it started.
    TimedOut,
    /// It could not be started at all.
    NotStarted(String),
}

/// Everything a rule may look at.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The program's calls on sockets, as strace saw them
    /// (`strace_log::program_calls`).
    pub events: Vec<CallEvent>,
    pub stdout: Vec<u8>,
    /// The bytes the peer received from the program, one entry per
    /// connection the peer made or accepted, in order.
    pub peer_received: Vec<Vec<u8>>,
    /// What went wrong on the peer's side, if anything.
    pub peer_error: Option<String>,
    pub exit: Exit,
    /// The seed the peer drew its script from (exercise 6's split
    /// points); 0 for a peer that draws nothing.
    pub seed: u64,
}

/// How a rule was broken: the calls that show it, and what they mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// Indexes into `Evidence::events`; empty when no call shows it (the
    /// program's output, its exit).
    pub events: Vec<usize>,
    pub meaning: Said,
}

impl Broken {
    fn at(events: Vec<usize>, en: impl Into<String>, ko: impl Into<String>) -> Broken {
        Broken {
            events,
            meaning: Said::new(en, ko),
        }
    }
}

pub type Check = fn(&Evidence) -> Result<(), Broken>;

/// A named rule with what it asks, the hint for a failure, and the lesson
/// to read again.
pub struct Rule {
    pub name: &'static str,
    /// What it asks, in English and Korean.
    pub asks: (&'static str, &'static str),
    pub hint: (&'static str, &'static str),
    /// The lesson's binary name (`06_send_recv`).
    pub lesson: &'static str,
    pub check: Check,
}

/// The calls that receive bytes (C's `read` on a socket is one).
pub fn is_receive(e: &CallEvent) -> bool {
    matches!(
        &*e.syscall,
        "recvfrom" | "recv" | "recvmsg" | "read" | "readv"
    )
}

/// The calls that send bytes (C's `write` on a socket is one).
pub fn is_send(e: &CallEvent) -> bool {
    matches!(
        &*e.syscall,
        "sendto" | "send" | "sendmsg" | "write" | "writev"
    )
}

/// What a socket is to the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Fresh,
    Listening,
    /// Made by accept: a data socket for one client.
    Accepted,
    /// Connected by the program's own connect.
    Connected,
}

/// One fd of one process that referred to a socket.
#[derive(Clone, Debug)]
pub struct FdUse {
    pub pid: i32,
    pub fd: i32,
    /// Which socket (an index into `Walk::kinds`): dups share it.
    pub socket: usize,
    /// The call that made the fd (socket, accept, dup; for a forked
    /// child's copy, the call that made the parent's).
    pub opened_by: usize,
    pub closed_by: Option<usize>,
}

/// The fds one call watched (a poll's set), each with the socket it
/// referred to then (None: no socket of the program's).
pub type Watched = Vec<(i32, Option<usize>)>;

/// The program's sockets followed call by call, per process, through
/// dup, dup2, dup3, fcntl(F_DUPFD), fork and close.
#[derive(Debug, Default)]
pub struct Walk {
    pub kinds: Vec<Kind>,
    /// The listen call that made each socket a listening one.
    pub listened_by: Vec<Option<usize>>,
    pub fds: Vec<FdUse>,
    /// For each event, the socket its fd referred to then, and that
    /// socket's kind at that moment.
    pub on: Vec<Option<(usize, Kind)>>,
    /// For each call that waits on many fds at once (poll, select,
    /// epoll_wait: [`waits_on_many`]), the fds it watched and the socket
    /// each referred to then (None: no socket of the program's); empty
    /// for any other call. epoll_wait watches what epoll_ctl added to its
    /// epoll fd.
    pub watched: Vec<Watched>,
    /// Each forked child's pid, and the clone (fork) that made it.
    pub forked_by: HashMap<i32, usize>,
}

impl Walk {
    pub fn new(events: &[CallEvent]) -> Walk {
        let mut w = Walk::default();
        // A forked child's first call may come before strace finishes the
        // parent's clone line: know every child's parent first.
        let parents: HashMap<i32, i32> = events
            .iter()
            .filter(|e| matches!(&*e.syscall, "clone" | "fork" | "vfork"))
            .filter_map(|e| Some((e.value().filter(|&v| v > 0)? as i32, pid_of(e))))
            .collect();
        for (i, e) in events.iter().enumerate() {
            if matches!(&*e.syscall, "clone" | "fork" | "vfork") {
                if let Some(child) = e.value().filter(|&v| v > 0) {
                    w.forked_by.insert(child as i32, i);
                }
            }
        }
        // Each process's table: fd number -> index into w.fds.
        let mut tables: HashMap<i32, HashMap<i32, usize>> = HashMap::new();
        // What epoll_ctl added to each process's epoll fds: fd -> socket.
        let mut epolls: HashMap<(i32, i32), Watched> = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            let pid = pid_of(e);
            if !tables.contains_key(&pid) {
                let copy: Vec<(i32, usize)> = parents
                    .get(&pid)
                    .and_then(|p| tables.get(p))
                    .map(|t| t.iter().map(|(&fd, &u)| (fd, u)).collect())
                    .unwrap_or_default();
                let mut table = HashMap::new();
                for (fd, u) in copy {
                    let (socket, opened_by) = (w.fds[u].socket, w.fds[u].opened_by);
                    w.fds.push(FdUse {
                        pid,
                        fd,
                        socket,
                        opened_by,
                        closed_by: None,
                    });
                    table.insert(fd, w.fds.len() - 1);
                }
                tables.insert(pid, table);
            }
            let table = tables.get_mut(&pid).expect("made above");
            let on = e.fd.and_then(|fd| table.get(&fd)).map(|&u| w.fds[u].socket);
            w.on.push(on.map(|s| (s, w.kinds[s])));
            let socket_of = |fd: i32| table.get(&fd).map(|&u| w.fds[u].socket);
            let epfd = e.args.first().and_then(|a| a.text.parse::<i32>().ok());
            let watched = match &*e.syscall {
                "epoll_ctl" => {
                    let what = e.args.get(1).map(|a| a.text.as_str());
                    let fd = e.args.get(2).and_then(|a| a.text.parse::<i32>().ok());
                    if let (Some(epfd), Some(fd), Some(_)) = (epfd, fd, e.value()) {
                        let set = epolls.entry((pid, epfd)).or_default();
                        set.retain(|&(f, _)| f != fd);
                        if what == Some("EPOLL_CTL_ADD") {
                            set.push((fd, socket_of(fd)));
                        }
                    }
                    Vec::new()
                }
                "epoll_wait" | "epoll_pwait" | "epoll_pwait2" => epfd
                    .and_then(|epfd| epolls.get(&(pid, epfd)))
                    .cloned()
                    .unwrap_or_default(),
                _ => watched_fds(e)
                    .into_iter()
                    .map(|fd| (fd, socket_of(fd)))
                    .collect(),
            };
            w.watched.push(watched);
            let value = e.value();
            let open = |w: &mut Walk, table: &mut HashMap<i32, usize>, fd: i32, socket: usize| {
                if let Some(old) = table.remove(&fd) {
                    w.fds[old].closed_by = Some(i);
                }
                w.fds.push(FdUse {
                    pid,
                    fd,
                    socket,
                    opened_by: i,
                    closed_by: None,
                });
                table.insert(fd, w.fds.len() - 1);
            };
            match (&*e.syscall, value) {
                ("socket", Some(fd)) | ("accept" | "accept4", Some(fd)) => {
                    let kind = if e.syscall == "socket" {
                        Kind::Fresh
                    } else {
                        Kind::Accepted
                    };
                    w.kinds.push(kind);
                    w.listened_by.push(None);
                    let s = w.kinds.len() - 1;
                    open(&mut w, table, fd as i32, s);
                }
                ("listen", Some(_)) => {
                    if let Some(s) = on {
                        w.kinds[s] = Kind::Listening;
                        w.listened_by[s] = Some(i);
                    }
                }
                // EINPROGRESS: a nonblocking socket (Python's with a
                // timeout) whose connection completes after the call.
                ("connect", _) if value.is_some() || in_progress(e) => {
                    if let Some(s) = on {
                        w.kinds[s] = Kind::Connected;
                    }
                }
                ("close", Some(_)) => {
                    if let Some(u) = e.fd.and_then(|fd| table.remove(&fd)) {
                        w.fds[u].closed_by = Some(i);
                    }
                }
                ("dup" | "dup2" | "dup3" | "fcntl", Some(new)) => {
                    let is_dup = e.syscall != "fcntl"
                        || e.args.get(1).is_some_and(|a| a.text.starts_with("F_DUPFD"));
                    if is_dup && new != i64::from(e.fd.unwrap_or(-1)) {
                        match on {
                            Some(s) => open(&mut w, table, new as i32, s),
                            None => {
                                // dup2 onto a socket's fd closes that fd.
                                if let Some(u) = table.remove(&(new as i32)) {
                                    w.fds[u].closed_by = Some(i);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        w
    }
}

/// The calls that wait until one of many fds is ready: glibc's `select`
/// is `pselect6` on x86_64.
pub fn waits_on_many(e: &CallEvent) -> bool {
    matches!(
        &*e.syscall,
        "poll" | "ppoll" | "select" | "pselect6" | "epoll_wait" | "epoll_pwait" | "epoll_pwait2"
    )
}

/// The fds a poll or a select names, as strace shows them: poll's
/// `[{fd=3, events=POLLIN}, {fd=-1}]` (an entry of -1 is skipped by the
/// kernel, and here), select's sets `[3 4]`.
pub fn watched_fds(e: &CallEvent) -> Vec<i32> {
    let text = |k: usize| e.args.get(k).map_or("", |a| a.text.as_str());
    match &*e.syscall {
        "poll" | "ppoll" => text(0)
            .split("{fd=")
            .skip(1)
            .filter_map(|s| s.split([',', '}']).next()?.parse().ok())
            .filter(|&fd: &i32| fd >= 0)
            .collect(),
        "select" | "pselect6" => {
            let mut fds: Vec<i32> = (1..=3)
                .flat_map(|k| {
                    text(k)
                        .strip_prefix('[')
                        .and_then(|t| t.strip_suffix(']'))
                        .unwrap_or("")
                        .split(' ')
                        .filter_map(|n| n.parse().ok())
                        .collect::<Vec<i32>>()
                })
                .collect();
            fds.sort_unstable();
            fds.dedup();
            fds
        }
        _ => Vec::new(),
    }
}

impl Walk {
    /// The socket call `i` made (a socket, an accept), if it made one.
    pub fn on_made(&self, i: usize) -> Option<usize> {
        self.fds.iter().find(|u| u.opened_by == i).map(|u| u.socket)
    }
}

/// A connect on a nonblocking socket that returned before the handshake
/// ended: `-1 EINPROGRESS`, the connection still on its way.
pub fn in_progress(e: &CallEvent) -> bool {
    e.ret == socklab::strace::Ret::Error(libc::EINPROGRESS)
}

fn pid_of(e: &CallEvent) -> i32 {
    e.pid.unwrap_or(e.tid)
}

/// The program ended by itself with status 0.
pub fn exits_cleanly(ev: &Evidence) -> Result<(), Broken> {
    match &ev.exit {
        Exit::Code(0) => Ok(()),
        Exit::Code(n) => Err(Broken::at(
            vec![],
            format!("The program exited with status {n}."),
            format!("프로그램이 종료 상태 {n}(으)로 끝났습니다."),
        )),
        Exit::Signal(s) => {
            let name = socklab::process::signal_name(*s);
            Err(Broken::at(
                vec![],
                format!("The program was killed by signal {s} ({name})."),
                format!("프로그램이 시그널 {s}({name})에 의해 종료되었습니다."),
            ))
        }
        Exit::TimedOut => Err(Broken::at(
            vec![],
            "The program was still running at the deadline; the grader stopped it.",
            "제한 시간이 지나도 프로그램이 끝나지 않아 채점기가 멈췄습니다.",
        )),
        Exit::NotStarted(why) => Err(Broken::at(
            vec![],
            format!("The program could not be started: {why}"),
            format!("프로그램을 시작할 수 없었습니다: {why}"),
        )),
    }
}

/// Some receive on a connected socket returned 0: the program read until
/// the peer closed. Broken at the last receive (or the connect, if the
/// program never received).
pub fn recv_until_zero(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let data = |i: usize| matches!(walk.on[i], Some((_, Kind::Connected | Kind::Accepted)));
    let receives: Vec<usize> = (0..ev.events.len())
        .filter(|&i| is_receive(&ev.events[i]) && data(i))
        .collect();
    if receives.iter().any(|&i| ev.events[i].value() == Some(0)) {
        return Ok(());
    }
    match receives.last() {
        Some(&last) => Err(Broken::at(
            vec![last],
            "The last receive returned bytes, not 0: the program stopped reading before the peer closed, so it cannot know it had everything.",
            "마지막 수신 호출이 0이 아니라 바이트를 반환했습니다. 상대가 닫기 전에 읽기를 멈췄으므로 데이터를 다 받았는지 알 수 없습니다.",
        )),
        None => {
            let connect = ev.events.iter().position(|e| e.syscall == "connect");
            Err(Broken::at(
                connect.into_iter().collect(),
                "The program never received on its connected socket.",
                "프로그램이 연결된 소켓에서 한 번도 수신하지 않았습니다.",
            ))
        }
    }
}

/// Every data socket (one accept returned, or one the program connected)
/// saw a receive return 0: the program read each client until that
/// client closed or half-closed. Broken at the last receive on the first
/// socket that never saw 0 (or at the accept that made it, if the program
/// never received on it).
pub fn recv_until_zero_per_client(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    for (s, kind) in walk.kinds.iter().enumerate() {
        if !matches!(kind, Kind::Accepted | Kind::Connected) {
            continue;
        }
        let receives: Vec<usize> = (0..ev.events.len())
            .filter(|&i| is_receive(&ev.events[i]) && walk.on[i].is_some_and(|(o, _)| o == s))
            .collect();
        if receives.iter().any(|&i| ev.events[i].value() == Some(0)) {
            continue;
        }
        return Err(match receives.last() {
            Some(&last) => Broken::at(
                vec![last],
                "The last receive on this client's socket returned bytes, not 0: the program stopped reading before the client half-closed, so it cannot know it had everything the client sent.",
                "이 클라이언트 소켓의 마지막 수신 호출이 0이 아니라 바이트를 반환했습니다. 클라이언트가 Half-close하기 전에 읽기를 멈췄으므로 클라이언트가 보낸 것을 다 받았는지 알 수 없습니다.",
            ),
            None => Broken::at(
                walk.fds
                    .iter()
                    .filter(|u| u.socket == s)
                    .map(|u| u.opened_by)
                    .take(1)
                    .collect(),
                "The program never received on the socket this call made.",
                "프로그램이 이 호출이 만든 소켓에서 한 번도 수신하지 않았습니다.",
            ),
        });
    }
    Ok(())
}

/// One socket listens, and every accept is made on it: an iterative
/// server keeps its listening socket for all its clients. Broken at each
/// listen after the first, and at each accept on another fd.
pub fn one_listening_fd(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let listens: Vec<usize> = (0..ev.events.len())
        .filter(|&i| ev.events[i].syscall == "listen" && ev.events[i].value() == Some(0))
        .collect();
    let Some(&first) = listens.first() else {
        return Err(Broken::at(
            vec![],
            "The program never listened: no call to listen succeeded.",
            "프로그램이 listen을 한 번도 성공시키지 않았습니다.",
        ));
    };
    let listener = walk.on[first].map(|(s, _)| s);
    let mut bad: Vec<usize> = listens[1..].to_vec();
    bad.extend((0..ev.events.len()).filter(|&i| {
        matches!(&*ev.events[i].syscall, "accept" | "accept4")
            && ev.events[i].value().is_some()
            && walk.on[i].map(|(s, _)| s) != listener
    }));
    bad.sort_unstable();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        bad,
        "A second listening socket, or an accept on another socket than the first one that listened: one listening socket serves every client, one after another.",
        "두 번째 리스닝 소켓을 만들었거나, 처음 listen한 소켓이 아닌 소켓에서 accept했습니다. 리스닝 소켓 하나가 모든 클라이언트를 차례로 받습니다.",
    ))
}

/// Every listening socket is closed, and only after the program's last
/// accept: closing it inside the loop leaves the next accept an fd that
/// is no longer a socket (EBADF) and the next client refused. Broken at
/// the listen of a socket never closed, or at the close and the accepts
/// that came after it.
pub fn listening_fd_closed_last(ev: &Evidence) -> Result<(), Broken> {
    listening_fd_closed(ev)?;
    let walk = Walk::new(&ev.events);
    for s in (0..walk.kinds.len()).filter(|&s| walk.kinds[s] == Kind::Listening) {
        let Some(closed) = walk
            .fds
            .iter()
            .filter(|u| u.socket == s)
            .filter_map(|u| u.closed_by)
            .min()
        else {
            continue;
        };
        let later: Vec<usize> = (closed + 1..ev.events.len())
            .filter(|&i| matches!(&*ev.events[i].syscall, "accept" | "accept4"))
            .collect();
        if !later.is_empty() {
            return Err(Broken::at(
                std::iter::once(closed).chain(later).collect(),
                "The listening fd was closed and the program called accept again: that fd is no socket any more (EBADF), and the clients still to come are refused. Close the listening fd once, after the last client.",
                "리스닝 fd를 닫은 뒤 accept를 다시 호출했습니다. 그 fd는 더 이상 소켓이 아니므로(EBADF) 남은 클라이언트의 연결 요청은 거절됩니다. 리스닝 fd는 마지막 클라이언트를 받은 뒤 한 번만 닫으십시오.",
            ));
        }
    }
    Ok(())
}

/// No byte sent or received on a listening socket (through any of its
/// fds): a listening socket only hands out connections.
pub fn no_data_on_listening_fd(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let bad: Vec<usize> = (0..ev.events.len())
        .filter(|&i| {
            (is_send(&ev.events[i]) || is_receive(&ev.events[i]))
                && matches!(walk.on[i], Some((_, Kind::Listening)))
        })
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        bad,
        "A send or receive on the listening fd: it has no peer, so the kernel refuses it. Data goes on the fd accept returned.",
        "리스닝 fd에서 송신이나 수신을 했습니다. 리스닝 소켓에는 상대가 없으므로 커널이 거부합니다. 데이터는 accept가 반환한 fd로 주고받아야 합니다.",
    ))
}

/// Every fd accept returned was closed by the process that held it.
pub fn accepted_fds_closed(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let mut open: Vec<usize> = walk
        .fds
        .iter()
        .filter(|u| {
            u.closed_by.is_none()
                && matches!(&*ev.events[u.opened_by].syscall, "accept" | "accept4")
                && ev.events[u.opened_by].value() == Some(u.fd.into())
        })
        .map(|u| u.opened_by)
        .collect();
    // A forked child's copy names the same accept as its parent's.
    open.sort_unstable();
    open.dedup();
    if open.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        open,
        "This fd, returned by accept, was never closed: each client's socket stays open until the program exits, and a server that runs for long runs out of fds.",
        "accept가 반환한 이 fd를 닫지 않았습니다. 클라이언트마다 소켓이 프로그램이 끝날 때까지 열려 있으므로, 오래 도는 서버는 fd가 바닥납니다.",
    ))
}

/// Every listening socket's fds were closed.
pub fn listening_fd_closed(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let open: Vec<usize> = walk
        .fds
        .iter()
        .filter(|u| u.closed_by.is_none() && walk.kinds[u.socket] == Kind::Listening)
        .filter_map(|u| walk.listened_by[u.socket])
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        open,
        "This socket listened and was never closed: the port stays taken until the program exits.",
        "이 소켓은 listen한 뒤 닫히지 않았습니다. 프로그램이 끝날 때까지 포트가 묶여 있습니다.",
    ))
}

/// When the program ended, none of its fds referred to a socket.
pub fn no_socket_open_at_exit(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let mut open: Vec<usize> = walk
        .fds
        .iter()
        .filter(|u| u.closed_by.is_none())
        .map(|u| u.opened_by)
        .collect();
    open.sort_unstable();
    open.dedup();
    if open.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        open,
        "The socket this call made was still open when the program ended; the kernel closed it, the program never did.",
        "이 호출이 만든 소켓이 프로그램이 끝날 때까지 열려 있었습니다. 프로그램이 닫지 않아 커널이 닫았습니다.",
    ))
}

/// Every send on a socket that failed with EINTR was made again: the
/// next call the process made on that socket is a send of the same
/// bytes (its data starts as the failed one's did). A send interrupted
/// before it moved a byte sent nothing; whatever comes next on the
/// socket must start where it did. Broken at the failed send and the
/// call that came next instead. In a run where no send on a socket failed
/// with EINTR the rule has nothing to judge: broken too, at the first
/// send, so a fault run that missed the socket is never a pass.
pub fn send_retried_after_eintr(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let on_socket = |i: usize| walk.on[i].map(|(s, _)| s);
    let sends: Vec<usize> = (0..ev.events.len())
        .filter(|&i| is_send(&ev.events[i]) && on_socket(i).is_some())
        .collect();
    let interrupted: Vec<usize> = sends
        .iter()
        .copied()
        .filter(|&i| ev.events[i].ret == Ret::Error(libc::EINTR))
        .collect();
    if sends.is_empty() {
        return Err(Broken::at(
            vec![],
            "The program sent nothing on a socket in this run.",
            "이 실행에서 프로그램은 소켓으로 아무것도 송신하지 않았습니다.",
        ));
    }
    if interrupted.is_empty() {
        return Err(Broken::at(
            vec![sends[0]],
            "No send on the socket failed with EINTR in this run, so it shows nothing about the loop: strace counts every write of the process, stdout's and stderr's too, and the failures fell on those. Write nothing else before the data is sent.",
            "이 실행에서는 소켓의 송신이 EINTR로 실패한 적이 없어 반복문에 대해 보여 주는 것이 없습니다. strace는 stdout과 stderr에 쓰는 것까지 프로세스의 write를 모두 세는데, 실패가 그쪽에 떨어졌습니다. 데이터를 다 보내기 전에는 다른 것을 쓰지 마십시오.",
        ));
    }
    for &i in &interrupted {
        let failed = &ev.events[i];
        let next = (i + 1..ev.events.len())
            .find(|&j| pid_of(&ev.events[j]) == pid_of(failed) && on_socket(j) == on_socket(i));
        let retried = next.is_some_and(|j| {
            let again = &ev.events[j];
            is_send(again) && again.bytes().is_some() && again.bytes() == failed.bytes()
        });
        if retried {
            continue;
        }
        return Err(match next {
            Some(j) if is_send(&ev.events[j]) => Broken::at(
                vec![i, j],
                "This send failed with EINTR and sent nothing, and the next send on the socket starts with other bytes: the program went on to the next piece, and the piece that failed never reached the peer.",
                "이 송신은 EINTR로 실패해 아무것도 보내지 못했는데, 소켓의 다음 송신은 다른 바이트로 시작합니다. 프로그램이 다음 조각으로 넘어가 실패한 조각은 상대에게 가지 않았습니다.",
            ),
            Some(j) => Broken::at(
                vec![i, j],
                "This send failed with EINTR and sent nothing, and the program's next call on the socket is not that send again: EINTR says a signal cut the call short, not that the connection failed. Make the same send again.",
                "이 송신은 EINTR로 실패해 아무것도 보내지 못했는데, 프로그램이 그 소켓에서 다음에 한 호출은 같은 송신이 아닙니다. EINTR은 시그널이 호출을 중단시켰다는 뜻이지 연결이 실패했다는 뜻이 아닙니다. 같은 송신을 다시 하십시오.",
            ),
            None => Broken::at(
                vec![i],
                "This send failed with EINTR and sent nothing, and the program made no call on the socket after it: EINTR says a signal cut the call short, not that the connection failed. Make the same send again.",
                "이 송신은 EINTR로 실패해 아무것도 보내지 못했는데, 프로그램은 그 뒤 그 소켓에서 아무 호출도 하지 않았습니다. EINTR은 시그널이 호출을 중단시켰다는 뜻이지 연결이 실패했다는 뜻이 아닙니다. 같은 송신을 다시 하십시오.",
            ),
        });
    }
    Ok(())
}

/// The errno a failed call returned (None for a success).
fn errno_of(e: &CallEvent) -> Option<i32> {
    match e.ret {
        socklab::strace::Ret::Error(n) => Some(n),
        _ => None,
    }
}

/// The calls made on socket `s` (through any of its fds), by index.
fn calls_on(walk: &Walk, s: usize) -> impl Iterator<Item = usize> + '_ {
    (0..walk.on.len()).filter(move |&i| walk.on[i].is_some_and(|(o, _)| o == s))
}

/// Each connected socket was half-closed: `shutdown(fd, SHUT_WR)` after
/// its last send and before the receive that returned 0, and never
/// SHUT_RD or SHUT_RDWR. The peer reads until EOF before it answers, so
/// only the half-close lets the answer come, and only SHUT_WR leaves this
/// side able to read it. Broken at a SHUT_RD/SHUT_RDWR, at a send after
/// the shutdown, at a shutdown after the end was read, at a close that
/// came instead of the shutdown, or else at the last send (the request
/// whose end never came).
pub fn half_closes_after_sending(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let events = &ev.events;
    let connected: Vec<usize> = (0..walk.kinds.len())
        .filter(|&s| walk.kinds[s] == Kind::Connected)
        .collect();
    if connected.is_empty() {
        return Err(Broken::at(
            vec![],
            "The program never connected, so it had nothing to half-close.",
            "프로그램이 연결하지 않았으므로 Half-close할 연결도 없습니다.",
        ));
    }
    for s in connected {
        let on: Vec<usize> = calls_on(&walk, s).collect();
        let shutdowns: Vec<usize> = on
            .iter()
            .copied()
            .filter(|&i| events[i].syscall == "shutdown" && events[i].value().is_some())
            .collect();
        let how = |i: usize| events[i].args.get(1).map(|a| a.text.as_str()).unwrap_or("");
        if let Some(&both) = shutdowns.iter().find(|&&i| how(i) != "SHUT_WR") {
            let next_receive = on
                .iter()
                .copied()
                .find(|&i| i > both && is_receive(&events[i]));
            return Err(Broken::at(
                std::iter::once(both).chain(next_receive).collect(),
                format!("{} ends this side's receiving too, not only its sending: a receive after it does not wait for the answer, it returns at once (0, or -1 ECONNRESET when the answer's first piece came in meanwhile), and the server's answer is refused. SHUT_WR ends only the sending.", how(both)),
                format!("{} 옵션은 송신만이 아니라 이쪽의 수신도 끝냅니다. 그 뒤의 수신 호출은 응답을 기다리지 않고 곧바로 반환하며(0, 또는 그사이 응답의 첫 조각이 왔다면 -1 ECONNRESET), 서버의 응답은 거부됩니다. 송신만 끝내는 것은 SHUT_WR입니다.", how(both)),
            ));
        }
        let last_send = on.iter().copied().rfind(|&i| is_send(&events[i]));
        let end_read = on
            .iter()
            .copied()
            .find(|&i| is_receive(&events[i]) && events[i].value() == Some(0));
        let Some(&shut) = shutdowns.first() else {
            let closed = walk
                .fds
                .iter()
                .filter(|u| u.socket == s)
                .filter_map(|u| u.closed_by)
                .min();
            return Err(match (closed, end_read) {
                (Some(close), None) => Broken::at(
                    vec![close],
                    "The socket was closed, not shut down, before the answer was read: close ends both directions and gives the fd number back, so the program had no socket left to read the answer from.",
                    "응답을 읽기 전에 소켓을 shutdown이 아니라 close로 닫았습니다. close는 양방향을 모두 끝내고 fd 번호를 반납하므로 프로그램에는 응답을 읽을 소켓이 남지 않습니다.",
                ),
                _ if ev.exit == Exit::TimedOut => Broken::at(
                    last_send.into_iter().collect(),
                    "The request was sent here and the socket was never shut down for writing (shutdown(fd, SHUT_WR)). The server reads until EOF before it answers, so it never answered, and the program waited for that answer until the grader stopped it at the time limit.",
                    "요청을 여기서 보냈지만 소켓의 송신 쪽을 닫지(shutdown(fd, SHUT_WR)) 않았습니다. 서버는 EOF까지 읽은 뒤에 응답하므로 끝내 응답하지 않았고, 프로그램은 그 응답을 기다리다가 제한 시간에 채점기에 의해 멈춰졌습니다.",
                ),
                _ => Broken::at(
                    last_send.into_iter().collect(),
                    "The request was sent here and the socket was never shut down for writing (shutdown(fd, SHUT_WR)): the server reads until EOF before it answers, so it did not answer while the program ran.",
                    "요청을 여기서 보냈지만 소켓의 송신 쪽을 닫지(shutdown(fd, SHUT_WR)) 않았습니다. 서버는 EOF까지 읽은 뒤에 응답하므로 프로그램이 실행되는 동안 응답하지 않았습니다.",
                ),
            });
        };
        if let Some(late) = on
            .iter()
            .copied()
            .find(|&i| i > shut && is_send(&events[i]))
        {
            return Err(Broken::at(
                vec![shut, late],
                "A send after shutdown(SHUT_WR): this side's sending had ended, so the kernel refuses it (EPIPE). Send the whole request first, then shut down.",
                "shutdown(SHUT_WR) 뒤에 송신했습니다. 이쪽의 송신은 이미 끝났으므로 커널이 거부합니다(EPIPE). 요청을 다 보낸 뒤에 shutdown하십시오.",
            ));
        }
        if let Some(end) = end_read.filter(|&end| end < shut) {
            return Err(Broken::at(
                vec![end, shut],
                "The answer was read to its end before the shutdown: the half-close must come before, since it is what tells the server the request is complete.",
                "shutdown 전에 응답을 끝까지 읽었습니다. 요청이 끝났다는 것을 서버에 알리는 것이 Half-close이므로, shutdown이 먼저 와야 합니다.",
            ));
        }
    }
    Ok(())
}

/// The connects that failed for good (not EINPROGRESS or EALREADY, the
/// answers of a nonblocking connect still under way).
fn failed_connect(e: &CallEvent) -> bool {
    e.syscall == "connect"
        && errno_of(e).is_some_and(|n| n != libc::EINPROGRESS && n != libc::EALREADY)
}

/// No connect on a socket whose connect already failed: after a failed
/// connect POSIX leaves the socket's state unspecified, so portable code
/// closes it and makes a new one (Linux happens to let the same socket
/// connect again). Broken at the failed connect and the connect after it
/// on the same socket.
pub fn new_socket_per_connect(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    for s in 0..walk.kinds.len() {
        let connects: Vec<usize> = calls_on(&walk, s)
            .filter(|&i| ev.events[i].syscall == "connect")
            .collect();
        if let Some(w) = connects
            .windows(2)
            .find(|w| failed_connect(&ev.events[w[0]]))
        {
            return Err(Broken::at(
                w.to_vec(),
                "connect was called again on the socket whose connect had just failed. POSIX leaves such a socket's state unspecified: Linux happens to let it connect again, portable code cannot count on that. Close it and make a new socket for the next try.",
                "connect에 방금 실패한 소켓으로 connect를 다시 호출했습니다. POSIX는 이런 소켓의 상태를 정해 두지 않았습니다. Linux에서는 우연히 다시 연결되지만, 이식성 있는 코드는 그것에 기댈 수 없습니다. 닫고 새 소켓을 만들어 다시 시도하십시오.",
            ));
        }
    }
    Ok(())
}

/// Every socket whose last connect failed was closed before the
/// program's next connect (or at all, after the last one). Broken at the
/// failed connects of the sockets left open.
pub fn failed_sockets_closed(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let mut open = Vec::new();
    for s in 0..walk.kinds.len() {
        let Some(last) = calls_on(&walk, s)
            .filter(|&i| ev.events[i].syscall == "connect")
            .last()
            .filter(|&i| failed_connect(&ev.events[i]))
        else {
            continue;
        };
        let next_connect = (last + 1..ev.events.len()).find(|&i| ev.events[i].syscall == "connect");
        let closed = walk
            .fds
            .iter()
            .filter(|u| u.socket == s)
            .filter_map(|u| u.closed_by)
            .min();
        let in_time = match (closed, next_connect) {
            (Some(c), Some(n)) => c < n,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !in_time {
            open.push(last);
        }
    }
    if open.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        open,
        "This connect failed and its socket stayed open: it was not closed before the program's next connect, or not at all. Each such try leaves one more fd open, and a client that retries for long runs out of fds.",
        "connect에 실패한 이 소켓이 열린 채 남았습니다. 프로그램의 다음 connect 전에 닫지 않았거나 아예 닫지 않았습니다. 이렇게 시도할 때마다 fd가 하나씩 더 남으므로, 오래 재시도하는 클라이언트는 fd가 바닥납니다.",
    ))
}

/// A connect was refused, tried again, and in the end succeeded. Broken
/// at the last refused connect when none succeeded; with no event when
/// the first connect succeeded (the run could not show a retry).
pub fn retries_until_connected(ev: &Evidence) -> Result<(), Broken> {
    let connects: Vec<usize> = (0..ev.events.len())
        .filter(|&i| ev.events[i].syscall == "connect")
        .collect();
    let refused = |i: &usize| errno_of(&ev.events[*i]) == Some(libc::ECONNREFUSED);
    let succeeded = connects.iter().any(|&i| ev.events[i].value() == Some(0));
    match (connects.iter().rev().find(|i| refused(i)), succeeded) {
        (Some(_), true) => Ok(()),
        (Some(&last), false) => Err(Broken::at(
            vec![last],
            "The last connect was refused (nothing listened on the port yet) and the program did not try again, so it never reached the server.",
            "마지막 connect가 거절되었고(포트에서 아직 아무도 listen하지 않았습니다) 프로그램이 다시 시도하지 않아 서버에 닿지 못했습니다.",
        )),
        (None, true) => Err(Broken::at(
            vec![],
            "No connect was refused: the program's first connect came after the server had started listening, so this run could not show that it retries.",
            "거절된 connect가 없습니다. 프로그램의 첫 connect가 서버가 listen을 시작한 뒤에 왔으므로, 이번 실행으로는 재시도하는지 보일 수 없었습니다.",
        )),
        (None, false) => Err(Broken::at(
            connects.last().copied().into_iter().collect(),
            "No connect succeeded, and none was refused: the program never reached the server.",
            "성공한 connect도, 거절된 connect도 없습니다. 프로그램이 서버에 닿지 못했습니다.",
        )),
    }
}

/// No listen and no accept: a UDP server has no connections to wait
/// for or take. Broken at each such call, made or failed.
pub fn no_listen_or_accept(ev: &Evidence) -> Result<(), Broken> {
    let bad: Vec<usize> = (0..ev.events.len())
        .filter(|&i| matches!(&*ev.events[i].syscall, "listen" | "accept" | "accept4"))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        bad,
        "A UDP server calls neither listen nor accept: there are no connections to wait for or to take. One bound socket gets every client's datagrams, and recvfrom says who sent each.",
        "UDP 서버는 listen도 accept도 호출하지 않습니다. 기다리거나 수락할 연결이 없습니다. 주소를 할당한 소켓 하나가 모든 클라이언트의 데이터그램을 받고, recvfrom이 각각 누가 보냈는지 알려 줍니다.",
    ))
}

/// The datagrams a program received and the replies it sent, paired per
/// socket: each send answers the receive before it on the same socket.
#[derive(Debug, Default)]
pub struct Exchanges {
    /// (receive, send): a datagram and its one reply.
    pub pairs: Vec<(usize, usize)>,
    /// Receives whose datagram got no reply before the next receive on
    /// the socket, or before the program's end.
    pub unanswered: Vec<usize>,
    /// Sends that answer no datagram: the one before was answered already.
    pub unprompted: Vec<usize>,
}

impl Exchanges {
    /// Only calls that succeeded count: a receive that failed (EAGAIN,
    /// EINTR) brought no datagram, and a send that failed sent none.
    pub fn new(events: &[CallEvent], walk: &Walk) -> Exchanges {
        let mut x = Exchanges::default();
        let mut pending: HashMap<usize, usize> = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            let (Some((s, _)), Some(_)) = (walk.on[i], e.value()) else {
                continue;
            };
            if is_receive(e) {
                if let Some(r) = pending.insert(s, i) {
                    x.unanswered.push(r);
                }
            } else if is_send(e) {
                match pending.remove(&s) {
                    Some(r) => x.pairs.push((r, i)),
                    None => x.unprompted.push(i),
                }
            }
        }
        x.unanswered.extend(pending.into_values());
        x.unanswered.sort_unstable();
        x
    }
}

/// The address socket `s` was connected to by the last connect that
/// succeeded before event `before`: where a send without an address
/// goes, and the one sender a connected UDP socket receives from.
fn connected_to(events: &[CallEvent], walk: &Walk, s: usize, before: usize) -> Option<SockAddr> {
    (0..before)
        .rev()
        .find(|&j| {
            events[j].syscall == "connect"
                && events[j].value() == Some(0)
                && walk.on[j].map(|(o, _)| o) == Some(s)
        })
        .and_then(|j| events[j].addr().cloned())
}

/// Who sent the datagram receive `i` returned: recvfrom's address,
/// recvmsg's msg_name, or, for a read or recv on a connected socket, the
/// peer it is connected to. None: the program did not ask.
fn sender_of(events: &[CallEvent], walk: &Walk, i: usize) -> Option<SockAddr> {
    let e = &events[i];
    e.addr()
        .cloned()
        .or_else(|| crate::strace_log::msg_name(e))
        .or_else(|| connected_to(events, walk, walk.on[i]?.0, i))
}

/// Where send `i` sent its datagram: sendto's address, sendmsg's
/// msg_name, or, for a write or send without one, the peer the socket is
/// connected to.
fn destination_of(events: &[CallEvent], walk: &Walk, i: usize) -> Option<SockAddr> {
    sender_of(events, walk, i)
}

/// Each reply goes to the address its datagram came from, as recvfrom
/// (or recvmsg) gave it. Broken at the receive and the reply that went
/// elsewhere, or at a receive that did not ask who sent.
pub fn replies_to_sender(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    for (r, s) in Exchanges::new(&ev.events, &walk).pairs {
        let from = sender_of(&ev.events, &walk, r);
        let to = destination_of(&ev.events, &walk, s);
        match (from, to) {
            (Some(from), Some(to)) if from == to => continue,
            (Some(from), Some(to)) => {
                return Err(Broken::at(
                    vec![r, s],
                    format!("The datagram came from {from}, as recvfrom says, and its reply went to {to}: to another client. On UDP every datagram can come from someone else, so each reply goes to the address its own recvfrom gave."),
                    format!("데이터그램은 recvfrom이 알려 준 대로 {from}에서 왔는데, 답은 {} 갔습니다. 다른 클라이언트에게 간 것입니다. UDP에서는 데이터그램마다 보낸 쪽이 다를 수 있으므로, 답은 그 데이터그램의 recvfrom이 알려 준 주소로 보내야 합니다.", crate::lesson::josa::ro(&to)),
                ));
            }
            (None, _) => {
                return Err(Broken::at(
                    vec![r],
                    "This receive did not ask who sent the datagram (no address, on a socket connected to no one): the program cannot know where its reply should go. recvfrom gives the sender's address.",
                    "이 수신 호출은 데이터그램을 누가 보냈는지 묻지 않았습니다(주소 없이, 연결되지 않은 소켓에서). 프로그램은 답을 어디로 보낼지 알 수 없습니다. recvfrom이 보낸 쪽 주소를 알려 줍니다.",
                ));
            }
            (Some(_), None) => {
                return Err(Broken::at(
                    vec![s],
                    "This send named no address, on a socket connected to no one.",
                    "이 송신 호출은 주소를 주지 않았고, 소켓도 연결되어 있지 않습니다.",
                ));
            }
        }
    }
    Ok(())
}

/// One datagram in, one datagram out: each receive is followed by one
/// send on its socket, of as many bytes as it received, before the next
/// receive. Broken at each receive left unanswered, each send that
/// answers none, and each reply whose size is not its datagram's.
pub fn one_reply_per_datagram(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let x = Exchanges::new(&ev.events, &walk);
    let resized: Vec<usize> = x
        .pairs
        .iter()
        .filter(|&&(r, s)| ev.events[r].value() != ev.events[s].value())
        .flat_map(|&(r, s)| [r, s])
        .collect();
    let mut bad: Vec<usize> = x
        .unanswered
        .iter()
        .chain(&x.unprompted)
        .chain(&resized)
        .copied()
        .collect();
    bad.sort_unstable();
    bad.dedup();
    let Some(&first) = bad.first() else {
        return Ok(());
    };
    let e = &ev.events[first];
    let (en, ko) = if x.unanswered.contains(&first) && e.value() == Some(0) {
        (
            "This receive returned 0: on a UDP socket that is an empty datagram, 0 bytes long, and it got no reply. 0 is the end of nothing here: UDP has no connection to close. Echo it as a datagram of 0 bytes.".to_string(),
            "이 수신 호출은 0을 반환했습니다. UDP 소켓에서 이것은 0바이트짜리 빈 데이터그램이고, 답을 받지 못했습니다. 여기서 0은 끝이 아닙니다. UDP에는 닫을 연결이 없습니다. 0바이트 데이터그램으로 에코하십시오.".to_string(),
        )
    } else if x.unanswered.contains(&first) {
        (
            "This datagram got no reply of its own before the next receive (or the program's end): its bytes were held back, or merged into a later send. One datagram in, one sendto out.".to_string(),
            "이 데이터그램은 다음 수신 호출(또는 프로그램 종료) 전에 자기 답을 받지 못했습니다. 바이트를 붙잡아 두었거나 나중의 송신에 합쳤습니다. 데이터그램 하나가 들어오면 sendto 하나로 내보내야 합니다.".to_string(),
        )
    } else if x.unprompted.contains(&first) {
        (
            "This send answers no datagram: the one received before it had its reply already. Each send is one datagram at the client, so one datagram was sent back as several.".to_string(),
            "이 송신은 어떤 데이터그램에 대한 답도 아닙니다. 그 앞에 받은 데이터그램은 이미 답을 받았습니다. 송신 하나가 클라이언트에서 데이터그램 하나가 되므로, 데이터그램 하나를 여러 개로 나누어 돌려보낸 것입니다.".to_string(),
        )
    } else {
        let (r, s) = x
            .pairs
            .iter()
            .copied()
            .find(|&(r, _)| r == first)
            .unwrap_or((first, first));
        let got = ev.events[r].value().unwrap_or(0);
        let sent = ev.events[s].value().unwrap_or(0);
        (
            format!("The datagram received had {got} bytes and its reply {sent}: a reply is one datagram holding the whole of the one received, no more and no less."),
            format!("받은 데이터그램은 {got}바이트인데 답은 {sent}바이트입니다. 답은 받은 데이터그램 전체를 담은 데이터그램 하나여야 합니다. 더도 덜도 아닙니다."),
        )
    };
    Err(Broken::at(bad, en, ko))
}

/// No new thread and no new process: one thread serves every client.
/// Broken at each clone, clone3, fork or vfork that made one.
pub fn one_thread_serves_all(ev: &Evidence) -> Result<(), Broken> {
    let made: Vec<usize> = (0..ev.events.len())
        .filter(|&i| {
            matches!(
                &*ev.events[i].syscall,
                "clone" | "clone3" | "fork" | "vfork"
            ) && ev.events[i].value().is_some_and(|v| v > 0)
        })
        .collect();
    if made.is_empty() {
        return Ok(());
    }
    let threads = made.iter().any(|&i| {
        ev.events[i]
            .args
            .iter()
            .any(|a| a.text.contains("CLONE_THREAD"))
    });
    let (what_en, what_ko) = if threads {
        ("a new thread", "새 스레드")
    } else {
        ("a new process", "새 프로세스")
    };
    Err(Broken::at(
        made,
        format!("This call made {what_en}. Here one thread serves every client, with poll (or select, epoll) telling it which socket is ready; a thread or a process per client is another design (lessons 15 and 16, exercise 11)."),
        format!("이 호출이 {what_ko}를 만들었습니다. 여기서는 스레드 하나가 poll(또는 select, epoll)로 어느 소켓이 준비되었는지 알아내며 모든 클라이언트를 처리합니다. 클라이언트마다 스레드나 프로세스를 두는 것은 다른 설계입니다(제 15강과 제 16강, 연습 문제 11)."),
    ))
}

/// Some call that waits on many fds (poll, select, epoll_wait) watched
/// the listening socket and a client's socket together: the one thread
/// learns which of them is ready instead of waiting on one alone. Broken
/// at the first accept when no such call was made at all, else at the
/// first of those calls.
pub fn waits_on_listener_and_clients(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let waits: Vec<usize> = (0..ev.events.len())
        .filter(|&i| waits_on_many(&ev.events[i]))
        .collect();
    let kind_of = |s: usize| walk.kinds[s];
    let both = waits.iter().any(|&i| {
        let sockets = || walk.watched[i].iter().filter_map(|&(_, s)| s);
        sockets().any(|s| kind_of(s) == Kind::Listening)
            && sockets().any(|s| kind_of(s) == Kind::Accepted)
    });
    if both {
        return Ok(());
    }
    match waits.first() {
        None => Err(Broken::at(
            (0..ev.events.len())
                .filter(|&i| matches!(&*ev.events[i].syscall, "accept" | "accept4"))
                .take(1)
                .collect(),
            "The program never called poll, select or epoll_wait: each accept and each receive waited on one socket alone, and while it waited there, the other sockets' clients waited for it.",
            "프로그램이 poll, select, epoll_wait를 한 번도 호출하지 않았습니다. accept와 수신 호출이 저마다 소켓 하나만 기다렸고, 그동안 다른 소켓의 클라이언트는 프로그램을 기다렸습니다.",
        )),
        Some(&first) => Err(Broken::at(
            vec![first],
            "No poll (or select, epoll_wait) watched the listening socket and a client's socket together: put both in one set, so one call says whether a new client waits or a client's bytes came.",
            "리스닝 소켓과 클라이언트 소켓을 함께 지켜본 poll(또는 select, epoll_wait)이 없습니다. 둘을 한 집합에 넣어, 호출 한 번으로 새 클라이언트가 기다리는지 클라이언트의 바이트가 왔는지 알게 하십시오.",
        )),
    }
}

/// No poll or select named an fd the program had closed: poll answers
/// such an entry with POLLNVAL at once, every time (a loop that waits on
/// it spins), and select fails with EBADF. Broken at the first such call,
/// with how many there were.
pub fn closed_fds_leave_the_set(ev: &Evidence) -> Result<(), Broken> {
    let bad: Vec<usize> = (0..ev.events.len())
        .filter(|&i| {
            let e = &ev.events[i];
            match &*e.syscall {
                "poll" | "ppoll" => {
                    matches!(&e.ret, Ret::Annotated(_, note) if note.contains("POLLNVAL"))
                }
                "select" | "pselect6" => e.ret == Ret::Error(libc::EBADF),
                _ => false,
            }
        })
        .collect();
    let Some(&first) = bad.first() else {
        return Ok(());
    };
    let e = &ev.events[first];
    let n = bad.len();
    if matches!(&*e.syscall, "select" | "pselect6") {
        return Err(Broken::at(
            vec![first],
            format!("select failed with EBADF: a set still held an fd the program had closed ({n} such calls). Take a client's fd out of the set (FD_CLR) when you close it."),
            format!("select가 EBADF로 실패했습니다. 집합에 프로그램이 이미 닫은 fd가 남아 있었습니다(이런 호출 {n}번). 클라이언트 fd를 닫을 때 집합에서도 빼십시오(FD_CLR)."),
        ));
    }
    let fd = match &e.ret {
        Ret::Annotated(_, note) => note
            .split("{fd=")
            .skip(1)
            .find(|p| p.contains("POLLNVAL"))
            .and_then(|p| p.split(',').next())
            .unwrap_or("?")
            .to_string(),
        _ => "?".to_string(),
    };
    Err(Broken::at(
        vec![first],
        format!("poll reported POLLNVAL for fd {fd}: the program had closed it and left it in the set. poll returns at once for such an entry, every time, so the loop spins instead of waiting ({n} such calls in this run). Take a closed client's entry out of the set (in C, set its fd to -1)."),
        format!("poll이 fd {fd}에 대해 POLLNVAL을 알렸습니다. 프로그램이 그 fd를 닫고도 집합에 남겨 두었습니다. poll은 그런 항목이 있으면 매번 곧바로 반환하므로, 반복문이 기다리지 않고 헛돕니다(이번 실행에서 이런 호출 {n}번). 닫은 클라이언트의 항목은 집합에서 빼십시오(C에서는 그 fd를 -1로)."),
    ))
}

/// A client that reset its connection (an RST: it closed with SO_LINGER
/// {on, 0}) makes the server's next receive on that socket fail with
/// ECONNRESET. A server that goes on closes that fd and serves the
/// others to the end (exit status 0). Broken at the first failed receive
/// that was not followed by a close of its fd, or, if the program did
/// not end cleanly, at the first failed receive.
pub fn goes_on_after_a_reset(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let resets: Vec<usize> = (0..ev.events.len())
        .filter(|&i| {
            is_receive(&ev.events[i])
                && ev.events[i].ret == Ret::Error(libc::ECONNRESET)
                && matches!(walk.on[i], Some((_, Kind::Accepted)))
        })
        .collect();
    for &i in &resets {
        let e = &ev.events[i];
        let fd = e.fd.unwrap_or(-1);
        let closed = ev.events[i + 1..]
            .iter()
            .any(|c| c.syscall == "close" && c.fd == e.fd && pid_of(c) == pid_of(e));
        if !closed {
            return Err(Broken::at(
                vec![i],
                format!("{} on fd {fd} failed with ECONNRESET (the client reset its connection) and the program never closed fd {fd}. Close that client's fd, take it out of the set, and go on serving the others.", e.syscall),
                format!("fd {fd}의 {} ECONNRESET으로 실패했고(클라이언트가 연결을 리셋했습니다), 프로그램이 fd {fd}를 닫지 않았습니다. 그 클라이언트의 fd를 닫고 집합에서 뺀 뒤 다른 클라이언트를 계속 처리하십시오.", crate::lesson::josa::i(&e.syscall)),
            ));
        }
    }
    match (&ev.exit, resets.first()) {
        (Exit::Code(0), _) | (_, None) => Ok(()),
        (_, Some(&i)) => {
            let e = &ev.events[i];
            let fd = e.fd.unwrap_or(-1);
            Err(Broken::at(
                vec![i],
                format!("{} on fd {fd} failed with ECONNRESET (the client reset its connection), and the program did not go on to the end: a reset ends one client, not the server. Close that client's fd and keep serving the others.", e.syscall),
                format!("fd {fd}의 {} ECONNRESET으로 실패했고(클라이언트가 연결을 리셋했습니다), 프로그램이 끝까지 가지 못했습니다. 리셋은 클라이언트 하나를 끝낼 뿐 서버를 끝내지 않습니다. 그 클라이언트의 fd를 닫고 다른 클라이언트를 계속 처리하십시오.", crate::lesson::josa::i(&e.syscall)),
            ))
        }
    }
}

/// Each client accepted is served by a forked child: the process that
/// accepted forks before its next accept, and makes no send or receive
/// on that client's socket itself. Broken at the first accept not
/// followed by a fork, with the accepting process's own data calls on
/// that socket.
pub fn forks_per_client(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let events = &ev.events;
    let accepts: Vec<usize> = (0..events.len())
        .filter(|&i| {
            matches!(&*events[i].syscall, "accept" | "accept4") && events[i].value().is_some()
        })
        .collect();
    if accepts.is_empty() {
        return Err(Broken::at(
            vec![],
            "The program accepted no client.",
            "프로그램이 클라이언트를 하나도 accept하지 않았습니다.",
        ));
    }
    for &a in &accepts {
        let pid = pid_of(&events[a]);
        let next = accepts
            .iter()
            .copied()
            .find(|&b| b > a && pid_of(&events[b]) == pid)
            .unwrap_or(events.len());
        let forked = (a + 1..next).any(|i| {
            pid_of(&events[i]) == pid
                && matches!(&*events[i].syscall, "clone" | "fork" | "vfork")
                && events[i].value().is_some_and(|v| v > 0)
        });
        let socket = walk.on_made(a);
        let served_here: Vec<usize> = (a + 1..events.len())
            .filter(|&i| {
                pid_of(&events[i]) == pid
                    && (is_send(&events[i]) || is_receive(&events[i]))
                    && walk.on[i].map(|(s, _)| s) == socket
            })
            .take(1)
            .collect();
        if forked && served_here.is_empty() {
            continue;
        }
        return Err(Broken::at(
            std::iter::once(a).chain(served_here).collect(),
            "This client was served by the process that accepted it, with no fork for it: while that process talked to this client, it did not accept the next one. Fork after each accept, and let the child serve the client.",
            "이 클라이언트를 accept한 프로세스가 fork 없이 직접 처리했습니다. 그 프로세스가 이 클라이언트와 주고받는 동안에는 다음 클라이언트를 accept하지 않았습니다. accept할 때마다 fork하고, 클라이언트는 자식이 처리하게 하십시오.",
        ));
    }
    Ok(())
}

/// Each forked child closes its copy of the listening socket before it
/// serves its client (its first send or receive): the child never
/// accepts, and while it holds a copy, the listening socket outlives the
/// parent's close. Broken at the fork of the first child that did not,
/// and the child's first data call.
pub fn child_closes_listening_fd(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let mut children: Vec<(&i32, &usize)> = walk.forked_by.iter().collect();
    children.sort_by_key(|&(_, &c)| c);
    for (&child, &clone) in children {
        let first_data = (clone..ev.events.len()).find(|&i| {
            pid_of(&ev.events[i]) == child && (is_send(&ev.events[i]) || is_receive(&ev.events[i]))
        });
        let kept = walk.fds.iter().any(|u| {
            u.pid == child
                && walk.kinds[u.socket] == Kind::Listening
                && u.opened_by < clone
                && match (u.closed_by, first_data) {
                    (None, _) => true,
                    (Some(c), Some(d)) => c > d,
                    (Some(_), None) => false,
                }
        });
        if kept {
            return Err(Broken::at(
                std::iter::once(clone).chain(first_data).collect(),
                format!("The child {child} this fork made kept its copy of the listening fd while it served its client: after fork both processes hold every fd, and the child never accepts. Close the listening fd first thing in the child."),
                format!("이 fork가 만든 {} 클라이언트를 처리하는 동안 리스닝 fd의 사본을 닫지 않았습니다. fork 뒤에는 두 프로세스가 모든 fd를 가지며, 자식은 accept하지 않습니다. 자식에서는 맨 먼저 리스닝 fd를 닫으십시오.", crate::lesson::josa::eun(format!("자식 {child}"))),
            ));
        }
    }
    Ok(())
}

/// After each fork, the parent closes its copy of every client's socket
/// it held, before its next accept: the connection ends (FIN) only when
/// the last fd on it is closed, so the child's close ends it only if the
/// parent's copy is gone. Broken at the accept of the first socket the
/// parent kept.
pub fn parent_closes_data_fd(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let events = &ev.events;
    let mut clones: Vec<usize> = walk.forked_by.values().copied().collect();
    clones.sort_unstable();
    for c in clones {
        let parent = pid_of(&events[c]);
        let next_accept = (c + 1..events.len())
            .find(|&i| {
                pid_of(&events[i]) == parent && matches!(&*events[i].syscall, "accept" | "accept4")
            })
            .unwrap_or(events.len());
        let kept = walk.fds.iter().find(|u| {
            u.pid == parent
                && walk.kinds[u.socket] == Kind::Accepted
                && u.opened_by < c
                && u.closed_by.is_none_or(|x| x > next_accept)
        });
        if let Some(u) = kept {
            return Err(Broken::at(
                vec![u.opened_by, c],
                format!("The parent kept its copy of fd {} (this accept's client) after the fork, past its next accept or to its end: the child's close then sends no FIN, since the connection ends only when its last fd is closed, and the client waits for its EOF until the parent closes its copy or exits. Close the data fd in the parent right after fork.", u.fd),
                format!("부모가 fork 뒤에도 fd {}(이 accept의 클라이언트)의 사본을 다음 accept까지, 또는 끝까지 닫지 않았습니다. 연결은 마지막 fd가 닫혀야 끝나므로 자식의 close는 FIN을 보내지 않고, 클라이언트는 부모가 사본을 닫거나 끝날 때까지 EOF를 기다립니다. 부모는 fork 직후에 데이터 fd를 닫으십시오.", u.fd),
            ));
        }
    }
    Ok(())
}

/// Every forked child was reaped: a wait4 in its parent returned its
/// pid. Broken at the forks of the children never waited for.
pub fn children_reaped(ev: &Evidence) -> Result<(), Broken> {
    let walk = Walk::new(&ev.events);
    let events = &ev.events;
    let mut unreaped: Vec<usize> = walk
        .forked_by
        .iter()
        .filter(|&(&child, &c)| {
            let parent = pid_of(&events[c]);
            !(c + 1..events.len()).any(|i| {
                events[i].syscall == "wait4"
                    && pid_of(&events[i]) == parent
                    && events[i].value() == Some(i64::from(child))
            })
        })
        .map(|(_, &c)| c)
        .collect();
    unreaped.sort_unstable();
    if unreaped.is_empty() {
        return Ok(());
    }
    Err(Broken::at(
        unreaped,
        "No wait4 (waitpid) in the parent returned this child's pid: the child was never reaped. A child that has ended stays a zombie, its pid and exit status kept by the kernel, until its parent waits for it or ends. Wait for each child: waitpid(-1, &status, WNOHANG) in the accept loop, and a blocking wait for the rest before exit.",
        "부모의 어떤 wait4(waitpid)도 이 자식의 pid를 반환하지 않았습니다. 자식을 거두지 않은 것입니다. 끝난 자식은 부모가 기다려 주거나 끝날 때까지 좀비로 남고, 커널이 그 pid와 종료 상태를 간직합니다. 자식마다 기다리십시오. accept 반복문에서는 waitpid(-1, &status, WNOHANG)로, 끝내기 전에는 남은 자식을 블로킹 wait로 거둡니다.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strace_log::program_calls;

    /// Events read from a hand-written strace log, as the grader reads one.
    fn evidence(log: &str) -> Evidence {
        Evidence {
            events: program_calls(log),
            stdout: Vec::new(),
            peer_received: vec![],
            peer_error: None,
            exit: Exit::Code(0),
            seed: 0,
        }
    }

    const CLIENT: &str = "5 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
        5 connect(3, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n";

    #[test]
    fn reading_until_zero_passes_and_one_read_fails_at_that_read() {
        let good = format!("{CLIENT}5 read(3, \"Hel\", 64) = 3\n5 read(3, \"lo\\n\", 64) = 3\n5 read(3, \"\", 64) = 0\n5 close(3) = 0\n");
        assert_eq!(recv_until_zero(&evidence(&good)), Ok(()));
        let once =
            format!("{CLIENT}5 recvfrom(3, \"Hel\", 1024, 0, NULL, NULL) = 3\n5 close(3) = 0\n");
        let ev = evidence(&once);
        let broken = recv_until_zero(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[0]].syscall, "recvfrom");
        // A read of 0 on a file is not the socket's end.
        let file = "5 read(3, \"\", 64) = 0\n".to_string() + CLIENT + "5 close(3) = 0\n";
        let ev = evidence(&file);
        assert_eq!(
            ev.events[recv_until_zero(&ev).unwrap_err().events[0]].syscall,
            "connect"
        );
    }

    /// Python with a timeout: the socket is nonblocking (ioctl FIONBIO),
    /// connect returns EINPROGRESS, and the connection completes later.
    #[test]
    fn a_connect_in_progress_makes_a_connected_socket() {
        let log = "5 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3\n\
            5 connect(3, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)\n\
            5 recvfrom(3, \"Hi\", 64, 0, NULL, NULL) = 2\n5 recvfrom(3, \"\", 64, 0, NULL, NULL) = 0\n5 close(3) = 0\n";
        let ev = evidence(log);
        assert_eq!(recv_until_zero(&ev), Ok(()));
        assert_eq!(recv_until_zero_per_client(&ev), Ok(()));
        // A refused connect is not one.
        let refused = log.replace(
            "-1 EINPROGRESS (Operation now in progress)",
            "-1 ECONNREFUSED (Connection refused)",
        );
        assert!(recv_until_zero(&evidence(&refused)).is_err());
    }

    /// A client's RST: the receive fails with ECONNRESET (poll said
    /// POLLIN|POLLERR|POLLHUP). Closing the fd and going on passes; exiting
    /// on the error fails at that receive.
    #[test]
    fn a_reset_client_is_closed_and_the_server_goes_on() {
        let server = "5 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
            5 bind(3, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n\
            5 listen(3, 16) = 0\n\
            5 accept(3, NULL, NULL) = 4\n\
            5 poll([{fd=4, events=POLLIN}], 1, -1) = 1 ([{fd=4, revents=POLLIN|POLLERR|POLLHUP}])\n\
            5 read(4, 0x7ffd, 256) = -1 ECONNRESET (Connection reset by peer)\n";
        let good = format!("{server}5 close(4) = 0\n5 close(3) = 0\n");
        assert_eq!(goes_on_after_a_reset(&evidence(&good)), Ok(()));
        let mut dies = evidence(server);
        dies.exit = Exit::Code(1);
        let broken = goes_on_after_a_reset(&dies).unwrap_err();
        assert_eq!(dies.events[broken.events[0]].syscall, "read");
        assert!(
            broken.meaning.en.contains("ECONNRESET"),
            "{:?}",
            broken.meaning
        );
        // Closed at exit, but the status says it gave up.
        let mut closed_then_died = evidence(&good);
        closed_then_died.exit = Exit::Code(1);
        assert!(goes_on_after_a_reset(&closed_then_died).is_err());
    }

    #[test]
    fn a_socket_left_open_is_named_by_the_call_that_made_it() {
        let ev = evidence(&format!("{CLIENT}5 read(3, \"\", 64) = 0\n"));
        let broken = no_socket_open_at_exit(&ev).unwrap_err();
        assert_eq!(broken.events, vec![0]);
        let ev = evidence(&format!("{CLIENT}5 close(3) = 0\n"));
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
    }

    const SERVER: &str = "9 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
        9 bind(3, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n\
        9 listen(3, 16) = 0\n\
        9 accept(3, NULL, NULL) = 4\n\
        9 read(4, \"ping\\n\", 256) = 5\n";

    #[test]
    fn a_one_shot_server_that_closes_both_passes_every_rule() {
        let ev = evidence(&format!(
            "{SERVER}9 write(4, \"ping\\n\", 5) = 5\n9 close(4) = 0\n9 close(3) = 0\n"
        ));
        assert_eq!(no_data_on_listening_fd(&ev), Ok(()));
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
        assert_eq!(listening_fd_closed(&ev), Ok(()));
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
    }

    #[test]
    fn sending_on_the_listening_fd_is_named_even_through_a_dup() {
        let ev = evidence(&format!(
            "{SERVER}9 sendto(3, \"ping\\n\", 5, 0, NULL, 0) = -1 EPIPE (Broken pipe)\n\
             9 dup(3) = 7\n9 write(7, \"x\", 1) = -1 EPIPE (Broken pipe)\n\
             9 close(7) = 0\n9 close(4) = 0\n9 close(3) = 0\n"
        ));
        let broken = no_data_on_listening_fd(&ev).unwrap_err();
        let calls: Vec<&str> = broken
            .events
            .iter()
            .map(|&i| &*ev.events[i].syscall)
            .collect();
        assert_eq!(calls, ["sendto", "write"]);
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
    }

    #[test]
    fn an_accepted_fd_closed_only_through_its_dup_is_still_open() {
        let ev = evidence(&format!(
            "{SERVER}9 dup(4) = 5\n9 write(5, \"ping\\n\", 5) = 5\n9 close(5) = 0\n9 close(3) = 0\n"
        ));
        let broken = accepted_fds_closed(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[0]].syscall, "accept");
        assert_eq!(listening_fd_closed(&ev), Ok(()));
        // dup2 onto the accepted fd's number closes it.
        let ev = evidence(&format!("{SERVER}9 dup2(3, 4) = 4\n9 close(4) = 0\n"));
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
    }

    #[test]
    fn the_listening_fd_left_open_is_named_by_its_listen() {
        let ev = evidence(&format!("{SERVER}9 close(4) = 0\n"));
        let broken = listening_fd_closed(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[0]].syscall, "listen");
    }

    /// A forked child gets a copy of the fds: its copies must be closed
    /// by it, the parent's by the parent.
    #[test]
    fn fds_are_followed_into_a_forked_child() {
        let log = format!(
            "{SERVER}9 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>\n\
             10 close(3) = 0\n\
             9 <... clone resumed>, child_tidptr=0x7f0a10) = 10\n\
             9 close(4) = 0\n\
             10 write(4, \"x\", 1) = 1\n\
             9 close(3) = 0\n"
        );
        let ev = evidence(&log);
        // The child wrote on its copy of the accepted fd, then never closed it.
        let broken = accepted_fds_closed(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[0]].syscall, "accept");
        assert_eq!(listening_fd_closed(&ev), Ok(()));
    }

    /// An iterative server: three clients on one listening fd, each read
    /// until 0 and closed, the listening fd closed at the end.
    fn iterative(per_client: &str, after: &str) -> String {
        let mut log = SERVER.lines().take(3).collect::<Vec<_>>().join("\n") + "\n";
        for _ in 0..3 {
            log.push_str("9 accept(3, NULL, NULL) = 4\n");
            log.push_str(per_client);
        }
        log + after
    }

    const ECHO_ONE: &str = "9 read(4, \"hi\\n\", 64) = 3\n9 write(4, \"hi\\n\", 3) = 3\n";

    #[test]
    fn an_iterative_server_passes_and_its_mistakes_are_named() {
        let full = format!("{ECHO_ONE}9 read(4, \"\", 64) = 0\n9 close(4) = 0\n");
        let ev = evidence(&iterative(&full, "9 close(3) = 0\n"));
        assert_eq!(recv_until_zero_per_client(&ev), Ok(()));
        assert_eq!(one_listening_fd(&ev), Ok(()));
        assert_eq!(listening_fd_closed_last(&ev), Ok(()));
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
        // One read per client: named at the first client's only read.
        let once = format!("{ECHO_ONE}9 close(4) = 0\n");
        let ev = evidence(&iterative(&once, "9 close(3) = 0\n"));
        let broken = recv_until_zero_per_client(&ev).unwrap_err();
        assert_eq!(broken.events, vec![4]);
        assert_eq!(ev.events[4].syscall, "read");
        // The listening fd closed inside the loop: the close, and the
        // accept after it that the kernel refused.
        let log = SERVER.lines().take(4).collect::<Vec<_>>().join("\n")
            + &format!("\n{full}9 close(3) = 0\n")
            + "9 accept(3, NULL, NULL) = -1 EBADF (Bad file descriptor)\n";
        let ev = evidence(&log);
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
        let broken = listening_fd_closed_last(&ev).unwrap_err();
        let calls: Vec<&str> = broken
            .events
            .iter()
            .map(|&i| &*ev.events[i].syscall)
            .collect();
        assert_eq!(calls, ["close", "accept"]);
    }

    #[test]
    fn a_second_listening_socket_is_named_by_its_listen() {
        let again = "9 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5\n\
            9 listen(5, 16) = 0\n9 accept(5, NULL, NULL) = 6\n9 close(6) = 0\n9 close(5) = 0\n";
        let ev = evidence(&format!("{SERVER}9 close(4) = 0\n{again}9 close(3) = 0\n"));
        let broken = one_listening_fd(&ev).unwrap_err();
        let calls: Vec<&str> = broken
            .events
            .iter()
            .map(|&i| &*ev.events[i].syscall)
            .collect();
        assert_eq!(calls, ["listen", "accept"]);
        assert!(one_listening_fd(&evidence(CLIENT)).is_err());
    }

    #[test]
    fn the_exit_is_read_as_it_happened() {
        let mut ev = evidence("");
        assert_eq!(exits_cleanly(&ev), Ok(()));
        ev.exit = Exit::TimedOut;
        assert!(exits_cleanly(&ev).is_err());
        ev.exit = Exit::Signal(9);
        assert!(exits_cleanly(&ev).is_err());
    }

    /// Exercise 5's fault run: a send that strace failed with EINTR.
    const INTERRUPTED: &str = "5 sendto(3, \"\\0\\1\\2\\3\", 1048576, 0, NULL, 0) = -1 EINTR (Interrupted system call) (INJECTED)\n";

    #[test]
    fn a_send_interrupted_by_eintr_must_be_made_again_with_the_same_bytes() {
        // Made again, the same bytes: passes.
        let again = "5 sendto(3, \"\\0\\1\\2\\3\", 1048576, 0, NULL, 0) = 1048576\n";
        let ev = evidence(&format!("{CLIENT}{INTERRUPTED}{again}5 close(3) = 0\n"));
        assert!(ev.events[2].injected);
        assert_eq!(send_retried_after_eintr(&ev), Ok(()));
        // EINTR taken as fatal: the next call on the socket is its close.
        let ev = evidence(&format!("{CLIENT}{INTERRUPTED}5 close(3) = 0\n"));
        let broken = send_retried_after_eintr(&ev).unwrap_err();
        assert_eq!(broken.events, vec![2, 3]);
        assert_eq!(ev.events[3].syscall, "close");
        // The next piece sent instead: other bytes; the failed one is lost.
        let skipped = "5 sendto(3, \"\\31\\32\", 65536, 0, NULL, 0) = 65536\n";
        let ev = evidence(&format!("{CLIENT}{INTERRUPTED}{skipped}5 close(3) = 0\n"));
        assert_eq!(
            send_retried_after_eintr(&ev).unwrap_err().events,
            vec![2, 3]
        );
        // Nothing after it at all.
        let ev = evidence(&format!("{CLIENT}{INTERRUPTED}"));
        assert_eq!(send_retried_after_eintr(&ev).unwrap_err().events, vec![2]);
    }

    #[test]
    fn a_fault_run_where_no_send_on_a_socket_failed_shows_nothing_and_fails() {
        // C's write on the socket, after a write to stderr that took the
        // injected failure (the grader's log keeps socket calls only).
        let log = format!(
            "{CLIENT}5 write(2, \"sending\\n\", 8) = -1 EINTR (Interrupted system call) (INJECTED)\n\
             5 write(3, \"\\0\\1\", 1048576) = 1048576\n5 close(3) = 0\n"
        );
        let ev = evidence(&log);
        let broken = send_retried_after_eintr(&ev).unwrap_err();
        let shown = &ev.events[broken.events[0]];
        assert_eq!(
            (&*shown.syscall, shown.fd, shown.value()),
            ("write", Some(3), Some(1048576))
        );
        // A write interrupted on one socket and retried through its dup
        // is the same socket: made again.
        let log = format!(
            "{CLIENT}5 dup(3) = 4\n5 write(3, \"ab\", 2) = -1 EINTR (Interrupted system call) (INJECTED)\n\
             5 write(4, \"ab\", 2) = 2\n5 close(4) = 0\n5 close(3) = 0\n"
        );
        assert_eq!(send_retried_after_eintr(&evidence(&log)), Ok(()));
    }

    /// Exercise 7's client: the request, then the rest of the log.
    fn asks(rest: &str) -> Evidence {
        evidence(&format!("{CLIENT}5 write(3, \"What?\\n\", 6) = 6\n{rest}"))
    }

    const ANSWER_READ: &str =
        "5 read(3, \"It\", 64) = 2\n5 read(3, \" ends\\n\", 64) = 6\n5 read(3, \"\", 64) = 0\n";

    #[test]
    fn a_half_close_between_the_request_and_the_answer_passes() {
        let ev = asks(&format!(
            "5 shutdown(3, SHUT_WR) = 0\n{ANSWER_READ}5 close(3) = 0\n"
        ));
        assert_eq!(half_closes_after_sending(&ev), Ok(()));
        assert_eq!(recv_until_zero(&ev), Ok(()));
    }

    #[test]
    fn each_way_of_not_half_closing_is_named_by_its_call() {
        let calls = |ev: &Evidence, b: &Broken| -> Vec<String> {
            b.events.iter().map(|&i| ev.events[i].line()).collect()
        };
        // No shutdown at all: the request's write is named, and a run
        // stopped at the limit says so.
        let mut ev = asks("");
        ev.exit = Exit::TimedOut;
        let broken = half_closes_after_sending(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[0]].syscall, "write");
        assert!(broken.meaning.en.contains("stopped it at the time limit"));
        // close instead of shutdown: the close is named; the read after it
        // is on no socket any more.
        let ev = asks("5 close(3) = 0\n5 read(3, 0x7ffd, 64) = -1 EBADF (Bad file descriptor)\n");
        let broken = half_closes_after_sending(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[0]].syscall, "close");
        assert_eq!(broken.events.len(), 1);
        // SHUT_RDWR: the shutdown, and the receive that came back at once.
        let ev = asks("5 shutdown(3, SHUT_RDWR) = 0\n5 read(3, \"\", 64) = 0\n5 close(3) = 0\n");
        let broken = half_closes_after_sending(&ev).unwrap_err();
        let named = calls(&ev, &broken);
        assert!(named[0].starts_with("shutdown(3, SHUT_RDWR)"), "{named:?}");
        assert!(named[1].starts_with("read(3, \"\""), "{named:?}");
        assert_eq!(recv_until_zero(&ev), Ok(()));
        // A send after the shutdown, refused.
        let ev = asks("5 shutdown(3, SHUT_WR) = 0\n5 write(3, \"more\", 4) = -1 EPIPE (Broken pipe)\n5 close(3) = 0\n");
        let broken = half_closes_after_sending(&ev).unwrap_err();
        assert_eq!(broken.events.len(), 2);
        assert_eq!(ev.events[broken.events[1]].syscall, "write");
        // The end read before the shutdown.
        let ev = asks(&format!(
            "{ANSWER_READ}5 shutdown(3, SHUT_WR) = 0\n5 close(3) = 0\n"
        ));
        let broken = half_closes_after_sending(&ev).unwrap_err();
        assert_eq!(ev.events[broken.events[1]].syscall, "shutdown");
        // A program that never connected.
        assert!(half_closes_after_sending(&evidence("")).is_err());
    }

    const REFUSED: &str = "connect({fd}, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)";
    const CONNECTED: &str = "connect({fd}, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0";

    /// A log line of exercise 8's client: `socket` or a connect on `fd`.
    fn try_line(line: &str, fd: i32) -> String {
        format!("6 {}\n", line.replace("{fd}", &fd.to_string()))
    }

    fn socket_line(fd: i32) -> String {
        format!("6 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = {fd}\n")
    }

    #[test]
    fn a_new_socket_per_try_each_refused_one_closed_passes() {
        let mut log = String::new();
        for _ in 0..3 {
            log += &socket_line(3);
            log += &try_line(REFUSED, 3);
            log += "6 close(3) = 0\n";
        }
        log += &socket_line(3);
        log += &try_line(CONNECTED, 3);
        log += "6 read(3, \"\", 64) = 0\n6 close(3) = 0\n";
        let ev = evidence(&log);
        assert_eq!(new_socket_per_connect(&ev), Ok(()));
        assert_eq!(failed_sockets_closed(&ev), Ok(()));
        assert_eq!(retries_until_connected(&ev), Ok(()));
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
    }

    #[test]
    fn the_mistakes_of_a_retrying_client_are_named() {
        // The same socket connected again: the refused connect and the next.
        let log = socket_line(3)
            + &try_line(REFUSED, 3)
            + &try_line(REFUSED, 3)
            + &try_line(CONNECTED, 3)
            + "6 close(3) = 0\n";
        let ev = evidence(&log);
        assert_eq!(new_socket_per_connect(&ev).unwrap_err().events, vec![1, 2]);
        assert_eq!(failed_sockets_closed(&ev), Ok(()));
        assert_eq!(retries_until_connected(&ev), Ok(()));
        // A new socket per try, the refused ones left open: each named by
        // its refused connect.
        let log = socket_line(3)
            + &try_line(REFUSED, 3)
            + &socket_line(4)
            + &try_line(REFUSED, 4)
            + &socket_line(5)
            + &try_line(CONNECTED, 5)
            + "6 close(5) = 0\n";
        let ev = evidence(&log);
        assert_eq!(new_socket_per_connect(&ev), Ok(()));
        assert_eq!(failed_sockets_closed(&ev).unwrap_err().events, vec![1, 3]);
        // Closed, but only after the next try: still one fd per try.
        let log = socket_line(3)
            + &try_line(REFUSED, 3)
            + &socket_line(4)
            + &try_line(CONNECTED, 4)
            + "6 close(3) = 0\n6 close(4) = 0\n";
        let ev = evidence(&log);
        assert_eq!(failed_sockets_closed(&ev).unwrap_err().events, vec![1]);
        // One refusal, no retry: the refused connect is named.
        let log = socket_line(3) + &try_line(REFUSED, 3) + "6 close(3) = 0\n";
        let ev = evidence(&log);
        assert_eq!(retries_until_connected(&ev).unwrap_err().events, vec![1]);
        assert_eq!(failed_sockets_closed(&ev), Ok(()));
        // Never refused: the run shows no retry, and says so.
        let log = socket_line(3) + &try_line(CONNECTED, 3) + "6 close(3) = 0\n";
        let broken = retries_until_connected(&evidence(&log)).unwrap_err();
        assert!(broken.events.is_empty());
        assert!(broken.meaning.en.contains("could not show"));
    }

    /// A UDP server's start, and datagrams from two clients (ports 4001
    /// and 4002), as strace writes them.
    const UDP: &str = "7 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3\n\
        7 bind(3, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n";

    fn from(port: u16, data: &str, n: usize) -> String {
        format!("7 recvfrom(3, \"{data}\", 2048, 0, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}, [128 => 16]) = {n}\n")
    }

    fn to(port: u16, data: &str, n: usize) -> String {
        format!("7 sendto(3, \"{data}\", {n}, 0, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}, 16) = {n}\n")
    }

    fn calls(ev: &Evidence, broken: &Broken) -> Vec<String> {
        broken
            .events
            .iter()
            .map(|&i| ev.events[i].syscall.to_string())
            .collect()
    }

    #[test]
    fn a_udp_echo_server_passes_even_with_an_empty_datagram() {
        let ev = evidence(&format!(
            "{UDP}{}{}{}{}7 close(3) = 0\n",
            from(4001, "hi", 2),
            to(4001, "hi", 2),
            from(4002, "", 0),
            to(4002, "", 0)
        ));
        assert_eq!(no_listen_or_accept(&ev), Ok(()));
        assert_eq!(replies_to_sender(&ev), Ok(()));
        assert_eq!(one_reply_per_datagram(&ev), Ok(()));
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
    }

    #[test]
    fn a_reply_to_the_first_client_is_named_with_the_datagram_it_answers() {
        let ev = evidence(&format!(
            "{UDP}{}{}{}{}",
            from(4001, "a", 1),
            to(4001, "a", 1),
            from(4002, "b", 1),
            to(4001, "b", 1)
        ));
        let broken = replies_to_sender(&ev).unwrap_err();
        assert_eq!(broken.events, vec![4, 5]);
        assert!(broken.meaning.en.contains("came from 127.0.0.1:4002"));
        assert!(broken.meaning.en.contains("went to 127.0.0.1:4001"));
        assert!(broken.meaning.ko.contains("127.0.0.1:4001로 갔습니다"));
        // The boundaries were kept all the same.
        assert_eq!(one_reply_per_datagram(&ev), Ok(()));
    }

    #[test]
    fn merged_datagrams_and_a_datagram_sent_back_as_two_are_named() {
        // Two datagrams gathered, one send: the first got no reply of its
        // own, and the send is not the size of the one it follows.
        let ev = evidence(&format!(
            "{UDP}{}{}{}",
            from(4001, "ab", 2),
            from(4001, "cd", 2),
            to(4001, "abcd", 4)
        ));
        let broken = one_reply_per_datagram(&ev).unwrap_err();
        assert_eq!(broken.events, vec![2, 3, 4]);
        assert!(broken.meaning.en.contains("got no reply of its own"));
        // One datagram, two sends.
        let ev = evidence(&format!(
            "{UDP}{}{}{}",
            from(4001, "a\\nb\\n", 4),
            to(4001, "a\\n", 2),
            to(4001, "b\\n", 2)
        ));
        let broken = one_reply_per_datagram(&ev).unwrap_err();
        assert_eq!(calls(&ev, &broken), ["recvfrom", "sendto", "sendto"]);
        assert!(broken.meaning.en.contains("had 4 bytes and its reply 2"));
    }

    /// recvfrom's 0 is an empty datagram: a server that stops there, as
    /// a TCP server stops at recv's 0, is told so.
    #[test]
    fn an_empty_datagram_taken_for_the_end_is_named() {
        let ev = evidence(&format!("{UDP}{}7 close(3) = 0\n", from(4002, "", 0)));
        let broken = one_reply_per_datagram(&ev).unwrap_err();
        assert_eq!(broken.events, vec![2]);
        assert!(broken.meaning.en.contains("an empty datagram"));
        assert!(broken.meaning.ko.contains("빈 데이터그램"));
    }

    #[test]
    fn listen_or_accept_in_a_udp_server_is_named() {
        let ev = evidence(&format!(
            "{UDP}7 listen(3, 16) = -1 EOPNOTSUPP (Operation not supported)\n"
        ));
        let broken = no_listen_or_accept(&ev).unwrap_err();
        assert_eq!(calls(&ev, &broken), ["listen"]);
    }

    /// recvmsg and sendmsg carry the address in their message header.
    #[test]
    fn recvmsg_and_sendmsg_are_read_by_their_msg_name() {
        let msg = |call: &str, port: u16, data: &str, n: usize| {
            format!("7 {call}(3, {{msg_name={{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}, msg_namelen=16, msg_iov=[{{iov_base=\"{data}\", iov_len=2048}}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}, 0) = {n}\n")
        };
        let ev = evidence(&format!(
            "{UDP}{}{}",
            msg("recvmsg", 4001, "hi", 2),
            msg("sendmsg", 4001, "hi", 2)
        ));
        assert_eq!(
            crate::strace_log::msg_name(&ev.events[2]).map(|a| a.to_string()),
            Some("127.0.0.1:4001".to_string())
        );
        assert_eq!(replies_to_sender(&ev), Ok(()));
        assert_eq!(one_reply_per_datagram(&ev), Ok(()));
        let ev = evidence(&format!(
            "{UDP}{}{}",
            msg("recvmsg", 4001, "hi", 2),
            msg("sendmsg", 4002, "hi", 2)
        ));
        assert_eq!(replies_to_sender(&ev).unwrap_err().events, vec![2, 3]);
    }

    /// On a connected UDP socket read and write need no address: the
    /// sender and the destination are the peer connect named. A recv
    /// without an address on an unconnected socket cannot know who sent.
    #[test]
    fn read_and_write_on_a_connected_udp_socket_go_to_its_peer() {
        let ev = evidence(&format!(
            "{UDP}{}7 connect(3, {{sa_family=AF_INET, sin_port=htons(4001), sin_addr=inet_addr(\"127.0.0.1\")}}, 16) = 0\n\
             7 write(3, \"a\", 1) = 1\n7 read(3, \"b\", 2048) = 1\n7 write(3, \"b\", 1) = 1\n7 close(3) = 0\n",
            from(4001, "a", 1)
        ));
        assert_eq!(replies_to_sender(&ev), Ok(()));
        assert_eq!(one_reply_per_datagram(&ev), Ok(()));
        let ev = evidence(&format!(
            "{UDP}7 recvfrom(3, \"a\", 2048, 0, NULL, NULL) = 1\n{}",
            to(4001, "a", 1)
        ));
        let broken = replies_to_sender(&ev).unwrap_err();
        assert_eq!(broken.events, vec![2]);
        assert!(broken.meaning.en.contains("did not ask who sent"));
    }

    /// Exercise 10's server: listening on fd 3, two clients (4 and 5).
    const LISTENING: &str = "9 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n\
        9 bind(3, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n\
        9 listen(3, 16) = 0\n";

    const POLL_SERVER: &str = "9 poll([{fd=3, events=POLLIN}, {fd=-1}, {fd=-1}], 3, -1) = 1 ([{fd=3, revents=POLLIN}])\n\
        9 accept(3, NULL, NULL) = 4\n\
        9 poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN}, {fd=-1}], 3, -1) = 1 ([{fd=3, revents=POLLIN}])\n\
        9 accept(3, NULL, NULL) = 5\n9 close(3) = 0\n\
        9 poll([{fd=-1}, {fd=4, events=POLLIN}, {fd=5, events=POLLIN}], 3, -1) = 1 ([{fd=5, revents=POLLIN}])\n\
        9 read(5, \"\", 256) = 0\n9 close(5) = 0\n\
        9 poll([{fd=-1}, {fd=4, events=POLLIN}, {fd=-1}], 3, -1) = 1 ([{fd=4, revents=POLLIN}])\n\
        9 read(4, \"\", 256) = 0\n9 close(4) = 0\n";

    #[test]
    fn a_poll_server_passes_and_its_set_is_read_from_the_poll_line() {
        let ev = evidence(&format!("{LISTENING}{POLL_SERVER}"));
        assert_eq!(one_thread_serves_all(&ev), Ok(()));
        assert_eq!(waits_on_listener_and_clients(&ev), Ok(()));
        assert_eq!(closed_fds_leave_the_set(&ev), Ok(()));
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
        // The entries of -1 are skipped, as the kernel skips them.
        assert_eq!(watched_fds(&ev.events[5]), vec![3, 4]);
        let walk = Walk::new(&ev.events);
        let kinds: Vec<Kind> = walk.watched[5]
            .iter()
            .map(|&(_, s)| walk.kinds[s.unwrap()])
            .collect();
        assert_eq!(kinds, [Kind::Listening, Kind::Accepted]);
    }

    /// glibc's select is pselect6; Python's selectors use epoll.
    #[test]
    fn select_and_epoll_servers_watch_the_listener_and_a_client_too() {
        let select = format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n\
             9 pselect6(5, [3 4], NULL, NULL, NULL, NULL) = 1 (in [4])\n\
             9 read(4, \"\", 256) = 0\n9 close(4) = 0\n9 close(3) = 0\n"
        );
        let ev = evidence(&select);
        assert_eq!(ev.events[4].syscall, "pselect6");
        assert_eq!(waits_on_listener_and_clients(&ev), Ok(()));
        let epoll = format!(
            "{LISTENING}9 epoll_create1(EPOLL_CLOEXEC) = 5\n\
             9 epoll_ctl(5, EPOLL_CTL_ADD, 3, {{events=EPOLLIN, data={{u32=3, u64=3}}}}) = 0\n\
             9 epoll_wait(5, [{{events=EPOLLIN, data={{u32=3, u64=3}}}}], 8, -1) = 1\n\
             9 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 4\n\
             9 epoll_ctl(5, EPOLL_CTL_ADD, 4, {{events=EPOLLIN, data={{u32=4, u64=4}}}}) = 0\n\
             9 epoll_wait(5, [{{events=EPOLLIN, data={{u32=4, u64=4}}}}], 8, -1) = 1\n"
        );
        let ev = evidence(&epoll);
        assert_eq!(waits_on_listener_and_clients(&ev), Ok(()));
        // Until the client's fd was added, the set held the listener only.
        let walk = Walk::new(&ev.events);
        assert_eq!(walk.watched[5].len(), 1);
        assert_eq!(walk.watched[8].len(), 2);
    }

    #[test]
    fn a_server_that_waits_on_one_socket_alone_is_named() {
        // No poll at all: the first accept is named.
        let ev = evidence(&format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n9 read(4, \"\", 256) = 0\n9 close(4) = 0\n"
        ));
        let broken = waits_on_listener_and_clients(&ev).unwrap_err();
        assert_eq!(broken.events, vec![3]);
        assert!(broken.meaning.en.contains("never called poll"));
        // A poll of the listener alone, then a recv on the client.
        let ev = evidence(&format!(
            "{LISTENING}9 poll([{{fd=3, events=POLLIN}}], 1, -1) = 1 ([{{fd=3, revents=POLLIN}}])\n\
             9 accept(3, NULL, NULL) = 4\n9 read(4, \"\", 256) = 0\n"
        ));
        assert_eq!(
            waits_on_listener_and_clients(&ev).unwrap_err().events,
            vec![3]
        );
    }

    #[test]
    fn a_closed_fd_left_in_the_set_is_named_by_its_first_pollnval() {
        let spin = "9 poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN}], 2, -1) = 1 ([{fd=4, revents=POLLNVAL}])\n";
        let ev = evidence(&format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n9 read(4, \"\", 256) = 0\n9 close(4) = 0\n{spin}{spin}{spin}"
        ));
        // Kept in the record though fd 4 is no socket any more.
        assert_eq!(ev.events.len(), 9);
        let broken = closed_fds_leave_the_set(&ev).unwrap_err();
        assert_eq!(broken.events, vec![6]);
        assert!(broken.meaning.en.contains("POLLNVAL for fd 4"));
        assert!(broken.meaning.en.contains("3 such calls"));
        // select fails instead, with EBADF.
        let ev = evidence(&format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n9 close(4) = 0\n\
             9 pselect6(5, [3 4], NULL, NULL, NULL, NULL) = -1 EBADF (Bad file descriptor)\n"
        ));
        let broken = closed_fds_leave_the_set(&ev).unwrap_err();
        assert_eq!(broken.events, vec![5]);
        assert!(broken.meaning.en.contains("EBADF"));
    }

    #[test]
    fn a_thread_is_named_by_its_clone3() {
        let ev = evidence(&format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n\
             9 clone3({{flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f1, parent_tid=0x7f1, exit_signal=0, stack=0x7f0, stack_size=0x1fff00, tls=0x7f2}} => {{parent_tid=[12]}}, 88) = 12\n\
             12 read(4, \"\", 256) = 0\n12 close(4) = 0\n9 close(3) = 0\n"
        ));
        let broken = one_thread_serves_all(&ev).unwrap_err();
        assert_eq!(broken.events, vec![4]);
        assert!(broken.meaning.en.contains("a new thread"));
        // The thread shares its process's fds: its close is the one.
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
        // A fork is a new process.
        let ev = evidence(&format!(
            "{LISTENING}9 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0) = 10\n"
        ));
        assert!(one_thread_serves_all(&ev)
            .unwrap_err()
            .meaning
            .en
            .contains("a new process"));
    }

    const FORK: &str = "9 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0)";

    /// Exercise 11's server, one client: accept, fork, the child closes
    /// the listening fd and serves, the parent closes the data fd and
    /// reaps the child. `child` and `parent` replace their parts.
    fn forked(child: &str, parent: &str) -> String {
        format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n{FORK} = 10\n{child}{parent}\
             9 wait4(-1, NULL, 0, NULL) = 10\n9 exit_group(0) = ?\n"
        )
    }

    const CHILD: &str =
        "10 close(3) = 0\n10 read(4, \"hi\", 256) = 2\n10 write(4, \"hi\", 2) = 2\n\
        10 read(4, \"\", 256) = 0\n10 close(4) = 0\n10 exit_group(0) = ?\n";
    const PARENT: &str = "9 close(4) = 0\n9 close(3) = 0\n";

    #[test]
    fn a_fork_server_passes_every_rule_of_its_own() {
        let ev = evidence(&forked(CHILD, PARENT));
        assert_eq!(forks_per_client(&ev), Ok(()));
        assert_eq!(child_closes_listening_fd(&ev), Ok(()));
        assert_eq!(parent_closes_data_fd(&ev), Ok(()));
        assert_eq!(children_reaped(&ev), Ok(()));
        assert_eq!(accepted_fds_closed(&ev), Ok(()));
        assert_eq!(no_socket_open_at_exit(&ev), Ok(()));
        assert_eq!(no_data_on_listening_fd(&ev), Ok(()));
    }

    #[test]
    fn the_mistakes_of_a_fork_server_are_named() {
        // The child keeps the listening fd: the fork and its first read.
        let ev = evidence(&forked(&CHILD.replace("10 close(3) = 0\n", ""), PARENT));
        let broken = child_closes_listening_fd(&ev).unwrap_err();
        assert_eq!(calls(&ev, &broken), ["clone", "read"]);
        assert!(broken.meaning.ko.contains("자식 10은"));
        assert!(no_socket_open_at_exit(&ev).is_err());
        // Closed only after serving: still kept while it served.
        let late = CHILD.replace("10 close(3) = 0\n", "") + "10 close(3) = 0\n";
        assert!(child_closes_listening_fd(&evidence(&forked(&late, PARENT))).is_err());
        // The parent keeps the data fd: its accept and the fork.
        let ev = evidence(&forked(CHILD, "9 close(3) = 0\n"));
        let broken = parent_closes_data_fd(&ev).unwrap_err();
        assert_eq!(calls(&ev, &broken), ["accept", "clone"]);
        assert!(accepted_fds_closed(&ev).is_err());
        // Closed, but only after the next accept.
        let next = "9 accept(3, NULL, NULL) = 5\n9 close(4) = 0\n9 close(5) = 0\n9 close(3) = 0\n";
        assert!(parent_closes_data_fd(&evidence(&forked(CHILD, next))).is_err());
        // Never reaped: the fork is named.
        let ev = evidence(&forked(CHILD, PARENT).replace("9 wait4(-1, NULL, 0, NULL) = 10\n", ""));
        assert_eq!(calls(&ev, &children_reaped(&ev).unwrap_err()), ["clone"]);
        // A WNOHANG that found nothing reaps nothing.
        let ev = evidence(&forked(CHILD, PARENT).replace(
            "9 wait4(-1, NULL, 0, NULL) = 10\n",
            "9 wait4(-1, NULL, WNOHANG, NULL) = 0\n",
        ));
        assert!(children_reaped(&ev).is_err());
        // Served by the parent itself: the accept, and the parent's read.
        let ev = evidence(&format!(
            "{LISTENING}9 accept(3, NULL, NULL) = 4\n9 read(4, \"\", 256) = 0\n9 close(4) = 0\n9 close(3) = 0\n"
        ));
        let broken = forks_per_client(&ev).unwrap_err();
        assert_eq!(calls(&ev, &broken), ["accept", "read"]);
    }
}
