//! `list` and `check`: discovery, findings, exit statuses, JSON shape, secrecy.

use crate::env::{Fake, TestEnv, tsh_entry};

fn s(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

/// The home of the foundation issue's "done means": a Claude Desktop config on a deleted
/// managed-update tsh, a commented VS Code mcp.json on bare `tsh`, a Claude Code project entry
/// on a versioned agent path, and a healthy Cursor entry.
fn broken_home() -> TestEnv {
    let t = TestEnv::new().tsh("18.2.3", None);
    let stable = t.exe_of("bin/tsh");
    let deleted = t.home_path(".tsh/bin/4a5b6c7d-update-pkg-v2/tsh");
    let desktop =
        format!("{{\n  \"mcpServers\": {{\n    \"teleport-mcp-demo\": {}\n  }}\n}}\n", tsh_entry(&deleted, "demo"));
    let vscode = "{\n  // Teleport's sample config\n  \"servers\": {\n    \"teleport-mcp-x\": {\"command\": \"tsh\", \"args\": [\"mcp\", \"connect\", \"x\"],},\n  },\n}\n";
    let claude = format!(
        r#"{{"numStartups": 7, "projects": {{"/src/app": {{"history": [], "mcpServers": {{"teleport-mcp-a": {}}}}}}}}}"#,
        tsh_entry("/opt/teleport/default/versions/v18.1.4/bin/tsh", "a")
    );
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&stable, "ok"));
    t.home_file(".config/Claude/claude_desktop_config.json", &desktop)
        .home_file(".config/Code/User/mcp.json", vscode)
        .home_file(".claude.json", &claude)
        .home_file(".cursor/mcp.json", &cursor)
}

#[test]
#[cfg_attr(
    windows,
    ignore = "its configs name Unix paths (/opt/teleport/..., /src/app), which are relative on Windows"
)]
fn check_reports_exactly_the_broken_servers() {
    let t = broken_home();
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.codes(),
        [
            s("teleport-mcp-a (project /src/app)", "tsh-agent-update-path"),
            s("teleport-mcp-a (project /src/app)", "tsh-missing"),
            s("teleport-mcp-demo", "tsh-managed-update-path"),
            s("teleport-mcp-x", "tsh-relative"),
        ]
    );
    let j = r.json();
    assert_eq!(j["summary"]["configs"], 4);
    assert_eq!(j["summary"]["tsh_servers"], 4);
    assert_eq!(j["summary"]["errors"], 3);
    assert_eq!(j["summary"]["warnings"], 1);
}

