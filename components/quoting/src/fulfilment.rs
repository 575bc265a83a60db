//! The fulfilment a client sends, as the contract shapes it (`o2o_contract::FulfilmentMode`,
//! WIT `common.fulfilment-mode`), to and from the domain's `order::FulfilmentMode`: the one
//! parse for the quote and the order functions alike. A pickup store's id and a delivery point
//! are checked here (a failure names `fulfilment.store_id` or `fulfilment.location`); the
//! address and the rest are kept as given.

use o2o_contract::{DeliveryDetails, FulfilmentMode, PickupDetails};
use o2o_domain::StoreId;
use o2o_domain::geo::GeoPoint;
use o2o_domain::order;
use o2o_edge::{ApiError, FieldContext};

/// The fulfilment a client sent, parsed.
pub fn from_wire(wire: &FulfilmentMode) -> Result<order::FulfilmentMode, ApiError> {
    Ok(match wire {
        FulfilmentMode::Pickup(pickup) => order::FulfilmentMode::Pickup(order::PickupAt {
            store_id: StoreId::parse(&pickup.store_id).field("fulfilment.store_id")?,
        }),
        FulfilmentMode::Delivery(delivery) => order::FulfilmentMode::Delivery(order::DeliverTo {
            address: address_from_wire(&delivery.address),
            location: GeoPoint::new(delivery.location.lat, delivery.location.lon)
                .field("fulfilment.location")?,
            contact_phone: delivery.contact_phone.clone(),
            instructions: delivery.instructions.clone(),
        }),
    })
}

/// The fulfilment as the contract shapes it.
pub fn to_wire(fulfilment: &order::FulfilmentMode) -> FulfilmentMode {
    match fulfilment {
        order::FulfilmentMode::Pickup(pickup) => FulfilmentMode::Pickup(PickupDetails {
            store_id: pickup.store_id.as_str().to_owned(),
        }),
        order::FulfilmentMode::Delivery(delivery) => FulfilmentMode::Delivery(DeliveryDetails {
            address: address_to_wire(&delivery.address),
            location: delivery.location.into(),
            contact_phone: delivery.contact_phone.clone(),
            instructions: delivery.instructions.clone(),
        }),
    }
}

fn address_from_wire(address: &o2o_contract::Address) -> order::Address {
    let o2o_contract::Address {
        line1,
        line2,
        city,
        postal_code,
        country,
    } = address.clone();
    order::Address {
        line1,
        line2,
        city,
        postal_code,
        country,
    }
}

fn address_to_wire(address: &order::Address) -> o2o_contract::Address {
    let order::Address {
        line1,
        line2,
        city,
        postal_code,
        country,
    } = address.clone();
    o2o_contract::Address {
        line1,
        line2,
        city,
        postal_code,
        country,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The domain's fulfilment and the contract's read and write one JSON shape: a stored order
    /// (written from the domain type) answers what the client sent, field for field.
    #[test]
    fn the_domain_fulfilment_and_the_contract_agree_on_the_json() {
        for sent in [
            json!({"mode": "pickup", "store_id": "SH-1"}),
            json!({
                "mode": "delivery",
                "address": {"line1": "1 Nanjing Rd", "line2": "Flat 2", "city": "Shanghai",
                            "postal_code": "200001", "country": "CN"},
                "location": {"lat": 31.2304, "lon": 121.4737},
                "contact_phone": null,
                "instructions": "ring twice",
            }),
        ] {
            let wire: FulfilmentMode = serde_json::from_value(sent.clone()).unwrap();
            let parsed = from_wire(&wire).unwrap();
            assert_eq!(serde_json::to_value(&parsed).unwrap(), sent);
            assert_eq!(to_wire(&parsed), wire);
        }
    }

    #[test]
    fn a_bad_pickup_store_or_point_names_its_field() {
        let bad_store: FulfilmentMode =
            serde_json::from_value(json!({"mode": "pickup", "store_id": ""})).unwrap();
        assert_eq!(
            from_wire(&bad_store).unwrap_err().to_json()["field"],
            "fulfilment.store_id"
        );
        let mut far: FulfilmentMode = serde_json::from_value(json!({
            "mode": "delivery",
            "address": {"line1": "x", "city": "y", "postal_code": "1", "country": "CN"},
            "location": {"lat": 0.0, "lon": 0.0},
        }))
        .unwrap();
        if let FulfilmentMode::Delivery(delivery) = &mut far {
            delivery.location.lat = 91.0;
        }
        assert_eq!(
            from_wire(&far).unwrap_err().to_json()["field"],
            "fulfilment.location"
        );
    }
}
