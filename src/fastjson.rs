//! The fast reader for big strict-JSON files (Claude Code's `~/.claude.json` grows to tens of MB).
//!
//! Contract: [`parse`] either returns exactly the [`Document`] that
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
//!   characters in strings, lone surrogate escapes, numbers out of `f64` range, nesting deeper
//!   than serde_json's limit of 128 — each of which the AST reader either accepts (and must
//!   report, e.g. `needs_jsonc`) or rejects with its own error;
//! - the top level is not an object (the AST reader reports that as an error);
//! - a key occurs twice where the AST reader would report it: the next key of a path, any key
//!   of an object walked member by member (`Seg::Any`), any key of a servers object, any key of
//!   a server entry. Duplicates elsewhere are ignored by both readers;
//! - anything else unexpected (an object that is both a servers object and on a longer path,
//!   serde_json's private raw-value marker key inside an entry).
//!
//! Skipped values are walked with a visitor that asks serde_json for every value
//! (`deserialize_any`) rather than with `IgnoredAny`: serde_json's ignoring path accepts lone
//! surrogate escapes and unlimited nesting, both of which the AST reader rejects, so skipping
//! that way could read a file the AST reader calls malformed.

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

/// Reads the servers of a strict-JSON `body` (no BOM) that starts `offset` bytes into its file;
/// `None` when only the AST reader can say what the file holds.
pub fn parse(body: &str, offset: usize, at: ServersAt) -> Option<Document> {
    let paths = at.paths();
    let mut found: Vec<Vec<Found<'_>>> = paths.iter().map(|_| Vec::new()).collect();
    let active: Vec<Active> = paths.iter().enumerate().map(|(path, rest)| Active { path, rest }).collect();
    let mut de = serde_json::Deserializer::from_str(body);
    Node { found: &mut found, active, keys: Vec::new(), root: true }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let mut servers = Vec::new();
    for f in found.into_iter().flatten() {
        if let Some(s) = server(body, offset, f)? {
            servers.push(s);
        }
    }
    Some(Document { bom: false, needs_jsonc: false, servers, duplicates: vec![] })
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
    found: &'a mut Vec<Vec<Found<'de>>>,
    active: Vec<Active>,
    keys: Vec<String>,
    root: bool,
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
        let Node { found, active, keys, .. } = self;
        let ends: Vec<usize> = active.iter().filter(|a| a.rest.is_empty()).map(|a| a.path).collect();
        let walks = active.iter().any(|a| !a.rest.is_empty());
        if !ends.is_empty() && walks {
            return Err(abort("a servers object on a longer path"));
        }
        // Every key matters in a servers object and in an object walked member by member;
        // elsewhere only the keys a path follows.
        let all_keys = !ends.is_empty() || active.iter().any(|a| a.rest.first() == Some(&Seg::Any));
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
                if followed.contains(&k) {
                    return Err(abort("duplicate key"));
                }
                followed.push(k);
            }
            if !ends.is_empty() {
                let raw: &'de RawValue = map.next_value()?;
                for &path in &ends {
                    found[path].push(Found { parent: keys.clone(), name: key.0.clone().into_owned(), raw });
                }
            } else if !children.is_empty() {
                let mut child_keys = keys.clone();
                child_keys.push(key.0.into_owned());
                map.next_value_seed(Node { found: &mut *found, active: children, keys: child_keys, root: false })?;
            } else {
                map.next_value_seed(Skip)?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        if self.root {
            return Err(abort("the top level is not an object"));
        }
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
        if self.root { Err(abort("the top level is not an object")) } else { Ok(()) }
    }
}

/// Skips one value, validating it as strictly as reading it would (see the module doc).
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Skip)
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

