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

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::StockError;
use super::levels::{LowStockAlert, StockLevel};
use super::movement::{MovementKind, ReasonCode};
use super::reservation::{
    ReservationId, ReservationLines, ReservationStatus, ReservationTtl, Shortage,
};
use crate::events::EventType;
use crate::geo::GeoPoint;
use crate::ids::StoreId;
use crate::storage::journal::{append_audit_entry, append_outbox_events};
use crate::storage::row::{
    change_one, changed, col_int, col_real, col_text, corrupt, int, optional_text, text,
};
use crate::storage::{Sql, SqlRows, SqlValue, StoreError, in_immediate_transaction, timestamp};
use crate::values::Sku;

const STORE_EXISTS: &str = "SELECT COUNT(*) FROM stores WHERE id = ? AND active = 1";
const PRODUCT_IS_SOLD: &str = "SELECT COUNT(*) FROM products WHERE sku = ? AND active = 1";
const LEVEL: &str = "SELECT on_hand, reserved, safety_stock, reorder_point, low_alert_armed \
     FROM stock_levels WHERE store_id = ? AND sku = ?";
const RETURN_UNITS: &str = "UPDATE stock_levels SET reserved = reserved - ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3 AND reserved >= ?1";
const SHIP_UNITS: &str = "UPDATE stock_levels \
     SET on_hand = on_hand - ?1, reserved = reserved - ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3 AND reserved >= ?1";
const TAKE_OFF_SHELF: &str = "UPDATE stock_levels SET on_hand = on_hand - ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3 AND on_hand - reserved >= ?1";
const ENSURE_LEVEL: &str = "INSERT INTO stock_levels (store_id, sku, on_hand, updated_at) \
     VALUES (?, ?, 0, ?) ON CONFLICT (store_id, sku) DO NOTHING";
const PUT_ON_SHELF: &str = "UPDATE stock_levels SET on_hand = on_hand + ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3";
/// The alerts of many levels of a store at once: `?2` a JSON array of `[sku, armed]`.
const SET_ALERTS: &str = "UPDATE stock_levels SET low_alert_armed = json_extract(a.value, '$[1]') \
     FROM json_each(?2) AS a WHERE stock_levels.store_id = ?1 \
     AND stock_levels.sku = json_extract(a.value, '$[0]') \
     AND stock_levels.sku IN (SELECT json_extract(value, '$[0]') FROM json_each(?2))";
const INSERT_RESERVATION: &str = "INSERT INTO reservations (id, store_id, status, created_at, \
     expires_at) VALUES (?, ?, 'held', ?, ?)";
/// Holds every line at once (`?2`: a JSON array of `[sku, units]`) where enough is available;
/// answers each level held, as it is after the hold. The `IN` list lets SQLite reach each
/// level by its key; without it, it walks the store's every level to join them (issue 12).
const HOLD_LINES: &str = "UPDATE stock_levels SET reserved = reserved + b.units, updated_at = ?3 \
     FROM (SELECT json_extract(value, '$[0]') AS sku, json_extract(value, '$[1]') AS units \
     FROM json_each(?2)) AS b \
     WHERE stock_levels.store_id = ?1 AND stock_levels.sku = b.sku \
     AND stock_levels.sku IN (SELECT json_extract(value, '$[0]') FROM json_each(?2)) \
     AND stock_levels.on_hand - stock_levels.reserved - stock_levels.safety_stock >= b.units \
     RETURNING sku, on_hand, reserved, safety_stock, reorder_point, low_alert_armed";
const INSERT_RESERVATION_LINE: &str = "INSERT INTO reservation_lines (reservation_id, line_no, \
     sku, quantity) VALUES (?, ?, ?, ?)";
/// Every line of a reservation at once (`?2`: the JSON array of `[sku, units]`, in line order).
const INSERT_RESERVATION_LINES: &str = "INSERT INTO reservation_lines (reservation_id, line_no, \
     sku, quantity) SELECT ?1, key, json_extract(value, '$[0]'), json_extract(value, '$[1]') \
     FROM json_each(?2)";
const RESERVATION: &str =
    "SELECT store_id, status, expires_at, created_at FROM reservations WHERE id = ?";
