//! The `pass` backend: items in a password-store (<https://www.passwordstore.org/>), one
//! GnuPG-encrypted file per item, through the `pass` program, as aws-vault's `pass` backend.
//!
//! * Where: `<store dir>/<prefix>/<item>.gpg`. The store folder is VAULT_PASS_PASSWORD_STORE_DIR,
//!   else aws-vault's AWS_VAULT_PASS_PASSWORD_STORE_DIR, else pass's own PASSWORD_STORE_DIR, else
//!   `~/.password-store`; the prefix is VAULT_PASS_PREFIX, else `vault`. aws-vault's prefix is
//!   not a fallback: its default is no prefix at all, and vault's items would then sit among
//!   the user's other passwords (and aws-vault's).
//! * Names: vault's item names hold `:` and may hold `/` or start with `.`; each becomes one
//!   file name, with `%`, `/`, a leading `.` and control characters percent-encoded, so no
//!   name can make a folder or climb out of the prefix.
//! * Secrets go to `pass insert --multiline` on stdin and come back from `pass show` on a pipe,
//!   byte for byte; only item names are on the command line. `has` looks for the file and
//!   decrypts nothing (no pinentry).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use zeroize::Zeroizing;

use super::{SecretStore, StoreError};
use crate::settings::StoreSettings;

const NAME: &str = "pass";
/// The folder under the password store that vault's items go into by default.
pub const DEFAULT_PREFIX: &str = "vault";

pub struct PassStore {
    /// The `pass` program (VAULT_PASS_CMD, else AWS_VAULT_PASS_CMD, else `pass`).
    command: String,
    /// The password store folder, given to `pass` as PASSWORD_STORE_DIR.
    dir: PathBuf,
    /// The folder of vault's items inside it (may be empty: the store's top level).
    prefix: String,
}

/// The password store folder the settings name: `explicit`, else PASSWORD_STORE_DIR, else
/// `~/.password-store`, as the keyring library aws-vault uses decides it.
pub fn store_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    // pass's own variable, read where used like the other platform facts of a backend.
    if let Some(dir) = std::env::var_os("PASSWORD_STORE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::home_dir()
        .map(|home| home.join(".password-store"))
        .ok_or_else(|| StoreError::Unavailable {
            store: NAME,
            reason:
                "no home folder to find ~/.password-store in (set VAULT_PASS_PASSWORD_STORE_DIR)"
                    .to_string(),
        })
}

impl PassStore {
    /// The store the settings describe, checked to be usable: the program runs and the folder
    /// is an initialised password store.
    pub fn open(settings: &StoreSettings) -> Result<PassStore, StoreError> {
        let store = PassStore {
            command: settings
                .pass_cmd
                .clone()
                .unwrap_or_else(|| "pass".to_string()),
            dir: store_dir(settings.pass_dir.as_deref())?,
            prefix: settings
                .pass_prefix
                .clone()
                .unwrap_or_else(|| DEFAULT_PREFIX.to_string()),
        };
        store.check()?;
        Ok(store)
    }

    /// A store with these parts, checked like [`PassStore::open`] (for tests and the importer).
    pub fn with(command: &str, dir: PathBuf, prefix: &str) -> Result<PassStore, StoreError> {
        let store = PassStore {
            command: command.to_string(),
            dir,
            prefix: prefix.trim_matches('/').to_string(),
        };
        store.check()?;
        Ok(store)
    }

    fn check(&self) -> Result<(), StoreError> {
        if find_program(&self.command).is_none() {
            return Err(StoreError::Unavailable {
                store: NAME,
                reason: format!(
                    "the program '{}' is not installed (Debian/Ubuntu: apt-get install pass; or set VAULT_PASS_CMD)",
                    self.command
                ),
            });
        }
        // pass takes the recipients from the nearest .gpg-id above the item.
        let folder = self.folder();
        let initialised = folder
            .ancestors()
            .take_while(|d| d.starts_with(&self.dir))
            .any(|d| d.join(".gpg-id").is_file());
        if !initialised {
            return Err(StoreError::Unavailable {
                store: NAME,
                reason: format!(
                    "{} is not a password store (run `pass init YOUR-GPG-KEY-ID`, or set VAULT_PASS_PASSWORD_STORE_DIR)",
                    self.dir.display()
                ),
            });
        }
        Ok(())
    }

    /// The folder vault's items are in.
    fn folder(&self) -> PathBuf {
        if self.prefix.is_empty() {
            self.dir.clone()
        } else {
            self.dir.join(&self.prefix)
        }
    }

    /// The name `pass` knows an item by: `prefix/encoded`.
    fn pass_name(&self, item: &str) -> String {
        let file = encode(item);
        if self.prefix.is_empty() {
            file
        } else {
            format!("{}/{file}", self.prefix)
        }
    }

    fn file(&self, item: &str) -> PathBuf {
        self.folder().join(format!("{}.gpg", encode(item)))
    }

