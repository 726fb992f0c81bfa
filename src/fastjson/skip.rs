//! One JSON value skipped, its syntax checked exactly as serde_json's `IgnoredAny` checks it,
//! and faster: `check` on a big `~/.claude.json` spent most of its time in serde_json skipping
//! the prompts of project history a byte, or eight, at a time.
//!
//! What is accepted is what serde_json's `Deserializer::ignore_value` accepts (serde_json
//! 1.0.154, `de.rs` and `read.rs`), which the tests below check against serde_json itself on
//! generated and mangled text and on the JSONTestSuite:
//! - RFC 8259 JSON with no limit on nesting;
//! - strings may hold any byte but `"`, `\` and the controls below 0x20; escapes are
//!   `\" \\ \/ \b \f \n \r \t` and `\u` with four hex digits, a lone surrogate included (serde_json
//!   does not decode what it skips);
//! - UTF-8 is not checked here: the caller checks every byte of the value once (as it did
//!   after serde_json).
//!
//! Where serde_json's error would be an end-of-input one (`Category::Eof`), this one is
//! [`Cut::End`], so a window that ends inside a value is read again with more text. A number
//! that reaches the end of the text ends there, as in serde_json (a window must then read on to
//! be sure it ends there).

use std::ops::Range;

/// Why a value could not be skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cut {
    /// Not JSON as serde_json reads it.
    Invalid,
    /// The text ends inside the value.
    End,
}

/// A member of the skipped value itself (when it is an object) whose key the caller asked for,
/// or whose key has an escape (so its text may decode to the one asked for).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Member {
    /// The key's text between its quotes.
    pub key: Range<usize>,
    /// Where its value starts (after the colon and any whitespace).
    pub value: usize,
}

/// Skips values, keeping its stack of open brackets from one value to the next.
#[derive(Default)]
pub(super) struct Skipper {
    open: Vec<u8>,
    /// What the last [`Skipper::value`] found among its own members.
    pub members: Vec<Member>,
}

impl Skipper {
    /// Skips the value that starts at `at` (after any whitespace) and returns where it ends.
    /// Members of that value (when an object) keyed `want`, or with an escape in their key,
    /// are left in [`Skipper::members`].
    pub fn value(&mut self, text: &[u8], at: usize, want: &[u8]) -> Result<usize, Cut> {
        self.open.clear();
        self.members.clear();
        let mut i = ws(text, at);
        loop {
            // A value starts at `i`.
            match *text.get(i).ok_or(Cut::End)? {
                b'"' => i = string(text, i + 1)?.0,
                open @ (b'{' | b'[') => {
                    i = ws(text, i + 1);
                    let close = open + 2; // `{` + 2 = `}`, `[` + 2 = `]`
                    match text.get(i) {
                        None => return Err(Cut::End),
                        Some(&b) if b == close => i += 1,
                        Some(_) => {
                            self.open.push(open);
                            if open == b'{' {
                                i = self.key(text, i, want)?;
                            }
                            continue;
                        }
                    }
                }
                b't' => i = word(text, i, b"true")?,
                b'f' => i = word(text, i, b"false")?,
                b'n' => i = word(text, i, b"null")?,
                b'-' | b'0'..=b'9' => i = number(text, i)?,
                _ => return Err(Cut::Invalid),
            }
            // A value ended at `i`: close what it ends, up to the next value.
            loop {
                let Some(&open) = self.open.last() else { return Ok(i) };
                i = ws(text, i);
                match *text.get(i).ok_or(Cut::End)? {
                    b',' => {
                        i = ws(text, i + 1);
                        if open == b'{' {
                            i = self.key(text, i, want)?;
                        }
                        break;
                    }
                    b if b == open + 2 => {
                        self.open.pop();
                        i += 1;
                    }
                    _ => return Err(Cut::Invalid),
                }
            }
        }
    }

