//! The reading edge: which config files exist, and what they hold.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::clients::{self, Candidate, Location, ServersAt};
use crate::document::{self, Document, ParseError};
use crate::settings::Settings;

/// A config file and what reading it gave.
#[derive(Debug)]
pub struct Loaded {
    pub location: Location,
    /// The bytes as read, kept for a command that edits (a later write checks the file still
    /// holds them); `None` when read for servers only ([`Keep::Servers`]).
    pub bytes: Option<Bytes>,
    /// What parsing gave. Its `servers` move into the file's `ConfigReport` when the reports
    /// are built (`check::reports`): read them there.
    pub parsed: Result<Document, LoadError>,
    /// Which file was read (device, inode, size, times): a repair writes only to that file.
    pub identity: Option<crate::write::FileId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    Malformed(ParseError),
    Unreadable(String),
}

impl Loaded {
    pub fn document(&self) -> Option<&Document> {
        self.parsed.as_ref().ok()
    }

    /// The bytes as read; an error for a file read for its servers only, which no command that
    /// edits asks for.
    pub fn bytes(&self) -> anyhow::Result<&[u8]> {
        self.bytes.as_deref().ok_or_else(|| {
            anyhow::anyhow!(
                "{}: read without keeping its bytes; nothing was written (please report this)",
                self.location.path.display()
            )
        })
    }
}

/// A file's bytes, read whole.
#[derive(Debug)]
pub enum Bytes {
    Vec(Vec<u8>),
    /// A big file's, on Linux: in an anonymous map that the kernel is asked to back with 2 MiB
    /// pages (`MADV_HUGEPAGE`; transparent huge pages are "madvise" on most distributions).
    /// Reading 64 MB into fresh 4 KiB pages faulted in and zeroed 16k of them: the read took
    /// 34–41 ms, and 16–19 ms into huge ones.
    #[cfg(target_os = "linux")]
    Map(memmap2::MmapMut),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Vec(v) => v,
            #[cfg(target_os = "linux")]
            Bytes::Map(m) => m,
        }
    }
}

impl std::ops::DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        match self {
            Bytes::Vec(v) => v,
            #[cfg(target_os = "linux")]
            Bytes::Map(m) => m,
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes::Vec(v)
    }
}

/// `len` zero bytes to read a big file into: on Linux in huge pages where the kernel gives them
/// (see [`Bytes::Map`]), else a `Vec`.
#[cfg(unix)]
fn buffer(len: usize) -> Bytes {
    #[cfg(target_os = "linux")]
    if let Ok(map) = memmap2::MmapMut::map_anon(len) {
        // Only advice: where the kernel has no huge pages the map works as plain pages.
        let _ = map.advise(memmap2::Advice::HugePage);
        return Bytes::Map(map);
    }
    Bytes::Vec(vec![0u8; len])
}

/// What reading a file keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The servers and the bytes, for a command that edits the file.
    Bytes,
    /// The servers only: a big Claude Code file is then streamed through small windows rather
    /// than read whole ([`crate::fastjson::read_stream`]), which takes about half the time.
    Servers,
}

