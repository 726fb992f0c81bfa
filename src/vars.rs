//! Variables in a server's `command`, as its client expands them before it starts the server.
//!
//! VS Code and Cursor expand `${userHome}`, `${env:NAME}`, `${workspaceFolder}` (in a project's
//! config: the project folder) and `${pathSeparator}` (`${/}`); Windsurf `${env:NAME}`; Claude
//! Code `${NAME}` and `${NAME:-default}`; Gemini CLI `$NAME`, `${NAME}` and `${NAME:-default}`,
//! leaving one that is not set (and has no default) as it is. For both, the default applies only
//! to a variable that is not set: one set to the empty string expands to nothing. Other clients start the text as it is. A command mcpcfg cannot expand
//! (`${input:…}`, a variable that is not set) is not checked and never rewritten: a guess could
//! break a working config.

use std::path::Path;

use crate::clients::{Location, Scope, Vars};
use crate::platform::{Host, Os};

/// What a command's text stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expansion {
    /// The client starts the text as it is.
    Literal,
    /// The client starts this path.
    Expanded(String),
    /// It holds this variable, which mcpcfg cannot expand.
    Unknown(String),
}

impl Expansion {
    /// The text holds variables the client expands (or would, were they set): a command written
    /// so is never replaced by a fixed path.
    pub fn has_variables(&self) -> bool {
        !matches!(self, Expansion::Literal)
    }

    /// The path the client starts for `text`, when mcpcfg can tell.
    pub fn path(self, text: &str) -> Option<String> {
        match self {
            Expansion::Literal => Some(text.to_owned()),
            Expansion::Expanded(p) => Some(p),
            Expansion::Unknown(_) => None,
        }
    }
}

/// What `text`, the `command` of a server in `loc`, stands for.
pub fn expand(host: &Host, loc: &Location, text: &str) -> Expansion {
    let style = match loc.client.spec().vars {
        Vars::Vscode => Style::Vscode,
        Vars::EnvColon => Style::Windsurf,
        Vars::Braces => Style::Shell,
        Vars::Gemini if crate::clients::is_gemini_extension(loc) => {
            // An extension's file is hydrated first (`recursivelyHydrateStrings`): its own
            // folder and the path separator; then the environment, as in settings.
            let sep = if host.os == Os::Windows { "\\" } else { "/" };
            let dir = loc.path.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
            let hydrated = text.replace("${extensionPath}", &dir).replace("${/}", sep).replace("${pathSeparator}", sep);
            return match gemini(host, &hydrated) {
                Expansion::Literal if hydrated != text => Expansion::Expanded(hydrated),
                e => e,
            };
        }
        Vars::Gemini => return gemini(host, text),
        Vars::ShellExpand => return shellexpand(host, text),
        Vars::OpencodeEnv => return opencode(host, text),
        Vars::Mustache if text.contains("${{") => return Expansion::Unknown(text.to_owned()),
        Vars::Mustache => return Expansion::Literal,
        Vars::Literal => return Expansion::Literal,
    };
    replace_delimited(text, "${", |name| {
        let value = match style {
            Style::Vscode => vscode(host, loc, name),
            Style::Windsurf => name.strip_prefix("env:").and_then(|n| env(host, n.trim())),
            Style::Shell => shell(host, name),
        };
        value.ok_or_else(|| format!("${{{name}}}"))
    })
}

