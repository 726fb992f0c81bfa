//! A child process and everything it starts, ended together: a `tsh` that hangs, an MCP server
//! that ignores end of input, and whatever helpers they started.
//!
//! - On unix the caller starts the child as the leader of a process group of its own
//!   (`process_group(0)`), and [`Tree::kill`] sends `SIGKILL` to that group with kill(2) (no
//!   shell is run). Daemons that leave the group on purpose (`setsid`) are out of reach, as they
//!   are for MCP clients. Ctrl-C does not reach the group: [`crate::tshrun::groups`] and the
//!   probe's own signal handling kill the live groups before mcpcfg exits. A tsh run's group
//!   is killed before its leader is reaped ([`has_ended`] leaves it a zombie), and so is a
//!   probed server's ([`wait_then_kill`]): until then the group's id cannot pass to another
//!   process's group.
//! - On Windows the child is put in a job object of its own, made with "kill on job close", as
//!   soon as it has been created; the processes it starts join that job. Killing the tree closes
//!   the job's handle, which ends every process in it. Windows closes that handle too when
//!   mcpcfg ends in any other way (Ctrl-C, a crash, Task Manager), so no child outlives mcpcfg
//!   there. A process it starts in the instant between its creation and its assignment would
//!   escape; a new process is still loading its DLLs then. Where no job can be made or joined,
//!   `taskkill /T /F` (the process and its descendants) is the fallback, and the process itself
//!   where even `/T` is refused (Wine 8's taskkill knows only `/F`).
//!
//! A [`Tree`] is killed when it is dropped, so every path (success, error, timeout, panic, a
//! dropped future) ends the processes.

/// `CREATE_NO_WINDOW`: a child mcpcfg starts (a server, tsh, taskkill) opens no console window
/// of its own, as when mcpcfg runs from a scheduled task.
#[cfg(windows)]
pub const CREATE_NO_WINDOW: u32 = 0x0800_0000;

/// The processes started from one child; killed when told to or when dropped.
#[derive(Debug)]
pub struct Tree {
    pid: Option<u32>,
    #[cfg(windows)]
    job: Option<win32job::Job>,
}

impl Tree {
    /// The tree of a child started by `std::process::Command` (on unix: as a group leader).
    pub fn of_std(child: &std::process::Child) -> Tree {
        #[cfg(windows)]
        {
            use std::os::windows::io::AsRawHandle;
            Tree::new(Some(child.id()), Some(child.as_raw_handle() as isize))
        }
        #[cfg(not(windows))]
        Tree::new(Some(child.id()))
    }

    /// The tree of a child started by `tokio::process::Command` (on unix: as a group leader).
    /// Nothing is tracked for a child that has already been reaped.
    pub fn of_tokio(child: &tokio::process::Child) -> Tree {
        #[cfg(windows)]
        {
            Tree::new(child.id(), child.raw_handle().map(|h| h as isize))
        }
        #[cfg(not(windows))]
        Tree::new(child.id())
    }

    #[cfg(not(windows))]
    fn new(pid: Option<u32>) -> Tree {
        // Group 0 and 1 are never a child's: killing them would reach far too much.
        Tree { pid: pid.filter(|&p| p > 1) }
    }

    #[cfg(windows)]
    fn new(pid: Option<u32>, handle: Option<isize>) -> Tree {
        let job = handle.and_then(|handle| {
            let mut limits = win32job::ExtendedLimitInfo::new();
            limits.limit_kill_on_job_close();
            let job = win32job::Job::create_with_limit_info(&limits).ok()?;
            job.assign_process(handle).ok()?;
            Some(job)
        });
        Tree { pid: pid.filter(|&p| p > 0), job }
    }

    /// Ends the child and everything it started, once; later calls do nothing.
    pub fn kill(&mut self) {
        #[cfg(windows)]
        if let Some(job) = self.job.take() {
            // Closing the only handle to a kill-on-close job ends every process in it.
            drop(job);
            self.pid = None;
            return;
        }
        if let Some(pid) = self.pid.take() {
            kill_tree(pid);
        }
    }
}

