//! Settings read from the environment: TTLs, MFA and endpoint overrides.
//!
//! Every `VAULT_*` setting falls back to aws-vault's `AWS_VAULT_*` name, and the TTL variables
//! are aws-vault's own, so an aws-vault user's shell keeps working unchanged.

use std::time::Duration;

use anyhow::{Context, Result, bail};

pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(3600);
pub const DEFAULT_CHAINED_SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
pub const DEFAULT_ASSUME_ROLE_TTL: Duration = Duration::from_secs(3600);
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(5 * 60);
/// AWS refuses role-chained sessions longer than this.
pub const ROLE_CHAINING_MAX: Duration = Duration::from_secs(3600);
/// How long one AWS call may take, every attempt included: an unreachable or silent endpoint
/// is an error in seconds, not a hung prompt.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the shell hook waits for another vault process fetching the same session: no
/// longer than one call may take.
pub const DEFAULT_LOCK_WAIT: Duration = DEFAULT_CALL_TIMEOUT;

/// Parse `1h`, `15m`, `90s`, `1h30m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(text).map_err(|e| {
        crate::term::escape(&format!(
            "'{text}' is not a duration ({e}); use e.g. 15m, 1h, 12h"
        ))
        .into_owned()
    })
}

/// `~/x` as a path under the home directory; anything else as it is.
pub fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

/// A non-empty environment variable.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `VAULT_X`, else aws-vault's `AWS_VAULT_X`.
pub fn var_with_fallback(ours: &str, theirs: &str) -> Option<String> {
    var(ours).or_else(|| var(theirs))
}

/// A duration from the environment, with the variable named in the error.
pub fn duration_var(name: &str) -> Result<Option<Duration>> {
    match var(name) {
        None => Ok(None),
        Some(text) => parse_duration(&text)
            .map(Some)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("environment variable {name}")),
    }
}

/// `VAULT_CALL_TIMEOUT`: the time limit of one AWS call (an advanced setting; tests shorten it).
pub fn call_timeout() -> Result<Duration> {
    positive_duration_var("VAULT_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT)
}

/// `VAULT_LOCK_WAIT`: how long the shell hook waits for another process's session lock (an
/// advanced setting; tests shorten it).
pub fn lock_wait() -> Result<Duration> {
    positive_duration_var("VAULT_LOCK_WAIT", DEFAULT_LOCK_WAIT)
}

/// A duration from the environment that must be more than zero, else `default`.
fn positive_duration_var(name: &str, default: Duration) -> Result<Duration> {
    match duration_var(name)? {
        None => Ok(default),
        Some(limit) if limit.is_zero() => bail!("environment variable {name}: must be more than 0"),
        Some(limit) => Ok(limit),
    }
}

/// The TTLs in force, read once per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ttls {
    pub session: Option<Duration>,
    pub chained_session: Option<Duration>,
    pub assume_role: Option<Duration>,
    pub min_ttl: Duration,
}

impl Ttls {
    pub fn from_env() -> Result<Ttls> {
        // The clients and the lock read these where they are built (falling back to the
        // defaults); checking them here makes a typo an error in every command that fetches.
        call_timeout()?;
        lock_wait()?;
        Ok(Ttls {
            session: duration_var("AWS_SESSION_TOKEN_TTL")?,
            chained_session: duration_var("AWS_CHAINED_SESSION_TOKEN_TTL")?,
            assume_role: duration_var("AWS_ASSUME_ROLE_TTL")?,
            min_ttl: duration_var("AWS_MIN_TTL")?.unwrap_or(DEFAULT_MIN_TTL),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_the_forms_users_type() {
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("soon").unwrap_err().contains("'soon'"));
    }
}
