//! Knowledge about tsh: what its version output means, where managed updates put their copies,
//! which paths are fragile, and which tsh a config should point at.
//!
//! Pure: the file system and processes are reached through the closures and values the edge
//! passes in (see [`crate::tshrun`] for the part that runs tsh).

use std::path::{Path, PathBuf};

use semver::Version;
use serde::Deserialize;

use crate::platform::{Host, Os, is_inside, join};

/// The first tsh with the fix for the re-executed path (PR #59166).
pub fn fixed_version() -> Version {
    Version::new(18, 2, 3)
}

/// The first tsh with `tsh mcp connect`.
pub fn mcp_version() -> Version {
    Version::new(18, 1, 0)
}

/// What `tsh version --client` printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionOutput {
    pub version: Version,
    pub reexec_from: Option<Version>,
}

/// Parses `Teleport( Enterprise)? v<semver> git:…` from the first line, and
/// `Re-executed from version: <semver>` if present.
pub fn parse_version_output(out: &str) -> Option<VersionOutput> {
    let first = out.lines().map(str::trim).find(|l| !l.is_empty())?;
    let rest = first.strip_prefix("Teleport ")?;
    let rest = rest.strip_prefix("Enterprise ").unwrap_or(rest);
    let version = parse_version(rest.split_whitespace().next()?)?;
    let reexec_from = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Re-executed from version:"))
        .and_then(|v| parse_version(v.trim()));
    Some(VersionOutput { version, reexec_from })
}

/// What `tsh version --client --format=json` printed (`tool/tsh/common/tsh.go`,
/// `serializeVersion`): `{"version": "18.2.3", "gitref": …, "runtime": …}`, with
/// `reExecutedFromVersion` when a managed copy runs on behalf of an older original (omitted when
/// empty; since Teleport 15/16/17 backports of #52409). Falls back to the text form, which a
/// build that ignores `--format` prints instead.
pub fn parse_version_any(out: &str) -> Option<VersionOutput> {
    #[derive(Deserialize)]
    struct Json {
        version: String,
        #[serde(rename = "reExecutedFromVersion", default)]
        reexec_from: Option<String>,
    }
    if out.trim_start().starts_with('{') {
        let j: Json = serde_json::from_str(out.trim()).ok()?;
        let reexec_from = j.reexec_from.as_deref().filter(|v| !v.is_empty()).and_then(parse_version);
        return Some(VersionOutput { version: parse_version(&j.version)?, reexec_from });
    }
    parse_version_output(out)
}

/// `v18.2.3`, `18.2.3`, `18.2.3-dev` → a semver version.
pub fn parse_version(s: &str) -> Option<Version> {
    let s = s.trim();
    Version::parse(s.strip_prefix('v').unwrap_or(s)).ok()
}

/// The client-tools state file, `<tools dir>/.config.json`, as Teleport writes it
/// (`lib/autoupdate/tools/config.go`, `ClientToolsConfig`): `version`, `configs` (proxy host →
/// `{version, disabled}`), `tools` (`[{version, os, arch, path: {tsh: <relative path>}}]`) and
/// `max_tools`. Go marshals a nil slice or map as `null`: a file written by `tsh login` before
/// any download holds `"tools": null`.
#[derive(Debug, Deserialize)]
struct ToolsConfig {
    #[serde(default, deserialize_with = "null_as_default")]
    configs: std::collections::BTreeMap<String, ProxyConfig>,
    #[serde(default, deserialize_with = "null_as_default")]
    tools: Vec<Tool>,
}

/// `null` (Go's nil) reads as the empty value.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Deserialize)]
struct ProxyConfig {
    #[serde(default, deserialize_with = "null_as_default")]
    version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    disabled: bool,
}

#[derive(Debug, Deserialize)]
struct Tool {
    #[serde(default, deserialize_with = "null_as_default")]
    version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    path: std::collections::BTreeMap<String, String>,
}

/// What managed updates would run for the current profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Managed {
    /// No managed version for this profile, or updates are disabled for it.
    Off,
    /// The version the cluster asks for, and the installed binary for it if there is one.
    On { version: Version, tsh: Option<PathBuf> },
}

