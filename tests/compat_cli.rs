//! Issue 11, the command-line items: web_identity_token_process, mfa_process on the terminal
//! and per profile, exec's AWS_ENDPOINT_URL, export's nesting refusal, AWS_PROFILE as the
//! default profile, and the friendlier errors. Each counts the STS calls through the recorder.

mod support;

use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const ROLE: &str = "arn:aws:iam::123456789012:role/ci-deployer";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9jZXNzIn0.c2lnbmF0dXJl";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/will";

#[test]
fn web_identity_token_process_is_a_source() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile ci]\nweb_identity_token_process = printf '%s\\n' {TOKEN}\nrole_arn = {ROLE}\n\
         role_session_name = ci-run\nduration_seconds = 1800\n"
    ));
    let out = run_bounded(&mut sb.vault(&["exec", "ci", "--", "env"]), LIMIT);
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "ci");
    assert!(!env["AWS_SESSION_TOKEN"].is_empty());
    let calls = sts.calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["AssumeRoleWithWebIdentity"]);
    let call = &calls[0];
    assert_eq!(call.param("RoleArn"), Some(ROLE));
    assert_eq!(call.param("RoleSessionName"), Some("ci-run"));
    assert_eq!(call.param("DurationSeconds"), Some("1800"));
    assert_eq!(call.param("WebIdentityToken"), Some(TOKEN), "trimmed");
    assert!(!stderr(&out).contains(TOKEN));
}

#[test]
fn web_identity_token_process_failures_are_clear_and_call_nothing() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile quiet]\nweb_identity_token_process = true\nrole_arn = {ROLE}\n\
         [profile failing]\nweb_identity_token_process = exit 3\nrole_arn = {ROLE}\n\
         [profile norole]\nweb_identity_token_process = echo {TOKEN}\n\
         [profile role2]\nrole_arn = {ROLE}\n"
    ));
    let out = run_bounded(&mut sb.vault(&["exec", "quiet", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &["web_identity_token_process of profile 'quiet'", "no token"],
    );
    let out = run_bounded(&mut sb.vault(&["exec", "failing", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &["web_identity_token_process of profile 'failing'", "failed"],
    );
    let out = run_bounded(&mut sb.vault(&["exec", "norole", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &[
            "'norole'",
            "role_arn is missing",
            "web_identity_token_process",
        ],
    );
    // The old advice, `vault add role2`, was wrong for a role: it needs a source, not keys.
    let out = run_bounded(&mut sb.vault(&["exec", "role2", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &["'role2'", "source_profile", "web_identity_token_process"],
    );
    assert!(!stderr(&out).contains("vault add"), "{}", stderr(&out));
    assert_eq!(sts.calls().len(), 0);
}

#[test]
fn exec_child_gets_the_profiles_endpoint_url() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    sb.write_config(&format!(
        "[profile will]\nendpoint_url = {}\n[profile plain]\n",
        sts.url
    ));
    sb.add("will");
    sb.add("plain");
    let mut exec = sb.vault(&["exec", "will", "--", "env"]);
    exec.env_remove("AWS_ENDPOINT_URL");
    let out = run_bounded(&mut exec, LIMIT);
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_ENDPOINT_URL"], sts.url);
    // vault's own call went to the profile's endpoint too.
    assert_eq!(sts.count("GetSessionToken"), 1);
    let mut exec = sb.vault(&["exec", "plain", "-n", "--", "env"]);
    exec.env_remove("AWS_ENDPOINT_URL");
    let out = run_bounded(&mut exec, LIMIT);
    assert_success(&out);
    assert!(!env_map(&stdout(&out)).contains_key("AWS_ENDPOINT_URL"));
}

#[test]
fn export_refuses_to_nest_like_exec() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    let out = run_bounded(
        sb.vault(&["export", "will", "--format", "json"])
            .env("AWS_VAULT", "outer"),
        LIMIT,
    );
    assert_one_line_error(&out, &["'outer'", "AWS_VAULT"]);
    assert_eq!(stdout(&out), "");
    assert_eq!(sts.calls().len(), 0);
}

#[test]
fn aws_profile_is_the_default_profile() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    let out = run_bounded(
        sb.vault(&["exec", "--", "env"]).env("AWS_PROFILE", "will"),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "will");
    assert!(!env.contains_key("AWS_PROFILE"), "removed from the child");
    let out = run_bounded(
        sb.vault(&["export", "--format", "env"])
            .env("AWS_PROFILE", "will"),
        LIMIT,
    );
    assert_success(&out);
    assert_eq!(env_map(&stdout(&out))["AWS_VAULT"], "will");
    // The first made the session, the second used it.
    assert_eq!(sts.count("GetSessionToken"), 1);
    // A name on the command line wins over AWS_PROFILE.
    let out = run_bounded(
        sb.vault(&["exec", "will", "--", "env"])
            .env("AWS_PROFILE", "other"),
        LIMIT,
    );
    assert_success(&out);
    assert_eq!(env_map(&stdout(&out))["AWS_VAULT"], "will");
}

#[test]
fn exec_without_the_double_dash_suggests_it() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("admin");
    let out = run_bounded(&mut sb.vault(&["exec", "admin", "ls", "-la"]), LIMIT);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("vault exec admin -- ls -la"),
        "{}",
        stderr(&out)
    );
    // A mistyped flag is not a command to run.
    let out = run_bounded(&mut sb.vault(&["exec", "admin", "--frobnicate"]), LIMIT);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("put `--`"), "{}", stderr(&out));
    assert_eq!(sts.calls().len(), 0);
}

#[test]
fn an_unknown_profile_gets_did_you_mean() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile admin]\nregion = eu-west-1\n[profile dev]\n");
    sb.add("admin");
    for command in ["exec", "export", "login"] {
        let out = run_bounded(&mut sb.vault(&[command, "admn"]), LIMIT);
        assert_one_line_error(&out, &["profile 'admn' not found", "did you mean 'admin'?"]);
    }
    let out = run_bounded(&mut sb.vault(&["exec", "staging", "--", "true"]), LIMIT);
    assert_one_line_error(&out, &["profile 'staging' not found", "vault add"]);
    assert!(!stderr(&out).contains("did you mean"));
    assert_eq!(sts.calls().len(), 0);
}

