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
    Opencode,
    CopilotCli,
    QwenCode,
    Kiro,
    AmazonQ,
    VisualStudio,
    LmStudio,
    Antigravity,
    Crush,
    KiloCode,
    Goose,
    Continue,
}

/// How a client's entry switches a server off, when it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    /// The entry cannot (or the client keeps the switch elsewhere).
    None,
    /// `"disabled": true` (Cline, Roo Code, Kilo Code, Windsurf, Kiro, Amazon Q, Crush).
    DisabledTrue,
    /// `enabled = false` (Codex, OpenCode).
    EnabledFalse,
}

/// Which variables a client expands in a server's `command` ([`crate::vars`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vars {
    /// The text is started as it is.
    Literal,
    /// `${userHome}`, `${env:NAME}`, `${workspaceFolder}`, `${pathSeparator}` (VS Code, Cursor).
    Vscode,
    /// `${env:NAME}` (Windsurf).
    EnvColon,
    /// `${NAME}`, `${NAME:-default}` (Claude Code).
    Braces,
    /// `$NAME`, `${NAME}`, `${NAME:-default}`; an unset one stays as text (Gemini CLI, Qwen Code).
    Gemini,
    /// `~`, `$NAME`, `${NAME}`; an unset one fails the start (Amazon Q: `shellexpand::full`).
    ShellExpand,
    /// `{env:NAME}`, an unset one empty (OpenCode, on the file's text before it is parsed).
    OpencodeEnv,
    /// `${{ secrets.NAME }}`, `${{ inputs.NAME }}`: filled in by Continue from its own store,
    /// which mcpcfg cannot read.
    Mustache,
}

/// Where a client refuses a file over something valid JSONC allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refuses {
    Never,
    Always,
    /// In its project files only (Copilot CLI reads those with serde_json, its own with JSONC).
    InProject,
}

impl Refuses {
    pub fn at(self, scope: Scope) -> bool {
        match self {
            Refuses::Never => false,
            Refuses::Always => true,
            Refuses::InProject => scope == Scope::Project,
        }
    }
}

/// One row of the catalogue: what mcpcfg knows of a client besides where its files are.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Its name on the command line and in JSON.
    pub id: &'static str,
    /// The name a person knows it by, for "restart X" messages.
    pub display: &'static str,
    /// Started from a shell, it has that shell's `PATH` (a GUI client started from the desktop
    /// does not).
    pub in_terminal: bool,
    /// Syntax and servers of its user (and system) files, and of its project files.
    pub user: (Syntax, ServersAt),
    pub project: (Syntax, ServersAt),
    /// Valid JSONC it still refuses whole, loading nothing from the file (seen or read in its
    /// source): a UTF-8 BOM, trailing commas.
    pub refuses_bom: Refuses,
    pub refuses_trailing_commas: bool,
    pub switch: Switch,
    pub vars: Vars,
}

impl Client {
    /// The catalogue. Each fact is from the client's own documentation or source, or seen with
    /// its real CLI (the interop suite); README "Clients" lists the sources.
    pub const fn spec(self) -> Spec {
        use ServersAt as At;
        use Syntax::*;
        const fn row(id: &'static str, display: &'static str, syntax: Syntax, at: ServersAt) -> Spec {
            Spec {
                id,
                display,
                in_terminal: false,
                user: (syntax, at),
                project: (syntax, at),
                refuses_bom: Refuses::Never,
                refuses_trailing_commas: false,
                switch: Switch::None,
                vars: Vars::Literal,
            }
        }
        match self {
            Client::ClaudeDesktop => row("claude-desktop", "Claude Desktop", Json, At::McpServers),
            Client::Cursor => Spec { vars: Vars::Vscode, ..row("cursor", "Cursor", Jsonc, At::McpServers) },
            Client::Vscode => Spec { vars: Vars::Vscode, ..row("vscode", "VS Code", Jsonc, At::Servers) },
            Client::ClaudeCode => Spec {
                in_terminal: true,
                user: (Json, At::ClaudeCodeUser),
                vars: Vars::Braces,
                ..row("claude-code", "Claude Code", Json, At::McpServers)
            },
            Client::Windsurf => Spec {
                switch: Switch::DisabledTrue,
                vars: Vars::EnvColon,
                ..row("windsurf", "Windsurf", Jsonc, At::McpServers)
            },
            Client::Zed => row("zed", "Zed", Jsonc, At::ZedContextServers),
            // Gemini CLI 0.61 takes comments but refuses a BOM and trailing commas (seen).
            Client::Gemini => Spec {
                in_terminal: true,
                refuses_bom: Refuses::Always,
                refuses_trailing_commas: true,
                vars: Vars::Gemini,
                ..row("gemini", "Gemini CLI", Jsonc, At::McpServers)
            },
            Client::Codex => {
                Spec { in_terminal: true, switch: Switch::EnabledFalse, ..row("codex", "Codex", Toml, At::CodexToml) }
            }
            // Both extensions read their files with JSON.parse: a comment breaks them.
            Client::Cline => Spec { switch: Switch::DisabledTrue, ..row("cline", "Cline", Json, At::McpServers) },
            Client::RooCode => {
                Spec { switch: Switch::DisabledTrue, ..row("roo-code", "Roo Code", Json, At::McpServers) }
            }
            // `mcp.<name>`, `command` an array, JSONC with trailing commas (its config docs).
            Client::Opencode => Spec {
                in_terminal: true,
                switch: Switch::EnabledFalse,
                vars: Vars::OpencodeEnv,
                ..row("opencode", "OpenCode", Jsonc, At::OpencodeMcp)
            },
            // Copilot CLI 1.0 takes comments, trailing commas and a BOM in its user file, but
            // reads a project's `.mcp.json` strictly (serde_json: "Invalid JSON: trailing comma
            // at line 1 column 61", seen); switches live in its settings.json
            // (`disabledMcpServers`), not in the entry.
            Client::CopilotCli => Spec {
                in_terminal: true,
                project: (Json, At::McpServers),
                refuses_bom: Refuses::InProject,
                ..row("copilot-cli", "GitHub Copilot CLI", Jsonc, At::McpServers)
            },
            // A Gemini CLI fork: `JSON.parse(stripJsonComments(…))`.
            Client::QwenCode => Spec {
                in_terminal: true,
                refuses_bom: Refuses::Always,
                refuses_trailing_commas: true,
                vars: Vars::Gemini,
                ..row("qwen-code", "Qwen Code", Jsonc, At::McpServers)
            },
            Client::Kiro => Spec { switch: Switch::DisabledTrue, ..row("kiro", "Kiro", Jsonc, At::McpServers) },
            // `serde_json::from_slice`; the command goes through `shellexpand::full`.
            Client::AmazonQ => Spec {
                in_terminal: true,
                switch: Switch::DisabledTrue,
                vars: Vars::ShellExpand,
                ..row("amazon-q", "Amazon Q Developer", Json, At::McpServers)
            },
            Client::VisualStudio => row("visual-studio", "Visual Studio", Jsonc, At::Servers),
            Client::LmStudio => row("lm-studio", "LM Studio", Json, At::McpServers),
            Client::Antigravity => row("antigravity", "Antigravity", Json, At::McpServers),
            // Go's `encoding/json`: strict.
            Client::Crush => {
                Spec { in_terminal: true, switch: Switch::DisabledTrue, ..row("crush", "Crush", Json, At::CrushMcp) }
            }
            Client::KiloCode => {
                Spec { switch: Switch::DisabledTrue, ..row("kilo-code", "Kilo Code", Json, At::McpServers) }
            }
            // `serde_yaml`; an entry without `enabled` is skipped (`config/extensions.rs`).
            Client::Goose => Spec {
                in_terminal: true,
                switch: Switch::EnabledFalse,
                ..row("goose", "Goose", Yaml, At::GooseExtensions)
            },
            // npm `yaml` (`YAML.parse`); no per-server switch in its schema.
            Client::Continue => {
                Spec { vars: Vars::Mustache, ..row("continue", "Continue", Yaml, At::ContinueMcpServers) }
            }
        }
    }

    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// The name a person knows the client by, for "restart X" messages.
    pub fn display(self) -> &'static str {
        self.spec().display
    }

    /// A command-line client: started from a shell, it has that shell's `PATH` (a GUI client
    /// started from the desktop does not).
    pub fn in_terminal(self) -> bool {
        self.spec().in_terminal
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
        let spec = self.spec();
        if scope == Scope::Project { spec.project } else { spec.user }
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
    Yaml,
}

