//! The events the shop tells the outside world about: the one list of event types. A function
//! appends an event of one of these types to the `outbox` table (`stock.low`, `order.*`); the
//! webhooks function delivers it to the subscriptions that asked for that type. A subscription
//! naming a type not listed here is refused, so an integrator learns of a typo at once rather
//! than by never receiving anything.
//!
//! The names are dotted `<thing>.<what happened>`, past tense or state, lower-case (the WIT
//! `events.event-envelope` carries them in its `type` field). A new event is a new variant here
//! (and in `ALL`), added with the code that emits it.

use std::fmt;

/// One type of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// Available stock of a sku at a store fell to or below its reorder point (stock).
    StockLow,
    /// An order was placed (order).
    OrderPlaced,
    /// An order's payment was confirmed (order, payment webhook).
    OrderPaid,
    /// An order was cancelled (order).
    OrderCancelled,
    /// An unpaid order expired at the end of its payment window (order).
    OrderExpired,
    /// Staff started fulfilling an order (dispatch).
    OrderFulfilling,
    /// A pickup order is ready at the store (dispatch).
    OrderReadyForPickup,
    /// A pickup order was collected (dispatch).
    OrderCollected,
    /// A delivery order left the store with a courier (dispatch).
    OrderOutForDelivery,
    /// A delivery order reached the customer (dispatch, courier webhook).
    OrderDelivered,
    /// A delivery failed: the goods are back at the store, held for the order (dispatch).
    OrderDeliveryFailed,
    /// A shipment was created for an order: picking starts at the store (dispatch).
    ShipmentCreated,
    /// A shipment is ready for the customer to collect at the store (dispatch).
    ShipmentReadyForPickup,
    /// A shipment left the store with a courier (dispatch).
    ShipmentDispatched,
    /// A shipment reached the customer, or was collected (dispatch).
    ShipmentDelivered,
    /// A delivery failed and its goods went back to the store (dispatch, courier webhook).
    ShipmentFailed,
    /// A customer asked for a refund (refund).
    RefundRequested,
    /// Staff approved a refund (refund).
    RefundApproved,
    /// The money of a refund went back to the customer (refund).
    RefundCompleted,
    /// A customer filed a complaint (feedback).
    FeedbackComplaint,
}

impl EventType {
    /// Every event type, in the order documented above.
    pub const ALL: [EventType; 20] = [
        EventType::StockLow,
        EventType::OrderPlaced,
        EventType::OrderPaid,
        EventType::OrderCancelled,
        EventType::OrderExpired,
        EventType::OrderFulfilling,
        EventType::OrderReadyForPickup,
        EventType::OrderCollected,
        EventType::OrderOutForDelivery,
        EventType::OrderDelivered,
        EventType::OrderDeliveryFailed,
        EventType::ShipmentCreated,
        EventType::ShipmentReadyForPickup,
        EventType::ShipmentDispatched,
        EventType::ShipmentDelivered,
        EventType::ShipmentFailed,
        EventType::RefundRequested,
        EventType::RefundApproved,
        EventType::RefundCompleted,
        EventType::FeedbackComplaint,
    ];

    /// The wire name (`"stock.low"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::StockLow => "stock.low",
            EventType::OrderPlaced => "order.placed",
            EventType::OrderPaid => "order.paid",
            EventType::OrderCancelled => "order.cancelled",
            EventType::OrderExpired => "order.expired",
            EventType::OrderFulfilling => "order.fulfilling",
            EventType::OrderReadyForPickup => "order.ready-for-pickup",
            EventType::OrderCollected => "order.collected",
            EventType::OrderOutForDelivery => "order.out-for-delivery",
            EventType::OrderDelivered => "order.delivered",
            EventType::OrderDeliveryFailed => "order.delivery-failed",
            EventType::ShipmentCreated => "shipment.created",
            EventType::ShipmentReadyForPickup => "shipment.ready-for-pickup",
            EventType::ShipmentDispatched => "shipment.dispatched",
            EventType::ShipmentDelivered => "shipment.delivered",
            EventType::ShipmentFailed => "shipment.failed",
            EventType::RefundRequested => "refund.requested",
            EventType::RefundApproved => "refund.approved",
            EventType::RefundCompleted => "refund.completed",
            EventType::FeedbackComplaint => "feedback.complaint",
        }
    }

    /// The event type of a wire name; `None` for a name not in the list.
    pub fn parse(raw: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_through_its_wire_name() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(t.to_string(), t.as_str());
        }
    }

    #[test]
    fn event_type_names_are_unique_dotted_and_lower_case() {
        let mut names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
        for name in names {
            let (thing, what) = name.split_once('.').expect("dotted");
            assert!(!thing.is_empty() && !what.is_empty() && !what.contains('.'));
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'-'),
                "{name}"
            );
        }
    }

    #[test]
    fn the_issues_events_are_listed_and_unknown_names_are_not() {
        for name in [
            "stock.low",
            "order.placed",
            "order.paid",
            "order.cancelled",
            "order.expired",
            "refund.requested",
            "refund.completed",
            "feedback.complaint",
            "shipment.dispatched",
            "shipment.delivered",
        ] {
            assert!(EventType::parse(name).is_some(), "{name}");
        }
        for name in [
            "",
            "stock",
            "Stock.Low",
            "stock.low ",
            "order.*",
            "order.shipped",
        ] {
            assert_eq!(EventType::parse(name), None, "{name:?}");
        }
    }
}
