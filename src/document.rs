//! The JSON/JSONC document layer: bytes in, servers out, each `command` with the byte range of
//! its string literal in the original file; and edits by byte range, which change nothing else.
//! TOML files (Codex) are read by [`crate::toml_document`] into the same model, so everything
//! past reading is the same for both.
//!
//! Reading accepts JSONC (comments and trailing commas) and nothing looser: a missing comma, a
//! single-quoted string or a bare key is an error, as it is for the clients. A UTF-8 BOM is
//! skipped (and kept, since edits work on the original bytes); UTF-16 is refused clearly.
//!
//! Byte ranges always count from the start of the file, BOM included.

use std::ops::Range;

use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, ParseOptions};
use serde_json::Value as Json;

use crate::clients::{Seg, ServersAt};
use crate::readat::ReadAt;

pub(crate) const BOM: &str = "\u{feff}";

/// From this size on, [`parse`] tries [`crate::fastjson`] before building an AST. The fast path
/// is about 5× faster at every size measured (38 KB: 17 µs against 100 µs; 1 MB: 0.6 ms against
/// 3.6 ms), but below this the AST reader takes under 0.2 ms, and small files (often JSONC,
/// edited by hand) keep the one reader that also reports duplicates with positions.
pub const FAST_PATH_MIN_BYTES: usize = 64 * 1024;

/// A string value and the byte range of its literal (quotes included) in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrSpan {
    pub value: String,
    pub span: Range<usize>,
}

/// One server entry as the client will read it.
#[derive(Clone, PartialEq)]
pub struct Server {
    pub name: String,
    /// The keys leading to the servers object holding this entry, e.g. `["projects", "/src/app", "mcpServers"]`.
    pub parent: Vec<String>,
    pub command: Option<StrSpan>,
    /// The keys inside the entry that lead to the command string: [`COMMAND`], or
    /// [`COMMAND_PATH`] for Zed's older `"command": {"path": …}`. A repair changes that value only.
    pub command_keys: &'static [&'static str],
    pub args: Vec<String>,
    /// Held only to start the server as its client would (`doctor --probe`); never printed.
    pub env: Vec<(String, String)>,
    /// Where every `env` value of the entry lies in the file (a repeated `env` key's too), so
    /// that a diff shows it as `<redacted>` whatever its form (`"\u0073ecret"`, a number).
    pub env_spans: Vec<Range<usize>>,
    pub cwd: Option<String>,
    pub url: Option<String>,
    /// The whole entry, to prove that a repair changed nothing but the command.
    pub value: Json,
    /// Where the entry's text lies in the file (JSON and JSONC files): the proof of a big
    /// file's repair reads these again, not the whole file ([`crate::fix`]).
    pub entry: Option<Range<usize>>,
    /// A duplicate key lies on the path to this server: the server is never edited.
    pub duplicate: bool,
}

impl std::fmt::Debug for Server {
    // Hand-written so that `env` values never reach a log or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.name)
            .field("parent", &self.parent)
            .field("command", &self.command)
            .field("command_keys", &self.command_keys)
            .field("args", &self.args)
            .field("env_keys", &self.env_keys())
            .field("cwd", &self.cwd)
            .field("url", &self.url)
            .field("duplicate", &self.duplicate)
            .finish()
    }
}

impl Server {
    pub fn env_keys(&self) -> Vec<&str> {
        self.env.iter().map(|(k, _)| k.as_str()).collect()
    }

    pub fn is_remote(&self) -> bool {
        self.command.is_none() && self.url.is_some()
    }

    /// A label unique within the file: the name, and for Claude Code's per-project servers
    /// the project too.
    pub fn label(&self) -> String {
        match self.parent.as_slice() {
            [projects, project, _] if projects == "projects" => format!("{} (project {project})", self.name),
            _ => self.name.clone(),
        }
    }
}

/// The command of a server is its `command` string.
pub const COMMAND: &[&str] = &["command"];
/// The command of a server is `command.path` (Zed's older shape).
pub const COMMAND_PATH: &[&str] = &["command", "path"];
/// OpenCode's `"command": ["/usr/local/bin/tsh", "mcp", "connect", "x"]`: the program is the
/// array's first element, and the rest are its arguments.
pub const COMMAND_FIRST: &[&str] = &["command", "0"];
/// The Cline CLI's `"transport": {"type": "stdio", "command": …, "args": […]}`.
pub const TRANSPORT_COMMAND: &[&str] = &["transport", "command"];

/// A duplicate key on the path to a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The keys leading to the object holding the duplicate.
    pub parent: Vec<String>,
    pub key: String,
    pub line: usize,
    pub column: usize,
}

/// What a file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub bom: bool,
    /// Comments or trailing commas were needed to read it.
    pub needs_jsonc: bool,
    /// Trailing commas in particular (Gemini CLI takes comments, not these).
    pub trailing_commas: bool,
    pub servers: Vec<Server>,
    pub duplicates: Vec<Duplicate>,
    /// Where the `env` values of entries hidden by a later duplicate key lie in the file: no
    /// server holds them, but a diff must hide them too.
    pub shadowed_env_spans: Vec<Range<usize>>,
}

/// Why a file could not be read, with a 1-based position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Reads the servers of a file: TOML when `at` is a TOML layout, JSON/JSONC otherwise.
pub fn parse(bytes: &[u8], at: ServersAt) -> Result<Document, ParseError> {
    // Big strict-JSON files: the fast path checks UTF-8 itself (in two halves at once when it
    // can), so a file it reads is never validated twice.
    if bytes.len() >= FAST_PATH_MIN_BYTES && !looks_utf16(bytes) {
        let bom = bytes.starts_with(BOM.as_bytes());
        let offset = if bom { BOM.len() } else { 0 };
        if let Some(mut doc) = crate::fastjson::parse_bytes(&bytes[offset..], offset, at) {
            doc.bom = bom;
            return Ok(doc);
        }
    }
    let text = decode(bytes)?;
    let bom = text.starts_with(BOM);
    let body = &text[if bom { BOM.len() } else { 0 }..];
    let offset = text.len() - body.len();
    if body.trim().is_empty() {
        return Ok(Document {
            bom,
            needs_jsonc: false,
            trailing_commas: false,
            servers: vec![],
            duplicates: vec![],
            shadowed_env_spans: vec![],
        });
    }
    if at.is_yaml() {
        return crate::yaml_document::parse(body, offset, at, bom);
    }
    if at.is_toml() {
        return crate::toml_document::parse(body, offset, at, bom);
    }
    parse_ast(body, offset, at, bom)
}

/// The jsonc-parser reader: strict JSON first, then JSONC (which makes `needs_jsonc` true).
pub fn parse_ast(body: &str, offset: usize, at: ServersAt, bom: bool) -> Result<Document, ParseError> {
    match parse_ast_text(body, offset, at, bom) {
        // JavaScript writes a lone UTF-16 surrogate as `\ud83d` (Claude Code's history can hold
        // one where a string was cut between the halves of an emoji), JSON's grammar allows it and
        // the clients read it, but jsonc-parser refuses it. Read such a file with each lone
        // surrogate escape replaced by `\ufffd`: the same length, so every byte range still holds.
        Err(e) => match mask_lone_surrogates(body) {
            Some(masked) => parse_ast_text(&masked, offset, at, bom),
            None => Err(e),
        },
        ok => ok,
    }
}

