//! The watch record: what `hook-env` hands the shell glue so that the glue can tell, with
//! builtins only and no process, that nothing the binary decided on has changed.
//!
//! The binary is the only place that knows the rules (the nearest-file walk, the size cap, the
//! UTF-8 and symlink rules, trust). The glue knows none of them: it keeps the `$PWD` the
//! decision was made for, the time of the next check, and a list of `(path, observation)`
//! pairs, and at each prompt it observes every path again and compares. Any difference, a new
//! `$PWD`, a `$PWD` that no longer names the working directory, or the clock passing `next`
//! makes it run `hook-env`. An observation is something each shell computes with builtins; the
//! binary computes the same string for the calling shell ([`Style`]), so the first prompt after
//! a decision always matches. See docs/ARCHITECTURE.md, "The watch protocol".

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub mod fish;
pub mod nu;
pub mod posix;
pub mod pwsh;

/// How a shell observes a path. Each style is one small file: the binary's copy of exactly
/// what the glue computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// bash and zsh: file type, then up to 4096 bytes of a regular file (posix.rs).
    Posix,
    /// fish: file type, then up to 4096 bytes of a regular file as fish's C-locale `read`
    /// gives them, and whether more follows (fish.rs).
    Fish,
    /// nushell: file type, size and modification time, as `ls -D` shows them (nu.rs).
    Nu,
    /// PowerShell: file type, then the count and SHA-256 of up to 4096 bytes of a regular
    /// file (pwsh.rs).
    Pwsh,
}

/// What the glue keeps between prompts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    /// The `$PWD` the decision was made for ('' forces the next prompt to ask again).
    pub pwd: OsString,
    /// Unix time when renewal or a retry is due.
    pub next: i64,
    /// Every path the decision read, with how the calling shell observes it now.
    pub paths: Vec<(PathBuf, Vec<u8>)>,
    /// What the prompt segment shows, so `__vault_prompt` needs no process.
    pub prompt: Option<PromptInfo>,
}

/// The profile and expiry for the prompt segment (`will 42m`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptInfo {
    pub profile: String,
    /// Unix seconds; `None` for long-term keys.
    pub expires: Option<i64>,
}

impl Watch {
    /// A record the glue never matches: the next prompt asks the binary again.
    pub fn ask_again() -> Watch {
        Watch::default()
    }

    /// Record `path` as the calling shell observes it now.
    pub fn observe(&mut self, style: Style, path: &Path) {
        let seen = match style {
            Style::Posix => posix::observe(path),
            Style::Fish => fish::observe(path),
            Style::Nu => nu::observe(path, crate::clock::now_nanos),
            Style::Pwsh => pwsh::observe(path),
        };
        self.paths.push((path.to_path_buf(), seen));
    }
}

/// Observations of a path that is not a regular file, shared by every style. A path that
/// cannot be examined (a folder above it is not searchable) counts as missing, as it does for
/// the shells' `test -e` and for the nearest-file walk.
pub(crate) fn kind_of(path: &Path) -> Result<std::fs::Metadata, &'static [u8]> {
    match std::fs::symlink_metadata(path) {
        Err(_) => Err(b"-"),
        Ok(m) if m.file_type().is_symlink() => Err(b"l"),
        Ok(m) if m.is_dir() => Err(b"d"),
        Ok(m) if !m.is_file() => Err(b"o"),
        Ok(m) => Ok(m),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        assert_eq!(kind_of(&p.join("none")).unwrap_err(), b"-");
        assert_eq!(kind_of(p).unwrap_err(), b"d");
        std::os::unix::fs::symlink(p, p.join("link")).unwrap();
        assert_eq!(kind_of(&p.join("link")).unwrap_err(), b"l");
        let fifo = p.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(kind_of(&fifo).unwrap_err(), b"o");
        std::fs::write(p.join("f"), "x").unwrap();
        assert!(kind_of(&p.join("f")).is_ok());
    }
}
