//! Each field that can change what STS hands out changes the binding; nothing else does.

use std::time::Duration;

use super::*;

const KEY: &str = "AKIAVAULTTESTKEY0001";
const URL: Option<&str> = Some("http://127.0.0.1:5000");

fn keys() -> RootSource {
    RootSource::StoredKeys {
        profile: "will".into(),
    }
}

fn hop() -> Hop {
    Hop::bare("admin", "arn:aws:iam::111111111111:role/admin")
}

fn role(hop: Hop, mfa_serial: Option<&str>, duration: u64) -> Step {
    Step::AssumeRole {
        cache_key: Some(format!("role:{}", hop.profile)),
        hop,
        duration: Duration::from_secs(duration),
        mfa_serial: mfa_serial.map(String::from),
    }
}

fn session(mfa_serial: Option<&str>, duration: u64) -> Step {
    Step::GetSessionToken {
        profile: "will".into(),
        duration: Duration::from_secs(duration),
        mfa_serial: mfa_serial.map(String::from),
        cache_key: "session:will".into(),
    }
}

/// One edit of a profile's settings.
type Change = fn(&mut Hop);

fn role_binding(root: &Binding, change: impl FnOnce(&mut Hop)) -> Binding {
    let mut hop = hop();
    change(&mut hop);
    root.then(&role(hop, Some("arn:mfa/will"), 3600))
}

#[test]
fn the_same_profile_gives_the_same_binding() {
    let root = Binding::root(&keys(), URL);
    assert_eq!(root, Binding::root(&keys(), URL));
    assert_eq!(role_binding(&root, |_| {}), role_binding(&root, |_| {}));
    assert_eq!(root.as_str().len(), 64, "a SHA-256 in hex");
}

#[test]
fn each_role_setting_changes_the_binding() {
    let root = Binding::root(&keys(), URL);
    let base = role_binding(&root, |_| {});
    let changes: [(&str, Change); 7] = [
        ("role_arn", |h| {
            h.role_arn = "arn:aws:iam::222222222222:role/admin".into()
        }),
        ("external_id", |h| h.external_id = Some("x".into())),
        ("role_session_name", |h| {
            h.role_session_name = Some("me".into())
        }),
        ("source_identity", |h| h.source_identity = Some("me".into())),
        ("profile", |h| h.profile = "other".into()),
        ("session tags", |h| {
            h.tags.tags = vec![("team".into(), "blue".into())]
        }),
        ("transitive tag keys", |h| {
            h.tags.tags = vec![("team".into(), "blue".into())];
            h.tags.transitive = vec!["team".into()];
        }),
    ];
    for (field, change) in changes {
        assert_ne!(role_binding(&root, change), base, "{field}");
    }
}

#[test]
fn the_mfa_device_of_the_call_changes_the_binding() {
    let root = Binding::root(&keys(), URL);
    let with = |mfa| root.then(&role(hop(), mfa, 3600));
    assert_ne!(with(Some("arn:mfa/will")), with(Some("arn:mfa/other")));
    assert_ne!(with(Some("arn:mfa/will")), with(None));
    let token = |mfa| root.then(&session(mfa, 3600));
    assert_ne!(token(Some("arn:mfa/will")), token(Some("arn:mfa/other")));
    assert_ne!(token(Some("arn:mfa/will")), token(None));
}

#[test]
fn the_root_source_and_the_endpoint_change_the_binding() {
    let base = Binding::root(&keys(), URL);
    assert_ne!(base, Binding::root(&keys(), None));
    assert_ne!(base, Binding::root(&keys(), Some("http://127.0.0.1:5001")));
    let other_profile = RootSource::StoredKeys {
        profile: "bob".into(),
    };
    assert_ne!(base, Binding::root(&other_profile, URL));
    let process = |command: &str| RootSource::CredentialProcess {
        profile: "will".into(),
        command: command.into(),
    };
    assert_ne!(
        Binding::root(&process("a"), URL),
        Binding::root(&process("b"), URL)
    );
    let sso = |account: &str| RootSource::Sso {
        profile: "will".into(),
        sso: SsoSource {
            session: Some("corp".into()),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            account_id: account.into(),
            role_name: "Admin".into(),
        },
    };
    assert_ne!(
        Binding::root(&sso("111111111111"), URL),
        Binding::root(&sso("222222222222"), URL)
    );
    // A role on top inherits the difference.
    let on = |root: Binding| root.then(&role(hop(), Some("arn:mfa/will"), 3600));
    assert_ne!(on(base.clone()), on(Binding::root(&keys(), None)));
}

#[test]
fn the_key_id_has_a_binding_of_its_own() {
    assert_eq!(Binding::keys(KEY), Binding::keys(KEY));
    assert_ne!(Binding::keys(KEY), Binding::keys("AKIAVAULTTESTKEY0002"));
    assert!(!Binding::keys(KEY).as_str().contains(KEY), "a digest");
}

#[test]
fn a_role_after_a_session_is_bound_to_the_session_too() {
    let root = Binding::root(&keys(), URL);
    let after = |mfa| {
        root.then(&session(mfa, 3600))
            .then(&role(hop(), None, 3600))
    };
    assert_ne!(after(Some("arn:mfa/will")), after(Some("arn:mfa/other")));
}

/// Durations are compared by the cache (a session may serve a longer ask, never a shorter
/// one), so they are not in the digest; nor is the hop's own duration or device, which only
/// reach the call through the step.
#[test]
fn durations_are_not_in_the_binding() {
    let root = Binding::root(&keys(), URL);
    assert_eq!(
        root.then(&session(None, 3600)),
        root.then(&session(None, 28800))
    );
    assert_eq!(
        root.then(&role(hop(), None, 3600)),
        root.then(&role(hop(), None, 7200))
    );
    let mut long = hop();
    long.duration_seconds = Some(Duration::from_secs(7200));
    long.mfa_serial = Some("arn:mfa/will".into());
    assert_eq!(
        root.then(&role(hop(), None, 3600)),
        root.then(&role(long, None, 3600))
    );
}
