//! URLs that carry credentials or come from an endpoint: `vault login`'s sign-in URL never in an
//! error, `$BROWSER` honoured, `VAULT_FEDERATION_ENDPOINT` read as an HTTP client reads it, and
//! the SSO verification page (and user code) from a hostile OIDC endpoint never opened or shown
//! unless it is a plain https page.
//!
//! The federation endpoint and the SSO portal have no emulator: their stand-ins run on loopback
//! (`tests/support/federation.rs`, `tests/support/sso_server.py`) and answer as a hostile
//! endpoint would; STS is moto.

use std::process::{Command, Output};

use crate::LIMIT;
use crate::support::*;

#[path = "../support/federation.rs"]
mod federation;
#[path = "../support/sso_stand_in.rs"]
mod sso_stand_in;

use federation::FakeFederation;
use sso_stand_in::StandIn;

const SIGNIN_TOKEN: &str = "signin-token-canary-5f3a";

/// `path`, an executable shell script with `body` after its `#!/bin/sh` line.
/// A profile that signs in with AssumeRole credentials from moto.
fn role_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile will]\nregion = eu-west-1\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = will\n",
    );
    sb.add("will");
    sb
}

fn federation() -> FakeFederation {
    FakeFederation::start(
        200,
        &serde_json::json!({ "SigninToken": SIGNIN_TOKEN }).to_string(),
    )
}

/// `vault login admin` (a browser wanted) against `fake`, with `env` on top.
fn login(sb: &Sandbox, fake: &FakeFederation, env: &[(&str, &str)]) -> Output {
    let mut cmd = sb.vault(&["login", "admin"]);
    cmd.env("VAULT_FEDERATION_ENDPOINT", &fake.url);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_bounded(&mut cmd, LIMIT)
}

/// The launcher failed, so the URL is on stdout for the user, and stderr says why with
/// `needles` and holds neither the URL nor its token.
fn assert_url_handed_over_quietly(out: &Output, needles: &[&str]) {
    assert_success(out);
    let err = stderr(out);
    assert!(err.contains("cannot open a browser"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "missing {needle:?} in: {err}");
    }
    for secret in [SIGNIN_TOKEN, "SigninToken", "Action=login", "federation?"] {
        assert!(!err.contains(secret), "{secret:?} on stderr: {err}");
    }
    assert!(stdout(out).contains(SIGNIN_TOKEN), "the URL is on stdout");
}

/// `$BROWSER` is what `vault login` opens; when it exits 3 the error names it and its status,
/// never the URL it was given (the `open` crate's error quoted the whole command line).
#[test]
fn login_uses_browser_and_a_failing_one_leaks_no_url() {
    let sb = role_sandbox();
    let fake = federation();
    let seen = sb.path("browser.args");
    let failing = sh_script(
        &sb.path("bin/failing-browser"),
        &format!("echo \"$@\" > '{}'; exit 3", seen.display()),
    );
    let out = login(&sb, &fake, &[("BROWSER", failing.to_str().unwrap())]);
    assert_url_handed_over_quietly(&out, &["'failing-browser'", "exit status: 3"]);
    let given = std::fs::read_to_string(&seen).expect("BROWSER ran");
    assert!(given.contains(SIGNIN_TOKEN), "BROWSER got the URL: {given}");

    // A working BROWSER, after one that does not exist (a `:` list, tried in order).
    let opened = sb.path("opened");
    let working = sh_script(
        &sb.path("bin/browser"),
        &format!("echo \"$@\" > '{}'", opened.display()),
    );
    let list = format!("/nonexistent/browser:{} --new-tab", working.display());
    let out = login(&sb, &fake, &[("BROWSER", &list)]);
    assert_success(&out);
    assert!(stdout(&out).is_empty(), "opened: nothing to hand over");
    let args = std::fs::read_to_string(&opened).expect("the second entry ran");
    assert!(
        args.starts_with("--new-tab ") && args.contains(SIGNIN_TOKEN),
        "its own arguments, then the URL: {args}"
    );
}

/// The desktop's launcher (no `$BROWSER`) failing, or none at all, leaks no URL either.
#[test]
fn login_with_a_failing_or_missing_desktop_launcher_leaks_no_url() {
    let sb = role_sandbox();
    let fake = federation();
    // The only launcher on PATH: an xdg-open that fails as it does without a desktop.
    sh_script(&sb.path("failing/xdg-open"), "exit 3");
    let path = sb.path("failing");
    let out = login(
        &sb,
        &fake,
        &[("DISPLAY", ":99"), ("PATH", path.to_str().unwrap())],
    );
    assert_url_handed_over_quietly(&out, &["'xdg-open'", "exit status: 3"]);

    // No launcher installed, and a BROWSER naming no program.
    std::fs::create_dir_all(sb.path("empty")).unwrap();
    let empty = sb.path("empty");
    let out = login(
        &sb,
        &fake,
        &[("DISPLAY", ":99"), ("PATH", empty.to_str().unwrap())],
    );
    assert_url_handed_over_quietly(&out, &["no browser launcher could be started", "xdg-open"]);
    let out = login(&sb, &fake, &[("BROWSER", "no-such-browser")]);
    assert_url_handed_over_quietly(&out, &["tried no-such-browser"]);
}

