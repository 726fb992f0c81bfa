//! How a [`Report`] is shown: text for people (grouped by file, `~` paths, sanitised, coloured
//! only when asked or on a terminal) and JSON schema 1 for machines. `env` values never appear:
//! the report does not even hand them to this module's formatting, only their names.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::findings::{Finding, Severity};
use crate::load::LoadError;
use crate::platform::Host;
use crate::report::{ConfigReport, Report, ServerReport};

/// Escapes control characters (and the invisible ones that reorder a line) so a config cannot
/// drive the terminal or disguise what it says.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The invisible characters that reorder text (U+202A–U+202E, U+2066–U+2069, the marks
/// U+200E, U+200F, U+061C): a server name holding one can make a line read as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A diff made safe for a terminal, line by line.
pub fn clean_diff(s: &str) -> String {
    // A CRLF file's lines keep their CR, or the diff would not apply to the file.
    s.split_inclusive('\n')
        .map(|l| match l.strip_suffix("\r\n") {
            Some(body) => clean(body) + "\r\n",
            None => clean(l.strip_suffix('\n').unwrap_or(l)) + "\n",
        })
        .collect()
}

/// A unified diff coloured as git colours one on a terminal: headers bold, hunk lines cyan,
/// removed lines red, added lines green; unchanged without `color`.
pub fn color_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_owned();
    }
    let st = Style { color };
    diff.split_inclusive('\n')
        .map(|l| {
            let body = l.strip_suffix('\n').unwrap_or(l);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let code = if body.starts_with("--- ") || body.starts_with("+++ ") {
                "1"
            } else if body.starts_with("@@") {
                "36"
            } else if body.starts_with('-') {
                "31"
            } else if body.starts_with('+') {
                "32"
            } else {
                return l.to_owned();
            };
            st.paint(code, body) + &l[body.len()..]
        })
        .collect()
}

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        // Nothing to paint gets no escapes: a line without env keys ends where its text does.
        if self.color && !s.is_empty() { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }
    /// A server's mark, coloured as its worst finding: ✗ red, ! yellow, ✓ green, ○ (not loaded) dim.
    pub fn mark(self, mark: &str) -> String {
        match mark {
            "✗" => self.paint("1;31", mark),
            "!" => self.paint("33", mark),
            "✓" => self.paint("32", mark),
            _ => self.dim(mark),
        }
    }
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    pub fn green(self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn severity(self, sev: Severity) -> String {
        match sev {
            Severity::Error => self.paint("1;31", "error"),
            Severity::Warning => self.paint("33", "warning"),
            Severity::Info => self.paint("36", "info"),
        }
    }
}

fn version_text(v: &Option<semver::Version>) -> String {
    v.as_ref().map_or_else(|| "version unknown".to_owned(), |v| v.to_string())
}

/// The `tsh:` line at the top of text output.
pub fn tsh_line(host: &Host, report: &Report) -> String {
    match &report.tsh {
        None => "tsh: none found on PATH or at the usual install locations".to_owned(),
        Some(t) => {
            let how = t.stable.source.words();
            let mut line = format!("tsh: {} ({how}), {}", clean(&host.tilde(&t.stable.path)), version_text(&t.version));
            if let Some(m) = &t.managed_version {
                let _ = write!(line, "; managed updates run {m}");
            }
            line
        }
    }
}

/// The command and args of a server, shortened for a line.
fn command_line(host: &Host, s: &ServerReport) -> String {
    let sv = &s.server;
    match (&sv.command, &sv.url) {
        (Some(c), _) => {
            let mut line = clean(&host.tilde(std::path::Path::new(&c.value)));
            for a in &sv.args {
                line.push(' ');
                line.push_str(&clean(a));
            }
            line
        }
        (None, Some(u)) => format!("remote {}", clean(u)),
        (None, None) => "(no command)".to_owned(),
    }
}

/// The message without the "file: server: " prefix, which the text layout already shows.
fn short_message<'a>(host: &Host, c: &ConfigReport, s: Option<&ServerReport>, f: &'a Finding) -> &'a str {
    let file = host.tilde(&c.loaded.location.path);
    let prefix = match s {
        Some(s) => format!("{file}: {}: ", s.server.label()),
        None => format!("{file}: "),
    };
    f.message.strip_prefix(&prefix).unwrap_or(&f.message)
}

