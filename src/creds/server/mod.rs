//! `exec --server`: a credential endpoint on 127.0.0.1 in the shape of the ECS container
//! credentials provider, so every AWS SDK and the AWS CLI in the child fetch (and re-fetch)
//! credentials from it by themselves, instead of reading them once from the environment.
//!
//! Only the child may ask: the server listens on loopback only, on a random port, and answers
//! only requests whose `Authorization` header is a random token given to the child alone
//! (compared in constant time). It renews the credentials when they come within AWS_MIN_TTL
//! of expiry, so a long-running child never holds expired ones.
//!
//! Two threads: the HTTP side (`http.rs`) takes any number of connections without waiting on
//! any of them, and asks the thread that called `serve`, which alone holds the credentials and
//! renews them (a renewal may prompt for an MFA code), for each answer.

mod check;
mod child_env;
mod http;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use tokio::runtime::Runtime;
use tokio::sync::Notify;

use super::{Credentials, rfc3339};
use crate::clock::Clock;

pub use check::{Incoming, Refusal, check};
pub use child_env::{TOKEN_VAR, URI_VAR, child_changes};

/// A running credential server. `serve` answers requests until `stop` is called.
pub struct CredentialServer {
    /// The HTTP side's own runtime: the SDK's one (`aws::runtime`) is driven by the renewals.
    runtime: Runtime,
    listener: tokio::net::TcpListener,
    shared: Arc<http::Shared>,
    stop: Notify,
}

impl CredentialServer {
    /// Listen on 127.0.0.1, on a port the OS picks, with a fresh random token.
    pub fn start() -> Result<CredentialServer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the credential server's runtime")?;
        let bound = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .context("cannot start the credential server on 127.0.0.1")?;
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(bound)
                .context("cannot start the credential server on 127.0.0.1")?
        };
        let port = listener
            .local_addr()
            .context("the credential server has no TCP address")?
            .port();
        Ok(CredentialServer {
            runtime,
            listener,
            shared: Arc::new(http::Shared {
                port,
                token: new_token(),
            }),
            stop: Notify::new(),
        })
    }

    /// The URL for AWS_CONTAINER_CREDENTIALS_FULL_URI.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.shared.port)
    }

    /// The secret for AWS_CONTAINER_AUTHORIZATION_TOKEN. Never print it.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// Make `serve` return (from any thread, before or while it runs).
    pub fn stop(&self) {
        // A permit is kept when nobody waits yet, so a stop is never lost.
        self.stop.notify_one();
    }

    /// Answer requests with `current`, replaced by `renew()` whenever it is within `min_ttl`
    /// of expiry, until `stop` is called.
    pub fn serve(
        &self,
        mut current: Credentials,
        min_ttl: Duration,
        clock: &dyn Clock,
        mut renew: impl FnMut() -> Result<Credentials>,
    ) {
        let (asks, questions) = std::sync::mpsc::channel::<http::Ask>();
        std::thread::scope(|scope| {
            let shared = self.shared.clone();
            scope.spawn(move || {
                self.runtime
                    .block_on(http::run(&self.listener, shared, &self.stop, asks));
            });
            // Ends when the HTTP side has stopped and dropped every way of asking.
            for reply in questions {
                let answer = match self.answer(&mut current, min_ttl, clock, &mut renew) {
                    Ok(body) => (200, body),
                    Err(message) => (500, error_body(&message)),
                };
                // The asker may have gone (its connection closed): nothing to tell.
                let _ = reply.send(answer);
            }
        });
    }

    fn answer(
        &self,
        current: &mut Credentials,
        min_ttl: Duration,
        clock: &dyn Clock,
        renew: &mut impl FnMut() -> Result<Credentials>,
    ) -> Result<String, String> {
        let now = clock.now();
        if needs_renewal(current, now, min_ttl) {
            crate::debug!("credential server: renewing credentials");
            match renew() {
                Ok(fresh) => *current = fresh,
                Err(e) if is_valid(current, clock.now()) => {
                    // Still usable: the SDK asks again later and renewal is retried then.
                    crate::note!("vault: credential server: cannot renew credentials: {e:#}");
                }
                Err(e) => {
                    crate::note!("vault: credential server: cannot renew credentials: {e:#}");
                    return Err(format!("cannot renew credentials: {e:#}"));
                }
            }
        }
        crate::debug!(
            "credential server: answered with {}{}",
            crate::debug::redact_key_id(&current.access_key_id),
            current
                .expiration
                .map(|e| format!(", expiring {}", rfc3339(e)))
                .unwrap_or_default()
        );
        Ok(body(current))
    }
}

