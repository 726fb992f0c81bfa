//! Planning a repair: which commands change, the new bytes of each file, and the proof that
//! nothing else changed. Pure: writing is [`crate::write`]'s job.

use std::path::Path;

use crate::clients::{Client, Scope};
use crate::document::{self, Edit, Server};
use crate::output::clean;
use crate::report::{Change, ConfigReport, Report};

/// What a user asked of fix-config.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Only these servers (all when empty).
    pub servers: Vec<String>,
    pub include_project: bool,
}

/// The repair of one file.
#[derive(Debug)]
pub struct FilePlan {
    /// Index into `Report::configs`.
    pub config: usize,
    pub new_bytes: Vec<u8>,
    pub changes: Vec<Change>,
}

/// The whole repair, and what was left alone and why.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    pub skipped: Vec<String>,
}

/// Plans every repair `report` calls for, pointing commands at `to`.
pub fn plan(report: &Report, to: Option<&Path>, opts: &FixOptions) -> anyhow::Result<Plan> {
    let mut out = Plan::default();
    for (i, c) in report.configs.iter().enumerate() {
        let Some(doc) = c.loaded.document() else { continue };
        let loc = &c.loaded.location;
        let file = loc.path.display();
        let mut edits = Vec::new();
        let mut changes = Vec::new();
        for s in &c.servers {
            let wanted = opts.servers.is_empty() || opts.servers.contains(&s.server.name);
            let repairable = s.findings.iter().any(|f| f.code.repairable());
            if !wanted || !repairable {
                continue;
            }
            let label = clean(&s.server.label());
            let Some(to) = to else { continue }; // reported as tsh-not-found
            if loc.scope == Scope::Project && !opts.include_project {
                out.skipped.push(format!(
                    "left alone {file}: {label} (project-level config, usually committed; pass --include-project to repair it)"
                ));
                continue;
            }
            if s.server.duplicate {
                out.skipped.push(format!(
                    "left alone {file}: {label} (a duplicate key lies on its path; remove the duplicate first)"
                ));
                continue;
            }
            let Some(cmd) = &s.server.command else { continue };
            let to = to.to_string_lossy().into_owned();
            if cmd.value == to {
                continue;
            }
            edits.push(Edit { span: cmd.span.clone(), value: to.clone() });
            changes.push(Change { path: loc.path.clone(), server: s.server.label(), from: cmd.value.clone(), to });
        }
        if edits.is_empty() {
            continue;
        }
        let new_bytes = document::apply_edits(&c.loaded.bytes, &edits, loc.servers_at);
        verify(c, &doc.servers, &new_bytes, &edits)?;
        out.files.push(FilePlan { config: i, new_bytes, changes });
    }
    Ok(out)
}

/// Parses the new text and checks that its servers equal the old ones but for the edited
/// commands, and that every byte outside the edited literals is the same.
fn verify(c: &ConfigReport, old: &[Server], new_bytes: &[u8], edits: &[Edit]) -> anyhow::Result<()> {
    let path = c.loaded.location.path.display();
    let at = c.loaded.location.servers_at;
    let new = document::parse(new_bytes, at).map_err(|e| {
        anyhow::anyhow!("{path}: the repaired text would not parse ({}); nothing was written", e.message)
    })?;
    let bug = |what: &str| anyhow::anyhow!("{path}: the repair would {what}; nothing was written (please report this)");
    if new.servers.len() != old.len() {
        return Err(bug("change the number of servers"));
    }
    for (o, n) in old.iter().zip(&new.servers) {
        let edited = edits.iter().find(|e| o.command.as_ref().is_some_and(|c| c.span == e.span));
        let mut expect = o.value.clone();
        if let Some(e) = edited
            && !set_at(&mut expect, o.command_keys, &e.value)
        {
            return Err(bug(&format!("lose track of the command of {}", o.label())));
        }
        if o.name != n.name || o.parent != n.parent || expect != n.value {
            return Err(bug(&format!("change more than the command of {}", o.label())));
        }
    }
    // Outside the edited literals the bytes must be identical.
    let old_bytes = &c.loaded.bytes;
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.span.start);
    let (mut oi, mut ni) = (0usize, 0usize);
    for e in sorted {
        let keep = e.span.start - oi;
        if old_bytes[oi..e.span.start] != new_bytes[ni..ni + keep] {
            return Err(bug("change bytes outside the command"));
        }
        ni += keep + document::literal(at, &e.value).len();
        oi = e.span.end;
    }
    if old_bytes[oi..] != new_bytes[ni..] {
        return Err(bug("change bytes outside the command"));
    }
    Ok(())
}

