//! The I/O edge of `mcpcfg autofix`: writes the artefacts [`crate::autofix`] makes where each
//! service manager reads them, talks to systemctl, launchctl and schtasks, keeps the run log, and
//! runs fix-config for the trigger (`autofix run`).
//!
//! With `--home` (or `MCPCFG_HOME`) the service manager is never called: the files go under
//! that home, which this user's manager does not read, and a test must not enable anything of
//! the machine's. Enabling is then what `systemctl enable` itself does, a link in
//! `default.target.wants`, so that the unit starts at that user's next login.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::autofix::{self, NAME, Trigger};
use crate::cli::Format;
use crate::clients::Scope;
use crate::output;
use crate::platform::{Host, Os};
use crate::settings::Settings;

/// One file autofix owns.
struct Artefact {
    path: PathBuf,
    bytes: Vec<u8>,
}

fn systemd_dir(host: &Host) -> PathBuf {
    crate::platform::join(host.os, &host.app_data(), &["systemd", "user"])
}

/// `mcpcfg-autofix.<kind>` in the systemd user folder (`path` or `service`).
fn unit_file(host: &Host, kind: &str) -> PathBuf {
    crate::platform::join(host.os, &systemd_dir(host), &[&format!("{NAME}.{kind}")])
}

fn wants_link(host: &Host) -> PathBuf {
    crate::platform::join(host.os, &systemd_dir(host), &["default.target.wants", &format!("{NAME}.path")])
}

fn plist_path(host: &Host) -> PathBuf {
    host.home_join(&["Library", "LaunchAgents", &format!("{}.plist", autofix::LABEL)])
}

pub fn log_path(host: &Host) -> PathBuf {
    crate::platform::join(host.os, &host.state_dir(), &["autofix.log"])
}

fn old_log_path(host: &Host) -> PathBuf {
    crate::platform::join(host.os, &host.state_dir(), &["autofix.log.1"])
}

/// The files of this OS's trigger (none on Windows: the task lives in Task Scheduler).
fn artefacts(host: &Host, t: &Trigger) -> Vec<Artefact> {
    match host.os {
        Os::Linux => vec![
            Artefact { path: unit_file(host, "service"), bytes: autofix::systemd_service(t).into_bytes() },
            Artefact { path: unit_file(host, "path"), bytes: autofix::systemd_path(t).into_bytes() },
        ],
        Os::Macos => vec![Artefact { path: plist_path(host), bytes: autofix::launchd_plist(t).into_bytes() }],
        Os::Windows => vec![],
    }
}

