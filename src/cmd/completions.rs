//! `vault completions SHELL`: print a completion script.
//!
//! Subcommands, flags and fixed values come from clap_complete's generators, so they always
//! match `cli.rs`. Profile names cannot be static: they live in the AWS config file. For the
//! PROFILE argument each shell gets a hand-written completer, a real file under
//! `shell/completions/` that runs `vault list --profiles` at the moment of completion. The
//! script is put together, never edited:
//!
//! 1. clap_complete's script, as it prints it;
//! 2. a few data lines derived here from the clap definition: which subcommands take a
//!    PROFILE first (with their aliases) and which options take a value (so that in
//!    `vault exec -d 1h ` the word after `1h` is the profile, and after `--region ` it is not);
//! 3. the completer file, which wraps or adds to what clap_complete registered.
//!
//! Per shell: bash registers `__vault_complete` over clap_complete's `_vault` and delegates to
//! it off the PROFILE position; zsh binds `__vault_complete`, which runs `_vault` and adds the
//! names (PROFILE is marked `ValueHint::Other` for the generators, so zsh's `_vault` offers no
//! file names there); fish adds one `complete` line with a condition. PowerShell cannot read a
//! registered completer back, and its script must open with clap_complete's `using` lines, so
//! step 1 is a verbatim here-string that the completer runs with `Register-ArgumentCompleter`
//! shadowed, to catch and wrap clap_complete's completer. nushell is the exception:
//! clap_complete_nushell always declares `extern vault` and an extern for every subcommand, and
//! in nushell those shadow the hook's `vault` command (`vault use` and friends would then run
//! the binary without applying what it prints), with no option to leave them out; so its
//! externs are written here (`nushell.rs`), after the completer file.
//!
//! Why not clap_complete's dynamic completion (`CompleteEnv`): it sits behind the
//! `unstable-dynamic` feature, has no nushell support, and starts the whole binary at every
//! TAB; here only the PROFILE position starts a process, and the scripts are plain files a
//! reviewer can read, shellcheck and fish can check, and CI can compare (`completions/`,
//! `make completions`, tests/completions.rs).

mod nushell;

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail, ensure};
use clap::{Arg, ArgAction, CommandFactory, ValueHint};

use crate::cli::{Cli, CompletionShell, CompletionsArgs};

const BIN: &str = "vault";

/// The hand-written completers, appended to the generated scripts.
const BASH: &str = include_str!("../../shell/completions/profiles.bash");
const ZSH: &str = include_str!("../../shell/completions/profiles.zsh");
const FISH: &str = include_str!("../../shell/completions/profiles.fish");
const POWERSHELL: &str = include_str!("../../shell/completions/profiles.ps1");
const NU: &str = include_str!("../../shell/completions/profiles.nu");

pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    print!("{}", script(args.shell)?);
    Ok(ExitCode::SUCCESS)
}

/// The complete script for `shell`.
pub fn script(shell: CompletionShell) -> Result<String> {
    let mut cmd = command(shell == CompletionShell::Zsh);
    let spots = ProfileSpots::of(&cmd)?;
    let script = match shell {
        CompletionShell::Bash => {
            let clap = generate(clap_complete::Shell::Bash, &mut cmd)?;
            format!("{clap}\n{}{BASH}", spots.bash())
        }
        CompletionShell::Zsh => {
            let clap = generate(clap_complete::Shell::Zsh, &mut cmd)?;
            format!("{clap}\n{}{ZSH}", spots.zsh())
        }
        CompletionShell::Fish => {
            let clap = generate(clap_complete::Shell::Fish, &mut cmd)?;
            format!("{clap}\n{}{FISH}", spots.fish())
        }
        CompletionShell::Powershell => {
            let clap = generate(clap_complete::Shell::PowerShell, &mut cmd)?;
            // A single-quoted here-string is verbatim up to a line that starts with `'@`.
            if clap.lines().any(|l| l.starts_with("'@")) {
                bail!("clap_complete's PowerShell script holds a line starting with '@");
            }
            let clap = clap.trim_end_matches('\n');
            format!(
                "# clap_complete's script, run and wrapped by vault's completer below.\n\
                 $vaultClapScript = @'\n{clap}\n'@\n\n{}{POWERSHELL}",
                spots.powershell()
            )
        }
        CompletionShell::Nu => nushell::script(&cmd, NU)?,
    };
    Ok(script)
}