#[test]
fn check_never_prints_env_values() {
    let t = broken_home();
    for format in ["text", "json"] {
        let r = t.run(&["check", "--format", format]);
        assert!(!r.stdout.contains("s3cr3t"), "{format} output shows an env value:\n{}", r.stdout);
        assert!(!r.stderr.contains("s3cr3t"));
        assert!(r.stdout.contains("API_TOKEN"), "env names are shown");
    }
    let r = t.run(&["list", "--format", "json"]);
    assert!(!r.stdout.contains("s3cr3t"));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "its configs name Unix paths (/opt/teleport/..., /src/app), which are relative on Windows"
)]
fn check_text_groups_by_file_with_tilde_paths() {
    let t = broken_home();
    let r = t.run(&["check", "--color", "never"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("claude-desktop (user) ~/.config/Claude/claude_desktop_config.json"), "{}", r.stdout);
    assert!(r.stdout.contains("vscode (user) ~/.config/Code/User/mcp.json"));
    assert!(r.stdout.contains("error tsh-relative"));
    assert!(r.stdout.contains("hint: GUI clients do not get your shell's PATH"));
    assert!(r.stdout.contains("4 configs, 4 servers (4 tsh): 3 errors, 1 warning"), "{}", r.stdout);
    assert!(!r.stdout.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn check_colour_always_and_no_color() {
    let t = broken_home();
    assert!(t.run(&["check", "--color", "always"]).stdout.contains("\x1b["));
    let t = t.env("CLICOLOR_FORCE", "1");
    assert!(t.run(&["check"]).stdout.contains("\x1b["));
    let t = t.env("NO_COLOR", "1");
    assert!(!t.run(&["check"]).stdout.contains("\x1b["));
}

#[test]
fn healthy_home_exits_zero() {
    let t = TestEnv::new().tsh("18.3.1", None);
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "ok"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("0 errors, 0 warnings"));
}

#[test]
fn empty_home_exits_zero_and_says_so() {
    let r = TestEnv::new().tsh("18.3.1", None).run(&["check"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("no MCP client configs found"));
}

#[test]
fn old_original_tsh_is_version_skew_with_both_versions() {
    // The stable tsh is 18.2.0 and managed updates run 18.2.3: the original is too old.
    let t = TestEnv::new()
        .tsh("18.2.0", Some("18.2.3"))
        .tsh_at(std::path::Path::new("home/.tsh/bin/9f8e-update-pkg-v2/tsh"), "18.2.3", None)
        .managed("teleport.example.com", "18.2.3", "9f8e-update-pkg-v2/tsh");
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "ok"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    // A problem of the tsh binary: said once, of the binary.
    assert_eq!(r.codes(), [s("-", "tsh-version-skew")]);
    let j = r.json();
    assert_eq!(j["findings"][0]["path"], t.exe_of("bin/tsh").as_str());
    assert_eq!(j["tsh"]["version"], "18.2.0");
    assert_eq!(j["tsh"]["managed_version"], "18.2.3");
    assert_eq!(j["tsh"]["reexec_from"], "18.2.0");
    assert_eq!(j["tsh"]["source"], "path");
}

#[test]
fn old_managed_tsh_is_version_skew_with_both_versions() {
    let t = TestEnv::new()
        .tsh("18.3.0", Some("18.2.0"))
        .tsh_at(std::path::Path::new("home/.tsh/bin/1111-update-pkg-v2/tsh"), "18.2.0", None)
        .managed("teleport.example.com", "18.2.0", "1111-update-pkg-v2/tsh");
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "ok"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(j["tsh"]["version"], "18.3.0");
    assert_eq!(j["tsh"]["managed_version"], "18.2.0");
    let f = &j["findings"][0];
    assert_eq!(f["code"], "tsh-version-skew");
    assert!(f["hint"].as_str().unwrap().contains("tctl autoupdate client-tools target"), "{f}");
    assert!(f["message"].as_str().unwrap().contains("18.2.0") && f["message"].as_str().unwrap().contains("18.3.0"));
}

#[test]
fn reexec_line_is_the_fallback_without_config_json() {
    // No .config.json: the managed version comes from `Re-executed from version:`. (The
    // tools folder holds the managed copy tsh re-executes.)
    let t = TestEnv::new().tsh("18.2.0", Some("18.2.3"));
    std::fs::create_dir_all(t.home().join(".tsh/bin")).unwrap();
    let r = t.run(&["check", "--format", "json"]);
    let j = r.json();
    assert_eq!(j["tsh"]["version"], "18.2.0");
    assert_eq!(j["tsh"]["managed_version"], "18.2.3");
    assert_eq!(j["tsh"]["reexec_from"], "18.2.0");
}

#[test]
fn tsh_before_18_1_has_no_mcp_connect() {
    let t = TestEnv::new().tsh("17.4.2", None);
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "ok"));
    let r = t.home_file(".cursor/mcp.json", &cursor).run(&["check", "--format", "json"]);
    assert_eq!(r.codes(), [s("-", "tsh-mcp-unsupported"), s("-", "tsh-version-skew")]);
}

#[test]
fn enterprise_version_line_is_read() {
    let line = "Teleport Enterprise v18.4.1 git:v18.4.1-0-gabcdef0 go1.24.9";
    let t = TestEnv::new().stable(Fake::default().with("version_line", line));
    assert_eq!(t.run(&["check", "--format", "json"]).json()["tsh"]["version"], "18.4.1");
}

/// A `.config.json` that did not parse (Go writes `"tools": null`) made mcpcfg run tsh without
/// TELEPORT_TOOLS_VERSION=off, which can download the managed version.
#[test]
fn managed_config_that_exists_means_tsh_never_runs_without_the_override() {
    for (cfg, unreadable) in [
        (
            r#"{"version":"v1","configs":{"teleport.example.com":{"version":"18.3.0","disabled":false}},"tools":null,"max_tools":0}"#,
            false,
        ),
        ("{not json", true),
    ] {
        let t = broken_home()
            .home_file(".tsh/bin/.config.json", cfg)
            .home_file(".tsh/current-profile", "teleport.example.com");
        let r = t.run(&["check", "--format", "json"]);
        let log = std::fs::read_to_string(t.bin().join("runs.log")).unwrap();
        assert!(log.lines().all(|l| l.ends_with("TELEPORT_TOOLS_VERSION=off")), "{cfg}: {log}");
        let j = r.json();
        let codes: Vec<&str> = j["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(codes.contains(&"managed-config-unreadable"), unreadable, "{cfg}: {codes:?}");
        if !unreadable {
            assert_eq!(j["tsh"]["managed_version"], "18.3.0", "{cfg}");
        }
    }
}

/// tsh picks the managed version for TELEPORT_PROXY before `current-profile`.
#[test]
fn teleport_proxy_picks_the_managed_profile_before_current_profile() {
    let cfg = r#"{"configs":{"a.example.com":{"version":"18.3.0"},"b.example.com":{"version":"18.2.0"}},"tools":null}"#;
    let t = broken_home().home_file(".tsh/bin/.config.json", cfg).home_file(".tsh/current-profile", "a.example.com");
    assert_eq!(t.run(&["check", "--format", "json"]).json()["tsh"]["managed_version"], "18.3.0");
    let t = t.env("TELEPORT_PROXY", "https://B.example.com:443");
    assert_eq!(t.run(&["check", "--format", "json"]).json()["tsh"]["managed_version"], "18.2.0");
}

#[test]
fn each_tsh_binary_is_run_once_per_version_kind() {
    let t = broken_home();
    std::fs::create_dir_all(t.home().join(".tsh/bin")).unwrap();
    let _ = t.run(&["check"]);
    let log = std::fs::read_to_string(t.bin().join("runs.log")).unwrap();
    // Once, without the override (a tools folder, no .config.json): that answer tells its own
    // version too, though two configs name it.
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("version --client --format=json"), "{log}");
}

/// `tsh version --format=json` gives `reExecutedFromVersion` (Teleport's `serializeVersion`):
/// one run of the stable tsh, without the override, tells both its own version and the managed
/// one it re-executes into.
#[test]
fn re_executed_from_version_is_read_from_json_in_one_run() {
    let t = broken_home().stable(Fake::version("18.2.0").managed(Some("18.3.1")));
    std::fs::create_dir_all(t.home().join(".tsh/bin")).unwrap();
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(
        (j["tsh"]["version"].as_str(), j["tsh"]["managed_version"].as_str()),
        (Some("18.2.0"), Some("18.3.1")),
        "{j:#}"
    );
    assert_eq!(j["tsh"]["reexec_from"], "18.2.0", "{j:#}");
    let log = std::fs::read_to_string(t.bin().join("runs.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
}

/// A tsh older than `version --format` refuses the flag: its version is still read, from the
/// text form.
#[test]
fn tsh_without_version_format_flag_is_read_from_text() {
    let t = broken_home().stable(Fake::version("15.4.0").with("version_json", "no"));
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(j["tsh"]["version"], "15.4.0", "{j:#}");
}

/// Every binary ran twice even where no managed update ever ran (no tools folder): the run
/// without the override cannot tell anything there.
#[test]
fn tsh_runs_once_where_managed_updates_never_ran() {
    let t = broken_home();
    assert!(!t.home().join(".tsh/bin").exists());
    let r = t.run(&["check"]);
    // Once under Wine in CI, with the machine loaded, no run was logged: say what check said.
    let log = std::fs::read_to_string(t.bin().join("runs.log"))
        .unwrap_or_else(|e| panic!("no runs.log ({e}); check said:\n{}\n{}", r.stdout, r.stderr));
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.ends_with("TELEPORT_TOOLS_VERSION=off\n"), "{log}");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "its configs name Unix paths (/opt/teleport/..., /src/app), which are relative on Windows"
)]
fn no_stable_tsh_is_tsh_not_found() {
    let t = TestEnv::new().home_file(
        ".cursor/mcp.json",
        &format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry("/gone/tsh", "x")),
    );
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.codes(), [s("teleport-mcp-x", "tsh-missing"), s("teleport-mcp-x", "tsh-not-found")]);
    assert!(r.json()["tsh"].is_null());
}

