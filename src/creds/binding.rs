//! What made a cached session, kept with it as a digest: a cached `session:` or `role:` item is
//! reused only while the credentials at the root, the STS endpoint and every call up to it are
//! the ones that made it (issue 10: a role cached before an edit of `role_arn` kept being handed
//! out for the old account). Each step's binding covers the steps before it, so a role cached
//! on top of a session is bound to that session's keys and device too.
//!
//! The digest is SHA-256 over a JSON description, so no setting (a `credential_process`
//! command line may carry a token) and no key id is kept in plain text. Durations are not in
//! it: the cache compares the duration asked itself (see `items::read_session`), so that a
//! session asked for 8h also serves a later ask of 1h.
//!
//! The functions destructure every field of what they bind without `..`: a field added to
//! [`Hop`] or [`RootSource`] does not compile until it is bound or said here to be unable to
//! change the result. Session tags are bound: they are what the role's policies see.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::plan::Step;
use crate::profile::{
    Hop, RootSource, SessionTags, SsoSource, WebIdentitySource, WebIdentityToken,
};

/// Bumped when the description changes, so items bound by an older vault are misses.
const VERSION: &str = "vault-cache-binding-1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding(String);

impl Binding {
    /// The hex digest kept in the cached item.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The root of a chain: where its first credentials come from and which STS endpoint is
    /// called. Stored keys are bound by their profile here and by their access key id in
    /// [`Binding::keys`], kept apart so a session can still be checked when the keys item is
    /// damaged (see `Provider::root_binding`).
    ///
    /// The endpoint's region is left out: STS credentials work in every region, and another
    /// partition means other keys, which the key id already covers; so `--region` keeps the
    /// session. An explicit endpoint URL (an emulator, a proxy) is in.
    pub fn root(root: &RootSource, endpoint_url: Option<&str>) -> Self {
        let source = match root {
            RootSource::StoredKeys { profile } => json!({ "stored_keys": { "profile": profile } }),
            RootSource::CredentialProcess { profile, command } => json!({
                "credential_process": { "profile": profile, "command": command },
            }),
            RootSource::Sso { profile, sso } => {
                let SsoSource {
                    session,
                    start_url,
                    region,
                    account_id,
                    role_name,
                } = sso;
                json!({ "sso": {
                    "profile": profile, "session": session, "start_url": start_url,
                    "region": region, "account_id": account_id, "role_name": role_name,
                }})
            }
            RootSource::WebIdentity {
                profile,
                web_identity,
            } => {
                let WebIdentitySource {
                    token,
                    role_arn,
                    role_session_name,
                    duration_seconds,
                } = web_identity;
                // A file keeps the key it always had, so existing cached items stay valid.
                let (token_key, token_value) = match token {
                    WebIdentityToken::File(path) => ("token_file", path),
                    WebIdentityToken::Process(command) => ("token_process", command),
                };
                json!({ "web_identity": {
                    "profile": profile, token_key: token_value, "role_arn": role_arn,
                    "role_session_name": role_session_name,
                    "duration_seconds": duration_seconds.map(|d| d.as_secs()),
                }})
            }
        };
        Self::digest(&json!({ "version": VERSION, "root": source, "endpoint_url": endpoint_url }))
    }

    /// The access key id of the stored keys at the root, so that `vault add --force` with new
    /// keys makes every session built on the old ones a miss, roles of other profiles included.
    pub fn keys(access_key_id: &str) -> Self {
        Self::digest(&json!({ "version": VERSION, "access_key_id": access_key_id }))
    }

    /// The binding of `step` made on top of credentials bound by `self`.
    pub fn then(&self, step: &Step) -> Self {
        let call = match step {
            Step::GetSessionToken {
                profile,
                // The cache compares durations itself.
                duration: _,
                mfa_serial,
                cache_key,
            } => json!({ "get_session_token": {
                "profile": profile, "mfa_serial": mfa_serial, "cache_key": cache_key,
            }}),
            Step::AssumeRole {
                hop,
                duration: _,
                mfa_serial,
                cache_key,
            } => {
                let Hop {
                    profile,
                    role_arn,
                    external_id,
                    // An unset name is `vault-<user>`, the same for every call: only the setting counts.
                    role_session_name,
                    // Only through the step's duration, which the cache compares itself.
                    duration_seconds: _,
                    // Only through the step's device: the one the call is made with.
                    mfa_serial: _,
                    source_identity,
                    tags,
                } = hop;
                let SessionTags { tags, transitive } = tags;
                json!({ "assume_role": {
                    "profile": profile, "role_arn": role_arn, "external_id": external_id,
                    "role_session_name": role_session_name, "source_identity": source_identity,
                    "mfa_serial": mfa_serial, "cache_key": cache_key,
                    "tags": tags, "transitive_tag_keys": transitive,
                }})
            }
        };
        Self::digest(&json!({ "version": VERSION, "after": self.0, "call": call }))
    }

    fn digest(description: &serde_json::Value) -> Self {
        let text = serde_json::to_vec(description).expect("JSON values serialise");
        Binding(hex::encode(Sha256::digest(text)))
    }
}

#[cfg(test)]
mod tests;