/// Whether `child` has ended, without reaping it on unix (`waitid` with `WNOWAIT`).
///
/// Until a group's leader is reaped its pid cannot go to another process, so neither can the
/// group's id. So a group is killed while its leader is a zombie, and the leader reaped after:
/// killed after the reap, the id may already lead a stranger's group (pids wrap), which would
/// get the SIGKILL. On Windows the open process handle keeps the pid, and the job is ended by
/// its own handle, so `try_wait` is enough.
pub fn has_ended(child: &mut std::process::Child) -> std::io::Result<bool> {
    #[cfg(unix)]
    return pid_ended(child.id());
    #[cfg(not(unix))]
    child.try_wait().map(|status| status.is_some())
}

/// Waits until the tokio `child` (a group leader) ends, then returns its exit status. On unix
/// `kill` (the group's) runs while the child is still a zombie, and the child is reaped only
/// after it, for the reason [`has_ended`] gives; the wait is a poll every few milliseconds,
/// as tokio's own wait would reap. On Windows this is tokio's wait, and `kill` is not run: the
/// process handle keeps the pid, and the caller ends the job afterwards as before.
pub async fn wait_then_kill(
    child: &mut tokio::process::Child,
    #[cfg_attr(not(unix), allow(unused_variables))] kill: impl FnOnce(),
) -> std::io::Result<std::process::ExitStatus> {
    #[cfg(unix)]
    if let Some(pid) = child.id() {
        while !pid_ended(pid)? {
            tokio::time::sleep(ZOMBIE_POLL).await;
        }
        kill();
    }
    child.wait().await
}

/// [`wait_then_kill`] without the wait: the exit status if `child` has ended by now (its group
/// killed first on unix), `None` while it runs.
pub fn ended_then_kill(
    child: &mut tokio::process::Child,
    #[cfg_attr(not(unix), allow(unused_variables))] kill: impl FnOnce(),
) -> std::io::Result<Option<std::process::ExitStatus>> {
    #[cfg(unix)]
    if let Some(pid) = child.id() {
        if !pid_ended(pid)? {
            return Ok(None);
        }
        kill();
    }
    child.try_wait()
}

/// How often [`wait_then_kill`] looks whether its child has ended.
#[cfg(unix)]
const ZOMBIE_POLL: std::time::Duration = std::time::Duration::from_millis(5);

/// Whether the child `pid` has ended, leaving it unreaped (`waitid` with `WNOWAIT`).
#[cfg(unix)]
fn pid_ended(pid: u32) -> std::io::Result<bool> {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let pid = Pid::from_raw(pid as i32).ok_or_else(|| std::io::Error::other("a child with pid 0"))?;
    Ok(waitid(WaitId::Pid(pid), WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT)?.is_some())
}

