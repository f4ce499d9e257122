//! aws-vault's config semantics against moto, read back through the recording proxy (issue 11):
//! `[default]` under every profile, session tags on AssumeRole, and aws-vault's environment
//! variables (AWS_ROLE_ARN, AWS_MFA_SERIAL, AWS_SESSION_TAGS, AWS_VAULT_DURATION, ...).

mod support;

use std::time::Duration;

use support::*;

#[path = "support/federation.rs"]
mod federation;

const LIMIT: Duration = Duration::from_secs(60);
const MFA: &str = "arn:aws:iam::123456789012:mfa/will";
const ROLE_A: &str = "arn:aws:iam::111111111111:role/a";
const ROLE_B: &str = "arn:aws:iam::222222222222:role/b";
const ENV_ROLE: &str = "arn:aws:iam::333333333333:role/from-env";

/// `vault exec ARGS -- env` with `env` set; its environment after a success.
fn exec_env(
    sb: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::collections::BTreeMap<String, String> {
    let out = run_exec(sb, args, env);
    assert_success(&out);
    env_map(&stdout(&out))
}

fn run_exec(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut full = vec!["exec"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--", "env"]);
    let mut cmd = sb.vault(&full);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_bounded(&mut cmd, LIMIT)
}

/// The `Tags` of an AssumeRole as `key=value` pairs, in the order sent.
fn tags(call: &StsCall) -> Vec<String> {
    (1..)
        .map_while(|n| {
            let key = call.param(&format!("Tags.member.{n}.Key"))?;
            let value = call.param(&format!("Tags.member.{n}.Value")).unwrap_or("");
            Some(format!("{key}={value}"))
        })
        .collect()
}

fn transitive(call: &StsCall) -> Vec<String> {
    (1..)
        .map_while(|n| {
            call.param(&format!("TransitiveTagKeys.member.{n}"))
                .map(String::from)
        })
        .collect()
}

#[test]
fn default_mfa_serial_and_region_reach_a_role_chain() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("default");
    sb.write_config(&format!(
        "[default]\nmfa_serial = {MFA}\nmfa_process = {mfa}\nregion = eu-north-1\n\
         [profile will]\n\
         [profile a]\nrole_arn = {ROLE_A}\nsource_profile = will\n\
         [profile b]\nrole_arn = {ROLE_B}\nsource_profile = a\n"
    ));
    sb.add("will");
    let env = exec_env(&sb, &["b"], &[]);
    assert_eq!(env["AWS_REGION"], "eu-north-1", "[default]'s region");
    let calls = sts.calls();
    let with_mfa: Vec<&StsCall> = calls
        .iter()
        .filter(|c| c.param("SerialNumber").is_some())
        .collect();
    assert_eq!(with_mfa.len(), 1, "one MFA-authenticated call: {calls:?}");
    assert_eq!(with_mfa[0].param("SerialNumber"), Some(MFA));
    assert_eq!(with_mfa[0].param("TokenCode"), Some("123456"));
    assert_eq!(sb.count("default"), 1, "[default]'s mfa_process asked once");
    let arns: Vec<String> = sts
        .calls_of("AssumeRole")
        .iter()
        .map(|c| c.param("RoleArn").unwrap().to_string())
        .collect();
    assert_eq!(arns, [ROLE_A, ROLE_B]);
    // Each call is signed by what the one before it returned: the long-term keys sign only the
    // MFA session, which signs role a, which signs role b.
    let keys: Vec<Option<&str>> = calls.iter().map(|c| c.signing_key.as_deref()).collect();
    assert_eq!(keys.len(), 3, "{calls:?}");
    assert_eq!(keys[0], Some(ACCESS_KEY), "{calls:?}");
    assert!(
        keys[1..].iter().all(|k| k.is_some_and(|k| k != ACCESS_KEY)) && keys[1] != keys[2],
        "each hop signed with the credentials before it: {keys:?}"
    );
}

#[test]
fn default_fills_duration_and_session_name_of_a_role() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[default]\nduration_seconds = 1800\nrole_session_name = from-default\n\
         [profile will]\n[profile a]\nrole_arn = {ROLE_A}\nsource_profile = will\n"
    ));
    sb.add("will");
    exec_env(&sb, &["a"], &[]);
    let roles = sts.calls_of("AssumeRole");
    assert_eq!(roles.len(), 1, "{:?}", sts.calls());
    assert_eq!(roles[0].param("DurationSeconds"), Some("1800"));
    assert_eq!(roles[0].param("RoleSessionName"), Some("from-default"));
}

