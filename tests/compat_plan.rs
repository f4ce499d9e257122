//! Issue 11, the calls table (docs/profiles.md, "Which STS calls, what is cached, when MFA is asked"):
//! one test per profile shape, counting and inspecting what moto received through the
//! recording proxy (Action, DurationSeconds, SerialNumber, TokenCode, RoleArn and the key each
//! call was signed with), then `--duration` against the chained session, the durations STS
//! refuses, and the cache against a longer ask.

mod support;

use std::process::Output;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const MFA: &str = "arn:aws:iam::123456789012:mfa/will";
const ADMIN: &str = "arn:aws:iam::111111111111:role/admin";
const OPS: &str = "arn:aws:iam::222222222222:role/ops";

fn export(sb: &Sandbox, args: &[&str]) -> Output {
    let mut all = vec!["--debug", "export", "--format", "json"];
    all.extend_from_slice(args);
    run_bounded(&mut sb.vault(&all), LIMIT)
}

/// Without --debug, so an error is vault's one line.
fn export_quiet(sb: &Sandbox, args: &[&str]) -> Output {
    let mut all = vec!["export", "--format", "json"];
    all.extend_from_slice(args);
    run_bounded(&mut sb.vault(&all), LIMIT)
}

fn export_ok(sb: &Sandbox, args: &[&str]) -> serde_json::Value {
    let out = export(sb, args);
    assert_success(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Two exports of `admin`: together one AssumeRole of ADMIN for `duration` seconds, with the MFA
/// code, signed by the stored keys; the second run is served from the cache (one code asked).
fn assert_one_assume_role_with_the_code(sts: &StsRecorder, sb: &Sandbox, duration: u64) {
    export_ok(sb, &["admin"]);
    export_ok(sb, &["admin"]);
    assert_eq!(
        shape(sts),
        [row("AssumeRole", duration, Some(MFA), Some(ADMIN))]
    );
    assert_eq!(sts.calls()[0].param("TokenCode"), Some("123456"));
    assert!(signed_by_keys(&sts.calls()[0]));
    assert_eq!(sb.count("mfa"), 1, "the role is cached");
}

/// `[profile will]` with the MFA device and a counting mfa_process, then `rest`.
fn with_mfa(sb: &Sandbox, rest: &str) {
    let mfa = sb.counting_mfa_process("mfa");
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = {MFA}\nmfa_process = {mfa}\n{rest}"
    ));
}

/// (Action, DurationSeconds, SerialNumber, RoleArn) of one call.
type Row = (String, Option<String>, Option<String>, Option<String>);

/// Each call's [`Row`], in order.
fn shape(sts: &StsRecorder) -> Vec<Row> {
    sts.calls()
        .iter()
        .map(|c| {
            let p = |name: &str| c.param(name).map(String::from);
            (
                c.action.clone(),
                p("DurationSeconds"),
                p("SerialNumber"),
                p("RoleArn"),
            )
        })
        .collect()
}

fn row(action: &str, duration: u64, serial: Option<&str>, role: Option<&str>) -> Row {
    (
        action.into(),
        Some(duration.to_string()),
        serial.map(String::from),
        role.map(String::from),
    )
}

fn signed_by_keys(call: &StsCall) -> bool {
    call.signing_key.as_deref() == Some(ACCESS_KEY)
}

/// Signed, and not with the long-term keys: with the session (or role) before it.
fn signed_by_temporary(call: &StsCall) -> bool {
    call.signing_key.is_some() && !signed_by_keys(call)
}

#[test]
fn row_user_keys_no_session_make_no_call() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    let creds = export_ok(&sb, &["will", "--no-session"]);
    assert_eq!(creds["AccessKeyId"], ACCESS_KEY);
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
}

#[test]
fn row_user_keys_get_one_session_then_the_cache() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    export_ok(&sb, &["will"]);
    export_ok(&sb, &["will"]);
    assert_eq!(shape(&sts), [row("GetSessionToken", 3600, None, None)]);
    assert!(signed_by_keys(&sts.calls()[0]));
}

#[test]
fn row_user_keys_with_mfa_ask_once_per_session() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(&sb, "");
    sb.add("will");
    export_ok(&sb, &["will"]);
    export_ok(&sb, &["will"]);
    assert_eq!(shape(&sts), [row("GetSessionToken", 3600, Some(MFA), None)]);
    assert_eq!(sts.calls()[0].param("TokenCode"), Some("123456"));
    assert!(signed_by_keys(&sts.calls()[0]));
    assert_eq!(sb.count("mfa"), 1);
}

