//! Credential values from a hostile source: a `credential_process`, an STS endpoint or a store
//! item holding line breaks or non-ASCII bytes must not forge lines of `export` output (an extra
//! variable, a `[profile evil]` section with its own `credential_process`), and must not make
//! vault panic (a panic message quoted the whole key id). Each one is refused where it comes in
//! with one line that names the source and the field, never the value.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Output;

use vault::store::SecretStore;
use vault::store::file::FileStore;

use crate::LIMIT;
use crate::support::*;

/// What a hostile source injects after a line break: a section that runs a command of the
/// attacker's wherever the output is read as a credentials file, and an extra variable.
const FORGED: &str = "\n[profile evil]\ncredential_process = sh -c 'touch /tmp/pwned'\nAWS_EVIL=1";

/// Refused: exit 1, one `vault: ` line holding every needle, nothing on stdout, and none of
/// the injected text, no panic and no `hidden` value anywhere.
fn assert_refused(out: &Output, needles: &[&str], hidden: &[&str]) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(!all.contains("panicked"), "a panic: {all}");
    assert!(out.stdout.is_empty(), "nothing is printed: {all}");
    assert_one_line_error(out, needles);
    for value in hidden.iter().chain(&["evil", "pwned", "AWS_EVIL"]) {
        assert!(!all.contains(value), "{value:?} is shown: {all}");
    }
}

/// A `credential_process` that prints `json` (written to a file: no shell quoting).
fn process_printing(sb: &Sandbox, name: &str, json: &serde_json::Value) -> String {
    let path = sb.path(&format!("{name}.json"));
    std::fs::write(&path, json.to_string()).unwrap();
    format!("cat '{}'", path.display())
}

#[test]
fn a_credential_process_cannot_forge_export_lines() {
    let sb = Sandbox::new();
    let good_id = "ASIAPROCESSVALUES001";
    let cases: [(&str, &str, &str, &str); 5] = [
        (
            "secret",
            good_id,
            &format!("processSecret{FORGED}"),
            "a secret access key",
        ),
        ("token", good_id, "processSecret", "a session token"),
        (
            "id",
            &format!("ASIA{FORGED}"),
            "processSecret",
            "an access key id",
        ),
        (
            "nonascii",
            "ASIAÉVILKEY000000001",
            "processSecret",
            "an access key id",
        ),
        ("tab", good_id, "process\tSecret", "a secret access key"),
    ];
    let mut config = String::new();
    for (name, id, secret, _) in &cases {
        let mut json = serde_json::json!({
            "Version": 1,
            "AccessKeyId": id,
            "SecretAccessKey": secret,
            "Expiration": "2099-01-01T00:00:00Z",
        });
        if *name == "token" {
            json["SessionToken"] = format!("processToken{FORGED}").into();
        }
        let command = process_printing(&sb, name, &json);
        config.push_str(&format!(
            "[profile {name}]\ncredential_process = {command}\n"
        ));
    }
    sb.write_config(&config);
    for (name, id, _, field) in &cases {
        for format in ["env", "ini", "json", "bash"] {
            let out = run_bounded(&mut sb.vault(&["export", name, "--format", format]), LIMIT);
            let source = format!("credential_process of profile '{name}'");
            assert_refused(
                &out,
                &[&source, field],
                &[id, "processSecret", "processToken"],
            );
        }
    }
}

/// A stand-in STS on loopback whose every answer is a GetSessionToken result with `secret`.
fn hostile_sts(secret: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let expiry = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
    // A raw line break inside an XML text node is part of the value.
    let xml = format!(
        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetSessionTokenResult><Credentials>\
         <SessionToken>hostileToken</SessionToken>\
         <SecretAccessKey>{secret}</SecretAccessKey>\
         <Expiration>{expiry}</Expiration>\
         <AccessKeyId>ASIAHOSTILESTS000001</AccessKeyId>\
         </Credentials></GetSessionTokenResult>\
         <ResponseMetadata><RequestId>hostile</RequestId></ResponseMetadata>\
         </GetSessionTokenResponse>"
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &xml);
        }
    });
    url
}

