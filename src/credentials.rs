//! A set of AWS credentials: a leaf module (nothing of the store, the profile or the SDK), so
//! every layer can hold credentials without depending on the others.
//!
//! Every set is made by [`Credentials::new`] (or read back through serde, which calls it), so
//! each value was checked once, where it came in: `credential_process`, STS, IAM Identity
//! Center, a store, `vault add`. Outputs (`export --format env|ini`, `exec`'s environment, the
//! credential server) can then rely on values being one line of printable ASCII.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A set of AWS credentials. `Debug` never shows the secret parts.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<DateTime<Utc>>,
    /// Private, so a struct literal outside this module does not compile: [`Credentials::new`]
    /// is the only way in.
    #[serde(skip)]
    checked: Checked,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Checked;

/// Which value of a set was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Field::AccessKeyId => "an access key id",
            Field::SecretAccessKey => "a secret access key",
            Field::SessionToken => "a session token",
        })
    }
}

/// A value that is not what AWS issues. Names where it came from and which field, never the
/// value (it may be a secret, and it may hold the very bytes that would forge output).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{from} has {field} {problem} (refused; the value is not shown)")]
pub struct InvalidCredentials {
    pub from: String,
    pub field: Field,
    problem: &'static str,
}

/// IAM's own limit for an access key id (`[\w]+`, at most 128).
const MAX_KEY_ID: usize = 128;

/// Why `id` is not an access key id, if it is not. IAM documents `[\w]+` of 16 to 128
/// characters; real ones are `AKIA`/`ASIA` and 16 more capitals and digits. The lower bound is
/// not enforced: emulators (LocalStack's `test`) use short ids, and length is not what makes a
/// value dangerous.
fn key_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("that is empty")
    } else if id.len() > MAX_KEY_ID {
        Some("longer than 128 characters")
    } else if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Some("with a character other than A-Z, a-z, 0-9 and _")
    } else {
        None
    }
}

/// Why `value` is not a secret or a token, if it is not. AWS issues them as base64 (`+`, `/`,
/// `=`); anything printable without a space is accepted, which already rules out every line
/// break, control character and non-ASCII byte that could forge a line of `export` output.
fn secret_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("that is empty")
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        Some("with a space, a control or a non-ASCII character")
    } else {
        None
    }
}

impl Credentials {
    /// A checked set; `from` says where it came from, for the error ("the output",
    /// "STS's answer", "the keys stored for profile 'p'"). An empty session token is no token,
    /// as the SDKs read it.
    pub fn new(
        from: &str,
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        expiration: Option<DateTime<Utc>>,
    ) -> Result<Self, InvalidCredentials> {
        // Built first, so the secrets are zeroized (by Drop) on the error path too.
        let mut creds = Credentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            checked: Checked,
        };
        if creds.session_token.as_ref().is_some_and(|t| t.is_empty()) {
            creds.session_token = None;
        }
        let problem = key_id_problem(&creds.access_key_id)
            .map(|p| (Field::AccessKeyId, p))
            .or_else(|| {
                secret_problem(&creds.secret_access_key).map(|p| (Field::SecretAccessKey, p))
            })
            .or_else(|| {
                creds
                    .session_token
                    .as_deref()
                    .and_then(secret_problem)
                    .map(|p| (Field::SessionToken, p))
            });
        match problem {
            None => Ok(creds),
            Some((field, problem)) => Err(InvalidCredentials {
                from: from.to_string(),
                field,
                problem,
            }),
        }
    }

    /// Time left before expiry; `None` for long-term keys.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.expiration.map(|e| e - now)
    }

    /// Temporary credentials (with a session token) cannot call GetSessionToken.
    pub fn is_temporary(&self) -> bool {
        self.session_token.is_some()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field(
                "access_key_id",
                &crate::debug::redact_key_id(&self.access_key_id),
            )
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.secret_access_key.zeroize();
        if let Some(token) = self.session_token.as_mut() {
            token.zeroize();
        }
    }
}

