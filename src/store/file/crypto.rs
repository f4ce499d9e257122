//! The file store's cryptography: Argon2id turns the passphrase into a key, XChaCha20-Poly1305
//! seals each blob with a fresh random nonce and binds it to its name (associated data).

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub(super) const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
pub(super) const SALT_LEN: usize = 16;

/// The derived key; wiped when dropped.
pub(super) type Key = Zeroizing<[u8; 32]>;

/// Argon2id costs, recorded in the store header so a store stays readable if the defaults change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// OWASP's baseline for Argon2id: about 20 to 50 ms on a current machine (release build).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// A tampered header must not make us allocate gigabytes or spin for minutes.
    pub fn check(&self) -> Result<(), String> {
        let sane = (8..=1024 * 1024).contains(&self.memory_kib)
            && (1..=64).contains(&self.iterations)
            && (1..=16).contains(&self.parallelism);
        if sane {
            Ok(())
        } else {
            Err(format!("implausible key-derivation costs {self:?}"))
        }
    }
}

pub(super) fn random_salt() -> [u8; SALT_LEN] {
    crate::random::bytes()
}

pub(super) fn derive_key(passphrase: &str, salt: &[u8], params: KdfParams) -> Result<Key, String> {
    params.check()?;
    let params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|err| format!("bad key-derivation costs: {err}"))?;
    let mut key: Key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
        .map_err(|err| format!("key derivation failed: {err}"))?;
    Ok(key)
}

/// `nonce || ciphertext+tag`.
pub(super) fn seal(key: &Key, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new_from_slice(&key[..]).expect("the key is 32 bytes");
    let nonce = XNonce::from(crate::random::bytes::<NONCE_LEN>());
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// The plaintext, or `None` when the blob was not sealed by this key for this `aad`.
pub(super) fn open(key: &Key, aad: &[u8], blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if blob.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, sealed) = blob.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new_from_slice(&key[..]).expect("the key is 32 bytes");
    let nonce = XNonce::try_from(nonce).ok()?;
    cipher
        .decrypt(&nonce, Payload { msg: sealed, aad })
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    /// Made by the previous RustCrypto generation (argon2 0.5, chacha20poly1305 0.10): stores
    /// written before an upgrade of these crates must stay readable after it.
    #[test]
    fn stores_from_earlier_crate_versions_stay_readable() {
        let key = derive_key("pw", &[7u8; SALT_LEN], CHEAP).unwrap();
        assert_eq!(
            hex::encode(*key),
            "0c42619bd0d671d1734f201b5de29cc4cff1ec1ff4761e57167b553641cd27f5"
        );
        let blob = hex::decode(
            "0909090909090909090909090909090909090909090909091802f853df6899ff880c15ca20073b8a3eb5b6774e02",
        )
        .unwrap();
        assert_eq!(open(&key, b"item", &blob).unwrap().as_slice(), b"secret");
    }

    #[test]
    fn seal_open_round_trip_and_binding() {
        let key = derive_key("pw", &random_salt(), CHEAP).unwrap();
        let blob = seal(&key, b"a", b"secret");
        assert_eq!(open(&key, b"a", &blob).unwrap().as_slice(), b"secret");
        assert!(open(&key, b"b", &blob).is_none(), "aad must bind the name");
        let other = derive_key("other", &random_salt(), CHEAP).unwrap();
        assert!(open(&other, b"a", &blob).is_none());
        assert!(open(&key, b"a", &blob[..20]).is_none());
        assert_ne!(seal(&key, b"a", b"secret"), blob, "nonces must be fresh");
    }

    #[test]
    fn derivation_is_deterministic_per_salt() {
        let salt = random_salt();
        assert_eq!(
            *derive_key("pw", &salt, CHEAP).unwrap(),
            *derive_key("pw", &salt, CHEAP).unwrap()
        );
        assert_ne!(
            *derive_key("pw", &salt, CHEAP).unwrap(),
            *derive_key("pw", &random_salt(), CHEAP).unwrap()
        );
    }

    #[test]
    fn absurd_costs_are_refused() {
        let huge = KdfParams {
            memory_kib: u32::MAX,
            ..KdfParams::DEFAULT
        };
        assert!(derive_key("pw", &random_salt(), huge).is_err());
        assert!(KdfParams::DEFAULT.check().is_ok());
    }
}
