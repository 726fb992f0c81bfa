//! `mcpcfg autofix`: the files that make each operating system's own service manager run
//! `mcpcfg autofix run` (fix-config on the user-level configs) whenever what can break them
//! changes. Pure: the binary, its arguments, the environment to keep and the paths to watch come
//! in; unit files, a launchd plist and a Task Scheduler definition go out. `crate::service` writes
//! them and talks to systemctl, launchctl and schtasks.
//!
//! - Linux: a systemd user `.path` unit (`PathChanged=` on each path: systemd watches a path that
//!   does not exist yet through its parent, and fires when it appears) starting a oneshot
//!   `.service`.
//! - macOS: a LaunchAgent with `WatchPaths` (launchd also fires on a path's creation).
//! - Windows: Task Scheduler has no file trigger: a task at logon and every 30 minutes.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The name every artefact carries: `mcpcfg-autofix.path`, the task `mcpcfg-autofix`.
pub const NAME: &str = "mcpcfg-autofix";
/// The LaunchAgent's label (launchd wants reverse-DNS).
pub const LABEL: &str = "dev.mcpcfg.autofix";
/// How often the Windows task runs besides at logon.
pub const WINDOWS_EVERY: &str = "PT30M";

/// The variables that move the files mcpcfg reads (Teleport's, each client's) and `PATH`, where
/// the stable tsh is found: the service runs with the values they had when autofix was enabled,
/// so that it looks where the user's own shell looks. A service manager's environment has none
/// of a login shell's.
pub const KEPT_VARS: [&str; 27] = [
    "PATH",
    "TELEPORT_HOME",
    "TELEPORT_TOOLS_DIR",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "CLAUDE_CONFIG_DIR",
    "CLINE_DIR",
    "CLINE_DATA_DIR",
    "CLINE_MCP_SETTINGS_PATH",
    "CODEX_HOME",
    "CONTINUE_GLOBAL_DIR",
    "COPILOT_HOME",
    "CRUSH_GLOBAL_CONFIG",
    "CRUSH_GLOBAL_DATA",
    "GEMINI_CLI_HOME",
    "GEMINI_CLI_TRUSTED_FOLDERS_PATH",
    "GOOSE_PATH_ROOT",
    "OPENCODE_CONFIG",
    "OPENCODE_CONFIG_DIR",
    "KILO_CONFIG",
    "KILO_CONFIG_DIR",
    "QWEN_HOME",
    "QWEN_CODE_MCP_APPROVALS_PATH",
    "QWEN_CODE_SYSTEM_SETTINGS_PATH",
    "GEMINI_CLI_SYSTEM_SETTINGS_PATH",
    "GEMINI_CLI_SYSTEM_DEFAULTS_PATH",
];

/// What the trigger runs and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    /// The installed mcpcfg, by absolute path.
    pub exe: PathBuf,
    /// Its arguments: `autofix run`, and `--home DIR` when autofix was enabled for one.
    pub args: Vec<String>,
    /// Variables to set, from [`KEPT_VARS`].
    pub env: Vec<(String, String)>,
    /// Paths whose change starts a run: the client-tools folder and its `.config.json`, and the
    /// user-level configs.
    pub watch: Vec<PathBuf>,
}

/// A value systemd cannot hold (a line break), or that is not UTF-8: such a path is left out
/// rather than written into a unit that would mean something else.
pub fn unit_safe(p: &Path) -> Option<&str> {
    p.to_str().filter(|s| !s.contains(['\n', '\r']) && !s.is_empty())
}

/// One word of a systemd command line or `Environment=` assignment: quoted, with `\`, `"`
/// escaped and the specifier `%` and variable `$` signs doubled (`systemd.service(5)`,
/// "Command lines"; `systemd.unit(5)`, "Specifiers").
fn systemd_word(s: &str, command: bool) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if command => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A path setting's value (`PathChanged=`): taken whole, only specifiers expanded.
fn systemd_path_value(s: &str) -> String {
    s.replace('%', "%%")
}

/// The oneshot service that runs mcpcfg.
pub fn systemd_service(t: &Trigger) -> String {
    let mut out = String::new();
    out.push_str("# Written by `mcpcfg autofix enable`; `mcpcfg autofix disable` removes it.\n");
    out.push_str("[Unit]\nDescription=mcpcfg: repair the tsh paths in MCP client configs\n");
    // A client that saves its config in bursts (Claude Code writes ~/.claude.json many times a
    // session) would hit the default start limit (5 in 10 s): the service would fail and the
    // path unit stop watching. Each run is short and a run in progress absorbs new triggers.
    out.push_str("StartLimitIntervalSec=0\n\n");
    out.push_str("[Service]\nType=oneshot\n");
    for (k, v) in &t.env {
        let _ = writeln!(out, "Environment={}", systemd_word(&format!("{k}={v}"), false));
    }
    let mut line = systemd_word(&t.exe.to_string_lossy(), true);
    for a in &t.args {
        line.push(' ');
        line.push_str(&systemd_word(a, true));
    }
    let _ = writeln!(out, "ExecStart={line}");
    out
}

