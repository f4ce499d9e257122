//! `vault doctor` through the real binary, and through the glue in real bash, zsh, fish and
//! nushell (scripted: the checks read the shell's state, nothing is typed).

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::{Moto, SECRET_KEY, Sandbox, run_bounded, stdout};

const LIMIT: Duration = Duration::from_secs(120);

fn doctor(sandbox: &Sandbox, extra: &[&str]) -> Command {
    let mut args = vec!["doctor"];
    args.extend(extra);
    let mut cmd = sandbox.vault(&args);
    cmd.env("LANG", "C.UTF-8");
    cmd
}

/// The line of check `name`, failing when there is none.
fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(&format!(" {name}: ")))
        .unwrap_or_else(|| panic!("no '{name}' line in:\n{out}"))
}

fn run(cmd: &mut Command) -> (Output, String) {
    let out = run_bounded(cmd, LIMIT);
    let text = stdout(&out);
    (out, text)
}

fn healthy(sandbox: &Sandbox) {
    sandbox.write_config("[profile work]\nregion = eu-west-1\n");
}

#[test]
fn a_healthy_setup_has_only_ticks_but_for_the_hook() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    sandbox.add("work");
    let (out, text) = run(doctor(&sandbox, &[]).env("AWS_PROFILE", "work"));
    assert!(
        line(&text, "store").starts_with("✔ store: file ("),
        "{text}"
    );
    assert!(
        line(&text, "config").contains("parses (1 profile(s))"),
        "{text}"
    );
    assert!(
        line(&text, "clock").starts_with("✔ clock: within"),
        "{text}"
    );
    assert!(line(&text, "clock").contains(&Moto::shared().url), "{text}");
    assert!(line(&text, "AWS_PROFILE").starts_with("✔"), "{text}");
    // Run without the glue's function: the hook is not loaded here, and that fails.
    let hook = line(&text, "shell hook");
    assert!(hook.starts_with("✗ shell hook: not loaded"), "{text}");
    assert!(
        hook.contains(r#"fix: add `eval "$(vault hook bash)"` to ~/.bashrc"#),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{text}{}", support::stderr(&out));
    assert!(!all.contains(SECRET_KEY), "{all}");
    assert_eq!(text.lines().count(), 5, "one line per check:\n{text}");
}

#[test]
fn ascii_output_when_asked_or_when_the_locale_is_not_utf8() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    let (_, text) = run(&mut doctor(&sandbox, &["--ascii"]));
    assert!(line(&text, "store").starts_with("ok store:"), "{text}");
    assert!(
        line(&text, "shell hook").starts_with("FAIL shell hook:"),
        "{text}"
    );
    assert!(line(&text, "shell hook").contains(" -- fix: "), "{text}");
    assert!(text.is_ascii() || !text.contains('✔'), "{text}");
    let (_, text) = run(doctor(&sandbox, &[]).env("LANG", "C"));
    assert!(!text.contains('✔') && !text.contains('✗'), "{text}");
    assert!(line(&text, "store").starts_with("ok "), "{text}");
}

#[test]
fn a_broken_config_names_its_line_and_a_stale_profile_is_named() {
    let sandbox = Sandbox::new();
    sandbox.write_config("[profile work]\nregion = eu-west-1\nthis is not a setting\n");
    let (out, text) = run(doctor(&sandbox, &[]).env("AWS_PROFILE", "gone"));
    assert_eq!(out.status.code(), Some(1));
    let config = line(&text, "config");
    assert!(config.starts_with("✗ config:"), "{text}");
    assert!(config.contains("line 3"), "{text}");

    sandbox.write_config("[profile work]\n");
    let (_, text) = run(doctor(&sandbox, &[]).env("AWS_PROFILE", "gone"));
    let profile = line(&text, "AWS_PROFILE");
    assert!(
        profile.starts_with("✗ AWS_PROFILE: 'gone' names no profile"),
        "{text}"
    );
    assert!(profile.contains("fix: unset AWS_PROFILE"), "{text}");

    std::fs::remove_file(sandbox.config_path()).unwrap();
    let (_, text) = run(&mut doctor(&sandbox, &[]));
    assert!(line(&text, "config").contains("does not exist"), "{text}");
}

#[test]
fn a_store_that_cannot_open_is_a_cross() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    let blocker = sandbox.path("a-file");
    std::fs::write(&blocker, "").unwrap();
    let (out, text) = run(doctor(&sandbox, &[]).env("VAULT_FILE_DIR", blocker.join("keys")));
    assert_eq!(out.status.code(), Some(1));
    assert!(line(&text, "store").starts_with("✗ store:"), "{text}");
    assert!(line(&text, "store").contains("fix:"), "{text}");
}

