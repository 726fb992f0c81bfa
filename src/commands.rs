//! The commands: each takes validated [`Settings`], does its I/O through the edge modules and
//! returns the exit status.

use std::cell::RefCell;
use std::io::Write;

use crate::backup::BackupRun;
use crate::check::{self, Depth};
use crate::cli::Format;
use crate::clientlock;
use crate::findings::{Code, Finding, Severity};
use crate::fix::{self, FixOptions};
use crate::online::{self, SessionState};
use crate::settings::Settings;
use crate::write::{self, WriteError};
use crate::{emit, output, scan};

pub fn list(s: &Settings) -> anyhow::Result<u8> {
    let report = check::gather(s, Depth::Servers, &scan::locations(s))?;
    emit(s, &report, false, false)?;
    Ok(report.exit_code(false))
}

pub fn check(s: &Settings) -> anyhow::Result<u8> {
    let report = check::gather(s, Depth::Findings, &scan::locations(s))?;
    emit(s, &report, true, false)?;
    Ok(report.exit_code(s.strict))
}

/// What fix-config was asked.
#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    pub options: FixOptions,
    pub dry_run: bool,
    pub backup: bool,
    /// Append a line to the autofix log: what was repaired, what is left.
    pub log: bool,
}

pub fn fix_config(s: &Settings, req: &FixRequest) -> anyhow::Result<u8> {
    let scanned = scan::locations(s);
    if req.dry_run {
        return dry_run(s, req, &scanned);
    }
    // One backup run for every attempt, so that one `undo` goes back on the whole fix.
    let backups = RefCell::new(if req.backup { Some(BackupRun::begin(&s.host.state_dir())?) } else { None });
    let (mut changes, mut clients, mut approvals) = (Vec::new(), Vec::new(), Vec::new());
    let mut attempt = 1;
    let (mut report, skipped, outcome) = loop {
        // Clients' own locks are taken before the files are read and held until they are
        // replaced, so that a client's read-modify-write and ours never interleave.
        let (held, busy) = take_client_locks(s, &scanned)?;
        let mut report = check::gather(s, Depth::Repairs, &scanned)?;
        check::known_servers(&req.options.servers, &report)?;
        let to = report.tsh.as_ref().map(|t| t.stable.path.clone());
        let plan = fix::plan(&report, to.as_deref(), &req.options)?;
        if attempt == 1 {
            for c in report.configs.iter().filter(|c| c.loaded.parsed.is_ok()) {
                write::clean_up_after_killed_runs(&c.loaded.location.path);
            }
        }
        let (applied, outcome) = write_plan(&mut report, plan.files, &busy, &backups);
        changes.extend(applied.iter().flat_map(|f| f.changes.clone()));
        approvals.extend(fix::approval_notes(&report, &applied));
        clients.extend(
            applied
                .iter()
                .flat_map(|f| std::iter::once(f.config).chain(f.also.iter().copied()))
                .map(|i| report.configs[i].loaded.location.client),
        );
        fix::after(&mut report, &fix::Plan { files: applied, skipped: vec![] });
        drop(held);
        // Another writer (Claude Code rewrites ~/.claude.json often) changed a file between our
        // read and our rename: read it again and repair what is still due, a few times.
        if outcome != WriteOutcome::ChangedMeanwhile || attempt == FIX_ATTEMPTS {
            break (report, plan.skipped, outcome);
        }
        std::thread::sleep(std::time::Duration::from_millis(100 << (2 * (attempt - 1))));
        attempt += 1;
    };
    if let Some(b) = backups.into_inner() {
        b.finish()?;
    }
    report.changes = changes;
    let mut notes = skipped;
    notes.extend(fix::restart_notes(clients));
    notes.extend(approvals);
    if !report.changes.is_empty() && req.backup {
        notes.push("run `mcpcfg undo` to restore the previous files".into());
    }
    // A run with nothing to do says so, rather than nothing at all; one whose writes failed
    // says so in its errors instead.
    if report.changes.is_empty() && notes.is_empty() && report.errors.is_empty() {
        let left = report.all_findings().any(|(_, _, f)| f.severity == crate::findings::Severity::Error);
        notes.push(if left {
            "nothing mcpcfg can repair: for what is left above, `mcpcfg doctor` gives the steps".to_owned()
        } else {
            "nothing to repair: every tsh path is in order".to_owned()
        });
    }
    report.notes = notes;
    // The files are written by now: an output that fails must not read as a failed repair.
    anyhow::Context::context(
        emit(s, &report, true, true),
        "the configs were repaired as planned, but the report could not be written to standard output",
    )?;
    let code = if outcome == WriteOutcome::Done { report.exit_code(s.strict) } else { 3 };
    if req.log {
        let repaired: Vec<String> = report
            .changes
            .iter()
            .map(|c| format!("{}: {}", s.host.tilde(std::path::Path::new(&c.path)), c.server))
            .collect();
        let mut left = output::left_words(&report);
        if code == 3 {
            left.push_str("; a config changed meanwhile or a client held its lock: tried again at the next change");
        }
        crate::service::append_log(
            &s.host,
            &crate::autofix::log_line(std::time::SystemTime::now(), code, &repaired, &left),
        )?;
    }
    Ok(code)
}

