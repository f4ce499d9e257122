//! Reading the long-term keys aws-vault stored, for `vault import-aws-vault`. Read only: nothing
//! here writes or deletes an aws-vault item.
//!
//! aws-vault keeps one item per profile, named after the profile, through its keyring library
//! (99designs/keyring). The item's data is the JSON of the AWS SDK's credentials value,
//! `{"AccessKeyID":..,"SecretAccessKey":..,"SessionToken":"",..}`. Cached sessions (`session,...`
//! and older forms) and SSO tokens (`oidc:...`) live beside them and are skipped. Where the
//! items are:
//!
//! * Secret Service: collection `awsvault` (AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME), items
//!   with the attribute `profile` = name; the secret is the JSON of the library's whole item,
//!   whose `Data` field holds the credentials JSON in base64.
//! * keyctl: a keyring named `aws-vault` (in the scope AWS_VAULT_KEYCTL_SCOPE, else the session,
//!   user and user-session keyrings) holding `user` keys described by the name, with the
//!   credentials JSON as payload.
//! * file: one JWE file per item in ~/.awsvault/keys (AWS_VAULT_FILE_DIR), named after the item
//!   with `%` and `/` percent-encoded, encrypted with AWS_VAULT_FILE_PASSPHRASE; the plaintext is
//!   the library's item JSON as for the Secret Service.
//! * pass: one GnuPG file per item in a password store (`import/pass.rs`).
//! * wincred: one generic credential per item in Credential Manager, `aws-vault:aws-vault:NAME`,
//!   the credentials JSON as its blob (`import/wincred.rs`).

mod jwe;

use std::cell::{Cell, OnceCell};
use std::path::PathBuf;

use base64::Engine as _;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::creds::Credentials;
use crate::store::Backend;

pub use jwe::{JweError, decrypt as decrypt_jwe};

/// aws-vault's service name: its keyctl keyring is called this.
pub const SERVICE: &str = "aws-vault";
/// aws-vault's default Secret Service collection.
pub const DEFAULT_COLLECTION: &str = "awsvault";

/// Why something could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The store as a whole cannot be read (absent, locked, wrong passphrase): stop there.
    #[error("{0}")]
    Store(String),
    /// This one item is unusable; others may be fine.
    #[error("{0}")]
    Item(String),
}

/// One of aws-vault's stores, opened for reading.
pub trait Reader {
    /// Which store and where, for messages: `file store /home/u/.awsvault/keys`.
    fn describe(&self) -> String;
    /// The names of the credential items (sessions and SSO tokens left out), sorted.
    fn names(&self) -> Result<Vec<String>, ReadError>;
    /// The long-term keys stored under `name`, or `None` when there is no such item.
    fn read(&self, name: &str) -> Result<Option<Credentials>, ReadError>;
    /// Whether the store also holds secrets that are not aws-vault's (a password store), so
    /// names outside the config are counted, not listed.
    fn holds_other_secrets(&self) -> bool {
        false
    }
}

/// Whether an item name is a profile's credentials rather than a cached session or SSO token.
pub fn is_credentials_name(name: &str) -> bool {
    if name.is_empty() || name.starts_with("oidc:") || name.starts_with("session:") {
        return false;
    }
    // `TYPE,base64(profile),base64(mfa),EXPIRY` (current) and `session,profile,mfa,EXPIRY`.
    let fields: Vec<&str> = name.split(',').collect();
    if fields.len() == 4
        && !fields[0].is_empty()
        && !fields[3].is_empty()
        && fields[3].bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    // `PROFILE session (EXPIRY)` (oldest releases).
    if let Some(rest) = name.strip_suffix(')')
        && let Some((_, digits)) = rest.rsplit_once(" session (")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    true
}

/// The credentials inside an item's data: either the library's item JSON (with `Data` in
/// base64), or the credentials JSON itself.
pub fn decode_item(data: &[u8]) -> Result<Credentials, String> {
    #[derive(Deserialize)]
    struct LibraryItem {
        #[serde(rename = "Data")]
        data: Option<String>,
    }
    let text = std::str::from_utf8(data).map_err(|_| "the item is not UTF-8 text".to_string())?;
    let item: LibraryItem =
        serde_json::from_str(text).map_err(|_| "the item is not the JSON aws-vault writes")?;
    match item.data {
        Some(mut encoded) => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.as_bytes());
            encoded.zeroize();
            let inner =
                Zeroizing::new(decoded.map_err(|_| "the item's Data is not base64".to_string())?);
            parse_credentials(&inner)
        }
        None => parse_credentials(data),
    }
}

