//! The one source of randomness: the operating system's (tokens, salts, nonces).

/// `N` bytes from the OS. Its random source failing leaves no safe way on, so that panics.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the operating system's random source failed");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_differ() {
        assert_ne!(super::bytes::<16>(), super::bytes::<16>());
    }
}
