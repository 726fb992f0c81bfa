//! `fix-config` and `undo`: byte-exact repairs, the write protocol, backups.

use std::fs;
use std::path::{Path, PathBuf};

use crate::env::{TestEnv, tsh_entry};

fn s(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix")
}

fn client_file(client: &str) -> &'static str {
    match client {
        "claude-code" => ".claude.json",
        "vscode" => ".config/Code/User/mcp.json",
        "vscode-settings" => ".config/Code/User/settings.json",
        "windsurf" => ".codeium/windsurf/mcp_config.json",
        "zed" => ".config/zed/settings.json",
        "gemini" => ".gemini/settings.json",
        "codex" => ".codex/config.toml",
        "cline" => ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
        "roo-code" => ".config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
        "opencode" => ".config/opencode/opencode.json",
        "copilot-cli" => ".copilot/mcp-config.json",
        "qwen-code" => ".qwen/settings.json",
        "kiro" => ".kiro/settings/mcp.json",
        "amazon-q" => ".aws/amazonq/mcp.json",
        "lm-studio" => ".lmstudio/mcp.json",
        "antigravity" => ".gemini/antigravity/mcp_config.json",
        "crush" => ".config/crush/crush.json",
        "kilo-code" => ".config/Code/User/globalStorage/kilocode.kilo-code/settings/mcp_settings.json",
        "kilo-cli" => ".config/kilo/kilo.json",
        "goose" => ".config/goose/config.yaml",
        "continue" => ".continue/config.yaml",
        _ => ".cursor/mcp.json",
    }
}

/// The JSON-escaped text of `s` without its quotes, as it appears inside a literal.
/// Every `testdata/fix/<case>`: `in.json` (`in.toml` for Codex, `in.yaml` for Goose and
/// Continue) becomes exactly `out.json` (`out.toml`, `out.yaml`), with `@TSH@` standing for the stable tsh
/// as a JSON string holds it (`@TSH_RAW@`: as it is, for a plain or single-quoted YAML scalar); the exit status is `exit` (default 0),
/// and a second run changes nothing.
#[test]
fn fixtures_round_trip_byte_for_byte() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures()).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 35);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let read = |f: &str| fs::read(case.join(f)).ok();
        let client = read("client").map(|b| String::from_utf8(b).unwrap().trim().to_owned()).unwrap_or_default();
        let want_exit: i32 = read("exit").map(|b| String::from_utf8(b).unwrap().trim().parse().unwrap()).unwrap_or(0);
        let t = TestEnv::new().tsh("18.3.0", None);
        let rel = client_file(&client);
        let target = t.home().join(crate::env::layout(rel));
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        let ext = ["toml", "yaml"].into_iter().find(|e| case.join(format!("in.{e}")).exists()).unwrap_or("json");
        let input = read(&format!("in.{ext}")).unwrap();
        fs::write(&target, &input).unwrap();
        let want = String::from_utf8(read(&format!("out.{ext}")).unwrap())
            .unwrap()
            .replace("@TSH_RAW@", &t.exe_of("bin/tsh"))
            .replace("@TSH@", &crate::env::esc(&t.exe_of("bin/tsh")));

        let r = t.run(&["fix-config", "--format", "json"]);
        assert_eq!(r.code, want_exit, "{name}: exit status\n{}\n{}", r.stdout, r.stderr);
        assert_eq!(String::from_utf8(fs::read(&target).unwrap()).unwrap(), want, "{name}: repaired bytes");
        if want.as_bytes() == input.as_slice() {
            assert!(r.json()["changes"].as_array().unwrap().is_empty(), "{name}");
        }

        let mtime = fs::metadata(&target).unwrap().modified().unwrap();
        let again = t.run(&["fix-config", "--format", "json"]);
        assert_eq!(again.code, want_exit, "{name}: second run\n{}", again.stdout);
        assert!(again.json()["changes"].as_array().unwrap().is_empty(), "{name}: second run changed something");
        assert_eq!(fs::metadata(&target).unwrap().modified().unwrap(), mtime, "{name}: second run wrote the file");
        if want_exit == 0 {
            assert_eq!(t.run(&["check"]).code, 0, "{name}: check after fix");
        }
    }
}

fn stale_home() -> (TestEnv, String) {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let text =
        format!("{{\n  \"mcpServers\": {{\n    \"teleport-mcp-demo\": {}\n  }}\n}}\n", tsh_entry(&stale, "demo"));
    (t, text)
}

#[test]
fn fix_config_reports_changes_and_what_to_restart() {
    let (t, text) = stale_home();
    let t = t.home_file(".config/Claude/claude_desktop_config.json", &text).home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--color", "never"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(&crate::env::shown("fixed ~/.cursor/mcp.json: teleport-mcp-demo:")), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(" -> {}\n", t.exe_of("bin/tsh"))),
        "the fixed line shows the repaired command: {}",
        r.stdout
    );
    // What was repaired is said once, by its `fixed` line; healthy servers get no line after it.
    assert!(!r.stdout.contains("teleport-mcp-demo [tsh]"), "{}", r.stdout);
    assert!(r.stdout.contains("restart Cursor"));
    assert!(
        r.stdout.contains("quit Claude Desktop fully and start it again (if it was running during the fix"),
        "Claude Desktop caveat: {}",
        r.stdout
    );
    assert!(!r.stdout.contains("s3cr3t"));
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(j["summary"]["errors"], 0);
}

#[test]
fn fix_config_json_lists_changes() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--format", "json"]);
    let ch = &r.json()["changes"][0];
    assert_eq!(ch["path"], t.home_path(".cursor/mcp.json"));
    assert_eq!(ch["server"], "teleport-mcp-demo");
    assert_eq!(ch["from"], t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh"));
    assert_eq!(ch["to"], t.exe_of("bin/tsh"));
    assert_eq!(r.json()["summary"]["changed"], 1);
}

#[test]
fn dry_run_prints_a_redacted_diff_and_writes_nothing() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let before = fs::read(t.home().join(".cursor/mcp.json")).unwrap();
    let r = t.run(&["fix-config", "--dry-run"]);
    assert_eq!(r.code, 1, "dry run: the findings still stand");
    assert!(r.stdout.contains(&format!("--- {}", t.home_path(".cursor/mcp.json"))), "{}", r.stdout);
    assert!(r.stdout.contains(&format!(
        "+    \"teleport-mcp-demo\": {{\"command\": \"{}\"",
        crate::env::esc(&t.exe_of("bin/tsh"))
    )));
    assert!(!r.stdout.contains("s3cr3t"), "{}", r.stdout);
    assert!(r.stdout.contains("<redacted>"));
    assert!(!r.stdout.contains("quit Claude Desktop"), "only when its file changes");
    assert_eq!(fs::read(t.home().join(".cursor/mcp.json")).unwrap(), before);
    assert!(!t.home().join(".local/state/mcpcfg").exists(), "no backup on a dry run");
}

