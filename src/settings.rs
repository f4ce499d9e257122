//! vault's settings, read from the environment once per process into [`Settings`]: TTLs,
//! time limits, the store, MFA, endpoint overrides and the rest (zoxide's `config.rs` model).
//!
//! Every `VAULT_*` setting falls back to aws-vault's `AWS_VAULT_*` name, and the TTL variables
//! are aws-vault's own, so an aws-vault user's shell keeps working unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use crate::store::Backend;

pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(3600);
pub const DEFAULT_CHAINED_SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
pub const DEFAULT_ASSUME_ROLE_TTL: Duration = Duration::from_secs(3600);
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(5 * 60);
/// AWS refuses role-chained sessions longer than this.
pub const ROLE_CHAINING_MAX: Duration = Duration::from_secs(3600);
/// How long one AWS call may take, every attempt included: an unreachable or silent endpoint
/// is an error in seconds, not a hung prompt.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the shell hook waits for another vault process fetching the same session: no
/// longer than one call may take.
pub const DEFAULT_LOCK_WAIT: Duration = DEFAULT_CALL_TIMEOUT;

/// Parse `1h`, `15m`, `90s`, `1h30m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(text).map_err(|e| {
        crate::term::escape(&format!(
            "'{text}' is not a duration ({e}); use e.g. 15m, 1h, 12h"
        ))
        .into_owned()
    })
}

/// `~/x` as a path under the home directory; anything else as it is.
pub fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

/// A non-empty environment variable. Only for the shell-environment inputs kept out of
/// [`Settings`] (see there); a setting is a field of `Settings`.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// How [`Settings`] looks a variable up: `std::env::var`'s shape, so tests can hand in a map.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Result<String, std::env::VarError>;

/// Every setting of vault's own, read once per process (see [`get`]); tests build one with
/// [`Settings::from_vars`].
///
/// Kept out, read where they are used: the shell-environment inputs the hook decides on (PWD,
/// __VAULT_STATE, the managed AWS_* credential and region variables, AWS_VAULT,
/// AWS_CREDENTIAL_EXPIRATION, __VAULT_SHELL), which are the shell's state rather than
/// settings; the platform's facts (DBUS_SESSION_BUS_ADDRESS, DISPLAY, ...); and secrets
/// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for `add --env`, the passphrase variables), which
/// stay in `Zeroizing` buffers and out of any `Debug`-able struct.
#[derive(Debug, Clone)]
pub struct Settings {
    pub ttls: Ttls,
    /// `VAULT_CALL_TIMEOUT`: the time limit of one AWS call (an advanced setting; tests
    /// shorten it).
    pub call_timeout: Duration,
    /// `VAULT_LOCK_WAIT`: how long the shell hook waits for another process's session lock.
    pub lock_wait: Duration,
    /// `AWS_FEDERATION_TOKEN_TTL`; its error matters only to `login` with long-term keys.
    pub federation_token_ttl: Result<Option<Duration>, String>,
    pub store: StoreSettings,
    /// `VAULT_DEBUG`.
    pub debug: bool,
    /// `VAULT_PROMPT`, else `AWS_VAULT_PROMPT`: the MFA prompt driver.
    pub mfa_prompt: Option<String>,
    /// aws-vault's settings of its `ykman` prompt driver (YKMAN_OATH_CREDENTIAL_NAME, ...).
    pub ykman: crate::creds::mfa::YkmanSettings,
    /// `VAULT_FEDERATION_ENDPOINT`.
    pub federation_endpoint: Option<String>,
    /// `AWS_CONFIG_FILE`, a leading `~/` expanded.
    pub config_file: Option<PathBuf>,
    /// `AWS_SHARED_CREDENTIALS_FILE`, a leading `~/` expanded (`import-credentials`).
    pub credentials_file: Option<PathBuf>,
    /// The endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`, ...) that are set.
    pub endpoints: BTreeMap<&'static str, String>,
    /// `BROWSER`.
    pub browser: Option<String>,
    /// `VAULT_LOGIN_BROWSER`: the default of `login --browser` (a name such as
    /// `firefox-container`, or a command).
    pub login_browser: Option<String>,
    /// `SHELL`: what `vault exec` runs without a command.
    pub shell: Option<String>,
    /// `AWS_VAULT_DURATION`: the same as `--duration`, which wins over it.
    pub duration: Option<Duration>,
    /// `AWS_VAULT_STDOUT`: `login --stdout`.
    pub login_stdout: bool,
    /// `VAULT_SSO_USE_DEVICE_CODE`: IAM Identity Center sign-ins use the device code flow
    /// (a code typed on any device) instead of the browser redirect to this machine.
    pub sso_use_device_code: bool,
    /// `AWS_VAULT_PROFILE_ENV`: `exec --profile-env`.
    pub profile_env: bool,
    /// The profile settings environment variables give (AWS_ROLE_ARN, AWS_MFA_SERIAL, ...).
    pub profile: crate::profile::Overrides,
    pub import: ImportSettings,
    /// One line per malformed TTL or time-limit variable, naming it. The values above hold the
    /// defaults in their place: commands that fetch refuse them ([`Settings::check`]); the
    /// shell hook reports them and goes on, so one typo cannot reset another setting.
    pub problems: Vec<String>,
}

