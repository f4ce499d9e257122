//! STS calls through aws-sdk-sts, pointed at any STS-compatible endpoint.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use chrono::{DateTime, Utc};

use super::Credentials;

/// Where STS calls go.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub region: String,
    /// An explicit endpoint (emulators, VPC endpoints); `None` means AWS's regional one.
    pub url: Option<String>,
}

impl Endpoint {
    /// AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL > the profile's endpoint_url, as the AWS SDKs
    /// order them. The region falls back to us-east-1 because STS needs one.
    pub fn resolve(region: Option<&str>, profile_endpoint: Option<&str>) -> Endpoint {
        let url = crate::settings::var("AWS_ENDPOINT_URL_STS")
            .or_else(|| crate::settings::var("AWS_ENDPOINT_URL"))
            .or_else(|| profile_endpoint.map(String::from));
        Endpoint {
            region: region.unwrap_or("us-east-1").to_string(),
            url,
        }
    }
}

/// Timeouts for every AWS call: an unreachable or slow endpoint fails in seconds instead of
/// hanging a prompt. Shared by the STS, IAM and SSO clients. The call's limit is
/// `VAULT_CALL_TIMEOUT` (20 s; a bad value is reported by `Ttls::from_env`), each attempt
/// gets half of it.
pub fn timeouts() -> TimeoutConfig {
    let call = crate::settings::call_timeout().unwrap_or(crate::settings::DEFAULT_CALL_TIMEOUT);
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(call / 2)
        .operation_timeout(call)
        .build()
}

/// Standard retries (backoff with jitter), bounded.
pub fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(3)
}

/// The SDK's form of `creds`, for signing.
pub fn signing(creds: &Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        creds.session_token.clone(),
        None,
        "vault",
    )
}

/// The settings every STS client shares: region, endpoint, timeouts and bounded retries.
pub(super) fn config(endpoint: &Endpoint) -> aws_sdk_sts::config::Builder {
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(endpoint.region.clone()))
        .retry_config(retries())
        .timeout_config(timeouts());
    if let Some(url) = &endpoint.url {
        config = config.endpoint_url(url);
    }
    config
}

/// An STS client signing with `creds`.
pub fn client(endpoint: &Endpoint, creds: &Credentials) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        config(endpoint)
            .credentials_provider(signing(creds))
            .build(),
    )
}

/// An STS client with no credentials, for calls authenticated by what they carry
/// (AssumeRoleWithWebIdentity).
pub fn unsigned_client(endpoint: &Endpoint) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(config(endpoint).build())
}

/// GetSessionToken, with an MFA code when `mfa` is given.
pub async fn get_session_token(
    client: &aws_sdk_sts::Client,
    duration: Duration,
    mfa: Option<(&str, &str)>,
) -> Result<Credentials> {
    let mut request = client
        .get_session_token()
        .duration_seconds(seconds(duration));
    if let Some((serial, code)) = mfa {
        request = request.serial_number(serial).token_code(code);
    }
    let output = request
        .send()
        .await
        .map_err(|e| anyhow!("{}", super::sdk_error::describe(&e)))
        .context("GetSessionToken failed")?;
    convert(output.credentials)
}

/// What an AssumeRole call asks for.
pub struct AssumeRole<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub duration: Duration,
    pub external_id: Option<&'a str>,
    pub source_identity: Option<&'a str>,
    pub mfa: Option<(&'a str, &'a str)>,
}

pub async fn assume_role(
    client: &aws_sdk_sts::Client,
    call: AssumeRole<'_>,
) -> Result<Credentials> {
    let mut request = client
        .assume_role()
        .role_arn(call.role_arn)
        .role_session_name(call.session_name)
        .duration_seconds(seconds(call.duration))
        .set_external_id(call.external_id.map(String::from))
        .set_source_identity(call.source_identity.map(String::from));
    if let Some((serial, code)) = call.mfa {
        request = request.serial_number(serial).token_code(code);
    }
    let output = request
        .send()
        .await
        .map_err(|e| anyhow!("{}", super::sdk_error::describe(&e)))
        .with_context(|| format!("AssumeRole {} failed", call.role_arn))?;
    convert(output.credentials)
}

pub(super) fn seconds(duration: Duration) -> i32 {
    i32::try_from(duration.as_secs()).unwrap_or(i32::MAX)
}

pub(super) fn convert(creds: Option<aws_sdk_sts::types::Credentials>) -> Result<Credentials> {
    let creds = creds.ok_or_else(|| anyhow!("STS answered without credentials"))?;
    let expiration = DateTime::<Utc>::from_timestamp(creds.expiration.secs(), 0)
        .ok_or_else(|| anyhow!("STS answered an expiry out of range"))?;
    Ok(Credentials {
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        session_token: Some(creds.session_token),
        expiration: Some(expiration),
    })
}

/// The ARN of whoever `client` signs as (GetCallerIdentity).
pub async fn caller_arn(client: &aws_sdk_sts::Client) -> Result<String> {
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| anyhow!("{}", super::sdk_error::describe(&e)))
        .context("GetCallerIdentity failed")?;
    output
        .arn
        .ok_or_else(|| anyhow!("GetCallerIdentity answered without an ARN"))
}

/// GetFederationToken for console sign-in: the federation endpoint refuses GetSessionToken
/// credentials, so an IAM user's long-term keys are turned into a federated user's instead.
/// `policy_arns` bound the federated user's rights (without any, it has none).
pub async fn get_federation_token(
    client: &aws_sdk_sts::Client,
    name: &str,
    duration: Duration,
    policy_arns: &[&str],
) -> Result<Credentials> {
    let policies = policy_arns
        .iter()
        .map(|arn| {
            aws_sdk_sts::types::PolicyDescriptorType::builder()
                .arn(*arn)
                .build()
        })
        .collect();
    let output = client
        .get_federation_token()
        .name(name)
        .duration_seconds(seconds(duration))
        .set_policy_arns(Some(policies))
        .send()
        .await
        .map_err(|e| anyhow!("{}", super::sdk_error::describe(&e)))
        .context("GetFederationToken failed")?;
    convert(output.credentials)
}
