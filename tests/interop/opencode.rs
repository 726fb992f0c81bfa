//! OpenCode (`opencode-linux-x64`, the `opencode-ai` build for this platform), as it really
//! reads: `mcp.<name>` with `command` an array, JSONC with trailing commas, `{env:NAME}`.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view, pairs_agree};
use crate::sandbox::{Cli, OPENCODE_SYSTEM_DIR, Sandbox};

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
    sb.git_init("work/repo");
    assert!(!agree().contains_key("teleport-mcp-outside"), "up to the Git root only");
    let fix = sb.mcpcfg("work/repo/sub", &["fix-config", "--include-project"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(client_view(&sb, Cli::Opencode, "work/repo/sub")["teleport-mcp-root"], Status::Connected);
}

/// OpenCode merges its files deeply, field by field: a project entry that only says
/// `"enabled": false` switches the user's server off, a project command beats the user's, a
/// `.opencode/opencode.json` beats the folder's `opencode.json`, and an `enabled` with no command
/// anywhere starts nothing. mcpcfg agrees with `opencode mcp list` on each, and still repairs the
/// user's entry of a server a project switched off.
#[test]
fn opencode_layers_merge_field_by_field() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.git_init("work");
    sb.file(
        "home/.config/opencode/opencode.json",
        &format!(
            "{{\"mcp\": {{\"teleport-mcp-off\": {}, \"teleport-mcp-over\": {}, \"teleport-mcp-dot\": {}}}}}\n",
            entry(&stale, "o"),
            entry(&stale, "v"),
            entry(&stale, "d")
        ),
    );
    sb.file(
        "work/opencode.json",
        &format!(
            "{{\"mcp\": {{\"teleport-mcp-off\": {{\"enabled\": false}}, \"teleport-mcp-over\": {}, \"teleport-mcp-dot\": {}, \"lonely\": {{\"enabled\": true}}}}}}\n",
            entry(&tsh, "v"),
            entry(&stale, "d")
        ),
    );
    sb.file("work/.opencode/opencode.json", &format!("{{\"mcp\": {{\"teleport-mcp-dot\": {}}}}}\n", entry(&tsh, "d")));
    let view = client_view(&sb, Cli::Opencode, "work");
    assert_eq!(view["teleport-mcp-off"], Status::Disabled, "{view:?}");
    assert_eq!(view["teleport-mcp-over"], Status::Connected, "{view:?}");
    assert_eq!(view["teleport-mcp-dot"], Status::Connected, "{view:?}");
    assert!(!view.contains_key("lonely"), "{view:?}");
    let seen = mcpcfg_view(&sb, "opencode", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?} {view:?}");
    let reasons = |name: &str| -> Vec<Option<String>> { seen[name].iter().map(|s| s.reason.clone()).collect() };
    assert_eq!(reasons("teleport-mcp-off"), [Some("disabled".to_owned()), Some("disabled".to_owned())]);
    assert_eq!(reasons("lonely"), [Some("no-command".to_owned())]);
    let check = sb.mcpcfg("work", &["check", "--client", "opencode"]);
    assert_eq!(check.code, 0, "every stale entry is shadowed or switched off: {}", check.all());
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert!(!sb.read("home/.config/opencode/opencode.json").contains(&stale), "the user's entries are repaired too");
}