const RESERVATION_LINES: &str = "SELECT sku, quantity FROM reservation_lines \
     WHERE reservation_id = ? ORDER BY line_no";
const CLOSE_RESERVATION: &str = "UPDATE reservations SET status = ?, closed_at = ? \
     WHERE id = ? AND status = 'held'";
const DUE_COUNT: &str =
    "SELECT COUNT(*) FROM reservations WHERE status = 'held' AND expires_at <= ?";
const DUE: &str = "SELECT id FROM reservations WHERE status = 'held' AND expires_at <= ? \
     ORDER BY expires_at LIMIT 1000";
const INSERT_MOVEMENT: &str = "INSERT INTO stock_movements (store_id, sku, kind, delta_on_hand, \
     reason_code, reference, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const COUNT_SALE: &str = "INSERT INTO stock_sales_daily (store_id, sku, day, units) \
     VALUES (?1, ?2, substr(?4, 1, 10), ?3) ON CONFLICT (store_id, sku, day) \
     DO UPDATE SET units = units + ?3";
const STORES_WITH_LEVEL: &str = "SELECT s.id, s.name, s.latitude, s.longitude, \
     s.delivery_radius_km, l.on_hand, l.reserved, l.safety_stock, l.reorder_point \
     FROM stores s LEFT JOIN stock_levels l ON l.store_id = s.id AND l.sku = ? \
     WHERE s.active = 1 AND s.delivery_radius_km > 0";
const PICKUP_STORES_WITH_LEVEL: &str = "SELECT s.id, s.name, s.latitude, s.longitude, \
     s.delivery_radius_km, l.on_hand, l.reserved, l.safety_stock, l.reorder_point \
     FROM stores s LEFT JOIN stock_levels l ON l.store_id = s.id AND l.sku = ? \
     WHERE s.active = 1 AND s.pickup_enabled = 1";
const RETURN_AND_HOLD: &str = "UPDATE stock_levels \
     SET on_hand = on_hand + ?1, reserved = reserved + ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3";
const EXTEND_HOLD: &str = "UPDATE reservations SET expires_at = ? \
     WHERE id = ? AND status = 'held' AND expires_at < ?";