/// Every config location that applies, existing files only (and every `--config` file, which
/// is reported as unreadable when it is not there).
pub fn locations(s: &Settings, scanned: &[Location]) -> anyhow::Result<Vec<Location>> {
    let host = &s.host;
    let mut out = Vec::new();
    if !s.configs.is_empty() {
        let single = if s.clients.len() == 1 { Some(s.clients[0]) } else { None };
        for path in &s.configs {
            // A path that leads nowhere is a mistake in the command, not a file to diagnose.
            if !exists(path) {
                anyhow::bail!("{}: no such file; check the path given to --config", path.display());
            }
            let Some(l) = clients::infer(host.os, &host.home, path, single) else {
                let names: Vec<&str> = crate::settings::ALL_CLIENTS.iter().map(|c| c.id()).collect();
                anyhow::bail!(
                    "{}: cannot tell which client reads this file; add --client NAME ({})",
                    path.display(),
                    names.join(", ")
                );
            };
            // `--client` narrows what is read: a file of another client is a mistake to say.
            if !s.clients.contains(&l.client) {
                let names: Vec<&str> = s.clients.iter().map(|c| c.id()).collect();
                anyhow::bail!(
                    "{}: this is a {} config, and --client names {}",
                    path.display(),
                    l.client.id(),
                    names.join(", ")
                );
            }
            out.push(user_level_only_where_the_client_looks(host, l));
        }
        // One file named twice (directly and through a link) is read and written once: twice,
        // the second write saw the first one's change and reported a concurrent edit.
        let mut seen = HashSet::new();
        out.retain(|l| seen.insert(same_file_key(&l.path)));
        return Ok(out);
    }
    for c in clients::user_candidates(host, &s.clients) {
        match c {
            Candidate::File(l) => {
                if exists(&l.path) {
                    out.push(l);
                }
            }
            Candidate::FirstOf(ls) => {
                if let Some(l) = ls.into_iter().find(|l| exists(&l.path)) {
                    out.push(l);
                }
            }
            Candidate::Profiles { dir, file_name, template } => {
                let Ok(rd) = std::fs::read_dir(&dir) else { continue };
                let gemini = template.client == clients::Client::Gemini && file_name == clients::GEMINI_EXTENSION_FILE;
                let mut found: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok())
                    .map(|e| match gemini.then(|| linked_extension(&e.path())).flatten() {
                        Some(source) => source.join(file_name),
                        None => e.path().join(file_name),
                    })
                    .filter(|p| exists(p))
                    .collect();
                found.sort();
                out.extend(found.into_iter().map(|path| Location { path, ..template.clone() }));
            }
            Candidate::Suffixed { dir, suffix, template } => out.extend(suffixed(&dir, suffix, &template)),
        }
    }
    for dir in &s.project_dirs {
        for c in clients::project_folders(host.os, dir, &s.clients) {
            if let Candidate::Suffixed { dir, suffix, template } = c {
                out.extend(suffixed(&dir, suffix, &template));
            }
        }
        let roots = clients::Roots { codex: codex_project_root(host.os, dir), git: git_root(host.os, dir) };
        let found: Vec<Location> = clients::project_locations(host.os, dir, &s.clients, &roots)
            .into_iter()
            .filter(|l| exists(&l.path))
            .collect();
        out.extend(found.iter().filter(|l| clients::read_beside(&found, l)).cloned());
    }
    out.extend(scanned.iter().filter(|l| s.clients.contains(&l.client)).cloned());
    out.retain(|l| !clients::guest_reading(host.os, l) || s.clients_named || clients::in_use(host, l.client));
    // A project folder can be the home folder; the user-level reading of a file wins. One file
    // read by several clients (a project's `.mcp.json` by Claude Code, Copilot CLI and Qwen
    // Code) is read once per client, since each decides on its own whether it loads it; the
    // repair writes it once (`fix::plan`).
    let mut seen = HashSet::new();
    out.retain(|l| seen.insert((l.client, same_file_key(&l.path))));
    Ok(out)
}

/// Every `dir/<name><suffix>`, sorted, each read like `template`.
fn suffixed(dir: &Path, suffix: &str, template: &Location) -> Vec<Location> {
    let Ok(rd) = std::fs::read_dir(dir) else { return vec![] };
    let mut found: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(|n| clients::has_suffix(n, suffix)))
        .map(|e| e.path())
        .collect();
    found.sort();
    found.into_iter().map(|path| Location { path, ..template.clone() }).collect()
}

/// A file named by `--config` is user-level (its commands are run to read versions) only when
/// it is one of its client's own user or system locations, symlinks resolved: a cloned
/// repository's `.claude.json` or `claude_desktop_config.json` is a project's, whatever its name.
fn user_level_only_where_the_client_looks(host: &crate::platform::Host, mut l: Location) -> Location {
    if l.scope == clients::Scope::Project {
        return l;
    }
    let target = same_file_key(&l.path);
    let mut places = Vec::new();
    for c in clients::user_candidates(host, &[l.client]) {
        match c {
            Candidate::File(x) => places.push(x.path),
            Candidate::FirstOf(xs) => places.extend(xs.into_iter().map(|x| x.path)),
            Candidate::Profiles { dir, file_name, .. } => {
                let in_profile = target.file_name().is_some_and(|n| n == file_name)
                    && target.parent().and_then(Path::parent).is_some_and(|d| same_file_key(d) == same_file_key(&dir));
                if in_profile {
                    return l;
                }
            }
            Candidate::Suffixed { dir, suffix, .. } => {
                let named = target.file_name().and_then(|n| n.to_str()).is_some_and(|n| clients::has_suffix(n, suffix));
                if named && target.parent().is_some_and(|d| same_file_key(d) == same_file_key(&dir)) {
                    return l;
                }
            }
        }
    }
    if !places.iter().any(|p| same_file_key(p) == target) {
        l.scope = clients::Scope::Project;
    }
    l
}

