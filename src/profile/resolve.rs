//! Resolving a profile: merge `include_profile`, follow `source_profile` to where credentials
//! come from, and describe the result as a [`Chain`] the credential planner consumes.

use std::collections::BTreeMap;
use std::time::Duration;

use super::ConfigFile;

/// A profile's settings after `include_profile` has been merged in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSettings {
    pub name: String,
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<Duration>,
    pub source_profile: Option<String>,
    pub credential_process: Option<String>,
    pub mfa_process: Option<String>,
    pub endpoint_url: Option<String>,
    pub web_identity_token_file: Option<String>,
    pub source_identity: Option<String>,
    pub uses_sso: bool,
}

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootSource {
    /// Long-term keys stored by `vault add` under this profile's name.
    StoredKeys { profile: String },
    /// `credential_process` of this profile.
    CredentialProcess { profile: String, command: String },
    /// IAM Identity Center; not supported yet.
    Sso { profile: String },
    /// `web_identity_token_file`; not supported yet.
    WebIdentity { profile: String },
}

impl RootSource {
    pub fn profile(&self) -> &str {
        match self {
            RootSource::StoredKeys { profile }
            | RootSource::CredentialProcess { profile, .. }
            | RootSource::Sso { profile }
            | RootSource::WebIdentity { profile } => profile,
        }
    }
}

/// One AssumeRole, in order from the root towards the target profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub profile: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<Duration>,
    pub mfa_serial: Option<String>,
    pub source_identity: Option<String>,
}

/// A profile resolved down to its credential source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub target: String,
    pub root: RootSource,
    /// Role hops from the root to the target (empty: the target is the root).
    pub hops: Vec<Hop>,
    /// Inherited down the chain like aws-vault: the target's own value wins.
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
    pub mfa_process: Option<String>,
    pub endpoint_url: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("profile '{name}' not found in {path}{}", referenced_by.as_ref().map(|r| format!(" (named by source_profile/include_profile of '{r}')")).unwrap_or_else(|| " (add it with `vault add NAME`, or check the name with `vault list`)".into()))]
    Unknown {
        name: String,
        path: String,
        referenced_by: Option<String>,
    },
    #[error("profile loop in {path}: {} (break the cycle of source_profile/include_profile)", cycle.join(" -> "))]
    Loop { path: String, cycle: Vec<String> },
    #[error(
        "no credentials for profile '{name}': no keys stored and no source_profile or credential_process (run `vault add {name}`)"
    )]
    NoCredentials { name: String },
    #[error("profile '{profile}' in {path}: {key} = '{value}' {why}")]
    BadValue {
        profile: String,
        path: String,
        key: String,
        value: String,
        why: String,
    },
}

impl ConfigFile {
    /// The settings of `name`, with `include_profile` merged (the including profile wins).
    /// A profile with no section is empty, which is valid when keys are stored for it.
    pub fn settings(&self, name: &str) -> Result<ProfileSettings, ProfileError> {
        let merged = self.merged_properties(name, &mut vec![])?;
        self.typed(name, &merged)
    }

    fn merged_properties(
        &self,
        name: &str,
        visiting: &mut Vec<String>,
    ) -> Result<BTreeMap<String, String>, ProfileError> {
        if visiting.iter().any(|v| v == name) {
            let mut cycle = visiting.clone();
            cycle.push(name.to_string());
            return Err(ProfileError::Loop {
                path: self.path.display().to_string(),
                cycle,
            });
        }
        let Some(own) = self.profiles.get(name) else {
            if let Some(referrer) = visiting.last() {
                return Err(ProfileError::Unknown {
                    name: name.into(),
                    path: self.path.display().to_string(),
                    referenced_by: Some(referrer.clone()),
                });
            }
            return Ok(BTreeMap::new());
        };
        let mut merged = own.clone();
        if let Some(included) = own.get("include_profile").filter(|i| *i != name) {
            visiting.push(name.to_string());
            let base = self.merged_properties(&included.clone(), visiting)?;
            visiting.pop();
            for (key, value) in base {
                merged.entry(key).or_insert(value);
            }
        }
        Ok(merged)
    }

