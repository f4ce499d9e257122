//! One readable line for a failed AWS call. The SDK's own `DisplayErrorContext` appends a
//! `Debug` dump of the whole error, which is no message for a person.

use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// A failed AWS call, reduced to what a user needs: AWS's error code when there is one, a
/// one-line description, and whether trying again may help.
#[derive(Debug, Clone)]
pub struct CallError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub text: String,
    pub retryable: bool,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for CallError {}

impl CallError {
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// AWS answers these while a just-created key is not yet known everywhere (IAM is
    /// eventually consistent).
    pub fn is_unknown_key(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("InvalidClientTokenId" | "SignatureDoesNotMatch" | "AuthFailure")
        )
    }

    /// What to do about the errors people meet most.
    fn hint(&self) -> Option<&'static str> {
        hint(self.code.as_deref(), self.message.as_deref())
    }
}

/// Error codes that mean "try again later" rather than "no".
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "ServiceFailure",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
];

/// `Code: message` for an answer from the service (read from the body when the SDK could not
/// parse it, as with some emulators and proxies); `HTTP <status>: ...` or the cause chain
/// (`dispatch failure: io error: ... Connection refused`) for anything else.
pub fn call_error<E>(err: &SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let transport = matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    );
    let (mut code, mut message) = (
        err.code().map(String::from),
        err.message().map(String::from),
    );
    let mut status = None;
    if let SdkError::ServiceError(context) = err {
        let raw = context.raw();
        status = Some(raw.status().as_u16());
        if code.is_none()
            && let Some(body) = raw.body().bytes()
        {
            let body = String::from_utf8_lossy(body);
            code = xml_element(&body, "Code");
            message = message.or_else(|| xml_element(&body, "Message"));
        }
    }
    let text = match (&code, &message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        _ => match status {
            Some(status) => format!("HTTP {status}: {}", cause_chain(err)),
            None => cause_chain(err),
        },
    };
    let retryable = transport
        || status.is_some_and(|s| s >= 500)
        || code
            .as_deref()
            .is_some_and(|c| TRANSIENT_CODES.contains(&c));
    CallError {
        code,
        message,
        text: crate::term::escape(text.trim()).into_owned(),
        retryable,
    }
}

/// [`call_error`]'s line, with what to do about it when that is known.
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let err = call_error(err);
    match err.hint() {
        Some(hint) => format!("{} ({hint})", err.text),
        None => err.text,
    }
}

/// The error and its causes, `outer: inner: innermost`. Wrappers often repeat their cause's
/// text; each piece is kept once.
pub(super) fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![];
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The text of the first `<name>...</name>` in `xml`, if any (no entities expected).
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    let text = xml[start..end].trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn hint(code: Option<&str>, message: Option<&str>) -> Option<&'static str> {
    let expired_signature = message.is_some_and(|m| m.contains("Signature expired"));
    match code? {
        "RequestExpired" => Some("check this machine's clock"),
        "SignatureDoesNotMatch" if expired_signature => Some("check this machine's clock"),
        "ExpiredToken" | "InvalidClientTokenId" => {
            Some("the keys may be revoked or expired: store new ones with `vault add NAME --force`")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::client::result::{ConnectorError, ServiceError};
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    /// A service error the SDK parsed into `meta`, over a raw answer of `status` and `body`.
    fn service(
        meta: ErrorMetadata,
        status: u16,
        body: &'static str,
    ) -> SdkError<Parsed, HttpResponse> {
        let raw = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
        SdkError::ServiceError(
            ServiceError::builder()
                .source(Parsed(meta))
                .raw(raw)
                .build(),
        )
    }

    #[derive(Debug)]
    struct Parsed(ErrorMetadata);

    impl fmt::Display for Parsed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("unhandled error")
        }
    }

    impl std::error::Error for Parsed {}

    impl ProvideErrorMetadata for Parsed {
        fn meta(&self) -> &ErrorMetadata {
            &self.0
        }
    }

    #[test]
    fn service_answers_show_code_message_and_hint() {
        let meta = ErrorMetadata::builder()
            .code("InvalidClientTokenId")
            .message("The security token included in the request is invalid.\n")
            .build();
        let err = service(meta, 403, "");
        let call = call_error(&err);
        assert!(call.is("InvalidClientTokenId") && call.is_unknown_key() && !call.retryable);
        assert_eq!(
            describe(&err),
            "InvalidClientTokenId: The security token included in the request is invalid. (the keys may be revoked or expired: store new ones with `vault add NAME --force`)"
        );
    }

    #[test]
    fn unparsed_answers_are_read_from_the_body() {
        let body = "<ErrorResponse><Errors><Error><Code>Throttling</Code><Message>slow down</Message></Error></Errors></ErrorResponse>";
        let err = service(ErrorMetadata::builder().build(), 400, body);
        let call = call_error(&err);
        assert_eq!(call.text, "Throttling: slow down");
        assert!(call.retryable, "Throttling is transient");
        let err = service(ErrorMetadata::builder().build(), 503, "<html>");
        let call = call_error(&err);
        assert!(call.text.starts_with("HTTP 503: "), "{}", call.text);
        assert!(call.retryable && call.code.is_none());
    }

    #[test]
    fn transport_failures_show_their_causes_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let err: SdkError<Parsed, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let call = call_error(&err);
        assert!(call.retryable);
        assert!(call.text.starts_with("dispatch failure"), "{}", call.text);
        assert_eq!(
            call.text.matches("Connection refused").count(),
            1,
            "{}",
            call.text
        );
    }

    #[test]
    fn hints_for_clock_and_revoked_keys() {
        assert_eq!(
            hint(Some("RequestExpired"), None),
            Some("check this machine's clock")
        );
        assert!(
            hint(
                Some("SignatureDoesNotMatch"),
                Some("Signature expired: 2020")
            )
            .is_some()
        );
        assert!(hint(Some("SignatureDoesNotMatch"), Some("bad")).is_none());
        assert!(
            hint(Some("InvalidClientTokenId"), None)
                .unwrap()
                .contains("vault add")
        );
        assert!(hint(Some("Throttling"), None).is_none());
    }

    #[test]
    fn error_codes_are_found_in_unparsed_bodies() {
        let body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>not you</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_element(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_element(body, "Message").as_deref(), Some("not you"));
        assert_eq!(xml_element(body, "RequestId"), None);
        assert_eq!(xml_element("<Code></Code>", "Code"), None);
    }
}
