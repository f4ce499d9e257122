//! Running a helper the config names (`credential_process`, `mfa_process`): with `/bin/sh -c`
//! (on Windows `cmd.exe /C`, as the AWS SDKs and aws-vault do), within a time limit, reading at
//! most [`OUTPUT_LIMIT`] bytes of its output, and refusing to nest vault through helpers more
//! than [`MAX_DEPTH`] deep.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The most a helper may print. credential_process JSON is a few KB (a session token is at most
/// about 2 KB), an MFA code a few digits: 1 MiB is hundreds of times what a real helper prints,
/// and small enough that a runaway one (`yes`, a `cat` of the wrong file) costs vault nothing.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// How many vault processes started by helpers may be nested: a profile whose
/// credential_process is `vault export` of another profile is one level, and that profile's own
/// helper calling vault again a second. Four leaves room for any real setup and stops a profile
/// whose helper runs vault for itself after four processes, not at the process limit.
pub const MAX_DEPTH: u32 = 4;

/// The environment marker counting that nesting: a helper's environment holds vault's own
/// depth plus one. Only helpers raise it: `vault exec a -- vault exec b -- cmd` stays at 0.
pub const DEPTH_VAR: &str = "__VAULT_PROCESS_DEPTH";

/// The nesting depth of this vault: the marker set by the helper that started it, else 0. A
/// value that is not a number counts as the limit (only vault writes it; refusing is safe).
fn depth() -> u32 {
    match std::env::var_os(DEPTH_VAR) {
        None => 0,
        Some(value) => value
            .to_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(MAX_DEPTH),
    }
}

/// What reading a helper's stdout gave.
enum Output {
    Complete(Vec<u8>),
    /// More than [`OUTPUT_LIMIT`] bytes: reading stopped there.
    TooLong,
}

/// Run `command` with `/bin/sh -c` (Windows: `cmd.exe /C`), stdin closed, stderr to ours, and
/// return its stdout. It must succeed within `timeout`, so a stuck helper never hangs vault (or
/// a prompt), and print at most [`OUTPUT_LIMIT`] bytes. A helper that nests vault [`MAX_DEPTH`] deep is not run.
pub fn run(command: &str, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    run_with(
        shell(command),
        timeout,
        what,
        Stdio::null(),
        Stdio::inherit(),
    )
}

/// A helper that ran and exited unsuccessfully, as an error callers can look for
/// (`downcast_ref`): a dialog's exit status 1 is the user's Cancel.
#[derive(Debug, thiserror::Error)]
#[error("{what} failed ({status})")]
pub struct Failed {
    pub what: String,
    pub status: std::process::ExitStatus,
}

/// The `/bin/sh -c COMMAND` a config's helper runs as. The shell by absolute path: looked up
/// through `PATH`, an empty entry (or `.`) in it would run a repository's own `./sh` from the
/// current folder.
#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut sh = Command::new("/bin/sh");
    sh.arg("-c").arg(command);
    sh
}

/// Windows has no `/bin/sh`: helpers run in `cmd.exe /C`, as the AWS SDKs and aws-vault run
/// them there, so a config written for them works unchanged. cmd.exe is named by its absolute
/// path under `%SystemRoot%` for the same reason as `/bin/sh` above. It does not split its
/// command line the way Rust quotes an argument (`"` would become `\"`), so the command goes
/// in verbatim as `/S /C "command"`: with `/S`, cmd.exe strips exactly the first and the last
/// quote and runs what is between, whatever quotes the command holds itself (a helper's path
/// with spaces, in quotes, followed by quoted arguments).
#[cfg(windows)]
fn shell(command: &str) -> Command {
    use std::os::windows::process::CommandExt;
    let root = std::env::var_os("SystemRoot")
        .map(std::path::PathBuf::from)
        .filter(|root| root.is_absolute())
        .unwrap_or_else(|| std::path::PathBuf::from(r"C:\Windows"));
    let mut cmd = Command::new(root.join("System32").join("cmd.exe"));
    cmd.raw_arg(format!("/S /C \"{command}\""));
    cmd
}

/// [`run`] for a helper that may talk to a person (`mfa_process`: "touch your YubiKey", an OATH
/// password): its stdin and stderr are the controlling terminal when vault has one, so it is
/// seen and answered even when vault's own stderr is captured (the AWS CLI captures a
/// credential_process's). Without a terminal: stdin closed and stderr ours, as [`run`].
pub fn run_on_terminal(command: &str, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    run_program_on_terminal(shell(command), timeout, what)
}

/// [`run_on_terminal`] for a program vault names itself with its arguments (an MFA prompt
/// driver such as `ykman`), run directly: its arguments hold the profile's MFA serial, which is
/// never made shell text.
pub fn run_program_on_terminal(program: Command, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    let (stdin, stderr) = match terminal() {
        Some((input, output)) => (Stdio::from(input), Stdio::from(output)),
        None => (Stdio::null(), Stdio::inherit()),
    };
    run_with(program, timeout, what, stdin, stderr)
}

