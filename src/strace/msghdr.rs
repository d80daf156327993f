//! strace's picture of a `struct msghdr`, the second argument of `sendmsg`
//! and `recvmsg`: the data's one buffer (`msg_iov`) and the control
//! messages (`msg_control`), of which socklab sends and receives one kind,
//! `SCM_RIGHTS`: open fds passed to another process over a Unix socket.

use super::consts::{flag_names, MSG_FLAGS};
use super::escape::{quote_bytes, MAX_STRLEN};
use std::mem::size_of;

/// A `struct cmsghdr` on x86-64: `cmsg_len` (8 bytes), level, type.
const CMSG_HEADER: usize = size_of::<libc::cmsghdr>();

/// The message header of a `sendmsg`, or of a `recvmsg` that succeeded,
/// with no address (`msg_name=NULL`) and one data buffer:
/// `{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="x", iov_len=1}],
/// msg_iovlen=1, msg_control=[...], msg_controllen=24, msg_flags=0}`.
///
/// `shown` is the data strace prints (what was sent, or what was
/// received), `iov_len` the buffer's length, `control` the control buffer
/// as long as `msg_controllen` says (after `recvmsg`, as long as the kernel
/// filled it), and `msg_flags` the header's flags field.
pub fn msghdr(shown: &[u8], iov_len: usize, control: &[u8], msg_flags: i32) -> String {
    let mut out = format!(
        "{{msg_name=NULL, msg_namelen=0, msg_iov=[{{iov_base={}, iov_len={iov_len}}}], msg_iovlen=1, ",
        quote_bytes(shown)
    );
    // strace leaves msg_control out when msg_controllen is 0.
    if !control.is_empty() {
        out.push_str("msg_control=");
        out.push_str(&cmsgs(control));
        out.push_str(", ");
    }
    out.push_str(&format!(
        "msg_controllen={}, msg_flags={}}}",
        control.len(),
        flag_names(msg_flags as u32 as i64, MSG_FLAGS, "0")
    ));
    out
}

/// What strace prints for a failed `recvmsg`'s header: only what the
/// program passed in, `{msg_namelen=0}`.
pub fn msghdr_failed() -> String {
    "{msg_namelen=0}".into()
}

/// The control messages: `[{cmsg_len=20, cmsg_level=SOL_SOCKET,
/// cmsg_type=SCM_RIGHTS, cmsg_data=[3]}]`. A buffer shorter than one
/// header shows as its address.
fn cmsgs(control: &[u8]) -> String {
    if control.len() < CMSG_HEADER {
        return format!("{:p}", control.as_ptr());
    }
    let mut items = Vec::new();
    let mut rest = control;
    while rest.len() >= CMSG_HEADER {
        let word = |at: usize, n: usize| {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&rest[at..at + n]);
            u64::from_ne_bytes(b)
        };
        let cmsg_len = word(0, 8);
        let level = word(8, 4) as u32 as i32;
        let ty = word(12, 4) as u32 as i32;
        let len = (cmsg_len as usize).min(rest.len());
        let data = &rest[CMSG_HEADER.min(len)..len];
        let mut item = format!("{{cmsg_len={cmsg_len}, cmsg_level=");
        match (level, ty) {
            (libc::SOL_SOCKET, libc::SCM_RIGHTS) => {
                item.push_str("SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=");
                item.push_str(&fd_list(data));
            }
            (libc::SOL_SOCKET, t) => item.push_str(&format!("SOL_SOCKET, cmsg_type={t:#x}")),
            (l, t) => item.push_str(&format!("{l}, cmsg_type={t:#x}")),
        }
        item.push('}');
        items.push(item);
        // The next header starts at cmsg_len rounded up to 8 bytes.
        let step = (cmsg_len as usize).saturating_add(7) & !7;
        if step >= rest.len() || step < CMSG_HEADER {
            break;
        }
        rest = &rest[step..];
    }
    format!("[{}]", items.join(", "))
}

