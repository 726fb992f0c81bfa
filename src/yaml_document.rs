//! The YAML document layer (Goose's `config.yaml`, Continue's `config.yaml` and its
//! `mcpServers/*.yaml` blocks): bytes in, the same [`Document`] of servers as the JSON layer out,
//! each command with the byte range of its scalar in the original file.
//!
//! saphyr-parser gives every event its span, so a repair replaces exactly the bytes of one scalar
//! (in the old scalar's style where it can hold the new path, else double-quoted, which YAML
//! reads as it reads a JSON string: [`literal_like`]) and every comment,
//! blank line, key order and flow or block style stays as it was. A duplicate key on the way to a
//! server marks it `duplicate`, as in JSON: it is never edited.

use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::Value as Json;

use crate::clients::{Seg, ServersAt};
use crate::document::{Document, ParseError, Server, StrSpan, line_col, remote_url};

/// A node of the document, with the byte range of each scalar.
#[derive(Debug)]
enum Node {
    Scalar {
        value: String,
        quoted: bool,
        span: Range<usize>,
    },
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
    /// An alias (`*name`): its value is not followed.
    Alias,
}

/// Reads the servers of a YAML file. `body` has no BOM; `offset` is where it starts in the file.
pub fn parse(body: &str, offset: usize, at: ServersAt, bom: bool) -> Result<Document, ParseError> {
    // saphyr counts characters; edits work on bytes.
    let bytes_at: Vec<usize> = body.char_indices().map(|(i, _)| i).chain([body.len()]).collect();
    let byte = |char_index: usize| bytes_at.get(char_index).copied().unwrap_or(body.len());
    let mut events = Vec::new();
    for e in Parser::new_from_str(body) {
        match e {
            Ok((ev, span)) => events.push((ev, byte(span.start.index())..byte(span.end.index()))),
            Err(e) => {
                let (line, column) = line_col(body, byte(e.marker().index()));
                return Err(ParseError { message: e.info().to_owned(), line, column });
            }
        }
    }
    let mut it = events.into_iter().peekable();
    let mut root = None;
    while let Some((ev, _)) = it.next() {
        if matches!(ev, Event::DocumentStart(_)) {
            // The first document is the config; a second one is not read by the clients either.
            root = Some(node(&mut it));
            break;
        }
    }
    let mut servers = Vec::new();
    let mut duplicates = Vec::new();
    if let Some(root) = &root {
        for path in at.paths() {
            walk(root, path, &mut Vec::new(), offset, body, at, &mut servers, &mut duplicates);
        }
    }
    // Secrets by where they are: every `env`/`envs`/`headers` value, a hidden duplicate's too.
    let mut secrets: Vec<Range<usize>> = root.as_ref().map(secret_spans).unwrap_or_default();
    secrets.iter_mut().for_each(|r| *r = r.start + offset..r.end + offset);
    Ok(Document { bom, needs_jsonc: false, trailing_commas: false, servers, duplicates, shadowed_env_spans: secrets })
}

fn node<'a>(it: &mut std::iter::Peekable<impl Iterator<Item = (Event<'a>, Range<usize>)>>) -> Node {
    match it.next() {
        Some((Event::Scalar(v, style, ..), span)) => {
            Node::Scalar { value: v.into_owned(), quoted: style != ScalarStyle::Plain, span }
        }
        Some((Event::MappingStart(..), _)) => {
            let mut members = Vec::new();
            while !matches!(it.peek(), Some((Event::MappingEnd, _)) | None) {
                let key = match node(it) {
                    Node::Scalar { value, .. } => value,
                    _ => String::new(),
                };
                members.push((key, node(it)));
            }
            it.next();
            Node::Map(members)
        }
        Some((Event::SequenceStart(..), _)) => {
            let mut items = Vec::new();
            while !matches!(it.peek(), Some((Event::SequenceEnd, _)) | None) {
                items.push(node(it));
            }
            it.next();
            Node::Seq(items)
        }
        _ => Node::Alias,
    }
}

