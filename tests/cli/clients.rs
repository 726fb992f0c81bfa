//! The clients beyond the first four: found where they live, read in their own shapes and syntax.

use crate::env::{TestEnv, tsh_entry};

const CLINE: &str = ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json";
const ROO: &str = ".config/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json";

fn json_servers(key: &str, name: &str, command: &str) -> String {
    format!(r#"{{"{key}": {{"{name}": {}}}}}"#, tsh_entry(command, "demo"))
}

/// A home with one config of each new client, each on a bare `tsh`.
fn new_clients_home() -> TestEnv {
    let codex = "# codex\n[mcp_servers.teleport-mcp-codex]\ncommand = \"tsh\"\nargs = [\"mcp\", \"connect\", \"codex\"]\nenv = { API_TOKEN = \"s3cr3t-env-value\" }\n";
    let zed_old = "{\n  // older Zed\n  \"context_servers\": {\n    \"teleport-mcp-zed\": {\"command\": {\"path\": \"tsh\", \"args\": [\"mcp\", \"connect\", \"zed\"], \"env\": {\"API_TOKEN\": \"s3cr3t-env-value\"}}, \"settings\": {}},\n  },\n}\n";
    TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".codeium/windsurf/mcp_config.json", &json_servers("mcpServers", "teleport-mcp-windsurf", "tsh"))
        .home_file(".config/zed/settings.json", zed_old)
        .home_file(".gemini/settings.json", &json_servers("mcpServers", "teleport-mcp-gemini", "tsh"))
        .home_file(".codex/config.toml", codex)
        .home_file(CLINE, &json_servers("mcpServers", "teleport-mcp-cline", "tsh"))
        .home_file(ROO, &json_servers("mcpServers", "teleport-mcp-roo", "tsh"))
}

#[test]
fn list_finds_every_new_client_with_its_syntax() {
    let t = new_clients_home();
    let r = t.run(&["list", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    let mut got: Vec<(String, String, String, String)> = j["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client"].as_str().unwrap().to_owned(),
                c["path"].as_str().unwrap().to_owned(),
                c["syntax"].as_str().unwrap().to_owned(),
                c["servers"][0]["command"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let want = |client: &str, rel: &str, syntax: &str| (client.into(), t.home_path(rel), syntax.into(), "tsh".into());
    assert_eq!(
        got,
        [
            want("cline", CLINE, "json"),
            want("codex", ".codex/config.toml", "toml"),
            want("gemini", ".gemini/settings.json", "jsonc"),
            want("roo-code", ROO, "json"),
            want("windsurf", ".codeium/windsurf/mcp_config.json", "jsonc"),
            want("zed", ".config/zed/settings.json", "jsonc"),
        ]
    );
    let zed = j["configs"].as_array().unwrap().iter().find(|c| c["client"] == "zed").unwrap();
    assert_eq!(zed["servers"][0]["args"], serde_json::json!(["mcp", "connect", "zed"]));
    assert_eq!(zed["servers"][0]["env_keys"], serde_json::json!(["API_TOKEN"]));
    assert!(!r.stdout.contains("s3cr3t"), "env values are never printed");
}

#[test]
fn check_flags_and_fix_config_repairs_every_new_client() {
    let t = new_clients_home();
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    let codes = r.codes();
    assert_eq!(codes.len(), 6, "{codes:?}");
    assert!(codes.iter().all(|(_, c)| c == "tsh-relative"), "{codes:?}");

    let r = t.run(&["fix-config", "--color", "never"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for name in ["Windsurf", "Zed", "Gemini CLI", "Codex", "Cline", "Roo Code"] {
        assert!(r.stdout.contains(&format!("restart {name}")), "{name}: {}", r.stdout);
    }
    let tsh = t.exe_of("bin/tsh");
    assert!(t.read_home(".codex/config.toml").contains(&format!("command = \"{}\"\n", crate::env::esc(&tsh))));
    assert!(
        t.read_home(".config/zed/settings.json")
            .contains(&format!("{{\"path\": \"{}\", \"args\"", crate::env::esc(&tsh)))
    );
    assert_eq!(t.run(&["check"]).code, 0);
}

#[test]
fn dry_run_of_codex_redacts_toml_env_values() {
    let t = new_clients_home();
    let r = t.run(&["fix-config", "--dry-run", "--client", "codex"]);
    assert!(r.stdout.contains(&format!("--- {}", t.home_path(".codex/config.toml"))), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("+command = \"{}\"", crate::env::esc(&t.exe_of("bin/tsh")))), "{}", r.stdout);
    assert!(!r.stdout.contains("s3cr3t"), "{}", r.stdout);
}

#[test]
fn strict_json_extensions_warn_about_comments() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(CLINE, "{\n  // a comment Cline cannot read\n  \"mcpServers\": {}\n}\n");
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.codes(), [("-".to_owned(), "config-needs-jsonc".to_owned())]);
    // Windsurf, Zed and Gemini CLI read comments.
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".gemini/settings.json", "{\n  // fine\n  \"mcpServers\": {}\n}\n");
    assert!(t.run(&["check", "--format", "json"]).codes().is_empty());
}

#[test]
fn malformed_codex_toml_names_line_and_column() {
    let t = TestEnv::new().home_file(".codex/config.toml", "[mcp_servers.a]\ncommand = \n");
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 2, "a malformed config is exit 2");
    let j = r.json();
    assert_eq!(j["configs"][0]["status"], "malformed");
    assert_eq!(j["configs"][0]["error"]["line"], 2);
    assert!(j["findings"][0]["message"].as_str().unwrap().contains("config.toml:2:"), "{}", r.stdout);
}

