//! Console sign-in through AWS's federation endpoint, the pure parts: which sign-in and console
//! domains serve a region, the Session JSON, and the two federation URLs. The HTTP call and the
//! browser live in `cmd/login.rs`.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::Credentials;

/// `Issuer` of the login URL: where the console sends the user when the session ends.
pub const ISSUER: &str = "vault";

/// The federated user's rights are the intersection of the IAM user's and this policy, so
/// the console session can do what the user can (aws-vault passes the same).
pub const FEDERATION_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// How long a sign-in token stays valid (AWS's rule; said to the user next to the URL).
pub const SIGNIN_TOKEN_LIFETIME: &str = "15 minutes";

/// The AWS partitions with their own sign-in and console domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    China,
    GovCloud,
}

impl Partition {
    /// The partition of `region`; no region means the commercial one.
    pub fn of(region: Option<&str>) -> Partition {
        match region {
            Some(r) if r.starts_with("cn-") => Partition::China,
            Some(r) if r.starts_with("us-gov-") => Partition::GovCloud,
            _ => Partition::Aws,
        }
    }

    pub fn signin_domain(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::China => "signin.amazonaws.cn",
            Partition::GovCloud => "signin.amazonaws-us-gov.com",
        }
    }

    pub fn console_domain(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::China => "console.amazonaws.cn",
            Partition::GovCloud => "console.amazonaws-us-gov.com",
        }
    }
}

/// The federation endpoint for `region`: `override_url` (VAULT_FEDERATION_ENDPOINT) when given,
/// else the partition's. Credentials travel in its query string, so anything but HTTPS is
/// refused unless it is on this machine (a test server). The value is parsed as a URL (WHATWG,
/// as HTTP clients read it) and its serialization is what gets called, so the host checked is
/// the host reached: `http://localhost:80@evil/` names `evil`, and userinfo is refused outright.
pub fn federation_endpoint(region: Option<&str>, override_url: Option<&str>) -> Result<String> {
    let Some(text) = override_url else {
        return Ok(format!(
            "https://{}/federation",
            Partition::of(region).signin_domain()
        ));
    };
    let text = text.trim_end_matches(['?', '&']);
    // The value is not quoted in these errors: userinfo may hold a password.
    let url = url::Url::parse(text)
        .map_err(|why| anyhow::anyhow!("VAULT_FEDERATION_ENDPOINT is not a URL ({why})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        bail!(
            "VAULT_FEDERATION_ENDPOINT must not hold a user name or password ('user@' before the host)"
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("VAULT_FEDERATION_ENDPOINT must be a URL without a query ('{text}')");
    }
    match url.scheme() {
        "https" if url.host().is_some() => {}
        "http" if url.host().is_some_and(|host| is_loopback(&host)) => {}
        "http" => bail!(
            "VAULT_FEDERATION_ENDPOINT '{text}' is plain http on another host (credentials would travel unencrypted; use https://)"
        ),
        _ => bail!("VAULT_FEDERATION_ENDPOINT must be an https:// URL ('{text}')"),
    }
    Ok(url.to_string())
}

/// `localhost` or a loopback address: this machine.
fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => *name == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The console page to land on: `path` (e.g. `/s3/home`, default the console home) in the
/// partition of `region`, with `region=` added unless the path already names one.
pub fn destination(region: Option<&str>, path: Option<&str>) -> String {
    let domain = Partition::of(region).console_domain();
    let path = path
        .map(|p| p.trim().trim_start_matches('/'))
        .filter(|p| !p.is_empty())
        .unwrap_or("console/home");
    let mut url = format!("https://{domain}/{path}");
    if let Some(region) = region {
        let (base, fragment) = match url.split_once('#') {
            Some((b, f)) => (b.to_string(), Some(f.to_string())),
            None => (url.clone(), None),
        };
        let query = base.split_once('?').map(|(_, q)| q).unwrap_or("");
        if query.split('&').any(|kv| kv.starts_with("region=")) {
            return url;
        }
        let separator = if base.contains('?') { '&' } else { '?' };
        url = format!("{base}{separator}region={region}");
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(&fragment);
        }
    }
    url
}

/// The `Session` parameter of getSigninToken. Only temporary credentials can sign in.
pub fn session_json(creds: &Credentials) -> Result<String> {
    let token = creds
        .session_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .context("console sign-in needs temporary credentials (with a session token)")?;
    Ok(serde_json::json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": token,
    })
    .to_string())
}

