//! The stand-in for IAM Identity Center's OIDC and portal APIs (tests/support/sso_server.py;
//! moto has none), started per test.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The stand-in server, stopped when dropped (its stdin closes).
pub struct StandIn {
    pub url: String,
    _child: Child,
    _stdin: ChildStdin,
}

impl StandIn {
    pub fn start(env: &[(&str, &str)]) -> StandIn {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sso_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 must be installed");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("SSO stand-in did not start: {line:?}"));
        StandIn {
            url: format!("http://127.0.0.1:{port}"),
            _stdin: child.stdin.take().unwrap(),
            _child: child,
        }
    }

    pub fn request(&self, method: &str, path: &str) -> String {
        self.send(method, path, "")
    }

    fn send(&self, method: &str, path: &str, body: &str) -> String {
        let addr = self.url.strip_prefix("http://").unwrap();
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        write!(
            conn,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        answer
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default()
    }

    /// How many times the stand-in answered `operation`.
    pub fn calls(&self, operation: &str) -> u64 {
        let stats: serde_json::Value =
            serde_json::from_str(&self.request("GET", "/__stats")).expect("stats are JSON");
        stats[operation].as_u64().unwrap()
    }

    /// Forget every access token, as signing out in the portal would.
    pub fn revoke(&self) {
        self.request("POST", "/__revoke");
    }

    /// Forget every refresh token, as one that expired or was revoked.
    pub fn revoke_refresh_tokens(&self) {
        self.request("POST", "/__revoke_refresh");
    }

    /// Every refresh token the stand-in ever issued.
    pub fn refresh_tokens(&self) -> Vec<String> {
        serde_json::from_str(&self.request("GET", "/__refresh_tokens"))
            .expect("refresh tokens are JSON")
    }

    /// Replace the accounts and roles the portal lists (JSON, as `SSO_ACCOUNTS`).
    pub fn set_accounts(&self, accounts: &serde_json::Value) {
        self.send("POST", "/__accounts", &accounts.to_string());
    }
}
