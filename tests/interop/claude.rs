//! Claude Code (`@anthropic-ai/claude-code`), exactly as it reads: scopes, parent folders,
//! approval, syntax, variables, the legacy file, managed files and its lock.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view, parse_claude};
use crate::sandbox::{Cli, Sandbox};

fn ok(out: crate::sandbox::Out) -> crate::sandbox::Out {
    assert_eq!(out.code, 0, "{}", out.all());
    out
}

/// `claude mcp add -s SCOPE NAME -- COMMAND ARGS…` run in `cwd`.
fn add(sb: &Sandbox, cwd: &str, scope: &str, name: &str, command: &[&str]) {
    let mut args = vec!["mcp", "add", "-s", scope, name, "--"];
    args.extend_from_slice(command);
    ok(sb.claude(cwd, &args));
}

/// The servers mcpcfg says Claude Code loads in `cwd` (the home's other projects aside).
fn mcpcfg_loaded(sb: &Sandbox, cwd: &str) -> Vec<String> {
    let here = std::fs::canonicalize(sb.path(cwd)).unwrap().to_string_lossy().into_owned();
    let mut view = mcpcfg_view(sb, "claude-code", cwd);
    for seen in view.values_mut() {
        seen.retain(|s| s.project.as_deref().is_none_or(|p| p == here));
    }
    loaded_names(&view)
}

#[test]
fn claude_stale_servers_in_every_scope_fail_until_fixed() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    add(&sb, "work", "user", "teleport-mcp-user", &[&stale, "mcp", "connect", "a"]);
    add(&sb, "work", "local", "teleport-mcp-local", &[&stale, "mcp", "connect", "b"]);

    let before = client_view(&sb, Cli::Claude, "work");
    let enoent = format!("ENOENT: no such file or directory, posix_spawn '{stale}'");
    assert_eq!(before["teleport-mcp-user"], Status::Failed(enoent.clone()), "{before:?}");
    assert_eq!(before["teleport-mcp-local"], Status::Failed(enoent), "{before:?}");
    assert_eq!(mcpcfg_loaded(&sb, "work"), client_loaded(&before));

    let fix = ok(sb.mcpcfg("work", &["fix-config"]));
    assert!(fix.stdout.contains("2 repaired"), "{}", fix.all());
    let after = client_view(&sb, Cli::Claude, "work");
    assert_eq!(after["teleport-mcp-user"], Status::Connected, "{after:?}");
    assert_eq!(after["teleport-mcp-local"], Status::Connected, "{after:?}");

    // Claude Code rewrites ~/.claude.json on its next change; mcpcfg still reads it, healthy.
    add(&sb, "work", "user", "other", &["/bin/true"]);
    let check = sb.mcpcfg("work", &["check", "--client", "claude-code"]);
    assert_eq!(check.code, 0, "{}", check.all());
}

#[test]
fn claude_add_json_env_secrets_and_remote_servers_are_read_and_kept() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    let entry = serde_json::json!({
        "type": "stdio", "command": stale, "args": ["mcp", "connect", "demo"],
        "env": {"API_TOKEN": "s3cr3t-value"}
    });
    ok(sb.claude("work", &["mcp", "add-json", "-s", "user", "teleport-mcp-demo", &entry.to_string()]));
    ok(sb.claude("work", &["mcp", "add", "-s", "user", "--transport", "http", "web", "http://127.0.0.1:9/mcp"]));
    ok(sb.claude("work", &["mcp", "add", "-s", "user", "--transport", "sse", "events", "http://127.0.0.1:9/sse"]));

    let view = mcpcfg_view(&sb, "claude-code", "work");
    assert!(view["web"][0].codes.is_empty() && view["events"][0].codes.is_empty(), "{view:?}");
    let dry = sb.mcpcfg("work", &["fix-config", "--dry-run"]);
    assert_eq!(dry.code, 1, "{}", dry.all());
    assert!(!dry.all().contains("s3cr3t-value"), "{}", dry.all());

    ok(sb.mcpcfg("work", &["fix-config"]));
    let get = ok(sb.claude("work", &["mcp", "get", "teleport-mcp-demo"]));
    assert!(get.stdout.contains("✔ Connected"), "{}", get.all());
    assert!(get.stdout.contains("API_TOKEN=s3cr3t-value"), "the env survived the repair:\n{}", get.all());
    let list = parse_claude(&ok(sb.claude("work", &["mcp", "list"])));
    assert!(matches!(list["web"], Status::Failed(_)) && matches!(list["events"], Status::Failed(_)), "{list:?}");
}

