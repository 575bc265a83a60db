//! Pricing: the quote of a basket, explained to the cent. Plain Rust over plain data: the edge
//! gathers the basket, the customer, the store, the fulfilment, the entered coupon codes, the
//! live facts (flash-sale units left, coupon uses, stock cover) and the catalog's rules, and
//! calls [`price_basket`] with `now`; nothing here reads a clock or a store.
//!
//! The strategy comes from the source plan's marketing chapter: differentiated (per store),
//! member and dynamic (stock-driven) pricing, flash sales 限时抢购, spend-threshold discounts
//! 满减, coupons, and festival promotions (any promotion kind within a validity window).
//!
//! Where each rule lives:
//! - the sequence, stacking and the quote's shape: `quote.rs` (read it first);
//! - store and member prices (the unit price before promotions): `unit_price.rs`;
//! - one file per promotion kind: `percentage_off.rs`, `amount_off.rs`, `flash_sale.rs`,
//!   `buy_x_get_y.rs`, `stock_markdown.rs`, `spend_threshold.rs`, free delivery in
//!   `delivery.rs`; coupons in `coupons.rs`;
//! - the ceiling on the total discount: `ceiling.rs`; the allocation of order-level discounts
//!   to lines and its remainder rule: `allocation.rs`;
//! - what a rule is and when it is in force: `rules.rs`; the input: `input.rs`; what makes a
//!   basket priceable at all (currencies, whole cents, unique ids): `priceable.rs`;
//! - how a stored promotion, coupon or tier discount becomes a rule, with the field that
//!   stops it (shared by the quote's readers and the operators' catalog): `stored_rules.rs`.

mod allocation;
mod amount_off;
mod buy_x_get_y;
mod ceiling;
mod cents;
mod codes;
mod coupons;
mod delivery;
mod error;
mod flash_sale;
mod input;
mod percentage;
mod percentage_off;
mod priceable;
mod quote;
pub mod repository;
mod rules;
mod spend_threshold;
mod stock_markdown;
pub mod stored_rules;
mod unit_price;

#[cfg(test)]
mod tests;

pub use allocation::allocate;
pub use amount_off::AmountOff;
pub use buy_x_get_y::{BuyXGetY, Reward};
pub use ceiling::DiscountCeiling;
pub use codes::{BrandId, CategoryId, CouponCode, MAX_CODE_LEN, PromotionId, TierId};
pub use coupons::{Coupon, CouponRejection, CouponValue, RejectedCoupon};
pub use delivery::{DeliveryBand, DeliveryFeeBands, FreeDelivery};
pub use error::PricingError;
pub use flash_sale::{FlashSale, FlashSaleUsage};
pub use input::{
    BasketLine, CouponRedemptions, CustomerContext, Fulfilment, PricingFacts, PricingInput,
    RECENT_SALES_DAYS, StockCover,
};
pub use percentage::{Percentage, PercentageOutOfRange};
pub use percentage_off::PercentageOff;
pub use quote::{
    AlmostThere, CeilingOutcome, DeliveryCharge, DiscountSource, LineAdjustment, OrderAdjustment,
    PricedLine, PricedQuote, price_basket,
};
pub use rules::{
    AdjustmentKind, PricingRules, Promotion, PromotionKind, Stacking, Target, ValidityWindow,
};
pub use spend_threshold::{SpendThresholdTiers, ThresholdTier};
pub use stock_markdown::StockMarkdown;
pub use unit_price::{MemberTier, StorePrices, UnitPriceSource};
