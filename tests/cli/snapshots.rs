//! The whole text of check, doctor and fix-config for one home, as a new user meets it (issue
//! 14): a Claude Desktop entry on a deleted managed-update copy, a bare `tsh` in VS Code, a
//! Claude Code project entry on another deleted copy, a healthy Cursor entry, and tsh 18.2.0 on
//! PATH with managed updates off. Reviewed in the diff when they change: run with
//! `INSTA_UPDATE=always` to write new ones (or `cargo insta review`).

use crate::env::{TestEnv, tsh_entry};

fn home() -> TestEnv {
    let t = TestEnv::new().tsh("18.2.0", None);
    let gone = |uuid: &str| t.home_path(&format!(".tsh/bin/{uuid}-update-pkg-v2/tsh"));
    let desktop = format!(
        "{{\n  \"mcpServers\": {{\n    \"teleport-mcp-jira\": {}\n  }}\n}}\n",
        tsh_entry(&gone("1c2d"), "jira")
    );
    let vscode = "{\n  // written by hand\n  \"servers\": {\n    \"teleport-mcp-grafana\": {\"type\": \"stdio\", \"command\": \"tsh\", \"args\": [\"mcp\", \"connect\", \"grafana\"]}\n  }\n}\n";
    let cursor = format!(
        "{{\n  \"mcpServers\": {{\n    \"teleport-mcp-wiki\": {}\n  }}\n}}\n",
        tsh_entry(&t.exe_of("bin/tsh"), "wiki")
    );
    let project = t.project().to_string_lossy().into_owned();
    let claude = format!(
        "{{\n  \"projects\": {{\n    \"{project}\": {{\n      \"mcpServers\": {{\n        \"teleport-mcp-db\": {}\n      }}\n    }}\n  }}\n}}\n",
        tsh_entry(&gone("9f9f"), "db")
    );
    t.home_file(".config/Claude/claude_desktop_config.json", &desktop)
        .home_file(".config/Code/User/mcp.json", vscode)
        .home_file(".cursor/mcp.json", &cursor)
        .home_file(".claude.json", &claude)
}

/// A run's stdout with the test's temporary folder written `[ROOT]`, and its exit status.
fn shown(t: &TestEnv, args: &[&str]) -> String {
    let r = t.run(args);
    let root = t.root.path().to_string_lossy().into_owned();
    format!("$ mcpcfg {}\n{}\n[exit {}]\n", args.join(" "), r.stdout.replace(&root, "[ROOT]"), r.code)
        + &if r.stderr.is_empty() { String::new() } else { format!("[stderr]\n{}", r.stderr.replace(&root, "[ROOT]")) }
}

#[test]
#[cfg_attr(windows, ignore = "the snapshots are of the Linux layout (~/.config, /-paths)")]
fn snapshot_check() {
    let t = home();
    insta::assert_snapshot!(shown(&t, &["check", "--color", "never"]));
}

#[test]
#[cfg_attr(windows, ignore = "the snapshots are of the Linux layout (~/.config, /-paths)")]
fn snapshot_check_json() {
    let t = home();
    insta::assert_snapshot!(shown(&t, &["check", "--format", "json"]));
}

#[test]
#[cfg_attr(windows, ignore = "the snapshots are of the Linux layout (~/.config, /-paths)")]
fn snapshot_doctor() {
    let t = home();
    insta::assert_snapshot!(shown(&t, &["doctor", "--color", "never"]));
}

#[test]
#[cfg_attr(windows, ignore = "the snapshots are of the Linux layout (~/.config, /-paths)")]
fn snapshot_fix_config_dry_run() {
    let t = home();
    insta::assert_snapshot!(shown(&t, &["fix-config", "--dry-run", "--color", "never"]));
}

/// The repair first, then what is left; then a second run that has nothing to do, and the
/// check after it.
#[test]
#[cfg_attr(windows, ignore = "the snapshots are of the Linux layout (~/.config, /-paths)")]
fn snapshot_fix_config_then_again_then_check() {
    let t = home();
    let first = shown(&t, &["fix-config", "--color", "never"]);
    let again = shown(&t, &["fix-config", "--color", "never"]);
    let check = shown(&t, &["check", "--color", "never"]);
    insta::assert_snapshot!(format!("{first}\n{again}\n{check}"));
}
