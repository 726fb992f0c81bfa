//! The read side of every command: find the configs, read them, find the stable tsh and the
//! versions that matter, and turn it all into a [`Report`].

use std::path::Path;

use semver::Version;

use crate::clients::{Location, Scope};
use crate::findings::{self, FileState, StableTsh};
use crate::load::{self, Keep, LoadError};
use crate::report::{ConfigReport, Report, ServerReport, TshReport};
use crate::settings::Settings;
use crate::tsh::{self, Managed, Source};
use crate::tshrun::{self, VersionRun};

/// How much to find out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Configs and servers only: nothing is run (`list`).
    Servers,
    /// Findings, with tsh versions (`check`, `doctor`).
    Findings,
    /// Findings, and the bytes of every file, which a repair edits (`fix-config`).
    Repairs,
}

/// Reads everything `s` points at and reports on it.
pub fn gather(s: &Settings, depth: Depth, scanned: &[Location]) -> anyhow::Result<Report> {
    let host = &s.host;
    let keep = if depth == Depth::Repairs { Keep::Bytes } else { Keep::Servers };
    let locations = load::locations(s, scanned)?;
    if depth == Depth::Servers {
        // Nothing is run, and no repair is planned: the repair target is not looked for.
        let configs = reports(s, load::load_all(locations, keep), None, |_, _| vec![]);
        return Ok(Report { configs, ..Report::default() });
    }

    let stable = match &s.tsh {
        Some(p) => Some(StableTsh { path: p.clone(), source: Source::Flag }),
        // A link into the managed-update folder is no more stable than the copy it names.
        None => tsh::find_stable(host, &tsh::split_path_var(host.os, &s.path_var), &|p| {
            file_state(p) == FileState::Executable && managed_target(host, p).is_none()
        })
        .map(|(path, source)| StableTsh { path, source }),
    };
    let managed_state = read_managed(s);
    let managed_cfg = match &managed_state {
        ManagedState::Read(m) => Some(m.clone()),
        _ => None,
    };

    // Every binary whose version matters, run once each and all at the same time.
    let mut runs = Vec::new();
    // Without the override a tsh may download the managed version: it runs so only where there
    // is no `.config.json` at all (read or not), which means no managed version to fetch. And
    // only where a tools folder exists: without one, no managed update ever ran here, and the
    // answer ("Re-executed from version") cannot come (`CheckAndUpdateLocal`). That one run
    // tells its own version too (`reExecutedFromVersion`, or the version when it did not
    // re-execute), so the stable tsh then runs once, not twice.
    let reexec_run = stable
        .as_ref()
        .filter(|_| matches!(managed_state, ManagedState::Absent) && host.tools_dirs().iter().any(|d| d.is_dir()))
        .map(|st| VersionRun { tsh: st.path.clone(), own: false });
    if let Some(st) = &stable {
        runs.push(reexec_run.clone().unwrap_or(VersionRun { tsh: st.path.clone(), own: true }));
    }
    if let Some(Managed::On { tsh: Some(m), .. }) = &managed_cfg
        && file_state(m) == FileState::Executable
    {
        runs.push(VersionRun { tsh: m.clone(), own: true });
    }
    // These need no config: they run while the configs are read (a real `tsh version` takes
    // about as long as reading a 64 MB `~/.claude.json`; a child waiting costs no core).
    let (loaded, mut versions) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| load::load_all(locations, keep));
        let versions = tshrun::read_versions(&runs, tshrun::VERSION_TIMEOUT);
        (loading.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), versions)
    });
    // Then the binaries the configs run by their paths, those not run already.
    let mut more = Vec::new();
    for l in &loaded {
        // A managed file is an administrator's: its tsh is as trusted as the user's own.
        let trusted = l.location.scope != Scope::Project || s.trust_project;
        for sv in l.document().map(|d| d.servers.as_slice()).unwrap_or_default() {
            let Some(cmd) = &sv.command else { continue };
            let Some(cmd) = crate::vars::expand(host, &l.location, &cmd.value).path(&cmd.value) else { continue };
            let p = Path::new(&cmd);
            if trusted
                && host.os.is_absolute(&cmd)
                && tsh::is_tsh_name(&host.os.file_name(&cmd))
                && file_state(p) == FileState::Executable
            {
                more.push(VersionRun { tsh: p.to_path_buf(), own: true });
            }
        }
    }
    // The re-executing run tells the stable tsh's own version too.
    more.retain(|x| !versions.contains_key(x) && !reexec_run.as_ref().is_some_and(|r| x.own && x.tsh == r.tsh));
    versions.extend(tshrun::read_versions(&more, tshrun::VERSION_TIMEOUT));
    let own_version = |p: &Path| -> Option<Version> {
        match &reexec_run {
            Some(r) if r.tsh == p => {
                let out = versions.get(r)?.as_ref()?;
                Some(out.reexec_from.clone().unwrap_or_else(|| out.version.clone()))
            }
            _ => versions.get(&VersionRun { tsh: p.to_path_buf(), own: true })?.as_ref().map(|v| v.version.clone()),
        }
    };

    // The managed version: from .config.json (checked against the binary when it is there),
    // else from what the stable tsh says when allowed to re-execute.
    let (managed_version, reexec_from) = match (&managed_cfg, &stable) {
        (Some(Managed::On { version, tsh }), st) => {
            let managed = tsh.as_deref().and_then(own_version).unwrap_or_else(|| version.clone());
            let original = st.as_ref().and_then(|st| own_version(&st.path));
            let reexec = original.filter(|o| *o != managed);
            (Some(managed), reexec)
        }
        (Some(Managed::Off), _) | (None, None) => (None, None),
        (None, Some(st)) => match versions.get(&VersionRun { tsh: st.path.clone(), own: false }) {
            Some(Some(out)) if out.reexec_from.is_some() => (Some(out.version.clone()), out.reexec_from.clone()),
            _ => (None, None),
        },
    };
    let tsh_report = stable.clone().map(|st| TshReport {
        version: own_version(&st.path),
        stable: st,
        managed_version: managed_version.clone(),
        reexec_from: reexec_from.clone(),
    });

    let facts = findings::Facts {
        host,
        stable: stable.as_ref(),
        own_version: &own_version,
        managed_version,
        file_state: &file_state,
        managed_target: &|p| managed_target(host, p),
        trust_project: s.trust_project,
    };
    let to = stable.as_ref().map(|st| st.path.as_path());
    let mut configs = reports(s, loaded, to, |loc, sv| findings::server_findings(loc, sv, &facts));
    let mut global = match managed_state {
        ManagedState::Unreadable(why) => vec![findings::Finding {
            skew: None,
            code: findings::Code::ManagedConfigUnreadable,
            severity: findings::Severity::Warning,
            message: format!(
                "{why}; the managed tsh version is unknown (tsh was not run without TELEPORT_TOOLS_VERSION=off, so nothing was downloaded)"
            ),
            hint: "log in again (`tsh login`) to rewrite it, or clear managed updates with `tsh update --clear`".into(),
        }],
        _ => vec![],
    };
    global.extend(binary_findings(host, &mut configs));
    Ok(Report { tsh: tsh_report, configs, global, ..Report::default() })
}

