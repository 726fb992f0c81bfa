//! Codex CLI (`@openai/codex`), as it really reads.

use std::collections::BTreeMap;

use crate::oracle::{Seen, client_view, mcpcfg_view};
use crate::sandbox::{CODEX_SYSTEM_DIR, Cli, Sandbox};

/// What Codex runs, by name, from `codex [-p PROFILE] mcp list --json` in `cwd`: the command
/// when the server is enabled, `None` when it is disabled.
fn codex_runs(sb: &Sandbox, cwd: &str, profile: Option<&str>) -> BTreeMap<String, Option<String>> {
    let mut args = vec![];
    if let Some(p) = profile {
        args.extend(["-p", p]);
    }
    args.extend(["mcp", "list", "--json"]);
    let out = sb.client(Cli::Codex, cwd, &args);
    assert_eq!(out.code, 0, "{}", out.all());
    let start = out.stdout.find('[').unwrap_or_else(|| panic!("no list:\n{}", out.all()));
    let list: serde_json::Value = serde_json::from_str(&out.stdout[start..]).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let runs = (s["enabled"] == true).then(|| s["transport"]["command"].as_str().unwrap().to_owned());
            (s["name"].as_str().unwrap().to_owned(), runs)
        })
        .collect()
}

/// The same from mcpcfg's report: for each name, the command of the one entry with a command
/// that it says Codex loads (a name whose every entry is disabled shows `None`; names with no loaded or disabled
/// entry are left out, as Codex does not list them).
fn mcpcfg_runs(seen: &BTreeMap<String, Vec<Seen>>) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    for (name, entries) in seen {
        // A layer that only overrides fields (no command) is loaded too, and runs nothing.
        let loaded: Vec<&Seen> = entries.iter().filter(|s| s.loaded && s.command.is_some()).collect();
        assert!(loaded.len() <= 1, "{name}: more than one command loaded: {entries:#?}");
        if let Some(s) = loaded.first() {
            out.insert(name.clone(), s.command.clone());
        } else if entries.iter().any(|s| matches!(s.reason.as_deref(), Some("disabled" | "not-in-allowlist"))) {
            out.insert(name.clone(), None);
        }
    }
    out
}

/// Codex and mcpcfg agree, name by name, on what Codex runs in `cwd`.
fn agree(sb: &Sandbox, cwd: &str) -> BTreeMap<String, Vec<Seen>> {
    let seen = mcpcfg_view(sb, "codex", cwd);
    assert_eq!(mcpcfg_runs(&seen), codex_runs(sb, cwd, None), "{cwd}: {seen:#?}");
    seen
}

fn entry(name: &str, command: &str, app: &str) -> String {
    format!("[mcp_servers.{name}]\ncommand = \"{command}\"\nargs = [\"mcp\", \"connect\", \"{app}\"]\n")
}

#[test]
fn codex_reads_the_repaired_config_and_mcpcfg_reads_what_codex_wrote() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    let add = sb.client(
        Cli::Codex,
        "work",
        &["mcp", "add", "teleport-mcp-demo", "--env", "API_TOKEN=s3cr3t", "--", &stale, "mcp", "connect", "demo"],
    );
    assert_eq!(add.code, 0, "{}", add.all());
    assert!(client_view(&sb, Cli::Codex, "work").contains_key("teleport-mcp-demo"));
    let seen = &mcpcfg_view(&sb, "codex", "work")["teleport-mcp-demo"];
    assert!(seen[0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:?}");

    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert!(!fix.all().contains("s3cr3t"), "{}", fix.all());
    let get = sb.client(Cli::Codex, "work", &["mcp", "get", "teleport-mcp-demo", "--json"]);
    assert_eq!(get.code, 0, "{}", get.all());
    let start = get.stdout.find('{').unwrap();
    let got: serde_json::Value = serde_json::from_str(&get.stdout[start..]).unwrap();
    assert_eq!(got["transport"]["command"], sb.tsh().as_str(), "{got:#}");

    // Codex rewrites the file on its next change; mcpcfg still reads it, and finds it healthy.
    let add = sb.client(Cli::Codex, "work", &["mcp", "add", "other", "--", "/bin/true"]);
    assert_eq!(add.code, 0, "{}", add.all());
    let view = mcpcfg_view(&sb, "codex", "work");
    assert!(view["teleport-mcp-demo"][0].codes.is_empty(), "{view:?}");
    assert!(view.contains_key("other"));
}

