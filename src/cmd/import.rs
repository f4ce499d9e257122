//! `vault import` (not implemented yet).

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::ImportArgs;
use crate::store::SecretStore;

pub fn run(_store: &dyn SecretStore, _args: ImportArgs) -> Result<ExitCode> {
    bail!("not implemented yet")
}