impl Syntax {
    pub fn id(self) -> &'static str {
        match self {
            Syntax::Json => "json",
            Syntax::Jsonc => "jsonc",
            Syntax::Toml => "toml",
            Syntax::Yaml => "yaml",
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
    /// OpenCode's `mcp.<name>`, where `command` is an array: the program, then its arguments.
    OpencodeMcp,
    /// Crush's `mcp.<name>`.
    CrushMcp,
    /// Goose's `config.yaml`: `extensions.<key>` with `cmd`, `args`, `envs`, `enabled`.
    GooseExtensions,
    /// Continue's YAML: `mcpServers`, a list of entries that carry their `name`.
    ContinueMcpServers,
    /// The Cline CLI's `cline_mcp_settings.json`: `mcpServers`, whose entries keep the command
    /// under `transport` (`{"transport": {"type": "stdio", "command", "args"}}`, as `cline mcp
    /// install` writes them) or, in the extension's older shape, at the top.
    ClineMcpServers,
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
            ServersAt::OpencodeMcp | ServersAt::CrushMcp => &[&[Key("mcp")]],
            ServersAt::GooseExtensions => &[&[Key("extensions")]],
            ServersAt::ContinueMcpServers | ServersAt::ClineMcpServers => &[&[Key("mcpServers")]],
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

    /// A server's command may sit in an object `transport` (the Cline CLI).
    pub fn allows_transport(self) -> bool {
        self == ServersAt::ClineMcpServers
    }

    /// The file is YAML: read with saphyr-parser, its command written as a double-quoted scalar.
    pub fn is_yaml(self) -> bool {
        matches!(self, ServersAt::GooseExtensions | ServersAt::ContinueMcpServers)
    }

    /// `command` is an array whose first element is the program (OpenCode).
    pub fn command_is_array(self) -> bool {
        self == ServersAt::OpencodeMcp
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
        let (syntax, servers_at) = if client == Client::KiloCode && is_kilo_cli_file(&path) {
            // Kilo Code's extension files are Cline's layout; its CLI's, OpenCode's.
            (Syntax::Jsonc, ServersAt::OpencodeMcp)
        } else {
            client.default_layout(scope)
        };
        Location { client, scope, path, syntax, servers_at }
    }

    /// How an entry of this file switches its server off: the client's way, except in a file
    /// of OpenCode's layout (Kilo CLI's `kilo.json`), which keeps OpenCode's `enabled`.
    pub fn switch(&self) -> Switch {
        if self.servers_at == ServersAt::OpencodeMcp { Switch::EnabledFalse } else { self.client.spec().switch }
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

/// OpenCode's user files, from the lowest to the highest (1.18.34: a name in several starts with
/// the command of the last).
pub const OPENCODE_USER_FILES: [&str; 3] = ["config.json", "opencode.json", "opencode.jsonc"];

/// OpenCode's files in a project folder, its `.opencode/` and its managed folder, from the
/// lowest to the highest.
pub const OPENCODE_FOLDER_FILES: [&str; 2] = ["opencode.json", "opencode.jsonc"];

/// Kilo CLI's user files in `~/.config/kilo`, from the lowest to the highest (7.7.9: a name in
/// several starts with the command of the last).
pub const KILO_USER_FILES: [&str; 5] = ["config.json", "kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc"];

/// Kilo CLI's files in each of its folders (`.kilocode/` and `.kilo/`, in a project or the home
/// folder, `$KILO_CONFIG_DIR` and the managed `/etc/kilo`), from the lowest to the highest:
/// each `.jsonc` below its `.json` there (7.7.9, seen with `kilo mcp list`).
pub const KILO_DIR_FILES: [&str; 4] = ["kilo.jsonc", "kilo.json", "opencode.jsonc", "opencode.json"];

/// Kilo CLI's files in a project folder, from the lowest to the highest: each `.json` below its
/// `.jsonc` there, and every `kilo.json[c]` from the Git root down below every `opencode.json[c]`
/// (7.7.9, seen with `kilo mcp list`).
pub const KILO_PROJECT_FILES: [&str; 4] = ["kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc"];

/// Kilo CLI's config folders in a project folder and in the home folder, the lower first.
pub const KILO_DIRS: [&str; 2] = [".kilocode", ".kilo"];

/// Whether a Kilo Code file is its CLI's (OpenCode's layout) rather than its extension's
/// (`mcp_settings.json`, `.kilocode/mcp.json`).
fn is_kilo_cli_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    KILO_USER_FILES.contains(&name)
}

/// The files `names` of an OpenCode-style managed folder, `app` under `/etc` (Linux),
/// `/Library/Application Support` (macOS) or `C:\ProgramData` (Windows): OpenCode's and Kilo
/// CLI's, where an administrator puts a config above every other layer.
fn managed_files<'a>(
    host: &'a Host,
    client: Client,
    app: &'a str,
    names: &'a [&str],
) -> impl Iterator<Item = Location> + 'a {
    let os = host.os;
    let system = match os {
        Os::Linux => "/etc",
        Os::Macos => "/Library/Application Support",
        Os::Windows => r"C:\ProgramData",
    };
    names.iter().map(move |name| {
        Location::new(client, Scope::Managed, host.system_path(&format!("{system}{s}{app}{s}{name}", s = os.sep())))
    })
}

/// The extension id and settings file of the VS Code extensions that are MCP clients.
fn extension_settings(client: Client) -> Option<(&'static str, &'static str)> {
    match client {
        Client::Cline => Some(("saoudrizwan.claude-dev", "cline_mcp_settings.json")),
        Client::RooCode => Some(("rooveterinaryinc.roo-cline", "mcp_settings.json")),
        Client::KiloCode => Some(("kilocode.kilo-code", "mcp_settings.json")),
        _ => None,
    }
}

