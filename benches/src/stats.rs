//! Small statistics over timings: median, percentiles, mean.

use std::time::Duration;

/// The `q`-quantile (0.0 ..= 1.0) of `samples` by the nearest-rank method, or `None` for
/// an empty slice. The slice is sorted in place.
pub fn quantile(samples: &mut [Duration], q: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let q = q.clamp(0.0, 1.0);
    // Nearest rank: the smallest value with at least q of the samples at or below it.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "q is clamped to 0..=1, so the rank is between 0 and the sample count"
    )]
    let rank = (q * samples.len() as f64).ceil() as usize;
    let index = rank.saturating_sub(1).min(samples.len() - 1);
    Some(samples[index])
}

/// The median of `samples` (the lower middle value for an even count).
pub fn median(samples: &mut [Duration]) -> Option<Duration> {
    quantile(samples, 0.5)
}

/// The median of plain numbers (the mean of the two middle values for an even count).
pub fn median_f64(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Milliseconds as a float, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms_list(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&x| Duration::from_millis(x)).collect()
    }

    #[test]
    fn quantiles_use_nearest_rank() {
        let mut v = ms_list(&[5, 1, 4, 2, 3]);
        assert_eq!(median(&mut v), Some(Duration::from_millis(3)));
        assert_eq!(quantile(&mut v, 0.0), Some(Duration::from_millis(1)));
        assert_eq!(quantile(&mut v, 1.0), Some(Duration::from_millis(5)));
        let mut hundred: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(
            quantile(&mut hundred, 0.99),
            Some(Duration::from_millis(99))
        );
        assert_eq!(quantile(&mut [], 0.5), None);
    }

    #[test]
    fn float_median_averages_the_middle_pair() {
        assert_eq!(median_f64(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_f64(&[7.0]), Some(7.0));
        assert_eq!(median_f64(&[f64::NAN]), None);
    }
}
