//! The wall clock, in one place. Code that decides on expiry takes a [`Clock`], so a test sets
//! the time ([`FixedClock`]) instead of waiting for it; only the edges use [`SystemClock`].

use chrono::{DateTime, Utc};

/// What time it is.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A time that stands still until a test moves it.
#[cfg(test)]
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);

#[cfg(test)]
impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> FixedClock {
        FixedClock(std::sync::Mutex::new(now))
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

#[cfg(test)]
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemClock.now().timestamp()
}

/// Unix nanoseconds now.
pub fn now_nanos() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}
