//! What a panic prints: where it happened, never its message.
//!
//! Rust's default hook prints the payload, and payloads quote data: slicing a string at a bad
//! index prints the whole string (a non-ASCII access key id made `vault rotate` print the id
//! that way), an `expect` on a parse error prints the error and what it quotes. A location is
//! enough to find the bug, so that is all a user sees. The exit status stays a panic's (101).

use std::io::Write as _;
use std::panic::Location;

/// Replace the default hook; call first thing in `main`, before any thread starts.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        // Never `eprintln!`: it panics when stderr is gone, and a panic in the hook aborts.
        let _ = writeln!(std::io::stderr(), "{}", line(info.location()));
    }));
}

/// The one line printed for a panic at `location`.
pub fn line(location: Option<&Location<'_>>) -> String {
    let at = location.map_or_else(
        || "an unknown place".to_string(),
        |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
    );
    format!(
        "vault: internal error at {at} (a bug: please report this line; the details are not shown, as they may hold a secret)"
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn a_panic_shows_its_place_and_not_its_payload() {
        static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let previous = std::panic::take_hook();
        // The same hook body as `install`, writing where the test can read it.
        std::panic::set_hook(Box::new(|info| {
            SEEN.lock().unwrap().push(line(info.location()));
        }));
        let id = String::from("AKIéSECRETKEYID0001");
        let caught = std::panic::catch_unwind(|| id[..4].len());
        std::panic::set_hook(previous);
        assert!(caught.is_err(), "slicing inside `é` panics");
        let seen = SEEN.lock().unwrap();
        let ours: Vec<_> = seen
            .iter()
            .filter(|l| l.contains("panic_hook.rs"))
            .collect();
        assert_eq!(ours.len(), 1, "{seen:?}");
        assert!(
            ours[0].starts_with("vault: internal error at src/panic_hook.rs:"),
            "{}",
            ours[0]
        );
        assert!(
            !ours[0].contains("SECRET") && !ours[0].contains("char boundary"),
            "{}",
            ours[0]
        );
    }
}