/// The members of an entry, each borrowed from the input; `None` on a duplicate key.
struct Members<'de>(Vec<(String, &'de RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out: Vec<(String, &'de RawValue)> = Vec::new();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(abort("duplicate key"));
                    }
                    out.push((k.into_owned(), map.next_value()?));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The string members of an object, in file order, duplicates included (as the AST reader
/// lists `env`).
struct StringPairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for StringPairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringPairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StringPairs, A::Error> {
                let mut out = Vec::new();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    if let Json::String(v) = map.next_value::<Json>()? {
                        out.push((k.into_owned(), v));
                    }
                }
                Ok(StringPairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Where `inner`, a slice of `body`, starts in `body`.
fn position(body: &str, inner: &str) -> usize {
    inner.as_ptr() as usize - body.as_ptr() as usize
}

/// The server a servers-object member describes: `Ok(None)` for a member that is not an object
/// (not a server), `None` when unsure.
fn server(body: &str, offset: usize, f: Found<'_>) -> Option<Option<Server>> {
    let text = f.raw.get();
    if !text.starts_with('{') {
        return Some(None);
    }
    if text.contains(RAW_VALUE_TOKEN) {
        return None;
    }
    let Members(members) = serde_json::from_str(text).ok()?;
    let mut value = serde_json::Map::new();
    let mut command = None;
    let mut env = vec![];
    for (k, raw) in &members {
        let v: Json = serde_json::from_str(raw.get()).ok()?;
        match (k.as_str(), &v) {
            ("command", Json::String(s)) => {
                let start = position(body, raw.get()) + offset;
                command = Some(StrSpan { value: s.clone(), span: start..start + raw.get().len() });
            }
            ("env", Json::Object(_)) => env = serde_json::from_str::<StringPairs>(raw.get()).ok()?.0,
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
        cwd: string("cwd"),
        url: string("url").or_else(|| string("serverUrl")),
        value: Json::Object(value),
        duplicate: false,
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
        let t = r#"{"mcpServers": {"teleport-mcp-demo": {"command": "/usr/local/bin/tsh", "args": ["mcp", "connect", "demo", 1, true, null, {"a": [1.5]}], "env": {"TELEPORT_HOME": "/secret", "N": 1, "A": "x"}, "cwd": "/w", "type": "stdio"}, "remote": {"type": "http", "url": 3, "serverUrl": "https://x"}}}"#;
        let d = agrees(t, MCP);
        assert_eq!(d.servers.len(), 2);
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
        let deep = format!("{{\"x\": {}{}, \"mcpServers\": {{}}}}", "[".repeat(600), "]".repeat(600));
        for t in [
            r#"{"x": "\ud800", "mcpServers": {}}"#,
            r#"{"\udc00": 1, "mcpServers": {}}"#,
            r#"{"mcpServers": {"a": {"x": "\ud800"}}}"#,
            "{\"x\": \"a\nb\", \"mcpServers\": {}}",
            r#"{"x": 1e400, "mcpServers": {}}"#,
            r#"{"x": 01, "mcpServers": {}}"#,
            "{\"mcpServers\": {}}\u{a0}",
            "{\"mcpServers\": {}} x",
            deep.as_str(),
        ] {
            assert_eq!(fast(t, MCP), None, "{t:?}");
        }
    }

    #[test]
    fn raw_value_marker_is_left_to_the_ast_reader() {
        let t = r#"{"mcpServers": {"a": {"x": {"$serde_json::private::RawValue": "1"}}}}"#;
        assert_eq!(fast(t, MCP), None);
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
                3 => string_lit(),
                1 => Just("\"command\"".to_owned()),
                1 => Just("\"args\"".to_owned()),
                1 => Just("\"env\"".to_owned()),
                1 => Just("\"url\"".to_owned()),
                1 => Just("\"serverUrl\"".to_owned()),
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
                    prop_oneof![Just("\"cwd\""), Just("\"url\""), Just("\"serverUrl\""), Just("\"type\"")],
                    prop_oneof![3 => string_lit(), 1 => scalar()]
                )
                    .prop_map(|(k, v)| (k.to_owned(), v)),
                (key(), value()),
            ];
            prop_oneof![8 => obj_of(member, 6), 1 => value()]
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
