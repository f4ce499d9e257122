//! `exec --server`: a credential endpoint on 127.0.0.1 in the shape of the ECS container
//! credentials provider, so every AWS SDK and the AWS CLI in the child fetch (and re-fetch)
//! credentials from it by themselves, instead of reading them once from the environment.
//!
//! Only the child may ask: the server listens on loopback only, on a random port, and answers
//! only requests whose `Authorization` header is a random token given to the child alone
//! (compared in constant time). It renews the credentials when they come within AWS_MIN_TTL
//! of expiry, so a long-running child never holds expired ones.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Result, anyhow};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use super::env::EXEC_UNSET;
use super::{Credentials, rfc3339};
use crate::clock::Clock;
use crate::shell::EnvChanges;

/// The variables through which the child reaches the server.
pub const URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// Removed from the child's environment besides `exec`'s list: an expiry of credentials the
/// child no longer holds, and the relative URI and token file, which would win over ours.
const SERVER_ALSO_UNSET: &[&str] = &[
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The child's environment in server mode: like `exec`'s, with the server's address and
/// token in place of the credentials themselves.
pub fn child_changes(profile: &str, region: Option<&str>, url: &str, token: &str) -> EnvChanges {
    // Credentials in the environment would win over the server (SDKs read it first).
    let mut env = super::env::base(profile, region);
    env.set.push((URI_VAR.into(), url.into()));
    env.set.push((TOKEN_VAR.into(), token.into()));
    env.unset = EXEC_UNSET
        .iter()
        .chain(SERVER_ALSO_UNSET)
        .map(|s| s.to_string())
        .collect();
    env
}

/// A running credential server. `serve` answers requests until `stop` is called.
pub struct CredentialServer {
    http: tiny_http::Server,
    port: u16,
    token: String,
    stopping: AtomicBool,
}

impl CredentialServer {
    /// Listen on 127.0.0.1, on a port the OS picks, with a fresh random token.
    pub fn start() -> Result<CredentialServer> {
        let http = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| anyhow!("cannot start the credential server on 127.0.0.1: {e}"))?;
        let port = http
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| anyhow!("the credential server has no TCP address"))?;
        Ok(CredentialServer {
            http,
            port,
            token: new_token(),
            stopping: AtomicBool::new(false),
        })
    }

    /// The URL for AWS_CONTAINER_CREDENTIALS_FULL_URI.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The secret for AWS_CONTAINER_AUTHORIZATION_TOKEN. Never print it.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Make `serve` return (from any thread).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.http.unblock();
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
        loop {
            let request = match self.http.recv() {
                Ok(request) => request,
                Err(_) if self.stopping.load(Ordering::SeqCst) => return,
                Err(e) => {
                    crate::debug!("credential server: {e}");
                    continue;
                }
            };
            let host = header(&request, "Host");
            let authorization = header(&request, "Authorization");
            let verdict = check(&Incoming {
                method: request.method().as_str(),
                path: request.url(),
                remote: request.remote_addr().copied(),
                host: host.as_deref(),
                authorization: authorization.as_deref(),
                port: self.port,
                token: &self.token,
            });
            let response = match verdict {
                Err(refusal) => {
                    crate::debug!(
                        "credential server: refused {} {} ({})",
                        request.method(),
                        request.url(),
                        refusal.status
                    );
                    json_response(refusal.status, &error_body(refusal.reason))
                }
                Ok(()) => match self.answer(&mut current, min_ttl, clock, &mut renew) {
                    Ok(body) => json_response(200, &body),
                    Err(message) => json_response(500, &error_body(&message)),
                },
            };
            if let Err(e) = request.respond(response) {
                crate::debug!("credential server: cannot answer: {e}");
            }
        }
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

/// What `check` looks at in a request. No `Debug`: it holds the server's token and the
/// request's Authorization header.
#[derive(Clone)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub remote: Option<SocketAddr>,
    pub host: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub port: u16,
    pub token: &'a str,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
}

