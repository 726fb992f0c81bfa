//! `doctor`: guidance, `--online` and `--probe` through the real binary.

use std::fs;
use std::path::Path;

use crate::env::{Fake, TestEnv, tsh_entry};
use crate::fake::shared as fake;

#[test]
fn old_managed_tsh_names_the_administrators_command() {
    let t = TestEnv::new()
        .tsh("18.3.0", Some("18.2.0"))
        .tsh_at(Path::new("home/.tsh/bin/1111-update-pkg-v2/tsh"), "18.2.0", None)
        .managed("teleport.example.com", "18.2.0", "1111-update-pkg-v2/tsh");
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "ok"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["doctor", "--color", "never"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("tctl autoupdate client-tools target 18.2.3"), "{}", r.stdout);
    assert!(r.stdout.contains("managed updates: tsh re-executes 18.2.0"), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("which tsh: {}", t.exe_of("bin/tsh"))));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "symbolic links need Developer Mode or an administrator on Windows, and Wine's do not act as Windows' do"
)]
fn old_original_tsh_names_the_file_to_remove_and_how() {
    // A macOS .pkg install: /usr/local/bin/tsh -> /Applications/tsh.app/..., here under the test root.
    let t = TestEnv::new().tsh_at(Path::new("Applications/tsh.app/Contents/MacOS/tsh"), "18.2.0", Some("18.2.3"));
    crate::env::symlink(t.path_of("Applications/tsh.app/Contents/MacOS/tsh"), &t.bin().join("tsh"));
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "ok"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["doctor", "--platform", "macos", "--color", "never"]);
    assert_eq!(r.code, 1);
    let out = &r.stdout;
    assert!(out.contains("tsh-version-skew"), "{out}");
    assert!(
        out.contains(&format!("sudo rm -rf {} {}", t.path_of("Applications/tsh.app"), t.exe_of("bin/tsh"))),
        "{out}"
    );
    assert!(out.contains("pkgutil --forget"), "{out}");
    assert!(out.contains("install tsh 18.2.3 or later"), "{out}");
    assert!(out.contains("mcpcfg fix-config"), "{out}");
    assert!(out.contains("restart Cursor"), "{out}");
    assert!(!out.contains("tctl autoupdate"), "the managed version is fine: {out}");
}

#[test]
fn servers_broken_by_one_cause_have_it_explained_once() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let text = format!(
        r#"{{"mcpServers": {{"teleport-mcp-a": {}, "teleport-mcp-b": {}, "teleport-mcp-c": {}}}}}"#,
        tsh_entry(&stale, "a"),
        tsh_entry(&stale, "b"),
        tsh_entry(&stale, "c")
    );
    let r = t.home_file(".cursor/mcp.json", &text).run(&["doctor", "--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let out = &r.stdout;
    // Each server is still its own problem, in order; the explanation is said with the first.
    for (n, name) in [(1, "a"), (2, "b"), (3, "c")] {
        let problem = format!("{n}. error tsh-managed-update-path: ~/.cursor/mcp.json: teleport-mcp-{name}:");
        assert!(out.contains(&crate::env::shown(&problem)), "{out}");
    }
    assert_eq!(out.matches("managed copy at once").count(), 1, "{out}");
    assert_eq!(out.matches("mcpcfg fix-config points the config at the stable tsh").count(), 1, "{out}");
    assert_eq!(out.matches("   - same as 1 above\n").count(), 2, "{out}");
}

#[test]
fn path_findings_say_fix_config_and_which_client_to_restart() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry("tsh", "x"));
    let r = t.home_file(".config/Claude/claude_desktop_config.json", &text).run(&["doctor", "--color", "never"]);
    assert!(r.stdout.contains("1. error tsh-relative"), "{}", r.stdout);
    assert!(r.stdout.contains("run: mcpcfg fix-config\n"));
    assert!(!r.stdout.contains("--include-project"), "a user config needs no flag: {}", r.stdout);
    assert!(r.stdout.contains("quit Claude Desktop first"));
}

