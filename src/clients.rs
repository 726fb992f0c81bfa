//! The client catalogue: which MCP clients exist, where each keeps its config on each platform,
//! where the servers sit inside the file, and which syntax the client itself accepts.
//!
//! Pure: every function here is a function of a [`Host`] (or a folder) and touches no file.
//! Expanding the per-profile folders is left to the caller, through [`Candidate::Profiles`].

use std::path::{Path, PathBuf};

use crate::platform::{Host, Os, join};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Client {
    ClaudeDesktop,
    Cursor,
    Vscode,
    ClaudeCode,
    Windsurf,
    Zed,
    Gemini,
    Codex,
    Cline,
    RooCode,
}

impl Client {
    pub fn id(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::Cursor => "cursor",
            Client::Vscode => "vscode",
            Client::ClaudeCode => "claude-code",
            Client::Windsurf => "windsurf",
            Client::Zed => "zed",
            Client::Gemini => "gemini",
            Client::Codex => "codex",
            Client::Cline => "cline",
            Client::RooCode => "roo-code",
        }
    }

    /// The name a person knows the client by, for "restart X" messages.
    pub fn display(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "Claude Desktop",
            Client::Cursor => "Cursor",
            Client::Vscode => "VS Code",
            Client::ClaudeCode => "Claude Code",
            Client::Windsurf => "Windsurf",
            Client::Zed => "Zed",
            Client::Gemini => "Gemini CLI",
            Client::Codex => "Codex",
            Client::Cline => "Cline",
            Client::RooCode => "Roo Code",
        }
    }

    /// A command-line client: started from a shell, it has that shell's `PATH` (a GUI client
    /// started from the desktop does not).
    pub fn in_terminal(self) -> bool {
        matches!(self, Client::ClaudeCode | Client::Gemini | Client::Codex)
    }

    /// What the client shows when the command it starts does not exist, in its own words (seen
    /// with the real clients; the others are Node.js programs, whose `spawn` says ENOENT).
    pub fn missing_command_words(self, cmd: &str) -> String {
        match self {
            Client::ClaudeCode => {
                format!(
                    "Claude Code shows \"✘ Failed to connect — ENOENT: no such file or directory, posix_spawn '{cmd}'\""
                )
            }
            Client::Codex => "Codex says \"MCP server startup failed … No such file or directory (os error 2)\"".into(),
            Client::Gemini => format!("Gemini CLI shows it Disconnected: \"spawn {cmd} ENOENT\""),
            other => format!("{} fails with \"spawn {cmd} ENOENT\"", other.display()),
        }
    }

    /// Where a file of this client keeps its servers when nothing more specific is known.
    fn default_layout(self, scope: Scope) -> (Syntax, ServersAt) {
        match (self, scope) {
            (Client::ClaudeDesktop, _) => (Syntax::Json, ServersAt::McpServers),
            (Client::Cursor, _) => (Syntax::Jsonc, ServersAt::McpServers),
            (Client::Vscode, _) => (Syntax::Jsonc, ServersAt::Servers),
            (Client::ClaudeCode, Scope::User) => (Syntax::Json, ServersAt::ClaudeCodeUser),
            (Client::ClaudeCode, Scope::Project | Scope::Managed) => (Syntax::Json, ServersAt::McpServers),
            (Client::Windsurf | Client::Gemini, _) => (Syntax::Jsonc, ServersAt::McpServers),
            (Client::Zed, _) => (Syntax::Jsonc, ServersAt::ZedContextServers),
            (Client::Codex, _) => (Syntax::Toml, ServersAt::CodexToml),
            // Both extensions read their files with JSON.parse: a comment breaks them.
            (Client::Cline | Client::RooCode, _) => (Syntax::Json, ServersAt::McpServers),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    User,
    Project,
    /// A system-wide file an administrator manages (Claude Code's `managed-mcp.json`): read,
    /// checked, never written.
    Managed,
}

impl Scope {
    pub fn id(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Managed => "managed",
            Scope::Project => "project",
        }
    }
}

/// The syntax the client itself accepts. mcpcfg reads every JSON file as JSONC, but a
/// strict-JSON client fails on comments, so such a file gets a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Jsonc,
    Toml,
}

impl Syntax {
    pub fn id(self) -> &'static str {
        match self {
            Syntax::Json => "json",
            Syntax::Jsonc => "jsonc",
            Syntax::Toml => "toml",
        }
    }
}

/// One step of a key path to a servers object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(&'static str),
    /// Every member of an object (Claude Code's `projects.<path>`).
    Any,
}

/// Where the servers sit inside a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServersAt {
    McpServers,
    Servers,
    /// VS Code's `settings.json` before 1.102: `mcp.servers`, nested or as a dotted key.
    VscodeSettings,
    /// `~/.claude.json`: top-level `mcpServers` and every `projects.<path>.mcpServers`.
    ClaudeCodeUser,
    /// Zed's `settings.json`: `context_servers`, where `command` is a string or, in the older
    /// shape, an object `{path, args, env}`.
    ZedContextServers,
    /// Codex's `config.toml`: `[mcp_servers.<name>]` tables. The only TOML layout.
    CodexToml,
}

