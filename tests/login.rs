//! `vault login` against moto's STS and a stand-in federation endpoint (no emulator exists for
//! it): the getSigninToken request, the login URL per region, and which credentials sign in.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
/// Characters that must be encoded in the login URL, to prove they are.
const SIGNIN_TOKEN: &str = "signin-token+with/odd=chars";
/// moto's fixed answers: GetFederationToken's session token differs from GetSessionToken's.
const MOTO_FEDERATION_TOKEN_PREFIX: &str = "AQoDYXdzEPT";
const MOTO_SESSION_TOKEN_PREFIX: &str = "AQoEXAMPLEH4";

#[path = "support/federation.rs"]
mod federation;

use federation::FakeFederation;

/// The stand-in answering a sign-in token with characters the login URL must encode.
fn ok_federation() -> FakeFederation {
    FakeFederation::start(
        200,
        &serde_json::json!({ "SigninToken": SIGNIN_TOKEN }).to_string(),
    )
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => panic!("'+' must be encoded in {text}"),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// `path?query` into the path and the decoded parameters.
fn split_url(url: &str) -> (String, BTreeMap<String, String>) {
    let (path, query) = url.split_once('?').expect("a query string");
    let params = query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), decode(v))
        })
        .collect();
    (path.to_string(), params)
}

/// The Session JSON of the one getSigninToken request, and its other parameters.
fn signin_request(fake: &FakeFederation) -> (serde_json::Value, BTreeMap<String, String>) {
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let (path, params) = split_url(&requests[0]);
    assert_eq!(path, "/federation");
    assert_eq!(params["Action"], "getSigninToken");
    let session: serde_json::Value = serde_json::from_str(&params["Session"]).unwrap();
    let keys: Vec<_> = session.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["sessionId", "sessionKey", "sessionToken"]);
    (session, params)
}

/// `vault login ARGS --stdout` against `fake`; the parameters of the printed login URL.
fn login(
    sb: &Sandbox,
    fake: &FakeFederation,
    args: &[&str],
    env: &[(&str, &str)],
) -> (BTreeMap<String, String>, String) {
    let mut full = vec!["--debug", "login"];
    full.extend_from_slice(args);
    full.push("--stdout");
    let mut cmd = sb.vault(&full);
    cmd.env("VAULT_FEDERATION_ENDPOINT", &fake.url);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run_bounded(&mut cmd, LIMIT);
    assert_success(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "only the URL: {text}");
    let url = text.trim();
    assert!(
        url.starts_with(&format!("{}?Action=login&", fake.url)),
        "{url}"
    );
    let (_, params) = split_url(url.strip_prefix("http://127.0.0.1").unwrap());
    assert_eq!(params["Issuer"], "vault");
    assert_eq!(params["SigninToken"], SIGNIN_TOKEN);
    (params, stderr(&out))
}

fn calls<'a>(debug: &'a str, name: &str) -> Vec<&'a str> {
    debug.lines().filter(|l| l.contains(name)).collect()
}

#[test]
fn user_keys_sign_in_through_get_federation_token() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    // A cached GetSessionToken session exists; the federation endpoint would refuse it.
    assert_success(&run_bounded(
        &mut sb.vault(&["exec", "will", "--", "true"]),
        LIMIT,
    ));
    let fake = ok_federation();
    let (params, debug) = login(&sb, &fake, &["will"], &[]);
    assert_eq!(
        params["Destination"],
        "https://console.aws.amazon.com/console/home?region=eu-west-1"
    );
    let federation = calls(&debug, "GetFederationToken for 'will'");
    assert_eq!(federation.len(), 1, "{debug}");
    assert!(federation[0].contains("(3600s)"), "default 1h: {debug}");
    assert!(calls(&debug, "GetSessionToken").is_empty(), "{debug}");
    assert!(calls(&debug, "AssumeRole").is_empty(), "{debug}");

    let (session, params) = signin_request(&fake);
    let token = session["sessionToken"].as_str().unwrap();
    assert!(
        token.starts_with(MOTO_FEDERATION_TOKEN_PREFIX),
        "GetFederationToken's credentials: {token}"
    );
    assert!(!token.starts_with(MOTO_SESSION_TOKEN_PREFIX));
    assert_ne!(session["sessionId"], ACCESS_KEY, "not the long-term keys");
    assert_ne!(session["sessionKey"], SECRET_KEY);
    assert!(
        !params.contains_key("SessionDuration"),
        "not allowed with federation tokens"
    );
    // Secrets stay out of the debug output.
    assert!(
        !debug.contains(SECRET_KEY) && !debug.contains(token),
        "{debug}"
    );
    assert!(!debug.contains(session["sessionKey"].as_str().unwrap()));
}

#[test]
fn federation_token_duration_is_flag_then_env_then_one_hour() {
    let sb = Sandbox::new();
    sb.add("will");
    let fake = ok_federation();
    let (_, debug) = login(&sb, &fake, &["will"], &[("AWS_FEDERATION_TOKEN_TTL", "2h")]);
    assert!(
        calls(&debug, "GetFederationToken")[0].contains("(7200s)"),
        "{debug}"
    );
    let (_, debug) = login(
        &sb,
        &fake,
        &["will", "--duration", "30m"],
        &[("AWS_FEDERATION_TOKEN_TTL", "2h")],
    );
    assert!(
        calls(&debug, "GetFederationToken")[0].contains("(1800s)"),
        "{debug}"
    );
    // No region anywhere: the global console.
    let (params, _) = login(&sb, &fake, &["will"], &[]);
    assert_eq!(
        params["Destination"],
        "https://console.aws.amazon.com/console/home"
    );
}

