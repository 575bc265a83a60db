//! The unit price before promotions: the list price, replaced by the store's own price where
//! the store has one (differentiated pricing per store), then member pricing for the customer's
//! tier. The source plan's marketing chapter prices members differently ("member pricing"); a
//! tier does it in one of two ways per sku:
//!
//! - an explicit tier price for the sku (e.g. gold pays 88.00 for this tea), which wins over
//! - the tier's discount percentage on the store price (e.g. gold: 5 % off everything).
//!
//! A member never pays more than a non-member: a tier price above the store price is ignored.
//! The tier-discounted unit price is rounded once, here, because it is the price tag the member
//! sees: every later amount of the line multiplies this cent-exact unit price.

use std::collections::BTreeMap;

use crate::ids::StoreId;
use crate::money::Money;
use crate::values::Sku;

use super::codes::TierId;
use super::error::PricingError;
use super::input::{BasketLine, CustomerContext};
use super::percentage::Percentage;
use super::rules::PricingRules;

/// Differentiated pricing: a store's own price for a sku, replacing the list price there.
/// Keyed by the store's code (a `StoreId` is not ordered), then the sku, so iteration is
/// ordered and a lookup allocates nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StorePrices(BTreeMap<String, BTreeMap<Sku, Money>>);

impl StorePrices {
    pub fn set(&mut self, store: &StoreId, sku: Sku, price: Money) {
        self.0
            .entry(store.as_str().to_owned())
            .or_default()
            .insert(sku, price);
    }

    pub fn get(&self, store: &StoreId, sku: &Sku) -> Option<Money> {
        self.0.get(store.as_str())?.get(sku).copied()
    }
}

/// A member tier (regular, silver, gold, platinum, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberTier {
    /// Off the store price of every sku without an explicit tier price.
    pub discount: Option<Percentage>,
    /// Explicit tier prices per sku.
    pub prices: BTreeMap<Sku, Money>,
}

/// Where a line's unit price came from, so the quote can say why it differs from the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitPriceSource {
    ListPrice,
    StorePrice { store: StoreId },
    TierPrice { tier: TierId },
    TierDiscount { tier: TierId, discount: Percentage },
}

/// The unit price of `line` for this store and customer, and where it came from.
pub(super) fn unit_price(
    line: &BasketLine,
    store: Option<&StoreId>,
    customer: Option<&CustomerContext>,
    rules: &PricingRules,
) -> Result<(Money, UnitPriceSource), PricingError> {
    let (store_price, source) =
        match store.and_then(|store| Some(store).zip(rules.store_prices.get(store, &line.sku))) {
            Some((store, price)) => (
                price,
                UnitPriceSource::StorePrice {
                    store: store.clone(),
                },
            ),
            None => (line.list_price, UnitPriceSource::ListPrice),
        };

    let Some((tier_id, tier)) = customer
        .and_then(|customer| customer.tier.as_ref())
        .and_then(|tier_id| Some(tier_id).zip(rules.member_tiers.get(tier_id)))
    else {
        return Ok((store_price, source));
    };

    let member_price = if let Some(tier_price) = tier.prices.get(&line.sku) {
        Some((
            *tier_price,
            UnitPriceSource::TierPrice {
                tier: tier_id.clone(),
            },
        ))
    } else if let Some(discount) = tier.discount {
        let off = store_price.checked_mul(discount.fraction())?.rounded();
        Some((
            store_price.checked_sub(&off)?,
            UnitPriceSource::TierDiscount {
                tier: tier_id.clone(),
                discount,
            },
        ))
    } else {
        None
    };

    match member_price {
        // A member never pays more than a non-member.
        Some((member_price, member_source)) if member_price.amount() < store_price.amount() => {
            Ok((member_price, member_source))
        }
        _ => Ok((store_price, source)),
    }
}
