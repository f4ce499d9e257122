//! The AWS plumbing every call shares: one async runtime and one `SdkConfig` per process, the
//! clients made from it, the one rule for where a call goes, the one way an SDK error is told
//! to a person, and the HTTPS connector that `vault login` shares with the SDK.
//!
//! Nothing here is built before a command needs the network: a prompt that only reads files
//! starts no runtime and loads no CA roots.

mod clients;
pub(crate) mod endpoint;
mod error;
#[cfg(feature = "https")]
mod https;
mod runtime;

pub use clients::{config, single_attempt};
pub use endpoint::{Endpoint, Service, StsEndpoints};
pub use error::{CallError, call_error, describe};
#[cfg(feature = "https")]
pub use https::{date_of, get};
pub use runtime::{ready, runtime};
