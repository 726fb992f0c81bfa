//! Claude Code's state around its MCP configs, which decides whether a server it finds is
//! started: the project key, trust and approvals, and the managed (enterprise) policy.
//!
//! Every rule here was seen with the real client (2.1.332, see the interop suite):
//! - The project key, under which `~/.claude.json` keeps `projects.<key>` (local servers, trust),
//!   is the nearest folder from the working folder up that holds `.git` (a folder or a
//!   `gitdir:` file), else the working folder itself.
//! - A `.mcp.json` server is *rejected* when any settings file or `projects.<key>` lists it in
//!   `disabledMcpjsonServers` (that always wins); *approved* when the user settings
//!   (`~/.claude/settings.json`) list it in `enabledMcpjsonServers` or set
//!   `enableAllProjectMcpServers`, or, only once the project is trusted
//!   (`projects.<key>.hasTrustDialogAccepted`), when the project's own settings
//!   (`.claude/settings.json`, `.claude/settings.local.json`) or `projects.<key>` do; else it
//!   is *pending approval*.
//! - A managed `managed-mcp.json` takes exclusive control: only its servers load. Managed
//!   settings (`managed-settings.json` and `managed-settings.d/*.json`) filter every server by
//!   `allowedMcpServers` / `deniedMcpServers`: entries of exactly one of `serverName`,
//!   `serverCommand` (`[command, ...args]`, exact) or `serverUrl` (`*` wildcards). Deny wins;
//!   once the allowlist has any `serverCommand` entry, a stdio server is admitted only by its
//!   command, and once it has any `serverUrl` entry a remote one only by its URL.
//!
//! Parsing is pure (bytes in); [`read_policy`] is the edge that finds and reads the files.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::platform::{Host, Os};

/// The approval settings of one settings file (or of `projects.<key>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Approvals {
    pub enabled_mcpjson_servers: Vec<String>,
    pub disabled_mcpjson_servers: Vec<String>,
    pub enable_all_project_mcp_servers: bool,
}

impl Approvals {
    fn merge(&mut self, other: Approvals) {
        self.enabled_mcpjson_servers.extend(other.enabled_mcpjson_servers);
        self.disabled_mcpjson_servers.extend(other.disabled_mcpjson_servers);
        self.enable_all_project_mcp_servers |= other.enable_all_project_mcp_servers;
    }

    fn enables(&self, name: &str) -> bool {
        self.enable_all_project_mcp_servers || self.enabled_mcpjson_servers.iter().any(|n| n == name)
    }
}

/// One entry of `allowedMcpServers` / `deniedMcpServers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyEntry {
    Name(String),
    Command(Vec<String>),
    Url(String),
}

/// The managed policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `managed-mcp.json` exists: only its servers load.
    pub exclusive: Option<PathBuf>,
    /// `None`: no allowlist, everything is admitted. `Some([])`: nothing is.
    pub allowed: Option<Vec<PolicyEntry>>,
    pub denied: Vec<PolicyEntry>,
    /// The managed settings files read, for messages.
    pub files: Vec<PathBuf>,
    /// The approval keys of `managed-settings.json`, which no user can override.
    pub approvals: Approvals,
}

/// What the policy says of one server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Admitted,
    NotInAllowlist,
    Denied,
}

/// A server as the policy sees it: its name and either its command line or its URL.
pub struct Candidate<'a> {
    pub name: &'a str,
    pub command: Option<&'a str>,
    pub args: &'a [String],
    pub url: Option<&'a str>,
}

impl<'a> Candidate<'a> {
    pub fn of(s: &'a crate::document::Server) -> Candidate<'a> {
        Candidate {
            name: &s.name,
            command: s.command.as_ref().map(|c| c.value.as_str()),
            args: &s.args,
            url: s.url.as_deref(),
        }
    }
}

impl Policy {
    pub fn verdict(&self, c: &Candidate<'_>) -> Verdict {
        if self.denied.iter().any(|e| matches(e, c)) {
            return Verdict::Denied;
        }
        let Some(allowed) = &self.allowed else { return Verdict::Admitted };
        let has_commands = allowed.iter().any(|e| matches!(e, PolicyEntry::Command(_)));
        let has_urls = allowed.iter().any(|e| matches!(e, PolicyEntry::Url(_)));
        let admitted = allowed.iter().any(|e| match e {
            // A name admits a server only where no stronger kind of entry applies to it.
            PolicyEntry::Name(_) if c.command.is_some() && has_commands => false,
            PolicyEntry::Name(_) if c.url.is_some() && has_urls => false,
            e => matches(e, c),
        });
        if admitted { Verdict::Admitted } else { Verdict::NotInAllowlist }
    }

