//! `vault add PROFILE`: store an IAM user's long-term keys, and for a new profile ask for the
//! region and the MFA device too, so the first `vault exec` does not fail for want of them.

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use zeroize::Zeroizing;

use crate::cli::AddArgs;
use crate::creds::{Credentials, items};
use crate::profile::ConfigFile;
use crate::store::SecretStore;

/// The hint every failed terminal question ends with.
const ENV_HINT: &str = "(or pass --env with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set)";

pub fn run(store: &dyn SecretStore, args: AddArgs) -> Result<ExitCode> {
    let profile = args.profile.trim();
    if profile.is_empty() || profile.contains(['[', ']', '\n', '\r']) {
        bail!("'{profile}' cannot be a profile name (no brackets or line breaks, not empty)");
    }
    // Read the config first: a malformed file fails here, before anything is stored.
    let config = crate::profile::load_config()?;
    if let Some(elsewhere) = credentials_from_elsewhere(&config, profile)
        && !args.force
    {
        bail!(
            "profile '{profile}' gets its credentials from {elsewhere} in {}: keys stored for it \
             would be used instead, silently (store the keys for the profile it starts from, or \
             pass --force to store them anyway)",
            config.path.display()
        );
    }
    let new_section = !args.no_add_config && !config.has_profile(profile);
    if !new_section && (args.region.is_some() || args.mfa_serial.is_some()) {
        bail!(
            "--region and --mfa-serial fill in a new profile's section, and [profile {profile}] \
             is already in {} (edit it there; nothing stored)",
            config.path.display()
        );
    }
    if items::has_keys(store, profile)? && !args.force {
        bail!(
            "keys for profile '{profile}' are already stored in {} (use --force to replace them)",
            store.name()
        );
    }
    let (access_key_id, secret_access_key) = if args.env {
        keys_from_env()?
    } else {
        keys_from_terminal()?
    };
    let keys = validate(&access_key_id, &secret_access_key)?;
    let mut section = vec![];
    if new_section {
        let region = match args.region {
            Some(region) => Some(region),
            None if args.env => None,
            None => ask_optional("Region (e.g. eu-west-1; blank to skip): ")?,
        };
        if let Some(region) = region {
            section.push(("region", check_region(&region)?));
        }
        let mfa_serial = match args.mfa_serial {
            Some(serial) => Some(serial),
            None if args.env => None,
            None => ask_optional("MFA device ARN (blank if MFA is not enabled): ")?,
        };
        if let Some(serial) = mfa_serial {
            section.push(("mfa_serial", check_mfa_serial(&serial)?));
        }
    }
    items::write_keys(store, profile, &keys.access_key_id, &keys.secret_access_key)
        .with_context(|| format!("cannot store keys for '{profile}'"))?;
    // New keys make any session of the old ones stale.
    items::drop_sessions(store, profile)?;
    crate::note!(
        "Stored keys for profile '{profile}' in {}.",
        store.describe()
    );
    if new_section && crate::profile::ensure_profile_section_with(&config, profile, &section)? {
        crate::note!("Added [profile {profile}] to {}.", config.path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a profile's credentials come from when it is not stored keys: stored keys win over
/// all of these (as in aws-vault), so storing some would quietly change what the profile is.
fn credentials_from_elsewhere(config: &ConfigFile, profile: &str) -> Option<String> {
    if !config.has_profile(profile) {
        return None;
    }
    // A section that does not resolve (a bad include_profile) fails later, where it is used.
    let settings = config.settings(profile).ok()?;
    if let Some(source) = settings.source_profile {
        return Some(format!("source_profile = {source}"));
    }
    let elsewhere = if settings.uses_sso {
        "IAM Identity Center (SSO)"
    } else if settings.credential_process.is_some() {
        "its credential_process"
    } else if settings.web_identity_token_file.is_some()
        || settings.web_identity_token_process.is_some()
    {
        "a web identity token"
    } else {
        return None;
    };
    Some(elsewhere.to_string())
}

/// Secrets, so not in `Settings`: read here, the secret straight into a zeroized buffer.
fn keys_from_env() -> Result<(String, Zeroizing<String>)> {
    let id = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default();
    let secret = Zeroizing::new(std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default());
    if id.is_empty() || secret.is_empty() {
        bail!("--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set (nothing stored)");
    }
    warn_if_temporary(&id);
    Ok((id, secret))
}

fn keys_from_terminal() -> Result<(String, Zeroizing<String>)> {
    let id = crate::tty::ask("Enter Access Key ID: ")
        .with_context(|| format!("cannot ask for the keys {ENV_HINT}"))?;
    // Refused before the secret is asked for: nobody types a secret only to hear the id was
    // missing.
    if id.trim().is_empty() {
        bail!("the Access Key ID is empty (nothing stored)");
    }
    warn_if_temporary(id.trim());
    let secret = crate::tty::ask_secret("Enter Secret Access Key: ")
        .with_context(|| format!("cannot ask for the keys {ENV_HINT}"))?;
    Ok((id, secret))
}

/// `ASIA...` ids belong to temporary credentials (an STS session, an SSO role): they stop
/// working within hours and need a session token `add` does not take.
fn warn_if_temporary(id: &str) {
    if id.trim().starts_with("ASIA") {
        crate::note!(
            "vault: warning: {} is a temporary access key id (ASIA...): it stops working when \
             its session ends and needs a session token, which vault add does not store; add an \
             IAM user's long-term key (AKIA...) instead",
            id.trim()
        );
    }
}

/// A question whose blank answer means "none".
fn ask_optional(prompt: &str) -> Result<Option<String>> {
    let answer = crate::tty::ask(prompt)
        .with_context(|| format!("cannot ask about the new profile {ENV_HINT}"))?;
    Ok(Some(answer).filter(|a| !a.is_empty()))
}

/// A region as the AWS CLI names one (`eu-west-1`, `us-gov-west-1`, `cn-north-1`): lowercase
/// letters, digits and dashes, so nothing else can reach the config file.
fn check_region(region: &str) -> Result<String> {
    let region = region.trim();
    let well_formed = !region.is_empty()
        && region.len() <= 32
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        bail!(
            "'{}' is not a region (e.g. eu-west-1, us-east-1; nothing stored)",
            crate::term::escape(region)
        );
    }
    Ok(region.to_string())
}

/// An MFA device as STS's SerialNumber takes it: an ARN (`arn:aws:iam::123456789012:mfa/NAME`)
/// or a hardware token's serial, 9 to 256 of `[\w+=/:,.@-]`.
fn check_mfa_serial(serial: &str) -> Result<String> {
    let serial = serial.trim();
    let well_formed = (9..=256).contains(&serial.len())
        && serial
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c));
    if !well_formed {
        return Err(anyhow!(
            "'{}' is not an MFA device ARN (e.g. arn:aws:iam::123456789012:mfa/NAME; nothing stored)",
            crate::term::escape(serial)
        ));
    }
    Ok(serial.to_string())
}

