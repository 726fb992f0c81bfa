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
    let Ok((mut child, run)) = spawn(&mut cmd) else { return Ran::Failed };
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
    // Output complete (or the bound passed): reap the child, killing it if it lingers. Its
    // group (a helper it left) is killed before it is reaped, while the group id is still its
    // own (see `tree::has_ended`).
    let status = loop {
        match crate::tree::has_ended(&mut child) {
            Ok(true) => {
                run.end();
                break child.wait().ok();
            }
            Ok(false) if out.is_some() && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2))
            }
            _ => {
                run.end();
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

/// A tsh run started by [`spawn`]: its tree (killed when dropped), and its place among the runs
/// that an ending signal kills before mcpcfg exits.
pub struct TrackedRun {
    pub tree: crate::tree::Tree,
    _tracked: groups::Tracked,
}

impl TrackedRun {
    /// Kills the run's group and stops tracking it. Called before its leader is reaped (see
    /// [`crate::tree::has_ended`]): dropped later, the group id could be someone else's.
    pub fn end(self) {
        // Fields drop in order: the tree is killed, then forgotten by the signal watcher.
        drop(self);
    }
}

/// Starts `cmd` as the root of a [`crate::tree::Tree`] (on unix: in a process group of its own,
/// so that a tsh that hangs is killed with whatever it started, a re-executed copy or a helper)
/// and tracks it in [`groups`], so that Ctrl-C still ends it. Refused once an ending signal came.
/// On Windows it opens no console window: run from autofix's scheduled task, a `tsh version`
/// would otherwise flash one every half hour.
pub fn spawn(cmd: &mut Command) -> std::io::Result<(std::process::Child, TrackedRun)> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    #[cfg(windows)]
    std::os::windows::process::CommandExt::creation_flags(cmd, crate::tree::CREATE_NO_WINDOW);
    // Spawned and tracked under one guard, so that a Ctrl-C in between still finds the group
    // (the watcher waits for spawns in flight before it kills and exits).
    let spawning = groups::Spawning::begin()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::Interrupted, "mcpcfg is being interrupted"))?;
    let child = cmd.spawn()?;
    let tracked = spawning.track(child.id());
    let tree = crate::tree::Tree::of_std(&child);
    Ok((child, TrackedRun { tree, _tracked: tracked }))
}

/// The process groups of the `tsh version` runs in flight. Each run leads a group of its own,
/// which the terminal's Ctrl-C does not reach: a thread (started with the first run) kills every
/// live group on SIGINT, SIGTERM and SIGHUP, then ends mcpcfg as the signal would have, unless
/// `doctor --probe` holds those signals ([`groups::probe_owns_signals`]).
#[cfg(unix)]
pub mod groups {
    use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