/// `enabled = false`: Codex lists the server as disabled and never starts it; mcpcfg reported
/// its stale path as an error.
#[test]
fn codex_disabled_server_is_not_loaded() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    let add = sb.client(Cli::Codex, "work", &["mcp", "add", "teleport-mcp-off", "--", &stale, "mcp", "connect", "off"]);
    assert_eq!(add.code, 0, "{}", add.all());
    let cfg = sb.read("home/.codex/config.toml");
    sb.file(
        "home/.codex/config.toml",
        &cfg.replace("[mcp_servers.teleport-mcp-off]\n", "[mcp_servers.teleport-mcp-off]\nenabled = false\n"),
    );
    let view = client_view(&sb, Cli::Codex, "work");
    assert_eq!(view["teleport-mcp-off"], crate::oracle::Status::Disabled, "{view:?}");
    let seen = mcpcfg_view(&sb, "codex", "work");
    assert_eq!(seen["teleport-mcp-off"][0].reason.as_deref(), Some("disabled"), "{seen:?}");
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "codex"]).code, 0, "not an error while it is off");
}

/// Codex reads a project's `.codex/config.toml` only when that folder is trusted
/// (`[projects."<folder>"] trust_level = "trusted"`): mcpcfg called such servers healthy (or
/// broken) regardless. (An empty `.git` folder is no project root to Codex 0.171.)
#[test]
fn codex_project_config_loads_only_in_a_trusted_folder() {
    let sb = Sandbox::new();
    let tsh = sb.tsh();
    std::fs::create_dir_all(sb.path("work/repo/.git")).unwrap();
    sb.file(
        "work/repo/.codex/config.toml",
        &format!("[mcp_servers.teleport-mcp-proj]\ncommand = \"{tsh}\"\nargs = [\"mcp\", \"connect\", \"p\"]\n"),
    );
    let agree = |cwd: &str| {
        let view = client_view(&sb, Cli::Codex, cwd);
        let seen = mcpcfg_view(&sb, "codex", cwd);
        assert_eq!(
            crate::oracle::loaded_names(&seen),
            crate::oracle::client_loaded(&view),
            "{cwd}: {seen:#?} {view:?}"
        );
        seen
    };
    let seen = agree("work/repo");
    assert_eq!(seen["teleport-mcp-proj"][0].reason.as_deref(), Some("untrusted-folder"));
    let repo = std::fs::canonicalize(sb.path("work/repo")).unwrap();
    sb.file("home/.codex/config.toml", &format!("[projects.\"{}\"]\ntrust_level = \"trusted\"\n", repo.display()));
    let seen = agree("work/repo");
    assert_eq!(seen["teleport-mcp-proj"][0].reason, None);
}

/// In a Git repository Codex reads `.codex/config.toml` in every folder from the working folder up
/// to the repository root, each only when trusted (its own entry, or the root's), and merges them
/// field by field: the nearest layer that names a command wins. mcpcfg read only the working
/// folder's file.
#[test]
fn codex_project_layers_run_from_the_git_root_down_and_merge_by_field() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.file("work/repo/.git/HEAD", "ref: refs/heads/main\n");
    sb.file(
        "work/repo/.codex/config.toml",
        &format!("{}{}", entry("teleport-mcp-root", &stale, "r"), entry("shared", &tsh, "s")),
    );
    sb.file(
        "work/repo/sub/.codex/config.toml",
        &format!("{}[mcp_servers.shared]\nargs = [\"sub\"]\n", entry("teleport-mcp-sub", &tsh, "s")),
    );
    sb.file("home/.codex/config.toml", &entry("teleport-mcp-user", &tsh, "u"));
    // Nothing trusted: only the user's server.
    let seen = agree(&sb, "work/repo/sub");
    assert_eq!(seen["teleport-mcp-root"][0].reason.as_deref(), Some("untrusted-folder"));
    // The root trusted: both layers, the root's one for `sub` through the root's entry.
    let repo = std::fs::canonicalize(sb.path("work/repo")).unwrap();
    let trust = format!("[projects.\"{}\"]\ntrust_level = \"trusted\"\n", repo.display());
    sb.file("home/.codex/config.toml", &format!("{}{trust}", entry("teleport-mcp-user", &tsh, "u")));
    let seen = agree(&sb, "work/repo/sub");
    assert!(seen["teleport-mcp-root"][0].codes.contains(&"tsh-managed-update-path".to_owned()), "{seen:#?}");
    let fix = sb.mcpcfg("work/repo/sub", &["fix-config", "--include-project"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(codex_runs(&sb, "work/repo/sub", None)["teleport-mcp-root"].as_deref(), Some(tsh.as_str()));
    agree(&sb, "work/repo/sub");
}

/// `/etc/codex/config.toml` lies under the user's config and `/etc/codex/managed_config.toml`
/// over everything, merged field by field (Codex 0.171; no variable moves them). mcpcfg read
/// neither; it now reports them as the administrator's, and never writes them.
#[test]
fn codex_system_and_managed_layers_merge_around_the_user_config() {
    let sb = Sandbox::alone();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    let system = format!("{}{}", entry("teleport-mcp-sys", &stale, "s"), entry("base", &stale, "b"));
    sb.system_file(CODEX_SYSTEM_DIR, "config.toml", &system);
    let managed = format!("{}[mcp_servers.base]\nargs = [\"managed\"]\n", entry("teleport-mcp-managed", &tsh, "m"));
    sb.system_file(CODEX_SYSTEM_DIR, "managed_config.toml", &managed);
    sb.file("home/.codex/config.toml", &entry("base", &tsh, "b"));
    let seen = agree(&sb, "work");
    assert_eq!(seen["base"].iter().find(|s| s.path.starts_with("/etc")).unwrap().reason.as_deref(), Some("shadowed"));
    let sys = &seen["teleport-mcp-sys"][0];
    assert_eq!((sys.scope.as_str(), sys.loaded), ("managed", true), "{sys:?}");
    let check = sb.mcpcfg("work", &["check", "--client", "codex"]);
    assert_eq!(check.code, 1, "{}", check.all());
    assert!(check.stdout.contains("ask your administrator"), "{}", check.all());
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 1, "a problem is left: {}", fix.all());
    assert_eq!(std::fs::read_to_string("/etc/codex/config.toml").unwrap(), system, "never written");
    assert_eq!(std::fs::read_to_string("/etc/codex/managed_config.toml").unwrap(), managed, "never written");
}

