//! `vault sso populate`: one `[profile ...]` per account and role the user can reach in IAM
//! Identity Center, written into vault's own block of the config file
//! (profile::managed_block). See docs/sso.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};

use crate::cli::{SsoArgs, SsoCommand, SsoPopulateArgs};
use crate::clock::SystemClock;
use crate::creds::sso::portal::{Account, Portal, PortalError};
use crate::creds::sso::{Session, SignIn};
use crate::profile::managed_block::{self, Section};
use crate::profile::name_template::{Template, Values};
use crate::profile::{ConfigFile, config_path};
use crate::store::{SecretStore, lock};

pub fn run(store: &dyn SecretStore, args: SsoArgs) -> Result<ExitCode> {
    match args.command {
        SsoCommand::Populate(args) => populate(store, args),
    }
}

fn populate(store: &dyn SecretStore, args: SsoPopulateArgs) -> Result<ExitCode> {
    let template = Template::parse(&args.template)?;
    let path = config_path()?;
    // What to sign in to, and a damaged block found before anyone is asked to sign in.
    let (_, target, _) = read_config(&path, &args)?;
    let accounts = list_accounts(store, &target, args.use_device_code)?;

    // The sign-in may take minutes: only the write is serialised, and it starts from the
    // file as it is now, so another `vault sso populate` that wrote meanwhile (another
    // sso-session's block) is kept, not written over.
    let _guard = lock::acquire(&crate::profile::config_lock_name(&path))?;
    let (text, now, span) = read_config(&path, &args)?;
    if now.session != target.session {
        bail!(
            "[sso-session {}] in {} changed while vault was listing its accounts: nothing was written (run the command again)",
            target.name,
            path.display()
        );
    }
    let target = now;
    let config = ConfigFile::parse(&path, &text)?;
    let block: Vec<Section> = span
        .as_ref()
        .map(|s| managed_block::sections(&text[s.body.clone()]))
        .unwrap_or_default();
    let ours: BTreeSet<&str> = block
        .iter()
        .filter_map(|s| profile_name(&s.header))
        .collect();

    let region = args
        .profile_region
        .clone()
        .unwrap_or_else(|| target.session.region.clone());
    let wanted = profiles(&template, &target.name, &accounts)?;

    // Hand-written profiles (and other sessions' blocks) are never written over.
    let mut sections: BTreeMap<String, String> = BTreeMap::new();
    let mut clashes = vec![];
    for (name, (account, role)) in &wanted {
        if config.has_profile(name) && !ours.contains(name.as_str()) {
            clashes.push(format!(
                "vault: not written: profile '{name}' (account {} '{}', role {role}) already exists in {} outside vault's block; rename that one or choose other names with --template",
                account.id,
                account.name,
                path.display()
            ));
            continue;
        }
        sections.insert(
            name.clone(),
            format!(
                "[profile {name}]\nsso_session = {}\nsso_account_id = {}\nsso_role_name = {role}\nregion = {region}\n",
                target.name, account.id
            ),
        );
    }
    let mut stale = vec![];
    for section in &block {
        if let Some(name) = profile_name(&section.header)
            && !wanted.contains_key(name)
        {
            stale.push(name.to_string());
            if !args.prune {
                sections.insert(name.to_string(), tidy(&section.text));
            }
        }
    }

    let mut parts: Vec<String> = vec![];
    if target.owned {
        parts.push(target.section());
    }
    parts.extend(sections.into_values());
    let body = parts.join("\n");
    let new = managed_block::replace(&text, &target.name, span.as_ref(), &body);
    // What vault writes must read back as the profiles it meant.
    let check = ConfigFile::parse(&path, &new)
        .context("vault's new block would not parse: nothing was written")?;
    for name in wanted.keys() {
        if !check.has_profile(name) {
            bail!("profile '{name}' would not read back: nothing was written");
        }
    }

    for line in &clashes {
        crate::note!("{line}");
    }
    if !stale.is_empty() {
        let names = super::quoted_list(&stale);
        if args.prune {
            crate::note!("vault: removed, no longer in IAM Identity Center: {names}");
        } else {
            crate::note!(
                "vault: no longer in IAM Identity Center (kept; --prune removes them): {names}"
            );
        }
    }
    let count = wanted.len() - clashes.len();
    let from = format!("sso-session '{}'", target.name);
    if new == text {
        crate::note!(
            "vault: {} is up to date ({count} profiles from {from})",
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        print!("{}", diff(&text, &new, &path));
        crate::note!("vault: dry run: {} was not changed", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    crate::profile::replace_contents(&path, &new)?;
    crate::note!(
        "vault: wrote {count} profiles from {from} to {}",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The config's text (empty when it is missing), the sso-session to populate, and where
/// vault's block for it is.
fn read_config(
    path: &Path,
    args: &SsoPopulateArgs,
) -> Result<(String, Target, Option<managed_block::Span>)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let config = ConfigFile::parse(path, &text)?;
    let target = Target::choose(&config, &text, args)?;
    let span = managed_block::find(&text, &target.name)
        .with_context(|| format!("vault's block in {} is damaged", path.display()))?;
    Ok((text, target, span))
}

/// `NAME` of a `profile NAME` header.
fn profile_name(header: &str) -> Option<&str> {
    header.strip_prefix("profile ").map(str::trim)
}

/// A kept section's text with its trailing blank lines dropped, so sections join alike.
fn tidy(text: &str) -> String {
    format!("{}\n", text.trim_end())
}

/// Every account role's profile name, or the names two of them would share.
fn profiles<'a>(
    template: &Template,
    session: &str,
    accounts: &'a [Account],
) -> Result<BTreeMap<String, (&'a Account, &'a str)>> {
    let mut out: BTreeMap<String, (&Account, &str)> = BTreeMap::new();
    for account in accounts {
        for role in &account.roles {
            let values = Values {
                account_name: &account.name,
                account_id: &account.id,
                account_email: &account.email,
                role_name: role,
                sso_session: session,
            };
            let name = template.render(&values).ok_or_else(|| {
                anyhow!(
                    "the template gives an empty name for role {role} in account {}",
                    account.id
                )
            })?;
            if let Some((other, other_role)) = out.insert(name.clone(), (account, role)) {
                bail!(
                    "the template gives both role {other_role} in account {} and role {role} in account {} the name '{name}': add {{account_id}} to --template",
                    other.id,
                    account.id
                );
            }
        }
    }
    Ok(out)
}

/// The accounts and roles, signing in first; a sign-in that ends mid-listing (signed out,
/// revoked) signs in again once and lists from the start.
fn list_accounts(
    store: &dyn SecretStore,
    target: &Target,
    use_device_code: bool,
) -> Result<Vec<Account>> {
    let runtime = crate::aws::runtime()?;
    let min_ttl = crate::settings::get().ttls.min_ttl;
    let sign_in = SignIn::new(
        store,
        format!("sso-session '{}'", target.name),
        target.session.clone(),
        use_device_code || crate::settings::get().sso_use_device_code,
        &SystemClock,
    );
    let portal = Portal::new(&target.session.region);
    let failed = |e: PortalError| {
        anyhow::Error::from(e).context(format!(
            "sso-session '{}': listing the accounts at {} failed",
            target.name, target.session.start_url
        ))
    };
    let (token, _) = runtime.block_on(sign_in.token(min_ttl))?;
    match runtime.block_on(portal.accounts(&token.access_token)) {
        Err(PortalError::Unauthorized(_)) => {
            crate::note!(
                "vault: the IAM Identity Center sign-in ended while listing: signing in again"
            );
            let token = runtime.block_on(sign_in.renew(min_ttl, &token.access_token))?;
            runtime
                .block_on(portal.accounts(&token.access_token))
                .map_err(failed)
        }
        other => other.map_err(failed),
    }
}

/// The sso-session populate lists, and whether vault writes its section (in its block).
struct Target {
    name: String,
    session: Session,
    owned: bool,
}

impl Target {
    fn choose(config: &ConfigFile, text: &str, args: &SsoPopulateArgs) -> Result<Target> {
        let given = args
            .start_url
            .as_deref()
            .zip(args.region.as_deref())
            .map(|(url, region)| check_new_session(url, region))
            .transpose()?;
        let name = match (&args.sso_session, &given) {
            (Some(name), _) => name.clone(),
            (None, Some((url, _))) => name_from_url(url),
            (None, None) => match config.sso_sessions.keys().collect::<Vec<_>>()[..] {
                [one] => one.clone(),
                [] => bail!(
                    "{} has no [sso-session]: give --start-url URL --region REGION to create one",
                    config.path.display()
                ),
                ref many => bail!(
                    "{} has several sso-sessions ({}): name the one to populate",
                    config.path.display(),
                    many.iter()
                        .map(|n| format!("'{n}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        };
        if crate::profile::name_template::normalise(&name) != name {
            bail!("'{name}' cannot name an sso-session (letters, digits and _-/.%@:+ only)");
        }
        let owned_before = managed_block::find(text, &name)
            .ok()
            .flatten()
            .map(|span| {
                managed_block::sections(&text[span.body])
                    .iter()
                    .any(|s| s.header == format!("sso-session {name}"))
            })
            .unwrap_or(false);
        match (config.sso_sessions.get(&name), given) {
            (Some(existing), given) => {
                let get = |key: &str| existing.get(key).cloned().unwrap_or_default();
                let (start_url, region) = (get("sso_start_url"), get("sso_region"));
                if let Some((url, new_region)) = given
                    && (url != start_url || new_region != region)
                {
                    if !owned_before {
                        bail!(
                            "[sso-session {name}] in {} has sso_start_url {start_url} and sso_region {region}; vault will not change a section it did not write (edit it, or leave out --start-url and --region)",
                            config.path.display()
                        );
                    }
                    return Ok(Target::new(name, url, new_region, true));
                }
                if start_url.is_empty() || region.is_empty() {
                    bail!(
                        "[sso-session {name}] in {} needs sso_start_url and sso_region",
                        config.path.display()
                    );
                }
                Ok(Target::new(name, start_url, region, owned_before))
            }
            (None, Some((url, region))) => Ok(Target::new(name, url, region, true)),
            (None, None) => bail!(
                "{} has no [sso-session {name}]: give --start-url URL --region REGION to create it",
                config.path.display()
            ),
        }
    }

    fn new(name: String, start_url: String, region: String, owned: bool) -> Target {
        Target {
            session: Session {
                name: Some(name.clone()),
                start_url,
                region,
            },
            name,
            owned,
        }
    }

    fn section(&self) -> String {
        format!(
            "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n",
            self.name, self.session.start_url, self.session.region
        )
    }
}

/// A start URL and region given on the command line, checked: an https URL with a host, and
/// a region name (so neither can put a line or a section into the config).
fn check_new_session(url: &str, region: &str) -> Result<(String, String)> {
    let parsed =
        url::Url::parse(url).map_err(|why| anyhow!("--start-url '{url}' is not a URL ({why})"))?;
    if parsed.scheme() != "https"
        || parsed.host_str().is_none()
        || url.contains(char::is_whitespace)
    {
        bail!(
            "--start-url '{url}' must be an https:// URL, such as https://my-org.awsapps.com/start"
        );
    }
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        bail!("--region '{region}' is not a region name, such as eu-west-1");
    }
    Ok((url.to_string(), region.to_string()))
}

/// The session name for a start URL: its host's first label (`my-org` for
/// https://my-org.awsapps.com/start).
fn name_from_url(url: &str) -> String {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_default();
    let name = crate::profile::name_template::normalise(host.split('.').next().unwrap_or(""));
    if name.is_empty() { "sso".into() } else { name }
}

/// A unified diff of the config, as `diff -u` prints it.
fn diff(old: &str, new: &str, path: &std::path::Path) -> String {
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&shown, &shown)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_sessions_are_checked_and_named_from_their_host() {
        assert_eq!(name_from_url("https://my-org.awsapps.com/start"), "my-org");
        assert!(check_new_session("https://my-org.awsapps.com/start", "eu-west-1").is_ok());
        for (url, region) in [
            ("http://x/start", "eu-west-1"),
            ("https://x/start\n[profile evil]", "eu-west-1"),
            ("https://x/start", "eu west 1"),
            ("https://x/start", "eu-west-1\nx = y"),
        ] {
            assert!(
                check_new_session(url, region).is_err(),
                "{url:?} {region:?}"
            );
        }
    }
}
