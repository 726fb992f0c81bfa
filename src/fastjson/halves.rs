//! Claude Code's `~/.claude.json` read in two halves at once, from memory or straight from the
//! file through two small windows.
//!
//! Two cores: a big `~/.claude.json` is read by two threads, split at a `projects` member near
//! the middle ([`split_point`], a guess: the line of one in a pretty-printed file, one after
//! `},` in a minified one). The first thread reads
//! the text before that line, which must end exactly between two members of `projects`, after
//! a comma; the second reads on from there: the remaining members of `projects`, the rest of
//! the top level, the end. Each hands every value on a path to serde_json as the one-piece
//! reader does ([`super::parse`]), and skips the rest with [`super::skip`], which accepts
//! what serde_json's skip accepts; only the punctuation between members is read by hand. When
//! the guess does not hold, the caller reads the file in one piece. The result is the same
//! either way; only the time differs.
//!
//! Streaming ([`read_stream`], for commands that do not edit the file): each half is read
//! through a window of [`WINDOW_BYTES`] that moves forward member by member (and grows for a
//! member bigger than itself), so the kernel copies the file into the same few cache-hot pages
//! again and again instead of into 64 MB of fresh ones, which took most of the time. A value
//! cut by the window's end is read again once the window holds more.
//!
//! UTF-8: every value is checked once serde_json has read it, and the punctuation between
//! values is ASCII, so every byte of a half is checked once.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::error::Category;

use super::skip::{Cut, Skipper};
use super::{CC_PROJECTS, CC_PROJECTS_KEY, CC_TOP, CC_TOP_KEY, Key, Origin, Walked, servers_of};
use crate::clients::ServersAt;
use crate::document::{BOM, Document, Server, looks_utf16};
use crate::readat::{ReadAt, fill};

/// How much of its half a streaming read holds at first: small enough to stay in the cache.
pub const WINDOW_BYTES: usize = 256 << 10;

/// What reading in two halves gave.
#[derive(Debug, PartialEq)]
pub enum Split {
    Done(Document),
    /// The file is not for the fast path (read in one go, it would give `None` too).
    Invalid,
    /// The split was not between two members of `projects`: read it in one go.
    Missed,
}

/// The servers of a Claude Code file `len` bytes long, read from `src` in two halves through
/// windows of `window` bytes (see the module doc); `None` when only a read of the whole file
/// can say (not strict JSON, no place to split, the file changed while it was read, an error).
pub fn read_stream<R: ReadAt + ?Sized>(src: &R, len: u64, window: usize) -> Option<Document> {
    let window = window.max(1);
    let start = read_some(src, 0, 4096.min(len))?;
    // UTF-16 and friends are the one-piece reader's to report.
    if looks_utf16(&start) {
        return None;
    }
    let offset = if start.starts_with(BOM.as_bytes()) { BOM.len() } else { 0 };
    let layout = Layout::of(&start[offset..])?;
    // Look for the place to split near the middle, where `split_point` would.
    let mid = len / 2;
    let limit = len - len / 8;
    let probe = read_some(src, mid, (WINDOW_BYTES as u64).max(window as u64).min(limit.saturating_sub(mid)))?;
    let s = mid + layout.member(&probe)? as u64;
    match stream_split(src, offset as u64, s, len, window) {
        // The length is checked again: a file that grew or shrank meanwhile is read whole.
        Split::Done(doc) if src.len_now().ok()? == len => Some(Document { bom: offset > 0, ..doc }),
        _ => None,
    }
}

/// Reads `src` from `offset` to `len` in two halves split at `s`, each through a window.
pub(super) fn stream_split<R: ReadAt + ?Sized>(src: &R, offset: u64, s: u64, len: u64, window: usize) -> Split {
    halves(Window::stream(src, offset, s, window), Window::stream(src, s, len, window))
}

/// `want` bytes from `at`, `None` when they cannot all be read.
fn read_some<R: ReadAt + ?Sized>(src: &R, at: u64, want: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; usize::try_from(want).ok()?];
    fill(src, &mut buf, at).ok()?;
    Some(buf)
}