fn finding_lines(out: &mut String, st: Style, indent: &str, msg: &str, f: &Finding) {
    let _ = writeln!(out, "{indent}{} {}: {}", st.severity(f.severity), f.code.id(), clean(msg));
    let _ = writeln!(out, "{indent}  {} {}", st.dim("hint:"), clean(&f.hint));
}

/// Text output: one block per file, one line per server, findings under it.
///
/// `only_left` (after fix-config) lists only the configs and servers that still have findings:
/// what was repaired is said by the `fixed` lines, and what is healthy needs no line.
pub fn text(host: &Host, report: &Report, st: Style, show_findings: bool, only_left: bool) -> String {
    let mut out = String::new();
    // What fix-config changed comes first: a successful repair must not read as a list of
    // errors with the good news at the end. What is left follows.
    for ch in &report.changes {
        let _ = writeln!(
            out,
            "{} {}: {}: {} -> {}",
            st.green("fixed"),
            clean(&host.tilde(&ch.path)),
            clean(&ch.server),
            // Shortened as the file is: `~/.tsh/bin/…/tsh -> ~/bin/tsh`.
            clean(&host.tilde(std::path::Path::new(&ch.from))),
            clean(&host.tilde(std::path::Path::new(&ch.to)))
        );
    }
    if !report.changes.is_empty() {
        out.push('\n');
    }
    if show_findings {
        let _ = writeln!(out, "{}\n", tsh_line(host, report));
    }
    if !report.global.is_empty() {
        let _ = writeln!(out, "{}", st.bold("tsh, session and cluster"));
        for f in &report.global {
            finding_lines(&mut out, st, "  ", &f.message, f);
        }
        out.push('\n');
    }
    for c in &report.configs {
        let loc = &c.loaded.location;
        if only_left && c.file_findings.is_empty() && c.servers.iter().all(|s| s.findings.is_empty()) {
            continue;
        }
        let _ = writeln!(
            out,
            "{} {}",
            st.bold(&format!("{} ({})", loc.client.id(), loc.scope.id())),
            clean(&host.tilde(&loc.path))
        );
        for f in &c.file_findings {
            finding_lines(&mut out, st, "  ", short_message(host, c, None, f), f);
        }
        if c.loaded.parsed.is_ok() && c.servers.is_empty() {
            let _ = writeln!(out, "  {}", st.dim("no servers"));
        }
        for s in c.servers.iter().filter(|s| !only_left || !s.findings.is_empty()) {
            let tag = if s.tsh { " [tsh]" } else { "" };
            let env = if s.server.env.is_empty() {
                String::new()
            } else {
                format!("  env: {}", s.server.env_keys().iter().map(|k| clean(k)).collect::<Vec<_>>().join(", "))
            };
            let mark = match s.findings.iter().map(|f| f.severity).max() {
                Some(Severity::Error) => "✗",
                Some(Severity::Warning) => "!",
                _ => "✓",
            };
            // A server its client never starts is neither healthy nor broken.
            let mark = if s.not_loaded.is_some() { "○" } else { mark };
            let mark = if show_findings { format!("{} ", st.mark(mark)) } else { String::new() };
            let not_loaded = match s.not_loaded {
                Some(why) => format!("  (not loaded: {})", why.words()),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "  {mark}{}{tag}: {}{}{}",
                clean(&s.server.label()),
                command_line(host, s),
                st.dim(&env),
                st.dim(&not_loaded)
            );
            if show_findings {
                for f in &s.findings {
                    finding_lines(&mut out, st, "      ", short_message(host, c, Some(s), f), f);
                }
            }
        }
        out.push('\n');
    }
    if report.configs.is_empty() {
        out.push_str("no MCP client configs found\n\n");
    }
    for n in &report.notes {
        let _ = writeln!(out, "{}", clean(n));
    }
    let sm = report.summary();
    let _ = write!(out, "{}, {} ({} tsh)", plural(sm.configs, "config"), plural(sm.servers, "server"), sm.tsh_servers);
    // After a repair the good news leads: what was repaired, then what is left.
    match (show_findings, report.changes.len()) {
        (true, 0) => {
            let _ = write!(out, ": {}, {}", plural(sm.errors, "error"), plural(sm.warnings, "warning"));
        }
        (true, n) => {
            let left = left_words(report);
            let sep = if sm.errors + sm.warnings == 0 { ", " } else { "; " };
            let _ = write!(out, ": {n} repaired{sep}{left}");
        }
        (false, 0) => {}
        (false, n) => {
            let _ = write!(out, "; {n} repaired");
        }
    }
    out.push('\n');
    out
}

