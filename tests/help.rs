//! What `--help` shows, through the real binary: an "Examples:" block for every command, each
//! shell's set-up line under `vault hook --help` (the same lines as README's table), `--backend`
//! and `--debug` only on the commands they change (and still before any command), one meaning
//! per short flag, and the committed man pages (man/) are what the binary writes.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use clap::CommandFactory;
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

fn vault(args: &[&str]) -> std::process::Output {
    run_bounded(Command::new(vault_bin()).args(args), LIMIT)
}

/// `vault ARGS --help`'s text, which must succeed.
fn help(args: &[&str], flag: &str) -> String {
    let mut all = args.to_vec();
    all.push(flag);
    let out = vault(&all);
    assert_success(&out);
    stdout(&out)
}

/// The definition the binary parses with, built (so propagated flags are in place).
fn definition() -> clap::Command {
    let mut cmd = vault::cli::Cli::command();
    cmd.build();
    cmd
}

/// Every command a user can see, as the words that name it (`["exec"]`, `["sso", "populate"]`),
/// at any depth (`help` is clap's own and shows the others' help).
fn visible_commands() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            if sub.is_hide_set() || sub.get_name() == "help" {
                continue;
            }
            let mut here = path.to_vec();
            here.push(sub.get_name().to_string());
            out.push(here.clone());
            walk(sub, &here, out);
        }
    }
    let mut out = vec![];
    walk(&definition(), &[], &mut out);
    out
}

#[test]
fn the_definition_passes_clap_s_own_checks() {
    vault::cli::Cli::command().debug_assert();
}

#[test]
fn every_command_s_help_ends_with_examples() {
    let commands = visible_commands();
    assert!(commands.len() >= 18, "{commands:?}");
    let mut missing = vec![];
    for path in std::iter::once(vec![]).chain(commands) {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let name = path.join(" ");
        for flag in ["--help", "-h"] {
            let text = help(&args, flag);
            // A heading of its own line, then at least one indented `vault ...` line.
            let examples = text.split("\nExamples:\n").nth(1);
            let has_line = examples.is_some_and(|e| {
                e.lines()
                    .take_while(|l| l.starts_with("  "))
                    .any(|l| l.trim_start().starts_with("vault ") || l.contains(" vault "))
            });
            if !has_line {
                missing.push(format!("vault {name} {flag}"));
            }
            // clap wraps after_help at the terminal's width, which would break a command line
            // in two: every line of it fits in 80 columns.
            let after = text.split("\nExamples:\n").nth(1).unwrap_or_default();
            let setup = text.split("\nSet-up:\n").nth(1).unwrap_or_default();
            for line in after.lines().chain(setup.lines()) {
                assert!(
                    line.chars().count() <= 80,
                    "vault {name}: a line over 80 columns: {line}"
                );
            }
        }
    }
    assert!(missing.is_empty(), "no Examples block: {missing:?}");
}

/// README's "Shell set-up" table: (shell, line) for each row whose line is code.
fn readme_setup_lines() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Shell set-up\n")
        .nth(1)
        .expect("README has a Shell set-up section");
    let section = section.split("\n## ").next().unwrap();
    let mut rows = vec![];
    for row in section.lines().filter(|l| l.starts_with("| ")) {
        // Markdown escapes `|` inside a cell as `\|`.
        let cells: Vec<String> = row
            .replace("\\|", "\u{0}")
            .split('|')
            .map(|c| c.trim().replace('\u{0}', "|"))
            .collect();
        let (shell, line) = (&cells[1], &cells[3]);
        if let Some(code) = line.strip_prefix('`').and_then(|l| l.strip_suffix('`')) {
            rows.push((shell.clone(), code.to_string()));
        }
    }
    rows
}

#[test]
fn hook_help_shows_the_set_up_line_for_each_shell() {
    let text = help(&["hook"], "--help");
    let setup = text
        .split("\nSet-up:\n")
        .nth(1)
        .expect("a Set-up block in vault hook --help");
    let rows = readme_setup_lines();
    assert!(rows.len() >= 4, "README's table: {rows:?}");
    for (shell, line) in &rows {
        assert!(
            setup.lines().any(|l| l.trim() == line),
            "{shell}: README's line `{line}` is not in vault hook --help:\n{setup}"
        );
    }
    // nushell's two steps (README points to docs/shells.md for them) and all five shells.
    let shells =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/shells.md"))
            .unwrap();
    for line in [
        "vault hook nu | save -f ($nu.default-config-dir | path join vault.nu)",
        "source ($nu.default-config-dir | path join vault.nu)",
    ] {
        assert!(
            shells.contains(line),
            "docs/shells.md no longer says `{line}`"
        );
        assert!(setup.contains(line), "`{line}` missing:\n{setup}");
    }
    for shell in ["bash", "zsh", "fish", "nu", "pwsh"] {
        assert!(
            setup.contains(&format!("vault hook {shell}")),
            "{shell} missing:\n{setup}"
        );
    }
}

