//! `.awsvault` parser: never panics; errors are one line; an accepted file names a usable
//! profile.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault::activate::dotfile::{MAX_LEN, parse};

fuzz_target!(|data: &[u8]| {
    // The hook refuses larger files unread; anything up to the limit must be handled.
    if data.len() as u64 > MAX_LEN {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Ok(request) => {
            assert!(!request.profile.is_empty(), "accepted an empty profile");
            assert!(
                !request
                    .profile
                    .chars()
                    .any(|c| c.is_control() || c == '[' || c == ']'),
                "accepted a profile with control characters or brackets: {:?}",
                request.profile
            );
            assert!(request.region.as_deref() != Some(""), "empty region kept");
        }
        Err(message) => {
            assert!(!message.is_empty());
            assert!(
                !message.contains(['\n', '\r']),
                "multi-line error: {message:?}"
            );
        }
    }
});
