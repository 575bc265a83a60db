//! The prices an order is placed at: a quote, frozen. Place-order takes a priced quote (the one
//! the customer confirmed, or a fresh one) and keeps, per line, the unit price, the discount the
//! line was given (its own promotions plus its share of every order-level discount, as the
//! quote allocated them) and what the customer pays for it. Refunds give back exactly these
//! amounts, so a frozen quote is checked when it is built: every line's
//! `unit_price x quantity - discount = total`, no line total below zero, and the line totals
//! plus the delivery fee make the order total, to the cent. A quote that fails these checks
//! is never turned into an order.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::ids::{CartId, CustomerId, QuoteId, StoreId};
use crate::money::{Currency, Money, MoneyError};
use crate::pricing::{CouponCode, PromotionId};
use crate::stock::{ReservationLine, ReservationLines};
use crate::values::{Quantity, Sku};

/// One line at the price it is sold at.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenLine {
    pub sku: Sku,
    pub quantity: Quantity,
    pub unit_price: Money,
    /// Every discount given to the line: its own promotions and its allocated share of the
    /// order-level ones.
    pub discount: Money,
    /// What the customer pays for the line.
    pub total: Money,
}

/// A priced quote, as an order keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenQuote {
    pub id: QuoteId,
    pub cart_id: Option<CartId>,
    pub customer: Option<CustomerId>,
    /// The store whose prices apply and which fulfils the order.
    pub store: StoreId,
    pub currency: Currency,
    pub lines: Vec<FrozenLine>,
    pub subtotal: Money,
    pub discount_total: Money,
    pub delivery_fee: Money,
    pub total: Money,
    /// The coupons the quote applied (not the ones it rejected).
    pub coupons: Vec<CouponCode>,
    /// Units each flash sale gives this order at its special price.
    pub flash_sales: Vec<(PromotionId, u32)>,
    pub valid_until: DateTime<Utc>,
}

