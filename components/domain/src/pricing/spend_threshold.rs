//! Spend-threshold tiers (满减, the source plan's marketing chapter): "满100减10, 满200减30" takes
//! 10.00 off when the targeted lines come to at least 100.00 and 30.00 off from 200.00. Only
//! the highest tier reached applies (tiers do not add up), and the amount spent is what the
//! targeted lines cost after line promotions: a tier cannot be reached with money the customer
//! does not pay. The discount is order-level and is allocated back to the targeted lines.

use crate::money::Money;

use super::cents;
use super::error::PricingError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendThresholdTiers {
    pub tiers: Vec<ThresholdTier>,
}

/// One tier: spend at least `spend`, get `off` off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdTier {
    pub spend: Money,
    pub off: Money,
}

impl ThresholdTier {
    /// The tier as shoppers read it: 满200减30.
    pub fn label(&self) -> String {
        format!("满{}减{}", short(self.spend), short(self.off))
    }
}

/// An amount without its currency and without ".00" when whole, as 满减 labels show it.
fn short(amount: Money) -> String {
    let shown = amount.amount_string();
    shown
        .strip_suffix(".00")
        .map(str::to_owned)
        .unwrap_or(shown)
}

impl SpendThresholdTiers {
    /// The highest tier `spent` reaches (ties between equal thresholds: the larger discount).
    pub fn reached(&self, spent: Money) -> Option<&ThresholdTier> {
        self.tiers
            .iter()
            .filter(|tier| cents::at_least(spent, tier.spend))
            .max_by(|a, b| {
                (a.spend.amount(), a.off.amount()).cmp(&(b.spend.amount(), b.off.amount()))
            })
    }

    /// The lowest tier above `spent` that would give more than the tier reached, with how much
    /// more must be spent to reach it: the "almost there" hint.
    pub fn next(&self, spent: Money) -> Result<Option<(&ThresholdTier, Money)>, PricingError> {
        let current_off = self.reached(spent).map(|tier| tier.off.amount());
        let next = self
            .tiers
            .iter()
            .filter(|tier| !cents::at_least(spent, tier.spend))
            .filter(|tier| current_off.is_none_or(|off| tier.off.amount() > off))
            .min_by(|a, b| a.spend.amount().cmp(&b.spend.amount()));
        match next {
            Some(tier) => Ok(Some((tier, tier.spend.checked_sub(&spent)?))),
            None => Ok(None),
        }
    }

    /// The discount for `spent` and why, or `None` when no tier is reached.
    pub(super) fn discount(&self, name: &str, spent: Money) -> Option<(Money, String)> {
        self.reached(spent).map(|tier| {
            (
                cents::min(tier.off, spent),
                format!("{name}: {} (spent {spent})", tier.label()),
            )
        })
    }
}
