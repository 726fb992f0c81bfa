//! Which servers each client really loads, and why not when it does not: a server that its
//! client never starts is listed, but a stale path in it is not an error.
//!
//! Pure: the decisions are functions of what was read (the configs, the client's approval and
//! policy files) and of the folder the client would be started in.

/// Why a client does not load a server (JSON's `not_loaded_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotLoaded {
    /// Switched off in its entry or the client's settings.
    Disabled,
    /// A project server nobody approved yet (Claude Code asks first).
    PendingApproval,
    /// A project server the user declined.
    Rejected,
    /// A managed (enterprise) file is present, and the client loads only the servers it names.
    OverriddenByManaged,
    /// The client cannot parse the file, so it loads nothing from it.
    FileUnloadable,
    /// A managed allowlist exists and does not admit the server.
    NotInAllowlist,
    /// A managed denylist names the server.
    Denied,
    /// The same name in a scope the client prefers wins over this entry.
    Shadowed,
    /// The client does not trust the folder, so it loads nothing configured for it.
    UntrustedFolder,
}

impl NotLoaded {
    pub fn id(self) -> &'static str {
        match self {
            NotLoaded::Disabled => "disabled",
            NotLoaded::PendingApproval => "pending-approval",
            NotLoaded::Rejected => "rejected",
            NotLoaded::OverriddenByManaged => "overridden-by-managed",
            NotLoaded::FileUnloadable => "file-unloadable",
            NotLoaded::NotInAllowlist => "not-in-allowlist",
            NotLoaded::Denied => "denied",
            NotLoaded::Shadowed => "shadowed",
            NotLoaded::UntrustedFolder => "untrusted-folder",
        }
    }
}

/// Whether the client can load `loc`'s file at all: a strict-JSON client refuses a file with
/// comments or trailing commas whole.
pub fn file_loadable(loc: &crate::clients::Location, doc: &crate::document::Document) -> bool {
    !(doc.needs_jsonc && loc.syntax == crate::clients::Syntax::Json)
}

/// Marks, in every report, the servers their client does not load; then takes the edge off their
/// findings: a stale path in a server nobody starts is worth knowing, not an error.
pub fn apply(configs: &mut [crate::report::ConfigReport]) {
    for c in configs.iter_mut() {
        let loadable = c.loaded.document().is_none_or(|d| file_loadable(&c.loaded.location, d));
        if !loadable {
            for s in &mut c.servers {
                s.not_loaded.get_or_insert(NotLoaded::FileUnloadable);
            }
        }
    }
    for c in configs.iter_mut() {
        let client = c.loaded.location.client.display();
        for s in &mut c.servers {
            let Some(why) = s.not_loaded else { continue };
            // The file's own error already says that nothing in it loads.
            if why == NotLoaded::FileUnloadable {
                continue;
            }
            for f in &mut s.findings {
                if f.severity == crate::findings::Severity::Error {
                    f.severity = crate::findings::Severity::Warning;
                }
                f.message.push_str(&format!(" ({client} does not load this server: {})", why.words()));
            }
        }
    }
}

impl NotLoaded {
    /// The reason in words, for messages and text output.
    pub fn words(self) -> &'static str {
        match self {
            NotLoaded::Disabled => "it is disabled",
            NotLoaded::PendingApproval => "it is pending your approval",
            NotLoaded::Rejected => "you declined it",
            NotLoaded::OverriddenByManaged => "a managed managed-mcp.json replaces every other server",
            NotLoaded::FileUnloadable => "it cannot parse the file",
            NotLoaded::NotInAllowlist => "the managed allowlist does not admit it",
            NotLoaded::Denied => "the managed denylist names it",
            NotLoaded::Shadowed => "a server of the same name in a scope it prefers wins",
            NotLoaded::UntrustedFolder => "the folder is not trusted",
        }
    }
}
