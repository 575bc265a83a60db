//! Tests of the pricing engine, natively. Baskets and rules are built with the small builders
//! below (sensible defaults, one line per difference), never copied blobs. One file per
//! concern: the plan's examples per promotion kind, coupons, stacking and the ceiling,
//! allocation, and the property tests.

mod allocation;
mod coupons;
mod delivery;
mod promotions;
mod properties;
mod stacking;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::ids::{CustomerId, StoreId};
use crate::money::{Currency, Money};
use crate::values::{Quantity, Sku};

pub fn cny(amount: &str) -> Money {
    Money::parse(amount, Currency::CNY).unwrap()
}

/// The pinned clock: Double 11 at noon.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 11, 12, 0, 0).unwrap()
}

pub fn sku(code: &str) -> Sku {
    Sku::parse(code).unwrap()
}

pub fn store() -> StoreId {
    StoreId::parse("SH-JINGAN").unwrap()
}

pub fn pid(id: &str) -> PromotionId {
    PromotionId::parse(id).unwrap()
}

pub fn code(code: &str) -> CouponCode {
    CouponCode::parse(code).unwrap()
}

pub fn pct(percent: u8) -> Percentage {
    Percentage::whole(percent).unwrap()
}

/// In force from a day before `now()` to a day after.
pub fn this_week() -> ValidityWindow {
    ValidityWindow {
        starts_at: now() - Duration::days(1),
        ends_at: now() + Duration::days(1),
    }
}

// ---- baskets ----

pub fn a_basket() -> PricingInput {
    PricingInput {
        currency: Currency::CNY,
        lines: Vec::new(),
        customer: None,
        store: None,
        fulfilment: Fulfilment::Pickup,
        coupon_codes: Vec::new(),
        facts: PricingFacts::default(),
    }
}

pub trait BasketBuilder {
    fn with_line(self, sku_code: &str, price: &str, quantity: u32) -> Self;
    fn with_line_in(self, sku_code: &str, price: &str, quantity: u32, category: &str) -> Self;
    fn for_customer(self, tier: Option<&str>) -> Self;
    fn at_store(self) -> Self;
    fn delivered(self, distance_m: u32) -> Self;
    fn with_coupon(self, code: &str) -> Self;
}

impl BasketBuilder for PricingInput {
    fn with_line(self, sku_code: &str, price: &str, quantity: u32) -> Self {
        self.with_line_in(sku_code, price, quantity, "TEA")
    }

    fn with_line_in(mut self, sku_code: &str, price: &str, quantity: u32, category: &str) -> Self {
        self.lines.push(BasketLine {
            sku: sku(sku_code),
            quantity: Quantity::new(quantity).unwrap(),
            list_price: cny(price),
            category: CategoryId::parse(category).unwrap(),
            brand: BrandId::parse("ACME").unwrap(),
        });
        self
    }

    fn for_customer(mut self, tier: Option<&str>) -> Self {
        self.customer = Some(CustomerContext {
            id: CustomerId::parse("customer-1").unwrap(),
            tier: tier.map(|tier| TierId::parse(tier).unwrap()),
        });
        self
    }

    fn at_store(mut self) -> Self {
        self.store = Some(store());
        self
    }

    fn delivered(mut self, distance_m: u32) -> Self {
        self.fulfilment = Fulfilment::Delivery { distance_m };
        self
    }

    fn with_coupon(mut self, raw: &str) -> Self {
        self.coupon_codes.push(code(raw));
        self
    }
}

// ---- rules ----

pub fn a_shop() -> PricingRules {
    PricingRules {
        store_prices: StorePrices::default(),
        member_tiers: Default::default(),
        promotions: Vec::new(),
        coupons: Default::default(),
        delivery_fees: DeliveryFeeBands {
            bands: vec![
                DeliveryBand {
                    up_to_m: 3_000,
                    fee: cny("5.00"),
                },
                DeliveryBand {
                    up_to_m: 8_000,
                    fee: cny("10.00"),
                },
            ],
        },
        discount_ceiling: DiscountCeiling::default(),
    }
}

pub trait ShopBuilder {
    fn with(self, promotion: Promotion) -> Self;
    fn with_coupon(self, coupon: Coupon) -> Self;
    fn with_ceiling(self, percent: u8) -> Self;
}

impl ShopBuilder for PricingRules {
    fn with(mut self, promotion: Promotion) -> Self {
        self.promotions.push(promotion);
        self
    }

    fn with_coupon(mut self, coupon: Coupon) -> Self {
        self.coupons.insert(coupon.code.clone(), coupon);
        self
    }

    fn with_ceiling(mut self, percent: u8) -> Self {
        self.discount_ceiling = DiscountCeiling {
            max_share: pct(percent),
        };
        self
    }
}

