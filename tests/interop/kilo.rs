//! Kilo CLI 7 (`@kilocode/cli`, its Linux x64 build), an OpenCode fork: `~/.config/kilo/kilo.json`
//! in OpenCode's layout.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view, pairs_agree};
use crate::sandbox::{Cli, KILO_SYSTEM_DIR, Sandbox};

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

fn entry(command: &str, app: &str) -> String {
    format!(r#"{{"type": "local", "command": ["{command}", "mcp", "connect", "{app}"]}}"#)
}

/// Kilo CLI 7.7.9 reads five user files in `~/.config/kilo` (`config.json`, `kilo.json`,
/// `kilo.jsonc`, `opencode.json`, `opencode.jsonc`, each over the ones before) and an
/// administrator's in `/etc/kilo` over them all. mcpcfg read only `kilo.json[c]`: a stale tsh in
/// `opencode.json` went unseen, and `/etc/kilo` was not read at all. mcpcfg now reads as Kilo
/// does, repairs every user file, and never writes the managed one.
#[test]
fn kilo_user_and_managed_files_rank_as_kilo_reads_them() {
    let sb = Sandbox::alone();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let user = |name: &str, servers: &[(&str, String)]| {
        let members: Vec<String> = servers.iter().map(|(n, e)| format!("\"{n}\": {e}")).collect();
        sb.file(&format!("home/.config/kilo/{name}"), &format!("{{\"mcp\": {{{}}}}}\n", members.join(", ")));
    };
    user("opencode.json", &[("teleport-mcp-hidden", entry(&stale, "h"))]);
    user("config.json", &[("teleport-mcp-over", entry(&stale, "o"))]);
    user("opencode.jsonc", &[("teleport-mcp-over", entry(&tsh, "o"))]);
    user("kilo.json", &[("teleport-mcp-admin", entry(&tsh, "a"))]);
    let managed = format!("{{\"mcp\": {{\"teleport-mcp-admin\": {}}}}}\n", entry(&stale, "a"));
    sb.system_file(KILO_SYSTEM_DIR, "kilo.json", &managed);
    let view = client_view(&sb, Cli::Kilo, "work");
    assert!(matches!(view["teleport-mcp-hidden"], Status::Failed(_)), "{view:?}");
    assert_eq!(view["teleport-mcp-over"], Status::Connected, "opencode.jsonc over config.json: {view:?}");
    assert!(matches!(view["teleport-mcp-admin"], Status::Failed(_)), "the managed file over the user's: {view:?}");
    let seen = mcpcfg_view(&sb, "kilo-code", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?}");
    let loaded_from = |name: &str| -> Vec<String> {
        seen[name]
            .iter()
            .filter(|s| s.loaded)
            .map(|s| s.path.rsplit('/').take(2).collect::<Vec<_>>().join("<"))
            .collect()
    };
    assert_eq!(loaded_from("teleport-mcp-over"), ["opencode.jsonc<kilo"], "{seen:#?}");
    assert_eq!(loaded_from("teleport-mcp-admin"), ["kilo.json<kilo"], "{seen:#?}");
    let admin: Vec<&str> = seen["teleport-mcp-admin"].iter().filter(|s| s.loaded).map(|s| s.scope.as_str()).collect();
    assert_eq!(admin, ["managed"], "{seen:#?}");
    assert!(seen["teleport-mcp-hidden"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    let before = std::fs::read_to_string(format!("{KILO_SYSTEM_DIR}/kilo.json")).unwrap();
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 1, "the managed file's stale server is left: {}", fix.all());
    for name in ["opencode.json", "config.json"] {
        assert!(!sb.read(&format!("home/.config/kilo/{name}")).contains(&stale), "{name}: {}", fix.all());
    }
    assert_eq!(std::fs::read_to_string(format!("{KILO_SYSTEM_DIR}/kilo.json")).unwrap(), before, "never written");
    let view = client_view(&sb, Cli::Kilo, "work");
    assert_eq!(view["teleport-mcp-hidden"], Status::Connected, "{view:?}");
    assert!(matches!(view["teleport-mcp-admin"], Status::Failed(_)), "{view:?}");
}

/// Kilo CLI 7.7.9 reads a project's `kilo.json[c]` and `opencode.json[c]` in every folder from the
/// working folder up to the Git root, the same four in each `.kilocode/` and `.kilo/` folder
/// there and in the home folder, in an order of its own (`kilo_rank` in src/loading.rs). mcpcfg
/// read none of them, so a stale tsh there went unseen.
#[test]
fn kilo_project_and_folder_files_rank_as_kilo_reads_them() {
    let sb = Sandbox::new();
    sb.git_init("work");
    // Above the Git root: neither Kilo nor mcpcfg reads it.
    let outside = format!("{{\"mcp\": {{\"teleport-mcp-outside\": {}}}}}\n", entry(&sb.stale_tsh(), "o"));
    sb.file("kilo.json", &outside);
    let view = pairs_agree(
        &sb,
        (Cli::Kilo, "kilo-code"),
        "work/app",
        &[
            ("work/kilo.json", "work/kilo.jsonc"),
            ("work/kilo.jsonc", "work/app/kilo.json"),
            ("work/app/kilo.jsonc", "work/opencode.json"),
            ("work/app/opencode.jsonc", "work/app/.kilo/kilo.jsonc"),
            ("work/app/.kilo/kilo.json", "work/.kilocode/kilo.json"),
            ("work/.kilocode/opencode.json", "work/.kilo/kilo.jsonc"),
            ("work/.kilo/kilo.jsonc", "work/.kilo/kilo.json"),
            ("work/.kilo/opencode.json", "home/.kilocode/kilo.jsonc"),
            ("home/.config/kilo/opencode.jsonc", "home/.kilo/kilo.json"),
            ("home/.kilocode/opencode.json", "home/.kilo/kilo.jsonc"),
        ],
    );
    assert!(!view.contains_key("teleport-mcp-outside"), "{view:?}");
}

/// `$KILO_CONFIG` names one more file, above the user files and below the project's, and
/// `$KILO_CONFIG_DIR` one more folder, above the home folder's `.kilo/` (7.7.9).
#[test]
fn kilo_config_and_kilo_config_dir_rank_as_kilo_reads_them() {
    let mut sb = Sandbox::new();
    sb.git_init("work");
    let (mine, dir) = (sb.path("home/custom/mine.json"), sb.path("home/kc"));
    sb.set_env("KILO_CONFIG", &mine.display().to_string());
    sb.set_env("KILO_CONFIG_DIR", &dir.display().to_string());
    pairs_agree(
        &sb,
        (Cli::Kilo, "kilo-code"),
        "work",
        &[
            ("home/.config/kilo/opencode.jsonc", "home/custom/mine.json"),
            ("home/custom/mine.json", "work/kilo.json"),
            ("home/.kilo/opencode.json", "home/kc/kilo.jsonc"),
            ("home/kc/kilo.jsonc", "home/kc/opencode.json"),
        ],
    );
}

/// Kilo CLI 7.7.9 also reads the extension's `.kilocode/mcp.json` and a `.kilo/mcp.json` of the
/// working folder (its "legacy" MCP settings, Cline's layout). mcpcfg read only the first, as
/// the extension's; it now reads both and repairs both.
#[test]
fn kilo_legacy_mcp_json_files_are_read_and_repaired() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let legacy = |name: &str| {
        format!(
            "{{\"mcpServers\": {{\"{name}\": {{\"command\": \"{stale}\", \"args\": [\"mcp\", \"connect\", \"l\"]}}}}}}\n"
        )
    };
    sb.file("work/.kilocode/mcp.json", &legacy("teleport-mcp-kilocode"));
    sb.file("work/.kilo/mcp.json", &legacy("teleport-mcp-kilo"));
    let view = client_view(&sb, Cli::Kilo, "work");
    assert!(matches!(view["teleport-mcp-kilocode"], Status::Failed(_)), "{view:?}");
    assert!(matches!(view["teleport-mcp-kilo"], Status::Failed(_)), "{view:?}");
    let seen = mcpcfg_view(&sb, "kilo-code", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    let before = [sb.read("work/.kilocode/mcp.json"), sb.read("work/.kilo/mcp.json")];
    let fix = sb.mcpcfg("work", &["fix-config", "--include-project"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(sb.read("work/.kilocode/mcp.json"), before[0].replace(&stale, &tsh));
    assert_eq!(sb.read("work/.kilo/mcp.json"), before[1].replace(&stale, &tsh));
    let view = client_view(&sb, Cli::Kilo, "work");
    assert_eq!(view["teleport-mcp-kilo"], Status::Connected, "{view:?}");
    assert_eq!(view["teleport-mcp-kilocode"], Status::Connected, "{view:?}");
}
