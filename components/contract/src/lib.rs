//! The wire types of the shop: the Rust side of the WIT package `o2o:commerce` in `wit/`.
//! Records are generated from the WIT by `wit_bindgen::generate!` with serde derives, so
//! they cannot drift from it. Enums and variants, whose JSON shape (lower-kebab strings,
//! `{"mode":"pickup",...}` tags) serde derives cannot give to generated types, are written
//! by hand in [`choices`] and the event envelope in [`event`]; the generator is pointed at
//! them with `with`, and `tests/wit_drift.rs` fails if any of them disagrees with the WIT.
//! Everything is re-exported at the crate root: `o2o_contract::{Cart, OrderStatus, ...}`.
//! `from_domain` holds the one conversion of each domain value more than one function answers
//! with (money, points, statuses, kinds) into its wire type, as `From` impls.

pub mod choices;
pub mod event;
mod from_domain;

pub use choices::{
    AdjustmentKind, ComplaintCategory, ComplaintStatus, FulfilmentKind, FulfilmentMode,
    MovementKind, OrderStatus, PaymentMethod, ReasonCode, RefundStatus, ReservationStatus,
    ShipmentStatus, Weekday, WitCases,
};
pub use event::EventEnvelope;
pub use generated::o2o::commerce::{
    after_sales::{Complaint, Feedback, OrderRefunds, Refund, RefundLine, RefundStatusChange},
    catalog::{
        Customer, NearbyStock, OpeningHours, Product, StockAvailability, StockLevel, StockMoved,
        Store, StoreStockLevels,
    },
    common::{Address, DeliveryDetails, GeoPoint, Money, PickupDetails},
    orders::{
        Courier, CourierReportOutcome, CourierRoute, Order, OrderLine, OrderProgress,
        OrderStatusChange, OrderTracking, Reservation, ReservationLine, RouteStop, Shipment,
        ShipmentEvent, ShipmentTracking,
    },
    shopping::{
        Adjustment, Allocation, Cart, CartLine, CartMerge, DeliveryCharge, FlashSaleUsage, Quote,
        QuoteHint, QuoteLine, RejectedCoupon,
    },
};

/// The bindings of world `o2o:commerce/types`. It has no functions, so nothing here touches
/// the component ABI: the crate builds natively as well as for wasm32-wasip2, and the
/// component-type section it emits only names interfaces that wit-component prunes as unused.
mod generated {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "o2o:commerce/types",
        // No function uses the types, so they must be asked for.
        generate_unused_types: true,
        additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
        with: {
            "o2o:commerce/common@0.1.0/fulfilment-mode": crate::choices::FulfilmentMode,
            "o2o:commerce/catalog@0.1.0/weekday": crate::choices::Weekday,
            "o2o:commerce/catalog@0.1.0/movement-kind": crate::choices::MovementKind,
            "o2o:commerce/catalog@0.1.0/reason-code": crate::choices::ReasonCode,
            "o2o:commerce/shopping@0.1.0/adjustment-kind": crate::choices::AdjustmentKind,
            "o2o:commerce/orders@0.1.0/reservation-status": crate::choices::ReservationStatus,
            "o2o:commerce/orders@0.1.0/order-status": crate::choices::OrderStatus,
            "o2o:commerce/orders@0.1.0/payment-method": crate::choices::PaymentMethod,
            "o2o:commerce/orders@0.1.0/shipment-status": crate::choices::ShipmentStatus,
            "o2o:commerce/orders@0.1.0/fulfilment-kind": crate::choices::FulfilmentKind,
            "o2o:commerce/after-sales@0.1.0/refund-status": crate::choices::RefundStatus,
            "o2o:commerce/after-sales@0.1.0/complaint-category": crate::choices::ComplaintCategory,
            "o2o:commerce/after-sales@0.1.0/complaint-status": crate::choices::ComplaintStatus,
            "o2o:commerce/events@0.1.0/event-envelope": crate::event::EventEnvelope,
        },
    });
}
