//! `vault sso populate` and the authorization code (PKCE) sign-in, against the IAM Identity
//! Center stand-in (tests/support/sso_server.py) with a stand-in browser that follows the
//! portal's redirect back to vault's loopback listener, as a user approving would.

mod support;

use std::process::{Command, Output};
use std::time::Duration;

use support::*;

#[path = "support/sso_stand_in.rs"]
mod sso_stand_in;

use sso_stand_in::StandIn;

const LIMIT: Duration = Duration::from_secs(60);
const SESSION: &str =
    "[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = eu-west-1\n";
const BEGIN: &str =
    "# >>> vault sso populate corp: vault rewrites this block; edit outside it >>>\n";
const END: &str = "# <<< vault sso populate corp <<<\n";

fn accounts() -> serde_json::Value {
    serde_json::json!([
        {"id": "111111111111", "name": "prod", "email": "prod@example.com",
         "roles": ["Admin", "ReadOnly", "Billing"]},
        {"id": "222222222222", "name": "dev", "roles": ["Developer"]},
        {"id": "333333333333", "name": "My Team (sandbox)", "roles": ["Admin"]},
    ])
}

fn stand_in(env: &[(&str, &str)]) -> StandIn {
    let accounts = accounts().to_string();
    let mut all = vec![("SSO_ACCOUNTS", accounts.as_str()), ("SSO_PENDING", "0")];
    all.extend_from_slice(env);
    StandIn::start(&all)
}

/// A sandbox with `config`, and a browser that logs each URL to `browser.log` and follows it
/// (the stand-in's /authorize redirects to vault's loopback callback at once).
fn sandbox(config: &str) -> Sandbox {
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    sh_script(
        &sb.path("browser.sh"),
        &format!(
            "echo \"$1\" >> '{}'\nexec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30).read()' \"$1\"",
            sb.path("browser.log").display()
        ),
    );
    sb.write_config(config);
    sb
}

fn vault(sb: &Sandbox, sso: &StandIn, args: &[&str]) -> Command {
    let mut cmd = sb.vault(args);
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
        .env("AWS_ENDPOINT_URL_SSO", &sso.url)
        .env("BROWSER", sb.path("browser.sh"));
    cmd
}

fn populate(sb: &Sandbox, sso: &StandIn, extra: &[&str]) -> Output {
    let mut args = vec!["sso", "populate"];
    args.extend_from_slice(extra);
    run_bounded(&mut vault(sb, sso, &args), LIMIT)
}

fn config(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.config_path()).unwrap()
}

fn profile(name: &str, account: &str, role: &str, region: &str) -> String {
    format!(
        "[profile {name}]\nsso_session = corp\nsso_account_id = {account}\nsso_role_name = {role}\nregion = {region}\n"
    )
}

/// The block `accounts()` gives with the default template.
fn full_block(region: &str) -> String {
    let profiles = [
        profile("My-Team-sandbox/Admin", "333333333333", "Admin", region),
        profile("dev/Developer", "222222222222", "Developer", region),
        profile("prod/Admin", "111111111111", "Admin", region),
        profile("prod/Billing", "111111111111", "Billing", region),
        profile("prod/ReadOnly", "111111111111", "ReadOnly", region),
    ];
    format!("{BEGIN}{}{END}", profiles.join("\n"))
}