/// aws-vault's credentials JSON (the AWS SDK's credentials value, v1 or v2).
fn parse_credentials(json: &[u8]) -> Result<Credentials, String> {
    #[derive(Deserialize)]
    struct Value {
        #[serde(rename = "AccessKeyID", default)]
        access_key_id: String,
        #[serde(rename = "SecretAccessKey", default)]
        secret_access_key: String,
        #[serde(rename = "SessionToken", default)]
        session_token: String,
    }
    impl Drop for Value {
        fn drop(&mut self) {
            self.secret_access_key.zeroize();
            self.session_token.zeroize();
        }
    }
    let value: Value = serde_json::from_slice(json)
        .map_err(|_| "the credentials are not the JSON aws-vault writes".to_string())?;
    let id = value.access_key_id.trim();
    let secret = value.secret_access_key.trim();
    if id.is_empty() || secret.is_empty() {
        return Err("it holds no access key".into());
    }
    if !value.session_token.is_empty() {
        return Err("it holds temporary credentials (a session token), not long-term keys".into());
    }
    if id.chars().any(char::is_whitespace) || secret.chars().any(char::is_whitespace) {
        return Err("its keys contain spaces".into());
    }
    Credentials::new("it", id.to_string(), secret.to_string(), None, None)
        .map_err(|e| e.to_string())
}

/// The file name the keyring library gives an item: `%` and `/` percent-encoded.
pub fn file_name(item: &str) -> String {
    let mut name = String::with_capacity(item.len());
    for c in item.chars() {
        if c == '%' || c == '/' {
            let mut bytes = [0u8; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                name.push_str(&format!("%{b:02X}"));
            }
        } else {
            name.push(c);
        }
    }
    name
}

/// The item name a file name stands for (the inverse of [`file_name`], lenient like the
/// library's own decoder).
pub fn item_name(file: &str) -> String {
    let bytes = file.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Opens the store named by `from`; without one, AWS_VAULT_BACKEND's, else the first of the
/// platform's stores that holds aws-vault's items.
pub fn open(from: Option<Backend>) -> anyhow::Result<Box<dyn Reader>> {
    let from = match from {
        Some(backend) => Some(backend),
        None => match &crate::settings::get().import.backend {
            Some(name) => Some(
                name.parse::<Backend>()
                    .map_err(|e| anyhow::anyhow!("bad AWS_VAULT_BACKEND: {e}"))?,
            ),
            None => None,
        },
    };
    match from {
        Some(backend) => open_backend(backend),
        None => open_default(),
    }
}

fn open_backend(backend: Backend) -> anyhow::Result<Box<dyn Reader>> {
    match backend {
        Backend::File => Ok(Box::new(FileReader::new(file_dir()?))),
        #[cfg(target_os = "linux")]
        Backend::SecretService => Ok(Box::new(linux::SecretServiceReader::open(
            collection_name(),
        )?)),
        #[cfg(target_os = "linux")]
        Backend::Keyutils => Ok(Box::new(linux::KeyctlReader::open()?)),
        #[cfg(unix)]
        Backend::Pass => Ok(Box::new(super::pass::PassReader::open()?)),
        #[cfg(target_os = "windows")]
        Backend::WinCred => Ok(Box::new(super::wincred::WinCredReader::open()?)),
        Backend::Keychain if backend.on_this_platform() => anyhow::bail!(
            "reading aws-vault's {backend} items is not supported yet (copy each profile with `aws-vault exec --no-session NAME -- vault add NAME --env`)"
        ),
        other => anyhow::bail!(
            "aws-vault's {other} store exists only on another platform (use --from file, or one of this platform's stores)"
        ),
    }
}

/// On Linux: the Secret Service when it has aws-vault's collection, else the file store when
/// its folder exists, else the kernel keyring when it has aws-vault's keyring. On Windows:
/// Credential Manager when it has aws-vault's items, else the file store.
fn open_default() -> anyhow::Result<Box<dyn Reader>> {
    let mut looked = vec![];
    #[cfg(target_os = "linux")]
    {
        let collection = collection_name();
        // The session bus is the platform's fact, not a setting.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty()) {
            match linux::SecretServiceReader::open(collection.clone()) {
                Ok(reader) if reader.has_collection() => return Ok(Box::new(reader)),
                Ok(_) => looked.push(format!(
                    "no collection '{collection}' in the Secret Service"
                )),
                Err(err) => looked.push(format!("{err}")),
            }
        } else {
            looked.push("no session bus for the Secret Service".into());
        }
    }
    // On Windows: Credential Manager (aws-vault's default there) when it has aws-vault's items.
    #[cfg(target_os = "windows")]
    match super::wincred::WinCredReader::open() {
        Ok(reader) if reader.has_items() => return Ok(Box::new(reader)),
        Ok(_) => looked.push("no aws-vault items in the Windows Credential Manager".into()),
        Err(err) => looked.push(format!("{err}")),
    }
    let dir = file_dir()?;
    if dir.is_dir() {
        return Ok(Box::new(FileReader::new(dir)));
    }
    looked.push(format!("no folder {}", dir.display()));
    #[cfg(target_os = "linux")]
    match linux::KeyctlReader::open() {
        Ok(reader) => return Ok(Box::new(reader)),
        Err(err) => looked.push(format!("{err}")),
    }
    #[cfg(target_os = "macos")]
    looked.push("the keychain is not supported yet".into());
    anyhow::bail!(
        "found no aws-vault store: {} (name one with --from, or set AWS_VAULT_BACKEND)",
        looked.join("; ")
    )
}

