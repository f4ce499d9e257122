//! nushell and PowerShell: a regular file is observed by its stamp (size and modification time
//! in nanoseconds), which both read from their own `ls`/`FileInfo` without reading the file.
//!
//! A stamp misses an edit that keeps the size and lands in the same clock tick as the read the
//! decision was made from (git's "racy" problem). So a file modified less than [`RACY`] before
//! the binary looked is recorded as `?`, which no shell produces: the next prompt asks the
//! binary again, by which time the stamp is safe to trust.

use std::path::Path;

/// How recent a modification must be for its stamp not to be trusted yet.
pub const RACY: i128 = 2_000_000_000;

pub fn observe(path: &Path, now_nanos: i128) -> Vec<u8> {
    let meta = match super::kind_of(path) {
        Err(kind) => return kind.to_vec(),
        Ok(meta) => meta,
    };
    let Some(mtime) = mtime_nanos(&meta) else {
        return b"?".to_vec();
    };
    if now_nanos - mtime < RACY {
        return b"?".to_vec();
    }
    format!("f{}:{mtime}", meta.len()).into_bytes()
}

fn mtime_nanos(meta: &std::fs::Metadata) -> Option<i128> {
    let modified = meta.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since.as_nanos() as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_file_is_not_trusted_then_is() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "abc").unwrap();
        let meta = std::fs::metadata(&f).unwrap();
        let mtime = mtime_nanos(&meta).unwrap();
        assert_eq!(observe(&f, mtime + 1), b"?");
        assert_eq!(
            observe(&f, mtime + RACY),
            format!("f3:{mtime}").into_bytes()
        );
        assert_eq!(observe(&dir.path().join("none"), mtime), b"-");
    }
}
