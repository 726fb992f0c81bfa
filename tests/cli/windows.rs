//! What only Windows has: `%APPDATA%` and the MSIX folder of Claude Desktop, `tsh.exe` found
//! without its extension, state under `%LOCALAPPDATA%`, the read-only attribute, and a config
//! another process holds open. Run by `tests/windows/run.sh` on the Windows build under Wine.

use std::fs;

use crate::env::{TestEnv, esc, shown, tsh_entry};

const STALE: &str = ".tsh/bin/0c1d-update-pkg-v2/tsh.exe";

/// A Claude Desktop config as a Windows editor leaves it (CRLF line ends; strict JSON, as Claude
/// Desktop reads it), on a deleted managed-update copy of tsh.exe.
fn desktop_text(t: &TestEnv) -> String {
    format!(
        "{{\r\n  \"mcpServers\": {{\r\n    \"teleport-mcp-demo\": {}\r\n  }}\r\n}}\r\n",
        tsh_entry(&t.home_path(STALE), "demo")
    )
}

/// A home with tsh 18.3.0 on PATH and a Cursor config on the deleted [`STALE`] copy.
fn stale_cursor_home() -> (TestEnv, String) {
    let t = TestEnv::new().tsh("18.3.0", None);
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-demo": {}}}}}"#, tsh_entry(&t.home_path(STALE), "demo"));
    (t.home_file(".cursor/mcp.json", &text), text)
}

#[test]
fn claude_desktop_under_appdata_is_repaired_keeping_crlf_then_undone() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let text = desktop_text(&t);
    let t = t.home_file("AppData/Roaming/Claude/claude_desktop_config.json", &text);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["configs"][0]["client"], "claude-desktop");
    assert_eq!(r.codes(), [("teleport-mcp-demo".to_owned(), "tsh-managed-update-path".to_owned())]);

    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let fixed = t.read_home("AppData/Roaming/Claude/claude_desktop_config.json");
    // Only the command changed, written JSON-escaped: every backslash doubled.
    let stable = t.exe_of("bin/tsh");
    assert_eq!(fixed, text.replace(&esc(&t.home_path(STALE)), &esc(&stable)));
    assert!(fixed.contains(r"\\bin\\tsh.exe"), "{fixed}");
    // The backup is under %LOCALAPPDATA%\mcpcfg, and undo restores the bytes.
    assert!(t.home().join(r"AppData\Local\mcpcfg\backups").is_dir());
    assert_eq!(t.run(&["undo"]).code, 0);
    assert_eq!(t.read_home("AppData/Roaming/Claude/claude_desktop_config.json"), text);
}

/// The Microsoft Store (MSIX) build keeps its config in its package's virtualised folder.
#[test]
fn claude_desktop_msix_config_is_found() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let rel = "AppData/Local/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json";
    let text = desktop_text(&t);
    let t = t.home_file(rel, &text);
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(j["configs"][0]["client"], "claude-desktop");
    assert_eq!(j["configs"][0]["path"], t.home_path(rel));
}

/// `C:\T\bin\tsh` where `C:\T\bin\tsh.exe` exists was `tsh-missing`, and fix-config rewrote a
/// working entry: the clients start it (Node's spawn tries `.com` and `.exe`).
#[test]
fn command_without_exe_is_found_as_the_clients_find_it() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let bare = t.path_of("bin/tsh");
    let cursor = format!(r#"{{"mcpServers": {{"teleport-mcp-ok": {}}}}}"#, tsh_entry(&bare, "ok"));
    let t = t.home_file(".cursor/mcp.json", &cursor);
    let r = t.run(&["check", "--format", "json"]);
    assert_eq!(r.codes(), [], "{}", r.stdout);
    assert_eq!(r.code, 0);
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_eq!(t.read_home(".cursor/mcp.json"), cursor, "nothing to repair");
}

/// `tsh` on PATH is `tsh.exe`, and that is what a repair writes.
#[test]
fn stable_tsh_is_tsh_exe_on_path() {
    let t = TestEnv::new().tsh("18.3.0", None);
    let j = t.run(&["check", "--format", "json"]).json();
    assert_eq!(j["tsh"]["path"], t.exe_of("bin/tsh"));
    assert!(t.exe_of("bin/tsh").ends_with(r"\bin\tsh.exe"));
}

