//! Keeps the file store's derived key in the Linux kernel keyring (on Windows: Credential
//! Manager, for the logon session; see `unlock_cache/windows.rs`) for a while after an unlock.
//!
//! Argon2id is slow on purpose (tens of milliseconds), and without VAULT_FILE_PASSPHRASE every
//! unlock is a passphrase prompt. Paying that at every `vault exec` and at every `cd` into a
//! project is what makes the file store feel slow, so, like gpg-agent or `sudo`, vault remembers
//! the unlocked key for `VAULT_FILE_UNLOCK_TTL` (default 15 minutes; `0` turns it off). The key
//! is a kernel `user` key in the user keyring (@u): in kernel memory, never on disk, readable
//! only by this uid, and gone when the timeout passes, at reboot, or at `vault lock`.
//!
//! Each store has its own entry, named by a hash of its folder and its salt, so a store that is
//! deleted and created again (new salt) never meets an old key. A cached key is checked against
//! the store's verifier before use; one that does not open it is dropped.
//!
//! Everything here is best effort: a kernel without keys, a full key quota or a seccomp filter
//! only means the next command derives the key again.

use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::crypto::Key;

/// The environment variable that sets how long an unlock is remembered.
pub(crate) const TTL_VAR: &str = "VAULT_FILE_UNLOCK_TTL";
pub(crate) const DEFAULT_TTL: Duration = Duration::from_secs(15 * 60);

/// How long to remember an unlock, from `VAULT_FILE_UNLOCK_TTL`'s value; `None` means not at
/// all.
pub(crate) fn parse_ttl(setting: Option<&str>) -> Result<Option<Duration>, String> {
    match setting {
        None => Ok(Some(DEFAULT_TTL)),
        Some(text) => {
            let ttl =
                crate::settings::parse_duration(text).map_err(|e| format!("{TTL_VAR}: {e}"))?;
            Ok(Some(ttl).filter(|ttl| !ttl.is_zero()))
        }
    }
}

/// The cache entry of one store.
#[derive(Debug, Clone)]
pub(crate) struct UnlockCache {
    description: String,
}

impl UnlockCache {
    /// `salt` is the header's salt as written there; `dir` is made absolute when possible so
    /// that `VAULT_FILE_DIR=keys` and its absolute path share one entry.
    pub fn new(dir: &Path, salt: &str) -> Self {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut hash = Sha256::new();
        hash.update(dir.as_os_str().as_encoded_bytes());
        hash.update([0]);
        hash.update(salt.as_bytes());
        let digest = hex::encode(&hash.finalize()[..16]);
        Self {
            description: format!("{}:file-unlock:{digest}", crate::store::SERVICE),
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where remembered keys are kept, for `--debug`.
    pub fn place(&self) -> &'static str {
        imp::PLACE
    }

    /// The remembered key, if there is one that is still alive.
    pub fn load(&self) -> Option<Key> {
        imp::load(&self.description)
    }

    /// Remembers `key` for `ttl`, replacing any earlier entry; failures are only logged.
    pub fn save(&self, key: &Key, ttl: Duration) {
        if let Err(reason) = imp::save(&self.description, key, ttl) {
            crate::debug!("file store: cannot remember the unlocked key ({reason})");
        }
    }

    /// Drops the entry; true when there was one.
    pub fn forget(&self) -> bool {
        imp::forget(&self.description)
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::time::Duration;

    use linux_keyutils::{Key as KernelKey, KeyRing, KeyRingIdentifier, Permission};
    use zeroize::Zeroizing;

    use super::Key;
    use crate::store::keyutils::{grant_owner, user_keyring};

    pub const PLACE: &str = "kernel keyring";

    fn find(description: &str) -> Option<KernelKey> {
        user_keyring().ok()?.search(description).ok()
    }

    pub fn load(description: &str) -> Option<Key> {
        let kernel_key = find(description)?;
        let mut buffer = Zeroizing::new([0u8; 33]);
        // A 33-byte buffer tells a 32-byte key from anything longer someone else wrote there.
        let len = kernel_key.read(&mut *buffer).ok()?;
        if len != 32 {
            return None;
        }
        let mut key: Key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&buffer[..32]);
        Some(key)
    }

    /// The key is made in this thread's own keyring, which no other process can reach, and
    /// gets its timeout and permissions there; only then is it linked into the user keyring
    /// (replacing an earlier entry of the same name). A kill at any point before the link
    /// leaves nothing behind (the thread keyring and its keys go with the thread), so the user
    /// keyring never holds the store's key without an expiry.
    pub fn save(description: &str, key: &Key, ttl: Duration) -> Result<(), String> {
        let private = KeyRing::from_special_id(KeyRingIdentifier::Thread, true)
            .map_err(|err| format!("no thread keyring: {err:?}"))?;
        let kernel_key = private
            .add_key(description, &key[..])
            .map_err(|err| format!("{err:?}"))?;
        // The kernel counts in whole seconds; round up so a TTL under 1 s still caches.
        let seconds = usize::try_from(ttl.as_secs().max(1)).unwrap_or(usize::MAX);
        let linked = kernel_key
            .set_timeout(seconds)
            .map_err(|err| format!("cannot set its timeout: {err:?}"))
            .map(|()| {
                // The owning uid may read it even from a login whose session keyring does not
                // link @u; nobody else gets anything.
                grant_owner(
                    &kernel_key,
                    Permission::VIEW | Permission::READ | Permission::SEARCH,
                );
            })
            .and_then(|()| {
                user_keyring()
                    .and_then(|ring| ring.link_key(kernel_key))
                    .map_err(|err| format!("cannot link it into the user keyring: {err:?}"))
            });
        if linked.is_err() {
            // A key that cannot expire must not linger: better no cache than a forever one.
            let _ = kernel_key.invalidate();
        } else {
            let _ = private.unlink_key(kernel_key);
        }
        linked
    }

    pub fn forget(description: &str) -> bool {
        find(description).is_some_and(|kernel_key| kernel_key.invalidate().is_ok())
    }
}

#[cfg(target_os = "windows")]
#[path = "unlock_cache/windows.rs"]
mod imp;

#[cfg(not(any(target_os = "linux", target_os = "windows")))]
mod imp {
    //! macOS: not remembered (docs/windows.md says why); the Keychain is the default store
    //! there anyway, and the file store derives its key at each command.
    use std::time::Duration;

    use super::Key;

    pub const PLACE: &str = "nowhere";

    pub fn load(_description: &str) -> Option<Key> {
        None
    }

    pub fn save(_description: &str, _key: &Key, _ttl: Duration) -> Result<(), String> {
        Err("no place for it on this platform".to_string())
    }

    pub fn forget(_description: &str) -> bool {
        false
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests;
