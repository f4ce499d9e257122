//! `vault exec PROFILE -- CMD`: run CMD with the profile's temporary credentials.
//!
//! Plain mode puts the credentials in CMD's environment and replaces vault with CMD. Server
//! mode (`--server`) keeps vault alive as CMD's parent, serving credentials that it renews
//! from a local endpoint (see `creds/server.rs`).

use std::process::{Command, ExitCode};

use anyhow::{Result, bail};

use crate::activate::state;
use crate::child;
use crate::cli::{CredentialArgs, ExecArgs};
use crate::clock::SystemClock;
use crate::creds::env::{EXEC_UNSET, add_endpoint, base, changes};
use crate::creds::fetch::Fetched;
use crate::creds::server::{CredentialServer, child_changes};
use crate::shell::EnvChanges;
use crate::store::SecretStore;

#[cfg(windows)]
mod windows_shell;

pub fn run(store: &dyn SecretStore, mut args: ExecArgs) -> Result<ExitCode> {
    refuse_nesting()?;
    let Some(profile) =
        crate::pick::resolve(args.profile.take(), args.pick, "exec PROFILE -- CMD")?
    else {
        return Ok(crate::pick::cancelled());
    };
    let profile = profile.as_str();
    let fetched = crate::creds::fetch::credentials(store, profile, &args.creds)?;
    let (program, rest) = match args.command.split_first() {
        Some((program, rest)) => (program.clone(), rest.to_vec()),
        None => (
            default_shell(crate::settings::get().shell.as_deref()),
            vec![],
        ),
    };
    let mut command = Command::new(&program);
    command.args(&rest);
    // A shell started here must not undo these credentials with this shell's hook state.
    command.env_remove(state::VAR);
    if args.server {
        crate::pick::recent::record(profile);
        return serve_child(store, profile, &args, fetched, command, &program);
    }
    let mut env = if args.profile_env || crate::settings::get().profile_env {
        profile_env(profile, fetched.region.as_deref())
    } else {
        changes(
            profile,
            &fetched.credentials,
            fetched.region.as_deref(),
            EXEC_UNSET,
        )
    };
    add_endpoint(&mut env, fetched.endpoint_url.as_deref());
    child::apply(&mut command, &env);
    crate::debug!("running {program} as '{}'", profile);
    crate::pick::recent::record(profile);
    child::replace_with(command, &program)
}

/// The program `vault exec PROFILE` with no command starts: `$SHELL`, else `/bin/sh`.
#[cfg(not(windows))]
fn default_shell(shell: Option<&str>) -> String {
    shell.unwrap_or("/bin/sh").to_string()
}

/// On Windows, `%COMSPEC%` (cmd.exe), as aws-vault starts there. `$SHELL` only when it names a
/// program that exists: Git Bash and MSYS2 export a POSIX path such as `/usr/bin/bash`, which
/// Windows cannot start, and a shell that does not start is worse than cmd.exe.
#[cfg(windows)]
fn default_shell(shell: Option<&str>) -> String {
    if let Some(found) = shell.and_then(windows_shell::find) {
        return found.to_string_lossy().into_owned();
    }
    crate::settings::var("COMSPEC").unwrap_or_else(|| "cmd.exe".to_string())
}

/// Credentials the shell hook put here are ours to replace; anything else is a subshell of
/// `vault exec` or aws-vault, where nesting is refused as aws-vault does (for exec and export).
pub fn refuse_nesting() -> Result<()> {
    let hook_profile = crate::activate::session::read_state()
        .active
        .map(|a| a.profile);
    // AWS_VAULT is the shell's state (who set these credentials), not a setting.
    if let Some(active) = crate::settings::var("AWS_VAULT")
        && hook_profile.as_deref() != Some(active.as_str())
    {
        bail!(
            "already running with credentials for '{active}' (AWS_VAULT is set): exit that shell, or unset AWS_VAULT to nest on purpose"
        );
    }
    Ok(())
}

/// `--profile-env` (aws-vault's): the child finds its credentials through AWS_PROFILE, which
/// the credentials fetched above showed to work; none are put in its environment.
fn profile_env(profile: &str, region: Option<&str>) -> EnvChanges {
    let mut env = base(profile, region);
    env.set.push(("AWS_PROFILE".into(), profile.into()));
    env.unset = EXEC_UNSET
        .iter()
        .filter(|name| **name != "AWS_PROFILE")
        .map(|name| name.to_string())
        .collect();
    env
}

/// `--server`: run the child with the credential server's address instead of credentials,
/// answer it until it exits, and pass on its exit.
fn serve_child(
    store: &dyn SecretStore,
    profile: &str,
    args: &ExecArgs,
    fetched: Fetched,
    mut command: Command,
    program: &str,
) -> Result<ExitCode> {
    let Fetched {
        credentials,
        region,
        endpoint_url,
    } = fetched;
    if credentials.expiration.is_none() {
        bail!(
            "--server serves temporary credentials, but profile '{}' gave long-term keys (drop --no-session)",
            profile
        );
    }
    // Checked by the fetch above.
    let min_ttl = crate::settings::get().ttls.min_ttl;
    let server = CredentialServer::start()?;
    let mut env = child_changes(profile, region.as_deref(), &server.url(), server.token());
    add_endpoint(&mut env, endpoint_url.as_deref());
    child::apply(&mut command, &env);
    // Renewals ask for a new MFA code: the one given on the command line is spent.
    let renew_args = CredentialArgs {
        mfa_token: None,
        ..args.creds.clone()
    };
    crate::debug!(
        "running {program} as '{}' with credentials from {}",
        profile,
        server.url()
    );
    child::supervise(
        command,
        program,
        || {
            server.serve(credentials, min_ttl, &SystemClock, || {
                crate::creds::fetch::credentials(store, profile, &renew_args)
                    .map(|fetched| fetched.credentials)
            })
        },
        || server.stop(),
    )
}
