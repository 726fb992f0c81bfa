//! Start stdio MCP servers the way an MCP client does, and report what happened.
//!
//! Contract of [`probe_all`]:
//!
//! - Each [`LaunchSpec`] is started as an MCP client starts a stdio server: `command` with
//!   `args`, the current environment with the spec's `env` laid on top, `cwd` when given,
//!   stdin and stdout piped (they carry the MCP stream), stderr piped and read concurrently so
//!   the pipe never fills; only its last [`STDERR_TAIL_LINES`] non-blank lines are kept.
//! - Over stdio it performs the MCP `initialize` handshake and `tools/list` (every page), using
//!   the `rmcp` crate as the MCP client; nothing here speaks JSON-RPC by hand.
//! - Then it ends the server the way a client does: the MCP session is cancelled and stdin is
//!   closed; a server that has not exited within about a second is killed.
//! - Everything for one server is bounded by `timeout`: start, handshake and `tools/list`, and
//!   the polite part of the shutdown gets what is left of it (at least 0.1 s). Killing, reaping
//!   and reading the last of stderr then take a fraction of a second, so `probe_all` returns
//!   about `timeout` (plus well under a second) after it was called, however many servers there
//!   are: they are probed in parallel.
//! - Each server and what it starts is a [`crate::tree::Tree`] (a process group on unix, a job
//!   object on Windows), killed on every path (success, failure, timeout, even a panic or a
//!   dropped future) once the probe is done with it, so neither the server nor anything it
//!   spawned outlives the probe, even when it ignores stdin EOF and `SIGTERM`.
//! - The result has one [`ProbeOutcome`] per spec, in the same order.
//!
//! A server that exits before the handshake is what MCP clients only show as "Server
//! disconnected"; here it becomes [`ProbeOutcome::StartFailed`] with its exit status and the
//! tail of its stderr.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::{ClientInitializeError, RunningService, ServiceError};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// How many lines of a server's stderr are kept.
pub const STDERR_TAIL_LINES: usize = 10;

/// Longest stderr line kept, in bytes; the rest of a longer line is dropped.
const MAX_STDERR_LINE_BYTES: usize = 2048;

/// How long a server gets to exit by itself once stdin is closed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// How long reaping a killed process may take before it is left to `kill_on_drop`.
const REAP_BOUND: Duration = Duration::from_secs(1);

/// How long the stderr reader gets to reach end of file once the process group is dead.
const STDERR_DRAIN: Duration = Duration::from_millis(300);

/// The MCP protocol version offered in `initialize`: the one current MCP clients send and
/// `tsh mcp connect` (mcp-go) understands. The server may answer with another one.
const OFFERED_PROTOCOL_VERSION: ProtocolVersion = ProtocolVersion::V_2025_06_18;

/// How to start one stdio MCP server, as its client config says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LaunchSpec {
    /// The program (`command` in the client config).
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Environment set on top of the inherited one (the config's `env`).
    pub env: Vec<(String, String)>,
    /// Working directory, when the client config sets one.
    pub cwd: Option<PathBuf>,
}

/// What probing one server found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Handshake done and at least one tool listed. `server_name`/`server_version` come from
    /// the server's `serverInfo` (empty when it sent none).
    Ok { server_name: String, server_version: String, tools: usize },
    /// Handshake done but `tools/list` returned no tool (for Teleport: RBAC allows none).
    NoTools { server_name: String, server_version: String },
    /// The server could not be started, exited, failed the handshake or `tools/list`, or did
    /// not answer in time.
    StartFailed {
        /// One line for a person, e.g. "could not start: No such file or directory",
        /// "exited with status 1 before the handshake" or "no answer within 15 s".
        reason: String,
        /// The exit code when the server exited by itself with one (`None` when it could not
        /// be started, was killed by a signal, or was killed by the probe).
        exit_status: Option<i32>,
        /// The last (at most [`STDERR_TAIL_LINES`]) non-blank lines of its stderr.
        stderr_tail: Vec<String>,
    },
}

