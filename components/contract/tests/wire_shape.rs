//! The JSON the components exchange, spelled out for the types every step touches: what a
//! front-end developer sees on the wire for a cart, an order status, a fulfilment mode and
//! an amount of money. Each test parses the literal JSON and writes it back unchanged.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use o2o_contract::{
    Address, Cart, CartLine, DeliveryDetails, FulfilmentMode, GeoPoint, Money, OrderStatus,
    PickupDetails,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use std::fmt::Debug;

/// Parses `wire` as `T`, checks it equals `expected`, and checks it serialises back to `wire`.
fn assert_wire_shape<T>(wire: Value, expected: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let parsed: T = serde_json::from_value(wire.clone()).expect("wire JSON parses");
    assert_eq!(&parsed, expected);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), wire);
}

fn eur(amount: &str) -> Money {
    Money {
        amount: amount.into(),
        currency: "EUR".into(),
    }
}

fn a_guest_cart() -> Cart {
    Cart {
        id: "cart-1".into(),
        customer_id: None,
        lines: vec![
            CartLine {
                sku: "SKU-1".into(),
                quantity: 2,
                preferred_store: Some("S1".into()),
            },
            CartLine {
                sku: "SKU-2".into(),
                quantity: 1,
                preferred_store: None,
            },
        ],
        item_count: 3,
        created_at: "2026-11-25T10:00:00Z".into(),
        updated_at: "2026-11-25T10:05:00Z".into(),
        expires_at: "2026-12-25T10:05:00Z".into(),
    }
}

#[test]
fn money_is_a_decimal_string_with_its_currency() {
    assert_wire_shape(json!({"amount": "12.30", "currency": "EUR"}), &eur("12.30"));
}

#[test]
fn cart_has_snake_case_keys_and_null_for_absent_options() {
    let wire = json!({
        "id": "cart-1",
        "customer_id": null,
        "lines": [
            {"sku": "SKU-1", "quantity": 2, "preferred_store": "S1"},
            {"sku": "SKU-2", "quantity": 1, "preferred_store": null}
        ],
        "item_count": 3,
        "created_at": "2026-11-25T10:00:00Z",
        "updated_at": "2026-11-25T10:05:00Z",
        "expires_at": "2026-12-25T10:05:00Z"
    });
    assert_wire_shape(wire, &a_guest_cart());
}

#[test]
fn cart_line_without_preferred_store_key_reads_as_none() {
    let line: CartLine = serde_json::from_value(json!({"sku": "SKU-2", "quantity": 1})).unwrap();
    assert_eq!(line.preferred_store, None);
}

#[test]
fn order_status_is_lower_kebab() {
    assert_wire_shape(json!("pending-payment"), &OrderStatus::PendingPayment);
    assert_wire_shape(json!("ready-for-pickup"), &OrderStatus::ReadyForPickup);
    assert_wire_shape(json!("out-for-delivery"), &OrderStatus::OutForDelivery);
    assert_wire_shape(json!("cancelled"), &OrderStatus::Cancelled);
    assert!(serde_json::from_value::<OrderStatus>(json!("PendingPayment")).is_err());
}

#[test]
fn pickup_names_its_mode_beside_the_store_id() {
    let pickup = FulfilmentMode::Pickup(PickupDetails {
        store_id: "S1".into(),
    });
    assert_wire_shape(json!({"mode": "pickup", "store_id": "S1"}), &pickup);
}

#[test]
fn delivery_names_its_mode_beside_address_and_location() {
    let delivery = FulfilmentMode::Delivery(DeliveryDetails {
        address: Address {
            line1: "1 rue de Rivoli".into(),
            line2: None,
            city: "Paris".into(),
            postal_code: "75001".into(),
            country: "FR".into(),
        },
        location: GeoPoint {
            lat: 48.8559,
            lon: 2.3589,
        },
        contact_phone: None,
        instructions: Some("Ring twice".into()),
    });
    let wire = json!({
        "mode": "delivery",
        "address": {
            "line1": "1 rue de Rivoli",
            "line2": null,
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR"
        },
        "location": {"lat": 48.8559, "lon": 2.3589},
        "contact_phone": null,
        "instructions": "Ring twice"
    });
    assert_wire_shape(wire, &delivery);
}

#[test]
fn unknown_fulfilment_mode_is_refused() {
    let teleport = json!({"mode": "teleport", "store_id": "S1"});
    assert!(serde_json::from_value::<FulfilmentMode>(teleport).is_err());
}
