//! The remembered unlock on Windows: a Credential Manager entry with session persistence
//! (`CRED_PERSIST_SESSION`: kept for this logon session only, gone at logoff, never written to
//! disk or roamed), which only this user's processes can read, as the Linux user keyring is
//! readable only by its uid. Credential Manager has no expiry of its own, so the entry holds its
//! deadline beside the key, and a load at or past the deadline deletes it: the same 15-minute
//! rule as the kernel's timeout on Linux.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

use super::Key;

/// Where the key is kept, for `--debug`.
pub const PLACE: &str = "Credential Manager (logon session)";

/// The deadline (seconds since the epoch, big-endian) and then the key.
const LEN: usize = 8 + 32;

/// The entry, named by the cache's description itself (`vault:file-unlock:…`), never by a
/// profile's `NAME.vault` pattern, so `vault list` does not show it.
fn entry(description: &str) -> Result<Entry, String> {
    let store: Arc<CredentialStore> =
        windows_native_keyring_store::Store::new().map_err(|err| safe(description, err))?;
    let modifiers = HashMap::from([("target", description), ("persistence", "Session")]);
    Entry::new_in_store_with_modifiers(&store, crate::store::SERVICE, description, &modifiers)
        .map_err(|err| safe(description, err))
}

/// An error's text without the bytes some keyring errors carry.
fn safe(description: &str, err: keyring_core::Error) -> String {
    crate::store::keyring_store::map_error("wincred", "", description, err).to_string()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

pub fn load(description: &str) -> Option<Key> {
    let entry = entry(description).ok()?;
    let payload = Zeroizing::new(entry.get_secret().ok()?);
    if payload.len() != LEN {
        return None;
    }
    let deadline = u64::from_be_bytes(payload[..8].try_into().ok()?);
    if now() >= deadline {
        let _ = entry.delete_credential();
        return None;
    }
    let mut key: Key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&payload[8..]);
    Some(key)
}

pub fn save(description: &str, key: &Key, ttl: Duration) -> Result<(), String> {
    // Whole seconds, rounded up as on Linux, so a TTL under 1 s still caches.
    let deadline = now().saturating_add(ttl.as_secs().max(1));
    let mut payload = Zeroizing::new(Vec::with_capacity(LEN));
    payload.extend_from_slice(&deadline.to_be_bytes());
    payload.extend_from_slice(&key[..]);
    entry(description)?
        .set_secret(&payload)
        .map_err(|err| safe(description, err))
}

pub fn forget(description: &str) -> bool {
    entry(description).is_ok_and(|entry| entry.delete_credential().is_ok())
}
