//! The TOML document layer (Codex's `config.toml`): bytes in, the same [`Document`] of servers as
//! the JSON layer out, each `command` with the byte range of its literal in the original file.
//!
//! toml_edit's immutable document keeps the span of every value, so a repair replaces exactly
//! the bytes of one literal with [`basic_string`] and every comment, blank line, key order and
//! table style (`[mcp_servers.x]`, inline tables, dotted keys) comes back out as it went in.
//! TOML forbids duplicate keys: a file with one is malformed, so `duplicate` is never set here.

use toml_edit::{Item, TableLike, Value};

use crate::clients::{Seg, ServersAt};
use crate::document::{COMMAND, Document, ParseError, Server, StrSpan, line_col, remote_url};

/// Reads the servers of a TOML file. `body` has no BOM; `offset` is where it starts in the file.
pub fn parse(body: &str, offset: usize, at: ServersAt, bom: bool) -> Result<Document, ParseError> {
    let doc = toml_edit::Document::parse(body).map_err(|e| {
        let (line, column) = line_col(body, e.span().map_or(0, |s| s.start));
        ParseError { message: e.message().trim().to_owned(), line, column }
    })?;
    let mut servers = Vec::new();
    for path in at.paths() {
        walk(doc.as_item(), path, &mut Vec::new(), offset, body, &mut servers)?;
    }
    Ok(Document {
        bom,
        needs_jsonc: false,
        trailing_commas: false,
        servers,
        duplicates: vec![],
        shadowed_env_spans: vec![],
    })
}

fn walk(
    item: &Item,
    path: &[Seg],
    keys: &mut Vec<String>,
    offset: usize,
    body: &str,
    out: &mut Vec<Server>,
) -> Result<(), ParseError> {
    let Some(table) = item.as_table_like() else { return Ok(()) };
    match path.split_first() {
        None => collect(table, keys, offset, body, out)?,
        Some((Seg::Key(k), rest)) => {
            if let Some(child) = table.get(k) {
                keys.push((*k).to_owned());
                walk(child, rest, keys, offset, body, out)?;
                keys.pop();
            }
        }
        Some((Seg::Any, rest)) => {
            for (name, child) in table.iter() {
                keys.push(name.to_owned());
                walk(child, rest, keys, offset, body, out)?;
                keys.pop();
            }
        }
    }
    Ok(())
}

fn collect(
    servers: &dyn TableLike,
    keys: &[String],
    offset: usize,
    body: &str,
    out: &mut Vec<Server>,
) -> Result<(), ParseError> {
    for (name, item) in servers.iter() {
        let Some(entry) = item.as_table_like() else { continue };
        let string = |k: &str| entry.get(k).and_then(Item::as_str).map(str::to_owned);
        let command = match entry.get("command").and_then(Item::as_value) {
            Some(Value::String(f)) => {
                // A parsed document has a span for every value; without one there is nothing
                // mcpcfg could safely edit, so say so rather than guess.
                let Some(span) = f.span() else {
                    let (line, column) = line_col(body, 0);
                    return Err(ParseError {
                        message: format!("cannot locate the command of server {name}"),
                        line,
                        column,
                    });
                };
                Some(StrSpan { value: f.value().clone(), span: span.start + offset..span.end + offset })
            }
            _ => None,
        };
        let args = match entry.get("args").and_then(Item::as_array) {
            Some(a) => {
                a.iter().map(|v| v.as_str().map_or_else(|| value_to_json(v).to_string(), str::to_owned)).collect()
            }
            None => vec![],
        };
        let env_table = entry.get("env").and_then(Item::as_table_like);
        let env = match env_table {
            Some(t) => t.iter().filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned()))).collect(),
            None => vec![],
        };
        // Where each env value lies, to hide it in a diff.
        let env_spans = env_table
            .map(|t| t.iter().flat_map(|(_, v)| item_spans(v)).map(|s| s.start + offset..s.end + offset).collect())
            .unwrap_or_default();
        out.push(Server {
            name: name.to_owned(),
            parent: keys.to_vec(),
            command,
            command_keys: COMMAND,
            args,
            env,
            env_spans,
            cwd: string("cwd"),
            url: remote_url(string),
            value: item_to_json(item),
            duplicate: false,
            entry: None,
        });
    }
    Ok(())
}

