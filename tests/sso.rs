//! IAM Identity Center (SSO) flows against a local stand-in for the OIDC and portal APIs
//! (tests/support/sso_server.py; moto has none), and role hops on top against moto's STS.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::*;

#[path = "support/sso_stand_in.rs"]
mod sso_stand_in;

use sso_stand_in::StandIn;

const LIMIT: Duration = Duration::from_secs(60);
const START_URL: &str = "https://corp.example.com/start";

/// A sandbox whose STS calls go to `sts`, with a `BROWSER` that records each URL it is asked
/// to open in `browser.count` (see [`vault`] for the SSO endpoints).
fn sandbox(sts: &str) -> Sandbox {
    let sb = Sandbox::with_endpoint(sts);
    let script = sb.path("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\n",
            sb.path("browser.count").display()
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    sb.write_config(&format!(
        "[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Developer\nregion = eu-west-1\n\n\
         [profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::444455556666:role/admin\n"
    ));
    sb
}

fn vault(sb: &Sandbox, sso: &StandIn, args: &[&str]) -> Command {
    let mut cmd = sb.vault(args);
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
        .env("AWS_ENDPOINT_URL_SSO", &sso.url)
        .env("BROWSER", sb.path("browser.sh"))
        // These tests are of the device code flow (the authorization code flow, the default
        // for an sso-session, is tested in tests/sso_populate.rs).
        .env("VAULT_SSO_USE_DEVICE_CODE", "1")
        // The stand-in's role credentials last 1h: with more than that as AWS_MIN_TTL the
        // cached ones are always stale, so every command calls GetRoleCredentials with the
        // cached token, which is what these tests count (its 8h stay fresh). The cache of the
        // role credentials themselves is tested in tests/compat_cache.rs.
        .env("AWS_MIN_TTL", "2h");
    cmd
}

fn exec_env(
    sb: &Sandbox,
    sso: &StandIn,
    profile: &str,
) -> (Output, std::collections::BTreeMap<String, String>) {
    let out = run_bounded(&mut vault(sb, sso, &["exec", profile, "--", "env"]), LIMIT);
    assert_success(&out);
    let env = env_map(&stdout(&out));
    (out, env)
}

/// The browser runs detached from vault: wait for it to have written.
fn browser_opens(sb: &Sandbox, at_least: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sb.count("browser") < at_least && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    sb.count("browser")
}

/// vault's error: exit 1 and a last stderr line starting `vault: ` with every needle in it
/// (the sign-in instructions come before it).
fn assert_failed_with(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("vault: "), "{err}");
    for needle in needles {
        assert!(last.contains(needle), "missing {needle:?} in: {last}");
    }
}

#[test]
fn device_flow_gives_role_credentials_and_caches_the_token() {
    let sso = StandIn::start(&[("SSO_PENDING", "2")]);
    let sb = sandbox("http://127.0.0.1:9");
    let (out, env) = exec_env(&sb, &sso, "dev");
    assert_eq!(env["AWS_VAULT"], "dev");
    assert!(
        env["AWS_ACCESS_KEY_ID"].starts_with("ASIASSO"),
        "{}",
        env["AWS_ACCESS_KEY_ID"]
    );
    assert!(
        env["AWS_SESSION_TOKEN"].starts_with("sso-111122223333-Developer-"),
        "GetRoleCredentials for the profile's account and role: {}",
        env["AWS_SESSION_TOKEN"]
    );
    assert!(chrono::DateTime::parse_from_rfc3339(&env["AWS_CREDENTIAL_EXPIRATION"]).is_ok());
    assert_eq!(env["AWS_REGION"], "eu-west-1");

    // The URL and code are on stderr, and the browser was asked to open that URL.
    let err = stderr(&out);
    let url_line = err
        .lines()
        .find(|l| l.starts_with("vault: open "))
        .unwrap_or_else(|| panic!("no URL on stderr: {err}"));
    let url = url_line.trim_start_matches("vault: open ");
    let code = url.split("user_code=").nth(1).unwrap();
    assert!(err.contains(&format!("shows the code {code}")), "{err}");
    assert_eq!(browser_opens(&sb, 1), 1);
    assert_eq!(
        std::fs::read_to_string(sb.path("browser.count"))
            .unwrap()
            .trim(),
        url
    );
    assert_eq!(sso.calls("RegisterClient"), 1);
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1);
    assert_eq!(
        sso.calls("CreateToken"),
        3,
        "two pending answers, then the token"
    );
    assert_eq!(sso.calls("GetRoleCredentials"), 1);

    // The token is cached: no device flow the second time, fresh role credentials.
    let (out, second) = exec_env(&sb, &sso, "dev");
    assert!(!stderr(&out).contains("vault: open"), "{}", stderr(&out));
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1);
    assert_eq!(sso.calls("CreateToken"), 3);
    assert_eq!(sso.calls("GetRoleCredentials"), 2);
    assert_ne!(env["AWS_ACCESS_KEY_ID"], second["AWS_ACCESS_KEY_ID"]);
    assert_eq!(browser_opens(&sb, 2), 1, "no second browser tab");
}

