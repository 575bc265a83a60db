//! Coupons: validity, limits, minimum spend, value, and which of several entered codes apply.

use std::collections::BTreeMap;

use super::*;

fn rejection(quoted: &PricedQuote, raw: &str) -> Option<CouponRejection> {
    quoted
        .rejected_coupons
        .iter()
        .find(|rejected| rejected.code == code(raw))
        .map(|rejected| rejected.reason.clone())
}

#[test]
fn rejected_coupons_name_the_reason_and_the_quote_still_succeeds() {
    let later = ValidityWindow {
        starts_at: now() + Duration::days(1),
        ends_at: now() + Duration::days(2),
    };
    let earlier = ValidityWindow {
        starts_at: now() - Duration::days(2),
        ends_at: now(),
    };
    let cases: Vec<(Coupon, bool, CouponRedemptions, CouponRejection)> = vec![
        (
            Coupon {
                window: later,
                ..coupon("SOON", "5")
            },
            true,
            CouponRedemptions::default(),
            CouponRejection::NotYetValid {
                starts_at: later.starts_at,
            },
        ),
        (
            Coupon {
                window: earlier,
                ..coupon("OLD", "5")
            },
            true,
            CouponRedemptions::default(),
            CouponRejection::Expired { ended_at: now() },
        ),
        (
            Coupon {
                minimum_spend: Some(cny("100.00")),
                ..coupon("MIN100", "5")
            },
            true,
            CouponRedemptions::default(),
            CouponRejection::MinimumSpendNotMet {
                minimum: cny("100.00"),
                short_by: cny("12.00"),
            },
        ),
        (
            Coupon {
                total_limit: Some(500),
                ..coupon("POPULAR", "5")
            },
            true,
            CouponRedemptions {
                total: 500,
                by_customer: 0,
            },
            CouponRejection::UsageLimitReached { limit: 500 },
        ),
        (
            Coupon {
                per_customer_limit: Some(1),
                ..coupon("ONCE", "5")
            },
            true,
            CouponRedemptions {
                total: 10,
                by_customer: 1,
            },
            CouponRejection::CustomerUsageLimitReached { limit: 1 },
        ),
        (
            Coupon {
                per_customer_limit: Some(1),
                ..coupon("ONCE", "5")
            },
            false,
            CouponRedemptions::default(),
            CouponRejection::SignInRequired,
        ),
    ];
    for (coupon, signed_in, used, reason) in cases {
        let raw = coupon.code.as_str().to_owned();
        let mut basket = a_basket().with_line("TEA-1", "88.00", 1).with_coupon(&raw);
        if signed_in {
            basket = basket.for_customer(None);
        }
        basket.facts.coupon_redemptions = BTreeMap::from([(code(&raw), used)]);
        let quoted = quote(&basket, &a_shop().with_coupon(coupon));
        assert_eq!(rejection(&quoted, &raw), Some(reason), "{raw}");
        assert_eq!(quoted.total, cny("88.00"), "{raw}");
    }

    let unknown = quote(
        &a_basket()
            .with_line("TEA-1", "88.00", 1)
            .with_coupon("NOSUCH"),
        &a_shop(),
    );
    assert_eq!(
        rejection(&unknown, "NOSUCH"),
        Some(CouponRejection::Unknown)
    );
    assert_eq!(
        CouponRejection::MinimumSpendNotMet {
            minimum: cny("100.00"),
            short_by: cny("12.00")
        }
        .message(),
        "needs a spend of 100.00 CNY: spend 12.00 CNY more"
    );
}

#[test]
fn coupon_minimum_spend_counts_the_goods_after_promotions() {
    let shop = a_shop()
        .with(percentage_off("TEN", 10))
        .with_coupon(Coupon {
            minimum_spend: Some(cny("100.00")),
            ..coupon("MIN100", "5")
        });
    let quoted = quote(
        &a_basket()
            .with_line("TEA-1", "105.00", 1)
            .with_coupon("MIN100"),
        &shop,
    );
    assert!(matches!(
        rejection(&quoted, "MIN100"),
        Some(CouponRejection::MinimumSpendNotMet { .. })
    ));
}