/// Sets the string at `keys` inside `value` (the command of a server, wherever its shape keeps
/// it); false when there is no such place.
fn set_at(value: &mut serde_json::Value, keys: &[&str], to: &str) -> bool {
    let Some((last, path)) = keys.split_last() else { return false };
    let mut at = value;
    for k in path {
        match at.get_mut(*k) {
            Some(next) => at = next,
            None => return false,
        }
    }
    match at.as_object_mut() {
        Some(obj) if obj.contains_key(*last) => {
            obj.insert((*last).to_owned(), serde_json::Value::String(to.to_owned()));
            true
        }
        _ => false,
    }
}

/// A unified diff of one file's repair, with every `env` value shown as `<redacted>`.
pub fn diff(c: &ConfigReport, display_path: &str, new_bytes: &[u8]) -> String {
    let old = String::from_utf8_lossy(&c.loaded.bytes);
    let new = String::from_utf8_lossy(new_bytes);
    let text = similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display_path}"), &format!("b/{display_path}"))
        .to_string();
    redact(&text, c)
}

/// Replaces the literal of every env value of the file's servers with `"<redacted>"`: as JSON
/// writes it, and in TOML also as a basic or a literal (`'…'`) string.
fn redact(text: &str, c: &ConfigReport) -> String {
    let toml = c.loaded.location.servers_at.is_toml();
    let mut secrets: Vec<String> = c
        .servers
        .iter()
        .flat_map(|s| s.server.env.iter().map(|(_, v)| v))
        .flat_map(|v| {
            let mut forms = vec![document::json_string(v)];
            if toml {
                forms.push(crate::toml_document::basic_string(v));
                forms.push(format!("'{v}'"));
            }
            forms
        })
        .filter(|lit| lit.len() > 2)
        .collect();
    // Longest first, so a value that contains another is hidden whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    let mut out = text.to_owned();
    for s in secrets {
        out = out.replace(&s, "\"<redacted>\"");
    }
    out
}

/// The clients to restart after the files in `plan` changed, with Claude Desktop's caveat.
pub fn restart_notes(report: &Report, plan: &Plan) -> Vec<String> {
    let mut clients: Vec<Client> = plan.files.iter().map(|f| report.configs[f.config].loaded.location.client).collect();
    clients.sort();
    clients.dedup();
    clients
        .into_iter()
        .map(|c| match c {
            Client::ClaudeDesktop => "restart Claude Desktop (quit it fully first: while running it can rewrite its config and drop this change; if it was running, run mcpcfg fix-config again after quitting)".to_owned(),
            other => format!("restart {} so it starts the servers with the new path", other.display()),
        })
        .collect()
}

