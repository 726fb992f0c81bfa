//! The Cline CLI (`@cline/cli-linux-x64`, `cline` 3.x): its servers in
//! `~/.cline/data/settings/cline_mcp_settings.json`, each command under `transport` as its own
//! `cline mcp install` writes it. It has no `mcp list`: a session (against a model it cannot
//! reach) starts its servers first, and the markers they leave say which it started.

use std::path::Path;

use crate::fake::Fake;
use crate::oracle::{mcpcfg_view, servers_started};
use crate::sandbox::{Cli, Sandbox};

const SETTINGS: &str = "home/.cline/data/settings/cline_mcp_settings.json";

/// Which of `markers` a `cline` session left: the OpenAI provider with a key that is no key,
/// whose request fails (no network here, and none needed) after the servers are started.
fn started(sb: &Sandbox, markers: &[&Path]) -> Vec<bool> {
    servers_started(sb, Cli::Cline, &["-P", "openai", "-k", "none", "-m", "gpt-4o", "--json", "--", "say hi"], markers)
}

/// Servers added with the real `cline mcp install`, one of them at a stale managed-update path:
/// `cline` cannot start it (it starts the other), mcpcfg reads the file it wrote, finds the stale
/// command under `transport`, repairs only that, and `cline` then starts it.
#[test]
fn cline_cli_stale_server_starts_once_fixed_byte_exactly() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let (control, demo) = (sb.path("control.started"), sb.path("tsh.started"));
    Fake::mode("mcp-ok").with("touch", &control.to_string_lossy()).install(&sb.bin().join("control"));
    Fake::mode("mcp-ok").with("touch", &demo.to_string_lossy()).install(&sb.bin().join("tsh"));
    let control_cmd = sb.bin().join("control").to_string_lossy().into_owned();
    for (name, command) in
        [("control", vec![control_cmd.as_str()]), ("teleport-mcp-demo", vec![&stale, "mcp", "connect", "demo"])]
    {
        let mut args = vec!["mcp", "install", name, "--yes", "--"];
        args.extend(command);
        let out = sb.client(Cli::Cline, "work", &args);
        assert_eq!(out.code, 0, "cline mcp install {name}: {}", out.all());
    }
    let before = sb.read(SETTINGS);
    assert!(before.contains("\"transport\""), "{before}");
    assert_eq!(
        started(&sb, &[&control, &demo]),
        [true, false],
        "cline reads the file, and cannot start the stale path"
    );
    let seen = mcpcfg_view(&sb, "cline", "work");
    assert!(seen["control"][0].loaded, "{seen:#?}");
    assert!(seen["teleport-mcp-demo"][0].loaded, "{seen:#?}");
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    let before = sb.read(SETTINGS);
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read(SETTINGS), before.replace(&stale, &tsh), "only the command changed");
    assert_eq!(started(&sb, &[&control, &demo]), [true, true], "cline starts the repaired server");
}

/// `$CLINE_DATA_DIR` moves the Cline CLI's settings (`<it>/settings/cline_mcp_settings.json`):
/// `cline mcp install` writes there, a session starts what is there, and mcpcfg reads and
/// repairs that file, not `~/.cline`'s. (The folder is inside the sandbox's home: mcpcfg runs
/// with `--home`, which leaves a variable naming a folder outside it alone.)
#[test]
fn cline_cli_data_dir_moves_the_settings_file() {
    let mut sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let data = sb.path("home/cline-data");
    sb.set_env("CLINE_DATA_DIR", &data.to_string_lossy());
    let demo = sb.path("tsh.started");
    Fake::mode("mcp-ok").with("touch", &demo.to_string_lossy()).install(&sb.bin().join("tsh"));
    let out = sb.client(
        Cli::Cline,
        "work",
        &["mcp", "install", "teleport-mcp-demo", "--yes", "--", &stale, "mcp", "connect", "demo"],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let settings = "home/cline-data/settings/cline_mcp_settings.json";
    let before = sb.read(settings);
    assert!(!sb.path(SETTINGS).exists(), "written under $CLINE_DATA_DIR only");
    let seen = mcpcfg_view(&sb, "cline", "work");
    assert_eq!(seen["teleport-mcp-demo"][0].path, sb.path(settings).to_string_lossy(), "{seen:#?}");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read(settings), before.replace(&stale, &tsh), "only the command changed");
    assert_eq!(started(&sb, &[&demo]), [true], "cline starts the repaired server from there");
}