/// `mcpcfg autofix run`, what the trigger starts: fix-config on the user-level configs only (no
/// project folder is read: the service has none), quiet, with a line in the autofix log. An
/// error that stops it (a config it cannot parse) is logged too, then reported as usual.
pub fn autofix_run(s: &Settings) -> anyhow::Result<u8> {
    let mut s = s.clone();
    s.project_dirs.clear();
    s.scan_dirs.clear();
    s.quiet = true;
    s.color = false;
    s.format = Format::Text;
    let req = FixRequest { options: FixOptions::default(), dry_run: false, backup: true, log: true };
    match fix_config(&s, &req) {
        Ok(code) => Ok(code),
        Err(e) => {
            let line = crate::autofix::log_line(std::time::SystemTime::now(), 2, &[], &format!("error: {e:#}"));
            let _ = crate::service::append_log(&s.host, &line);
            Err(e)
        }
    }
}

/// How many times fix-config reads, plans and writes again after a concurrent change.
const FIX_ATTEMPTS: u32 = 3;

/// Whether every planned write went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriteOutcome {
    Done,
    /// A file changed between the read and the rename: worth another attempt.
    ChangedMeanwhile,
    /// A client held its lock past the wait: the file was left alone.
    LockedOut,
}

fn dry_run(s: &Settings, req: &FixRequest, scanned: &[crate::clients::Location]) -> anyhow::Result<u8> {
    let mut report = check::gather(s, Depth::Repairs, scanned)?;
    check::known_servers(&req.options.servers, &report)?;
    let to = report.tsh.as_ref().map(|t| t.stable.path.clone());
    let plan = fix::plan(&report, to.as_deref(), &req.options)?;
    let mut diffs = String::new();
    for f in &plan.files {
        let c = &report.configs[f.config];
        diffs.push_str(&fix::diff(c, &c.loaded.location.path.to_string_lossy(), f)?);
    }
    report.changes = plan.files.iter().flat_map(|f| f.changes.clone()).collect();
    report.notes = plan.skipped.clone();
    report.notes.extend(fix::before_notes(&report, &plan));
    report.notes.extend(fix::approval_notes(&report, &plan.files));
    if s.format == Format::Text && !s.quiet {
        let mut out = output::stdout();
        out.write_all(output::color_diff(&output::clean_diff(&diffs), s.color).as_bytes())?;
        if plan.files.is_empty() {
            writeln!(out, "nothing to change")?;
        }
        for n in &report.notes {
            writeln!(out, "{}", output::clean(n))?;
        }
        out.flush()?;
    } else if s.format == Format::Json {
        emit(s, &report, true, true)?;
    }
    Ok(report.exit_code(s.strict))
}

