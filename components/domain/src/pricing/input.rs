//! What is being priced: the basket lines, who buys (customer and member tier), where (store and
//! fulfilment), the coupon codes typed, and the live facts the rules depend on but do not own
//! (flash-sale units left, coupon redemption counts, stock cover). The edge gathers all of this
//! from carts, the catalog and the stock function; pricing itself reads nothing.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::ids::{CustomerId, StoreId};
use crate::money::{Currency, Money};
use crate::values::{Quantity, Sku};

use super::codes::{BrandId, CategoryId, CouponCode, PromotionId, TierId};

/// Everything about one quote request. Lines keep the caller's order: it is the line order
/// that breaks ties (allocation remainders, flash-sale units) and the order lines are shown in.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingInput {
    /// The currency of the quote; every amount in the input and the rules must be in it.
    pub currency: Currency,
    pub lines: Vec<BasketLine>,
    /// `None` for a guest: no member pricing, per-customer limits count this basket only.
    pub customer: Option<CustomerContext>,
    /// The store whose prices apply (the pickup store, or the store that delivers). `None`
    /// prices at list price with no store overrides and no stock-driven markdown.
    pub store: Option<StoreId>,
    pub fulfilment: Fulfilment,
    /// Codes as typed; duplicates count once and codes are considered in code order, so the
    /// order the customer typed them in cannot change the quote.
    pub coupon_codes: Vec<CouponCode>,
    pub facts: PricingFacts,
}

/// One basket line with the catalog facts pricing needs about its product.
#[derive(Debug, Clone, PartialEq)]
pub struct BasketLine {
    pub sku: Sku,
    pub quantity: Quantity,
    /// Tax-inclusive list price of one unit.
    pub list_price: Money,
    pub category: CategoryId,
    pub brand: BrandId,
}

/// The buyer, when known.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerContext {
    pub id: CustomerId,
    pub tier: Option<TierId>,
}

/// How the order reaches the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fulfilment {
    /// Collected at `PricingInput::store`: never a delivery fee.
    Pickup,
    /// Delivered from the nearest store whose radius covers the address, `distance_m` metres
    /// away (the dispatch rules choose that store; pricing only prices the distance).
    Delivery { distance_m: u32 },
}

/// Facts that change with every sale, read by the edge just before pricing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PricingFacts {
    /// Units still available under each flash sale's total cap (absent: nothing sold yet, the
    /// whole cap is available).
    pub flash_sale_units_left: BTreeMap<PromotionId, u32>,
    /// Units of each flash sale this customer already bought (absent: none).
    pub flash_sale_units_bought: BTreeMap<PromotionId, u32>,
    /// Redemptions so far of each coupon (absent: never redeemed).
    pub coupon_redemptions: BTreeMap<CouponCode, CouponRedemptions>,
    /// Stock cover of each sku at `PricingInput::store`, for stock-driven markdown.
    pub stock: BTreeMap<Sku, StockCover>,
}

/// How often a coupon has been redeemed, overall and by this customer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CouponRedemptions {
    pub total: u32,
    pub by_customer: u32,
}

/// On-hand stock of a sku at a store and its recent average daily sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockCover {
    pub on_hand: u32,
    pub average_daily_sales: Decimal,
}

/// How far back "recent sales" reach for stock-driven markdown: four weeks.
pub const RECENT_SALES_DAYS: u32 = 28;

impl StockCover {
    /// The cover of `on_hand` units that sold `units_sold` in the last `RECENT_SALES_DAYS`.
    pub fn from_recent_sales(on_hand: u32, units_sold: u32) -> Self {
        StockCover {
            on_hand,
            average_daily_sales: Decimal::from(units_sold) / Decimal::from(RECENT_SALES_DAYS),
        }
    }

    /// True when the stock on hand lasts more than `days` at the recent sales rate. A sku that
    /// has not sold at all recently while stock is on hand covers forever: it qualifies.
    pub fn covers_more_than(&self, days: u32) -> bool {
        if self.on_hand == 0 {
            return false;
        }
        if self.average_daily_sales <= Decimal::ZERO {
            return true;
        }
        Decimal::from(self.on_hand) > self.average_daily_sales * Decimal::from(days)
    }
}
