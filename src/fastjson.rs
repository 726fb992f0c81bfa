//! The fast reader for big strict-JSON files (Claude Code's `~/.claude.json` grows to tens of MB).
//!
//! Contract: [`parse`] (and [`parse_bytes`]) either returns exactly the [`Document`] that
//! `document::parse_ast(body, offset, at, false)` would return (same servers in the same order,
//! same `parent`, `command` value and span, `args`, `env` in file order, `cwd`, `url`, `value`,
//! no duplicates) or `None` when it cannot be sure of that, and the caller falls back to the
//! AST reader. It never builds a tree of the whole file: serde_json walks the text once, follows
//! only the key paths of [`ServersAt::paths`], skips everything else without keeping it, and
//! borrows each server entry from the input as a [`RawValue`], so byte ranges come from where
//! the borrowed slices sit in `body`.
//!
//! `None` (fall back) whenever:
//! - the text is not strict JSON as serde_json reads it: comments, trailing commas, control
//!   characters in strings, and, in the values it decodes (keys on the walked paths, server
//!   entries), lone surrogate escapes, numbers out of `f64` range and nesting deeper than 128 —
//!   each of which the AST reader either accepts (and must report, e.g. `needs_jsonc`) or
//!   rejects with its own error;
//! - the top level is not an object (the AST reader reports that as an error);
//! - a key occurs twice where the AST reader would report it: the next key of a path, any key
//!   of an object walked member by member (`Seg::Any`), any key of a servers object, any key of
//!   a server entry. Duplicates elsewhere are ignored by both readers;
//! - the layout is not one whose entries this reader knows ([`ServersAt::McpServers`],
//!   `Servers`, `VscodeSettings`, `ClaudeCodeUser`): a layout added later (another entry shape,
//!   another syntax) is read by the AST reader until this one learns it;
//! - anything else unexpected (an object that is both a servers object and on a longer path,
//!   serde_json's private raw-value marker key inside an entry).
//!
//! Skipped values (the bulk of `~/.claude.json`: project history) are skipped with serde_json's
//! `IgnoredAny`, which checks the syntax without decoding strings or numbers. It accepts two
//! things jsonc-parser refuses: lone surrogate escapes (JavaScript writes them; the AST reader
//! masks them and reads such a file too) and nesting deeper than 512 (which `JSON.parse`, and so
//! Claude Code, also accepts). The one difference left: such deep nesting in a skipped value is
//! read here and refused by the AST reader.
//!
//! Big Claude Code files are read in two halves at once, from memory or straight from the
//! file: see `halves`. There the values that hold no servers are skipped by `skip`, which
//! accepts exactly what `IgnoredAny` accepts (tested against serde_json) and is faster.

mod halves;
mod skip;

pub use halves::{Split, WINDOW_BYTES, parse_split, read_stream, split_point};

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use serde_json::value::RawValue;

use crate::clients::{Seg, ServersAt};
use crate::document::{Document, Server, StrSpan};

/// serde_json's marker for a raw value inside a map: in an entry it would make `Value` read
/// the object as something else.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// From this size on, [`parse_bytes`] tries to read a Claude Code file with two threads.
pub const SPLIT_MIN_BYTES: usize = 4 << 20;

/// Reads the servers of a strict-JSON `body` (no BOM) that starts `offset` bytes into its file;
/// `None` when only the AST reader can say what the file holds.
pub fn parse(body: &str, offset: usize, at: ServersAt) -> Option<Document> {
    if !handles(at) {
        return None;
    }
    let mut ctx = Ctx::new(at);
    let mut de = serde_json::Deserializer::from_str(body);
    Node { ctx: &mut ctx, active: start(at), keys: Vec::new(), depth: 0 }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let origin = Origin { addr: body.as_ptr() as usize, at: offset };
    let servers = ctx.found.into_iter().map(|found| servers_of(&origin, found)).collect::<Option<Vec<_>>>()?;
    Some(Document {
        bom: false,
        needs_jsonc: false,
        trailing_commas: false,
        servers: servers.into_iter().flatten().collect(), // moved: `concat` would clone each one
        duplicates: vec![],
        shadowed_env_spans: vec![],
    })
}

/// [`parse`] for bytes not yet known to be UTF-8 (they are checked here: `None` when they are
/// not); big Claude Code files are read with two threads.
pub fn parse_bytes(body: &[u8], offset: usize, at: ServersAt) -> Option<Document> {
    if body.len() >= SPLIT_MIN_BYTES
        && let Some(s) = split_point(body, at)
    {
        match parse_split(body, offset, at, s) {
            Split::Done(doc) => return Some(doc),
            Split::Invalid => return None,
            Split::Missed => {}
        }
    }
    parse(simdutf8::basic::from_utf8(body).ok()?, offset, at)
}

/// The layouts whose entries this reader reads exactly as the AST reader does: `command` a
/// string, `args`, `env`, `cwd`, a remote URL. Any other layout is left to the AST reader.
fn handles(at: ServersAt) -> bool {
    matches!(at, ServersAt::McpServers | ServersAt::Servers | ServersAt::VscodeSettings | ServersAt::ClaudeCodeUser)
}

/// Where Claude Code's servers sit: top-level `mcpServers` (path 0) and
/// `projects.<path>.mcpServers` (path 1).
const CC_TOP: usize = 0;
const CC_PROJECTS: usize = 1;
const CC_PROJECTS_KEY: &str = "projects";
const CC_TOP_KEY: &str = "mcpServers";

/// The paths at the top level.
fn start(at: ServersAt) -> Vec<Active> {
    at.paths().iter().enumerate().map(|(path, rest)| Active { path, rest }).collect()
}

