//! `vault completions SHELL`: print a completion script.
//!
//! Subcommands, flags and fixed values come from clap_complete's static generators (and
//! clap_complete_nushell), so they always match `cli.rs`. Profile names cannot be static: they
//! live in the AWS config file. For the PROFILE argument we add a small completer per shell that
//! runs `vault list --profiles` (AWS_CONFIG_FILE, else ~/.aws/config) at the moment of completion.
//!
//! Why not clap_complete's dynamic completion (`CompleteEnv`, `ArgValueCandidates`): it sits
//! behind the `unstable-dynamic` feature, has no nushell support, and would start the whole
//! binary on every TAB; here only the PROFILE position starts a process, and the scripts are
//! plain files a reviewer can read and CI can compare (`completions/`, `make completions`).
//!
//! The additions are spliced into the generated text at anchors checked here: if a new
//! clap_complete changes its output so that an anchor is missing, generation fails loudly
//! (and tests/completions.rs with it) instead of silently losing profile completion.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{ArgAction, CommandFactory};

use crate::cli::{Cli, CompletionShell, CompletionsArgs};

const BIN: &str = "vault";

pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    print!("{}", script(args.shell)?);
    Ok(ExitCode::SUCCESS)
}

/// The complete script for `shell`.
pub fn script(shell: CompletionShell) -> Result<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let spots = profile_spots(&cmd);
    let root_opts = value_options(&cmd);
    let mut out = Vec::new();
    match shell {
        CompletionShell::Bash => generate(clap_complete::Shell::Bash, &mut cmd, &mut out),
        CompletionShell::Zsh => generate(clap_complete::Shell::Zsh, &mut cmd, &mut out),
        CompletionShell::Fish => generate(clap_complete::Shell::Fish, &mut cmd, &mut out),
        CompletionShell::Powershell => {
            generate(clap_complete::Shell::PowerShell, &mut cmd, &mut out)
        }
        CompletionShell::Nu => generate(clap_complete_nushell::Nushell, &mut cmd, &mut out),
    }
    let text = String::from_utf8(out)?;
    match shell {
        CompletionShell::Bash => bash(text, &spots, &root_opts),
        CompletionShell::Zsh => zsh(text, &spots),
        CompletionShell::Fish => fish(text, &spots, &root_opts),
        CompletionShell::Powershell => powershell(text, &spots, &root_opts),
        CompletionShell::Nu => nu(text, &spots),
    }
}

fn generate(generator: impl clap_complete::Generator, cmd: &mut clap::Command, out: &mut Vec<u8>) {
    clap_complete::generate(generator, cmd, BIN, out);
}

/// A subcommand whose first positional argument is a profile name.
struct Spot {
    /// The name and its visible and hidden aliases (`remove`, `rm`).
    names: Vec<String>,
    /// Options that take a value (so the next word is not the profile), e.g. `--region`, `-d`.
    value_opts: Vec<String>,
}

fn profile_spots(cmd: &clap::Command) -> Vec<Spot> {
    cmd.get_subcommands()
        .filter(|sub| {
            sub.get_positionals()
                .next()
                .is_some_and(|arg| arg.get_id() == "profile")
        })
        .map(|sub| Spot {
            names: std::iter::once(sub.get_name())
                .chain(sub.get_all_aliases())
                .map(str::to_string)
                .collect(),
            value_opts: value_options(sub),
        })
        .collect()
}

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

/// Replace `from` by `to`, which must occur exactly `count` times.
fn splice(text: &str, from: &str, to: &str, count: usize) -> Result<String> {
    let found = text.matches(from).count();
    if found != count {
        bail!(
            "clap_complete's output changed: expected {count} of {from:?}, found {found} (update src/cmd/completions.rs)"
        );
    }
    Ok(text.replace(from, to))
}

/// Two comment lines explaining the profile completer, each line starting with `prefix`.
fn comment(prefix: &str) -> String {
    format!(
        "{prefix}Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):\n\
         {prefix}`vault list --profiles` reads it at each completion, so new profiles show up at once.\n"
    )
}

