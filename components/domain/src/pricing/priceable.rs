//! The one check, before any arithmetic, that a basket can be priced honestly: every amount a
//! quote can touch is in the quote's currency, in whole cents and not negative, and no two
//! active promotions share an id (ids break ties, so a shared id would make the order of the
//! catalog's list leak into the quote). Past it, rules combine amounts without re-checking, and
//! a catalog mistake (a EUR coupon in a CNY shop, a price of 9.999) becomes a typed error
//! naming the field instead of a wrong quote.

use chrono::{DateTime, Utc};

use crate::money::{Currency, Money};

use super::cents;
use super::codes::PromotionId;
use super::coupons::CouponValue;
use super::error::PricingError;
use super::input::PricingInput;
use super::rules::{PricingRules, PromotionKind};

pub(super) fn check_priceable(
    input: &PricingInput,
    rules: &PricingRules,
    now: DateTime<Utc>,
) -> Result<(), PricingError> {
    let currency = input.currency;
    for (index, line) in input.lines.iter().enumerate() {
        check(currency, line.list_price, || {
            format!("lines[{index}].list_price")
        })?;
        if let Some(store) = &input.store
            && let Some(price) = rules.store_prices.get(store, &line.sku)
        {
            check(currency, price, || {
                format!("store_prices[{}][{}]", store.as_str(), line.sku)
            })?;
        }
        let tier = input
            .customer
            .as_ref()
            .and_then(|customer| customer.tier.as_ref());
        if let Some(tier_id) = tier
            && let Some(price) = rules
                .member_tiers
                .get(tier_id)
                .and_then(|tier| tier.prices.get(&line.sku))
        {
            check(currency, *price, || {
                format!("member_tiers[{tier_id}].prices[{}]", line.sku)
            })?;
        }
    }
    let mut active_ids: Vec<&PromotionId> = Vec::with_capacity(rules.promotions.len());
    for promotion in rules
        .promotions
        .iter()
        .filter(|promotion| promotion.window.contains(now))
    {
        active_ids.push(&promotion.id);
        let field = |what: &str| format!("promotions[{}].{what}", promotion.id);
        match &promotion.kind {
            PromotionKind::AmountOff(rule) => check(currency, rule.per_unit, || field("per_unit"))?,
            PromotionKind::FlashSale(rule) => check(currency, rule.price, || field("price"))?,
            PromotionKind::SpendThresholdTiers(rule) => {
                for (index, tier) in rule.tiers.iter().enumerate() {
                    check(currency, tier.spend, || {
                        field(&format!("tiers[{index}].spend"))
                    })?;
                    check(currency, tier.off, || field(&format!("tiers[{index}].off")))?;
                }
            }
            PromotionKind::FreeDelivery(rule) => {
                check(currency, rule.minimum_spend, || field("minimum_spend"))?
            }
            PromotionKind::PercentageOff(_)
            | PromotionKind::BuyXGetY(_)
            | PromotionKind::StockMarkdown(_) => {}
        }
    }
    active_ids.sort();
    if let Some(pair) = active_ids.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(PricingError::InvalidRule {
            rule: pair[0].to_string(),
            why: "two active promotions share this id",
        });
    }
    for code in &input.coupon_codes {
        let Some(coupon) = rules.coupons.get(code) else {
            continue;
        };
        let field = |what: &str| format!("coupons[{code}].{what}");
        if let Some(minimum) = coupon.minimum_spend {
            check(currency, minimum, || field("minimum_spend"))?;
        }
        match coupon.value {
            CouponValue::AmountOff(amount) => check(currency, amount, || field("amount_off"))?,
            CouponValue::PercentageOff {
                max_discount: Some(cap),
                ..
            } => check(currency, cap, || field("max_discount"))?,
            CouponValue::PercentageOff { .. } => {}
        }
    }
    for (index, band) in rules.delivery_fees.bands.iter().enumerate() {
        check(currency, band.fee, || {
            format!("delivery_fees.bands[{index}].fee")
        })?;
    }
    Ok(())
}

fn check(
    currency: Currency,
    amount: Money,
    field: impl Fn() -> String,
) -> Result<(), PricingError> {
    if amount.currency() != currency {
        return Err(PricingError::CurrencyMismatch {
            field: field(),
            expected: currency,
            found: amount.currency(),
        });
    }
    if cents::to_cents(amount).is_err() {
        return Err(PricingError::SubCentAmount { field: field() });
    }
    if amount.is_negative() {
        return Err(PricingError::NegativeAmount { field: field() });
    }
    Ok(())
}
