//! nushell: a regular file is observed by `ls -D <path>`: `f<size>:<modified>`, the size in
//! bytes and the modification time in nanoseconds since the epoch (negative before it), both
//! as nushell's `into int` prints them.
//!
//! Why not the file's bytes, as bash and zsh compare: nushell has no builtin that reads a
//! bounded prefix. `open --raw f | first 4097` reads through an 8 KiB buffer (one read() of
//! 8192 bytes, seen with strace), which breaks the "never more than 4097 bytes" rule. And why
//! not the inode too: nushell shows it only with `ls -l`, which also looks up the owner and
//! group (reading all of /etc/passwd and /etc/group, or asking LDAP, at every prompt). `ls -D`
//! is one lstat(): it never opens the file, so a 50 MB file costs what a small one does.
//!
//! A stamp misses an edit that keeps the size and lands in the same clock tick as the
//! observation (git's "racy" problem): the kernel stamps files from a clock that moves once per
//! tick (1 to 10 ms), and some filesystems keep whole seconds only (FAT: 2 s). So a file
//! modified less than [`TICK`] before the binary looked is looked at again once that tick has
//! surely passed: the binary waits the rest of it (at most [`TICK`], and only right after a
//! write). Any later write then gets a later time. A file whose time has no fraction of a
//! second (a coarse filesystem, most likely) and is less than [`COARSE`] old, or a time in the
//! future, is recorded as `?`, which nushell never produces: the next prompt asks the binary
//! again, until the stamp can be trusted. Waiting instead of `?` for the common case keeps the
//! prompts right after `vault allow` or an edit free of processes.
//!
//! An edit that keeps the size and puts the old modification time back on purpose goes unseen
//! by the glue until the binary runs next (a folder change, a renewal): the glue never
//! activates anything by itself, so what it can miss is only a revocation, and only until then.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Two kernel ticks at 100 Hz: files written this long ago can no longer share a time with a
/// write to come.
pub const TICK: i128 = 20_000_000;
/// The same for filesystems that keep whole seconds (FAT: two).
pub const COARSE: i128 = 2_000_000_000;

/// How nushell observes `path` now; `now` is the clock in Unix nanoseconds.
pub fn observe(path: &Path, now: impl Fn() -> i128) -> Vec<u8> {
    match observe_at(path, now()) {
        Seen::Wait(left) => {
            std::thread::sleep(Duration::from_nanos(left as u64));
            match observe_at(path, now()) {
                Seen::Now(seen) => seen,
                Seen::Wait(_) => b"?".to_vec(),
            }
        }
        Seen::Now(seen) => seen,
    }
}

enum Seen {
    Now(Vec<u8>),
    /// Too recent by this many nanoseconds (less than TICK).
    Wait(i128),
}

fn observe_at(path: &Path, now: i128) -> Seen {
    let meta = match super::kind_of(path) {
        Err(kind) => return Seen::Now(kind.to_vec()),
        Ok(meta) => meta,
    };
    let Some(mtime) = meta.modified().ok().map(nanos) else {
        return Seen::Now(b"?".to_vec());
    };
    let age = now - mtime;
    let window = if mtime % 1_000_000_000 == 0 {
        COARSE
    } else {
        TICK
    };
    if age >= window {
        Seen::Now(format!("f{}:{mtime}", meta.len()).into_bytes())
    } else if window == TICK && age >= 0 {
        Seen::Wait(TICK - age)
    } else {
        Seen::Now(b"?".to_vec())
    }
}

/// Nanoseconds since the epoch, as nushell's `$entry.modified | into int` gives them.
fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(path: &Path, now: i128) -> Vec<u8> {
        match observe_at(path, now) {
            Seen::Now(seen) => seen,
            Seen::Wait(left) => format!("wait {left}").into_bytes(),
        }
    }

    #[test]
    fn a_fresh_file_is_looked_at_again_after_a_tick() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "abc").unwrap();
        let mtime = nanos(std::fs::metadata(&f).unwrap().modified().unwrap());
        let stamp = format!("f3:{mtime}").into_bytes();
        if mtime % 1_000_000_000 != 0 {
            assert_eq!(
                seen(&f, mtime + 5),
                format!("wait {}", TICK - 5).into_bytes()
            );
            assert_eq!(seen(&f, mtime + TICK), stamp);
        }
        assert_eq!(seen(&f, mtime - 1), b"?", "modified in the future");
        assert_eq!(seen(&f, mtime + COARSE), stamp);
        // observe() waits out the tick by itself, with the real clock.
        assert_eq!(observe(&f, crate::clock::now_nanos), stamp);
        assert_eq!(seen(&dir.path().join("none"), mtime), b"-");
        assert_eq!(seen(dir.path(), mtime), b"d");
    }

    #[test]
    fn whole_seconds_wait_for_the_coarse_window() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "abcd").unwrap();
        let whole = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        std::fs::File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(whole)
            .unwrap();
        let mtime = 1_800_000_000 * 1_000_000_000;
        assert_eq!(seen(&f, mtime + TICK), b"?");
        assert_eq!(seen(&f, mtime + COARSE), format!("f4:{mtime}").into_bytes());
    }

    #[test]
    fn before_the_epoch_is_negative() {
        let t = UNIX_EPOCH - Duration::from_millis(315_619_199_500);
        assert_eq!(nanos(t), -315_619_199_500_000_000);
        assert_eq!(nanos(UNIX_EPOCH + Duration::from_nanos(7)), 7);
    }
}
