//! Korean particles (조사) after a word whose last sound is known only at
//! run time: a port, an fd, an address, a call's name.
//!
//! A particle has two forms, chosen by the word's final sound *as read
//! aloud*: after a final consonant (받침) 을/은/이/과/으로, after a vowel
//! 를/는/가/와/로; ㄹ takes 로, not 으로. So numbers are read as Sino-Korean
//! numerals (7803 칠천팔백삼 → 7803을, 7802 → 7802를, fd 1 → fd 1로),
//! English words and code names as Koreans say them (listen 리슨 → 을,
//! accept 억셉트 → 를), and Hangul by its own 받침.
//!
//! ```
//! use socklab_tools::lesson::josa;
//! assert_eq!(josa::eul("listen"), "listen을");
//! assert_eq!(format!("포트 {}", josa::eul(7802)), "포트 7802를");
//! assert_eq!(josa::ro("127.0.0.1:7801"), "127.0.0.1:7801로");
//! ```

use std::fmt::Display;

/// The final sound of a word as read aloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Final {
    /// Ends in a vowel: 를, 는, 가, 와, 로.
    Vowel,
    /// Ends in ㄹ: 을, 은, 이, 과, but 로.
    Rieul,
    /// Ends in any other consonant: 을, 은, 이, 과, 으로.
    Consonant,
}

/// A particle, by its two forms (after a consonant, after a vowel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Particle {
    /// Object: 을/를.
    EulReul,
    /// Topic: 은/는.
    EunNeun,
    /// Subject: 이/가.
    IGa,
    /// "and, with": 과/와.
    GwaWa,
    /// "to, by, as": 으로/로.
    EuroRo,
}

impl Particle {
    /// The form that follows a word ending in `f`.
    pub fn after(self, f: Final) -> &'static str {
        let consonant = f != Final::Vowel;
        match self {
            Particle::EulReul => pick(consonant, "을", "를"),
            Particle::EunNeun => pick(consonant, "은", "는"),
            Particle::IGa => pick(consonant, "이", "가"),
            Particle::GwaWa => pick(consonant, "과", "와"),
            Particle::EuroRo => pick(f == Final::Consonant, "으로", "로"),
        }
    }
}

fn pick(first: bool, a: &'static str, b: &'static str) -> &'static str {
    if first {
        a
    } else {
        b
    }
}

/// `word` followed by the right form of `p`.
pub fn attach(word: impl Display, p: Particle) -> String {
    let word = word.to_string();
    let particle = p.after(final_sound(&word));
    word + particle
}

/// `word` + 을/를.
pub fn eul(word: impl Display) -> String {
    attach(word, Particle::EulReul)
}

/// `word` + 은/는.
pub fn eun(word: impl Display) -> String {
    attach(word, Particle::EunNeun)
}

/// `word` + 이/가.
pub fn i(word: impl Display) -> String {
    attach(word, Particle::IGa)
}

/// `word` + 과/와.
pub fn gwa(word: impl Display) -> String {
    attach(word, Particle::GwaWa)
}

/// `word` + 으로/로.
pub fn ro(word: impl Display) -> String {
    attach(word, Particle::EuroRo)
}

/// The final sound of `word` as read aloud. Closing brackets and quotes at
/// the end are not read (`socket:[123]`, `` `listen` ``); a word that ends
/// in digits ends in its number (`127.0.0.1:7802`, `fd 3`).
pub fn final_sound(word: &str) -> Final {
    let text = word.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ')' | ']' | '}' | '>' | '"' | '\'' | '`' | '.' | ',')
    });
    let Some(last) = text.chars().last() else {
        return Final::Vowel;
    };
    if let Some(f) = hangul_final(last) {
        return f;
    }
    // The last run of letters, digits and underscores: the word read last.
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let token = &text[start..];
    if token.is_empty() {
        return Final::Vowel;
    }
    if let Some(f) = known_word(&token.to_ascii_lowercase()) {
        return f;
    }
    if last.is_ascii_digit() {
        let digits = token.len() - token.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        return number_final(&token[token.len() - digits..]);
    }
    english_final(token)
}

