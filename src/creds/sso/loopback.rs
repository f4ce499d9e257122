//! The loopback redirect of the authorization code flow: an HTTP listener on 127.0.0.1 (a
//! random port) that waits for the browser to come back to `/oauth/callback?code=..&state=..`
//! and answers it with a page saying to return to the terminal. hyper parses the request, as
//! for the credential server (src/creds/server/http.rs).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

pub const CALLBACK_PATH: &str = "/oauth/callback";
/// How long one browser connection may take to send its request.
const REQUEST_TIME: Duration = Duration::from_secs(10);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>vault</title>\
<p>IAM Identity Center sign-in for vault is complete. You can close this tab and return to the terminal.";
const FAILED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>vault</title>\
<p>IAM Identity Center sign-in for vault did not complete. Return to the terminal.";

/// What the browser brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code {
        code: String,
        state: String,
    },
    /// The authorization server's `error` (RFC 6749 §4.1.2.1), e.g. `access_denied`.
    Error(String),
}

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub async fn bind() -> Result<Loopback> {
        // The loopback address only: nothing off this machine can reach the callback.
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("cannot listen on 127.0.0.1 for the sign-in's redirect")?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    /// The redirect URI with this listener's port, as the browser is sent back to it.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Serve connections one at a time until one brings the callback (other paths, such as a
    /// browser's `/favicon.ico`, get a 404), or `limit` passes (`None`).
    pub async fn wait(&self, limit: Duration) -> Option<Callback> {
        tokio::time::timeout(limit, async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    continue;
                };
                if let Some(callback) = serve(stream).await {
                    return callback;
                }
            }
        })
        .await
        .ok()
    }
}

/// Serve one request (the connection closes after it); the callback it carried, if any.
async fn serve(stream: tokio::net::TcpStream) -> Option<Callback> {
    let seen = Arc::new(Mutex::new(None));
    let service = {
        let seen = seen.clone();
        hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let seen = seen.clone();
            async move {
                let callback = parse(&request);
                let (status, page) = match &callback {
                    Some(Callback::Code { .. }) => (StatusCode::OK, DONE_PAGE),
                    Some(Callback::Error(_)) => (StatusCode::OK, FAILED_PAGE),
                    None => (StatusCode::NOT_FOUND, "not found"),
                };
                *seen.lock().unwrap() = callback;
                Ok::<_, Infallible>(
                    Response::builder()
                        .status(status)
                        .header("content-type", "text/html; charset=utf-8")
                        .header("cache-control", "no-store")
                        .body(Full::new(Bytes::from_static(page.as_bytes())))
                        .expect("a static response is valid"),
                )
            }
        })
    };
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(REQUEST_TIME)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(e) = tokio::time::timeout(REQUEST_TIME, served)
        .await
        .unwrap_or(Ok(()))
    {
        crate::debug!("sign-in redirect listener: {e}");
    }
    seen.lock().unwrap().take()
}

fn parse<B>(request: &Request<B>) -> Option<Callback> {
    if request.method() != hyper::Method::GET || request.uri().path() != CALLBACK_PATH {
        return None;
    }
    let query = request.uri().query().unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if let Some(error) = get("error") {
        return Some(Callback::Error(error));
    }
    Some(Callback::Code {
        code: get("code")?,
        state: get("state")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(uri: &str) -> Option<Callback> {
        parse(&Request::get(uri).body(()).unwrap())
    }

    #[test]
    fn only_the_callback_path_with_code_and_state_counts() {
        assert_eq!(
            at("/oauth/callback?code=c%2B1&state=s"),
            Some(Callback::Code {
                code: "c+1".into(),
                state: "s".into()
            })
        );
        assert_eq!(
            at("/oauth/callback?error=access_denied&state=s"),
            Some(Callback::Error("access_denied".into()))
        );
        assert_eq!(at("/oauth/callback?code=c"), None);
        assert_eq!(at("/favicon.ico"), None);
        assert_eq!(at("/other?code=c&state=s"), None);
    }
}