/// doctor's plan said `mcpcfg fix-config` for a project's `.mcp.json`, and that run leaves
/// project-level configs alone ("pass --include-project to repair it"): following the plan
/// repaired nothing.
#[test]
fn a_project_configs_repair_is_planned_with_include_project_and_the_plan_repairs_it() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let stale = t.home_path(".tsh/bin/0c1d-update-pkg-v2/tsh");
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-demo": {}}}}}"#, tsh_entry(&stale, "demo"));
    let t = t.project_file(".mcp.json", &text);
    let r = t.run(&["doctor", "--color", "never"]);
    assert!(r.stdout.contains("tsh-managed-update-path"), "{}", r.stdout);
    assert!(r.stdout.contains("preview the change: mcpcfg fix-config --include-project --dry-run"), "{}", r.stdout);
    assert!(r.stdout.contains("run: mcpcfg fix-config --include-project\n"), "{}", r.stdout);
    let json = t.run(&["doctor", "--format", "json"]).json();
    assert!(
        json["plan"].as_array().unwrap().contains(&serde_json::json!("run: mcpcfg fix-config --include-project")),
        "{json}"
    );
    let steps = json["findings"][0]["steps"].to_string();
    assert!(steps.contains("run: mcpcfg fix-config --include-project"), "{steps}");
    // The plan, followed, repairs the file.
    assert_eq!(t.run(&["fix-config", "--include-project"]).code, 0);
    assert!(!fs::read_to_string(t.project().join(".mcp.json")).unwrap().contains("update-pkg-v2"));
    let after = t.run(&["doctor", "--color", "never"]);
    assert!(!after.stdout.contains("tsh-managed-update-path"), "{}", after.stdout);
}

#[test]
fn identical_guidance_is_given_once_with_the_servers_it_affects() {
    let t = TestEnv::new().tsh("18.2.0", None);
    let e = format!(
        r#"{{"mcpServers": {{"teleport-mcp-a": {}, "teleport-mcp-b": {}}}}}"#,
        tsh_entry(&t.exe_of("bin/tsh"), "a"),
        tsh_entry(&t.exe_of("bin/tsh"), "b")
    );
    let r = t.home_file(".cursor/mcp.json", &e).run(&["doctor", "--color", "never"]);
    assert_eq!(r.stdout.matches("error tsh-version-skew").count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("affects:"));
}

/// A config naming a deleted managed copy, in a tools folder that `tsh update --clear` emptied:
/// doctor names that command as the cause; with a managed copy still there, it does not.
#[test]
fn a_cleared_tools_folder_is_named_as_the_cause_of_enoent() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let gone = t.home_path(".tsh/bin/4a5b-update-pkg-v2/tsh");
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry(&gone, "x"));
    let t = t.home_file(".cursor/mcp.json", &text);
    fs::create_dir_all(t.home().join(".tsh/bin")).unwrap();
    let r = t.run(&["doctor", "--color", "never"]);
    assert!(r.stdout.contains("holds no managed copy and no .config.json: `tsh update --clear`"), "{}", r.stdout);
    fs::create_dir_all(t.home().join(".tsh/bin/9f9f-update-pkg-v2")).unwrap();
    let r = t.run(&["doctor", "--color", "never"]);
    assert!(r.stdout.contains("error tsh-managed-update-path"), "{}", r.stdout);
    assert!(!r.stdout.contains("holds no managed copy"), "{}", r.stdout);
}

#[test]
fn doctor_json_has_steps_for_each_finding() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-x": {}}}}}"#, tsh_entry("tsh", "x"));
    let j = t.home_file(".cursor/mcp.json", &text).run(&["doctor", "--format", "json"]).json();
    assert_eq!(j["schema"], 1);
    let steps = j["findings"][0]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s == "run: mcpcfg fix-config"), "{steps:?}");
    // The merged plan is there for a script as for a person.
    let plan: Vec<&str> = j["plan"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(
        plan,
        ["preview the change: mcpcfg fix-config --dry-run", "run: mcpcfg fix-config", "restart Cursor"],
        "{j:#}"
    );
}

fn probe_home() -> TestEnv {
    let t = TestEnv::new().tsh("18.3.0", None);
    let entry = |name: &str| tsh_entry(&fake(name).to_string_lossy(), "demo");
    let text = format!(
        r#"{{"mcpServers": {{"teleport-mcp-ok": {}, "teleport-mcp-fail": {}, "teleport-mcp-none": {}}}}}"#,
        entry("mcp-ok"),
        entry("mcp-fail"),
        entry("mcp-notools")
    );
    t.home_file(".cursor/mcp.json", &text)
}