#[test]
fn session_tags_are_sent_per_hop_and_the_variables_win_for_the_target_only() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\n\
         [profile a]\nrole_arn = {ROLE_A}\nsource_profile = will\n\
         session_tags = team = blue , env=prod\ntransitive_session_tags = team\n\
         [profile b]\nrole_arn = {ROLE_B}\nsource_profile = a\nsession_tags = file=1\n"
    ));
    sb.add("will");
    exec_env(&sb, &["b"], &[]);
    let roles = sts.calls_of("AssumeRole");
    assert_eq!(roles.len(), 2, "{:?}", sts.calls());
    assert_eq!(tags(&roles[0]), ["team=blue", "env=prod"]);
    assert_eq!(transitive(&roles[0]), ["team"]);
    assert_eq!(tags(&roles[1]), ["file=1"]);
    assert!(transitive(&roles[1]).is_empty());

    let sts = sts_recorder();
    let sb2 = Sandbox::with_endpoint(&sts.url);
    std::fs::copy(sb.config_path(), sb2.config_path()).unwrap();
    sb2.add("will");
    exec_env(
        &sb2,
        &["b"],
        &[
            ("AWS_SESSION_TAGS", "who=env"),
            ("AWS_TRANSITIVE_TAGS", "who"),
        ],
    );
    let roles = sts.calls_of("AssumeRole");
    assert_eq!(
        tags(&roles[0]),
        ["team=blue", "env=prod"],
        "the source keeps its own"
    );
    assert_eq!(
        tags(&roles[1]),
        ["who=env"],
        "the variable wins for the target"
    );
    assert_eq!(transitive(&roles[1]), ["who"]);
}

#[test]
fn malformed_session_tags_are_an_error_naming_the_profile_before_any_call() {
    for (value, why) in [
        ("tag1=value1,", "empty tag"),
        ("=v", "without a key"),
        ("k=", "without a value"),
        ("novalue", "without '='"),
    ] {
        let sts = sts_recorder();
        let sb = Sandbox::with_endpoint(&sts.url);
        sb.write_config(&format!(
            "[profile will]\n[profile tagged]\nrole_arn = {ROLE_A}\nsource_profile = will\nsession_tags = {value}\n"
        ));
        sb.add("will");
        let out = run_exec(&sb, &["tagged"], &[]);
        assert_one_line_error(&out, &["'tagged'", "session_tags", why]);
        assert!(sts.calls().is_empty(), "{value}: {:?}", sts.calls());
        // The same value from the variable names it and the profile.
        let out = run_exec(&sb, &["will"], &[("AWS_SESSION_TAGS", value)]);
        assert_one_line_error(&out, &["AWS_SESSION_TAGS", "'will'", why]);
        assert!(sts.calls().is_empty(), "{value}: {:?}", sts.calls());
    }
}

#[test]
fn aws_role_arn_makes_the_target_a_role_with_the_other_variables() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    let env = exec_env(
        &sb,
        &["will"],
        &[
            ("AWS_ROLE_ARN", ENV_ROLE),
            ("AWS_ROLE_SESSION_NAME", "ci-job"),
            ("AWS_SOURCE_IDENTITY", "alice"),
        ],
    );
    let calls = sts.calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["AssumeRole"], "a role, not the base user");
    assert_eq!(calls[0].param("RoleArn"), Some(ENV_ROLE));
    assert_eq!(calls[0].param("RoleSessionName"), Some("ci-job"));
    assert_eq!(calls[0].param("SourceIdentity"), Some("alice"));
    assert_eq!(
        calls[0].signing_key.as_deref(),
        Some(ACCESS_KEY),
        "signed by will's keys"
    );
    assert!(env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{env:?}");
    assert_ne!(env["AWS_ACCESS_KEY_ID"], ACCESS_KEY);
}

#[test]
fn aws_role_arn_replaces_only_the_target_role() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\n\
         [profile a]\nrole_arn = {ROLE_A}\nsource_profile = will\n\
         [profile b]\nrole_arn = {ROLE_B}\nsource_profile = a\n"
    ));
    sb.add("will");
    exec_env(
        &sb,
        &["b"],
        &[("AWS_ROLE_ARN", ENV_ROLE), ("AWS_ROLE_SESSION_NAME", "ci")],
    );
    let roles = sts.calls_of("AssumeRole");
    let arns: Vec<&str> = roles.iter().map(|c| c.param("RoleArn").unwrap()).collect();
    assert_eq!(arns, [ROLE_A, ENV_ROLE]);
    assert_ne!(roles[0].param("RoleSessionName"), Some("ci"));
    assert_eq!(roles[1].param("RoleSessionName"), Some("ci"));
}