/// `text` with every `\u` escape of an unpaired UTF-16 surrogate (inside a string, not in a
/// comment) replaced by one of a private-use character (`\ud800`..`\udfff` to
/// `\ue000`..`\ue7ff`), or `None` when there is none. One replacement character for all of them
/// made `"teleport-mcp-\ud800"` and `"…\ud801"` a false duplicate key, and neither was repaired.
pub fn mask_lone_surrogates(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let hex4 = |i: usize| -> Option<u16> {
        let h = b.get(i..i + 4)?;
        u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let escape_at = |i: usize| -> Option<u16> { if b.get(i..i + 2)? == b"\\u" { hex4(i + 2) } else { None } };
    let mut lone = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] != b'\\' {
                        i += 1;
                        continue;
                    }
                    match escape_at(i) {
                        Some(0xD800..=0xDBFF) if matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
                        Some(code @ 0xD800..=0xDFFF) => {
                            lone.push((i, code));
                            i += 6;
                        }
                        _ => i += 2,
                    }
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = b[i..].iter().position(|c| *c == b'\n').map_or(b.len(), |n| i + n + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = b[i + 2..].windows(2).position(|w| w == b"*/").map_or(b.len(), |n| i + 2 + n + 2);
            }
            _ => i += 1,
        }
    }
    if lone.is_empty() {
        return None;
    }
    let mut out = b.to_vec();
    for (at, code) in lone {
        let stand_in = format!("\\u{:04x}", 0xE000 + u32::from(code - 0xD800));
        out[at..at + 6].copy_from_slice(stand_in.as_bytes());
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(out).ok()
}

fn parse_ast_text(body: &str, offset: usize, at: ServersAt, bom: bool) -> Result<Document, ParseError> {
    let ((ast, trailing_commas), needs_jsonc) = match parse_with(body, false) {
        Ok(v) => (v, false),
        Err(_) => (parse_with(body, true)?, true),
    };
    let Some(root) = ast else {
        return Ok(Document {
            bom,
            needs_jsonc,
            trailing_commas,
            servers: vec![],
            duplicates: vec![],
            shadowed_env_spans: vec![],
        });
    };
    let Value::Object(root) = root else {
        let (line, column) = line_col(body, 0);
        return Err(ParseError {
            message: "the top level is not an object; an MCP config is a JSON object".into(),
            line,
            column,
        });
    };
    let mut walker = Walker {
        body,
        offset,
        nested_command: at.allows_nested_command(),
        transport: at.allows_transport(),
        command_array: at.command_is_array(),
        servers: vec![],
        duplicates: vec![],
        shadowed: vec![],
    };
    for path in at.paths() {
        walker.walk(&root, path, &mut Vec::new(), false);
    }
    walker.shadowed.sort_by_key(|r| r.start);
    walker.shadowed.dedup();
    Ok(Document {
        bom,
        needs_jsonc,
        trailing_commas,
        servers: walker.servers,
        duplicates: walker.duplicates,
        shadowed_env_spans: walker.shadowed,
    })
}

