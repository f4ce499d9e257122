use super::*;

const CHEAP: KdfParams = KdfParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

/// A store with cheap key derivation, so each test pays microseconds instead of a real KDF.
fn store(dir: &Path, passphrase: &str) -> FileStore {
    let mut store = FileStore::with_passphrase(dir.to_path_buf(), passphrase).unwrap();
    store.new_store_kdf = CHEAP;
    store
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn round_trip_replace_delete() {
    let dir = temp();
    let s = store(dir.path(), "pw");
    assert!(s.get("a").unwrap().is_none());
    s.set("a", "one").unwrap();
    assert_eq!(s.get("a").unwrap().unwrap().as_str(), "one");
    s.set("a", "two").unwrap();
    assert_eq!(s.get("a").unwrap().unwrap().as_str(), "two");
    assert!(s.delete("a").unwrap());
    assert!(!s.delete("a").unwrap());
    assert!(s.get("a").unwrap().is_none());

    // A second instance (another process) reads what the first wrote.
    s.set("b", "kept").unwrap();
    let again = store(dir.path(), "pw");
    assert_eq!(again.get("b").unwrap().unwrap().as_str(), "kept");
}

#[test]
fn nothing_is_stored_in_clear() {
    let dir = temp();
    let s = store(dir.path(), "pw");
    s.set("profile", "AKIASECRETVALUE").unwrap();
    for entry in fs::read_dir(dir.path()).unwrap() {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("AKIASECRETVALUE"));
        assert!(
            !text.contains("profile"),
            "item names are hex in file names only"
        );
    }
    assert!(
        dir.path()
            .join(format!("{}.enc", hex::encode("profile")))
            .exists()
    );
}

