//! `vault lock`: forget the file store's remembered unlock (see `store::file::unlock_cache`).
//!
//! It acts on the file store in VAULT_FILE_DIR whatever `--backend` says: the other stores
//! are locked and unlocked by the OS, and a user who switched stores still wants the old
//! store's key gone.

use std::process::ExitCode;

use anyhow::Result;

use crate::store::file::{self, FileStore};

pub fn run() -> Result<ExitCode> {
    let settings = &crate::settings::get().store;
    let dir = file::default_dir_in(settings)?;
    if !dir.is_dir() {
        crate::note!("There is no file store in {}.", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let store = FileStore::open_in(dir, settings)?;
    if store.lock()? {
        crate::note!("Locked the file store in {}.", store.dir().display());
    } else {
        crate::note!(
            "The file store in {} was not unlocked.",
            store.dir().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
