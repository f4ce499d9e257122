//! `vault hook-env SHELL`: run by the glue when its watch record no longer matches. It never
//! breaks the prompt: on any error it prints one line on stderr and no change.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::HookEnvArgs;
use crate::store::Backend;

pub fn run(backend: Option<Backend>, args: HookEnvArgs) -> Result<ExitCode> {
    // A prompt waits for another process's session lock at most VAULT_LOCK_WAIT (a bad value
    // is reported by the credential fetch).
    let wait = crate::settings::lock_wait().unwrap_or(crate::settings::DEFAULT_LOCK_WAIT);
    crate::store::lock::limit_waits(wait);
    match crate::activate::hook::statements(backend, args.shell.into(), args.force) {
        Ok(text) => std::io::stdout().write_all(&text)?,
        Err(err) => crate::term::say(&format!("{err:#}")),
    }
    Ok(ExitCode::SUCCESS)
}
