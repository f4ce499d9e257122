//! `vault exec --server`: the child gets credentials from a local endpoint (the AWS CLI
//! against moto), only with the token, renewed while it runs; vault stays its parent.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(90);

fn will() -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    sb
}

fn exec_server(sb: &Sandbox, args: &[&str], child: &[&str]) -> std::process::Output {
    let mut full = vec!["exec"];
    full.extend_from_slice(args);
    full.push("--server");
    full.push("--");
    full.extend_from_slice(child);
    run_bounded(&mut sb.vault(&full), LIMIT)
}

#[test]
fn aws_cli_gets_credentials_from_the_server() {
    let sb = will();
    let out = exec_server(
        &sb,
        &["will"],
        &[
            "sh",
            "-c",
            "aws configure list && aws sts get-caller-identity --output json",
        ],
    );
    assert_success(&out);
    let text = stdout(&out);
    // `aws configure list` names where the CLI found its credentials.
    assert!(text.contains("container-role"), "{text}");
    let json = &text[text.find('{').expect("JSON from the CLI")..];
    let identity: serde_json::Value = serde_json::from_str(json).unwrap();
    assert!(identity["Account"].is_string(), "{identity}");
    assert!(identity["Arn"].as_str().unwrap().starts_with("arn:aws:"));
}

#[test]
fn child_environment_has_the_server_and_no_keys() {
    let sb = will();
    let out = run_bounded(
        sb.vault(&["exec", "will", "--server", "--", "env"])
            .env(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/x",
            )
            .env("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z")
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/token")
            .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/other")
            .env("AWS_ROLE_SESSION_NAME", "other"),
        LIMIT,
    );
    assert_success(&out);
    let env = env_map(&stdout(&out));
    assert_eq!(env["AWS_VAULT"], "will");
    assert_eq!(env["AWS_REGION"], "eu-west-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "eu-west-1");
    let uri = &env["AWS_CONTAINER_CREDENTIALS_FULL_URI"];
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    assert_eq!(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"].len(), 43);
    for gone in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
    ] {
        assert!(!env.contains_key(gone), "{gone} must not reach the child");
    }
    // A `[default]` in a credentials file would come before the server.
    assert_eq!(env["AWS_SHARED_CREDENTIALS_FILE"], "/dev/null");
}

/// A child that calls the server as the given clients do and prints one line per call:
/// `name status body`.
const PROBE: &str = r#"
import json, os, sys, urllib.request, urllib.error
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def call(name, headers, method="GET"):
    request = urllib.request.Request(uri, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode()
    print(name, status, body.replace("\n", " "), flush=True)
for step in sys.argv[1:]:
    if step == "ok":
        call("ok", {"Authorization": token})
    elif step == "none":
        call("none", {})
    elif step == "wrong":
        call("wrong", {"Authorization": token[:-1] + ("A" if token[-1] != "A" else "B")})
    elif step == "bearer":
        call("bearer", {"Authorization": "Bearer " + token})
    elif step == "host":
        call("host", {"Authorization": token, "Host": "attacker.example"})
    elif step == "post":
        call("post", {"Authorization": token}, method="POST")
"#;

fn probe(sb: &Sandbox, args: &[&str], steps: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let mut full = vec!["exec"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--server", "--", "python3", "-c", PROBE]);
    full.extend_from_slice(steps);
    let mut cmd = sb.vault(&full);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run_bounded(&mut cmd, LIMIT);
    assert_success(&out);
    stdout(&out).lines().map(String::from).collect()
}

fn answer(line: &str) -> (u16, serde_json::Value) {
    let mut parts = line.splitn(3, ' ');
    let _name = parts.next();
    let status = parts.next().unwrap().parse().unwrap();
    let body = serde_json::from_str(parts.next().unwrap()).unwrap();
    (status, body)
}

#[test]
fn only_the_token_holder_gets_credentials() {
    let sb = will();
    let lines = probe(
        &sb,
        &["will"],
        &["none", "wrong", "bearer", "host", "post", "ok"],
        &[],
    );
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l.split(' ').take(2).last().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["401", "401", "401", "403", "405", "200"],
        "{lines:#?}"
    );
    for refused in &lines[..5] {
        assert!(!refused.contains("SecretAccessKey"), "{refused}");
    }
    let (_, creds) = answer(&lines[5]);
    for key in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
        assert!(
            creds[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key}: {creds}"
        );
    }
    let expiration = creds["Expiration"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(expiration).is_ok() && expiration.ends_with('Z'),
        "{expiration}"
    );
}

#[test]
fn credentials_are_renewed_while_the_child_runs() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    // 15m credentials with AWS_MIN_TTL 16m are always due for renewal: exec fetches them, and
    // every request renews them first (that the renewed ones are served is the unit test
    // `serves_over_http_and_renews`).
    let lines = probe(
        &sb,
        &["will", "--duration", "15m"],
        &["ok", "ok"],
        &[("AWS_MIN_TTL", "16m")],
    );
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let (first_status, first) = answer(&lines[0]);
    let (second_status, _) = answer(&lines[1]);
    assert_eq!((first_status, second_status), (200, 200));
    let expiry = chrono::DateTime::parse_from_rfc3339(first["Expiration"].as_str().unwrap());
    let left = expiry.unwrap().timestamp() - chrono::Utc::now().timestamp();
    assert!((800..=900).contains(&left), "--duration 15m: {left}s");
    let calls = sts.calls_of("GetSessionToken");
    assert_eq!(calls.len(), 3, "exec's fetch, then one renewal per request");
    assert!(
        calls
            .iter()
            .all(|c| c.param("DurationSeconds") == Some("900")),
        "every renewal keeps --duration: {calls:?}"
    );

    // With the default AWS_MIN_TTL (5m) the cached session is used and served as it is (for
    // the same 15m ask: a 15m session does not serve an ask of 1h).
    let lines = probe(&sb, &["will", "--duration", "15m"], &["ok", "ok"], &[]);
    let (_, first) = answer(&lines[0]);
    let (_, second) = answer(&lines[1]);
    assert_eq!(first["Expiration"], second["Expiration"]);
    assert_eq!(sts.calls().len(), 3, "no call: {:?}", sts.calls());
}

