//! Claude Code (`@anthropic-ai/claude-code`), exactly as it reads: scopes, parent folders,
//! approval, syntax, variables, the legacy file, managed files and its lock.

use crate::oracle::{Status, client_loaded, client_view, loaded_names, mcpcfg_view, parse_claude};
use crate::sandbox::{Cli, Sandbox};

fn ok(out: crate::sandbox::Out) -> crate::sandbox::Out {
    assert_eq!(out.code, 0, "{}", out.all());
    out
}

/// `claude mcp add -s SCOPE NAME -- COMMAND ARGS…` run in `cwd`.
fn add(sb: &Sandbox, cwd: &str, scope: &str, name: &str, command: &[&str]) {
    let mut args = vec!["mcp", "add", "-s", scope, name, "--"];
    args.extend_from_slice(command);
    ok(sb.claude(cwd, &args));
}

/// The servers mcpcfg says Claude Code loads in `cwd` (the home's other projects aside).
fn mcpcfg_loaded(sb: &Sandbox, cwd: &str) -> Vec<String> {
    let here = std::fs::canonicalize(sb.path(cwd)).unwrap().to_string_lossy().into_owned();
    let mut view = mcpcfg_view(sb, "claude-code", cwd);
    for seen in view.values_mut() {
        seen.retain(|s| s.project.as_deref().is_none_or(|p| p == here));
    }
    loaded_names(&view)
}

#[test]
fn claude_stale_servers_in_every_scope_fail_until_fixed() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    add(&sb, "work", "user", "teleport-mcp-user", &[&stale, "mcp", "connect", "a"]);
    add(&sb, "work", "local", "teleport-mcp-local", &[&stale, "mcp", "connect", "b"]);

    let before = client_view(&sb, Cli::Claude, "work");
    let enoent = format!("ENOENT: no such file or directory, posix_spawn '{stale}'");
    assert_eq!(before["teleport-mcp-user"], Status::Failed(enoent.clone()), "{before:?}");
    assert_eq!(before["teleport-mcp-local"], Status::Failed(enoent), "{before:?}");
    assert_eq!(mcpcfg_loaded(&sb, "work"), client_loaded(&before));

    let fix = ok(sb.mcpcfg("work", &["fix-config"]));
    assert!(fix.stdout.contains("2 changed"), "{}", fix.all());
    let after = client_view(&sb, Cli::Claude, "work");
    assert_eq!(after["teleport-mcp-user"], Status::Connected, "{after:?}");
    assert_eq!(after["teleport-mcp-local"], Status::Connected, "{after:?}");

    // Claude Code rewrites ~/.claude.json on its next change; mcpcfg still reads it, healthy.
    add(&sb, "work", "user", "other", &["/bin/true"]);
    let check = sb.mcpcfg("work", &["check", "--client", "claude-code"]);
    assert_eq!(check.code, 0, "{}", check.all());
}

#[test]
fn claude_add_json_env_secrets_and_remote_servers_are_read_and_kept() {
    let sb = Sandbox::new();
    let stale = sb.stale_tsh();
    let entry = serde_json::json!({
        "type": "stdio", "command": stale, "args": ["mcp", "connect", "demo"],
        "env": {"API_TOKEN": "s3cr3t-value"}
    });
    ok(sb.claude("work", &["mcp", "add-json", "-s", "user", "teleport-mcp-demo", &entry.to_string()]));
    ok(sb.claude("work", &["mcp", "add", "-s", "user", "--transport", "http", "web", "http://127.0.0.1:9/mcp"]));
    ok(sb.claude("work", &["mcp", "add", "-s", "user", "--transport", "sse", "events", "http://127.0.0.1:9/sse"]));

    let view = mcpcfg_view(&sb, "claude-code", "work");
    assert!(view["web"][0].codes.is_empty() && view["events"][0].codes.is_empty(), "{view:?}");
    let dry = sb.mcpcfg("work", &["fix-config", "--dry-run"]);
    assert_eq!(dry.code, 1, "{}", dry.all());
    assert!(!dry.all().contains("s3cr3t-value"), "{}", dry.all());

    ok(sb.mcpcfg("work", &["fix-config"]));
    let get = ok(sb.claude("work", &["mcp", "get", "teleport-mcp-demo"]));
    assert!(get.stdout.contains("✔ Connected"), "{}", get.all());
    assert!(get.stdout.contains("API_TOKEN=s3cr3t-value"), "the env survived the repair:\n{}", get.all());
    let list = parse_claude(&ok(sb.claude("work", &["mcp", "list"])));
    assert!(matches!(list["web"], Status::Failed(_)) && matches!(list["events"], Status::Failed(_)), "{list:?}");
}