/// The clap definition the generators read: `Cli`, with each PROFILE argument marked
/// `ValueHint::Other` (not a file name), so that zsh's `_vault` completes nothing there and
/// the completer's names stand alone. `first_word_is_profile`: see below.
fn command(first_word_is_profile: bool) -> clap::Command {
    // mut_subcommands and mut_args keep the order (mut_subcommand and mut_arg move to the end).
    let mut cmd = Cli::command().mut_subcommands(|sub| {
        if profile_arg(&sub).is_none() {
            return sub;
        }
        // `vault exec [PROFILE] [-- CMD]`: an optional PROFILE (the picker opens without one)
        // would let zsh's `_arguments` take the first word for CMD and offer file names; for
        // completing there, the first word is the profile. (nushell's externs must keep it
        // optional: they check calls against the signature.)
        let more_positionals = first_word_is_profile && sub.get_positionals().count() > 1;
        sub.mut_args(|arg| match arg.get_id() == "profile" {
            true => {
                let required = more_positionals || arg.is_required_set();
                arg.value_hint(ValueHint::Other).required(required)
            }
            false => arg,
        })
    });
    cmd.set_bin_name(BIN);
    cmd.build();
    cmd
}

/// The PROFILE argument of a subcommand: its first positional, when that is `profile`.
fn profile_arg(sub: &clap::Command) -> Option<&Arg> {
    sub.get_positionals()
        .next()
        .filter(|arg| arg.get_id() == "profile")
}

fn generate(shell: clap_complete::Shell, cmd: &mut clap::Command) -> Result<String> {
    let mut out = Vec::new();
    clap_complete::generate(shell, cmd, BIN, &mut out);
    Ok(String::from_utf8(out)?)
}

/// Where a PROFILE goes: the data lines the completers read.
struct ProfileSpots {
    /// Options before the subcommand that take a value (`--backend`).
    root_opts: Vec<String>,
    /// Each subcommand whose first positional is PROFILE, under its name and under each alias
    /// (`remove`, `rm`), with its options that take a value.
    commands: Vec<(String, Vec<String>)>,
}

impl ProfileSpots {
    fn of(cmd: &clap::Command) -> Result<ProfileSpots> {
        let mut commands = vec![];
        for sub in cmd.get_subcommands() {
            if profile_arg(sub).is_none() {
                continue;
            }
            let opts = value_options(sub);
            for name in std::iter::once(sub.get_name()).chain(sub.get_all_aliases()) {
                commands.push((name.to_string(), opts.clone()));
            }
        }
        let spots = ProfileSpots {
            root_opts: value_options(cmd),
            commands,
        };
        // The data lines quote nothing: names and options must be plain words.
        let plain = |w: &String| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        for (name, opts) in &spots.commands {
            ensure!(plain(name), "subcommand name {name:?} is not a plain word");
            ensure!(
                opts.iter().all(plain),
                "an option of {name} is not a plain word"
            );
        }
        ensure!(
            spots.root_opts.iter().all(plain),
            "a top-level option is not a plain word"
        );
        Ok(spots)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.commands.iter().map(|(name, _)| name.as_str())
    }

    fn bash(&self) -> String {
        let mut out = header("profiles.bash");
        let line = |list: &[String]| format!("' {} '", list.join(" "));
        let names: Vec<String> = self.names().map(String::from).collect();
        let _ = writeln!(out, "__vault_profile_commands={}", line(&names));
        let _ = writeln!(out, "__vault_opts={}", line(&self.root_opts));
        for (name, opts) in &self.commands {
            let _ = writeln!(out, "__vault_opts_{}={}", var(name), line(opts));
        }
        out.push('\n');
        out
    }

    fn zsh(&self) -> String {
        let mut out = header("profiles.zsh");
        out.push_str("typeset -ga __vault_opts\n");
        let _ = writeln!(out, "__vault_opts=({})", self.root_opts.join(" "));
        out.push_str("typeset -gA __vault_profile_opts\n__vault_profile_opts=(\n");
        for (name, opts) in &self.commands {
            let _ = writeln!(out, "    {name} '{}'", opts.join(" "));
        }
        out.push_str(")\n\n");
        out
    }

    fn fish(&self) -> String {
        let mut out = header("profiles.fish");
        let names: Vec<&str> = self.names().collect();
        let _ = writeln!(out, "set -g __vault_profile_commands {}", names.join(" "));
        let _ = writeln!(out, "set -g __vault_opts {}", self.root_opts.join(" "));
        for (name, opts) in &self.commands {
            let _ = writeln!(out, "set -g __vault_opts_{} {}", var(name), opts.join(" "));
        }
        out.push('\n');
        out
    }