/// The problems of a tsh binary (too old: `tsh-version-skew`, `tsh-mcp-unsupported`), taken
/// off every server that runs it and said once, of the binary, with the servers named: four
/// servers on one old tsh are one problem, and each of them is ✗ only for its own. An error
/// when any of them is loaded, else a warning.
fn binary_findings(host: &crate::platform::Host, configs: &mut [ConfigReport]) -> Vec<findings::Finding> {
    let mut out: Vec<(findings::Finding, Vec<(crate::clients::Client, String)>)> = Vec::new();
    for c in configs.iter_mut() {
        let id = c.loaded.location.client;
        let file = host.tilde(&c.loaded.location.path);
        for s in &mut c.servers {
            let (binary, own): (Vec<_>, Vec<_>) =
                std::mem::take(&mut s.findings).into_iter().partition(|f| f.skew.is_some());
            s.findings = own;
            for f in binary {
                let what = f.skew.as_ref().map(|k| k.about.clone()).unwrap_or_default();
                let severity =
                    if s.not_loaded.is_none() { findings::Severity::Error } else { findings::Severity::Warning };
                let user = (id, format!("{file}: {}", s.server.label()));
                match out.iter_mut().find(|(g, _)| g.code == f.code && g.skew == f.skew && g.message == what) {
                    Some((g, users)) => {
                        g.severity = g.severity.max(severity);
                        users.push(user);
                    }
                    None => out.push((findings::Finding { message: what, severity, ..f }, vec![user])),
                }
            }
        }
    }
    out.into_iter()
        .map(|(mut f, users)| {
            let n = users.len();
            let names: Vec<&str> = users.iter().map(|(_, u)| u.as_str()).collect();
            f.message =
                format!("{} (run by {n} server{}: {})", f.message, if n == 1 { "" } else { "s" }, names.join(", "));
            if let Some(k) = &mut f.skew {
                k.users = users;
            }
            f
        })
        .collect()
}

