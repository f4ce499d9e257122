//! `vault list`: profiles, stored keys, cached sessions.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;

use crate::cli::ListArgs;
use crate::store::{SecretStore, items};

/// `vault list --profiles`: names only, from the config alone.
pub fn profile_names() -> Result<ExitCode> {
    let config = super::load_config()?;
    let mut out = std::io::stdout().lock();
    for name in config.profile_names() {
        writeln!(out, "{name}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(store: &dyn SecretStore, args: ListArgs) -> Result<ExitCode> {
    let config = super::load_config()?;
    let names = config.profile_names();
    let mut out = std::io::stdout().lock();
    let mut rows = vec![];
    for name in &names {
        let keys = items::has_keys(store, name)?;
        if args.credentials {
            if keys {
                writeln!(out, "{name}")?;
            }
            continue;
        }
        rows.push([
            name.to_string(),
            if keys { "stored".into() } else { "-".into() },
            sessions(store, name)?,
        ]);
    }
    if args.credentials {
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Store: {}", store.describe())?;
    writeln!(out, "Config: {}", config.path.display())?;
    let width = names
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(0)
        .max("PROFILE".len());
    writeln!(out, "{:width$}  {:6}  SESSIONS", "PROFILE", "KEYS")?;
    for [name, keys, sessions] in rows {
        writeln!(out, "{name:width$}  {keys:6}  {sessions}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn sessions(store: &dyn SecretStore, profile: &str) -> Result<String> {
    let now = Utc::now();
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
                format!("{label} {} left", human(left))
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

/// `42m`, `7h12m`, `30s`: short enough for a table or a prompt.
pub fn human(seconds: i64) -> String {
    match seconds {
        s if s >= 3600 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