/// Parses `body` as JSON, or with `jsonc` as JSONC; with the value, whether it has trailing
/// commas (Gemini CLI takes comments, not those), told from the tokens.
fn parse_with(body: &str, jsonc: bool) -> Result<(Option<Value<'_>>, bool), ParseError> {
    let options = ParseOptions {
        allow_comments: jsonc,
        allow_trailing_commas: jsonc,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    // The tokens, to check the strings: jsonc-parser lets raw control characters through.
    // Comments as tokens too, so that what lies between tokens is whitespace only.
    let collect = CollectOptions { tokens: true, comments: jsonc_parser::CommentCollectionStrategy::AsTokens };
    match jsonc_parser::parse_to_ast(body, &collect, &options) {
        Ok(r) => {
            let tokens = r.tokens.as_deref().unwrap_or_default();
            // Collected as tokens, comments are no longer refused by the strict pass itself.
            if !jsonc
                && let Some(c) =
                    tokens.iter().find(|t| matches!(t.token, Token::CommentLine(_) | Token::CommentBlock(_)))
            {
                let (line, column) = line_col(body, c.range.start);
                return Err(ParseError { message: "a comment: JSON has none".into(), line, column });
            }
            let mut strings = tokens.iter().filter(|t| matches!(t.token, Token::String(_)));
            match strings.find_map(|t| raw_control(body, t.range.start..t.range.end)) {
                Some(err) => Err(err),
                None => match stray_space(body, tokens) {
                    Some(err) => Err(err),
                    None => Ok((r.value, trailing_comma(tokens))),
                },
            }
        }
        Err(e) => {
            let (line, column) = line_col(body, e.range().start);
            Err(ParseError { message: e.kind().to_string(), line, column })
        }
    }
}

/// A comma that closes a list or an object (comments between them aside).
fn trailing_comma(tokens: &[jsonc_parser::tokens::TokenAndRange<'_>]) -> bool {
    let mut code =
        tokens.iter().map(|t| &t.token).filter(|t| !matches!(t, Token::CommentLine(_) | Token::CommentBlock(_)));
    let mut prev = code.next();
    for t in code {
        if matches!(prev, Some(Token::Comma)) && matches!(t, Token::CloseBrace | Token::CloseBracket) {
            return true;
        }
        prev = Some(t);
    }
    false
}

/// A character between tokens that JSON does not count as whitespace: jsonc-parser takes a form
/// feed, a vertical tab, NBSP, U+2028/U+2029 and the other Unicode spaces, which `JSON.parse`,
/// Go and VS Code refuse (JSONTestSuite `n_structure_whitespace_formfeed`). JSON's whitespace is
/// space, tab, line feed and carriage return only.
fn stray_space(body: &str, tokens: &[jsonc_parser::tokens::TokenAndRange<'_>]) -> Option<ParseError> {
    let mut gaps: Vec<Range<usize>> = Vec::with_capacity(tokens.len() + 1);
    let mut at = 0;
    for t in tokens {
        gaps.push(at..t.range.start);
        at = t.range.end;
    }
    gaps.push(at..body.len());
    gaps.into_iter().find_map(|g| {
        let gap = body.get(g.clone())?;
        let (i, c) = gap.char_indices().find(|&(_, c)| !matches!(c, ' ' | '\t' | '\n' | '\r'))?;
        let (line, column) = line_col(body, g.start + i);
        let name = match c {
            '\u{c}' => " (a form feed)",
            '\u{b}' => " (a vertical tab)",
            '\u{a0}' => " (a no-break space)",
            '\u{2028}' | '\u{2029}' => " (a Unicode line separator)",
            '\u{feff}' => " (a byte order mark inside the file)",
            _ => "",
        };
        Some(ParseError {
            message: format!(
                "U+{:04X}{name} is not JSON whitespace: only spaces, tabs and line breaks may stand between values",
                c as u32
            ),
            line,
            column,
        })
    })
}

/// A raw control character (a tab, a line break) inside the string literal at `range`: JSON and
/// JSONC both want it escaped, and the clients refuse the file (`JSON.parse`, Go's
/// `encoding/json`) or misread it (VS Code ends the string at a line break).
fn raw_control(body: &str, range: Range<usize>) -> Option<ParseError> {
    let at = range.start + body.get(range)?.bytes().position(|b| b < 0x20)?;
    let c = body.as_bytes()[at];
    let (name, escape) = match c {
        b'\t' => (" (a tab)", "\\t".to_owned()),
        b'\n' => (" (a line break)", "\\n".to_owned()),
        b'\r' => (" (a line break)", "\\r".to_owned()),
        _ => ("", format!("\\u{c:04x}")),
    };
    let (line, column) = line_col(body, at);
    Some(ParseError {
        message: format!("a raw control character U+{c:04X}{name} inside a string; JSON needs it written as {escape}"),
        line,
        column,
    })
}

/// The error of a file in another encoding than UTF-8: no line or column in it is wrong.
pub const NOT_UTF8: &str =
    "the file is UTF-16 (or UTF-32) encoded; MCP clients and mcpcfg read UTF-8 only: save it as UTF-8";

/// The file as UTF-8, or an error that says what the file is instead.
pub fn decode(bytes: &[u8]) -> Result<&str, ParseError> {
    if looks_utf16(bytes) {
        return Err(ParseError { message: NOT_UTF8.into(), line: 1, column: 1 });
    }
    // SIMD validation first (several times std's speed on non-ASCII text); std's only for the
    // error's position.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        // `good` is valid UTF-8 by construction.
        let (line, column) = line_col(std::str::from_utf8(good).unwrap_or(""), good.len());
        ParseError { message: "invalid UTF-8: the file must be saved as UTF-8".into(), line, column }
    })
}

/// A UTF-16 (or UTF-32) byte order mark, or text whose first two code units have the NUL high
/// bytes of UTF-16 (`{\0\n\0` little-endian, `\0{\0\n` big-endian; UTF-32 too). A UTF-8 file
/// with a stray NUL as its second byte is malformed at that byte, not "UTF-16".
pub(crate) fn looks_utf16(bytes: &[u8]) -> bool {
    let b = |i: usize| bytes.get(i).copied();
    bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || (b(1) == Some(0) && b(3) == Some(0) && b(0) != Some(0))
        || (b(0) == Some(0) && b(2) == Some(0) && b(1) != Some(0))
        || (b(0) == Some(0) && b(1) == Some(0) && bytes.len() >= 4)
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

struct Walker<'t> {
    body: &'t str,
    offset: usize,
    /// `command` may be an object holding `path`, `args` and `env` (Zed's older shape).
    nested_command: bool,
    /// The command may sit in an object `transport` ([`TRANSPORT_COMMAND`]).
    transport: bool,
    /// The command is an array: program, then arguments (OpenCode).
    command_array: bool,
    servers: Vec<Server>,
    duplicates: Vec<Duplicate>,
    /// `env` values of entries hidden by duplicate keys.
    shadowed: Vec<Range<usize>>,
}

impl Walker<'_> {
    /// Follows `path` from `obj`, noting duplicate keys on the way, and collects the servers at its end.
    fn walk(&mut self, obj: &Object<'_>, path: &[Seg], keys: &mut Vec<String>, dup: bool) {
        let dup = self.note_duplicates(obj, keys, path.first().copied()) || dup;
        match path.split_first() {
            None => self.collect(obj, keys, dup),
            Some((Seg::Key(k), rest)) => {
                let all: Vec<&Value<'_>> =
                    obj.properties.iter().filter(|p| p.name.as_str() == *k).map(|p| &p.value).collect();
                let Some((last, hidden)) = all.split_last() else { return };
                // Hidden copies keep their secrets whatever the last value is (`"projects": []`
                // after the real one left the real one's `env` in plain sight).
                for h in hidden {
                    self.every_secret(h);
                }
                if let Value::Object(child) = last {
                    keys.push((*k).to_owned());
                    self.walk(child, rest, keys, dup);
                    keys.pop();
                }
            }
            Some((Seg::Any, rest)) => {
                for (i, p) in obj.properties.iter().enumerate() {
                    let name = p.name.as_str();
                    // JSON semantics (and the clients) use the last of duplicate keys.
                    if obj.properties[i + 1..].iter().any(|q| q.name.as_str() == name) {
                        self.every_secret(&p.value);
                        continue;
                    }
                    if let Value::Object(child) = &p.value {
                        keys.push(name.to_owned());
                        self.walk(child, rest, keys, dup);
                        keys.pop();
                    }
                }
            }
        }
    }

    /// Records duplicate keys of `obj` that matter: the next key of the path, or, at the
    /// servers object, every key. Returns whether the path goes through a duplicate.
    fn note_duplicates(&mut self, obj: &Object<'_>, keys: &[String], next: Option<Seg>) -> bool {
        let mut hit = false;
        for (i, p) in obj.properties.iter().enumerate() {
            let name = p.name.as_str();
            let relevant = match next {
                Some(Seg::Key(k)) => k == name,
                Some(Seg::Any) | None => true,
            };
            if relevant && obj.properties[..i].iter().any(|q| q.name.as_str() == name) {
                let (line, column) = line_col(self.body, p.range.start);
                self.duplicates.push(Duplicate { parent: keys.to_vec(), key: name.to_owned(), line, column });
                if matches!(next, Some(Seg::Key(_))) {
                    hit = true;
                }
            }
        }
        hit
    }

    /// Every `env`, `environment` and `headers` value under `v`, a value a later duplicate key
    /// hides, into `shadowed`: whatever it holds, and whatever its shape (a hidden copy is not
    /// read as servers), its secrets show in a diff's context lines otherwise.
    fn every_secret(&mut self, v: &Value<'_>) {
        match v {
            Value::Object(o) => {
                let spans = self.env_spans(o);
                self.shadowed.extend(spans);
                for p in &o.properties {
                    self.every_secret(&p.value);
                }
            }
            Value::Array(a) => {
                for e in &a.elements {
                    self.every_secret(e);
                }
            }
            _ => {}
        }
    }

    /// Where the values of every `env` object of `entry` lie (and, for Zed's older shape, of
    /// every `env` inside an object `command`).
    fn env_spans(&self, entry: &Object<'_>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        // Secrets sit under `env` (and a remote server's `headers`) whatever their form: each
        // member's value of an object, or the whole value otherwise (`"env": "TOKEN=s3cr3t"`).
        let mut envs = |obj: &Object<'_>| {
            for p in obj.properties.iter().filter(|p| matches!(p.name.as_str(), "env" | "environment" | "headers")) {
                match &p.value {
                    Value::Object(env) => {
                        let at = |m: &jsonc_parser::ast::ObjectProp<'_>| m.value.range().start + self.offset;
                        out.extend(
                            env.properties.iter().map(|m| at(m)..at(m) + m.value.range().end - m.value.range().start),
                        );
                    }
                    v => out.push(v.range().start + self.offset..v.range().end + self.offset),
                }
            }
        };
        envs(entry);
        if self.transport
            && let Some(Value::Object(transport)) = last_prop(entry, "transport")
        {
            envs(transport);
        }
        if self.nested_command {
            for p in entry.properties.iter().filter(|p| p.name.as_str() == "command") {
                if let Value::Object(command) = &p.value {
                    envs(command);
                }
            }
        }
        out
    }

    fn collect(&mut self, servers: &Object<'_>, keys: &[String], dup: bool) {
        for (i, p) in servers.properties.iter().enumerate() {
            let name = p.name.as_str();
            let shadowed = servers.properties[i + 1..].iter().any(|q| q.name.as_str() == name);
            if shadowed {
                if let Value::Object(entry) = &p.value {
                    let spans = self.env_spans(entry);
                    self.shadowed.extend(spans);
                }
                continue;
            }
            let Value::Object(entry) = &p.value else { continue };
            let dup_name = servers.properties[..i].iter().any(|q| q.name.as_str() == name);
            let mut entry_keys = keys.to_vec();
            entry_keys.push(name.to_owned());
            let dup_inside = self.note_duplicates(entry, &entry_keys, Some(Seg::Any));
            let dup_inside = dup_inside || has_duplicate_keys(entry);
            // Zed's older shape keeps the command and its arguments in an object under `command`.
            let nested = match last_prop(entry, "command") {
                Some(Value::Object(o)) if self.nested_command => Some(o),
                _ => None,
            };
            // The Cline CLI's, under `transport`, where the entry has no `command` of its own.
            let transport = match last_prop(entry, "transport") {
                Some(Value::Object(o)) if self.transport && last_prop(entry, "command").is_none() => Some(o),
                _ => None,
            };
            let (inner, command_key, command_keys) = match (nested, transport) {
                (Some(o), _) => (o, "path", COMMAND_PATH),
                (None, Some(t)) => (t, "command", TRANSPORT_COMMAND),
                (None, None) => (entry, "command", COMMAND),
            };
            if let Some(t) = transport {
                let mut transport_keys = entry_keys.clone();
                transport_keys.push("transport".to_owned());
                self.note_duplicates(t, &transport_keys, Some(Seg::Any));
            }
            let dup_inside = dup_inside || transport.is_some_and(has_duplicate_keys);
            if let Some(o) = nested {
                // Reported like the entry's own duplicates: a repair would not know which to edit.
                let mut command_keys = entry_keys.clone();
                command_keys.push("command".to_owned());
                self.note_duplicates(o, &command_keys, Some(Seg::Any));
            }
            let dup_inside = dup_inside || nested.is_some_and(has_duplicate_keys);
            let literal = |v: Option<&Value<'_>>| match v {
                Some(Value::StringLit(s)) => Some(StrSpan {
                    value: s.value.to_string(),
                    span: s.range.start + self.offset..s.range.end + self.offset,
                }),
                _ => None,
            };
            let (command, command_keys, args) = match last_prop(inner, command_key) {
                Some(Value::Array(a)) if self.command_array => {
                    (literal(a.elements.first()), COMMAND_FIRST, a.elements.iter().skip(1).map(scalar_text).collect())
                }
                v => {
                    let args = match last_prop(inner, "args") {
                        Some(Value::Array(a)) => a.elements.iter().map(scalar_text).collect(),
                        _ => vec![],
                    };
                    (literal(v), command_keys, args)
                }
            };
            let env_key = if self.command_array { "environment" } else { "env" };
            let env = match last_prop(inner, env_key) {
                Some(Value::Object(o)) => o
                    .properties
                    .iter()
                    .filter_map(|p| Some((p.name.as_str().to_owned(), p.value.as_string_lit()?.value.to_string())))
                    .collect(),
                _ => vec![],
            };
            let string = |k: &str| match last_prop(entry, k).or_else(|| transport.and_then(|t| last_prop(t, k))) {
                Some(Value::StringLit(s)) => Some(s.value.to_string()),
                _ => None,
            };
            self.servers.push(Server {
                name: name.to_owned(),
                parent: keys.to_vec(),
                command,
                command_keys,
                args,
                env,
                env_spans: self.env_spans(entry),
                cwd: string("cwd"),
                url: remote_url(string),
                value: to_json(&p.value),
                duplicate: dup || dup_name || dup_inside,
                entry: Some(entry.range.start + self.offset..entry.range.end + self.offset),
            });
        }
    }
}

