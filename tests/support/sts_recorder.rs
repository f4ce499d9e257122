//! A recording proxy in front of the emulator: every request vault sends goes through it
//! unchanged, and the test reads back which calls were made and with which parameters
//! (Action, DurationSeconds, SerialNumber, TokenCode, RoleArn, RoleSessionName...). "Was the
//! session cached or fetched again?" is then a count of calls, not a comparison of
//! timestamps that needs a sleep between runs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the emulator received it.
#[derive(Debug, Clone)]
pub struct StsCall {
    /// The query API's `Action` (GetSessionToken, AssumeRole...), else a JSON API's
    /// `X-Amz-Target`, else `METHOD path`.
    pub action: String,
    /// The decoded form (or query string) parameters, Action included.
    pub params: BTreeMap<String, String>,
    /// The access key id the request was signed with (SigV4 `Credential=KEY/...`), which says
    /// whether a call ran on the long-term keys or on a session.
    pub signing_key: Option<String>,
}

impl StsCall {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// The proxy; it runs until the test process exits or [`StsRecorder::close`].
pub struct StsRecorder {
    /// The endpoint to give vault (`AWS_ENDPOINT_URL`).
    pub url: String,
    calls: Arc<Mutex<Vec<StsCall>>>,
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl StsRecorder {
    /// A proxy on a free loopback port forwarding to `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> StsRecorder {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("an http:// upstream")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls = Arc::new(Mutex::new(vec![]));
        let seen = Arc::clone(&calls);
        let closed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let closing = Arc::clone(&closed);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if closing.load(std::sync::atomic::Ordering::SeqCst) {
                    return; // drops the listener: the port refuses connections from now on
                }
                let seen = Arc::clone(&seen);
                let upstream = upstream.clone();
                std::thread::spawn(move || forward(client, &upstream, &seen));
            }
        });
        StsRecorder { url, calls, closed }
    }

    /// Stops listening: from its return, a connection to `url` is refused, as at a port
    /// nothing listens on, while `url` (which cached items are bound to) stays the same.
    pub fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accept loop, which sees the flag and drops the listener.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        let address = self.url.trim_start_matches("http://").to_string();
        // The listener is dropped by the loop's thread just after our connection: wait for
        // that (a bounded number of tries, not a timed assertion).
        for _ in 0..500 {
            if TcpStream::connect(&address).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the recorder at {address} still accepts connections");
    }

    /// Every call so far, in the order they arrived.
    pub fn calls(&self) -> Vec<StsCall> {
        self.calls.lock().unwrap().clone()
    }

    /// How many calls of `action` arrived.
    pub fn count(&self, action: &str) -> usize {
        self.calls().iter().filter(|c| c.action == action).count()
    }

    /// The calls of `action`, in order.
    pub fn calls_of(&self, action: &str) -> Vec<StsCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.action == action)
            .collect()
    }
}

/// A recorder in front of this test binary's shared moto server.
pub fn sts_recorder() -> StsRecorder {
    StsRecorder::start(&super::Moto::shared().url)
}

/// One request per client connection: read it, record it, send it upstream with
/// `Connection: close`, and relay the answer to the client with `Connection: close` too, so
/// neither side needs the proxy to understand response framing (the SDK reconnects).
fn forward(client: TcpStream, upstream: &str, seen: &Mutex<Vec<StsCall>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = vec![];
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        head.push(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let Some(request_line) = head.first().cloned() else {
        return;
    };
    let header = |name: &str| {
        head[1..].iter().find_map(|h| {
            let (key, value) = h.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    };
    assert!(
        header("transfer-encoding").is_none(),
        "the recorder reads bodies by Content-Length only: {request_line}"
    );
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    seen.lock().unwrap().push(call(
        &request_line,
        header("x-amz-target"),
        &body,
        header("authorization"),
    ));

    let mut out = head
        .iter()
        .filter(|h| !h.to_ascii_lowercase().starts_with("connection:"))
        .cloned()
        .collect::<Vec<_>>()
        .join("\r\n");
    out.push_str("\r\nConnection: close\r\n\r\n");
    let mut request = out.into_bytes();
    request.extend_from_slice(&body);
    let mut response = vec![];
    let sent = TcpStream::connect(upstream).and_then(|mut up| {
        up.write_all(&request)?;
        up.read_to_end(&mut response)
    });
    if sent.is_err() {
        return; // the client sees a dropped connection, as it would from the emulator
    }
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |p| p + 4);
    let (response_head, response_body) = response.split_at(split);
    let mut relayed: String = String::from_utf8_lossy(response_head)
        .trim_end()
        .split("\r\n")
        .filter(|h| !h.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    relayed.push_str("\r\nConnection: close\r\n\r\n");
    let mut client = client;
    let _ = client
        .write_all(relayed.as_bytes())
        .and_then(|()| client.write_all(response_body));
}

fn call(
    request_line: &str,
    target: Option<String>,
    body: &[u8],
    authorization: Option<String>,
) -> StsCall {
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let mut params = BTreeMap::new();
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    for text in [query, &String::from_utf8_lossy(body)] {
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.insert(form_decode(key), form_decode(value));
        }
    }
    let action = params
        .get("Action")
        .cloned()
        .or(target)
        .unwrap_or_else(|| format!("{method} {}", path.split('?').next().unwrap_or_default()));
    let signing_key = authorization.and_then(|auth| {
        let (_, rest) = auth.split_once("Credential=")?;
        rest.split('/').next().map(String::from)
    });
    StsCall {
        action,
        params,
        signing_key,
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                Ok(byte) => {
                    out.push(byte);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