#[test]
fn aws_mfa_serial_applies_and_wins_over_the_file() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/file\n");
    sb.add("will");
    exec_env(
        &sb,
        &["will", "--mfa-token", "654321"],
        &[("AWS_MFA_SERIAL", MFA)],
    );
    let sessions = sts.calls_of("GetSessionToken");
    assert_eq!(sessions.len(), 1, "{:?}", sts.calls());
    assert_eq!(sessions[0].param("SerialNumber"), Some(MFA));
    assert_eq!(sessions[0].param("TokenCode"), Some("654321"));
    assert_eq!(sessions[0].signing_key.as_deref(), Some(ACCESS_KEY));
}

#[test]
fn aws_vault_duration_is_duration_and_the_flag_wins() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\n[profile a]\nrole_arn = {ROLE_A}\nsource_profile = will\n"
    ));
    sb.add("will");
    // The flag first: a role cached for 30m would serve the shorter ask of 20m.
    exec_env(
        &sb,
        &["a", "--duration", "20m"],
        &[("AWS_VAULT_DURATION", "30m")],
    );
    exec_env(&sb, &["a"], &[("AWS_VAULT_DURATION", "30m")]);
    let asked: Vec<String> = sts
        .calls_of("AssumeRole")
        .iter()
        .map(|c| c.param("DurationSeconds").unwrap().to_string())
        .collect();
    assert_eq!(asked, ["1200", "1800"]);
    let out = run_exec(&sb, &["a"], &[("AWS_VAULT_DURATION", "a while")]);
    assert_one_line_error(&out, &["AWS_VAULT_DURATION"]);
}

#[test]
fn profile_env_sets_aws_profile_after_checking_the_credentials() {
    for (args, env) in [
        (&["a", "--profile-env"][..], &[][..]),
        (&["a"][..], &[("AWS_VAULT_PROFILE_ENV", "true")][..]),
    ] {
        // A sandbox each: the role fetched by the first would be cached for the second.
        let sts = sts_recorder();
        let sb = Sandbox::with_endpoint(&sts.url);
        sb.write_config(&format!(
            "[profile will]\n[profile a]\nrole_arn = {ROLE_A}\nsource_profile = will\nregion = eu-west-3\n"
        ));
        sb.add("will");
        let child = exec_env(&sb, args, env);
        assert_eq!(child["AWS_PROFILE"], "a");
        assert_eq!(child["AWS_VAULT"], "a");
        assert_eq!(child["AWS_REGION"], "eu-west-3");
        assert!(
            !child.contains_key("AWS_ACCESS_KEY_ID") && !child.contains_key("AWS_SESSION_TOKEN"),
            "{child:?}"
        );
        assert_eq!(sts.count("AssumeRole"), 1, "the role was checked");
    }
}

/// aws-vault's variable picks the driver; one that cannot run here (no zenity, no display) is
/// one clear line naming it and the terminal it could not fall back to, before any call.
#[test]
fn aws_vault_prompt_picks_the_driver_and_one_that_cannot_run_is_a_clear_error() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!("[profile will]\nmfa_serial = {MFA}\n"));
    sb.add("will");
    let out = run_exec(&sb, &["will"], &[("AWS_VAULT_PROMPT", "zenity")]);
    assert_one_line_error(&out, &["'zenity'", "terminal"]);
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
}

#[test]
fn sts_regional_endpoints_is_checked_and_an_explicit_endpoint_wins() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile will]\nsts_regional_endpoints = legacy\n[profile bad]\nsts_regional_endpoints = global\n");
    sb.add("will");
    sb.add("bad");
    exec_env(&sb, &["will"], &[]);
    assert_eq!(sts.count("GetSessionToken"), 1, "the emulator's URL wins");
    let out = run_exec(&sb, &["bad"], &[]);
    assert_one_line_error(&out, &["'bad'", "sts_regional_endpoints", "legacy"]);
    let out = run_exec(&sb, &["will"], &[("AWS_STS_REGIONAL_ENDPOINTS", "nope")]);
    assert_one_line_error(&out, &["AWS_STS_REGIONAL_ENDPOINTS"]);
}

#[test]
fn aws_vault_stdout_prints_the_login_url() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    let fake = federation::FakeFederation::start(
        200,
        &serde_json::json!({ "SigninToken": "token" }).to_string(),
    );
    let out = run_bounded(
        sb.vault(&["login", "will"])
            .env("AWS_VAULT_STDOUT", "true")
            .env("VAULT_FEDERATION_ENDPOINT", &fake.url)
            // Were the URL not printed, a browser would be looked for: there is none.
            .env_remove("BROWSER"),
        LIMIT,
    );
    assert_success(&out);
    let url = stdout(&out);
    assert!(
        url.trim()
            .starts_with(&format!("{}?Action=login&", fake.url)),
        "{url}"
    );
    assert!(
        !stderr(&out).contains("cannot open a browser"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sts.count("GetFederationToken"), 1, "{:?}", sts.calls());
    assert_eq!(fake.requests().len(), 1, "one getSigninToken");
}