impl ServersAt {
    pub fn paths(self) -> &'static [&'static [Seg]] {
        use Seg::*;
        match self {
            ServersAt::McpServers => &[&[Key("mcpServers")]],
            ServersAt::Servers => &[&[Key("servers")]],
            ServersAt::VscodeSettings => &[&[Key("mcp"), Key("servers")], &[Key("mcp.servers")]],
            ServersAt::ClaudeCodeUser => &[&[Key("mcpServers")], &[Key("projects"), Any, Key("mcpServers")]],
            ServersAt::ZedContextServers => &[&[Key("context_servers")]],
            ServersAt::CodexToml => &[&[Key("mcp_servers")]],
        }
    }

    /// The file is TOML rather than JSON/JSONC: it is read and its literals written as TOML.
    pub fn is_toml(self) -> bool {
        self == ServersAt::CodexToml
    }

    /// A server's `command` may be an object whose `path` is the command (Zed's older shape).
    pub fn allows_nested_command(self) -> bool {
        self == ServersAt::ZedContextServers
    }

    pub fn is_legacy(self) -> bool {
        self == ServersAt::VscodeSettings
    }
}

/// A config file a client may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub client: Client,
    pub scope: Scope,
    pub path: PathBuf,
    pub syntax: Syntax,
    pub servers_at: ServersAt,
}

impl Location {
    /// `client`'s config at `path` in `scope`, with that client's default layout there.
    pub fn new(client: Client, scope: Scope, path: PathBuf) -> Location {
        let (syntax, servers_at) = client.default_layout(scope);
        Location { client, scope, path, syntax, servers_at }
    }

    /// `client`'s project-level config at `path`, read with that client's project layout.
    pub fn project(client: Client, path: PathBuf) -> Location {
        Location::new(client, Scope::Project, path)
    }
}

/// A place to look: a file, or one file in each profile folder under a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Candidate {
    File(Location),
    /// `dir/<each subfolder>/<file_name>`, each read like `template`.
    Profiles {
        dir: PathBuf,
        file_name: &'static str,
        template: Location,
    },
    /// The first of these files that exists, and only that one: the client reads it instead
    /// of the others.
    FirstOf(Vec<Location>),
    /// Every `dir/<name><suffix>` with a non-empty name, each read like `template` (Codex's
    /// `$CODEX_HOME/<profile>.config.toml`).
    Suffixed {
        dir: PathBuf,
        suffix: &'static str,
        template: Location,
    },
}

const VSCODE_FAMILY: [&str; 3] = ["Code", "Code - Insiders", "VSCodium"];

/// Editors an extension such as Cline or Roo Code runs in: VS Code's family and its forks,
/// which all keep `A/<editor>/User/globalStorage/<extension id>/`.
const EXTENSION_HOSTS: [&str; 5] = ["Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"];

/// The extension id and settings file of the VS Code extensions that are MCP clients.
fn extension_settings(client: Client) -> Option<(&'static str, &'static str)> {
    match client {
        Client::Cline => Some(("saoudrizwan.claude-dev", "cline_mcp_settings.json")),
        Client::RooCode => Some(("rooveterinaryinc.roo-cline", "mcp_settings.json")),
        _ => None,
    }
}

/// Claude Code's state file: the legacy `.config.json` (read instead when it exists) and
/// `.claude.json`, in `$CLAUDE_CONFIG_DIR` when that is set (then `~/.claude.json` is not read),
/// else `~/.claude/.config.json` and `~/.claude.json`.
pub fn claude_code_user_files(host: &Host) -> [PathBuf; 2] {
    let os = host.os;
    match host.folder_var("CLAUDE_CONFIG_DIR") {
        Some(dir) => [join(os, Path::new(dir), &[".config.json"]), join(os, Path::new(dir), &[".claude.json"])],
        None => [host.home_join(&[".claude", ".config.json"]), host.home_join(&[".claude.json"])],
    }
}

/// Claude Code's user settings file (approvals of project servers, honoured without trust).
pub fn claude_code_settings(host: &Host) -> PathBuf {
    match host.folder_var("CLAUDE_CONFIG_DIR") {
        Some(dir) => join(host.os, Path::new(dir), &["settings.json"]),
        None => host.home_join(&[".claude", "settings.json"]),
    }
}

/// Codex's own folder: `$CODEX_HOME`, else `~/.codex` (`codex-rs/utils/home-dir`).
pub fn codex_home(host: &Host) -> PathBuf {
    match host.folder_var("CODEX_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => host.home_join(&[".codex"]),
    }
}

/// What a Codex profile file's name ends with: `codex --profile work` reads `work.config.toml`.
pub const CODEX_PROFILE_SUFFIX: &str = ".config.toml";

/// The profile a Codex file belongs to (`work` for `$CODEX_HOME/work.config.toml`); `None` for
/// every other file.
pub fn codex_profile(loc: &Location) -> Option<String> {
    if loc.client != Client::Codex || loc.scope != Scope::User {
        return None;
    }
    let name = loc.path.file_name()?.to_str()?;
    has_suffix(name, CODEX_PROFILE_SUFFIX).then(|| name[..name.len() - CODEX_PROFILE_SUFFIX.len()].to_owned())
}

/// The layers an administrator keeps for Codex, lowest first (`codex-rs/config/src/loader`):
/// the system `config.toml` under the user's, and on Unix `managed_config.toml` over everything.
/// Windows keeps the system file in `%ProgramData%\OpenAI\Codex` and has no managed one (0.171
/// ignores `CODEX_HOME\managed_config.toml` there, with a warning).
pub fn codex_system_files(host: &Host) -> Vec<PathBuf> {
    match host.os {
        Os::Windows => {
            let data = host.env.get("ProgramData").unwrap_or(r"C:\ProgramData");
            vec![host.system_path(&format!(r"{data}\OpenAI\Codex\config.toml"))]
        }
        _ => vec![host.system_path("/etc/codex/config.toml"), host.system_path("/etc/codex/managed_config.toml")],
    }
}

