//! IAM Identity Center (SSO) as a credential source.
//!
//! The OAuth device flow (RFC 8628) through aws-sdk-ssooidc: RegisterClient (cached in the store
//! until the registration expires), StartDeviceAuthorization, a browser tab or the URL and code
//! on stderr, then CreateToken polled at the interval the service asks for. The access token is
//! cached in the store until it expires and the whole flow runs under a cross-process lock, so
//! N commands started together open one tab. The account role's credentials come from
//! GetRoleCredentials (aws-sdk-sso), every time: they are cheap and need no user.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};

use super::Credentials;
use super::items::{self, SsoClient, SsoToken};
use crate::aws::{self, Endpoint, Service};
use crate::clock::Clock;
use crate::profile::SsoSource;
use crate::store::{SecretStore, lock};

/// RFC 8628 §3.5: on `slow_down` the interval grows by 5 seconds for good.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Used when the service gives no interval / lifetime (the RFC's defaults).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
const DEFAULT_AUTHORIZATION_LIFETIME: Duration = Duration::from_secs(600);
/// A cached client registration is reused only while it outlives a whole device flow.
const CLIENT_MARGIN: chrono::Duration = chrono::Duration::hours(1);
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The role credentials of `sso` for `profile`, signing in first when no cached token has
/// more than `min_ttl` left.
pub fn credentials(
    store: &dyn SecretStore,
    profile: &str,
    sso: &SsoSource,
    min_ttl: Duration,
    clock: &dyn Clock,
) -> Result<Credentials> {
    let runtime = aws::runtime()?;
    // The SDKs' variables first (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_SSO`), then
    // vault's older names, then `AWS_ENDPOINT_URL`; none means AWS's regional endpoints.
    let flow = Flow {
        store,
        profile,
        sso,
        min_ttl,
        clock,
        oidc: Endpoint::resolve(Service::SsoOidc, Some(&sso.region), None),
        portal: Endpoint::resolve(Service::Sso, Some(&sso.region), None),
        item: items::sso_token_item(sso.token_key()),
    };
    let (token, cached) = match flow.cached_token()? {
        Some(token) => {
            crate::debug!("using cached SSO token for '{}'", sso.token_key());
            (token, true)
        }
        None => (runtime.block_on(flow.token_under_lock(None))?, false),
    };
    match runtime.block_on(flow.role_credentials(&token.access_token)) {
        Err(RoleError::Unauthorized(_)) if cached => {
            // Signed out or revoked before its expiry: sign in again, once.
            crate::debug!("the cached SSO token was refused: signing in again");
            let token = runtime.block_on(flow.token_under_lock(Some(&token.access_token)))?;
            runtime
                .block_on(flow.role_credentials(&token.access_token))
                .map_err(|e| flow.role_error(e))
        }
        other => other.map_err(|e| flow.role_error(e)),
    }
}

enum RoleError {
    Unauthorized(String),
    Other(anyhow::Error),
}

struct Flow<'a> {
    store: &'a dyn SecretStore,
    profile: &'a str,
    sso: &'a SsoSource,
    min_ttl: Duration,
    clock: &'a dyn Clock,
    oidc: Endpoint,
    portal: Endpoint,
    item: String,
}

