//! Which `.awsvault` files may activate: `vault allow` records a keyed MAC (HMAC-SHA256 with
//! the per-user key of `trust_key.rs`) of the file's canonical path, its content and what the
//! user confirmed (`no_session`); editing, moving or replacing the file no longer matches, a
//! record written by anyone without the key never does, and `vault deny` blocks the path
//! whatever its content (a deny needs no key: a forged one only denies).
//!
//! Records are tiny files under `$XDG_DATA_HOME/vault/trust/`, named by the hash of the path,
//! so the hook checks trust with one small read (and one of the key), never a database scan.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

use std::io::Read;

use super::dotfile::MAX_LEN;
use super::watch::posix::{BLOCK, open_regular, read_head};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    Allowed,
    /// Never allowed.
    Unknown,
    /// Allowed once, edited since (or a record that does not verify).
    Changed,
    /// Allowed by an older vault, whose records were an unkeyed hash anyone could write.
    Outdated,
    /// The file asks for `no_session` and the record was made without confirming it.
    Unconfirmed,
    Denied,
}

/// What `vault allow` confirmed beyond reading the file, bound into the record's MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grants {
    /// Long-term keys in the shell (`no_session = true`).
    pub no_session: bool,
}

impl Grants {
    fn word(self) -> &'static str {
        if self.no_session { "no_session" } else { "-" }
    }

    fn from_word(word: &str) -> Option<Grants> {
        match word {
            "-" => Some(Grants { no_session: false }),
            "no_session" => Some(Grants { no_session: true }),
            _ => None,
        }
    }
}

/// The first word of a current allow record (older records were a bare SHA-256 in hex).
const RECORD_VERSION: &str = "vault-allow-2";

