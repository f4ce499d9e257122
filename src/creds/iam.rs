//! IAM calls for `vault rotate` through aws-sdk-iam, and the STS GetCallerIdentity check that
//! tells whether a key works. Errors keep AWS's error code apart, so the caller can tell a
//! denied call from a transient one and say exactly what state IAM is left in.

use std::fmt;
use std::time::Duration;

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::config::{BehaviorVersion, Region};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::RetryConfig;

use super::Credentials;

/// Where IAM calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The region the client is configured with; IAM is global, and the SDK signs for the
    /// partition's IAM region (us-east-1 for `aws`) whatever region is given.
    pub region: String,
    /// An explicit endpoint (emulators, proxies); `None` means AWS's IAM endpoint.
    pub url: Option<String>,
}

impl Endpoint {
    /// AWS_ENDPOINT_URL_IAM > AWS_ENDPOINT_URL > the profile's endpoint_url, as the AWS SDKs
    /// order them.
    pub fn resolve(region: Option<&str>, profile_endpoint: Option<&str>) -> Endpoint {
        let url = crate::settings::var("AWS_ENDPOINT_URL_IAM")
            .or_else(|| crate::settings::var("AWS_ENDPOINT_URL"))
            .or_else(|| profile_endpoint.map(String::from));
        Endpoint {
            region: region.unwrap_or("us-east-1").to_string(),
            url,
        }
    }
}

/// A failed AWS call, reduced to what a user needs: AWS's error code when there is one, a
/// one-line description, and whether trying again may help.
#[derive(Debug, Clone)]
pub struct CallError {
    pub code: Option<String>,
    pub text: String,
    pub retryable: bool,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for CallError {}

impl CallError {
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// AWS answers these while a just-created key is not yet known everywhere (IAM is
    /// eventually consistent).
    pub fn is_unknown_key(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("InvalidClientTokenId" | "SignatureDoesNotMatch" | "AuthFailure")
        )
    }
}

/// Error codes that mean "try again later" rather than "no".
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "ServiceFailure",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
];

fn call_error<E>(err: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let transport = matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    );
    let (mut code, mut message) = (
        err.code().map(String::from),
        err.message().map(String::from),
    );
    let mut status = None;
    if let SdkError::ServiceError(context) = &err {
        let raw = context.raw();
        status = Some(raw.status().as_u16());
        // Some servers (emulators, proxies) answer errors in a shape the SDK does not parse;
        // their code and message are still worth showing.
        if code.is_none()
            && let Some(body) = raw.body().bytes()
        {
            let body = String::from_utf8_lossy(body);
            code = xml_element(&body, "Code");
            message = message.or_else(|| xml_element(&body, "Message"));
        }
    }
    let text = match (&code, &message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        _ => match status {
            Some(status) => format!("HTTP {status}: {}", causes(&err)),
            None => causes(&err),
        },
    };
    let retryable = transport
        || status.is_some_and(|s| s >= 500)
        || code
            .as_deref()
            .is_some_and(|c| TRANSIENT_CODES.contains(&c));
    CallError {
        code,
        text: one_line(&text),
        retryable,
    }
}

/// The error and its causes, `outer: inner: innermost` (without the SDK's debug dump).
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![];
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The text of the first `<name>...</name>` in `xml`, if any (no entities expected).
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    let text = xml[start..end].trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An IAM client signing with `creds`, with the same bounded timeouts and retries as STS.
pub fn client(endpoint: &Endpoint, creds: &Credentials) -> aws_sdk_iam::Client {
    let mut config = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(endpoint.region.clone()))
        .credentials_provider(super::sts::signing(creds))
        .retry_config(super::sts::retries())
        .timeout_config(super::sts::timeouts());
    if let Some(url) = &endpoint.url {
        config = config.endpoint_url(url);
    }
    aws_sdk_iam::Client::from_conf(config.build())
}

/// An STS client for GetCallerIdentity with a single attempt per call: the caller decides
/// whether and when to try again (a new key may take seconds to be known).
pub fn sts_client(endpoint: &super::sts::Endpoint, creds: &Credentials) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        super::sts::config(endpoint)
            .credentials_provider(super::sts::signing(creds))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .build(),
    )
}

/// The ARN of whoever `client` signs as.
pub async fn caller_arn(client: &aws_sdk_sts::Client) -> Result<String, CallError> {
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(call_error)?;
    output.arn.ok_or_else(|| CallError {
        code: None,
        text: "GetCallerIdentity answered without an ARN".into(),
        retryable: false,
    })
}

/// Whose key an ARN from GetCallerIdentity is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// An IAM user (the name, without its path).
    User(String),
    /// The account's root user: IAM calls about its keys take no user name.
    Root,
}