/// A path still being followed: which of `at.paths()`, and the segments left.
#[derive(Clone, Copy)]
struct Active {
    path: usize,
    rest: &'static [Seg],
}

/// A member of a servers object, as borrowed from the input.
struct Found<'de> {
    parent: Vec<String>,
    name: String,
    raw: &'de RawValue,
}

/// What a walk found, and what joining two halves needs to know.
struct Ctx<'de> {
    /// Members of servers objects, per path.
    found: Vec<Vec<Found<'de>>>,
    /// Keys of the top level that a path follows, as met.
    root_followed: Vec<&'static str>,
}

impl Ctx<'_> {
    fn new(at: ServersAt) -> Self {
        Ctx { found: at.paths().iter().map(|_| Vec::new()).collect(), root_followed: Vec::new() }
    }
}

/// An object key, borrowed from the input unless it has escapes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

fn abort<E: de::Error>(why: &str) -> E {
    E::custom(format_args!("fast path: {why}"))
}

/// One object (or other value) on the way to servers objects.
struct Node<'a, 'de> {
    ctx: &'a mut Ctx<'de>,
    active: Vec<Active>,
    keys: Vec<String>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Node { ctx, active, keys, depth } = self;
        let ends: Vec<usize> = active.iter().filter(|a| a.rest.is_empty()).map(|a| a.path).collect();
        let walks = active.iter().any(|a| !a.rest.is_empty());
        if !ends.is_empty() && walks {
            return Err(abort("a servers object on a longer path"));
        }
        let any = active.iter().any(|a| a.rest.first() == Some(&Seg::Any));
        // Every key matters in a servers object and in an object walked member by member;
        // elsewhere only the keys a path follows.
        let all_keys = !ends.is_empty() || any;
        let mut seen: HashSet<Key<'de>> = HashSet::new();
        let mut followed: Vec<&'static str> = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let children: Vec<Active> = active
                .iter()
                .filter_map(|a| match a.rest.split_first() {
                    Some((Seg::Key(k), rest)) if *k == key.0 => Some(Active { path: a.path, rest }),
                    Some((Seg::Any, rest)) => Some(Active { path: a.path, rest }),
                    _ => None,
                })
                .collect();
            if all_keys {
                if !seen.insert(key.clone()) {
                    return Err(abort("duplicate key"));
                }
            } else if let Some(k) = active.iter().find_map(|a| match a.rest.first() {
                Some(Seg::Key(k)) if *k == key.0 => Some(*k),
                _ => None,
            }) {
                let followed = if depth == 0 { &mut ctx.root_followed } else { &mut followed };
                if followed.contains(&k) {
                    return Err(abort("duplicate key"));
                }
                followed.push(k);
            }
            if !ends.is_empty() {
                let raw: &'de RawValue = map.next_value()?;
                for &path in &ends {
                    ctx.found[path].push(Found { parent: keys.clone(), name: key.0.clone().into_owned(), raw });
                }
            } else if !children.is_empty() {
                let mut child_keys = keys.clone();
                child_keys.push(key.0.into_owned());
                let child = Node { ctx: &mut *ctx, active: children, keys: child_keys, depth: depth + 1 };
                map.next_value_seed(child)?;
            } else {
                map.next_value_seed(Skip)?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.scalar()?;
        Skip.visit_seq(seq)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }
}

impl Node<'_, '_> {
    /// A non-object where a path goes: nothing to follow (the AST reader skips it too), except
    /// at the top level, which must be an object.
    fn scalar<E: de::Error>(&self) -> Result<(), E> {
        if self.depth == 0 { Err(abort("the top level is not an object")) } else { Ok(()) }
    }
}

/// The members of servers objects in one value, which lies `SKIP` segments down path `PATH` of
/// Claude Code's layout (used by the second half of a split read).
struct Walked<'de, const PATH: usize, const SKIP: usize>(Vec<Found<'de>>);

impl<'de, const PATH: usize, const SKIP: usize> Deserialize<'de> for Walked<'de, PATH, SKIP> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let at = ServersAt::ClaudeCodeUser;
        let mut ctx = Ctx::new(at);
        let rest = at.paths().get(PATH).and_then(|p| p.get(SKIP..)).ok_or_else(|| abort("no such path"))?;
        Node { ctx: &mut ctx, active: vec![Active { path: PATH, rest }], keys: Vec::new(), depth: SKIP }
            .deserialize(d)?;
        Ok(Walked(ctx.found.swap_remove(PATH)))
    }
}

/// Skips one value, validating it as strictly as reading it would (see the module doc).
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        de::IgnoredAny::deserialize(d).map(|_| ())
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The members of an object in file order, duplicates included, each value borrowed from the
/// input (so its place in the file is known).
struct AllMembers<'de>(Vec<(String, &'de RawValue)>);

