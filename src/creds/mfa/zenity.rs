//! The `zenity` driver: a GTK entry dialog (GNOME and most Linux desktops).

use super::dialog;
use super::prompt::{Failure, message};

pub(super) fn unavailable() -> Option<String> {
    dialog::find("zenity").err().or_else(dialog::no_display)
}

/// aws-vault's invocation, with vault's title.
pub(super) fn ask(serial: &str) -> Result<String, Failure> {
    let text = message(serial);
    dialog::run("zenity", &["--entry", "--title", "vault", "--text", &text])
}
