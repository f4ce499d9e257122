//! Any value round-trips through each real shell with vault's quoting: bash, zsh and fish read
//! the statements `emit::statements` prints (evaluated the way the glue and `vault export`
//! evaluate them), nushell reads `quote::nu` raw strings in a script and the JSON record
//! `emit::statements` prints for it. Each shell then writes every variable back to a file, and
//! a child process (`env -0`) shows what was exported; both must equal the value byte for byte.
//!
//! Values are any UTF-8 without NUL (environment variables cannot hold NUL), weighted towards
//! what breaks quoting: every kind of quote, `$`, backticks, `\`, newlines and CR, `;`, `'#`.
//! Many values share one shell process so the test stays fast. PowerShell is not installed
//! here: tests/shells/test_pwsh.py checks its quoting statically.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use vault::shell::{EnvChanges, Shell, emit, quote};

/// Values per shell process, and processes per shell.
const BATCH: usize = 20;
const BATCHES: u32 = 10;

/// The path of a shell the test needs; a missing one fails (CI installs it), never skips.
fn require(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("{program} is not installed (make test-deps installs it)"))
}

fn name(i: usize) -> String {
    format!("VAULT_QT_{i}")
}

fn changes(values: &[String]) -> EnvChanges {
    EnvChanges {
        set: values
            .iter()
            .enumerate()
            .map(|(i, v)| (name(i), v.clone()))
            .collect(),
        unset: vec![],
    }
}

