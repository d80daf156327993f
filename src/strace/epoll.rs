//! strace's picture of the epoll calls: `epoll_create1`'s flags,
//! `epoll_ctl`'s operation, a `struct epoll_event`, and the events
//! `epoll_wait` returns.

use super::consts::flag_names;
use super::escape::MAX_STRLEN;

/// `EPOLL*` event bits, in strace's order (by value).
pub const EPOLL_EVENTS: &[(i64, &str)] = &[
    (libc::EPOLLIN as u32 as i64, "EPOLLIN"),
    (libc::EPOLLPRI as u32 as i64, "EPOLLPRI"),
    (libc::EPOLLOUT as u32 as i64, "EPOLLOUT"),
    (libc::EPOLLERR as u32 as i64, "EPOLLERR"),
    (libc::EPOLLHUP as u32 as i64, "EPOLLHUP"),
    (0x20, "EPOLLNVAL"),
    (libc::EPOLLRDNORM as u32 as i64, "EPOLLRDNORM"),
    (libc::EPOLLRDBAND as u32 as i64, "EPOLLRDBAND"),
    (libc::EPOLLWRNORM as u32 as i64, "EPOLLWRNORM"),
    (libc::EPOLLWRBAND as u32 as i64, "EPOLLWRBAND"),
    (libc::EPOLLMSG as u32 as i64, "EPOLLMSG"),
    (libc::EPOLLRDHUP as u32 as i64, "EPOLLRDHUP"),
    (libc::EPOLLEXCLUSIVE as u32 as i64, "EPOLLEXCLUSIVE"),
    (libc::EPOLLWAKEUP as u32 as i64, "EPOLLWAKEUP"),
    (libc::EPOLLONESHOT as u32 as i64, "EPOLLONESHOT"),
    (libc::EPOLLET as u32 as i64, "EPOLLET"),
];

const EPOLL_CREATE_FLAGS: &[(i64, &str)] = &[(libc::EPOLL_CLOEXEC as i64, "EPOLL_CLOEXEC")];

/// A flag set as strace's `printflags` writes it: known names joined by
/// `|`, unknown bits in hex after them, and, when no bit has a name, the
/// hex number with a comment such as `/* EPOLL??? */`.
fn flags(bits: i64, table: &[(i64, &str)], unknown: &str) -> String {
    let named = table.iter().any(|&(bit, _)| bits & bit == bit);
    if bits != 0 && !named {
        return format!("{bits:#x} /* {unknown} */");
    }
    flag_names(bits, table, "0")
}

/// `epoll_create1`'s argument: `EPOLL_CLOEXEC` or `0`.
pub fn epoll_create1_flags(bits: i32) -> String {
    flags(bits as u32 as i64, EPOLL_CREATE_FLAGS, "EPOLL_???")
}

/// `epoll_ctl`'s operation: `EPOLL_CTL_ADD`.
pub fn epoll_ctl_op(op: i32) -> String {
    match op {
        libc::EPOLL_CTL_ADD => "EPOLL_CTL_ADD".into(),
        libc::EPOLL_CTL_MOD => "EPOLL_CTL_MOD".into(),
        libc::EPOLL_CTL_DEL => "EPOLL_CTL_DEL".into(),
        n => format!("{n:#x} /* EPOLL_CTL_??? */"),
    }
}

/// The events bits alone: `EPOLLIN|EPOLLET`.
pub fn epoll_events(events: u32) -> String {
    flags(events as i64, EPOLL_EVENTS, "EPOLL???")
}

/// One `struct epoll_event`: `{events=EPOLLIN, data={u32=7, u64=7}}`. The
/// data is a union; strace shows it as both of its integer views.
pub fn epoll_event(events: u32, data: u64) -> String {
    format!(
        "{{events={}, data={{u32={}, u64={data}}}}}",
        epoll_events(events),
        data as u32
    )
}

/// The events `epoll_wait` filled in: `[{events=EPOLLIN, data=...}]`, at
/// most 32 of them (strace's `-s 32` bounds arrays too), then `...`.
pub fn epoll_event_list(events: &[(u32, u64)]) -> String {
    let mut items: Vec<String> = events
        .iter()
        .take(MAX_STRLEN)
        .map(|&(ev, data)| epoll_event(ev, data))
        .collect();
    if events.len() > MAX_STRLEN {
        items.push("...".into());
    }
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each expected text was printed by strace 6.1 for a C program.
    #[test]
    fn as_strace_prints_them() {
        assert_eq!(epoll_create1_flags(libc::EPOLL_CLOEXEC), "EPOLL_CLOEXEC");
        assert_eq!(epoll_create1_flags(0), "0");
        assert_eq!(epoll_create1_flags(0x3039), "0x3039 /* EPOLL_??? */");
        assert_eq!(
            epoll_create1_flags(libc::EPOLL_CLOEXEC | 1),
            "EPOLL_CLOEXEC|0x1"
        );
        assert_eq!(epoll_ctl_op(libc::EPOLL_CTL_ADD), "EPOLL_CTL_ADD");
        assert_eq!(epoll_ctl_op(9), "0x9 /* EPOLL_CTL_??? */");
        assert_eq!(
            epoll_event(libc::EPOLLIN as u32, 7),
            "{events=EPOLLIN, data={u32=7, u64=7}}"
        );
        assert_eq!(
            epoll_event(0xffff_ffff, 1),
            "{events=EPOLLIN|EPOLLPRI|EPOLLOUT|EPOLLERR|EPOLLHUP|EPOLLNVAL|EPOLLRDNORM|\
             EPOLLRDBAND|EPOLLWRNORM|EPOLLWRBAND|EPOLLMSG|EPOLLRDHUP|EPOLLEXCLUSIVE|\
             EPOLLWAKEUP|EPOLLONESHOT|EPOLLET|0xfffd800, data={u32=1, u64=1}}"
        );
        assert_eq!(
            epoll_event(0x4000, 1),
            "{events=0x4000 /* EPOLL??? */, data={u32=1, u64=1}}"
        );
        assert_eq!(
            epoll_event(0, 20015998343868),
            "{events=0, data={u32=1450744508, u64=20015998343868}}"
        );
        assert_eq!(epoll_event_list(&[]), "[]");
        let many: Vec<(u32, u64)> = (0..40).map(|i| (1, i)).collect();
        assert!(epoll_event_list(&many).ends_with("u64=31}}, ...]"));
    }
}
