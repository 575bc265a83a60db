//! Staff and integrators' API keys. A key is made from 32 random bytes the edge supplies
//! (Spin's WASI random), shown once as `o2o_sk_<64 hex>`, and stored only as its SHA-256 hash:
//! a leaked database does not leak usable keys, and a presented key is checked by hashing it
//! and looking the hash up. Each key carries scopes; `admin` holds every scope (the first
//! admin key comes from the Spin variable `admin_api_key`).

use std::collections::BTreeSet;
use std::fmt;

use sha2::{Digest, Sha256};

const PREFIX: &str = "o2o_sk_";

/// What a key may do; each staff route names the one it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Catalog,
    Stock,
    Dispatch,
    RefundApprove,
    Webhooks,
    Reports,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 7] = [
        Scope::Catalog,
        Scope::Stock,
        Scope::Dispatch,
        Scope::RefundApprove,
        Scope::Webhooks,
        Scope::Reports,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Catalog => "catalog",
            Scope::Stock => "stock",
            Scope::Dispatch => "dispatch",
            Scope::RefundApprove => "refund-approve",
            Scope::Webhooks => "webhooks",
            Scope::Reports => "reports",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    #[error("not an API key of this shop")]
    Malformed,
    #[error(
        "unknown scope {0:?}; scopes are catalog, stock, dispatch, refund-approve, webhooks, reports, admin"
    )]
    UnknownScope(String),
    #[error("a key needs at least one scope")]
    NoScope,
}

/// A key as presented by a caller, its form checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// A new key from 32 random bytes: the text to show once.
    pub fn from_random(bytes: [u8; 32]) -> ApiKey {
        ApiKey(format!("{PREFIX}{}", hex(&bytes)))
    }

    pub fn parse(raw: &str) -> Result<ApiKey, ApiKeyError> {
        let raw = raw.trim();
        let well_formed = raw.strip_prefix(PREFIX).is_some_and(|rest| {
            rest.len() == 64
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        });
        if well_formed {
            Ok(ApiKey(raw.to_owned()))
        } else {
            Err(ApiKeyError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored and looked up: SHA-256 of the key text, hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }

    /// The first characters, safe to show in lists and logs to tell keys apart.
    pub fn label(&self) -> String {
        self.0.chars().take(PREFIX.len() + 6).collect()
    }
}

/// The scopes of a key, at least one, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Scopes, ApiKeyError> {
        let scopes = raw
            .iter()
            .map(|s| {
                Scope::parse(s.as_ref())
                    .ok_or_else(|| ApiKeyError::UnknownScope(s.as_ref().to_owned()))
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        if scopes.is_empty() {
            return Err(ApiKeyError::NoScope);
        }
        Ok(Scopes(scopes))
    }

    /// Whether these scopes allow a route that needs `needed`: admin allows everything.
    pub fn allow(&self, needed: Scope) -> bool {
        self.0.contains(&needed) || self.0.contains(&Scope::Admin)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// The scopes' names, in order: how keys show them and how the shop stores them.
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_shown_once_and_stored_as_its_sha256() {
        let key = ApiKey::from_random([7; 32]);
        assert!(key.as_str().starts_with("o2o_sk_0707"));
        assert_eq!(ApiKey::parse(key.as_str()), Ok(key.clone()));
        assert_eq!(key.hash().len(), 64);
        assert_ne!(key.hash(), ApiKey::from_random([8; 32]).hash());
        assert_eq!(key.label(), "o2o_sk_070707");
    }

    #[test]
    fn a_key_hashes_as_sha256_of_its_text() {
        let key = ApiKey::parse(&format!("o2o_sk_{}", "0".repeat(64))).unwrap();
        // printf '%s' "o2o_sk_$(printf '0%.0s' {1..64})" | sha256sum
        assert_eq!(
            key.hash(),
            "88c8e74795cb403933e63671b7b57903bab1a4998a40264ab945edb16e8b31c8"
        );
    }

    #[test]
    fn anything_else_is_not_a_key() {
        for raw in [
            "",
            "o2o_sk_",
            "o2o_sk_abc",
            "sk_live_123",
            &format!("o2o_sk_{}", "G".repeat(64)),
            &format!("o2o_sk_{}", "A".repeat(64)),
        ] {
            assert_eq!(ApiKey::parse(raw), Err(ApiKeyError::Malformed), "{raw}");
        }
    }

    #[test]
    fn a_route_is_allowed_by_its_scope_or_admin_only() {
        let stock = Scopes::parse(&["stock"]).unwrap();
        assert!(stock.allow(Scope::Stock));
        assert!(!stock.allow(Scope::Catalog));
        let admin = Scopes::parse(&["admin"]).unwrap();
        assert!(Scope::ALL.into_iter().all(|s| admin.allow(s)));
        assert_eq!(Scopes::parse::<&str>(&[]), Err(ApiKeyError::NoScope));
        assert_eq!(
            Scopes::parse(&["stock", "root"]),
            Err(ApiKeyError::UnknownScope("root".into()))
        );
    }
}
