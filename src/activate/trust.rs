//! Which `.awsvault` files may activate: `vault allow` records the SHA-256 of the file's
//! canonical path and content; editing, moving or replacing the file no longer matches, and
//! `vault deny` blocks the path whatever its content.
//!
//! Records are tiny files under `$XDG_DATA_HOME/vault/trust/`, named by the hash of the path,
//! so the hook checks trust with one small read, never a database scan.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use std::io::Read;

use super::dotfile::MAX_LEN;
use super::watch::posix::{BLOCK, open_regular, read_head};

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
    /// Read `path` safely: a regular file (not a symlink), under MAX_LEN + 1 bytes, UTF-8,
    /// no NUL. The file is opened without following links and without blocking (a FIFO swapped
    /// in after a check cannot hang the prompt), and what is opened is what is checked and
    /// read, at most MAX_LEN + 1 bytes. The folder is canonicalised so a project reached
    /// through a symlinked folder is one project.
    pub fn read(path: &Path) -> Result<ProjectFile> {
        let shown = crate::term::escape(&path.display().to_string()).into_owned();
        let meta =
            std::fs::symlink_metadata(path).with_context(|| format!("cannot read {shown}"))?;
        if meta.file_type().is_symlink() {
            bail!("{shown} is a symlink; vault only reads regular files (copy the file instead)");
        }
        let file = open_regular(path).map_err(|e| {
            if is_link_refused(&e) {
                anyhow::anyhow!(
                    "{shown} is a symlink; vault only reads regular files (copy the file instead)"
                )
            } else {
                anyhow::Error::new(e).context(format!("cannot read {shown}"))
            }
        })?;
        let opened = file
            .metadata()
            .with_context(|| format!("cannot read {shown}"))?;
        if !opened.is_file() {
            bail!("{shown} is not a regular file");
        }
        if opened.len() > MAX_LEN {
            bail!("{shown} is larger than {MAX_LEN} bytes");
        }
        let mut bytes = Vec::new();
        file.take(MAX_LEN + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {shown}"))?;
        if bytes.len() as u64 > MAX_LEN {
            bail!("{shown} is larger than {MAX_LEN} bytes");
        }
        if bytes.contains(&0) {
            bail!("{shown} contains a NUL byte; it is not a text file");
        }
        let folder = path
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .with_context(|| format!("cannot resolve the folder of {shown}"))?;
        let content =
            String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{shown} is not UTF-8 text"))?;
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

    /// The verdict, read as the glue observes the records: any entry at the deny path denies
    /// (a link is not followed), and the allow record is read without following links, one
    /// block at most.
    pub fn check(&self, file: &ProjectFile) -> Trust {
        let records = self.records(file);
        if std::fs::symlink_metadata(&records.deny).is_ok() {
            return Trust::Denied;
        }
        let Ok(recorded) = read_head(&records.allow, BLOCK) else {
            return match std::fs::symlink_metadata(&records.allow) {
                Ok(_) => Trust::Changed,
                Err(_) => Trust::Unknown,
            };
        };
        if String::from_utf8_lossy(&recorded).trim() == file.hash() {
            Trust::Allowed
        } else {
            Trust::Changed
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

    /// Write a record atomically: a random, exclusively created temporary file in the same
    /// folder (so two `vault allow` never share one, and a planted link is never followed),
    /// then a rename. Folders are 0700 and records 0600 whatever the umask.
    fn write(&self, kind: &str, key: &str, text: &str) -> Result<()> {
        let dir = self.dir.join(kind);
        create_private_dir(&dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".record")
            .tempfile_in(&dir)
            .with_context(|| format!("cannot write to {}", dir.display()))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())
            .with_context(|| format!("cannot write to {}", dir.display()))?;
        tmp.persist(dir.join(key))
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write to {}", dir.display()))?;
        Ok(())
    }
}

/// The error `O_NOFOLLOW` gives when the file became a symlink after it was checked.
#[cfg(unix)]
fn is_link_refused(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_link_refused(_: &std::io::Error) -> bool {
    false
}

/// `dir` and its missing parents, private to the user (0700) whatever the umask.
fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot protect {}", dir.display()))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
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
    fn fifos_devices_nul_bytes_and_large_files_are_refused_without_blocking() {
        let (dir, _db, project) = setup();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Opened as the hook opens a checked file: O_NONBLOCK returns at once, fstat refuses.
        let opened = open_regular(&fifo).unwrap();
        assert!(!opened.metadata().unwrap().is_file());
        let err = ProjectFile::read(&fifo).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let err = ProjectFile::read(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
        // A link swapped in after the check is not followed.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(is_link_refused(&open_regular(&link).unwrap_err()));
        let file = project.join(".awsvault");
        std::fs::write(&file, "profile = \"x\"\0\n").unwrap();
        let err = ProjectFile::read(&file).unwrap_err().to_string();
        assert!(err.contains("NUL"), "{err}");
        std::fs::write(&file, vec![b'#'; MAX_LEN as usize + 1]).unwrap();
        let err = ProjectFile::read(&file).unwrap_err().to_string();
        assert!(err.contains("larger than 4095"), "{err}");
        std::fs::write(&file, vec![b'#'; MAX_LEN as usize]).unwrap();
        assert!(ProjectFile::read(&file).is_ok());
    }

    #[test]
    fn records_are_private_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, db, project) = setup();
        let old = unsafe { libc::umask(0) };
        let file = ProjectFile::read(&project.join(".awsvault")).unwrap();
        let result = db.allow(&file);
        unsafe { libc::umask(old) };
        result.unwrap();
        let records = db.records(&file);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&records.allow), 0o600);
        assert_eq!(mode(records.allow.parent().unwrap()), 0o700);
        assert_eq!(db.check(&file), Trust::Allowed);
    }

    #[test]
    fn a_linked_deny_record_denies_and_a_linked_allow_record_does_not_allow() {
        let (dir, db, project) = setup();
        let file = ProjectFile::read(&project.join(".awsvault")).unwrap();
        db.allow(&file).unwrap();
        let records = db.records(&file);
        let copy = dir.path().join("copy");
        std::fs::rename(&records.allow, &copy).unwrap();
        std::os::unix::fs::symlink(&copy, &records.allow).unwrap();
        assert_eq!(db.check(&file), Trust::Changed, "a link is not followed");
        std::fs::create_dir_all(records.deny.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &records.deny).unwrap();
        assert_eq!(db.check(&file), Trust::Denied, "any entry there denies");
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
