//! One table per promotion kind, with the source plan's examples where it gives them.

use std::collections::BTreeMap;

use super::*;

#[test]
fn highest_threshold_tier_reached_applies() {
    // The plan's 满100减10 / 满200减30 at the edges of each tier.
    let cases = [
        // basket, discount, total, hint
        (
            "99.99",
            "0.00",
            "99.99",
            Some("spend 0.01 CNY more for 满100减10"),
        ),
        (
            "100.00",
            "10.00",
            "90.00",
            Some("spend 100.00 CNY more for 满200减30"),
        ),
        (
            "199.99",
            "10.00",
            "189.99",
            Some("spend 0.01 CNY more for 满200减30"),
        ),
        ("250.00", "30.00", "220.00", None),
    ];
    let shop = a_shop().with(manjian());
    for (basket, discount, total, hint) in cases {
        let quoted = quote(&a_basket().with_line("TEA-1", basket, 1), &shop);
        assert_eq!(
            (
                quoted.discount_total.amount_string().as_str(),
                quoted.total.amount_string().as_str()
            ),
            (discount, total),
            "basket {basket}"
        );
        assert_eq!(
            quoted.hints.first().map(|hint| hint.message.as_str()),
            hint,
            "basket {basket}"
        );
    }
}

#[test]
fn threshold_discount_is_order_level_and_allocated_to_targeted_lines_only() {
    let shop = a_shop().with(manjian().on_category("TEA"));
    let basket = a_basket()
        .with_line("TEA-1", "150.00", 1)
        .with_line("TEA-2", "50.00", 1)
        .with_line_in("CUP-1", "80.00", 1, "CUPS");
    let quoted = quote(&basket, &shop);
    let adjustment = &quoted.order_adjustments[0];
    assert_eq!(adjustment.amount, cny("30.00"));
    assert_eq!(adjustment.kind, AdjustmentKind::SpendThresholdTiers);
    assert_eq!(
        adjustment.allocations,
        vec![cny("22.50"), cny("7.50"), cny("0.00")]
    );
    assert!(
        adjustment.reason.contains("满200减30"),
        "{}",
        adjustment.reason
    );
    assert_eq!(quoted.lines[2].net_total, cny("80.00"));
}

#[test]
fn threshold_spend_is_measured_after_line_promotions() {
    // 210.00 at 10 % off is 189.00: the 满200 tier is not reached.
    let shop = a_shop().with(percentage_off("TEN", 10)).with(manjian());
    let quoted = quote(&a_basket().with_line("TEA-1", "210.00", 1), &shop);
    assert_eq!(quoted.order_adjustments[0].amount, cny("10.00"));
    assert_eq!(amounts(&quoted).2, "179.00");
}

#[test]
fn percentage_off_applies_to_its_target_only() {
    let cases = [
        (
            percentage_off("P", 20).on_skus(&["TEA-1"]),
            vec!["20.00"],
            vec![],
        ),
        (
            percentage_off("P", 20).on_category("CUPS"),
            vec![],
            vec!["10.00"],
        ),
        (
            percentage_off("P", 20).on_brand("ACME"),
            vec!["20.00"],
            vec!["10.00"],
        ),
        (percentage_off("P", 20).on_brand("OTHER"), vec![], vec![]),
    ];
    for (promotion, tea, cup) in cases {
        let basket = a_basket()
            .with_line("TEA-1", "100.00", 1)
            .with_line_in("CUP-1", "50.00", 1, "CUPS");
        let quoted = quote(&basket, &a_shop().with(promotion.clone()));
        assert_eq!(line_discounts(&quoted, 0), tea, "{:?}", promotion.target);
        assert_eq!(line_discounts(&quoted, 1), cup, "{:?}", promotion.target);
    }
}

#[test]
fn percentage_off_is_rounded_once_per_line_half_away_from_zero() {
    // 3 × 3.35 = 10.05; 15 % of it is 1.5075 → 1.51.
    let quoted = quote(
        &a_basket().with_line("TEA-1", "3.35", 3),
        &a_shop().with(percentage_off("P", 15)),
    );
    assert_eq!(line_discounts(&quoted, 0), vec!["1.51"]);
    assert_eq!(quoted.lines[0].line_total, cny("8.54"));
}

