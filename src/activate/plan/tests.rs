use std::collections::BTreeMap;

use chrono::TimeZone;

use super::*;

const NOW: i64 = 1_900_000_000;

fn request(profile: &str) -> Request {
    Request {
        profile: profile.into(),
        ..Request::default()
    }
}

fn found(path: &str, trust: Trust, request: Result<Request, String>) -> Option<Project> {
    Some(Project::Found {
        path: path.into(),
        hash: format!("h-{path}"),
        trust,
        request,
    })
}

fn allowed(path: &str, profile: &str) -> Option<Project> {
    found(path, Trust::Allowed, Ok(request(profile)))
}

fn inputs<'a>(state: &'a State, project: Option<Project>) -> Inputs<'a> {
    Inputs {
        state,
        project,
        aws_vault_env: None,
        now: NOW,
        min_ttl: 300,
        force: false,
    }
}

fn creds(expires_in: i64) -> Credentials {
    Credentials::new(
        "the test",
        "ASIAEXAMPLE".into(),
        "secret".into(),
        Some("token".into()),
        Some(chrono::Utc.timestamp_opt(NOW + expires_in, 0).unwrap()),
    )
    .unwrap()
}

fn active_state(profile: &str, source: Source, expires_in: i64) -> State {
    let mut current = BTreeMap::new();
    current.insert("AWS_REGION".to_string(), Some("us-west-2".to_string()));
    current.insert("AWS_PROFILE".to_string(), Some("mine".to_string()));
    let (_, state) = activate(
        &State::default(),
        &request(profile),
        source,
        &creds(expires_in),
        None,
        &current,
    );
    state
}

fn file_source(path: &str) -> Source {
    Source::File {
        path: path.into(),
        hash: format!("h-{path}"),
    }
}

#[test]
fn nothing_found_nothing_active_does_nothing() {
    let d = plan(&inputs(&State::default(), None));
    assert_eq!(d.action, Action::Keep);
    assert_eq!(d.message, None);
    assert!(d.state.is_empty());
}

#[test]
fn allowed_file_activates_its_profile() {
    let d = plan(&inputs(
        &State::default(),
        allowed("/shop/.awsvault", "shop-dev"),
    ));
    assert_eq!(
        d.action,
        Action::Activate {
            request: request("shop-dev"),
            source: file_source("/shop/.awsvault"),
            renewal: false
        }
    );
}

#[test]
fn untrusted_file_says_so_once_per_visit_and_activates_nothing() {
    let project = found("/repo/.awsvault", Trust::Unknown, Ok(request("prod")));
    let d = plan(&inputs(&State::default(), project.clone()));
    assert_eq!(d.action, Action::Keep);
    assert!(d.message.as_deref().unwrap().contains("vault allow"));
    let again = plan(&inputs(&d.state, project.clone()));
    assert_eq!(again.message, None, "not at every prompt");
    let left = plan(&inputs(&again.state, None));
    let back = plan(&inputs(&left.state, project));
    assert!(back.message.is_some(), "a new visit says it again");
}

#[test]
fn edited_and_denied_files_do_not_activate() {
    for (trust, needle) in [
        (Trust::Changed, "changed"),
        (Trust::Denied, "denied"),
        (Trust::Outdated, "run `vault allow` again"),
        (Trust::Unconfirmed, "--allow-no-session"),
    ] {
        let d = plan(&inputs(
            &State::default(),
            found("/p/.awsvault", trust, Ok(request("x"))),
        ));
        assert_eq!(d.action, Action::Keep);
        assert!(d.message.unwrap().contains(needle));
    }
}

#[test]
fn editing_the_active_file_deactivates_it() {
    let state = active_state("shop", file_source("/shop/.awsvault"), 3600);
    let d = plan(&inputs(
        &state,
        found("/shop/.awsvault", Trust::Changed, Ok(request("prod"))),
    ));
    assert_eq!(d.action, Action::Deactivate);
    assert!(d.message.is_some());
}

#[test]
fn malformed_allowed_file_is_one_message_and_no_change() {
    let d = plan(&inputs(
        &State::default(),
        found("/p/.awsvault", Trust::Allowed, Err("line 2: bad".into())),
    ));
    assert_eq!(d.action, Action::Keep);
    assert_eq!(
        d.message.as_deref(),
        Some("/p/.awsvault: line 2: bad; nothing activated")
    );
}