/// What the trigger runs (this binary, by absolute path) and what it watches.
fn trigger(s: &Settings) -> anyhow::Result<Trigger> {
    let host = &s.host;
    let exe = std::env::current_exe().context("cannot tell where this mcpcfg binary is")?;
    let exe = dunce::canonicalize(&exe).unwrap_or(exe);
    let mut args = vec!["autofix".to_owned(), "run".to_owned()];
    if host.home_overridden {
        args.push("--home".into());
        args.push(host.home.to_string_lossy().into_owned());
    }
    let env = if host.os == Os::Windows {
        vec![]
    } else {
        autofix::KEPT_VARS
            .iter()
            .filter_map(|k| host.env.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
            .filter(|(_, v)| !v.contains(['\n', '\r']))
            .collect()
    };
    let mut watch = Vec::new();
    for d in host.tools_dirs() {
        watch.push(crate::platform::join(host.os, &d, &[".config.json"]));
        watch.push(d);
    }
    // The user-level configs there are now; `autofix enable` again adds a client installed later.
    for l in crate::load::locations(s, &[])? {
        if l.scope == Scope::User && l.path.exists() && !watch.contains(&l.path) {
            watch.push(l.path);
        }
    }
    Ok(Trigger { exe, args, env, watch })
}

/// Whether to talk to the service manager: on the OS it runs on, for this user's own home.
fn manage(host: &Host) -> bool {
    !host.home_overridden && host.os == Os::current()
}

/// A program run for the service manager, with what it said when it failed.
fn call(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {program}: is it installed and on PATH?"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed ({}): {}; what mcpcfg wrote is listed by `mcpcfg autofix status`, and `mcpcfg autofix disable` removes it",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// A systemd user manager answers for this user.
fn user_manager_runs() -> bool {
    Command::new("systemctl")
        .args(["--user", "show-environment"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
fn uid() -> u32 {
    rustix::process::getuid().as_raw()
}

#[cfg(not(unix))]
fn uid() -> u32 {
    0
}

/// Replaces `path` with `bytes` through a file beside it (our own file: no backup, no lock).
fn put(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("a file with no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Text for a person (each line cleaned of control characters), unless quiet or JSON.
fn say(s: &Settings, text: &str) -> anyhow::Result<()> {
    if !s.quiet && s.format == Format::Text {
        let mut out = output::stdout();
        for line in text.lines() {
            writeln!(out, "{}", output::clean(line))?;
        }
    }
    Ok(())
}

/// `mcpcfg autofix enable`.
pub fn enable(s: &Settings, dry_run: bool) -> anyhow::Result<u8> {
    let host = &s.host;
    if !dry_run && host.os != Os::current() {
        bail!("autofix for {} can only be enabled on {0}; --dry-run shows what it would write", host.os.id());
    }
    let t = trigger(s)?;
    let mut actions: Vec<serde_json::Value> = Vec::new();
    let mut changed = false;
    for a in artefacts(host, &t) {
        let same = std::fs::read(&a.path).is_ok_and(|b| b == a.bytes);
        let shown = host.tilde(&a.path);
        if dry_run {
            say(s, &format!("{} {shown}:", if same { "up to date:" } else { "would write" }))?;
            say(s, String::from_utf8_lossy(&a.bytes).trim_end())?;
        } else if same {
            say(s, &format!("up to date: {shown}"))?;
        } else {
            put(&a.path, &a.bytes)?;
            changed = true;
            say(s, &format!("wrote {shown}"))?;
        }
        actions.push(serde_json::json!({"path": a.path.to_string_lossy(), "changed": !same}));
    }
    let verb = if dry_run { "would run" } else { "ran" };
    match host.os {
        Os::Linux if manage(host) && (dry_run || user_manager_runs()) => {
            let steps: [&[&str]; 2] =
                [&["--user", "daemon-reload"], &["--user", "enable", "--now", &format!("{NAME}.path")]];
            for args in steps {
                if !dry_run {
                    call("systemctl", args)?;
                }
                say(s, &format!("{verb}: systemctl {}", args.join(" ")))?;
            }
        }
        Os::Linux => {
            // What `systemctl enable` does: the path unit is wanted by default.target, so it
            // starts at the next login of that user.
            let link = wants_link(host);
            let unit = unit_file(host, "path");
            let linked = std::fs::read_link(&link).is_ok_and(|l| l == unit);
            if !linked && !dry_run {
                let dir = link.parent().context("the wants link has no folder")?;
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                let _ = std::fs::remove_file(&link);
                symlink(&unit, &link)?;
                changed = true;
            }
            let why =
                if manage(host) { "no systemd user manager answers here" } else { "for the home given with --home" };
            say(
                s,
                &format!(
                    "{} {} -> {} ({why}: the watch starts at the next login{})",
                    if linked {
                        "up to date:"
                    } else if dry_run {
                        "would link"
                    } else {
                        "linked"
                    },
                    host.tilde(&link),
                    host.tilde(&unit),
                    if manage(host) { ", or now with `systemctl --user enable --now mcpcfg-autofix.path`" } else { "" }
                ),
            )?;
        }
        Os::Macos if manage(host) || dry_run => {
            let target = format!("gui/{}", uid());
            let plist = plist_path(host).to_string_lossy().into_owned();
            if !dry_run {
                // Loaded already (an older plist): out first, or bootstrap refuses.
                let _ = call("launchctl", &["bootout", &format!("{target}/{}", autofix::LABEL)]);
                call("launchctl", &["bootstrap", &target, &plist])?;
            }
            say(s, &format!("{verb}: launchctl bootstrap {target} {plist}"))?;
        }
        Os::Macos => say(s, "with --home, the LaunchAgent is written but not loaded")?,
        Os::Windows => {
            let user = match (host.env.get("USERDOMAIN"), host.env.get("USERNAME")) {
                (Some(d), Some(u)) => format!("{d}\\{u}"),
                (None, Some(u)) => u.to_owned(),
                _ => bail!("cannot tell the user the task is for: USERNAME is not set"),
            };
            let xml = autofix::windows_task(&t, &user);
            if dry_run {
                say(s, &format!("would run: schtasks /Create /TN {NAME} /XML <this file> /F, the file:"))?;
                say(s, xml.trim_end())?;
            } else if !manage(host) {
                bail!("with --home there is no Task Scheduler to create the task in; --dry-run shows it");
            } else {
                // schtasks reads the definition from a file: one of ours, removed at once.
                let file = crate::platform::join(host.os, &host.state_dir(), &[&format!("{NAME}.xml")]);
                put(&file, &autofix::utf16le(&xml))?;
                let file_arg = file.to_string_lossy().into_owned();
                let created = call("schtasks", &["/Create", "/TN", NAME, "/XML", &file_arg, "/F"]);
                let _ = std::fs::remove_file(&file);
                created?;
                changed = true;
                say(s, &format!("created the scheduled task {NAME}: at logon and every 30 minutes"))?;
            }
        }
    }
    if s.format == Format::Json {
        let doc = serde_json::json!({"schema": 1, "dry_run": dry_run, "changed": changed, "files": actions,
            "runs": t.exe.to_string_lossy(), "watch": t.watch.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>()});
        output::print_json(&doc)?;
    } else if !dry_run {
        say(s, &format!("autofix runs {} autofix run when any of {} paths changes", t.exe.display(), t.watch.len()))?;
    }
    Ok(0)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> anyhow::Result<()> {
    std::os::unix::fs::symlink(target, link).with_context(|| format!("cannot create {}", link.display()))
}

#[cfg(not(unix))]
fn symlink(_target: &Path, link: &Path) -> anyhow::Result<()> {
    bail!("cannot link {}: systemd units are for Linux", link.display())
}

/// Everything of autofix's that is on disk now: the artefacts, the wants link, the logs.
fn present(host: &Host) -> Vec<PathBuf> {
    let mut all = match host.os {
        Os::Linux => vec![unit_file(host, "service"), unit_file(host, "path"), wants_link(host)],
        Os::Macos => vec![plist_path(host)],
        Os::Windows => vec![],
    };
    all.extend([log_path(host), old_log_path(host)]);
    all.retain(|p| std::fs::symlink_metadata(p).is_ok());
    all
}

/// `mcpcfg autofix disable`: undoes exactly what enable did, and removes the run log.
pub fn disable(s: &Settings, dry_run: bool) -> anyhow::Result<u8> {
    let host = &s.host;
    if !dry_run && host.os != Os::current() {
        bail!("autofix for {} can only be disabled on {0}; --dry-run shows what it would remove", host.os.id());
    }
    let verb = if dry_run { "would run" } else { "ran" };
    let unit_there = present(host).iter().any(|p| p.extension().is_some_and(|e| e == "path" || e == "plist"));
    match host.os {
        Os::Linux if unit_there && manage(host) && (dry_run || user_manager_runs()) => {
            let args = ["--user", "disable", "--now", &format!("{NAME}.path")];
            if !dry_run {
                call("systemctl", &args)?;
            }
            say(s, &format!("{verb}: systemctl {}", args.join(" ")))?;
        }
        Os::Macos if unit_there && manage(host) => {
            let target = format!("gui/{}/{}", uid(), autofix::LABEL);
            if !dry_run {
                let _ = call("launchctl", &["bootout", &target]);
            }
            say(s, &format!("{verb}: launchctl bootout {target}"))?;
        }
        Os::Windows if manage(host) || dry_run => {
            let args = ["/Delete", "/TN", NAME, "/F"];
            let gone = dry_run || call("schtasks", &args).is_ok();
            if gone {
                say(s, &format!("{verb}: schtasks {}", args.join(" ")))?;
            }
        }
        _ => {}
    }
    let files = present(host);
    for p in &files {
        if !dry_run {
            std::fs::remove_file(p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
        say(s, &format!("{} {}", if dry_run { "would remove" } else { "removed" }, host.tilde(p)))?;
    }
    if host.os == Os::Linux && !dry_run {
        // The folders enable made, when nothing else is in them (remove_dir keeps a full one).
        let wants = wants_link(host);
        for dir in wants.ancestors().skip(1).take(3) {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
        if unit_there && manage(host) && user_manager_runs() {
            call("systemctl", &["--user", "daemon-reload"])?;
        }
    }
    if files.is_empty() && host.os != Os::Windows {
        say(s, "autofix is not enabled: nothing to remove")?;
    }
    if s.format == Format::Json {
        let doc = serde_json::json!({"schema": 1, "dry_run": dry_run,
            "removed": files.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>()});
        output::print_json(&doc)?;
    }
    Ok(0)
}

/// `mcpcfg autofix status`: what is installed, what it runs, when it last ran and what it did.
pub fn status(s: &Settings) -> anyhow::Result<u8> {
    let host = &s.host;
    let files: Vec<PathBuf> =
        present(host).into_iter().filter(|p| *p != log_path(host) && *p != old_log_path(host)).collect();
    let mut runs = None;
    let mut watched_paths = Vec::new();
    // The wants link leads to the path unit: read once.
    for p in files.iter().filter(|p| !std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())) {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        runs = runs.or_else(|| autofix::program_of(&text));
        watched_paths.extend(autofix::watched_of(&text));
    }
    let watched = watched_paths.len();
    // A client installed since enable has a config the trigger does not watch.
    let unwatched: Vec<String> = if watched == 0 {
        vec![]
    } else {
        trigger(s)?
            .watch
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| !watched_paths.contains(p))
            .collect()
    };
    let task = host.os == Os::Windows
        && manage(host)
        && Command::new("schtasks").args(["/Query", "/TN", NAME]).output().is_ok_and(|o| o.status.success());
    let enabled = task || files.iter().any(|p| p.extension().is_some_and(|e| e == "path" || e == "plist"));
    let last = std::fs::read_to_string(log_path(host))
        .ok()
        .and_then(|l| l.lines().last().map(str::to_owned))
        .filter(|l| !l.is_empty());
    let gone = runs.as_ref().filter(|r| !Path::new(r).exists());
    match s.format {
        Format::Json => {
            let doc = serde_json::json!({"schema": 1, "enabled": enabled,
                "files": files.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>(),
                "runs": runs, "watched_paths": watched, "unwatched": unwatched, "last_run": last,
                "log": log_path(host).to_string_lossy()});
            output::print_json(&doc)?;
        }
        Format::Text if s.quiet => {}
        Format::Text => {
            let mut out = output::stdout();
            writeln!(out, "autofix: {}", if enabled { "enabled" } else { "not enabled (mcpcfg autofix enable)" })?;
            for p in &files {
                writeln!(out, "  {}", output::clean(&host.tilde(p)))?;
            }
            if task {
                writeln!(out, "  scheduled task {NAME}: at logon and every 30 minutes")?;
            }
            if let Some(r) = &runs {
                writeln!(out, "  runs: {} autofix run, when any of {watched} paths changes", output::clean(r))?;
            }
            for p in &unwatched {
                writeln!(
                    out,
                    "  warning: {} is not watched (it came after enable): run `mcpcfg autofix enable` again",
                    output::clean(&host.tilde(Path::new(p)))
                )?;
            }
            if let Some(r) = gone {
                writeln!(
                    out,
                    "  warning: {} is gone: run `mcpcfg autofix enable` again with the mcpcfg you use now",
                    output::clean(r)
                )?;
            }
            match &last {
                Some(l) => writeln!(out, "  last run: {}", output::clean(l))?,
                None => writeln!(out, "  last run: never")?,
            }
            writeln!(out, "  log: {}", output::clean(&host.tilde(&log_path(host))))?;
        }
    }
    Ok(if gone.is_some() { 1 } else { 0 })
}

/// Appends `line` to the run log, moving a log past [`autofix::LOG_LIMIT`] to `autofix.log.1`.
pub fn append_log(host: &Host, line: &str) -> anyhow::Result<()> {
    let log = log_path(host);
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if std::fs::metadata(&log).is_ok_and(|m| m.len() > autofix::LOG_LIMIT) {
        std::fs::rename(&log, old_log_path(host)).with_context(|| format!("cannot rotate {}", log.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .with_context(|| format!("cannot write {}", log.display()))?;
    f.write_all(line.as_bytes()).with_context(|| format!("cannot write {}", log.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_moves_aside_past_its_limit_keeping_one_old_log() {
        let dir = tempfile::tempdir().unwrap();
        let host = crate::platform::test_host(Os::current(), &dir.path().to_string_lossy(), &[]);
        append_log(&host, "first\n").unwrap();
        append_log(&host, "second\n").unwrap();
        assert_eq!(std::fs::read_to_string(log_path(&host)).unwrap(), "first\nsecond\n");
        std::fs::write(log_path(&host), "x".repeat(autofix::LOG_LIMIT as usize + 1)).unwrap();
        append_log(&host, "third\n").unwrap();
        assert_eq!(std::fs::read_to_string(log_path(&host)).unwrap(), "third\n");
        assert_eq!(std::fs::metadata(old_log_path(&host)).unwrap().len(), autofix::LOG_LIMIT + 1);
        std::fs::write(log_path(&host), "y".repeat(autofix::LOG_LIMIT as usize + 1)).unwrap();
        append_log(&host, "fourth\n").unwrap();
        assert!(std::fs::read_to_string(old_log_path(&host)).unwrap().starts_with('y'), "one old log, the newest");
    }
}
