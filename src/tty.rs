//! Talking to the user on the terminal (/dev/tty), so prompts work even when stdout is a pipe
//! (`eval "$(vault export ...)"`) and stdin belongs to the child.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};

use anyhow::{Result, bail};

/// Ask a question on the terminal and return the trimmed answer (shown as typed).
pub fn ask(prompt: &str) -> Result<String> {
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| anyhow::anyhow!("no terminal"))?;
    tty.write_all(prompt.as_bytes())?;
    tty.flush()?;
    // Byte by byte with plain `read`, not `read_line`: std retries a read that Ctrl-C
    // interrupted (EINTR), which would make the prompt impossible to cancel.
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match tty.read(&mut byte) {
            Ok(0) if line.is_empty() => bail!("no answer (end of input)"),
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {
                let _ = tty.write_all(b"\n");
                bail!("cancelled (Ctrl-C)");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(String::from_utf8_lossy(&line).trim().to_string())
}

/// Ask for a secret on the terminal without echoing it.
pub fn ask_secret(prompt: &str) -> Result<zeroize::Zeroizing<String>> {
    let answer = rpassword::prompt_password(prompt).map_err(|_| anyhow::anyhow!("no terminal"))?;
    Ok(zeroize::Zeroizing::new(answer.trim().to_string()))
}

/// A yes/no question; anything but y/yes is no.
pub fn confirm(prompt: &str) -> Result<bool> {
    let answer = ask(prompt)?;
    Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Let Ctrl-C interrupt a terminal prompt (the read fails with EINTR) instead of killing the
/// process, so the hook can record "cancelled" and not ask again at every prompt.
#[cfg(unix)]
pub fn make_prompts_interruptible() {
    extern "C" fn on_interrupt(_: libc::c_int) {}
    // SAFETY: installing a handler that does nothing is async-signal-safe; without SA_RESTART a
    // blocked read returns EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as *const () as usize;
        action.sa_flags = 0;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

#[cfg(not(unix))]
pub fn make_prompts_interruptible() {}
