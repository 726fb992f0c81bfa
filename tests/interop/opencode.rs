//! OpenCode (`opencode-linux-x64`, the `opencode-ai` build for this platform), as it really
//! reads: `mcp.<name>` with `command` an array, JSONC with trailing commas, `{env:NAME}`.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view};
use crate::sandbox::{Cli, Sandbox};

fn entry(command: &str, app: &str) -> String {
    format!(
        r#"{{"type": "local", "command": ["{command}", "mcp", "connect", "{app}"], "environment": {{"API_TOKEN": "s3cr3t"}}}}"#
    )
}

/// A stale managed-update path in OpenCode's global config: OpenCode fails to start it
/// (`ENOENT … posix_spawn`), mcpcfg repairs the array's first element only, keeping the
/// comment and the trailing commas, and OpenCode then connects.
#[test]
fn opencode_stale_array_command_fails_until_fixed_byte_exactly() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let text = format!(
        "{{\n  // mine\n  \"mcp\": {{\n    \"teleport-mcp-demo\": {},\n    \"off\": {{\"type\": \"local\", \"command\": [\"{stale}\"], \"enabled\": false}},\n  }},\n}}\n",
        entry(&stale, "demo")
    );
    sb.file("home/.config/opencode/opencode.json", &text);
    let view = client_view(&sb, Cli::Opencode, "work");
    assert!(matches!(&view["teleport-mcp-demo"], Status::Failed(why) if why.contains("ENOENT")), "{view:?}");
    assert_eq!(view["off"], Status::Disabled);
    let seen = mcpcfg_view(&sb, "opencode", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?}");
    assert!(seen["teleport-mcp-demo"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    assert_eq!(seen["off"][0].reason.as_deref(), Some("disabled"));

    // OpenCode adds a `$schema` key to its global config when it runs: what it wrote is what
    // the repair must keep.
    let before = sb.read("home/.config/opencode/opencode.json");
    assert!(before.contains("// mine"), "{before}");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert!(!fix.all().contains("s3cr3t"), "{}", fix.all());
    // The disabled server is repaired too: switched on again, it would start.
    assert_eq!(
        sb.read("home/.config/opencode/opencode.json"),
        before.replace(&stale, &tsh),
        "only the commands changed"
    );
    assert_eq!(client_view(&sb, Cli::Opencode, "work")["teleport-mcp-demo"], Status::Connected);
}

/// `{env:NAME}` is replaced before OpenCode parses the file, an unset one with nothing: mcpcfg
/// called such a command relative, and must never replace the variable.
#[test]
fn opencode_env_variable_is_expanded_and_kept() {
    let mut sb = Sandbox::new();
    let text = format!("{{\"mcp\": {{\"teleport-mcp-demo\": {}}}}}\n", entry("{env:TSH_DIR}/tsh", "demo"));
    sb.file("home/.config/opencode/opencode.json", &text);
    let bin = sb.bin().to_string_lossy().into_owned();
    for (value, connected) in [(Some(bin.as_str()), true), (None, false)] {
        match value {
            Some(v) => sb.set_env("TSH_DIR", v),
            None => sb.remove_env("TSH_DIR"),
        }
        let view = client_view(&sb, Cli::Opencode, "work");
        assert_eq!(view["teleport-mcp-demo"] == Status::Connected, connected, "TSH_DIR={value:?}: {view:?}");
        let check = sb.mcpcfg("work", &["check", "--client", "opencode"]);
        assert_eq!(check.code, if connected { 0 } else { 1 }, "TSH_DIR={value:?}: {}", check.all());
    }
    let before = sb.read("home/.config/opencode/opencode.json");
    sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(sb.read("home/.config/opencode/opencode.json"), before, "the variable is kept");
}

/// A project's `opencode.json` is read from the working folder up to the Git root, and with no
/// Git work tree (a bare `.git/HEAD` is none) from every folder up.
#[test]
fn opencode_project_files_from_the_working_folder_up_to_the_git_root() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.file("work/repo/.git/HEAD", "ref: refs/heads/main\n");
    sb.file("work/repo/opencode.json", &format!("{{\"mcp\": {{\"teleport-mcp-root\": {}}}}}", entry(&stale, "r")));
    sb.file("work/repo/sub/opencode.json", &format!("{{\"mcp\": {{\"teleport-mcp-sub\": {}}}}}", entry(&tsh, "s")));
    sb.file("work/opencode.json", &format!("{{\"mcp\": {{\"teleport-mcp-outside\": {}}}}}", entry(&tsh, "o")));
    let agree = || {
        let view = client_view(&sb, Cli::Opencode, "work/repo/sub");
        let seen = mcpcfg_view(&sb, "opencode", "work/repo/sub");
        assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
        view
    };
    assert!(agree().contains_key("teleport-mcp-outside"), "no Git work tree: every folder up");
    std::fs::remove_dir_all(sb.path("work/repo/.git")).unwrap();
    let git = std::process::Command::new("git").args(["init", "-q"]).current_dir(sb.path("work/repo")).status();
    assert!(git.is_ok_and(|s| s.success()), "git init (git is needed for this scenario)");
    assert!(!agree().contains_key("teleport-mcp-outside"), "up to the Git root only");
    let fix = sb.mcpcfg("work/repo/sub", &["fix-config", "--include-project"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(client_view(&sb, Cli::Opencode, "work/repo/sub")["teleport-mcp-root"], Status::Connected);
}
