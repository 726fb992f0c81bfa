//! The interop suite: the real client CLIs (Claude Code, Gemini CLI, Codex, OpenCode, Copilot
//! CLI, Qwen Code, Kilo CLI), pinned and installed
//! from the npm registry into a cache, run offline in isolated homes, are the oracle for what a
//! client reads and loads. Each scenario has the client write its own config where it can,
//! breaks it the way a managed update does, and compares, server by server, what the client
//! lists with what mcpcfg reports; then repairs it and asks the client again.
//!
//! Run with `cargo test --test interop` (needs Node.js and npm; see the README).

mod claude;
mod cline;
mod codex;
mod continue_cli;
mod copilot;
// Shared with the integration suite, which uses more of it.
#[allow(dead_code)]
#[path = "../support/fake.rs"]
mod fake;
mod gemini;
mod kilo;
mod opencode;
mod oracle;
mod qwen;
mod sandbox;
