//! The command line, as clap sees it. Nothing here is used past [`crate::settings`], which turns
//! these raw flags into a validated plan.
//!
//! Each command takes only the options that mean something to it (`completions --help` does not
//! offer `--scan`): they come in three groups, flattened into the commands that use them, and
//! [`Cli::global`] gives the settings one shape whatever the command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clients::Client;
use crate::platform::Os;

/// Find, check and repair the tsh paths in MCP client configs.
///
/// mcpcfg finds every MCP client config (Claude Desktop, Cursor, VS Code, Claude Code, Gemini
/// CLI, Codex and 16 more), recognises the servers that run through Teleport's tsh, and repairs
/// paths that break after tsh updates (`spawn … ENOENT`, "Server disconnected").
#[derive(Debug, Parser)]
#[command(
    name = "mcpcfg",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = concat!(
        "Examples:\n",
        "  mcpcfg check                 what is wrong, in every MCP client config here\n",
        "  mcpcfg fix-config --dry-run  the repair as a diff, writing nothing\n",
        "  mcpcfg fix-config            repair it (undo with `mcpcfg undo`)\n",
        "  mcpcfg doctor --online       step by step, with your session and MCP permissions\n\n",
        "Run `mcpcfg COMMAND --help` for a command's options."
    )
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every config found and its servers.
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg list\n",
        "  mcpcfg list --client cursor --client vscode\n",
        "  mcpcfg list --scan ~/src --format json\n\n",
        "Exit status: 0, or 2 on a usage error."
    ))]
    List(ListArgs),
    /// Report findings; the exit status tells scripts whether anything is wrong.
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg check\n",
        "  mcpcfg check -q || mcpcfg fix-config   repair only when needed\n",
        "  mcpcfg check --format json --strict   one JSON document, for fleets\n\n",
        "Exit status:\n",
        "  0  healthy\n",
        "  1  an error finding (with --strict, a warning too)\n",
        "  2  usage error, or a config that cannot be read or parsed"
    ))]
    Check(Global),
    /// Repair tsh paths in place (atomic, every other byte kept).
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg fix-config --dry-run   the repair as a patch; nothing written\n",
        "  mcpcfg fix-config             repair every user-level config\n",
        "  mcpcfg fix-config --tsh /usr/local/bin/tsh --server teleport-mcp-demo\n",
        "  mcpcfg fix-config --include-project --project ~/src/app\n",
        "  mcpcfg undo                   put the files back\n\n",
        "Exit status:\n",
        "  0  everything that was wrong is repaired (or nothing was)\n",
        "  1  an error is left that no path repair mends (a tsh too old): see the hints\n",
        "  2  usage error, a config that cannot be read or parsed, or a failed write\n",
        "     (nothing is ever half-written)\n",
        "  3  a config changed while mcpcfg worked on it; it was left alone: run again"
    ))]
    FixConfig(FixArgs),
    /// Check, then explain each finding step by step.
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg doctor\n",
        "  mcpcfg doctor --online   also ask the cluster: your session, your roles\n",
        "  mcpcfg doctor --probe --server teleport-mcp-demo --timeout 30\n\n",
        "Exit status: as `mcpcfg check`."
    ))]
    Doctor(DoctorArgs),
    /// Restore the files the last fix-config changed, if they are untouched since.
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg undo --dry-run     what would be restored\n",
        "  mcpcfg undo               restore it; run again to go one fix further back\n\n",
        "Exit status:\n",
        "  0  every file restored\n",
        "  1  only some: the others changed since the fix, and are left as they are\n",
        "  2  a restore that failed (nothing to undo is 0)"
    ))]
    Undo(UndoArgs),
    /// Repair the configs on its own after every tsh update, through the OS's service manager.
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg autofix enable --dry-run   the files it would write\n",
        "  mcpcfg autofix enable             watch and repair from now on\n",
        "  mcpcfg autofix status             what is installed, when it last ran, what it did\n",
        "  mcpcfg autofix disable            remove everything enable wrote, and its log\n\n",
        "Linux: systemd user units (a .path unit watching the managed-update state and the\n",
        "user-level configs); macOS: a LaunchAgent with WatchPaths; Windows: a scheduled task at\n",
        "logon and every 30 minutes. Each runs `mcpcfg autofix run`: fix-config on the user-level\n",
        "configs, quiet, logged.\n\n",
        "Exit status: 0; 2 when the service manager refuses; status: 1 when the mcpcfg it runs is gone."
    ))]
    Autofix {
        #[command(subcommand)]
        action: AutofixAction,
    },
    /// Print a shell completion script.
    #[command(after_help = concat!(
        "Examples:\n",
        "  mcpcfg completions bash > ~/.local/share/bash-completion/completions/mcpcfg\n",
        "  mcpcfg completions zsh > ~/.zfunc/_mcpcfg\n",
        "  mcpcfg completions fish > ~/.config/fish/completions/mcpcfg.fish\n\n",
        "install.sh installs the bash, zsh and fish scripts and the man page."
    ))]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write the man pages (mcpcfg.1 and one per command) into DIR, as install.sh installs them.
    #[command(hide = true)]
    Man {
        /// The folder to write the pages into; it must exist.
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AutofixAction {
    /// Install the trigger (again: it is rewritten when what it watches changed).
    Enable(AutofixArgs),
    /// Remove everything enable installed, and the run log.
    Disable(AutofixArgs),
    /// Say what is installed, what it runs, and its last run.
    Status(Own),
    /// What the trigger runs: fix-config on the user-level configs, quiet, with a log line.
    #[command(hide = true)]
    Run(Own),
}

#[derive(Debug, Args)]
pub struct AutofixArgs {
    /// Print what would be written and run, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub own: Own,
}

/// The options of the commands about mcpcfg's own files (undo, autofix): where home is, and
/// how to print.
#[derive(Clone, Debug, Args)]
pub struct Own {
    #[command(flatten)]
    pub base: Base,
    #[command(flatten)]
    pub show: Show,
}

impl Own {
    fn global(&self) -> Global {
        Global {
            select: Select { base: self.base.clone(), ..Select::default() },
            show: self.show.clone(),
            ..Global::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: Select,
    #[command(flatten)]
    pub show: Show,
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
    #[command(flatten)]
    pub all: Global,
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
    #[command(flatten)]
    pub all: Global,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Say what would be restored and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub own: Own,
}

/// Where mcpcfg's own defaults come from: the home folder and, for tests, the OS layout.
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Where to look")]
pub struct Base {
    /// Use DIR as the home folder for every default location, ~/.tsh included [env:
    /// MCPCFG_HOME; empty counts as unset].
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Which OS's layout to use (for tests).
    #[arg(long, hide = true, value_enum)]
    pub platform: Option<Os>,
    /// Read system-wide files (`/etc/claude-code/…`) under this folder (for tests; env
    /// MCPCFG_SYSTEM_ROOT).
    #[arg(long, hide = true, value_name = "DIR")]
    pub system_root: Option<PathBuf>,
}

/// Which configs to read.
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Where to look")]
pub struct Select {
    #[command(flatten)]
    pub base: Base,
    /// Look only at this file (repeatable); the client is inferred from the path or --client.
    #[arg(long = "config", value_name = "PATH")]
    pub configs: Vec<PathBuf>,
    /// Only these clients (repeatable).
    #[arg(long = "client", value_enum, value_name = "NAME")]
    pub clients: Vec<Client>,
    /// Also read project-level configs in DIR [default: the current folder].
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Walk DIR for project-level configs (repeatable); hidden folders are walked, ignore files
    /// respected, and .git, node_modules and target skipped.
    #[arg(long = "scan", value_name = "DIR", conflicts_with = "configs")]
    pub scan: Vec<PathBuf>,
    /// With --scan, also walk what .gitignore and .ignore files exclude (many repositories ignore
    /// .vscode/ or .mcp.json, where local configs live); .git, node_modules and target are still
    /// skipped.
    #[arg(long, requires = "scan")]
    pub no_ignore: bool,
}

/// What counts as healthy, and what mcpcfg may run to tell.
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Judging")]
pub struct Judge {
    /// The tsh that repaired configs must point at [default: found on PATH or at a known location].
    #[arg(long, value_name = "PATH")]
    pub tsh: Option<PathBuf>,
    /// Warnings also make the exit status 1.
    #[arg(long)]
    pub strict: bool,
    /// Allow running commands named in project-level configs (version reading, --probe).
    #[arg(long)]
    pub trust_project: bool,
}

/// How the result is printed.
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct Show {
    /// Output format; JSON is one document for machines, never coloured.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print nothing but errors; the exit status speaks (a JSON document is still printed).
    #[arg(short, long)]
    pub quiet: bool,
    /// When to colour the text output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

impl Default for Show {
    fn default() -> Show {
        Show { format: Format::Text, quiet: false, color: ColorWhen::Auto }
    }
}

/// Every option a command can be given (check, fix-config and doctor take them all), with the
/// defaults for those a command does not take: the one shape [`crate::settings::Settings`] is
/// made from.
#[derive(Clone, Debug, Default, Args)]
pub struct Global {
    #[command(flatten)]
    pub select: Select,
    #[command(flatten)]
    pub judge: Judge,
    #[command(flatten)]
    pub show: Show,
}

impl Cli {
    /// The options of this command line, whatever its command.
    pub fn global(&self) -> Global {
        match &self.command {
            Command::List(a) => Global { select: a.select.clone(), show: a.show.clone(), ..Global::default() },
            Command::Check(all) | Command::FixConfig(FixArgs { all, .. }) | Command::Doctor(DoctorArgs { all, .. }) => {
                all.clone()
            }
            Command::Undo(UndoArgs { own, .. })
            | Command::Autofix {
                action: AutofixAction::Enable(AutofixArgs { own, .. }) | AutofixAction::Disable(AutofixArgs { own, .. }),
            }
            | Command::Autofix { action: AutofixAction::Status(own) | AutofixAction::Run(own) } => own.global(),
            Command::Completions { .. } | Command::Man { .. } => Global::default(),
        }
    }
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

    fn help(args: &[&str]) -> String {
        let e = Cli::try_parse_from(args).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        e.to_string()
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn options_come_after_the_command() {
        let c = Cli::try_parse_from(["mcpcfg", "check", "--home", "/h", "--format", "json", "-q", "--strict"]).unwrap();
        let g = c.global();
        assert_eq!(g.select.base.home, Some(PathBuf::from("/h")));
        assert_eq!(g.show.format, Format::Json);
        assert!(g.show.quiet && g.judge.strict);
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
        let g = c.global();
        assert_eq!(g.select.configs.len(), 2);
        assert_eq!(g.select.clients, [Client::Cursor, Client::ClaudeCode]);
    }

    #[test]
    fn platform_flag_is_hidden_but_accepted() {
        let c = Cli::try_parse_from(["mcpcfg", "list", "--platform", "windows"]).unwrap();
        assert_eq!(c.global().select.base.platform, Some(Os::Windows));
        assert!(!help(&["mcpcfg", "list", "--help"]).contains("--platform"));
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
        assert_eq!(c.global().select.scan, [PathBuf::from("/a"), PathBuf::from("/b")]);
        let e = Cli::try_parse_from(["mcpcfg", "check", "--scan", "/a", "--config", "/x.json"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn each_command_shows_only_its_options() {
        let completions = help(&["mcpcfg", "completions", "--help"]);
        for other in ["--scan", "--tsh", "--strict", "--home", "--format"] {
            assert!(!completions.contains(other), "completions --help offers {other}:\n{completions}");
        }
        let undo = help(&["mcpcfg", "undo", "--help"]);
        assert!(undo.contains("--dry-run") && undo.contains("--home") && undo.contains("--format"));
        assert!(!undo.contains("--scan") && !undo.contains("--tsh") && !undo.contains("--client"));
        let list = help(&["mcpcfg", "list", "--help"]);
        assert!(list.contains("--scan") && !list.contains("--tsh") && !list.contains("--strict"));
        let fix = help(&["mcpcfg", "fix-config", "--help"]);
        for o in ["--dry-run", "--tsh", "--scan", "--include-project", "--strict", "--format"] {
            assert!(fix.contains(o), "fix-config --help lacks {o}");
        }
        assert!(!fix.contains("\n      --probe"), "fix-config --help offers --probe");
        // An option a command does not take is a usage error, not silently ignored.
        let e = Cli::try_parse_from(["mcpcfg", "completions", "bash", "--scan", "/a"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = Cli::try_parse_from(["mcpcfg", "undo", "--tsh", "/t"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn every_command_help_has_examples_and_exit_status() {
        for cmd in ["list", "check", "fix-config", "doctor", "undo"] {
            let h = help(&["mcpcfg", cmd, "--help"]);
            assert!(h.contains("Examples:\n  mcpcfg "), "{cmd} --help has no examples:\n{h}");
            assert!(h.contains("Exit status"), "{cmd} --help has no exit status:\n{h}");
        }
        let top = help(&["mcpcfg", "--help"]);
        assert!(top.contains("mcpcfg fix-config --dry-run") && !top.contains("--scan"));
        assert!(!top.contains("\n  man "), "the man subcommand is for install.sh only");
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
            assert_eq!(c.global().select.clients[0].id(), name);
        }
    }

    #[test]
    fn unknown_client_is_a_usage_error() {
        let e = Cli::try_parse_from(["mcpcfg", "list", "--client", "emacs"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
