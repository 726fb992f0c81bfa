//! The `doctor --online` checks: what `tsh status --format=json` and `tsh mcp ls --format=json`
//! say, and a runner for tsh that can never hang.
//!
//! The parsers are pure (no I/O, no clock: the caller passes "now"). [`run_tsh`] is the only
//! function here that runs anything, and it always returns within its timeout plus a fraction of
//! a second: a cluster that does not answer is a result ([`RunOutput::timed_out`]), never a hang.
//!
//! Shapes (Teleport's `tool/tsh/common`):
//! - `tsh status --format=json` prints `{"active": {...}, "profiles": [...]}` where a profile
//!   has `profile_url` ("https://proxy:443"), `username`, `cluster`, `roles`, `valid_until`
//!   (RFC 3339). With no profile at all it prints nothing and fails with `Not logged in.`; with
//!   an expired active profile it prints the JSON *and* fails with `Active profile expired.`.
//! - `tsh mcp ls --format=json` prints an array of app resources (`kind: "app"`,
//!   `sub_kind: "mcp"`, `metadata.name`, `spec.mcp`, …), each with
//!   `permissions.mcp.tools.allowed` (`null` or missing when none) and `.denied` (omitted when
//!   empty).
//!
//! Note for callers: `tsh mcp ls` may try to log in again when the session has expired; run it
//! only after `tsh status` said [`SessionState::Active`].

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

/// The tsh session, as `tsh status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Logged in. `proxy` is the proxy's `host:port` (from `profile_url`, scheme removed),
    /// `valid_until` is tsh's RFC 3339 text.
    Active { proxy: String, user: String, cluster: String, valid_until: String },
    /// No active profile.
    NotLoggedIn,
    /// There is an active profile but its certificates have expired.
    Expired { proxy: Option<String>, user: Option<String> },
    /// tsh failed in some other way, or printed something unreadable; the text says what.
    Unknown(String),
}

/// Parse what `tsh status --format=json` printed. `exit_ok` is whether it exited with status 0;
/// `now_unix` is the current time in seconds since the epoch (a `valid_until` at or before it
/// means expired, as tsh itself decides).
pub fn parse_status(exit_ok: bool, stdout: &str, stderr: &str, now_unix: i64) -> SessionState {
    let active = parse_json_lenient(stdout).as_ref().and_then(|v| v.get("active")).and_then(Profile::from_json);

    // tsh's own messages (`tool/tsh/common/tsh.go` `onStatus`): "Not logged in." with no profile,
    // "No active profile." with profiles but none current (both not logged in), "Active profile
    // expired." (the JSON is still printed for the last two). Matched case-insensitively.
    let said = |m: &str| stderr.to_lowercase().contains(m);
    if said("active profile expired") {
        return SessionState::Expired {
            proxy: active.as_ref().and_then(|p| non_empty(&p.proxy)),
            user: active.as_ref().and_then(|p| non_empty(&p.user)),
        };
    }
    if said("not logged in") || said("no active profile") {
        return SessionState::NotLoggedIn;
    }

    let Some(profile) = active else {
        if exit_ok && parse_json_lenient(stdout).is_some() {
            // Valid output without an active profile: logged out of every cluster.
            return SessionState::NotLoggedIn;
        }
        return SessionState::Unknown(describe_failure(exit_ok, stdout, stderr));
    };

    if let Some(until) = parse_rfc3339(&profile.valid_until) {
        // Go's zero time ("0001-01-01T00:00:00Z") means "unknown"; tsh does not call it expired.
        let zero_time = until <= GO_ZERO_TIME_UNIX;
        if !zero_time && until <= now_unix {
            return SessionState::Expired { proxy: non_empty(&profile.proxy), user: non_empty(&profile.user) };
        }
    }
    if !exit_ok {
        return SessionState::Unknown(describe_failure(exit_ok, stdout, stderr));
    }
    SessionState::Active {
        proxy: profile.proxy,
        user: profile.user,
        cluster: profile.cluster,
        valid_until: profile.valid_until,
    }
}

/// Unix time of Go's zero `time.Time`, 0001-01-01T00:00:00Z.
const GO_ZERO_TIME_UNIX: i64 = -62_135_596_800;

struct Profile {
    proxy: String,
    user: String,
    cluster: String,
    valid_until: String,
}