/// Probe every server in parallel; the i-th outcome belongs to the i-th spec.
///
/// Blocking: it runs its own tokio runtime on a separate thread, so it may also be called from
/// code that is itself inside a tokio runtime. See the module documentation for the contract.
pub fn probe_all(specs: &[LaunchSpec], timeout: Duration) -> Vec<ProbeOutcome> {
    if specs.is_empty() {
        return Vec::new();
    }
    let joined = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("mcpcfg-probe".into())
            .spawn_scoped(scope, || run_all(specs, timeout))
            .map(|handle| handle.join())
    });
    match joined {
        Ok(Ok(outcomes)) => outcomes,
        Ok(Err(_panic)) => all_failed(specs.len(), "internal error: the probe panicked"),
        Err(e) => all_failed(specs.len(), &format!("could not start the probe thread: {e}")),
    }
}

fn all_failed(n: usize, reason: &str) -> Vec<ProbeOutcome> {
    (0..n).map(|_| start_failed(reason.to_string(), None, Vec::new())).collect()
}

fn start_failed(reason: String, exit_status: Option<i32>, stderr_tail: Vec<String>) -> ProbeOutcome {
    ProbeOutcome::StartFailed { reason, exit_status, stderr_tail }
}

fn run_all(specs: &[LaunchSpec], timeout: Duration) -> Vec<ProbeOutcome> {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            return all_failed(specs.len(), &format!("could not start the async runtime: {e}"));
        }
    };
    let specs = specs.to_vec();
    let outcomes = runtime.block_on(async move {
        let mut handles: Vec<_> = specs.into_iter().map(|spec| tokio::spawn(probe_one(spec, timeout))).collect();
        let all = async {
            let mut outcomes = Vec::with_capacity(handles.len());
            for handle in handles.iter_mut() {
                outcomes.push(match handle.await {
                    Ok(outcome) => outcome,
                    Err(e) => start_failed(format!("internal error: {e}"), None, Vec::new()),
                });
            }
            outcomes
        };
        // Interrupted (Ctrl-C, SIGTERM, SIGHUP): the servers live in their own process groups, so
        // the signal does not reach them. Abort every probe (dropping it kills its group), wait
        // for the drops, then leave the way the signal asked.
        let code = tokio::select! {
            outcomes = all => return outcomes,
            code = interrupted() => code,
        };
        for h in &handles {
            h.abort();
        }
        for h in handles {
            let _ = h.await;
        }
        std::process::exit(code)
    });
    // Anything still running inside the runtime (rmcp's session tasks) is dropped here; the
    // processes themselves are already dead.
    runtime.shutdown_timeout(Duration::from_millis(200));
    crate::tshrun::groups::probe_owns_signals(false);
    outcomes
}

/// Waits for a signal that ends mcpcfg; returns the exit status a shell expects (128 + signal).
#[cfg(unix)]
async fn interrupted() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hup), Ok(mut int)) =
        (signal(SignalKind::terminate()), signal(SignalKind::hangup()), signal(SignalKind::interrupt()))
    else {
        return std::future::pending().await;
    };
    // From here the runtime hears them: the version runs' watcher leaves the exit to it.
    crate::tshrun::groups::probe_owns_signals(true);
    tokio::select! {
        _ = int.recv() => 130,
        _ = term.recv() => 143,
        _ = hup.recv() => 129,
    }
}

#[cfg(not(unix))]
async fn interrupted() -> i32 {
    match tokio::signal::ctrl_c().await {
        Ok(()) => 130,
        Err(_) => std::future::pending().await,
    }
}

/// Where the server was when the probe stopped waiting for it.
enum Stage {
    BeforeHandshake,
    AfterHandshake,
}

impl Stage {
    fn of(handshake_done: &AtomicBool) -> Stage {
        if handshake_done.load(Ordering::SeqCst) { Stage::AfterHandshake } else { Stage::BeforeHandshake }
    }

    fn when(&self) -> &'static str {
        match self {
            Stage::BeforeHandshake => "before the handshake",
            Stage::AfterHandshake => "after the handshake, before answering tools/list",
        }
    }
}

/// An open MCP client session with one server.
type Session = RunningService<rmcp::RoleClient, ClientConfig>;

/// How the MCP conversation ended, when it did end before the process or the clock.
enum SessionEnd {
    /// Handshake and every page of `tools/list` done; the session is still open.
    Listed { client: Session, server_name: String, server_version: String, tools: usize },
    /// The handshake failed. `closed`: the server closed the stream (it is probably exiting,
    /// and its exit status says more than the error).
    InitializeFailed { error: String, closed: bool },
    /// The handshake worked but `tools/list` failed (`closed` as above).
    ListFailed { client: Session, error: String, closed: bool },
}