/// Reads `.config.json` for `proxy` (the host in `current-profile`). `None` when the file cannot
/// be understood, so the caller falls back to `Re-executed from version:`.
pub fn managed_from_config(os: Os, tools_dir: &Path, config: &[u8], proxy: Option<&str>) -> Option<Managed> {
    let cfg: ToolsConfig = serde_json::from_slice(config).ok()?;
    let Some(proxy) = proxy else { return Some(Managed::Off) };
    let entry = cfg.configs.get(proxy).or_else(|| {
        // current-profile holds the host; configs may be keyed with the port.
        cfg.configs.iter().find(|(k, _)| k.split(':').next() == Some(proxy)).map(|(_, v)| v)
    });
    let Some(entry) = entry else { return Some(Managed::Off) };
    if entry.disabled {
        return Some(Managed::Off);
    }
    let version = parse_version(&entry.version)?;
    let tsh = cfg
        .tools
        .iter()
        .find(|t| parse_version(&t.version).as_ref() == Some(&version))
        .and_then(|t| t.path.get("tsh"))
        .map(|rel| join(os, tools_dir, &os.components(rel).iter().map(String::as_str).collect::<Vec<_>>()));
    Some(Managed::On { version, tsh })
}

/// The profile name tsh derives from `--proxy` / `TELEPORT_PROXY`: lower-cased, without
/// `https://` and without the port (`utils.TryHost`, `tool/tsh/common/tsh.go`).
pub fn proxy_host(proxy: &str) -> String {
    let p = proxy.trim().to_lowercase();
    let p = p.strip_prefix("https://").unwrap_or(&p);
    let host = match p.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => p,
    };
    host.trim_start_matches('[').trim_end_matches(']').to_owned()
}

/// Why a path is a bad place for a config to point at, regardless of whether it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// Bare `tsh` or a relative path.
    Relative,
    /// Inside the client-tools managed-update folder.
    ManagedUpdate,
    /// `/opt/teleport/<name>/versions/v<ver>/bin/tsh`.
    AgentUpdate,
    Stable,
}

/// Classifies `command`; `tools_dirs` are the managed-update folders that apply (the host's,
/// and the one the server's own `env` selects).
pub fn classify(os: Os, command: &str, tools_dirs: &[PathBuf]) -> PathKind {
    if !os.is_absolute(command) {
        return PathKind::Relative;
    }
    if tools_dirs.iter().any(|d| is_inside(os, command, &d.to_string_lossy())) {
        return PathKind::ManagedUpdate;
    }
    if is_agent_path(os, command) {
        return PathKind::AgentUpdate;
    }
    PathKind::Stable
}

/// A tsh of a Teleport agent install that the agent updater moves:
/// - `/opt/teleport/<namespace>/versions/<dir>/bin/tsh`, where `<dir>` is `Revision.Dir()`: the
///   version without `v`, then `_ent` for Enterprise and `_ent_fips` for FIPS builds
///   (`lib/autoupdate/agent/config.go`; the install layout is `installer.go`, the default
///   namespace `/opt/teleport/default`, `setup.go`). Older docs showed `v<version>`: taken too.
/// - `/opt/teleport/system/bin/tsh`, the deb/rpm package's copy, which Teleport itself maps to
///   `/usr/local/bin/tsh` (`lib/autoupdate/agent/integrations.go`, `StableExecutable`).
pub fn is_agent_path(os: Os, command: &str) -> bool {
    let c = os.components(command);
    // The install folder is `/opt/teleport` unless `--install-dir` / TELEPORT_UPDATE_INSTALL_DIR
    // moved it, so a versioned layout counts wherever it lies; the package's copy only there.
    let opt_teleport = |i: usize| i == 1 && c[0] == "opt" && c[1] == "teleport";
    let versioned = c.windows(6).any(|w| {
        w[0] == "teleport" && w[2] == "versions" && is_revision_dir(&w[3]) && w[4] == "bin" && is_tsh_name(&w[5])
    });
    let system = c
        .windows(4)
        .enumerate()
        .any(|(i, w)| opt_teleport(i) && w[1] == "system" && w[2] == "bin" && is_tsh_name(&w[3]) && i + 4 == c.len());
    versioned || system
}

/// `16.3.0`, `16.3.0_ent`, `16.3.0_ent_fips` (and the older `v16.3.0`).
fn is_revision_dir(dir: &str) -> bool {
    let base = dir.strip_suffix("_ent_fips").or_else(|| dir.strip_suffix("_ent")).unwrap_or(dir);
    parse_version(base).is_some()
}

