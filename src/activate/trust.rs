//! Which `.awsvault` files may activate: `vault allow` records the SHA-256 of the file's
//! canonical path and content; editing, moving or replacing the file no longer matches, and
//! `vault deny` blocks the path whatever its content.
//!
//! Records are tiny files under `$XDG_DATA_HOME/vault/trust/`, named by the hash of the path,
//! so the hook checks trust with one small read, never a database scan.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use super::dotfile::MAX_LEN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    Allowed,
    /// Never allowed.
    Unknown,
    /// Allowed once, edited since.
    Changed,
    Denied,
}

/// A `.awsvault` read for a decision: where it is (canonical folder + name) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub content: String,
}

impl ProjectFile {
    /// Read `path` safely: a regular file (not a symlink), at most MAX_LEN bytes, UTF-8. The
    /// folder is canonicalised so a project reached through a symlinked folder is one project.
    pub fn read(path: &Path) -> Result<ProjectFile> {
        let meta = std::fs::symlink_metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if meta.file_type().is_symlink() {
            bail!(
                "{} is a symlink; vault only reads regular files (copy the file instead)",
                path.display()
            );
        }
        if !meta.is_file() {
            bail!("{} is not a regular file", path.display());
        }
        if meta.len() > MAX_LEN {
            bail!("{} is larger than {MAX_LEN} bytes", path.display());
        }
        let folder = path
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .with_context(|| format!("cannot resolve the folder of {}", path.display()))?;
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let content = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?;
        Ok(ProjectFile {
            path: folder.join(super::dotfile::FILE_NAME),
            content,
        })
    }

    /// The content hash (with the path, so the same text elsewhere is a different file).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.path.as_os_str().as_encoded_bytes());
        h.update([0]);
        h.update(self.content.as_bytes());
        hex::encode(h.finalize())
    }

    fn path_key(&self) -> String {
        hex::encode(Sha256::digest(self.path.as_os_str().as_encoded_bytes()))
    }
}

/// The two record files for one project file.
pub struct Records {
    pub allow: PathBuf,
    pub deny: PathBuf,
}

/// The trust records folder.
pub struct TrustDb {
    dir: PathBuf,
}

impl TrustDb {
    pub fn open_default() -> Result<TrustDb> {
        let base = dirs::data_dir().context("cannot find the data folder (set XDG_DATA_HOME)")?;
        Ok(TrustDb {
            dir: base.join("vault").join("trust"),
        })
    }

    pub fn at(dir: PathBuf) -> TrustDb {
        TrustDb { dir }
    }

    /// Where the records judging `file` live (the shell glue watches them without a process).
    pub fn records(&self, file: &ProjectFile) -> Records {
        let key = file.path_key();
        Records {
            allow: self.dir.join("allow").join(&key),
            deny: self.dir.join("deny").join(&key),
        }
    }

    pub fn check(&self, file: &ProjectFile) -> Trust {
        let key = file.path_key();
        if self.dir.join("deny").join(&key).exists() {
            return Trust::Denied;
        }
        match std::fs::read_to_string(self.dir.join("allow").join(&key)) {
            Ok(recorded) if recorded.trim() == file.hash() => Trust::Allowed,
            Ok(_) => Trust::Changed,
            Err(_) => Trust::Unknown,
        }
    }

    pub fn allow(&self, file: &ProjectFile) -> Result<()> {
        let key = file.path_key();
        let _ = std::fs::remove_file(self.dir.join("deny").join(&key));
        self.write("allow", &key, &file.hash())
    }

    pub fn deny(&self, file: &ProjectFile) -> Result<()> {
        let key = file.path_key();
        let _ = std::fs::remove_file(self.dir.join("allow").join(&key));
        self.write("deny", &key, &file.path.display().to_string())
    }

    fn write(&self, kind: &str, key: &str, text: &str) -> Result<()> {
        let dir = self.dir.join(kind);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let tmp = dir.join(format!(".{key}.tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, dir.join(key))
            .with_context(|| format!("cannot write to {}", dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, TrustDb, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = TrustDb::at(dir.path().join("trust"));
        let project = dir.path().join("project");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(project.join(".awsvault"), "profile = \"x\"\n").unwrap();
        (dir, db, project)
    }

    #[test]
    fn allow_then_edit_then_deny() {
        let (_d, db, project) = setup();
        let file = ProjectFile::read(&project.join(".awsvault")).unwrap();
        assert_eq!(db.check(&file), Trust::Unknown);
        db.allow(&file).unwrap();
        assert_eq!(db.check(&file), Trust::Allowed);
        std::fs::write(project.join(".awsvault"), "profile = \"prod\"\n").unwrap();
        let edited = ProjectFile::read(&project.join(".awsvault")).unwrap();
        assert_eq!(db.check(&edited), Trust::Changed);
        db.allow(&edited).unwrap();
        db.deny(&edited).unwrap();
        assert_eq!(db.check(&edited), Trust::Denied);
        db.allow(&edited).unwrap();
        assert_eq!(db.check(&edited), Trust::Allowed, "allow lifts a deny");
    }

    #[test]
    fn moved_folder_is_a_new_file() {
        let (dir, db, project) = setup();
        db.allow(&ProjectFile::read(&project.join(".awsvault")).unwrap())
            .unwrap();
        let moved = dir.path().join("moved");
        std::fs::rename(&project, &moved).unwrap();
        let file = ProjectFile::read(&moved.join(".awsvault")).unwrap();
        assert_eq!(db.check(&file), Trust::Unknown);
    }

    #[test]
    fn symlinked_file_is_refused_but_symlinked_folder_is_the_same_project() {
        let (dir, db, project) = setup();
        let file = ProjectFile::read(&project.join(".awsvault")).unwrap();
        db.allow(&file).unwrap();
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::os::unix::fs::symlink(project.join(".awsvault"), other.join(".awsvault")).unwrap();
        assert!(
            ProjectFile::read(&other.join(".awsvault"))
                .unwrap_err()
                .to_string()
                .contains("symlink")
        );
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&project, &link).unwrap();
        let via_link = ProjectFile::read(&link.join(".awsvault")).unwrap();
        assert_eq!(db.check(&via_link), Trust::Allowed);
    }
}
