//! `doctor`'s guidance: each finding turned into numbered steps a person can follow without
//! knowing Teleport's internals, in the words of Teleport's troubleshooting page where they
//! apply. Pure: the facts (paths on this machine, versions, what the cluster said) come in.

use std::path::{Path, PathBuf};

use crate::clients::Client;
use crate::findings::{Code, Finding, Severity};
use crate::platform::Os;
use crate::tsh::fixed_version;

/// How the original tsh was installed, told from its path (and where its symlink leads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallKind {
    /// macOS `.pkg`: `/Applications/tsh.app`, usually linked from `/usr/local/bin/tsh`.
    MacPkg,
    /// The tsh bundled inside Teleport Connect.
    TeleportConnect,
    Homebrew,
    /// `/usr/local/bin/tsh` or `/usr/bin/tsh` on Linux: Teleport's deb and rpm packages and its
    /// tarball's `install` script all put tsh in `/usr/local/bin`, so only the package manager
    /// can tell which it was.
    LinuxPackage,
    /// A versioned agent install under `/opt/teleport`.
    AgentInstall,
    Windows,
    Unknown,
}

/// Tells the install kind from the path as found and its resolved target.
pub fn install_kind(os: Os, path: &Path, resolved: &Path) -> InstallKind {
    let p = path.to_string_lossy();
    let r = resolved.to_string_lossy();
    let any = |needle: &str| p.contains(needle) || r.contains(needle);
    if any("Teleport Connect.app") {
        return InstallKind::TeleportConnect;
    }
    if any("/Applications/tsh.app") {
        return InstallKind::MacPkg;
    }
    if any("/opt/homebrew/") || any("/Cellar/") || any("/home/linuxbrew/") {
        return InstallKind::Homebrew;
    }
    if any("/opt/teleport/") {
        return InstallKind::AgentInstall;
    }
    match os {
        Os::Windows => InstallKind::Windows,
        Os::Macos if p == "/usr/local/bin/tsh" => InstallKind::MacPkg,
        Os::Linux if ["/usr/bin/tsh", "/usr/local/bin/tsh"].iter().any(|x| p == *x || r == *x) => {
            InstallKind::LinuxPackage
        }
        _ => InstallKind::Unknown,
    }
}

/// The `…/tsh.app` folder `resolved` lies in, if any.
fn app_bundle(resolved: &Path) -> Option<PathBuf> {
    resolved.ancestors().find(|a| a.file_name().is_some_and(|n| n == "tsh.app")).map(Path::to_path_buf)
}

/// How to remove the install at `path` (whose symlinks lead to `resolved`).
pub fn removal_steps(kind: InstallKind, path: &Path, resolved: &Path) -> Vec<String> {
    let p = path.display();
    match kind {
        InstallKind::MacPkg => {
            // The tsh-only .pkg installs /Applications/tsh.app and links it; the full Teleport
            // .pkg puts tsh in /usr/local/bin itself. Homebrew's casks install those same .pkgs.
            let mut rm = match app_bundle(resolved) {
                Some(app) => shell_quote(&app),
                None => shell_quote(resolved),
            };
            if path != resolved {
                rm = format!("{rm} {}", shell_quote(path));
            }
            vec![
                "it was installed from a Teleport macOS .pkg; if Homebrew installed it (brew list --cask | grep -E 'tsh|teleport'), run: brew uninstall --cask tsh   (or teleport-suite)".into(),
                "otherwise remove it with:".into(),
                format!("  sudo rm -rf {rm}"),
                "  pkgutil --pkgs | grep -i gravitational   (then for each id it lists: sudo pkgutil --forget <id>)".into(),
            ]
        }
        InstallKind::TeleportConnect => vec![
            "it is the tsh bundled with Teleport Connect; update Teleport Connect (or remove /Applications/Teleport Connect.app and the links to its tsh)".into(),
        ],
        InstallKind::Homebrew => vec![
            "it was installed with Homebrew (not supported by Teleport); remove it with:".into(),
            "  brew uninstall teleport".into(),
        ],
        InstallKind::LinuxPackage => vec![
            format!("find out what installed it: dpkg -S {p}   (Debian, Ubuntu)   or: rpm -qf {p}   (RHEL, Fedora, SUSE)"),
            "if a package owns it (teleport, teleport-ent, teleport-fips, teleport-ent-fips), remove that package:".into(),
            "  sudo apt-get remove <package>   or: sudo dnf remove <package>   (or yum, zypper)".into(),
            format!("if none does, it came from the tarball's install script: sudo rm {p}"),
            "  (the same folder may hold tctl, tbot and teleport from that tarball)".into(),
        ],
        InstallKind::AgentInstall => vec![
            format!("it belongs to a Teleport agent install ({p}); update the agent with teleport-update, or remove the link to it"),
        ],
        InstallKind::Windows => vec![
            format!("remove {p}: uninstall Teleport from Settings > Apps, or delete the file"),
        ],
        InstallKind::Unknown => vec![format!("remove {p} the way it was installed")],
    }
}

