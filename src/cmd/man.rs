//! `vault man DIR` (hidden; `make man`): the man pages, made by clap_mangen from the same
//! definition as `--help` (cli.rs), so they cannot say something else. One page for `vault`
//! and one per visible command (`vault-exec.1`, ...), committed under man/ for packagers;
//! tests/help.rs fails when a committed page differs from what the binary writes.
//!
//! clap_mangen puts a command's after_help into one filled paragraph under "EXTRA", which would
//! run the examples together; so after_help is left out of its page and its blocks (see
//! `cli/help.rs`) become sections of their own, lines kept as written ("Examples:" is EXAMPLES).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use clap::builder::{Resettable, StyledStr};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use crate::cli::{Cli, ManArgs};

pub fn run(args: ManArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    for (name, text) in pages()? {
        write(&args.dir.join(&name), &text)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Every page, as (file name, roff text), `vault.1` first.
pub fn pages() -> Result<Vec<(String, String)>> {
    pages_of(Cli::command())
}

/// The pages of `cmd` and of each visible command under it, at any depth (`vault sso
/// populate` is `vault-sso-populate.1`).
fn pages_of(cmd: clap::Command) -> Result<Vec<(String, String)>> {
    fn walk(cmd: &clap::Command, pages: &mut Vec<(String, String)>) -> Result<()> {
        pages.push(page(cmd)?);
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, pages)?;
        }
        Ok(())
    }
    // The `help` subcommand is clap's, and `vault help exec` is `vault exec --help`.
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![];
    walk(&cmd, &mut pages)?;
    Ok(pages)
}

fn page(cmd: &clap::Command) -> Result<(String, String)> {
    let after = cmd.get_after_help().map(|t| t.to_string());
    let man = Man::new(cmd.clone().after_help(Resettable::<StyledStr>::Reset))
        .source(concat!("vault ", env!("CARGO_PKG_VERSION")));
    let name = man.get_filename();
    let mut text = Vec::new();
    man.render(&mut text)?;
    let mut text = String::from_utf8(text)?;
    if let Some(after) = after {
        let extra = sections(&after).with_context(|| format!("the help of {name}"))?;
        let at = text.find("\n.SH VERSION\n").map_or(text.len(), |i| i + 1);
        text.insert_str(at, &extra);
    }
    Ok((name, text))
}

/// The roff for after_help's blocks, without the preamble a whole page opens with.
fn sections(after: &str) -> Result<String> {
    let mut roff = Roff::new();
    for block in after.split("\n\n") {
        let mut lines = block.lines();
        let Some(first) = lines.next() else { continue };
        match first.strip_suffix(':') {
            Some(heading) if !first.starts_with(' ') => {
                roff.control("SH", [heading.to_uppercase().as_str()]);
                // No filling: examples and set-up lines stay one a line, indented as in --help.
                roff.control("nf", []);
                for line in lines {
                    roff.text([roman(line)]);
                }
                roff.control("fi", []);
            }
            _ => bail!("a block of after_help has no heading: {first:?}"),
        }
    }
    let preamble = Roff::new().render();
    let text = roff.render();
    Ok(text.strip_prefix(&preamble).unwrap_or(&text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headed_blocks_become_unfilled_sections() {
        let text = sections("Examples:\n  # one\n  vault exec a -- b\n\nSet-up:\n  x").unwrap();
        assert_eq!(
            text,
            ".SH EXAMPLES\n.nf\n  # one\n  vault exec a \\-\\- b\n.fi\n.SH SET-UP\n.nf\n  x\n.fi\n"
        );
        assert!(sections("a paragraph").is_err());
    }

    #[test]
    fn every_visible_command_gets_a_page_with_its_examples() {
        let pages = pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "vault.1");
        for name in ["vault-exec.1", "vault-hook.1", "vault-import-aws-vault.1"] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        for name in ["vault-hook-env.1", "vault-man.1", "vault-help.1"] {
            assert!(!names.contains(&name), "{name} is not a page");
        }
        for (name, text) in &pages {
            assert!(text.contains("\n.SH EXAMPLES\n.nf\n"), "{name}");
            assert!(!text.contains(".SH EXTRA"), "{name}");
        }
    }

    #[test]
    fn commands_under_commands_get_pages_too() {
        let cmd = clap::Command::new("vault").version("1").subcommand(
            clap::Command::new("sso")
                .about("IAM Identity Center")
                .subcommand(clap::Command::new("populate").about("Write profiles"))
                .subcommand(clap::Command::new("secret").hide(true)),
        );
        let names: Vec<String> = pages_of(cmd).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["vault.1", "vault-sso.1", "vault-sso-populate.1"]);
    }
}