/// Where the values of `item` lie: its literal, or for a table (`[mcp_servers.x.env.K]`) each
/// value inside it, since the table's own span is its header.
fn item_spans(item: &Item) -> Vec<std::ops::Range<usize>> {
    match item {
        Item::None => vec![],
        Item::Value(v) => v.span().into_iter().collect(),
        Item::Table(t) => t.iter().flat_map(|(_, i)| item_spans(i)).collect(),
        Item::ArrayOfTables(a) => a.iter().flat_map(|t| t.iter().flat_map(|(_, i)| item_spans(i))).collect(),
    }
}

/// A TOML item as a JSON value, to compare a server before and after a repair.
fn item_to_json(item: &Item) -> serde_json::Value {
    match item {
        Item::None => serde_json::Value::Null,
        Item::Value(v) => value_to_json(v),
        Item::Table(t) => table_to_json(t),
        Item::ArrayOfTables(a) => serde_json::Value::Array(a.iter().map(|t| table_to_json(t)).collect()),
    }
}

fn table_to_json(t: &dyn TableLike) -> serde_json::Value {
    serde_json::Value::Object(t.iter().map(|(k, v)| (k.to_owned(), item_to_json(v))).collect())
}

fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::String(s) => J::String(s.value().clone()),
        Value::Integer(i) => J::from(*i.value()),
        // NaN and infinities have no JSON number: their TOML text stands in for them.
        Value::Float(f) => serde_json::Number::from_f64(*f.value()).map_or_else(|| J::String(f.to_string()), J::Number),
        Value::Boolean(b) => J::Bool(*b.value()),
        Value::Datetime(d) => J::String(d.value().to_string()),
        Value::Array(a) => J::Array(a.iter().map(value_to_json).collect()),
        Value::InlineTable(t) => table_to_json(t),
    }
}