impl Profile {
    fn from_json(v: &Value) -> Option<Profile> {
        let obj = v.as_object()?;
        let text = |key: &str| obj.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let profile = Profile {
            proxy: proxy_host(&text("profile_url")),
            user: text("username"),
            cluster: text("cluster"),
            valid_until: text("valid_until"),
        };
        if profile.proxy.is_empty() && profile.user.is_empty() {
            return None;
        }
        Some(profile)
    }
}

/// "https://teleport.example.com:443/" → "teleport.example.com:443".
fn proxy_host(url: &str) -> String {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default().to_string()
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// JSON from tsh's stdout, tolerating text around it (a warning line before the object).
fn parse_json_lenient(stdout: &str) -> Option<Value> {
    let trimmed = stdout.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        return Some(v);
    }
    let start = trimmed.find(['{', '['])?;
    let mut stream = serde_json::Deserializer::from_str(&trimmed[start..]).into_iter::<Value>();
    stream.next()?.ok()
}

/// One line saying why tsh failed: its last `ERROR:` line, else its last stderr line.
/// Whether a failure of tsh reads as the network's (the proxy did not answer), rather than
/// something else tsh could not do.
pub fn network_failure(why: &str) -> bool {
    let why = why.to_ascii_lowercase();
    [
        "did not answer within",
        "connection refused",
        "no such host",
        "i/o timeout",
        "timed out",
        "timeout",
        "dial tcp",
        "network is unreachable",
        "connection reset",
        "no route to host",
        "tls handshake",
        "unexpected eof",
    ]
    .iter()
    .any(|w| why.contains(w))
}

fn describe_failure(exit_ok: bool, stdout: &str, stderr: &str) -> String {
    let lines: Vec<String> = stderr.lines().map(crate::probe::clean_line).filter(|l| !l.trim().is_empty()).collect();
    let line = lines.iter().rev().find(|l| l.trim_start().starts_with("ERROR")).or_else(|| lines.last());
    if let Some(line) = line {
        let line = line.trim();
        let line = line.strip_prefix("ERROR:").map_or(line, str::trim_start);
        return line.to_string();
    }
    if !exit_ok {
        return "tsh status failed without saying why".to_string();
    }
    if stdout.trim().is_empty() {
        "tsh status printed nothing".to_string()
    } else {
        "tsh status printed something that is not its JSON status".to_string()
    }
}

/// Seconds since the Unix epoch for an RFC 3339 timestamp: `2026-11-27T19:00:00Z`,
/// `2026-11-27T21:00:00.123456789+02:00`, lower-case `t`/`z` or a space as separator.
/// Fractions of a second are dropped; a leap second (`:60`) counts as the next second.
/// `None` when the text is not such a timestamp.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (digits(i + 1..i + 3)?, digits(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = oh * 3600 + om * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };

    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One MCP server app from `tsh mcp ls`, with the current user's tool permissions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct McpApp {
    /// `metadata.name`.
    pub name: String,
    /// `permissions.mcp.tools.allowed` (empty when `null` or missing: no tool is allowed).
    pub allowed_tools: Vec<String>,
    /// `permissions.mcp.tools.denied`.
    pub denied_tools: Vec<String>,
}

impl McpApp {
    /// No tool allowed: the `mcp-no-allowed-tools` finding. A deny of every tool (`*`) wins
    /// over any allow, as in Teleport's roles.
    pub fn no_allowed_tools(&self) -> bool {
        self.allowed_tools.is_empty() || self.denied_tools.iter().any(|d| d == "*")
    }
}

/// Parse what `tsh mcp ls --format=json` printed. Missing keys are tolerated at every level;
/// entries without a name are skipped. Errors only when the output is not a JSON array (or
/// `null`, which Go prints for an empty list).
pub fn parse_mcp_ls(stdout: &str) -> anyhow::Result<Vec<McpApp>> {
    if stdout.trim().is_empty() {
        bail!("tsh mcp ls printed nothing");
    }
    let value = parse_json_lenient(stdout).context("tsh mcp ls did not print JSON")?;
    let items = match &value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => bail!("tsh mcp ls printed JSON that is not a list of apps"),
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    Ok(items
        .iter()
        .filter_map(|item| {
            let name = item.pointer("/metadata/name")?.as_str()?.to_string();
            if name.is_empty() {
                return None;
            }
            let tools = item.pointer("/permissions/mcp/tools");
            Some(McpApp {
                name,
                allowed_tools: strings(tools.and_then(|t| t.get("allowed"))),
                denied_tools: strings(tools.and_then(|t| t.get("denied"))),
            })
        })
        .collect())
}