/// Where `p` leads when it is a symlink into the client-tools managed-update folder (which the
/// updater empties): `~/bin/tsh -> ~/.tsh/bin/<uuid>-update-pkg-v2/tsh`.
pub fn managed_target(host: &crate::platform::Host, p: &Path) -> Option<std::path::PathBuf> {
    if !std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
        return None;
    }
    let target = dunce::canonicalize(p).ok()?;
    // The folder itself may be reached through a link (`~/.tsh` on another disk).
    let dirs: Vec<std::path::PathBuf> =
        host.tools_dirs().into_iter().flat_map(|d| dunce::canonicalize(&d).into_iter().chain([d])).collect();
    (tsh::classify(host.os, &target.to_string_lossy(), &dirs) == tsh::PathKind::ManagedUpdate).then_some(target)
}

/// One report per file, with `server_findings` for each of its servers.
fn reports(
    s: &Settings,
    loaded: Vec<load::Loaded>,
    stable: Option<&Path>,
    server_findings: impl Fn(&Location, &crate::document::Server) -> Vec<findings::Finding>,
) -> Vec<ConfigReport> {
    let mut configs = loaded
        .into_iter()
        .map(|mut l| {
            let file_findings = file_findings(s, &l);
            // The servers move from the document into their reports rather than being copied:
            // a big `~/.claude.json` holds hundreds, each with its whole entry. From here on
            // `ConfigReport::servers` is where a file's servers are.
            let taken = l.parsed.as_mut().map(|d| std::mem::take(&mut d.servers)).unwrap_or_default();
            let servers = taken
                .into_iter()
                .map(|sv| ServerReport {
                    tsh: findings::is_tsh_server(&s.host, &sv),
                    findings: server_findings(&l.location, &sv),
                    not_loaded: None,
                    pinned_by_policy: false,
                    command_has_variables: sv
                        .command
                        .as_ref()
                        .is_some_and(|c| crate::vars::expand(&s.host, &l.location, &c.value).has_variables()),
                    server: sv,
                })
                .collect();
            ConfigReport { loaded: l, file_findings, servers }
        })
        .collect::<Vec<_>>();
    claude_code_loading(s, &mut configs, stable);
    gemini_loading(s, &mut configs);
    codex_loading(s, &mut configs);
    copilot_loading(s, &mut configs);
    qwen_loading(s, &mut configs);
    let (opencode_env, kilo_env) =
        (crate::clients::ConfigEnv::opencode(&s.host), crate::clients::ConfigEnv::kilo(&s.host));
    crate::loading::opencode(&mut configs, &opencode_env, &kilo_env);
    agent_loading(s, &mut configs);
    crate::loading::apply(&mut configs);
    configs
}