#[test]
fn exit_code_is_passed_on_and_vault_dies_by_the_childs_signal() {
    let sb = will();
    let out = exec_server(&sb, &["will"], &["sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let out = exec_server(&sb, &["will"], &["sh", "-c", "kill -TERM $$"]);
    assert_eq!(out.status.signal(), Some(15), "{:?}", out.status);
}

#[test]
fn sigterm_to_vault_reaches_the_child() {
    let sb = will();
    let (line, status) = signal_a_server_mode_vault(&sb, "will", libc::SIGTERM, "term", 42);
    assert_eq!(line, "got-term", "the child handled the signal");
    assert_eq!(status.code(), Some(42), "{status:?}");
}

/// Counts the SIGINTs it gets: one Ctrl-C, then one `kill -INT` of vault. (A duplicate that
/// vault forwarded would usually merge in the kernel with the one still pending, so this
/// proves one delivery and the forwarding, not the absence of a duplicate in every race.)
const COUNT_INTERRUPTS: &str = r#"
import os, signal, time
# The wakeup fd gets one byte per delivery, so two SIGINTs are two even when Python would
# run its handler once for both.
r, w = os.pipe()
os.set_blocking(r, False)
os.set_blocking(w, False)
signal.signal(signal.SIGINT, lambda *_: None)
signal.set_wakeup_fd(w)
count = 0
def settle(target):
    global count
    deadline = time.time() + 20
    quiet_until = None
    while time.time() < deadline:
        try:
            count += len(os.read(r, 64))
        except BlockingIOError:
            pass
        if count >= target and quiet_until is None:
            quiet_until = time.time() + 1  # a duplicate would arrive meanwhile
        if quiet_until is not None and time.time() > quiet_until:
            return
        time.sleep(0.01)
print("ready", flush=True)
settle(1)
print("after-ctrl-c", count, flush=True)
settle(2)
print("after-kill", count, flush=True)
"#;

/// Runs vault on a new pseudo-terminal (its foreground process group), types Ctrl-C when
/// the child is ready, then sends SIGINT to vault alone from another process.
const PTY_DRIVER: &str = r#"
import os, pty, select, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
output = b""
def read_until(token):
    global output
    deadline = time.time() + 40
    while token not in output and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            output += chunk
read_until(b"ready")
os.write(fd, b"\x03")
read_until(b"after-ctrl-c")
os.kill(pid, signal.SIGINT)
read_until(b"after-kill")
read_until(b"never")
_, status = os.waitpid(pid, 0)
sys.stdout.write(output.decode(errors="replace"))
print("status", os.waitstatus_to_exitcode(status))
"#;

#[test]
fn ctrl_c_reaches_the_child_once_and_kill_is_forwarded() {
    let sb = will();
    let out = run_bounded(
        sb.command("python3").args([
            "-c",
            PTY_DRIVER,
            env!("CARGO_BIN_EXE_vault"),
            "exec",
            "will",
            "--server",
            "--",
            "python3",
            "-c",
            COUNT_INTERRUPTS,
        ]),
        LIMIT,
    );
    let text = stdout(&out);
    assert!(
        text.contains("after-ctrl-c 1"),
        "the terminal's SIGINT reached the child once: {text}"
    );
    assert!(
        text.contains("after-kill 2"),
        "a SIGINT sent to vault is forwarded: {text}"
    );
    assert!(text.trim_end().ends_with("status 0"), "{text}");
}

#[test]
fn long_term_keys_are_refused() {
    let sb = will();
    let out = exec_server(&sb, &["will", "--no-session"], &["true"]);
    assert_one_line_error(&out, &["--server", "long-term keys", "--no-session"]);
}