/// A finding in JSON: its message without the "file: server: " prefix, which `path` and
/// `server` hold.
fn finding_json(msg: &str, f: &Finding) -> Value {
    json!({"code": f.code.id(), "severity": f.severity.id(), "message": msg, "hint": f.hint})
}

/// JSON schema 1 (SPEC §7).
pub fn json(host: &Host, report: &Report, with_changes: bool) -> Value {
    let tsh = report.tsh.as_ref().map(|t| {
        json!({
            "path": t.stable.path.to_string_lossy(),
            "source": t.stable.source.id(),
            "version": t.version.as_ref().map(|v| v.to_string()),
            "managed_version": t.managed_version.as_ref().map(|v| v.to_string()),
            "reexec_from": t.reexec_from.as_ref().map(|v| v.to_string()),
        })
    });
    let configs: Vec<Value> = report
        .configs
        .iter()
        .map(|c| {
            let loc = &c.loaded.location;
            let error = match &c.loaded.parsed {
                Ok(_) => Value::Null,
                Err(LoadError::Malformed(e)) => json!({"message": e.message, "line": e.line, "column": e.column}),
                Err(LoadError::Unreadable(why)) => json!({"message": why, "line": null, "column": null}),
            };
            let servers: Vec<Value> = c
                .servers
                .iter()
                .map(|s| {
                    let sv = &s.server;
                    let mut v = json!({
                        "name": sv.name,
                        "tsh": s.tsh,
                        "transport": if sv.is_remote() { "remote" } else { "stdio" },
                        "command": sv.command.as_ref().map(|c| c.value.clone()),
                        "args": sv.args,
                        "env_keys": sv.env_keys(),
                        "loaded": s.not_loaded.is_none(),
                        "not_loaded_reason": s.not_loaded.map(|r| r.id()),
                        "findings": s.findings.iter().map(|f| finding_json(short_message(host, c, Some(s), f), f)).collect::<Vec<_>>(),
                    });
                    if let [projects, project, _] = sv.parent.as_slice()
                        && projects == "projects"
                    {
                        v["project"] = json!(project);
                    }
                    v
                })
                .collect();
            json!({
                "client": loc.client.id(),
                "scope": loc.scope.id(),
                "path": loc.path.to_string_lossy(),
                "syntax": loc.syntax.id(),
                "status": c.status(),
                "error": error,
                "servers": servers,
            })
        })
        .collect();
    let findings: Vec<Value> = report
        .all_findings()
        .map(|(c, s, f)| {
            json!({
                "code": f.code.id(),
                "severity": f.severity.id(),
                "client": c.map(|c| c.loaded.location.client.id()),
                // A tsh binary's own problem names the binary.
                "path": c.map(|c| c.loaded.location.path.to_string_lossy()).or(f.skew.as_ref().map(|k| k.runs.to_string_lossy())),
                "server": s.map(|s| s.server.label()),
                "message": c.map_or(f.message.as_str(), |c| short_message(host, c, s, f)),
                "hint": f.hint,
            })
        })
        .collect();
    let sm = report.summary();
    let mut doc = json!({
        "schema": 1,
        "tsh": tsh,
        "configs": configs,
        "findings": findings,
        "summary": {
            "configs": sm.configs, "servers": sm.servers, "tsh_servers": sm.tsh_servers,
            "errors": sm.errors, "warnings": sm.warnings, "changed": sm.changed,
        },
    });
    if with_changes {
        doc["changes"] = report
            .changes
            .iter()
            .map(|c| json!({"path": c.path.to_string_lossy(), "server": c.server, "from": c.from, "to": c.to}))
            .collect();
        // A write that failed (exit 2) or a file changed meanwhile (exit 3) was on stderr only.
        doc["write_errors"] = report.errors.iter().map(|e| json!({"message": e})).collect();
    }
    doc
}

