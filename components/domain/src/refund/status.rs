//! The refund status machine (issue 6): a refund is `requested`, then `approved` (by staff, or
//! at once when its total is at most the `refund_auto_approve_max` threshold) or `rejected`
//! (by staff, with a note); an approved refund is `completed` when the payment provider's
//! signed callback says the money went back (at once for pay-at-pickup orders, paid back at
//! the store). `completed` and `rejected` are final. `RefundStatus::can_move_to` is the only
//! place the table lives.

use std::fmt;

/// Where a refund is in its life; the values of `refunds.status` and of the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    Requested,
    Approved,
    Completed,
    Rejected,
}

/// A move the table does not allow; the edge answers 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a refund that is {from} cannot become {to}")]
pub struct RefundTransitionRefused {
    pub from: RefundStatus,
    pub to: RefundStatus,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 4] = [
        RefundStatus::Requested,
        RefundStatus::Approved,
        RefundStatus::Completed,
        RefundStatus::Rejected,
    ];

    /// The transition table.
    pub fn can_move_to(self, next: RefundStatus) -> bool {
        use RefundStatus::*;
        matches!(
            (self, next),
            (Requested, Approved | Rejected) | (Approved, Completed)
        )
    }

    pub fn move_to(self, next: RefundStatus) -> Result<RefundStatus, RefundTransitionRefused> {
        if self.can_move_to(next) {
            Ok(next)
        } else {
            Err(RefundTransitionRefused {
                from: self,
                to: next,
            })
        }
    }

    /// Whether the refund still counts against what is refundable (every status but
    /// `rejected`: a requested refund holds its units so that two requests cannot both take
    /// the last ones).
    pub fn holds_units(self) -> bool {
        self != RefundStatus::Rejected
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Requested => "requested",
            RefundStatus::Approved => "approved",
            RefundStatus::Completed => "completed",
            RefundStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::RefundStatus::*;
    use super::*;

    /// The moves issue 6 lists, written out independently of `can_move_to`.
    const ALLOWED: &[(RefundStatus, RefundStatus)] = &[
        (Requested, Approved),
        (Requested, Rejected),
        (Approved, Completed),
    ];

    #[test]
    fn every_pair_of_refund_statuses_moves_exactly_as_the_issue_lists() {
        for from in RefundStatus::ALL {
            for to in RefundStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    ALLOWED.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn completed_and_rejected_refunds_are_final_and_rejected_ones_hold_nothing() {
        for last in [Completed, Rejected] {
            assert!(
                RefundStatus::ALL
                    .iter()
                    .all(|next| !last.can_move_to(*next))
            );
        }
        assert_eq!(
            Completed.move_to(Rejected),
            Err(RefundTransitionRefused {
                from: Completed,
                to: Rejected
            })
        );
        assert!(!Rejected.holds_units());
        assert!(Requested.holds_units() && Approved.holds_units() && Completed.holds_units());
    }

    #[test]
    fn refund_statuses_round_trip_through_their_stored_names() {
        for status in RefundStatus::ALL {
            assert_eq!(RefundStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RefundStatus::parse("refunded"), None);
    }
}