    fn powershell(&self) -> String {
        let list = |opts: &[String]| {
            let quoted: Vec<String> = opts.iter().map(|o| format!("'{o}'")).collect();
            format!("@({})", quoted.join(", "))
        };
        let mut out = header("profiles.ps1");
        out.push_str("$vaultProfileCommands = @{\n");
        for (name, opts) in &self.commands {
            let _ = writeln!(out, "    '{name}' = {}", list(opts));
        }
        out.push_str("}\n");
        let _ = writeln!(out, "$vaultValueOpts = {}", list(&self.root_opts));
        out.push('\n');
        out
    }
}

/// The comment above the data lines; `file` is the completer that reads them.
fn header(file: &str) -> String {
    format!(
        "# vault: where a PROFILE goes, derived from cli.rs, for the completer below\n\
         # (shell/completions/{file} in vault's repository).\n"
    )
}

/// A subcommand name as part of a variable name.
fn var(name: &str) -> String {
    name.replace('-', "_")
}

/// The options of `cmd` that take a value, in every spelling (`--duration`, `-d`).
fn value_options(cmd: &clap::Command) -> Vec<String> {
    let mut opts = vec![];
    for arg in cmd.get_arguments().filter(|a| !a.is_positional()) {
        let takes_value = match arg.get_action() {
            ArgAction::Set | ArgAction::Append => true,
            other => other.takes_values(),
        };
        if !takes_value {
            continue;
        }
        for long in arg.get_long_and_visible_aliases().into_iter().flatten() {
            opts.push(format!("--{long}"));
        }
        for short in arg.get_short_and_visible_aliases().into_iter().flatten() {
            opts.push(format!("-{short}"));
        }
    }
    opts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_spots_come_from_the_clap_definition() {
        let spots = ProfileSpots::of(&command(false)).unwrap();
        let names: Vec<&str> = spots.names().collect();
        for name in [
            "add", "remove", "rm", "clear", "exec", "export", "login", "rotate", "use",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        for name in ["list", "hook", "import-aws-vault", "help"] {
            assert!(!names.contains(&name), "{name} takes no PROFILE");
        }
        let exec = &spots.commands.iter().find(|(n, _)| n == "exec").unwrap().1;
        for opt in ["--duration", "-d", "--region", "--backend"] {
            assert!(
                exec.contains(&opt.to_string()),
                "{opt} missing from {exec:?}"
            );
        }
        assert!(!exec.contains(&"--no-session".to_string()));
        assert_eq!(spots.root_opts, ["--backend"]);
    }

    #[test]
    fn each_script_is_the_generated_one_unchanged_then_the_completer() {
        let shells = [
            (CompletionShell::Bash, clap_complete::Shell::Bash, BASH),
            (CompletionShell::Zsh, clap_complete::Shell::Zsh, ZSH),
            (CompletionShell::Fish, clap_complete::Shell::Fish, FISH),
        ];
        for (shell, generator, completer) in shells {
            let text = script(shell).unwrap();
            let clap = generate(generator, &mut command(shell == CompletionShell::Zsh)).unwrap();
            assert!(text.starts_with(&clap), "{shell:?}");
            assert!(text.ends_with(completer), "{shell:?}");
        }
        let text = script(CompletionShell::Powershell).unwrap();
        let clap = generate(clap_complete::Shell::PowerShell, &mut command(false)).unwrap();
        let quoted = format!("$vaultClapScript = @'\n{}\n'@\n", clap.trim_end());
        assert!(text.contains(&quoted));
        assert!(text.ends_with(POWERSHELL));
        let text = script(CompletionShell::Nu).unwrap();
        let indented: String = NU.lines().map(|l| format!("  {l}\n")).collect();
        assert!(text.contains(&indented));
    }

    #[test]
    fn nushell_profile_arguments_name_the_completer_and_glue_commands_have_no_extern() {
        let text = script(CompletionShell::Nu).unwrap();
        let with_completer = text
            .lines()
            .filter(|l| l.contains("string@\"nu-complete vault profile\""))
            .count();
        // add, remove, clear, exec, export, login, rotate (`use` is the glue's).
        assert_eq!(with_completer, 7, "{text}");
        assert!(!text.contains("export extern vault "));
        for glue in ["use", "unuse", "reload", "allow", "deny"] {
            assert!(
                !text.contains(&format!("export extern \"vault {glue}\"")),
                "{glue}"
            );
        }
    }
}