/// The commands that open a store take `--backend` after their name; the rest take neither it
/// nor `--debug` there, and their help does not offer them.
#[test]
fn store_flags_are_offered_only_where_they_apply() {
    let with_store = [
        "sso populate",
        "add",
        "list",
        "remove",
        "clear",
        "exec",
        "export",
        "login",
        "rotate",
        "import-aws-vault",
        "import-credentials",
        "doctor",
        "use",
        "reload",
    ];
    let debug_only = ["lock", "allow"];
    let neither = ["hook", "unuse", "deny", "prompt", "completions", "sso"];
    let names: Vec<String> = visible_commands().iter().map(|p| p.join(" ")).collect();
    for name in &names {
        let known = with_store.contains(&name.as_str())
            || debug_only.contains(&name.as_str())
            || neither.contains(&name.as_str());
        assert!(
            known,
            "say whether `vault {name}` takes --backend and --debug here"
        );
    }
    let words = |name: &'static str| name.split(' ').collect::<Vec<_>>();
    for name in with_store {
        let text = help(&words(name), "--help");
        assert!(text.contains("--backend <STORE>"), "{name}:\n{text}");
        assert!(text.contains("--debug"), "{name}:\n{text}");
    }
    for name in debug_only {
        let text = help(&words(name), "--help");
        assert!(!text.contains("--backend"), "{name}:\n{text}");
        assert!(text.contains("--debug"), "{name}:\n{text}");
    }
    for name in neither {
        let text = help(&words(name), "--help");
        assert!(!text.contains("--backend"), "{name}:\n{text}");
        assert!(!text.contains("--debug"), "{name}:\n{text}");
    }
    // After a name that takes neither, they are a usage error...
    for args in [
        &["hook", "bash", "--backend", "file"][..],
        &["completions", "bash", "--debug"],
        &["prompt", "--debug"],
    ] {
        let out = vault(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    // ...and before any command they are accepted, as they always were.
    for args in [
        &["--backend", "file", "hook", "bash"][..],
        &["--debug", "completions", "bash"],
        &["--debug", "--backend", "keyutils", "prompt"],
    ] {
        assert_success(&vault(args));
    }
}

/// `vault --backend STORE list` and `vault list --backend STORE` choose the same store; after
/// the name wins. The same for `--debug`.
#[test]
fn store_flags_work_before_and_after_the_command_name() {
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    let store_line = |args: &[&str]| {
        let out = run_bounded(&mut sb.vault(args), LIMIT);
        assert_success(&out);
        stdout(&out).lines().next().unwrap_or_default().to_string()
    };
    // The sandbox's VAULT_BACKEND is `file`.
    assert!(store_line(&["list"]).starts_with("Store: file"));
    for args in [
        &["--backend", "keyutils", "list"][..],
        &["list", "--backend", "keyutils"],
        &["--backend", "file", "list", "--backend", "keyutils"],
    ] {
        assert!(
            store_line(args).starts_with("Store: keyutils"),
            "{args:?}: {}",
            store_line(args)
        );
    }
    for args in [&["--debug", "list"][..], &["list", "--debug"]] {
        let out = run_bounded(&mut sb.vault(args), LIMIT);
        assert_success(&out);
        assert!(
            stderr(&out).contains("store: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    assert!(!stderr(&out).contains("store: "), "{}", stderr(&out));
}

/// Each short flag stands for one long flag across all commands (`-f` is `--force`).
#[test]
fn no_short_flag_has_two_meanings() {
    fn walk(cmd: &clap::Command, path: &str, seen: &mut BTreeMap<char, BTreeSet<String>>) {
        for arg in cmd.get_arguments() {
            let meaning = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .unwrap_or_else(|| arg.get_id().to_string());
            for short in arg.get_short_and_visible_aliases().into_iter().flatten() {
                seen.entry(short)
                    .or_default()
                    .insert(format!("{meaning} ({path})"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), seen);
        }
    }
    let mut seen = BTreeMap::new();
    walk(&definition(), "vault", &mut seen);
    let mut clashes = vec![];
    for (short, uses) in &seen {
        let longs: BTreeSet<&str> = uses.iter().map(|u| u.split(' ').next().unwrap()).collect();
        if longs.len() > 1 {
            clashes.push(format!("-{short}: {uses:?}"));
        }
    }
    assert!(
        clashes.is_empty(),
        "short flags with two meanings: {clashes:?}"
    );
    let force: BTreeSet<&str> = seen[&'f'].iter().map(|u| u.as_str()).collect();
    assert!(force.iter().all(|u| u.starts_with("--force ")), "{force:?}");
}

/// `vault export -f json` (the old short form of `--format`) is a usage error that says what to
/// write; `-f` still forces where it did.
#[test]
fn export_f_is_refused_with_the_long_form_named() {
    for args in [
        &["export", "will", "-f", "json"][..],
        &["--backend", "file", "export", "-fjson", "will"],
    ] {
        let out = vault(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("write `--format` in full"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    for name in ["add", "remove", "import-aws-vault", "import-credentials"] {
        let text = help(&[name], "--help");
        assert!(text.contains("-f, --force"), "{name}:\n{text}");
    }
}

#[test]
fn committed_man_pages_are_what_the_binary_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = vault(&["man", dir.path().to_str().unwrap()]);
    assert_success(&out);
    let read = |d: &Path| -> BTreeMap<String, String> {
        std::fs::read_dir(d)
            .unwrap_or_else(|e| panic!("{}: {e} (run `make man`)", d.display()))
            .map(|e| e.unwrap().path())
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect()
    };
    let fresh = read(dir.path());
    let committed = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("man"));
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&fresh),
        "man/ holds other pages than the binary writes: run `make man`"
    );
    for (name, text) in &fresh {
        assert!(
            committed[name] == *text,
            "man/{name} is stale: run `make man`"
        );
    }
    // One page per visible command, plus vault.1, each with its examples.
    assert_eq!(fresh.len(), visible_commands().len() + 1);
    for (name, text) in &fresh {
        assert!(text.contains(".SH EXAMPLES"), "{name}");
    }
    assert!(fresh["vault-hook.1"].contains(".SH SET-UP"));
}