/// The value of the last member named `key` (YAML forbids repeats; the clients' parsers differ).
fn get<'n>(members: &'n [(String, Node)], key: &str) -> Option<&'n Node> {
    members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn has_duplicates(members: &[(String, Node)]) -> bool {
    members.iter().enumerate().any(|(i, (k, _))| members[..i].iter().any(|(q, _)| q == k))
}

#[allow(clippy::too_many_arguments)]
fn walk(
    n: &Node,
    path: &[Seg],
    keys: &mut Vec<String>,
    offset: usize,
    body: &str,
    at: ServersAt,
    out: &mut Vec<Server>,
    dups: &mut Vec<crate::document::Duplicate>,
) {
    let Node::Map(members) = n else {
        if path.is_empty() {
            collect(n, keys, offset, at, out);
        }
        return;
    };
    if has_duplicates(members) {
        note_duplicates(members, keys, body, dups);
    }
    match path.split_first() {
        None => collect(n, keys, offset, at, out),
        Some((Seg::Key(k), rest)) => {
            if let Some(child) = get(members, k) {
                keys.push((*k).to_owned());
                walk(child, rest, keys, offset, body, at, out, dups);
                keys.pop();
            }
        }
        Some((Seg::Any, rest)) => {
            for (name, child) in members {
                keys.push(name.clone());
                walk(child, rest, keys, offset, body, at, out, dups);
                keys.pop();
            }
        }
    }
    // A key repeated on the way to the servers: which copy the client reads is unsure, so none
    // of what lies below is edited. (Among the servers themselves only a repeated name is.)
    if !path.is_empty() && has_duplicates(members) {
        for s in out.iter_mut().filter(|s| s.parent.starts_with(keys)) {
            s.duplicate = true;
        }
    }
}

fn note_duplicates(
    members: &[(String, Node)],
    keys: &[String],
    body: &str,
    dups: &mut Vec<crate::document::Duplicate>,
) {
    for (i, (k, v)) in members.iter().enumerate() {
        if members[..i].iter().any(|(q, _)| q == k) {
            let at = first_byte(v).unwrap_or(0);
            let (line, column) = line_col(body, at);
            dups.push(crate::document::Duplicate { parent: keys.to_vec(), key: k.clone(), line, column });
        }
    }
}

fn first_byte(n: &Node) -> Option<usize> {
    match n {
        Node::Scalar { span, .. } => Some(span.start),
        Node::Map(m) => m.iter().find_map(|(_, v)| first_byte(v)),
        Node::Seq(s) => s.iter().find_map(first_byte),
        Node::Alias => None,
    }
}

/// The servers of one servers node: a map of name to entry (Goose's `extensions`), or a list of
/// entries that carry their `name` (Continue's `mcpServers`).
fn collect(servers: &Node, keys: &[String], offset: usize, at: ServersAt, out: &mut Vec<Server>) {
    let command_key = if at == ServersAt::GooseExtensions { "cmd" } else { "command" };
    let env_key = if at == ServersAt::GooseExtensions { "envs" } else { "env" };
    // Each entry: its name, whether a later one of the same name hides it, whether it repeats one.
    let entries: Vec<(String, &Node, bool, bool)> = match servers {
        Node::Map(m) => m
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                (k.clone(), v, m[i + 1..].iter().any(|(q, _)| q == k), m[..i].iter().any(|(q, _)| q == k))
            })
            .collect(),
        Node::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = match v {
                    Node::Map(m) => match get(m, "name") {
                        Some(Node::Scalar { value, .. }) => value.clone(),
                        _ => i.to_string(),
                    },
                    _ => i.to_string(),
                };
                (name, v, false, false)
            })
            .collect(),
        _ => return,
    };
    for (name, entry, shadowed, repeated) in entries {
        let Node::Map(m) = entry else { continue };
        if shadowed {
            continue;
        }
        let string = |k: &str| match get(m, k) {
            Some(Node::Scalar { value, .. }) => Some(value.clone()),
            _ => None,
        };
        let command = match get(m, command_key) {
            Some(Node::Scalar { value, span, .. }) => {
                Some(StrSpan { value: value.clone(), span: span.start + offset..span.end + offset })
            }
            _ => None,
        };
        let args = match get(m, "args") {
            Some(Node::Seq(items)) => items
                .iter()
                .map(|i| to_json(i).as_str().map_or_else(|| to_json(i).to_string(), str::to_owned))
                .collect(),
            _ => vec![],
        };
        let (env, env_spans) = match get(m, env_key) {
            Some(Node::Map(e)) => (
                e.iter().filter_map(|(k, v)| Some((k.clone(), to_json(v).as_str()?.to_owned()))).collect(),
                e.iter().flat_map(|(_, v)| spans(v)).map(|s| s.start + offset..s.end + offset).collect(),
            ),
            Some(other) => (vec![], spans(other).into_iter().map(|s| s.start + offset..s.end + offset).collect()),
            None => (vec![], vec![]),
        };
        out.push(Server {
            name,
            parent: keys.to_vec(),
            command,
            command_keys: if at == ServersAt::GooseExtensions { GOOSE_COMMAND } else { crate::document::COMMAND },
            args,
            env,
            env_spans,
            cwd: string("cwd"),
            url: remote_url(|k| string(k).or_else(|| if k == "url" { string("uri") } else { None })),
            value: to_json(entry),
            duplicate: repeated || has_duplicates(m),
            entry: None,
        });
    }
}