/// Where to split `body` for two threads, from the middle on: see `Layout::member`. Only a
/// guess: [`parse_split`] checks it.
pub fn split_point(body: &[u8], at: ServersAt) -> Option<usize> {
    if at != ServersAt::ClaudeCodeUser {
        return None;
    }
    let layout = Layout::of(body)?;
    let mid = body.len() / 2;
    Some(mid + layout.member(&body[mid..body.len() - body.len() / 8])?)
}

/// How a Claude Code file is laid out, which says where a member of `projects` may start.
enum Layout {
    /// As Claude Code writes it (`JSON.stringify(state, null, 2)`): the members of `projects`
    /// are indented by this, twice the top level's indentation.
    Pretty(Vec<u8>),
    /// On one line, with no whitespace (a file rewritten by another tool).
    Minified,
}

impl Layout {
    fn of(body: &[u8]) -> Option<Layout> {
        match member_indent(body) {
            Some(indent) => Some(Layout::Pretty(indent)),
            None => body.starts_with(b"{\"").then_some(Layout::Minified),
        }
    }

    /// The first place in `text` that looks like the opening quote of a key of `projects`:
    /// pretty, a key at the members' indentation whose line follows a comma; minified, a key
    /// that looks like a project's path (`/…` or a drive letter and colon) right after `},`.
    fn member(&self, text: &[u8]) -> Option<usize> {
        match self {
            Layout::Pretty(indent) => member_line(text, indent),
            Layout::Minified => memchr::memmem::find_iter(text, b"},\"").map(|i| i + 2).find(|&q| {
                let key = &text[q + 1..];
                key.starts_with(b"/") || (key.first().is_some_and(u8::is_ascii_alphabetic) && key.get(1) == Some(&b':'))
            }),
        }
    }
}

/// The indentation of the members of `projects`: twice the top level's, which is the second
/// line's.
fn member_indent(body: &[u8]) -> Option<Vec<u8>> {
    let rest = body.strip_prefix(b"{")?;
    let rest = rest.strip_prefix(b"\r").unwrap_or(rest).strip_prefix(b"\n")?;
    let unit = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    if unit == 0 || rest.get(unit) != Some(&b'"') {
        return None;
    }
    Some(rest[..unit].iter().chain(&rest[..unit]).copied().collect())
}

/// The first place in `text` where a line indented by `indent` starts with a key after a
/// comma (see [`at_member_line`]).
fn member_line(text: &[u8], indent: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let line = i + text[i..].iter().position(|&b| b == b'\n')? + 1;
        i = line;
        if text[line..].starts_with(indent) && at_member_line(text, line + indent.len()) {
            return Some(line + indent.len());
        }
    }
}

/// Whether `s` is where a key starts, after a comma and whitespace with a line break: if the
/// text up to `s` is valid so far, `s` is then outside any string (strings hold no raw line
/// breaks) and right after a separator.
pub(super) fn at_member_line(body: &[u8], s: usize) -> bool {
    if body.get(s) != Some(&b'"') {
        return false;
    }
    let Some(before) = body[..s].iter().rposition(|b| !b" \t\r\n".contains(b)) else { return false };
    body[before] == b',' && body[before..s].contains(&b'\n')
}

/// Whether `s` is a quote right after `},`, where a member of a minified `projects` starts.
/// Unlike a line break, that does not prove `s` outside a string: the first half's read does,
/// as it does for every split (it must end exactly there, between two members).
pub(super) fn after_object(body: &[u8], s: usize) -> bool {
    body.get(s) == Some(&b'"') && s >= 2 && body[s - 2..s] == *b"},"
}

/// Reads `body` (which starts `offset` bytes into its file) in two halves at once, split at
/// `s` (see the module doc).
pub fn parse_split(body: &[u8], offset: usize, at: ServersAt, s: usize) -> Split {
    if at != ServersAt::ClaudeCodeUser || !(at_member_line(body, s) || after_object(body, s)) {
        return Split::Missed;
    }
    let (head, tail) = body.split_at(s);
    halves::<[u8]>(Window::whole(head, offset), Window::whole(tail, offset + s))
}