/// A config that another program holds open (an editor, the client itself) without letting it be
/// deleted cannot be replaced on Windows: a clear error, exit 2, and the file as it was.
#[test]
fn config_held_open_by_another_program_is_an_error_and_unchanged() {
    let (t, text) = stale_cursor_home();
    let path = t.home().join(".cursor").join("mcp.json");
    // std opens with FILE_SHARE_READ | FILE_SHARE_WRITE, not FILE_SHARE_DELETE: no rename over it.
    let held = fs::File::open(&path).unwrap();
    let r = t.run(&["fix-config"]);
    drop(held);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&crate::env::native(&path)), "names the file: {}", r.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    // Once it is closed, the repair goes through.
    assert_eq!(t.run(&["fix-config"]).code, 0);
    assert_ne!(fs::read_to_string(&path).unwrap(), text);
}

/// The read-only attribute (Windows' only permission a user sets in Explorer) is honoured.
#[test]
fn read_only_attribute_is_exit_2_and_unchanged() {
    let (t, text) = stale_cursor_home();
    let path = t.home().join(".cursor").join("mcp.json");
    crate::env::set_mode(&path, 0o444);
    let r = t.run(&["fix-config"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("read-only"), "{}", r.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert!(fs::metadata(&path).unwrap().permissions().readonly(), "the attribute is kept");
}

/// Paths are shown the Windows way: `~\.cursor\mcp.json`.
#[test]
fn paths_are_shown_with_backslashes() {
    let (t, _) = stale_cursor_home();
    let r = t.run(&["check", "--color", "never"]);
    assert!(r.stdout.contains(&shown("cursor (user) ~/.cursor/mcp.json")), "{}", r.stdout);
    assert!(r.stdout.contains(r"cursor (user) ~\.cursor\mcp.json"), "{}", r.stdout);
}

/// Waits until `pidfile` names `n` processes, then ends `child` the hard way (TerminateProcess,
/// as Task Manager does; a Ctrl-C ends mcpcfg no less surely) and checks every process named
/// there ended with it: each child was in a kill-on-close job of mcpcfg's.
fn end_and_expect_none_left(mut child: std::process::Child, pidfile: &std::path::Path, n: usize) {
    wait_for_pids(pidfile, n);
    child.kill().unwrap();
    child.wait().unwrap();
    crate::probe::assert_recorded_gone(pidfile);
}

/// Waits until `pidfile` names `n` processes.
fn wait_for_pids(pidfile: &std::path::Path, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while fs::read_to_string(pidfile).map(|s| s.lines().count()).unwrap_or(0) < n {
        assert!(std::time::Instant::now() < deadline, "the fake did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `doctor --probe` ended while a server hangs: the server and the child it started end too.
/// (Before job objects, `taskkill /T` did not exist under Wine and nothing ran when mcpcfg was
/// ended: both were left running.)
#[test]
fn a_probe_ended_abruptly_leaves_no_server_running() {
    let (t, pidfile) = hanging_server_home("hang-ended");
    let child = t.spawn_quiet(&["doctor", "--probe", "--timeout", "60"]);
    end_and_expect_none_left(child, &pidfile, 2);
}

/// `check` ended while `tsh version` hangs: that tsh and the child it started end too.
#[test]
fn a_check_ended_abruptly_leaves_no_tsh_running() {
    let (t, pidfile) = hung_version_home();
    let child = t.spawn_quiet(&["check"]);
    end_and_expect_none_left(child, &pidfile, 2);
}

/// The console's Ctrl-C, sent by `tests/windows/ctrlc.c` (which `tests/windows/run.sh` builds
/// and names in `MCPCFG_TEST_CTRL_C`), to `mcpcfg ARGS` started on a console of its own once
/// `ready` returns. Returns mcpcfg's exit code, once every process named in `pidfile` has ended
/// too.
fn ctrl_c(t: &TestEnv, args: &[&str], pidfile: &std::path::Path, ready: impl Fn()) -> Option<i32> {
    use std::os::windows::process::CommandExt;
    const CREATE_NEW_CONSOLE: u32 = 0x0000_0010;
    let sender = std::env::var_os("MCPCFG_TEST_CTRL_C").expect("MCPCFG_TEST_CTRL_C: run tests/windows/run.sh");
    // A console of its own, so that the Ctrl-C reaches mcpcfg and not this test.
    let mut child = t
        .std_cmd(args)
        .creation_flags(CREATE_NEW_CONSOLE)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    ready();
    let sent = std::process::Command::new(&sender).arg(child.id().to_string()).output().unwrap();
    assert!(sent.status.success(), "{sender:?}: {}", String::from_utf8_lossy(&sent.stderr));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            panic!("mcpcfg did not end on Ctrl-C");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    crate::probe::assert_recorded_gone(pidfile);
    status.code()
}

/// Ctrl-C ends `doctor --probe` as a shell expects (130), and the hanging server and its child
/// with it.
#[test]
fn ctrl_c_during_a_probe_ends_mcpcfg_and_the_server() {
    let (t, pidfile) = hanging_server_home("hang-ctrl-c");
    let ready = || wait_for_pids(&pidfile, 2);
    assert_eq!(ctrl_c(&t, &["doctor", "--probe", "--timeout", "60"], &pidfile, ready), Some(130));
}

/// Ctrl-C ends `check` while `tsh version` hangs, with 130 as on unix (Wine's default action
/// ended it with 0, as if the check had passed), and that tsh and the child it started with it.
#[test]
fn ctrl_c_during_tsh_version_ends_mcpcfg_and_the_run() {
    let (t, pidfile) = hung_version_home();
    assert_eq!(ctrl_c(&t, &["check"], &pidfile, || wait_for_pids(&pidfile, 2)), Some(130));
}

/// Ctrl-C ends `doctor --online` while `tsh status` hangs, and that tsh and its child with it.
#[test]
fn ctrl_c_during_doctor_online_ends_mcpcfg_and_tsh_status() {
    let pidfile_dir = tempfile::tempdir().unwrap();
    let pidfile = pidfile_dir.path().join("pids");
    let t = TestEnv::new()
        .stable(crate::fake::Fake::mode("online-hang"))
        .env("FAKE_TSH_PIDFILE", &pidfile.display().to_string());
    let ready = || crate::doctor::wait_for_status_run(&t);
    assert_eq!(ctrl_c(&t, &["doctor", "--online", "--timeout", "60"], &pidfile, ready), Some(130));
}

/// A home whose only tsh hangs in `tsh version` after starting a child, recording both in the
/// returned pid file (which lives in the home's temporary root).
fn hung_version_home() -> (TestEnv, std::path::PathBuf) {
    let t = TestEnv::new();
    let pidfile = t.root.path().join("pids");
    let t = t
        .stable(crate::fake::Fake::version("18.3.0").with("version_sleep", "60").with("version_child", "1"))
        .env("FAKE_TSH_PIDFILE", &pidfile.display().to_string());
    let text = format!(r#"{{"mcpServers": {{"teleport-mcp-demo": {}}}}}"#, tsh_entry(&t.exe_of("bin/tsh"), "demo"));
    (t.home_file(".cursor/mcp.json", &text), pidfile)
}

/// A home with one Cursor server, `tsh mcp connect APP` on a fake that hangs after starting a
/// child, recording both in the returned pid file.
fn hanging_server_home(app: &str) -> (TestEnv, std::path::PathBuf) {
    let t = TestEnv::new().tsh("18.3.0", None);
    let pidfile = t.root.path().join("pids");
    let text = format!(
        r#"{{"mcpServers": {{"teleport-mcp-hang": {{"command": {}, "args": ["mcp", "connect", "{app}"], "env": {{"FAKE_TSH_PIDFILE": {}}}}}}}}}"#,
        crate::env::json_str(&crate::fake::shared("mcp-hang")),
        crate::env::json_str(&pidfile)
    );
    (t.home_file(".cursor/mcp.json", &text), pidfile)
}
