//! The refund part of the end-to-end kit: a refund request builder with sensible defaults
//! (`a_refund(&order_id).of(&[("SNK-SEEDS", 1)]).with_goods_returned()`), typed calls for every
//! refund route, completion callbacks signed the way the payment provider signs them (with
//! `TEST_REFUND_SECRET` and the host's clock), and, until the dispatch function lands, a way
//! to move an order to where dispatch would take it (`hand_over_by_sql`).

use serde_json::{Value, json};
use spin_test_host::SqlValue;

use crate::access_kit::Who;
use crate::order_kit::SignedPayment;
use crate::{TEST_REFUND_SECRET, TestApp, TestResponse};

/// A refund body: asked by the order's customer (as the kit placed it; else `cust-1`), reason
/// "damaged", goods kept.
#[derive(Debug, Clone)]
pub struct RefundRequestBuilder {
    body: Value,
    /// Who asks when not the order's customer.
    asker: Option<String>,
}

pub fn a_refund(order: &str) -> RefundRequestBuilder {
    RefundRequestBuilder {
        body: json!({
            "order_id": order,
            "lines": [],
            "reason": "damaged in transit",
            "goods_returned": false,
        }),
        asker: None,
    }
}

impl RefundRequestBuilder {
    /// The units asked back, per sku; quantities may be anything, to test refusals.
    pub fn of(mut self, lines: &[(&str, i64)]) -> Self {
        self.body["lines"] = json!(
            lines
                .iter()
                .map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity}))
                .collect::<Vec<_>>()
        );
        self
    }

    pub fn with_goods_returned(mut self) -> Self {
        self.body["goods_returned"] = json!(true);
        self
    }

    /// Asked by `customer`, signed in (another customer than the order's, for refusals).
    pub fn by_customer(mut self, customer: &str) -> Self {
        self.asker = Some(customer.to_owned());
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

impl TestApp {
    /// Who asks for `refund`: its asker, else the order's customer as the kit placed it,
    /// else `cust-1`.
    fn refund_asker(&self, refund: &RefundRequestBuilder) -> Who {
        if let Some(asker) = &refund.asker {
            return Who::customer(asker);
        }
        match self.owner_of(refund.body["order_id"].as_str().unwrap_or_default()) {
            Who::Nobody => Who::customer("cust-1"),
            owner => owner,
        }
    }

    /// `POST /refunds` with `Idempotency-Key: key`, as the order's customer.
    pub async fn request_refund(&self, key: &str, refund: &RefundRequestBuilder) -> TestResponse {
        self.request_refund_raw(
            &self.refund_asker(refund),
            Some(key),
            refund.to_json().to_string().into_bytes(),
        )
        .await
    }

    /// `POST /refunds` as staff member `staff` (their key with `refund-approve`).
    pub async fn request_refund_as_staff(
        &self,
        key: &str,
        staff: &str,
        refund: &RefundRequestBuilder,
    ) -> TestResponse {
        self.request_refund_raw(
            &Who::staff(staff, "refund-approve"),
            Some(key),
            refund.to_json().to_string().into_bytes(),
        )
        .await
    }

    /// `POST /refunds` as `who`, the body as given; a refund made is remembered as the
    /// order's customer's.
    pub async fn request_refund_raw(
        &self,
        who: &Who,
        key: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let response = self.post_raw_as(who, "/refunds", key, body).await;
        if let (Some(id), Some(customer)) = (
            response.body["id"].as_str(),
            response.body["customer_id"].as_str(),
        ) {
            self.remember_owner(id, customer);
        }
        response
    }

    /// `GET /refunds/{id}` as the refund's customer.
    pub async fn get_refund(&self, id: &str) -> TestResponse {
        self.send_as(
            &self.order_viewer(id),
            "GET",
            &format!("/refunds/{id}"),
            None,
        )
        .await
    }

    /// `GET /refunds?order_id=..` as the order's customer: the order's refunds with paid,
    /// refunded, pending and net.
    pub async fn refunds_of(&self, order: &str) -> TestResponse {
        self.send_as(
            &self.order_viewer(order),
            "GET",
            &format!("/refunds?order_id={order}"),
            None,
        )
        .await
    }

    async fn staff_refund_post(
        &self,
        staff: Option<&str>,
        path: String,
        body: Option<Value>,
    ) -> TestResponse {
        let body = body.unwrap_or(json!({}));
        self.staff_post(staff, &path, body).await
    }

    /// `POST /refunds/{id}/approve`; `staff` `None` sends no credentials.
    pub async fn approve_refund(&self, staff: Option<&str>, id: &str) -> TestResponse {
        self.staff_refund_post(staff, format!("/refunds/{id}/approve"), None)
            .await
    }

    pub async fn reject_refund(&self, staff: &str, id: &str, note: &str) -> TestResponse {
        self.staff_refund_post(
            Some(staff),
            format!("/refunds/{id}/reject"),
            Some(json!({"note": note})),
        )
        .await
    }

    /// A refund completion of `amount` CNY signed now with the shop's test refund secret.
    pub fn signed_refund_completion(&self, reference: &str, amount: &str) -> SignedPayment {
        self.sign_now(
            TEST_REFUND_SECRET,
            &json!({
                "refund_reference": reference,
                "amount": {"amount": amount, "currency": "CNY"},
            }),
        )
    }

    /// `POST /refunds/{id}/completion` with the callback as given.
    pub async fn send_refund_completion(&self, id: &str, signed: &SignedPayment) -> TestResponse {
        self.send_signed(&format!("/refunds/{id}/completion"), signed)
            .await
    }

    /// The provider confirms `refund` in full with a fresh signature.
    pub async fn complete_refund(&self, refund: &Value, reference: &str) -> TestResponse {
        let signed =
            self.signed_refund_completion(reference, refund["total"]["amount"].as_str().unwrap());
        self.send_refund_completion(refund["id"].as_str().unwrap(), &signed)
            .await
    }

    /// Stands in for the dispatch function (issue 6, built separately): the goods leave the
    /// store (the order's reservation is committed through the stock function) and the order
    /// is moved to `status` (`delivered` or `collected`) with SQL, as dispatch would leave it.
    pub async fn hand_over_by_sql(&self, order: &Value, status: &str) {
        let reservation = order["lines"][0]["reservation_id"].as_str().unwrap();
        self.commit_reservation(reservation).await.expect(200);
        self.app
            .sqlite("default")
            .execute(
                "UPDATE orders SET status = ? WHERE id = ?",
                &[
                    SqlValue::Text(status.to_owned()),
                    SqlValue::Text(order["id"].as_str().unwrap().to_owned()),
                ],
            )
            .expect("move the order");
    }
}