#[test]
fn percentage_coupon_is_capped_and_rounded_once() {
    let cases = [
        ("33.35", None, "3.34"),
        ("300.00", Some("20.00"), "20.00"),
        ("100.00", Some("20.00"), "10.00"),
    ];
    for (price, cap, off) in cases {
        let shop = a_shop().with_coupon(percentage_coupon("TENPCT", 10, cap));
        let quoted = quote(
            &a_basket()
                .with_line("TEA-1", price, 1)
                .with_coupon("TENPCT"),
            &shop,
        );
        assert_eq!(
            quoted.discount_total.amount_string(),
            off,
            "{price} cap {cap:?}"
        );
        assert_eq!(quoted.order_adjustments[0].kind, AdjustmentKind::Coupon);
    }
}

#[test]
fn stackable_coupons_combine_and_codes_are_case_and_order_insensitive() {
    let shop = a_shop()
        .with_coupon(coupon("FIVE", "5.00"))
        .with_coupon(coupon("TEN", "10.00"));
    let one = quote(
        &a_basket()
            .with_line("TEA-1", "100.00", 1)
            .with_coupon("ten")
            .with_coupon("FIVE"),
        &shop,
    );
    let other = quote(
        &a_basket()
            .with_line("TEA-1", "100.00", 1)
            .with_coupon("FIVE")
            .with_coupon("TEN")
            .with_coupon("five"),
        &shop,
    );
    assert_eq!(one.discount_total, cny("15.00"));
    assert_eq!(one, other);
}

#[test]
fn exclusive_coupon_applies_alone_when_worth_more_than_the_stackable_ones() {
    let cases = [
        // exclusive coupon value, applied codes, rejected code and the winner it names
        ("20.00", vec!["BIG"], vec![("FIVE", "BIG"), ("TEN", "BIG")]),
        ("12.00", vec!["FIVE", "TEN"], vec![("BIG", "FIVE")]),
        // A tie keeps the stackable set.
        ("15.00", vec!["FIVE", "TEN"], vec![("BIG", "FIVE")]),
    ];
    for (big, applied, rejected) in cases {
        let shop = a_shop()
            .with_coupon(coupon("FIVE", "5.00"))
            .with_coupon(coupon("TEN", "10.00"))
            .with_coupon(Coupon {
                stacking: Stacking::Exclusive,
                ..coupon("BIG", big)
            });
        let quoted = quote(
            &a_basket()
                .with_line("TEA-1", "100.00", 1)
                .with_coupon("BIG")
                .with_coupon("FIVE")
                .with_coupon("TEN"),
            &shop,
        );
        let got: Vec<String> = quoted
            .order_adjustments
            .iter()
            .map(|adjustment| match &adjustment.source {
                DiscountSource::Coupon(code) => code.to_string(),
                DiscountSource::Promotion(id) => id.to_string(),
            })
            .collect();
        assert_eq!(got, applied, "BIG worth {big}");
        let turned_away: Vec<(CouponCode, CouponRejection)> = rejected
            .iter()
            .map(|(loser, winner)| (code(loser), CouponRejection::NotStackableWith(code(winner))))
            .collect();
        let got_rejected: Vec<(CouponCode, CouponRejection)> = quoted
            .rejected_coupons
            .iter()
            .map(|rejected| (rejected.code.clone(), rejected.reason.clone()))
            .collect();
        assert_eq!(got_rejected, turned_away, "BIG worth {big}");
    }
}

#[test]
fn coupon_choice_counts_only_what_fits_under_the_ceiling() {
    // Ceiling 12 % of 100.00 = 12.00: the stackable pair (15.00) and the exclusive coupon
    // (20.00) are both worth 12.00 here, and a tie keeps the stackable pair.
    let shop = a_shop()
        .with_coupon(coupon("FIVE", "5.00"))
        .with_coupon(coupon("TEN", "10.00"))
        .with_coupon(Coupon {
            stacking: Stacking::Exclusive,
            ..coupon("BIG", "20.00")
        })
        .with_ceiling(12);
    let quoted = quote(
        &a_basket()
            .with_line("TEA-1", "100.00", 1)
            .with_coupon("BIG")
            .with_coupon("FIVE")
            .with_coupon("TEN"),
        &shop,
    );
    let applied: Vec<String> = quoted
        .order_adjustments
        .iter()
        .map(|adjustment| adjustment.amount.amount_string())
        .collect();
    assert_eq!(applied, vec!["5.00", "7.00"]);
    assert!(quoted.order_adjustments[1].reason.contains("ceiling"));
    assert_eq!(
        rejection(&quoted, "BIG"),
        Some(CouponRejection::NotStackableWith(code("FIVE")))
    );
    assert_eq!(quoted.total, cny("88.00"));
}
