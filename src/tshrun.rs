//! The process edge for tsh versions: runs `<tsh> version --client --format=json`, offline and
//! bounded, each binary once, all in parallel. Nothing else is ever executed by check, list or fix-config.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::tsh::{VersionOutput, parse_version_any};

pub const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// One run to make: which binary, and whether re-execution is turned off.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionRun {
    pub tsh: PathBuf,
    /// `TELEPORT_TOOLS_VERSION=off`: the binary reports its own version and never re-executes
    /// (nor downloads anything).
    pub own: bool,
}

/// Runs each distinct request once, in parallel; an answer is `None` when the binary could not
/// be run, timed out, or printed something else.
pub fn read_versions(runs: &[VersionRun], timeout: Duration) -> HashMap<VersionRun, Option<VersionOutput>> {
    let mut distinct: Vec<&VersionRun> = runs.iter().collect();
    distinct.sort_by(|a, b| (&a.tsh, a.own).cmp(&(&b.tsh, b.own)));
    distinct.dedup();
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            distinct.iter().map(|r| (*r, scope.spawn(move || run_version(&r.tsh, r.own, timeout)))).collect();
        handles.into_iter().map(|(r, h)| (r.clone(), h.join().ok().flatten())).collect()
    })
}

/// `tsh version --client --format=json` (which carries `reExecutedFromVersion`), and the plain
/// text form only when a tsh older than that flag refused it: one run for every other tsh.
fn run_version(tsh: &Path, own: bool, timeout: Duration) -> Option<VersionOutput> {
    match run_once(tsh, own, &["version", "--client", "--format=json"], timeout) {
        Ran::Answered { refused: true, .. } => match run_once(tsh, own, &["version", "--client"], timeout) {
            Ran::Answered { out, .. } => parse_version_any(&String::from_utf8_lossy(&out)),
            Ran::Failed => None,
        },
        Ran::Answered { out, .. } => parse_version_any(&String::from_utf8_lossy(&out)),
        Ran::Failed => None,
    }
}

enum Ran {
    /// It printed all it had to say (and `refused`: then exited with a failure status).
    Answered { refused: bool, out: Vec<u8> },
    /// It could not be started, or said nothing within the bound.
    Failed,
}

fn run_once(tsh: &Path, own: bool, args: &[&str], timeout: Duration) -> Ran {
    let mut cmd = Command::new(tsh);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    if own {
        cmd.env("TELEPORT_TOOLS_VERSION", "off");
    } else {
        cmd.env_remove("TELEPORT_TOOLS_VERSION");
    }
    let Ok(mut child) = cmd.spawn() else { return Ran::Failed };
    let Some(mut stdout) = child.stdout.take() else { return Ran::Failed };
    let (tx, rx) = mpsc::channel();
    // The reader runs apart so a tsh that hangs can be killed when the bound passes; a
    // grandchild holding the pipe open only keeps this detached thread waiting.
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.by_ref().take(64 * 1024).read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    let deadline = std::time::Instant::now() + timeout;
    let out = rx.recv_timeout(timeout).ok();
    // Output complete (or the bound passed): reap the child, killing it if it lingers.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if out.is_some() && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    match out {
        // One that lingered after its answer was killed, and its answer still counts.
        Some(out) => Ran::Answered { refused: status.is_some_and(|s| !s.success()), out },
        None => Ran::Failed,
    }
}
