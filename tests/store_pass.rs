//! The `pass` backend against Debian's real `pass` and GnuPG, with a throwaway key made in each
//! test's own GNUPGHOME; and `import-aws-vault --from pass` reading items as aws-vault's
//! keyring library writes them.

#[path = "support/store_suite.rs"]
mod store_suite;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use support::{ACCESS_KEY, SECRET_KEY, Sandbox, assert_success, stderr, stdout};
use vault::store::SecretStore;
use vault::store::pass::PassStore;

/// A GnuPG home with one key (no passphrase) and a password store initialised for it. The
/// agent it starts is stopped when dropped.
struct Gpg {
    home: PathBuf,
    store: PathBuf,
}

impl Gpg {
    fn new(root: &Path) -> Gpg {
        require("pass", "pass");
        require("gpg", "gnupg");
        use std::os::unix::fs::DirBuilderExt as _;
        let home = root.join("gnupg");
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&home)
            .unwrap();
        let gpg = Gpg {
            home,
            store: root.join("password-store"),
        };
        let made = gpg
            .command("gpg")
            .args(["--batch", "--passphrase", "", "--quick-gen-key"])
            .args(["vault test <test@example.invalid>", "default", "default"])
            .arg("never")
            .output()
            .unwrap();
        assert_success(&made);
        let keys = gpg
            .command("gpg")
            .args(["--list-keys", "--with-colons"])
            .output()
            .unwrap();
        let fingerprint = stdout(&keys)
            .lines()
            .find_map(|l| {
                l.strip_prefix("fpr:")
                    .map(|r| r.trim_matches(':').to_string())
            })
            .expect("a fingerprint");
        assert_success(
            &gpg.command("pass")
                .args(["init", &fingerprint])
                .output()
                .unwrap(),
        );
        gpg
    }

    /// `program` with this GnuPG home and password store.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("GNUPGHOME", &self.home)
            .env("PASSWORD_STORE_DIR", &self.store);
        cmd
    }

    /// `vault ARGS` in `sandbox` with the pass backend on this store.
    fn vault(&self, sandbox: &Sandbox, args: &[&str]) -> Command {
        let mut cmd = sandbox.vault(args);
        cmd.env("VAULT_BACKEND", "pass")
            .env("GNUPGHOME", &self.home)
            .env("VAULT_PASS_PASSWORD_STORE_DIR", &self.store);
        cmd
    }

    /// A `pass` that runs with this GnuPG home (for the library, whose environment is the
    /// test process's), logging each argument vector to `log`.
    fn wrapper(&self, dir: &Path, log: &Path) -> PathBuf {
        support::sh_script(
            &dir.join("pass-wrapper"),
            &format!(
                "printf '%s\\n' \"$*\" >> '{}'\nGNUPGHOME='{}' exec pass \"$@\"\n",
                log.display(),
                self.home.display()
            ),
        )
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = self
            .command("gpgconf")
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

fn require(program: &str, package: &str) {
    let found = Command::new(program).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{program} is required for these tests (Debian/Ubuntu: apt-get install {package}; make test installs it)"
    );
}

/// Every file under `dir`, read as bytes.
fn all_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = vec![];
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn pass_store_passes_the_suite() {
    let root = tempfile::tempdir().unwrap();
    let gpg = Gpg::new(root.path());
    let log = root.path().join("argv.log");
    let wrapper = gpg.wrapper(root.path(), &log);
    let store = PassStore::with(wrapper.to_str().unwrap(), gpg.store.clone(), "vault").unwrap();
    assert_eq!(store.name(), "pass");
    store_suite::run(&store);

    // Names stay inside the prefix's folder, one file each; the suite's values (and the
    // secret below) never reach a command line or a file in clear.
    store.set("keys:x", SECRET_KEY).unwrap();
    for (path, bytes) in all_bytes(&gpg.store) {
        assert!(
            path.starts_with(gpg.store.join("vault")) || path.ends_with(".gpg-id"),
            "{path:?}"
        );
        assert!(
            !contains(&bytes, SECRET_KEY),
            "{path:?} holds the secret in clear"
        );
    }
    assert!(gpg.store.join("vault/keys:x.gpg").is_file());
    let argv = std::fs::read_to_string(&log).unwrap();
    assert!(
        argv.contains("insert --multiline --force vault/keys:x"),
        "{argv}"
    );
    for secret in [SECRET_KEY, "bee", "replaced", "new line"] {
        assert!(
            !argv.contains(secret),
            "a value on pass's command line: {argv}"
        );
    }
    // What vault stored, pass itself reads back.
    let shown = gpg
        .command("pass")
        .args(["show", "vault/keys:x"])
        .output()
        .unwrap();
    assert_eq!(stdout(&shown), SECRET_KEY);
    store.delete("keys:x").unwrap();
}

