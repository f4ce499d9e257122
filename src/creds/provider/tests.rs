//! Unit tests of the provider's cache reuse and locking, on an in-memory store with a fake
//! STS step (`Provider::run`'s seam), locks in a temporary folder and a fixed clock: expiries
//! are set relative to [`T0`], never to the wall clock.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;
use crate::clock::FixedClock;
use crate::profile::Hop;
use crate::settings::DEFAULT_MIN_TTL;
use crate::store::memory::MemoryStore;

const MFA: &str = "arn:aws:iam::123456789012:mfa/will";

/// The tests' "now" (2026-01-01T00:00:00Z).
const T0: i64 = 1_767_225_600;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(T0, 0).unwrap()
}

fn provider<'a>(store: &'a dyn SecretStore, clock: &'a dyn Clock) -> Provider<'a> {
    Provider {
        store,
        clock,
        ttls: Ttls {
            session: None,
            chained_session: None,
            assume_role: None,
            min_ttl: DEFAULT_MIN_TTL,
        },
        endpoint: Endpoint {
            region: "us-east-1".into(),
            url: Some("http://127.0.0.1:9".into()),
        },
        mfa: MfaSource::default(),
    }
}

fn store_with_keys() -> MemoryStore {
    let store = MemoryStore::default();
    items::write_keys(&store, "will", "AKIAWILL", "will-secret").unwrap();
    store
}

fn session_step(mfa_serial: Option<&str>) -> Step {
    Step::GetSessionToken {
        profile: "will".into(),
        duration: Duration::from_secs(3600),
        mfa_serial: mfa_serial.map(String::from),
        cache_key: items::session_item("will"),
    }
}

fn role_step() -> Step {
    Step::AssumeRole {
        hop: Hop::bare("admin", "arn:aws:iam::123456789012:role/admin"),
        duration: Duration::from_secs(3600),
        mfa_serial: None,
        cache_key: None,
    }
}

fn plan(steps: Vec<Step>) -> Plan {
    Plan {
        root: RootSource::StoredKeys {
            profile: "will".into(),
        },
        steps,
    }
}

/// The binding the provider computes for `plan`'s step `index` (the provider's endpoint).
fn bound(plan: &Plan, index: usize) -> Binding {
    plan.steps[..=index].iter().fold(
        Binding::root(&plan.root, Some("http://127.0.0.1:9")),
        |binding, step| binding.then(step),
    )
}

/// A session as the provider caches it for `plan`'s first step, made from keys `AKIAWILL`.
fn cached(key: &str, expiration: DateTime<Utc>, plan: &Plan) -> CachedSession {
    let binding = bound(plan, 0);
    let keys = Binding::keys("AKIAWILL");
    let wanted = Wanted {
        binding: &binding,
        keys: Some(&keys),
        duration: plan.steps[0].duration(),
    };
    CachedSession::new(session(key, expiration), &wanted)
}

fn session(key: &str, expiration: DateTime<Utc>) -> Credentials {
    Credentials::new(
        "the test",
        key.into(),
        format!("{key}-secret"),
        Some(format!("{key}-token")),
        Some(expiration),
    )
    .unwrap()
}

/// A fake STS: every call is counted and answers a new session of [`LIFETIME`] from `now`,
/// named after the count, and the step and source it was called with are kept.
const LIFETIME: chrono::Duration = chrono::Duration::hours(1);

#[derive(Default)]
struct FakeSts {
    calls: AtomicUsize,
    seen: std::sync::Mutex<Vec<(String, String)>>,
}

impl FakeSts {
    fn call(&self, step: &Step, source: &Credentials, now: DateTime<Utc>) -> Result<Credentials> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let what = match step {
            Step::GetSessionToken { .. } => "GetSessionToken",
            Step::AssumeRole { .. } => "AssumeRole",
        };
        self.seen
            .lock()
            .unwrap()
            .push((what.to_string(), source.access_key_id.clone()));
        Ok(session(&format!("ASIAFAKE{n}"), now + LIFETIME))
    }

    fn count(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }
}

