//! Resolving a profile: merge `include_profile`, follow `source_profile` to where credentials
//! come from, and describe the result as a [`Chain`] the credential planner consumes.

use std::collections::BTreeMap;
use std::time::Duration;

use super::tags::{self, SessionTags};
use super::{ConfigFile, Overrides};
use crate::aws::StsEndpoints;
use crate::term::escape as one_line;

/// The most profiles one `include_profile` or `source_profile` chain may pass through. Real
/// configs chain a handful; a longer chain is a generated or hostile file, refused quickly.
pub const MAX_CHAIN: usize = 100;

/// The section every profile falls back to (aws-vault's `populateFromConfigFile`).
const DEFAULT: &str = "default";

/// A profile's settings after `include_profile` and `[default]` have been merged in.
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
    pub web_identity_token_process: Option<String>,
    pub source_identity: Option<String>,
    /// `session_tags` and `transitive_session_tags`.
    pub session_tags: SessionTags,
    pub sts_regional_endpoints: Option<StsEndpoints>,
    pub uses_sso: bool,
    pub sso_session: Option<String>,
    pub sso_start_url: Option<String>,
    pub sso_region: Option<String>,
    pub sso_account_id: Option<String>,
    pub sso_role_name: Option<String>,
}

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootSource {
    /// Long-term keys stored by `vault add` under this profile's name.
    StoredKeys { profile: String },
    /// `credential_process` of this profile.
    CredentialProcess { profile: String, command: String },
    /// IAM Identity Center: GetRoleCredentials with an access token from the device flow.
    Sso { profile: String, sso: SsoSource },
    /// `web_identity_token_file` or `web_identity_token_process`: AssumeRoleWithWebIdentity
    /// with the token read from the file or printed by the command.
    WebIdentity {
        profile: String,
        web_identity: WebIdentitySource,
    },
}

/// What an SSO root needs: where to sign in and which account role to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSource {
    /// The `[sso-session NAME]` the profile names; `None` for the legacy keys on the profile.
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
}

impl SsoSource {
    /// Profiles sharing a session (or a legacy start URL) share one sign-in.
    pub fn token_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }
}

/// Where a web-identity root's OIDC token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebIdentityToken {
    /// `web_identity_token_file`: read on every call.
    File(String),
    /// `web_identity_token_process`: a command whose stdout is the token (aws-vault's setting).
    Process(String),
}

/// What a web-identity root needs: the role it assumes itself, and its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentitySource {
    pub token: WebIdentityToken,
    pub role_arn: String,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<Duration>,
}

impl RootSource {
    pub fn profile(&self) -> &str {
        match self {
            RootSource::StoredKeys { profile }
            | RootSource::CredentialProcess { profile, .. }
            | RootSource::Sso { profile, .. }
            | RootSource::WebIdentity { profile, .. } => profile,
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
    /// Sent as `Tags` and `TransitiveTagKeys`.
    pub tags: SessionTags,
}

#[cfg(test)]
impl Hop {
    /// A hop with only its profile and role set, the start of every test's chain.
    pub fn bare(profile: impl Into<String>, role_arn: impl Into<String>) -> Hop {
        Hop {
            profile: profile.into(),
            role_arn: role_arn.into(),
            external_id: None,
            role_session_name: None,
            duration_seconds: None,
            mfa_serial: None,
            source_identity: None,
            tags: SessionTags::default(),
        }
    }
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
    /// The root profile's own `mfa_serial`: aws-vault puts a GetSessionToken in front of the
    /// roles only when the root and the first role name the same device (vault/vault.go).
    pub root_mfa_serial: Option<String>,
    pub mfa_process: Option<String>,
    pub endpoint_url: Option<String>,
    pub sts_regional_endpoints: Option<StsEndpoints>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("profile '{}' not found in {path}{}", one_line(name), referenced_by.as_ref().map(|r| format!(" (named by source_profile/include_profile of '{}')", one_line(r))).unwrap_or_else(|| " (add it with `vault add NAME`, or check the name with `vault list`)".into()))]
    Unknown {
        name: String,
        path: String,
        referenced_by: Option<String>,
    },
    #[error("profile loop in {path}: {} (break the cycle of source_profile/include_profile)", one_line(&cycle.join(" -> ")))]
    Loop { path: String, cycle: Vec<String> },
    #[error(
        "profile '{}' in {path}: its {key} chain is longer than {MAX_CHAIN} profiles (shorten it; is the file generated?)",
        one_line(profile)
    )]
    TooLong {
        profile: String,
        path: String,
        key: String,
    },
    #[error("no credentials for profile '{}': {}", one_line(name), no_credentials_advice(name, *has_role))]
    NoCredentials { name: String, has_role: bool },
    #[error(
        "profile '{}' in {path}: {key} = '{}' {}",
        one_line(profile),
        one_line(value),
        one_line(why)
    )]
    BadValue {
        profile: String,
        path: String,
        key: String,
        value: String,
        why: String,
    },
    #[error(
        "profile '{}' in {path}: {key} is missing ({})",
        one_line(profile),
        one_line(why)
    )]
    MissingKey {
        profile: String,
        path: String,
        key: String,
        why: String,
    },
    #[error(
        "environment variable {var} = '{}' (for profile '{}') {}",
        one_line(value),
        one_line(profile),
        one_line(why)
    )]
    BadEnv {
        var: String,
        value: String,
        profile: String,
        why: String,
    },
}

