//! The atomic write protocol of SPEC.md §5: replace a config file so that it holds either all
//! of its old bytes or all of its new bytes, never anything else, and only if nobody else
//! changed it meanwhile.
//!
//! Contract of [`atomic_replace`]:
//! - The path is resolved through every level of symlinks ([`resolve_symlinks`]; a relative
//!   link target is resolved against the folder of the link that holds it, never the cwd), and
//!   the final file is what gets replaced: a symlinked dotfile stays a symlink.
//! - A read-only file or folder is refused up front ([`WriteError::ReadOnly`]) even where the
//!   rename would succeed (as root, or with a read-only file in a writable folder).
//! - The new bytes go to a temp file in the target's own folder (created 0600, so nobody can
//!   read it before its mode is set), which then gets the original mode, and the original owner
//!   when running as root; permissions are never widened. It is written and fsynced before the
//!   caller's `before_rename` hook (where the backup is saved) runs.
//! - With [`atomic_replace_read`], the path must lead, when resolved at write time, to the very
//!   file the caller read (device and inode): a symlink put in its place meanwhile is not followed.
//! - The target is then read again through a handle, and the path looked at once more: if it no
//!   longer holds `expected`, is another file (renamed into place, or its symlinks now lead
//!   elsewhere) or changed size or times while being read, nothing is written and
//!   [`WriteError::Changed`] is returned.
//! - The temp file is renamed over the target and the folder is fsynced (tempfile's `persist`
//!   fsyncs nothing). On every error path the temp file is removed (tempfile removes it on drop).
//!   On Linux it is an unnamed `O_TMPFILE` file until it is linked under a temp name just before
//!   the rename, so a run killed while writing leaves nothing behind.
//! - A file with several hard links is still replaced, but only this name gets the new content:
//!   [`WriteReport::hard_link_warning`] says so.
//! - Not kept: ACLs, extended attributes, and a file's identity (inode) — inherent to rename.
//! - On Linux the temp file and the target are exchanged (`renameat2(RENAME_EXCHANGE)`) rather
//!   than renamed over, and the file that comes out must be the one last looked at; a file
//!   renamed into place after that look is swapped back and [`WriteError::Changed`] returned, so
//!   no other writer's rename is lost. What is left: a write in place into the old file through
//!   a handle opened before the exchange and written after it. Elsewhere (macOS, Windows, a file
//!   system without the exchange) between the final look (one `statx`) and the `rename` there
//!   is a window of a few microseconds (about 110 µs measured under strace).
//!
//! Test hook: debug builds only (`#[cfg(debug_assertions)]`), if the environment variable
//! `MCPCFG_TEST_HOOK_BEFORE_RECHECK` is set, its value is run as `sh -c "$VALUE"` (on Windows
//! `cmd /C VALUE`) with
//! `MCPCFG_TARGET` set to the resolved target, just before the re-read, and waited for; its stdout
//! goes to stderr. It lets a test inject a concurrent change. The code is compiled out of release
//! builds, so it cannot be enabled there.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use crate::readat::ReadAt;

/// How many symlinks [`resolve_symlinks`] follows before calling it a loop (Linux's limit).
const MAX_SYMLINK_HOPS: usize = 40;
/// Temp files are named `.<file name>.mcpcfg-<random>.tmp`.
const TEMP_MARK: &str = ".mcpcfg-";
const TEMP_SUFFIX: &str = ".tmp";
#[cfg(debug_assertions)]
const TEST_HOOK_ENV: &str = "MCPCFG_TEST_HOOK_BEFORE_RECHECK";
/// The second test hook: run after the last look at the path, just before the rename.
#[cfg(debug_assertions)]
const RENAME_HOOK_ENV: &str = "MCPCFG_TEST_HOOK_BEFORE_RENAME";

/// Why a write did not happen. The caller maps [`WriteError::exit_code`] to the exit status.
///
/// Each message is complete on its own (path, the OS's reason, what to do). For that reason
/// `source()` is `None`: an error chain printed with `{:#}` would repeat the OS's reason. The
/// `io::Error` is still in [`WriteError::Io::source`] for callers that need its kind.
#[derive(Debug)]
pub enum WriteError {
    /// The target no longer holds what was read at the start: exit status 3.
    Changed { path: PathBuf },
    /// The file or its folder cannot be written: exit status 2.
    ReadOnly { path: PathBuf, reason: String },
    /// Following the symlinks never reached a file: exit status 2.
    SymlinkLoop { path: PathBuf },
    /// Any other failure, with what was being done (`"read"`, `"replace"`, …): exit status 2.
    Io { path: PathBuf, action: &'static str, source: io::Error },
    /// The caller's own check before the rename refused the new content (`message` is complete,
    /// path included): exit status 2.
    Refused { message: String },
}

impl WriteError {
    /// The exit status SPEC.md §1 gives this error: 3 for [`WriteError::Changed`], else 2.
    pub fn exit_code(&self) -> u8 {
        match self {
            WriteError::Changed { .. } => 3,
            _ => 2,
        }
    }

