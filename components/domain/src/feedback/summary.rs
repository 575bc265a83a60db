//! The aggregate of a set of ratings: how many, how they spread over 1 to 5 stars, and their
//! average. The average is exact arithmetic on decimals (the sum over the count), rounded once
//! to 2 decimal places, half away from zero (4.125 → 4.13), and sent as a string ("4.13");
//! with no ratings it is `None` (null on the wire), not 0.

use rust_decimal::{Decimal, RoundingStrategy};

/// Count and distribution of ratings of 1 to 5 stars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatingSummary {
    /// `distribution[i]` is how many ratings of `i + 1` stars.
    pub distribution: [u64; 5],
}

impl RatingSummary {
    /// Decimal places of the average.
    pub const AVERAGE_SCALE: u32 = 2;

    /// From (stars, how many) pairs; pairs outside 1 to 5 stars are not ratings and are
    /// ignored (the table's CHECK keeps them out).
    pub fn from_counts(counts: impl IntoIterator<Item = (i64, u64)>) -> Self {
        let mut summary = RatingSummary::default();
        for (stars, n) in counts {
            if (1..=5).contains(&stars) {
                summary.distribution[(stars - 1) as usize] += n;
            }
        }
        summary
    }

    pub fn count(&self) -> u64 {
        self.distribution.iter().sum()
    }

    /// The average number of stars, rounded to 2 places half away from zero.
    pub fn average(&self) -> Option<Decimal> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let sum: u64 = self
            .distribution
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1) * n)
            .sum();
        let exact = Decimal::from(sum).checked_div(Decimal::from(count))?;
        let mut rounded = exact
            .round_dp_with_strategy(Self::AVERAGE_SCALE, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(Self::AVERAGE_SCALE);
        Some(rounded)
    }

    /// The average as sent: `"4.33"`, or `None`.
    pub fn average_string(&self) -> Option<String> {
        self.average().map(|a| a.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(ratings: &[i64]) -> RatingSummary {
        RatingSummary::from_counts(ratings.iter().map(|s| (*s, 1)))
    }

    #[test]
    fn no_ratings_have_no_average_and_a_zero_distribution() {
        let none = of(&[]);
        assert_eq!(none.count(), 0);
        assert_eq!(none.average_string(), None);
        assert_eq!(none.distribution, [0; 5]);
    }

    #[test]
    fn the_average_is_rounded_once_to_two_places() {
        assert_eq!(of(&[5, 4, 4]).average_string().as_deref(), Some("4.33"));
        assert_eq!(of(&[5, 4]).average_string().as_deref(), Some("4.50"));
        assert_eq!(of(&[5]).average_string().as_deref(), Some("5.00"));
        assert_eq!(of(&[1, 2, 2]).average_string().as_deref(), Some("1.67"));
    }

    #[test]
    fn a_midpoint_rounds_half_away_from_zero_not_to_even() {
        // 33 stars over 8 ratings is 4.125 exactly: 4.13, where banker's rounding gives 4.12.
        let summary = of(&[5, 5, 5, 5, 5, 4, 3, 1]);
        assert_eq!(summary.count(), 8);
        assert_eq!(summary.average_string().as_deref(), Some("4.13"));
    }

    #[test]
    fn the_distribution_counts_each_number_of_stars() {
        let summary = RatingSummary::from_counts([(5, 3), (1, 1), (3, 2), (9, 4), (0, 1)]);
        assert_eq!(summary.distribution, [1, 0, 2, 0, 3]);
        assert_eq!(summary.count(), 6);
        assert_eq!(summary.average_string().as_deref(), Some("3.67"));
    }
}
