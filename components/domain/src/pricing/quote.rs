//! `price_basket`: the order in which the rules apply, the stacking between them, and the
//! priced quote they produce. Each rule's own arithmetic lives in its file; this file owns only
//! the sequence and the bookkeeping:
//!
//! 1. unit price per line: list → store price → member pricing (`unit_price.rs`);
//! 2. subtotal = Σ unit price × quantity; the discount ceiling is a share of it (`ceiling.rs`);
//! 3. line promotions in priority order (higher first, then promotion id): percentage off,
//!    amount off, flash sale, buy X get Y, stock markdown; an exclusive one applies to a line
//!    only if nothing applied there before, and locks the line against later ones;
//! 4. spend-threshold tiers 满减 on what the targeted lines cost after step 3, allocated back to
//!    those lines (`allocation.rs`);
//! 5. coupons on what the goods cost after step 4, allocated to every line;
//! 6. the delivery fee, waived by a free-delivery promotion on what the goods cost after 5.
//!
//! Every discount is clamped to what its lines still cost and to what is left under the
//! ceiling, so the total is never negative and never below the ceiling.
//!
//! Rounding, once: the member unit price (a price tag) and each percentage-based adjustment are
//! rounded with `Money::rounded` where they are computed; everything else is sums, products by
//! whole quantities and whole-cent allocations of those amounts, so every amount on the quote
//! is exact to the cent and the totals add up to the cent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::money::{Currency, Money};
use crate::values::{Quantity, Sku};

use super::allocation::allocate;
use super::cents;
use super::codes::{CouponCode, PromotionId};
use super::coupons::{self, CouponRejection, RejectedCoupon};
use super::error::PricingError;
use super::flash_sale::FlashSaleUsage;
use super::input::{BasketLine, PricingInput};
use super::rules::{AdjustmentKind, PricingRules, Promotion, PromotionKind, Stacking};
use super::unit_price::{self, UnitPriceSource};

/// A priced basket: every cent explained.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedQuote {
    pub currency: Currency,
    /// In the order of the input lines.
    pub lines: Vec<PricedLine>,
    /// Spend-threshold tiers and coupons, in the order they applied.
    pub order_adjustments: Vec<OrderAdjustment>,
    pub delivery: DeliveryCharge,
    /// Σ unit price × quantity, at store and member prices, before promotions.
    pub subtotal: Money,
    /// Σ line adjustments + Σ order adjustments (the delivery waiver is not a discount).
    pub discount_total: Money,
    /// subtotal − discount_total + the delivery fee charged. Never negative.
    pub total: Money,
    pub rejected_coupons: Vec<RejectedCoupon>,
    pub hints: Vec<AlmostThere>,
    /// What placing this order would take from each flash sale's cap, by promotion id.
    pub flash_sales: Vec<FlashSaleUsage>,
    pub discount_ceiling: CeilingOutcome,
}

/// One priced line.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    pub sku: Sku,
    pub quantity: Quantity,
    pub list_price: Money,
    /// After store and member pricing.
    pub unit_price: Money,
    pub unit_price_source: UnitPriceSource,
    pub adjustments: Vec<LineAdjustment>,
    /// unit_price × quantity − the line's own adjustments.
    pub line_total: Money,
    /// This line's share of every order-level adjustment (see each `OrderAdjustment`).
    pub order_discount_share: Money,
    /// line_total − order_discount_share: what the customer pays for this line; refunds of the
    /// line pay back at most this.
    pub net_total: Money,
}

/// A promotion applied to one line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineAdjustment {
    pub promotion: PromotionId,
    pub kind: AdjustmentKind,
    pub amount: Money,
    pub reason: String,
}

/// Who granted an order-level discount.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiscountSource {
    Promotion(PromotionId),
    Coupon(CouponCode),
}

/// A discount on the order, and its allocation to the lines.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderAdjustment {
    pub source: DiscountSource,
    pub kind: AdjustmentKind,
    pub amount: Money,
    pub reason: String,
    /// One share per quote line, in line order; they sum exactly to `amount`.
    pub allocations: Vec<Money>,
}

/// The delivery fee and whether a promotion waived it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryCharge {
    /// The fee of the distance band (zero for pickup).
    pub fee: Money,
    pub waived_by: Option<PromotionId>,
    /// What the customer pays for delivery.
    pub charged: Money,
}

/// "Spend 12.00 more for 满200减30".
#[derive(Debug, Clone, PartialEq)]
pub struct AlmostThere {
    pub promotion: PromotionId,
    pub kind: AdjustmentKind,
    pub short_by: Money,
    pub message: String,
}