#[test]
fn clear_of_an_unknown_name_is_an_error() {
    let sb = Sandbox::new();
    sb.write_config("[profile admin]\n");
    let out = run_bounded(&mut sb.vault(&["clear", "admn"]), LIMIT);
    assert_one_line_error(&out, &["profile 'admn' not found", "did you mean 'admin'?"]);
    assert_success(&run_bounded(&mut sb.vault(&["clear", "admin"]), LIMIT));
    // Keys stored without a config section are a profile vault knows.
    let out = run_bounded(
        sb.vault(&["add", "loose", "--env", "--no-add-config"])
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        LIMIT,
    );
    assert_success(&out);
    assert_success(&run_bounded(&mut sb.vault(&["clear", "loose"]), LIMIT));
}

#[test]
fn allow_warns_at_once_of_a_profile_not_in_the_config() {
    let sb = Sandbox::new();
    sb.write_config("[profile admin]\n");
    let project = sb.path("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join(".awsvault"), "admn\n").unwrap();
    let out = run_bounded(&mut sb.vault(&["allow", project.to_str().unwrap()]), LIMIT);
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("warning") && err.contains("'admn'") && err.contains("did you mean 'admin'?"),
        "{err}"
    );
    std::fs::write(project.join(".awsvault"), "admin\n").unwrap();
    let out = run_bounded(&mut sb.vault(&["allow", project.to_str().unwrap()]), LIMIT);
    assert_success(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

/// The session's code comes from the mfa_process of the profile the session is for (the
/// source), not from the role profile's own.
#[test]
fn the_sessions_code_comes_from_the_source_profiles_mfa_process() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = {SERIAL}\nmfa_process = echo 111111\n\
         [profile admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = will\n\
         mfa_process = echo 222222\n"
    ));
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["exec", "admin", "--", "true"]), LIMIT);
    assert_success(&out);
    let calls = sts.calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    assert_eq!(calls[0].param("SerialNumber"), Some(SERIAL));
    assert_eq!(calls[0].param("TokenCode"), Some("111111"));
    assert_eq!(calls[1].param("TokenCode"), None);
}