fn refuse(status: u16, reason: &'static str) -> Result<(), Refusal> {
    Err(Refusal { status, reason })
}

/// Whether to answer: from loopback, with the token, addressed to us (a page in a browser
/// that rebinds a DNS name to 127.0.0.1 sends its own Host), a GET of `/`.
pub fn check(request: &Incoming) -> Result<(), Refusal> {
    if !request.remote.is_some_and(|a| a.ip().is_loopback()) {
        return refuse(403, "only this machine may ask");
    }
    let authorized = request
        .authorization
        // Constant time: how long the answer takes says nothing about how much matched.
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(request.token.as_bytes())));
    if !authorized {
        return refuse(401, "missing or wrong Authorization token");
    }
    if let Some(host) = request.host {
        let ours = [
            format!("127.0.0.1:{}", request.port),
            format!("localhost:{}", request.port),
        ];
        if !ours.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return refuse(403, "unexpected Host");
        }
    }
    if request.method != "GET" {
        return refuse(405, "only GET is supported");
    }
    if request.path.split('?').next() != Some("/") {
        return refuse(404, "not found");
    }
    Ok(())
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

fn header(request: &tiny_http::Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

fn json_response(status: u16, body: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let content_type =
        tiny_http::Header::from_bytes("Content-Type", "application/json").expect("a valid header");
    tiny_http::Response::from_string(body)
        .with_status_code(status)
        .with_header(content_type)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const TOKEN: &str = "s3cr3t-token";

    fn incoming<'a>(authorization: Option<&'a str>) -> Incoming<'a> {
        Incoming {
            method: "GET",
            path: "/",
            remote: Some("127.0.0.1:50000".parse().unwrap()),
            host: Some("127.0.0.1:4242"),
            authorization,
            port: 4242,
            token: TOKEN,
        }
    }

    #[test]
    fn answers_only_the_token_holder_on_loopback() {
        assert_eq!(check(&incoming(Some(TOKEN))), Ok(()));
        assert_eq!(check(&incoming(None)).unwrap_err().status, 401);
        assert_eq!(
            check(&incoming(Some("s3cr3t-tokeN"))).unwrap_err().status,
            401
        );
        assert_eq!(check(&incoming(Some("s3cr3t"))).unwrap_err().status, 401);
        let mut remote = incoming(Some(TOKEN));
        remote.remote = Some("192.168.1.2:5000".parse().unwrap());
        assert_eq!(check(&remote).unwrap_err().status, 403);
        remote.remote = None;
        assert_eq!(check(&remote).unwrap_err().status, 403);
        let mut v6 = incoming(Some(TOKEN));
        v6.remote = Some("[::1]:5000".parse().unwrap());
        assert_eq!(check(&v6), Ok(()));
    }

    #[test]
    fn refuses_foreign_hosts_methods_and_paths() {
        let mut r = incoming(Some(TOKEN));
        r.host = Some("evil.example:4242");
        assert_eq!(check(&r).unwrap_err().status, 403);
        r.host = Some("localhost:4242");
        assert_eq!(check(&r), Ok(()));
        r.host = None;
        assert_eq!(check(&r), Ok(()));
        r.method = "POST";
        assert_eq!(check(&r).unwrap_err().status, 405);
        r.method = "GET";
        r.path = "/other";
        assert_eq!(check(&r).unwrap_err().status, 404);
        r.path = "/?x=1";
        assert_eq!(check(&r), Ok(()));
    }

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
    fn child_environment_points_at_the_server_and_holds_no_keys() {
        let c = child_changes("will", Some("eu-west-1"), "http://127.0.0.1:1/", "tok");
        let names: Vec<_> = c.set.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "AWS_VAULT",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                URI_VAR,
                TOKEN_VAR
            ]
        );
        for gone in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ] {
            assert!(c.unset.iter().any(|u| u == gone), "{gone}");
        }
    }

    #[test]
    fn serves_over_http_and_renews() {
        use std::io::{Read, Write};
        let server = CredentialServer::start().unwrap();
        let port = server.port;
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
