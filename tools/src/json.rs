//! A small reader for the JSON that socklab itself writes: one flat object
//! per line, holding strings, numbers, null, booleans and arrays of those.
//!
//! A record file may come from anywhere, so the reader takes nothing on
//! trust: it reads each byte once (a long string costs its length, not its
//! length squared), refuses nesting deeper than [`MAX_DEPTH`] (each level
//! costs stack, and a line of `[[[[…` would otherwise overflow it), and
//! refuses what JSON itself forbids, such as a raw control character in a
//! string or a key given twice.

use std::collections::BTreeMap;

/// How deep arrays and objects may nest. A trace record is an object
/// holding one array: depth 2.
pub const MAX_DEPTH: usize = 16;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    Obj(BTreeMap<String, Value>),
}

/// The largest whole number a JSON number (an f64) holds exactly: 2^53.
const EXACT: f64 = 9_007_199_254_740_992.0;

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(m) => m.get(key),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// A whole number small enough to be exact; None for 1.5 or 1e300.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Num(n) if n.fract() == 0.0 && n.abs() <= EXACT => Some(*n as i64),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Arr(a) => Some(a),
            _ => None,
        }
    }
    /// What kind of value this is, for an error message: "a string".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Arr(_) => "an array",
            Value::Obj(_) => "an object",
        }
    }
}