/// `arn:aws:iam::123456789012:user/path/name` is user `name`; `...:root` is the root user;
/// anything else (a role session) owns no long-term keys.
pub fn owner_from_arn(arn: &str) -> Option<Owner> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("iam"), Some(_region), Some(_account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let resource = parts.next()?;
    if resource == "root" {
        return Some(Owner::Root);
    }
    let path = resource.strip_prefix("user/")?;
    let name = path.rsplit('/').next().filter(|n| !n.is_empty())?;
    Some(Owner::User(name.to_string()))
}

/// The name of the IAM user `client` signs as (GetUser without a name).
pub async fn current_user(client: &aws_sdk_iam::Client) -> Result<String, CallError> {
    let output = client.get_user().send().await.map_err(call_error)?;
    output.user.map(|u| u.user_name).ok_or_else(|| CallError {
        code: None,
        text: "GetUser answered without a user".into(),
        retryable: false,
    })
}

/// CreateAccessKey for `user` (`None`: the caller itself). The answer holds the only copy of
/// the new secret anywhere.
pub async fn create_access_key(
    client: &aws_sdk_iam::Client,
    user: Option<&str>,
) -> Result<Credentials, CallError> {
    let output = client
        .create_access_key()
        .set_user_name(user.map(String::from))
        .send()
        .await
        .map_err(call_error)?;
    let key = output.access_key.ok_or_else(|| CallError {
        code: None,
        text: "CreateAccessKey answered without a key".into(),
        retryable: false,
    })?;
    Ok(Credentials {
        access_key_id: key.access_key_id.clone(),
        secret_access_key: key.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    })
}

pub async fn delete_access_key(
    client: &aws_sdk_iam::Client,
    user: Option<&str>,
    access_key_id: &str,
) -> Result<(), CallError> {
    client
        .delete_access_key()
        .set_user_name(user.map(String::from))
        .access_key_id(access_key_id)
        .send()
        .await
        .map_err(call_error)?;
    Ok(())
}

/// Run `call` until it succeeds, `retry` says an error is worth another try, or `budget` is
/// spent; waits double from `first_wait` up to 8 s. Returns the last error and the attempts.
pub async fn with_retries<T, F, Fut>(
    budget: Duration,
    first_wait: Duration,
    retry: impl Fn(&CallError) -> bool,
    mut call: F,
) -> Result<T, (CallError, u32)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CallError>>,
{
    let started = tokio::time::Instant::now();
    let mut wait = first_wait;
    let mut attempts = 0;
    loop {
        attempts += 1;
        match call().await {
            Ok(value) => return Ok(value),
            Err(err) => {
                let elapsed = started.elapsed();
                if !retry(&err) || elapsed + wait > budget {
                    return Err((err, attempts));
                }
                crate::debug!("attempt {attempts} failed ({err}); trying again in {wait:?}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(8));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_from_arns() {
        assert_eq!(
            owner_from_arn("arn:aws:iam::123456789012:user/will"),
            Some(Owner::User("will".into()))
        );
        assert_eq!(
            owner_from_arn("arn:aws:iam::123456789012:user/division/team/will"),
            Some(Owner::User("will".into()))
        );
        assert_eq!(
            owner_from_arn("arn:aws-cn:iam::123456789012:root"),
            Some(Owner::Root)
        );
        assert_eq!(
            owner_from_arn("arn:aws:sts::123456789012:assumed-role/admin/s"),
            None
        );
        assert_eq!(owner_from_arn("arn:aws:sts::123456789012:user/moto"), None);
        assert_eq!(owner_from_arn("arn:aws:iam::123456789012:user/"), None);
        assert_eq!(owner_from_arn("nonsense"), None);
    }

    #[test]
    fn error_codes_are_found_in_unparsed_bodies() {
        let body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>not you</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_element(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_element(body, "Message").as_deref(), Some("not you"));
        assert_eq!(xml_element(body, "RequestId"), None);
        assert_eq!(xml_element("<Code></Code>", "Code"), None);
    }

    #[test]
    fn retries_stop_on_a_final_answer() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut calls = 0;
        let result: Result<(), _> = runtime.block_on(with_retries(
            Duration::from_secs(5),
            Duration::from_millis(1),
            |e: &CallError| e.retryable,
            || {
                calls += 1;
                let retryable = calls < 3;
                async move {
                    Err(CallError {
                        code: Some(
                            if retryable {
                                "Throttling"
                            } else {
                                "AccessDenied"
                            }
                            .into(),
                        ),
                        text: "no".into(),
                        retryable,
                    })
                }
            },
        ));
        let (err, attempts) = result.unwrap_err();
        assert_eq!(attempts, 3);
        assert!(err.is("AccessDenied"));
    }

    #[test]
    fn retries_are_bounded_in_time() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let result: Result<(), _> = runtime.block_on(with_retries(
            Duration::from_millis(300),
            Duration::from_millis(50),
            |_: &CallError| true,
            || async {
                Err(CallError {
                    code: Some("Throttling".into()),
                    text: "slow down".into(),
                    retryable: true,
                })
            },
        ));
        assert!(result.is_err());
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
