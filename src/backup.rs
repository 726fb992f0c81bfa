//! Backups of what `fix-config` replaced, and `undo` (SPEC.md §5).
//!
//! Contract:
//! - A run's backups live in `<state>/backups/<run-id>/`, where `<state>` is given by the caller
//!   and `<run-id>` sorts by start time (`20261127T071500.123456789Z-<pid>`). Folders are created
//!   0700 and files 0600, only when the first file is saved: a run that saved nothing leaves
//!   nothing behind.
//! - For each replaced file the run keeps its old bytes (`N.old`) and the BLAKE3 hash of the
//!   bytes written (`new_blake3`), so `undo` knows them exactly without a second copy (earlier
//!   releases kept their SHA-256, `new_sha256`, and before that the bytes as `N.new`: both still
//!   read), and an `index.json` (rewritten atomically
//!   after every save) listing `path` (the resolved file that was replaced), `original_path` (as
//!   given), the file name and the lengths. Everything is fsynced before [`BackupRun::save`] returns, so
//!   a backup is on disk before the config is renamed.
//! - [`undo_last`] takes the most recent run that saved something and has not been undone; a
//!   run that was interrupted (killed, or ended by an error before [`BackupRun::finish`]) counts
//!   too, since the files it replaced must be undoable. It restores, newest first, each file that
//!   still holds exactly what the run wrote, through [`crate::write::atomic_replace`] (symlinks
//!   followed, mode kept, atomic); a file changed since is left alone. A file that already holds
//!   its old bytes (its write was aborted, or it was reverted by hand) counts as restored without
//!   being written. The run is then marked undone, so the next `undo` goes one run further back.
//! - One at a time: a run holds [`RunsLock`] from its first save until it is dropped (after its
//!   prune), and [`undo_last`] holds it while it reads and restores. So undo never reads a run
//!   that is still being written, one run's prune never removes another's, and two writers of
//!   one index never lose each other's update.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::write;

const INDEX: &str = "index.json";
const SCHEMA: u32 = 1;

/// The backups of one `fix-config` run.
#[derive(Debug)]
pub struct BackupRun {
    backups: PathBuf,
    id: String,
    /// The run's folder, once the first save has created it.
    dir: Option<PathBuf>,
    index: Index,
    next_number: u32,
    /// Taken with the run's folder, at the first save.
    lock: Option<RunsLock>,
    /// The older runs' prune, started at the first save (see [`BackupRun::save`]); joined
    /// before the lock is let go.
    pruning: Option<std::thread::JoinHandle<()>>,
}

impl Drop for BackupRun {
    fn drop(&mut self) {
        // The prune works under the lock: it ends before the lock goes with the other fields.
        self.join_pruning();
    }
}

/// How long a run or an undo waits for another one to finish with the backups.
pub const RUNS_WAIT: Duration = Duration::from_secs(15);

/// The name of the lock file in the state folder, beside `backups/`.
const RUNS_LOCK: &str = "backups.lock";

/// The right to change the backups, held by one run of fix-config or one undo at a time: an
/// advisory lock (`flock`, `LockFileEx`) on `<state>/backups.lock`, released when dropped or
/// when the process ends in any way, so a killed run never leaves it taken.
#[derive(Debug)]
pub struct RunsLock {
    _file: fs::File,
}

/// Takes [`RunsLock`] in `state_dir` (which must exist, private), waiting up to `wait` for the
/// run or undo that holds it.
pub fn lock_runs(state_dir: &Path, wait: Duration) -> Result<RunsLock> {
    let path = state_dir.join(RUNS_LOCK);
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a link planted in its place.
        options.mode(0o600).custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = options.open(&path).with_context(|| format!("could not open the lock {}", path.display()))?;
    check_private(&path, false)?;
    let start = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(RunsLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => bail!(
                "another mcpcfg (fix-config or undo) is changing the backups in {} and did not finish within {}s; \
                 wait for it to end",
                state_dir.display(),
                wait.as_secs()
            ),
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("could not take the lock {}", path.display()));
            }
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Index {
    schema: u32,
    run: String,
    /// Set by [`BackupRun::finish`]; informational (an interrupted run can be undone too).
    complete: bool,
    undone: bool,
    entries: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// The file that was replaced (the end of its symlink chain), absolute.
    path: StoredPath,
    /// The path as the user or the client catalogue named it, absolute.
    original_path: StoredPath,
    /// File name of the old bytes in the run's folder.
    backup: String,
    /// File name of the new bytes in the run's folder: older releases' runs only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    new: String,
    /// BLAKE3 of the new bytes, in hex.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    new_blake3: String,
    /// SHA-256 of the new bytes, in hex: runs of earlier releases only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    new_sha256: String,
    old_len: u64,
    new_len: u64,
    /// The identity (device, inode) of the file the run wrote, once written: `undo` restores
    /// only that very file, not another one that came to hold the same bytes. Absent in
    /// indexes of older releases and for a write that did not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    written: Option<(u64, u64)>,
    /// The identity of the file `undo` wrote back: an older run's `undo` then knows it as the
    /// file that run wrote, restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restored: Option<(u64, u64)>,
}

/// The (device, inode) of the file `path` leads to; `None` where the OS has no such notion.
fn identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A path in the index: a string when it is valid UTF-8, else (Unix) its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum StoredPath {
    Text(String),
    Bytes { unix_bytes: Vec<u8> },
}

