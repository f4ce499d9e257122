//! The prompt hook's work, from state and folder to statements: decide (plan.rs), fetch
//! credentials when the decision needs them, apply the failure policy, and hand the glue a
//! watch record. Used by `vault hook-env` (at a prompt) and `vault reload` (forced).

use anyhow::Result;

use super::plan::{self, Action, Inputs};
use super::session::{self, inspect, next_check};
use super::trust::TrustDb;
use crate::shell::{EnvChanges, Shell};
use crate::store::Backend;
use crate::term::say;

/// Statements for `shell`. `force` (`vault reload`) renews now and always says why a failure
/// happened; a prompt says it once.
pub fn statements(backend: Option<Backend>, shell: Shell, force: bool) -> Result<Vec<u8>> {
    let state = &session::read_state();
    let trust = TrustDb::open_default()?;
    let (project, mut watch) = inspect(&session::cwd(), &trust, shell.watch_style());
    let now = session::now();
    let min_ttl = session::min_ttl();
    // The shell's state (set by `vault exec` or aws-vault), not a setting.
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
        say(message);
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
                if force || plan::should_report_failure(&decision.state, &request, &source, renewal)
                {
                    let what = if renewal { "renew" } else { "activate" };
                    // Say plainly what this shell still holds, so nobody runs a command in
                    // this folder believing it has the new profile.
                    let kept = match &decision.state.active {
                        Some(active) if !renewal => format!("; still using '{}'", active.profile),
                        _ => String::new(),
                    };
                    say(&format!(
                        "cannot {what} profile '{}': {err:#}{kept} (`vault reload` to retry)",
                        request.profile
                    ));
                }
                let kept = plan::failed(&decision.state, &request, &source, renewal, now);
                (EnvChanges::default(), kept)
            }
        },
    };
    watch.next = next_check(&new_state, min_ttl);
    Ok(session::render(shell, env, state, &new_state, Some(watch)))
}
