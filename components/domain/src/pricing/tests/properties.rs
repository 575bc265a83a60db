//! Property tests: the money invariants of DESIGN.md hold for any basket and any mix of rules.

use proptest::prelude::*;

use super::*;

fn cents(cents: i64) -> Money {
    Money::exact(Decimal::new(cents, 2), Currency::CNY)
}

prop_compose! {
    /// 1 to 12 lines of 0.01 to 800.00, quantities 1 to 6, in one of three categories.
    fn arb_basket()(
        lines in prop::collection::vec((1i64..80_000, 1u32..7, 0usize..3), 1..12),
        codes in prop::collection::vec(prop::sample::select(vec!["FIVE", "PCT", "BIG", "NOPE"]), 0..4),
        delivered in any::<bool>(),
        flash_left in 0u32..10,
        member in any::<bool>(),
    ) -> PricingInput {
        let mut basket = a_basket().at_store();
        for (index, (price, quantity, category)) in lines.into_iter().enumerate() {
            basket = basket.with_line_in(
                &format!("SKU-{index}"),
                &cents(price).amount_string(),
                quantity,
                ["TEA", "CUPS", "SNACKS"][category],
            );
        }
        for code in codes {
            basket = basket.with_coupon(code);
        }
        if delivered {
            basket = basket.delivered(2_000);
        }
        if member {
            basket = basket.for_customer(Some("GOLD"));
        }
        basket.facts.flash_sale_units_left.insert(pid("FLASH"), flash_left);
        basket.facts.stock.insert(sku("SKU-0"), StockCover { on_hand: 500, average_daily_sales: Decimal::ONE });
        basket
    }
}

prop_compose! {
    /// A shop with any subset of every promotion kind, three coupons and any ceiling.
    fn arb_shop()(
        percent in prop::option::of(0u8..=100),
        amount in prop::option::of(1i64..5_000),
        flash_price in prop::option::of(0i64..20_000),
        bxgy in any::<bool>(),
        markdown in any::<bool>(),
        threshold in any::<bool>(),
        free_delivery_at in prop::option::of(0i64..50_000),
        coupon_off in 1i64..30_000,
        coupon_percent in 0u8..=100,
        big_off in 1i64..60_000,
        ceiling in 0u8..=100,
        exclusive in any::<bool>(),
    ) -> PricingRules {
        let mut shop = a_shop().with_ceiling(ceiling);
        shop.member_tiers.insert(
            TierId::parse("GOLD").unwrap(),
            MemberTier { discount: Some(pct(5)), prices: [(sku("SKU-1"), cny("1.00"))].into() },
        );
        if let Some(percent) = percent {
            let promotion = percentage_off("PCT", percent).on_category("TEA").priority(3);
            shop = shop.with(if exclusive { promotion.exclusive() } else { promotion });
        }
        if let Some(amount) = amount {
            shop = shop.with(promotion("AMOUNT", PromotionKind::AmountOff(AmountOff { per_unit: cents(amount) })).on_category("CUPS"));
        }
        if let Some(price) = flash_price {
            shop = shop.with(flash_sale("FLASH", &cents(price).amount_string(), 5, Some(3)).priority(9));
        }
        if bxgy {
            shop = shop.with(buy_x_get_y("B2G1", 2, 1, Reward::Free));
        }
        if markdown {
            shop = shop.with(stock_markdown("CLEARANCE", 40, 30));
        }
        if threshold {
            shop = shop.with(manjian()).with(spend_threshold("SNACKS", &[("50", "45")]).on_category("SNACKS"));
        }
        if let Some(minimum) = free_delivery_at {
            shop = shop.with(free_delivery("FREE-SHIP", &cents(minimum).amount_string()));
        }
        shop = shop
            .with_coupon(coupon("FIVE", &cents(coupon_off).amount_string()))
            .with_coupon(percentage_coupon("PCT", coupon_percent, Some("50.00")))
            .with_coupon(Coupon { stacking: Stacking::Exclusive, ..coupon("BIG", &cents(big_off).amount_string()) });
        shop
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn total_is_never_negative(basket in arb_basket(), shop in arb_shop()) {
        let quoted = quote(&basket, &shop);
        prop_assert!(!quoted.total.is_negative());
        for line in &quoted.lines {
            prop_assert!(!line.net_total.is_negative(), "{:?}", line);
            prop_assert!(!line.line_total.is_negative(), "{:?}", line);
        }
    }

    #[test]
    fn allocations_sum_exactly_to_each_order_level_discount(basket in arb_basket(), shop in arb_shop()) {
        let quoted = quote(&basket, &shop);
        for adjustment in &quoted.order_adjustments {
            let allocated: Decimal = adjustment.allocations.iter().map(Money::amount).sum();
            prop_assert_eq!(allocated, adjustment.amount.amount(), "{:?}", adjustment);
            prop_assert!(adjustment.allocations.iter().all(|share| !share.is_negative()));
        }
        // And the lines add up to the quote, to the cent.
        let net: Decimal = quoted.lines.iter().map(|line| line.net_total.amount()).sum();
        prop_assert_eq!(net, quoted.subtotal.amount() - quoted.discount_total.amount());
        prop_assert_eq!(quoted.total.amount(), net + quoted.delivery.charged.amount());
        for line in &quoted.lines {
            prop_assert_eq!(line.net_total.amount(), line.line_total.amount() - line.order_discount_share.amount());
        }
    }

    #[test]
    fn same_input_gives_the_same_quote(basket in arb_basket(), shop in arb_shop()) {
        let first = quote(&basket, &shop);
        prop_assert_eq!(&first, &quote(&basket.clone(), &shop.clone()));
        // Neither the order codes were typed in nor the order rules were listed in matters.
        let mut reordered_basket = basket.clone();
        reordered_basket.coupon_codes.reverse();
        let mut reordered_shop = shop.clone();
        reordered_shop.promotions.reverse();
        prop_assert_eq!(&first, &quote(&reordered_basket, &reordered_shop));
    }

    #[test]
    fn total_discount_never_exceeds_the_ceiling_share_of_the_subtotal(basket in arb_basket(), shop in arb_shop()) {
        let quoted = quote(&basket, &shop);
        let share = shop.discount_ceiling.max_share.fraction();
        prop_assert!(quoted.discount_total.amount() <= quoted.subtotal.amount() * share,
            "{} > {} × {}", quoted.discount_total, quoted.subtotal, share);
    }
}
