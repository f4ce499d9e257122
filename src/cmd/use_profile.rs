//! `vault use`, `vault unuse`, `vault reload`: change the current shell through the glue's
//! `vault` function, which evals what these print. Without the glue they explain how to set it up.

use std::process::ExitCode;

use anyhow::{Result, bail};

use super::session::{self, next_check};
use crate::activate::dotfile::Request;
use crate::activate::plan;
use crate::activate::state::{Source, State};
use crate::cli::UseArgs;
use crate::shell::{EnvChanges, Shell};
use crate::store::Backend;

/// The shell whose glue called us (set by the `vault` shell function).
fn calling_shell() -> Result<Shell> {
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
    let Some(profile) = args.profile else {
        eprintln!("{}", describe(&session::read_state()));
        return Ok(ExitCode::SUCCESS);
    };
    let shell = calling_shell()?;
    let state = session::read_state();
    let request = Request {
        profile,
        region: args.creds.region.clone(),
        duration: args.creds.duration,
        no_session: args.creds.no_session,
    };
    let (env, new_state) =
        session::activation(backend, &state, &request, Source::Use, args.creds.mfa_token)?;
    eprintln!(
        "vault: using '{}' in this shell (`vault unuse` to go back to folder rules)",
        request.profile
    );
    print_with_watch(shell, env, &state, &new_state);
    Ok(ExitCode::SUCCESS)
}

pub fn unuse() -> Result<ExitCode> {
    let shell = calling_shell()?;
    let state = session::read_state();
    let Some(active) = &state.active else {
        eprintln!("vault: nothing is active");
        return Ok(ExitCode::SUCCESS);
    };
    if active.source != Source::Use {
        eprintln!(
            "vault: '{}' comes from a .awsvault, not `vault use`",
            active.profile
        );
        return Ok(ExitCode::SUCCESS);
    }
    // Restore the user's values now; the next prompt's hook applies the folder rules from a
    // clean slate (a watch due at time 0 makes the glue run it).
    let restore = plan::deactivate(&state);
    let watch = crate::shell::emit::Watch {
        next: 0,
        ..Default::default()
    };
    print!(
        "{}",
        session::render(shell, restore, &state, &State::default(), Some(&watch))
    );
    Ok(ExitCode::SUCCESS)
}

pub fn reload(backend: Option<Backend>) -> Result<ExitCode> {
    let shell = calling_shell()?;
    print!("{}", super::hook_env::statements(backend, shell, true)?);
    Ok(ExitCode::SUCCESS)
}

fn print_with_watch(shell: Shell, env: EnvChanges, old: &State, new_state: &State) {
    let trust = crate::activate::trust::TrustDb::open_default().ok();
    let mut watch = trust
        .map(|t| session::inspect(&session::cwd(), &t).1)
        .unwrap_or_default();
    watch.next = next_check(new_state, session::min_ttl());
    print!(
        "{}",
        session::render(shell, env, old, new_state, Some(&watch))
    );
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
                format!(", {} left", super::list::human(left))
            } else {
                ", expired".into()
            }
        }
        None => ", long-term keys".into(),
    };
    format!("'{}' is active, {why}{left}", active.profile)
}
