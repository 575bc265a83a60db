//! Reservations: the holds online orders put on units of a store, from the hold to its end.
//! A hold takes every line or none (`reserve`, `hold_within`: one guarded statement for all
//! lines); a held reservation is extended (`extend_hold_within`), released or expired (its
//! units given back) or committed (its goods leave the store, recorded as a movement and a
//! sale); `sweep` and the lazy expiry before every read end the ones that are due. Goods that
//! come back from a failed delivery are put on hand and held again (`return_and_hold_within`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::levels::{
    ensure_level, level, level_and_alert, require_store, settle_alerts, settle_low_stock_alert,
};
use super::movements::{INSERT_MOVEMENT, count_sale};
use crate::catalog::repository::product_is_sold;
use crate::ids::StoreId;
use crate::stock::StockError;
use crate::stock::movement::MovementKind;
use crate::stock::reservation::{
    ReservationId, ReservationLines, ReservationStatus, ReservationTtl, Shortage,
};
use crate::storage::journal::append_audit_entry;
use crate::storage::row::{change_one, changed, col_int, col_text, corrupt, count, int, text};
use crate::storage::{Sql, SqlValue, StoreError, in_immediate_transaction, timestamp};
use crate::values::Sku;

const RETURN_UNITS: &str = "UPDATE stock_levels SET reserved = reserved - ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3 AND reserved >= ?1";
const SHIP_UNITS: &str = "UPDATE stock_levels \
     SET on_hand = on_hand - ?1, reserved = reserved - ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3 AND reserved >= ?1";
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
const RETURN_AND_HOLD: &str = "UPDATE stock_levels \
     SET on_hand = on_hand + ?1, reserved = reserved + ?1, updated_at = ?4 \
     WHERE store_id = ?2 AND sku = ?3";
const EXTEND_HOLD: &str = "UPDATE reservations SET expires_at = ? \
     WHERE id = ? AND status = 'held' AND expires_at < ?";

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