fn role_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile will]\nregion = eu-west-1\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = will\n",
    );
    sb.add("will");
    sb
}

#[test]
fn role_signs_in_with_its_assume_role_credentials_in_china() {
    let sb = role_sandbox();
    let fake = ok_federation();
    let (params, debug) = login(
        &sb,
        &fake,
        &["admin", "--region", "cn-north-1", "--duration", "30m"],
        &[],
    );
    assert_eq!(
        params["Destination"],
        "https://console.amazonaws.cn/console/home?region=cn-north-1"
    );
    assert_eq!(calls(&debug, "AssumeRole").len(), 1, "{debug}");
    assert!(calls(&debug, "GetFederationToken").is_empty(), "{debug}");

    let (session, params) = signin_request(&fake);
    let id = session["sessionId"].as_str().unwrap();
    assert!(id.starts_with("ASIA"), "{id}");
    let seconds: u64 = params["SessionDuration"].parse().unwrap();
    assert!((1700..=1800).contains(&seconds), "{seconds}");
    // moto knows whose credentials these are: the assumed role's.
    let out = run_bounded(
        sb.command("aws")
            .args(["sts", "get-caller-identity", "--output", "json"])
            .env("AWS_ACCESS_KEY_ID", id)
            .env(
                "AWS_SECRET_ACCESS_KEY",
                session["sessionKey"].as_str().unwrap(),
            )
            .env(
                "AWS_SESSION_TOKEN",
                session["sessionToken"].as_str().unwrap(),
            )
            // The region vault called STS in: moto keeps roles per partition.
            .env("AWS_DEFAULT_REGION", "cn-north-1"),
        LIMIT,
    );
    assert_success(&out);
    let who: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let arn = who["Arn"].as_str().unwrap();
    assert!(arn.contains(":assumed-role/admin/"), "{arn}");
}

#[test]
fn gov_cloud_region_and_console_path() {
    let sb = role_sandbox();
    let fake = ok_federation();
    let (params, _) = login(
        &sb,
        &fake,
        &["admin", "--region", "us-gov-west-1", "--path", "/s3/home"],
        &[],
    );
    assert_eq!(
        params["Destination"],
        "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1"
    );
    let (_, params) = signin_request(&fake);
    assert!(!params.contains_key("SessionDuration"), "none asked for");
    // The profile's region when no flag says otherwise.
    let (params, _) = login(&sb, &fake, &["admin", "--path", "ec2/home"], &[]);
    assert_eq!(
        params["Destination"],
        "https://console.aws.amazon.com/ec2/home?region=eu-west-1"
    );
}

#[test]
fn without_a_browser_the_url_is_printed_with_a_hint() {
    let sb = role_sandbox();
    let fake = ok_federation();
    // The sandbox has no DISPLAY, WAYLAND_DISPLAY or BROWSER: no graphical session.
    let out = run_bounded(
        sb.vault(&["login", "admin"])
            .env("VAULT_FEDERATION_ENDPOINT", &fake.url),
        LIMIT,
    );
    assert_success(&out);
    let url = stdout(&out);
    assert!(
        url.trim()
            .starts_with(&format!("{}?Action=login&", fake.url)),
        "{url}"
    );
    let hint = stderr(&out);
    assert!(
        hint.contains("cannot open a browser") && hint.contains("15 minutes"),
        "{hint}"
    );
    assert!(!hint.contains("SigninToken"), "the URL goes to stdout only");
}

#[test]
fn federation_endpoint_errors_are_one_clear_line() {
    let sb = role_sandbox();
    let fake = FakeFederation::start(400, "<html>Bad Request</html>");
    let out = run_bounded(
        sb.vault(&["login", "admin", "--stdout"])
            .env("VAULT_FEDERATION_ENDPOINT", &fake.url),
        LIMIT,
    );
    assert_one_line_error(&out, &["cannot get a sign-in token", "HTTP 400"]);
    assert!(stdout(&out).is_empty());
    let (session, _) = signin_request(&fake);
    let err = stderr(&out);
    assert!(!err.contains(session["sessionKey"].as_str().unwrap()));
    assert!(!err.contains("sessionKey"), "{err}");

    let garbage = FakeFederation::start(200, "not json");
    let out = run_bounded(
        sb.vault(&["login", "admin", "--stdout"])
            .env("VAULT_FEDERATION_ENDPOINT", &garbage.url),
        LIMIT,
    );
    assert_one_line_error(&out, &["did not answer JSON"]);
}

#[test]
fn plain_http_to_another_host_is_refused_before_sending_credentials() {
    let sb = role_sandbox();
    let out = run_bounded(
        sb.vault(&["login", "admin", "--stdout"]).env(
            "VAULT_FEDERATION_ENDPOINT",
            "http://signin.example.com/federation",
        ),
        LIMIT,
    );
    assert_one_line_error(&out, &["VAULT_FEDERATION_ENDPOINT", "https://"]);
}