    fn pass(&self, args: &[&str]) -> Command {
        // Found again at each run, by absolute path: see `find_program`.
        let program = find_program(&self.command).unwrap_or_else(|| PathBuf::from(&self.command));
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env("PASSWORD_STORE_DIR", &self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    }

    fn failed(&self, what: &str, item: &str, stderr: &[u8]) -> StoreError {
        let said = String::from_utf8_lossy(stderr);
        let said = said.trim();
        StoreError::Platform {
            store: NAME,
            reason: format!(
                "`{} {what}` of item '{item}' failed{}",
                self.command,
                if said.is_empty() {
                    String::new()
                } else {
                    format!(": {}", crate::term::escape(said))
                }
            ),
        }
    }

    fn spawn_error(&self, err: std::io::Error) -> StoreError {
        StoreError::Unavailable {
            store: NAME,
            reason: format!("cannot run '{}': {err}", self.command),
        }
    }
}

impl SecretStore for PassStore {
    fn name(&self) -> &'static str {
        NAME
    }

    fn describe(&self) -> String {
        format!("pass ({})", self.folder().display())
    }

    fn get(&self, item: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        if !self.has(item)? {
            return Ok(None);
        }
        let output = self
            .pass(&["show", &self.pass_name(item)])
            .stdout(Stdio::piped())
            .output()
            .map_err(|e| self.spawn_error(e))?;
        let stdout = Zeroizing::new(output.stdout);
        if !output.status.success() {
            return Err(self.failed("show", item, &output.stderr));
        }
        match std::str::from_utf8(&stdout) {
            Ok(text) => Ok(Some(Zeroizing::new(text.to_string()))),
            Err(_) => Err(StoreError::Corrupt {
                store: NAME,
                item: item.to_string(),
                reason: "the secret is not UTF-8 text".to_string(),
            }),
        }
    }

    fn has(&self, item: &str) -> Result<bool, StoreError> {
        match std::fs::symlink_metadata(self.file(item)) {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::Access {
                store: NAME,
                reason: format!("cannot look for item '{item}': {e}"),
            }),
        }
    }

    fn set(&self, item: &str, secret: &str) -> Result<(), StoreError> {
        // --multiline takes stdin to its end, so the secret is stored exactly as given.
        let mut child = self
            .pass(&["insert", "--multiline", "--force", &self.pass_name(item)])
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(e))?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let written = write_to_child(&mut stdin, secret.as_bytes());
        drop(stdin);
        let output = child.wait_with_output().map_err(|e| self.spawn_error(e))?;
        if !output.status.success() {
            return Err(self.failed("insert", item, &output.stderr));
        }
        written.map_err(|e| StoreError::Platform {
            store: NAME,
            reason: format!("cannot give item '{item}' to pass: {e}"),
        })
    }

    /// The files directly in vault's folder (each item is one: names hold no `/`), decoded;
    /// nothing is decrypted.
    fn names(&self) -> Result<Vec<String>, StoreError> {
        let entries = match std::fs::read_dir(self.folder()) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => {
                return Err(StoreError::Access {
                    store: NAME,
                    reason: format!("cannot list {}: {e}", self.folder().display()),
                });
            }
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".gpg").map(decode)
            })
            .collect();
        names.sort();
        Ok(names)
    }

    fn delete(&self, item: &str) -> Result<bool, StoreError> {
        if !self.has(item)? {
            return Ok(false);
        }
        let output = self
            .pass(&["rm", "--force", &self.pass_name(item)])
            .output()
            .map_err(|e| self.spawn_error(e))?;
        if !output.status.success() {
            return Err(self.failed("rm", item, &output.stderr));
        }
        Ok(true)
    }
}

/// `name` as an executable file: a path as given, a bare name in the absolute entries of
/// PATH only, so an empty or relative entry cannot run a repository's own `./pass`.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let is_program = |path: &Path| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        let path = PathBuf::from(name);
        return is_program(&path).then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| is_program(candidate))
}

/// One file name for an item name: `%`, `/`, `\`, a leading `.` and control characters
/// percent-encoded (as bytes of their UTF-8), everything else kept.
pub fn encode(item: &str) -> String {
    let mut name = String::with_capacity(item.len());
    for (i, c) in item.chars().enumerate() {
        if matches!(c, '%' | '/' | '\\') || c.is_control() || (i == 0 && c == '.') {
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

/// The item name a file name stands for (the inverse of [`encode`]).
pub fn decode(file: &str) -> String {
    let bytes = file.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h << 4 | l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes to a child's stdin. A `pass` that exits without reading (it refused the item) must
/// give EPIPE here, and its own error after it, not kill vault: SIGPIPE is at its default for
/// stdout (main.rs), so it is ignored for the length of this write.
fn write_to_child(stdin: &mut std::process::ChildStdin, data: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    // SAFETY: signal() swaps a process-wide disposition; nothing else writes to a pipe while a
    // store item is being set.
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let written = stdin.write_all(data);
    #[cfg(unix)]
    // SAFETY: as above, putting back what was there.
    unsafe {
        libc::signal(libc::SIGPIPE, previous);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_make_one_file_each_and_come_back() {
        for (item, file) in [
            ("keys:work", "keys:work"),
            ("../../etc/passwd", "%2E.%2F..%2Fetc%2Fpasswd"),
            ("a%2Fb", "a%252Fb"),
            ("line\nbreak", "line%0Abreak"),
            ("名前", "名前"),
        ] {
            assert_eq!(encode(item), file);
            assert!(!encode(item).contains('/'));
            assert_eq!(decode(&encode(item)), item);
        }
    }
}
