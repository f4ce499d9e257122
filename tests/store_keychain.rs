//! The macOS login keychain, for real: the store behaviour suite, and `vault add`, `exec`,
//! `list` and `remove` through the binary with `VAULT_BACKEND=keychain`. macOS only (CI runs it
//! on GitHub's macos-latest, .github/workflows/ci.yml); elsewhere this binary holds no test.

#[cfg(target_os = "macos")]
#[path = "support/store_suite.rs"]
mod store_suite;
#[cfg(target_os = "macos")]
mod support;

#[cfg(target_os = "macos")]
mod keychain {
    use super::store_suite;
    use super::support::{ACCESS_KEY, SECRET_KEY, Sandbox, assert_success, env_map, stdout};
    use vault::store::Backend;

    #[test]
    fn login_keychain_passes_the_suite() {
        let store = vault::store::open(Some(Backend::Keychain)).expect("the keychain opens");
        assert_eq!(store.name(), "keychain");
        store_suite::run(store.as_ref());
    }

    #[test]
    fn add_exec_list_remove_through_the_binary() {
        let sb = Sandbox::new();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let profile = format!("vault-test-{}-{nanos}", std::process::id());
        sb.write_config(&format!("[profile {profile}]\nregion = eu-west-1\n"));
        let vault = |args: &[&str]| {
            let mut cmd = sb.vault(args);
            cmd.env("VAULT_BACKEND", "keychain");
            cmd
        };
        let out = vault(&["add", &profile, "--env"])
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .output()
            .unwrap();
        assert_success(&out);
        let listed = vault(&["list"]).output().unwrap();
        assert_success(&listed);
        assert!(stdout(&listed).contains(&profile), "{}", stdout(&listed));

        let out = vault(&["exec", &profile, "--no-session", "--", "env"])
            .output()
            .unwrap();
        assert_success(&out);
        let env = env_map(&stdout(&out));
        assert_eq!(env["AWS_ACCESS_KEY_ID"], ACCESS_KEY);
        assert_eq!(env["AWS_SECRET_ACCESS_KEY"], SECRET_KEY);
        assert_eq!(env["AWS_VAULT"], profile);

        assert_success(&vault(&["remove", &profile, "-f"]).output().unwrap());
        let listed = vault(&["list"]).output().unwrap();
        assert_success(&listed);
        assert!(!stdout(&listed).contains(&profile), "{}", stdout(&listed));
    }
}
