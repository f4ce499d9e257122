//! Which store to use: the names users type, the platform default, and opening it.

use std::fmt;
use std::str::FromStr;

use crate::settings::StoreSettings;

use super::file::{self, FileStore};
use super::{SecretStore, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    SecretService,
    Keyutils,
    File,
    /// password-store (`pass`): GnuPG-encrypted files, as aws-vault's `pass` backend.
    Pass,
    Keychain,
    WinCred,
}

const SUPPORTED: &str = "secret-service, keyutils (or keyctl), file, pass, keychain, wincred";

/// aws-vault backends we deliberately do not carry.
const AWS_VAULT_ONLY: [&str; 4] = ["kwallet", "op", "op-connect", "op-desktop"];

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::Keyutils => "keyutils",
            Backend::File => "file",
            Backend::Pass => "pass",
            Backend::Keychain => "keychain",
            Backend::WinCred => "wincred",
        }
    }

    /// Whether this build can open the backend at all.
    pub fn on_this_platform(self) -> bool {
        match self {
            Backend::File => true,
            Backend::Pass => cfg!(unix),
            Backend::SecretService | Backend::Keyutils => cfg!(target_os = "linux"),
            Backend::Keychain => cfg!(target_os = "macos"),
            Backend::WinCred => cfg!(target_os = "windows"),
        }
    }

    fn home_platform(self) -> &'static str {
        match self {
            Backend::SecretService | Backend::Keyutils => "Linux",
            Backend::Keychain => "macOS",
            Backend::WinCred => "Windows",
            Backend::File => "every platform",
            Backend::Pass => "Linux and macOS",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ParseBackendError(String);

impl FromStr for Backend {
    type Err = ParseBackendError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim().to_ascii_lowercase();
        Ok(match name.as_str() {
            "secret-service" => Backend::SecretService,
            "keyutils" | "keyctl" => Backend::Keyutils,
            "file" => Backend::File,
            "pass" => Backend::Pass,
            "keychain" => Backend::Keychain,
            "wincred" => Backend::WinCred,
            _ if AWS_VAULT_ONLY.contains(&name.as_str()) => {
                return Err(ParseBackendError(format!(
                    "aws-vault's '{name}' backend is not supported by vault (use one of: {SUPPORTED})"
                )));
            }
            _ => {
                return Err(ParseBackendError(format!(
                    "unknown backend '{}' (use one of: {SUPPORTED})",
                    text.trim()
                )));
            }
        })
    }
}

/// The backend named by VAULT_BACKEND, else aws-vault's AWS_VAULT_BACKEND; empty means unset.
/// Read from the environment at each call, like [`open`].
pub fn from_env() -> anyhow::Result<Option<Backend>> {
    StoreSettings::from_env()
        .backend
        .map_err(anyhow::Error::msg)
}

/// Opens `choice`, or the platform default when `None`: the keychain on macOS, Credential
/// Manager on Windows, and on Linux the Secret Service when the session bus offers one, else
/// the encrypted file store.
///
/// The store's settings (VAULT_FILE_DIR, VAULT_FILE_UNLOCK_TTL) are read from the environment
/// at each call: a library caller (the store tests) may change them between two opens.
pub fn open(choice: Option<Backend>) -> anyhow::Result<Box<dyn SecretStore>> {
    open_in(choice, &StoreSettings::from_env())
}

fn open_in(
    choice: Option<Backend>,
    settings: &StoreSettings,
) -> anyhow::Result<Box<dyn SecretStore>> {
    let store = match choice {
        Some(backend) => open_backend(backend, settings)?,
        None => open_default(settings)?,
    };
    Ok(store)
}

/// The store chosen by `--backend` (`flag`), else VAULT_BACKEND / AWS_VAULT_BACKEND, else the
/// platform's.
/// The settings are the process's ([`crate::settings::get`]).
pub fn open_selected(flag: Option<Backend>) -> anyhow::Result<Box<dyn SecretStore>> {
    let settings = &crate::settings::get().store;
    let choice = match flag {
        Some(b) => Some(b),
        None => settings.backend.clone().map_err(anyhow::Error::msg)?,
    };
    let store = open_in(choice, settings)?;
    crate::debug!("store: {}", store.describe());
    Ok(store)
}

fn open_backend(
    backend: Backend,
    settings: &StoreSettings,
) -> Result<Box<dyn SecretStore>, StoreError> {
    match backend {
        Backend::File => Ok(Box::new(FileStore::open_in(
            file::default_dir_in(settings)?,
            settings,
        )?)),
        #[cfg(unix)]
        Backend::Pass => Ok(Box::new(super::pass::PassStore::open(settings)?)),
        #[cfg(target_os = "linux")]
        Backend::SecretService => {
            super::secret_service::open(super::secret_service::CONNECT_TIMEOUT)
        }
        #[cfg(target_os = "linux")]
        Backend::Keyutils => Ok(Box::new(super::keyutils::KeyutilsStore::open()?)),
        #[cfg(target_os = "macos")]
        Backend::Keychain => super::os_other::open_keychain(),
        #[cfg(target_os = "windows")]
        Backend::WinCred => super::os_other::open_wincred(),
        other => Err(StoreError::Unavailable {
            store: other.as_str(),
            reason: format!(
                "it exists only on {} (use --backend file{})",
                other.home_platform(),
                native_suggestion()
            ),
        }),
    }
}

fn native_suggestion() -> &'static str {
    if cfg!(target_os = "linux") {
        ", secret-service or keyutils"
    } else if cfg!(target_os = "macos") {
        " or keychain"
    } else if cfg!(target_os = "windows") {
        " or wincred"
    } else {
        ""
    }
}

fn open_default(settings: &StoreSettings) -> Result<Box<dyn SecretStore>, StoreError> {
    if cfg!(target_os = "macos") {
        return open_backend(Backend::Keychain, settings);
    }
    if cfg!(target_os = "windows") {
        return open_backend(Backend::WinCred, settings);
    }
    // The session bus is the platform's fact, not a setting.
    #[cfg(target_os = "linux")]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty()) {
        let timeout = super::secret_service::CONNECT_TIMEOUT;
        if let Ok(store) = super::secret_service::open(timeout) {
            return Ok(store);
        }
    }
    open_backend(Backend::File, settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in [
            Backend::SecretService,
            Backend::Keyutils,
            Backend::File,
            Backend::Pass,
            Backend::Keychain,
            Backend::WinCred,
        ] {
            assert_eq!(b.to_string().parse::<Backend>().unwrap(), b);
        }
        assert_eq!("keyctl".parse::<Backend>().unwrap(), Backend::Keyutils);
        assert_eq!(" File ".parse::<Backend>().unwrap(), Backend::File);
    }

    #[test]
    fn aws_vault_only_backends_are_explained() {
        for name in ["kwallet", "op"] {
            let err = name.parse::<Backend>().unwrap_err().to_string();
            assert!(err.contains("not supported"), "{err}");
            assert!(err.contains("secret-service, keyutils"), "{err}");
        }
        let err = "nope".parse::<Backend>().unwrap_err().to_string();
        assert!(err.contains("unknown backend 'nope'"), "{err}");
    }

    #[test]
    fn foreign_platform_backend_is_a_clear_error() {
        let foreign = if cfg!(target_os = "macos") {
            Backend::WinCred
        } else {
            Backend::Keychain
        };
        assert!(!foreign.on_this_platform());
        let err = open(Some(foreign)).err().expect("must fail").to_string();
        assert!(err.contains("not available"), "{err}");
        assert!(err.contains("--backend file"), "{err}");
    }
}