/// Writes each planned file; returns the plans that were applied and how it went. Errors go to
/// `report.errors`, findings of the writes (hard links) to the report's configs.
fn write_plan(
    report: &mut crate::report::Report,
    files: Vec<fix::FilePlan>,
    busy: &[(std::path::PathBuf, clientlock::LockError)],
    backups: &RefCell<Option<BackupRun>>,
) -> (Vec<fix::FilePlan>, WriteOutcome) {
    let mut applied = Vec::new();
    let mut outcome = WriteOutcome::Done;
    for f in files {
        let c = &report.configs[f.config];
        let path = &c.loaded.location.path;
        if let Some((_, e)) = busy.iter().find(|(p, _)| p == path) {
            report.errors.push(format!("{e}; {} was left alone: run again when it is done", path.display()));
            outcome = WriteOutcome::LockedOut;
            continue;
        }
        let (old_bytes, new) = match c.loaded.bytes().and_then(|old| Ok((old, f.build(c)?))) {
            Ok(b) => b,
            Err(e) => {
                report.errors.push(format!("{e:#}"));
                continue;
            }
        };
        let written = write_checked(&f, c, old_bytes, &new, backups);
        match written {
            Ok(w) => {
                if let Some(b) = backups.borrow_mut().as_mut() {
                    let target = write::resolve_symlinks(path).unwrap_or_else(|_| path.clone());
                    if let Err(e) = b.written(&target) {
                        report.errors.push(format!("{e:#}"));
                    }
                }
                if let Some(warning) = w.hard_link_warning {
                    // A finding, so JSON, the counts and --strict see it too.
                    report.configs[f.config].file_findings.push(Finding {
                        skew: None,
                        code: Code::ConfigHardLinked,
                        severity: Severity::Warning,
                        message: warning,
                        hint: "the file's other names still hold the old text: make them symlinks, or repair them too"
                            .into(),
                    });
                }
                applied.push(f);
            }
            Err(e) => {
                // The backup was saved before the final check; it backs up nothing now.
                if let Some(b) = backups.borrow_mut().as_mut() {
                    let _ = b.forget(&write::resolve_symlinks(path).unwrap_or_else(|_| path.clone()));
                }
                if matches!(e, WriteError::Changed { .. }) && outcome == WriteOutcome::Done {
                    outcome = WriteOutcome::ChangedMeanwhile;
                }
                report.errors.push(e.to_string());
            }
        }
    }
    (applied, outcome)
}

/// Writes `new` (the old bytes and the edits' literals, never put together whole) over `c`'s
/// file (which held `old_bytes`), saving a backup first when the run keeps them. The proof
/// that the new text differs only in the edited literals, and the hash undo keeps of it, are
/// needed only before the rename: they run on the other core while the temporary copy is
/// written and flushed (a 64 MB file: about 40 ms saved).
fn write_checked(
    f: &fix::FilePlan,
    c: &crate::report::ConfigReport,
    old_bytes: &[u8],
    new: &crate::document::Patched<'_>,
    backups: &RefCell<Option<BackupRun>>,
) -> Result<write::WriteReport, WriteError> {
    let path = &c.loaded.location.path;
    let keep = backups.borrow().is_some();
    // Refusals that only a bug can cause.
    let bug = |what: &str| format!("{}: {what}; nothing was written (please report this)", path.display());
    let refused = |what: &str| WriteError::Refused { message: bug(what) };
    std::thread::scope(|scope| {
        // Each on a thread of its own, so that the two cores share them (and the write) evenly.
        let hashed = keep.then(|| scope.spawn(|| crate::backup::NewContent::of_pieces(new.pieces())));
        let checked = scope.spawn(|| -> anyhow::Result<Option<crate::backup::NewContent>> {
            f.verify(c, new)?;
            hashed.map(|h| h.join().map_err(|_| anyhow::anyhow!(bug("the hash of the repair failed")))).transpose()
        });
        // `before_rename` runs once; the cell hands it the one result to wait for.
        let checked = RefCell::new(Some(checked));
        let save = |target: &std::path::Path| -> Result<(), WriteError> {
            let checked = checked.borrow_mut().take().ok_or_else(|| refused("the repair was checked twice"))?;
            let kept = match checked.join() {
                Ok(Ok(kept)) => kept,
                Ok(Err(e)) => return Err(WriteError::Refused { message: format!("{e:#}") }),
                Err(_) => return Err(refused("the check of the repair failed")),
            };
            if let (Some(b), Some(kept)) = (backups.borrow_mut().as_mut(), kept) {
                b.save(target, path, old_bytes, kept).map_err(|e| WriteError::Io {
                    path: target.to_path_buf(),
                    action: "save a backup of",
                    source: std::io::Error::other(format!("{e:#}")),
                })?;
            }
            Ok(())
        };
        write::atomic_replace_read(path, old_bytes, c.loaded.identity, new, &save)
    })
}