/// The value at `keys` inside an entry: object keys, or an array's index (`"0"`).
pub fn value_at<'a>(value: &'a Json, keys: &[&str]) -> Option<&'a Json> {
    keys.iter().try_fold(value, |v, k| match v {
        Json::Array(a) => a.get(k.parse::<usize>().ok()?),
        _ => v.get(k),
    })
}

/// [`value_at`], to change it.
pub fn value_at_mut<'a>(value: &'a mut Json, keys: &[&str]) -> Option<&'a mut Json> {
    keys.iter().try_fold(value, |v, k| match v {
        Json::Array(a) => a.get_mut(k.parse::<usize>().ok()?),
        _ => v.get_mut(k),
    })
}

/// The URL of a remote server, under whichever key its client uses (`serverUrl`: Windsurf;
/// `httpUrl`: Gemini CLI).
pub(crate) fn remote_url(string: impl Fn(&str) -> Option<String>) -> Option<String> {
    string("url").or_else(|| string("serverUrl")).or_else(|| string("httpUrl"))
}

fn has_duplicate_keys(obj: &Object<'_>) -> bool {
    obj.properties
        .iter()
        .enumerate()
        .any(|(i, p)| obj.properties[..i].iter().any(|q| q.name.as_str() == p.name.as_str()))
}

/// The value of the last property named `name`, as JSON and the clients read it.
fn last_prop<'a, 'b>(obj: &'b Object<'a>, name: &str) -> Option<&'b Value<'a>> {
    obj.properties.iter().rev().find(|p| p.name.as_str() == name).map(|p| &p.value)
}

fn scalar_text(v: &Value<'_>) -> String {
    match v {
        Value::StringLit(s) => s.value.to_string(),
        other => to_json(other).to_string(),
    }
}

/// The AST value as serde_json's, with JSON's last-key-wins semantics.
fn to_json(v: &Value<'_>) -> Json {
    match v {
        Value::StringLit(s) => Json::String(s.value.to_string()),
        Value::NumberLit(n) => serde_json::from_str(n.value).unwrap_or_else(|_| Json::String(n.value.to_owned())),
        Value::BooleanLit(b) => Json::Bool(b.value),
        Value::NullKeyword(_) => Json::Null,
        Value::Array(a) => Json::Array(a.elements.iter().map(to_json).collect()),
        Value::Object(o) => {
            let mut m = serde_json::Map::new();
            for p in &o.properties {
                m.insert(p.name.as_str().to_owned(), to_json(&p.value));
            }
            Json::Object(m)
        }
    }
}

/// A replacement of one string literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub value: String,
}

/// `bytes` with each edited literal replaced by the encoding of its new value in the file's
/// syntax ([`literal`]); every other byte is copied as it was. Edits must not overlap.
pub fn apply_edits(bytes: &[u8], edits: &[Edit], at: ServersAt) -> Vec<u8> {
    Patched::of(bytes, edits, at).to_vec()
}

/// A text with edits applied, held as its pieces: the old bytes between the edits, borrowed,
/// and each edit's literal. fix-config writes and proves the new text from these through
/// [`ReadAt`], so a 64 MB `~/.claude.json` is never held a second time, whole.
pub struct Patched<'a> {
    /// Each piece (none empty), with where it starts in the new text.
    pieces: Vec<(u64, std::borrow::Cow<'a, [u8]>)>,
    len: u64,
}

impl<'a> Patched<'a> {
    /// `bytes` with `edits` (spans of `bytes` that do not overlap) applied.
    pub fn of(bytes: &'a [u8], edits: &[Edit], at: ServersAt) -> Patched<'a> {
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| e.span.start);
        let mut out = Patched { pieces: Vec::with_capacity(2 * edits.len() + 1), len: 0 };
        let mut pos = 0;
        for e in sorted {
            out.push(bytes[pos..e.span.start].into());
            out.push(replacement(bytes, e, at).into_bytes().into());
            pos = e.span.end;
        }
        out.push(bytes[pos..].into());
        out
    }

    fn push(&mut self, piece: std::borrow::Cow<'a, [u8]>) {
        if !piece.is_empty() {
            let n = piece.len() as u64;
            self.pieces.push((self.len, piece));
            self.len += n;
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pieces, in order: together, the new text.
    pub fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        self.pieces.iter().map(|(_, p)| p.as_ref())
    }

    /// The new text, whole.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len as usize);
        self.pieces().for_each(|p| out.extend_from_slice(p));
        out
    }
}

impl ReadAt for Patched<'_> {
    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        // The piece that holds `at`, then as many after it as `buf` takes.
        let mut done = 0;
        while let Some(held) = self.borrowed_at(at + done as u64, buf.len() - done).filter(|h| !h.is_empty()) {
            buf[done..done + held.len()].copy_from_slice(held);
            done += held.len();
        }
        Ok(done)
    }

    fn len_now(&self) -> std::io::Result<u64> {
        Ok(self.len)
    }

    fn borrowed_at(&self, at: u64, max: usize) -> Option<&[u8]> {
        let i = self.pieces.partition_point(|(start, _)| *start <= at).checked_sub(1)?;
        let (start, piece) = &self.pieces[i];
        let rest = piece.get(usize::try_from(at - start).ok()?..)?;
        Some(&rest[..rest.len().min(max)])
    }
}

/// What `e` writes over its span of `bytes`: the literal for its value, in the style of the YAML
/// scalar it replaces.
pub fn replacement(bytes: &[u8], e: &Edit, at: ServersAt) -> String {
    if at.is_yaml() {
        crate::yaml_document::literal_like(&bytes[e.span.clone()], &e.value)
    } else {
        literal(at, &e.value)
    }
}

/// The string literal for `s` in the syntax of a file with layout `at`.
pub fn literal(at: ServersAt, s: &str) -> String {
    // A double-quoted YAML scalar reads as the JSON string does.
    if at.is_toml() { crate::toml_document::basic_string(s) } else { json_string(s) }
}