#[test]
fn codex_home_moves_the_codex_config() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let dir = t.home_path("codex-home");
    let t = t.env("CODEX_HOME", &dir).home_file(".codex/config.toml", "[mcp_servers.ignored]\ncommand = \"tsh\"\n");
    crate::env::write(&t.home().join("codex-home/config.toml"), "[mcp_servers.teleport-mcp-a]\ncommand = \"tsh\"\n");
    let j = t.run(&["list", "--format", "json", "--client", "codex"]).json();
    let configs = j["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0]["path"], crate::env::shown(&format!("{dir}/config.toml")));
}

#[test]
fn config_flag_infers_the_new_clients() {
    let t = new_clients_home();
    for (rel, client) in [
        (".codex/config.toml", "codex"),
        (".config/zed/settings.json", "zed"),
        (".gemini/settings.json", "gemini"),
        (".codeium/windsurf/mcp_config.json", "windsurf"),
        (CLINE, "cline"),
        (ROO, "roo-code"),
    ] {
        let j = t.run(&["list", "--format", "json", "--config", &t.home_path(rel)]).json();
        assert_eq!(j["configs"][0]["client"], client, "{rel}");
    }
    std::fs::write(t.path_of("elsewhere.toml"), "").unwrap();
    let r = t.run(&["list", "--config", &t.path_of("elsewhere.toml")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("roo-code"), "the message lists every client: {}", r.stderr);
}

#[test]
fn project_configs_of_new_clients_are_read_from_the_project_folder() {
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .project_file(".zed/settings.json", &json_servers("context_servers", "z", "tsh"))
        .project_file(".gemini/settings.json", &json_servers("mcpServers", "g", "tsh"))
        .project_file(".codex/config.toml", "[mcp_servers.c]\ncommand = \"tsh\"\n")
        .project_file(".roo/mcp.json", &json_servers("mcpServers", "r", "tsh"));
    let j = t.run(&["list", "--format", "json"]).json();
    let mut got: Vec<(String, String)> = j["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["client"].as_str().unwrap().to_owned(), c["scope"].as_str().unwrap().to_owned()))
        .collect();
    got.sort();
    let p = |c: &str| (c.to_owned(), "project".to_owned());
    assert_eq!(got, [p("codex"), p("gemini"), p("roo-code"), p("zed")]);
}

/// `--home` with the caller's own CODEX_HOME set read and rewrote the caller's Codex config.
#[test]
fn home_option_never_reaches_a_codex_home_outside_it() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let outside = t.root.path().join("callers-codex/config.toml");
    let stale = "[mcp_servers.teleport-mcp-a]\ncommand = \"tsh\"\n";
    crate::env::write(&outside, stale);
    let dir = t.path_of("callers-codex");
    let t = t.env("CODEX_HOME", &dir).home_file(".codex/config.toml", stale);
    let r = t.run(&["fix-config", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), stale, "the caller's file was not touched");
    assert_ne!(t.read_home(".codex/config.toml"), stale, "the home's own file was repaired");
}

/// Claude Code's managed files live at fixed system paths; `--system-root` (env
/// MCPCFG_SYSTEM_ROOT) moves them for tests, on every platform's layout.
#[test]
fn claude_code_managed_mcp_json_overrides_user_servers_and_is_never_written() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let t = t.home_file(
        ".claude.json",
        &format!("{{\"mcpServers\": {{\"teleport-mcp-user\": {}}}}}", tsh_entry(&stale, "a")),
    );
    let sys = t.root.path().join("sys");
    let managed = format!("{{\"mcpServers\": {{\"teleport-mcp-org\": {}}}}}", tsh_entry(&stale, "org"));
    // Claude Code's managed folder: `/etc/claude-code`, `C:\Program Files\ClaudeCode` on Windows.
    let managed_file = sys.join(if cfg!(windows) {
        "C/Program Files/ClaudeCode/managed-mcp.json"
    } else {
        "etc/claude-code/managed-mcp.json"
    });
    crate::env::write(&managed_file, &managed);
    let t = t.env("MCPCFG_SYSTEM_ROOT", &sys.to_string_lossy());
    let r = t.run(&["check", "--format", "json", "--client", "claude-code"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.json();
    let scopes: Vec<&str> = j["configs"].as_array().unwrap().iter().map(|c| c["scope"].as_str().unwrap()).collect();
    assert_eq!(scopes, ["user", "managed"]);
    assert_eq!(j["configs"][0]["servers"][0]["not_loaded_reason"], "overridden-by-managed");
    assert_eq!(j["configs"][1]["servers"][0]["loaded"], true);
    let hint = j["configs"][1]["servers"][0]["findings"][0]["hint"].as_str().unwrap();
    assert!(hint.contains("ask your administrator"), "{hint}");

    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("a managed file, read-only to mcpcfg"), "{}", r.stdout);
    assert_eq!(std::fs::read_to_string(&managed_file).unwrap(), managed);
    // The user's own server is repaired all the same (for when the managed file goes away).
    assert!(!t.read_home(".claude.json").contains("update-pkg-v2"));
}

/// Amazon Q Developer CLI and Kiro CLI keep one file per agent (`~/.aws/amazonq/cli-agents`,
/// `.amazonq/cli-agents`, `~/.kiro/agents`, `.kiro/agents`), each with its own `mcpServers`:
/// found, reported as loading only in that agent's sessions (a warning, not an error), and
/// repaired byte-exactly like any other file.
#[test]
fn amazon_q_and_kiro_agent_files_are_found_and_repaired() {
    let agent = |name: &str| {
        format!(
            "{{\n  \"name\": \"dev\",\n  \"tools\": [\"*\"],\n  \"mcpServers\": {{\"{name}\": {}}}\n}}\n",
            tsh_entry("/gone/tsh", "demo")
        )
    };
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".aws/amazonq/cli-agents/dev.json", &agent("teleport-mcp-q"))
        .home_file(".kiro/agents/ops.json", &agent("teleport-mcp-kiro"))
        .project_file(".amazonq/cli-agents/team.json", &agent("teleport-mcp-team"));
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "agent-only servers give warnings: {}", r.stdout);
    let j = r.json();
    let got: Vec<(String, String, String)> = j["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client"].as_str().unwrap().to_owned(),
                c["scope"].as_str().unwrap().to_owned(),
                c["servers"][0]["not_loaded_reason"].as_str().unwrap_or("loaded").to_owned(),
            )
        })
        .collect();
    let row = |c: &str, s: &str| (c.to_owned(), s.to_owned(), "agent-only".to_owned());
    assert_eq!(got, [row("kiro", "user"), row("amazon-q", "user"), row("amazon-q", "project")]);
    let before = std::fs::read_to_string(t.home().join(".aws/amazonq/cli-agents/dev.json")).unwrap();
    let fix = t.run(&["fix-config"]);
    assert_eq!(fix.code, 0, "{}\n{}", fix.stdout, fix.stderr);
    let after = std::fs::read_to_string(t.home().join(".aws/amazonq/cli-agents/dev.json")).unwrap();
    assert_eq!(after, before.replace("/gone/tsh", &crate::env::esc(&t.exe_of("bin/tsh"))), "only the command changed");
    assert!(std::fs::read_to_string(t.project().join(".amazonq/cli-agents/team.json")).unwrap().contains("/gone/tsh"));
}

/// The default agent (`chat.defaultAgent` in `~/.kiro/settings/cli.json`) is loaded in every
/// plain session: a stale path in it is an error, not an agent-only warning.
#[test]
fn the_default_agent_of_kiro_is_loaded() {
    let agent = format!("{{\"mcpServers\": {{\"teleport-mcp-kiro\": {}}}}}", tsh_entry("/gone/tsh", "demo"));
    let t = TestEnv::new()
        .tsh("18.3.0", None)
        .home_file(".kiro/agents/ops.json", &agent)
        .home_file(".kiro/agents/other.json", &agent.replace("teleport-mcp-kiro", "teleport-mcp-other"))
        .home_file(".kiro/settings/cli.json", r#"{"chat.defaultAgent": "ops"}"#);
    let r = t.run(&["check", "--format", "json", "--client", "kiro"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.json();
    let loaded: Vec<(String, bool)> = j["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["servers"][0]["name"].as_str().unwrap().to_owned(), c["servers"][0]["loaded"].as_bool().unwrap()))
        .collect();
    assert_eq!(loaded, [("teleport-mcp-kiro".to_owned(), true), ("teleport-mcp-other".to_owned(), false)]);
}
