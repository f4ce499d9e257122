//! The shell session seen from the binary: the state variable, the managed variables, the
//! project file and its trust, and turning a planned activation into statements. Shared by
//! `hook-env`, `use`, `unuse` and `reload`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::activate::MANAGED;
use crate::activate::dotfile::{self, Request};
use crate::activate::plan::{self, Project};
use crate::activate::state::{self, Source, State};
use crate::activate::trust::{ProjectFile, Trust, TrustDb};
use crate::activate::watch::{PromptInfo, Style, Watch};
use crate::cli::CredentialArgs;
use crate::shell::emit;
use crate::shell::{EnvChanges, Shell};
use crate::store::Backend;

/// "Never" for the watch clock: nothing time-based is pending.
const NEVER: i64 = 4_102_444_800;

// The variables read here (the state, the managed ones, PWD, AWS_VAULT, ...) are the shell's
// state that the hook decides on, not settings: they stay out of `Settings`.

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
    crate::clock::now()
}

/// AWS_MIN_TTL in seconds; a malformed TTL variable leaves it as set (the hook reports it).
pub fn min_ttl() -> i64 {
    crate::settings::get().ttls.min_ttl.as_secs() as i64
}

/// The working directory to decide for (see cwd.rs: `$PWD` only while it is the real one).
pub fn cwd() -> PathBuf {
    super::cwd::current()
}

/// The nearest project file, judged, and the watch record that fully determines that verdict:
/// every candidate looked at, the trust records consulted, as `style` observes them.
pub fn inspect(dir: &Path, trust: &TrustDb, style: Style) -> (Option<Project>, Watch) {
    // The `$PWD` this decision is for: '' when `dir` is not it (cwd.rs fell back to the kernel's
    // answer), so a glue that cannot compare `$PWD` with `.` itself (PowerShell) asks again.
    let pwd = std::env::var_os("PWD").filter(|pwd| Path::new(pwd) == dir);
    let mut watch = Watch {
        pwd: pwd.unwrap_or_default(),
        ..Watch::default()
    };
    // Observed before anything is read: a change between the observation and the read makes
    // the next prompt look again, never the reverse.
    let (looked, found) = dotfile::walk(dir);
    for candidate in &looked {
        watch.observe(style, candidate);
    }
    let Some(found) = found else {
        return (None, watch);
    };
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
    let records = trust.records(&file);
    watch.observe(style, &records.deny);
    watch.observe(style, &records.allow);
    let hash = file.hash();
    let verdict = trust.check(&file);
    // An untrusted file is not parsed: nothing in it matters until it is allowed.
    let request = match verdict {
        Trust::Allowed => dotfile::parse(&file.content),
        _ => Err(String::new()),
    };
    let project = Project::Found {
        path: file.path.display().to_string(),
        hash,
        trust: verdict,
        request,
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
    let store = crate::store::open_selected(backend)?;
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
    let fetched = crate::creds::fetch::credentials_with_region(
        store.as_ref(),
        &request.profile,
        &args,
        fallback_region,
        // Not `check`ed: a malformed setting is reported by `hook-env`, `use` and `reload`,
        // and the others are used as set.
        crate::settings::get(),
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

/// Statements that apply `env` and store `new_state` (or remove the variable when empty),
/// then the watch record with what the prompt segment shows.
pub fn render(
    shell: Shell,
    mut env: EnvChanges,
    old: &State,
    new_state: &State,
    watch: Option<Watch>,
) -> Vec<u8> {
    // Also when the variable's presence disagrees with the state (e.g. set by hand to garbage).
    if new_state != old || std::env::var_os(state::VAR).is_some() == new_state.is_empty() {
        if new_state.is_empty() {
            env.unset.push(state::VAR.to_string());
        } else {
            env.set.push((state::VAR.to_string(), new_state.encode()));
        }
    }
    let watch = watch.map(|mut w| {
        w.prompt = prompt_info(old, new_state);
        w
    });
    emit::hook_statements(shell, &env, watch.as_ref())
}

/// What the prompt segment shows: the hook's profile, else (nothing of ours active before or
/// after) what `vault exec` or aws-vault put in the environment, as `vault prompt` does.
pub fn prompt_info(old: &State, new_state: &State) -> Option<PromptInfo> {
    if let Some(active) = &new_state.active {
        return Some(PromptInfo {
            profile: active.profile.clone(),
            expires: active.expires,
        });
    }
    if old.active.is_some() {
        return None;
    }
    Some(PromptInfo {
        profile: crate::settings::var("AWS_VAULT")?,
        expires: crate::settings::var("AWS_CREDENTIAL_EXPIRATION")
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e).ok())
            .map(|e| e.timestamp()),
    })
}