impl Flow<'_> {
    /// The cached token if it is for this start URL and region and still fresh.
    fn cached_token(&self) -> Result<Option<SsoToken>> {
        let token: Option<SsoToken> = items::read_cached(self.store, &self.item)
            .with_context(|| format!("cannot read cached {}", self.item))?;
        let min_ttl = chrono::Duration::from_std(self.min_ttl).unwrap_or(chrono::Duration::MAX);
        Ok(token.filter(|t| {
            t.start_url == self.sso.start_url
                && t.region == self.sso.region
                && t.expires_at - self.clock.now() > min_ttl
        }))
    }

    /// A token from the cache or a new sign-in, under the lock so parallel commands share one
    /// device flow. `refused` is a token the portal rejected: never reuse that one.
    async fn token_under_lock(&self, refused: Option<&str>) -> Result<SsoToken> {
        let _guard = lock::acquire(&self.item)?;
        if let Some(token) = self.cached_token()?
            && Some(token.access_token.as_str()) != refused
        {
            crate::debug!("using the SSO token cached by another process meanwhile");
            return Ok(token);
        }
        let token = self.device_flow().await?;
        items::write_cached(self.store, &self.item, &token)
            .with_context(|| format!("cannot cache {}", self.item))?;
        Ok(token)
    }

    async fn device_flow(&self) -> Result<SsoToken> {
        let oidc = aws_sdk_ssooidc::Client::new(&aws::config(&self.oidc, None));
        let (mut client, mut from_cache) = self.client(&oidc, false).await?;
        let auth = loop {
            crate::debug!(
                "StartDeviceAuthorization for {} at {}",
                self.sso.start_url,
                self.oidc.url.as_deref().unwrap_or("AWS")
            );
            let answer = oidc
                .start_device_authorization()
                .client_id(&client.client_id)
                .client_secret(&client.client_secret)
                .start_url(&self.sso.start_url)
                .send()
                .await;
            match answer {
                Ok(auth) => break auth,
                // A registration revoked before its expiry: register again, once.
                Err(e)
                    if from_cache
                        && e.as_service_error()
                            .is_some_and(|s| s.is_invalid_client_exception()) =>
                {
                    (client, from_cache) = self.client(&oidc, true).await?;
                }
                Err(e) => {
                    return Err(anyhow!("{}", aws::describe(&e))).with_context(|| {
                        format!(
                            "profile '{}': StartDeviceAuthorization for {} failed",
                            self.profile, self.sso.start_url
                        )
                    });
                }
            }
        };
        let device_code = auth
            .device_code
            .clone()
            .ok_or_else(|| anyhow!("StartDeviceAuthorization answered no device code"))?;
        let url = auth
            .verification_uri_complete
            .as_deref()
            .or(auth.verification_uri.as_deref())
            .ok_or_else(|| anyhow!("StartDeviceAuthorization answered no verification URL"))?;
        let url = verification_url(url).with_context(|| {
            format!(
                "profile '{}': StartDeviceAuthorization for {} answered a verification URL vault will not open",
                self.profile, self.sso.start_url
            )
        })?;
        let code = user_code(auth.user_code.as_deref().unwrap_or_default()).with_context(|| {
            format!(
                "profile '{}': StartDeviceAuthorization for {} answered a user code vault will not show",
                self.profile, self.sso.start_url
            )
        })?;
        crate::note!(
            "vault: IAM Identity Center sign-in for profile '{}' ({})",
            self.profile,
            self.sso.start_url
        );
        crate::note!("vault: open {url}");
        crate::note!("vault: and check that it shows the code {code}; waiting for approval...");
        open_browser(&url);

        let mut interval = seconds_or(auth.interval, DEFAULT_INTERVAL);
        let lifetime = seconds_or(auth.expires_in, DEFAULT_AUTHORIZATION_LIFETIME);
        let deadline = tokio::time::Instant::now() + lifetime;
        loop {
            tokio::time::sleep(interval).await;
            if tokio::time::Instant::now() >= deadline {
                bail!("{}", self.stopped(PollAnswer::Expired));
            }
            let answer = oidc
                .create_token()
                .client_id(&client.client_id)
                .client_secret(&client.client_secret)
                .grant_type(GRANT_TYPE)
                .device_code(&device_code)
                .send()
                .await;
            let error = match answer {
                Ok(out) => {
                    let access_token = out
                        .access_token
                        .clone()
                        .ok_or_else(|| anyhow!("CreateToken answered no access token"))?;
                    let lifetime = seconds_or(out.expires_in, Duration::from_secs(3600));
                    crate::debug!("SSO sign-in approved; token valid {}s", lifetime.as_secs());
                    return Ok(SsoToken {
                        access_token,
                        expires_at: self.clock.now()
                            + chrono::Duration::from_std(lifetime).unwrap_or_default(),
                        start_url: self.sso.start_url.clone(),
                        region: self.sso.region.clone(),
                    });
                }
                Err(e) => e,
            };
            let service = error.as_service_error();
            let answer = if service.is_some_and(|s| s.is_authorization_pending_exception()) {
                PollAnswer::Pending
            } else if service.is_some_and(|s| s.is_slow_down_exception()) {
                PollAnswer::SlowDown
            } else if service.is_some_and(|s| s.is_expired_token_exception()) {
                PollAnswer::Expired
            } else if service.is_some_and(|s| s.is_access_denied_exception()) {
                PollAnswer::Denied
            } else {
                return Err(anyhow!("{}", aws::describe(&error))).with_context(|| {
                    format!(
                        "profile '{}': CreateToken for {} failed",
                        self.profile, self.sso.start_url
                    )
                });
            };
            crate::debug!("CreateToken: {answer:?}");
            interval = next_wait(answer, interval).map_err(|stop| anyhow!(self.stopped(stop)))?;
        }
    }

    fn stopped(&self, why: PollAnswer) -> String {
        let what = match why {
            PollAnswer::Denied => "was denied",
            _ => "expired before it was approved",
        };
        format!(
            "profile '{}': IAM Identity Center sign-in for {} {what} (run the command again and approve the request in the browser)",
            self.profile, self.sso.start_url
        )
    }

    /// vault's client registration in this region: the cached one unless `fresh` is asked
    /// for or it is about to expire. Returns whether it came from the cache.
    async fn client(
        &self,
        oidc: &aws_sdk_ssooidc::Client,
        fresh: bool,
    ) -> Result<(SsoClient, bool)> {
        let item = items::sso_client_item(&self.sso.region);
        if !fresh
            && let Some(client) = items::read_cached::<SsoClient>(self.store, &item)?
            && client.expires_at - self.clock.now() > CLIENT_MARGIN
        {
            return Ok((client, true));
        }
        crate::debug!("RegisterClient in {}", self.sso.region);
        let out = oidc
            .register_client()
            .client_name(format!("vault-{}", self.clock.now().timestamp()))
            .client_type("public")
            .send()
            .await
            .map_err(|e| anyhow!("{}", aws::describe(&e)))
            .with_context(|| {
                format!(
                    "profile '{}': RegisterClient in {} failed",
                    self.profile, self.sso.region
                )
            })?;
        let client = SsoClient {
            client_id: out
                .client_id
                .clone()
                .ok_or_else(|| anyhow!("RegisterClient answered no client id"))?,
            client_secret: out
                .client_secret
                .clone()
                .ok_or_else(|| anyhow!("RegisterClient answered no client secret"))?,
            expires_at: DateTime::<Utc>::from_timestamp(out.client_secret_expires_at, 0)
                .unwrap_or_else(|| self.clock.now()),
        };
        items::write_cached(self.store, &item, &client)
            .with_context(|| format!("cannot cache {item}"))?;
        Ok((client, false))
    }

    async fn role_credentials(&self, access_token: &str) -> Result<Credentials, RoleError> {
        crate::debug!(
            "GetRoleCredentials {} in account {} at {}",
            self.sso.role_name,
            self.sso.account_id,
            self.portal.url.as_deref().unwrap_or("AWS")
        );
        let portal = aws_sdk_sso::Client::new(&aws::config(&self.portal, None));
        let out = portal
            .get_role_credentials()
            .role_name(&self.sso.role_name)
            .account_id(&self.sso.account_id)
            .access_token(access_token)
            .send()
            .await
            .map_err(|e| {
                let text = aws::describe(&e);
                if e.as_service_error()
                    .is_some_and(|s| s.is_unauthorized_exception())
                {
                    RoleError::Unauthorized(text)
                } else {
                    RoleError::Other(anyhow!(text))
                }
            })?;
        let creds = out
            .role_credentials
            .ok_or_else(|| RoleError::Other(anyhow!("answered no credentials")))?;
        let field = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| RoleError::Other(anyhow!("answered no {name}")))
        };
        Credentials::new(
            "IAM Identity Center's answer",
            field(creds.access_key_id, "access key id")?,
            field(creds.secret_access_key, "secret access key")?,
            Some(field(creds.session_token, "session token")?),
            // The portal gives milliseconds since the epoch.
            Some(
                DateTime::<Utc>::from_timestamp_millis(creds.expiration)
                    .ok_or_else(|| RoleError::Other(anyhow!("answered an expiry out of range")))?,
            ),
        )
        .map_err(|e| RoleError::Other(e.into()))
    }

    fn role_error(&self, error: RoleError) -> anyhow::Error {
        let cause = match error {
            RoleError::Unauthorized(text) => anyhow!(text),
            RoleError::Other(e) => e,
        };
        cause.context(format!(
            "profile '{}': GetRoleCredentials for role {} in account {} failed (check sso_account_id and sso_role_name)",
            self.profile, self.sso.role_name, self.sso.account_id
        ))
    }
}

