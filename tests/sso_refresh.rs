//! The authorization code sign-in's refresh token (kept in the store with the access token,
//! used near or past the access token's expiry, one refresh for N commands, a refused one
//! falling back to the browser), and `vault sso populate` runs that overlap, against the IAM
//! Identity Center stand-in (tests/support/sso_server.py) with a stand-in browser that
//! follows the portal's redirect back to vault's loopback listener.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine as _;
use support::*;

#[path = "support/sso_stand_in.rs"]
mod sso_stand_in;

use sso_stand_in::StandIn;

const LIMIT: Duration = Duration::from_secs(60);
const START_URL: &str = "https://corp.example.com/start";

/// The stand-in with sign-ins whose access token lasts one second, and refreshed ones that
/// last 8h. One second left is less than any AWS_MIN_TTL: to vault the token is expired from
/// the next command on (no test waits for the second to pass; the unit tests in
/// src/creds/sso/sign_in.rs take a token past its expiry, with a fixed clock).
fn short_sign_ins() -> StandIn {
    StandIn::start(&[
        ("SSO_PENDING", "0"),
        ("SSO_TOKEN_TTL", "1"),
        ("SSO_REFRESHED_TTL", "28800"),
    ])
}

/// A sandbox with the sso-session `corp` and profile `dev` in it, and a browser that logs
/// each URL to `browser.log`, waits until `browsers` URLs are logged, then follows its own
/// (the stand-in's /authorize redirects to vault's loopback callback at once, as a user
/// approving would).
fn sandbox(browsers: usize) -> Sandbox {
    let sb = Sandbox::with_endpoint("http://127.0.0.1:9");
    let log = sb.path("browser.log");
    sh_script(
        &sb.path("browser.sh"),
        &format!(
            "echo \"$1\" >> '{log}'\n\
             i=0\n\
             while [ \"$(wc -l < '{log}')\" -lt {browsers} ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n\
             exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30).read()' \"$1\"",
            log = log.display()
        ),
    );
    sb.write_config(&format!(
        "[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Developer\nregion = eu-west-1\n"
    ));
    sb
}

fn vault(sb: &Sandbox, sso: &StandIn, args: &[&str]) -> Command {
    let mut cmd = sb.vault(args);
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.url)
        .env("AWS_ENDPOINT_URL_SSO", &sso.url)
        .env("BROWSER", sb.path("browser.sh"))
        // More than the stand-in's 1h role credentials: every exec asks the portal for them
        // with the cached sign-in, which is what these tests look at (the refreshed token's
        // 8h stay fresh).
        .env("AWS_MIN_TTL", "2h");
    cmd
}

/// `vault [--debug] exec dev -- env`, which must succeed with the portal's credentials.
fn exec(sb: &Sandbox, sso: &StandIn, debug: bool) -> Output {
    let mut args = vec!["exec", "dev", "--", "env"];
    if debug {
        args.insert(0, "--debug");
    }
    let out = run_bounded(&mut vault(sb, sso, &args), LIMIT);
    assert_success(&out);
    assert!(
        env_map(&stdout(&out))["AWS_SESSION_TOKEN"].starts_with("sso-111122223333-Developer-"),
        "{}",
        stdout(&out)
    );
    out
}