impl StoredPath {
    fn new(path: &Path) -> Result<StoredPath> {
        let path = std::path::absolute(path).with_context(|| format!("could not make {} absolute", path.display()))?;
        if let Some(text) = path.to_str() {
            return Ok(StoredPath::Text(text.to_owned()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            Ok(StoredPath::Bytes { unix_bytes: path.as_os_str().as_bytes().to_vec() })
        }
        #[cfg(not(unix))]
        bail!("cannot back up {}: its path is not valid Unicode; rename it, then run again", path.display())
    }

    fn to_path(&self) -> Result<PathBuf> {
        match self {
            StoredPath::Text(text) => Ok(PathBuf::from(text)),
            #[cfg(unix)]
            StoredPath::Bytes { unix_bytes } => {
                use std::os::unix::ffi::OsStrExt;
                Ok(PathBuf::from(std::ffi::OsStr::from_bytes(unix_bytes)))
            }
            #[cfg(not(unix))]
            StoredPath::Bytes { .. } => {
                bail!("this backup was made on Unix and names a non-Unicode path")
            }
        }
    }
}

impl BackupRun {
    /// Starts a run whose backups will go under `<state_dir>/backups/`. Nothing is created
    /// until the first [`BackupRun::save`].
    pub fn begin(state_dir: &Path) -> Result<BackupRun> {
        let id = run_id(SystemTime::now(), std::process::id());
        Ok(BackupRun {
            backups: state_dir.join("backups"),
            index: Index { schema: SCHEMA, run: id.clone(), complete: false, undone: false, entries: Vec::new() },
            id,
            dir: None,
            next_number: 0,
            lock: None,
            pruning: None,
        })
    }

    /// The run's id: the name of its folder.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Saves the bytes `target` held (`old`) and what undo keeps of those it is about to hold
    /// (`new`: worked out by fix-config on another core while the temporary copy is written), and
    /// records them in the index. `target` is the file that will be replaced (the end of its
    /// symlink chain), `original_path` the path as given. Meant to run in `atomic_replace`'s
    /// `before_rename`.
    pub fn save(&mut self, target: &Path, original_path: &Path, old: &[u8], new: NewContent) -> Result<()> {
        let result = self.save_entry(target, original_path, old, new);
        // A run whose first backup failed (a full disk) leaves no empty folder behind.
        if result.is_err()
            && self.index.entries.is_empty()
            && let Some(dir) = self.dir.take()
        {
            let _ = fs::remove_dir_all(&dir);
        }
        // Removing a run that kept a 64 MB file takes the kernel about 30 ms (a page of the
        // cache and a block to free every 4 KB): it is started now, under the lock, on another
        // core while the config is read again and renamed, rather than after. It removes only
        // older runs, never this one; `finish` prunes again for what later saves add.
        if result.is_ok() && self.pruning.is_none() {
            let backups = self.backups.clone();
            self.pruning = std::thread::Builder::new()
                .name("prune".into())
                .spawn(move || prune(&backups, KEEP_RUNS, KEEP_BYTES))
                .ok();
        }
        result
    }

    /// Waits for the prune started at the first save, if it still runs.
    fn join_pruning(&mut self) {
        if let Some(pruning) = self.pruning.take() {
            let _ = pruning.join();
        }
    }

    fn save_entry(&mut self, target: &Path, original_path: &Path, old: &[u8], new: NewContent) -> Result<()> {
        let entry_path = StoredPath::new(target)?;
        let entry_original = StoredPath::new(original_path)?;
        let dir = self.create_dir()?;
        self.next_number += 1;
        let backup = format!("{}.old", self.next_number);
        keep_old(target, &dir.join(&backup), old)?;
        self.index.entries.push(Entry {
            path: entry_path,
            original_path: entry_original,
            backup,
            new: String::new(),
            new_blake3: new.blake3,
            new_sha256: String::new(),
            old_len: old.len() as u64,
            new_len: new.len as u64,
            written: None,
            restored: None,
        });
        if let Err(e) = write_index(&dir, &self.index) {
            self.index.entries.pop();
            return Err(e);
        }
        Ok(())
    }

    /// Records that `target` now holds the new bytes: the identity of the file written, so that
    /// `undo` will restore that file and no other.
    pub fn written(&mut self, target: &Path) -> Result<()> {
        let wanted = StoredPath::new(target)?;
        let (Some(dir), Some(id)) = (self.dir.clone(), identity(target)) else { return Ok(()) };
        if let Some(e) = self.index.entries.iter_mut().rev().find(|e| e.path == wanted) {
            e.written = Some(id);
            // A kept inode has the config's mode until now: it is the backup's alone from here.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let file = dir.join(&e.backup);
                if fs::symlink_metadata(&file).is_ok_and(|m| m.permissions().mode() & 0o7777 != 0o600) {
                    fs::set_permissions(&file, fs::Permissions::from_mode(0o600))
                        .with_context(|| format!("could not make the backup {} private", file.display()))?;
                }
            }
            write_index(&dir, &self.index)?;
        }
        Ok(())
    }

    /// Drops the newest entry for `target`, for a caller whose write was aborted after the
    /// backup was saved (e.g. the file changed meanwhile). A run left with no entries is removed.
    pub fn forget(&mut self, target: &Path) -> Result<()> {
        let wanted = StoredPath::new(target)?;
        let Some(dir) = self.dir.clone() else {
            return Ok(());
        };
        let Some(position) = self.index.entries.iter().rposition(|e| e.path == wanted) else {
            return Ok(());
        };
        let entry = self.index.entries.remove(position);
        if self.index.entries.is_empty() {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("could not remove the backup folder {}", dir.display()))?;
            self.dir = None;
            return Ok(());
        }
        write_index(&dir, &self.index)?;
        for name in [&entry.backup, &entry.new].into_iter().filter(|n| !n.is_empty()) {
            let file = dir.join(name);
            fs::remove_file(&file).with_context(|| format!("could not remove the backup {}", file.display()))?;
        }
        Ok(())
    }

    /// Marks the run complete. Returns its folder, or `None` when nothing was saved (and then
    /// nothing was created).
    pub fn finish(mut self) -> Result<Option<PathBuf>> {
        let Some(dir) = self.dir.take() else {
            return Ok(None);
        };
        self.index.complete = true;
        self.join_pruning();
        write_index(&dir, &self.index)?;
        prune(&self.backups, KEEP_RUNS, KEEP_BYTES);
        Ok(Some(dir))
    }

    fn create_dir(&mut self) -> Result<PathBuf> {
        if let Some(dir) = &self.dir {
            return Ok(dir.clone());
        }
        create_private_dir_all(&self.backups)?;
        if self.lock.is_none()
            && let Some(state) = self.backups.parent()
        {
            self.lock = Some(lock_runs(state, RUNS_WAIT)?);
        }
        // Two runs can start in the same nanosecond only in one process; be safe anyway.
        for attempt in 0..100 {
            let name = match attempt {
                0 => self.id.clone(),
                n => format!("{}-{n}", self.id),
            };
            let dir = self.backups.join(&name);
            match private_dir_builder().create(&dir) {
                Ok(()) => {
                    write::sync_folder(&self.backups)
                        .with_context(|| format!("could not flush the folder {}", self.backups.display()))?;
                    self.id = name.clone();
                    self.index.run = name;
                    self.dir = Some(dir.clone());
                    return Ok(dir);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("could not create the backup folder {}", dir.display()));
                }
            }
        }
        bail!(
            "could not create a new backup folder in {}: too many runs with the id {}",
            self.backups.display(),
            self.id
        )
    }
}

/// How many runs are kept: `undo` can go back this far. Each holds two copies of every file it
/// changed, and `~/.claude.json` can be tens of MB, so the folder must not grow for ever.
pub const KEEP_RUNS: usize = 20;

/// How much the kept runs may hold together: older runs go first once the newer ones hold this
/// much (the newest run is always kept). Twenty runs on a 64 MB `~/.claude.json` would be 2.5 GB.
pub const KEEP_BYTES: u64 = 256 << 20;

