//! What is wrong, as findings with stable codes (SPEC §3). Pure: a function of the parsed
//! configs and of the facts the edge gathered about files and tsh binaries.

use std::path::{Path, PathBuf};

use semver::Version;

use crate::clients::{Location, Scope, Syntax};
use crate::document::{Document, ParseError, Server};
use crate::platform::{Host, tools_dir_for};
use crate::tsh::{self, PathKind, fixed_version, mcp_version};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    TshMissing,
    TshNotExecutable,
    TshManagedUpdatePath,
    TshAgentUpdatePath,
    TshRelative,
    TshVersionSkew,
    TshMcpUnsupported,
    TshNotFound,
    ConfigMalformed,
    /// The file is there but cannot be read (permissions, a folder, a device): not malformed.
    ConfigUnreadable,
    ConfigNeedsJsonc,
    DuplicateKey,
    CommandMissing,
    VscodeLegacySettings,
    /// A project-level command was not run to read its version (no `--trust-project`).
    ProjectCommandNotRun,
    /// The command holds a variable mcpcfg cannot expand (`${input:…}`, one not set).
    CommandNotExpanded,
    /// `command` is not a string (a number, a list), or a tsh server has none.
    CommandInvalid,
    /// `tsh version --client` did not answer within the bound, or printed no version.
    TshVersionUnknown,
    /// fix-config replaced a file that has other hard links, which keep the old content.
    ConfigHardLinked,
    /// The client-tools `.config.json` exists but cannot be read: the managed version is unknown.
    ManagedConfigUnreadable,
    /// The file is valid JSONC, but its client refuses it (Gemini CLI: trailing commas, a BOM).
    ConfigUnloadable,
    TshNotLoggedIn,
    TshSessionExpired,
    /// `tsh status` or `tsh mcp ls` did not answer in time (doctor --online).
    ClusterUnreachable,
    /// `tsh status` failed in a way that is not the network's: what it said is in the message.
    SessionUnknown,
    McpNoAllowedTools,
    ServerStartFailed,
    ServerNoTools,
}

impl Code {
    pub fn id(self) -> &'static str {
        match self {
            Code::TshMissing => "tsh-missing",
            Code::TshNotExecutable => "tsh-not-executable",
            Code::TshManagedUpdatePath => "tsh-managed-update-path",
            Code::TshAgentUpdatePath => "tsh-agent-update-path",
            Code::TshRelative => "tsh-relative",
            Code::TshVersionSkew => "tsh-version-skew",
            Code::TshMcpUnsupported => "tsh-mcp-unsupported",
            Code::TshNotFound => "tsh-not-found",
            Code::ConfigMalformed => "config-malformed",
            Code::ConfigUnreadable => "config-unreadable",
            Code::ConfigNeedsJsonc => "config-needs-jsonc",
            Code::DuplicateKey => "duplicate-key",
            Code::CommandMissing => "command-missing",
            Code::VscodeLegacySettings => "vscode-legacy-settings",
            Code::ProjectCommandNotRun => "project-command-not-run",
            Code::CommandNotExpanded => "command-not-expanded",
            Code::CommandInvalid => "command-invalid",
            Code::TshVersionUnknown => "tsh-version-unknown",
            Code::ConfigHardLinked => "config-hard-linked",
            Code::TshNotLoggedIn => "tsh-not-logged-in",
            Code::TshSessionExpired => "tsh-session-expired",
            Code::ClusterUnreachable => "cluster-unreachable",
            Code::SessionUnknown => "session-unknown",
            Code::ManagedConfigUnreadable => "managed-config-unreadable",
            Code::ConfigUnloadable => "config-unloadable",
            Code::McpNoAllowedTools => "mcp-no-allowed-tools",
            Code::ServerStartFailed => "server-start-failed",
            Code::ServerNoTools => "server-no-tools",
        }
    }

    /// Whether pointing `command` at the stable tsh repairs it.
    pub fn repairable(self) -> bool {
        matches!(
            self,
            Code::TshMissing
                | Code::TshNotExecutable
                | Code::TshManagedUpdatePath
                | Code::TshAgentUpdatePath
                | Code::TshRelative
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub hint: String,
    /// For version findings: which side is too old, so guidance can name the right fix.
    pub skew: Option<Skew>,
}

/// Which tsh of a version finding is too old.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skew {
    /// The binary the config runs (the original, when managed updates re-execute).
    pub runs: PathBuf,
    pub original_old: bool,
    pub managed_old: bool,
    /// What the finding says of the binary alone, without the file and server it was seen in.
    pub about: String,
    /// Once said of the binary: the servers that run it, each as its client and `file: label`.
    pub users: Vec<(crate::clients::Client, String)>,
}