/// The JSON string literal for `s` (quotes, backslashes and control characters escaped).
pub fn json_string(s: &str) -> String {
    Json::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(text: &str, at: ServersAt) -> Vec<Server> {
        parse(text.as_bytes(), at).unwrap().servers
    }

    fn cmd(text: &str) -> String {
        let s = servers(text, ServersAt::McpServers);
        let c = s[0].command.as_ref().unwrap();
        assert_eq!(&text[c.span.clone()], json_string(&c.value), "span must cover the literal");
        c.value.clone()
    }

    #[test]
    fn raw_control_characters_in_strings_are_malformed_where_whitespace_is_fine() {
        let at = ServersAt::McpServers;
        let tab = "{\n  \"mcpServers\": {\"a\": {\"command\": \"/usr/bin/\ttsh\"}}\n}";
        let e = parse(tab.as_bytes(), at).unwrap_err();
        assert_eq!((e.line, e.column), (2, 45), "{e:?}");
        assert!(e.message.contains("U+0009 (a tab)") && e.message.contains("\\t"), "{}", e.message);
        let key = "{\"mcpServers\": {\"a\nb\": {}}}";
        let e = parse(key.as_bytes(), at).unwrap_err();
        assert!(e.message.contains("line break") && e.message.contains("\\n"), "{}", e.message);
        let bell = "{\"mcpServers\": {\"a\": {\"args\": [\"\u{7}\"]}}}";
        assert!(parse(bell.as_bytes(), at).unwrap_err().message.contains("\\u0007"));
        // Tabs and line breaks between tokens and in comments are fine; escaped ones too.
        let fine = "{\t// a comment with a\ttab\r\n\"mcpServers\":\t{\"a\": {\"command\": \"a\\tb\\n\"}}}";
        let d = parse(fine.as_bytes(), at).unwrap();
        assert_eq!(d.servers[0].command.as_ref().unwrap().value, "a\tb\n");
        assert!(d.needs_jsonc);
    }

    #[test]
    fn plain_json_reads_command_with_span() {
        let t = r#"{"mcpServers": {"teleport-mcp-demo": {"command": "/usr/local/bin/tsh", "args": ["mcp", "connect", "demo"], "env": {"TELEPORT_HOME": "/secret"}}}}"#;
        let s = servers(t, ServersAt::McpServers);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "teleport-mcp-demo");
        assert_eq!(s[0].args, ["mcp", "connect", "demo"]);
        assert_eq!(s[0].env_keys(), ["TELEPORT_HOME"]);
        assert_eq!(cmd(t), "/usr/local/bin/tsh");
        assert!(!format!("{:?}", s[0]).contains("/secret"), "Debug must not show env values");
    }

    #[test]
    fn comments_and_trailing_commas_are_jsonc() {
        let t = "// top\n{\n  /* block */ \"servers\": {\n    \"a\": {\"command\": \"tsh\",}, // after\n  },\n}\n";
        let d = parse(t.as_bytes(), ServersAt::Servers).unwrap();
        assert!(d.needs_jsonc);
        assert_eq!(d.servers[0].command.as_ref().unwrap().value, "tsh");
    }

    #[test]
    fn strict_json_does_not_need_jsonc() {
        let d = parse(br#"{"mcpServers": {}}"#, ServersAt::McpServers).unwrap();
        assert!(!d.needs_jsonc);
    }

    #[test]
    fn missing_comma_is_an_error_with_position() {
        let e = parse(
            b"{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"}\n    \"b\": {}\n  }\n}",
            ServersAt::McpServers,
        )
        .unwrap_err();
        // The comma belongs right after the first entry: that is where the error points.
        assert_eq!((e.line, e.column), (3, 26), "{e:?}");
    }

    #[test]
    fn single_quoted_string_is_an_error() {
        let e = parse(b"{'mcpServers': {}}", ServersAt::McpServers).unwrap_err();
        assert_eq!((e.line, e.column), (1, 2));
    }

    #[test]
    fn bare_key_is_an_error() {
        assert!(parse(b"{mcpServers: {}}", ServersAt::McpServers).is_err());
    }

    #[test]
    fn hex_number_is_an_error() {
        assert!(parse(b"{\"a\": 0x10}", ServersAt::McpServers).is_err());
    }

    #[test]
    fn bom_is_accepted_and_spans_count_it() {
        let t = "\u{feff}{\"mcpServers\": {\"a\": {\"command\": \"/bin/tsh\"}}}";
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        assert!(d.bom);
        let c = d.servers[0].command.as_ref().unwrap();
        assert_eq!(&t[c.span.clone()], "\"/bin/tsh\"");
    }

    #[test]
    fn crlf_is_read_and_positions_count_lines() {
        let t = "{\r\n  \"mcpServers\": {\r\n    \"a\": {\"command\": \"/bin/tsh\"}\r\n  }\r\n}";
        assert_eq!(cmd(t), "/bin/tsh");
        let e = parse(b"{\r\n  \"a\": 1,\r\n  \"b\" 2\r\n}", ServersAt::McpServers).unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn no_final_newline_is_fine() {
        assert_eq!(cmd(r#"{"mcpServers":{"a":{"command":"/x/tsh"}}}"#), "/x/tsh");
    }

    /// Gemini CLI takes comments but refuses trailing commas: the two are told apart.
    #[test]
    fn trailing_commas_are_told_from_comments() {
        let d = |t: &str| parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        let c = d("{\n // c\n \"mcpServers\": {\"a\": {\"command\": \"/x\", \"args\": [\"1\" /* , */]}}}");
        assert!(c.needs_jsonc && !c.trailing_commas);
        let t = d("{\"mcpServers\": {\"a\": {\"command\": \"/x\", \"args\": [\"1\", /* c */ ]}}}");
        assert!(t.needs_jsonc && t.trailing_commas);
        let o = d("{\"mcpServers\": {},}");
        assert!(o.trailing_commas);
        assert!(
            !d("{\"mcpServers\": {\"a\": {\"command\": \"/x,\"}}}").trailing_commas,
            "a comma in a string is no comma"
        );
    }

    /// A UTF-8 file whose second byte is NUL was called UTF-16.
    #[test]
    fn utf8_with_a_nul_second_byte_is_malformed_not_utf16() {
        let e = parse(b"{\0\"mcpServers\": {}}", ServersAt::McpServers).unwrap_err();
        assert!(!e.message.contains("UTF-16"), "{e:?}");
        assert_eq!((e.line, e.column), (1, 2));
        let be: Vec<u8> = "{}".encode_utf16().flat_map(|c| c.to_be_bytes()).collect();
        assert!(parse(&be, ServersAt::McpServers).unwrap_err().message.contains("UTF-16"));
        let utf32: Vec<u8> = "{}".chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        assert!(parse(&utf32, ServersAt::McpServers).unwrap_err().message.contains("UTF-16"));
    }

    #[test]
    fn utf16_is_a_clear_error() {
        let mut b = vec![0xFF, 0xFE];
        for c in "{}".encode_utf16() {
            b.extend_from_slice(&c.to_le_bytes());
        }
        let e = parse(&b, ServersAt::McpServers).unwrap_err();
        assert!(e.message.contains("UTF-16"), "{e:?}");
        let no_bom: Vec<u8> = "{}".encode_utf16().flat_map(|c| c.to_le_bytes()).collect();
        assert!(parse(&no_bom, ServersAt::McpServers).unwrap_err().message.contains("UTF-16"));
    }

    #[test]
    fn invalid_utf8_names_the_position() {
        let e = parse(b"{\n \"a\": \"\xff\"}", ServersAt::McpServers).unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
    }

    #[test]
    fn empty_and_whitespace_files_have_no_servers() {
        for t in ["", "   \n\t\r\n", "\u{feff}"] {
            assert!(parse(t.as_bytes(), ServersAt::McpServers).unwrap().servers.is_empty(), "{t:?}");
        }
    }

    #[test]
    fn comment_only_file_has_no_servers() {
        assert!(parse(b"// nothing yet\n", ServersAt::Servers).unwrap().servers.is_empty());
    }

    #[test]
    fn top_level_array_is_an_error() {
        assert!(parse(b"[]", ServersAt::McpServers).is_err());
    }

    #[test]
    fn windows_path_escapes_are_decoded_and_spans_cover_the_escapes() {
        let t = r#"{"mcpServers": {"a": {"command": "C:\\Program Files\\Teleport\\tsh.exe"}}}"#;
        assert_eq!(cmd(t), r"C:\Program Files\Teleport\tsh.exe");
    }

    #[test]
    fn unicode_escapes_and_non_ascii_keep_spans_in_bytes() {
        let t = "{\"mcpServers\": {\"é\": {\"command\": \"/h\\u00e9/tsh\"}}}";
        let s = servers(t, ServersAt::McpServers);
        let c = s[0].command.as_ref().unwrap();
        assert_eq!(c.value, "/hé/tsh");
        assert_eq!(&t[c.span.clone()], "\"/h\\u00e9/tsh\"");
    }

    #[test]
    fn duplicate_server_name_uses_last_and_is_reported() {
        let t = r#"{"mcpServers": {"a": {"command": "/one"}, "a": {"command": "/two"}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        assert_eq!(d.servers.len(), 1);
        assert_eq!(d.servers[0].command.as_ref().unwrap().value, "/two");
        assert!(d.servers[0].duplicate);
        assert_eq!(d.duplicates.len(), 1);
        assert_eq!(d.duplicates[0].key, "a");
    }

    #[test]
    fn duplicate_servers_object_marks_its_servers() {
        let t = r#"{"mcpServers": {"a": {"command": "/one"}}, "other": 1, "mcpServers": {"b": {"command": "/two"}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        assert_eq!(d.servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["b"]);
        assert!(d.servers[0].duplicate);
        assert_eq!(d.duplicates[0].key, "mcpServers");
    }

    #[test]
    fn duplicate_command_inside_a_server_marks_it() {
        let t = r#"{"mcpServers": {"a": {"command": "/one", "command": "/two"}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        assert!(d.servers[0].duplicate);
        assert_eq!(d.servers[0].command.as_ref().unwrap().value, "/two");
    }

    #[test]
    fn duplicates_elsewhere_do_not_matter() {
        let t = r#"{"theme": 1, "theme": 2, "mcpServers": {"a": {"command": "/x"}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        assert!(d.duplicates.is_empty());
        assert!(!d.servers[0].duplicate);
    }

    #[test]
    fn claude_code_reads_top_level_and_every_project() {
        let t = r#"{"mcpServers": {"g": {"command": "/g"}}, "projects": {"/src/a": {"mcpServers": {"x": {"command": "/x"}}, "history": []}, "/src/b": {"allowedTools": []}}}"#;
        let s = servers(t, ServersAt::ClaudeCodeUser);
        assert_eq!(s.iter().map(|s| s.label()).collect::<Vec<_>>(), ["g", "x (project /src/a)"]);
        assert_eq!(s[1].parent, ["projects", "/src/a", "mcpServers"]);
    }

    #[test]
    fn vscode_legacy_settings_nested_and_dotted() {
        let t = r#"{"editor.fontSize": 12, "mcp": {"servers": {"a": {"command": "tsh"}}}, "mcp.servers": {"b": {"command": "/b"}}}"#;
        let s = servers(t, ServersAt::VscodeSettings);
        assert_eq!(s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn remote_servers_have_no_command() {
        let s = servers(r#"{"servers": {"r": {"type": "http", "url": "https://x"}}}"#, ServersAt::Servers);
        assert!(s[0].is_remote());
    }

    #[test]
    fn apply_edits_changes_only_the_literal() {
        let t = "{\n  // keep\n  \"mcpServers\": {\"a\": {\"command\": \"/old/tsh\",},},\n}";
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        let span = d.servers[0].command.as_ref().unwrap().span.clone();
        let out = apply_edits(
            t.as_bytes(),
            &[Edit { span: span.clone(), value: r#"C:\new "tsh""#.into() }],
            ServersAt::McpServers,
        );
        let out = String::from_utf8(out).unwrap();
        assert_eq!(&out[..span.start], &t[..span.start]);
        assert!(out.ends_with(&t[span.end..]));
        let again = parse(out.as_bytes(), ServersAt::McpServers).unwrap();
        assert_eq!(again.servers[0].command.as_ref().unwrap().value, r#"C:\new "tsh""#);
    }

    #[test]
    fn zed_new_shape_reads_command_string() {
        let t = r#"{"theme": "One", "context_servers": {"teleport-mcp-a": {"source": "custom", "command": "/x/tsh", "args": ["mcp", "connect", "a"], "env": {"K": "v"}}}}"#;
        let s = servers(t, ServersAt::ZedContextServers);
        assert_eq!(s[0].command_keys, COMMAND);
        assert_eq!(s[0].args, ["mcp", "connect", "a"]);
        assert_eq!(s[0].env_keys(), ["K"]);
        assert_eq!(&t[s[0].command.as_ref().unwrap().span.clone()], "\"/x/tsh\"");
    }

    /// A duplicate `path` inside Zed's older `command` object was never reported, yet the
    /// server was left alone by fix-config "because of a duplicate key".
    #[test]
    fn duplicate_key_inside_zeds_command_object_is_reported() {
        let t = r#"{"context_servers": {"teleport-mcp-old": {"command": {"path": "/ok/tsh", "path": "/gone/tsh"}}}}"#;
        let d = parse(t.as_bytes(), ServersAt::ZedContextServers).unwrap();
        assert!(d.servers[0].duplicate);
        assert_eq!(d.duplicates.len(), 1);
        assert_eq!(d.duplicates[0].key, "path");
        assert_eq!(d.duplicates[0].parent, ["context_servers", "teleport-mcp-old", "command"]);
    }

    #[test]
    fn zed_old_shape_reads_command_path_with_args_and_env_inside() {
        let t = "{\n  // Zed\n  \"context_servers\": {\n    \"teleport-mcp-a\": {\n      \"command\": {\"path\": \"/old/tsh\", \"args\": [\"mcp\", \"connect\", \"a\"], \"env\": {\"K\": \"v\"}},\n      \"settings\": {},\n    },\n  },\n}";
        let s = servers(t, ServersAt::ZedContextServers);
        let c = s[0].command.as_ref().unwrap();
        assert_eq!(c.value, "/old/tsh");
        assert_eq!(&t[c.span.clone()], "\"/old/tsh\"");
        assert_eq!(s[0].command_keys, COMMAND_PATH);
        assert_eq!(s[0].args, ["mcp", "connect", "a"]);
        assert_eq!(s[0].env_keys(), ["K"]);
        assert!(!s[0].duplicate);
    }

    /// `cline mcp install NAME -- tsh mcp connect x` writes the command under `transport`.
    #[test]
    fn cline_cli_reads_the_command_under_transport() {
        let t = "{\n  \"mcpServers\": {\n    \"teleport-mcp-a\": {\n      \"transport\": {\n        \"type\": \"stdio\",\n        \"command\": \"/old/tsh\",\n        \"args\": [\"mcp\", \"connect\", \"a\"],\n        \"env\": {\"K\": \"s3cr3t\"}\n      }\n    },\n    \"flat\": {\"command\": \"/flat/tsh\", \"args\": [\"x\"], \"transport\": {\"command\": \"/ignored\"}},\n    \"remote\": {\"transport\": {\"type\": \"streamableHttp\", \"url\": \"https://x/mcp\"}}\n  }\n}\n";
        let s = servers(t, ServersAt::ClineMcpServers);
        let c = s[0].command.as_ref().unwrap();
        assert_eq!((c.value.as_str(), &t[c.span.clone()]), ("/old/tsh", "\"/old/tsh\""));
        assert_eq!(s[0].command_keys, TRANSPORT_COMMAND);
        assert_eq!(s[0].args, ["mcp", "connect", "a"]);
        assert_eq!(s[0].env_keys(), ["K"]);
        // The secret's value is where a report must never print it from.
        assert!(s[0].env_spans.iter().any(|r| &t[r.clone()] == "\"s3cr3t\""), "{:?}", s[0].env_spans);
        // An entry with a command of its own keeps it (the extension's older shape).
        assert_eq!(s[1].command.as_ref().unwrap().value, "/flat/tsh");
        assert_eq!(s[1].command_keys, COMMAND);
        assert!(s[2].command.is_none() && s[2].is_remote());
        // Only the Cline CLI's file looks under `transport`.
        assert!(servers(t, ServersAt::McpServers)[0].command.is_none());
    }

    #[test]
    fn zed_old_shape_with_a_duplicate_inside_command_is_never_edited() {
        let t = r#"{"context_servers": {"a": {"command": {"path": "/one", "path": "/two"}}}}"#;
        let s = servers(t, ServersAt::ZedContextServers);
        assert_eq!(s[0].command.as_ref().unwrap().value, "/two");
        assert!(s[0].duplicate);
    }

    #[test]
    fn zed_extension_and_remote_entries_have_no_command() {
        let t =
            r#"{"context_servers": {"ext": {"source": "extension", "settings": {}}, "r": {"url": "https://x/mcp"}}}"#;
        let s = servers(t, ServersAt::ZedContextServers);
        assert!(s[0].command.is_none() && !s[0].is_remote());
        assert!(s[1].is_remote());
    }

    #[test]
    fn nested_command_objects_belong_to_zed_only() {
        let t = r#"{"mcpServers": {"a": {"command": {"path": "/x"}}}}"#;
        assert!(servers(t, ServersAt::McpServers)[0].command.is_none());
    }

    #[test]
    fn gemini_http_url_is_remote() {
        let s = servers(r#"{"mcpServers": {"r": {"httpUrl": "https://x"}}}"#, ServersAt::McpServers);
        assert!(s[0].is_remote());
    }
}

#[cfg(test)]
mod proptests {
    //! Generated JSONC documents: reading and editing keep every byte that was not edited.
    use super::*;
    use proptest::prelude::*;

    /// Whitespace and comments that may stand between any two tokens.
    fn gap() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just(" ".to_owned()),
                Just("\n".to_owned()),
                Just("\r\n".to_owned()),
                Just("\t".to_owned()),
                Just("// note, with \"quotes\" {}\n".to_owned()),
                Just("/* block: ] , */".to_owned()),
            ],
            0..3,
        )
        .prop_map(|v| v.concat())
    }

    /// A JSON string literal, sometimes with `\u` escapes for non-ASCII.
    fn literal() -> impl Strategy<Value = (String, String)> {
        ("[a-zA-Z0-9 _./\\\\:\"é漢\u{1F600}-]{0,24}", any::<bool>()).prop_map(|(s, escape_unicode)| {
            let mut lit = json_string(&s);
            if escape_unicode {
                lit = lit
                    .chars()
                    .map(|c| {
                        if c.is_ascii() {
                            c.to_string()
                        } else {
                            c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect()
                        }
                    })
                    .collect();
            }
            (s, lit)
        })
    }

    #[derive(Debug, Clone)]
    struct Doc {
        text: String,
        commands: Vec<String>,
    }

    fn doc() -> impl Strategy<Value = Doc> {
        (
            prop::collection::vec(
                (literal(), prop::collection::vec(literal(), 0..3), gap(), gap(), any::<bool>()),
                1..5,
            ),
            gap(),
            gap(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(servers, g1, g2, bom, trailing)| {
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                text.push_str(&format!(
                    "{g1}{{{g2}\"other\":{g1}[1, 2.5e3, true, null]{g2},{g1}\"mcpServers\"{g2}:{g1}{{"
                ));
                let mut commands = Vec::new();
                for (i, ((cmd, cmd_lit), args, a, b, trailing_inner)) in servers.into_iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    let args: Vec<String> = args.into_iter().map(|(_, l)| l).collect();
                    let comma = if trailing_inner { "," } else { "" };
                    text.push_str(&format!(
                        "{a}\"s{i}\"{b}:{a}{{{b}\"command\"{a}:{b}{cmd_lit}{a},{b}\"args\":[{}]{comma}{a}}}",
                        args.join(",")
                    ));
                    commands.push(cmd);
                }
                let comma = if trailing { "," } else { "" };
                text.push_str(&format!("{g2}}}{comma}{g1}}}{g2}"));
                Doc { text, commands }
            })
    }

    proptest! {
        /// The SIMD check and std's agree on what is UTF-8 (mixing valid multi-byte text with
        /// stray bytes), and an error still names the position std finds.
        #[test]
        fn utf8_is_told_as_std_tells_it(parts in prop::collection::vec(prop_oneof![
            Just("é".as_bytes().to_vec()), Just("日本".as_bytes().to_vec()), Just("🚀".as_bytes().to_vec()),
            Just(b"ascii text ".to_vec()), Just(vec![0xC3]), Just(vec![0x80]), Just(vec![0xF0, 0x9F]),
            Just(vec![0xED, 0xA0, 0x80]), Just(vec![0xFF]),
        ], 0..40)) {
            let mut bytes = b"{\"a\": \"".to_vec();
            for p in parts {
                bytes.extend(p);
            }
            match (decode(&bytes), std::str::from_utf8(&bytes)) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(e), Err(std_err)) => {
                    let good = std::str::from_utf8(&bytes[..std_err.valid_up_to()]).unwrap();
                    prop_assert_eq!((e.line, e.column), line_col(good, good.len()));
                }
                (a, b) => prop_assert!(false, "decode {:?}, std {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn reading_finds_every_command_with_its_exact_span(d in doc()) {
            let parsed = parse(d.text.as_bytes(), ServersAt::McpServers).unwrap();
            prop_assert_eq!(parsed.servers.len(), d.commands.len());
            for (s, want) in parsed.servers.iter().zip(&d.commands) {
                let c = s.command.as_ref().unwrap();
                prop_assert_eq!(&c.value, want);
                prop_assert_eq!(parse_literal(&d.text[c.span.clone()]), want.clone());
            }
            // With no edit, the bytes come back exactly.
            prop_assert_eq!(apply_edits(d.text.as_bytes(), &[], ServersAt::McpServers), d.text.as_bytes().to_vec());
        }

        #[test]
        fn an_edit_changes_only_its_literal(d in doc(), pick in any::<prop::sample::Index>(), (new, _) in literal()) {
            let before = parse(d.text.as_bytes(), ServersAt::McpServers).unwrap();
            let i = pick.index(before.servers.len());
            let span = before.servers[i].command.as_ref().unwrap().span.clone();
            let out = apply_edits(d.text.as_bytes(), &[Edit { span: span.clone(), value: new.clone() }], ServersAt::McpServers);
            let old = d.text.as_bytes();
            // Prefix and suffix identical.
            prop_assert_eq!(&out[..span.start], &old[..span.start]);
            prop_assert_eq!(&out[out.len() - (old.len() - span.end)..], &old[span.end..]);
            // The same servers but for that one command.
            let after = parse(&out, ServersAt::McpServers).unwrap();
            prop_assert_eq!(after.servers.len(), before.servers.len());
            for (j, (a, b)) in after.servers.iter().zip(&before.servers).enumerate() {
                let mut want = b.value.clone();
                if j == i {
                    want["command"] = Json::String(new.clone());
                }
                prop_assert_eq!(&a.value, &want);
                prop_assert_eq!(&a.name, &b.name);
            }
            prop_assert_eq!(after.bom, before.bom);
            prop_assert_eq!(after.needs_jsonc, before.needs_jsonc);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// What is written and proven of a repair is read from its pieces: read from anywhere,
        /// in reads of any size, they give the text the edits make, and its hash.
        #[test]
        fn patched_text_reads_as_the_edited_text_from_anywhere(
            d in doc(),
            picks in prop::collection::vec((any::<prop::sample::Index>(), literal()), 0..4),
            size in 1usize..40,
        ) {
            let old = d.text.as_bytes();
            let servers = parse(old, ServersAt::McpServers).unwrap().servers;
            let mut edits: Vec<Edit> = vec![];
            for (pick, (value, _)) in picks {
                let span = servers[pick.index(servers.len())].command.as_ref().unwrap().span.clone();
                if !edits.iter().any(|e| e.span == span) {
                    edits.push(Edit { span, value });
                }
            }
            // Applied by hand, from the last edit back.
            let mut want = old.to_vec();
            let mut sorted = edits.clone();
            sorted.sort_by_key(|e| std::cmp::Reverse(e.span.start));
            for e in &sorted {
                want.splice(e.span.clone(), json_string(&e.value).into_bytes());
            }
            let patched = Patched::of(old, &edits, ServersAt::McpServers);
            prop_assert_eq!(patched.len(), want.len() as u64);
            prop_assert_eq!(patched.to_vec(), want.clone());
            prop_assert_eq!(patched.pieces().collect::<Vec<_>>().concat(), want.clone());
            let of_pieces = crate::backup::NewContent::of_pieces(patched.pieces());
            let of_whole = crate::backup::NewContent::of(&want);
            prop_assert_eq!((of_pieces.len, of_pieces.blake3), (of_whole.len, of_whole.blake3));
            for at in 0..=want.len() + 1 {
                let mut buf = vec![0u8; size];
                let n = patched.read_at(&mut buf, at as u64).unwrap();
                let rest = want.get(at..).unwrap_or_default();
                prop_assert_eq!(&buf[..n], &rest[..rest.len().min(size)], "at {}", at);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Bad input is an error, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            for at in [ServersAt::McpServers, ServersAt::ClaudeCodeUser, ServersAt::VscodeSettings] {
                let _ = parse(&bytes, at);
            }
        }

        #[test]
        fn json_like_text_never_panics(text in "[{}\\[\\],:\"a-z0-9 \n/*\\\\u]{0,80}") {
            let _ = parse(text.as_bytes(), ServersAt::ClaudeCodeUser);
        }
    }

    #[test]
    fn deep_nesting_is_never_a_crash() {
        // Big files: skipped by the fast path without recursion (JSON.parse reads them too).
        let deep = format!("{{\"x\": {}{}, \"mcpServers\": {{}}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(deep.as_bytes(), ServersAt::McpServers).is_ok());
        // Deep inside a server entry: an error, not a stack overflow.
        let deep = format!("{{\"mcpServers\": {{\"a\": {{\"x\": {}{}}}}}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(deep.as_bytes(), ServersAt::McpServers).is_err());
        // Small files: jsonc-parser's limit.
        let deep = format!("{{\"x\": {}{}, \"mcpServers\": {{}}}}", "[".repeat(600), "]".repeat(600));
        assert!(parse(deep.as_bytes(), ServersAt::McpServers).is_err());
    }

    #[test]
    fn lone_surrogate_escapes_are_read_as_javascript_writes_them() {
        // Node's JSON.stringify writes an unpaired surrogate as an escape; clients read it back.
        let t = r#"{"history": ["cut emoji \ud83d", "\udc00 low", "pair \ud83d\ude00 ok"], "mcpServers": {"a": {"command": "/x/\ud800tsh"}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        let c = d.servers[0].command.as_ref().unwrap();
        assert_eq!(c.value, "/x/\u{e000}tsh");
        assert_eq!(&t[c.span.clone()], "\"/x/\\ud800tsh\"", "the span is the original literal");
    }

    #[test]
    fn mask_lone_surrogates_leaves_pairs_comments_and_escaped_backslashes() {
        assert_eq!(mask_lone_surrogates(r#"{"a": "\ud83d\ude00"}"#), None);
        assert_eq!(mask_lone_surrogates(r#"{"a": "\\ud800"}"#), None, "an escaped backslash, then text");
        assert_eq!(mask_lone_surrogates("// \\ud800\n{}"), None, "in a comment");
        assert_eq!(mask_lone_surrogates("/* \"\\ud800 */{}"), None, "in a block comment");
        assert_eq!(mask_lone_surrogates(r#"{"a": "\ud800x"}"#).unwrap(), r#"{"a": "\ue000x"}"#);
        assert_eq!(mask_lone_surrogates(r#"{"a": "\udfff\ud800"}"#).unwrap(), r#"{"a": "\ue7ff\ue000"}"#);
    }

    /// Every lone surrogate became U+FFFD, so `teleport-mcp-\ud800` and `teleport-mcp-\ud801`
    /// were a false duplicate key and neither was repaired.
    #[test]
    fn names_differing_in_lone_surrogates_stay_distinct() {
        let t = r#"{"mcpServers": {"teleport-mcp-\ud800": {"command": "/a/tsh"}, "teleport-mcp-\ud801": {"command": "/b/tsh"}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        assert!(d.duplicates.is_empty(), "{:?}", d.duplicates);
        assert_eq!(d.servers.len(), 2);
        assert!(d.servers.iter().all(|s| !s.duplicate));
        assert_ne!(d.servers[0].name, d.servers[1].name);
    }

    fn parse_literal(lit: &str) -> String {
        serde_json::from_str(lit).unwrap()
    }
}

/// The public JSON conformance suite (`../shared/testsuites/JSONTestSuite`, MIT), read by both
/// readers: the JSONC reader of small files and the fast reader of big ones (the same text
/// padded past [`FAST_PATH_MIN_BYTES`] with leading spaces).
#[cfg(test)]
mod conformance {
    use super::*;

    fn cases() -> Vec<(String, Vec<u8>)> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testsuites/JSONTestSuite/test_parsing");
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (CI has ../shared beside the repository)", dir.display()))
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        v.sort();
        assert!(v.len() > 300, "the suite is there");
        v
    }

    /// What a strict reader says: JSON, or valid only as JSONC (comments, trailing commas).
    fn verdict(bytes: &[u8]) -> Result<bool, String> {
        match parse(bytes, ServersAt::McpServers) {
            Ok(d) => Ok(d.needs_jsonc),
            Err(e) => Err(e.message),
        }
    }

    fn padded(bytes: &[u8]) -> Vec<u8> {
        let mut p = vec![b' '; FAST_PATH_MIN_BYTES];
        p.extend_from_slice(bytes);
        p
    }

    /// The case as the value of a member: an MCP config is an object, so a case's top-level
    /// array or number is judged where a config holds such values.
    fn wrapped(bytes: &[u8]) -> Vec<u8> {
        [b"{\"mcpServers\": {}, \"x\": ".as_slice(), bytes, b"}"].concat()
    }

    #[test]
    fn json_test_suite_y_cases_read_n_cases_are_malformed_i_cases_do_not_panic() {
        let mut wrong = Vec::new();
        for (name, bytes) in cases() {
            // The file as it is: whatever it holds, no panic.
            for input in [bytes.clone(), padded(&bytes)] {
                if std::panic::catch_unwind(|| verdict(&input)).is_err() {
                    wrong.push(format!("{name}: panicked as a whole file"));
                }
            }
            let w = wrapped(&bytes);
            for (reader, input) in [("small", w.clone()), ("big", padded(&w))] {
                let got = std::panic::catch_unwind(|| verdict(&input));
                let Ok(got) = got else {
                    wrong.push(format!("{reader} {name}: panicked"));
                    continue;
                };
                match (&name[..2], got) {
                    ("y_", Err(e)) => wrong.push(format!("{reader} {name}: refused valid JSON: {e}")),
                    ("y_", Ok(true)) => wrong.push(format!("{reader} {name}: valid JSON called JSONC")),
                    ("n_", Ok(false)) => wrong.push(format!("{reader} {name}: accepted as JSON")),
                    _ => {}
                }
            }
        }
        assert!(wrong.is_empty(), "{} cases:\n{}", wrong.len(), wrong.join("\n"));
    }
}