impl<'de> Deserialize<'de> for AllMembers<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AllMembers<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AllMembers<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    out.push((k.into_owned(), map.next_value()?));
                }
                Ok(AllMembers(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Where the text serde_json read sits: its address in memory and its offset in the file, to
/// tell where a borrowed slice of it sits in the file.
struct Origin {
    addr: usize,
    at: usize,
}

impl Origin {
    /// Where `inner`, a slice of the text, starts in the file.
    fn position(&self, inner: &str) -> usize {
        inner.as_ptr() as usize - self.addr + self.at
    }
}

/// The server whose entry is `text` (exactly one JSON value, nothing around it), read as
/// [`read_stream`] and [`parse_bytes`] read entries; `text` starts at byte `at` of the file.
/// `None` for what they would not take as a server, or not be sure of.
pub fn entry(text: &str, at: usize, name: String, parent: Vec<String>) -> Option<Server> {
    let raw: &RawValue = serde_json::from_str(text).ok()?;
    if raw.get().len() != text.len() {
        return None;
    }
    server(&Origin { addr: text.as_ptr() as usize, at }, Found { parent, name, raw })?
}

/// The servers of what a walk found; `None` when unsure of one.
fn servers_of(origin: &Origin, found: Vec<Found<'_>>) -> Option<Vec<Server>> {
    let mut servers = Vec::new();
    for f in found {
        servers.extend(server(origin, f)?);
    }
    Some(servers)
}

/// The server a servers-object member describes: `Ok(None)` for a member that is not an object
/// (not a server), `None` when unsure.
fn server(origin: &Origin, f: Found<'_>) -> Option<Option<Server>> {
    let text = f.raw.get();
    if !text.starts_with('{') {
        return Some(None);
    }
    if text.contains(RAW_VALUE_TOKEN) {
        return None;
    }
    let AllMembers(members) = serde_json::from_str(text).ok()?;
    // A key twice in an entry is the AST reader's to report.
    if members.iter().enumerate().any(|(i, (k, _))| members[..i].iter().any(|(seen, _)| seen == k)) {
        return None;
    }
    let mut value = serde_json::Map::new();
    let mut command = None;
    let mut env = vec![];
    let mut env_spans = vec![];
    for (k, raw) in &members {
        let v: Json = serde_json::from_str(raw.get()).ok()?;
        match (k.as_str(), &v) {
            ("command", Json::String(s)) => {
                let start = origin.position(raw.get());
                command = Some(StrSpan { value: s.clone(), span: start..start + raw.get().len() });
            }
            // Every member, duplicates too, as the AST reader lists `env`; string values only.
            ("env" | "headers", Json::Object(_)) => {
                let AllMembers(vars) = serde_json::from_str(raw.get()).ok()?;
                for (name, v) in vars {
                    env_spans.push(origin.position(v.get())..origin.position(v.get()) + v.get().len());
                    if k == "env"
                        && let Json::String(s) = serde_json::from_str(v.get()).ok()?
                    {
                        env.push((name, s));
                    }
                }
            }
            // An `env` (or `headers`) of another form is hidden whole.
            ("env" | "headers", _) => {
                let start = origin.position(raw.get());
                env_spans.push(start..start + raw.get().len());
            }
            _ => {}
        }
        value.insert(k.clone(), v);
    }
    let string = |k: &str| value.get(k).and_then(Json::as_str).map(str::to_owned);
    let args = match value.get("args") {
        Some(Json::Array(a)) => a
            .iter()
            .map(|v| match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        _ => vec![],
    };
    Some(Some(Server {
        name: f.name,
        parent: f.parent,
        command,
        args,
        env,
        env_spans,
        cwd: string("cwd"),
        url: crate::document::remote_url(string),
        value: Json::Object(value),
        duplicate: false,
        entry: Some(origin.position(text)..origin.position(text) + text.len()),
        command_keys: crate::document::COMMAND,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_ast;

    /// What the fast path gives, checked against the AST reader whenever it gives something.
    fn fast(text: &str, at: ServersAt) -> Option<Document> {
        let got = parse(text, 0, at);
        if let Some(d) = &got {
            assert_eq!(Some(d), parse_ast(text, 0, at, false).ok().as_ref(), "fast path disagrees on {text:?}");
        }
        got
    }

    fn agrees(text: &str, at: ServersAt) -> Document {
        let d = fast(text, at).unwrap_or_else(|| panic!("fast path gave up on {text:?}"));
        for s in &d.servers {
            if let Some(c) = &s.command {
                let literal: String = serde_json::from_str(&text[c.span.clone()]).unwrap();
                assert_eq!(literal, c.value, "the span covers the literal");
            }
        }
        d
    }

    const MCP: ServersAt = ServersAt::McpServers;
    const CC: ServersAt = ServersAt::ClaudeCodeUser;

    #[test]
    fn plain() {
        let t = r#"{"mcpServers": {"teleport-mcp-demo": {"command": "/usr/local/bin/tsh", "args": ["mcp", "connect", "demo", 1, true, null, {"a": [1.5]}], "env": {"TELEPORT_HOME": "/secret", "N": 1, "A": "x"}, "cwd": "/w", "type": "stdio"}, "remote": {"type": "http", "url": 3, "serverUrl": "https://x"}, "gemini": {"httpUrl": "https://g"}}}"#;
        let d = agrees(t, MCP);
        assert_eq!(d.servers.len(), 3);
        assert!(d.servers[2].is_remote());
        assert_eq!(d.servers[0].env, [("TELEPORT_HOME".into(), "/secret".into()), ("A".into(), "x".into())]);
        assert_eq!(d.servers[1].url.as_deref(), Some("https://x"));
    }

    #[test]
    fn offset_shifts_spans() {
        let t = r#"{"mcpServers": {"a": {"command": "/bin/tsh"}}}"#;
        let d = parse(t, 3, MCP).unwrap();
        assert_eq!(d, parse_ast(t, 3, MCP, false).unwrap());
        assert_eq!(d.servers[0].command.as_ref().unwrap().span, 36..46);
    }

    #[test]
    fn escapes_in_keys_and_in_the_command() {
        let t = r#"{"mcp\u0053ervers": {"te\"st\\": {"comm\u0061nd": "/h\u00e9\/t\"s\\h\n\t\b\f\r", "e\u006ev": {"K\u00e9": "v\"", "K\u00e9": "w"}}}}"#;
        let d = agrees(t, MCP);
        assert_eq!(d.servers[0].name, "te\"st\\");
        assert_eq!(d.servers[0].command.as_ref().unwrap().value, "/hé/t\"s\\h\n\t\u{8}\u{c}\r");
        assert_eq!(d.servers[0].env.len(), 2, "env lists duplicates as the AST reader does");
    }

    #[test]
    fn unicode_and_surrogate_pairs() {
        let t = "{\"mcpServers\": {\"日本\": {\"command\": \"/srv/caf\u{e9}/\\ud83d\\ude80/tsh\", \"args\": [\"\u{1f680}\"]}}}";
        let d = agrees(t, MCP);
        assert_eq!(d.servers[0].command.as_ref().unwrap().value, "/srv/café/\u{1f680}/tsh");
    }

    #[test]
    fn windows_paths() {
        let t = r#"{"mcpServers": {"a": {"command": "C:\\Program Files\\Teleport\\tsh.exe", "args": ["mcp"]}}}"#;
        assert_eq!(agrees(t, MCP).servers[0].command.as_ref().unwrap().value, r"C:\Program Files\Teleport\tsh.exe");
    }

    #[test]
    fn nested_projects() {
        let t = r#"{"numStartups": 3, "projects": {"/src/a": {"history": [{"display": "x", "pastedContents": {}}], "mcpServers": {"x": {"command": "/x"}, "y": {"command": "/y"}}}, "/src/b": {"allowedTools": []}, "/src/c": 5, "/src/d": {"mcpServers": []}, "/src/e": {"mcpServers": {"z": {"url": "https://z"}}}}, "mcpServers": {"g": {"command": "/g"}}}"#;
        let d = agrees(t, CC);
        let labels: Vec<String> = d.servers.iter().map(Server::label).collect();
        assert_eq!(labels, ["g", "x (project /src/a)", "y (project /src/a)", "z (project /src/e)"]);
    }

    #[test]
    fn vscode_settings_both_paths() {
        let t = r#"{"mcp.servers": {"b": {"command": "/b"}}, "editor.fontSize": 12, "mcp": {"servers": {"a": {"command": "tsh"}}}}"#;
        let d = agrees(t, ServersAt::VscodeSettings);
        assert_eq!(d.servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn non_object_entries_are_not_servers() {
        let t = r#"{"mcpServers": {"a": "tsh", "b": [1], "c": null, "d": {"command": 5}, "e": {}}}"#;
        let d = agrees(t, MCP);
        assert_eq!(d.servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["d", "e"]);
        assert!(d.servers[0].command.is_none());
    }

    #[test]
    fn servers_object_not_an_object() {
        for t in [
            r#"{"mcpServers": []}"#,
            r#"{"mcpServers": "x"}"#,
            r#"{"mcpServers": null}"#,
            r#"{"projects": [{"mcpServers": {}}]}"#,
        ] {
            assert!(agrees(t, CC).servers.is_empty(), "{t}");
        }
    }

    #[test]
    fn empty_object() {
        assert!(agrees("{}", CC).servers.is_empty());
        assert!(agrees(" \r\n{ }\n", MCP).servers.is_empty());
    }

    #[test]
    fn not_an_object_at_the_top() {
        for t in ["[]", "[{\"mcpServers\": {}}]", "1", "\"x\"", "null", "true"] {
            assert_eq!(fast(t, MCP), None, "{t}");
        }
    }

    #[test]
    fn jsonc_is_left_to_the_ast_reader() {
        for t in [
            "// c\n{\"mcpServers\": {}}",
            "{\"mcpServers\": {/* c */}}",
            "{\"mcpServers\": {\"a\": {\"command\": \"x\",}}}",
            "{\"mcpServers\": {},}",
            "{\"x\": [1,], \"mcpServers\": {}}",
        ] {
            assert_eq!(fast(t, MCP), None, "{t}");
        }
    }

    #[test]
    fn duplicates_on_the_paths_are_left_to_the_ast_reader() {
        for t in [
            r#"{"mcpServers": {}, "mcpServers": {}}"#,
            r#"{"mcpServers": {"a": {}, "a": {}}}"#,
            r#"{"mcpServers": {"a": {"command": "/x", "command": "/y"}}}"#,
            r#"{"mcpServers": {"a": {"env": {}, "env": {}}}}"#,
            r#"{"projects": {"/p": {}, "/p": {}}}"#,
            r#"{"projects": {}, "projects": {}}"#,
            r#"{"projects": {"/p": {"mcpServers": {}, "mcpServers": {}}}}"#,
        ] {
            assert_eq!(fast(t, CC), None, "{t}");
        }
    }

    #[test]
    fn duplicates_elsewhere_do_not_matter() {
        let t = r#"{"theme": 1, "theme": 2, "projects": {"/p": {"history": [], "history": [{"a": 1, "a": 2}], "mcpServers": {"s": {"command": "/s", "args": [{"k": 1, "k": 2}]}}}}}"#;
        let d = agrees(t, CC);
        assert_eq!(d.servers[0].args, [r#"{"k":2}"#]);
    }

    #[test]
    fn what_the_ast_reader_rejects_is_never_read_here() {
        for t in [
            "{\"x\": \"a\nb\", \"mcpServers\": {}}",
            r#"{"x": 01, "mcpServers": {}}"#,
            "{\"mcpServers\": {}}\u{a0}",
            "{\"mcpServers\": {}} x",
        ] {
            assert_eq!(fast(t, MCP), None, "{t:?}");
        }
    }

    #[test]
    fn lone_surrogates_are_read_as_the_clients_read_them() {
        // JavaScript writes an unpaired surrogate as an escape, and reads it back; so do both
        // readers (the AST reader by masking it), whether it sits in a skipped value, a key on a
        // walked path, or a server entry.
        for t in [
            r#"{"x": "\ud800", "mcpServers": {}}"#,
            r#"{"\udc00": 1, "mcpServers": {}}"#,
            r#"{"projects": {"/p\ud83d": {"mcpServers": {"a": {"command": "/a"}}}}}"#,
            r#"{"mcpServers": {"a": {"x": "\ud800", "command": "/a"}}}"#,
        ] {
            let want = parse_ast(t, 0, CC, false).unwrap();
            if let Some(got) = parse(t, 0, CC) {
                assert_eq!(got, want, "{t:?}");
            }
        }
        // In a skipped value the fast path reads it itself.
        assert!(fast(r#"{"history": ["cut \ud83d"], "mcpServers": {"a": {"command": "/a"}}}"#, MCP).is_some());
    }

    #[test]
    fn deep_nesting_in_a_skipped_value_is_read_as_node_reads_it() {
        // serde_json's skipping has no depth limit and neither has JSON.parse; the AST reader
        // stops at 512, so here the fast path alone reads the file, finding the same servers.
        let deep = format!(
            "{{\"x\": {}{}, \"mcpServers\": {{\"a\": {{\"command\": \"/a\"}}}}}}",
            "[".repeat(600),
            "]".repeat(600)
        );
        let d = parse(&deep, 0, MCP).expect("read");
        assert_eq!(d.servers.len(), 1);
        assert!(parse_ast(&deep, 0, MCP, false).is_err());
    }

    #[test]
    fn raw_value_marker_is_left_to_the_ast_reader() {
        let t = r#"{"mcpServers": {"a": {"x": {"$serde_json::private::RawValue": "1"}}}}"#;
        assert_eq!(fast(t, MCP), None);
    }

    #[test]
    fn claude_code_layout_is_what_the_split_read_assumes() {
        use Seg::*;
        let paths = CC.paths();
        assert_eq!(paths[CC_TOP], [Key(CC_TOP_KEY)]);
        assert_eq!(paths[CC_PROJECTS], [Key(CC_PROJECTS_KEY), Any, Key(CC_TOP_KEY)]);
        assert_eq!(paths.len(), 2);
    }

    /// Reads `text` split at every position; checks each result against the AST reader and
    /// returns how many splits held.
    fn split_everywhere(text: &str) -> usize {
        let expected = parse_ast(text, 3, CC, false).ok();
        let whole = parse(text, 3, CC);
        if let Some(w) = &whole {
            assert_eq!(Some(w), expected.as_ref());
        }
        let mut done = 0;
        for s in 0..=text.len() {
            let split = parse_split(text.as_bytes(), 3, CC, s);
            if halves::at_member_line(text.as_bytes(), s) || halves::after_object(text.as_bytes(), s) {
                for window in [1, 2, 7, 64, 1 << 20] {
                    assert_eq!(streamed(text, 3, s, window), split, "split at {s}, window {window}: {text:?}");
                }
            }
            match split {
                Split::Done(d) => {
                    assert_eq!(Some(&d), whole.as_ref(), "split at {s} of {text:?}");
                    done += 1;
                }
                Split::Invalid => assert_eq!(whole, None, "split at {s} called {text:?} invalid"),
                Split::Missed => {}
            }
        }
        done
    }

    /// [`parse_split`] of `text` (which starts `offset` bytes into its file), read from a file
    /// through windows of `window` bytes.
    pub(super) fn streamed(text: &str, offset: usize, s: usize, window: usize) -> Split {
        let file = format!("{}{text}", " ".repeat(offset));
        let (offset, s, len) = (offset as u64, (offset + s) as u64, file.len() as u64);
        halves::stream_split(file.as_bytes(), offset, s, len, window)
    }

    /// A Claude Code file as Claude Code writes it (two-space indentation).
    fn pretty(top: &[(&str, Json)]) -> String {
        let mut m = serde_json::Map::new();
        for (k, v) in top {
            m.insert((*k).to_owned(), v.clone());
        }
        serde_json::to_string_pretty(&Json::Object(m)).unwrap()
    }

    fn project(i: usize, servers: Json) -> Json {
        serde_json::json!({
            "allowedTools": ["Edit"],
            "history": [{"display": format!("prompt {i}\n\"quoted\" é 🚀 \\ {{[,\n    \"/x\": {{"), "pastedContents": {}}],
            "mcpServers": servers,
            "lastCost": 0.25,
        })
    }

    fn projects(n: usize) -> Json {
        let mut m = serde_json::Map::new();
        for i in 0..n {
            let servers = match i % 3 {
                0 => serde_json::json!({}),
                1 => {
                    serde_json::json!({format!("teleport-mcp-{i}"): {"command": format!("/home/u/.tsh/bin/{i}-update-pkg-v2/tsh"), "args": ["mcp", "connect", "x"], "env": {"K": "v"}}})
                }
                _ => serde_json::json!({"a": {"command": "C:\\tsh.exe"}, "r": {"url": "https://r"}, "n": 5}),
            };
            m.insert(format!("/home/u/src/proj-{i}"), project(i, servers));
        }
        Json::Object(m)
    }

    #[test]
    fn split_reads_agree_wherever_they_split() {
        let top = serde_json::json!({"g": {"command": "/usr/bin/tsh", "args": ["mcp", "connect", "g"]}});
        let cases = [
            pretty(&[
                ("numStartups", Json::from(3)),
                ("mcpServers", top.clone()),
                ("projects", projects(5)),
                ("userID", Json::from("x")),
            ]),
            pretty(&[
                ("projects", projects(4)),
                ("tipsHistory", serde_json::json!({"a": 1})),
                ("mcpServers", top.clone()),
            ]),
            pretty(&[("projects", projects(4))]),
            pretty(&[("mcpServers", top.clone()), ("projects", projects(3)), ("mcpServers2", top.clone())]),
        ];
        for text in &cases {
            let members = text.matches("\n    \"/home/u/src/proj-").count();
            // Every member of `projects` but the first is a place to split, laid out as Claude
            // Code writes it or minified.
            assert_eq!(split_everywhere(text), members - 1, "{text}");
            assert_eq!(split_everywhere(&minify(text)), members - 1, "{text}");
        }
    }

    fn minify(text: &str) -> String {
        serde_json::to_string(&serde_json::from_str::<Json>(text).unwrap()).unwrap()
    }

    #[test]
    fn split_reads_see_duplicates_and_damage_across_the_halves() {
        let p = pretty(&[("projects", projects(3))]);
        let dup_project = p.replacen("proj-2", "proj-0", 1);
        let top = r#""mcpServers": {"g": {"command": "/g"}}"#;
        let dup_top = format!("{{\n  {top},\n{}, {top}\n}}", &p[2..p.len() - 2]);
        let dup_projects = format!("{}, \"projects\": {{}}\n}}", &p[..p.len() - 2]);
        let truncated = p[..p.len() - 1].to_owned();
        let trailing = format!("{p} x");
        let trailing_comma = format!("{},\n}}", &p[..p.len() - 2]);
        let bad_utf8_tail = {
            let mut b = p.clone().into_bytes();
            let at = p.rfind("prompt").unwrap();
            b[at] = 0xff;
            b
        };
        for text in [&dup_project, &dup_top, &dup_projects, &truncated, &trailing, &trailing_comma] {
            assert_eq!(parse(text, 0, CC), None, "{text}");
            assert_eq!(split_everywhere(text), 0, "{text}");
            let s = text.rfind("\n    \"/home").map(|i| i + 5);
            if let Some(s) = s {
                assert_eq!(parse_split(text.as_bytes(), 0, CC, s), Split::Invalid, "{text}");
            }
        }
        let s = p.rfind("\n    \"/home").unwrap() + 5;
        assert_eq!(parse_split(&bad_utf8_tail, 0, CC, s), Split::Invalid);
        assert_eq!(parse_bytes(&bad_utf8_tail, 0, CC), None);
    }

    #[test]
    fn split_point_is_a_member_of_projects_after_the_middle() {
        let text = pretty(&[("numStartups", Json::from(3)), ("projects", projects(40)), ("userID", Json::from("x"))]);
        let s = split_point(text.as_bytes(), CC).unwrap();
        assert!(s >= text.len() / 2 && text[s..].starts_with("\"/home/u/src/proj-"), "{}", &text[s..s + 20]);
        assert!(matches!(parse_split(text.as_bytes(), 0, CC, s), Split::Done(_)));
        // Minified: after `},`, at a key that looks like a path (the keys inside a project's
        // value do not), which the drive letter of a Windows path does too.
        for (from, to) in [("\"/home/u/src/", "\"/home/u/src/"), ("\"/home/u/src/", "\"C:\\\\src\\\\")] {
            let minified = minify(&text).replace(from, to);
            let s = split_point(minified.as_bytes(), CC).unwrap();
            assert!(s >= minified.len() / 2 && minified[s - 2..].starts_with(&format!("}},{to}proj-")), "{minified}");
            assert!(matches!(parse_split(minified.as_bytes(), 0, CC, s), Split::Done(_)));
        }
        assert_eq!(split_point(text.as_bytes(), MCP), None);
        let tabs: String = text
            .lines()
            .map(|l| {
                let body = l.trim_start_matches(' ');
                format!("{}{body}\n", "\t".repeat((l.len() - body.len()) / 2))
            })
            .collect();
        let s = split_point(tabs.as_bytes(), CC).unwrap();
        assert!(matches!(parse_split(tabs.as_bytes(), 0, CC, s), Split::Done(_)));
    }

    #[test]
    fn parse_bytes_splits_big_files_and_agrees() {
        let mut n = 40;
        let text = loop {
            let t = pretty(&[
                ("numStartups", Json::from(3)),
                ("projects", projects(n)),
                ("mcpServers", Json::Object(Default::default())),
            ]);
            if t.len() >= SPLIT_MIN_BYTES {
                break t;
            }
            n *= 2;
        };
        let s = split_point(text.as_bytes(), CC).unwrap();
        let Split::Done(split) = parse_split(text.as_bytes(), 3, CC, s) else { panic!("split missed") };
        assert_eq!(Some(&split), parse_bytes(text.as_bytes(), 3, CC).as_ref());
        assert_eq!(split, parse_ast(&text, 3, CC, false).unwrap());
        assert_eq!(split.servers.len(), n / 3 * 2 + (n % 3 == 2) as usize * 2 + (n / 3));
    }

    #[test]
    fn document_parse_takes_the_fast_path_for_big_files_only_when_it_agrees() {
        use crate::document::{FAST_PATH_MIN_BYTES, parse as read};
        let mut text =
            pretty(&[("projects", projects(3)), ("mcpServers", serde_json::json!({"g": {"command": "/g"}}))]);
        let pad = format!(",\n  \"cachedChangelog\": \"{}\"\n}}", "x".repeat(FAST_PATH_MIN_BYTES));
        text.truncate(text.len() - 2);
        text.push_str(&pad);
        assert!(text.len() > FAST_PATH_MIN_BYTES);
        let expected = parse_ast(&text, 0, CC, false).unwrap();
        assert_eq!(read(text.as_bytes(), CC).unwrap(), expected);
        assert_eq!(parse_bytes(text.as_bytes(), 0, CC), Some(expected));

        // A BOM is kept and counted in spans.
        let bom = format!("\u{feff}{text}");
        let d = read(bom.as_bytes(), CC).unwrap();
        assert!(d.bom);
        assert_eq!(d, Document { bom: true, ..parse_ast(&bom[3..], 3, CC, false).unwrap() });
        let c = d.servers.iter().find_map(|s| s.command.clone()).unwrap();
        assert_eq!(serde_json::from_str::<String>(&bom[c.span.clone()]).unwrap(), c.value);

        // JSONC, duplicates, damage: the AST reader answers.
        let jsonc = text.replacen("{\n", "{ // note\n", 1);
        assert!(read(jsonc.as_bytes(), CC).unwrap().needs_jsonc);
        let dup = text.replacen("\"g\": {", "\"g\": {}, \"g\": {", 1);
        assert_eq!(read(dup.as_bytes(), CC).unwrap().duplicates.len(), 1);
        assert!(read(&text.as_bytes()[..text.len() - 1], CC).is_err());
        let mut bad = text.clone().into_bytes();
        let at = bad.len() - 10;
        bad[at] = 0xff;
        assert!(read(&bad, CC).unwrap_err().message.contains("UTF-8"));
    }

    mod prop {
        use proptest::prelude::*;

        use super::super::parse;
        use crate::clients::ServersAt;
        use crate::document::parse_ast;

        /// Whitespace JSON allows between tokens.
        fn ws() -> impl Strategy<Value = String> {
            proptest::collection::vec(prop_oneof![Just(" "), Just("\n"), Just("\t"), Just("\r\n"), Just("  ")], 0..3)
                .prop_map(|v| v.concat())
        }

        /// A string's characters, some of them escaped in various ways.
        fn string_lit() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                4 => "[a-z/._-]{1,6}".prop_map(|s| s),
                1 => Just("\\\\".to_owned()),
                1 => Just("\\\"".to_owned()),
                1 => Just("\\/".to_owned()),
                1 => Just("\\n\\t\\r\\b\\f".to_owned()),
                1 => Just("\\u00e9".to_owned()),
                1 => Just("\\u0000".to_owned()),
                1 => Just("\\ud83d\\ude80".to_owned()),
                1 => Just("é日本🚀".to_owned()),
                1 => any::<char>().prop_filter("no raw controls or quotes", |c| *c >= ' ' && *c != '"' && *c != '\\').prop_map(String::from),
                1 => Just("C:\\\\Program Files\\\\tsh.exe".to_owned()),
            ];
            proptest::collection::vec(piece, 0..4).prop_map(|v| format!("\"{}\"", v.concat()))
        }

        fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                8 => string_lit(),
                1 => Just("\"command\"".to_owned()),
                1 => Just("\"args\"".to_owned()),
                1 => Just("\"env\"".to_owned()),
                1 => Just("\"url\"".to_owned()),
                1 => Just("\"serverUrl\"".to_owned()),
                1 => Just("\"httpUrl\"".to_owned()),
                1 => Just("\"cwd\"".to_owned()),
                1 => Just("\"mcpServers\"".to_owned()),
                1 => Just("\"projects\"".to_owned()),
            ]
        }

        fn scalar() -> impl Strategy<Value = String> {
            prop_oneof![
                string_lit(),
                Just("true".to_owned()),
                Just("false".to_owned()),
                Just("null".to_owned()),
                Just("0".to_owned()),
                Just("-12.5e3".to_owned()),
                Just("1E+2".to_owned()),
                Just("-0".to_owned()),
                Just("12345678901234567890123".to_owned()),
                any::<i64>().prop_map(|n| n.to_string()),
                any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:?}")),
            ]
        }

        fn object(members: Vec<(String, String)>, w: Vec<String>) -> String {
            let mut s = String::from("{");
            for (i, (k, v)) in members.iter().enumerate() {
                let w = |j: usize| w.get((i * 4 + j) % w.len().max(1)).cloned().unwrap_or_default();
                if i > 0 {
                    s.push(',');
                }
                s.push_str(&format!("{}{}{}:{}{}", w(0), k, w(1), w(2), v));
                s.push_str(&w(3));
            }
            s.push('}');
            s
        }

        fn obj_of(member: impl Strategy<Value = (String, String)>, n: usize) -> impl Strategy<Value = String> {
            (proptest::collection::vec(member, 0..n), proptest::collection::vec(ws(), 1..8))
                .prop_map(|(m, w)| object(m, w))
        }

        /// Any JSON value (small).
        fn value() -> impl Strategy<Value = String> {
            scalar().prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    (proptest::collection::vec(inner.clone(), 0..4), ws())
                        .prop_map(|(v, w)| format!("[{w}{}]", v.join(&format!(",{w}")))),
                    obj_of((key(), inner), 4),
                ]
            })
        }

        /// A server entry, or now and then something that is not one.
        fn entry() -> impl Strategy<Value = String> {
            let member = prop_oneof![
                ("\"command\"", prop_oneof![3 => string_lit(), 1 => value()]).prop_map(|(k, v)| (k.to_owned(), v)),
                ("\"args\"", (proptest::collection::vec(prop_oneof![3 => string_lit(), 1 => value()], 0..4), ws()))
                    .prop_map(|(k, (v, w))| (k.to_owned(), format!("[{w}{}]", v.join(",")))),
                ("\"env\"", obj_of((key(), prop_oneof![3 => string_lit(), 1 => value()]), 4))
                    .prop_map(|(k, v)| (k.to_owned(), v)),
                (
                    prop_oneof![
                        Just("\"cwd\""),
                        Just("\"url\""),
                        Just("\"serverUrl\""),
                        Just("\"httpUrl\""),
                        Just("\"type\"")
                    ],
                    prop_oneof![3 => string_lit(), 1 => scalar()]
                )
                    .prop_map(|(k, v)| (k.to_owned(), v)),
                (key(), value()),
            ];
            prop_oneof![8 => obj_of(member, 5), 1 => value()]
        }

        fn servers_obj() -> impl Strategy<Value = String> {
            prop_oneof![8 => obj_of((string_lit(), entry()), 4), 1 => value()]
        }

        fn project() -> impl Strategy<Value = String> {
            let member = prop_oneof![
                2 => servers_obj().prop_map(|v| ("\"mcpServers\"".to_owned(), v)),
                1 => (key(), value()),
                1 => Just(("\"history\"".to_owned(), "[{\"display\": \"hi\\n\", \"pastedContents\": {}}]".to_owned())),
            ];
            prop_oneof![8 => obj_of(member, 4), 1 => value()]
        }

        fn document() -> impl Strategy<Value = String> {
            let member = prop_oneof![
                2 => servers_obj().prop_map(|v| ("\"mcpServers\"".to_owned(), v)),
                2 => obj_of((string_lit(), project()), 4).prop_map(|v| ("\"projects\"".to_owned(), v)),
                1 => servers_obj().prop_map(|v| ("\"servers\"".to_owned(), v)),
                1 => servers_obj().prop_map(|v| ("\"mcp.servers\"".to_owned(), v)),
                1 => obj_of(servers_obj().prop_map(|v| ("\"servers\"".to_owned(), v)), 2).prop_map(|v| ("\"mcp\"".to_owned(), v)),
                2 => (key(), value()),
            ];
            (ws(), obj_of(member, 6), ws()).prop_map(|(a, o, b)| format!("{a}{o}{b}"))
        }

        /// A Claude Code file with line breaks between the members of `projects`, so that
        /// reading it in two halves can split there.
        fn claude_code_document() -> impl Strategy<Value = String> {
            // Mostly without duplicate keys (the other property covers those).
            // Keys the skipper must leave to serde_json: escaped (one spells `mcpServers`), and
            // `mcpServers` a second time; a lone surrogate, which both skips accept.
            let other_key = prop_oneof![
                12 => "\"[a-z]{1,3}\"",
                1 => Just("\"mcp\\u0053ervers\"".to_owned()),
                1 => Just("\"a\\u00e9\"".to_owned()),
                1 => Just("\"mcpServers\"".to_owned()),
            ];
            let other_value = prop_oneof![12 => value(), 1 => Just("[\"\\udc00\", {\"x\": \"\\ud800\"}]".to_owned())];
            let project =
                (proptest::collection::vec((other_key, other_value), 0..2), proptest::option::of(servers_obj()), ws())
                    .prop_map(|(others, servers, w)| {
                        let mut ms: Vec<String> = others.iter().map(|(k, v)| format!("{w}{k}: {v}")).collect();
                        ms.extend(servers.map(|v| format!("{w}\"mcpServers\": {v}")));
                        ms.push(format!("{w}\"history\": [{{\"display\": \"a\\n    \\\"/x\\\": {{\"}}]"));
                        format!("{{{}}}", ms.join(","))
                    });
            let project = prop_oneof![6 => project, 1 => value()];
            let projects = proptest::collection::vec((string_lit(), project, ws()), 1..6).prop_map(|ps| {
                let members: Vec<String> =
                    ps.iter().enumerate().map(|(i, (k, v, w))| format!("\n{w}\"/p{i}{}: {v}", &k[1..])).collect();
                format!("{{{}\n}}", members.join(","))
            });
            let top = || proptest::option::of(servers_obj().prop_map(|v| ("\"mcpServers\"".to_owned(), v)));
            let others = || proptest::collection::vec(("\"[a-z]{1,3}\"", value()), 0..2);
            (others(), top(), projects, top(), others(), ws()).prop_map(|(a, before, projects, after, b, w)| {
                let mut ms: Vec<(String, String)> = a;
                ms.extend(before);
                ms.push(("\"projects\"".to_owned(), projects));
                ms.extend(after);
                ms.extend(b);
                let ms: Vec<String> = ms.iter().map(|(k, v)| format!("\n  {k}: {v}")).collect();
                format!("{{{}\n}}{w}", ms.join(","))
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]

            #[test]
            fn split_reads_agree_with_the_ast_reader(text in claude_code_document(), window in 1usize..40) {
                let at = ServersAt::ClaudeCodeUser;
                let ast = parse_ast(&text, 1, at, false).ok();
                let whole = parse(&text, 1, at);
                if let Some(w) = &whole {
                    prop_assert_eq!(Some(w), ast.as_ref());
                }
                for s in (0..=text.len()).filter(|&s| super::super::halves::at_member_line(text.as_bytes(), s)) {
                    let split = super::super::parse_split(text.as_bytes(), 1, at, s);
                    prop_assert_eq!(&super::streamed(&text, 1, s, window), &split, "split at {}, window {}", s, window);
                    match split {
                        super::super::Split::Done(d) => prop_assert_eq!(Some(&d), whole.as_ref(), "split at {}", s),
                        super::super::Split::Invalid => prop_assert!(whole.is_none(), "split at {} invalid", s),
                        super::super::Split::Missed => {}
                    }
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn fast_path_agrees_with_the_ast_reader(text in document(), offset in 0usize..4) {
                for at in [ServersAt::McpServers, ServersAt::Servers, ServersAt::VscodeSettings, ServersAt::ClaudeCodeUser] {
                    let ast = parse_ast(&text, offset, at, false);
                    match parse(&text, offset, at) {
                        Some(fast) => prop_assert_eq!(Ok(fast), ast, "{}", text),
                        // Giving up is allowed only where the AST reader sees a duplicate key
                        // on a path (or rejects the text).
                        None => prop_assert!(
                            ast.as_ref().map_or(true, |d| !d.duplicates.is_empty() || d.servers.iter().any(|s| s.duplicate)),
                            "fast path gave up on {}", text
                        ),
                    }
                }
            }
        }
    }
}
