//! MFA prompt drivers (`VAULT_PROMPT`, aws-vault's `AWS_VAULT_PROMPT`): each driver is a fake
//! program of its name on PATH that records its arguments and prints a code, run by vault under
//! `setsid` (no terminal, as for an IDE calling `credential_process`); the code must reach STS.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/will";
const MESSAGE: &str = "Enter MFA code for arn:aws:iam::123456789012:mfa/will: ";

/// A sandbox with profile `will` (keys stored, an MFA device) and an empty folder of fake
/// programs.
fn sandbox(sts: &StsRecorder) -> Sandbox {
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\nregion = eu-west-1\nmfa_serial = {SERIAL}\n"
    ));
    sb.add("will");
    std::fs::create_dir_all(sb.path("bin")).unwrap();
    sb
}

/// A fake `name` on the sandbox's PATH: writes each argument on a line of `name.args`, then runs
/// `body`.
fn fake(sb: &Sandbox, name: &str, body: &str) -> PathBuf {
    let args = sb.path(&format!("{name}.args"));
    sh_script(
        &sb.path("bin").join(name),
        &format!(
            "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n{body}",
            args.display()
        ),
    )
}

fn recorded_args(sb: &Sandbox, name: &str) -> Vec<String> {
    std::fs::read_to_string(sb.path(&format!("{name}.args")))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// `vault ARGS` with the fake programs first on PATH, `env` set, and no controlling terminal.
fn vault_without_terminal(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut guarded = without_terminal(&sb.vault(args));
    guarded
        .env("PATH", path_with(&sb.path("bin")))
        .envs(env.iter().copied());
    run_bounded(&mut guarded, LIMIT)
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The one GetSessionToken call made, with the serial and the code it carried.
fn assert_code_reached_sts(sts: &StsRecorder, code: &str) {
    let calls = sts.calls_of("GetSessionToken");
    assert_eq!(calls.len(), 1, "{:?}", sts.calls());
    assert_eq!(calls[0].param("SerialNumber"), Some(SERIAL));
    assert_eq!(calls[0].param("TokenCode"), Some(code));
}

#[test]
fn zenity_asks_with_an_entry_dialog() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "zenity", "echo 111111");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "zenity"), ("DISPLAY", ":99")],
    );
    assert_success(&out);
    assert_eq!(
        recorded_args(&sb, "zenity"),
        ["--entry", "--title", "vault", "--text", MESSAGE]
    );
    assert_code_reached_sts(&sts, "111111");
}

#[test]
fn kdialog_asks_with_an_input_box_under_aws_vaults_variable() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "kdialog", "echo 222222");
    let out = vault_without_terminal(
        &sb,
        &["export", "will", "--format", "json"],
        &[
            ("AWS_VAULT_PROMPT", "kdialog"),
            ("WAYLAND_DISPLAY", "wayland-0"),
        ],
    );
    assert_success(&out);
    assert_eq!(
        recorded_args(&sb, "kdialog"),
        ["--inputbox", MESSAGE, "--title", "vault"]
    );
    assert_code_reached_sts(&sts, "222222");
}

#[test]
fn osascript_asks_with_an_applescript_dialog() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "osascript", "echo 333333");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "osascript")],
    );
    assert_success(&out);
    let args = recorded_args(&sb, "osascript");
    assert_eq!(args[0], "-e", "{args:?}");
    let script = args[1..].join("\n");
    assert!(
        script.starts_with(&format!("display dialog \"{MESSAGE}\" default answer \"\"")),
        "{script}"
    );
    assert!(script.contains("text returned of the result"), "{script}");
    assert_code_reached_sts(&sts, "333333");
}

#[test]
fn ykman_reads_the_serials_oath_account_and_its_touch_notice_reaches_stderr() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(
        &sb,
        "ykman",
        "echo 'Touch your YubiKey...' >&2\necho 444444",
    );
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "ykman")],
    );
    assert_success(&out);
    assert_eq!(
        recorded_args(&sb, "ykman"),
        ["oath", "accounts", "code", "--single", SERIAL]
    );
    assert!(
        stderr(&out).contains("Touch your YubiKey..."),
        "{}",
        stderr(&out)
    );
    assert_code_reached_sts(&sts, "444444");
}

#[test]
fn ykman_follows_aws_vaults_account_device_and_version_variables() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "ykman", "echo 555555");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[
            ("VAULT_PROMPT", "ykman"),
            ("YKMAN_OATH_CREDENTIAL_NAME", "aws-will"),
            ("YKMAN_OATH_DEVICE_SERIAL", "9876543"),
            ("AWS_VAULT_YKMAN_VERSION", "3"),
        ],
    );
    assert_success(&out);
    assert_eq!(
        recorded_args(&sb, "ykman"),
        [
            "--device", "9876543", "oath", "code", "--single", "aws-will"
        ]
    );
    assert_code_reached_sts(&sts, "555555");
}

