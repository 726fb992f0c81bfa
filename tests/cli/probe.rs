//! Integration tests for `mcpcfg::probe` and `mcpcfg::online`, run against the fake `tsh`
//! (`tests/support/fake_tsh.rs`) acting as each kind of tsh.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mcpcfg::online::{self, McpApp, SessionState, mcp_apps, parse_mcp_ls, parse_status, run_tsh, session_state};
use mcpcfg::probe::{LaunchSpec, ProbeOutcome, probe_all};

const VERSION_LINE: &str = "Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7";
/// 2026-11-27T13:20:00Z: before the logged-in fixture's valid_until (2099), after the expired one's.
const NOW: i64 = 1_795_785_600;

use crate::fake::shared as fake;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fake/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A name no other test (or run) uses, to find this test's processes by command line.
fn unique(label: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{label}-{}-{nanos}", std::process::id())
}

fn connect(fake_name: &str, app: &str) -> LaunchSpec {
    LaunchSpec {
        command: fake(fake_name).to_string_lossy().into_owned(),
        args: vec!["mcp".into(), "connect".into(), app.into()],
        env: vec![],
        cwd: None,
    }
}

/// A temporary folder, removed when the returned value is dropped.
fn temp_dir(label: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("mcpcfg-test-{label}-")).tempdir().unwrap()
}

/// Is `pid` a live process (zombies count as dead: they run nothing)?
#[cfg(windows)]
pub fn alive(pid: u32) -> bool {
    // `wmic` lists every process id (in UTF-16); Wine has it too, and no `tasklist` filter. Its
    // output goes to a file, not a pipe: the first wmic of a Wine session starts services
    // (rpcss.exe) that inherit its output and never close it, so reading a pipe to its end
    // waited for ever (that hung the first test of a run that used this).
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = std::process::Command::new("wmic")
        .args(["process", "get", "ProcessId"])
        .stdin(std::process::Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "wmic: {status:?}");
    let bytes = std::fs::read(out.path()).unwrap();
    let units: Vec<u16> = bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
    String::from_utf16_lossy(&units).split_whitespace().any(|w| w == pid.to_string())
}

/// Is `pid` a live process (zombies count as dead: they run nothing)?
#[cfg(not(windows))]
pub fn alive(pid: u32) -> bool {
    let proc_stat = format!("/proc/{pid}/stat");
    if Path::new("/proc/self/stat").exists() {
        return match std::fs::read_to_string(proc_stat) {
            Err(_) => false,
            Ok(stat) => {
                let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next());
                !matches!(state, None | Some('Z') | Some('X'))
            }
        };
    }
    let out = std::process::Command::new("ps").args(["-o", "stat=", "-p", &pid.to_string()]).output().unwrap();
    let stat = String::from_utf8_lossy(&out.stdout);
    let stat = stat.trim();
    !stat.is_empty() && !stat.starts_with('Z')
}

/// Live processes whose command line contains `marker`. (Not on Windows, where Wine shows no
/// command lines: there the pid files alone say what ran.)
#[cfg(windows)]
fn live_with_marker(_: &str) -> Vec<u32> {
    Vec::new()
}

#[cfg(not(windows))]
fn live_with_marker(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            if String::from_utf8_lossy(&cmdline).contains(marker) && alive(pid) {
                found.push(pid);
            }
        }
    } else {
        let out = std::process::Command::new("pgrep").args(["-f", marker]).output().unwrap();
        found.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.trim().parse::<u32>().ok())
                .filter(|&pid| alive(pid)),
        );
    }
    found
}

fn pids_in(file: &Path) -> Vec<u32> {
    std::fs::read_to_string(file).unwrap_or_default().lines().filter_map(|l| l.trim().parse().ok()).collect()
}

/// Every process recorded in `pidfile` and every process with `marker` in its command line
/// is gone (allowing a moment for the kernel to finish the kills).
fn assert_all_gone(pidfile: &Path, marker: &str) {
    assert_gone(pidfile, Some(marker));
}