/// What the file system says about a command path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileState {
    Missing,
    Directory,
    NotExecutable,
    Executable,
}

/// The tsh that repaired configs point at, and what it reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StableTsh {
    pub path: PathBuf,
    pub source: tsh::Source,
}

/// Facts gathered at the edge.
pub struct Facts<'a> {
    pub host: &'a Host,
    pub stable: Option<&'a StableTsh>,
    /// The version a binary reports for itself (`TELEPORT_TOOLS_VERSION=off`), if it was read.
    pub own_version: &'a dyn Fn(&Path) -> Option<Version>,
    /// The managed version tsh re-executes for the current profile, if managed updates are on.
    pub managed_version: Option<Version>,
    pub file_state: &'a dyn Fn(&Path) -> FileState,
    /// Where a path leads when it is a symlink into the managed-update folder.
    pub managed_target: &'a dyn Fn(&Path) -> Option<PathBuf>,
    pub trust_project: bool,
}

/// A server is a tsh server by its command's file name, its name, or its arguments (SPEC §3).
pub fn is_tsh_server(host: &Host, s: &Server) -> bool {
    let by_command = s.command.as_ref().is_some_and(|c| tsh::is_tsh_name(&host.os.file_name(&c.value)));
    let by_name = s.name.starts_with("teleport-mcp-") || s.name == "teleport-databases";
    let by_args = matches!(s.args.as_slice(), [a, b, ..] if a == "mcp" && (b == "connect" || b == "db"));
    by_command || by_name || by_args
}

/// Findings about the file as a whole.
pub fn file_findings(host: &Host, loc: &Location, parsed: Result<&Document, &ParseError>) -> Vec<Finding> {
    let file = host.tilde(&loc.path);
    let doc = match parsed {
        Err(e) => {
            return vec![Finding {
                skew: None,
                code: Code::ConfigMalformed,
                severity: Severity::Error,
                message: format!("{file}:{}:{}: {}", e.line, e.column, e.message),
                // An encoding is no place in the file: the whole file is to be saved again.
                hint: if e.message == crate::document::NOT_UTF8 {
                    "save the file as UTF-8 in your editor (mcpcfg never writes to a file it cannot read)".to_owned()
                } else {
                    format!(
                        "fix the file at line {}, column {} (mcpcfg never writes to a file it cannot read)",
                        e.line, e.column
                    )
                },
            }];
        }
        Ok(d) => d,
    };
    let mut out = Vec::new();
    if doc.needs_jsonc && loc.syntax == Syntax::Json {
        out.push(Finding {
            skew: None,
            code: Code::ConfigNeedsJsonc,
            // The client refuses the whole file, so every server in it is down: an error.
            severity: Severity::Error,
            message: format!(
                "{file}: has comments or trailing commas, which {} cannot read: it loads no server from this file",
                loc.client.display()
            ),
            hint: "remove the comments and trailing commas: this client reads strict JSON".into(),
        });
    }
    if let Some(why) = crate::loading::client_refuses(loc, doc) {
        out.push(Finding {
            skew: None,
            code: Code::ConfigUnloadable,
            severity: Severity::Error,
            message: format!("{file}: {why}: it loads no server from this file"),
            hint: "remove the trailing commas and save the file as UTF-8 without a byte order mark".into(),
        });
    }
    for d in &doc.duplicates {
        let at = if d.parent.is_empty() { String::new() } else { format!(" in {}", d.parent.join(".")) };
        out.push(Finding {
            skew: None,
            code: Code::DuplicateKey,
            severity: Severity::Warning,
            message: format!("{file}:{}:{}: key \"{}\" appears more than once{at}", d.line, d.column, d.key),
            hint: "keep one of them: the client uses the last, and mcpcfg will not edit the servers it affects".into(),
        });
    }
    if loc.servers_at.is_legacy() && !doc.servers.is_empty() {
        out.push(Finding {
            skew: None,
            code: Code::VscodeLegacySettings,
            severity: Severity::Info,
            message: format!("{file}: MCP servers are configured in settings.json (\"mcp.servers\")"),
            hint: "VS Code 1.102 and later reads servers from mcp.json: run \"MCP: Migrate Settings\" or move them"
                .into(),
        });
    }
    out
}

/// The command that repairs a config: fix-config leaves project-level files alone unless it is
/// given `--include-project` (`project`).
pub fn fix_command(project: bool) -> &'static str {
    if project { "mcpcfg fix-config --include-project" } else { "mcpcfg fix-config" }
}

