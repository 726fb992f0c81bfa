//! The lock a client takes around its own read-modify-write of a config, taken the same way by
//! fix-config so that neither writer loses the other's change.
//!
//! Claude Code locks `~/.claude.json` proper-lockfile style: the lock is a folder
//! `<file>.lock`, made with `mkdir` (atomic: whoever makes it holds it), whose mtime the holder
//! refreshes while it works, and which a writer takes over once it is older than the stale
//! time. Without it, a Claude Code write that began before a repair and ended after it put the
//! stale path back while mcpcfg said "fixed".

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// proper-lockfile's defaults, which Claude Code keeps: a lock untouched for 10 s is stale (its
/// holder died), and a live holder touches it every 5 s.
pub const STALE: Duration = Duration::from_secs(10);
const REFRESH: Duration = Duration::from_secs(5);
/// How long fix-config waits for a live holder to finish before it leaves the file alone.
pub const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// The lock folder of `file`.
pub fn lock_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// A lock this process holds; released (the folder removed) when dropped.
#[derive(Debug)]
pub struct Held {
    dir: PathBuf,
    /// Dropped to stop the refresher at once (a sleeping one made every fix-config 50 ms slower).
    stop: Option<std::sync::mpsc::Sender<()>>,
    refresher: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: held by another program (Claude Code is writing the file) for more than {}s", .0.display(), WAIT.as_secs())]
    Busy(PathBuf),
    #[error("{}: cannot take the lock: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Takes the lock of `file`, waiting up to `wait` for a live holder and taking over a stale
/// lock, as the client itself would.
pub fn acquire(file: &Path, wait: Duration, stale: Duration) -> Result<Held, LockError> {
    let dir = lock_path(file);
    let start = std::time::Instant::now();
    loop {
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(Held::start(dir)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(LockError::Io { path: dir, source }),
        }
        match std::fs::symlink_metadata(&dir).and_then(|m| m.modified()) {
            // Its holder let go between our mkdir and this look: try again at once.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => return Err(LockError::Io { path: dir, source }),
            Ok(mtime) if is_stale(mtime, stale) => {
                // A dead holder's lock. Removing it races with another taker doing the same;
                // whoever then makes the folder first holds it.
                match std::fs::remove_dir(&dir) {
                    Ok(()) => continue,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(source) => return Err(LockError::Io { path: dir, source }),
                }
            }
            Ok(_) => {}
        }
        if start.elapsed() >= wait {
            return Err(LockError::Busy(dir));
        }
        std::thread::sleep(POLL);
    }
}

fn is_stale(mtime: SystemTime, stale: Duration) -> bool {
    SystemTime::now().duration_since(mtime).is_ok_and(|age| age > stale)
}

impl Held {
    fn start(dir: PathBuf) -> Held {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let d = dir.clone();
        // A large file can take longer than the stale time to read and write; keep the lock fresh
        // so that the client does not take it over meanwhile.
        let refresher = std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(REFRESH) {
                let _ = touch(&d);
            }
        });
        Held { dir, stop: Some(stop), refresher: Some(refresher) }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.refresher.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Sets a folder's mtime to now.
fn touch(dir: &Path) -> io::Result<()> {
    set_times(dir, SystemTime::now())
}

fn set_times(dir: &Path, now: SystemTime) -> io::Result<()> {
    #[cfg(windows)]
    let f = {
        use std::os::windows::fs::OpenOptionsExt;
        // A folder opens only with FILE_FLAG_BACKUP_SEMANTICS; FILE_WRITE_ATTRIBUTES lets us set its times.
        std::fs::OpenOptions::new().access_mode(0x100).custom_flags(0x0200_0000).open(dir)?
    };
    #[cfg(not(windows))]
    let f = std::fs::File::open(dir)?;
    f.set_times(std::fs::FileTimes::new().set_modified(now).set_accessed(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(dir: &Path, by: Duration) {
        set_times(dir, SystemTime::now() - by).unwrap();
    }

    #[test]
    fn lock_is_a_folder_beside_the_file_removed_on_release() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(".claude.json");
        let held = acquire(&file, Duration::ZERO, STALE).unwrap();
        assert!(t.path().join(".claude.json.lock").is_dir());
        assert_eq!(held.path(), t.path().join(".claude.json.lock"));
        drop(held);
        assert!(!t.path().join(".claude.json.lock").exists());
    }

    #[test]
    fn live_lock_held_past_the_wait_is_busy_and_left_in_place() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(".claude.json");
        std::fs::create_dir(lock_path(&file)).unwrap();
        let e = acquire(&file, Duration::from_millis(200), STALE).unwrap_err();
        assert!(matches!(e, LockError::Busy(_)), "{e}");
        assert!(lock_path(&file).is_dir(), "another program's lock is never removed while live");
    }

    #[test]
    fn lock_released_while_waiting_is_taken() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(".claude.json");
        let lock = lock_path(&file);
        std::fs::create_dir(&lock).unwrap();
        let l = lock.clone();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            std::fs::remove_dir(&l).unwrap();
        });
        let held = acquire(&file, Duration::from_secs(10), STALE).unwrap();
        releaser.join().unwrap();
        assert!(held.path().is_dir());
    }

    #[test]
    fn stale_lock_of_a_dead_holder_is_taken_over() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(".claude.json");
        std::fs::create_dir(lock_path(&file)).unwrap();
        age(&lock_path(&file), Duration::from_secs(60));
        let held = acquire(&file, Duration::ZERO, STALE).unwrap();
        let mtime = std::fs::metadata(held.path()).unwrap().modified().unwrap();
        assert!(!is_stale(mtime, STALE), "the lock is ours now, and fresh");
    }

    #[test]
    fn held_lock_is_kept_fresh() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(".claude.json");
        let held = acquire(&file, Duration::ZERO, STALE).unwrap();
        age(held.path(), Duration::from_secs(9));
        std::thread::sleep(REFRESH + Duration::from_millis(300));
        let mtime = std::fs::metadata(held.path()).unwrap().modified().unwrap();
        assert!(SystemTime::now().duration_since(mtime).unwrap() < Duration::from_secs(2), "refreshed");
    }
}