/// `Provider::run` at [`T0`] with `sts` for the calls and the locks in `locks`.
fn run(store: &dyn SecretStore, locks: &Path, sts: &FakeSts, plan: &Plan) -> Result<Credentials> {
    run_at(&FixedClock::at(t0()), store, locks, sts, plan)
}

/// [`run`] at `clock`'s time.
fn run_at(
    clock: &dyn Clock,
    store: &dyn SecretStore,
    locks: &Path,
    sts: &FakeSts,
    plan: &Plan,
) -> Result<Credentials> {
    provider(store, clock).run(
        plan,
        &|key| lock::acquire_in(locks, key),
        |provider, step, source| sts.call(step, source, provider.clock.now()),
    )
}

fn cached_key(store: &dyn SecretStore) -> String {
    items::peek_session(store, &items::session_item("will"))
        .unwrap()
        .expect("a cached session")
        .credentials
        .access_key_id
        .clone()
}

#[test]
fn a_fresh_cached_session_is_reused() {
    let store = store_with_keys();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = plan(vec![session_step(None)]);
    let first = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(first.access_key_id, "ASIAFAKE1");
    assert_eq!(cached_key(&store), "ASIAFAKE1");
    let second = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(second, first);
    assert_eq!(sts.count(), 1, "one call for two runs");
    assert_eq!(sts.seen(), [("GetSessionToken".into(), "AKIAWILL".into())]);
}

#[test]
fn a_session_within_min_ttl_or_expired_is_fetched_again_and_replaced() {
    let left = [
        chrono::Duration::minutes(4), // less than AWS_MIN_TTL (5m)
        chrono::Duration::zero(),
        chrono::Duration::minutes(-30), // expired
    ];
    for left in left {
        let store = store_with_keys();
        let item = items::session_item("will");
        let plan = plan(vec![session_step(None)]);
        items::write_session(&store, &item, &cached("ASIAOLD", t0() + left, &plan)).unwrap();
        let locks = tempfile::tempdir().unwrap();
        let sts = FakeSts::default();
        let creds = run(&store, locks.path(), &sts, &plan).unwrap();
        assert_eq!(sts.count(), 1, "{left}: fetched again");
        assert_eq!(creds.access_key_id, "ASIAFAKE1", "{left}");
        assert_eq!(
            cached_key(&store),
            "ASIAFAKE1",
            "{left}: the cache is replaced"
        );
    }
}

#[test]
fn a_session_just_over_min_ttl_is_reused() {
    let store = store_with_keys();
    let item = items::session_item("will");
    let expiry = t0() + chrono::Duration::minutes(6);
    let plan = plan(vec![session_step(None)]);
    items::write_session(&store, &item, &cached("ASIAOLD", expiry, &plan)).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(sts.count(), 0);
    assert_eq!(creds.access_key_id, "ASIAOLD");
}

