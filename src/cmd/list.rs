//! `vault list`: profiles, stored keys, where role profiles get their credentials, cached
//! sessions and SSO sign-ins.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ListArgs;
use crate::clock::{Clock, SystemClock};
use crate::creds::items;
use crate::profile::{ConfigFile, RootSource};
use crate::store::{SecretStore, StoreError};

/// What `vault list` knows of a profile's long-term keys.
enum Keys {
    Stored,
    Missing,
    /// The item is there but does not decrypt or decode; the reason is said on stderr.
    Damaged,
}

/// `vault list --profiles`: names only, from the config alone (completions call it at every
/// Tab, so it opens no store; an empty `[default]` is left out as in `vault list`, even in the
/// rare case that keys are stored for it).
pub fn profile_names() -> Result<ExitCode> {
    let config = crate::profile::load_config()?;
    let mut out = std::io::stdout().lock();
    for name in in_file_order(&config) {
        if name == "default" && config.profiles.get(name).is_some_and(|p| p.is_empty()) {
            continue;
        }
        writeln!(out, "{name}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(store: &dyn SecretStore, args: ListArgs) -> Result<ExitCode> {
    let config = crate::profile::load_config()?;
    let names = listed_names(&config, store)?;
    let mut out = std::io::stdout().lock();
    let mut rows = vec![];
    let mut damaged = 0;
    let now = SystemClock.now();
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
        let stored = matches!(keys, Keys::Stored);
        let mut found = sessions(store, name, &SystemClock)?;
        if let Some(sign_in) = sso_sign_in(store, &config, name, stored, now)? {
            found.insert(0, sign_in);
        }
        if args.sessions {
            for session in found {
                writeln!(out, "{}: {session}", crate::term::escape(name))?;
            }
            continue;
        }
        let keys = match keys {
            Keys::Stored => "stored",
            Keys::Missing => "-",
            Keys::Damaged => "damaged",
        };
        let shown = crate::term::escape(name).into_owned();
        let source = crate::term::escape(&source_of(&config, name, stored)).into_owned();
        let found = if found.is_empty() {
            "-".into()
        } else {
            found.join(", ")
        };
        rows.push([shown, keys.to_string(), source, found]);
    }
    // One damaged item must not hide the others: the table is whole, the damage said on
    // stderr, and the exit status tells scripts something needs care.
    let status = if damaged > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    if args.credentials || args.sessions {
        return Ok(status);
    }
    writeln!(out, "Store: {}", store.describe())?;
    let shown = config.path.display().to_string();
    writeln!(out, "Config: {}", crate::term::escape(&shown))?;
    let width = |column: usize, title: &str| {
        rows.iter()
            .map(|r| r[column].chars().count())
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let (name_w, source_w) = (width(0, "PROFILE"), width(2, "SOURCE"));
    writeln!(
        out,
        "{:name_w$}  {:7}  {:source_w$}  SESSIONS",
        "PROFILE", "KEYS", "SOURCE"
    )?;
    for [name, keys, source, sessions] in rows {
        writeln!(
            out,
            "{name:name_w$}  {keys:7}  {source:source_w$}  {sessions}"
        )?;
    }
    Ok(status)
}

/// The config's profile names in the order their sections appear in the file, as people
/// arrange them (the parser keeps no order). A name whose header is not found, which only a
/// header the scan below reads differently from the parser can cause, comes after, sorted.
fn in_file_order(config: &ConfigFile) -> Vec<&str> {
    let text = std::fs::read_to_string(&config.path).unwrap_or_default();
    // Each header's first position, found in one pass: a config of thousands of profiles
    // (`vault sso populate` writes one per account and role) must not cost a scan per name.
    let mut first_seen = std::collections::HashMap::new();
    let headers = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(|header| {
            let header = header.trim();
            header
                .strip_prefix("profile ")
                .map(str::trim)
                .unwrap_or(header)
        });
    for (index, header) in headers.enumerate() {
        first_seen.entry(header).or_insert(index);
    }
    let mut names = config.profile_names();
    // Stable: names not found keep profile_names' order among themselves.
    names.sort_by_key(|name| first_seen.get(name).copied().unwrap_or(usize::MAX));
    names
}

/// The config's profiles, without an empty `[default]` (aws-vault hides it too: the AWS CLI
/// writes one that holds nothing) unless keys are stored for it; then, sorted, the profiles
/// whose keys are stored with no config section (added with `--no-add-config`, imported under
/// another name, or left when the section was deleted): they work as they are, taking
/// `[default]`'s settings, so they must be findable.
fn listed_names(config: &ConfigFile, store: &dyn SecretStore) -> Result<Vec<String>> {
    let mut names = vec![];
    for name in in_file_order(config) {
        let empty = config.profiles.get(name).is_some_and(|p| p.is_empty());
        if name == "default" && empty && !items::has_keys(store, name)? {
            continue;
        }
        names.push(name.to_string());
    }
    for name in items::profiles_with_keys(store)? {
        if !config.profiles.contains_key(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// Where a role profile's credentials come from: its source profile, or the kind of source it
/// has itself; `-` for a profile that is not a role, and for one that does not resolve (the
/// command using it says why).
fn source_of(config: &ConfigFile, name: &str, stored: bool) -> String {
    let Ok(settings) = config.settings(name) else {
        return "-".into();
    };
    if settings.role_arn.is_none() {
        return "-".into();
    }
    // One word each, so the table splits on whitespace. Stored keys win, as in a fetch.
    if stored {
        return name.into();
    }
    if let Some(source) = settings.source_profile {
        return source;
    }
    if settings.uses_sso {
        "sso".into()
    } else if settings.web_identity_token_file.is_some()
        || settings.web_identity_token_process.is_some()
    {
        "web_identity".into()
    } else if settings.credential_process.is_some() {
        "credential_process".into()
    } else {
        "-".into()
    }
}

/// The IAM Identity Center sign-in `name` uses (`sso 7h left`), when it signs in itself and a
/// sign-in is cached. The token is read only for its expiry.
fn sso_sign_in(
    store: &dyn SecretStore,
    config: &ConfigFile,
    name: &str,
    stored: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>> {
    if stored {
        return Ok(None);
    }
    let Ok(chain) = config.chain(name, |_| Ok::<bool, crate::profile::ProfileError>(false)) else {
        return Ok(None);
    };
    let RootSource::Sso { sso, .. } = chain.root else {
        return Ok(None);
    };
    let item = items::sso_token_item(sso.token_key());
    let Some(token) = items::read_cached::<items::SsoToken>(store, &item)? else {
        return Ok(None);
    };
    let left = (token.expires_at - now).num_seconds();
    Ok(Some(if left > 0 {
        format!("sso {} left", crate::duration_text::human(left))
    } else if token.refresh_token.is_some() {
        // The next command renews it with the refresh token, without the browser.
        "sso renews at next use".into()
    } else {
        "sso expired".into()
    }))
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
fn sessions(store: &dyn SecretStore, profile: &str, clock: &dyn Clock) -> Result<Vec<String>> {
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
    Ok(found)
}
