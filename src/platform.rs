//! The machine mcpcfg reasons about: which OS layout, which home folder, which environment.
//!
//! Everything that depends on "where" is a pure function of a [`Host`], so every platform's
//! layout can be tested on any platform. Paths are built as strings with the target OS's
//! separator for that reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Os {
    Macos,
    Linux,
    Windows,
}

impl Os {
    /// The name people know it by.
    pub fn id(self) -> &'static str {
        match self {
            Os::Macos => "macOS",
            Os::Linux => "Linux",
            Os::Windows => "Windows",
        }
    }

    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::Macos
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }

    pub fn sep(self) -> char {
        match self {
            Os::Windows => '\\',
            _ => '/',
        }
    }

    /// Whether `p` is absolute on this OS (checked on the string so a Windows path can be
    /// judged on Linux and the other way round).
    pub fn is_absolute(self, p: &str) -> bool {
        match self {
            Os::Windows => {
                let b = p.as_bytes();
                (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/'))
                    || p.starts_with("\\\\")
                    || p.starts_with("//")
            }
            _ => p.starts_with('/'),
        }
    }

    /// The components of a path string, split on every separator this OS accepts.
    pub fn components(self, p: &str) -> Vec<String> {
        let seps: &[char] = match self {
            Os::Windows => &['\\', '/'],
            _ => &['/'],
        };
        p.split(seps).filter(|c| !c.is_empty() && *c != ".").map(str::to_owned).collect()
    }

    /// The file name of a path string.
    pub fn file_name(self, p: &str) -> String {
        self.components(p).pop().unwrap_or_default()
    }

    pub fn case_insensitive(self) -> bool {
        matches!(self, Os::Windows | Os::Macos)
    }
}

/// A snapshot of the environment; only what mcpcfg reads.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    /// The values that are not UTF-8 (a folder with such a name), kept for [`Env::get_os`].
    other: BTreeMap<String, std::ffi::OsString>,
}

impl Env {
    pub fn from_process() -> Env {
        let mut env = Env::default();
        for (k, v) in std::env::vars_os() {
            let Ok(k) = k.into_string() else { continue };
            match v.into_string() {
                Ok(v) => {
                    env.vars.insert(k, v);
                }
                Err(v) => {
                    env.other.insert(k, v);
                }
            }
        }
        env
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env { vars: pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(), other: BTreeMap::new() }
    }

    /// The value of `key` when it is set, even to the empty string.
    pub fn get_set(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// A non-empty value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A non-empty value of `key`, UTF-8 or not: for a folder named by a variable.
    pub fn get_os(&self, key: &str) -> Option<&std::ffi::OsStr> {
        match self.get(key) {
            Some(v) => Some(std::ffi::OsStr::new(v)),
            None => self.other.get(key).map(|v| v.as_os_str()).filter(|v| !v.is_empty()),
        }
    }
}

/// Where mcpcfg looks: OS layout, home folder and environment.
#[derive(Clone, Debug)]
pub struct Host {
    pub os: Os,
    pub home: PathBuf,
    pub env: Env,
    /// `--home` was given: the platform's folder variables (XDG_*, APPDATA, LOCALAPPDATA) are
    /// derived from it rather than read from the environment, so a test or a look at another
    /// user's home never wanders into the caller's own folders.
    pub home_overridden: bool,
    /// `--system-root` (hidden, for tests): every system-wide path (`/etc/…`, `C:\ProgramData\…`)
    /// is read under this folder instead.
    pub system_root: Option<PathBuf>,
}

impl Host {
    /// A system-wide path (`/etc/claude-code/managed-mcp.json`), under `--system-root` when given.
    pub fn system_path(&self, path: &str) -> PathBuf {
        let Some(root) = &self.system_root else { return PathBuf::from(path) };
        // `C:\ProgramData\x` becomes `<root>/C/ProgramData/x`, `/etc/x` `<root>/etc/x`.
        let parts: Vec<String> =
            self.os.components(path).into_iter().map(|c| c.trim_end_matches(':').to_owned()).collect();
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        join(Os::current(), root, &refs)
    }

