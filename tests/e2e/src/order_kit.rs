//! The order part of the end-to-end kit: a place-order request builder with sensible defaults
//! (`an_order().for_cart(&cart).pickup_at("SH-1")`, placed signed in as `cust-1` unless
//! `for_customer` says otherwise), typed calls for every order route (made as the order's
//! customer, the sweep as a scheduler's key with `dispatch`), and
//! payment confirmations signed the way the payment provider signs them (with
//! `TEST_PAYMENT_SECRET` and the host's clock), or tampered with for the refusal cases.

use std::time::UNIX_EPOCH;

use o2o_domain::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use serde_json::{Value, json};

use crate::access_kit::Who;
use crate::{TEST_PAYMENT_SECRET, TEST_STORE_LOCATION, TestApp, TestResponse};

/// A place-order body: pickup at `SH-1`, paid online, placed by customer `cust-1`, unless told
/// otherwise.
#[derive(Debug, Clone)]
pub struct OrderRequestBuilder {
    body: Value,
    customer: String,
}

pub fn an_order() -> OrderRequestBuilder {
    OrderRequestBuilder {
        body: json!({
            "fulfilment": {"mode": "pickup", "store_id": "SH-1"},
            "payment_method": "online",
        }),
        customer: "cust-1".to_owned(),
    }
}

impl OrderRequestBuilder {
    pub fn for_cart(mut self, cart: &str) -> Self {
        self.body["cart_id"] = json!(cart);
        self
    }

    pub fn for_lines(mut self, lines: &[(&str, i64)]) -> Self {
        self.body["lines"] = json!(
            lines
                .iter()
                .map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity}))
                .collect::<Vec<_>>()
        );
        self
    }

    /// Placed by `customer`, signed in.
    pub fn for_customer(mut self, customer: &str) -> Self {
        self.customer = customer.to_owned();
        self
    }

    pub fn customer(&self) -> &str {
        &self.customer
    }

    pub fn pickup_at(mut self, store: &str) -> Self {
        self.body["fulfilment"] = json!({"mode": "pickup", "store_id": store});
        self
    }

    pub fn delivered_to(mut self, lat: f64, lon: f64) -> Self {
        self.body["fulfilment"] = json!({
            "mode": "delivery",
            "address": {"line1": "1 Test Rd", "city": "Shanghai", "postal_code": "200000", "country": "CN"},
            "location": {"lat": lat, "lon": lon},
        });
        self
    }

    pub fn delivered_near_the_test_store(self) -> Self {
        self.delivered_to(TEST_STORE_LOCATION.0 + 0.005, TEST_STORE_LOCATION.1)
    }

    pub fn confirming_quote(mut self, quote: &str) -> Self {
        self.body["quote_id"] = json!(quote);
        self
    }

    pub fn paid_at_pickup(mut self) -> Self {
        self.body["payment_method"] = json!("pay-at-pickup");
        self
    }

    pub fn with_coupons(mut self, codes: &[&str]) -> Self {
        self.body["coupon_codes"] = json!(codes);
        self
    }

    /// Sets any field, for bad-input cases.
    pub fn with_field(mut self, name: &str, value: Value) -> Self {
        self.body[name] = value;
        self
    }

    pub fn to_json(&self) -> Value {
        self.body.clone()
    }
}

/// A webhook as a provider sends it (a payment or refund confirmation, a courier update):
/// body, timestamp and signature headers.
#[derive(Debug, Clone)]
pub struct SignedBody {
    pub body: Vec<u8>,
    pub timestamp: String,
    pub signature: String,
}

/// A payment confirmation as sent.
pub type SignedPayment = SignedBody;

impl TestApp {
    /// `POST /orders` with `Idempotency-Key: key`, signed in as the builder's customer.
    pub async fn place_order(&self, key: &str, order: &OrderRequestBuilder) -> TestResponse {
        self.place_order_raw(
            &Who::customer(order.customer()),
            Some(key),
            order.to_json().to_string().into_bytes(),
        )
        .await
    }

    /// `POST /orders` as `who`, the body as given; a placed order is remembered as the
    /// customer's.
    pub async fn place_order_raw(
        &self,
        who: &Who,
        key: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let response = self.post_raw_as(who, "/orders", key, body).await;
        if let (Who::Customer(customer), Some(id)) = (who, response.body["id"].as_str())
            && response.status == 201
        {
            self.remember_owner(id, customer);
        }
        response
    }

    /// `GET /orders/{id}` as its customer.
    pub async fn get_order(&self, id: &str) -> TestResponse {
        self.send_as(
            &self.order_viewer(id),
            "GET",
            &format!("/orders/{id}"),
            None,
        )
        .await
    }

    /// `GET /orders{query}` signed in as `customer` (`query` starts with `?` or is empty).
    pub async fn customer_orders(&self, customer: &str, query: &str) -> TestResponse {
        self.send_as(
            &Who::customer(customer),
            "GET",
            &format!("/orders{query}"),
            None,
        )
        .await
    }

    /// `POST /orders/{id}/cancel` as its customer.
    pub async fn cancel_order(&self, id: &str, reason: Option<&str>) -> TestResponse {
        let body = reason.map(|r| json!({"reason": r}));
        self.send_as(
            &self.order_viewer(id),
            "POST",
            &format!("/orders/{id}/cancel"),
            body,
        )
        .await
    }

    /// `POST /orders/sweep` as the scheduler (a key with `dispatch`).
    pub async fn sweep_orders(&self) -> TestResponse {
        self.send_as(
            &Who::staff("scheduler", "dispatch"),
            "POST",
            "/orders/sweep",
            None,
        )
        .await
    }

    /// The host's clock in Unix seconds (tests move it with `advance_clock`).
    pub fn unix_now(&self) -> i64 {
        self.app
            .clock()
            .now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64
    }

    /// `body` signed now (the host's clock) with `secret`, as providers sign.
    pub fn sign_now(&self, secret: &str, body: &Value) -> SignedBody {
        let body = body.to_string().into_bytes();
        let timestamp = self.unix_now();
        SignedBody {
            signature: sign(secret.as_bytes(), timestamp, &body),
            timestamp: timestamp.to_string(),
            body,
        }
    }

    /// `POST path` with a signed webhook exactly as given.
    pub async fn send_signed(&self, path: &str, signed: &SignedBody) -> TestResponse {
        let request = http::Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, &signed.timestamp)
            .header(SIGNATURE_HEADER, &signed.signature)
            .body(signed.body.clone())
            .unwrap();
        self.send_raw(request).await
    }

    /// A payment confirmation of `amount` CNY signed now with the shop's test secret.
    pub fn signed_payment(&self, reference: &str, amount: &str) -> SignedPayment {
        self.sign_now(
            TEST_PAYMENT_SECRET,
            &json!({
                "payment_reference": reference,
                "amount": {"amount": amount, "currency": "CNY"},
            }),
        )
    }

    /// `POST /orders/{id}/payment` with the payment as given.
    pub async fn send_payment(&self, order: &str, payment: &SignedPayment) -> TestResponse {
        self.send_signed(&format!("/orders/{order}/payment"), payment)
            .await
    }

    /// Pays `order` its full total with a fresh signature.
    pub async fn pay(&self, order: &Value, reference: &str) -> TestResponse {
        let payment = self.signed_payment(reference, order["total"]["amount"].as_str().unwrap());
        self.send_payment(order["id"].as_str().unwrap(), &payment)
            .await
    }
}
