//! Which servers each client really loads, and why not when it does not: a server that its
//! client never starts is listed, but a stale path in it is not an error.
//!
//! Pure: the decisions are functions of what was read (the configs, the client's approval and
//! policy files) and of the folder the client would be started in.

/// Why a client does not load a server (JSON's `not_loaded_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotLoaded {
    /// Switched off in its entry or the client's settings.
    Disabled,
    /// A project server nobody approved yet (Claude Code asks first).
    PendingApproval,
    /// A project server the user declined.
    Rejected,
    /// A managed (enterprise) file is present, and the client loads only the servers it names.
    OverriddenByManaged,
    /// The client cannot parse the file, so it loads nothing from it.
    FileUnloadable,
    /// A managed allowlist exists and does not admit the server.
    NotInAllowlist,
    /// A managed denylist names the server.
    Denied,
    /// The same name in a scope the client prefers wins over this entry.
    Shadowed,
    /// The client does not trust the folder, so it loads nothing configured for it.
    UntrustedFolder,
    /// A Codex profile's file: read only by `codex --profile <name>`.
    ProfileOnly,
    /// Its settings filter it out by name (Gemini CLI's `mcp.excluded` / `mcp.allowed`).
    Blocked,
    /// A system file the client skips because someone besides root could change it.
    InsecureFile,
    /// An entry that only switches a server (`{"enabled": true}`), and no file defines one of
    /// that name.
    NoCommand,
    /// An Amazon Q or Kiro agent's file: read only in a session of that agent.
    AgentOnly,
}

impl NotLoaded {
    pub fn id(self) -> &'static str {
        match self {
            NotLoaded::Disabled => "disabled",
            NotLoaded::PendingApproval => "pending-approval",
            NotLoaded::Rejected => "rejected",
            NotLoaded::OverriddenByManaged => "overridden-by-managed",
            NotLoaded::FileUnloadable => "file-unloadable",
            NotLoaded::NotInAllowlist => "not-in-allowlist",
            NotLoaded::Denied => "denied",
            NotLoaded::Shadowed => "shadowed",
            NotLoaded::UntrustedFolder => "untrusted-folder",
            NotLoaded::ProfileOnly => "profile-only",
            NotLoaded::Blocked => "blocked",
            NotLoaded::InsecureFile => "insecure-file",
            NotLoaded::NoCommand => "no-command",
            NotLoaded::AgentOnly => "agent-only",
        }
    }
}

/// Whether the client can load `loc`'s file at all: a strict-JSON client refuses a file with
/// comments or trailing commas whole, Gemini CLI one with trailing commas or a BOM.
pub fn file_loadable(loc: &crate::clients::Location, doc: &crate::document::Document) -> bool {
    !(doc.needs_jsonc && loc.syntax == crate::clients::Syntax::Json) && client_refuses(loc, doc).is_none()
}

/// Why a client refuses a file that is valid JSONC, in its own words (seen with the real
/// Gemini CLI 0.61: it prints the error and starts no server at all).
pub fn client_refuses(loc: &crate::clients::Location, doc: &crate::document::Document) -> Option<String> {
    let spec = loc.client.spec();
    // Gemini CLI and its fork Qwen Code: `JSON.parse` of the text with its comments stripped.
    if doc.bom && spec.refuses_bom.at(loc.scope) {
        // Node's JSON.parse, or Copilot CLI's serde_json, in their words.
        let words = match loc.client {
            crate::clients::Client::CopilotCli => "Invalid JSON: expected value at line 1 column 1",
            _ => "Unexpected token '\u{feff}' … is not valid JSON",
        };
        Some(format!("starts with a byte order mark, which {} refuses (\"{words}\")", spec.display))
    } else if doc.trailing_commas && spec.refuses_trailing_commas {
        Some(format!(
            "has trailing commas, which {} refuses (\"Expected double-quoted property name in JSON\")",
            spec.display
        ))
    } else {
        None
    }
}

/// Marks, in every report, the servers their client does not load; then takes the edge off their
/// findings: a stale path in a server nobody starts is worth knowing, not an error.
pub fn apply(configs: &mut [crate::report::ConfigReport]) {
    // A server its entry switches off is listed by its client, never started.
    for c in configs.iter_mut() {
        let off = match c.loaded.location.switch() {
            crate::clients::Switch::DisabledTrue => ("disabled", true),
            // Codex's and OpenCode's layers merge, so there `enabled` is decided in [`codex`] and
            // [`opencode`].
            crate::clients::Switch::EnabledFalse
                if c.loaded.location.client != crate::clients::Client::Codex
                    && c.loaded.location.servers_at != crate::clients::ServersAt::OpencodeMcp =>
            {
                ("enabled", false)
            }
            _ => continue,
        };
        for s in &mut c.servers {
            if s.server.value.get(off.0) == Some(&serde_json::Value::Bool(off.1)) {
                s.not_loaded.get_or_insert(NotLoaded::Disabled);
            }
        }
    }
    for c in configs.iter_mut() {
        let loadable = c.loaded.document().is_none_or(|d| file_loadable(&c.loaded.location, d));
        if !loadable {
            for s in &mut c.servers {
                s.not_loaded.get_or_insert(NotLoaded::FileUnloadable);
            }
        }
    }
    for c in configs.iter_mut().filter(|c| c.loaded.location.scope == crate::clients::Scope::Managed) {
        let file = c.loaded.location.path.display().to_string();
        for f in c.servers.iter_mut().flat_map(|s| s.findings.iter_mut()).filter(|f| f.code.repairable()) {
            f.hint = format!(
                "{file} is managed by your organization (mcpcfg never writes it): ask your administrator to point the server at a stable tsh"
            );
        }
    }
    for c in configs.iter_mut() {
        let client = c.loaded.location.client.display();
        for s in &mut c.servers {
            let Some(why) = s.not_loaded else { continue };
            // The file's own error already says that nothing in it loads.
            if why == NotLoaded::FileUnloadable {
                continue;
            }
            for f in &mut s.findings {
                if f.severity == crate::findings::Severity::Error {
                    f.severity = crate::findings::Severity::Warning;
                }
                f.message.push_str(&format!(" ({client} does not load this server: {})", why.words()));
            }
        }
    }
}

impl NotLoaded {
    /// The reason in words, for messages and text output.
    pub fn words(self) -> &'static str {
        match self {
            NotLoaded::Disabled => "it is disabled",
            NotLoaded::PendingApproval => "it is pending your approval",
            NotLoaded::Rejected => "you declined it",
            NotLoaded::OverriddenByManaged => "a managed managed-mcp.json replaces every other server",
            NotLoaded::FileUnloadable => "it cannot parse the file",
            NotLoaded::NotInAllowlist => "the managed allowlist does not admit it (by name, or by its command)",
            NotLoaded::Denied => "the managed denylist names it",
            NotLoaded::Shadowed => "a server of the same name in a scope it prefers wins",
            NotLoaded::UntrustedFolder => "the folder is not trusted",
            NotLoaded::ProfileOnly => "it loads only when Codex runs with --profile and this file's name",
            NotLoaded::Blocked => "its settings exclude it (mcp.excluded, or not in mcp.allowed)",
            NotLoaded::InsecureFile => {
                "the file is not root's alone (owned by root, writable by no one else), so it is skipped"
            }
            NotLoaded::NoCommand => "no file gives this name a command; the entry only switches a server on or off",
            NotLoaded::AgentOnly => "it loads only in a session of this agent (`--agent` and the file's name)",
        }
    }
}

/// Where a Claude Code server comes from, which decides its precedence and its approval.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ClaudeKind {
    Managed,
    User,
    /// `projects.<key>.mcpServers` of `~/.claude.json`.
    Local(std::path::PathBuf),
    /// A `.mcp.json` in this folder.
    Project(std::path::PathBuf),
}

fn claude_kind(c: &crate::report::ConfigReport, s: &crate::document::Server) -> Option<ClaudeKind> {
    use crate::clients::{Client, Scope};
    let loc = &c.loaded.location;
    if loc.client != Client::ClaudeCode {
        return None;
    }
    Some(match loc.scope {
        Scope::Managed => ClaudeKind::Managed,
        Scope::Project => ClaudeKind::Project(loc.path.parent()?.to_path_buf()),
        Scope::User => match s.parent.as_slice() {
            [projects, key, _] if projects == "projects" => ClaudeKind::Local(key.into()),
            _ => ClaudeKind::User,
        },
    })
}

