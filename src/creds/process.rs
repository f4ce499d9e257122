//! `credential_process` as a credential source: run it (bounded in time) and read the JSON
//! shape the AWS SDKs define.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Credentials;

const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: u32,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: Option<DateTime<Utc>>,
}

/// Run `command` for `profile` and parse what it prints.
pub fn run(profile: &str, command: &str) -> Result<Credentials> {
    let what = format!("credential_process of profile '{profile}'");
    let stdout = run_shell(command, TIMEOUT, &what)?;
    parse(&stdout).with_context(|| what.clone())
}

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

/// The shell a helper runs in, by absolute path: looked up through `PATH`, an empty entry (or
/// `.`) in it would run a repository's own `./sh` from the current folder. Windows has no
/// `/bin/sh`; there `sh` comes from `PATH` (Git for Windows, MSYS2), as before.
#[cfg(unix)]
const SHELL: &str = "/bin/sh";
#[cfg(not(unix))]
const SHELL: &str = "sh";

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

/// Run `command` with `/bin/sh -c`, stdin closed, stderr to ours, and return its stdout. It must
/// succeed within `timeout`, so a stuck helper never hangs vault (or a prompt), and print at most
/// [`OUTPUT_LIMIT`] bytes. A helper that nests vault [`MAX_DEPTH`] deep is not run.
pub fn run_shell(command: &str, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    let depth = depth();
    if depth >= MAX_DEPTH {
        bail!(
            "{what} not run: {depth} vault processes started by credential_process or \
             mfa_process are nested here, the most allowed (does the helper run vault for a \
             profile that leads back to this one?)"
        );
    }
    let mut child = crate::hardening::for_child(&mut Command::new(SHELL))
        .arg("-c")
        .arg(command)
        .env(DEPTH_VAR, (depth + 1).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
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
            (_, Some(status)) if !status.success() => bail!("{what} failed ({status})"),
            (Some(stdout), Some(_)) => return Ok(std::mem::take(stdout)),
            _ => {}
        }
        if Instant::now() > deadline {
            stop(&mut child);
            bail!("{what} did not finish within {}s", timeout.as_secs());
        }
    }
}

fn parse(stdout: &[u8]) -> Result<Credentials> {
    if stdout.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "printed nothing (it must print the credential_process JSON shape: Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration)"
        );
    }
    // The error never quotes the output: it holds secrets. serde's "missing field `X`" names
    // only a field, so that one is shown.
    let out: ProcessOutput = serde_json::from_slice(stdout).map_err(|e| {
        let text = e.to_string();
        let missing = text
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(field, _)| format!("missing field {field}"));
        anyhow!(
            "output is not the credential_process JSON shape (Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration): {} at line {}",
            match (missing, e.classify()) {
                (Some(missing), _) => missing,
                (None, serde_json::error::Category::Data) => "mistyped field".into(),
                (None, serde_json::error::Category::Eof) => "truncated".into(),
                _ => "not JSON".into(),
            },
            e.line()
        )
    })?;
    if out.version != 1 {
        bail!("output has Version {}, only 1 is known", out.version);
    }
    if out.access_key_id.is_empty() || out.secret_access_key.is_empty() {
        bail!("output has an empty AccessKeyId or SecretAccessKey");
    }
    Ok(Credentials {
        access_key_id: out.access_key_id,
        secret_access_key: out.secret_access_key,
        session_token: out.session_token.filter(|t| !t.is_empty()),
        expiration: out.expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sdk_shape() {
        let c = run(
            "p",
            r#"echo '{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}'"#,
        )
        .unwrap();
        assert_eq!(c.access_key_id, "AK");
        assert_eq!(c.session_token.as_deref(), Some("T"));
        assert!(c.expiration.is_some());
    }

    #[test]
    fn bad_shape_is_a_clear_error_without_the_output() {
        let err = run(
            "p",
            r#"echo '{"Version":1,"AccessKeyId":"AK","Secret":"hunter2"}'"#,
        )
        .unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("credential_process of profile 'p'"), "{msg}");
        assert!(
            msg.contains("JSON shape") && !msg.contains("hunter2"),
            "{msg}"
        );
        assert!(msg.contains("missing field SecretAccessKey"), "{msg}");
    }

    #[test]
    fn other_bad_outputs_are_named_without_quoting_them() {
        let cases = [
            ("echo", "printed nothing"),
            ("echo not-json-hunter2", "not JSON"),
            (
                r#"printf '{"Version":1,"AccessKeyId":"hunter2'"#,
                "truncated",
            ),
            (
                r#"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"hunter2"}'"#,
                "mistyped field",
            ),
        ];
        for (command, needle) in cases {
            let msg = format!("{:#}", run("p", command).unwrap_err());
            assert!(msg.contains(needle), "{command}: {msg}");
            assert!(!msg.contains("hunter2") && !msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn endless_output_is_cut_at_the_limit_and_the_process_stopped() {
        // `yes` never ends: the call returns only because reading stops and the child is killed.
        for command in ["yes", "head -c 1048577 /dev/zero"] {
            let msg = format!("{:#}", run("p", command).unwrap_err());
            assert!(
                msg.contains("credential_process of profile 'p'")
                    && msg.contains("exceeded 1048576 bytes"),
                "{command}: {msg}"
            );
        }
        // Exactly the limit is still read (and then refused as not JSON).
        let msg = format!("{:#}", run("p", "head -c 1048576 /dev/zero").unwrap_err());
        assert!(msg.contains("not JSON"), "{msg}");
    }

    #[test]
    fn failing_process_is_reported() {
        let err = run("p", "exit 3").unwrap_err();
        assert!(format!("{err:#}").contains("failed"));
    }
}
