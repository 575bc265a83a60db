//! Quote latency of the pricing engine, natively: a 5-line and a 50-line basket priced against
//! 20 active promotions of every kind (plus member pricing, store prices, coupons, a ceiling
//! and delivery). A benchmark, not a test: it prints p50/p99 and asserts nothing.
//!
//! Run: `cargo run -p o2o-domain --release --example quote_bench [runs]` (default 10,000).

// A benchmark: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

use o2o_domain::pricing::{
    AmountOff, BasketLine, BrandId, BuyXGetY, CategoryId, Coupon, CouponCode, CouponValue,
    CustomerContext, DeliveryBand, DeliveryFeeBands, DiscountCeiling, FlashSale, FreeDelivery,
    Fulfilment, MemberTier, Percentage, PercentageOff, PricingFacts, PricingInput, PricingRules,
    Promotion, PromotionId, PromotionKind, Reward, SpendThresholdTiers, Stacking, StockCover,
    StockMarkdown, StorePrices, Target, ThresholdTier, TierId, ValidityWindow, price_basket,
};
use o2o_domain::{Currency, CustomerId, Money, Quantity, Sku, StoreId};

const CATEGORIES: [&str; 4] = ["TEA", "CUPS", "SNACKS", "GIFTS"];
const BRANDS: [&str; 3] = ["ACME", "LONGJING-CO", "HOUSE"];

fn cny(amount: &str) -> Money {
    Money::parse(amount, Currency::CNY).expect("a valid amount")
}

fn cents(cents: i64) -> Money {
    Money::exact(Decimal::new(cents, 2), Currency::CNY)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 11, 12, 0, 0).unwrap()
}

fn store() -> StoreId {
    StoreId::parse("SH-JINGAN").unwrap()
}

fn sku(index: usize) -> Sku {
    Sku::parse(&format!("SKU-{index:03}")).unwrap()
}

fn pct(percent: u8) -> Percentage {
    Percentage::whole(percent).unwrap()
}

fn category(index: usize) -> CategoryId {
    CategoryId::parse(CATEGORIES[index % CATEGORIES.len()]).unwrap()
}

fn brand(index: usize) -> BrandId {
    BrandId::parse(BRANDS[index % BRANDS.len()]).unwrap()
}

/// 20 promotions active at `now()`, mixed kinds and targets, some exclusive.
fn rules() -> PricingRules {
    let window = ValidityWindow {
        starts_at: now() - chrono::Duration::days(1),
        ends_at: now() + chrono::Duration::days(1),
    };
    let kinds: Vec<(PromotionKind, Target)> = vec![
        (
            PromotionKind::PercentageOff(PercentageOff { off: pct(10) }),
            Target::Categories(BTreeSet::from([category(0)])),
        ),
        (
            PromotionKind::PercentageOff(PercentageOff { off: pct(5) }),
            Target::Brands(BTreeSet::from([brand(1)])),
        ),
        (
            PromotionKind::PercentageOff(PercentageOff { off: pct(15) }),
            Target::Skus((0..10).map(sku).collect()),
        ),
        (
            PromotionKind::AmountOff(AmountOff {
                per_unit: cny("2.00"),
            }),
            Target::Categories(BTreeSet::from([category(1)])),
        ),
        (
            PromotionKind::AmountOff(AmountOff {
                per_unit: cny("0.50"),
            }),
            Target::Brands(BTreeSet::from([brand(2)])),
        ),
        (
            PromotionKind::FlashSale(FlashSale {
                price: cny("9.90"),
                total_cap: 500,
                per_customer_limit: Some(3),
            }),
            Target::Skus(BTreeSet::from([sku(1), sku(7)])),
        ),
        (
            PromotionKind::FlashSale(FlashSale {
                price: cny("19.90"),
                total_cap: 50,
                per_customer_limit: None,
            }),
            Target::Skus(BTreeSet::from([sku(12), sku(30)])),
        ),
        (
            PromotionKind::BuyXGetY(BuyXGetY {
                buy: 2,
                get: 1,
                reward: Reward::Free,
            }),
            Target::Categories(BTreeSet::from([category(2)])),
        ),
        (
            PromotionKind::BuyXGetY(BuyXGetY {
                buy: 1,
                get: 1,
                reward: Reward::PercentageOff(pct(50)),
            }),
            Target::Brands(BTreeSet::from([brand(0)])),
        ),
        (
            PromotionKind::StockMarkdown(StockMarkdown {
                clearance: pct(30),
                cover_days: 30,
            }),
            Target::Categories(BTreeSet::from([category(3)])),
        ),
        (
            PromotionKind::StockMarkdown(StockMarkdown {
                clearance: pct(20),
                cover_days: 60,
            }),
            Target::Everything,
        ),
        (
            spend_threshold(&[("100", "10"), ("200", "30")]),
            Target::Everything,
        ),
        (
            spend_threshold(&[("300", "50"), ("500", "100")]),
            Target::Categories(BTreeSet::from([category(0)])),
        ),
        (
            spend_threshold(&[("50", "5")]),
            Target::Brands(BTreeSet::from([brand(2)])),
        ),
        (
            PromotionKind::FreeDelivery(FreeDelivery {
                minimum_spend: cny("99.00"),
            }),
            Target::Everything,
        ),
        (
            PromotionKind::FreeDelivery(FreeDelivery {
                minimum_spend: cny("49.00"),
            }),
            Target::Categories(BTreeSet::from([category(1)])),
        ),
        (
            PromotionKind::PercentageOff(PercentageOff { off: pct(8) }),
            Target::Everything,
        ),
        (
            PromotionKind::AmountOff(AmountOff {
                per_unit: cny("1.00"),
            }),
            Target::Skus((20..40).map(sku).collect()),
        ),
        (
            PromotionKind::PercentageOff(PercentageOff { off: pct(12) }),
            Target::Categories(BTreeSet::from([category(2)])),
        ),
        (
            PromotionKind::BuyXGetY(BuyXGetY {
                buy: 3,
                get: 1,
                reward: Reward::Free,
            }),
            Target::Skus((40..50).map(sku).collect()),
        ),
    ];
    let promotions = kinds
        .into_iter()
        .enumerate()
        .map(|(index, (kind, target))| Promotion {
            id: PromotionId::parse(&format!("PROMO-{index:02}")).unwrap(),
            name: format!("promotion {index}"),
            window,
            target,
            priority: (index % 5) as u32,
            stacking: if index % 7 == 0 {
                Stacking::Exclusive
            } else {
                Stacking::Stackable
            },
            kind,
        })
        .collect();

    let mut store_prices = StorePrices::default();
    for index in (0..50).step_by(4) {
        store_prices.set(&store(), sku(index), cents(1_500 + index as i64 * 10));
    }
    let gold = MemberTier {
        discount: Some(pct(5)),
        prices: (0..50)
            .step_by(9)
            .map(|index| (sku(index), cents(1_000 + index as i64)))
            .collect(),
    };
    let coupons = [
        (
            "SAVE10",
            CouponValue::AmountOff(cny("10.00")),
            Stacking::Stackable,
        ),
        (
            "PCT5",
            CouponValue::PercentageOff {
                off: pct(5),
                max_discount: Some(cny("30.00")),
            },
            Stacking::Stackable,
        ),
        (
            "BIG50",
            CouponValue::AmountOff(cny("50.00")),
            Stacking::Exclusive,
        ),
    ]
    .into_iter()
    .map(|(code, value, stacking)| {
        let code = CouponCode::parse(code).unwrap();
        let coupon = Coupon {
            code: code.clone(),
            name: code.to_string(),
            window,
            minimum_spend: Some(cny("100.00")),
            value,
            total_limit: Some(1_000),
            per_customer_limit: Some(1),
            stacking,
        };
        (code, coupon)
    })
    .collect();

    PricingRules {
        store_prices,
        member_tiers: [(TierId::parse("GOLD").unwrap(), gold)].into(),
        promotions,
        coupons,
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
        discount_ceiling: DiscountCeiling { max_share: pct(50) },
    }
}