/// Asserts that mcpcfg and Claude Code, both started in `cwd`, agree on which servers load.
fn agree(sb: &Sandbox, cwd: &str) -> std::collections::BTreeMap<String, Status> {
    let client = client_view(sb, Cli::Claude, cwd);
    let key = project_key(sb, cwd);
    let mut view = mcpcfg_view(sb, "claude-code", cwd);
    for seen in view.values_mut() {
        seen.retain(|s| s.project.as_deref().is_none_or(|p| p == key));
    }
    assert_eq!(loaded_names(&view), client_loaded(&client), "mcpcfg: {view:#?}\nclaude: {client:#?}");
    client
}

/// The folder `~/.claude.json` keys Claude Code's local servers under: the nearest git root.
fn project_key(sb: &Sandbox, cwd: &str) -> String {
    let mut d = std::fs::canonicalize(sb.path(cwd)).unwrap();
    let start = d.clone();
    loop {
        if d.join(".git").exists() {
            return d.to_string_lossy().into_owned();
        }
        if !d.pop() {
            return start.to_string_lossy().into_owned();
        }
    }
}

fn reason(sb: &Sandbox, cwd: &str, name: &str) -> Option<String> {
    let view = mcpcfg_view(sb, "claude-code", cwd);
    let seen = view.get(name).unwrap_or_else(|| panic!("mcpcfg does not list {name}: {view:#?}"));
    assert_eq!(seen.len(), 1, "{seen:?}");
    seen[0].reason.clone()
}

/// Claude Code started in `repo/services/api` loads `repo/.mcp.json` too: mcpcfg saw nothing
/// there and fix-config left the stale parent file alone.
#[test]
fn claude_parent_folder_mcp_json_is_read_and_repaired() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("work/repo/services/api")).unwrap();
    let stale = sb.stale_tsh();
    add(&sb, "work/repo", "project", "teleport-mcp-repo", &[&stale, "mcp", "connect", "a"]);
    // Approved in the user settings, which count without trusting the folder.
    sb.file("home/.claude/settings.json", r#"{"enabledMcpjsonServers": ["teleport-mcp-repo"]}"#);

    let before = agree(&sb, "work/repo/services/api");
    assert!(matches!(before["teleport-mcp-repo"], Status::Failed(_)), "{before:?}");
    let fix = ok(sb.mcpcfg("work/repo/services/api", &["fix-config", "--include-project"]));
    assert!(fix.stdout.contains("1 repaired"), "{}", fix.all());
    assert_eq!(agree(&sb, "work/repo/services/api")["teleport-mcp-repo"], Status::Connected);
}

/// Local servers live under the git root's key, even when `mcp add` runs in a subfolder.
#[test]
fn claude_local_servers_belong_to_the_git_root() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("work/repo/.git")).unwrap();
    std::fs::create_dir_all(sb.path("work/repo/sub")).unwrap();
    let stale = sb.stale_tsh();
    add(&sb, "work/repo/sub", "local", "teleport-mcp-local", &[&stale, "mcp", "connect", "a"]);
    let j: serde_json::Value = serde_json::from_str(&sb.read("home/.claude.json")).unwrap();
    assert!(j["projects"][project_key(&sb, "work/repo")]["mcpServers"]["teleport-mcp-local"].is_object());

    assert!(matches!(agree(&sb, "work/repo/sub")["teleport-mcp-local"], Status::Failed(_)));
    ok(sb.mcpcfg("work/repo/sub", &["fix-config"]));
    assert_eq!(agree(&sb, "work/repo/sub")["teleport-mcp-local"], Status::Connected);
}

