//! STS flows against the real emulator (moto's server): sessions, roles, MFA, chains, cache.

mod support;

use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);

fn exec_env(sb: &Sandbox, args: &[&str]) -> std::collections::BTreeMap<String, String> {
    let mut full = vec!["exec"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--", "env"]);
    let out = run_bounded(&mut sb.vault(&full), LIMIT);
    assert_success(&out);
    env_map(&stdout(&out))
}

fn export_json(sb: &Sandbox, profile: &str) -> serde_json::Value {
    let out = run_bounded(
        &mut sb.vault(&["export", profile, "--format", "json"]),
        LIMIT,
    );
    assert_success(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn session_token_for_user_keys_with_aws_vault_environment() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    let env = exec_env(&sb, &["will"]);
    assert_eq!(env["AWS_VAULT"], "will");
    assert_eq!(env["AWS_REGION"], "eu-west-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "eu-west-1");
    assert_ne!(
        env["AWS_ACCESS_KEY_ID"], ACCESS_KEY,
        "session keys, not the master keys"
    );
    assert!(!env["AWS_SESSION_TOKEN"].is_empty());
    let expiry = &env["AWS_CREDENTIAL_EXPIRATION"];
    assert!(
        chrono::DateTime::parse_from_rfc3339(expiry).is_ok() && expiry.ends_with('Z'),
        "{expiry}"
    );
    for gone in ["AWS_PROFILE", "AWS_SECURITY_TOKEN", "AWS_SDK_LOAD_CONFIG"] {
        assert!(!env.contains_key(gone), "{gone} must be unset");
    }
}

#[test]
fn exec_removes_conflicting_variables_and_passes_exit_code() {
    let sb = Sandbox::new();
    sb.add("will");
    let out = run_bounded(
        sb.vault(&[
            "exec",
            "will",
            "--",
            "sh",
            "-c",
            "test -z \"$AWS_PROFILE$AWS_SDK_LOAD_CONFIG\" || exit 9; exit 7",
        ])
        .env("AWS_PROFILE", "other")
        .env("AWS_SDK_LOAD_CONFIG", "1"),
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
}

#[test]
fn exec_refuses_to_nest() {
    let sb = Sandbox::new();
    sb.add("will");
    let out = run_bounded(
        sb.vault(&["exec", "will", "--", "true"])
            .env("AWS_VAULT", "outer"),
        LIMIT,
    );
    assert_one_line_error(&out, &["'outer'", "AWS_VAULT"]);
}

#[test]
fn exec_without_command_starts_shell() {
    let sb = Sandbox::new();
    sb.add("will");
    let script = sb.path("fake-shell");
    std::fs::write(&script, "#!/bin/sh\necho \"shell as $AWS_VAULT\"\n").unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    let out = run_bounded(sb.vault(&["exec", "will"]).env("SHELL", &script), LIMIT);
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "shell as will");
}

#[test]
fn no_session_uses_master_keys() {
    let sb = Sandbox::new();
    sb.add("will");
    let env = exec_env(&sb, &["will", "--no-session"]);
    assert_eq!(env["AWS_ACCESS_KEY_ID"], ACCESS_KEY);
    assert_eq!(env["AWS_SECRET_ACCESS_KEY"], SECRET_KEY);
    assert!(!env.contains_key("AWS_SESSION_TOKEN"));
    assert!(!env.contains_key("AWS_CREDENTIAL_EXPIRATION"));
}

#[test]
fn role_is_assumed_from_user_keys() {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile will]\nregion = us-east-1\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = will\n",
    );
    sb.add("will");
    let env = exec_env(&sb, &["admin"]);
    assert_eq!(env["AWS_VAULT"], "admin");
    assert!(
        env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
        "{}",
        env["AWS_ACCESS_KEY_ID"]
    );
    assert_eq!(
        env["AWS_REGION"], "us-east-1",
        "region inherited from the source profile"
    );
    // Every role is cached, MFA or not (issue 11).
    let list = stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT));
    assert!(list.contains("role ") && list.contains(" left"), "{list}");
}

#[test]
fn role_with_mfa_asks_once_per_session() {
    let sb = Sandbox::new();
    let mfa = sb.counting_mfa_process("mfa");
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = {mfa}\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = will\n"
    ));
    sb.add("will");
    let first = exec_env(&sb, &["admin"]);
    let second = exec_env(&sb, &["admin"]);
    assert_eq!(sb.count("mfa"), 1, "one MFA code for both runs");
    assert_eq!(
        first["AWS_ACCESS_KEY_ID"], second["AWS_ACCESS_KEY_ID"],
        "the role is cached too (issue 11)"
    );
    let list = stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT));
    assert!(
        list.contains("session 7h") || list.contains("session 8h"),
        "chained session is 8h: {list}"
    );
}

