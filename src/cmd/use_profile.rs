//! `vault use`, `vault unuse`, `vault reload`: change the current shell through the glue's
//! `vault` function, which evals what these print. Without the glue they explain how to set it up.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::activate::dotfile::Request;
use crate::activate::plan;
use crate::activate::session::{self, next_check};
use crate::activate::state::{Source, State};
use crate::activate::watch::Watch;
use crate::cli::UseArgs;
use crate::shell::{EnvChanges, Shell};
use crate::store::Backend;

/// The shell whose glue called us (set by the `vault` shell function).
fn calling_shell() -> Result<Shell> {
    // Set by the glue, not by the user: the shell's state, not a setting.
    let name = crate::settings::var("__VAULT_SHELL").unwrap_or_default();
    Ok(match name.as_str() {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        "pwsh" => Shell::Pwsh,
        "nu" => Shell::Nu,
        _ => bail!(
            "this changes the current shell, so it needs the shell hook: add eval \"$(vault hook bash)\" (or zsh, fish, pwsh, nu; see README) to your shell's startup file"
        ),
    })
}

pub fn use_profile(backend: Option<Backend>, args: UseArgs) -> Result<ExitCode> {
    // No name: the picker where there is a terminal to draw it on (what is active is said
    // first, so nothing is lost), else, and with --status, only what is active.
    if args.profile.is_none() && !args.pick {
        crate::note!("{}", crate::term::escape(&describe(&session::read_state())));
        if args.status || !crate::pick::has_terminal() {
            return Ok(ExitCode::SUCCESS);
        }
    }
    // Before the picker: without the glue, choosing would be for nothing.
    let shell = calling_shell()?;
    // The picker draws on the terminal, never on stdout, which the glue evaluates.
    let Some(profile) = crate::pick::resolve(args.profile, args.pick, "use PROFILE")? else {
        return Ok(crate::pick::cancelled());
    };
    // An explicit command: a malformed setting is its error, as in `exec`.
    crate::settings::get().check()?;
    let state = session::read_state();
    let request = Request {
        profile,
        region: args.creds.region.clone(),
        duration: args.creds.duration,
        no_session: args.creds.no_session,
    };
    let (env, new_state) =
        session::activation(backend, &state, &request, Source::Use, args.creds.mfa_token)?;
    crate::term::say(&format!(
        "using '{}' in this shell (`vault unuse` to go back to folder rules)",
        request.profile
    ));
    print_with_watch(shell, env, &state, &new_state)?;
    crate::pick::recent::record(&request.profile);
    Ok(ExitCode::SUCCESS)
}

pub fn unuse() -> Result<ExitCode> {
    let shell = calling_shell()?;
    let state = session::read_state();
    let Some(active) = &state.active else {
        crate::note!("vault: nothing is active");
        return Ok(ExitCode::SUCCESS);
    };
    if active.source != Source::Use {
        crate::term::say(&format!(
            "'{}' comes from a .awsvault, not `vault use`",
            active.profile
        ));
        return Ok(ExitCode::SUCCESS);
    }
    // Restore the user's values now; the next prompt's hook applies the folder rules from a
    // clean slate (a watch due at time 0 makes the glue run it).
    let restore = plan::deactivate(&state);
    let out = session::render(
        shell,
        restore,
        &state,
        &State::default(),
        Some(Watch::ask_again()),
    );
    std::io::stdout().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn reload(backend: Option<Backend>) -> Result<ExitCode> {
    let shell = calling_shell()?;
    // Like the prompt's hook: a malformed setting is a line, the rest works as set.
    crate::settings::get().report_problems();
    let out = crate::activate::hook::statements(backend, shell, true)?;
    std::io::stdout().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn print_with_watch(shell: Shell, env: EnvChanges, old: &State, new_state: &State) -> Result<()> {
    let trust = crate::activate::trust::TrustDb::open_default().ok();
    let mut watch = trust
        .map(|t| session::inspect(&session::cwd(), &t, shell.watch_style()).1)
        .unwrap_or_else(Watch::ask_again);
    watch.next = next_check(new_state, session::min_ttl());
    let out = session::render(shell, env, old, new_state, Some(watch));
    std::io::stdout().write_all(&out)?;
    Ok(())
}

/// `vault use` with no name: what is active and why.
fn describe(state: &State) -> String {
    let Some(active) = &state.active else {
        return match crate::settings::var("AWS_VAULT") {
            Some(p) => format!("'{p}' is active, set outside the hook (vault exec or aws-vault)"),
            None => "nothing is active".into(),
        };
    };
    let why = match &active.source {
        Source::Use => "chosen with `vault use`".to_string(),
        Source::File { path, .. } => format!("from {path}"),
    };
    let left = match active.expires {
        Some(e) => {
            let left = e - session::now();
            if left > 0 {
                format!(", {} left", crate::duration_text::human(left))
            } else {
                ", expired".into()
            }
        }
        None => ", long-term keys".into(),
    };
    format!("'{}' is active, {why}{left}", active.profile)
}
