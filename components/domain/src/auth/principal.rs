//! Who is calling and the rules of what they may do, in one place: every route asks the
//! principal for what it needs (`customer`, `staff`) or whether it may see something a
//! customer owns (`may_see`). The edge only resolves the principal from the request's
//! credentials (`o2o_edge::auth`).
//!
//! The rules:
//! - a customer route needs a signed-in customer: anonymous callers are told to sign in (401),
//!   staff keys are refused (403): a key acts for the shop, never as a customer;
//! - a staff route needs a key holding its scope (`admin` holds every scope): anonymous → 401,
//!   a customer or a key without the scope → 403;
//! - something a customer owns is seen by that customer and by staff holding one of the scopes
//!   the route names; anyone else is told it does not exist (404), so ids leak nothing;
//! - a guest's thing (no owner: a guest cart or quote) is seen by whoever holds its
//!   unguessable id.

use super::api_key::{Scope, Scopes};
use crate::ids::CustomerId;

/// A staff member's or integrator's key, as the shop stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffKey {
    /// The key's id (`key-<uuid>`), or `admin-bootstrap` for the key of `admin_api_key`:
    /// what the audit log records as the actor.
    pub id: String,
    pub scopes: Scopes,
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Customer(CustomerId),
    Staff(StaffKey),
}

/// Why a principal may not use a route.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// No credentials where some are needed (401).
    #[error("{0}")]
    SignInRequired(&'static str),
    /// Credentials that do not allow this route (403).
    #[error("{0}")]
    Forbidden(String),
}

impl Principal {
    /// The signed-in customer of a customer route.
    pub fn customer(&self) -> Result<&CustomerId, Denied> {
        match self {
            Principal::Customer(customer) => Ok(customer),
            Principal::Anonymous => Err(Denied::SignInRequired(
                "sign in: this route needs a customer's bearer token",
            )),
            Principal::Staff(_) => Err(Denied::Forbidden(
                "an API key acts for the shop, not as a customer".to_owned(),
            )),
        }
    }

    /// The key of a staff route that needs `scope`.
    pub fn staff(&self, scope: Scope) -> Result<&StaffKey, Denied> {
        self.staff_any(&[scope])
    }

