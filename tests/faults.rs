//! Faults on the way to credentials: an STS that is slow, throttles, refuses revoked keys or a
//! skewed clock; signals (Ctrl-C during `exec` and during an activation, SIGPIPE); many shells
//! activating one profile at once. Each fault must end in one clear line within a bounded time
//! (the hang guard of `run_bounded`, not a timing assertion), cache nothing, and let the next
//! success work. Faults moto cannot produce come from a small stand-in STS written here.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::*;

const LIMIT: Duration = Duration::from_secs(60);
/// README: 3 s to connect, 20 s per call (3 attempts inside it). The guard adds room for
/// starting the process on a loaded machine; a hang would blow through it.
const CALL_GUARD: Duration = Duration::from_secs(35);
/// The tests that wait out a time limit shorten it (VAULT_CALL_TIMEOUT, VAULT_LOCK_WAIT) to
/// this, and check vault's message names it.
const SHORT_LIMIT: &str = "2s";
/// The hang guard for a shortened limit: the limit plus room for a loaded machine, still well
/// under the default 20 s, so a setting that is ignored fails the test.
const SHORT_GUARD: Duration = Duration::from_secs(15);

/// What the stand-in answers to one request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// An STS error document with this HTTP status, code and message.
    Error(u16, &'static str, &'static str),
    /// A GetSessionToken answer with fresh credentials.
    Session,
    /// Accept the request and never answer.
    Silent,
}