/// What a tsh run produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunOutput {
    /// Exit code; `None` when killed (by a signal, or by [`run_tsh`] on timeout).
    pub status: Option<i32>,
    /// Standard output (lossy UTF-8), at most [`MAX_OUTPUT_BYTES`].
    pub stdout: String,
    /// Standard error (lossy UTF-8), at most [`MAX_OUTPUT_BYTES`].
    pub stderr: String,
    /// It did not finish within the timeout and was killed.
    pub timed_out: bool,
}

impl RunOutput {
    /// Exited by itself with status 0.
    pub fn success(&self) -> bool {
        self.status == Some(0) && !self.timed_out
    }
}

/// Output beyond this many bytes per stream is read and dropped.
pub const MAX_OUTPUT_BYTES: usize = 8 * 1024 * 1024;

/// Run `tsh args…` with stdin closed (it can never wait for a prompt), the current environment,
/// and a hard `timeout`: when it is reached, tsh and everything it started are killed and
/// `timed_out` is set. Returns within `timeout` plus about half a second. Errors only when tsh
/// could not be started at all.
pub fn run_tsh(tsh: &Path, args: &[&str], env: &[(String, String)], timeout: Duration) -> anyhow::Result<RunOutput> {
    let deadline = Instant::now() + timeout;
    let mut cmd = std::process::Command::new(tsh);
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A tree tracked as the version runs are (with no console window on Windows), so that a
    // Ctrl-C kills it too before mcpcfg ends (on unix the group does not hear the terminal's
    // Ctrl-C).
    let (mut child, run) =
        crate::tshrun::spawn(&mut cmd).with_context(|| format!("could not run {}", tsh.display()))?;

    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    let stderr_buf = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let mut readers = 0;
    if let Some(out) = child.stdout.take() {
        readers += 1;
        spawn_reader(out, stdout_buf.clone(), done_tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        readers += 1;
        spawn_reader(err, stderr_buf.clone(), done_tx.clone());
    }
    drop(done_tx);

    let mut timed_out = false;
    let ended = loop {
        match crate::tree::has_ended(&mut child) {
            Ok(true) => break true,
            Ok(false) => {}
            Err(_) => break false,
        }
        if Instant::now() >= deadline {
            timed_out = true;
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Kill the group in every case: a finished tsh may have left a helper behind, and an
    // unfinished one must go. The leader is not reaped yet (`has_ended` leaves it), so its
    // group id is still its own; it is reaped after.
    run.end();
    if !ended {
        let _ = child.kill();
    }
    let status = child.wait().ok();

    // The pipes reach end of file once every process holding them is dead; a process that
    // escaped the group could keep them open, so the wait for the readers is bounded too.
    let drain_until = Instant::now() + Duration::from_millis(500);
    for _ in 0..readers {
        let left = drain_until.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }

    let text =
        |buf: &Arc<Mutex<Vec<u8>>>| buf.lock().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    Ok(RunOutput {
        status: if timed_out { None } else { status.and_then(|s| s.code()) },
        stdout: text(&stdout_buf),
        stderr: text(&stderr_buf),
        timed_out,
    })
}

fn spawn_reader(mut pipe: impl Read + Send + 'static, buf: Arc<Mutex<Vec<u8>>>, done: std::sync::mpsc::Sender<()>) {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Ok(mut b) = buf.lock() {
                        let room = MAX_OUTPUT_BYTES.saturating_sub(b.len());
                        b.extend_from_slice(&chunk[..n.min(room)]);
                    }
                }
            }
        }
        let _ = done.send(());
    });
}