/// The locks of every client file that has one (Claude Code's `~/.claude.json`): those taken, and
/// the files whose lock another program held past the wait, each with why.
#[allow(clippy::type_complexity)]
fn take_client_locks(
    s: &Settings,
    scanned: &[crate::clients::Location],
) -> anyhow::Result<(Vec<clientlock::Held>, Vec<(std::path::PathBuf, clientlock::LockError)>)> {
    let (mut held, mut busy) = (vec![], vec![]);
    for l in crate::load::locations(s, scanned)? {
        if l.servers_at != crate::clients::ServersAt::ClaudeCodeUser {
            continue;
        }
        match clientlock::acquire(&l.path, lock_wait(), clientlock::STALE) {
            Ok(h) => held.push(h),
            Err(e @ clientlock::LockError::Busy(_)) => busy.push((l.path.clone(), e)),
            // A folder no lock can be made in (read-only): the client cannot lock it either, and
            // the write, if one is due, fails with the better message.
            Err(clientlock::LockError::Io { .. }) => {}
        }
    }
    Ok((held, busy))
}

/// How long to wait for a client's lock. Debug builds let a test shorten it with
/// `MCPCFG_TEST_LOCK_WAIT_MS`; release builds always wait [`clientlock::WAIT`].
fn lock_wait() -> std::time::Duration {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("MCPCFG_TEST_LOCK_WAIT_MS").ok().and_then(|v| v.parse().ok()) {
        return std::time::Duration::from_millis(ms);
    }
    clientlock::WAIT
}

/// What doctor was asked.
#[derive(Clone, Debug, Default)]
pub struct DoctorRequest {
    pub online: bool,
    pub probe: bool,
    pub servers: Vec<String>,
    pub timeout: std::time::Duration,
}

