//! Trust and file modes: under umask 000 nothing vault creates is open to others, a second
//! user who can write the trust folder cannot forge an allowance, a link planted where vault
//! writes is never followed, and `no_session` from a project file needs an explicit yes.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use crate::LIMIT;
use crate::support::*;

const OTHER_UID: &str = "65534";

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Without a controlling terminal (a new session), as a script or CI runs it.
fn detached(cmd: &mut Command) -> &mut Command {
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        })
    }
}

/// The victim's trust folder.
fn trust_dir(sb: &Sandbox) -> PathBuf {
    sb.home().join(".local/share/vault/trust")
}

/// A project folder under HOME with a `.awsvault` holding `text`; its canonical file path.
fn project(sb: &Sandbox, name: &str, text: &str) -> PathBuf {
    let folder = sb.home().join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(".awsvault"), text).unwrap();
    std::fs::canonicalize(&folder).unwrap().join(".awsvault")
}

/// The allow record's name for a project file: SHA-256 of its canonical path.
fn record_name(file: &Path) -> String {
    hex::encode(Sha256::digest(file.as_os_str().as_encoded_bytes()))
}

/// One prompt in `folder`, as the glue runs it.
fn prompt(sb: &Sandbox, folder: &Path) -> Output {
    let mut cmd = sb.vault(&["hook-env", "bash"]);
    cmd.current_dir(folder).env("PWD", folder);
    let out = run_bounded(&mut cmd, LIMIT);
    assert_success(&out);
    out
}

fn activated(out: &Output) -> bool {
    stdout(out).contains("AWS_ACCESS_KEY_ID")
}

/// `sh -c SCRIPT` as the second local user.
fn as_other_user(sb: &Sandbox, script: &str) -> Output {
    let mut cmd = sb.command("setpriv");
    cmd.args([
        &format!("--reuid={OTHER_UID}"),
        &format!("--regid={OTHER_UID}"),
        "--clear-groups",
        "sh",
        "-c",
        script,
    ]);
    run_bounded(&mut cmd, LIMIT)
}

/// The world an older vault under umask 000 left: every folder from the sandbox down to the
/// trust records open to everyone.
fn open_to_everyone(sb: &Sandbox) {
    let trust = trust_dir(sb);
    std::fs::create_dir_all(trust.join("allow")).unwrap();
    std::fs::create_dir_all(trust.join("deny")).unwrap();
    let mut dir = trust.join("allow");
    loop {
        chmod(&dir, 0o777);
        if dir == sb.dir.path() {
            break;
        }
        dir = dir.parent().unwrap().to_path_buf();
    }
    chmod(&trust.join("deny"), 0o777);
}

/// `vault add` under umask 000 creates the config 0600 in a 0700 folder, as the AWS CLI does;
/// trust folders, records and the key come out 0700/0600 too.
#[test]
fn files_vault_creates_are_private_under_umask_000() {
    let sb = Sandbox::new();
    let config = sb.path("fresh/.aws/config");
    let file = project(&sb, "repo", "profile = \"will\"\n");
    for args in [
        &["add", "will", "--env"][..],
        &["allow", file.to_str().unwrap()][..],
    ] {
        let mut cmd = sb.vault(args);
        cmd.env("AWS_CONFIG_FILE", &config)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        // SAFETY: umask is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::umask(0);
                Ok(())
            });
        }
        assert_success(&run_bounded(&mut cmd, LIMIT));
    }
    assert_eq!(mode(&config), 0o600, "the config file");
    assert_eq!(mode(config.parent().unwrap()), 0o700, "~/.aws");
    assert_eq!(mode(&sb.path("fresh")), 0o700, "a parent vault created");
    let trust = trust_dir(&sb);
    for (path, want) in [
        (trust.clone(), 0o700),
        (trust.join("allow"), 0o700),
        (trust.join("key"), 0o600),
        (trust.join("allow").join(record_name(&file)), 0o600),
    ] {
        assert_eq!(mode(&path), want, "{}", path.display());
    }
}