/// The Cline CLI's MCP settings (3.x, `@cline/cli-<platform>` on npm, read off its 3.0.65
/// build): `$CLINE_MCP_SETTINGS_PATH`, else `<data>/settings/cline_mcp_settings.json`, the data
/// folder being `$CLINE_DATA_DIR`, else `<dir>/data`, and that folder `$CLINE_DIR`, else
/// `~/.cline`. Its entries keep the command under `transport` ([`ServersAt::ClineMcpServers`]).
fn cline_cli_settings(host: &Host) -> Location {
    let os = host.os;
    let path = match host.folder_var("CLINE_MCP_SETTINGS_PATH") {
        Some(p) => PathBuf::from(p),
        None => {
            let data = match host.folder_var("CLINE_DATA_DIR") {
                Some(d) => PathBuf::from(d),
                None => {
                    let dir = host.folder_var("CLINE_DIR").map(PathBuf::from);
                    join(os, &dir.unwrap_or_else(|| host.home_join(&[".cline"])), &["data"])
                }
            };
            join(os, &data, &["settings", "cline_mcp_settings.json"])
        }
    };
    let mut l = Location::new(Client::Cline, Scope::User, path);
    l.servers_at = ServersAt::ClineMcpServers;
    l
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

/// Gemini CLI's folder: `$GEMINI_CLI_HOME/.gemini`, else `~/.gemini` (core `homedir()` in
/// `utils/paths`: every user file moves with it, settings, trusted folders, extensions).
pub fn gemini_dir(host: &Host) -> PathBuf {
    match host.folder_var("GEMINI_CLI_HOME") {
        Some(h) => join(host.os, Path::new(h), &[".gemini"]),
        None => host.home_join(&[".gemini"]),
    }
}

/// The file an extension of Gemini CLI declares itself in.
pub const GEMINI_EXTENSION_FILE: &str = "gemini-extension.json";

/// Whether `loc` is a Gemini CLI extension's `gemini-extension.json`.
pub fn is_gemini_extension(loc: &Location) -> bool {
    loc.client == Client::Gemini && loc.path.file_name().is_some_and(|n| n == GEMINI_EXTENSION_FILE)
}

/// Gemini CLI's system settings and, beside them, its system defaults
/// (`cli/src/config/settings.ts`, `getSystemSettingsPath`, `getSystemDefaultsPath`):
/// `GEMINI_CLI_SYSTEM_SETTINGS_PATH` and `GEMINI_CLI_SYSTEM_DEFAULTS_PATH` move them.
pub fn gemini_system_files(host: &Host) -> [PathBuf; 2] {
    let system = match host.env.get("GEMINI_CLI_SYSTEM_SETTINGS_PATH") {
        Some(p) => PathBuf::from(p),
        None => host.system_path(match host.os {
            Os::Linux => "/etc/gemini-cli/settings.json",
            Os::Macos => "/Library/Application Support/GeminiCli/settings.json",
            Os::Windows => r"C:\ProgramData\gemini-cli\settings.json",
        }),
    };
    let defaults = match host.env.get("GEMINI_CLI_SYSTEM_DEFAULTS_PATH") {
        Some(p) => PathBuf::from(p),
        // Beside the system settings, split as the host's OS splits paths.
        None => {
            let text = system.to_string_lossy();
            let cut = if host.os == Os::Windows { text.rfind(['\\', '/']) } else { text.rfind('/') };
            PathBuf::from(format!("{}system-defaults.json", &text[..cut.map_or(0, |i| i + 1)]))
        }
    };
    [system, defaults]
}

/// Continue's block files in `dir` (`<dir>/*.yaml`, `*.yml`, `*.json`; `loadJsonMcpConfigs.ts`).
pub fn continue_blocks(os: Os, dir: &Path, scope: Scope) -> Vec<Candidate> {
    let block = |name: &str, syntax, at| {
        let mut l = Location::new(Client::Continue, scope, join(os, dir, &[name]));
        (l.syntax, l.servers_at) = (syntax, at);
        l
    };
    vec![
        Candidate::Suffixed {
            dir: dir.to_path_buf(),
            suffix: ".yaml",
            template: block("x.yaml", Syntax::Yaml, ServersAt::ContinueMcpServers),
        },
        Candidate::Suffixed {
            dir: dir.to_path_buf(),
            suffix: ".yml",
            template: block("x.yml", Syntax::Yaml, ServersAt::ContinueMcpServers),
        },
        Candidate::Suffixed {
            dir: dir.to_path_buf(),
            suffix: ".json",
            template: block("x.json", Syntax::Jsonc, ServersAt::McpServers),
        },
    ]
}

/// The agent files of Amazon Q Developer CLI and its successor Kiro CLI: each `<name>.json` in
/// `dir` is an agent, with its own `mcpServers` (`docs/agent-file-locations.md`, `agent-format.md`
/// of aws/amazon-q-developer-cli): `~/.aws/amazonq/cli-agents`, `.amazonq/cli-agents`;
/// `~/.kiro/agents`, `.kiro/agents`.
fn agent_files(client: Client, scope: Scope, dir: PathBuf) -> Candidate {
    // Both read an agent with serde_json: strict JSON.
    let template = Location { syntax: Syntax::Json, ..Location::new(client, scope, dir.join("agent.json")) };
    Candidate::Suffixed { dir, suffix: ".json", template }
}

/// The project folders of `clients` that hold one config file per name, each a [`Candidate`]
/// (Continue's `.continue/mcpServers`, the agent folders of Amazon Q and Kiro).
pub fn project_folders(os: Os, dir: &Path, clients: &[Client]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for &client in clients {
        match client {
            Client::Continue => {
                out.extend(continue_blocks(os, &join(os, dir, &[".continue", "mcpServers"]), Scope::Project))
            }
            Client::AmazonQ => {
                out.push(agent_files(client, Scope::Project, join(os, dir, &[".amazonq", "cli-agents"])))
            }
            Client::Kiro => out.push(agent_files(client, Scope::Project, join(os, dir, &[".kiro", "agents"]))),
            _ => {}
        }
    }
    out
}

/// The settings file that names the default agent (`chat.defaultAgent`) of Amazon Q Developer
/// CLI (`dirs::data_local_dir()/amazon-q/settings.json`, `util/directories.rs`) or Kiro CLI
/// (`~/.kiro/settings/cli.json`); `None` for other clients.
pub fn agent_settings(host: &Host, client: Client) -> Option<PathBuf> {
    let os = host.os;
    match client {
        Client::AmazonQ => {
            let data = match os {
                Os::Linux => host.xdg("XDG_DATA_HOME", &[".local", "share"]),
                Os::Macos => host.home_join(&["Library", "Application Support"]),
                Os::Windows => host.local_app_data(),
            };
            Some(join(os, &data, &["amazon-q", "settings.json"]))
        }
        Client::Kiro => Some(host.home_join(&[".kiro", "settings", "cli.json"])),
        _ => None,
    }
}

/// Whether `loc` is an agent file of Amazon Q or Kiro, whose servers start only in a session of
/// that agent (`--agent <name>`, or the one set as default).
pub fn is_agent_file(loc: &Location) -> bool {
    let parent = loc.path.parent().and_then(Path::file_name).and_then(|n| n.to_str());
    matches!((loc.client, parent), (Client::AmazonQ, Some("cli-agents")) | (Client::Kiro, Some("agents")))
}

/// The administrator's `requirements.toml` of Codex (`codex-rs/config/src/mcp_requirements.rs`):
/// `/etc/codex/requirements.toml`, `%ProgramData%\OpenAI\Codex\requirements.toml` on Windows.
pub fn codex_requirements_file(host: &Host) -> PathBuf {
    codex_system_file(host, "requirements.toml")
}

/// `name` in Codex's system folder: `/etc/codex`, `%ProgramData%\OpenAI\Codex` on Windows
/// (`codex-rs/config/src/loader`, `windows_codex_system_dir`).
fn codex_system_file(host: &Host, name: &str) -> PathBuf {
    match host.os {
        Os::Windows => {
            let data = host.env.get("ProgramData").unwrap_or(r"C:\ProgramData");
            host.system_path(&format!(r"{data}\OpenAI\Codex\{name}"))
        }
        _ => host.system_path(&format!("/etc/codex/{name}")),
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
    let mut files = vec![codex_system_file(host, "config.toml")];
    if host.os != Os::Windows {
        files.push(codex_system_file(host, "managed_config.toml"));
    }
    files
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
            Client::Gemini => {
                let dir = gemini_dir(host);
                out.push(file(join(os, &dir, &["settings.json"])));
                // Each extension's `gemini-extension.json`, read with `JSON.parse` (no comments).
                let mut ext = Location::new(client, Scope::User, join(os, &dir, &["extensions"]));
                ext.syntax = Syntax::Json;
                let extensions = join(os, &dir, &["extensions"]);
                out.push(Candidate::Profiles { dir: extensions, file_name: GEMINI_EXTENSION_FILE, template: ext });
                let [system, defaults] = gemini_system_files(host);
                out.push(Candidate::File(Location::new(client, Scope::Managed, system)));
                out.push(Candidate::File(Location::new(client, Scope::Managed, defaults)));
            }
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
            Client::Cline | Client::RooCode | Client::KiloCode => {
                let Some((id, name)) = extension_settings(client) else { continue };
                for editor in EXTENSION_HOSTS {
                    out.push(file(join(os, &a, &[editor, "User", "globalStorage", id, "settings", name])));
                }
                if client == Client::Cline {
                    out.push(Candidate::File(cline_cli_settings(host)));
                }
                if client == Client::KiloCode {
                    // Kilo CLI 7, an OpenCode fork, keeps OpenCode's layout in its own folder,
                    // and an administrator's files in a system folder (7.7.9, seen with
                    // `kilo mcp list`), each list from the lowest file to the highest.
                    let dir = kilo_cli_home(host);
                    for name in KILO_USER_FILES {
                        out.push(file(join(os, &dir, &[name])));
                    }
                    // Its config folders in the home folder too (`~/.kilocode/`, `~/.kilo/`),
                    // above every project file and project folder.
                    for folder in KILO_DIRS {
                        for name in KILO_DIR_FILES {
                            out.push(file(host.home_join(&[folder, name])));
                        }
                    }
                    // What its variables add: `$KILO_CONFIG`, a file of any name, and
                    // `$KILO_CONFIG_DIR`, one more such folder (above the home folder's).
                    let extra = ConfigEnv::kilo(host);
                    if let Some(f) = extra.config {
                        let mut l = Location::new(client, Scope::User, f);
                        (l.syntax, l.servers_at) = (Syntax::Jsonc, ServersAt::OpencodeMcp);
                        out.push(Candidate::File(l));
                    }
                    for name in extra.config_dir.iter().flat_map(|d| KILO_DIR_FILES.map(|n| join(os, d, &[n]))) {
                        out.push(file(name));
                    }
                    out.extend(managed_files(host, client, "kilo", &KILO_DIR_FILES).map(Candidate::File));
                }
            }
            Client::Opencode => {
                // `packages/opencode/src/config/paths.ts`: every one of these files is read.
                let dir = join(os, &host.xdg("XDG_CONFIG_HOME", &[".config"]), &["opencode"]);
                for name in OPENCODE_USER_FILES {
                    out.push(file(join(os, &dir, &[name])));
                }
                // And the home folder's `.opencode/`, as a project's but above them all.
                for name in OPENCODE_FOLDER_FILES {
                    out.push(file(host.home_join(&[".opencode", name])));
                }
                let extra = ConfigEnv::opencode(host);
                if let Some(f) = extra.config {
                    out.push(file(f));
                }
                if let Some(d) = &extra.config_dir {
                    out.extend(OPENCODE_FOLDER_FILES.map(|n| file(join(os, d, &[n]))));
                }
                out.extend(managed_files(host, client, "opencode", &OPENCODE_FOLDER_FILES).map(Candidate::File));
            }
            Client::CopilotCli => out.push(file(join(os, &copilot_home(host), &["mcp-config.json"]))),
            Client::QwenCode => {
                out.push(file(join(os, &qwen_home(host), &["settings.json"])));
                let system = match host.folder_var("QWEN_CODE_SYSTEM_SETTINGS_PATH") {
                    Some(p) => PathBuf::from(p),
                    None => host.system_path(match os {
                        Os::Linux => "/etc/qwen-code/settings.json",
                        Os::Macos => "/Library/Application Support/QwenCode/settings.json",
                        Os::Windows => r"C:\ProgramData\qwen-code\settings.json",
                    }),
                };
                out.push(Candidate::File(Location::new(client, Scope::Managed, system)));
            }
            Client::Kiro => {
                out.push(file(host.home_join(&[".kiro", "settings", "mcp.json"])));
                out.push(agent_files(client, Scope::User, host.home_join(&[".kiro", "agents"])));
            }
            Client::AmazonQ => {
                out.push(file(host.home_join(&[".aws", "amazonq", "mcp.json"])));
                out.push(agent_files(client, Scope::User, host.home_join(&[".aws", "amazonq", "cli-agents"])));
            }
            // Visual Studio is Windows-only; its user file is `%USERPROFILE%\.mcp.json`.
            Client::VisualStudio if os == Os::Windows => out.push(file(host.home_join(&[".mcp.json"]))),
            Client::VisualStudio => {}
            // Its home is `~/.lmstudio`, or `~/.cache/lm-studio` where that exists
            // (`lmstudio-js`, `findLMStudioHome`).
            Client::LmStudio => {
                out.push(file(host.home_join(&[".lmstudio", "mcp.json"])));
                out.push(file(host.home_join(&[".cache", "lm-studio", "mcp.json"])));
            }
            Client::Antigravity => out.push(file(host.home_join(&[".gemini", "antigravity", "mcp_config.json"]))),
            // Goose's docs and `config/paths.rs` (etcetera, app "Block/goose"); `GOOSE_PATH_ROOT`
            // moves it; the system file is merged under it (`config/base`).
            Client::Goose => {
                let user = match (host.folder_var("GOOSE_PATH_ROOT"), os) {
                    (Some(root), _) => join(os, Path::new(root), &["config", "config.yaml"]),
                    (None, Os::Windows) => join(os, &a, &["Block", "goose", "config", "config.yaml"]),
                    (None, _) => host.home_join(&[".config", "goose", "config.yaml"]),
                };
                out.push(file(user));
                let system = match os {
                    Os::Windows => r"C:\ProgramData\goose\config.yaml",
                    _ => "/etc/goose/config.yaml",
                };
                out.push(Candidate::File(Location::new(client, Scope::Managed, host.system_path(system))));
            }
            // `core/util/paths.ts`: `$CONTINUE_GLOBAL_DIR` or `~/.continue`; its `config.yaml`
            // and the blocks in `mcpServers/` (YAML, or JSON in Claude Desktop's shape).
            Client::Continue => {
                let dir = host
                    .folder_var("CONTINUE_GLOBAL_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| host.home_join(&[".continue"]));
                out.push(file(join(os, &dir, &["config.yaml"])));
                out.extend(continue_blocks(os, &join(os, &dir, &["mcpServers"]), Scope::User));
            }
            // `internal/config/load.go`: the system file, the config file, then the data file.
            Client::Crush => {
                let config = match host.folder_var("CRUSH_GLOBAL_CONFIG") {
                    Some(d) => PathBuf::from(d),
                    None => join(os, &host.xdg("XDG_CONFIG_HOME", &[".config"]), &["crush"]),
                };
                out.push(file(join(os, &config, &["crush.json"])));
                let data = match (host.folder_var("CRUSH_GLOBAL_DATA"), os) {
                    (Some(d), _) => PathBuf::from(d),
                    (None, Os::Windows) => join(os, &host.local_app_data(), &["crush"]),
                    (None, _) => join(os, &host.xdg("XDG_DATA_HOME", &[".local", "share"]), &["crush"]),
                };
                out.push(file(join(os, &data, &["crush.json"])));
                if os != Os::Windows {
                    let system = host.system_path("/etc/crush/crush.json");
                    out.push(Candidate::File(Location::new(client, Scope::Managed, system)));
                }
            }
        }
    }
    out
}

/// The project-level configs of each client that has them, relative to the project folder.
pub const PROJECT_FILES: &[(Client, &[&str])] = &[
    (Client::Cursor, &[".cursor", "mcp.json"]),
    (Client::Vscode, &[".vscode", "mcp.json"]),
    (Client::ClaudeCode, &[".mcp.json"]),
    (Client::Zed, &[".zed", "settings.json"]),
    (Client::Gemini, &[".gemini", "settings.json"]),
    (Client::Codex, &[".codex", "config.toml"]),
    (Client::RooCode, &[".roo", "mcp.json"]),
    (Client::Opencode, &["opencode.json"]),
    (Client::Opencode, &["opencode.jsonc"]),
    (Client::Opencode, &[".opencode", "opencode.json"]),
    (Client::Opencode, &[".opencode", "opencode.jsonc"]),
    (Client::QwenCode, &[".qwen", "settings.json"]),
    (Client::QwenCode, &[".mcp.json"]),
    (Client::CopilotCli, &[".mcp.json"]),
    (Client::CopilotCli, &[".github", "mcp.json"]),
    (Client::Kiro, &[".kiro", "settings", "mcp.json"]),
    (Client::AmazonQ, &[".amazonq", "mcp.json"]),
    (Client::VisualStudio, &[".vs", "mcp.json"]),
    (Client::Crush, &[".crush.json"]),
    (Client::Crush, &["crush.json"]),
    (Client::KiloCode, &[".kilocode", "mcp.json"]),
    // Kilo CLI reads that one too, and `.kilo/mcp.json` over it, in the working folder only, in
    // the extension's layout (7.7.9: its "legacy" MCP settings, below every other file).
    (Client::KiloCode, &[".kilo", "mcp.json"]),
    // Kilo CLI's (`opencode.json[c]` are OpenCode's too, read by Kilo as a guest): each folder
    // from the working folder up to the Git root, as OpenCode's.
    (Client::KiloCode, &["kilo.json"]),
    (Client::KiloCode, &["kilo.jsonc"]),
    (Client::KiloCode, &["opencode.json"]),
    (Client::KiloCode, &["opencode.jsonc"]),
    (Client::KiloCode, &[".kilocode", "kilo.jsonc"]),
    (Client::KiloCode, &[".kilocode", "kilo.json"]),
    (Client::KiloCode, &[".kilocode", "opencode.jsonc"]),
    (Client::KiloCode, &[".kilocode", "opencode.json"]),
    (Client::KiloCode, &[".kilo", "kilo.jsonc"]),
    (Client::KiloCode, &[".kilo", "kilo.json"]),
    (Client::KiloCode, &[".kilo", "opencode.jsonc"]),
    (Client::KiloCode, &[".kilo", "opencode.json"]),
];

/// The project roots above a folder, as each client finds its own: both are `None` when there is
/// none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roots {
    /// Codex's: the nearest folder with a `.git` file, or a `.git` folder holding `HEAD`.
    pub codex: Option<PathBuf>,
    /// Git's own: the nearest folder whose `.git` is a real repository (OpenCode asks Git).
    pub git: Option<PathBuf>,
}