    /// A key at `i`, its colon and the whitespace after it; noted when it is a member of the
    /// value itself that the caller wants.
    fn key(&mut self, text: &[u8], i: usize, want: &[u8]) -> Result<usize, Cut> {
        match text.get(i) {
            None => return Err(Cut::End),
            Some(b'"') => {}
            Some(_) => return Err(Cut::Invalid),
        }
        let (end, escaped) = string(text, i + 1)?;
        let key = i + 1..end - 1;
        let j = ws(text, end);
        match text.get(j) {
            None => return Err(Cut::End),
            Some(b':') => {}
            Some(_) => return Err(Cut::Invalid),
        }
        let value = ws(text, j + 1);
        if self.open.len() == 1 && (escaped || text[key.clone()] == *want) {
            self.members.push(Member { key, value });
        }
        Ok(value)
    }
}

/// The first byte at or after `i` that is not JSON whitespace.
fn ws(text: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = text.get(i) {
        i += 1;
    }
    i
}

/// A literal at `i`: its end.
fn word(text: &[u8], i: usize, w: &[u8]) -> Result<usize, Cut> {
    let got = &text[i..text.len().min(i + w.len())];
    if got == w {
        Ok(i + w.len())
    } else if w.starts_with(got) {
        Err(Cut::End)
    } else {
        Err(Cut::Invalid)
    }
}

/// A number at `i`: its end. As in serde_json, a number cut short is invalid, not cut: at the
/// end of the text it reads the next byte as none.
fn number(text: &[u8], mut i: usize) -> Result<usize, Cut> {
    let at = |i: usize| text.get(i).copied().unwrap_or(0);
    let digits = |mut i: usize| {
        while at(i).is_ascii_digit() {
            i += 1;
        }
        i
    };
    if at(i) == b'-' {
        i += 1;
    }
    match at(i) {
        b'0' if at(i + 1).is_ascii_digit() => return Err(Cut::Invalid),
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i + 1),
        _ => return Err(Cut::Invalid),
    }
    if at(i) == b'.' {
        if !at(i + 1).is_ascii_digit() {
            return Err(Cut::Invalid);
        }
        i = digits(i + 1);
    }
    if matches!(at(i), b'e' | b'E') {
        i += 1;
        if matches!(at(i), b'+' | b'-') {
            i += 1;
        }
        if !at(i).is_ascii_digit() {
            return Err(Cut::Invalid);
        }
        i = digits(i + 1);
    }
    Ok(i)
}

