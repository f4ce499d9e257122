//! The shell session seen from the binary: the state variable, the managed variables, the
//! project file and its trust, and turning a planned activation into statements. Shared by
//! `hook-env`, `use`, `unuse` and `reload`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::Utc;

use crate::activate::MANAGED;
use crate::activate::dotfile::{self, Request};
use crate::activate::plan::{self, Project};
use crate::activate::state::{self, Source, State};
use crate::activate::trust::{ProjectFile, TrustDb};
use crate::cli::CredentialArgs;
use crate::settings::{DEFAULT_MIN_TTL, Ttls};
use crate::shell::emit::{self, Watch};
use crate::shell::{EnvChanges, Shell};
use crate::store::Backend;

/// "Never" for the watch clock: nothing time-based is pending.
const NEVER: i64 = 4_102_444_800;

pub fn read_state() -> State {
    std::env::var(state::VAR)
        .map(|s| State::decode(&s))
        .unwrap_or_default()
}

/// The shell's current values of the managed variables.
pub fn managed_env() -> BTreeMap<String, Option<String>> {
    MANAGED
        .iter()
        .map(|name| (name.to_string(), std::env::var(name).ok()))
        .collect()
}

pub fn now() -> i64 {
    Utc::now().timestamp()
}

pub fn min_ttl() -> i64 {
    Ttls::from_env()
        .map(|t| t.min_ttl)
        .unwrap_or(DEFAULT_MIN_TTL)
        .as_secs() as i64
}

/// The shell's logical working directory ($PWD keeps symlinked folders as the user typed them).
pub fn cwd() -> PathBuf {
    std::env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// The nearest project file, judged, and what the glue should watch.
pub fn inspect(dir: &Path, trust: &TrustDb) -> (Option<Project>, Watch) {
    let mut watch = Watch::default();
    let Some(found) = dotfile::find(dir) else {
        return (None, watch);
    };
    watch.file = found.display().to_string();
    let file = match ProjectFile::read(&found) {
        Ok(file) => file,
        Err(e) => {
            let project = Project::Unreadable {
                path: found.display().to_string(),
                error: format!("{e:#}"),
            };
            return (Some(project), watch);
        }
    };
    watch.body = file.content.clone();
    let records = trust.records(&file);
    watch.allow_path = records.allow.display().to_string();
    watch.deny_path = records.deny.display().to_string();
    let hash = file.hash();
    watch.allow_hash = hash.clone();
    let project = Project::Found {
        path: file.path.display().to_string(),
        hash,
        trust: trust.check(&file),
        request: dotfile::parse(&file.content),
    };
    (Some(project), watch)
}

/// When the clock next matters for this state.
pub fn next_check(state: &State, min_ttl: i64) -> i64 {
    let mut next = NEVER;
    if let Some(active) = &state.active
        && let Some(expires) = active.expires
    {
        next = next.min((expires - min_ttl).max(active.retry_after.unwrap_or(0)));
    }
    if let Some(failure) = &state.failure {
        next = next.min(failure.retry_after);
    }
    next
}

/// Credentials for `request`, then the environment changes and the new state.
pub fn activation(
    backend: Option<Backend>,
    state: &State,
    request: &Request,
    source: Source,
    mfa_token: Option<String>,
) -> Result<(EnvChanges, State)> {
    let store = super::open_store(backend)?;
    let args = CredentialArgs {
        no_session: request.no_session,
        duration: request.duration,
        region: request.region.clone(),
        mfa_token,
    };
    // Ctrl-C at an MFA prompt cancels this activation, not the shell's prompt.
    crate::tty::make_prompts_interruptible();
    // A profile without a region gets the user's own, not the one a previous profile set.
    let user_region = |name: &str| match &state.active {
        Some(_) => crate::activate::state::saved_value(&state.saved, name)
            .filter(|v| !v.is_empty())
            .map(str::to_string),
        None => crate::settings::var(name),
    };
    let fallback_region = user_region("AWS_REGION").or_else(|| user_region("AWS_DEFAULT_REGION"));
    let fetched = super::fetch::credentials_with_region(
        store.as_ref(),
        &request.profile,
        &args,
        fallback_region,
    )?;
    Ok(plan::activate(
        state,
        request,
        source,
        &fetched.credentials,
        fetched.region.as_deref(),
        &managed_env(),
    ))
}

/// Statements that apply `env` and store `new_state` (or remove the variable when empty).
pub fn render(
    shell: Shell,
    mut env: EnvChanges,
    old: &State,
    new_state: &State,
    watch: Option<&Watch>,
) -> String {
    // Also when the variable's presence disagrees with the state (e.g. set by hand to garbage).
    if new_state != old || std::env::var_os(state::VAR).is_some() == new_state.is_empty() {
        if new_state.is_empty() {
            env.unset.push(state::VAR.to_string());
        } else {
            env.set.push((state::VAR.to_string(), new_state.encode()));
        }
    }
    emit::hook_statements(shell, &env, watch)
}