/// The project-level config locations of `clients` started in `dir`, nearest first: the file in
/// `dir`; for Claude Code's `.mcp.json`, the file in each parent folder below the root; for
/// Codex and Crush, each folder up to the project root; for OpenCode and Kilo CLI, each folder up
/// to the Git root, or with none up to the root itself (seen with OpenCode 1.18 and Kilo CLI
/// 7.7.9); for Copilot CLI, each folder up to the Git root, or only `dir` outside a work tree
/// (seen with 1.0).
pub fn project_locations(os: Os, dir: &Path, clients: &[Client], roots: &Roots) -> Vec<Location> {
    let up_to = |root: &Path| {
        let all = ancestors(os, dir);
        match all.iter().position(|d| d == root) {
            Some(at) => all[..=at].to_vec(),
            None => vec![dir.to_path_buf()],
        }
    };
    let mut out = Vec::new();
    for &client in clients {
        for (_, rel) in PROJECT_FILES.iter().filter(|(c, _)| *c == client) {
            // Kilo Code's extension reads `.kilocode/mcp.json` in the workspace folder only.
            let kilo_cli = client == Client::KiloCode && rel.last().is_some_and(|n| is_kilo_cli_file(Path::new(n)));
            let dirs = match (client, &roots.codex, &roots.git) {
                // Claude Code looks in every folder above but the root itself (never `/.mcp.json`).
                (Client::ClaudeCode, _, _) => parents_below_root(os, dir),
                (Client::Codex | Client::Crush, Some(root), _) => up_to(root),
                (Client::Opencode | Client::CopilotCli, _, Some(root)) => up_to(root),
                (Client::KiloCode, _, Some(root)) if kilo_cli => up_to(root),
                (Client::Opencode, _, None) => ancestors(os, dir),
                (Client::KiloCode, _, None) if kilo_cli => ancestors(os, dir),
                _ => vec![dir.to_path_buf()],
            };
            out.extend(dirs.iter().map(|d| Location::project(client, join(os, d, rel))));
        }
    }
    out
}