/// The secret store's settings.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// `VAULT_BACKEND`, else aws-vault's `AWS_VAULT_BACKEND`; its error matters only when no
    /// `--backend` is given.
    pub backend: Result<Option<Backend>, String>,
    /// `VAULT_FILE_DIR`.
    pub file_dir: Option<PathBuf>,
    /// `VAULT_FILE_UNLOCK_TTL`: how long the file store's unlock is remembered (`None`: not
    /// at all); its error matters only when the file store opens.
    pub file_unlock_ttl: Result<Option<Duration>, String>,
    /// `VAULT_PASS_PASSWORD_STORE_DIR`, else `AWS_VAULT_PASS_PASSWORD_STORE_DIR`.
    pub pass_dir: Option<PathBuf>,
    /// `VAULT_PASS_CMD`, else `AWS_VAULT_PASS_CMD`.
    pub pass_cmd: Option<String>,
    /// `VAULT_PASS_PREFIX` (no aws-vault fallback: see `store::pass`).
    pub pass_prefix: Option<String>,
}

/// Where `import-aws-vault` finds aws-vault's store: aws-vault's own variables.
#[derive(Debug, Clone, Default)]
pub struct ImportSettings {
    /// `AWS_VAULT_BACKEND`.
    pub backend: Option<String>,
    /// `AWS_VAULT_FILE_DIR`.
    pub file_dir: Option<String>,
    /// `AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME`.
    pub collection_name: Option<String>,
    /// `AWS_VAULT_KEYCTL_SCOPE`.
    pub keyctl_scope: Option<String>,
    /// `AWS_VAULT_PASS_PASSWORD_STORE_DIR`.
    pub pass_dir: Option<String>,
    /// `AWS_VAULT_PASS_CMD`.
    pub pass_cmd: Option<String>,
    /// `AWS_VAULT_PASS_PREFIX`.
    pub pass_prefix: Option<String>,
}

impl Settings {
    /// The process environment's settings, a malformed one listed in `problems`.
    pub fn from_env_lenient() -> Settings {
        Settings::from_vars(&|name| std::env::var(name))
    }

