//! A first run that explains itself, the parts without a terminal: `vault add`'s flags for a
//! new profile's region and MFA device, its refusals and warnings, and the file store's error
//! when there is no terminal to ask for the passphrase. The questions at a terminal are in
//! tests/shells/test_first_run.py.

mod support;

use std::process::Output;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/will";

fn add_env(sb: &Sandbox, args: &[&str], id: &str) -> Output {
    let mut all = vec!["add"];
    all.extend_from_slice(args);
    all.push("--env");
    run_bounded(
        sb.vault(&all)
            .env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        LIMIT,
    )
}

fn config(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.config_path()).unwrap_or_default()
}

#[test]
fn add_writes_the_new_profiles_region_and_mfa_device_from_flags() {
    let sb = Sandbox::new();
    let out = add_env(
        &sb,
        &["will", "--region", "eu-west-3", "--mfa-serial", SERIAL],
        ACCESS_KEY,
    );
    assert_success(&out);
    assert_eq!(
        config(&sb),
        format!("[profile will]\nregion = eu-west-3\nmfa_serial = {SERIAL}\n")
    );
}

/// What the region is for: the first `vault exec NAME -- aws ...` knows where to go.
#[test]
fn the_first_exec_after_add_has_the_region() {
    let sb = Sandbox::new();
    assert_success(&add_env(
        &sb,
        &["dev", "--region", "ap-south-1"],
        ACCESS_KEY,
    ));
    let out = run_bounded(&mut sb.vault(&["exec", "dev", "--", "env"]), LIMIT);
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_REGION"], "ap-south-1", "{env:?}");
}

#[test]
fn add_env_without_flags_writes_an_empty_section_as_before() {
    let sb = Sandbox::new();
    assert_success(&add_env(&sb, &["will"], ACCESS_KEY));
    assert_eq!(config(&sb), "[profile will]\n");
}

#[test]
fn region_flags_for_an_existing_section_are_refused_before_anything_is_stored() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    let out = add_env(&sb, &["will", "--region", "us-east-1"], ACCESS_KEY);
    assert_one_line_error(&out, &["--region", "[profile will]", "nothing stored"]);
    let list = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_eq!(stdout(&list).trim(), "", "keys were stored");
}

#[test]
fn a_malformed_region_or_mfa_device_is_refused_and_nothing_is_stored() {
    let sb = Sandbox::new();
    let out = add_env(&sb, &["will", "--region", "eu west 1"], ACCESS_KEY);
    assert_one_line_error(&out, &["'eu west 1' is not a region", "nothing stored"]);
    let out = add_env(
        &sb,
        &["will", "--mfa-serial", "arn:aws:iam::1:mfa/a\nregion"],
        ACCESS_KEY,
    );
    assert_one_line_error(&out, &["is not an MFA device ARN", "nothing stored"]);
    assert_eq!(config(&sb), "", "the config was written");
    let list = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_eq!(stdout(&list).trim(), "", "keys were stored");
}

#[test]
fn keys_for_a_profile_with_a_source_are_refused_unless_forced() {
    let sb = Sandbox::new();
    let original = "[profile base]\nregion = eu-west-1\n\
                    [profile admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = base\n\
                    [profile ide]\ncredential_process = echo {}\n";
    sb.write_config(original);
    let out = add_env(&sb, &["admin"], ACCESS_KEY);
    assert_one_line_error(&out, &["'admin'", "source_profile = base", "--force"]);
    let out = add_env(&sb, &["ide"], ACCESS_KEY);
    assert_one_line_error(&out, &["'ide'", "credential_process", "--force"]);
    let list = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_eq!(stdout(&list).trim(), "", "keys were stored");
    assert_success(&add_env(&sb, &["admin", "--force"], ACCESS_KEY));
    let list = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_eq!(stdout(&list).trim(), "admin");
    assert_eq!(config(&sb), original, "the config was changed");
}

#[test]
fn a_temporary_key_id_is_stored_with_a_warning() {
    let sb = Sandbox::new();
    let out = add_env(&sb, &["tmp"], "ASIAVAULTTESTKEY0001");
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("vault: warning: ASIAVAULTTESTKEY0001 is a temporary access key id"),
        "{err}"
    );
    assert!(err.contains("AKIA"), "{err}");
    let out = add_env(&sb, &["long"], ACCESS_KEY);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn no_terminal_for_a_new_stores_passphrase_is_one_clear_line() {
    let sb = Sandbox::new();
    let mut add = sb.vault(&["add", "will", "--env"]);
    add.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env_remove("VAULT_FILE_PASSPHRASE");
    let out = run_bounded(&mut without_terminal(&add), LIMIT);
    assert_one_line_error(
        &out,
        &["no terminal to ask for the passphrase: set VAULT_FILE_PASSPHRASE or run in a terminal"],
    );
    // The explanation is for a person at a terminal: not written to a program's stderr.
    assert!(
        !stderr(&out).contains("encrypted files"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_terminal_for_an_existing_stores_passphrase_is_one_clear_line() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    let mut exec = sb.vault(&["exec", "will", "--no-session", "--", "true"]);
    exec.env_remove("VAULT_FILE_PASSPHRASE");
    let out = run_bounded(&mut without_terminal(&exec), LIMIT);
    assert_one_line_error(
        &out,
        &["no terminal to ask for the passphrase: set VAULT_FILE_PASSPHRASE or run in a terminal"],
    );
}
