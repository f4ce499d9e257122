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
/// Never panics: ids are checked where they come in, but slicing by bytes a value that is not
/// ASCII would panic, and the panic message would hold the whole id.
pub fn redact_key_id(id: &str) -> String {
    if id.len() <= 8 || !id.is_ascii() {
        return "…".to_string();
    }
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_shortened_without_panicking() {
        assert_eq!(redact_key_id("ASIAABCDEFGHWXYZ"), "ASIA…WXYZ");
        assert_eq!(redact_key_id("ASIA1234"), "…");
        // `é` straddles byte 4: slicing there panicked in `vault rotate`.
        assert_eq!(redact_key_id("AKIéABCDEFGHWXYZ"), "…");
        assert_eq!(redact_key_id("AKIAABCDEFGHWXYé"), "…");
    }
}
