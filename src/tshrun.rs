//! The process edge for tsh versions: runs `<tsh> version --client`, offline and bounded, each
//! binary once, all in parallel. Nothing else is ever executed by check, list or fix-config.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::tsh::{VersionOutput, parse_version_output};

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

fn run_version(tsh: &Path, own: bool, timeout: Duration) -> Option<VersionOutput> {
    let mut cmd = Command::new(tsh);
    cmd.args(["version", "--client"]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    if own {
        cmd.env("TELEPORT_TOOLS_VERSION", "off");
    } else {
        cmd.env_remove("TELEPORT_TOOLS_VERSION");
    }
    let mut child = cmd.spawn().ok()?;
    let mut stdout = child.stdout.take()?;
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
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if out.is_some() && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    parse_version_output(&String::from_utf8_lossy(&out?))
}
