//! GitHub Copilot CLI (`@github/copilot`), as it really reads: `~/.copilot/mcp-config.json`
//! (JSONC), switches in `~/.copilot/settings.json`.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view};
use crate::sandbox::{Cli, Sandbox};

/// `copilot mcp add` writes the entry, a managed update breaks it, mcpcfg repairs it, and the
/// client lists the repaired command; `copilot mcp disable` keeps its switch in settings.json,
/// which mcpcfg reads too.
#[test]
fn copilot_server_added_by_the_client_is_repaired_and_disabled_ones_are_not_loaded() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let add =
        sb.client(Cli::Copilot, "work", &["mcp", "add", "teleport-mcp-demo", "--", &stale, "mcp", "connect", "demo"]);
    assert_eq!(add.code, 0, "{}", add.all());
    let add = sb.client(Cli::Copilot, "work", &["mcp", "add", "other", "--", &stale, "mcp", "connect", "other"]);
    assert_eq!(add.code, 0, "{}", add.all());
    let off = sb.client(Cli::Copilot, "work", &["mcp", "disable", "other"]);
    assert_eq!(off.code, 0, "{}", off.all());

    let view = client_view(&sb, Cli::Copilot, "work");
    assert_eq!(view["other"], Status::Disabled, "{view:?}");
    let seen = mcpcfg_view(&sb, "copilot-cli", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?}");
    assert_eq!(seen["other"][0].reason.as_deref(), Some("disabled"));
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");

    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    let list = sb.client(Cli::Copilot, "work", &["mcp", "list", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&list.stdout[list.stdout.find('{').unwrap()..]).unwrap();
    assert_eq!(doc["mcpServers"]["teleport-mcp-demo"]["command"], tsh.as_str(), "{doc:#}");
}