/// The first tsh whose `tsh mcp config` writes a stable path for agent installs
/// (`StableExecutable`, PR #60873, "Stabilized tsh paths when run from agent installation").
pub fn agent_stable_version() -> Version {
    Version::new(18, 4, 0)
}

/// `tsh` or `tsh.exe`.
pub fn is_tsh_name(name: &str) -> bool {
    name == "tsh" || name.eq_ignore_ascii_case("tsh.exe")
}

/// How the stable tsh was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Path,
    KnownLocation,
}

impl Source {
    pub fn id(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Path => "path",
            Source::KnownLocation => "known-location",
        }
    }

    /// How text output says where the tsh was found (check and doctor alike).
    pub fn words(self) -> &'static str {
        match self {
            Source::Flag => "--tsh",
            Source::Path => "on PATH",
            Source::KnownLocation => "known install location",
        }
    }
}

/// The known install locations of tsh on `os`, in order of preference (under `--system-root`
/// when given, so tests can give them on any machine).
pub fn known_locations(host: &Host) -> Vec<PathBuf> {
    let paths: &[&str] = match host.os {
        Os::Macos => &[
            "/usr/local/bin/tsh",
            "/Applications/tsh.app/Contents/MacOS/tsh",
            "/Applications/Teleport Connect.app/Contents/MacOS/tsh.app/Contents/MacOS/tsh",
            "/opt/homebrew/bin/tsh",
        ],
        Os::Linux => &["/usr/local/bin/tsh", "/usr/bin/tsh"],
        Os::Windows => &[r"C:\Program Files\Teleport\tsh.exe"],
    };
    paths.iter().map(|p| host.system_path(p)).collect()
}

/// The stable tsh: the first executable `tsh` on `path_entries` outside a managed-update or
/// agent-update folder, else the first known location that is executable. Paths are kept as
/// found, not canonicalised: `/usr/local/bin/tsh` is stable even when it links into a
/// versioned folder.
pub fn find_stable(
    host: &Host,
    path_entries: &[PathBuf],
    is_executable: &dyn Fn(&Path) -> bool,
) -> Option<(PathBuf, Source)> {
    let tools = host.tools_dirs();
    let usable = |p: &Path| classify(host.os, &p.to_string_lossy(), &tools) == PathKind::Stable && is_executable(p);
    if let Some(p) = on_path(host.os, path_entries).find(|p| usable(p)) {
        return Some((p, Source::Path));
    }
    known_locations(host).into_iter().find(|p| usable(p)).map(|p| (p, Source::KnownLocation))
}

/// Where `tsh` would be in each absolute folder of `PATH`, in order: what `which -a tsh` looks
/// at. A relative PATH entry means something else to every process, so it is left out.
pub fn on_path(os: Os, path_entries: &[PathBuf]) -> impl Iterator<Item = PathBuf> + '_ {
    let exe = if os == Os::Windows { "tsh.exe" } else { "tsh" };
    path_entries.iter().filter(move |d| os.is_absolute(&d.to_string_lossy())).map(move |d| join(os, d, &[exe]))
}