/// Every process recorded in `pidfile` is gone (allowing a moment for the kills).
pub fn assert_recorded_gone(pidfile: &Path) {
    assert_gone(pidfile, None);
}

fn assert_gone(pidfile: &Path, marker: Option<&str>) {
    let pids = pids_in(pidfile);
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|&p| alive(p)).collect();
        let marked = marker.map(live_with_marker).unwrap_or_default();
        if left.is_empty() && marked.is_empty() {
            return;
        }
        if Instant::now() > until {
            panic!("still running: recorded {left:?}, by command line {marked:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn expect_start_failed(outcome: &ProbeOutcome) -> (&str, Option<i32>, &[String]) {
    match outcome {
        ProbeOutcome::StartFailed { reason, exit_status, stderr_tail } => (reason, *exit_status, stderr_tail),
        other => panic!("expected StartFailed, got {other:?}"),
    }
}

#[test]
fn ok_server_reports_name_version_and_all_tool_pages() {
    let dir = temp_dir("ok");
    let pidfile = dir.path().join("pids");
    let app = unique("ok");
    let mut spec = connect("mcp-ok", &app);
    spec.env.push(("FAKE_TSH_PIDFILE".into(), pidfile.display().to_string()));
    let outcomes = probe_all(&[spec], Duration::from_secs(15));
    assert_eq!(
        outcomes,
        vec![ProbeOutcome::Ok { server_name: "teleport-mcp-demo".into(), server_version: "1.0.0".into(), tools: 2 }]
    );
    assert!(!pids_in(&pidfile).is_empty(), "the fake did not record its pid");
    assert_all_gone(&pidfile, &app);
}

#[test]
fn failing_server_reports_exit_status_and_stderr() {
    let outcomes = probe_all(&[connect("mcp-fail", "demo")], Duration::from_secs(15));
    let (reason, status, tail) = expect_start_failed(&outcomes[0]);
    assert_eq!(reason, "exited with status 1 before the handshake");
    assert_eq!(status, Some(1));
    assert_eq!(tail, [r#"ERROR: access denied to app "demo""#.to_string()]);
}

#[test]
fn server_without_tools_is_no_tools() {
    let outcomes = probe_all(&[connect("mcp-notools", "demo")], Duration::from_secs(15));
    assert_eq!(
        outcomes,
        vec![ProbeOutcome::NoTools { server_name: "teleport-mcp-demo".into(), server_version: "1.0.0".into() }]
    );
}

#[test]
fn hanging_server_times_out_and_its_whole_group_dies() {
    let dir = temp_dir("hang");
    let pidfile = dir.path().join("pids");
    let app = unique("hang");
    let mut spec = connect("mcp-hang", &app);
    spec.env.push(("FAKE_TSH_PIDFILE".into(), pidfile.display().to_string()));

    let started = Instant::now();
    let outcomes = probe_all(&[spec], Duration::from_secs(2));
    let elapsed = started.elapsed();

    let (reason, status, tail) = expect_start_failed(&outcomes[0]);
    assert_eq!(reason, "no answer within 2 s");
    assert_eq!(status, None);
    assert!(tail.iter().any(|l| l.contains("connecting to the MCP server")), "stderr tail: {tail:?}");
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert!(elapsed >= Duration::from_secs(2), "took {elapsed:?}");

    // The fake itself and its `sleep 1000` child were recorded.
    assert!(pids_in(&pidfile).len() >= 2, "pids recorded: {:?}", pids_in(&pidfile));
    assert_all_gone(&pidfile, &app);
}

#[test]
fn server_ignoring_stdin_eof_after_success_is_killed() {
    let dir = temp_dir("linger");
    let pidfile = dir.path().join("pids");
    let app = unique("linger");
    let mut spec = connect("mcp-ok", &app);
    spec.env
        .extend([("FAKE_TSH_PIDFILE".into(), pidfile.display().to_string()), ("FAKE_TSH_LINGER".into(), "1".into())]);
    let started = Instant::now();
    let outcomes = probe_all(&[spec], Duration::from_secs(10));
    let elapsed = started.elapsed();
    assert!(matches!(outcomes[0], ProbeOutcome::Ok { tools: 2, .. }), "{outcomes:?}");
    // Answered quickly, then about one second of grace before the kill.
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert_all_gone(&pidfile, &app);
}

#[test]
#[cfg_attr(windows, ignore = "its server is a /bin/sh script")]
fn server_exiting_with_a_child_holding_stdout_is_reported_and_the_child_dies() {
    let dir = temp_dir("orphan");
    let pidfile = dir.path().join("pids");
    let marker = unique("orphan");
    let spec = LaunchSpec {
        command: "/bin/sh".into(),
        args: vec![
            "-c".into(),
            // The background sleep keeps stdout open after sh exits.
            r#"sleep 1000 & echo $! >> "$1"; echo "ERROR: gave up" >&2; exit 3"#.into(),
            marker.clone(),
            pidfile.display().to_string(),
        ],
        env: vec![],
        cwd: None,
    };
    let started = Instant::now();
    let outcomes = probe_all(&[spec], Duration::from_secs(10));
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let (reason, status, tail) = expect_start_failed(&outcomes[0]);
    assert_eq!(reason, "exited with status 3 before the handshake");
    assert_eq!(status, Some(3));
    assert_eq!(tail, ["ERROR: gave up".to_string()]);
    assert_eq!(pids_in(&pidfile).len(), 1);
    assert_all_gone(&pidfile, &marker);
}

#[test]
fn handshake_error_answer_is_reported() {
    let dir = temp_dir("initerr");
    let pidfile = dir.path().join("pids");
    let app = unique("initerr");
    let mut spec = connect("mcp-ok", &app);
    spec.env.extend([
        ("FAKE_TSH_PIDFILE".into(), pidfile.display().to_string()),
        ("FAKE_TSH_INIT_ERROR".into(), "upstream MCP server refused the session".into()),
    ]);
    let outcomes = probe_all(&[spec], Duration::from_secs(15));
    let (reason, status, _) = expect_start_failed(&outcomes[0]);
    assert!(reason.starts_with("the handshake failed: "), "{reason}");
    assert!(reason.contains("upstream MCP server refused the session"), "{reason}");
    assert_eq!(status, None);
    assert_all_gone(&pidfile, &app);
}

#[test]
fn stderr_flood_does_not_block_the_server() {
    let mut spec = connect("mcp-ok", "demo");
    // About 260 KB, four times a pipe buffer. 20,000 lines (1.3 MB) took Wine's pipes more than
    // the 15 s bound on a busy CI machine (8,500 lines written when it passed), with no change
    // to the probe; what is tested is that a full pipe does not block the server.
    spec.env.push(("FAKE_TSH_STDERR_FLOOD".into(), "4000".into()));
    let outcomes = probe_all(&[spec], Duration::from_secs(15));
    assert!(matches!(outcomes[0], ProbeOutcome::Ok { tools: 2, .. }), "{outcomes:?}");
}

#[test]
#[cfg_attr(windows, ignore = "its server is a /bin/sh script")]
fn only_the_last_ten_stderr_lines_are_kept() {
    let spec = LaunchSpec {
        command: "/bin/sh".into(),
        args: vec![
            "-c".into(),
            r#"i=0; while [ $i -lt 30 ]; do echo "line $i" >&2; echo >&2; i=$((i+1)); done; exit 2"#.into(),
        ],
        ..Default::default()
    };
    let outcomes = probe_all(&[spec], Duration::from_secs(10));
    let (reason, status, tail) = expect_start_failed(&outcomes[0]);
    assert_eq!(reason, "exited with status 2 before the handshake");
    assert_eq!(status, Some(2));
    let expected: Vec<String> = (20..30).map(|i| format!("line {i}")).collect();
    assert_eq!(tail, expected.as_slice());
}

#[test]
fn missing_command_cannot_start() {
    let spec = LaunchSpec {
        command: "/nonexistent/mcpcfg-test/tsh".into(),
        args: vec!["mcp".into(), "connect".into(), "demo".into()],
        ..Default::default()
    };
    let outcomes = probe_all(&[spec], Duration::from_secs(5));
    let (reason, status, tail) = expect_start_failed(&outcomes[0]);
    // The system's own words.
    let missing = if cfg!(windows) { "Path not found." } else { "No such file or directory" };
    assert_eq!(reason, format!("could not start: {missing}"));
    assert_eq!(status, None);
    assert!(tail.is_empty());
}

#[test]
fn missing_cwd_cannot_start() {
    let mut spec = connect("mcp-ok", "demo");
    spec.cwd = Some("/nonexistent/mcpcfg-test-dir".into());
    let outcomes = probe_all(&[spec], Duration::from_secs(5));
    let (reason, _, _) = expect_start_failed(&outcomes[0]);
    assert!(reason.starts_with("could not start: working directory"), "{reason}");
}

#[test]
fn env_is_inherited_plus_spec_env_and_cwd_is_used() {
    let tmp = temp_dir("cwd");
    let dir = dunce::canonicalize(tmp.path()).unwrap();
    let spec = LaunchSpec {
        env: vec![
            ("FAKE_TSH_ECHO_ENV".into(), "MCPCFG_TEST_VALUE,PATH".into()),
            ("MCPCFG_TEST_VALUE".into(), "from the config".into()),
        ],
        cwd: Some(dir.clone()),
        ..connect("mcp-fail", "demo")
    };
    let outcomes = probe_all(&[spec], Duration::from_secs(15));
    let (_, status, tail) = expect_start_failed(&outcomes[0]);
    assert_eq!(status, Some(1));
    // The server printed the variable's value, an env value of its spec: it reached the
    // server, and the report hides it (it used to show `env API_TOKEN=sk-live-…`).
    assert_eq!(
        tail,
        [
            "env MCPCFG_TEST_VALUE=<redacted>".to_string(),
            // The inherited environment is there too.
            format!("env PATH={}", std::env::var("PATH").unwrap()),
            format!("cwd {}", dir.display()),
            r#"ERROR: access denied to app "demo""#.to_string(),
        ]
    );
}

#[test]
fn all_four_in_parallel_within_the_bound_and_in_order() {
    let dir = temp_dir("parallel");
    let pidfile = dir.path().join("pids");
    let marker = unique("parallel");
    let mut specs = vec![
        connect("mcp-ok", &marker),
        connect("mcp-fail", "demo"),
        connect("mcp-notools", &marker),
        connect("mcp-hang", &marker),
    ];
    for spec in &mut specs {
        spec.env.push(("FAKE_TSH_PIDFILE".into(), pidfile.display().to_string()));
    }
    let timeout = Duration::from_secs(3);
    let started = Instant::now();
    let outcomes = probe_all(&specs, timeout);
    let elapsed = started.elapsed();
    assert!(elapsed < timeout + Duration::from_millis(1500), "took {elapsed:?}");
    assert_eq!(outcomes.len(), 4);
    assert!(matches!(outcomes[0], ProbeOutcome::Ok { tools: 2, .. }), "{outcomes:?}");
    assert_eq!(expect_start_failed(&outcomes[1]).1, Some(1));
    assert!(matches!(outcomes[2], ProbeOutcome::NoTools { .. }), "{outcomes:?}");
    assert_eq!(expect_start_failed(&outcomes[3]).0, "no answer within 3 s");
    assert_all_gone(&pidfile, &marker);
}

#[test]
fn probe_all_works_inside_a_tokio_runtime() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let outcomes = rt.block_on(async { probe_all(&[connect("mcp-notools", "demo")], Duration::from_secs(15)) });
    assert!(matches!(outcomes[0], ProbeOutcome::NoTools { .. }), "{outcomes:?}");
}

// ---- online ----

#[test]
fn run_tsh_reads_the_version() {
    let out = run_tsh(&fake("mcp-ok"), &["version", "--client"], &[], Duration::from_secs(10)).unwrap();
    assert!(out.success());
    assert_eq!(out.status, Some(0));
    assert!(!out.timed_out);
    assert_eq!(out.stdout.lines().next(), Some(VERSION_LINE));
}

#[test]
fn run_tsh_times_out_on_an_unresponsive_cluster() {
    let started = Instant::now();
    let out = run_tsh(&fake("online-hang"), &["status", "--format=json"], &[], Duration::from_secs(1)).unwrap();
    let elapsed = started.elapsed();
    assert!(out.timed_out);
    assert_eq!(out.status, None);
    assert!(!out.success());
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");

    let state = session_state(&fake("online-hang"), &[], Duration::from_millis(500), NOW);
    assert!(matches!(&state, SessionState::Unknown(m) if m.contains("did not answer")), "{state:?}");
}

#[test]
fn run_tsh_missing_binary_is_an_error() {
    let err = run_tsh(Path::new("/nonexistent/mcpcfg-test/tsh"), &["status"], &[], Duration::from_secs(1)).unwrap_err();
    assert!(format!("{err:#}").contains("/nonexistent/mcpcfg-test/tsh"), "{err:#}");
}

#[test]
fn session_states_from_the_fakes() {
    let t = Duration::from_secs(10);
    assert_eq!(
        session_state(&fake("online-ok"), &[], t, NOW),
        SessionState::Active {
            proxy: "teleport.example.com:443".into(),
            user: "alice@example.com".into(),
            cluster: "teleport.example.com".into(),
            valid_until: "2099-11-27T19:00:00Z".into(),
        }
    );
    assert_eq!(
        session_state(&fake("online-expired"), &[], t, NOW),
        SessionState::Expired {
            proxy: Some("teleport.example.com:443".into()),
            user: Some("alice@example.com".into()),
        }
    );
    assert_eq!(session_state(&fake("online-logged-out"), &[], t, NOW), SessionState::NotLoggedIn);
}

#[test]
fn status_fixtures_parse() {
    let logged_in = fixture("status-logged-in.json");
    assert!(matches!(parse_status(true, &logged_in, "", NOW), SessionState::Active { .. }));
    // The same output read after valid_until (2099-11-27T19:00:00Z): expired by valid_until alone.
    assert!(matches!(parse_status(true, &logged_in, "", 4_099_489_200 + 1), SessionState::Expired { .. }));
    let expired = fixture("status-expired.json");
    assert!(matches!(
        parse_status(false, &expired, &fixture("status-expired.stderr"), NOW),
        SessionState::Expired { .. }
    ));
    assert_eq!(parse_status(false, "", &fixture("status-not-logged-in.stderr"), NOW), SessionState::NotLoggedIn);
}

#[test]
fn mcp_ls_fixture_and_fake() {
    let expected = vec![
        McpApp { name: "teleport-mcp-demo".into(), allowed_tools: vec!["*".into()], denied_tools: vec![] },
        McpApp { name: "mcp-everything".into(), allowed_tools: vec![], denied_tools: vec![] },
    ];
    assert_eq!(parse_mcp_ls(&fixture("mcp-ls.json")).unwrap(), expected);
    assert_eq!(mcp_apps(&fake("online-ok"), &[], Duration::from_secs(10)).unwrap(), expected);
    assert!(expected[1].no_allowed_tools());

    let err = mcp_apps(&fake("online-logged-out"), &[], Duration::from_secs(10)).unwrap_err();
    assert!(format!("{err:#}").contains("tsh mcp ls failed"), "{err:#}");
}

#[test]
fn now_unix_is_plausible() {
    assert!(online::now_unix() > 1_700_000_000);
}