#[test]
fn probe_tells_working_failing_and_toolless_servers_apart() {
    let t = probe_home();
    let r = t.run(&["doctor", "--probe", "--color", "never", "--timeout", "10"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let out = &r.stdout;
    assert!(out.contains("teleport-mcp-ok: teleport-mcp-demo 1.0.0, 2 tools"), "{out}");
    assert!(out.contains("exited with status 1"), "{out}");
    assert!(out.contains("stderr: ERROR: access denied"), "{out}");
    assert!(out.contains("server-no-tools"), "{out}");
    assert!(out.contains("tctl users update"), "RBAC guidance: {out}");
    assert!(out.contains("mcp-user"), "{out}");
}

#[test]
fn probe_json_reports_each_server() {
    let t = probe_home();
    let j = t.run(&["doctor", "--probe", "--format", "json", "--server", "teleport-mcp-ok"]).json();
    let probes = j["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 1);
    assert_eq!(probes[0]["tools"], 2);
    assert_eq!(probes[0]["server_name"], "teleport-mcp-demo");
}

#[test]
fn probe_never_starts_project_servers_without_trust_project() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let marker = t.project().join("started");
    let server = Fake::default().with("touch", &marker.to_string_lossy()).install(&t.project().join("server"));
    let text = format!(r#"{{"mcpServers": {{"local": {{"command": {}}}}}}}"#, crate::env::json_str(&server));
    let t = t.project_file(".mcp.json", &text);
    let r = t.run(&["doctor", "--probe", "--color", "never", "--timeout", "3"]);
    assert!(!marker.exists(), "a project-level server was started");
    assert!(r.stdout.contains("--trust-project"), "{}", r.stdout);
    let _ = t.run(&["doctor", "--probe", "--trust-project", "--timeout", "3"]);
    assert!(marker.exists(), "--trust-project allows it");
}

#[test]
fn online_expired_session_says_how_to_log_in() {
    let t = TestEnv::new().stable(Fake::mode("online-expired"));
    let r = t.run(&["doctor", "--online", "--color", "never", "--timeout", "10"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("tsh-session-expired"), "{}", r.stdout);
    assert!(r.stdout.contains("tsh login --proxy=teleport.example.com:443"), "{}", r.stdout);
}

#[test]
fn online_not_logged_in() {
    let t = TestEnv::new().stable(Fake::mode("online-logged-out"));
    let r = t.run(&["doctor", "--online", "--format", "json", "--timeout", "10"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["findings"][0]["code"], "tsh-not-logged-in");
}

/// "No active profile." (profiles exist, none is current) was reported as cluster-unreachable,
/// "check your network".
#[test]
fn online_no_active_profile_is_not_logged_in_and_says_to_log_in() {
    let t = TestEnv::new().stable(Fake::mode("online-no-active-profile"));
    let r = t.run(&["doctor", "--online", "--format", "json", "--timeout", "10"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let f = &r.json()["findings"][0];
    assert_eq!(f["code"], "tsh-not-logged-in", "{f:#}");
    let text = t.run(&["doctor", "--online", "--color", "never", "--timeout", "10"]).stdout;
    assert!(text.contains("tsh login"), "{text}");
}

#[test]
fn online_app_without_allowed_tools_gets_rbac_guidance() {
    let t = TestEnv::new().stable(Fake::mode("online-ok"));
    let tsh = t.exe_of("bin/tsh");
    // Options before `mcp connect` (`tsh --proxy=… mcp connect app`) are allowed.
    let everything =
        tsh_entry(&tsh, "mcp-everything").replace(r#"["mcp""#, r#"["--proxy=teleport.example.com:443", "mcp""#);
    let cursor = format!(
        r#"{{"mcpServers": {{"teleport-mcp-everything": {everything}, "teleport-mcp-demo": {}}}}}"#,
        tsh_entry(&tsh, "teleport-mcp-demo")
    );
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["doctor", "--online", "--color", "never", "--timeout", "10"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("mcp-no-allowed-tools"), "{}", r.stdout);
    assert!(
        r.stdout.contains("teleport-mcp-everything: MCP server mcp-everything: your roles allow none"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("MCP server teleport-mcp-demo:"), "{}", r.stdout);
    assert!(r.stdout.contains("tctl users update alice@example.com --set-mcp-tools \"*\""), "{}", r.stdout);
    assert!(r.stdout.contains("logged in to teleport.example.com as alice@example.com"));
    let j = t.run(&["doctor", "--online", "--format", "json", "--timeout", "10"]).json();
    let f = j["findings"].as_array().unwrap().iter().find(|f| f["code"] == "mcp-no-allowed-tools").unwrap().clone();
    assert_eq!(f["server"], "teleport-mcp-everything", "tied to the configured server: {f}");
    assert_eq!(f["client"], "cursor");
    // --server narrows it like everything else.
    let r = t.run(&["doctor", "--online", "--server", "teleport-mcp-demo", "--format", "json", "--timeout", "10"]);
    assert!(!r.stdout.contains("mcp-no-allowed-tools"), "{}", r.stdout);
}

/// Apps nobody here connects to used to be errors (exit 1) with no server, path or client.
#[test]
fn online_apps_no_config_uses_are_a_note_not_an_error() {
    let t = TestEnv::new().stable(Fake::mode("online-ok"));
    let r = t.run(&["doctor", "--online", "--color", "never", "--timeout", "10"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("mcp-no-allowed-tools"), "{}", r.stdout);
    assert!(r.stdout.contains("which no config here connects to: mcp-everything"), "{}", r.stdout);
}

/// `--home` asked tsh about the caller's own session while the guidance read the home's profile.
#[test]
fn online_asks_tsh_about_the_given_home() {
    let t = TestEnv::new();
    let t = t.stable(Fake::mode("online-ok"));
    t.run(&["doctor", "--online", "--timeout", "10"]);
    let seen = fs::read_to_string(t.bin().join("runs.log")).unwrap();
    let home = t.home();
    let tsh_home = home.join(".tsh");
    assert!(
        seen.contains(&format!("status --format=json HOME={} TELEPORT_HOME={} ", home.display(), tsh_home.display())),
        "{seen}"
    );
}

#[test]
fn online_unresponsive_cluster_is_a_finding_not_a_hang() {
    let t = TestEnv::new().stable(Fake::mode("online-hang"));
    let start = std::time::Instant::now();
    let r = t.run(&["doctor", "--online", "--format", "json", "--timeout", "1"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(8), "took {:?}", start.elapsed());
    assert_eq!(r.json()["findings"][0]["code"], "cluster-unreachable");
}

#[test]
#[cfg_attr(windows, ignore = "it sends Unix signals with kill(1)")]
fn interrupted_probe_leaves_no_server_running() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let pidfile = t.root.path().join("pids");
    let text = format!(
        r#"{{"mcpServers": {{"teleport-mcp-hang": {{"command": {}, "args": ["mcp", "connect", "hang-interrupt"], "env": {{"FAKE_TSH_PIDFILE": {}}}}}}}}}"#,
        crate::env::json_str(&fake("mcp-hang")),
        crate::env::json_str(&pidfile)
    );
    let t = t.home_file(".cursor/mcp.json", &text);
    let mut child = t.spawn_quiet(&["doctor", "--probe", "--timeout", "60"]);
    // Wait until the server and its own child are up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while fs::read_to_string(&pidfile).map(|s| s.lines().count()).unwrap_or(0) < 2 {
        assert!(std::time::Instant::now() < deadline, "the fake server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    std::thread::sleep(std::time::Duration::from_millis(300));
    for pid in fs::read_to_string(&pidfile).unwrap().lines().filter_map(|l| l.trim().parse::<u32>().ok()) {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie_or_gone = stat.is_empty() || stat.split_whitespace().nth(2) == Some("Z");
        assert!(zombie_or_gone, "process {pid} outlived mcpcfg: {stat}");
    }
}

/// `tsh status` ran in a process group of its own that the terminal's Ctrl-C does not reach:
/// a hung one (and its child) outlived an interrupted `doctor --online`.
#[test]
#[cfg_attr(windows, ignore = "it sends Unix signals with kill(1); tests/cli/windows.rs raises a console Ctrl-C")]
fn ctrl_c_during_doctor_online_ends_mcpcfg_and_tsh_status() {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let pidfile_dir = tempfile::tempdir().unwrap();
        let pidfile = pidfile_dir.path().join("pids");
        let t =
            TestEnv::new().stable(Fake::mode("online-hang")).env("FAKE_TSH_PIDFILE", &pidfile.display().to_string());
        let mut child = t.spawn_quiet(&["doctor", "--online", "--timeout", "60"]);
        wait_for_status_run(&t);
        std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(2), "ended by SIGINT, as a shell expects: {status:?}");
        crate::probe::assert_recorded_gone(&pidfile);
    }
}

/// Waits until the fake `tsh status` of `t` runs and has started its child.
pub fn wait_for_status_run(t: &TestEnv) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !fs::read_to_string(t.bin().join("runs.log")).unwrap_or_default().contains(" status ") {
        assert!(std::time::Instant::now() < deadline, "tsh status never ran");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Its child starts just after the run is logged.
    std::thread::sleep(std::time::Duration::from_millis(300));
}

#[test]
fn online_with_a_tsh_before_18_1_does_not_ask_for_mcp_apps() {
    let t = TestEnv::new().stable(Fake::mode("online-ok").with("version", "17.4.0"));
    let r = t.run(&["doctor", "--online", "--color", "never", "--timeout", "10"]);
    assert!(r.stdout.contains("has no `tsh mcp ls`"), "{}", r.stdout);
    assert!(!r.stdout.contains("mcp-no-allowed-tools"), "{}", r.stdout);
    assert!(!r.stdout.contains("cluster-unreachable"), "{}", r.stdout);
}

/// An old tsh is both `tsh-version-skew` and `tsh-mcp-unsupported`: doctor gave the same six
/// steps twice.
#[test]
fn the_same_steps_are_given_once() {
    let t = TestEnv::new().tsh("18.0.0", None);
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-a": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "a"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["doctor", "--color", "never"]);
    assert!(r.stdout.contains("tsh-version-skew") && r.stdout.contains("tsh-mcp-unsupported"), "{}", r.stdout);
    for once in ["install tsh 18.2.3 or later", "run: mcpcfg fix-config", "restart Cursor", "what to do, in order"] {
        assert_eq!(r.stdout.matches(once).count(), 1, "{once:?} once:\n{}", r.stdout);
    }
}
