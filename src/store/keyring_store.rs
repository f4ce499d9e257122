//! A [`SecretStore`] over any `keyring_core` credential store, so each OS backend is just a
//! constructor plus the advice to give when it fails.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};
use zeroize::{Zeroize, Zeroizing};

use super::{SERVICE, SecretStore, StoreError};

pub(crate) struct KeyringStore {
    name: &'static str,
    description: String,
    /// What the user can do when the store refuses or fails, appended to error reasons.
    hint: &'static str,
    /// How this store's `search` is asked for our items (see [`SERVICE_SEARCH`]).
    search: (&'static str, &'static str),
    store: Arc<CredentialStore>,
}

/// The search of stores that match attributes (the Secret Service, the Keychain, the mock).
/// Windows builds use only Credential Manager's pattern (and this one in unit tests).
#[cfg_attr(target_os = "windows", allow(dead_code))]
pub(crate) const SERVICE_SEARCH: (&str, &str) = ("service", SERVICE);

impl KeyringStore {
    pub(crate) fn new(
        name: &'static str,
        description: String,
        hint: &'static str,
        search: (&'static str, &'static str),
        store: Arc<CredentialStore>,
    ) -> Self {
        Self {
            name,
            description,
            hint,
            search,
            store,
        }
    }

    fn entry(&self, item: &str) -> Result<Entry, StoreError> {
        Entry::new_in_store(&self.store, SERVICE, item)
            .map_err(|err| map_error(self.name, self.hint, item, err))
    }
}

impl SecretStore for KeyringStore {
    fn name(&self) -> &'static str {
        self.name
    }

    fn describe(&self) -> String {
        self.description.clone()
    }

    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        match self.entry(item)?.get_password() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(Error::NoEntry) => Ok(None),
            Err(err) => Err(map_error(self.name, self.hint, item, err)),
        }
    }

    /// keyring-core's `get_credential` finds the item without returning its secret: a search on
    /// the Secret Service. The macOS keychain crate reads the password to check (the same
    /// access as `get`), and Credential Manager reads the credential; neither decrypts anything
    /// of ours.
    fn has(&self, item: &str) -> Result<bool, StoreError> {
        match self.entry(item)?.get_credential() {
            Ok(_) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(err) => Err(map_error(self.name, self.hint, item, err)),
        }
    }

    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError> {
        self.entry(item)?
            .set_password(secret)
            .map_err(|err| map_error(self.name, self.hint, item, err))
    }

    fn delete(&self, item: &str) -> Result<bool, StoreError> {
        match self.entry(item)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(err) => Err(map_error(self.name, self.hint, item, err)),
        }
    }

    /// A search of the store for our service. Each store reads the search in its own way (the
    /// Secret Service and the Keychain match attributes, Credential Manager a pattern over
    /// target names, which its crate parses back into service and user), so the answer is
    /// filtered on the service once more: another program's items never show.
    fn names(&self) -> Result<Vec<String>, StoreError> {
        let spec: HashMap<&str, &str> = HashMap::from([self.search]);
        let found = Entry::search_in_store(&self.store, &spec)
            .map_err(|err| map_error(self.name, self.hint, "", err))?;
        let mut names: Vec<String> = found
            .iter()
            .filter_map(Entry::get_specifiers)
            .filter(|(service, _)| service == SERVICE)
            .map(|(_, user)| user)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }
}

/// Turns a keyring error into a [`StoreError`] whose text is safe to print: the variants that
/// carry the secret's bytes are reduced to a description, and those bytes are wiped.
pub(crate) fn map_error(store: &'static str, hint: &str, item: &str, err: Error) -> StoreError {
    let with_hint = |reason: String| {
        if hint.is_empty() {
            reason
        } else {
            format!("{reason} ({hint})")
        }
    };
    match err {
        Error::NoStorageAccess(cause) => StoreError::Access {
            store,
            reason: with_hint(cause.to_string()),
        },
        Error::BadEncoding(mut bytes) => {
            bytes.zeroize();
            StoreError::Corrupt {
                store,
                item: item.to_string(),
                reason: "the secret is not UTF-8 text".to_string(),
            }
        }
        Error::BadDataFormat(mut bytes, cause) => {
            bytes.zeroize();
            StoreError::Corrupt {
                store,
                item: item.to_string(),
                reason: format!("malformed secret data: {cause}"),
            }
        }
        Error::Ambiguous(entries) => StoreError::Platform {
            store,
            reason: format!(
                "{} entries match item '{item}'; delete the duplicates with the store's own tool",
                entries.len()
            ),
        },
        Error::PlatformFailure(cause) => StoreError::Platform {
            store,
            reason: with_hint(cause.to_string()),
        },
        Error::NoDefaultStore => StoreError::Unavailable {
            store,
            reason: with_hint("no credential store was set up".to_string()),
        },
        // The remaining variants describe our request or the store's limits and hold no secret
        // data; the enum is non-exhaustive, so new variants land here too.
        other if item.is_empty() => StoreError::Platform {
            store,
            reason: other.to_string(),
        },
        other => StoreError::Platform {
            store,
            reason: format!("item '{item}': {other}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_bytes_never_reach_the_message() {
        let secret = b"hunter2-very-secret".to_vec();
        let err = map_error("test", "", "it", Error::BadEncoding(secret.clone()));
        assert!(matches!(err, StoreError::Corrupt { .. }));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("'it'"), "{shown}");

        let cause: keyring_core::error::PlatformError = "bad padding".into();
        let err = map_error("test", "", "it", Error::BadDataFormat(secret, cause));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("bad padding"), "{shown}");
    }

    #[test]
    fn access_errors_carry_the_hint() {
        let cause: keyring_core::error::PlatformError = "locked".into();
        let err = map_error(
            "secret-service",
            "unlock it",
            "x",
            Error::NoStorageAccess(cause),
        );
        assert_eq!(
            err.to_string(),
            "secret-service refused access: locked (unlock it)"
        );
    }

    #[test]
    fn round_trip_through_the_mock_store() {
        let mock: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let store = KeyringStore::new("mock", "mock".into(), "", SERVICE_SEARCH, mock);
        assert!(store.get("a").unwrap().is_none());
        assert!(!store.has("a").unwrap());
        store.set("a", "one").unwrap();
        assert!(store.has("a").unwrap());
        assert_eq!(store.get("a").unwrap().unwrap().as_str(), "one");
        assert!(store.delete("a").unwrap());
        assert!(!store.has("a").unwrap());
        assert!(!store.delete("a").unwrap());
    }

    #[test]
    fn names_lists_only_our_service() {
        let mock: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let store = KeyringStore::new("mock", "mock".into(), "", SERVICE_SEARCH, Arc::clone(&mock));
        store.set("keys:b", "1").unwrap();
        store.set("keys:a", "2").unwrap();
        Entry::new_in_store(&mock, "another-program", "keys:c")
            .unwrap()
            .set_password("3")
            .unwrap();
        assert_eq!(store.names().unwrap(), ["keys:a", "keys:b"]);
    }
}
