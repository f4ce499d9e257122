//! Reading aws-vault's `pass` store (`import-aws-vault --from pass`). Read only.
//!
//! aws-vault's keyring library keeps each item as `<store>/<prefix>/<name>.gpg`, the name
//! joined to the prefix as it is (no escaping), written with `pass insert -m -f` and read with
//! `pass show`; the plaintext is the library's item JSON (`Data` holds the credentials JSON in
//! base64), as in its other stores. The store is AWS_VAULT_PASS_PASSWORD_STORE_DIR, else
//! PASSWORD_STORE_DIR, else `~/.password-store`; the program AWS_VAULT_PASS_CMD, else `pass`;
//! the prefix AWS_VAULT_PASS_PREFIX, else none.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use zeroize::Zeroizing;

use super::aws_vault::{ReadError, Reader, decode_item, is_credentials_name};
use crate::creds::Credentials;
use crate::store::pass::{find_program, store_dir};

pub struct PassReader {
    command: PathBuf,
    dir: PathBuf,
    prefix: String,
}

impl PassReader {
    /// aws-vault's pass store as its settings name it.
    pub fn open() -> Result<PassReader, ReadError> {
        let settings = &crate::settings::get().import;
        let dir = settings
            .pass_dir
            .as_deref()
            .map(crate::settings::expand_home);
        let dir = store_dir(dir.as_deref()).map_err(|e| ReadError::Store(e.to_string()))?;
        let name = settings.pass_cmd.as_deref().unwrap_or("pass");
        let command = find_program(name).ok_or_else(|| {
            ReadError::Store(format!(
                "the program '{name}' is not installed (set AWS_VAULT_PASS_CMD if aws-vault used another)"
            ))
        })?;
        if !dir.is_dir() {
            return Err(ReadError::Store(format!(
                "aws-vault's pass store {} does not exist (set AWS_VAULT_PASS_PASSWORD_STORE_DIR if aws-vault used another folder)",
                dir.display()
            )));
        }
        let prefix = settings
            .pass_prefix
            .as_deref()
            .unwrap_or("")
            .trim_matches('/')
            .to_string();
        Ok(PassReader {
            command,
            dir,
            prefix,
        })
    }

    fn folder(&self) -> PathBuf {
        self.dir.join(&self.prefix)
    }

    /// The file of item `name`, when `name` stays inside the prefix's folder.
    fn file(&self, name: &str) -> Option<PathBuf> {
        let inside = !name.is_empty()
            && Path::new(name)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        inside.then(|| self.folder().join(format!("{name}.gpg")))
    }
}

impl Reader for PassReader {
    fn describe(&self) -> String {
        format!("aws-vault's pass store {}", self.folder().display())
    }

    fn names(&self) -> Result<Vec<String>, ReadError> {
        let mut names = vec![];
        let mut folders = vec![self.folder()];
        while let Some(folder) = folders.pop() {
            let entries = match std::fs::read_dir(&folder) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(ReadError::Store(format!(
                        "cannot list {}: {e}",
                        folder.display()
                    )));
                }
            };
            for entry in entries.flatten() {
                let Ok(file) = entry.file_name().into_string() else {
                    continue;
                };
                // `.git`, `.gpg-id`, `.extensions`: pass's own.
                if file.starts_with('.') {
                    continue;
                }
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    folders.push(entry.path());
                } else if kind.is_file()
                    && file.ends_with(".gpg")
                    && let Ok(relative) = entry.path().strip_prefix(self.folder())
                    && let Some(name) = relative.to_str().and_then(|n| n.strip_suffix(".gpg"))
                    && is_credentials_name(name)
                {
                    names.push(name.to_string());
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// A password store usually holds the user's other passwords too: their names are not
    /// aws-vault's to list.
    fn holds_other_secrets(&self) -> bool {
        true
    }

    fn read(&self, name: &str) -> Result<Option<Credentials>, ReadError> {
        let Some(file) = self.file(name) else {
            return Ok(None);
        };
        if !file.is_file() {
            return Ok(None);
        }
        let item = if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.prefix)
        };
        let output = Command::new(&self.command)
            .args(["show", &item])
            .env("PASSWORD_STORE_DIR", &self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| ReadError::Store(format!("cannot run {}: {e}", self.command.display())))?;
        let plain = Zeroizing::new(output.stdout);
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            return Err(ReadError::Item(format!(
                "`pass show {item}` failed: {}",
                crate::term::escape(said.trim())
            )));
        }
        decode_item(&plain)
            .map(Some)
            .map_err(|why| ReadError::Item(format!("{}: {why}", file.display())))
    }
}
