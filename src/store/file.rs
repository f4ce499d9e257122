//! The encrypted file store, for machines without a usable OS keystore.
//!
//! One folder (0700). `store.json` holds the key-derivation salt and costs plus a verifier (a
//! known constant sealed with the key), so a wrong passphrase is caught before anything is
//! written. Each item is `<hex of its name>.enc` (0600): a random nonce and the ciphertext,
//! sealed with the item's name as associated data so files cannot be swapped between names.

mod crypto;
mod passphrase;
pub use passphrase::{
    take_from_environment as take_passphrase_variables, var as passphrase_variable,
};
mod stale_temps;
mod unlock_cache;

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use self::crypto::{KdfParams, Key};
use self::unlock_cache::UnlockCache;
use super::{SecretStore, StoreError};
use crate::settings::StoreSettings;

const NAME: &str = "file";
const HEADER: &str = "store.json";
const FORMAT_VERSION: u32 = 1;
const VERIFIER_PLAINTEXT: &[u8] = b"vault file store";
// The NUL cannot start a hex file name's item, so the verifier's AAD never equals an item's.
const VERIFIER_AAD: &[u8] = b"\0vault verifier";

/// The variable that sets how long an unlock is remembered, and its parser (for `Settings`).
pub(crate) use unlock_cache::{TTL_VAR as UNLOCK_TTL_VAR, parse_ttl as unlock_ttl_setting};

/// Where the store lives unless VAULT_FILE_DIR (in `settings`) says otherwise.
///
/// aws-vault's AWS_VAULT_FILE_DIR is deliberately not honoured: its folder holds aws-vault's
/// own (JOSE) format, which this store cannot read, and mixing the two would confuse both.
pub(crate) fn default_dir_in(settings: &StoreSettings) -> Result<PathBuf, StoreError> {
    if let Some(dir) = &settings.file_dir {
        return Ok(dir.clone());
    }
    dirs::data_dir()
        .map(|d| d.join("vault").join("keys"))
        .ok_or_else(|| StoreError::Unavailable {
            store: NAME,
            reason: "no data folder for this user (set HOME or VAULT_FILE_DIR)".to_string(),
        })
}

enum Passphrase {
    /// VAULT_FILE_PASSPHRASE / AWS_VAULT_FILE_PASSPHRASE, else the terminal.
    FromUser,
    Given(Zeroizing<String>),
}

pub struct FileStore {
    dir: PathBuf,
    passphrase: Passphrase,
    /// Derived on first use of an item, then kept for the life of the store (the process).
    key: Mutex<Option<Arc<Key>>>,
    /// Costs for a store created by this instance.
    new_store_kdf: KdfParams,
    /// How long the kernel keyring remembers an unlock (see `unlock_cache`); `None`: not at all.
    unlock_ttl: Option<std::time::Duration>,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    version: u32,
    kdf: String,
    params: KdfParams,
    /// Base64.
    salt: String,
    /// Base64 of `nonce || seal(VERIFIER_PLAINTEXT)`.
    verifier: String,
}

impl FileStore {
    /// Opens (creating the folder if needed) the store in `dir`; the passphrase is asked for
    /// only when an item is first read or written.
    pub(crate) fn open_in(dir: PathBuf, settings: &StoreSettings) -> Result<Self, StoreError> {
        let unlock_ttl =
            settings
                .file_unlock_ttl
                .clone()
                .map_err(|reason| StoreError::Platform {
                    store: NAME,
                    reason,
                })?;
        let mut store = Self::with_source(dir, Passphrase::FromUser)?;
        store.unlock_ttl = unlock_ttl;
        Ok(store)
    }

    /// Like [`FileStore::open_in`] with the passphrase given directly (scripts and tests). The
    /// passphrase is always checked: no unlock is remembered or reused.
    pub fn with_passphrase(dir: PathBuf, passphrase: &str) -> Result<Self, StoreError> {
        passphrase::check_not_empty(passphrase)?;
        Self::with_source(
            dir,
            Passphrase::Given(Zeroizing::new(passphrase.to_string())),
        )
    }

