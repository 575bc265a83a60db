//! The cart: lines of (sku, quantity, preferred store) owned by a guest or a customer, with an
//! expiry renewed on every change. All cart rules live here: at most `Cart::MAX_LINES` lines,
//! one line per sku, quantities within `Quantity`'s bounds, a merge that sums and caps, and a
//! merge that counts each guest cart once so that a retried merge has no second effect.

pub mod repository;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CartId, CustomerId, StoreId};
use crate::values::{Quantity, Sku};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("a cart holds at most {max} lines")]
    TooManyLines { max: usize },
    #[error("{sku} would reach {wanted} units; a line holds at most {max}")]
    LineQuantityExceeded { sku: Sku, wanted: u32, max: u32 },
    #[error("the cart has no line for {0}")]
    NoSuchLine(Sku),
    #[error("only a customer's cart can take in a guest cart")]
    NotACustomerCart,
    #[error("only a guest cart can be merged into a customer's cart")]
    NotAGuestCart,
    #[error("a cart cannot be merged into itself")]
    MergeIntoItself,
}

/// One line of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: Sku,
    pub quantity: Quantity,
    pub preferred_store: Option<StoreId>,
}

/// What a merge did beyond summing: the lines it had to cap or leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// Skus whose summed quantity was capped at `Quantity::MAX`.
    pub capped: Vec<Sku>,
    /// Skus of the guest cart left out because the cart was full.
    pub dropped: Vec<Sku>,
    /// True when this guest cart had been merged before: nothing was added again.
    pub already_merged: bool,
}

/// A cart as stored: the aggregate and its history of merged guest carts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub id: CartId,
    pub customer_id: Option<CustomerId>,
    lines: Vec<CartLine>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Guest carts already merged into this one (bounded: the newest `MAX_MERGED_REMEMBERED`).
    #[serde(default)]
    merged_from: Vec<CartId>,
}

impl Cart {
    pub const MAX_LINES: usize = 100;
    const MAX_MERGED_REMEMBERED: usize = 20;