/// Every user-level config location of `clients` on `host`, in a stable order.
pub fn user_candidates(host: &Host, clients: &[Client]) -> Vec<Candidate> {
    let os = host.os;
    let a = host.app_data();
    let mut out = Vec::new();
    for &client in clients {
        let file = |path: PathBuf| Candidate::File(Location::new(client, Scope::User, path));
        match client {
            Client::ClaudeDesktop => {
                out.push(file(join(os, &a, &["Claude", "claude_desktop_config.json"])));
                if os == Os::Windows {
                    let msix = join(
                        os,
                        &host.local_app_data(),
                        &[
                            "Packages",
                            "Claude_pzs8sxrjxfjjc",
                            "LocalCache",
                            "Roaming",
                            "Claude",
                            "claude_desktop_config.json",
                        ],
                    );
                    out.push(file(msix));
                }
            }
            Client::Cursor => out.push(file(host.home_join(&[".cursor", "mcp.json"]))),
            Client::Vscode => {
                for editor in VSCODE_FAMILY {
                    let user = join(os, &a, &[editor, "User"]);
                    let profiles = join(os, &user, &["profiles"]);
                    let mcp = Location::new(client, Scope::User, join(os, &user, &["mcp.json"]));
                    let mut settings = Location::new(client, Scope::User, join(os, &user, &["settings.json"]));
                    settings.servers_at = ServersAt::VscodeSettings;
                    out.push(Candidate::File(mcp.clone()));
                    out.push(Candidate::Profiles { dir: profiles.clone(), file_name: "mcp.json", template: mcp });
                    out.push(Candidate::File(settings.clone()));
                    out.push(Candidate::Profiles { dir: profiles, file_name: "settings.json", template: settings });
                }
            }
            Client::ClaudeCode => {
                // The legacy `.config.json`, when it exists, is read (and written) instead.
                let [legacy, current] = claude_code_user_files(host);
                out.push(Candidate::FirstOf(vec![
                    Location::new(client, Scope::User, legacy),
                    Location::new(client, Scope::User, current),
                ]));
                // While it exists, the client loads only its servers (they are reported, never written).
                let managed =
                    host.system_path(&format!("{}{}managed-mcp.json", crate::claude_state::managed_dir(os), os.sep()));
                out.push(Candidate::File(Location::new(client, Scope::Managed, managed)));
            }
            Client::Windsurf => out.push(file(host.home_join(&[".codeium", "windsurf", "mcp_config.json"]))),
            Client::Zed => {
                // Zed uses ~/.config on macOS too, not ~/Library/Application Support.
                let path = match os {
                    Os::Macos => host.home_join(&[".config", "zed", "settings.json"]),
                    Os::Linux => join(os, &a, &["zed", "settings.json"]),
                    Os::Windows => join(os, &a, &["Zed", "settings.json"]),
                };
                out.push(file(path));
                if os == Os::Linux {
                    // The Flatpak build keeps its config inside its sandbox folder.
                    out.push(file(host.home_join(&[".var", "app", "dev.zed.Zed", "config", "zed", "settings.json"])));
                }
            }
            Client::Gemini => out.push(file(host.home_join(&[".gemini", "settings.json"]))),
            Client::Codex => {
                let home = codex_home(host);
                out.push(file(join(os, &home, &["config.toml"])));
                // `codex --profile NAME` reads `NAME.config.toml` over it (0.171).
                let template = Location::new(client, Scope::User, join(os, &home, &["profile.config.toml"]));
                out.push(Candidate::Suffixed { dir: home, suffix: CODEX_PROFILE_SUFFIX, template });
                for path in codex_system_files(host) {
                    out.push(Candidate::File(Location::new(client, Scope::Managed, path)));
                }
            }
            Client::Cline | Client::RooCode => {
                let Some((id, name)) = extension_settings(client) else { continue };
                for editor in EXTENSION_HOSTS {
                    out.push(file(join(os, &a, &[editor, "User", "globalStorage", id, "settings", name])));
                }
            }
        }
    }
    out
}

/// The project-level config of each client that has one, relative to the project folder.
pub const PROJECT_FILES: [(Client, &[&str]); 7] = [
    (Client::Cursor, &[".cursor", "mcp.json"]),
    (Client::Vscode, &[".vscode", "mcp.json"]),
    (Client::ClaudeCode, &[".mcp.json"]),
    (Client::Zed, &[".zed", "settings.json"]),
    (Client::Gemini, &[".gemini", "settings.json"]),
    (Client::Codex, &[".codex", "config.toml"]),
    (Client::RooCode, &[".roo", "mcp.json"]),
];

/// The project-level config locations of `clients` started in `dir`: the file in `dir`; for a
/// client that also reads its parents' (Claude Code's `.mcp.json`), the file in each parent
/// folder up to the root, nearest first; for Codex, the file in each folder from `dir` up to its
/// project root `codex_root` (the nearest folder above with a Git marker), nearest first.
pub fn project_locations(os: Os, dir: &Path, clients: &[Client], codex_root: Option<&Path>) -> Vec<Location> {
    let mut out = Vec::new();
    for &client in clients {
        let Some((_, rel)) = PROJECT_FILES.iter().find(|(c, _)| *c == client) else { continue };
        let dirs = match (client, codex_root) {
            // Claude Code looks in every folder above but the root itself (never `/.mcp.json`).
            (Client::ClaudeCode, _) => parents_below_root(os, dir),
            (Client::Codex, Some(root)) => {
                let all = ancestors(os, dir);
                match all.iter().position(|d| d == root) {
                    Some(at) => all[..=at].to_vec(),
                    None => vec![dir.to_path_buf()],
                }
            }
            _ => vec![dir.to_path_buf()],
        };
        out.extend(dirs.iter().map(|d| Location::project(client, join(os, d, rel))));
    }
    out
}