/// A profile without an mfa_process of its own still uses the role profile's (as before).
#[test]
fn a_source_without_mfa_process_uses_the_role_profiles() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = {SERIAL}\n\
         [profile admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = will\n\
         mfa_process = echo 222222\n"
    ));
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["exec", "admin", "--", "true"]), LIMIT);
    assert_success(&out);
    let sessions = sts.calls_of("GetSessionToken");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].param("TokenCode"), Some("222222"));
}

/// mfa_process talks to the person at the terminal: its stdin is the terminal, and its
/// stderr reaches it even though vault's own stderr goes to a file (as under the AWS CLI).
/// `script` gives vault a controlling terminal (a pty) whose output the test reads.
#[test]
fn mfa_process_gets_the_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: util-linux `script` is not installed (it provides the terminal)");
        return;
    }
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let marker = sb.path("stdin-was");
    let helper = sb.path("mfa.sh");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\necho 'touch your YubiKey' >&2\nif [ -t 0 ]; then echo tty; else echo none; fi > '{}'\necho 654321\n",
            marker.display()
        ),
    )
    .unwrap();
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = {SERIAL}\nmfa_process = sh {}\n",
        helper.display()
    ));
    sb.add("will");
    let captured = sb.path("vault-stderr");
    let inner = format!(
        "{} export will --format json > /dev/null 2> '{}'",
        env!("CARGO_BIN_EXE_vault"),
        captured.display()
    );
    let mut script = sb.command("script");
    script.args(["-q", "-e", "-c", &inner, "/dev/null"]);
    let out = run_bounded(&mut script, LIMIT);
    assert_success(&out);
    let terminal = stdout(&out);
    assert!(
        terminal.contains("touch your YubiKey"),
        "terminal: {terminal:?}"
    );
    let captured = std::fs::read_to_string(&captured).unwrap();
    assert!(!captured.contains("YubiKey"), "captured: {captured:?}");
    assert_eq!(std::fs::read_to_string(&marker).unwrap().trim(), "tty");
    let sessions = sts.calls_of("GetSessionToken");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].param("TokenCode"), Some("654321"));
}

/// `vault list`'s table: the SOURCE of each role profile, no row for an empty `[default]`,
/// and `--sessions`; listing makes no STS call.
#[test]
fn list_shows_sources_and_sessions() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config(&format!(
        "[default]\n[profile will]\nmfa_serial = {SERIAL}\nmfa_process = echo 123456\n\
         [profile admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = will\n\
         [profile ci]\nweb_identity_token_process = echo t\nrole_arn = {ROLE}\n\
         [profile self]\nrole_arn = arn:aws:iam::111111111111:role/self\n"
    ));
    sb.add("will");
    sb.add("self");
    assert_success(&run_bounded(
        &mut sb.vault(&["exec", "admin", "--", "true"]),
        LIMIT,
    ));
    let calls_before = sts.calls().len();
    let out = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    assert_success(&out);
    let table = stdout(&out);
    let rows: std::collections::BTreeMap<&str, Vec<&str>> = table
        .lines()
        .skip_while(|l| !l.starts_with("PROFILE"))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0], cols)
        })
        .collect();
    assert_eq!(
        rows["PROFILE"][..4],
        ["PROFILE", "KEYS", "SOURCE", "SESSIONS"]
    );
    assert!(!rows.contains_key("default"), "an empty [default]: {table}");
    assert_eq!(rows["will"][1..3], ["stored", "-"], "{table}");
    assert_eq!(rows["will"][3], "session", "{table}");
    assert_eq!(rows["admin"][1..3], ["-", "will"], "{table}");
    assert_eq!(rows["ci"][1..4], ["-", "web_identity", "-"], "{table}");
    assert_eq!(rows["self"][1..3], ["stored", "self"], "{table}");
    let out = run_bounded(&mut sb.vault(&["list", "--sessions"]), LIMIT);
    assert_success(&out);
    let sessions = stdout(&out);
    // The session, and the role assumed with it: every role is cached (issue 11).
    assert_eq!(sessions.lines().count(), 2, "{sessions}");
    assert!(
        sessions.starts_with("will: session ") && sessions.contains(" left"),
        "{sessions}"
    );
    assert!(
        sessions
            .lines()
            .any(|l| l.starts_with("admin: role ") && l.ends_with(" left")),
        "{sessions}"
    );
    assert_eq!(sts.calls().len(), calls_before, "list calls nothing");
    // The file's order, not the alphabet's.
    let order: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("PROFILE"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(order, ["will", "admin", "ci", "self"], "{table}");
    assert_eq!(
        stdout(&run_bounded(&mut sb.vault(&["list", "--profiles"]), LIMIT)),
        "will\nadmin\nci\nself\n",
        "completions are not offered an empty [default] either"
    );
    // A [default] with settings, or with keys, is a profile like any other.
    sb.write_config("[default]\nregion = eu-west-1\n");
    assert!(stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT)).contains("\ndefault "));
    assert_eq!(
        stdout(&run_bounded(&mut sb.vault(&["list", "--profiles"]), LIMIT)),
        "default\n"
    );
}

