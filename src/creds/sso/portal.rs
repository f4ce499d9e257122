//! The IAM Identity Center portal (aws-sdk-sso) with a signed-in access token: one account
//! role's credentials (GetRoleCredentials), and every account and role the user can reach
//! (ListAccounts, ListAccountRoles, each followed page by page).

use anyhow::anyhow;
use chrono::{DateTime, Utc};

use crate::aws::{self, Endpoint, Service};
use crate::creds::Credentials;

/// Why a portal call failed: `Unauthorized` is a token the portal no longer takes (signed out,
/// revoked, expired), which a new sign-in fixes.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("{0}")]
    Unauthorized(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// An account role: what GetRoleCredentials is asked for.
pub struct Role<'a> {
    pub account_id: &'a str,
    pub role_name: &'a str,
}

/// One account the user can reach and its roles (ListAccounts, ListAccountRoles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

pub struct Portal {
    endpoint: Endpoint,
    client: std::sync::OnceLock<aws_sdk_sso::Client>,
}

impl Portal {
    /// `AWS_ENDPOINT_URL_SSO`, vault's older name, then `AWS_ENDPOINT_URL`; none means AWS's
    /// regional portal. The client is built at the first call.
    pub fn new(region: &str) -> Portal {
        Portal {
            endpoint: Endpoint::resolve(Service::Sso, Some(region), None),
            client: std::sync::OnceLock::new(),
        }
    }

    fn client(&self) -> &aws_sdk_sso::Client {
        self.client
            .get_or_init(|| aws_sdk_sso::Client::new(&aws::config(&self.endpoint, None)))
    }

    fn at(&self) -> &str {
        self.endpoint.url.as_deref().unwrap_or("AWS")
    }

    pub async fn role_credentials(
        &self,
        access_token: &str,
        role: &Role<'_>,
    ) -> Result<Credentials, PortalError> {
        crate::debug!(
            "GetRoleCredentials {} in account {} at {}",
            role.role_name,
            role.account_id,
            self.at()
        );
        let out = self
            .client()
            .get_role_credentials()
            .role_name(role.role_name)
            .account_id(role.account_id)
            .access_token(access_token)
            .send()
            .await
            .map_err(|e| portal_error(&e, |s| s.is_unauthorized_exception()))?;
        let creds = out
            .role_credentials
            .ok_or_else(|| anyhow!("answered no credentials"))?;
        let field = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| anyhow!("answered no {name}"))
        };
        Ok(Credentials::new(
            "IAM Identity Center's answer",
            field(creds.access_key_id, "access key id")?,
            field(creds.secret_access_key, "secret access key")?,
            Some(field(creds.session_token, "session token")?),
            // The portal gives milliseconds since the epoch.
            Some(
                DateTime::<Utc>::from_timestamp_millis(creds.expiration)
                    .ok_or_else(|| anyhow!("answered an expiry out of range"))?,
            ),
        )
        .map_err(anyhow::Error::from)?)
    }

    /// Every account and its roles, in the portal's order.
    pub async fn accounts(&self, access_token: &str) -> Result<Vec<Account>, PortalError> {
        let mut accounts = vec![];
        let mut next: Option<String> = None;
        loop {
            crate::debug!("ListAccounts at {}", self.at());
            let page = self
                .client()
                .list_accounts()
                .access_token(access_token)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| portal_error(&e, |s| s.is_unauthorized_exception()))?;
            for account in page.account_list.unwrap_or_default() {
                let id = account.account_id.unwrap_or_default();
                if id.is_empty() {
                    continue;
                }
                accounts.push(Account {
                    name: account.account_name.unwrap_or_else(|| id.clone()),
                    email: account.email_address.unwrap_or_default(),
                    roles: vec![],
                    id,
                });
            }
            match page.next_token.filter(|t| !t.is_empty()) {
                Some(token) => next = Some(token),
                None => break,
            }
        }
        for account in &mut accounts {
            account.roles = self.roles(access_token, &account.id).await?;
        }
        Ok(accounts)
    }

    async fn roles(
        &self,
        access_token: &str,
        account_id: &str,
    ) -> Result<Vec<String>, PortalError> {
        let mut roles = vec![];
        let mut next: Option<String> = None;
        loop {
            crate::debug!("ListAccountRoles {account_id} at {}", self.at());
            let page = self
                .client()
                .list_account_roles()
                .access_token(access_token)
                .account_id(account_id)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| portal_error(&e, |s| s.is_unauthorized_exception()))?;
            roles.extend(
                page.role_list
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|r| r.role_name.filter(|n| !n.is_empty())),
            );
            match page.next_token.filter(|t| !t.is_empty()) {
                Some(token) => next = Some(token),
                None => break,
            }
        }
        Ok(roles)
    }
}

/// The SDK error as text, `Unauthorized` when `unauthorized` says the service said so.
fn portal_error<E>(
    e: &aws_sdk_sso::error::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
    unauthorized: impl Fn(&E) -> bool,
) -> PortalError
where
    E: aws_sdk_sso::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let text = aws::describe(e);
    if e.as_service_error().is_some_and(unauthorized) {
        PortalError::Unauthorized(text)
    } else {
        PortalError::Other(anyhow!(text))
    }
}
