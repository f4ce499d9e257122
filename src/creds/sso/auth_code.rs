//! The OAuth authorization code flow with PKCE (RFC 7636) and a loopback redirect (RFC 8252),
//! as the AWS CLI signs in to an sso-session since 2.22 (botocore's `SSOTokenFetcherAuth`):
//! RegisterClient for the `authorization_code` and `refresh_token` grants with the redirect
//! `http://127.0.0.1/oauth/callback` and the start URL as issuer, the browser sent to the OIDC
//! endpoint's `/authorize`, then CreateToken with the code it brings back and the verifier.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use sha2::Digest as _;

use super::device::{CLIENT_MARGIN, registration};
use super::loopback::{CALLBACK_PATH, Callback, Loopback};
use super::sign_in::SignIn;
use crate::aws;
use crate::creds::items::{self, SsoClient, SsoToken};

const GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];
const SCOPE: &str = "sso:account:access";
/// The AWS CLI's: how long the user has to approve in the browser.
const APPROVAL_TIME: Duration = Duration::from_secs(600);

pub(super) enum Outcome {
    Token(SsoToken),
    /// No browser could be opened: the caller signs in with the device code instead.
    NoBrowser(String),
}

pub(super) async fn sign_in(s: &SignIn<'_>, oidc: &aws_sdk_ssooidc::Client) -> Result<Outcome> {
    let start_url = &s.session.start_url;
    let loopback = Loopback::bind().await?;
    let redirect_uri = loopback.redirect_uri();
    let client = client(s, oidc).await?;
    let pkce = Pkce::new();
    let state = hex::encode(crate::random::bytes::<16>());
    let url = authorize_url(
        &s.oidc.url,
        &s.session.region,
        &client.client_id,
        &redirect_uri,
        &state,
        &pkce.challenge,
    )?;
    crate::note!(
        "vault: IAM Identity Center sign-in for {} ({start_url})",
        s.who
    );
    crate::note!("vault: open {url}");
    if let Err(why) = crate::browser::open_detached(&url) {
        return Ok(Outcome::NoBrowser(why.to_string()));
    }
    crate::note!(
        "vault: waiting for approval in the browser... (on another device: run again with --use-device-code or VAULT_SSO_USE_DEVICE_CODE=1)"
    );
    let (code, answered_state) = match loopback.wait(APPROVAL_TIME).await {
        Some(Callback::Code { code, state }) => (code, state),
        Some(Callback::Error(error)) => bail!(
            "{}: IAM Identity Center sign-in for {start_url} was refused by the portal ({}) (run the command again and approve the request in the browser)",
            s.who,
            short_error(&error)
        ),
        None => bail!(
            "{}: IAM Identity Center sign-in for {start_url} expired before it was approved (run the command again and approve the request in the browser)",
            s.who
        ),
    };
    // Anything on this machine can reach the loopback port: only the answer to this request
    // (RFC 6749 §10.12) is taken.
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        answered_state.as_bytes(),
        state.as_bytes(),
    )) {
        bail!(
            "{}: IAM Identity Center sign-in for {start_url} refused: the browser came back with a state that is not this sign-in's (run the command again)",
            s.who
        );
    }
    crate::debug!("CreateToken (authorization_code) for {start_url}");
    let out = oidc
        .create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type("authorization_code")
        .code(code)
        .code_verifier(&pkce.verifier)
        .redirect_uri(&redirect_uri)
        .send()
        .await
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
        .with_context(|| format!("{}: CreateToken for {start_url} failed", s.who))?;
    let mut token = s.token_from(&out)?;
    // Kept in the store with the access token, so an expired sign-in renews without the
    // browser (refresh.rs).
    token.refresh_token = out.refresh_token.clone();
    crate::debug!(
        "the sign-in {} a refresh token",
        if token.refresh_token.is_some() {
            "came with"
        } else {
            "has no"
        }
    );
    Ok(Outcome::Token(token))
}