/// Parse one JSON text. An error says what is wrong and at which column
/// (counted in bytes from 1).
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.error("text after the end of the value"));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at column {}", self.i + 1)
    }

    /// What is at the current position, for an error message.
    fn found(&self) -> String {
        match self.s.get(self.i) {
            None => "the end of the line".into(),
            Some(&b) if b.is_ascii_graphic() => format!("'{}'", char::from(b)),
            Some(&b) => format!("byte 0x{b:02x}"),
        }
    }

    fn expected(&self, what: &str) -> String {
        self.error(&format!("expected {what}, found {}", self.found()))
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.ws();
        match self.s.get(self.i) {
            Some(b'{' | b'[') if depth >= MAX_DEPTH => Err(self.error(&format!(
                "arrays and objects nested deeper than {MAX_DEPTH}"
            ))),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ if self.eat("null") => Ok(Value::Null),
            _ if self.eat("true") => Ok(Value::Bool(true)),
            _ if self.eat("false") => Ok(Value::Bool(false)),
            _ => Err(self.expected("a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.i += 1;
        let mut m = BTreeMap::new();
        self.ws();
        if self.eat("}") {
            return Ok(Value::Obj(m));
        }
        loop {
            self.ws();
            let at = self.i;
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.expected("a key in quotes"));
            }
            let k = self.string()?;
            self.ws();
            if !self.eat(":") {
                return Err(self.expected("':'"));
            }
            let v = self.value(depth)?;
            if m.contains_key(&k) {
                self.i = at;
                return Err(self.error(&format!("the key \"{}\" given twice", k.escape_debug())));
            }
            m.insert(k, v);
            self.ws();
            if self.eat(",") {
                continue;
            }
            if self.eat("}") {
                return Ok(Value::Obj(m));
            }
            return Err(self.expected("',' or '}'"));
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.i += 1;
        let mut a = Vec::new();
        self.ws();
        if self.eat("]") {
            return Ok(Value::Arr(a));
        }
        loop {
            a.push(self.value(depth)?);
            self.ws();
            if self.eat(",") {
                continue;
            }
            if self.eat("]") {
                return Ok(Value::Arr(a));
            }
            return Err(self.expected("',' or ']'"));
        }
    }

    /// A string, from its opening quote. The text between escapes is
    /// copied in one piece: the input is a `&str`, so it is UTF-8 already,
    /// and a quote, a backslash or a control byte never falls inside a
    /// character.
    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::with_capacity(self.raw_len());
        loop {
            let start = self.i;
            while matches!(self.s.get(self.i), Some(&b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.s.get(self.i) {
                None => return Err(self.error("a string with no closing quote")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                Some(&b) => {
                    return Err(self.error(&format!(
                        "a raw control character (byte 0x{b:02x}) inside a string"
                    )))
                }
            }
        }
    }

    /// The length of the string's text up to its closing quote (or the end
    /// of the line), which its value cannot exceed: an escape is never
    /// shorter than what it stands for.
    fn raw_len(&self) -> usize {
        let mut j = self.i;
        while let Some(&b) = self.s.get(j) {
            match b {
                b'"' => break,
                b'\\' => j += 2,
                _ => j += 1,
            }
        }
        j.min(self.s.len()) - self.i
    }

    /// One escape, after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(&e) = self.s.get(self.i) else {
            return Err(self.error("a string with no closing quote"));
        };
        self.i += 1;
        let c = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let hi = self.hex4()?;
                // A character beyond U+FFFF comes as two escapes, a
                // surrogate pair; half a pair stands for nothing.
                if (0xd800..0xdc00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                    let back = self.i;
                    self.i += 2;
                    let lo = self.hex4()?;
                    if (0xdc00..0xe000).contains(&lo) {
                        let code = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                        char::from_u32(code).unwrap_or('\u{fffd}')
                    } else {
                        self.i = back;
                        '\u{fffd}'
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{fffd}')
                }
            }
            _ => {
                self.i -= 2;
                return Err(self.error("an unknown escape inside a string"));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.s.get(self.i..self.i + 4).unwrap_or(b"");
        if digits.len() != 4 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(self.error("a \\u escape without four hex digits"));
        }
        self.i += 4;
        Ok(digits
            .iter()
            .fold(0, |n, &d| n * 16 + char::from(d).to_digit(16).unwrap_or(0)))
    }

    /// A number as JSON writes it: `-`, digits without a leading zero, an
    /// optional fraction and exponent.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while matches!(p.s.get(p.i), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - from
        };
        self.eat("-");
        let int_at = self.i;
        let n = digits(self);
        let mut ok = n > 0 && !(n > 1 && self.s[int_at] == b'0');
        if self.eat(".") {
            ok &= digits(self) > 0;
        }
        if self.eat("e") || self.eat("E") {
            let _ = self.eat("+") || self.eat("-");
            ok &= digits(self) > 0;
        }
        if !ok {
            self.i = start;
            return Err(self.error("a malformed number"));
        }
        match self.text[start..self.i].parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Value::Num(n)),
            _ => {
                self.i = start;
                Err(self.error("a number too large"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_trace_record() {
        let v = parse(
            r#"{"seq":1,"side":null,"args":["3","\"hi\\n\""],"ret":-1,"ok":true,"k":"\u00e9"}"#,
        )
        .unwrap();
        assert_eq!(v.get("seq").and_then(Value::as_i64), Some(1));
        assert_eq!(v.get("side"), Some(&Value::Null));
        assert_eq!(v.get("ret").and_then(Value::as_i64), Some(-1));
        let args = v.get("args").and_then(Value::as_array).unwrap();
        assert_eq!(args[1].as_str(), Some("\"hi\\n\""));
        assert_eq!(v.get("k").and_then(Value::as_str), Some("é"));
    }

    #[test]
    fn rejects_broken_text() {
        assert!(parse("{\"a\":").is_err());
        assert!(parse("{\"a\":1} x").is_err());
        assert!(parse("[1,2").is_err());
        assert!(parse("").is_err());
        assert!(parse("{\"a\":\"b").is_err());
        assert!(parse("{\"a\":\"b\\").is_err());
        assert!(parse("{a:1}").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let e = parse(&deep).unwrap_err();
        assert_eq!(
            e,
            format!("arrays and objects nested deeper than {MAX_DEPTH} at column 17")
        );
        let e = parse(&"{\"a\":".repeat(100_000)).unwrap_err();
        assert!(e.contains("nested deeper"), "{e}");
        // As deep as allowed still reads.
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn control_bytes_and_nul_are_refused() {
        let e = parse("{\"a\":\"x\u{0}y\"}").unwrap_err();
        assert_eq!(
            e,
            "a raw control character (byte 0x00) inside a string at column 8"
        );
        let e = parse("\u{0}").unwrap_err();
        assert_eq!(e, "expected a value, found byte 0x00 at column 1");
        // Escaped, a NUL is a character like any other.
        assert_eq!(parse("\"\\u0000\"").unwrap(), Value::Str("\0".into()));
    }

    #[test]
    fn numbers_follow_json() {
        assert_eq!(parse("-12").unwrap(), Value::Num(-12.0));
        assert_eq!(parse("1.5e3").unwrap(), Value::Num(1500.0));
        for bad in ["01", "1.", ".5", "+1", "-", "1e", "--1", "1e+"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse("1e400").unwrap_err(),
            "a number too large at column 1"
        );
        // Whole and exact, or not an integer at all.
        assert_eq!(parse("1.5").unwrap().as_i64(), None);
        assert_eq!(parse("12345678901234567890").unwrap().as_i64(), None);
        assert_eq!(parse("9007199254740992").unwrap().as_i64(), Some(1 << 53));
    }

    #[test]
    fn a_key_given_twice_is_refused() {
        let e = parse(r#"{"fd":3,"fd":4}"#).unwrap_err();
        assert_eq!(e, "the key \"fd\" given twice at column 9");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            parse(r#""a\"\\\/\n\r\t\b\f\u00e9\ud83d\ude00\ud800x""#).unwrap(),
            Value::Str("a\"\\/\n\r\t\u{8}\u{c}é😀\u{fffd}x".into())
        );
        assert!(parse(r#""\x""#).is_err());
        assert!(parse(r#""\u+123""#).is_err());
        assert!(parse(r#""\u12""#).is_err());
    }

    #[test]
    fn a_long_string_reads_in_one_piece() {
        let long = "ab\\\\n".repeat(200_000);
        let v = parse(&format!("\"{long}\"")).unwrap();
        assert_eq!(v.as_str().unwrap().len(), 4 * 200_000);
    }
}
