//! Gemini CLI (`@google/gemini-cli`), as it really reads.

use crate::oracle::{Status, client_view, mcpcfg_view};
use crate::sandbox::{Cli, Sandbox};

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
