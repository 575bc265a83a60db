//! Staff moves of on hand: receipts, in-store (POS) sales and adjustments (a transfer between
//! stores is an adjustment at each, reason `transfer`). Each is a guarded level change with its
//! movement row, its audit entry and the low-stock rule, in one transaction (`move_stock`) or
//! inside the caller's (`move_stock_within`: a refund's goods going back on hand). The movement
//! ledger's insert and the daily sales rollup live here too; reservations use them when
//! committed goods leave the store or returned goods come back.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::levels::{ensure_level, level, require_store, settle_low_stock_alert};
use super::reservations::expire_due;
use crate::catalog::repository::product_is_sold;
use crate::ids::StoreId;
use crate::stock::StockError;
use crate::stock::levels::StockLevel;
use crate::stock::movement::{MovementKind, ReasonCode};
use crate::storage::journal::append_audit_entry;
use crate::storage::row::{change_one, changed, int, optional_text, text};
use crate::storage::{Sql, SqlValue, StoreError, in_immediate_transaction, timestamp};
use crate::values::Sku;

const TAKE_OFF_SHELF: &str = "UPDATE stock_levels SET on_hand = on_hand - ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3 AND on_hand - reserved >= ?1";
const PUT_ON_SHELF: &str = "UPDATE stock_levels SET on_hand = on_hand + ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3";
pub(super) const INSERT_MOVEMENT: &str = "INSERT INTO stock_movements (store_id, sku, kind, \
     delta_on_hand, reason_code, reference, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const COUNT_SALE: &str = "INSERT INTO stock_sales_daily (store_id, sku, day, units) \
     VALUES (?1, ?2, substr(?4, 1, 10), ?3) ON CONFLICT (store_id, sku, day) \
     DO UPDATE SET units = units + ?3";

/// Adds a sale to the day's units in `stock_sales_daily` (migration 0013), inside the
/// transaction that records its movement: recent sales are read from this rollup, never by
/// summing raw movements. Movements that are not sales add nothing.
pub(super) fn count_sale(
    db: &impl Sql,
    store: &StoreId,
    sku: &Sku,
    kind: MovementKind,
    delta_on_hand: i64,
    at: &str,
) -> Result<(), StoreError> {
    if !kind.is_sale() {
        return Ok(());
    }
    change_one(
        db,
        COUNT_SALE,
        &[
            text(store.as_str()),
            text(sku.as_str()),
            int(-delta_on_hand),
            text(at),
        ],
    )
}

/// A staff change of on hand: an in-store sale, a receipt or an adjustment.
#[derive(Debug, Clone)]
pub struct StockMove<'a> {
    pub store: &'a StoreId,
    pub sku: &'a Sku,
    /// Units added to on hand (negative: taken off).
    pub delta: i64,
    pub kind: MovementKind,
    pub reason: Option<ReasonCode>,
    /// The staff member, for the audit log.
    pub actor: &'a str,
}

/// The level before and after a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub before: StockLevel,
    pub after: StockLevel,
}

/// Applies a staff move in one transaction: the guarded level change (units taken off only
/// from what no reservation holds), its movement row, its audit entry, and the low-stock rule.
pub fn move_stock(
    db: &impl Sql,
    movement: &StockMove<'_>,
    now: DateTime<Utc>,
) -> Result<Moved, StockError> {
    let (store, sku) = (movement.store, movement.sku);
    require_store(db, store)?;
    if !product_is_sold(db, sku)? {
        return Err(StockError::UnknownSku(sku.clone()));
    }
    in_immediate_transaction(db, || move_stock_within(db, movement, now))
}

/// `move_stock` inside the caller's transaction, without its catalog checks: for a move that
/// is part of another change (a refund's returned goods go back on hand on approval), whose
/// store and sku come from an order rather than from a request.
pub fn move_stock_within(
    db: &impl Sql,
    movement: &StockMove<'_>,
    now: DateTime<Utc>,
) -> Result<Moved, StockError> {
    let (store, sku) = (movement.store, movement.sku);
    let at = timestamp(now);
    expire_due(db, now)?;
    ensure_level(db, store, sku, &at)?;
    let before = level(db, store, sku)?;
    let key = [text(store.as_str()), text(sku.as_str())];
    if movement.delta < 0 {
        let units = -movement.delta;
        let params = [int(units), key[0].clone(), key[1].clone(), text(&at)];
        if changed(db, TAKE_OFF_SHELF, &params)? != 1 {
            return Err(StockError::NotOnHand {
                sku: sku.clone(),
                requested: units,
                sellable: before.sellable_in_store(),
            });
        }
    } else {
        let params = [
            int(movement.delta),
            key[0].clone(),
            key[1].clone(),
            text(&at),
        ];
        change_one(db, PUT_ON_SHELF, &params)?;
    }
    let after = level(db, store, sku)?;
    change_one(
        db,
        INSERT_MOVEMENT,
        &[
            key[0].clone(),
            key[1].clone(),
            text(movement.kind.as_str()),
            int(movement.delta),
            optional_text(movement.reason.map(ReasonCode::as_str)),
            SqlValue::Null,
            text(movement.actor),
            text(&at),
        ],
    )?;
    count_sale(db, store, sku, movement.kind, movement.delta, &at)?;
    append_audit_entry(
        db,
        movement.actor,
        &format!("stock.{}", movement.kind.as_str()),
        &format!("{}/{}", store.as_str(), sku.as_str()),
        &json!({ "level": before, "reason_code": movement.reason }),
        &json!({ "level": after, "delta": movement.delta }),
        now,
    )?;
    settle_low_stock_alert(db, store, sku, now)?;
    Ok(Moved { before, after })
}
