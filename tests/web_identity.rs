//! web_identity_token_file against the real emulator (moto's STS answers
//! AssumeRoleWithWebIdentity, an unsigned call), and the errors of the other keyless source,
//! credential_process.

mod support;

use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const ROLE: &str = "arn:aws:iam::123456789012:role/ci-deployer";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvcnAvYXBwIn0.c2lnbmF0dXJl";

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::write(sb.path("token"), format!("{TOKEN}\n")).unwrap();
    sb.write_config(&format!(
        "[profile ci]\nweb_identity_token_file = {}\nrole_arn = {ROLE}\n\
         role_session_name = ci-run\nduration_seconds = 1800\nregion = eu-north-1\n\n\
         [profile deploy]\nsource_profile = ci\nrole_arn = arn:aws:iam::210987654321:role/deploy\n",
        sb.path("token").display()
    ));
    sb
}

#[test]
fn web_identity_profile_gets_role_credentials() {
    let sb = sandbox();
    let out = run_bounded(
        &mut sb.vault(&["--debug", "exec", "ci", "--", "env"]),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "ci");
    assert_eq!(env["AWS_REGION"], "eu-north-1");
    assert!(
        env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
        "{}",
        env["AWS_ACCESS_KEY_ID"]
    );
    assert!(!env["AWS_SESSION_TOKEN"].is_empty());
    let expiry = chrono::DateTime::parse_from_rfc3339(&env["AWS_CREDENTIAL_EXPIRATION"]).unwrap();
    let left = expiry.timestamp() - chrono::Utc::now().timestamp();
    assert!(
        (1700..=1800).contains(&left),
        "duration_seconds: {left}s left"
    );
    let debug = stderr(&out);
    assert!(
        debug.contains(&format!(
            "AssumeRoleWithWebIdentity {ROLE} for 'ci' (1800s)"
        )),
        "{debug}"
    );
    assert!(!debug.contains("GetSessionToken"), "{debug}");
    assert!(!debug.contains(TOKEN), "the token is a secret: {debug}");
}

#[test]
fn role_session_name_reaches_sts() {
    let sb = sandbox();
    // The AWS CLI, run with vault's credentials, asks moto who they belong to.
    let out = run_bounded(
        &mut sb.vault(&[
            "exec",
            "ci",
            "--",
            "aws",
            "sts",
            "get-caller-identity",
            "--output",
            "json",
        ]),
        LIMIT,
    );
    assert_success(&out);
    let who: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        who["Arn"],
        "arn:aws:sts::123456789012:assumed-role/ci-deployer/ci-run"
    );
}

#[test]
fn role_is_assumed_on_top_of_web_identity() {
    let sb = sandbox();
    let out = run_bounded(
        &mut sb.vault(&["--debug", "exec", "deploy", "--", "env"]),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "deploy");
    let debug = stderr(&out);
    let calls: Vec<&str> = debug.lines().filter(|l| l.contains("AssumeRole")).collect();
    assert_eq!(calls.len(), 2, "{debug}");
    assert!(calls[0].contains("AssumeRoleWithWebIdentity") && calls[0].contains("ci-deployer"));
    assert!(
        calls[1].contains("role/deploy") && calls[1].contains("3600s"),
        "{debug}"
    );
}

#[test]
fn token_file_is_read_every_time() {
    let sb = sandbox();
    let out = run_bounded(&mut sb.vault(&["exec", "ci", "--", "true"]), LIMIT);
    assert_success(&out);
    // The role credentials are cached (issue 11); without them the token is read again.
    assert_success(&run_bounded(&mut sb.vault(&["clear", "ci"]), LIMIT));
    std::fs::remove_file(sb.path("token")).unwrap();
    let out = run_bounded(&mut sb.vault(&["exec", "ci", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &[
            "profile 'ci'",
            "cannot read web_identity_token_file",
            &sb.path("token").display().to_string(),
        ],
    );
    std::fs::write(sb.path("token"), "  \n").unwrap();
    let out = run_bounded(&mut sb.vault(&["exec", "ci", "--", "true"]), LIMIT);
    assert_one_line_error(&out, &["profile 'ci'", "is empty"]);
}

#[test]
fn web_identity_without_role_is_a_clear_error() {
    let sb = Sandbox::new();
    sb.write_config("[profile ci]\nweb_identity_token_file = /nonexistent\n");
    let out = run_bounded(&mut sb.vault(&["exec", "ci", "--", "true"]), LIMIT);
    assert_one_line_error(&out, &["'ci'", "role_arn is missing"]);
}

#[test]
fn sts_refusal_is_one_clear_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::with_endpoint(&format!("http://127.0.0.1:{port}"));
    std::fs::write(sb.path("token"), TOKEN).unwrap();
    sb.write_config(&format!(
        "[profile ci]\nweb_identity_token_file = {}\nrole_arn = {ROLE}\n",
        sb.path("token").display()
    ));
    let out = run_bounded(
        &mut sb.vault(&["exec", "ci", "--", "true"]),
        Duration::from_secs(30),
    );
    assert_one_line_error(
        &out,
        &["profile 'ci'", "AssumeRoleWithWebIdentity", "failed"],
    );
    assert!(!stderr(&out).contains(TOKEN));
}

#[test]
fn credential_process_with_bad_output_is_one_clear_line() {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile cp]\ncredential_process = echo '{\"Version\":1,\"AccessKeyId\":\"AK\",\"Secret\":\"hunter2\"}'\n\
         [profile quiet]\ncredential_process = true\n",
    );
    let out = run_bounded(&mut sb.vault(&["exec", "cp", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &[
            "credential_process of profile 'cp'",
            "credential_process JSON shape",
            "missing field SecretAccessKey",
        ],
    );
    assert!(
        !stderr(&out).contains("hunter2"),
        "the output is never quoted"
    );
    let out = run_bounded(&mut sb.vault(&["exec", "quiet", "--", "true"]), LIMIT);
    assert_one_line_error(&out, &["profile 'quiet'", "printed nothing"]);
}
