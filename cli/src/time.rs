//! Deadlines as people write them, and unix times as people read them.

use std::time::{Duration, UNIX_EPOCH};

/// Why a deadline does not parse.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    #[error("deadline {text:?}")]
    BadDuration {
        text: String,
        #[source]
        source: humantime::DurationError,
    },
    #[error(
        "deadline {0:?}: use unix seconds, RFC 3339 (2026-12-01T00:00:00Z) or +duration (+2h)"
    )]
    Unrecognised(String),
    #[error("deadline {0:?} is too far")]
    TooFar(String),
    #[error("deadline {0:?} is before 1970")]
    BeforeEpoch(String),
}

/// Parses a deadline: unix seconds, RFC 3339, or "+<duration>" from the chain's clock.
pub fn parse_deadline(text: &str, chain_now: i64) -> Result<i64, DeadlineError> {
    let too_far = || DeadlineError::TooFar(text.into());
    if let Some(relative) = text.strip_prefix('+') {
        let duration =
            humantime::parse_duration(relative).map_err(|source| DeadlineError::BadDuration {
                text: text.into(),
                source,
            })?;
        let seconds = i64::try_from(duration.as_secs()).map_err(|_| too_far())?;
        return chain_now.checked_add(seconds).ok_or_else(too_far);
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    let time = humantime::parse_rfc3339_weak(text)
        .map_err(|_| DeadlineError::Unrecognised(text.into()))?;
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| DeadlineError::BeforeEpoch(text.into()))?
        .as_secs();
    i64::try_from(seconds).map_err(|_| too_far())
}

/// A unix time as RFC 3339, or the plain number when it is before 1970.
pub fn format_time(unix: i64) -> String {
    u64::try_from(unix)
        .ok()
        .map(|s| humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(s)).to_string())
        .unwrap_or_else(|| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_parse_three_ways() {
        assert_eq!(parse_deadline("+2h", 1_000).unwrap(), 1_000 + 7_200);
        assert_eq!(parse_deadline("+90s", 0).unwrap(), 90);
        assert_eq!(parse_deadline("1700000000", 0).unwrap(), 1_700_000_000);
        assert_eq!(
            parse_deadline("2026-12-01T00:00:00Z", 0).unwrap(),
            1_796_083_200
        );
        assert!(parse_deadline("tomorrow", 0).is_err());
        assert!(parse_deadline("+forever", 0).is_err());
    }
}
