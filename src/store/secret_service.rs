//! The freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet's bridge) over D-Bus.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use keyring_core::CredentialStore;
use zbus_secret_service_keyring_store::Store;

use super::keyring_store::{KeyringStore, SERVICE_SEARCH, map_error};
use super::{SecretStore, StoreError};

const NAME: &str = "secret-service";
const HINT: &str =
    "start and unlock gnome-keyring or another Secret Service, or use --backend file";

/// How long we wait for the service to answer. D-Bus activation of a service that never comes
/// up blocks for the bus's own timeout (25 s), far too long for a shell prompt.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Connects to `org.freedesktop.secrets` on the session bus, giving up after `timeout`.
pub fn open(timeout: Duration) -> Result<Box<dyn SecretStore>, StoreError> {
    let (tx, rx) = mpsc::channel();
    // A hung connection attempt cannot be cancelled; the thread is left behind and dies with
    // the process.
    std::thread::Builder::new()
        .name("secret-service-connect".into())
        .spawn(move || {
            let _ = tx.send(Store::new());
        })
        .map_err(|err| StoreError::Unavailable {
            store: NAME,
            reason: format!("cannot start the connection thread: {err}"),
        })?;
    let store = match rx.recv_timeout(timeout) {
        Ok(Ok(store)) => store,
        Ok(Err(err)) => {
            return Err(match map_error(NAME, HINT, "", err) {
                // Connecting failed, so the service is absent rather than merely failing.
                StoreError::Platform { reason, .. } => StoreError::Unavailable {
                    store: NAME,
                    reason,
                },
                other => other,
            });
        }
        Err(_) => {
            return Err(StoreError::Unavailable {
                store: NAME,
                reason: format!(
                    "no answer from org.freedesktop.secrets on the session bus within {} s ({HINT})",
                    timeout.as_secs_f32()
                ),
            });
        }
    };
    let store: Arc<CredentialStore> = store;
    // The platform's fact, not a setting.
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let description = if bus.is_empty() {
        "secret-service (session bus)".to_string()
    } else {
        format!("secret-service ({bus})")
    };
    Ok(Box::new(KeyringStore::new(
        NAME,
        description,
        HINT,
        SERVICE_SEARCH,
        store,
    )))
}
