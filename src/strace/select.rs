//! strace's picture of `pselect6`, the call glibc's `select` makes: the fd
//! sets, the timeout (a `struct timespec`, in nanoseconds) and the result,
//! which strace annotates with the ready sets and the time left:
//! `= 1 (in [3], left {tv_sec=0, tv_nsec=999000})`.

use std::fmt::Write;

/// An fd set as the kernel reads it: bit `fd % 64` of word `fd / 64`.
pub type FdBits = [u64];

/// The fds whose bits are set, below `nfds` (the kernel looks no further).
pub fn set_fds(bits: &FdBits, nfds: i32) -> impl Iterator<Item = i32> + '_ {
    (0..nfds.max(0)).filter(move |&fd| {
        let (word, bit) = (fd as usize / 64, fd as usize % 64);
        bits.get(word).is_some_and(|w| w & (1 << bit) != 0)
    })
}

/// One fd-set argument: `[3 4]`, `[]` or `NULL`. With `nfds` 0 strace
/// reads no bits, so a set that was passed shows as its address.
pub fn fd_set_arg(set: Option<&FdBits>, nfds: i32) -> String {
    match set {
        None => "NULL".into(),
        Some(bits) if nfds <= 0 => format!("{:p}", bits.as_ptr()),
        Some(bits) => {
            let fds: Vec<String> = set_fds(bits, nfds).map(|fd| fd.to_string()).collect();
            format!("[{}]", fds.join(" "))
        }
    }
}

/// A `struct timespec`: `{tv_sec=1, tv_nsec=0}`.
pub fn timespec(ts: &libc::timespec) -> String {
    format!("{{tv_sec={}, tv_nsec={}}}", ts.tv_sec, ts.tv_nsec)
}

/// strace's note after a successful `pselect6` that found `ready` fds:
/// `Timeout` for 0, else `in [3], out [4], left {...}`. The sets are the
/// ones the kernel wrote back; `left` is the timeout it wrote back (absent
/// when the call had none).
///
/// This follows strace 6.1 to the letter, including two details: it names
/// no more fds than the call counted, and it closes a bracket after every
/// set it reads once something has been printed, so a set passed empty
/// between two ready ones shows as an extra `]` (`in [5]], except [5]`).
/// Its buffer is 1024 bytes: fds that would not fit are left out.
pub fn select_result(
    ready: i64,
    sets: [Option<&FdBits>; 3],
    nfds: i32,
    left: Option<&libc::timespec>,
) -> String {
    const OUTSTR: usize = 1024;
    if ready == 0 {
        return "Timeout".into();
    }
    let names = ["in", "out", "except"];
    let mut out = String::new();
    let mut sep = "";
    let mut ready_left = ready;
    for (i, set) in sets.iter().enumerate() {
        if ready_left <= 0 {
            break;
        }
        let Some(bits) = set else { continue };
        let mut first = true;
        for fd in set_fds(bits, nfds) {
            // strace keeps room for `, except [`, an int and `]`.
            if out.len() < OUTSTR - (11 + 12 + 2) {
                if first {
                    let _ = write!(out, "{sep}{} [{fd}", names[i]);
                    first = false;
                    sep = ", ";
                } else {
                    let _ = write!(out, " {fd}");
                }
            }
            ready_left -= 1;
            if ready_left == 0 {
                break;
            }
        }
        if !out.is_empty() {
            out.push(']');
        }
    }
    if let Some(ts) = left {
        let ts = timespec(ts);
        if out.len() + 6 + sep.len() + ts.len() < OUTSTR {
            let _ = write!(out, "{sep}left {ts}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(fds: &[i32]) -> [u64; 16] {
        let mut b = [0u64; 16];
        for &fd in fds {
            b[fd as usize / 64] |= 1 << (fd % 64);
        }
        b
    }

    fn ts(sec: i64, nsec: i64) -> libc::timespec {
        libc::timespec {
            tv_sec: sec,
            tv_nsec: nsec,
        }
    }

    #[test]
    fn arguments_as_strace_prints_them() {
        assert_eq!(fd_set_arg(Some(&bits(&[3, 4])), 5), "[3 4]");
        assert_eq!(fd_set_arg(Some(&bits(&[])), 5), "[]");
        assert_eq!(fd_set_arg(None, 5), "NULL");
        assert!(fd_set_arg(Some(&bits(&[3])), 0).starts_with("0x"));
        assert_eq!(fd_set_arg(Some(&bits(&[70, 1023])), 1024), "[70 1023]");
        assert_eq!(timespec(&ts(1, 0)), "{tv_sec=1, tv_nsec=0}");
    }

    // Each expected line was printed by strace 6.1 for a C program's select.
    #[test]
    fn results_as_strace_annotates_them() {
        let (r, w) = (bits(&[3]), bits(&[4]));
        assert_eq!(
            select_result(2, [Some(&r), Some(&w), None], 5, Some(&ts(0, 999997476))),
            "in [3], out [4], left {tv_sec=0, tv_nsec=999997476}"
        );
        assert_eq!(
            select_result(0, [Some(&r), None, None], 5, Some(&ts(0, 0))),
            "Timeout"
        );
        let (r, w, e) = (bits(&[5]), bits(&[]), bits(&[5]));
        assert_eq!(
            select_result(2, [Some(&r), Some(&w), Some(&e)], 6, Some(&ts(2, 493420))),
            "in [5]], except [5], left {tv_sec=2, tv_nsec=493420}"
        );
        let none = bits(&[]);
        assert_eq!(
            select_result(1, [Some(&none), Some(&none), Some(&e)], 6, None),
            "except [5]"
        );
    }
}
