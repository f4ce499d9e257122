//! The Linux kernel key retention service: in memory only, gone at reboot.
//!
//! `linux-keyutils-keyring-store` keeps keys in the *session* keyring. That only works where
//! the login has a session keyring of its own (pam_keyinit, as on desktops). Without one (SSH
//! without pam_keyinit, containers, CI) the kernel uses the shared user-session keyring, and
//! the crate's first call, KEYCTL_GET_PERSISTENT linked to the session keyring, makes the
//! kernel give the thread a fresh anonymous session keyring. Its writes to the old one, by
//! number, then fail with EACCES (NoStorageAccess), and anything written to the new one would
//! die with the process anyway. Worse, the thread then no longer "possesses" the user keyring,
//! so our own later lookups there fail too.
//!
//! So the code below decides up front: with a session keyring of its own, use the crate (and
//! fall back to @u if it is refused anyway); without one, never call the crate and keep keys
//! in the user keyring (@u), which lives as long as the user has processes. Reads and deletes
//! look in both places, so an item is found wherever it was written.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};
use linux_keyutils::{
    Key, KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission,
};
use zeroize::{Zeroize, Zeroizing};

use super::keyring_store::map_error;
use super::{SERVICE, SecretStore, StoreError};

const NAME: &str = "keyutils";
const HINT: &str = "check `keyctl show @u`, or use --backend file";

pub struct KeyutilsStore {
    /// The crate's store, only when this login has a session keyring of its own.
    session: Option<Arc<CredentialStore>>,
}

impl KeyutilsStore {
    pub fn open() -> Result<Self, StoreError> {
        // The user keyring always exists for a uid; failing here means the kernel has no key
        // support (or a seccomp filter blocks keyctl), so the backend is unusable.
        user_keyring().map_err(|err| StoreError::Unavailable {
            store: NAME,
            reason: format!("the kernel keyring is not reachable: {err:?} ({HINT})"),
        })?;
        let session = if has_own_session_keyring() {
            let store = linux_keyutils_keyring_store::Store::new()
                .map_err(|err| map_error(NAME, HINT, "", err))?;
            Some(store as Arc<CredentialStore>)
        } else {
            None
        };
        Ok(Self { session })
    }

    /// A store that keeps every key in @u, whatever the session keyring is.
    pub fn user_keyring_only() -> Self {
        Self { session: None }
    }

    fn session_entry(store: &Arc<CredentialStore>, item: &str) -> Result<Entry, StoreError> {
        let description = description(item);
        let modifiers = HashMap::from([("description", description.as_str())]);
        Entry::new_in_store_with_modifiers(store, SERVICE, item, &modifiers)
            .map_err(|err| map_error(NAME, HINT, item, err))
    }
}

/// Asking for the session keyring without `create` returns the user-session keyring when the
/// login never got its own, and does not disturb the thread's keyrings.
fn has_own_session_keyring() -> bool {
    let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false);
    let user_session = KeyRing::from_special_id(KeyRingIdentifier::UserSession, false);
    matches!((session, user_session), (Ok(s), Ok(us)) if s != us)
}

/// Namespaced so our keys cannot collide with another program's in a shared keyring.
fn description(item: &str) -> String {
    format!("{SERVICE}:{item}")
}

/// The user keyring (@u), created if the uid has none yet.
pub(crate) fn user_keyring() -> Result<KeyRing, KeyError> {
    KeyRing::from_special_id(KeyRingIdentifier::User, true)
}

/// A key's owner gets only "view" by default, the rest going to whoever *possesses* it
/// through their session keyring. A login whose session keyring does not link @u would then
/// not see the key at all; grant the owning uid `owner` too. Best effort: the key is stored
/// either way.
pub(crate) fn grant_owner(key: &Key, owner: Permission) {
    let perms = KeyPermissionsBuilder::builder()
        .posessor(Permission::ALL)
        .user(owner)
        .build();
    let _ = key.set_perms(perms);
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
                "the kernel's key quota for this user is full storing '{item}' (see your line in /proc/key-users; {} in /proc/sys/kernel/keys/ set the limits; `keyctl show @u` lists the keys, or use --backend file)",
                quota_files()
            ),
        },
        _ => StoreError::Platform {
            store: NAME,
            reason: format!("item '{item}': {err:?}"),
        },
    }
}

/// An error of the crate's session-keyring store; a full quota reads as it does for @u.
fn session_error(item: &str, err: Error) -> StoreError {
    if let Error::PlatformFailure(cause) = &err
        && let Some(KeyError::QuotaExceeded) = cause.downcast_ref::<KeyError>()
    {
        return key_error(item, KeyError::QuotaExceeded);
    }
    map_error(NAME, HINT, item, err)
}

/// The quota settings that apply: root has its own pair.
fn quota_files() -> &'static str {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        "root_maxkeys and root_maxbytes"
    } else {
        "maxkeys and maxbytes"
    }
}

fn user_find(item: &str) -> Result<Option<Key>, KeyError> {
    match user_keyring()?.search(&description(item)) {
        Ok(key) => Ok(Some(key)),
        Err(err) if is_gone(err) => Ok(None),
        Err(err) => Err(err),
    }
}

