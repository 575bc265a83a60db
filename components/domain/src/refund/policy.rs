//! What may be refunded, and for how much: the rules of issue 6, decided here and nowhere else.
//!
//! - **Which orders**: those whose money the shop has taken. An online order once its payment
//!   was confirmed (`paid_at` is set): paid, fulfilling, ready for pickup, collected, out for
//!   delivery, delivered, and cancelled after payment (the cancel noted the refund owed). A
//!   pay-at-pickup order once collected (it is paid at the till). Anything else has nothing to
//!   give back (409).
//! - **Goods returned** only when they are with the customer (collected or delivered); before
//!   that they are still at the store, held by the order's reservation (422 naming
//!   `goods_returned`). Returned goods go back on hand at the fulfilling store on approval.
//! - **Per line**: the units asked, never more than the units not yet refunded (requested,
//!   approved or completed refunds all count; rejected ones do not), each priced by the cent
//!   rule of `amount`. Over that, the refund is refused with what remains.
//! - **Delivery fee**: back only with the refund that completes the whole order (every unit of
//!   every line refunded) while the order is not delivered, and only once.
//! - **Coupon uses**: back only when the whole order is refunded, on approval of the refund
//!   that completes it (`limits::give_back_within`; a cancelled order gave them back already).

use std::collections::BTreeMap;

use crate::money::{Money, MoneyError};
use crate::order::{Order, OrderStatus, PaymentMethod};
use crate::values::{Quantity, Sku};

use super::amount::{LineRefundError, UnitsExceeded, refund_for_units, remaining_on_line};

/// What the customer or staff asks back: units per sku (each sku once), and whether the goods
/// come back to the store.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundAsk {
    pub lines: Vec<(Sku, Quantity)>,
    pub goods_returned: bool,
}

/// What earlier refunds of the order (all but rejected ones) took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlreadyRefunded {
    /// Units refunded per order line number.
    pub units: BTreeMap<u32, u32>,
    pub delivery_fee: bool,
}

/// One line of a planned refund.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLine {
    pub line: u32,
    pub sku: Sku,
    pub quantity: u32,
    pub amount: Money,
}

/// A refund as the rules price it.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundPlan {
    pub lines: Vec<PlannedLine>,
    pub goods_amount: Money,
    pub delivery_fee: Money,
    pub total: Money,
    pub includes_delivery_fee: bool,
    /// After this refund every unit of every line is refunded.
    pub completes_order: bool,
}

/// Why a refund cannot be made as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RefundRefused {
    #[error("the order is {0} and nothing was paid for it yet")]
    NothingPaid(OrderStatus),
    #[error("the order has no line for {sku}")]
    NoSuchLine { index: usize, sku: Sku },
    #[error(
        "{sku}: {asked} units asked, {remaining_units} left to refund, worth {remaining_amount}"
    )]
    ExceedsRemaining {
        index: usize,
        line: u32,
        sku: Sku,
        asked: u32,
        remaining_units: u32,
        remaining_amount: Money,
    },
    #[error("the order is {0}: its goods have not reached the customer, so none can come back")]
    GoodsNotWithCustomer(OrderStatus),
    /// Stored data the order's reader should never let through: a server fault, not the
    /// asker's.
    #[error("order line {line}: {reason}")]
    LineTotalNotInCents { line: u32, reason: MoneyError },
}

/// Whether `units` (refunded per order line) cover every unit of the order: the order is
/// wholly refunded, and the coupon uses it took come back.
pub fn covers_every_line(order: &Order, units: &BTreeMap<u32, u32>) -> bool {
    order
        .lines
        .iter()
        .all(|line| units.get(&line.line).copied().unwrap_or(0) >= line.quantity.get())
}

/// Whether the shop has taken the order's money (what a refund can give back).
pub fn money_taken(order: &Order) -> bool {
    match order.payment_method {
        PaymentMethod::Online => order.paid_at.is_some(),
        PaymentMethod::PayAtPickup => order.status == OrderStatus::Collected,
    }
}

/// Whether the goods are with the customer, so that they can come back.
pub fn goods_with_customer(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Collected | OrderStatus::Delivered)
}

