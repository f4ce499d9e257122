//! The environment of `exec --server`'s child: the server's address and token, and nothing
//! that the SDKs would look at before them.

use crate::creds::env::EXEC_UNSET;
use crate::shell::EnvChanges;

/// The variables through which the child reaches the server.
pub const URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// The SDKs' default chains (botocore, Go v2, Java v2, JavaScript v3, Rust) try the
/// environment, web identity and the shared credentials file before the container endpoint,
/// and stop at the first that answers. Removed besides `exec`'s list: an expiry of credentials
/// the child no longer holds; the relative URI and token file, which would win over ours; the
/// web-identity variables, from which the SDK would assume a role by itself.
const SERVER_ALSO_UNSET: &[&str] = &[
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
];

/// The shared credentials file the child reads: an empty one. A `[default]` section in
/// `~/.aws/credentials` (or in the file `AWS_SHARED_CREDENTIALS_FILE` named) would be found
/// before the server; a vault user's keys are in the secret store, not there.
pub const CREDENTIALS_FILE_VAR: &str = "AWS_SHARED_CREDENTIALS_FILE";
#[cfg(unix)]
pub const NO_CREDENTIALS_FILE: &str = "/dev/null";
#[cfg(windows)]
pub const NO_CREDENTIALS_FILE: &str = "NUL";

/// The child's environment in server mode: like `exec`'s, with the server's address and
/// token in place of the credentials themselves.
pub fn child_changes(profile: &str, region: Option<&str>, url: &str, token: &str) -> EnvChanges {
    let mut env = crate::creds::env::base(profile, region);
    env.set.push((URI_VAR.into(), url.into()));
    env.set.push((TOKEN_VAR.into(), token.into()));
    env.set
        .push((CREDENTIALS_FILE_VAR.into(), NO_CREDENTIALS_FILE.into()));
    // Credentials in the environment would win over the server (SDKs read it first).
    env.unset = EXEC_UNSET
        .iter()
        .chain(SERVER_ALSO_UNSET)
        .map(|s| s.to_string())
        .collect();
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_environment_points_at_the_server_and_holds_no_keys() {
        let c = child_changes("will", Some("eu-west-1"), "http://127.0.0.1:1/", "tok");
        let names: Vec<_> = c.set.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "AWS_VAULT",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                URI_VAR,
                TOKEN_VAR,
                CREDENTIALS_FILE_VAR
            ]
        );
        for gone in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_PROFILE",
        ] {
            assert!(c.unset.iter().any(|u| u == gone), "{gone}");
        }
    }
}
