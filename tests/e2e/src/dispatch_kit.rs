//! The dispatch part of the end-to-end kit: typed calls for every dispatch route (staff calls
//! are `STAFF`'s, with a key holding `dispatch`; tracking views are read as the order's
//! customer), a courier builder (`a_courier("CR-1", "SH-1").capacity(2)`),
//! and courier updates signed the way a courier platform signs them (with
//! `TEST_COURIER_SECRET` and the host's clock).

use serde_json::{Value, json};

use crate::access_kit::Who;
use crate::{TEST_COURIER_SECRET, TestApp, TestResponse};

/// The staff member the kit's staff calls are made as.
pub const STAFF: &str = "staff-1";

/// A `POST /dispatch/couriers` body: active, capacity 3, unless told otherwise.
#[derive(Debug, Clone)]
pub struct CourierBuilder {
    body: Value,
}

pub fn a_courier(id: &str, store: &str) -> CourierBuilder {
    CourierBuilder {
        body: json!({"id": id, "store_id": store, "name": format!("Courier {id}"), "capacity": 3}),
    }
}

impl CourierBuilder {
    pub fn capacity(mut self, capacity: i64) -> Self {
        self.body["capacity"] = json!(capacity);
        self
    }

    pub fn inactive(mut self) -> Self {
        self.body["active"] = json!(false);
        self
    }

    pub fn with_field(mut self, name: &str, value: Value) -> Self {
        self.body[name] = value;
        self
    }

    pub fn to_json(&self) -> Value {
        self.body.clone()
    }
}

/// A courier update as sent.
pub type SignedCourierUpdate = crate::order_kit::SignedBody;

impl TestApp {
    /// `POST /dispatch/shipments` as staff: fulfilment of `order` starts.
    pub async fn start_fulfilment(&self, order: &str) -> TestResponse {
        self.staff_post(
            Some(STAFF),
            "/dispatch/shipments",
            json!({"order_id": order}),
        )
        .await
    }

    pub async fn ready_for_pickup(&self, shipment: &str) -> TestResponse {
        self.staff_post(
            Some(STAFF),
            &format!("/dispatch/shipments/{shipment}/ready"),
            json!({}),
        )
        .await
    }

    pub async fn collect(&self, shipment: &str, code: &str) -> TestResponse {
        self.staff_post(
            Some(STAFF),
            &format!("/dispatch/shipments/{shipment}/collection"),
            json!({"pickup_code": code}),
        )
        .await
    }

    /// Hands a delivery to `courier` (`None`: the shop chooses).
    pub async fn assign_courier(&self, shipment: &str, courier: Option<&str>) -> TestResponse {
        let body = match courier {
            Some(courier) => json!({"courier_id": courier}),
            None => json!({}),
        };
        self.staff_post(
            Some(STAFF),
            &format!("/dispatch/shipments/{shipment}/courier"),
            body,
        )
        .await
    }

    pub async fn add_courier(&self, courier: &CourierBuilder) -> TestResponse {
        self.staff_post(Some(STAFF), "/dispatch/couriers", courier.to_json())
            .await
    }

    /// `POST /dispatch/shipments/{id}/pickup-code`: a new code for the counter.
    pub async fn reissue_pickup_code(&self, shipment: &str) -> TestResponse {
        self.staff_post(
            Some(STAFF),
            &format!("/dispatch/shipments/{shipment}/pickup-code"),
            json!({}),
        )
        .await
    }

    /// `PUT /dispatch/couriers/{id}` with `change` as the body.
    pub async fn update_courier(&self, courier: &str, change: &Value) -> TestResponse {
        self.send_as(
            &Who::staff(STAFF, "dispatch"),
            "PUT",
            &format!("/dispatch/couriers/{courier}"),
            Some(change.clone()),
        )
        .await
    }

    /// `GET /dispatch/couriers/{id}`.
    pub async fn courier(&self, courier: &str) -> TestResponse {
        self.send_as(
            &Who::staff(STAFF, "dispatch"),
            "GET",
            &format!("/dispatch/couriers/{courier}"),
            None,
        )
        .await
    }

    pub async fn couriers_of(&self, store: &str) -> TestResponse {
        self.send_as(
            &Who::staff(STAFF, "dispatch"),
            "GET",
            &format!("/dispatch/couriers?store_id={store}"),
            None,
        )
        .await
    }

    pub async fn courier_route(&self, courier: &str) -> TestResponse {
        self.send_as(
            &Who::staff(STAFF, "dispatch"),
            "GET",
            &format!("/dispatch/couriers/{courier}/route"),
            None,
        )
        .await
    }

    /// `GET /dispatch/shipments/{id}` as staff with `dispatch`.
    pub async fn shipment(&self, shipment: &str) -> TestResponse {
        self.send_as(
            &Who::staff(STAFF, "dispatch"),
            "GET",
            &format!("/dispatch/shipments/{shipment}"),
            None,
        )
        .await
    }

    /// The tracking view of `order`, as its customer.
    pub async fn tracking(&self, order: &str) -> TestResponse {
        self.send_as(
            &self.order_viewer(order),
            "GET",
            &format!("/dispatch/shipments?order_id={order}"),
            None,
        )
        .await
    }

    /// A courier update signed now with the shop's test secret.
    pub fn signed_courier_update(
        &self,
        shipment: &str,
        courier: &str,
        status: &str,
    ) -> SignedCourierUpdate {
        self.sign_now(
            TEST_COURIER_SECRET,
            &json!({"shipment_id": shipment, "courier_id": courier, "status": status}),
        )
    }

    pub async fn send_courier_update(&self, update: &SignedCourierUpdate) -> TestResponse {
        self.send_signed("/dispatch/courier-updates", update).await
    }

    /// The courier reports `status` for `shipment`, freshly signed.
    pub async fn courier_reports(
        &self,
        shipment: &str,
        courier: &str,
        status: &str,
    ) -> TestResponse {
        let update = self.signed_courier_update(shipment, courier, status);
        self.send_courier_update(&update).await
    }
}