/// Findings about one server.
pub fn server_findings(loc: &Location, server: &Server, f: &Facts<'_>) -> Vec<Finding> {
    let host = f.host;
    let at = format!("{}: {}", host.tilde(&loc.path), server.label());
    let Some(literal) = server.command.as_ref().map(|c| c.value.as_str()) else {
        return invalid_command(&at, host, server).into_iter().collect();
    };
    // What the client starts, its variables expanded (`${userHome}/bin/tsh`).
    let expansion = crate::vars::expand(host, loc, literal);
    // A command written with a variable is the user's way of naming tsh: fix-config keeps it
    // (`ServerReport::command_has_variables`), so the hints say what to change instead.
    let variable = expansion.has_variables();
    let Some(expanded) = expansion.path(literal) else {
        if !is_tsh_server(host, server) {
            return vec![];
        }
        return vec![Finding {
            skew: None,
            code: Code::CommandNotExpanded,
            severity: Severity::Info,
            message: format!("{at}: command \"{literal}\" holds a variable mcpcfg cannot expand; it was not checked"),
            hint: "make sure it names an absolute path of tsh 18.2.3 or later; mcpcfg leaves it as it is".into(),
        }];
    };
    let cmd = expanded.as_str();
    // Paths in the home folder read better with `~`; JSON's `command` keeps the full path. A
    // command written with variables is shown as written: what `${env:NAME}` expands to is the
    // caller's environment, which may hold anything, and is never printed.
    let shown = if variable { format!("\"{literal}\"") } else { host.tilde(Path::new(cmd)) };
    // The client's own words name the path it started, which is the expansion: left out.
    let words_cmd = if variable { "…" } else { cmd };
    let quoted = if variable { shown.clone() } else { format!("\"{cmd}\"") };
    if !is_tsh_server(host, server) {
        let path = Path::new(cmd);
        if host.os.is_absolute(cmd) && (f.file_state)(path) == FileState::Missing {
            return vec![Finding {
                skew: None,
                code: Code::CommandMissing,
                severity: Severity::Warning,
                message: format!("{at}: command {shown} does not exist"),
                hint: "install it or correct the path; the client will fail to start this server".into(),
            }];
        }
        return vec![];
    }

    let mut out = Vec::new();
    let to = f.stable.map(|s| host.tilde(&s.path));
    let fix_command = fix_command(loc.scope == Scope::Project);
    let fix_hint = |why: &str| match (&to, variable) {
        (Some(to), true) => format!(
            "{why}; the command \"{literal}\" uses a variable, which mcpcfg does not rewrite: set the variable (or edit the command) so that it names {to}"
        ),
        (None, true) => {
            format!("{why}; install tsh, then set the variable in \"{literal}\" so that the command names it")
        }
        (Some(to), false) => format!("{why}; run `{fix_command}` to point it at {to}"),
        (None, false) => format!("{why}; install tsh, then run `{fix_command}`"),
    };
    let tools_dirs = server_tools_dirs(host, server);
    let kind = tsh::classify(host.os, cmd, &tools_dirs);
    let state = if kind == PathKind::Relative { None } else { Some((f.file_state)(Path::new(cmd))) };
    match kind {
        PathKind::Relative => out.push(Finding {
            skew: None,
            code: Code::TshRelative,
            severity: Severity::Error,
            message: match loc.client {
                // Claude Code's own words when it is not on the PATH it was started with.
                crate::clients::Client::ClaudeCode => format!(
                    "{at}: command {quoted} is not an absolute path (where tsh is not on PATH, Claude Code shows 'ENOENT: Executable not found in $PATH: \"{words_cmd}\"')"
                ),
                _ => format!("{at}: command {quoted} is not an absolute path"),
            },
            hint: fix_hint(if cmd.contains(['/', '\\']) {
                // `./bin/tsh` is looked up from the folder the client starts in, not on PATH.
                "a relative path leads wherever the client happens to be started from"
            } else if loc.client.in_terminal() {
                "it works only where tsh is on PATH, not when an IDE or another program starts the client"
            } else {
                "GUI clients do not get your shell's PATH"
            }),
        }),
        PathKind::ManagedUpdate => out.push(Finding {
            skew: None,
            code: Code::TshManagedUpdatePath,
            severity: if state == Some(FileState::Missing) { Severity::Error } else { Severity::Warning },
            message: if state == Some(FileState::Missing) {
                format!(
                    "{at}: command {shown} was a managed-update copy of tsh and has been deleted by the updater or `tsh update --clear` ({})",
                    loc.client.missing_command_words(words_cmd)
                )
            } else {
                format!("{at}: command {shown} is a managed-update copy of tsh that the updater will delete")
            },
            hint: fix_hint("written by `tsh mcp config` before 18.2.3"),
        }),
        PathKind::AgentUpdate => out.push(Finding {
            skew: None,
            code: Code::TshAgentUpdatePath,
            severity: Severity::Warning,
            message: format!(
                "{at}: command {shown} is a versioned agent-update path that goes away on the next update"
            ),
            hint: fix_hint(
                "the agent updater replaces this folder (`tsh mcp config` writes the stable path for agent installs from tsh 18.4.0)",
            ),
        }),
        PathKind::Stable => {
            if let Some(target) = (f.managed_target)(Path::new(cmd)) {
                out.push(Finding {
                    skew: None,
                    code: Code::TshManagedUpdatePath,
                    severity: Severity::Warning,
                    message: format!(
                        "{at}: command {shown} links to {}, a managed-update copy of tsh that the updater will delete",
                        host.tilde(&target)
                    ),
                    hint: fix_hint("the link breaks when the updater removes that copy"),
                });
            }
        }
    }
    // A deleted managed copy is already an error above; the plain existence checks cover the rest.
    if kind != PathKind::ManagedUpdate {
        match state {
            Some(FileState::Missing) => out.push(Finding {
                skew: None,
                code: Code::TshMissing,
                severity: Severity::Error,
                message: format!(
                    "{at}: command {shown} does not exist ({})",
                    loc.client.missing_command_words(words_cmd)
                ),
                hint: fix_hint("tsh is not there any more"),
            }),
            Some(s @ (FileState::Directory | FileState::NotExecutable)) => out.push(Finding {
                skew: None,
                code: Code::TshNotExecutable,
                severity: Severity::Error,
                message: format!(
                    "{at}: command {shown} {}",
                    if s == FileState::Directory { "is a directory" } else { "is not executable" }
                ),
                hint: fix_hint("the client cannot run it"),
            }),
            _ => {}
        }
    }

    let needs_repair = out.iter().any(|x| x.code.repairable());
    if needs_repair && f.stable.is_none() {
        out.push(Finding {
            skew: None,
            code: Code::TshNotFound,
            severity: Severity::Error,
            message: format!("{at}: needs a working tsh, and none was found on PATH or at the usual install locations"),
            hint: "install tsh 18.2.3 or later (https://goteleport.com/docs/installation/), or pass --tsh PATH".into(),
        });
    }

    // The binary the client will run once the path is right.
    let runs: Option<PathBuf> = if needs_repair { f.stable.map(|s| s.path.clone()) } else { Some(cmd.into()) };
    let Some(runs) = runs else { return out };
    let runs_shown = if needs_repair { host.tilde(&runs) } else { shown.clone() };
    // A binary run anyway (the stable tsh, or one a user-level config names) has its version
    // read: say that, not that it was not run.
    let known = (f.own_version)(&runs);
    if !needs_repair && loc.scope == Scope::Project && !f.trust_project && known.is_none() {
        out.push(Finding {
            skew: None,
            code: Code::ProjectCommandNotRun,
            severity: Severity::Info,
            message: format!(
                "{at}: the version of {shown} was not read: commands from project-level configs are not run"
            ),
            hint: "pass --trust-project if you trust this repository".into(),
        });
        return out;
    }
    match known {
        Some(own) => out.extend(version_findings(&at, &runs, &runs_shown, &own, f.managed_version.as_ref())),
        // Only a binary named tsh is run; any other was never asked.
        None if tsh::is_tsh_name(&host.os.file_name(&runs.to_string_lossy())) => out.push(Finding {
            skew: None,
            code: Code::TshVersionUnknown,
            severity: Severity::Warning,
            message: format!(
                "{at}: the version of {} could not be read (`tsh version --client` gave no answer in {} s, or no version)",
                runs_shown,
                crate::tshrun::VERSION_TIMEOUT.as_secs()
            ),
            hint: "run `tsh version --client` yourself: a tsh that hangs or fails here fails in the client too".into(),
        }),
        None => {}
    }
    out
}

