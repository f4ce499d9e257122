//! Where the file store's passphrase comes from: the environment, else the terminal.

use std::sync::OnceLock;

use zeroize::Zeroizing;

use crate::store::StoreError;
use crate::tty::PromptError;

pub(super) const ENV_VARS: [&str; 2] = ["VAULT_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE"];

/// The passphrase variables as they were when vault started, after [`take_from_environment`].
static TAKEN: OnceLock<Vec<(&'static str, Zeroizing<String>)>> = OnceLock::new();

/// Move the passphrase variables out of this process's environment into memory. Every
/// process vault starts (an `exec` child, `credential_process`, `mfa_process`, a browser) then
/// starts without them: a child that could read the passphrase could unlock the store and
/// print the long-term keys. Called first thing in `main`, before any thread exists.
pub fn take_from_environment() {
    let taken = ENV_VARS
        .iter()
        .filter_map(|name| std::env::var(name).ok().map(|v| (*name, Zeroizing::new(v))))
        .collect();
    for name in ENV_VARS {
        // SAFETY: called from `main` before any other thread is started, so nothing reads the
        // environment concurrently.
        unsafe { std::env::remove_var(name) };
    }
    let _ = TAKEN.set(taken);
}

/// A passphrase variable's value: from what was taken at start-up, else (library use, unit
/// tests) from the environment.
pub fn var(name: &str) -> Option<Zeroizing<String>> {
    match TAKEN.get() {
        Some(taken) => taken
            .iter()
            .find(|(taken_name, _)| *taken_name == name)
            .map(|(_, value)| value.clone()),
        None => std::env::var(name).ok().map(Zeroizing::new),
    }
}

/// The first non-empty passphrase variable. A secret, so not in `Settings`: it goes from the
/// environment straight into a zeroized buffer.
pub(super) fn from_env() -> Option<Zeroizing<String>> {
    ENV_VARS
        .iter()
        .filter_map(|name| var(name))
        .find(|value| !value.is_empty())
}

/// Asks on the terminal (hidden input); a new store asks twice so a typo cannot lock the user
/// out of everything written afterwards.
pub(super) fn from_terminal(new_store: bool, place: &str) -> Result<Zeroizing<String>, StoreError> {
    ask_with(crate::tty::read_secret, new_store, place)
}

pub(super) fn ask_with(
    mut ask: impl FnMut(&str) -> Result<Zeroizing<String>, PromptError>,
    new_store: bool,
    place: &str,
) -> Result<Zeroizing<String>, StoreError> {
    let mut read = |prompt: String| {
        ask(&prompt).map_err(|err| StoreError::NoPassphrase {
            reason: format!("cannot read it from the terminal: {err}"),
        })
    };
    let first = if new_store {
        read(format!(
            "New passphrase for the vault file store in {place}: "
        ))?
    } else {
        read(format!("Passphrase for the vault file store in {place}: "))?
    };
    check_not_empty(&first)?;
    if new_store {
        let again = read("Repeat the passphrase: ".to_string())?;
        if *again != *first {
            return Err(StoreError::NoPassphrase {
                reason: "the two passphrases differ".to_string(),
            });
        }
    }
    Ok(first)
}

pub(super) fn check_not_empty(passphrase: &str) -> Result<(), StoreError> {
    if passphrase.is_empty() {
        return Err(StoreError::NoPassphrase {
            reason: "an empty passphrase is not allowed".to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(list: &[&str]) -> impl FnMut(&str) -> Result<Zeroizing<String>, PromptError> {
        let mut list: Vec<String> = list.iter().rev().map(|s| s.to_string()).collect();
        move |_| {
            Ok(Zeroizing::new(
                list.pop().expect("asked more often than expected"),
            ))
        }
    }

    #[test]
    fn existing_store_asks_once() {
        let pw = ask_with(answers(&["pw"]), false, "d").unwrap();
        assert_eq!(pw.as_str(), "pw");
    }

    #[test]
    fn new_store_requires_matching_repeat() {
        assert_eq!(
            ask_with(answers(&["pw", "pw"]), true, "d")
                .unwrap()
                .as_str(),
            "pw"
        );
        let err = ask_with(answers(&["pw", "px"]), true, "d").unwrap_err();
        assert!(matches!(err, StoreError::NoPassphrase { .. }), "{err}");
        assert!(!err.to_string().contains("px"));
    }

    #[test]
    fn empty_is_refused() {
        let err = ask_with(answers(&[""]), true, "d").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn no_terminal_is_a_clear_error() {
        let err = ask_with(|_| Err(PromptError::NoTerminal), false, "d").unwrap_err();
        assert!(err.to_string().contains("VAULT_FILE_PASSPHRASE"), "{err}");
    }
}
