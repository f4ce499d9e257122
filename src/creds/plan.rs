//! The pure credential planner: which STS calls, in what order, what is cached and where MFA
//! is asked, following the table in README.md, "Which STS calls, what is cached, when MFA is asked"
//! (aws-vault's maintained fork).

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub root: RootSource,
    pub steps: Vec<Step>,
}

/// Decide the calls for `chain`.
pub fn plan(chain: &Chain, flags: &Flags, ttls: &Ttls) -> Plan {
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
    let first_duration = role_duration(first, flags, ttls);
    let use_session = stored
        && !flags.no_session
        && mfa.is_some()
        && (chain.hops.len() > 1 || first_duration <= ROLE_CHAINING_MAX);
    if use_session {
        steps.push(Step::GetSessionToken {
            duration: ttls.chained_session.unwrap_or(DEFAULT_CHAINED_SESSION_TTL),
            mfa_serial: mfa.clone(),
            cache_key: items::session_item(&root_profile),
            profile: root_profile,
        });
    }
    let source_is_temporary_at_start = use_session || !stored;
    let single_hop = chain.hops.len() == 1;
    for (index, hop) in chain.hops.iter().enumerate() {
        let mut duration = role_duration(hop, flags, ttls);
        if index > 0 || source_is_temporary_at_start {
            duration = duration.min(ROLE_CHAINING_MAX);
        }
        let mfa_serial = if index == 0 && !use_session {
            mfa.clone()
        } else {
            // A later hop asks again only when it names a different device.
            hop.mfa_serial.clone().filter(|m| Some(m) != mfa.as_ref())
        };
        // Role credentials are worth caching only when they cost an MFA code.
        let cache_key =
            (single_hop && mfa_serial.is_some()).then(|| items::role_item(&hop.profile));
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
        Hop {
            profile: name.into(),
            role_arn: format!("arn:aws:iam::123456789012:role/{name}"),
            external_id: None,
            role_session_name: None,
            duration_seconds: None,
            mfa_serial: None,
            source_identity: None,
        }
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
            mfa_process: None,
            endpoint_url: None,
        }
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
        assert!(plan(&chain(vec![], None), &flags, &ttls()).steps.is_empty());
    }

    #[test]
    fn user_keys_get_a_cached_session_token() {
        let p = plan(&chain(vec![], None), &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["session 3600s mfa=false"]);
        assert_eq!(p.steps[0].cache_key(), Some("session:will"));
    }

    #[test]
    fn user_keys_with_mfa_ask_once_per_session() {
        let p = plan(&chain(vec![], Some("arn:mfa")), &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["session 3600s mfa=true"]);
    }

    #[test]
    fn role_without_mfa_is_assumed_directly_and_not_cached() {
        let p = plan(&chain(vec![hop("admin")], None), &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["role admin 3600s mfa=false cached=false"]);
    }

    #[test]
    fn role_with_mfa_goes_through_a_chained_session() {
        let p = plan(
            &chain(vec![hop("admin")], Some("arn:mfa")),
            &Flags::default(),
            &ttls(),
        );
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role admin 3600s mfa=false cached=false"
            ]
        );
    }

    #[test]
    fn role_with_mfa_wanting_more_than_an_hour_asks_mfa_itself_and_is_cached() {
        let flags = Flags {
            no_session: false,
            duration: Some(Duration::from_secs(4 * H)),
        };
        let p = plan(&chain(vec![hop("admin")], Some("arn:mfa")), &flags, &ttls());
        assert_eq!(kinds(&p), ["role admin 14400s mfa=true cached=true"]);
        assert_eq!(p.steps[0].cache_key(), Some("role:admin"));
    }

    #[test]
    fn role_with_mfa_and_no_session_is_cached() {
        let flags = Flags {
            no_session: true,
            duration: None,
        };
        let p = plan(&chain(vec![hop("admin")], Some("arn:mfa")), &flags, &ttls());
        assert_eq!(kinds(&p), ["role admin 3600s mfa=true cached=true"]);
    }

    #[test]
    fn three_hop_chain_asks_mfa_once_and_caps_every_hop_at_an_hour() {
        let mut long = hop("c");
        long.duration_seconds = Some(Duration::from_secs(6 * H));
        let p = plan(
            &chain(vec![hop("a"), hop("b"), long], Some("arn:mfa")),
            &Flags::default(),
            &ttls(),
        );
        assert_eq!(
            kinds(&p),
            [
                "session 28800s mfa=true",
                "role a 3600s mfa=false cached=false",
                "role b 3600s mfa=false cached=false",
                "role c 3600s mfa=false cached=false"
            ]
        );
    }

    #[test]
    fn chain_without_mfa_assumes_from_keys_and_caps_later_hops() {
        let flags = Flags {
            no_session: false,
            duration: Some(Duration::from_secs(2 * H)),
        };
        let p = plan(&chain(vec![hop("a"), hop("b")], None), &flags, &ttls());
        assert_eq!(
            kinds(&p),
            [
                "role a 7200s mfa=false cached=false",
                "role b 3600s mfa=false cached=false"
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
            kinds(&plan(&c, &Flags::default(), &ttls())),
            ["role admin 1800s mfa=false cached=false"]
        );
        assert_eq!(
            kinds(&plan(&c, &Flags::default(), &env)),
            ["role admin 2400s mfa=false cached=false"]
        );
        let flags = Flags {
            no_session: false,
            duration: Some(Duration::from_secs(900)),
        };
        assert_eq!(
            kinds(&plan(&c, &flags, &env)),
            ["role admin 900s mfa=false cached=false"]
        );
        let session_env = Ttls {
            session: Some(Duration::from_secs(7200)),
            ..ttls()
        };
        assert_eq!(
            kinds(&plan(&chain(vec![], None), &Flags::default(), &session_env)),
            ["session 7200s mfa=false"]
        );
        let chained_env = Ttls {
            chained_session: Some(Duration::from_secs(4 * H)),
            ..ttls()
        };
        assert_eq!(
            kinds(&plan(
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
        let p = plan(&c, &Flags::default(), &ttls());
        assert_eq!(kinds(&p), ["role r 3600s mfa=true cached=true"]);
        c.hops.clear();
        assert!(plan(&c, &Flags::default(), &ttls()).steps.is_empty());
    }
}