#[test]
fn unreadable_file_is_reported() {
    let project = Some(Project::Unreadable {
        path: "/p/.awsvault".into(),
        error: "/p/.awsvault is a symlink".into(),
    });
    let d = plan(&inputs(&State::default(), project));
    assert_eq!(d.action, Action::Keep);
    assert!(d.message.unwrap().contains("symlink"));
}

#[test]
fn same_file_and_fresh_credentials_keep() {
    let state = active_state("shop", file_source("/shop/.awsvault"), 3600);
    let d = plan(&inputs(&state, allowed("/shop/.awsvault", "shop")));
    assert_eq!(d.action, Action::Keep);
    assert_eq!(d.state, state);
}

#[test]
fn other_project_switches() {
    let state = active_state("shop", file_source("/shop/.awsvault"), 3600);
    let d = plan(&inputs(&state, allowed("/bank/.awsvault", "bank")));
    assert_eq!(
        d.action,
        Action::Activate {
            request: request("bank"),
            source: file_source("/bank/.awsvault"),
            renewal: false
        }
    );
}

#[test]
fn leaving_deactivates_and_restores_exactly() {
    let state = active_state("shop", file_source("/shop/.awsvault"), 3600);
    let d = plan(&inputs(&state, None));
    assert_eq!(d.action, Action::Deactivate);
    assert!(d.state.active.is_none() && d.state.saved.is_empty());
    let env = deactivate(&state);
    assert!(env.set.contains(&("AWS_REGION".into(), "us-west-2".into())));
    assert!(env.set.contains(&("AWS_PROFILE".into(), "mine".into())));
    for gone in [
        "AWS_VAULT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
    ] {
        assert!(
            env.unset.contains(&gone.to_string()),
            "{gone} was unset before"
        );
    }
}

#[test]
fn activation_saves_once_and_switching_keeps_the_original_values() {
    let mut current = BTreeMap::new();
    current.insert("AWS_PROFILE".to_string(), Some("mine".to_string()));
    let (env, first) = activate(
        &State::default(),
        &request("a"),
        file_source("/a"),
        &creds(3600),
        Some("eu-west-1"),
        &current,
    );
    assert!(env.unset.contains(&"AWS_PROFILE".to_string()));
    assert!(env.set.contains(&("AWS_REGION".into(), "eu-west-1".into())));
    // Switching to a profile without a region restores the user's (absent) region.
    let mut during = current.clone();
    during.insert("AWS_REGION".to_string(), Some("eu-west-1".to_string()));
    let (env, second) = activate(
        &first,
        &request("b"),
        file_source("/b"),
        &creds(3600),
        None,
        &during,
    );
    assert!(env.unset.contains(&"AWS_REGION".to_string()));
    assert_eq!(
        second.saved, first.saved,
        "saved values are the user's, not profile a's"
    );
    assert!(
        second
            .saved
            .contains(&("AWS_PROFILE".into(), Some("mine".into())))
    );
}

#[test]
fn no_session_credentials_remove_a_stale_token() {
    let mut keys = creds(0);
    keys.session_token = None;
    keys.expiration = None;
    let (env, state) = activate(
        &State::default(),
        &request("a"),
        Source::Use,
        &keys,
        None,
        &BTreeMap::new(),
    );
    assert!(env.unset.contains(&"AWS_SESSION_TOKEN".to_string()));
    assert!(env.unset.contains(&"AWS_CREDENTIAL_EXPIRATION".to_string()));
    assert_eq!(state.active.unwrap().expires, None);
}

#[test]
fn nested_project_wins_and_subfolder_keeps_profile() {
    // The edge passes the nearest file; the planner activates exactly that one.
    let state = active_state("outer", file_source("/w/.awsvault"), 3600);
    let d = plan(&inputs(&state, allowed("/w/inner/.awsvault", "inner")));
    assert!(matches!(d.action, Action::Activate { ref request, .. } if request.profile == "inner"));
    let d = plan(&inputs(&state, allowed("/w/.awsvault", "outer")));
    assert_eq!(d.action, Action::Keep);
}