/// A `.mcp.json` server nobody approved is listed by Claude Code as pending and not started; a
/// declined one is not listed at all. mcpcfg called both healthy (or broken).
#[test]
fn claude_project_servers_pending_approved_and_rejected() {
    let sb = Sandbox::new();
    let tsh = sb.tsh();
    for name in ["pending", "approved", "declined", "trusted"] {
        add(&sb, "work", "project", name, &[&tsh, "mcp", "connect", name]);
    }
    sb.file(
        "home/.claude/settings.json",
        r#"{"enabledMcpjsonServers": ["approved"], "disabledMcpjsonServers": ["declined"]}"#,
    );
    // The project's own settings count only once the folder is trusted.
    sb.file("work/.claude/settings.json", r#"{"enabledMcpjsonServers": ["trusted"]}"#);
    let view = agree(&sb, "work");
    assert_eq!(view["pending"], Status::Pending);
    assert_eq!(view["trusted"], Status::Pending);
    assert_eq!(view["approved"], Status::Connected);
    assert!(!view.contains_key("declined"), "{view:?}");
    assert_eq!(reason(&sb, "work", "pending").as_deref(), Some("pending-approval"));
    assert_eq!(reason(&sb, "work", "declined").as_deref(), Some("rejected"));
    assert_eq!(reason(&sb, "work", "approved"), None);

    let mut j: serde_json::Value = serde_json::from_str(&sb.read("home/.claude.json")).unwrap();
    let here = project_key(&sb, "work");
    j["projects"][&here]["hasTrustDialogAccepted"] = true.into();
    sb.file("home/.claude.json", &j.to_string());
    let view = agree(&sb, "work");
    assert_eq!(view["trusted"], Status::Connected);
    assert_eq!(reason(&sb, "work", "trusted"), None);
}

/// The same name in several scopes: local beats project beats user.
#[test]
fn claude_one_name_in_several_scopes_loads_the_preferred_one() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    add(&sb, "work", "user", "teleport-mcp-demo", &[&stale, "mcp", "connect", "demo"]);
    add(&sb, "work", "local", "teleport-mcp-demo", &[&tsh, "mcp", "connect", "demo"]);
    assert_eq!(agree(&sb, "work")["teleport-mcp-demo"], Status::Connected);
    let view = mcpcfg_view(&sb, "claude-code", "work");
    let user = view["teleport-mcp-demo"].iter().find(|s| s.project.is_none()).unwrap();
    assert_eq!(user.reason.as_deref(), Some("shadowed"), "{view:#?}");
    // The stale user entry is not what Claude Code runs here: no error.
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "claude-code"]).code, 0);
}

