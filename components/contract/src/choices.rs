//! The WIT enums and variants, written by hand so that serde gives them their wire shape:
//! an enum is a lower-kebab string (`"pending-payment"`), a variant an object whose tag key
//! holds the case name beside the fields of the case's record
//! (`{"mode":"pickup","store_id":"S1"}`). Each type mirrors its WIT definition case for case,
//! in order; [`WitCases`] lists the cases so that `tests/wit_drift.rs` can prove it.

use crate::{DeliveryDetails, PickupDetails};
use serde::{Deserialize, Serialize};

/// The Rust names of a hand-written enum's or variant's cases, in declaration order, as
/// written by `wit_choice!`; the drift test compares them with the WIT's cases.
pub trait WitCases {
    const CASES: &'static [&'static str];
}

/// Declares an enum or variant exactly as written and implements [`WitCases`] from the same
/// case list, so the list cannot miss a case.
macro_rules! wit_choice {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$case_meta:meta])* $case:ident $( ($payload:ty) )? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$case_meta])* $case $( ($payload) )? ),+
        }

        impl WitCases for $name {
            const CASES: &'static [&'static str] = &[$( stringify!($case) ),+];
        }
    };
}

wit_choice! {
    /// How an order reaches the customer (WIT `common.fulfilment-mode`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "mode", rename_all = "kebab-case")]
    pub enum FulfilmentMode {
        Pickup(PickupDetails),
        Delivery(DeliveryDetails),
    }
}

wit_choice! {
    /// WIT `catalog.weekday`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Weekday {
        Monday,
        Tuesday,
        Wednesday,
        Thursday,
        Friday,
        Saturday,
        Sunday,
    }
}

wit_choice! {
    /// What kind of rule granted a price reduction (WIT `shopping.adjustment-kind`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum AdjustmentKind {
        PercentageOff,
        AmountOff,
        FlashSale,
        BuyXGetY,
        StockMarkdown,
        SpendThresholdTiers,
        FreeDelivery,
        Coupon,
    }
}

wit_choice! {
    /// What moved stock at a store (WIT `catalog.movement-kind`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum MovementKind {
        PosSale,
        Receipt,
        Adjustment,
        ReservationCommit,
    }
}

wit_choice! {
    /// Why staff adjusted a level (WIT `catalog.reason-code`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ReasonCode {
        CountCorrection,
        Damaged,
        Expired,
        Lost,
        Found,
        CustomerReturn,
        Transfer,
    }
}

wit_choice! {
    /// How a shipment reaches the customer (WIT `orders.fulfilment-kind`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum FulfilmentKind {
        Pickup,
        Delivery,
    }
}

wit_choice! {
    /// WIT `orders.reservation-status`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ReservationStatus {
        Held,
        Committed,
        Released,
        Expired,
    }
}

wit_choice! {
    /// Where an order stands (WIT `orders.order-status`); its transitions live in the domain.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum OrderStatus {
        PendingPayment,
        Confirmed,
        Paid,
        Fulfilling,
        ReadyForPickup,
        Collected,
        OutForDelivery,
        Delivered,
        Cancelled,
        Expired,
    }
}

wit_choice! {
    /// How the customer pays (WIT `orders.payment-method`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum PaymentMethod {
        Online,
        PayAtPickup,
    }
}

wit_choice! {
    /// WIT `orders.shipment-status`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ShipmentStatus {
        Pending,
        Picking,
        ReadyForPickup,
        Collected,
        OutForDelivery,
        Delivered,
        Failed,
        Cancelled,
    }
}

wit_choice! {
    /// WIT `after-sales.refund-status`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum RefundStatus {
        Requested,
        Approved,
        Rejected,
        Completed,
    }
}

wit_choice! {
    /// WIT `after-sales.complaint-category`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ComplaintCategory {
        ProductQuality,
        WrongItem,
        Damaged,
        Late,
        Staff,
        Other,
    }
}

wit_choice! {
    /// WIT `after-sales.complaint-status`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ComplaintStatus {
        Open,
        Acknowledged,
        Resolved,
    }
}