/// Whether `name` is a whole file name ending in `suffix` with something before it.
pub fn has_suffix(name: &str, suffix: &str) -> bool {
    name.len() > suffix.len() && name.ends_with(suffix)
}

/// `dir` and every folder above it but the root, nearest first (`dir` itself even when it is
/// the root).
pub fn parents_below_root(os: Os, dir: &Path) -> Vec<PathBuf> {
    let mut all = ancestors(os, dir);
    if all.len() > 1 {
        all.pop();
    }
    all
}

/// `dir` and every folder above it, nearest first, split as `os` splits paths.
pub fn ancestors(os: Os, dir: &Path) -> Vec<PathBuf> {
    let text = dir.to_string_lossy();
    let comps = os.components(&text);
    let (root, rest) = match (os, comps.first()) {
        (Os::Windows, Some(drive)) if drive.len() == 2 && drive.ends_with(':') => (format!("{drive}\\"), &comps[1..]),
        // A UNC path or a relative one: no parents worth reading.
        (Os::Windows, _) => return vec![dir.to_path_buf()],
        _ => ("/".to_owned(), &comps[..]),
    };
    let sep = os.sep().to_string();
    (0..=rest.len()).rev().map(|n| PathBuf::from(format!("{root}{}", rest[..n].join(&sep)))).collect()
}