fn secret_spans(n: &Node) -> Vec<Range<usize>> {
    match n {
        Node::Map(m) => m
            .iter()
            .flat_map(|(k, v)| {
                if matches!(k.as_str(), "env" | "envs" | "environment" | "headers") {
                    spans(v)
                } else {
                    secret_spans(v)
                }
            })
            .collect(),
        Node::Seq(s) => s.iter().flat_map(secret_spans).collect(),
        _ => vec![],
    }
}

/// Goose's `cmd`.
pub const GOOSE_COMMAND: &[&str] = &["cmd"];

/// Every scalar's range under `n` (an `env` of any form is hidden whole in a diff).
fn spans(n: &Node) -> Vec<Range<usize>> {
    match n {
        Node::Scalar { span, .. } => vec![span.clone()],
        Node::Map(m) => m.iter().flat_map(|(_, v)| spans(v)).collect(),
        Node::Seq(s) => s.iter().flat_map(spans).collect(),
        Node::Alias => vec![],
    }
}

/// The node as JSON, plain scalars typed as YAML 1.2's core schema types them.
fn to_json(n: &Node) -> Json {
    match n {
        Node::Scalar { value, quoted: true, .. } => Json::String(value.clone()),
        Node::Scalar { value, .. } => match value.as_str() {
            "true" | "True" | "TRUE" => Json::Bool(true),
            "false" | "False" | "FALSE" => Json::Bool(false),
            "null" | "Null" | "NULL" | "~" | "" => Json::Null,
            v => v
                .parse::<i64>()
                .map(Json::from)
                .ok()
                .or_else(|| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .and_then(|f| serde_json::Number::from_f64(f).map(Json::Number))
                })
                .unwrap_or_else(|| Json::String(v.to_owned())),
        },
        Node::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Node::Seq(s) => Json::Array(s.iter().map(to_json).collect()),
        Node::Alias => Json::Null,
    }
}

/// The scalar that reads as `s`, in the style of `old` (the scalar it replaces) where that style
/// can carry `s` unchanged: plain stays plain for a path with no YAML indicator in it, single
/// quotes stay single (a `'` doubled), and anything else is double-quoted, which YAML reads as
/// JSON reads a string. The file is parsed again before it is written, whatever the style.
pub fn literal_like(old: &[u8], s: &str) -> String {
    let printable = !s.is_empty() && s.chars().all(|c| !c.is_control() && c != '\u{feff}');
    match old.first() {
        Some(b'\'') if printable => format!("'{}'", s.replace('\'', "''")),
        Some(b'"') | Some(b'\'') | None => crate::document::json_string(s),
        Some(_) if printable && plain_safe(s) => s.to_owned(),
        Some(_) => crate::document::json_string(s),
    }
}

