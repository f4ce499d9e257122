//! The environment a profile's credentials are delivered in, shared by `exec`, `export` and
//! (later) the shell hook, so all three agree to the variable.

use crate::shell::EnvChanges;

use super::{Credentials, rfc3339};

/// Removed so nothing else can override or shadow our credentials (aws-vault's list).
pub const EXEC_UNSET: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_FILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_PROFILE",
    "AWS_SDK_LOAD_CONFIG",
];

/// Removed in a shell while a profile is active: a stale value would hide ours from prompt
/// tools such as starship (docs/ARCHITECTURE.md, "Activation rules").
pub const SHELL_UNSET: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_EXPIRATION",
    "AWSUME_PROFILE",
    "AWSUME_EXPIRATION",
];

/// What every way of handing out a profile sets first: `AWS_VAULT`, and the region when known.
pub fn base(profile: &str, region: Option<&str>) -> EnvChanges {
    let mut set = vec![("AWS_VAULT".to_string(), profile.to_string())];
    if let Some(region) = region {
        set.push(("AWS_REGION".into(), region.into()));
        set.push(("AWS_DEFAULT_REGION".into(), region.into()));
    }
    EnvChanges { set, unset: vec![] }
}

/// exec's child also gets the profile's `endpoint_url` as AWS_ENDPOINT_URL, as in aws-vault: a
/// profile for an emulator would otherwise send the child's calls to real AWS.
pub fn add_endpoint(env: &mut EnvChanges, endpoint_url: Option<&str>) {
    if let Some(url) = endpoint_url {
        env.set.push(("AWS_ENDPOINT_URL".into(), url.into()));
        env.unset.retain(|name| name != "AWS_ENDPOINT_URL");
    }
}

/// The variables that carry `creds` for `profile`. `unset` lists what must go; variables that
/// are also set are left out of it.
pub fn changes(
    profile: &str,
    creds: &Credentials,
    region: Option<&str>,
    unset: &[&str],
) -> EnvChanges {
    let EnvChanges { mut set, .. } = base(profile, region);
    set.push(("AWS_ACCESS_KEY_ID".into(), creds.access_key_id.clone()));
    set.push((
        "AWS_SECRET_ACCESS_KEY".into(),
        creds.secret_access_key.clone(),
    ));
    if let Some(token) = creds.session_token.as_ref().filter(|t| !t.is_empty()) {
        set.push(("AWS_SESSION_TOKEN".into(), token.clone()));
    }
    if let Some(expiration) = creds.expiration {
        set.push(("AWS_CREDENTIAL_EXPIRATION".into(), rfc3339(expiration)));
    }
    let unset = unset
        .iter()
        .filter(|name| !set.iter().any(|(k, _)| k == *name))
        .map(|s| s.to_string())
        .collect();
    EnvChanges { set, unset }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn temp_creds() -> Credentials {
        Credentials::new(
            "the test",
            "ASIAEXAMPLE".into(),
            "s".into(),
            Some("t".into()),
            Some(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn exec_environment_matches_aws_vault() {
        let c = changes("will", &temp_creds(), Some("eu-west-1"), EXEC_UNSET);
        let names: Vec<_> = c.set.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "AWS_VAULT",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION"
            ]
        );
        assert_eq!(c.set[6].1, "2026-01-01T12:00:00Z");
        assert_eq!(
            c.unset,
            [
                "AWS_SECURITY_TOKEN",
                "AWS_CREDENTIAL_FILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_PROFILE",
                "AWS_SDK_LOAD_CONFIG"
            ]
        );
    }

    #[test]
    fn endpoint_url_is_added_only_when_set() {
        let mut c = changes("will", &temp_creds(), None, EXEC_UNSET);
        add_endpoint(&mut c, None);
        assert!(c.set.iter().all(|(k, _)| k != "AWS_ENDPOINT_URL"));
        add_endpoint(&mut c, Some("http://localhost:4566"));
        assert_eq!(
            c.set.last().unwrap(),
            &(
                "AWS_ENDPOINT_URL".to_string(),
                "http://localhost:4566".to_string()
            )
        );
    }

    #[test]
    fn long_term_keys_have_no_token_or_expiry() {
        let mut creds = temp_creds();
        creds.session_token = None;
        creds.expiration = None;
        let c = changes("will", &creds, None, EXEC_UNSET);
        assert!(c.set.iter().all(|(k, _)| k != "AWS_SESSION_TOKEN"
            && k != "AWS_CREDENTIAL_EXPIRATION"
            && k != "AWS_REGION"));
        assert!(c.unset.contains(&"AWS_SESSION_TOKEN".to_string()));
    }
}
