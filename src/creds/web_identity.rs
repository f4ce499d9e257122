//! `web_identity_token_file` as a credential source: AssumeRoleWithWebIdentity, an unsigned STS
//! call carrying an OIDC token. The file is read on every call, because whatever writes it
//! (Kubernetes, a CI runner) replaces the token before it expires.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;

use super::Credentials;
use crate::aws::{self, Endpoint};
use crate::profile::WebIdentitySource;
use crate::settings::DEFAULT_ASSUME_ROLE_TTL;

/// The role credentials of `source` for `profile`. The duration is AWS_ASSUME_ROLE_TTL
/// (`env_ttl`), else the profile's duration_seconds, else 1h.
pub fn credentials(
    profile: &str,
    source: &WebIdentitySource,
    endpoint: &Endpoint,
    env_ttl: Option<Duration>,
) -> Result<Credentials> {
    let path = crate::settings::expand_home(&source.token_file);
    let token = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "profile '{profile}': cannot read web_identity_token_file {}",
            path.display()
        )
    })?;
    let token = token.trim();
    if token.is_empty() {
        bail!(
            "profile '{profile}': web_identity_token_file {} is empty",
            path.display()
        );
    }
    let duration = env_ttl
        .or(source.duration_seconds)
        .unwrap_or(DEFAULT_ASSUME_ROLE_TTL);
    let session_name = source
        .role_session_name
        .clone()
        .unwrap_or_else(|| format!("vault-{}", Utc::now().timestamp_millis()));
    crate::debug!(
        "AssumeRoleWithWebIdentity {} for '{profile}' ({}s) at {}",
        source.role_arn,
        duration.as_secs(),
        endpoint.url.as_deref().unwrap_or("AWS")
    );
    let output = aws::runtime()?
        .block_on(
            super::sts::client(endpoint, None)
                .assume_role_with_web_identity()
                .role_arn(&source.role_arn)
                .role_session_name(session_name)
                .web_identity_token(token)
                .duration_seconds(super::sts::seconds(duration))
                .send(),
        )
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
        .with_context(|| {
            format!(
                "profile '{profile}': AssumeRoleWithWebIdentity {} failed",
                source.role_arn
            )
        })?;
    super::sts::convert(output.credentials).with_context(|| format!("profile '{profile}'"))
}
