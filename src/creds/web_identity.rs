//! `web_identity_token_file` and `web_identity_token_process` as a credential source:
//! AssumeRoleWithWebIdentity, an unsigned STS call carrying an OIDC token. The file is read (or
//! the command run) on every call, because whatever provides the token (Kubernetes, a CI runner,
//! an OIDC helper) replaces it before it expires.

use std::time::Duration;

use zeroize::Zeroizing;

use anyhow::{Context, Result, anyhow, bail};

use super::Credentials;
use crate::aws::{self, Endpoint};
use crate::profile::{WebIdentitySource, WebIdentityToken};
use crate::settings::DEFAULT_ASSUME_ROLE_TTL;

/// The lifetime asked: AWS_ASSUME_ROLE_TTL (`env_ttl`), else the profile's duration_seconds,
/// else 1h.
pub fn duration(source: &WebIdentitySource, env_ttl: Option<Duration>) -> Duration {
    env_ttl
        .or(source.duration_seconds)
        .unwrap_or(DEFAULT_ASSUME_ROLE_TTL)
}

/// The role credentials of `source` for `profile`. The duration is AWS_ASSUME_ROLE_TTL
/// (`env_ttl`), else the profile's duration_seconds, else 1h.
pub fn credentials(
    profile: &str,
    source: &WebIdentitySource,
    endpoint: &Endpoint,
    env_ttl: Option<Duration>,
) -> Result<Credentials> {
    let token = token(profile, &source.token)?;
    let token = token.as_str();
    let duration = duration(source, env_ttl);
    let session_name = source
        .role_session_name
        .clone()
        .unwrap_or_else(super::session_name::default_session_name);
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

/// As long as a credential_process may take: a helper may open a browser for a sign-in.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// The token, trimmed; never empty. It is a bearer secret: it stays out of every message.
fn token(profile: &str, source: &WebIdentityToken) -> Result<Zeroizing<String>> {
    let (text, what) = match source {
        WebIdentityToken::File(file) => {
            let path = crate::settings::expand_home(file);
            let what = format!("web_identity_token_file {}", path.display());
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("profile '{profile}': cannot read {what}"))?;
            (Zeroizing::new(text), what)
        }
        WebIdentityToken::Process(command) => {
            let what = format!("web_identity_token_process of profile '{profile}'");
            let mut stdout = Zeroizing::new(super::helper::run(command, PROCESS_TIMEOUT, &what)?);
            let text = String::from_utf8(std::mem::take(&mut *stdout))
                .map_err(|_| anyhow!("{what} printed something that is not text"))?;
            (Zeroizing::new(text), what)
        }
    };
    let trimmed = Zeroizing::new(text.trim().to_string());
    if trimmed.is_empty() {
        match source {
            WebIdentityToken::File(_) => bail!("profile '{profile}': {what} is empty"),
            WebIdentityToken::Process(_) => bail!("{what} printed no token"),
        }
    }
    Ok(trimmed)
}
