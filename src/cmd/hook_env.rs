//! `vault hook-env SHELL`: run by the glue when its watch record no longer matches. It never
//! breaks the prompt: on any error it prints one line on stderr and no change.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::HookEnvArgs;
use crate::store::Backend;

pub fn run(backend: Option<Backend>, args: HookEnvArgs) -> Result<ExitCode> {
    // A malformed setting is one line, and the prompt goes on with the others as set (its
    // default in its place): one typo must not break every prompt or reset another setting.
    let settings = crate::settings::get();
    settings.report_problems();
    // A prompt waits for another process's session lock at most VAULT_LOCK_WAIT.
    crate::store::lock::limit_waits(settings.lock_wait);
    match crate::activate::hook::statements(backend, args.shell.into(), args.force) {
        Ok(text) => std::io::stdout().write_all(&text)?,
        Err(err) => crate::term::say(&format!("{err:#}")),
    }
    Ok(ExitCode::SUCCESS)
}