/// Whether `s` reads back as this very string when written as a plain scalar: a path or a
/// program name, with no character that starts or breaks a plain scalar, and nothing that
/// YAML 1.1 or 1.2 would read as another type.
fn plain_safe(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let allowed = |c: char| c.is_alphanumeric() || "/._-~+@%=\\: ()".contains(c);
    let typed =
        ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"].iter().any(|w| s.eq_ignore_ascii_case(w))
            || s.parse::<f64>().is_ok()
            || s.starts_with("0x")
            || s.starts_with("0o");
    s.chars().all(allowed)
        && !"-?:,[]{}#&*!|>'\"%@` ".contains(first)
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !typed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repaired Goose command keeps the style of the scalar it replaces, where that style can
    /// hold the new path (issue 10: plain and single-quoted scalars became double-quoted).
    #[test]
    fn a_repaired_scalar_keeps_its_style() {
        assert_eq!(literal_like(b"tsh", "/usr/local/bin/tsh"), "/usr/local/bin/tsh");
        assert_eq!(literal_like(b"'tsh'", "/opt/it's/tsh"), "'/opt/it''s/tsh'");
        assert_eq!(literal_like(b"\"tsh\"", "/usr/bin/tsh"), "\"/usr/bin/tsh\"");
        assert_eq!(literal_like(br"tsh", r"C:\Program Files\Teleport\tsh.exe"), r"C:\Program Files\Teleport\tsh.exe");
        for unsafe_plain in ["/a: b", "/a #b", "-x", "true", "1.5", "/a,b", "[x]", "", "/a\nb"] {
            assert_eq!(
                literal_like(b"tsh", unsafe_plain),
                crate::document::json_string(unsafe_plain),
                "{unsafe_plain:?}"
            );
        }
    }

    proptest::proptest! {
        /// Whatever style it gets, the new scalar reads back as the path it was given.
        #[test]
        fn a_scalar_in_the_old_style_reads_back_as_the_new_value(
            value in "[ -~é]{0,24}",
            old in proptest::sample::select(vec!["tsh", "'tsh'", "\"tsh\""]),
        ) {
            let lit = literal_like(old.as_bytes(), &value);
            for text in [
                format!("extensions:\n  t:\n    cmd: {lit}\n    enabled: true\n"),
                format!("extensions: {{t: {{cmd: {lit}, enabled: true}}}}\n"),
            ] {
                let got = parse(&text, 0, ServersAt::GooseExtensions, false)
                    .unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
                let cmd = got.servers[0].command.as_ref().map(|c| c.value.clone());
                proptest::prop_assert_eq!(cmd.as_deref(), Some(value.as_str()), "{}", text);
            }
        }
    }

    fn servers(text: &str, at: ServersAt) -> Vec<Server> {
        parse(text, 0, at, false).unwrap().servers
    }

    /// Goose's `extensions.<key>` with `cmd`, `args`, `envs`, `enabled` (its config docs).
    #[test]
    fn goose_extensions_with_the_span_of_cmd() {
        let t = "# Goose\nGOOSE_PROVIDER: openai\nextensions:\n  teleport:\n    enabled: true\n    type: stdio\n    name: teleport\n    cmd: /old/tsh   # stale\n    args: [mcp, connect, demo]\n    envs:\n      TOKEN: s3cr3t\n    timeout: 300\n  developer:\n    enabled: true\n    type: builtin\n    name: developer\n";
        let s = servers(t, ServersAt::GooseExtensions);
        assert_eq!(s.len(), 2);
        let c = s[0].command.as_ref().unwrap();
        assert_eq!((s[0].name.as_str(), c.value.as_str(), &t[c.span.clone()]), ("teleport", "/old/tsh", "/old/tsh"));
        assert_eq!(s[0].args, ["mcp", "connect", "demo"]);
        assert_eq!(&t[s[0].env_spans[0].clone()], "s3cr3t");
        assert_eq!(s[0].value["enabled"], true);
        assert_eq!(s[0].value["timeout"], 300);
        assert!(s[1].command.is_none());
    }

    /// Continue's `mcpServers` is a list of entries that carry their `name`; quoted scalars'
    /// spans take their quotes in, and non-ASCII text before them counts in bytes.
    #[test]
    fn continue_mcp_servers_list_with_quoted_scalars() {
        let t = "name: Mé config\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - name: teleport\n    command: \"/old/tsh\"\n    args:\n      - mcp\n      - connect\n      - demo\n  - name: other\n    command: 'npx'\n";
        let s = servers(t, ServersAt::ContinueMcpServers);
        assert_eq!(s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["teleport", "other"]);
        let c = s[0].command.as_ref().unwrap();
        assert_eq!(&t[c.span.clone()], "\"/old/tsh\"");
        assert_eq!(&t[s[1].command.as_ref().unwrap().span.clone()], "'npx'");
    }

    #[test]
    fn bad_yaml_is_an_error_with_its_position() {
        let e = parse("extensions:\n  a: [1, 2\n", 0, ServersAt::GooseExtensions, false).unwrap_err();
        assert!(e.line >= 2, "{e:?}");
    }

    #[test]
    fn a_duplicate_key_marks_its_servers() {
        let t = "extensions:\n  a:\n    cmd: /x/tsh\n    cmd: /y/tsh\n";
        let d = parse(t, 0, ServersAt::GooseExtensions, false).unwrap();
        assert!(d.servers[0].duplicate);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::document::{Edit, apply_edits};
    use proptest::prelude::*;

    /// A command as a YAML scalar in one of its styles, with the value it reads as.
    fn scalar() -> impl Strategy<Value = (String, String)> {
        let path = "/[a-z]{1,6}(/[a-zA-Z0-9 ._é-]{1,8}){0,3}/tsh";
        (path, 0..3u8).prop_map(|(p, style)| match style {
            // Plain only where YAML reads it back unchanged.
            0 if !p.contains(' ') && !p.contains(": ") => (p.clone(), p),
            1 => (format!("'{}'", p.replace('\'', "''")), p),
            _ => (crate::document::json_string(&p), p),
        })
    }

    /// A Goose config: servers in block style with comments and blank lines between them.
    fn doc() -> impl Strategy<Value = (String, Vec<String>)> {
        prop::collection::vec((scalar(), "(  *# [a-z ]{0,10})?", any::<bool>()), 1..5).prop_map(|entries| {
            let mut t = String::from("# mine\nextensions:\n");
            let mut want = Vec::new();
            for (i, ((lit, value), comment, blank)) in entries.into_iter().enumerate() {
                t.push_str(&format!(
                    "  s{i}:\n    cmd: {lit}{comment}\n    args: [mcp, connect, s{i}]\n    enabled: true\n"
                ));
                if blank {
                    t.push('\n');
                }
                want.push(value);
            }
            (t, want)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every command is found with the exact span of its scalar, and an edit changes that
        /// scalar only: every other byte stays, and the file reads as before but for it.
        #[test]
        fn an_edit_changes_only_its_scalar((text, want) in doc(), pick in any::<prop::sample::Index>(), (_, new) in scalar()) {
            let at = ServersAt::GooseExtensions;
            let before = parse(&text, 0, at, false).unwrap();
            prop_assert_eq!(before.servers.len(), want.len());
            for (s, w) in before.servers.iter().zip(&want) {
                prop_assert_eq!(&s.command.as_ref().unwrap().value, w);
            }
            prop_assert_eq!(apply_edits(text.as_bytes(), &[], at), text.as_bytes().to_vec());
            let i = pick.index(want.len());
            let span = before.servers[i].command.as_ref().unwrap().span.clone();
            let out = apply_edits(text.as_bytes(), &[Edit { span: span.clone(), value: new.clone() }], at);
            prop_assert_eq!(&out[..span.start], &text.as_bytes()[..span.start]);
            prop_assert_eq!(&out[out.len() - (text.len() - span.end)..], &text.as_bytes()[span.end..]);
            let after = parse(std::str::from_utf8(&out).unwrap(), 0, at, false).unwrap();
            for (j, (a, b)) in after.servers.iter().zip(&before.servers).enumerate() {
                let mut v = b.value.clone();
                if j == i {
                    v["cmd"] = Json::String(new.clone());
                }
                prop_assert_eq!(&a.value, &v);
            }
        }

        /// Bad input is an error, never a panic.
        #[test]
        fn arbitrary_text_never_panics(text in "[ -~\n\t]{0,200}") {
            let _ = parse(&text, 0, ServersAt::GooseExtensions, false);
            let _ = parse(&text, 0, ServersAt::ContinueMcpServers, false);
        }
    }
}
