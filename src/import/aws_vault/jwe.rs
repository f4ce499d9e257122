//! Decrypting the JWE compact tokens of aws-vault's file store (its keyring library writes them
//! with jose2go): key management `PBES2-HS256+A128KW`, content encryption `A256GCM`, as in
//! RFC 7518 sections 4.8 and 5.3. Only what those files use is accepted.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut, KeyInit, Nonce};
use aes_kw::KwAes128;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use pbkdf2::sha2::Sha256;
use serde::Deserialize;
use zeroize::Zeroizing;

const ALG: &str = "PBES2-HS256+A128KW";
const ENC: &str = "A256GCM";
/// PBKDF2 iterations we accept: jose2go writes 8192 by default; a count in the millions would
/// only make a corrupt or hostile file hang the command.
const MAX_ITERATIONS: u32 = 2_000_000;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    #[error("not a JWE compact token: {0}")]
    Malformed(String),
    #[error("unsupported JWE: {0}")]
    Unsupported(String),
    /// The key unwrap failed its integrity check: almost always the wrong passphrase.
    #[error("the passphrase does not open it")]
    WrongPassphrase,
    /// The key unwrapped but the content does not authenticate: the file was altered.
    #[error("its content does not authenticate (the file is damaged)")]
    Corrupt,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    p2s: Option<String>,
    p2c: Option<u64>,
    zip: Option<String>,
}

/// base64url, with or without padding (RFC 7515 says without; be lenient).
fn b64url() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

fn decode(part: &str, what: &str) -> Result<Vec<u8>, JweError> {
    b64url()
        .decode(part)
        .map_err(|_| JweError::Malformed(format!("the {what} is not base64url")))
}

/// The plaintext of `token`, encrypted under `passphrase`.
pub fn decrypt(token: &str, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [header_b64, wrapped_b64, iv_b64, ciphertext_b64, tag_b64] = parts[..] else {
        return Err(JweError::Malformed(format!(
            "{} parts instead of 5",
            parts.len()
        )));
    };
    let header: Header = serde_json::from_slice(&decode(header_b64, "header")?)
        .map_err(|_| JweError::Malformed("the header is not the JSON expected".into()))?;
    if header.alg != ALG {
        return Err(JweError::Unsupported(format!(
            "key management '{}' (aws-vault writes {ALG})",
            header.alg
        )));
    }
    if header.enc != ENC {
        return Err(JweError::Unsupported(format!(
            "content encryption '{}' (aws-vault writes {ENC})",
            header.enc
        )));
    }
    if let Some(zip) = header.zip {
        return Err(JweError::Unsupported(format!("compression '{zip}'")));
    }
    let iterations = header
        .p2c
        .ok_or_else(|| JweError::Malformed("the header has no p2c".into()))?;
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|n| (1..=MAX_ITERATIONS).contains(n))
        .ok_or_else(|| {
            JweError::Unsupported(format!(
                "p2c = {iterations} (1 to {MAX_ITERATIONS} accepted)"
            ))
        })?;
    let p2s = decode(
        header
            .p2s
            .as_deref()
            .ok_or_else(|| JweError::Malformed("the header has no p2s".into()))?,
        "p2s salt",
    )?;
    if p2s.len() < 8 {
        return Err(JweError::Malformed(
            "the p2s salt is shorter than 8 bytes".into(),
        ));
    }

    // RFC 7518 4.8.1.1: the salt is the algorithm name, a zero byte, then p2s.
    let mut salt = Vec::with_capacity(ALG.len() + 1 + p2s.len());
    salt.extend_from_slice(ALG.as_bytes());
    salt.push(0);
    salt.extend_from_slice(&p2s);
    let mut kek = Zeroizing::new([0u8; 16]);
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase, &salt, iterations, kek.as_mut());

    let wrapped = decode(wrapped_b64, "encrypted key")?;
    if wrapped.len() != 40 {
        return Err(JweError::Malformed(format!(
            "the encrypted key is {} bytes, not the 40 of a wrapped 256-bit key",
            wrapped.len()
        )));
    }
    let mut cek = Zeroizing::new([0u8; 32]);
    KwAes128::new_from_slice(kek.as_ref())
        .expect("a 16-byte key")
        .unwrap_key(&wrapped, cek.as_mut())
        .map_err(|_| JweError::WrongPassphrase)?;

    let iv = decode(iv_b64, "IV")?;
    let nonce = Nonce::<Aes256Gcm>::try_from(iv.as_slice())
        .map_err(|_| JweError::Malformed(format!("the IV is {} bytes, not 12", iv.len())))?;
    let tag = decode(tag_b64, "tag")?;
    if tag.len() != 16 {
        return Err(JweError::Malformed(format!(
            "the tag is {} bytes, not 16",
            tag.len()
        )));
    }
    let mut buffer = Zeroizing::new(decode(ciphertext_b64, "ciphertext")?);
    buffer.extend_from_slice(&tag);
    Aes256Gcm::new_from_slice(cek.as_ref())
        .expect("a 32-byte key")
        // The additional authenticated data is the header exactly as it appears in the token.
        .decrypt_in_place(&nonce, header_b64.as_bytes(), &mut *buffer)
        .map_err(|_| JweError::Corrupt)?;
    Ok(buffer)
}
