//! Writing the config file. Adding `[profile NAME]` only ever appends, so comments, order,
//! nested sections and a symlinked file (dotfile managers) all survive untouched; the one
//! rewrite (`vault sso populate`'s block) replaces the file atomically, link and mode kept.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::ConfigFile;

/// Append an empty section for `name` unless the config already has it. Returns whether it
/// appended.
pub fn ensure_profile_section(config: &ConfigFile, name: &str) -> Result<bool> {
    ensure_profile_section_with(config, name, &[])
}

/// [`ensure_profile_section`] with `settings` (`region = ...`) in the new section; the caller
/// has checked the values hold no line break.
pub fn ensure_profile_section_with(
    config: &ConfigFile,
    name: &str,
    settings: &[(&str, String)],
) -> Result<bool> {
    if config.has_profile(name) {
        return Ok(false);
    }
    append_section(&config.path, name, settings)?;
    Ok(true)
}

/// The lock every writer of this config takes (`vault sso populate`, and `vault add` or
/// `import-credentials` appending a section): named after the file it really is (a symlinked
/// config and its target are one file; a missing one, after its real folder, as it will be
/// once created), so no writer's change is lost to another's.
pub fn config_lock_name(path: &Path) -> String {
    let real = std::fs::canonicalize(path)
        .ok()
        .or_else(|| {
            let dir = std::fs::canonicalize(path.parent()?).ok()?;
            Some(dir.join(path.file_name()?))
        })
        .unwrap_or_else(|| path.to_path_buf());
    format!("config:{}", real.display())
}

fn append_section(path: &Path, name: &str, settings: &[(&str, String)]) -> Result<()> {
    let _guard = crate::store::lock::acquire(&config_lock_name(path))?;
    let header = if name == "default" {
        "[default]".to_string()
    } else {
        format!("[profile {name}]")
    };
    let mut section = format!("{header}\n");
    for (key, value) in settings {
        section.push_str(&format!("{key} = {value}\n"));
    }
    // A missing file is created whole and private; if one appears meanwhile, it is appended to.
    if std::fs::metadata(path).is_err() {
        match create_private(path, &section) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            done => {
                return done
                    .with_context(|| format!("cannot create {} for {header}", path.display()));
            }
        }
    }
    let existing = std::fs::read(path).unwrap_or_default();
    let mut text = String::new();
    if !existing.is_empty() {
        if !existing.ends_with(b"\n") {
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(&section);
    // An existing file is the user's: appended to in place, so its mode, its inode and a
    // symlink to it (dotfile managers) stay as they are.
    let mut file = OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {} to add {header}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {header} to {}", path.display()))
}

/// Replace a config file's (or the credentials file's) whole text with `text` atomically:
/// readers see the old file or the new one, never half of it. The new text goes to a
/// temporary file beside the real one (a symlink is followed, so a dotfile manager's link stays
/// a link), with the old file's mode, then is renamed over it. A missing file is created as [`create_private`] does.
pub fn replace_contents(path: &Path, text: &str) -> Result<()> {
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return create_private(path, text)
                .with_context(|| format!("cannot create {}", path.display()));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot open {}", path.display())),
    };
    let dir = real.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&real)
        .with_context(|| format!("cannot read {}", real.display()))?
        .permissions();
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".config")
            .tempfile_in(dir)?;
        tmp.as_file().set_permissions(permissions)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&real).map(drop).map_err(|e| e.error)
    };
    write().with_context(|| format!("cannot write {}", real.display()))
}

/// A new config file holding `text`, 0600 in a folder created 0700 if missing, whatever the
/// umask (as the AWS CLI creates it: the config can name commands `credential_process` runs).
/// Written to a random temporary file (created with `O_EXCL`, so never through a planted
/// link), then linked into place without replacing anything: `AlreadyExists` if a file (or a
/// link) appeared there meanwhile. A folder that exists keeps its mode: it is the user's.
fn create_private(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".config")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_without_touching_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let original = "# my notes\n[profile b]\nregion = x\ns3 =\n  max_concurrent_requests = 20\n[default]\nregion=y";
        std::fs::write(&path, original).unwrap();
        let config = ConfigFile::load(&path).unwrap();
        assert!(ensure_profile_section(&config, "new").unwrap());
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(after, format!("{original}\n\n[profile new]\n"));
        let config = ConfigFile::load(&path).unwrap();
        assert!(!ensure_profile_section(&config, "new").unwrap());
        assert!(!ensure_profile_section(&config, "default").unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn replacing_keeps_the_mode_and_the_link_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/config");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_contents(&link, "new\n").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(
            std::fs::read_dir(real.parent().unwrap()).unwrap().count(),
            1
        );
        let missing = dir.path().join("new/config");
        replace_contents(&missing, "x\n").unwrap();
        assert_eq!(std::fs::read_to_string(&missing).unwrap(), "x\n");
    }

    #[test]
    fn creates_missing_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".aws/config");
        let config = ConfigFile::load(&path).unwrap();
        ensure_profile_section(&config, "default").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[default]\n");
    }

    #[cfg(unix)]
    #[test]
    fn created_private_whatever_the_umask_and_an_existing_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/.aws/config");
        let config = ConfigFile::load(&path).unwrap();
        let old = unsafe { libc::umask(0) };
        let result = ensure_profile_section(&config, "a");
        unsafe { libc::umask(old) };
        result.unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&dir.path().join("new")), 0o700);
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
        // The user's own file (here 0640 through a symlink) is appended to, mode and link kept.
        let real = dir.path().join("dotfiles-config");
        std::fs::write(&real, "[profile a]\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&real, &path).unwrap();
        let config = ConfigFile::load(&path).unwrap();
        assert!(ensure_profile_section(&config, "b").unwrap());
        assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert_eq!(mode(&real), 0o640);
        assert_eq!(
            std::fs::read_to_string(&real).unwrap(),
            "[profile a]\n\n[profile b]\n"
        );
    }
}
