//! The OAuth device code flow (RFC 8628) through aws-sdk-ssooidc: RegisterClient (cached in
//! the store until the registration expires), StartDeviceAuthorization, a browser tab or the
//! URL and code on stderr, then CreateToken polled at the interval the service asks for.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};

use super::sign_in::SignIn;
use crate::aws;
use crate::creds::items::{self, SsoClient, SsoToken};

/// RFC 8628 §3.5: on `slow_down` the interval grows by 5 seconds for good.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Used when the service gives no interval / lifetime (the RFC's defaults).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
const DEFAULT_AUTHORIZATION_LIFETIME: Duration = Duration::from_secs(600);
/// A cached client registration is reused only while it outlives a whole sign-in.
pub(super) const CLIENT_MARGIN: chrono::Duration = chrono::Duration::hours(1);
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(super) async fn sign_in(s: &SignIn<'_>, oidc: &aws_sdk_ssooidc::Client) -> Result<SsoToken> {
    let start_url = &s.session.start_url;
    let (mut client, mut from_cache) = client(s, oidc, false).await?;
    let auth = loop {
        crate::debug!(
            "StartDeviceAuthorization for {start_url} at {}",
            s.oidc.url.as_deref().unwrap_or("AWS")
        );
        let answer = oidc
            .start_device_authorization()
            .client_id(&client.client_id)
            .client_secret(&client.client_secret)
            .start_url(start_url)
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
                (client, from_cache) = self::client(s, oidc, true).await?;
            }
            Err(e) => {
                return Err(anyhow!("{}", aws::describe(&e))).with_context(|| {
                    format!("{}: StartDeviceAuthorization for {start_url} failed", s.who)
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
            "{}: StartDeviceAuthorization for {start_url} answered a verification URL vault will not open",
            s.who
        )
    })?;
    let code = user_code(auth.user_code.as_deref().unwrap_or_default()).with_context(|| {
        format!(
            "{}: StartDeviceAuthorization for {start_url} answered a user code vault will not show",
            s.who
        )
    })?;
    crate::note!(
        "vault: IAM Identity Center sign-in for {} ({start_url})",
        s.who
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
            bail!("{}", stopped(s, PollAnswer::Expired));
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
            Ok(out) => return s.token_from(&out),
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
            return Err(anyhow!("{}", aws::describe(&error)))
                .with_context(|| format!("{}: CreateToken for {start_url} failed", s.who));
        };
        crate::debug!("CreateToken: {answer:?}");
        interval = next_wait(answer, interval).map_err(|stop| anyhow!(stopped(s, stop)))?;
    }
}

/// The one line for a sign-in the user did not complete.
pub(super) fn stopped(s: &SignIn<'_>, why: PollAnswer) -> String {
    let what = match why {
        PollAnswer::Denied => "was denied",
        _ => "expired before it was approved",
    };
    format!(
        "{}: IAM Identity Center sign-in for {} {what} (run the command again and approve the request in the browser)",
        s.who, s.session.start_url
    )
}

/// vault's device-flow client registration in this region: the cached one unless `fresh` is
/// asked for or it is about to expire. Returns whether it came from the cache.
async fn client(
    s: &SignIn<'_>,
    oidc: &aws_sdk_ssooidc::Client,
    fresh: bool,
) -> Result<(SsoClient, bool)> {
    let item = items::sso_client_item(&s.session.region);
    if !fresh
        && let Some(client) = items::read_cached::<SsoClient>(s.store, &item)?
        && client.expires_at - s.clock.now() > CLIENT_MARGIN
    {
        return Ok((client, true));
    }
    crate::debug!("RegisterClient in {}", s.session.region);
    let out = oidc
        .register_client()
        .client_name(format!("vault-{}", s.clock.now().timestamp()))
        .client_type("public")
        .send()
        .await
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
        .with_context(|| format!("{}: RegisterClient in {} failed", s.who, s.session.region))?;
    let client = registration(s, out)?;
    items::write_cached(s.store, &item, &client).with_context(|| format!("cannot cache {item}"))?;
    Ok((client, false))
}

/// RegisterClient's answer as it is cached.
pub(super) fn registration(
    s: &SignIn<'_>,
    out: aws_sdk_ssooidc::operation::register_client::RegisterClientOutput,
) -> Result<SsoClient> {
    Ok(SsoClient {
        client_id: out
            .client_id
            .clone()
            .ok_or_else(|| anyhow!("RegisterClient answered no client id"))?,
        client_secret: out
            .client_secret
            .clone()
            .ok_or_else(|| anyhow!("RegisterClient answered no client secret"))?,
        expires_at: DateTime::<Utc>::from_timestamp(out.client_secret_expires_at, 0)
            .unwrap_or_else(|| s.clock.now()),
    })
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
pub(super) enum PollAnswer {
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

pub(super) fn seconds_or(seconds: i32, default: Duration) -> Duration {
    u64::try_from(seconds)
        .ok()
        .filter(|s| *s > 0)
        .map_or(default, Duration::from_secs)
}

/// Open `url` in a browser without ever failing the flow or blocking it: `$BROWSER` when set,
/// else the desktop's opener. The URL is on stderr either way.
pub(super) fn open_browser(url: &str) {
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