/// A `command` the client cannot start: not a string, or missing from a tsh server.
fn invalid_command(at: &str, host: &Host, server: &Server) -> Option<Finding> {
    let value = crate::document::value_at(&server.value, server.command_keys);
    let what = match value {
        Some(serde_json::Value::String(_)) => return None,
        Some(v @ serde_json::Value::Number(_)) => format!("command is {v}, a number"),
        Some(serde_json::Value::Array(_)) => "command is a list".to_owned(),
        Some(serde_json::Value::Object(_)) => "command is an object".to_owned(),
        Some(serde_json::Value::Bool(b)) => format!("command is {b}"),
        Some(serde_json::Value::Null) => "command is null".to_owned(),
        // No command: a remote server, or (Zed) one an extension provides; a tsh server needs one.
        None if server.is_remote() || !is_tsh_server(host, server) => return None,
        None => "has no command".to_owned(),
    };
    Some(Finding {
        skew: None,
        code: Code::CommandInvalid,
        severity: Severity::Warning,
        message: format!("{at}: {what}, so the client cannot start it"),
        hint: "write the absolute path of the program as a string, e.g. \"command\": \"/usr/local/bin/tsh\"".into(),
    })
}

/// Skew and missing `tsh mcp` for the binary `runs`, whose own version is `own`.
fn version_findings(at: &str, runs: &Path, shown: &str, own: &Version, managed: Option<&Version>) -> Vec<Finding> {
    let mut out = Vec::new();
    let fixed = fixed_version();
    let runs_path = runs;
    let runs = shown;
    let own_old = *own < fixed;
    let managed_old = managed.is_some_and(|m| *m < fixed);
    if own_old || managed_old {
        let (what, hint) = match (own_old, managed_old, managed) {
            (_, true, Some(m)) if !own_old => (
                format!("tsh {runs} is {own} but re-executes the managed tsh {m}, which is older than {fixed}"),
                format!("ask your Teleport administrator to raise the client-tools version to {fixed} or later (`tctl autoupdate client-tools target {fixed}`); see `mcpcfg doctor`"),
            ),
            (true, false, Some(m)) => (
                format!("tsh {runs} is {own}, older than {fixed} (managed updates re-execute it into {m}, but the original must be {fixed} or later too)"),
                format!("uninstall the tsh at {runs} and install {fixed} or later; see `mcpcfg doctor`"),
            ),
            (true, true, Some(m)) => (
                format!("tsh {runs} is {own} and the managed tsh is {m}; both are older than {fixed}"),
                "upgrade this tsh and ask your Teleport administrator to raise the client-tools version; see `mcpcfg doctor`".into(),
            ),
            _ => (
                format!("tsh {runs} is {own}, older than {fixed}"),
                format!("install tsh {fixed} or later; see `mcpcfg doctor`"),
            ),
        };
        // Without managed updates nothing is re-executed yet: the path breaks once they are on.
        let about = if managed.is_some() {
            format!("{what}: `tsh mcp config` will write a path that breaks after an update")
        } else {
            format!(
                "{what}: once client-tools managed updates are on, `tsh mcp config` writes a path that breaks after an update"
            )
        };
        out.push(Finding {
            message: format!("{at}: {about}"),
            skew: Some(Skew {
                runs: runs_path.to_path_buf(),
                original_old: own_old,
                managed_old,
                about,
                users: vec![],
            }),
            code: Code::TshVersionSkew,
            severity: Severity::Error,
            hint,
        });
    }
    let effective = managed.unwrap_or(own);
    if *effective < mcp_version() {
        let about = format!("tsh {effective} has no `tsh mcp connect` (it appeared in {})", mcp_version());
        out.push(Finding {
            message: format!("{at}: {about}"),
            skew: Some(Skew {
                runs: runs_path.to_path_buf(),
                original_old: managed.is_none(),
                managed_old: managed.is_some(),
                about,
                users: vec![],
            }),
            code: Code::TshMcpUnsupported,
            severity: Severity::Error,
            hint: format!("upgrade tsh to {fixed} or later"),
        });
    }
    out
}