/// ykman's "touch" notice and OATH password question go to the terminal when there is one,
/// even though vault's own stderr is captured (as the AWS CLI captures a credential_process's).
#[test]
fn ykman_talks_on_the_terminal_when_there_is_one() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed (it provides the terminal)");
        return;
    }
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    let stdin_was = sb.path("stdin-was");
    fake(
        &sb,
        "ykman",
        &format!(
            "echo 'Touch your YubiKey...' >&2\nif [ -t 0 ]; then echo tty; else echo none; fi > '{}'\necho 666666",
            stdin_was.display()
        ),
    );
    let captured = sb.path("vault-stderr");
    let inner = format!(
        "{} export will --format json > /dev/null 2> '{}'",
        env!("CARGO_BIN_EXE_vault"),
        captured.display()
    );
    let mut script = sb.command("script");
    script
        .args(["-q", "-e", "-c", &inner, "/dev/null"])
        .env("PATH", path_with(&sb.path("bin")))
        .env("VAULT_PROMPT", "ykman");
    let out = run_bounded(&mut script, LIMIT);
    assert_success(&out);
    assert!(
        stdout(&out).contains("Touch your YubiKey..."),
        "{}",
        stdout(&out)
    );
    let captured = std::fs::read_to_string(&captured).unwrap();
    assert!(!captured.contains("YubiKey"), "captured: {captured:?}");
    assert_eq!(std::fs::read_to_string(&stdin_was).unwrap().trim(), "tty");
    assert_code_reached_sts(&sts, "666666");
}

#[test]
fn cancel_in_the_dialog_is_a_clear_error_and_no_other_driver_is_asked() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "zenity", "exit 1");
    fake(&sb, "kdialog", "echo 777777");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "zenity,kdialog"), ("DISPLAY", ":99")],
    );
    assert_one_line_error(&out, &[SERIAL, "cancelled in the zenity dialog"]);
    assert!(
        recorded_args(&sb, "kdialog").is_empty(),
        "kdialog was asked"
    );
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
}

#[test]
fn an_empty_answer_is_refused() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "zenity", "echo");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "zenity"), ("DISPLAY", ":99")],
    );
    assert_one_line_error(&out, &["no MFA code entered", SERIAL]);
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
}

/// The list is tried in order: a driver that is not installed or cannot open is skipped, one
/// that fails (no YubiKey inserted) gives way to the next.
#[test]
fn a_comma_list_uses_the_first_driver_that_gives_a_code() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(
        &sb,
        "ykman",
        "echo 'ERROR: No YubiKey detected!' >&2\nexit 2",
    );
    fake(&sb, "zenity", "echo 888888");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[
            ("VAULT_PROMPT", "osascript, ykman,kdialog,zenity,terminal"),
            ("DISPLAY", ":99"),
        ],
    );
    assert_success(&out);
    assert!(
        !recorded_args(&sb, "ykman").is_empty(),
        "ykman was tried first"
    );
    assert_code_reached_sts(&sts, "888888");
}

#[test]
fn no_usable_driver_says_why_for_each() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    // zenity is installed but there is no display to open it on (an ssh session).
    fake(&sb, "zenity", "echo 999999");
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "zenity,kdialog,terminal")],
    );
    assert_one_line_error(
        &out,
        &[
            SERIAL,
            "zenity: no display",
            "kdialog: not found on PATH",
            "terminal: no terminal",
            "--mfa-token",
        ],
    );
    assert!(recorded_args(&sb, "zenity").is_empty(), "zenity was run");
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
}

#[test]
fn an_unknown_driver_is_named_with_the_known_ones() {
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    let out = vault_without_terminal(
        &sb,
        &["exec", "will", "--", "true"],
        &[("VAULT_PROMPT", "zenity,pass")],
    );
    assert_one_line_error(
        &out,
        &["'pass'", "terminal, zenity, kdialog, osascript, ykman"],
    );
    assert!(sts.calls().is_empty(), "{:?}", sts.calls());
}

/// What the drivers are for: an IDE or the AWS CLI runs `vault export` as its
/// credential_process without a terminal, and the person answers a dialog.
#[test]
fn credential_process_without_a_terminal_gets_a_dialog() {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("skipped: the AWS CLI is not installed");
        return;
    }
    let sts = sts_recorder();
    let sb = sandbox(&sts);
    fake(&sb, "zenity", "echo 123123");
    let mut config = std::fs::read_to_string(sb.config_path()).unwrap();
    config.push_str(&format!(
        "[profile ide]\nregion = eu-west-1\ncredential_process = {} export will --format json\n",
        env!("CARGO_BIN_EXE_vault")
    ));
    sb.write_config(&config);
    let mut aws = sb.command("aws");
    aws.args(["sts", "get-caller-identity", "--profile", "ide"]);
    let mut guarded = without_terminal(&aws);
    guarded
        .env("PATH", path_with(&sb.path("bin")))
        .env("VAULT_PROMPT", "zenity")
        .env("DISPLAY", ":99");
    let out = run_bounded(&mut guarded, LIMIT);
    assert_success(&out);
    assert!(stdout(&out).contains("Account"), "{}", stdout(&out));
    assert_eq!(recorded_args(&sb, "zenity")[0], "--entry");
    assert_code_reached_sts(&sts, "123123");
}