/// `VAULT_FEDERATION_ENDPOINT` with userinfo: the old check read the text before `@` as the
/// host (`localhost`), while the HTTP client went to the host after it. Credentials then went
/// to whatever host came after `@`, in plain http.
#[test]
fn federation_endpoint_userinfo_is_refused_before_sending_credentials() {
    let sb = role_sandbox();
    let fake = federation();
    let port = fake
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let disguised = format!("http://localhost:80@127.0.0.1:{port}/federation");
    for endpoint in [disguised.as_str(), "http://[::1]@evil.invalid/federation"] {
        let out = run_bounded(
            sb.vault(&["login", "admin", "--stdout"])
                .env("VAULT_FEDERATION_ENDPOINT", endpoint),
            LIMIT,
        );
        assert_one_line_error(
            &out,
            &["VAULT_FEDERATION_ENDPOINT", "must not hold a user name"],
        );
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(fake.requests(), Vec::<String>::new(), "no credentials sent");
}

/// A sandbox with an SSO profile whose `BROWSER` records what it is asked to open.
fn sso_sandbox() -> Sandbox {
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    sh_script(
        &sb.path("browser.sh"),
        &format!("echo \"$1\" >> '{}'", sb.path("browser.count").display()),
    );
    sb.write_config(
        "[sso-session corp]\nsso_start_url = https://corp.example.com/start\n\
         sso_region = eu-west-1\n\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Developer\n",
    );
    sb
}

fn sso_exec(sb: &Sandbox, sso: &StandIn) -> Output {
    let mut cmd: Command = sb.vault(&["exec", "dev", "--", "true"]);
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
        .env("AWS_ENDPOINT_URL_SSO", &sso.url)
        // The device code flow's verification page is what these tests attack.
        .env("VAULT_SSO_USE_DEVICE_CODE", "1")
        .env("BROWSER", sb.path("browser.sh"));
    run_bounded(&mut cmd, LIMIT)
}

/// A hostile OIDC endpoint names a local file (or a program's URL handler) as the verification
/// page: vault neither shows nor opens it, and says why by scheme alone.
#[test]
fn sso_verification_page_must_be_https() {
    for (uri, scheme) in [
        ("file:///etc/passwd", "'file'"),
        ("http://127.0.0.1:1/device", "'http'"),
        ("ms-settings:privacy", "'ms-settings'"),
    ] {
        let sso = StandIn::start(&[("SSO_VERIFICATION_URI", uri), ("SSO_PENDING", "0")]);
        let sb = sso_sandbox();
        let out = sso_exec(&sb, &sso);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{uri}: {err}");
        assert!(!err.contains(uri), "{uri} shown: {err}");
        assert!(!err.contains("vault: open "), "{uri}: {err}");
        let last = err.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.contains("verification URL") && last.contains(scheme),
            "{uri}: {last}"
        );
        // Nothing was started, so nothing can arrive later.
        assert_eq!(sb.count("browser"), 0, "{uri} opened");
        assert_eq!(sso.calls("CreateToken"), 0, "{uri}: the flow stopped");
    }
}

/// Control characters in the page reach the terminal and the browser percent-encoded; a user
/// code with an escape or a right-to-left override (which can make two codes look alike) is
/// refused.
#[test]
fn sso_strings_from_the_endpoint_reach_the_terminal_inert() {
    let sso = StandIn::start(&[
        (
            "SSO_VERIFICATION_URI",
            "https://127.0.0.1:1/device?x=\u{1b}]0;owned\u{7}\u{1b}[2J",
        ),
        ("SSO_PENDING", "0"),
    ]);
    let sb = sso_sandbox();
    let out = sso_exec(&sb, &sso);
    assert_success(&out);
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    let shown = "https://127.0.0.1:1/device?x=%1B]0;owned%07%1B[2J";
    assert!(err.contains(&format!("vault: open {shown}\n")), "{err}");

    for code in ["AB\u{1b}[2JCD", "ABCD\u{202e}HGFE", "AB CD"] {
        let sso = StandIn::start(&[("SSO_USER_CODE", code), ("SSO_PENDING", "0")]);
        let sb = sso_sandbox();
        let out = sso_exec(&sb, &sso);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{code:?}: {err}");
        assert!(!err.contains(code), "{code:?} shown: {err}");
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{202e}'),
            "{err:?}"
        );
        assert!(err.contains("user code"), "{code:?}: {err}");
        assert_eq!(sb.count("browser"), 0, "{code:?}: opened");
    }
}