/// A second user who can write the victim's trust folder (left 0777 by an old umask) plants
/// allow records for a `no_session` project the victim never allowed: the old unkeyed hash,
/// and a record made by vault itself under the forger's own key, with that key planted next to
/// it. The victim's shell activates nothing, and says why; `vault allow` refuses the planted key.
#[test]
fn another_user_cannot_forge_an_allowance() {
    if !is_root() {
        eprintln!("skipped: needs root to act as a second user (uid {OTHER_UID})");
        return;
    }
    let sb = Sandbox::new();
    sb.write_config("[profile will]\n");
    sb.add("will");
    let content = "profile = \"will\"\nno_session = true\n";
    let file = project(&sb, "repo", content);
    let folder = file.parent().unwrap().to_path_buf();
    open_to_everyone(&sb);
    let record = trust_dir(&sb).join("allow").join(record_name(&file));

    // The forger's material, made where the victim's files cannot be touched.
    let forge = sb.path("forge");
    std::fs::create_dir(&forge).unwrap();
    chmod(&forge, 0o755);
    let mut legacy = Sha256::new();
    legacy.update(file.as_os_str().as_encoded_bytes());
    legacy.update([0]);
    legacy.update(content.as_bytes());
    std::fs::write(forge.join("legacy"), hex::encode(legacy.finalize())).unwrap();
    let plant = |script: &str| {
        let out = as_other_user(&sb, script);
        assert_success(&out);
    };
    let q = |p: &Path| format!("'{}'", p.display());
    plant(&format!("cp {} {}", q(&forge.join("legacy")), q(&record)));
    let out = prompt(&sb, &folder);
    assert!(
        !activated(&out),
        "an unkeyed record activated: {}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("vault allow"), "{}", stderr(&out));

    let mut own = sb.vault(&["allow", "--allow-no-session", file.to_str().unwrap()]);
    own.env("XDG_DATA_HOME", forge.join("data"));
    assert_success(&run_bounded(&mut own, LIMIT));
    let own_trust = forge.join("data/vault/trust");
    let own_record = own_trust.join("allow").join(record_name(&file));
    for path in [&own_trust.join("key"), &own_record] {
        chmod(path, 0o644);
    }
    for dir in [
        forge.join("data"),
        forge.join("data/vault"),
        own_trust.clone(),
    ] {
        chmod(&dir, 0o755);
    }
    chmod(&own_trust.join("allow"), 0o755);

    let key = trust_dir(&sb).join("key");
    plant(&format!(
        "rm -f {rec}; cp {own_rec} {rec}; cp {own_key} {key}; chmod 600 {key}",
        rec = q(&record),
        own_rec = q(&own_record),
        own_key = q(&own_trust.join("key")),
        key = q(&key),
    ));
    assert_eq!(mode(&key), 0o600);
    let out = prompt(&sb, &folder);
    assert!(
        !activated(&out),
        "a record under a planted key activated: {}",
        stdout(&out)
    );

    // The victim's own `vault allow` does not adopt the planted key either.
    let other = project(&sb, "other", "profile = \"will\"\n");
    let out = run_bounded(&mut sb.vault(&["allow", other.to_str().unwrap()]), LIMIT);
    assert_one_line_error(&out, &["key", "remove it"]);
}

/// Links planted where `vault allow` writes (the temporary name older versions used, the
/// record itself, the key) are never followed: the file they point at is untouched.
#[test]
fn links_planted_in_the_trust_folder_are_never_followed() {
    let sb = Sandbox::new();
    let file = project(&sb, "repo", "profile = \"will\"\n");
    let trust = trust_dir(&sb);
    std::fs::create_dir_all(trust.join("allow")).unwrap();
    let precious = sb.path("precious");
    std::fs::write(&precious, "keep\n").unwrap();
    let name = record_name(&file);
    let link = |at: PathBuf| std::os::unix::fs::symlink(&precious, at).unwrap();
    link(trust.join("key"));
    let out = run_bounded(&mut sb.vault(&["allow", file.to_str().unwrap()]), LIMIT);
    assert_one_line_error(&out, &["key", "remove it"]);
    std::fs::remove_file(trust.join("key")).unwrap();
    link(trust.join("allow").join(format!(".{name}.tmp")));
    link(trust.join("allow").join(&name));
    let out = run_bounded(&mut sb.vault(&["allow", file.to_str().unwrap()]), LIMIT);
    assert_success(&out);
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep\n");
    let record = trust.join("allow").join(&name);
    assert!(std::fs::symlink_metadata(&record).unwrap().is_file());
    assert!(
        std::fs::symlink_metadata(trust.join("allow").join(format!(".{name}.tmp")))
            .unwrap()
            .is_symlink(),
        "the planted link was left alone"
    );
}

/// `vault allow` names every setting; `no_session` from a project file is refused without a
/// terminal unless `--allow-no-session` says yes, and only then do long-term keys reach the shell.
#[test]
fn no_session_needs_an_explicit_yes() {
    let sb = Sandbox::new();
    sb.write_config("[profile prod]\n");
    sb.add("prod");
    let file = project(
        &sb,
        "repo",
        "profile = \"prod\"\nregion = \"eu-west-1\"\nduration = \"2h\"\nno_session = true\n",
    );
    let folder = file.parent().unwrap().to_path_buf();
    let path = file.to_str().unwrap();
    let out = run_bounded(detached(&mut sb.vault(&["allow", path])), LIMIT);
    assert_one_line_error(&out, &["no_session", "--allow-no-session"]);
    let out = prompt(&sb, &folder);
    assert!(!activated(&out), "refused, yet activated");
    assert!(stderr(&out).contains("not allowed yet"), "{}", stderr(&out));

    let out = run_bounded(
        detached(&mut sb.vault(&["allow", "--allow-no-session", path])),
        LIMIT,
    );
    assert_success(&out);
    let said = stderr(&out);
    for needle in [
        "profile 'prod'",
        "region 'eu-west-1'",
        "duration 2h",
        "no_session",
    ] {
        assert!(said.contains(needle), "{needle} not shown: {said}");
    }
    let out = prompt(&sb, &folder);
    assert!(stdout(&out).contains(ACCESS_KEY), "{}", stdout(&out));
}
