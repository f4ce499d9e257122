//! Renewing a sign-in without the browser, as botocore's `SSOTokenProvider` does: CreateToken
//! with `grant_type=refresh_token`, the cached token's refresh token, and the client id and
//! secret of the authorization code flow's registration it was issued to.

use anyhow::{Result, anyhow, bail};

use super::sign_in::SignIn;
use crate::aws;
use crate::creds::items::{self, SsoClient, SsoToken};

const GRANT_TYPE: &str = "refresh_token";

/// Why a refresh gave no token.
pub(super) struct Failed {
    /// One line for the user (AWS's error code and message, or the transport's cause); never
    /// the refresh token.
    pub why: String,
    /// The OIDC endpoint said no (expired or revoked refresh token, unknown client): trying
    /// the same refresh token again cannot help.
    pub refused: bool,
}

/// A new access token for `old`'s refresh token. The caller holds the sign-in lock.
pub(super) async fn refresh(
    s: &SignIn<'_>,
    oidc: &aws_sdk_ssooidc::Client,
    old: &SsoToken,
) -> Result<SsoToken, Failed> {
    let Some(refresh_token) = old.refresh_token.as_deref() else {
        return Err(Failed {
            why: "no refresh token".into(),
            refused: true,
        });
    };
    let client = registration(s).map_err(|why| Failed {
        why: why.to_string(),
        refused: true,
    })?;
    crate::debug!(
        "CreateToken (refresh_token) for {} at {}",
        s.session.start_url,
        s.oidc.url.as_deref().unwrap_or("AWS")
    );
    let answer = oidc
        .create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type(GRANT_TYPE)
        .refresh_token(refresh_token)
        .send()
        .await
        .map_err(|e| {
            let error = aws::call_error(&e);
            Failed {
                refused: e.as_service_error().is_some() && !error.retryable,
                why: error.text,
            }
        })?;
    let mut token = s.token_from(&answer).map_err(|why| Failed {
        why: why.to_string(),
        refused: false,
    })?;
    // OIDC may rotate the refresh token; when it does not, the old one stays good (RFC 6749
    // section 6).
    token.refresh_token = answer
        .refresh_token
        .clone()
        .or_else(|| old.refresh_token.clone());
    Ok(token)
}

/// The cached registration of the authorization code flow, while it is valid: a refresh
/// never registers a new client (the refresh token belongs to the one that signed in).
fn registration(s: &SignIn<'_>) -> Result<SsoClient> {
    let item = items::sso_auth_code_client_item(&s.session.region, &s.session.start_url);
    match items::read_cached::<SsoClient>(s.store, &item)
        .map_err(|e| anyhow!("cannot read cached {item}: {e}"))?
    {
        Some(client) if client.expires_at > s.clock.now() => Ok(client),
        Some(_) => bail!("the client registration it was issued to has expired"),
        None => bail!("the client registration it was issued to is gone"),
    }
}
