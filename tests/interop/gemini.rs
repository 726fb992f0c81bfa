//! Gemini CLI (`@google/gemini-cli`), as it really reads.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view};
use crate::sandbox::{Cli, GEMINI_SYSTEM_DIR, Sandbox};

fn servers(entries: &[(&str, &str)]) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(name, cmd)| format!(r#""{name}": {{"command": "{cmd}", "args": ["mcp", "connect", "{name}"]}}"#))
        .collect();
    format!("{{{}}}", body.join(", "))
}

/// Gemini CLI and mcpcfg agree on which servers run in `cwd`.
fn agree(sb: &Sandbox, cwd: &str) -> std::collections::BTreeMap<String, Vec<crate::oracle::Seen>> {
    let view = client_view(sb, Cli::Gemini, cwd);
    let seen = mcpcfg_view(sb, "gemini", cwd);
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    seen
}

/// Gemini loads no server at all (user-level ones neither) in a folder it does not trust.
fn trust(sb: &Sandbox, dir: &str) {
    let folder = sb.path(dir).to_string_lossy().into_owned();
    sb.file("home/.gemini/trustedFolders.json", &serde_json::json!({ folder: "TRUST_FOLDER" }).to_string());
}

#[test]
fn gemini_stale_user_server_is_disconnected_until_fixed() {
    let sb = Sandbox::new();
    trust(&sb, "work");
    let stale = sb.stale_tsh();
    let add = sb.client(
        Cli::Gemini,
        "work",
        &["mcp", "add", "-s", "user", "teleport-mcp-demo", &stale, "mcp", "connect", "demo"],
    );
    assert_eq!(add.code, 0, "{}", add.all());

    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-demo"], Status::Failed(String::new()));
    let seen = &mcpcfg_view(&sb, "gemini", "work")["teleport-mcp-demo"];
    assert!(seen[0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:?}");

    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-demo"], Status::Connected);
}

/// Gemini CLI starts no MCP server at all in a folder it does not trust, user-level ones
/// included (`○ … - Disabled`); mcpcfg called them healthy, or broken.
#[test]
fn gemini_untrusted_folder_loads_no_server() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let add = |name: &str, cmd: &str| {
        let out = sb.client(Cli::Gemini, "work", &["mcp", "add", "-s", "user", name, cmd, "mcp", "connect", name]);
        assert_eq!(out.code, 0, "{}", out.all());
    };
    add("teleport-mcp-good", &tsh);
    add("teleport-mcp-stale", &stale);
    let view = client_view(&sb, Cli::Gemini, "work");
    assert_eq!(view["teleport-mcp-good"], Status::Disabled, "{view:?}");
    let seen = mcpcfg_view(&sb, "gemini", "work");
    for name in ["teleport-mcp-good", "teleport-mcp-stale"] {
        assert_eq!(seen[name][0].reason.as_deref(), Some("untrusted-folder"), "{seen:?}");
    }
    assert_eq!(loaded_names(&seen), client_loaded(&view));
    // Not an error while nothing runs; trusted, the stale one is.
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "gemini"]).code, 0);
    trust(&sb, "work");
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "gemini"]).code, 1);
    assert_eq!(
        loaded_names(&mcpcfg_view(&sb, "gemini", "work")),
        client_loaded(&client_view(&sb, Cli::Gemini, "work"))
    );
}

/// Gemini CLI takes comments but refuses trailing commas and a BOM, and then starts nothing;
/// mcpcfg said "ok".
#[test]
fn gemini_refuses_trailing_commas_and_a_bom_and_so_does_mcpcfg() {
    let sb = Sandbox::new();
    trust(&sb, "work");
    let tsh = sb.tsh();
    let body = format!(
        r#"{{"mcpServers": {{"teleport-mcp-demo": {{"command": "{tsh}", "args": ["mcp", "connect", "demo"]}}}}}}"#
    );
    for (bad, words) in [
        (body.replacen("]}", "],}", 1), "Expected double-quoted property name"),
        (format!("\u{feff}{body}"), "Unexpected token"),
    ] {
        sb.file("home/.gemini/settings.json", &bad);
        let list = sb.client(Cli::Gemini, "work", &["mcp", "list"]);
        assert!(list.all().contains(words), "{}", list.all());
        let check = sb.mcpcfg("work", &["check", "--client", "gemini"]);
        assert_eq!(check.code, 1, "{}", check.all());
        assert!(check.stdout.contains("config-unloadable") && check.stdout.contains(words), "{}", check.all());
    }
    sb.file("home/.gemini/settings.json", &format!("{{\n  // comments are fine\n{}\n", &body[1..]));
    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-demo"], Status::Connected);
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "gemini"]).code, 0);
}

