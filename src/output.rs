//! How a [`Report`] is shown: text for people (grouped by file, `~` paths, sanitised, coloured
//! only when asked or on a terminal) and JSON schema 1 for machines. `env` values never appear:
//! the report does not even hand them to this module's formatting, only their names.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::findings::{Finding, Severity};
use crate::load::LoadError;
use crate::platform::Host;
use crate::report::{ConfigReport, Report, ServerReport};

/// Escapes control characters so a config cannot drive the terminal.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
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
            let how = match t.stable.source {
                crate::tsh::Source::Flag => "--tsh",
                crate::tsh::Source::Path => "on PATH",
                crate::tsh::Source::KnownLocation => "known install location",
            };
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
pub fn text(host: &Host, report: &Report, st: Style, show_findings: bool) -> String {
    let mut out = String::new();
    if show_findings {
        let _ = writeln!(out, "{}\n", tsh_line(host, report));
    }
    for c in &report.configs {
        let loc = &c.loaded.location;
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
        for s in &c.servers {
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
            let mark = if show_findings { format!("{mark} ") } else { String::new() };
            let _ =
                writeln!(out, "  {mark}{}{tag}: {}{}", clean(&s.server.label()), command_line(host, s), st.dim(&env));
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
    for ch in &report.changes {
        let _ = writeln!(
            out,
            "{} {}: {}: {} -> {}",
            st.green("fixed"),
            clean(&host.tilde(&ch.path)),
            clean(&ch.server),
            clean(&ch.from),
            clean(&ch.to)
        );
    }
    for n in &report.notes {
        let _ = writeln!(out, "{}", clean(n));
    }
    let sm = report.summary();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let _ = write!(out, "{}, {} ({} tsh)", plural(sm.configs, "config"), plural(sm.servers, "server"), sm.tsh_servers);
    if show_findings {
        let _ = write!(out, ": {}, {}", plural(sm.errors, "error"), plural(sm.warnings, "warning"));
    }
    if !report.changes.is_empty() {
        let _ = write!(out, "; {} changed", sm.changed);
    }
    out.push('\n');
    out
}

fn finding_json(f: &Finding) -> Value {
    json!({"code": f.code.id(), "severity": f.severity.id(), "message": f.message, "hint": f.hint})
}

/// JSON schema 1 (SPEC §7).
pub fn json(report: &Report, with_changes: bool) -> Value {
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
                        "transport": if sv.command.is_some() || sv.url.is_none() { "stdio" } else { "remote" },
                        "command": sv.command.as_ref().map(|c| c.value.clone()),
                        "args": sv.args,
                        "env_keys": sv.env_keys(),
                        "findings": s.findings.iter().map(finding_json).collect::<Vec<_>>(),
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
                "client": c.loaded.location.client.id(),
                "path": c.loaded.location.path.to_string_lossy(),
                "server": s.map(|s| s.server.label()),
                "message": f.message,
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
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_terminal_control() {
        assert_eq!(clean("a\x1b[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(clean("plain é"), "plain é");
    }
}