/// OpenCode's managed config (`/etc/opencode/opencode.json`, an administrator's) ranks above
/// the user's file and the project's: a server in both starts with the managed file's command.
/// mcpcfg reads the same (the managed entry loaded, the others shadowed), repairs the user's and
/// the project's entries all the same, and never writes the managed file: its stale server is
/// left for the administrator, and `check` still fails on it.
#[test]
fn opencode_managed_config_ranks_above_the_user_and_the_project() {
    let sb = Sandbox::alone();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.git_init("work");
    let system = format!(
        "{{\"mcp\": {{\"teleport-mcp-sys\": {}, \"teleport-mcp-user\": {}, \"teleport-mcp-proj\": {}}}}}\n",
        entry(&stale, "s"),
        entry(&tsh, "u"),
        entry(&tsh, "p")
    );
    sb.system_file(OPENCODE_SYSTEM_DIR, "opencode.json", &system);
    sb.file(
        "home/.config/opencode/opencode.json",
        &format!("{{\"mcp\": {{\"teleport-mcp-user\": {}}}}}\n", entry(&stale, "u")),
    );
    sb.file("work/opencode.json", &format!("{{\"mcp\": {{\"teleport-mcp-proj\": {}}}}}\n", entry(&stale, "p")));
    let view = client_view(&sb, Cli::Opencode, "work");
    assert!(matches!(view["teleport-mcp-sys"], Status::Failed(_)), "{view:?}");
    assert_eq!(view["teleport-mcp-user"], Status::Connected, "the managed command wins: {view:?}");
    assert_eq!(view["teleport-mcp-proj"], Status::Connected, "over the project's too: {view:?}");
    let seen = mcpcfg_view(&sb, "opencode", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?}");
    for name in ["teleport-mcp-sys", "teleport-mcp-user", "teleport-mcp-proj"] {
        let loaded: Vec<&str> = seen[name].iter().filter(|s| s.loaded).map(|s| s.scope.as_str()).collect();
        assert_eq!(loaded, ["managed"], "{name}: {seen:#?}");
        for other in seen[name].iter().filter(|s| !s.loaded) {
            assert_eq!(other.reason.as_deref(), Some("shadowed"), "{name}: {seen:#?}");
        }
    }
    assert!(seen["teleport-mcp-sys"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    // OpenCode itself adds a `$schema` to the files it reads, the managed one too: what mcpcfg
    // must not change is what is there when it runs.
    let managed = || std::fs::read_to_string(format!("{OPENCODE_SYSTEM_DIR}/opencode.json")).unwrap();
    let before = managed();
    let fix = sb.mcpcfg("work", &["fix-config", "--include-project"]);
    assert!(!sb.read("home/.config/opencode/opencode.json").contains(&stale), "{}", fix.all());
    assert!(!sb.read("work/opencode.json").contains(&stale), "{}", fix.all());
    assert_eq!(managed(), before, "never written");
    // What is left is the administrator's: fix-config and check say so with status 1.
    assert_eq!(fix.code, 1, "{}", fix.all());
    let check = sb.mcpcfg("work", &["check", "--client", "opencode"]);
    assert_eq!(check.code, 1, "{}", check.all());
    assert!(check.all().contains("teleport-mcp-sys"), "{}", check.all());
    assert!(matches!(client_view(&sb, Cli::Opencode, "work")["teleport-mcp-sys"], Status::Failed(_)));
}

/// Of files in one folder, OpenCode starts a server with the command of the last that names it:
/// `opencode.jsonc` over `opencode.json` (and, in the user's folder, both over `config.json`),
/// in the user's folder, the project's and its `.opencode/`. mcpcfg took the first it read.
#[test]
fn opencode_jsonc_ranks_over_json_in_one_folder() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.git_init("work");
    let one = |rel: &str, name: &str, command: &str| {
        sb.file(rel, &format!("{{\"mcp\": {{\"{name}\": {}}}}}\n", entry(command, name)));
    };
    one("home/.config/opencode/config.json", "teleport-mcp-user", &stale);
    one("home/.config/opencode/opencode.json", "teleport-mcp-user", &stale);
    one("home/.config/opencode/opencode.jsonc", "teleport-mcp-user", &tsh);
    one("work/opencode.json", "teleport-mcp-proj", &stale);
    one("work/opencode.jsonc", "teleport-mcp-proj", &tsh);
    one("work/.opencode/opencode.json", "teleport-mcp-dot", &tsh);
    one("work/.opencode/opencode.jsonc", "teleport-mcp-dot", &stale);
    let view = client_view(&sb, Cli::Opencode, "work");
    assert_eq!(view["teleport-mcp-user"], Status::Connected, "{view:?}");
    assert_eq!(view["teleport-mcp-proj"], Status::Connected, "{view:?}");
    assert!(matches!(view["teleport-mcp-dot"], Status::Failed(_)), "{view:?}");
    let seen = mcpcfg_view(&sb, "opencode", "work");
    assert_eq!(loaded_names(&seen), client_loaded(&view), "{seen:#?}");
    for name in ["teleport-mcp-user", "teleport-mcp-proj", "teleport-mcp-dot"] {
        let loaded: Vec<&str> = seen[name].iter().filter(|s| s.loaded).map(|s| s.path.as_str()).collect();
        assert!(loaded.len() == 1 && loaded[0].ends_with("opencode.jsonc"), "{name}: {seen:#?}");
    }
    let broken = |name: &str| {
        seen[name].iter().find(|s| s.loaded).unwrap().codes.contains(&"tsh-managed-update-path".to_owned())
    };
    assert_eq!(
        [broken("teleport-mcp-user"), broken("teleport-mcp-proj"), broken("teleport-mcp-dot")],
        [false, false, true]
    );
}

/// In OpenCode's managed folder too, `opencode.jsonc` ranks over `opencode.json` (Kilo CLI's
/// managed folder ranks them the other way round: `kilo_user_and_managed_files_rank_as_kilo_reads_them`).
#[test]
fn opencode_managed_jsonc_ranks_over_json() {
    let sb = Sandbox::alone();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.system_file(
        OPENCODE_SYSTEM_DIR,
        "opencode.json",
        &format!("{{\"mcp\": {{\"teleport-mcp-m\": {}}}}}\n", entry(&stale, "m")),
    );
    sb.system_file(
        OPENCODE_SYSTEM_DIR,
        "opencode.jsonc",
        &format!("{{\"mcp\": {{\"teleport-mcp-m\": {}}}}}\n", entry(&tsh, "m")),
    );
    let view = client_view(&sb, Cli::Opencode, "work");
    assert_eq!(view["teleport-mcp-m"], Status::Connected, "{view:?}");
    let seen = mcpcfg_view(&sb, "opencode", "work");
    let loaded: Vec<&str> = seen["teleport-mcp-m"].iter().filter(|s| s.loaded).map(|s| s.path.as_str()).collect();
    assert_eq!(loaded, [format!("{OPENCODE_SYSTEM_DIR}/opencode.jsonc")], "{seen:#?}");
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "opencode"]).code, 0, "the stale entry is shadowed");
}