/// A stand-in STS endpoint: the n-th request gets `script[n]`, later ones the last entry.
struct StandIn {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl StandIn {
    fn start(script: &[Reply]) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let script: Arc<Vec<Reply>> = Arc::new(script.to_vec());
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let script = Arc::clone(&script);
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || serve(stream, &script, &counter));
            }
        });
        StandIn { url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn serve(mut stream: TcpStream, script: &[Reply], hits: &AtomicUsize) {
    loop {
        // Headers, then the body by Content-Length (the SDK sends small form bodies).
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let length = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        if stream.read_exact(&mut body).is_err() {
            return;
        }
        let n = hits.fetch_add(1, Ordering::SeqCst);
        let reply = script[n.min(script.len() - 1)];
        let (status, xml) = match reply {
            Reply::Silent => {
                // Hold the connection open, saying nothing, longer than any sane client waits.
                std::thread::sleep(Duration::from_secs(120));
                return;
            }
            Reply::Error(status, code, message) => (
                status,
                format!(
                    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                     <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
                     <RequestId>standin-{n}</RequestId></ErrorResponse>"
                ),
            ),
            Reply::Session => {
                let expiry =
                    (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
                (
                    200,
                    format!(
                        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                         <GetSessionTokenResult><Credentials>\
                         <SessionToken>standin-token-{n}</SessionToken>\
                         <SecretAccessKey>standinSecret{n}</SecretAccessKey>\
                         <Expiration>{expiry}</Expiration>\
                         <AccessKeyId>ASIASTANDIN{n:09}</AccessKeyId>\
                         </Credentials></GetSessionTokenResult>\
                         <ResponseMetadata><RequestId>standin-{n}</RequestId></ResponseMetadata>\
                         </GetSessionTokenResponse>"
                    ),
                )
            }
        };
        let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
        let response = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nDate: {date}\r\nx-amzn-RequestId: standin-{n}\r\n\r\n{xml}",
            if status == 200 { "OK" } else { "Bad Request" },
            xml.len()
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// `vault list` shows no cached session for any profile.
fn assert_nothing_cached(sb: &Sandbox) {
    let out = run_bounded(&mut sb.vault(&["list"]), LIMIT);
    assert_success(&out);
    let list = stdout(&out);
    assert!(
        !list.contains("left") && !list.contains("expired"),
        "a failure must cache nothing: {list}"
    );
    let keys = stdout(&run_bounded(
        &mut sb.vault(&["list", "--credentials"]),
        LIMIT,
    ));
    assert_eq!(keys.trim(), "will", "the master keys must survive: {keys}");
}

/// After a failure, the same sandbox pointed at the real emulator gets credentials.
fn assert_next_success_works(sb: &Sandbox) {
    let out = run_bounded(
        sb.vault(&["exec", "will", "--", "env"])
            .env("AWS_ENDPOINT_URL", &Moto::shared().url),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_ne!(env["AWS_ACCESS_KEY_ID"], ACCESS_KEY, "session keys");
    assert!(!env["AWS_SESSION_TOKEN"].is_empty());
    let list = stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT));
    assert!(list.contains("session"), "{list}");
}

fn assert_no_panic(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

/// An allowed project using `profile`; returns its folder.
fn allowed_project(sb: &Sandbox, profile: &str) -> PathBuf {
    let project = sb.path("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join(".awsvault"),
        format!("profile = \"{profile}\"\n"),
    )
    .unwrap();
    let out = run_bounded(&mut sb.vault(&["allow", project.to_str().unwrap()]), LIMIT);
    assert_success(&out);
    project
}

/// What the bash glue runs at a prompt in `project`.
fn hook_env(sb: &Sandbox, project: &PathBuf) -> Command {
    let mut cmd = sb.vault(&["hook-env", "bash"]);
    cmd.current_dir(project).env("PWD", project);
    cmd
}

/// The value of `export NAME='value'` in hook-env's bash output.
fn exported(text: &str, name: &str) -> Option<String> {
    let prefix = format!("export {name}='");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split('\'').next())
        .map(String::from)
}

/// The hook never fails the prompt: exit 0, one line on stderr naming the profile and every
/// needle, and no credentials exported (the shell stays as it was).
fn assert_hook_failed_cleanly(out: &std::process::Output, needles: &[&str]) {
    assert_no_panic(out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("vault: cannot activate profile 'will'"),
        "{err}"
    );
    for needle in needles {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
    let text = stdout(out);
    assert!(exported(&text, "AWS_ACCESS_KEY_ID").is_none(), "{text}");
    assert!(exported(&text, "AWS_VAULT").is_none(), "{text}");
}

#[test]
fn slow_sts_is_a_bounded_error_for_exec_and_the_hook() {
    let standin = StandIn::start(&[Reply::Silent]);
    let sb = Sandbox::with_endpoint(&standin.url);
    sb.add("will");
    let project = allowed_project(&sb, "will");
    // One after the other: run at once, the second would first wait for the first's
    // session lock (see the report on lock waits).
    let started = Instant::now();
    let exec = run_bounded(
        sb.vault(&["exec", "will", "--", "true"])
            .env("VAULT_CALL_TIMEOUT", SHORT_LIMIT),
        SHORT_GUARD,
    );
    let exec = (exec, started.elapsed());
    let started = Instant::now();
    let hook = run_bounded(
        hook_env(&sb, &project).env("VAULT_CALL_TIMEOUT", SHORT_LIMIT),
        SHORT_GUARD,
    );
    let hook = (hook, started.elapsed());
    eprintln!(
        "slow STS: exec gave up after {:?} ({}), hook after {:?} ({})",
        exec.1,
        stderr(&exec.0).trim(),
        hook.1,
        stderr(&hook.0).trim()
    );
    assert_one_line_error(
        &exec.0,
        &[
            "profile 'will'",
            "GetSessionToken failed",
            "timeout",
            "after 2s",
        ],
    );
    assert_no_panic(&exec.0);
    assert_hook_failed_cleanly(&hook.0, &["GetSessionToken failed", "timeout", "after 2s"]);
    assert!(
        standin.hits() <= 6,
        "attempts are bounded: {}",
        standin.hits()
    );
    assert_nothing_cached(&sb);
    assert_next_success_works(&sb);
}

/// A time limit that is not a duration, or zero, is one clear line naming the variable, before
/// any call is made.
#[test]
fn bad_time_limit_settings_are_one_line_errors() {
    let standin = StandIn::start(&[Reply::Session]);
    let sb = Sandbox::with_endpoint(&standin.url);
    sb.add("will");
    for name in ["VAULT_CALL_TIMEOUT", "VAULT_LOCK_WAIT"] {
        for value in ["soon", "0"] {
            let out = run_bounded(
                sb.vault(&["exec", "will", "--", "true"]).env(name, value),
                LIMIT,
            );
            assert_one_line_error(&out, &[name]);
        }
    }
    assert_eq!(standin.hits(), 0, "no call with a bad setting");
}

/// At a prompt a malformed setting is one line and the hook still works, with every other
/// setting as set: a bad AWS_SESSION_TOKEN_TTL must not reset AWS_MIN_TTL to its default.
#[test]
fn the_hook_reports_a_malformed_setting_and_keeps_the_others() {
    let sb = Sandbox::with_endpoint(&Moto::shared().url);
    sb.add("will");
    let project = allowed_project(&sb, "will");
    let out = run_bounded(
        hook_env(&sb, &project)
            .env("AWS_SESSION_TOKEN_TTL", "soon")
            .env("AWS_MIN_TTL", "20m"),
        LIMIT,
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("AWS_SESSION_TOKEN_TTL") && err.contains("'soon'"),
        "{err}"
    );
    let text = stdout(&out);
    assert!(
        exported(&text, "AWS_ACCESS_KEY_ID").is_some(),
        "activated: {text}"
    );
    let scalar = |name: &str| -> i64 {
        let prefix = format!("{name}='");
        text.lines()
            .find_map(|l| l.trim_start().strip_prefix(&prefix))
            .and_then(|rest| rest.split('\'').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    assert_eq!(
        scalar("__vault_w_next"),
        scalar("__vault_p_expires") - 20 * 60,
        "the next check is AWS_MIN_TTL (20m) before the expiry"
    );
    // An explicit command still refuses it.
    let exec = run_bounded(
        sb.vault(&["exec", "will", "--", "true"])
            .env("AWS_SESSION_TOKEN_TTL", "soon"),
        LIMIT,
    );
    assert_one_line_error(&exec, &["AWS_SESSION_TOKEN_TTL"]);
}

#[test]
fn throttling_is_retried_with_backoff_then_succeeds() {
    let throttle = Reply::Error(400, "Throttling", "Rate exceeded");
    let standin = StandIn::start(&[throttle, throttle, Reply::Session]);
    let sb = Sandbox::with_endpoint(&standin.url);
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["exec", "will", "--", "env"]), CALL_GUARD);
    assert_success(&out);
    assert_eq!(standin.hits(), 3, "two throttled attempts, then the answer");
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_ACCESS_KEY_ID"], "ASIASTANDIN000000002");
    let list = stdout(&run_bounded(&mut sb.vault(&["list"]), LIMIT));
    assert!(list.contains("session"), "the success is cached: {list}");
}

#[test]
fn persistent_throttling_gives_up_after_three_attempts() {
    let standin = StandIn::start(&[Reply::Error(400, "Throttling", "Rate exceeded")]);
    let sb = Sandbox::with_endpoint(&standin.url);
    sb.add("will");
    let out = run_bounded(&mut sb.vault(&["exec", "will", "--", "true"]), CALL_GUARD);
    eprintln!("persistent throttling: {}", stderr(&out).trim());
    assert_one_line_error(
        &out,
        &["GetSessionToken failed", "Throttling: Rate exceeded"],
    );
    assert_no_panic(&out);
    assert_eq!(standin.hits(), 3, "at most 3 attempts");
    assert_nothing_cached(&sb);
    assert_next_success_works(&sb);
}

/// Answers no retry can fix: revoked or expired master keys, a refused call, a skewed clock.
/// Each is one attempt, one line, nothing cached, for `exec` and for the hook alike.
#[test]
fn refusals_are_one_line_and_not_retried() {
    let cases: [(&str, &str); 5] = [
        (
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
        (
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        (
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/will is not authorized to perform: sts:GetSessionToken",
        ),
        (
            "SignatureDoesNotMatch",
            "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)",
        ),
        (
            "RequestExpired",
            "Request has expired. Timestamp date is 20260101T000000Z",
        ),
    ];
    for (code, message) in cases {
        let status = if code == "AccessDenied" { 403 } else { 400 };
        let standin = StandIn::start(&[Reply::Error(status, code, message)]);
        let sb = Sandbox::with_endpoint(&standin.url);
        sb.add("will");
        let out = run_bounded(&mut sb.vault(&["exec", "will", "--", "true"]), CALL_GUARD);
        assert_one_line_error(&out, &["profile 'will'", "GetSessionToken failed", code]);
        assert_no_panic(&out);
        assert!(!stderr(&out).contains(SECRET_KEY));
        let after_exec = standin.hits();
        let project = allowed_project(&sb, "will");
        let hook = run_bounded(&mut hook_env(&sb, &project), CALL_GUARD);
        assert_hook_failed_cleanly(&hook, &[code]);
        eprintln!(
            "{code}: {} attempt(s); exec said: {}",
            after_exec,
            stderr(&out).trim()
        );
        assert!(after_exec <= 3, "{code}: {after_exec} attempts");
        assert_nothing_cached(&sb);
        assert_next_success_works(&sb);
    }
}

/// moto with IAM authentication on refuses unknown keys (AccessDenied-like) for the hook too.
#[test]
fn hook_with_refused_keys_keeps_the_shell_as_it_was() {
    let strict = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]);
    let sb = Sandbox::with_endpoint(&strict.url);
    sb.add("will");
    let project = allowed_project(&sb, "will");
    let out = run_bounded(&mut hook_env(&sb, &project), CALL_GUARD);
    assert_hook_failed_cleanly(&out, &["GetSessionToken failed"]);
    assert_nothing_cached(&sb);
    assert_next_success_works(&sb);
}

/// Plain `exec` replaces vault with the child, so Ctrl-C (SIGINT to the foreground process
/// group) reaches the child itself and its exit code is vault's.
#[test]
fn ctrl_c_during_exec_reaches_the_child_and_its_exit_code_is_passed_on() {
    let sb = Sandbox::new();
    sb.add("will");
    for server in [false, true] {
        let ready = sb.path(&format!("ready-{server}"));
        let script = format!(
            "trap 'exit 42' INT; echo $$ > '{}'; while :; do sleep 0.2; done",
            ready.display()
        );
        let mut args = vec!["exec", "will"];
        if server {
            args.push("--server");
        }
        args.extend_from_slice(&["--", "sh", "-c", &script]);
        let mut cmd = sb.vault(&args);
        default_interrupts(&mut cmd);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + LIMIT;
        let shell_pid = loop {
            if let Ok(text) = std::fs::read_to_string(&ready)
                && let Ok(pid) = text.trim().parse::<u32>()
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the child never started");
            assert!(child.try_wait().unwrap().is_none(), "vault exited early");
            std::thread::sleep(Duration::from_millis(20));
        };
        if !server {
            assert_eq!(
                shell_pid,
                child.id(),
                "plain exec replaces vault by the child"
            );
        }
        // SAFETY: signalling the process group we just created.
        unsafe {
            libc::kill(-(child.id() as i32), libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("exec (server={server}) did not end after SIGINT");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(42), "server={server}: {status:?} {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Profile `will` with MFA whose `mfa_process` touches a file, then sleeps `seconds`; and an
/// allowed project for it. Returns (the file it touches when started, the project).
fn profile_with_slow_mfa(sb: &Sandbox, seconds: u32) -> (PathBuf, PathBuf) {
    let started = sb.path("mfa-started");
    let script = sb.path("slow-mfa.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\nexec sleep {seconds}\n",
            started.display()
        ),
    )
    .unwrap();
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = sh {}\n",
        script.display()
    ));
    sb.add("will");
    let project = allowed_project(sb, "will");
    (started, project)
}

/// Ctrl-C while an activation waits for its MFA code cancels it: no credentials, one line,
/// nothing cached, and the shell's prompt survives (exit 0).
#[test]
fn ctrl_c_during_activation_leaves_the_environment_as_it_was() {
    let sb = Sandbox::new();
    let (started, project) = profile_with_slow_mfa(&sb, 30);
    let mut cmd = hook_env(&sb, &project);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + LIMIT;
    while !started.exists() {
        assert!(Instant::now() < deadline, "mfa_process never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let `sleep` start (a signal between fork and exec would leave it running on its own).
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: signalling the process group we just created, as the terminal's Ctrl-C does.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGINT);
    }
    let begun = Instant::now();
    let out = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        if begun.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("hook-env did not end after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    eprintln!("Ctrl-C during activation: {}", stderr(&out).trim());
    assert_hook_failed_cleanly(&out, &["mfa_process"]);
    assert_nothing_cached(&sb);
    // Applied by a shell, the output leaves the user's variables exactly as they were.
    let applied = run_bounded(
        sb.command("bash").arg("-c").arg(format!(
            "export AWS_PROFILE=mine AWS_REGION=eu-north-1\n{}\necho \"${{AWS_VAULT-unset}}|$AWS_PROFILE|$AWS_REGION|${{AWS_ACCESS_KEY_ID-unset}}\"",
            stdout(&out)
        )),
        LIMIT,
    );
    assert_success(&applied);
    assert_eq!(stdout(&applied).trim(), "unset|mine|eu-north-1|unset");
}

/// A prompt does not wait for ever on another process holding the session's lock (an MFA
/// prompt left open in another terminal): after at most one call's time it gives up with one
/// line and keeps the shell as it was.
#[test]
fn hook_does_not_wait_for_ever_on_another_terminals_mfa_prompt() {
    let sb = Sandbox::new();
    let (started, project) = profile_with_slow_mfa(&sb, 90);
    // The other terminal: waits at its MFA step while holding session:will's lock.
    let mut holder = sb.vault(&["exec", "will", "--", "true"]);
    std::os::unix::process::CommandExt::process_group(&mut holder, 0);
    let mut holder = holder
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + LIMIT;
    while !started.exists() {
        assert!(Instant::now() < deadline, "the holder never reached MFA");
        std::thread::sleep(Duration::from_millis(20));
    }
    let begun = Instant::now();
    let out = run_bounded(
        hook_env(&sb, &project).env("VAULT_LOCK_WAIT", SHORT_LIMIT),
        SHORT_GUARD,
    );
    eprintln!(
        "lock held elsewhere: hook gave up after {:?}: {}",
        begun.elapsed(),
        stderr(&out).trim()
    );
    // SAFETY: ending the process group this test started.
    unsafe {
        libc::kill(-(holder.id() as i32), libc::SIGKILL);
    }
    let _ = holder.wait();
    assert_hook_failed_cleanly(
        &out,
        &["another vault process", "session:will", "for over 2 s"],
    );
}

/// `vault list | head -1`: vault dies quietly of SIGPIPE like any Unix filter, with no
/// "Broken pipe" message. The output is made larger than a pipe buffer so vault really
/// writes into a closed pipe.
#[test]
fn sigpipe_on_list_is_silent() {
    let sb = Sandbox::new();
    let mut config = String::new();
    for i in 0..6000 {
        config.push_str(&format!("[profile profile-with-a-longish-name-{i:05}]\n"));
    }
    sb.write_config(&config);
    sb.add("will");
    for args in ["list", "list --profiles"] {
        let vault = env!("CARGO_BIN_EXE_vault");
        let out = run_bounded(
            sb.command("bash").arg("-c").arg(format!(
                "'{vault}' {args} | head -1; echo \"status=${{PIPESTATUS[0]}}\" >&2"
            )),
            LIMIT,
        );
        let err = stderr(&out);
        let status = err
            .trim()
            .strip_prefix("status=")
            .unwrap_or_else(|| panic!("{args}: only the status line may be on stderr, got: {err}"));
        // 0 when everything fitted the pipe, 141 (SIGPIPE) otherwise: never an error of vault's.
        assert!(status == "0" || status == "141", "{args}: {status}");
        assert_eq!(stdout(&out).lines().count(), 1);
    }
}

/// 50 shells entering the same project at once: one MFA prompt, one GetSessionToken, and
/// every shell gets the same working credentials.
#[test]
fn fifty_shells_activating_at_once_share_one_session() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    let mfa = sb.counting_mfa_process("fifty");
    sb.write_config(&format!(
        "[profile will]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = {mfa}\n"
    ));
    sb.add("will");
    let project = allowed_project(&sb, "will");
    let children: Vec<_> = (0..50)
        .map(|_| {
            hook_env(&sb, &project)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut outputs = Vec::new();
    for mut child in children {
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("a hook-env did not finish");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        outputs.push(child.wait_with_output().unwrap());
    }
    let mut expiries = std::collections::BTreeSet::new();
    let mut keys = std::collections::BTreeSet::new();
    for out in &outputs {
        assert_success(out);
        assert_no_panic(out);
        assert_eq!(stderr(out), "", "no message for a plain activation");
        let text = stdout(out);
        expiries.insert(exported(&text, "AWS_CREDENTIAL_EXPIRATION").expect(&text));
        keys.insert(exported(&text, "AWS_ACCESS_KEY_ID").expect(&text));
        assert_eq!(exported(&text, "AWS_VAULT").as_deref(), Some("will"));
    }
    assert_eq!(sb.count("fifty"), 1, "one MFA prompt for 50 shells");
    assert_eq!(expiries.len(), 1, "one session: {expiries:?}");
    assert_eq!(sts.count("GetSessionToken"), 1, "one GetSessionToken");
    assert_eq!(sts.calls().len(), 1, "{:?}", sts.calls());
    assert_eq!(keys.len(), 1, "{keys:?}");
    // The credentials work: the AWS CLI, in a shell that applied one of the outputs.
    let out = run_bounded(
        sb.command("bash").arg("-c").arg(format!(
            "{}\naws sts get-caller-identity --endpoint-url \"$AWS_ENDPOINT_URL\" --output text --query Account",
            stdout(&outputs[0])
        )),
        LIMIT,
    );
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "123456789012");
}