/// `p` quoted for a POSIX shell when it needs it.
fn shell_quote(p: &Path) -> String {
    let s = p.to_string_lossy();
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c)) {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// How to install a current tsh on `os`.
pub fn install_steps(os: Os) -> Vec<String> {
    let v = fixed_version();
    match os {
        Os::Macos => vec![
            format!("install tsh {v} or later from https://goteleport.com/download/ (the tsh .pkg), e.g.:"),
            format!("  curl -O https://cdn.teleport.dev/tsh-{v}.pkg && sudo installer -pkg tsh-{v}.pkg -target /"),
        ],
        Os::Linux => vec![
            format!("install tsh {v} or later, e.g. with Teleport's install script:"),
            format!("  curl https://cdn.teleport.dev/install.sh | bash -s {v}"),
        ],
        Os::Windows => vec![format!(
            "install tsh {v} or later: download the Windows tsh from https://goteleport.com/download/ and put tsh.exe in C:\\Program Files\\Teleport"
        )],
    }
}

/// Facts about this machine that the steps name.
#[derive(Clone, Debug)]
pub struct Context {
    pub os: Os,
    /// What `which tsh` gives: the first tsh on PATH, stable or not.
    pub which_tsh: Option<PathBuf>,
    /// The stable tsh and where its symlinks lead.
    pub stable: Option<(PathBuf, PathBuf)>,
    /// The stable tsh's own version, when it was read.
    pub stable_version: Option<semver::Version>,
    /// Where the symlinks of other tsh binaries in configs lead.
    pub links: Vec<(PathBuf, PathBuf)>,
    pub proxy: Option<String>,
    pub user: Option<String>,
    /// A client-tools folder that is gone, or holds neither `.config.json` nor a managed copy:
    /// what `tsh update --clear` (or removing `~/.tsh`) leaves.
    pub cleared_tools_dir: Option<PathBuf>,
    /// Managed updates are on for the current profile (tsh re-executes a managed copy).
    pub managed: bool,
}

/// Whether the client-tools folder `dir` looks cleared: gone, or without `.config.json` and
/// without any `*-update-pkg` / `*-update-pkg-v2` copy. `tsh update --clear` removes exactly
/// those (and the top-level `tsh`/`tctl` and `.lock`) but keeps the folder
/// (`tool/tsh/common/autoupdate.go`, `CleanUp` in `lib/autoupdate/tools/utils.go`).
pub fn tools_dir_cleared(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return !dir.exists() };
    !entries.filter_map(|e| e.ok()).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name == ".config.json" || name.ends_with("-update-pkg") || name.ends_with("-update-pkg-v2")
    })
}

impl Context {
    /// Where `p`'s symlinks lead, as far as the edge found out.
    pub fn resolved(&self, p: &Path) -> PathBuf {
        self.stable
            .iter()
            .chain(&self.links)
            .find(|(from, _)| from == p)
            .map_or_else(|| p.to_path_buf(), |(_, to)| to.clone())
    }
}

/// "restart Cursor and VS Code", with Claude Desktop's "quit it fully".
fn restart_line(clients: &[Client]) -> Option<String> {
    let mut names: Vec<&str> = clients.iter().filter(|c| **c != Client::ClaudeDesktop).map(|c| c.display()).collect();
    names.dedup();
    let claude = clients.contains(&Client::ClaudeDesktop);
    let others = match names.as_slice() {
        [] => None,
        [one] => Some(format!("restart {one}")),
        [init @ .., last] => Some(format!("restart {} and {last}", init.join(", "))),
    };
    match (others, claude) {
        (None, false) => None,
        (None, true) => Some("quit Claude Desktop fully and start it again".into()),
        (Some(o), false) => Some(o),
        (Some(o), true) => Some(format!("{o}; quit Claude Desktop fully and start it again")),
    }
}

/// What doctor says about one finding, by when it is done: facts first, then what to do before
/// any repair, the repair itself, the restart, and checks after. [`plan`] merges the advice of
/// every finding into one list in that order, each step once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Advice {
    /// Facts that explain the problem (shown with it, not numbered as steps).
    pub why: Vec<String>,
    /// Steps before the repair: install, remove, ask, edit, log in. A step's continuation lines
    /// (a command to run) follow it in the same string, each after "\n  ".
    pub before: Vec<String>,
    /// The repair, when fix-config mends this.
    pub repair: Option<Repair>,
    /// Whether the clients must restart to pick the change up.
    pub restart: bool,
    /// Steps after all that: checks, optional clean-ups.
    pub after: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Whether to preview it first (a path repair: the user sees what changes).
    pub preview: bool,
    /// Whether it is in a project-level config, which fix-config leaves alone unless it is
    /// given `--include-project`.
    pub include_project: bool,
    /// Another way to get the same result, said when this is the only repair.
    pub instead: Option<String>,
}

impl Advice {
    /// This advice for a finding in a project-level config (`project`): its repair then needs
    /// `--include-project`, or fix-config would leave the file alone and say so.
    pub fn in_project(mut self, project: bool) -> Self {
        if let Some(r) = self.repair.as_mut() {
            r.include_project |= project;
        }
        self
    }