/// The dry-run diff hid an env value only when it was written as `json_string` writes it: an
/// escaped form, a number, a value in a shadowed duplicate entry and TOML escapes came out whole.
#[test]
fn dry_run_diff_hides_env_values_in_every_form() {
    let cursor = r#"{
  "mcpServers": {
    "teleport-mcp-b": {"command": "tsh", "args": ["mcp", "connect", "b"]},
    "x": {"command": "npx", "env": {"T": "dup-secret-1"}},
    "x": {"command": "npx", "env": {"E": "esc\/aped-secret-2", "U": "secret3", "N": 123456789}},
    "teleport-mcp-c": {"env": {"A": "plain-secret-4", "A": "again-secret-4"}, "command": "tsh"}
  }
}
"#;
    let codex = "[mcp_servers.teleport-mcp-a]\ncommand = \"tsh\"\nargs = [\"mcp\", \"connect\", \"a\"]\nenv = { B = \"\\u0073ecret5\", L = 'lit-secret6' }\n\n[mcp_servers.teleport-mcp-a2]\ncommand = \"tsh\"\n[mcp_servers.teleport-mcp-a2.env]\nK = \"\"\"\nmulti-secret7\"\"\"\n";
    let zed = "{\n  \"context_servers\": {\n    \"teleport-mcp-z\": {\n      \"command\": {\"path\": \"tsh\", \"args\": [], \"env\": {\"Z\": \"zed-\\u0073ecret8\"}}\n    }\n  }\n}\n";
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".cursor/mcp.json", cursor)
        .home_file(".codex/config.toml", codex)
        .home_file(".config/zed/settings.json", zed);
    let r = t.run(&["fix-config", "--dry-run"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for file in [".cursor/mcp.json", ".codex/config.toml", ".config/zed/settings.json"] {
        assert!(r.stdout.contains(&format!("--- {}", t.home_path(file))), "{file} is in the diff:\n{}", r.stdout);
    }
    for secret in ["ecret", "123456789"] {
        assert!(!r.stdout.contains(secret), "{secret} shown:\n{}", r.stdout);
    }
    assert!(r.stdout.contains(r#""E": "<redacted>", "U": "<redacted>", "N": "<redacted>""#), "{}", r.stdout);
    assert!(r.stdout.contains(r#"{ B = "<redacted>", L = "<redacted>" }"#), "{}", r.stdout);
}

#[test]
fn dry_run_on_claude_desktop_says_to_quit_it_first() {
    let (t, text) = stale_home();
    let t = t.home_file(".config/Claude/claude_desktop_config.json", &text);
    let r = t.run(&["fix-config", "--dry-run"]);
    assert!(r.stdout.contains("quit Claude Desktop fully before running mcpcfg fix-config"), "{}", r.stdout);
}

#[test]
fn server_option_repairs_only_that_server() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let text = format!(
        r#"{{"mcpServers": {{"teleport-mcp-a": {}, "teleport-mcp-b": {}}}}}"#,
        tsh_entry("tsh", "a"),
        tsh_entry("tsh", "b")
    );
    let t = t.home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--server", "teleport-mcp-b", "--format", "json"]);
    assert_eq!(r.json()["changes"].as_array().unwrap().len(), 1);
    let after = t.read_home(".cursor/mcp.json");
    assert!(after.contains(r#""teleport-mcp-a": {"command": "tsh""#));
    assert!(!after.contains(r#""teleport-mcp-b": {"command": "tsh""#));
}

/// `--server` could not pick one project's entry of `~/.claude.json`: the label was refused and
/// the bare name changed every project's.
#[test]
fn server_option_takes_a_project_label() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let entry = tsh_entry("tsh", "demo");
    let text = format!(
        r#"{{"projects": {{"/src/a": {{"mcpServers": {{"teleport-mcp-demo": {entry}}}}}, "/src/b": {{"mcpServers": {{"teleport-mcp-demo": {entry}}}}}}}}}"#
    );
    let t = t.home_file(".claude.json", &text);
    let r = t.run(&["fix-config", "--server", "teleport-mcp-demo (project /src/b)", "--format", "json"]);
    assert_eq!(r.code, 1, "the other project's entry is still broken: {}", r.stderr);
    let changes = r.json()["changes"].as_array().unwrap().clone();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["server"], "teleport-mcp-demo (project /src/b)");
    let after: serde_json::Value = serde_json::from_str(&t.read_home(".claude.json")).unwrap();
    assert_eq!(after["projects"]["/src/a"]["mcpServers"]["teleport-mcp-demo"]["command"], "tsh");
    assert_eq!(after["projects"]["/src/b"]["mcpServers"]["teleport-mcp-demo"]["command"], t.exe_of("bin/tsh"));
}

/// `--server typo` said "nothing to change" and exited 0.
#[test]
fn server_option_naming_no_server_is_an_error() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    for cmd in ["fix-config", "doctor"] {
        let r = t.run(&[cmd, "--server", "teleport-mcp-dmeo"]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stdout);
        assert!(r.stderr.contains("--server teleport-mcp-dmeo: no server of that name"), "{cmd}: {}", r.stderr);
    }
    assert_eq!(t.read_home(".cursor/mcp.json"), text);
}

/// A typo in a folder option read as an empty, healthy machine.
#[test]
fn folder_options_must_name_folders() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let missing = if cfg!(windows) { r"C:\no\such\folder" } else { "/no/such/folder" };
    for opt in ["--home", "--project", "--scan"] {
        let r = t.run(&["check", opt, missing]);
        assert_eq!(r.code, 2, "{opt}");
        assert!(r.stderr.contains(&format!("{opt} {missing}: not a folder")), "{opt}: {}", r.stderr);
    }
}

#[test]
fn project_configs_need_include_project() {
    let (t, text) = stale_home();
    let t = t.project_file(".mcp.json", &text);
    let r = t.run(&["fix-config", "--color", "never"]);
    assert!(r.stdout.contains("--include-project"), "{}", r.stdout);
    assert_eq!(fs::read_to_string(t.project().join(".mcp.json")).unwrap(), text);
    let r = t.run(&["fix-config", "--include-project"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_ne!(fs::read_to_string(t.project().join(".mcp.json")).unwrap(), text);
}

#[test]
fn version_skew_is_left_and_exits_1() {
    let (t, text) = stale_home();
    let t = t.tsh("18.2.0", None).home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["changes"].as_array().unwrap().len(), 1, "the path is still repaired");
    let j = r.json();
    let codes: Vec<&str> = j["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["tsh-version-skew"]);
}

#[test]
fn no_stable_tsh_changes_nothing_and_exits_1() {
    let t = TestEnv::new();
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-a": {}}}}}"#, tsh_entry("/gone/tsh", "a"));
    let t = t.home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("tsh-not-found"));
    assert_eq!(t.read_home(".cursor/mcp.json"), text);
}

#[test]
fn tsh_option_sets_the_target() {
    let (t, text) = stale_home();
    let t = t.tsh_at(Path::new("opt/tsh"), "18.3.0", None).home_file(".cursor/mcp.json", &text);
    let to = t.path_of("opt/tsh");
    let r = t.run(&["fix-config", "--tsh", &to, "--format", "json"]);
    assert_eq!(r.json()["changes"][0]["to"], to);
}

#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn relative_symlink_chain_stays_a_chain() {
    let (t, text) = stale_home();
    // ~/.cursor/mcp.json -> ../dotfiles/link2.json -> real/mcp.json (relative to dotfiles/)
    let t = t.home_file("dotfiles/real/mcp.json", &text);
    crate::env::symlink("real/mcp.json", &t.home().join("dotfiles/link2.json"));
    fs::create_dir_all(t.home().join(".cursor")).unwrap();
    crate::env::symlink("../dotfiles/link2.json", &t.home().join(".cursor/mcp.json"));
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(fs::symlink_metadata(t.home().join(".cursor/mcp.json")).unwrap().file_type().is_symlink());
    assert!(fs::symlink_metadata(t.home().join("dotfiles/link2.json")).unwrap().file_type().is_symlink());
    assert!(t.read_home("dotfiles/real/mcp.json").contains(&t.exe_of("bin/tsh")));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn symlink_loop_is_an_error_and_nothing_is_written() {
    let t = TestEnv::new().tsh("18.3.0", None);
    fs::create_dir_all(t.home().join(".cursor")).unwrap();
    crate::env::symlink("b.json", &t.home().join(".cursor/mcp.json"));
    crate::env::symlink("mcp.json", &t.home().join(".cursor/b.json"));
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
}

#[test]
#[cfg_attr(windows, ignore = "Windows has no permission bits")]
fn file_mode_0600_is_kept() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let p = t.home().join(".cursor/mcp.json");
    crate::env::set_mode(&p, 0o600);
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_eq!(crate::env::mode(&p), 0o600);
    crate::env::set_mode(&p, 0o640);
    fs::write(&p, &text).unwrap();
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_eq!(crate::env::mode(&p), 0o640);
}

#[test]
#[cfg_attr(windows, ignore = "mcpcfg cannot count a file's hard links on Windows (std has no stable API for it)")]
fn hard_link_gets_a_warning() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    fs::hard_link(t.home().join(".cursor/mcp.json"), t.home().join("other-link.json")).unwrap();
    let r = t.run(&["fix-config", "--color", "never"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("hard link"), "{}", r.stdout);
    // The file was replaced, the other name keeps the old text.
    assert_eq!(fs::read_to_string(t.home().join("other-link.json")).unwrap(), text);
}

/// The hard-link warning was a text note only: JSON, the counts and --strict missed it.
#[test]
#[cfg_attr(windows, ignore = "mcpcfg cannot count a file's hard links on Windows (std has no stable API for it)")]
fn hard_link_warning_is_a_finding() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    fs::hard_link(t.home().join(".cursor/mcp.json"), t.home().join("other-link.json")).unwrap();
    let r = t.run(&["fix-config", "--format", "json", "--strict"]);
    assert_eq!(r.code, 1, "--strict: a warning is left");
    assert_eq!(r.codes(), [s("-", "config-hard-linked")]);
    assert_eq!(r.json()["summary"]["warnings"], 1);
}

#[test]
fn read_only_file_is_exit_2_and_unchanged() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let p = t.home().join(".cursor/mcp.json");
    crate::env::set_mode(&p, 0o444);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&crate::env::native(&p)), "names the file: {}", r.stderr);
    assert_eq!(fs::read_to_string(&p).unwrap(), text);
}

