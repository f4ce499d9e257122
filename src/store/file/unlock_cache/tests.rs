//! Against the real kernel keyring: each test's store has its own folder, hence its own entry,
//! and locks it again at the end.

use std::path::Path;
use std::time::Duration;

use linux_keyutils::{KeyRing, KeyRingIdentifier};

use super::UnlockCache;
use crate::store::SecretStore;
use crate::store::file::FileStore;
use crate::store::file::crypto::KdfParams;

const CHEAP: KdfParams = KdfParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

/// A cheap store that remembers unlocks for `ttl`, as `FileStore::open_in` does.
fn store(dir: &Path, passphrase: &str, ttl: Option<Duration>) -> FileStore {
    let mut store = FileStore::with_passphrase(dir.to_path_buf(), passphrase).unwrap();
    store.new_store_kdf = CHEAP;
    store.unlock_ttl = ttl;
    store
}

const MINUTE: Option<Duration> = Some(Duration::from_secs(60));

fn cache_of(dir: &Path) -> UnlockCache {
    let header = store(dir, "unused", None).read_header().unwrap().unwrap();
    UnlockCache::new(dir, &header.salt)
}

fn put_raw(description: &str, payload: &[u8]) {
    let ring = KeyRing::from_special_id(KeyRingIdentifier::User, true).unwrap();
    let key = ring.add_key(description, payload).unwrap();
    key.set_timeout(60).unwrap();
}

#[test]
fn an_unlock_is_remembered_until_lock() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "right", MINUTE)
        .set("item", "value")
        .unwrap();
    assert!(
        cache_of(dir.path()).load().is_some(),
        "the unlock was not remembered"
    );

    // Another process with no usable passphrase still opens the store while it is unlocked.
    let later = store(dir.path(), "not the passphrase", MINUTE);
    assert_eq!(later.get("item").unwrap().unwrap().as_str(), "value");

    assert!(later.lock().unwrap());
    assert!(!later.lock().unwrap(), "a second lock found an entry");
    let locked = store(dir.path(), "not the passphrase", MINUTE);
    let err = locked.get("item").unwrap_err().to_string();
    assert!(err.contains("wrong passphrase"), "{err}");
}

#[test]
fn nothing_is_remembered_when_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "right", None)
        .set("item", "value")
        .unwrap();
    assert!(cache_of(dir.path()).load().is_none());
    // A store created while caching is on, then opened with it off, ignores the entry.
    store(dir.path(), "right", MINUTE).get("item").unwrap();
    let err = store(dir.path(), "wrong", None).get("item").unwrap_err();
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    cache_of(dir.path()).forget();
}

#[test]
fn a_remembered_key_that_does_not_open_the_store_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "right", None)
        .set("item", "value")
        .unwrap();
    let cache = cache_of(dir.path());

    // Someone else's 32 bytes under our name: refused, then replaced by a good unlock.
    put_raw(cache.description(), &[7u8; 32]);
    let err = store(dir.path(), "wrong", MINUTE).get("item").unwrap_err();
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    assert!(cache.load().is_none(), "the bad key was kept");
    assert_eq!(
        store(dir.path(), "right", MINUTE)
            .get("item")
            .unwrap()
            .unwrap()
            .as_str(),
        "value"
    );
    assert!(cache.load().is_some());

    // A payload that is not a key at all is ignored too.
    put_raw(cache.description(), b"short");
    let err = store(dir.path(), "wrong", MINUTE).get("item").unwrap_err();
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    cache.forget();
}

#[test]
fn a_recreated_store_does_not_meet_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    store(&keys, "first", MINUTE).set("item", "old").unwrap();
    let old = cache_of(&keys);
    assert!(old.load().is_some());

    std::fs::remove_dir_all(&keys).unwrap();
    store(&keys, "second", MINUTE).set("item", "new").unwrap();
    let new = cache_of(&keys);
    assert_ne!(
        old.description(),
        new.description(),
        "a new salt must mean a new entry"
    );
    assert_eq!(
        store(&keys, "first", MINUTE)
            .get("item")
            .unwrap()
            .unwrap()
            .as_str(),
        "new"
    );
    old.forget();
    new.forget();
}

#[test]
fn the_kernel_forgets_the_key_when_the_ttl_ends() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "right", Some(Duration::from_secs(1)))
        .set("item", "value")
        .unwrap();
    let cache = cache_of(dir.path());
    assert!(cache.load().is_some());
    std::thread::sleep(Duration::from_millis(2500));
    assert!(cache.load().is_none(), "the key outlived its timeout");
    let err = store(dir.path(), "wrong", MINUTE).get("item").unwrap_err();
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
}

#[test]
fn the_ttl_setting_parses() {
    // Only the parser: the environment is shared by every test thread.
    assert_eq!(super::parse_ttl(None), Ok(Some(super::DEFAULT_TTL)));
    assert_eq!(super::parse_ttl(Some("0")), Ok(None));
    assert_eq!(
        super::parse_ttl(Some("1h")),
        Ok(Some(Duration::from_secs(3600)))
    );
    let err = super::parse_ttl(Some("soon")).unwrap_err();
    assert!(
        err.starts_with("VAULT_FILE_UNLOCK_TTL: 'soon' is not a duration"),
        "{err}"
    );
}