/// A project's `.mcp.json` is read by Copilot CLI as well as Claude Code (and `.github/mcp.json`
/// where a folder has no `.mcp.json`), in every folder up to the Git root, each only in a
/// trusted folder: mcpcfg agrees with the real client before and after trust, and one repair of
/// the shared file serves both clients, written once.
#[test]
fn copilot_reads_project_files_in_trusted_folders_and_one_repair_serves_claude_code_too() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.git_init("work");
    let entry = |name: &str, cmd: &str| {
        format!(
            "{{\"mcpServers\": {{\"{name}\": {{\"command\": \"{cmd}\", \"args\": [\"mcp\", \"connect\", \"d\"]}}}}}}\n"
        )
    };
    sb.file("work/.mcp.json", &entry("teleport-mcp-demo", &stale));
    sb.file("work/sub/.github/mcp.json", &entry("teleport-mcp-sub", &stale));
    let trust = |dirs: &[&str]| {
        let dirs: Vec<String> = dirs.iter().map(|d| sb.path(d).to_string_lossy().into_owned()).collect();
        sb.file("home/.copilot/config.json", &serde_json::json!({ "trusted_folders": dirs }).to_string());
    };
    let agree = || {
        let view = client_view(&sb, Cli::Copilot, "work/sub");
        let seen = mcpcfg_view(&sb, "copilot-cli", "work/sub");
        assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
        seen
    };
    trust(&["work/sub"]);
    let seen = agree();
    assert_eq!(seen["teleport-mcp-demo"][0].reason.as_deref(), Some("untrusted-folder"), "{seen:#?}");
    trust(&["work"]);
    let seen = agree();
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");

    let before = sb.read("work/.mcp.json");
    let fix = sb.mcpcfg("work/sub", &["fix-config", "--include-project", "--format", "json"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    let changes = fix.json()["changes"].as_array().unwrap().len();
    assert_eq!(changes, 2, "one change per entry, however many clients read it: {}", fix.all());
    assert_eq!(sb.read("work/.mcp.json"), before.replace(&stale, &tsh), "only the command changed");
    let list = sb.client(Cli::Copilot, "work/sub", &["mcp", "list", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&list.stdout[list.stdout.find('{').unwrap()..]).unwrap();
    for name in ["teleport-mcp-demo", "teleport-mcp-sub"] {
        assert_eq!(doc["mcpServers"][name]["command"], tsh.as_str(), "{doc:#}");
    }
    // Claude Code reads the same repaired entry (waiting for its own approval).
    let claude = sb.client(Cli::Claude, "work", &["mcp", "get", "teleport-mcp-demo"]);
    assert!(claude.all().contains(&tsh), "{}", claude.all());
}

/// Copilot CLI reads a project's `.mcp.json` strictly: a comment makes it skip the file
/// ("malformed"), and mcpcfg says the file cannot be loaded, where Claude Code's reading differs.
#[test]
fn copilot_skips_a_project_mcp_json_with_a_comment() {
    let sb = Sandbox::new();
    let tsh = sb.tsh();
    sb.file(
        "work/.mcp.json",
        &format!(
            "{{\n  // ours\n  \"mcpServers\": {{\"teleport-mcp-demo\": {{\"command\": \"{tsh}\", \"args\": []}}}}\n}}\n"
        ),
    );
    let work = sb.work().to_string_lossy().into_owned();
    sb.file("home/.copilot/config.json", &serde_json::json!({ "trusted_folders": [work] }).to_string());
    let list = sb.client(Cli::Copilot, "work", &["mcp", "list", "--json"]);
    assert!(list.all().contains("malformed"), "{}", list.all());
    let view = client_view(&sb, Cli::Copilot, "work");
    let seen = mcpcfg_view(&sb, "copilot-cli", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    assert_eq!(seen["teleport-mcp-demo"][0].reason.as_deref(), Some("file-unloadable"), "{seen:#?}");
}

/// A UTF-8 BOM: Copilot CLI reads its user file with one (and mcpcfg keeps the BOM when it
/// repairs it), and skips a project's `.mcp.json` with one, as mcpcfg says it does.
#[test]
fn copilot_reads_its_user_file_with_a_bom_and_skips_a_project_file_with_one() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let entry = |name: &str, command: &str| {
        format!(
            "{{\"mcpServers\": {{\"{name}\": {{\"command\": \"{command}\", \"args\": [\"mcp\", \"connect\", \"x\"]}}}}}}\n"
        )
    };
    sb.file("home/.copilot/mcp-config.json", &format!("\u{feff}{}", entry("teleport-mcp-user", &stale)));
    sb.file("work/.mcp.json", &format!("\u{feff}{}", entry("teleport-mcp-project", &tsh)));
    let work = sb.work().to_string_lossy().into_owned();
    sb.file("home/.copilot/config.json", &serde_json::json!({ "trusted_folders": [work] }).to_string());

    let view = client_view(&sb, Cli::Copilot, "work");
    let seen = mcpcfg_view(&sb, "copilot-cli", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    assert!(client_loaded(&view).contains(&"teleport-mcp-user".to_owned()), "{view:?}");
    assert!(!client_loaded(&view).contains(&"teleport-mcp-project".to_owned()), "{view:?}");
    assert_eq!(seen["teleport-mcp-project"][0].reason.as_deref(), Some("file-unloadable"), "{seen:#?}");

    // The user file is repaired; the project file stays unloadable, so the exit status is 1.
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 1, "{}", fix.all());
    assert!(fix.all().contains("1 repaired"), "{}", fix.all());
    let repaired = std::fs::read(sb.home().join(".copilot/mcp-config.json")).unwrap();
    assert!(repaired.starts_with("\u{feff}".as_bytes()), "the BOM is kept");
    let list = sb.client(Cli::Copilot, "work", &["mcp", "list", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&list.stdout[list.stdout.find('{').unwrap()..]).unwrap();
    assert_eq!(doc["mcpServers"]["teleport-mcp-user"]["command"], tsh.as_str(), "{doc:#}");
}
