//! The commands: each takes validated [`Settings`], does its I/O through the edge modules and
//! returns the exit status.

use std::cell::RefCell;
use std::io::Write;

use crate::backup::BackupRun;
use crate::check::{self, Depth};
use crate::cli::Format;
use crate::fix::{self, FixOptions};
use crate::settings::Settings;
use crate::write::{self, WriteError};
use crate::{emit, output};

pub fn list(s: &Settings) -> anyhow::Result<u8> {
    let report = check::gather(s, Depth::Servers, &[])?;
    emit(s, &report, false, false)?;
    Ok(if report.configs.iter().any(|c| c.loaded.parsed.is_err()) { 2 } else { 0 })
}

pub fn check(s: &Settings) -> anyhow::Result<u8> {
    let report = check::gather(s, Depth::Findings, &[])?;
    emit(s, &report, true, false)?;
    Ok(report.exit_code(s.strict))
}

/// What fix-config was asked.
#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    pub options: FixOptions,
    pub dry_run: bool,
    pub backup: bool,
}

pub fn fix_config(s: &Settings, req: &FixRequest) -> anyhow::Result<u8> {
    let mut report = check::gather(s, Depth::Findings, &[])?;
    let to = report.tsh.as_ref().map(|t| t.stable.path.clone());
    let plan = fix::plan(&report, to.as_deref(), &req.options)?;

    if req.dry_run {
        let mut diffs = String::new();
        for f in &plan.files {
            let c = &report.configs[f.config];
            diffs.push_str(&fix::diff(c, &s.host.tilde(&c.loaded.location.path), &f.new_bytes));
        }
        report.changes = plan.files.iter().flat_map(|f| f.changes.clone()).collect();
        report.notes = plan.skipped.clone();
        if s.format == Format::Text && !s.quiet {
            let mut out = std::io::stdout().lock();
            out.write_all(output::clean_diff(&diffs).as_bytes())?;
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
        return Ok(report.exit_code(s.strict));
    }

    let backups = RefCell::new(if req.backup { Some(BackupRun::begin(&s.host.state_dir())?) } else { None });
    let mut applied = fix::Plan { files: vec![], skipped: plan.skipped };
    let mut changed_under_us = false;
    for f in plan.files {
        let c = &report.configs[f.config];
        let path = &c.loaded.location.path;
        let save = |target: &std::path::Path| -> Result<(), WriteError> {
            if let Some(b) = backups.borrow_mut().as_mut() {
                b.save(target, path, &c.loaded.bytes, &f.new_bytes).map_err(|e| WriteError::Io {
                    path: target.to_path_buf(),
                    action: "save a backup of",
                    source: std::io::Error::other(format!("{e:#}")),
                })?;
            }
            Ok(())
        };
        match write::atomic_replace(path, &c.loaded.bytes, &f.new_bytes, &save) {
            Ok(w) => {
                if let Some(warning) = w.hard_link_warning {
                    applied.skipped.push(format!("warning: {warning}"));
                }
                applied.files.push(f);
            }
            Err(e @ WriteError::Changed { .. }) => {
                changed_under_us = true;
                report.errors.push(e.to_string());
            }
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    if let Some(b) = backups.into_inner() {
        b.finish()?;
    }
    report.changes = applied.files.iter().flat_map(|f| f.changes.clone()).collect();
    let mut notes = applied.skipped.clone();
    notes.extend(fix::restart_notes(&report, &applied));
    if !report.changes.is_empty() && req.backup {
        notes.push("run `mcpcfg undo` to restore the previous files".into());
    }
    report.notes = notes;
    fix::after(&mut report, &applied);
    emit(s, &report, true, true)?;
    if changed_under_us {
        return Ok(3);
    }
    Ok(report.exit_code(s.strict))
}
