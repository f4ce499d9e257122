//! A cached session is used only while the profile that made it is unchanged: editing the
//! role, its external id, session name, source identity, MFA device or duration, replacing the
//! keys at the root (`vault add --force`) or pointing at another STS endpoint makes the next run
//! call STS anew, which the recorder in front of moto sees.

use crate::LIMIT;
use crate::support::*;

const MFA: &str = "arn:aws:iam::123456789012:mfa/will";
const ROLE: &str = "arn:aws:iam::111111111111:role/admin";

/// `admin`: a role with MFA that wants 2h, so it asks MFA itself and its AssumeRole result is
/// cached as `role:admin` (README's table). `extra` lines go into its section.
fn admin_config(sb: &Sandbox, extra: &str) -> String {
    let mfa = sb.counting_mfa_process("mfa");
    let mut lines = vec![
        format!("role_arn = {ROLE}"),
        "source_profile = will".to_string(),
        format!("mfa_serial = {MFA}"),
        format!("mfa_process = {mfa}"),
        "duration_seconds = 7200".to_string(),
    ];
    // An extra line for a key replaces the base line for it.
    for line in extra.lines() {
        let key = line.split('=').next().unwrap().trim();
        lines.retain(|l| l.split('=').next().unwrap().trim() != key);
        lines.push(line.to_string());
    }
    format!("[profile will]\n[profile admin]\n{}\n", lines.join("\n"))
}

fn export(sb: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["export", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_bounded(&mut sb.vault(&all), LIMIT);
    assert_success(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// A role cached by one run, then `change` to the profile (or its keys): the second run must
/// make a fresh AssumeRole, with the new value of `param` when it names one.
fn role_case(name: &str, change: impl FnOnce(&Sandbox), param: Option<(&str, &str)>) {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&admin_config(&sb, ""));
    sb.add("will");
    let first = export(&sb, &["admin"]);
    assert_eq!(sts.count("AssumeRole"), 1, "{name}: {:?}", sts.calls());
    change(&sb);
    let second = export(&sb, &["admin"]);
    let calls = sts.calls_of("AssumeRole");
    assert_eq!(
        calls.len(),
        2,
        "{name}: the cached role was handed out after the change: {calls:?}"
    );
    assert_ne!(first["AccessKeyId"], second["AccessKeyId"], "{name}");
    if let Some((param, value)) = param {
        assert_eq!(calls[1].param(param), Some(value), "{name}: {:?}", calls[1]);
    }
    // The new session is cached in place of the old one and reused.
    let third = export(&sb, &["admin"]);
    assert_eq!(sts.count("AssumeRole"), 2, "{name}: the new role is cached");
    assert_eq!(second["AccessKeyId"], third["AccessKeyId"], "{name}");
}

fn edit(extra: &'static str) -> impl FnOnce(&Sandbox) {
    move |sb| sb.write_config(&admin_config(sb, extra))
}

/// Without a change the role is reused (so the cases below test the binding, not a cache
/// that never hits), `vault list` shows it and `vault clear` drops it.
#[test]
fn an_unchanged_role_is_reused_listed_and_cleared() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&admin_config(&sb, ""));
    sb.add("will");
    let first = export(&sb, &["admin"]);
    let second = export(&sb, &["admin"]);
    assert_eq!(first["AccessKeyId"], second["AccessKeyId"]);
    assert_eq!(sts.count("AssumeRole"), 1, "{:?}", sts.calls());
    assert_eq!(sb.count("mfa"), 1, "one MFA code");
    let out = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    assert_success(&out);
    let list = stdout(&out);
    assert!(
        list.lines()
            .any(|l| l.starts_with("admin") && l.contains("role ") && l.contains(" left")),
        "{list}"
    );
    let out = run_bounded(&mut sb.vault(&["clear", "admin"]), LIMIT);
    assert_success(&out);
    assert!(
        stderr(&out).contains("Cleared 1 cached session"),
        "{}",
        stderr(&out)
    );
    export(&sb, &["admin"]);
    assert_eq!(sts.count("AssumeRole"), 2, "a new role after clear");
}

