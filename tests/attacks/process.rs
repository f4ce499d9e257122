//! `credential_process` and `mfa_process`: the shell they run in, how much they may print, and a
//! helper that runs vault for its own profile. Also the config's chains of profiles.

use std::os::unix::fs::PermissionsExt;

use crate::LIMIT;
use crate::support::*;

const JSON: &str = r#"{"Version":1,"AccessKeyId":"AKIAPROCESSTEST00001","SecretAccessKey":"S"}"#;

/// A hostile repository ships an executable `./sh`; the user's PATH has an empty entry (the
/// current folder) first, and they cd into the repository and use vault. The helpers run, and
/// the repository's `sh` never does.
#[test]
fn a_repository_sh_is_never_the_helpers_shell() {
    let sb = Sandbox::new();
    let repo = sb.path("repo");
    std::fs::create_dir(&repo).unwrap();
    let ran = sb.path("repo-sh-ran");
    let fake = repo.join("sh");
    // It behaves like a shell, so nothing but the marker tells it ran.
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho ran >> '{}'\nexec /bin/sh \"$@\"\n",
            ran.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.write_config(&format!(
        "[profile cp]\ncredential_process = printf '{JSON}'\n\
         [profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = echo 123456\n"
    ));
    sb.add("will");
    let path = format!(":{}", std::env::var("PATH").unwrap_or_default());
    for args in [
        &["export", "--format", "json", "cp"][..],
        &["exec", "will", "--", "true"][..],
    ] {
        let mut cmd = sb.vault(args);
        cmd.current_dir(&repo).env("PATH", &path);
        let out = run_bounded(&mut cmd, LIMIT);
        assert_success(&out);
        assert!(
            !ran.exists(),
            "{args:?}: the repository's ./sh ran as the helper's shell"
        );
    }
}

/// A helper printing without end (300 MB took 300 MB of vault's memory) is stopped at 1 MiB, and
/// the error names whose helper it was and the limit.
#[test]
fn helper_output_is_capped() {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile big]\ncredential_process = head -c 50000000 /dev/zero\n\
         [profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\n\
         mfa_process = head -c 5000000 /dev/zero | tr '\\0' 1\n",
    );
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["export", "big"]), LIMIT);
    assert_one_line_error(
        &out,
        &[
            "credential_process of profile 'big'",
            "exceeded 1048576 bytes",
        ],
    );
    let out = run_bounded(&mut sb.vault(&["exec", "will", "--", "true"]), LIMIT);
    assert_one_line_error(
        &out,
        &[
            "mfa_process for arn:aws:iam::123456789012:mfa/will",
            "exceeded 1048576 bytes",
        ],
    );
}

/// A profile whose credential_process is `vault export` of itself recursed until the process
/// limit. Now the fourth nested vault refuses to run the helper again, with a clear error. (The
/// helper gives up by itself after 50 runs, so that this test cannot fork-bomb the machine.)
#[test]
fn a_helper_running_vault_for_its_own_profile_stops() {
    let sb = Sandbox::new();
    let runs = sb.path("runs");
    sb.write_config(&format!(
        "[profile self]\ncredential_process = echo run >> '{runs}'; \
         [ $(wc -l < '{runs}') -lt 50 ] || exit 7; exec '{vault}' export --format json self\n",
        runs = runs.display(),
        vault = env!("CARGO_BIN_EXE_vault"),
    ));
    let out = run_bounded(&mut sb.vault(&["export", "self"]), LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("credential_process of profile 'self' not run: 4 vault processes")
            && err.contains("leads back"),
        "{err}"
    );
    let runs = std::fs::read_to_string(&runs).unwrap().lines().count();
    assert_eq!(runs, 4, "the helper ran {runs} times");
}

/// Legitimate nesting keeps working: `vault exec` inside `vault exec`, five deep, each through a
/// credential_process that is itself `vault export` of another profile.
#[test]
fn nested_vaults_still_work() {
    let sb = Sandbox::new();
    let vault = env!("CARGO_BIN_EXE_vault");
    sb.write_config(&format!(
        "[profile cp]\ncredential_process = printf '{JSON}'\n\
         [profile via]\ncredential_process = {vault} export --format json cp\n"
    ));
    let mut args = vec![];
    for _ in 0..5 {
        args.extend(["env", "-u", "AWS_VAULT", vault, "exec", "via", "--"]);
    }
    args.push("env");
    let out = run_bounded(&mut sb.vault(&args[4..]), LIMIT);
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "via");
    assert_eq!(env["AWS_ACCESS_KEY_ID"], "AKIAPROCESSTEST00001");
}

/// `[profile p0]` .. `[profile p49999]`, each naming the next with `key`; the last has a region.
fn generated_chain(key: &str) -> String {
    let mut text = String::new();
    for i in 0..49_999 {
        text.push_str(&format!("[profile p{i}]\n{key} = p{}\n", i + 1));
    }
    text + "[profile p49999]\nregion = deep\ncredential_process = printf x\n"
}

/// 50 000 levels of include_profile crashed vault with a stack overflow: now a clear error (and
/// the same for source_profile, whose loop check was quadratic).
#[test]
fn chains_of_50_000_profiles_are_a_clear_error() {
    let sb = Sandbox::new();
    for key in ["include_profile", "source_profile"] {
        sb.write_config(&generated_chain(key));
        let out = run_bounded(&mut sb.vault(&["export", "p0"]), LIMIT);
        assert_one_line_error(
            &out,
            &[
                "profile 'p0'",
                &format!("its {key} chain is longer than 100 profiles"),
            ],
        );
    }
}
