//! Choosing a profile without remembering its name: `vault exec`, `login` and `export` with no
//! profile (and no AWS_PROFILE), and `vault use --pick`, open a picker over the config's
//! profiles on the terminal. Never from the prompt hook: only those commands call [`resolve`].

mod filter;
pub mod recent;
mod rows;
mod ui;

use std::process::ExitCode;

use anyhow::{Result, bail};

/// The exit code of a cancelled pick, as for a command ended by Ctrl-C (128 + SIGINT): a
/// script sees nothing ran, and the shell glue evaluates nothing.
pub const CANCELLED: u8 = 130;

/// The profile to use: `named` unless `pick` asks for the picker or no profile is named.
/// `None` when the person cancelled (after the one line saying so).
/// `usage` is the command's form with a profile, for the error without a terminal.
pub fn resolve(named: Option<String>, pick: bool, usage: &str) -> Result<Option<String>> {
    match named {
        // An empty AWS_PROFILE is unset, as every empty setting is.
        Some(name) if !pick && !name.is_empty() => Ok(Some(name)),
        _ => choose(usage),
    }
}

/// Whether a picker could be drawn here (stdin and the controlling terminal are a terminal).
pub fn has_terminal() -> bool {
    ui::terminal().is_some()
}

/// The exit code for a cancelled pick.
pub fn cancelled() -> ExitCode {
    ExitCode::from(CANCELLED)
}

fn choose(usage: &str) -> Result<Option<String>> {
    let config = crate::profile::load_config()?;
    let rows = rows::rows(&config, &recent::load());
    if rows.is_empty() {
        bail!(
            "no profile named, and {} has none to choose from (add one with `vault add NAME`)",
            config.path.display()
        );
    }
    let Some(term) = ui::terminal() else {
        bail!("{}", no_terminal(usage, &rows));
    };
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let details: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {}", r.account, r.kind, r.region))
        .collect();
    let lines = rows::layout(&rows);
    let title = format!(
        "vault {}: profile",
        usage.split(' ').next().unwrap_or(usage)
    );
    match ui::pick(&term, &title, &names, &details, &lines) {
        Ok(ui::Outcome::Chose(i)) => Ok(Some(names[i].clone())),
        Ok(ui::Outcome::Cancelled) => {
            crate::term::say("cancelled");
            Ok(None)
        }
        Err(e) => bail!("cannot read the terminal: {e}"),
    }
}

/// Without a terminal nobody can pick: say how to name one, with the names most likely meant
/// (the most recently used first) so the next try can be typed.
fn no_terminal(usage: &str, rows: &[rows::Row]) -> String {
    const SHOWN: usize = 5;
    let names: Vec<String> = rows
        .iter()
        .take(SHOWN)
        .map(|r| format!("'{}'", crate::term::escape(&r.name)))
        .collect();
    let more = match rows.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more (`vault list`)"),
    };
    format!(
        "no profile named and no terminal to pick one: run `vault {usage}` or set AWS_PROFILE; profiles, most recently used first: {}{more}",
        names.join(", ")
    )
}