/// The fds of an `SCM_RIGHTS` message: `[3]`, at most 32, then `...`.
fn fd_list(data: &[u8]) -> String {
    let fds: Vec<i32> = data
        .chunks_exact(4)
        .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut items: Vec<String> = fds.iter().take(MAX_STRLEN).map(i32::to_string).collect();
    if fds.len() > MAX_STRLEN {
        items.push("...".into());
    }
    format!("[{}]", items.join(", "))
}

/// An `SCM_RIGHTS` control message carrying `fds`, laid out as the kernel
/// reads it, in a buffer of `CMSG_SPACE(4 * fds.len())` bytes.
pub fn scm_rights(fds: &[i32]) -> Vec<u8> {
    let data_len = 4 * fds.len();
    let space = CMSG_HEADER + ((data_len + 7) & !7);
    let mut buf = vec![0u8; space];
    buf[..8].copy_from_slice(&((CMSG_HEADER + data_len) as u64).to_ne_bytes());
    buf[8..12].copy_from_slice(&libc::SOL_SOCKET.to_ne_bytes());
    buf[12..16].copy_from_slice(&libc::SCM_RIGHTS.to_ne_bytes());
    for (i, fd) in fds.iter().enumerate() {
        let at = CMSG_HEADER + 4 * i;
        buf[at..at + 4].copy_from_slice(&fd.to_ne_bytes());
    }
    buf
}

/// The fds in every `SCM_RIGHTS` message of a control buffer the kernel
/// filled (`msg_controllen` bytes).
pub fn scm_rights_fds(control: &[u8]) -> Vec<i32> {
    let mut fds = Vec::new();
    let mut rest = control;
    while rest.len() >= CMSG_HEADER {
        let cmsg_len = u64::from_ne_bytes(rest[..8].try_into().unwrap_or([0; 8])) as usize;
        let level = i32::from_ne_bytes(rest[8..12].try_into().unwrap_or([0; 4]));
        let ty = i32::from_ne_bytes(rest[12..16].try_into().unwrap_or([0; 4]));
        let len = cmsg_len.min(rest.len());
        if level == libc::SOL_SOCKET && ty == libc::SCM_RIGHTS && len > CMSG_HEADER {
            fds.extend(
                rest[CMSG_HEADER..len]
                    .chunks_exact(4)
                    .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        let step = cmsg_len.saturating_add(7) & !7;
        if step >= rest.len() || step < CMSG_HEADER {
            break;
        }
        rest = &rest[step..];
    }
    fds
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each expected text was printed by strace 6.1 for a C program.
    #[test]
    fn as_strace_prints_them() {
        assert_eq!(
            msghdr(b"x", 1, &scm_rights(&[3]), 0),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"x\", iov_len=1}], msg_iovlen=1, \
             msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3]}], \
             msg_controllen=24, msg_flags=0}"
        );
        assert_eq!(
            msghdr(b"ab", 64, &scm_rights(&[7, 8]), 0),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ab\", iov_len=64}], msg_iovlen=1, \
             msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7, 8]}], \
             msg_controllen=24, msg_flags=0}"
        );
        assert_eq!(
            msghdr(b"plain", 64, &[], libc::MSG_CTRUNC),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"plain\", iov_len=64}], msg_iovlen=1, \
             msg_controllen=0, msg_flags=MSG_CTRUNC}"
        );
        assert_eq!(
            msghdr(b"hello\n", 64, &scm_rights(&[7]), libc::MSG_CMSG_CLOEXEC),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\\n\", iov_len=64}], msg_iovlen=1, \
             msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7]}], \
             msg_controllen=24, msg_flags=MSG_CMSG_CLOEXEC}"
        );
    }

    #[test]
    fn the_fds_come_back_out() {
        assert_eq!(scm_rights(&[3]).len(), 24);
        assert_eq!(scm_rights_fds(&scm_rights(&[5])), [5]);
        assert_eq!(scm_rights_fds(&scm_rights(&[5, 6])), [5, 6]);
        assert!(scm_rights_fds(&[]).is_empty());
    }
}