    fn io(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> WriteError {
        move |source| WriteError::Io { path: path.to_owned(), action, source }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Changed { path } => {
                write!(f, "{} changed while mcpcfg was working on it; nothing was written; run again", path.display())
            }
            WriteError::ReadOnly { path, reason } => write!(
                f,
                "cannot write {}: {reason}; nothing was written; make the file and its folder \
                 writable (or run as their owner), then run again",
                path.display()
            ),
            WriteError::SymlinkLoop { path } => write!(
                f,
                "{} is a symlink loop: following its links never reaches a file (more than \
                 {MAX_SYMLINK_HOPS} links, or a link met twice); nothing was written; make the \
                 link point at the real file, then run again",
                path.display()
            ),
            WriteError::Io { path, action, source } => {
                write!(f, "could not {action} {}: {source}; {}", path.display(), io_hint(source))
            }
            WriteError::Refused { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for WriteError {}

fn io_hint(error: &io::Error) -> &'static str {
    match error.kind() {
        io::ErrorKind::NotFound => "check that the path exists, then run again",
        io::ErrorKind::PermissionDenied => "check the permissions of the file and its folder, then run again",
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => "free some disk space, then run again",
        _ => "fix the cause, then run again",
    }
}

/// What [`atomic_replace`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The file that was replaced: the end of the path's symlink chain.
    pub target: PathBuf,
    /// Set when the target had other hard links, which keep the old content.
    pub hard_link_warning: Option<String>,
}

/// Follows `path` through every level of symlinks and returns the final, existing, non-symlink
/// path. A relative link target is resolved against the folder of the link that holds it. Parent
/// folders are not canonicalised (the result may contain `..` or symlinked folders, which the OS
/// resolves the same way). A missing file is an `Io` error of kind `NotFound`.
pub fn resolve_symlinks(path: &Path) -> Result<PathBuf, WriteError> {
    let mut current = path.to_path_buf();
    let mut seen = std::collections::HashSet::new();
    loop {
        let meta = fs::symlink_metadata(&current).map_err(WriteError::io(&current, "read"))?;
        if !meta.file_type().is_symlink() {
            return Ok(current);
        }
        if seen.len() >= MAX_SYMLINK_HOPS || !seen.insert(current.clone()) {
            return Err(WriteError::SymlinkLoop { path: path.to_owned() });
        }
        let link = fs::read_link(&current).map_err(WriteError::io(&current, "read the symlink"))?;
        current = if link.is_absolute() { link } else { current.parent().unwrap_or(Path::new("")).join(link) };
    }
}

/// How old a temp file of ours must be before a later write takes it for the leftover of a
/// killed run: no write lasts anywhere near this long.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temp files a killed run left beside `path` (through its symlinks), whether or not
/// the file needs a repair now: a healthy config kept 113 such copies (3.6 GB) for ever.
pub fn clean_up_after_killed_runs(path: &Path) {
    let Ok(target) = resolve_symlinks(path) else { return };
    let name = target.file_name().unwrap_or_default().to_string_lossy().into_owned();
    remove_stale_temp_files(folder_of(&target), &format!(".{name}{TEMP_MARK}"));
}

/// Removes this target's temp files that a killed run left in `folder` (they hold a new text that
/// never replaced the config). Only our own names, only old ones; failures are ignored.
fn remove_stale_temp_files(folder: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(folder) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let ours = name.to_string_lossy().starts_with(prefix) && is_temp_file_name(&name);
        let old = e
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if ours && old {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Whether `name` is the file name of one of [`atomic_replace`]'s temp files (one can be left
/// behind only if the process is killed mid-write; it holds the new content, mode 0600 or the
/// target's mode).
pub fn is_temp_file_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') && name.contains(TEMP_MARK) && name.ends_with(TEMP_SUFFIX)
}

/// Replaces the file at `path` (through its symlinks) with `new`, if it still holds `expected`.
/// `before_rename` runs with the resolved target once the new content is safely on disk and
/// before the final check; an error from it aborts the write. See the module doc for the
/// protocol.
pub fn atomic_replace(
    path: &Path,
    expected: &[u8],
    new: &[u8],
    before_rename: &dyn Fn(&Path) -> Result<(), WriteError>,
) -> Result<WriteReport, WriteError> {
    atomic_replace_read(path, expected, None, new, before_rename)
}

/// [`atomic_replace`] for a file read earlier as `read` ([`FileId`] of what was read): the
/// path must still lead to that very file, or nothing is written ([`WriteError::Changed`]).
pub fn atomic_replace_read<R: ReadAt + ?Sized>(
    path: &Path,
    expected: &[u8],
    read: Option<FileId>,
    new: &R,
    before_rename: &dyn Fn(&Path) -> Result<(), WriteError>,
) -> Result<WriteReport, WriteError> {
    replace(
        path,
        expected,
        read,
        new,
        before_rename,
        #[cfg(debug_assertions)]
        (std::env::var_os(TEST_HOOK_ENV).as_deref(), std::env::var_os(RENAME_HOOK_ENV).as_deref()),
    )
}

/// What tells one file from another at one path: device and inode, and the size and change
/// times that a write in place moves (where the OS has them; elsewhere only what it has).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileId {
    pub fn of(meta: &Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileId {
                dev: meta.dev(),
                ino: meta.ino(),
                len: meta.len(),
                mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
                ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let ns = |t: io::Result<std::time::SystemTime>| {
                t.ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as i128)
            };
            FileId { dev: 0, ino: 0, len: meta.len(), mtime_ns: ns(meta.modified()), ctime_ns: 0 }
        }
    }

    /// The same file (device and inode), whatever happened to its content.
    pub fn same_file(&self, other: &FileId) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

/// The write protocol, with the debug builds' test hooks: one run before the re-read, one after
/// the last look (just before the rename).
fn replace<R: ReadAt + ?Sized>(
    path: &Path,
    expected: &[u8],
    read: Option<FileId>,
    new: &R,
    before_rename: &dyn Fn(&Path) -> Result<(), WriteError>,
    #[cfg(debug_assertions)] (test_hook, rename_hook): (Option<&OsStr>, Option<&OsStr>),
) -> Result<WriteReport, WriteError> {
    let target = resolve_symlinks(path)?;
    let meta = fs::metadata(&target).map_err(WriteError::io(&target, "read"))?;
    // Resolved now, the path may lead to another file than the one read (a link put in its
    // place meanwhile): that file was never read, so it is not written.
    if read.is_some_and(|r| !r.same_file(&FileId::of(&meta))) {
        return Err(WriteError::Changed { path: target });
    }
    if !meta.is_file() {
        return Err(WriteError::Io {
            path: target,
            action: "write",
            source: io::Error::new(io::ErrorKind::InvalidInput, "it is not a regular file"),
        });
    }
    let folder = folder_of(&target);
    refuse_read_only(&target, &meta, folder)?;
    let hard_link_warning = hard_links(&meta)
        .filter(|&n| n > 1)
        .map(|n| format!("{} has {n} hard links; the others keep the old content", target.display()));

    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}{TEMP_MARK}");
    remove_stale_temp_files(folder, &prefix);
    let temp = Temp::create(folder, &prefix).map_err(|e| {
        read_only_or_io(
            &target,
            e,
            "create a temporary file beside",
            format!("cannot create a file in its folder {}", folder.display()),
        )
    })?;
    copy_owner_and_mode(temp.as_file(), &meta, &target)?;
    crate::readat::copy_to(new, &mut temp.as_file()).map_err(WriteError::io(&target, "write a temporary copy of"))?;
    temp.as_file().sync_all().map_err(WriteError::io(&target, "flush a temporary copy of"))?;

    before_rename(&target)?;

    #[cfg(debug_assertions)]
    if let Some(command) = test_hook {
        run_test_hook(command, &target)?;
    }

    // The last look before the rename: the same file, with the same bytes as at the start.
    let changed = || WriteError::Changed { path: target.clone() };
    match resolve_symlinks(path) {
        Ok(now) if now == target => {}
        Ok(_) | Err(WriteError::SymlinkLoop { .. }) => return Err(changed()),
        Err(WriteError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Err(changed());
        }
        Err(e) => return Err(e),
    }
    // Read through a handle, then look at the path again: a file renamed into place while we
    // read has another inode, one written in place another size or change time. Only then is
    // the bytes' equality worth anything.
    let before = read.unwrap_or_else(|| FileId::of(&meta));
    let reread = (|| -> io::Result<(bool, FileId)> {
        let f = File::open(&target)?;
        let held = FileId::of(&f.metadata()?);
        Ok((crate::readat::holds_exactly(&crate::readat::FileAt(&f), expected)?, held))
    })();
    let last = match reread {
        Ok((true, held)) if held.same_file(&before) => match fs::metadata(&target) {
            Ok(now) if FileId::of(&now) == held => held,
            Ok(_) => return Err(changed()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(changed()),
            Err(e) => return Err(WriteError::io(&target, "look again at")(e)),
        },
        Ok(_) => return Err(changed()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(changed()),
        Err(e) => return Err(WriteError::io(&target, "read again")(e)),
    };

    #[cfg(debug_assertions)]
    if let Some(command) = rename_hook {
        run_test_hook(command, &target)?;
    }
    let persisted = temp
        .persist(folder, &prefix, &target, &last)
        .map_err(|e| read_only_or_io(&target, e, "replace", "cannot rename a file over it".to_owned()))?;
    if persisted == Persisted::SwappedBack {
        return Err(changed());
    }
    sync_folder(folder).map_err(WriteError::io(
        &target,
        "sync the folder (the new content is in place but may not survive a power loss) of",
    ))?;
    Ok(WriteReport { target, hard_link_warning })
}

/// The new content on its way to the target. On Linux it is an unnamed file (`O_TMPFILE`) in the
/// target's folder, which a killed run leaves nothing of: it gets a name (linked through
/// `/proc/self/fd`) only just before the rename. Elsewhere, or where the file system or a
/// missing `/proc` does not allow that, a named temp file beside the target, removed on every
/// error path and by a later run if a kill left it.
enum Temp {
    Named(tempfile::NamedTempFile),
    #[cfg(target_os = "linux")]
    Unnamed(File),
}

impl Temp {
    fn create(folder: &Path, prefix: &str) -> io::Result<Temp> {
        #[cfg(target_os = "linux")]
        if Path::new("/proc/self/fd").is_dir() {
            use rustix::fs::{Mode, OFlags};
            let dir = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
            let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
            // Not every file system has O_TMPFILE (EOPNOTSUPP, or EISDIR on old kernels).
            if let Ok(fd) = rustix::fs::open(dir, flags, Mode::from_raw_mode(0o600)) {
                return Ok(Temp::Unnamed(File::from(fd)));
            }
        }
        tempfile::Builder::new().prefix(prefix).suffix(TEMP_SUFFIX).tempfile_in(folder).map(Temp::Named)
    }

    fn as_file(&self) -> &File {
        match self {
            Temp::Named(t) => t.as_file(),
            #[cfg(target_os = "linux")]
            Temp::Unnamed(f) => f,
        }
    }

    /// Renames the new content over `target` (an unnamed file is first linked in `folder` under
    /// a temp name that starts with `prefix`). On Linux the two are exchanged
    /// (`renameat2(RENAME_EXCHANGE)`), and what comes out must be `last`, the file last looked
    /// at (same inode, size and modification time): if another writer put a file there after
    /// that look, the exchange is undone and its file is back in place ([`Persisted::SwappedBack`]).
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    fn persist(self, folder: &Path, prefix: &str, target: &Path, last: &FileId) -> io::Result<Persisted> {
        match self {
            #[cfg(target_os = "linux")]
            Temp::Named(t) => {
                let name = t.path().to_path_buf();
                // Dropping `t` removes whatever its name holds by then: the old file, or ours.
                exchange(&name, target, last).inspect(|_| drop(t))
            }
            #[cfg(not(target_os = "linux"))]
            Temp::Named(t) => t.persist(target).map(|_| Persisted::Done).map_err(|e| e.error),
            #[cfg(target_os = "linux")]
            Temp::Unnamed(f) => {
                use std::os::fd::AsRawFd;
                let nanos =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
                let name = folder.join(format!("{prefix}{}-{nanos}{TEMP_SUFFIX}", std::process::id()));
                let proc = format!("/proc/self/fd/{}", f.as_raw_fd());
                rustix::fs::linkat(
                    rustix::fs::CWD,
                    proc.as_str(),
                    rustix::fs::CWD,
                    &name,
                    rustix::fs::AtFlags::SYMLINK_FOLLOW,
                )?;
                let out = exchange(&name, target, last);
                let _ = fs::remove_file(&name);
                out
            }
        }
    }
}

/// How the new content went in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Persisted {
    Done,
    /// Another file had been put at the target after the last look: it was put back.
    SwappedBack,
}

/// Exchanges `temp` and `target`, then checks that the file now at `temp` is `last`; if not,
/// exchanges them back. The caller removes `temp` afterwards, which then holds the old file, or
/// ours. A file system without the exchange (EINVAL) gets a plain rename.
#[cfg(target_os = "linux")]
fn exchange(temp: &Path, target: &Path, last: &FileId) -> io::Result<Persisted> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, temp, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            return fs::rename(temp, target).map(|()| Persisted::Done);
        }
        Err(e) => return Err(e.into()),
    }
    // A rename moves a file's change time, not its modification time or size.
    let out = fs::symlink_metadata(temp).map(|m| FileId::of(&m));
    let unchanged = out.is_ok_and(|o| o.same_file(last) && o.len == last.len && o.mtime_ns == last.mtime_ns);
    if unchanged {
        return Ok(Persisted::Done);
    }
    renameat_with(CWD, temp, CWD, target, RenameFlags::EXCHANGE)?;
    Ok(Persisted::SwappedBack)
}