/// Reads one request (headers, then the body by Content-Length) and answers `xml`.
fn answer(mut stream: TcpStream, xml: &str) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let length = String::from_utf8_lossy(&head)
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if stream.read_exact(&mut body).is_err() {
        return;
    }
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nDate: {date}\r\n\
         x-amzn-RequestId: hostile\r\nConnection: close\r\n\r\n{xml}",
        xml.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

#[test]
fn a_hostile_sts_cannot_forge_export_lines_and_nothing_is_cached() {
    for secret in [format!("stsSecret{FORGED}"), "stsSecrét".to_string()] {
        let sb = Sandbox::with_endpoint(&hostile_sts(&secret));
        sb.add("will");
        for format in ["env", "ini", "json", "fish"] {
            let out = run_bounded(
                &mut sb.vault(&["export", "will", "--format", format]),
                LIMIT,
            );
            assert_refused(
                &out,
                &["STS's answer", "a secret access key"],
                &["stsSecr", "hostileToken", "ASIAHOSTILESTS"],
            );
        }
        let list = run_bounded(&mut sb.vault(&["list"]), LIMIT);
        assert_success(&list);
        assert!(
            !stdout(&list).contains("left"),
            "the refused session is not cached: {}",
            stdout(&list)
        );
    }
}

#[test]
fn add_refuses_a_non_ascii_or_forged_key_without_showing_it() {
    let sb = Sandbox::new();
    for (id, secret, field) in [
        ("AKIAÉVILKEY000000001", SECRET_KEY, "an access key id"),
        ("AKIA-EVILKEY0000001", SECRET_KEY, "an access key id"),
        (ACCESS_KEY, "hiddenSecrét/abc", "a secret access key"),
    ] {
        let out = run_bounded(
            sb.vault(&["add", "evil", "--env"])
                .env("AWS_ACCESS_KEY_ID", id)
                .env("AWS_SECRET_ACCESS_KEY", secret),
            LIMIT,
        );
        let all = stderr(&out);
        assert!(!all.contains("panicked"), "{all}");
        assert_one_line_error(&out, &[field, "nothing stored"]);
        for value in [id, secret, "VILKEY", "hiddenSecr"] {
            assert!(!all.contains(value), "{value:?} shown: {all}");
        }
    }
    let listed = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_eq!(stdout(&listed), "", "nothing stored");
}

/// The file store's folder in `sb` (XDG_DATA_HOME is the sandbox's).
fn keys_dir(sb: &Sandbox) -> PathBuf {
    sb.home().join(".local/share/vault/keys")
}

/// Keys a store holds that vault would never have written (an older vault accepted them, or
/// another program wrote the item): every command that reads them says which item is bad and
/// why, without the id or the secret, and does not panic (`rotate` did, printing the whole id).
#[test]
fn bad_keys_in_the_store_are_refused_by_every_reader_without_a_panic() {
    let sb = Sandbox::new();
    sb.add("will");
    let store = FileStore::with_passphrase(keys_dir(&sb), PASSPHRASE).unwrap();
    let bad = [
        (
            "nonascii",
            "AKIéVILKEY0000000001",
            "storedSecret",
            "an access key id",
        ),
        (
            "secret",
            "AKIAVAULTSTOREDKEY01",
            "storedSecret\n[profile evil]",
            "a secret access key",
        ),
    ];
    let mut config = String::from("[profile will]\nregion = us-east-1\n");
    for (profile, id, secret, _) in bad {
        let item = serde_json::json!({"access_key_id": id, "secret_access_key": secret});
        store
            .set(&format!("keys:{profile}"), &item.to_string())
            .unwrap();
        config.push_str(&format!("[profile {profile}]\nregion = us-east-1\n"));
    }
    sb.write_config(&config);
    let list = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    let (table, said) = (stdout(&list), stderr(&list));
    assert_eq!(list.status.code(), Some(1), "{table}{said}");
    for (profile, id, _, field) in bad {
        let row = table
            .lines()
            .find(|l| l.starts_with(profile))
            .unwrap_or_default();
        assert!(row.contains("damaged"), "{profile}: {table}");
        assert!(
            said.contains(&format!("'keys:{profile}'")) && said.contains(field),
            "{said}"
        );
        assert!(
            !said.contains(id) && !said.contains("storedSecret"),
            "{said}"
        );
    }
    assert!(
        !said.contains("panicked") && !said.contains("evil"),
        "{said}"
    );
    for (profile, id, _, field) in bad {
        for args in [
            &["rotate", profile][..],
            &["export", profile, "--format", "ini"][..],
            &["export", profile, "--no-session", "--format", "env"][..],
            &["exec", profile, "--no-session", "--", "env"][..],
        ] {
            let out = run_bounded(&mut sb.vault(args), LIMIT);
            let item = format!("'keys:{profile}'");
            assert_refused(
                &out,
                &[&item, "corrupt", field],
                &[id, "VILKEY", "storedSecret"],
            );
        }
    }
}

