//! How promotions combine: priorities, exclusive promotions, and the discount ceiling.

use super::*;

#[test]
fn stackable_percentages_compound_in_priority_order() {
    let shop = a_shop()
        .with(percentage_off("TWENTY", 20).priority(10))
        .with(percentage_off("TEN", 10).priority(5));
    let quoted = quote(&a_basket().with_line("TEA-1", "100.00", 1), &shop);
    // 20 % of 100.00, then 10 % of the 80.00 left.
    assert_eq!(line_discounts(&quoted, 0), vec!["20.00", "8.00"]);
    assert_eq!(quoted.lines[0].adjustments[0].promotion, pid("TWENTY"));
}

#[test]
fn exclusive_promotion_applies_alone_on_its_lines() {
    let cases = [
        // (higher priority, lower priority) → promotions applied on the line
        (
            flash_sale("FLASH", "9.90", 100, None)
                .exclusive()
                .priority(10),
            percentage_off("TEN", 10).priority(1),
            vec!["FLASH"],
        ),
        (
            percentage_off("TEN", 10).priority(10),
            flash_sale("FLASH", "9.90", 100, None)
                .exclusive()
                .priority(1),
            vec!["TEN"],
        ),
        (
            percentage_off("TEN", 10).priority(10),
            flash_sale("FLASH", "9.90", 100, None).priority(1),
            vec!["TEN", "FLASH"],
        ),
    ];
    for (first, second, applied) in cases {
        let shop = a_shop().with(second).with(first);
        let quoted = quote(&a_basket().with_line("TEA-1", "19.90", 1), &shop);
        let got: Vec<String> = quoted.lines[0]
            .adjustments
            .iter()
            .map(|adjustment| adjustment.promotion.to_string())
            .collect();
        assert_eq!(got, applied);
    }
}

#[test]
fn exclusive_promotion_leaves_other_lines_to_the_others() {
    let shop = a_shop()
        .with(
            flash_sale("FLASH", "9.90", 100, None)
                .on_skus(&["TEA-1"])
                .exclusive()
                .priority(9),
        )
        .with(percentage_off("TEN", 10));
    let quoted = quote(
        &a_basket()
            .with_line("TEA-1", "19.90", 1)
            .with_line("TEA-2", "50.00", 1),
        &shop,
    );
    assert_eq!(line_discounts(&quoted, 0), vec!["10.00"]);
    assert_eq!(line_discounts(&quoted, 1), vec!["5.00"]);
}

#[test]
fn equal_priorities_apply_in_promotion_id_order() {
    let shop = a_shop()
        .with(amount_off("B-FIVE", "5.00").exclusive())
        .with(amount_off("A-TWO", "2.00").exclusive());
    let quoted = quote(&a_basket().with_line("TEA-1", "50.00", 1), &shop);
    assert_eq!(quoted.lines[0].adjustments[0].promotion, pid("A-TWO"));
    assert_eq!(quoted.lines[0].adjustments.len(), 1);
}

#[test]
fn exclusive_threshold_promotion_keeps_other_threshold_promotions_off() {
    let store_wide = spend_threshold("STORE-WIDE", &[("100", "10")]);
    let festival = spend_threshold("FESTIVAL", &[("100", "20")])
        .exclusive()
        .priority(5);
    let quoted = quote(
        &a_basket().with_line("TEA-1", "150.00", 1),
        &a_shop().with(store_wide.clone()).with(festival),
    );
    assert_eq!(quoted.order_adjustments.len(), 1);
    assert_eq!(quoted.discount_total, cny("20.00"));

    let both = quote(
        &a_basket().with_line("TEA-1", "150.00", 1),
        &a_shop()
            .with(store_wide)
            .with(spend_threshold("FESTIVAL", &[("100", "20")]).priority(5)),
    );
    assert_eq!(both.discount_total, cny("30.00"));
}

