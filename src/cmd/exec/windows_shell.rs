//! Whether `$SHELL` names a program Windows can start: an existing file (with or without one of
//! `%PATHEXT%`'s extensions), by its path or found on `PATH`, the way cmd.exe looks a program
//! up. The file found is what runs: Rust's own lookup tries `.exe` alone, not `%PATHEXT%`.

use std::path::{Path, PathBuf};

/// The file `program` (a path, or a bare name looked up on `PATH`) names, if it exists.
pub fn find(program: &str) -> Option<PathBuf> {
    let extensions = extensions();
    let found = |candidate: &Path| {
        if candidate.is_file() {
            return Some(candidate.to_path_buf());
        }
        extensions.iter().find_map(|ext| {
            let mut with = candidate.as_os_str().to_owned();
            with.push(ext);
            Some(PathBuf::from(with)).filter(|path| path.is_file())
        })
    };
    let path = Path::new(program);
    // A name with a folder part (`C:\Program Files\PowerShell\7\pwsh.exe`, `/usr/bin/bash`) is
    // looked up only there; `/usr/bin/bash` is then a path on the current drive, not found.
    if path.components().count() > 1 || path.is_absolute() || path.has_root() {
        return found(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .filter(|dir| dir.is_absolute())
        .find_map(|dir| found(&dir.join(path)))
}

/// `%PATHEXT%`'s extensions (`.COM;.EXE;.BAT;.CMD` when unset).
fn extensions() -> Vec<String> {
    let list = crate::settings::var("PATHEXT").unwrap_or_else(|| ".COM;.EXE;.BAT;.CMD".into());
    list.split(';')
        .filter(|ext| ext.starts_with('.'))
        .map(str::to_string)
        .collect()
}
