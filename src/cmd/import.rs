//! `vault import-aws-vault [PROFILES...]`: copy the long-term keys aws-vault stored into
//! vault's store. aws-vault's items are only read, never changed or deleted.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::ImportArgs;
use crate::creds::items;
use crate::debug::redact_key_id;
use crate::import::aws_vault::{self, ReadError};
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: ImportArgs) -> Result<ExitCode> {
    let config = crate::profile::load_config()?;
    let reader = aws_vault::open(args.from)?;
    crate::debug!("reading {}", reader.describe());

    let profiles: Vec<String> = if args.profiles.is_empty() {
        let names = reader.names()?;
        let (in_config, elsewhere): (Vec<String>, Vec<String>) =
            names.into_iter().partition(|name| config.has_profile(name));
        // In the config's order (default first), like `vault list`.
        let ordered: Vec<String> = config
            .profile_names()
            .into_iter()
            .filter(|p| in_config.iter().any(|n| n == p))
            .map(String::from)
            .collect();
        if !elsewhere.is_empty() && reader.holds_other_secrets() {
            crate::show!(
                "{} holds {} other item(s) that {} has no profile for (name them to import them too).",
                reader.describe(),
                elsewhere.len(),
                config.path.display()
            );
        } else if !elsewhere.is_empty() {
            crate::show!(
                "{} also has keys for {}, which {} has no profile for (name them to import them too).",
                reader.describe(),
                super::quoted_list(&elsewhere),
                config.path.display()
            );
        }
        if ordered.is_empty() {
            bail!(
                "{} has keys for none of the profiles in {} (name the profiles to import)",
                reader.describe(),
                config.path.display()
            );
        }
        ordered
    } else {
        let mut named = vec![];
        for profile in &args.profiles {
            if !named.contains(profile) {
                named.push(profile.clone());
            }
        }
        named
    };

    crate::show!(
        "Importing from {} into {}:",
        reader.describe(),
        store.describe()
    );
    let (mut imported, mut kept) = (0, 0);
    let mut failed: Vec<String> = vec![];
    for profile in &profiles {
        let keys = match reader.read(profile) {
            Ok(Some(keys)) => keys,
            Ok(None) => {
                crate::show!("  {profile}: aws-vault has no keys for it");
                failed.push(profile.clone());
                continue;
            }
            Err(ReadError::Item(why)) => {
                crate::show!("  {profile}: cannot read its item: {why}");
                failed.push(profile.clone());
                continue;
            }
            Err(ReadError::Store(why)) => bail!(
                "{why}{}",
                if imported > 0 {
                    format!(" ({imported} profile(s) imported before that)")
                } else {
                    String::new()
                }
            ),
        };
        if !args.force
            && let Some(existing) = items::read_keys(store, profile)
                .with_context(|| format!("cannot check vault's keys for '{profile}'"))?
        {
            let same = if existing.access_key_id == keys.access_key_id {
                "the same key"
            } else {
                "a different key"
            };
            crate::show!(
                "  {profile}: kept the keys vault already has ({same}, {}; --force replaces them)",
                redact_key_id(&existing.access_key_id)
            );
            kept += 1;
            continue;
        }
        items::write_keys(store, profile, &keys.access_key_id, &keys.secret_access_key)
            .with_context(|| format!("cannot store the keys of '{profile}'"))?;
        // Sessions cached from other keys are stale now.
        items::drop_sessions(store, profile)?;
        crate::show!(
            "  {profile}: imported {}",
            redact_key_id(&keys.access_key_id)
        );
        imported += 1;
    }
    crate::show!(
        "Imported {imported}, kept {kept}, failed {}. aws-vault's items were left as they are.",
        failed.len()
    );
    if !failed.is_empty() {
        bail!(
            "{} of {} profile(s) could not be imported: {} (see above)",
            failed.len(),
            profiles.len(),
            super::quoted_list(&failed)
        );
    }
    Ok(ExitCode::SUCCESS)
}