/// `$OPENCODE_CONFIG_DIR` is read besides `~/.config/opencode`, not instead of it, above every
/// project file and `.opencode/` folder; `$OPENCODE_CONFIG` ranks above the user files and below
/// the project's (1.18.34). mcpcfg read the folder instead of the user's, so a stale tsh in
/// `~/.config/opencode` went unseen, and ranked the file below the user files.
#[test]
fn opencode_config_and_config_dir_rank_as_opencode_reads_them() {
    let mut sb = Sandbox::new();
    sb.git_init("work");
    sb.set_env("OPENCODE_CONFIG", &sb.path("home/custom/mine.json").display().to_string());
    sb.set_env("OPENCODE_CONFIG_DIR", &sb.path("home/oc").display().to_string());
    let user = format!("{{\"mcp\": {{\"teleport-mcp-user\": {}}}}}\n", entry(&sb.stale_tsh(), "u"));
    sb.file("home/.config/opencode/opencode.json", &user);
    let view = pairs_agree(
        &sb,
        (Cli::Opencode, "opencode"),
        "work",
        &[
            ("home/.config/opencode/opencode.jsonc", "home/custom/mine.json"),
            ("home/custom/mine.json", "work/opencode.json"),
            ("work/.opencode/opencode.jsonc", "home/oc/opencode.json"),
            ("home/oc/opencode.json", "home/oc/opencode.jsonc"),
        ],
    );
    assert!(matches!(view["teleport-mcp-user"], Status::Failed(_)), "the user folder is still read: {view:?}");
    assert!(!sb.read("home/.config/opencode/opencode.json").contains(&sb.stale_tsh()), "and repaired");
}

/// OpenCode 1.18.34 reads each `.opencode/` folder from the working folder up to the Git root
/// nearest first, so the root's wins over a nearer one, and the home folder's `~/.opencode/`
/// over them all; the folders' files over every `opencode.json[c]`, of which the nearest wins.
/// mcpcfg ranked the nearer `.opencode/` higher and did not read `~/.opencode/` at all.
#[test]
fn opencode_dot_folders_rank_as_opencode_reads_them() {
    let sb = Sandbox::new();
    sb.git_init("work");
    pairs_agree(
        &sb,
        (Cli::Opencode, "opencode"),
        "work/app",
        &[
            ("work/app/.opencode/opencode.jsonc", "work/.opencode/opencode.json"),
            ("work/.opencode/opencode.json", "work/.opencode/opencode.jsonc"),
            ("work/.opencode/opencode.jsonc", "home/.opencode/opencode.json"),
            ("home/.opencode/opencode.json", "home/.opencode/opencode.jsonc"),
            ("work/opencode.json", "work/app/opencode.json"),
            ("work/app/opencode.jsonc", "work/app/.opencode/opencode.json"),
        ],
    );
}