enum Phase {
    Session(SessionEnd),
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
}

fn client_config() -> ClientConfig {
    ClientConfig::new(ClientCapabilities::default(), Implementation::new("mcpcfg", env!("CARGO_PKG_VERSION")))
        .with_protocol_version(OFFERED_PROTOCOL_VERSION)
}

async fn probe_one(spec: LaunchSpec, timeout: Duration) -> ProbeOutcome {
    let deadline = Instant::now() + timeout;

    if let Some(cwd) = &spec.cwd
        && !cwd.is_dir()
    {
        return start_failed(
            format!("could not start: working directory {} does not exist", cwd.display()),
            None,
            Vec::new(),
        );
    }

    let mut cmd = Command::new(&spec.command);
    cmd.args(&spec.args)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(cwd) = &spec.cwd {
        cmd.current_dir(cwd);
    }
    #[cfg(unix)]
    cmd.process_group(0);
    #[cfg(windows)]
    {
        cmd.creation_flags(crate::tree::CREATE_NO_WINDOW);
    }

    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return start_failed(format!("could not start: {}", io_reason(&e)), None, Vec::new());
        }
    };
    // From here on, whatever happens (even a panic or this future being dropped), the
    // process group dies with the guard.
    let mut tree = crate::tree::Tree::of_tokio(&child);

    let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
        tree.kill();
        return start_failed("could not start: no stdio pipes".into(), None, Vec::new());
    };
    let tail = Arc::new(Mutex::new(StderrTail::default()));
    let stderr_task = child.stderr.take().map(|stderr| tokio::spawn(collect_stderr(stderr, tail.clone())));

    let handshake_done = Arc::new(AtomicBool::new(false));
    let session = {
        let handshake_done = handshake_done.clone();
        async move {
            let client = match client_config().serve((stdout, stdin)).await {
                Ok(client) => client,
                Err(e) => {
                    let closed = matches!(
                        e,
                        ClientInitializeError::ConnectionClosed(_) | ClientInitializeError::TransportError { .. }
                    );
                    return SessionEnd::InitializeFailed { error: e.to_string(), closed };
                }
            };
            handshake_done.store(true, Ordering::SeqCst);
            let (server_name, server_version) = client
                .peer_info()
                .and_then(|info| info.server_info.clone())
                .map(|i| (i.name, i.version))
                .unwrap_or_default();
            match client.list_all_tools().await {
                Ok(tools) => SessionEnd::Listed { client, server_name, server_version, tools: tools.len() },
                Err(e) => SessionEnd::ListFailed {
                    client,
                    closed: matches!(e, ServiceError::TransportClosed | ServiceError::TransportSend(_)),
                    error: e.to_string(),
                },
            }
        }
    };

    let phase = tokio::select! {
        end = session => Phase::Session(end),
        status = crate::tree::wait_then_kill(&mut child, || tree.kill()) => Phase::Exited(status),
        () = tokio::time::sleep_until(deadline) => Phase::TimedOut,
    };

    let mut exit_status = None;
    let outcome_without_tail: Result<ProbeOutcome, (String, Option<i32>)> = match phase {
        Phase::Session(SessionEnd::Listed { client, server_name, server_version, tools }) => {
            shut_down(client, &mut child, &mut tree, deadline).await;
            Ok(if tools == 0 {
                ProbeOutcome::NoTools { server_name, server_version }
            } else {
                ProbeOutcome::Ok { server_name, server_version, tools }
            })
        }
        Phase::Session(SessionEnd::ListFailed { client, error, closed }) => {
            shut_down(client, &mut child, &mut tree, deadline).await;
            let exited = crate::tree::ended_then_kill(&mut child, || tree.kill()).ok().flatten();
            exit_status = exited;
            match exited {
                Some(status) if closed => Err(exited_reason(status, &Stage::AfterHandshake)),
                _ => Err((format!("handshake done, but tools/list failed: {error}"), None)),
            }
        }
        Phase::Session(SessionEnd::InitializeFailed { error, closed }) => {
            // A closed stream usually means the server is exiting: wait a little for its exit
            // status, which says more than "connection closed".
            let grace = SHUTDOWN_GRACE.min(deadline.saturating_duration_since(Instant::now()));
            let exited = if closed {
                tokio::time::timeout(grace, crate::tree::wait_then_kill(&mut child, || tree.kill()))
                    .await
                    .ok()
                    .and_then(Result::ok)
            } else {
                None
            };
            exit_status = exited;
            match exited {
                Some(status) => Err(exited_reason(status, &Stage::BeforeHandshake)),
                None => Err((format!("the handshake failed: {error}"), None)),
            }
        }
        Phase::Exited(Ok(status)) => {
            exit_status = Some(status);
            Err(exited_reason(status, &Stage::of(&handshake_done)))
        }
        Phase::Exited(Err(e)) => Err((format!("could not wait for the server: {e}"), None)),
        Phase::TimedOut => Err((
            match Stage::of(&handshake_done) {
                Stage::BeforeHandshake => format!("no answer within {}", human(timeout)),
                Stage::AfterHandshake => format!("handshake done, but no tools/list answer within {}", human(timeout)),
            },
            None,
        )),
    };

    // Kill whatever is left of the group (the server itself unless it exited, and anything
    // it started), then reap the server. On unix every wait above killed the group before its
    // reap, so a group id no longer the server's is never killed here.
    tree.kill();
    if exit_status.is_none() {
        let _ = child.start_kill();
        let _ = tokio::time::timeout(REAP_BOUND, child.wait()).await;
    }

    // With the group dead the stderr pipe reaches end of file; give the reader a moment to
    // take the last lines.
    if let Some(mut task) = stderr_task
        && tokio::time::timeout(STDERR_DRAIN, &mut task).await.is_err()
    {
        task.abort();
    }
    let stderr_tail = tail.lock().map(|t| t.lines()).unwrap_or_default();
    // A server may echo its environment in an error: its env values never reach the report.
    let stderr_tail = stderr_tail.iter().map(|l| redacted(l, &spec.env)).collect();

    match outcome_without_tail {
        Ok(outcome) => outcome,
        Err((reason, code)) => start_failed(reason, code, stderr_tail),
    }
}