/// Where a Gemini CLI extension linked with `gemini extensions link <dir>` really is: its folder
/// holds only `.gemini-extension-install.json`, `{"source": "<dir>", "type": "link"}`, and the
/// extension is read from the source (`extension-manager.ts`, `loadInstallMetadata`).
fn linked_extension(folder: &Path) -> Option<PathBuf> {
    let meta: serde_json::Value =
        serde_json::from_slice(&read_regular(&folder.join(".gemini-extension-install.json")).ok()?).ok()?;
    if meta.get("type")?.as_str()? != "link" {
        return None;
    }
    Some(PathBuf::from(meta.get("source")?.as_str()?))
}

/// The folder Codex takes as the project root for `dir`: the nearest one, `dir` included, that
/// holds a `.git` file, or a `.git` folder with a `HEAD` (Codex 0.171 passes over a `.git` folder
/// without one; `codex-rs/config/src/loader`, `find_project_root`). `None` when there is none.
pub fn codex_project_root(os: crate::platform::Os, dir: &Path) -> Option<PathBuf> {
    clients::ancestors(os, dir).into_iter().find(|d| {
        let git = d.join(".git");
        match std::fs::metadata(&git) {
            Ok(m) if m.is_dir() => git.join("HEAD").exists(),
            Ok(_) => true,
            Err(_) => false,
        }
    })
}

/// The root of the Git work tree `dir` is in, as Git finds it: the nearest folder whose `.git` is
/// a repository (a folder with `HEAD`, `objects` and `refs`), or a `.git` file whose `gitdir:`
/// leads to one. OpenCode takes project files up to it (it asks Git; a bare `.git/HEAD` is no
/// repository to it, seen with 1.18).
pub fn git_root(os: crate::platform::Os, dir: &Path) -> Option<PathBuf> {
    let is_repo = |g: &Path| g.join("HEAD").is_file() && g.join("objects").is_dir() && g.join("refs").is_dir();
    clients::ancestors(os, dir).into_iter().find(|d| {
        let git = d.join(".git");
        match std::fs::metadata(&git) {
            Ok(m) if m.is_dir() => is_repo(&git),
            Ok(_) => read_regular(&git)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .is_some_and(|t| t.trim().strip_prefix("gitdir:").is_some_and(|g| is_repo(&d.join(g.trim())))),
            Err(_) => false,
        }
    })
}

