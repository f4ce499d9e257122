//! The commands a user types, with bad input, and the AWS CLI as a real client of what we
//! export. Runs against the file store and moto's STS server.

mod support;

use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(60);

fn run(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    run_bounded(&mut sb.vault(args), LIMIT)
}

#[test]
fn add_stores_keys_and_appends_profile_without_disturbing_config() {
    let sb = Sandbox::new();
    let original = "# work accounts\n[profile shop]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 10\n";
    sb.write_config(original);
    sb.add("will");
    let config = std::fs::read_to_string(sb.config_path()).unwrap();
    assert_eq!(config, format!("{original}\n[profile will]\n"));
    let list = stdout(&run(&sb, &["list"]));
    assert!(list.contains("Store: file ("), "{list}");
    let will = list.lines().find(|l| l.starts_with("will")).unwrap();
    assert!(will.contains("stored"), "{list}");
    let shop = list.lines().find(|l| l.starts_with("shop")).unwrap();
    assert!(!shop.contains("stored"), "{list}");
    assert_eq!(stdout(&run(&sb, &["list", "--credentials"])), "will\n");
    assert_eq!(stdout(&run(&sb, &["list", "--profiles"])), "shop\nwill\n");
}

#[test]
fn keys_never_reach_disk_in_plain_text() {
    let sb = Sandbox::new();
    sb.add("will");
    assert_success(&run(&sb, &["export", "will"]));
    let files = walk(sb.dir.path());
    let keys_file = format!("{}.enc", hex::encode("keys:will"));
    assert!(
        files.iter().any(|f| f.ends_with(&keys_file)),
        "the scan must see the stored keys: {files:?}"
    );
    for entry in files {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(SECRET_KEY) && !text.contains(ACCESS_KEY),
            "secret in {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.is_file() {
            files.push(path);
        }
    }
    files
}

#[test]
fn add_refuses_to_replace_keys_without_force() {
    let sb = Sandbox::new();
    sb.add("will");
    let out = sb
        .vault(&["add", "will", "--env"])
        .env("AWS_ACCESS_KEY_ID", "AKIAOTHER")
        .env("AWS_SECRET_ACCESS_KEY", "other")
        .output()
        .unwrap();
    assert_one_line_error(&out, &["already stored", "--force"]);
    let env = env_map(&stdout(&run(
        &sb,
        &["exec", "will", "--no-session", "--", "env"],
    )));
    assert_eq!(
        env["AWS_ACCESS_KEY_ID"], ACCESS_KEY,
        "the old keys are intact"
    );
    let out = sb
        .vault(&["add", "will", "--env", "--force"])
        .env("AWS_ACCESS_KEY_ID", "AKIAOTHER")
        .env("AWS_SECRET_ACCESS_KEY", "other")
        .output()
        .unwrap();
    assert_success(&out);
    let env = env_map(&stdout(&run(
        &sb,
        &["exec", "will", "--no-session", "--", "env"],
    )));
    assert_eq!(env["AWS_ACCESS_KEY_ID"], "AKIAOTHER");
}

#[test]
fn add_with_empty_keys_stores_nothing() {
    let sb = Sandbox::new();
    for (id, secret, needle) in [
        ("", "s", "AWS_ACCESS_KEY_ID"),
        ("AKIAX", "", "AWS_SECRET_ACCESS_KEY"),
        ("AKIA X", "s", "spaces"),
    ] {
        let out = sb
            .vault(&["add", "will", "--env"])
            .env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .output()
            .unwrap();
        assert_one_line_error(&out, &[needle, "nothing stored"]);
    }
    assert_eq!(stdout(&run(&sb, &["list", "--credentials"])), "");
    assert!(!sb.config_path().exists(), "config untouched");
}

#[test]
fn add_without_terminal_says_how_to_pass_keys() {
    let sb = Sandbox::new();
    let mut cmd = sb.vault(&["add", "will"]);
    let out = run_bounded(no_tty(&mut cmd), LIMIT);
    assert_one_line_error(&out, &["--env"]);
}

/// The same command with no controlling terminal (as in CI).
fn no_tty(cmd: &mut std::process::Command) -> &mut std::process::Command {
    *cmd = without_terminal(cmd);
    cmd
}

