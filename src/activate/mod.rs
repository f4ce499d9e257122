//! The shell hook's brain: which profile a shell should have, given `vault use`, the nearest
//! trusted `.awsvault`, and the clock; and the exact environment changes to get there.

pub mod dotfile;
pub mod plan;
pub mod state;
pub mod trust;

/// Credential variables: set while a profile is active, removed otherwise.
pub const CREDENTIAL_VARS: &[&str] = &[
    "AWS_VAULT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Region variables: set when the profile has a region, else the user's own value.
pub const REGION_VARS: &[&str] = &["AWS_REGION", "AWS_DEFAULT_REGION"];

/// Every variable the hook may change; nothing else is ever exported, unset or restored.
pub const MANAGED: &[&str] = &[
    "AWS_VAULT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_EXPIRATION",
    "AWSUME_PROFILE",
    "AWSUME_EXPIRATION",
];
