//! The credential server of `exec --server` cannot be frozen, exhausted or killed by a local
//! process without the token, and it is what the SDKs in the child use.
//!
//! The attacker here is the child itself, talking raw TCP to the server without the token
//! (any local process can reach the port); between attacks it asks as the SDKs do, with the
//! token, to see that the server still answers. Every socket read has a generous limit, so a
//! frozen server makes a step print `none` instead of hanging the test.

use crate::LIMIT;
use crate::support::*;

/// Runs the steps named in argv and prints one line per result: `NAME VALUE`.
const ATTACKER: &str = r#"
import os, resource, socket, sys
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
port = int(uri.rstrip("/").rsplit(":", 1)[1])
host = f"127.0.0.1:{port}"

def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=20)

def status(s):
    """The status code of the response on s, or none if there is none within the limit."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    parts = data.split(b" ", 2)
    return parts[1].decode() if len(parts) > 1 else "none"

def send(raw):
    s = connect()
    s.sendall(raw)
    return s

def report(name, value):
    print(name, value, flush=True)

def ok():
    """A request as an SDK sends it, with the token."""
    s = send(f"GET / HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n".encode())
    report("ok", status(s))

held = []  # attacking sockets stay open (and silent) until the end
for step in sys.argv[1:]:
    if step == "ok":
        ok()
    elif step == "slow-body":
        # 1100 of the 5000 bytes announced, then silence.
        s = send(f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5000\r\n\r\n".encode() + b"x" * 1100)
        held.append(s)
        report(step, status(s))
    elif step == "huge-body":
        s = send(f"GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 999999999999999\r\n\r\n".encode())
        held.append(s)
        report(step, status(s))
    elif step == "chunked":
        s = send(f"GET / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        held.append(s)
        report(step, status(s))
    elif step == "expect":
        # With the token: the only reason to refuse is that it asks leave to send a body.
        s = send(f"GET / HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n".encode())
        held.append(s)
        report(step, status(s))
    elif step == "no-host":
        s = send(f"GET / HTTP/1.0\r\nAuthorization: {token}\r\n\r\n".encode())
        report(step, status(s))
    elif step == "two-hosts":
        s = send(f"GET / HTTP/1.1\r\nHost: {host}\r\nHost: attacker.example\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n".encode())
        report(step, status(s))
    elif step == "garbage":
        for raw in [b"\x00\xff\xfe garbage\r\n\r\n", b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\nAuthorization: \xc3\x28\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX: " + b"a" * 100000 + b"\r\n\r\n",
                    b"GET http://" + host.encode() + b"/ HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"]:
            try:
                s = send(raw)
                status(s)
                s.close()
            except OSError:
                pass
        report(step, "sent")
    elif step == "half-open":
        # 1000 connections that start a request and never finish it.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        for _ in range(1000):
            held.append(send(b"GET / HTTP/1.1\r\n"))
        report(step, len(held))
    elif step == "threads":
        with open(f"/proc/{os.getppid()}/status") as f:
            threads = [l.split()[1] for l in f if l.startswith("Threads:")][0]
        report(step, threads)
print("done", flush=True)
"#;

/// Runs the attacker as the child of `exec will --server`, returns its lines and vault's
/// stderr after checking that vault (and the child) ended well.
fn attack(steps: &[&str]) -> (Vec<String>, String) {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    let mut args = vec!["exec", "will", "--server", "--", "python3", "-c", ATTACKER];
    args.extend_from_slice(steps);
    let out = run_bounded(&mut sb.vault(&args), LIMIT * 4);
    let (text, errors) = (stdout(&out), stderr(&out));
    assert!(
        out.status.success(),
        "vault and the child ended well: {:?}\n{text}\n{errors}",
        out.status
    );
    assert!(text.ends_with("done\n"), "{text}");
    assert!(!errors.contains("panicked"), "{errors}");
    (text.lines().map(String::from).collect(), errors)
}

fn value<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .collect()
}

/// A request with a body is refused before the body is read: announcing 5000 bytes and
/// sending 1100 freezes nobody, announcing 999999999999999 allocates nothing (it aborted
/// vault with tiny_http), and neither chunks nor `Expect: 100-continue` get the server to wait.
#[test]
fn a_body_is_refused_before_it_is_read() {
    let (lines, _) = attack(&[
        "slow-body",
        "ok",
        "huge-body",
        "ok",
        "chunked",
        "expect",
        "ok",
    ]);
    assert_eq!(value(&lines, "slow-body"), ["413"], "{lines:#?}");
    assert_eq!(value(&lines, "huge-body"), ["413"], "{lines:#?}");
    assert_eq!(value(&lines, "chunked"), ["413"], "{lines:#?}");
    assert_eq!(value(&lines, "expect"), ["417"], "{lines:#?}");
    assert_eq!(
        value(&lines, "ok"),
        ["200", "200", "200"],
        "the child is answered meanwhile: {lines:#?}"
    );
}

/// README's promise: a request must name the server as its one `Host`, so a request without
/// one (HTTP/1.0) or with a second one, even with the token, gets no credentials.
#[test]
fn host_must_be_given_exactly_once() {
    let (lines, _) = attack(&["no-host", "two-hosts", "ok"]);
    assert_eq!(value(&lines, "no-host"), ["400"], "{lines:#?}");
    assert_eq!(value(&lines, "two-hosts"), ["400"], "{lines:#?}");
    assert_eq!(value(&lines, "ok"), ["200"], "{lines:#?}");
}

/// 1000 half-open connections and malformed requests neither make a thread each (tiny_http
/// made 956) nor keep the child from its credentials, and vault does not fall over.
#[test]
fn many_connections_need_no_threads_and_block_nobody() {
    let (lines, _) = attack(&["garbage", "ok", "half-open", "ok", "threads", "ok"]);
    assert_eq!(value(&lines, "half-open"), ["1000"], "{lines:#?}");
    assert_eq!(value(&lines, "ok"), ["200", "200", "200"], "{lines:#?}");
    let threads: usize = value(&lines, "threads")[0].parse().unwrap();
    // vault's main thread, the one that renews, the HTTP side's one; a few to spare.
    assert!(threads <= 8, "{threads} threads in vault: {lines:#?}");
}

/// What the SDKs find before the container endpoint is kept from the child: web-identity
/// variables and a `[default]` in the shared credentials file made the AWS CLI use those
/// instead of the server.
#[test]
fn the_aws_cli_in_the_child_uses_the_server() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\nregion = eu-west-1\n");
    sb.add("will");
    let token_file = sb.path("web-identity-token");
    std::fs::write(&token_file, "a.web.identity.token").unwrap();
    let shadow = "[default]\naws_access_key_id = AKIASHADOWSHADOW0001\n\
                  aws_secret_access_key = shadowshadowshadowshadowshadowshadow0001\n";
    let credentials_file = sb.path("other-credentials");
    std::fs::write(&credentials_file, shadow).unwrap();
    let web_identity: &[(&str, &str)] = &[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/shadow"),
        ("AWS_ROLE_SESSION_NAME", "shadow"),
    ];
    let named_file: &[(&str, &str)] = &[(
        "AWS_SHARED_CREDENTIALS_FILE",
        credentials_file.to_str().unwrap(),
    )];
    // The sandbox names ~/.aws/credentials as AWS_SHARED_CREDENTIALS_FILE; the SDKs read
    // it without that too.
    std::fs::write(sb.home().join(".aws/credentials"), shadow).unwrap();
    for (case, env) in [
        ("web identity", web_identity),
        ("AWS_SHARED_CREDENTIALS_FILE", named_file),
        ("~/.aws/credentials", &[][..]),
    ] {
        let mut cmd = sb.vault(&[
            "exec",
            "will",
            "--server",
            "--",
            "sh",
            "-c",
            "aws configure list && aws sts get-caller-identity --output text --query Arn",
        ]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run_bounded(&mut cmd, LIMIT * 2);
        let text = stdout(&out);
        assert!(out.status.success(), "{case}: {text}\n{}", stderr(&out));
        let access_key = text
            .lines()
            .find(|l| l.trim_start().starts_with("access_key"))
            .unwrap_or_default();
        assert!(
            access_key.contains("container-role"),
            "{case}: the CLI took its credentials from elsewhere: {text}"
        );
        assert!(!text.contains("0001"), "{case}: {text}");
        assert!(text.contains("arn:aws:"), "{case}: {text}");
    }
}