/// Whether `p` is there to read; a dangling symlink counts, so it is reported rather than skipped.
fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// What two paths that lead to one file have in common: the file's canonical path.
pub fn same_file_key(p: &Path) -> PathBuf {
    dunce::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Reads and parses one file.
pub fn load(location: Location, keep: Keep) -> Loaded {
    let unreadable = |location, e: std::io::Error| Loaded {
        location,
        identity: None,
        bytes: None,
        parsed: Err(LoadError::Unreadable(e.to_string())),
    };
    // Opened once, whether it is then streamed or read whole.
    let (file, meta) = match open_regular(&location.path).and_then(|f| Ok((f.metadata()?, f))) {
        Ok((meta, file)) => (file, meta),
        Err(e) => return unreadable(location, e),
    };
    let (len, identity) = (meta.len(), Some(crate::write::FileId::of(&meta)));
    if keep == Keep::Servers
        && streams(location.servers_at, len)
        && let Some(doc) =
            crate::fastjson::read_stream(&crate::readat::FileAt(&file), len, crate::fastjson::WINDOW_BYTES)
    {
        return Loaded { location, identity, bytes: None, parsed: Ok(doc) };
    }
    match read_open(&location.path, file, len) {
        Err(e) => unreadable(location, e),
        Ok(bytes) => {
            let parsed = document::parse(&bytes, location.servers_at).map_err(LoadError::Malformed);
            Loaded { location, identity, bytes: Some(bytes), parsed }
        }
    }
}

/// From this size on, [`load`] streams a Claude Code file it need not keep (when that fails,
/// not strict JSON or changed while read, the whole read says what the file holds).
pub const STREAM_MIN_BYTES: u64 = crate::fastjson::SPLIT_MIN_BYTES as u64;

/// Whether a file of layout `at`, `len` bytes long, is read by streaming (the text of a repair
/// too, when it is proven): a big Claude Code file.
pub fn streams(at: ServersAt, len: u64) -> bool {
    at == ServersAt::ClaudeCodeUser && len >= STREAM_MIN_BYTES
}

/// Reads every file, in parallel when there are several (one may be tens of MB), on at most as
/// many threads as there are cores (`--scan` can find hundreds), keeping the order.
pub fn load_all(locations: Vec<Location>, keep: Keep) -> Vec<Loaded> {
    if locations.len() <= 1 {
        return locations.into_iter().map(|l| load(l, keep)).collect();
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8).min(locations.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Loaded>>> = locations.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(l) = locations.get(i) else { break };
                    let loaded = load(l.clone(), keep);
                    *slots[i].lock().expect("no panic while holding it") = Some(loaded);
                }
            });
        }
    });
    slots.into_iter().map(|m| m.into_inner().expect("no panic while holding it").expect("every slot filled")).collect()
}

/// From this size on, [`read`] reads the two halves of a file at the same time.
pub const PARALLEL_READ_MIN_BYTES: u64 = 8 << 20;

/// The whole file, like [`std::fs::read`].
pub fn read(path: &Path) -> std::io::Result<Bytes> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    read_open(path, file, len)
}

/// The whole of `file` (opened from `path`, `len` bytes long when it was measured). A big file
/// (Claude Code's `~/.claude.json` reaches tens of MB) is read in two halves at once: most of
/// the time goes to the kernel filling fresh pages, and two threads do that in about half the
/// time.
#[cfg(unix)]
fn read_open(path: &Path, mut file: std::fs::File, len: u64) -> std::io::Result<Bytes> {
    use std::io::{ErrorKind, Read};
    use std::os::unix::fs::FileExt;

    let Some(len) = usize::try_from(len).ok().filter(|&n| n as u64 >= PARALLEL_READ_MIN_BYTES) else {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        return Ok(bytes.into());
    };
    let mut bytes = buffer(len);
    let (first, second) = bytes.split_at_mut(len / 2);
    let at = first.len() as u64;
    let file = &file;
    let (a, b) = std::thread::scope(|scope| {
        let other = scope.spawn(move || file.read_exact_at(second, at));
        let a = file.read_exact_at(first, 0);
        (a, other.join().unwrap_or_else(|_| Err(std::io::Error::other("reading thread panicked"))))
    });
    match a.and(b) {
        // Done, unless the file grew since it was measured.
        Ok(()) if file.read_at(&mut [0u8; 1], len as u64)? == 0 => Ok(bytes),
        // It changed size while being read: read it again, plainly.
        Ok(()) => read_regular(path).map(Bytes::from),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => read_regular(path).map(Bytes::from),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn read_open(_: &Path, mut file: std::fs::File, _: u64) -> std::io::Result<Bytes> {
    use std::io::{Read, Seek};
    // A failed stream read came first: Windows' positioned reads move the file's cursor (they
    // did, and a big JSONC `~/.claude.json` was "malformed at 1:1", read from the middle).
    file.rewind()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes.into())
}

/// The bytes of `path` when it is a regular file (a small state file of tsh's, say): a pipe
/// there would otherwise block the run.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    open_regular(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens `path` (through symlinks) when it is a regular file. A config that is a device or a
/// pipe (`.mcp.json -> /dev/zero` in a cloned repository) would be read for ever, or block.
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let not_a_file = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a device, a pipe or a folder): replace it with the config file, or remove it",
        )
    };
    // Checked before opening: opening a pipe waits for a writer.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    refuse_special(path, &meta)?;
    let file = std::fs::File::open(path)?;
    // And again, in case it was swapped in between.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    refuse_special(path, &meta)?;
    Ok(file)
}