/// Decides which Claude Code servers Claude Code started in each of `starts` loads, as the real
/// client does: the managed file's exclusive control, the managed allow- and denylists, the
/// approval of `.mcp.json` servers, and precedence (local over the nearest `.mcp.json` over
/// farther ones over user) among servers of one name. `stable` is the tsh repairs point at:
/// a repair that would take a server out of a command allowlist is not offered.
pub fn claude_code(
    os: crate::platform::Os,
    configs: &mut [crate::report::ConfigReport],
    starts: &[crate::claude_state::Start],
    policy: &crate::claude_state::Policy,
    stable: Option<&std::path::Path>,
) {
    use crate::claude_state::{Approval, Candidate, Verdict};
    // Every Claude Code server of a file the client can load: (config, server, kind).
    let mut entries = Vec::new();
    for (ci, c) in configs.iter().enumerate() {
        if c.loaded.document().is_none_or(|d| !file_loadable(&c.loaded.location, d)) {
            continue;
        }
        for (si, s) in c.servers.iter().enumerate() {
            if let Some(k) = claude_kind(c, &s.server) {
                entries.push((ci, si, k));
            }
        }
    }
    // The folders whose `.mcp.json` each start reads, nearest first.
    let parents: Vec<Vec<std::path::PathBuf>> =
        starts.iter().map(|st| crate::clients::parents_below_root(os, &st.cwd)).collect();
    let rank = |i: usize, k: &ClaudeKind| -> Option<usize> {
        // Lower wins. `None`: does not apply to Claude Code started there.
        let (start, parents) = (&starts[i], &parents[i]);
        match k {
            ClaudeKind::Managed => Some(0),
            ClaudeKind::Local(key) => (*key == start.key).then_some(1),
            ClaudeKind::Project(dir) => parents.iter().position(|p| p == dir).map(|i| 2 + i),
            ClaudeKind::User => Some(usize::MAX),
        }
    };
    let mut verdicts: Vec<(usize, usize, NotLoaded)> = Vec::new();
    for &(ci, si, ref kind) in &entries {
        let s = &configs[ci].servers[si].server;
        let why = if policy.exclusive.is_some() && *kind != ClaudeKind::Managed {
            Some(NotLoaded::OverriddenByManaged)
        } else {
            match policy.verdict(&Candidate::of(s)) {
                Verdict::Denied => Some(NotLoaded::Denied),
                Verdict::NotInAllowlist => Some(NotLoaded::NotInAllowlist),
                Verdict::Admitted => None,
            }
        };
        // Shadowed where it applies, in every start it applies to.
        let applying: Vec<usize> = (0..starts.len()).filter(|&i| rank(i, kind).is_some()).collect();
        let shadowed = !applying.is_empty()
            && applying.iter().all(|&i| {
                let mine = rank(i, kind).unwrap_or(usize::MAX);
                entries.iter().any(|&(cj, sj, ref other)| {
                    (cj, sj) != (ci, si)
                        && configs[cj].servers[sj].server.name == s.name
                        && rank(i, other).is_some_and(|r| r < mine)
                })
            });
        let approval = match kind {
            ClaudeKind::Project(_) => {
                let mine: Vec<Approval> = applying.iter().map(|&i| starts[i].approval(&s.name)).collect();
                if mine.contains(&Approval::Approved) {
                    None
                } else if mine.contains(&Approval::Pending) || mine.is_empty() {
                    Some(NotLoaded::PendingApproval)
                } else {
                    Some(NotLoaded::Rejected)
                }
            }
            _ => None,
        };
        if let Some(why) = why.or(shadowed.then_some(NotLoaded::Shadowed)).or(approval) {
            verdicts.push((ci, si, why));
        }
        // A command allowlist admits this server by its command: a repair would drop it.
        if why.is_none() && policy.allows_by_command() && s.command.is_some() {
            let to = stable.map(|p| p.to_string_lossy().into_owned());
            let repaired = Candidate { command: to.as_deref(), ..Candidate::of(s) };
            if to.is_some() && policy.verdict(&repaired) != Verdict::Admitted {
                pin(&mut configs[ci].servers[si], policy, to.as_deref().unwrap_or_default());
            }
        }
    }
    for (ci, si, why) in verdicts {
        configs[ci].servers[si].not_loaded.get_or_insert(why);
    }
}

