//! The operators' catalog in end-to-end tests: staff calls (`app.as_staff("POST",
//! "/admin/products", Some(a_product("TEA-1").priced("12.30").to_json()))`), builders of the
//! request bodies with sensible defaults, and a look into the audit log.

use serde_json::{Value, json};
use spin_test_host::SqlValue;

use crate::access_kit::Who;
use crate::{TEST_STORE_LOCATION, TestApp, TestResponse};

/// The staff member tests act as, with a key holding `catalog`.
pub const TEST_STAFF: &str = "staff-ops-1";

impl TestApp {
    /// Sends a request as the staff member `TEST_STAFF` (their key with `catalog`).
    pub async fn as_staff(&self, method: &str, path: &str, body: Option<Value>) -> TestResponse {
        self.send_as(&Who::staff(TEST_STAFF, "catalog"), method, path, body)
            .await
    }

    /// The audit log as (actor, action, subject, before, after), oldest first, without the
    /// kit's own making of keys (`api-key.*`).
    pub fn audit_changes(&self) -> Vec<(String, String, String, Value, Value)> {
        let text = |v: &SqlValue| match v {
            SqlValue::Text(t) => t.clone(),
            other => panic!("expected text, found {other:?}"),
        };
        let json_of = |v: &SqlValue| serde_json::from_str(&text(v)).expect("audit JSON");
        self.app
            .sqlite("default")
            .execute(
                "SELECT actor, action, subject, before, after FROM audit_log \
                 WHERE action NOT LIKE 'api-key.%' ORDER BY id",
                &[],
            )
            .expect("read the audit log")
            .iter()
            .map(|row| {
                (
                    text(&row[0]),
                    text(&row[1]),
                    text(&row[2]),
                    json_of(&row[3]),
                    json_of(&row[4]),
                )
            })
            .collect()
    }
}

/// A product body: "Product {sku}", category tea, brand Test Brand, 10.00, active.
#[derive(Debug, Clone)]
pub struct ProductBody(Value);

pub fn a_product(sku: &str) -> ProductBody {
    ProductBody(json!({
        "sku": sku,
        "name": format!("Product {sku}"),
        "category": "tea",
        "brand": "Test Brand",
        "list_price": "10.00",
    }))
}

impl ProductBody {
    pub fn priced(self, list_price: &str) -> Self {
        self.with("list_price", json!(list_price))
    }

    pub fn in_category(self, category: &str) -> Self {
        self.with("category", json!(category))
    }

    pub fn of_brand(self, brand: &str) -> Self {
        self.with("brand", json!(brand))
    }

    /// Any field set to any JSON value (bad ones included).
    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.0[field] = value;
        self
    }

    /// The body of a create (with the sku).
    pub fn to_json(&self) -> Value {
        self.0.clone()
    }

    /// The body of a PUT (the sku is in the path).
    pub fn to_update_json(&self) -> Value {
        let mut body = self.0.clone();
        body.as_object_mut().expect("an object").remove("sku");
        body
    }
}

/// A store body at People's Square, open 09:00 to 21:00 on weekdays, delivering within 5 km.
#[derive(Debug, Clone)]
pub struct StoreBody(Value);

pub fn a_new_store(id: &str) -> StoreBody {
    let (lat, lon) = TEST_STORE_LOCATION;
    StoreBody(json!({
        "id": id,
        "name": format!("Store {id}"),
        "address": "1 Test Rd",
        "city": "Shanghai",
        "latitude": lat,
        "longitude": lon,
        "opening_hours": {"mon": ["09:00", "21:00"], "fri": ["09:00", "22:00"]},
        "pickup_enabled": true,
        "delivery_radius_km": 5.0,
    }))
}

impl StoreBody {
    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.0[field] = value;
        self
    }

    pub fn to_json(&self) -> Value {
        self.0.clone()
    }

    pub fn to_update_json(&self) -> Value {
        let mut body = self.0.clone();
        body.as_object_mut().expect("an object").remove("id");
        body
    }
}

/// A promotion body of `kind` with its `parameters`, on everything, valid 2000 to 2100.
#[derive(Debug, Clone)]
pub struct PromotionBody(Value);

pub fn a_new_promotion(id: &str, kind: &str, parameters: Value) -> PromotionBody {
    PromotionBody(json!({
        "id": id,
        "name": format!("Promotion {id}"),
        "kind": kind,
        "starts_at": "2000-01-01T00:00:00Z",
        "ends_at": "2100-01-01T00:00:00Z",
        "parameters": parameters,
    }))
}

impl PromotionBody {
    pub fn on_skus(self, skus: &[&str]) -> Self {
        self.with("target_kind", json!("skus"))
            .with("target_values", json!(skus))
    }

    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.0[field] = value;
        self
    }

    pub fn to_json(&self) -> Value {
        self.0.clone()
    }

    pub fn to_update_json(&self) -> Value {
        let mut body = self.0.clone();
        body.as_object_mut().expect("an object").remove("id");
        body
    }
}

/// The body of a member tier, customer or coupon: built by `a_new_tier`, `a_new_customer`
/// and `a_new_coupon`, changed by `with`, sent whole by `to_json` (a create) or without its
/// id by `to_update_json` (a PUT).
#[derive(Debug, Clone)]
pub struct AdminBody {
    id_key: &'static str,
    body: Value,
}

impl AdminBody {
    /// Any field set to any JSON value (bad ones included).
    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.body[field] = value;
        self
    }

    pub fn to_json(&self) -> Value {
        self.body.clone()
    }

    pub fn to_update_json(&self) -> Value {
        let mut body = self.body.clone();
        body.as_object_mut().expect("an object").remove(self.id_key);
        body
    }
}

/// A member tier "Tier {id}" of rank 1 without a discount.
pub fn a_new_tier(id: &str) -> AdminBody {
    AdminBody {
        id_key: "id",
        body: json!({ "id": id, "name": format!("Tier {id}"), "rank": 1 }),
    }
}

/// A customer "Customer {id}" without a tier.
pub fn a_new_customer(id: &str) -> AdminBody {
    AdminBody {
        id_key: "id",
        body: json!({ "id": id, "name": format!("Customer {id}") }),
    }
}

/// A coupon worth 10.00 off, valid 2000 to 2100, without a minimum spend or limits.
pub fn a_new_coupon(code: &str) -> AdminBody {
    AdminBody {
        id_key: "code",
        body: json!({
            "code": code,
            "name": format!("Coupon {code}"),
            "kind": "amount-off",
            "amount": "10.00",
            "starts_at": "2000-01-01T00:00:00Z",
            "ends_at": "2100-01-01T00:00:00Z",
        }),
    }
}

impl AdminBody {
    /// A tier's discount off every sku, in percent.
    pub fn with_discount(self, percent: &str) -> Self {
        self.with("discount_percent", json!(percent))
    }

    /// A customer's member tier.
    pub fn on_tier(self, tier: &str) -> Self {
        self.with("tier_id", json!(tier))
    }

    /// A coupon taking `percent` off, at most `cap`.
    pub fn percentage_off(mut self, percent: &str, cap: Option<&str>) -> Self {
        let object = self.body.as_object_mut().expect("an object");
        object.remove("amount");
        object.insert("kind".into(), json!("percentage-off"));
        object.insert("percent".into(), json!(percent));
        if let Some(cap) = cap {
            object.insert("max_discount".into(), json!(cap));
        }
        self
    }
}
