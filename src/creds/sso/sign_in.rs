//! Signing in to IAM Identity Center: the cached access token while it is fresh, else, under
//! a cross-process lock (N commands started together open one browser tab or make one
//! refresh), its refresh token when it has one, else one sign-in by the authorization code
//! flow for an sso-session and the device code flow otherwise.

use std::time::Duration;

use anyhow::{Context, Result};

use super::{auth_code, device, refresh};
use crate::aws::{self, Endpoint, Service};
use crate::clock::Clock;
use crate::creds::items::{self, SsoToken};
use crate::store::{SecretStore, lock};

/// botocore's `SSOTokenProvider._REFRESH_WINDOW`: a token with a refresh token is renewed
/// when it has less than this left.
const REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);

/// What is signed in to: an `[sso-session]` (`name`), or a legacy profile's start URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub name: Option<String>,
    pub start_url: String,
    pub region: String,
}

/// One sign-in's context. `who` names what asked for it in messages ("profile 'dev'").
pub struct SignIn<'a> {
    pub(super) store: &'a dyn SecretStore,
    pub(super) who: String,
    pub(super) session: Session,
    pub(super) use_device_code: bool,
    pub(super) clock: &'a dyn Clock,
    /// `AWS_ENDPOINT_URL_SSO_OIDC`, vault's older name, then `AWS_ENDPOINT_URL`; none means
    /// AWS's regional endpoint.
    pub(super) oidc: Endpoint,
    item: String,
}