    /// The steps of this one finding, in order (doctor's JSON `steps`).
    pub fn steps(&self, clients: &[Client]) -> Vec<String> {
        let mut out: Vec<String> = self.why.clone();
        out.extend(self.before.iter().cloned());
        plan_repair(&mut out, self.repair.as_ref().map(|r| (r, clients)).into_iter(), true);
        if self.restart {
            out.extend(restart_line(clients));
        }
        out.extend(self.after.iter().cloned());
        // One line per entry, as before continuations were folded in.
        out.iter().flat_map(|s| s.split('\n').map(str::to_owned).collect::<Vec<_>>()).collect()
    }
}

/// The repair steps of `repairs` (advice and the clients of each), appended to `out`: preview,
/// quit Claude Desktop, run fix-config, each once.
fn plan_repair<'a>(out: &mut Vec<String>, repairs: impl Iterator<Item = (&'a Repair, &'a [Client])>, only_one: bool) {
    let repairs: Vec<(&Repair, &[Client])> = repairs.collect();
    if repairs.is_empty() {
        return;
    }
    // One run repairs them all: with `--include-project` when one is in a project-level config.
    let fix = crate::findings::fix_command(repairs.iter().any(|(r, _)| r.include_project));
    if repairs.iter().any(|(r, _)| r.preview) {
        out.push(format!("preview the change: {fix} --dry-run"));
    }
    if repairs.iter().any(|(r, c)| r.preview && c.contains(&Client::ClaudeDesktop)) {
        out.push("quit Claude Desktop first (it can rewrite its config while running)".into());
    }
    match repairs.as_slice() {
        [(Repair { instead: Some(alt), .. }, _)] if only_one => out.push(format!("run: {fix}   ({alt})")),
        _ => out.push(format!("run: {fix}")),
    }
}