#[cfg(target_os = "linux")]
fn collection_name() -> String {
    (crate::settings::get().import.collection_name.clone())
        .unwrap_or_else(|| DEFAULT_COLLECTION.to_string())
}

/// AWS_VAULT_FILE_DIR, else ~/.awsvault/keys; a leading `~` is the home folder.
pub fn file_dir() -> anyhow::Result<PathBuf> {
    let configured = &crate::settings::get().import.file_dir;
    let text = configured.as_deref().unwrap_or("~/.awsvault/keys/");
    match text.strip_prefix('~') {
        Some(rest) => {
            let home = dirs::home_dir()
                .ok_or_else(|| anyhow::anyhow!("cannot find the home directory"))?;
            // One component at a time, so Windows shows its own separators
            // (`C:\Users\will\.awsvault\keys`, not `...\.awsvault/keys/`).
            Ok(rest
                .split('/')
                .filter(|part| !part.is_empty())
                .fold(home, |path, part| path.join(part)))
        }
        None => Ok(PathBuf::from(text)),
    }
}

/// aws-vault's encrypted-file store.
pub struct FileReader {
    dir: PathBuf,
    passphrase: OnceCell<Zeroizing<String>>,
    /// Whether one file has opened with the passphrase: after that, a file that does not open
    /// is damaged rather than the passphrase wrong.
    opened: Cell<bool>,
}

impl FileReader {
    pub fn new(dir: PathBuf) -> FileReader {
        FileReader {
            dir,
            passphrase: OnceCell::new(),
            opened: Cell::new(false),
        }
    }

    /// AWS_VAULT_FILE_PASSPHRASE (even empty, as aws-vault takes it), else asked once.
    fn passphrase(&self) -> Result<&Zeroizing<String>, ReadError> {
        if let Some(p) = self.passphrase.get() {
            return Ok(p);
        }
        // A secret, not a setting: read here into a zeroized buffer, never kept in `Settings`.
        let passphrase = match crate::store::file::passphrase_variable("AWS_VAULT_FILE_PASSPHRASE")
        {
            Some(p) => p,
            None => crate::tty::ask_secret(&format!(
                "Enter passphrase to unlock aws-vault's file store {}: ",
                self.dir.display()
            ))
            .map_err(|e| {
                ReadError::Store(format!(
                    "no passphrase for aws-vault's file store {}: {e} (set AWS_VAULT_FILE_PASSPHRASE)",
                    self.dir.display()
                ))
            })?,
        };
        Ok(self.passphrase.get_or_init(|| passphrase))
    }

