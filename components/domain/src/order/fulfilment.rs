//! How an order reaches its buyer, parsed once at the edge and kept typed from the request to
//! the stored order and on to dispatch: collected at a store, or delivered to a point with the
//! address the customer gave. Stored in `orders.fulfilment` as the wire's JSON
//! (`{"mode":"pickup","store_id":"SH-1"}`, `{"mode":"delivery","address":{…},"location":
//! {"lat":…,"lon":…},…}`, WIT `common.fulfilment-mode`), and read back through these types, so
//! a row that is not one of the two shapes is corrupt data, never a guess.

use serde::{Deserialize, Serialize};

use crate::geo::GeoPoint;
use crate::ids::StoreId;

/// WIT `common.fulfilment-mode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum FulfilmentMode {
    Pickup(PickupAt),
    Delivery(DeliverTo),
}

/// Collect the order at this store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupAt {
    pub store_id: StoreId,
}

/// Deliver the order here: `location` places it for the reach rule and the courier's route;
/// the address and the rest are the customer's words, kept as given for the courier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverTo {
    pub address: Address,
    pub location: GeoPoint,
    pub contact_phone: Option<String>,
    pub instructions: Option<String>,
}

/// A postal address (WIT `common.address`); `country` is an ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country: String,
}

impl FulfilmentMode {
    /// The delivery point, for a delivery.
    pub fn delivery_point(&self) -> Option<GeoPoint> {
        match self {
            FulfilmentMode::Pickup(_) => None,
            FulfilmentMode::Delivery(delivery) => Some(delivery.location),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_modes_read_and_write_the_stored_json_unchanged() {
        for stored in [
            json!({"mode": "pickup", "store_id": "SH-1"}),
            json!({
                "mode": "delivery",
                "address": {"line1": "1 Nanjing Rd", "line2": null, "city": "Shanghai",
                            "postal_code": "200001", "country": "CN"},
                "location": {"lat": 31.2304, "lon": 121.4737},
                "contact_phone": "+86 21 5555 0100",
                "instructions": null,
            }),
        ] {
            let read: FulfilmentMode = serde_json::from_value(stored.clone()).unwrap();
            assert_eq!(serde_json::to_value(&read).unwrap(), stored);
        }
    }

    #[test]
    fn a_stored_document_of_neither_shape_is_refused() {
        for bad in [
            json!({"mode": "pickup"}),
            json!({"mode": "pickup", "store_id": ""}),
            json!({"mode": "drone", "store_id": "SH-1"}),
            json!({"mode": "delivery", "location": {"lat": 31.2, "lon": 121.4}}),
            json!({
                "mode": "delivery",
                "address": {"line1": "x", "line2": null, "city": "y", "postal_code": "1",
                            "country": "CN"},
                "location": {"lat": 91.0, "lon": 121.4},
                "contact_phone": null, "instructions": null,
            }),
        ] {
            assert!(
                serde_json::from_value::<FulfilmentMode>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
