//! `--scan DIR`: project configs at any depth, hidden folders walked, ignore files respected,
//! `.git`, `node_modules` and `target` skipped, symlinked folders not followed.

use std::fs;
use std::path::Path;

use crate::env::{TestEnv, tsh_entry, write};

/// A `mcpServers` (or `servers`, `context_servers`) file with one tsh server on `command`.
fn json(key: &str, command: &str) -> String {
    format!("{{\n  \"{key}\": {{\n    \"teleport-mcp-demo\": {}\n  }}\n}}\n", tsh_entry(command, "demo"))
}

fn toml(command: &str) -> String {
    format!(
        "# project\n[mcp_servers.teleport-mcp-demo]\ncommand = \"{}\"\nargs = [\"mcp\", \"connect\", \"demo\"]\n",
        crate::env::esc(command)
    )
}

/// Found where they should be (relative to the tree).
const FOUND: [&str; 9] = [
    ".hidden/proj/.cursor/mcp.json",
    ".mcp.json",
    "a/.vscode/mcp.json",
    "a/b/c/.cursor/mcp.json",
    "g/.gemini/settings.json",
    "r/.roo/mcp.json",
    "repo/.vscode/mcp.json",
    "x/.codex/config.toml",
    "x/y/.zed/settings.json",
];

/// Where a config must never be looked for.
const SKIPPED: [&str; 6] = [
    "node_modules/pkg/.mcp.json",
    "a/b/node_modules/dep/.vscode/mcp.json",
    "target/debug/.vscode/mcp.json",
    "repo/.git/.mcp.json",
    "repo/ignored/.mcp.json",
    "scratch/.mcp.json",
];

/// A tree with configs at several depths and in places the scan must skip; every command is `command`.
fn tree(t: &TestEnv, command: &str) -> std::path::PathBuf {
    let root = t.root.path().join("tree");
    for rel in FOUND.iter().chain(SKIPPED.iter()) {
        let text = if rel.ends_with(".toml") {
            toml(command)
        } else if rel.contains(".zed/") {
            json("context_servers", command)
        } else if rel.contains(".vscode/") {
            json("servers", command)
        } else {
            json("mcpServers", command)
        };
        write(&root.join(rel), &text);
    }
    // Not configs: wrong names or places.
    write(&root.join("a/mcp.json"), &json("mcpServers", command));
    write(&root.join("a/.vscode/settings.json"), &json("mcpServers", command));
    // A git repository ignoring a folder, and a plain `.ignore` outside any repository.
    fs::create_dir_all(root.join("repo/.git")).unwrap();
    write(&root.join("repo/.gitignore"), "ignored/\n");
    write(&root.join(".ignore"), "scratch/\n");
    // A symlinked folder is not followed: `a` would otherwise be found twice.
    crate::env::symlink(root.join("a"), &root.join("link-to-a"));
    root
}

fn found_paths(t: &TestEnv, root: &Path, args: &[&str]) -> Vec<String> {
    let root_s = root.to_string_lossy().into_owned();
    let mut all = vec!["list", "--format", "json", "--scan", &root_s];
    all.extend_from_slice(args);
    let r = t.run(&all);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    let mut got: Vec<String> = j["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["scope"], "project", "{c}");
            let rel =
                c["path"].as_str().unwrap().strip_prefix(&format!("{root_s}{}", std::path::MAIN_SEPARATOR)).unwrap();
            rel.replace(std::path::MAIN_SEPARATOR, "/")
        })
        .collect();
    got.sort();
    got
}

#[test]
fn scan_finds_exactly_the_project_configs() {
    let t = TestEnv::new();
    let root = tree(&t, "tsh");
    assert_eq!(found_paths(&t, &root, &[]), FOUND);
}

/// Many repositories ignore `.vscode/` or `.mcp.json`, exactly where local configs live: with
/// `--no-ignore` they are found too, and .git, node_modules and target are still skipped.
#[test]
fn no_ignore_walks_what_ignore_files_exclude() {
    let t = TestEnv::new();
    let root = tree(&t, "tsh");
    let mut want: Vec<String> = FOUND.iter().map(|s| s.to_string()).collect();
    want.extend(["repo/ignored/.mcp.json".to_string(), "scratch/.mcp.json".to_string()]);
    want.sort();
    assert_eq!(found_paths(&t, &root, &["--no-ignore"]), want);
    let r = t.run(&["list", "--no-ignore"]);
    assert_eq!(r.code, 2, "--no-ignore means nothing without --scan: {}", r.stderr);
}

