//! Credentials and how we get them: a pure planner decides the STS calls, the provider carries
//! them out with the session cache, the lock and the MFA sources. `items` names and encodes
//! what is kept in a store (long-term keys, cached sessions, SSO tokens). `Credentials` itself
//! is the leaf `crate::credentials`, so the store never depends on this module. `binding`
//! digests what made a cached session, so a changed profile never reuses it.

pub mod binding;
pub mod env;
pub mod federation;
pub mod fetch;
pub mod helper;
pub mod iam;
pub mod items;
pub mod mfa;
pub mod plan;
pub mod process;
pub mod provider;
pub mod rotate;
pub mod server;
pub mod session_name;
pub mod sso;
pub mod sts;
pub mod web_identity;

pub use crate::credentials::{Credentials, rfc3339};
