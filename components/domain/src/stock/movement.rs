//! Stock movements other than reservations: in-store (POS) sales, receipts from suppliers and
//! adjustments, each with the reason code that explains it in the movement ledger and the
//! audit log.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What moved the stock; the `kind` column of `stock_movements`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MovementKind {
    /// Sold at the till in the store.
    PosSale,
    /// Received from a supplier.
    Receipt,
    /// Corrected by staff, with a reason code.
    Adjustment,
    /// A reservation committed: the goods left the store for an online order.
    ReservationCommit,
}

impl MovementKind {
    /// Whether the movement is a sale: units that left for a customer, in the store or for an
    /// online order. What stock-driven markdown counts as recent sales.
    pub fn is_sale(self) -> bool {
        matches!(
            self,
            MovementKind::PosSale | MovementKind::ReservationCommit
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::PosSale => "pos-sale",
            MovementKind::Receipt => "receipt",
            MovementKind::Adjustment => "adjustment",
            MovementKind::ReservationCommit => "reservation-commit",
        }
    }
}

/// Why staff adjusted a level (lower-kebab on the wire, like every enum value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// A count found a different number on the shelf.
    CountCorrection,
    Damaged,
    Expired,
    /// Theft or unexplained loss.
    Lost,
    /// Units turned up (a recount, a misplaced case).
    Found,
    /// A customer returned goods to the shelf.
    CustomerReturn,
    /// Moved to or from another store.
    Transfer,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 7] = [
        ReasonCode::CountCorrection,
        ReasonCode::Damaged,
        ReasonCode::Expired,
        ReasonCode::Lost,
        ReasonCode::Found,
        ReasonCode::CustomerReturn,
        ReasonCode::Transfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::CountCorrection => "count-correction",
            ReasonCode::Damaged => "damaged",
            ReasonCode::Expired => "expired",
            ReasonCode::Lost => "lost",
            ReasonCode::Found => "found",
            ReasonCode::CustomerReturn => "customer-return",
            ReasonCode::Transfer => "transfer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, MovementError> {
        ReasonCode::ALL
            .into_iter()
            .find(|code| code.as_str() == raw)
            .ok_or(MovementError::UnknownReason)
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MovementError {
    #[error(
        "must be one of count-correction, damaged, expired, lost, found, customer-return, transfer"
    )]
    UnknownReason,
    #[error("must be a non-zero number of units between -{max} and {max}", max = AdjustmentDelta::MAX)]
    DeltaOutOfRange,
}

/// A signed change of on hand by an adjustment: non-zero, at most 100,000 units either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdjustmentDelta(i64);

impl AdjustmentDelta {
    pub const MAX: i64 = 100_000;

    pub fn new(units: i64) -> Result<Self, MovementError> {
        if units != 0 && units.abs() <= Self::MAX {
            Ok(AdjustmentDelta(units))
        } else {
            Err(MovementError::DeltaOutOfRange)
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_round_trip_through_their_wire_names() {
        for code in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(code.as_str()), Ok(code));
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
        assert_eq!(
            ReasonCode::parse("because"),
            Err(MovementError::UnknownReason)
        );
    }

    #[test]
    fn an_adjustment_moves_at_least_one_unit_and_is_bounded() {
        assert!(AdjustmentDelta::new(0).is_err());
        assert!(AdjustmentDelta::new(100_001).is_err());
        assert_eq!(AdjustmentDelta::new(-3).unwrap().get(), -3);
        assert_eq!(AdjustmentDelta::new(100_000).unwrap().get(), 100_000);
    }
}