#[test]
fn use_is_sticky_over_folders() {
    let state = active_state("will", Source::Use, 3600);
    assert_eq!(
        plan(&inputs(&state, allowed("/shop/.awsvault", "shop"))).action,
        Action::Keep
    );
    assert_eq!(plan(&inputs(&state, None)).action, Action::Keep);
}

#[test]
fn expiring_credentials_are_renewed_once_then_wait_after_failure() {
    let state = active_state("shop", file_source("/shop/.awsvault"), 200);
    let d = plan(&inputs(&state, allowed("/shop/.awsvault", "shop")));
    assert!(matches!(d.action, Action::Activate { renewal: true, .. }));
    let after = failed(
        &state,
        &request("shop"),
        &file_source("/shop/.awsvault"),
        true,
        NOW,
    );
    assert!(should_report_failure(
        &state,
        &request("shop"),
        &file_source("/shop/.awsvault"),
        true
    ));
    assert!(!should_report_failure(
        &after,
        &request("shop"),
        &file_source("/shop/.awsvault"),
        true
    ));
    let d = plan(&inputs(&after, allowed("/shop/.awsvault", "shop")));
    assert_eq!(d.action, Action::Keep, "no retry at every prompt");
    let mut later = inputs(&after, allowed("/shop/.awsvault", "shop"));
    later.now = NOW + RETRY_AFTER_RENEWAL_FAILURE + 1;
    assert!(matches!(
        plan(&later).action,
        Action::Activate { renewal: true, .. }
    ));
    let mut forced = inputs(&after, allowed("/shop/.awsvault", "shop"));
    forced.force = true;
    assert!(
        matches!(plan(&forced).action, Action::Activate { renewal: true, .. }),
        "vault reload retries now"
    );
}

#[test]
fn long_term_keys_are_never_renewed() {
    let mut keys = creds(0);
    keys.expiration = None;
    let (_, state) = activate(
        &State::default(),
        &request("a"),
        Source::Use,
        &keys,
        None,
        &BTreeMap::new(),
    );
    assert_eq!(plan(&inputs(&state, None)).action, Action::Keep);
}

#[test]
fn failed_activation_is_retried_quietly_later() {
    let project = allowed("/p/.awsvault", "p");
    let source = file_source("/p/.awsvault");
    let after = failed(&State::default(), &request("p"), &source, false, NOW);
    assert!(!should_report_failure(
        &after,
        &request("p"),
        &source,
        false
    ));
    assert_eq!(plan(&inputs(&after, project.clone())).action, Action::Keep);
    let mut later = inputs(&after, project.clone());
    later.now = NOW + RETRY_AFTER_FAILURE;
    assert!(matches!(plan(&later).action, Action::Activate { .. }));
    let left = plan(&inputs(&after, None));
    assert!(left.state.failure.is_none(), "leaving forgets the failure");
}

#[test]
fn foreign_aws_vault_is_left_alone() {
    let empty = State::default();
    let mut i = inputs(&empty, allowed("/p/.awsvault", "p"));
    i.aws_vault_env = Some("from-exec");
    assert_eq!(plan(&i).action, Action::Keep);
}

#[test]
fn changed_request_in_same_use_reactivates() {
    let state = active_state("will", Source::Use, 3600);
    let mut i = inputs(&state, None);
    i.force = true;
    assert!(matches!(
        plan(&i).action,
        Action::Activate { renewal: true, .. }
    ));
}

#[test]
fn returning_to_the_active_project_forgets_a_failed_switch() {
    let state = active_state("shop", file_source("/shop/.awsvault"), 3600);
    let after = failed(
        &state,
        &request("ghost"),
        &file_source("/bank/.awsvault"),
        false,
        NOW,
    );
    let back = plan(&inputs(&after, allowed("/shop/.awsvault", "shop")));
    assert_eq!(back.action, Action::Keep);
    assert!(back.state.failure.is_none());
    let again = plan(&inputs(&back.state, allowed("/bank/.awsvault", "ghost")));
    assert!(
        matches!(again.action, Action::Activate { .. }),
        "the next visit tries and reports again"
    );
}
