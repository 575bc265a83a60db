//! The feedback part of the end-to-end kit: a review builder with sensible defaults
//! (`a_review_of(&order, "cust-1").line(0, 5)`), typed calls for every feedback route, and
//! the one shortcut these journeys take: moving an order to delivered or collected with SQL
//! (`mark_order_received`) until the dispatch function lands and does it for real.

use serde_json::{Value, json};
use spin_test_host::SqlValue;

use crate::access_kit::Who;
use crate::{TestApp, TestResponse};

/// A `POST /feedback` body, and who sends it.
#[derive(Debug, Clone)]
pub struct ReviewBuilder {
    body: Value,
    customer: String,
}

/// Feedback on `order` by `customer` (signed in), with nothing in it yet.
pub fn a_review_of(order: &str, customer: &str) -> ReviewBuilder {
    ReviewBuilder {
        body: json!({ "order_id": order, "lines": [] }),
        customer: customer.to_owned(),
    }
}

impl ReviewBuilder {
    /// Rates line `line` with `stars`, without text.
    pub fn line(mut self, line: i64, stars: i64) -> Self {
        self.push_line(json!({ "line": line, "rating": stars }));
        self
    }

    /// Rates line `line` with `stars` and a text.
    pub fn line_saying(mut self, line: i64, stars: i64, text: &str) -> Self {
        self.push_line(json!({ "line": line, "rating": stars, "text": text }));
        self
    }

    fn push_line(&mut self, line: Value) {
        self.body["lines"]
            .as_array_mut()
            .expect("lines is an array")
            .push(line);
    }

    pub fn store_rating(mut self, stars: i64) -> Self {
        self.body["store_rating"] = json!(stars);
        self
    }

    pub fn delivery_rating(mut self, stars: i64) -> Self {
        self.body["delivery_rating"] = json!(stars);
        self
    }

    pub fn complaining(mut self, category: &str, description: &str) -> Self {
        self.body["complaint"] = json!({ "category": category, "description": description });
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
    /// Until the dispatch function moves orders to their final good states, journeys put an
    /// order there with SQL: `status` is `delivered` or `collected`.
    pub fn mark_order_received(&self, order: &str, status: &str) {
        self.app
            .sqlite("default")
            .execute(
                "UPDATE orders SET status = ? WHERE id = ?",
                &[
                    SqlValue::Text(status.to_owned()),
                    SqlValue::Text(order.to_owned()),
                ],
            )
            .expect("update order status");
    }

    /// `POST /feedback` signed in as the review's customer.
    pub async fn submit_feedback(&self, review: &ReviewBuilder) -> TestResponse {
        self.send_as(
            &Who::customer(&review.customer),
            "POST",
            "/feedback",
            Some(review.to_json()),
        )
        .await
    }

    /// `GET /feedback/products/{sku}{query}` (`query` like `?limit=2`, or empty).
    pub async fn product_feedback(&self, sku: &str, query: &str) -> TestResponse {
        self.send("GET", &format!("/feedback/products/{sku}{query}"), None)
            .await
    }

    /// `GET /feedback/stores/{id}{query}`.
    pub async fn store_feedback(&self, store: &str, query: &str) -> TestResponse {
        self.send("GET", &format!("/feedback/stores/{store}{query}"), None)
            .await
    }

    /// `GET /feedback/complaints{query}` as staff member `staff` (their key with
    /// `refund-approve`).
    pub async fn complaint_queue(&self, staff: &str, query: &str) -> TestResponse {
        self.send_as(
            &Who::staff(staff, "refund-approve"),
            "GET",
            &format!("/feedback/complaints{query}"),
            None,
        )
        .await
    }

    /// `POST /feedback/complaints/{id}/resolve` with `{"note"}`; `staff` `None` sends no
    /// credentials.
    pub async fn resolve_complaint(
        &self,
        staff: Option<&str>,
        complaint: &str,
        note: &str,
    ) -> TestResponse {
        self.staff_post(
            staff,
            &format!("/feedback/complaints/{complaint}/resolve"),
            json!({ "note": note }),
        )
        .await
    }

    /// How many rows the feedback tables hold, with the complaint events: (reviews, ratings,
    /// complaints, `feedback.complaint` events). Equal before and after: nothing was written.
    pub fn feedback_written(&self) -> (i64, i64, i64, usize) {
        (
            self.count_rows("feedback_reviews"),
            self.count_rows("feedback_ratings"),
            self.count_rows("feedback_complaints"),
            self.outbox_events("feedback.complaint").len(),
        )
    }
}
