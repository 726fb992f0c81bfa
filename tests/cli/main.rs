//! The one integration test binary: the real `mcpcfg` against a temporary home, with a fake `tsh`
//! (`tests/support/fake_tsh.rs`) that prints what a real `tsh version --client` prints.
//!
//! It runs on Linux and on the Windows build under Wine (`tests/windows/run.sh`). A test that
//! cannot hold on Windows says why with `#[cfg_attr(windows, ignore = "…")]`, so the run lists it
//! and counts it rather than leaving it out.

mod autofix;
mod check;
mod clients;
mod doctor;
mod env;
#[path = "../support/fake.rs"]
mod fake;
mod fix;
mod install;
mod probe;
mod scan;
mod snapshots;
#[cfg(windows)]
mod windows;