/// A `doctor --probe` result as JSON.
pub fn probe_json(p: &crate::report::Probe) -> Value {
    use crate::probe::ProbeOutcome;
    let base = json!({"path": p.path.to_string_lossy(), "server": p.server});
    let extra = match &p.outcome {
        ProbeOutcome::Ok { server_name, server_version, tools } => json!({
            "ok": true, "server_name": server_name, "server_version": server_version, "tools": tools,
        }),
        ProbeOutcome::NoTools { server_name, server_version } => json!({
            "ok": true, "server_name": server_name, "server_version": server_version, "tools": 0,
        }),
        ProbeOutcome::StartFailed { reason, exit_status, stderr_tail } => json!({
            "ok": false, "error": reason, "exit_status": exit_status, "stderr_tail": stderr_tail,
        }),
    };
    let mut v = base;
    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    v
}

/// One of doctor's problems: findings with the same guidance, said once with every server they
/// affect and every client to restart.
pub struct Group<'a> {
    pub first: &'a Finding,
    generic: crate::doctor::Advice,
    pub places: Vec<String>,
    pub clients: Vec<crate::clients::Client>,
    /// Whether one of its configs is project-level (its repair needs `--include-project`).
    pub project: bool,
}

/// doctor's problems, in report order.
pub fn doctor_groups<'a>(host: &Host, report: &'a Report, ctx: &crate::doctor::Context) -> Vec<Group<'a>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (c, s, f) in report.all_findings() {
        let generic = crate::doctor::advice(f, &[], ctx);
        // A tsh binary's problem carries the servers that run it.
        let users = f.skew.as_ref().map(|k| k.users.clone()).unwrap_or_default();
        let mut places: Vec<String> = users.iter().map(|(_, u)| u.clone()).collect();
        let mut clients: Vec<crate::clients::Client> = users.iter().map(|(c, _)| *c).collect();
        match (c, s) {
            (Some(c), Some(s)) => places.push(format!("{}: {}", host.tilde(&c.loaded.location.path), s.server.label())),
            (Some(c), None) => places.push(host.tilde(&c.loaded.location.path)),
            _ => {}
        }
        clients.extend(c.map(|c| c.loaded.location.client));
        let project = c.is_some_and(|c| c.loaded.location.scope == crate::clients::Scope::Project);
        let same = |g: &&mut Group<'_>| {
            g.first.code == f.code && g.generic == generic && g.first.hint == f.hint && g.first.skew.is_some()
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => {
                g.places.extend(places);
                g.clients.extend(clients);
                g.project |= project;
            }
            None => groups.push(Group { first: f, generic, places, clients, project }),
        }
    }
    for g in &mut groups {
        g.clients.sort();
        g.clients.dedup();
    }
    groups
}

/// doctor's plan: every problem's steps merged, in order, each once.
pub fn doctor_plan(host: &Host, report: &Report, ctx: &crate::doctor::Context) -> Vec<String> {
    let items: Vec<_> = doctor_groups(host, report, ctx)
        .into_iter()
        .map(|g| (crate::doctor::advice(g.first, &g.clients, ctx).in_project(g.project), g.clients))
        .collect();
    crate::doctor::plan(&items)
}