/// `SessionDuration` for getSigninToken: AWS accepts it only for role credentials, from 15
/// minutes to 12 hours.
pub fn session_duration(wanted: Duration) -> u64 {
    wanted.as_secs().clamp(900, 43_200)
}

/// The getSigninToken request URL. It carries the credentials: never print or log it.
pub fn signin_token_url(
    endpoint: &str,
    session_json: &str,
    session_duration: Option<u64>,
) -> String {
    let mut url = format!(
        "{endpoint}?Action=getSigninToken&Session={}",
        encode(session_json)
    );
    if let Some(seconds) = session_duration {
        url.push_str(&format!("&SessionDuration={seconds}"));
    }
    url
}

/// The `SigninToken` out of getSigninToken's JSON answer.
pub fn parse_signin_token(body: &str) -> Result<String> {
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|_| anyhow::anyhow!("the federation endpoint did not answer JSON"))?;
    match value.get("SigninToken").and_then(|t| t.as_str()) {
        Some(token) if !token.is_empty() => Ok(token.to_string()),
        _ => bail!("the federation endpoint answered without a SigninToken"),
    }
}

/// The URL that signs the browser in and lands on `destination`.
pub fn login_url(endpoint: &str, destination: &str, signin_token: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer={}&Destination={}&SigninToken={}",
        encode(ISSUER),
        encode(destination),
        encode(signin_token)
    )
}

/// A name GetFederationToken accepts (2 to 32 of `[A-Za-z0-9_+=,.@-]`): the IAM user's name
/// from its ARN when there is one, else `fallback` (the profile name).
pub fn federated_user_name(caller_arn: Option<&str>, fallback: &str) -> String {
    let from_arn = caller_arn
        .filter(|arn| arn.contains(":user/"))
        .and_then(|arn| arn.rsplit('/').next());
    let raw = from_arn.filter(|n| !n.is_empty()).unwrap_or(fallback);
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    if name.len() < 2 {
        name = format!("vault-{name}");
    }
    name
}