    fn path_of(&self, name: &str) -> Option<PathBuf> {
        let escaped = self.dir.join(file_name(name));
        if escaped.is_file() {
            return Some(escaped);
        }
        // Releases of the library before the escaping used the bare name.
        let bare = self.dir.join(name);
        (!name.contains('/') && bare.is_file()).then_some(bare)
    }

    fn missing_dir(&self) -> ReadError {
        ReadError::Store(format!(
            "aws-vault's file store {} does not exist (set AWS_VAULT_FILE_DIR if aws-vault used another folder)",
            self.dir.display()
        ))
    }
}

impl Reader for FileReader {
    fn describe(&self) -> String {
        format!("aws-vault's file store {}", self.dir.display())
    }

    fn names(&self) -> Result<Vec<String>, ReadError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                self.missing_dir()
            } else {
                ReadError::Store(format!("cannot list {}: {err}", self.dir.display()))
            }
        })?;
        let mut names = vec![];
        for entry in entries.flatten() {
            let Ok(file) = entry.file_name().into_string() else {
                continue;
            };
            if file.starts_with('.') || !entry.path().is_file() {
                continue;
            }
            let name = item_name(&file);
            if is_credentials_name(&name) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn read(&self, name: &str) -> Result<Option<Credentials>, ReadError> {
        if !self.dir.is_dir() {
            return Err(self.missing_dir());
        }
        let Some(path) = self.path_of(name) else {
            return Ok(None);
        };
        let token = std::fs::read_to_string(&path)
            .map_err(|err| ReadError::Item(format!("cannot read {}: {err}", path.display())))?;
        let passphrase = self.passphrase()?;
        let plain = match jwe::decrypt(&token, passphrase.as_bytes()) {
            Ok(plain) => plain,
            Err(JweError::WrongPassphrase) if !self.opened.get() => {
                return Err(ReadError::Store(format!(
                    "wrong passphrase for aws-vault's file store {} (check AWS_VAULT_FILE_PASSPHRASE)",
                    self.dir.display()
                )));
            }
            Err(JweError::WrongPassphrase) => {
                return Err(ReadError::Item(format!(
                    "{} does not open with the passphrase that opens the others",
                    path.display()
                )));
            }
            Err(err) => return Err(ReadError::Item(format!("{}: {err}", path.display()))),
        };
        self.opened.set(true);
        decode_item(&plain)
            .map(Some)
            .map_err(|why| ReadError::Item(format!("{}: {why}", path.display())))
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::HashMap;
    use std::sync::mpsc;
    use std::time::Duration;

    use linux_keyutils::{KeyRing, KeyRingIdentifier, LinkNode};
    use secret_service::EncryptionType;
    use secret_service::blocking::{Collection, SecretService};

    use super::{ReadError, Reader, SERVICE, decode_item, is_credentials_name};
    use crate::creds::Credentials;

    const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    const COLLECTIONS: &str = "/org/freedesktop/secrets/collection/";

    /// aws-vault's collection in the Secret Service.
    pub struct SecretServiceReader {
        /// Lives as long as the process: the crate's handles borrow the connection.
        service: &'static SecretService<'static>,
        collection: String,
    }

    impl SecretServiceReader {
        pub fn open(collection: String) -> Result<SecretServiceReader, ReadError> {
            let (tx, rx) = mpsc::channel();
            std::thread::Builder::new()
                .name("aws-vault-secret-service".into())
                .spawn(move || {
                    let _ = tx.send(SecretService::connect(EncryptionType::Dh));
                })
                .map_err(|e| ReadError::Store(format!("cannot start a thread: {e}")))?;
            let service = match rx.recv_timeout(CONNECT_TIMEOUT) {
                Ok(Ok(service)) => service,
                Ok(Err(err)) => {
                    return Err(ReadError::Store(format!(
                        "the Secret Service is not available: {err}"
                    )));
                }
                Err(_) => {
                    return Err(ReadError::Store(format!(
                        "the Secret Service did not answer within {} s",
                        CONNECT_TIMEOUT.as_secs()
                    )));
                }
            };
            Ok(SecretServiceReader {
                service: Box::leak(Box::new(service)),
                collection,
            })
        }

        pub fn has_collection(&self) -> bool {
            matches!(self.find(), Ok(Some(_)))
        }

        /// The collection aws-vault's library uses: the one at `.../collection/NAME` (where it
        /// looks), else one labelled NAME.
        fn find(&self) -> Result<Option<Collection<'static>>, ReadError> {
            let all = self.service.get_all_collections().map_err(|e| {
                ReadError::Store(format!("cannot list Secret Service collections: {e}"))
            })?;
            let path = format!("{COLLECTIONS}{}", self.collection);
            let mut by_label = None;
            for collection in all {
                if collection.collection_path.as_str() == path {
                    return Ok(Some(collection));
                }
                if by_label.is_none() && collection.get_label().is_ok_and(|l| l == self.collection)
                {
                    by_label = Some(collection);
                }
            }
            Ok(by_label)
        }

        fn collection(&self) -> Result<Collection<'static>, ReadError> {
            let collection = self.find()?.ok_or_else(|| {
                ReadError::Store(format!(
                    "the Secret Service has no collection '{}' (set AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME if aws-vault used another)",
                    self.collection
                ))
            })?;
            if collection.is_locked().unwrap_or(true) {
                collection.unlock().map_err(|e| {
                    ReadError::Store(format!(
                        "cannot unlock the Secret Service collection '{}': {e}",
                        self.collection
                    ))
                })?;
            }
            Ok(collection)
        }
    }

    impl Reader for SecretServiceReader {
        fn describe(&self) -> String {
            format!(
                "aws-vault's Secret Service collection '{}'",
                self.collection
            )
        }

        fn names(&self) -> Result<Vec<String>, ReadError> {
            let collection = self.collection()?;
            let items = collection.get_all_items().map_err(|e| {
                ReadError::Store(format!("cannot list the collection's items: {e}"))
            })?;
            let mut names = vec![];
            for item in items {
                let name = match item.get_attributes() {
                    Ok(attributes) if attributes.contains_key("profile") => {
                        attributes["profile"].clone()
                    }
                    _ => match item.get_label() {
                        Ok(label) => label,
                        Err(_) => continue,
                    },
                };
                if is_credentials_name(&name) && !names.contains(&name) {
                    names.push(name);
                }
            }
            names.sort();
            Ok(names)
        }

        fn read(&self, name: &str) -> Result<Option<Credentials>, ReadError> {
            let collection = self.collection()?;
            let found = collection
                .search_items(HashMap::from([("profile", name)]))
                .map_err(|e| ReadError::Item(format!("cannot search the collection: {e}")))?;
            // The library uses the first match when there are several.
            let Some(item) = found.into_iter().next() else {
                return Ok(None);
            };
            let secret = zeroize::Zeroizing::new(
                item.get_secret()
                    .map_err(|e| ReadError::Item(format!("cannot read the item's secret: {e}")))?,
            );
            decode_item(&secret).map(Some).map_err(ReadError::Item)
        }
    }

    /// aws-vault's `aws-vault` keyring in the kernel key store.
    pub struct KeyctlReader {
        ring: KeyRing,
        scope: &'static str,
    }

    fn scopes() -> Result<Vec<(&'static str, KeyRingIdentifier)>, ReadError> {
        let all = [
            ("session", KeyRingIdentifier::Session),
            ("user", KeyRingIdentifier::User),
            ("usersession", KeyRingIdentifier::UserSession),
            ("process", KeyRingIdentifier::Process),
            ("thread", KeyRingIdentifier::Thread),
        ];
        match &crate::settings::get().import.keyctl_scope {
            Some(scope) => all
                .into_iter()
                .find(|(name, _)| *name == scope)
                .map(|s| vec![s])
                .ok_or_else(|| {
                    ReadError::Store(format!(
                        "bad AWS_VAULT_KEYCTL_SCOPE '{scope}' (user, usersession, session, process or thread)"
                    ))
                }),
            None => Ok(all[..3].to_vec()),
        }
    }

    fn description(node: &LinkNode) -> Option<String> {
        let metadata = match node {
            LinkNode::KeyRing(ring) => ring.metadata().ok()?,
            LinkNode::Key(key) => key.metadata().ok()?,
        };
        Some(metadata.get_description().to_string())
    }

    impl KeyctlReader {
        pub fn open() -> Result<KeyctlReader, ReadError> {
            let scopes = scopes()?;
            for (scope, id) in &scopes {
                let Ok(parent) = KeyRing::from_special_id(*id, false) else {
                    continue;
                };
                let Ok(links) = parent.get_links(4096) else {
                    continue;
                };
                for node in links.iter() {
                    if let LinkNode::KeyRing(ring) = node
                        && description(node).as_deref() == Some(SERVICE)
                    {
                        return Ok(KeyctlReader { ring: *ring, scope });
                    }
                }
            }
            let names: Vec<&str> = scopes.iter().map(|(n, _)| *n).collect();
            Err(ReadError::Store(format!(
                "no '{SERVICE}' keyring in the kernel's {} keyring{} (set AWS_VAULT_KEYCTL_SCOPE if aws-vault used another)",
                names.join(", "),
                if names.len() == 1 { "" } else { "s" }
            )))
        }

        fn keys(&self) -> Result<Vec<(String, linux_keyutils::Key)>, ReadError> {
            let links = self.ring.get_links(4096).map_err(|e| {
                ReadError::Store(format!("cannot list the '{SERVICE}' keyring: {e:?}"))
            })?;
            Ok(links
                .iter()
                .filter_map(|node| match node {
                    LinkNode::Key(key) => description(node).map(|d| (d, *key)),
                    LinkNode::KeyRing(_) => None,
                })
                .collect())
        }
    }

    impl Reader for KeyctlReader {
        fn describe(&self) -> String {
            format!(
                "aws-vault's '{SERVICE}' keyring in the {} keyring",
                self.scope
            )
        }

        fn names(&self) -> Result<Vec<String>, ReadError> {
            let mut names: Vec<String> = self
                .keys()?
                .into_iter()
                .map(|(name, _)| name)
                .filter(|name| is_credentials_name(name))
                .collect();
            names.sort();
            names.dedup();
            Ok(names)
        }

        fn read(&self, name: &str) -> Result<Option<Credentials>, ReadError> {
            let Some((_, key)) = self.keys()?.into_iter().find(|(d, _)| d == name) else {
                return Ok(None);
            };
            let data = zeroize::Zeroizing::new(
                key.read_to_vec()
                    .map_err(|e| ReadError::Item(format!("cannot read the key: {e:?}")))?,
            );
            decode_item(&data).map(Some).map_err(ReadError::Item)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_and_sso_items_are_not_credentials() {
        for name in ["will", "work-admin", "a,b", "default", "x session", "p (1)"] {
            assert!(is_credentials_name(name), "{name}");
        }
        for name in [
            "session,d2lsbA,,1700000000",
            "sso.GetRoleCredentials,d2lsbA,,1700000000",
            "session:will:arn:aws:iam::1:mfa/w:1700000000",
            "will session (1499999999)",
            "oidc:https://example.awsapps.com/start",
            "",
        ] {
            assert!(!is_credentials_name(name), "{name}");
        }
    }

    #[test]
    fn file_names_escape_like_the_keyring_library() {
        assert_eq!(file_name("will"), "will");
        assert_eq!(file_name("a/b%c"), "a%2Fb%25c");
        for name in ["will", "a/b%c", "%zz", "100%", "é/ü"] {
            assert_eq!(item_name(&file_name(name)), name);
        }
        assert_eq!(item_name("%zz"), "%zz");
        assert_eq!(item_name("50%"), "50%");
    }

    #[test]
    fn items_decode_in_every_shape_aws_vault_wrote() {
        let creds = r#"{"AccessKeyID":"AKIAEXAMPLE0001","SecretAccessKey":"se/cret","SessionToken":"","ProviderName":""}"#;
        let direct = decode_item(creds.as_bytes()).unwrap();
        assert_eq!(direct.access_key_id, "AKIAEXAMPLE0001");
        assert_eq!(direct.secret_access_key, "se/cret");
        assert!(direct.session_token.is_none());

        let wrapped = format!(
            r#"{{"Key":"will","Data":"{}","Label":"aws-vault (will)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}}"#,
            base64::engine::general_purpose::STANDARD.encode(creds)
        );
        assert_eq!(decode_item(wrapped.as_bytes()).unwrap(), direct);

        // aws-sdk-go-v2's shape.
        let v2 = r#"{"AccessKeyID":"AKIAEXAMPLE0001","SecretAccessKey":"se/cret","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z"}"#;
        assert_eq!(decode_item(v2.as_bytes()).unwrap(), direct);
    }

    #[test]
    fn unusable_items_are_explained_without_secrets() {
        let session =
            r#"{"AccessKeyID":"ASIAX","SecretAccessKey":"topsecret","SessionToken":"tok"}"#;
        let err = decode_item(session.as_bytes()).unwrap_err();
        assert!(err.contains("temporary"), "{err}");
        assert!(!err.contains("topsecret"));
        assert!(decode_item(b"{}").unwrap_err().contains("no access key"));
        assert!(decode_item(b"not json").is_err());
        assert!(
            decode_item(br#"{"Data":"***"}"#)
                .unwrap_err()
                .contains("base64")
        );
    }

    /// A token made by jwcrypto (Python's JOSE library) for this test, as aws-vault's file
    /// store would hold it.
    const TOKEN: &str = "eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJjcmVhdGVkIjoiMjAyNi0wMS0wMSIsImVuYyI6IkEyNTZHQ00iLCJwMmMiOjEwMDAsInAycyI6ImRLTF9ZTU5TQWNQX3NqYnl0QWFKT2cifQ.-vbLwaXi2BLmsEadm2LS0kidldv_rTESAlUHNHBuZxsHYCXZUldPmg.SVv4Cub4W3gCVffD.wPcVQlrcnZ6itCiTRY2gOO0gm8xfFtoyfo7hnESFKSEPQwB3lUPVuxyEPHTPwbBzaKqXSpMzlhCpUDX3zhZguW78fcl_gVuXFjzLI6A9OrxzqmDpQWAYTAfzKvrQtSxr9gsGj1OEnFAYeW1cUETybvLnAGypRSpSe_1wAr1MnJ_VHJuEjI7YwGSXfHvUUrKrxeqdBUTz7N8_rYDgGlXBYhLZC-RkwojWjvOmoysUKLSa-IW0OIGBwXtqvw.CbYQCWipOB5ajIau0Pr_PA";

    #[test]
    fn jwe_made_by_another_implementation_decrypts() {
        let plain = decrypt_jwe(TOKEN, b"unit test passphrase").unwrap();
        let creds = decode_item(&plain).unwrap();
        assert_eq!(creds.access_key_id, "AKIAUNITTEST0001");
        assert_eq!(creds.secret_access_key, "unit/secret");
    }

    #[test]
    fn jwe_with_wrong_passphrase_or_damage_is_refused() {
        assert_eq!(
            decrypt_jwe(TOKEN, b"not it").unwrap_err(),
            JweError::WrongPassphrase
        );
        // Flip one character of the ciphertext: the key unwraps, the content fails.
        let mut parts: Vec<String> = TOKEN.split('.').map(String::from).collect();
        let flipped = if parts[3].starts_with('w') { "x" } else { "w" };
        parts[3].replace_range(0..1, flipped);
        assert_eq!(
            decrypt_jwe(&parts.join("."), b"unit test passphrase").unwrap_err(),
            JweError::Corrupt
        );
        // The header is authenticated too.
        let header = r#"{"alg":"PBES2-HS256+A128KW","created":"2026-01-02","enc":"A256GCM","p2c":1000,"p2s":"dKL_YMNSAcP_sjbytAaJOg"}"#;
        parts = TOKEN.split('.').map(String::from).collect();
        parts[0] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header);
        assert_eq!(
            decrypt_jwe(&parts.join("."), b"unit test passphrase").unwrap_err(),
            JweError::Corrupt
        );
    }

    #[test]
    fn jwe_shapes_we_do_not_read_are_named() {
        assert!(matches!(
            decrypt_jwe("a.b.c", b"x").unwrap_err(),
            JweError::Malformed(_)
        ));
        let other = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"dir","enc":"A256GCM"}"#);
        let err = decrypt_jwe(&format!("{other}.a.b.c.d"), b"x").unwrap_err();
        assert!(err.to_string().contains("'dir'"), "{err}");
        let huge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            r#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":4000000000,"p2s":"AAAAAAAAAAA"}"#,
        );
        let err = decrypt_jwe(&format!("{huge}.a.b.c.d"), b"x").unwrap_err();
        assert!(matches!(err, JweError::Unsupported(_)), "{err}");
    }
}
