//! Talking to the user on the terminal (/dev/tty), so prompts work even when stdout is a pipe
//! (`eval "$(vault export ...)"`) and stdin belongs to the child.

use anyhow::Result;
use zeroize::Zeroizing;

#[cfg(not(unix))]
mod other;
#[cfg(unix)]
mod unix;

#[cfg(not(unix))]
use other as platform;
#[cfg(unix)]
use unix as platform;

/// Why a prompt got no answer. Never holds what was typed.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("no terminal")]
    NoTerminal,
    #[error("no answer (end of input)")]
    EndOfInput,
    #[error("cancelled (Ctrl-C)")]
    Cancelled,
    /// A signal other than SIGINT that vault survived (something catches it).
    #[error("interrupted by signal {0}")]
    Signal(i32),
    #[error("cannot read the terminal: {0}")]
    Io(#[from] std::io::Error),
}

/// Ask a question on the terminal and return the trimmed answer (shown as typed).
pub fn ask(prompt: &str) -> Result<String> {
    Ok(read_line(prompt)?)
}

/// [`ask`] with the typed error, for callers that tell a cancel from a missing terminal.
pub fn read_line(prompt: &str) -> Result<String, PromptError> {
    let line = platform::read_line(prompt, false)?;
    Ok(String::from_utf8_lossy(&line).trim().to_string())
}

/// Whether there is a terminal to ask on: whether the controlling terminal opens.
pub fn has_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Say something to the person at the terminal (an explanation before a prompt); false when
/// there is no terminal to say it on.
pub fn tell(text: &str) -> bool {
    use std::io::Write;
    let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") else {
        return false;
    };
    tty.write_all(text.as_bytes())
        .and_then(|()| tty.flush())
        .is_ok()
}

/// Ask for a secret on the terminal without echoing it.
pub fn ask_secret(prompt: &str) -> Result<Zeroizing<String>> {
    Ok(read_secret(prompt)?)
}

/// [`ask_secret`] with the typed error, for callers that keep their own error types.
pub fn read_secret(prompt: &str) -> Result<Zeroizing<String>, PromptError> {
    let line = platform::read_line(prompt, true)?;
    let text = std::str::from_utf8(&line).map_err(|_| {
        PromptError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the answer is not UTF-8",
        ))
    })?;
    Ok(Zeroizing::new(text.trim().to_string()))
}

/// A yes/no question; anything but y/yes is no.
pub fn confirm(prompt: &str) -> Result<bool> {
    let answer = ask(prompt)?;
    Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Let Ctrl-C interrupt a terminal prompt (the prompt fails with [`PromptError::Cancelled`])
/// instead of ending the process, so the hook can record "cancelled" and not ask again at
/// every prompt.
pub fn make_prompts_interruptible() {
    platform::make_prompts_interruptible();
}