impl<'a> SignIn<'a> {
    pub fn new(
        store: &'a dyn SecretStore,
        who: String,
        session: Session,
        use_device_code: bool,
        clock: &'a dyn Clock,
    ) -> SignIn<'a> {
        let key = session.name.as_deref().unwrap_or(&session.start_url);
        SignIn {
            store,
            who,
            item: items::sso_token_item(key),
            oidc: Endpoint::resolve(Service::SsoOidc, Some(&session.region), None),
            session,
            use_device_code,
            clock,
        }
    }

    /// A token with more than `min_ttl` left, and whether it came from the cache.
    pub async fn token(&self, min_ttl: Duration) -> Result<(SsoToken, bool)> {
        if let Some(token) = self.cached()?
            && self.usable(&token, min_ttl)
            && !self.refresh_due(&token, min_ttl)
        {
            crate::debug!("using cached SSO token for '{}'", self.item);
            return Ok((token, true));
        }
        Ok((self.under_lock(min_ttl, None).await?, false))
    }

    /// A new token after the portal refused `refused` (signed out, revoked): never that one,
    /// and never from its refresh token (a session the portal ended needs the user).
    pub async fn renew(&self, min_ttl: Duration, refused: &str) -> Result<SsoToken> {
        self.under_lock(min_ttl, Some(refused)).await
    }

    /// The cached token if it is for this start URL and region, however old.
    fn cached(&self) -> Result<Option<SsoToken>> {
        let token: Option<SsoToken> = items::read_cached(self.store, &self.item)
            .with_context(|| format!("cannot read cached {}", self.item))?;
        Ok(token
            .filter(|t| t.start_url == self.session.start_url && t.region == self.session.region))
    }

    fn left(&self, token: &SsoToken) -> chrono::Duration {
        token.expires_at - self.clock.now()
    }

    /// More than `min_ttl` left.
    fn usable(&self, token: &SsoToken, min_ttl: Duration) -> bool {
        self.left(token) > chrono::Duration::from_std(min_ttl).unwrap_or(chrono::Duration::MAX)
    }

    /// A token with a refresh token is renewed once it is within `min_ttl` or botocore's
    /// refresh window of its expiry (or past it).
    fn refresh_due(&self, token: &SsoToken, min_ttl: Duration) -> bool {
        token.refresh_token.is_some() && !self.usable(token, min_ttl.max(REFRESH_WINDOW))
    }

    async fn under_lock(&self, min_ttl: Duration, refused: Option<&str>) -> Result<SsoToken> {
        let _guard = lock::acquire(&self.item)?;
        let oidc = aws_sdk_ssooidc::Client::new(&aws::config(&self.oidc, None));
        let mut cached = self
            .cached()?
            .filter(|t| Some(t.access_token.as_str()) != refused);
        if let Some(token) =
            cached.take_if(|t| self.usable(t, min_ttl) && !self.refresh_due(t, min_ttl))
        {
            crate::debug!("using the SSO token cached by another process meanwhile");
            return Ok(token);
        }
        if refused.is_none()
            && let Some(mut old) = cached.filter(|t| t.refresh_token.is_some())
        {
            match refresh::refresh(self, &oidc, &old).await {
                Ok(token) => {
                    crate::debug!("SSO sign-in renewed with its refresh token");
                    return self.keep(token);
                }
                Err(failed) => {
                    if failed.refused {
                        // The endpoint said no: drop the refresh token so later commands
                        // do not try it again.
                        old.refresh_token = None;
                        items::write_cached(self.store, &self.item, &old)
                            .with_context(|| format!("cannot cache {}", self.item))?;
                    }
                    if self.usable(&old, min_ttl) {
                        crate::debug!(
                            "renewing the SSO token failed ({}); the cached one is still valid",
                            failed.why
                        );
                        return Ok(old);
                    }
                    crate::note!(
                        "vault: the IAM Identity Center sign-in for {} could not be renewed ({}); signing in again",
                        self.who,
                        failed.why
                    );
                }
            }
        }
        let token = self.sign_in(&oidc).await?;
        self.keep(token)
    }

    fn keep(&self, token: SsoToken) -> Result<SsoToken> {
        items::write_cached(self.store, &self.item, &token)
            .with_context(|| format!("cannot cache {}", self.item))?;
        Ok(token)
    }

    /// The AWS CLI's choice: the authorization code flow for an sso-session unless the device
    /// code is asked for; vault also falls back to the device code when no browser opens.
    async fn sign_in(&self, oidc: &aws_sdk_ssooidc::Client) -> Result<SsoToken> {
        if self.session.name.is_some() && !self.use_device_code {
            match auth_code::sign_in(self, oidc).await? {
                auth_code::Outcome::Token(token) => return Ok(token),
                auth_code::Outcome::NoBrowser(why) => crate::note!(
                    "vault: no browser could be opened ({why}); signing in with a code on another device instead"
                ),
            }
        }
        device::sign_in(self, oidc).await
    }

    /// The token of an approved CreateToken (any grant), valid for what it says (an hour
    /// when it does not say); without a refresh token, which only the flows that use one set.
    pub(super) fn token_from(
        &self,
        answer: &aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
    ) -> anyhow::Result<SsoToken> {
        let access_token = answer
            .access_token
            .clone()
            .ok_or_else(|| anyhow::anyhow!("CreateToken answered no access token"))?;
        let lifetime = super::device::seconds_or(answer.expires_in, Duration::from_secs(3600));
        crate::debug!("SSO sign-in approved; token valid {}s", lifetime.as_secs());
        Ok(SsoToken {
            access_token,
            expires_at: self.clock.now() + chrono::Duration::from_std(lifetime).unwrap_or_default(),
            start_url: self.session.start_url.clone(),
            region: self.session.region.clone(),
            refresh_token: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::store::memory::MemoryStore;

    fn token(
        left: chrono::Duration,
        refresh: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> SsoToken {
        SsoToken {
            access_token: "a".into(),
            expires_at: now + left,
            start_url: "https://x/start".into(),
            region: "eu-west-1".into(),
            refresh_token: refresh.then(|| "r".into()),
        }
    }

    #[test]
    fn a_token_with_a_refresh_token_is_renewed_in_botocores_window_or_past_its_expiry() {
        let now = chrono::Utc::now();
        let clock = FixedClock::at(now);
        let store = MemoryStore::default();
        let session = Session {
            name: Some("corp".into()),
            start_url: "https://x/start".into(),
            region: "eu-west-1".into(),
        };
        let s = SignIn::new(&store, "test".into(), session, false, &clock);
        let minutes = chrono::Duration::minutes;
        let min = |m: u64| Duration::from_secs(m * 60);
        // (time left, has a refresh token, min_ttl) -> (usable, refresh due)
        for (left, refresh, min_ttl, usable, due) in [
            (minutes(-5), true, min(20), false, true),
            (minutes(-5), false, min(20), false, false),
            (minutes(10), true, min(1), true, true),
            (minutes(10), false, min(1), true, false),
            (minutes(16), true, min(1), true, false),
            (minutes(30), true, min(20), true, false),
            (minutes(19), true, min(20), false, true),
            (minutes(90), true, min(120), false, true),
        ] {
            let t = token(left, refresh, now);
            assert_eq!(
                (s.usable(&t, min_ttl), s.refresh_due(&t, min_ttl)),
                (usable, due),
                "{left} left, refresh token {refresh}, min_ttl {min_ttl:?}"
            );
        }
    }
}