#[test]
fn amount_off_is_per_unit_and_never_takes_a_line_below_zero() {
    let cases = [
        ("20.00", 3, "5.00", "15.00", "45.00"),
        ("3.00", 2, "5.00", "6.00", "0.00"),
    ];
    for (price, quantity, off, discount, total) in cases {
        let quoted = quote(
            &a_basket().with_line("TEA-1", price, quantity),
            &a_shop().with(amount_off("A", off)),
        );
        assert_eq!(
            (
                quoted.discount_total.amount_string(),
                quoted.total.amount_string()
            ),
            (discount.to_owned(), total.to_owned()),
            "{quantity} × {price} with {off} off each"
        );
    }
}

#[test]
fn flash_sale_cap_running_out_mid_basket_leaves_the_rest_at_regular_price() {
    let shop = a_shop().with(flash_sale("FLASH", "9.90", 100, None).on_category("TEA"));
    let mut basket = a_basket()
        .with_line("TEA-1", "19.90", 2)
        .with_line("TEA-2", "15.90", 2);
    basket.facts.flash_sale_units_left = BTreeMap::from([(pid("FLASH"), 3)]);
    let quoted = quote(&basket, &shop);
    // Line order decides: TEA-1 takes 2 units, TEA-2 the last one.
    assert_eq!(line_discounts(&quoted, 0), vec!["20.00"]);
    assert_eq!(line_discounts(&quoted, 1), vec!["6.00"]);
    assert!(
        quoted.lines[1].adjustments[0]
            .reason
            .contains("1 at 15.90 CNY")
    );
    assert_eq!(
        quoted.flash_sales,
        vec![FlashSaleUsage {
            promotion: pid("FLASH"),
            units: 3,
            units_left: 0
        }]
    );
}

#[test]
fn flash_sale_limits_per_customer_count_prior_purchases() {
    let shop = a_shop().with(flash_sale("FLASH", "9.90", 100, Some(3)));
    let cases = [(0, 3), (2, 1), (3, 0), (7, 0)];
    for (already_bought, at_flash_price) in cases {
        let mut basket = a_basket().for_customer(None).with_line("TEA-1", "19.90", 5);
        basket.facts.flash_sale_units_bought = BTreeMap::from([(pid("FLASH"), already_bought)]);
        let quoted = quote(&basket, &shop);
        let expected = cny("10.00")
            .checked_mul(Decimal::from(at_flash_price))
            .unwrap();
        assert_eq!(quoted.discount_total, expected, "bought {already_bought}");
    }
}

#[test]
fn flash_sale_applies_only_inside_its_window() {
    let ended = ValidityWindow {
        starts_at: now() - Duration::hours(2),
        ends_at: now(),
    };
    let shop = a_shop().with(flash_sale("FLASH", "9.90", 100, None).during(ended));
    let quoted = quote(&a_basket().with_line("TEA-1", "19.90", 1), &shop);
    assert!(quoted.lines[0].adjustments.is_empty());
    assert!(quoted.flash_sales.is_empty());
}