/// The edge of [`crate::loading::codex`]: the `[projects]` trust decisions of Codex's user
/// `config.toml`, and the project root of the folder Codex would be started in.
fn codex_loading(s: &Settings, configs: &mut [ConfigReport]) {
    use crate::clients::Client;
    if !configs.iter().any(|c| c.loaded.location.client == Client::Codex) {
        return;
    }
    let user = crate::platform::join(s.host.os, &crate::clients::codex_home(&s.host), &["config.toml"]);
    let projects = load::read_regular(&user)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(|t| crate::loading::codex_projects(&t))
        .unwrap_or_default();
    let root = s.project_dirs.first().and_then(|d| load::codex_project_root(s.host.os, d));
    let requirements = load::read_regular(&crate::clients::codex_requirements_file(&s.host))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| crate::loading::codex_requirements(&t));
    crate::loading::codex(configs, &projects, root.as_deref(), requirements.as_deref());
}

/// The edge of [`crate::loading::copilot`]: Copilot CLI keeps its switches and its trust apart
/// from its servers, in its home folder: `copilot mcp disable NAME` writes
/// `{"disabledMcpServers": [NAME]}` to `settings.json`, and trusting a folder adds it to
/// `trusted_folders` in `config.json` (seen with 1.0).
fn copilot_loading(s: &Settings, configs: &mut [ConfigReport]) {
    if !configs.iter().any(|c| c.loaded.location.client == crate::clients::Client::CopilotCli) {
        return;
    }
    let dir = crate::clients::copilot_home(&s.host);
    let strings = |file: &str, key: &str| -> Vec<String> {
        json_value(&crate::platform::join(s.host.os, &dir, &[file]))
            .and_then(|v| Some(v.get(key)?.as_array()?.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect()))
            .unwrap_or_default()
    };
    let trusted: Vec<std::path::PathBuf> =
        strings("config.json", "trusted_folders").into_iter().map(std::path::PathBuf::from).collect();
    crate::loading::copilot(s.host.os, configs, &trusted, &strings("settings.json", "disabledMcpServers"));
}

/// The edge of [`crate::loading::agents`]: the default agent (`chat.defaultAgent`) of Amazon Q
/// and of Kiro, from each one's settings file.
fn agent_loading(s: &Settings, configs: &mut [ConfigReport]) {
    let defaults: Vec<(crate::clients::Client, String)> =
        [crate::clients::Client::AmazonQ, crate::clients::Client::Kiro]
            .into_iter()
            .filter_map(|c| {
                let settings = json_value(&crate::clients::agent_settings(&s.host, c)?)?;
                Some((c, settings.get("chat.defaultAgent")?.as_str()?.to_owned()))
            })
            .collect();
    crate::loading::agents(configs, &defaults);
}

/// The edge of [`crate::loading::qwen`]: Qwen Code's approvals of project servers,
/// `$QWEN_CODE_MCP_APPROVALS_PATH` or `mcpApprovals.json` in its home folder. A settings file's
/// entry is hashed as Qwen Code sees it, its variables expanded.
fn qwen_loading(s: &Settings, configs: &mut [ConfigReport]) {
    use crate::clients::{Client, Scope};
    let qwen_project =
        |c: &ConfigReport| c.loaded.location.client == Client::QwenCode && c.loaded.location.scope == Scope::Project;
    if !configs.iter().any(qwen_project) {
        return;
    }
    let path = s.host.folder_var("QWEN_CODE_MCP_APPROVALS_PATH").map(std::path::PathBuf::from).unwrap_or_else(|| {
        crate::platform::join(s.host.os, &crate::clients::qwen_home(&s.host), &["mcpApprovals.json"])
    });
    let approvals = json_value(&path).unwrap_or_default();
    crate::loading::qwen(s.host.os, configs, &approvals, |loc, server| {
        let from_mcp_json = loc.path.file_name().is_some_and(|n| n == ".mcp.json");
        let mut entry = server.value.clone();
        if !from_mcp_json {
            expand_strings(&mut entry, &|t| {
                crate::vars::expand(&s.host, loc, t).path(t).unwrap_or_else(|| t.to_owned())
            });
        }
        crate::loading::qwen_hash(&entry, from_mcp_json)
    });
}