/// What a store holds, before it is checked (a cached session written by an older vault, or
/// edited by someone else, goes through [`Credentials::new`] like everything else).
#[derive(Deserialize)]
struct Unchecked {
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    session_token: Option<String>,
    #[serde(default)]
    expiration: Option<DateTime<Utc>>,
}

impl Drop for Unchecked {
    fn drop(&mut self) {
        self.secret_access_key.zeroize();
        self.session_token.zeroize();
    }
}

impl TryFrom<Unchecked> for Credentials {
    type Error = InvalidCredentials;

    fn try_from(mut raw: Unchecked) -> Result<Self, Self::Error> {
        Credentials::new(
            "a stored session",
            std::mem::take(&mut raw.access_key_id),
            std::mem::take(&mut raw.secret_access_key),
            raw.session_token.take(),
            raw.expiration,
        )
    }
}

/// RFC 3339 in UTC with a `Z`, the form starship and the AWS SDKs read.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(
        id: &str,
        secret: &str,
        token: Option<&str>,
    ) -> Result<Credentials, InvalidCredentials> {
        Credentials::new(
            "the test",
            id.into(),
            secret.into(),
            token.map(String::from),
            None,
        )
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = creds("ASIAABCDEFGHIJKL", "very-secret", Some("token-secret")).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret") && !shown.contains("token-secret"));
        assert!(!shown.contains("ABCDEFGH"), "{shown}");
    }

    #[test]
    fn real_shapes_are_accepted() {
        let token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=";
        let c = creds(
            "ASIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            Some(token),
        );
        assert!(c.is_ok());
        assert!(creds("test", "test", None).is_ok(), "LocalStack's keys");
        let no_token = creds("AKIAIOSFODNN7EXAMPLE", "s", Some("")).unwrap();
        assert_eq!(no_token.session_token, None, "an empty token is no token");
    }

    #[test]
    fn values_that_could_forge_output_are_refused_by_field_never_shown() {
        let cases = [
            ("AKIA\nAWS_EVIL=1", "s", None, Field::AccessKeyId),
            ("AKIAÉTÉ0000000000", "s", None, Field::AccessKeyId),
            ("AKIA X", "s", None, Field::AccessKeyId),
            ("", "s", None, Field::AccessKeyId),
            (&"A".repeat(129), "s", None, Field::AccessKeyId),
            ("AKIA", "", None, Field::SecretAccessKey),
            ("AKIA", "se cret", None, Field::SecretAccessKey),
            ("AKIA", "s\n[profile evil]", None, Field::SecretAccessKey),
            ("AKIA", "s\u{7f}", None, Field::SecretAccessKey),
            ("AKIA", "s", Some("t\r\nX=1"), Field::SessionToken),
            ("AKIA", "s", Some("tök"), Field::SessionToken),
        ];
        for (id, secret, token, field) in cases {
            let err = creds(id, secret, token).unwrap_err();
            assert_eq!(err.field, field, "{id:?} {secret:?} {token:?}");
            let text = err.to_string();
            assert!(text.starts_with("the test has "), "{text}");
            assert!(!text.contains('\n'), "one line: {text}");
            for value in [id, secret, token.unwrap_or("AKIA")] {
                assert!(value.len() < 4 || !text.contains(value), "{text}");
            }
        }
    }

    #[test]
    fn a_stored_session_is_checked_when_read() {
        let good = r#"{"access_key_id":"ASIAX","secret_access_key":"s","session_token":"t"}"#;
        let c: Credentials = serde_json::from_str(good).unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            good,
            "the same shape is written"
        );
        let bad = r#"{"access_key_id":"ASIAX","secret_access_key":"s\n[profile evil]"}"#;
        let err = serde_json::from_str::<Credentials>(bad)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a secret access key") && !err.contains("evil"),
            "{err}"
        );
    }
}
