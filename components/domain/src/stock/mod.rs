//! Stock: one pool per store and sku that online and in-store sales both draw on. `levels`
//! holds what a level is and the two rules read from it (what is available, and when the
//! low-stock alert fires); `reservation` the holds that online orders put on units (time to
//! live, all lines or none, the status machine); `movement` the in-store sales, receipts and
//! adjustments with their reason codes; `repository` the SQL that applies all of them
//! atomically in SQLite and records each change (movements, audit log, outbox).

pub mod levels;
pub mod movement;
pub mod repository;
pub mod reservation;

pub use levels::{LowStockAlert, StockLevel};
pub use movement::{AdjustmentDelta, MovementKind, ReasonCode};
/// What the rest of the shop does to stock, each inside the caller's own transaction:
/// place-order holds (expiring due holds first), payment and fulfilment renew or release a
/// hold, dispatch commits it or takes goods back, a refund returns goods to the shelf. No
/// module outside `stock` reaches into `stock::repository` itself.
pub use repository::{
    NearbyStock, StockMove, commit_within, expire_due, extend_hold_within, hold_within,
    move_stock_within, pickup_availability_near, release_within, return_and_hold_within,
};
pub use reservation::{
    ReservationId, ReservationLine, ReservationLines, ReservationStatus, ReservationTtl, Shortage,
};

/// Why a stock operation was refused. The edge maps each to one problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StockError {
    /// Some lines cannot be held; nothing was reserved.
    #[error("not enough stock: {}", describe_shortages(.0))]
    Short(Vec<Shortage>),
    #[error("no reservation {0}")]
    ReservationNotFound(ReservationId),
    #[error("reservation {id} is {from} and cannot become {to}")]
    Transition {
        id: ReservationId,
        from: ReservationStatus,
        to: ReservationStatus,
    },
    #[error("{} is not one of our stores", .0.as_str())]
    UnknownStore(crate::StoreId),
    #[error("{0} is not in the catalog")]
    UnknownSku(crate::Sku),
    /// A sale or a negative adjustment would take on hand below what is reserved (or below 0).
    #[error("{sku}: {requested} units asked, {sellable} on hand and not reserved")]
    NotOnHand {
        sku: crate::Sku,
        requested: i64,
        sellable: i64,
    },
    #[error(transparent)]
    Store(#[from] crate::storage::StoreError),
}

fn describe_shortages(shortages: &[Shortage]) -> String {
    shortages
        .iter()
        .map(Shortage::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