    /// The variable that holds the home folder on this OS (`HOME`, `USERPROFILE` on Windows).
    pub fn home_var(&self) -> &'static str {
        if self.os == Os::Windows { "USERPROFILE" } else { "HOME" }
    }

    /// `home` joined with `parts`, with this OS's separator.
    pub fn home_join(&self, parts: &[&str]) -> PathBuf {
        join(self.os, &self.home, parts)
    }

    fn platform_var(&self, key: &str) -> Option<&str> {
        if self.home_overridden { None } else { self.env.get(key) }
    }

    /// A variable that moves a tool's folder (`TELEPORT_HOME`, `CODEX_HOME`, …). With `--home`
    /// it counts only when it points inside that home: the caller's own folders are not the
    /// home being looked at, and mcpcfg could otherwise rewrite files outside it.
    pub fn folder_var(&self, key: &str) -> Option<&str> {
        let v = self.env.get(key)?;
        if self.home_overridden && !is_inside(self.os, v, &self.home.to_string_lossy()) {
            return None;
        }
        Some(v)
    }

    /// The per-user application-data folder, `A` in SPEC §2.
    pub fn app_data(&self) -> PathBuf {
        match self.os {
            Os::Macos => self.home_join(&["Library", "Application Support"]),
            Os::Linux => self
                .platform_var("XDG_CONFIG_HOME")
                .filter(|p| p.starts_with('/'))
                .map(PathBuf::from)
                .unwrap_or_else(|| self.home_join(&[".config"])),
            Os::Windows => self
                .platform_var("APPDATA")
                .map(PathBuf::from)
                .unwrap_or_else(|| self.home_join(&["AppData", "Roaming"])),
        }
    }

    /// An XDG base folder as tools that follow the XDG layout on every OS take it (OpenCode,
    /// Crush): `$var` when it is an absolute path, else `~/<default>` (`~/.config` on macOS and
    /// Windows too).
    pub fn xdg(&self, var: &str, default: &[&str]) -> PathBuf {
        self.platform_var(var)
            .filter(|p| self.os.is_absolute(p))
            .map(PathBuf::from)
            .unwrap_or_else(|| self.home_join(default))
    }

    /// `%LOCALAPPDATA%` on Windows.
    pub fn local_app_data(&self) -> PathBuf {
        self.platform_var("LOCALAPPDATA").map(PathBuf::from).unwrap_or_else(|| self.home_join(&["AppData", "Local"]))
    }

    /// Where mcpcfg keeps its own state (backups).
    pub fn state_dir(&self) -> PathBuf {
        match self.os {
            Os::Macos => self.home_join(&["Library", "Application Support", "mcpcfg"]),
            Os::Linux => match self.platform_var("XDG_STATE_HOME").filter(|p| p.starts_with('/')) {
                Some(p) => join(self.os, Path::new(p), &["mcpcfg"]),
                None => self.home_join(&[".local", "state", "mcpcfg"]),
            },
            Os::Windows => join(self.os, &self.local_app_data(), &["mcpcfg"]),
        }
    }

    /// Teleport's profile folder: `$TELEPORT_HOME`, else `~/.tsh`.
    pub fn teleport_home(&self) -> PathBuf {
        self.folder_var("TELEPORT_HOME").map(PathBuf::from).unwrap_or_else(|| self.home_join(&[".tsh"]))
    }

    /// The client-tools managed-update folder: `$TELEPORT_TOOLS_DIR`, else `$TELEPORT_HOME/bin`,
    /// else `~/.tsh/bin`.
    pub fn tools_dir(&self) -> PathBuf {
        tools_dir_for(self.os, &self.home, self.folder_var("TELEPORT_TOOLS_DIR"), self.folder_var("TELEPORT_HOME"))
    }