/// `line` with every value of `env` (of four characters or more: shorter ones are too common
/// to hide without hiding other text) shown as `<redacted>`.
fn redacted(line: &str, env: &[(String, String)]) -> String {
    let mut values: Vec<&str> = env.iter().map(|(_, v)| v.as_str()).filter(|v| v.chars().count() >= 4).collect();
    // Longest first, so a value that contains another is hidden whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.iter().fold(line.to_owned(), |l, v| l.replace(v, "<redacted>"))
}

/// End a server politely: cancel the session (which closes its stdin), give it until the
/// deadline (at most [`SHUTDOWN_GRACE`], at least a tenth of a second) to exit. The caller kills
/// the tree afterwards in any case.
async fn shut_down(client: Session, child: &mut Child, tree: &mut crate::tree::Tree, deadline: Instant) {
    let grace = SHUTDOWN_GRACE.min(deadline.saturating_duration_since(Instant::now())).max(Duration::from_millis(100));
    let until = Instant::now() + grace;
    let _ = tokio::time::timeout_at(until, client.cancel()).await;
    let _ = tokio::time::timeout_at(until, crate::tree::wait_then_kill(child, || tree.kill())).await;
}

fn exited_reason(status: ExitStatus, stage: &Stage) -> (String, Option<i32>) {
    if let Some(code) = status.code() {
        return (format!("exited with status {code} {}", stage.when()), Some(code));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return (format!("was killed by signal {signal} {}", stage.when()), None);
        }
    }
    (format!("exited ({status}) {}", stage.when()), None)
}

/// "No such file or directory" rather than "No such file or directory (os error 2)".
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

/// "15 s", "2.5 s", "500 ms".
fn human(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        let tenths = (d.as_millis() + 50) / 100;
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

async fn collect_stderr(mut stderr: impl AsyncRead + Unpin, tail: Arc<Mutex<StderrTail>>) {
    let mut buf = [0u8; 4096];
    loop {
        match stderr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if let Ok(mut tail) = tail.lock() {
                    tail.push(&buf[..n]);
                }
            }
        }
    }
    if let Ok(mut tail) = tail.lock() {
        tail.finish();
    }
}

/// The last non-blank lines of a byte stream, bounded in memory.
#[derive(Debug, Default)]
struct StderrTail {
    lines: VecDeque<String>,
    partial: Vec<u8>,
}