/// The folder holding `file`; `.` for a bare file name.
pub(crate) fn folder_of(file: &Path) -> &Path {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Makes a rename or a file creation in `folder` durable. Where a platform or file system
/// cannot sync a folder, that is not an error.
pub(crate) fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let result = File::open(folder).and_then(|dir| dir.sync_all());
        match result {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported | io::ErrorKind::PermissionDenied
                ) =>
            {
                Ok(())
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

fn read_only_or_io(target: &Path, error: io::Error, action: &'static str, what: String) -> WriteError {
    match error.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            WriteError::ReadOnly { path: target.to_owned(), reason: format!("{what}: {error}") }
        }
        _ => WriteError::Io { path: target.to_owned(), action, source: error },
    }
}

/// A read-only file or folder is an error even where the rename would succeed (in a writable
/// folder, or as root, who ignores permission bits). Opening the file for writing (without
/// truncating: nothing changes) asks the OS itself, which knows ACLs, immutable files and
/// read-only mounts.
fn refuse_read_only(target: &Path, meta: &Metadata, folder: &Path) -> Result<(), WriteError> {
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly {
            path: target.to_owned(),
            reason: format!("the file is read-only{}", mode_note(meta)),
        });
    }
    #[cfg(unix)]
    {
        let folder_meta = fs::metadata(folder).map_err(WriteError::io(folder, "read"))?;
        if folder_meta.permissions().readonly() {
            return Err(WriteError::ReadOnly {
                path: target.to_owned(),
                reason: format!("its folder {} is read-only{}", folder.display(), mode_note(&folder_meta)),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = folder;
    fs::OpenOptions::new()
        .write(true)
        .open(target)
        .map(drop)
        .map_err(|e| read_only_or_io(target, e, "open for writing", "cannot open it for writing".to_owned()))
}

#[cfg(unix)]
fn mode_note(meta: &Metadata) -> String {
    use std::os::unix::fs::PermissionsExt;
    format!(" (mode {:04o})", meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_note(_: &Metadata) -> String {
    String::new()
}

#[cfg(unix)]
fn hard_links(meta: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.nlink())
}

#[cfg(not(unix))]
fn hard_links(_: &Metadata) -> Option<u64> {
    None
}

/// Gives the temp file the original's mode, and its owner when we are root. A freshly created
/// file is owned by the effective uid, which tells whether we are root without libc. A non-root
/// user who cannot give the copy the original group drops the group's permissions rather than
/// hand them to a different group: permissions are never widened.
#[cfg(unix)]
fn copy_owner_and_mode(temp: &File, original: &Metadata, target: &Path) -> Result<(), WriteError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
    let mine = temp.metadata().map_err(WriteError::io(target, "read a temporary copy of"))?;
    let mut mode = original.mode() & 0o7777;
    if mine.uid() == 0 {
        if (mine.uid(), mine.gid()) != (original.uid(), original.gid()) {
            fchown(temp, Some(original.uid()), Some(original.gid()))
                .map_err(WriteError::io(target, "give a temporary copy the owner of"))?;
        }
    } else if mine.gid() != original.gid() && fchown(temp, None, Some(original.gid())).is_err() {
        mode &= !0o070;
    }
    // After fchown, which may clear set-id bits.
    temp.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(WriteError::io(target, "give a temporary copy the mode of"))
}

#[cfg(not(unix))]
fn copy_owner_and_mode(_: &File, _: &Metadata, _: &Path) -> Result<(), WriteError> {
    Ok(())
}

#[cfg(debug_assertions)]
fn run_test_hook(command: &OsStr, target: &Path) -> Result<(), WriteError> {
    use std::process::{Command, Stdio};
    #[cfg(windows)]
    let mut shell = {
        use std::os::windows::process::CommandExt;
        let mut c = Command::new("cmd");
        // cmd parses its own command line: the text goes as written, unquoted.
        c.arg("/C").raw_arg(command);
        c
    };
    #[cfg(not(windows))]
    let mut shell = {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    };
    shell
        .env("MCPCFG_TARGET", target)
        .stdin(Stdio::null())
        .stdout(io::stderr())
        .status()
        .map(drop)
        .map_err(WriteError::io(target, "run the MCPCFG_TEST_HOOK_BEFORE_RECHECK command for"))
}

#[cfg(test)]
mod stale_tests {
    use super::*;

    #[test]
    fn stale_temp_files_of_a_killed_run_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("mcp.json");
        fs::write(&target, "old").unwrap();
        let stale = dir.path().join(".mcp.json.mcpcfg-AbC123.tmp");
        let fresh = dir.path().join(".mcp.json.mcpcfg-XyZ789.tmp");
        let other = dir.path().join(".other.json.mcpcfg-AbC123.tmp");
        let mine = dir.path().join(".mcp.json.mcpcfg-notes");
        for f in [&stale, &fresh, &other, &mine] {
            fs::write(f, "x").unwrap();
        }
        let long_ago = std::time::SystemTime::now() - STALE_TEMP_AGE - std::time::Duration::from_secs(60);
        for f in [&stale, &other, &mine] {
            fs::File::options().write(true).open(f).unwrap().set_modified(long_ago).unwrap();
        }
        atomic_replace(&target, b"old", b"new", &|_| Ok(())).unwrap();
        assert!(!stale.exists(), "the killed run's temp file is gone");
        assert!(fresh.exists(), "a recent one may belong to a run in progress");
        assert!(other.exists(), "another file's temp files are not ours to judge");
        assert!(mine.exists(), "a name that is not a temp file's is never touched");
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The last look before the rename read the whole file a second time (issue 13: 3.2× the
    /// file in memory); it now compares a piece at a time, and must still tell every difference.
    #[test]
    fn the_last_look_compares_piece_by_piece() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let check = |on_disk: &[u8], expected: &[u8]| {
            fs::write(&p, on_disk).unwrap();
            crate::readat::holds_exactly(&crate::readat::FileAt(&File::open(&p).unwrap()), expected).unwrap()
        };
        assert!(check(&big, &big));
        assert!(check(b"", b""));
        assert!(!check(&big[..big.len() - 1], &big), "shorter");
        assert!(!check(&big, &big[..big.len() - 1]), "longer");
        for at in [0, 262_143, 262_144, 2_500_000, 2_999_999] {
            let mut other = big.clone();
            other[at] ^= 1;
            assert!(!check(&other, &big), "changed at {at}");
        }
    }
    use std::cell::Cell;
    #[cfg(unix)]
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    fn no_hook(_: &Path) -> Result<(), WriteError> {
        Ok(())
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    fn set_mode(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Root ignores permission bits, so some checks only mean something for other users.
    #[cfg(unix)]
    fn running_as_root() -> bool {
        let probe = tempfile::NamedTempFile::new().unwrap();
        probe.as_file().metadata().unwrap().uid() == 0
    }

    #[test]
    fn plain_replace_keeps_exact_bytes_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mcp.json");
        fs::write(&file, b"{\"old\": 1}\r\n").unwrap();
        let new = b"\xef\xbb\xbf{\"new\": 2} // no final newline";
        let report = atomic_replace(&file, b"{\"old\": 1}\r\n", new, &no_hook).unwrap();
        assert_eq!(report.target, file);
        assert_eq!(report.hard_link_warning, None);
        assert_eq!(fs::read(&file).unwrap(), new);
        assert_eq!(names(dir.path()), ["mcp.json"]);
    }

    #[test]
    fn temp_file_lives_in_the_target_folder_while_writing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        fs::write(&file, "old").unwrap();
        let seen = Cell::new(Vec::new());
        atomic_replace(&file, b"old", b"new", &|target| {
            assert_eq!(target, file);
            seen.set(names(dir.path()));
            Ok(())
        })
        .unwrap();
        let seen = seen.take();
        if cfg!(target_os = "linux") {
            // Opened in the target's folder with O_TMPFILE (so the rename stays on one file
            // system), it has no name while it is written.
            assert_eq!(seen, ["settings.json"]);
        } else {
            assert_eq!(seen.len(), 2, "{seen:?}");
            assert!(seen.contains(&"settings.json".to_owned()));
            assert!(seen.iter().any(|n| n.starts_with(".settings.json.mcpcfg-") && is_temp_file_name(OsStr::new(n))));
        }
        assert_eq!(names(dir.path()), ["settings.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn mode_is_kept_never_widened_or_narrowed() {
        for wanted in [0o600, 0o644, 0o640, 0o664, 0o755] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("c.json");
            fs::write(&file, "old").unwrap();
            set_mode(&file, wanted);
            atomic_replace(&file, b"old", b"new", &no_hook).unwrap();
            assert_eq!(mode(&file), wanted, "mode {wanted:o} not kept");
            assert_eq!(fs::read(&file).unwrap(), b"new");
        }
    }

    #[cfg(unix)]
    #[test]
    fn owner_is_kept_when_root() {
        if !running_as_root() {
            eprintln!("note: owner_is_kept_when_root skipped: needs root to chown");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        std::os::unix::fs::chown(&file, Some(4321), Some(4322)).unwrap();
        set_mode(&file, 0o640);
        atomic_replace(&file, b"old", b"new", &no_hook).unwrap();
        let meta = fs::metadata(&file).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 4322));
        assert_eq!(mode(&file), 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn relative_symlink_chain_is_followed_and_links_stay_links() {
        // a/link -> ../b/link2 -> real.json (relative to b/)
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(b.join("real.json"), "old").unwrap();
        symlink("real.json", b.join("link2")).unwrap();
        symlink("../b/link2", a.join("link")).unwrap();

        let report = atomic_replace(&a.join("link"), b"old", b"new", &no_hook).unwrap();
        assert_eq!(report.target, a.join("../b/real.json"));
        assert_eq!(fs::read(b.join("real.json")).unwrap(), b"new");
        for (link, points_at) in [(a.join("link"), "../b/link2"), (b.join("link2"), "real.json")] {
            assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
            assert_eq!(fs::read_link(&link).unwrap(), Path::new(points_at));
        }
        assert_eq!(names(&a), ["link"]);
        assert_eq!(names(&b), ["link2", "real.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn relative_symlink_target_is_resolved_against_the_link_folder_not_the_cwd() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_ne!(cwd, dir.path());
        // A name that does not exist in the cwd: resolving it there would fail with NotFound.
        let name = "mcpcfg-link-folder-test.json";
        assert!(!cwd.join(name).exists());
        fs::write(dir.path().join(name), "old").unwrap();
        symlink(name, dir.path().join("link.json")).unwrap();

        let link = dir.path().join("link.json");
        assert_eq!(resolve_symlinks(&link).unwrap(), dir.path().join(name));
        atomic_replace(&link, b"old", b"new", &no_hook).unwrap();
        assert_eq!(fs::read(dir.path().join(name)).unwrap(), b"new");
        assert!(!cwd.join(name).exists());
    }

    #[cfg(unix)]
    #[test]
    fn absolute_symlink_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "old").unwrap();
        symlink(&real, dir.path().join("link")).unwrap();
        atomic_replace(&dir.path().join("link"), b"old", b"new", &no_hook).unwrap();
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(fs::read_link(dir.path().join("link")).unwrap(), real);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_an_error_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        symlink("b", dir.path().join("a")).unwrap();
        symlink("a", dir.path().join("b")).unwrap();
        symlink("self", dir.path().join("self")).unwrap();
        for name in ["a", "self"] {
            let link = dir.path().join(name);
            let err = atomic_replace(&link, b"", b"new", &no_hook).unwrap_err();
            assert!(matches!(&err, WriteError::SymlinkLoop { path } if *path == link), "{err:?}");
            assert!(err.to_string().contains(&link.display().to_string()));
            assert_eq!(err.exit_code(), 2);
        }
        assert_eq!(names(dir.path()), ["a", "b", "self"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_chain_longer_than_the_limit_is_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("l0"), "x").unwrap();
        for i in 1..=MAX_SYMLINK_HOPS + 1 {
            symlink(format!("l{}", i - 1), dir.path().join(format!("l{i}"))).unwrap();
        }
        let at_limit = dir.path().join(format!("l{MAX_SYMLINK_HOPS}"));
        assert_eq!(resolve_symlinks(&at_limit).unwrap(), dir.path().join("l0"));
        let over = dir.path().join(format!("l{}", MAX_SYMLINK_HOPS + 1));
        assert!(matches!(resolve_symlinks(&over), Err(WriteError::SymlinkLoop { .. })));
    }

    #[test]
    fn missing_file_is_not_found_and_nothing_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("absent.json");
        let err = atomic_replace(&file, b"", b"new", &no_hook).unwrap_err();
        assert!(
            matches!(&err, WriteError::Io { path, source, .. }
                if *path == file && source.kind() == io::ErrorKind::NotFound),
            "{err:?}"
        );
        assert!(err.to_string().contains("absent.json"), "{err}");
        assert!(names(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn dangling_symlink_is_not_found_and_the_link_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        symlink("gone.json", dir.path().join("link")).unwrap();
        let err = atomic_replace(&dir.path().join("link"), b"", b"new", &no_hook).unwrap_err();
        assert!(matches!(&err, WriteError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound), "{err:?}");
        assert_eq!(names(dir.path()), ["link"]);
    }

    #[test]
    fn directory_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("mcp.json")).unwrap();
        let err = atomic_replace(&dir.path().join("mcp.json"), b"", b"new", &no_hook).unwrap_err();
        assert!(matches!(err, WriteError::Io { .. }), "{err:?}");
        assert!(dir.path().join("mcp.json").is_dir());
        assert_eq!(names(dir.path()), ["mcp.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn hard_linked_file_gets_a_warning_and_the_written_name_the_new_content() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        let other = dir.path().join("other.json");
        fs::write(&file, "old").unwrap();
        fs::hard_link(&file, &other).unwrap();
        let report = atomic_replace(&file, b"old", b"new", &no_hook).unwrap();
        let warning = report.hard_link_warning.expect("a warning");
        assert!(warning.contains(&file.display().to_string()), "{warning}");
        assert!(warning.contains("2 hard links"), "{warning}");
        assert_eq!(fs::read(&file).unwrap(), b"new");
        assert_eq!(fs::read(&other).unwrap(), b"old");
    }

    #[cfg(unix)]
    #[test]
    fn read_only_file_is_refused_even_in_a_writable_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        set_mode(&file, 0o444);
        let err = atomic_replace(&file, b"old", b"new", &no_hook).unwrap_err();
        assert!(matches!(&err, WriteError::ReadOnly { path, .. } if *path == file), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("c.json") && message.contains("0444"), "{message}");
        assert_eq!(err.exit_code(), 2);
        assert_eq!(fs::read(&file).unwrap(), b"old");
        assert_eq!(mode(&file), 0o444);
        assert_eq!(names(dir.path()), ["c.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn read_only_folder_is_refused_and_leaves_no_temp_file() {
        // Works as root too: the folder's mode is checked up front, and root ignores it
        // otherwise (so without that check this write would succeed and the test fail).
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ro");
        fs::create_dir(&folder).unwrap();
        let file = folder.join("c.json");
        fs::write(&file, "old").unwrap();
        set_mode(&folder, 0o555);
        let result = atomic_replace(&file, b"old", b"new", &no_hook);
        let left = names(&folder);
        set_mode(&folder, 0o755);
        let err = result.unwrap_err();
        assert!(
            matches!(&err, WriteError::ReadOnly { path, reason }
                if *path == file && reason.contains("folder")),
            "{err:?}"
        );
        assert!(err.to_string().contains("0555"), "{err}");
        assert_eq!(fs::read(&file).unwrap(), b"old");
        assert_eq!(left, ["c.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn file_without_our_write_bit_is_refused_by_the_os_check() {
        if running_as_root() {
            eprintln!(
                "note: file_without_our_write_bit_is_refused_by_the_os_check skipped: \
                 root may write any file"
            );
            return;
        }
        // Owned by us but without our write bit while others have one: mode alone says writable.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        set_mode(&file, 0o466);
        let err = atomic_replace(&file, b"old", b"new", &no_hook).unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly { .. }), "{err:?}");
        assert_eq!(fs::read(&file).unwrap(), b"old");
    }

    #[test]
    fn change_before_rename_is_detected_kept_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let err = atomic_replace(&file, b"old", b"new", &|target| {
            fs::write(target, "someone else's edit").unwrap();
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(&err, WriteError::Changed { path } if *path == file), "{err:?}");
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains("run again"));
        assert_eq!(fs::read(&file).unwrap(), b"someone else's edit");
        assert_eq!(names(dir.path()), ["c.json"]);
    }

    #[test]
    fn content_that_differs_from_expected_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "edited").unwrap();
        let err = atomic_replace(&file, b"old", b"new", &no_hook).unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
        assert_eq!(fs::read(&file).unwrap(), b"edited");
        assert_eq!(names(dir.path()), ["c.json"]);
    }

    #[test]
    fn file_deleted_before_rename_is_a_change_and_is_not_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let err = atomic_replace(&file, b"old", b"new", &|target| {
            fs::remove_file(target).unwrap();
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
        assert!(names(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_retargeted_before_rename_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("one.json"), "old").unwrap();
        fs::write(dir.path().join("two.json"), "old").unwrap();
        let link = dir.path().join("link");
        symlink("one.json", &link).unwrap();
        let err = atomic_replace(&link, b"old", b"new", &|_| {
            fs::remove_file(&link).unwrap();
            symlink("two.json", &link).unwrap();
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
        assert_eq!(fs::read(dir.path().join("one.json")).unwrap(), b"old");
        assert_eq!(fs::read(dir.path().join("two.json")).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["link", "one.json", "two.json"]);
    }

    #[test]
    fn error_from_before_rename_aborts_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let err = atomic_replace(&file, b"old", b"new", &|target| {
            Err(WriteError::Io { path: target.to_owned(), action: "back up", source: io::Error::other("disk full") })
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::Io { action: "back up", .. }), "{err:?}");
        assert_eq!(fs::read(&file).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["c.json"]);
    }

    #[cfg(all(unix, debug_assertions))]
    #[test]
    fn concurrent_change_from_the_test_hook_is_detected_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let hook = OsStr::new("printf 'edit from %s' hook > \"$MCPCFG_TARGET\"");
        let err = replace(&file, b"old", None, &b"new"[..], &no_hook, (Some(hook), None)).unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
        assert_eq!(fs::read(&file).unwrap(), b"edit from hook");
        assert_eq!(names(dir.path()), ["c.json"]);
    }

    /// A change renamed into place before the re-read, holding the same bytes, was taken for no
    /// change; one renamed in while the re-read held the old file open was lost (16 of 17 trials
    /// on a 64 MB file). The re-read now compares the file's identity too.
    #[cfg(all(unix, debug_assertions))]
    #[test]
    fn file_renamed_into_place_before_the_reread_is_a_change_even_with_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let hook =
            OsStr::new("cp \"$MCPCFG_TARGET\" \"$MCPCFG_TARGET.x\" && mv \"$MCPCFG_TARGET.x\" \"$MCPCFG_TARGET\"");
        let err = replace(&file, b"old", None, &b"new"[..], &no_hook, (Some(hook), None)).unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
        assert_eq!(fs::read(&file).unwrap(), b"old");
    }

    /// Another writer's file renamed into place, or a write into the file, after the last look
    /// and before the rename was lost (issue 12, item 6: the window between them). The exchange
    /// puts it back.
    #[cfg(all(target_os = "linux", debug_assertions))]
    #[test]
    fn a_change_after_the_last_look_is_swapped_back() {
        for (hook, theirs) in [
            ("printf theirs > \"$MCPCFG_TARGET.x\" && mv \"$MCPCFG_TARGET.x\" \"$MCPCFG_TARGET\"", &b"theirs"[..]),
            ("printf theirs >> \"$MCPCFG_TARGET\"", b"oldtheirs"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("c.json");
            fs::write(&file, "old").unwrap();
            let err = replace(&file, b"old", None, &b"new"[..], &no_hook, (None, Some(OsStr::new(hook)))).unwrap_err();
            assert!(matches!(err, WriteError::Changed { .. }), "{hook}: {err:?}");
            assert_eq!(fs::read(&file).unwrap(), theirs, "{hook}: the other writer's content is in place");
            assert_eq!(names(dir.path()), ["c.json"], "{hook}: no temp file is left");
            // Nothing happening after the last look: the new content goes in, and nothing is left.
            replace(&file, theirs, None, &b"new"[..], &no_hook, (None, Some(OsStr::new("true")))).unwrap();
            assert_eq!(fs::read(&file).unwrap(), b"new");
            assert_eq!(names(dir.path()), ["c.json"]);
        }
    }

    /// A config replaced by a symlink after it was read: the write followed the new link and
    /// replaced a file mcpcfg never read.
    #[cfg(unix)]
    #[test]
    fn symlink_put_in_place_after_the_read_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let read = FileId::of(&fs::metadata(&file).unwrap());
        let elsewhere = dir.path().join("elsewhere.json");
        fs::write(&elsewhere, "old").unwrap();
        fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
        let err = atomic_replace_read(&file, b"old", Some(read), &b"new"[..], &no_hook).unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
        assert_eq!(fs::read(&elsewhere).unwrap(), b"old", "the file it never read is untouched");
    }

    #[cfg(all(unix, debug_assertions))]
    #[test]
    fn test_hook_that_changes_nothing_lets_the_write_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let hook = OsStr::new("test \"$(cat \"$MCPCFG_TARGET\")\" = old");
        replace(&file, b"old", None, &b"new"[..], &no_hook, (Some(hook), None)).unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"new");
    }

    /// New content that ends before its length says (a source gone wrong) fails the write
    /// before the rename: the file keeps its bytes, and no temporary copy is left beside it.
    #[test]
    fn new_content_that_ends_early_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let renamed = std::cell::Cell::new(false);
        let short = crate::readat::EndsEarly(b"{\"mcpServers\": ", 1 << 20);
        let err = atomic_replace_read(&file, b"old", None, &short, &|_| {
            renamed.set(true);
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::Io { action: "write a temporary copy of", .. }), "{err:?}");
        assert!(!renamed.get(), "the write went on to the rename");
        assert_eq!(fs::read(&file).unwrap(), b"old");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["c.json"]);
    }

    /// The environment variable switches the hook on in debug builds and does nothing in release
    /// builds (run in a child process: the environment is shared by all tests, and changing it
    /// needs `unsafe`).
    #[test]
    fn test_hook_environment_variable_works_only_in_debug_builds() {
        let hook = if cfg!(windows) { "echo hooked>\"%MCPCFG_TARGET%\"" } else { "printf hooked > \"$MCPCFG_TARGET\"" };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "old").unwrap();
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "write::tests::test_hook_child", "--ignored", "--nocapture"])
            .env("MCPCFG_TEST_CHILD_TARGET", &file)
            .env("MCPCFG_TEST_HOOK_BEFORE_RECHECK", hook)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}");
        assert!(stdout.contains("1 passed"), "{stdout}");
        // cmd's echo ends the line with CRLF.
        let expected: &[u8] = match (cfg!(debug_assertions), cfg!(windows)) {
            (true, false) => b"hooked",
            (true, true) => b"hooked\r\n",
            (false, _) => b"new",
        };
        assert_eq!(fs::read(&file).unwrap(), expected);
        assert_eq!(names(dir.path()), ["c.json"]);
    }

    #[test]
    #[ignore = "run as a child process by test_hook_environment_variable_works_only_in_debug_builds"]
    fn test_hook_child() {
        let file = PathBuf::from(std::env::var_os("MCPCFG_TEST_CHILD_TARGET").unwrap());
        let result = atomic_replace(&file, b"old", b"new", &no_hook);
        if cfg!(debug_assertions) {
            assert!(matches!(result, Err(WriteError::Changed { .. })), "{result:?}");
        } else {
            result.unwrap();
        }
    }

    #[test]
    fn temp_file_names_are_recognised() {
        assert!(is_temp_file_name(OsStr::new(".mcp.json.mcpcfg-a1B2c3.tmp")));
        assert!(!is_temp_file_name(OsStr::new("mcp.json")));
        assert!(!is_temp_file_name(OsStr::new(".mcp.json.tmp")));
    }

    #[test]
    fn io_error_message_names_path_reason_and_remedy() {
        let err = WriteError::Io {
            path: PathBuf::from("/x/mcp.json"),
            action: "read",
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        let message = err.to_string();
        assert!(message.starts_with("could not read /x/mcp.json: "), "{message}");
        assert!(message.contains("permission denied"), "{message}");
        assert!(message.ends_with("then run again"), "{message}");
        assert!(std::error::Error::source(&err).is_none());
    }
}