    fn with_source(dir: PathBuf, passphrase: Passphrase) -> Result<Self, StoreError> {
        create_private_dir(&dir).map_err(|err| io_error("cannot create", &dir, err))?;
        stale_temps::remove(&dir);
        Ok(Self {
            dir,
            passphrase,
            key: Mutex::new(None),
            new_store_kdf: KdfParams::DEFAULT,
            unlock_ttl: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn item_path(&self, item: &str) -> PathBuf {
        self.dir.join(format!("{}.enc", hex::encode(item)))
    }

    fn key(&self) -> Result<Arc<Key>, StoreError> {
        let mut cached = self.key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = cached.as_ref() {
            return Ok(Arc::clone(key));
        }
        let key = Arc::new(self.unlock()?);
        *cached = Some(Arc::clone(&key));
        Ok(key)
    }

    fn unlock(&self) -> Result<Key, StoreError> {
        let (header, key) = match self.read_header()? {
            Some(header) => {
                if let Some(key) = self.remembered_key(&header)? {
                    return Ok(key);
                }
                let key = match &self.passphrase {
                    Passphrase::Given(given) => self.check_header(&header, given)?,
                    Passphrase::FromUser => passphrase::open_existing(&self.place(), |typed| {
                        self.check_header(&header, typed)
                    })?,
                };
                (header, key)
            }
            None => self.create_header()?,
        };
        if let Some(ttl) = self.unlock_ttl {
            UnlockCache::new(&self.dir, &header.salt).save(&key, ttl);
        }
        Ok(key)
    }

    /// A key remembered from an earlier unlock that still opens this store's verifier.
    fn remembered_key(&self, header: &Header) -> Result<Option<Key>, StoreError> {
        if self.unlock_ttl.is_none() {
            return Ok(None);
        }
        let cache = UnlockCache::new(&self.dir, &header.salt);
        let Some(key) = cache.load() else {
            return Ok(None);
        };
        if self.opens_verifier(header, &key)? {
            crate::debug!(
                "file store: unlocked by the {} ({})",
                cache.place(),
                cache.description()
            );
            return Ok(Some(key));
        }
        cache.forget();
        Ok(None)
    }

    /// Forgets a remembered unlock of this store; true when there was one.
    pub fn lock(&self) -> Result<bool, StoreError> {
        Ok(match self.read_header()? {
            Some(header) => UnlockCache::new(&self.dir, &header.salt).forget(),
            None => false,
        })
    }

    /// The passphrase of a store about to be created.
    fn new_passphrase(&self) -> Result<Zeroizing<String>, StoreError> {
        match &self.passphrase {
            Passphrase::Given(given) => Ok(given.clone()),
            Passphrase::FromUser => passphrase::for_new_store(&self.place()),
        }
    }

    /// The store's folder as prompts name it.
    fn place(&self) -> String {
        self.dir.display().to_string()
    }

    fn header_path(&self) -> PathBuf {
        self.dir.join(HEADER)
    }

    fn read_header(&self) -> Result<Option<Header>, StoreError> {
        let path = self.header_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io_error("cannot read", &path, err)),
        };
        let header: Header = serde_json::from_str(&text).map_err(|err| self.bad_header(err))?;
        if header.version != FORMAT_VERSION || header.kdf != "argon2id" {
            return Err(self.bad_header(format!(
                "unsupported format (version {}, kdf {})",
                header.version, header.kdf
            )));
        }
        Ok(Some(header))
    }

    fn bad_header(&self, reason: impl fmt::Display) -> StoreError {
        StoreError::Corrupt {
            store: NAME,
            item: HEADER.to_string(),
            reason: format!("{reason} (in {})", self.dir.display()),
        }
    }

    fn check_header(&self, header: &Header, passphrase: &str) -> Result<Key, StoreError> {
        let salt = BASE64
            .decode(&header.salt)
            .map_err(|err| self.bad_header(err))?;
        let key =
            crypto::derive_key(passphrase, &salt, header.params).map_err(|e| self.bad_header(e))?;
        if self.opens_verifier(header, &key)? {
            Ok(key)
        } else {
            Err(StoreError::WrongPassphrase {
                dir: self.dir.display().to_string(),
            })
        }
    }

    fn opens_verifier(&self, header: &Header, key: &Key) -> Result<bool, StoreError> {
        let verifier = BASE64
            .decode(&header.verifier)
            .map_err(|err| self.bad_header(err))?;
        Ok(matches!(
            crypto::open(key, VERIFIER_AAD, &verifier),
            Some(plain) if plain.as_slice() == VERIFIER_PLAINTEXT
        ))
    }

    fn create_header(&self) -> Result<(Header, Key), StoreError> {
        let passphrase = self.new_passphrase()?;
        let salt = crypto::random_salt();
        let params = self.new_store_kdf;
        let key = crypto::derive_key(&passphrase, &salt, params).map_err(|reason| {
            StoreError::Platform {
                store: NAME,
                reason,
            }
        })?;
        let header = Header {
            version: FORMAT_VERSION,
            kdf: "argon2id".to_string(),
            params,
            salt: BASE64.encode(salt),
            verifier: BASE64.encode(crypto::seal(&key, VERIFIER_AAD, VERIFIER_PLAINTEXT)),
        };
        let text = serde_json::to_string_pretty(&header).expect("the header always serialises");
        let path = self.header_path();
        match write_new(&self.dir, &path, text.as_bytes()) {
            Ok(()) => Ok((header, key)),
            // Another process created the store first: its salt wins, and our passphrase must
            // open it like any other.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                let header = self.read_header()?.ok_or_else(|| {
                    self.bad_header("vanished while being created by another process")
                })?;
                let key = self.check_header(&header, &passphrase)?;
                Ok((header, key))
            }
            Err(err) => Err(io_error("cannot write", &path, err)),
        }
    }

    fn corrupt(&self, item: &str, reason: &str) -> StoreError {
        StoreError::Corrupt {
            store: NAME,
            item: item.to_string(),
            reason: format!("{reason} ({})", self.item_path(item).display()),
        }
    }
}