#[test]
fn another_role_arn_is_assumed_anew() {
    let other = "arn:aws:iam::222222222222:role/admin";
    role_case(
        "role_arn",
        edit("role_arn = arn:aws:iam::222222222222:role/admin"),
        Some(("RoleArn", other)),
    );
}

#[test]
fn another_external_id_is_assumed_anew() {
    role_case(
        "external_id",
        edit("external_id = other-tenant"),
        Some(("ExternalId", "other-tenant")),
    );
}

#[test]
fn another_role_session_name_is_assumed_anew() {
    role_case(
        "role_session_name",
        edit("role_session_name = someone-else"),
        Some(("RoleSessionName", "someone-else")),
    );
}

#[test]
fn another_source_identity_is_assumed_anew() {
    role_case(
        "source_identity",
        edit("source_identity = someone-else"),
        Some(("SourceIdentity", "someone-else")),
    );
}

#[test]
fn another_mfa_device_is_assumed_anew() {
    let other = "arn:aws:iam::123456789012:mfa/other";
    role_case(
        "mfa_serial",
        edit("mfa_serial = arn:aws:iam::123456789012:mfa/other"),
        Some(("SerialNumber", other)),
    );
}

/// A role cached for 2h does not serve an ask of 3h (one for 1h30 it serves: see
/// `a_cached_session_is_not_reused_for_a_longer_ask`).
#[test]
fn a_longer_duration_is_assumed_anew() {
    role_case(
        "duration_seconds",
        edit("duration_seconds = 10800"),
        Some(("DurationSeconds", "10800")),
    );
}

/// `vault add --force` drops the keys' own sessions; a role cached on top of the old keys
/// (another profile's item) must not survive either.
#[test]
fn new_keys_at_the_root_assume_anew() {
    role_case(
        "root key id",
        |sb| {
            let out = sb
                .vault(&["add", "will", "--env", "--force"])
                .env("AWS_ACCESS_KEY_ID", "AKIAVAULTTESTKEY0002")
                .env(
                    "AWS_SECRET_ACCESS_KEY",
                    "vaultTestSecretKey/0002+abcdefghijklmnopq",
                )
                .output()
                .unwrap();
            assert_success(&out);
        },
        None,
    );
}

/// The GetSessionToken item too: a session from one STS endpoint is not sent to another.
#[test]
fn a_cached_session_is_not_reused_at_another_endpoint() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    export(&sb, &["will"]);
    export(&sb, &["will"]);
    assert_eq!(sts.count("GetSessionToken"), 1, "cached: {:?}", sts.calls());

    let other = sts_recorder();
    let out = run_bounded(
        sb.vault(&["export", "will", "--format", "json"])
            .env("AWS_ENDPOINT_URL", &other.url),
        LIMIT,
    );
    assert_success(&out);
    assert_eq!(
        other.count("GetSessionToken"),
        1,
        "the other endpoint was asked for its own session"
    );
}

/// A session asked for 15m does not serve an ask of 1h (it would end before the hour asked);
/// the 1h session then serves a later ask of 15m. `--debug` says why it fetched.
#[test]
fn a_cached_session_is_not_reused_for_a_longer_ask() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    export(&sb, &["will", "--duration", "15m"]);
    let out = run_bounded(
        &mut sb.vault(&["--debug", "export", "--format", "json", "will"]),
        LIMIT,
    );
    assert_success(&out);
    let debug = stderr(&out);
    assert!(
        debug.contains("was asked for 15m, less than the 1h asked now"),
        "{debug}"
    );
    let calls = sts.calls_of("GetSessionToken");
    assert_eq!(calls.len(), 2, "fetched anew for 1h: {calls:?}");
    assert_eq!(calls[1].param("DurationSeconds"), Some("3600"));
    export(&sb, &["will", "--duration", "15m"]);
    assert_eq!(sts.count("GetSessionToken"), 2, "the 1h session serves 15m");
}
