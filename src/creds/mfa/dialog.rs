//! What the dialog drivers (zenity, kdialog, osascript) share: finding the program and running
//! it with the answer on its stdout.

use std::path::PathBuf;
use std::process::Command;

use super::prompt::{ANSWER_LIMIT, Failure};
use crate::creds::helper;

/// The program `name` on PATH, or why it cannot be used.
pub(super) fn find(name: &str) -> Result<PathBuf, String> {
    which::which(name).map_err(|_| "not found on PATH".to_string())
}

/// On a Linux or BSD desktop a dialog needs a display; without one (an ssh session) it cannot
/// open, and saying so lets the next driver in the list be tried instead of reading the
/// program's failure as a Cancel.
pub(super) fn no_display() -> Option<String> {
    if cfg!(any(target_os = "macos", windows)) {
        return None;
    }
    // The platform's facts, not settings (see `Settings`).
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    (!set("DISPLAY") && !set("WAYLAND_DISPLAY"))
        .then(|| "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)".to_string())
}

/// Run the dialog `name` with `args` and read the code it prints. Its exit status 1 is the
/// person's Cancel (zenity, kdialog and osascript all use it for that).
pub(super) fn run(name: &str, args: &[&str]) -> Result<String, Failure> {
    let program = find(name).map_err(|e| Failure::Broken(anyhow::anyhow!("{name}: {e}")))?;
    let mut command = Command::new(program);
    command.args(args);
    let what = format!("the {name} dialog");
    match helper::run_program(command, ANSWER_LIMIT, &what) {
        Ok(stdout) => Ok(String::from_utf8_lossy(&stdout).trim().to_string()),
        Err(err) => match err.downcast_ref::<helper::Failed>() {
            Some(failed) if failed.status.code() == Some(1) => {
                Err(Failure::Cancelled(format!("cancelled in {what}")))
            }
            _ => Err(Failure::Broken(err)),
        },
    }
}
