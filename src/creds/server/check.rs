//! Which requests the credential server answers: a decision on what a request says about
//! itself, apart from the HTTP machinery, so every rule is unit-tested.

use std::net::SocketAddr;

use subtle::ConstantTimeEq;

/// What `check` looks at in a request. No `Debug`: it holds the server's token and the
/// request's Authorization header.
#[derive(Clone)]
pub struct Incoming<'a> {
    pub method: &'a str,
    /// The path of an origin-form request target; empty for any other form.
    pub path: &'a str,
    pub remote: Option<SocketAddr>,
    /// The `Host` header when there is exactly one (none, two or a non-text one: `None`).
    pub host: Option<&'a str>,
    /// The `Authorization` header when there is exactly one.
    pub authorization: Option<&'a str>,
    /// The request announces a body (`Transfer-Encoding`, or a `Content-Length` other than 0).
    pub body: bool,
    /// The request has an `Expect` header (`100-continue`: it waits for leave to send a body).
    pub expect: bool,
    pub port: u16,
    pub token: &'a str,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
}

fn refuse(status: u16, reason: &'static str) -> Result<(), Refusal> {
    Err(Refusal { status, reason })
}

/// Whether to answer: from loopback, with no body to read, with the token, addressed to us
/// by exactly one Host (a page in a browser that rebinds a DNS name to 127.0.0.1 sends its
/// own Host), a GET of `/`.
pub fn check(request: &Incoming) -> Result<(), Refusal> {
    if !request.remote.is_some_and(|a| a.ip().is_loopback()) {
        return refuse(403, "only this machine may ask");
    }
    // Before anything else: a body is never read, so nobody can make the server wait for one.
    if request.expect {
        return refuse(417, "Expect is not supported");
    }
    if request.body {
        return refuse(413, "a request body is not accepted");
    }
    let authorized = request
        .authorization
        // Constant time: how long the answer takes says nothing about how much matched.
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(request.token.as_bytes())));
    if !authorized {
        return refuse(401, "missing or wrong Authorization token");
    }
    let Some(host) = request.host else {
        return refuse(400, "exactly one Host header is required");
    };
    let ours = [
        format!("127.0.0.1:{}", request.port),
        format!("localhost:{}", request.port),
    ];
    if !ours.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return refuse(403, "unexpected Host");
    }
    if request.method != "GET" {
        return refuse(405, "only GET is supported");
    }
    if request.path != "/" {
        return refuse(404, "not found");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "s3cr3t-token";

    fn incoming<'a>(authorization: Option<&'a str>) -> Incoming<'a> {
        Incoming {
            method: "GET",
            path: "/",
            remote: Some("127.0.0.1:50000".parse().unwrap()),
            host: Some("127.0.0.1:4242"),
            authorization,
            body: false,
            expect: false,
            port: 4242,
            token: TOKEN,
        }
    }

    #[test]
    fn answers_only_the_token_holder_on_loopback() {
        assert_eq!(check(&incoming(Some(TOKEN))), Ok(()));
        assert_eq!(check(&incoming(None)).unwrap_err().status, 401);
        assert_eq!(
            check(&incoming(Some("s3cr3t-tokeN"))).unwrap_err().status,
            401
        );
        assert_eq!(check(&incoming(Some("s3cr3t"))).unwrap_err().status, 401);
        let mut remote = incoming(Some(TOKEN));
        remote.remote = Some("192.168.1.2:5000".parse().unwrap());
        assert_eq!(check(&remote).unwrap_err().status, 403);
        remote.remote = None;
        assert_eq!(check(&remote).unwrap_err().status, 403);
        let mut v6 = incoming(Some(TOKEN));
        v6.remote = Some("[::1]:5000".parse().unwrap());
        assert_eq!(check(&v6), Ok(()));
    }

    #[test]
    fn refuses_foreign_or_missing_hosts_methods_and_paths() {
        let mut r = incoming(Some(TOKEN));
        r.host = Some("evil.example:4242");
        assert_eq!(check(&r).unwrap_err().status, 403);
        r.host = Some("localhost:4242");
        assert_eq!(check(&r), Ok(()));
        r.host = None;
        assert_eq!(check(&r).unwrap_err().status, 400);
        r.host = Some("LOCALHOST:4242");
        r.method = "POST";
        assert_eq!(check(&r).unwrap_err().status, 405);
        r.method = "GET";
        r.path = "/other";
        assert_eq!(check(&r).unwrap_err().status, 404);
        r.path = "";
        assert_eq!(check(&r).unwrap_err().status, 404);
    }

    #[test]
    fn refuses_bodies_before_anything_else() {
        let mut r = incoming(None);
        r.body = true;
        assert_eq!(check(&r).unwrap_err().status, 413);
        r.body = false;
        r.expect = true;
        assert_eq!(check(&r).unwrap_err().status, 417);
        let mut with_token = incoming(Some(TOKEN));
        with_token.body = true;
        assert_eq!(check(&with_token).unwrap_err().status, 413);
    }
}
