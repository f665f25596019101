//! Token amounts as people write them ("1.5") and as the chain stores them (base units).

/// Why an amount does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{text:?} has more than {decimals} decimal places")]
    TooPrecise { text: String, decimals: u8 },
    #[error("{0:?} is too large for a u64 amount")]
    TooLarge(String),
}

/// Parses `text` ("12", "1.5", "0.000001") into base units of a mint with `decimals`.
pub fn parse(text: &str, decimals: u8) -> Result<u64, AmountError> {
    let trimmed = text.trim();
    let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(AmountError::NotANumber(text.into()));
    }
    if fraction.len() > usize::from(decimals) {
        return Err(AmountError::TooPrecise {
            text: text.into(),
            decimals,
        });
    }
    let padded = format!("{whole}{fraction:0<width$}", width = usize::from(decimals));
    let padded = padded.trim_start_matches('0');
    if padded.is_empty() {
        return Ok(0);
    }
    padded
        .parse()
        .map_err(|_| AmountError::TooLarge(text.into()))
}

/// Formats base units with the mint's decimals, trailing zeros trimmed ("1.5").
pub fn format(amount: u64, decimals: u8) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let digits = format!("{:0>width$}", amount, width = usize::from(decimals) + 1);
    let (whole, fraction) = digits.split_at(digits.len() - usize::from(decimals));
    match fraction.trim_end_matches('0') {
        "" => whole.to_string(),
        fraction => format!("{whole}.{fraction}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_decimals() {
        assert_eq!(parse("1.5", 6), Ok(1_500_000));
        assert_eq!(parse("0.000001", 6), Ok(1));
        assert_eq!(parse("12", 0), Ok(12));
        assert_eq!(parse(".5", 1), Ok(5));
        assert_eq!(parse("18446744073709551615", 0), Ok(u64::MAX));
        assert_eq!(
            parse("18446744073709551616", 0),
            Err(AmountError::TooLarge("18446744073709551616".into()))
        );
        assert!(matches!(
            parse("1.0000001", 6),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(parse("-1", 6), Err(AmountError::NotANumber(_))));
        assert!(matches!(parse("1e9", 6), Err(AmountError::NotANumber(_))));
        assert!(matches!(parse(".", 6), Err(AmountError::NotANumber(_))));
    }

    #[test]
    fn formats_with_decimals() {
        assert_eq!(format(1_500_000, 6), "1.5");
        assert_eq!(format(1, 6), "0.000001");
        assert_eq!(format(0, 6), "0");
        assert_eq!(format(u64::MAX, 0), "18446744073709551615");
        for (amount, decimals) in [(123_456_789u64, 6u8), (5, 9), (u64::MAX, 9)] {
            assert_eq!(parse(&format(amount, decimals), decimals), Ok(amount));
        }
    }
}