#[test]
fn role_with_mfa_and_long_duration_is_cached_as_role() {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile will]\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = will\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/will\nduration_seconds = 7200\n",
    );
    sb.add("will");
    let first = exec_env(&sb, &["admin", "--mfa-token", "123456"]);
    // The cached role is reused without asking: no token given and no terminal here.
    let second = exec_env(&sb, &["admin"]);
    assert_eq!(first["AWS_ACCESS_KEY_ID"], second["AWS_ACCESS_KEY_ID"]);
    let list = stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT));
    assert!(
        list.contains("role 1h") || list.contains("role 2h"),
        "{list}"
    );
}

#[test]
fn mfa_without_any_source_is_a_clear_error() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\n");
    sb.add("will");
    let out = run_bounded(
        &mut without_terminal(&sb.vault(&["exec", "will", "--", "true"])),
        LIMIT,
    );
    assert_one_line_error(
        &out,
        &[
            "MFA code needed for arn:aws:iam::123456789012:mfa/will",
            "--mfa-token",
        ],
    );
}

#[test]
fn three_hop_chain_with_one_mfa_prompt() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("chain");
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = {mfa}\n\
         [profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = will\n\
         [profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = a\n\
         [profile c]\nrole_arn = arn:aws:iam::333333333333:role/c\nsource_profile = b\nregion = ap-south-1\n"
    ));
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["--debug", "exec", "c", "--", "env"]), LIMIT);
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "c");
    assert_eq!(env["AWS_REGION"], "ap-south-1");
    let debug = stderr(&out);
    let calls: Vec<&str> = debug
        .lines()
        .filter(|l| l.contains("GetSessionToken") || l.contains("AssumeRole"))
        .collect();
    assert_eq!(calls.len(), 4, "session + 3 roles: {debug}");
    assert!(
        calls[1].contains("role/a") && calls[2].contains("role/b") && calls[3].contains("role/c"),
        "{debug}"
    );
    assert!(
        calls[1..].iter().all(|l| l.contains("3600s")),
        "each hop capped at 1h: {debug}"
    );
    assert_eq!(sb.count("chain"), 1);
    assert!(!debug.contains(SECRET_KEY) && !debug.contains(&env["AWS_SECRET_ACCESS_KEY"]));
    // What moto received: the session with the MFA code, then each role, capped at 1h.
    let calls = sts.calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        actions,
        ["GetSessionToken", "AssumeRole", "AssumeRole", "AssumeRole"]
    );
    assert_eq!(
        calls[0].param("SerialNumber"),
        Some("arn:aws:iam::123456789012:mfa/will")
    );
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));
    let roles: Vec<_> = calls[1..].iter().map(|c| c.param("RoleArn")).collect();
    assert_eq!(
        roles,
        [
            Some("arn:aws:iam::111111111111:role/a"),
            Some("arn:aws:iam::222222222222:role/b"),
            Some("arn:aws:iam::333333333333:role/c"),
        ]
    );
    for call in &calls[1..] {
        assert_eq!(call.param("DurationSeconds"), Some("3600"), "{call:?}");
        assert_eq!(call.param("TokenCode"), None, "one MFA code: {call:?}");
        assert!(
            call.param("RoleSessionName")
                .is_some_and(|n| n.starts_with("vault-")),
            "{call:?}"
        );
    }
}

#[test]
fn cached_session_is_reused_then_cleared() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    let first = export_json(&sb, "will");
    assert_eq!(sts.count("GetSessionToken"), 1);
    let second = export_json(&sb, "will");
    assert_eq!(
        sts.count("GetSessionToken"),
        1,
        "the cached session is reused"
    );
    assert_eq!(
        first["Expiration"], second["Expiration"],
        "same cached session"
    );
    let out = run_bounded(&mut sb.vault(&["clear", "will"]), LIMIT);
    assert_success(&out);
    assert!(stderr(&out).contains("Cleared 1 cached session"));
    export_json(&sb, "will");
    assert_eq!(sts.count("GetSessionToken"), 2, "a new session after clear");
    assert_eq!(sts.calls().len(), 2, "no other call: {:?}", sts.calls());
}

#[test]
fn expired_cache_is_not_used() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    // Every session has less than AWS_MIN_TTL left, so none may be reused.
    for _ in 0..2 {
        let out = run_bounded(
            sb.vault(&["export", "will", "--format", "json", "--duration", "15m"])
                .env("AWS_MIN_TTL", "20m"),
            LIMIT,
        );
        assert_success(&out);
    }
    let calls = sts.calls_of("GetSessionToken");
    assert_eq!(calls.len(), 2, "fetched again: {calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c.param("DurationSeconds") == Some("900")),
        "{calls:?}"
    );
}

#[test]
fn parallel_execs_share_one_session_and_one_mfa_prompt() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("par");
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = {mfa}\n"
    ));
    sb.add("will");
    let children: Vec<_> = (0..8)
        .map(|_| {
            sb.vault(&[
                "exec",
                "will",
                "--",
                "sh",
                "-c",
                "echo $AWS_CREDENTIAL_EXPIRATION",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let expiries: std::collections::BTreeSet<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert_success(&out);
            stdout(&out).trim().to_string()
        })
        .collect();
    assert_eq!(sb.count("par"), 1, "one MFA prompt for 8 processes");
    assert_eq!(expiries.len(), 1, "one session: {expiries:?}");
    let calls = sts.calls();
    assert_eq!(calls.len(), 1, "one GetSessionToken: {calls:?}");
    assert_eq!(calls[0].action, "GetSessionToken");
    assert_eq!(
        calls[0].param("SerialNumber"),
        Some("arn:aws:iam::123456789012:mfa/will")
    );
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));
}