#[test]
#[cfg_attr(windows, ignore = "Windows has no execute permission: any file can be started")]
fn not_executable_tsh_is_reported() {
    let t = TestEnv::new().tsh("18.3.0", None).home_file("tools/tsh", "not a binary");
    let cmd = t.home_path("tools/tsh");
    let r = t
        .home_file(".cursor/mcp.json", &format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry(&cmd, "x")))
        .run(&["check", "--format", "json"]);
    assert_eq!(r.codes(), [s("teleport-mcp-x", "tsh-not-executable")]);
}

#[test]
fn malformed_config_exits_2_and_others_are_still_reported() {
    let t = broken_home()
        .home_file(".cursor/mcp.json", "{\n  \"mcpServers\": {\n    \"a\": {\"command\": 'tsh'}\n  }\n}\n");
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 2);
    let j = r.json();
    let cursor = j["configs"].as_array().unwrap().iter().find(|c| c["client"] == "cursor").unwrap();
    assert_eq!(cursor["status"], "malformed");
    assert_eq!(cursor["error"]["line"], 3);
    assert_eq!(cursor["error"]["column"], 22);
    assert_eq!(j["summary"]["configs"], 4, "the other configs are still read");
    assert!(r.codes().contains(&s("teleport-mcp-x", "tsh-relative")));
}