#[test]
fn remove_asks_unless_forced_and_deletes_sessions() {
    let sb = Sandbox::new();
    sb.add("will");
    assert_success(&run(&sb, &["export", "will"]));
    let mut cmd = sb.vault(&["remove", "will"]);
    let out = run_bounded(no_tty(&mut cmd), LIMIT);
    assert_one_line_error(&out, &["-f"]);
    assert_eq!(
        stdout(&run(&sb, &["list", "--credentials"])),
        "will\n",
        "nothing removed"
    );
    assert_success(&run(&sb, &["remove", "-f", "will"]));
    let list = stdout(&run(&sb, &["list"]));
    let line = list.lines().find(|l| l.starts_with("will")).unwrap();
    assert!(
        !line.contains("stored") && !line.contains("session"),
        "{list}"
    );
    assert_one_line_error(
        &run(&sb, &["remove", "-f", "will"]),
        &["no keys stored for profile 'will'"],
    );
}

#[test]
fn clear_without_name_drops_every_session() {
    let sb = Sandbox::new();
    sb.write_config("[profile a]\n[profile b]\n");
    sb.add("a");
    sb.add("b");
    assert_success(&run(&sb, &["export", "a"]));
    assert_success(&run(&sb, &["export", "b"]));
    let out = run(&sb, &["clear"]);
    assert!(
        stderr(&out).contains("Cleared 2 cached sessions"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&run(&sb, &["list"])).contains("left"));
}

#[test]
fn malformed_config_is_one_line_naming_file_and_line() {
    let sb = Sandbox::new();
    sb.write_config("[profile ok]\nregion = x\nnot an ini line\n");
    let out = run(&sb, &["list"]);
    let path = sb.config_path().display().to_string();
    assert_one_line_error(&out, &[&path, "line 3"]);
    let out = sb
        .vault(&["add", "will", "--env"])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .output()
        .unwrap();
    assert_one_line_error(&out, &[&path]);
}

#[test]
fn unknown_profile_and_loop_and_missing_keys_are_clear() {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n\
         [profile lonely]\nregion = eu-west-1\n",
    );
    assert_one_line_error(
        &run(&sb, &["exec", "ghost", "--", "true"]),
        &["profile 'ghost' not found"],
    );
    assert_one_line_error(
        &run(&sb, &["exec", "a", "--", "true"]),
        &["loop", "a -> b -> a"],
    );
    assert_one_line_error(&run(&sb, &["export", "lonely"]), &["vault add lonely"]);
}

#[test]
fn wrong_file_passphrase_is_refused_and_nothing_is_overwritten() {
    let sb = Sandbox::new();
    sb.add("will");
    let out = sb
        .vault(&["list"])
        .env("VAULT_FILE_PASSPHRASE", "wrong")
        .output()
        .unwrap();
    assert_one_line_error(&out, &["wrong passphrase"]);
    let out = sb
        .vault(&["add", "other", "--env"])
        .env("VAULT_FILE_PASSPHRASE", "wrong")
        .env("AWS_ACCESS_KEY_ID", "AKIAOTHER")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .output()
        .unwrap();
    assert_one_line_error(&out, &["wrong passphrase"]);
    assert_eq!(stdout(&run(&sb, &["list", "--credentials"])), "will\n");
}

#[test]
fn a_remembered_unlock_serves_exec_until_vault_lock() {
    let sb = Sandbox::new();
    sb.add("will");
    let remembering = |args: &[&str], passphrase: &str| {
        sb.vault(args)
            .env("VAULT_FILE_UNLOCK_TTL", "1m")
            .env("VAULT_FILE_PASSPHRASE", passphrase)
            .output()
            .unwrap()
    };
    // The first command derives the key from the passphrase and remembers it; the next one
    // needs no passphrase at all, so a wrong one goes unread.
    assert_success(&remembering(&["list"], PASSPHRASE));
    let out = remembering(
        &["exec", "will", "--", "sh", "-c", "echo $AWS_VAULT"],
        "wrong",
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "will\n");

    // `lock` acts on the file store whatever store is chosen.
    let out = run(&sb, &["--backend", "keyutils", "lock"]);
    assert_success(&out);
    assert!(
        stderr(&out).starts_with("Locked the file store in "),
        "{}",
        stderr(&out)
    );
    assert_one_line_error(
        &remembering(&["exec", "will", "--", "true"], "wrong"),
        &["wrong passphrase"],
    );
    let out = run(&sb, &["lock"]);
    assert!(
        stderr(&out).contains("was not unlocked"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lock_without_a_file_store_creates_nothing() {
    let sb = Sandbox::new();
    let dir = sb.path("no-store");
    let out = sb
        .vault(&["lock"])
        .env("VAULT_FILE_DIR", &dir)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("There is no file store in"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.exists());
}

#[test]
fn a_bad_unlock_ttl_is_a_one_line_error() {
    let sb = Sandbox::new();
    let out = sb
        .vault(&["list"])
        .env("VAULT_FILE_UNLOCK_TTL", "a while")
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &["VAULT_FILE_UNLOCK_TTL", "'a while' is not a duration"],
    );
}

#[test]
fn aws_vault_passphrase_variable_is_a_fallback() {
    let sb = Sandbox::new();
    sb.add("will");
    let out = sb
        .vault(&["list", "--credentials"])
        .env_remove("VAULT_FILE_PASSPHRASE")
        .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
        .env_remove("VAULT_BACKEND")
        .env("AWS_VAULT_BACKEND", "file")
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), "will\n");
}

