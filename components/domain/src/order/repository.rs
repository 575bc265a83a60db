//! Where orders are kept (`migrations/0005_orders.sql`): the order row with its frozen
//! amounts, its lines, its status timeline, and the events it appends to the outbox in the
//! same transaction as the change they announce (a transactional outbox: an event is never
//! sent for a change that was rolled back, and never lost for one that was committed).
//! Every status change goes through `OrderStatus::move_to` and a guarded `UPDATE ... WHERE
//! status = <from>`, so two requests racing to move one order cannot both succeed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::events::EventType;
use crate::ids::{CartId, CustomerId, OrderId, QuoteId, StoreId};
use crate::money::{Currency, Money};
use crate::stock::ReservationId;
use crate::storage::journal::append_outbox_event;
use crate::storage::row::{
    changed, col_json, col_opt_parsed, col_opt_text, col_parsed, col_text, col_u32, corrupt,
    optional_text, text,
};
use crate::storage::timestamp;
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::{Quantity, Sku};

use super::frozen::FrozenQuote;
use super::fulfilment::FulfilmentMode;
use super::status::{OrderStatus, PaymentMethod, TransitionRefused};

const INSERT_ORDER: &str = "INSERT INTO orders (id, customer_id, status, payment_method, \
     store_id, fulfilment, reservation_id, quote_id, cart_id, currency, subtotal, discount_total, \
     delivery_fee, total, coupon_codes, placed_at, updated_at, payment_due_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/// Every line at once: `?2` is a JSON array of `[sku, name, quantity, unit price, discount,
/// total]` in line order.
const INSERT_LINES: &str = "INSERT INTO order_lines (order_id, line, sku, name, quantity, \
     unit_price, discount, total) SELECT ?1, key, json_extract(value, '$[0]'), \
     json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), \
     json_extract(value, '$[4]'), json_extract(value, '$[5]') FROM json_each(?2)";
const INSERT_HISTORY: &str = "INSERT INTO order_status_history (order_id, seq, status, at, note) \
     VALUES (?1, (SELECT COALESCE(MAX(seq), -1) + 1 FROM order_status_history WHERE order_id = ?1), \
     ?2, ?3, ?4)";
/// An order row's columns, in the order `order_from_row` reads them.
macro_rules! order_columns {
    () => {
        "SELECT id, customer_id, status, payment_method, store_id, fulfilment, reservation_id, \
         quote_id, cart_id, currency, subtotal, discount_total, delivery_fee, total, \
         coupon_codes, placed_at, updated_at, payment_due_at, paid_at, payment_reference \
         FROM orders "
    };
}
const ORDER: &str = concat!(order_columns!(), "WHERE id = ?");
const CUSTOMER_ORDERS: &str = concat!(
    order_columns!(),
    "WHERE customer_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
);
/// The lines, then the timelines, of the orders of a JSON array of ids: a page of orders costs
/// three statements, not three per order (issue 12).
const LINES_OF: &str = "SELECT order_id, line, sku, name, quantity, unit_price, discount, total \
     FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, line";
const HISTORY_OF: &str = "SELECT order_id, status, at, note FROM order_status_history \
     WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, seq";
const MOVE_STATUS: &str =
    "UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?";
const REPLACE_RESERVATION: &str = "UPDATE orders SET reservation_id = ? WHERE id = ?";
const RECORD_PAYMENT: &str = "UPDATE orders SET paid_at = ?, payment_reference = ? WHERE id = ?";
const DUE_UNPAID: &str = "SELECT id FROM orders WHERE status = 'pending_payment' \
     AND payment_due_at <= ? ORDER BY payment_due_at LIMIT ?";

/// One line of a placed order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub line: u32,
    pub sku: Sku,
    pub name: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub discount: Money,
    pub total: Money,
}

/// One move of the status timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub status: OrderStatus,
    pub at: String,
    pub note: Option<String>,
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: OrderId,
    pub customer: CustomerId,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub store: StoreId,
    /// How the goods reach the customer, as placed.
    pub fulfilment: FulfilmentMode,
    pub reservation: ReservationId,
    pub quote_id: QuoteId,
    pub cart_id: Option<CartId>,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub subtotal: Money,
    pub discount_total: Money,
    pub delivery_fee: Money,
    pub total: Money,
    pub coupon_codes: Vec<String>,
    pub placed_at: String,
    pub updated_at: String,
    pub payment_due_at: Option<String>,
    pub paid_at: Option<String>,
    pub payment_reference: Option<String>,
    pub timeline: Vec<StatusChange>,
}

impl Order {
    /// Whether an unpaid order's payment window has closed at `now`.
    pub fn payment_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status == OrderStatus::PendingPayment
            && self
                .payment_due_at
                .as_deref()
                .is_some_and(|due| timestamp(now).as_str() >= due)
    }
}