#[test]
fn member_tier_price_wins_over_tier_discount() {
    let mut shop = a_shop();
    shop.member_tiers.insert(
        TierId::parse("GOLD").unwrap(),
        MemberTier {
            discount: Some(pct(10)),
            prices: [(sku("TEA-1"), cny("80.00")), (sku("TEA-3"), cny("120.00"))].into(),
        },
    );
    let basket = |tier: Option<&str>| {
        a_basket()
            .for_customer(tier)
            .with_line("TEA-1", "100.00", 1)
            .with_line("TEA-2", "33.35", 1)
            .with_line("TEA-3", "100.00", 1)
    };
    let cases = [
        // tier, unit prices: explicit price, 10 % off (3.335 → 3.34 off), tier price above list
        // (ignored: a member never pays more than a non-member)
        (Some("GOLD"), ["80.00", "30.01", "100.00"]),
        (Some("SILVER"), ["100.00", "33.35", "100.00"]),
        (None, ["100.00", "33.35", "100.00"]),
    ];
    for (tier, units) in cases {
        let quoted = quote(&basket(tier), &shop);
        let got: Vec<String> = quoted
            .lines
            .iter()
            .map(|line| line.unit_price.amount_string())
            .collect();
        assert_eq!(got, units, "tier {tier:?}");
    }
    let gold = quote(&basket(Some("GOLD")), &shop);
    assert!(matches!(
        gold.lines[0].unit_price_source,
        UnitPriceSource::TierPrice { .. }
    ));
    assert!(matches!(
        gold.lines[1].unit_price_source,
        UnitPriceSource::TierDiscount { .. }
    ));
}

#[test]
fn store_price_replaces_list_price_at_that_store_only() {
    let mut shop = a_shop();
    shop.store_prices.set(&store(), sku("TEA-1"), cny("88.00"));
    let at_store = quote(
        &a_basket().at_store().with_line("TEA-1", "100.00", 2),
        &shop,
    );
    let elsewhere = quote(&a_basket().with_line("TEA-1", "100.00", 2), &shop);
    assert_eq!(at_store.subtotal, cny("176.00"));
    assert_eq!(at_store.lines[0].list_price, cny("100.00"));
    assert_eq!(elsewhere.subtotal, cny("200.00"));
}

#[test]
fn buy_x_get_y_rewards_the_cheapest_units_of_the_pool() {
    let cases = [
        // lines (price, quantity), reward, discounts per line
        (vec![("30.00", 3)], Reward::Free, vec![vec!["30.00"]]),
        (vec![("30.00", 2)], Reward::Free, vec![vec![]]),
        (
            vec![("30.00", 2), ("10.00", 1)],
            Reward::Free,
            vec![vec![], vec!["10.00"]],
        ),
        (
            vec![("30.00", 4), ("10.00", 2)],
            Reward::Free,
            vec![vec![], vec!["20.00"]],
        ),
        (
            vec![("30.00", 6)],
            Reward::PercentageOff(pct(50)),
            vec![vec!["30.00"]],
        ),
    ];
    for (lines, reward, expected) in cases {
        let mut basket = a_basket();
        for (index, (price, quantity)) in lines.iter().enumerate() {
            basket = basket.with_line(&format!("TEA-{index}"), price, *quantity);
        }
        let quoted = quote(&basket, &a_shop().with(buy_x_get_y("B2G1", 2, 1, reward)));
        let got: Vec<Vec<String>> = (0..lines.len())
            .map(|index| line_discounts(&quoted, index))
            .collect();
        assert_eq!(got, expected, "{lines:?} {reward:?}");
    }
}

#[test]
fn stock_markdown_applies_when_stock_covers_more_than_n_days_of_sales() {
    let cases = [
        // on hand, average daily sales, at a store, marked down
        (Some((100, "2")), true, true),
        (Some((60, "2")), true, false),
        (Some((10, "0")), true, true),
        (Some((0, "0")), true, false),
        (None, true, false),
        (Some((100, "2")), false, false),
    ];
    let shop = a_shop().with(stock_markdown("CLEARANCE", 30, 30));
    for (cover, at_store, marked_down) in cases {
        let mut basket = a_basket().with_line("TEA-1", "10.00", 1);
        if at_store {
            basket = basket.at_store();
        }
        if let Some((on_hand, sales)) = cover {
            basket.facts.stock.insert(
                sku("TEA-1"),
                StockCover {
                    on_hand,
                    average_daily_sales: decimal(sales),
                },
            );
        }
        let quoted = quote(&basket, &shop);
        let expected: Vec<&str> = if marked_down { vec!["3.00"] } else { vec![] };
        assert_eq!(
            line_discounts(&quoted, 0),
            expected,
            "{cover:?} at store {at_store}"
        );
    }
}
