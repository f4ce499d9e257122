//! A cross-process lock, so N processes that need the same STS session make one call and ask
//! for one MFA code: the first holds the lock while it fetches and caches, the others wait and
//! then find the cached session.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use super::file::create_private_dir;

/// Holds the lock until dropped (the OS also releases it if the process dies).
#[derive(Debug)]
pub struct LockGuard {
    file: File,
    path: PathBuf,
}

impl LockGuard {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // The lock file itself stays: deleting it would let a waiter lock an unlinked inode
        // while a newcomer locks a fresh file of the same name.
        let _ = self.file.unlock();
    }
}

/// How long `acquire` waits for another holder, in milliseconds; 0 means for ever.
static WAIT_LIMIT_MS: AtomicU64 = AtomicU64::new(0);

/// Makes later `acquire` calls of this process give up after `limit` instead of waiting for
/// ever. The shell hook sets it: a prompt must not hang on an MFA prompt or an SSO sign-in
/// that another terminal holds open.
pub fn limit_waits(limit: Duration) {
    let millis = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
    WAIT_LIMIT_MS.store(millis, Ordering::SeqCst);
}

/// Blocks until this process holds the exclusive lock called `name` (or, after
/// [`limit_waits`], fails once the limit has passed).
pub fn acquire(name: &str) -> Result<LockGuard> {
    let dir = dirs::cache_dir()
        .context("no cache folder for this user (set HOME or XDG_CACHE_HOME)")?
        .join("vault")
        .join("locks");
    acquire_in(&dir, name)
}

pub(crate) fn acquire_in(dir: &Path, name: &str) -> Result<LockGuard> {
    create_private_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(file_name(name));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    let limit = WAIT_LIMIT_MS.load(Ordering::SeqCst);
    if limit == 0 {
        file.lock()
            .with_context(|| format!("cannot lock {}", path.display()))?;
        return Ok(LockGuard { file, path });
    }
    let deadline = Instant::now() + Duration::from_millis(limit);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(LockGuard { file, path }),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => bail!(
                "another vault process has been getting {name} for over {} s (an MFA prompt or a sign-in in another terminal?); not waiting longer",
                limit.div_ceil(1000)
            ),
            Err(TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
}

/// Hex keeps any name (slashes, colons, `..`) a single safe file name; very long names are cut
/// and suffixed with a hash of the whole so they stay distinct and under filesystem limits.
fn file_name(name: &str) -> String {
    const MAX_HEX: usize = 128;
    let hex = hex::encode(name);
    if hex.len() <= MAX_HEX {
        return format!("{hex}.lock");
    }
    // SHA-256, as for every hashed name: stable across builds and platforms.
    let hash = hex::encode(Sha256::digest(name.as_bytes()));
    format!("{}-{}.lock", &hex[..MAX_HEX - 32], &hash[..16])
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn names_become_safe_distinct_file_names() {
        assert_eq!(file_name("ab"), "6162.lock");
        for odd in ["../x", "a/b", "c:d", "", "é"] {
            let n = file_name(odd);
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            );
        }
        let long_a = file_name(&"a".repeat(500));
        let long_b = file_name(&format!("{}b", "a".repeat(499)));
        assert_ne!(long_a, long_b);
        assert!(long_a.len() < 200);
    }

    #[test]
    fn second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire_in(dir.path(), "session:work").unwrap();

        // A separate open file description, as another process would have.
        let probe = File::open(first.path()).unwrap();
        assert!(probe.try_lock().is_err(), "the lock must be exclusive");

        let (tx, rx) = mpsc::channel();
        let dir_path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let guard = acquire_in(&dir_path, "session:work").unwrap();
            tx.send(()).unwrap();
            drop(guard);
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "the waiter got the lock while it was held"
        );
        drop(first);
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the waiter gets the lock once it is released");
        waiter.join().unwrap();

        // Different names do not block each other.
        let _a = acquire_in(dir.path(), "a").unwrap();
        let _b = acquire_in(dir.path(), "b").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn lock_folder_is_private() {
        use std::fs;
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("vault").join("locks");
        let _guard = acquire_in(&dir, "x").unwrap();
        let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
