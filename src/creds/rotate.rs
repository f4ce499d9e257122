//! Replacing a profile's stored access key with a new one (`vault rotate`).
//!
//! The order is chosen so a working key is stored at every moment: create the new key, store it
//! at once (its secret exists nowhere else), check that it works, drop the sessions made from
//! the old key, and only then delete the old key. Each failure says what IAM holds afterwards.
//! Progress goes to the caller as [`Progress`] events; the command prints them.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use super::iam::{self, Owner};
use super::{Credentials, items};
use crate::aws::{self, CallError, Endpoint, Service};
use crate::cli::CredentialArgs;
use crate::debug::redact_key_id as show;
use crate::profile::{ConfigFile, RootSource};
use crate::store::{SecretStore, lock};

/// How long a new key may take to become usable (IAM is eventually consistent).
const VERIFY_BUDGET: Duration = Duration::from_secs(30);
/// How long to keep trying to delete the old key after transient failures.
const DELETE_BUDGET: Duration = Duration::from_secs(20);

/// A step of the rotation that went through, in the order they happen. Key ids are the raw
/// ids: the caller shortens them for display.
pub enum Progress<'a> {
    /// The stored key of `owner` is about to be replaced; `via` is the profile whose
    /// credentials make the IAM calls, when it is not `owner` itself.
    Started {
        owner: &'a str,
        old_key: &'a str,
        via: Option<&'a str>,
    },
    /// IAM made the new key for `who` ("IAM user 'u'" or "the root user").
    Created { new_key: &'a str, who: &'a str },
    /// The new key is in the store under `owner`.
    Stored { owner: &'a str },
    /// STS accepted the new key.
    Works,
    /// Cached sessions of these profiles (made from the old key) were dropped; never empty.
    ClearedSessions(&'a [String]),
    /// The old key was deleted in IAM, or (`already_gone`) was deleted before we got to it.
    DeletedOld {
        old_key: &'a str,
        already_gone: bool,
    },
}

/// What a finished rotation did.
pub struct Rotated {
    pub owner: String,
    pub old_key: String,
    pub new_key: String,
}

/// Rotate the key behind `profile`: the profile's own stored key, or that of the profile its
/// credentials come from. `no_session` makes the IAM calls with the stored key directly.
pub fn rotate(
    store: &dyn SecretStore,
    profile: &str,
    no_session: bool,
    report: &mut dyn FnMut(Progress),
) -> Result<Rotated> {
    let config = crate::profile::load_config()?;
    let chain = config.chain(profile, |p| -> Result<bool> {
        Ok(items::has_keys(store, p)?)
    })?;
    let owner = match &chain.root {
        RootSource::StoredKeys { profile } => profile.clone(),
        other => bail!(
            "profile '{}' gets its credentials from profile '{}' without stored keys, so there is no key to rotate (rotate a profile added with `vault add`)",
            profile,
            other.profile()
        ),
    };
    // Two rotations of the same key at once would each create a key; take turns.
    let _turn = lock::acquire(&format!("rotate:{owner}"))?;
    let old = items::read_keys(store, &owner)?.with_context(|| {
        format!("no keys stored for profile '{owner}' (run `vault add {owner}`)")
    })?;
    report(Progress::Started {
        owner: &owner,
        old_key: &old.access_key_id,
        via: (owner != profile).then_some(profile),
    });

    let region = chain
        .region
        .clone()
        // The shell's region, not a setting (the managed variables are the shell's state).
        .or_else(|| crate::settings::var("AWS_REGION"))
        .or_else(|| crate::settings::var("AWS_DEFAULT_REGION"));
    let sts_endpoint = Endpoint::resolve(
        Service::Sts,
        region.as_deref(),
        chain.endpoint_url.as_deref(),
    );
    let iam_endpoint = Endpoint::resolve(
        Service::Iam,
        region.as_deref(),
        chain.endpoint_url.as_deref(),
    );
    let unchanged = format!(
        "nothing changed: the old key {} is still stored",
        show(&old.access_key_id)
    );

    let caller = caller_credentials(store, profile, no_session, &chain, &old)
        .map_err(|err| anyhow!("cannot get credentials for the IAM calls: {err:#}; {unchanged}"))?;
    let runtime = aws::runtime()?;
    let client = iam::client(&iam_endpoint, &caller);
    crate::debug!(
        "IAM calls as {} at {}",
        show(&caller.access_key_id),
        iam_endpoint.url.as_deref().unwrap_or("AWS")
    );

    let owner_of_key = runtime
        .block_on(key_owner(&sts_endpoint, &old, &client))
        .map_err(|why| {
            anyhow!(
                "cannot find which IAM user owns {}: {why}; {unchanged}",
                show(&old.access_key_id)
            )
        })?;
    let user = match &owner_of_key {
        Owner::User(name) => Some(name.as_str()),
        Owner::Root => None,
    };
    let who = user.map_or("the root user".to_string(), |u| format!("IAM user '{u}'"));

    // 1. A new key. Failing here changes nothing.
    let new = runtime
        .block_on(iam::create_access_key(&client, user))
        .map_err(|err| {
            let hint = if err.is("LimitExceeded") {
                " (an IAM user can have at most 2 access keys: delete the unused one in the console, then try again)"
            } else {
                ""
            };
            anyhow!("cannot create a new access key for {who}: {err}{hint}; {unchanged}")
        })?;
    report(Progress::Created {
        new_key: &new.access_key_id,
        who: &who,
    });

    // 2. Store it at once: its secret exists nowhere else.
    if let Err(err) = items::write_keys(store, &owner, &new.access_key_id, &new.secret_access_key) {
        let undo = runtime.block_on(iam::delete_access_key(&client, user, &new.access_key_id));
        return Err(match undo {
            Ok(()) => anyhow!(
                "cannot store the new key {} ({err}); deleted it again, so {unchanged} and works",
                show(&new.access_key_id)
            ),
            Err(undo) => anyhow!(
                "cannot store the new key {} ({err}) nor delete it again ({undo}); the old key {} is still stored and works (delete {} in the console)",
                show(&new.access_key_id),
                show(&old.access_key_id),
                show(&new.access_key_id)
            ),
        });
    }
    report(Progress::Stored { owner: &owner });

    // 3. Check that it works before giving up the old one.
    if let Err((err, attempts)) = runtime.block_on(verify(&sts_endpoint, &new)) {
        return Err(undo_unverified(
            store, runtime, &client, user, &owner, &old, &new, &err, attempts,
        ));
    }
    report(Progress::Works);

    // 4. Sessions made from the old key would outlive it; drop them.
    let cleared = clear_sessions(store, &config, &owner).map_err(|err| {
        anyhow!(
            "new key {} is stored and works, but the sessions made from the old key could not be dropped ({err:#}); the old key {} was not deleted (run `vault clear`, then delete it in the console)",
            show(&new.access_key_id),
            show(&old.access_key_id)
        )
    })?;
    if !cleared.is_empty() {
        report(Progress::ClearedSessions(&cleared));
    }

    // 5. Delete the old key.
    let deleted = runtime.block_on(iam::with_retries(
        DELETE_BUDGET,
        Duration::from_secs(1),
        |e: &CallError| e.retryable,
        || iam::delete_access_key(&client, user, &old.access_key_id),
    ));
    match deleted {
        Ok(()) => report(Progress::DeletedOld {
            old_key: &old.access_key_id,
            already_gone: false,
        }),
        Err((err, _)) if err.is("NoSuchEntity") => report(Progress::DeletedOld {
            old_key: &old.access_key_id,
            already_gone: true,
        }),
        Err((err, attempts)) => bail!(
            "new key {} is stored and works; the old key {} could not be deleted{}: {err} (delete it in the console)",
            show(&new.access_key_id),
            show(&old.access_key_id),
            if attempts > 1 {
                format!(" after {attempts} attempts")
            } else {
                String::new()
            }
        ),
    }
    Ok(Rotated {
        owner,
        old_key: old.access_key_id.clone(),
        new_key: new.access_key_id.clone(),
    })
}

/// The credentials the IAM calls are made with. `--no-session` uses the stored keys directly.
/// Otherwise the profile's normal provider path is followed (cache, MFA, roles), so users whose
/// IAM rights need MFA can rotate; a user profile with neither MFA nor a role uses the keys
/// directly too, because AWS refuses IAM calls from a GetSessionToken session made without MFA.
fn caller_credentials(
    store: &dyn SecretStore,
    profile: &str,
    no_session: bool,
    chain: &crate::profile::Chain,
    old: &Credentials,
) -> Result<Credentials> {
    if no_session {
        return Ok(old.clone());
    }
    let plain_user = chain.mfa_serial.is_none() && chain.hops.is_empty();
    if plain_user {
        crate::debug!("no MFA and no role: IAM calls with the stored keys");
        return Ok(old.clone());
    }
    let fetched = super::fetch::credentials(
        store,
        profile,
        &CredentialArgs {
            no_session: false,
            ..CredentialArgs::default()
        },
    )?;
    Ok(fetched.credentials)
}

/// Who owns `key`: GetCallerIdentity with the key itself needs no permission; IAM GetUser with
/// the caller's credentials is the fallback.
async fn key_owner(
    sts_endpoint: &Endpoint,
    key: &Credentials,
    client: &aws_sdk_iam::Client,
) -> Result<Owner, String> {
    let sts = iam::sts_client(sts_endpoint, key);
    let by_arn = match iam::caller_arn(&sts).await {
        Ok(arn) => match iam::owner_from_arn(&arn) {
            Some(owner) => return Ok(owner),
            None => format!("GetCallerIdentity names {arn}, not an IAM user"),
        },
        Err(err) => format!("GetCallerIdentity failed ({err})"),
    };
    match iam::current_user(client).await {
        Ok(name) => Ok(Owner::User(name)),
        Err(err) => Err(format!("{by_arn}, and GetUser failed ({err})")),
    }
}

/// GetCallerIdentity with the new key until it is accepted, within [`VERIFY_BUDGET`].
async fn verify(endpoint: &Endpoint, new: &Credentials) -> Result<(), (CallError, u32)> {
    let client = iam::sts_client(endpoint, new);
    iam::with_retries(
        VERIFY_BUDGET,
        Duration::from_secs(2),
        |e: &CallError| e.retryable || e.is_unknown_key(),
        || async { iam::caller_arn(&client).await.map(|_| ()) },
    )
    .await
}

/// The new key was stored but does not work: put the old key (never deleted) back, and delete
/// the new key again. The message says what holds afterwards.
#[allow(clippy::too_many_arguments)]
fn undo_unverified(
    store: &dyn SecretStore,
    runtime: &tokio::runtime::Runtime,
    client: &aws_sdk_iam::Client,
    user: Option<&str>,
    owner: &str,
    old: &Credentials,
    new: &Credentials,
    err: &CallError,
    attempts: u32,
) -> anyhow::Error {
    let failed = format!(
        "the new key {} did not work ({err}, {attempts} attempts)",
        show(&new.access_key_id)
    );
    if let Err(restore) =
        items::write_keys(store, owner, &old.access_key_id, &old.secret_access_key)
    {
        return anyhow!(
            "{failed}, and putting back the old key {} failed ({restore}); the new key stays stored, both keys exist in IAM (check them in the console)",
            show(&old.access_key_id)
        );
    }
    match runtime.block_on(iam::delete_access_key(client, user, &new.access_key_id)) {
        Ok(()) => anyhow!(
            "{failed}; put back the old key {}, which is stored and works, and deleted the new one",
            show(&old.access_key_id)
        ),
        Err(undo) => anyhow!(
            "{failed}; put back the old key {}, which is stored and works; the new key could not be deleted ({undo}) (delete it in the console)",
            show(&old.access_key_id)
        ),
    }
}

/// Drops the cached sessions of every profile whose credentials come from `owner`'s keys.
fn clear_sessions(
    store: &dyn SecretStore,
    config: &ConfigFile,
    owner: &str,
) -> Result<Vec<String>> {
    let mut cleared = vec![];
    let mut names: Vec<String> = config
        .profile_names()
        .into_iter()
        .map(String::from)
        .collect();
    if !names.iter().any(|n| n == owner) {
        names.push(owner.to_string());
    }
    for name in names {
        let root = match config.chain(&name, |p| -> Result<bool> {
            Ok(items::has_keys(store, p)?)
        }) {
            Ok(chain) => chain.root,
            // A profile that does not resolve has no sessions of ours.
            Err(_) => continue,
        };
        if !matches!(&root, RootSource::StoredKeys { profile } if profile == owner) {
            continue;
        }
        let dropped = items::drop_sessions(store, &name)
            .with_context(|| format!("cannot drop the cached sessions of '{name}'"))?;
        if dropped > 0 {
            cleared.push(name);
        }
    }
    Ok(cleared)
}
