//! `mcpcfg autofix`: the units it writes pass `systemd-analyze verify`, the command they run
//! repairs a config after a managed update and logs it, enable is idempotent, disable leaves
//! nothing behind; the macOS and Windows artefacts are printed by `--dry-run` on any OS.

use std::path::{Path, PathBuf};

use crate::env::{TestEnv, tsh_entry};

/// The words of a systemd command line as systemd reads them (quoted words, `\` escapes, `%%`
/// and `$$` doubled): the test's own reading, not mcpcfg's.
fn systemd_words(line: &str) -> Vec<String> {
    let (mut words, mut cur, mut quoted, mut chars) = (Vec::new(), None::<String>, false, line.chars());
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.get_or_insert_default();
            }
            '\\' if quoted => cur.get_or_insert_default().extend(chars.next()),
            '%' | '$' => {
                cur.get_or_insert_default().push(c);
                chars.next();
            }
            ' ' if !quoted => words.extend(cur.take()),
            c => cur.get_or_insert_default().push(c),
        }
    }
    words.extend(cur);
    words
}

fn units(t: &TestEnv) -> PathBuf {
    t.home().join(".config/systemd/user")
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                todo.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// The issue's end-to-end: enable, verify the units with systemd's own checker, update tsh the
/// way managed updates do (a new `.config.json`, the old version's folder removed), run what
/// the service runs, and find the config repaired and a log line; status says so; disable.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "systemd units are Linux's; the other OSes are tested as data")]
fn autofix_units_verify_and_repair_a_config_after_a_managed_update() {
    let old = "home/.tsh/bin/1111-update-pkg-v2/tsh";
    let t = TestEnv::new().tsh("18.3.0", None).tsh_at(Path::new(old), "18.2.5", None).managed(
        "teleport.example.com",
        "18.2.5",
        "1111-update-pkg-v2/tsh",
    );
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-demo": {}}}}}"#, tsh_entry(&t.path_of(old), "demo"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let before_home: Vec<String> = files_under(&t.home()).into_iter().filter(|f| !f.ends_with("runs.log")).collect();

    let r = t.run(&["autofix", "enable"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("wrote ~/.config/systemd/user/mcpcfg-autofix.service"), "{}", r.stdout);
    let service = std::fs::read_to_string(units(&t).join("mcpcfg-autofix.service")).unwrap();
    let path_unit = std::fs::read_to_string(units(&t).join("mcpcfg-autofix.path")).unwrap();
    for watched in [t.home_path(".tsh/bin/.config.json"), t.home_path(".tsh/bin"), t.home_path(".cursor/mcp.json")] {
        assert!(path_unit.contains(&format!("PathChanged={watched}\n")), "{watched} not watched:\n{path_unit}");
    }
    assert_eq!(
        std::fs::read_link(units(&t).join("default.target.wants/mcpcfg-autofix.path")).unwrap(),
        units(&t).join("mcpcfg-autofix.path")
    );

    // systemd's own reading of the two units: no error, no warning.
    let runtime = tempfile::tempdir().unwrap();
    let verify = std::process::Command::new("systemd-analyze")
        .args(["--user", "verify"])
        .arg(units(&t).join("mcpcfg-autofix.path"))
        .arg(units(&t).join("mcpcfg-autofix.service"))
        .env("XDG_RUNTIME_DIR", runtime.path())
        .output()
        .expect("systemd-analyze is needed (Debian: apt-get install systemd; .ci/run installs it)");
    assert!(
        verify.status.success() && verify.stdout.is_empty() && verify.stderr.is_empty(),
        "systemd-analyze verify: {}\n{}{}",
        verify.status,
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // Enabling again changes nothing.
    let again = t.run(&["autofix", "enable"]);
    assert!(!again.stdout.contains("wrote") && again.stdout.contains("up to date:"), "{}", again.stdout);

    // A managed update: the new version's copy in place, .config.json naming it, the old
    // version's folder removed.
    let t = t.tsh_at(Path::new("home/.tsh/bin/2222-update-pkg-v2/tsh"), "18.3.0", None).managed(
        "teleport.example.com",
        "18.3.0",
        "2222-update-pkg-v2/tsh",
    );
    std::fs::remove_dir_all(t.home().join(".tsh/bin/1111-update-pkg-v2")).unwrap();

    // What the service runs, with what it sets, and nothing else of this environment.
    let exec = service.lines().find_map(|l| l.strip_prefix("ExecStart=")).unwrap();
    let words = systemd_words(exec);
    let mut cmd = std::process::Command::new(&words[0]);
    cmd.args(&words[1..]).env_clear().current_dir("/");
    for l in service.lines().filter_map(|l| l.strip_prefix("Environment=")) {
        let kv = &systemd_words(l)[0];
        let (k, v) = kv.split_once('=').unwrap();
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "a service prints nothing: {}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        t.read_home(".cursor/mcp.json"),
        cursor.replace(&t.path_of(old), &t.exe_of("bin/tsh")),
        "the config points at the stable tsh"
    );
    let log = std::fs::read_to_string(t.home().join(".local/state/mcpcfg/autofix.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains(" exit 0: repaired 1: ~/.cursor/mcp.json: teleport-mcp-demo; nothing left"), "{log}");

    let status = t.run(&["autofix", "status"]);
    assert_eq!(status.code, 0, "{}", status.stdout);
    assert!(status.stdout.starts_with("autofix: enabled\n"), "{}", status.stdout);
    assert!(status.stdout.contains("when any of 3 paths changes"), "{}", status.stdout);
    assert!(status.stdout.contains(&format!("last run: {}", log.trim_end())), "{}", status.stdout);

    // A client configured after enable: status says its config is not watched, and enable
    // again adds it.
    let t = t.home_file(".codeium/windsurf/mcp_config.json", r#"{"mcpServers": {}}"#);
    let status = t.run(&["autofix", "status"]);
    assert!(status.stdout.contains("warning: ~/.codeium/windsurf/mcp_config.json is not watched"), "{}", status.stdout);
    t.run(&["autofix", "enable"]);
    assert!(!t.run(&["autofix", "status"]).stdout.contains("not watched"));
    let _ = std::fs::remove_file(t.home().join(".codeium/windsurf/mcp_config.json"));
    let _ = std::fs::remove_dir_all(t.home().join(".codeium"));
    t.run(&["autofix", "enable"]);

    // Undo still works on what autofix repaired.
    let j = t.run(&["undo", "--dry-run", "--format", "json"]).json();
    assert_eq!(j["files"][0]["outcome"], "restored", "{j:#}");

    let off = t.run(&["autofix", "disable"]);
    assert_eq!(off.code, 0, "{}{}", off.stdout, off.stderr);
    assert!(!t.home().join(".config/systemd").exists(), "{:?}", files_under(&t.home().join(".config")));
    assert!(!t.home().join(".local/state/mcpcfg/autofix.log").exists());
    // Besides mcpcfg's backups (for undo) and the fake tsh's record of its runs.
    let after: Vec<String> = files_under(&t.home())
        .into_iter()
        .filter(|f| !f.starts_with(".local/state/mcpcfg/backups") && !f.ends_with("runs.log"))
        .collect();
    let mut expected = before_home;
    expected.retain(|f| !f.contains("1111-update-pkg-v2"));
    expected.extend([".tsh/bin/2222-update-pkg-v2/tsh".to_owned(), ".tsh/bin/2222-update-pkg-v2/tsh.fake".to_owned()]);
    expected.sort();
    assert_eq!(after, expected, "disable leaves nothing of autofix behind");
    assert!(t.run(&["autofix", "status"]).stdout.starts_with("autofix: not enabled"));
    assert!(t.run(&["autofix", "disable"]).stdout.contains("nothing to remove"));
}

/// The macOS LaunchAgent and the Windows task are data on any OS: `--dry-run` prints them and
/// writes nothing; enabling another OS's trigger for real is refused.
#[test]
fn autofix_dry_run_prints_every_platforms_trigger_and_writes_nothing() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let before = files_under(&t.home());
    let mac = t.run(&["autofix", "enable", "--dry-run", "--platform", "macos"]);
    assert_eq!(mac.code, 0, "{}{}", mac.stdout, mac.stderr);
    assert!(
        mac.stdout.contains("Library/LaunchAgents/dev.mcpcfg.autofix.plist:")
            || mac.stdout.contains(r"Library\LaunchAgents\dev.mcpcfg.autofix.plist:"),
        "{}",
        mac.stdout
    );
    assert!(
        mac.stdout.contains("<key>WatchPaths</key>") && mac.stdout.contains("<string>autofix</string>"),
        "{}",
        mac.stdout
    );
    assert!(mac.stdout.contains("would run: launchctl bootstrap gui/"), "{}", mac.stdout);
    let t = t.env("USERNAME", "alice");
    let win = t.run(&["autofix", "enable", "--dry-run", "--platform", "windows"]).stdout;
    assert!(win.contains("<LogonTrigger>") && win.contains("<Interval>PT30M</Interval>"), "{win}");
    assert!(win.contains("<Arguments>autofix run --home "), "{win}");
    let linux = t.run(&["autofix", "enable", "--dry-run", "--platform", "linux"]);
    assert!(linux.stdout.contains("Type=oneshot") && linux.stdout.contains("PathChanged="), "{}", linux.stdout);
    assert_eq!(files_under(&t.home()), before, "a dry run writes nothing");

    let other = if cfg!(target_os = "macos") { "linux" } else { "macos" };
    let r = t.run(&["autofix", "enable", "--platform", other]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("can only be enabled on"), "{}", r.stderr);
}