/// Reads the two halves, the second on another thread, and joins what they found.
fn halves<R: ReadAt + ?Sized>(head: Window<'_, R>, tail: Window<'_, R>) -> Split {
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(move || Shell::new(tail, false).tail());
        let first = Shell::new(head, true).head();
        (first, second.join().unwrap_or(Err(Stop::Invalid)))
    });
    let (mut first, second) = match (first, second) {
        (Ok(first), Ok(second)) => (first, second),
        // A first half that does not end between two members says nothing of the second.
        (Err(Stop::Missed), _) => return Split::Missed,
        _ => return Split::Invalid,
    };
    // A key on a path must not occur in both halves.
    if first.root_followed.iter().any(|k| second.root_followed.contains(k))
        || second.projects.iter().any(|k| first.projects.contains(k))
    {
        return Split::Invalid;
    }
    for (all, more) in first.servers.iter_mut().zip(second.servers) {
        all.extend(more);
    }
    Split::Done(Document {
        bom: false,
        needs_jsonc: false,
        trailing_commas: false,
        servers: first.servers.into_iter().flatten().collect(), // moved: `concat` would clone each one
        duplicates: vec![],
        shadowed_env_spans: vec![],
    })
}

/// Why reading a half stopped short.
#[derive(Debug)]
enum Stop {
    /// The file is not for the fast path.
    Invalid,
    /// The first half does not end between two members of `projects`.
    Missed,
}

/// The text a [`Shell`] reads: a half held whole, or a window onto a half of a file that
/// moves forward as it is read.
struct Window<'a, R: ?Sized> {
    buf: Cow<'a, [u8]>,
    /// `buf[..len]` holds text.
    len: usize,
    /// Where `buf[0]` sits in the file.
    at: u64,
    /// Where more comes from, for a window.
    source: Option<Source<'a, R>>,
}

struct Source<'a, R: ?Sized> {
    src: &'a R,
    /// The next byte to read, and the end of the half.
    next: u64,
    end: u64,
}

impl<'a, R: ReadAt + ?Sized> Window<'a, R> {
    fn whole(text: &'a [u8], at: usize) -> Self {
        Window { buf: Cow::Borrowed(text), len: text.len(), at: at as u64, source: None }
    }

    fn stream(src: &'a R, start: u64, end: u64, window: usize) -> Self {
        Window { buf: Cow::Owned(vec![0; window]), len: 0, at: start, source: Some(Source { src, next: start, end }) }
    }

    /// Whether all of the half is in `buf[..len]`.
    fn complete(&self) -> bool {
        self.source.as_ref().is_none_or(|s| s.next >= s.end)
    }

    /// Drops the text before `*pos` and reads more after what is held, at least doubling what
    /// is held from `*pos` on (so a value read again each time costs no more than twice over).
    /// `Ok(false)` when the half is all there.
    fn more(&mut self, pos: &mut usize) -> Result<bool, Stop> {
        let Some(source) = &mut self.source else { return Ok(false) };
        if source.next >= source.end {
            return Ok(false);
        }
        let buf = self.buf.to_mut();
        buf.copy_within(*pos..self.len, 0);
        self.len -= *pos;
        self.at += *pos as u64;
        *pos = 0;
        if self.len > buf.len() / 2 {
            buf.resize(buf.len() * 2, 0);
        }
        let want = ((buf.len() - self.len) as u64).min(source.end - source.next) as usize;
        fill(source.src, &mut buf[self.len..self.len + want], source.next).map_err(|_| Stop::Invalid)?;
        self.len += want;
        source.next += want as u64;
        Ok(true)
    }
}

/// A key's hash, the same in every run and on both threads.
fn key_hash(key: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}

/// What a half found, and what joining the halves needs to know.
struct Half {
    /// Servers, per path of Claude Code's layout.
    servers: Vec<Vec<Server>>,
    /// Keys of the top level that a path follows, as met.
    root_followed: Vec<&'static str>,
    /// Keys of `projects`, as hashes: thousands of paths need not be held twice to find a
    /// repeated one. Two keys with one hash look repeated, and the file is then read whole by
    /// the reader that reports duplicates: slower, never wrong.
    projects: HashSet<u64>,
}