/// Adds a sale to the day's units in `stock_sales_daily` (migration 0013), inside the
/// transaction that records its movement: recent sales are read from this rollup, never by
/// summing raw movements. Movements that are not sales add nothing.
fn count_sale(
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

fn count(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<i64, StoreError> {
    Ok(db.execute(statement, params)?.first_integer().unwrap_or(0))
}

pub fn store_exists(db: &impl Sql, store: &StoreId) -> Result<bool, StoreError> {
    Ok(count(db, STORE_EXISTS, &[text(store.as_str())])? > 0)
}

pub fn product_is_sold(db: &impl Sql, sku: &Sku) -> Result<bool, StoreError> {
    Ok(count(db, PRODUCT_IS_SOLD, &[text(sku.as_str())])? > 0)
}

fn require_store(db: &impl Sql, store: &StoreId) -> Result<(), StockError> {
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
fn level_and_alert(
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
        armed: col_int(row, from + 4, "stock")? == 1,
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

/// After any change of a level: applies the low-stock rule, appending one `stock.low` to the
/// outbox when available has just crossed the reorder point.
fn settle_low_stock_alert(
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
fn settle_alerts(
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

/// A reservation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservation {
    pub id: ReservationId,
    pub store: StoreId,
    pub status: ReservationStatus,
    pub created_at: String,
    pub expires_at: String,
    pub lines: Vec<(Sku, i64)>,
}

fn load_reservation(db: &impl Sql, id: ReservationId) -> Result<Option<Reservation>, StoreError> {
    let rows = db.execute(RESERVATION, &[text(&id.to_string())])?;
    let Some(row) = rows.rows.first() else {
        return Ok(None);
    };
    let store = StoreId::parse(&col_text(row, 0, "stock")?).map_err(|e| corrupt(e.to_string()))?;
    let status = ReservationStatus::parse(&col_text(row, 1, "stock")?)
        .ok_or_else(|| corrupt("unknown reservation status"))?;
    let lines = db
        .execute(RESERVATION_LINES, &[text(&id.to_string())])?
        .rows
        .iter()
        .map(|row| {
            let sku =
                Sku::parse(&col_text(row, 0, "stock")?).map_err(|e| corrupt(e.to_string()))?;
            Ok((sku, col_int(row, 1, "stock")?))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(Reservation {
        id,
        store,
        status,
        expires_at: col_text(row, 2, "stock")?,
        created_at: col_text(row, 3, "stock")?,
        lines,
    }))
}

pub fn get_reservation(
    db: &impl Sql,
    id: ReservationId,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    expire_due_lazily(db, now)?;
    load_reservation(db, id)?.ok_or(StockError::ReservationNotFound(id))
}

/// Holds every line at `store` for `ttl`, or none of them: on any short line the transaction is
/// rolled back and the error lists each short line with what is available.
pub fn reserve(
    db: &impl Sql,
    store: &StoreId,
    lines: &ReservationLines,
    ttl: ReservationTtl,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    require_store(db, store)?;
    in_immediate_transaction(db, || reserve_within(db, store, lines, ttl, now))
}

/// A hold made by staff through the stock API: the reservation and its audit entry in one
/// unit of work (holds the order workflow makes are the order's, not a staff action).
pub fn reserve_by_staff(
    db: &impl Sql,
    actor: &str,
    store: &StoreId,
    lines: &ReservationLines,
    ttl: ReservationTtl,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    require_store(db, store)?;
    in_immediate_transaction(db, || {
        let reservation = reserve_within(db, store, lines, ttl, now)?;
        append_audit_entry(
            db,
            actor,
            "stock.reserve",
            &reservation.id.to_string(),
            &Value::Null,
            &reservation_summary(&reservation),
            now,
        )?;
        Ok(reservation)
    })
}

/// Releases or commits (`next`) a reservation for staff, with its audit entry; asking again
/// for the state it is in changes nothing and is not audited again.
pub fn close_by_staff(
    db: &impl Sql,
    actor: &str,
    id: ReservationId,
    next: ReservationStatus,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    in_immediate_transaction(db, || {
        let before = load_reservation(db, id)?.ok_or(StockError::ReservationNotFound(id))?;
        let after = close_within(db, id, next, now)?;
        if after.status != before.status {
            let action = match next {
                ReservationStatus::Committed => "stock.commit",
                _ => "stock.release",
            };
            append_audit_entry(
                db,
                actor,
                action,
                &id.to_string(),
                &reservation_summary(&before),
                &reservation_summary(&after),
                now,
            )?;
        }
        Ok(after)
    })
}

fn reservation_summary(reservation: &Reservation) -> Value {
    json!({
        "store_id": reservation.store.as_str(),
        "status": reservation.status.as_str(),
        "expires_at": reservation.expires_at,
        "lines": reservation
            .lines
            .iter()
            .map(|(sku, units)| json!({ "sku": sku.as_str(), "quantity": units }))
            .collect::<Vec<_>>(),
    })
}

/// `reserve` inside the caller's transaction.
pub fn reserve_within(
    db: &impl Sql,
    store: &StoreId,
    lines: &ReservationLines,
    ttl: ReservationTtl,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    expire_due(db, now)?;
    hold_within(db, store, lines, ttl.expires_at(now), now)
}

/// Holds `lines` at `store` until `expires_at`, all or none, inside the caller's transaction
/// (a partial hold is rolled back with it when a line is short): one statement holds every
/// line, two more record the reservation, whatever the number of lines (issue 12). Levels that
/// reach their reorder point disarm their alert and raise `stock.low` as one by one would,
/// in two more statements for all of them. Reservations already due
/// are not expired here: `reserve_within` and place-order see to that first.
pub fn hold_within(
    db: &impl Sql,
    store: &StoreId,
    lines: &ReservationLines,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    let at = timestamp(now);
    let wanted = serde_json::Value::Array(
        lines
            .iter()
            .map(|line| json!([line.sku.as_str(), line.quantity.get()]))
            .collect(),
    )
    .to_string();
    let held = db.execute(
        HOLD_LINES,
        &[text(store.as_str()), text(&wanted), text(&at)],
    )?;
    let mut levels = BTreeMap::new();
    for row in &held.rows {
        let sku = Sku::parse(&col_text(row, 0, "stock")?).map_err(|e| corrupt(e.to_string()))?;
        levels.insert(sku, level_and_alert(row, 1)?);
    }
    if levels.len() != lines.iter().count() {
        let mut shortages = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if levels.contains_key(&line.sku) {
                continue;
            }
            if !product_is_sold(db, &line.sku)? {
                return Err(StockError::UnknownSku(line.sku.clone()));
            }
            shortages.push(Shortage {
                line: i,
                sku: line.sku.clone(),
                requested: line.quantity.get(),
                available: level(db, store, &line.sku)?.available(),
            });
        }
        return Err(StockError::Short(shortages));
    }
    let id = ReservationId::new(now);
    let expires_at = timestamp(expires_at);
    db.execute(
        INSERT_RESERVATION,
        &[
            text(&id.to_string()),
            text(store.as_str()),
            text(&at),
            text(&expires_at),
        ],
    )?;
    db.execute(
        INSERT_RESERVATION_LINES,
        &[text(&id.to_string()), text(&wanted)],
    )?;
    settle_alerts(db, store, &levels, now)?;
    Ok(Reservation {
        id,
        store: store.clone(),
        status: ReservationStatus::Held,
        created_at: at,
        expires_at,
        lines: lines
            .iter()
            .map(|l| (l.sku.clone(), i64::from(l.quantity.get())))
            .collect(),
    })
}

/// Gives a held reservation's units back and closes it as `status` (released or expired).
fn give_back(
    db: &impl Sql,
    reservation: &Reservation,
    status: ReservationStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = timestamp(now);
    for (sku, units) in &reservation.lines {
        change_one(
            db,
            RETURN_UNITS,
            &[
                int(*units),
                text(reservation.store.as_str()),
                text(sku.as_str()),
                text(&at),
            ],
        )?;
        settle_low_stock_alert(db, &reservation.store, sku, now)?;
    }
    change_one(
        db,
        CLOSE_RESERVATION,
        &[
            text(status.as_str()),
            text(&at),
            text(&reservation.id.to_string()),
        ],
    )
}

/// Expires every held reservation due at `now`, giving its units back; inside the caller's
/// transaction. Returns how many expired.
pub fn expire_due(db: &impl Sql, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let due = db.execute(DUE, &[text(&timestamp(now))])?;
    let mut expired = 0;
    for row in &due.rows {
        let id = ReservationId::parse(&col_text(row, 0, "stock")?)
            .ok_or_else(|| corrupt("reservation id is not a uuid"))?;
        if let Some(reservation) = load_reservation(db, id)? {
            give_back(db, &reservation, ReservationStatus::Expired, now)?;
            expired += 1;
        }
    }
    Ok(expired)
}

/// Expires due reservations before a read: one cheap count when none is due.
pub fn expire_due_lazily(db: &impl Sql, now: DateTime<Utc>) -> Result<u64, StockError> {
    if count(db, DUE_COUNT, &[text(&timestamp(now))])? == 0 {
        return Ok(0);
    }
    sweep(db, now)
}

/// Expires every due reservation (the route a scheduler calls). Returns how many expired.
pub fn sweep(db: &impl Sql, now: DateTime<Utc>) -> Result<u64, StockError> {
    in_immediate_transaction(db, || Ok(expire_due(db, now)?))
}

/// Moves a held reservation to `next` (released or committed). Asking again for the state it
/// is already in is a no-op; a reservation past its expiry is expired first.
fn close(
    db: &impl Sql,
    id: ReservationId,
    next: ReservationStatus,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    in_immediate_transaction(db, || close_within(db, id, next, now))
}

/// `close` inside the caller's transaction.
fn close_within(
    db: &impl Sql,
    id: ReservationId,
    next: ReservationStatus,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    expire_due(db, now)?;
    let mut reservation = load_reservation(db, id)?.ok_or(StockError::ReservationNotFound(id))?;
    if reservation.status.already(next) {
        return Ok(reservation);
    }
    if !reservation.status.can_move_to(next) {
        return Err(StockError::Transition {
            id,
            from: reservation.status,
            to: next,
        });
    }
    if next == ReservationStatus::Committed {
        ship(db, &reservation, now)?;
    } else {
        give_back(db, &reservation, next, now)?;
    }
    reservation.status = next;
    Ok(reservation)
}

/// Releases a reservation inside the caller's transaction (an order cancelled or expired in
/// the same unit of work as its status change). Releasing one that already expired is a no-op.
pub fn release_within(
    db: &impl Sql,
    id: ReservationId,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    close_within(db, id, ReservationStatus::Released, now)
}

/// The goods of a reservation leave the store: on hand and reserved both drop.
fn ship(db: &impl Sql, reservation: &Reservation, now: DateTime<Utc>) -> Result<(), StoreError> {
    let at = timestamp(now);
    let reference = reservation.id.to_string();
    for (sku, units) in &reservation.lines {
        let params = [
            int(*units),
            text(reservation.store.as_str()),
            text(sku.as_str()),
            text(&at),
        ];
        change_one(db, SHIP_UNITS, &params)?;
        change_one(
            db,
            INSERT_MOVEMENT,
            &[
                text(reservation.store.as_str()),
                text(sku.as_str()),
                text(MovementKind::ReservationCommit.as_str()),
                int(-units),
                SqlValue::Null,
                text(&reference),
                SqlValue::Null,
                text(&at),
            ],
        )?;
        count_sale(
            db,
            &reservation.store,
            sku,
            MovementKind::ReservationCommit,
            -units,
            &at,
        )?;
        settle_low_stock_alert(db, &reservation.store, sku, now)?;
    }
    change_one(
        db,
        CLOSE_RESERVATION,
        &[
            text(ReservationStatus::Committed.as_str()),
            text(&at),
            text(&reference),
        ],
    )
}

/// Renews a held reservation's hold to `until` (never shortening it), inside the caller's
/// transaction, so that the hold is renewed with the change that needs it (a payment, a
/// fulfilment step, a pay-at-pickup order) or not at all.
pub fn extend_hold_within(
    db: &impl Sql,
    id: ReservationId,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    expire_due(db, now)?;
    let reservation = load_reservation(db, id)?.ok_or(StockError::ReservationNotFound(id))?;
    if reservation.status != ReservationStatus::Held {
        return Err(StockError::Transition {
            id,
            from: reservation.status,
            to: ReservationStatus::Held,
        });
    }
    let until = timestamp(until);
    changed(
        db,
        EXTEND_HOLD,
        &[text(&until), text(&id.to_string()), text(&until)],
    )?;
    Ok(load_reservation(db, id)?.unwrap_or(reservation))
}

pub fn release(
    db: &impl Sql,
    id: ReservationId,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    close(db, id, ReservationStatus::Released, now)
}

pub fn commit(
    db: &impl Sql,
    id: ReservationId,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    close(db, id, ReservationStatus::Committed, now)
}

/// Commits a reservation inside the caller's transaction (an order's goods leave the store in
/// the same unit of work as its status change, for dispatch). Committing again is a no-op.
pub fn commit_within(
    db: &impl Sql,
    id: ReservationId,
    now: DateTime<Utc>,
) -> Result<Reservation, StockError> {
    close_within(db, id, ReservationStatus::Committed, now)
}

/// Why goods that left under a committed reservation came back, in the movement ledger.
const DELIVERY_RETURN_REASON: &str = "delivery-failed";

/// Goods that left the store for an order come back to it (a failed delivery): on hand and
/// reserved both rise by the units, held for the order under a new reservation until `until`,
/// each line recorded as an adjustment with `reference` (the shipment). Inside the caller's
/// transaction; returns the new reservation.
pub fn return_and_hold_within(
    db: &impl Sql,
    store: &StoreId,
    lines: &[(Sku, i64)],
    until: DateTime<Utc>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<ReservationId, StockError> {
    let at = timestamp(now);
    let id = ReservationId::new(now);
    change_one(
        db,
        INSERT_RESERVATION,
        &[
            text(&id.to_string()),
            text(store.as_str()),
            text(&at),
            text(&timestamp(until)),
        ],
    )?;
    for (i, (sku, units)) in lines.iter().enumerate() {
        ensure_level(db, store, sku, &at)?;
        change_one(
            db,
            RETURN_AND_HOLD,
            &[
                int(*units),
                text(store.as_str()),
                text(sku.as_str()),
                text(&at),
            ],
        )?;
        change_one(
            db,
            INSERT_MOVEMENT,
            &[
                text(store.as_str()),
                text(sku.as_str()),
                text(MovementKind::Adjustment.as_str()),
                int(*units),
                text(DELIVERY_RETURN_REASON),
                text(reference),
                SqlValue::Null,
                text(&at),
            ],
        )?;
        change_one(
            db,
            INSERT_RESERVATION_LINE,
            &[
                text(&id.to_string()),
                int(i as i64),
                text(sku.as_str()),
                int(*units),
            ],
        )?;
        settle_low_stock_alert(db, store, sku, now)?;
    }
    Ok(id)
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

/// Makes sure a level row exists (a first receipt at a store creates it).
fn ensure_level(db: &impl Sql, store: &StoreId, sku: &Sku, at: &str) -> Result<(), StoreError> {
    db.execute(
        ENSURE_LEVEL,
        &[text(store.as_str()), text(sku.as_str()), text(at)],
    )?;
    Ok(())
}

/// The levels of `skus` at one store, after expiring due reservations.
pub fn levels_at(
    db: &impl Sql,
    store: &StoreId,
    skus: &[Sku],
    now: DateTime<Utc>,
) -> Result<Vec<(Sku, StockLevel)>, StockError> {
    require_store(db, store)?;
    expire_due_lazily(db, now)?;
    skus.iter()
        .map(|sku| Ok((sku.clone(), level(db, store, sku)?)))
        .collect()
}

/// One store near a point and what it has of a sku.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyStock {
    pub store: StoreId,
    pub name: String,
    pub distance_m: u32,
    pub available: i64,
}

/// The stores whose delivery radius covers `point`, nearest first (ties: smaller store id),
/// with what each has available of `sku`.
pub fn availability_near(
    db: &impl Sql,
    sku: &Sku,
    point: GeoPoint,
    now: DateTime<Utc>,
) -> Result<Vec<NearbyStock>, StockError> {
    stores_by_distance(db, STORES_WITH_LEVEL, sku, point, true, now)
}

/// The stores that offer pickup, nearest to `point` first (ties: smaller store id), with what
/// each has available of `sku`: where else a customer could collect it.
pub fn pickup_availability_near(
    db: &impl Sql,
    sku: &Sku,
    point: GeoPoint,
    now: DateTime<Utc>,
) -> Result<Vec<NearbyStock>, StockError> {
    stores_by_distance(db, PICKUP_STORES_WITH_LEVEL, sku, point, false, now)
}

fn stores_by_distance(
    db: &impl Sql,
    statement: &str,
    sku: &Sku,
    point: GeoPoint,
    within_delivery_radius: bool,
    now: DateTime<Utc>,
) -> Result<Vec<NearbyStock>, StockError> {
    expire_due_lazily(db, now)?;
    let rows: SqlRows = db.execute(statement, &[text(sku.as_str())])?;
    let mut near = Vec::new();
    for row in &rows.rows {
        let location = GeoPoint::new(col_real(row, 2, "stock")?, col_real(row, 3, "stock")?)
            .map_err(|e| corrupt(e.to_string()))?;
        let radius_m = (col_real(row, 4, "stock")? * 1000.0).round() as u32;
        let distance_m = location.distance_m(&point);
        if within_delivery_radius && distance_m > radius_m {
            continue;
        }
        let available = match row.get(5) {
            Some(SqlValue::Integer(_)) => StockLevel {
                on_hand: col_int(row, 5, "stock")?,
                reserved: col_int(row, 6, "stock")?,
                safety_stock: col_int(row, 7, "stock")?,
                reorder_point: col_int(row, 8, "stock")?,
            }
            .available(),
            _ => 0,
        };
        near.push(NearbyStock {
            store: StoreId::parse(&col_text(row, 0, "stock")?)
                .map_err(|e| corrupt(e.to_string()))?,
            name: col_text(row, 1, "stock")?,
            distance_m,
            available,
        });
    }
    near.sort_by(|a, b| {
        a.distance_m
            .cmp(&b.distance_m)
            .then_with(|| a.store.as_str().cmp(b.store.as_str()))
    });
    Ok(near)
}