/// What a new order is made of.
pub struct NewOrder<'a> {
    pub id: OrderId,
    pub customer: &'a CustomerId,
    pub payment_method: PaymentMethod,
    pub fulfilment: &'a FulfilmentMode,
    pub reservation: ReservationId,
    pub quote: &'a FrozenQuote,
    pub payment_due_at: Option<DateTime<Utc>>,
}

/// Writes the order, its lines and `order.placed`, inside the caller's transaction, in three
/// statements whatever the number of lines (issue 12; the first step of its timeline is
/// written with the order row by migration 0014's trigger). Each line is named from
/// `names` (the catalog's names, read with the basket), or by its sku. Answers the order as
/// `load` would read it back.
pub fn insert_placed(
    db: &impl Sql,
    order: &NewOrder<'_>,
    names: &BTreeMap<Sku, String>,
    now: DateTime<Utc>,
) -> Result<Order, StoreError> {
    let quote = order.quote;
    let id = order.id.to_string();
    let at = timestamp(now);
    let status = OrderStatus::initial(order.payment_method);
    let coupons: Vec<String> = quote
        .coupons
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let payment_due_at = order.payment_due_at.map(timestamp);
    db.execute(
        INSERT_ORDER,
        &[
            text(&id),
            text(order.customer.as_str()),
            text(status.as_str()),
            text(order.payment_method.as_str()),
            text(quote.store.as_str()),
            text(&serde_json::to_string(order.fulfilment).map_err(|e| corrupt(e.to_string()))?),
            text(&order.reservation.to_string()),
            text(&quote.id.to_string()),
            optional_text(quote.cart_id.map(|c| c.to_string()).as_deref()),
            text(quote.currency.as_str()),
            text(&quote.subtotal.amount_string()),
            text(&quote.discount_total.amount_string()),
            text(&quote.delivery_fee.amount_string()),
            text(&quote.total.amount_string()),
            text(&json!(coupons).to_string()),
            text(&at),
            text(&at),
            optional_text(payment_due_at.as_deref()),
        ],
    )?;
    // As stored: amounts at their minor unit, the way `load` parses them back.
    let stored = |money: &Money| {
        Money::parse(&money.amount_string(), quote.currency)
            .map_err(|e| corrupt(format!("orders[{id}]: {e}")))
    };
    let lines = quote
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            Ok(OrderLine {
                line: u32::try_from(i).map_err(|e| corrupt(e.to_string()))?,
                sku: line.sku.clone(),
                name: names
                    .get(&line.sku)
                    .cloned()
                    .unwrap_or_else(|| line.sku.as_str().to_owned()),
                quantity: line.quantity,
                unit_price: stored(&line.unit_price)?,
                discount: stored(&line.discount)?,
                total: stored(&line.total)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let rows: Vec<Value> = lines
        .iter()
        .map(|line| {
            json!([
                line.sku.as_str(),
                line.name,
                line.quantity.get(),
                line.unit_price.amount_string(),
                line.discount.amount_string(),
                line.total.amount_string(),
            ])
        })
        .collect();
    db.execute(
        INSERT_LINES,
        &[text(&id), text(&Value::Array(rows).to_string())],
    )?;
    append_outbox_event(
        db,
        EventType::OrderPlaced,
        &id,
        &json!({
            "order_id": id,
            "customer_id": order.customer.as_str(),
            "status": status.as_str(),
            "store_id": quote.store.as_str(),
            "total": {"amount": quote.total.amount_string(), "currency": quote.currency.as_str()},
        }),
        now,
    )?;
    Ok(Order {
        id: order.id,
        customer: order.customer.clone(),
        status,
        payment_method: order.payment_method,
        store: quote.store.clone(),
        fulfilment: order.fulfilment.clone(),
        reservation: order.reservation,
        quote_id: quote.id,
        cart_id: quote.cart_id,
        currency: quote.currency,
        lines,
        subtotal: stored(&quote.subtotal)?,
        discount_total: stored(&quote.discount_total)?,
        delivery_fee: stored(&quote.delivery_fee)?,
        total: stored(&quote.total)?,
        coupon_codes: coupons,
        placed_at: at.clone(),
        updated_at: at.clone(),
        payment_due_at,
        paid_at: None,
        payment_reference: None,
        timeline: vec![StatusChange {
            status,
            at,
            note: None,
        }],
    })
}

/// Moves an order from `from` to `to` along the transition table, records the move in its
/// timeline and appends `order.<event>` to the outbox, inside the caller's transaction. A
/// concurrent move that got there first makes this one refused, not doubled.
pub fn move_status(
    db: &impl Sql,
    order: &Order,
    to: OrderStatus,
    note: Option<&str>,
    event: EventType,
    now: DateTime<Utc>,
) -> Result<Result<(), TransitionRefused>, StoreError> {
    let from = order.status;
    if let Err(refused) = from.move_to(to) {
        return Ok(Err(refused));
    }
    let id = order.id.to_string();
    let at = timestamp(now);
    let moved = changed(
        db,
        MOVE_STATUS,
        &[text(to.as_str()), text(&at), text(&id), text(from.as_str())],
    )?;
    if moved != 1 {
        // Someone else moved it first; report the move from where it really is.
        let current = load(db, order.id)?.map_or(from, |o| o.status);
        return Ok(Err(TransitionRefused { from: current, to }));
    }
    db.execute(
        INSERT_HISTORY,
        &[text(&id), text(to.as_str()), text(&at), optional_text(note)],
    )?;
    append_outbox_event(
        db,
        event,
        &id,
        &json!({
            "order_id": id,
            "customer_id": order.customer.as_str(),
            "from": from.as_str(),
            "status": to.as_str(),
            "note": note,
        }),
        now,
    )?;
    Ok(Ok(()))
}

/// Records the payment's time and reference on a paid order, inside the caller's transaction.
pub fn record_payment(
    db: &impl Sql,
    id: OrderId,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.execute(
        RECORD_PAYMENT,
        &[
            text(&timestamp(now)),
            text(reference),
            text(&id.to_string()),
        ],
    )?;
    Ok(())
}

/// Points the order at another reservation (its goods came back after a failed delivery and
/// are held anew), inside the caller's transaction.
pub fn replace_reservation(
    db: &impl Sql,
    id: OrderId,
    reservation: ReservationId,
) -> Result<(), StoreError> {
    let changed = changed(
        db,
        REPLACE_RESERVATION,
        &[text(&reservation.to_string()), text(&id.to_string())],
    )?;
    if changed == 1 {
        Ok(())
    } else {
        Err(corrupt(format!(
            "orders[{id}]: {changed} rows for one order"
        )))
    }
}

/// Online orders whose payment window closed at `now`, at most `limit` of them.
pub fn due_unpaid(
    db: &impl Sql,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<OrderId>, StoreError> {
    db.execute(
        DUE_UNPAID,
        &[text(&timestamp(now)), SqlValue::Integer(i64::from(limit))],
    )?
    .rows
    .iter()
    .map(|row| match row.first() {
        Some(SqlValue::Text(raw)) => {
            OrderId::parse(raw).ok_or_else(|| corrupt(format!("orders.id {raw:?}")))
        }
        other => Err(corrupt(format!("orders.id: {other:?}"))),
    })
    .collect()
}

/// A page of a customer's orders, newest first, placed before `before` (ids are v7 uuids, so
/// they sort by placement time): three statements whatever the page's size.
pub fn list_for_customer(
    db: &impl Sql,
    customer: &CustomerId,
    before: Option<OrderId>,
    limit: u32,
) -> Result<Vec<Order>, StoreError> {
    // Every v7 id sorts below this one.
    let before = before.map_or_else(|| "g".to_owned(), |id| id.to_string());
    let rows = db.execute(
        CUSTOMER_ORDERS,
        &[
            text(customer.as_str()),
            text(&before),
            SqlValue::Integer(i64::from(limit)),
        ],
    )?;
    read_orders(db, &rows.rows)
}

/// The order with its lines and timeline.
pub fn load(db: &impl Sql, id: OrderId) -> Result<Option<Order>, StoreError> {
    let rows = db.execute(ORDER, &[text(&id.to_string())])?;
    Ok(read_orders(db, &rows.rows)?.into_iter().next())
}

/// Orders of their rows (`order_columns!`), with their lines and timelines read for all of
/// them at once.
fn read_orders(db: &impl Sql, rows: &[Vec<SqlValue>]) -> Result<Vec<Order>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows
        .iter()
        .map(|row| match row.first() {
            Some(SqlValue::Text(id)) => Ok(id.as_str()),
            other => Err(corrupt(format!("orders.id: {other:?}"))),
        })
        .collect::<Result<_, _>>()?;
    let ids_json = text(&json!(ids).to_string());
    let mut lines: BTreeMap<String, Vec<Vec<SqlValue>>> = BTreeMap::new();
    for row in db.execute(LINES_OF, std::slice::from_ref(&ids_json))?.rows {
        lines
            .entry(owner_of(&row, "order_lines")?)
            .or_default()
            .push(row);
    }
    let mut timelines: BTreeMap<String, Vec<Vec<SqlValue>>> = BTreeMap::new();
    for row in db.execute(HISTORY_OF, &[ids_json])?.rows {
        timelines
            .entry(owner_of(&row, "order_status_history")?)
            .or_default()
            .push(row);
    }
    rows.iter()
        .zip(&ids)
        .map(|(row, id)| {
            order_from_row(
                row,
                lines.get(*id).map_or(&[][..], Vec::as_slice),
                timelines.get(*id).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect()
}

/// The order id a line or timeline row (its first column) belongs to.
fn owner_of(row: &[SqlValue], table: &str) -> Result<String, StoreError> {
    match row.first() {
        Some(SqlValue::Text(id)) => Ok(id.clone()),
        other => Err(corrupt(format!("{table}.order_id: {other:?}"))),
    }
}

/// An order of its row, its line rows and its timeline rows (each led by the order id).
fn order_from_row(
    row: &[SqlValue],
    line_rows: &[Vec<SqlValue>],
    timeline_rows: &[Vec<SqlValue>],
) -> Result<Order, StoreError> {
    let key = col_text(row, 0, "orders.id")?;
    let id = OrderId::parse(&key).ok_or_else(|| corrupt(format!("orders.id {key:?}")))?;
    let at = |column: &str| format!("orders[{key}].{column}");
    let col = |i: usize, column: &str| col_text(row, i, &at(column));
    let opt = |i: usize, column: &str| col_opt_text(row, i, &at(column));
    let currency = col_parsed(row, 9, &at("currency"), Currency::parse)?;
    let money =
        |i: usize, column: &str| col_parsed(row, i, &at(column), |raw| Money::parse(raw, currency));
    let status = col_parsed(row, 2, &at("status"), |raw| {
        OrderStatus::parse(raw).ok_or("not an order status")
    })?;
    let payment_method = col_parsed(row, 3, &at("payment_method"), |raw| {
        PaymentMethod::parse(raw).ok_or("not a payment method")
    })?;
    let lines = line_rows
        .iter()
        .map(|line| read_line(&line[1..], currency, &key))
        .collect::<Result<Vec<_>, _>>()?;
    let history = format!("order_status_history[{key}]");
    let timeline = timeline_rows
        .iter()
        .map(|change| &change[1..])
        .map(|change| {
            Ok(StatusChange {
                status: col_parsed(change, 0, &history, |raw| {
                    OrderStatus::parse(raw).ok_or("not an order status")
                })?,
                at: col_text(change, 1, &history)?,
                note: col_opt_text(change, 2, &history)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Order {
        id,
        customer: col_parsed(row, 1, &at("customer_id"), CustomerId::parse)?,
        status,
        payment_method,
        store: col_parsed(row, 4, &at("store_id"), StoreId::parse)?,
        fulfilment: col_json(row, 5, &at("fulfilment"))?,
        reservation: col_parsed(row, 6, &at("reservation_id"), |raw| {
            ReservationId::parse(raw).ok_or("not a reservation id")
        })?,
        quote_id: col_parsed(row, 7, &at("quote_id"), |raw| {
            QuoteId::parse(raw).ok_or("not a quote id")
        })?,
        cart_id: col_opt_parsed(row, 8, &at("cart_id"), |raw| {
            CartId::parse(raw).ok_or("not a cart id")
        })?,
        currency,
        lines,
        subtotal: money(10, "subtotal")?,
        discount_total: money(11, "discount_total")?,
        delivery_fee: money(12, "delivery_fee")?,
        total: money(13, "total")?,
        coupon_codes: col_json(row, 14, &at("coupon_codes"))?,
        placed_at: col(15, "placed_at")?,
        updated_at: col(16, "updated_at")?,
        payment_due_at: opt(17, "payment_due_at")?,
        paid_at: opt(18, "paid_at")?,
        payment_reference: opt(19, "payment_reference")?,
        timeline,
    })
}

fn read_line(row: &[SqlValue], currency: Currency, order: &str) -> Result<OrderLine, StoreError> {
    let at = format!("order_lines[{order}]");
    let money = |i: usize| col_parsed(row, i, &at, |raw| Money::parse(raw, currency));
    Ok(OrderLine {
        line: col_u32(row, 0, &at)?,
        sku: col_parsed(row, 1, &at, Sku::parse)?,
        name: col_text(row, 2, &at)?,
        quantity: quantity_at(row, 3, &at)?,
        unit_price: money(4)?,
        discount: money(5)?,
        total: money(6)?,
    })
}

/// A line's quantity: a positive count.
fn quantity_at(row: &[SqlValue], i: usize, at: &str) -> Result<Quantity, StoreError> {
    let units = col_u32(row, i, at)?;
    Quantity::new(units).map_err(|e| corrupt(format!("{at} column {i}: {e}")))
}