/// Removes the run folders under `backups` (run ids sort by time) beyond the newest `keep`, and
/// beyond the newest that hold `keep_bytes` together (the newest one is always kept). Failures
/// are ignored: a backup that could not be pruned costs space, nothing else.
fn prune(backups: &Path, keep: usize, keep_bytes: u64) {
    // Listing through a symlinked `backups` would delete the link target's folders.
    if check_private(backups, true).is_err() {
        return;
    }
    let Ok(listing) = fs::read_dir(backups) else { return };
    let mut runs: Vec<PathBuf> = listing
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.file_name().to_string_lossy().chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|e| e.path())
        .collect();
    runs.sort();
    runs.reverse();
    let mut total = 0u64;
    for (i, dir) in runs.iter().enumerate() {
        // A run still going keeps files a moment before its index names them: only a run
        // folder untouched for 10 minutes is one that was killed.
        let idle = fs::metadata(dir)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|d| d > std::time::Duration::from_secs(600)));
        if idle {
            let index = fs::read(dir.join(INDEX)).ok().and_then(|b| serde_json::from_slice::<Index>(&b).ok());
            // An index that cannot be read is left for undo to report.
            if index.is_some() || !dir.join(INDEX).exists() {
                drop_strays(dir, index.as_ref());
            }
        }
        total = total.saturating_add(folder_bytes(dir));
        if i > 0 && (i >= keep || total > keep_bytes) {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// Removes the kept files of a run's folder that its index does not name: a run killed between
/// keeping a file and recording it left them, and a kept file may be the config itself (its
/// second name), which would then stay hard-linked. Removing our name loses nothing: an
/// unrecorded file was never needed by undo, and a config keeps its bytes under its own name.
fn drop_strays(dir: &Path, index: Option<&Index>) {
    let Ok(listing) = fs::read_dir(dir) else { return };
    for e in listing.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let kept = name.ends_with(".old") || name.ends_with(".new");
        let named = index.is_some_and(|i| i.entries.iter().any(|x| x.backup == name || x.new == name));
        if kept && !named && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// The bytes the files directly in `dir` hold.
fn folder_bytes(dir: &Path) -> u64 {
    let Ok(listing) = fs::read_dir(dir) else { return 0 };
    listing.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()
}

/// What `undo` did, or would do with `dry_run`, to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoOutcome {
    /// The file holds its old bytes again (or already did).
    Restored,
    /// The file changed after the fix; it was left alone.
    ChangedSince,
    /// The file no longer exists; nothing was created.
    Missing,
}

/// One file of the run `undo` went back on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoEntry {
    /// The file that was replaced by the run (the end of its symlink chain then).
    pub path: PathBuf,
    pub outcome: UndoOutcome,
    /// The backup of what it held before the run, to restore by hand.
    pub backup: PathBuf,
}

/// Goes back on the most recent run under `<state_dir>/backups` that saved something and has
/// not been undone. Returns its id and what became of each file, in the order they were saved,
/// or `None` when there is nothing to undo. With `dry_run`, nothing is written and the run is not
/// marked undone. An error (a restore that failed) leaves the run not undone: running `undo`
/// again finishes the job, since files already restored count as restored.
pub fn undo_last(state_dir: &Path, dry_run: bool) -> Result<Option<(String, Vec<UndoEntry>)>> {
    undo_last_waiting(state_dir, dry_run, RUNS_WAIT)
}

fn undo_last_waiting(state_dir: &Path, dry_run: bool, wait: Duration) -> Result<Option<(String, Vec<UndoEntry>)>> {
    let backups = state_dir.join("backups");
    if fs::symlink_metadata(&backups).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
        return Ok(None);
    }
    check_private(state_dir, true)?;
    check_private(&backups, true)?;
    let _lock = lock_runs(state_dir, wait)?;
    let listing = match fs::read_dir(&backups) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("could not list {}", backups.display()));
        }
    };
    let mut runs = Vec::new();
    for item in listing {
        let item = item.with_context(|| format!("could not list {}", backups.display()))?;
        if item.file_type().is_ok_and(|t| t.is_dir()) {
            runs.push(item.file_name());
        }
    }
    runs.sort();
    // The files later runs' undos wrote back, by path: they stand for what older runs wrote.
    let mut restored_later: std::collections::HashMap<PathBuf, Vec<(u64, u64)>> = Default::default();
    for name in runs.iter().rev() {
        let dir = backups.join(name);
        let index_path = dir.join(INDEX);
        if fs::symlink_metadata(&index_path).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
            if !dry_run && check_private(&dir, true).is_ok() {
                drop_strays(&dir, None);
            }
            continue;
        }
        check_private(&dir, true)?;
        check_private(&index_path, false)?;
        let bytes = match fs::read(&index_path) {
            Ok(bytes) => bytes,
            // Killed before its first save completed: it replaced nothing.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("could not read {}", index_path.display()));
            }
        };
        let mut index: Index = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a valid mcpcfg backup index; move the folder {} out of the way, then \
                 run undo again",
                index_path.display(),
                dir.display()
            )
        })?;
        if !dry_run {
            drop_strays(&dir, Some(&index));
        }
        if index.undone || index.entries.is_empty() {
            for e in &index.entries {
                if let (Some(id), Ok(p)) = (e.restored, e.path.to_path()) {
                    restored_later.entry(p).or_default().push(id);
                }
            }
            continue;
        }
        let mut results = Vec::with_capacity(index.entries.len());
        // A file the run replaced twice is restored step by step; after the first step it is
        // a file this undo wrote, whose identity the index cannot know.
        let mut rewritten = std::collections::HashSet::new();
        for entry in index.entries.iter_mut().rev() {
            let path = entry.path.to_path()?;
            let accepted = restored_later.get(&path).map(Vec::as_slice).unwrap_or_default();
            let r = undo_entry(&dir, entry, dry_run, rewritten.contains(&path), accepted)?;
            if r.outcome == UndoOutcome::Restored && !dry_run {
                entry.restored = identity(&path);
            }
            rewritten.insert(path);
            results.push(r);
        }
        results.reverse();
        if !dry_run {
            // A refused file keeps its run current: once the user puts their edit aside, the next
            // `undo` finishes this run rather than rolling back an older, unrelated one.
            index.undone = !results.iter().any(|r| r.outcome == UndoOutcome::ChangedSince);
            write_index(&dir, &index)?;
        }
        return Ok(Some((index.run, results)));
    }
    Ok(None)
}

