//! `--scan DIR`: walk folders for project-level configs (`.vscode/mcp.json`, `.mcp.json`, …).
//!
//! Which file is which client's project config is [`project_locations`], a function of the path
//! alone. The walk is the edge: ignore's parallel walker, so a tree of many thousands of files
//! costs what `fd` costs. Hidden folders are walked (every project config lives in one); `.git`,
//! `node_modules` and `target` never are, whatever the ignore files say, since they are large
//! and hold no configs a person wrote; `.gitignore` (inside a repository), `.ignore` and git's
//! excludes are respected; symlinked folders are not followed, so a link cannot send the walk
//! out of the tree or round in a loop. A symlinked config file is still a config and is found.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::clients::{Client, Location, PROJECT_FILES};
use crate::platform::Os;
use crate::settings::Settings;

/// Folders never walked into.
const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// The project-level readings of `path` by `clients`, if any: `<dir>/.vscode/mcp.json` is VS
/// Code's, `<dir>/.codex/config.toml` Codex's, `<dir>/.mcp.json` Claude Code's, Copilot CLI's
/// and Qwen Code's, and so on.
pub fn project_locations(os: Os, path: &Path, clients: &[Client]) -> Vec<Location> {
    crate::clients::project_rows(os, path)
        .into_iter()
        .map(|i| PROJECT_FILES[i].0)
        .filter(|client| clients.contains(client))
        .map(|client| Location::project(client, path.to_path_buf()))
        .collect()
}

/// Whether a file name can be a project config at all; the cheap test run on every file.
fn candidate_name(name: &str) -> bool {
    PROJECT_FILES.iter().any(|(_, rel)| rel.last().is_some_and(|last| last.eq_ignore_ascii_case(name)))
}

/// The configs `--scan` finds for `s` (none without `--scan`).
pub fn locations(s: &Settings) -> Vec<Location> {
    scan(s.host.os, &s.scan_dirs, &s.clients, !s.scan_ignored)
}