    /// A new, empty cart living for `ttl` from `now`.
    pub fn new(customer_id: Option<CustomerId>, now: DateTime<Utc>, ttl: Duration) -> Self {
        Cart {
            id: CartId::new(now),
            customer_id,
            lines: Vec::new(),
            created_at: now,
            updated_at: now,
            expires_at: now + ttl,
            merged_from: Vec::new(),
        }
    }

    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    /// Total units over all lines.
    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity.get()).sum()
    }

    /// True when this guest cart has already been merged into this one.
    pub fn has_merged(&self, guest: CartId) -> bool {
        self.merged_from.contains(&guest)
    }

    /// An expired cart no longer exists for anyone.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// Adds units of a sku: to its existing line (the sum must stay within bounds) or as a new
    /// line. A preferred store given here replaces the line's earlier one.
    pub fn add(
        &mut self,
        sku: Sku,
        quantity: Quantity,
        preferred_store: Option<StoreId>,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<(), CartError> {
        match self.lines.iter_mut().find(|l| l.sku == sku) {
            Some(line) => {
                let (sum, capped) = line.quantity.saturating_add(quantity);
                if capped {
                    return Err(CartError::LineQuantityExceeded {
                        wanted: line.quantity.get() + quantity.get(),
                        sku,
                        max: Quantity::MAX,
                    });
                }
                line.quantity = sum;
                if preferred_store.is_some() {
                    line.preferred_store = preferred_store;
                }
            }
            None => {
                if self.lines.len() >= Self::MAX_LINES {
                    return Err(CartError::TooManyLines {
                        max: Self::MAX_LINES,
                    });
                }
                self.lines.push(CartLine {
                    sku,
                    quantity,
                    preferred_store,
                });
            }
        }
        self.touch(now, ttl);
        Ok(())
    }

    /// Sets the quantity of an existing line.
    pub fn set_quantity(
        &mut self,
        sku: &Sku,
        quantity: Quantity,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<(), CartError> {
        let line = self
            .lines
            .iter_mut()
            .find(|l| &l.sku == sku)
            .ok_or_else(|| CartError::NoSuchLine(sku.clone()))?;
        line.quantity = quantity;
        self.touch(now, ttl);
        Ok(())
    }

    /// Removes the line of a sku.
    pub fn remove(
        &mut self,
        sku: &Sku,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<(), CartError> {
        let before = self.lines.len();
        self.lines.retain(|l| &l.sku != sku);
        if self.lines.len() == before {
            return Err(CartError::NoSuchLine(sku.clone()));
        }
        self.touch(now, ttl);
        Ok(())
    }

    /// Takes out what an order placed from this cart holds now: each ordered sku's units come
    /// off its line, and a line left with none goes. Whatever was added since the order read
    /// the cart stays. The cart's life is not renewed: this is the shop's change, not the
    /// customer's. True when nothing is left (the cart can go).
    pub fn take_ordered(&mut self, ordered: &[(Sku, Quantity)], now: DateTime<Utc>) -> bool {
        self.lines.retain_mut(|line| {
            let taken: u32 = ordered
                .iter()
                .filter(|(sku, _)| sku == &line.sku)
                .map(|(_, units)| units.get())
                .sum();
            match Quantity::new(line.quantity.get().saturating_sub(taken)) {
                Ok(left) => {
                    line.quantity = left;
                    true
                }
                // Nothing left of the line (a quantity is at least 1).
                Err(_) => false,
            }
        });
        self.updated_at = now;
        self.lines.is_empty()
    }

    /// Takes a guest cart's lines into this customer's cart: quantities of the same sku are
    /// summed and capped at `Quantity::MAX`, new skus are appended while there is room, and a
    /// guest cart merged before adds nothing the second time.
    pub fn merge_guest(
        &mut self,
        guest: &Cart,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<MergeOutcome, CartError> {
        if self.customer_id.is_none() {
            return Err(CartError::NotACustomerCart);
        }
        if guest.customer_id.is_some() {
            return Err(CartError::NotAGuestCart);
        }
        if guest.id == self.id {
            return Err(CartError::MergeIntoItself);
        }
        let mut outcome = MergeOutcome::default();
        if self.has_merged(guest.id) {
            outcome.already_merged = true;
            return Ok(outcome);
        }
        for incoming in &guest.lines {
            let room = self.lines.len() < Self::MAX_LINES;
            match self.lines.iter_mut().find(|l| l.sku == incoming.sku) {
                Some(line) => {
                    let (sum, capped) = line.quantity.saturating_add(incoming.quantity);
                    line.quantity = sum;
                    if capped {
                        outcome.capped.push(line.sku.clone());
                    }
                    if line.preferred_store.is_none() {
                        line.preferred_store = incoming.preferred_store.clone();
                    }
                }
                None if room => self.lines.push(incoming.clone()),
                None => outcome.dropped.push(incoming.sku.clone()),
            }
        }
        self.merged_from.push(guest.id);
        if self.merged_from.len() > Self::MAX_MERGED_REMEMBERED {
            self.merged_from.remove(0);
        }
        self.touch(now, ttl);
        Ok(outcome)
    }

    /// Every change renews the cart's life.
    fn touch(&mut self, now: DateTime<Utc>, ttl: Duration) {
        self.updated_at = now;
        self.expires_at = now + ttl;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
    }
    fn ttl() -> Duration {
        Duration::days(7)
    }
    fn sku(s: &str) -> Sku {
        Sku::parse(s).unwrap()
    }
    fn qty(n: u32) -> Quantity {
        Quantity::new(n).unwrap()
    }
    fn a_guest_cart() -> Cart {
        Cart::new(None, now(), ttl())
    }
    fn a_customer_cart() -> Cart {
        Cart::new(Some(CustomerId::parse("cust-1").unwrap()), now(), ttl())
    }

    #[test]
    fn taking_out_what_was_ordered_leaves_what_was_added_since() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let (sku, q) = (
            |s: &str| Sku::parse(s).unwrap(),
            |n| Quantity::new(n).unwrap(),
        );
        let mut cart = Cart::new(None, now, Duration::days(7));
        cart.add(sku("TEA-1"), q(3), None, now, Duration::days(7))
            .unwrap();
        cart.add(sku("MILK-1"), q(1), None, now, Duration::days(7))
            .unwrap();
        let expires = cart.expires_at;

        // ordered: 2 teas and the milk; one tea was added after the order read the cart
        let emptied = cart.take_ordered(&[(sku("TEA-1"), q(2)), (sku("MILK-1"), q(1))], now);

        assert!(!emptied);
        assert_eq!(cart.lines().len(), 1);
        assert_eq!(cart.lines()[0].sku, sku("TEA-1"));
        assert_eq!(cart.lines()[0].quantity, q(1));
        assert_eq!(cart.expires_at, expires, "the shop's change renews nothing");
        assert!(cart.take_ordered(&[(sku("TEA-1"), q(1))], now));
    }

    #[test]
    fn adding_the_same_sku_twice_sums_one_line() {
        let mut cart = a_guest_cart();
        cart.add(sku("A"), qty(2), None, now(), ttl()).unwrap();
        cart.add(sku("A"), qty(3), None, now(), ttl()).unwrap();
        assert_eq!(cart.lines().len(), 1);
        assert_eq!(cart.item_count(), 5);
    }

    #[test]
    fn adding_beyond_999_units_of_a_line_is_refused_and_changes_nothing() {
        let mut cart = a_guest_cart();
        cart.add(sku("A"), qty(900), None, now(), ttl()).unwrap();
        let before = cart.clone();
        let err = cart
            .add(sku("A"), qty(100), None, now(), ttl())
            .unwrap_err();
        assert!(matches!(
            err,
            CartError::LineQuantityExceeded { wanted: 1000, .. }
        ));
        assert_eq!(cart, before);
    }

    #[test]
    fn the_101st_line_is_refused() {
        let mut cart = a_guest_cart();
        for i in 0..Cart::MAX_LINES {
            cart.add(sku(&format!("SKU-{i}")), qty(1), None, now(), ttl())
                .unwrap();
        }
        let err = cart
            .add(sku("ONE-MORE"), qty(1), None, now(), ttl())
            .unwrap_err();
        assert_eq!(err, CartError::TooManyLines { max: 100 });
        assert_eq!(cart.lines().len(), 100);
    }

    #[test]
    fn every_change_renews_the_expiry() {
        let mut cart = a_guest_cart();
        let later = now() + Duration::days(3);
        cart.add(sku("A"), qty(1), None, later, ttl()).unwrap();
        assert_eq!(cart.expires_at, later + ttl());
        assert_eq!(cart.updated_at, later);
        assert!(!cart.is_expired(later + Duration::days(6)));
        assert!(cart.is_expired(later + ttl()));
    }

    #[test]
    fn setting_or_removing_a_missing_line_is_an_error() {
        let mut cart = a_guest_cart();
        assert_eq!(
            cart.set_quantity(&sku("A"), qty(1), now(), ttl()),
            Err(CartError::NoSuchLine(sku("A")))
        );
        assert_eq!(
            cart.remove(&sku("A"), now(), ttl()),
            Err(CartError::NoSuchLine(sku("A")))
        );
    }

    #[test]
    fn merge_sums_quantities_caps_them_and_keeps_new_lines() {
        let mut guest = a_guest_cart();
        guest.add(sku("A"), qty(600), None, now(), ttl()).unwrap();
        guest.add(sku("B"), qty(1), None, now(), ttl()).unwrap();
        let mut customer = a_customer_cart();
        customer
            .add(sku("A"), qty(500), None, now(), ttl())
            .unwrap();

        let outcome = customer.merge_guest(&guest, now(), ttl()).unwrap();

        assert_eq!(outcome.capped, vec![sku("A")]);
        assert_eq!(customer.lines()[0].quantity.get(), 999);
        assert_eq!(customer.lines()[1].sku, sku("B"));
    }

    #[test]
    fn merging_the_same_guest_cart_twice_adds_nothing_the_second_time() {
        let mut guest = a_guest_cart();
        guest.add(sku("A"), qty(2), None, now(), ttl()).unwrap();
        let mut customer = a_customer_cart();
        customer.merge_guest(&guest, now(), ttl()).unwrap();
        let outcome = customer.merge_guest(&guest, now(), ttl()).unwrap();
        assert!(outcome.already_merged);
        assert_eq!(customer.item_count(), 2);
    }

    #[test]
    fn merge_leaves_out_lines_that_do_not_fit() {
        let mut customer = a_customer_cart();
        for i in 0..Cart::MAX_LINES {
            customer
                .add(sku(&format!("SKU-{i}")), qty(1), None, now(), ttl())
                .unwrap();
        }
        let mut guest = a_guest_cart();
        guest.add(sku("EXTRA"), qty(1), None, now(), ttl()).unwrap();
        let outcome = customer.merge_guest(&guest, now(), ttl()).unwrap();
        assert_eq!(outcome.dropped, vec![sku("EXTRA")]);
        assert_eq!(customer.lines().len(), Cart::MAX_LINES);
    }

    #[test]
    fn only_guest_carts_merge_into_customer_carts() {
        let guest = a_guest_cart();
        let mut other_guest = a_guest_cart();
        assert_eq!(
            other_guest.merge_guest(&guest, now(), ttl()),
            Err(CartError::NotACustomerCart)
        );
        let mut customer = a_customer_cart();
        let another_customer = a_customer_cart();
        assert_eq!(
            customer.merge_guest(&another_customer, now(), ttl()),
            Err(CartError::NotAGuestCart)
        );
    }
}
