//! A set of AWS credentials: a leaf module (nothing of the store, the profile or the SDK), so
//! every layer can hold credentials without depending on the others.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A set of AWS credentials. `Debug` never shows the secret parts.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<DateTime<Utc>>,
}

impl Credentials {
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

/// RFC 3339 in UTC with a `Z`, the form starship and the AWS SDKs read.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let c = Credentials {
            access_key_id: "ASIAABCDEFGHIJKL".into(),
            secret_access_key: "very-secret".into(),
            session_token: Some("token-secret".into()),
            expiration: None,
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret") && !shown.contains("token-secret"));
        assert!(!shown.contains("ABCDEFGH"), "{shown}");
    }
}