/// Claude Code refuses a `.mcp.json` with a comment or a trailing comma (and loads none of its
/// servers) but takes a BOM and CRLF; mcpcfg called the first a warning.
#[test]
fn claude_mcp_json_syntax_verdicts_match_the_client() {
    let sb = Sandbox::new();
    sb.file("home/.claude/settings.json", r#"{"enableAllProjectMcpServers": true}"#);
    let stale = sb.stale_tsh();
    let body = format!(
        r#"{{"mcpServers": {{"teleport-mcp-demo": {{"command": "{stale}", "args": ["mcp", "connect", "demo"]}}}}}}"#
    );
    for bad in [
        format!("{{\n  // a comment\n  \"mcpServers\": {}\n}}\n", &body[15..body.len() - 1]),
        body.replacen("]}", "],}", 1),
    ] {
        sb.file("work/.mcp.json", &bad);
        let list = ok(sb.claude("work", &["mcp", "list"]));
        assert!(list.stdout.contains("MCP config is not a valid JSON"), "{}", list.all());
        agree(&sb, "work");
        assert_eq!(reason(&sb, "work", "teleport-mcp-demo").as_deref(), Some("file-unloadable"));
        let check = sb.mcpcfg("work", &["check", "--client", "claude-code"]);
        assert_eq!(check.code, 1, "{}", check.all());
        assert!(check.stdout.contains("config-needs-jsonc"), "{}", check.all());
        let fix = sb.mcpcfg("work", &["fix-config", "--include-project"]);
        assert_eq!(fix.code, 1, "fix-config must not say all is well while Claude Code loads nothing:\n{}", fix.all());
    }
    let crlf_bom = format!("\u{feff}{}\r\n", body.replace(", ", ",\r\n  "));
    sb.file("work/.mcp.json", &crlf_bom);
    assert!(matches!(agree(&sb, "work")["teleport-mcp-demo"], Status::Failed(_)));
    ok(sb.mcpcfg("work", &["fix-config", "--include-project"]));
    let after = sb.read("work/.mcp.json");
    assert_eq!(after, crlf_bom.replace(&stale, &sb.tsh()), "BOM and CRLF kept");
    assert_eq!(agree(&sb, "work")["teleport-mcp-demo"], Status::Connected);
}

/// A `~/.claude.json` with a comment makes every Claude Code command fail; fix-config must not
/// exit 0 on it.
#[test]
fn claude_json_with_a_comment_is_an_error_for_both() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    sb.file(
        "home/.claude.json",
        &format!("{{\n  // mine\n  \"mcpServers\": {{\"teleport-mcp-demo\": {{\"command\": \"{stale}\", \"args\": []}}}}\n}}\n"),
    );
    let list = sb.claude("work", &["mcp", "list"]);
    assert_eq!(list.code, 1, "{}", list.all());
    assert!(list.stderr.contains("is corrupted"), "{}", list.all());
    let check = sb.mcpcfg("work", &["check", "--client", "claude-code"]);
    assert_eq!(check.code, 1, "{}", check.all());
    assert!(check.stdout.contains("config-needs-jsonc"), "{}", check.all());
    assert_ne!(sb.mcpcfg("work", &["fix-config"]).code, 0);
}

/// `${VAR:-default}`: Claude Code takes the default only when VAR is unset; set but empty, it
/// runs `/tsh`. mcpcfg took the default.
#[test]
fn claude_variables_expand_as_the_client_expands_them() {
    let mut sb = Sandbox::new();
    let bin = sb.bin().to_string_lossy().into_owned();
    // The default names a working tsh: only an unset TSH_DIR reaches it.
    let entry = serde_json::json!({"command": format!("${{TSH_DIR:-{bin}}}/tsh"), "args": ["mcp", "connect", "demo"]});
    ok(sb.claude("work", &["mcp", "add-json", "-s", "user", "teleport-mcp-demo", &entry.to_string()]));
    for (value, connected) in
        [(Some(bin.as_str()), true), (Some(""), false), (None, true), (Some("/nonexistent"), false)]
    {
        match value {
            Some(v) => sb.set_env("TSH_DIR", v),
            None => sb.remove_env("TSH_DIR"),
        }
        let view = agree(&sb, "work");
        assert_eq!(view["teleport-mcp-demo"] == Status::Connected, connected, "TSH_DIR={value:?}: {view:?}");
        let check = sb.mcpcfg("work", &["check", "--client", "claude-code"]);
        assert_eq!(check.code, if connected { 0 } else { 1 }, "TSH_DIR={value:?}: {}", check.all());
        // What the variable expands to is the caller's environment: never printed.
        if value == Some("/nonexistent") {
            assert!(!check.stdout.contains("/nonexistent"), "{}", check.all());
        }
    }
    // fix-config never replaces the variable with a fixed path.
    let before = sb.read("home/.claude.json");
    sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(sb.read("home/.claude.json"), before);
}

