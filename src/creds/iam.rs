//! IAM calls for `vault rotate` through aws-sdk-iam, and the STS GetCallerIdentity check that
//! tells whether a key works. Errors keep AWS's error code apart, so the caller can tell a
//! denied call from a transient one and say exactly what state IAM is left in.

use std::time::Duration;

use super::Credentials;
use crate::aws::{self, CallError, Endpoint};

/// An IAM client for `endpoint` signing with `creds`.
pub fn client(endpoint: &Endpoint, creds: &Credentials) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&aws::config(endpoint, Some(creds)))
}

/// An STS client for GetCallerIdentity with a single attempt per call: the caller decides
/// whether and when to try again (a new key may take seconds to be known).
pub fn sts_client(endpoint: &Endpoint, creds: &Credentials) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(&aws::single_attempt(aws::config(endpoint, Some(creds))))
}

/// The ARN of whoever `client` signs as.
pub async fn caller_arn(client: &aws_sdk_sts::Client) -> Result<String, CallError> {
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| aws::call_error(&e))?;
    output.arn.ok_or_else(|| CallError {
        code: None,
        message: None,
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
    let output = client
        .get_user()
        .send()
        .await
        .map_err(|e| aws::call_error(&e))?;
    output.user.map(|u| u.user_name).ok_or_else(|| CallError {
        code: None,
        message: None,
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
        .map_err(|e| aws::call_error(&e))?;
    let key = output.access_key.ok_or_else(|| CallError {
        code: None,
        message: None,
        text: "CreateAccessKey answered without a key".into(),
        retryable: false,
    })?;
    Credentials::new(
        "CreateAccessKey's answer",
        key.access_key_id.clone(),
        key.secret_access_key.clone(),
        None,
        None,
    )
    .map_err(|e| CallError {
        code: None,
        message: None,
        // The key exists in IAM now, but a value we refuse cannot be stored nor deleted.
        text: format!("{e}, so IAM may now hold a key vault did not store (check the user's keys in the console)"),
        retryable: false,
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
        .map_err(|e| aws::call_error(&e))?;
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
    fn retries_stop_on_a_final_answer() {
        let runtime = aws::runtime().unwrap();
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
                        message: None,
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
        let runtime = aws::runtime().unwrap();
        let started = std::time::Instant::now();
        let result: Result<(), _> = runtime.block_on(with_retries(
            Duration::from_millis(300),
            Duration::from_millis(50),
            |_: &CallError| true,
            || async {
                Err(CallError {
                    code: Some("Throttling".into()),
                    message: None,
                    text: "slow down".into(),
                    retryable: true,
                })
            },
        ));
        assert!(result.is_err());
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