    fn typed(
        &self,
        name: &str,
        props: &BTreeMap<String, String>,
    ) -> Result<ProfileSettings, ProfileError> {
        let get = |key: &str| {
            props
                .get(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let duration_seconds = match get("duration_seconds") {
            None => None,
            Some(text) => Some(Duration::from_secs(text.parse::<u64>().map_err(|_| {
                ProfileError::BadValue {
                    profile: name.into(),
                    path: self.path.display().to_string(),
                    key: "duration_seconds".into(),
                    value: text.clone(),
                    why: "is not a whole number of seconds".into(),
                }
            })?)),
        };
        Ok(ProfileSettings {
            name: name.to_string(),
            region: get("region"),
            mfa_serial: get("mfa_serial"),
            role_arn: get("role_arn"),
            external_id: get("external_id"),
            role_session_name: get("role_session_name"),
            duration_seconds,
            // aws-vault ignores a source_profile that names the profile itself.
            source_profile: get("source_profile").filter(|s| s != name),
            credential_process: get("credential_process"),
            mfa_process: get("mfa_process"),
            endpoint_url: get("endpoint_url"),
            web_identity_token_file: get("web_identity_token_file"),
            source_identity: get("source_identity"),
            uses_sso: get("sso_session").is_some() || get("sso_start_url").is_some(),
        })
    }

    /// Follow `name` to its credential source. `has_keys` says whether keys are stored for a
    /// profile (stored keys win over `source_profile`, as in aws-vault).
    pub fn chain<E: From<ProfileError>>(
        &self,
        name: &str,
        mut has_keys: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<Chain, E> {
        let mut visited: Vec<String> = vec![];
        let mut hops = vec![];
        let mut inherited = Inherited::default();
        let mut current = name.to_string();
        let root = loop {
            if visited.contains(&current) {
                let mut cycle = visited.clone();
                cycle.push(current);
                return Err(ProfileError::Loop {
                    path: self.path.display().to_string(),
                    cycle,
                }
                .into());
            }
            let own_keys = has_keys(&current)?;
            if !self.has_profile(&current) && !own_keys {
                return Err(ProfileError::Unknown {
                    name: current,
                    path: self.path.display().to_string(),
                    referenced_by: visited.last().cloned(),
                }
                .into());
            }
            let settings = self.settings(&current)?;
            visited.push(current.clone());
            inherited.fill_from(&settings);
            if let Some(role_arn) = &settings.role_arn {
                hops.push(Hop {
                    profile: settings.name.clone(),
                    role_arn: role_arn.clone(),
                    external_id: settings.external_id.clone(),
                    role_session_name: settings.role_session_name.clone(),
                    duration_seconds: settings.duration_seconds,
                    mfa_serial: settings.mfa_serial.clone(),
                    source_identity: settings.source_identity.clone(),
                });
            }
            if own_keys {
                break RootSource::StoredKeys { profile: current };
            }
            if let Some(source) = settings.source_profile {
                current = source;
                continue;
            }
            if let Some(command) = settings.credential_process {
                break RootSource::CredentialProcess {
                    profile: current,
                    command,
                };
            }
            if settings.web_identity_token_file.is_some() {
                // The role is assumed by the web-identity call itself, not by a hop.
                hops.pop();
                break RootSource::WebIdentity { profile: current };
            }
            if settings.uses_sso {
                break RootSource::Sso { profile: current };
            }
            return Err(ProfileError::NoCredentials { name: current }.into());
        };
        hops.reverse();
        Ok(Chain {
            target: name.to_string(),
            root,
            hops,
            region: inherited.region,
            mfa_serial: inherited.mfa_serial,
            mfa_process: inherited.mfa_process,
            endpoint_url: inherited.endpoint_url,
        })
    }
}

/// Values a profile takes from its source profiles when it does not set them itself.
#[derive(Default)]
struct Inherited {
    region: Option<String>,
    mfa_serial: Option<String>,
    mfa_process: Option<String>,
    endpoint_url: Option<String>,
}

impl Inherited {
    fn fill_from(&mut self, s: &ProfileSettings) {
        self.region = self.region.take().or_else(|| s.region.clone());
        self.mfa_serial = self.mfa_serial.take().or_else(|| s.mfa_serial.clone());
        self.mfa_process = self.mfa_process.take().or_else(|| s.mfa_process.clone());
        self.endpoint_url = self.endpoint_url.take().or_else(|| s.endpoint_url.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new("/c"), text).unwrap()
    }

    fn keys_for(names: &'static [&'static str]) -> impl FnMut(&str) -> Result<bool, ProfileError> {
        move |p| Ok(names.contains(&p))
    }

    #[test]
    fn user_profile_is_its_own_root() {
        let c = config("[profile will]\nregion = eu-west-1\n");
        let chain = c.chain("will", keys_for(&["will"])).unwrap();
        assert_eq!(
            chain.root,
            RootSource::StoredKeys {
                profile: "will".into()
            }
        );
        assert!(chain.hops.is_empty());
        assert_eq!(chain.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn three_hop_chain_is_ordered_from_root() {
        let c = config(
            "[profile will]\nmfa_serial = arn:mfa\nregion = r1\n\
             [profile a]\nrole_arn = arn:a\nsource_profile = will\n\
             [profile b]\nrole_arn = arn:b\nsource_profile = a\n\
             [profile c]\nrole_arn = arn:c\nsource_profile = b\nregion = r3\n",
        );
        let chain = c.chain("c", keys_for(&["will"])).unwrap();
        let arns: Vec<_> = chain.hops.iter().map(|h| h.role_arn.as_str()).collect();
        assert_eq!(arns, ["arn:a", "arn:b", "arn:c"]);
        assert_eq!(chain.region.as_deref(), Some("r3"));
        assert_eq!(
            chain.mfa_serial.as_deref(),
            Some("arn:mfa"),
            "inherited from the source"
        );
    }

    #[test]
    fn stored_keys_win_over_source_profile() {
        let c = config("[profile x]\nsource_profile = y\n[profile y]\n");
        let chain = c.chain("x", keys_for(&["x", "y"])).unwrap();
        assert_eq!(
            chain.root,
            RootSource::StoredKeys {
                profile: "x".into()
            }
        );
    }

    #[test]
    fn source_profile_naming_itself_is_ignored() {
        let c = config("[profile x]\nsource_profile = x\n");
        assert!(c.chain("x", keys_for(&["x"])).is_ok());
    }

    #[test]
    fn source_profile_loop_is_detected() {
        let c = config(
            "[profile a]\nrole_arn=arn:a\nsource_profile = b\n[profile b]\nrole_arn=arn:b\nsource_profile = a\n",
        );
        let err = c.chain("a", keys_for(&[])).unwrap_err();
        assert_eq!(
            err,
            ProfileError::Loop {
                path: "/c".into(),
                cycle: vec!["a".into(), "b".into(), "a".into()]
            }
        );
        assert!(err.to_string().contains("a -> b -> a"));
    }

    #[test]
    fn include_profile_fills_missing_keys_and_detects_loops() {
        let c = config(
            "[profile base]\nregion = r\nmfa_serial = m\n[profile x]\ninclude_profile = base\nregion = mine\n",
        );
        let s = c.settings("x").unwrap();
        assert_eq!(s.region.as_deref(), Some("mine"));
        assert_eq!(s.mfa_serial.as_deref(), Some("m"));
        let looped = config("[profile p]\ninclude_profile = q\n[profile q]\ninclude_profile = p\n");
        assert!(matches!(
            looped.settings("p"),
            Err(ProfileError::Loop { .. })
        ));
    }

    #[test]
    fn unknown_profiles_are_named() {
        let c = config("[profile a]\nrole_arn=arn:a\nsource_profile = ghost\n");
        let err = c.chain("a", keys_for(&[])).unwrap_err();
        assert!(
            matches!(&err, ProfileError::Unknown { name, referenced_by: Some(r), .. } if name == "ghost" && r == "a")
        );
        let err = c.chain("nope", keys_for(&[])).unwrap_err();
        assert!(err.to_string().contains("'nope' not found in /c"));
    }

    #[test]
    fn keys_without_a_section_are_enough() {
        let c = config("");
        assert!(c.chain("bare", keys_for(&["bare"])).is_ok());
    }

    #[test]
    fn credential_process_is_a_root() {
        let c = config(
            "[profile cp]\ncredential_process = echo {}\n[profile r]\nrole_arn=arn:r\nsource_profile=cp\n",
        );
        let chain = c.chain("r", keys_for(&[])).unwrap();
        assert_eq!(
            chain.root,
            RootSource::CredentialProcess {
                profile: "cp".into(),
                command: "echo {}".into()
            }
        );
        assert_eq!(chain.hops.len(), 1);
    }

    #[test]
    fn profile_without_any_source_says_what_to_do() {
        let c = config("[profile lonely]\nregion = r\n");
        let err = c.chain("lonely", keys_for(&[])).unwrap_err();
        assert!(err.to_string().contains("vault add lonely"));
    }

    #[test]
    fn bad_duration_names_profile_and_key() {
        let c = config("[profile d]\nduration_seconds = an hour\n");
        let err = c.settings("d").unwrap_err().to_string();
        assert!(
            err.contains("'d'") && err.contains("duration_seconds"),
            "{err}"
        );
    }
}