/// No MCP config comes near this size (Claude Code's history file reaches tens of MB): a
/// bigger one (a 15 TB sparse file in a cloned repository) would abort the process.
pub const MAX_CONFIG_BYTES: u64 = 4 << 30;

/// A "regular" file that is not a config: bigger than any config can be, or in procfs or sysfs,
/// whose files can block a read for ever (`.mcp.json -> /proc/kmsg` hung `check`).
fn refuse_special(path: &Path, meta: &std::fs::Metadata) -> std::io::Result<()> {
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} GiB, more than any MCP config holds ({} GiB at most): mcpcfg does not read it",
                meta.len() >> 30,
                MAX_CONFIG_BYTES >> 30
            ),
        ));
    }
    #[cfg(target_os = "linux")]
    if let Ok(real) = dunce::canonicalize(path)
        && (real.starts_with("/proc") || real.starts_with("/sys"))
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it leads to {}, a kernel file, not a config: mcpcfg does not read it", real.display()),
        ));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_gives_the_whole_file_small_or_big() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0usize, 1, 4096, PARALLEL_READ_MIN_BYTES as usize, PARALLEL_READ_MIN_BYTES as usize + 7] {
            let p = dir.path().join(format!("f{len}"));
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            let read = read(&p).unwrap();
            assert!(*read == bytes[..], "{len} bytes");
            // A big file on Linux goes to huge pages, where the kernel has them.
            let mapped = !matches!(read, Bytes::Vec(_));
            assert_eq!(mapped, cfg!(target_os = "linux") && len as u64 >= PARALLEL_READ_MIN_BYTES, "{len} bytes");
        }
        assert!(read(&dir.path().join("missing")).is_err());
    }

    fn claude_code(path: PathBuf) -> Location {
        Location {
            client: crate::clients::Client::ClaudeCode,
            scope: crate::clients::Scope::User,
            path,
            syntax: crate::clients::Syntax::Json,
            servers_at: ServersAt::ClaudeCodeUser,
        }
    }

    /// A pretty-printed Claude Code file of at least [`STREAM_MIN_BYTES`].
    fn big_claude_json() -> String {
        let history = serde_json::json!([{"display": "x".repeat(4000)}]);
        let mut projects = serde_json::Map::new();
        for i in 0..(STREAM_MIN_BYTES as usize / 4000 + 10) {
            let servers = serde_json::json!({format!("s{i}"): {"command": format!("/tmp/{i}-update-pkg-v2/tsh")}});
            projects.insert(format!("/src/p{i}"), serde_json::json!({"history": history, "mcpServers": servers}));
        }
        serde_json::to_string_pretty(&serde_json::json!({"numStartups": 1, "projects": projects})).unwrap()
    }

    #[test]
    fn a_big_claude_code_file_is_streamed_when_only_its_servers_are_wanted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".claude.json");
        let text = big_claude_json();
        assert!(text.len() as u64 >= STREAM_MIN_BYTES);
        std::fs::write(&path, &text).unwrap();
        let kept = load(claude_code(path.clone()), Keep::Bytes);
        let streamed = load(claude_code(path.clone()), Keep::Servers);
        assert_eq!(kept.bytes.as_deref(), Some(text.as_bytes()));
        assert!(streamed.bytes.is_none(), "streamed, not read whole");
        assert_eq!(streamed.parsed, kept.parsed);
        assert!(streamed.document().unwrap().servers.len() > 1000);
        assert!(streamed.bytes().is_err(), "an edit could not use it by mistake");

        // What streaming cannot read is read whole, and reported as a whole read reports it.
        let jsonc = text.replacen("{\n", "{ // note\n", 1);
        std::fs::write(&path, &jsonc).unwrap();
        let d = load(claude_code(path.clone()), Keep::Servers);
        assert!(d.document().unwrap_or_else(|| panic!("{:?}", d.parsed.as_ref().err())).needs_jsonc);
        std::fs::write(&path, &text[..text.len() - 1]).unwrap();
        let d = load(claude_code(path), Keep::Servers);
        assert!(matches!(d.parsed, Err(LoadError::Malformed(_))));
    }
}
