//! No secret in a core dump: at start-up vault makes itself non-dumpable and sets its own
//! core-file limit to 0, as ssh-agent and gpg-agent do. A core of vault at the MFA prompt (a
//! Ctrl-\ away) would hold the long-term secret, the passphrase and the file store's key.
//!
//! Children get the user's own limit back (`for_child`): only vault gives up core dumps. The
//! dumpable flag needs no restoring, since execve sets it again for the new program.

use std::process::Command;
#[cfg(unix)]
use std::sync::OnceLock;

/// The core-file limit vault started with, for its children.
#[cfg(unix)]
static USER_CORE_LIMIT: OnceLock<libc::rlimit> = OnceLock::new();

/// Called first thing in `main`.
pub fn no_core_dumps() {
    #[cfg(unix)]
    // SAFETY: plain system calls on this process with valid pointers.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_CORE, &mut limit) == 0 {
            let _ = USER_CORE_LIMIT.set(limit);
            // The soft limit only: the hard one stays, so children can have theirs back.
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: limit.rlim_max,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
        }
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Give a child the core-file limit the user had (vault's own is 0).
pub fn for_child(command: &mut Command) -> &mut Command {
    #[cfg(unix)]
    if let Some(limit) = USER_CORE_LIMIT.get().copied() {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe, as a pre_exec hook requires.
        unsafe {
            command.pre_exec(move || {
                libc::setrlimit(libc::RLIMIT_CORE, &limit);
                Ok(())
            });
        }
    }
    command
}