impl Drop for Tree {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
fn kill_tree(pid: u32) {
    crate::tshrun::groups::kill(pid);
}

#[cfg(windows)]
fn kill_tree(pid: u32) {
    use std::os::windows::process::CommandExt;
    use std::process::Stdio;
    let taskkill = |tree: bool| {
        let pid = pid.to_string();
        let mut args = vec!["/PID", &pid, "/F"];
        if tree {
            args.push("/T");
        }
        std::process::Command::new("taskkill")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .creation_flags(CREATE_NO_WINDOW)
            .status()
    };
    // Exit status 128 is "no such process": then there is nothing left to try.
    if let Ok(status) = taskkill(true)
        && !status.success()
        && status.code() != Some(128)
    {
        let _ = taskkill(false);
    }
}

#[cfg(not(any(unix, windows)))]
fn kill_tree(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child that would run for a minute.
    fn long_child() -> std::process::Child {
        let mut cmd = std::process::Command::new("sleep");
        cmd.arg("60");
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.spawn().unwrap()
    }

    #[test]
    #[cfg_attr(windows, ignore = "no sleep program: tests/cli/probe.rs kills the fake server's trees there")]
    fn a_killed_tree_ends_its_child() {
        let mut child = long_child();
        let mut tree = Tree::of_std(&child);
        tree.kill();
        let status = child.wait().unwrap();
        assert!(!status.success(), "{status:?}");
        // A second kill is a no-op (the group id may be someone else's by now).
        tree.kill();
    }

    #[test]
    #[cfg_attr(windows, ignore = "no sleep program: tests/cli/probe.rs kills the fake server's trees there")]
    fn a_dropped_tree_ends_its_child() {
        let mut child = long_child();
        drop(Tree::of_std(&child));
        assert!(!child.wait().unwrap().success());
    }

    /// The bug: a run's group was killed after its leader had been reaped, when the group's id
    /// was free to go to someone else's group.
    #[cfg(unix)]
    #[test]
    fn an_ended_child_is_left_unreaped_so_its_group_id_is_still_its_own() {
        use rustix::process::{Pid, test_kill_process_group};
        let mut cmd = std::process::Command::new("true");
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().unwrap();
        let group = Pid::from_raw(child.id() as i32).unwrap();
        let since = std::time::Instant::now();
        while !has_ended(&mut child).unwrap() {
            assert!(since.elapsed() < std::time::Duration::from_secs(20), "`true` did not end");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // Ended and still there: the zombie leads its group, which can be signalled (0 only checks).
        test_kill_process_group(group).unwrap();
        assert!(has_ended(&mut child).unwrap(), "asking again still finds it ended");
        assert!(child.wait().unwrap().success());
        // Reaped, the group is gone.
        assert!(test_kill_process_group(group).is_err());
    }

    /// The same bug in `doctor --probe`: tokio's wait reaped a server before its group was killed.
    #[cfg(unix)]
    #[test]
    fn a_probed_servers_group_is_killed_while_the_server_is_a_zombie_and_reaped_after() {
        use rustix::process::{Pid, test_kill_process_group};
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let spawn = |program: &str| {
                let mut cmd = tokio::process::Command::new(program);
                cmd.process_group(0);
                let child = cmd.spawn().unwrap();
                let group = Pid::from_raw(child.id().unwrap() as i32).unwrap();
                (child, group)
            };
            let (mut child, group) = spawn("true");
            let killed = std::cell::Cell::new(false);
            let wait = wait_then_kill(&mut child, || {
                // Not reaped yet: the zombie still leads its group.
                test_kill_process_group(group).expect("the group was gone when it was killed");
                killed.set(true);
            });
            let status = tokio::time::timeout(std::time::Duration::from_secs(20), wait).await.unwrap().unwrap();
            assert!(status.success() && killed.get());
            assert!(test_kill_process_group(group).is_err(), "reaped after the kill");

            let (mut child, group) = spawn("true");
            let since = std::time::Instant::now();
            let status = loop {
                let ended = ended_then_kill(&mut child, || test_kill_process_group(group).unwrap()).unwrap();
                if let Some(status) = ended {
                    break status;
                }
                assert!(since.elapsed() < std::time::Duration::from_secs(20), "`true` did not end");
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            };
            assert!(status.success());
            assert!(test_kill_process_group(group).is_err());
        });
    }

    #[cfg(unix)]
    #[test]
    fn a_running_child_has_not_ended() {
        let mut child = long_child();
        assert!(!has_ended(&mut child).unwrap());
        Tree::of_std(&child).kill();
        assert!(!child.wait().unwrap().success());
    }

    #[cfg(unix)]
    #[test]
    fn pids_0_and_1_are_never_killed() {
        assert_eq!(Tree::new(Some(1)).pid, None);
        assert_eq!(Tree::new(Some(0)).pid, None);
    }
}