#[test]
fn populate_signs_in_with_pkce_and_writes_every_account_role() {
    let sso = stand_in(&[]);
    let sb = sandbox(SESSION);
    let out = populate(&sb, &sso, &[]);
    assert_success(&out);
    assert_eq!(
        config(&sb),
        format!("{SESSION}\n{}", full_block("eu-west-1"))
    );
    let err = stderr(&out);
    assert!(
        err.contains("wrote 5 profiles from sso-session 'corp'"),
        "{err}"
    );

    // The authorization code flow, not the device code; every page of both listings.
    assert_eq!(sso.calls("Authorize"), 1);
    assert_eq!(sso.calls("StartDeviceAuthorization"), 0);
    assert_eq!(sso.calls("CreateToken"), 1);
    assert_eq!(sso.calls("RegisterClient"), 1);
    assert_eq!(sso.calls("ListAccounts"), 2, "3 accounts, 2 a page");
    assert_eq!(
        sso.calls("ListAccountRoles"),
        4,
        "prod's 3 roles take 2 pages"
    );
    let opened = std::fs::read_to_string(sb.path("browser.log")).unwrap();
    assert!(
        opened.starts_with(&format!("{}/authorize?response_type=code&", sso.url)),
        "{opened}"
    );
    assert!(
        err.contains(&format!("vault: open {}", opened.trim())),
        "{err}"
    );

    // The written profiles work, on the cached sign-in.
    let out = run_bounded(
        &mut vault(&sb, &sso, &["exec", "prod/Billing", "--", "env"]),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert!(env["AWS_SESSION_TOKEN"].starts_with("sso-111111111111-Billing-"));
    assert_eq!(env["AWS_REGION"], "eu-west-1");
    assert_eq!(sso.calls("Authorize"), 1, "signed in once");
}

#[test]
fn a_second_run_changes_nothing_and_does_not_write() {
    let sso = stand_in(&[]);
    let sb = sandbox(SESSION);
    assert_success(&populate(&sb, &sso, &[]));
    let before = std::fs::metadata(sb.config_path()).unwrap();
    let text = config(&sb);
    let out = populate(&sb, &sso, &[]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("is up to date (5 profiles"),
        "{}",
        stderr(&out)
    );
    assert_eq!(config(&sb), text, "byte-identical");
    let after = std::fs::metadata(sb.config_path()).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(after.ino(), before.ino(), "not replaced");
    assert_eq!(after.mtime_nsec(), before.mtime_nsec(), "not written");
    assert_eq!(after.mtime(), before.mtime());
    assert_eq!(sso.calls("Authorize"), 1, "the cached sign-in was reused");
}

#[test]
fn stale_profiles_are_kept_and_named_until_prune_removes_them() {
    let sso = stand_in(&[]);
    let sb = sandbox(&format!("{SESSION}\n[profile mine]\nregion = us-east-1\n"));
    assert_success(&populate(&sb, &sso, &[]));
    // prod loses Billing, dev is gone.
    sso.set_accounts(&serde_json::json!([
        {"id": "111111111111", "name": "prod", "roles": ["Admin", "ReadOnly"]},
        {"id": "333333333333", "name": "My Team (sandbox)", "roles": ["Admin"]},
    ]));
    let text = config(&sb);
    let out = populate(&sb, &sso, &[]);
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("no longer in IAM Identity Center (kept; --prune removes them): 'dev/Developer', 'prod/Billing'"),
        "{err}"
    );
    assert_eq!(config(&sb), text, "nothing removed without --prune");

    let out = populate(&sb, &sso, &["--prune"]);
    assert_success(&out);
    assert!(
        stderr(&out)
            .contains("removed, no longer in IAM Identity Center: 'dev/Developer', 'prod/Billing'")
    );
    let block = [
        profile(
            "My-Team-sandbox/Admin",
            "333333333333",
            "Admin",
            "eu-west-1",
        ),
        profile("prod/Admin", "111111111111", "Admin", "eu-west-1"),
        profile("prod/ReadOnly", "111111111111", "ReadOnly", "eu-west-1"),
    ]
    .join("\n");
    assert_eq!(
        config(&sb),
        format!("{SESSION}\n[profile mine]\nregion = us-east-1\n\n{BEGIN}{block}{END}")
    );
}

#[test]
fn a_hand_written_profile_of_the_same_name_is_reported_and_kept() {
    let sso = stand_in(&[]);
    let mine = "# my own, by hand\n[profile prod/Admin]\nregion = ap-south-1\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = dev/Developer\n";
    let sb = sandbox(&format!("{mine}{SESSION}"));
    let out = populate(&sb, &sso, &[]);
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("not written: profile 'prod/Admin' (account 111111111111 'prod', role Admin) already exists"),
        "{err}"
    );
    assert!(err.contains("wrote 4 profiles"), "{err}");
    let text = config(&sb);
    assert!(
        text.starts_with(&format!("{mine}{SESSION}\n{BEGIN}")),
        "{text}"
    );
    assert!(
        !text[mine.len()..].contains("[profile prod/Admin]"),
        "{text}"
    );
    assert_eq!(text.matches("[profile ").count(), 5);
}