/// A Hangul syllable's 받침, from its Unicode code point.
fn hangul_final(c: char) -> Option<Final> {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return None;
    }
    Some(match (code - 0xAC00) % 28 {
        0 => Final::Vowel,
        8 => Final::Rieul,
        _ => Final::Consonant,
    })
}

/// The last sound of a number read in Sino-Korean: 0 영, 1 일 … 9 구; a
/// number ending in zeros ends in its last unit (10 십, 200 이백, 7000 칠천,
/// 10000 만, 100000000 억).
fn number_final(digits: &str) -> Final {
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Final::Consonant; // 영
    }
    let zeros = digits.len() - digits.trim_end_matches('0').len();
    let last = digits.trim_end_matches('0').chars().last().unwrap_or('0');
    match zeros {
        0 => match last {
            '1' | '7' | '8' => Final::Rieul, // 일, 칠, 팔
            '3' | '6' => Final::Consonant,   // 삼, 육
            _ => Final::Vowel,               // 이, 사, 오, 구
        },
        1..=3 => Final::Consonant, // 십, 백, 천
        z => match z / 4 {
            1 | 2 => Final::Consonant, // 만, 억
            3 => Final::Vowel,         // 조
            _ => Final::Consonant,     // 경
        },
    }
}

/// Words the lessons put a particle after, with their last sound as a
/// Korean says them.
fn known_word(w: &str) -> Option<Final> {
    use Final::*;
    Some(match w {
        // Calls, options and flags.
        "listen" => Consonant,      // 리슨
        "socket" => Consonant,      // 소켓
        "recvfrom" => Consonant,    // 리시브프롬
        "shutdown" => Consonant,    // 셧다운
        "getsockname" => Consonant, // 겟속네임
        "getpeername" => Consonant, // 겟피어네임
        "poll" => Rieul,            // 폴
        "accept" | "bind" | "close" | "connect" | "recv" | "send" | "sendto" => Vowel,
        "setsockopt" | "so_reuseaddr" | "so_reuseport" | "so_linger" | "shut_wr" => Vowel,
        "sock_stream" => Consonant, // 스트림
        "sock_dgram" => Consonant,  // 디그램
        // Words and abbreviations.
        "fd" | "inode" | "nc" | "strace" | "eof" | "rst" | "tcp" | "udp" | "ip" | "ipv4"
        | "ipv6" | "api" | "ss" => Vowel,
        "fin" | "syn" | "ack" => Consonant, // 핀, 신, 액
        "handshake" => Vowel,               // 핸드셰이크
        "time_wait" | "close_wait" | "fin_wait1" | "fin_wait2" | "established" | "loopback" => {
            Vowel
        }
        "localhost" | "server" | "client" => Vowel,
        // The clients of lesson 08: 앨리스, 밥, 캐럴.
        "alice" => Vowel,
        "bob" => Consonant,
        "carol" => Rieul,
        // errno names, as read.
        "eaddrinuse" | "econnrefused" | "epipe" => Vowel,
        "econnreset" | "eagain" | "enotconn" => Consonant, // 리셋, 어게인, 낫콘
        "econnaborted" | "emfile" | "eopnotsupp" | "eaddrnotavail" | "eacces" => Vowel,
        _ => return None,
    })
}