#[test]
fn export_formats_are_usable() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-central-1\n");
    sb.add("will");
    let json = export_json(&sb, "will");
    assert_eq!(json["Version"], 1);
    for key in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(json[key].is_string(), "{key} in {json}");
    }
    let bash = stdout(&run_bounded(
        &mut sb.vault(&["export", "will", "--format", "bash"]),
        LIMIT,
    ));
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("export AWS_PROFILE=x\n{bash}\necho \"$AWS_VAULT|$AWS_REGION|${{AWS_PROFILE-unset}}|$AWS_ACCESS_KEY_ID\""))
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "will|eu-central-1|unset|{}",
            json["AccessKeyId"].as_str().unwrap()
        )
    );
    let ini = stdout(&run_bounded(
        &mut sb.vault(&["export", "will", "--format", "ini"]),
        LIMIT,
    ));
    assert!(ini.starts_with("[will]\naws_access_key_id = "), "{ini}");
    let env = env_map(&stdout(&run_bounded(
        &mut sb.vault(&["export", "will"]),
        LIMIT,
    )));
    assert_eq!(env["AWS_VAULT"], "will");
    let nu = stdout(&run_bounded(
        &mut sb.vault(&["export", "will", "--format", "nu"]),
        LIMIT,
    ));
    let record: serde_json::Value = serde_json::from_str(&nu).unwrap();
    assert_eq!(record["AWS_REGION"], "eu-central-1");
}

#[test]
fn sts_error_is_one_clear_line() {
    // moto with IAM authentication on: our made-up keys are refused like revoked keys.
    let strict = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]);
    let sb = Sandbox::with_endpoint(&strict.url);
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["exec", "will", "--", "true"]), LIMIT);
    assert_one_line_error(&out, &["profile 'will'", "GetSessionToken failed"]);
    assert!(!stderr(&out).contains(SECRET_KEY));
}

#[test]
fn unreachable_endpoint_fails_fast_and_clearly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::with_endpoint(&format!("http://127.0.0.1:{port}"));
    sb.add("will");
    // The hang guard, not a timing assertion: vault must give up on its own.
    let out = run_bounded(
        &mut sb.vault(&["exec", "will", "--", "true"]),
        Duration::from_secs(30),
    );
    assert_one_line_error(&out, &["GetSessionToken failed"]);
}

#[test]
fn profile_endpoint_url_and_sts_specific_variable_are_honoured() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let moto = &Moto::shared().url;
    // The profile's endpoint_url is used when no variable names one.
    let sb = Sandbox::with_endpoint("");
    sb.write_config(&format!("[profile will]\nendpoint_url = {moto}\n"));
    sb.add("will");
    let out = run_bounded(
        sb.vault(&["exec", "will", "--", "true"])
            .env_remove("AWS_ENDPOINT_URL"),
        LIMIT,
    );
    assert_success(&out);
    // AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL, which wins over the profile. The
    // cached session is dropped first, or the next exec would not call STS at all.
    assert_success(&run_bounded(&mut sb.vault(&["clear"]), LIMIT));
    let out = run_bounded(
        sb.vault(&["exec", "will", "--", "true"])
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}"))
            .env("AWS_ENDPOINT_URL_STS", moto),
        LIMIT,
    );
    assert_success(&out);
    assert_success(&run_bounded(&mut sb.vault(&["clear"]), LIMIT));
    let out = run_bounded(
        sb.vault(&["exec", "will", "--", "true"])
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}")),
        LIMIT,
    );
    assert_one_line_error(&out, &["GetSessionToken failed"]);
}

#[test]
fn default_profile_and_region_flag() {
    let sb = Sandbox::new();
    sb.add("default");
    assert!(
        std::fs::read_to_string(sb.config_path())
            .unwrap()
            .contains("[default]\n")
    );
    let env = exec_env(&sb, &["default", "--region", "ap-northeast-1"]);
    assert_eq!(env["AWS_VAULT"], "default");
    assert_eq!(env["AWS_REGION"], "ap-northeast-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "ap-northeast-1");
}

#[test]
fn duration_flag_sets_the_session_lifetime() {
    let sb = Sandbox::new();
    sb.add("will");
    let env = exec_env(&sb, &["will", "--duration", "2h"]);
    let expiry = chrono::DateTime::parse_from_rfc3339(&env["AWS_CREDENTIAL_EXPIRATION"]).unwrap();
    let left = expiry.timestamp() - chrono::Utc::now().timestamp();
    assert!((7000..=7200).contains(&left), "{left}s left");
}
