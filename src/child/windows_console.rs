//! Ctrl-C and Ctrl-Break in a Windows console reach every process attached to it: the child,
//! which decides what they mean (stop, clean up, ask), and vault, which by default would die of
//! them at once, giving the shell its prompt back while the child still runs and losing the
//! child's exit code. While vault waits for a child, its own handler claims them, so vault
//! keeps waiting and exits with the child's code: what forwarding the signal does on Unix.
//!
//! A handler routine is this process's alone. `SetConsoleCtrlHandler(NULL, TRUE)`, the other
//! way to ignore Ctrl-C, is inherited, and would make the child ignore it too.

use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT, SetConsoleCtrlHandler};
use windows_sys::core::BOOL;

/// Claims Ctrl-C and Ctrl-Break; the console closing, logoff and shutdown go on to the
/// default handler (Windows ends the process after them anyway).
unsafe extern "system" fn claim_interrupts(event: u32) -> BOOL {
    BOOL::from(event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
}

/// From now on Ctrl-C and Ctrl-Break do not end vault (the child still gets them).
pub fn leave_interrupts_to_the_child() {
    // SAFETY: the routine is a plain function that lives as long as the process and only
    // compares its argument; adding it has no other effect.
    let added = unsafe { SetConsoleCtrlHandler(Some(claim_interrupts), 1) };
    if added == 0 {
        crate::debug!(
            "cannot install the Ctrl-C handler: {}",
            std::io::Error::last_os_error()
        );
    }
}