#[test]
#[cfg_attr(windows, ignore = "a folder's read-only attribute does not stop writing into it on Windows")]
fn read_only_folder_is_exit_2_and_unchanged() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let dir = t.home().join(".cursor");
    crate::env::set_mode(&dir, 0o555);
    let r = t.run(&["fix-config"]);
    crate::env::set_mode(&dir, 0o755);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(t.read_home(".cursor/mcp.json"), text);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temp file left");
}

#[test]
fn malformed_file_is_never_written() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".cursor/mcp.json", "{\"mcpServers\": {\"teleport-mcp-a\": {\"command\": \"tsh\",,}}}");
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 2);
    assert_eq!(t.read_home(".cursor/mcp.json"), "{\"mcpServers\": {\"teleport-mcp-a\": {\"command\": \"tsh\",,}}}");
}

/// A raw tab inside a string: jsonc-parser let it through, so the file was called healthy and
/// repaired, although `JSON.parse` (Claude Desktop) refuses it and the client loads no server.
#[test]
fn raw_tab_in_a_string_is_malformed_and_never_written() {
    let (t, _) = stale_home();
    let text = "{\n  \"mcpServers\": {\n    \"teleport-mcp-a\": {\"command\": \"tsh\", \"args\": [\"mcp\",\t\"connect\", \"a\tb\"]}\n  }\n}\n";
    let t = t.home_file(".config/Claude/claude_desktop_config.json", text);
    let r = t.run(&["check"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("claude_desktop_config.json:3:71"), "{}", r.stdout);
    assert!(r.stdout.contains("U+0009 (a tab)"), "{}", r.stdout);
    assert_eq!(t.run(&["fix-config"]).code, 2);
    assert_eq!(t.read_home(".config/Claude/claude_desktop_config.json"), text);
}

/// With `--format json` a concurrent change (exit 3) appeared on stderr only.
#[test]
fn fix_config_json_carries_write_errors() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text).env("MCPCFG_TEST_HOOK_BEFORE_RECHECK", KEEPS_WRITING);
    let r = t.run(&["fix-config", "--format", "json"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let errors = &r.json()["write_errors"];
    assert!(errors[0]["message"].as_str().unwrap().contains("changed while mcpcfg was working on it"), "{errors:#}");
    let ok = stale_home().0.home_file(".cursor/mcp.json", &text).run(&["fix-config", "--format", "json"]);
    assert_eq!(ok.json()["write_errors"], serde_json::json!([]));
}

/// The `--dry-run` diff of a CRLF file dropped the CRs, so it did not apply to the file.
#[test]
fn dry_run_diff_of_a_crlf_file_applies_with_patch() {
    let (t, text) = stale_home();
    // No env here: a diff shows env values as <redacted>, and such a hunk cannot apply.
    let crlf = text.replace(r#", "env": {"API_TOKEN": "s3cr3t-env-value"}"#, "").replace('\n', "\r\n");
    let t = t.home_file(".cursor/mcp.json", &crlf);
    let r = t.run(&["fix-config", "--dry-run", "--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("  \"mcpServers\": {\r\n"), "{:?}", r.stdout);
    // Applied with patch(1), the diff gives exactly what fix-config writes.
    let patch_file = t.root.path().join("fix.diff");
    let body: String = r.stdout.split_inclusive('\n').filter(|l| l.starts_with(['-', '+', ' ', '@'])).collect();
    std::fs::write(&patch_file, body).unwrap();
    let copy = t.root.path().join("copy.json");
    std::fs::write(&copy, &crlf).unwrap();
    let st = std::process::Command::new("patch").arg("--quiet").arg(&copy).arg(&patch_file).status();
    let Ok(st) = st else { return }; // no patch(1) on this machine: the CR check above still holds
    assert!(st.success(), "patch refused the diff");
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(t.home().join(".cursor/mcp.json")).unwrap());
}

/// The same file named twice (directly and through a symlink) gave a false exit 3: the second
/// write found the first one's change.
#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn same_file_named_twice_is_repaired_once() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let file = t.home().join(".cursor/mcp.json");
    let link = t.root.path().join("link.json");
    crate::env::symlink(&file, &link);
    let (a, b) = (file.to_string_lossy().into_owned(), link.to_string_lossy().into_owned());
    let r = t.run(&[
        "fix-config",
        "--format",
        "json",
        "--client",
        "cursor",
        "--config",
        &a,
        "--config",
        &b,
        "--config",
        &a,
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["configs"], 1, "read once");
    assert_eq!(j["changes"].as_array().unwrap().len(), 1);
}

/// Another writer that changes the file again before every one of our renames (it stays stale).
/// A concurrent writer: appends to the file before every re-read (the hook runs in `sh -c`, in
/// `cmd /C` on Windows).
const KEEPS_WRITING: &str =
    if cfg!(windows) { "echo.>>\"%MCPCFG_TARGET%\"" } else { "printf ' ' >> \"$MCPCFG_TARGET\"" };
/// What one write of [`KEEPS_WRITING`] appends (cmd's `echo.` writes an empty line).
const APPENDED: &str = if cfg!(windows) { "\r\n" } else { " " };

#[test]
fn concurrent_change_is_detected_exit_3_and_kept() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text).env("MCPCFG_TEST_HOOK_BEFORE_RECHECK", KEEPS_WRITING);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("changed while mcpcfg was working on it"), "{}", r.stderr);
    // Read, planned and tried three times; every change of the other writer survives.
    assert_eq!(
        t.read_home(".cursor/mcp.json"),
        format!("{text}{}", APPENDED.repeat(3)),
        "the other writer's changes survive"
    );
    assert_eq!(fs::read_dir(t.home().join(".cursor")).unwrap().count(), 1, "no temp file left");
}