/// `tsh status --format=json` run and parsed (`env` added to tsh's environment). A tsh that cannot be run or does not answer
/// within `timeout` gives [`SessionState::Unknown`] saying so.
pub fn session_state(tsh: &Path, env: &[(String, String)], timeout: Duration, now_unix: i64) -> SessionState {
    match run_tsh(tsh, &["status", "--format=json"], env, timeout) {
        Err(e) => SessionState::Unknown(format!("{e:#}")),
        Ok(out) if out.timed_out => {
            SessionState::Unknown(format!("tsh status did not answer within {} s", timeout.as_secs_f64()))
        }
        Ok(out) => parse_status(out.success(), &out.stdout, &out.stderr, now_unix),
    }
}

/// `tsh mcp ls --format=json` run and parsed; an error says why (cannot run, timed out,
/// failed with tsh's message, unreadable output).
pub fn mcp_apps(tsh: &Path, env: &[(String, String)], timeout: Duration) -> anyhow::Result<Vec<McpApp>> {
    let out = run_tsh(tsh, &["mcp", "ls", "--format=json"], env, timeout)?;
    if out.timed_out {
        bail!("tsh mcp ls did not answer within {} s", timeout.as_secs_f64());
    }
    if !out.success() {
        bail!("tsh mcp ls failed: {}", describe_failure(false, "", &out.stderr));
    }
    parse_mcp_ls(&out.stdout)
}

/// The app a server's arguments connect to: `tsh [--proxy=…] mcp connect <app>`.
pub fn connect_app(args: &[String]) -> Option<&str> {
    let at = args.windows(2).position(|w| w[0] == "mcp" && w[1] == "connect")?;
    // tsh writes `mcp connect <app>` then `--auto-reconnect`/`--no-auto-reconnect` and, for HTTP
    // apps (18.3.1), `-H "Name: value"` pairs (`tool/tsh/common/mcp_app.go`); a person may put
    // them first.
    let mut rest = args[at + 2..].iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "-H" | "--header" => {
                rest.next();
            }
            o if o.starts_with('-') => {}
            app => return Some(app),
        }
    }
    None
}

/// What tsh's environment needs so that it answers for the home mcpcfg looks at: with
/// `--home`, that home's `HOME` (`USERPROFILE`) and `TELEPORT_HOME`; nothing otherwise.
pub fn session_env(host: &crate::platform::Host) -> Vec<(String, String)> {
    if !host.home_overridden {
        return vec![];
    }
    vec![
        (host.home_var().to_owned(), host.home.to_string_lossy().into_owned()),
        ("TELEPORT_HOME".to_owned(), host.teleport_home().to_string_lossy().into_owned()),
    ]
}

