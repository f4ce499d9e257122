//! The OS stores of macOS (the login keychain) and Windows (Credential Manager).

#[cfg(target_os = "macos")]
pub(super) fn open_keychain() -> Result<Box<dyn super::SecretStore>, super::StoreError> {
    use super::keyring_store::{KeyringStore, SERVICE_SEARCH, map_error};
    const NAME: &str = "keychain";
    const HINT: &str = "unlock the login keychain in Keychain Access, or use --backend file";
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|err| map_error(NAME, HINT, "", err))?;
    let description = "keychain (login keychain)".to_string();
    Ok(Box::new(KeyringStore::new(
        NAME,
        description,
        HINT,
        SERVICE_SEARCH,
        store,
    )))
}

#[cfg(target_os = "windows")]
pub(super) fn open_wincred() -> Result<Box<dyn super::SecretStore>, super::StoreError> {
    use super::keyring_store::{KeyringStore, map_error};
    const NAME: &str = "wincred";
    const HINT: &str = "check Credential Manager, or use --backend file";
    let store =
        windows_native_keyring_store::Store::new().map_err(|err| map_error(NAME, HINT, "", err))?;
    let description = "wincred (Windows Credential Manager)".to_string();
    // Credential Manager is searched by a pattern over target names, `user.service` with the
    // crate's default delimiters; the crate parses the matches back into service and user.
    let search = ("pattern", r"\.vault$");
    Ok(Box::new(KeyringStore::new(
        NAME,
        description,
        HINT,
        search,
        store,
    )))
}
