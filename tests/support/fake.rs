//! Puts the fake `tsh` (`tests/support/fake_tsh.rs`, built by `cargo test`) where a test wants
//! a tsh, with its behaviour written beside it. Shared by the integration and interop suites.

use std::fs;
use std::path::{Path, PathBuf};

/// What a fake tsh does; see the keys in `tests/support/fake_tsh.rs`.
#[derive(Clone, Default)]
pub struct Fake {
    spec: Vec<(&'static str, String)>,
}

impl Fake {
    /// A plain tsh of `version`: it answers `tsh version`, and fails every other command.
    pub fn version(version: &str) -> Fake {
        Fake::default().with("version", version)
    }

    /// A tsh 18.2.3 that acts as `mode` (`mcp-ok`, `online-expired`, …).
    pub fn mode(mode: &str) -> Fake {
        Fake::default().with("mode", mode)
    }

    pub fn with(mut self, key: &'static str, value: &str) -> Fake {
        self.spec.retain(|(k, _)| *k != key);
        self.spec.push((key, value.to_owned()));
        self
    }

    /// Re-executes into the managed `version` unless `TELEPORT_TOOLS_VERSION=off`.
    pub fn managed(self, version: Option<&str>) -> Fake {
        match version {
            Some(v) => self.with("managed", v),
            None => self,
        }
    }

    /// Puts the fake at `at` (on Windows with `.exe` added when `at` has no extension, as
    /// `tsh mcp config` writes it and the clients find it) and returns the path written.
    ///
    /// On Unix a hard link where it can (a copy otherwise): an executable written in a test
    /// process that forks on other threads can fail to start with ETXTBSY, a link is never open
    /// for writing. So nothing may change the mode of the file a fake is at.
    pub fn install(&self, at: &Path) -> PathBuf {
        let at = exe_path(at);
        fs::create_dir_all(at.parent().unwrap()).unwrap();
        let _ = fs::remove_file(&at);
        let exe = Path::new(env!("CARGO_BIN_EXE_mcpcfg-fake-tsh"));
        // On Windows a copy: no link of a running program can be removed there, and tests run
        // the shared fake all the time.
        if cfg!(windows) || fs::hard_link(exe, &at).is_err() {
            fs::copy(exe, &at).unwrap();
        }
        let spec: String = self.spec.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        let mut name = at.as_os_str().to_owned();
        name.push(".fake");
        fs::write(PathBuf::from(name), spec).unwrap();
        at
    }
}

/// `path` as an executable's file name on this platform: `tsh` is `tsh.exe` on Windows.
pub fn exe_path(path: &Path) -> PathBuf {
    if cfg!(windows) && path.extension().is_none() { path.with_extension("exe") } else { path.to_path_buf() }
}

/// The fake acting as `mode` (`mcp-ok`, `online-hang`, …), for tests that name a tsh without
/// building a home around it: put once per test process in `target/tmp/fakes/<mode>/`.
pub fn shared(mode: &str) -> PathBuf {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static DONE: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut done = DONE
        .get_or_init(|| {
            remove_old_shared();
            Default::default()
        })
        .lock()
        .unwrap();
    if let Some(p) = done.get(mode) {
        return p.clone();
    }
    // Per process: a build since the last run may have replaced the fake, and a hard link
    // keeps pointing at the old one.
    // Absolute as the platform sees it: under Wine `/work/…/target/tmp` is `Z:\work\…`, and a
    // config's command must name a drive.
    let tmp = std::path::absolute(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = tmp.join(format!("fakes-{}", std::process::id())).join(mode);
    let p = Fake::mode(mode).install(&dir.join("tsh"));
    done.insert(mode.to_owned(), p.clone());
    p
}

/// Earlier runs' folders of [`shared`] fakes, once they are an hour old.
fn remove_old_shared() {
    let Ok(entries) = fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else { return };
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if e.file_name().to_string_lossy().starts_with("fakes-") && old.is_some_and(|a| a.as_secs() > 3600) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}