#[test]
fn scan_reads_each_config_with_its_clients_layout() {
    let t = TestEnv::new();
    let root = tree(&t, "tsh");
    let j = t.run(&["list", "--format", "json", "--scan", &root.to_string_lossy()]).json();
    for c in j["configs"].as_array().unwrap() {
        assert_eq!(c["servers"][0]["name"], "teleport-mcp-demo", "{c}");
    }
    let clients: Vec<&str> = j["configs"].as_array().unwrap().iter().map(|c| c["client"].as_str().unwrap()).collect();
    for want in ["vscode", "cursor", "claude-code", "zed", "gemini", "codex", "roo-code"] {
        assert!(clients.contains(&want), "{want} in {clients:?}");
    }
}

#[test]
fn scan_honours_client_filter_and_repeats() {
    let t = TestEnv::new();
    let root = tree(&t, "tsh");
    assert_eq!(found_paths(&t, &root, &["--client", "codex"]), ["x/.codex/config.toml"]);
    let a = root.join("a").to_string_lossy().into_owned();
    let x = root.join("x").to_string_lossy().into_owned();
    let j = t.run(&["list", "--format", "json", "--scan", &a, "--scan", &x, "--scan", &a]).json();
    assert_eq!(j["configs"].as_array().unwrap().len(), 4, "a: 2, x: 2, a again: nothing new");
}

#[test]
fn scan_of_a_missing_folder_is_a_usage_error() {
    let t = TestEnv::new();
    let r = t.run(&["check", "--scan", &t.path_of("nope")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--scan") && r.stderr.contains("nope"), "{}", r.stderr);
}

#[test]
fn fix_config_scan_needs_include_project_then_repairs_every_found_config() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let root = tree(&t, &stale);
    let root_s = root.to_string_lossy().into_owned();
    let before: Vec<String> =
        FOUND.iter().chain(SKIPPED.iter()).map(|rel| fs::read_to_string(root.join(rel)).unwrap()).collect();

    let r = t.run(&["fix-config", "--scan", &root_s, "--color", "never"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("--include-project"), "{}", r.stdout);
    for (rel, text) in FOUND.iter().chain(SKIPPED.iter()).zip(&before) {
        assert_eq!(&fs::read_to_string(root.join(rel)).unwrap(), text, "{rel} written without --include-project");
    }

    let r = t.run(&["fix-config", "--scan", &root_s, "--include-project", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["changes"].as_array().unwrap().len(), FOUND.len());
    let tsh = t.exe_of("bin/tsh");
    for (rel, text) in FOUND.iter().zip(&before) {
        assert_eq!(
            fs::read_to_string(root.join(rel)).unwrap(),
            text.replace(&crate::env::esc(&stale), &crate::env::esc(&tsh)),
            "{rel}: only the command"
        );
    }
    for (rel, text) in SKIPPED.iter().zip(&before[FOUND.len()..]) {
        assert_eq!(&fs::read_to_string(root.join(rel)).unwrap(), text, "{rel} must not be touched");
    }
    let again = t.run(&["fix-config", "--scan", &root_s, "--include-project", "--format", "json"]);
    assert!(again.json()["changes"].as_array().unwrap().is_empty());
    assert_eq!(t.run(&["check", "--scan", &root_s]).code, 0);
}

#[test]
fn scanned_commands_run_only_with_trust_project() {
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(Path::new("tree/tools/tsh"), "18.3.0", None);
    let root = t.root.path().join("tree");
    let tool = root.join("tools/tsh").to_string_lossy().into_owned();
    write(&root.join("p/.mcp.json"), &json("mcpServers", &tool));
    let log = root.join("tools/runs.log");
    let root_s = root.to_string_lossy().into_owned();
    let r = t.run(&["check", "--scan", &root_s, "--format", "json"]);
    assert_eq!(r.json()["configs"].as_array().unwrap().len(), 1, "{}", r.stdout);
    assert!(!log.exists(), "a command from a scanned project ran without --trust-project");
    t.run(&["check", "--scan", &root_s, "--trust-project"]);
    assert!(log.exists(), "with --trust-project its version is read");
}
