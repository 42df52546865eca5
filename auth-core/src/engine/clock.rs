use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use time::{Duration, OffsetDateTime};

/// Where the engine gets the time. Tests move a [`ManualClock`] instead of sleeping.
pub trait Clock: Send + Sync + 'static {
    /// The current time (UTC).
    fn now(&self) -> OffsetDateTime;

    /// The same instant as [`Clock::now`], as a [`SystemTime`]: for comparisons that
    /// need no calendar, such as the check of a kept session lookup on every
    /// authenticated request. The default converts [`Clock::now`]; a clock that reads
    /// the system's time answers without working out a date.
    fn now_system(&self) -> SystemTime {
        self.now().into()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn now_system(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to, for tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new(OffsetDateTime::now_utc())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_system_tells_the_same_instant_as_now() {
        let manual = ManualClock::new(OffsetDateTime::UNIX_EPOCH + Duration::days(20_000));
        manual.advance(Duration::nanoseconds(123_456_789));
        assert_eq!(manual.now_system(), SystemTime::from(manual.now()));

        let system = SystemClock;
        let (before, fast, after) = (system.now(), system.now_system(), system.now());
        assert!(SystemTime::from(before) <= fast && fast <= SystemTime::from(after));
    }
}