/// The path unit that starts the service when a watched path changes.
pub fn systemd_path(t: &Trigger) -> String {
    let mut out = String::new();
    out.push_str("# Written by `mcpcfg autofix enable`; `mcpcfg autofix disable` removes it.\n");
    out.push_str("[Unit]\nDescription=mcpcfg: watch tsh managed updates and the MCP client configs\n\n");
    out.push_str("[Path]\n");
    for p in t.watch.iter().filter_map(|p| unit_safe(p)) {
        let _ = writeln!(out, "PathChanged={}", systemd_path_value(p));
    }
    let _ = writeln!(out, "Unit={NAME}.service\n\n[Install]\nWantedBy=default.target");
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The LaunchAgent (`launchd.plist(5)`): the program and its arguments, the variables, the
/// watched paths; `ThrottleInterval` keeps a burst of writes to one run every 10 s.
pub fn launchd_plist(t: &Trigger) -> String {
    let mut out = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
        "<!-- Written by `mcpcfg autofix enable`; `mcpcfg autofix disable` removes it. -->\n",
        "<plist version=\"1.0\">\n<dict>\n"
    ));
    let _ = writeln!(out, "  <key>Label</key>\n  <string>{LABEL}</string>");
    out.push_str("  <key>ProgramArguments</key>\n  <array>\n");
    let _ = writeln!(out, "    <string>{}</string>", xml_escape(&t.exe.to_string_lossy()));
    for a in &t.args {
        let _ = writeln!(out, "    <string>{}</string>", xml_escape(a));
    }
    out.push_str("  </array>\n");
    if !t.env.is_empty() {
        out.push_str("  <key>EnvironmentVariables</key>\n  <dict>\n");
        for (k, v) in &t.env {
            let _ = writeln!(out, "    <key>{}</key>\n    <string>{}</string>", xml_escape(k), xml_escape(v));
        }
        out.push_str("  </dict>\n");
    }
    out.push_str("  <key>WatchPaths</key>\n  <array>\n");
    for p in &t.watch {
        let _ = writeln!(out, "    <string>{}</string>", xml_escape(&p.to_string_lossy()));
    }
    out.push_str("  </array>\n  <key>ThrottleInterval</key>\n  <integer>10</integer>\n</dict>\n</plist>\n");
    out
}

/// The scheduled task (Task Scheduler schema 1.2, as `schtasks /Create /XML` takes it): at the
/// user's logon and every [`WINDOWS_EVERY`], as that user, never two at once, stopped after
/// 10 minutes.
pub fn windows_task(t: &Trigger, user: &str) -> String {
    let mut args = String::new();
    for a in &t.args {
        if !args.is_empty() {
            args.push(' ');
        }
        args.push_str(&windows_arg(a));
    }
    let user = xml_escape(user);
    format!(
        r#"<?xml version="1.0" encoding="UTF-16"?>
<!-- Written by `mcpcfg autofix enable`; `mcpcfg autofix disable` removes it. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>mcpcfg: repair the tsh paths in MCP client configs</Description>
    <URI>\{NAME}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>{user}</UserId>
    </LogonTrigger>
    <TimeTrigger>
      <Enabled>true</Enabled>
      <StartBoundary>2026-01-01T00:00:00</StartBoundary>
      <Repetition>
        <Interval>{WINDOWS_EVERY}</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{user}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT10M</ExecutionTimeLimit>
    <Hidden>true</Hidden>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{}</Command>
      <Arguments>{}</Arguments>
    </Exec>
  </Actions>
</Task>
"#,
        xml_escape(&t.exe.to_string_lossy()),
        xml_escape(&args)
    )
}

/// One argument of a Windows command line, quoted as `CommandLineToArgvW` reads it back.
fn windows_arg(a: &str) -> String {
    if !a.is_empty() && !a.contains([' ', '\t', '"']) {
        return a.to_owned();
    }
    let mut out = String::from('"');
    let mut backslashes = 0;
    for c in a.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            c => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// Task Scheduler files are UTF-16 (the encoding their declaration names), little-endian with a
/// byte order mark, as Windows itself exports them.
pub fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

/// One line of the autofix log: when, the exit status, what was repaired and what is left.
pub fn log_line(at: std::time::SystemTime, code: u8, repaired: &[String], left: &str) -> String {
    let when = humantime::format_rfc3339_seconds(at);
    let what = match repaired {
        [] => "nothing repaired".to_owned(),
        some => format!("repaired {}: {}", some.len(), some.join(", ")),
    };
    // One line whatever the names hold.
    format!("{when} exit {code}: {what}; {left}").replace(['\n', '\r'], " ") + "\n"
}

/// The program a unit or plist of ours runs: `ExecStart=`'s first word, or the first string of
/// `ProgramArguments`, unescaped as [`systemd_service`] and [`launchd_plist`] wrote them.
pub fn program_of(text: &str) -> Option<String> {
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("ExecStart=\"")) {
        let (mut out, mut chars) = (String::new(), line.chars());
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '"' => return Some(out),
                '%' | '$' => {
                    out.push(c);
                    chars.next();
                }
                c => out.push(c),
            }
        }
        return None;
    }
    plist_strings(text, "ProgramArguments").into_iter().next()
}

