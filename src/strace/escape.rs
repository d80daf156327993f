//! strace's quoting of a byte buffer, as in `sendto(4, "hi\n", 3, ...)`.

/// strace shows at most this many bytes of a buffer (its `-s 32` default).
pub const MAX_STRLEN: usize = 32;

/// Quote `bytes` the way strace prints a buffer argument.
///
/// At most [`MAX_STRLEN`] bytes are shown; when the buffer is longer, the
/// closing quote is followed by `...`. Printable ASCII stands as itself, `"`
/// and `\` are escaped, `\t \n \v \f \r` get their C escapes, and every
/// other byte is octal: as few digits as possible, but always three when the
/// next byte shown is itself an octal digit, so `\0` followed by `1` reads
/// `\0001` and not `\01`.
pub fn quote_bytes(bytes: &[u8]) -> String {
    quote(bytes, MAX_STRLEN)
}

/// Quote all of `bytes` with the same escapes and no cut, as strace prints
/// a Unix socket's `sun_path`.
pub fn quote_all(bytes: &[u8]) -> String {
    quote(bytes, usize::MAX)
}

fn quote(bytes: &[u8], limit: usize) -> String {
    let shown = &bytes[..bytes.len().min(limit)];
    let mut out = String::with_capacity(shown.len() + 8);
    out.push('"');
    for (i, &b) in shown.iter().enumerate() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let next_is_octal_digit = matches!(shown.get(i + 1), Some(b'0'..=b'7'));
                out.push('\\');
                if next_is_octal_digit || b >= 0o100 {
                    out.push(char::from(b'0' + (b >> 6)));
                }
                if next_is_octal_digit || b >= 0o10 {
                    out.push(char::from(b'0' + ((b >> 3) & 7)));
                }
                out.push(char::from(b'0' + (b & 7)));
            }
        }
    }
    out.push('"');
    if bytes.len() > limit {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_c_escapes() {
        assert_eq!(quote_bytes(b"hello\n"), r#""hello\n""#);
        assert_eq!(quote_bytes(b"a\tb\rc\x0bd\x0ce"), r#""a\tb\rc\vd\fe""#);
        assert_eq!(quote_bytes(b""), r#""""#);
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quote_bytes(br#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
    }

    #[test]
    fn octal_is_short_unless_a_digit_follows() {
        // These pairs were printed by strace 6.1 for the same bytes.
        assert_eq!(
            quote_bytes(b"\x001\x07x\xff\t\"\\\x7f8\x019"),
            r#""\0001\7x\377\t\"\\\1778\19""#
        );
        assert_eq!(quote_bytes(b"\x00"), r#""\0""#);
        assert_eq!(quote_bytes(b"\x00a"), r#""\0a""#);
        assert_eq!(quote_bytes(b"\x1b[0m"), r#""\33[0m""#);
        assert_eq!(quote_bytes(b"\x1b7"), r#""\0337""#);
        // 8 and 9 are not octal digits, so no padding is needed before them.
        assert_eq!(quote_bytes(b"\x018"), r#""\18""#);
    }

    #[test]
    fn long_buffers_are_cut_at_32_bytes() {
        let z32 = [b'z'; 32];
        let z33 = [b'z'; 33];
        assert_eq!(quote_bytes(&z32), format!("\"{}\"", "z".repeat(32)));
        assert_eq!(quote_bytes(&z33), format!("\"{}\"...", "z".repeat(32)));
    }

    #[test]
    fn binary_bytes_all_octal() {
        assert_eq!(quote_bytes(&[0x80, 0xfe, 0x00]), r#""\200\376\0""#);
    }
}
