//! `vault import-aws-vault`: items written the way aws-vault writes them (its file backend's JWE
//! files made by jwcrypto, its Secret Service items in a private gnome-keyring, its keyctl
//! keyring) are copied into vault's store, and aws-vault's items are left as they were.

mod support;

#[cfg(target_os = "linux")]
#[path = "support/secret_service.rs"]
mod secret_service;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const AWS_VAULT_PASSPHRASE: &str = "aws-vault file passphrase";

struct Keys {
    id: &'static str,
    secret: &'static str,
}

const WILL: Keys = Keys {
    id: "AKIAIMPORTWILL000001",
    secret: "willSecret/0001+abcdefghijklmnopqrstuvw",
};
const WORK: Keys = Keys {
    id: "AKIAIMPORTWORK000002",
    secret: "workSecret/0002+abcdefghijklmnopqrstuvw",
};
const LOOSE: Keys = Keys {
    id: "AKIAIMPORTLOOSE00003",
    secret: "looseSecret/0003+abcdefghijklmnopqrstu",
};
const WILL_NEWER: Keys = Keys {
    id: "AKIAIMPORTWILL000009",
    secret: "willSecret/0009+abcdefghijklmnopqrstuvw",
};

/// The credentials JSON aws-vault v7 stores (aws-sdk-go-v2's `aws.Credentials`).
fn creds_json(keys: &Keys) -> serde_json::Value {
    serde_json::json!({
        "AccessKeyID": keys.id,
        "SecretAccessKey": keys.secret,
        "SessionToken": "",
        "Source": "",
        "CanExpire": false,
        "Expires": "0001-01-01T00:00:00Z",
    })
}

/// A cached session as aws-vault stores it beside the keys (must be skipped).
fn session_json() -> serde_json::Value {
    serde_json::json!({
        "AccessKeyID": "ASIAIMPORTSESSION001",
        "SecretAccessKey": "sessionSecret",
        "SessionToken": "sessionToken",
    })
}

const SESSION_ITEM: &str = "sts.GetSessionToken,d2lsbA,,1999999999";