/// Every string in `v`, keys left alone, replaced by `f` of it.
fn expand_strings(v: &mut serde_json::Value, f: &dyn Fn(&str) -> String) {
    match v {
        serde_json::Value::String(t) => *t = f(t),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| expand_strings(x, f)),
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| expand_strings(x, f)),
        _ => {}
    }
}

/// A JSON (or JSONC) file read as a value, `None` when it is not there or does not parse.
fn json_value(p: &Path) -> Option<serde_json::Value> {
    let text = String::from_utf8(load::read_regular(p).ok()?).ok()?;
    jsonc_parser::parse_to_serde_value(text.trim_start_matches('\u{feff}'), &Default::default()).ok()
}

/// The edge of [`crate::loading::gemini`]: what Gemini CLI reads besides the servers, for the
/// folder it would be started in. Trust is on unless the user settings turn it off
/// (`security.folderTrust.enabled: false`); its rules are `trustedFolders.json`.
fn gemini_loading(s: &Settings, configs: &mut [ConfigReport]) {
    use crate::clients::Client;
    if !configs.iter().any(|c| c.loaded.location.client == Client::Gemini && !c.servers.is_empty()) {
        return;
    }
    let host = &s.host;
    let Some(cwd) = s.project_dirs.first() else { return };
    let dir = crate::clients::gemini_dir(host);
    let at = |name: &str| crate::platform::join(host.os, &dir, &[name]);
    let user = json_value(&at("settings.json"));
    let enabled = user
        .as_ref()
        .and_then(|u| u.pointer("/security/folderTrust/enabled"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true);
    let trusted = !enabled || {
        let rules_at = host.folder_var("GEMINI_CLI_TRUSTED_FOLDERS_PATH").map(std::path::PathBuf::from);
        let rules = load::read_regular(&rules_at.unwrap_or_else(|| at("trustedFolders.json")))
            .map(|b| crate::loading::parse_trusted_folders(&b))
            .unwrap_or_default();
        crate::loading::gemini_trusted(host.os, &rules, cwd)
    };
    // `mcp.excluded` / `mcp.allowed` of each settings layer (the workspace's only when trusted).
    let mut layers: Vec<serde_json::Value> = user.into_iter().collect();
    for c in configs.iter().filter(|c| c.loaded.location.client == Client::Gemini) {
        let loc = &c.loaded.location;
        let settings = loc.scope == Scope::Managed || (loc.scope == Scope::Project && trusted);
        if settings && let Some(v) = json_value(&loc.path) {
            layers.push(v);
        }
    }
    let names = |v: &serde_json::Value, key: &str| -> Option<Vec<String>> {
        let list = v.get("mcp")?.get(key)?.as_array()?;
        Some(list.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect())
    };
    let excluded = layers.iter().filter_map(|v| names(v, "excluded")).flatten().collect();
    let allowed = layers
        .iter()
        .filter_map(|v| names(v, "allowed"))
        .reduce(|a, b| a.into_iter().filter(|n| b.contains(n)).collect());
    let switched_off = json_value(&at("mcp-server-enablement.json"))
        .and_then(|v| {
            let o = v.as_object()?;
            Some(
                o.iter()
                    .filter(|(_, e)| e.get("enabled") == Some(&serde_json::Value::Bool(false)))
                    .map(|(n, _)| n.clone())
                    .collect(),
            )
        })
        .unwrap_or_default();
    let enablement = json_value(&crate::platform::join(host.os, &dir, &["extensions", "extension-enablement.json"]))
        .unwrap_or(serde_json::Value::Null);
    let cwd_text = cwd.to_string_lossy();
    let disabled_extensions = configs
        .iter()
        .map(|c| &c.loaded.location)
        .filter(|l| crate::clients::is_gemini_extension(l))
        .filter(|l| {
            let name = json_value(&l.path).and_then(|v| v.get("name")?.as_str().map(str::to_owned));
            name.is_some_and(|n| !crate::loading::gemini_extension_enabled(&enablement, &n, &cwd_text))
        })
        .map(|l| l.path.clone())
        .collect();
    let insecure = configs
        .iter()
        .map(|c| &c.loaded.location)
        .filter(|l| l.client == Client::Gemini && l.scope == Scope::Managed && !root_only(&l.path))
        .map(|l| l.path.clone())
        .collect();
    let ctx = crate::loading::GeminiContext { trusted, excluded, allowed, switched_off, disabled_extensions, insecure };
    crate::loading::gemini(configs, &ctx);
}

/// Whether `p` and every folder above it belong to root and are writable by no one else, as
/// Gemini CLI requires of its system files (`isFileAndDirectorySecureSync`). Windows has no
/// such check.
fn root_only(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        p.ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .all(|a| std::fs::metadata(a).is_ok_and(|m| m.uid() == 0 && m.mode() & 0o022 == 0))
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        true
    }
}