#[test]
fn the_template_names_profiles_and_the_region_can_be_chosen() {
    let sso = stand_in(&[]);
    let sb = sandbox(SESSION);
    let out = populate(
        &sb,
        &sso,
        &[
            "--template",
            "{sso_session}.{account_id} {role_name}",
            "--profile-region",
            "us-east-2",
        ],
    );
    assert_success(&out);
    let text = config(&sb);
    assert!(
        text.contains(&profile(
            "corp.111111111111-ReadOnly",
            "111111111111",
            "ReadOnly",
            "us-east-2"
        )),
        "{text}"
    );
    assert_eq!(text.matches("[profile corp.").count(), 5, "{text}");

    // A template that gives two roles one name is refused before anything is written.
    let out = populate(&sb, &sso, &["--template", "{account_name}"]);
    assert_one_line_error(&out, &["the name 'prod'", "{account_id}"]);
    assert_eq!(config(&sb), text);
    let out = populate(&sb, &sso, &["--template", "{account}"]);
    assert_one_line_error(&out, &["{account}", "{account_name}", "{role_name}"]);
}

#[test]
fn only_the_block_changes_in_a_config_with_comments_and_nested_settings() {
    let sso = stand_in(&[]);
    let before = "# work config; do not reorder\n[default]\nregion = eu-central-1\ns3 =\n  max_concurrent_requests = 20\n\n";
    let after = "\n; hand-written after vault's block\n[profile zz]\ninclude_profile = dev/Developer\nservices = local\n\n[services local]\ns3 =\n  endpoint_url = http://localhost:4566\n";
    let sb = sandbox(&format!("{before}{SESSION}"));
    // A dotfile manager's symlink stays one.
    let real = sb.path("dotfiles/aws-config");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(sb.config_path(), &real).unwrap();
    std::os::unix::fs::symlink(&real, sb.config_path()).unwrap();

    assert_success(&populate(&sb, &sso, &[]));
    // The user adds sections after the block; a later run keeps them where they are.
    let text = format!("{}{after}", config(&sb));
    std::fs::write(&real, &text).unwrap();
    sso.set_accounts(&serde_json::json!([
        {"id": "222222222222", "name": "dev", "roles": ["Developer", "Admin"]},
    ]));
    let out = populate(&sb, &sso, &["--prune"]);
    assert_success(&out);
    let block = [
        profile("dev/Admin", "222222222222", "Admin", "eu-west-1"),
        profile("dev/Developer", "222222222222", "Developer", "eu-west-1"),
    ]
    .join("\n");
    assert_eq!(
        config(&sb),
        format!("{before}{SESSION}\n{BEGIN}{block}{END}{after}")
    );
    assert!(
        std::fs::symlink_metadata(sb.config_path())
            .unwrap()
            .is_symlink()
    );
    // vault still reads every hand-written setting.
    let out = run_bounded(&mut vault(&sb, &sso, &["list", "--profiles"]), LIMIT);
    assert_eq!(stdout(&out), "default\ndev/Admin\ndev/Developer\nzz\n");
    // A hand-written profile that includes a written one gets its account role.
    let out = run_bounded(&mut vault(&sb, &sso, &["exec", "zz", "--", "env"]), LIMIT);
    assert_success(&out);
    assert!(env_map(&stdout(&out))["AWS_SESSION_TOKEN"].starts_with("sso-222222222222-Developer-"));
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let sso = stand_in(&[]);
    let sb = sandbox(SESSION);
    let out = populate(&sb, &sso, &["--dry-run"]);
    assert_success(&out);
    assert_eq!(config(&sb), SESSION);
    let diff = stdout(&out);
    let path = sb.config_path().display().to_string();
    assert!(
        diff.starts_with(&format!("--- {path}\n+++ {path}\n@@ ")),
        "{diff}"
    );
    assert!(
        diff.contains("+[profile prod/Admin]\n+sso_session = corp\n"),
        "{diff}"
    );
    assert!(diff.contains(&format!("+{BEGIN}")), "{diff}");
    assert!(stderr(&out).contains("dry run"), "{}", stderr(&out));
}