#[test]
fn parallel_execs_share_one_sign_in() {
    let sso = StandIn::start(&[("SSO_PENDING", "1")]);
    let sb = sandbox("http://127.0.0.1:9");
    let children: Vec<_> = (0..4)
        .map(|_| {
            vault(
                &sb,
                &sso,
                &["exec", "dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let keys: std::collections::BTreeSet<String> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert_success(&out);
            stdout(&out).trim().to_string()
        })
        .collect();
    assert_eq!(
        sso.calls("StartDeviceAuthorization"),
        1,
        "one device flow for 4 commands"
    );
    assert_eq!(sso.calls("RegisterClient"), 1);
    assert_eq!(sso.calls("GetRoleCredentials"), 4);
    assert_eq!(keys.len(), 4, "each command got role credentials: {keys:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(browser_opens(&sb, 1), 1, "one browser tab, not four");
}

#[test]
fn role_is_assumed_on_top_of_sso_credentials() {
    let sso = StandIn::start(&[("SSO_PENDING", "0")]);
    let sb = sandbox(&Moto::shared().url);
    let out = run_bounded(
        &mut vault(&sb, &sso, &["--debug", "exec", "admin", "--", "env"]),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "admin");
    assert!(
        env["AWS_ACCESS_KEY_ID"].starts_with("ASIA")
            && !env["AWS_ACCESS_KEY_ID"].starts_with("ASIASSO"),
        "moto's role keys, not the SSO ones: {}",
        env["AWS_ACCESS_KEY_ID"]
    );
    assert_eq!(
        env["AWS_REGION"], "eu-west-1",
        "inherited from the SSO profile"
    );
    let debug = stderr(&out);
    assert!(
        !debug.contains("GetSessionToken"),
        "SSO credentials are temporary: {debug}"
    );
    let role_line = debug
        .lines()
        .find(|l| l.contains("AssumeRole arn:aws:iam::444455556666:role/admin"))
        .unwrap_or_else(|| panic!("{debug}"));
    assert!(role_line.contains("3600s"), "capped at 1h: {role_line}");
    assert_eq!(sso.calls("GetRoleCredentials"), 1);
}

#[test]
fn denied_sign_in_is_one_clear_line_and_nothing_is_cached() {
    let sso = StandIn::start(&[("SSO_MODE", "deny")]);
    let sb = sandbox("http://127.0.0.1:9");
    let out = run_bounded(&mut vault(&sb, &sso, &["exec", "dev", "--", "true"]), LIMIT);
    assert_failed_with(
        &out,
        &[
            "profile 'dev'",
            START_URL,
            "was denied",
            "run the command again",
        ],
    );
    let out = run_bounded(&mut vault(&sb, &sso, &["exec", "dev", "--", "true"]), LIMIT);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        sso.calls("StartDeviceAuthorization"),
        2,
        "no token was cached"
    );
    assert_eq!(sso.calls("RegisterClient"), 1, "the registration was");
}

#[test]
fn expired_device_code_is_one_clear_line() {
    let sso = StandIn::start(&[("SSO_MODE", "expire")]);
    let sb = sandbox("http://127.0.0.1:9");
    let out = run_bounded(&mut vault(&sb, &sso, &["exec", "dev", "--", "true"]), LIMIT);
    assert_failed_with(&out, &["profile 'dev'", "expired before it was approved"]);
}

#[test]
fn unapproved_sign_in_stops_when_the_authorization_expires() {
    // Pending forever: vault must give up at the authorization's lifetime, not hang.
    let sso = StandIn::start(&[("SSO_MODE", "never"), ("SSO_EXPIRES_IN", "3")]);
    let sb = sandbox("http://127.0.0.1:9");
    let out = run_bounded(
        &mut vault(&sb, &sso, &["exec", "dev", "--", "true"]),
        Duration::from_secs(30),
    );
    assert_failed_with(&out, &["expired before it was approved"]);
    assert!(sso.calls("CreateToken") >= 1);
}

#[test]
fn revoked_token_signs_in_again() {
    let sso = StandIn::start(&[("SSO_PENDING", "0")]);
    let sb = sandbox("http://127.0.0.1:9");
    exec_env(&sb, &sso, "dev");
    sso.revoke();
    let (out, env) = exec_env(&sb, &sso, "dev");
    assert!(stderr(&out).contains("vault: open"), "{}", stderr(&out));
    assert!(env["AWS_ACCESS_KEY_ID"].starts_with("ASIASSO"));
    assert_eq!(sso.calls("StartDeviceAuthorization"), 2);
    assert_eq!(
        sso.calls("GetRoleCredentials"),
        3,
        "refused once, then retried"
    );
}

#[test]
fn clear_drops_the_sign_in_of_the_profiles_it_covers() {
    let sso = StandIn::start(&[("SSO_PENDING", "0")]);
    let sb = sandbox("http://127.0.0.1:9");
    exec_env(&sb, &sso, "dev");
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1);

    // A profile with no SSO in its chain leaves the sign-in alone.
    sb.add("keys-only");
    let out = run_bounded(&mut vault(&sb, &sso, &["clear", "keys-only"]), LIMIT);
    assert_success(&out);
    assert_eq!(stderr(&out), "Cleared 0 cached sessions.\n");
    exec_env(&sb, &sso, "dev");
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1, "still signed in");

    // `admin` is a role on top of `dev`: clearing it signs out of the session they share.
    let out = run_bounded(&mut vault(&sb, &sso, &["clear", "admin"]), LIMIT);
    assert_success(&out);
    assert!(
        stderr(&out).contains("and 1 IAM Identity Center sign-in."),
        "{}",
        stderr(&out)
    );
    let (out, _) = exec_env(&sb, &sso, "dev");
    assert!(stderr(&out).contains("vault: open"), "{}", stderr(&out));
    assert_eq!(sso.calls("StartDeviceAuthorization"), 2);

    // Clearing every profile drops it too, once.
    let out = run_bounded(&mut vault(&sb, &sso, &["clear"]), LIMIT);
    assert!(
        stderr(&out).contains("and 1 IAM Identity Center sign-in."),
        "{}",
        stderr(&out)
    );
    let out = run_bounded(&mut vault(&sb, &sso, &["clear"]), LIMIT);
    assert_eq!(stderr(&out), "Cleared 0 cached sessions.\n");
}

