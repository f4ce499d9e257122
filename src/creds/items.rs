//! What we keep in a store and under which names: a profile's long-term keys, and cached
//! sessions (`session:` from GetSessionToken, `role:` from every AssumeRole, `source:` from a
//! profile's own credential_process, IAM Identity Center role or web identity), each kept with
//! the [`Binding`] of what made it. `vault list` reads all three with [`peek_session`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Credentials;
use super::binding::Binding;
use crate::store::{SecretStore, StoreError};

const KEYS_PREFIX: &str = "keys:";

pub fn keys_item(profile: &str) -> String {
    format!("{KEYS_PREFIX}{profile}")
}

/// Every profile with long-term keys in `store`, sorted, found without reading any secret.
pub fn profiles_with_keys(store: &dyn SecretStore) -> Result<Vec<String>, StoreError> {
    Ok(store
        .names()?
        .iter()
        .filter_map(|item| item.strip_prefix(KEYS_PREFIX))
        .map(str::to_string)
        .collect())
}

pub fn session_item(profile: &str) -> String {
    format!("session:{profile}")
}

pub fn role_item(profile: &str) -> String {
    format!("role:{profile}")
}

/// The cached result of a chain's root other than stored keys: what the profile's
/// credential_process printed, or the role credentials of its SSO sign-in or web identity.
pub fn source_item(profile: &str) -> String {
    format!("source:{profile}")
}

/// Every cached-session item of `profile`, in the order `vault list` shows them.
pub fn session_items(profile: &str) -> [String; 3] {
    [
        session_item(profile),
        role_item(profile),
        source_item(profile),
    ]
}

/// Deletes every session cached for `profile` (its GetSessionToken, role and source results);
/// returns how many there were.
pub fn drop_sessions(store: &dyn SecretStore, profile: &str) -> Result<usize, StoreError> {
    let mut dropped = 0;
    for item in session_items(profile) {
        if store.delete(&item)? {
            dropped += 1;
        }
    }
    Ok(dropped)
}

/// Long-term keys as stored by `vault add`.
#[derive(Serialize, Deserialize)]
struct StoredKeys {
    access_key_id: String,
    secret_access_key: String,
}

pub fn read_keys(
    store: &dyn SecretStore,
    profile: &str,
) -> Result<Option<Credentials>, StoreError> {
    let item = keys_item(profile);
    let Some(text) = store.get(&item)? else {
        return Ok(None);
    };
    let keys: StoredKeys = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        store: store.name(),
        item: item.clone(),
        reason: format!("not the JSON vault writes (line {}); store the keys again with `vault add {profile} --force`", e.line()),
    })?;
    // Checked like every other source: keys stored by an older vault, or written by another
    // program, must not reach `export` or a panic message.
    Credentials::new(
        "it",
        keys.access_key_id.clone(),
        keys.secret_access_key.clone(),
        None,
        None,
    )
    .map(Some)
    .map_err(|e| StoreError::Corrupt {
        store: store.name(),
        item,
        reason: format!("{e}; store the keys again with `vault add {profile} --force`"),
    })
}

/// Whether keys are stored for `profile`, without reading or decrypting them.
pub fn has_keys(store: &dyn SecretStore, profile: &str) -> Result<bool, StoreError> {
    store.has(&keys_item(profile))
}

pub fn write_keys(
    store: &dyn SecretStore,
    profile: &str,
    access_key_id: &str,
    secret_access_key: &str,
) -> Result<(), StoreError> {
    let text = zeroize::Zeroizing::new(
        serde_json::to_string(&StoredKeys {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
        })
        .expect("strings serialise"),
    );
    store.set(&keys_item(profile), &text)
}

/// A cached session and what it was obtained with.
#[derive(Serialize, Deserialize)]
pub struct CachedSession {
    pub credentials: Credentials,
    /// The [`Binding`] of what made it; `None` in items written before vault bound them,
    /// which are therefore never reused.
    #[serde(default)]
    pub binding: Option<String>,
    /// [`Binding::keys`] of the stored keys at the root, if the root is stored keys.
    #[serde(default)]
    pub keys: Option<String>,
    /// The duration asked for it, in seconds.
    #[serde(default)]
    pub duration_seconds: Option<u64>,
}

/// What a cached session must have been made by to be reused.
pub struct Wanted<'a> {
    pub binding: &'a Binding,
    /// [`Binding::keys`] of the root's stored keys; `None` when the root is not stored keys,
    /// or when the keys item is damaged (it cannot be new keys: `vault add` writes them whole),
    /// so a damaged keys item does not stop a cached session.
    pub keys: Option<&'a Binding>,
    pub duration: Duration,
}

impl CachedSession {
    pub fn new(credentials: Credentials, wanted: &Wanted) -> Self {
        CachedSession {
            credentials,
            binding: Some(wanted.binding.as_str().to_string()),
            keys: wanted.keys.map(|keys| keys.as_str().to_string()),
            duration_seconds: Some(wanted.duration.as_secs()),
        }
    }