/// What is left after a repair, named: "nothing left", or "left: 1 error (tsh-version-skew),
/// 0 warnings", which says at once that it is no path.
pub fn left_words(report: &Report) -> String {
    let sm = report.summary();
    if sm.errors + sm.warnings == 0 {
        return "nothing left".to_owned();
    }
    let named = |sev: Severity, count: usize, what: &str| {
        let mut codes: Vec<&str> =
            report.all_findings().filter(|(_, _, f)| f.severity == sev).map(|(_, _, f)| f.code.id()).collect();
        codes.sort_unstable();
        codes.dedup();
        match codes.len() {
            0 => plural(count, what),
            1..=3 => format!("{} ({})", plural(count, what), codes.join(", ")),
            _ => format!("{} ({}, …)", plural(count, what), codes[..3].join(", ")),
        }
    };
    format!(
        "left: {}, {}",
        named(Severity::Error, sm.errors, "error"),
        named(Severity::Warning, sm.warnings, "warning")
    )
}

/// doctor's text: what tsh is where, then each problem once with the servers it affects and
/// numbered steps, then what the probes saw.
pub fn doctor_text(host: &Host, report: &Report, ctx: &crate::doctor::Context, st: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", st.bold("tsh"));
    match &ctx.which_tsh {
        Some(p) => {
            let _ = writeln!(out, "  which tsh: {}", clean(&p.display().to_string()));
        }
        None => out.push_str("  which tsh: no tsh on PATH\n"),
    }
    match &report.tsh {
        Some(t) => {
            let resolved = ctx.resolved(&t.stable.path);
            let link = if resolved != t.stable.path { format!(" -> {}", host.tilde(&resolved)) } else { String::new() };
            let _ = writeln!(
                out,
                "  stable tsh: {} ({}){}",
                clean(&host.tilde(&t.stable.path)),
                t.stable.source.words(),
                clean(&link)
            );
            let _ = writeln!(out, "  its version: {}", version_text(&t.version));
            match (&t.managed_version, &t.reexec_from) {
                (Some(m), Some(r)) => {
                    let _ = writeln!(out, "  managed updates: tsh re-executes {m} (Re-executed from version: {r})");
                }
                (Some(m), None) => {
                    let _ = writeln!(out, "  managed updates: {m}");
                }
                _ => out.push_str("  managed updates: off for this profile\n"),
            }
        }
        None => out.push_str("  stable tsh: none found on PATH or at the usual install locations\n"),
    }
    for n in &report.notes {
        let _ = writeln!(out, "  {}", clean(n));
    }
    out.push('\n');

    let groups = doctor_groups(host, report, ctx);
    if groups.is_empty() {
        let _ = writeln!(out, "{}", st.green("no problems found"));
    }
    // Each problem with what explains it; then one plan for all of them, so that a step shared
    // by several (fix-config, a restart, upgrading a tsh) is said once and in its place.
    let mut items = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let f = g.first;
        // A tsh binary's problem lists the servers that run it below, not in its sentence.
        let msg = match &f.skew {
            Some(k) if !k.users.is_empty() => &k.about,
            _ => &f.message,
        };
        let _ = writeln!(out, "{}. {} {}: {}", i + 1, st.severity(f.severity), f.code.id(), clean(msg));
        let places: Vec<&String> = g.places.iter().filter(|p| !p.is_empty()).collect();
        if places.len() > 1 {
            let _ = writeln!(out, "   affects:");
            for p in places {
                let _ = writeln!(out, "     {}", clean(p));
            }
        }
        let advice = crate::doctor::advice(f, &g.clients, ctx).in_project(g.project);
        // Ten servers broken by one `tsh update --clear` have one explanation: said once.
        let said = |(earlier, _): &(crate::doctor::Advice, _)| earlier.why == advice.why;
        match (!advice.why.is_empty()).then(|| items.iter().position(said)).flatten() {
            Some(j) => {
                let _ = writeln!(out, "   - same as {} above", j + 1);
            }
            None => {
                for why in &advice.why {
                    let _ = writeln!(out, "   - {}", clean(why));
                }
            }
        }
        items.push((advice, g.clients.clone()));
        out.push('\n');
    }
    let plan = crate::doctor::plan(&items);
    if !plan.is_empty() {
        let _ = writeln!(out, "{}", st.bold("what to do, in order"));
        for (n, step) in plan.iter().enumerate() {
            let mut lines = step.split('\n');
            let _ = writeln!(out, "   {}. {}", n + 1, clean(lines.next().unwrap_or_default()));
            for more in lines {
                let _ = writeln!(out, "        {}", clean(more.trim_start()));
            }
        }
        out.push('\n');
    }
    if !report.probes.is_empty() {
        let _ = writeln!(out, "{}", st.bold("probes"));
        for p in &report.probes {
            let at = format!("{}: {}", host.tilde(&p.path), p.server);
            use crate::probe::ProbeOutcome;
            match &p.outcome {
                ProbeOutcome::Ok { server_name, server_version, tools } => {
                    let _ = writeln!(
                        out,
                        "  {} {}: {} {}, {tools} tools",
                        st.mark("✓"),
                        clean(&at),
                        clean(server_name),
                        clean(server_version)
                    );
                }
                ProbeOutcome::NoTools { server_name, server_version } => {
                    let _ = writeln!(
                        out,
                        "  {} {}: {} {}, no tools",
                        st.mark("!"),
                        clean(&at),
                        clean(server_name),
                        clean(server_version)
                    );
                }
                ProbeOutcome::StartFailed { reason, stderr_tail, .. } => {
                    let _ = writeln!(out, "  {} {}: {}", st.mark("✗"), clean(&at), clean(reason));
                    for l in stderr_tail {
                        let _ = writeln!(out, "      stderr: {}", clean(l));
                    }
                }
            }
        }
        out.push('\n');
    }
    let sm = report.summary();
    let _ = writeln!(out, "{}, {}", plural(sm.errors, "error"), plural(sm.warnings, "warning"));
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Standard output, where a reader that went away (`mcpcfg check | head`) ends the output but
/// not the run: what is left is dropped, and the exit status still tells the findings.
pub struct Stdout(std::io::StdoutLock<'static>);

/// Standard output, locked; see [`Stdout`].
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

/// Prints one JSON document, pretty, and a newline: serialised whole first, then written at
/// once (a line-buffered stdout would otherwise make one write per line: 28,000 for a big
/// report).
pub fn print_json(doc: &Value) -> std::io::Result<()> {
    use std::io::Write;
    let mut bytes = serde_json::to_vec_pretty(doc)?;
    bytes.push(b'\n');
    let mut out = stdout();
    out.write_all(&bytes)?;
    out.flush()
}

/// Whether anything was written to [`stdout`].
static WROTE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this run printed anything on standard output (through [`stdout`]).
pub fn wrote_stdout() -> bool {
    WROTE.load(std::sync::atomic::Ordering::Relaxed)
}

/// A reader that went away. On Windows a closed pipe is also ERROR_NO_DATA (232) or, through
/// Wine or an MSYS pipe (`mcpcfg check | head`), ERROR_PIPE_NOT_CONNECTED (233), which std does
/// not call a broken pipe.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe || (cfg!(windows) && matches!(e.raw_os_error(), Some(232 | 233)))
}