/// The TOML basic string (`"…"`) for `s`: quotes, backslashes and control characters escaped,
/// so a Windows path becomes `"C:\\Program Files\\…"`.
pub fn basic_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{self, Edit, apply_edits};

    fn doc(text: &str) -> Document {
        document::parse(text.as_bytes(), ServersAt::CodexToml).unwrap()
    }

    /// The command of the first server, checking that its span covers exactly its literal.
    fn cmd_literal(text: &str) -> (String, String) {
        let d = doc(text);
        let c = d.servers[0].command.clone().unwrap();
        (c.value, text[c.span].to_owned())
    }

    #[test]
    fn table_per_server_reads_command_args_env_with_span() {
        let t = "# Codex\nmodel = \"o3\"\n\n[mcp_servers.teleport-mcp-demo]\ncommand = \"/usr/local/bin/tsh\" # stale?\nargs = [\"mcp\", \"connect\", \"demo\"]\nenv = { TELEPORT_HOME = \"/secret\" }\n";
        let d = doc(t);
        assert_eq!(d.servers.len(), 1);
        let s = &d.servers[0];
        assert_eq!(s.name, "teleport-mcp-demo");
        assert_eq!(s.parent, ["mcp_servers"]);
        assert_eq!(s.args, ["mcp", "connect", "demo"]);
        assert_eq!(s.env_keys(), ["TELEPORT_HOME"]);
        assert_eq!(cmd_literal(t), ("/usr/local/bin/tsh".into(), "\"/usr/local/bin/tsh\"".into()));
        assert_eq!(
            s.value,
            serde_json::json!({"command": "/usr/local/bin/tsh", "args": ["mcp", "connect", "demo"], "env": {"TELEPORT_HOME": "/secret"}})
        );
        assert!(!d.needs_jsonc && d.duplicates.is_empty());
    }

    #[test]
    fn inline_tables_and_dotted_keys() {
        let t = "[mcp_servers]\na = { command = 'C:\\tsh.exe', args = [\"mcp\"] }\nb.command = \"/b/tsh\"\nb.env.X = \"1\"\n";
        let d = doc(t);
        let names: Vec<_> = d.servers.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let a = d.servers[0].command.clone().unwrap();
        assert_eq!((a.value.as_str(), &t[a.span]), ("C:\\tsh.exe", "'C:\\tsh.exe'"));
        let b = d.servers[1].command.clone().unwrap();
        assert_eq!(&t[b.span], "\"/b/tsh\"");
        assert_eq!(d.servers[1].env_keys(), ["X"]);
        let dotted_root = doc("mcp_servers.c.command = \"/c\"\n");
        assert_eq!(dotted_root.servers[0].command.as_ref().unwrap().value, "/c");
    }

    #[test]
    fn subtable_env_and_other_fields_are_part_of_the_value() {
        let t = "[mcp_servers.a]\ncommand = \"/a\"\nstartup_timeout_sec = 20\nenabled = true\n\n[mcp_servers.a.env]\nK = \"v\"\n";
        let s = &doc(t).servers[0];
        assert_eq!(s.env_keys(), ["K"]);
        assert_eq!(s.value["startup_timeout_sec"], 20);
        assert_eq!(s.value["env"]["K"], "v");
    }

    #[test]
    fn remote_servers_have_a_url_and_no_command() {
        let s = &doc("[mcp_servers.r]\nurl = \"https://mcp.example.com/mcp\"\n").servers[0];
        assert!(s.is_remote());
    }

    #[test]
    fn escapes_multiline_and_bom_keep_byte_spans() {
        let t = "\u{feff}[mcp_servers.\"é\"]\ncommand = \"C:\\\\Program Files\\\\Teleport\\\\tsh.exe\"\n";
        let d = doc(t);
        assert!(d.bom);
        let c = d.servers[0].command.clone().unwrap();
        assert_eq!(c.value, r"C:\Program Files\Teleport\tsh.exe");
        assert_eq!(&t[c.span], "\"C:\\\\Program Files\\\\Teleport\\\\tsh.exe\"");
        let t = "[mcp_servers.m]\ncommand = \"\"\"\n/m/tsh\"\"\"\n";
        let c = doc(t).servers[0].command.clone().unwrap();
        assert_eq!((c.value.as_str(), &t[c.span]), ("/m/tsh", "\"\"\"\n/m/tsh\"\"\""));
    }

    #[test]
    fn crlf_is_read() {
        let t = "[mcp_servers.a]\r\ncommand = \"/a/tsh\"\r\nargs = [\"mcp\"]\r\n";
        assert_eq!(cmd_literal(t).1, "\"/a/tsh\"");
    }

    #[test]
    fn malformed_toml_has_line_and_column() {
        let e = document::parse(b"[mcp_servers.a]\ncommand = \"/a\"\nargs = [\"mcp\",\n", ServersAt::CodexToml)
            .unwrap_err();
        // The array opened on line 3 is never closed: the error points at where it runs out.
        assert_eq!((e.line, e.column), (3, 15), "{e:?}");
        let e = document::parse(b"a = 1\n[x]\nb = \n", ServersAt::CodexToml).unwrap_err();
        assert_eq!((e.line, e.column), (3, 5), "{e:?}");
    }

    #[test]
    fn duplicate_keys_are_a_parse_error() {
        let e = document::parse(b"[mcp_servers.a]\ncommand = \"/a\"\ncommand = \"/b\"\n", ServersAt::CodexToml)
            .unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(document::parse(b"[mcp_servers.a]\n[mcp_servers.a]\n", ServersAt::CodexToml).is_err());
    }

    #[test]
    fn no_servers_table_means_no_servers() {
        assert!(doc("model = \"o3\"\n").servers.is_empty());
        assert!(doc("mcp_servers = 3\n").servers.is_empty());
        assert!(doc("# only a comment\n").servers.is_empty());
    }

    #[test]
    fn basic_string_escapes_what_toml_requires() {
        assert_eq!(basic_string(r"C:\T\tsh.exe"), r#""C:\\T\\tsh.exe""#);
        assert_eq!(basic_string("a\"b\n\u{1}\u{7f}é"), "\"a\\\"b\\n\\u0001\\u007Fé\"");
    }

    #[test]
    fn repair_replaces_only_the_literal_and_reparses() {
        let t = "[mcp_servers.a] # keep\ncommand = 'C:\\old\\tsh.exe'   # old\nargs = [\"mcp\"]\n";
        let d = doc(t);
        let span = d.servers[0].command.clone().unwrap().span;
        let new = r#"C:\Program Files\Teleport\tsh "x".exe"#;
        let out = apply_edits(t.as_bytes(), &[Edit { span: span.clone(), value: new.into() }], ServersAt::CodexToml);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(&out[..span.start], &t[..span.start]);
        assert!(out.ends_with(&t[span.end..]));
        assert_eq!(doc(&out).servers[0].command.as_ref().unwrap().value, new);
    }
}
