//! `vault`: AWS credentials in the OS secret store, short-lived STS credentials in your shell.
//!
//! The library exists so integration tests can reach the pure core; the binary is `src/main.rs`.

pub mod activate;
pub mod aws;
pub mod browser;
pub mod child;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod credentials;
pub mod creds;
pub mod debug;
pub mod duration_text;
pub mod hardening;
pub mod import;
pub mod panic_hook;
pub mod pick;
pub mod profile;
pub mod random;
pub mod settings;
pub mod shell;
pub mod store;
pub mod term;
pub mod tty;
