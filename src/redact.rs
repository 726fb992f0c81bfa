//! Where the secrets of a JSON or JSONC file lie, wherever they are: the value of every `env`,
//! `environment` and `headers` key at any depth (a server's, a hidden duplicate's, or any other
//! object's), so that a `--dry-run` diff never shows one in its context lines.
//!
//! A scan of the bytes rather than a parse: it must cost next to nothing on a 64 MB
//! `~/.claude.json` (memchr's `memmem` finds the keys), and it may only ever find too much. A
//! key inside a comment is taken too; a malformed value ends the scan of that key.

use std::ops::Range;

const KEYS: [&[u8]; 3] = [b"\"env\"", b"\"environment\"", b"\"headers\""];

/// The byte ranges to show as `<redacted>`, sorted by start: each member value of an object
/// under one of `KEYS`, or the whole value when it is not an object (`"env": "TOKEN=x"`).
pub fn json_secrets(text: &[u8]) -> Vec<Range<usize>> {
    // Two passes of memchr's SIMD `memmem`: `"env` finds both `"env"` and `"environment"`.
    let hits = memchr::memmem::find_iter(text, b"\"env").chain(memchr::memmem::find_iter(text, b"\"headers\""));
    let mut out = Vec::new();
    for at in hits {
        let Some(key) = KEYS.iter().find(|k| text[at..].starts_with(k)) else { continue };
        if escaped(text, at) {
            continue;
        }
        let colon = skip_blank(text, at + key.len());
        if text.get(colon) != Some(&b':') {
            continue;
        }
        let value = skip_blank(text, colon + 1);
        match text.get(value) {
            Some(b'{') => members(text, value, &mut out),
            Some(_) => out.extend(value_end(text, value).map(|end| value..end)),
            None => {}
        }
    }
    out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    out.dedup();
    out
}

/// Whether the quote at `at` is escaped (an odd run of backslashes before it): then it sits
/// inside a string, and is no key.
fn escaped(text: &[u8], at: usize) -> bool {
    text[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The value ranges of the members of the object that opens at `open`.
fn members(text: &[u8], open: usize, out: &mut Vec<Range<usize>>) {
    let mut i = open + 1;
    loop {
        i = skip_blank(text, i);
        match text.get(i) {
            Some(b'"') => {}
            _ => return, // `}`, or something this scan does not follow
        }
        let Some(key_end) = value_end(text, i) else { return };
        let colon = skip_blank(text, key_end);
        if text.get(colon) != Some(&b':') {
            return;
        }
        let value = skip_blank(text, colon + 1);
        let Some(end) = value_end(text, value) else { return };
        out.push(value..end);
        i = skip_blank(text, end);
        match text.get(i) {
            Some(b',') => i += 1,
            _ => return,
        }
    }
}

/// Past spaces, line breaks and comments from `i`.
fn skip_blank(text: &[u8], mut i: usize) -> usize {
    loop {
        match (text.get(i), text.get(i + 1)) {
            (Some(b' ' | b'\t' | b'\n' | b'\r'), _) => i += 1,
            (Some(b'/'), Some(b'/')) => {
                i = memchr::memchr(b'\n', &text[i..]).map_or(text.len(), |n| i + n);
            }
            (Some(b'/'), Some(b'*')) => {
                i = memchr::memmem::find(&text[i + 2..], b"*/").map_or(text.len(), |n| i + 2 + n + 2);
            }
            _ => return i,
        }
    }
}

/// Where the value that starts at `i` ends: a string, an object or array (strings and comments
/// inside skipped), or a bare word. `None` when the text ends first.
fn value_end(text: &[u8], i: usize) -> Option<usize> {
    match text.get(i)? {
        b'"' => string_end(text, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < text.len() {
                match text[j] {
                    b'"' => {
                        j = string_end(text, j)?;
                        continue;
                    }
                    b'/' if matches!(text.get(j + 1), Some(b'/' | b'*')) => {
                        j = skip_blank(text, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let len = text[i..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b'/'))
                .unwrap_or(text.len() - i);
            (len > 0).then_some(i + len)
        }
    }
}

/// The end of the string whose opening quote is at `i`.
fn string_end(text: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let n = memchr::memchr2(b'"', b'\\', &text[j..])?;
        j += n;
        if text[j] == b'\\' {
            j += 2;
            if j > text.len() {
                return None;
            }
        } else {
            return Some(j + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<&str> {
        json_secrets(text.as_bytes()).into_iter().map(|r| &text[r]).collect()
    }

    /// An `env` outside every server, and the copy a duplicate key hides, showed in dry-run
    /// diffs of small and big files alike (issue 12, item 3).
    #[test]
    fn every_env_environment_and_headers_value_anywhere() {
        let text = r#"{
  "other": {"env": {"TOKEN": "s3cr3t-a", "N": 1}}, // "env": 5
  "other": 1,
  "x": {"environment": "TOKEN=s3cr3t-b", "headers": {"Authorization": "Bearer \"q\" s3cr3t-c"}},
  "not": "a \"env\": \"key\"",
  "deep": [{"env": {"A": {"nested": ["s3cr3t-d"]}, /* c */ "B": "s3cr3t-e"}}]
}"#;
        assert_eq!(
            shown(text),
            [
                r#""s3cr3t-a""#,
                "1",
                "5",
                r#""TOKEN=s3cr3t-b""#,
                r#""Bearer \"q\" s3cr3t-c""#,
                r#"{"nested": ["s3cr3t-d"]}"#,
                r#""s3cr3t-e""#,
            ]
        );
    }

    proptest::proptest! {
        /// Whatever the bytes, the scan ends, and every range lies inside the text.
        #[test]
        fn any_text_is_scanned_without_panic(text in proptest::collection::vec(proptest::prop_oneof![
            proptest::sample::select(vec![b'"', b'\\', b'{', b'}', b'[', b']', b':', b',', b'/', b'*', b'\n', b' ', b'e']),
            proptest::prelude::any::<u8>(),
        ], 0..200), key in proptest::sample::select(vec!["\"env\":", "\"headers\":{", "\"environment\": ["])) {
            let mut t = text.clone();
            let mid = t.len() / 2;
            t.splice(mid..mid, key.bytes());
            for r in json_secrets(&t) {
                proptest::prop_assert!(r.start <= r.end && r.end <= t.len());
            }
        }
    }
}