/// The discount ceiling of this quote and whether it cut a discount.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CeilingOutcome {
    pub cap: Money,
    pub binding: bool,
}

/// A line while it is being priced.
pub(super) struct LineState<'a> {
    pub line: &'a BasketLine,
    pub unit_price: Money,
    /// What the line costs at this point of the sequence.
    pub net: Money,
    /// An exclusive line promotion applied: nothing more applies to this line.
    pub locked: bool,
    pub adjustments: Vec<LineAdjustment>,
}

/// A line promotion's proposal for one line, before the quote clamps it.
pub(super) struct LineDiscount {
    pub line: usize,
    /// The units the discount is about (flash sale: the units at the flash price).
    pub units: u32,
    pub amount: Money,
    pub reason: String,
}

/// What is left under the ceiling, and whether it has cut anything.
struct Headroom {
    left: Money,
    binding: bool,
}

impl Headroom {
    /// Grants at most what is left; remembers when it had to cut.
    fn grant(&mut self, wanted: Money) -> Result<Money, PricingError> {
        let granted = cents::min(wanted, self.left);
        if granted != wanted {
            self.binding = true;
        }
        self.left = self.left.checked_sub(&granted)?;
        Ok(granted)
    }
}

const CEILING_NOTE: &str = " (limited by the discount ceiling)";

/// Prices `input` with `rules` at `now`. Deterministic: the same arguments give the same quote.
pub fn price_basket(
    input: &PricingInput,
    rules: &PricingRules,
    now: DateTime<Utc>,
) -> Result<PricedQuote, PricingError> {
    if input.lines.is_empty() {
        return Err(PricingError::EmptyBasket);
    }
    super::priceable::check_priceable(input, rules, now)?;
    let currency = input.currency;

    let mut lines = Vec::with_capacity(input.lines.len());
    let mut sources = Vec::with_capacity(input.lines.len());
    for line in &input.lines {
        let (unit_price, source) =
            unit_price::unit_price(line, input.store.as_ref(), input.customer.as_ref(), rules)?;
        lines.push(LineState {
            line,
            unit_price,
            net: cents::times(unit_price, line.quantity.get())?,
            locked: false,
            adjustments: Vec::new(),
        });
        sources.push(source);
    }
    let subtotal = cents::sum(lines.iter().map(|state| &state.net), currency)?;
    let cap = rules.discount_ceiling.cap(subtotal)?;
    let mut headroom = Headroom {
        left: cap,
        binding: false,
    };

    let mut active: Vec<&Promotion> = rules
        .promotions
        .iter()
        .filter(|promotion| promotion.window.contains(now))
        .collect();
    active.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.id.cmp(&b.id)));

    let mut flash_sales = BTreeMap::new();
    for promotion in &active {
        apply_line_promotion(
            promotion,
            input,
            &mut lines,
            &mut headroom,
            &mut flash_sales,
        )?;
    }

    let mut hints = Vec::new();
    let mut order_adjustments = Vec::new();
    apply_spend_thresholds(
        &active,
        &mut lines,
        &mut headroom,
        &mut order_adjustments,
        &mut hints,
    )?;

    let rejected_coupons = apply_coupons(
        input,
        rules,
        now,
        &mut lines,
        &mut headroom,
        &mut order_adjustments,
    )?;
    let delivery = delivery_charge(input, rules, &active, &lines, &mut hints)?;

    let mut priced_lines = Vec::with_capacity(lines.len());
    let mut line_discounts = Money::zero(currency);
    for (index, (state, source)) in lines.into_iter().zip(sources).enumerate() {
        let gross = cents::times(state.unit_price, state.line.quantity.get())?;
        let own = cents::sum(state.adjustments.iter().map(|a| &a.amount), currency)?;
        line_discounts = line_discounts.checked_add(&own)?;
        let share = cents::sum(
            order_adjustments
                .iter()
                .map(|a: &OrderAdjustment| &a.allocations[index]),
            currency,
        )?;
        priced_lines.push(PricedLine {
            sku: state.line.sku.clone(),
            quantity: state.line.quantity,
            list_price: state.line.list_price,
            unit_price: state.unit_price,
            unit_price_source: source,
            adjustments: state.adjustments,
            line_total: gross.checked_sub(&own)?,
            order_discount_share: share,
            net_total: state.net,
        });
    }
    let order_discounts = cents::sum(order_adjustments.iter().map(|a| &a.amount), currency)?;
    let discount_total = line_discounts.checked_add(&order_discounts)?;
    let goods = subtotal.checked_sub(&discount_total)?;
    let total = goods.checked_add(&delivery.charged)?;

    Ok(PricedQuote {
        currency,
        lines: priced_lines,
        order_adjustments,
        delivery,
        subtotal,
        discount_total,
        total,
        rejected_coupons,
        hints,
        flash_sales: flash_sales.into_values().collect(),
        discount_ceiling: CeilingOutcome {
            cap,
            binding: headroom.binding,
        },
    })
}

