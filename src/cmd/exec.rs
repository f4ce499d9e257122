//! `vault exec PROFILE -- CMD`: run CMD with the profile's temporary credentials.
//!
//! Plain mode puts the credentials in CMD's environment and replaces vault with CMD. Server
//! mode (`--server`) keeps vault alive as CMD's parent, serving credentials that it renews
//! from a local endpoint (see `creds/server.rs`).

use std::process::{Command, ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cli::{CredentialArgs, ExecArgs};
use crate::creds::env::{EXEC_UNSET, changes};
use crate::creds::fetch::Fetched;
use crate::creds::server::{CredentialServer, child_changes};
use crate::settings::Ttls;
use crate::shell::EnvChanges;
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: ExecArgs) -> Result<ExitCode> {
    // Credentials the shell hook put here are ours to replace; anything else is a subshell of
    // `vault exec` or aws-vault, where nesting is refused as aws-vault does.
    let hook_profile = crate::activate::session::read_state()
        .active
        .map(|a| a.profile);
    if let Some(active) = crate::settings::var("AWS_VAULT")
        && hook_profile.as_deref() != Some(active.as_str())
    {
        bail!(
            "already running with credentials for '{active}' (AWS_VAULT is set): exit that shell, or unset AWS_VAULT to nest on purpose"
        );
    }
    let fetched = crate::creds::fetch::credentials(store, &args.profile, &args.creds)?;
    let (program, rest) = match args.command.split_first() {
        Some((program, rest)) => (program.clone(), rest.to_vec()),
        None => (
            crate::settings::var("SHELL").unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        ),
    };
    let mut command = Command::new(&program);
    command.args(&rest);
    // A shell started here must not undo these credentials with this shell's hook state.
    command.env_remove(crate::activate::state::VAR);
    if args.server {
        return serve_child(store, &args, fetched, command, &program);
    }
    let env = changes(
        &args.profile,
        &fetched.credentials,
        fetched.region.as_deref(),
        EXEC_UNSET,
    );
    apply(&mut command, &env);
    crate::debug!("running {program} as '{}'", args.profile);
    run_child(command, &program)
}

fn apply(command: &mut Command, env: &EnvChanges) {
    for name in &env.unset {
        command.env_remove(name);
    }
    for (name, value) in &env.set {
        command.env(name, value);
    }
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
    Ok(exit_code(status))
}

/// How long a renewal in flight (a slow STS, an MFA prompt) may delay vault's exit once the
/// child is gone.
const SERVER_GRACE: Duration = Duration::from_secs(2);

/// `--server`: run the child with the credential server's address instead of credentials,
/// answer it until it exits, and pass on its exit.
fn serve_child(
    store: &dyn SecretStore,
    args: &ExecArgs,
    fetched: Fetched,
    mut command: Command,
    program: &str,
) -> Result<ExitCode> {
    let Fetched {
        credentials,
        region,
    } = fetched;
    if credentials.expiration.is_none() {
        bail!(
            "--server serves temporary credentials, but profile '{}' gave long-term keys (drop --no-session)",
            args.profile
        );
    }
    let min_ttl = Ttls::from_env()?.min_ttl;
    let server = CredentialServer::start()?;
    let env = child_changes(
        &args.profile,
        region.as_deref(),
        &server.url(),
        server.token(),
    );
    apply(&mut command, &env);
    // Renewals ask for a new MFA code: the one given on the command line is spent.
    let renew_args = CredentialArgs {
        mfa_token: None,
        ..args.creds.clone()
    };
    #[cfg(unix)]
    signals::install();
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot run '{program}'"))?;
    #[cfg(unix)]
    signals::set_child(child.id());
    crate::debug!(
        "running {program} as '{}' with credentials from {}",
        args.profile,
        server.url()
    );
    let status = std::thread::scope(|scope| {
        let serving = scope.spawn(|| {
            server.serve(credentials, min_ttl, || {
                crate::creds::fetch::credentials(store, &args.profile, &renew_args)
                    .map(|fetched| fetched.credentials)
            })
        });
        let status = child.wait();
        #[cfg(unix)]
        signals::set_child(0);
        server.stop();
        let deadline = Instant::now() + SERVER_GRACE;
        while !serving.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !serving.is_finished()
            && let Ok(status) = &status
        {
            crate::debug!("a credential renewal is still running; exiting without it");
            std::process::exit(i32::from(exit_number(*status)));
        }
        status
    });
    let status = status.with_context(|| format!("cannot wait for '{program}'"))?;
    Ok(exit_code(status))
}

/// The child's exit as vault's: its code, or for a signal, death by the same signal where
/// that is harmless, else the shell's 128 + signal.
fn exit_code(status: ExitStatus) -> ExitCode {
    ExitCode::from(exit_number(status))
}

fn exit_number(status: ExitStatus) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            signals::die_by(signal);
            return (128 + signal).clamp(0, 255) as u8;
        }
    }
    status.code().unwrap_or(1).clamp(0, 255) as u8
}

/// Forwarding SIGINT, SIGTERM and SIGHUP to the child while vault waits for it.
#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    static CHILD: AtomicI32 = AtomicI32::new(0);
    const FORWARDED: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    extern "C" fn forward(
        signal: libc::c_int,
        info: *mut libc::siginfo_t,
        _context: *mut libc::c_void,
    ) {
        // No sending process means the kernel sent it: the terminal's Ctrl-C or hang-up,
        // which already reached the whole foreground process group, child included. Sending
        // it again would deliver it twice (terraform takes two interrupts as "stop now").
        // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
        if !info.is_null() && unsafe { (*info).si_pid() } == 0 {
            return;
        }
        let pid = CHILD.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill is async-signal-safe.
            unsafe {
                libc::kill(pid, signal);
            }
        }
    }

    /// Catch the forwarded signals, so they no longer end vault (and orphan the child).
    pub fn install() {
        let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) = forward;
        for signal in FORWARDED {
            // SAFETY: a zeroed sigaction is valid; the handler only touches an atomic and
            // calls kill.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as libc::sighandler_t;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }

    pub fn set_child(pid: u32) {
        CHILD.store(i32::try_from(pid).unwrap_or(0), Ordering::SeqCst);
    }

    /// End vault by `signal` when the child died of a signal that only ends a process (no
    /// core dump), so vault's parent sees what the child's would have. Returns otherwise.
    pub fn die_by(signal: libc::c_int) {
        let plain = [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGPIPE,
            libc::SIGKILL,
        ];
        if plain.contains(&signal) {
            // SAFETY: restoring the default action and raising a signal are plain libc calls.
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
            }
        }
    }
}
