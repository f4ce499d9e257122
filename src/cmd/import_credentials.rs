//! `vault import-credentials [PROFILES...]`: move long-term keys from the plain-text
//! `~/.aws/credentials` into vault's store, then take them out of the file.
//!
//! Order, so nothing is ever half-applied: every key is stored first; only when all of them are
//! stored is the file rewritten, once, atomically (a temporary file beside it, its mode, then a
//! rename). A failure before the rename leaves the file as it was: keys stored by then are
//! found again (the same key already stored counts as imported) by the next run.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::ImportCredentialsArgs;
use crate::creds::{Credentials, items};
use crate::debug::redact_key_id;
use crate::import::credentials_file::{self, Section};
use crate::store::SecretStore;

/// What happens to one profile.
enum Plan {
    /// Store these keys, then take them out of the file.
    Import(Credentials),
    /// The store already has exactly these keys: only take them out of the file.
    AlreadyStored(Credentials),
    /// Left as it is, for this reason; `failed` when it makes the command fail.
    Skip { why: String, failed: bool },
}

pub fn run(store: &dyn SecretStore, args: ImportCredentialsArgs) -> Result<ExitCode> {
    let path = credentials_path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => zeroize::Zeroizing::new(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "{} does not exist: there are no keys to import",
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    // Read the config first: a malformed one fails here, before anything is stored.
    let config = crate::profile::load_config()?;
    let sections = credentials_file::sections(&text);

    let chosen: Vec<&str> = if args.profiles.is_empty() {
        sections
            .iter()
            .filter(|s| s.access_key_id.is_some() || s.secret_access_key.is_some())
            .map(|s| s.profile.as_str())
            .collect()
    } else {
        let mut named: Vec<&str> = vec![];
        for p in &args.profiles {
            if !named.contains(&p.as_str()) {
                named.push(p);
            }
        }
        named
    };
    if chosen.is_empty() {
        bail!("{} holds no access keys to import", path.display());
    }

    let plans: Vec<(&str, Plan)> = chosen
        .iter()
        .map(|&profile| {
            let section = sections.iter().find(|s| s.profile == profile);
            Ok((profile, plan(store, section, profile, args.force)?))
        })
        .collect::<Result<_>>()?;

    let dry = if args.dry_run {
        " (dry run: nothing changes)"
    } else {
        ""
    };
    crate::show!(
        "Importing from {} into {}{dry}:",
        path.display(),
        store.describe()
    );
    let mut moved: Vec<String> = vec![];
    let mut failed = 0;
    for (profile, plan) in &plans {
        match plan {
            Plan::Import(keys) => {
                if !args.dry_run {
                    items::write_keys(store, profile, &keys.access_key_id, &keys.secret_access_key)
                        .with_context(|| {
                            format!(
                                "cannot store the keys of '{profile}' ({} left unchanged{})",
                                path.display(),
                                stored_so_far(&moved)
                            )
                        })?;
                    // Sessions cached from other keys are stale now.
                    items::drop_sessions(store, profile)?;
                }
                crate::show!(
                    "  {profile}: {} {}",
                    verb(args.dry_run, "stored", "would store"),
                    redact_key_id(&keys.access_key_id)
                );
                moved.push(profile.to_string());
            }
            Plan::AlreadyStored(keys) => {
                crate::show!(
                    "  {profile}: the same key is already stored ({}); {} from the file",
                    redact_key_id(&keys.access_key_id),
                    verb(args.dry_run, "removing it", "would remove it")
                );
                moved.push(profile.to_string());
            }
            Plan::Skip { why, failed: f } => {
                crate::show!("  {profile}: skipped: {why}");
                failed += usize::from(*f);
            }
        }
    }

    if !moved.is_empty() && !args.dry_run {
        let backup = rewrite(&path, &text, &moved, args.keep_backup)?;
        crate::show!(
            "Removed the keys of {} profile(s) from {}{}.",
            moved.len(),
            path.display(),
            match backup {
                Some(b) => format!(" (its previous content is in {}, mode 0600)", b.display()),
                None => String::new(),
            }
        );
        for profile in &moved {
            if crate::profile::ensure_profile_section(&config, profile)? {
                crate::show!("Added {} to {}.", header(profile), config.path.display());
            }
        }
    } else if !moved.is_empty() {
        crate::show!(
            "Would remove the keys of {} profile(s) from {}{}.",
            moved.len(),
            path.display(),
            if args.keep_backup {
                ", keeping a backup"
            } else {
                ""
            }
        );
        for profile in moved.iter().filter(|p| !config.has_profile(p)) {
            crate::show!(
                "Would add {} to {}.",
                header(profile),
                config.path.display()
            );
        }
    }
    if failed > 0 {
        bail!("{failed} profile(s) were not imported (see above)");
    }
    Ok(ExitCode::SUCCESS)
}

/// The config section header of `profile`, as `ensure_profile_section` writes it.
fn header(profile: &str) -> String {
    if profile == "default" {
        "[default]".to_string()
    } else {
        format!("[profile {profile}]")
    }
}

fn verb(dry_run: bool, done: &'static str, would: &'static str) -> &'static str {
    if dry_run { would } else { done }
}