/// The rest of a string whose opening quote is before `i`: where it ends (after the closing
/// quote), and whether it has an escape.
fn string(text: &[u8], mut i: usize) -> Result<(usize, bool), Cut> {
    let mut escaped = false;
    loop {
        i = plain(text, i);
        match *text.get(i).ok_or(Cut::End)? {
            b'"' => return Ok((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i = escape(text, i + 1)?;
            }
            _ => return Err(Cut::Invalid), // a control character
        }
    }
}

/// An escape whose backslash is before `i`: its end.
fn escape(text: &[u8], i: usize) -> Result<usize, Cut> {
    let b = *text.get(i).ok_or(Cut::End)?;
    // The usual ones first: a line break, a quote, a backslash.
    if matches!(b, b'n' | b'"' | b'\\') {
        return Ok(i + 1);
    }
    match b {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(i + 1),
        b'u' => {
            let hex = text.get(i + 1..i + 5);
            // serde_json reads all four bytes before it looks at them.
            match hex {
                None => Err(Cut::End),
                Some(h) if h.iter().all(u8::is_ascii_hexdigit) => Ok(i + 5),
                Some(_) => Err(Cut::Invalid),
            }
        }
        _ => Err(Cut::Invalid),
    }
}

/// How many bytes [`plain`] looks at in one go.
const LANES: usize = 16;

/// The first byte at or after `i` that ends a string's plain run: `"`, `\\` or a control.
///
/// Sixteen bytes at a time, with `wide`'s vector types (SSE2 on every x86-64, NEON on arm64;
/// the `unsafe` is theirs): three compares and a bit mask per chunk. The compiler does not
/// vectorize the same test written a byte at a time, and serde_json's skip, eight bytes at a
/// time in a `u64`, is slower by a third on a big `~/.claude.json`.
fn plain(text: &[u8], mut i: usize) -> usize {
    use wide::u8x16;
    while let Some(&chunk) = text.get(i..).and_then(<[u8]>::first_chunk::<LANES>) {
        let v = u8x16::from(chunk);
        // Unsigned `b < 0x20` is `min(b, 0x1f) == b`.
        let stops =
            v.simd_eq(u8x16::splat(b'"')) | v.simd_eq(u8x16::splat(b'\\')) | v.min(u8x16::splat(0x1f)).simd_eq(v);
        let stops = stops.to_bitmask();
        if stops != 0 {
            return i + stops.trailing_zeros() as usize;
        }
        i += LANES;
    }
    while text.get(i).is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;
    use serde_json::error::Category;

    /// What serde_json says of `text` as one value and nothing but whitespace after it:
    /// accepted, or the category of its error.
    fn serde_says(text: &[u8]) -> Result<(), Category> {
        serde_json::from_slice::<IgnoredAny>(text).map(|_| ()).map_err(|e| e.classify())
    }

    /// The same question put to the skipper.
    fn skip_says(text: &[u8]) -> Result<(), Category> {
        match Skipper::default().value(text, 0, b"") {
            Ok(end) if ws(text, end) == text.len() => Ok(()),
            Ok(_) | Err(Cut::Invalid) => Err(Category::Syntax),
            Err(Cut::End) => Err(Category::Eof),
        }
    }

    fn agree(text: &[u8]) {
        assert_eq!(skip_says(text), serde_says(text), "on {:?}", String::from_utf8_lossy(text));
    }

    #[test]
    fn agrees_with_serde_json_on_the_edges() {
        let cases: &[&str] = &[
            "",
            " ",
            "{",
            "}",
            "[",
            "]",
            "{}",
            "[]",
            " { } ",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\" 1}",
            "{1:2}",
            "[1 2]",
            "[1,2]",
            "[[[[]]]]",
            "[[[[]]]",
            "{\"a\":{\"b\":[1,{}]}}",
            "\"",
            "\"a",
            "\"a\"",
            "\"\\",
            "\"\\u12",
            "\"\\u12g4\"",
            "\"\\uD800\"",
            "\"\\uDFFF\\uD800\"",
            "\"\\x\"",
            "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
            "\"\t\"",
            "\"\u{1f}\"",
            "\"\u{7f}\"",
            "\"\x20\"",
            "0",
            "-",
            "-0",
            "01",
            "-01",
            "0.",
            "0.1",
            ".1",
            "1e",
            "1e+",
            "1e+5",
            "1E-5",
            "1.5e3",
            "1.e3",
            "12345678901234567890123",
            "t",
            "tr",
            "true",
            "trUe",
            "truex",
            "f",
            "fals",
            "false",
            "n",
            "nul",
            "null",
            "nulll",
            "[true,false,null]",
            "1 2",
            "{} {}",
            "[\"a\",\"b\\\"\",\"\\\\\"]",
            "\u{feff}1",
            "[\r\n\t 1 \r\n\t]",
            "-a",
            "+1",
            "1x",
            "[1x]",
        ];
        for c in cases {
            agree(c.as_bytes());
        }
        // Long strings cross the vector loop's chunks at every offset, the stop at every lane.
        for len in 0..40 {
            for stop in ["\"", "\\n\"", "\u{1}\"", "\\", "\\u00"] {
                agree(format!("\"{}{stop}", "é".repeat(len / 2) + &"a".repeat(len % 2)).as_bytes());
                agree(format!("[\"{}{stop}]", "x".repeat(len)).as_bytes());
            }
        }
        // Long strings: every stop at every offset across several chunks, with text after the
        // string; runs of backslashes of every length crossing a chunk's end; `\u` escapes cut
        // by it; controls and quotes right after a run.
        let pad = " ".repeat(70);
        for len in 0..140 {
            for stop in ["\"", "\\n\"", "\u{1}\"", "\\u00e9\"", "\\u00\"", "\\q\"", "\n\""] {
                agree(format!("[\"{}{stop}{pad}]", "x".repeat(len)).as_bytes());
            }
        }
        for run in 1..70 {
            for at in [0, 1, 30, 60, 61, 62, 63, 64] {
                for after in ["\"", "n\"", "\u{1}\"", "u0041\"", "x\""] {
                    agree(format!("[\"{}{}{after}{pad}]", "x".repeat(at), "\\".repeat(run)).as_bytes());
                }
            }
        }
        // No limit on nesting, as in serde_json's skip.
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        agree(deep.as_bytes());
        agree(&deep.as_bytes()[..deep.len() - 1]);
        // Bytes that are not UTF-8 are the caller's to check.
        agree(b"\"\xff\xfe\"");
    }

    #[test]
    fn ends_where_the_value_ends_and_notes_the_members_asked_for() {
        let text = br#"  {"a": 1, "mcpServers" : {"x": {"mcpServers": 2}}, "m\u0063pServers": [], "b": "c"}, 7"#;
        let mut s = Skipper::default();
        let end = s.value(text, 0, b"mcpServers").unwrap();
        assert_eq!(&text[end..], b", 7");
        let keys: Vec<&[u8]> = s.members.iter().map(|m| &text[m.key.clone()]).collect();
        assert_eq!(keys, [&b"mcpServers"[..], br"m\u0063pServers"]);
        assert_eq!(&text[s.members[0].value..s.members[0].value + 6], br#"{"x": "#);
        assert_eq!(text[s.members[1].value], b'[');
        // A value that is not an object has no members; a number ends at the end of the text.
        assert_eq!(s.value(b"[{\"mcpServers\": 1}]", 0, b"mcpServers"), Ok(19));
        assert!(s.members.is_empty());
        assert_eq!(s.value(b" 12", 0, b""), Ok(3));
    }

    /// Every file of the JSONTestSuite (in `../shared`, beside the project, as in CI): the
    /// skipper accepts and refuses what serde_json does, with the same kind of error; and so on
    /// prefixes of each file, as a window's end cuts text.
    #[test]
    fn agrees_with_serde_json_on_the_json_test_suite() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testsuites/JSONTestSuite/test_parsing");
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut n = 0;
        for entry in entries {
            let text = std::fs::read(entry.unwrap().path()).unwrap();
            // Every cut of a small file; of a big one (the deep nesting tests), a hundred.
            let step = (text.len() / 100).max(1);
            for cut in (0..=text.len()).step_by(step).chain([text.len()]) {
                agree(&text[..cut]);
            }
            n += 1;
        }
        assert!(n > 300, "only {n} files in {}", dir.display());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// JSON-like text: real JSON, then mangled by a few byte changes.
        fn json() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                Just("null".to_owned()),
                Just("true".to_owned()),
                Just("false".to_owned()),
                "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
                "\"([a-zé\"\\\\/ ]|\\\\[\"\\\\/bfnrtx]|\\\\u[0-9a-fA-FgG]{4}|[\u{1}\u{1f}\t]){0,40}\"",
            ];
            leaf.prop_recursive(5, 64, 6, |inner| {
                let ws = "[ \t\r\n]{0,2}";
                prop_oneof![
                    proptest::collection::vec((ws, inner.clone(), ws), 0..6).prop_map(|v| {
                        format!("[{}]", v.into_iter().map(|(a, v, b)| a + &v + &b).collect::<Vec<_>>().join(","))
                    }),
                    proptest::collection::vec(("\"[a-z\\\\u0-9]{0,6}\"", ws, inner, ws), 0..6).prop_map(|v| {
                        let members: Vec<String> = v.into_iter().map(|(k, a, v, b)| format!("{k}{a}:{b}{v}")).collect();
                        format!("{{{}}}", members.join(","))
                    }),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn agrees_with_serde_json_on_generated_text(text in json()) {
                agree(text.as_bytes());
            }

            #[test]
            fn agrees_with_serde_json_on_mangled_text(
                text in json(),
                flips in proptest::collection::vec((any::<prop::sample::Index>(), prop_oneof![
                    Just(b','), Just(b'"'), Just(b'\\'), Just(b'}'), Just(b']'), Just(b':'), Just(b' '), Just(b'0'), any::<u8>()
                ]), 1..4),
                cut in any::<prop::sample::Index>(),
            ) {
                let mut bytes = text.into_bytes();
                if !bytes.is_empty() {
                    for (at, b) in flips {
                        let at = at.index(bytes.len());
                        bytes[at] = b;
                    }
                }
                agree(&bytes);
                agree(&bytes[..cut.index(bytes.len() + 1)]);
            }
        }
    }
}
