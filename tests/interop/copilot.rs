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