    /// The settings `lookup` gives (an empty value is unset), a malformed one listed in
    /// `problems` with its default in its place.
    pub fn from_vars(lookup: Lookup) -> Settings {
        let text = |name: &str| lookup(name).ok().filter(|v| !v.is_empty());
        let fallback = |ours: &str, theirs: &str| text(ours).or_else(|| text(theirs));
        let mut problems = vec![];
        let mut duration = |name: &str| match duration_var(name, text(name)) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("{e:#}"));
                None
            }
        };
        let ttls = Ttls {
            session: duration("AWS_SESSION_TOKEN_TTL"),
            chained_session: duration("AWS_CHAINED_SESSION_TOKEN_TTL"),
            assume_role: duration("AWS_ASSUME_ROLE_TTL"),
            min_ttl: duration("AWS_MIN_TTL").unwrap_or(DEFAULT_MIN_TTL),
        };
        let duration = duration("AWS_VAULT_DURATION");
        let mut positive =
            |name: &str, default: Duration| match positive_duration_var(name, text(name)) {
                Ok(value) => value.unwrap_or(default),
                Err(e) => {
                    problems.push(format!("{e:#}"));
                    default
                }
            };
        let call_timeout = positive("VAULT_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT);
        let lock_wait = positive("VAULT_LOCK_WAIT", DEFAULT_LOCK_WAIT);
        let federation_token_ttl =
            duration_var("AWS_FEDERATION_TOKEN_TTL", text("AWS_FEDERATION_TOKEN_TTL"))
                .map_err(|e| format!("{e:#}"));
        let mut flag = |name: &str| match bool_var(name, text(name)) {
            Ok(value) => value,
            Err(e) => {
                problems.push(e);
                false
            }
        };
        let login_stdout = flag("AWS_VAULT_STDOUT");
        let sso_use_device_code = flag("VAULT_SSO_USE_DEVICE_CODE");
        let profile_env = flag("AWS_VAULT_PROFILE_ENV");
        Settings {
            ttls,
            call_timeout,
            lock_wait,
            federation_token_ttl,
            store: StoreSettings::from_vars(lookup),
            debug: text("VAULT_DEBUG").is_some(),
            mfa_prompt: fallback("VAULT_PROMPT", "AWS_VAULT_PROMPT"),
            ykman: crate::creds::mfa::YkmanSettings::from_vars(text),
            federation_endpoint: text("VAULT_FEDERATION_ENDPOINT"),
            config_file: text("AWS_CONFIG_FILE").map(|path| expand_home(&path)),
            credentials_file: text("AWS_SHARED_CREDENTIALS_FILE").map(|path| expand_home(&path)),
            endpoints: crate::aws::endpoint::VARIABLES
                .iter()
                .filter_map(|&name| Some((name, text(name)?)))
                .collect(),
            browser: text("BROWSER"),
            login_browser: text("VAULT_LOGIN_BROWSER"),
            shell: text("SHELL"),
            duration,
            login_stdout,
            sso_use_device_code,
            profile_env,
            profile: crate::profile::Overrides::from_vars(text),
            import: ImportSettings {
                backend: text("AWS_VAULT_BACKEND"),
                file_dir: text("AWS_VAULT_FILE_DIR"),
                collection_name: text("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME"),
                keyctl_scope: text("AWS_VAULT_KEYCTL_SCOPE"),
                pass_dir: text("AWS_VAULT_PASS_PASSWORD_STORE_DIR"),
                pass_cmd: text("AWS_VAULT_PASS_CMD"),
                pass_prefix: text("AWS_VAULT_PASS_PREFIX"),
            },
            problems,
        }
    }

    /// These settings, or the first malformed TTL or time limit: what every command that
    /// fetches credentials refuses to go on with.
    pub fn check(&self) -> Result<&Settings> {
        match self.problems.first() {
            Some(problem) => Err(anyhow!("{problem}")),
            None => Ok(self),
        }
    }
}

impl Settings {
    /// Each malformed TTL or time limit on one line of stderr (see `problems`).
    pub fn report_problems(&self) {
        for problem in &self.problems {
            crate::term::say(&format!("{problem} (using the default)"));
        }
    }
}

impl Default for Settings {
    /// Every setting unset.
    fn default() -> Settings {
        Settings::from_vars(&|_| Err(std::env::VarError::NotPresent))
    }
}

impl StoreSettings {
    /// The store's settings in the process environment now. `store::open` reads them at each
    /// call: a library caller (the store tests) may change them between two opens.
    pub fn from_env() -> StoreSettings {
        StoreSettings::from_vars(&|name| std::env::var(name))
    }

