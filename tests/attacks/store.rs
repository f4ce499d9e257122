//! The file store's folder: no encrypted temporary file left behind for ever by a killed writer.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::support::*;

fn plant(dir: &Path, name: &str, age: Duration) {
    let path = dir.join(name);
    std::fs::write(&path, b"ciphertext of a write that never finished").unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

/// A writer killed between writing its temporary file and renaming it (SIGKILL during
/// `add --force`) left `.PID-RANDOM.tmp` in the store folder for ever. The next opening of the
/// store removes it once its writer is dead, and leaves a live writer's file alone.
#[test]
fn left_over_temporary_files_are_removed() {
    let sb = Sandbox::new();
    sb.add("first");
    let dir = sb.home().join(".local/share/vault/keys");
    assert!(dir.is_dir(), "the store is in {dir:?}");
    let dead = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    let live = std::process::id();
    let minutes = |n: u64| Duration::from_secs(60 * n);
    let gone = [
        format!(".{dead}-Killed.tmp"),
        format!(".{live}-Reused.tmp"),
        ".Oldname.tmp".to_string(),
    ];
    let kept = [
        format!(".{dead}-Young1.tmp"),
        format!(".{live}-Writing.tmp"),
    ];
    plant(&dir, &gone[0], minutes(2));
    plant(&dir, &gone[1], minutes(3 * 24 * 60));
    plant(&dir, &gone[2], minutes(3 * 24 * 60));
    // Young with a dead PID: a writer in another PID namespace may still be at it.
    plant(&dir, &kept[0], Duration::ZERO);
    // A live writer's file, however slow the write.
    plant(&dir, &kept[1], minutes(2));

    let out = sb
        .vault(&["add", "first", "--env", "--force"])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .output()
        .unwrap();
    assert_success(&out);
    for name in &gone {
        assert!(!dir.join(name).exists(), "{name} is still there");
    }
    for name in &kept {
        assert!(dir.join(name).exists(), "{name} was removed");
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert_eq!(left.len(), kept.len(), "temporary files left: {left:?}");
}