/// Every project-level config of `clients` under `dirs`, sorted by path, each once; with
/// `ignore_files`, what `.gitignore` and `.ignore` exclude is not walked. `dirs` are folders
/// ([`Settings`] checks them).
pub fn scan(os: Os, dirs: &[PathBuf], clients: &[Client], ignore_files: bool) -> Vec<Location> {
    let Some((first, rest)) = dirs.split_first() else { return vec![] };
    let mut builder = WalkBuilder::new(first);
    for d in rest {
        builder.add(d);
    }
    builder
        .hidden(false)
        .git_ignore(ignore_files)
        .git_exclude(ignore_files)
        .git_global(ignore_files)
        .ignore(ignore_files)
        .parents(ignore_files)
        .follow_links(false)
        .filter_entry(|e| {
            // The folder asked for is walked whatever its name; below it, the skipped ones never are.
            let skipped = e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && SKIPPED_DIRS.iter().any(|s| e.file_name() == *s);
            !skipped
        });
    let found = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            // An unreadable folder is skipped: the rest of the tree is still worth reporting.
            let Ok(entry) = entry else { return WalkState::Continue };
            let is_dir = entry.file_type().is_none_or(|t| t.is_dir());
            if !is_dir && entry.file_name().to_str().is_some_and(candidate_name) {
                let readers = project_locations(os, entry.path(), clients);
                found.lock().expect("no panics while holding the lock").extend(readers);
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().expect("the walk is over");
    found.sort_by(|a, b| a.path.cmp(&b.path).then(a.client.cmp(&b.client)));
    found.dedup_by(|a, b| a.path == b.path && a.client == b.client);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Scope, ServersAt, Syntax};
    use crate::settings::ALL_CLIENTS;

    fn kind(os: Os, p: &str) -> Option<(Client, Scope, ServersAt, Syntax)> {
        project_locations(os, Path::new(p), &ALL_CLIENTS).into_iter().next().map(|l| {
            assert_eq!(l.path, PathBuf::from(p), "the path is kept as found");
            (l.client, l.scope, l.servers_at, l.syntax)
        })
    }

    #[test]
    fn every_project_config_is_recognised() {
        use Client::*;
        for (p, client) in [
            ("/src/app/.vscode/mcp.json", Vscode),
            ("/src/app/.cursor/mcp.json", Cursor),
            ("/src/app/.mcp.json", ClaudeCode),
            ("/src/app/.zed/settings.json", Zed),
            ("/src/app/.gemini/settings.json", Gemini),
            ("/src/app/.codex/config.toml", Codex),
            ("/src/app/.roo/mcp.json", RooCode),
        ] {
            let got = kind(Os::Linux, p).unwrap_or_else(|| panic!("{p} not recognised"));
            assert_eq!((got.0, got.1), (client, Scope::Project), "{p}");
        }
        assert_eq!(kind(Os::Linux, "/a/.codex/config.toml").map(|k| k.2), Some(ServersAt::CodexToml));
        let readers = |p: &str| -> Vec<(Client, ServersAt)> {
            project_locations(Os::Linux, Path::new(p), &ALL_CLIENTS).iter().map(|l| (l.client, l.servers_at)).collect()
        };
        use ServersAt::{McpServers, OpencodeMcp};
        assert_eq!(readers("/a/opencode.json"), [(Opencode, OpencodeMcp), (KiloCode, OpencodeMcp)]);
        assert_eq!(readers("/a/.opencode/opencode.json"), [(Opencode, OpencodeMcp)], "Kilo CLI skips .opencode/");
        assert_eq!(readers("/a/.kilo/opencode.json"), [(KiloCode, OpencodeMcp)], "only Kilo reads .kilo/");
        assert_eq!(readers("/a/.kilocode/mcp.json"), [(KiloCode, McpServers)], "the extension's");
        assert_eq!(readers("/a/kilo.jsonc"), [(KiloCode, OpencodeMcp)]);
        assert_eq!(kind(Os::Linux, "/a/.zed/settings.json").map(|k| k.2), Some(ServersAt::ZedContextServers));
    }

    #[test]
    fn other_files_are_not_configs() {
        for p in [
            "/src/app/mcp.json",
            "/src/app/.vscode/settings.json",
            "/src/app/.vscode/mcp.jsonc",
            "/src/app/vscode/mcp.json",
            "/src/app/config.toml",
            "/src/app/.codex/config.toml.bak",
            "/src/app/x.mcp.json",
            "/src/app/.zed/tasks.json",
            ".mcp.json",
        ] {
            assert_eq!(kind(Os::Linux, p), None, "{p}");
        }
    }

    #[test]
    fn windows_paths_and_case() {
        assert_eq!(kind(Os::Windows, r"C:\src\app\.vscode\mcp.json").map(|k| k.0), Some(Client::Vscode));
        assert_eq!(kind(Os::Windows, r"C:\src\app\.VSCode\MCP.json").map(|k| k.0), Some(Client::Vscode));
        assert_eq!(kind(Os::Macos, "/src/app/.Cursor/mcp.json").map(|k| k.0), Some(Client::Cursor));
        assert_eq!(kind(Os::Linux, "/src/app/.Cursor/mcp.json"), None, "Linux file names are case-sensitive");
    }

    #[test]
    fn only_the_selected_clients() {
        let p = Path::new("/src/app/.vscode/mcp.json");
        assert!(project_locations(Os::Linux, p, &[Client::Cursor]).is_empty());
        assert!(!project_locations(Os::Linux, p, &[Client::Vscode]).is_empty());
    }

    #[test]
    fn candidate_names_cover_every_project_file() {
        for name in ["mcp.json", ".mcp.json", "settings.json", "config.toml"] {
            assert!(candidate_name(name), "{name}");
        }
        assert!(!candidate_name("package.json"));
    }
}