/// `${VAR:-default}`: Gemini CLI expands it (the default only for an unset VAR); mcpcfg called
/// it relative and fix-config replaced the variable with a fixed path.
#[test]
fn gemini_variable_with_a_default_is_expanded_and_never_replaced() {
    let mut sb = Sandbox::new();
    trust(&sb, "work");
    let entry = r#"{"mcpServers": {"teleport-mcp-demo": {"command": "${TSH_DIR:-/nonexistent}/tsh", "args": ["mcp", "connect", "demo"]}}}"#;
    sb.file("home/.gemini/settings.json", entry);
    let bin = sb.bin().to_string_lossy().into_owned();
    for (value, connected) in [(Some(bin.as_str()), true), (Some(""), false), (None, false)] {
        match value {
            Some(v) => sb.set_env("TSH_DIR", v),
            None => sb.remove_env("TSH_DIR"),
        }
        let view = client_view(&sb, Cli::Gemini, "work");
        assert_eq!(view["teleport-mcp-demo"] == Status::Connected, connected, "TSH_DIR={value:?}: {view:?}");
        let check = sb.mcpcfg("work", &["check", "--client", "gemini"]);
        assert_eq!(check.code, if connected { 0 } else { 1 }, "TSH_DIR={value:?}: {}", check.all());
    }
    sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(sb.read("home/.gemini/settings.json"), entry, "the variable is kept");
}