type HmacSha256 = hmac::Hmac<Sha256>;

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

    /// The MAC an allow record holds: path, grants and content, each framed so no two
    /// different triples feed the MAC the same bytes.
    fn mac(&self, key: &super::trust_key::Key, grants: Grants) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(key.as_ref()).expect("HMAC takes any key length");
        mac.update(RECORD_VERSION.as_bytes());
        mac.update(&[0]);
        let path = self.path.as_os_str().as_encoded_bytes();
        mac.update(&(path.len() as u64).to_be_bytes());
        mac.update(path);
        mac.update(grants.word().as_bytes());
        mac.update(&[0]);
        mac.update(self.content.as_bytes());
        mac
    }

    /// Whether the file asks for something an allowance must confirm.
    fn needs(&self) -> Grants {
        Grants {
            no_session: super::dotfile::parse(&self.content).is_ok_and(|r| r.no_session),
        }
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
        let recorded = String::from_utf8_lossy(&recorded);
        let mut words = recorded.split_ascii_whitespace();
        let (Some(RECORD_VERSION), Some(grants), Some(tag), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            let legacy = recorded.trim();
            return if legacy.len() == 64 && legacy.bytes().all(|b| b.is_ascii_hexdigit()) {
                Trust::Outdated
            } else {
                Trust::Changed
            };
        };
        let (Some(grants), Ok(tag)) = (Grants::from_word(grants), hex::decode(tag)) else {
            return Trust::Changed;
        };
        // No usable key (missing, or planted by someone else): no record verifies.
        let Ok(key) = super::trust_key::read(&self.dir) else {
            return Trust::Changed;
        };
        // verify_slice compares in constant time.
        if file.mac(&key, grants).verify_slice(&tag).is_err() {
            return Trust::Changed;
        }
        if file.needs().no_session && !grants.no_session {
            return Trust::Unconfirmed;
        }
        Trust::Allowed
    }

    /// Record that `file` may activate, with what the user confirmed (`vault allow` asks for
    /// the confirmations the file needs before calling this).
    pub fn allow(&self, file: &ProjectFile, grants: Grants) -> Result<()> {
        let key = file.path_key();
        let _ = std::fs::remove_file(self.dir.join("deny").join(&key));
        create_private_dir(&self.dir)?;
        let secret = super::trust_key::read_or_create(&self.dir)?;
        let tag = hex::encode(file.mac(&secret, grants).finalize().into_bytes());
        self.write(
            "allow",
            &key,
            &format!("{RECORD_VERSION} {} {tag}\n", grants.word()),
        )
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
        create_private_dir(&self.dir)?;
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
pub(super) fn is_link_refused(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
pub(super) fn is_link_refused(_: &std::io::Error) -> bool {
    false
}

/// `dir` and its missing parents, private to the user (0700) whatever the umask. An existing
/// `dir` is vault's own folder: one an older vault left open under umask 000 is closed again.
fn create_private_dir(dir: &Path) -> Result<()> {
    crate::store::file::create_private_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
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
        db.allow(&file, Grants::default()).unwrap();
        assert_eq!(db.check(&file), Trust::Allowed);
        std::fs::write(project.join(".awsvault"), "profile = \"prod\"\n").unwrap();
        let edited = ProjectFile::read(&project.join(".awsvault")).unwrap();
        assert_eq!(db.check(&edited), Trust::Changed);
        db.allow(&edited, Grants::default()).unwrap();
        db.deny(&edited).unwrap();
        assert_eq!(db.check(&edited), Trust::Denied);
        db.allow(&edited, Grants::default()).unwrap();
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
        let result = db.allow(&file, Grants::default());
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
        db.allow(&file, Grants::default()).unwrap();
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
    fn a_record_without_the_key_never_verifies() {
        let (_d, db, project) = setup();
        let file = ProjectFile::read(&project.join(".awsvault")).unwrap();
        db.allow(&file, Grants::default()).unwrap();
        let records = db.records(&file);
        let good = std::fs::read_to_string(&records.allow).unwrap();
        assert!(good.starts_with("vault-allow-2 - "), "{good}");
        // What an older vault wrote (and anyone could compute): no longer an allowance.
        std::fs::write(&records.allow, file.hash()).unwrap();
        assert_eq!(db.check(&file), Trust::Outdated);
        // A MAC under another key (a forger's), or a record claiming more than was confirmed.
        let forged_key = zeroize::Zeroizing::new([9u8; super::super::trust_key::LEN]);
        let forged = hex::encode(
            file.mac(&forged_key, Grants::default())
                .finalize()
                .into_bytes(),
        );
        for text in [
            format!("vault-allow-2 - {forged}\n"),
            good.replace(" - ", " no_session "),
            good.replace("vault-allow-2 - ", "vault-allow-2 - 00"),
            format!("{good} extra"),
            String::new(),
        ] {
            std::fs::write(&records.allow, &text).unwrap();
            assert_eq!(db.check(&file), Trust::Changed, "{text}");
        }
        std::fs::write(&records.allow, &good).unwrap();
        assert_eq!(db.check(&file), Trust::Allowed);
        // The key gone (or replaced): nothing verifies any more.
        let key = super::super::trust_key::path(&db.dir);
        std::fs::remove_file(&key).unwrap();
        assert_eq!(db.check(&file), Trust::Changed);
    }

    #[test]
    fn no_session_is_allowed_only_as_confirmed() {
        let (_d, db, project) = setup();
        std::fs::write(
            project.join(".awsvault"),
            "profile = \"x\"\nno_session = true\n",
        )
        .unwrap();
        let file = ProjectFile::read(&project.join(".awsvault")).unwrap();
        db.allow(&file, Grants::default()).unwrap();
        assert_eq!(db.check(&file), Trust::Unconfirmed);
        db.allow(&file, Grants { no_session: true }).unwrap();
        assert_eq!(db.check(&file), Trust::Allowed);
    }

    #[test]
    fn moved_folder_is_a_new_file() {
        let (dir, db, project) = setup();
        db.allow(
            &ProjectFile::read(&project.join(".awsvault")).unwrap(),
            Grants::default(),
        )
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
        db.allow(&file, Grants::default()).unwrap();
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