/// A loopback server answering every request with `response`, or (None) never answering.
fn fake_sts(response: Option<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = vec![];
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            match &response {
                Some(text) => {
                    let _ = stream.write_all(text.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    url
}

#[test]
fn clock_skew_is_measured_against_the_sts_date() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    let late = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc2822();
    let late = late.replace("+0000", "GMT");
    let url = fake_sts(Some(format!(
        "HTTP/1.1 403 Forbidden\r\nDate: {late}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )));
    let (out, text) = run(doctor(&sandbox, &[]).env("AWS_ENDPOINT_URL", &url));
    assert_eq!(out.status.code(), Some(1));
    let clock = line(&text, "clock");
    assert!(
        clock.starts_with("✗ clock: this machine's clock is 2h00m ahead of STS's"),
        "{text}"
    );
    assert!(
        clock.contains("fix: turn on time synchronisation"),
        "{text}"
    );
}

#[test]
fn offline_or_silent_sts_is_a_cross_with_the_reason_not_a_hang() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    let (_, text) = run(doctor(&sandbox, &[]).env("AWS_ENDPOINT_URL", "http://127.0.0.1:1"));
    let clock = line(&text, "clock");
    assert!(
        clock.starts_with("✗ clock: cannot reach STS at http://127.0.0.1:1"),
        "{text}"
    );
    assert!(clock.contains("refused"), "{text}");

    let silent = fake_sts(None);
    let (_, text) = run(doctor(&sandbox, &[]).env("AWS_ENDPOINT_URL", &silent));
    assert!(
        line(&text, "clock").contains("no answer within 5s"),
        "{text}"
    );
}

/// `script` in `shell` (`-c`), with the sandbox's environment and the built vault on PATH.
fn in_shell(sandbox: &Sandbox, shell: &str, script: &str) -> String {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_vault")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let mut cmd = sandbox.command(shell);
    cmd.env("PATH", path)
        .env("LANG", "C.UTF-8")
        .arg("-c")
        .arg(script);
    let out = run_bounded(&mut cmd, LIMIT);
    stdout(&out)
}

fn vault() -> &'static str {
    env!("CARGO_BIN_EXE_vault")
}

#[test]
fn the_hook_is_seen_in_bash_and_must_run_first() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    let load = format!(r#"eval "$('{}' hook bash)""#, vault());
    let text = in_shell(
        &sandbox,
        "bash",
        &format!("{load}; __vault_hook; vault doctor"),
    );
    assert!(
        line(&text, "shell hook")
            .starts_with("✔ shell hook: loaded in this bash shell, first in PROMPT_COMMAND"),
        "{text}"
    );
    assert!(line(&text, "vault binary").contains(vault()), "{text}");

    // Another prompt command put in front of vault's after the glue loaded.
    let text = in_shell(
        &sandbox,
        "bash",
        &format!(
            r#"{load}; PROMPT_COMMAND="_direnv_hook;$PROMPT_COMMAND"; __vault_hook; vault doctor"#
        ),
    );
    let hook = line(&text, "shell hook");
    assert!(
        hook.contains("`_direnv_hook` runs before vault's hook"),
        "{text}"
    );
    // bash 5.1's array form.
    let text = in_shell(
        &sandbox,
        "bash",
        &format!(
            r#"PROMPT_COMMAND=(); {load}; PROMPT_COMMAND=(starship "${{PROMPT_COMMAND[@]}}"); __vault_hook; vault doctor"#
        ),
    );
    assert!(
        line(&text, "shell hook").contains("`starship` runs before"),
        "{text}"
    );

    // Loaded, but the prompt never ran the hook (something replaced PROMPT_COMMAND).
    let text = in_shell(
        &sandbox,
        "bash",
        &format!("{load}; PROMPT_COMMAND=; vault doctor"),
    );
    assert!(
        line(&text, "shell hook").contains("not in PROMPT_COMMAND"),
        "{text}"
    );
    let text = in_shell(&sandbox, "bash", &format!("{load}; vault doctor"));
    assert!(
        line(&text, "shell hook").contains("has not run at a prompt yet"),
        "{text}"
    );
}

#[test]
fn the_hook_is_seen_in_zsh_fish_and_nu() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    let text = in_shell(
        &sandbox,
        "zsh",
        &format!(
            r#"eval "$('{}' hook zsh)"; __vault_hook; vault doctor"#,
            vault()
        ),
    );
    assert!(
        line(&text, "shell hook").contains("loaded in this zsh shell, first in precmd_functions"),
        "{text}"
    );
    let text = in_shell(
        &sandbox,
        "zsh",
        &format!(
            r#"eval "$('{}' hook zsh)"; precmd_functions=(p10k_precmd $precmd_functions); __vault_hook; vault doctor"#,
            vault()
        ),
    );
    assert!(
        line(&text, "shell hook").contains("`p10k_precmd` runs before"),
        "{text}"
    );

    let text = in_shell(
        &sandbox,
        "fish",
        &format!(
            "'{}' hook fish | source; __vault_hook; vault doctor",
            vault()
        ),
    );
    assert!(
        line(&text, "shell hook").starts_with("✔ shell hook: loaded in this fish shell"),
        "{text}"
    );

    let glue = sandbox.path("vault.nu");
    let made = sandbox.vault(&["hook", "nu"]).output().unwrap();
    std::fs::write(&glue, made.stdout).unwrap();
    let text = in_shell(
        &sandbox,
        "nu",
        &format!("source '{}'; __vault_hook; vault doctor", glue.display()),
    );
    assert!(
        line(&text, "shell hook").starts_with("✔ shell hook: loaded in this nu shell"),
        "{text}"
    );
}

#[test]
fn a_glue_whose_binary_is_gone_is_named() {
    let sandbox = Sandbox::new();
    healthy(&sandbox);
    // A copy of vault that the glue embeds, deleted afterwards (an upgrade moved it).
    let old: PathBuf = sandbox.path("old/vault");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    std::fs::copy(vault(), &old).unwrap();
    for (shell, load) in [
        (
            "bash",
            format!(r#"eval "$('{}' hook bash)""#, old.display()),
        ),
        ("zsh", format!(r#"eval "$('{}' hook zsh)""#, old.display())),
        ("fish", format!("'{}' hook fish | source", old.display())),
    ] {
        let text = in_shell(
            &sandbox,
            shell,
            &format!(
                "{load}; rm -f '{}'; vault doctor; cp '{}' '{}'",
                old.display(),
                vault(),
                old.display()
            ),
        );
        let binary = line(&text, "vault binary");
        assert!(
            binary.starts_with("✗ vault binary: the glue runs"),
            "{shell}: {text}"
        );
        assert!(binary.contains("which no longer exists"), "{shell}: {text}");
        assert!(binary.contains("fix: open a new shell"), "{shell}: {text}");
    }
}
