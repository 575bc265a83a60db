//! Secrets the shop must keep usable, sealed at rest (issue 7, "encryption of secrets"). An API
//! key or a pickup code is only ever compared, so the shop keeps its hash; a webhook signing
//! secret must be used to sign, so it is kept sealed instead: ChaCha20-Poly1305 under a key
//! derived (SHA-256) from the operator's secret Spin variable `secrets_key`, with a fresh
//! 96-bit nonce per value (from the platform's random source, brought by the edge).
//!
//! Stored form: `sealed:v1:` + base64url(nonce ‖ ciphertext ‖ tag). A copy of the database
//! without the variable opens nothing, and a changed byte fails the tag. A value without the
//! prefix was written before sealing existed and is read as it is; writing anew seals it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

/// What marks a sealed value.
pub const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 12;

/// The key values are sealed under.
#[derive(Clone)]
pub struct SealingKey(Key);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

/// Why a stored value could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the secrets key is shorter than 32 characters")]
    WeakKey,
    #[error("a sealed value that is not base64 or too short")]
    Malformed,
    #[error("a sealed value that does not open under this key (another key, or changed)")]
    WrongKeyOrTampered,
}

impl SealingKey {
    /// The key of the operator's secret: at least 32 characters (`openssl rand -hex 32`).
    pub fn from_secret(secret: &str) -> Result<SealingKey, SealError> {
        if secret.trim().len() < 32 {
            return Err(SealError::WeakKey);
        }
        let digest = Sha256::digest(secret.trim().as_bytes());
        Ok(SealingKey(*Key::from_slice(&digest)))
    }

    /// `plaintext` sealed with `nonce` (never reuse one: the edge brings fresh random bytes).
    pub fn seal(&self, plaintext: &str, nonce: [u8; NONCE_LEN]) -> String {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 seals any message of this size"));
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The plaintext of a stored value: opened when sealed, as it is when written before
    /// sealing existed.
    pub fn open(&self, stored: &str) -> Result<String, SealError> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plaintext = ChaCha20Poly1305::new(&self.0)
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| SealError::WrongKeyOrTampered)?;
        String::from_utf8(plaintext).map_err(|_| SealError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> SealingKey {
        SealingKey::from_secret(secret).unwrap()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef-shop";

    #[test]
    fn a_sealed_value_opens_under_its_key_and_hides_its_text() {
        let sealed = key(SECRET).seal("whsec_receiver-secret", [7; 12]);
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("receiver"));
        assert_eq!(key(SECRET).open(&sealed).unwrap(), "whsec_receiver-secret");
        // a fresh nonce gives another sealed form of the same text
        assert_ne!(sealed, key(SECRET).seal("whsec_receiver-secret", [8; 12]));
    }

    #[test]
    fn another_key_or_a_changed_byte_opens_nothing() {
        let sealed = key(SECRET).seal("whsec_receiver-secret", [7; 12]);
        assert_eq!(
            key("another-secret-of-at-least-32-characters").open(&sealed),
            Err(SealError::WrongKeyOrTampered)
        );
        let mut bytes = URL_SAFE_NO_PAD
            .decode(sealed.strip_prefix(PREFIX).unwrap())
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(
            key(SECRET).open(&tampered),
            Err(SealError::WrongKeyOrTampered)
        );
        assert_eq!(key(SECRET).open("sealed:v1:!!"), Err(SealError::Malformed));
        assert_eq!(
            key(SECRET).open("sealed:v1:AAAA"),
            Err(SealError::Malformed)
        );
    }

    #[test]
    fn a_value_from_before_sealing_reads_as_it_is_and_short_keys_are_refused() {
        assert_eq!(key(SECRET).open("whsec_legacy").unwrap(), "whsec_legacy");
        assert_eq!(
            SealingKey::from_secret("short").map(|_| ()),
            Err(SealError::WeakKey)
        );
    }
}