/// Prices `ask` against `order` and what was refunded before, or says why it cannot be made.
pub fn plan(
    order: &Order,
    already: &AlreadyRefunded,
    ask: &RefundAsk,
) -> Result<RefundPlan, RefundRefused> {
    if !money_taken(order) {
        return Err(RefundRefused::NothingPaid(order.status));
    }
    if ask.goods_returned && !goods_with_customer(order.status) {
        return Err(RefundRefused::GoodsNotWithCustomer(order.status));
    }
    let zero = Money::zero(order.currency);
    let mut lines = Vec::with_capacity(ask.lines.len());
    let mut goods_amount = zero;
    for (index, (sku, quantity)) in ask.lines.iter().enumerate() {
        let Some(line) = order.lines.iter().find(|l| &l.sku == sku) else {
            return Err(RefundRefused::NoSuchLine {
                index,
                sku: sku.clone(),
            });
        };
        let before = already.units.get(&line.line).copied().unwrap_or(0);
        let not_in_cents = |reason| RefundRefused::LineTotalNotInCents {
            line: line.line,
            reason,
        };
        let amount =
            match refund_for_units(&line.total, line.quantity.get(), before, quantity.get()) {
                Ok(amount) => amount,
                Err(LineRefundError::Exceeded(UnitsExceeded { asked, remaining })) => {
                    return Err(RefundRefused::ExceedsRemaining {
                        index,
                        line: line.line,
                        sku: sku.clone(),
                        asked,
                        remaining_units: remaining,
                        remaining_amount: remaining_on_line(
                            &line.total,
                            line.quantity.get(),
                            before,
                        )
                        .map_err(not_in_cents)?,
                    });
                }
                Err(LineRefundError::NotWholeCents(reason)) => return Err(not_in_cents(reason)),
            };
        goods_amount = add(&goods_amount, &amount);
        lines.push(PlannedLine {
            line: line.line,
            sku: sku.clone(),
            quantity: quantity.get(),
            amount,
        });
    }
    let completes_order = order.lines.iter().all(|line| {
        let before = already.units.get(&line.line).copied().unwrap_or(0);
        let now: u32 = lines
            .iter()
            .filter(|l| l.line == line.line)
            .map(|l| l.quantity)
            .sum();
        before + now >= line.quantity.get()
    });
    let includes_delivery_fee = completes_order
        && order.status != OrderStatus::Delivered
        && !already.delivery_fee
        && !order.delivery_fee.rounded().amount().is_zero();
    let delivery_fee = if includes_delivery_fee {
        order.delivery_fee.rounded()
    } else {
        zero
    };
    Ok(RefundPlan {
        total: add(&goods_amount, &delivery_fee),
        lines,
        goods_amount,
        delivery_fee,
        includes_delivery_fee,
        completes_order,
    })
}

