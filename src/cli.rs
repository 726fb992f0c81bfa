//! The command line, as clap sees it. Nothing here is used past [`crate::settings`], which turns
//! these raw flags into a validated plan.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clients::Client;
use crate::platform::Os;

/// Find, check and repair the tsh paths in MCP client configs.
///
/// mcpcfg finds every MCP client config (Claude Desktop, Cursor, VS Code, Claude Code, Windsurf,
/// Zed, Gemini CLI, Codex, Cline, Roo Code), recognises the servers that run through Teleport's
/// tsh, and repairs paths that break after tsh updates.
#[derive(Debug, Parser)]
#[command(name = "mcpcfg", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every config found and its servers.
    List,
    /// Report findings; the exit status tells scripts whether anything is wrong.
    Check,
    /// Repair tsh paths in place (atomic, every other byte kept).
    FixConfig(FixArgs),
    /// Check, then explain each finding step by step.
    Doctor(DoctorArgs),
    /// Restore the files the last fix-config changed, if they are untouched since.
    Undo(UndoArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Print a unified diff per file and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not save the original files for `mcpcfg undo`.
    #[arg(long)]
    pub no_backup: bool,
    /// Only repair these servers (repeatable).
    #[arg(long = "server", value_name = "NAME")]
    pub servers: Vec<String>,
    /// Also rewrite project-level configs (they are usually committed to a repository).
    #[arg(long)]
    pub include_project: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Ask the cluster: is the session valid, which MCP tools do your roles allow.
    #[arg(long)]
    pub online: bool,
    /// Start the servers as their client would and speak MCP to them.
    #[arg(long)]
    pub probe: bool,
    /// Only these servers (repeatable).
    #[arg(long = "server", value_name = "NAME")]
    pub servers: Vec<String>,
    /// Seconds to wait for each server or cluster call.
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Say what would be restored and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Use DIR as the home folder for every default location, ~/.tsh included [env:
    /// MCPCFG_HOME; empty counts as unset].
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Which OS's layout to use (for tests).
    #[arg(long, global = true, hide = true, value_enum)]
    pub platform: Option<Os>,
    /// Read system-wide files (`/etc/claude-code/…`) under this folder (for tests; env
    /// MCPCFG_SYSTEM_ROOT).
    #[arg(long, global = true, hide = true, value_name = "DIR")]
    pub system_root: Option<PathBuf>,
    /// Look only at this file (repeatable); the client is inferred from the path or --client.
    #[arg(long = "config", global = true, value_name = "PATH")]
    pub configs: Vec<PathBuf>,
    /// Only these clients (repeatable).
    #[arg(long = "client", global = true, value_enum, value_name = "NAME")]
    pub clients: Vec<Client>,
    /// Also read project-level configs in DIR [default: the current folder].
    #[arg(long, global = true, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Walk DIR for project-level configs (repeatable); hidden folders are walked, ignore files
    /// respected, and .git, node_modules and target skipped.
    #[arg(long = "scan", global = true, value_name = "DIR", conflicts_with = "configs")]
    pub scan: Vec<PathBuf>,
    /// With --scan, also walk what .gitignore and .ignore files exclude (many repositories ignore
    /// .vscode/ or .mcp.json, where local configs live); .git, node_modules and target are still
    /// skipped.
    #[arg(long, global = true, requires = "scan")]
    pub no_ignore: bool,
    /// The tsh that repaired configs must point at [default: found on PATH or at a known location].
    #[arg(long, global = true, value_name = "PATH")]
    pub tsh: Option<PathBuf>,
    /// Output format; JSON is for machines and never coloured.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print nothing but errors; the exit status speaks.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to colour the text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Warnings also make the exit status 1.
    #[arg(long, global = true)]
    pub strict: bool,
    /// Allow running commands named in project-level configs (version reading, --probe).
    #[arg(long, global = true)]
    pub trust_project: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let c = Cli::try_parse_from(["mcpcfg", "check", "--home", "/h", "--format", "json", "-q", "--strict"]).unwrap();
        assert_eq!(c.global.home, Some(PathBuf::from("/h")));
        assert_eq!(c.global.format, Format::Json);
        assert!(c.global.quiet && c.global.strict);
    }

    #[test]
    fn config_and_client_repeat() {
        let c = Cli::try_parse_from([
            "mcpcfg",
            "list",
            "--config",
            "/a.json",
            "--config",
            "/b.json",
            "--client",
            "cursor",
            "--client",
            "claude-code",
        ])
        .unwrap();
        assert_eq!(c.global.configs.len(), 2);
        assert_eq!(c.global.clients, [Client::Cursor, Client::ClaudeCode]);
    }

    #[test]
    fn platform_flag_is_hidden_but_accepted() {
        let c = Cli::try_parse_from(["mcpcfg", "list", "--platform", "windows"]).unwrap();
        assert_eq!(c.global.platform, Some(Os::Windows));
        assert!(!Cli::command().render_help().to_string().contains("--platform"));
    }

    #[test]
    fn fix_config_options() {
        let c =
            Cli::try_parse_from(["mcpcfg", "fix-config", "--dry-run", "--server", "a", "--include-project"]).unwrap();
        let Command::FixConfig(f) = c.command else { panic!("not fix-config") };
        assert!(f.dry_run && f.include_project && !f.no_backup);
        assert_eq!(f.servers, ["a"]);
    }

    #[test]
    fn doctor_options() {
        let c = Cli::try_parse_from(["mcpcfg", "doctor", "--probe", "--timeout", "3"]).unwrap();
        let Command::Doctor(d) = c.command else { panic!("not doctor") };
        assert!(d.probe && !d.online);
        assert_eq!(d.timeout, 3);
    }

    #[test]
    fn scan_repeats_and_conflicts_with_config() {
        let c = Cli::try_parse_from(["mcpcfg", "list", "--scan", "/a", "--scan", "/b"]).unwrap();
        assert_eq!(c.global.scan, [PathBuf::from("/a"), PathBuf::from("/b")]);
        let e = Cli::try_parse_from(["mcpcfg", "check", "--scan", "/a", "--config", "/x.json"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn new_client_names() {
        for name in [
            "windsurf",
            "zed",
            "gemini",
            "codex",
            "cline",
            "roo-code",
            "opencode",
            "copilot-cli",
            "qwen-code",
            "kiro",
            "amazon-q",
            "visual-studio",
            "lm-studio",
            "antigravity",
            "crush",
            "kilo-code",
        ] {
            let c = Cli::try_parse_from(["mcpcfg", "list", "--client", name]).unwrap();
            assert_eq!(c.global.clients[0].id(), name);
        }
    }

    #[test]
    fn unknown_client_is_a_usage_error() {
        let e = Cli::try_parse_from(["mcpcfg", "list", "--client", "emacs"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
