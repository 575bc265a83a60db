//! The quote part of the end-to-end kit: a `POST /quote` body builder
//! (`a_quote().for_lines(&[("TEA-1", 2)]).pickup_at("SH-1")`), the calls that ask for a quote
//! and read one back (as the builder's customer, the cart's, or a guest), and `amount` to read
//! a money value of the answer.

use serde_json::{Value, json};

use crate::access_kit::Who;
use crate::{TestApp, TestResponse};

/// A `POST /quote` body: `a_quote().for_lines(&[("TEA-1", 2)]).pickup_at("SH-1")`.
#[derive(Debug, Clone)]
pub struct QuoteRequestBuilder {
    body: serde_json::Map<String, Value>,
    /// Who asks (signed in); `None`: the cart's customer, or a guest.
    customer: Option<String>,
}

/// A quote request with no lines yet, for pickup at no store yet.
pub fn a_quote() -> QuoteRequestBuilder {
    QuoteRequestBuilder {
        body: serde_json::Map::new(),
        customer: None,
    }
}

impl QuoteRequestBuilder {
    pub fn for_cart(mut self, cart: &str) -> Self {
        self.body.insert("cart_id".into(), json!(cart));
        self
    }

    /// Explicit lines; quantities may be anything, to test refusals.
    pub fn for_lines(mut self, lines: &[(&str, i64)]) -> Self {
        let lines: Vec<Value> = lines
            .iter()
            .map(|(sku, quantity)| json!({ "sku": sku, "quantity": quantity }))
            .collect();
        self.body.insert("lines".into(), Value::Array(lines));
        self
    }

    /// Asked by `customer`, signed in.
    pub fn for_customer(mut self, customer: &str) -> Self {
        self.customer = Some(customer.to_owned());
        self
    }

    pub fn pickup_at(mut self, store: &str) -> Self {
        self.body.insert(
            "fulfilment".into(),
            json!({ "mode": "pickup", "store_id": store }),
        );
        self
    }

    /// Delivery to a point in Shanghai.
    pub fn delivered_to(mut self, lat: f64, lon: f64) -> Self {
        self.body.insert(
            "fulfilment".into(),
            json!({
                "mode": "delivery",
                "address": {
                    "line1": "1 Test Rd", "line2": null, "city": "Shanghai",
                    "postal_code": "200000", "country": "CN"
                },
                "location": { "lat": lat, "lon": lon },
                "contact_phone": null,
                "instructions": null
            }),
        );
        self
    }

    pub fn with_coupons(mut self, codes: &[&str]) -> Self {
        self.body.insert("coupon_codes".into(), json!(codes));
        self
    }

    pub fn to_json(&self) -> Value {
        Value::Object(self.body.clone())
    }
}

impl TestApp {
    /// Asks for a quote (`POST /quote`) as the builder's customer, or the cart's, or a guest.
    pub async fn quote(&self, request: &QuoteRequestBuilder) -> TestResponse {
        let who = match (&request.customer, request.body.get("cart_id")) {
            (Some(customer), _) => Who::customer(customer),
            (None, Some(Value::String(cart))) => self.owner_of(cart),
            _ => Who::Nobody,
        };
        let response = self
            .send_as(&who, "POST", "/quote", Some(request.to_json()))
            .await;
        if let (Who::Customer(customer), Some(id)) = (&who, response.body["id"].as_str()) {
            self.remember_owner(id, customer);
        }
        response
    }

    pub async fn get_quote(&self, id: &str) -> TestResponse {
        self.send_as(&self.owner_of(id), "GET", &format!("/quote/{id}"), None)
            .await
    }
}

/// An amount of a quote as a string ("12.30").
pub fn amount(money: &Value) -> &str {
    money["amount"].as_str().expect("money amount")
}
