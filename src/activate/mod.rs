//! The shell hook's brain: which profile a shell should have, given `vault use`, the nearest
//! trusted `.awsvault`, and the clock; and the exact environment changes to get there.

pub mod cwd;
pub mod dotfile;
pub mod hook;
pub mod plan;
pub mod session;
pub mod state;
pub mod trust;
pub mod trust_key;
pub mod watch;

use crate::creds::env::SHELL_UNSET;

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
pub const MANAGED: &[&str] = &MANAGED_NAMES;

const MANAGED_NAMES: [&str; CREDENTIAL_VARS.len() + REGION_VARS.len() + SHELL_UNSET.len()] =
    concat([CREDENTIAL_VARS, REGION_VARS, SHELL_UNSET]);

/// Joins the name lists at compile time, so `MANAGED` cannot drift from the lists it is made of.
const fn concat<const N: usize>(lists: [&[&'static str]; 3]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut at = 0;
    let mut list = 0;
    while list < lists.len() {
        let mut i = 0;
        while i < lists[list].len() {
            out[at] = lists[list][i];
            at += 1;
            i += 1;
        }
        list += 1;
    }
    out
}