/// Keeps fix-config from repointing a server that a managed command allowlist admits by its
/// present command (Claude Code would silently drop it), and says what to ask for instead.
fn pin(s: &mut crate::report::ServerReport, policy: &crate::claude_state::Policy, to: &str) {
    let files: Vec<String> = policy.files.iter().map(|f| f.display().to_string()).collect();
    let entry = serde_json::json!({ "serverCommand": std::iter::once(to.to_owned()).chain(s.server.args.iter().cloned()).collect::<Vec<_>>() });
    s.pinned_by_policy = true;
    for f in s.findings.iter_mut().filter(|f| f.code.repairable()) {
        f.hint = format!(
            "the managed allowlist (allowedMcpServers in {}) admits this server by its command, and Claude Code drops it if the command changes: ask your administrator to add {entry} to allowedMcpServers, then run `mcpcfg fix-config`",
            files.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claude_state::{Policy, PolicyEntry, Start};
    use crate::clients::{Client, Location, Scope};
    use crate::findings::{Code, Finding, Severity};
    use crate::load::Loaded;
    use crate::platform::Os;
    use crate::report::{ConfigReport, ServerReport};

    fn config(scope: Scope, path: &str, text: &str) -> ConfigReport {
        report(Location::new(Client::ClaudeCode, scope, path.into()), text)
    }

    /// A report of the file `text` at `location`, each server a tsh server with an error.
    pub(super) fn report(location: Location, text: &str) -> ConfigReport {
        let parsed =
            crate::document::parse(text.as_bytes(), location.servers_at).map_err(crate::load::LoadError::Malformed);
        let servers = parsed
            .as_ref()
            .unwrap()
            .servers
            .iter()
            .map(|s| ServerReport {
                server: s.clone(),
                tsh: true,
                findings: vec![Finding {
                    skew: None,
                    code: Code::TshMissing,
                    severity: Severity::Error,
                    message: "gone".into(),
                    hint: String::new(),
                }],
                not_loaded: None,
                pinned_by_policy: false,
                command_has_variables: false,
            })
            .collect();
        ConfigReport {
            loaded: Loaded { identity: None, location, bytes: None, parsed },
            file_findings: vec![],
            servers,
        }
    }

    /// `~/.claude.json` with a user and a local `x`, and `/src/repo/.mcp.json` with `x` and `p`.
    fn world() -> Vec<ConfigReport> {
        vec![
            config(
                Scope::User,
                "/h/.claude.json",
                r#"{"mcpServers": {"x": {"command": "/u/tsh"}, "u": {"command": "/u/tsh"}},
                    "projects": {"/src/repo": {"mcpServers": {"x": {"command": "/l/tsh"}}},
                                 "/elsewhere": {"mcpServers": {"x": {"command": "/e/tsh"}}}}}"#,
            ),
            config(
                Scope::Project,
                "/src/repo/.mcp.json",
                r#"{"mcpServers": {"x": {"command": "/p/tsh"}, "p": {"command": "/p/tsh"}}}"#,
            ),
        ]
    }

    fn start() -> Start {
        Start { cwd: "/src/repo/api".into(), key: "/src/repo".into(), ..Start::default() }
    }

    fn reasons(configs: &[ConfigReport]) -> Vec<(String, Option<&'static str>)> {
        configs
            .iter()
            .flat_map(|c| c.servers.iter().map(|s| (s.server.label(), s.not_loaded.map(NotLoaded::id))))
            .collect()
    }

    #[test]
    fn precedence_local_then_nearest_project_then_user_and_approval() {
        let mut c = world();
        claude_code(Os::Linux, &mut c, &[start()], &Policy::default(), None);
        assert_eq!(
            reasons(&c),
            [
                ("x".into(), Some("shadowed")),
                ("u".into(), None),
                ("x (project /src/repo)".into(), None),
                // Another project's local server: Claude Code loads it there.
                ("x (project /elsewhere)".into(), None),
                ("x".into(), Some("shadowed")),
                ("p".into(), Some("pending-approval")),
            ]
        );
    }

    #[test]
    fn managed_file_overrides_every_other_server() {
        let mut c = world();
        c.push(config(
            Scope::Managed,
            "/etc/claude-code/managed-mcp.json",
            r#"{"mcpServers": {"m": {"command": "/m/tsh"}}}"#,
        ));
        let policy = Policy { exclusive: Some("/etc/claude-code/managed-mcp.json".into()), ..Policy::default() };
        claude_code(Os::Linux, &mut c, &[start()], &policy, None);
        let r = reasons(&c);
        assert_eq!(r.last().unwrap(), &("m".into(), None));
        assert!(r[..r.len() - 1].iter().all(|(_, why)| *why == Some("overridden-by-managed")), "{r:?}");
    }

    #[test]
    fn command_allowlist_pins_the_command_and_denylist_hides() {
        let mut c = world();
        let policy = Policy {
            allowed: Some(vec![
                PolicyEntry::Command(vec!["/u/tsh".into()]),
                PolicyEntry::Command(vec!["/p/tsh".into()]),
            ]),
            denied: vec![PolicyEntry::Name("p".into())],
            files: vec!["/etc/claude-code/managed-settings.json".into()],
            ..Policy::default()
        };
        claude_code(Os::Linux, &mut c, &[start()], &policy, Some(std::path::Path::new("/stable/tsh")));
        let u = &c[0].servers[1];
        assert_eq!(u.not_loaded, None);
        assert!(u.pinned_by_policy, "a repair to /stable/tsh would take it out of the allowlist");
        assert!(u.findings[0].hint.contains(r#"{"serverCommand":["/stable/tsh"]}"#), "{}", u.findings[0].hint);
        assert_eq!(c[0].servers[2].not_loaded, Some(NotLoaded::NotInAllowlist), "/l/tsh is not listed");
        assert_eq!(c[1].servers[1].not_loaded, Some(NotLoaded::Denied));
    }

    #[test]
    fn not_loaded_servers_are_warnings_and_an_unloadable_file_loads_nothing() {
        let mut c = world();
        claude_code(Os::Linux, &mut c, &[start()], &Policy::default(), None);
        apply(&mut c);
        let p = &c[1].servers[1];
        assert_eq!(p.findings[0].severity, Severity::Warning);
        assert!(p.findings[0].message.contains("Claude Code does not load this server: it is pending your approval"));
        let mut bad =
            vec![config(Scope::Project, "/src/.mcp.json", "{\n// c\n\"mcpServers\": {\"a\": {\"command\": \"/a\"}}}")];
        apply(&mut bad);
        assert_eq!(bad[0].servers[0].not_loaded, Some(NotLoaded::FileUnloadable));
        assert_eq!(bad[0].servers[0].findings[0].severity, Severity::Error, "the file's error speaks for it");
    }
}

/// The `[projects."<folder>"]` tables of Codex's user `config.toml`: each folder, and whether its
/// `trust_level` is `"trusted"` (any other level is a decision too: not trusted).
pub fn codex_projects(config: &str) -> Vec<(std::path::PathBuf, bool)> {
    let Ok(doc) = config.parse::<toml_edit::DocumentMut>() else { return vec![] };
    let Some(projects) = doc.get("projects").and_then(|p| p.as_table_like()) else { return vec![] };
    projects
        .iter()
        .filter_map(|(k, v)| {
            let level = v.get("trust_level")?.as_str()?;
            Some((std::path::PathBuf::from(k), level == "trusted"))
        })
        .collect()
}

/// Which Codex layers load and which entry of each server name wins, as Codex 0.171 decides
/// (seen with the real CLI; `codex-rs/config/src/loader`, `merge.rs`):
/// - a project's `.codex/config.toml` loads only when its folder is trusted, or, with no entry of
///   its own, when the project root is (`root`: the Git root it was read up to);
/// - `<profile>.config.toml` loads only with `codex --profile <profile>`;
/// - the layers merge field by field, lowest first: `/etc/codex/config.toml`, the user's
///   `config.toml`, the project layers from the root down to the working folder,
///   `/etc/codex/managed_config.toml`. The command comes from the highest layer that gives the
///   server a transport (`command` or `url`), so the same name lower down is shadowed; `enabled`
///   from the highest layer that sets it.
///
/// With `requirements` (the administrator's `requirements.toml` lists `[mcp_servers.<name>.identity]`),
/// a name it does not list, or whose merged command is not the listed `command`, is switched off
/// (`codex mcp list`: `disabled_reason: "requirements (…)"`, seen with 0.171); one it admits by
/// its command is pinned, since a repair would switch it off.
pub fn codex(
    configs: &mut [crate::report::ConfigReport],
    projects: &[(std::path::PathBuf, bool)],
    root: Option<&std::path::Path>,
    requirements: Option<&[(String, Option<String>)]>,
) {
    use crate::clients::{Client, Scope};
    let decision = |dir: &std::path::Path| projects.iter().find(|(p, _)| p == dir).map(|(_, t)| *t);
    for c in configs.iter_mut().filter(|c| c.loaded.location.client == Client::Codex) {
        let loc = &c.loaded.location;
        let why = if crate::clients::codex_profile(loc).is_some() {
            Some(NotLoaded::ProfileOnly)
        } else if loc.scope == Scope::Project {
            let folder = loc.path.parent().and_then(std::path::Path::parent);
            let trusted = folder.and_then(decision).or_else(|| root.and_then(decision)).unwrap_or(false);
            (!trusted).then_some(NotLoaded::UntrustedFolder)
        } else {
            None
        };
        if let Some(why) = why {
            for s in &mut c.servers {
                s.not_loaded.get_or_insert(why);
            }
        }
    }
    // Each loaded layer's rank: higher wins a field.
    let rank = |loc: &crate::clients::Location| match loc.scope {
        Scope::Managed if loc.path.file_name().is_some_and(|n| n == "managed_config.toml") => usize::MAX,
        Scope::Managed => 0,
        Scope::User => 1,
        // Nearer the working folder is deeper, and wins.
        Scope::Project => 2 + loc.path.components().count(),
    };
    let by_name = entries_by_name(configs, |l| (l.client == Client::Codex).then(|| rank(l)), true);
    merge_by_field(configs, by_name, false, |name, command| {
        let admitted = requirements.map(|reqs| reqs.iter().find(|(n, _)| n == name).map(|(_, c)| c.clone()));
        match admitted {
            // No requirements, or listed without a command.
            None | Some(Some(None)) => (false, false),
            Some(None) => (true, false),
            Some(Some(Some(listed))) => (command != Some(listed.as_str()), true),
        }
    });
}

/// The `[mcp_servers.<name>.identity]` entries of Codex's `requirements.toml`: each name, with
/// its `command` when it has one; `None` when the file lists no MCP servers (no restriction).
pub fn codex_requirements(text: &str) -> Option<Vec<(String, Option<String>)>> {
    let doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    let servers = doc.get("mcp_servers")?.as_table_like()?;
    Some(
        servers
            .iter()
            .map(|(name, v)| {
                let command =
                    v.get("identity").and_then(|i| i.get("command")).and_then(|c| c.as_str()).map(str::to_owned);
                (name.to_owned(), command)
            })
            .collect(),
    )
}

/// Marks the servers named in `names` disabled: a client that keeps its switches in a list of
/// its own (Copilot CLI's `disabledMcpServers`).
pub fn disable_named<'a>(configs: impl Iterator<Item = &'a mut crate::report::ConfigReport>, names: &[String]) {
    for c in configs {
        for s in c.servers.iter_mut().filter(|s| names.contains(&s.server.name)) {
            s.not_loaded.get_or_insert(NotLoaded::Disabled);
        }
    }
}

/// One entry of Gemini CLI's `~/.gemini/trustedFolders.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustRule {
    /// `TRUST_FOLDER`: this folder and everything under it.
    Folder,
    /// `TRUST_PARENT`: the folder above this one, and everything under it.
    Parent,
    /// `DO_NOT_TRUST`.
    DoNotTrust,
}

/// Parses `trustedFolders.json` (`{"<path>": "TRUST_FOLDER" | "TRUST_PARENT" | "DO_NOT_TRUST"}`);
/// a file that is not such an object trusts nothing.
pub fn parse_trusted_folders(bytes: &[u8]) -> Vec<(std::path::PathBuf, TrustRule)> {
    let Ok(map) = serde_json::from_slice::<std::collections::BTreeMap<String, String>>(bytes) else { return vec![] };
    map.into_iter()
        .filter_map(|(p, r)| {
            let rule = match r.as_str() {
                "TRUST_FOLDER" => TrustRule::Folder,
                "TRUST_PARENT" => TrustRule::Parent,
                "DO_NOT_TRUST" => TrustRule::DoNotTrust,
                _ => return None,
            };
            Some((std::path::PathBuf::from(p), rule))
        })
        .collect()
}

/// Whether Gemini CLI started in `cwd` trusts it, as the real client decides (0.61): the most
/// specific rule whose folder holds `cwd` wins; with none, the folder is untrusted, and then
/// Gemini starts no MCP server at all, user-level ones included.
pub fn gemini_trusted(
    os: crate::platform::Os,
    rules: &[(std::path::PathBuf, TrustRule)],
    cwd: &std::path::Path,
) -> bool {
    let holds = crate::clients::ancestors(os, cwd);
    rules
        .iter()
        .filter_map(|(p, rule)| {
            let dir = match rule {
                TrustRule::Parent => p.parent()?.to_path_buf(),
                _ => p.clone(),
            };
            let depth = holds.iter().position(|h| *h == dir)?;
            Some((depth, *rule))
        })
        .min_by_key(|(depth, _)| *depth)
        .is_some_and(|(_, rule)| rule != TrustRule::DoNotTrust)
}

/// What decides, beside the files' own servers, which Gemini CLI servers a session starts.
#[derive(Clone, Debug, Default)]
pub struct GeminiContext {
    /// The folder it would be started in is trusted (or trust is switched off).
    pub trusted: bool,
    /// `mcp.excluded` of every settings layer, together.
    pub excluded: Vec<String>,
    /// `mcp.allowed`: the names every layer that has one admits; `None` when no layer has one.
    pub allowed: Option<Vec<String>>,
    /// Servers switched off with `gemini mcp disable` (`mcp-server-enablement.json`).
    pub switched_off: Vec<String>,
    /// Extension files whose extension is disabled for that folder (`extension-enablement.json`).
    pub disabled_extensions: Vec<std::path::PathBuf>,
    /// System files Gemini skips: not owned by root, or writable by others (`loadSystemFile`).
    pub insecure: Vec<std::path::PathBuf>,
}

/// Which Gemini CLI servers a session started in the folder loads (0.61, `cli/src/config/settings.ts`
/// and core `McpClientManager`, seen with the real CLI):
/// - nothing at all in an untrusted folder, the system's and extensions' included;
/// - the settings layers merge by server name, each entry whole: system over workspace over
///   user over system defaults; an extension's server gives way to a settings entry of the same
///   name; the lower entries are shadowed;
/// - `mcp.excluded` (any layer) and `mcp.allowed` (every layer that has one) filter by name;
/// - a disabled extension, a server switched off with `gemini mcp disable`, and a system file
///   that is not root's alone, load nothing.
pub fn gemini(configs: &mut [crate::report::ConfigReport], ctx: &GeminiContext) {
    use crate::clients::{Client, Scope};
    let rank = |loc: &crate::clients::Location| match loc.scope {
        _ if crate::clients::is_gemini_extension(loc) => 0,
        Scope::Managed if loc.path.file_name().is_some_and(|n| n == "system-defaults.json") => 1,
        Scope::User => 2,
        Scope::Project => 3,
        Scope::Managed => 4,
    };
    for c in configs.iter_mut().filter(|c| c.loaded.location.client == Client::Gemini) {
        let file_off = if !ctx.trusted {
            Some(NotLoaded::UntrustedFolder)
        } else if ctx.insecure.contains(&c.loaded.location.path) {
            Some(NotLoaded::InsecureFile)
        } else if ctx.disabled_extensions.contains(&c.loaded.location.path) {
            Some(NotLoaded::Disabled)
        } else {
            None
        };
        for s in &mut c.servers {
            let name = &s.server.name;
            let why = file_off
                .or_else(|| ctx.excluded.contains(name).then_some(NotLoaded::Blocked))
                .or_else(|| ctx.allowed.as_ref().filter(|a| !a.contains(name)).map(|_| NotLoaded::Blocked))
                .or_else(|| ctx.switched_off.contains(name).then_some(NotLoaded::Disabled));
            if let Some(why) = why {
                s.not_loaded.get_or_insert(why);
            }
        }
    }
    shadow_by_rank(configs, Client::Gemini, |c| Some(rank(c)));
}

/// Each name's servers across the files `rank` ranks (`None`: not a layer of this merge), as
/// (rank, config, server): those in files their client can parse and not already left out; when
/// `merging`, not a copy a duplicate key hides either (its fields merge into nothing).
fn entries_by_name(
    configs: &[crate::report::ConfigReport],
    rank: impl Fn(&crate::clients::Location) -> Option<usize>,
    merging: bool,
) -> std::collections::BTreeMap<String, Vec<(usize, usize, usize)>> {
    let mut by_name: std::collections::BTreeMap<String, Vec<(usize, usize, usize)>> = Default::default();
    for (ci, c) in configs.iter().enumerate() {
        let Some(r) = rank(&c.loaded.location) else { continue };
        if c.loaded.document().is_some_and(|d| !file_loadable(&c.loaded.location, d)) {
            continue;
        }
        for (si, s) in c.servers.iter().enumerate() {
            if s.not_loaded.is_none() && !(merging && s.server.duplicate) {
                by_name.entry(s.server.name.clone()).or_default().push((r, ci, si));
            }
        }
    }
    by_name
}

/// Among the servers of one name that `client` loads from files it can parse, the one whose
/// file ranks highest wins and the others are shadowed. An entry already not loaded shadows
/// nothing; a file ranked `None` is left out.
fn shadow_by_rank(
    configs: &mut [crate::report::ConfigReport],
    client: crate::clients::Client,
    rank: impl Fn(&crate::clients::Location) -> Option<usize>,
) {
    let by_name = entries_by_name(configs, |l| if l.client == client { rank(l) } else { None }, false);
    for mut entries in by_name.into_values() {
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        for &(_, ci, si) in entries.iter().skip(1) {
            configs[ci].servers[si].not_loaded.get_or_insert(NotLoaded::Shadowed);
        }
    }
}

/// Layers that merge field by field (Codex's TOML layers, OpenCode's deep merge of its JSON
/// files). `by_name` holds each name's entries as (layer rank, config, server); of one name, the
/// highest layer that gives a `command` (or `url`) wins and the lower ones are shadowed, and
/// `enabled` comes from the highest layer that sets it. `policy` says of a name and the winning
/// command whether a policy switches it off and whether it pins it (Codex's requirements).
/// With `orphans_unloaded`, entries of a name that no layer gives a command or url (OpenCode's
/// `{"enabled": true}` alone) start nothing.
fn merge_by_field(
    configs: &mut [crate::report::ConfigReport],
    by_name: std::collections::BTreeMap<String, Vec<(usize, usize, usize)>>,
    orphans_unloaded: bool,
    policy: impl Fn(&str, Option<&str>) -> (bool, bool),
) {
    let starts = |v: &serde_json::Value| v.get("command").is_some() || v.get("url").is_some();
    for (name, mut entries) in by_name {
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        let values: Vec<serde_json::Value> =
            entries.iter().map(|&(_, ci, si)| configs[ci].servers[si].server.value.clone()).collect();
        let off = values.iter().find_map(|v| v.get("enabled")) == Some(&serde_json::Value::Bool(false));
        let winner = values.iter().find(|v| starts(v));
        let command = winner.and_then(|v| v.get("command")).and_then(command_text);
        let (refused, pinned) = policy(&name, command.as_deref());
        let mut winner_seen = false;
        for (&(_, ci, si), v) in entries.iter().zip(&values) {
            let s = &mut configs[ci].servers[si];
            if winner.is_none() && orphans_unloaded {
                s.not_loaded.get_or_insert(NotLoaded::NoCommand);
            }
            if off {
                s.not_loaded.get_or_insert(NotLoaded::Disabled);
            }
            if refused {
                s.not_loaded.get_or_insert(NotLoaded::NotInAllowlist);
            }
            if starts(v) {
                if winner_seen {
                    s.not_loaded.get_or_insert(NotLoaded::Shadowed);
                } else if pinned && !refused {
                    s.pinned_by_policy = true;
                }
                winner_seen = true;
            }
        }
    }
}

/// A command as its layer gives it: Codex's string, or the program of OpenCode's array.
fn command_text(c: &serde_json::Value) -> Option<String> {
    c.as_str().or_else(|| c.get(0).and_then(serde_json::Value::as_str)).map(str::to_owned)
}

/// Which servers a client of OpenCode's layout (OpenCode, Kilo CLI) loads: its files merge
/// deeply, so a name's fields come from the highest file that sets them (`opencode_rank`,
/// `kilo_rank`). An entry that only sets `enabled` switches a server of another file.
pub fn opencode(
    configs: &mut [crate::report::ConfigReport],
    opencode_env: &crate::clients::ConfigEnv,
    kilo_env: &crate::clients::ConfigEnv,
) {
    use crate::clients::{Client, ServersAt};
    for client in [Client::Opencode, Client::KiloCode] {
        let rank = |loc: &crate::clients::Location| {
            if loc.client != client || loc.servers_at != ServersAt::OpencodeMcp {
                return None;
            }
            Some(if client == Client::Opencode { opencode_rank(loc, opencode_env) } else { kilo_rank(loc, kilo_env) })
        };
        let by_name = entries_by_name(configs, rank, true);
        merge_by_field(configs, by_name, true, |_, _| (false, false));
    }
}

/// The name of a file's folder, and the file's position in `names` (0 when not there).
fn folder_and_index(loc: &crate::clients::Location, names: &[&str]) -> (String, usize) {
    let name = loc.path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let folder = loc.path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    (folder.unwrap_or_default(), names.iter().position(|n| *n == name).unwrap_or(0))
}

/// Whether a user-level file is the one a client's variable names (`$OPENCODE_CONFIG`), or in
/// the folder one names (`$OPENCODE_CONFIG_DIR`).
fn named_by_env(loc: &crate::clients::Location, env: &crate::clients::ConfigEnv) -> (bool, bool) {
    let user = loc.scope == crate::clients::Scope::User;
    (user && env.config.as_deref() == Some(loc.path.as_path()), user && env.config_dir.as_deref() == loc.path.parent())
}

/// How high an OpenCode file ranks (OpenCode 1.18.34, seen with `opencode mcp list`): the
/// user's files, `$OPENCODE_CONFIG`, then each project `opencode.json[c]` from the Git root
/// down to the working folder, then each `.opencode/opencode.json[c]` the other way (OpenCode
/// reads the nearest first, so the root's wins), then the home folder's `~/.opencode/`, then
/// `$OPENCODE_CONFIG_DIR`'s, then the system's; in one folder `opencode.jsonc` over
/// `opencode.json`.
fn opencode_rank(loc: &crate::clients::Location, env: &crate::clients::ConfigEnv) -> usize {
    use crate::clients::{OPENCODE_FOLDER_FILES, OPENCODE_USER_FILES, Scope};
    let (config_file, in_config_dir) = named_by_env(loc, env);
    let dot = folder_and_index(loc, &[]).0 == ".opencode";
    let user_folder = loc.scope == Scope::User && !in_config_dir && !dot;
    let names: &[&str] = if user_folder { &OPENCODE_USER_FILES } else { &OPENCODE_FOLDER_FILES };
    let index = folder_and_index(loc, names).1;
    let depth = loc.path.components().count();
    let layer = match loc.scope {
        _ if in_config_dir => 1 << 30,
        _ if config_file => 2,
        Scope::User if dot => 1 << 29,
        Scope::User => 1,
        // Every `.opencode/` file above every other project file, the shallower the higher (no
        // path is 2^19 folders deep); among the files, the deeper the higher.
        Scope::Project if dot => (1 << 20) + (1 << 19) - depth,
        Scope::Project => 2 + depth,
        Scope::Managed => 1 << 40,
    };
    layer << 4 | index
}

/// How high a Kilo CLI file ranks, from the lowest (7.7.9, seen with `kilo mcp list`):
/// 1. the user files of `~/.config/kilo` ([`KILO_USER_FILES`](crate::clients::KILO_USER_FILES)),
///    then `$KILO_CONFIG`;
/// 2. the project files: every `kilo.json[c]`, then every `opencode.json[c]`, each from the Git
///    root down to the working folder, `.jsonc` over `.json` in one folder;
/// 3. the project folders `.kilocode/` then `.kilo/` of each folder from the working folder *up*
///    to the Git root (Kilo reads the nearest first, so the root's wins), then the home
///    folder's `~/.kilocode/` and `~/.kilo/`, then `$KILO_CONFIG_DIR`, each file in the order
///    of [`KILO_DIR_FILES`](crate::clients::KILO_DIR_FILES);
/// 4. the managed folder (`/etc/kilo`).
fn kilo_rank(loc: &crate::clients::Location, env: &crate::clients::ConfigEnv) -> usize {
    use crate::clients::{KILO_DIR_FILES, KILO_DIRS, KILO_PROJECT_FILES, KILO_USER_FILES, Scope};
    let depth = loc.path.components().count();
    let (folder, _) = folder_and_index(loc, &[]);
    let dot = KILO_DIRS.iter().position(|d| *d == folder);
    let (config_file, in_config_dir) = named_by_env(loc, env);
    let layer = match (loc.scope, dot) {
        (Scope::Managed, _) => 1 << 40,
        _ if in_config_dir => (3 << 30) + 2,
        // Alone in its layer: its name ranks it against nothing.
        _ if config_file => 2,
        (Scope::User, Some(d)) => (3 << 30) + d,
        (Scope::User, None) => 1,
        // Shallower over deeper (no path is 2^20 folders deep), `.kilo/` over `.kilocode/`.
        (Scope::Project, Some(d)) => (2 << 30) + ((1 << 20) - depth) * 2 + d,
        (Scope::Project, None) => {
            let opencode = loc.path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("opencode"));
            (1 << 30) + (usize::from(opencode) << 20) + depth
        }
    };
    let names: &[&str] = match (loc.scope, dot) {
        _ if in_config_dir => &KILO_DIR_FILES,
        (Scope::User, None) => &KILO_USER_FILES,
        (Scope::Project, None) => &KILO_PROJECT_FILES,
        _ => &KILO_DIR_FILES,
    };
    layer << 4 | folder_and_index(loc, names).1
}