    const SLOTS: usize = 64;
    static LIVE: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];
    static PROBE: AtomicBool = AtomicBool::new(false);
    /// Spawns begun and not yet tracked, and whether an ending signal came.
    static SPAWNING: AtomicUsize = AtomicUsize::new(0);
    static STOPPING: AtomicBool = AtomicBool::new(false);
    /// The watcher will end mcpcfg (set before it kills the groups, so no run ends first).
    static EXITING: AtomicBool = AtomicBool::new(false);
    static WATCH: std::sync::Once = std::sync::Once::new();

    /// While `doctor --probe` handles the ending signals itself (it kills its servers, then
    /// exits), the watcher here only kills the version runs' groups.
    pub fn probe_owns_signals(on: bool) {
        PROBE.store(on, Ordering::SeqCst);
    }

    /// Called as mcpcfg is about to end with its own status: once an ending signal came, the
    /// watcher is ending it as the signal would (after killing the groups), and the status must
    /// be the signal's. Without this a run killed by the watcher let `check` finish and exit 0
    /// first (`ctrl_c_during_tsh_version_ends_mcpcfg_and_the_run`, seen once in CI).
    pub fn wait_if_interrupted() {
        if EXITING.load(Ordering::SeqCst) {
            loop {
                std::thread::park();
            }
        }
    }

    /// A spawn in flight: the watcher is armed before it, and waits for it to be tracked.
    pub struct Spawning(());

    impl Spawning {
        /// `None` once an ending signal came: nothing new is started then.
        pub fn begin() -> Option<Spawning> {
            watch();
            SPAWNING.fetch_add(1, Ordering::SeqCst);
            if STOPPING.load(Ordering::SeqCst) {
                SPAWNING.fetch_sub(1, Ordering::SeqCst);
                return None;
            }
            Some(Spawning(()))
        }

        /// The spawned group `pid`, tracked until the returned value is dropped.
        pub fn track(self, pid: u32) -> Tracked {
            let pid = pid as i32;
            let slot = LIVE.iter().position(|s| s.compare_exchange(0, pid, Ordering::SeqCst, Ordering::SeqCst).is_ok());
            drop(self);
            Tracked(slot)
        }
    }

    impl Drop for Spawning {
        fn drop(&mut self) {
            SPAWNING.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// A live group, forgotten when dropped (after the run was waited for).
    pub struct Tracked(Option<usize>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            if let Some(i) = self.0 {
                LIVE[i].store(0, Ordering::SeqCst);
            }
        }
    }

    /// SIGKILL to the group `pid` leads (no shell is run).
    pub fn kill(pid: u32) {
        if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process_group(p, rustix::process::Signal::KILL);
        }
    }

    fn watch() {
        WATCH.call_once(|| {
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
            std::thread::spawn(move || {
                for sig in signals.forever() {
                    STOPPING.store(true, Ordering::SeqCst);
                    // A group spawned but not yet tracked would outlive us: wait for it (briefly).
                    let since = std::time::Instant::now();
                    while SPAWNING.load(Ordering::SeqCst) > 0 && since.elapsed() < std::time::Duration::from_secs(2) {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    let exiting = !PROBE.load(Ordering::SeqCst);
                    EXITING.store(exiting, Ordering::SeqCst);
                    for slot in &LIVE {
                        let pid = slot.load(Ordering::SeqCst);
                        if pid > 0 {
                            kill(pid as u32);
                        }
                    }
                    if exiting {
                        // As the signal's own default action: the shell sees mcpcfg end by it.
                        let _ = signal_hook::low_level::emulate_default_handler(sig);
                        std::process::exit(128 + sig);
                    }
                }
            });
        });
    }
}

/// On Windows the runs' job objects end every child when mcpcfg ends ([`crate::tree`]), so the
/// watcher only has to make Ctrl-C (and Ctrl-Break) end mcpcfg with 130, as `doctor --probe`
/// does and as on unix, rather than with the default action's code (STATUS_CONTROL_C_EXIT on
/// Windows, 0 under Wine 8: an interrupted `check` looked like a clean one).
#[cfg(windows)]
pub mod groups {
    use std::sync::atomic::{AtomicBool, Ordering};

    static PROBE: AtomicBool = AtomicBool::new(false);
    static WATCH: std::sync::Once = std::sync::Once::new();

    /// While `doctor --probe` handles Ctrl-C itself (it kills its servers, then exits), the
    /// watcher here leaves the exit to it.
    pub fn probe_owns_signals(on: bool) {
        PROBE.store(on, Ordering::SeqCst);
    }

    pub struct Tracked;

    /// On Windows the watcher ends mcpcfg itself on Ctrl-C; nothing to wait for here.
    pub fn wait_if_interrupted() {}

    pub struct Spawning;

    impl Spawning {
        /// Arms the watcher (with the first run) and always lets the run start.
        pub fn begin() -> Option<Spawning> {
            watch();
            Some(Spawning)
        }

        pub fn track(self, _pid: u32) -> Tracked {
            Tracked
        }
    }

    fn watch() {
        WATCH.call_once(|| {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            // Registered here, before the first run starts, so a Ctrl-C right after it is seen.
            let handlers = {
                let _in_runtime = runtime.enter();
                tokio::signal::windows::ctrl_c().and_then(|c| Ok((c, tokio::signal::windows::ctrl_break()?)))
            };
            let Ok((mut ctrl_c, mut ctrl_break)) = handlers else { return };
            std::thread::spawn(move || {
                runtime.block_on(async move {
                    loop {
                        tokio::select! {
                            got = ctrl_c.recv() => if got.is_none() { return },
                            got = ctrl_break.recv() => if got.is_none() { return },
                        }
                        if !PROBE.load(Ordering::SeqCst) {
                            std::process::exit(130);
                        }
                    }
                })
            });
        });
    }
}

/// Elsewhere there are no signals to watch.
#[cfg(not(any(unix, windows)))]
pub mod groups {
    pub fn probe_owns_signals(_on: bool) {}

    pub fn wait_if_interrupted() {}

    pub struct Tracked;

    pub struct Spawning;

    impl Spawning {
        pub fn begin() -> Option<Spawning> {
            Some(Spawning)
        }

        pub fn track(self, _pid: u32) -> Tracked {
            Tracked
        }
    }
}
