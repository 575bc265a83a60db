//! Delivery fees by distance band and the free-delivery promotion.

use super::*;

#[test]
fn pickup_is_free_and_delivery_is_priced_by_distance_band() {
    let cases = [
        (Fulfilment::Pickup, "0.00"),
        (Fulfilment::Delivery { distance_m: 0 }, "5.00"),
        (Fulfilment::Delivery { distance_m: 3_000 }, "5.00"),
        (Fulfilment::Delivery { distance_m: 3_001 }, "10.00"),
        (Fulfilment::Delivery { distance_m: 8_000 }, "10.00"),
    ];
    for (fulfilment, fee) in cases {
        let mut basket = a_basket().with_line("TEA-1", "20.00", 1);
        basket.fulfilment = fulfilment.clone();
        let quoted = quote(&basket, &a_shop());
        assert_eq!(
            quoted.delivery.charged.amount_string(),
            fee,
            "{fulfilment:?}"
        );
        assert_eq!(
            quoted.total,
            cny("20.00").checked_add(&quoted.delivery.charged).unwrap()
        );
    }
}

#[test]
fn delivery_beyond_the_last_band_is_not_deliverable() {
    let basket = a_basket().with_line("TEA-1", "20.00", 1).delivered(8_001);
    assert_eq!(
        price_basket(&basket, &a_shop(), now()),
        Err(PricingError::NotDeliverable {
            distance_m: 8_001,
            farthest_m: 8_000
        })
    );
}

#[test]
fn free_delivery_waives_the_fee_from_its_threshold_and_hints_below_it() {
    let shop = a_shop().with(free_delivery("FREE-SHIP", "99.00"));
    let cases = [
        ("98.50", "5.00", None, Some("0.50")),
        ("99.00", "0.00", Some(pid("FREE-SHIP")), None),
    ];
    for (price, charged, waived_by, short_by) in cases {
        let quoted = quote(
            &a_basket().with_line("TEA-1", price, 1).delivered(1_000),
            &shop,
        );
        assert_eq!(quoted.delivery.fee, cny("5.00"));
        assert_eq!(quoted.delivery.charged.amount_string(), charged, "{price}");
        assert_eq!(quoted.delivery.waived_by, waived_by, "{price}");
        assert_eq!(
            quoted
                .hints
                .first()
                .map(|hint| hint.short_by.amount_string()),
            short_by.map(str::to_owned),
            "{price}"
        );
        // The waiver is not a discount on goods.
        assert_eq!(quoted.discount_total, cny("0"));
    }
}

#[test]
fn free_delivery_threshold_counts_the_goods_after_coupons() {
    let shop = a_shop()
        .with(free_delivery("FREE-SHIP", "99.00"))
        .with_coupon(coupon("TEN", "10.00"));
    let quoted = quote(
        &a_basket()
            .with_line("TEA-1", "100.00", 1)
            .delivered(1_000)
            .with_coupon("TEN"),
        &shop,
    );
    assert_eq!(quoted.delivery.charged, cny("5.00"));
    assert_eq!(quoted.total, cny("95.00"));
}
