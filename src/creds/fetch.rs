//! Credentials for a profile: resolve its chain in the config, plan the STS calls and carry the
//! plan out. Shared by `exec`, `export`, `login`, `rotate` and the shell hook.

use std::collections::BTreeMap;

use anyhow::Result;

use super::mfa::MfaSource;
use super::plan::{Flags, plan};
use super::provider::Provider;
use super::{Credentials, items};
use crate::aws::Endpoint;
use crate::cli::CredentialArgs;
use crate::clock::SystemClock;
use crate::settings::Settings;
use crate::store::SecretStore;

/// Credentials for `profile` and the region they are for.
pub struct Fetched {
    pub credentials: Credentials,
    pub region: Option<String>,
    /// The profile's `endpoint_url` (inherited down its chain), for exec's child.
    pub endpoint_url: Option<String>,
}

/// The `mfa_process` each profile of `chain` makes its calls with: its own, else that of the
/// profile it is sourced from (aws-vault's inheritance), from the root towards the target.
fn mfa_processes(
    config: &crate::profile::ConfigFile,
    chain: &crate::profile::Chain,
) -> Result<BTreeMap<String, String>> {
    let mut by_profile = BTreeMap::new();
    let mut inherited: Option<String> = None;
    let profiles =
        std::iter::once(chain.root.profile()).chain(chain.hops.iter().map(|h| h.profile.as_str()));
    for profile in profiles {
        if let Some(own) = config.settings(profile)?.mfa_process {
            inherited = Some(own);
        }
        if let Some(process) = &inherited {
            by_profile.insert(profile.to_string(), process.clone());
        }
    }
    Ok(by_profile)
}

/// The process's settings, refused when one of them is malformed.
pub fn credentials(
    store: &dyn SecretStore,
    profile: &str,
    args: &CredentialArgs,
) -> Result<Fetched> {
    let settings = crate::settings::get().check()?;
    // The shell's region, not a setting: the managed variables are the shell's state.
    let env_region =
        crate::settings::var("AWS_REGION").or_else(|| crate::settings::var("AWS_DEFAULT_REGION"));
    credentials_with_region(store, profile, args, env_region, settings)
}

/// Like [`credentials`], with `fallback_region` where the flags and the profile name no region.
/// The shell hook passes the user's own region: the shell's AWS_REGION may be the previous
/// profile's.
pub fn credentials_with_region(
    store: &dyn SecretStore,
    profile: &str,
    args: &CredentialArgs,
    fallback_region: Option<String>,
    settings: &Settings,
) -> Result<Fetched> {
    let config = crate::profile::load_config()?;
    let chain = config.chain_with(profile, &settings.profile, |p| -> Result<bool> {
        Ok(items::has_keys(store, p)?)
    })?;
    let ttls = settings.ttls.clone();
    let flags = Flags {
        no_session: args.no_session,
        // AWS_VAULT_DURATION is aws-vault's variable for --duration.
        duration: args.duration.or(settings.duration),
    };
    let plan = plan(&chain, &flags, &ttls)?;
    crate::debug!(
        "plan for '{profile}': root {:?}, {} step(s)",
        chain.root,
        plan.steps.len()
    );
    let region = args
        .region
        .clone()
        .or_else(|| chain.region.clone())
        .or(fallback_region);
    let mut provider = Provider {
        store,
        endpoint: Endpoint::resolve_sts(
            region.as_deref(),
            chain.endpoint_url.as_deref(),
            chain.sts_regional_endpoints,
        ),
        ttls,
        mfa: MfaSource {
            token: args.mfa_token.clone(),
            process: chain.mfa_process.clone(),
            by_profile: mfa_processes(&config, &chain)?,
        },
        clock: &SystemClock,
    };
    let credentials = provider.credentials(&plan)?;
    Ok(Fetched {
        credentials,
        region,
        endpoint_url: chain.endpoint_url,
    })
}