    /// The key of a staff route that any one of `scopes` allows.
    pub fn staff_any(&self, scopes: &[Scope]) -> Result<&StaffKey, Denied> {
        let names = || {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match self {
            Principal::Staff(key) if scopes.iter().any(|s| key.scopes.allow(*s)) => Ok(key),
            Principal::Staff(_) => Err(Denied::Forbidden(format!(
                "this API key lacks the scope {}",
                names()
            ))),
            Principal::Anonymous => Err(Denied::SignInRequired(
                "this route needs an API key (x-api-key header)",
            )),
            Principal::Customer(_) => Err(Denied::Forbidden(format!(
                "this route is for staff with the scope {}",
                names()
            ))),
        }
    }

    /// Whether this caller may see (and act on, where the route allows the owner) something
    /// owned by `owner` (`None`: a guest's), staff needing one of `staff_scopes`.
    pub fn may_see(&self, owner: Option<&CustomerId>, staff_scopes: &[Scope]) -> bool {
        self.may_see_owned_by(owner.map(CustomerId::as_str), staff_scopes)
    }

    /// `may_see` for an owner as a document stores it (a quote's or a review's
    /// `customer_id`): compared as written, so an owner that would not parse is still nobody
    /// else's.
    pub fn may_see_owned_by(&self, owner: Option<&str>, staff_scopes: &[Scope]) -> bool {
        match (owner, self) {
            (None, _) => true,
            (Some(owner), Principal::Customer(caller)) => owner == caller.as_str(),
            (Some(_), Principal::Staff(key)) => staff_scopes.iter().any(|s| key.scopes.allow(*s)),
            (Some(_), Principal::Anonymous) => false,
        }
    }

    /// The customer, when the caller is one.
    pub fn as_customer(&self) -> Option<&CustomerId> {
        match self {
            Principal::Customer(customer) => Some(customer),
            _ => None,
        }
    }

    /// Who is calling, as one stable text: `customer:<id>`, `key:<api key id>` or `guest`.
    /// What a caller owns by a name of its own choosing (an `Idempotency-Key`) is kept under
    /// it, so that two callers choosing the same name never meet.
    pub fn caller(&self) -> String {
        match self {
            Principal::Anonymous => "guest".to_owned(),
            Principal::Customer(customer) => format!("customer:{}", customer.as_str()),
            Principal::Staff(key) => format!("key:{}", key.id),
        }
    }

    /// The subject a rate limit counts against: the customer or the key; anonymous callers
    /// have none (they are limited by the platform in front of the functions).
    pub fn rate_subject(&self) -> Option<String> {
        match self {
            Principal::Anonymous => None,
            _ => Some(self.caller()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: &str) -> Principal {
        Principal::Customer(CustomerId::parse(id).unwrap())
    }

    fn staff(scopes: &[&str]) -> Principal {
        Principal::Staff(StaffKey {
            id: "key-1".into(),
            scopes: Scopes::parse(scopes).unwrap(),
        })
    }

    #[test]
    fn a_customer_route_takes_customers_only() {
        assert_eq!(customer("alice").customer().unwrap().as_str(), "alice");
        assert!(matches!(
            Principal::Anonymous.customer(),
            Err(Denied::SignInRequired(_))
        ));
        assert!(matches!(
            staff(&["admin"]).customer(),
            Err(Denied::Forbidden(_))
        ));
    }

    #[test]
    fn a_staff_route_takes_its_scope_or_admin() {
        assert!(staff(&["stock"]).staff(Scope::Stock).is_ok());
        assert!(staff(&["admin"]).staff(Scope::Stock).is_ok());
        assert_eq!(
            staff(&["catalog"]).staff(Scope::Stock),
            Err(Denied::Forbidden(
                "this API key lacks the scope stock".into()
            ))
        );
        assert!(matches!(
            customer("alice").staff(Scope::Stock),
            Err(Denied::Forbidden(_))
        ));
        assert!(matches!(
            Principal::Anonymous.staff(Scope::Stock),
            Err(Denied::SignInRequired(_))
        ));
        assert!(
            staff(&["reports"])
                .staff_any(&[Scope::Dispatch, Scope::Reports])
                .is_ok()
        );
    }

    #[test]
    fn owned_things_are_seen_by_their_owner_and_the_named_staff_only() {
        let alice = CustomerId::parse("alice").unwrap();
        let scopes = [Scope::Reports];
        assert!(customer("alice").may_see(Some(&alice), &scopes));
        assert!(!customer("bob").may_see(Some(&alice), &scopes));
        assert!(!Principal::Anonymous.may_see(Some(&alice), &scopes));
        assert!(staff(&["reports"]).may_see(Some(&alice), &scopes));
        assert!(!staff(&["stock"]).may_see(Some(&alice), &scopes));
        // a guest's thing is seen by whoever holds its id
        assert!(Principal::Anonymous.may_see(None, &scopes));
        assert!(customer("bob").may_see(None, &[]));
        // an owner as a document stores it, even one that would not parse, is nobody else's
        assert!(customer("alice").may_see_owned_by(Some("alice"), &[]));
        assert!(!Principal::Anonymous.may_see_owned_by(Some("not a customer id"), &[]));
        assert!(!customer("bob").may_see_owned_by(Some(""), &[]));
    }

    #[test]
    fn rate_limits_count_per_customer_and_per_key() {
        assert_eq!(
            customer("alice").rate_subject().as_deref(),
            Some("customer:alice")
        );
        assert_eq!(
            staff(&["stock"]).rate_subject().as_deref(),
            Some("key:key-1")
        );
        assert_eq!(Principal::Anonymous.rate_subject(), None);
    }
}
