//! Stock in SQLite: the SQL that applies the stock rules atomically, and the records every
//! change leaves (`stock_movements`, `audit_log`, `stock.low` in `outbox`). Tables come from
//! `migrations/0003_stock.sql`.
//!
//! Every change runs in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so
//! two requests never both read a level and then both write it) and every level change is a
//! guarded `UPDATE ... WHERE <enough units>` whose changed-row count (`SELECT changes()`)
//! decides: a reservation holds only if each guarded update changed its row, else everything
//! is rolled back. The `CHECK (0 <= reserved AND reserved <= on_hand)` of the table is the last
//! line of defence, never the rule itself. Due reservations are expired lazily before any read
//! or change (one cheap count when none is due) and by `sweep`.
//!
//! One file per concern, each with the SQL it runs:
//! - `levels`: reading a level, creating its row, the store and product checks, and settling
//!   the low-stock alert after any change;
//! - `reservations`: holds for online orders (reserve, hold, extend, release, commit, expire,
//!   sweep) and goods held again when a delivery fails;
//! - `movements`: staff moves of on hand (receipts, POS sales, adjustments, transfers), the
//!   movement ledger and the daily sales rollup;
//! - `availability`: the levels at a store and the stores near a point that have a sku.
//!
//! Callers use the functions and types re-exported here (`stock::repository::reserve`).

mod availability;
mod levels;
mod movements;
mod reservations;

pub use availability::{NearbyStock, availability_near, levels_at, pickup_availability_near};
pub use levels::level;
pub use movements::{Moved, StockMove, move_stock, move_stock_within};
pub use reservations::{
    Reservation, close_by_staff, commit, commit_within, expire_due, expire_due_lazily,
    extend_hold_within, get_reservation, hold_within, release, release_within, reserve,
    reserve_by_staff, reserve_within, return_and_hold_within, sweep,
};
