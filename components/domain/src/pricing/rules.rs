//! The pricing rules as the catalog holds them: store price overrides, member tiers,
//! promotions (each with a validity window, a target, a priority and a stacking mode) and
//! coupons, plus the delivery fee bands and the discount ceiling. This file only says what a
//! rule *is* and when it is in force; what each kind of promotion *does* lives in its own file
//! (`percentage_off.rs`, `spend_threshold.rs`, ...), and how they combine lives in `quote.rs`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::values::Sku;

use super::amount_off::AmountOff;
use super::buy_x_get_y::BuyXGetY;
use super::ceiling::DiscountCeiling;
use super::codes::{BrandId, CategoryId, CouponCode, PromotionId, TierId};
use super::coupons::Coupon;
use super::delivery::{DeliveryFeeBands, FreeDelivery};
use super::flash_sale::FlashSale;
use super::input::BasketLine;
use super::percentage_off::PercentageOff;
use super::spend_threshold::SpendThresholdTiers;
use super::stock_markdown::StockMarkdown;
use super::unit_price::{MemberTier, StorePrices};

/// Every rule a quote is priced with. Keyed collections are `BTreeMap`s so that walking them
/// is ordered by id: no hash order can leak into a quote.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingRules {
    /// Differentiated pricing: a store's own price for a sku replaces the list price there.
    pub store_prices: StorePrices,
    pub member_tiers: BTreeMap<TierId, MemberTier>,
    pub promotions: Vec<Promotion>,
    pub coupons: BTreeMap<CouponCode, Coupon>,
    pub delivery_fees: DeliveryFeeBands,
    pub discount_ceiling: DiscountCeiling,
}

/// When a promotion or coupon is in force: from `starts_at` (inclusive) to `ends_at`
/// (exclusive), so that back-to-back windows never overlap by an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidityWindow {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl ValidityWindow {
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// Which lines a promotion is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every line of the basket (e.g. a store-wide 满减).
    Everything,
    Skus(BTreeSet<Sku>),
    Categories(BTreeSet<CategoryId>),
    Brands(BTreeSet<BrandId>),
}

impl Target {
    pub fn matches(&self, line: &BasketLine) -> bool {
        match self {
            Target::Everything => true,
            Target::Skus(skus) => skus.contains(&line.sku),
            Target::Categories(categories) => categories.contains(&line.category),
            Target::Brands(brands) => brands.contains(&line.brand),
        }
    }
}

/// Whether a promotion or coupon combines with others of its scope.
///
/// Scope: a line promotion's scope is the line (an exclusive flash sale on a line keeps every
/// other line promotion off that line, not off the rest of the basket); a spend-threshold
/// promotion's scope is the order's threshold promotions; a coupon's scope is the order's
/// coupons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stacking {
    /// Combines with others of its scope.
    Stackable,
    /// Applies alone in its scope: only if nothing of higher priority applied there, and
    /// nothing of lower priority applies after it.
    Exclusive,
}

impl Stacking {
    /// The stored and wire name: `stackable` or `exclusive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stacking::Stackable => "stackable",
            Stacking::Exclusive => "exclusive",
        }
    }

    pub fn parse(raw: &str) -> Option<Stacking> {
        [Stacking::Stackable, Stacking::Exclusive]
            .into_iter()
            .find(|stacking| stacking.as_str() == raw)
    }
}

/// A promotion of the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Promotion {
    pub id: PromotionId,
    /// Shown to the customer, e.g. "满200减30" or "Mid-autumn tea festival".
    pub name: String,
    pub window: ValidityWindow,
    pub target: Target,
    /// Higher applies first; equal priorities apply in promotion id order.
    pub priority: u32,
    pub stacking: Stacking,
    pub kind: PromotionKind,
}

/// What a promotion does. Each kind's rule lives in the file named after it.
#[derive(Debug, Clone, PartialEq)]
pub enum PromotionKind {
    PercentageOff(PercentageOff),
    AmountOff(AmountOff),
    FlashSale(FlashSale),
    BuyXGetY(BuyXGetY),
    StockMarkdown(StockMarkdown),
    SpendThresholdTiers(SpendThresholdTiers),
    FreeDelivery(FreeDelivery),
}

impl PromotionKind {
    pub fn name(&self) -> AdjustmentKind {
        match self {
            PromotionKind::PercentageOff(_) => AdjustmentKind::PercentageOff,
            PromotionKind::AmountOff(_) => AdjustmentKind::AmountOff,
            PromotionKind::FlashSale(_) => AdjustmentKind::FlashSale,
            PromotionKind::BuyXGetY(_) => AdjustmentKind::BuyXGetY,
            PromotionKind::StockMarkdown(_) => AdjustmentKind::StockMarkdown,
            PromotionKind::SpendThresholdTiers(_) => AdjustmentKind::SpendThresholdTiers,
            PromotionKind::FreeDelivery(_) => AdjustmentKind::FreeDelivery,
        }
    }
}

/// The kind of an adjustment on a quote, as front ends and refunds see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdjustmentKind {
    PercentageOff,
    AmountOff,
    FlashSale,
    BuyXGetY,
    StockMarkdown,
    SpendThresholdTiers,
    FreeDelivery,
    Coupon,
}

impl AdjustmentKind {
    /// The wire name (enum values are lower-kebab, see CONVENTIONS.md).
    pub fn as_str(&self) -> &'static str {
        match self {
            AdjustmentKind::PercentageOff => "percentage-off",
            AdjustmentKind::AmountOff => "amount-off",
            AdjustmentKind::FlashSale => "flash-sale",
            AdjustmentKind::BuyXGetY => "buy-x-get-y",
            AdjustmentKind::StockMarkdown => "stock-markdown",
            AdjustmentKind::SpendThresholdTiers => "spend-threshold-tiers",
            AdjustmentKind::FreeDelivery => "free-delivery",
            AdjustmentKind::Coupon => "coupon",
        }
    }
}
