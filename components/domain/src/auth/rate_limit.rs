//! The fixed-window rate limit (issue 7): at most `limit` requests per `window` for one
//! subject (an API key's hash, a customer id). Windows are aligned to the epoch, so every
//! instance agrees on the window without talking to the others; the count lives in key-value
//! under `window_key`, and a refused request is told when the window ends (`Retry-After`).
//! A fixed window allows up to twice the limit across a boundary; that is the accepted cost of
//! one key-value counter per subject (the issue asks for a fixed window).

use chrono::{DateTime, Utc};

/// A limit of `limit` requests per `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedWindow {
    pub limit: u32,
    pub window_seconds: u32,
}

/// Whether one more request may go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allow { remaining: u32 },
    Limited { retry_after_seconds: u32 },
}

impl FixedWindow {
    fn window_start(&self, now: DateTime<Utc>) -> i64 {
        let window = i64::from(self.window_seconds.max(1));
        now.timestamp().div_euclid(window) * window
    }

    /// The key-value key counting `subject`'s requests in the window of `now`.
    pub fn window_key(&self, subject: &str, now: DateTime<Utc>) -> String {
        format!("ratelimit:{subject}:{}", self.window_start(now))
    }

    /// The decision for a request at `now` when `already` requests were counted in this
    /// window (the caller counts this one only when allowed).
    pub fn decide(&self, already: u32, now: DateTime<Utc>) -> RateDecision {
        if already < self.limit {
            return RateDecision::Allow {
                remaining: self.limit - already - 1,
            };
        }
        let ends = self.window_start(now) + i64::from(self.window_seconds.max(1));
        RateDecision::Limited {
            retry_after_seconds: u32::try_from((ends - now.timestamp()).max(1)).unwrap_or(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn the_limit_holds_within_a_window_and_the_next_window_serves_again() {
        let rule = FixedWindow {
            limit: 3,
            window_seconds: 60,
        };
        // 1_790_000_000 is 20 s into a minute
        assert_eq!(rule.decide(0, at(0)), RateDecision::Allow { remaining: 2 });
        assert_eq!(rule.decide(2, at(1)), RateDecision::Allow { remaining: 0 });
        assert_eq!(
            rule.decide(3, at(10)),
            RateDecision::Limited {
                retry_after_seconds: 30
            }
        );
        assert_eq!(rule.window_key("k", at(0)), rule.window_key("k", at(39)));
        assert_ne!(rule.window_key("k", at(39)), rule.window_key("k", at(40)));
    }

    #[test]
    fn retry_after_is_never_zero() {
        let rule = FixedWindow {
            limit: 0,
            window_seconds: 1,
        };
        assert_eq!(
            rule.decide(0, at(0) + Duration::milliseconds(999)),
            RateDecision::Limited {
                retry_after_seconds: 1
            }
        );
    }
}
