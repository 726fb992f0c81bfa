//! Codex CLI (`@openai/codex`), as it really reads.

use crate::oracle::{client_view, mcpcfg_view};
use crate::sandbox::{Cli, Sandbox};

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

/// Codex reads a project's `.codex/config.toml` only in the folder it runs in, and only when that
/// folder is trusted (`[projects."<folder>"] trust_level = "trusted"`): mcpcfg called such servers
/// healthy (or broken) regardless.
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