/// Writes aws-vault file-backend items with jwcrypto (tests/support/aws_vault_file.py).
fn write_file_items(dir: &Path, items: &[(&str, serde_json::Value)]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/aws_vault_file.py");
    let spec = serde_json::json!({
        "passphrase": AWS_VAULT_PASSPHRASE,
        "items": items.iter().cloned().map(|(n, v)| (n.to_string(), v)).collect::<serde_json::Map<_, _>>(),
    });
    let mut child = Command::new("python3")
        .arg(script)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_success(&out);
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn import_from_file(sb: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    let mut full = vec!["import-aws-vault"];
    full.extend_from_slice(args);
    run_bounded(
        sb.vault(&full)
            .env("AWS_VAULT_FILE_DIR", dir)
            .env("AWS_VAULT_FILE_PASSPHRASE", AWS_VAULT_PASSPHRASE),
        LIMIT,
    )
}

/// The keys `vault exec PROFILE --no-session` hands out.
fn exec_keys(sb: &Sandbox, profile: &str) -> (String, String) {
    let out = run_bounded(
        &mut sb.vault(&["exec", profile, "--no-session", "--", "env"]),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    (
        env["AWS_ACCESS_KEY_ID"].clone(),
        env["AWS_SECRET_ACCESS_KEY"].clone(),
    )
}

fn pair(keys: &Keys) -> (String, String) {
    (keys.id.to_string(), keys.secret.to_string())
}

#[test]
fn file_store_items_are_imported_and_left_in_place() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n[profile work]\n[profile nothing]\n");
    let dir = sb.path("awsvault/keys");
    write_file_items(
        &dir,
        &[
            ("will", creds_json(&WILL)),
            ("work", creds_json(&WORK)),
            ("loose/one", creds_json(&LOOSE)),
            (SESSION_ITEM, session_json()),
        ],
    );
    let before = snapshot(&dir);
    assert!(before.contains_key("loose%2Fone"), "{:?}", before.keys());

    let out = import_from_file(&sb, &dir, &["--from", "file"]);
    assert_success(&out);
    let report = stdout(&out);
    assert!(report.contains("will: imported AKIA…0001"), "{report}");
    assert!(report.contains("work: imported AKIA…0002"), "{report}");
    assert!(
        report.contains("'loose/one'"),
        "named as not in the config: {report}"
    );
    assert!(!report.contains("GetSessionToken"), "{report}");
    assert!(!report.contains(WILL.secret), "{report}");
    assert_eq!(exec_keys(&sb, "will"), pair(&WILL));
    assert_eq!(exec_keys(&sb, "work"), pair(&WORK));
    assert_eq!(snapshot(&dir), before, "aws-vault's files must not change");

    // A profile outside the config is imported when named.
    let out = import_from_file(&sb, &dir, &["--from", "file", "loose/one"]);
    assert_success(&out);
    assert_eq!(exec_keys(&sb, "loose/one"), pair(&LOOSE));

    // Keys vault already has are kept unless --force.
    write_file_items(&dir, &[("will", creds_json(&WILL_NEWER))]);
    let out = import_from_file(&sb, &dir, &["--from", "file", "will"]);
    assert_success(&out);
    assert!(stdout(&out).contains("will: kept"), "{}", stdout(&out));
    assert_eq!(exec_keys(&sb, "will"), pair(&WILL));
    let out = import_from_file(&sb, &dir, &["--from", "file", "will", "--force"]);
    assert_success(&out);
    assert_eq!(exec_keys(&sb, "will"), pair(&WILL_NEWER));

    // A profile aws-vault has no item for fails, the others still go through.
    let out = import_from_file(&sb, &dir, &["--from", "file", "work", "nothing", "--force"]);
    assert_one_line_error(
        &out,
        &["1 of 2 profile(s) could not be imported: 'nothing'"],
    );
    let report = stdout(&out);
    assert!(report.contains("work: imported"), "{report}");
    assert!(
        report.contains("nothing: aws-vault has no keys"),
        "{report}"
    );
}

#[test]
fn wrong_file_passphrase_imports_nothing() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\n");
    let dir = sb.path("keys");
    write_file_items(&dir, &[("will", creds_json(&WILL))]);
    let out = run_bounded(
        sb.vault(&["import-aws-vault", "--from", "file"])
            .env("AWS_VAULT_FILE_DIR", &dir)
            .env("AWS_VAULT_FILE_PASSPHRASE", "not the passphrase"),
        LIMIT,
    );
    assert_one_line_error(
        &out,
        &[
            "wrong passphrase for aws-vault's file store",
            "AWS_VAULT_FILE_PASSPHRASE",
        ],
    );
    let out = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "", "nothing may be imported");
}