/// The paths a unit or plist of ours watches: each `PathChanged=`, or `WatchPaths`' strings.
pub fn watched_of(text: &str) -> Vec<String> {
    let mut out: Vec<String> =
        text.lines().filter_map(|l| l.strip_prefix("PathChanged=")).map(|p| p.replace("%%", "%")).collect();
    out.extend(plist_strings(text, "WatchPaths"));
    out
}

/// The strings of the array under `key` in a plist of ours, unescaped.
fn plist_strings(text: &str, key: &str) -> Vec<String> {
    let Some(at) = text.find(&format!("<key>{key}</key>")) else { return vec![] };
    let rest = &text[at..];
    let array = &rest[..rest.find("</array>").unwrap_or(rest.len())];
    array
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split_once("</string>").map(|(v, _)| v))
        .map(|v| {
            v.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The log's size past which it is moved to `autofix.log.1` (the one older log kept).
pub const LOG_LIMIT: u64 = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger() -> Trigger {
        Trigger {
            exe: "/opt/my tools/mcpcfg".into(),
            args: vec!["autofix".into(), "run".into(), "--home".into(), "/home/a%b \"q\"".into()],
            env: vec![("PATH".into(), "/usr/bin:/bin".into()), ("TELEPORT_HOME".into(), "/home/$x".into())],
            watch: vec!["/home/u/.tsh/bin/.config.json".into(), "/home/u/.tsh/bin".into(), "/home/u/50%.json".into()],
        }
    }

    /// Every variable that moves a client's file (read with `folder_var` or `xdg`) is kept in
    /// the service's environment: the Cline CLI's were not, so autofix, started by the service
    /// manager, would have looked in `~/.cline` where the user's shell looks elsewhere.
    #[test]
    fn every_variable_that_moves_a_config_is_kept_for_the_service() {
        for (file, text) in [
            ("clients.rs", include_str!("clients.rs")),
            ("check.rs", include_str!("check.rs")),
            ("platform.rs", include_str!("platform.rs")),
        ] {
            for call in ["folder_var(\"", "xdg(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let name = &rest[..rest.find('"').unwrap()];
                    if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !name.is_empty() {
                        assert!(KEPT_VARS.contains(&name), "{file} reads {name}, which the service does not keep");
                    }
                }
            }
        }
    }

    #[test]
    fn the_service_quotes_and_escapes_every_word() {
        let s = systemd_service(&trigger());
        assert!(s.contains("Type=oneshot\n") && s.contains("StartLimitIntervalSec=0\n"), "{s}");
        assert!(s.contains(r#"ExecStart="/opt/my tools/mcpcfg" "autofix" "run" "--home" "/home/a%%b \"q\"""#), "{s}");
        // `$` is literal in Environment= (no expansion there), `%` is a specifier everywhere.
        assert!(s.contains("Environment=\"PATH=/usr/bin:/bin\"\nEnvironment=\"TELEPORT_HOME=/home/$x\"\n"), "{s}");
    }

    #[test]
    fn the_path_unit_watches_each_path_and_names_the_service() {
        let p = systemd_path(&trigger());
        assert!(p.contains("PathChanged=/home/u/.tsh/bin/.config.json\nPathChanged=/home/u/.tsh/bin\n"), "{p}");
        assert!(p.contains("PathChanged=/home/u/50%%.json\n"), "{p}");
        assert!(p.contains("Unit=mcpcfg-autofix.service\n") && p.contains("WantedBy=default.target"), "{p}");
        let mut t = trigger();
        t.watch.push("/home/u/bad\nname".into());
        assert!(!systemd_path(&t).contains("bad"), "a line break would end the setting");
    }

    #[test]
    fn the_plist_is_a_valid_property_list_with_the_program_and_paths() {
        let text = launchd_plist(&trigger());
        let v: plist::Value = plist::from_bytes(text.as_bytes()).unwrap();
        let d = v.as_dictionary().unwrap();
        assert_eq!(d["Label"].as_string(), Some(LABEL));
        let args: Vec<&str> =
            d["ProgramArguments"].as_array().unwrap().iter().map(|a| a.as_string().unwrap()).collect();
        assert_eq!(args, ["/opt/my tools/mcpcfg", "autofix", "run", "--home", "/home/a%b \"q\""]);
        let watch: Vec<&str> = d["WatchPaths"].as_array().unwrap().iter().map(|a| a.as_string().unwrap()).collect();
        assert_eq!(watch, ["/home/u/.tsh/bin/.config.json", "/home/u/.tsh/bin", "/home/u/50%.json"]);
        let env = d["EnvironmentVariables"].as_dictionary().unwrap();
        assert_eq!(env["TELEPORT_HOME"].as_string(), Some("/home/$x"));
        assert_eq!(d["ThrottleInterval"].as_signed_integer(), Some(10));
    }

    #[test]
    fn the_windows_task_runs_at_logon_and_every_half_hour() {
        let mut t = trigger();
        t.exe = r"C:\Users\A B\bin\mcpcfg.exe".into();
        t.args = vec!["autofix".into(), "run".into(), "--home".into(), r"C:\Users\A B\".into()];
        let xml = windows_task(&t, r"HOST\a&b");
        let doc = well_formed(&xml);
        assert!(doc.contains("Task/Actions/Exec/Command C:\\Users\\A B\\bin\\mcpcfg.exe\n"), "{doc}");
        // A trailing backslash before the closing quote is doubled, or it would escape it.
        assert!(doc.contains(r#"Task/Actions/Exec/Arguments autofix run --home "C:\Users\A B\\""#), "{doc}");
        assert!(doc.contains("Task/Triggers/LogonTrigger/UserId HOST\\a&b\n"), "{doc}");
        assert!(doc.contains("Task/Principals/Principal/UserId HOST\\a&b\n"), "{doc}");
        assert!(doc.contains("Task/Triggers/TimeTrigger/Repetition/Interval PT30M\n"), "{doc}");
        let bytes = utf16le(&xml);
        assert_eq!(&bytes[..2], &[0xFF, 0xFE]);
        let back: Vec<u16> = bytes[2..].chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(String::from_utf16(&back).unwrap(), xml.replace('\n', "\r\n"));
    }

    /// The task XML read with an XML parser: it must be well-formed, and each element's text
    /// is what Task Scheduler will see (entities decoded), as `path text` lines.
    fn well_formed(xml: &str) -> String {
        use quick_xml::events::Event;
        let mut r = quick_xml::Reader::from_str(xml);
        let (mut path, mut text, mut out) = (Vec::<String>::new(), String::new(), String::new());
        loop {
            match r.read_event().unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}")) {
                Event::Start(e) => {
                    path.push(e.name().as_ref().to_owned());
                    text.clear();
                }
                Event::End(_) => {
                    if !text.trim().is_empty() {
                        let _ = writeln!(out, "{} {text}", path.join("/"));
                    }
                    text.clear();
                    path.pop();
                }
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(g) => {
                    let name = g.to_string();
                    let c = quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or_else(|| panic!("an entity XML does not define: &{name};"));
                    text.push_str(c);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(path.is_empty(), "unclosed: {path:?}");
        out
    }

    #[test]
    fn the_program_reads_back_from_the_unit_and_the_plist() {
        let mut t = trigger();
        t.exe = "/opt/a \"b\" 100%/$x\\mcpcfg".into();
        assert_eq!(program_of(&systemd_service(&t)).as_deref(), t.exe.to_str());
        assert_eq!(program_of(&launchd_plist(&t)).as_deref(), t.exe.to_str());
        assert_eq!(program_of("[Unit]\n"), None);
    }

    #[test]
    fn the_watched_paths_read_back_from_the_unit_and_the_plist() {
        let t = trigger();
        let want: Vec<String> = t.watch.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(watched_of(&systemd_path(&t)), want);
        assert_eq!(watched_of(&launchd_plist(&t)), want);
    }

    #[test]
    fn windows_args_read_back_as_written() {
        assert_eq!(windows_arg("run"), "run");
        assert_eq!(windows_arg(""), "\"\"");
        assert_eq!(windows_arg(r"C:\a b\"), r#""C:\a b\\""#);
        assert_eq!(windows_arg(r#"say "hi""#), r#""say \"hi\"""#);
    }

    #[test]
    fn a_log_line_is_one_line() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_212_800);
        let l = log_line(at, 0, &["~/.cursor/mcp.json: a\nb".into()], "nothing left");
        assert_eq!(l, "2026-12-02T12:00:00Z exit 0: repaired 1: ~/.cursor/mcp.json: a b; nothing left\n");
        assert_eq!(
            log_line(at, 1, &[], "left: 1 error"),
            "2026-12-02T12:00:00Z exit 1: nothing repaired; left: 1 error\n"
        );
    }
}
