//! mcpcfg: find, check and repair the tsh paths in MCP client configs.

pub mod clients;
pub mod document;
pub mod findings;
pub mod platform;
pub mod tsh;

pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
