//! The `terminal` driver: the code typed at the controlling terminal (/dev/tty).

use super::prompt::{Failure, message};
use crate::tty::PromptError;

pub(super) fn unavailable() -> Option<String> {
    (!crate::tty::has_terminal()).then(|| "no terminal".to_string())
}

pub(super) fn ask(serial: &str) -> Result<String, Failure> {
    match crate::tty::read_line(&message(serial)) {
        Ok(code) => Ok(code),
        Err(PromptError::Cancelled) => Err(Failure::Cancelled("cancelled (Ctrl-C)".to_string())),
        Err(PromptError::EndOfInput) => {
            Err(Failure::Cancelled("no answer (end of input)".to_string()))
        }
        Err(err) => Err(Failure::Broken(err.into())),
    }
}
