//! IAM Identity Center (SSO) as a credential source.
//!
//! Signing in ([`sign_in`]) gives an access token, cached in the store until it expires and
//! fetched under a cross-process lock, so N commands started together open one browser tab.
//! For an `[sso-session]` the sign-in is the authorization code flow with PKCE and a loopback
//! redirect ([`auth_code`]), as the AWS CLI does since 2.22; the device code flow ([`device`])
//! serves legacy profiles (the start URL on the profile), `--use-device-code` /
//! `VAULT_SSO_USE_DEVICE_CODE`, and machines where no browser can be opened. A token from the
//! authorization code flow carries a refresh token, which renews it near its expiry without
//! the browser ([`refresh`]), as botocore does. The account
//! role's credentials come from the portal's GetRoleCredentials ([`portal`]), every time: they
//! are cheap and need no user.

mod auth_code;
mod device;
mod loopback;
pub mod portal;
mod refresh;
mod sign_in;

use std::time::Duration;

use anyhow::Result;

pub use sign_in::{Session, SignIn};

use super::Credentials;
use crate::clock::Clock;
use crate::profile::SsoSource;
use crate::store::SecretStore;

/// The role credentials of `sso` for `profile`, signing in first when no cached token has
/// more than `min_ttl` left.
pub fn credentials(
    store: &dyn SecretStore,
    profile: &str,
    sso: &SsoSource,
    min_ttl: Duration,
    clock: &dyn Clock,
) -> Result<Credentials> {
    let runtime = crate::aws::runtime()?;
    let session = Session {
        name: sso.session.clone(),
        start_url: sso.start_url.clone(),
        region: sso.region.clone(),
    };
    let sign_in = SignIn::new(
        store,
        format!("profile '{profile}'"),
        session,
        crate::settings::get().sso_use_device_code,
        clock,
    );
    let portal = portal::Portal::new(&sso.region);
    let (token, cached) = runtime.block_on(sign_in.token(min_ttl))?;
    let role = portal::Role {
        account_id: &sso.account_id,
        role_name: &sso.role_name,
    };
    let context = || {
        format!(
            "profile '{profile}': GetRoleCredentials for role {} in account {} failed (check sso_account_id and sso_role_name)",
            sso.role_name, sso.account_id
        )
    };
    match runtime.block_on(portal.role_credentials(&token.access_token, &role)) {
        Err(portal::PortalError::Unauthorized(_)) if cached => {
            // Signed out or revoked before its expiry: sign in again, once.
            crate::debug!("the cached SSO token was refused: signing in again");
            let token = runtime.block_on(sign_in.renew(min_ttl, &token.access_token))?;
            runtime
                .block_on(portal.role_credentials(&token.access_token, &role))
                .map_err(|e| anyhow::Error::from(e).context(context()))
        }
        other => other.map_err(|e| anyhow::Error::from(e).context(context())),
    }
}