impl std::io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        WROTE.store(true, std::sync::atomic::Ordering::Relaxed);
        match self.0.write(buf) {
            Err(e) if is_broken_pipe(&e) => Ok(buf.len()),
            r => r,
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.flush() {
            Err(e) if is_broken_pipe(&e) => Ok(()),
            r => r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check --format json | head` under Wine ended with "Pipe not connected. (os error 233)".
    #[cfg(windows)]
    #[test]
    fn pipe_not_connected_is_a_broken_pipe() {
        for code in [109, 232, 233] {
            assert!(is_broken_pipe(&std::io::Error::from_raw_os_error(code)), "{code}");
        }
        assert!(!is_broken_pipe(&std::io::Error::from_raw_os_error(5)));
    }

    #[test]
    fn clean_escapes_terminal_control() {
        assert_eq!(clean("a\x1b[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(clean("plain é"), "plain é");
    }

    /// A server named `teleport-mcp-\u{202E}…` printed raw and reordered the rest of its line.
    #[test]
    fn clean_escapes_bidi_controls() {
        assert_eq!(clean("evil\u{202E}txt.exe\u{2066}x\u{200F}"), "evil\\u{202e}txt.exe\\u{2066}x\\u{200f}");
        assert_eq!(clean("עברית and العربية"), "עברית and العربية", "right-to-left text itself is kept");
    }
}
