//! HMAC-SHA256 signatures of webhook bodies, both ways: the shop signs the events it delivers
//! (the webhooks function) and verifies the callbacks it receives (payment, courier).
//!
//! The signed message is `"<timestamp>." + body`, the timestamp being Unix seconds sent in
//! its own header, so a receiver can refuse an old message (a replay) without trusting
//! anything the signature does not cover. The signature header is `sha256=<64 hex digits>`
//! (GitHub's form, self-describing if the hash ever changes). Comparison is constant-time
//! (`hmac`'s `verify_slice`). Refusing a *fresh* replay (the same message twice inside the
//! window) needs a record of the ids already seen; that belongs to the receiving route, which
//! has the store.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the event id (a uuid v7): receivers deduplicate on it.
pub const EVENT_ID_HEADER: &str = "x-o2o-event-id";
/// The header carrying the event type (`stock.low`).
pub const EVENT_TYPE_HEADER: &str = "x-o2o-event-type";
/// The header carrying the signing time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "x-o2o-timestamp";
/// The header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-o2o-signature";

const SCHEME: &str = "sha256=";

/// Why a signed message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is absent or empty.
    #[error("the {0} header is missing")]
    Missing(&'static str),
    /// The header is there but not in the expected form.
    #[error("the {header} header is malformed: {detail}")]
    Malformed {
        header: &'static str,
        detail: &'static str,
    },
    /// The timestamp is further from now than the window allows (either way).
    #[error("the message was signed {age_seconds} s from now, outside the window")]
    Stale { age_seconds: i64 },
    /// The signature does not match the body, the timestamp and the secret.
    #[error("the signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (longer than a block are hashed first), so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Lower-case hex only: one signature has one spelling, so a receiver that records the
/// signatures it accepted (to refuse replays) cannot be passed the same one re-cased.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// The signature header value for `body` signed at `timestamp` (Unix seconds):
/// `sha256=` and the lower-case hex HMAC-SHA256 of `"<timestamp>." + body` under `secret`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("{SCHEME}{}", hex(&digest))
}

/// Checks a signed message as received: both headers present and well-formed, the timestamp
/// within `window` of `now` (past or future), and the signature that of `body` under `secret`.
/// Header values are taken as the transport gives them (`None` when absent).
pub fn verify(
    secret: &[u8],
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
    window: Duration,
) -> Result<(), SignatureError> {
    fn present<'a>(
        value: Option<&'a str>,
        header: &'static str,
    ) -> Result<&'a str, SignatureError> {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(SignatureError::Missing(header))
    }
    let timestamp = present(timestamp_header, TIMESTAMP_HEADER)?;
    let signature = present(signature_header, SIGNATURE_HEADER)?;
    let timestamp: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed {
        header: TIMESTAMP_HEADER,
        detail: "expected Unix seconds",
    })?;
    let digest = signature
        .strip_prefix(SCHEME)
        .and_then(unhex)
        .filter(|d| d.len() == 32)
        .ok_or(SignatureError::Malformed {
            header: SIGNATURE_HEADER,
            detail: "expected sha256= and 64 lower-case hex digits",
        })?;
    let age_seconds = now.timestamp().saturating_sub(timestamp);
    if age_seconds.saturating_abs() > window.num_seconds() {
        return Err(SignatureError::Stale { age_seconds });
    }
    mac(secret, timestamp, body)
        .verify_slice(&digest)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than the block), computed through the same
    /// HMAC the signature uses, to pin the primitive itself.
    #[test]
    fn hmac_sha256_matches_rfc_4231_test_vectors() {
        let raw = |key: &[u8], data: &[u8]| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
            mac.update(data);
            hex(&mac.finalize().into_bytes())
        };
        assert_eq!(
            raw(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            raw(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            raw(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt-1","type":"stock.low"}"#;
    const AT: i64 = 1_700_000_000;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    fn window() -> Duration {
        Duration::minutes(5)
    }

    /// Computed independently: `printf '%s' '1700000000.{"id":"evt-1","type":"stock.low"}' |
    /// openssl dgst -sha256 -hmac whsec_test_secret`.
    #[test]
    fn sign_signs_timestamp_dot_body_as_openssl_does() {
        assert_eq!(
            sign(SECRET, AT, BODY),
            "sha256=bd0884bc99435166b3dcf62a24c54fdac555e1718d1508e21ebaf2709e396b49"
        );
    }

    #[test]
    fn a_fresh_signature_verifies_in_its_one_spelling() {
        let signature = sign(SECRET, AT, BODY);
        let ts = AT.to_string();
        assert_eq!(
            verify(
                SECRET,
                Some(&ts),
                Some(&signature),
                BODY,
                at(AT + 299),
                window()
            ),
            Ok(())
        );
        // Upper-case hex is the same MAC spelt differently: refused, so a replay cannot hide
        // behind a re-cased copy.
        let upper = format!("sha256={}", signature[7..].to_ascii_uppercase());
        assert!(matches!(
            verify(SECRET, Some(&ts), Some(&upper), BODY, at(AT), window()),
            Err(SignatureError::Malformed { .. })
        ));
    }

    #[test]
    fn a_wrong_secret_a_changed_body_or_a_moved_timestamp_is_a_mismatch() {
        let signature = sign(SECRET, AT, BODY);
        let ts = AT.to_string();
        let check = |secret: &[u8], ts: &str, body: &[u8]| {
            verify(secret, Some(ts), Some(&signature), body, at(AT), window())
        };
        assert_eq!(
            check(b"whsec_other", &ts, BODY),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(SECRET, &ts, br#"{"id":"evt-2","type":"stock.low"}"#),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(SECRET, &(AT + 1).to_string(), BODY),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_timestamp_outside_the_window_is_stale_either_way() {
        let ts = AT.to_string();
        let signature = sign(SECRET, AT, BODY);
        let check = |now| verify(SECRET, Some(&ts), Some(&signature), BODY, at(now), window());
        assert_eq!(
            check(AT + 301),
            Err(SignatureError::Stale { age_seconds: 301 })
        );
        assert_eq!(
            check(AT - 301),
            Err(SignatureError::Stale { age_seconds: -301 })
        );
        assert_eq!(check(AT + 300), Ok(()));
    }

    #[test]
    fn missing_and_malformed_headers_are_named() {
        let signature = sign(SECRET, AT, BODY);
        let ts = AT.to_string();
        let check =
            |ts: Option<&str>, sig: Option<&str>| verify(SECRET, ts, sig, BODY, at(AT), window());
        assert_eq!(
            check(None, Some(&signature)),
            Err(SignatureError::Missing(TIMESTAMP_HEADER))
        );
        assert_eq!(
            check(Some(&ts), Some("  ")),
            Err(SignatureError::Missing(SIGNATURE_HEADER))
        );
        for bad_ts in ["yesterday", "1.7e9", "17000000000000000000000"] {
            assert!(matches!(
                check(Some(bad_ts), Some(&signature)),
                Err(SignatureError::Malformed {
                    header: TIMESTAMP_HEADER,
                    ..
                })
            ));
        }
        for bad_sig in [
            &signature[7..],             // no scheme
            "sha256=abc",                // too short
            &format!("{}0", &signature), // odd length
            &format!("sha1={}", &signature[7..]),
            &format!("sha256={}", "zz".repeat(32)),
        ] {
            assert!(
                matches!(
                    check(Some(&ts), Some(bad_sig)),
                    Err(SignatureError::Malformed {
                        header: SIGNATURE_HEADER,
                        ..
                    })
                ),
                "{bad_sig}"
            );
        }
    }

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex("0g"), None);
    }
}
