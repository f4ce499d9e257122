//! Issue 11, "Caching: every role" and "Speed": every role, and a root's credential_process
//! result, is cached in the store like an MFA session, and a plan served from the cache makes
//! no STS call, starts no async runtime and builds no SDK client. Counted through the
//! recording proxy in front of moto.

mod support;

use std::time::Duration;

use support::*;

#[path = "support/sso_stand_in.rs"]
mod sso_stand_in;

const LIMIT: Duration = Duration::from_secs(60);

/// `will` (stored keys, no MFA) -> `a` -> `b`: a two-hop chain with no MFA anywhere, which
/// vault used to assume afresh, two AssumeRoles, on every call.
fn chain(sb: &Sandbox) {
    sb.write_config(
        "[profile will]\n\
         [profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = will\n\
         [profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = a\n",
    );
    sb.add("will");
}

fn vault_ok(sb: &Sandbox, args: &[&str]) -> (String, String) {
    let out = run_bounded(&mut sb.vault(args), LIMIT);
    assert_success(&out);
    (stdout(&out), stderr(&out))
}

#[test]
fn a_two_hop_chain_without_mfa_is_assumed_once_and_then_served_from_the_cache() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    chain(&sb);
    let (first, _) = vault_ok(&sb, &["export", "b", "--format", "json"]);
    let (second, _) = vault_ok(&sb, &["export", "b", "--format", "json"]);
    vault_ok(&sb, &["exec", "b", "--", "true"]);
    let roles: Vec<_> = sts
        .calls_of("AssumeRole")
        .iter()
        .map(|c| c.param("RoleArn").map(String::from))
        .collect();
    assert_eq!(
        roles,
        [
            Some("arn:aws:iam::111111111111:role/a".to_string()),
            Some("arn:aws:iam::222222222222:role/b".to_string()),
        ],
        "one AssumeRole per hop, then none: {:?}",
        sts.calls()
    );
    assert_eq!(sts.calls().len(), 2, "{:?}", sts.calls());
    let json = |text: &str| -> serde_json::Value { serde_json::from_str(text).unwrap() };
    assert_eq!(json(&first)["AccessKeyId"], json(&second)["AccessKeyId"]);
    let (list, _) = vault_ok(&sb, &["list"]);
    let row = |name: &str| {
        list.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row("a").contains("role ") && row("a").contains(" left"),
        "{list}"
    );
    assert!(
        row("b").contains("role ") && row("b").contains(" left"),
        "{list}"
    );
}

#[test]
fn a_cached_chain_needs_no_network_no_runtime_and_no_client() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    chain(&sb);
    let (_, fetching) = vault_ok(&sb, &["--debug", "export", "b", "--format", "json"]);
    // The debug lines the cached runs must not have are there when the network is used.
    assert!(
        fetching.contains("starting the async runtime") && fetching.contains("SDK client for"),
        "{fetching}"
    );
    // Same endpoint URL (cached items are bound to it), nothing listening any more.
    sts.close();
    assert!(std::net::TcpStream::connect(sts.url.trim_start_matches("http://")).is_err());
    for args in [
        &["--debug", "exec", "b", "--", "true"][..],
        &["--debug", "export", "b", "--format", "json"][..],
    ] {
        let (_, debug) = vault_ok(&sb, args);
        assert!(debug.contains("using cached role:b"), "{args:?}: {debug}");
        assert!(
            !debug.contains("starting the async runtime") && !debug.contains("SDK client for"),
            "{args:?}: {debug}"
        );
    }
    assert_eq!(sts.count("AssumeRole"), 2);
}

#[test]
fn the_role_session_name_is_the_same_for_every_call_of_a_user() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    chain(&sb);
    vault_ok(&sb, &["export", "a", "--format", "json"]);
    let (_, cleared) = vault_ok(&sb, &["clear", "a"]);
    assert!(cleared.contains("Cleared 1 cached session."), "{cleared}");
    vault_ok(&sb, &["export", "a", "--format", "json"]);
    let names: Vec<_> = sts
        .calls_of("AssumeRole")
        .iter()
        .map(|c| c.param("RoleSessionName").unwrap_or_default().to_string())
        .collect();
    assert_eq!(names.len(), 2, "clear dropped role:a: {:?}", sts.calls());
    assert_eq!(names[0], names[1]);
    assert!(names[0].starts_with("vault-") && names[0].len() > "vault-".len());
}

#[test]
fn a_changed_role_arn_is_assumed_anew() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    chain(&sb);
    vault_ok(&sb, &["export", "a", "--format", "json"]);
    sb.write_config(
        "[profile will]\n\
         [profile a]\nrole_arn = arn:aws:iam::111111111111:role/other\nsource_profile = will\n",
    );
    vault_ok(&sb, &["export", "a", "--format", "json"]);
    let roles: Vec<_> = sts
        .calls_of("AssumeRole")
        .iter()
        .map(|c| c.param("RoleArn").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        roles,
        [
            "arn:aws:iam::111111111111:role/a",
            "arn:aws:iam::111111111111:role/other"
        ]
    );
}