/// Qwen Code's home folder: `$QWEN_HOME`, else `~/.qwen` (`Storage.getGlobalQwenDir`).
pub fn qwen_home(host: &Host) -> PathBuf {
    host.folder_var("QWEN_HOME").map(PathBuf::from).unwrap_or_else(|| host.home_join(&[".qwen"]))
}

/// The places OpenCode's and Kilo CLI's variables add, which a path alone cannot rank (OpenCode
/// 1.18.34 and Kilo CLI 7.7.9, seen with `mcp list`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigEnv {
    /// `$OPENCODE_CONFIG`, `$KILO_CONFIG`: a file of any name, above the user files and below
    /// the project's.
    pub config: Option<PathBuf>,
    /// `$OPENCODE_CONFIG_DIR`, `$KILO_CONFIG_DIR`: one more config folder, read besides the user
    /// folder (not instead of it), above every project file and folder.
    pub config_dir: Option<PathBuf>,
}

impl ConfigEnv {
    pub fn opencode(host: &Host) -> ConfigEnv {
        ConfigEnv {
            config: host.folder_var("OPENCODE_CONFIG").map(PathBuf::from),
            config_dir: host.folder_var("OPENCODE_CONFIG_DIR").map(PathBuf::from),
        }
    }

    pub fn kilo(host: &Host) -> ConfigEnv {
        ConfigEnv {
            config: host.folder_var("KILO_CONFIG").map(PathBuf::from),
            config_dir: host.folder_var("KILO_CONFIG_DIR").map(PathBuf::from),
        }
    }
}

/// Kilo CLI's user folder: `$XDG_CONFIG_HOME/kilo`, else `~/.config/kilo`.
pub fn kilo_cli_home(host: &Host) -> PathBuf {
    join(host.os, &host.xdg("XDG_CONFIG_HOME", &[".config"]), &["kilo"])
}

/// Copilot CLI's home folder: `$COPILOT_HOME`, else `~/.copilot`.
pub fn copilot_home(host: &Host) -> PathBuf {
    host.folder_var("COPILOT_HOME").map(PathBuf::from).unwrap_or_else(|| host.home_join(&[".copilot"]))
}

/// Whether `path` is `<project>/<rel>`: it ends with `rel`'s names (case-insensitively where the
/// OS is) and there is a project folder before them (a bare `.mcp.json` names no project).
pub fn is_project_file(os: Os, path: &Path, rel: &[&str]) -> bool {
    let comps = os.components(&path.to_string_lossy());
    let same = |a: &str, b: &str| if os.case_insensitive() { a.eq_ignore_ascii_case(b) } else { a == b };
    comps.len() > rel.len() && comps[comps.len() - rel.len()..].iter().zip(rel).all(|(c, r)| same(c, r))
}

/// The rows of [`PROJECT_FILES`] that name `path`, by index: only the most specific ones, so
/// that `.opencode/opencode.json` is OpenCode's `.opencode/` file and not a folder's
/// `opencode.json` (which Kilo CLI reads too), and `.kilo/opencode.json` is Kilo's alone.
pub fn project_rows(os: Os, path: &Path) -> Vec<usize> {
    let matching: Vec<usize> =
        (0..PROJECT_FILES.len()).filter(|&i| is_project_file(os, path, PROJECT_FILES[i].1)).collect();
    let longest = matching.iter().map(|&i| PROJECT_FILES[i].1.len()).max().unwrap_or(0);
    matching.into_iter().filter(|&i| PROJECT_FILES[i].1.len() == longest).collect()
}

/// Whether `l` is a project file that an earlier client of [`PROJECT_FILES`] reads too, as
/// Copilot CLI and Qwen Code read Claude Code's `.mcp.json`: a guest reading.
pub fn guest_reading(os: Os, l: &Location) -> bool {
    let Some(at) = project_rows(os, &l.path).into_iter().find(|&i| PROJECT_FILES[i].0 == l.client) else {
        return false;
    };
    let rel = PROJECT_FILES[at].1;
    PROJECT_FILES[..at].iter().any(|(c, r)| *c != l.client && *r == rel)
}

/// Whether `client` is used on this machine: the folder of its first user file is there
/// (`~/.copilot`, `~/.qwen`; for Kilo Code, whose guest readings are its CLI's, the CLI's
/// `~/.config/kilo`, which every run of it makes). A project file that another client owns
/// (`.mcp.json`, `opencode.json`) is read as this client's too only then, or when it is named
/// with `--client`.
pub fn in_use(host: &Host, client: Client) -> bool {
    if client == Client::KiloCode {
        return kilo_cli_home(host).is_dir();
    }
    let folder = match user_candidates(host, &[client]).into_iter().next() {
        Some(Candidate::File(l)) => l.path.parent().map(Path::to_path_buf),
        Some(Candidate::FirstOf(ls)) => ls.first().and_then(|l| l.path.parent().map(Path::to_path_buf)),
        Some(Candidate::Profiles { dir, .. } | Candidate::Suffixed { dir, .. }) => Some(dir),
        None => None,
    };
    folder.is_some_and(|d| d.is_dir())
}

/// The project folder of a project file that lies in it or in its `sub` folder: Qwen Code's
/// `<folder>/.mcp.json` and `<folder>/.qwen/settings.json` (`sub` = `.qwen`), Copilot CLI's
/// `<folder>/.mcp.json` and `<folder>/.github/mcp.json` (`.github`).
pub fn project_folder<'a>(path: &'a Path, sub: &str) -> Option<&'a Path> {
    let parent = path.parent()?;
    if parent.file_name().is_some_and(|n| n == sub) { parent.parent() } else { Some(parent) }
}

