//! The one `SdkConfig` of the process, and the per-call configuration every client is made
//! from (`aws_sdk_sts::Client::new(&aws::config(..))`, and the same for IAM and SSO).

use std::sync::OnceLock;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SdkConfig;

use super::Endpoint;
use crate::creds::Credentials;

static SHARED: OnceLock<SdkConfig> = OnceLock::new();

/// What every client shares: bounded timeouts, so an unreachable or slow endpoint fails in
/// seconds instead of hanging a prompt (a call's limit is `VAULT_CALL_TIMEOUT`, 20 s; a bad
/// value is reported by `Settings::check`; each attempt gets half of it); standard retries
/// (backoff with jitter), at most 3 attempts; and one HTTPS client, so every call shares its
/// connections and its CA roots.
fn shared() -> &'static SdkConfig {
    SHARED.get_or_init(|| {
        let call = crate::settings::get().call_timeout;
        let builder = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_attempt_timeout(call / 2)
                    .operation_timeout(call)
                    .build(),
            );
        #[cfg(feature = "https")]
        let builder = builder.http_client(super::https::client());
        builder.build()
    })
}

/// The configuration for calls to `endpoint`, signed with `creds` when given (calls such as
/// AssumeRoleWithWebIdentity or the SSO ones are authenticated by what they carry).
pub fn config(endpoint: &Endpoint, creds: Option<&Credentials>) -> SdkConfig {
    // Said in --debug so a test can see that a plan served from the cache builds no client.
    crate::debug!(
        "SDK client for {}",
        endpoint.url.as_deref().unwrap_or(&endpoint.region)
    );
    let mut builder = shared()
        .to_builder()
        .region(Region::new(endpoint.region.clone()));
    builder.set_endpoint_url(endpoint.url.clone());
    if let Some(creds) = creds {
        builder = builder.credentials_provider(SharedCredentialsProvider::new(signing(creds)));
    }
    builder.build()
}

/// `config` with a single attempt per call, for callers that decide themselves whether and
/// when to try again (a new key may take seconds to be known).
pub fn single_attempt(config: SdkConfig) -> SdkConfig {
    config
        .into_builder()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build()
}

/// The SDK's form of `creds`, for signing.
fn signing(creds: &Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        creds.session_token.clone(),
        None,
        "vault",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_carries_the_shared_limits_and_its_own_target() {
        let endpoint = Endpoint {
            region: "eu-west-1".into(),
            url: Some("http://127.0.0.1:1".into()),
        };
        let config = config(&endpoint, None);
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:1"));
        assert!(config.credentials_provider().is_none());
        assert_eq!(config.retry_config().unwrap().max_attempts(), 3);
        assert_eq!(
            config.timeout_config().unwrap().connect_timeout(),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            single_attempt(config)
                .retry_config()
                .unwrap()
                .max_attempts(),
            1
        );
        let aws = Endpoint {
            region: "us-east-1".into(),
            url: None,
        };
        assert_eq!(super::config(&aws, None).endpoint_url(), None);
    }
}