#[test]
fn a_credential_process_root_runs_once_and_its_role_is_assumed_once() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let runs = sb.path("process.count");
    let script = sb.path("process.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\necho '{{\"Version\":1,\"AccessKeyId\":\"{ACCESS_KEY}\",\"SecretAccessKey\":\"{SECRET_KEY}\",\"SessionToken\":\"token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}}'\n",
            runs.display()
        ),
    )
    .unwrap();
    sb.write_config(&format!(
        "[profile proc]\ncredential_process = sh {}\n\
         [profile r]\nrole_arn = arn:aws:iam::333333333333:role/r\nsource_profile = proc\n",
        script.display()
    ));
    for _ in 0..3 {
        vault_ok(&sb, &["exec", "r", "--", "true"]);
    }
    assert_eq!(sb.count("process"), 1);
    assert_eq!(sts.count("AssumeRole"), 1, "{:?}", sts.calls());
    // `vault clear` drops the cached role and the cached process result.
    let (_, cleared) = vault_ok(&sb, &["clear"]);
    assert!(cleared.contains("Cleared 2 cached sessions."), "{cleared}");
    vault_ok(&sb, &["exec", "r", "--", "true"]);
    assert_eq!((sb.count("process"), sts.count("AssumeRole")), (2, 2));
}

#[test]
fn three_aws_cli_commands_through_credential_process_make_one_assume_role() {
    if std::process::Command::new("aws")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: the AWS CLI is not installed");
        return;
    }
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\n\
         [profile admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = will\n\
         [profile cli]\ncredential_process = {} export admin --format json\nregion = us-east-1\n",
        env!("CARGO_BIN_EXE_vault")
    ));
    sb.add("will");
    for _ in 0..3 {
        let out = run_bounded(
            sb.command("aws")
                .args(["sts", "get-caller-identity", "--profile", "cli"]),
            LIMIT,
        );
        assert_success(&out);
    }
    assert_eq!(sts.count("GetCallerIdentity"), 3, "{:?}", sts.calls());
    let roles = sts.calls_of("AssumeRole");
    assert_eq!(roles.len(), 1, "{:?}", sts.calls());
    assert_eq!(
        roles[0].param("RoleArn"),
        Some("arn:aws:iam::111111111111:role/admin")
    );
    assert_eq!(sts.count("GetSessionToken"), 0);
}

#[test]
fn sso_role_credentials_and_the_role_on_top_are_fetched_once() {
    let sso = sso_stand_in::StandIn::start(&[("SSO_PENDING", "0")]);
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    // Approves the device authorization by doing nothing: the stand-in answers the token.
    let browser = sh_script(&sb.path("browser.sh"), "exit 0");
    sb.write_config(
        "[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = eu-west-1\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n\
         [profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::444455556666:role/admin\n",
    );
    for profile in ["dev", "admin", "dev", "admin"] {
        let out = run_bounded(
            sb.vault(&["exec", profile, "--", "true"])
                .env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
                .env("AWS_ENDPOINT_URL_SSO", &sso.url)
                // The device code flow, whose browser approves by doing nothing.
                .env("VAULT_SSO_USE_DEVICE_CODE", "1")
                .env("BROWSER", &browser),
            LIMIT,
        );
        assert_success(&out);
    }
    assert_eq!(sso.calls("GetRoleCredentials"), 1);
    assert_eq!(sts.count("AssumeRole"), 1, "{:?}", sts.calls());
}

#[test]
fn a_web_identity_result_is_cached_and_bound_to_its_settings() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    std::fs::write(
        sb.path("token"),
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln\n",
    )
    .unwrap();
    let config = |role: &str| {
        format!(
            "[profile ci]\nweb_identity_token_file = {}\nrole_arn = arn:aws:iam::123456789012:role/{role}\n",
            sb.path("token").display()
        )
    };
    sb.write_config(&config("ci"));
    vault_ok(&sb, &["exec", "ci", "--", "true"]);
    vault_ok(&sb, &["exec", "ci", "--", "true"]);
    assert_eq!(
        sts.count("AssumeRoleWithWebIdentity"),
        1,
        "{:?}",
        sts.calls()
    );
    sb.write_config(&config("other"));
    vault_ok(&sb, &["exec", "ci", "--", "true"]);
    let roles: Vec<_> = sts
        .calls_of("AssumeRoleWithWebIdentity")
        .iter()
        .map(|c| c.param("RoleArn").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        roles,
        [
            "arn:aws:iam::123456789012:role/ci",
            "arn:aws:iam::123456789012:role/other"
        ]
    );
}