/// Step 3 for one promotion (no-op for order-level kinds).
fn apply_line_promotion(
    promotion: &Promotion,
    input: &PricingInput,
    lines: &mut [LineState<'_>],
    headroom: &mut Headroom,
    flash_sales: &mut BTreeMap<PromotionId, FlashSaleUsage>,
) -> Result<(), PricingError> {
    let exclusive = promotion.stacking == Stacking::Exclusive;
    let eligible: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, state)| {
            promotion.target.matches(state.line)
                && !state.locked
                // An exclusive promotion only takes a line nothing else has touched.
                && (!exclusive || state.adjustments.is_empty())
                && cents::is_positive(state.net)
        })
        .map(|(index, _)| index)
        .collect();
    if eligible.is_empty() {
        return Ok(());
    }
    let name = promotion.name.as_str();
    let discounts = match &promotion.kind {
        PromotionKind::PercentageOff(rule) => rule.discounts(name, lines, &eligible)?,
        PromotionKind::AmountOff(rule) => rule.discounts(name, lines, &eligible)?,
        PromotionKind::FlashSale(rule) => {
            rule.discounts(&promotion.id, name, lines, &eligible, &input.facts)?
        }
        PromotionKind::BuyXGetY(rule) => rule.discounts(name, lines, &eligible)?,
        PromotionKind::StockMarkdown(rule) => rule.discounts(name, lines, &eligible, input)?,
        PromotionKind::SpendThresholdTiers(_) | PromotionKind::FreeDelivery(_) => Vec::new(),
    };

    let mut flash_units: u32 = 0;
    for discount in discounts {
        let state = &mut lines[discount.line];
        let wanted = cents::min(discount.amount, state.net);
        let amount = headroom.grant(wanted)?;
        if !cents::is_positive(amount) {
            continue;
        }
        let mut reason = discount.reason;
        if amount != wanted {
            reason.push_str(CEILING_NOTE);
        }
        state.net = state.net.checked_sub(&amount)?;
        state.locked |= exclusive;
        state.adjustments.push(LineAdjustment {
            promotion: promotion.id.clone(),
            kind: promotion.kind.name(),
            amount,
            reason,
        });
        flash_units = flash_units.saturating_add(discount.units);
    }
    if let PromotionKind::FlashSale(rule) = &promotion.kind
        && flash_units > 0
    {
        let left = rule.cap_left(&promotion.id, &input.facts);
        flash_sales.insert(
            promotion.id.clone(),
            FlashSaleUsage {
                promotion: promotion.id.clone(),
                units: flash_units,
                units_left: left.saturating_sub(flash_units),
            },
        );
    }
    Ok(())
}