    /// Whether the allowlist names stdio servers by their command, so that a repaired command
    /// must be listed too.
    pub fn allows_by_command(&self) -> bool {
        self.allowed.as_ref().is_some_and(|a| a.iter().any(|e| matches!(e, PolicyEntry::Command(_))))
    }
}

fn matches(e: &PolicyEntry, c: &Candidate<'_>) -> bool {
    match e {
        PolicyEntry::Name(n) => n == c.name,
        PolicyEntry::Command(cmd) => c.command.is_some_and(|command| {
            cmd.first().is_some_and(|first| first == command)
                && cmd.len() == c.args.len() + 1
                && cmd[1..].iter().zip(c.args).all(|(a, b)| a == b)
        }),
        PolicyEntry::Url(pattern) => c.url.is_some_and(|u| wildcard(pattern, u)),
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// A managed settings file's `allowedMcpServers` and `deniedMcpServers`, each when present.
pub type PolicyLists = (Option<Vec<PolicyEntry>>, Option<Vec<PolicyEntry>>);

/// Parses the MCP part of a managed settings file; `None` for a file that is not JSON.
pub fn parse_policy_file(bytes: &[u8]) -> Option<PolicyLists> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        allowed_mcp_servers: Option<Vec<serde_json::Value>>,
        denied_mcp_servers: Option<Vec<serde_json::Value>>,
    }
    let raw: Raw = serde_json::from_slice(strip_bom(bytes)).ok()?;
    let entries = |v: Option<Vec<serde_json::Value>>| v.map(|list| list.iter().filter_map(entry).collect());
    Some((entries(raw.allowed_mcp_servers), entries(raw.denied_mcp_servers)))
}

/// One policy entry; an entry with none or several of the keys matches nothing, as the client
/// rejects it.
fn entry(v: &serde_json::Value) -> Option<PolicyEntry> {
    let o = v.as_object()?;
    let name = o.get("serverName").and_then(|n| n.as_str());
    let command = o.get("serverCommand").and_then(|c| c.as_array());
    let url = o.get("serverUrl").and_then(|u| u.as_str());
    match (name, command, url) {
        (Some(n), None, None) => Some(PolicyEntry::Name(n.to_owned())),
        (None, Some(c), None) => {
            let parts: Option<Vec<String>> = c.iter().map(|p| p.as_str().map(str::to_owned)).collect();
            parts.filter(|p| !p.is_empty()).map(PolicyEntry::Command)
        }
        (None, None, Some(u)) => Some(PolicyEntry::Url(u.to_owned())),
        _ => None,
    }
}

/// Parses a settings file's approval keys; an unreadable file approves nothing.
pub fn parse_settings(bytes: &[u8]) -> Approvals {
    serde_json::from_slice(strip_bom(bytes)).unwrap_or_default()
}

/// What `~/.claude.json` keeps for one project.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectEntry {
    pub has_trust_dialog_accepted: bool,
    #[serde(flatten)]
    pub approvals: Approvals,
}

/// `projects.<key>` of `~/.claude.json`, without building the rest of a file that can be tens
/// of MB: every other project is skipped unparsed.
pub fn parse_project_entry(bytes: &[u8], key: &str) -> ProjectEntry {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    /// Descends the object members named by the path; the last one is read as an entry.
    struct Pick<'p>(&'p [&'p str]);
    impl<'de> DeserializeSeed<'de> for Pick<'_> {
        type Value = ProjectEntry;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<ProjectEntry, D::Error> {
            match self.0 {
                [] => Ok(Option::<ProjectEntry>::deserialize(d)?.unwrap_or_default()),
                _ => d.deserialize_map(self),
            }
        }
    }
    impl<'de> Visitor<'de> for Pick<'_> {
        type Value = ProjectEntry;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ProjectEntry, A::Error> {
            let mut found = ProjectEntry::default();
            while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                // The last of duplicate members wins, as JSON.parse keeps the last.
                if k == self.0[0] {
                    found = m.next_value_seed(Pick(&self.0[1..]))?;
                } else {
                    m.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(strip_bom(bytes));
    Pick(&["projects", key]).deserialize(&mut de).unwrap_or_default()
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(crate::document::BOM.as_bytes()).unwrap_or(b)
}

/// Claude Code started in one folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// The working folder.
    pub cwd: PathBuf,
    /// Its project key: the nearest folder holding `.git`, else `cwd`.
    pub key: PathBuf,
    pub trusted: bool,
    /// `~/.claude/settings.json` (and managed settings): honoured without trust.
    pub user: Approvals,
    /// The project's own settings and `projects.<key>`: honoured only when trusted.
    pub project: Approvals,
}

/// How Claude Code started in `start` treats a `.mcp.json` server named `name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    Approved,
    Pending,
    Rejected,
}

