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

/// How many times a person at the terminal may type a passphrase that does not open the store
/// (or a repeat that does not match) before the command gives up.
const TRIES: usize = 3;

/// What the first use of the file store says before it asks for a new passphrase: what the
/// store is and why there is a passphrase at all.
fn first_use_explanation(place: &str) -> String {
    // Wrapped for an 80-column terminal; the folder on a line of its own.
    format!(
        "
vault keeps your AWS keys in its file store, encrypted files in
  {place}
(used when no OS keyring is available, or when VAULT_BACKEND=file or --backend
file chose it). They are encrypted with a passphrase you choose now: nothing
can recover the keys without it, so it is asked twice to catch a typo. vault
asks for it again when it needs the keys (on Linux an unlock is remembered for
15 minutes by default: VAULT_FILE_UNLOCK_TTL); scripts can set
VAULT_FILE_PASSPHRASE instead.

"
    )
}

/// A new store's passphrase: from the environment, else chosen at the terminal (hidden input,
/// asked twice so a typo cannot lock the user out of everything written afterwards), after
/// the paragraph that says what this is.
pub(super) fn for_new_store(place: &str) -> Result<Zeroizing<String>, StoreError> {
    if let Some(from_env) = from_env() {
        return Ok(from_env);
    }
    choose_with(
        crate::tty::read_secret,
        |text: &str| {
            crate::tty::tell(text);
        },
        place,
    )
}

/// The key `open` gets from the first passphrase that opens an existing store: the
/// environment's (one try), else the terminal's (hidden input, [`TRIES`] tries).
pub(super) fn open_existing<K>(
    place: &str,
    open: impl FnMut(&str) -> Result<K, StoreError>,
) -> Result<K, StoreError> {
    if let Some(from_env) = from_env() {
        let mut open = open;
        return open(&from_env);
    }
    open_with(
        crate::tty::read_secret,
        |text: &str| {
            crate::tty::tell(text);
        },
        place,
        open,
    )
}

/// Why a terminal prompt gave no passphrase, as the store's error.
fn not_read(err: PromptError) -> StoreError {
    match err {
        PromptError::NoTerminal => StoreError::NoTerminal,
        PromptError::Cancelled => StoreError::Cancelled,
        other => StoreError::NoPassphrase {
            reason: format!("cannot read it from the terminal: {other}"),
        },
    }
}

pub(super) fn choose_with(
    mut ask: impl FnMut(&str) -> Result<Zeroizing<String>, PromptError>,
    mut tell: impl FnMut(&str),
    place: &str,
) -> Result<Zeroizing<String>, StoreError> {
    // Said on the terminal only (no terminal: nothing is said, and the prompt fails).
    tell(&first_use_explanation(place));
    let mut tries = 0;
    loop {
        tries += 1;
        let first = ask(&format!(
            "New passphrase for the vault file store in {place}: "
        ))
        .map_err(not_read)?;
        check_not_empty(&first)?;
        let again = ask("Repeat the passphrase: ").map_err(not_read)?;
        if *again == *first {
            return Ok(first);
        }
        if tries == TRIES {
            return Err(StoreError::NoPassphrase {
                reason: format!("the two passphrases differed {TRIES} times"),
            });
        }
        tell("The two passphrases differ; choose it again.\n");
    }
}

pub(super) fn open_with<K>(
    mut ask: impl FnMut(&str) -> Result<Zeroizing<String>, PromptError>,
    mut tell: impl FnMut(&str),
    place: &str,
    mut open: impl FnMut(&str) -> Result<K, StoreError>,
) -> Result<K, StoreError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let typed =
            ask(&format!("Passphrase for the vault file store in {place}: ")).map_err(not_read)?;
        check_not_empty(&typed)?;
        match open(&typed) {
            Err(StoreError::WrongPassphrase { .. }) if tries < TRIES => {
                let left = TRIES - tries;
                let tries_left = if left == 1 { "try" } else { "tries" };
                tell(&format!("Wrong passphrase; {left} more {tries_left}.\n"));
            }
            done => return done,
        }
    }
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

    fn wrong(dir: &str) -> StoreError {
        StoreError::WrongPassphrase {
            dir: dir.to_string(),
        }
    }

    /// Opens with "pw" only.
    fn opener(tried: &mut Vec<String>) -> impl FnMut(&str) -> Result<(), StoreError> + '_ {
        move |typed: &str| {
            tried.push(typed.to_string());
            if typed == "pw" {
                Ok(())
            } else {
                Err(wrong("d"))
            }
        }
    }

    #[test]
    fn existing_store_asks_until_it_opens_three_times_at_most() {
        let mut tried = vec![];
        let mut said = vec![];
        open_with(
            answers(&["x", "pw"]),
            |t: &str| said.push(t.to_string()),
            "d",
            opener(&mut tried),
        )
        .unwrap();
        assert_eq!(tried, ["x", "pw"]);
        assert_eq!(said, ["Wrong passphrase; 2 more tries.\n"]);
        let mut tried = vec![];
        let err = open_with(
            answers(&["a", "b", "c"]),
            |_: &str| {},
            "d",
            opener(&mut tried),
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
        assert_eq!(tried.len(), 3);
    }

    #[test]
    fn new_store_explains_then_requires_matching_repeat() {
        let mut said = vec![];
        let pw = choose_with(
            answers(&["pw", "px", "pw", "pw"]),
            |t: &str| said.push(t.to_string()),
            "DIR",
        )
        .unwrap();
        assert_eq!(pw.as_str(), "pw");
        assert!(said[0].contains("file store, encrypted files in\n  DIR\n"));
        assert!(said[0].contains("twice"));
        assert_eq!(said[1], "The two passphrases differ; choose it again.\n");
        let typed = ["first-x", "second-y"].repeat(3);
        let err = choose_with(answers(&typed), |_: &str| {}, "d").unwrap_err();
        assert!(matches!(err, StoreError::NoPassphrase { .. }), "{err}");
        assert!(!err.to_string().contains("-x") && !err.to_string().contains("-y"));
    }

    #[test]
    fn empty_is_refused() {
        let err = choose_with(answers(&[""]), |_: &str| {}, "d").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn no_terminal_and_cancel_are_their_own_errors() {
        let err = open_with(
            |_: &str| Err(PromptError::NoTerminal),
            |_: &str| {},
            "d",
            |_: &str| Ok(()),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no terminal to ask for the passphrase: set VAULT_FILE_PASSPHRASE or run in a terminal"
        );
        let err = open_with(
            |_: &str| Err(PromptError::Cancelled),
            |_: &str| {},
            "d",
            |_: &str| Ok(()),
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::Cancelled), "{err}");
    }
}