/// The verification page the OIDC endpoint named, as it will be shown and opened: an `https`
/// URL with a host and no userinfo, in the parser's serialization (percent-encoded, the host
/// in ASCII), so it holds no control character, space or look-alike host. Anything else could
/// open a local file (`file://`) or a program's URL handler, or pass for another site
/// (`https://portal.aws@evil/`). The rejected URL is named by its scheme only.
fn verification_url(text: &str) -> Result<String> {
    let url = url::Url::parse(text).map_err(|why| anyhow!("not a URL ({why})"))?;
    if url.scheme() != "https" {
        bail!(
            "its scheme is '{}', not https",
            crate::term::escape(url.scheme())
        );
    }
    if url.host().is_none() {
        bail!("it names no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("it has a user name before its host");
    }
    Ok(url.to_string())
}

/// The code the user compares with the page's: printable ASCII (AWS's are `ABCD-EFGH`), so no
/// invisible or right-to-left character can make two different codes look the same.
fn user_code(code: &str) -> Result<&str> {
    if code.is_empty() || code.len() > 64 || !code.bytes().all(|b| b.is_ascii_graphic()) {
        bail!("it is not a short run of printable ASCII characters");
    }
    Ok(code)
}

/// What a CreateToken poll said, when it did not give a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PollAnswer {
    Pending,
    SlowDown,
    Expired,
    Denied,
}

