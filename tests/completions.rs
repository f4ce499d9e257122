//! `vault completions SHELL`: the committed scripts under completions/ are what the binary
//! prints, and each shell really completes profile names from the AWS config file. Every shell
//! named here must be installed (CI installs them); a missing one fails the test.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// Each shell `vault completions` takes, and its committed file (see scripts/completions.sh).
const FILES: [(&str, &str); 5] = [
    ("bash", "vault.bash"),
    ("zsh", "_vault"),
    ("fish", "vault.fish"),
    ("powershell", "_vault.ps1"),
    ("nu", "vault.nu"),
];

const PROFILES: [&str; 3] = ["alpha", "beta-admin", "default"];

/// Subcommands whose PROFILE argument completes from the config (README, "Shell completions").
const PROFILE_COMMANDS: [&str; 8] = [
    "exec", "export", "remove", "clear", "use", "add", "login", "rotate",
];

/// The hand-written completers `vault completions` appends (src/cmd/completions.rs).
fn completer(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("shell/completions")
        .join(file)
}

/// What `vault completions SHELL` prints after clap_complete's script: the data lines it
/// derives from cli.rs, then the completer file.
fn appended(shell: &str) -> String {
    let text = generated(shell);
    let at = text
        .find("# vault: where a PROFILE goes")
        .unwrap_or_else(|| panic!("{shell}: no data lines"));
    text[at..].to_string()
}

fn generated(shell: &str) -> String {
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_vault")).args(["completions", shell]),
        LIMIT,
    );
    assert_success(&out);
    stdout(&out)
}

#[test]
fn committed_files_are_what_the_binary_prints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in FILES {
        let path = dir.join(file);
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err} (run `make completions`)", path.display()));
        let fresh = generated(shell);
        if committed != fresh {
            let line = committed
                .lines()
                .zip(fresh.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
            panic!(
                "completions/{file} is stale (first difference at line {}): run `make completions`",
                line + 1
            );
        }
    }
}