/// `$CODEX_HOME/<profile>.config.toml` is read only by `codex --profile <profile>`: mcpcfg did
/// not read it at all, so its stale tsh stayed. It is now listed as loaded only with the
/// profile (a warning, not an error) and repaired.
#[test]
fn codex_profile_file_loads_only_with_its_profile_and_is_repaired() {
    let sb = Sandbox::new();
    let (tsh, stale) = (sb.tsh(), sb.stale_tsh());
    sb.file("home/.codex/config.toml", &entry("teleport-mcp-user", &tsh, "u"));
    sb.file("home/.codex/work.config.toml", &entry("teleport-mcp-work", &stale, "w"));
    let seen = agree(&sb, "work");
    assert_eq!(seen["teleport-mcp-work"][0].reason.as_deref(), Some("profile-only"));
    assert_eq!(codex_runs(&sb, "work", Some("work"))["teleport-mcp-work"].as_deref(), Some(stale.as_str()));
    assert_eq!(sb.mcpcfg("work", &["check", "--client", "codex"]).code, 0, "a warning while no profile is chosen");
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert_eq!(fix.code, 0, "{}", fix.all());
    assert_eq!(codex_runs(&sb, "work", Some("work"))["teleport-mcp-work"].as_deref(), Some(tsh.as_str()));
}

/// `/etc/codex/requirements.toml` switches off every server it does not list, or lists with
/// another command (`disabled_reason: "requirements (…)"`); mcpcfg called them loaded. One it
/// admits by its command is left alone by fix-config: a new command would switch it off.
#[test]
fn codex_requirements_allowlist_switches_servers_off_and_pins_the_admitted() {
    let sb = Sandbox::alone();
    let stale = sb.stale_tsh();
    sb.system_file(
        CODEX_SYSTEM_DIR,
        "requirements.toml",
        &format!("[mcp_servers.teleport-mcp-a.identity]\ncommand = \"{stale}\"\n[mcp_servers.teleport-mcp-b.identity]\ncommand = \"/bin/other\"\n"),
    );
    let user = format!(
        "{}{}{}",
        entry("teleport-mcp-a", &stale, "a"),
        entry("teleport-mcp-b", &stale, "b"),
        entry("teleport-mcp-c", &stale, "c")
    );
    sb.file("home/.codex/config.toml", &user);
    let seen = agree(&sb, "work");
    assert_eq!(seen["teleport-mcp-b"][0].reason.as_deref(), Some("not-in-allowlist"));
    assert_eq!(seen["teleport-mcp-c"][0].reason.as_deref(), Some("not-in-allowlist"));
    let fix = sb.mcpcfg("work", &["fix-config"]);
    assert!(fix.stdout.contains("the managed allowlist admits it by its command"), "{}", fix.all());
    let after = sb.read("home/.codex/config.toml");
    assert!(after.contains(&entry("teleport-mcp-a", &stale, "a")), "a is left alone: {after}");
    agree(&sb, "work");
}