/// The keys as they will be stored: trimmed (a pasted key often brings a space or a line
/// break along), then checked like every other source, so what `add` accepts is what a store
/// read accepts later.
fn validate(id: &str, secret: &str) -> Result<Credentials> {
    let id = id.trim();
    let secret = secret.trim();
    if id.is_empty() {
        bail!("the Access Key ID is empty (nothing stored)");
    }
    if secret.is_empty() {
        bail!("the Secret Access Key is empty (nothing stored)");
    }
    if id.chars().any(char::is_whitespace) || secret.chars().any(char::is_whitespace) {
        bail!("keys cannot contain spaces (nothing stored)");
    }
    Credentials::new("the input", id.to_string(), secret.to_string(), None, None)
        .map_err(|e| anyhow!("{e}; nothing stored"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_serials_are_checked() {
        assert_eq!(check_region(" eu-west-1 ").unwrap(), "eu-west-1");
        assert!(check_region("eu west").is_err());
        assert!(check_region("x\nmfa_serial = y").is_err());
        let arn = "arn:aws:iam::123456789012:mfa/will";
        assert_eq!(check_mfa_serial(arn).unwrap(), arn);
        assert!(check_mfa_serial("arn:aws:iam::1:mfa/a b").is_err());
        assert!(check_mfa_serial("short").is_err());
    }
}