    /// Every folder managed updates keep copies in: [`Host::tools_dir`], and with `TELEPORT_HOME`
    /// (and no `TELEPORT_TOOLS_DIR`) also `$TELEPORT_HOME/.tsh/bin`, where releases before the
    /// current `Dir()` kept them (`lib/autoupdate/tools/utils.go`: older forms used
    /// `$TELEPORT_HOME/.tsh/bin`, the current one `$TELEPORT_HOME/bin`).
    pub fn tools_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.tools_dir()];
        if self.folder_var("TELEPORT_TOOLS_DIR").is_none()
            && let Some(h) = self.folder_var("TELEPORT_HOME")
        {
            dirs.push(join(self.os, Path::new(h), &[".tsh", "bin"]));
        }
        dirs
    }

    /// Shows `p` with `~` for the home folder.
    pub fn tilde(&self, p: &Path) -> String {
        let s = p.to_string_lossy();
        let home = self.home.to_string_lossy();
        let home = home.trim_end_matches(['/', '\\']);
        if let Some(rest) = s.strip_prefix(home).filter(|_| !home.is_empty()) {
            if rest.is_empty() {
                return "~".into();
            }
            if rest.starts_with(['/', '\\']) {
                return format!("~{rest}");
            }
        }
        s.into_owned()
    }
}

/// The managed-update folder given the two Teleport variables (a server's own `env` may set them).
pub fn tools_dir_for(os: Os, home: &Path, tools_dir: Option<&str>, teleport_home: Option<&str>) -> PathBuf {
    if let Some(d) = tools_dir {
        return PathBuf::from(d);
    }
    if let Some(h) = teleport_home {
        return join(os, Path::new(h), &["bin"]);
    }
    join(os, home, &[".tsh", "bin"])
}

/// `base` joined with `parts` using `os`'s separator.
pub fn join(os: Os, base: &Path, parts: &[&str]) -> PathBuf {
    // As an OsString: a home or project folder whose name is not UTF-8 stays itself.
    let mut s = base.as_os_str().to_owned();
    for p in parts {
        if !s.as_encoded_bytes().last().is_some_and(|b| *b == b'/' || *b == b'\\') {
            s.push(os.sep().to_string());
        }
        s.push(p);
    }
    PathBuf::from(s)
}

/// Whether `path` lies inside `dir`, comparing components (case-insensitively where the OS is).
pub fn is_inside(os: Os, path: &str, dir: &str) -> bool {
    let p = os.components(path);
    let d = os.components(dir);
    if d.is_empty() || p.len() <= d.len() {
        return false;
    }
    p.iter().zip(&d).all(|(a, b)| if os.case_insensitive() { a.eq_ignore_ascii_case(b) } else { a == b })
}