    fn from_vars(lookup: Lookup) -> StoreSettings {
        let text = |name: &str| lookup(name).ok().filter(|v| !v.is_empty());
        StoreSettings {
            backend: backend_var(lookup),
            file_dir: text("VAULT_FILE_DIR").map(PathBuf::from),
            file_unlock_ttl: crate::store::file::unlock_ttl_setting(
                text(crate::store::file::UNLOCK_TTL_VAR).as_deref(),
            ),
            pass_dir: text("VAULT_PASS_PASSWORD_STORE_DIR")
                .or_else(|| text("AWS_VAULT_PASS_PASSWORD_STORE_DIR"))
                .map(|dir| expand_home(&dir)),
            pass_cmd: text("VAULT_PASS_CMD").or_else(|| text("AWS_VAULT_PASS_CMD")),
            pass_prefix: text("VAULT_PASS_PREFIX"),
        }
    }
}

/// VAULT_BACKEND, else aws-vault's AWS_VAULT_BACKEND; empty (or blank) means unset.
fn backend_var(lookup: Lookup) -> Result<Option<Backend>, String> {
    for name in ["VAULT_BACKEND", "AWS_VAULT_BACKEND"] {
        match lookup(name) {
            Ok(value) if !value.trim().is_empty() => {
                return value
                    .parse()
                    .map(Some)
                    .map_err(|e| format!("bad {name}: {e}"));
            }
            Ok(_) | Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => return Err(format!("bad {name}: not UTF-8")),
        }
    }
    Ok(None)
}

/// The settings of this process, read at the first call. For the edges (commands, the SDK's
/// shared config); code below them takes what it needs as arguments.
pub fn get() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(Settings::from_env_lenient)
}

/// A duration setting, with the variable named in the error.
fn duration_var(name: &str, text: Option<String>) -> Result<Option<Duration>> {
    match text {
        None => Ok(None),
        Some(text) => parse_duration(&text)
            .map(Some)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("environment variable {name}")),
    }
}

/// A yes/no setting in the forms aws-vault's flag parser takes (Go's `strconv.ParseBool`).
fn bool_var(name: &str, text: Option<String>) -> Result<bool, String> {
    match text.as_deref().map(str::trim) {
        None => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(other) => Err(crate::term::escape(&format!(
            "environment variable {name}: '{other}' is neither true nor false"
        ))
        .into_owned()),
    }
}

/// A duration setting that must be more than zero.
fn positive_duration_var(name: &str, text: Option<String>) -> Result<Option<Duration>> {
    match duration_var(name, text)? {
        Some(limit) if limit.is_zero() => bail!("environment variable {name}: must be more than 0"),
        limit => Ok(limit),
    }
}

