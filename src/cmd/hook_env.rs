//! `vault hook-env SHELL`: run by the glue when its own checks say something may have changed.
//! It never breaks the prompt: on any error it prints one line on stderr and no change.

use std::process::ExitCode;

use anyhow::Result;

use super::session::{self, inspect, next_check};
use crate::activate::plan::{self, Action, Inputs};
use crate::activate::trust::TrustDb;
use crate::cli::HookEnvArgs;
use crate::shell::{EnvChanges, Shell};
use crate::store::Backend;

/// How long a prompt waits for another vault process fetching the same session: no longer
/// than one STS call may take.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

pub fn run(backend: Option<Backend>, args: HookEnvArgs) -> Result<ExitCode> {
    crate::store::lock::limit_waits(LOCK_WAIT);
    match statements(backend, args.shell.into(), args.force) {
        Ok(text) => print!("{text}"),
        Err(err) => eprintln!("vault: {err:#}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Also used by `vault reload` (force).
pub fn statements(backend: Option<Backend>, shell: Shell, force: bool) -> Result<String> {
    let state = &session::read_state();
    let trust = TrustDb::open_default()?;
    let (project, mut watch) = inspect(&session::cwd(), &trust);
    let now = session::now();
    let min_ttl = session::min_ttl();
    let aws_vault = crate::settings::var("AWS_VAULT");
    let decision = plan::plan(&Inputs {
        state,
        project,
        aws_vault_env: aws_vault.as_deref(),
        now,
        min_ttl,
        force,
    });
    if let Some(message) = &decision.message {
        eprintln!("vault: {message}");
    }
    let (env, new_state) = match decision.action {
        Action::Keep => (EnvChanges::default(), decision.state),
        Action::Deactivate => (plan::deactivate(state), decision.state),
        Action::Activate {
            request,
            source,
            renewal,
        } => match session::activation(backend, &decision.state, &request, source.clone(), None) {
            Ok(done) => done,
            Err(err) => {
                // `vault reload` always says why; a prompt says it once.
                if force || plan::should_report_failure(&decision.state, &request, &source, renewal)
                {
                    let what = if renewal { "renew" } else { "activate" };
                    // Say plainly what this shell still holds, so nobody runs a command in
                    // this folder believing it has the new profile.
                    let kept = match &decision.state.active {
                        Some(active) if !renewal => format!("; still using '{}'", active.profile),
                        _ => String::new(),
                    };
                    eprintln!(
                        "vault: cannot {what} profile '{}': {err:#}{kept} (`vault reload` to retry)",
                        request.profile
                    );
                }
                let kept = plan::failed(&decision.state, &request, &source, renewal, now);
                (EnvChanges::default(), kept)
            }
        },
    };
    watch.next = next_check(&new_state, min_ttl);
    Ok(session::render(shell, env, state, &new_state, Some(&watch)))
}
