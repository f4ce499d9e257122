//! The store behaviour suite against the encrypted file store and the real kernel keyring.
//! (The Secret Service runs in its own binary, tests/store_secret_service.rs, because it
//! changes environment variables.)

#[path = "support/store_suite.rs"]
mod store_suite;

use vault::store::SecretStore;
use vault::store::file::FileStore;

#[test]
fn file_store_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::with_passphrase(dir.path().join("keys"), "suite passphrase").unwrap();
    store_suite::run(&store);

    // What one process wrote, another (a fresh store, same passphrase) reads.
    store.set("shared", "across processes").unwrap();
    let again = FileStore::with_passphrase(dir.path().join("keys"), "suite passphrase").unwrap();
    assert_eq!(
        again.get("shared").unwrap().unwrap().as_str(),
        "across processes"
    );
}

#[test]
fn file_store_rejects_a_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let right = FileStore::with_passphrase(dir.path().to_path_buf(), "right").unwrap();
    right.set("item", "value").unwrap();
    let wrong = FileStore::with_passphrase(dir.path().to_path_buf(), "wrong").unwrap();
    let err = wrong.get("item").unwrap_err();
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    assert!(wrong.set("item", "clobbered").is_err());
    assert_eq!(right.get("item").unwrap().unwrap().as_str(), "value");
}

#[cfg(target_os = "linux")]
mod keyutils {
    use std::process::Command;

    use vault::store::keyutils::KeyutilsStore;
    use vault::store::{Backend, SecretStore};

    use super::store_suite;

    fn require_keyctl() {
        let found = Command::new("keyctl").arg("--version").output();
        assert!(
            found.is_ok_and(|out| out.status.success()),
            "the keyctl command is required for these tests (Debian/Ubuntu: apt-get install keyutils)"
        );
    }

    #[test]
    fn kernel_keyring_passes_the_suite() {
        let store = vault::store::open(Some(Backend::Keyutils)).expect("keyutils backend opens");
        assert_eq!(store.name(), "keyutils");
        store_suite::run(store.as_ref());
    }

    #[test]
    fn user_keyring_passes_the_suite() {
        store_suite::run(&KeyutilsStore::user_keyring_only());
    }

    #[test]
    fn keys_are_namespaced_and_visible_to_keyctl() {
        require_keyctl();
        let store = KeyutilsStore::user_keyring_only();
        let names = store_suite::Names::new(&store);
        let item = names.name("visible");
        store.set(&item, "from vault").unwrap();
        let out = Command::new("keyctl")
            .args(["search", "@u", "user", &format!("vault:{item}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = String::from_utf8(out.stdout).unwrap();
        let out = Command::new("keyctl")
            .args(["pipe", id.trim()])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "from vault");

        // The owning uid may search and read it, so a login whose session keyring does not
        // link @u still finds it. `rdescribe`: type;uid;gid;perm;description.
        let out = Command::new("keyctl")
            .args(["rdescribe", id.trim()])
            .output()
            .unwrap();
        let line = String::from_utf8(out.stdout).unwrap();
        let perm = line.split(';').nth(3).expect("rdescribe output");
        let perm = u32::from_str_radix(perm, 16).unwrap();
        let (user_read, user_search) = (0x0002_0000, 0x0008_0000);
        assert_eq!(
            perm & (user_read | user_search),
            user_read | user_search,
            "{line}"
        );
    }

    /// Re-runs one `#[ignore]`d test of this binary inside a new session keyring, as a login
    /// with pam_keyinit has (`link_user` also links @u into it, as pam_keyinit does).
    fn run_in_new_session(test: &str, link_user: bool, env: &[(&str, &str)]) {
        require_keyctl();
        let exe = std::env::current_exe().unwrap();
        let script = if link_user {
            r#"keyctl link @u @s >/dev/null && exec "$@""#
        } else {
            r#"exec "$@""#
        };
        let out = Command::new("keyctl")
            .args(["session", "-", "sh", "-c", script, "sh"])
            .arg(exe)
            .args([
                "--exact",
                test,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let log = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "{test} in a new session keyring failed:\n{log}"
        );
        assert!(log.contains("1 passed"), "{test} did not run:\n{log}");
        assert!(
            log.contains(CHILD_RAN),
            "{test} returned before its checks:\n{log}"
        );
    }

    #[test]
    fn own_session_keyring_passes_the_suite_and_sees_user_keys() {
        let store = KeyutilsStore::user_keyring_only();
        let names = store_suite::Names::new(&store);
        let item = names.name("from-outside");
        store.set(&item, "written to @u").unwrap();
        for link_user in [true, false] {
            run_in_new_session(
                "keyutils::in_session_child",
                link_user,
                &[("VAULT_TEST_OUTSIDE_ITEM", &item)],
            );
        }
        // The child deleted nothing of ours and its session items died with its session.
        assert_eq!(store.get(&item).unwrap().unwrap().as_str(), "written to @u");
    }

    #[test]
    #[ignore = "run by own_session_keyring_passes_the_suite_and_sees_user_keys"]
    fn in_session_child() {
        // Only meaningful when started by its parent test (e.g. not under --include-ignored).
        let Ok(outside) = std::env::var("VAULT_TEST_OUTSIDE_ITEM") else {
            return;
        };
        let store = KeyutilsStore::open().unwrap();
        assert!(
            store.describe().contains("session keyring"),
            "a new session keyring must be used: {}",
            store.describe()
        );
        store_suite::run(&store);
        assert_eq!(
            store.get(&outside).unwrap().unwrap().as_str(),
            "written to @u",
            "an item written where there was no session keyring is found from a session"
        );
        println!("{CHILD_RAN}");
    }

    /// Printed by the child after its checks, so the parent can tell a run from an early return.
    const CHILD_RAN: &str = "in-session child: every check ran";
}
