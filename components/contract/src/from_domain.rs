//! The domain's values as the wire shapes them: one `From` per value that more than one
//! function answers with (money, points, statuses and kinds), so that each mapping is written
//! once and a case added to either side fails to compile here rather than drift.

use o2o_domain::dispatch::{
    FulfilmentKind as DomainFulfilmentKind, ShipmentStatus as DomainShipmentStatus,
};
use o2o_domain::geo::GeoPoint as DomainGeoPoint;
use o2o_domain::order::OrderStatus as DomainOrderStatus;
use o2o_domain::refund::status::RefundStatus as DomainRefundStatus;
use o2o_domain::stock::{
    MovementKind as DomainMovementKind, ReasonCode as DomainReasonCode,
    ReservationStatus as DomainReservationStatus,
};

use crate::{
    FulfilmentKind, GeoPoint, Money, MovementKind, OrderStatus, ReasonCode, RefundStatus,
    ReservationStatus, ShipmentStatus,
};

/// An amount as it travels: a decimal string with two places ("12.30") and its currency.
impl From<&o2o_domain::Money> for Money {
    fn from(amount: &o2o_domain::Money) -> Self {
        Money {
            amount: amount.amount_string(),
            currency: amount.currency().as_str().to_owned(),
        }
    }
}

impl From<o2o_domain::Money> for Money {
    fn from(amount: o2o_domain::Money) -> Self {
        Money::from(&amount)
    }
}

impl From<DomainGeoPoint> for GeoPoint {
    fn from(point: DomainGeoPoint) -> Self {
        GeoPoint {
            lat: point.lat(),
            lon: point.lon(),
        }
    }
}

impl From<DomainOrderStatus> for OrderStatus {
    fn from(status: DomainOrderStatus) -> Self {
        match status {
            DomainOrderStatus::PendingPayment => OrderStatus::PendingPayment,
            DomainOrderStatus::Confirmed => OrderStatus::Confirmed,
            DomainOrderStatus::Paid => OrderStatus::Paid,
            DomainOrderStatus::Fulfilling => OrderStatus::Fulfilling,
            DomainOrderStatus::ReadyForPickup => OrderStatus::ReadyForPickup,
            DomainOrderStatus::Collected => OrderStatus::Collected,
            DomainOrderStatus::OutForDelivery => OrderStatus::OutForDelivery,
            DomainOrderStatus::Delivered => OrderStatus::Delivered,
            DomainOrderStatus::Cancelled => OrderStatus::Cancelled,
            DomainOrderStatus::Expired => OrderStatus::Expired,
        }
    }
}

impl From<DomainShipmentStatus> for ShipmentStatus {
    fn from(status: DomainShipmentStatus) -> Self {
        match status {
            DomainShipmentStatus::Picking => ShipmentStatus::Picking,
            DomainShipmentStatus::ReadyForPickup => ShipmentStatus::ReadyForPickup,
            DomainShipmentStatus::Collected => ShipmentStatus::Collected,
            DomainShipmentStatus::OutForDelivery => ShipmentStatus::OutForDelivery,
            DomainShipmentStatus::Delivered => ShipmentStatus::Delivered,
            DomainShipmentStatus::Failed => ShipmentStatus::Failed,
        }
    }
}

impl From<DomainFulfilmentKind> for FulfilmentKind {
    fn from(kind: DomainFulfilmentKind) -> Self {
        match kind {
            DomainFulfilmentKind::Pickup => FulfilmentKind::Pickup,
            DomainFulfilmentKind::Delivery => FulfilmentKind::Delivery,
        }
    }
}

impl From<DomainReservationStatus> for ReservationStatus {
    fn from(status: DomainReservationStatus) -> Self {
        match status {
            DomainReservationStatus::Held => ReservationStatus::Held,
            DomainReservationStatus::Committed => ReservationStatus::Committed,
            DomainReservationStatus::Released => ReservationStatus::Released,
            DomainReservationStatus::Expired => ReservationStatus::Expired,
        }
    }
}

impl From<DomainRefundStatus> for RefundStatus {
    fn from(status: DomainRefundStatus) -> Self {
        match status {
            DomainRefundStatus::Requested => RefundStatus::Requested,
            DomainRefundStatus::Approved => RefundStatus::Approved,
            DomainRefundStatus::Rejected => RefundStatus::Rejected,
            DomainRefundStatus::Completed => RefundStatus::Completed,
        }
    }
}

impl From<DomainMovementKind> for MovementKind {
    fn from(kind: DomainMovementKind) -> Self {
        match kind {
            DomainMovementKind::PosSale => MovementKind::PosSale,
            DomainMovementKind::Receipt => MovementKind::Receipt,
            DomainMovementKind::Adjustment => MovementKind::Adjustment,
            DomainMovementKind::ReservationCommit => MovementKind::ReservationCommit,
        }
    }
}

impl From<DomainReasonCode> for ReasonCode {
    fn from(reason: DomainReasonCode) -> Self {
        match reason {
            DomainReasonCode::CountCorrection => ReasonCode::CountCorrection,
            DomainReasonCode::Damaged => ReasonCode::Damaged,
            DomainReasonCode::Expired => ReasonCode::Expired,
            DomainReasonCode::Lost => ReasonCode::Lost,
            DomainReasonCode::Found => ReasonCode::Found,
            DomainReasonCode::CustomerReturn => ReasonCode::CustomerReturn,
            DomainReasonCode::Transfer => ReasonCode::Transfer,
        }
    }
}