/// Why a quote cannot be frozen into an order: its amounts do not add up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrozenQuoteError {
    #[error("the quote has no lines")]
    NoLines,
    #[error("line {line} ({sku}): {unit_price} x {quantity} - {discount} is not {total}")]
    LineDoesNotAddUp {
        line: usize,
        sku: Sku,
        unit_price: Money,
        quantity: u32,
        discount: Money,
        total: Money,
    },
    #[error("line {line}: a negative amount")]
    NegativeAmount { line: usize },
    #[error(
        "the lines ({lines}) and the delivery fee ({delivery_fee}) do not make the total {total}"
    )]
    TotalDoesNotAddUp {
        lines: Money,
        delivery_fee: Money,
        total: Money,
    },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl FrozenQuote {
    /// Checks that the quote's amounts add up to the cent, and freezes it.
    pub fn check(self) -> Result<Self, FrozenQuoteError> {
        if self.lines.is_empty() {
            return Err(FrozenQuoteError::NoLines);
        }
        let mut sum = Money::zero(self.currency);
        for (i, line) in self.lines.iter().enumerate() {
            if line.unit_price.is_negative()
                || line.discount.is_negative()
                || line.total.is_negative()
            {
                return Err(FrozenQuoteError::NegativeAmount { line: i });
            }
            let expected = line
                .unit_price
                .checked_mul(Decimal::from(line.quantity.get()))?
                .checked_sub(&line.discount)?;
            if expected.rounded() != line.total.rounded() {
                return Err(FrozenQuoteError::LineDoesNotAddUp {
                    line: i,
                    sku: line.sku.clone(),
                    unit_price: line.unit_price,
                    quantity: line.quantity.get(),
                    discount: line.discount,
                    total: line.total,
                });
            }
            sum = sum.checked_add(&line.total)?;
        }
        if self.delivery_fee.is_negative()
            || sum.checked_add(&self.delivery_fee)?.rounded() != self.total.rounded()
        {
            return Err(FrozenQuoteError::TotalDoesNotAddUp {
                lines: sum,
                delivery_fee: self.delivery_fee,
                total: self.total,
            });
        }
        Ok(self)
    }

    /// Whether this quote prices exactly `lines` (same skus and quantities, in order) for
    /// `customer` from `store`: the condition for honouring it at place-order.
    pub fn prices(
        &self,
        lines: &[(Sku, Quantity)],
        customer: &CustomerId,
        store: &StoreId,
    ) -> bool {
        self.customer.as_ref() == Some(customer)
            && &self.store == store
            && self.lines.len() == lines.len()
            && self
                .lines
                .iter()
                .zip(lines)
                .all(|(frozen, (sku, quantity))| &frozen.sku == sku && frozen.quantity == *quantity)
    }

    /// Still honoured at `now`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        now < self.valid_until
    }

    /// The units to hold at the fulfilling store.
    /// Fails when a sku appears in two lines (a line list can; a cart cannot).
    pub fn reservation_lines(
        &self,
    ) -> Result<ReservationLines, (Option<usize>, crate::stock::reservation::ReservationError)>
    {
        ReservationLines::new(
            self.lines
                .iter()
                .map(|line| ReservationLine {
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn cny(amount: &str) -> Money {
        Money::parse(amount, Currency::parse("CNY").unwrap()).unwrap()
    }

    pub fn line(sku: &str, quantity: u32, unit: &str, discount: &str, total: &str) -> FrozenLine {
        FrozenLine {
            sku: Sku::parse(sku).unwrap(),
            quantity: Quantity::new(quantity).unwrap(),
            unit_price: cny(unit),
            discount: cny(discount),
            total: cny(total),
        }
    }

    pub fn a_frozen_quote(lines: Vec<FrozenLine>, delivery_fee: &str, total: &str) -> FrozenQuote {
        let now = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        FrozenQuote {
            id: QuoteId::new(now),
            cart_id: None,
            customer: Some(CustomerId::parse("cust-1").unwrap()),
            store: StoreId::parse("SH-JINGAN").unwrap(),
            currency: Currency::parse("CNY").unwrap(),
            lines,
            subtotal: cny("0"),
            discount_total: cny("0"),
            delivery_fee: cny(delivery_fee),
            total: cny(total),
            coupons: vec![],
            flash_sales: vec![],
            valid_until: now + chrono::Duration::minutes(15),
        }
    }

    #[test]
    fn a_quote_whose_lines_and_fee_make_the_total_is_frozen() {
        let quote = a_frozen_quote(
            vec![
                line("TEA-1", 1, "148.00", "21.63", "126.37"),
                line("SNK-1", 3, "18.90", "24.42", "32.28"),
            ],
            "5.00",
            "163.65",
        );
        assert!(quote.check().is_ok());
    }

    #[test]
    fn a_line_whose_discount_does_not_explain_its_total_is_refused() {
        let quote = a_frozen_quote(
            vec![line("TEA-1", 2, "10.00", "1.00", "18.00")],
            "0",
            "18.00",
        );
        assert!(matches!(
            quote.check(),
            Err(FrozenQuoteError::LineDoesNotAddUp { line: 0, .. })
        ));
    }

    #[test]
    fn a_total_that_is_not_the_lines_plus_the_fee_is_refused() {
        let quote = a_frozen_quote(
            vec![line("TEA-1", 1, "10.00", "0", "10.00")],
            "5.00",
            "14.99",
        );
        assert!(matches!(
            quote.check(),
            Err(FrozenQuoteError::TotalDoesNotAddUp { .. })
        ));
    }

    #[test]
    fn a_negative_line_total_is_refused() {
        let quote = a_frozen_quote(
            vec![line("TEA-1", 1, "10.00", "11.00", "-1.00")],
            "0",
            "-1.00",
        );
        assert_eq!(
            quote.check(),
            Err(FrozenQuoteError::NegativeAmount { line: 0 })
        );
    }

    #[test]
    fn a_quote_prices_only_the_same_lines_for_the_same_customer_and_store() {
        let quote = a_frozen_quote(vec![line("TEA-1", 2, "10.00", "0", "20.00")], "0", "20.00");
        let customer = CustomerId::parse("cust-1").unwrap();
        let store = StoreId::parse("SH-JINGAN").unwrap();
        let tea = Sku::parse("TEA-1").unwrap();
        let two = Quantity::new(2).unwrap();
        assert!(quote.prices(&[(tea.clone(), two)], &customer, &store));
        assert!(!quote.prices(
            &[(tea.clone(), Quantity::new(3).unwrap())],
            &customer,
            &store
        ));
        assert!(!quote.prices(
            &[(tea.clone(), two)],
            &CustomerId::parse("cust-2").unwrap(),
            &store
        ));
        assert!(!quote.prices(
            &[(tea, two)],
            &customer,
            &StoreId::parse("SH-XUJIAHUI").unwrap()
        ));
    }
}
