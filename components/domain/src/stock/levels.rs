//! A stock level of one sku at one store, and the two rules read from it: what is available to
//! sell online (on hand − reserved − safety stock, never negative) and the low-stock alert
//! (one `stock.low` per crossing of the reorder point, re-armed once available rises above it).

use serde::Serialize;

/// What a store holds of one sku. The database keeps `0 <= reserved <= on_hand`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StockLevel {
    pub on_hand: i64,
    pub reserved: i64,
    /// Units kept back from online sale (display stock, shrinkage buffer).
    pub safety_stock: i64,
    /// At or below this many available units the store should reorder.
    pub reorder_point: i64,
}

impl StockLevel {
    /// Units that can still be reserved: on hand − reserved − safety stock, never negative.
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved - self.safety_stock).max(0)
    }

    /// Units a till may sell in the store: everything on hand that no online order holds
    /// (safety stock is a buffer for online promises, not a ban on selling the shelf).
    pub fn sellable_in_store(&self) -> i64 {
        (self.on_hand - self.reserved).max(0)
    }

    pub fn is_low(&self) -> bool {
        self.available() <= self.reorder_point
    }
}

/// The low-stock alert of one level: armed while available is above the reorder point. When
/// a change takes available to or below it while armed, one `stock.low` is raised and the alert
/// disarms; it re-arms only when available rises above the reorder point again, so a level
/// that hovers low does not raise an event per sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowStockAlert {
    pub armed: bool,
}

/// What a level change means for its alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertOutcome {
    pub armed: bool,
    pub raise_stock_low: bool,
}

impl LowStockAlert {
    pub fn after_change(self, level: &StockLevel) -> AlertOutcome {
        match (self.armed, level.is_low()) {
            (true, true) => AlertOutcome {
                armed: false,
                raise_stock_low: true,
            },
            (_, low) => AlertOutcome {
                armed: !low,
                raise_stock_low: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(on_hand: i64, reserved: i64, safety_stock: i64, reorder_point: i64) -> StockLevel {
        StockLevel {
            on_hand,
            reserved,
            safety_stock,
            reorder_point,
        }
    }

    #[test]
    fn available_is_on_hand_less_reserved_less_safety_stock() {
        assert_eq!(level(30, 5, 2, 0).available(), 23);
    }

    #[test]
    fn available_is_never_negative() {
        assert_eq!(level(3, 2, 5, 0).available(), 0);
        assert_eq!(level(0, 0, 1, 0).available(), 0);
    }

    #[test]
    fn in_store_sales_may_use_safety_stock_but_not_reserved_units() {
        assert_eq!(level(10, 4, 5, 0).sellable_in_store(), 6);
    }

    #[test]
    fn stock_low_is_raised_once_per_crossing_of_the_reorder_point() {
        let alert = LowStockAlert { armed: true };
        let crossed = alert.after_change(&level(5, 0, 0, 5));
        assert_eq!(
            crossed,
            AlertOutcome {
                armed: false,
                raise_stock_low: true
            }
        );
        let still_low = LowStockAlert { armed: false }.after_change(&level(3, 0, 0, 5));
        assert!(!still_low.raise_stock_low && !still_low.armed);
    }

    #[test]
    fn stock_low_re_arms_when_available_rises_above_the_reorder_point() {
        let at_point = LowStockAlert { armed: false }.after_change(&level(5, 0, 0, 5));
        assert!(!at_point.armed, "at the point it is still low");
        let above = LowStockAlert { armed: false }.after_change(&level(6, 0, 0, 5));
        assert!(above.armed && !above.raise_stock_low);
        let again = LowStockAlert { armed: true }.after_change(&level(4, 0, 0, 5));
        assert!(again.raise_stock_low);
    }

    #[test]
    fn an_armed_alert_above_the_point_stays_quiet() {
        let outcome = LowStockAlert { armed: true }.after_change(&level(50, 10, 5, 5));
        assert_eq!(
            outcome,
            AlertOutcome {
                armed: true,
                raise_stock_low: false
            }
        );
    }
}
