//! An in-memory store for unit tests of what sits on top of a store (the provider's cache reuse
//! and locking): no keyring, no files, no passphrase, nothing left behind.

use std::collections::BTreeMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::{SecretStore, StoreError};

/// Items in a map behind a mutex, so threads standing in for processes can share one.
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<String, Zeroizing<String>>>,
}

impl SecretStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn describe(&self) -> String {
        "memory (tests)".to_string()
    }

    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        Ok(self.items.lock().unwrap().get(item).cloned())
    }

    fn has(&self, item: &str) -> Result<bool, StoreError> {
        Ok(self.items.lock().unwrap().contains_key(item))
    }

    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError> {
        self.items
            .lock()
            .unwrap()
            .insert(item.to_string(), Zeroizing::new(secret.to_string()));
        Ok(())
    }

    fn names(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.items.lock().unwrap().keys().cloned().collect())
    }

    fn delete(&self, item: &str) -> Result<bool, StoreError> {
        Ok(self.items.lock().unwrap().remove(item).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_store() {
        let store = MemoryStore::default();
        assert!(store.get("a").unwrap().is_none());
        assert!(!store.has("a").unwrap());
        store.set("a", "one").unwrap();
        assert!(store.has("a").unwrap());
        store.set("a", "two").unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().as_str(), "two");
        assert_eq!(store.names().unwrap(), ["a"]);
        assert!(store.delete("a").unwrap());
        assert!(!store.has("a").unwrap());
        assert!(!store.delete("a").unwrap());
    }
}
