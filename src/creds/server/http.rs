//! The credential server's HTTP side: hyper's HTTP/1 server on a tokio runtime of its own, on
//! one thread however many connections there are.
//!
//! Why hyper: it parses and validates the framing itself (conflicting `Content-Length`s,
//! oversized headers: 431, bad syntax: 400), and its request body is lazy, so a body that is
//! refused is never read, never allocated and never let in with `100 Continue`. It is already
//! linked for the SDK's HTTPS client. tiny_http, used before, gave each connection a thread
//! (1000 half-open connections: 956 threads), read a body before the handler could refuse it
//! (one slow body froze every later request) and allocated what `Content-Length` said (a huge
//! one aborted vault). What is left to this file: one request per connection, a time limit on
//! the headers, and a cap on open connections.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming as Body};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::{AbortHandle, JoinSet};

use super::check::{Incoming, check};
use super::error_body;

/// Connections open at once; one more closes the oldest. The child asks once in a while, on a
/// connection it opens and closes at once, so the oldest of many is an idle one, not the child.
pub const MAX_CONNECTIONS: usize = 32;
/// How long a client has for its request line and headers (SDKs send them in one write).
const HEADER_TIME: Duration = Duration::from_secs(5);
/// Request line and headers together: an SDK's request is a few hundred bytes.
const MAX_HEADER_BYTES: usize = 8 * 1024;
const MAX_HEADERS: usize = 32;

/// A question for the thread that holds the credentials; it replies with a status and body.
pub type Ask = oneshot::Sender<(u16, String)>;

/// What every connection needs to decide.
pub struct Shared {
    pub port: u16,
    pub token: String,
}

/// Accept connections until `stop` is notified, then close every open one.
pub async fn run(listener: &TcpListener, shared: Arc<Shared>, stop: &Notify, asks: Sender<Ask>) {
    let mut tasks = JoinSet::new();
    let mut open: VecDeque<AbortHandle> = VecDeque::new();
    loop {
        let accepted = tokio::select! {
            () = stop.notified() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: the
                // listener is fine; wait a moment rather than spin.
                crate::debug!("credential server: cannot accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Finished tasks (a panic in one is only its JoinError here) leave the books.
        while tasks.try_join_next().is_some() {}
        open.retain(|task| !task.is_finished());
        if open.len() >= MAX_CONNECTIONS
            && let Some(oldest) = open.pop_front()
        {
            crate::debug!(
                "credential server: {MAX_CONNECTIONS} connections open; closing the oldest"
            );
            oldest.abort();
        }
        open.push_back(tasks.spawn(connection(stream, remote, shared.clone(), asks.clone())));
    }
    tasks.shutdown().await;
}

/// Serve one request on `stream`, then close it.
async fn connection(stream: TcpStream, remote: SocketAddr, shared: Arc<Shared>, asks: Sender<Ask>) {
    let service = hyper::service::service_fn(move |request| {
        let (shared, asks) = (shared.clone(), asks.clone());
        async move { Ok::<_, Infallible>(respond(request, remote, &shared, &asks).await) }
    });
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIME)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS)
        // One request per connection: nothing stays open once the child has its answer.
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(e) = served {
        crate::debug!("credential server: connection from {remote}: {e}");
    }
}

async fn respond(
    request: Request<Body>,
    remote: SocketAddr,
    shared: &Shared,
    asks: &Sender<Ask>,
) -> Response<Full<Bytes>> {
    if let Err(refusal) = check(&incoming(&request, remote, shared)) {
        crate::debug!(
            "credential server: refused {} {} ({})",
            request.method(),
            request.uri().path(),
            refusal.status
        );
        return json(refusal.status, error_body(refusal.reason));
    }
    let (reply, answer) = oneshot::channel();
    if asks.send(reply).is_err() {
        return json(503, error_body("the credential server is stopping"));
    }
    match answer.await {
        Ok((status, body)) => json(status, body),
        Err(_) => json(503, error_body("the credential server is stopping")),
    }
}

fn incoming<'a>(
    request: &'a Request<Body>,
    remote: SocketAddr,
    shared: &'a Shared,
) -> Incoming<'a> {
    let headers = request.headers();
    let uri = request.uri();
    let content_length = headers.get_all(header::CONTENT_LENGTH).iter();
    Incoming {
        method: request.method().as_str(),
        // `GET http://elsewhere/ HTTP/1.1` names another server: no path of ours.
        path: if uri.scheme().is_some() || uri.authority().is_some() {
            ""
        } else {
            uri.path()
        },
        remote: Some(remote),
        host: only(headers, header::HOST),
        authorization: only(headers, header::AUTHORIZATION),
        // Python's http.client sends `Content-Length: 0` with a bodiless POST.
        body: headers.contains_key(header::TRANSFER_ENCODING)
            || content_length.into_iter().any(|v| v.as_bytes() != b"0"),
        expect: headers.contains_key(header::EXPECT),
        port: shared.port,
        token: &shared.token,
    }
}

/// The header's value when it appears exactly once and is text.
fn only(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    let mut values = headers.get_all(name).into_iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value.to_str().ok(),
        _ => None,
    }
}

fn json(status: u16, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
