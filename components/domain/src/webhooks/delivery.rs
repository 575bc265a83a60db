//! The retry rule of a delivery: what one attempt's outcome means (`AttemptOutcome`), how long
//! to wait before the next (`RetryPolicy::backoff`: exponential, capped) and when to give up
//! (`RetryPolicy::after_failure`: dead letter after `max_attempts`). No jitter: a run attempts
//! its deliveries one after another, so many retries falling due at once only lengthen a run
//! (which its batch size bounds) and the schedule stays predictable for receivers and tests.

use chrono::{DateTime, Duration, Utc};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt failed (or its subscription was deactivated): kept for redelivery.
    Dead,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Dead,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status.
    Answered(u16),
    /// No answer: the request was refused or failed on the way (the reason, for the record).
    NoAnswer(String),
}

impl AttemptOutcome {
    /// Only a 2xx delivers; a 3xx is not followed (the subscription should name the final URL).
    pub fn delivered(&self) -> bool {
        matches!(self, AttemptOutcome::Answered(status) if (200..=299).contains(status))
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            AttemptOutcome::Answered(status) => Some(*status),
            AttemptOutcome::NoAnswer(_) => None,
        }
    }

    /// What went wrong, for `last_error`; `None` when it was delivered.
    pub fn error(&self) -> Option<String> {
        match self {
            _ if self.delivered() => None,
            AttemptOutcome::Answered(status) => Some(format!("the receiver answered {status}")),
            AttemptOutcome::NoAnswer(reason) => Some(reason.chars().take(500).collect()),
        }
    }
}

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    RetryAt(DateTime<Utc>),
    DeadLetter,
}

/// How often and how patiently a delivery is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; after the last failure the delivery is dead.
    pub max_attempts: u32,
    /// The wait after the first failure; each later failure doubles it.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub cap: Duration,
}

impl RetryPolicy {
    /// 10 attempts over about 4 hours 15 minutes: waits of 30 s, 1, 2, 4, 8, 16, 32, 64 and
    /// 128 minutes.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;
    /// The most attempts an operator may configure.
    pub const MAX_MAX_ATTEMPTS: u32 = 50;

    /// The default waits, capped at 6 hours, with `max_attempts` attempts (1 to 50).
    pub fn with_max_attempts(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts: max_attempts.clamp(1, Self::MAX_MAX_ATTEMPTS),
            base: Duration::seconds(30),
            cap: Duration::hours(6),
        }
    }

    /// The wait after the `failed_attempts`-th failure (1-based): base × 2^(n−1), at most cap.
    pub fn backoff(&self, failed_attempts: u32) -> Duration {
        let doublings = failed_attempts.saturating_sub(1).min(30);
        let factor = 1_i32 << doublings;
        self.base
            .checked_mul(factor)
            .map_or(self.cap, |wait| wait.min(self.cap))
    }

    /// After an attempt failed, `failed_attempts` being how many have failed so far (this one
    /// included): the time of the next attempt, or the dead letter when none is left.
    pub fn after_failure(&self, failed_attempts: u32, now: DateTime<Utc>) -> NextStep {
        if failed_attempts >= self.max_attempts {
            NextStep::DeadLetter
        } else {
            NextStep::RetryAt(now + self.backoff(failed_attempts))
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::with_max_attempts(Self::DEFAULT_MAX_ATTEMPTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noon() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_and_stops_at_the_cap() {
        let policy = RetryPolicy::default();
        let waits: Vec<i64> = (1..=10).map(|n| policy.backoff(n).num_seconds()).collect();
        assert_eq!(
            waits,
            vec![30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360]
        );
        assert_eq!(policy.backoff(11), Duration::hours(6));
        assert_eq!(policy.backoff(u32::MAX), Duration::hours(6));
        assert_eq!(policy.backoff(0), Duration::seconds(30));
    }

    #[test]
    fn a_failure_before_the_last_attempt_schedules_a_retry_and_the_last_dead_letters() {
        let policy = RetryPolicy::with_max_attempts(3);
        assert_eq!(
            policy.after_failure(1, noon()),
            NextStep::RetryAt(noon() + Duration::seconds(30))
        );
        assert_eq!(
            policy.after_failure(2, noon()),
            NextStep::RetryAt(noon() + Duration::seconds(60))
        );
        assert_eq!(policy.after_failure(3, noon()), NextStep::DeadLetter);
        assert_eq!(policy.after_failure(4, noon()), NextStep::DeadLetter);
    }

    #[test]
    fn the_default_gives_up_after_ten_attempts_and_configured_counts_are_bounded() {
        let policy = RetryPolicy::default();
        assert!(matches!(
            policy.after_failure(9, noon()),
            NextStep::RetryAt(_)
        ));
        assert_eq!(policy.after_failure(10, noon()), NextStep::DeadLetter);
        assert_eq!(RetryPolicy::with_max_attempts(0).max_attempts, 1);
        assert_eq!(RetryPolicy::with_max_attempts(1000).max_attempts, 50);
    }

    #[test]
    fn only_a_2xx_answer_delivers() {
        assert!(AttemptOutcome::Answered(200).delivered());
        assert!(AttemptOutcome::Answered(204).delivered());
        for status in [199, 301, 400, 410, 500, 503] {
            let outcome = AttemptOutcome::Answered(status);
            assert!(!outcome.delivered(), "{status}");
            assert_eq!(outcome.status(), Some(status));
            assert!(outcome.error().unwrap().contains(&status.to_string()));
        }
        let refused = AttemptOutcome::NoAnswer("connection refused".into());
        assert!(!refused.delivered());
        assert_eq!(refused.status(), None);
        assert_eq!(refused.error().as_deref(), Some("connection refused"));
        assert_eq!(AttemptOutcome::Answered(200).error(), None);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Dead,
        ] {
            assert_eq!(DeliveryStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeliveryStatus::parse("failed"), None);
    }
}