#[test]
fn row_role_from_user_keys_without_mfa_is_one_assume_role() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\n[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n"
    ));
    sb.add("will");
    export_ok(&sb, &["admin"]);
    assert_eq!(shape(&sts), [row("AssumeRole", 3600, None, Some(ADMIN))]);
    assert!(signed_by_keys(&sts.calls()[0]));
}

#[test]
fn row_role_with_mfa_goes_through_a_session_signed_with_it() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!("[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n"),
    );
    sb.add("will");
    export_ok(&sb, &["admin"]);
    assert_eq!(
        shape(&sts),
        [
            row("GetSessionToken", 28800, Some(MFA), None),
            row("AssumeRole", 3600, None, Some(ADMIN)),
        ]
    );
    let calls = sts.calls();
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));
    assert!(signed_by_keys(&calls[0]) && signed_by_temporary(&calls[1]));
    assert_eq!(sb.count("mfa"), 1);
}

#[test]
fn row_role_with_mfa_wanting_more_than_an_hour_is_one_assume_role_with_the_code() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!(
            "[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\nduration_seconds = 7200\n"
        ),
    );
    sb.add("will");
    assert_one_assume_role_with_the_code(&sts, &sb, 7200);
}

/// aws-vault (canUseGetSessionToken): a session is shared only when the source names the same
/// device; a role that alone names one is assumed directly with the code.
#[test]
fn row_role_naming_a_device_its_source_does_not_is_one_assume_role_with_the_code() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("mfa");
    sb.write_config(&format!(
        "[profile will]\n[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n\
         mfa_serial = {MFA}\nmfa_process = {mfa}\n"
    ));
    sb.add("will");
    assert_one_assume_role_with_the_code(&sts, &sb, 3600);
}

/// aws-vault (vault/vault.go, primeWithGetSessionToken): a role profile holding its own keys
/// has no source to share a session with, so it is assumed directly with the MFA code.
#[test]
fn row_role_over_its_own_keys_with_mfa_is_one_assume_role_with_the_code() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("mfa");
    sb.write_config(&format!(
        "[profile admin]\nrole_arn = {ADMIN}\nmfa_serial = {MFA}\nmfa_process = {mfa}\n"
    ));
    sb.add("admin");
    assert_one_assume_role_with_the_code(&sts, &sb, 3600);
}

/// A profile without role_arn over a role source makes exactly the source's calls.
#[test]
fn row_non_role_profile_over_a_role_source_makes_the_roles_calls() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!(
            "[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n\
             [profile reader]\nsource_profile = admin\nregion = eu-west-1\n"
        ),
    );
    sb.add("will");
    export_ok(&sb, &["reader"]);
    assert_eq!(
        shape(&sts),
        [
            row("GetSessionToken", 28800, Some(MFA), None),
            row("AssumeRole", 3600, None, Some(ADMIN)),
        ]
    );
    let calls = sts.calls();
    assert!(signed_by_keys(&calls[0]) && signed_by_temporary(&calls[1]));

    // Wanting more than the 1h a session allows: one AssumeRole with the code, from the keys.
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!(
            "[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\nduration_seconds = 7200\n\
             [profile reader]\nsource_profile = admin\n"
        ),
    );
    sb.add("will");
    export_ok(&sb, &["reader"]);
    assert_eq!(
        shape(&sts),
        [row("AssumeRole", 7200, Some(MFA), Some(ADMIN))]
    );
    assert!(signed_by_keys(&sts.calls()[0]));
}

#[test]
fn row_role_chain_asks_mfa_once_and_each_role_is_signed_by_the_one_before() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!(
            "[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n\
             [profile ops]\nsource_profile = admin\nrole_arn = {OPS}\nduration_seconds = 7200\n"
        ),
    );
    sb.add("will");
    export_ok(&sb, &["ops"]);
    assert_eq!(
        shape(&sts),
        [
            row("GetSessionToken", 28800, Some(MFA), None),
            row("AssumeRole", 3600, None, Some(ADMIN)),
            row("AssumeRole", 3600, None, Some(OPS)),
        ]
    );
    let calls = sts.calls();
    assert!(signed_by_keys(&calls[0]));
    assert!(signed_by_temporary(&calls[1]) && signed_by_temporary(&calls[2]));
    assert_ne!(
        calls[1].signing_key, calls[2].signing_key,
        "ops on admin's keys"
    );
    assert_eq!(sb.count("mfa"), 1);
}

