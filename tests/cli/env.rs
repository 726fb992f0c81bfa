//! `TestEnv`: a temporary machine (home, PATH folder, project folder) and a fluent way to run
//! mcpcfg in it.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub use crate::fake::Fake;

pub struct TestEnv {
    pub root: TempDir,
    extra_env: Vec<(String, String)>,
}

/// What a run gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Every finding code in the JSON output, as `(server or "-", code)`.
    pub fn codes(&self) -> Vec<(String, String)> {
        let j = self.json();
        let mut v: Vec<(String, String)> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["server"].as_str().unwrap_or("-").to_owned(), f["code"].as_str().unwrap().to_owned()))
            .collect();
        v.sort();
        v
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let root = tempfile::Builder::new().prefix("mcpcfg-test").tempdir().unwrap();
        for d in ["home", "bin", "project"] {
            fs::create_dir_all(root.path().join(d)).unwrap();
        }
        TestEnv { root, extra_env: vec![] }
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    pub fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    pub fn project(&self) -> PathBuf {
        self.root.path().join("project")
    }

    /// Writes `text` at `rel` under the home folder, creating folders.
    /// (`rel` in the Linux layout: see [`layout`].)
    pub fn home_file(self, rel: &str, text: &str) -> Self {
        write(&self.home().join(layout(rel)), text);
        self
    }

    pub fn project_file(self, rel: &str, text: &str) -> Self {
        write(&self.project().join(rel), text);
        self
    }

    /// A fake tsh of version `own` at `path` (absolute, or relative to the test root), which
    /// re-executes into `managed` as a managed update does. Every run appends a line to
    /// `<its folder>/runs.log`, with the TELEPORT_TOOLS_VERSION it got.
    pub fn tsh_at(self, path: &Path, own: &str, managed: Option<&str>) -> Self {
        self.fake_at(path, Fake::version(own).managed(managed))
    }

    /// `fake` at `path` (absolute, or relative to the test root).
    pub fn fake_at(self, path: &Path, fake: Fake) -> Self {
        let p = if path.is_absolute() { path.to_path_buf() } else { self.root.path().join(path) };
        fake.install(&p);
        self
    }

    /// The stable tsh on PATH: `<root>/bin/tsh`.
    pub fn tsh(self, own: &str, managed: Option<&str>) -> Self {
        let p = self.bin().join("tsh");
        self.tsh_at(&p, own, managed)
    }

    /// `fake` as the stable tsh on PATH.
    pub fn stable(self, fake: Fake) -> Self {
        let p = self.bin().join("tsh");
        self.fake_at(&p, fake)
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.extra_env.push((k.into(), v.into()));
        self
    }

    /// `~/.tsh/.config.json` and `current-profile` as managed updates leave them.
    pub fn managed(self, proxy: &str, version: &str, tsh_rel: &str) -> Self {
        let cfg = format!(
            r#"{{"version":"v1","configs":{{"{proxy}":{{"version":"{version}","disabled":false}}}},"tools":[{{"version":"{version}","os":"linux","arch":"amd64","path":{{"tsh":"{tsh_rel}","tctl":"{tsh_rel}"}}}}],"max_tools":3}}"#
        );
        self.home_file(".tsh/bin/.config.json", &cfg).home_file(".tsh/current-profile", proxy)
    }

    /// `rel` (written with `/`) under the test root, in the platform's own form.
    pub fn path_of(&self, rel: &str) -> String {
        native(&self.root.path().join(rel))
    }

    /// [`TestEnv::path_of`] for an executable: `bin/tsh` is `…\\bin\\tsh.exe` on Windows.
    pub fn exe_of(&self, rel: &str) -> String {
        native(&crate::fake::exe_path(&self.root.path().join(rel)))
    }

    pub fn home_path(&self, rel: &str) -> String {
        native(&self.home().join(layout(rel)))
    }

    pub fn read_home(&self, rel: &str) -> String {
        fs::read_to_string(self.home().join(layout(rel))).unwrap()
    }

    /// The command, run in the project folder with a clean environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    /// `mcpcfg ARGS` started in the background, its output thrown away: for a test that ends it.
    pub fn spawn_quiet(&self, args: &[&str]) -> std::process::Child {
        self.std_cmd(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap()
    }

    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin!("mcpcfg"));
        c.env_clear()
            .env("PATH", self.path_var())
            .env("MCPCFG_HOME", self.home())
            .current_dir(self.project())
            .args(args);
        for (k, v) in &self.extra_env {
            c.env(k, v);
        }
        c
    }

    /// PATH: the test's `bin` folder, then the system's own programs.
    pub fn path_var(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.bin()];
        if cfg!(windows) {
            let root =
                std::env::var_os("SystemRoot").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(r"C:\windows"));
            dirs.extend([root.join("system32"), root]);
        } else {
            dirs.extend([PathBuf::from("/usr/bin"), PathBuf::from("/bin")]);
        }
        std::env::join_paths(dirs).unwrap()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut attempt = 1;
        loop {
            match self.cmd(args).output() {
                // Wine 8 now and then refuses to start a process with ERROR_INTERNAL_ERROR (seen
                // once in a CI run of hundreds of starts, never reproduced): nothing ran, so
                // starting it again is safe, and a real failure still fails on the third go.
                Err(e) if cfg!(windows) && e.raw_os_error() == Some(1359) && attempt < 3 => {
                    eprintln!("note: starting mcpcfg failed under Wine ({e}); trying again");
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                out => return Run::from(out.unwrap()),
            }
        }
    }

    /// [`TestEnv::run`] with standard output (and, with `close_stderr`, standard error) closed
    /// before mcpcfg writes: a reader that went away. What stderr got is empty when it was closed.
    pub fn run_closed(&self, args: &[&str], close_stderr: bool) -> Run {
        let mut child = self
            .std_cmd(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        if close_stderr {
            drop(child.stderr.take());
        }
        Run::from(child.wait_with_output().unwrap())
    }

    /// [`TestEnv::run`] for a run that could hang: one still going after `limit` is killed and
    /// fails the test, rather than hanging it. (Its output must fit in the pipes.)
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Run {
        let mut child = self
            .std_cmd(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > limit {
                child.kill().unwrap();
                panic!("mcpcfg {args:?} still ran after {limit:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Run::from(child.wait_with_output().unwrap())
    }
}

pub fn write(p: &Path, text: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A `tsh mcp config` entry.
pub fn tsh_entry(command: &str, app: &str) -> String {
    format!(
        r#"{{"command": "{}", "args": ["mcp", "connect", "{app}"], "env": {{"API_TOKEN": "s3cr3t-env-value"}}}}"#,
        esc(command)
    )
}

/// `path` as a JSON string (backslashes and quotes escaped, as on Windows they must be).
pub fn json_str(path: &Path) -> String {
    format!("\"{}\"", esc(&path.to_string_lossy()))
}

/// A symbolic link at `link` to `target`.
pub fn symlink(target: impl AsRef<Path>, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).unwrap();
    #[cfg(windows)]
    {
        let target = target.as_ref();
        if link.parent().unwrap().join(target).is_dir() {
            std::os::windows::fs::symlink_dir(target, link).unwrap();
        } else {
            std::os::windows::fs::symlink_file(target, link).unwrap();
        }
    }
}

/// The permission bits of `path` (0 where there are none: Windows).
pub fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0
    }
}

/// Sets the permission bits of `path` (on Windows only the read-only attribute, from the owner's
/// write bit).
pub fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    {
        let mut p = fs::metadata(path).unwrap().permissions();
        p.set_readonly(mode & 0o200 == 0);
        fs::set_permissions(path, p).unwrap();
    }
}

