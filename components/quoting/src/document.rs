//! The quote as the client receives it: the priced basket (`o2o_domain::pricing::PricedQuote`)
//! with what it is about (`QuoteContext`) as `o2o_contract::Quote`, and the one mapping of
//! pricing errors to problems.

use chrono::{DateTime, SecondsFormat, Utc};
use o2o_contract::FulfilmentMode;
use o2o_domain::pricing::{
    AdjustmentKind, CouponCode, DiscountSource, PricedQuote, PricingError, UnitPriceSource,
};
use o2o_domain::{CartId, CustomerId, Money, QuoteId, StoreId};
use o2o_edge::ApiError;

/// Pricing errors: the basket's own problems are 422s naming the field; a rule the catalog
/// holds wrongly is the shop's fault, not the client's (500, details logged).
pub fn pricing_error(err: PricingError) -> ApiError {
    match &err {
        PricingError::EmptyBasket => ApiError::unprocessable("lines", err),
        PricingError::NotDeliverable { .. } => ApiError::unprocessable("fulfilment.location", err),
        PricingError::Overflow => ApiError::unprocessable("lines", err),
        PricingError::CurrencyMismatch { field, .. } if field.starts_with("lines[") => {
            ApiError::unprocessable("lines", err)
        }
        _ => ApiError::Storage(o2o_domain::storage::StoreError::Corrupt(err.to_string())),
    }
}

/// RFC 3339 in UTC with second precision, as every timestamp on the wire.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn kind(kind: AdjustmentKind) -> o2o_contract::AdjustmentKind {
    use o2o_contract::AdjustmentKind as Wire;
    match kind {
        AdjustmentKind::PercentageOff => Wire::PercentageOff,
        AdjustmentKind::AmountOff => Wire::AmountOff,
        AdjustmentKind::FlashSale => Wire::FlashSale,
        AdjustmentKind::BuyXGetY => Wire::BuyXGetY,
        AdjustmentKind::StockMarkdown => Wire::StockMarkdown,
        AdjustmentKind::SpendThresholdTiers => Wire::SpendThresholdTiers,
        AdjustmentKind::FreeDelivery => Wire::FreeDelivery,
        AdjustmentKind::Coupon => Wire::Coupon,
    }
}

fn unit_price_reason(source: &UnitPriceSource) -> Option<String> {
    match source {
        UnitPriceSource::ListPrice => None,
        UnitPriceSource::StorePrice { store } => Some(format!("price at store {}", store.as_str())),
        UnitPriceSource::TierPrice { tier } => Some(format!("{tier} member price")),
        UnitPriceSource::TierDiscount { tier, discount } => {
            Some(format!("{tier} member: {discount} off"))
        }
    }
}

fn source_id(source: &DiscountSource) -> String {
    match source {
        DiscountSource::Promotion(id) => id.to_string(),
        DiscountSource::Coupon(code) => code.to_string(),
    }
}

/// What the quote is about besides its prices.
pub struct QuoteContext<'a> {
    pub id: QuoteId,
    pub cart_id: Option<CartId>,
    pub customer_id: Option<&'a CustomerId>,
    pub store: &'a StoreId,
    pub fulfilment: FulfilmentMode,
    pub delivery_distance_m: Option<u32>,
    pub coupon_codes: &'a [CouponCode],
    pub created_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

pub fn to_wire(
    context: QuoteContext<'_>,
    priced: &PricedQuote,
) -> Result<o2o_contract::Quote, ApiError> {
    let lines = priced
        .lines
        .iter()
        .map(|line| {
            let own = line
                .adjustments
                .iter()
                .try_fold(Money::zero(priced.currency), |sum, a| {
                    sum.checked_add(&a.amount)
                })
                .map_err(|e| pricing_error(e.into()))?;
            let subtotal = line
                .line_total
                .checked_add(&own)
                .map_err(|e| pricing_error(e.into()))?;
            Ok(o2o_contract::QuoteLine {
                sku: line.sku.to_string(),
                quantity: line.quantity.get(),
                store_id: Some(context.store.as_str().to_owned()),
                list_price: line.list_price.into(),
                unit_price: line.unit_price.into(),
                unit_price_reason: unit_price_reason(&line.unit_price_source),
                subtotal: subtotal.into(),
                adjustments: line
                    .adjustments
                    .iter()
                    .map(|a| o2o_contract::Adjustment {
                        promotion_id: a.promotion.to_string(),
                        kind: kind(a.kind),
                        amount: a.amount.into(),
                        reason: a.reason.clone(),
                    })
                    .collect(),
                line_total: line.line_total.into(),
                allocated_discount: line.order_discount_share.into(),
                total: line.net_total.into(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let mut allocations = Vec::new();
    for adjustment in &priced.order_adjustments {
        for (index, share) in adjustment.allocations.iter().enumerate() {
            if share.amount().is_zero() {
                continue;
            }
            allocations.push(o2o_contract::Allocation {
                promotion_id: source_id(&adjustment.source),
                // At most line_list::MAX_LINES lines.
                line: u32::try_from(index).unwrap_or(u32::MAX),
                amount: (*share).into(),
            });
        }
    }
    Ok(o2o_contract::Quote {
        id: context.id.to_string(),
        cart_id: context.cart_id.map(|id| id.to_string()),
        customer_id: context.customer_id.map(|c| c.as_str().to_owned()),
        store_id: context.store.as_str().to_owned(),
        fulfilment: context.fulfilment,
        delivery_distance_m: context.delivery_distance_m,
        lines,
        adjustments: priced
            .order_adjustments
            .iter()
            .map(|a| o2o_contract::Adjustment {
                promotion_id: source_id(&a.source),
                kind: kind(a.kind),
                amount: a.amount.into(),
                reason: a.reason.clone(),
            })
            .collect(),
        allocations,
        coupon_codes: context.coupon_codes.iter().map(|c| c.to_string()).collect(),
        rejected_coupons: priced
            .rejected_coupons
            .iter()
            .map(|r| o2o_contract::RejectedCoupon {
                code: r.code.to_string(),
                reason: r.reason.as_str().to_owned(),
                message: r.reason.message(),
            })
            .collect(),
        hints: priced
            .hints
            .iter()
            .map(|h| o2o_contract::QuoteHint {
                promotion_id: h.promotion.to_string(),
                kind: kind(h.kind),
                short_by: h.short_by.into(),
                message: h.message.clone(),
            })
            .collect(),
        flash_sales: priced
            .flash_sales
            .iter()
            .map(|f| o2o_contract::FlashSaleUsage {
                promotion_id: f.promotion.to_string(),
                units: f.units,
                units_left: f.units_left,
            })
            .collect(),
        currency: priced.currency.to_string(),
        subtotal: priced.subtotal.into(),
        discount_total: priced.discount_total.into(),
        delivery: o2o_contract::DeliveryCharge {
            fee: priced.delivery.fee.into(),
            waived_by: priced.delivery.waived_by.as_ref().map(|p| p.to_string()),
            charged: priced.delivery.charged.into(),
        },
        total: priced.total.into(),
        created_at: timestamp(context.created_at),
        valid_until: timestamp(context.valid_until),
    })
}
