//! The pure credential planner: which STS calls, in what order, what is cached and where MFA
//! is asked, following the table in docs/profiles.md, "Which STS calls, what is cached, when MFA is asked"
//! (aws-vault's maintained fork).

use std::ops::RangeInclusive;
use std::time::Duration;

use super::items;
use crate::profile::{Chain, Hop, RootSource};
use crate::settings::{
    DEFAULT_ASSUME_ROLE_TTL, DEFAULT_CHAINED_SESSION_TTL, DEFAULT_SESSION_TTL, ROLE_CHAINING_MAX,
    Ttls,
};

/// Command-line choices that change the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub no_session: bool,
    pub duration: Option<Duration>,
}

/// One call to make on top of the credentials so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    GetSessionToken {
        profile: String,
        duration: Duration,
        mfa_serial: Option<String>,
        cache_key: String,
    },
    AssumeRole {
        hop: Hop,
        duration: Duration,
        mfa_serial: Option<String>,
        cache_key: Option<String>,
    },
}

impl Step {
    pub fn cache_key(&self) -> Option<&str> {
        match self {
            Step::GetSessionToken { cache_key, .. } => Some(cache_key),
            Step::AssumeRole { cache_key, .. } => cache_key.as_deref(),
        }
    }

    /// The lifetime the call asks for.
    pub fn duration(&self) -> Duration {
        match self {
            Step::GetSessionToken { duration, .. } | Step::AssumeRole { duration, .. } => *duration,
        }
    }

    pub fn mfa_serial(&self) -> Option<&str> {
        match self {
            Step::GetSessionToken { mfa_serial, .. } | Step::AssumeRole { mfa_serial, .. } => {
                mfa_serial.as_deref()
            }
        }
    }
}

/// What STS accepts for GetSessionToken from an IAM user's keys: 15m to 36h.
pub const SESSION_RANGE: RangeInclusive<Duration> =
    Duration::from_secs(15 * 60)..=Duration::from_secs(36 * 3600);
/// What STS accepts for AssumeRole from long-term keys: 15m to 12h (the role's own maximum
/// session duration may be lower; STS says so itself).
pub const ROLE_RANGE: RangeInclusive<Duration> =
    Duration::from_secs(15 * 60)..=Duration::from_secs(12 * 3600);
/// What STS accepts for AssumeRole from temporary credentials (role chaining): 15m to 1h.
pub const CHAINED_ROLE_RANGE: RangeInclusive<Duration> =
    Duration::from_secs(15 * 60)..=ROLE_CHAINING_MAX;

/// A duration STS would refuse, found before any call is made (and before MFA is asked).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "profile '{}': {call} for {} is outside what STS accepts ({} to {}{}); choose a duration in that range with --duration, the AWS_*_TTL variables or duration_seconds",
    crate::term::escape(profile),
    humantime::format_duration(*asked),
    short(*range.start()),
    short(*range.end()),
    if *chained { " when assumed with temporary credentials" } else { "" }
)]
pub struct DurationError {
    pub profile: String,
    pub call: &'static str,
    pub asked: Duration,
    pub range: RangeInclusive<Duration>,
    pub chained: bool,
}