/// The folders on `PATH`, split the way the target OS splits them.
pub fn split_path_var(os: Os, path: &str) -> Vec<PathBuf> {
    let sep = if os == Os::Windows { ';' } else { ':' };
    path.split(sep).filter(|s| !s.is_empty()).map(PathBuf::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Env;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn version_line_with_v_prefix() {
        let o = parse_version_output("Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7\n").unwrap();
        assert_eq!(o.version, v("18.2.3"));
        assert_eq!(o.reexec_from, None);
    }

    #[test]
    fn version_dev_build_sorts_before_release() {
        let o = parse_version_output("Teleport v18.2.3-dev git:v18.2.3-dev-0-gabc go1.24.7").unwrap();
        assert_eq!(o.version, v("18.2.3-dev"));
        assert!(o.version < fixed_version());
    }

    #[test]
    fn version_enterprise_build() {
        let o = parse_version_output("Teleport Enterprise v17.7.6 git:v17.7.6-0-gdeadbee go1.23.10").unwrap();
        assert_eq!(o.version, v("17.7.6"));
    }

    #[test]
    fn version_with_proxy_and_reexec_lines() {
        let out = "Teleport v18.2.3 git:v18.2.3-0-gxxxxxxxx go1.24.7\nProxy version: 18.2.0\nProxy: teleport.example.com:443\nRe-executed from version: 18.2.0\n";
        let o = parse_version_output(out).unwrap();
        assert_eq!(o.version, v("18.2.3"));
        assert_eq!(o.reexec_from, Some(v("18.2.0")));
    }

    /// `tsh version --format=json` (`serializeVersion` in `tool/tsh/common/tsh.go`): the
    /// re-executed copy's own version, and the original's in `reExecutedFromVersion`.
    #[test]
    fn version_json_with_re_executed_from_version() {
        let plain =
            "{\n  \"version\": \"18.2.3\",\n  \"gitref\": \"v18.2.3-0-gabc\",\n  \"runtime\": \"go1.24.7\"\n}\n";
        assert_eq!(parse_version_any(plain), Some(VersionOutput { version: v("18.2.3"), reexec_from: None }));
        let reexec = r#"{"version": "18.3.0", "gitref": "x", "runtime": "go", "proxyVersion": "18.3.0", "reExecutedFromVersion": "17.7.1"}"#;
        assert_eq!(
            parse_version_any(reexec),
            Some(VersionOutput { version: v("18.3.0"), reexec_from: Some(v("17.7.1")) })
        );
        assert_eq!(parse_version_any(r#"{"version": "nope"}"#), None);
        assert_eq!(parse_version_any("{ broken"), None);
        // A build that answers in text whatever it is asked.
        assert_eq!(parse_version_any("Teleport Enterprise v18.2.3 git:x go1").map(|o| o.version), Some(v("18.2.3")));
    }

    #[test]
    fn version_garbage_is_none() {
        assert_eq!(parse_version_output("ERROR: expected command but got \"mcp\""), None);
        assert_eq!(parse_version_output(""), None);
        assert_eq!(parse_version("18.2"), None);
    }

    #[test]
    fn managed_config_for_current_profile() {
        let cfg = br#"{"version":"v1","configs":{"teleport.example.com":{"version":"18.2.3","disabled":false}},
            "tools":[{"version":"18.2.3","path":{"tsh":"1b2c-update-pkg-v2/tsh","tctl":"1b2c-update-pkg-v2/tctl"}}],"max_tools":3}"#;
        let m = managed_from_config(Os::Linux, Path::new("/h/.tsh/bin"), cfg, Some("teleport.example.com")).unwrap();
        assert_eq!(m, Managed::On { version: v("18.2.3"), tsh: Some("/h/.tsh/bin/1b2c-update-pkg-v2/tsh".into()) });
        assert_eq!(managed_from_config(Os::Linux, Path::new("/t"), cfg, Some("other.example.com")), Some(Managed::Off));
        assert_eq!(managed_from_config(Os::Linux, Path::new("/t"), cfg, None), Some(Managed::Off));
    }

    #[test]
    fn managed_config_disabled_or_unreadable() {
        let cfg = br#"{"configs":{"p":{"version":"18.2.3","disabled":true}}}"#;
        assert_eq!(managed_from_config(Os::Linux, Path::new("/t"), cfg, Some("p")), Some(Managed::Off));
        assert_eq!(managed_from_config(Os::Linux, Path::new("/t"), b"{not json", Some("p")), None);
    }

    #[test]
    fn managed_config_version_not_installed_yet() {
        let cfg = br#"{"configs":{"p:443":{"version":"v18.3.0"}},"tools":[]}"#;
        assert_eq!(
            managed_from_config(Os::Linux, Path::new("/t"), cfg, Some("p")),
            Some(Managed::On { version: v("18.3.0"), tsh: None })
        );
    }

    #[test]
    fn classify_paths() {
        let tools = [PathBuf::from("/home/me/.tsh/bin")];
        let c = |p: &str| classify(Os::Linux, p, &tools);
        assert_eq!(c("tsh"), PathKind::Relative);
        assert_eq!(c("bin/tsh"), PathKind::Relative);
        assert_eq!(c("/home/me/.tsh/bin/0f9e-update-pkg-v2/tsh"), PathKind::ManagedUpdate);
        assert_eq!(
            c("/home/me/.tsh/bin/0f9e-update-pkg-v2/tsh-18.1.0.pkg/Payload/tsh.app/Contents/MacOS/tsh"),
            PathKind::ManagedUpdate
        );
        assert_eq!(c("/home/me/.tsh/bin/tsh"), PathKind::ManagedUpdate, "version 1 layout");
        assert_eq!(c("/opt/teleport/default/versions/v18.1.4/bin/tsh"), PathKind::AgentUpdate);
        assert_eq!(c("/opt/teleport/mycluster/versions/v17.0.0/bin/tsh"), PathKind::AgentUpdate);
        assert_eq!(c("/usr/local/bin/tsh"), PathKind::Stable);
        assert_eq!(c("/opt/homebrew/bin/tsh"), PathKind::Stable);
    }

    /// Agent installs live in `versions/<Revision.Dir()>`: `16.3.0`, `16.3.0_ent`,
    /// `16.3.0_ent_fips`, without the `v` our check required, so it never matched a real install.
    #[test]
    fn agent_install_paths_as_the_agent_updater_lays_them_out() {
        let c = |p: &str| classify(Os::Linux, p, &[]);
        for p in [
            "/opt/teleport/default/versions/16.3.0/bin/tsh",
            "/opt/teleport/default/versions/18.1.4_ent/bin/tsh",
            "/opt/teleport/staging/versions/17.7.2_ent_fips/bin/tsh",
            "/opt/teleport/default/versions/v18.1.4/bin/tsh",
            "/opt/teleport/system/bin/tsh",
            // An install folder moved with --install-dir.
            "/srv/teleport/default/versions/18.2.0/bin/tsh",
        ] {
            assert_eq!(c(p), PathKind::AgentUpdate, "{p}");
        }
        for p in [
            "/usr/local/bin/tsh",
            "/opt/teleport/default/bin/tsh",
            "/opt/teleport/default/versions/latest/bin/tsh",
            "/opt/teleport/default/versions/16.3.0_oss/bin/tsh",
            "/home/me/opt/teleport/system/bin/tsh",
            "/opt/teleport/system/bin/tsh/extra",
        ] {
            assert_eq!(c(p), PathKind::Stable, "{p}");
        }
    }

    /// `.config.json` as `tsh login` leaves it before any download: Go writes the empty tool
    /// list as `null` (`lib/autoupdate/tools/config.go`). It failed to parse.
    #[test]
    fn tools_config_with_null_tools_and_configs_is_read() {
        let cfg = br#"{"version":"v1","configs":{"teleport.example.com":{"version":"18.3.0","disabled":false}},"tools":null,"max_tools":0}"#;
        assert_eq!(
            managed_from_config(Os::Linux, Path::new("/t"), cfg, Some("teleport.example.com")),
            Some(Managed::On { version: v("18.3.0"), tsh: None })
        );
        let cfg = br#"{"version":"v1","configs":null,"tools":null}"#;
        assert_eq!(managed_from_config(Os::Linux, Path::new("/t"), cfg, Some("p")), Some(Managed::Off));
    }

    /// 18.3.0 and later store `os` and `arch` per tool; an Enterprise download keeps the
    /// tarball's `teleport-ent/` folder inside the package folder (`Updater.update`,
    /// `lib/utils/packaging/unarchive_unix.go`).
    #[test]
    fn tools_config_with_os_arch_and_nested_package_layout() {
        let cfg = br#"{"version":"v1","configs":{"teleport.example.com":{"version":"18.3.2","disabled":false}},
            "tools":[{"version":"18.3.2","os":"linux","arch":"amd64","path":{"tsh":"8c1e2f0a-update-pkg-v2/teleport-ent/tsh","tctl":"8c1e2f0a-update-pkg-v2/teleport-ent/tctl"}},
                     {"version":"18.2.0","os":"linux","arch":"amd64","path":{"tsh":"11aa-update-pkg-v2/tsh"}}],"max_tools":3}"#;
        let m = managed_from_config(Os::Linux, Path::new("/h/.tsh/bin"), cfg, Some("teleport.example.com")).unwrap();
        assert_eq!(
            m,
            Managed::On {
                version: v("18.3.2"),
                tsh: Some("/h/.tsh/bin/8c1e2f0a-update-pkg-v2/teleport-ent/tsh".into())
            }
        );
    }

    /// On macOS the updater expands the `.pkg` with `pkgutil --expand-full` into the package
    /// folder and records the relative path of each `tsh` it finds at whatever depth
    /// (`lib/utils/packaging/unarchive_unix.go`, `replacePkg`). The exact tree inside the pkg is
    /// not pinned here; mcpcfg does not depend on it: any depth is the managed copy.
    #[test]
    fn macos_pkg_tree_inside_the_package_folder_is_a_managed_copy() {
        let rel = "5e6f7a8b-update-pkg-v2/tsh.pkg/Payload/tsh.app/Contents/MacOS/tsh";
        let cfg = format!(
            r#"{{"configs":{{"teleport.example.com":{{"version":"18.3.2"}}}},"tools":[{{"version":"18.3.2","os":"darwin","arch":"arm64","path":{{"tsh":"{rel}"}}}}]}}"#
        );
        let dir = Path::new("/Users/me/.tsh/bin");
        let m = managed_from_config(Os::Macos, dir, cfg.as_bytes(), Some("teleport.example.com")).unwrap();
        let full = format!("/Users/me/.tsh/bin/{rel}");
        assert_eq!(m, Managed::On { version: v("18.3.2"), tsh: Some(full.clone().into()) });
        assert_eq!(classify(Os::Macos, &full, &[dir.into()]), PathKind::ManagedUpdate);
    }

    /// tsh picks the managed version for `--proxy`/`TELEPORT_PROXY` before `current-profile`.
    #[test]
    fn proxy_host_as_tsh_derives_the_profile_name() {
        assert_eq!(proxy_host("Teleport.Example.com:443"), "teleport.example.com");
        assert_eq!(proxy_host("https://teleport.example.com:3080"), "teleport.example.com");
        assert_eq!(proxy_host("teleport.example.com"), "teleport.example.com");
    }

    #[test]
    fn classify_windows_paths() {
        let tools = [PathBuf::from(r"C:\Users\me\.tsh\bin")];
        assert_eq!(
            classify(Os::Windows, r"C:\Users\me\.tsh\bin\u-update-pkg-v2\tsh.exe", &tools),
            PathKind::ManagedUpdate
        );
        assert_eq!(classify(Os::Windows, r"C:\Program Files\Teleport\tsh.exe", &tools), PathKind::Stable);
        assert_eq!(classify(Os::Windows, "tsh.exe", &tools), PathKind::Relative);
    }

    fn host(os: Os) -> Host {
        let home = if os == Os::Windows { r"C:\Users\me" } else { "/home/me" };
        Host { os, home: home.into(), env: Env::default(), home_overridden: false, system_root: None }
    }

    #[test]
    fn stable_tsh_skips_managed_and_agent_paths_on_path() {
        let h = host(Os::Linux);
        let path = split_path_var(
            Os::Linux,
            "/home/me/.tsh/bin/x-update-pkg-v2:/opt/teleport/default/versions/v18.0.0/bin:relative:/usr/local/bin:/usr/bin",
        );
        let all = |_: &Path| true;
        assert_eq!(find_stable(&h, &path, &all), Some(("/usr/local/bin/tsh".into(), Source::Path)));
    }

    #[test]
    fn stable_tsh_falls_back_to_known_locations() {
        let h = host(Os::Macos);
        let only_app = |p: &Path| p == Path::new("/Applications/tsh.app/Contents/MacOS/tsh");
        assert_eq!(
            find_stable(&h, &[PathBuf::from("/usr/bin")], &only_app),
            Some(("/Applications/tsh.app/Contents/MacOS/tsh".into(), Source::KnownLocation))
        );
        assert_eq!(find_stable(&h, &[], &|_: &Path| false), None);
    }

    #[test]
    fn stable_tsh_on_windows_uses_exe_name() {
        let h = host(Os::Windows);
        let path = split_path_var(Os::Windows, r"C:\Tools;C:\Windows");
        let only = |p: &Path| p == Path::new(r"C:\Windows\tsh.exe");
        assert_eq!(find_stable(&h, &path, &only), Some((r"C:\Windows\tsh.exe".into(), Source::Path)));
        let none = |p: &Path| p == Path::new(r"C:\Program Files\Teleport\tsh.exe");
        assert_eq!(find_stable(&h, &[], &none).map(|x| x.1), Some(Source::KnownLocation));
    }

    #[test]
    fn known_locations_per_platform() {
        assert_eq!(known_locations(&host(Os::Linux)), [PathBuf::from("/usr/local/bin/tsh"), "/usr/bin/tsh".into()]);
        assert_eq!(known_locations(&host(Os::Macos)).len(), 4);
        assert_eq!(known_locations(&host(Os::Windows)), [PathBuf::from(r"C:\Program Files\Teleport\tsh.exe")]);
    }
}
