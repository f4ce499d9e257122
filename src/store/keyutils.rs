//! The Linux kernel key retention service: in memory only, gone at reboot.
//!
//! `linux-keyutils-keyring-store` keeps keys in the *session* keyring. Where no PAM module
//! (pam_keyinit) gave the login its own session keyring (SSH sessions, containers, CI), the
//! session keyring is the shared user-session keyring, and adding to it by number fails with
//! EACCES; the crate then reports NoStorageAccess on the first `set`. So when the crate is
//! refused we keep the key in the user keyring (@u) ourselves, with the same description, and
//! every read and delete looks in both places.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use keyring_core::{CredentialStore, Entry, Error};
use linux_keyutils::{Key, KeyError, KeyRing, KeyRingIdentifier};
use zeroize::{Zeroize, Zeroizing};

use super::keyring_store::map_error;
use super::{SERVICE, SecretStore, StoreError};

const NAME: &str = "keyutils";
const HINT: &str = "check `keyctl show @u`, or use --backend file";

pub struct KeyutilsStore {
    session: Arc<CredentialStore>,
    /// Set once the session keyring refused a write, so later writes go straight to @u.
    session_refused: AtomicBool,
}

impl KeyutilsStore {
    pub fn open() -> Result<Self, StoreError> {
        let session = linux_keyutils_keyring_store::Store::new()
            .map_err(|err| map_error(NAME, HINT, "", err))?;
        // The user keyring always exists for a logged-in uid; failing here means the kernel
        // has no key support (or a seccomp filter blocks keyctl), so the backend is unusable.
        user_keyring().map_err(|err| StoreError::Unavailable {
            store: NAME,
            reason: format!("the kernel keyring is not reachable: {err:?} ({HINT})"),
        })?;
        Ok(Self {
            session,
            session_refused: AtomicBool::new(false),
        })
    }

    fn session_entry(&self, item: &str) -> Result<Entry, StoreError> {
        let description = description(item);
        let modifiers = HashMap::from([("description", description.as_str())]);
        Entry::new_in_store_with_modifiers(&self.session, SERVICE, item, &modifiers)
            .map_err(|err| map_error(NAME, HINT, item, err))
    }
}

/// Namespaced so our keys cannot collide with another program's in a shared keyring.
fn description(item: &str) -> String {
    format!("{SERVICE}:{item}")
}

fn user_keyring() -> Result<KeyRing, KeyError> {
    KeyRing::from_special_id(KeyRingIdentifier::User, true)
}

/// The key in @u (or a keyring linked from it), if there is one.
fn find_in_user(item: &str) -> Result<Option<Key>, StoreError> {
    let found = user_keyring().and_then(|ring| ring.search(&description(item)));
    match found {
        Ok(key) => Ok(Some(key)),
        Err(err) if is_gone(err) => Ok(None),
        Err(err) => Err(key_error(item, err)),
    }
}

/// The kernel reports a missing, expired or just-invalidated key in several ways.
fn is_gone(err: KeyError) -> bool {
    matches!(
        err,
        KeyError::KeyDoesNotExist | KeyError::KeyRevoked | KeyError::KeyExpired
    )
}

fn key_error(item: &str, err: KeyError) -> StoreError {
    match err {
        KeyError::AccessDenied | KeyError::PermissionDenied => StoreError::Access {
            store: NAME,
            reason: format!("the user keyring refused item '{item}': {err:?} ({HINT})"),
        },
        KeyError::QuotaExceeded => StoreError::Platform {
            store: NAME,
            reason: format!(
                "key quota exceeded storing '{item}' (see /proc/sys/kernel/keys/maxbytes, or use --backend file)"
            ),
        },
        _ => StoreError::Platform {
            store: NAME,
            reason: format!("item '{item}': {err:?}"),
        },
    }
}

impl SecretStore for KeyutilsStore {
    fn name(&self) -> &'static str {
        NAME
    }

    fn describe(&self) -> String {
        if self.session_refused.load(Ordering::Relaxed) {
            "keyutils (user keyring)".to_string()
        } else {
            "keyutils (session keyring)".to_string()
        }
    }

    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        match self.session_entry(item)?.get_password() {
            Ok(secret) => return Ok(Some(Zeroizing::new(secret))),
            // The session keyring may be unreadable for the same reason as above, or simply
            // not hold a key written to @u by another session: both mean "look in @u".
            Err(Error::NoEntry | Error::NoStorageAccess(_)) => {}
            Err(err) => return Err(map_error(NAME, HINT, item, err)),
        }
        let Some(key) = find_in_user(item)? else {
            return Ok(None);
        };
        let bytes = match key.read_to_vec() {
            Ok(bytes) => bytes,
            Err(err) if is_gone(err) => return Ok(None),
            Err(err) => return Err(key_error(item, err)),
        };
        match String::from_utf8(bytes) {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(err) => {
                err.into_bytes().zeroize();
                Err(StoreError::Corrupt {
                    store: NAME,
                    item: item.to_string(),
                    reason: "the secret is not UTF-8 text".to_string(),
                })
            }
        }
    }

    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError> {
        if !self.session_refused.load(Ordering::Relaxed) {
            match self.session_entry(item)?.set_password(secret) {
                Ok(()) => {
                    // A copy left in @u by an earlier fallback would outlive this session and
                    // resurface later with an old value.
                    if let Ok(Some(stale)) = find_in_user(item) {
                        let _ = stale.invalidate();
                    }
                    return Ok(());
                }
                Err(Error::NoStorageAccess(_)) => {
                    self.session_refused.store(true, Ordering::Relaxed);
                }
                Err(err) => return Err(map_error(NAME, HINT, item, err)),
            }
        }
        if secret.is_empty() {
            return Err(StoreError::Platform {
                store: NAME,
                reason: format!("item '{item}': the kernel keyring cannot hold an empty secret"),
            });
        }
        user_keyring()
            .and_then(|ring| ring.add_key(&description(item), secret.as_bytes()))
            .map(|_| ())
            .map_err(|err| key_error(item, err))
    }

    fn delete(&self, item: &str) -> Result<bool, StoreError> {
        let in_session = match self.session_entry(item)?.delete_credential() {
            Ok(()) => true,
            Err(Error::NoEntry | Error::NoStorageAccess(_)) => false,
            Err(err) => return Err(map_error(NAME, HINT, item, err)),
        };
        let in_user = match find_in_user(item)? {
            Some(key) => match key.invalidate() {
                Ok(()) => true,
                Err(err) if is_gone(err) => false,
                Err(err) => return Err(key_error(item, err)),
            },
            None => false,
        };
        Ok(in_session || in_user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_namespaced_and_distinct() {
        assert_eq!(description("work"), "vault:work");
        assert_ne!(description("a:b"), description("a"));
    }

    #[test]
    fn user_keyring_fallback_round_trip() {
        // Exercises the hand-written @u path directly, whatever the session keyring does here.
        let store = KeyutilsStore::open().expect("kernel keyring reachable");
        store.session_refused.store(true, Ordering::Relaxed);
        let item = format!("unit-test-{}", std::process::id());
        store.set(&item, "first").unwrap();
        store.set(&item, "second").unwrap();
        assert_eq!(store.get(&item).unwrap().unwrap().as_str(), "second");
        assert!(store.delete(&item).unwrap());
        assert!(store.get(&item).unwrap().is_none());
        assert!(!store.delete(&item).unwrap());
    }
}