/// The wait before the next poll, or the answer that ends the flow.
fn next_wait(answer: PollAnswer, interval: Duration) -> Result<Duration, PollAnswer> {
    match answer {
        PollAnswer::Pending => Ok(interval),
        PollAnswer::SlowDown => Ok(interval + SLOW_DOWN_STEP),
        stop => Err(stop),
    }
}

fn seconds_or(seconds: i32, default: Duration) -> Duration {
    u64::try_from(seconds)
        .ok()
        .filter(|s| *s > 0)
        .map_or(default, Duration::from_secs)
}

/// Open `url` in a browser without ever failing the flow or blocking it: `$BROWSER` when set,
/// else the desktop's opener. The URL is on stderr either way.
fn open_browser(url: &str) {
    if let Err(why) = crate::browser::open_detached(url) {
        crate::note!("vault: no browser could be opened ({why}); open the URL above yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_follows_the_device_flow_rules() {
        let five = Duration::from_secs(5);
        assert_eq!(next_wait(PollAnswer::Pending, five), Ok(five));
        assert_eq!(
            next_wait(PollAnswer::SlowDown, five),
            Ok(Duration::from_secs(10)),
            "slow_down adds 5s"
        );
        assert_eq!(
            next_wait(PollAnswer::Expired, five),
            Err(PollAnswer::Expired)
        );
        assert_eq!(next_wait(PollAnswer::Denied, five), Err(PollAnswer::Denied));
    }

    #[test]
    fn only_https_verification_pages_are_shown() {
        assert_eq!(
            verification_url("https://device.sso.eu-west-1.amazonaws.com/?user_code=AB-CD")
                .unwrap(),
            "https://device.sso.eu-west-1.amazonaws.com/?user_code=AB-CD"
        );
        // The serialization is what the user sees: no controls, spaces or Unicode hosts.
        assert_eq!(
            verification_url("https://exämple.com/a b\u{1b}[2J").unwrap(),
            "https://xn--exmple-cua.com/a%20b%1B[2J"
        );
        for bad in [
            "file:///etc/passwd",
            "http://device.sso.eu-west-1.amazonaws.com/",
            "javascript:alert(1)",
            "ssh://host/",
            "https://portal.aws@evil.invalid/",
            "/relative",
            "",
        ] {
            assert!(verification_url(bad).is_err(), "{bad}");
        }
        let err = verification_url("file:///etc/passwd")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("passwd"), "{err}");
    }

    #[test]
    fn user_codes_are_printable_ascii() {
        assert_eq!(user_code("ABCD-EFGH").unwrap(), "ABCD-EFGH");
        for bad in [
            "",
            "AB\u{1b}[2J",
            "AB CD",
            "AB\u{202e}CD",
            "ÄBCD",
            &"A".repeat(65),
        ] {
            assert!(user_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn missing_or_bad_intervals_use_the_defaults() {
        assert_eq!(seconds_or(0, DEFAULT_INTERVAL), DEFAULT_INTERVAL);
        assert_eq!(seconds_or(-3, DEFAULT_INTERVAL), DEFAULT_INTERVAL);
        assert_eq!(seconds_or(2, DEFAULT_INTERVAL), Duration::from_secs(2));
    }
}