/// The TTLs in force: aws-vault's variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ttls {
    /// `AWS_SESSION_TOKEN_TTL`.
    pub session: Option<Duration>,
    /// `AWS_CHAINED_SESSION_TOKEN_TTL`.
    pub chained_session: Option<Duration>,
    /// `AWS_ASSUME_ROLE_TTL`.
    pub assume_role: Option<Duration>,
    /// `AWS_MIN_TTL`: a cached session with less left than this is not reused.
    pub min_ttl: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_the_forms_users_type() {
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("soon").unwrap_err().contains("'soon'"));
    }

    fn from(vars: &[(&str, &str)]) -> Settings {
        Settings::from_vars(&|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
                .ok_or(std::env::VarError::NotPresent)
        })
    }

    #[test]
    fn a_malformed_ttl_leaves_the_others_as_set() {
        let settings = from(&[
            ("AWS_SESSION_TOKEN_TTL", "soon"),
            ("AWS_MIN_TTL", "20m"),
            ("VAULT_LOCK_WAIT", "0"),
            ("AWS_ASSUME_ROLE_TTL", "2h"),
        ]);
        assert_eq!(settings.ttls.min_ttl, Duration::from_secs(20 * 60));
        assert_eq!(settings.ttls.assume_role, Some(Duration::from_secs(7200)));
        assert_eq!(settings.ttls.session, None);
        assert_eq!(settings.lock_wait, DEFAULT_LOCK_WAIT);
        assert_eq!(settings.problems.len(), 2, "{:?}", settings.problems);
        assert!(settings.problems[0].starts_with("environment variable AWS_SESSION_TOKEN_TTL: "));
        assert!(settings.problems[1].contains("VAULT_LOCK_WAIT: must be more than 0"));
        let err = format!("{:#}", settings.check().unwrap_err());
        assert!(
            err.contains("AWS_SESSION_TOKEN_TTL") && !err.contains('\n'),
            "{err}"
        );
    }

    #[test]
    fn vault_names_win_over_aws_vault_names_and_empty_is_unset() {
        let settings = from(&[
            ("VAULT_PROMPT", ""),
            ("AWS_VAULT_PROMPT", "terminal"),
            ("VAULT_BACKEND", "file"),
            ("AWS_VAULT_BACKEND", "keyctl"),
            ("AWS_ENDPOINT_URL_STS", "http://sts"),
            ("AWS_ENDPOINT_URL", ""),
        ]);
        assert_eq!(settings.mfa_prompt.as_deref(), Some("terminal"));
        assert_eq!(settings.store.backend, Ok(Some(Backend::File)));
        assert_eq!(settings.import.backend.as_deref(), Some("keyctl"));
        assert_eq!(
            settings.endpoints.iter().collect::<Vec<_>>(),
            [(&"AWS_ENDPOINT_URL_STS", &"http://sts".to_string())]
        );
        assert!(settings.problems.is_empty());
        let unset = Settings::default();
        assert_eq!(unset.ttls.min_ttl, DEFAULT_MIN_TTL);
        assert_eq!(unset.call_timeout, DEFAULT_CALL_TIMEOUT);
        assert_eq!(
            unset.store.file_unlock_ttl,
            Ok(Some(Duration::from_secs(15 * 60)))
        );
        assert!(!unset.debug);
    }

    #[test]
    fn aws_vault_variables_for_commands_and_profiles() {
        let settings = from(&[
            ("AWS_VAULT_DURATION", "2h"),
            ("AWS_VAULT_STDOUT", "true"),
            ("AWS_VAULT_PROFILE_ENV", "0"),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
            ("AWS_MFA_SERIAL", ""),
        ]);
        assert_eq!(settings.duration, Some(Duration::from_secs(7200)));
        assert!(settings.login_stdout && !settings.profile_env);
        assert_eq!(
            settings.profile.role_arn.as_deref(),
            Some("arn:aws:iam::1:role/r")
        );
        assert_eq!(settings.profile.mfa_serial, None);
        assert!(settings.problems.is_empty(), "{:?}", settings.problems);
        let bad = from(&[("AWS_VAULT_STDOUT", "yes"), ("AWS_VAULT_DURATION", "long")]);
        assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
        assert!(bad.problems.iter().any(|p| p.contains("AWS_VAULT_STDOUT")));
        assert!(
            bad.problems
                .iter()
                .any(|p| p.contains("AWS_VAULT_DURATION"))
        );
    }

    #[test]
    fn settings_with_a_lazy_error_report_it_where_they_are_used() {
        let settings = from(&[
            ("VAULT_BACKEND", "kwallet"),
            ("VAULT_FILE_UNLOCK_TTL", "a while"),
            ("AWS_FEDERATION_TOKEN_TTL", "long"),
        ]);
        assert!(settings.problems.is_empty(), "no fetch refuses these");
        assert!(
            settings
                .store
                .backend
                .unwrap_err()
                .starts_with("bad VAULT_BACKEND: ")
        );
        assert!(
            settings
                .store
                .file_unlock_ttl
                .unwrap_err()
                .contains("'a while'")
        );
        assert!(
            settings
                .federation_token_ttl
                .unwrap_err()
                .contains("AWS_FEDERATION_TOKEN_TTL")
        );
    }
}