/// Which agent files of Amazon Q Developer CLI and Kiro CLI a plain session loads: only the
/// default agent's (`defaults`: each client's `chat.defaultAgent`), the workspace's file of that
/// name before the global one (`docs/agent-file-locations.md`: "Using workspace version"). Every
/// other agent's servers start only in that agent's sessions: worth repairing, not an error.
pub fn agents(configs: &mut [crate::report::ConfigReport], defaults: &[(crate::clients::Client, String)]) {
    use crate::clients::{Scope, is_agent_file};
    // Per client, the file of its default agent: the workspace's before the global one.
    let chosen: Vec<usize> = defaults
        .iter()
        .filter_map(|(client, name)| {
            configs
                .iter()
                .enumerate()
                .filter(|(_, c)| c.loaded.location.client == *client && is_agent_file(&c.loaded.location))
                .filter(|(_, c)| c.loaded.location.path.file_stem().is_some_and(|n| *n == **name))
                .min_by_key(|(_, c)| c.loaded.location.scope != Scope::Project)
                .map(|(i, _)| i)
        })
        .collect();
    for (i, c) in configs.iter_mut().enumerate() {
        if is_agent_file(&c.loaded.location) && !chosen.contains(&i) {
            for s in &mut c.servers {
                s.not_loaded.get_or_insert(NotLoaded::AgentOnly);
            }
        }
    }
}

