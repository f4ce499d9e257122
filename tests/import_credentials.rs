//! `vault import-credentials` through the real binary: keys move from a plain-text credentials
//! file into the (file) store, the rest of the file stays byte for byte.

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use support::{ACCESS_KEY, SECRET_KEY, Sandbox, assert_success, stderr, stdout};

const WORK_ID: &str = "AKIAWORKIMPORT000001";
const WORK_SECRET: &str = "workImportSecret/0001+abcdefghijklmnopqrs";
const DEFAULT_ID: &str = "AKIADEFAULTIMPORT001";
const DEFAULT_SECRET: &str = "defaultImportSecret/0001+abcdefghijklmno";

fn file_text() -> String {
    format!(
        "# keys for the tools that need them
[default]
aws_access_key_id = {DEFAULT_ID}
aws_secret_access_key = {DEFAULT_SECRET}

[work] ; my job
aws_access_key_id={WORK_ID}
region = eu-west-1
aws_secret_access_key = {WORK_SECRET}

[temp]
aws_access_key_id = ASIATEMPORARY0000001
aws_secret_access_key = temporarySecret
aws_session_token = FQoGZXIvYXdzEXAMPLETOKEN
"
    )
}

/// What is left of `file_text()` once default and work moved.
const AFTER: &str = "# keys for the tools that need them
[work] ; my job
region = eu-west-1

[temp]
aws_access_key_id = ASIATEMPORARY0000001
aws_secret_access_key = temporarySecret
aws_session_token = FQoGZXIvYXdzEXAMPLETOKEN
";

fn credentials(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".aws/credentials")
}

fn setup(sandbox: &Sandbox, mode: u32) -> PathBuf {
    let path = credentials(sandbox);
    std::fs::write(&path, file_text()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    sandbox.write_config("# my config\n[profile work]\nregion = eu-west-1\n");
    path
}

/// The profiles with stored keys, sorted, one a line.
fn stored(sandbox: &Sandbox) -> String {
    let out = sandbox.vault(&["list", "--credentials"]).output().unwrap();
    assert_success(&out);
    let mut names: Vec<String> = stdout(&out).lines().map(|l| format!("{l}\n")).collect();
    names.sort();
    names.concat()
}

/// The keys the store gives `profile`, through `vault export --no-session`.
fn exported(sandbox: &Sandbox, profile: &str) -> String {
    let out = sandbox
        .vault(&["export", profile, "--no-session"])
        .output()
        .unwrap();
    assert_success(&out);
    stdout(&out)
}

fn backups(sandbox: &Sandbox) -> Vec<PathBuf> {
    std::fs::read_dir(sandbox.home().join(".aws"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.to_string_lossy().contains("backup") || p.to_string_lossy().contains(".credentials")
        })
        .collect()
}

#[test]
fn moves_long_term_keys_and_keeps_the_rest_of_the_file() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o640);
    let out = sandbox.vault(&["import-credentials"]).output().unwrap();
    assert_success(&out);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    for secret in [WORK_SECRET, DEFAULT_SECRET, "temporarySecret", WORK_ID] {
        assert!(!said.contains(secret), "{said}");
    }
    assert!(
        said.contains("temp: skipped: it holds a session token"),
        "{said}"
    );

    assert_eq!(std::fs::read_to_string(&path).unwrap(), AFTER);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the file's mode is kept");
    assert!(
        backups(&sandbox).is_empty(),
        "no backup without --keep-backup: {:?}",
        backups(&sandbox)
    );

    assert_eq!(stored(&sandbox), "default\nwork\n");
    let work = exported(&sandbox, "work");
    assert!(
        work.contains(WORK_ID) && work.contains(WORK_SECRET),
        "{work}"
    );
    assert!(exported(&sandbox, "default").contains(DEFAULT_SECRET));
    // [profile work] was there; default got its section, the rest of the config untouched.
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    assert!(
        config.starts_with("# my config\n[profile work]\nregion = eu-west-1\n"),
        "{config}"
    );
    assert!(config.contains("[default]"), "{config}");

    // Again: nothing left to move.
    let again = sandbox.vault(&["import-credentials"]).output().unwrap();
    assert!(
        stdout(&again).contains("temp: skipped"),
        "{}",
        stdout(&again)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), AFTER);
}

#[test]
fn dry_run_changes_nothing() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o600);
    let config_before = std::fs::read_to_string(sandbox.config_path()).unwrap();
    let out = sandbox
        .vault(&["import-credentials", "--dry-run"])
        .output()
        .unwrap();
    assert_success(&out);
    let said = stdout(&out);
    assert!(said.contains("dry run"), "{said}");
    assert!(said.contains("work: would store AKIA…0001"), "{said}");
    assert!(said.contains("Would add [default] to"), "{said}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), file_text());
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        config_before
    );
    assert_eq!(stored(&sandbox), "");
}

#[test]
fn keep_backup_writes_a_private_copy() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o644);
    let out = sandbox
        .vault(&["import-credentials", "work", "--keep-backup"])
        .output()
        .unwrap();
    assert_success(&out);
    let backup = sandbox.home().join(".aws/credentials.vault-backup");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), file_text());
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Only the named profile moved.
    let left = std::fs::read_to_string(&path).unwrap();
    assert!(
        left.contains(DEFAULT_SECRET) && !left.contains(WORK_SECRET),
        "{left}"
    );
    assert_eq!(stored(&sandbox), "work\n");
    // A second backup does not replace the first.
    let out = sandbox
        .vault(&["import-credentials", "default", "--keep-backup"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        sandbox
            .home()
            .join(".aws/credentials.vault-backup.1")
            .is_file()
    );
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), file_text());
}