fn user_get(item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
    let Some(key) = user_find(item).map_err(|err| key_error(item, err))? else {
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

/// A search of @u; the key's payload is not read.
fn user_has(item: &str) -> Result<bool, StoreError> {
    Ok(user_find(item)
        .map_err(|err| key_error(item, err))?
        .is_some())
}

fn user_set(item: &str, secret: &str) -> Result<(), StoreError> {
    if secret.is_empty() {
        return Err(StoreError::Platform {
            store: NAME,
            reason: format!("item '{item}': the kernel keyring cannot hold an empty secret"),
        });
    }
    let key = user_keyring()
        .and_then(|ring| ring.add_key(&description(item), secret.as_bytes()))
        .map_err(|err| key_error(item, err))?;
    grant_owner(
        &key,
        Permission::VIEW | Permission::READ | Permission::WRITE | Permission::SEARCH,
    );
    Ok(())
}

fn user_delete(item: &str) -> Result<bool, StoreError> {
    match user_find(item).map_err(|err| key_error(item, err))? {
        Some(key) => match key.invalidate() {
            Ok(()) => Ok(true),
            Err(err) if is_gone(err) => Ok(false),
            Err(err) => Err(key_error(item, err)),
        },
        None => Ok(false),
    }
}

/// The items linked directly into `ring` (where `set` puts them), by their namespaced
/// descriptions. A keyring that cannot be read (none for this login, or not ours) has none.
fn names_in(ring: Result<KeyRing, KeyError>, names: &mut Vec<String>) {
    let prefix = description("");
    let Ok(links) = ring.and_then(|ring| ring.get_links(MAX_LISTED)) else {
        return;
    };
    for key in links.iter().filter_map(|node| node.as_key()) {
        if let Ok(metadata) = key.metadata()
            && let Some(item) = metadata.get_description().strip_prefix(&prefix)
        {
            names.push(item.to_string());
        }
    }
}

/// Far above what a user keyring's quota holds (200 keys by default).
const MAX_LISTED: usize = 65536;

impl SecretStore for KeyutilsStore {
    fn name(&self) -> &'static str {
        NAME
    }

    fn describe(&self) -> String {
        match self.session {
            Some(_) => "keyutils (session keyring, then user keyring)".to_string(),
            None => "keyutils (user keyring)".to_string(),
        }
    }

    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let Some(store) = &self.session else {
            return user_get(item);
        };
        match Self::session_entry(store, item)?.get_password() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            // Not in this session: it may have been written to @u from a login without one.
            Err(Error::NoEntry | Error::NoStorageAccess(_)) => user_get(item),
            Err(err) => Err(session_error(item, err)),
        }
    }

    /// Searches, in the same places as `get`, without reading the payload (the crate's
    /// `get_credential` is a keyring search).
    fn has(&self, item: &str) -> Result<bool, StoreError> {
        let Some(store) = &self.session else {
            return user_has(item);
        };
        match Self::session_entry(store, item)?.get_credential() {
            Ok(_) => Ok(true),
            Err(Error::NoEntry | Error::NoStorageAccess(_)) => user_has(item),
            Err(err) => Err(session_error(item, err)),
        }
    }

    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError> {
        let Some(store) = &self.session else {
            return user_set(item, secret);
        };
        match Self::session_entry(store, item)?.set_password(secret) {
            Ok(()) => {
                // A copy left in @u by a login without a session keyring would outlive this
                // session and resurface later with an old value.
                let _ = user_delete(item);
                Ok(())
            }
            Err(Error::NoStorageAccess(_)) => user_set(item, secret),
            Err(err) => Err(session_error(item, err)),
        }
    }

    fn delete(&self, item: &str) -> Result<bool, StoreError> {
        let Some(store) = &self.session else {
            return user_delete(item);
        };
        let in_session = match Self::session_entry(store, item)?.delete_credential() {
            Ok(()) => true,
            Err(Error::NoEntry | Error::NoStorageAccess(_)) => false,
            Err(err) => return Err(session_error(item, err)),
        };
        Ok(user_delete(item)? || in_session)
    }

    /// The same two places `get` reads: the session keyring (the crate adds keys there) when
    /// this login has one, and the user keyring.
    fn names(&self) -> Result<Vec<String>, StoreError> {
        let mut names = vec![];
        if self.session.is_some() {
            names_in(
                KeyRing::from_special_id(KeyRingIdentifier::Session, false),
                &mut names,
            );
        }
        names_in(user_keyring(), &mut names);
        names.sort();
        names.dedup();
        Ok(names)
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
    fn user_keyring_round_trip() {
        let store = KeyutilsStore::user_keyring_only();
        let item = format!("unit-test-{}", std::process::id());
        store.set(&item, "first").unwrap();
        store.set(&item, "second").unwrap();
        assert_eq!(store.get(&item).unwrap().unwrap().as_str(), "second");
        assert!(store.delete(&item).unwrap());
        assert!(store.get(&item).unwrap().is_none());
        assert!(!store.delete(&item).unwrap());
    }

    /// `has` is a search: whether it skips the read cannot be seen from here, since the kernel
    /// lets whoever can search a possessed key read it too.
    #[test]
    fn has_follows_set_and_delete() {
        let store = KeyutilsStore::user_keyring_only();
        let item = format!("unit-test-has-{}", std::process::id());
        let other = format!("{item}-other");
        assert!(!store.has(&item).unwrap());
        store.set(&item, "secret").unwrap();
        store.set(&other, "kept").unwrap();
        assert!(store.has(&item).unwrap());
        assert!(store.delete(&item).unwrap());
        assert!(!store.has(&item).unwrap());
        assert!(store.has(&other).unwrap());
        assert!(store.delete(&other).unwrap());
    }

    #[test]
    fn empty_secret_is_a_clear_error() {
        let err = KeyutilsStore::user_keyring_only().set("x", "").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