/// Seconds since the Unix epoch, for [`parse_status`].
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    /// Any tsh failure was `cluster-unreachable … check your network` (issue 14, item 5): only
    /// the network's words are.
    #[test]
    fn only_network_failures_read_as_an_unreachable_cluster() {
        for why in [
            "ERROR: dial tcp 10.0.0.1:443: connect: connection refused",
            "tsh status did not answer within 15 s",
            "lookup proxy.example.com: no such host",
        ] {
            assert!(super::network_failure(why), "{why}");
        }
        for why in ["profile is corrupt", "ERROR: unknown flag --format", "tsh status failed without saying why"] {
            assert!(!super::network_failure(why), "{why}");
        }
    }

    /// Entries `tsh mcp config` writes for HTTP apps carry reconnect flags and `-H` pairs.
    #[test]
    fn connect_app_with_reconnect_flags_and_headers() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(connect_app(&a(&["mcp", "connect", "jira", "--no-auto-reconnect", "-H", "X-A: 1"])), Some("jira"));
        assert_eq!(connect_app(&a(&["mcp", "connect", "-H", "X-A: 1", "--auto-reconnect", "jira"])), Some("jira"));
        assert_eq!(connect_app(&a(&["mcp", "connect", "--auto-reconnect"])), None);
    }

    #[test]
    fn connect_app_after_options() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(connect_app(&a(&["mcp", "connect", "demo"])), Some("demo"));
        assert_eq!(connect_app(&a(&["--proxy=p:443", "mcp", "connect", "demo", "--x"])), Some("demo"));
        assert_eq!(connect_app(&a(&["mcp", "db", "start", "teleport://x"])), None);
        assert_eq!(connect_app(&a(&["mcp", "connect"])), None);
    }

    /// `allowed: ["*"], denied: ["*"]` allows nothing, and was not flagged.
    #[test]
    fn denying_every_tool_allows_none() {
        let app = |allowed: &[&str], denied: &[&str]| McpApp {
            name: "a".into(),
            allowed_tools: allowed.iter().map(|s| s.to_string()).collect(),
            denied_tools: denied.iter().map(|s| s.to_string()).collect(),
        };
        assert!(app(&["*"], &["*"]).no_allowed_tools());
        assert!(app(&[], &[]).no_allowed_tools());
        assert!(!app(&["*"], &["delete_*"]).no_allowed_tools());
    }

    use super::*;

    const NOW: i64 = 1_795_785_600; // 2026-11-27T13:20:00Z

    const LOGGED_IN: &str = r#"{
  "active": {
    "profile_url": "https://teleport.example.com:443",
    "username": "alice@example.com",
    "cluster": "teleport.example.com",
    "roles": ["access", "editor"],
    "traits": {"logins": ["alice"], "mcp_tools": ["*"]},
    "logins": ["alice"],
    "kubernetes_enabled": true,
    "valid_until": "2026-11-27T19:00:00Z",
    "extensions": ["permit-agent-forwarding", "permit-port-forwarding", "permit-pty"]
  },
  "profiles": []
}
"#;

    #[test]
    fn rfc3339_basic_and_offsets() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-11-27T19:00:00Z"), Some(1_795_806_000));
        assert_eq!(parse_rfc3339("2026-11-27T21:00:00+02:00"), Some(1_795_806_000));
        assert_eq!(parse_rfc3339("2026-11-27T13:30:00-05:30"), Some(1_795_806_000));
        assert_eq!(parse_rfc3339("2026-11-27T19:00:00.123456789Z"), Some(1_795_806_000));
        assert_eq!(parse_rfc3339("2026-11-27t19:00:00z"), Some(1_795_806_000));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), Some(GO_ZERO_TIME_UNIX));
    }

    #[test]
    fn rfc3339_rejects_garbage() {
        for bad in [
            "",
            "2026-11-27",
            "2026-11-27T19:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T19:00:00.Z",
            "2026-11-27T19:00:00+0200",
            "2026-11-27T19:00:00Zjunk",
            "20x6-11-27T19:00:00Z",
            "2026-11-27T19:00:00+02:00x",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn status_logged_in() {
        assert_eq!(
            parse_status(true, LOGGED_IN, "", NOW),
            SessionState::Active {
                proxy: "teleport.example.com:443".into(),
                user: "alice@example.com".into(),
                cluster: "teleport.example.com".into(),
                valid_until: "2026-11-27T19:00:00Z".into(),
            }
        );
    }

    #[test]
    fn status_past_valid_until_is_expired_even_if_tsh_succeeded() {
        assert_eq!(
            parse_status(true, LOGGED_IN, "", 1_795_806_000),
            SessionState::Expired {
                proxy: Some("teleport.example.com:443".into()),
                user: Some("alice@example.com".into()),
            }
        );
    }

    #[test]
    fn status_expired_message_with_json() {
        let stderr = "\u{1b}[31mERROR:\u{1b}[0m Active profile expired.\n";
        assert_eq!(
            parse_status(false, LOGGED_IN, stderr, NOW),
            SessionState::Expired {
                proxy: Some("teleport.example.com:443".into()),
                user: Some("alice@example.com".into()),
            }
        );
    }

    /// "No active profile." (profiles exist, none is current; the JSON is still printed) was
    /// reported as cluster-unreachable, "check your network".
    #[test]
    fn status_no_active_profile_is_not_logged_in() {
        let out = r#"{"active": null, "profiles": [{"profile_url": "https://a.example.com:443", "username": "me"}]}"#;
        assert_eq!(parse_status(false, out, "ERROR: No active profile.\n", NOW), SessionState::NotLoggedIn);
        assert_eq!(parse_status(false, "", "error: no active profile.\n", NOW), SessionState::NotLoggedIn);
        assert_eq!(parse_status(false, "", "ERROR: NOT LOGGED IN.\n", NOW), SessionState::NotLoggedIn);
    }

    #[test]
    fn status_expired_message_without_json() {
        assert_eq!(
            parse_status(false, "", "ERROR: Active profile expired.\n", NOW),
            SessionState::Expired { proxy: None, user: None }
        );
    }

    #[test]
    fn status_not_logged_in() {
        assert_eq!(parse_status(false, "", "ERROR: Not logged in.\n", NOW), SessionState::NotLoggedIn);
        // Profiles exist but none is active.
        let out = r#"{"profiles":[{"profile_url":"https://other.example.com:443","username":"bob","valid_until":"2026-01-01T00:00:00Z"}]}"#;
        assert_eq!(parse_status(false, out, "ERROR: Not logged in.\n", NOW), SessionState::NotLoggedIn);
        assert_eq!(parse_status(true, r#"{"profiles":[]}"#, "", NOW), SessionState::NotLoggedIn);
    }

    #[test]
    fn status_missing_keys_are_tolerated() {
        let out = r#"{"active":{"profile_url":"https://p.example.com","username":"u"}}"#;
        assert_eq!(
            parse_status(true, out, "", NOW),
            SessionState::Active {
                proxy: "p.example.com".into(),
                user: "u".into(),
                cluster: String::new(),
                valid_until: String::new(),
            }
        );
        let zero = r#"{"active":{"profile_url":"https://p","username":"u","valid_until":"0001-01-01T00:00:00Z"}}"#;
        assert!(matches!(parse_status(true, zero, "", NOW), SessionState::Active { .. }));
    }

    #[test]
    fn status_other_failures_are_unknown() {
        assert_eq!(
            parse_status(false, "", "some noise\nERROR: profile is corrupt\n", NOW),
            SessionState::Unknown("profile is corrupt".into())
        );
        assert_eq!(
            parse_status(true, "not json", "", NOW),
            SessionState::Unknown("tsh status printed something that is not its JSON status".into())
        );
        assert_eq!(
            parse_status(false, "", "", NOW),
            SessionState::Unknown("tsh status failed without saying why".into())
        );
        assert!(matches!(
            parse_status(false, LOGGED_IN, "ERROR: something else\n", NOW),
            SessionState::Unknown(m) if m == "something else"
        ));
    }

    #[test]
    fn status_json_after_a_warning_line() {
        let out = format!("WARNING: something\n{LOGGED_IN}");
        assert!(matches!(parse_status(true, &out, "", NOW), SessionState::Active { .. }));
    }

    #[test]
    fn mcp_ls_shapes() {
        let out = r#"[
  {"kind":"app","sub_kind":"mcp","version":"v3",
   "metadata":{"name":"demo","description":"A demo"},
   "spec":{"uri":"mcp+stdio://","mcp":{"command":"docker","args":["run"],"run_as_host_user":"docker"}},
   "permissions":{"mcp":{"tools":{"allowed":["*"],"denied":["delete_*"]}}}},
  {"kind":"app","sub_kind":"mcp","metadata":{"name":"locked"},
   "permissions":{"mcp":{"tools":{"allowed":null}}}},
  {"kind":"app","metadata":{"name":"bare"}},
  {"kind":"app","metadata":{"name":"partial"},"permissions":{"mcp":{}}},
  {"kind":"app","metadata":{}},
  "junk"
]"#;
        let apps = parse_mcp_ls(out).unwrap();
        assert_eq!(
            apps,
            vec![
                McpApp { name: "demo".into(), allowed_tools: vec!["*".into()], denied_tools: vec!["delete_*".into()] },
                McpApp { name: "locked".into(), ..Default::default() },
                McpApp { name: "bare".into(), ..Default::default() },
                McpApp { name: "partial".into(), ..Default::default() },
            ]
        );
        assert!(!apps[0].no_allowed_tools());
        assert!(apps[1].no_allowed_tools());
    }

    #[test]
    fn mcp_ls_empty_and_errors() {
        assert_eq!(parse_mcp_ls("[]\n").unwrap(), vec![]);
        assert_eq!(parse_mcp_ls("null\n").unwrap(), vec![]);
        assert!(parse_mcp_ls("").is_err());
        assert!(parse_mcp_ls("Name Description\n---- -----\n").is_err());
        assert!(parse_mcp_ls(r#"{"kind":"app"}"#).is_err());
    }

    #[test]
    fn proxy_host_forms() {
        assert_eq!(proxy_host("https://a.example.com:443"), "a.example.com:443");
        assert_eq!(proxy_host("https://a.example.com/"), "a.example.com");
        assert_eq!(proxy_host("a.example.com:3080"), "a.example.com:3080");
    }
}
