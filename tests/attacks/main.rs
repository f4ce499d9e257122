//! Attacks on the running binary (issue 10's review), one module per finding, each test run as
//! an attacker would with real components: the binary, moto, real signals, a second uid.
//! `docs/TESTING.md` maps each promise of README's security model to its test here.

#[path = "../support/mod.rs"]
mod support;

mod cache;
mod core_dumps;
mod passphrase;
mod process;
mod server;
mod store;
mod trust;
mod urls;
mod values;

use std::time::{Duration, Instant};

pub const LIMIT: Duration = Duration::from_secs(30);

/// Waits until `path` holds a complete line (a helper process wrote it) and returns it.
pub fn wait_for(path: &std::path::Path) -> String {
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