#[test]
fn unknown_backend_lists_the_supported_ones() {
    let sb = Sandbox::new();
    let out = sb
        .vault(&["list"])
        .env("VAULT_BACKEND", "kwallet")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        !out.status.success() && err.contains("kwallet") && err.contains("file"),
        "{err}"
    );
}

#[test]
fn aws_cli_runs_under_exec() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = us-east-1\n");
    sb.add("will");
    let out = run(
        &sb,
        &[
            "exec",
            "will",
            "--",
            "aws",
            "sts",
            "get-caller-identity",
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    let identity: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        identity["Arn"].as_str().unwrap().starts_with("arn:aws:"),
        "{identity}"
    );
}

#[test]
fn aws_cli_uses_vault_as_credential_process() {
    let sb = Sandbox::new();
    let vault = env!("CARGO_BIN_EXE_vault");
    sb.write_config(&format!(
        "[profile will]\nregion = us-east-1\n\
         [profile via-vault]\nregion = us-east-1\ncredential_process = {vault} export --format json will\n"
    ));
    sb.add("will");
    let out = run_bounded(
        sb.command("aws").args([
            "sts",
            "get-caller-identity",
            "--profile",
            "via-vault",
            "--output",
            "json",
        ]),
        LIMIT,
    );
    assert_success(&out);
    let identity: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(identity["Account"].is_string(), "{identity}");
    // vault itself also accepts credential_process as a source. The inner vault does not get
    // the passphrase (no child of vault does): it opens the store with the remembered unlock,
    // as a user's does by default.
    let mut unlock = sb.vault(&["export", "will"]);
    assert_success(&run_bounded(
        unlock.env("VAULT_FILE_UNLOCK_TTL", "1m"),
        LIMIT,
    ));
    let mut exec = sb.vault(&["exec", "via-vault", "--", "env"]);
    exec.env("VAULT_FILE_UNLOCK_TTL", "1m");
    let out = run_bounded(&mut exec, LIMIT);
    let _ = sb.vault(&["lock"]).output();
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "via-vault");
    assert!(!env["AWS_SESSION_TOKEN"].is_empty());
}

#[test]
fn exec_works_inside_a_shell_the_hook_activated() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\n[profile other]\n");
    sb.add("will");
    sb.add("other");
    let project = sb.home().join("proj");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join(".awsvault"), "profile = \"will\"\n").unwrap();
    assert_success(&run(&sb, &["allow", project.to_str().unwrap()]));
    let vault = env!("CARGO_BIN_EXE_vault");
    let script = format!(
        "eval \"$('{vault}' hook bash)\"; cd '{}'; __vault_hook; echo \"shell=$AWS_VAULT\"; \
         vault exec other -- sh -c 'echo \"child=$AWS_VAULT state=${{__VAULT_STATE-none}}\"'",
        project.display()
    );
    let out = run_bounded(sb.command("bash").args(["--norc", "-c", &script]), LIMIT);
    assert_success(&out);
    assert_eq!(stdout(&out), "shell=will\nchild=other state=none\n");
}

/// The recently-used list (the picker's order) is rewritten only when the order changes:
/// using the same profile again, as a `credential_process` does at every `aws` call, writes
/// nothing.
#[test]
fn using_the_same_profile_again_leaves_the_recent_list_alone() {
    use std::os::unix::fs::MetadataExt;
    let sb = Sandbox::new();
    sb.write_config("[profile will]\n[profile ops]\n");
    sb.add("will");
    sb.add("ops");
    let state = sb.path("state");
    let export = |profile: &str| {
        let out = sb
            .vault(&["export", profile, "--no-session"])
            .env("XDG_STATE_HOME", &state)
            .output()
            .unwrap();
        assert_success(&out);
    };
    let recent = state.join("vault/recent");
    export("will");
    let first = std::fs::metadata(&recent).unwrap();
    export("will");
    let again = std::fs::metadata(&recent).unwrap();
    assert_eq!(
        (first.ino(), first.mtime_nsec()),
        (again.ino(), again.mtime_nsec()),
        "rewritten"
    );
    export("ops");
    assert_eq!(std::fs::read_to_string(&recent).unwrap(), "ops\nwill\n");
    assert_ne!(std::fs::metadata(&recent).unwrap().ino(), first.ino());
}