/// The `aad` every item is sealed with; the prefix keeps item and verifier domains apart.
fn item_aad(item: &str) -> Vec<u8> {
    [b"item\0".as_slice(), item.as_bytes()].concat()
}

impl SecretStore for FileStore {
    fn name(&self) -> &'static str {
        NAME
    }

    fn describe(&self) -> String {
        format!("file ({})", self.dir.display())
    }

    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let path = self.item_path(item);
        let blob = match fs::read(&path) {
            Ok(blob) => blob,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io_error("cannot read", &path, err)),
        };
        let key = self.key()?;
        // The key passed the verifier, so a failure here is damage or tampering, not a typo.
        let mut plain = crypto::open(&key, &item_aad(item), &blob).ok_or_else(|| {
            self.corrupt(
                item,
                "it does not decrypt: damaged, or copied from another item",
            )
        })?;
        match String::from_utf8(std::mem::take(&mut *plain)) {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(err) => {
                drop(Zeroizing::new(err.into_bytes()));
                Err(self.corrupt(item, "it is not UTF-8 text"))
            }
        }
    }

    /// The item's file alone: no key, so no passphrase and no unlock.
    fn has(&self, item: &str) -> Result<bool, StoreError> {
        let path = self.item_path(item);
        // Follows a symlink as `get` does, so both agree on a dangling one.
        match fs::metadata(&path) {
            Ok(_) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(io_error("cannot read", &path, err)),
        }
    }

    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError> {
        let key = self.key()?;
        let blob = crypto::seal(&key, &item_aad(item), secret.as_bytes());
        let path = self.item_path(item);
        write_replace(&self.dir, &path, &blob).map_err(|err| io_error("cannot write", &path, err))
    }

    fn delete(&self, item: &str) -> Result<bool, StoreError> {
        let path = self.item_path(item);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(io_error("cannot delete", &path, err)),
        }
    }

    /// File names only, like `has`: no key, so no passphrase.
    fn names(&self) -> Result<Vec<String>, StoreError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
            Err(err) => return Err(io_error("cannot read", &self.dir, err)),
        };
        let mut names = vec![];
        for entry in entries {
            let entry = entry.map_err(|err| io_error("cannot read", &self.dir, err))?;
            names.extend(item_of(&entry.file_name()));
        }
        names.sort();
        Ok(names)
    }
}

/// The item a file in the store's folder holds, from its name alone: `hex(item).enc`. The
/// header, temporary files and anything else in the folder are not items.
fn item_of(file_name: &std::ffi::OsStr) -> Option<String> {
    let hex_name = file_name.to_str()?.strip_suffix(".enc")?;
    String::from_utf8(hex::decode(hex_name).ok()?).ok()
}

fn io_error(action: &str, path: &Path, err: io::Error) -> StoreError {
    let reason = format!("{action} {}: {err}", path.display());
    if err.kind() == io::ErrorKind::PermissionDenied {
        StoreError::Access {
            store: NAME,
            reason,
        }
    } else {
        StoreError::Platform {
            store: NAME,
            reason,
        }
    }
}

/// Creates `dir` private to the user, and makes an existing one private again.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        if fs::metadata(dir)?.permissions().mode() & 0o777 != 0o700 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)
}

/// A private (0600) temporary file in `dir` holding `data`, flushed to disk. Dropped unpersisted,
/// it is deleted, so readers see either the old content or the new, never a partial write.
fn temp_with(dir: &Path, data: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let mut temp = tempfile::Builder::new()
        .prefix(&stale_temps::prefix())
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(data)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Atomically replaces (or creates) `path`.
fn write_replace(dir: &Path, path: &Path, data: &[u8]) -> io::Result<()> {
    temp_with(dir, data)?.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Atomically creates `path`, failing with `AlreadyExists` if it is there.
fn write_new(dir: &Path, path: &Path, data: &[u8]) -> io::Result<()> {
    temp_with(dir, data)?
        .persist_noclobber(path)
        .map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable across a crash; best effort, as not every filesystem allows it.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests;