/// The browser runs detached from vault, and may still be writing: its log once `at_least`
/// lines are in it (or after 5s).
fn browser_opens(sb: &Sandbox, at_least: usize) -> usize {
    let lines = || {
        std::fs::read_to_string(sb.path("browser.log"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while lines() < at_least && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    lines()
}

/// Sign in once: the browser, then a token that expires within a second.
fn signed_in_and_expired(sb: &Sandbox, sso: &StandIn) {
    exec(sb, sso, false);
    assert_eq!(sso.calls("Authorize"), 1);
    assert_eq!(sso.calls("RefreshToken"), 0);
}

#[test]
fn an_expired_sign_in_is_renewed_with_its_refresh_token_not_the_browser() {
    let sso = short_sign_ins();
    let sb = sandbox(1);
    signed_in_and_expired(&sb, &sso);
    // Past its second, `vault list` says the sign-in renews itself rather than "expired".
    std::thread::sleep(Duration::from_millis(1500));
    let listed = run_bounded(&mut vault(&sb, &sso, &["list", "--sessions"]), LIMIT);
    assert_success(&listed);
    assert!(
        stdout(&listed).contains("dev: sso renews at next use"),
        "{}",
        stdout(&listed)
    );

    let out = exec(&sb, &sso, false);
    let err = stderr(&out);
    assert!(!err.contains("vault: open"), "{err}");
    assert!(!err.contains("sign-in"), "a refresh is silent: {err}");
    assert_eq!(sso.calls("Authorize"), 1, "no second browser sign-in");
    assert_eq!(sso.calls("RefreshToken"), 1, "one refresh");
    assert_eq!(sso.calls("RegisterClient"), 1, "the cached registration");
    assert_eq!(browser_opens(&sb, 2), 1);

    // The refreshed token lasts 8h: the next command uses it as it is.
    exec(&sb, &sso, false);
    assert_eq!(sso.calls("RefreshToken"), 1);
    assert_eq!(sso.calls("Authorize"), 1);
    assert_eq!(sso.calls("GetRoleCredentials"), 3);
}

#[test]
fn a_revoked_refresh_token_falls_back_to_the_browser_with_one_line() {
    let sso = short_sign_ins();
    let sb = sandbox(1);
    signed_in_and_expired(&sb, &sso);
    sso.revoke_refresh_tokens();

    let out = exec(&sb, &sso, false);
    let err = stderr(&out);
    let said: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("could not be renewed"))
        .collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(
        said[0].starts_with(
            "vault: the IAM Identity Center sign-in for profile 'dev' could not be renewed ("
        ) && said[0].contains("InvalidGrantException")
            && said[0].ends_with("); signing in again"),
        "{err}"
    );
    assert!(err.contains("vault: open"), "{err}");
    assert_eq!(sso.calls("RefreshToken"), 1);
    assert_eq!(sso.calls("Authorize"), 2, "signed in again in the browser");
    assert_eq!(browser_opens(&sb, 2), 2);

    // The new sign-in's refresh token is kept: its 1s token is refreshed.
    let out = exec(&sb, &sso, false);
    assert!(!stderr(&out).contains("vault: open"), "{}", stderr(&out));
    assert_eq!(sso.calls("RefreshToken"), 2);
    assert_eq!(sso.calls("Authorize"), 2);
}

#[test]
fn parallel_commands_refresh_once() {
    let sso = short_sign_ins();
    let sb = sandbox(1);
    signed_in_and_expired(&sb, &sso);
    // Four profiles of the sso-session: one command each, so that they meet at the
    // sign-in's lock, not at a lock of one profile's credentials.
    let mut config = std::fs::read_to_string(sb.config_path()).unwrap();
    for n in 0..4 {
        config.push_str(&format!(
            "\n[profile p{n}]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Role{n}\n"
        ));
    }
    sb.write_config(&config);

    // The test holds the sign-in's lock until all four commands wait for it, having found
    // the token expired: then one refreshes and the others must take its token.
    let lock = sb
        .home()
        .join(".cache/vault/locks")
        .join(format!("{}.lock", hex::encode("sso:corp")));
    let held = std::fs::File::open(&lock).expect("the sign-in's lock file");
    held.lock().unwrap();
    let outs: Vec<Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|n| {
                let profile = format!("p{n}");
                let mut cmd = vault(&sb, &sso, &["exec", &profile, "--", "env"]);
                scope.spawn(move || run_bounded(&mut cmd, LIMIT))
            })
            .collect();
        wait_for_lock_waiters(&lock, 4);
        held.unlock().unwrap();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for (n, out) in outs.iter().enumerate() {
        assert_success(out);
        assert!(!stderr(out).contains("vault: open"), "{}", stderr(out));
        assert!(
            env_map(&stdout(out))["AWS_SESSION_TOKEN"]
                .starts_with(&format!("sso-111122223333-Role{n}-")),
            "{}",
            stdout(out)
        );
    }
    assert_eq!(sso.calls("RefreshToken"), 1, "one refresh for 4 commands");
    assert_eq!(sso.calls("Authorize"), 1);
    assert_eq!(sso.calls("GetRoleCredentials"), 5);
}

/// Until `count` processes are blocked on the flock of `path` (Linux's /proc/locks lists
/// each waiter with `->`, by device and inode).
fn wait_for_lock_waiters(path: &Path, count: usize) {
    use std::os::unix::fs::MetadataExt;
    let inode = format!(":{} ", std::fs::metadata(path).unwrap().ino());
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        let locks = std::fs::read_to_string("/proc/locks").unwrap();
        let waiting = locks
            .lines()
            .filter(|l| l.contains("->") && l.contains(&inode))
            .count();
        if waiting >= count {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {waiting} commands wait for the sign-in lock:\n{locks}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_refused_refresh_keeps_a_token_that_is_still_good_and_is_not_tried_again() {
    // 10 minutes left is inside botocore's 15-minute refresh window, but more than the
    // 1 minute AWS_MIN_TTL asks for: the token is still usable when its refresh is refused.
    let sso = StandIn::start(&[("SSO_PENDING", "0"), ("SSO_TOKEN_TTL", "600")]);
    let sb = sandbox(1);
    let populate = |sb: &Sandbox| {
        let out = run_bounded(
            vault(sb, &sso, &["sso", "populate"]).env("AWS_MIN_TTL", "1m"),
            LIMIT,
        );
        assert_success(&out);
        out
    };
    populate(&sb);
    assert_eq!(sso.calls("Authorize"), 1);

    // In the window: refreshed, without the browser.
    populate(&sb);
    assert_eq!(sso.calls("RefreshToken"), 1);
    assert_eq!(sso.calls("Authorize"), 1);

    // Refused: the cached token serves, silently, and its refresh token is dropped.
    sso.revoke_refresh_tokens();
    let out = populate(&sb);
    assert_eq!(sso.calls("RefreshToken"), 2);
    assert_eq!(
        sso.calls("Authorize"),
        1,
        "no browser while the token is good"
    );
    let err = stderr(&out);
    assert!(!err.contains("could not be renewed"), "{err}");
    assert!(err.contains("is up to date"), "{err}");
    populate(&sb);
    assert_eq!(sso.calls("RefreshToken"), 2, "not tried again");
    assert_eq!(sso.calls("Authorize"), 1);
}

#[test]
fn the_refresh_token_is_never_in_the_clear_nor_in_debug_output() {
    let sso = short_sign_ins();
    let sb = sandbox(1);
    let first = exec(&sb, &sso, true);
    let refreshing = exec(&sb, &sso, true);
    assert_eq!(sso.calls("RefreshToken"), 1);
    let debug = format!("{}{}", stderr(&first), stderr(&refreshing));
    assert!(debug.contains("CreateToken (refresh_token)"), "{debug}");

    let tokens = sso.refresh_tokens();
    assert_eq!(tokens.len(), 2, "the sign-in's and the refresh's");
    let forms = |token: &str| {
        [
            token.to_string(),
            base64::engine::general_purpose::STANDARD.encode(token),
            hex::encode(token),
        ]
    };
    for token in &tokens {
        for form in forms(token) {
            assert!(!debug.contains(&form), "a refresh token in --debug output");
            assert_eq!(files_holding(sb.dir.path(), &form), Vec::<String>::new());
        }
    }

    // The scan reaches the store's folder and the cache: a planted token is found.
    let stores: Vec<_> = walk(sb.dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("vault"))
        .collect();
    assert!(!stores.is_empty(), "the file store wrote nothing?");
    let canary = sb.home().join(".cache/vault/canary");
    std::fs::create_dir_all(canary.parent().unwrap()).unwrap();
    std::fs::write(
        &canary,
        base64::engine::general_purpose::STANDARD.encode(&tokens[0]),
    )
    .unwrap();
    assert_eq!(
        files_holding(sb.dir.path(), &forms(&tokens[0])[1]),
        vec![canary.display().to_string()]
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                todo.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files
}

/// The files under `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|path| {
            let bytes = std::fs::read(path).unwrap_or_default();
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .map(|path| path.display().to_string())
        .collect()
}

#[test]
fn two_populates_at_once_for_two_sso_sessions_both_land() {
    let sso = StandIn::start(&[("SSO_PENDING", "0")]);
    // Each browser waits for the other's: both commands have read the config before either
    // writes, so without the lock the second write would drop the first one's block.
    let sb = sandbox(2);
    let config = "# mine\n\
         [sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = eu-west-1\n\n\
         [sso-session lab]\nsso_start_url = https://lab.example.com/start\nsso_region = eu-west-1\n";
    sb.write_config(config);
    let outs: Vec<Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = ["corp", "lab"]
            .map(|session| {
                let mut cmd = vault(
                    &sb,
                    &sso,
                    &[
                        "sso",
                        "populate",
                        session,
                        "--template",
                        "{sso_session}-{account_name}/{role_name}",
                    ],
                );
                scope.spawn(move || run_bounded(&mut cmd, LIMIT))
            })
            .into_iter()
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for out in &outs {
        assert_success(out);
        assert!(stderr(out).contains("wrote 1 profiles"), "{}", stderr(out));
    }
    assert_eq!(sso.calls("Authorize"), 2, "both signed in");
    let text = std::fs::read_to_string(sb.config_path()).unwrap();
    assert!(text.starts_with(config), "{text}");
    for session in ["corp", "lab"] {
        let block = format!(
            "# >>> vault sso populate {session}: vault rewrites this block; edit outside it >>>\n\
             [profile {session}-dev/Developer]\nsso_session = {session}\nsso_account_id = 111122223333\n\
             sso_role_name = Developer\nregion = eu-west-1\n\
             # <<< vault sso populate {session} <<<\n"
        );
        assert!(
            text.contains(&block),
            "{session}'s block is missing:\n{text}"
        );
    }
}