/// A cached session holding a forged value is only a cache: it is dropped, and fresh
/// credentials are fetched instead of printing it.
#[test]
fn a_forged_cached_session_is_dropped_not_exported() {
    let sb = Sandbox::new();
    sb.add("will");
    let store = FileStore::with_passphrase(keys_dir(&sb), PASSPHRASE).unwrap();
    let forged = serde_json::json!({
        "credentials": {
            "access_key_id": "ASIACACHEDFORGED0001",
            "secret_access_key": format!("cachedSecret{FORGED}"),
            "session_token": "cachedToken",
            "expiration": "2099-01-01T00:00:00Z",
        },
        "mfa_serial": null,
    });
    store.set("session:will", &forged.to_string()).unwrap();
    let out = run_bounded(&mut sb.vault(&["export", "will", "--format", "ini"]), LIMIT);
    assert_success(&out);
    let text = stdout(&out);
    assert!(text.starts_with("[will]\naws_access_key_id = "), "{text}");
    for value in ["cached", "evil", "pwned"] {
        assert!(!text.contains(value), "{value:?} exported: {text}");
    }
    let cached = store.get("session:will").unwrap().expect("fetched again");
    assert!(
        !cached.contains("cachedSecret"),
        "the forged entry was replaced"
    );
}

/// `tests/support/sso_server.py` in `SSO_MODE=hostile` (its portal answers a secret with a
/// forged section), stopped when dropped (its stdin closes); returns its URL.
struct HostileSso {
    url: String,
    _stdin: std::process::ChildStdin,
    _child: std::process::Child,
}

fn hostile_sso() -> HostileSso {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sso_server.py");
    let mut child = Command::new("python3")
        .arg(script)
        .env("SSO_MODE", "hostile")
        .env("SSO_PENDING", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 must be installed");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("ready ")
        .expect("the SSO stand-in starts");
    HostileSso {
        url: format!("http://127.0.0.1:{port}"),
        _stdin: child.stdin.take().unwrap(),
        _child: child,
    }
}

#[test]
fn a_hostile_sso_portal_cannot_forge_export_lines() {
    let sso = hostile_sso();
    let sb = Sandbox::new();
    // The device flow "opens" the verification URL with this browser, which does nothing.
    let browser = sh_script(&sb.path("browser.sh"), "exit 0");
    sb.write_config(
        "[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = eu-west-1\n\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Developer\nregion = eu-west-1\n",
    );
    for format in ["env", "ini"] {
        let out = run_bounded(
            sb.vault(&["export", "dev", "--format", format])
                .env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
                .env("AWS_ENDPOINT_URL_SSO", &sso.url)
                // The device code flow, whose browser approves by doing nothing.
                .env("VAULT_SSO_USE_DEVICE_CODE", "1")
                .env("BROWSER", &browser),
            LIMIT,
        );
        let (printed, said) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{printed}{said}");
        assert!(printed.is_empty(), "nothing is printed: {printed}");
        // The sign-in instructions come first; the error is the last line.
        let last = said.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.starts_with("vault: ")
                && last.contains("IAM Identity Center's answer")
                && last.contains("a secret access key"),
            "{said}"
        );
        for value in ["evil", "pwned", "panicked"] {
            assert!(!said.contains(value), "{value:?} shown: {said}");
        }
    }
}
