//! Prompts where there is no termios (Windows): rpassword hides the input.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};

use zeroize::Zeroizing;

use super::PromptError;

pub(super) fn read_line(prompt: &str, hidden: bool) -> Result<Zeroizing<Vec<u8>>, PromptError> {
    if hidden {
        let answer = rpassword::prompt_password(prompt).map_err(|_| PromptError::NoTerminal)?;
        return Ok(Zeroizing::new(answer.into_bytes()));
    }
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| PromptError::NoTerminal)?;
    tty.write_all(prompt.as_bytes())?;
    tty.flush()?;
    let mut line = Zeroizing::new(Vec::new());
    let mut byte = [0u8; 1];
    loop {
        match tty.read(&mut byte) {
            Ok(0) if line.is_empty() => return Err(PromptError::EndOfInput),
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {
                let _ = tty.write_all(b"\n");
                return Err(PromptError::Cancelled);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(line)
}

pub(super) fn make_prompts_interruptible() {}