/// The managed-update folders that apply to a server: the host's, and the one its own `env`
/// selects (`tsh mcp config` writes `TELEPORT_HOME` there when it is not the default).
fn server_tools_dirs(host: &Host, server: &Server) -> Vec<PathBuf> {
    let mut dirs = host.tools_dirs();
    let get = |k: &str| server.env.iter().find(|(n, v)| n == k && !v.is_empty()).map(|(_, v)| v.as_str());
    if get("TELEPORT_TOOLS_DIR").is_some() || get("TELEPORT_HOME").is_some() {
        dirs.push(tools_dir_for(host.os, &host.home, get("TELEPORT_TOOLS_DIR"), get("TELEPORT_HOME")));
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Client, ServersAt};
    use crate::document::parse;
    use crate::platform::{Env, Os};

    fn host() -> Host {
        Host { os: Os::Linux, home: "/home/me".into(), env: Env::default(), home_overridden: false, system_root: None }
    }

    fn loc(scope: Scope) -> Location {
        Location {
            client: Client::Cursor,
            scope,
            path: "/home/me/.cursor/mcp.json".into(),
            syntax: Syntax::Jsonc,
            servers_at: ServersAt::McpServers,
        }
    }

    fn server(command: &str, name: &str) -> Server {
        let t = format!(
            r#"{{"mcpServers": {{"{name}": {{"command": {}, "args": ["mcp","connect","demo"]}}}}}}"#,
            crate::document::json_string(command)
        );
        parse(t.as_bytes(), ServersAt::McpServers).unwrap().servers.remove(0)
    }

    struct World {
        host: Host,
        stable: Option<StableTsh>,
        own: Option<Version>,
        managed: Option<Version>,
        existing: Vec<&'static str>,
        /// Symlinks into the managed-update folder, and where they lead.
        links: Vec<(&'static str, &'static str)>,
    }

    impl World {
        fn new() -> World {
            World {
                host: host(),
                stable: Some(StableTsh { path: "/usr/local/bin/tsh".into(), source: tsh::Source::Path }),
                own: Some(Version::new(18, 2, 3)),
                managed: None,
                existing: vec!["/usr/local/bin/tsh"],
                links: vec![],
            }
        }

        fn codes(&self, scope: Scope, s: &Server) -> Vec<(&'static str, Severity)> {
            self.findings(&loc(scope), s).into_iter().map(|f| (f.code.id(), f.severity)).collect()
        }

        fn findings(&self, l: &Location, s: &Server) -> Vec<Finding> {
            let own = |_: &Path| self.own.clone();
            let state = |p: &Path| {
                if self.existing.iter().any(|e| Path::new(e) == p) { FileState::Executable } else { FileState::Missing }
            };
            let facts = Facts {
                host: &self.host,
                stable: self.stable.as_ref(),
                own_version: &own,
                managed_version: self.managed.clone(),
                file_state: &state,
                managed_target: &|p| self.links.iter().find(|(l, _)| Path::new(l) == p).map(|(_, t)| PathBuf::from(t)),
                trust_project: false,
            };
            server_findings(l, s, &facts)
        }
    }

    #[test]
    fn healthy_tsh_server_has_no_findings() {
        assert!(World::new().codes(Scope::User, &server("/usr/local/bin/tsh", "teleport-mcp-demo")).is_empty());
    }

    #[test]
    fn deleted_managed_copy_is_an_error() {
        let s = server("/home/me/.tsh/bin/0a1b-update-pkg-v2/tsh", "teleport-mcp-demo");
        assert_eq!(World::new().codes(Scope::User, &s), [("tsh-managed-update-path", Severity::Error)]);
    }

    #[test]
    fn messages_show_home_paths_with_tilde() {
        let mut w = World::new();
        w.own = None;
        let s = server("/home/me/.tsh/bin/0a1b-update-pkg-v2/tsh", "teleport-mcp-demo");
        let f = w.findings(&loc(Scope::User), &s);
        assert!(f[0].message.contains("command ~/.tsh/bin/0a1b-update-pkg-v2/tsh was"), "{}", f[0].message);

        // The hint's repair target and a version finding's binary too (both showed the full path).
        w.stable = Some(StableTsh { path: "/home/me/bin/tsh".into(), source: tsh::Source::Path });
        w.own = Some(Version::new(18, 1, 0));
        let f = w.findings(&loc(Scope::User), &s);
        assert!(f[0].hint.ends_with("point it at ~/bin/tsh"), "{}", f[0].hint);
        assert!(f.iter().any(|f| f.message.contains("tsh ~/bin/tsh is 18.1.0")), "{f:?}");
    }

    /// `${env:NAME}` in a command printed the caller's variable (`command /sekrit/value/tsh does
    /// not exist`): the environment may hold anything, so a command with variables is shown as
    /// written, in the message, the client's words and a version finding alike.
    #[test]
    fn env_variable_values_in_commands_are_never_printed() {
        let mut w = World::new();
        w.host = crate::platform::test_host(Os::Linux, "/home/me", &[("TSHDIR", "/sekrit/value")]);
        let l = Location { client: Client::Cursor, ..loc(Scope::User) };
        let s = server("${env:TSHDIR}/tsh", "teleport-mcp-demo");
        let missing = w.findings(&l, &s);
        assert_eq!(missing[0].code, Code::TshMissing, "{missing:?}");
        w.existing.push("/sekrit/value/tsh");
        w.own = Some(Version::new(18, 1, 0));
        let old = w.findings(&l, &s);
        assert_eq!(old[0].code, Code::TshVersionSkew, "{old:?}");
        for f in missing.iter().chain(&old) {
            assert!(!format!("{}{}", f.message, f.hint).contains("sekrit"), "{f:?}");
            assert!(f.message.contains("${env:TSHDIR}/tsh"), "{f:?}");
        }
    }

    /// A bare `tsh` in Claude Code (a terminal client) was explained as "GUI clients do not get
    /// your shell's PATH".
    #[test]
    fn relative_tsh_hint_fits_the_client() {
        let w = World::new();
        let s = server("tsh", "teleport-mcp-demo");
        let hint = |client| w.findings(&Location { client, ..loc(Scope::User) }, &s).remove(0).hint;
        assert!(hint(Client::Cursor).contains("GUI clients"), "{}", hint(Client::Cursor));
        assert!(hint(Client::ClaudeCode).contains("not when an IDE"), "{}", hint(Client::ClaudeCode));
    }

    /// Hints that lied (issue 14, item 4): `./bin/tsh` was blamed on the GUI's PATH, and a
    /// project file's hint said `mcpcfg fix-config`, which leaves project files alone.
    #[test]
    fn hints_say_the_reason_and_the_command_that_works() {
        let w = World::new();
        let dotted = w.findings(&loc(Scope::User), &server("./bin/tsh", "teleport-mcp-demo")).remove(0).hint;
        assert!(dotted.contains("wherever the client happens to be started") && !dotted.contains("PATH"), "{dotted}");
        let project = w.findings(&loc(Scope::Project), &server("tsh", "teleport-mcp-demo")).remove(0).hint;
        assert!(project.contains("`mcpcfg fix-config --include-project`"), "{project}");
        let user = w.findings(&loc(Scope::User), &server("tsh", "teleport-mcp-demo")).remove(0).hint;
        assert!(user.contains("`mcpcfg fix-config`"), "{user}");
    }

    /// `"command": 42` on a tsh server was shown as healthy "(no command)".
    #[test]
    fn a_command_that_is_not_a_string_is_invalid() {
        let w = World::new();
        let parse_one = |entry: &str| {
            let t = format!(r#"{{"mcpServers": {{"teleport-mcp-a": {entry}}}}}"#);
            parse(t.as_bytes(), ServersAt::McpServers).unwrap().servers.remove(0)
        };
        let warn = [("command-invalid", Severity::Warning)];
        assert_eq!(w.codes(Scope::User, &parse_one(r#"{"command": 42}"#)), warn);
        assert_eq!(w.codes(Scope::User, &parse_one(r#"{"command": ["tsh"], "args": []}"#)), warn);
        assert_eq!(w.codes(Scope::User, &parse_one(r#"{"args": ["mcp", "connect", "a"]}"#)), warn, "no command");
        assert!(w.codes(Scope::User, &parse_one(r#"{"url": "https://x"}"#)).is_empty(), "remote");
        let t = r#"{"mcpServers": {"other": {"settings": {}}}}"#;
        let other = parse(t.as_bytes(), ServersAt::McpServers).unwrap().servers.remove(0);
        assert!(w.codes(Scope::User, &other).is_empty(), "not a tsh server: an extension may provide it");
    }

    #[test]
    fn a_link_into_the_managed_folder_is_a_warning() {
        let mut w = World::new();
        w.existing.push("/home/me/bin/tsh");
        w.links.push(("/home/me/bin/tsh", "/home/me/.tsh/bin/0a1b-update-pkg-v2/tsh"));
        let s = server("/home/me/bin/tsh", "teleport-mcp-demo");
        assert_eq!(w.codes(Scope::User, &s), [("tsh-managed-update-path", Severity::Warning)]);
    }

    #[test]
    fn existing_managed_copy_is_a_warning() {
        let mut w = World::new();
        w.existing.push("/home/me/.tsh/bin/0a1b-update-pkg-v2/tsh");
        let s = server("/home/me/.tsh/bin/0a1b-update-pkg-v2/tsh", "x");
        assert_eq!(w.codes(Scope::User, &s), [("tsh-managed-update-path", Severity::Warning)]);
    }

    #[test]
    fn managed_dir_from_teleport_tools_dir() {
        let mut w = World::new();
        w.host.env = Env::from_pairs([("TELEPORT_TOOLS_DIR", "/tools")]);
        let s = server("/tools/u-update-pkg-v2/tsh", "x");
        assert_eq!(w.codes(Scope::User, &s)[0].0, "tsh-managed-update-path");
    }

    #[test]
    fn managed_dir_from_the_servers_own_teleport_home() {
        let t = r#"{"mcpServers": {"teleport-mcp-a": {"command": "/th/bin/u-update-pkg-v2/tsh", "env": {"TELEPORT_HOME": "/th"}}}}"#;
        let s = parse(t.as_bytes(), ServersAt::McpServers).unwrap().servers.remove(0);
        assert_eq!(World::new().codes(Scope::User, &s)[0].0, "tsh-managed-update-path");
    }

    #[test]
    fn agent_path_is_a_warning_and_missing_too() {
        let mut w = World::new();
        w.existing.push("/opt/teleport/default/versions/v18.1.4/bin/tsh");
        let s = server("/opt/teleport/default/versions/v18.1.4/bin/tsh", "x");
        assert_eq!(w.codes(Scope::User, &s), [("tsh-agent-update-path", Severity::Warning)]);
        w.existing.pop();
        assert_eq!(
            w.codes(Scope::User, &s),
            [("tsh-agent-update-path", Severity::Warning), ("tsh-missing", Severity::Error)]
        );
    }

    #[test]
    fn bare_tsh_is_relative() {
        assert_eq!(World::new().codes(Scope::User, &server("tsh", "x")), [("tsh-relative", Severity::Error)]);
    }

    #[test]
    fn missing_tsh_without_a_stable_one_is_not_found() {
        let mut w = World::new();
        w.stable = None;
        assert_eq!(
            w.codes(Scope::User, &server("/gone/tsh", "x")),
            [("tsh-missing", Severity::Error), ("tsh-not-found", Severity::Error)]
        );
    }

    #[test]
    fn old_original_tsh_is_skew() {
        let mut w = World::new();
        w.own = Some(Version::new(18, 2, 0));
        w.managed = Some(Version::new(18, 2, 3));
        assert_eq!(w.codes(Scope::User, &server("/usr/local/bin/tsh", "x")), [("tsh-version-skew", Severity::Error)]);
    }

    #[test]
    fn old_managed_tsh_is_skew() {
        let mut w = World::new();
        w.own = Some(Version::new(18, 3, 0));
        w.managed = Some(Version::new(18, 2, 0));
        assert_eq!(w.codes(Scope::User, &server("/usr/local/bin/tsh", "x")), [("tsh-version-skew", Severity::Error)]);
    }

    #[test]
    fn tsh_before_18_1_has_no_mcp() {
        let mut w = World::new();
        w.own = Some(Version::new(17, 4, 0));
        assert_eq!(
            w.codes(Scope::User, &server("/usr/local/bin/tsh", "x")),
            [("tsh-version-skew", Severity::Error), ("tsh-mcp-unsupported", Severity::Error)]
        );
    }

    #[test]
    fn project_command_is_not_run() {
        let unread = World { own: None, ..World::new() };
        assert_eq!(
            unread.codes(Scope::Project, &server("/usr/local/bin/tsh", "x")),
            [("project-command-not-run", Severity::Info)]
        );
        // Run anyway (the stable tsh): its version is known, and it is healthy.
        assert!(World::new().codes(Scope::Project, &server("/usr/local/bin/tsh", "x")).is_empty());
    }

    #[test]
    fn non_tsh_missing_command_is_a_warning() {
        let t = r#"{"mcpServers": {"fs": {"command": "/opt/fs-server", "args": []}}}"#;
        let s = parse(t.as_bytes(), ServersAt::McpServers).unwrap().servers.remove(0);
        assert_eq!(World::new().codes(Scope::User, &s), [("command-missing", Severity::Warning)]);
        let npx = r#"{"mcpServers": {"fs": {"command": "npx"}}}"#;
        let s = parse(npx.as_bytes(), ServersAt::McpServers).unwrap().servers.remove(0);
        assert!(World::new().codes(Scope::User, &s).is_empty());
    }

    #[test]
    fn recognition_by_name_args_or_command() {
        let h = host();
        let t = r#"{"mcpServers": {
            "teleport-mcp-a": {"command": "/x/run"},
            "teleport-databases": {"command": "/x/run"},
            "other": {"command": "/x/run", "args": ["mcp", "db", "start"]},
            "exe": {"command": "C:\\T\\tsh.exe"},
            "plain": {"command": "/usr/bin/node", "args": ["mcp"]}}}"#;
        let d = parse(t.as_bytes(), ServersAt::McpServers).unwrap();
        let got: Vec<bool> = d.servers.iter().map(|s| is_tsh_server(&h, s)).collect();
        assert_eq!(got, [true, true, true, false, false], "tsh.exe needs the Windows layout");
        let win = Host { os: Os::Windows, ..host() };
        assert!(is_tsh_server(&win, &d.servers[3]));
    }

    #[test]
    fn strict_json_client_with_comments_gets_a_warning() {
        let h = host();
        let mut l = loc(Scope::User);
        l.syntax = Syntax::Json;
        let d = parse(b"{// c\n}", ServersAt::McpServers);
        let f = file_findings(&h, &l, d.as_ref());
        assert_eq!(f[0].code, Code::ConfigNeedsJsonc);
        l.syntax = Syntax::Jsonc;
        assert!(file_findings(&h, &l, d.as_ref()).is_empty());
    }

    #[test]
    fn malformed_file_names_line_and_column() {
        let h = host();
        let d = parse(b"{\n  \"a\": 1\n  \"b\": 2\n}", ServersAt::McpServers);
        let f = file_findings(&h, &loc(Scope::User), d.as_ref());
        assert_eq!(f[0].code, Code::ConfigMalformed);
        assert!(f[0].message.starts_with("~/.cursor/mcp.json:2:9:"), "{}", f[0].message);
    }
}