/// A range bound as people write it for `--duration` (15m, 36h), not "1day 12h".
fn short(d: Duration) -> String {
    match d.as_secs() {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s => format!("{}m", s / 60),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub root: RootSource,
    pub steps: Vec<Step>,
}

/// Decide the calls for `chain`, refusing durations STS would refuse.
pub fn plan(chain: &Chain, flags: &Flags, ttls: &Ttls) -> Result<Plan, DurationError> {
    let plan = decide(chain, flags, ttls);
    check_durations(&plan)?;
    Ok(plan)
}

/// Every step's duration within what STS accepts for it. A hop after the first, or the first
/// over a session or a non-key root, runs on temporary credentials: the planner already caps
/// those at 1h, so only a too-short ask can fail there.
pub fn check_durations(plan: &Plan) -> Result<(), DurationError> {
    let mut temporary = !matches!(plan.root, RootSource::StoredKeys { .. });
    for step in &plan.steps {
        let (profile, call, range) = match step {
            Step::GetSessionToken { profile, .. } => (profile, "GetSessionToken", SESSION_RANGE),
            Step::AssumeRole { hop, .. } if temporary => {
                (&hop.profile, "AssumeRole", CHAINED_ROLE_RANGE)
            }
            Step::AssumeRole { hop, .. } => (&hop.profile, "AssumeRole", ROLE_RANGE),
        };
        let asked = step.duration();
        if !range.contains(&asked) {
            return Err(DurationError {
                profile: profile.clone(),
                call,
                asked,
                chained: temporary && call == "AssumeRole",
                range,
            });
        }
        temporary = true;
    }
    Ok(())
}

/// The fork's rules (vault/vault.go, `primeWithGetSessionToken`), over a resolved chain.
fn decide(chain: &Chain, flags: &Flags, ttls: &Ttls) -> Plan {
    let stored = matches!(chain.root, RootSource::StoredKeys { .. });
    let root_profile = chain.root.profile().to_string();
    let mfa = chain.mfa_serial.clone();
    let mut steps = vec![];

    let Some(first) = chain.hops.first() else {
        if stored && !flags.no_session {
            steps.push(Step::GetSessionToken {
                duration: flags
                    .duration
                    .or(ttls.session)
                    .unwrap_or(DEFAULT_SESSION_TTL),
                mfa_serial: mfa,
                cache_key: items::session_item(&root_profile),
                profile: root_profile,
            });
        }
        return Plan {
            root: chain.root.clone(),
            steps,
        };
    };

    // A session in front of the roles lets one MFA code serve every role for hours; AWS caps
    // roles assumed from a session at 1h, so a single role that wants longer asks MFA itself.
    // A single role over its own keys has no source to share a session with: aws-vault
    // assumes it directly with the MFA code, and so does vault. Two roles or more always go
    // through the session, so MFA is asked once.
    let first_duration = role_duration(first, flags, ttls);
    let single_hop = chain.hops.len() == 1;
    let role_over_own_keys = first.profile == root_profile;
    // aws-vault (canUseGetSessionToken) shares a session only when the root's own device is
    // the first role's (or the role names none and takes the root's): a role that alone names
    // a device is assumed with the code directly.
    let root_mfa = chain.root_mfa_serial.as_ref();
    let same_device = root_mfa.is_some()
        && first
            .mfa_serial
            .as_ref()
            .is_none_or(|own| Some(own) == root_mfa);
    let use_session = stored
        && !flags.no_session
        && same_device
        && !(single_hop && role_over_own_keys)
        && (!single_hop || first_duration <= ROLE_CHAINING_MAX);
    if use_session {
        steps.push(Step::GetSessionToken {
            // aws-vault's --duration sets the chained session's lifetime too (cli/exec.go).
            duration: flags
                .duration
                .or(ttls.chained_session)
                .unwrap_or(DEFAULT_CHAINED_SESSION_TTL),
            mfa_serial: root_mfa.cloned(),
            cache_key: items::session_item(&root_profile),
            profile: root_profile,
        });
    }
    let source_is_temporary_at_start = use_session || !stored;
    for (index, hop) in chain.hops.iter().enumerate() {
        let mut duration = role_duration(hop, flags, ttls);
        if index > 0 || source_is_temporary_at_start {
            duration = duration.min(ROLE_CHAINING_MAX);
        }
        let mfa_serial = if index == 0 && !use_session {
            mfa.clone()
        } else {
            // A later hop asks again only when it names a different device than the one
            // already used (the session's, else the chain's on the first hop).
            let used = if use_session { root_mfa } else { mfa.as_ref() };
            hop.mfa_serial.clone().filter(|m| Some(m) != used)
        };
        // Every role is cached (issue 11): without it each exec, export, credential_process
        // call and `cd` made a fresh AssumeRole per hop. The binding keeps a hop cached from
        // one chain from serving another that reached it otherwise.
        let cache_key = Some(items::role_item(&hop.profile));
        steps.push(Step::AssumeRole {
            hop: hop.clone(),
            duration,
            mfa_serial,
            cache_key,
        });
    }
    Plan {
        root: chain.root.clone(),
        steps,
    }
}

/// `--duration` > AWS_ASSUME_ROLE_TTL > the profile's duration_seconds > 1h.
fn role_duration(hop: &Hop, flags: &Flags, ttls: &Ttls) -> Duration {
    flags
        .duration
        .or(ttls.assume_role)
        .or(hop.duration_seconds)
        .unwrap_or(DEFAULT_ASSUME_ROLE_TTL)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3600;

    fn ttls() -> Ttls {
        Ttls {
            session: None,
            chained_session: None,
            assume_role: None,
            min_ttl: Duration::from_secs(300),
        }
    }

    fn hop(name: &str) -> Hop {
        Hop::bare(name, format!("arn:aws:iam::123456789012:role/{name}"))
    }

    fn chain(hops: Vec<Hop>, mfa: Option<&str>) -> Chain {
        Chain {
            target: hops
                .last()
                .map(|h| h.profile.clone())
                .unwrap_or("will".into()),
            root: RootSource::StoredKeys {
                profile: "will".into(),
            },
            hops,
            region: None,
            mfa_serial: mfa.map(String::from),
            root_mfa_serial: mfa.map(String::from),
            mfa_process: None,
            endpoint_url: None,
            sts_regional_endpoints: None,
        }
    }

    fn ok(chain: &Chain, flags: &Flags, ttls: &Ttls) -> Plan {
        plan(chain, flags, ttls).expect("durations within STS's ranges")
    }

    fn kinds(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .map(|s| match s {
                Step::GetSessionToken {
                    duration,
                    mfa_serial,
                    ..
                } => {
                    format!(
                        "session {}s mfa={}",
                        duration.as_secs(),
                        mfa_serial.is_some()
                    )
                }
                Step::AssumeRole {
                    hop,
                    duration,
                    mfa_serial,
                    cache_key,
                } => format!(
                    "role {} {}s mfa={} cached={}",
                    hop.profile,
                    duration.as_secs(),
                    mfa_serial.is_some(),
                    cache_key.is_some()
                ),
            })
            .collect()
    }

    #[test]
    fn user_keys_no_session_make_no_call() {
        let flags = Flags {
            no_session: true,
            duration: None,
        };
        assert!(ok(&chain(vec![], None), &flags, &ttls()).steps.is_empty());
    }

    #[test]
    fn user_keys_get_a_cached_session_token() {
        let p = ok(&chain(vec![], None), &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["session 3600s mfa=false"]);
        assert_eq!(p.steps[0].cache_key(), Some("session:will"));
    }

    #[test]
    fn user_keys_with_mfa_ask_once_per_session() {
        let p = ok(&chain(vec![], Some("arn:mfa")), &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["session 3600s mfa=true"]);
    }

    #[test]
    fn role_without_mfa_is_assumed_directly_and_cached() {
        let p = ok(&chain(vec![hop("admin")], None), &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["role admin 3600s mfa=false cached=true"]);
    }

    #[test]
    fn role_with_mfa_goes_through_a_chained_session() {
        let p = ok(
            &chain(vec![hop("admin")], Some("arn:mfa")),
            &Flags::default(),
            &ttls(),
        );
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role admin 3600s mfa=false cached=true"
            ]
        );
    }

    #[test]
    fn role_with_mfa_wanting_more_than_an_hour_asks_mfa_itself_and_is_cached() {
        let flags = Flags {
            no_session: false,
            duration: Some(Duration::from_secs(4 * H)),
        };
        let p = ok(&chain(vec![hop("admin")], Some("arn:mfa")), &flags, &ttls());
        assert_eq!(kinds(&p), ["role admin 14400s mfa=true cached=true"]);
        assert_eq!(p.steps[0].cache_key(), Some("role:admin"));
    }

    #[test]
    fn role_with_mfa_and_no_session_is_cached() {
        let flags = Flags {
            no_session: true,
            duration: None,
        };
        let p = ok(&chain(vec![hop("admin")], Some("arn:mfa")), &flags, &ttls());
        assert_eq!(kinds(&p), ["role admin 3600s mfa=true cached=true"]);
    }

    #[test]
    fn three_hop_chain_asks_mfa_once_and_caps_every_hop_at_an_hour() {
        let mut long = hop("c");
        long.duration_seconds = Some(Duration::from_secs(6 * H));
        let p = ok(
            &chain(vec![hop("a"), hop("b"), long], Some("arn:mfa")),
            &Flags::default(),
            &ttls(),
        );
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role a 3600s mfa=false cached=true",
                "role b 3600s mfa=false cached=true",
                "role c 3600s mfa=false cached=true"
            ]
        );
    }

    #[test]
    fn chain_without_mfa_assumes_from_keys_and_caps_later_hops() {
        let flags = Flags {
            no_session: false,
            duration: Some(Duration::from_secs(2 * H)),
        };
        let p = ok(&chain(vec![hop("a"), hop("b")], None), &flags, &ttls());
        assert_eq!(
            kinds(&p),
            [
                "role a 7200s mfa=false cached=true",
                "role b 3600s mfa=false cached=true"
            ]
        );
    }

    #[test]
    fn ttl_precedence_is_flag_then_env_then_profile_then_default() {
        let mut h = hop("admin");
        h.duration_seconds = Some(Duration::from_secs(1800));
        let c = chain(vec![h], None);
        let env = Ttls {
            assume_role: Some(Duration::from_secs(2400)),
            ..ttls()
        };
        assert_eq!(
            kinds(&ok(&c, &Flags::default(), &ttls())),
            ["role admin 1800s mfa=false cached=true"]
        );
        assert_eq!(
            kinds(&ok(&c, &Flags::default(), &env)),
            ["role admin 2400s mfa=false cached=true"]
        );
        let flags = Flags {
            no_session: false,
            duration: Some(Duration::from_secs(900)),
        };
        assert_eq!(
            kinds(&ok(&c, &flags, &env)),
            ["role admin 900s mfa=false cached=true"]
        );
        let session_env = Ttls {
            session: Some(Duration::from_secs(7200)),
            ..ttls()
        };
        assert_eq!(
            kinds(&ok(&chain(vec![], None), &Flags::default(), &session_env)),
            ["session 7200s mfa=false"]
        );
        let chained_env = Ttls {
            chained_session: Some(Duration::from_secs(4 * H)),
            ..ttls()
        };
        assert_eq!(
            kinds(&ok(
                &chain(vec![hop("x")], Some("m")),
                &Flags::default(),
                &chained_env
            ))[0],
            "session 14400s mfa=true"
        );
    }

    #[test]
    fn credential_process_root_never_gets_a_session() {
        let mut c = chain(vec![hop("r")], Some("arn:mfa"));
        c.root = RootSource::CredentialProcess {
            profile: "cp".into(),
            command: "x".into(),
        };
        let p = ok(&c, &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["role r 3600s mfa=true cached=true"]);
        c.hops.clear();
        assert!(ok(&c, &Flags::default(), &ttls()).steps.is_empty());
    }

    fn with_duration(secs: u64) -> Flags {
        Flags {
            no_session: false,
            duration: Some(Duration::from_secs(secs)),
        }
    }

    #[test]
    fn role_over_its_own_keys_with_mfa_is_one_assume_role_with_the_code() {
        let p = ok(
            &chain(vec![hop("will")], Some("arn:mfa")),
            &Flags::default(),
            &ttls(),
        );
        assert_eq!(kinds(&p), ["role will 3600s mfa=true cached=true"]);
    }

    #[test]
    fn role_over_its_own_keys_under_another_role_still_shares_a_session() {
        let p = ok(
            &chain(vec![hop("will"), hop("admin")], Some("arn:mfa")),
            &Flags::default(),
            &ttls(),
        );
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role will 3600s mfa=false cached=true",
                "role admin 3600s mfa=false cached=true"
            ]
        );
    }

    #[test]
    fn non_role_profile_over_a_role_source_makes_the_sources_calls() {
        let mut c = chain(vec![hop("admin")], Some("arn:mfa"));
        c.target = "reader".into();
        let p = ok(&c, &Flags::default(), &ttls());
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role admin 3600s mfa=false cached=true"
            ]
        );
        let p = ok(&c, &with_duration(4 * H), &ttls());
        assert_eq!(kinds(&p), ["role admin 14400s mfa=true cached=true"]);
    }

    #[test]
    fn duration_flag_reaches_the_chained_session_and_wins_over_its_variable() {
        let env = Ttls {
            chained_session: Some(Duration::from_secs(4 * H)),
            ..ttls()
        };
        let p = ok(
            &chain(vec![hop("a"), hop("b")], Some("arn:mfa")),
            &with_duration(12 * H),
            &env,
        );
        assert_eq!(
            kinds(&p),
            [
                "session 43200s mfa=true",
                "role a 3600s mfa=false cached=true",
                "role b 3600s mfa=false cached=true"
            ]
        );
    }

    #[test]
    fn durations_sts_refuses_are_refused_with_the_profile_and_range() {
        let user = chain(vec![], None);
        for secs in [0, 5, 100 * 24 * H] {
            let err = plan(&user, &with_duration(secs), &ttls()).unwrap_err();
            assert_eq!(
                (err.call, err.profile.as_str()),
                ("GetSessionToken", "will")
            );
            assert_eq!(err.range, SESSION_RANGE);
        }
        let message = plan(&user, &with_duration(5), &ttls())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("'will'") && message.contains("5s") && message.contains("15m to 36h"),
            "{message}"
        );
        // The edges are accepted.
        ok(&user, &with_duration(15 * 60), &ttls());
        ok(&user, &with_duration(36 * H), &ttls());

        let role = chain(vec![hop("admin")], None);
        ok(&role, &with_duration(12 * H), &ttls());
        let err = plan(&role, &with_duration(13 * H), &ttls()).unwrap_err();
        assert_eq!((err.call, err.profile.as_str()), ("AssumeRole", "admin"));
        assert!(err.to_string().contains("15m to 12h"), "{err}");

        // A chained hop is capped at 1h, so only a too-short ask fails, with the 1h range.
        let mut short = hop("b");
        short.duration_seconds = Some(Duration::from_secs(60));
        let err = plan(
            &chain(vec![hop("a"), short], None),
            &Flags::default(),
            &ttls(),
        )
        .unwrap_err();
        assert_eq!(err.profile, "b");
        assert!(
            err.to_string()
                .contains("15m to 1h when assumed with temporary credentials"),
            "{err}"
        );
        // The same for the profile's duration_seconds and the variables.
        let env = Ttls {
            session: Some(Duration::from_secs(60)),
            ..ttls()
        };
        assert!(plan(&user, &Flags::default(), &env).is_err());
    }

    #[test]
    fn role_naming_a_device_its_source_does_not_is_one_assume_role_with_the_code() {
        let mut admin = hop("admin");
        admin.mfa_serial = Some("arn:mfa".into());
        let mut c = chain(vec![admin.clone()], Some("arn:mfa"));
        c.root_mfa_serial = None;
        let p = ok(&c, &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["role admin 3600s mfa=true cached=true"]);
        // Another device at the root: no shared session either.
        c.root_mfa_serial = Some("arn:other".into());
        let p = ok(&c, &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["role admin 3600s mfa=true cached=true"]);
        // The same device at the root: the session carries it.
        c.root_mfa_serial = Some("arn:mfa".into());
        let p = ok(&c, &Flags::default(), &ttls());
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role admin 3600s mfa=false cached=true"
            ]
        );
    }
}
