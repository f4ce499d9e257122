//! Temporary files a writer left behind. Every item is written to `.PID-RANDOM.tmp` in the store
//! folder and renamed into place; a writer killed in between (SIGKILL during `add --force`, a
//! power cut) leaves an encrypted copy there that nothing would ever remove. The next opening
//! of the store removes them, without touching a live writer's file.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A writer's temporary file is younger than this while it writes (a write takes milliseconds),
/// so a file of a dead PID that is older is left over, even if that PID is in another PID
/// namespace (a container sharing the folder) and only looks dead from here.
const DEAD_WRITER_AGE: Duration = Duration::from_secs(60);
/// Older than this, a file is left over whatever its PID: the PID was reused, or the name has
/// no PID (a file of an earlier vault).
const ANY_WRITER_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The start of this process's temporary file names: `.PID-`.
pub(super) fn prefix() -> String {
    format!(".{}-", std::process::id())
}

/// Removes the left-over temporary files in `dir`; best effort (a failure only leaves them).
pub(super) fn remove(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with('.') && name.ends_with(".tmp")) {
            continue;
        }
        // Not following a symlink: only our own regular files are removed.
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .unwrap_or_default();
        let writer = writer_pid(name);
        let stale = age > ANY_WRITER_AGE
            || (age > DEAD_WRITER_AGE && writer.is_some_and(|pid| !is_alive(pid)));
        if stale && fs::remove_file(entry.path()).is_ok() {
            crate::debug!("file store: removed a left-over temporary file {name}");
        }
    }
}

/// The PID in `.PID-RANDOM.tmp`.
fn writer_pid(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('.')?.split_once('-')?.0;
    digits.parse().ok().filter(|pid| *pid > 0)
}

#[cfg(unix)]
fn is_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists. EPERM: it
    // exists, as another user's.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    exists || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn is_alive(_pid: u32) -> bool {
    // No cheap check here: only the age rule applies.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_writer_pid() {
        assert_eq!(writer_pid(".123-aB3xYz.tmp"), Some(123));
        assert_eq!(writer_pid(".aB3xYz.tmp"), None);
        assert_eq!(writer_pid(".0-x.tmp"), None);
        assert_eq!(writer_pid(".-x.tmp"), None);
    }

    #[test]
    fn this_process_is_alive() {
        assert!(is_alive(std::process::id()));
    }
}
