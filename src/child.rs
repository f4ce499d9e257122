//! The command `vault exec` runs: replacing vault with it, or running it as vault's child
//! while vault keeps working beside it (the credential server), with the signals forwarded and
//! its exit passed on as vault's own.

use std::process::{Command, ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::shell::EnvChanges;

/// How long the work beside the child (a renewal in flight: a slow STS, an MFA prompt) may
/// delay vault's exit once the child is gone.
const GRACE: Duration = Duration::from_secs(2);

/// Put `env` into the child's environment.
pub fn apply(command: &mut Command, env: &EnvChanges) {
    for name in &env.unset {
        command.env_remove(name);
    }
    for (name, value) in &env.set {
        command.env(name, value);
    }
}

/// Replace this process with the child, so signals and the exit code are the child's own.
#[cfg(unix)]
pub fn replace_with(mut command: Command, program: &str) -> Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let err = crate::hardening::for_child(&mut command).exec();
    Err(err).with_context(|| format!("cannot run '{program}'"))
}

#[cfg(windows)]
mod windows_console;

/// Windows cannot replace a process: vault runs the child and waits, leaving the console's
/// Ctrl-C and Ctrl-Break to it, then exits with its code.
#[cfg(not(unix))]
pub fn replace_with(mut command: Command, program: &str) -> Result<ExitCode> {
    #[cfg(windows)]
    windows_console::leave_interrupts_to_the_child();
    let status = command
        .status()
        .with_context(|| format!("cannot run '{program}'"))?;
    Ok(exit_code(status))
}

/// Run the child with `work` on a thread beside it until the child exits, forwarding SIGINT,
/// SIGQUIT, SIGTERM and SIGHUP to it meanwhile; then `stop` the work and pass on the child's exit. Work
/// that does not end within [`GRACE`] of `stop` is abandoned: vault exits with the child's
/// status at once.
pub fn supervise(
    mut command: Command,
    program: &str,
    work: impl FnOnce() + Send,
    stop: impl FnOnce(),
) -> Result<ExitCode> {
    #[cfg(unix)]
    signals::install();
    #[cfg(windows)]
    windows_console::leave_interrupts_to_the_child();
    let mut child = crate::hardening::for_child(&mut command)
        .spawn()
        .with_context(|| format!("cannot run '{program}'"))?;
    #[cfg(unix)]
    signals::set_child(child.id());
    let status = std::thread::scope(|scope| {
        let working = scope.spawn(work);
        let status = child.wait();
        #[cfg(unix)]
        signals::set_child(0);
        stop();
        let deadline = Instant::now() + GRACE;
        while !working.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !working.is_finished()
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

/// Forwarding SIGINT, SIGQUIT, SIGTERM and SIGHUP to the child while vault waits for it.
#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    static CHILD: AtomicI32 = AtomicI32::new(0);
    /// SIGQUIT too: Ctrl-\ must not end vault and leave the child without its credential
    /// server.
    const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP];

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