/// `text` with each `<open>NAME}` replaced by what `var(NAME)` gives; `Err(what)` (or an `open`
/// never closed) means mcpcfg cannot tell what the client starts. `Literal` without any.
fn replace_delimited(text: &str, open: &str, mut var: impl FnMut(&str) -> Result<String, String>) -> Expansion {
    if !text.contains(open) {
        return Expansion::Literal;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        let after = &rest[i + open.len()..];
        let Some(j) = after.find('}') else { return Expansion::Unknown(rest[i..].to_owned()) };
        match var(&after[..j]) {
            Ok(v) => out.push_str(&v),
            Err(what) => return Expansion::Unknown(what),
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    Expansion::Expanded(out)
}

enum Style {
    Vscode,
    Windsurf,
    Shell,
}

/// One `$…` reference in a command: `$NAME` (`braced` false) or `${…}` with what is between the
/// braces (`braced` true); `None` for a `${` that is never closed.
type Reference<'a> = Option<(&'a str, bool)>;

/// What to put in place of a reference.
enum Put {
    Text(String),
    /// Leave the reference as it is written.
    Keep,
    /// mcpcfg cannot tell what the client starts.
    Unknown(String),
}

/// `text` with each `$NAME` and `${…}` replaced as `var` says; `prefix` goes first (a `~`'s
/// expansion) and `text` is what follows it.
fn replace_dollars(prefix: String, text: &str, mut var: impl FnMut(Reference<'_>) -> Put) -> Expansion {
    let mut out = prefix;
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (reference, len) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(j) => (Some((&inner[..j], true)), j + 2),
                None => (None, 0),
            },
            None => {
                let n = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (Some((&after[..n], false)), n)
            }
        };
        match var(reference) {
            Put::Text(v) => out.push_str(&v),
            Put::Keep => out.push_str(&rest[i..i + 1 + len]),
            Put::Unknown(what) => return Expansion::Unknown(what),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    Expansion::Expanded(out)
}

/// Gemini CLI's `$NAME` and `${NAME}`: a variable that is set is replaced, one that is not is
/// left as it is (and so reaches the command line as text).
fn gemini(host: &Host, text: &str) -> Expansion {
    if !text.contains('$') {
        return Expansion::Literal;
    }
    replace_dollars(String::new(), text, |reference| {
        let Some((name, braced)) = reference else { return Put::Keep };
        // `${NAME:-default}`: the default when NAME is not set; set to the empty string, NAME
        // gives the empty string (seen with Gemini CLI 0.61, as with Claude Code).
        let value = match name.split_once(":-") {
            Some((var, default)) if braced => Some(env_set(host, var).unwrap_or_else(|| default.to_owned())),
            _ => env(host, name).filter(|_| !name.is_empty()),
        };
        value.map_or(Put::Keep, Put::Text)
    })
}

/// Amazon Q's `shellexpand::full`: a leading `~`, `$NAME` and `${NAME}`; a variable that is
/// not set fails the start, so mcpcfg cannot tell what it would run.
fn shellexpand(host: &Host, text: &str) -> Expansion {
    let tilde = text == "~" || text.starts_with("~/");
    if !tilde && !text.contains('$') {
        return Expansion::Literal;
    }
    let prefix = if tilde { host.home.to_string_lossy().into_owned() } else { String::new() };
    replace_dollars(prefix, if tilde { &text[1..] } else { text }, |reference| match reference {
        None => Put::Unknown("${".into()),
        // A `$` before no name is a `$`.
        Some(("", false)) => Put::Keep,
        Some((name, _)) => env_set(host, name).map_or_else(|| Put::Unknown(format!("${name}")), Put::Text),
    })
}

/// OpenCode's `{env:NAME}`, replaced in the file's text before it is parsed; a variable that is
/// not set gives the empty string (`src/config/variable.ts`; seen with 1.18).
fn opencode(host: &Host, text: &str) -> Expansion {
    replace_delimited(text, "{env:", |name| Ok(env_set(host, name.trim()).unwrap_or_default()))
}

/// VS Code's predefined variables that make sense outside an editor window.
fn vscode(host: &Host, loc: &Location, name: &str) -> Option<String> {
    match name {
        "userHome" => Some(host.home.to_string_lossy().into_owned()),
        "pathSeparator" | "/" => Some(if host.os == Os::Windows { "\\" } else { "/" }.to_owned()),
        // `<folder>/.vscode/mcp.json`: the folder the editor has open.
        "workspaceFolder" if loc.scope == Scope::Project => {
            loc.path.parent().and_then(Path::parent).map(|p| p.to_string_lossy().into_owned())
        }
        _ => env(host, name.strip_prefix("env:")?).filter(|v| !v.is_empty()),
    }
}

/// `${NAME}` and `${NAME:-default}`. Unlike a shell, Claude Code takes the default only for a
/// variable that is not set: one set to the empty string expands to nothing (`posix_spawn '/tsh'`
/// for `${X:-/usr/bin}/tsh` with `X=`, seen with the real client).
fn shell(host: &Host, name: &str) -> Option<String> {
    match name.split_once(":-") {
        Some((var, default)) => Some(env_set(host, var).unwrap_or_else(|| default.to_owned())),
        None => env_set(host, name),
    }
}

/// [`env`], counting a variable set to the empty string as set.
fn env_set(host: &Host, name: &str) -> Option<String> {
    env(host, name).or_else(|| host.env.get_set(name).map(str::to_owned))
}

/// A variable of the environment the client runs in; `HOME` is the home mcpcfg looks at (so
/// `--home` moves it too).
fn env(host: &Host, name: &str) -> Option<String> {
    if name == host.home_var() {
        return Some(host.home.to_string_lossy().into_owned());
    }
    host.env.get(name).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::Client;
    use crate::platform::Env;

    fn host() -> Host {
        Host {
            os: Os::Linux,
            home: "/home/me".into(),
            env: Env::from_pairs([("TSH_DIR", "/opt/tsh"), ("EMPTY", "")]),
            home_overridden: false,
            system_root: None,
        }
    }

    fn at(client: Client, scope: Scope, path: &str) -> Location {
        Location::new(client, scope, path.into())
    }

    #[test]
    fn vscode_and_cursor_variables() {
        let h = host();
        let user = at(Client::Vscode, Scope::User, "/home/me/.config/Code/User/mcp.json");
        let project = at(Client::Cursor, Scope::Project, "/src/app/.cursor/mcp.json");
        let e = |l: &Location, t: &str| expand(&h, l, t);
        assert_eq!(e(&user, "/usr/bin/tsh"), Expansion::Literal);
        assert_eq!(e(&user, "${userHome}/bin/tsh"), Expansion::Expanded("/home/me/bin/tsh".into()));
        assert_eq!(e(&user, "${env:TSH_DIR}${/}tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(e(&project, "${workspaceFolder}/bin/tsh"), Expansion::Expanded("/src/app/bin/tsh".into()));
        assert_eq!(e(&user, "${workspaceFolder}/tsh"), Expansion::Unknown("${workspaceFolder}".into()));
        assert_eq!(e(&user, "${input:tsh}"), Expansion::Unknown("${input:tsh}".into()));
        assert_eq!(e(&user, "${env:NOPE}/tsh"), Expansion::Unknown("${env:NOPE}".into()));
        assert_eq!(e(&user, "${env:EMPTY}/tsh"), Expansion::Unknown("${env:EMPTY}".into()));
        assert_eq!(e(&user, "${userHome/tsh"), Expansion::Unknown("${userHome/tsh".into()));
    }

    #[test]
    fn claude_code_variables() {
        let h = host();
        let cc = at(Client::ClaudeCode, Scope::Project, "/src/app/.mcp.json");
        assert_eq!(expand(&h, &cc, "${HOME}/bin/tsh"), Expansion::Expanded("/home/me/bin/tsh".into()));
        assert_eq!(expand(&h, &cc, "${NOPE:-/usr/bin}/tsh"), Expansion::Expanded("/usr/bin/tsh".into()));
        assert_eq!(expand(&h, &cc, "${TSH_DIR:-/usr/bin}/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(expand(&h, &cc, "${NOPE}/tsh"), Expansion::Unknown("${NOPE}".into()));
    }

    #[test]
    fn claude_code_set_but_empty_variable_is_not_defaulted() {
        let h = host();
        let cc = at(Client::ClaudeCode, Scope::Project, "/src/app/.mcp.json");
        assert_eq!(expand(&h, &cc, "${EMPTY:-/usr/bin}/tsh"), Expansion::Expanded("/tsh".into()));
    }

    /// A Gemini CLI extension's `${extensionPath}${/}bin/tsh` names a file in the extension's own
    /// folder (seen with 0.61); mcpcfg called it relative.
    #[test]
    fn gemini_extension_path_variables() {
        let e = at(Client::Gemini, Scope::User, "/home/me/.gemini/extensions/tp/gemini-extension.json");
        assert_eq!(
            expand(&host(), &e, "${extensionPath}${/}bin/tsh"),
            Expansion::Expanded("/home/me/.gemini/extensions/tp/bin/tsh".into())
        );
        assert_eq!(expand(&host(), &e, "$TSH_DIR/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        let settings = at(Client::Gemini, Scope::User, "/home/me/.gemini/settings.json");
        assert_eq!(
            expand(&host(), &settings, "${extensionPath}/tsh"),
            Expansion::Expanded("${extensionPath}/tsh".into())
        );
    }

    /// Amazon Q expands `~` and `$VAR` with `shellexpand::full`, and fails on an unset one;
    /// OpenCode replaces `{env:VAR}`, an unset one with nothing.
    #[test]
    fn amazon_q_and_opencode_variables_as_they_expand_them() {
        let q = at(Client::AmazonQ, Scope::User, "/home/me/.aws/amazonq/mcp.json");
        assert_eq!(expand(&host(), &q, "~/bin/tsh"), Expansion::Expanded("/home/me/bin/tsh".into()));
        assert_eq!(expand(&host(), &q, "${TSH_DIR}/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(expand(&host(), &q, "$TSH_DIR/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(expand(&host(), &q, "$NOPE/tsh"), Expansion::Unknown("$NOPE".into()));
        assert_eq!(expand(&host(), &q, "/usr/bin/tsh"), Expansion::Literal);
        let o = at(Client::Opencode, Scope::User, "/home/me/.config/opencode/opencode.json");
        assert_eq!(expand(&host(), &o, "{env:TSH_DIR}/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(expand(&host(), &o, "{env:NOPE}/tsh"), Expansion::Expanded("/tsh".into()));
        assert_eq!(expand(&host(), &o, "$TSH_DIR/tsh"), Expansion::Literal, "no shell variables");
    }

    /// Gemini's `$HOME/bin/tsh` was called relative (and would have been rewritten).
    #[test]
    fn gemini_variables_as_gemini_expands_them() {
        let h = host();
        let g = at(Client::Gemini, Scope::User, "/home/me/.gemini/settings.json");
        let e = |t: &str| expand(&h, &g, t);
        assert_eq!(e("$HOME/bin/tsh"), Expansion::Expanded("/home/me/bin/tsh".into()));
        assert_eq!(e("${TSH_DIR}/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(e("$TSH_DIR/x$"), Expansion::Expanded("/opt/tsh/x$".into()));
        // Gemini CLI 0.61 expands a default too (mcpcfg called such a command relative and
        // replaced the variable with a fixed path).
        assert_eq!(e("${TSH_DIR:-/usr/bin}/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(e("${NOPE:-/usr/bin}/tsh"), Expansion::Expanded("/usr/bin/tsh".into()));
        assert_eq!(e("${EMPTY:-/usr/bin}/tsh"), Expansion::Expanded("/tsh".into()));
        assert_eq!(e("$NOPE/tsh"), Expansion::Expanded("$NOPE/tsh".into()));
        assert_eq!(e("/usr/bin/tsh"), Expansion::Literal);
    }

    /// Windsurf's `${env:X}` commands were taken literally, called relative and rewritten.
    #[test]
    fn windsurf_variables() {
        let h = host();
        let w = at(Client::Windsurf, Scope::User, "/home/me/.codeium/windsurf/mcp_config.json");
        assert_eq!(expand(&h, &w, "${env:TSH_DIR}/tsh"), Expansion::Expanded("/opt/tsh/tsh".into()));
        assert_eq!(expand(&h, &w, "${userHome}/tsh"), Expansion::Unknown("${userHome}".into()));
    }

    #[test]
    fn clients_that_do_not_expand_start_the_text_as_it_is() {
        let h = host();
        let desktop = at(Client::ClaudeDesktop, Scope::User, "/home/me/.config/Claude/claude_desktop_config.json");
        assert_eq!(expand(&h, &desktop, "${HOME}/bin/tsh"), Expansion::Literal);
    }
}
