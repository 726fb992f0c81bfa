//! The tests' fake `tsh`: one portable program (it runs on Linux and on the Windows build under
//! Wine), so the suites need no shell or python3. Tests copy or hard-link it to wherever a `tsh`
//! should be (`~/.tsh/bin/<uuid>-update-pkg-v2/tsh`, `<root>/bin/tsh.exe`, …) and write its
//! behaviour beside it, in `<that path>.fake`: one `key=value` per line.
//!
//! - `mode`: what it does besides `tsh version`:
//!   - `mcp-ok`, `mcp-notools`: `tsh mcp connect <app>` is a stdio MCP server (newline-delimited
//!     JSON-RPC, as MCP's stdio transport), with two tools (paginated) or none;
//!   - `mcp-fail`: `tsh mcp connect` fails with tsh's "access denied" error;
//!   - `mcp-hang`: `tsh mcp connect` starts a child, reads stdin and never answers;
//!   - `online-ok`, `online-expired`, `online-logged-out`, `online-no-active-profile`,
//!     `online-hang`: `tsh status --format=json` and `tsh mcp ls --format=json` print the fixtures
//!     of `testdata/fake/fixtures` (real tsh output, see its SOURCES.md) or hang (with a child);
//!   - anything else (the default): every other command fails as an unknown one.
//! - `version`: the version `tsh version` reports (default 18.2.3), as a real tsh prints it;
//!   `version_line`: print this line instead (Enterprise builds, garbage);
//!   `version_sleep`: seconds to sleep before answering `tsh version` (a hung tsh);
//!   `version_json=no`: refuse `--format=json` (a tsh older than that flag);
//!   `version_child`: start a child that sleeps first (as a re-executed copy would run).
//! - `managed`: without `TELEPORT_TOOLS_VERSION=off`, `tsh version` reports this managed version
//!   and `Re-executed from version: <version>`, as a re-executing tsh does.
//! - `touch`: a file to create whenever it runs (proof that something ran it).
//!
//! Every run appends `<argv0> <args…> HOME=… TELEPORT_HOME=… TELEPORT_TOOLS_VERSION=…` to
//! `runs.log` beside it (`HOME` is `USERPROFILE` on Windows). Environment knobs, as the client's `env` sets them:
//! `FAKE_TSH_PIDFILE` (append this process's id and its children's), `FAKE_TSH_LINGER` (MCP
//! servers: on stdin EOF keep running, with a child), `FAKE_TSH_INIT_ERROR` (answer
//! `initialize` with this JSON-RPC error), `FAKE_TSH_STDERR_FLOOD` (write this many lines to
//! stderr first), `FAKE_TSH_ECHO_ENV` (write `env NAME=value` for each of these comma-separated names, then
//! `cwd <dir>`, to stderr first).

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

/// The child a hanging fake starts (to prove whole process trees are killed) runs this same
/// program with this variable set, so no `sleep` binary is needed.
const SLEEPER: &str = "FAKE_TSH_SLEEPER";

fn main() {
    if std::env::var_os(SLEEPER).is_some() {
        std::thread::sleep(Duration::from_secs(1000));
        return;
    }
    let exe = std::env::current_exe().expect("the fake knows its own path");
    let spec = read_spec(&exe);
    let args: Vec<String> = std::env::args().skip(1).collect();
    log_run(&exe, &args);
    record_pid(std::process::id());
    if let Some(p) = spec.get("touch") {
        let _ = std::fs::write(p, "");
    }
    if let Ok(names) = std::env::var("FAKE_TSH_ECHO_ENV") {
        for name in names.split(',') {
            eprintln!("env {name}={}", std::env::var(name).unwrap_or_default());
        }
        eprintln!("cwd {}", std::env::current_dir().unwrap_or_default().display());
    }
    let mode = spec.get("mode").map(String::as_str).unwrap_or("");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    std::process::exit(match args.as_slice() {
        ["version", rest @ ..] => version(&spec, rest),
        ["mcp", "connect", app, ..] => mcp_connect(mode, app),
        ["status", ..] => status(mode),
        ["mcp", "ls", ..] if mode == "online-ok" => {
            print!("{}", fixture("mcp-ls.json"));
            0
        }
        _ => {
            eprintln!("ERROR: expected command but got \"{}\"", args.join(" "));
            1
        }
    });
}

/// `<exe>.fake`, as `key=value` lines; a missing file is a plain tsh 18.2.3.
fn read_spec(exe: &Path) -> HashMap<String, String> {
    let mut name = exe.as_os_str().to_owned();
    name.push(".fake");
    let text = std::fs::read_to_string(PathBuf::from(name)).unwrap_or_default();
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.trim().to_owned(), v.to_owned())).collect()
}