/// The client, scope and layout of a file given by `--config`, from its path; `client` (from
/// `--client`) decides when the path alone does not tell.
pub fn infer(os: Os, home: &Path, path: &Path, client: Option<Client>) -> Option<Location> {
    let s = path.to_string_lossy();
    let comps = os.components(&s);
    let name = comps.last().map(String::as_str).unwrap_or("");
    let parent = comps.len().checked_sub(2).map(|i| comps[i].as_str()).unwrap_or("");
    let in_home = |dir_levels: usize| {
        let parent_dir: Vec<&String> = comps.iter().take(comps.len().saturating_sub(dir_levels)).collect();
        let home_c = os.components(&home.to_string_lossy());
        parent_dir.len() == home_c.len() && parent_dir.iter().zip(&home_c).all(|(a, b)| *a == b)
    };
    let scope_by_home = |levels| if in_home(levels) { Scope::User } else { Scope::Project };
    let at = |c: Client, scope: Scope| Some(Location::new(c, scope, path.into()));
    let guessed = match (name, parent) {
        ("claude_desktop_config.json", _) => at(Client::ClaudeDesktop, Scope::User),
        (".claude.json", _) | (".config.json", ".claude") => at(Client::ClaudeCode, Scope::User),
        ("managed-mcp.json", _) => at(Client::ClaudeCode, Scope::Managed),
        (".mcp.json", _) => at(Client::ClaudeCode, Scope::Project),
        ("mcp.json", ".cursor") => at(Client::Cursor, scope_by_home(2)),
        ("mcp.json", ".vscode") => at(Client::Vscode, Scope::Project),
        ("mcp.json", ".roo") => at(Client::RooCode, Scope::Project),
        ("mcp_config.json", "windsurf") => at(Client::Windsurf, Scope::User),
        ("settings.json", ".zed") => at(Client::Zed, Scope::Project),
        ("settings.json", p) if p.eq_ignore_ascii_case("zed") => at(Client::Zed, Scope::User),
        ("settings.json", ".gemini") => at(Client::Gemini, scope_by_home(2)),
        ("config.toml", ".codex") => at(Client::Codex, scope_by_home(2)),
        (n, ".codex") if has_suffix(n, CODEX_PROFILE_SUFFIX) => at(Client::Codex, scope_by_home(2)),
        ("managed_config.toml", _) => at(Client::Codex, Scope::Managed),
        ("config.toml", p) if p.eq_ignore_ascii_case("codex") => at(Client::Codex, Scope::Managed),
        ("cline_mcp_settings.json", _) => at(Client::Cline, Scope::User),
        ("mcp_settings.json", _) if comps.iter().any(|c| c.eq_ignore_ascii_case("rooveterinaryinc.roo-cline")) => {
            at(Client::RooCode, Scope::User)
        }
        ("mcp.json", _) if comps.iter().any(|c| c == "User") => at(Client::Vscode, Scope::User),
        ("settings.json", _) if comps.iter().any(|c| c == "User") => {
            let mut l = Location::new(Client::Vscode, Scope::User, path.into());
            l.servers_at = ServersAt::VscodeSettings;
            Some(l)
        }
        _ => None,
    };
    match (guessed, client) {
        (Some(g), Some(c)) if g.client == c => Some(g),
        (g, Some(c)) => {
            // A file the path shows to be a project's stays one (its commands are not run).
            let scope = g.map_or(Scope::User, |g| g.scope);
            let mut l = Location::new(c, scope, path.into());
            if c == Client::Vscode && name == "settings.json" {
                l.servers_at = ServersAt::VscodeSettings;
            }
            Some(l)
        }
        (g, None) => g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(os: Os, home: &str, env: &[(&str, &str)]) -> Host {
        crate::platform::test_host(os, home, env)
    }

    fn files(cands: &[Candidate]) -> Vec<String> {
        cands
            .iter()
            .map(|c| match c {
                Candidate::File(l) => l.path.to_string_lossy().into_owned(),
                Candidate::Profiles { dir, file_name, .. } => format!("{}/*/{file_name}", dir.to_string_lossy()),
                Candidate::Suffixed { dir, suffix, .. } => format!("{}/*{suffix}", dir.to_string_lossy()),
                Candidate::FirstOf(ls) => {
                    ls.iter().map(|l| l.path.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" | ")
                }
            })
            .collect()
    }

    #[test]
    fn claude_desktop_paths_per_platform() {
        let c = [Client::ClaudeDesktop];
        assert_eq!(
            files(&user_candidates(&host(Os::Macos, "/Users/me", &[]), &c)),
            ["/Users/me/Library/Application Support/Claude/claude_desktop_config.json"]
        );
        assert_eq!(
            files(&user_candidates(&host(Os::Linux, "/home/me", &[]), &c)),
            ["/home/me/.config/Claude/claude_desktop_config.json"]
        );
        assert_eq!(
            files(&user_candidates(&host(Os::Windows, r"C:\Users\me", &[]), &c)),
            [
                r"C:\Users\me\AppData\Roaming\Claude\claude_desktop_config.json",
                r"C:\Users\me\AppData\Local\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude\claude_desktop_config.json"
            ]
        );
    }

    #[test]
    fn windows_uses_appdata_and_localappdata() {
        let h = host(Os::Windows, r"C:\Users\me", &[("APPDATA", r"E:\roam"), ("LOCALAPPDATA", r"E:\local")]);
        assert_eq!(
            files(&user_candidates(&h, &[Client::ClaudeDesktop])),
            [
                r"E:\roam\Claude\claude_desktop_config.json",
                r"E:\local\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude\claude_desktop_config.json"
            ]
        );
    }

    #[test]
    fn cursor_paths_per_platform() {
        for (os, home, want) in [
            (Os::Macos, "/Users/me", "/Users/me/.cursor/mcp.json"),
            (Os::Linux, "/home/me", "/home/me/.cursor/mcp.json"),
            (Os::Windows, r"C:\Users\me", r"C:\Users\me\.cursor\mcp.json"),
        ] {
            assert_eq!(files(&user_candidates(&host(os, home, &[]), &[Client::Cursor])), [want]);
        }
    }

    #[test]
    fn vscode_paths_per_platform_cover_insiders_vscodium_profiles_and_legacy_settings() {
        for (os, home, a) in [
            (Os::Macos, "/Users/me", "/Users/me/Library/Application Support"),
            (Os::Linux, "/home/me", "/home/me/.config"),
            (Os::Windows, r"C:\Users\me", r"C:\Users\me\AppData\Roaming"),
        ] {
            let s = os.sep();
            let got = files(&user_candidates(&host(os, home, &[]), &[Client::Vscode]));
            let mut want = Vec::new();
            for ed in ["Code", "Code - Insiders", "VSCodium"] {
                want.push(format!("{a}{s}{ed}{s}User{s}mcp.json"));
                want.push(format!("{a}{s}{ed}{s}User{s}profiles/*/mcp.json"));
                want.push(format!("{a}{s}{ed}{s}User{s}settings.json"));
                want.push(format!("{a}{s}{ed}{s}User{s}profiles/*/settings.json"));
            }
            assert_eq!(got, want, "{os:?}");
        }
    }

    #[test]
    fn vscode_settings_use_the_legacy_layout() {
        let cands = user_candidates(&host(Os::Linux, "/home/me", &[]), &[Client::Vscode]);
        let layouts: Vec<ServersAt> = cands
            .iter()
            .map(|c| match c {
                Candidate::File(l)
                | Candidate::Profiles { template: l, .. }
                | Candidate::Suffixed { template: l, .. } => l.servers_at,
                Candidate::FirstOf(ls) => ls[0].servers_at,
            })
            .collect();
        assert_eq!(
            layouts[..4],
            [ServersAt::Servers, ServersAt::Servers, ServersAt::VscodeSettings, ServersAt::VscodeSettings]
        );
    }

    #[test]
    fn claude_code_paths_per_platform_and_config_dir() {
        for (os, home, want, managed) in [
            (
                Os::Macos,
                "/Users/me",
                "/Users/me/.claude/.config.json | /Users/me/.claude.json",
                "/Library/Application Support/ClaudeCode/managed-mcp.json",
            ),
            (
                Os::Linux,
                "/home/me",
                "/home/me/.claude/.config.json | /home/me/.claude.json",
                "/etc/claude-code/managed-mcp.json",
            ),
            (
                Os::Windows,
                r"C:\Users\me",
                r"C:\Users\me\.claude\.config.json | C:\Users\me\.claude.json",
                r"C:\Program Files\ClaudeCode\managed-mcp.json",
            ),
        ] {
            assert_eq!(files(&user_candidates(&host(os, home, &[]), &[Client::ClaudeCode])), [want, managed]);
        }
        let h = host(Os::Linux, "/home/me", &[("CLAUDE_CONFIG_DIR", "/cfg/claude")]);
        assert_eq!(
            files(&user_candidates(&h, &[Client::ClaudeCode]))[0],
            "/cfg/claude/.config.json | /cfg/claude/.claude.json"
        );
        let mut h = host(Os::Linux, "/home/me", &[]);
        h.system_root = Some("/sys-root".into());
        // As paths: a Windows build joins the system root with its own separator.
        let managed = &files(&user_candidates(&h, &[Client::ClaudeCode]))[1];
        assert_eq!(Path::new(managed), Path::new("/sys-root/etc/claude-code/managed-mcp.json"));
    }

    #[test]
    fn project_paths() {
        let all = [
            Client::ClaudeDesktop,
            Client::Cursor,
            Client::Vscode,
            Client::ClaudeCode,
            Client::Windsurf,
            Client::Cline,
        ];
        let got: Vec<_> = project_locations(Os::Linux, Path::new("/src/app"), &all, None)
            .into_iter()
            .map(|l| (l.client, l.path.to_string_lossy().into_owned(), l.syntax, l.servers_at))
            .collect();
        assert_eq!(
            got,
            [
                (Client::Cursor, "/src/app/.cursor/mcp.json".into(), Syntax::Jsonc, ServersAt::McpServers),
                (Client::Vscode, "/src/app/.vscode/mcp.json".into(), Syntax::Jsonc, ServersAt::Servers),
                (Client::ClaudeCode, "/src/app/.mcp.json".into(), Syntax::Json, ServersAt::McpServers),
                (Client::ClaudeCode, "/src/.mcp.json".into(), Syntax::Json, ServersAt::McpServers),
            ]
        );
        let win = project_locations(Os::Windows, Path::new(r"C:\src\app"), &[Client::Vscode], None);
        assert_eq!(win[0].path, PathBuf::from(r"C:\src\app\.vscode\mcp.json"));
    }

    /// Claude Code started in `repo/services/api` loads `repo/.mcp.json` too; mcpcfg read only
    /// the folder itself and left a stale parent file alone.
    #[test]
    fn claude_code_reads_mcp_json_of_every_parent_folder() {
        let paths = |os, dir: &str| -> Vec<String> {
            project_locations(os, Path::new(dir), &[Client::ClaudeCode, Client::Cursor], None)
                .into_iter()
                .map(|l| l.path.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            paths(Os::Linux, "/src/repo/api/"),
            ["/src/repo/api/.mcp.json", "/src/repo/.mcp.json", "/src/.mcp.json", "/src/repo/api/.cursor/mcp.json"]
        );
        assert_eq!(
            paths(Os::Windows, r"C:\src\api"),
            [r"C:\src\api\.mcp.json", r"C:\src\.mcp.json", r"C:\src\api\.cursor\mcp.json"]
        );
        assert_eq!(ancestors(Os::Linux, Path::new("/")), [PathBuf::from("/")]);
        assert_eq!(parents_below_root(Os::Linux, Path::new("/")), [PathBuf::from("/")]);
    }

    #[test]
    fn infer_client_from_path() {
        let home = Path::new("/home/me");
        let inf = |p: &str| infer(Os::Linux, home, Path::new(p), None).map(|l| (l.client, l.scope, l.servers_at));
        assert_eq!(
            inf("/x/claude_desktop_config.json"),
            Some((Client::ClaudeDesktop, Scope::User, ServersAt::McpServers))
        );
        assert_eq!(inf("/home/me/.claude.json"), Some((Client::ClaudeCode, Scope::User, ServersAt::ClaudeCodeUser)));
        assert_eq!(inf("/p/.mcp.json"), Some((Client::ClaudeCode, Scope::Project, ServersAt::McpServers)));
        assert_eq!(inf("/home/me/.cursor/mcp.json"), Some((Client::Cursor, Scope::User, ServersAt::McpServers)));
        assert_eq!(inf("/p/.cursor/mcp.json"), Some((Client::Cursor, Scope::Project, ServersAt::McpServers)));
        assert_eq!(inf("/p/.vscode/mcp.json"), Some((Client::Vscode, Scope::Project, ServersAt::Servers)));
        assert_eq!(inf("/home/me/.config/Code/User/mcp.json"), Some((Client::Vscode, Scope::User, ServersAt::Servers)));
        assert_eq!(
            inf("/home/me/.config/Code/User/settings.json"),
            Some((Client::Vscode, Scope::User, ServersAt::VscodeSettings))
        );
        let codex = ServersAt::CodexToml;
        assert_eq!(inf("/home/me/.codex/work.config.toml"), Some((Client::Codex, Scope::User, codex)));
        assert_eq!(inf("/etc/codex/config.toml"), Some((Client::Codex, Scope::Managed, codex)));
        assert_eq!(inf("/etc/codex/managed_config.toml"), Some((Client::Codex, Scope::Managed, codex)));
        assert_eq!(inf("/tmp/whatever.json"), None);
        let forced = infer(Os::Linux, home, Path::new("/tmp/whatever.json"), Some(Client::Cursor)).unwrap();
        assert_eq!((forced.client, forced.servers_at), (Client::Cursor, ServersAt::McpServers));
    }

    /// `--config repo/.mcp.json --client cursor` made the repository's file a user config, so
    /// the tsh it names was run without `--trust-project`.
    #[test]
    fn a_project_file_read_as_another_client_stays_a_project_file() {
        let home = Path::new("/home/me");
        for p in ["/src/repo/.mcp.json", "/src/repo/.vscode/mcp.json", "/src/repo/.cursor/mcp.json"] {
            for c in [Client::Cursor, Client::Vscode, Client::ClaudeCode] {
                let l = infer(Os::Linux, home, Path::new(p), Some(c)).unwrap();
                assert_eq!((l.client, l.scope), (c, Scope::Project), "{p} as {c:?}");
            }
        }
        let l = infer(Os::Linux, home, Path::new("/home/me/.cursor/mcp.json"), Some(Client::Vscode)).unwrap();
        assert_eq!(l.scope, Scope::User);
    }

    #[test]
    fn windsurf_paths_per_platform() {
        for (os, home, want) in [
            (Os::Macos, "/Users/me", "/Users/me/.codeium/windsurf/mcp_config.json"),
            (Os::Linux, "/home/me", "/home/me/.codeium/windsurf/mcp_config.json"),
            (Os::Windows, r"C:\Users\me", r"C:\Users\me\.codeium\windsurf\mcp_config.json"),
        ] {
            let cands = user_candidates(&host(os, home, &[]), &[Client::Windsurf]);
            assert_eq!(files(&cands), [want], "{os:?}");
            let Candidate::File(l) = &cands[0] else { panic!("a file") };
            assert_eq!((l.syntax, l.servers_at), (Syntax::Jsonc, ServersAt::McpServers));
        }
    }

    #[test]
    fn zed_paths_per_platform_use_dot_config_on_macos_and_xdg_on_linux() {
        for (os, home, env, want) in [
            (Os::Macos, "/Users/me", &[][..], "/Users/me/.config/zed/settings.json"),
            // macOS has no XDG folders for Zed: the variable is not consulted there.
            (Os::Macos, "/Users/me", &[("XDG_CONFIG_HOME", "/xdg")][..], "/Users/me/.config/zed/settings.json"),
            (Os::Linux, "/home/me", &[][..], "/home/me/.config/zed/settings.json"),
            (Os::Linux, "/home/me", &[("XDG_CONFIG_HOME", "/xdg")][..], "/xdg/zed/settings.json"),
            (Os::Windows, r"C:\Users\me", &[][..], r"C:\Users\me\AppData\Roaming\Zed\settings.json"),
            (Os::Windows, r"C:\Users\me", &[("APPDATA", r"E:\roam")][..], r"E:\roam\Zed\settings.json"),
        ] {
            let cands = user_candidates(&host(os, home, env), &[Client::Zed]);
            let mut expected = vec![want.to_owned()];
            if os == Os::Linux {
                expected.push("/home/me/.var/app/dev.zed.Zed/config/zed/settings.json".to_owned());
            }
            assert_eq!(files(&cands), expected, "{os:?} {env:?}");
            let Candidate::File(l) = &cands[0] else { panic!("a file") };
            assert_eq!((l.syntax, l.servers_at), (Syntax::Jsonc, ServersAt::ZedContextServers));
        }
    }

    #[test]
    fn gemini_paths_per_platform() {
        for (os, home, want) in [
            (Os::Macos, "/Users/me", "/Users/me/.gemini/settings.json"),
            (Os::Linux, "/home/me", "/home/me/.gemini/settings.json"),
            (Os::Windows, r"C:\Users\me", r"C:\Users\me\.gemini\settings.json"),
        ] {
            assert_eq!(files(&user_candidates(&host(os, home, &[]), &[Client::Gemini])), [want], "{os:?}");
        }
    }

    /// Codex 0.171 reads, lowest first, the system `config.toml`, the user's (and with
    /// `--profile NAME` its `NAME.config.toml`), and on Unix the administrator's
    /// `managed_config.toml` over all (`codex-rs/config/src/loader`; Windows: `%ProgramData%`).
    #[test]
    fn codex_paths_per_platform_and_codex_home() {
        for (os, home, want) in [
            (
                Os::Macos,
                "/Users/me",
                [
                    "/Users/me/.codex/config.toml",
                    "/Users/me/.codex/*.config.toml",
                    "/etc/codex/config.toml",
                    "/etc/codex/managed_config.toml",
                ]
                .as_slice(),
            ),
            (
                Os::Linux,
                "/home/me",
                &[
                    "/home/me/.codex/config.toml",
                    "/home/me/.codex/*.config.toml",
                    "/etc/codex/config.toml",
                    "/etc/codex/managed_config.toml",
                ],
            ),
            (
                Os::Windows,
                r"C:\Users\me",
                &[
                    r"C:\Users\me\.codex\config.toml",
                    r"C:\Users\me\.codex/*.config.toml",
                    r"C:\ProgramData\OpenAI\Codex\config.toml",
                ],
            ),
        ] {
            let cands = user_candidates(&host(os, home, &[]), &[Client::Codex]);
            assert_eq!(files(&cands), want, "{os:?}");
            let Candidate::File(l) = &cands[0] else { panic!("a file") };
            assert_eq!((l.syntax, l.servers_at, l.scope), (Syntax::Toml, ServersAt::CodexToml, Scope::User));
            let Candidate::File(l) = &cands[2] else { panic!("a file") };
            assert_eq!(l.scope, Scope::Managed, "never written");
        }
        let h = host(Os::Linux, "/home/me", &[("CODEX_HOME", "/cfg/codex")]);
        assert_eq!(
            files(&user_candidates(&h, &[Client::Codex]))[..2],
            ["/cfg/codex/config.toml", "/cfg/codex/*.config.toml"]
        );
        let h = host(Os::Windows, r"C:\Users\me", &[("CODEX_HOME", r"D:\codex"), ("ProgramData", r"E:\PD")]);
        let got = files(&user_candidates(&h, &[Client::Codex]));
        assert_eq!([got[0].as_str(), got[2].as_str()], [r"D:\codex\config.toml", r"E:\PD\OpenAI\Codex\config.toml"]);
        let profile = |p: &str| codex_profile(&Location::new(Client::Codex, Scope::User, p.into()));
        assert_eq!(profile("/h/.codex/work.config.toml").as_deref(), Some("work"));
        assert_eq!(profile("/h/.codex/config.toml"), None);
        assert_eq!(profile("/h/.codex/.config.toml"), None);
    }

    /// Codex takes `.codex/config.toml` from every folder between the working folder and its
    /// project root (seen with 0.171: `repo/sub` in a Git repository `repo` reads both).
    #[test]
    fn codex_project_layers_run_up_to_the_project_root() {
        let paths = |dir: &str, root: Option<&str>| -> Vec<String> {
            project_locations(Os::Linux, Path::new(dir), &[Client::Codex], root.map(Path::new))
                .into_iter()
                .map(|l| l.path.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            paths("/r/repo/sub", Some("/r/repo")),
            ["/r/repo/sub/.codex/config.toml", "/r/repo/.codex/config.toml"]
        );
        assert_eq!(paths("/r/repo/sub", None), ["/r/repo/sub/.codex/config.toml"]);
        assert_eq!(paths("/r/repo", Some("/r/repo")), ["/r/repo/.codex/config.toml"]);
    }

    #[test]
    fn cline_and_roo_code_paths_per_platform_cover_every_vscode_fork() {
        for (os, home, a) in [
            (Os::Macos, "/Users/me", "/Users/me/Library/Application Support"),
            (Os::Linux, "/home/me", "/home/me/.config"),
            (Os::Windows, r"C:\Users\me", r"C:\Users\me\AppData\Roaming"),
        ] {
            let s = os.sep();
            for (client, id, file) in [
                (Client::Cline, "saoudrizwan.claude-dev", "cline_mcp_settings.json"),
                (Client::RooCode, "rooveterinaryinc.roo-cline", "mcp_settings.json"),
            ] {
                let cands = user_candidates(&host(os, home, &[]), &[client]);
                let want: Vec<String> = ["Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"]
                    .iter()
                    .map(|ed| format!("{a}{s}{ed}{s}User{s}globalStorage{s}{id}{s}settings{s}{file}"))
                    .collect();
                assert_eq!(files(&cands), want, "{os:?} {client:?}");
                let Candidate::File(l) = &cands[0] else { panic!("a file") };
                assert_eq!((l.syntax, l.servers_at), (Syntax::Json, ServersAt::McpServers));
            }
        }
    }

    #[test]
    fn new_clients_project_paths_per_platform() {
        let new = [Client::Windsurf, Client::Zed, Client::Gemini, Client::Codex, Client::Cline, Client::RooCode];
        for (os, dir) in [(Os::Macos, "/Users/me/src/app"), (Os::Linux, "/src/app"), (Os::Windows, r"C:\src\app")] {
            let s = os.sep();
            let got: Vec<_> = project_locations(os, Path::new(dir), &new, None)
                .into_iter()
                .map(|l| (l.client, l.scope, l.path.to_string_lossy().into_owned(), l.syntax, l.servers_at))
                .collect();
            assert_eq!(
                got,
                [
                    (
                        Client::Zed,
                        Scope::Project,
                        format!("{dir}{s}.zed{s}settings.json"),
                        Syntax::Jsonc,
                        ServersAt::ZedContextServers
                    ),
                    (
                        Client::Gemini,
                        Scope::Project,
                        format!("{dir}{s}.gemini{s}settings.json"),
                        Syntax::Jsonc,
                        ServersAt::McpServers
                    ),
                    (
                        Client::Codex,
                        Scope::Project,
                        format!("{dir}{s}.codex{s}config.toml"),
                        Syntax::Toml,
                        ServersAt::CodexToml
                    ),
                    (
                        Client::RooCode,
                        Scope::Project,
                        format!("{dir}{s}.roo{s}mcp.json"),
                        Syntax::Json,
                        ServersAt::McpServers
                    ),
                ],
                "{os:?}"
            );
        }
    }

    #[test]
    fn infer_new_clients_from_path() {
        let home = Path::new("/home/me");
        let inf = |p: &str| infer(Os::Linux, home, Path::new(p), None).map(|l| (l.client, l.scope, l.servers_at));
        assert_eq!(
            inf("/home/me/.codeium/windsurf/mcp_config.json"),
            Some((Client::Windsurf, Scope::User, ServersAt::McpServers))
        );
        assert_eq!(
            inf("/home/me/.config/zed/settings.json"),
            Some((Client::Zed, Scope::User, ServersAt::ZedContextServers))
        );
        assert_eq!(inf("/p/.zed/settings.json"), Some((Client::Zed, Scope::Project, ServersAt::ZedContextServers)));
        assert_eq!(inf("/home/me/.gemini/settings.json"), Some((Client::Gemini, Scope::User, ServersAt::McpServers)));
        assert_eq!(inf("/p/.gemini/settings.json"), Some((Client::Gemini, Scope::Project, ServersAt::McpServers)));
        assert_eq!(inf("/home/me/.codex/config.toml"), Some((Client::Codex, Scope::User, ServersAt::CodexToml)));
        assert_eq!(inf("/p/.codex/config.toml"), Some((Client::Codex, Scope::Project, ServersAt::CodexToml)));
        assert_eq!(
            inf("/home/me/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"),
            Some((Client::Cline, Scope::User, ServersAt::McpServers))
        );
        assert_eq!(
            inf("/home/me/.config/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json"),
            Some((Client::RooCode, Scope::User, ServersAt::McpServers))
        );
        assert_eq!(inf("/p/.roo/mcp.json"), Some((Client::RooCode, Scope::Project, ServersAt::McpServers)));
        assert_eq!(inf("/tmp/config.toml"), None);
        let forced = infer(Os::Linux, home, Path::new("/tmp/x.toml"), Some(Client::Codex)).unwrap();
        assert_eq!((forced.syntax, forced.servers_at), (Syntax::Toml, ServersAt::CodexToml));
        let win = infer(
            Os::Windows,
            Path::new(r"C:\Users\me"),
            Path::new(r"C:\Users\me\AppData\Roaming\Zed\settings.json"),
            None,
        );
        assert_eq!(win.map(|l| l.client), Some(Client::Zed));
    }
}
