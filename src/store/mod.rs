//! Secret stores: where master keys and cached sessions live.
//!
//! Every backend implements [`SecretStore`]: a flat map from item name to a UTF-8 secret
//! (always JSON written by `creds::items`). The OS stores go through the `keyring` 4 family
//! of crates; the `file` store is our own authenticated-encryption store for machines without
//! a keystore.

pub mod backend;
pub mod file;
pub(crate) mod keyring_store;
#[cfg(target_os = "linux")]
pub mod keyutils;
pub mod lock;
#[cfg(test)]
pub mod memory;
#[cfg(not(target_os = "linux"))]
mod os_other;
#[cfg(unix)]
pub mod pass;
#[cfg(target_os = "linux")]
pub mod secret_service;

pub use backend::{Backend, open, open_selected};

use zeroize::Zeroizing;

/// The service name every OS-store item is filed under (aws-vault uses `aws-vault`).
pub const SERVICE: &str = "vault";

/// A typed error from a store; `anyhow` context is added at the edges.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store exists but refused access (locked keyring, wrong permissions...).
    #[error("{store} refused access: {reason}")]
    Access { store: &'static str, reason: String },
    /// The passphrase of the encrypted file store does not open it.
    #[error(
        "wrong passphrase for the file store in {dir} (check VAULT_FILE_PASSPHRASE or type it again)"
    )]
    WrongPassphrase { dir: String },
    /// The encrypted file store needs a passphrase and got none it can use (none given, empty,
    /// no terminal to ask on, or the two entries of a new one differ).
    #[error(
        "no passphrase for the file store: {reason} (set VAULT_FILE_PASSPHRASE or type it at the prompt)"
    )]
    NoPassphrase { reason: String },
    /// The encrypted file store needs a passphrase, none is set, and there is no terminal to
    /// ask on (a program started vault without one).
    #[error(
        "no terminal to ask for the passphrase: set VAULT_FILE_PASSPHRASE or run in a terminal"
    )]
    NoTerminal,
    /// The person pressed Ctrl-C at the passphrase prompt (where vault survives it: the hook).
    #[error("cancelled (Ctrl-C)")]
    Cancelled,
    /// An item exists but could not be decrypted or decoded.
    #[error("item '{item}' in {store} is corrupt: {reason}")]
    Corrupt {
        store: &'static str,
        item: String,
        reason: String,
    },
    /// The store is not usable on this machine at all.
    #[error("{store} is not available: {reason}")]
    Unavailable { store: &'static str, reason: String },
    /// Any other failure of the platform store.
    #[error("{store} failed: {reason}")]
    Platform { store: &'static str, reason: String },
}

/// A key/value secret store. Implementations must be safe to use from several processes at
/// once (callers serialise writers of one item with `store::lock`).
pub trait SecretStore: Send + Sync {
    /// Short machine name: `secret-service`, `keyutils`, `file`, `pass`, `keychain`, `wincred`.
    fn name(&self) -> &'static str;
    /// Human description for `vault list` and `--debug` (e.g. `file (/home/u/.local/share/vault/keys)`).
    fn describe(&self) -> String;
    /// The secret stored under `item`, or `None` when there is none.
    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError>;
    /// Whether something is stored under `item`, found without reading or decrypting the
    /// secret where the store allows it (the file store then needs no passphrase). A damaged
    /// item exists: only [`SecretStore::get`] tells it is damaged.
    fn has(&self, item: &str) -> Result<bool, StoreError>;
    /// Store `secret` under `item`, replacing any previous value atomically.
    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError>;
    /// Delete `item`; returns whether it existed.
    fn delete(&self, item: &str) -> Result<bool, StoreError>;
    /// The names of every item this store holds for vault, sorted, read without any secret
    /// (the file store needs no passphrase). `vault list` uses it to show keys whose profile
    /// has no config section.
    fn names(&self) -> Result<Vec<String>, StoreError>;
}
