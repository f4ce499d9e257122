//! The pure activation planner: no environment, file or clock access; everything comes in as
//! arguments, so every rule has a unit test.

use std::collections::BTreeMap;

use super::state::{Active, Failure, Source, State};
use super::trust::Trust;
use super::{CREDENTIAL_VARS, MANAGED, REGION_VARS};
use crate::activate::dotfile::Request;
use crate::creds::Credentials;
use crate::creds::env::{SHELL_UNSET, changes};
use crate::shell::EnvChanges;

/// A failed activation is retried (quietly) after this long.
pub const RETRY_AFTER_FAILURE: i64 = 60;
/// A failed renewal is retried after this long (`vault reload` retries at once).
pub const RETRY_AFTER_RENEWAL_FAILURE: i64 = 600;

/// The nearest `.awsvault`, as the edge found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    /// Could not be read safely (symlink, too large, not UTF-8...).
    Unreadable { path: String, error: String },
    /// Read and hashed; trusted or not, parsed or not.
    Found {
        path: String,
        hash: String,
        trust: Trust,
        request: Result<Request, String>,
    },
}

/// Everything the planner looks at.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub state: &'a State,
    pub project: Option<Project>,
    /// AWS_VAULT as the shell has it (to respect `vault exec` / aws-vault subshells).
    pub aws_vault_env: Option<&'a str>,
    pub now: i64,
    /// Renew when the credentials have less than this left (AWS_MIN_TTL).
    pub min_ttl: i64,
    /// `vault reload`: renew now, retry failures now.
    pub force: bool,
}

/// What the hook should do at this prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing to change in the environment; `state` may still need saving (a notice shown).
    Keep,
    /// Remove everything vault set and restore the user's values.
    Deactivate,
    /// Get credentials for `request` and activate them (a switch or a renewal).
    Activate {
        request: Request,
        source: Source,
        renewal: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    /// One line for stderr, when there is something new to say.
    pub message: Option<String>,
    /// The state to keep if the action needs no credentials (Keep, Deactivate).
    pub state: State,
}

/// What should be active, and why.
fn desired(inputs: &Inputs, notice: &mut Option<(String, String)>) -> Option<(Request, Source)> {
    if let Some(active) = &inputs.state.active
        && active.source == Source::Use
    {
        return Some((request_of(active), Source::Use));
    }
    match &inputs.project {
        None => None,
        Some(Project::Unreadable { path, error }) => {
            *notice = Some((
                format!("unreadable:{path}"),
                format!("{error}; nothing activated"),
            ));
            None
        }
        Some(Project::Found {
            path,
            hash,
            trust,
            request,
        }) => {
            let key = format!("{path}:{hash}");
            match trust {
                Trust::Allowed => {}
                Trust::Unknown => {
                    *notice = Some((
                        key,
                        format!("{path} is not allowed yet: run `vault allow` to trust it"),
                    ));
                    return None;
                }
                Trust::Changed => {
                    *notice = Some((
                        key,
                        format!(
                            "{path} changed since it was allowed: check it, then run `vault allow`"
                        ),
                    ));
                    return None;
                }
                Trust::Outdated => {
                    *notice = Some((
                        key,
                        format!(
                            "{path} was allowed by an older vault, whose records anyone could forge: check it, then run `vault allow` again"
                        ),
                    ));
                    return None;
                }
                Trust::Unconfirmed => {
                    *notice = Some((
                        key,
                        format!(
                            "{path} asks for no_session (your long-term keys in this shell), which was not confirmed: check it, then run `vault allow --allow-no-session`"
                        ),
                    ));
                    return None;
                }
                Trust::Denied => {
                    *notice = Some((key, format!("{path} is denied (`vault allow` to trust it)")));
                    return None;
                }
            }
            match request {
                Ok(request) => Some((
                    request.clone(),
                    Source::File {
                        path: path.clone(),
                        hash: hash.clone(),
                    },
                )),
                Err(error) => {
                    *notice = Some((key, format!("{path}: {error}; nothing activated")));
                    None
                }
            }
        }
    }
}

fn request_of(active: &Active) -> Request {
    Request {
        profile: active.profile.clone(),
        region: active.region.clone(),
        duration: active.duration.map(std::time::Duration::from_secs),
        no_session: active.no_session,
    }
}

fn target_key(request: &Request, source: &Source) -> String {
    match source {
        Source::Use => format!("use:{}", request.profile),
        Source::File { path, hash } => format!("{path}:{hash}"),
    }
}

