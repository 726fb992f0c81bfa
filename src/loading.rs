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
