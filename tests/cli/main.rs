//! The one integration test binary: the real `mcpcfg` against a temporary home, with fake `tsh`
//! scripts that print what a real `tsh version --client` prints.

mod check;
mod clients;
#[cfg(unix)]
mod doctor;
mod env;
mod fix;
#[cfg(unix)]
mod probe;
#[cfg(unix)]
mod scan;
