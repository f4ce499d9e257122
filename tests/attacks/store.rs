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

/// The store keys in the user keyring (@u) that never expire, from /proc/keys: id and row.
fn keys_without_expiry_in_user_keyring() -> Vec<String> {
    let linked = std::process::Command::new("keyctl")
        .args(["rlist", "@u"])
        .output()
        .expect("keyctl (keyutils) is installed");
    let linked: Vec<u32> = String::from_utf8_lossy(&linked.stdout)
        .split_whitespace()
        .filter_map(|id| id.parse().ok())
        .collect();
    std::fs::read_to_string("/proc/keys")
        .unwrap()
        .lines()
        .filter(|row| row.contains(":file-unlock:"))
        .filter(|row| {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let id = u32::from_str_radix(fields[0], 16).unwrap_or(0);
            linked.contains(&id) && fields[3] == "perm"
        })
        .map(str::to_string)
        .collect()
}

/// The remembered unlock was added to the user keyring and given its timeout after: a kill in
/// between left the store's key there with no expiry. vault is killed (strace injects SIGKILL)
/// at each of its keyctl calls in turn, and after each the user keyring holds no store key
/// without a timeout; the run that is not killed leaves one that has a timeout.
#[test]
fn a_kill_while_remembering_the_unlock_leaves_no_key_without_expiry() {
    let strace = "/usr/bin/strace";
    assert!(
        Path::new(strace).exists(),
        "strace is not installed (scripts/install-test-deps.sh installs it)"
    );
    let sb = Sandbox::new();
    sb.add("first");
    let mut finished = false;
    for nth in 1..200 {
        let mut cmd = sb.command(strace);
        cmd.args(["-f", "-qq", "-o", "/dev/null"])
            .arg(format!("--inject=keyctl:signal=SIGKILL:when={nth}"))
            .args([
                env!("CARGO_BIN_EXE_vault"),
                "add",
                "first",
                "--env",
                "--force",
            ])
            .env("VAULT_FILE_UNLOCK_TTL", "10m")
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        let out = run_bounded(&mut cmd, crate::LIMIT);
        let forever = keys_without_expiry_in_user_keyring();
        assert!(
            forever.is_empty(),
            "killed at keyctl call {nth}: the user keyring holds {forever:?}"
        );
        // Every run must remember the unlock again, not find the last one's.
        let locked = sb.vault(&["lock"]).output().unwrap();
        assert_success(&locked);
        if out.status.success() {
            finished = true;
            assert!(nth > 1, "strace killed nothing: {}", stderr(&out));
            assert!(
                stderr(&locked).contains("ocked") || stdout(&locked).contains("ocked"),
                "the last run remembered its unlock: {locked:?}"
            );
            break;
        }
    }
    assert!(finished, "vault never got past its keyctl calls");
}
