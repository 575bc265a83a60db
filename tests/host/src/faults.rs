//! Fault injection for sabotage tests: make the n-th key-value operation (on keys with a given
//! prefix, or on any key) fail, or every SQL
//! statement containing a substring (optionally only the next one). Shared by all instances of
//! an app; checked by the key-value and SQLite host implementations before they touch storage.

use std::sync::Mutex;

/// The message every injected failure carries.
pub const INJECTED_FAULT: &str = "injected fault";

/// Faults armed on an app. All methods take `&self`; state sits behind a mutex.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

#[derive(Debug, Default)]
struct FaultState {
    /// Key-value operations still to pass before the armed one fails.
    kv_countdown: Option<u64>,
    /// Only operations on keys starting with this are counted (`""`: every operation).
    kv_prefix: String,
    /// Substrings of SQL that fail.
    sql: Vec<SqlFault>,
    /// The component whose instances trap, and how many of its Spin host calls pass first.
    trap: Option<(String, u64)>,
    /// How many traps were injected.
    traps_fired: u64,
}

#[derive(Debug)]
struct SqlFault {
    fragment: String,
    /// The rule disarms after firing once.
    once: bool,
    /// What the failing statement reports.
    message: String,
}

impl Faults {
    /// Makes the `n`-th key-value operation (1-based, counted from this call) fail with
    /// `error::other("injected fault")`. Operations are get, set, delete, exists and get-keys
    /// (opening a store is not counted). `n == 0` disarms.
    pub fn fail_kv_op(&self, n: u64) {
        self.fail_kv_op_on(n, "");
    }

    /// Like [`Faults::fail_kv_op`], counting only operations on keys that start with `prefix`
    /// (`get-keys`, which names no key, is not counted), so that a sabotage aims at one kind
    /// of document whatever else a request keeps in the store (a rate-limit counter).
    pub fn fail_kv_op_on(&self, n: u64, prefix: &str) {
        let mut state = self.lock();
        state.kv_countdown = (n > 0).then_some(n);
        state.kv_prefix = prefix.to_owned();
    }

    /// Makes every SQL statement containing `fragment` fail with `io("injected fault")` until
    /// [`Faults::clear`].
    pub fn fail_sql_matching(&self, fragment: &str) {
        self.arm_sql(fragment, false, INJECTED_FAULT);
    }

    /// Like [`Faults::fail_sql_matching`], but only the first matching statement fails.
    pub fn fail_sql_matching_once(&self, fragment: &str) {
        self.arm_sql(fragment, true, INJECTED_FAULT);
    }

    /// Makes the next statement containing `fragment` fail with `io(message)`, as SQLite
    /// reports a refused write (`"UNIQUE constraint failed: couriers.id"`).
    pub fn fail_sql_matching_once_with(&self, fragment: &str, message: &str) {
        self.arm_sql(fragment, true, message);
    }

    fn arm_sql(&self, fragment: &str, once: bool, message: &str) {
        self.lock().sql.push(SqlFault {
            fragment: fragment.to_owned(),
            once,
            message: message.to_owned(),
        });
    }

    /// Makes the `n`-th Spin host call (1-based, counted from this call: a key-value,
    /// SQLite or variables operation, opening a store or a connection included) of instances of
    /// `component` trap, as a killed or crashed instance would: the guest stops there, with no
    /// chance to run any code after it. Fires once. `n == 0` disarms.
    pub fn trap_at_host_call(&self, component: &str, n: u64) {
        self.lock().trap = (n > 0).then(|| (component.to_owned(), n));
    }

    /// How many traps were injected since the app started.
    pub fn traps_fired(&self) -> u64 {
        self.lock().traps_fired
    }

    /// Disarms every fault.
    pub fn clear(&self) {
        let fired = self.lock().traps_fired;
        *self.lock() = FaultState {
            traps_fired: fired,
            ..FaultState::default()
        };
    }

    /// Counts one Spin host call of `component`; `true` when it must trap.
    pub(crate) fn host_call_traps(&self, component: &str) -> bool {
        let mut state = self.lock();
        match &mut state.trap {
            Some((armed, n)) if armed == component => {
                if *n == 1 {
                    state.trap = None;
                    state.traps_fired += 1;
                    true
                } else {
                    *n -= 1;
                    false
                }
            }
            _ => false,
        }
    }

    /// Counts one key-value operation on `key` (`None`: get-keys); `true` when it must fail.
    pub(crate) fn kv_op_fails(&self, key: Option<&str>) -> bool {
        let mut state = self.lock();
        let counted = match key {
            Some(key) => key.starts_with(state.kv_prefix.as_str()),
            None => state.kv_prefix.is_empty(),
        };
        if !counted {
            return false;
        }
        match state.kv_countdown {
            Some(1) => {
                state.kv_countdown = None;
                true
            }
            Some(n) => {
                state.kv_countdown = Some(n - 1);
                false
            }
            None => false,
        }
    }

    /// The failure `statement` must report, if any; disarms a matching once-only rule.
    pub(crate) fn sql_failure(&self, statement: &str) -> Option<String> {
        let mut state = self.lock();
        let pos = state
            .sql
            .iter()
            .position(|fault| statement.contains(fault.fragment.as_str()))?;
        if state.sql[pos].once {
            Some(state.sql.remove(pos).message)
        } else {
            Some(state.sql[pos].message.clone())
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_kv_op_fails_once() {
        let f = Faults::default();
        f.fail_kv_op(3);
        let fails: Vec<bool> = (0..5).map(|_| f.kv_op_fails(Some("k"))).collect();
        assert_eq!(fails, [false, false, true, false, false]);
    }

    #[test]
    fn a_prefixed_rule_counts_only_its_keys() {
        let f = Faults::default();
        f.fail_kv_op_on(2, "cart:");
        let fails: Vec<bool> = [Some("cart:1"), Some("ratelimit:x"), None, Some("cart:1")]
            .into_iter()
            .map(|key| f.kv_op_fails(key))
            .collect();
        assert_eq!(fails, [false, false, false, true]);
    }

    #[test]
    fn once_rule_disarms_and_sticky_rule_stays() {
        let f = Faults::default();
        f.fail_sql_matching_once("INSERT INTO orders");
        f.fail_sql_matching("DELETE");
        assert!(
            f.sql_failure("INSERT INTO orders (id) VALUES (?)")
                .is_some()
        );
        assert!(
            f.sql_failure("INSERT INTO orders (id) VALUES (?)")
                .is_none()
        );
        assert!(f.sql_failure("DELETE FROM x").is_some());
        assert!(f.sql_failure("DELETE FROM x").is_some());
        f.clear();
        assert!(f.sql_failure("DELETE FROM x").is_none());
    }
}
