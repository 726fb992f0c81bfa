//! What each real client says it loads, read from its own `mcp list`, and what mcpcfg says of
//! the same servers, so that a scenario can compare the two server by server.

use std::collections::BTreeMap;

use crate::sandbox::{Cli, Out, Sandbox};

/// A server's state as its client shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Connected,
    /// Failed to connect, with the client's own words for why.
    Failed(String),
    /// Claude Code: a project server nobody approved yet.
    Pending,
    /// Listed, but switched off (Gemini's `Disabled`, Codex's `enabled: false`).
    Disabled,
    /// Listed without a health check (Codex).
    Listed,
    Other(String),
}

impl Status {
    pub fn is_loaded(&self) -> bool {
        matches!(self, Status::Connected | Status::Failed(_) | Status::Listed)
    }
}

/// `claude mcp list`: `name: command args - ✔ Connected`, `… - ✘ Failed to connect — why`,
/// `… - ⏸ Pending approval (run `claude` to approve)`.
pub fn parse_claude(out: &Out) -> BTreeMap<String, Status> {
    let mut m = BTreeMap::new();
    for line in out.stdout.lines() {
        let Some((name, rest)) = line.split_once(": ") else { continue };
        if name.contains(' ') {
            continue;
        }
        let Some(at) = [" - ✔", " - ✘", " - ⏸", " - ⚠", " - ○"].iter().filter_map(|m| rest.find(m)).min()
        else {
            continue;
        };
        let status = rest[at + 3..].trim();
        let st = if status.starts_with("✔ Connected") {
            Status::Connected
        } else if let Some(why) = status.strip_prefix("✘ Failed to connect") {
            Status::Failed(why.trim_start_matches(" — ").trim().to_owned())
        } else if status.starts_with("⏸ Pending approval") {
            Status::Pending
        } else {
            Status::Other(status.to_owned())
        };
        m.insert(name.to_owned(), st);
    }
    m
}

/// `gemini mcp list`: `✓ name: command args (stdio) - Connected`, `✗ … - Disconnected`,
/// `○ … - Disabled`, `⛔ … - Blocked`; an extension's as `✓ name (from ext): …`.
pub fn parse_gemini(out: &Out) -> BTreeMap<String, Status> {
    let mut m = BTreeMap::new();
    for line in out.all().lines() {
        // `● ` is Qwen Code's mark for a project server waiting for `qwen mcp approve`.
        let Some(rest) = ["✓ ", "✗ ", "○ ", "… ", "⛔ ", "● "].iter().find_map(|p| line.strip_prefix(p))
        else {
            continue;
        };
        let Some((name, rest)) = rest.split_once(": ") else { continue };
        // An extension's server: `name (from <extension>)`.
        let name = name.split_once(" (from ").map_or(name, |(n, _)| n);
        let status = rest.rsplit_once(" - ").map_or("", |(_, s)| s.trim());
        let st = match status {
            "Connected" => Status::Connected,
            "Disconnected" => Status::Failed(String::new()),
            "Disabled" => Status::Disabled,
            "Pending approval" => Status::Pending,
            other => Status::Other(other.to_owned()),
        };
        m.insert(name.to_owned(), st);
    }
    m
}

/// `codex mcp list --json`: an array of `{name, enabled, disabled_reason, transport}`.
pub fn parse_codex(out: &Out) -> BTreeMap<String, Status> {
    let start = out.stdout.find('[').unwrap_or_else(|| panic!("codex mcp list --json printed no list:\n{}", out.all()));
    let list: serde_json::Value = serde_json::from_str(&out.stdout[start..]).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let st = if s["enabled"] == true { Status::Listed } else { Status::Disabled };
            (s["name"].as_str().unwrap().to_owned(), st)
        })
        .collect()
}

/// `opencode mcp list` (it connects to each server): `●  ✓ name connected`, `●  ✗ name failed`
/// (the next line says why), `●  ○ name disabled`, with colour codes around the words.
pub fn parse_opencode(out: &Out) -> BTreeMap<String, Status> {
    let plain = strip_ansi(&out.all());
    let lines: Vec<&str> = plain.lines().collect();
    let mut m = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix('●') else { continue };
        let mut words = rest.split_whitespace();
        let (Some(_mark), Some(name), Some(status)) = (words.next(), words.next(), words.next()) else { continue };
        let st = match status {
            "connected" => Status::Connected,
            "failed" => Status::Failed(lines.get(i + 1).map_or("", |l| l.trim_start_matches(['│', ' '])).to_owned()),
            "disabled" => Status::Disabled,
            other => Status::Other(other.to_owned()),
        };
        m.insert(name.to_owned(), st);
    }
    m
}

