//! One readable line for an AWS SDK error. The SDK's own `DisplayErrorContext` appends a
//! `Debug` dump of the whole error, which is no message for a person.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// `Code: message` for an answer from the service; the cause chain for anything else
/// (`dispatch failure: io error: ... Connection refused`).
pub fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let SdkError::ServiceError(service) = err {
        let inner = service.err();
        let text = match (inner.code(), inner.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.to_string(),
            _ => inner.to_string(),
        };
        return match hint(inner.code(), inner.message()) {
            Some(hint) => format!("{text} ({hint})"),
            None => text,
        };
    }
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let text = cause.to_string();
        // Wrappers often repeat their cause's text; keep each piece once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// What to do about the errors people meet most.
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
    use super::hint;

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
}
