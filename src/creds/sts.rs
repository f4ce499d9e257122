//! STS calls through aws-sdk-sts, pointed at any STS-compatible endpoint.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Utc};

use super::Credentials;
use crate::aws::{self, Endpoint};
use crate::profile::SessionTags;

/// An STS client for `endpoint`, signing with `creds` when given (AssumeRoleWithWebIdentity
/// is authenticated by the token it carries).
pub fn client(endpoint: &Endpoint, creds: Option<&Credentials>) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(&aws::config(endpoint, creds))
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
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
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
    /// `Tags` and `TransitiveTagKeys`; none sent when empty.
    pub tags: &'a SessionTags,
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
        .set_source_identity(call.source_identity.map(String::from))
        .set_tags(session_tags(call.tags)?)
        .set_transitive_tag_keys(
            (!call.tags.transitive.is_empty()).then(|| call.tags.transitive.clone()),
        );
    if let Some((serial, code)) = call.mfa {
        request = request.serial_number(serial).token_code(code);
    }
    let output = request
        .send()
        .await
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
        .with_context(|| format!("AssumeRole {} failed", call.role_arn))?;
    convert(output.credentials)
}

/// The SDK's shape of `tags`; `None` when there are none, so no empty `Tags` is sent.
fn session_tags(tags: &SessionTags) -> Result<Option<Vec<aws_sdk_sts::types::Tag>>> {
    if tags.tags.is_empty() {
        return Ok(None);
    }
    let tags = tags
        .tags
        .iter()
        .map(|(key, value)| {
            aws_sdk_sts::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .context("a session tag the SDK cannot send")
        })
        .collect::<Result<_>>()?;
    Ok(Some(tags))
}

pub(super) fn seconds(duration: Duration) -> i32 {
    i32::try_from(duration.as_secs()).unwrap_or(i32::MAX)
}

pub(super) fn convert(creds: Option<aws_sdk_sts::types::Credentials>) -> Result<Credentials> {
    let creds = creds.ok_or_else(|| anyhow!("STS answered without credentials"))?;
    let expiration = DateTime::<Utc>::from_timestamp(creds.expiration.secs(), 0)
        .ok_or_else(|| anyhow!("STS answered an expiry out of range"))?;
    Ok(Credentials::new(
        "STS's answer",
        creds.access_key_id,
        creds.secret_access_key,
        Some(creds.session_token),
        Some(expiration),
    )?)
}

/// The ARN of whoever `client` signs as (GetCallerIdentity).
pub async fn caller_arn(client: &aws_sdk_sts::Client) -> Result<String> {
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
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
        .map_err(|e| anyhow!("{}", aws::describe(&e)))
        .context("GetFederationToken failed")?;
    convert(output.credentials)
}
