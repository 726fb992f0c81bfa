//! Kilo CLI 7 (`@kilocode/cli`, its Linux x64 build), an OpenCode fork: `~/.config/kilo/kilo.json`
//! in OpenCode's layout.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view};
use crate::sandbox::{Cli, Sandbox};

#[test]
fn kilo_stale_array_command_fails_until_fixed() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.file(
        "home/.config/kilo/kilo.json",
        &format!(
            "{{\"mcp\": {{\"teleport-mcp-demo\": {{\"type\": \"local\", \"command\": [\"{stale}\", \"mcp\", \"connect\", \"demo\"]}}, \"off\": {{\"type\": \"local\", \"command\": [\"/bin/true\"], \"enabled\": false}}}}}}\n"
        ),
    );
    let view = client_view(&sb, Cli::Kilo, "work");
    assert!(matches!(&view["teleport-mcp-demo"], Status::Failed(_)), "{view:?}");
    let seen = mcpcfg_view(&sb, "kilo-code", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    let before = sb.read("home/.config/kilo/kilo.json");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read("home/.config/kilo/kilo.json"), before.replace(&stale, &tsh));
    assert_eq!(client_view(&sb, Cli::Kilo, "work")["teleport-mcp-demo"], Status::Connected);
}