/// `~/.claude/.config.json`, when it exists, is read (and written) by Claude Code instead of
/// `~/.claude.json`.
#[test]
fn claude_legacy_config_json_is_read_instead() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    let entry = |cmd: &str| {
        format!(
            r#"{{"mcpServers": {{"teleport-mcp-demo": {{"command": "{cmd}", "args": ["mcp", "connect", "demo"]}}}}}}"#
        )
    };
    sb.file("home/.claude/.config.json", &entry(&stale));
    sb.file("home/.claude.json", &entry("/ignored/tsh").replace("teleport-mcp-demo", "ignored"));
    let view = agree(&sb, "work");
    assert!(!view.contains_key("ignored"), "{view:?}");
    ok(sb.mcpcfg("work", &["fix-config"]));
    assert!(sb.read("home/.claude/.config.json").contains(&sb.tsh()));
    assert_eq!(agree(&sb, "work")["teleport-mcp-demo"], Status::Connected);
}

/// While `managed-mcp.json` exists Claude Code loads only its servers: the user's own were
/// reported healthy (or broken) though none of them runs. The managed file is read, checked,
/// and never written.
#[test]
fn claude_managed_mcp_json_takes_exclusive_control() {
    let sb = Sandbox::alone();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    add(&sb, "work", "user", "teleport-mcp-user", &[&tsh, "mcp", "connect", "a"]);
    let managed = format!(
        r#"{{"mcpServers": {{"teleport-mcp-managed": {{"command": "{stale}", "args": ["mcp", "connect", "m"]}}}}}}"#
    );
    sb.managed_file("managed-mcp.json", &managed);

    let view = agree(&sb, "work");
    assert_eq!(view.keys().collect::<Vec<_>>(), ["teleport-mcp-managed"], "{view:?}");
    assert_eq!(reason(&sb, "work", "teleport-mcp-user").as_deref(), Some("overridden-by-managed"));
    let check = sb.mcpcfg("work", &["check", "--client", "claude-code"]);
    assert_eq!(check.code, 1, "{}", check.all());
    assert!(check.stdout.contains("ask your administrator"), "{}", check.all());
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 1, "{}", fix.all());
    assert_eq!(std::fs::read_to_string("/etc/claude-code/managed-mcp.json").unwrap(), managed, "never written");
}

/// A managed allowlist that admits a server by its command: a repair to another command makes
/// Claude Code drop the server silently, so fix-config leaves it and says what to ask for.
#[test]
fn claude_allowlist_by_command_is_not_broken_by_a_repair() {
    let sb = Sandbox::alone();
    let stale = sb.stale_tsh();
    // The stale path exists for this scenario (an old managed copy still on disk), so Claude
    // Code runs it; only a repair would change the command.
    sb.fake_tsh(std::path::Path::new(&stale));
    add(&sb, "work", "user", "teleport-mcp-demo", &[&stale, "mcp", "connect", "demo"]);
    add(&sb, "work", "user", "other", &["/bin/true"]);
    let policy = serde_json::json!({
        "allowedMcpServers": [{"serverCommand": [stale, "mcp", "connect", "demo"]}],
        "deniedMcpServers": [{"serverName": "other"}]
    });
    sb.managed_file("managed-settings.json", &policy.to_string());

    let view = agree(&sb, "work");
    assert_eq!(view["teleport-mcp-demo"], Status::Connected, "{view:?}");
    assert_eq!(reason(&sb, "work", "other").as_deref(), Some("denied"));

    let before = sb.read("home/.claude.json");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert!(fix.stdout.contains("the managed allowlist admits it by its command"), "{}", fix.all());
    assert_eq!(sb.read("home/.claude.json"), before, "left alone");
    // What the repair would have done: Claude Code no longer lists the server at all.
    sb.file("home/.claude.json", &before.replace(&stale, &sb.tsh()));
    let view = client_view(&sb, Cli::Claude, "work");
    assert!(!view.contains_key("teleport-mcp-demo"), "{view:?}");
}

