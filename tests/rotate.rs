//! `vault rotate` against moto's IAM and STS: the new key is stored and works, the old one is
//! deleted, sessions made from it are dropped; and when IAM refuses a step, a working key stays
//! stored and the one-line error says what IAM holds.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(90);

#[derive(Debug, Clone, serde::Deserialize)]
struct Key {
    id: String,
    secret: String,
}

/// `python3 tests/support/iam_fixture.py URL ARGS...` in the sandbox's environment.
fn fixture(sb: &Sandbox, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/iam_fixture.py");
    let out = run_bounded(
        sb.command("python3")
            .arg(script)
            .arg(&sb.endpoint)
            .args(args),
        LIMIT,
    );
    assert_success(&out);
    stdout(&out)
}

fn user_name(tag: &str) -> String {
    format!("rot-{}-{tag}", std::process::id())
}

fn create_user(sb: &Sandbox, user: &str) -> Key {
    serde_json::from_str(&fixture(sb, &["create-user", user])).unwrap()
}

fn list_keys(sb: &Sandbox, user: &str, signer: &Key) -> Vec<String> {
    serde_json::from_str(&fixture(
        sb,
        &["list-keys", user, &signer.id, &signer.secret],
    ))
    .unwrap()
}

fn whoami(sb: &Sandbox, key: &Key) -> String {
    fixture(sb, &["whoami", &key.id, &key.secret])
        .trim()
        .to_string()
}

fn add_keys(sb: &Sandbox, profile: &str, key: &Key) {
    let out = sb
        .vault(&["add", profile, "--env", "--no-add-config"])
        .env("AWS_ACCESS_KEY_ID", &key.id)
        .env("AWS_SECRET_ACCESS_KEY", &key.secret)
        .output()
        .unwrap();
    assert_success(&out);
}

