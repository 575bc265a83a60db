//! The fixed-window rate limit (issue 7): at most `limit` requests per `window` for one
//! subject (`customer:<id>`, `key:<api key id>`). Windows are aligned to the epoch, so every
//! instance agrees on the window without talking to the others, and a refused request is told
//! when the window ends (`Retry-After`). A fixed window allows up to twice the limit across a
//! boundary; that is the accepted cost of one counter per subject (the issue asks for a fixed
//! window).
//!
//! The count lives in SQLite (`rate_limit_counters`, migration 0015: one row per subject,
//! holding its latest window) and `count_request` takes it with one upsert, which SQLite runs
//! under its write lock: concurrent requests never pass the limit (issue 10), and a request
//! costs that one statement whatever its window (issue 12). Key-value could not promise that: Spin's key-value API has no
//! increment, so a read and a write lose counts under concurrency, and `wasi:keyvalue`'s atomic
//! increment is missing on Fermyon Cloud, where a component importing it would not start.

use chrono::{DateTime, Utc};

use crate::storage::{Sql, SqlValue, StoreError};

/// Counts one more request of the subject in the window `?2`, unless the window is full
/// (`?3`): a later window starts the count again at 1, an earlier one (a lagging clock) counts
/// into the stored one. Answers the count after this request, or no row when the window was
/// already full. It is the first statement of every signed-in request, so it carries the
/// schema check (`schema_ledger!`).
const COUNT_REQUEST: &str = concat!(
    "INSERT INTO rate_limit_counters (subject, window_start, requests) VALUES (?1, ?2, 1) \
     ON CONFLICT (subject) DO UPDATE SET \
     requests = CASE WHEN excluded.window_start > window_start THEN 1 ELSE requests + 1 END, \
     window_start = max(window_start, excluded.window_start) \
     WHERE excluded.window_start > window_start OR requests < ?3 RETURNING requests, ",
    crate::schema_ledger!()
);

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

/// Counts a request of `subject` at `now` against `rule` and decides it, in one statement.
pub fn count_request(
    db: &impl Sql,
    rule: &FixedWindow,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<RateDecision, StoreError> {
    let window_start = rule.window_start(now);
    let counted = db.execute(
        COUNT_REQUEST,
        &[
            SqlValue::from(subject),
            SqlValue::Integer(window_start),
            SqlValue::Integer(i64::from(rule.limit)),
        ],
    )?;
    let already = match counted.first_integer() {
        Some(requests) => u32::try_from(requests - 1).unwrap_or(u32::MAX),
        None => rule.limit,
    };
    Ok(rule.decide(already, now))
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    use o2o_test_stores::NativeSql as Sqlite;

    /// SQLite in memory with 0015's `rate_limit_counters`.
    trait RateLimitTable {
        fn with_rate_limit_counters() -> Self;
        fn windows(&self) -> Vec<(String, i64, i64)>;
    }

    impl RateLimitTable for Sqlite {
        fn with_rate_limit_counters() -> Self {
            let db = Sqlite::empty();
            db.batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);");
            db.batch(include_str!(
                "../../../../migrations/0015_rate_limit_per_subject.sql"
            ));
            db
        }

        fn windows(&self) -> Vec<(String, i64, i64)> {
            self.connection()
                .prepare(
                    "SELECT subject, window_start, requests FROM rate_limit_counters ORDER BY 1",
                )
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
    }

    #[test]
    fn requests_are_counted_up_to_the_limit_and_refused_past_it_without_counting() {
        let db = Sqlite::with_rate_limit_counters();
        let rule = FixedWindow {
            limit: 2,
            window_seconds: 60,
        };
        let decide = |s: i64| count_request(&db, &rule, "customer:c", at(s)).unwrap();
        assert_eq!(decide(0), RateDecision::Allow { remaining: 1 });
        assert_eq!(decide(1), RateDecision::Allow { remaining: 0 });
        assert_eq!(
            decide(2),
            RateDecision::Limited {
                retry_after_seconds: 38
            }
        );
        assert_eq!(db.windows(), [("customer:c".to_owned(), 1_789_999_980, 2)]);
        // another subject has its own window
        assert_eq!(
            count_request(&db, &rule, "key:k", at(3)).unwrap(),
            RateDecision::Allow { remaining: 1 }
        );
    }

    #[test]
    fn a_new_window_starts_the_count_again_in_the_subjects_one_row() {
        let db = Sqlite::with_rate_limit_counters();
        let rule = FixedWindow {
            limit: 5,
            window_seconds: 60,
        };
        count_request(&db, &rule, "customer:c", at(0)).unwrap();
        count_request(&db, &rule, "key:k", at(0)).unwrap();
        assert_eq!(
            count_request(&db, &rule, "customer:c", at(60)).unwrap(),
            RateDecision::Allow { remaining: 4 }
        );
        assert_eq!(
            db.windows(),
            [
                ("customer:c".to_owned(), 1_790_000_040, 1),
                ("key:k".to_owned(), 1_789_999_980, 1),
            ]
        );
        // A request stamped in the earlier window (a lagging clock) counts into the newer one.
        assert_eq!(
            count_request(&db, &rule, "customer:c", at(30)).unwrap(),
            RateDecision::Allow { remaining: 3 }
        );
        assert_eq!(db.windows()[0], ("customer:c".to_owned(), 1_790_000_040, 2));
    }

    #[test]
    fn a_limit_of_zero_refuses_every_request() {
        let db = Sqlite::with_rate_limit_counters();
        let rule = FixedWindow {
            limit: 0,
            window_seconds: 60,
        };
        assert!(matches!(
            count_request(&db, &rule, "customer:c", at(0)).unwrap(),
            RateDecision::Limited { .. }
        ));
        assert!(matches!(
            count_request(&db, &rule, "customer:c", at(1)).unwrap(),
            RateDecision::Limited { .. }
        ));
    }

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
        assert_eq!(rule.window_start(at(0)), rule.window_start(at(39)));
        assert_ne!(rule.window_start(at(39)), rule.window_start(at(40)));
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