/// A stackable promotion on everything, priority 0, in force this week.
pub fn promotion(id: &str, kind: PromotionKind) -> Promotion {
    Promotion {
        id: pid(id),
        name: id.to_owned(),
        window: this_week(),
        target: Target::Everything,
        priority: 0,
        stacking: Stacking::Stackable,
        kind,
    }
}

impl Promotion {
    pub fn exclusive(mut self) -> Self {
        self.stacking = Stacking::Exclusive;
        self
    }

    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = priority;
        self
    }

    pub fn on_skus(mut self, skus: &[&str]) -> Self {
        self.target = Target::Skus(skus.iter().map(|code| sku(code)).collect());
        self
    }

    pub fn on_category(mut self, category: &str) -> Self {
        self.target = Target::Categories(BTreeSet::from([CategoryId::parse(category).unwrap()]));
        self
    }

    pub fn on_brand(mut self, brand: &str) -> Self {
        self.target = Target::Brands(BTreeSet::from([BrandId::parse(brand).unwrap()]));
        self
    }

    pub fn during(mut self, window: ValidityWindow) -> Self {
        self.window = window;
        self
    }
}

pub fn percentage_off(id: &str, percent: u8) -> Promotion {
    promotion(
        id,
        PromotionKind::PercentageOff(PercentageOff { off: pct(percent) }),
    )
}

pub fn amount_off(id: &str, per_unit: &str) -> Promotion {
    promotion(
        id,
        PromotionKind::AmountOff(AmountOff {
            per_unit: cny(per_unit),
        }),
    )
}

/// The plan's 满100减10 / 满200减30.
pub fn manjian() -> Promotion {
    spend_threshold("MANJIAN", &[("100", "10"), ("200", "30")])
}

pub fn spend_threshold(id: &str, tiers: &[(&str, &str)]) -> Promotion {
    let mut promotion = promotion(
        id,
        PromotionKind::SpendThresholdTiers(SpendThresholdTiers {
            tiers: tiers
                .iter()
                .map(|(spend, off)| ThresholdTier {
                    spend: cny(spend),
                    off: cny(off),
                })
                .collect(),
        }),
    );
    promotion.name = "满减".into();
    promotion
}

pub fn flash_sale(id: &str, price: &str, total_cap: u32, per_customer: Option<u32>) -> Promotion {
    promotion(
        id,
        PromotionKind::FlashSale(FlashSale {
            price: cny(price),
            total_cap,
            per_customer_limit: per_customer,
        }),
    )
}

pub fn buy_x_get_y(id: &str, buy: u32, get: u32, reward: Reward) -> Promotion {
    promotion(id, PromotionKind::BuyXGetY(BuyXGetY { buy, get, reward }))
}

pub fn stock_markdown(id: &str, clearance: u8, cover_days: u32) -> Promotion {
    promotion(
        id,
        PromotionKind::StockMarkdown(StockMarkdown {
            clearance: pct(clearance),
            cover_days,
        }),
    )
}

pub fn free_delivery(id: &str, minimum: &str) -> Promotion {
    promotion(
        id,
        PromotionKind::FreeDelivery(FreeDelivery {
            minimum_spend: cny(minimum),
        }),
    )
}

/// A stackable coupon worth `amount`, no minimum, no limits, valid this week.
pub fn coupon(raw: &str, amount: &str) -> Coupon {
    Coupon {
        code: code(raw),
        name: raw.to_owned(),
        window: this_week(),
        minimum_spend: None,
        value: CouponValue::AmountOff(cny(amount)),
        total_limit: None,
        per_customer_limit: None,
        stacking: Stacking::Stackable,
    }
}

pub fn percentage_coupon(raw: &str, percent: u8, max_discount: Option<&str>) -> Coupon {
    Coupon {
        value: CouponValue::PercentageOff {
            off: pct(percent),
            max_discount: max_discount.map(cny),
        },
        ..coupon(raw, "0")
    }
}

// ---- reading a quote ----

pub fn quote(input: &PricingInput, rules: &PricingRules) -> PricedQuote {
    price_basket(input, rules, now()).expect("the basket is priceable")
}

pub fn amounts(quote: &PricedQuote) -> (String, String, String) {
    (
        quote.subtotal.amount_string(),
        quote.discount_total.amount_string(),
        quote.total.amount_string(),
    )
}

/// The amounts of a line's adjustments, as strings.
pub fn line_discounts(quote: &PricedQuote, index: usize) -> Vec<String> {
    quote.lines[index]
        .adjustments
        .iter()
        .map(|adjustment| adjustment.amount.amount_string())
        .collect()
}

pub fn decimal(raw: &str) -> Decimal {
    raw.parse().unwrap()
}
