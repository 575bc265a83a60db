//! The test clock: the wall clock each instance sees (`wasi:clocks/wall-clock`) is the real
//! clock plus an offset that tests advance, so expiry (carts, quotes, reservations) is tested
//! without sleeping. The monotonic clock is left alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmtime_wasi::HostWallClock;

/// A shared offset added to the real wall clock. Cloning shares the offset.
#[derive(Debug, Clone, Default)]
pub struct TestClock {
    offset_nanos: Arc<AtomicU64>,
}

impl TestClock {
    /// Moves the wall clock of every current and future instance forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.offset_nanos.fetch_add(nanos, Ordering::SeqCst);
    }

    /// How far the clock has been advanced in total.
    pub fn offset(&self) -> Duration {
        Duration::from_nanos(self.offset_nanos.load(Ordering::SeqCst))
    }

    /// The time guests currently see.
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + self.offset()
    }

    /// The clock handed to a WASI context.
    pub(crate) fn wall_clock(&self) -> OffsetWallClock {
        OffsetWallClock(self.clone())
    }
}

/// `HostWallClock` that reads a [`TestClock`].
pub(crate) struct OffsetWallClock(TestClock);

impl HostWallClock for OffsetWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_guest_time_forward() {
        let clock = TestClock::default();
        let before = clock.wall_clock().now();
        clock.advance(Duration::from_secs(3600));
        let after = clock.wall_clock().now();
        assert!(after >= before + Duration::from_secs(3600));
        assert_eq!(clock.offset(), Duration::from_secs(3600));
    }
}
