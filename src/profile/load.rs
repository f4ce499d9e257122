//! Reading the config file. The parsing itself is aws-config's (the same parser the AWS SDKs
//! use), so we accept exactly what the AWS CLI accepts.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};

/// Where the config file is: AWS_CONFIG_FILE, else ~/.aws/config.
pub fn config_path() -> Result<PathBuf> {
    if let Some(path) = &crate::settings::get().config_file {
        return Ok(path.clone());
    }
    let home = dirs::home_dir().ok_or_else(|| anyhow!("cannot find the home directory"))?;
    Ok(home.join(".aws").join("config"))
}

/// The user's config file (see [`config_path`]), with its path in debug output.
pub fn load_config() -> Result<ConfigFile> {
    let path = config_path()?;
    crate::debug!("config: {}", path.display());
    ConfigFile::load(&path)
}

/// The parsed config: every profile's properties (keys lower-cased by the parser) and every
/// `[sso-session]` section.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub profiles: BTreeMap<String, BTreeMap<String, String>>,
    pub sso_sessions: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfigFile {
    /// Load the config file at `path`. A missing file is an empty config (like the AWS CLI);
    /// a malformed one is an error naming the file and line.
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let contents = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Self::parse(path, &contents)
    }

    /// Parse `contents` as the config file at `path` (the path is only used in messages).
    pub fn parse(path: &Path, contents: &str) -> Result<ConfigFile> {
        let files = EnvConfigFiles::builder()
            .with_contents(EnvConfigFileKind::Config, contents.to_string())
            .build();
        // The loader is async only because it may read files; with in-memory contents the
        // future is ready at its first poll, so no runtime is started.
        let set = crate::aws::ready(aws_config::profile::load(
            &Fs::from_slice(&[]),
            &Env::from_slice(&[]),
            &files,
            Some(Cow::Borrowed("default")),
        ))
        .context("the config parser waited for I/O it should not need")?
        .map_err(|e| {
            // The parser's Display is generic; the line number is in its source error.
            let detail = std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string());
            anyhow!("{}", describe_parse_error(&detail, path))
        })?;
        Ok(Self::from_set(path, &set))
    }

    fn from_set(path: &Path, set: &ProfileSet) -> ConfigFile {
        let mut profiles = BTreeMap::new();
        for name in set.profiles() {
            let profile = set.get_profile(name).expect("listed profile exists");
            profiles.insert(name.to_string(), properties(|k| profile.get(k)));
        }
        let mut sso_sessions = BTreeMap::new();
        for name in set.sso_sessions() {
            let session = set.sso_session(name).expect("listed sso-session exists");
            sso_sessions.insert(name.to_string(), properties(|k| session.get(k)));
        }
        ConfigFile {
            path: path.to_path_buf(),
            profiles,
            sso_sessions,
        }
    }

    pub fn has_profile(&self, name: &str) -> bool {
        self.profiles.contains_key(name)
    }

    /// Profile names in the order users expect: `default` first, then alphabetical.
    pub fn profile_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
        names.sort_by_key(|n| (*n != "default", *n));
        names
    }
}

/// The keys vault understands (aws-vault's set). The parser keeps sections' property maps
/// private, so we ask for each known key; its lookups are case-insensitive.
pub const KNOWN_KEYS: &[&str] = &[
    "region",
    "mfa_serial",
    "role_arn",
    "external_id",
    "role_session_name",
    "duration_seconds",
    "source_profile",
    "include_profile",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
    "mfa_process",
    "web_identity_token_file",
    "web_identity_token_process",
    "session_tags",
    "transitive_session_tags",
    "source_identity",
    "endpoint_url",
    "sts_regional_endpoints",
];

fn properties<'a>(get: impl Fn(&str) -> Option<&'a str>) -> BTreeMap<String, String> {
    KNOWN_KEYS
        .iter()
        .filter_map(|key| get(key).map(|v| (key.to_string(), v.to_string())))
        .collect()
}

/// The parser reports `error parsing <source> on line N:\n  <message>`; we name the real file
/// and keep it on one line.
fn describe_parse_error(raw: &str, path: &Path) -> String {
    // The line break and indent after `N:` are the parser's layout, not part of the message.
    let detail = match raw.split_once(" on line ") {
        Some((_, rest)) => {
            let (line, message) = rest.split_once(':').unwrap_or((rest, ""));
            format!("line {}: {}", line.trim(), message.trim())
        }
        None => raw.trim().to_string(),
    };
    format!(
        "malformed config {}: {} (fix that line, or point AWS_CONFIG_FILE elsewhere)",
        path.display(),
        crate::term::escape(&detail)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile> {
        ConfigFile::parse(Path::new("/home/u/.aws/config"), text)
    }

    #[test]
    fn reads_profiles_and_default() {
        let config = parse(
            "[default]\nregion = eu-west-1\n[profile will]\nRegion = us-east-2\n# note\n[profile b]\nmfa_serial=arn:x\n",
        )
        .unwrap();
        assert_eq!(config.profile_names(), vec!["default", "b", "will"]);
        assert_eq!(config.profiles["will"]["region"], "us-east-2");
        assert_eq!(config.profiles["default"]["region"], "eu-west-1");
    }

    #[test]
    fn sso_sessions_are_separate_sections() {
        let config =
            parse("[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n")
                .unwrap();
        assert_eq!(config.sso_sessions["corp"]["sso_region"], "eu-west-1");
        assert!(config.profiles.is_empty());
    }

    #[test]
    fn malformed_config_names_file_and_line() {
        let err = parse("[profile ok]\nregion = x\nthis is not ini\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/home/u/.aws/config"), "{msg}");
        assert!(msg.contains("line 3: "), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }
}