/// A host for tests: `os`, `home` and these variables, nothing overridden.
#[cfg(test)]
pub fn test_host(os: Os, home: &str, env: &[(&str, &str)]) -> Host {
    Host {
        os,
        home: PathBuf::from(home),
        env: Env::from_pairs(env.iter().copied()),
        home_overridden: false,
        system_root: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(os: Os, home: &str, env: &[(&str, &str)]) -> Host {
        test_host(os, home, env)
    }

    #[test]
    fn app_data_per_platform() {
        assert_eq!(
            host(Os::Macos, "/Users/me", &[]).app_data(),
            PathBuf::from("/Users/me/Library/Application Support")
        );
        assert_eq!(host(Os::Linux, "/home/me", &[]).app_data(), PathBuf::from("/home/me/.config"));
        assert_eq!(host(Os::Linux, "/home/me", &[("XDG_CONFIG_HOME", "/x/cfg")]).app_data(), PathBuf::from("/x/cfg"));
        // A relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored.
        assert_eq!(
            host(Os::Linux, "/home/me", &[("XDG_CONFIG_HOME", "cfg")]).app_data(),
            PathBuf::from("/home/me/.config")
        );
        assert_eq!(host(Os::Windows, r"C:\Users\me", &[]).app_data(), PathBuf::from(r"C:\Users\me\AppData\Roaming"));
        assert_eq!(host(Os::Windows, r"C:\Users\me", &[("APPDATA", r"D:\Roam")]).app_data(), PathBuf::from(r"D:\Roam"));
    }

    #[test]
    fn home_override_ignores_platform_folder_variables() {
        let mut h = host(Os::Linux, "/tmp/h", &[("XDG_CONFIG_HOME", "/home/real/.config")]);
        h.home_overridden = true;
        assert_eq!(h.app_data(), PathBuf::from("/tmp/h/.config"));
    }

    /// `--home` with the caller's own CODEX_HOME set read and rewrote the caller's Codex config.
    #[test]
    fn home_override_honours_folder_variables_only_inside_the_home() {
        let mut h = host(Os::Linux, "/tmp/h", &[("TELEPORT_HOME", "/home/real/.tsh"), ("CODEX_HOME", "/tmp/h/codex")]);
        h.home_overridden = true;
        assert_eq!(h.tools_dir(), PathBuf::from("/tmp/h/.tsh/bin"));
        assert_eq!(h.folder_var("CODEX_HOME"), Some("/tmp/h/codex"));
        h.home_overridden = false;
        assert_eq!(h.tools_dir(), PathBuf::from("/home/real/.tsh/bin"));
    }

    #[test]
    fn tools_dir_precedence() {
        assert_eq!(host(Os::Linux, "/home/me", &[]).tools_dir(), PathBuf::from("/home/me/.tsh/bin"));
        assert_eq!(host(Os::Linux, "/home/me", &[("TELEPORT_HOME", "/t")]).tools_dir(), PathBuf::from("/t/bin"));
        assert_eq!(
            host(Os::Linux, "/home/me", &[("TELEPORT_HOME", "/t")]).tools_dirs(),
            [PathBuf::from("/t/bin"), PathBuf::from("/t/.tsh/bin")],
            "older releases kept copies in $TELEPORT_HOME/.tsh/bin"
        );
        assert_eq!(
            host(Os::Linux, "/home/me", &[("TELEPORT_HOME", "/t"), ("TELEPORT_TOOLS_DIR", "/tools")]).tools_dir(),
            PathBuf::from("/tools")
        );
        assert_eq!(host(Os::Windows, r"C:\Users\me", &[]).tools_dir(), PathBuf::from(r"C:\Users\me\.tsh\bin"));
    }

    #[test]
    fn absolute_paths_per_os() {
        assert!(Os::Linux.is_absolute("/usr/bin/tsh"));
        assert!(!Os::Linux.is_absolute("tsh"));
        assert!(!Os::Linux.is_absolute("./bin/tsh"));
        assert!(Os::Windows.is_absolute(r"C:\Program Files\Teleport\tsh.exe"));
        assert!(Os::Windows.is_absolute("C:/tsh.exe"));
        assert!(!Os::Windows.is_absolute("tsh.exe"));
        assert!(!Os::Windows.is_absolute(r"bin\tsh.exe"));
    }

    #[test]
    fn inside_compares_components() {
        assert!(is_inside(Os::Linux, "/home/me/.tsh/bin/x-update-pkg-v2/tsh", "/home/me/.tsh/bin"));
        assert!(!is_inside(Os::Linux, "/home/me/.tsh/binary/tsh", "/home/me/.tsh/bin"));
        assert!(is_inside(Os::Windows, r"c:\users\ME\.tsh\bin\u\tsh.exe", r"C:\Users\me\.tsh\bin"));
    }

    #[test]
    fn tilde_shortens_home_only() {
        let h = host(Os::Linux, "/home/me", &[]);
        assert_eq!(h.tilde(Path::new("/home/me/.cursor/mcp.json")), "~/.cursor/mcp.json");
        assert_eq!(h.tilde(Path::new("/home/meta/x")), "/home/meta/x");
    }
}
