//! The validated plan a command runs with: raw flags and the environment turned into a
//! [`Host`], the files to look at and the output style. Commands never see clap's types.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::cli::{ColorWhen, Format, Global};
use crate::clients::Client;
use crate::platform::{Env, Host, Os};

pub const ALL_CLIENTS: [Client; 22] = [
    Client::ClaudeDesktop,
    Client::Cursor,
    Client::Vscode,
    Client::ClaudeCode,
    Client::Windsurf,
    Client::Zed,
    Client::Gemini,
    Client::Codex,
    Client::Cline,
    Client::RooCode,
    Client::Opencode,
    Client::CopilotCli,
    Client::QwenCode,
    Client::Kiro,
    Client::AmazonQ,
    Client::VisualStudio,
    Client::LmStudio,
    Client::Antigravity,
    Client::Crush,
    Client::KiloCode,
    Client::Goose,
    Client::Continue,
];

#[derive(Clone, Debug)]
pub struct Settings {
    pub host: Host,
    /// `--config`: only these files.
    pub configs: Vec<PathBuf>,
    pub clients: Vec<Client>,
    /// The clients were named (`--client`), not all taken by default.
    pub clients_named: bool,
    /// Folders whose project-level configs are read.
    pub project_dirs: Vec<PathBuf>,
    /// `--scan`: folders walked for project-level configs, checked to be folders.
    pub scan_dirs: Vec<PathBuf>,
    /// `--no-ignore`: the scan also walks what ignore files exclude.
    pub scan_ignored: bool,
    /// `--tsh`, checked to exist and be executable.
    pub tsh: Option<PathBuf>,
    /// `PATH`, for finding the stable tsh.
    pub path_var: String,
    pub format: Format,
    pub quiet: bool,
    pub color: bool,
    pub strict: bool,
    pub trust_project: bool,
}

impl Settings {
    pub fn from_global(g: &Global, env: Env) -> anyhow::Result<Settings> {
        let Global { select: sel, judge, show } = g;
        let os = sel.base.platform.unwrap_or_else(Os::current);
        // MCPCFG_HOME is read here rather than by clap, so that an empty one counts as unset.
        let home_option = sel.base.home.clone().or_else(|| env.get_os("MCPCFG_HOME").map(PathBuf::from));
        let (home, home_overridden) = match &home_option {
            Some(h) => (folder("--home", h)?, true),
            None => (dirs::home_dir().context("cannot tell your home folder: set HOME or pass --home DIR")?, false),
        };
        let path_var = env.get("PATH").unwrap_or_default().to_owned();
        let color = match show.color {
            _ if show.format == Format::Json => false,
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                if env.get("NO_COLOR").is_some() {
                    false
                } else if env.get("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    true
                } else {
                    std::io::stdout().is_terminal() && env.get("TERM") != Some("dumb")
                }
            }
        };
        // Read here rather than by clap, so that an empty one counts as unset.
        let system_root =
            match sel.base.system_root.clone().or_else(|| env.get_os("MCPCFG_SYSTEM_ROOT").map(PathBuf::from)) {
                Some(r) => Some(folder("--system-root", &r)?),
                None => None,
            };
        let host = Host { os, home, env, home_overridden, system_root };
        let tsh = match &judge.tsh {
            Some(p) => Some(checked_tsh(&host, p)?),
            None => None,
        };
        let project_dirs = match &sel.project {
            Some(p) => vec![folder("--project", p)?],
            // Project configs are read from where mcpcfg runs, as the clients read them from the
            // folder they open; with --config only the named files are read.
            None if sel.configs.is_empty() => std::env::current_dir().map(|d| vec![d]).unwrap_or_default(),
            None => vec![],
        };
        let mut scan_dirs = Vec::new();
        for d in &sel.scan {
            scan_dirs.push(folder("--scan", d)?);
        }
        let clients = if sel.clients.is_empty() { ALL_CLIENTS.to_vec() } else { dedup(sel.clients.clone()) };
        Ok(Settings {
            host,
            configs: sel.configs.iter().map(|p| absolute(p)).collect::<anyhow::Result<_>>()?,
            clients,
            clients_named: !sel.clients.is_empty(),
            project_dirs,
            scan_dirs,
            scan_ignored: sel.no_ignore,
            tsh,
            path_var,
            format: show.format,
            quiet: show.quiet,
            color,
            strict: judge.strict,
            trust_project: judge.trust_project,
        })
    }
}

fn dedup(mut v: Vec<Client>) -> Vec<Client> {
    v.sort();
    v.dedup();
    v
}

fn absolute(p: &std::path::Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("cannot make {} an absolute path", p.display()))
}

/// The folder an option names, made absolute: a typo must not read as "nothing found, all well".
fn folder(option: &str, p: &std::path::Path) -> anyhow::Result<PathBuf> {
    let d = absolute(p)?;
    if !d.is_dir() {
        bail!("{option} {}: not a folder; pass one that exists", d.display());
    }
    Ok(d)
}

/// `--tsh` must name an executable file that stays where it is: configs will point at it.
fn checked_tsh(host: &Host, p: &std::path::Path) -> anyhow::Result<PathBuf> {
    use crate::findings::FileState;
    use crate::tsh::PathKind;
    let p = absolute(p)?;
    // Configs are UTF-8: a path that is not would be written as something else.
    let Some(text) = p.to_str() else {
        bail!("--tsh {}: the path is not valid UTF-8, so no config can name it", p.display());
    };
    match crate::tsh::classify(host.os, text, &host.tools_dirs()) {
        PathKind::ManagedUpdate => bail!(
            "--tsh {text}: this is a managed-update copy of tsh, which the updater deletes; pass the tsh you installed (`which tsh`)"
        ),
        PathKind::AgentUpdate => bail!(
            "--tsh {text}: this versioned agent-update folder goes away on the next update; pass the stable link (e.g. /usr/local/bin/tsh)"
        ),
        PathKind::Relative | PathKind::Stable => {}
    }
    let why = match crate::check::file_state(&p) {
        FileState::Executable => return Ok(p),
        FileState::Missing => "does not exist",
        FileState::Directory => "is a folder, not a file",
        FileState::NotExecutable => "is not executable",
    };
    bail!("--tsh {}: {why}; pass the path of the tsh binary", p.display())
}
