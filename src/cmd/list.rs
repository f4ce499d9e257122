//! `vault list`: profiles, stored keys, cached sessions.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ListArgs;
use crate::clock::{Clock, SystemClock};
use crate::creds::items;
use crate::store::{SecretStore, StoreError};

/// What `vault list` knows of a profile's long-term keys.
enum Keys {
    Stored,
    Missing,
    /// The item is there but does not decrypt or decode; the reason is said on stderr.
    Damaged,
}

/// `vault list --profiles`: names only, from the config alone.
pub fn profile_names() -> Result<ExitCode> {
    let config = crate::profile::load_config()?;
    let mut out = std::io::stdout().lock();
    for name in config.profile_names() {
        writeln!(out, "{name}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(store: &dyn SecretStore, args: ListArgs) -> Result<ExitCode> {
    let config = crate::profile::load_config()?;
    let names = config.profile_names();
    let mut out = std::io::stdout().lock();
    let mut rows = vec![];
    let mut damaged = 0;
    for name in &names {
        let keys = keys_of(store, name)?;
        if matches!(keys, Keys::Damaged) {
            damaged += 1;
        }
        if args.credentials {
            if matches!(keys, Keys::Stored) {
                writeln!(out, "{name}")?;
            }
            continue;
        }
        let keys = match keys {
            Keys::Stored => "stored",
            Keys::Missing => "-",
            Keys::Damaged => "damaged",
        };
        let shown = crate::term::escape(name).into_owned();
        rows.push([
            shown,
            keys.to_string(),
            sessions(store, name, &SystemClock)?,
        ]);
    }
    // One damaged item must not hide the others: the table is whole, the damage said on
    // stderr, and the exit status tells scripts something needs care.
    let status = if damaged > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    if args.credentials {
        return Ok(status);
    }
    writeln!(out, "Store: {}", store.describe())?;
    let shown = config.path.display().to_string();
    writeln!(out, "Config: {}", crate::term::escape(&shown))?;
    let width = names
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(0)
        .max("PROFILE".len());
    writeln!(out, "{:width$}  {:7}  SESSIONS", "PROFILE", "KEYS")?;
    for [name, keys, sessions] in rows {
        writeln!(out, "{name:width$}  {keys:7}  {sessions}")?;
    }
    Ok(status)
}

/// Damage is reported here, one line per profile, and listed as such; any other store error
/// (locked, unreachable, wrong passphrase) concerns every profile and ends the command. The
/// item is read, not just looked up (`has_keys`): only reading it shows that it is damaged.
fn keys_of(store: &dyn SecretStore, profile: &str) -> Result<Keys> {
    // Read as every command reads them: keys no command would use show as damaged too.
    match items::read_keys(store, profile) {
        Ok(Some(_)) => Ok(Keys::Stored),
        Ok(None) => Ok(Keys::Missing),
        Err(err @ StoreError::Corrupt { .. }) => {
            crate::note!(
                "vault: profile '{}': {err} (restore the item from a backup, or `vault remove {}` and add the keys again)",
                crate::term::escape(profile),
                crate::term::escape(profile)
            );
            Ok(Keys::Damaged)
        }
        Err(err) => Err(err.into()),
    }
}

/// The cached sessions of `profile` and the time they have left at `clock`'s now.
fn sessions(store: &dyn SecretStore, profile: &str, clock: &dyn Clock) -> Result<String> {
    let now = clock.now();
    let mut found = vec![];
    for (label, item) in [
        ("session", items::session_item(profile)),
        ("role", items::role_item(profile)),
    ] {
        if let Some(cached) = items::peek_session(store, &item)? {
            let left = cached
                .credentials
                .remaining(now)
                .map(|d| d.num_seconds())
                .unwrap_or(0);
            found.push(if left > 0 {
                format!("{label} {} left", crate::duration_text::human(left))
            } else {
                format!("{label} expired")
            });
        }
    }
    Ok(if found.is_empty() {
        "-".into()
    } else {
        found.join(", ")
    })
}