/// What to do about a profile with no source: a role needs something to assume it with (keys
/// would work, but are rarely what a role profile is missing); anything else needs keys.
fn no_credentials_advice(name: &str, has_role: bool) -> String {
    if has_role {
        "its role_arn has nothing to assume it with (set source_profile, \
         web_identity_token_file, web_identity_token_process, credential_process or sso_session)"
            .into()
    } else {
        format!(
            "no keys stored and no source_profile, credential_process or sso_session (run `vault add {}`)",
            one_line(name)
        )
    }
}

impl ConfigFile {
    /// The settings of `name`, with `include_profile` merged (the including profile wins) and
    /// then `[default]` under everything, as in aws-vault: whatever a profile and the
    /// profiles it includes leave unset, `[default]` fills. A profile with no section has
    /// `[default]`'s settings, which is valid when keys are stored for it.
    pub fn settings(&self, name: &str) -> Result<ProfileSettings, ProfileError> {
        let merged = self.merged_properties(name)?;
        self.typed(name, &merged)
    }

    /// Walks the `include_profile` chain from `name` in a loop (a recursion overflowed the stack
    /// on a generated chain of 50 000), nearest profile first, so the first value of a key
    /// found wins; `[default]` comes last. At most [`MAX_CHAIN`] profiles, which also bounds
    /// the loop check.
    ///
    /// aws-vault reports a loop when `[default]` includes a profile that falls back to
    /// `[default]` again; every setting is merged by then, so here the walk just ends there.
    /// A loop among `include_profile`s alone is an error, as before.
    fn merged_properties(&self, name: &str) -> Result<BTreeMap<String, String>, ProfileError> {
        let mut merged = BTreeMap::new();
        let mut visiting: Vec<&str> = vec![];
        let mut current = name;
        // Whether the walk has gone on to [default] on its own (not by an include).
        let mut fell_back = false;
        loop {
            let Some(own) = self.profiles.get(current) else {
                if current != DEFAULT
                    && let Some(referrer) = visiting.last()
                {
                    return Err(ProfileError::Unknown {
                        name: current.into(),
                        path: self.path.display().to_string(),
                        referenced_by: Some(referrer.to_string()),
                    });
                }
                // A profile with no section (keys only) still takes [default]'s settings.
                if current != DEFAULT && visiting.is_empty() {
                    visiting.push(current);
                    current = DEFAULT;
                    fell_back = true;
                    continue;
                }
                return Ok(merged);
            };
            visiting.push(current);
            for (key, value) in own {
                merged.entry(key.clone()).or_insert_with(|| value.clone());
            }
            let Some(included) = own.get("include_profile").filter(|i| *i != current) else {
                if visiting.contains(&DEFAULT) {
                    return Ok(merged);
                }
                current = DEFAULT;
                fell_back = true;
                continue;
            };
            if fell_back && visiting.contains(&included.as_str()) {
                return Ok(merged);
            }
            if visiting.contains(&included.as_str()) {
                return Err(self.cycle(&visiting, included));
            }
            if visiting.len() == MAX_CHAIN {
                return Err(self.too_long(name, "include_profile"));
            }
            current = included;
        }
    }