/// The keys vault has stored for `profile`, as `exec --no-session` hands them out.
fn stored(sb: &Sandbox, profile: &str) -> Key {
    let out = run_bounded(
        &mut sb.vault(&["exec", profile, "--no-session", "--", "env"]),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    Key {
        id: env["AWS_ACCESS_KEY_ID"].clone(),
        secret: env["AWS_SECRET_ACCESS_KEY"].clone(),
    }
}

/// PROFILE -> the SESSIONS column of `vault list`.
fn sessions(sb: &Sandbox) -> BTreeMap<String, String> {
    let out = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    assert_success(&out);
    stdout(&out)
        .lines()
        .skip_while(|l| !l.starts_with("PROFILE"))
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let name = parts.next()?.to_string();
            let _keys = parts.next()?;
            let _source = parts.next()?;
            Some((name, parts.collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

fn exec_ok(sb: &Sandbox, profile: &str) {
    let out = run_bounded(&mut sb.vault(&["exec", profile, "--", "true"]), LIMIT);
    assert_success(&out);
}

fn short(id: &str) -> String {
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

#[test]
fn rotation_stores_a_working_key_deletes_the_old_and_drops_sessions() {
    let sb = Sandbox::new();
    let user = user_name("mfa");
    let old = create_user(&sb, &user);
    let mfa = sb.counting_mfa_process("mfa");
    sb.write_config(&format!(
        "[profile {user}]\nregion = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/{user}\nmfa_process = {mfa}\n\
         [profile {user}-admin]\nsource_profile = {user}\nrole_arn = arn:aws:iam::123456789012:role/admin\nduration_seconds = 7200\n\
         [profile other]\nregion = us-east-1\n"
    ));
    add_keys(&sb, &user, &old);
    sb.add("other");
    // Sessions to be dropped (the user's own, and a role cached from its keys) and one to keep.
    exec_ok(&sb, &user);
    exec_ok(&sb, &format!("{user}-admin"));
    exec_ok(&sb, "other");
    let before = sessions(&sb);
    assert!(before[&user].contains("session"), "{before:?}");
    assert!(
        before[&format!("{user}-admin")].contains("role"),
        "{before:?}"
    );
    assert!(before["other"].contains("session"), "{before:?}");

    let out = run_bounded(&mut sb.vault(&["rotate", &user]), LIMIT);
    assert_success(&out);
    let report = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!report.contains(&old.secret), "secret leaked: {report}");

    let new = stored(&sb, &user);
    assert_ne!(new.id, old.id, "{report}");
    assert!(new.id.starts_with("AKIA"), "{}", new.id);
    assert!(!report.contains(&new.secret), "secret leaked: {report}");
    assert!(report.contains(&short(&old.id)), "{report}");
    assert!(report.contains(&short(&new.id)), "{report}");
    // IAM knows the new key as the user's, and the old one is gone.
    assert!(whoami(&sb, &new).ends_with(&format!(":user/{user}")));
    assert_eq!(list_keys(&sb, &user, &new), vec![new.id.clone()]);

    let after = sessions(&sb);
    assert_eq!(after[&user], "-", "{after:?}");
    assert_eq!(after[&format!("{user}-admin")], "-", "{after:?}");
    assert!(after["other"].contains("session"), "{after:?}");

    // The profile works with the new key, and a second rotation starts from it.
    exec_ok(&sb, &user);
    let out = run_bounded(&mut sb.vault(&["rotate", &user, "--no-session"]), LIMIT);
    assert_success(&out);
    let newer = stored(&sb, &user);
    assert_ne!(newer.id, new.id);
    assert_eq!(list_keys(&sb, &user, &newer), vec![newer.id.clone()]);
}

#[test]
fn a_role_profile_rotates_the_keys_at_its_root() {
    let sb = Sandbox::new();
    let user = user_name("root");
    let old = create_user(&sb, &user);
    sb.write_config(&format!(
        "[profile {user}]\nregion = us-east-1\n\
         [profile {user}-ops]\nsource_profile = {user}\nrole_arn = arn:aws:iam::123456789012:role/ops\n"
    ));
    add_keys(&sb, &user, &old);
    // The service-specific endpoints win over AWS_ENDPOINT_URL (here a closed port).
    let out = run_bounded(
        sb.vault(&["rotate", &format!("{user}-ops")])
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ENDPOINT_URL_STS", &sb.endpoint)
            .env("AWS_ENDPOINT_URL_IAM", &sb.endpoint),
        LIMIT,
    );
    assert_success(&out);
    assert!(
        stdout(&out).contains(&format!("with credentials of '{user}-ops'")),
        "{}",
        stdout(&out)
    );
    let new = stored(&sb, &user);
    assert_ne!(new.id, old.id);
    assert_eq!(list_keys(&sb, &user, &new), vec![new.id.clone()]);
}

#[test]
fn when_delete_is_denied_the_new_key_stays_stored_and_the_error_says_so() {
    // A server of its own, because IAM permissions are enforced on it once set up.
    let moto = Moto::start(&[]);
    let sb = Sandbox::with_endpoint(&moto.url);
    let user = user_name("deny");
    let old = create_user(&sb, &user);
    fixture(&sb, &["deny-delete", &user]);
    sb.write_config(&format!("[profile {user}]\nregion = us-east-1\n"));
    add_keys(&sb, &user, &old);

    let out = run_bounded(&mut sb.vault(&["rotate", &user]), LIMIT);
    let new = stored(&sb, &user);
    assert_ne!(new.id, old.id, "{}", stderr(&out));
    assert_one_line_error(
        &out,
        &[
            &format!("new key {} is stored and works", short(&new.id)),
            &format!("the old key {} could not be deleted", short(&old.id)),
            "AccessDenied",
            "delete it in the console",
        ],
    );
    // Both keys are still in IAM, the stored one works (the server checks signatures now).
    assert!(whoami(&sb, &new).ends_with(&format!(":user/{user}")));
    let mut both = vec![old.id.clone(), new.id.clone()];
    both.sort();
    assert_eq!(list_keys(&sb, &user, &new), both);
}

#[test]
fn when_the_user_already_has_two_keys_nothing_changes() {
    let sb = Sandbox::new();
    let user = user_name("full");
    let old = create_user(&sb, &user);
    let _second: Key = serde_json::from_str(&fixture(&sb, &["create-key", &user])).unwrap();
    add_keys(&sb, &user, &old);
    let out = run_bounded(&mut sb.vault(&["rotate", &user]), LIMIT);
    assert_one_line_error(
        &out,
        &[
            "cannot create a new access key",
            &format!("IAM user '{user}'"),
            "LimitExceeded",
            &format!(
                "nothing changed: the old key {} is still stored",
                short(&old.id)
            ),
        ],
    );
    let still = stored(&sb, &user);
    assert_eq!(still.id, old.id);
    assert_eq!(still.secret, old.secret);
    assert_eq!(list_keys(&sb, &user, &old).len(), 2);
}

#[test]
fn profiles_without_stored_keys_have_nothing_to_rotate() {
    let sb = Sandbox::new();
    sb.write_config("[profile cp]\ncredential_process = echo {}\n");
    let out = run_bounded(&mut sb.vault(&["rotate", "cp"]), LIMIT);
    assert_one_line_error(&out, &["'cp'", "no key to rotate"]);
    let out = run_bounded(&mut sb.vault(&["rotate", "ghost"]), LIMIT);
    assert_one_line_error(&out, &["'ghost'"]);
}
