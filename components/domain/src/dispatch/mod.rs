//! Dispatch: how a paid or confirmed order leaves the store. `status` holds the shipment's
//! transition table (`ShipmentStatus::can_move_to`, by fulfilment mode) and the rule that a
//! courier's report never moves a shipment backwards; `pickup` the 6-digit collection code
//! (stored as a SHA-256, a bounded number of tries); `route` the courier's arithmetic
//! (haversine legs, the ETA from a speed, nearest-neighbour ordering of a courier's stops);
//! `fulfilment` the moves themselves, each one `BEGIN IMMEDIATE` transaction that moves the
//! shipment and its order together, touches stock and appends the events; `repository` the
//! SQL of `migrations/0007_dispatch.sql`.

pub mod fulfilment;
pub mod pickup;
pub mod repository;
pub mod route;
pub mod status;

pub use fulfilment::DispatchError;
pub use pickup::PickupCode;
pub use route::{CourierSpeed, PlannedRoute, plan_route};
pub use status::{CourierReport, FulfilmentKind, ShipmentStatus};
