//! Profile settings given by environment variables (aws-vault's `populateFromEnv`): they win
//! over the config file. AWS_MFA_SERIAL and AWS_STS_REGIONAL_ENDPOINTS apply to every profile
//! of a chain, as in aws-vault (it reads them for each profile it loads); the others only to
//! the profile named on the command line, so a role chain's source profiles keep their own.

use super::resolve::{ProfileError, ProfileSettings};
use super::tags;
use crate::aws::StsEndpoints;

/// The variables, as set (empty is unset); read once into `Settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `AWS_MFA_SERIAL`: every profile.
    pub mfa_serial: Option<String>,
    /// `AWS_STS_REGIONAL_ENDPOINTS`: every profile.
    pub sts_regional_endpoints: Option<String>,
    /// `AWS_ROLE_ARN`: the target only.
    pub role_arn: Option<String>,
    /// `AWS_ROLE_SESSION_NAME`: the target only.
    pub role_session_name: Option<String>,
    /// `AWS_SOURCE_IDENTITY`: the target only.
    pub source_identity: Option<String>,
    /// `AWS_SESSION_TAGS`: the target only.
    pub session_tags: Option<String>,
    /// `AWS_TRANSITIVE_TAGS`: the target only.
    pub transitive_tags: Option<String>,
}

impl Overrides {
    pub fn from_vars(text: impl Fn(&str) -> Option<String>) -> Overrides {
        Overrides {
            mfa_serial: text("AWS_MFA_SERIAL"),
            sts_regional_endpoints: text("AWS_STS_REGIONAL_ENDPOINTS"),
            role_arn: text("AWS_ROLE_ARN"),
            role_session_name: text("AWS_ROLE_SESSION_NAME"),
            source_identity: text("AWS_SOURCE_IDENTITY"),
            session_tags: text("AWS_SESSION_TAGS"),
            transitive_tags: text("AWS_TRANSITIVE_TAGS"),
        }
    }

    /// Put the variables that apply over `settings`; `target` says whether it is the profile
    /// named on the command line.
    pub(super) fn apply(
        &self,
        settings: &mut ProfileSettings,
        target: bool,
    ) -> Result<(), ProfileError> {
        let bad = |var: &str, value: &str, why: String| ProfileError::BadEnv {
            var: var.into(),
            value: value.into(),
            profile: settings.name.clone(),
            why,
        };
        let set = |slot: &mut Option<String>, value: &Option<String>| {
            if let Some(value) = value {
                *slot = Some(value.trim().to_string());
            }
        };
        set(&mut settings.mfa_serial, &self.mfa_serial);
        if let Some(text) = &self.sts_regional_endpoints {
            let mode = text
                .parse::<StsEndpoints>()
                .map_err(|why| bad("AWS_STS_REGIONAL_ENDPOINTS", text, why))?;
            settings.sts_regional_endpoints = Some(mode);
        }
        if !target {
            return Ok(());
        }
        set(&mut settings.role_arn, &self.role_arn);
        set(&mut settings.role_session_name, &self.role_session_name);
        set(&mut settings.source_identity, &self.source_identity);
        if let Some(text) = &self.session_tags {
            settings.session_tags.tags =
                tags::parse_tags(text).map_err(|why| bad("AWS_SESSION_TAGS", text, why))?;
        }
        if let Some(text) = &self.transitive_tags {
            settings.session_tags.transitive = tags::parse_transitive(text);
        }
        Ok(())
    }
}
