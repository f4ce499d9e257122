//! `--debug` output: one line per decision on stderr, never a secret.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Print a debug line when `--debug` is on. Callers pass only redacted values.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => {
        if $crate::debug::enabled() {
            eprintln!("vault[debug]: {}", $crate::term::escape(&format!($($arg)*)));
        }
    };
}

/// An access key id shortened to something recognisable but not reusable: `ASIA…WXYZ`.
pub fn redact_key_id(id: &str) -> String {
    if id.len() <= 8 {
        return "…".to_string();
    }
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}
