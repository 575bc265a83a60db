//! Customers' bearer tokens: compact JWS (RFC 7515) JWTs (RFC 7519) signed with HMAC-SHA256
//! under the shop's `jwt_secret`. Only `alg: HS256` is accepted (never `none`, never an
//! algorithm the token itself chooses); the signature is compared in constant time; `exp` is
//! required and `nbf`, when present, honoured, both with no leeway beyond what the caller
//! passes; `sub` names the customer. `issue` makes tokens for tests and the demo.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::ids::CustomerId;

/// A verified customer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerToken {
    pub customer: CustomerId,
    pub expires_at: DateTime<Utc>,
}

/// Why a bearer token was refused; the edge answers 401 without saying more than the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a JWT")]
    Malformed,
    #[error("the token is not signed with HS256")]
    WrongAlgorithm,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token names no customer")]
    NoSubject,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
}

/// Verifies `token` (the part after `Bearer `) at `now`.
pub fn verify(token: &str, secret: &[u8], now: DateTime<Utc>) -> Result<CustomerToken, TokenError> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(header_part), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenError::Malformed)
    };
    let header: Header =
        serde_json::from_slice(&decode(header_part)?).map_err(|_| TokenError::Malformed)?;
    if header.alg != "HS256" {
        return Err(TokenError::WrongAlgorithm);
    }
    let mut check = mac(secret);
    // The signing input is the header and the payload as sent, with the dot between them.
    check.update(format!("{header_part}.{payload}").as_bytes());
    check
        .verify_slice(&decode(signature)?)
        .map_err(|_| TokenError::BadSignature)?;
    let claims: Claims =
        serde_json::from_slice(&decode(payload)?).map_err(|_| TokenError::Malformed)?;
    let expires_at = claims
        .exp
        .and_then(|exp| DateTime::from_timestamp(exp, 0))
        .ok_or(TokenError::Malformed)?;
    if now >= expires_at {
        return Err(TokenError::Expired);
    }
    if let Some(nbf) = claims.nbf
        && now.timestamp() < nbf
    {
        return Err(TokenError::NotYetValid);
    }
    let customer = claims
        .sub
        .as_deref()
        .and_then(|sub| CustomerId::parse(sub).ok())
        .ok_or(TokenError::NoSubject)?;
    Ok(CustomerToken {
        customer,
        expires_at,
    })
}

/// A token for `customer`, valid `for_` from `now`, signed with `secret`.
pub fn issue(customer: &CustomerId, secret: &[u8], now: DateTime<Utc>, for_: Duration) -> String {
    let encode = |value: &dyn erased::Json| URL_SAFE_NO_PAD.encode(value.to_json());
    let header = encode(&Header {
        alg: "HS256".into(),
        typ: Some("JWT".into()),
    });
    let claims = encode(&Claims {
        sub: Some(customer.as_str().to_owned()),
        exp: Some((now + for_).timestamp()),
        nbf: None,
    });
    let signing_input = format!("{header}.{claims}");
    let mut signer = mac(secret);
    signer.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(signer.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

mod erased {
    /// JSON bytes of a header or a claims set.
    pub trait Json {
        fn to_json(&self) -> Vec<u8>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const SECRET: &[u8] = b"a-secret-of-the-shop";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
    }

    fn alice() -> CustomerId {
        CustomerId::parse("cust-alice").unwrap()
    }

    #[test]
    fn a_token_issued_by_the_shop_names_its_customer_until_it_expires() {
        let token = issue(&alice(), SECRET, now(), Duration::hours(1));
        let verified = verify(&token, SECRET, now() + Duration::minutes(59)).unwrap();
        assert_eq!(verified.customer, alice());
        assert_eq!(
            verify(&token, SECRET, now() + Duration::hours(1)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = issue(&alice(), b"someone-else", now(), Duration::hours(1));
        assert_eq!(verify(&token, SECRET, now()), Err(TokenError::BadSignature));
    }

    #[test]
    fn a_token_whose_claims_were_changed_is_refused() {
        let token = issue(&alice(), SECRET, now(), Duration::hours(1));
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"cust-bob","exp":4102444800}"#);
        parts[1] = &forged;
        assert_eq!(
            verify(&parts.join("."), SECRET, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn the_none_algorithm_and_other_algorithms_are_refused() {
        for alg in ["none", "HS512", "RS256"] {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}"}}"#));
            let claims = URL_SAFE_NO_PAD.encode(br#"{"sub":"cust-alice","exp":4102444800}"#);
            let token = format!("{header}.{claims}.");
            assert_eq!(
                verify(&token, SECRET, now()),
                Err(TokenError::WrongAlgorithm),
                "{alg}"
            );
        }
    }

    #[test]
    fn a_token_made_by_another_implementation_verifies() {
        // Made with the shell, not with this module: header {"alg":"HS256","typ":"JWT"},
        // claims {"sub":"cust-alice","exp":4102444800}, signed with
        // `printf '%s' "$h.$c" | openssl dgst -sha256 -hmac a-secret-of-the-shop -binary`.
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
                     eyJzdWIiOiJjdXN0LWFsaWNlIiwiZXhwIjo0MTAyNDQ0ODAwfQ.\
                     x2-ecc661cNSYSWaBIQV1x2M3l1BEZr5ijHsLTHqMAE";
        assert_eq!(verify(token, SECRET, now()).unwrap().customer, alice());
        assert_eq!(
            verify(token, b"a-secret-of-the-shoP", now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn tokens_without_expiry_or_subject_or_shape_are_refused() {
        let sign = |claims: &str| {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
            let claims = URL_SAFE_NO_PAD.encode(claims);
            let mut signer = mac(SECRET);
            signer.update(format!("{header}.{claims}").as_bytes());
            format!(
                "{header}.{claims}.{}",
                URL_SAFE_NO_PAD.encode(signer.finalize().into_bytes())
            )
        };
        assert_eq!(
            verify(&sign(r#"{"sub":"cust-alice"}"#), SECRET, now()),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            verify(&sign(r#"{"exp":4102444800}"#), SECRET, now()),
            Err(TokenError::NoSubject)
        );
        assert_eq!(
            verify(
                &sign(r#"{"sub":"cust-alice","exp":4102444800,"nbf":4102440000}"#),
                SECRET,
                now()
            ),
            Err(TokenError::NotYetValid)
        );
        for garbage in ["", "abc", "a.b", "a.b.c.d", "!!.??.**"] {
            assert_eq!(
                verify(garbage, SECRET, now()),
                Err(TokenError::Malformed),
                "{garbage}"
            );
        }
    }
}