fn bash(text: String, spots: &[Spot], root_opts: &[String]) -> Result<String> {
    let text = splice(
        &text,
        "complete -F _vault ",
        "complete -F __vault_complete ",
        2,
    )?;
    let mut cases = String::new();
    for spot in spots {
        writeln!(
            cases,
            "                {}) opts=' {} ' want=1 ;;",
            spot.names.join(" | "),
            spot.value_opts.join(" ")
        )?;
    }
    let mut out = text;
    out.push('\n');
    out.push_str(&comment("# "));
    write!(
        out,
        r#"# Anything else goes to clap_complete's _vault above.
__vault_complete() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} sub= opts=' {root} ' want= skip= i w name
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${{COMP_WORDS[i]}}
        if [[ $w == = ]]; then
            skip=1 # --opt=value: bash splits at '='
        elif [[ -n $skip ]]; then
            skip=
        elif [[ $w == -- ]]; then
            want=
            break
        elif [[ $w == -* ]]; then
            [[ $opts == *" $w "* ]] && skip=1
        elif [[ -z $sub ]]; then
            sub=$w
            case $sub in
{cases}                *) break ;;
            esac
        else
            want= # the profile is already there
            break
        fi
    done
    if [[ -z $want || -n $skip || $cur == -* ]]; then
        _vault "$@"
        return
    fi
    COMPREPLY=()
    while IFS= read -r name; do
        [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
    done < <({BIN} list --profiles 2>/dev/null)
    compopt +o default +o bashdefault 2>/dev/null
    return 0
}}
"#,
        root = root_opts.join(" "),
    )?;
    Ok(out)
}

fn zsh(text: String, spots: &[Spot]) -> Result<String> {
    let mut lines = vec![];
    let mut replaced = 0;
    for line in text.lines() {
        if (line.starts_with("':profile -- ") || line.starts_with("'::profile -- "))
            && line.ends_with(":_default' \\")
        {
            let head = line.strip_suffix(":_default' \\").unwrap_or(line);
            lines.push(format!("{head}:__vault_complete_profiles' \\"));
            replaced += 1;
        } else {
            lines.push(line.to_string());
        }
    }
    if replaced != spots.len() {
        bail!(
            "clap_complete's zsh output changed: {replaced} profile arguments found, {} expected (update src/cmd/completions.rs)",
            spots.len()
        );
    }
    let mut text = lines.join("\n");
    text.push('\n');
    let function = format!(
        r#"{comment}(( $+functions[__vault_complete_profiles] )) ||
__vault_complete_profiles() {{
    local expl
    local -a profiles
    profiles=(${{(f)"$(_call_program profiles {BIN} list --profiles 2>/dev/null)"}})
    _wanted profiles expl 'profile' compadd -a profiles
}}

if [ "$funcstack[1]" = "_vault" ]; then"#,
        comment = comment("# "),
    );
    splice(
        &text,
        "if [ \"$funcstack[1]\" = \"_vault\" ]; then",
        &function,
        1,
    )
}

fn fish(text: String, spots: &[Spot], root_opts: &[String]) -> Result<String> {
    let mut cases = String::new();
    for spot in spots {
        writeln!(cases, "                case {}", spot.names.join(" "))?;
        writeln!(
            cases,
            "                    set opts {}",
            spot.value_opts.join(" ")
        )?;
    }
    let mut out = text;
    out.push('\n');
    out.push_str(&comment("# "));
    write!(
        out,
        r#"function __vault_wants_profile
    set -l words (commandline -opc)
    set -e words[1]
    set -l sub
    set -l opts {root}
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
        else if test "$w" = --
            return 1
        else if string match -q -- '-*' $w
            contains -- $w $opts; and set skip 1
        else if test -z "$sub"
            set sub $w
            switch $sub
{cases}                case '*'
                    return 1
            end
        else
            return 1
        end
    end
    test -n "$sub"; and test $skip = 0
end

complete -c {BIN} -n __vault_wants_profile -f -a '({BIN} list --profiles 2>/dev/null)' -d Profile
"#,
        root = root_opts.join(" "),
    )?;
    Ok(out)
}