/// The report as it stands once `plan` is applied: repaired findings are gone.
pub fn after(report: &mut Report, plan: &Plan) {
    for f in &plan.files {
        let c = &mut report.configs[f.config];
        for s in &mut c.servers {
            if f.changes.iter().any(|ch| ch.server == s.server.label()) {
                s.findings.retain(|x| !x.code.repairable());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Location, ServersAt, Syntax};
    use crate::findings::{Code, Finding, Severity};
    use crate::load::Loaded;
    use crate::report::ServerReport;

    fn config(text: &str, scope: Scope) -> ConfigReport {
        config_at(text, scope, ServersAt::McpServers)
    }

    fn config_at(text: &str, scope: Scope, at: ServersAt) -> ConfigReport {
        let parsed = document::parse(text.as_bytes(), at).map_err(crate::load::LoadError::Malformed);
        let servers = parsed
            .as_ref()
            .unwrap()
            .servers
            .iter()
            .map(|s| ServerReport {
                server: s.clone(),
                tsh: true,
                findings: if s.command.as_ref().unwrap().value == "/good/tsh" {
                    vec![]
                } else {
                    vec![Finding {
                        skew: None,
                        code: Code::TshMissing,
                        severity: Severity::Error,
                        message: String::new(),
                        hint: String::new(),
                    }]
                },
            })
            .collect();
        ConfigReport {
            loaded: Loaded {
                location: Location {
                    client: Client::Cursor,
                    scope,
                    path: "/h/.cursor/mcp.json".into(),
                    syntax: Syntax::Jsonc,
                    servers_at: at,
                },
                bytes: text.as_bytes().to_vec(),
                parsed,
            },
            file_findings: vec![],
            servers,
        }
    }

    fn report(text: &str, scope: Scope) -> Report {
        Report { configs: vec![config(text, scope)], ..Report::default() }
    }

    const TEXT: &str = "{\r\n  // comment\r\n  \"mcpServers\": {\r\n    \"a\": {\"command\": \"/gone/tsh\", \"env\": {\"T\": \"secret\"}},\r\n    \"b\": {\"command\": \"/good/tsh\"},\r\n  },\r\n}";

    #[test]
    fn plan_edits_only_the_broken_command() {
        let r = report(TEXT, Scope::User);
        let p = plan(&r, Some(Path::new("C:\\T\\tsh.exe")), &FixOptions::default()).unwrap();
        assert_eq!(p.files.len(), 1);
        let new = String::from_utf8(p.files[0].new_bytes.clone()).unwrap();
        assert_eq!(new, TEXT.replace("\"/gone/tsh\"", "\"C:\\\\T\\\\tsh.exe\""));
        assert_eq!(p.files[0].changes[0].from, "/gone/tsh");
    }

    #[test]
    fn plan_respects_server_filter() {
        let r = report(TEXT, Scope::User);
        let opts = FixOptions { servers: vec!["b".into()], include_project: false };
        assert!(plan(&r, Some(Path::new("/t")), &opts).unwrap().files.is_empty());
    }

    #[test]
    fn project_configs_are_left_alone_without_include_project() {
        let r = report(TEXT, Scope::Project);
        let p = plan(&r, Some(Path::new("/t")), &FixOptions::default()).unwrap();
        assert!(p.files.is_empty());
        assert!(p.skipped[0].contains("--include-project"));
        let opts = FixOptions { servers: vec![], include_project: true };
        assert_eq!(plan(&r, Some(Path::new("/t")), &opts).unwrap().files.len(), 1);
    }

    #[test]
    fn duplicate_keys_are_never_edited() {
        let t = r#"{"mcpServers": {"a": {"command": "/gone/tsh"}, "a": {"command": "/gone/tsh"}}}"#;
        let p = plan(&report(t, Scope::User), Some(Path::new("/t")), &FixOptions::default()).unwrap();
        assert!(p.files.is_empty());
        assert!(p.skipped[0].contains("duplicate"));
    }

    #[test]
    fn no_stable_tsh_plans_nothing() {
        assert!(plan(&report(TEXT, Scope::User), None, &FixOptions::default()).unwrap().files.is_empty());
    }

    #[test]
    fn diff_redacts_env_values() {
        let r = report(TEXT, Scope::User);
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        let d = diff(&r.configs[0], "~/.cursor/mcp.json", &p.files[0].new_bytes);
        assert!(d.contains("+    \"a\": {\"command\": \"/new/tsh\""), "{d}");
        assert!(!d.contains("secret"), "{d}");
        assert!(d.contains("\"<redacted>\""));
    }

    #[test]
    fn verify_catches_a_change_outside_the_command() {
        let r = report(TEXT, Scope::User);
        let c = &r.configs[0];
        let span = c.servers[0].server.command.as_ref().unwrap().span.clone();
        let edits = [Edit { span, value: "/x".into() }];
        let mut bytes = document::apply_edits(&c.loaded.bytes, &edits, ServersAt::McpServers);
        assert!(verify(c, &c.loaded.document().unwrap().servers, &bytes, &edits).is_ok());
        let at = bytes.len() - 2;
        bytes[at] = b' ';
        assert!(verify(c, &c.loaded.document().unwrap().servers, &bytes, &edits).is_err());
    }

    const ZED_OLD: &str = "{\n  \"context_servers\": {\n    \"teleport-mcp-a\": {\n      \"source\": \"custom\",\n      \"command\": {\"path\": \"/gone/tsh\", \"args\": [\"mcp\", \"connect\", \"a\"]},\n    },\n  },\n}\n";

    #[test]
    fn zed_old_shape_repairs_command_path_and_verifies() {
        let r = Report {
            configs: vec![config_at(ZED_OLD, Scope::User, ServersAt::ZedContextServers)],
            ..Report::default()
        };
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        let new = String::from_utf8(p.files[0].new_bytes.clone()).unwrap();
        assert_eq!(new, ZED_OLD.replace("\"/gone/tsh\"", "\"/new/tsh\""));
    }

    #[test]
    fn verify_catches_a_zed_old_shape_change_beside_the_path() {
        let c = config_at(ZED_OLD, Scope::User, ServersAt::ZedContextServers);
        let old = &c.loaded.document().unwrap().servers;
        let span = old[0].command.as_ref().unwrap().span.clone();
        let edits = [Edit { span, value: "/x".into() }];
        let good = document::apply_edits(&c.loaded.bytes, &edits, ServersAt::ZedContextServers);
        assert!(verify(&c, old, &good, &edits).is_ok());
        // Same length, so only the server comparison can catch it: an argument changed.
        let bad = String::from_utf8(good).unwrap().replace("\"connect\"", "\"cOnnect\"");
        assert!(verify(&c, old, bad.as_bytes(), &edits).is_err());
    }

    #[test]
    fn set_at_follows_the_command_keys() {
        let mut v = serde_json::json!({"command": {"path": "/a", "args": []}});
        assert!(set_at(&mut v, document::COMMAND_PATH, "/b"));
        assert_eq!(v, serde_json::json!({"command": {"path": "/b", "args": []}}));
        assert!(!set_at(&mut v, &["nope", "path"], "/c"));
        let mut flat = serde_json::json!({"command": "/a"});
        assert!(set_at(&mut flat, document::COMMAND, "/b"));
        assert_eq!(flat["command"], "/b");
    }

    #[test]
    fn codex_toml_repair_writes_a_toml_basic_string() {
        let t = "# mine\r\n[mcp_servers.teleport-mcp-a]\r\ncommand = '/gone/tsh' # old\r\nargs = [\"mcp\", \"connect\", \"a\"]\r\nenv = { T = 'secret' }\r\n";
        let r = Report { configs: vec![config_at(t, Scope::User, ServersAt::CodexToml)], ..Report::default() };
        let p = plan(&r, Some(Path::new(r"C:\Program Files\Teleport\tsh.exe")), &FixOptions::default()).unwrap();
        let new = String::from_utf8(p.files[0].new_bytes.clone()).unwrap();
        assert_eq!(new, t.replace("'/gone/tsh'", r#""C:\\Program Files\\Teleport\\tsh.exe""#));
        let d = diff(&r.configs[0], "~/.codex/config.toml", &p.files[0].new_bytes);
        assert!(!d.contains("secret"), "{d}");
    }
}