/// One plan for every problem: all the steps before a repair (in the order of the problems,
/// each once), then one fix-config run, one restart of every client concerned, then the checks.
/// `items` holds each problem's advice and the clients whose configs it is about.
pub fn plan(items: &[(Advice, Vec<Client>)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push_once = |out: &mut Vec<String>, s: &String| {
        if !out.contains(s) {
            out.push(s.clone());
        }
    };
    for (a, _) in items {
        for s in &a.before {
            push_once(&mut out, s);
        }
    }
    let repairs = items.iter().filter_map(|(a, c)| a.repair.as_ref().map(|r| (r, c.as_slice())));
    plan_repair(&mut out, repairs, items.iter().filter(|(a, _)| a.repair.is_some()).count() == 1);
    let mut restart: Vec<Client> = items.iter().filter(|(a, _)| a.restart).flat_map(|(_, c)| c.clone()).collect();
    restart.sort();
    restart.dedup();
    if items.iter().any(|(a, _)| a.restart) {
        match restart_line(&restart) {
            Some(r) => out.push(r),
            None => out.push("restart your MCP clients so they reconnect".into()),
        }
    }
    for (a, _) in items {
        for s in &a.after {
            push_once(&mut out, s);
        }
    }
    out
}

/// Numbered steps for `f`, a finding of the configs of `clients` (empty for machine-wide findings),
/// `project` when one of them is a project-level config.
pub fn steps(f: &Finding, clients: &[Client], project: bool, ctx: &Context) -> Vec<String> {
    advice(f, clients, ctx).in_project(project).steps(clients)
}

/// What doctor says about `f`, a finding of the configs of `clients`.
pub fn advice(f: &Finding, clients: &[Client], ctx: &Context) -> Advice {
    let v = fixed_version();
    // `tsh mcp config --client-config` takes `claude` (Claude Desktop), `cursor` or a file's path
    // (`tool/tsh/common/mcp.go`); `vscode` and `claude-code` are no keywords there.
    let client_config = match clients {
        [Client::ClaudeDesktop] => "claude",
        [Client::Cursor] => "cursor",
        _ => "<the config file's path>",
    };
    let rerun = format!("or re-run `tsh mcp config --client-config={client_config} <app>` with the new tsh");
    let mut a = Advice::default();
    let stable_old = ctx.stable_version.as_ref().is_some_and(|sv| *sv < v);
    match f.code {
        Code::TshMissing
        | Code::TshNotExecutable
        | Code::TshManagedUpdatePath
        | Code::TshAgentUpdatePath
        | Code::TshRelative => {
            if let (Code::TshManagedUpdatePath, Severity::Error, Some(dir)) =
                (f.code, f.severity, &ctx.cleared_tools_dir)
            {
                a.why.push(format!(
                    "the managed-update folder {} {}: `tsh update --clear` (or removing ~/.tsh) deletes every managed copy at once, so every config that named one broke together; managed updates fetch a copy again at the next `tsh login`",
                    dir.display(),
                    if dir.exists() { "holds no managed copy and no .config.json" } else { "is gone" }
                ));
            }
            match &ctx.stable {
                // The stable tsh is itself too old: it is replaced first (the plan's steps for
                // the old tsh), and fix-config then points the config at the new one.
                Some((stable, _)) if stable_old => a.why.push(format!(
                    "mcpcfg fix-config points the config at the stable tsh, {}, which is too old: upgrade it first (below)",
                    stable.display()
                )),
                Some((stable, _)) => {
                    a.why.push(format!("mcpcfg fix-config points the config at the stable tsh: {}", stable.display()))
                }
                // fix-config has nothing to point it at until then.
                // Said as a fact, not as a step of its own: the install steps follow in the plan.
                None => {
                    a.why.push("first install tsh: there is none to point the config at (below)".into());
                    a.before.extend(install_steps(ctx.os));
                }
            }
            a.repair = Some(Repair { preview: true, include_project: false, instead: None });
            a.restart = true;
        }
        Code::TshNotFound => {
            a.before.extend(install_steps(ctx.os));
            a.before.push("check it: tsh version --client".into());
            a.repair = Some(Repair { preview: true, include_project: false, instead: Some(rerun) });
            a.restart = true;
        }
        Code::TshVersionSkew | Code::TshMcpUnsupported => {
            let (original_old, managed_old) =
                f.skew.as_ref().map_or((true, false), |s| (s.original_old, s.managed_old));
            if original_old {
                let original =
                    f.skew.as_ref().map(|s| s.runs.clone()).or_else(|| ctx.stable.as_ref().map(|s| s.0.clone()));
                // A good tsh is installed elsewhere: fix-config moves the configs to it.
                let newer = ctx
                    .stable
                    .as_ref()
                    .filter(|(p, _)| Some(p) != original.as_ref())
                    .zip(ctx.stable_version.as_ref().filter(|sv| **sv >= v));
                if let Some(o) = &original {
                    let first = if ctx.which_tsh.as_ref() == Some(o) { ", the first tsh on PATH" } else { "" };
                    a.why.push(if ctx.managed {
                        format!("the old tsh is {}{first}: the one managed updates re-execute from", o.display())
                    } else {
                        format!("the old tsh is {}{first}", o.display())
                    });
                }
                let resolved = original.as_ref().map(|p| (p.clone(), ctx.resolved(p)));
                if let Some((path, resolved)) = &resolved
                    && resolved != path
                {
                    a.why.push(format!("{} links to {}", path.display(), resolved.display()));
                }
                let removal =
                    resolved.map(|(p, r)| removal_steps(install_kind(ctx.os, &p, &r), &p, &r)).unwrap_or_default();
                match newer {
                    Some(((stable, _), sv)) => {
                        a.why.push(format!(
                            "a newer tsh is installed: {} ({sv}); mcpcfg fix-config points the configs at it",
                            stable.display()
                        ));
                        a.repair = Some(Repair { preview: true, include_project: false, instead: None });
                        if !removal.is_empty() {
                            a.after.push("then, if nothing else uses the old tsh, remove it:".into());
                            a.after.extend(removal.into_iter().map(|s| format!("  {s}")));
                        }
                    }
                    None => {
                        a.before.extend(removal);
                        a.before.extend(install_steps(ctx.os));
                        a.before.push(format!(
                            "check it: tsh version   (the first line{} must be {v} or later)",
                            if ctx.managed { " and \"Re-executed from version\"" } else { "" }
                        ));
                        a.repair =
                            Some(Repair { preview: false, include_project: false, instead: Some(rerun.clone()) });
                    }
                }
            }
            if managed_old {
                a.before.push(format!(
                    "ask your Teleport administrator to raise the client-tools version: tctl autoupdate client-tools target {v}   (or newer)"
                ));
                // `tctl autoupdate client-tools target` is "not supported on Teleport Cloud"
                // (`tool/tctl/common/autoupdate_command.go`): the Cloud team sets the version.
                a.before.push(
                    "on Teleport Cloud that command is not supported (the Cloud team manages the version): ask Teleport support, or have the administrator turn client-tools updates off with `tctl autoupdate client-tools disable`; meanwhile TELEPORT_TOOLS_VERSION=off in your environment runs your installed tsh".into(),
                );
                a.before.push("then run `tsh version` and check that the first line shows the new version".into());
                a.repair.get_or_insert(Repair { preview: false, include_project: false, instead: Some(rerun) });
            }
            a.restart = true;
        }
        Code::ConfigMalformed => {
            a.before.push("open the file at the line and column above and correct the syntax".into());
            a.after.push("run mcpcfg check again (mcpcfg never writes to a file it cannot read)".into());
        }
        Code::ConfigUnreadable => {
            a.before.push("check that the path is a file you can read (its permissions, its folder's)".into());
            a.after.push("run mcpcfg check again".into());
        }
        Code::ConfigNeedsJsonc => {
            a.before.push(
                "remove the comments and trailing commas: this client reads strict JSON and fails on them".into(),
            );
        }
        Code::DuplicateKey => {
            a.before.push("delete one of the duplicate keys (the client uses the last)".into());
            a.after.push("then run mcpcfg fix-config if a tsh path still needs repair".into());
        }
        Code::CommandMissing => a.before.push("install the command or correct its path in the config".into()),
        Code::VscodeLegacySettings => a
            .before
            .push("in VS Code run the command \"MCP: Migrate Settings\", or move the servers to mcp.json".into()),
        Code::ProjectCommandNotRun => {
            a.before.push("if you trust this repository: mcpcfg doctor --trust-project".into())
        }
        Code::ConfigHardLinked => {
            a.before.push("find the file's other names: find / -xdev -samefile <the file>".into());
            a.before.push("replace them with symlinks to it, or run mcpcfg fix-config --config on each".into());
        }
        Code::TshVersionUnknown => {
            a.before.push("run it yourself and read what it says: tsh version --client".into());
            a.before.push("if it hangs or fails, reinstall tsh:".into());
            a.before.extend(install_steps(ctx.os).into_iter().map(|s| format!("  {s}")));
        }
        Code::CommandInvalid => {
            a.before.push(format!(
                "open the file and write the command as a string: the absolute path of the program{}",
                ctx.stable
                    .as_ref()
                    .map(|(p, _)| format!(" (for a tsh server the stable tsh: {})", p.display()))
                    .unwrap_or_default()
            ));
        }
        Code::CommandNotExpanded => {
            a.before.push(format!(
                "check what the variable stands for where the client runs: it must name an absolute path of tsh; or replace the command with the stable tsh's absolute path{}",
                ctx.stable.as_ref().map(|(p, _)| format!(": {}", p.display())).unwrap_or_default()
            ));
        }
        Code::TshNotLoggedIn | Code::TshSessionExpired => {
            let proxy = ctx.proxy.as_deref().unwrap_or("<your proxy address>");
            a.before.push(format!("log in: tsh login --proxy={proxy}"));
            a.restart = true;
        }
        Code::ClusterUnreachable => {
            a.before.push("check your network or VPN, and that the proxy answers: tsh status".into());
        }
        Code::SessionUnknown => {
            a.before.push("run `tsh status` and read what it says: tsh failed in a way mcpcfg does not know".into());
        }
        Code::ConfigUnloadable => {
            a.before.push("remove the trailing commas, and save the file as UTF-8 without a byte order mark".into());
            a.after.push("then run mcpcfg check again: the client loads nothing from the file until then".into());
        }
        Code::ManagedConfigUnreadable => {
            a.before.push("look at the file named above: tsh rewrites it at the next `tsh login`".into());
            a.before.push("if it stays unreadable, remove every managed copy and the file with: tsh update --clear   (then log in again)".into());
        }
        Code::McpNoAllowedTools | Code::ServerNoTools => {
            let user = ctx.user.as_deref().unwrap_or("<user>");
            a.before.push(format!(
                "your Teleport roles allow no MCP tools on this server; ask your Teleport administrator for one of:\n  tctl users update {user} --set-mcp-tools \"*\"   (with the access preset role's {{{{internal.mcp_tools}}}})\n  the mcp-user preset role (all MCP servers and their tools)\n  a role that lists the tools under allow.mcp.tools"
            ));
            a.after.push("check it afterwards: tsh mcp ls   (the Allowed Tools column)".into());
        }
        Code::ServerStartFailed => {
            a.before
                .push("run the server's command yourself to see the error (its last stderr lines are above)".into());
            a.before.push("for tsh: check the session (tsh status) and that the app exists (tsh mcp ls)".into());
            a.before.push("if tsh exits at once, the Application Service may fail to run the server: its logs show exec.ExitError; check app.mcp.command, app.mcp.args and mcp.run_as_host_user".into());
        }
    }
    a.before = fold(std::mem::take(&mut a.before));
    a.after = fold(std::mem::take(&mut a.after));
    a
}

/// Lines indented by two spaces continue the step before them (a command to run): each is
/// folded into that step, so that a step and its commands stay together when steps merge.
fn fold(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in lines {
        match out.last_mut() {
            Some(prev) if l.starts_with("  ") => {
                prev.push_str("\n  ");
                prev.push_str(l.trim_start());
            }
            _ => out.push(l),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(code: Code, msg: &str, hint: &str) -> Finding {
        Finding { skew: None, code, severity: Severity::Error, message: msg.into(), hint: hint.into() }
    }

    fn skew(runs: &str, original_old: bool, managed_old: bool) -> Finding {
        let mut x = f(Code::TshVersionSkew, "", "");
        x.skew = Some(crate::findings::Skew {
            runs: runs.into(),
            original_old,
            managed_old,
            about: String::new(),
            users: vec![],
        });
        x
    }

    fn ctx(os: Os, stable: &str, resolved: &str) -> Context {
        Context {
            os,
            which_tsh: Some(stable.into()),
            stable: Some((stable.into(), resolved.into())),
            stable_version: None,
            links: vec![],
            proxy: Some("teleport.example.com:443".into()),
            user: Some("alice".into()),
            cleared_tools_dir: None,
            managed: false,
        }
    }

    /// `tsh update --clear` deletes every managed copy and `.config.json` at once (Teleport's
    /// `tool/tsh/common/autoupdate.go`): doctor named only "the updater" as the cause.
    #[test]
    fn a_cleared_tools_folder_is_named_as_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        assert!(tools_dir_cleared(dir.path()), "an empty folder");
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        assert!(tools_dir_cleared(dir.path()), "other files stay after --clear");
        std::fs::create_dir(dir.path().join("0a1b-update-pkg-v2")).unwrap();
        assert!(!tools_dir_cleared(dir.path()), "a managed copy");
        std::fs::remove_dir(dir.path().join("0a1b-update-pkg-v2")).unwrap();
        std::fs::write(dir.path().join(".config.json"), "{}").unwrap();
        assert!(!tools_dir_cleared(dir.path()), ".config.json");
        assert!(tools_dir_cleared(&dir.path().join("gone")), "a folder that is gone");

        let gone = f(Code::TshManagedUpdatePath, "deleted", "");
        let mut c = ctx(Os::Linux, "/usr/local/bin/tsh", "/usr/local/bin/tsh");
        assert!(!steps(&gone, &[Client::Cursor], false, &c).iter().any(|s| s.contains("tsh update --clear")));
        c.cleared_tools_dir = Some("/home/me/.tsh/bin".into());
        let st = steps(&gone, &[Client::Cursor], false, &c);
        assert!(st[0].contains("/home/me/.tsh/bin is gone") && st[0].contains("tsh update --clear"), "{st:?}");
        let still_there = Finding { severity: Severity::Warning, ..gone };
        assert!(!steps(&still_there, &[Client::Cursor], false, &c)[0].contains("tsh update --clear"));
    }

    #[test]
    fn install_kinds_from_paths() {
        let k = |os, p: &str, r: &str| install_kind(os, Path::new(p), Path::new(r));
        assert_eq!(k(Os::Macos, "/usr/local/bin/tsh", "/Applications/tsh.app/Contents/MacOS/tsh"), InstallKind::MacPkg);
        assert_eq!(
            k(
                Os::Macos,
                "/usr/local/bin/tsh",
                "/Applications/Teleport Connect.app/Contents/MacOS/tsh.app/Contents/MacOS/tsh"
            ),
            InstallKind::TeleportConnect
        );
        assert_eq!(
            k(Os::Macos, "/opt/homebrew/bin/tsh", "/opt/homebrew/Cellar/teleport/18.1.0/bin/tsh"),
            InstallKind::Homebrew
        );
        assert_eq!(k(Os::Linux, "/usr/bin/tsh", "/usr/bin/tsh"), InstallKind::LinuxPackage);
        assert_eq!(k(Os::Linux, "/usr/local/bin/tsh", "/usr/local/bin/tsh"), InstallKind::LinuxPackage);
        assert_eq!(
            k(Os::Linux, "/usr/local/bin/tsh", "/opt/teleport/default/versions/v18.1.0/bin/tsh"),
            InstallKind::AgentInstall
        );
        assert_eq!(
            k(Os::Windows, r"C:\Program Files\Teleport\tsh.exe", r"C:\Program Files\Teleport\tsh.exe"),
            InstallKind::Windows
        );
        assert_eq!(k(Os::Linux, "/home/me/bin/tsh", "/home/me/bin/tsh"), InstallKind::Unknown);
    }

    #[test]
    fn old_original_names_the_file_to_remove_and_how() {
        let c = ctx(Os::Macos, "/usr/local/bin/tsh", "/Applications/tsh.app/Contents/MacOS/tsh");
        let s = steps(&skew("/usr/local/bin/tsh", true, false), &[Client::Cursor], false, &c);
        let text = s.join("\n");
        assert!(text.contains("the old tsh is /usr/local/bin/tsh, the first tsh on PATH"), "{text}");
        assert!(text.contains("sudo rm -rf /Applications/tsh.app /usr/local/bin/tsh"), "{text}");
        assert!(text.contains("mcpcfg fix-config"));
        assert!(text.contains("restart Cursor"));
        assert!(!text.contains("tctl autoupdate"));
    }

    #[test]
    fn old_managed_names_the_administrator_command() {
        let c = ctx(Os::Linux, "/usr/bin/tsh", "/usr/bin/tsh");
        let s = steps(&skew("/usr/bin/tsh", false, true), &[Client::ClaudeDesktop], false, &c);
        let text = s.join("\n");
        assert!(text.contains("tctl autoupdate client-tools target 18.2.3"), "{text}");
        assert!(!text.contains("apt-get remove"), "the original is fine: {text}");
        assert!(text.contains("quit Claude Desktop fully"));
    }

    /// `tctl autoupdate client-tools target` is not supported on Teleport Cloud, and
    /// `tsh mcp config` takes `--client-config=claude|cursor|<path>`: the steps said neither.
    #[test]
    fn old_managed_steps_fit_cloud_and_tsh_mcp_config_flags_that_exist() {
        let c = ctx(Os::Linux, "/usr/bin/tsh", "/usr/bin/tsh");
        let text = steps(&skew("/usr/bin/tsh", false, true), &[Client::ClaudeDesktop], false, &c).join("\n");
        assert!(text.contains("on Teleport Cloud that command is not supported"), "{text}");
        assert!(text.contains("tsh mcp config --client-config=claude <app>"), "{text}");
        let text = steps(&skew("/usr/bin/tsh", false, true), &[Client::Vscode], false, &c).join("\n");
        assert!(text.contains("--client-config=<the config file's path>"), "{text}");
    }

    #[test]
    fn session_steps_name_the_proxy() {
        let c = ctx(Os::Linux, "/usr/bin/tsh", "/usr/bin/tsh");
        let s = steps(&f(Code::TshSessionExpired, "", ""), &[], false, &c);
        assert_eq!(s[0], "log in: tsh login --proxy=teleport.example.com:443");
    }

    #[test]
    fn rbac_steps_name_the_user() {
        let c = ctx(Os::Linux, "/usr/bin/tsh", "/usr/bin/tsh");
        let text = steps(&f(Code::McpNoAllowedTools, "", ""), &[], false, &c).join("\n");
        assert!(text.contains("tctl users update alice --set-mcp-tools \"*\""), "{text}");
        assert!(text.contains("mcp-user"));
        assert!(text.contains("allow.mcp.tools"));
    }

    /// Teleport's deb and rpm packages install /usr/local/bin/tsh, which doctor took for a
    /// tarball (`sudo rm`, leaving the package manager's record); a full-suite macOS .pkg has no
    /// tsh.app, and its receipts' ids vary.
    #[test]
    fn removal_steps_ask_the_package_manager_and_fit_the_pkg() {
        let linux =
            removal_steps(InstallKind::LinuxPackage, Path::new("/usr/local/bin/tsh"), Path::new("/usr/local/bin/tsh"))
                .join("\n");
        assert!(
            linux.contains("dpkg -S /usr/local/bin/tsh") && linux.contains("rpm -qf /usr/local/bin/tsh"),
            "{linux}"
        );
        assert!(
            linux.contains("sudo apt-get remove <package>") && linux.contains("sudo rm /usr/local/bin/tsh"),
            "{linux}"
        );
        let mac = removal_steps(InstallKind::MacPkg, Path::new("/usr/local/bin/tsh"), Path::new("/usr/local/bin/tsh"))
            .join("\n");
        assert!(mac.contains("  sudo rm -rf /usr/local/bin/tsh\n"), "{mac}");
        assert!(!mac.contains("tsh.app "), "no tsh.app in a full-suite install: {mac}");
        assert!(
            mac.contains("pkgutil --pkgs | grep -i gravitational") && mac.contains("brew uninstall --cask"),
            "{mac}"
        );
    }

    /// A config on an old tsh while 18.3.0 sat on PATH: doctor named the new one as "the
    /// original" and said to install 18.2.3.
    #[test]
    fn old_tsh_in_a_config_with_a_newer_one_installed_says_to_point_at_it() {
        let mut c = ctx(Os::Linux, "/new/tsh", "/new/tsh");
        c.stable_version = Some(semver::Version::new(18, 3, 0));
        let text = steps(&skew("/old/tsh", true, false), &[Client::Cursor], false, &c).join("\n");
        assert!(text.contains("the old tsh is /old/tsh\n"), "{text}");
        assert!(text.contains("mcpcfg fix-config points the configs at it"), "{text}");
        assert!(
            text.find("run: mcpcfg fix-config") < text.find("remove it"),
            "removing the old one comes last: {text}"
        );
        assert!(text.contains("a newer tsh is installed: /new/tsh (18.3.0)"), "{text}");
        assert!(!text.contains("which tsh"), "{text}");
        assert!(!text.contains("install tsh"), "nothing to install: {text}");
    }

    /// One run repairs every config of the plan: with `--include-project` as soon as one of
    /// them is project-level (fix-config leaves those alone without it), and without it else.
    #[test]
    fn the_plans_one_run_includes_project_configs_when_one_is_among_them() {
        let c = ctx(Os::Linux, "/usr/local/bin/tsh", "/usr/local/bin/tsh");
        let gone = f(Code::TshManagedUpdatePath, "", "");
        let user = (advice(&gone, &[Client::Cursor], &c).in_project(false), vec![Client::Cursor]);
        let project = (advice(&gone, &[Client::ClaudeCode], &c).in_project(true), vec![Client::ClaudeCode]);
        let runs = |items: &[(Advice, Vec<Client>)]| -> Vec<String> {
            plan(items).into_iter().filter(|s| s.contains("mcpcfg fix-config")).collect()
        };
        assert_eq!(
            runs(std::slice::from_ref(&user)),
            ["preview the change: mcpcfg fix-config --dry-run", "run: mcpcfg fix-config"]
        );
        let both = runs(&[user, project]);
        assert_eq!(
            both,
            [
                "preview the change: mcpcfg fix-config --include-project --dry-run",
                "run: mcpcfg fix-config --include-project"
            ]
        );
    }

    /// The home of issue 14: two deleted or relative paths and tsh 18.2.0 on PATH with managed
    /// updates off. doctor said "find the original tsh (the "Re-executed from" one)" although
    /// nothing re-executes, and its steps pointed the configs at the old tsh, then removed it,
    /// then ran fix-config again.
    #[test]
    fn one_plan_in_order_each_step_once() {
        let mut c = ctx(Os::Linux, "/usr/local/bin/tsh", "/usr/local/bin/tsh");
        c.stable_version = Some(semver::Version::new(18, 2, 0));
        let gone = f(Code::TshManagedUpdatePath, "", "");
        let bare = f(Code::TshRelative, "", "");
        let old = skew("/usr/local/bin/tsh", true, false);
        let items: Vec<(Advice, Vec<Client>)> = vec![
            (advice(&gone, &[Client::ClaudeDesktop], &c), vec![Client::ClaudeDesktop]),
            (advice(&bare, &[Client::Vscode], &c), vec![Client::Vscode]),
            (
                advice(&old, &[Client::ClaudeDesktop, Client::Cursor, Client::Vscode], &c),
                vec![Client::ClaudeDesktop, Client::Cursor, Client::Vscode],
            ),
        ];
        let plan = plan(&items);
        let text = plan.join("\n");
        assert!(!text.contains("Re-executed from"), "managed updates are off: {text}");
        let at = |needle: &str| {
            let hits: Vec<usize> =
                plan.iter().enumerate().filter(|(_, s)| s.contains(needle)).map(|(i, _)| i).collect();
            assert_eq!(hits.len(), 1, "{needle:?} once in:\n{text}");
            hits[0]
        };
        let order = [
            at("dpkg -S /usr/local/bin/tsh"),
            at("install tsh 18.2.3 or later"),
            at("check it: tsh version"),
            at("mcpcfg fix-config --dry-run"),
            at("quit Claude Desktop first"),
            at("run: mcpcfg fix-config"),
            at("restart Cursor and VS Code; quit Claude Desktop fully"),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "out of order: {order:?}\n{text}");
        // Nothing else, but the package's two other removal steps.
        assert_eq!(plan.len(), order.len() + 2, "{text}");
        // The repairs say why they wait for the upgrade.
        assert!(items[0].0.why.iter().any(|w| w.contains("which is too old: upgrade it first")), "{:?}", items[0].0);
    }

    /// With managed updates on, the old tsh is the one they re-execute from, and its version
    /// line must be checked too.
    #[test]
    fn managed_updates_on_name_the_re_executed_from_tsh() {
        let mut c = ctx(Os::Linux, "/usr/local/bin/tsh", "/usr/local/bin/tsh");
        c.managed = true;
        let text = steps(&skew("/usr/local/bin/tsh", true, false), &[Client::Cursor], false, &c).join("\n");
        assert!(text.contains("the one managed updates re-execute from"), "{text}");
        assert!(text.contains("and \"Re-executed from version\" must be 18.2.3 or later"), "{text}");
    }

    #[test]
    fn restart_line_names_every_client_once() {
        assert_eq!(restart_line(&[]), None);
        assert_eq!(restart_line(&[Client::Cursor]).unwrap(), "restart Cursor");
        assert_eq!(
            restart_line(&[Client::Cursor, Client::Vscode, Client::ClaudeCode]).unwrap(),
            "restart Cursor, VS Code and Claude Code"
        );
        assert_eq!(
            restart_line(&[Client::ClaudeDesktop, Client::Cursor]).unwrap(),
            "restart Cursor; quit Claude Desktop fully and start it again"
        );
    }

    #[test]
    fn every_code_has_steps() {
        let c = ctx(Os::Windows, r"C:\Program Files\Teleport\tsh.exe", r"C:\Program Files\Teleport\tsh.exe");
        for code in [
            Code::TshMissing,
            Code::TshNotExecutable,
            Code::TshManagedUpdatePath,
            Code::TshAgentUpdatePath,
            Code::TshRelative,
            Code::TshVersionSkew,
            Code::TshMcpUnsupported,
            Code::TshNotFound,
            Code::ConfigMalformed,
            Code::ConfigUnreadable,
            Code::ConfigNeedsJsonc,
            Code::DuplicateKey,
            Code::CommandMissing,
            Code::VscodeLegacySettings,
            Code::ProjectCommandNotRun,
            Code::TshNotLoggedIn,
            Code::TshSessionExpired,
            Code::ClusterUnreachable,
            Code::SessionUnknown,
            Code::McpNoAllowedTools,
            Code::ServerStartFailed,
            Code::ServerNoTools,
            Code::CommandNotExpanded,
            Code::CommandInvalid,
            Code::TshVersionUnknown,
            Code::ConfigHardLinked,
            Code::ManagedConfigUnreadable,
            Code::ConfigUnloadable,
        ] {
            assert!(!steps(&f(code, "", ""), &[Client::Vscode], false, &c).is_empty(), "{code:?}");
        }
    }

    /// With no tsh on the machine the repair steps said "run: mcpcfg fix-config", which then
    /// had nothing to point the config at.
    #[test]
    fn repair_steps_without_a_tsh_say_to_install_one_first() {
        let mut c = ctx(Os::Linux, "/usr/bin/tsh", "/usr/bin/tsh");
        c.stable = None;
        let text = steps(&f(Code::TshMissing, "", ""), &[Client::Cursor], false, &c);
        assert!(text[0].starts_with("first install tsh"), "{text:?}");
    }
}
