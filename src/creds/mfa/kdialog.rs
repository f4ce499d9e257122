//! The `kdialog` driver: KDE's input box.

use super::dialog;
use super::prompt::{Failure, message};

pub(super) fn unavailable() -> Option<String> {
    dialog::find("kdialog").err().or_else(dialog::no_display)
}

/// aws-vault's invocation, with vault's title.
pub(super) fn ask(serial: &str) -> Result<String, Failure> {
    let text = message(serial);
    dialog::run("kdialog", &["--inputbox", &text, "--title", "vault"])
}
