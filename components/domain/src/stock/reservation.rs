//! Reservations: holds that online orders put on units at one store until the goods leave the
//! store (commit), the customer or the workflow lets them go (release), or their time to live
//! runs out (expire). A reservation holds all of its lines or none; its status moves only along
//! `ReservationStatus::can_move_to`.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::values::{Quantity, Sku};

crate::ids::v7_id!(
    /// A reservation's id.
    ReservationId
);

/// Where a reservation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReservationStatus {
    Held,
    Released,
    Committed,
    Expired,
}

impl ReservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReservationStatus::Held => "held",
            ReservationStatus::Released => "released",
            ReservationStatus::Committed => "committed",
            ReservationStatus::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            ReservationStatus::Held,
            ReservationStatus::Released,
            ReservationStatus::Committed,
            ReservationStatus::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// The transition table: only a held reservation moves, to any of the three ends.
    pub fn can_move_to(self, next: ReservationStatus) -> bool {
        self == ReservationStatus::Held && next != ReservationStatus::Held
    }

    /// Whether asking for `next` again once there is a no-op rather than a conflict: releasing
    /// a released or expired reservation (its units are back either way), committing a
    /// committed one. Retries of the order workflow rely on it.
    pub fn already(self, next: ReservationStatus) -> bool {
        match next {
            ReservationStatus::Released => matches!(
                self,
                ReservationStatus::Released | ReservationStatus::Expired
            ),
            other => self == other,
        }
    }
}

impl fmt::Display for ReservationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a reservation holds its units: 15 minutes unless asked, 1 to 60 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReservationTtl(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReservationError {
    #[error("must be between {min} and {max} seconds", min = ReservationTtl::MIN_SECONDS, max = ReservationTtl::MAX_SECONDS)]
    TtlOutOfRange,
    #[error("must hold 1 to {max} lines", max = ReservationLines::MAX_LINES)]
    LineCount,
    #[error("{0} appears in more than one line; put its units in one line")]
    DuplicateSku(Sku),
}

impl ReservationTtl {
    pub const DEFAULT_SECONDS: i64 = 15 * 60;
    pub const MIN_SECONDS: i64 = 60;
    pub const MAX_SECONDS: i64 = 60 * 60;

    pub fn new(seconds: Option<i64>) -> Result<Self, ReservationError> {
        let seconds = seconds.unwrap_or(Self::DEFAULT_SECONDS);
        if (Self::MIN_SECONDS..=Self::MAX_SECONDS).contains(&seconds) {
            Ok(ReservationTtl(seconds))
        } else {
            Err(ReservationError::TtlOutOfRange)
        }
    }

    pub fn expires_at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::seconds(self.0)
    }
}

/// One line to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationLine {
    pub sku: Sku,
    pub quantity: Quantity,
}

/// The lines of one reservation: 1 to 100, each sku once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationLines(Vec<ReservationLine>);

impl ReservationLines {
    pub const MAX_LINES: usize = 100;

    /// On a duplicate, the error carries the index of the second line with that sku.
    pub fn new(lines: Vec<ReservationLine>) -> Result<Self, (Option<usize>, ReservationError)> {
        if lines.is_empty() || lines.len() > Self::MAX_LINES {
            return Err((None, ReservationError::LineCount));
        }
        for (i, line) in lines.iter().enumerate() {
            if lines[..i].iter().any(|l| l.sku == line.sku) {
                return Err((Some(i), ReservationError::DuplicateSku(line.sku.clone())));
            }
        }
        Ok(ReservationLines(lines))
    }

    pub fn iter(&self) -> impl Iterator<Item = &ReservationLine> {
        self.0.iter()
    }
}

/// A line that could not be held: what was asked and what the store has available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    /// The index of the line in the request.
    pub line: usize,
    pub sku: Sku,
    pub requested: u32,
    pub available: i64,
}

impl fmt::Display for Shortage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lines[{}] {}: {} requested, {} available",
            self.line, self.sku, self.requested, self.available
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn line(sku: &str, units: u32) -> ReservationLine {
        ReservationLine {
            sku: Sku::parse(sku).unwrap(),
            quantity: Quantity::new(units).unwrap(),
        }
    }

    #[test]
    fn a_reservation_lives_fifteen_minutes_unless_asked() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let ttl = ReservationTtl::new(None).unwrap();
        assert_eq!(ttl.expires_at(now), now + Duration::minutes(15));
        let ttl = ReservationTtl::new(Some(120)).unwrap();
        assert_eq!(ttl.expires_at(now), now + Duration::minutes(2));
    }

    #[test]
    fn a_reservation_ttl_is_bounded_to_one_hour() {
        assert!(ReservationTtl::new(Some(59)).is_err());
        assert!(ReservationTtl::new(Some(3601)).is_err());
        assert!(ReservationTtl::new(Some(0)).is_err());
        assert!(ReservationTtl::new(Some(3600)).is_ok());
    }

    #[test]
    fn reservation_lines_are_one_to_a_hundred_each_sku_once() {
        assert_eq!(
            ReservationLines::new(vec![]).unwrap_err().1,
            ReservationError::LineCount
        );
        let too_many = (0..101).map(|i| line(&format!("SKU-{i}"), 1)).collect();
        assert!(ReservationLines::new(too_many).is_err());
        let twice = vec![line("TEA-1", 1), line("MILK-1", 1), line("TEA-1", 2)];
        assert_eq!(ReservationLines::new(twice).unwrap_err().0, Some(2));
        assert!(ReservationLines::new(vec![line("TEA-1", 2), line("MILK-1", 1)]).is_ok());
    }

    #[test]
    fn only_a_held_reservation_moves() {
        use ReservationStatus::*;
        for next in [Released, Committed, Expired] {
            assert!(Held.can_move_to(next));
            for from in [Released, Committed, Expired] {
                assert!(!from.can_move_to(next), "{from} -> {next}");
            }
        }
        assert!(!Held.can_move_to(Held));
    }

    #[test]
    fn releasing_twice_or_after_expiry_is_a_no_op_but_not_after_commit() {
        use ReservationStatus::*;
        assert!(Released.already(Released));
        assert!(Expired.already(Released));
        assert!(!Committed.already(Released));
        assert!(Committed.already(Committed));
        assert!(!Released.already(Committed));
    }

    #[test]
    fn ids_are_time_ordered_and_parse_back() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let a = ReservationId::new(t);
        let b = ReservationId::new(t + Duration::seconds(1));
        assert!(a.to_string() < b.to_string());
        assert_eq!(ReservationId::parse(&a.to_string()), Some(a));
        assert_eq!(ReservationId::parse("nope"), None);
    }
}