#[test]
fn other_stored_keys_are_kept_unless_forced() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o600);
    sandbox.add("work");
    let out = sandbox.vault(&["import-credentials"]).output().unwrap();
    assert!(!out.status.success());
    let said = stdout(&out);
    assert!(
        said.contains("work: skipped: other keys are already stored"),
        "{said}"
    );
    assert!(said.contains("--force"), "{said}");
    // default moved; work's keys stay in the file and in the store as they were.
    let left = std::fs::read_to_string(&path).unwrap();
    assert!(
        left.contains(WORK_SECRET) && !left.contains(DEFAULT_SECRET),
        "{left}"
    );
    assert!(exported(&sandbox, "work").contains(SECRET_KEY));

    let out = sandbox
        .vault(&["import-credentials", "work", "--force"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(exported(&sandbox, "work").contains(WORK_SECRET));
    assert!(!exported(&sandbox, "work").contains(ACCESS_KEY));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), AFTER);
}

#[test]
fn a_failing_store_leaves_the_file_untouched() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o600);
    let blocker = sandbox.path("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let out = sandbox
        .vault(&["import-credentials"])
        .env("VAULT_FILE_DIR", blocker.join("keys"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), file_text());
    assert!(!stderr(&out).contains(WORK_SECRET));
}

#[test]
fn honours_the_credentials_file_variable_and_symlinks() {
    let sandbox = Sandbox::new();
    sandbox.write_config("");
    let real = sandbox.path("dotfiles/aws-credentials");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, file_text()).unwrap();
    let link = sandbox.path("creds-link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = sandbox
        .vault(&["import-credentials", "work", "default"])
        .env("AWS_SHARED_CREDENTIALS_FILE", &link)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), AFTER);
    assert_eq!(stored(&sandbox), "default\nwork\n");
    assert!(!credentials(&sandbox).exists());
}

#[test]
fn named_profiles_that_are_missing_or_temporary_are_reported() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o600);
    let out = sandbox
        .vault(&["import-credentials", "nope", "temp"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = stdout(&out);
    assert!(
        said.contains("nope: skipped: the file has no such profile"),
        "{said}"
    );
    assert!(
        said.contains("temp: skipped: it holds a session token"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), file_text());

    let missing = sandbox
        .vault(&["import-credentials"])
        .env("AWS_SHARED_CREDENTIALS_FILE", sandbox.path("none"))
        .output()
        .unwrap();
    support::assert_one_line_error(&missing, &["does not exist"]);
}

/// A stand-in `pass` keeping items in clear under `$PASSWORD_STORE_DIR` (no GnuPG needed),
/// whose `insert` of `keys:work` fails: the store breaks half-way through an import.
fn half_broken_pass(sandbox: &Sandbox, broken: bool) -> PathBuf {
    let store = sandbox.path("pass-store");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join(".gpg-id"), "test\n").unwrap();
    let fail = if broken {
        "*keys:work) echo 'gpg: no public key' >&2; exit 2 ;;"
    } else {
        ""
    };
    support::sh_script(
        &sandbox.path("bin/fake-pass"),
        &format!(
            r#"case "$1" in
insert) case "$4" in {fail} *) mkdir -p "$(dirname "$PASSWORD_STORE_DIR/$4")"; cat > "$PASSWORD_STORE_DIR/$4.gpg" ;; esac ;;
show) cat "$PASSWORD_STORE_DIR/$2.gpg" ;;
rm) rm -f "$PASSWORD_STORE_DIR/$3.gpg" ;;
esac"#
        ),
    );
    store
}

#[test]
fn a_store_failing_half_way_leaves_the_file_and_the_next_run_finishes() {
    let sandbox = Sandbox::new();
    let path = setup(&sandbox, 0o600);
    let store = half_broken_pass(&sandbox, true);
    let with_pass = |cmd: &mut std::process::Command| {
        cmd.env("VAULT_BACKEND", "pass")
            .env("VAULT_PASS_PASSWORD_STORE_DIR", &store)
            .env("VAULT_PASS_CMD", sandbox.path("bin/fake-pass"));
    };
    let mut cmd = sandbox.vault(&["import-credentials"]);
    with_pass(&mut cmd);
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cannot store the keys of 'work'"),
        "{:?} {err}",
        out.status
    );
    assert!(err.contains("left unchanged"), "{err}");
    assert!(err.contains("'default'"), "{err}");
    assert!(!err.contains(WORK_SECRET), "{err}");
    // default was stored before work failed; the file still has both.
    assert!(store.join("vault/keys:default.gpg").is_file());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), file_text());

    // With the store working again, the same key already stored is no conflict.
    half_broken_pass(&sandbox, false);
    let mut cmd = sandbox.vault(&["import-credentials"]);
    with_pass(&mut cmd);
    let out = cmd.output().unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("default: the same key is already stored"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("work: stored"), "{}", stdout(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), AFTER);
}
