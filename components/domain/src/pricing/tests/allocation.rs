//! The remainder rule of `allocate`, by example.

use super::*;

#[test]
fn allocation_gives_leftover_cents_to_the_largest_remainders_then_line_order() {
    let cases = [
        // discount, weights, shares
        (
            "0.10",
            vec!["1.00", "1.00", "1.00"],
            vec!["0.04", "0.03", "0.03"],
        ),
        (
            "10.00",
            vec!["33.33", "33.33", "33.34"],
            vec!["3.33", "3.33", "3.34"],
        ),
        (
            "0.02",
            vec!["1.00", "2.00", "1.00"],
            vec!["0.01", "0.01", "0.00"],
        ),
        (
            "30.00",
            vec!["150.00", "50.00", "0.00"],
            vec!["22.50", "7.50", "0.00"],
        ),
        ("5.00", vec!["5.00"], vec!["5.00"]),
        ("0.00", vec!["5.00", "1.00"], vec!["0.00", "0.00"]),
    ];
    for (discount, weights, shares) in cases {
        let weights: Vec<Money> = weights.into_iter().map(cny).collect();
        let got: Vec<String> = allocate(cny(discount), &weights)
            .unwrap()
            .iter()
            .map(Money::amount_string)
            .collect();
        assert_eq!(got, shares, "{discount} over {weights:?}");
    }
}

#[test]
fn allocation_refuses_a_discount_larger_than_its_lines() {
    assert!(allocate(cny("10.01"), &[cny("10.00")]).is_err());
}