/// Step 4: 满减. Each promotion measures the spend on its targeted lines as they stood after
/// the line promotions, so two threshold promotions do not shrink each other's spend.
fn apply_spend_thresholds(
    active: &[&Promotion],
    lines: &mut [LineState<'_>],
    headroom: &mut Headroom,
    order_adjustments: &mut Vec<OrderAdjustment>,
    hints: &mut Vec<AlmostThere>,
) -> Result<(), PricingError> {
    let Some(first) = lines.first() else {
        return Ok(());
    };
    let currency = first.net.currency();
    let after_line_promotions: Vec<Money> = lines.iter().map(|state| state.net).collect();
    let mut applied = false;
    let mut locked = false;
    for promotion in active {
        let PromotionKind::SpendThresholdTiers(rule) = &promotion.kind else {
            continue;
        };
        let exclusive = promotion.stacking == Stacking::Exclusive;
        if locked || (exclusive && applied) {
            continue;
        }
        let targeted: Vec<usize> = (0..lines.len())
            .filter(|&index| promotion.target.matches(lines[index].line))
            .collect();
        let spent = cents::sum(
            targeted.iter().map(|&index| &after_line_promotions[index]),
            currency,
        )?;
        if let Some((tier, short_by)) = rule.next(spent)? {
            hints.push(AlmostThere {
                promotion: promotion.id.clone(),
                kind: AdjustmentKind::SpendThresholdTiers,
                short_by,
                message: format!("spend {short_by} more for {}", tier.label()),
            });
        }
        let Some((off, mut reason)) = rule.discount(&promotion.name, spent) else {
            continue;
        };
        let still_owed = cents::sum(targeted.iter().map(|&index| &lines[index].net), currency)?;
        let wanted = cents::min(off, still_owed);
        let amount = headroom.grant(wanted)?;
        if !cents::is_positive(amount) {
            continue;
        }
        if amount != wanted {
            reason.push_str(CEILING_NOTE);
        }
        order_adjustments.push(allocate_order_discount(
            DiscountSource::Promotion(promotion.id.clone()),
            AdjustmentKind::SpendThresholdTiers,
            amount,
            reason,
            &targeted,
            lines,
        )?);
        applied = true;
        locked = exclusive;
    }
    Ok(())
}

/// Step 5: the coupons `coupons::choose` picks, each on what the goods still cost, allocated
/// to every line. Returns the entered coupons that were turned away, by code.
fn apply_coupons(
    input: &PricingInput,
    rules: &PricingRules,
    now: DateTime<Utc>,
    lines: &mut [LineState<'_>],
    headroom: &mut Headroom,
    order_adjustments: &mut Vec<OrderAdjustment>,
) -> Result<Vec<RejectedCoupon>, PricingError> {
    let currency = input.currency;
    let goods = cents::sum(lines.iter().map(|state| &state.net), currency)?;
    let choice = coupons::choose(input, rules, now, goods, headroom.left)?;
    let mut rejected = choice.rejected;
    let everything: Vec<usize> = (0..lines.len()).collect();
    for coupon in choice.applied {
        let goods = cents::sum(lines.iter().map(|state| &state.net), currency)?;
        let wanted = coupon.discount(goods)?;
        let amount = headroom.grant(wanted)?;
        if !cents::is_positive(amount) {
            rejected.push(RejectedCoupon {
                code: coupon.code.clone(),
                reason: CouponRejection::DiscountCeilingReached,
            });
            continue;
        }
        let mut reason = coupon.describe();
        if amount != wanted {
            reason.push_str(CEILING_NOTE);
        }
        order_adjustments.push(allocate_order_discount(
            DiscountSource::Coupon(coupon.code.clone()),
            AdjustmentKind::Coupon,
            amount,
            reason,
            &everything,
            lines,
        )?);
    }
    rejected.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(rejected)
}

/// Allocates `amount` over the `eligible` lines by what they still cost, and takes each share
/// off its line.
fn allocate_order_discount(
    source: DiscountSource,
    kind: AdjustmentKind,
    amount: Money,
    reason: String,
    eligible: &[usize],
    lines: &mut [LineState<'_>],
) -> Result<OrderAdjustment, PricingError> {
    let weights: Vec<Money> = eligible.iter().map(|&index| lines[index].net).collect();
    let shares = allocate(amount, &weights)?;
    let mut allocations = vec![Money::zero(amount.currency()); lines.len()];
    for (&index, share) in eligible.iter().zip(shares) {
        lines[index].net = lines[index].net.checked_sub(&share)?;
        allocations[index] = share;
    }
    Ok(OrderAdjustment {
        source,
        kind,
        amount,
        reason,
        allocations,
    })
}

/// Step 6: the fee of the distance band, waived by the first free-delivery promotion (in
/// priority order) whose minimum the targeted goods reach after every discount.
fn delivery_charge(
    input: &PricingInput,
    rules: &PricingRules,
    active: &[&Promotion],
    lines: &[LineState<'_>],
    hints: &mut Vec<AlmostThere>,
) -> Result<DeliveryCharge, PricingError> {
    let currency = input.currency;
    let fee = rules
        .delivery_fees
        .fee(&input.fulfilment)?
        .unwrap_or(Money::zero(currency));
    if !cents::is_positive(fee) {
        return Ok(DeliveryCharge {
            fee,
            waived_by: None,
            charged: fee,
        });
    }
    let mut near_misses = Vec::new();
    for promotion in active {
        let PromotionKind::FreeDelivery(rule) = &promotion.kind else {
            continue;
        };
        let goods = cents::sum(
            lines
                .iter()
                .filter(|state| promotion.target.matches(state.line))
                .map(|state| &state.net),
            currency,
        )?;
        if cents::at_least(goods, rule.minimum_spend) {
            return Ok(DeliveryCharge {
                fee,
                waived_by: Some(promotion.id.clone()),
                charged: Money::zero(currency),
            });
        }
        let short_by = rule.minimum_spend.checked_sub(&goods)?;
        near_misses.push(AlmostThere {
            promotion: promotion.id.clone(),
            kind: AdjustmentKind::FreeDelivery,
            short_by,
            message: format!(
                "spend {short_by} more for free delivery ({})",
                promotion.name
            ),
        });
    }
    hints.extend(near_misses);
    Ok(DeliveryCharge {
        fee,
        waived_by: None,
        charged: fee,
    })
}