/// Claude Code holds `~/.claude.json.lock` around its read-modify-write. With its rename
/// delayed, mcpcfg used to replace the file meanwhile, say "fixed", and the client's write then
/// put the stale path back. Now fix-config waits for the lock.
#[test]
fn claude_lock_is_honoured_while_claude_code_writes() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    add(&sb, "work", "user", "teleport-mcp-demo", &[&stale, "mcp", "connect", "demo"]);
    let writer = sb.client_under_strace(
        Cli::Claude,
        "work",
        &["-e", "trace=rename", "-e", "inject=rename:delay_enter=3000000"],
        &["mcp", "add", "-s", "user", "other", "--", "/bin/true"],
    );
    let lock = sb.home().join(".claude.json.lock");
    let start = std::time::Instant::now();
    while !lock.exists() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "Claude Code never took its lock");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let fix = ok(sb.mcpcfg("work", &["fix-config"]));
    assert!(fix.stdout.contains("1 repaired"), "{}", fix.all());
    let added = writer.wait();
    assert_eq!(added.code, 0, "{}", added.all());

    let text = sb.read("home/.claude.json");
    assert!(text.contains("\"other\"") && !text.contains(&stale), "both changes kept:\n{text}");
    let view = agree(&sb, "work");
    assert_eq!(view["teleport-mcp-demo"], Status::Connected);
}

/// With CLAUDE_CONFIG_DIR set, Claude Code reads `$CLAUDE_CONFIG_DIR/.config.json` when it
/// exists (else `.claude.json` there), and never `~/.claude.json`.
#[test]
fn claude_config_dir_and_its_legacy_file() {
    let mut sb = Sandbox::new();
    // Inside the home: with --home, mcpcfg takes a CLAUDE_CONFIG_DIR only there.
    let cfg = sb.path("home/cfg").to_string_lossy().into_owned();
    sb.set_env("CLAUDE_CONFIG_DIR", &cfg);
    let stale = sb.stale_tsh();
    let entry = |name: &str, cmd: &str| {
        format!(r#"{{"mcpServers": {{"{name}": {{"command": "{cmd}", "args": ["mcp", "connect", "x"]}}}}}}"#)
    };
    sb.file("home/.claude.json", &entry("teleport-mcp-home", &stale));
    sb.file("home/cfg/.claude.json", &entry("teleport-mcp-current", &stale));
    let view = agree(&sb, "work");
    assert!(view.contains_key("teleport-mcp-current") && !view.contains_key("teleport-mcp-home"), "{view:?}");
    sb.file("home/cfg/.config.json", &entry("teleport-mcp-legacy", &stale));
    let view = agree(&sb, "work");
    assert_eq!(view.keys().collect::<Vec<_>>(), ["teleport-mcp-legacy"], "{view:?}");
    ok(sb.mcpcfg("work", &["fix-config"]));
    assert_eq!(agree(&sb, "work")["teleport-mcp-legacy"], Status::Connected);
}

/// Managed settings drop-ins (`managed-settings.d/*.json`) filter servers too.
#[test]
fn claude_managed_settings_drop_in_denies() {
    let sb = Sandbox::alone();
    let tsh = sb.tsh();
    add(&sb, "work", "user", "teleport-mcp-a", &[&tsh, "mcp", "connect", "a"]);
    add(&sb, "work", "user", "teleport-mcp-b", &[&tsh, "mcp", "connect", "b"]);
    sb.managed_file("managed-settings.d/10-deny.json", r#"{"deniedMcpServers": [{"serverName": "teleport-mcp-b"}]}"#);
    let view = agree(&sb, "work");
    assert!(view.contains_key("teleport-mcp-a") && !view.contains_key("teleport-mcp-b"), "{view:?}");
    assert_eq!(reason(&sb, "work", "teleport-mcp-b").as_deref(), Some("denied"));
}