#[test]
fn a_sign_in_that_ends_mid_listing_signs_in_again_and_lists_everything() {
    // The second listing call finds the token revoked.
    let sso = stand_in(&[("SSO_REVOKE_AT", "2")]);
    let sb = sandbox(SESSION);
    let out = populate(&sb, &sso, &[]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("sign-in ended while listing: signing in again"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sso.calls("Authorize"), 2);
    assert_eq!(
        config(&sb),
        format!("{SESSION}\n{}", full_block("eu-west-1"))
    );
}

#[test]
fn a_callback_with_another_state_is_refused() {
    let sso = stand_in(&[("SSO_STATE", "wrong")]);
    let sb = sandbox(SESSION);
    let out = populate(&sb, &sso, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.trim_end()
            .lines()
            .last()
            .unwrap()
            .contains("a state that is not this sign-in's"),
        "{err}"
    );
    assert_eq!(sso.calls("Authorize"), 1);
    assert_eq!(sso.calls("CreateToken"), 0, "the code was never exchanged");
    assert_eq!(config(&sb), SESSION);

    // Refused by the portal: said so, nothing exchanged either.
    let sso = stand_in(&[("SSO_STATE", "deny")]);
    let sb = sandbox(SESSION);
    let out = populate(&sb, &sso, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("was refused by the portal (access_denied)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sso.calls("CreateToken"), 0);
}

#[test]
fn no_browser_or_use_device_code_signs_in_with_the_device_code() {
    let sso = stand_in(&[]);
    let sb = sandbox(SESSION);
    let out = run_bounded(
        vault(&sb, &sso, &["sso", "populate"]).env("BROWSER", sb.path("no-such-browser")),
        LIMIT,
    );
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("no browser could be opened"), "{err}");
    assert!(
        err.contains("signing in with a code on another device"),
        "{err}"
    );
    assert!(err.contains("user_code="), "{err}");
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1);
    assert_eq!(sso.calls("Authorize"), 0);
    assert_eq!(
        config(&sb),
        format!("{SESSION}\n{}", full_block("eu-west-1"))
    );

    // --use-device-code with a working browser: the device code still.
    let sso = stand_in(&[]);
    let sb = sandbox(SESSION);
    assert_success(&populate(&sb, &sso, &["--use-device-code"]));
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1);
    assert_eq!(sso.calls("Authorize"), 0);
}

#[test]
fn start_url_and_region_create_the_sso_session_in_vaults_block() {
    let sso = stand_in(&[]);
    let sb = sandbox("[profile mine]\nregion = us-east-1\n");
    let out = populate(&sb, &sso, &[]);
    assert_one_line_error(&out, &["no [sso-session]", "--start-url"]);

    let args = [
        "--start-url",
        "https://my-org.awsapps.com/start",
        "--region",
        "us-west-2",
    ];
    let out = populate(&sb, &sso, &args);
    assert_success(&out);
    let text = config(&sb);
    let begin = BEGIN.replace("corp", "my-org");
    assert!(
        text.starts_with(&format!(
            "[profile mine]\nregion = us-east-1\n\n{begin}[sso-session my-org]\n\
             sso_start_url = https://my-org.awsapps.com/start\nsso_region = us-west-2\n\
             sso_registration_scopes = sso:account:access\n\n[profile My-Team-sandbox/Admin]\n\
             sso_session = my-org\n"
        )),
        "{text}"
    );
    // Again, with or without the flags: nothing changes.
    for again in [&args[..], &[]] {
        let out = populate(&sb, &sso, again);
        assert_success(&out);
        assert!(stderr(&out).contains("is up to date"), "{}", stderr(&out));
    }
    assert_eq!(config(&sb), text);
    // A hand-written session is never changed by the flags.
    let sb = sandbox(SESSION);
    let out = populate(
        &sb,
        &sso,
        &[
            "corp",
            "--start-url",
            "https://other.example.com/start",
            "--region",
            "eu-west-1",
        ],
    );
    assert_one_line_error(&out, &["[sso-session corp]", "will not change"]);
}

#[test]
fn every_sso_session_sign_in_uses_pkce_and_one_tab_serves_parallel_commands() {
    let sso = stand_in(&[]);
    let sb = sandbox(&format!(
        "{SESSION}\n[profile dev]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Developer\n"
    ));
    let children: Vec<_> = (0..3)
        .map(|_| {
            vault(
                &sb,
                &sso,
                &["exec", "dev", "--", "sh", "-c", "echo $AWS_SESSION_TOKEN"],
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_success(&out);
        assert!(stdout(&out).starts_with("sso-222222222222-Developer-"));
    }
    assert_eq!(
        sso.calls("Authorize"),
        1,
        "one browser tab for three commands"
    );
    assert_eq!(sso.calls("CreateToken"), 1);
    assert_eq!(sso.calls("StartDeviceAuthorization"), 0);
}