/// `copilot mcp list --json`: `{"mcpServers": {name: {…, "source", "enabled"}}}`, no health check.
pub fn parse_copilot(out: &Out) -> BTreeMap<String, Status> {
    let start =
        out.stdout.find('{').unwrap_or_else(|| panic!("copilot mcp list --json printed nothing:\n{}", out.all()));
    let doc: serde_json::Value = serde_json::from_str(&out.stdout[start..]).unwrap();
    doc["mcpServers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, s)| (name.clone(), if s["enabled"] == true { Status::Listed } else { Status::Disabled }))
        .collect()
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ … final byte in @–~.
            if chars.next() == Some('[') {
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// What the client in `cwd` lists.
pub fn client_view(sb: &Sandbox, cli: Cli, cwd: &str) -> BTreeMap<String, Status> {
    match cli {
        Cli::Claude => parse_claude(&expect_ok(sb.client(cli, cwd, &["mcp", "list"]))),
        Cli::Gemini => parse_gemini(&expect_ok(sb.client(cli, cwd, &["mcp", "list"]))),
        Cli::Codex => parse_codex(&expect_ok(sb.client(cli, cwd, &["mcp", "list", "--json"]))),
        Cli::Opencode => parse_opencode(&expect_ok(sb.client(cli, cwd, &["mcp", "list"]))),
        Cli::Copilot => parse_copilot(&expect_ok(sb.client(cli, cwd, &["mcp", "list", "--json"]))),
        Cli::Kilo => parse_opencode(&expect_ok(sb.client(cli, cwd, &["mcp", "list"]))),
        Cli::Continue | Cli::Cline => panic!("{cli:?} has no `mcp list`: see Sandbox::client_until"),
        Cli::Qwen => {
            let out = expect_ok(sb.client(cli, cwd, &["mcp", "list"]));
            parse_gemini(&Out { stdout: strip_ansi(&out.stdout), stderr: strip_ansi(&out.stderr), ..out })
        }
    }
}

fn expect_ok(out: Out) -> Out {
    assert_eq!(out.code, 0, "the client failed:\n{}", out.all());
    out
}

/// One server as mcpcfg reports it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub scope: String,
    pub project: Option<String>,
    pub command: Option<String>,
    pub loaded: bool,
    pub reason: Option<String>,
    pub codes: Vec<String>,
}

/// Every server mcpcfg reads for `client` with `cwd` as the project folder, by name. A name
/// seen twice (a user server and a project server of the same name) keeps every reading.
pub fn mcpcfg_view(sb: &Sandbox, client: &str, cwd: &str) -> BTreeMap<String, Vec<Seen>> {
    let out = sb.mcpcfg(cwd, &["check", "--format", "json", "--client", client, "--project", "."]);
    assert!(out.code <= 1, "mcpcfg check failed:\n{}", out.all());
    servers(&out.json())
}

pub fn servers(doc: &serde_json::Value) -> BTreeMap<String, Vec<Seen>> {
    let mut m: BTreeMap<String, Vec<Seen>> = BTreeMap::new();
    for c in doc["configs"].as_array().unwrap() {
        for s in c["servers"].as_array().unwrap() {
            let seen = Seen {
                path: c["path"].as_str().unwrap().to_owned(),
                scope: c["scope"].as_str().unwrap().to_owned(),
                project: s["project"].as_str().map(str::to_owned),
                command: s["command"].as_str().map(str::to_owned),
                loaded: s["loaded"].as_bool().expect("every server says whether its client loads it"),
                reason: s["not_loaded_reason"].as_str().map(str::to_owned),
                codes: s["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["code"].as_str().unwrap().to_owned())
                    .collect(),
            };
            m.entry(s["name"].as_str().unwrap().to_owned()).or_default().push(seen);
        }
    }
    m
}

/// The servers mcpcfg says the client loads, by name (each name once: what the client runs).
pub fn loaded_names(view: &BTreeMap<String, Vec<Seen>>) -> Vec<String> {
    view.iter().filter(|(_, v)| v.iter().any(|s| s.loaded)).map(|(n, _)| n.clone()).collect()
}

/// The servers the client says it loads.
pub fn client_loaded(view: &BTreeMap<String, Status>) -> Vec<String> {
    view.iter().filter(|(_, st)| st.is_loaded()).map(|(n, _)| n.clone()).collect()
}

/// For a client that lists no servers (Continue's `cn`, the Cline CLI): runs a session of
/// `cli` with `args` in `work` until every marker its servers leave when started is there, or
/// 5 s after the first is (a client starts its servers together; some then retry the model
/// for long), or 45 s; which were there. The markers are removed first.
pub fn servers_started(sb: &Sandbox, cli: Cli, args: &[&str], markers: &[&std::path::Path]) -> Vec<bool> {
    use std::time::{Duration, Instant};
    for m in markers {
        let _ = std::fs::remove_file(m);
    }
    let first_seen = std::cell::Cell::new(None::<Instant>);
    let done = || {
        if first_seen.get().is_none() && markers.iter().any(|m| m.exists()) {
            first_seen.set(Some(Instant::now()));
        }
        markers.iter().all(|m| m.exists()) || first_seen.get().is_some_and(|t| t.elapsed() > Duration::from_secs(5))
    };
    sb.client_until(cli, "work", args, Duration::from_secs(45), done);
    markers.iter().map(|m| m.exists()).collect()
}

/// For a client of OpenCode's layout (OpenCode, Kilo CLI): gives one name to both files of each pair, a good tsh in the lower and a stale one in the
/// higher, and runs the client in `cwd`: it fails on every one; mcpcfg says the same files win,
/// repairs them all (each file changed in its commands only), and the client then connects to every
/// one. What the client listed the first time.
pub fn pairs_agree(
    sb: &Sandbox,
    (cli, client): (Cli, &str),
    cwd: &str,
    pairs: &[(&str, &str)],
) -> BTreeMap<String, Status> {
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    std::fs::create_dir_all(sb.path(cwd)).unwrap();
    let mut files: BTreeMap<&str, Vec<String>> = Default::default();
    for (i, (lower, higher)) in pairs.iter().enumerate() {
        files.entry(lower).or_default().push(format!("\"teleport-mcp-p{i}\": {}", local_entry(&tsh)));
        files.entry(higher).or_default().push(format!("\"teleport-mcp-p{i}\": {}", local_entry(&stale)));
    }
    for (file, members) in &files {
        sb.file(file, &format!("{{\"mcp\": {{{}}}}}\n", members.join(", ")));
    }
    let view = client_view(sb, cli, cwd);
    for (i, (_, higher)) in pairs.iter().enumerate() {
        assert!(matches!(view[&format!("teleport-mcp-p{i}")], Status::Failed(_)), "{higher} wins: {view:?}");
    }
    let seen = mcpcfg_view(sb, client, cwd);
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    for (i, (_, higher)) in pairs.iter().enumerate() {
        let from: Vec<&str> =
            seen[&format!("teleport-mcp-p{i}")].iter().filter(|s| s.loaded).map(|s| s.path.as_str()).collect();
        let want = sb.path(higher).display().to_string();
        assert_eq!(from, [want.as_str()], "pair {i}: {seen:#?}");
    }
    let before: Vec<(&str, String)> = files.keys().map(|f| (*f, sb.read(f))).collect();
    let fix = sb.mcpcfg(cwd, &["fix-config", "--include-project"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    for (file, text) in before {
        assert_eq!(sb.read(file), text.replace(&stale, &tsh), "{file}: only the command changes");
    }
    let after = client_view(sb, cli, cwd);
    assert!((0..pairs.len()).all(|i| after[&format!("teleport-mcp-p{i}")] == Status::Connected), "{after:?}");
    view
}

/// An OpenCode-layout entry that starts `command mcp connect p`.
fn local_entry(command: &str) -> String {
    format!(r#"{{"type": "local", "command": ["{command}", "mcp", "connect", "p"]}}"#)
}