    /// Why it was not made by what `wanted` describes, for --debug (names settings and durations, never a
    /// secret); `None` when it does. A session asked for at least as long as now is reused (an
    /// 8h session serves an ask of 1h while it has more than AWS_MIN_TTL left); one asked for
    /// less is not, so `--duration 12h` never silently gets the 1h session of an earlier run.
    fn miss_reason(&self, wanted: &Wanted) -> Option<String> {
        if self.binding.as_deref() != Some(wanted.binding.as_str()) {
            return Some("was made by other settings".into());
        }
        let same_keys = wanted
            .keys
            .is_none_or(|keys| self.keys.as_deref() == Some(keys.as_str()));
        if !same_keys {
            return Some("was made with other stored keys".into());
        }
        match self.duration_seconds {
            Some(asked) if asked >= wanted.duration.as_secs() => None,
            asked => Some(format!(
                "was asked for {}, less than the {} asked now",
                asked.map_or("an unknown duration".into(), |s| {
                    humantime::format_duration(Duration::from_secs(s)).to_string()
                }),
                humantime::format_duration(wanted.duration)
            )),
        }
    }
}

/// The cached credentials under `item` if they still have more than `min_ttl` left and
/// [`CachedSession::miss_reason`] finds no reason against `wanted`. Anything else is a miss: the caller fetches anew and
/// overwrites it. A corrupt entry is dropped (it is only a cache), so the caller fetches again
/// instead of failing.
pub fn read_session(
    store: &dyn SecretStore,
    item: &str,
    wanted: &Wanted,
    min_ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Option<CachedSession>, StoreError> {
    let Some(session) = read_cached::<CachedSession>(store, item)? else {
        return Ok(None);
    };
    let fresh = session
        .credentials
        .remaining(now)
        .is_some_and(|left| left.to_std().is_ok_and(|left| left > min_ttl));
    let miss = session.miss_reason(wanted);
    if let (true, Some(why)) = (fresh, &miss) {
        crate::debug!("cached {item} {why}: not reused, fetching a new one");
    }
    Ok((fresh && miss.is_none()).then_some(session))
}

/// The cached session under `item` whatever its age (for `vault list`).
pub fn peek_session(
    store: &dyn SecretStore,
    item: &str,
) -> Result<Option<CachedSession>, StoreError> {
    match store.get(item) {
        Ok(text) => Ok(text.and_then(|text| serde_json::from_str::<CachedSession>(&text).ok())),
        // Damaged: shown as no session; the next fetch drops it.
        Err(StoreError::Corrupt { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

/// A cache item's text; one the store itself reports as damaged (a file that no longer
/// decrypts, bytes that are not text) is dropped like corrupt JSON: it is only a cache.
fn get_cache(
    store: &dyn SecretStore,
    item: &str,
) -> Result<Option<zeroize::Zeroizing<String>>, StoreError> {
    match store.get(item) {
        Err(StoreError::Corrupt { .. }) => {
            crate::debug!("cached {item} is damaged: dropping it");
            store.delete(item)?;
            Ok(None)
        }
        other => other,
    }
}

pub fn write_session(
    store: &dyn SecretStore,
    item: &str,
    session: &CachedSession,
) -> Result<(), StoreError> {
    let text =
        zeroize::Zeroizing::new(serde_json::to_string(session).expect("credentials serialise"));
    store.set(item, &text)
}

/// The IAM Identity Center access token of an sso-session (or of a legacy start URL). Long
/// keys are hashed so every store can hold the name.
pub fn sso_token_item(key: &str) -> String {
    const MAX: usize = 96;
    if key.len() <= MAX {
        return format!("sso:{key}");
    }
    use sha2::Digest;
    format!("sso:{}", &hex::encode(sha2::Sha256::digest(key))[..40])
}

/// vault's OIDC client registration in one SSO region.
pub fn sso_client_item(region: &str) -> String {
    format!("sso-client:{region}")
}

/// vault's authorization-code client registration for one start URL (its issuer) in one
/// region; the start URL is hashed so every store can hold the name.
pub fn sso_auth_code_client_item(region: &str, start_url: &str) -> String {
    use sha2::Digest;
    let issuer = &hex::encode(sha2::Sha256::digest(start_url))[..16];
    format!("sso-client:{region}:auth-code:{issuer}")
}

/// A cached SSO access token and what it was issued for.
#[derive(Serialize, Deserialize)]
pub struct SsoToken {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub start_url: String,
    pub region: String,
    /// The authorization code flow's refresh token (botocore's `refreshToken`): CreateToken
    /// with it gives a new access token without the browser. None for the device flow and
    /// for tokens cached before vault kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl Drop for SsoToken {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.access_token);
        zeroize::Zeroize::zeroize(&mut self.refresh_token);
    }
}

/// A cached OIDC client registration (RegisterClient), valid until `expires_at`.
#[derive(Serialize, Deserialize)]
pub struct SsoClient {
    pub client_id: String,
    pub client_secret: String,
    pub expires_at: DateTime<Utc>,
}

impl Drop for SsoClient {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.client_secret);
    }
}

/// A cached JSON value under `item`; a corrupt one is dropped (it is only a cache).
pub fn read_cached<T: serde::de::DeserializeOwned>(
    store: &dyn SecretStore,
    item: &str,
) -> Result<Option<T>, StoreError> {
    let Some(text) = get_cache(store, item)? else {
        return Ok(None);
    };
    match serde_json::from_str(&text) {
        Ok(value) => Ok(Some(value)),
        Err(_) => {
            crate::debug!("cached {item} is corrupt: dropping it");
            store.delete(item)?;
            Ok(None)
        }
    }
}

pub fn write_cached<T: Serialize>(
    store: &dyn SecretStore,
    item: &str,
    value: &T,
) -> Result<(), StoreError> {
    let text = zeroize::Zeroizing::new(serde_json::to_string(value).expect("values serialise"));
    store.set(item, &text)
}
