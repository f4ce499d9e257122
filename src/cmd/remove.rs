//! `vault remove PROFILE`: delete stored keys and cached sessions.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::RemoveArgs;
use crate::creds::items;
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: RemoveArgs) -> Result<ExitCode> {
    let profile = &args.profile;
    if !items::has_keys(store, profile)? {
        bail!(
            "no keys stored for profile '{profile}' in {} (see `vault list`)",
            store.name()
        );
    }
    if !args.force {
        let question = format!(
            "Delete the keys of profile '{profile}' from {}? [y/N] ",
            store.name()
        );
        let confirmed = crate::tty::confirm(&question)
            .map_err(|e| anyhow::anyhow!("{e} (use -f to remove without asking)"))?;
        if !confirmed {
            bail!("nothing removed");
        }
    }
    store.delete(&items::keys_item(profile))?;
    items::drop_sessions(store, profile)?;
    crate::note!(
        "Removed the keys and sessions of profile '{profile}'. [profile {profile}] stays in the config."
    );
    Ok(ExitCode::SUCCESS)
}
