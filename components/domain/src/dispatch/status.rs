//! The shipment status machine. A pickup shipment moves `picking` → `ready_for_pickup` →
//! `collected`; a delivery shipment `picking` → `out_for_delivery` (a courier took the goods)
//! → `delivered` or `failed`. Every other move is refused (the edge answers 409). Each
//! shipment status but `failed` has the order status it implies, so the order and its
//! shipment move in the same transaction; a failed delivery puts the order back to `paid`
//! (the goods are held for it again and it can be dispatched anew or cancelled).
//!
//! Couriers report by webhook, possibly late and out of order: a report of where the shipment
//! already is changes nothing (a retry), a report of a step it has already passed is refused
//! as out of order, never applied (`ShipmentStatus::courier_report`).

use std::fmt;

use crate::order::OrderStatus;

/// How the goods reach the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FulfilmentKind {
    Pickup,
    Delivery,
}

impl FulfilmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FulfilmentKind::Pickup => "pickup",
            FulfilmentKind::Delivery => "delivery",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [FulfilmentKind::Pickup, FulfilmentKind::Delivery]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// Where a shipment is. Stored snake_case (`ready_for_pickup`), sent lower-kebab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShipmentStatus {
    Picking,
    ReadyForPickup,
    Collected,
    OutForDelivery,
    Delivered,
    Failed,
}

/// A move the table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {kind} shipment that is {from} cannot become {to}", kind = .kind.as_str())]
pub struct ShipmentMoveRefused {
    pub kind: FulfilmentKind,
    pub from: ShipmentStatus,
    pub to: ShipmentStatus,
}

/// What to do with a courier's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourierReport {
    /// A step forward: apply it.
    Apply,
    /// The shipment is already there (a retried report): change nothing.
    AlreadyThere,
    /// The shipment has already passed this step: a late report, refused.
    OutOfOrder,
    /// Not a move the table allows from here (e.g. `delivered` before the courier has it).
    NotAllowed,
}

impl ShipmentStatus {
    pub const ALL: [ShipmentStatus; 6] = [
        ShipmentStatus::Picking,
        ShipmentStatus::ReadyForPickup,
        ShipmentStatus::Collected,
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::Delivered,
        ShipmentStatus::Failed,
    ];

    /// The transition table.
    pub fn can_move_to(self, next: ShipmentStatus, kind: FulfilmentKind) -> bool {
        use ShipmentStatus::*;
        match kind {
            FulfilmentKind::Pickup => {
                matches!(
                    (self, next),
                    (Picking, ReadyForPickup) | (ReadyForPickup, Collected)
                )
            }
            FulfilmentKind::Delivery => matches!(
                (self, next),
                (Picking, OutForDelivery) | (OutForDelivery, Delivered | Failed)
            ),
        }
    }

    pub fn move_to(
        self,
        next: ShipmentStatus,
        kind: FulfilmentKind,
    ) -> Result<ShipmentStatus, ShipmentMoveRefused> {
        if self.can_move_to(next, kind) {
            Ok(next)
        } else {
            Err(ShipmentMoveRefused {
                kind,
                from: self,
                to: next,
            })
        }
    }

    /// How far along a shipment is: 0 being picked, 1 ready or on its way, 2 finished.
    fn progress(self) -> u8 {
        match self {
            ShipmentStatus::Picking => 0,
            ShipmentStatus::ReadyForPickup | ShipmentStatus::OutForDelivery => 1,
            ShipmentStatus::Collected | ShipmentStatus::Delivered | ShipmentStatus::Failed => 2,
        }
    }

    /// Judges a courier's report of `reported` for a delivery shipment that is `self`.
    pub fn courier_report(self, reported: ShipmentStatus) -> CourierReport {
        if self == reported {
            CourierReport::AlreadyThere
        } else if self.can_move_to(reported, FulfilmentKind::Delivery) {
            CourierReport::Apply
        } else if reported.progress() <= self.progress() {
            CourierReport::OutOfOrder
        } else {
            CourierReport::NotAllowed
        }
    }

