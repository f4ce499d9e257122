//! The working directory the hook decides for.
//!
//! `$PWD` keeps symlinked folders as the user typed them, which trust and the prompt want; but
//! it is only a string. If someone renames the folder the shell is in and leaves a symlink to
//! another project in its place, `$PWD` names that other project while every command still
//! runs in the renamed folder. So `$PWD` is used only while it names the same device and inode
//! as `.`; otherwise the kernel's answer (`getcwd`) is. The glue makes the same check
//! (`[[ $PWD -ef . ]]`) before it trusts its fast path.

use std::path::{Path, PathBuf};

/// The directory to decide for, given `$PWD` as the shell exported it.
pub fn resolve(pwd: Option<&Path>) -> Option<PathBuf> {
    if let Some(pwd) = pwd.filter(|p| p.is_absolute())
        && same_file(pwd, Path::new("."))
    {
        return Some(pwd.to_path_buf());
    }
    std::env::current_dir().ok()
}

/// The hook's working directory: `$PWD` when it is the real one, else `getcwd()`, else `/`.
pub fn current() -> PathBuf {
    // The shell's state, not a setting.
    let pwd = std::env::var_os("PWD").map(PathBuf::from);
    resolve(pwd.as_deref()).unwrap_or_else(|| PathBuf::from("/"))
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Windows has no `$PWD` that outlives its folder this way; PowerShell's glue passes the
/// folder it starts vault in.
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn pwd_is_used_only_while_it_is_the_working_directory() {
        let dir = tempfile::tempdir().unwrap();
        let here = std::env::current_dir().unwrap();
        // A symlink to the working directory is the working directory, as typed.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&here, &link).unwrap();
        assert_eq!(resolve(Some(&link)), Some(link.clone()));
        // Another folder is not.
        assert_eq!(resolve(Some(dir.path())), Some(here.clone()));
        assert_eq!(resolve(Some(Path::new("relative"))), Some(here.clone()));
        assert_eq!(resolve(None), Some(here));
    }
}