#[test]
fn legacy_profile_keys_vault_endpoint_variables_and_no_browser() {
    let sso = StandIn::start(&[("SSO_PENDING", "1")]);
    // AWS_ENDPOINT_URL is closed: vault's own variables must win over it.
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    sb.write_config(&format!(
        "[profile old]\nsso_start_url = {START_URL}\nsso_region = us-east-2\n\
         sso_account_id = 777788889999\nsso_role_name = ReadOnly\n"
    ));
    let out = run_bounded(
        sb.vault(&["export", "old", "--format", "json"])
            .env("VAULT_SSO_OIDC_ENDPOINT", &sso.url)
            .env("VAULT_SSO_PORTAL_ENDPOINT", &sso.url)
            .env("BROWSER", sb.path("no-such-browser")),
        LIMIT,
    );
    assert_success(&out);
    // stdout stays machine-readable; the sign-in chatter is on stderr.
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        json["SessionToken"]
            .as_str()
            .unwrap()
            .starts_with("sso-777788889999-ReadOnly-")
    );
    let err = stderr(&out);
    assert!(err.contains("no browser could be opened"), "{err}");
    assert!(err.contains("user_code="), "{err}");
}

#[test]
fn incomplete_sso_profile_is_a_clear_error() {
    let sso = StandIn::start(&[]);
    let sb = sandbox("http://127.0.0.1:9");
    sb.write_config(
        "[sso-session corp]\nsso_start_url = https://x\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n",
    );
    let out = run_bounded(&mut vault(&sb, &sso, &["exec", "dev", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &["'dev'", "sso_region is missing", "[sso-session corp]"],
    );
    assert_eq!(sso.calls("RegisterClient"), 0);
}