/// A shell run in a scratch folder: the statements in `stmts`, the script in `script`, every
/// value written back to `out/<i>` and the exported environment to `out/env`.
struct Run {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        for sub in [
            "out",
            "home",
            "home/.config",
            "home/.local/share",
            "home/.cache",
        ] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        Run { _dir: dir, root }
    }

    fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.root.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Run `program args... <script>` with a clean environment and no terminal.
    fn shell(&self, program: &str, args: &[&str], script: &Path) -> Result<(), String> {
        let home = self.root.join("home");
        let out = Command::new(require(program))
            .args(args)
            .arg(script)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("LANG", "C.UTF-8")
            .env("QT_DIR", &self.root)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{program} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    /// Compare what came back with `values`: files `out/<file>N`, variables `<var>N` in the
    /// dump `out/<file>env`.
    fn check(&self, shell: &str, file: &str, var: &str, values: &[String]) -> Result<(), String> {
        let mut problems = Vec::new();
        let env = std::fs::read(self.root.join("out").join(format!("{file}env")))
            .map_err(|e| format!("{shell}: no environment dump: {e}"))?;
        let exported: HashMap<Vec<u8>, Vec<u8>> = env
            .split(|b| *b == 0)
            .filter_map(|entry| {
                let eq = entry.iter().position(|b| *b == b'=')?;
                Some((entry[..eq].to_vec(), entry[eq + 1..].to_vec()))
            })
            .collect();
        for (i, value) in values.iter().enumerate() {
            let path = self.root.join("out").join(format!("{file}{i}"));
            match std::fs::read(&path) {
                Ok(read) if read == value.as_bytes() => {}
                Ok(read) => problems.push(format!(
                    "{shell} read {:?} back as {:?}",
                    value,
                    String::from_utf8_lossy(&read)
                )),
                Err(e) => problems.push(format!("{shell} did not write {}: {e}", path.display())),
            }
            match exported.get(format!("{var}{i}").as_bytes()) {
                Some(got) if got == value.as_bytes() => {}
                got => problems.push(format!(
                    "{shell} exported {:?} as {:?}",
                    value,
                    got.map(|g| String::from_utf8_lossy(g).into_owned())
                )),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

/// bash and zsh: `eval "$(...)"`, exactly as the glue applies hook-env's output.
fn posix_shell(program: &str, args: &[&str], values: &[String]) -> Result<(), String> {
    let run = Run::new();
    run.write("stmts", &emit::statements(Shell::Bash, &changes(values)));
    let mut script = String::from("eval \"$(<\"$QT_DIR/stmts\")\" || exit 3\n");
    for i in 0..values.len() {
        script.push_str(&format!(
            "printf '%s' \"${}\" > \"$QT_DIR/out/{i}\"\n",
            name(i)
        ));
    }
    script.push_str("env -0 > \"$QT_DIR/out/env\"\n");
    let script = run.write("script", &script);
    run.shell(program, args, &script)?;
    run.check(program, "", "VAULT_QT_", values)
}

fn bash(values: &[String]) -> Result<(), String> {
    posix_shell("bash", &["--norc", "--noprofile"], values)
}

fn zsh(values: &[String]) -> Result<(), String> {
    posix_shell("zsh", &["-f"], values)
}

/// fish: `source`, as `vault export --format fish | source` does.
fn fish(values: &[String]) -> Result<(), String> {
    let run = Run::new();
    run.write("stmts", &emit::statements(Shell::Fish, &changes(values)));
    let mut script = String::from("source $QT_DIR/stmts; or exit 3\n");
    for i in 0..values.len() {
        script.push_str(&format!("printf '%s' \"${}\" > $QT_DIR/out/{i}\n", name(i)));
    }
    script.push_str("env -0 > $QT_DIR/out/env\n");
    let script = run.write("script", &script);
    run.shell("fish", &["--no-config"], &script)?;
    run.check("fish", "", "VAULT_QT_", values)
}

/// nushell: the raw strings of `quote::nu` in a script, and the JSON record `emit::statements`
/// prints for nu loaded with `from json | load-env`, in the same process.
fn nu(values: &[String]) -> Result<(), String> {
    let run = Run::new();
    run.write("stmts.json", &emit::statements(Shell::Nu, &changes(values)));
    let out = |file: &str| quote::nu(&run.root.join("out").join(file).display().to_string());
    let json = quote::nu(&run.root.join("stmts.json").display().to_string());
    let mut script = format!("open --raw {json} | from json | load-env\n");
    for (i, value) in values.iter().enumerate() {
        script.push_str(&format!("$env.VAULT_QR_{i} = {}\n", quote::nu(value)));
    }
    for i in 0..values.len() {
        let (a, b) = (out(&i.to_string()), out(&format!("qr_{i}")));
        script.push_str(&format!("$env.{} | save --raw --force {a}\n", name(i)));
        script.push_str(&format!("$env.VAULT_QR_{i} | save --raw --force {b}\n"));
    }
    for file in ["env", "qr_env"] {
        script.push_str(&format!("^env -0 | save --raw --force {}\n", out(file)));
    }
    let script = run.write("script.nu", &script);
    run.shell("nu", &["--no-config-file", "--no-std-lib"], &script)?;
    let json = run.check("nu (JSON record)", "", "VAULT_QT_", values);
    let raw = run.check("nu (raw strings)", "qr_", "VAULT_QR_", values);
    match (json, raw) {
        (Ok(()), Ok(())) => Ok(()),
        (a, b) => Err([a.err(), b.err()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// One character, most often one that quoting has to think about.
fn hostile_char() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "'", "\"", "$", "`", "\\", "\n", "\r", "\r\n", "\t", ";", "#", "'#", "'##", "#'",
            "r#'", "'#'", "\u{2018}", "\u{2019}", "\u{201a}", "\u{201b}", "\u{201c}", "\u{201d}",
            "$(", "${", "(", ")", "{", "}", "[", "]", "!", "*", "?", "~", "&", "|", "<", ">",
            "%", "^", "=", " ", "-", "--", "\u{1b}", "\u{7f}", "\u{a0}", "\u{2028}", "\u{feff}",
            "\u{e9}", "\u{4e2d}", "\u{1f642}", "\u{f600}", "\u{fffd}",
        ])
        .prop_map(str::to_string),
        2 => "[a-zA-Z0-9/._:+=@-]{1,4}",
        1 => any::<char>().prop_filter("no NUL", |c| *c != '\0').prop_map(String::from),
    ]
}

fn hostile_value() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..24).prop_map(|parts| parts.concat())
}

fn property(shell: fn(&[String]) -> Result<(), String>) {
    let config = Config {
        cases: BATCHES,
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(hostile_value(), BATCH), |values| {
        shell(&values).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Hand-picked values, checked on every run whatever the generator draws.
fn fixed() -> Vec<String> {
    [
        "",
        "'",
        "''",
        "\\",
        "\\'",
        "it's",
        "a'#b",
        "a'##b",
        "'#",
        "#",
        "##x",
        "#'#",
        "#'",
        "ends with '",
        "ends with \\",
        "$HOME $(id) ${x} `id`",
        "semi; colon",
        "line\nbreak\n",
        "\r\n\r",
        "\u{2018}typo\u{2019} \u{201a}low\u{201b}",
        "tab\there",
        "unicode \u{e9}\u{4e2d}\u{1f642}",
        "private use \u{f600}\u{f6ff} and C1 \u{85}\u{9b}",
        "--",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

#[test]
fn bash_round_trips_fixed_values() {
    bash(&fixed()).unwrap();
}

#[test]
fn zsh_round_trips_fixed_values() {
    zsh(&fixed()).unwrap();
}

#[test]
fn fish_round_trips_fixed_values() {
    fish(&fixed()).unwrap();
}

#[test]
fn nu_round_trips_fixed_values() {
    nu(&fixed()).unwrap();
}

#[test]
fn bash_round_trips_any_value() {
    property(bash);
}

#[test]
fn zsh_round_trips_any_value() {
    property(zsh);
}

#[test]
fn fish_round_trips_any_value() {
    property(fish);
}

#[test]
fn nu_round_trips_any_value() {
    property(nu);
}

/// The harness itself can fail: a value quoted wrongly does not come back.
#[test]
fn a_broken_quote_is_caught() {
    let run = Run::new();
    run.write("stmts", "export VAULT_QT_0=\"$HOME\";\n");
    let script = run.write(
        "script",
        "eval \"$(<\"$QT_DIR/stmts\")\"\nprintf '%s' \"$VAULT_QT_0\" > \"$QT_DIR/out/0\"\nenv -0 > \"$QT_DIR/out/env\"\n",
    );
    run.shell("bash", &["--norc", "--noprofile"], &script)
        .unwrap();
    let err = run
        .check("bash", "", "VAULT_QT_", &["$HOME".to_string()])
        .unwrap_err();
    assert!(err.contains("read \"$HOME\" back as"), "{err}");
}
