//! `vault login` (not implemented yet).

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::LoginArgs;
use crate::store::SecretStore;

pub fn run(_store: &dyn SecretStore, _args: LoginArgs) -> Result<ExitCode> {
    bail!("not implemented yet")
}