/// [`run`] for a program vault names itself (a dialog such as `zenity`): stdin closed, stderr
/// ours, the same time limit, output cap and nesting limit.
pub fn run_program(program: Command, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    run_with(program, timeout, what, Stdio::null(), Stdio::inherit())
}

/// The controlling terminal, opened once for reading and once for writing.
#[cfg(unix)]
fn terminal() -> Option<(std::fs::File, std::fs::File)> {
    let open = |read: bool| {
        std::fs::OpenOptions::new()
            .read(read)
            .write(!read)
            .open("/dev/tty")
            .ok()
    };
    Some((open(true)?, open(false)?))
}

/// The console, as aws-vault opens it for `mfa_process` (`CONIN$`, `CONOUT$`); none when vault
/// runs without one (a service, a CI job).
#[cfg(windows)]
fn terminal() -> Option<(std::fs::File, std::fs::File)> {
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .to_owned()
    };
    let input = open().open("CONIN$").ok()?;
    let output = open().open("CONOUT$").ok()?;
    Some((input, output))
}

#[cfg(not(any(unix, windows)))]
fn terminal() -> Option<(std::fs::File, std::fs::File)> {
    None
}

fn run_with(
    mut command: Command,
    timeout: Duration,
    what: &str,
    stdin: Stdio,
    stderr: Stdio,
) -> Result<Vec<u8>> {
    let depth = depth();
    if depth >= MAX_DEPTH {
        bail!(
            "{what} not run: {depth} vault processes started by credential_process or \
             mfa_process are nested here, the most allowed (does the helper run vault for a \
             profile that leads back to this one?)"
        );
    }
    let mut child = crate::hardening::for_child(&mut command)
        .env(DEPTH_VAR, (depth + 1).to_string())
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("cannot run {what}"))?;
    let stdout = child.stdout.take().expect("piped");
    // Read on a thread so the deadline holds even when the process never closes stdout (a
    // background job of the helper keeps it open after the helper exits).
    let (sender, output) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut capped = stdout.take(OUTPUT_LIMIT as u64 + 1);
        let result = capped.read_to_end(&mut buf).map(|_| {
            if buf.len() > OUTPUT_LIMIT {
                Output::TooLong
            } else {
                Output::Complete(buf)
            }
        });
        // Dropping the pipe here makes a helper still writing get EPIPE instead of blocking.
        drop(capped);
        let _ = sender.send(result);
    });
    let deadline = Instant::now() + timeout;
    let mut stdout = None;
    let mut status = None;
    let stop = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
    };
    loop {
        if stdout.is_none() {
            match output.recv_timeout(Duration::from_millis(10)) {
                Ok(Ok(Output::Complete(buf))) => stdout = Some(buf),
                Ok(Ok(Output::TooLong)) => {
                    stop(&mut child);
                    bail!("the output of {what} exceeded {OUTPUT_LIMIT} bytes (vault stopped it)");
                }
                Ok(Err(e)) => {
                    stop(&mut child);
                    return Err(e).with_context(|| format!("cannot read the output of {what}"));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    stop(&mut child);
                    bail!("reading the output of {what} failed");
                }
            }
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
        if status.is_none() {
            status = child.try_wait()?;
        }
        match (&mut stdout, status) {
            // A failure needs no output (a background job of it may hold stdout open).
            (_, Some(status)) if !status.success() => {
                return Err(Failed {
                    what: what.to_string(),
                    status,
                }
                .into());
            }
            (Some(stdout), Some(_)) => return Ok(std::mem::take(stdout)),
            _ => {}
        }
        if Instant::now() > deadline {
            stop(&mut child);
            bail!("{what} did not finish within {}s", timeout.as_secs());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(30);

    #[test]
    fn endless_output_is_cut_at_the_limit_and_the_helper_stopped() {
        // `yes` never ends: the call returns only because reading stops and the child is killed.
        for command in ["yes", "head -c 1048577 /dev/zero"] {
            let msg = format!("{:#}", run(command, LIMIT, "the helper").unwrap_err());
            assert_eq!(
                msg, "the output of the helper exceeded 1048576 bytes (vault stopped it)",
                "{command}"
            );
        }
        let exactly = run("head -c 1048576 /dev/zero", LIMIT, "the helper").unwrap();
        assert_eq!(exactly.len(), OUTPUT_LIMIT);
    }

    #[test]
    fn the_helper_is_told_its_depth() {
        let out = run("echo $__VAULT_PROCESS_DEPTH", LIMIT, "the helper").unwrap();
        assert_eq!(out, b"1\n");
    }
}