/// With another writer active (Claude Code rewrites ~/.claude.json often) exit 3 was frequent:
/// fix-config now reads, plans and writes again, with a backoff, before giving up.
#[test]
fn one_concurrent_change_is_retried_and_both_changes_are_kept() {
    let (t, text) = stale_home();
    let marker = t.root.path().join("wrote-once");
    let once = if cfg!(windows) {
        format!("if not exist \"{m}\" (echo.>>\"%MCPCFG_TARGET%\"& type nul > \"{m}\")", m = marker.display())
    } else {
        format!("[ -e '{m}' ] || {{ printf ' ' >> \"$MCPCFG_TARGET\"; touch '{m}'; }}", m = marker.display())
    };
    let t = t.home_file(".cursor/mcp.json", &text).env("MCPCFG_TEST_HOOK_BEFORE_RECHECK", &once);
    let r = t.run(&["fix-config", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let after = t.read_home(".cursor/mcp.json");
    assert!(after.ends_with(&format!("}}\n{APPENDED}")), "the other writer's change is kept: {after:?}");
    assert!(!after.contains("update-pkg-v2"), "and so is the repair: {after}");
    assert_eq!(r.json()["changes"].as_array().unwrap().len(), 1);
    assert_eq!(r.json()["write_errors"], serde_json::json!([]));
    // One backup run for the whole fix; undo goes back to what the successful attempt replaced:
    // the other writer's text.
    assert_eq!(t.run(&["undo"]).code, 0);
    assert_eq!(t.read_home(".cursor/mcp.json"), format!("{text}{APPENDED}"));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn undo_restores_the_original_bytes_through_symlinks() {
    let (t, text) = stale_home();
    let t = t.home_file("dotfiles/cursor-mcp.json", &text);
    fs::create_dir_all(t.home().join(".cursor")).unwrap();
    crate::env::symlink("../dotfiles/cursor-mcp.json", &t.home().join(".cursor/mcp.json"));
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_ne!(t.read_home("dotfiles/cursor-mcp.json"), text);
    let state = t.home().join(".local/state/mcpcfg");
    assert_eq!(crate::env::mode(&state.join("backups")), 0o700);
    let r = t.run(&["undo"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(t.read_home("dotfiles/cursor-mcp.json"), text);
    assert!(fs::symlink_metadata(t.home().join(".cursor/mcp.json")).unwrap().file_type().is_symlink());
    let r = t.run(&["undo"]);
    assert!(r.stdout.contains("nothing to undo"), "{}", r.stdout);
}

#[test]
fn undo_refuses_a_file_changed_since() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    assert_eq!(t.run(&["fix-config"]).code, 0);
    fs::write(t.home().join(".cursor/mcp.json"), "{\"mine\": 1}").unwrap();
    let r = t.run(&["undo"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("changed since"), "{}", r.stdout);
    assert_eq!(t.read_home(".cursor/mcp.json"), "{\"mine\": 1}");
    // It names the very file that holds the old text (it named the run's folder of N.old files).
    let named = r.stdout.split("what it held before: ").nth(1).and_then(|r| r.split(')').next()).unwrap();
    let named = named.replacen('~', &t.home().display().to_string(), 1);
    assert_eq!(fs::read_to_string(named).unwrap(), text);
}

/// The Cline CLI keeps its servers in `~/.cline/data/settings/cline_mcp_settings.json`, each
/// command under `transport` as `cline mcp install` writes it: mcpcfg did not read that file, so
/// a stale tsh there went unseen.
#[test]
fn cline_cli_transport_command_is_found_and_repaired_byte_exactly() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = crate::env::json_str(Path::new(&t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh")));
    let text = format!(
        "{{\n  \"mcpServers\": {{\n    \"teleport-mcp-demo\": {{\n      \"transport\": {{\n        \"type\": \"stdio\",\n        \"command\": {stale},\n        \"args\": [\n          \"mcp\",\n          \"connect\",\n          \"demo\"\n        ]\n      }}\n    }}\n  }}\n}}\n"
    );
    let rel = ".cline/data/settings/cline_mcp_settings.json";
    let t = t.home_file(rel, &text);
    let check = t.run(&["check", "--format", "json"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    let codes = check.json()["findings"].to_string();
    assert!(codes.contains("tsh-managed-update-path"), "{codes}");
    assert_eq!(t.run(&["fix-config"]).code, 0);
    let stable = crate::env::json_str(Path::new(&t.exe_of("bin/tsh")));
    assert_eq!(t.read_home(rel), text.replace(&stale, &stable), "only the command changed");
    assert_eq!(t.run(&["undo"]).code, 0);
    assert_eq!(t.read_home(rel), text);
}

/// `<state>/backups.lock`, held as another fix-config or undo holds it while it changes the
/// backups (an advisory lock, `flock` or `LockFileEx`). The state folder and the lock file are
/// made by a run of mcpcfg first, as they would be on a user's machine, and that run undone.
fn hold_backups_lock(t: &TestEnv, path: &str, text: &str) -> fs::File {
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_eq!(t.run(&["undo"]).code, 0);
    assert_eq!(t.read_home(path), text);
    let state = if cfg!(windows) { r"AppData\Local\mcpcfg" } else { ".local/state/mcpcfg" };
    let lock = fs::OpenOptions::new().write(true).open(t.home().join(state).join("backups.lock")).unwrap();
    lock.lock().unwrap();
    lock
}

#[test]
fn fix_config_waits_for_another_run_to_finish_with_the_backups_then_backs_up() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let lock = hold_backups_lock(&t, ".cursor/mcp.json", &text);
    // Released while this run waits at its first save (it gets there in well under a second).
    let other = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(lock);
    });
    let r = t.run(&["fix-config"]);
    other.join().unwrap();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!t.read_home(".cursor/mcp.json").contains("update-pkg-v2"));
    // Its backup was made once the lock was free: undo goes back to the old text.
    assert_eq!(t.run(&["undo"]).code, 0);
    assert_eq!(t.read_home(".cursor/mcp.json"), text);
}

#[test]
fn fix_config_leaves_the_file_alone_when_another_run_keeps_the_backups_past_the_wait() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let _lock = hold_backups_lock(&t, ".cursor/mcp.json", &text);
    let start = std::time::Instant::now();
    let r = t.run(&["fix-config", "--format", "json"]);
    assert!(start.elapsed() >= std::time::Duration::from_secs(15), "gave up after {:?}", start.elapsed());
    // No repair without its backup: the file is as it was, and the run says why and what to do.
    assert_eq!(t.read_home(".cursor/mcp.json"), text);
    // A write that failed, nothing half-written (SPEC §1).
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let errors = r.json()["write_errors"].to_string();
    assert!(errors.contains("another mcpcfg (fix-config or undo) is changing the backups"), "{errors}");
    assert!(errors.contains("wait for it to end"), "{errors}");
    assert_eq!(r.json()["changes"], serde_json::json!([]));
}

#[test]
fn no_backup_leaves_no_state() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    assert_eq!(t.run(&["fix-config", "--no-backup"]).code, 0);
    assert!(!t.home().join(".local/state/mcpcfg/backups").exists());
}

/// How long after the start a kill may land, in microseconds, so that kills fall anywhere in
/// a run of `args` on `old`: half again the slowest of three runs (debug builds are slower; one
/// run timed alone, while the other tests load the machine, once made every later run outlast
/// its window: all 60 killed). `after` runs after each (an undo, to start again from `old`).
fn kill_window(t: &TestEnv, path: &Path, old: &str, args: &[&str], after: Option<&[&str]>) -> u64 {
    let mut slowest = 0u64;
    for _ in 0..3 {
        fs::write(path, old).unwrap();
        let start = std::time::Instant::now();
        t.std_cmd(args).status().unwrap();
        slowest = slowest.max(start.elapsed().as_micros() as u64);
        if let Some(after) = after {
            t.std_cmd(after).status().unwrap();
        }
    }
    slowest.max(1000) * 3 / 2
}

/// The next of a reproducible sequence of kill delays (xorshift).
fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// SIGKILL at random moments during fix-config on a large `~/.claude.json`: afterwards the
/// file is always exactly the old or exactly the new text.
#[test]
#[cfg_attr(windows, ignore = "it sends Unix signals with kill(1)")]
fn killed_fix_config_leaves_old_or_new_text() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let mut projects = Vec::new();
    for i in 0..4000 {
        projects.push(format!(
            r#""/home/u/src/p{i}": {{"allowedTools": [], "history": [{{"display": "{}", "pastedContents": {{}}}}], "mcpServers": {{}}}}"#,
            "prompt text ".repeat(40)
        ));
    }
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let old = format!(
        r#"{{"numStartups": 3, "projects": {{{}}}, "mcpServers": {{"teleport-mcp-demo": {}}}}}"#,
        projects.join(", "),
        tsh_entry(&stale, "demo")
    );
    let new = old.replace(&crate::env::esc(&stale), &crate::env::esc(&t.exe_of("bin/tsh")));
    let path = t.home().join(".claude.json");
    let runs: u64 = std::env::var("MCPCFG_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let window = kill_window(&t, &path, &old, &["fix-config", "--no-backup", "-q"], None);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let (mut killed, mut finished) = (0, 0);
    for _ in 0..runs {
        fs::write(&path, &old).unwrap();
        let delay = std::time::Duration::from_micros(xorshift(&mut seed) % window);
        let mut child = t.std_cmd(&["fix-config", "--no-backup", "-q"]).spawn().unwrap();
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(_) => finished += 1,
            None => {
                child.kill().unwrap();
                killed += 1;
            }
        }
        child.wait().unwrap();
        let now = fs::read_to_string(&path).unwrap();
        assert!(now == old || now == new, "after a kill the file is neither the old nor the new text");
        let leftovers: Vec<_> = fs::read_dir(t.home())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("mcpcfg"))
            .collect();
        for l in leftovers {
            // A kill between creating and renaming the temp file can leave it behind; it never
            // replaces the config, and it is removed here so the next run starts clean.
            fs::remove_file(l.path()).unwrap();
        }
        // A killed run leaves Claude Code's lock behind; Claude Code and fix-config take it over
        // once it is 10 s old. The next run here starts as if that time had passed: otherwise
        // every run waits on it, and no write is ever reached (the test then proved nothing).
        let _ = fs::remove_dir(t.home().join(".claude.json.lock"));
    }
    eprintln!("{runs} runs: {killed} killed mid-run, {finished} finished");
    assert!(killed > 0, "the test must kill some runs ({finished} finished)");
    assert!(runs < 20 || finished > 0, "some runs must get through the write ({killed} were killed)");
}

