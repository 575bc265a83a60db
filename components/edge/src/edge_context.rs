//! What only the edge may read: the clock, randomness and Spin variables. Domain functions receive `now`
//! and configuration as arguments; this is where they come from.

use chrono::{DateTime, Utc};

/// The current time, read once per request at the edge.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A Spin variable parsed as a number of seconds, or `default` when it is not set. A value that
/// is set but unreadable is an operator error: it is logged and the default is used, so one
/// bad setting does not take the shop down.
pub fn seconds_variable(name: &str, default: i64) -> chrono::Duration {
    let seconds = match spin_sdk::variables::get(name) {
        Ok(raw) => raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| *s > 0)
            .unwrap_or_else(|| {
                eprintln!(
                    "variable {name}={raw:?} is not a positive number of seconds; using {default}"
                );
                default
            }),
        Err(_) => default,
    };
    chrono::Duration::seconds(seconds)
}

/// A Spin variable holding a count, or `default` when unset. A value that is set but not a
/// count in `range` is an operator error: it is logged and the default is used.
pub fn count_variable(name: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> i64 {
    match spin_sdk::variables::get(name) {
        Ok(raw) => raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .unwrap_or_else(|| {
                eprintln!(
                    "variable {name}={raw:?} is not a count from {} to {}; using {default}",
                    range.start(),
                    range.end()
                );
                default
            }),
        Err(_) => default,
    }
}

/// 32 bytes from the platform's random source (WASI random under Spin): for secrets and keys
/// the shop makes.
pub fn random_bytes() -> Result<[u8; 32], crate::ApiError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        crate::ApiError::Storage(o2o_domain::storage::StoreError::Unavailable(format!(
            "no random bytes: {e}"
        )))
    })?;
    Ok(bytes)
}
