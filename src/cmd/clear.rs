//! `vault clear [PROFILE]`: drop cached sessions, and the IAM Identity Center sign-ins the
//! profiles use.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ClearArgs;
use crate::creds::items;
use crate::profile::{ConfigFile, ProfileError, RootSource};
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: ClearArgs) -> Result<ExitCode> {
    // A named profile may have stored keys and no config at all: then there is nothing more.
    let (profiles, config) = match args.profile.clone() {
        Some(p) => (vec![p], crate::profile::load_config().ok()),
        None => {
            let config = crate::profile::load_config()?;
            let names = config
                .profile_names()
                .into_iter()
                .map(String::from)
                .collect();
            (names, Some(config))
        }
    };
    let mut cleared = 0;
    for profile in &profiles {
        cleared += items::drop_sessions(store, profile)?;
    }
    // A name vault knows nothing of is a typo, not "0 sessions cleared" (aws-vault errors too).
    if let Some(name) = &args.profile
        && cleared == 0
        && !config.as_ref().is_some_and(|c| c.has_profile(name))
        && !items::has_keys(store, name)?
    {
        let path = match &config {
            Some(config) => config.path.clone(),
            None => crate::profile::config_path()?,
        };
        return Err(ProfileError::Unknown {
            name: name.clone(),
            path: path.display().to_string(),
            referenced_by: None,
        }
        .into());
    }
    let mut signed_out = 0;
    if let Some(config) = &config {
        for sign_in in sso_sign_ins(config, &profiles) {
            if store.delete(&items::sso_token_item(&sign_in))? {
                signed_out += 1;
            }
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if signed_out > 0 {
        crate::note!(
            "Cleared {cleared} cached session{} and {signed_out} IAM Identity Center sign-in{}.",
            plural(cleared),
            plural(signed_out)
        );
    } else {
        crate::note!("Cleared {cleared} cached session{}.", plural(cleared));
    }
    Ok(ExitCode::SUCCESS)
}

/// The sso-sessions (or legacy start URLs) that `profiles` sign in with. Keys in the store do
/// not matter here (a profile with stored keys uses no SSO), so none are read: clearing must
/// not need the store's passphrase. A profile that does not resolve has no sign-in to drop.
fn sso_sign_ins(config: &ConfigFile, profiles: &[String]) -> BTreeSet<String> {
    profiles
        .iter()
        .filter_map(|profile| {
            config
                .chain(profile, |_| Ok::<bool, ProfileError>(false))
                .ok()
        })
        .filter_map(|chain| match chain.root {
            RootSource::Sso { sso, .. } => Some(sso.token_key().to_string()),
            _ => None,
        })
        .collect()
}