#[test]
fn row_role_with_mfa_and_no_session_is_one_assume_role_with_the_code() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!("[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n"),
    );
    sb.add("will");
    export_ok(&sb, &["admin", "--no-session"]);
    assert_eq!(
        shape(&sts),
        [row("AssumeRole", 3600, Some(MFA), Some(ADMIN))]
    );
    assert!(signed_by_keys(&sts.calls()[0]));
}

/// aws-vault's `--duration` sets the chained GetSessionToken too (cli/exec.go), over
/// AWS_CHAINED_SESSION_TOKEN_TTL; the roles after it stay capped at 1h.
#[test]
fn duration_reaches_the_chained_session() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!(
            "[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n\
             [profile ops]\nsource_profile = admin\nrole_arn = {OPS}\n"
        ),
    );
    sb.add("will");
    let out = run_bounded(
        sb.vault(&["export", "--format", "json", "ops", "--duration", "12h"])
            .env("AWS_CHAINED_SESSION_TOKEN_TTL", "2h"),
        LIMIT,
    );
    assert_success(&out);
    assert_eq!(
        shape(&sts),
        [
            row("GetSessionToken", 43200, Some(MFA), None),
            row("AssumeRole", 3600, None, Some(ADMIN)),
            row("AssumeRole", 3600, None, Some(OPS)),
        ]
    );
}

/// -d 0, -d 5s and -d 100d are refused before any call and before MFA is asked, with the
/// profile and the range STS accepts in the message.
#[test]
fn durations_sts_refuses_are_refused_before_any_call() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    with_mfa(
        &sb,
        &format!(
            "[profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\n\
             [profile ops]\nsource_profile = admin\nrole_arn = {OPS}\n"
        ),
    );
    sb.add("will");
    for (profile, duration, needles) in [
        ("will", "0", ["'will'", "GetSessionToken", "15m to 36h"]),
        ("will", "5s", ["'will'", "GetSessionToken", "15m to 36h"]),
        ("will", "100d", ["'will'", "GetSessionToken", "15m to 36h"]),
        ("admin", "13h", ["'admin'", "AssumeRole", "15m to 12h"]),
        ("ops", "5s", ["'will'", "GetSessionToken", "15m to 36h"]),
        ("ops", "100d", ["'will'", "GetSessionToken", "15m to 36h"]),
    ] {
        let out = export_quiet(&sb, &[profile, "--duration", duration]);
        assert_one_line_error(&out, &needles);
    }
    // The chained role's own duration_seconds below 15m: its range is the chained one.
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = {MFA}\n\
         [profile admin]\nsource_profile = will\nrole_arn = {ADMIN}\nduration_seconds = 60\n"
    ));
    let out = export_quiet(&sb, &["admin"]);
    assert_one_line_error(
        &out,
        &[
            "'admin'",
            "AssumeRole",
            "15m to 1h when assumed with temporary credentials",
        ],
    );
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
    assert_eq!(sb.count("mfa"), 0, "MFA is not asked for a refused plan");
}

/// The cache against the ask: a role cached for 1h does not serve `--duration 2h` (it would
/// end an hour early), and `--debug` says why a new one is fetched; the 2h role then serves
/// an ask of 1h.
#[test]
fn a_cached_role_asked_for_less_is_fetched_anew_and_debug_says_why() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("mfa");
    sb.write_config(&format!(
        "[profile admin]\nrole_arn = {ADMIN}\nmfa_serial = {MFA}\nmfa_process = {mfa}\n"
    ));
    sb.add("admin");
    export_ok(&sb, &["admin"]);
    let out = export(&sb, &["admin", "--duration", "2h"]);
    assert_success(&out);
    let debug = stderr(&out);
    assert!(
        debug.contains("role:admin was asked for 1h, less than the 2h asked now"),
        "{debug}"
    );
    export_ok(&sb, &["admin", "--duration", "1h"]);
    assert_eq!(
        shape(&sts),
        [
            row("AssumeRole", 3600, Some(MFA), Some(ADMIN)),
            row("AssumeRole", 7200, Some(MFA), Some(ADMIN)),
        ]
    );
    assert_eq!(sb.count("mfa"), 2);
}