    /// The order status this shipment status means for its order.
    pub fn order_status(self) -> OrderStatus {
        match self {
            ShipmentStatus::Picking => OrderStatus::Fulfilling,
            ShipmentStatus::ReadyForPickup => OrderStatus::ReadyForPickup,
            ShipmentStatus::Collected => OrderStatus::Collected,
            ShipmentStatus::OutForDelivery => OrderStatus::OutForDelivery,
            ShipmentStatus::Delivered => OrderStatus::Delivered,
            // The goods are back at the store, held for the order again.
            ShipmentStatus::Failed => OrderStatus::Paid,
        }
    }

    pub fn is_final(self) -> bool {
        self.progress() == 2
    }

    /// The stored name (`ready_for_pickup`).
    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::Picking => "picking",
            ShipmentStatus::ReadyForPickup => "ready_for_pickup",
            ShipmentStatus::Collected => "collected",
            ShipmentStatus::OutForDelivery => "out_for_delivery",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Failed => "failed",
        }
    }

    /// The wire name (`ready-for-pickup`, as WIT `shipment-status`).
    pub fn wire_name(self) -> String {
        self.as_str().replace('_', "-")
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn parse_wire(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.wire_name() == raw)
    }
}

impl fmt::Display for ShipmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::FulfilmentKind::*;
    use super::ShipmentStatus::*;
    use super::*;

    /// The moves of the dispatch issue, written out independently of `can_move_to`.
    const ALLOWED: &[(FulfilmentKind, ShipmentStatus, ShipmentStatus)] = &[
        (Pickup, Picking, ReadyForPickup),
        (Pickup, ReadyForPickup, Collected),
        (Delivery, Picking, OutForDelivery),
        (Delivery, OutForDelivery, Delivered),
        (Delivery, OutForDelivery, Failed),
    ];

    #[test]
    fn every_pair_of_shipment_statuses_moves_exactly_as_listed_for_each_mode() {
        for kind in [Pickup, Delivery] {
            for from in ShipmentStatus::ALL {
                for to in ShipmentStatus::ALL {
                    assert_eq!(
                        from.can_move_to(to, kind),
                        ALLOWED.contains(&(kind, from, to)),
                        "{kind:?}: {from} -> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_pickup_shipment_never_goes_out_for_delivery_and_a_delivery_is_never_collected() {
        assert!(Picking.move_to(OutForDelivery, Pickup).is_err());
        assert!(Picking.move_to(ReadyForPickup, Delivery).is_err());
        assert_eq!(
            Delivered.move_to(Picking, Delivery),
            Err(ShipmentMoveRefused {
                kind: Delivery,
                from: Delivered,
                to: Picking
            })
        );
    }

    #[test]
    fn courier_reports_never_move_a_shipment_backwards() {
        assert_eq!(
            OutForDelivery.courier_report(Delivered),
            CourierReport::Apply
        );
        assert_eq!(OutForDelivery.courier_report(Failed), CourierReport::Apply);
        assert_eq!(
            Delivered.courier_report(Delivered),
            CourierReport::AlreadyThere
        );
        assert_eq!(
            Delivered.courier_report(OutForDelivery),
            CourierReport::OutOfOrder
        );
        assert_eq!(Delivered.courier_report(Failed), CourierReport::OutOfOrder);
        assert_eq!(Failed.courier_report(Delivered), CourierReport::OutOfOrder);
        assert_eq!(Picking.courier_report(Delivered), CourierReport::NotAllowed);
    }

    #[test]
    fn each_shipment_status_implies_an_order_status_the_order_table_reaches() {
        // Along each mode's path, the order moves where the shipment does.
        for (kind, from, to) in ALLOWED {
            let (order_from, order_to) = (from.order_status(), to.order_status());
            assert!(
                order_from.can_move_to(order_to),
                "{kind:?}: order {order_from} -> {order_to}"
            );
        }
        assert!(OrderStatus::Paid.can_move_to(Picking.order_status()));
        assert!(OrderStatus::Confirmed.can_move_to(Picking.order_status()));
    }

    #[test]
    fn statuses_round_trip_through_stored_and_wire_names() {
        for status in ShipmentStatus::ALL {
            assert_eq!(ShipmentStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                ShipmentStatus::parse_wire(&status.wire_name()),
                Some(status)
            );
        }
        assert_eq!(ShipmentStatus::parse_wire("ready_for_pickup"), None);
        assert_eq!(ReadyForPickup.wire_name(), "ready-for-pickup");
    }
}