/// Keys stored with no config section (`--no-add-config`, or a section deleted later) get a
/// row, after the config's profiles, and are in `--credentials`; exec uses them as they are.
#[test]
fn list_shows_keys_with_no_config_section() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile will]\n");
    sb.add("will");
    for loose in ["zed", "loose"] {
        let out = run_bounded(
            sb.vault(&["add", loose, "--env", "--no-add-config"])
                .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            LIMIT,
        );
        assert_success(&out);
    }
    assert!(
        !std::fs::read_to_string(sb.config_path())
            .unwrap()
            .contains("loose")
    );
    assert_success(&run_bounded(
        &mut sb.vault(&["exec", "loose", "--", "true"]),
        LIMIT,
    ));
    let out = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    assert_success(&out);
    let table = stdout(&out);
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip_while(|l| !l.starts_with("PROFILE"))
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(names, ["will", "loose", "zed"], "{table}");
    assert_eq!(rows[1][1..4], ["stored", "-", "session"], "{table}");
    assert_eq!(rows[2][1..4], ["stored", "-", "-"], "{table}");
    assert_eq!(
        stdout(&run_bounded(
            &mut sb.vault(&["list", "--credentials"]),
            LIMIT
        )),
        "will\nloose\nzed\n"
    );
    // Completions offer what the config names, as before.
    assert_eq!(
        stdout(&run_bounded(&mut sb.vault(&["list", "--profiles"]), LIMIT)),
        "will\n"
    );
    // Removed keys leave no row.
    assert_success(&run_bounded(
        &mut sb.vault(&["remove", "zed", "--force"]),
        LIMIT,
    ));
    let table = stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT));
    assert!(!table.contains("zed"), "{table}");
}

#[path = "support/sso_stand_in.rs"]
mod sso_stand_in;

/// A profile that signs in with IAM Identity Center shows the sign-in and its time left, and
/// so does a role on top of it.
#[test]
fn list_shows_the_sso_sign_in() {
    let sso = sso_stand_in::StandIn::start(&[("SSO_PENDING", "0")]);
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    let browser = sh_script(&sb.path("browser.sh"), "exit 0");
    sb.write_config(
        "[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = eu-west-1\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n\
         [profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::444455556666:role/admin\n",
    );
    let vault = |args: &[&str]| {
        let mut cmd = sb.vault(args);
        cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
            .env("AWS_ENDPOINT_URL_SSO", &sso.url)
            // The device code flow, whose browser approves by doing nothing.
            .env("VAULT_SSO_USE_DEVICE_CODE", "1")
            .env("BROWSER", &browser);
        cmd
    };
    let listed = |args: &[&str]| {
        let out = run_bounded(&mut vault(args), LIMIT);
        assert_success(&out);
        stdout(&out)
    };
    assert!(!listed(&["list"]).contains("sso "), "not signed in yet");
    assert_success(&run_bounded(
        &mut vault(&["exec", "dev", "--", "true"]),
        LIMIT,
    ));
    let table = listed(&["list"]);
    for name in ["dev", "admin"] {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap();
        assert!(row.contains("sso ") && row.contains(" left"), "{table}");
    }
    let admin = table.lines().find(|l| l.starts_with("admin ")).unwrap();
    assert_eq!(admin.split_whitespace().nth(2), Some("dev"), "{table}");
    let sessions = listed(&["list", "--sessions"]);
    assert!(sessions.contains("dev: sso "), "{sessions}");
    assert_eq!(sso.calls("StartDeviceAuthorization"), 1);
}