/// Whether `l`, a project file that exists, is read beside the others that exist (`found`):
/// Copilot CLI reads a folder's `.github/mcp.json` only when the folder has no `.mcp.json`
/// (seen with 1.0, even when that `.mcp.json` is malformed and skipped).
pub fn read_beside(found: &[Location], l: &Location) -> bool {
    let github = l.path.parent().filter(|d| d.file_name().is_some_and(|n| n == ".github"));
    match (l.client, github.and_then(Path::parent)) {
        (Client::CopilotCli, Some(folder)) => {
            !found.iter().any(|o| o.client == Client::CopilotCli && o.path == folder.join(".mcp.json"))
        }
        _ => true,
    }
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
    // `/`-separated paths split as they are, names that are not UTF-8 included.
    if os != Os::Windows && dir.has_root() {
        return dir.ancestors().map(Path::to_path_buf).collect();
    }
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
        ("settings.json" | "system-defaults.json", "gemini-cli" | "GeminiCli") => at(Client::Gemini, Scope::Managed),
        (GEMINI_EXTENSION_FILE, _) => {
            let mut l = Location::new(Client::Gemini, Scope::User, path.into());
            l.syntax = Syntax::Json;
            Some(l)
        }
        ("config.toml", ".codex") => at(Client::Codex, scope_by_home(2)),
        (n, ".codex") if has_suffix(n, CODEX_PROFILE_SUFFIX) => at(Client::Codex, scope_by_home(2)),
        ("managed_config.toml", _) => at(Client::Codex, Scope::Managed),
        ("config.toml", p) if p.eq_ignore_ascii_case("codex") => at(Client::Codex, Scope::Managed),
        ("cline_mcp_settings.json", _) => at(Client::Cline, Scope::User),
        ("mcp_settings.json", _) if comps.iter().any(|c| c.eq_ignore_ascii_case("kilocode.kilo-code")) => {
            at(Client::KiloCode, Scope::User)
        }
        ("mcp.json", ".kilocode" | ".kilo") => at(Client::KiloCode, Scope::Project),
        ("kilo.json" | "kilo.jsonc", p) => {
            let scope = match p {
                "kilo" => Scope::User,
                ".kilo" | ".kilocode" => scope_by_home(2),
                _ => Scope::Project,
            };
            let l = Location::new(Client::KiloCode, scope, path.into());
            Some(l)
        }
        ("opencode.json" | "opencode.jsonc", ".kilo" | ".kilocode") => at(Client::KiloCode, scope_by_home(2)),
        ("opencode.json" | "opencode.jsonc" | "config.json", "opencode") => at(Client::Opencode, Scope::User),
        ("opencode.json" | "opencode.jsonc", ".opencode") => at(Client::Opencode, scope_by_home(2)),
        ("opencode.json" | "opencode.jsonc", _) => at(Client::Opencode, Scope::Project),
        ("mcp-config.json", ".copilot") => at(Client::CopilotCli, Scope::User),
        ("settings.json", ".qwen") => at(Client::QwenCode, scope_by_home(2)),
        ("settings.json", "qwen-code" | "QwenCode") => at(Client::QwenCode, Scope::Managed),
        ("mcp.json", "settings") if comps.len() >= 3 && comps[comps.len() - 3] == ".kiro" => {
            at(Client::Kiro, scope_by_home(3))
        }
        (_, "cli-agents") if comps.len() >= 3 && comps[comps.len() - 3] == "amazonq" => {
            at(Client::AmazonQ, Scope::User)
        }
        (_, "cli-agents") if comps.len() >= 3 && comps[comps.len() - 3] == ".amazonq" => {
            at(Client::AmazonQ, Scope::Project)
        }
        (_, "agents") if comps.len() >= 3 && comps[comps.len() - 3] == ".kiro" => at(Client::Kiro, scope_by_home(3)),
        ("mcp.json", "amazonq") => at(Client::AmazonQ, Scope::User),
        ("mcp.json", ".amazonq") => at(Client::AmazonQ, Scope::Project),
        ("mcp.json", ".vs") => at(Client::VisualStudio, Scope::Project),
        ("mcp.json", ".lmstudio" | "lm-studio") => at(Client::LmStudio, Scope::User),
        ("mcp_config.json", "antigravity") => at(Client::Antigravity, Scope::User),
        ("crush.json", "crush") if comps.first().is_some_and(|c| c == "etc") => at(Client::Crush, Scope::Managed),
        ("crush.json", "crush") => at(Client::Crush, Scope::User),
        ("crush.json" | ".crush.json", _) => at(Client::Crush, Scope::Project),
        ("config.yaml", "goose") | ("config.yaml", "config") if comps.iter().any(|c| c == "goose") => {
            at(Client::Goose, Scope::User)
        }
        ("config.yaml", ".continue") => at(Client::Continue, Scope::User),
        (n, "mcpServers")
            if (n.ends_with(".yaml") || n.ends_with(".yml")) && comps.iter().any(|c| c == ".continue") =>
        {
            at(Client::Continue, scope_by_home(3))
        }
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

    /// The Cline CLI's own file comes after the extension's in every editor, with the CLI's
    /// variables, each over the next, as its 3.0.65 build reads them.
    #[test]
    fn cline_cli_settings_follow_its_variables() {
        let last = |env: &[(&str, &str)]| {
            let c = user_candidates(&host(Os::Linux, "/home/me", env), &[Client::Cline]);
            let Some(Candidate::File(l)) = c.last() else { panic!("{:?}", files(&c)) };
            assert_eq!(l.servers_at, ServersAt::ClineMcpServers);
            l.path.to_string_lossy().into_owned()
        };
        assert_eq!(last(&[]), "/home/me/.cline/data/settings/cline_mcp_settings.json");
        assert_eq!(last(&[("CLINE_DIR", "/c")]), "/c/data/settings/cline_mcp_settings.json");
        assert_eq!(last(&[("CLINE_DIR", "/c"), ("CLINE_DATA_DIR", "/d")]), "/d/settings/cline_mcp_settings.json");
        assert_eq!(last(&[("CLINE_DATA_DIR", "/d"), ("CLINE_MCP_SETTINGS_PATH", "/m.json")]), "/m.json");
        let windows = user_candidates(&host(Os::Windows, r"C:\Users\me", &[]), &[Client::Cline]);
        assert_eq!(files(&windows).last().unwrap(), r"C:\Users\me\.cline\data\settings\cline_mcp_settings.json");
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
        let got: Vec<_> = project_locations(Os::Linux, Path::new("/src/app"), &all, &Roots::default())
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
        let win = project_locations(Os::Windows, Path::new(r"C:\src\app"), &[Client::Vscode], &Roots::default());
        assert_eq!(win[0].path, PathBuf::from(r"C:\src\app\.vscode\mcp.json"));
    }

    /// Claude Code started in `repo/services/api` loads `repo/.mcp.json` too; mcpcfg read only
    /// the folder itself and left a stale parent file alone.
    #[test]
    fn claude_code_reads_mcp_json_of_every_parent_folder() {
        let paths = |os, dir: &str| -> Vec<String> {
            project_locations(os, Path::new(dir), &[Client::ClaudeCode, Client::Cursor], &Roots::default())
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
        let row = |p: &str| inf(p).map(|(c, s, _)| (c, s));
        for (p, want) in [
            ("/home/me/.config/opencode/opencode.json", (Client::Opencode, Scope::User)),
            ("/src/app/opencode.jsonc", (Client::Opencode, Scope::Project)),
            ("/src/app/.opencode/opencode.json", (Client::Opencode, Scope::Project)),
            ("/home/me/.opencode/opencode.jsonc", (Client::Opencode, Scope::User)),
            ("/home/me/.copilot/mcp-config.json", (Client::CopilotCli, Scope::User)),
            ("/home/me/.qwen/settings.json", (Client::QwenCode, Scope::User)),
            ("/src/app/.qwen/settings.json", (Client::QwenCode, Scope::Project)),
            ("/etc/qwen-code/settings.json", (Client::QwenCode, Scope::Managed)),
            ("/home/me/.kiro/settings/mcp.json", (Client::Kiro, Scope::User)),
            ("/src/app/.kiro/settings/mcp.json", (Client::Kiro, Scope::Project)),
            ("/home/me/.aws/amazonq/mcp.json", (Client::AmazonQ, Scope::User)),
            ("/home/me/.aws/amazonq/cli-agents/dev.json", (Client::AmazonQ, Scope::User)),
            ("/src/app/.amazonq/cli-agents/dev.json", (Client::AmazonQ, Scope::Project)),
            ("/home/me/.kiro/agents/ops.json", (Client::Kiro, Scope::User)),
            ("/src/app/.kiro/agents/ops.json", (Client::Kiro, Scope::Project)),
            ("/src/app/.amazonq/mcp.json", (Client::AmazonQ, Scope::Project)),
            ("/src/app/.vs/mcp.json", (Client::VisualStudio, Scope::Project)),
            ("/home/me/.lmstudio/mcp.json", (Client::LmStudio, Scope::User)),
            ("/home/me/.gemini/antigravity/mcp_config.json", (Client::Antigravity, Scope::User)),
            ("/home/me/.config/crush/crush.json", (Client::Crush, Scope::User)),
            ("/etc/crush/crush.json", (Client::Crush, Scope::Managed)),
            ("/src/app/.crush.json", (Client::Crush, Scope::Project)),
            ("/src/app/.kilocode/mcp.json", (Client::KiloCode, Scope::Project)),
            ("/home/me/.config/kilo/kilo.json", (Client::KiloCode, Scope::User)),
        ] {
            assert_eq!(row(p), Some(want), "{p}");
        }
        assert_eq!(inf("/home/me/.config/kilo/kilo.json").unwrap().2, ServersAt::OpencodeMcp);
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

    /// Gemini CLI 0.61: the user settings, every extension's `gemini-extension.json`, the system
    /// settings and the system defaults beside them; `GEMINI_CLI_HOME` moves the user files.
    #[test]
    fn gemini_paths_per_platform() {
        for (os, home, want) in [
            (
                Os::Macos,
                "/Users/me",
                [
                    "/Users/me/.gemini/settings.json",
                    "/Users/me/.gemini/extensions/*/gemini-extension.json",
                    "/Library/Application Support/GeminiCli/settings.json",
                    "/Library/Application Support/GeminiCli/system-defaults.json",
                ],
            ),
            (
                Os::Linux,
                "/home/me",
                [
                    "/home/me/.gemini/settings.json",
                    "/home/me/.gemini/extensions/*/gemini-extension.json",
                    "/etc/gemini-cli/settings.json",
                    "/etc/gemini-cli/system-defaults.json",
                ],
            ),
            (
                Os::Windows,
                r"C:\Users\me",
                [
                    r"C:\Users\me\.gemini\settings.json",
                    r"C:\Users\me\.gemini\extensions/*/gemini-extension.json",
                    r"C:\ProgramData\gemini-cli\settings.json",
                    r"C:\ProgramData\gemini-cli\system-defaults.json",
                ],
            ),
        ] {
            assert_eq!(files(&user_candidates(&host(os, home, &[]), &[Client::Gemini])), want, "{os:?}");
        }
        let h = host(
            Os::Linux,
            "/home/me",
            &[("GEMINI_CLI_HOME", "/g"), ("GEMINI_CLI_SYSTEM_SETTINGS_PATH", "/s/sys.json")],
        );
        assert_eq!(
            files(&user_candidates(&h, &[Client::Gemini])),
            [
                "/g/.gemini/settings.json",
                "/g/.gemini/extensions/*/gemini-extension.json",
                "/s/sys.json",
                "/s/system-defaults.json"
            ]
        );
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

    /// The clients added from their own documentation and source (issue 10, §3): every user
    /// and system location on each platform.
    #[test]
    fn new_clients_paths_per_platform() {
        let got = |os, home, env: &[(&str, &str)], c| files(&user_candidates(&host(os, home, env), &[c]));
        use Client::*;
        assert_eq!(
            got(Os::Linux, "/home/me", &[], Opencode),
            [
                "/home/me/.config/opencode/config.json",
                "/home/me/.config/opencode/opencode.json",
                "/home/me/.config/opencode/opencode.jsonc",
                "/home/me/.opencode/opencode.json",
                "/home/me/.opencode/opencode.jsonc",
                "/etc/opencode/opencode.json",
                "/etc/opencode/opencode.jsonc"
            ]
        );
        assert_eq!(got(Os::Macos, "/Users/me", &[], Opencode)[1], "/Users/me/.config/opencode/opencode.json");
        assert_eq!(
            got(Os::Macos, "/Users/me", &[], Opencode)[5],
            "/Library/Application Support/opencode/opencode.json"
        );
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], Opencode)[1], r"C:\Users\me\.config\opencode\opencode.json");
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], Opencode)[5], r"C:\ProgramData\opencode\opencode.json");
        // `$OPENCODE_CONFIG_DIR` is read besides the user folder, not instead of it (1.18.34).
        assert_eq!(
            got(Os::Linux, "/home/me", &[("OPENCODE_CONFIG_DIR", "/oc")], Opencode)[..7],
            [
                "/home/me/.config/opencode/config.json",
                "/home/me/.config/opencode/opencode.json",
                "/home/me/.config/opencode/opencode.jsonc",
                "/home/me/.opencode/opencode.json",
                "/home/me/.opencode/opencode.jsonc",
                "/oc/opencode.json",
                "/oc/opencode.jsonc"
            ]
        );
        assert_eq!(got(Os::Linux, "/home/me", &[], CopilotCli), ["/home/me/.copilot/mcp-config.json"]);
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], CopilotCli), [r"C:\Users\me\.copilot\mcp-config.json"]);
        assert_eq!(got(Os::Linux, "/home/me", &[("COPILOT_HOME", "/cp")], CopilotCli), ["/cp/mcp-config.json"]);
        assert_eq!(
            got(Os::Linux, "/home/me", &[], QwenCode),
            ["/home/me/.qwen/settings.json", "/etc/qwen-code/settings.json"]
        );
        assert_eq!(
            got(Os::Macos, "/Users/me", &[], QwenCode)[1],
            "/Library/Application Support/QwenCode/settings.json"
        );
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], QwenCode)[1], r"C:\ProgramData\qwen-code\settings.json");
        assert_eq!(
            got(Os::Macos, "/Users/me", &[], Kiro),
            ["/Users/me/.kiro/settings/mcp.json", "/Users/me/.kiro/agents/*.json"]
        );
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], Kiro)[0], r"C:\Users\me\.kiro\settings\mcp.json");
        assert_eq!(
            got(Os::Linux, "/home/me", &[], AmazonQ),
            ["/home/me/.aws/amazonq/mcp.json", "/home/me/.aws/amazonq/cli-agents/*.json"]
        );
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], VisualStudio), [r"C:\Users\me\.mcp.json"]);
        assert!(got(Os::Linux, "/home/me", &[], VisualStudio).is_empty(), "Windows only");
        assert_eq!(
            got(Os::Linux, "/home/me", &[], LmStudio),
            ["/home/me/.lmstudio/mcp.json", "/home/me/.cache/lm-studio/mcp.json"]
        );
        assert_eq!(got(Os::Macos, "/Users/me", &[], Antigravity), ["/Users/me/.gemini/antigravity/mcp_config.json"]);
        assert_eq!(
            got(Os::Linux, "/home/me", &[], Crush),
            ["/home/me/.config/crush/crush.json", "/home/me/.local/share/crush/crush.json", "/etc/crush/crush.json"]
        );
        assert_eq!(
            got(Os::Windows, r"C:\Users\me", &[], Crush),
            [r"C:\Users\me\.config\crush\crush.json", r"C:\Users\me\AppData\Local\crush\crush.json"]
        );
        assert_eq!(
            got(Os::Linux, "/home/me", &[], Goose),
            ["/home/me/.config/goose/config.yaml", "/etc/goose/config.yaml"]
        );
        assert_eq!(got(Os::Macos, "/Users/me", &[], Goose)[0], "/Users/me/.config/goose/config.yaml");
        assert_eq!(
            got(Os::Windows, r"C:\Users\me", &[], Goose),
            [r"C:\Users\me\AppData\Roaming\Block\goose\config\config.yaml", r"C:\ProgramData\goose\config.yaml"]
        );
        assert_eq!(
            got(Os::Linux, "/home/me", &[("GOOSE_PATH_ROOT", "/home/me/g")], Goose)[0],
            "/home/me/g/config/config.yaml"
        );
        assert_eq!(
            got(Os::Linux, "/home/me", &[], Continue),
            [
                "/home/me/.continue/config.yaml",
                "/home/me/.continue/mcpServers/*.yaml",
                "/home/me/.continue/mcpServers/*.yml",
                "/home/me/.continue/mcpServers/*.json"
            ]
        );
        assert_eq!(got(Os::Windows, r"C:\Users\me", &[], Continue)[0], r"C:\Users\me\.continue\config.yaml");
        let kilo = got(Os::Linux, "/home/me", &[], KiloCode);
        assert_eq!(kilo[0], "/home/me/.config/Code/User/globalStorage/kilocode.kilo-code/settings/mcp_settings.json");
        assert_eq!(
            kilo[5..],
            [
                "/home/me/.config/kilo/config.json",
                "/home/me/.config/kilo/kilo.json",
                "/home/me/.config/kilo/kilo.jsonc",
                "/home/me/.config/kilo/opencode.json",
                "/home/me/.config/kilo/opencode.jsonc",
                "/home/me/.kilocode/kilo.jsonc",
                "/home/me/.kilocode/kilo.json",
                "/home/me/.kilocode/opencode.jsonc",
                "/home/me/.kilocode/opencode.json",
                "/home/me/.kilo/kilo.jsonc",
                "/home/me/.kilo/kilo.json",
                "/home/me/.kilo/opencode.jsonc",
                "/home/me/.kilo/opencode.json",
                "/etc/kilo/kilo.jsonc",
                "/etc/kilo/kilo.json",
                "/etc/kilo/opencode.jsonc",
                "/etc/kilo/opencode.json"
            ]
        );
        let windows = got(Os::Windows, r"C:\Users\me", &[], KiloCode);
        assert_eq!(windows.last().unwrap(), r"C:\ProgramData\kilo\opencode.json");
        let project: Vec<String> = project_locations(
            Os::Linux,
            Path::new("/r/app"),
            &[Opencode, Crush, AmazonQ],
            &Roots { codex: Some("/r".into()), git: Some("/r".into()) },
        )
        .into_iter()
        .map(|l| l.path.to_string_lossy().into_owned())
        .collect();
        assert_eq!(
            project,
            [
                "/r/app/opencode.json",
                "/r/opencode.json",
                "/r/app/opencode.jsonc",
                "/r/opencode.jsonc",
                "/r/app/.opencode/opencode.json",
                "/r/.opencode/opencode.json",
                "/r/app/.opencode/opencode.jsonc",
                "/r/.opencode/opencode.jsonc",
                "/r/app/.crush.json",
                "/r/.crush.json",
                "/r/app/crush.json",
                "/r/crush.json",
                "/r/app/.amazonq/mcp.json",
            ]
        );
    }

    /// OpenCode outside a Git work tree reads `opencode.json` in every folder up to the root
    /// (seen with 1.18: a folder above a bare `.git/HEAD` counted too).
    #[test]
    fn opencode_without_a_git_root_reads_every_folder_up() {
        let got: Vec<String> =
            project_locations(Os::Linux, Path::new("/r/app"), &[Client::Opencode], &Roots::default())
                .into_iter()
                .map(|l| l.path.to_string_lossy().into_owned())
                .collect();
        assert_eq!(got[..3], ["/r/app/opencode.json", "/r/opencode.json", "/opencode.json"]);
    }

    /// Kilo Code's extension reads `.kilocode/mcp.json` in the workspace folder; its CLI (7.7.9)
    /// reads `kilo.json[c]`, `opencode.json[c]` and the same four in `.kilocode/` and `.kilo/` of
    /// every folder up to the Git root (or to the root without one), in OpenCode's layout.
    #[test]
    fn kilo_project_files_of_the_extension_and_the_cli() {
        let got = |git: Option<&str>| {
            let roots = Roots { codex: None, git: git.map(PathBuf::from) };
            project_locations(Os::Linux, Path::new("/r/app"), &[Client::KiloCode], &roots)
        };
        let in_repo = got(Some("/r"));
        let paths: Vec<String> = in_repo.iter().map(|l| l.path.display().to_string()).collect();
        assert_eq!(
            paths[..6],
            [
                "/r/app/.kilocode/mcp.json",
                "/r/app/.kilo/mcp.json",
                "/r/app/kilo.json",
                "/r/kilo.json",
                "/r/app/kilo.jsonc",
                "/r/kilo.jsonc"
            ]
        );
        assert_eq!(paths.len(), 2 + 12 * 2, "{paths:#?}");
        for name in ["/r/opencode.jsonc", "/r/.kilocode/kilo.json", "/r/app/.kilo/opencode.json"] {
            assert!(paths.iter().any(|p| p == name), "{name}: {paths:#?}");
        }
        for l in &in_repo[..2] {
            assert_eq!((l.syntax, l.servers_at), (Syntax::Json, ServersAt::McpServers));
        }
        assert!(in_repo[2..].iter().all(|l| (l.syntax, l.servers_at) == (Syntax::Jsonc, ServersAt::OpencodeMcp)));
        let outside: Vec<String> = got(None).iter().map(|l| l.path.display().to_string()).collect();
        assert_eq!(outside[2..5], ["/r/app/kilo.json", "/r/kilo.json", "/kilo.json"]);
        // `opencode.json[c]` are OpenCode's files that Kilo reads too; its own are not guests.
        let guest: Vec<bool> = in_repo.iter().take(10).map(|l| guest_reading(Os::Linux, l)).collect();
        assert_eq!(guest, [false, false, false, false, false, false, true, true, true, true]);
        assert!(
            !in_repo
                .iter()
                .filter(|l| l.path.to_string_lossy().contains("/.kilo"))
                .any(|l| guest_reading(Os::Linux, l))
        );
    }

    /// Copilot CLI 1.0 reads `.mcp.json`, or else `.github/mcp.json`, in every folder up to the
    /// Git root (only the working folder outside a work tree), strictly as JSON; Qwen Code 0.24
    /// reads `.mcp.json` in the working folder only. Both are guests in Claude Code's file.
    #[test]
    fn copilot_and_qwen_read_the_project_mcp_json() {
        let paths = |client: Client, git: Option<&str>| -> Vec<Location> {
            let roots = Roots { codex: None, git: git.map(PathBuf::from) };
            project_locations(Os::Linux, Path::new("/r/repo/sub"), &[client], &roots)
        };
        let names = |ls: &[Location]| -> Vec<String> { ls.iter().map(|l| l.path.display().to_string()).collect() };
        let copilot = paths(Client::CopilotCli, Some("/r/repo"));
        assert_eq!(
            names(&copilot),
            ["/r/repo/sub/.mcp.json", "/r/repo/.mcp.json", "/r/repo/sub/.github/mcp.json", "/r/repo/.github/mcp.json"]
        );
        assert!(copilot.iter().all(|l| l.syntax == Syntax::Json && l.servers_at == ServersAt::McpServers));
        assert_eq!(names(&paths(Client::CopilotCli, None)), ["/r/repo/sub/.mcp.json", "/r/repo/sub/.github/mcp.json"]);
        assert_eq!(names(&paths(Client::QwenCode, Some("/r/repo")))[1], "/r/repo/sub/.mcp.json");
        // `.github/mcp.json` only where its folder has no `.mcp.json`.
        let found = [copilot[0].clone(), copilot[2].clone(), copilot[3].clone()];
        let read: Vec<bool> = found.iter().map(|l| read_beside(&found, l)).collect();
        assert_eq!(read, [true, false, true]);
        assert!(guest_reading(Os::Linux, &copilot[0]) && !guest_reading(Os::Linux, &copilot[2]));
        assert!(!guest_reading(Os::Linux, &Location::project(Client::ClaudeCode, "/r/.mcp.json".into())));
        assert!(guest_reading(Os::Windows, &Location::project(Client::QwenCode, r"C:\r\.MCP.json".into())));
    }

    /// Codex takes `.codex/config.toml` from every folder between the working folder and its
    /// project root (seen with 0.171: `repo/sub` in a Git repository `repo` reads both).
    #[test]
    fn codex_project_layers_run_up_to_the_project_root() {
        let paths = |dir: &str, root: Option<&str>| -> Vec<String> {
            project_locations(
                Os::Linux,
                Path::new(dir),
                &[Client::Codex],
                &Roots { codex: root.map(PathBuf::from), git: None },
            )
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
                let mut want: Vec<String> = ["Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"]
                    .iter()
                    .map(|ed| format!("{a}{s}{ed}{s}User{s}globalStorage{s}{id}{s}settings{s}{file}"))
                    .collect();
                // And the Cline CLI's own (`cline_cli_settings_follow_its_variables`).
                if client == Client::Cline {
                    want.push(format!("{home}{s}.cline{s}data{s}settings{s}cline_mcp_settings.json"));
                }
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
            let got: Vec<_> = project_locations(os, Path::new(dir), &new, &Roots::default())
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