/// Sums amounts that are parts of one order total: they cannot overflow or differ in currency.
fn add(a: &Money, b: &Money) -> Money {
    a.checked_add(b).unwrap_or(*a)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::money::Currency;
    use crate::order::{FulfilmentMode, OrderLine, PickupAt};
    use crate::stock::ReservationId;
    use crate::{CustomerId, OrderId, QuoteId, StoreId};

    fn cny(amount: &str) -> Money {
        Money::parse(amount, Currency::CNY).unwrap()
    }

    fn sku(raw: &str) -> Sku {
        Sku::parse(raw).unwrap()
    }

    /// A delivered online order: 3 TEA-1 paid 10.00 in all, 2 SNK-1 paid 39.80, fee 6.00.
    fn an_order(status: OrderStatus) -> Order {
        let now = chrono::Utc::now();
        let line = |n: u32, code: &str, quantity: u32, total: &str| OrderLine {
            line: n,
            sku: sku(code),
            name: code.to_owned(),
            quantity: Quantity::new(quantity).unwrap(),
            unit_price: cny(total),
            discount: cny("0.00"),
            total: cny(total),
        };
        Order {
            id: OrderId::new(now),
            customer: CustomerId::parse("cust-1").unwrap(),
            status,
            payment_method: PaymentMethod::Online,
            store: StoreId::parse("SH-1").unwrap(),
            fulfilment: FulfilmentMode::Pickup(PickupAt {
                store_id: StoreId::parse("SH-1").unwrap(),
            }),
            reservation: ReservationId::new(now),
            quote_id: QuoteId::new(now),
            cart_id: None,
            currency: Currency::CNY,
            lines: vec![line(0, "TEA-1", 3, "10.00"), line(1, "SNK-1", 2, "39.80")],
            subtotal: cny("49.80"),
            discount_total: cny("0.00"),
            delivery_fee: cny("6.00"),
            total: cny("55.80"),
            coupon_codes: vec![],
            placed_at: String::new(),
            updated_at: String::new(),
            payment_due_at: None,
            paid_at: Some("2026-01-01T00:00:00Z".into()),
            payment_reference: Some("psp-1".into()),
            timeline: vec![],
        }
    }

    fn ask(lines: &[(&str, u32)], goods_returned: bool) -> RefundAsk {
        RefundAsk {
            lines: lines
                .iter()
                .map(|(s, q)| (sku(s), Quantity::new(*q).unwrap()))
                .collect(),
            goods_returned,
        }
    }

    #[test]
    fn an_order_is_wholly_refunded_only_when_every_unit_of_every_line_is() {
        let order = an_order(OrderStatus::Delivered);
        let units = |pairs: &[(u32, u32)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        assert!(covers_every_line(&order, &units(&[(0, 3), (1, 2)])));
        assert!(!covers_every_line(&order, &units(&[(0, 3), (1, 1)])));
        assert!(!covers_every_line(&order, &units(&[(0, 3)])));
        assert!(!covers_every_line(&order, &units(&[])));
    }

    #[test]
    fn a_partial_refund_gives_back_what_those_units_were_paid_and_no_fee() {
        let order = an_order(OrderStatus::Delivered);
        let planned = plan(
            &order,
            &AlreadyRefunded::default(),
            &ask(&[("TEA-1", 1)], true),
        )
        .unwrap();
        assert_eq!(planned.total.amount_string(), "3.33");
        assert!(!planned.completes_order && !planned.includes_delivery_fee);
    }

    #[test]
    fn the_refund_completing_the_order_before_delivery_takes_the_fee_once() {
        let order = an_order(OrderStatus::Fulfilling);
        let already = AlreadyRefunded {
            units: BTreeMap::from([(0, 2)]),
            delivery_fee: false,
        };
        let planned = plan(&order, &already, &ask(&[("TEA-1", 1), ("SNK-1", 2)], false)).unwrap();
        assert!(planned.completes_order && planned.includes_delivery_fee);
        assert_eq!(planned.goods_amount.amount_string(), "43.14");
        assert_eq!(planned.total.amount_string(), "49.14");
        // once delivered, the fee stays with the shop
        let delivered = an_order(OrderStatus::Delivered);
        let planned = plan(
            &delivered,
            &already,
            &ask(&[("TEA-1", 1), ("SNK-1", 2)], true),
        )
        .unwrap();
        assert!(planned.completes_order && !planned.includes_delivery_fee);
        assert_eq!(planned.total.amount_string(), "43.14");
    }

    #[test]
    fn a_whole_order_refunded_at_once_before_delivery_is_its_total() {
        let order = an_order(OrderStatus::Cancelled);
        let planned = plan(
            &order,
            &AlreadyRefunded::default(),
            &ask(&[("TEA-1", 3), ("SNK-1", 2)], false),
        )
        .unwrap();
        assert_eq!(planned.total, order.total);
    }

    #[test]
    fn more_than_remains_is_refused_with_the_units_and_amount_left() {
        let order = an_order(OrderStatus::Delivered);
        let already = AlreadyRefunded {
            units: BTreeMap::from([(0, 2)]),
            delivery_fee: false,
        };
        let refused = plan(&order, &already, &ask(&[("TEA-1", 2)], true)).unwrap_err();
        assert_eq!(
            refused,
            RefundRefused::ExceedsRemaining {
                index: 0,
                line: 0,
                sku: sku("TEA-1"),
                asked: 2,
                remaining_units: 1,
                remaining_amount: cny("3.34"),
            }
        );
    }

    #[test]
    fn unpaid_orders_unknown_skus_and_goods_still_in_store_are_refused() {
        let mut unpaid = an_order(OrderStatus::PendingPayment);
        unpaid.paid_at = None;
        assert_eq!(
            plan(
                &unpaid,
                &AlreadyRefunded::default(),
                &ask(&[("TEA-1", 1)], false)
            ),
            Err(RefundRefused::NothingPaid(OrderStatus::PendingPayment))
        );
        let mut at_till = an_order(OrderStatus::ReadyForPickup);
        at_till.payment_method = PaymentMethod::PayAtPickup;
        at_till.paid_at = None;
        assert!(!money_taken(&at_till));
        at_till.status = OrderStatus::Collected;
        assert!(money_taken(&at_till));
        let order = an_order(OrderStatus::Paid);
        assert!(matches!(
            plan(
                &order,
                &AlreadyRefunded::default(),
                &ask(&[("NOPE-1", 1)], false)
            ),
            Err(RefundRefused::NoSuchLine { index: 0, .. })
        ));
        assert_eq!(
            plan(
                &order,
                &AlreadyRefunded::default(),
                &ask(&[("TEA-1", 1)], true)
            ),
            Err(RefundRefused::GoodsNotWithCustomer(OrderStatus::Paid))
        );
    }
}
