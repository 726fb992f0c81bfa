pub mod backup;
pub mod write;

pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