/// Which Copilot CLI servers a session loads (1.0, seen with the real CLI):
/// - a project file only when its folder is in a trusted folder (`trusted_folders` of its
///   `config.json`, each folder on its own: trusting a subfolder does not trust the root's file);
/// - of one name, the nearest project file's entry wins, and any project entry over the user's;
/// - `disabledMcpServers` of its `settings.json` switches names off in every file.
pub fn copilot(
    os: crate::platform::Os,
    configs: &mut [crate::report::ConfigReport],
    trusted: &[std::path::PathBuf],
    disabled: &[String],
) {
    use crate::clients::{Client, Scope};
    for c in configs.iter_mut().filter(|c| c.loaded.location.client == Client::CopilotCli) {
        let loc = &c.loaded.location;
        let in_trusted = crate::clients::project_folder(&loc.path, ".github")
            .is_some_and(|f| crate::clients::ancestors(os, f).iter().any(|a| trusted.iter().any(|t| t == a)));
        if loc.scope == Scope::Project && !in_trusted {
            for s in &mut c.servers {
                s.not_loaded.get_or_insert(NotLoaded::UntrustedFolder);
            }
        }
    }
    // Deeper folders are nearer the folder it starts in.
    shadow_by_rank(configs, Client::CopilotCli, |l| match l.scope {
        Scope::Project => {
            crate::clients::project_folder(&l.path, ".github").map(|f| 1 + crate::clients::ancestors(os, f).len())
        }
        _ => Some(0),
    });
    disable_named(configs.iter_mut().filter(|c| c.loaded.location.client == Client::CopilotCli), disabled);
}

/// Whether Gemini CLI has the extension named `name` on in `cwd`, by the rules of its
/// `extension-enablement.json` (`extensionEnablement.ts`): `{"<name>": {"overrides": [rule…]}}`,
/// each rule a folder (`!` before it disables, `*` after it covers its subfolders), matched with
/// a slash on both sides; the last rule that matches decides, and with none it is on.
pub fn gemini_extension_enabled(enablement: &serde_json::Value, name: &str, cwd: &str) -> bool {
    let Some(rules) = enablement.get(name).and_then(|e| e.get("overrides")).and_then(|o| o.as_array()) else {
        return true;
    };
    let with_slashes = |p: &str| format!("/{}/", p.trim_matches('/'));
    let here = with_slashes(cwd);
    let mut on = true;
    for rule in rules.iter().filter_map(|r| r.as_str()) {
        let (off, rule) = match rule.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, rule),
        };
        let (deep, folder) = match rule.strip_suffix('*') {
            Some(f) => (true, f),
            None => (false, rule),
        };
        let folder = with_slashes(folder);
        let hit = if deep { here.starts_with(&folder) } else { here == folder };
        if hit {
            on = !off;
        }
    }
    on
}

#[cfg(test)]
mod gemini_tests {
    use super::*;
    use crate::platform::Os;
    use std::path::{Path, PathBuf};

