//! `vault clear [PROFILE]`: drop cached sessions.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ClearArgs;
use crate::store::{SecretStore, items};

pub fn run(store: &dyn SecretStore, args: ClearArgs) -> Result<ExitCode> {
    let profiles: Vec<String> = match args.profile {
        Some(p) => vec![p],
        None => super::load_config()?
            .profile_names()
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let mut cleared = 0;
    for profile in &profiles {
        for item in items::cache_items(profile) {
            if store.delete(&item)? {
                cleared += 1;
            }
        }
    }
    eprintln!(
        "Cleared {cleared} cached session{}.",
        if cleared == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}