/// The edge of [`crate::loading::claude_code`]: reads Claude Code's approvals for each folder it
/// would be started in (the project folder, and the folder of any `.mcp.json` found elsewhere by
/// `--scan`) and its managed policy.
fn claude_code_loading(s: &Settings, configs: &mut [ConfigReport], stable: Option<&Path>) {
    use crate::clients::Client;
    let claude = |c: &&ConfigReport| c.loaded.location.client == Client::ClaudeCode;
    if !configs.iter().any(|c| claude(&c)) {
        return;
    }
    let host = &s.host;
    // Approvals matter only for `.mcp.json` servers; without any, `~/.claude.json` (tens of MB)
    // is not read a second time.
    let any_project_server =
        configs.iter().filter(claude).any(|c| c.loaded.location.scope == Scope::Project && !c.servers.is_empty());
    let user_file = configs
        .iter()
        .filter(claude)
        .find(|c| c.loaded.location.servers_at == crate::clients::ServersAt::ClaudeCodeUser)
        .map(|c| c.loaded.location.path.clone())
        .filter(|_| any_project_server);
    let mut folders: Vec<std::path::PathBuf> = s.project_dirs.clone();
    for c in configs.iter().filter(claude) {
        let Some(dir) = c.loaded.location.path.parent() else { continue };
        let covered = folders.iter().any(|f| crate::clients::parents_below_root(host.os, f).iter().any(|p| p == dir));
        if c.loaded.location.scope == Scope::Project && !covered {
            folders.push(dir.to_path_buf());
        }
    }
    let settings = crate::clients::claude_code_settings(host);
    let policy = crate::claude_state::read_policy(host);
    let starts: Vec<_> = folders
        .iter()
        .map(|f| crate::claude_state::read_start(host, f, user_file.as_deref(), &settings, &policy))
        .collect();
    crate::loading::claude_code(host.os, configs, &starts, &policy, stable);
}

fn file_findings(s: &Settings, l: &load::Loaded) -> Vec<findings::Finding> {
    match &l.parsed {
        Err(LoadError::Unreadable(why)) => vec![findings::Finding {
            skew: None,
            code: findings::Code::ConfigUnreadable,
            severity: findings::Severity::Error,
            message: format!("{}: cannot read: {why}", s.host.tilde(&l.location.path)),
            hint: "check the path and its permissions".into(),
        }],
        Err(LoadError::Malformed(e)) => findings::file_findings(&s.host, &l.location, Err(e)),
        Ok(d) => findings::file_findings(&s.host, &l.location, Ok(d)),
    }
}