/// The same with backups on, which now keep the replaced file itself by a second name (issue
/// 13): after a kill anywhere, `undo` brings back exactly the old text, and the config is left
/// with one name.
#[test]
#[cfg_attr(windows, ignore = "it sends Unix signals with kill(1)")]
fn killed_fix_config_with_backups_is_undone_to_the_old_text() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let history = "prompt text ".repeat(40);
    let projects: Vec<String> = (0..4000)
        .map(|i| format!(r#""/home/u/src/p{i}": {{"history": [{{"display": "{history}"}}], "mcpServers": {{}}}}"#))
        .collect();
    let old = format!(
        r#"{{"projects": {{{}}}, "mcpServers": {{"teleport-mcp-demo": {}}}}}"#,
        projects.join(", "),
        tsh_entry(&stale, "demo")
    );
    let path = t.home().join(".claude.json");
    let runs: u64 = std::env::var("MCPCFG_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let window = kill_window(&t, &path, &old, &["fix-config", "-q"], Some(&["undo", "-q"]));
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut killed = 0;
    for _ in 0..runs {
        fs::write(&path, &old).unwrap();
        let mut child = t.std_cmd(&["fix-config", "-q"]).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_micros(xorshift(&mut seed) % window));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        let _ = fs::remove_dir(t.home().join(".claude.json.lock"));
        let undo = t.run(&["undo"]);
        assert!(undo.code == 0, "undo after a kill: {}{}", undo.stdout, undo.stderr);
        assert!(fs::read_to_string(&path).unwrap() == old, "undo did not bring back the old text: {}", undo.stdout);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // A kill between keeping the file and renaming over it leaves the backup's name on
            // the config itself: undo removes it.
            let links = fs::metadata(&path).unwrap().nlink();
            assert_eq!(links, 1, "the config has {links} names after undo");
        }
        for e in fs::read_dir(t.home()).unwrap().filter_map(|e| e.ok()) {
            if e.file_name().to_string_lossy().contains("mcpcfg") {
                fs::remove_file(e.path()).unwrap();
            }
        }
    }
    eprintln!("{runs} runs with backups: {killed} killed mid-run, each undone to the old text, with one name");
    assert!(killed > 0, "the test must kill some runs");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "a double quote cannot be in a Windows file name (the windows module checks Windows paths)"
)]
fn windows_style_target_path_is_json_escaped() {
    // A folder name with backslashes, a space and a quote: the literal written must escape them.
    let (t, text) = stale_home();
    let t =
        t.tsh_at(Path::new(r#"C:\Program Files\Tele "port"/tsh"#), "18.3.0", None).home_file(".cursor/mcp.json", &text);
    let to = t.path_of(r#"C:\Program Files\Tele "port"/tsh"#);
    let r = t.run(&["fix-config", "--tsh", &to, "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let after = t.read_home(".cursor/mcp.json");
    assert!(after.contains(r#"C:\\Program Files\\Tele \"port\"/tsh"#), "{after}");
    let parsed: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(parsed["mcpServers"]["teleport-mcp-demo"]["command"], to);
    assert_eq!(t.run(&["check"]).code, 0);
}

/// A big pretty-printed `~/.claude.json` (check streams it, fix-config reads it whole): both
/// see the same stale servers, in both halves of the file, and the repair changes nothing else.
#[test]
fn big_claude_json_is_checked_streamed_and_repaired_whole_alike() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let entry: serde_json::Value = serde_json::from_str(&tsh_entry(&stale, "demo")).unwrap();
    let history = serde_json::json!([{"display": "prompt é 🚀 \"quoted\" ".repeat(100), "pastedContents": {}}]);
    let mut projects = serde_json::Map::new();
    let n = 3000; // about 8 MB: streamed (SPEC §8's big-file path), in two halves
    for i in 0..n {
        let servers = if i % 500 == 7 {
            serde_json::json!({ format!("teleport-mcp-{i}"): entry })
        } else {
            serde_json::json!({})
        };
        projects.insert(format!("/home/u/src/p{i}"), serde_json::json!({"history": history, "mcpServers": servers}));
    }
    let file = serde_json::json!({"numStartups": 3, "mcpServers": {"teleport-mcp-top": entry}, "projects": projects});
    let old = serde_json::to_string_pretty(&file).unwrap();
    assert!(old.len() > 4 << 20, "{} bytes", old.len());
    fs::write(t.home().join(".claude.json"), &old).unwrap();

    let stale_servers = 1 + n / 500;
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let codes = r.codes();
    assert_eq!(codes.len(), stale_servers, "{codes:?}");
    assert!(codes.iter().all(|(_, c)| c == "tsh-managed-update-path"), "{codes:?}");
    assert!(codes.iter().any(|(s, _)| s.contains("p2507")), "a server in the second half: {codes:?}");
    assert_eq!(t.run(&["list", "--format", "json"]).json()["summary"]["tsh_servers"], stale_servers);

    let r = t.run(&["fix-config", "--no-backup", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let new = old.replace(&crate::env::esc(&stale), &crate::env::esc(&t.exe_of("bin/tsh")));
    assert!(t.read_home(".claude.json") == new, "only the command literals changed");
    assert_eq!(t.run(&["check"]).code, 0);
}

/// A tsh that is a symlink into the managed-update folder (`~/bin/tsh -> ~/.tsh/bin/<uuid>-update-pkg-v2/tsh`)
/// passed as stable: configs were pointed at a link the updater breaks.
#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn link_into_the_managed_folder_is_neither_stable_nor_healthy() {
    let t =
        TestEnv::new().tsh("18.3.0", None).tsh_at(Path::new("home/.tsh/bin/0c1d-update-pkg-v2/tsh"), "18.3.0", None);
    fs::create_dir_all(t.home().join("bin")).unwrap();
    crate::env::symlink(t.home().join(".tsh/bin/0c1d-update-pkg-v2/tsh"), &t.home().join("bin/tsh"));
    let link = t.home_path("bin/tsh");
    let text = format!("{{\"mcpServers\": {{\"teleport-mcp-a\": {}}}}}", tsh_entry(&link, "a"));
    let path = format!("{}:{}:/usr/bin:/bin", t.home().join("bin").display(), t.bin().display());
    let t = t.home_file(".cursor/mcp.json", &text).env("PATH", &path);

    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.json()["tsh"]["path"], t.exe_of("bin/tsh"), "the link first on PATH is skipped");
    assert_eq!(r.codes(), [s("teleport-mcp-a", "tsh-managed-update-path")]);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        t.read_home(".cursor/mcp.json"),
        text.replace(&crate::env::esc(&link), &crate::env::esc(&t.exe_of("bin/tsh")))
    );
}

/// A dry run on a minified (one-line) `~/.claude.json` printed the whole file twice.
#[test]
fn dry_run_on_a_one_line_file_shows_only_the_edit() {
    let (t, _) = stale_home();
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let history = format!(r#"[{{"display": "{}"}}]"#, "prompt text ".repeat(50_000));
    let text = format!(
        r#"{{"projects": {{"/src/a": {{"history": {history}}}}}, "mcpServers": {{"teleport-mcp-demo": {}}}, "tail": "{}"}}"#,
        tsh_entry(&stale, "demo"),
        "z".repeat(100_000)
    );
    let t = t.home_file(".claude.json", &text);
    let r = t.run(&["fix-config", "--dry-run"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.len() < 4096, "{} bytes of diff", r.stdout.len());
    let plus = r.stdout.lines().find(|l| l.starts_with("+…")).unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        plus.contains(&format!("\"teleport-mcp-demo\": {{\"command\": \"{}\"", crate::env::esc(&t.exe_of("bin/tsh")))),
        "{plus}"
    );
    assert!(plus.ends_with('…'), "{plus}");
    assert!(r.stdout.contains("\"<redacted>\""), "env still hidden: {}", r.stdout);
}

/// The dry-run diff after the audit of the byte-range redaction: a multi-line TOML secret lost
/// its line breaks (and the hunk its line numbers), a text pass still hid every occurrence of
/// an env value (the repair target itself, or "mcp" in args), and a sub-table env was shown.
#[test]
fn dry_run_redaction_keeps_lines_and_hides_only_env_values() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stable = t.exe_of("bin/tsh");
    let codex = "[mcp_servers.teleport-a]\ncommand = \"tsh\"\nenv.CERT = \"\"\"-----BEGIN-----\nabc\n-----END-----\"\"\"\n[mcp_servers.b.env.DEEP]\ndeep = \"toml-deep-secret\"\n[mcp_servers.teleport-c]\ncommand = \"tsh\"\n";
    let desktop = format!(
        "{{\n  \"mcpServers\": {{\n    \"teleport-mcp-a\": {{\"command\": \"tsh\", \"args\": [\"mcp\", \"connect\", \"a\"], \"env\": {{\"TSH_BIN\": \"{}\", \"X\": \"mcp\"}}}}\n  }}\n}}\n",
        crate::env::esc(&stable)
    );
    let t = t.home_file(".codex/config.toml", codex).home_file(".config/Claude/claude_desktop_config.json", &desktop);
    let r = t.run(&["fix-config", "--dry-run", "--color", "never"]);
    let out = &r.stdout;
    assert!(!out.contains("abc") && !out.contains("BEGIN") && !out.contains("toml-deep-secret"), "{out}");
    // The secret's three lines are still three lines: what follows keeps its place.
    let codex_diff = &out[out.find(&format!("--- {}", t.home_path(".codex/config.toml"))).unwrap()..];
    assert!(codex_diff.contains("\n@@ -1,9 +1,9 @@\n"), "{codex_diff}");
    assert!(
        codex_diff.contains("\n env.CERT = \"<redacted>\"\n \n \n [mcp_servers.b.env.DEEP]\n deep = \"<redacted>\"\n"),
        "{codex_diff}"
    );
    // The repair target and "mcp" in args are shown; only the env values are hidden.
    assert!(out.contains(&format!("+    \"teleport-mcp-a\": {{\"command\": \"{}\", \"args\": [\"mcp\", \"connect\", \"a\"], \"env\": {{\"TSH_BIN\": \"<redacted>\", \"X\": \"<redacted>\"}}}}", crate::env::esc(&stable))), "{out}");
}

/// Claude Code locks `~/.claude.json` (a `~/.claude.json.lock` folder) around its own
/// read-modify-write; fix-config replaced the file regardless and the client's write put the
/// stale path back.
#[test]
fn claude_json_lock_held_by_claude_code_leaves_the_file_alone_exit_3() {
    let (t, text) = stale_home();
    let t =
        t.home_file(".claude.json", &text).home_file(".cursor/mcp.json", &text).env("MCPCFG_TEST_LOCK_WAIT_MS", "300");
    fs::create_dir(t.home().join(".claude.json.lock")).unwrap();
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(".claude.json.lock: held by another program"), "{}", r.stderr);
    assert_eq!(t.read_home(".claude.json"), text, "left alone");
    assert_ne!(t.read_home(".cursor/mcp.json"), text, "the other files are still repaired");
    assert!(t.home().join(".claude.json.lock").is_dir(), "the client's lock is not ours to remove");
}

#[test]
fn claude_json_lock_is_taken_while_fixing_and_released() {
    let (t, text) = stale_home();
    let lock = t.home().join(".claude.json.lock");
    let probe = if cfg!(windows) {
        format!("if exist \"{}\\\" echo LOCKED-DURING-WRITE", lock.display())
    } else {
        format!("test -d '{}' && echo LOCKED-DURING-WRITE", lock.display())
    };
    let t = t.home_file(".claude.json", &text).env("MCPCFG_TEST_HOOK_BEFORE_RECHECK", &probe);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("LOCKED-DURING-WRITE"), "{}", r.stderr);
    assert!(!lock.exists(), "released");
    assert_ne!(t.read_home(".claude.json"), text);
}

/// A lock whose holder died (untouched for longer than Claude Code's stale time) is taken over,
/// as Claude Code itself would.
#[test]
fn claude_json_stale_lock_is_taken_over() {
    let (t, text) = stale_home();
    let t = t.home_file(".claude.json", &text).env("MCPCFG_TEST_LOCK_WAIT_MS", "300");
    let lock = t.home().join(".claude.json.lock");
    fs::create_dir(&lock).unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    crate::env::set_folder_mtime(&lock, old);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_ne!(t.read_home(".claude.json"), text);
    assert!(!lock.exists());
}

/// An `env` written as a string (`"env": "TOKEN=s3cr3t"`) and a remote server's `headers` were
/// printed in `--dry-run` diffs.
#[test]
fn dry_run_hides_env_of_any_form_and_remote_headers() {
    // Small (the JSONC reader) and big (the fast reader) alike.
    for pad in [0, 70_000] {
        let t = TestEnv::new().tsh("18.3.0", None);
        let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
        let body = format!(
            "{{{}\n  \"mcpServers\": {{\n    \"teleport-mcp-a\": {{\"command\": \"{}\", \"args\": [\"mcp\", \"connect\", \"a\"], \"env\": \"TOKEN=s3cr3t-1\"}},\n    \"web\": {{\"type\": \"http\", \"url\": \"https://x\", \"headers\": {{\"Authorization\": \"Bearer s3cr3t-2\"}}}},\n    \"teleport-mcp-b\": {{\"command\": \"{}\", \"args\": [\"mcp\", \"connect\", \"b\"], \"env\": [\"s3cr3t-3\"]}}\n  }}\n}}\n",
            " ".repeat(pad),
            crate::env::esc(&stale),
            crate::env::esc(&stale)
        );
        let t = t.home_file(".cursor/mcp.json", &body);
        let r = t.run(&["fix-config", "--dry-run", "--color", "never"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stdout.contains("<redacted>"), "{pad}: {}", r.stdout);
        for secret in ["s3cr3t-1", "s3cr3t-2", "s3cr3t-3"] {
            assert!(!r.stdout.contains(secret), "{pad}: {secret} shown:\n{}", r.stdout);
        }
    }
}

/// `fix-config >/dev/full` fixed the file but exited 2 with a bare "No space left on device".
#[test]
#[cfg_attr(windows, ignore = "Windows has no /dev/full")]
fn report_that_cannot_be_written_says_the_files_were_repaired() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let out = t.std_cmd(&["fix-config"]).stdout(fs::File::create("/dev/full").unwrap()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the configs were repaired as planned, but the report could not be written"), "{err}");
    assert_ne!(t.read_home(".cursor/mcp.json"), text);
}

/// Temp copies a killed run left beside a config stayed for ever once the file was healthy (no
/// later write came to remove them): any fix-config now removes the old ones.
#[test]
fn temp_files_of_killed_runs_are_removed_beside_a_healthy_config() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let tsh = t.exe_of("bin/tsh");
    let t = t.home_file(
        ".cursor/mcp.json",
        &format!("{{\"mcpServers\": {{\"teleport-mcp-a\": {}}}}}", tsh_entry(&tsh, "a")),
    );
    let dir = t.home().join(".cursor");
    let old = dir.join(".mcp.json.mcpcfg-Ab12Cd.tmp");
    let fresh = dir.join(".mcp.json.mcpcfg-Zz99Yy.tmp");
    for f in [&old, &fresh] {
        fs::write(f, "partial").unwrap();
    }
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options().write(true).open(&old).unwrap().set_modified(long_ago).unwrap();
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!old.exists(), "an old copy of a killed run is removed");
    assert!(fresh.exists(), "a fresh one may be a live run's: kept");
}

/// A successful fix read as a failure: the report, errors first, and the `fixed …` lines last.
#[test]
fn fix_config_says_what_it_changed_first() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--color", "never"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with(&crate::env::shown("fixed ~/.cursor/mcp.json: teleport-mcp-demo:")), "{}", r.stdout);
}

/// Continue reads the YAML blocks in a project's `.continue/mcpServers/`: found as project
/// files, left alone without `--include-project`, repaired byte for byte with it.
#[test]
fn continue_project_block_is_found_and_repaired_with_include_project() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let gone = t.home_path(".tsh/bin/4a5b-update-pkg-v2/tsh");
    let block = format!(
        "name: Teleport\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: teleport-mcp-demo # ours\n    command: {gone}\n    args: [mcp, connect, demo]\n"
    );
    let t = t.project_file(".continue/mcpServers/teleport.yaml", &block);
    let r = t.run(&["check", "--client", "continue", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["configs"][0]["scope"], "project");
    t.run(&["fix-config", "--client", "continue"]);
    assert_eq!(fs::read_to_string(t.project().join(".continue/mcpServers/teleport.yaml")).unwrap(), block);
    let r = t.run(&["fix-config", "--client", "continue", "--include-project"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A plain scalar stays plain.
    let want = block.replace(&gone, &t.exe_of("bin/tsh"));
    assert_eq!(fs::read_to_string(t.project().join(".continue/mcpServers/teleport.yaml")).unwrap(), want);
}

/// A copy that a later duplicate key hides (`"projects": []` after the real `projects`, a YAML
/// extension named twice) still sits in the file, and a diff's context lines showed its `env`
/// values: secrets are now hidden by where they are in the document.
#[test]
fn dry_run_hides_env_values_of_copies_a_duplicate_key_hides() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let claude = "{\n  \"mcpServers\": {\n    \"teleport-mcp-a\": {\"command\": \"/gone/tsh\", \"args\": [\"mcp\", \"connect\", \"a\"]}\n  },\n  \"projects\": {\"/x\": {\"mcpServers\": {\"s\": {\"command\": \"/bin/true\", \"env\": {\"T\": \"s3cr3t\"}}}}},\n  \"projects\": []\n}\n";
    let goose = "extensions:\n  other:\n    envs: {T: s3cr3t}\n  teleport:\n    cmd: /gone/tsh\n    args: [mcp, connect, a]\n    enabled: true\n  other:\n    cmd: /bin/true\n    enabled: true\n";
    let t = t.home_file(".claude.json", claude).home_file(".config/goose/config.yaml", goose);
    let r = t.run(&["fix-config", "--dry-run", "--client", "claude-code", "--client", "goose"]);
    assert_eq!(
        r.stdout.matches("-    \"teleport-mcp-a\"").count() + r.stdout.matches("-    cmd: /gone/tsh").count(),
        2,
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("{T: \"<redacted>\"}"), "{}", r.stdout);
    assert!(!r.stdout.contains("s3cr3t"), "{}", r.stdout);
}

/// An `env` outside every server (another tool's settings, a copy under a duplicate key off the
/// servers paths) showed its values in the context lines of a dry-run diff, in small files and in
/// big ones read by the fast reader alike.
#[test]
fn dry_run_hides_env_values_outside_every_server_in_small_and_big_files() {
    for pad in [0, 100_000] {
        let claude = format!(
            "{{\n  \"pad\": \"{}\",\n  \"tool\": {{\"env\": {{\"T\": \"s3cr3t-1\"}}, \"headers\": \"s3cr3t-2\"}},\n  \"tool\": 1,\n  \"mcpServers\": {{\n    \"teleport-mcp-a\": {{\"command\": \"/gone/tsh\", \"args\": [\"mcp\", \"connect\", \"a\"]}}\n  }}\n}}\n",
            "x".repeat(pad)
        );
        let t = TestEnv::new().tsh("18.3.0", None).home_file(".claude.json", &claude);
        let r = t.run(&["fix-config", "--dry-run", "--client", "claude-code"]);
        assert!(r.stdout.contains("-    \"teleport-mcp-a\""), "{pad}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("{\"T\": \"<redacted>\"}"), "{pad}: {}", r.stdout);
        assert!(!r.stdout.contains("s3cr3t"), "{pad}: {}", r.stdout);
    }
}

/// 220 killed runs on a 50 MB file left 113 temp copies (3.6 GB) beside it. On Linux the new
/// content is an unnamed file until just before the rename: a run killed while it waits with the
/// content written (here, in the test hook) leaves no file behind, and the config is untouched.
#[test]
#[cfg(target_os = "linux")]
fn a_run_killed_after_writing_its_temp_copy_leaves_no_file_behind() {
    let (t, text) = stale_home();
    let marker = t.home().join("hook-started");
    let hook = format!("touch '{}'; sleep 5", marker.display());
    let t = t.home_file(".cursor/mcp.json", &text).env("MCPCFG_TEST_HOOK_BEFORE_RECHECK", &hook);
    let mut child = t.std_cmd(&["fix-config", "--no-backup"]).spawn().unwrap();
    let start = std::time::Instant::now();
    while !marker.exists() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "the hook never ran");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let names: Vec<String> = fs::read_dir(t.home().join(".cursor"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["mcp.json"], "what the killed run left");
    assert_eq!(t.read_home(".cursor/mcp.json"), text);
}

/// The dry-run diff named files `a/~/.cursor/mcp.json`, which neither `patch` nor `git apply`
/// can find: its headers are now the real paths (quoted where they hold a space), so
/// `patch -p0` applies it from any folder, and fix-config then has nothing left to do. (Entries
/// without env values: a hunk that shows `<redacted>` cannot apply.)
#[test]
#[cfg_attr(windows, ignore = "GNU patch is not on the Windows test machine")]
fn dry_run_diff_applies_with_patch_from_any_folder() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let home = t.home().parent().unwrap().join("my home");
    let entry = |app: &str| format!(r#"{{"command": "/gone/tsh", "args": ["mcp", "connect", "{app}"]}}"#);
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, entry("x"));
    crate::env::write(&home.join(".cursor/mcp.json"), &cursor);
    let claude = format!("{{\r\n  \"mcpServers\": {{\"teleport-mcp-y\": {}}}\r\n}}\r\n", entry("y"));
    crate::env::write(&home.join(".claude.json"), &claude);
    let out = t.std_cmd(&["fix-config", "--dry-run"]).env("MCPCFG_HOME", &home).output().unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains(&format!("--- \"{}\"", home.join(".cursor/mcp.json").display())), "{diff}");
    let patch = std::process::Command::new("patch")
        .args(["-p0", "--batch", "--forward"])
        .current_dir("/")
        .stdin(std::process::Stdio::piped())
        .output_with(&diff);
    assert!(
        patch.status.success(),
        "patch -p0 (apt-get install patch): {}\n{diff}",
        String::from_utf8_lossy(&patch.stdout)
    );
    let tsh = t.exe_of("bin/tsh");
    assert_eq!(fs::read_to_string(home.join(".cursor/mcp.json")).unwrap(), cursor.replace("/gone/tsh", &tsh));
    assert_eq!(fs::read_to_string(home.join(".claude.json")).unwrap(), claude.replace("/gone/tsh", &tsh));
    let again = t.std_cmd(&["fix-config", "--format", "json"]).env("MCPCFG_HOME", &home).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(j["changes"].as_array().unwrap().len(), 0, "the patch did the whole repair, CRLF file included: {j:#}");
}