fn log_run(exe: &Path, args: &[String]) {
    let Some(dir) = exe.parent() else { return };
    let argv0 = std::env::args().next().unwrap_or_default();
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let line = format!(
        "{argv0} {} HOME={} TELEPORT_HOME={} TELEPORT_TOOLS_VERSION={}\n",
        args.join(" "),
        // The home folder's variable: USERPROFILE on Windows.
        var(if cfg!(windows) { "USERPROFILE" } else { "HOME" }),
        var("TELEPORT_HOME"),
        var("TELEPORT_TOOLS_VERSION")
    );
    append(&dir.join("runs.log"), &line);
}

fn append(path: &Path, text: &str) {
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(text.as_bytes());
    }
}

fn record_pid(pid: u32) {
    if let Some(p) = std::env::var_os("FAKE_TSH_PIDFILE") {
        append(Path::new(&p), &format!("{pid}\n"));
    }
}

fn version(spec: &HashMap<String, String>, flags: &[&str]) -> i32 {
    if spec.contains_key("version_child") {
        start_sleeper();
    }
    if let Some(s) = spec.get("version_sleep") {
        std::thread::sleep(Duration::from_secs(s.parse().unwrap_or(60)));
    }
    let json = flags.contains(&"--format=json") || flags.windows(2).any(|w| w == ["--format", "json"]);
    if json && spec.get("version_json").is_some_and(|v| v == "no") {
        // A tsh older than `version --format` refuses the flag, as kingpin does.
        eprintln!("ERROR: unknown long flag '--format'");
        return 1;
    }
    let own = spec.get("version").map(String::as_str).unwrap_or("18.2.3");
    let line = |v: &str| format!("Teleport v{v} git:v{v}-0-g1a2b3c4 go1.24.7");
    // `onVersion` with `--format=json` (`serializeVersion`): `reExecutedFromVersion` is left out
    // when empty, as are the proxy keys under `--client`.
    let doc = |v: &str, from: Option<&str>| {
        let from = from.map(|f| format!(",\n  \"reExecutedFromVersion\": \"{f}\"")).unwrap_or_default();
        format!(
            "{{\n  \"version\": \"{v}\",\n  \"gitref\": \"v{v}-0-g1a2b3c4\",\n  \"runtime\": \"go1.24.7\"{from}\n}}"
        )
    };
    let off = std::env::var("TELEPORT_TOOLS_VERSION").is_ok_and(|v| v == "off");
    match (spec.get("managed"), spec.get("version_line")) {
        (Some(m), _) if !off && json => println!("{}", doc(m, Some(own))),
        (Some(m), _) if !off => println!("{}\nRe-executed from version: {own}", line(m)),
        // A build that prints this line whatever it is asked (Enterprise's, garbage).
        (_, Some(l)) => println!("{l}"),
        _ if json => println!("{}", doc(own, None)),
        _ => println!("{}", line(own)),
    }
    0
}

fn mcp_connect(mode: &str, app: &str) -> i32 {
    match mode {
        "mcp-ok" => serve_mcp(&tools(), true),
        "mcp-notools" => serve_mcp(&[], false),
        "mcp-fail" => {
            eprintln!("ERROR: access denied to app \"{app}\"");
            return 1;
        }
        "mcp-hang" => hang(),
        _ => {
            eprintln!("ERROR: not a tsh that serves MCP");
            return 1;
        }
    }
    0
}

fn status(mode: &str) -> i32 {
    match mode {
        "online-ok" => {
            print!("{}", fixture("status-logged-in.json"));
            0
        }
        "online-expired" => {
            print!("{}", fixture("status-expired.json"));
            eprint!("{}", fixture("status-expired.stderr"));
            1
        }
        // Profiles exist, none is current: tsh prints the JSON and fails.
        "online-no-active-profile" => {
            print!("{}", fixture("status-no-active-profile.json"));
            eprint!("{}", fixture("status-no-active-profile.stderr"));
            1
        }
        "online-logged-out" => {
            eprint!("{}", fixture("status-not-logged-in.stderr"));
            1
        }
        "online-hang" => {
            ignore_sigterm();
            start_sleeper();
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        _ => {
            eprintln!("ERROR: not a tsh with a session");
            1
        }
    }
}

/// Real tsh output, kept in the repository (see `testdata/fake/fixtures/SOURCES.md`).
fn fixture(name: &str) -> &'static str {
    match name {
        "mcp-ls.json" => include_str!("../../testdata/fake/fixtures/mcp-ls.json"),
        "status-logged-in.json" => include_str!("../../testdata/fake/fixtures/status-logged-in.json"),
        "status-expired.json" => include_str!("../../testdata/fake/fixtures/status-expired.json"),
        "status-expired.stderr" => include_str!("../../testdata/fake/fixtures/status-expired.stderr"),
        "status-no-active-profile.json" => include_str!("../../testdata/fake/fixtures/status-no-active-profile.json"),
        "status-no-active-profile.stderr" => {
            include_str!("../../testdata/fake/fixtures/status-no-active-profile.stderr")
        }
        "status-not-logged-in.stderr" => include_str!("../../testdata/fake/fixtures/status-not-logged-in.stderr"),
        _ => unreachable!("no fixture {name}"),
    }
}