    fn cycle(&self, visiting: &[&str], again: &str) -> ProfileError {
        let mut cycle: Vec<String> = visiting.iter().map(|v| v.to_string()).collect();
        cycle.push(again.to_string());
        ProfileError::Loop {
            path: self.path.display().to_string(),
            cycle,
        }
    }

    fn too_long(&self, name: &str, key: &str) -> ProfileError {
        ProfileError::TooLong {
            profile: name.into(),
            path: self.path.display().to_string(),
            key: key.into(),
        }
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
        let bad = |key: &str, value: &str, why: String| ProfileError::BadValue {
            profile: name.into(),
            path: self.path.display().to_string(),
            key: key.into(),
            value: value.into(),
            why,
        };
        let session_tags = SessionTags {
            tags: match get("session_tags") {
                None => vec![],
                Some(text) => {
                    tags::parse_tags(&text).map_err(|why| bad("session_tags", &text, why))?
                }
            },
            transitive: get("transitive_session_tags")
                .map(|text| tags::parse_transitive(&text))
                .unwrap_or_default(),
        };
        let sts_regional_endpoints = match get("sts_regional_endpoints") {
            None => None,
            Some(text) => Some(
                text.parse::<StsEndpoints>()
                    .map_err(|why| bad("sts_regional_endpoints", &text, why))?,
            ),
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
            web_identity_token_process: get("web_identity_token_process"),
            source_identity: get("source_identity"),
            session_tags,
            sts_regional_endpoints,
            uses_sso: get("sso_session").is_some() || get("sso_start_url").is_some(),
            sso_session: get("sso_session"),
            sso_start_url: get("sso_start_url"),
            sso_region: get("sso_region"),
            sso_account_id: get("sso_account_id"),
            sso_role_name: get("sso_role_name"),
        })
    }

    /// Follow `name` to its credential source. `has_keys` says whether keys are stored for a
    /// profile (stored keys win over `source_profile`, as in aws-vault).
    pub fn chain<E: From<ProfileError>>(
        &self,
        name: &str,
        has_keys: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<Chain, E> {
        self.chain_with(name, &Overrides::default(), has_keys)
    }

    /// [`ConfigFile::chain`] with the settings environment variables give (see [`Overrides`]):
    /// what fetching credentials uses.
    pub fn chain_with<E: From<ProfileError>>(
        &self,
        name: &str,
        overrides: &Overrides,
        mut has_keys: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<Chain, E> {
        let mut visited: Vec<String> = vec![];
        let mut hops = vec![];
        let mut inherited = Inherited::default();
        let mut current = name.to_string();
        let mut root_mfa_serial;
        let root = loop {
            if visited.contains(&current) {
                let visited: Vec<&str> = visited.iter().map(String::as_str).collect();
                return Err(self.cycle(&visited, &current).into());
            }
            // Also bounds the loop check above, which is linear in the chain.
            if visited.len() == MAX_CHAIN {
                return Err(self.too_long(name, "source_profile").into());
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
            let mut settings = self.settings(&current)?;
            overrides.apply(&mut settings, current == name)?;
            visited.push(current.clone());
            inherited.fill_from(&settings);
            // The last profile visited is the root.
            root_mfa_serial = settings.mfa_serial.clone();
            if let Some(role_arn) = &settings.role_arn {
                hops.push(Hop {
                    profile: settings.name.clone(),
                    role_arn: role_arn.clone(),
                    external_id: settings.external_id.clone(),
                    role_session_name: settings.role_session_name.clone(),
                    duration_seconds: settings.duration_seconds,
                    mfa_serial: settings.mfa_serial.clone(),
                    source_identity: settings.source_identity.clone(),
                    tags: settings.session_tags.clone(),
                });
            }
            if own_keys {
                break RootSource::StoredKeys { profile: current };
            }
            if let Some(source) = settings.source_profile {
                current = source;
                continue;
            }
            // aws-vault's order: SSO, web identity, credential_process.
            if settings.uses_sso {
                let sso = self.sso_source(&settings)?;
                break RootSource::Sso {
                    profile: current,
                    sso,
                };
            }
            // The file wins over the process when both are set, as in aws-vault.
            let token = match (
                settings.web_identity_token_file.clone(),
                settings.web_identity_token_process.clone(),
            ) {
                (Some(file), _) => Some((WebIdentityToken::File(file), "web_identity_token_file")),
                (None, Some(command)) => Some((
                    WebIdentityToken::Process(command),
                    "web_identity_token_process",
                )),
                (None, None) => None,
            };
            if let Some((token, key)) = token {
                let Some(role_arn) = settings.role_arn.clone() else {
                    return Err(self
                        .missing(
                            &current,
                            "role_arn",
                            &format!("{key} needs the role to assume"),
                        )
                        .into());
                };
                // The role is assumed by the web-identity call itself, not by a hop.
                hops.pop();
                break RootSource::WebIdentity {
                    profile: current,
                    web_identity: WebIdentitySource {
                        token,
                        role_arn,
                        role_session_name: settings.role_session_name,
                        duration_seconds: settings.duration_seconds,
                    },
                };
            }
            if let Some(command) = settings.credential_process {
                break RootSource::CredentialProcess {
                    profile: current,
                    command,
                };
            }
            return Err(ProfileError::NoCredentials {
                name: current,
                has_role: settings.role_arn.is_some(),
            }
            .into());
        };
        hops.reverse();
        Ok(Chain {
            target: name.to_string(),
            root,
            hops,
            region: inherited.region,
            mfa_serial: inherited.mfa_serial,
            root_mfa_serial,
            mfa_process: inherited.mfa_process,
            endpoint_url: inherited.endpoint_url,
            sts_regional_endpoints: inherited.sts_regional_endpoints,
        })
    }

    /// Where an SSO profile signs in: its `[sso-session]` (whose values win, as in the AWS CLI)
    /// or the legacy `sso_start_url` / `sso_region` on the profile itself.
    fn sso_source(&self, s: &ProfileSettings) -> Result<SsoSource, ProfileError> {
        let (start_url, region) = match &s.sso_session {
            Some(name) => {
                let Some(section) = self.sso_sessions.get(name) else {
                    return Err(ProfileError::BadValue {
                        profile: s.name.clone(),
                        path: self.path.display().to_string(),
                        key: "sso_session".into(),
                        value: name.clone(),
                        why: format!(
                            "names no [sso-session {name}] section (add one with sso_start_url and sso_region)"
                        ),
                    });
                };
                let get = |key: &str| {
                    section
                        .get(key)
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                };
                (
                    get("sso_start_url").or_else(|| s.sso_start_url.clone()),
                    get("sso_region").or_else(|| s.sso_region.clone()),
                )
            }
            None => (s.sso_start_url.clone(), s.sso_region.clone()),
        };
        let where_ = match &s.sso_session {
            Some(name) => format!("set it in [sso-session {name}]"),
            None => "set it on the profile, or use sso_session".to_string(),
        };
        let need = |value: Option<String>, key: &str, why: &str| {
            value.ok_or_else(|| self.missing(&s.name, key, why))
        };
        Ok(SsoSource {
            session: s.sso_session.clone(),
            start_url: need(start_url, "sso_start_url", &where_)?,
            region: need(region, "sso_region", &where_)?,
            account_id: need(
                s.sso_account_id.clone(),
                "sso_account_id",
                "the account whose role to use",
            )?,
            role_name: need(
                s.sso_role_name.clone(),
                "sso_role_name",
                "the permission set's role to use",
            )?,
        })
    }

    fn missing(&self, profile: &str, key: &str, why: &str) -> ProfileError {
        ProfileError::MissingKey {
            profile: profile.into(),
            path: self.path.display().to_string(),
            key: key.into(),
            why: why.into(),
        }
    }
}

/// Values a profile takes from its source profiles when it does not set them itself.
#[derive(Default)]
struct Inherited {
    region: Option<String>,
    mfa_serial: Option<String>,
    mfa_process: Option<String>,
    endpoint_url: Option<String>,
    sts_regional_endpoints: Option<StsEndpoints>,
}

impl Inherited {
    fn fill_from(&mut self, s: &ProfileSettings) {
        self.region = self.region.take().or_else(|| s.region.clone());
        self.mfa_serial = self.mfa_serial.take().or_else(|| s.mfa_serial.clone());
        self.mfa_process = self.mfa_process.take().or_else(|| s.mfa_process.clone());
        self.endpoint_url = self.endpoint_url.take().or_else(|| s.endpoint_url.clone());
        self.sts_regional_endpoints = self.sts_regional_endpoints.or(s.sts_regional_endpoints);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Found by `fuzz/` (target `config`): a continuation line (`  = ...`) makes a value span
    /// two lines, and the error quoting it did too. Errors are one line.
    #[test]
    fn errors_quoting_multi_line_values_stay_on_one_line() {
        let text = "[profile atmin]\nsource_profile = will\nrole_arn = arn:aws:iam::0:role/a\n\
                    include_profile = base\n = arn:aws:iam::6:role/w\n\
                    [profile d]\nduration_seconds = 7200\n  more\n";
        let config = ConfigFile::parse(std::path::Path::new("/c"), text).unwrap();
        let none = |_: &str| Ok::<bool, ProfileError>(false);
        let err = config.chain("atmin", none).unwrap_err().to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains(r"'base\n= arn:aws:iam::6:role/w'"), "{err}");
        let err = config.settings("d").unwrap_err().to_string();
        assert!(
            !err.contains('\n') && err.contains("duration_seconds"),
            "{err}"
        );
        // The second find: an sso_session value with a CR, quoted again in the hint.
        let text = "[profile base]\nsso_session = corp\r[profile x\nsso_account_id = 1\nsso_role_name = R\n";
        let config = ConfigFile::parse(std::path::Path::new("/c"), text).unwrap();
        let err = config.chain("base", none).unwrap_err().to_string();
        assert!(!err.contains(['\n', '\r']), "{err:?}");
        assert!(err.contains(r"[sso-session corp\r[profile x]"), "{err}");
    }

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

    /// `[profile p0]` .. `[profile pN-1]`, each naming the next with `key`; the last has keys.
    fn generated_chain(key: &str, n: usize) -> ConfigFile {
        let mut text = String::new();
        for i in 0..n - 1 {
            text.push_str(&format!("[profile p{i}]\n{key} = p{}\n", i + 1));
        }
        text.push_str(&format!("[profile p{}]\nregion = deep\n", n - 1));
        config(&text)
    }

    /// Found by the attack review: 50 000 levels of include_profile overflowed the stack (and
    /// 20 000 took 1.9 s: the loop check was quadratic). Now a clear error, as for source_profile.
    #[test]
    fn chains_longer_than_the_limit_are_a_clear_error() {
        let includes = generated_chain("include_profile", 50_000);
        let err = includes.settings("p0").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "profile 'p0' in /c: its include_profile chain is longer than {MAX_CHAIN} profiles (shorten it; is the file generated?)"
            )
        );
        let sources = generated_chain("source_profile", 50_000);
        let err = sources.chain("p0", keys_for(&["p49999"])).unwrap_err();
        assert!(
            matches!(&err, ProfileError::TooLong { profile, key, .. } if profile == "p0" && key == "source_profile"),
            "{err}"
        );
    }

    #[test]
    fn chains_up_to_the_limit_resolve() {
        let includes = generated_chain("include_profile", MAX_CHAIN);
        assert_eq!(
            includes.settings("p0").unwrap().region.as_deref(),
            Some("deep")
        );
        let last = format!("p{}", MAX_CHAIN - 1);
        let sources = generated_chain("source_profile", MAX_CHAIN);
        let chain = sources
            .chain("p0", |p: &str| Ok::<bool, ProfileError>(p == last))
            .unwrap();
        assert_eq!(chain.root.profile(), last);
        assert!(matches!(
            generated_chain("include_profile", MAX_CHAIN + 1).settings("p0"),
            Err(ProfileError::TooLong { .. })
        ));
    }

    #[test]
    fn long_include_loops_are_still_loops() {
        let looped = config(
            "[profile a]\ninclude_profile = b\n[profile b]\ninclude_profile = c\n\
             [profile c]\ninclude_profile = b\n",
        );
        assert_eq!(
            looped.settings("a").unwrap_err(),
            ProfileError::Loop {
                path: "/c".into(),
                cycle: vec!["a".into(), "b".into(), "c".into(), "b".into()]
            }
        );
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
    fn sso_session_profile_is_a_root_with_the_session_values() {
        let c = config(
            "[sso-session corp]\nsso_start_url = https://corp.example/start\nsso_region = eu-west-1\n\
             [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
             [profile admin]\nrole_arn = arn:admin\nsource_profile = dev\n",
        );
        let chain = c.chain("admin", keys_for(&[])).unwrap();
        let RootSource::Sso { profile, sso } = &chain.root else {
            panic!("{:?}", chain.root)
        };
        assert_eq!(profile, "dev");
        assert_eq!(sso.start_url, "https://corp.example/start");
        assert_eq!(sso.region, "eu-west-1");
        assert_eq!(
            (sso.account_id.as_str(), sso.role_name.as_str()),
            ("111122223333", "Dev")
        );
        assert_eq!(sso.token_key(), "corp");
        assert_eq!(chain.hops.len(), 1, "the role is assumed on top of SSO");
    }

    #[test]
    fn legacy_sso_keys_and_missing_ones_are_named() {
        let c = config(
            "[profile old]\nsso_start_url = https://x/start\nsso_region = us-east-2\n\
             sso_account_id = 1\nsso_role_name = R\n\
             [profile norole]\nsso_start_url = https://x/start\nsso_region = r\nsso_account_id = 1\n\
             [profile ghost]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
        );
        let chain = c.chain("old", keys_for(&[])).unwrap();
        let RootSource::Sso { sso, .. } = &chain.root else {
            panic!()
        };
        assert_eq!(sso.token_key(), "https://x/start");
        let err = c.chain("norole", keys_for(&[])).unwrap_err().to_string();
        assert!(
            err.contains("'norole'") && err.contains("sso_role_name is missing"),
            "{err}"
        );
        let err = c.chain("ghost", keys_for(&[])).unwrap_err().to_string();
        assert!(err.contains("[sso-session nope]"), "{err}");
    }

    #[test]
    fn web_identity_takes_its_own_role_and_needs_one() {
        let c = config(
            "[profile wi]\nweb_identity_token_file = /t\nrole_arn = arn:wi\nrole_session_name = s\n\
             [profile up]\nrole_arn = arn:up\nsource_profile = wi\n\
             [profile bare]\nweb_identity_token_file = /t\n\
             [profile above]\nrole_arn = arn:above\nsource_profile = bare\n",
        );
        let chain = c.chain("up", keys_for(&[])).unwrap();
        let RootSource::WebIdentity { web_identity, .. } = &chain.root else {
            panic!("{:?}", chain.root)
        };
        assert_eq!(web_identity.role_arn, "arn:wi");
        assert_eq!(web_identity.role_session_name.as_deref(), Some("s"));
        let arns: Vec<_> = chain.hops.iter().map(|h| h.role_arn.as_str()).collect();
        assert_eq!(arns, ["arn:up"]);
        let err = c.chain("above", keys_for(&[])).unwrap_err().to_string();
        assert!(
            err.contains("'bare'") && err.contains("role_arn is missing"),
            "{err}"
        );
    }

    #[test]
    fn default_fills_what_a_profile_and_its_includes_leave_unset() {
        let c = config(
            "[default]\nregion = r0\nmfa_serial = arn:mfa\nduration_seconds = 900\n\
             session_tags = team=blue\nrole_session_name = me\n\
             [profile base]\nregion = r1\n\
             [profile inc]\ninclude_profile = base\nmfa_process = echo 1\n\
             [profile admin]\nrole_arn = arn:admin\nsource_profile = will\n",
        );
        let inc = c.settings("inc").unwrap();
        assert_eq!(inc.region.as_deref(), Some("r1"), "the include wins");
        assert_eq!(inc.mfa_serial.as_deref(), Some("arn:mfa"));
        let bare = c.settings("keys-only").unwrap();
        assert_eq!(
            bare.region.as_deref(),
            Some("r0"),
            "no section: [default]'s"
        );
        let chain = c.chain("admin", keys_for(&["will"])).unwrap();
        assert_eq!(chain.mfa_serial.as_deref(), Some("arn:mfa"));
        assert_eq!(chain.region.as_deref(), Some("r0"));
        let hop = &chain.hops[0];
        assert_eq!(hop.duration_seconds, Some(Duration::from_secs(900)));
        assert_eq!(hop.role_session_name.as_deref(), Some("me"));
        assert_eq!(hop.tags.tags, [("team".into(), "blue".into())]);
        // [default] including a profile is not a loop: its settings are merged once.
        let c = config("[default]\ninclude_profile = x\n[profile x]\nregion = rx\n");
        assert_eq!(c.settings("x").unwrap().region.as_deref(), Some("rx"));
        assert_eq!(c.settings("default").unwrap().region.as_deref(), Some("rx"));
    }

    #[test]
    fn malformed_session_tags_name_the_profile() {
        let c = config("[profile t]\nrole_arn = arn:t\nsession_tags = a=1,\n");
        let err = c.settings("t").unwrap_err().to_string();
        assert!(
            err.contains("'t'") && err.contains("session_tags") && err.contains("position 2"),
            "{err}"
        );
    }

    #[test]
    fn variables_win_and_role_ones_apply_to_the_target_only() {
        let c = config(
            "[profile will]\nmfa_serial = arn:file\n\
             [profile admin]\nrole_arn = arn:admin\nsource_profile = will\nsession_tags = a=1\n",
        );
        let env = Overrides {
            mfa_serial: Some("arn:env".into()),
            role_arn: Some("arn:env-role".into()),
            session_tags: Some("b=2".into()),
            transitive_tags: Some("b".into()),
            sts_regional_endpoints: Some("legacy".into()),
            ..Overrides::default()
        };
        let chain = c.chain_with("admin", &env, keys_for(&["will"])).unwrap();
        assert_eq!(chain.hops.len(), 1, "the source does not become a role");
        assert_eq!(chain.hops[0].role_arn, "arn:env-role");
        assert_eq!(chain.hops[0].tags.tags, [("b".into(), "2".into())]);
        assert_eq!(chain.hops[0].tags.transitive, ["b"]);
        assert_eq!(chain.mfa_serial.as_deref(), Some("arn:env"));
        assert_eq!(chain.sts_regional_endpoints, Some(StsEndpoints::Legacy));
        // A user profile with AWS_ROLE_ARN becomes a role on its own keys.
        let chain = c.chain_with("will", &env, keys_for(&["will"])).unwrap();
        assert_eq!(chain.hops[0].role_arn, "arn:env-role");
        let bad = Overrides {
            session_tags: Some("=x".into()),
            ..Overrides::default()
        };
        let err = c
            .chain_with("admin", &bad, keys_for(&["will"]))
            .unwrap_err();
        let err = err.to_string();
        assert!(
            err.contains("AWS_SESSION_TAGS") && err.contains("'admin'"),
            "{err}"
        );
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