/// What the client-tools state says.
enum ManagedState {
    /// No `.config.json`: managed updates never ran here (or a release before 18.1.0 did).
    Absent,
    /// It exists and could not be read or understood: the message says which file and why.
    Unreadable(String),
    Read(Managed),
}

/// `.config.json` for the profile tsh would pick: `TELEPORT_PROXY` (what `--proxy` reads too)
/// before the `current-profile` file in `$TELEPORT_HOME` (`tool/tsh/common/tsh.go` `Run`,
/// `lib/autoupdate/tools/helper.go` `CheckAndUpdateLocal`). Looked for in each tools folder.
fn read_managed(s: &Settings) -> ManagedState {
    let host = &s.host;
    let Some((tools, file)) =
        host.tools_dirs().into_iter().map(|d| (d.clone(), d.join(".config.json"))).find(|(_, f)| f.exists())
    else {
        return ManagedState::Absent;
    };
    let cfg = match load::read_regular(&file) {
        Ok(b) => b,
        Err(e) => return ManagedState::Unreadable(format!("{}: cannot read: {e}", host.tilde(&file))),
    };
    let profile = match host.env.get("TELEPORT_PROXY") {
        Some(p) => Some(tsh::proxy_host(p)),
        None => load::read_regular(&host.teleport_home().join("current-profile"))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|p| p.trim().to_owned()),
    };
    let proxy = profile.as_deref().filter(|p| !p.is_empty());
    match tsh::managed_from_config(host.os, &tools, &cfg, proxy) {
        Some(m) => ManagedState::Read(m),
        None => ManagedState::Unreadable(format!("{}: not the JSON tsh writes there", host.tilde(&file))),
    }
}

/// What the file system says about a command path (following symlinks, as exec does).
pub fn file_state(p: &Path) -> FileState {
    let state = file_state_as_named(p);
    // On Windows the clients start `C:\T\tsh` as `C:\T\tsh.exe`: Node's spawn (libuv's path
    // search) tries the name as written, then with `.com` and `.exe` appended, and so does
    // Rust's Command for `.exe`. Such a command is not missing.
    #[cfg(windows)]
    if state == FileState::Missing {
        for ext in [".com", ".exe"] {
            let mut with = p.as_os_str().to_owned();
            with.push(ext);
            if let s @ (FileState::Executable | FileState::NotExecutable) = file_state_as_named(Path::new(&with)) {
                return s;
            }
        }
    }
    state
}

fn file_state_as_named(p: &Path) -> FileState {
    match std::fs::metadata(p) {
        Err(_) => FileState::Missing,
        Ok(m) if m.is_dir() => FileState::Directory,
        Ok(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if m.permissions().mode() & 0o111 == 0 {
                    return FileState::NotExecutable;
                }
            }
            let _ = m;
            FileState::Executable
        }
    }
}

/// Servers `names` selects (all when empty), by name or by label (`name (project /src/app)`
/// picks one project's entry in `~/.claude.json`).
pub fn selected(names: &[String], server: &crate::document::Server) -> bool {
    names.is_empty() || names.contains(&server.name) || names.contains(&server.label())
}

/// An error for the first of `names` (`--server`) that no server of `report` has: a typo must
/// not read as "nothing to change".
pub fn known_servers(names: &[String], report: &Report) -> anyhow::Result<()> {
    let servers = || report.configs.iter().flat_map(|c| c.servers.iter().map(|s| &s.server));
    match names.iter().find(|n| !servers().any(|s| selected(std::slice::from_ref(n), s))) {
        Some(n) => anyhow::bail!("--server {n}: no server of that name in the configs read (`mcpcfg list` shows them)"),
        None => Ok(()),
    }
}
