//! `vault login PROFILE`: open the AWS console signed in as the profile.
//!
//! Role (and SSO) credentials go to the federation endpoint as they are. An IAM user's keys
//! cannot sign in, and neither can GetSessionToken credentials, so a user profile first turns
//! its long-term keys into a federated user's with GetFederationToken.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::aws::{self, Endpoint};
use crate::cli::LoginArgs;
use crate::clock::{Clock, SystemClock};
use crate::creds::federation;
use crate::creds::items;
use crate::creds::sts;
use crate::creds::{Credentials, rfc3339};
use crate::profile::RootSource;
use crate::settings;
use crate::store::SecretStore;

/// GetFederationToken's lifetime when neither --duration nor AWS_FEDERATION_TOKEN_TTL says.
const DEFAULT_FEDERATION_TOKEN_TTL: Duration = Duration::from_secs(3600);

pub fn run(store: &dyn SecretStore, mut args: LoginArgs) -> Result<ExitCode> {
    let settings = settings::get();
    let Some(profile) = crate::pick::resolve(args.profile.take(), args.pick, "login PROFILE")?
    else {
        return Ok(crate::pick::cancelled());
    };
    let profile = profile.as_str();
    // Loaded quietly: `fetch` loads it again and says so under --debug.
    let config = crate::profile::ConfigFile::load(&crate::profile::config_path()?)?;
    // With the variables fetching uses too: AWS_ROLE_ARN makes a user profile a role.
    let chain = config.chain_with(profile, &settings.profile, |p| -> Result<bool> {
        Ok(items::has_keys(store, p)?)
    })?;
    // AWS_VAULT_DURATION and AWS_VAULT_STDOUT are aws-vault's variables for the flags.
    let duration_asked = args.creds.duration.or(settings.duration);
    // A browser named on the command line wins over AWS_VAULT_STDOUT.
    let stdout = args.stdout || (settings.login_stdout && args.browser.is_none());
    let browser = args
        .browser
        .as_deref()
        .or(settings.login_browser.as_deref())
        .map(crate::browser::named::Choice::parse);
    // A plain user profile signs in with a federation token made from its long-term keys: a
    // cached GetSessionToken session is of no use to the federation endpoint.
    let user_keys = chain.hops.is_empty() && matches!(chain.root, RootSource::StoredKeys { .. });
    let mut creds_args = args.creds.clone();
    if user_keys {
        creds_args.no_session = true;
    }
    let fetched = crate::creds::fetch::credentials(store, profile, &creds_args)?;
    let region = fetched.region.clone();

    let (creds, federated) = if fetched.credentials.is_temporary() {
        (fetched.credentials, false)
    } else {
        let endpoint = Endpoint::resolve_sts(
            region.as_deref(),
            chain.endpoint_url.as_deref(),
            chain.sts_regional_endpoints,
        );
        let duration = match duration_asked {
            Some(d) => d,
            None => settings
                .federation_token_ttl
                .clone()
                .map_err(anyhow::Error::msg)?
                .unwrap_or(DEFAULT_FEDERATION_TOKEN_TTL),
        };
        let token = federation_token(profile, &endpoint, &fetched.credentials, duration)?;
        (token, true)
    };

    let endpoint = federation::federation_endpoint(
        region.as_deref(),
        settings.federation_endpoint.as_deref(),
    )?;
    // SessionDuration is accepted only with role credentials, and never beyond their life.
    let session_duration = match (federated, duration_asked) {
        (false, Some(wanted)) => {
            let left = creds
                .remaining(SystemClock.now())
                .and_then(|d| d.to_std().ok())
                .unwrap_or(wanted);
            Some(federation::session_duration(wanted.min(left)))
        }
        _ => None,
    };
    crate::debug!(
        "getSigninToken at {endpoint} with {} credentials {}{}",
        if federated { "federation" } else { "role" },
        crate::debug::redact_key_id(&creds.access_key_id),
        creds
            .expiration
            .map(|e| format!(" (expire {})", rfc3339(e)))
            .unwrap_or_default()
    );
    let request = federation::signin_token_url(
        &endpoint,
        &federation::session_json(&creds)?,
        session_duration,
    );
    let signin_token = get_signin_token(&request)
        .with_context(|| format!("cannot get a sign-in token from {endpoint}"))?;
    let destination = federation::destination(region.as_deref(), args.path.as_deref());
    crate::debug!("console destination: {destination}");
    let url = federation::login_url(&endpoint, &destination, &signin_token);

    if stdout {
        println!("{url}");
        crate::pick::recent::record(profile);
        return Ok(ExitCode::SUCCESS);
    }
    crate::pick::recent::record(profile);
    match open_browser(&url, browser.as_ref(), profile) {
        Ok(()) => {
            crate::debug!("opened the sign-in URL in the browser");
        }
        Err(why) => {
            crate::note!(
                "vault: cannot open a browser ({why}); open this URL within {} to sign in as '{}' (it is a credential: do not share it):",
                federation::SIGNIN_TOKEN_LIFETIME,
                profile
            );
            println!("{url}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// GetFederationToken with `keys` (long-term), named after the IAM user they belong to.
fn federation_token(
    profile: &str,
    endpoint: &Endpoint,
    keys: &Credentials,
    duration: Duration,
) -> Result<Credentials> {
    let runtime = aws::runtime()?;
    let client = sts::client(endpoint, Some(keys));
    // GetCallerIdentity needs no permission, so a failure here is one GetFederationToken
    // would meet too (unreachable endpoint, revoked keys).
    let caller = runtime
        .block_on(sts::caller_arn(&client))
        .with_context(|| format!("profile '{profile}'"))?;
    let name = federation::federated_user_name(Some(&caller), profile);
    crate::debug!(
        "GetFederationToken for '{profile}' as '{name}' with {} ({}s) at {}",
        crate::debug::redact_key_id(&keys.access_key_id),
        duration.as_secs(),
        endpoint.url.as_deref().unwrap_or("AWS")
    );
    runtime
        .block_on(sts::get_federation_token(
            &client,
            &name,
            duration,
            &[federation::FEDERATION_POLICY_ARN],
        ))
        .with_context(|| format!("profile '{profile}'"))
}

/// The getSigninToken call, through the HTTPS stack every AWS call uses. `url` carries the
/// credentials: it never appears in an error.
#[cfg(feature = "https")]
fn get_signin_token(url: &str) -> Result<String> {
    let (status, body) = aws::runtime()?.block_on(aws::get(
        url,
        "application/json",
        settings::get().call_timeout,
        1 << 20,
    ))?;
    if !(200..300).contains(&status) {
        anyhow::bail!(
            "the federation endpoint answered HTTP {status} (the credentials may be expired, or not allowed to sign in)"
        );
    }
    federation::parse_signin_token(&body)
}

#[cfg(not(feature = "https"))]
fn get_signin_token(_url: &str) -> Result<String> {
    anyhow::bail!(
        "this vault was built without its `https` feature, so it cannot reach the federation endpoint (rebuild with default features)"
    )
}

/// Open `url` in the browser chosen (`--browser`, VAULT_LOGIN_BROWSER), else `$BROWSER` or
/// the default browser; the reason when there is none, which never holds the URL (it is a
/// credential).
fn open_browser(
    url: &str,
    chosen: Option<&crate::browser::named::Choice>,
    profile: &str,
) -> std::result::Result<(), String> {
    use crate::browser::named::Choice;
    // A browser the user named is started whatever the desktop looks like.
    if let Some(choice) = chosen.filter(|c| **c != Choice::Default) {
        return crate::browser::named::open(choice, profile, url).map_err(|why| why.to_string());
    }
    // Without a graphical session xdg-open would start a text browser detached from the
    // terminal, or nothing at all: better to hand the URL to the user.
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        // The desktop's variables are the platform's facts, not settings; BROWSER is one.
        let graphical = settings::get().browser.is_some()
            || ["DISPLAY", "WAYLAND_DISPLAY", "WSL_DISTRO_NAME"]
                .iter()
                .any(|v| settings::var(v).is_some());
        if !graphical {
            return Err("no graphical session".into());
        }
    }
    crate::browser::open(url).map_err(|why| why.to_string())
}