/// Restores one entry. `rewritten`: this undo already wrote the file (a run that replaced it
/// twice); `accepted`: identities of the file as later runs' undos wrote it back.
fn undo_entry(dir: &Path, entry: &Entry, dry_run: bool, rewritten: bool, accepted: &[(u64, u64)]) -> Result<UndoEntry> {
    let path = entry.path.to_path()?;
    let backup = dir.join(&entry.backup);
    let read_backup = |name: &str| {
        // A name in the index is a file of the run's folder, nothing else.
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            bail!("{}: the backup index names \"{name}\", which is not a file of its folder", dir.display());
        }
        let file = dir.join(name);
        check_private(&file, false)?;
        fs::read(&file).with_context(|| format!("could not read the backup {}", file.display()))
    };
    let old = read_backup(&entry.backup)?;
    // The new bytes by their hash, or (a run of an older release) by its hash or as it kept them.
    let is_new = |bytes: &[u8]| -> Result<bool> {
        if !entry.new_blake3.is_empty() {
            Ok(content_hash(bytes) == entry.new_blake3)
        } else if entry.new.is_empty() {
            Ok(!entry.new_sha256.is_empty() && sha256_hex(bytes) == entry.new_sha256)
        } else {
            Ok(bytes == read_backup(&entry.new)?.as_slice())
        }
    };
    let current = match fs::read(&path) {
        Ok(current) => current,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(UndoEntry { path, outcome: UndoOutcome::Missing, backup });
        }
        Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
    };
    // Another file at the same path (replaced since, or named by an index the run did not
    // write) is not the run's to restore, whatever it holds.
    let now = identity(&path);
    let same_file =
        rewritten || entry.written.is_none_or(|id| now == Some(id)) || now.is_some_and(|id| accepted.contains(&id));
    let current_is_new = is_new(&current)?;
    let outcome = if current_is_new && !same_file {
        UndoOutcome::ChangedSince
    } else if current_is_new {
        if !dry_run {
            write::atomic_replace(&path, &current, &old, &|_| Ok(()))?;
        }
        UndoOutcome::Restored
    } else if current == old {
        // Killed between keeping the file by a second name and the rename: the config is the
        // kept file itself. Our name goes, so the config is left with its one name again.
        if !dry_run && identity(&backup).is_some() && identity(&backup) == now {
            fs::remove_file(&backup).with_context(|| format!("could not remove the backup {}", backup.display()))?;
        }
        UndoOutcome::Restored
    } else {
        UndoOutcome::ChangedSince
    };
    Ok(UndoEntry { path, outcome, backup })
}

/// What undo keeps of the bytes a repair writes: how many, and their BLAKE3 hash. BLAKE3 rather
/// than SHA-256: it is as sure a sign that a file is untouched, and on a 64 MB file it took
/// 12% of fix-config's CPU time where SHA-256 took 18% of a longer run (with SHA-NI).
pub struct NewContent {
    pub len: usize,
    pub blake3: String,
}

impl NewContent {
    pub fn of(bytes: &[u8]) -> NewContent {
        NewContent::of_pieces([bytes])
    }

    /// The content that `pieces`, one after another, make.
    pub fn of_pieces<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> NewContent {
        let mut hash = blake3::Hasher::new();
        let mut len = 0;
        for p in pieces {
            hash.update(p);
            len += p.len();
        }
        NewContent { len, blake3: hash.finalize().to_hex().to_string() }
    }
}

/// The BLAKE3 hash of `bytes`, in hex, as [`NewContent`] keeps it.
fn content_hash(bytes: &[u8]) -> String {
    NewContent::of(bytes).blake3
}

/// The SHA-256 of `bytes`, in hex: how earlier releases kept the new bytes.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `YYYYMMDDTHHMMSS.nnnnnnnnnZ-<pid>` in UTC: sorts by time, unique per process and instant.
fn run_id(now: SystemTime, pid: u32) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}.{:09}Z-{pid}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_nanos()
    )
}

/// The proleptic Gregorian date of a day number counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Refuses, as ssh refuses a key file others could have written, a state folder, run folder or
/// backup file that is a symlink, is owned by another user, or that others may write: `undo`
/// writes what they hold over the files they name, and an administrator runs mcpcfg as root.
fn check_private(path: &Path, want_dir: bool) -> Result<()> {
    let meta = fs::symlink_metadata(path).with_context(|| format!("could not read {}", path.display()))?;
    let what = if want_dir { "folder" } else { "file" };
    if meta.file_type().is_symlink() || (want_dir && !meta.is_dir()) || (!want_dir && !meta.is_file()) {
        bail!(
            "{} is not a plain {what} (a symlink, or something else): mcpcfg keeps and restores backups only through its own; move it away, then run again",
            path.display()
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            bail!(
                "{} is owned by uid {}, not by you (uid {me}): mcpcfg keeps and restores backups only in a folder of yours; run as that user, or pass --no-backup",
                path.display(),
                meta.uid()
            );
        }
        if meta.mode() & 0o022 != 0 {
            bail!(
                "{} can be written by others (mode {:o}): mcpcfg will not trust its backups; chmod go-w it, then run again",
                path.display(),
                meta.mode() & 0o7777
            );
        }
    }
    Ok(())
}

/// A folder only its owner can open (0700 on Unix).
fn private_dir_builder() -> fs::DirBuilder {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        let mut builder = fs::DirBuilder::new();
        builder.mode(0o700);
        builder
    }
    #[cfg(not(unix))]
    fs::DirBuilder::new()
}

/// Creates `dir` (`<state>/backups`) and `<state>` as private folders; the folders above them
/// (`~/.local/state`) are created, when missing, with the usual mode: they are not mcpcfg's.
fn create_private_dir_all(dir: &Path) -> Result<()> {
    let context = || format!("could not create the backup folder {}", dir.display());
    let state = dir.parent();
    if let Some(above) = state.and_then(Path::parent) {
        fs::create_dir_all(above).with_context(context)?;
    }
    for d in state.into_iter().chain([dir]) {
        match private_dir_builder().create(d) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e).with_context(context),
            _ => {}
        }
        // One that was already there may be another user's, or a link to anywhere.
        check_private(d, true)?;
    }
    Ok(())
}

/// Creates `file` (it must not exist) with mode 0600 and makes its bytes durable.
/// Keeps the bytes `target` holds (`old`) as `file`. Where it is safe, the file itself is kept,
/// by a second name: the rename that follows replaces `target` with another file and leaves
/// this one to the backup alone, so a 64 MB config costs no copy and no second flush. Safe means
/// a regular file of this user (undo trusts only its own files) that nobody else can write, with
/// no other name (another name could change it later), holding `old`'s length, on the state
/// folder's file system (else `link` fails and the bytes are copied). [`BackupRun::written`]
/// makes it 0600 once the rename is done. Everywhere else, and on Windows, a copy.
fn keep_old(target: &Path, file: &Path, old: &[u8]) -> Result<()> {
    #[cfg(not(unix))]
    let _ = target;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = rustix::process::geteuid().as_raw();
        let linkable = fs::symlink_metadata(target).is_ok_and(|m| {
            m.is_file() && m.uid() == me && m.mode() & 0o022 == 0 && m.nlink() == 1 && m.len() == old.len() as u64
        });
        if linkable && fs::hard_link(target, file).is_ok() {
            // The name must be on disk before the config is renamed, as a copy would be.
            return write::sync_folder(file.parent().unwrap_or(Path::new(".")))
                .with_context(|| format!("could not flush the backup folder of {}", file.display()));
        }
    }
    write_new_file(file, old)
}