/// The clock moves, not the test's thread: a session fetched at T0 is reused until it has
/// AWS_MIN_TTL left, and refused from then on (at T0 + (lifetime - min_ttl)).
#[test]
fn a_session_is_reused_until_it_has_min_ttl_left() {
    let store = store_with_keys();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = plan(vec![session_step(None)]);
    let clock = FixedClock::at(t0());
    let min_ttl = chrono::Duration::from_std(DEFAULT_MIN_TTL).unwrap();
    let first = run_at(&clock, &store, locks.path(), &sts, &plan).unwrap();
    clock.advance(LIFETIME - min_ttl - chrono::Duration::seconds(1));
    let reused = run_at(&clock, &store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(
        reused, first,
        "one second more than AWS_MIN_TTL left: reused"
    );
    assert_eq!(sts.count(), 1);
    clock.advance(chrono::Duration::seconds(1));
    let refused = run_at(&clock, &store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(sts.count(), 2, "AWS_MIN_TTL left: fetched again");
    assert_eq!(refused.access_key_id, "ASIAFAKE2");
    assert_eq!(refused.expiration, Some(t0() + LIFETIME * 2 - min_ttl));
    assert_eq!(cached_key(&store), "ASIAFAKE2", "the cache is replaced");
}

#[test]
fn a_session_from_another_mfa_device_is_not_reused() {
    let store = store_with_keys();
    let item = items::session_item("will");
    let expiry = t0() + chrono::Duration::hours(1);
    let other = plan(vec![session_step(Some(
        "arn:aws:iam::123456789012:mfa/other",
    ))]);
    items::write_session(&store, &item, &cached("ASIAOLD", expiry, &other)).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = plan(vec![session_step(Some(MFA))]);
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(sts.count(), 1);
    assert_eq!(creds.access_key_id, "ASIAFAKE1");
    let cached = items::peek_session(&store, &item).unwrap().unwrap();
    assert_eq!(
        cached.binding.as_deref(),
        Some(bound(&plan, 0).as_str()),
        "cached with its device's binding"
    );
    // The same device next time: reused.
    run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(sts.count(), 1);
}

/// Any other binding (here: another role ARN) is a miss: fetched anew, overwritten with the
/// new binding, and reused from then on.
#[test]
fn a_session_made_by_other_settings_is_fetched_anew_and_replaced() {
    let store = store_with_keys();
    let item = items::role_item("admin");
    let expiry = t0() + chrono::Duration::hours(1);
    let role = |arn: &str| {
        let mut step = role_step();
        if let Step::AssumeRole {
            hop,
            mfa_serial,
            cache_key,
            ..
        } = &mut step
        {
            hop.role_arn = arn.into();
            *mfa_serial = Some(MFA.into());
            *cache_key = Some(item.clone());
        }
        plan(vec![step])
    };
    let old = role("arn:aws:iam::111111111111:role/admin");
    items::write_session(&store, &item, &cached("ASIAOLD", expiry, &old)).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let new = role("arn:aws:iam::222222222222:role/admin");
    let creds = run(&store, locks.path(), &sts, &new).unwrap();
    assert_eq!(
        (sts.count(), creds.access_key_id.as_str()),
        (1, "ASIAFAKE1")
    );
    assert_eq!(
        sts.seen(),
        [("AssumeRole".into(), "AKIAWILL".into())],
        "assumed from the keys"
    );
    run(&store, locks.path(), &sts, &new).unwrap();
    assert_eq!(sts.count(), 1, "the new session is reused");
    let back = run(&store, locks.path(), &sts, &old).unwrap();
    assert_eq!(
        (sts.count(), back.access_key_id.as_str()),
        (2, "ASIAFAKE2"),
        "and the first role is not handed the second's session"
    );
}

/// New keys under the same profile (`vault add --force`, another tool writing the store):
/// every session bound to the old key id is a miss.
#[test]
fn a_session_of_other_keys_is_fetched_anew() {
    let store = store_with_keys();
    let item = items::session_item("will");
    let plan = plan(vec![session_step(None)]);
    let expiry = t0() + chrono::Duration::hours(1);
    items::write_session(&store, &item, &cached("ASIAOLD", expiry, &plan)).unwrap();
    items::write_keys(&store, "will", "AKIANEWKEYS", "new-secret").unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(creds.access_key_id, "ASIAFAKE1");
    assert_eq!(
        sts.seen(),
        [("GetSessionToken".into(), "AKIANEWKEYS".into())]
    );
}

/// A session asked for less than the duration asked now is a miss (`--duration 12h` never gets
/// an earlier run's 1h session); one asked for at least as long serves a shorter ask.
#[test]
fn a_session_asked_for_less_is_a_miss_and_one_asked_for_longer_is_reused() {
    let with = |seconds: u64| {
        let mut step = session_step(None);
        if let Step::GetSessionToken { duration, .. } = &mut step {
            *duration = Duration::from_secs(seconds);
        }
        plan(vec![step])
    };
    let store = store_with_keys();
    let item = items::session_item("will");
    let expiry = t0() + chrono::Duration::hours(1);
    items::write_session(&store, &item, &cached("ASIAOLD", expiry, &with(3600))).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let shorter = run(&store, locks.path(), &sts, &with(1800)).unwrap();
    assert_eq!(
        (sts.count(), shorter.access_key_id.as_str()),
        (0, "ASIAOLD")
    );
    let same = run(&store, locks.path(), &sts, &with(3600)).unwrap();
    assert_eq!((sts.count(), same.access_key_id.as_str()), (0, "ASIAOLD"));
    let longer = run(&store, locks.path(), &sts, &with(28800)).unwrap();
    assert_eq!(
        (sts.count(), longer.access_key_id.as_str()),
        (1, "ASIAFAKE1")
    );
    let cached = items::peek_session(&store, &item).unwrap().unwrap();
    assert_eq!(
        cached.duration_seconds,
        Some(28800),
        "cached with its duration"
    );
}

/// Items written before vault bound them (credentials and mfa_serial only) are a miss, not
/// an error, and are overwritten with a bound session.
#[test]
fn a_session_cached_before_bindings_is_a_miss_and_replaced() {
    let store = store_with_keys();
    let item = items::session_item("will");
    let expiry = (t0() + chrono::Duration::hours(1)).to_rfc3339();
    let old = format!(
        r#"{{"credentials":{{"access_key_id":"ASIAOLD","secret_access_key":"s","session_token":"t","expiration":"{expiry}"}},"mfa_serial":null}}"#
    );
    store.set(&item, &old).unwrap();
    let peeked = items::peek_session(&store, &item).unwrap();
    assert!(
        peeked.is_some_and(|s| s.credentials.access_key_id == "ASIAOLD" && s.binding.is_none()),
        "the old format still reads (vault list shows it)"
    );
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = plan(vec![session_step(None)]);
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(
        (sts.count(), creds.access_key_id.as_str()),
        (1, "ASIAFAKE1")
    );
    let cached = items::peek_session(&store, &item).unwrap().unwrap();
    assert_eq!(cached.binding.as_deref(), Some(bound(&plan, 0).as_str()));
}

#[test]
fn a_cached_session_spares_the_root_call_and_later_steps_start_from_it() {
    let store = store_with_keys();
    let item = items::session_item("will");
    let expiry = t0() + chrono::Duration::hours(1);
    let plan = plan(vec![session_step(None), role_step()]);
    items::write_session(&store, &item, &cached("ASIACACHED", expiry, &plan)).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(creds.access_key_id, "ASIAFAKE1");
    assert_eq!(
        sts.seen(),
        [("AssumeRole".into(), "ASIACACHED".into())],
        "only the uncached role, signed with the cached session"
    );
    // An uncached step is called every time.
    run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(sts.count(), 2);
    assert_eq!(
        store.names().unwrap(),
        [items::keys_item("will"), item],
        "nothing else cached"
    );
}

/// Stored keys bind the sessions made from them, so without the keys a cached session
/// cannot be checked: it is not used (`vault remove` drops both anyway).
#[test]
fn without_the_keys_a_cached_session_is_not_used() {
    let store = MemoryStore::default();
    let item = items::session_item("will");
    let plan = plan(vec![session_step(None)]);
    let expiry = t0() + chrono::Duration::hours(1);
    items::write_session(&store, &item, &cached("ASIACACHED", expiry, &plan)).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let err = run(&store, locks.path(), &sts, &plan).unwrap_err();
    assert!(format!("{err:#}").contains("vault add will"), "{err:#}");
    assert_eq!(sts.count(), 0);
}

/// A damaged keys item is not new keys (`vault add` writes them whole): a cached session
/// still serves, unchecked by key id; a miss is the damaged item's error.
#[test]
fn damaged_keys_leave_a_cached_session_usable() {
    let store = MemoryStore::default();
    store.set(&items::keys_item("will"), "not JSON").unwrap();
    let item = items::session_item("will");
    let plan = plan(vec![session_step(None)]);
    let expiry = t0() + chrono::Duration::hours(1);
    items::write_session(&store, &item, &cached("ASIACACHED", expiry, &plan)).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(
        (sts.count(), creds.access_key_id.as_str()),
        (0, "ASIACACHED")
    );
    store.delete(&item).unwrap();
    let err = run(&store, locks.path(), &sts, &plan).unwrap_err();
    assert!(
        format!("{err:#}").contains("vault add will --force"),
        "{err:#}"
    );
    assert_eq!(sts.count(), 0);
}

/// A root that is not stored keys is bound by its settings: a cached role on top of a
/// credential_process is reused without running the process (here one that would fail).
#[test]
fn a_cached_role_spares_running_the_credential_process() {
    let store = MemoryStore::default();
    let mut step = role_step();
    if let Step::AssumeRole {
        mfa_serial,
        cache_key,
        ..
    } = &mut step
    {
        *mfa_serial = Some(MFA.into());
        *cache_key = Some(items::role_item("admin"));
    }
    let plan = Plan {
        root: RootSource::CredentialProcess {
            profile: "cp".into(),
            command: "exit 3".into(),
        },
        steps: vec![step],
    };
    let session = cached("ASIAROLE", t0() + chrono::Duration::hours(1), &plan);
    items::write_session(&store, &items::role_item("admin"), &session).unwrap();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let creds = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!((sts.count(), creds.access_key_id.as_str()), (0, "ASIAROLE"));
}

#[test]
fn missing_master_keys_are_an_error_naming_vault_add() {
    let store = MemoryStore::default();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let err = run(&store, locks.path(), &sts, &plan(vec![session_step(None)])).unwrap_err();
    assert!(format!("{err:#}").contains("vault add will"), "{err:#}");
    assert_eq!(sts.count(), 0);
}

#[test]
fn a_failed_call_caches_nothing() {
    let store = store_with_keys();
    let locks = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(t0());
    let err = provider(&store, &clock)
        .run(
            &plan(vec![session_step(None)]),
            &|key| lock::acquire_in(locks.path(), key),
            |_, _, _| anyhow::bail!("GetSessionToken failed: Throttling"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("Throttling"));
    assert_eq!(store.names().unwrap(), [items::keys_item("will")]);
}

/// Threads standing in for processes: each runs its own provider on the shared store, and
/// the first to take the lock fetches; the others wait, then find its session cached.
#[test]
fn one_call_for_many_holders_of_the_lock() {
    let store = store_with_keys();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = plan(vec![session_step(Some(MFA))]);
    let clock = FixedClock::at(t0());
    let slow_call = |step: &Step, source: &Credentials| {
        // Long enough that every thread reaches the lock while the first holds it.
        std::thread::sleep(Duration::from_millis(200));
        sts.call(step, source, t0())
    };
    let keys: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    provider(&store, &clock)
                        .run(
                            &plan,
                            &|key| lock::acquire_in(locks.path(), key),
                            |_, step, source| slow_call(step, source),
                        )
                        .unwrap()
                        .access_key_id
                        .clone()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sts.count(), 1, "one call for 8 holders");
    assert!(keys.iter().all(|k| k == "ASIAFAKE1"), "{keys:?}");
}

/// Without the lock the same threads each make their own call: the test above depends on
/// the lock, not on timing.
#[test]
fn without_the_lock_every_holder_calls() {
    let store = store_with_keys();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = plan(vec![session_step(None)]);
    let barrier = std::sync::Barrier::new(4);
    let clock = FixedClock::at(t0());
    std::thread::scope(|scope| {
        for i in 0..4 {
            let (store, sts, plan, barrier, clock) = (&store, &sts, &plan, &barrier, &clock);
            let dir = locks.path().join(i.to_string());
            scope.spawn(move || {
                provider(store, clock)
                    .run(
                        plan,
                        // A lock of its own for each: no exclusion.
                        &|key| lock::acquire_in(&dir, key),
                        |_, step, source| {
                            barrier.wait();
                            sts.call(step, source, t0())
                        },
                    )
                    .unwrap();
            });
        }
    });
    assert_eq!(sts.count(), 4);
}

/// A credential_process root that counts its runs in `dir/runs` and prints `expiration`.
fn counting_process(dir: &Path, expiration: Option<&str>) -> Plan {
    let expiration = expiration
        .map(|e| format!(r#","Expiration":"{e}""#))
        .unwrap_or_default();
    let command = format!(
        r#"echo run >> '{}/runs'; echo '{{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"S","SessionToken":"T"{expiration}}}'"#,
        dir.display()
    );
    Plan {
        root: RootSource::CredentialProcess {
            profile: "cp".into(),
            command,
        },
        steps: vec![],
    }
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs"))
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

#[test]
fn an_expiring_credential_process_result_is_cached_and_reused() {
    let store = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let plan = counting_process(dir.path(), Some("2026-01-01T01:00:00Z"));
    let sts = FakeSts::default();
    for _ in 0..3 {
        let creds = run(&store, dir.path(), &sts, &plan).unwrap();
        assert_eq!(creds.access_key_id, "ASIAPROC");
    }
    assert_eq!(runs(dir.path()), 1);
    assert!(
        items::peek_session(&store, &items::source_item("cp"))
            .unwrap()
            .is_some()
    );
    // Within AWS_MIN_TTL of its end it is run again.
    let late = FixedClock::at(t0() + chrono::Duration::minutes(56));
    run_at(&late, &store, dir.path(), &sts, &plan).unwrap();
    assert_eq!((runs(dir.path()), sts.count()), (2, 0));
}

#[test]
fn a_credential_process_result_of_another_command_is_a_miss() {
    let store = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = counting_process(dir.path(), Some("2026-01-01T01:00:00Z"));
    run(&store, dir.path(), &sts, &plan).unwrap();
    let mut other = plan.clone();
    if let RootSource::CredentialProcess { command, .. } = &mut other.root {
        command.push_str(" # edited");
    }
    run(&store, dir.path(), &sts, &other).unwrap();
    assert_eq!(runs(dir.path()), 2);
}

#[test]
fn a_credential_process_without_expiration_runs_every_time() {
    let store = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let plan = counting_process(dir.path(), None);
    run(&store, dir.path(), &sts, &plan).unwrap();
    run(&store, dir.path(), &sts, &plan).unwrap();
    assert_eq!(runs(dir.path()), 2);
    assert!(store.names().unwrap().is_empty());
}

#[test]
fn a_role_without_mfa_is_cached_and_a_chain_makes_no_call_from_the_cache() {
    let store = store_with_keys();
    let locks = tempfile::tempdir().unwrap();
    let sts = FakeSts::default();
    let mut second = role_step();
    if let Step::AssumeRole { hop, cache_key, .. } = &mut second {
        hop.profile = "deep".into();
        hop.role_arn = "arn:aws:iam::123456789012:role/deep".into();
        *cache_key = Some(items::role_item("deep"));
    }
    let mut first = role_step();
    if let Step::AssumeRole { cache_key, .. } = &mut first {
        *cache_key = Some(items::role_item("admin"));
    }
    let plan = plan(vec![first, second]);
    let one = run(&store, locks.path(), &sts, &plan).unwrap();
    let two = run(&store, locks.path(), &sts, &plan).unwrap();
    assert_eq!(sts.count(), 2);
    assert_eq!(one.access_key_id, two.access_key_id);
}
