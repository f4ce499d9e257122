//! `__VAULT_STATE`: everything the hook remembers between prompts, in one opaque variable
//! (base64url of JSON), so a shell needs no files and no daemon.
//!
//! The variable is user-writable, so decoding trusts nothing: only the variables vault manages
//! can be restored, and anything malformed decodes to the empty state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::MANAGED;

pub const VAR: &str = "__VAULT_STATE";

/// Why a profile is active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// `vault use`: sticky until `vault unuse`.
    #[serde(rename = "u")]
    Use,
    /// A `.awsvault` (canonical path and trust hash).
    #[serde(rename = "f")]
    File { path: String, hash: String },
}

/// What is active in this shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Active {
    #[serde(rename = "p")]
    pub profile: String,
    #[serde(rename = "w")]
    pub source: Source,
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Requested lifetime in seconds (from `.awsvault` or `vault use --duration`).
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    #[serde(rename = "n", default, skip_serializing_if = "std::ops::Not::not")]
    pub no_session: bool,
    /// Unix seconds when the credentials expire (`None`: long-term keys).
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
    /// A renewal failed: do not try again before this time.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
}

/// A failed activation, so it is retried quietly instead of at every prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    #[serde(rename = "k")]
    pub key: String,
    #[serde(rename = "t")]
    pub retry_after: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub active: Option<Active>,
    /// The user's values from before we changed anything (`None`: was unset).
    #[serde(rename = "s", default, skip_serializing_if = "Vec::is_empty")]
    pub saved: Vec<(String, Option<String>)>,
    /// The last message shown, so each is shown once per visit.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// The user's own value of `name` among `saved` (`None`: it was unset, or is not recorded).
pub fn saved_value<'a>(saved: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    saved
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.as_deref())
}

impl State {
    pub fn is_empty(&self) -> bool {
        *self == State::default()
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("state serialises"))
    }

    /// Decode a value found in the environment. Anything malformed is the empty state, and
    /// saved entries for variables vault does not manage are dropped.
    pub fn decode(text: &str) -> State {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(text.trim()) else {
            return State::default();
        };
        let Ok(mut state) = serde_json::from_slice::<State>(&bytes) else {
            return State::default();
        };
        let mut seen = std::collections::BTreeSet::new();
        state
            .saved
            .retain(|(name, _)| MANAGED.contains(&name.as_str()) && seen.insert(name.clone()));
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let state = State {
            active: Some(Active {
                profile: "will".into(),
                source: Source::File {
                    path: "/p/.awsvault".into(),
                    hash: "ab".into(),
                },
                region: Some("eu-west-1".into()),
                duration: Some(3600),
                no_session: false,
                expires: Some(1_900_000_000),
                retry_after: None,
            }),
            saved: vec![
                ("AWS_REGION".into(), Some("us-east-1".into())),
                ("AWS_PROFILE".into(), None),
            ],
            notice: None,
            failure: None,
        };
        let text = state.encode();
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(State::decode(&text), state);
    }

    #[test]
    fn garbage_is_empty() {
        assert_eq!(State::decode("not base64 !!"), State::default());
        assert_eq!(
            State::decode(&URL_SAFE_NO_PAD.encode("{\"a\": 3}")),
            State::default()
        );
    }

    #[test]
    fn crafted_saved_variables_are_dropped() {
        let crafted = URL_SAFE_NO_PAD.encode(
            r#"{"s":[["PATH",null],["LD_PRELOAD","/tmp/x.so"],["AWS_REGION","x"],["AWS_REGION","y"],["A;rm -rf /",null]]}"#,
        );
        let state = State::decode(&crafted);
        assert_eq!(
            state.saved,
            vec![("AWS_REGION".to_string(), Some("x".to_string()))]
        );
    }
}