/// An English word not in the table: after m, n, ng a Korean reading keeps
/// the consonant (넘버 aside), after l it is ㄹ; most other final consonants
/// are read with 으 (센드, 바인드), which ends in a vowel.
fn english_final(token: &str) -> Final {
    let w = token.to_ascii_lowercase();
    let all_caps = token.len() <= 4 && token.chars().all(|c| c.is_ascii_uppercase());
    if all_caps {
        // An acronym is read letter by letter: its last letter decides.
        return match w.chars().last() {
            Some('l') | Some('r') => Final::Rieul,     // 엘, 알
            Some('m') | Some('n') => Final::Consonant, // 엠, 엔
            _ => Final::Vowel,
        };
    }
    if w.ends_with("ng") || w.ends_with('m') || w.ends_with('n') {
        Final::Consonant
    } else if w.ends_with('l') {
        Final::Rieul
    } else {
        Final::Vowel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The glossary's own examples.
    #[test]
    fn the_glossary_examples() {
        assert_eq!(eul(7803), "7803을");
        assert_eq!(format!("포트 {}", eul(7802)), "포트 7802를");
        assert_eq!(eul("fd 3"), "fd 3을");
        assert_eq!(eul("fd 4"), "fd 4를");
        assert_eq!(eul("fd 5"), "fd 5를");
        assert_eq!(ro("fd 1"), "fd 1로");
        for (word, with) in [
            ("listen", "listen을"),
            ("accept", "accept를"),
            ("bind", "bind를"),
            ("socket", "socket을"),
            ("close", "close를"),
            ("connect", "connect를"),
            ("recv", "recv를"),
            ("send", "send를"),
            ("SO_REUSEADDR", "SO_REUSEADDR를"),
            ("fd", "fd를"),
        ] {
            assert_eq!(eul(word), with);
        }
    }

    #[test]
    fn every_digit_as_read() {
        // 영 일 이 삼 사 오 육 칠 팔 구
        let objects = ["을", "을", "를", "을", "를", "를", "을", "을", "을", "를"];
        let towards = [
            "으로", "로", "로", "으로", "로", "로", "으로", "로", "로", "로",
        ];
        for d in 0..10 {
            assert_eq!(eul(d), format!("{d}{}", objects[d]), "{d}");
            assert_eq!(ro(d), format!("{d}{}", towards[d]), "{d}");
        }
    }

    #[test]
    fn numbers_ending_in_zeros_end_in_their_unit() {
        assert_eq!(eul(10), "10을"); // 십
        assert_eq!(eul(20), "20을"); // 이십
        assert_eq!(eul(100), "100을"); // 백
        assert_eq!(eun(7000), "7000은"); // 칠천
        assert_eq!(ro(7800), "7800으로"); // 칠천팔백
        assert_eq!(eul(10000), "10000을"); // 만
        assert_eq!(eul(1_000_000_000_000u64), "1000000000000를"); // 조
        assert_eq!(eul(7802), "7802를");
        assert_eq!(i(7808), "7808이"); // 팔
        assert_eq!(i(7805), "7805가"); // 오
    }

    #[test]
    fn every_particle_both_ways() {
        assert_eq!(eul("소켓"), "소켓을");
        assert_eq!(eul("서버"), "서버를");
        assert_eq!(eun("소켓"), "소켓은");
        assert_eq!(eun("서버"), "서버는");
        assert_eq!(i("소켓"), "소켓이");
        assert_eq!(i("서버"), "서버가");
        assert_eq!(gwa("소켓"), "소켓과");
        assert_eq!(gwa("서버"), "서버와");
        assert_eq!(ro("소켓"), "소켓으로");
        assert_eq!(ro("서버"), "서버로");
        // ㄹ takes 로, like a vowel, and 을/은/이/과 like a consonant.
        assert_eq!(ro("파일"), "파일로");
        assert_eq!(eul("파일"), "파일을");
        assert_eq!(gwa("poll"), "poll과");
        assert_eq!(ro("poll"), "poll로");
        assert_eq!(ro("listen"), "listen으로");
    }

    #[test]
    fn addresses_end_in_their_last_number() {
        assert_eq!(eul("127.0.0.1:7802"), "127.0.0.1:7802를");
        assert_eq!(eul("127.0.0.1:7803"), "127.0.0.1:7803을");
        assert_eq!(ro("[::1]:7801"), "[::1]:7801로");
        assert_eq!(i("127.0.0.1:51236"), "127.0.0.1:51236이");
        assert_eq!(gwa("127.0.0.1"), "127.0.0.1과");
        assert_eq!(eul("socket:[28306]"), "socket:[28306]을"); // 육
    }

    #[test]
    fn names_and_words() {
        assert_eq!(i("alice"), "alice가");
        assert_eq!(i("bob"), "bob이"); // 밥
        assert_eq!(i("carol"), "carol이"); // 캐럴
        assert_eq!(eul("EADDRINUSE"), "EADDRINUSE를");
        assert_eq!(eul("ECONNRESET"), "ECONNRESET을");
        assert_eq!(eul("FIN"), "FIN을");
        assert_eq!(eul("TIME_WAIT"), "TIME_WAIT를");
        assert_eq!(eul("`listen`"), "`listen`을");
        assert_eq!(eul("getsockname"), "getsockname을");
        assert_eq!(eul(""), "를");
    }
}
