//! The pickup code: six digits the customer shows at the counter to collect an order. The shop
//! shows it once (in the answer that makes the order ready) and keeps only its SHA-256, salted
//! with the shipment id so that one table of the million codes' hashes does not fit every
//! shipment. A million codes are guessable by brute force, so collection allows
//! `MAX_ATTEMPTS` wrong codes; after that the shipment is locked and staff must look into it.

use sha2::{Digest, Sha256};

/// Wrong codes allowed before collection is locked.
pub const MAX_ATTEMPTS: i64 = 5;

/// Six decimal digits.
#[derive(Clone, PartialEq, Eq)]
pub struct PickupCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a pickup code is exactly 6 digits")]
pub struct BadPickupCode;

impl PickupCode {
    /// A code from a random number (the edge brings it from the platform's random source);
    /// `None` for a number that would bias the codes (over the largest multiple of a million a
    /// u32 holds): draw again.
    pub fn from_random(random: u32) -> Option<Self> {
        const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
        (random < LIMIT).then(|| PickupCode(format!("{:06}", random % 1_000_000)))
    }

    pub fn parse(raw: &str) -> Result<Self, BadPickupCode> {
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(PickupCode(raw.to_owned()))
        } else {
            Err(BadPickupCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored: hex SHA-256 of `"<shipment id>:<code>"`.
    pub fn hash_for(&self, shipment: &str) -> String {
        let digest = Sha256::digest(format!("{shipment}:{}", self.0).as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether this code is the one whose hash was stored for `shipment`.
    pub fn matches(&self, shipment: &str, stored_hash: &str) -> bool {
        let ours = self.hash_for(shipment);
        // Same length always (64 hex digits); compare without stopping at the first difference.
        ours.len() == stored_hash.len()
            && ours
                .bytes()
                .zip(stored_hash.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// Never printed by accident (logs, debug output).
impl std::fmt::Debug for PickupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PickupCode(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_with_leading_zeros_kept() {
        assert_eq!(PickupCode::from_random(42).unwrap().as_str(), "000042");
        assert_eq!(
            PickupCode::from_random(1_234_567).unwrap().as_str(),
            "234567"
        );
        assert!(PickupCode::from_random(u32::MAX).is_none());
    }

    #[test]
    fn only_six_ascii_digits_parse() {
        assert!(PickupCode::parse("012345").is_ok());
        for bad in ["", "12345", "1234567", "12a456", " 12345", "１２３４５６"] {
            assert_eq!(PickupCode::parse(bad), Err(BadPickupCode), "{bad:?}");
        }
    }

    #[test]
    fn the_stored_hash_matches_only_the_same_code_for_the_same_shipment() {
        let code = PickupCode::parse("123456").unwrap();
        let stored = code.hash_for("shipment-1");
        assert_eq!(stored.len(), 64);
        assert!(!stored.contains("123456"));
        assert!(code.matches("shipment-1", &stored));
        assert!(
            !PickupCode::parse("123457")
                .unwrap()
                .matches("shipment-1", &stored)
        );
        assert!(!code.matches("shipment-2", &stored));
        assert_eq!(format!("{code:?}"), "PickupCode(******)");
    }
}
