//! How values are encoded in keys, hash fields and script arguments.

use std::fmt;
use std::slice::ChunksExact;

use auth_core::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// Added to the Unix time in nanoseconds so that every representable instant is positive.
const TIME_OFFSET_NS: i128 = 1_000_000_000_000_000_000_000;
/// Width of an encoded instant: zero-padded, so that byte order is time order.
const TIME_WIDTH: usize = 22;

/// An instant as a fixed-width decimal string: exact to the nanosecond, and ordered like
/// the instants when compared as strings (which is how the Lua scripts compare them:
/// Lua numbers are doubles and cannot hold nanoseconds).
pub(crate) fn time_key(t: OffsetDateTime) -> String {
    format!(
        "{:0width$}",
        t.unix_timestamp_nanos() + TIME_OFFSET_NS,
        width = TIME_WIDTH
    )
}

/// Parses [`time_key`].
pub(crate) fn parse_time_key(s: &str) -> Result<OffsetDateTime> {
    let n: i128 = s
        .parse()
        .map_err(|_| Error::backend(Corrupt::new("an encoded instant", s)))?;
    OffsetDateTime::from_unix_timestamp_nanos(n - TIME_OFFSET_NS)
        .map_err(|_| Error::backend(Corrupt::new("an encoded instant", s)))
}

/// An instant in Unix milliseconds, rounded up: what `PEXPIREAT` and sorted-set scores
/// use. Rounding up means Redis never drops a record before its time (at most 1 ms
/// after). Clamped to 1 so that Redis accepts it as an expiry in the past.
pub(crate) fn ceil_ms(t: OffsetDateTime) -> i64 {
    let ns = t.unix_timestamp_nanos();
    let ms = ns.div_euclid(1_000_000) + i128::from(ns.rem_euclid(1_000_000) != 0);
    i64::try_from(ms.max(1)).unwrap_or(i64::MAX)
}

/// An instant in Unix milliseconds, rounded down, for ordering scores.
pub(crate) fn floor_ms(t: OffsetDateTime) -> i64 {
    let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
}

/// Serialises a record.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(Error::backend)
}

/// Deserialises a record.
pub(crate) fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(Error::backend)
}

/// Data read from Redis that this crate did not write (or a newer, incompatible version
/// wrote).
#[derive(Debug)]
pub(crate) struct Corrupt {
    what: &'static str,
    found: String,
}

impl Corrupt {
    pub(crate) fn new(what: &'static str, found: impl fmt::Debug) -> Self {
        let mut found = format!("{found:?}");
        found.truncate(80);
        Self { what, found }
    }
}

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected data in redis: expected {}, found {}",
            self.what, self.found
        )
    }
}

impl std::error::Error for Corrupt {}

/// A script's flat answer as rows of `width` values; `what` names the rows in the error
/// when the answer does not divide into them.
pub(crate) fn in_rows<'a>(
    values: &'a [String],
    width: usize,
    what: &'static str,
) -> Result<ChunksExact<'a, String>> {
    if values.len().is_multiple_of(width) {
        Ok(values.chunks_exact(width))
    } else {
        Err(Error::backend(Corrupt::new(what, values.len())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    #[test]
    fn time_keys_round_trip_and_sort() {
        let a = datetime!(2026-11-22 05:00:00.123456789 UTC);
        let b = a + Duration::nanoseconds(1);
        let old = datetime!(1900-01-01 00:00 UTC);
        assert_eq!(parse_time_key(&time_key(a)).unwrap(), a);
        assert_eq!(parse_time_key(&time_key(old)).unwrap(), old);
        assert!(time_key(a) < time_key(b));
        assert!(time_key(old) < time_key(a));
        assert_eq!(time_key(a).len(), TIME_WIDTH);
        assert!(parse_time_key("garbage").is_err());
    }

    #[test]
    fn milliseconds_round_the_right_way() {
        let exact = datetime!(2026-11-22 05:00:00.123 UTC);
        let inexact = exact + Duration::nanoseconds(1);
        assert_eq!(ceil_ms(exact), floor_ms(exact));
        assert_eq!(ceil_ms(inexact), floor_ms(inexact) + 1);
        assert_eq!(ceil_ms(datetime!(1960-01-01 00:00 UTC)), 1);
    }
}