/// Decide what to do at this prompt.
pub fn plan(inputs: &Inputs) -> Decision {
    let mut state = inputs.state.clone();
    let mut notice = None;
    let want = desired(inputs, &mut notice);
    // One line per visit: a message is shown when it differs from the last one shown.
    let message = match notice {
        Some((key, text)) if state.notice.as_deref() != Some(key.as_str()) => {
            state.notice = Some(key);
            Some(text)
        }
        Some(_) => None,
        None => {
            state.notice = None;
            None
        }
    };
    let keep = |state: State| Decision {
        action: Action::Keep,
        message: message.clone(),
        state,
    };

    // Somebody else (vault exec, aws-vault) put credentials in this shell: leave them alone.
    if state.active.is_none() && inputs.aws_vault_env.is_some() {
        return keep(state);
    }

    let Some((request, source)) = want else {
        return match &state.active {
            Some(_) => Decision {
                action: Action::Deactivate,
                message,
                state: State {
                    notice: state.notice.clone(),
                    ..State::default()
                },
            },
            None => {
                state.failure = None;
                keep(state)
            }
        };
    };

    if let Some(active) = &state.active
        && active.source == source
        && request_of(active) == request
    {
        let due = active
            .expires
            .is_some_and(|e| e - inputs.now <= inputs.min_ttl);
        let waiting = active.retry_after.is_some_and(|t| inputs.now < t);
        if inputs.force || (due && !waiting) {
            return Decision {
                action: Action::Activate {
                    request,
                    source,
                    renewal: true,
                },
                message,
                state,
            };
        }
        // Back in the active project: a failed switch elsewhere is forgotten.
        state.failure = None;
        return keep(state);
    }

    let key = target_key(&request, &source);
    if !inputs.force
        && let Some(failure) = &state.failure
        && failure.key == key
        && inputs.now < failure.retry_after
    {
        return keep(state);
    }
    Decision {
        action: Action::Activate {
            request,
            source,
            renewal: false,
        },
        message,
        state,
    }
}

/// The environment changes and new state once credentials for `request` are in hand.
/// `current` holds the shell's values of the managed variables (for saving, first time only).
pub fn activate(
    state: &State,
    request: &Request,
    source: Source,
    creds: &Credentials,
    region: Option<&str>,
    current: &BTreeMap<String, Option<String>>,
) -> (EnvChanges, State) {
    // The user's values are saved once, before the first activation; switching profiles keeps
    // them, so leaving restores what the user had, not the previous profile's values.
    let saved = if state.active.is_some() {
        state.saved.clone()
    } else {
        MANAGED
            .iter()
            .map(|name| (name.to_string(), current.get(*name).cloned().flatten()))
            .collect()
    };
    // Credential variables these credentials do not carry (a session token, an expiry) go.
    let unset = [SHELL_UNSET, CREDENTIAL_VARS].concat();
    let mut env = changes(&request.profile, creds, region, &unset);
    for name in REGION_VARS {
        if !env.set.iter().any(|(k, _)| k == name) {
            restore_one(&mut env, &saved, name);
        }
    }
    let active = Active {
        profile: request.profile.clone(),
        source,
        region: request.region.clone(),
        duration: request.duration.map(|d| d.as_secs()),
        no_session: request.no_session,
        expires: creds.expiration.map(|e| e.timestamp()),
        retry_after: None,
    };
    let new_state = State {
        active: Some(active),
        saved,
        notice: state.notice.clone(),
        failure: None,
    };
    (env, new_state)
}

/// Undo everything: the user's saved values come back exactly (including "was unset").
pub fn deactivate(state: &State) -> EnvChanges {
    let mut env = EnvChanges::default();
    if state.active.is_none() {
        return env;
    }
    for name in MANAGED {
        restore_one(&mut env, &state.saved, name);
    }
    env
}

fn restore_one(env: &mut EnvChanges, saved: &[(String, Option<String>)], name: &str) {
    match super::state::saved_value(saved, name) {
        Some(value) => env.set.push((name.to_string(), value.to_string())),
        None => env.unset.push(name.to_string()),
    }
}

/// The state after a failed activation or renewal: nothing in the environment changes.
pub fn failed(state: &State, request: &Request, source: &Source, renewal: bool, now: i64) -> State {
    let mut state = state.clone();
    if renewal {
        if let Some(active) = state.active.as_mut() {
            active.retry_after = Some(now + RETRY_AFTER_RENEWAL_FAILURE);
        }
    } else {
        state.failure = Some(Failure {
            key: target_key(request, source),
            retry_after: now + RETRY_AFTER_FAILURE,
        });
    }
    state
}

/// Whether a failure at this point is worth a line (once per target, not at every retry).
pub fn should_report_failure(
    state: &State,
    request: &Request,
    source: &Source,
    renewal: bool,
) -> bool {
    if renewal {
        return state
            .active
            .as_ref()
            .is_none_or(|a| a.retry_after.is_none());
    }
    state
        .failure
        .as_ref()
        .is_none_or(|f| f.key != target_key(request, source))
}

#[cfg(test)]
mod tests;