#[test]
fn wrong_passphrase_is_rejected_and_nothing_is_overwritten() {
    let dir = temp();
    store(dir.path(), "right").set("a", "original").unwrap();
    let item = dir.path().join(format!("{}.enc", hex::encode("a")));
    let before_item = fs::read(&item).unwrap();
    let before_header = fs::read(dir.path().join(HEADER)).unwrap();

    let wrong = store(dir.path(), "wrong");
    let err = wrong.set("a", "overwritten").unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
    assert!(matches!(
        wrong.set("new", "x"),
        Err(StoreError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        wrong.get("a"),
        Err(StoreError::WrongPassphrase { .. })
    ));

    assert_eq!(fs::read(&item).unwrap(), before_item);
    assert_eq!(fs::read(dir.path().join(HEADER)).unwrap(), before_header);
    assert!(
        !dir.path()
            .join(format!("{}.enc", hex::encode("new")))
            .exists()
    );
    assert_eq!(
        store(dir.path(), "right")
            .get("a")
            .unwrap()
            .unwrap()
            .as_str(),
        "original"
    );
    assert!(!err.to_string().contains("wrong".repeat(2).as_str()));
}

#[test]
fn corrupt_item_names_the_item() {
    let dir = temp();
    let s = store(dir.path(), "pw");
    s.set("victim", "value").unwrap();
    let path = s.item_path("victim");
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&path, &bytes).unwrap();
    match s.get("victim") {
        Err(StoreError::Corrupt { item, .. }) => assert_eq!(item, "victim"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    fs::write(&path, b"short").unwrap();
    assert!(matches!(s.get("victim"), Err(StoreError::Corrupt { .. })));
}

#[test]
fn swapped_files_are_detected() {
    let dir = temp();
    let s = store(dir.path(), "pw");
    s.set("alice", "alice-secret").unwrap();
    s.set("bob", "bob-secret").unwrap();
    fs::copy(s.item_path("alice"), s.item_path("bob")).unwrap();
    match s.get("bob") {
        Err(StoreError::Corrupt { item, reason, .. }) => {
            assert_eq!(item, "bob");
            assert!(!reason.contains("secret"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(s.get("alice").unwrap().unwrap().as_str(), "alice-secret");
}

#[test]
fn corrupt_header_is_reported() {
    let dir = temp();
    store(dir.path(), "pw").set("a", "v").unwrap();
    fs::write(dir.path().join(HEADER), "{not json").unwrap();
    match store(dir.path(), "pw").get("a") {
        Err(StoreError::Corrupt { item, .. }) => assert_eq!(item, HEADER),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn permissions_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let root = temp();
    let dir = root.path().join("nested").join("keys");
    let s = store(&dir, "pw");
    assert_eq!(mode(&dir), 0o700);
    s.set("a", "v").unwrap();
    assert_eq!(mode(&s.item_path("a")), 0o600);
    assert_eq!(mode(&dir.join(HEADER)), 0o600);

    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let _reopened = store(&dir, "pw");
    assert_eq!(
        mode(&dir),
        0o700,
        "an existing folder is made private again"
    );
}

#[cfg(unix)]
#[test]
fn replace_is_atomic_rename() {
    use std::os::unix::fs::MetadataExt;
    let dir = temp();
    let s = store(dir.path(), "pw");
    s.set("a", "one").unwrap();
    let first = fs::metadata(s.item_path("a")).unwrap().ino();
    // A reader holding the old file keeps reading the complete old content.
    let old_handle = fs::read(s.item_path("a")).unwrap();
    s.set("a", "two").unwrap();
    let second = fs::metadata(s.item_path("a")).unwrap().ino();
    assert_ne!(first, second, "replaced by rename, not rewritten in place");
    assert_ne!(old_handle, fs::read(s.item_path("a")).unwrap());
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn lost_creation_race_adopts_the_winner() {
    let dir = temp();
    let winner = store(dir.path(), "pw");
    let loser = store(dir.path(), "pw");
    winner.set("a", "v").unwrap();
    // `loser` saw no header before the winner wrote it; simulate by creating directly.
    assert!(loser.create_header().is_ok());
    assert_eq!(loser.get("a").unwrap().unwrap().as_str(), "v");
    let stranger = store(dir.path(), "other");
    assert!(matches!(
        stranger.create_header(),
        Err(StoreError::WrongPassphrase { .. })
    ));
}

#[test]
fn empty_passphrase_is_refused() {
    let dir = temp();
    let err = FileStore::with_passphrase(dir.path().to_path_buf(), "").unwrap_err();
    assert!(matches!(err, StoreError::NoPassphrase { .. }), "{err}");
}

#[test]
fn debug_output_hides_the_passphrase() {
    let dir = temp();
    let s = store(dir.path(), "topsecretpass");
    s.set("a", "v").unwrap();
    let shown = format!("{s:?}");
    assert!(!shown.contains("topsecretpass"), "{shown}");
}

#[test]
fn default_costs_are_used_and_recorded() {
    let dir = temp();
    let s = FileStore::with_passphrase(dir.path().to_path_buf(), "pw").unwrap();
    s.set("a", "v").unwrap();
    let header: Header =
        serde_json::from_str(&fs::read_to_string(dir.path().join(HEADER)).unwrap()).unwrap();
    assert_eq!(header.params, KdfParams::DEFAULT);
    assert_eq!(header.version, FORMAT_VERSION);
}

#[test]
fn has_needs_neither_key_nor_passphrase() {
    let dir = temp();
    let right = store(dir.path(), "pw");
    right.set("a", "one").unwrap();
    assert!(right.has("a").unwrap());
    assert!(!right.has("b").unwrap());

    // A wrong passphrase fails `get`, but `has` never derives a key to notice.
    let wrong = store(dir.path(), "wrong");
    assert!(wrong.has("a").unwrap());
    assert!(!wrong.has("b").unwrap());
    assert!(
        wrong.key.lock().unwrap().is_none(),
        "has unlocked the store"
    );
    assert!(matches!(
        wrong.get("a"),
        Err(StoreError::WrongPassphrase { .. })
    ));

    // A damaged item still exists; only `get` says it is damaged.
    fs::write(right.item_path("a"), b"garbage").unwrap();
    assert!(right.has("a").unwrap());
    assert!(matches!(right.get("a"), Err(StoreError::Corrupt { .. })));
    assert!(right.delete("a").unwrap());
    assert!(!right.has("a").unwrap());
}
