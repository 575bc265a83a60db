//! The cart's wire: request bodies as they arrive (strict: unknown fields are refused), the
//! domain cart as `o2o_contract::Cart`, and the mapping of cart rule violations to problems.

use o2o_domain::{Cart, CartError, MergeOutcome};
use o2o_edge::ApiError;
use serde::Deserialize;

/// `POST /cart` takes no fields: the owner is the signed-in customer (or none, a guest).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCart {}

/// Quantities arrive as any integer so that 0 or -1 is refused naming the field, like 1000.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    pub sku: String,
    pub quantity: i64,
    pub preferred_store: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetQuantity {
    pub quantity: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeCarts {
    pub guest_cart_id: String,
}

/// RFC 3339 in UTC with second precision, as every timestamp on the wire.
fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn to_wire(cart: &Cart) -> o2o_contract::Cart {
    o2o_contract::Cart {
        id: cart.id.to_string(),
        customer_id: cart.customer_id.as_ref().map(|c| c.as_str().to_owned()),
        lines: cart
            .lines()
            .iter()
            .map(|line| o2o_contract::CartLine {
                sku: line.sku.to_string(),
                quantity: line.quantity.get(),
                preferred_store: line.preferred_store.as_ref().map(|s| s.as_str().to_owned()),
            })
            .collect(),
        item_count: cart.item_count(),
        created_at: timestamp(cart.created_at),
        updated_at: timestamp(cart.updated_at),
        expires_at: timestamp(cart.expires_at),
    }
}

pub fn to_wire_merge(cart: &Cart, outcome: &MergeOutcome) -> o2o_contract::CartMerge {
    let names = |skus: &[o2o_domain::Sku]| skus.iter().map(|s| s.to_string()).collect();
    o2o_contract::CartMerge {
        cart: to_wire(cart),
        capped: names(&outcome.capped),
        dropped: names(&outcome.dropped),
    }
}

/// Each cart rule violation, with the field a client should look at.
pub fn cart_error(err: CartError) -> ApiError {
    let field = match &err {
        CartError::NoSuchLine(_) => return ApiError::not_found(err.to_string()),
        CartError::TooManyLines { .. } => "sku",
        CartError::LineQuantityExceeded { .. } => "quantity",
        CartError::NotACustomerCart => "id",
        CartError::NotAGuestCart | CartError::MergeIntoItself => "guest_cart_id",
    };
    ApiError::unprocessable(field, err)
}