pub fn doctor(s: &Settings, req: &DoctorRequest) -> anyhow::Result<u8> {
    let mut report = check::gather(s, Depth::Findings, &scan::locations(s))?;
    check::known_servers(&req.servers, &report)?;
    let host = &s.host;
    let path_entries = crate::tsh::split_path_var(host.os, &s.path_var);
    let which_tsh = crate::tsh::on_path(host.os, &path_entries)
        .find(|p| check::file_state(p) == crate::findings::FileState::Executable);
    let resolve = |p: &std::path::Path| dunce::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let links = report
        .all_findings()
        .filter_map(|(_, _, f)| f.skew.as_ref().map(|k| (k.runs.clone(), resolve(&k.runs))))
        .collect();
    let mut ctx = crate::doctor::Context {
        os: host.os,
        which_tsh,
        stable: report.tsh.as_ref().map(|t| (t.stable.path.clone(), resolve(&t.stable.path))),
        stable_version: report.tsh.as_ref().and_then(|t| t.version.clone()),
        links,
        proxy: crate::load::read_regular(&host.teleport_home().join("current-profile"))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        user: None,
        cleared_tools_dir: host.tools_dirs().into_iter().find(|d| crate::doctor::tools_dir_cleared(d)),
        managed: report.tsh.as_ref().is_some_and(|t| t.managed_version.is_some()),
    };

    if req.online {
        ask_cluster(s, req, &mut report, &mut ctx);
    }

    if req.probe {
        probe_servers(s, req, &mut report);
    }

    match s.format {
        Format::Json => {
            let mut doc = output::json(&s.host, &report, false);
            let steps: Vec<Vec<String>> = report
                .all_findings()
                .map(|(c, _, f)| {
                    let clients: Vec<_> = c.map(|c| c.loaded.location.client).into_iter().collect();
                    let project = c.is_some_and(|c| c.loaded.location.scope == crate::clients::Scope::Project);
                    crate::doctor::steps(f, &clients, project, &ctx)
                })
                .collect();
            if let Some(list) = doc["findings"].as_array_mut() {
                for (f, st) in list.iter_mut().zip(steps) {
                    f["steps"] = serde_json::json!(st);
                }
            }
            doc["probes"] = serde_json::Value::Array(report.probes.iter().map(output::probe_json).collect());
            // The steps of every finding merged into one list, in order, each once.
            doc["plan"] = serde_json::json!(
                output::doctor_plan(&s.host, &report, &ctx)
                    .iter()
                    .flat_map(|step| step.split('\n').map(|l| l.trim_start().to_owned()).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            );
            output::print_json(&doc)?;
        }
        Format::Text if s.quiet => crate::print_quiet(&report),
        Format::Text => {
            let text = output::doctor_text(&s.host, &report, &ctx, output::Style { color: s.color });
            output::stdout().write_all(text.as_bytes())?;
        }
    }
    crate::print_errors(&report);
    Ok(report.exit_code(s.strict))
}

/// `doctor --online`: the session (`tsh status`) and, when it is valid, the MCP tools each app
/// allows (`tsh mcp ls`); bounded by `timeout` per call.
/// `mcp-no-allowed-tools` for each configured tsh server (of `--server`) that connects to an
/// app whose tools the user's roles all deny; such apps no config uses go in a note.
fn no_tools_findings(s: &Settings, req: &DoctorRequest, report: &mut crate::report::Report, apps: &[online::McpApp]) {
    let denied: Vec<&str> = apps.iter().filter(|a| a.no_allowed_tools()).map(|a| a.name.as_str()).collect();
    let mut used = Vec::new();
    for c in &mut report.configs {
        let file = s.host.tilde(&c.loaded.location.path);
        for sv in c.servers.iter_mut().filter(|sv| sv.tsh && check::selected(&req.servers, &sv.server)) {
            let Some(app) = online::connect_app(&sv.server.args).filter(|a| denied.contains(a)) else { continue };
            used.push(app.to_owned());
            sv.findings.push(Finding {
                skew: None,
                code: Code::McpNoAllowedTools,
                severity: Severity::Error,
                message: format!("{file}: {}: MCP server {app}: your roles allow none of its tools", sv.server.label()),
                hint: "ask your Teleport administrator to allow MCP tools (allow.mcp.tools)".into(),
            });
        }
    }
    report.notes.push(format!("{} MCP server(s) on the cluster", apps.len()));
    let others: Vec<&str> = denied.into_iter().filter(|a| !used.iter().any(|u| u == a)).collect();
    if !others.is_empty() && req.servers.is_empty() {
        report.notes.push(format!(
            "your roles allow no tools on these MCP servers, which no config here connects to: {}",
            others.join(", ")
        ));
    }
}

fn ask_cluster(
    s: &Settings,
    req: &DoctorRequest,
    report: &mut crate::report::Report,
    ctx: &mut crate::doctor::Context,
) {
    let timeout = req.timeout;
    // With --home, tsh is asked about that home's session, as the guidance reads its profile.
    let env = online::session_env(&s.host);
    let finding = |code, severity, message: String, hint: &str| Finding {
        skew: None,
        code,
        severity,
        message,
        hint: hint.to_owned(),
    };
    match report.tsh.as_ref().map(|t| t.stable.path.clone()) {
        None => report.errors.push("--online needs a tsh and none was found on PATH or at the usual install locations: install tsh, or pass --tsh PATH".into()),
        Some(tsh) => match online::session_state(&tsh, &env, timeout, online::now_unix()) {
            SessionState::Active { proxy, user, cluster, valid_until } => {
                report.notes.push(format!("logged in to {cluster} as {user} via {proxy}, valid until {valid_until}"));
                ctx.proxy = Some(proxy);
                ctx.user = Some(user);
                let version = report.tsh.as_ref().and_then(|t| t.version.clone());
                if let Some(v) = version.filter(|v| *v < crate::tsh::mcp_version()) {
                    report.notes.push(format!(
                        "tsh {v} has no `tsh mcp ls`: MCP tool permissions were not checked (see tsh-mcp-unsupported)"
                    ));
                    return;
                }
                match online::mcp_apps(&tsh, &env, timeout) {
                    Ok(apps) => no_tools_findings(s, req, report, &apps),
                    Err(e) => report.global.push(finding(
                        Code::ClusterUnreachable,
                        Severity::Warning,
                        format!("cannot list MCP servers: {e:#}"),
                        "check the connection to the cluster: tsh status",
                    )),
                }
            }
            SessionState::NotLoggedIn => report.global.push(finding(
                Code::TshNotLoggedIn,
                Severity::Error,
                "tsh is not logged in: MCP clients show \"Server disconnected\"".into(),
                "log in with tsh login",
            )),
            SessionState::Expired { proxy, user } => {
                if proxy.is_some() {
                    ctx.proxy = proxy;
                }
                ctx.user = user;
                report.global.push(finding(
                    Code::TshSessionExpired,
                    Severity::Error,
                    "the tsh session has expired: MCP clients show \"Server disconnected\"".into(),
                    "log in again with tsh login",
                ));
            }
            SessionState::Unknown(why) if online::network_failure(&why) => report.global.push(finding(
                Code::ClusterUnreachable,
                Severity::Warning,
                format!("cannot tell the session state: {why}"),
                "check the connection to the cluster: tsh status",
            )),
            // Not the network: saying "check your network" would send people the wrong way.
            SessionState::Unknown(why) => report.global.push(finding(
                Code::SessionUnknown,
                Severity::Warning,
                format!("cannot tell the session state: {why}"),
                "run `tsh status` to see what tsh says",
            )),
        },
    }
}

/// Starts each selected stdio server as its client would and records what it answered.
fn probe_servers(s: &Settings, req: &DoctorRequest, report: &mut crate::report::Report) {
    use crate::clients::Scope;
    use crate::probe::{LaunchSpec, ProbeOutcome};

    let mut targets = Vec::new();
    for (ci, c) in report.configs.iter().enumerate() {
        for (si, sv) in c.servers.iter().enumerate() {
            let server = &sv.server;
            let Some(cmd) = &server.command else { continue };
            if !check::selected(&req.servers, server) {
                continue;
            }
            if c.loaded.location.scope == Scope::Project && !s.trust_project {
                report.notes.push(format!(
                    "not probed {}: {} (project-level; pass --trust-project to start it)",
                    s.host.tilde(&c.loaded.location.path),
                    server.label()
                ));
                continue;
            }
            // Started as its client starts it: variables expanded, when mcpcfg can.
            let Some(command) = crate::vars::expand(&s.host, &c.loaded.location, &cmd.value).path(&cmd.value) else {
                report.notes.push(format!(
                    "not probed {}: {} (its command holds a variable mcpcfg cannot expand)",
                    s.host.tilde(&c.loaded.location.path),
                    server.label()
                ));
                continue;
            };
            let spec = LaunchSpec {
                command,
                args: server.args.clone(),
                env: server.env.clone(),
                cwd: server.cwd.as_ref().map(std::path::PathBuf::from),
            };
            targets.push((ci, si, spec));
        }
    }
    let specs: Vec<LaunchSpec> = targets.iter().map(|t| t.2.clone()).collect();
    let outcomes = crate::probe::probe_all(&specs, req.timeout);
    for ((ci, si, _), outcome) in targets.into_iter().zip(outcomes) {
        let c = &mut report.configs[ci];
        let path = c.loaded.location.path.clone();
        let sv = &mut c.servers[si];
        let at = format!("{}: {}", s.host.tilde(&path), sv.server.label());
        match &outcome {
            ProbeOutcome::Ok { .. } => {}
            ProbeOutcome::NoTools { server_name, .. } => sv.findings.push(Finding {
                skew: None,
                code: Code::ServerNoTools,
                severity: Severity::Warning,
                message: format!("{at}: started and answered as {server_name}, but exposes no tools"),
                hint: if sv.tsh {
                    "your Teleport roles allow no MCP tools on it: ask your administrator (allow.mcp.tools)".into()
                } else {
                    "check the server's own configuration".into()
                },
            }),
            ProbeOutcome::StartFailed { reason, stderr_tail, .. } => sv.findings.push(Finding {
                skew: None,
                code: Code::ServerStartFailed,
                severity: Severity::Error,
                message: format!(
                    "{at}: {reason}{}",
                    stderr_tail.last().map(|l| format!("; stderr: {l}")).unwrap_or_default()
                ),
                hint: "this is what the client shows as \"Server disconnected\"; see the steps".into(),
            }),
        }
        report.probes.push(crate::report::Probe { path, server: sv.server.label(), outcome });
    }
}

pub fn undo(s: &Settings, dry_run: bool) -> anyhow::Result<u8> {
    use crate::backup::UndoOutcome;
    let state = s.host.state_dir();
    let Some((run, entries)) = crate::backup::undo_last(&state, dry_run)? else {
        if !s.quiet {
            match s.format {
                Format::Json => output::print_json(&serde_json::json!({"schema": 1, "run": null, "files": []}))?,
                Format::Text => writeln!(output::stdout(), "nothing to undo")?,
            }
        }
        return Ok(0);
    };
    let refused = entries.iter().any(|e| e.outcome != UndoOutcome::Restored);
    match s.format {
        Format::Json => {
            let files: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| {
                    let outcome = match e.outcome {
                        UndoOutcome::Restored => "restored",
                        UndoOutcome::ChangedSince => "changed-since",
                        UndoOutcome::Missing => "missing",
                    };
                    serde_json::json!({"path": e.path.to_string_lossy(), "outcome": outcome})
                })
                .collect();
            output::print_json(&serde_json::json!({"schema": 1, "run": run, "dry_run": dry_run, "files": files}))?;
        }
        Format::Text if s.quiet => {}
        Format::Text => {
            let mut out = output::stdout();
            for e in &entries {
                let p = output::clean(&s.host.tilde(&e.path));
                match e.outcome {
                    UndoOutcome::Restored if dry_run => writeln!(out, "would restore {p}")?,
                    UndoOutcome::Restored => writeln!(out, "restored {p}")?,
                    UndoOutcome::ChangedSince => writeln!(
                        out,
                        "left alone {p}: it changed since mcpcfg fixed it (what it held before: {})",
                        output::clean(&s.host.tilde(&e.backup))
                    )?,
                    UndoOutcome::Missing => writeln!(out, "left alone {p}: it no longer exists")?,
                }
            }
        }
    }
    Ok(u8::from(refused))
}
