//! `vault exec PROFILE -- CMD`: run CMD with the profile's temporary credentials.

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

use crate::cli::ExecArgs;
use crate::creds::env::{EXEC_UNSET, changes};
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: ExecArgs) -> Result<ExitCode> {
    // Credentials the shell hook put here are ours to replace; anything else is a subshell of
    // `vault exec` or aws-vault, where nesting is refused as aws-vault does.
    let hook_profile = super::session::read_state().active.map(|a| a.profile);
    if let Some(active) = crate::settings::var("AWS_VAULT")
        && hook_profile.as_deref() != Some(active.as_str())
    {
        bail!(
            "already running with credentials for '{active}' (AWS_VAULT is set): exit that shell, or unset AWS_VAULT to nest on purpose"
        );
    }
    let fetched = super::fetch::credentials(store, &args.profile, &args.creds)?;
    let env = changes(
        &args.profile,
        &fetched.credentials,
        fetched.region.as_deref(),
        EXEC_UNSET,
    );
    let (program, rest) = match args.command.split_first() {
        Some((program, rest)) => (program.clone(), rest.to_vec()),
        None => (
            crate::settings::var("SHELL").unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        ),
    };
    let mut command = Command::new(&program);
    command.args(&rest);
    for name in &env.unset {
        command.env_remove(name);
    }
    // A shell started here must not undo these credentials with this shell's hook state.
    command.env_remove(crate::activate::state::VAR);
    for (name, value) in &env.set {
        command.env(name, value);
    }
    crate::debug!("running {program} as '{}'", args.profile);
    run_child(command, &program)
}

/// Replace this process with the child, so signals and the exit code are the child's own.
#[cfg(unix)]
fn run_child(mut command: Command, program: &str) -> Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let err = command.exec();
    Err(err).with_context(|| format!("cannot run '{program}'"))
}

#[cfg(not(unix))]
fn run_child(mut command: Command, program: &str) -> Result<ExitCode> {
    let status = command
        .status()
        .with_context(|| format!("cannot run '{program}'"))?;
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}