/// The authorization code grant's registration for this start URL (its issuer) and region:
/// the cached one while it is fresh.
async fn client(s: &SignIn<'_>, oidc: &aws_sdk_ssooidc::Client) -> Result<SsoClient> {
    let item = items::sso_auth_code_client_item(&s.session.region, &s.session.start_url);
    if let Some(client) = items::read_cached::<SsoClient>(s.store, &item)?
        && client.expires_at - s.clock.now() > CLIENT_MARGIN
    {
        return Ok(client);
    }
    crate::debug!(
        "RegisterClient (authorization_code) in {}",
        s.session.region
    );
    let out = oidc
        .register_client()
        .client_name(format!("vault-{}", s.clock.now().timestamp()))
        .client_type("public")
        .set_grant_types(Some(GRANT_TYPES.map(String::from).to_vec()))
        // Without the port, as the AWS CLI registers it: loopback redirects may use any port
        // (RFC 8252 §7.3).
        .redirect_uris(format!("http://127.0.0.1{CALLBACK_PATH}"))
        .issuer_url(&s.session.start_url)
        .scopes(SCOPE)
        .send()
        .await
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
        .with_context(|| format!("{}: RegisterClient in {} failed", s.who, s.session.region))?;
    let client = registration(s, out)?;
    items::write_cached(s.store, &item, &client).with_context(|| format!("cannot cache {item}"))?;
    Ok(client)
}

/// A PKCE pair: a 64-character verifier of unreserved characters (RFC 7636 §4.1) and its
/// S256 challenge.
struct Pkce {
    verifier: String,
    challenge: String,
}

impl Pkce {
    fn new() -> Pkce {
        // 48 random bytes are 64 base64url characters, all unreserved.
        let verifier =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::random::bytes::<48>());
        Pkce {
            challenge: challenge(&verifier),
            verifier,
        }
    }
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// The page the browser opens: the OIDC endpoint's `/authorize` (AWS's regional one unless
/// an endpoint is set), with the AWS CLI's parameters.
fn authorize_url(
    endpoint: &Option<String>,
    region: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Result<String> {
    let base = match endpoint {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("https://oidc.{region}.amazonaws.com"),
    };
    let mut url = url::Url::parse(&format!("{base}/authorize"))
        .map_err(|why| anyhow!("the SSO OIDC endpoint is not a URL ({why})"))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scopes", SCOPE)
        .append_pair("code_challenge", challenge);
    Ok(url.to_string())
}

/// The portal's error code if it looks like one (`access_denied`), never arbitrary text.
fn short_error(error: &str) -> &str {
    if !error.is_empty()
        && error.len() <= 64
        && error
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        error
    } else {
        "an error"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s() {
        // RFC 7636 Appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let pkce = Pkce::new();
        assert_eq!(pkce.verifier.len(), 64);
        assert!(
            pkce.verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        );
        assert_eq!(pkce.challenge, challenge(&pkce.verifier));
    }

    #[test]
    fn the_authorize_url_has_the_aws_clis_parameters() {
        let url = authorize_url(
            &None,
            "eu-west-1",
            "cid",
            "http://127.0.0.1:4242/oauth/callback",
            "st",
            "ch",
        )
        .unwrap();
        assert_eq!(
            url,
            "https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&client_id=cid\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Foauth%2Fcallback&state=st\
             &code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=ch"
        );
        let local =
            authorize_url(&Some("http://127.0.0.1:9/".into()), "x", "c", "r", "s", "h").unwrap();
        assert!(
            local.starts_with("http://127.0.0.1:9/authorize?"),
            "{local}"
        );
    }

    #[test]
    fn portal_errors_are_shown_only_as_codes() {
        assert_eq!(short_error("access_denied"), "access_denied");
        assert_eq!(short_error("a\u{1b}[2J"), "an error");
        assert_eq!(short_error(""), "an error");
    }
}