impl Start {
    pub fn approval(&self, name: &str) -> Approval {
        let disabled = |a: &Approvals| a.disabled_mcpjson_servers.iter().any(|n| n == name);
        if disabled(&self.user) || disabled(&self.project) {
            Approval::Rejected
        } else if self.user.enables(name) || (self.trusted && self.project.enables(name)) {
            Approval::Approved
        } else {
            Approval::Pending
        }
    }
}

/// The managed-settings folder of Claude Code on `os` (read from the client's own binary).
pub fn managed_dir(os: Os) -> &'static str {
    match os {
        Os::Macos => "/Library/Application Support/ClaudeCode",
        Os::Windows => r"C:\Program Files\ClaudeCode",
        Os::Linux => "/etc/claude-code",
    }
}

/// The edge: reads the managed policy of `host`.
pub fn read_policy(host: &Host) -> Policy {
    let dir = managed_dir(host.os);
    let at = |name: &str| host.system_path(&format!("{dir}{}{name}", host.os.sep()));
    let mut policy = Policy::default();
    let mcp = at("managed-mcp.json");
    if std::fs::symlink_metadata(&mcp).is_ok() {
        policy.exclusive = Some(mcp);
    }
    let mut files = vec![at("managed-settings.json")];
    if let Ok(rd) = std::fs::read_dir(at("managed-settings.d")) {
        let mut drop_ins: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        drop_ins.sort();
        files.extend(drop_ins);
    }
    for (i, f) in files.into_iter().enumerate() {
        let Ok(bytes) = crate::load::read_regular(&f) else { continue };
        if i == 0 {
            policy.approvals = parse_settings(&bytes);
        }
        let Some((allowed, denied)) = parse_policy_file(&bytes) else { continue };
        if let Some(a) = allowed {
            policy.allowed.get_or_insert_with(Vec::new).extend(a);
        }
        policy.denied.extend(denied.unwrap_or_default());
        policy.files.push(f);
    }
    policy
}

/// The project key of `cwd`: the nearest folder from it up that holds `.git`.
pub fn project_key(os: Os, cwd: &Path) -> PathBuf {
    crate::clients::ancestors(os, cwd)
        .into_iter()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .unwrap_or_else(|| cwd.to_path_buf())
}

