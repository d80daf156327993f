//! strace's text: how strace writes a system call, its arguments and its result.
//!
//! Nothing here makes a system call or knows about sockets as objects. It turns
//! plain values (bytes, flag bits, errno numbers, raw addresses) into the exact
//! text strace 6 prints for them on x86-64 Linux, so a learner can put socklab's
//! output next to `strace`'s and see the same line.

pub mod consts;
pub mod epoll;
pub mod escape;
pub mod line;
pub mod msghdr;
pub mod select;
pub mod sockaddr;

pub use consts::{errno_message, errno_name};
pub use escape::{quote_bytes, MAX_STRLEN};
pub use line::{format_line, Ret};
pub use sockaddr::{format_len, format_sockaddr};