impl StderrTail {
    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.end_line();
            } else if self.partial.len() < MAX_STDERR_LINE_BYTES {
                self.partial.push(b);
            }
        }
    }

    fn end_line(&mut self) {
        let line = clean_line(&String::from_utf8_lossy(&self.partial));
        self.partial.clear();
        if line.is_empty() {
            return;
        }
        self.lines.push_back(line);
        while self.lines.len() > STDERR_TAIL_LINES {
            self.lines.pop_front();
        }
    }

    fn finish(&mut self) {
        if !self.partial.is_empty() {
            self.end_line();
        }
    }

    /// The kept lines, including an unfinished last line.
    fn lines(&self) -> Vec<String> {
        let mut lines: VecDeque<String> = self.lines.clone();
        let last = clean_line(&String::from_utf8_lossy(&self.partial));
        if !last.is_empty() {
            lines.push_back(last);
            while lines.len() > STDERR_TAIL_LINES {
                lines.pop_front();
            }
        }
        lines.into()
    }
}

/// Drop terminal escape sequences and control characters (tsh colours "ERROR:" on a
/// terminal), and trailing white space.
pub(crate) fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte(0x40..=0x7e); other escapes: ESC + one char.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if c == '\t' {
            out.push(' ');
        } else if !c.is_control() {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stderr_hides_env_values_longest_first_and_leaves_short_ones() {
        let env = vec![("A".into(), "sk-live-1".into()), ("B".into(), "sk-live-12".into()), ("C".into(), "on".into())];
        assert_eq!(
            super::redacted("token sk-live-12 then sk-live-1, on", &env),
            "token <redacted> then <redacted>, on"
        );
    }

    use super::*;

    #[test]
    fn tail_keeps_last_ten_non_blank_lines() {
        let mut t = StderrTail::default();
        for i in 0..25 {
            t.push(format!("line {i}\n\n").as_bytes());
        }
        let lines = t.lines();
        assert_eq!(lines.len(), STDERR_TAIL_LINES);
        assert_eq!(lines[0], "line 15");
        assert_eq!(lines[9], "line 24");
    }

    #[test]
    fn tail_joins_split_chunks_and_keeps_unfinished_line() {
        let mut t = StderrTail::default();
        t.push(b"ERROR: acc");
        t.push(b"ess denied\r\nno newline");
        assert_eq!(t.lines(), vec!["ERROR: access denied", "no newline"]);
        t.finish();
        assert_eq!(t.lines(), vec!["ERROR: access denied", "no newline"]);
    }

    #[test]
    fn tail_bounds_line_length() {
        let mut t = StderrTail::default();
        t.push(&vec![b'x'; 100_000]);
        t.push(b"\n");
        assert_eq!(t.lines()[0].len(), MAX_STDERR_LINE_BYTES);
    }

    #[test]
    fn tail_handles_invalid_utf8() {
        let mut t = StderrTail::default();
        t.push(b"bad \xff byte\n");
        assert_eq!(t.lines(), vec!["bad \u{fffd} byte"]);
    }

    #[test]
    fn clean_line_strips_colours() {
        assert_eq!(clean_line("\u{1b}[31mERROR:\u{1b}[0m Not logged in.  "), "ERROR: Not logged in.");
        assert_eq!(clean_line("a\tb\u{7}"), "a b");
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_secs(15)), "15 s");
        assert_eq!(human(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(human(Duration::from_millis(500)), "500 ms");
    }

    #[test]
    fn io_reason_drops_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(2);
        assert!(!io_reason(&e).contains("os error"), "{}", io_reason(&e));
    }

    #[cfg(unix)]
    #[test]
    fn exit_reasons() {
        use std::os::unix::process::ExitStatusExt;
        let (reason, code) = exited_reason(ExitStatus::from_raw(1 << 8), &Stage::BeforeHandshake);
        assert_eq!(reason, "exited with status 1 before the handshake");
        assert_eq!(code, Some(1));
        let (reason, code) = exited_reason(ExitStatus::from_raw(9), &Stage::AfterHandshake);
        assert_eq!(reason, "was killed by signal 9 after the handshake, before answering tools/list");
        assert_eq!(code, None);
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert!(probe_all(&[], Duration::from_secs(1)).is_empty());
    }
}
