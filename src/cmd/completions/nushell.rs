//! The nushell completions: one `extern` per subcommand, written from the clap definition.
//!
//! The format follows clap_complete_nushell's (a `completions` module, re-exported, so the
//! file works both with `use` and with `source`), with two differences that crate has no option
//! for: no `extern` for plain `vault` or for the subcommands the hook's glue runs itself (in
//! nushell an extern shadows the glue's `vault` command, which would then run the binary without
//! applying what it prints), and the PROFILE arguments name the completer of
//! `shell/completions/profiles.nu`, which comes first in the module.

use std::fmt::Write as _;

use anyhow::Result;
use clap::{Arg, ArgAction, Command, ValueHint};

use super::profile_arg;

/// Subcommands the shell glue's `vault` command handles itself (they change the shell).
const GLUE_COMMANDS: [&str; 5] = ["use", "unuse", "reload", "allow", "deny"];

/// The completer `completer` (profiles.nu) defines.
const PROFILE_COMPLETER: &str = "nu-complete vault profile";

/// Help comments start at this column, as in clap_complete_nushell.
const HELP_COLUMN: usize = 30;

pub(super) fn script(cmd: &Command, completer: &str) -> Result<String> {
    let mut out = format!(
        "# Plain `vault` and `vault {}` have no extern here:\n\
         # the shell glue's `vault` command (`vault hook nu`) runs them and applies what they\n\
         # print, and an extern would shadow it.\n\
         module completions {{\n\n",
        GLUE_COMMANDS.join("`, `")
    );
    for line in completer.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            writeln!(out, "  {line}")?;
        }
    }
    out.push('\n');
    for sub in cmd.get_subcommands() {
        if !GLUE_COMMANDS.contains(&sub.get_name()) {
            externs(sub, profile_arg(sub).map(Arg::get_id), &mut out)?;
        }
    }
    out.push_str("}\n\nexport use completions *\n");
    Ok(out)
}

/// The externs for `cmd` and its subcommands; `profile` is the id of its PROFILE argument.
fn externs(cmd: &Command, profile: Option<&clap::Id>, out: &mut String) -> Result<()> {
    let name = cmd.get_bin_name().unwrap_or(cmd.get_name());
    for arg in cmd.get_arguments().filter(|a| !a.is_last_set()) {
        let values = arg.get_possible_values();
        if values.is_empty() {
            continue;
        }
        write!(
            out,
            "  def \"nu-complete {name} {}\" [] {{\n    [",
            arg.get_id()
        )?;
        for value in values {
            let value = value.get_name();
            if value.contains(char::is_whitespace) {
                write!(out, r#" "\"{value}\"""#)?;
            } else {
                write!(out, r#" "{value}""#)?;
            }
        }
        out.push_str(" ]\n  }\n\n");
    }
    if let Some(about) = cmd.get_about() {
        writeln!(out, "  # {}", one_line(about))?;
    }
    writeln!(out, "  export extern \"{name}\" [")?;
    let mut positionals: Vec<&Arg> = cmd.get_positionals().collect();
    positionals.sort_by_key(|arg| arg.get_index());
    for arg in cmd.get_arguments().filter(|a| !a.is_positional()) {
        flag(arg, name, out)?;
    }
    for arg in positionals.into_iter().filter(|a| !a.is_last_set()) {
        let head = if matches!(arg.get_action(), ArgAction::Append) {
            format!("    ...{}", arg.get_id())
        } else if arg.is_required_set() {
            format!("    {}", arg.get_id())
        } else {
            format!("    {}?", arg.get_id())
        };
        let completer = (Some(arg.get_id()) == profile).then_some(PROFILE_COMPLETER);
        line(arg, name, head, completer, out)?;
    }
    out.push_str("  ]\n\n");
    for sub in cmd.get_subcommands() {
        externs(sub, None, out)?;
    }
    Ok(())
}

/// One line per spelling of a flag: `--long(-s)`, then further long and short aliases.
fn flag(arg: &Arg, name: &str, out: &mut String) -> Result<()> {
    let longs = arg.get_long_and_visible_aliases().unwrap_or_default();
    let shorts = arg.get_short_and_visible_aliases().unwrap_or_default();
    let mut heads = vec![];
    match (longs.first(), shorts.first()) {
        (Some(long), Some(short)) => {
            heads.push(format!("    --{long}(-{short})"));
            heads.extend(longs.iter().skip(1).map(|l| format!("    --{l}")));
            heads.extend(shorts.iter().skip(1).map(|s| format!("    -{s}")));
        }
        _ => {
            heads.extend(shorts.iter().map(|s| format!("    -{s}")));
            heads.extend(longs.iter().map(|l| format!("    --{l}")));
        }
    }
    for head in heads {
        line(arg, name, head, None, out)?;
    }
    Ok(())
}

/// `head`, then `: type` and its completer if `arg` takes a value, then the help comment.
fn line(
    arg: &Arg,
    name: &str,
    mut head: String,
    completer: Option<&str>,
    out: &mut String,
) -> Result<()> {
    let takes_values = arg.get_num_args().is_some_and(|n| n.takes_values());
    if takes_values {
        let nu_type = match arg.get_value_hint() {
            ValueHint::AnyPath | ValueHint::FilePath | ValueHint::ExecutablePath => "path",
            ValueHint::DirPath => "directory",
            _ => "string",
        };
        write!(head, ": {nu_type}")?;
        if let Some(completer) = completer {
            write!(head, "@\"{completer}\"")?;
        } else if !arg.get_possible_values().is_empty() {
            write!(head, "@\"nu-complete {name} {}\"", arg.get_id())?;
        }
    }
    if let Some(help) = arg.get_help() {
        let pad = HELP_COLUMN.saturating_sub(head.len()).max(1);
        write!(head, "{:pad$}# {}", "", one_line(help))?;
    }
    writeln!(out, "{head}")?;
    Ok(())
}

fn one_line(text: &clap::builder::StyledStr) -> String {
    text.to_string().replace('\n', " ")
}