fn write_new_file(file: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options.open(file).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    result.with_context(|| format!("could not write the backup {}", file.display()))
}

/// Replaces `<dir>/index.json` atomically: a crash leaves the old index or the new one.
fn write_index(dir: &Path, index: &Index) -> Result<()> {
    let path = dir.join(INDEX);
    let mut json = serde_json::to_vec_pretty(index).context("could not encode a backup index")?;
    json.push(b'\n');
    let result = (|| {
        // tempfile creates it 0600.
        let mut temp = tempfile::Builder::new().prefix(".index.json.").suffix(".tmp").tempfile_in(dir)?;
        temp.write_all(&json)?;
        temp.as_file().sync_all()?;
        temp.persist(&path).map_err(|e| e.error)?;
        write::sync_folder(dir)
    })();
    result.with_context(|| format!("could not write the backup index {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::{PermissionsExt, symlink};

    /// Replaces `path` the way fix-config does: backup saved in `before_rename`.
    fn fix(run: &mut BackupRun, path: &Path, new: &[u8]) -> PathBuf {
        let old = fs::read(path).unwrap();
        let run = std::cell::RefCell::new(run);
        let report = write::atomic_replace(path, &old, new, &|target| {
            run.borrow_mut().save(target, path, &old, NewContent::of(new)).unwrap();
            Ok(())
        })
        .unwrap();
        run.borrow_mut().written(&report.target).unwrap();
        report.target
    }

    /// A state folder holding one finished run that replaced `<home>/f.json` ("old" -> "new").
    fn one_run(home: &Path) -> (PathBuf, PathBuf) {
        let state = home.join("state");
        let file = home.join("f.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        run.finish().unwrap();
        (state, file)
    }

    /// The bug: undo could read a run another fix-config was still writing (and the two wrote
    /// one index), and one run's prune could remove another's folder. A run holds the lock from
    /// its first save until it is done; an undo waits for it, then gives up with a clear error.
    #[test]
    fn a_run_holds_the_backups_lock_from_its_first_save_until_it_is_done_and_undo_waits_for_it() {
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        let taken = |why: &str| {
            let e = lock_runs(&state, Duration::ZERO).unwrap_err().to_string();
            assert!(e.contains("another mcpcfg (fix-config or undo)"), "{why}: {e}");
        };
        drop(lock_runs(&state, Duration::ZERO).expect("free once a run is done"));

        let mut run = BackupRun::begin(&state).unwrap();
        drop(lock_runs(&state, Duration::ZERO).expect("free before the first save"));
        fs::write(&file, "newer-old").unwrap();
        fix(&mut run, &file, b"newer");
        taken("held after the first save");
        let e = undo_last_waiting(&state, false, Duration::from_millis(120)).unwrap_err().to_string();
        assert!(e.contains("did not finish within"), "{e}");
        assert_eq!(fs::read(&file).unwrap(), b"newer", "undo touched nothing");
        run.finish().unwrap();
        drop(lock_runs(&state, Duration::ZERO).expect("free once finished"));

        // Held by an undo, it keeps a run from starting its backups until the undo is done.
        let held = lock_runs(&state, Duration::ZERO).unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        let started = std::time::Instant::now();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                drop(held);
            });
            fix(&mut run, &file, b"newest");
        });
        assert!(started.elapsed() >= Duration::from_millis(200), "the save waited for the lock");
        run.finish().unwrap();
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::Restored);
        assert_eq!(fs::read(&file).unwrap(), b"newer");
    }

    /// The lock file is never opened through a link planted in its place.
    #[cfg(unix)]
    #[test]
    fn the_backups_lock_is_not_taken_through_a_symlink() {
        let home = tempfile::tempdir().unwrap();
        let (state, _) = one_run(home.path());
        let victim = home.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        fs::remove_file(state.join(RUNS_LOCK)).unwrap();
        symlink(&victim, state.join(RUNS_LOCK)).unwrap();
        assert!(lock_runs(&state, Duration::ZERO).is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
    }

    /// A 64 MB repair wrote 192 MB (issue 13): the old bytes, the new bytes and the file. The
    /// new bytes are now kept as their BLAKE3 hash; runs of older releases, with their SHA-256
    /// or their `N.new` file, are still undone.
    #[test]
    fn undo_knows_the_new_bytes_by_their_hash_and_still_reads_older_runs() {
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        let dir = fs::read_dir(state.join("backups")).unwrap().next().unwrap().unwrap().path();
        let index = read_index(&dir);
        assert_eq!(index.entries[0].new, "");
        assert_eq!(index.entries[0].new_blake3, content_hash(b"new"));
        assert_eq!(index.entries[0].new_sha256, "");
        // As an older release left it: the new bytes in a file, no hash.
        let mut old_style: serde_json::Value = serde_json::from_slice(&fs::read(dir.join(INDEX)).unwrap()).unwrap();
        old_style["entries"][0]["new"] = "1.new".into();
        old_style["entries"][0].as_object_mut().unwrap().remove("new_blake3");
        write_new_file(&dir.join("1.new"), b"new").unwrap();
        fs::write(dir.join(INDEX), serde_json::to_vec(&old_style).unwrap()).unwrap();
        #[cfg(unix)]
        fs::set_permissions(dir.join(INDEX), fs::Permissions::from_mode(0o600)).unwrap();
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::Restored);
        assert_eq!(fs::read(&file).unwrap(), b"old");

        // A hash that does not match what the file holds: changed since, left alone.
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        fs::write(&file, "nex").unwrap();
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::ChangedSince);
        assert_eq!(fs::read(&file).unwrap(), b"nex");

        // As the release before BLAKE3 left it: the SHA-256 of the new bytes. Known by it, and
        // only by it: a wrong one leaves the file alone.
        for (sha256, restored) in [(sha256_hex(b"new"), true), (sha256_hex(b"nex"), false)] {
            let home = tempfile::tempdir().unwrap();
            let (state, file) = one_run(home.path());
            let dir = fs::read_dir(state.join("backups")).unwrap().next().unwrap().unwrap().path();
            let mut sha_style: serde_json::Value = serde_json::from_slice(&fs::read(dir.join(INDEX)).unwrap()).unwrap();
            sha_style["entries"][0].as_object_mut().unwrap().remove("new_blake3");
            sha_style["entries"][0]["new_sha256"] = sha256.into();
            fs::write(dir.join(INDEX), serde_json::to_vec(&sha_style).unwrap()).unwrap();
            #[cfg(unix)]
            fs::set_permissions(dir.join(INDEX), fs::Permissions::from_mode(0o600)).unwrap();
            let (_, entries) = undo_last(&state, false).unwrap().unwrap();
            let (outcome, left) =
                if restored { (UndoOutcome::Restored, "old") } else { (UndoOutcome::ChangedSince, "new") };
            assert_eq!(entries[0].outcome, outcome);
            assert_eq!(fs::read(&file).unwrap(), left.as_bytes());
        }
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(content_hash(b""), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }

    /// The old bytes of a 64 MB file were copied and flushed before every repair (issue 13):
    /// the replaced file itself is now kept, by a second name, made 0600 once replaced; a file
    /// with another name (which could change it later) is copied as before.
    #[test]
    #[cfg(unix)]
    fn the_replaced_file_is_kept_by_a_second_name_unless_it_has_another() {
        use std::os::unix::fs::MetadataExt;
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join("f.json");
        fs::write(&file, "old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let old_inode = fs::metadata(&file).unwrap().ino();
        let state = home.path().join("state");
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        let dir = run.finish().unwrap().unwrap();
        let kept = fs::metadata(dir.join("1.old")).unwrap();
        assert_eq!(kept.ino(), old_inode, "the replaced file itself, not a copy");
        assert_eq!((kept.nlink(), kept.mode() & 0o7777), (1, 0o600));
        assert_eq!(fs::read(dir.join("1.old")).unwrap(), b"old");
        assert_eq!(mode(&file), 0o644, "the config keeps its mode");
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::Restored);
        assert_eq!(fs::read(&file).unwrap(), b"old");

        // With a second name elsewhere: copied, and the other name keeps the old bytes.
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join("f.json");
        fs::write(&file, "old").unwrap();
        fs::hard_link(&file, home.path().join("other.json")).unwrap();
        let old_inode = fs::metadata(&file).unwrap().ino();
        let mut run = BackupRun::begin(&home.path().join("state")).unwrap();
        fix(&mut run, &file, b"new");
        let dir = run.finish().unwrap().unwrap();
        assert_ne!(fs::metadata(dir.join("1.old")).unwrap().ino(), old_inode);
        assert_eq!(fs::read(dir.join("1.old")).unwrap(), b"old");
        assert_eq!(mode(&dir.join("1.old")), 0o600);
    }

    /// `undo` as root restored whatever a state folder anyone could write named (a planted
    /// `index.json` naming /etc/passwd): backups are trusted only in folders of the invoking user.
    #[cfg(unix)]
    #[test]
    fn undo_refuses_a_state_folder_that_others_can_write() {
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        fs::set_permissions(state.join("backups"), fs::Permissions::from_mode(0o777)).unwrap();
        let e = undo_last(&state, false).unwrap_err();
        assert!(format!("{e:#}").contains("can be written by others"), "{e:#}");
        assert_eq!(fs::read(&file).unwrap(), b"new", "nothing restored");
    }

    #[cfg(unix)]
    #[test]
    fn undo_refuses_a_state_folder_owned_by_another_user() {
        if rustix::process::geteuid().as_raw() != 0 {
            eprintln!("skipped: needs root to give a folder to another user");
            return;
        }
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        let run = fs::read_dir(state.join("backups")).unwrap().next().unwrap().unwrap().path();
        std::os::unix::fs::chown(&run, Some(65534), Some(65534)).unwrap();
        let e = undo_last(&state, false).unwrap_err();
        assert!(format!("{e:#}").contains("is owned by uid 65534, not by you (uid 0)"), "{e:#}");
        assert_eq!(fs::read(&file).unwrap(), b"new");
    }

    /// Pruning listed a symlinked `backups` folder and deleted the link target's folders.
    #[cfg(unix)]
    #[test]
    fn prune_does_not_follow_a_symlinked_backups_folder() {
        let home = tempfile::tempdir().unwrap();
        let victim = home.path().join("victim");
        for n in 0..30 {
            fs::create_dir_all(victim.join(format!("{n:02}-precious"))).unwrap();
        }
        let state = home.path().join("state");
        fs::create_dir(&state).unwrap();
        symlink(&victim, state.join("backups")).unwrap();
        prune(&state.join("backups"), 1, u64::MAX);
        assert_eq!(fs::read_dir(&victim).unwrap().count(), 30, "nothing of the link's target was removed");
        assert!(BackupRun::begin(&state).unwrap().create_dir().is_err(), "no backup is written through the link");
        assert!(format!("{:#}", undo_last(&state, false).unwrap_err()).contains("not a plain folder"));
    }

    /// An index entry restores only the very file the run wrote: another file that came to
    /// hold the same bytes (a planted entry, or the file replaced since) is left alone.
    #[cfg(unix)]
    #[test]
    fn undo_restores_only_the_file_the_run_wrote() {
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        let other = home.path().join("other");
        fs::write(&other, "new").unwrap();
        fs::rename(&other, &file).unwrap();
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::ChangedSince);
        assert_eq!(fs::read(&file).unwrap(), b"new");
    }

    /// A failed first backup (a full disk) left an empty run folder behind.
    #[test]
    fn failed_first_backup_leaves_no_run_folder() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("f.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        let dir = run.create_dir().unwrap();
        fs::create_dir(dir.join("1.old")).unwrap(); // the write of the old bytes fails
        assert!(run.save(&file, &file, b"old", NewContent::of(b"new")).is_err());
        assert!(!dir.exists(), "no orphan run folder");
        assert_eq!(run.finish().unwrap(), None);
    }

    #[test]
    fn undo_refuses_an_index_naming_a_file_outside_its_folder() {
        let home = tempfile::tempdir().unwrap();
        let (state, file) = one_run(home.path());
        let run = fs::read_dir(state.join("backups")).unwrap().next().unwrap().unwrap().path();
        let text = fs::read_to_string(run.join(INDEX)).unwrap().replace("\"1.old\"", "\"../../f.json\"");
        write_index(&run, &serde_json::from_str(&text).unwrap()).unwrap();
        let e = undo_last(&state, false).unwrap_err();
        assert!(format!("{e:#}").contains("not a file of its folder"), "{e:#}");
        assert_eq!(fs::read(&file).unwrap(), b"new");
    }

    fn run_folders(state: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(state.join("backups"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn read_index(dir: &Path) -> Index {
        serde_json::from_slice(&fs::read(dir.join(INDEX)).unwrap()).unwrap()
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    /// Windows has no permission bits.
    #[cfg(not(unix))]
    fn mode(_: &Path) -> u32 {
        0
    }

    #[cfg(unix)]
    #[test]
    fn undo_restores_exact_bytes_through_a_symlink_that_stays_a_link() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let dotfiles = home.path().join("dotfiles");
        fs::create_dir(&dotfiles).unwrap();
        let real = dotfiles.join("mcp.json");
        let old = b"\xef\xbb\xbf{\r\n  // comment\r\n  \"a\": 1,\r\n}";
        fs::write(&real, old).unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = home.path().join("mcp.json");
        symlink("dotfiles/mcp.json", &link).unwrap();

        let mut run = BackupRun::begin(&state).unwrap();
        let target = fix(&mut run, &link, b"{\"a\": 2}");
        assert_eq!(target, home.path().join("dotfiles/mcp.json"));
        let id = run.id().to_owned();
        let dir = run.finish().unwrap().unwrap();
        assert_eq!(dir, state.join("backups").join(&id));
        let index = read_index(&dir);
        assert!(index.complete && !index.undone);
        assert_eq!(index.entries.len(), 1);
        assert_eq!(index.entries[0].original_path, StoredPath::Text(link.to_str().unwrap().to_owned()));
        assert_eq!(fs::read(dir.join(&index.entries[0].backup)).unwrap(), old);

        let (undone_id, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(undone_id, id);
        let backup = dir.join(&index.entries[0].backup);
        assert_eq!(entries, [UndoEntry { path: target, outcome: UndoOutcome::Restored, backup }]);
        assert_eq!(fs::read(&real).unwrap(), old);
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("dotfiles/mcp.json"));
        assert_eq!(mode(&real), 0o640);
        assert!(read_index(&dir).undone);
    }

    #[test]
    fn file_edited_after_the_fix_is_refused_and_left_as_is() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let edited = home.path().join("edited.json");
        let untouched = home.path().join("untouched.json");
        fs::write(&edited, "old 1").unwrap();
        fs::write(&untouched, "old 2").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &edited, b"new 1");
        fix(&mut run, &untouched, b"new 2");
        let dir = run.finish().unwrap().unwrap();
        fs::write(&edited, "the user's own edit").unwrap();

        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(
            entries,
            [
                UndoEntry { path: edited.clone(), outcome: UndoOutcome::ChangedSince, backup: dir.join("1.old") },
                UndoEntry { path: untouched.clone(), outcome: UndoOutcome::Restored, backup: dir.join("2.old") },
            ]
        );
        // The refused file's backup is named, to restore by hand: it holds what was there before.
        assert_eq!(fs::read(&entries[0].backup).unwrap(), b"old 1");
        assert_eq!(fs::read(&edited).unwrap(), b"the user's own edit");
        assert_eq!(fs::read(&untouched).unwrap(), b"old 2");
    }

    /// A refused undo marked its run undone, so a retry after the user reverted their edit
    /// rolled back an older, unrelated run.
    #[test]
    fn refused_file_keeps_its_run_current_for_the_next_undo() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let older = home.path().join("older.json");
        fs::write(&older, "o1").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &older, b"o2");
        run.finish().unwrap();
        let file = home.path().join("f.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        let newest = run.id().to_owned();
        run.finish().unwrap();

        fs::write(home.path().join("edit"), "mine").unwrap();
        fs::rename(home.path().join("edit"), &file).unwrap();
        let (id, e) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!((id.as_str(), e[0].outcome), (newest.as_str(), UndoOutcome::ChangedSince));
        // Whatever the user does next, the next undo is about this run again.
        fs::write(&file, "new").unwrap();
        let (id, _) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(id, newest, "the same run again, not the older one");
        assert_eq!(fs::read(&older).unwrap(), b"o2", "the older run is untouched");
    }

    #[test]
    fn deleted_file_is_missing_and_not_recreated() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        run.finish().unwrap();
        fs::remove_file(&file).unwrap();
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::Missing);
        assert!(!file.exists());
    }

    #[cfg(unix)]
    #[test]
    fn backup_folders_are_0700_and_files_0600() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        let dir = run.finish().unwrap().unwrap();
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&state.join("backups")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        let mut files: Vec<String> =
            fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        // The new bytes are kept as their hash: no second copy of the file.
        assert_eq!(files, ["1.old", "index.json"]);
        for name in files {
            assert_eq!(mode(&dir.join(&name)), 0o600, "{name}");
        }
        assert_eq!(mode(&file), 0o644);
    }

    /// `~/.local` and `~/.local/state` were created 0700 when missing: they are not mcpcfg's.
    #[test]
    #[cfg_attr(windows, ignore = "Windows has no permission bits")]
    fn folders_above_the_state_folder_get_the_usual_mode() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join(".local/state/mcpcfg");
        let file = home.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        run.finish().unwrap();
        let usual = home.path().join("usual");
        fs::create_dir(&usual).unwrap();
        assert_eq!(mode(&home.path().join(".local")), mode(&usual));
        assert_eq!(mode(&home.path().join(".local/state")), mode(&usual));
        assert_eq!((mode(&state), mode(&state.join("backups"))), (0o700, 0o700));
    }

    #[test]
    fn run_that_saved_nothing_leaves_no_folder() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let run = BackupRun::begin(&state).unwrap();
        assert_eq!(run.finish().unwrap(), None);
        assert!(!state.exists());
        assert_eq!(undo_last(&state, false).unwrap(), None);
    }

    #[test]
    fn second_undo_goes_back_one_more_run_then_there_is_nothing_left() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "A").unwrap();
        let mut first = BackupRun::begin(&state).unwrap();
        fix(&mut first, &file, b"B");
        let first_id = first.id().to_owned();
        first.finish().unwrap();
        let mut second = BackupRun::begin(&state).unwrap();
        fix(&mut second, &file, b"C");
        let second_id = second.id().to_owned();
        second.finish().unwrap();
        assert!(first_id < second_id, "{first_id} {second_id}");
        // A later run that changed nothing does not hide the others.
        BackupRun::begin(&state).unwrap().finish().unwrap();

        let (id, _) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(id, second_id);
        assert_eq!(fs::read(&file).unwrap(), b"B");
        let (id, _) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(id, first_id);
        assert_eq!(fs::read(&file).unwrap(), b"A");
        assert_eq!(undo_last(&state, false).unwrap(), None);
        assert_eq!(fs::read(&file).unwrap(), b"A");
        assert_eq!(run_folders(&state), [first_id, second_id]);
    }

    #[test]
    fn dry_run_writes_nothing_and_does_not_mark_the_run() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        let dir = run.finish().unwrap().unwrap();
        let (_, entries) = undo_last(&state, true).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::Restored);
        assert_eq!(fs::read(&file).unwrap(), b"new");
        assert!(!read_index(&dir).undone);
        undo_last(&state, false).unwrap().unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"old");
    }

    #[test]
    fn only_the_newest_runs_are_kept() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "0").unwrap();
        for i in 0..KEEP_RUNS + 3 {
            let mut run = BackupRun::begin(&state).unwrap();
            fix(&mut run, &file, (i + 1).to_string().as_bytes());
            run.finish().unwrap();
        }
        let runs = fs::read_dir(state.join("backups")).unwrap().count();
        assert_eq!(runs, KEEP_RUNS);
        // The newest are the ones kept: undo goes back to the previous content.
        undo_last(&state, false).unwrap().unwrap();
        assert_eq!(fs::read(&file).unwrap(), (KEEP_RUNS + 2).to_string().as_bytes());
    }

    /// Removing a run that kept a 64 MB file took 30 ms at the end of every fix-config: a run
    /// now prunes the older runs from its first save on, on a thread of its own, while the
    /// config is renamed; done with it before it lets the lock go.
    #[test]
    fn a_run_prunes_the_older_runs_from_its_first_save_on() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "0").unwrap();
        let runs = || fs::read_dir(state.join("backups")).unwrap().count();
        for i in 0..KEEP_RUNS {
            let mut run = BackupRun::begin(&state).unwrap();
            fix(&mut run, &file, (i + 1).to_string().as_bytes());
            run.finish().unwrap();
        }
        assert_eq!(runs(), KEEP_RUNS);
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"last");
        run.join_pruning();
        assert_eq!(runs(), KEEP_RUNS, "the oldest run went before this one was done");
        assert!(!read_index(&run.dir.clone().unwrap()).complete);
        run.finish().unwrap();
        assert_eq!(runs(), KEEP_RUNS);
        undo_last(&state, false).unwrap().unwrap();
        assert_eq!(fs::read(&file).unwrap(), KEEP_RUNS.to_string().as_bytes());
    }

    #[test]
    fn old_runs_go_once_the_newer_ones_hold_the_size_budget() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "").unwrap();
        let mut runs = Vec::new();
        for i in 0..5 {
            let mut run = BackupRun::begin(&state).unwrap();
            fix(&mut run, &file, "x".repeat(100 * (i + 1)).as_bytes());
            runs.push(run.finish().unwrap().unwrap());
        }
        let size: Vec<u64> = runs.iter().map(|d| folder_bytes(d)).collect();
        // Room for the newest two runs and not three: the older three go.
        prune(&state.join("backups"), KEEP_RUNS, size[4] + size[3] + size[2] - 1);
        let left: Vec<bool> = runs.iter().map(|d| d.exists()).collect();
        assert_eq!(left, [false, false, false, true, true]);
        // The newest run is kept whatever its size.
        prune(&state.join("backups"), KEEP_RUNS, 1);
        let left: Vec<bool> = runs.iter().map(|d| d.exists()).collect();
        assert_eq!(left, [false, false, false, false, true]);
        undo_last(&state, false).unwrap().unwrap();
        assert_eq!(fs::read(&file).unwrap(), "x".repeat(400).as_bytes());
    }

    #[test]
    fn same_file_fixed_twice_in_one_run_goes_back_to_the_first_content() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "A").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"B");
        fix(&mut run, &file, b"C");
        run.finish().unwrap();
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert!(entries.iter().all(|e| e.outcome == UndoOutcome::Restored));
        assert_eq!(fs::read(&file).unwrap(), b"A");
    }

    #[test]
    fn interrupted_run_is_still_undone() {
        // A run ended by an error (or a kill) before finish: its written files must be undoable.
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &file, b"new");
        drop(run);
        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(entries[0].outcome, UndoOutcome::Restored);
        assert_eq!(fs::read(&file).unwrap(), b"old");
    }

    #[test]
    fn aborted_write_is_forgotten_or_counts_as_restored() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let written = home.path().join("written.json");
        let aborted = home.path().join("aborted.json");
        fs::write(&written, "old 1").unwrap();
        fs::write(&aborted, "old 2").unwrap();
        let mut run = BackupRun::begin(&state).unwrap();
        fix(&mut run, &written, b"new 1");
        // Saved, but the write was then aborted (the file changed): with and without forget.
        run.save(&aborted, &aborted, b"old 2", NewContent::of(b"new 2")).unwrap();
        run.save(&aborted, &aborted, b"old 2", NewContent::of(b"new 2")).unwrap();
        run.forget(&aborted).unwrap();
        let dir = run.finish().unwrap().unwrap();
        assert_eq!(read_index(&dir).entries.len(), 2);
        assert!(!dir.join("3.old").exists() && !dir.join("3.new").exists());

        let (_, entries) = undo_last(&state, false).unwrap().unwrap();
        assert_eq!(
            entries.iter().map(|e| e.outcome).collect::<Vec<_>>(),
            [UndoOutcome::Restored, UndoOutcome::Restored]
        );
        assert_eq!(fs::read(&written).unwrap(), b"old 1");
        assert_eq!(fs::read(&aborted).unwrap(), b"old 2");
    }

    #[test]
    fn forgetting_the_only_entry_leaves_no_run() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let file = home.path().join("c.json");
        let mut run = BackupRun::begin(&state).unwrap();
        run.save(&file, &file, b"old", NewContent::of(b"new")).unwrap();
        run.forget(&file).unwrap();
        assert_eq!(run.finish().unwrap(), None);
        assert!(run_folders(&state).is_empty());
        assert_eq!(undo_last(&state, false).unwrap(), None);
    }

    #[test]
    fn corrupt_index_is_an_error_naming_it() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state");
        let dir = state.join("backups/20260101T000000.000000000Z-1");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(INDEX), "{not json").unwrap();
        let err = undo_last(&state, false).unwrap_err();
        assert!(format!("{err:#}").contains("index.json"), "{err:#}");
    }

    #[test]
    fn run_ids_are_utc_timestamps_that_sort_by_time() {
        let at = |secs, nanos| UNIX_EPOCH + std::time::Duration::new(secs, nanos);
        assert_eq!(run_id(at(0, 0), 7), "19700101T000000.000000000Z-7");
        // Windows keeps time in units of 100 ns.
        assert_eq!(run_id(at(1_000_000_000, 500), 1234), "20010909T014640.000000500Z-1234");
        assert_eq!(run_id(at(951_782_400, 0), 1), "20000229T000000.000000000Z-1");
        assert_eq!(run_id(at(1_795_763_700, 0), 1), "20261127T071500.000000000Z-1");
        assert!(run_id(at(9, 999_999_999), 99999) < run_id(at(10, 0), 1));
    }
}
