//! One suite of `SecretStore` behaviour, run against every real backend.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::sync::atomic::{AtomicU32, Ordering};

use vault::store::SecretStore;

/// Item names unique to this run, deleted again when dropped (also when a check fails).
pub struct Names<'a> {
    store: &'a dyn SecretStore,
    prefix: String,
    used: std::cell::RefCell<Vec<String>>,
}

impl<'a> Names<'a> {
    pub fn new(store: &'a dyn SecretStore) -> Self {
        static RUN: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let prefix = format!(
            "vault-test-{}-{}-{nanos}",
            std::process::id(),
            RUN.fetch_add(1, Ordering::Relaxed)
        );
        Names {
            store,
            prefix,
            used: Default::default(),
        }
    }

    pub fn name(&self, suffix: &str) -> String {
        let name = format!("{}-{suffix}", self.prefix);
        self.used.borrow_mut().push(name.clone());
        name
    }
}

impl Drop for Names<'_> {
    fn drop(&mut self) {
        for name in self.used.borrow().iter() {
            let _ = self.store.delete(name);
        }
    }
}

fn get(store: &dyn SecretStore, item: &str) -> Option<String> {
    store
        .get(item)
        .unwrap_or_else(|err| panic!("{}: get {item:?} failed: {err}", store.name()))
        .map(|secret| secret.to_string())
}

fn set(store: &dyn SecretStore, item: &str, secret: &str) {
    store
        .set(item, secret)
        .unwrap_or_else(|err| panic!("{}: set {item:?} failed: {err}", store.name()));
}

fn has(store: &dyn SecretStore, item: &str) -> bool {
    store
        .has(item)
        .unwrap_or_else(|err| panic!("{}: has {item:?} failed: {err}", store.name()))
}

/// The store's item names that belong to this run, in the store's (sorted) order.
fn ours(store: &dyn SecretStore, names: &Names) -> Vec<String> {
    store
        .names()
        .unwrap_or_else(|err| panic!("{}: names failed: {err}", store.name()))
        .into_iter()
        .filter(|name| name.starts_with(&names.prefix))
        .collect()
}

fn delete(store: &dyn SecretStore, item: &str) -> bool {
    store
        .delete(item)
        .unwrap_or_else(|err| panic!("{}: delete {item:?} failed: {err}", store.name()))
}

/// The behaviour every backend must have.
pub fn run(store: &dyn SecretStore) {
    let who = store.name();
    assert!(!who.is_empty());
    assert!(store.describe().starts_with(who), "{}", store.describe());
    let names = Names::new(store);

    let missing = names.name("missing");
    assert_eq!(get(store, &missing), None, "{who}: get of a missing item");
    assert!(!has(store, &missing), "{who}: has of a missing item");
    assert!(
        !delete(store, &missing),
        "{who}: delete of a missing item returns false"
    );

    let a = names.name("a");
    let b = names.name("b");
    set(
        store,
        &a,
        r#"{"AccessKeyID":"AKIA1","SecretAccessKey":"s1"}"#,
    );
    set(store, &b, "bee");
    assert_eq!(
        ours(store, &names),
        [a.clone(), b.clone()],
        "{who}: names lists what is stored"
    );
    assert!(
        has(store, &a) && has(store, &b),
        "{who}: has of stored items"
    );
    assert_eq!(
        get(store, &a).as_deref(),
        Some(r#"{"AccessKeyID":"AKIA1","SecretAccessKey":"s1"}"#),
        "{who}: round trip"
    );

    set(store, &a, "replaced");
    assert_eq!(
        get(store, &a).as_deref(),
        Some("replaced"),
        "{who}: replace"
    );
    assert_eq!(
        get(store, &b).as_deref(),
        Some("bee"),
        "{who}: items are independent"
    );

    assert!(
        delete(store, &a),
        "{who}: delete of an existing item returns true"
    );
    assert_eq!(get(store, &a), None, "{who}: deleted item is gone");
    assert!(!has(store, &a), "{who}: has of a deleted item");
    assert!(has(store, &b), "{who}: has of the item left");
    assert!(!delete(store, &a), "{who}: second delete returns false");
    assert_eq!(
        ours(store, &names),
        std::slice::from_ref(&b),
        "{who}: names after a delete"
    );
    assert_eq!(
        get(store, &b).as_deref(),
        Some("bee"),
        "{who}: delete touched another item"
    );

    for (suffix, odd) in [
        ("odd", "a b/c:d"),
        ("dots", "../../etc/passwd"),
        ("uni", "名前-ünï"),
    ] {
        let item = names.name(&format!("{suffix}-{odd}"));
        set(store, &item, suffix);
        assert_eq!(
            get(store, &item).as_deref(),
            Some(suffix),
            "{who}: name {item:?}"
        );
    }
    let listed = ours(store, &names);
    for (suffix, odd) in [
        ("odd", "a b/c:d"),
        ("dots", "../../etc/passwd"),
        ("uni", "名前-ünï"),
    ] {
        let item = format!("{}-{suffix}-{odd}", names.prefix);
        assert!(
            listed.contains(&item),
            "{who}: names has {item:?}: {listed:?}"
        );
    }
    // Names differing only in an odd character must not share an entry.
    let plain = names.name("a b/c:d-x");
    let variant = names.name("a b/c_d-x");
    set(store, &plain, "colon");
    set(store, &variant, "underscore");
    assert_eq!(
        get(store, &plain).as_deref(),
        Some("colon"),
        "{who}: {plain:?}"
    );

    let big: String = (0..10 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let large = names.name("large");
    set(store, &large, &big);
    assert_eq!(get(store, &large), Some(big), "{who}: a 10 KB value");

    let unicode = names.name("unicode");
    let text = "clé → 秘密 🔑 \"quoted\" \\ back\nnew line";
    set(store, &unicode, text);
    assert_eq!(
        get(store, &unicode).as_deref(),
        Some(text),
        "{who}: unicode value"
    );
}