#[test]
fn a_missing_file_store_is_a_clear_error() {
    let sb = Sandbox::new();
    let out = run_bounded(
        sb.vault(&["import-aws-vault", "--from", "file"])
            .env("AWS_VAULT_FILE_DIR", sb.path("nowhere")),
        LIMIT,
    );
    assert_one_line_error(&out, &["does not exist", "AWS_VAULT_FILE_DIR"]);
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::HashMap;

    use zbus::blocking::Connection;
    use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

    use super::*;
    use crate::secret_service::PrivateBus;

    const SECRETS: &str = "org.freedesktop.secrets";

    /// A client of the test bus's Secret Service with a `plain` session, doing what aws-vault's
    /// keyring library (through go-libsecret) does.
    struct SecretClient {
        conn: Connection,
        session: OwnedObjectPath,
    }

    impl SecretClient {
        fn new(address: &str) -> SecretClient {
            let conn = zbus::blocking::connection::Builder::address(address)
                .unwrap()
                .build()
                .unwrap();
            let reply = conn
                .call_method(
                    Some(SECRETS),
                    "/org/freedesktop/secrets",
                    Some("org.freedesktop.Secret.Service"),
                    "OpenSession",
                    &("plain", Value::from("")),
                )
                .unwrap();
            let (_, session): (OwnedValue, OwnedObjectPath) = reply.body().deserialize().unwrap();
            SecretClient { conn, session }
        }

        /// A new unlocked collection. aws-vault creates it with CreateCollection, which asks a
        /// GUI prompter for its password; gnome-keyring's own call takes the password directly.
        fn create_collection(&self, label: &str) -> OwnedObjectPath {
            let properties = HashMap::from([(
                "org.freedesktop.Secret.Collection.Label",
                Value::from(label),
            )]);
            let master = (
                &self.session,
                Vec::<u8>::new(),
                b"collection password".to_vec(),
                "text/plain",
            );
            let reply = self
                .conn
                .call_method(
                    Some(SECRETS),
                    "/org/freedesktop/secrets",
                    Some("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"),
                    "CreateWithMasterPassword",
                    &(properties, master),
                )
                .unwrap();
            reply.body().deserialize().unwrap()
        }

        /// go-libsecret's CreateItem: label and attribute `profile` = the item key; the secret
        /// is the keyring library's item JSON, content type application/json.
        fn store(&self, collection: &OwnedObjectPath, name: &str, creds: &serde_json::Value) {
            use base64::Engine as _;
            let data = serde_json::to_vec(creds).unwrap();
            let item = serde_json::json!({
                "Key": name,
                "Data": base64::engine::general_purpose::STANDARD.encode(data),
                "Label": format!("aws-vault ({name})"),
                "Description": "",
                "KeychainNotTrustApplication": true,
                "KeychainNotSynchronizable": false,
            });
            let attributes = HashMap::from([("profile", name)]);
            let properties = HashMap::from([
                ("org.freedesktop.Secret.Item.Label", Value::from(name)),
                (
                    "org.freedesktop.Secret.Item.Attributes",
                    Value::from(attributes),
                ),
            ]);
            let secret = (
                &self.session,
                Vec::<u8>::new(),
                serde_json::to_vec(&item).unwrap(),
                "application/json",
            );
            self.conn
                .call_method(
                    Some(SECRETS),
                    collection.as_str(),
                    Some("org.freedesktop.Secret.Collection"),
                    "CreateItem",
                    &(properties, secret, true),
                )
                .unwrap();
        }

        /// The secrets of the items whose `profile` attribute is `name`.
        fn secrets(&self, collection: &OwnedObjectPath, name: &str) -> Vec<Vec<u8>> {
            let reply = self
                .conn
                .call_method(
                    Some(SECRETS),
                    collection.as_str(),
                    Some("org.freedesktop.Secret.Collection"),
                    "SearchItems",
                    &(HashMap::from([("profile", name)]),),
                )
                .unwrap();
            let paths: Vec<OwnedObjectPath> = reply.body().deserialize().unwrap();
            paths
                .iter()
                .map(|path| {
                    let reply = self
                        .conn
                        .call_method(
                            Some(SECRETS),
                            path.as_str(),
                            Some("org.freedesktop.Secret.Item"),
                            "GetSecret",
                            &(&self.session,),
                        )
                        .unwrap();
                    let (_, _, value, _): (OwnedObjectPath, Vec<u8>, Vec<u8>, String) =
                        reply.body().deserialize().unwrap();
                    value
                })
                .collect()
        }
    }

    #[test]
    fn secret_service_items_are_imported_and_left_in_place() {
        let bus = PrivateBus::with_gnome_keyring();
        let client = SecretClient::new(&bus.address);
        let collection = client.create_collection("awsvault");
        assert!(
            collection.as_str().ends_with("/collection/awsvault"),
            "{}",
            collection.as_str()
        );
        client.store(&collection, "will", &creds_json(&WILL));
        client.store(&collection, "work", &creds_json(&WORK));
        client.store(&collection, SESSION_ITEM, &session_json());
        // An item in the login collection is not aws-vault's.
        let login: OwnedObjectPath = "/org/freedesktop/secrets/collection/login"
            .try_into()
            .unwrap();
        client.store(&login, "stranger", &creds_json(&LOOSE));
        let before = client.secrets(&collection, "will");
        assert_eq!(before.len(), 1);

        let sb = Sandbox::new();
        sb.write_config("[profile will]\n[profile work]\n[profile stranger]\n");
        // No --from: with a Secret Service holding aws-vault's collection, that is the source.
        let out = run_bounded(
            sb.vault(&["import-aws-vault"])
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
                .env("AWS_VAULT_FILE_DIR", sb.path("no-such-dir")),
            LIMIT,
        );
        assert_success(&out);
        let report = stdout(&out);
        assert!(
            report.contains("Secret Service collection 'awsvault'"),
            "{report}"
        );
        assert!(report.contains("will: imported"), "{report}");
        assert!(report.contains("work: imported"), "{report}");
        assert!(!report.contains("stranger"), "{report}");
        assert_eq!(exec_keys(&sb, "will"), pair(&WILL));
        assert_eq!(exec_keys(&sb, "work"), pair(&WORK));
        assert_eq!(
            client.secrets(&collection, "will"),
            before,
            "aws-vault's item must stay"
        );
        assert_eq!(client.secrets(&collection, SESSION_ITEM).len(), 1);

        // Named explicitly, a profile missing from the collection is reported.
        let out = run_bounded(
            sb.vault(&["import-aws-vault", "--from", "secret-service", "stranger"])
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address),
            LIMIT,
        );
        assert_one_line_error(
            &out,
            &["1 of 1 profile(s) could not be imported: 'stranger'"],
        );
        assert!(
            stdout(&out).contains("stranger: aws-vault has no keys"),
            "{}",
            stdout(&out)
        );
    }

    /// keyctl's `aws-vault` keyring in the user keyring, removed again when dropped.
    struct KeyctlItems {
        ring: String,
        /// Whether this test made the keyring (then it goes again at the end).
        created: bool,
        keys: Vec<String>,
    }

    fn keyctl(args: &[&str], input: Option<&[u8]>) -> String {
        let mut child = Command::new("keyctl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("keyctl is required (Debian: apt-get install keyutils)");
        let mut stdin = child.stdin.take().unwrap();
        if let Some(input) = input {
            stdin.write_all(input).unwrap();
        }
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert_success(&out);
        stdout(&out).trim().to_string()
    }

    impl KeyctlItems {
        fn new() -> KeyctlItems {
            let found = Command::new("keyctl")
                .args(["search", "@u", "keyring", "aws-vault"])
                .output()
                .unwrap();
            let (ring, created) = if found.status.success() {
                (stdout(&found).trim().to_string(), false)
            } else {
                (keyctl(&["newring", "aws-vault", "@u"], None), true)
            };
            KeyctlItems {
                ring,
                created,
                keys: vec![],
            }
        }

        /// aws-vault's keyctl backend stores the credentials JSON itself as a `user` key.
        fn add(&mut self, name: &str, creds: &serde_json::Value) {
            let data = serde_json::to_vec(creds).unwrap();
            let key = keyctl(&["padd", "user", name, &self.ring], Some(&data));
            self.keys.push(key);
        }
    }

    impl Drop for KeyctlItems {
        fn drop(&mut self) {
            for key in &self.keys {
                let _ = Command::new("keyctl")
                    .args(["unlink", key, &self.ring])
                    .output();
            }
            if self.created {
                let _ = Command::new("keyctl")
                    .args(["unlink", &self.ring, "@u"])
                    .output();
            }
        }
    }

    #[test]
    fn keyctl_items_are_imported_and_left_in_place() {
        let name = format!("import-test-{}", std::process::id());
        let mut items = KeyctlItems::new();
        items.add(&name, &creds_json(&WORK));
        let sb = Sandbox::new();
        let out = run_bounded(
            sb.vault(&["import-aws-vault", "--from", "keyctl", &name])
                .env("AWS_VAULT_KEYCTL_SCOPE", "user"),
            LIMIT,
        );
        assert_success(&out);
        assert!(
            stdout(&out).contains("'aws-vault' keyring in the user keyring"),
            "{}",
            stdout(&out)
        );
        assert_eq!(exec_keys(&sb, &name), pair(&WORK));
        let still = keyctl(&["print", &items.keys[0]], None);
        assert!(
            still.contains(WORK.id),
            "aws-vault's key must stay: {still}"
        );
    }
}
