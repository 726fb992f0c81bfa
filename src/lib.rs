//! mcpcfg: find, check and repair the tsh paths in MCP client configs.
//!
//! `main` parses the command line and hands a validated [`settings::Settings`] to the command;
//! everything else lives in modules named for their concern.

pub mod autofix;
pub mod backup;
pub mod check;
pub mod claude_state;
pub mod cli;
pub mod clientlock;
pub mod clients;
pub mod commands;
pub mod doctor;
pub mod document;
pub mod fastjson;
pub mod findings;
pub mod fix;
pub mod load;
pub mod loading;
pub mod online;
pub mod output;
pub mod platform;
pub mod probe;
pub mod readat;
pub mod redact;
pub mod report;
pub mod scan;
pub mod service;
pub mod settings;
pub mod toml_document;
pub mod tree;
pub mod tsh;
pub mod tshrun;
pub mod vars;
pub mod write;
pub mod yaml_document;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, Format};
use crate::output::Style;
use crate::platform::Env;
use crate::report::Report;
use crate::settings::Settings;

/// Runs mcpcfg with the process's arguments and environment.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(mut e) => {
            // `--json` is what other tools spell it; say how this one does.
            if e.kind() == clap::error::ErrorKind::UnknownArgument && std::env::args_os().any(|a| a == "--json") {
                use clap::error::{ContextKind, ContextValue};
                e.insert(
                    ContextKind::Suggested,
                    ContextValue::StyledStrs(vec!["for JSON output, use '--format json'".to_owned().into()]),
                );
            }
            // A usage error still gives a script asking for JSON one document on stdout.
            if e.use_stderr() && asks_for_json(std::env::args_os()) {
                print_json_error(e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: "));
            }
            e.exit()
        }
    };
    let json = cli.global().show.format == Format::Json;
    let result = run(cli, Env::from_process());
    crate::tshrun::groups::wait_if_interrupted();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            say(&format!("{e:#}"));
            // A script reading JSON gets a document even then, unless one was already printed.
            if json && !output::wrote_stdout() {
                print_json_error(&format!("{e:#}"));
            }
            ExitCode::from(exit_code_of(&e))
        }
    }
}

/// The one JSON document of a run that stopped on an error.
fn print_json_error(message: &str) {
    let _ = output::print_json(&serde_json::json!({"schema": 1, "error": {"message": message}}));
}

/// Whether the command line asks for `--format json` (read by hand: clap could not parse it).
fn asks_for_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<std::ffi::OsString> = args.collect();
    args.iter().any(|a| a == "--format=json") || args.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
}

/// The exit status for an error that stopped the run (SPEC §1).
fn exit_code_of(e: &anyhow::Error) -> u8 {
    e.chain().find_map(|c| c.downcast_ref::<write::WriteError>()).map_or(2, write::WriteError::exit_code)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(output::is_broken_pipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// Runs one command; returns the exit status.
pub fn run(cli: Cli, env: Env) -> anyhow::Result<u8> {
    // The scripts need no home folder or settings: they describe the command line only.
    match &cli.command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "mcpcfg", &mut out);
            output::stdout().write_all(&out)?;
            return Ok(0);
        }
        Command::Man { dir } => {
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
            return Ok(0);
        }
        _ => {}
    }
    let s = Settings::from_global(&cli.global(), env)?;
    match cli.command {
        Command::List(_) => commands::list(&s),
        Command::Check(_) => commands::check(&s),
        Command::FixConfig(a) => commands::fix_config(
            &s,
            &commands::FixRequest {
                options: fix::FixOptions { servers: a.servers, include_project: a.include_project },
                dry_run: a.dry_run,
                backup: !a.no_backup,
                log: false,
            },
        ),
        Command::Doctor(a) => commands::doctor(
            &s,
            &commands::DoctorRequest {
                online: a.online,
                probe: a.probe,
                servers: a.servers,
                timeout: std::time::Duration::from_secs(a.timeout.max(1)),
            },
        ),
        Command::Undo(a) => commands::undo(&s, a.dry_run),
        Command::Autofix { action } => match action {
            cli::AutofixAction::Enable(a) => service::enable(&s, a.dry_run),
            cli::AutofixAction::Disable(a) => service::disable(&s, a.dry_run),
            cli::AutofixAction::Status(_) => service::status(&s),
            cli::AutofixAction::Run(_) => commands::autofix_run(&s),
        },
        Command::Completions { .. } | Command::Man { .. } => Ok(0),
    }
}

/// Prints a report as the settings ask: JSON, text, or (quiet) only the errors, on stderr.
pub fn emit(s: &Settings, report: &Report, show_findings: bool, with_changes: bool) -> anyhow::Result<()> {
    let mut stdout = output::stdout();
    match s.format {
        Format::Json => {
            output::print_json(&output::json(&s.host, report, with_changes))?;
        }
        Format::Text if s.quiet => print_quiet(report),
        Format::Text => {
            stdout.write_all(
                output::text(&s.host, report, Style { color: s.color }, show_findings, with_changes).as_bytes(),
            )?;
        }
    }
    stdout.flush()?;
    print_errors(report);
    Ok(())
}

/// One diagnostic line on stderr. Unlike `eprintln!`, a closed stderr (`2>&1 | true`) is not a
/// panic: the exit status still tells what happened.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "mcpcfg: {line}");
}

/// Errors met while acting (a write that failed) are diagnostics: stderr, whatever the format.
pub fn print_errors(report: &Report) {
    for e in &report.errors {
        say(&output::clean(e));
    }
}

/// In quiet mode, what still has to be said, on stderr: files that could not be read.
pub fn print_quiet(report: &Report) {
    let unreadable =
        |c: findings::Code| matches!(c, findings::Code::ConfigMalformed | findings::Code::ConfigUnreadable);
    for (_, _, f) in report.all_findings().filter(|(_, _, f)| unreadable(f.code)) {
        say(&output::clean(&f.message));
    }
}