/// The edge: reads what decides approvals for Claude Code started in `cwd`. `user_file` is the
/// `~/.claude.json` Claude Code reads (`None` when there is none); `settings` its user settings.
pub fn read_start(host: &Host, cwd: &Path, user_file: Option<&Path>, settings: &Path, policy: &Policy) -> Start {
    let key = project_key(host.os, cwd);
    let read = |p: &Path| crate::load::read_regular(p).ok();
    let entry = user_file.and_then(read).map(|b| parse_project_entry(&b, &key.to_string_lossy())).unwrap_or_default();
    let mut user = read(settings).map(|b| parse_settings(&b)).unwrap_or_default();
    user.merge(policy.approvals.clone());
    let mut project = entry.approvals;
    let mut dirs = vec![cwd.to_path_buf()];
    if key != cwd {
        dirs.push(key.clone());
    }
    for d in dirs {
        for name in ["settings.json", "settings.local.json"] {
            if let Some(b) = read(&d.join(".claude").join(name)) {
                project.merge(parse_settings(&b));
            }
        }
    }
    Start { cwd: cwd.to_path_buf(), key, trusted: entry.has_trust_dialog_accepted, user, project }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(name: &'a str, command: &'a str, args: &'a [String]) -> Candidate<'a> {
        Candidate { name, command: Some(command), args, url: None }
    }

    fn policy(json: &str) -> Policy {
        let (allowed, denied) = parse_policy_file(json.as_bytes()).unwrap();
        Policy { allowed, denied: denied.unwrap_or_default(), ..Policy::default() }
    }

    #[test]
    fn allowlist_by_name_command_and_url_as_claude_code_applies_it() {
        let args: Vec<String> = ["mcp", "connect", "demo"].map(String::from).to_vec();
        let p = policy(
            r#"{"allowedMcpServers": [{"serverName": "loc"}, {"serverCommand": ["/bin/tsh", "mcp", "connect", "demo"]}]}"#,
        );
        assert_eq!(p.verdict(&cand("x", "/bin/tsh", &args)), Verdict::Admitted);
        // Once a serverCommand entry exists, a stdio server's name no longer admits it.
        assert_eq!(p.verdict(&cand("loc", "/other/tsh", &args)), Verdict::NotInAllowlist);
        // No prefix match: the args are part of the command.
        let p = policy(r#"{"allowedMcpServers": [{"serverCommand": ["/bin/tsh"]}]}"#);
        assert_eq!(p.verdict(&cand("x", "/bin/tsh", &args)), Verdict::NotInAllowlist);
        let p = policy(r#"{"allowedMcpServers": []}"#);
        assert_eq!(p.verdict(&cand("x", "/bin/tsh", &args)), Verdict::NotInAllowlist);
        let p = policy(r#"{"allowedMcpServers": [{"serverUrl": "https://*.example.com/*"}]}"#);
        let web = |u| Candidate { name: "w", command: None, args: &[], url: Some(u) };
        assert_eq!(p.verdict(&web("https://api.example.com/mcp")), Verdict::Admitted);
        assert_eq!(p.verdict(&web("https://other.com/mcp")), Verdict::NotInAllowlist);
        assert_eq!(p.verdict(&cand("w", "/bin/tsh", &args)), Verdict::NotInAllowlist);
    }

    #[test]
    fn deny_wins_over_allow_and_bad_entries_match_nothing() {
        let args: Vec<String> = vec!["proj".into()];
        let p = policy(
            r#"{"allowedMcpServers": [{"serverName": "usr"}], "deniedMcpServers": [{"serverName": "usr"}, {"serverCommand": ["/bin/tsh", "proj"]}]}"#,
        );
        assert_eq!(p.verdict(&cand("usr", "/x", &[])), Verdict::Denied);
        assert_eq!(p.verdict(&cand("prj", "/bin/tsh", &args)), Verdict::Denied);
        let p = policy(r#"{"allowedMcpServers": [{"serverName": "a", "serverCommand": ["/x"]}]}"#);
        assert_eq!(p.verdict(&cand("a", "/x", &[])), Verdict::NotInAllowlist);
        assert!(Policy::default().verdict(&cand("a", "/x", &[])) == Verdict::Admitted);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("https://*.example.com/*", "https://a.b.example.com/mcp"));
        assert!(!wildcard("https://*.example.com/*", "https://example.com/mcp"));
        assert!(wildcard("*", ""));
        assert!(wildcard("a*b*c", "aXbYc") && !wildcard("a*b*c", "aXcYb"));
        assert!(!wildcard("ab*ba", "aba"));
    }

    #[test]
    fn approval_rules_seen_with_the_real_client() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut s = Start::default();
        assert_eq!(s.approval("a"), Approval::Pending);
        // The project's own settings count only once the project is trusted.
        s.project.enabled_mcpjson_servers = names(&["a"]);
        assert_eq!(s.approval("a"), Approval::Pending);
        s.trusted = true;
        assert_eq!(s.approval("a"), Approval::Approved);
        assert_eq!(s.approval("b"), Approval::Pending);
        // User settings count without trust; disabled wins over everything.
        let mut s = Start::default();
        s.user.enable_all_project_mcp_servers = true;
        assert_eq!(s.approval("b"), Approval::Approved);
        s.project.disabled_mcpjson_servers = names(&["b"]);
        assert_eq!(s.approval("b"), Approval::Rejected);
    }

    #[test]
    fn project_entry_of_a_big_file_is_found_and_the_rest_skipped() {
        let text = r#"{"numStartups": 3, "projects": {"/other": {"hasTrustDialogAccepted": true, "history": [1, {"a": 2}]},
            "/src/app": {"hasTrustDialogAccepted": true, "enabledMcpjsonServers": ["x"], "mcpServers": {}}}, "tail": null}"#;
        let e = parse_project_entry(text.as_bytes(), "/src/app");
        assert!(e.has_trust_dialog_accepted);
        assert_eq!(e.approvals.enabled_mcpjson_servers, ["x"]);
        assert_eq!(parse_project_entry(text.as_bytes(), "/nope"), ProjectEntry::default());
        assert_eq!(parse_project_entry(b"{ // not json", "/src/app"), ProjectEntry::default());
        let bom =
            [crate::document::BOM.as_bytes(), br#"{"projects": {"/p": {"hasTrustDialogAccepted": true}}}"#].concat();
        assert!(parse_project_entry(&bom, "/p").has_trust_dialog_accepted);
    }

    #[test]
    fn project_key_is_the_nearest_git_root() {
        let t = tempfile::tempdir().unwrap();
        let api = t.path().join("repo/services/api");
        std::fs::create_dir_all(&api).unwrap();
        assert_eq!(project_key(Os::current(), &api), api);
        std::fs::write(t.path().join("repo/.git"), "gitdir: /elsewhere\n").unwrap();
        assert_eq!(project_key(Os::current(), &api), t.path().join("repo"));
    }

    #[test]
    fn managed_folders_per_platform() {
        assert_eq!(managed_dir(Os::Linux), "/etc/claude-code");
        assert_eq!(managed_dir(Os::Macos), "/Library/Application Support/ClaudeCode");
        assert_eq!(managed_dir(Os::Windows), r"C:\Program Files\ClaudeCode");
    }
}
