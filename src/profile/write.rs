//! Adding `[profile NAME]` to the config file. We only ever append, so comments, order,
//! nested sections and a symlinked file (dotfile managers) all survive untouched.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::ConfigFile;

/// Append an empty section for `name` unless the config already has it. Returns whether it
/// appended.
pub fn ensure_profile_section(config: &ConfigFile, name: &str) -> Result<bool> {
    if config.has_profile(name) {
        return Ok(false);
    }
    append_section(&config.path, name)?;
    Ok(true)
}

fn append_section(path: &Path, name: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let existing = std::fs::read(path).unwrap_or_default();
    let header = if name == "default" {
        "[default]".to_string()
    } else {
        format!("[profile {name}]")
    };
    let mut text = String::new();
    if !existing.is_empty() {
        if !existing.ends_with(b"\n") {
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(&header);
    text.push('\n');
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {} to add {header}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {header} to {}", path.display()))
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

    #[test]
    fn creates_missing_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".aws/config");
        let config = ConfigFile::load(&path).unwrap();
        ensure_profile_section(&config, "default").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[default]\n");
    }
}
