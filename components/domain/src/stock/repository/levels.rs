//! Levels as stored, and what every change of one does around it: reading a level (`level`;
//! a sku the store never stocked reads as all zeros), creating its row before a first change
//! (`ensure_level`), checking that the store and the product a change names exist, and settling
//! the low-stock alert once a level has changed (`LowStockAlert::after_change` decides; here the
//! alert is armed or disarmed and `stock.low` appended to the outbox). The reservations and
//! movements beside it call these inside their own transactions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::catalog::repository::store_exists;
use crate::events::EventType;
use crate::ids::StoreId;
use crate::stock::StockError;
use crate::stock::levels::{LowStockAlert, StockLevel};
use crate::storage::journal::append_outbox_events;
use crate::storage::row::{col_flag, col_int, text};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::Sku;

const LEVEL: &str = "SELECT on_hand, reserved, safety_stock, reorder_point, low_alert_armed \
     FROM stock_levels WHERE store_id = ? AND sku = ?";
const ENSURE_LEVEL: &str = "INSERT INTO stock_levels (store_id, sku, on_hand, updated_at) \
     VALUES (?, ?, 0, ?) ON CONFLICT (store_id, sku) DO NOTHING";
/// The alerts of many levels of a store at once: `?2` a JSON array of `[sku, armed]`.
const SET_ALERTS: &str = "UPDATE stock_levels SET low_alert_armed = json_extract(a.value, '$[1]') \
     FROM json_each(?2) AS a WHERE stock_levels.store_id = ?1 \
     AND stock_levels.sku = json_extract(a.value, '$[0]') \
     AND stock_levels.sku IN (SELECT json_extract(value, '$[0]') FROM json_each(?2))";

pub(super) fn require_store(db: &impl Sql, store: &StoreId) -> Result<(), StockError> {
    if store_exists(db, store)? {
        Ok(())
    } else {
        Err(StockError::UnknownStore(store.clone()))
    }
}

/// A level as stored, with its alert.
fn level_row(
    db: &impl Sql,
    store: &StoreId,
    sku: &Sku,
) -> Result<Option<(StockLevel, LowStockAlert)>, StoreError> {
    let rows = db.execute(LEVEL, &[text(store.as_str()), text(sku.as_str())])?;
    let Some(row) = rows.rows.first() else {
        return Ok(None);
    };
    level_and_alert(row, 0).map(Some)
}

/// A level and its alert from `on_hand, reserved, safety_stock, reorder_point,
/// low_alert_armed`, starting at column `from` of the row.
pub(super) fn level_and_alert(
    row: &[SqlValue],
    from: usize,
) -> Result<(StockLevel, LowStockAlert), StoreError> {
    let level = StockLevel {
        on_hand: col_int(row, from, "stock")?,
        reserved: col_int(row, from + 1, "stock")?,
        safety_stock: col_int(row, from + 2, "stock")?,
        reorder_point: col_int(row, from + 3, "stock")?,
    };
    let alert = LowStockAlert {
        armed: col_flag(row, from + 4, "stock")?,
    };
    Ok((level, alert))
}

/// A level; a sku the store has never stocked has an all-zero level.
pub fn level(db: &impl Sql, store: &StoreId, sku: &Sku) -> Result<StockLevel, StoreError> {
    Ok(level_row(db, store, sku)?.map_or(
        StockLevel {
            on_hand: 0,
            reserved: 0,
            safety_stock: 0,
            reorder_point: 0,
        },
        |(level, _)| level,
    ))
}

/// Makes sure a level row exists (a first receipt at a store creates it).
pub(super) fn ensure_level(
    db: &impl Sql,
    store: &StoreId,
    sku: &Sku,
    at: &str,
) -> Result<(), StoreError> {
    db.execute(
        ENSURE_LEVEL,
        &[text(store.as_str()), text(sku.as_str()), text(at)],
    )?;
    Ok(())
}

/// After any change of a level: applies the low-stock rule, appending one `stock.low` to the
/// outbox when available has just crossed the reorder point.
pub(super) fn settle_low_stock_alert(
    db: &impl Sql,
    store: &StoreId,
    sku: &Sku,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some((level, alert)) = level_row(db, store, sku)? else {
        return Ok(());
    };
    settle_alerts(
        db,
        store,
        &BTreeMap::from([(sku.clone(), (level, alert))]),
        now,
    )
}

/// The data of a `stock.low` event.
fn stock_low(store: &StoreId, sku: &Sku, level: &StockLevel) -> Value {
    json!({
        "store_id": store.as_str(),
        "sku": sku.as_str(),
        "available": level.available(),
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "reorder_point": level.reorder_point,
    })
}

/// Arms or disarms each level's alert and raises `stock.low` as its new level says
/// (`LowStockAlert::after_change`), for one level or many of a store at once: the changed
/// alerts in one statement and the events in another, none when nothing changed, whatever
/// the number of levels (issue 12).
pub(super) fn settle_alerts(
    db: &impl Sql,
    store: &StoreId,
    levels: &BTreeMap<Sku, (StockLevel, LowStockAlert)>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut flags = Vec::new();
    let mut events = Vec::new();
    for (sku, (level, alert)) in levels {
        let outcome = alert.after_change(level);
        if outcome.armed != alert.armed {
            flags.push(json!([sku.as_str(), i64::from(outcome.armed)]));
        }
        if outcome.raise_stock_low {
            events.push((
                format!("{}/{}", store.as_str(), sku.as_str()),
                stock_low(store, sku, level),
            ));
        }
    }
    if !flags.is_empty() {
        db.execute(
            SET_ALERTS,
            &[text(store.as_str()), text(&Value::Array(flags).to_string())],
        )?;
    }
    append_outbox_events(db, EventType::StockLow, &events, now)?;
    Ok(())
}
