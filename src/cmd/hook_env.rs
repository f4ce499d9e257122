//! `vault hook-env SHELL`: run by the glue when its watch record no longer matches. It never
//! breaks the prompt: on any error it prints one line on stderr and no change.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::HookEnvArgs;
use crate::store::Backend;

/// How long a prompt waits for another vault process fetching the same session: no longer
/// than one STS call may take.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

pub fn run(backend: Option<Backend>, args: HookEnvArgs) -> Result<ExitCode> {
    crate::store::lock::limit_waits(LOCK_WAIT);
    match crate::activate::hook::statements(backend, args.shell.into(), args.force) {
        Ok(text) => std::io::stdout().write_all(&text)?,
        Err(err) => crate::term::say(&format!("{err:#}")),
    }
    Ok(ExitCode::SUCCESS)
}
