//! `credential_process` as a credential source: run it (as a [`helper`](super::helper)) and
//! read the JSON shape the AWS SDKs define.

use std::time::Duration;

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
    let stdout = super::helper::run(command, TIMEOUT, &what)?;
    parse(&stdout).with_context(|| what.clone())
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
    Ok(Credentials::new(
        "its output",
        out.access_key_id,
        out.secret_access_key,
        out.session_token,
        out.expiration,
    )?)
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
    fn failing_process_is_reported() {
        let err = run("p", "exit 3").unwrap_err();
        assert!(format!("{err:#}").contains("failed"));
    }
}