fn spend_threshold(tiers: &[(&str, &str)]) -> PromotionKind {
    PromotionKind::SpendThresholdTiers(SpendThresholdTiers {
        tiers: tiers
            .iter()
            .map(|(spend, off)| ThresholdTier {
                spend: cny(spend),
                off: cny(off),
            })
            .collect(),
    })
}

fn basket(lines: usize) -> PricingInput {
    let mut facts = PricingFacts::default();
    for index in 0..lines {
        facts.stock.insert(
            sku(index),
            StockCover {
                on_hand: 40 + (index as u32 * 37) % 400,
                average_daily_sales: Decimal::new(3, 0),
            },
        );
    }
    PricingInput {
        currency: Currency::CNY,
        lines: (0..lines)
            .map(|index| BasketLine {
                sku: sku(index),
                quantity: Quantity::new(1 + (index as u32 % 4)).unwrap(),
                list_price: cents(990 + (index as i64 * 731) % 20_000),
                category: category(index),
                brand: brand(index),
            })
            .collect(),
        customer: Some(CustomerContext {
            id: CustomerId::parse("bench-customer").unwrap(),
            tier: Some(TierId::parse("GOLD").unwrap()),
        }),
        store: Some(store()),
        fulfilment: Fulfilment::Delivery { distance_m: 2_500 },
        coupon_codes: ["SAVE10", "PCT5", "BIG50", "NOSUCH"]
            .iter()
            .map(|code| CouponCode::parse(code).unwrap())
            .collect(),
        facts,
    }
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[index]
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(10_000);
    let rules = rules();
    let active = rules
        .promotions
        .iter()
        .filter(|p| p.window.contains(now()))
        .count();
    println!("quote latency, {runs} runs per basket, {active} active promotions");
    for lines in [5, 50] {
        let input = basket(lines);
        let sample = price_basket(&input, &rules, now()).expect("the bench basket is priceable");
        for _ in 0..runs / 10 {
            black_box(price_basket(black_box(&input), &rules, now()).ok());
        }
        let mut timings = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            black_box(price_basket(black_box(&input), &rules, now()).ok());
            timings.push(started.elapsed());
        }
        timings.sort();
        let mean = timings.iter().sum::<Duration>() / runs as u32;
        println!(
            "{lines:>3} lines: p50 {:>9.1?}  p99 {:>9.1?}  mean {:>9.1?}  max {:>9.1?}  \
             (total {}, {} line adjustments, {} order adjustments, {} rejected coupons)",
            percentile(&timings, 0.50),
            percentile(&timings, 0.99),
            mean,
            timings[runs - 1],
            sample.total,
            sample
                .lines
                .iter()
                .map(|line| line.adjustments.len())
                .sum::<usize>(),
            sample.order_adjustments.len(),
            sample.rejected_coupons.len(),
        );
        let rejected: Vec<String> = sample
            .rejected_coupons
            .iter()
            .map(|rejected| format!("{} {}", rejected.code, rejected.reason.as_str()))
            .collect();
        println!("           rejected coupons: {}", rejected.join(", "));
    }
}