fn powershell(text: String, spots: &[Spot], root_opts: &[String]) -> Result<String> {
    let quote = |opts: &[String]| {
        opts.iter()
            .map(|o| format!("'{o}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut table = String::new();
    for spot in spots {
        for name in &spot.names {
            writeln!(table, "        '{name}' = @({})", quote(&spot.value_opts))?;
        }
    }
    let anchor = "    $completions = @(switch ($command) {";
    let block = format!(
        r#"{comment}    $vaultProfileCommands = @{{
{table}    }}
    $vaultSub = $null
    $vaultOpts = @({root})
    $vaultSkip = $false
    $vaultWants = $true
    for ($i = 1; $i -lt $commandElements.Count; $i++) {{
        $element = $commandElements[$i]
        if ($element.Extent.EndOffset -ge $cursorPosition) {{ break }}
        $word = $element.Extent.Text
        if ($vaultSkip) {{
            $vaultSkip = $false
        }} elseif ($word -eq '--') {{
            $vaultWants = $false
            break
        }} elseif ($word.StartsWith('-')) {{
            if ($vaultOpts -contains $word) {{ $vaultSkip = $true }}
        }} elseif ($null -eq $vaultSub) {{
            $vaultSub = $word
            if (-not $vaultProfileCommands.ContainsKey($word)) {{
                $vaultWants = $false
                break
            }}
            $vaultOpts = $vaultProfileCommands[$word]
        }} else {{
            $vaultWants = $false
            break
        }}
    }}
    if ($vaultWants -and $null -ne $vaultSub -and -not $vaultSkip -and -not $wordToComplete.StartsWith('-')) {{
        return @({BIN} list --profiles 2>$null) |
            Where-Object {{ $_ -like "$wordToComplete*" }} |
            ForEach-Object {{ [CompletionResult]::new($_, $_, [CompletionResultType]::ParameterValue, 'Profile') }}
    }}

{anchor}"#,
        comment = comment("    # "),
        root = quote(root_opts),
    );
    splice(&text, anchor, &block, 1)
}

/// Subcommands the shell glue's `vault` function handles itself (they change the shell).
const GLUE_COMMANDS: [&str; 5] = ["use", "unuse", "reload", "allow", "deny"];

fn nu(text: String, spots: &[Spot]) -> Result<String> {
    const COMPLETER: &str = "nu-complete vault profile";
    // In nushell an `extern "vault use"` wins over the glue's `def --env --wrapped vault`, and an
    // `extern vault` loaded after the glue replaces it: either would run the binary without
    // applying what it prints. So plain `vault` and the glue's subcommands get no extern here.
    let dropped: Vec<String> = std::iter::once(format!("  export extern {BIN} ["))
        .chain(
            GLUE_COMMANDS
                .iter()
                .map(|c| format!("  export extern \"{BIN} {c}\" [")),
        )
        .collect();
    let mut lines: Vec<String> = vec![];
    let mut skipping = false;
    let mut drops = 0;
    for line in text.lines() {
        if skipping {
            if line == "  ]" {
                skipping = false;
            }
            continue;
        }
        if dropped.iter().any(|d| d == line) {
            while lines.last().is_some_and(|l| l.starts_with("  # ")) {
                lines.pop();
            }
            skipping = true;
            drops += 1;
            continue;
        }
        lines.push(line.to_string());
    }
    if drops != dropped.len() {
        bail!(
            "clap_complete_nushell's output changed: {drops} of {} externs to leave out found (update src/cmd/completions.rs)",
            dropped.len()
        );
    }
    let expected = spots
        .iter()
        .filter(|s| !GLUE_COMMANDS.contains(&s.names[0].as_str()))
        .count();
    let mut replaced = 0;
    for line in &mut lines {
        let trimmed = line.trim_start();
        let decl = ["profile: string", "profile?: string"]
            .into_iter()
            .find(|d| trimmed.starts_with(&format!("{d} ")) || trimmed == *d);
        if let Some(decl) = decl {
            let rest = trimmed[decl.len()..].trim_start();
            let typed = format!("{decl}@\"{COMPLETER}\"");
            *line = format!("    {typed:<29} {rest}").trim_end().to_string();
            replaced += 1;
        }
    }
    if replaced != expected {
        bail!(
            "clap_complete_nushell's output changed: {replaced} profile arguments found, {expected} expected (update src/cmd/completions.rs)"
        );
    }
    // Collapse the blank lines the dropped blocks leave behind.
    let mut text = String::new();
    for line in &lines {
        if line.is_empty() && text.ends_with("\n\n") {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    let glue = format!(
        "  # Plain `vault` and `vault {}` have no extern here: the\n  \
         # shell glue's `vault` command (`vault hook nu`) runs them and applies what they print,\n  \
         # and an extern would shadow it.\n",
        GLUE_COMMANDS.join("`, `")
    );
    let def = format!(
        "module completions {{\n\n\
         {glue}\n\
         {comment}  def \"{COMPLETER}\" [] {{\n    ^{BIN} list --profiles | complete | get stdout | lines\n  }}\n",
        comment = comment("  # "),
    );
    splice(&text, "module completions {\n", &def, 1)
}