/// True when `creds` expire within `min_ttl` (long-term keys never do).
pub fn needs_renewal(creds: &Credentials, now: DateTime<Utc>, min_ttl: Duration) -> bool {
    let min_ttl = chrono::Duration::from_std(min_ttl).unwrap_or(chrono::Duration::MAX);
    creds.remaining(now).is_some_and(|left| left < min_ttl)
}

fn is_valid(creds: &Credentials, now: DateTime<Utc>) -> bool {
    creds
        .remaining(now)
        .is_none_or(|left| left > chrono::Duration::zero())
}

/// The container credentials answer the AWS SDKs expect.
pub fn body(creds: &Credentials) -> String {
    let mut value = serde_json::json!({
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token.clone().unwrap_or_default(),
    });
    if let Some(expiration) = creds.expiration {
        value["Expiration"] = rfc3339(expiration).into();
    }
    value.to_string()
}

fn error_body(message: &str) -> String {
    serde_json::json!({ "message": message }).to_string()
}

/// 32 random bytes, base64url: what the child must send as its Authorization header.
fn new_token() -> String {
    let bytes: [u8; 32] = crate::random::bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn creds(expiration: Option<DateTime<Utc>>) -> Credentials {
        Credentials::new(
            "the test",
            "ASIAEXAMPLE".into(),
            "secret".into(),
            Some("token".into()),
            expiration,
        )
        .unwrap()
    }

    #[test]
    fn body_has_the_container_credentials_shape() {
        let when = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let value: serde_json::Value = serde_json::from_str(&body(&creds(Some(when)))).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "AccessKeyId": "ASIAEXAMPLE",
                "SecretAccessKey": "secret",
                "Token": "token",
                "Expiration": "2026-01-01T12:00:00Z"
            })
        );
    }

    #[test]
    fn renewal_starts_within_min_ttl() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let min = Duration::from_secs(300);
        let soon = creds(Some(now + chrono::Duration::seconds(299)));
        let later = creds(Some(now + chrono::Duration::seconds(301)));
        assert!(needs_renewal(&soon, now, min));
        assert!(!needs_renewal(&later, now, min));
        assert!(!needs_renewal(&creds(None), now, min));
        assert!(is_valid(&soon, now));
        assert!(!is_valid(&creds(Some(now)), now));
    }

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn serves_over_http_and_renews() {
        use std::io::{Read, Write};
        let server = CredentialServer::start().unwrap();
        let port = server.shared.port;
        let token = server.token().to_string();
        let now = Utc::now();
        let get = |auth: Option<&str>| {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            let auth = auth
                .map(|a| format!("Authorization: {a}\r\n"))
                .unwrap_or_default();
            write!(
                s,
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Connection: close\r\n\r\n"
            )
            .unwrap();
            let mut text = String::new();
            s.read_to_string(&mut text).unwrap();
            text
        };
        std::thread::scope(|scope| {
            let server = &server;
            let handle = scope.spawn(move || {
                let mut renewals = 0;
                server.serve(
                    creds(Some(now + chrono::Duration::seconds(60))),
                    Duration::from_secs(120),
                    &crate::clock::FixedClock::at(now),
                    || {
                        renewals += 1;
                        let mut fresh = creds(Some(now + chrono::Duration::hours(1)));
                        fresh.access_key_id = "ASIARENEWED".into();
                        Ok(fresh)
                    },
                );
                renewals
            });
            let refused = get(None);
            assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
            assert!(!refused.contains("secret"));
            let ok = get(Some(&token));
            assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
            assert!(ok.contains("ASIARENEWED"), "{ok}");
            let again = get(Some(&token));
            assert!(again.contains("ASIARENEWED"), "{again}");
            server.stop();
            assert_eq!(handle.join().unwrap(), 1, "renewed once, then kept");
        });
    }
}