    /// Each case was seen with the real Gemini CLI 0.61 (`gemini mcp list` in `/r/repo/sub`).
    #[test]
    fn trust_rules_as_gemini_applies_them() {
        let cwd = Path::new("/r/repo/sub");
        let t = |rules: &[(&str, TrustRule)]| {
            let rules: Vec<(PathBuf, TrustRule)> = rules.iter().map(|(p, r)| (PathBuf::from(p), *r)).collect();
            gemini_trusted(Os::Linux, &rules, cwd)
        };
        assert!(!t(&[]), "no rule: untrusted");
        assert!(t(&[("/r/repo", TrustRule::Folder)]), "a trusted folder holds its subfolders");
        assert!(t(&[("/r/repo/sub/x", TrustRule::Parent)]), "TRUST_PARENT trusts the folder above");
        assert!(!t(&[("/r/repo", TrustRule::Folder), ("/r/repo/sub", TrustRule::DoNotTrust)]), "the nearer rule wins");
        assert!(!t(&[("/r/other", TrustRule::Folder)]));
        let parsed = parse_trusted_folders(br#"{"/r/repo": "TRUST_FOLDER", "/x": "DO_NOT_TRUST", "/y": "what"}"#);
        assert_eq!(
            parsed,
            [(PathBuf::from("/r/repo"), TrustRule::Folder), (PathBuf::from("/x"), TrustRule::DoNotTrust)]
        );
    }

    fn at(scope: crate::clients::Scope, path: &str, text: &str) -> crate::report::ConfigReport {
        super::tests::report(crate::clients::Location::new(crate::clients::Client::Gemini, scope, path.into()), text)
    }

    /// Each server of `configs` as `<file> <name> <loaded, or why not>`.
    pub(super) fn reasons(configs: &[crate::report::ConfigReport]) -> Vec<String> {
        configs
            .iter()
            .flat_map(|c| {
                let file = c.loaded.location.path.display().to_string();
                c.servers
                    .iter()
                    .map(move |s| format!("{file} {} {}", s.server.name, s.not_loaded.map_or("loaded", NotLoaded::id)))
            })
            .collect()
    }

    /// Seen with Gemini CLI 0.61: system over workspace over user over system defaults, by name,
    /// each entry whole; settings over an extension; `mcp.excluded` and `mcp.allowed` by name.
    #[test]
    fn gemini_layers_by_name_and_the_filters() {
        use crate::clients::Scope::*;
        let world = || {
            vec![
                at(
                    Managed,
                    "/etc/gemini-cli/system-defaults.json",
                    r#"{"mcpServers": {"dup": {"command": "/d"}, "d": {"command": "/d"}}}"#,
                ),
                at(
                    User,
                    "/h/.gemini/settings.json",
                    r#"{"mcpServers": {"dup": {"command": "/u"}, "ext-dup": {"command": "/u"}, "x": {"command": "/u"}}}"#,
                ),
                at(Project, "/w/.gemini/settings.json", r#"{"mcpServers": {"dup": {"command": "/w"}}}"#),
                at(Managed, "/etc/gemini-cli/settings.json", r#"{"mcpServers": {"dup": {"command": "/s"}}}"#),
                at(
                    User,
                    "/h/.gemini/extensions/e/gemini-extension.json",
                    r#"{"mcpServers": {"ext-dup": {"command": "/e"}, "e": {"command": "/e"}}}"#,
                ),
            ]
        };
        let mut c = world();
        gemini(&mut c, &GeminiContext { trusted: true, excluded: vec!["x".into()], ..Default::default() });
        assert_eq!(
            reasons(&c),
            [
                "/etc/gemini-cli/system-defaults.json dup shadowed",
                "/etc/gemini-cli/system-defaults.json d loaded",
                "/h/.gemini/settings.json dup shadowed",
                "/h/.gemini/settings.json ext-dup loaded",
                "/h/.gemini/settings.json x blocked",
                "/w/.gemini/settings.json dup shadowed",
                "/etc/gemini-cli/settings.json dup loaded",
                "/h/.gemini/extensions/e/gemini-extension.json ext-dup shadowed",
                "/h/.gemini/extensions/e/gemini-extension.json e loaded",
            ]
        );
        // Only what every `mcp.allowed` names; a disabled extension and an insecure system file load nothing.
        let mut c = world();
        let ctx = GeminiContext {
            trusted: true,
            allowed: Some(vec!["dup".into(), "e".into()]),
            disabled_extensions: vec!["/h/.gemini/extensions/e/gemini-extension.json".into()],
            insecure: vec!["/etc/gemini-cli/settings.json".into()],
            ..Default::default()
        };
        gemini(&mut c, &ctx);
        let r = reasons(&c);
        for want in [
            "/etc/gemini-cli/settings.json dup insecure-file",
            "/w/.gemini/settings.json dup loaded",
            "/h/.gemini/settings.json x blocked",
            "/h/.gemini/extensions/e/gemini-extension.json e disabled",
        ] {
            assert!(r.contains(&want.to_owned()), "{want}: {r:#?}");
        }
        let mut c = world();
        gemini(&mut c, &GeminiContext::default());
        assert!(reasons(&c).iter().all(|r| r.ends_with("untrusted-folder")), "{:?}", reasons(&c));
    }

    /// `extension-enablement.json` as `extensionEnablement.ts` reads it (and as `gemini extensions
    /// disable` writes it: `!<home>/*` for the user scope, `!<cwd>/*` for the workspace).
    #[test]
    fn gemini_extension_enablement_rules() {
        let e = serde_json::json!({
            "a": {"overrides": ["!/h/*"]},
            "b": {"overrides": ["/h/*", "!/h/w/*"]},
            "c": {"overrides": ["!/h/w/"]},
        });
        assert!(!gemini_extension_enabled(&e, "a", "/h/w/sub"));
        assert!(!gemini_extension_enabled(&e, "b", "/h/w"), "the last rule that matches");
        assert!(gemini_extension_enabled(&e, "b", "/h/x"));
        assert!(!gemini_extension_enabled(&e, "c", "/h/w"));
        assert!(gemini_extension_enabled(&e, "c", "/h/w/sub"), "without `*` only the folder itself");
        assert!(gemini_extension_enabled(&e, "none", "/h"), "no rule: on");
    }
}

#[cfg(test)]
mod codex_tests {
    use super::*;
    use crate::clients::{Client, Location, Scope};
    use crate::report::ConfigReport;
    use std::path::{Path, PathBuf};

    #[test]
    fn codex_projects_from_its_config() {
        let cfg = "[mcp_servers.a]\ncommand = \"x\"\n\n[projects.\"/r/repo\"]\ntrust_level = \"trusted\"\n\n[projects.\"/r/other\"]\ntrust_level = \"untrusted\"\n";
        assert_eq!(codex_projects(cfg), [(PathBuf::from("/r/repo"), true), (PathBuf::from("/r/other"), false)]);
        assert!(codex_projects("not toml [").is_empty());
    }

    fn at(scope: Scope, path: &str, text: &str) -> ConfigReport {
        super::tests::report(Location::new(Client::Codex, scope, path.into()), text)
    }

    fn reasons(configs: &[ConfigReport]) -> Vec<(String, Option<&'static str>)> {
        configs
            .iter()
            .flat_map(|c| {
                let file = c.loaded.location.path.display().to_string();
                c.servers.iter().map(move |s| (format!("{file} {}", s.server.name), s.not_loaded.map(NotLoaded::id)))
            })
            .collect()
    }

    /// Seen with the real Codex 0.171 (`codex mcp list --json` in `/r/repo/sub`, Git root `/r/repo`):
    /// the layers merge field by field, so the command of `base` comes from the highest layer that
    /// names one, and the others are shadowed; `enabled` set in a higher layer counts for the name;
    /// a project layer needs its own folder's trust, or the root's when it has no entry.
    #[test]
    fn codex_layers_merge_by_field_and_the_highest_command_wins() {
        let world = || {
            vec![
                at(
                    Scope::Managed,
                    "/etc/codex/config.toml",
                    "[mcp_servers.base]\ncommand = \"/sys/tsh\"\n[mcp_servers.sys]\ncommand = \"/sys/tsh\"\n",
                ),
                at(
                    Scope::User,
                    "/h/.codex/config.toml",
                    "[mcp_servers.base]\ncommand = \"/u/tsh\"\n[mcp_servers.off]\ncommand = \"/u/tsh\"\n",
                ),
                at(Scope::User, "/h/.codex/work.config.toml", "[mcp_servers.base]\ncommand = \"/w/tsh\"\n"),
                at(Scope::Project, "/r/repo/.codex/config.toml", "[mcp_servers.base]\ncommand = \"/root/tsh\"\n"),
                at(
                    Scope::Project,
                    "/r/repo/sub/.codex/config.toml",
                    "[mcp_servers.base]\nargs = [\"sub\"]\n[mcp_servers.off]\nenabled = false\n",
                ),
                at(Scope::Managed, "/etc/codex/managed_config.toml", "[mcp_servers.sys]\nargs = [\"managed\"]\n"),
            ]
        };
        let root = Path::new("/r/repo");
        let mut c = world();
        codex(&mut c, &[(root.into(), true)], Some(root), None);
        assert_eq!(
            reasons(&c),
            [
                ("/etc/codex/config.toml base".into(), Some("shadowed")),
                ("/etc/codex/config.toml sys".into(), None),
                ("/h/.codex/config.toml base".into(), Some("shadowed")),
                ("/h/.codex/config.toml off".into(), Some("disabled")),
                ("/h/.codex/work.config.toml base".into(), Some("profile-only")),
                ("/r/repo/.codex/config.toml base".into(), None),
                ("/r/repo/sub/.codex/config.toml base".into(), None),
                ("/r/repo/sub/.codex/config.toml off".into(), Some("disabled")),
                ("/etc/codex/managed_config.toml sys".into(), None),
            ]
        );
        // Only `sub` trusted: the root's layer is off, so the user's `base` wins again.
        let mut c = world();
        codex(&mut c, &[(PathBuf::from("/r/repo/sub"), true)], Some(root), None);
        let r = reasons(&c);
        assert!(r.contains(&("/h/.codex/config.toml base".into(), None)), "{r:?}");
        assert!(r.contains(&("/r/repo/.codex/config.toml base".into(), Some("untrusted-folder"))), "{r:?}");
        // Nothing trusted: no project layer loads.
        let mut c = world();
        codex(&mut c, &[(root.into(), false)], Some(root), None);
        let r = reasons(&c);
        assert!(r.contains(&("/r/repo/sub/.codex/config.toml off".into(), Some("untrusted-folder"))), "{r:?}");
        assert!(r.contains(&("/h/.codex/config.toml off".into(), None)), "{r:?}");
    }

    /// `requirements.toml` as Codex 0.171 applies it: a name it lists with the same command
    /// stays (and is pinned: a repair would switch it off), one with another command or not
    /// listed is switched off.
    #[test]
    fn codex_requirements_admit_by_name_and_command() {
        let reqs = codex_requirements(
            "[mcp_servers.a.identity]\ncommand = \"/bin/a\"\n[mcp_servers.b.identity]\ncommand = \"/bin/other\"\n",
        )
        .unwrap();
        let mut c = vec![at(
            Scope::User,
            "/h/.codex/config.toml",
            "[mcp_servers.a]\ncommand = \"/bin/a\"\nargs = [\"x\"]\n[mcp_servers.b]\ncommand = \"/bin/b\"\n[mcp_servers.c]\ncommand = \"/bin/c\"\n",
        )];
        codex(&mut c, &[], None, Some(&reqs));
        assert_eq!(
            reasons(&c),
            [
                ("/h/.codex/config.toml a".into(), None),
                ("/h/.codex/config.toml b".into(), Some("not-in-allowlist")),
                ("/h/.codex/config.toml c".into(), Some("not-in-allowlist")),
            ]
        );
        assert!(c[0].servers[0].pinned_by_policy);
        assert_eq!(codex_requirements("model = \"x\"\n"), None, "no servers listed: no restriction");
    }
}

/// The hash Qwen Code binds an approval to (`hashMcpServerConfig`, 0.24): SHA-256 of the entry's
/// `JSON.stringify` with every object's keys sorted, leaving out `scope`, `extensionName` and
/// `description`. An entry of `.mcp.json` is first read as Claude Code's (`normalizeClaudeMcpServer`:
/// a `type` beside `command` is dropped; `url` becomes `httpUrl` for `type: "http"`).
pub fn qwen_hash(entry: &serde_json::Value, from_mcp_json: bool) -> String {
    use serde_json::Value;
    use sha2::Digest;
    let mut e = entry.as_object().cloned().unwrap_or_default();
    if from_mcp_json {
        let kind = e.get("type").cloned();
        let starts = ["command", "httpUrl", "tcp"].iter().any(|k| e.get(*k).is_some_and(truthy));
        if starts {
            if kind.as_ref().is_some_and(|t| t.as_str() != Some("sdk")) {
                e.remove("type");
            }
        } else if let Some(Value::String(url)) = e.remove("url") {
            if kind.as_ref().and_then(Value::as_str) != Some("sdk") {
                e.remove("type");
            }
            let key = if kind.as_ref().and_then(Value::as_str) == Some("http") { "httpUrl" } else { "url" };
            e.insert(key.into(), Value::String(url));
        }
    }
    for k in ["scope", "extensionName", "description"] {
        e.remove(k);
    }
    let mut text = String::new();
    js_stringify(&Value::Object(e), &mut text);
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// JavaScript's truthiness of a JSON value.
fn truthy(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// `JSON.stringify(v)` with object keys sorted, as JavaScript writes it: numbers without a
/// needless `.0`, strings escaped as serde_json escapes them (the same set of escapes).
fn js_stringify(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            // JavaScript sorts by UTF-16 code units; they order like UTF-8 bytes below U+D800.
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                js_stringify(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                js_stringify(x, out);
            }
            out.push(']');
        }
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e21 => out.push_str(&format!("{f:.0}")),
            _ => out.push_str(&n.to_string()),
        },
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// Which Qwen Code servers a session started in a project's folder loads (0.24,
/// `cli/src/config/mcpServers.ts`, `mcpApprovals.ts`; seen with the real CLI):
/// - of one name, system settings win over the project's `.qwen/settings.json`, that over the
///   project's `.mcp.json`, that over the user's settings;
/// - a project server (from either project file) starts only once approved with
///   `qwen mcp approve`, and only while its entry hashes as it did then: `approvals` is
///   `mcpApprovals.json`, `{"<project folder>": {"<name>": {"hash", "status"}}}`. `hash` gives an
///   entry's hash as Qwen Code computes it (after expanding variables in settings files).
pub fn qwen(
    os: crate::platform::Os,
    configs: &mut [crate::report::ConfigReport],
    approvals: &serde_json::Value,
    hash: impl Fn(&crate::clients::Location, &crate::document::Server) -> String,
) {
    use crate::clients::{Client, Scope};
    let is_mcp_json = |l: &crate::clients::Location| l.path.file_name().is_some_and(|n| n == ".mcp.json");
    // The layers merge first: a project entry waiting for approval still hides the user's.
    shadow_by_rank(configs, Client::QwenCode, |l| {
        Some(match l.scope {
            Scope::User => 0,
            Scope::Project if is_mcp_json(l) => 1,
            Scope::Project => 2,
            Scope::Managed => 3,
        })
    });
    for c in configs.iter_mut().filter(|c| c.loaded.location.client == Client::QwenCode) {
        let loc = c.loaded.location.clone();
        if loc.scope != Scope::Project {
            continue;
        }
        let folder = crate::clients::project_folder(&loc.path, ".qwen");
        let mut key = folder.map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        if os == crate::platform::Os::Windows {
            key = key.to_lowercase();
        }
        for s in &mut c.servers {
            let record = approvals.get(&key).and_then(|p| p.get(&s.server.name));
            let bound =
                record.and_then(|r| r.get("hash")).and_then(|h| h.as_str()) == Some(hash(&loc, &s.server).as_str());
            let why = match record.and_then(|r| r.get("status")).and_then(|v| v.as_str()) {
                Some("approved") if bound => None,
                Some("rejected") if bound => Some(NotLoaded::Rejected),
                _ => Some(NotLoaded::PendingApproval),
            };
            if let Some(why) = why {
                s.not_loaded.get_or_insert(why);
            }
        }
    }
}

#[cfg(test)]
mod copilot_qwen_tests {
    use super::*;
    use crate::clients::{Client, Location, Scope};
    use crate::platform::Os;
    use crate::report::ConfigReport;
    use std::path::PathBuf;

    fn at(client: Client, scope: Scope, path: &str, text: &str) -> ConfigReport {
        super::tests::report(Location::new(client, scope, path.into()), text)
    }

    use super::gemini_tests::reasons;

    /// Every server back to loaded, for the next decision on the same files.
    fn reset(configs: &mut [ConfigReport]) {
        configs.iter_mut().flat_map(|c| &mut c.servers).for_each(|s| s.not_loaded = None);
    }

    const ONE: &str = r#"{"mcpServers": {"a": {"command": "/x"}, "b": {"command": "/y"}}}"#;

    /// Seen with Copilot CLI 1.0 (`copilot mcp list --json` in `/r/repo/sub`, Git root `/r/repo`):
    /// each project folder needs its own trust; the nearest file wins a name, project over user;
    /// `disabledMcpServers` switches a name off everywhere.
    #[test]
    fn copilot_project_files_need_a_trusted_folder_and_the_nearest_wins() {
        let mut configs = vec![
            at(Client::CopilotCli, Scope::User, "/h/.copilot/mcp-config.json", ONE),
            at(
                Client::CopilotCli,
                Scope::Project,
                "/r/repo/sub/.mcp.json",
                r#"{"mcpServers": {"a": {"command": "/s"}}}"#,
            ),
            at(Client::CopilotCli, Scope::Project, "/r/repo/.github/mcp.json", ONE),
        ];
        copilot(Os::Linux, &mut configs, &[PathBuf::from("/r/repo")], &["b".into()]);
        assert_eq!(
            reasons(&configs),
            [
                "/h/.copilot/mcp-config.json a shadowed",
                "/h/.copilot/mcp-config.json b shadowed",
                "/r/repo/sub/.mcp.json a loaded",
                "/r/repo/.github/mcp.json a shadowed",
                "/r/repo/.github/mcp.json b disabled",
            ]
        );
        reset(&mut configs);
        // Trusting the subfolder does not trust the root's file; `/r/repo2` is no part of `/r/repo`.
        copilot(Os::Linux, &mut configs, &[PathBuf::from("/r/repo/sub"), PathBuf::from("/r/repo2")], &[]);
        assert_eq!(
            reasons(&configs),
            [
                "/h/.copilot/mcp-config.json a shadowed",
                "/h/.copilot/mcp-config.json b loaded",
                "/r/repo/sub/.mcp.json a loaded",
                "/r/repo/.github/mcp.json a untrusted-folder",
                "/r/repo/.github/mcp.json b untrusted-folder",
            ]
        );
    }

    /// Seen with OpenCode 1.18 in `/r/app/sub` (Git root `/r/app`): fields merge, the highest file
    /// that sets one wins it: user, then `opencode.json` from the root down, then `.opencode/`.
    #[test]
    fn opencode_files_merge_by_field() {
        let local = |cmd: &str| format!(r#"{{"type": "local", "command": ["{cmd}"]}}"#);
        let mut configs = vec![
            at(
                Client::Opencode,
                Scope::User,
                "/h/.config/opencode/opencode.json",
                &format!(r#"{{"mcp": {{"a": {}, "b": {}, "c": {}}}}}"#, local("/ua"), local("/ub"), local("/uc")),
            ),
            at(
                Client::Opencode,
                Scope::Project,
                "/r/app/sub/opencode.json",
                &format!(
                    r#"{{"mcp": {{"a": {{"enabled": false}}, "b": {}, "d": {{"enabled": true}}}}}}"#,
                    local("/sb")
                ),
            ),
            at(
                Client::Opencode,
                Scope::Project,
                "/r/app/opencode.json",
                &format!(r#"{{"mcp": {{"b": {}}}}}"#, local("/rb")),
            ),
            at(
                Client::Opencode,
                Scope::Project,
                "/r/app/.opencode/opencode.json",
                &format!(r#"{{"mcp": {{"c": {}}}}}"#, local("/oc")),
            ),
        ];
        opencode(&mut configs, &Default::default(), &Default::default());
        assert_eq!(
            reasons(&configs),
            [
                "/h/.config/opencode/opencode.json a disabled",
                "/h/.config/opencode/opencode.json b shadowed",
                "/h/.config/opencode/opencode.json c shadowed",
                "/r/app/sub/opencode.json a disabled",
                "/r/app/sub/opencode.json b loaded",
                "/r/app/sub/opencode.json d no-command",
                "/r/app/opencode.json b shadowed",
                "/r/app/.opencode/opencode.json c loaded",
            ]
        );
    }

    /// OpenCode 1.18.34's order with both of its variables set, each file over the ones before.
    #[test]
    fn opencode_files_rank_with_its_variables_as_opencode_reads_them() {
        let env = crate::clients::ConfigEnv { config: Some("/c/mine.json".into()), config_dir: Some("/oc".into()) };
        let ascending = [
            (Scope::User, "/h/.config/opencode/opencode.jsonc"),
            (Scope::User, "/c/mine.json"),
            (Scope::Project, "/r/opencode.json"),
            (Scope::Project, "/r/app/opencode.jsonc"),
            (Scope::Project, "/r/app/.opencode/opencode.jsonc"),
            (Scope::Project, "/r/.opencode/opencode.json"),
            (Scope::Project, "/r/.opencode/opencode.jsonc"),
            (Scope::User, "/h/.opencode/opencode.json"),
            (Scope::User, "/h/.opencode/opencode.jsonc"),
            (Scope::User, "/oc/opencode.json"),
            (Scope::User, "/oc/opencode.jsonc"),
            (Scope::Managed, "/etc/opencode/opencode.json"),
        ];
        let ranks: Vec<usize> = ascending
            .iter()
            .map(|(scope, p)| opencode_rank(&Location::new(Client::Opencode, *scope, p.into()), &env))
            .collect();
        assert_ascending(&ascending, &ranks);
    }

    /// Each file of `files` ranks below the next.
    fn assert_ascending(files: &[(Scope, &str)], ranks: &[usize]) {
        for (i, pair) in ranks.windows(2).enumerate() {
            assert!(pair[0] < pair[1], "{} must rank below {}", files[i].1, files[i + 1].1);
        }
    }

    /// Kilo CLI 7.7.9's order, each file over the ones before it, as `kilo mcp list` showed in
    /// `/r/app` (Git root `/r`) with one name in each pair of files.
    #[test]
    fn kilo_cli_files_rank_as_kilo_reads_them() {
        let ascending = [
            (Scope::User, "/h/.config/kilo/config.json"),
            (Scope::User, "/h/.config/kilo/opencode.jsonc"),
            (Scope::Project, "/r/kilo.json"),
            (Scope::Project, "/r/kilo.jsonc"),
            (Scope::Project, "/r/app/kilo.json"),
            (Scope::Project, "/r/app/kilo.jsonc"),
            // Every `opencode.json[c]` over every `kilo.json[c]`, however deep.
            (Scope::Project, "/r/opencode.json"),
            (Scope::Project, "/r/opencode.jsonc"),
            (Scope::Project, "/r/app/opencode.json"),
            (Scope::Project, "/r/app/opencode.jsonc"),
            // The folders over the files, the nearest folder's lowest.
            (Scope::Project, "/r/app/.kilocode/opencode.json"),
            (Scope::Project, "/r/app/.kilo/kilo.jsonc"),
            (Scope::Project, "/r/app/.kilo/opencode.json"),
            (Scope::Project, "/r/.kilocode/kilo.jsonc"),
            (Scope::Project, "/r/.kilo/kilo.jsonc"),
            (Scope::Project, "/r/.kilo/kilo.json"),
            (Scope::Project, "/r/.kilo/opencode.jsonc"),
            (Scope::Project, "/r/.kilo/opencode.json"),
            (Scope::User, "/h/.kilocode/opencode.json"),
            (Scope::User, "/h/.kilo/kilo.jsonc"),
            (Scope::User, "/kc/kilo.jsonc"),
            (Scope::User, "/kc/opencode.json"),
            (Scope::Managed, "/etc/kilo/kilo.jsonc"),
            (Scope::Managed, "/etc/kilo/opencode.json"),
        ];
        let env = crate::clients::ConfigEnv { config: Some("/c/mine.json".into()), config_dir: Some("/kc".into()) };
        let rank = |scope: Scope, p: &str| kilo_rank(&Location::new(Client::KiloCode, scope, p.into()), &env);
        let ranks: Vec<usize> = ascending.iter().map(|(scope, p)| rank(*scope, p)).collect();
        // `$KILO_CONFIG` between the user files and the project's.
        let config = rank(Scope::User, "/c/mine.json");
        assert!(ranks[1] < config && config < ranks[2]);
        assert_ascending(&ascending, &ranks);
    }

    /// Only the default agent loads in a plain session, the workspace's file of that name before
    /// the global one (Amazon Q's `docs/agent-file-locations.md`).
    #[test]
    fn the_default_agent_loads_and_the_workspace_one_wins() {
        let mut configs = vec![
            at(Client::AmazonQ, Scope::User, "/h/.aws/amazonq/mcp.json", ONE),
            at(Client::AmazonQ, Scope::User, "/h/.aws/amazonq/cli-agents/dev.json", ONE),
            at(Client::AmazonQ, Scope::Project, "/r/.amazonq/cli-agents/dev.json", ONE),
            at(Client::AmazonQ, Scope::User, "/h/.aws/amazonq/cli-agents/ops.json", ONE),
        ];
        agents(&mut configs, &[(Client::AmazonQ, "dev".into())]);
        let got: Vec<String> = reasons(&configs).into_iter().filter(|r| r.contains(" a ")).collect();
        assert_eq!(
            got,
            [
                "/h/.aws/amazonq/mcp.json a loaded",
                "/h/.aws/amazonq/cli-agents/dev.json a agent-only",
                "/r/.amazonq/cli-agents/dev.json a loaded",
                "/h/.aws/amazonq/cli-agents/ops.json a agent-only",
            ]
        );
    }

    /// The hash Qwen Code 0.24 stored on `qwen mcp approve mj` for
    /// `"mj": {"command": "/bin/true", "args": []}` in `.mcp.json`.
    #[test]
    fn qwen_hash_is_the_one_qwen_code_stores() {
        let entry = serde_json::json!({"command": "/bin/true", "args": []});
        assert_eq!(qwen_hash(&entry, true), "f0bcb5ea54e6fd2e301f1747ae8cb923880cc4ae21d50d6de25eb1e96d15108f");
        // `type` beside `command` and the provenance keys do not count; other keys do, in any order.
        let typed = serde_json::json!({"type": "stdio", "args": [], "description": "d", "command": "/bin/true"});
        assert_eq!(qwen_hash(&typed, true), qwen_hash(&entry, true));
        assert_ne!(qwen_hash(&typed, false), qwen_hash(&entry, false), "settings entries keep `type`");
        assert_ne!(qwen_hash(&serde_json::json!({"command": "/bin/tsh", "args": []}), true), qwen_hash(&entry, true));
        let mut s = String::new();
        js_stringify(&serde_json::json!({"b": [1, 2.0, 2.5, "\u{1}\n\"é"], "a": {"z": null, "y": true}}), &mut s);
        assert_eq!(s, r#"{"a":{"y":true,"z":null},"b":[1,2,2.5,"\u0001\n\"é"]}"#);
    }

    /// Seen with Qwen Code 0.24 in `/r/app`: project servers wait for approval, bound to their
    /// entry's hash; the project settings beat `.mcp.json`, which beats the user's settings.
    #[test]
    fn qwen_project_servers_load_once_approved_as_they_are() {
        let mut configs = vec![
            at(Client::QwenCode, Scope::User, "/h/.qwen/settings.json", ONE),
            at(Client::QwenCode, Scope::Project, "/r/app/.mcp.json", ONE),
            at(
                Client::QwenCode,
                Scope::Project,
                "/r/app/.qwen/settings.json",
                r#"{"mcpServers": {"b": {"command": "/w"}}}"#,
            ),
        ];
        let hash = |_: &Location, s: &crate::document::Server| format!("h-{}", s.command.as_ref().unwrap().value);
        let approvals = serde_json::json!({"/r/app": {
            "a": {"hash": "h-/x", "status": "approved"},
            "b": {"hash": "h-/old", "status": "approved"},
        }});
        qwen(Os::Linux, &mut configs, &approvals, hash);
        assert_eq!(
            reasons(&configs),
            [
                "/h/.qwen/settings.json a shadowed",
                "/h/.qwen/settings.json b shadowed",
                "/r/app/.mcp.json a loaded",
                "/r/app/.mcp.json b shadowed",
                "/r/app/.qwen/settings.json b pending-approval",
            ]
        );
        reset(&mut configs);
        let approvals = serde_json::json!({"/r/app": {"a": {"hash": "h-/x", "status": "rejected"}}});
        qwen(Os::Linux, &mut configs, &approvals, hash);
        assert_eq!(reasons(&configs)[2], "/r/app/.mcp.json a rejected");
    }
}