/// Reads one half member by member, handing each value to serde_json (so the values are read
/// exactly as [`super::parse`] reads them) and checking the punctuation between them itself.
/// Serde_json is not asked to read the first half as one value: it would end in an error at the
/// cut, and an error costs a count of every line before it.
struct Shell<'a, R: ?Sized> {
    win: Window<'a, R>,
    /// The next byte to read, in `win.buf`.
    pos: usize,
    half: Half,
    /// The first half: its end is the cut, not the end of the file.
    head: bool,
    skipper: Skipper,
}

impl<'a, R: ReadAt + ?Sized> Shell<'a, R> {
    fn new(win: Window<'a, R>, head: bool) -> Self {
        let half = Half {
            servers: ServersAt::ClaudeCodeUser.paths().iter().map(|_| Vec::new()).collect(),
            root_followed: Vec::new(),
            projects: HashSet::new(),
        };
        Shell { win, pos: 0, half, head, skipper: Skipper::default() }
    }

    /// The first half, from the top: it must reach its end between two members of `projects`.
    fn head(mut self) -> Result<Half, Stop> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            return Err(Stop::Missed);
        }
        loop {
            let key = self.key()?;
            if key == CC_PROJECTS_KEY && self.peek()? == b'{' {
                self.follow(CC_PROJECTS_KEY)?;
                self.pos += 1;
                if self.peek()? == b'}' {
                    self.pos += 1;
                } else if self.projects()? {
                    return Ok(self.half);
                }
            } else {
                self.top_member(&key)?;
            }
            match self.peek()? {
                b',' => self.pos += 1,
                // The whole file ends before the cut: not a split between members.
                b'}' => return Err(Stop::Missed),
                _ => return Err(Stop::Invalid),
            }
        }
    }

    /// The second half, from the key of a member of `projects`: the rest of `projects`, the
    /// rest of the top level, and nothing after it.
    fn tail(mut self) -> Result<Half, Stop> {
        self.projects()?;
        loop {
            match self.peek() {
                Ok(b'}') => {
                    self.pos += 1;
                    break;
                }
                Ok(b',') => self.pos += 1,
                _ => return Err(Stop::Invalid),
            }
            let key = self.key()?;
            if key == CC_PROJECTS_KEY {
                return Err(Stop::Invalid);
            }
            self.top_member(&key)?;
        }
        match self.next_byte()? {
            None => Ok(self.half),
            Some(_) => Err(Stop::Invalid),
        }
    }

    /// Members of `projects` from a key on, up to its closing brace (`false`) or, in the first
    /// half, up to the cut (`true`).
    fn projects(&mut self) -> Result<bool, Stop> {
        loop {
            if self.head && self.next_byte()?.is_none() {
                return Ok(true);
            }
            let name = self.key()?;
            for mut server in self.project()? {
                let mut parent = vec![CC_PROJECTS_KEY.to_owned(), name.clone()];
                parent.append(&mut server.parent);
                server.parent = parent;
                self.half.servers[CC_PROJECTS].push(server);
            }
            if !self.half.projects.insert(key_hash(&name)) {
                return Err(Stop::Invalid);
            }
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Ok(false);
                }
                _ => return Err(Stop::Invalid),
            }
        }
    }

    /// The servers of one member of `projects`. Its value is skipped by [`Skipper`], which
    /// notes its `mcpServers`; serde_json then reads that one member's value as [`super::parse`]
    /// reads it. A project that is not an object, or has a key with an escape (which might
    /// spell `mcpServers`) or `mcpServers` twice, is read by serde_json whole, as before.
    fn project(&mut self) -> Result<Vec<Server>, Stop> {
        if self.peek()? != b'{' {
            return self.value::<Walk<CC_PROJECTS, 2>>();
        }
        let start = self.skip(CC_TOP_KEY.as_bytes())?;
        let text = &self.win.buf[..self.pos];
        match self.skipper.members.as_slice() {
            [] => Ok(Vec::new()),
            [m] if text[m.key.clone()] == *CC_TOP_KEY.as_bytes() => {
                let at = m.value;
                let mut found = self.reread::<Walk<CC_PROJECTS, 3>>(at)?;
                for server in &mut found {
                    server.parent.insert(0, CC_TOP_KEY.to_owned());
                }
                Ok(found)
            }
            _ => self.reread::<Walk<CC_PROJECTS, 2>>(start),
        }
    }

    /// A value inside what [`Shell::skip`] just skipped, from `at`, read by [`Shell::value`]
    /// (all of it is in the window, with text after it); reading goes on after the skipped value.
    fn reread<P: Piece>(&mut self, at: usize) -> Result<P::Owned, Stop> {
        let end = self.pos;
        self.pos = at;
        let found = self.value::<P>();
        self.pos = end;
        found
    }

    /// Skips one value with [`Skipper::value`] (again after reading more, when the window ends
    /// inside it), checking its UTF-8 as [`Shell::value`] does; returns where it starts in the
    /// window. Its members keyed `want` are then in `self.skipper.members`, at places in the
    /// window.
    fn skip(&mut self, want: &[u8]) -> Result<usize, Stop> {
        loop {
            let complete = self.win.complete();
            let text = &self.win.buf[..self.win.len];
            match self.skipper.value(text, self.pos, want) {
                // A value that reaches the window's end might go on past it (a number).
                Ok(end) if complete || end < text.len() => {
                    simdutf8::basic::from_utf8(&text[self.pos..end]).map_err(|_| Stop::Invalid)?;
                    let start = self.pos;
                    self.pos = end;
                    return Ok(start);
                }
                Err(Cut::End) if complete => return Err(self.end()),
                Err(Cut::Invalid) if complete => return Err(Stop::Invalid),
                // Cut by the window, or wrong: read again with more text.
                _ => {}
            }
            self.win.more(&mut self.pos)?;
        }
    }

    /// The value of a top-level member other than an object `projects`.
    fn top_member(&mut self, key: &str) -> Result<(), Stop> {
        if key == CC_TOP_KEY {
            self.follow(CC_TOP_KEY)?;
            for mut server in self.value::<Walk<CC_TOP, 1>>()? {
                server.parent.insert(0, CC_TOP_KEY.to_owned());
                self.half.servers[CC_TOP].push(server);
            }
        } else {
            if key == CC_PROJECTS_KEY {
                self.follow(CC_PROJECTS_KEY)?;
            }
            self.skip(b"")?;
        }
        Ok(())
    }

    /// Notes a top-level key a path follows; a second one is a duplicate.
    fn follow(&mut self, key: &'static str) -> Result<(), Stop> {
        if self.half.root_followed.contains(&key) {
            return Err(Stop::Invalid);
        }
        self.half.root_followed.push(key);
        Ok(())
    }

    /// The end of the text where more was due.
    fn end(&self) -> Stop {
        if self.head { Stop::Missed } else { Stop::Invalid }
    }

    /// The next byte after whitespace, not consumed; `None` at the end of the half.
    fn next_byte(&mut self) -> Result<Option<u8>, Stop> {
        loop {
            let text = &self.win.buf[..self.win.len];
            while matches!(text.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
            if let Some(&b) = text.get(self.pos) {
                return Ok(Some(b));
            }
            if !self.win.more(&mut self.pos)? {
                return Ok(None);
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Result<u8, Stop> {
        let b = self.next_byte()?;
        b.ok_or_else(|| self.end())
    }

    fn eat(&mut self, b: u8) -> Result<(), Stop> {
        if self.peek()? != b {
            return Err(Stop::Invalid);
        }
        self.pos += 1;
        Ok(())
    }

    /// A key and its colon.
    fn key(&mut self) -> Result<String, Stop> {
        let k = self.value::<KeyPiece>()?;
        self.eat(b':')?;
        Ok(k)
    }

    /// One JSON value, read by serde_json from the window (again after reading more, when the
    /// window ends inside it).
    fn value<P: Piece>(&mut self) -> Result<P::Owned, Stop> {
        loop {
            {
                let complete = self.win.complete();
                let rest = &self.win.buf[self.pos..self.win.len];
                let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<P::Borrowed<'_>>();
                let got = values.next();
                let n = values.byte_offset();
                match got {
                    // A value that reaches the window's end might go on past it (a number).
                    Some(Ok(v)) if complete || n < rest.len() => {
                        // SIMD validation: on non-ASCII text, std's took half of `check`.
                        simdutf8::basic::from_utf8(&rest[..n]).map_err(|_| Stop::Invalid)?;
                        let origin = Origin { addr: rest.as_ptr() as usize, at: self.win.at as usize + self.pos };
                        let owned = P::own(v, &origin).ok_or(Stop::Invalid)?;
                        self.pos += n;
                        return Ok(owned);
                    }
                    // Cut short: in the first half, by the cut.
                    Some(Err(e)) if complete && e.classify() == Category::Eof => return Err(self.end()),
                    None if complete => return Err(self.end()),
                    Some(Err(_)) if complete => return Err(Stop::Invalid),
                    // Cut by the window, or wrong: read again with more text.
                    _ => {}
                }
            }
            self.win.more(&mut self.pos)?;
        }
    }
}

/// What a [`Shell`] has serde_json read: a type that borrows from the window, made owned
/// before the window moves on.
trait Piece {
    type Borrowed<'de>: serde::Deserialize<'de>;
    type Owned;
    /// `None` when only the AST reader can be sure what the value holds.
    fn own(value: Self::Borrowed<'_>, origin: &Origin) -> Option<Self::Owned>;
}

/// An object key.
struct KeyPiece;

impl Piece for KeyPiece {
    type Borrowed<'de> = Key<'de>;
    type Owned = String;
    fn own(value: Key<'_>, _: &Origin) -> Option<String> {
        Some(value.0.into_owned())
    }
}

/// The servers in a value that lies `SKIP` segments down path `PATH` of Claude Code's layout.
struct Walk<const PATH: usize, const SKIP: usize>;

impl<const PATH: usize, const SKIP: usize> Piece for Walk<PATH, SKIP> {
    type Borrowed<'de> = Walked<'de, PATH, SKIP>;
    type Owned = Vec<Server>;
    fn own(value: Walked<'_, PATH, SKIP>, origin: &Origin) -> Option<Vec<Server>> {
        servers_of(origin, value.0)
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::document::parse_ast;

    const CC: ServersAt = ServersAt::ClaudeCodeUser;

    /// A Claude Code file as Claude Code writes it, `n` projects, some with servers.
    fn claude_json(n: usize) -> String {
        let mut projects = serde_json::Map::new();
        for i in 0..n {
            let servers = if i % 4 == 1 {
                serde_json::json!({format!("teleport-mcp-{i}"): {"command": format!("/home/u/.tsh/bin/{i}-update-pkg-v2/tsh"), "args": ["mcp", "connect", "x"], "env": {"K": "v"}}})
            } else {
                serde_json::json!({})
            };
            let history: Vec<serde_json::Value> = (0..i % 7)
                .map(|k| serde_json::json!({"display": format!("prompt {k} \"q\" é 🚀 \\ {{[,\n    \"/x\": {{"), "n": k}))
                .collect();
            projects.insert(
                format!("/home/u/src/proj-{i}"),
                serde_json::json!({"allowedTools": [], "history": history, "mcpServers": servers, "lastCost": 0.5}),
            );
        }
        let top = serde_json::json!({
            "numStartups": 12,
            "mcpServers": {"g": {"command": "/usr/bin/tsh", "args": ["mcp", "connect", "g"]}},
            "projects": projects,
            "userID": "abc",
        });
        serde_json::to_string_pretty(&top).unwrap()
    }

    fn whole(text: &str) -> Document {
        let d = parse_ast(text, 0, CC, false).unwrap();
        assert!(d.servers.len() > 3, "the test file has servers in both halves");
        d
    }

    #[test]
    fn streaming_gives_what_the_ast_reader_gives_through_any_window() {
        let text = claude_json(60);
        let minified = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
        for text in [text, minified] {
            let expected = whole(&text);
            for window in [1, 3, 100, 4096, WINDOW_BYTES] {
                let got = read_stream(text.as_bytes(), text.len() as u64, window);
                assert_eq!(got.as_ref(), Some(&expected), "window {window}: {text}");
            }
        }
    }

    #[test]
    fn streaming_counts_a_bom_in_spans() {
        let text = format!("\u{feff}{}", claude_json(30));
        let d = read_stream(text.as_bytes(), text.len() as u64, 64).unwrap();
        assert_eq!(d, Document { bom: true, ..parse_ast(&text[3..], 3, CC, false).unwrap() });
        let c = d.servers[0].command.as_ref().unwrap();
        assert_eq!(&text[c.span.clone()], "\"/usr/bin/tsh\"");
    }

    #[test]
    fn streaming_leaves_to_the_whole_read_what_it_cannot_read() {
        let text = claude_json(30);
        // Minified, with no member of `projects` whose key looks like a path to split at.
        let minified = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap())
            .unwrap()
            .replace("\"/home", "\"~");
        let jsonc = text.replacen("{\n", "{ // note\n", 1);
        let truncated = &text[..text.len() - 1];
        let dup_project = text.replacen("proj-29\"", "proj-0\"", 1);
        let dup_in_head = text.replacen("proj-1\"", "proj-0\"", 1);
        let dup_in_tail = text.replacen("proj-28\"", "proj-29\"", 1);
        let bad_utf8 = |at: usize| {
            let mut b = text.clone().into_bytes();
            b[at] = 0xff;
            b
        };
        let (bad_head, bad_tail) = (bad_utf8(text.find("prompt").unwrap()), bad_utf8(text.rfind("prompt").unwrap()));
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        for (what, bytes) in [
            ("minified", minified.as_bytes()),
            ("jsonc", jsonc.as_bytes()),
            ("truncated", truncated.as_bytes()),
            ("duplicate project", dup_project.as_bytes()),
            ("duplicate project in the first half", dup_in_head.as_bytes()),
            ("duplicate project in the second half", dup_in_tail.as_bytes()),
            ("bad UTF-8 in the first half", &bad_head),
            ("bad UTF-8 in the second half", &bad_tail),
            ("UTF-16", &utf16),
            ("empty", b""),
        ] {
            assert_eq!(read_stream(bytes, bytes.len() as u64, 16), None, "{what}");
        }
    }

    /// A source that misbehaves: reads a byte at a time, fails at a given offset, or reports
    /// another length once read.
    struct Odd<'a> {
        text: &'a [u8],
        fail_at: u64,
        len_after: AtomicU64,
    }

    impl ReadAt for Odd<'_> {
        fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
            if at >= self.fail_at {
                return Err(io::Error::other("disk gone"));
            }
            let one = buf.len().min(1);
            self.text.read_at(&mut buf[..one], at)
        }
        fn len_now(&self) -> io::Result<u64> {
            Ok(self.len_after.load(Ordering::Relaxed))
        }
    }

    #[test]
    fn streaming_copes_with_short_reads_and_gives_up_on_errors_and_changes() {
        let text = claude_json(30);
        let len = text.len() as u64;
        let odd = |fail_at, len_after| Odd { text: text.as_bytes(), fail_at, len_after: AtomicU64::new(len_after) };
        assert_eq!(read_stream(&odd(u64::MAX, len), len, 64), Some(whole(&text)), "a byte at a time");
        assert_eq!(read_stream(&odd(len - 10, len), len, 64), None, "an error near the end");
        assert_eq!(read_stream(&odd(u64::MAX, len + 1), len, 64), None, "grew while read");
        // Shorter than measured: the source ends before the half does.
        assert_eq!(read_stream(&text.as_bytes()[..text.len() - 2], len, 64), None, "shrank while read");
    }
}
