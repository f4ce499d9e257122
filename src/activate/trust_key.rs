//! The per-user secret that makes allow records a keyed MAC: 32 random bytes in a 0600 file
//! next to the records (`trust/key`), so a record cannot be forged by someone who can only
//! write files there.
//!
//! A file, not the secret store: the hook reads it at every decision and must neither prompt
//! for a passphrase (the file store would) nor wait on a keyring daemon. The file is created
//! once, atomically and exclusively (a random temporary file, then a link that never replaces
//! anything), and trusted only while it is a regular file owned by this user that nobody else
//! can read or write, so a key planted by another user (in a folder an old umask left open)
//! is refused rather than used.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use super::watch::posix::open_regular;

pub const LEN: usize = 32;

pub type Key = Zeroizing<[u8; LEN]>;

/// Why the key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0} is missing")]
    Missing(String),
    #[error("{0} is not a regular file owned by you that only you can read and write")]
    Unsafe(String),
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
}

pub fn path(trust_dir: &Path) -> PathBuf {
    trust_dir.join("key")
}

/// The key, if a safe one is there (the hook: nothing is ever created at a prompt).
pub fn read(trust_dir: &Path) -> Result<Key, KeyError> {
    let path = path(trust_dir);
    let shown = crate::term::escape(&path.display().to_string()).into_owned();
    let file = match open_regular(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyError::Missing(shown)),
        Err(e) if super::trust::is_link_refused(&e) => return Err(KeyError::Unsafe(shown)),
        Err(e) => return Err(KeyError::Io(shown, e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| KeyError::Io(shown.clone(), e))?;
    if !meta.is_file() || meta.len() != LEN as u64 || !private_to_me(&meta) {
        return Err(KeyError::Unsafe(shown));
    }
    let mut key = Zeroizing::new([0u8; LEN]);
    file.take(LEN as u64)
        .read_exact(key.as_mut())
        .map_err(|e| KeyError::Io(shown, e))?;
    Ok(key)
}

/// The key, created first if there is none (`vault allow`). `trust_dir` exists and is private.
pub fn read_or_create(trust_dir: &Path) -> Result<Key> {
    match read(trust_dir) {
        Ok(key) => return Ok(key),
        Err(KeyError::Missing(_)) => {}
        Err(e @ KeyError::Unsafe(_)) => {
            bail!(
                "{e}: remove it, then run `vault allow` again (every project needs allowing again)"
            )
        }
        Err(e) => return Err(e.into()),
    }
    let path = path(trust_dir);
    let shown = || crate::term::escape(&path.display().to_string()).into_owned();
    let key: Key = Zeroizing::new(crate::random::bytes::<LEN>());
    // tempfile creates a random name with O_CREAT|O_EXCL (so never through a planted link),
    // mode 0600 whatever the umask.
    let mut tmp = tempfile::Builder::new()
        .prefix(".key")
        .tempfile_in(trust_dir)
        .with_context(|| format!("cannot create {}", shown()))?;
    std::io::Write::write_all(&mut tmp, key.as_ref())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", shown()))?;
    match tmp.persist_noclobber(&path) {
        Ok(_) => Ok(key),
        // Another `vault allow` won the race: use its key.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            read(trust_dir).map_err(Into::into)
        }
        Err(e) => Err(anyhow::Error::new(e.error).context(format!("cannot create {}", shown()))),
    }
}

#[cfg(unix)]
fn private_to_me(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o077 == 0
}

#[cfg(not(unix))]
fn private_to_me(_: &std::fs::Metadata) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read(dir.path()), Err(KeyError::Missing(_))));
        let old = unsafe { libc::umask(0) };
        let key = read_or_create(dir.path());
        unsafe { libc::umask(old) };
        let key = key.unwrap();
        let meta = std::fs::metadata(path(dir.path())).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(*read(dir.path()).unwrap(), *key);
        assert_eq!(*read_or_create(dir.path()).unwrap(), *key, "created once");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    #[test]
    fn a_readable_short_or_linked_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = path(dir.path());
        read_or_create(dir.path()).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(read(dir.path()), Err(KeyError::Unsafe(_))));
        let err = read_or_create(dir.path()).unwrap_err().to_string();
        assert!(err.contains("remove it"), "{err}");
        std::fs::remove_file(&key).unwrap();
        std::fs::write(&key, b"short").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(read(dir.path()), Err(KeyError::Unsafe(_))));
        std::fs::remove_file(&key).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, [7u8; LEN]).unwrap();
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &key).unwrap();
        assert!(matches!(read(dir.path()), Err(KeyError::Unsafe(_))));
    }
}
