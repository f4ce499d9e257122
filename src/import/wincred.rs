//! Reading aws-vault's items in the Windows Credential Manager, for `vault import-aws-vault`.
//! Read only: nothing here writes or deletes a credential.
//!
//! aws-vault opens its keyring library with the service name `aws-vault` and the Credential
//! Manager prefix `aws-vault`, and the library names each item's generic credential
//! `PREFIX:SERVICE:ITEM`, so `aws-vault:aws-vault:will`. The credential's blob is the item's
//! data as raw bytes: the credentials JSON itself (no library item around it, unlike the
//! Secret Service), with no user name. Cached sessions and SSO tokens sit beside the keys under
//! the same prefix and are left out by their names. aws-vault's `winhello` backend keeps its
//! items under another prefix (`keyring-winhello:`), encrypted with a Windows Hello key that
//! only aws-vault can use: those are not read.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};
use zeroize::Zeroizing;

use super::aws_vault::{ReadError, Reader, decode_item, is_credentials_name};
use crate::creds::Credentials;

/// The start of every target name aws-vault's keyring gives an item.
pub const TARGET_PREFIX: &str = "aws-vault:aws-vault:";

/// Matches the target names that start with [`TARGET_PREFIX`]; case-sensitive, as the
/// library's own listing compares the prefix exactly.
const TARGET_PATTERN: &str = "^aws-vault:aws-vault:";

/// aws-vault's generic credentials in this user's Credential Manager.
pub struct WinCredReader {
    store: Arc<CredentialStore>,
}

impl WinCredReader {
    pub fn open() -> Result<WinCredReader, ReadError> {
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()
            .map_err(|err| ReadError::Store(store_error("", err)))?;
        Ok(WinCredReader { store })
    }

    /// Whether Credential Manager holds any item of aws-vault's (keys, sessions or tokens):
    /// then it is the store aws-vault used, as it is aws-vault's default on Windows.
    pub fn has_items(&self) -> bool {
        self.items().is_ok_and(|items| !items.is_empty())
    }

    /// The item names (the target names without the prefix) of all aws-vault's credentials.
    fn items(&self) -> Result<Vec<String>, ReadError> {
        let spec = HashMap::from([("pattern", TARGET_PATTERN)]);
        let found = Entry::search_in_store(&self.store, &spec).map_err(|err| {
            ReadError::Store(format!(
                "cannot list Credential Manager: {}",
                store_error("", err)
            ))
        })?;
        let mut names = vec![];
        for entry in found {
            // The crate hands back each credential it found; its target name is an attribute
            // (read with the credential, whose secret the crate wipes without returning it).
            // One that went away since the listing is skipped.
            let Ok(attributes) = entry.get_attributes() else {
                continue;
            };
            if let Some(name) = attributes
                .get("target_name")
                .and_then(|target| target.strip_prefix(TARGET_PREFIX))
            {
                names.push(name.to_string());
            }
        }
        Ok(names)
    }
}

/// A keyring error as one safe line: the variants that carry bytes are reduced to words.
fn store_error(item: &str, err: Error) -> String {
    crate::store::keyring_store::map_error("wincred", "", item, err).to_string()
}

impl Reader for WinCredReader {
    fn describe(&self) -> String {
        "aws-vault's items in the Windows Credential Manager".to_string()
    }

    fn names(&self) -> Result<Vec<String>, ReadError> {
        let mut names: Vec<String> = self
            .items()?
            .into_iter()
            .filter(|name| is_credentials_name(name))
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn read(&self, name: &str) -> Result<Option<Credentials>, ReadError> {
        let target = format!("{TARGET_PREFIX}{name}");
        // An explicit target: the crate reads that generic credential, whatever its user name.
        let modifiers = HashMap::from([("target", target.as_str())]);
        let entry = Entry::new_in_store_with_modifiers(
            &self.store,
            super::aws_vault::SERVICE,
            name,
            &modifiers,
        )
        .map_err(|err| ReadError::Item(store_error(&target, err)))?;
        let blob = match entry.get_secret() {
            Ok(blob) => Zeroizing::new(blob),
            Err(Error::NoEntry) => return Ok(None),
            // Credential Manager itself refused (no logon session): no item can be read.
            Err(err @ Error::NoStorageAccess(_)) => {
                return Err(ReadError::Store(store_error(&target, err)));
            }
            Err(err) => return Err(ReadError::Item(store_error(&target, err))),
        };
        decode_item(&blob).map(Some).map_err(ReadError::Item)
    }
}
