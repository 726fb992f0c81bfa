//! What a run found and did, independent of how it is shown; and the exit status it implies.

use semver::Version;

use crate::findings::{Finding, Severity, StableTsh};
use crate::load::{LoadError, Loaded};

/// The stable tsh and its versions, as JSON's `tsh` object.
#[derive(Clone, Debug)]
pub struct TshReport {
    pub stable: StableTsh,
    /// The binary's own version (`TELEPORT_TOOLS_VERSION=off`).
    pub version: Option<Version>,
    /// The version managed updates re-execute for the current profile.
    pub managed_version: Option<Version>,
    /// The original version when tsh re-executes into a managed one.
    pub reexec_from: Option<Version>,
}

#[derive(Debug)]
pub struct ServerReport {
    pub server: crate::document::Server,
    pub tsh: bool,
    pub findings: Vec<Finding>,
    /// Why its client does not load this server (`None`: it does).
    pub not_loaded: Option<crate::loading::NotLoaded>,
    /// A managed allowlist admits it by its present command: fix-config must not change it.
    pub pinned_by_policy: bool,
    /// Its command holds a variable the client expands (`${TSH_DIR}/tsh`): never rewritten.
    pub command_has_variables: bool,
}

#[derive(Debug)]
pub struct ConfigReport {
    pub loaded: Loaded,
    pub file_findings: Vec<Finding>,
    pub servers: Vec<ServerReport>,
}

impl ConfigReport {
    pub fn status(&self) -> &'static str {
        match &self.loaded.parsed {
            Ok(_) => "ok",
            Err(LoadError::Malformed(_)) => "malformed",
            Err(LoadError::Unreadable(_)) => "unreadable",
        }
    }
}

/// A command changed (or, with --dry-run, to change) by fix-config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: std::path::PathBuf,
    pub server: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub tsh: Option<TshReport>,
    pub configs: Vec<ConfigReport>,
    pub changes: Vec<Change>,
    /// Findings about the machine rather than one file (the session, the cluster's permissions).
    pub global: Vec<Finding>,
    /// What `doctor --probe` saw.
    pub probes: Vec<Probe>,
    /// Lines for people (what to restart, what was left alone); text output only.
    pub notes: Vec<String>,
    /// Errors met while acting (a write that failed), each already naming its file.
    pub errors: Vec<String>,
}

/// One server started by `doctor --probe`.
#[derive(Clone, Debug)]
pub struct Probe {
    pub path: std::path::PathBuf,
    pub server: String,
    pub outcome: crate::probe::ProbeOutcome,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub configs: usize,
    pub servers: usize,
    pub tsh_servers: usize,
    pub errors: usize,
    pub warnings: usize,
    pub changed: usize,
}

impl Report {
    /// Every finding with the config and server it belongs to.
    pub fn all_findings(&self) -> impl Iterator<Item = (Option<&ConfigReport>, Option<&ServerReport>, &Finding)> {
        let files = self.configs.iter().flat_map(|c| {
            c.file_findings
                .iter()
                .map(move |f| (Some(c), None, f))
                .chain(c.servers.iter().flat_map(move |s| s.findings.iter().map(move |f| (Some(c), Some(s), f))))
        });
        files.chain(self.global.iter().map(|f| (None, None, f)))
    }

    pub fn summary(&self) -> Summary {
        let count = |sev| self.all_findings().filter(|(_, _, f)| f.severity == sev).count();
        Summary {
            configs: self.configs.len(),
            servers: self.configs.iter().map(|c| c.servers.len()).sum(),
            tsh_servers: self.configs.iter().flat_map(|c| &c.servers).filter(|s| s.tsh).count(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            changed: self.changes.len(),
        }
    }

    /// SPEC §1: 2 for a file that could not be read or written, else 1 for an error finding
    /// (or a warning with --strict), else 0.
    pub fn exit_code(&self, strict: bool) -> u8 {
        let unreadable = self.configs.iter().any(|c| c.loaded.parsed.is_err());
        if unreadable || !self.errors.is_empty() {
            return 2;
        }
        let bad = self
            .all_findings()
            .any(|(_, _, f)| f.severity == Severity::Error || (strict && f.severity == Severity::Warning));
        u8::from(bad)
    }
}