fn stored_so_far(moved: &[String]) -> String {
    if moved.is_empty() {
        String::new()
    } else {
        format!(
            "; stored before that and still in the file: {}",
            super::quoted_list(moved)
        )
    }
}

/// AWS_SHARED_CREDENTIALS_FILE, else `~/.aws/credentials`.
fn credentials_path() -> Result<PathBuf> {
    if let Some(path) = &crate::settings::get().credentials_file {
        return Ok(path.clone());
    }
    let home = dirs::home_dir().context("cannot find the home folder (set HOME)")?;
    Ok(home.join(".aws").join("credentials"))
}

fn plan(
    store: &dyn SecretStore,
    section: Option<&Section>,
    profile: &str,
    force: bool,
) -> Result<Plan> {
    let skip = |why: String, failed: bool| Ok(Plan::Skip { why, failed });
    let Some(section) = section else {
        return skip("the file has no such profile".into(), true);
    };
    if section.has_session_token {
        return skip(
            "it holds a session token: temporary keys, which expire (left in the file)".into(),
            false,
        );
    }
    let (Some(id), Some(secret)) = (&section.access_key_id, &section.secret_access_key) else {
        return skip(
            "it needs both aws_access_key_id and aws_secret_access_key".into(),
            true,
        );
    };
    let keys = match Credentials::new("the file", id.clone(), secret.to_string(), None, None) {
        Ok(keys) => keys,
        Err(e) => return skip(format!("{e}"), true),
    };
    if profile.is_empty() || profile.contains(['[', ']', '\n', '\r']) {
        return skip("not a name vault can store keys under".into(), true);
    }
    if let Some(existing) = items::read_keys(store, profile)
        .with_context(|| format!("cannot check the keys stored for '{profile}'"))?
    {
        if existing.access_key_id == keys.access_key_id
            && existing.secret_access_key == keys.secret_access_key
        {
            return Ok(Plan::AlreadyStored(keys));
        }
        if !force {
            return skip(
                format!(
                    "other keys are already stored for it ({}; --force replaces them)",
                    redact_key_id(&existing.access_key_id)
                ),
                true,
            );
        }
    }
    Ok(Plan::Import(keys))
}

/// Replaces the file at `path` (a symlink's target, so a dotfile manager's link stays) with
/// `text` minus the keys of `moved`, atomically and with the file's mode. With `keep_backup`,
/// first writes `text` to a new 0600 file beside it and returns its path.
fn rewrite(
    path: &Path,
    text: &str,
    moved: &[String],
    keep_backup: bool,
) -> Result<Option<PathBuf>> {
    let target = std::fs::canonicalize(path)
        .with_context(|| format!("cannot resolve {}", path.display()))?;
    let backup = if keep_backup {
        Some(write_backup(&target, text)?)
    } else {
        None
    };
    // The config's own atomic rewrite: a temporary file beside the target, with its mode,
    // synced, then renamed over it.
    crate::profile::replace_contents(&target, &credentials_file::remove_keys(text, moved))?;
    Ok(backup)
}

/// `text` in `<file>.vault-backup` (or `.vault-backup.N`, the first name free), created new
/// and 0600 whatever the umask: it holds the keys in clear.
fn write_backup(target: &Path, text: &str) -> Result<PathBuf> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "credentials".into());
    for n in 0..100 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!(".{n}")
        };
        let backup = target.with_file_name(format!("{name}.vault-backup{suffix}"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(&backup) {
            Ok(mut file) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
                }
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .with_context(|| format!("cannot write the backup {}", backup.display()))?;
                return Ok(backup);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot create the backup {}", backup.display()));
            }
        }
    }
    bail!(
        "cannot find a free name for the backup of {}",
        target.display()
    )
}