fn tools() -> Vec<Value> {
    vec![
        json!({
            "name": "teleport_user_info",
            "description": "Shows the Teleport user and session information.",
            "inputSchema": {"type": "object", "properties": {}},
        }),
        json!({
            "name": "teleport_demo_echo",
            "description": "Echoes its input.",
            "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        }),
    ]
}

fn send(msg: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{msg}");
    let _ = out.flush();
}

/// A minimal stdio MCP server: initialize, tools/list (one tool a page when `paginate`), ping.
fn serve_mcp(tools: &[Value], paginate: bool) {
    let flood: usize = std::env::var("FAKE_TSH_STDERR_FLOOD").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    {
        let mut err = std::io::stderr().lock();
        for i in 1..=flood {
            let _ = writeln!(err, "DEBUG: noise line {i} of {flood}, padding padding padding");
        }
    }
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<Value>(line.trim()) else { continue };
        // Notifications (notifications/initialized) and responses get no answer.
        let (Some(id), Some(method)) = (msg.get("id").cloned(), msg.get("method").and_then(Value::as_str)) else {
            continue;
        };
        let init_error = std::env::var("FAKE_TSH_INIT_ERROR").ok();
        let reply = match method {
            "initialize" if init_error.is_some() => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": init_error}})
            }
            "initialize" => json!({"jsonrpc": "2.0", "id": id, "result": {
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {"listChanged": false}},
                "serverInfo": {"name": "teleport-mcp-demo", "version": "1.0.0"},
            }}),
            "tools/list" => {
                let result = if paginate && !tools.is_empty() {
                    let cursor = msg.pointer("/params/cursor").and_then(Value::as_str);
                    let start: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0).min(tools.len());
                    let mut r = json!({"tools": tools[start..(start + 1).min(tools.len())]});
                    if start + 1 < tools.len() {
                        r["nextCursor"] = json!((start + 1).to_string());
                    }
                    r
                } else {
                    json!({"tools": tools})
                };
                json!({"jsonrpc": "2.0", "id": id, "result": result})
            }
            "ping" => json!({"jsonrpc": "2.0", "id": id, "result": {}}),
            _ => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": format!("Method not found: {method}")}})
            }
        };
        send(reply);
    }
    if std::env::var_os("FAKE_TSH_LINGER").is_some() {
        linger();
    }
}

/// Ignores SIGTERM, starts a child, reads stdin and never answers, and keeps running after EOF.
fn hang() -> ! {
    ignore_sigterm();
    start_sleeper();
    eprintln!("INFO: connecting to the MCP server...");
    for _ in std::io::stdin().lock().lines() {}
    linger()
}

/// Ignores SIGTERM, starts a child and runs until killed.
fn linger() -> ! {
    ignore_sigterm();
    start_sleeper();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn start_sleeper() {
    let exe = std::env::current_exe().expect("the fake knows its own path");
    let child = std::process::Command::new(exe)
        .env(SLEEPER, "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the fake starts its child");
    record_pid(child.id());
    // The child is left running on purpose: whoever kills this process must kill it too.
    std::mem::forget(child);
}

/// A server that ignores SIGTERM proves that mcpcfg escalates to SIGKILL. Registering a handler
/// through tokio replaces the default action (termination) for the life of the process.
#[cfg(unix)]
fn ignore_sigterm() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let _enter = rt.enter();
    let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    std::mem::forget(signal);
    std::mem::forget(rt);
}

/// Windows has no SIGTERM: a process is ended by TerminateProcess, which cannot be ignored.
#[cfg(not(unix))]
fn ignore_sigterm() {}