/// `path` with the platform's separator throughout (on Windows `C:\T\bin/tsh` is `C:\T\bin\tsh`),
/// as mcpcfg prints it.
pub fn native(path: &Path) -> String {
    let s = path.to_string_lossy();
    if cfg!(windows) { s.replace('/', "\\") } else { s.into_owned() }
}

/// Text naming a path written with `/` (`--- a/~/.cursor/mcp.json`) as mcpcfg prints it on this
/// platform: from the `~` on when there is one (the diff's `a/` stays), else throughout.
pub fn shown(text: &str) -> String {
    match text.find("~/") {
        Some(i) => format!("{}{}", &text[..i], native(Path::new(&format!("~/{}", layout(&text[i + 2..]))))),
        None => native(Path::new(text)),
    }
}

/// `s` escaped for the inside of a JSON (or TOML basic) string: a Windows path's backslashes
/// doubled, as a config holds it.
pub fn esc(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// Sets a folder's modification time (on Windows a folder opens only with backup semantics).
pub fn set_folder_mtime(dir: &Path, at: std::time::SystemTime) {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_WRITE_ATTRIBUTES, FILE_FLAG_BACKUP_SEMANTICS
        o.access_mode(0x100).custom_flags(0x0200_0000);
    }
    o.open(dir).unwrap().set_modified(at).unwrap();
}

/// A home-relative path the tests write in the Linux layout, in this platform's: on Windows the
/// clients' `~/.config/<app>/` folders are `%APPDATA%\\<app>\\` (Zed's is `Zed`).
pub fn layout(rel: &str) -> String {
    if cfg!(windows) {
        for app in ["Claude", "Code - Insiders", "Code", "VSCodium", "Cursor"] {
            if let Some(rest) = rel.strip_prefix(&format!(".config/{app}/")) {
                return format!("AppData/Roaming/{app}/{rest}");
            }
        }
        if let Some(rest) = rel.strip_prefix(".config/zed/") {
            return format!("AppData/Roaming/Zed/{rest}");
        }
        if let Some(rest) = rel.strip_prefix(".config/goose/") {
            return format!("AppData/Roaming/Block/goose/config/{rest}");
        }
    }
    rel.to_owned()
}