/// `security.folderTrust.enabled: false` in the user settings turns the trust check off.
#[test]
fn gemini_folder_trust_switched_off_loads_servers_anywhere() {
    let sb = Sandbox::new();
    let tsh = sb.tsh();
    sb.file(
        "home/.gemini/settings.json",
        &format!(r#"{{"security": {{"folderTrust": {{"enabled": false}}}}, "mcpServers": {{"teleport-mcp-demo": {{"command": "{tsh}", "args": ["mcp", "connect", "demo"]}}}}}}"#),
    );
    let view = client_view(&sb, Cli::Gemini, "work");
    assert_eq!(view["teleport-mcp-demo"], Status::Connected, "{view:?}");
    let seen = mcpcfg_view(&sb, "gemini", "work");
    assert_eq!(seen["teleport-mcp-demo"][0].reason, None, "{seen:?}");
}

/// An extension's servers (`~/.gemini/extensions/<ext>/gemini-extension.json`, listed as
/// `name (from <ext>)`) run like the user's, and a settings entry of the same name wins over the
/// extension's: mcpcfg did not read extensions at all, so a stale tsh in one stayed broken.
#[test]
fn gemini_extension_servers_are_read_and_repaired() {
    let sb = Sandbox::new();
    trust(&sb, "work");
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let ext = format!(
        r#"{{"name": "teleport", "version": "1.0.0", "mcpServers": {}}}"#,
        servers(&[("teleport-mcp-ext", &stale), ("teleport-mcp-both", &stale)])
    );
    sb.file("home/.gemini/extensions/teleport/gemini-extension.json", &ext);
    sb.file("home/.gemini/settings.json", &format!(r#"{{"mcpServers": {}}}"#, servers(&[("teleport-mcp-both", &tsh)])));
    let list = sb.client(Cli::Gemini, "work", &["mcp", "list"]);
    assert!(list.all().contains("teleport-mcp-ext (from teleport)"), "{}", list.all());
    let seen = agree(&sb, "work");
    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-both"], Status::Connected, "settings win");
    let both = &seen["teleport-mcp-both"];
    assert!(
        both.iter().any(|s| s.path.ends_with("gemini-extension.json") && s.reason.as_deref() == Some("shadowed")),
        "{both:#?}"
    );
    assert!(seen["teleport-mcp-ext"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");

    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-ext"], Status::Connected);
    assert_eq!(sb.read("home/.gemini/extensions/teleport/gemini-extension.json"), ext.replace(&stale, &tsh));
}

/// `GEMINI_CLI_HOME` moves every user file of Gemini CLI (settings, trusted folders,
/// extensions) to `$GEMINI_CLI_HOME/.gemini`; mcpcfg read `~/.gemini` regardless.
#[test]
fn gemini_cli_home_moves_the_user_files() {
    let mut sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let gh = sb.path("home/gh").to_string_lossy().into_owned();
    sb.set_env("GEMINI_CLI_HOME", &gh);
    let folder = sb.path("work").to_string_lossy().into_owned();
    sb.file("home/gh/.gemini/trustedFolders.json", &serde_json::json!({ folder: "TRUST_FOLDER" }).to_string());
    sb.file(
        "home/gh/.gemini/settings.json",
        &format!(r#"{{"mcpServers": {}}}"#, servers(&[("teleport-mcp-gh", &stale)])),
    );
    sb.file("home/.gemini/settings.json", &format!(r#"{{"mcpServers": {}}}"#, servers(&[("teleport-mcp-home", &tsh)])));
    let seen = agree(&sb, "work");
    assert!(!seen.contains_key("teleport-mcp-home"), "{seen:#?}");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-gh"], Status::Connected);
}

/// The system settings (`/etc/gemini-cli/settings.json`) win over the user's by server name, the
/// system defaults beside them lose to it, and `mcp.excluded` blocks a server (`⛔ … Blocked`).
/// mcpcfg read none of them.
#[test]
fn gemini_system_settings_win_by_name_and_excluded_servers_are_blocked() {
    let sb = Sandbox::alone();
    trust(&sb, "work");
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let system = format!(r#"{{"mcpServers": {}}}"#, servers(&[("teleport-mcp-a", &tsh), ("teleport-mcp-sys", &stale)]));
    sb.system_file(GEMINI_SYSTEM_DIR, "settings.json", &system);
    let defaults = format!(r#"{{"mcpServers": {}}}"#, servers(&[("teleport-mcp-b", &stale)]));
    sb.system_file(GEMINI_SYSTEM_DIR, "system-defaults.json", &defaults);
    let user = format!(
        r#"{{"mcp": {{"excluded": ["teleport-mcp-x"]}}, "mcpServers": {}}}"#,
        servers(&[("teleport-mcp-a", &stale), ("teleport-mcp-b", &tsh), ("teleport-mcp-x", &stale)])
    );
    sb.file("home/.gemini/settings.json", &user);
    let seen = agree(&sb, "work");
    let view = client_view(&sb, Cli::Gemini, "work");
    assert_eq!(
        (&view["teleport-mcp-a"], &view["teleport-mcp-b"]),
        (&Status::Connected, &Status::Connected),
        "{view:?}"
    );
    assert_eq!(view["teleport-mcp-x"], Status::Other("Blocked".into()), "{view:?}");
    assert_eq!(seen["teleport-mcp-x"][0].reason.as_deref(), Some("blocked"));
    let check = sb.mcpcfg("work", &["check", "--client", "gemini"]);
    assert_eq!(check.code, 1, "the system's stale server: {}", check.all());
    assert!(check.stdout.contains("ask your administrator"), "{}", check.all());
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(
        std::fs::read_to_string("/etc/gemini-cli/settings.json").unwrap(),
        system,
        "never written: {}",
        fix.all()
    );
}

/// `gemini extensions link <dir>` leaves only `.gemini-extension-install.json` (`"type": "link"`)
/// in the extensions folder: the extension, and its servers, are read from `<dir>`.
#[test]
fn gemini_linked_extension_is_read_from_its_source() {
    let sb = Sandbox::new();
    trust(&sb, "work");
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let ext = format!(
        r#"{{"name": "linked", "version": "1.0.0", "mcpServers": {}}}"#,
        servers(&[("teleport-mcp-linked", &stale)])
    );
    sb.file("src/linked/gemini-extension.json", &ext);
    let source = sb.path("src/linked").to_string_lossy().into_owned();
    let link = sb.client(Cli::Gemini, "work", &["extensions", "link", &source, "--consent"]);
    assert_eq!(link.code, 0, "{}", link.all());
    let seen = agree(&sb, "work");
    assert!(seen["teleport-mcp-linked"][0].path.ends_with("src/linked/gemini-extension.json"), "{seen:#?}");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read("src/linked/gemini-extension.json"), ext.replace(&stale, &tsh));
    assert_eq!(client_view(&sb, Cli::Gemini, "work")["teleport-mcp-linked"], Status::Connected);
}