/// Everything but RFC 3986's unreserved characters.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `text` percent-encoded for a query value.
fn encode(text: &str) -> String {
    utf8_percent_encode(text, RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_pick_their_domains() {
        let cases = [
            (None, "signin.aws.amazon.com", "console.aws.amazon.com"),
            (
                Some("eu-west-1"),
                "signin.aws.amazon.com",
                "console.aws.amazon.com",
            ),
            (
                Some("cn-north-1"),
                "signin.amazonaws.cn",
                "console.amazonaws.cn",
            ),
            (
                Some("cn-northwest-1"),
                "signin.amazonaws.cn",
                "console.amazonaws.cn",
            ),
            (
                Some("us-gov-west-1"),
                "signin.amazonaws-us-gov.com",
                "console.amazonaws-us-gov.com",
            ),
            (
                Some("us-gov-east-1"),
                "signin.amazonaws-us-gov.com",
                "console.amazonaws-us-gov.com",
            ),
        ];
        for (region, signin, console) in cases {
            let p = Partition::of(region);
            assert_eq!(p.signin_domain(), signin, "{region:?}");
            assert_eq!(p.console_domain(), console, "{region:?}");
        }
        // Only the prefix decides: us-east-1 is not GovCloud.
        assert_eq!(Partition::of(Some("us-east-1")), Partition::Aws);
    }

    #[test]
    fn federation_endpoint_follows_the_region_unless_overridden() {
        assert_eq!(
            federation_endpoint(Some("cn-north-1"), None).unwrap(),
            "https://signin.amazonaws.cn/federation"
        );
        assert_eq!(
            federation_endpoint(Some("us-gov-west-1"), None).unwrap(),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            federation_endpoint(None, None).unwrap(),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            federation_endpoint(Some("cn-north-1"), Some("http://127.0.0.1:8080/federation"))
                .unwrap(),
            "http://127.0.0.1:8080/federation"
        );
        for ok in [
            "https://signin.example.com/federation",
            "http://localhost:1/f",
            "http://[::1]:9/f",
            "http://LOCALHOST:1/f",
            "http://127.0.0.2:1/f",
        ] {
            assert!(federation_endpoint(None, Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://signin.example.com/federation",
            "http://127.0.0.1.evil.com/f",
            "ftp://x/",
            "https://x/f?Action=login",
            // userinfo: the host is what follows '@'
            "http://localhost:80@127.0.0.1.evil.com/f",
            "http://localhost:80@127.0.0.1:1/",
            "http://[::1]@evil.invalid/",
            "http://127.0.0.1@evil.invalid/",
            "https://user:pass@signin.example.com/federation",
            "http://127.0.0.1:8080/f#frag",
            "http:///nohost",
            "not a url",
        ] {
            assert!(federation_endpoint(None, Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_federation_endpoint_called_is_the_one_checked() {
        // Spellings an HTTP client reads as loopback are called as the parser wrote them.
        assert_eq!(
            federation_endpoint(None, Some("http://2130706433:1/f")).unwrap(),
            "http://127.0.0.1:1/f"
        );
        assert_eq!(
            federation_endpoint(None, Some("http://127.0.0.1:1/f?")).unwrap(),
            "http://127.0.0.1:1/f"
        );
        let err = federation_endpoint(None, Some("https://me:hunter2@signin.example.com/"))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn destination_has_region_and_path() {
        assert_eq!(
            destination(Some("eu-west-1"), None),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            destination(Some("cn-north-1"), Some("/s3/home")),
            "https://console.amazonaws.cn/s3/home?region=cn-north-1"
        );
        assert_eq!(
            destination(Some("us-gov-west-1"), Some("ec2/home")),
            "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1"
        );
        assert_eq!(
            destination(None, None),
            "https://console.aws.amazon.com/console/home"
        );
        assert_eq!(
            destination(None, Some("/iam/home")),
            "https://console.aws.amazon.com/iam/home"
        );
        assert_eq!(
            destination(Some("eu-west-1"), Some("/ec2/home?x=1#Instances:")),
            "https://console.aws.amazon.com/ec2/home?x=1&region=eu-west-1#Instances:"
        );
        assert_eq!(
            destination(Some("eu-west-1"), Some("/ec2/home?region=us-east-1")),
            "https://console.aws.amazon.com/ec2/home?region=us-east-1"
        );
    }

    fn creds(token: Option<&str>) -> Credentials {
        Credentials::new(
            "the test",
            "ASIAEXAMPLE".into(),
            "se/cr+et".into(),
            token.map(String::from),
            None,
        )
        .unwrap()
    }

    #[test]
    fn session_json_has_the_three_fields_and_needs_a_token() {
        let json: serde_json::Value =
            serde_json::from_str(&session_json(&creds(Some("tok"))).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"sessionId": "ASIAEXAMPLE", "sessionKey": "se/cr+et", "sessionToken": "tok"})
        );
        assert!(session_json(&creds(None)).is_err());
        assert!(session_json(&creds(Some(""))).is_err());
    }

    #[test]
    fn urls_are_encoded() {
        let url = signin_token_url("https://s/federation", r#"{"a":"b c+/"}"#, Some(3600));
        assert_eq!(
            url,
            "https://s/federation?Action=getSigninToken&Session=%7B%22a%22%3A%22b%20c%2B%2F%22%7D&SessionDuration=3600"
        );
        let url = login_url(
            "https://s/federation",
            "https://console.aws.amazon.com/s3/home?region=eu-west-1",
            "T+k/=",
        );
        assert_eq!(
            url,
            "https://s/federation?Action=login&Issuer=vault&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1&SigninToken=T%2Bk%2F%3D"
        );
    }

    #[test]
    fn signin_token_is_read_from_json() {
        assert_eq!(
            parse_signin_token(r#"{"SigninToken":"abc"}"#).unwrap(),
            "abc"
        );
        assert!(parse_signin_token("{}").is_err());
        assert!(parse_signin_token("<html>").is_err());
    }

    #[test]
    fn session_duration_is_clamped() {
        assert_eq!(session_duration(Duration::from_secs(60)), 900);
        assert_eq!(session_duration(Duration::from_secs(7200)), 7200);
        assert_eq!(session_duration(Duration::from_secs(100_000)), 43_200);
    }

    #[test]
    fn federated_user_names_are_valid() {
        assert_eq!(
            federated_user_name(Some("arn:aws:iam::123456789012:user/dev/will"), "p"),
            "will"
        );
        assert_eq!(
            federated_user_name(Some("arn:aws:sts::1:assumed-role/r/s"), "my profile"),
            "my-profile"
        );
        assert_eq!(federated_user_name(None, "x"), "vault-x");
        assert_eq!(federated_user_name(None, &"a".repeat(40)).len(), 32);
    }
}
