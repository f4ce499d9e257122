//! The store suite against a real gnome-keyring on a private session bus, and how the default
//! store and the backend variables are chosen. These tests change environment variables, so
//! they live in their own binary and take turns through `Env`.

#[path = "support/store_suite.rs"]
mod store_suite;

use std::sync::{Mutex, MutexGuard};

use vault::store::Backend;
use vault::store::backend::from_env;

/// Holds the process environment for one test and restores it afterwards (also on panic).
struct Env {
    saved: Vec<(String, Option<std::ffi::OsString>)>,
    _turn: MutexGuard<'static, ()>,
}

impl Env {
    fn new(vars: &[(&str, Option<&str>)]) -> Env {
        static TURN: Mutex<()> = Mutex::new(());
        let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let saved = vars
            .iter()
            .map(|(name, _)| (name.to_string(), std::env::var_os(name)))
            .collect();
        let env = Env { saved, _turn: turn };
        for (name, value) in vars {
            env.set(name, *value);
        }
        env
    }

    /// Changes one of the variables this `Env` restores.
    fn set(&self, name: &str, value: Option<&str>) {
        assert!(
            self.saved.iter().any(|(saved, _)| saved == name),
            "{name} is not restored"
        );
        // SAFETY: tests in this binary take turns through TURN, and none leaves a thread
        // behind that reads the environment.
        unsafe {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for (name, value) in self.saved.drain(..) {
            // SAFETY: as in `Env::new`; we still hold the turn.
            unsafe {
                match value {
                    Some(value) => std::env::set_var(&name, value),
                    None => std::env::remove_var(&name),
                }
            }
        }
    }
}

#[cfg(target_os = "linux")]
#[path = "support/secret_service.rs"]
mod secret_service;

#[cfg(target_os = "linux")]
mod linux {
    use std::os::unix::net::UnixListener;
    use std::time::{Duration, Instant};

    use vault::store::open;

    use crate::secret_service::PrivateBus;

    use super::*;

    #[test]
    fn gnome_keyring_passes_the_suite() {
        let bus = PrivateBus::with_gnome_keyring();
        let _env = Env::new(&[("DBUS_SESSION_BUS_ADDRESS", Some(&bus.address))]);
        let store = open(Some(Backend::SecretService)).expect("the Secret Service opens");
        assert_eq!(store.name(), "secret-service");
        assert!(
            store.describe().contains(&bus.address),
            "{}",
            store.describe()
        );
        store_suite::run(store.as_ref());

        // A second connection (another process) sees what the first wrote.
        let names = store_suite::Names::new(store.as_ref());
        let item = names.name("shared");
        store.set(&item, "across connections").unwrap();
        let again = open(Some(Backend::SecretService)).unwrap();
        assert_eq!(
            again.get(&item).unwrap().unwrap().as_str(),
            "across connections"
        );
    }

    #[test]
    fn default_is_secret_service_when_the_bus_offers_it() {
        let bus = PrivateBus::with_gnome_keyring();
        let files = tempfile::tempdir().unwrap();
        let _env = Env::new(&[
            ("DBUS_SESSION_BUS_ADDRESS", Some(&bus.address)),
            ("VAULT_FILE_DIR", files.path().to_str()),
        ]);
        let store = open(None).unwrap();
        assert_eq!(store.name(), "secret-service", "{}", store.describe());
    }

    #[test]
    fn default_is_the_file_store_without_a_session_bus() {
        let files = tempfile::tempdir().unwrap();
        let _env = Env::new(&[
            ("DBUS_SESSION_BUS_ADDRESS", None),
            ("VAULT_FILE_DIR", files.path().to_str()),
        ]);
        let store = open(None).unwrap();
        assert_eq!(store.name(), "file");
        assert!(
            store.describe().contains(files.path().to_str().unwrap()),
            "{}",
            store.describe()
        );
    }

    #[test]
    fn default_is_the_file_store_when_the_bus_has_no_secret_service() {
        let bus = PrivateBus::bare();
        let files = tempfile::tempdir().unwrap();
        let _env = Env::new(&[
            ("DBUS_SESSION_BUS_ADDRESS", Some(&bus.address)),
            ("VAULT_FILE_DIR", files.path().to_str()),
        ]);
        assert_eq!(open(None).unwrap().name(), "file");
        let err = open(Some(Backend::SecretService))
            .err()
            .expect("no Secret Service");
        let text = format!("{err:#}");
        assert!(text.contains("secret-service is not available"), "{text}");
        assert!(text.contains("--backend file"), "{text}");
    }

    #[test]
    fn a_bus_that_never_answers_does_not_hang() {
        // A socket that accepts connections and then says nothing, like a wedged bus.
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("silent");
        let listener = UnixListener::bind(&socket).unwrap();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                held.push(stream);
            }
        });
        let files = tempfile::tempdir().unwrap();
        let address = format!("unix:path={}", socket.display());
        let _env = Env::new(&[
            ("DBUS_SESSION_BUS_ADDRESS", Some(&address)),
            ("VAULT_FILE_DIR", files.path().to_str()),
        ]);
        // The bound is 2 s; allow for a slow, loaded CI machine.
        let limit = Duration::from_secs(5);
        let started = Instant::now();
        assert_eq!(open(None).unwrap().name(), "file");
        assert!(
            started.elapsed() < limit,
            "default took {:?}",
            started.elapsed()
        );
        let started = Instant::now();
        let err = open(Some(Backend::SecretService))
            .err()
            .expect("must time out");
        assert!(
            started.elapsed() < limit,
            "explicit took {:?}",
            started.elapsed()
        );
        let text = format!("{err:#}");
        assert!(text.contains("no answer"), "{text}");
    }
}

#[test]
fn backend_variables_in_order_of_precedence() {
    let env = Env::new(&[("VAULT_BACKEND", None), ("AWS_VAULT_BACKEND", None)]);
    assert_eq!(from_env().unwrap(), None);

    env.set("AWS_VAULT_BACKEND", Some("keyctl"));
    assert_eq!(
        from_env().unwrap(),
        Some(Backend::Keyutils),
        "aws-vault's name and variable"
    );

    env.set("VAULT_BACKEND", Some("file"));
    assert_eq!(
        from_env().unwrap(),
        Some(Backend::File),
        "VAULT_BACKEND wins"
    );

    env.set("VAULT_BACKEND", Some(""));
    assert_eq!(
        from_env().unwrap(),
        Some(Backend::Keyutils),
        "empty means unset"
    );

    env.set("VAULT_BACKEND", Some("kwallet"));
    let err = format!("{:#}", from_env().unwrap_err());
    assert!(err.contains("VAULT_BACKEND"), "{err}");
    assert!(err.contains("not supported"), "{err}");
}
