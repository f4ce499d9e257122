//! `__VAULT_STATE` decoder: never panics on any value of the variable, keeps only managed
//! variables, and decode/encode is stable: decode(encode(s)) == s for every decoded s.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use vault::activate::MANAGED;
use vault::activate::state::State;

fn check(state: State) {
    for (name, _) in &state.saved {
        assert!(MANAGED.contains(&name.as_str()), "kept unmanaged {name:?}");
    }
    let mut names: Vec<&str> = state.saved.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), state.saved.len(), "duplicate saved entries");
    let text = state.encode();
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "encoding is not shell-safe: {text:?}"
    );
    let again = State::decode(&text);
    assert_eq!(again, state, "decode(encode(s)) != s");
    assert_eq!(again.encode(), text, "encode is not stable");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        // The raw value of the variable, as a user (or an attacker) could set it.
        if let Ok(text) = std::str::from_utf8(rest) {
            check(State::decode(text));
        }
    } else {
        // JSON wrapped as vault wraps it, so the fuzzer explores the JSON shapes directly.
        check(State::decode(&URL_SAFE_NO_PAD.encode(rest)));
    }
});