#[test]
fn malformed_config_text_names_file_line_and_column() {
    let t = TestEnv::new().tsh("18.3.0", None).home_file(".cursor/mcp.json", "{\"mcpServers\": {} \"x\": 1}");
    let r = t.run(&["check"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains(&crate::env::shown("~/.cursor/mcp.json:1:18")), "{}", r.stdout);
    let q = t.run(&["check", "-q"]);
    assert_eq!(q.code, 2);
    assert_eq!(q.stdout, "");
    assert!(q.stderr.contains("mcp.json:1:18"), "quiet mode still names the broken file: {}", q.stderr);
}

/// `doctor -q` said nothing of a malformed file; check, list and fix-config name it on stderr.
#[test]
fn quiet_mode_names_a_malformed_file_in_every_command() {
    let t = TestEnv::new().tsh("18.3.0", None).home_file(".cursor/mcp.json", "{\"mcpServers\": {} \"x\": 1}");
    for cmd in ["check", "list", "doctor", "fix-config"] {
        let r = t.run(&[cmd, "-q"]);
        assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{cmd}");
        assert!(r.stderr.contains("mcp.json:1:18"), "{cmd}: {}", r.stderr);
    }
}

#[test]
fn utf16_config_is_a_clear_error() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("{\"mcpServers\": {}}".encode_utf16().flat_map(|c| c.to_le_bytes()));
    std::fs::create_dir_all(t.home().join(".cursor")).unwrap();
    std::fs::write(t.home().join(".cursor/mcp.json"), bytes).unwrap();
    let r = t.run(&["check"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("UTF-16"), "{}", r.stdout);
}

/// Claude Code refuses a `.mcp.json` with a comment outright (`MCP config is not a valid
/// JSON`) and loads none of its servers; mcpcfg called it a warning and the servers healthy.
#[test]
fn strict_json_client_with_comments_is_an_error_and_loads_no_server() {
    let t = TestEnv::new().tsh("18.3.0", None).project_file(
        ".mcp.json",
        "{\n  // a comment Claude Code cannot read\n  \"mcpServers\": {\"a\": {\"command\": \"/bin/true\"}}\n}\n",
    );
    let r = t.run(&["check", "--format", "json", "--client", "claude-code"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.codes(), [s("-", "config-needs-jsonc")]);
    let server = &r.json()["configs"][0]["servers"][0];
    assert_eq!(server["loaded"], false, "{server:#}");
    assert_eq!(server["not_loaded_reason"], "file-unloadable");
}

#[test]
fn duplicate_keys_are_reported() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stable = t.exe_of("bin/tsh");
    let text = format!(
        r#"{{"mcpServers": {{"teleport-mcp-a": {}, "teleport-mcp-a": {}}}}}"#,
        tsh_entry("/old/tsh", "a"),
        tsh_entry(&stable, "a")
    );
    let r = t.home_file(".cursor/mcp.json", &text).run(&["check", "--format", "json"]);
    assert_eq!(r.codes(), [s("-", "duplicate-key")]);
    assert_eq!(r.code, 0);
}

#[test]
fn vscode_legacy_settings_are_info() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stable = t.exe_of("bin/tsh");
    let text = format!(
        "{{\n  \"editor.tabSize\": 2,\n  \"mcp\": {{\"servers\": {{\"teleport-mcp-a\": {}}}}},\n}}",
        tsh_entry(&stable, "a")
    );
    let r = t.home_file(".config/Code/User/settings.json", &text).run(&["check", "--format", "json"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.codes(), [s("-", "vscode-legacy-settings")]);
}

#[test]
fn vscode_profiles_insiders_and_vscodium_are_found() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let e = format!(r#"{{"servers": {{"teleport-mcp-a": {}}}}}"#, tsh_entry("tsh", "a"));
    let t = t
        .home_file(".config/Code/User/profiles/6a1b2c/mcp.json", &e)
        .home_file(".config/Code - Insiders/User/mcp.json", &e)
        .home_file(".config/VSCodium/User/mcp.json", &e);
    let r = t.run(&["list", "--format", "json"]);
    let paths: Vec<String> =
        r.json()["configs"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        paths,
        [
            t.home_path(".config/Code/User/profiles/6a1b2c/mcp.json"),
            t.home_path(".config/Code - Insiders/User/mcp.json"),
            t.home_path(".config/VSCodium/User/mcp.json"),
        ]
    );
}

#[test]
fn xdg_config_home_is_ignored_under_home_override() {
    let t = broken_home().env("XDG_CONFIG_HOME", "/nonexistent-real-config");
    assert_eq!(t.run(&["list", "--format", "json"]).json()["summary"]["configs"], 4);
}

#[test]
fn project_configs_are_read_from_the_current_folder() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .project_file(".mcp.json", &format!(r#"{{"mcpServers": {{"teleport-mcp-p": {}}}}}"#, tsh_entry("tsh", "p")))
        .project_file(".vscode/mcp.json", r#"{"servers": {}}"#)
        .project_file(".cursor/mcp.json", r#"{"mcpServers": {}}"#);
    let r = t.run(&["check", "--format", "json"]);
    let j = r.json();
    let scopes: Vec<(&str, &str)> = j["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["client"].as_str().unwrap(), c["scope"].as_str().unwrap()))
        .collect();
    assert_eq!(scopes, [("cursor", "project"), ("vscode", "project"), ("claude-code", "project")]);
    assert_eq!(r.codes(), [s("teleport-mcp-p", "tsh-relative")]);
}

#[test]
fn project_command_is_never_run_without_trust_project() {
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(std::path::Path::new("project/tools/tsh"), "18.1.0", None);
    let evil = t.path_of("project/tools/tsh");
    let t =
        t.project_file(".mcp.json", &format!(r#"{{"mcpServers": {{"teleport-mcp-p": {}}}}}"#, tsh_entry(&evil, "p")));
    let r = t.run(&["check", "--format", "json"]);
    assert!(!t.project().join("tools/runs.log").exists(), "a project-level command was executed");
    assert_eq!(r.codes(), [s("teleport-mcp-p", "project-command-not-run")]);
    assert_eq!(r.code, 0);
    let r = t.run(&["check", "--format", "json", "--trust-project"]);
    assert!(t.project().join("tools/runs.log").exists(), "--trust-project allows it");
    assert_eq!(r.codes(), [s("-", "tsh-version-skew")]);
}

/// `--config repo/.mcp.json --client cursor` used to read the repository's file as a user config
/// and run the tsh it names.
#[test]
fn project_file_given_with_another_client_is_still_never_run() {
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(std::path::Path::new("project/tools/tsh"), "18.1.0", None);
    let evil = t.path_of("project/tools/tsh");
    let t =
        t.project_file(".mcp.json", &format!(r#"{{"mcpServers": {{"teleport-mcp-p": {}}}}}"#, tsh_entry(&evil, "p")));
    let file = t.project().join(".mcp.json");
    let r = t.run(&["check", "--format", "json", "--config", &file.to_string_lossy(), "--client", "cursor"]);
    assert!(!t.project().join("tools/runs.log").exists(), "a project-level command was executed");
    assert_eq!(r.json()["configs"][0]["scope"], "project");
    assert_eq!(r.codes(), [s("teleport-mcp-p", "project-command-not-run")]);
}

/// `--config repo/.claude.json` or `--config repo/claude_desktop_config.json` counted as
/// user-level by its name, so the tsh a cloned repository names was executed. A file is
/// user-level only at one of its client's own locations (symlinks resolved).
#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn config_named_like_a_user_file_outside_the_clients_locations_is_a_projects() {
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(std::path::Path::new("project/tools/tsh"), "18.1.0", None);
    let evil = t.path_of("project/tools/tsh");
    let entry = format!(r#"{{"mcpServers": {{"teleport-mcp-p": {}}}}}"#, tsh_entry(&evil, "p"));
    let t = t.project_file(".claude.json", &entry).project_file("claude_desktop_config.json", &entry);
    for (name, client) in
        [(".claude.json", None), ("claude_desktop_config.json", None), (".claude.json", Some("cursor"))]
    {
        let file = t.project().join(name).to_string_lossy().into_owned();
        let mut args = vec!["check", "--format", "json", "--config", &file];
        if let Some(c) = client {
            args.extend(["--client", c]);
        }
        let r = t.run(&args);
        assert!(!t.project().join("tools/runs.log").exists(), "{name}: a project-level command was executed");
        assert_eq!(r.json()["configs"][0]["scope"], "project", "{name}");
    }
    // The home's own file, named directly or through a link, stays the user's.
    let t = t.home_file(".claude.json", &entry);
    crate::env::symlink(t.home().join(".claude.json"), &t.root.path().join("link.json"));
    for p in [t.home().join(".claude.json"), t.root.path().join("link.json")] {
        let r = t.run(&["check", "--format", "json", "--config", &p.to_string_lossy(), "--client", "claude-code"]);
        assert_eq!(r.json()["configs"][0]["scope"], "user", "{}", p.display());
    }
}

#[test]
fn project_option_points_elsewhere() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file("src/app/.mcp.json", r#"{"mcpServers": {"x": {"command": "npx"}}}"#);
    let dir = t.home_path("src/app");
    let r = t.run(&["list", "--format", "json", "--project", &dir]);
    assert_eq!(r.json()["configs"][0]["path"], t.home_path("src/app/.mcp.json"));
}

#[test]
fn config_option_reads_only_that_file_and_infers_the_client() {
    let t = broken_home().home_file("elsewhere/mcp.json", r#"{"mcpServers": {"a": {"command": "/x"}}}"#);
    let r = t.run(&["list", "--format", "json", "--config", &t.home_path(".cursor/mcp.json")]);
    assert_eq!(r.json()["summary"]["configs"], 1);
    assert_eq!(r.json()["configs"][0]["client"], "cursor");
    let r = t.run(&["list", "--config", &t.home_path("elsewhere/mcp.json")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--client"), "{}", r.stderr);
    let r = t.run(&["list", "--format", "json", "--config", &t.home_path("elsewhere/mcp.json"), "--client", "cursor"]);
    assert_eq!(r.json()["configs"][0]["servers"][0]["command"], "/x");
}

#[test]
fn config_option_on_a_missing_file_is_exit_2() {
    let t = TestEnv::new();
    let r = t.run(&["check", "--config", &t.home_path(".cursor/mcp.json")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no such file"), "{}", r.stderr);
}

#[test]
fn client_option_limits_the_clients() {
    let t = broken_home();
    let r = t.run(&["list", "--format", "json", "--client", "cursor"]);
    assert_eq!(r.json()["summary"]["configs"], 1);
}

#[test]
#[cfg_attr(
    windows,
    ignore = "its configs name Unix paths (/opt/teleport/..., /src/app), which are relative on Windows"
)]
fn list_shows_servers_without_running_anything() {
    let t = broken_home();
    let r = t.run(&["list"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("teleport-mcp-x [tsh]: tsh mcp connect x"), "{}", r.stdout);
    assert!(!t.bin().join("runs.log").exists(), "list runs nothing");
}

#[test]
fn json_has_schema_1_and_every_documented_key() {
    let t = broken_home();
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(j["schema"], 1);
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&j), ["schema", "tsh", "configs", "findings", "summary"]);
    assert_eq!(keys(&j["tsh"]), ["path", "source", "version", "managed_version", "reexec_from"]);
    let c = &j["configs"][0];
    assert_eq!(keys(c), ["client", "scope", "path", "syntax", "status", "error", "servers"]);
    assert_eq!(
        keys(&c["servers"][0]),
        ["name", "tsh", "transport", "command", "args", "env_keys", "loaded", "not_loaded_reason", "findings"]
    );
    assert_eq!(keys(&c["servers"][0]["findings"][0]), ["code", "severity", "message", "hint"]);
    assert_eq!(keys(&j["findings"][0]), ["code", "severity", "client", "path", "server", "message", "hint"]);
    assert_eq!(keys(&j["summary"]), ["configs", "servers", "tsh_servers", "errors", "warnings", "changed"]);
}

#[test]
fn remote_servers_are_listed_and_never_flagged() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".cursor/mcp.json", r#"{"mcpServers": {"teleport-mcp-r": {"url": "https://mcp.example.com"}}}"#);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["configs"][0]["servers"][0]["transport"], "remote");
}

#[test]
fn control_characters_from_configs_are_escaped_in_text() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".cursor/mcp.json", r#"{"mcpServers": {"evil\u001b[2J": {"command": "npx"}}}"#);
    let r = t.run(&["list"]);
    assert!(!r.stdout.contains('\x1b'), "{:?}", r.stdout);
    assert!(r.stdout.contains("evil\\u{1b}[2J"));
}

#[test]
fn quiet_check_prints_nothing_and_exits_by_status() {
    let t = broken_home();
    let r = t.run(&["check", "-q"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", ""));
}

#[test]
#[cfg_attr(windows, ignore = "Windows has no execute permission: any file can be started")]
fn tsh_option_must_be_executable() {
    let t = TestEnv::new().home_file("notexec", "x");
    let r = t.run(&["check", "--tsh", &t.home_path("notexec")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not executable"), "{}", r.stderr);
    let r = t.run(&["check", "--tsh", "/does/not/exist"]);
    assert_eq!(r.code, 2);
}

/// `--tsh` inside the managed-update folder was accepted: configs were "repaired" to a path the
/// updater deletes, and the report said all was well.
#[test]
fn tsh_option_refuses_paths_that_go_away() {
    let t = TestEnv::new().tsh_at(std::path::Path::new("home/.tsh/bin/0c1d-update-pkg-v2/tsh"), "18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let r = t.run(&["fix-config", "--tsh", &stale]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("managed-update copy"), "{}", r.stderr);
    let t = t.tsh_at(std::path::Path::new("opt/teleport/default/versions/v18.3.0/bin/tsh"), "18.3.0", None);
    let r = t.run(&["check", "--tsh", &t.path_of("opt/teleport/default/versions/v18.3.0/bin/tsh")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("agent-update"), "{}", r.stderr);
    // A path that is not UTF-8 cannot be written into a config. (Windows paths are UTF-16,
    // where an unpaired surrogate is the same case: see the Windows tests.)
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let mut bytes = t.root.path().as_os_str().to_owned().into_vec();
        bytes.extend_from_slice(b"/bad\xffdir/tsh");
        let odd = std::path::PathBuf::from(std::ffi::OsString::from_vec(bytes));
        Fake::version("18.3.0").install(&odd);
        let out = t.std_cmd(&["check", "--tsh"]).arg(&odd).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
    }
}

/// `--format json` with a bad option printed nothing on stdout: a script piping to jq got no
/// document at all.
#[test]
fn fatal_error_in_json_mode_is_still_a_json_document() {
    let t = TestEnv::new();
    let gone = if cfg!(windows) { r"C:\does\not\exist" } else { "/does/not/exist" };
    let r = t.run(&["check", "--format", "json", "--tsh", gone]);
    assert_eq!(r.code, 2);
    let j = r.json();
    assert_eq!(j["schema"], 1);
    assert!(j["error"]["message"].as_str().unwrap().contains(&format!("--tsh {gone}")), "{j}");
    assert!(r.stderr.contains(&format!("--tsh {gone}")), "still said on stderr: {}", r.stderr);
    assert_eq!(t.run(&["check", "--tsh", gone]).stdout, "", "text mode: stderr only");
}

/// A usage error printed clap's text only, even with `--format json`.
#[test]
fn usage_error_in_json_mode_is_a_json_document() {
    let r = TestEnv::new().run(&["check", "--format", "json", "--bogus"]);
    assert_eq!(r.code, 2);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("--bogus"), "{}", r.stdout);
    assert!(r.stderr.contains("--bogus"), "{}", r.stderr);
}

/// `MCPCFG_HOME=` (set, empty) was a usage error ("a value is required for '--home'").
#[test]
fn empty_mcpcfg_home_counts_as_unset() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let out = t.std_cmd(&["list", "--format", "json"]).env("MCPCFG_HOME", "").env("HOME", t.home()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn usage_error_exits_2() {
    assert_eq!(TestEnv::new().run(&["check", "--format", "yaml"]).code, 2);
}

#[test]
fn completions_for_bash() {
    let r = TestEnv::new().run(&["completions", "bash"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("fix-config"));
}

#[test]
fn broken_pipe_is_not_an_error() {
    let r = broken_home().run_closed(&["list", "--format", "json"], false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn lone_surrogate_in_claude_code_history_is_not_malformed() {
    // Node's JSON.stringify writes an emoji cut in half as `\ud83d`; Claude Code reads it back.
    let t = TestEnv::new().tsh("18.3.0", None);
    let stable = t.exe_of("bin/tsh");
    let small = format!(
        r#"{{"projects": {{"/src/a": {{"history": [{{"display": "fix this \ud83d"}}], "mcpServers": {{"teleport-mcp-a": {}}}}}}}}}"#,
        tsh_entry(&stable, "a")
    );
    let big = small.replace("fix this", &"long prompt text ".repeat(10_000));
    for text in [small, big] {
        crate::env::write(&t.home().join(".claude.json"), &text);
        let r = t.run(&["check", "--format", "json", "--config", &t.home_path(".claude.json")]);
        assert_eq!(r.code, 0, "{} bytes: {}", text.len(), r.stdout);
        assert_eq!(r.json()["configs"][0]["status"], "ok");
        assert_eq!(r.json()["summary"]["tsh_servers"], 1);
    }
}

/// A tsh that printed no version got no finding at all: the server looked healthy.
#[test]
fn tsh_whose_version_cannot_be_read_is_a_warning() {
    let t = TestEnv::new().stable(Fake::default().with("version_line", "not what you expected"));
    let stable = t.exe_of("bin/tsh");
    let t = t.home_file(
        ".cursor/mcp.json",
        &format!(r#"{{"mcpServers": {{"teleport-mcp-a": {}}}}}"#, tsh_entry(&stable, "a")),
    );
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.codes(), [s("teleport-mcp-a", "tsh-version-unknown")]);
    assert_eq!(r.code, 0, "a warning");
    assert_eq!(t.run(&["check", "--strict"]).code, 1);
}

/// `--config ~/.cursor/mcp.json --client vscode --client claude-code` read the Cursor file anyway.
#[test]
fn config_of_a_client_not_named_by_client_options_is_an_error() {
    let t = broken_home();
    let cursor = t.home_path(".cursor/mcp.json");
    let r = t.run(&["check", "--config", &cursor, "--client", "vscode", "--client", "claude-code"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("this is a cursor config, and --client names vscode, claude-code"), "{}", r.stderr);
}

#[test]
fn hanging_tsh_version_is_bounded() {
    // A tsh that never answers (a broken install, a stuck network mount) costs at most the bound.
    let t = TestEnv::new().stable(Fake::default().with("version_sleep", "60"));
    let start = std::time::Instant::now();
    let r = t.run(&["check", "--format", "json"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(15), "took {:?}", start.elapsed());
    assert_eq!(r.code, 0);
    assert!(r.json()["tsh"]["version"].is_null());
}

/// A `tsh version` that hangs was killed after the bound, but what it had started lived on:
/// each run now leads a process group of its own (a job object on Windows), and the whole of it
/// is killed.
#[test]
fn a_hung_tsh_version_is_killed_with_what_it_started() {
    let pids = tempfile::NamedTempFile::new().unwrap();
    let t = TestEnv::new()
        .stable(Fake::default().with("version_sleep", "60").with("version_child", "1"))
        .env("FAKE_TSH_PIDFILE", &pids.path().to_string_lossy());
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all: Vec<u32> = std::fs::read_to_string(pids.path()).unwrap().lines().map(|l| l.parse().unwrap()).collect();
    assert!(all.len() >= 2, "the fake and its child: {all:?}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    for pid in all {
        assert!(!crate::probe::alive(pid), "process {pid} outlived mcpcfg");
    }
}

/// With each `tsh version` in a process group of its own, the terminal's Ctrl-C no longer
/// reached it: mcpcfg now kills the groups and ends as the signal asks.
#[test]
#[cfg(unix)]
fn ctrl_c_during_tsh_version_ends_mcpcfg_and_the_run() {
    use std::os::unix::process::ExitStatusExt;
    let pids = tempfile::NamedTempFile::new().unwrap();
    let t = TestEnv::new()
        .stable(Fake::default().with("version_sleep", "60").with("version_child", "1"))
        .env("FAKE_TSH_PIDFILE", &pids.path().to_string_lossy());
    let mut child = t.std_cmd(&["check"]).stdout(std::process::Stdio::null()).spawn().unwrap();
    // Wait until the fake tsh and its child are running.
    let start = std::time::Instant::now();
    while std::fs::read_to_string(pids.path()).unwrap().lines().count() < 2 {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "tsh version never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = std::time::Instant::now();
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(sent.elapsed() < std::time::Duration::from_secs(3), "mcpcfg waited for the bound");
    assert_eq!(status.signal(), Some(2), "ended by SIGINT, as a shell expects: {status:?}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    for pid in std::fs::read_to_string(pids.path()).unwrap().lines().map(|l| l.parse::<u32>().unwrap()) {
        assert!(!crate::probe::alive(pid), "process {pid} outlived mcpcfg");
    }
}

/// A reader that goes away (`mcpcfg check | head -1`) used to turn exit status 1 into 0.
#[test]
fn broken_pipe_keeps_the_exit_status() {
    let t = broken_home();
    for args in [&["check"][..], &["check", "--format", "json"], &["doctor"], &["fix-config", "--dry-run"]] {
        let r = t.run_closed(args, false);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.is_empty(), "{args:?}: {}", r.stderr);
    }
}

/// `${userHome}/bin/tsh` in VS Code's mcp.json was called a relative path, and fix-config would
/// have replaced a working command.
#[test]
fn variables_in_commands_are_expanded_as_the_client_does() {
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(std::path::Path::new("home/bin/tsh"), "18.3.0", None);
    let vscode = r#"{"servers": {
  "teleport-mcp-home": {"command": "${userHome}/bin/tsh", "args": ["mcp", "connect", "a"]},
  "teleport-mcp-input": {"command": "${input:tshPath}", "args": ["mcp", "connect", "b"]},
  "teleport-mcp-stale": {"command": "${userHome}/.tsh/bin/0c1d-update-pkg-v2/tsh", "args": ["mcp", "connect", "c"]}
}}"#;
    let t = t.home_file(".config/Code/User/mcp.json", vscode);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(
        r.codes(),
        [s("teleport-mcp-input", "command-not-expanded"), s("teleport-mcp-stale", "tsh-managed-update-path")]
    );
    assert_eq!(r.code, 1);
    assert!(t.home().join("bin/runs.log").exists(), "the expanded tsh's version was read");

    // A command written with a variable is never replaced by a fixed path (it was): the user
    // is told what to change instead.
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(t.read_home(".config/Code/User/mcp.json"), vscode);
    assert!(r.stdout.contains("its command uses a variable"), "{}", r.stdout);
    let check = t.run(&["check"]);
    assert!(check.stdout.contains("uses a variable, which mcpcfg does not rewrite"), "{}", check.stdout);
}

/// `.mcp.json -> /dev/zero` in a cloned repository made `mcpcfg check` eat memory until killed,
/// and a FIFO made it hang.
#[test]
#[cfg_attr(windows, ignore = "Windows has no /dev/zero and no FIFOs in the file system")]
fn config_that_is_a_device_or_a_pipe_is_refused_at_once() {
    #[cfg(unix)]
    {
        let t = TestEnv::new().tsh("18.3.0", None);
        std::os::unix::fs::symlink("/dev/zero", t.project().join(".mcp.json")).unwrap();
        std::fs::create_dir_all(t.home().join(".cursor")).unwrap();
        let fifo = t.home().join(".cursor/mcp.json");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let r = t.run_within(&["check", "--format", "json"], std::time::Duration::from_secs(10));
        assert_eq!(r.code, 2, "{}", r.stdout);
        let j = r.json();
        let statuses: Vec<&str> =
            j["configs"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["unreadable", "unreadable"]);
        assert!(r.stdout.contains("not a regular file"), "{}", r.stdout);
    }
}

/// `repo/.mcp.json -> /proc/kmsg` hung `check` for ever, and a 15 TB sparse file aborted it.
#[test]
#[cfg_attr(windows, ignore = "Windows has no /proc")]
fn config_in_procfs_or_too_big_is_refused_at_once() {
    #[cfg(unix)]
    {
        let t = TestEnv::new().tsh("18.3.0", None);
        std::os::unix::fs::symlink("/proc/kmsg", t.project().join(".mcp.json")).unwrap();
        std::fs::create_dir_all(t.home().join(".cursor")).unwrap();
        let huge = std::fs::File::create(t.home().join(".cursor/mcp.json")).unwrap();
        huge.set_len(64 << 30).unwrap(); // sparse: no disk is used
        let r = t.run_within(&["check", "--format", "json"], std::time::Duration::from_secs(10));
        assert_eq!(r.code, 2, "{}", r.stdout);
        let errors: Vec<String> = r.json()["configs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["error"]["message"].as_str().unwrap().to_owned())
            .collect();
        assert!(errors.iter().any(|e| e.contains("more than any MCP config holds")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("a kernel file")), "{errors:?}");
    }
}

/// tsh's own state files are read only when they are files: a pipe at `~/.tsh/current-profile`
/// would have blocked the run.
#[test]
#[cfg_attr(windows, ignore = "Windows has no FIFOs in the file system")]
fn a_pipe_for_a_tsh_state_file_does_not_block() {
    let t = TestEnv::new().tsh("18.3.0", None);
    std::fs::create_dir_all(t.home().join(".tsh/bin")).unwrap();
    for f in [".tsh/current-profile", ".tsh/bin/.config.json"] {
        assert!(std::process::Command::new("mkfifo").arg(t.home().join(f)).status().unwrap().success());
    }
    for args in [&["check"][..], &["doctor"]] {
        assert_eq!(t.run_within(args, std::time::Duration::from_secs(10)).code, 0, "{args:?}");
    }
}

/// `check -q 2>&1 | true` on a malformed file ended in a panic (exit 101): `eprintln!` panics
/// on a closed stderr.
#[test]
fn closed_stderr_keeps_the_exit_status() {
    let t = TestEnv::new().tsh("18.3.0", None).home_file(".cursor/mcp.json", "{\"mcpServers\": {} \"x\": 1}");
    for args in [&["check", "-q"][..], &["check"], &["check", "--tsh", "/does/not/exist"]] {
        assert_eq!(t.run_closed(args, true).code, 2, "{args:?}");
    }
}

/// With no tsh on PATH, the stable tsh is the first of the platform's usual install locations
/// that exists (`/usr/local/bin/tsh`; `C:\Program Files\Teleport\tsh.exe` on Windows, which
/// its installer does not put on PATH), and a repair points configs there.
#[test]
fn stable_tsh_at_the_usual_install_location_is_found_without_path() {
    let t = TestEnv::new();
    let root = t.path_of("sys");
    let usual = if cfg!(windows) { "sys/C/Program Files/Teleport/tsh.exe" } else { "sys/usr/local/bin/tsh" };
    let t = t.tsh_at(std::path::Path::new(usual), "18.3.0", None).env("MCPCFG_SYSTEM_ROOT", &root);
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(j["tsh"]["source"], "known-location", "{j}");
    assert_eq!(j["tsh"]["path"], t.exe_of(usual));
    assert_eq!(j["tsh"]["version"], "18.3.0");
}

/// A project's `.mcp.json` is Claude Code's, and Copilot CLI's and Qwen Code's too where those
/// are used here (their home folder exists) or named: each reading is its client's, and the
/// guests' servers are not loaded until the folder is trusted or the server approved.
#[test]
fn project_mcp_json_is_read_for_every_client_that_uses_it() {
    let entry = format!(r#"{{"mcpServers": {{"teleport-mcp-p": {}}}}}"#, tsh_entry("/gone/tsh", "p"));
    let t = TestEnv::new().tsh("18.3.0", None).project_file(".mcp.json", &entry);
    let readers = |t: &TestEnv, args: &[&str]| -> Vec<(String, bool)> {
        let j = t.run(&[&["list", "--format", "json"], args].concat()).json();
        j["configs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["path"].as_str().unwrap().ends_with(".mcp.json"))
            .map(|c| (c["client"].as_str().unwrap().to_owned(), c["servers"][0]["loaded"].as_bool().unwrap()))
            .collect()
    };
    assert_eq!(readers(&t, &[]), [("claude-code".to_owned(), false)], "Copilot CLI and Qwen Code are not used here");
    let t = t.home_file(".copilot/config.json", "{}").home_file(".qwen/settings.json", "{}");
    assert_eq!(
        readers(&t, &[]),
        [("claude-code".to_owned(), false), ("copilot-cli".to_owned(), false), ("qwen-code".to_owned(), false)]
    );
    let r = t.run(&["check", "--format", "json", "--client", "copilot-cli"]);
    assert_eq!(r.code, 0, "an untrusted folder's server is not loaded, so not an error: {}", r.stdout);
    assert_eq!(r.json()["configs"][0]["servers"][0]["not_loaded_reason"], "untrusted-folder", "{}", r.stdout);
}

/// A home and a project folder whose names are not valid UTF-8 found nothing and exited 0
/// (issue 12, item 13): paths stay OS strings end to end, through check, fix-config and undo.
#[cfg(unix)]
#[test]
fn home_and_project_folders_that_are_not_utf8_are_read_and_repaired() {
    use std::os::unix::ffi::OsStrExt;
    let t = TestEnv::new().tsh("18.3.0", None);
    let root = t.home().parent().unwrap().to_path_buf();
    let home = root.join(std::ffi::OsStr::from_bytes(b"h\xff"));
    let project = root.join(std::ffi::OsStr::from_bytes(b"p\xfe"));
    let entry = format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry("/gone/tsh", "x"));
    crate::env::write(&home.join(".cursor/mcp.json"), &entry);
    crate::env::write(&project.join(".mcp.json"), &entry);
    let run = |args: &[&str]| {
        let out = t.std_cmd(args).env("MCPCFG_HOME", &home).current_dir(&project).output().unwrap();
        (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, out) = run(&["check", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let clients: Vec<&str> = j["configs"].as_array().unwrap().iter().map(|c| c["client"].as_str().unwrap()).collect();
    assert_eq!(clients, ["cursor", "claude-code"], "{out}");
    let scan = t.std_cmd(&["list", "--format", "json", "--scan"]).arg(&project).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(j["summary"]["configs"], 1, "--scan of a folder that is not UTF-8");
    let (code, out) = run(&["fix-config"]);
    assert_eq!(code, 0, "{out}");
    let fixed = std::fs::read_to_string(home.join(".cursor/mcp.json")).unwrap();
    assert!(!fixed.contains("/gone/tsh"), "{fixed}");
    let (code, out) = run(&["undo"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(std::fs::read_to_string(home.join(".cursor/mcp.json")).unwrap(), entry);
}

/// `--config /nonexistent.json` said "cannot tell which client reads this file", and with
/// `--client` called a file it could not read "malformed"; the UTF-16 hint pointed at line 1,
/// column 1; fix-config with nothing to do said nothing (issue 14, item 5).
#[test]
fn wrong_messages_say_what_is_wrong() {
    let t = TestEnv::new().tsh("18.3.0", None).home_file(".cursor/mcp.json", r#"{"mcpServers": {}}"#);
    let r = t.run(&["check", "--config", "/nonexistent.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no such file") && !r.stderr.contains("cannot tell"), "{}", r.stderr);
    let r = t.run(&["check", "--config", "/nonexistent.json", "--client", "cursor"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no such file"), "{}", r.stderr);
    let folder = t.home().join("afolder.json");
    std::fs::create_dir_all(&folder).unwrap();
    let r = t.run(&["check", "--format", "json", "--client", "cursor", "--config", folder.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), [("-".to_owned(), "config-unreadable".to_owned())], "{}", r.stdout);
    let utf16 = t.home().join("u16.json");
    std::fs::write(&utf16, b"\xff\xfe{\x00}\x00").unwrap();
    let r = t.run(&["check", "--client", "cursor", "--config", utf16.to_str().unwrap()]);
    assert!(r.stdout.contains("save the file as UTF-8") && !r.stdout.contains("line 1, column 1 ("), "{}", r.stdout);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("nothing to repair"), "{}", r.stdout);
}

/// A project entry naming the stable tsh, which mcpcfg runs anyway, was reported as
/// `project-command-not-run` (issue 14, item 5): its version is known and checked.
#[test]
fn a_project_entry_on_a_tsh_that_was_run_is_not_called_not_run() {
    let t = TestEnv::new().tsh("18.1.0", None);
    let stable = t.exe_of("bin/tsh");
    let t =
        t.project_file(".mcp.json", &format!(r#"{{"mcpServers": {{"teleport-mcp-p": {}}}}}"#, tsh_entry(&stable, "p")));
    let r = t.run(&["check", "--format", "json", "--client", "claude-code"]);
    let codes: Vec<String> = r.codes().into_iter().map(|(_, c)| c).collect();
    assert!(!codes.contains(&"project-command-not-run".to_owned()), "{codes:?}\n{}", r.stdout);
    assert!(codes.contains(&"tsh-version-skew".to_owned()), "{codes:?}");
}

/// Version skew flooded the report: said on every server that runs the old tsh, healthy ones
/// too, and counted once per server (issue 14, item 1). It is one finding of the binary, with the
/// servers named, counted once; each server is marked only for its own problems.
#[test]
fn an_old_tsh_is_one_finding_of_the_binary_not_one_per_server() {
    let t = TestEnv::new().tsh("18.2.0", None);
    let tsh = t.exe_of("bin/tsh");
    let cursor = format!(
        r#"{{"mcpServers": {{"teleport-mcp-a": {}, "teleport-mcp-b": {}, "teleport-mcp-c": {}}}}}"#,
        tsh_entry(&tsh, "a"),
        tsh_entry(&tsh, "b"),
        tsh_entry("/gone/tsh", "c")
    );
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(j["summary"]["errors"], 2, "the old tsh once, the missing one once: {}", r.stdout);
    let skew: Vec<&serde_json::Value> =
        j["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "tsh-version-skew").collect();
    assert_eq!(skew.len(), 1, "{}", r.stdout);
    assert_eq!(skew[0]["server"], serde_json::Value::Null);
    let msg = skew[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("run by 3 servers") && msg.contains("teleport-mcp-a") && msg.contains("teleport-mcp-c"),
        "{msg}"
    );
    let text = t.run(&["check", "--color", "never"]).stdout;
    assert!(text.contains("✓ teleport-mcp-a") && text.contains("✓ teleport-mcp-b"), "{text}");
    assert!(text.contains("✗ teleport-mcp-c"), "{text}");
    assert!(text.contains("1 error") || text.contains("2 errors"), "{text}");
    assert_eq!(text.matches("tsh-version-skew").count(), 1, "{text}");
}

/// JSON `message` fields began with `~/.cursor/mcp.json: teleport-mcp-x: `, which `path` and
/// `server` already hold (issue 14, item 6).
#[test]
fn json_messages_do_not_repeat_the_path_and_server() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry("tsh", "x"));
    let j = t.home_file(".cursor/mcp.json", &text).run(&["check", "--format", "json"]).json();
    let top = &j["findings"][0];
    assert_eq!(top["server"], "teleport-mcp-x");
    assert_eq!(top["message"], "command \"tsh\" is not an absolute path", "{j:#}");
    assert_eq!(j["configs"][0]["servers"][0]["findings"][0]["message"], top["message"]);
}

/// The ✓/✗/! marks were never coloured, while every server line ended in an empty
/// `ESC[2mESC[0m` (issue 14, item 6).
#[test]
fn marks_are_coloured_and_nothing_empty_is_painted() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let good = format!(
        r#""teleport-mcp-ok": {{"command": {}, "args": ["mcp", "connect", "ok"]}}"#,
        crate::env::json_str(&t.bin().join(if cfg!(windows) { "tsh.exe" } else { "tsh" }))
    );
    let text = format!(r#"{{"mcpServers": {{{good}, "teleport-mcp-x": {{"command": "tsh", "args": []}}}}}}"#);
    let r = t.home_file(".cursor/mcp.json", &text).run(&["check", "--color", "always"]);
    assert!(r.stdout.contains("\x1b[32m✓\x1b[0m teleport-mcp-ok"), "{:?}", r.stdout);
    assert!(r.stdout.contains("\x1b[1;31m✗\x1b[0m teleport-mcp-x"), "{:?}", r.stdout);
    assert!(!r.stdout.contains("\x1b[2m\x1b[0m"), "an empty painted span: {:?}", r.stdout);
}

/// `--json` is how other tools spell it: the usage error says what this one takes.
#[test]
fn json_flag_gets_a_tip() {
    let r = TestEnv::new().run(&["check", "--json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("tip: for JSON output, use '--format json'"), "{}", r.stderr);
}