#[test]
fn ceiling_binds_and_cuts_coupons_before_promotions() {
    // Subtotal 200.00, ceiling 20 % = 40.00: 30 % off wants 60.00 and gets 40.00; the coupon
    // finds nothing left under the ceiling.
    let shop = a_shop()
        .with(percentage_off("THIRTY", 30))
        .with_coupon(coupon("TEN", "10.00"))
        .with_ceiling(20);
    let quoted = quote(
        &a_basket()
            .with_line("TEA-1", "200.00", 1)
            .with_coupon("TEN"),
        &shop,
    );
    assert_eq!(
        amounts(&quoted),
        ("200.00".into(), "40.00".into(), "160.00".into())
    );
    assert!(quoted.discount_ceiling.binding);
    assert!(quoted.lines[0].adjustments[0].reason.contains("ceiling"));
    assert_eq!(
        quoted.rejected_coupons[0].reason,
        CouponRejection::DiscountCeilingReached
    );

    let loose = quote(
        &a_basket()
            .with_line("TEA-1", "200.00", 1)
            .with_coupon("TEN"),
        &shop.clone().with_ceiling(50),
    );
    assert_eq!(loose.discount_total, cny("70.00"));
    assert!(!loose.discount_ceiling.binding);
}

#[test]
fn ceiling_cap_is_rounded_down_to_the_cent() {
    // 15 % of 33.33 is 4.9995: the cap is 4.99, never 5.00.
    let shop = a_shop().with(percentage_off("HALF", 50)).with_ceiling(15);
    let quoted = quote(&a_basket().with_line("TEA-1", "33.33", 1), &shop);
    assert_eq!(quoted.discount_ceiling.cap, cny("4.99"));
    assert_eq!(quoted.discount_total, cny("4.99"));
}

#[test]
fn promotions_threshold_and_coupon_combine_in_sequence() {
    // 5-line festival basket: line promotions, then 满减 on what is left, then a coupon.
    let shop = a_shop()
        .with(percentage_off("TEA-10", 10).on_category("TEA"))
        .with(buy_x_get_y("CUPS-B2G1", 2, 1, Reward::Free).on_category("CUPS"))
        .with(manjian())
        .with_coupon(coupon("FIVE", "5.00"));
    let basket = a_basket()
        .with_line("TEA-1", "100.00", 1)
        .with_line("TEA-2", "60.00", 1)
        .with_line_in("CUP-1", "20.00", 3, "CUPS")
        .with_coupon("FIVE");
    let quoted = quote(&basket, &shop);
    // Subtotal 220.00; tea 10 % = 16.00; one cup free = 20.00; 184.00 left → 满100减10;
    // 174.00 left → coupon 5.00.
    assert_eq!(
        amounts(&quoted),
        ("220.00".into(), "51.00".into(), "169.00".into())
    );
    let net: Vec<String> = quoted
        .lines
        .iter()
        .map(|l| l.net_total.amount_string())
        .collect();
    let sum = net.iter().map(|n| decimal(n)).sum::<Decimal>();
    assert_eq!(sum, decimal("169.00"));
}

#[test]
fn errors_name_what_is_not_priceable() {
    assert_eq!(
        price_basket(&a_basket(), &a_shop(), now()),
        Err(PricingError::EmptyBasket)
    );
    let mut euro = a_basket().with_line("TEA-1", "10.00", 1);
    euro.lines[0].list_price = Money::parse("10.00", Currency::parse("EUR").unwrap()).unwrap();
    assert_eq!(
        price_basket(&euro, &a_shop(), now()),
        Err(PricingError::CurrencyMismatch {
            field: "lines[0].list_price".into(),
            expected: Currency::CNY,
            found: Currency::parse("EUR").unwrap()
        })
    );
    let mut sub_cent = a_basket().with_line("TEA-1", "10.00", 1);
    sub_cent.lines[0].list_price = Money::exact(decimal("9.999"), Currency::CNY);
    assert!(matches!(
        price_basket(&sub_cent, &a_shop(), now()),
        Err(PricingError::SubCentAmount { .. })
    ));
    let one_line = a_basket().with_line("TEA-1", "10.00", 1);
    let twins = a_shop()
        .with(percentage_off("SAME", 10))
        .with(amount_off("SAME", "1.00"));
    assert!(matches!(
        price_basket(&one_line, &twins, now()),
        Err(PricingError::InvalidRule { rule, .. }) if rule == "SAME"
    ));
    let buy_nothing = a_shop().with(buy_x_get_y("B0G1", 0, 1, Reward::Free));
    assert!(matches!(
        price_basket(&one_line, &buy_nothing, now()),
        Err(PricingError::InvalidRule { .. })
    ));
    let mut overflowing = a_basket().with_line("TEA-1", "10.00", 999);
    overflowing.lines[0].list_price = Money::exact(Decimal::MAX, Currency::CNY);
    assert!(price_basket(&overflowing, &a_shop(), now()).is_err());
}
