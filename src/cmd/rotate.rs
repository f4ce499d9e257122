//! `vault rotate` (not implemented yet).

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::RotateArgs;
use crate::store::SecretStore;

pub fn run(_store: &dyn SecretStore, _args: RotateArgs) -> Result<ExitCode> {
    bail!("not implemented yet")
}