#[test]
fn keys_stored_in_pass_serve_exec_and_list() {
    let sandbox = Sandbox::new();
    let gpg = Gpg::new(sandbox.dir.path());
    let out = gpg
        .vault(&sandbox, &["add", "work", "--env"])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stderr(&out).contains("in pass ("), "{}", stderr(&out));
    let item = gpg.store.join("vault/keys:work.gpg");
    assert!(item.is_file(), "no {item:?}");
    assert!(!contains(&std::fs::read(&item).unwrap(), SECRET_KEY));

    let list = gpg
        .vault(&sandbox, &["list", "--credentials"])
        .output()
        .unwrap();
    assert_success(&list);
    assert_eq!(stdout(&list).trim(), "work");

    let exec = gpg
        .vault(
            &sandbox,
            &["exec", "work", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
        )
        .output()
        .unwrap();
    assert_success(&exec);
    let session_key = stdout(&exec).trim().to_string();
    assert!(
        !session_key.is_empty() && session_key != ACCESS_KEY,
        "{session_key}"
    );
    // The session is cached in pass too.
    assert!(gpg.store.join("vault/session:work.gpg").is_file());

    let removed = gpg
        .vault(&sandbox, &["remove", "work", "--force"])
        .output()
        .unwrap();
    assert_success(&removed);
    assert!(!item.exists());
}

#[test]
fn an_uninitialised_or_missing_pass_is_explained() {
    let sandbox = Sandbox::new();
    let gpg = Gpg::new(sandbox.dir.path());
    let empty = sandbox.path("not-a-store");
    std::fs::create_dir_all(&empty).unwrap();
    let out = gpg
        .vault(&sandbox, &["list", "--credentials"])
        .env("VAULT_PASS_PASSWORD_STORE_DIR", &empty)
        .output()
        .unwrap();
    support::assert_one_line_error(&out, &["is not a password store", "pass init"]);

    let out = gpg
        .vault(&sandbox, &["list", "--credentials"])
        .env("VAULT_PASS_CMD", "no-such-pass-program")
        .output()
        .unwrap();
    support::assert_one_line_error(&out, &["'no-such-pass-program' is not installed"]);
}

#[test]
fn the_prefix_setting_moves_the_items() {
    let sandbox = Sandbox::new();
    let gpg = Gpg::new(sandbox.dir.path());
    let out = gpg
        .vault(&sandbox, &["add", "work", "--env"])
        .env("VAULT_PASS_PREFIX", "team/aws")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(gpg.store.join("team/aws/keys:work.gpg").is_file());
    assert!(!gpg.store.join("vault").exists());
}

/// What aws-vault's keyring library writes with `pass insert -m -f PREFIX/NAME`.
fn aws_vault_item(gpg: &Gpg, name: &str, session_token: &str) {
    let credentials = format!(
        r#"{{"AccessKeyID":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}","SessionToken":"{session_token}","ProviderName":""}}"#
    );
    let data = base64::engine::general_purpose::STANDARD.encode(credentials);
    let item = format!(
        r#"{{"Key":"{name}","Data":"{data}","Label":"aws-vault ({name})","Description":"","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}}"#
    );
    let mut child = gpg
        .command("pass")
        .args(["insert", "-m", "-f", name])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(item.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn import_aws_vault_reads_its_pass_store() {
    let sandbox = Sandbox::new();
    let gpg = Gpg::new(sandbox.dir.path());
    sandbox.write_config("[profile work]\nregion = eu-west-1\n[profile temp]\n");
    aws_vault_item(&gpg, "aws-vault/work", "");
    aws_vault_item(&gpg, "aws-vault/temp", "FQoGZXIvYXdzEXAMPLE");
    aws_vault_item(
        &gpg,
        "aws-vault/session,d29yaw,,1700000000",
        "FQoGZXIvYXdzEXAMPLE",
    );
    // The user's own passwords beside aws-vault's.
    aws_vault_item(&gpg, "email/personal", "");

    // aws-vault's settings, and vault's own store the file store.
    let import = |args: &[&str]| {
        sandbox
            .vault(args)
            .env("GNUPGHOME", &gpg.home)
            .env("AWS_VAULT_PASS_PASSWORD_STORE_DIR", &gpg.store)
            .env("AWS_VAULT_PASS_PREFIX", "aws-vault")
            .output()
            .unwrap()
    };
    let out = import(&["import-aws-vault", "--from", "pass"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!out.status.success(), "temp holds a session token: {text}");
    assert!(text.contains("work: imported"), "{text}");
    assert!(text.contains("temp: cannot read its item"), "{text}");
    assert!(text.contains("temporary credentials"), "{text}");
    assert!(!text.contains(SECRET_KEY), "{text}");

    let list = sandbox.vault(&["list", "--credentials"]).output().unwrap();
    assert_success(&list);
    assert_eq!(stdout(&list).trim(), "work");

    // Without a prefix, the store's other passwords are counted, never named.
    let out = sandbox
        .vault(&["import-aws-vault", "--from", "pass"])
        .env("GNUPGHOME", &gpg.home)
        .env("AWS_VAULT_PASS_PASSWORD_STORE_DIR", &gpg.store)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("other item(s)"), "{text}");
    assert!(!text.contains("email/personal"), "{text}");
}