#[test]
fn every_shell_gets_a_script_and_unknown_shells_are_refused() {
    for (shell, _) in FILES {
        assert!(generated(shell).contains("vault"), "{shell}");
    }
    for alias in ["pwsh", "nushell"] {
        assert!(!generated(alias).is_empty(), "{alias}");
    }
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_vault")).args(["completions", "tcsh"]),
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A user with three profiles, `vault` on PATH, and the script for `shell` in a file.
struct Fixture {
    sb: Sandbox,
    script: PathBuf,
}

impl Fixture {
    fn new(shell: &str, file: &str) -> Fixture {
        let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
        sb.write_config(
            "[default]\nregion = eu-west-1\n\n[profile alpha]\n\n[profile beta-admin]\nsource_profile = alpha\nrole_arn = arn:aws:iam::123456789012:role/admin\n\n[sso-session corp]\nsso_region = eu-west-1\n",
        );
        std::fs::create_dir_all(sb.path("bin")).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vault"), sb.path("bin/vault")).unwrap();
        // A working folder with one file, which must never be offered where a PROFILE goes.
        std::fs::create_dir_all(sb.path("cwd")).unwrap();
        std::fs::write(sb.path("cwd/notes.txt"), "").unwrap();
        let script = sb.path(file);
        std::fs::create_dir_all(script.parent().unwrap()).unwrap();
        std::fs::write(&script, generated(shell)).unwrap();
        Fixture { sb, script }
    }

    fn command(&self, program: &str) -> Command {
        let installed = std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()));
        assert!(
            installed,
            "{program} is not installed: these tests need bash, zsh, fish, nu and python3 with tree-sitter-powershell (make test-deps)"
        );
        let mut cmd = self.sb.command(program);
        let path = format!(
            "{}:{}",
            self.sb.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path).current_dir(self.sb.path("cwd"));
        cmd
    }

    /// Runs `program args`, which prints one candidate per line.
    fn candidates(&self, cmd: &mut Command) -> BTreeSet<String> {
        let out = run_bounded(cmd, LIMIT);
        assert_success(&out);
        stdout(&out)
            .lines()
            .map(|l| l.split('\t').next().unwrap().trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Checks `complete(line)` for the lines where profiles are expected, and where they are not.
fn check_profile_positions(shell: &str, complete: impl Fn(&str) -> BTreeSet<String>) {
    let all = set(&PROFILES);
    let mut lines: Vec<String> = PROFILE_COMMANDS
        .iter()
        .map(|c| format!("vault {c} "))
        .collect();
    lines.extend(
        [
            "vault exec -n ",
            "vault export --region eu-west-1 ",
            "vault --backend file exec ",
            "vault exec --duration 1h -n ",
        ]
        .map(String::from),
    );
    for line in &lines {
        assert_eq!(complete(line), all, "{shell}: `{line}`");
    }
    assert_eq!(complete("vault exec b"), set(&["beta-admin"]), "{shell}");
    for line in [
        "vault exec --region ",
        "vault exec alpha ",
        "vault list ",
        "vault hook ",
    ] {
        let got = complete(line);
        assert!(
            got.is_disjoint(&all),
            "{shell}: `{line}` offers profiles: {got:?}"
        );
    }
    let got = complete("vault ex");
    assert!(
        got.contains("exec") || got.contains("vault exec"),
        "{shell}: subcommands no longer complete: {got:?}"
    );
}

const BASH_DRIVER: &str = r#"
source "$1"
spec=$(complete -p vault) || exit 1
fn=${spec#*-F }
fn=${fn%% *}
line=$2
COMP_LINE=$line
COMP_POINT=${#line}
read -ra COMP_WORDS <<<"$line"
[[ $line == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
"$fn" vault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

#[test]
fn bash_completes_profile_names_from_the_config() {
    let fx = Fixture::new("bash", "vault.bash");
    let complete = |line: &str| {
        fx.candidates(
            fx.command("bash")
                .args(["--norc", "--noprofile", "-c", BASH_DRIVER, "bash"])
                .arg(&fx.script)
                .arg(line),
        )
    };
    check_profile_positions("bash", complete);

    // Read at each completion: a profile added now is offered at once; ~/.aws/config is the
    // default.
    std::fs::write(
        fx.sb.home().join(".aws/config"),
        "[profile gamma]\n[profile alpha]\n",
    )
    .unwrap();
    let got = fx.candidates(
        fx.command("bash")
            .env_remove("AWS_CONFIG_FILE")
            .args(["--norc", "--noprofile", "-c", BASH_DRIVER, "bash"])
            .arg(&fx.script)
            .arg("vault rm "),
    );
    assert_eq!(got, set(&["alpha", "gamma"]));
}

#[test]
fn fish_completes_profile_names_from_the_config() {
    let fx = Fixture::new("fish", "vault.fish");
    let complete = |line: &str| {
        fx.candidates(
            fx.command("fish")
                .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
                .arg(&fx.script)
                .arg(line),
        )
    };
    check_profile_positions("fish", complete);
    assert_eq!(
        complete("vault exec --region=eu-west-1 "),
        set(&PROFILES),
        "fish"
    );
}

/// Drives an interactive zsh on a pseudo-terminal (zsh/zpty), presses TAB after LINE, and
/// records every match compadd is given in $ZCOMP_OUT.
const ZSH_INIT: &str = r#"
PS1='' RPROMPT=''
fpath=("$ZCOMP_FPATH" $fpath)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' insert-tab false
[[ -n $ZCOMP_SOURCE ]] && source "$ZCOMP_SOURCE"
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a __m
  builtin compadd -O __m "$@"
  print -rl -- $__m >>"$ZCOMP_OUT"
  builtin compadd "$@"
}
__zcomp_done() { print -r -- 'ZCOMP:DONE'; exit }
comppostfuncs=(__zcomp_done)
bindkey '^I' complete-word
print -r -- 'ZCOMP:READY'
"#;

const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "source ${(q)1}"
zpty -r z out '*ZCOMP:READY*' || exit 1
zpty -w -n z "$2"$'\t'
zpty -r z out '*ZCOMP:DONE*' || exit 1
zpty -d z
"#;

/// Autoloaded from `fpath` (as README sets it up: the file runs as `_vault` at the first TAB)
/// and sourced after compinit (`source <(vault completions zsh)`, and what every later TAB of
/// the autoloaded file goes through: `__vault_complete`).
#[test]
fn zsh_completes_profile_names_from_the_config() {
    zsh_completes(false);
    zsh_completes(true);
}

fn zsh_completes(sourced: bool) {
    let fx = Fixture::new("zsh", "fpath/_vault");
    let init = fx.sb.path("init.zsh");
    std::fs::write(&init, ZSH_INIT).unwrap();
    let record = fx.sb.path("matches");
    let (fpath, source) = match sourced {
        true => (fx.sb.path("empty"), fx.script.clone()),
        false => (fx.sb.path("fpath"), PathBuf::new()),
    };
    let complete = |line: &str| {
        let _ = std::fs::remove_file(&record);
        let out = run_bounded(
            fx.command("zsh")
                .env("ZCOMP_FPATH", &fpath)
                .env("ZCOMP_SOURCE", &source)
                .env("ZCOMP_OUT", &record)
                .args(["-f", "-c", ZSH_DRIVER, "zsh"])
                .arg(&init)
                .arg(line),
            LIMIT,
        );
        assert_success(&out);
        // A compadd that adds nothing (the PROFILE description, say) records an empty line.
        std::fs::read_to_string(&record)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect::<BTreeSet<_>>()
    };
    check_profile_positions(if sourced { "zsh (sourced)" } else { "zsh" }, complete);
}

#[test]
fn nu_completes_profile_names_from_the_config() {
    let fx = Fixture::new("nu", "vault.nu");
    let glue = fx.sb.path("glue.nu");
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_vault")).args(["hook", "nu"]),
        LIMIT,
    );
    assert_success(&out);
    std::fs::write(&glue, stdout(&out)).unwrap();
    let query = fx.sb.path("query.nu");
    let complete = |line: &str| {
        // With the shell glue loaded too, as a user has it.
        let text = format!(
            "source '{}'\nuse '{}' *\n{line}",
            glue.display(),
            fx.script.display()
        );
        std::fs::write(&query, &text).unwrap();
        let out = run_bounded(
            fx.command("nu")
                .args(["-n", "--ide-complete", &text.len().to_string()])
                .arg(&query),
            LIMIT,
        );
        assert_success(&out);
        let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        json["completions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<BTreeSet<_>>()
    };
    for line in [
        "vault exec ",
        "vault export -d 1h ",
        "vault clear ",
        "vault remove ",
    ] {
        assert_eq!(complete(line), set(&PROFILES), "nu: `{line}`");
    }
    assert_eq!(complete("vault exec b"), set(&["beta-admin"]));
    let got = complete("vault ex");
    assert!(got.contains("vault exec"), "{got:?}");

    // The glue's `vault` command must keep handling `vault use` and friends: an extern of that
    // name would win over it and run the binary without applying its output.
    let text = format!(
        "source '{}'\nuse '{}' *\nprint (scope commands | where name =~ '^vault( (use|unuse|reload|allow|deny))?$' | select name type | to nuon)",
        glue.display(),
        fx.script.display()
    );
    let out = run_bounded(fx.command("nu").args(["-n", "-c", &text]), LIMIT);
    assert_success(&out);
    let listed = stdout(&out);
    assert!(
        !listed.contains("external") && listed.contains("[vault, custom]"),
        "nu completions shadow the glue: {listed}"
    );
}

/// PowerShell cannot be installed here; its script is checked by tree-sitter's PowerShell
/// grammar (as the shell-glue tests do), both the whole script and clap_complete's script in
/// its here-string, and for the profile completer's pieces.
const PS_PARSE: &str = r#"
import sys, tree_sitter, tree_sitter_powershell
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
text = open(sys.argv[1], 'rb').read()
start = text.index(b"$vaultClapScript = @'\n") + len(b"$vaultClapScript = @'\n")
end = text.index(b"\n'@\n", start)
bad = []
def walk(node, src, what):
    part = src[node.start_byte:node.end_byte]
    # clap_complete's `$completions.Where{ ... }` (method call with a bare script block) is valid
    # PowerShell the grammar does not know.
    if (node.type == 'ERROR' or node.is_missing) and part != b'Where':
        bad.append(f"{what} line {node.start_point[0] + 1}: {part[:60]!r}")
    for child in node.children:
        walk(child, src, what)
for src, what in [(text, 'script'), (text[start:end], "here-string")]:
    walk(parser.parse(src).root_node, src, what)
print('\n'.join(bad))
sys.exit(1 if bad else 0)
"#;

#[test]
fn powershell_script_parses_and_completes_profiles() {
    let fx = Fixture::new("powershell", "_vault.ps1");
    let out = run_bounded(
        Command::new("python3")
            .args(["-c", PS_PARSE])
            .arg(&fx.script),
        LIMIT,
    );
    assert!(
        out.status.success(),
        "PowerShell syntax errors (or tree-sitter-powershell missing: make test-deps):\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = std::fs::read_to_string(&fx.script).unwrap();
    assert!(text.contains("vault list --profiles"));
    for c in PROFILE_COMMANDS {
        assert!(text.contains(&format!("'{c}' = @(")), "{c}");
    }
    assert!(text.contains(
        "Register-ArgumentCompleter -Native -CommandName 'vault' -ScriptBlock $vaultCompleter"
    ));
}

fn require(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(program))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| panic!("{program} is not installed (make test-deps)"))
}

/// `program args FILE` for the completer file as committed and for what the binary appends
/// (or, `whole`, for the whole script): must succeed, print nothing on stdout, and refuse a
/// broken copy (so the check can fail).
fn check_file(program: &str, args: &[&str], file: &str, shell: &str, whole: bool) {
    let program = require(program);
    let dir = tempfile::tempdir().unwrap();
    let text = if whole {
        generated(shell)
    } else {
        appended(shell)
    };
    let printed = dir.path().join(format!("printed-{file}"));
    std::fs::write(&printed, &text).unwrap();
    let broken = dir.path().join(format!("broken-{file}"));
    std::fs::write(&broken, format!("{text}\nif [ ( {{ \"\n")).unwrap();
    for (path, clean) in [(completer(file), true), (printed, true), (broken, false)] {
        let out = run_bounded(Command::new(&program).args(args).arg(&path), LIMIT);
        let quiet = out.status.success() && stdout(&out).trim().is_empty();
        assert_eq!(
            quiet,
            clean,
            "{} {}:\n{}{}",
            program.display(),
            path.display(),
            stdout(&out),
            stderr(&out)
        );
    }
}

#[test]
fn completer_files_pass_their_shells_checks() {
    // clap_complete's bash script has shellcheck warnings of its own: only vault's part.
    check_file(
        "shellcheck",
        &["--shell=bash"],
        "profiles.bash",
        "bash",
        false,
    );
    check_file("zsh", &["--no-exec"], "profiles.zsh", "zsh", true);
    check_file("fish", &["--no-execute"], "profiles.fish", "fish", true);
    check_file(
        "nu",
        &["--no-config-file", "--ide-check", "100"],
        "profiles.nu",
        "nu",
        true,
    );
}