/// Runs a command with `input` on its standard input.
trait OutputWith {
    fn output_with(&mut self, input: &str) -> std::process::Output;
}

impl OutputWith for std::process::Command {
    fn output_with(&mut self, input: &str) -> std::process::Output {
        use std::io::Write;
        let mut child = self.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }
}

/// The dry-run diff is coloured as git colours one, when colour is on, and plain otherwise.
#[test]
fn dry_run_diff_is_coloured_on_request() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--dry-run", "--color", "always"]);
    assert!(r.stdout.contains("\x1b[31m-") && r.stdout.contains("\x1b[32m+"), "{:?}", r.stdout);
    assert!(r.stdout.contains("\x1b[36m@@"), "{:?}", r.stdout);
    let r = t.run(&["fix-config", "--dry-run", "--color", "never"]);
    assert!(!r.stdout.contains('\x1b'), "{:?}", r.stdout);
}

/// A successful fix read as a failure: errors first, the good news last (issue 14, item 2).
/// Now what was changed leads, and the summary says what was repaired and what is left.
#[test]
fn a_repair_reads_as_a_repair() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let r = t.run(&["fix-config", "--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.starts_with("fixed "), "{}", r.stdout);
    assert!(r.stdout.trim_end().ends_with(": 1 repaired, nothing left"), "{}", r.stdout);
}

/// With 18.3.0 installed on PATH, a config on an existing 18.2.0 stayed, and
/// `fix-config --tsh NEW` changed nothing (issue 14, item 3): a config on a tsh too old for MCP
/// moves to the stable one when that one is good, and `--tsh` repoints every selected server.
#[test]
fn a_config_on_an_old_tsh_moves_to_the_newer_stable_one() {
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(Path::new("old/tsh"), "18.2.0", None);
    let old = t.exe_of("old/tsh");
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-a": {}}}}}"#, tsh_entry(&old, "a"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    assert_eq!(t.run(&["check"]).code, 1, "the old tsh is version skew");
    let r = t.run(&["fix-config", "--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("1 repaired, nothing left"), "{}", r.stdout);
    assert_eq!(
        t.read_home(".cursor/mcp.json"),
        cursor.replace(&crate::env::esc(&old), &crate::env::esc(&t.exe_of("bin/tsh")))
    );
    // `--tsh` points even a healthy entry at the tsh asked for; without it, a healthy one stays.
    let t = t.tsh_at(Path::new("new/tsh"), "18.4.0", None);
    assert_eq!(t.run(&["fix-config", "--format", "json"]).json()["changes"].as_array().unwrap().len(), 0);
    let new = t.exe_of("new/tsh");
    let r = t.run(&["fix-config", "--tsh", &new, "--server", "teleport-mcp-a"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(t.read_home(".cursor/mcp.json").contains(&crate::env::esc(&new)), "{}", r.stdout);
}

/// `fixed ~/.cursor/mcp.json: …: /home/u/.tsh/bin/…/tsh -> …` shortened the file but not the
/// command, and doctor said `(path)` where check said `(on PATH)` (issue 14, item 6, part).
#[test]
fn fixed_lines_and_the_tsh_line_read_alike() {
    let (t, text) = stale_home();
    let t = t.home_file(".cursor/mcp.json", &text);
    let doctor = t.run(&["doctor", "--color", "never"]).stdout;
    assert!(doctor.contains("(on PATH)") && !doctor.contains("(path)"), "{doctor}");
    let r = t.run(&["fix-config", "--color", "never"]);
    let line = r.stdout.lines().next().unwrap();
    assert!(line.contains(&crate::env::shown(": ~/.tsh/bin/0c1d-update-pkg-v2/tsh -> ")), "{line}");
}
