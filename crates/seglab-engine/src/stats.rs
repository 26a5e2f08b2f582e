//! Small statistics shared by inspect, clean and scale. Quantiles interpolate linearly between
//! order statistics, as numpy/pandas do by default, so IQR fences match what analysts compute.

/// Present values, sorted ascending.
pub fn sorted_present(values: &[Option<f64>]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().flatten().copied().collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Quantile `q` in [0, 1] of sorted values; None when empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// Mean and population standard deviation (ddof = 0, like scikit-learn's StandardScaler).
pub fn mean_std(values: &[Option<f64>]) -> Option<(f64, f64)> {
    let (mut n, mut sum) = (0usize, 0.0);
    for v in values.iter().flatten() {
        n += 1;
        sum += v;
    }
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let var = values
        .iter()
        .flatten()
        .map(|v| (v - mean) * (v - mean))
        .sum::<f64>()
        / n as f64;
    Some((mean, var.sqrt()))
}

/// Tukey fences: [q1 - k·IQR, q3 + k·IQR].
pub fn iqr_fences(sorted: &[f64], k: f64) -> Option<(f64, f64)> {
    let q1 = quantile_sorted(sorted, 0.25)?;
    let q3 = quantile_sorted(sorted, 0.75)?;
    let iqr = q3 - q1;
    Some((q1 - k * iqr, q3 + k * iqr))
}

/// `x` to 12 significant digits, for numbers seglab computes (inputs keep their text): sums
/// and ratios carry float noise (29.33 + 29.73 + 14.96 + 26.48 = 100.50000000000001) that would
/// show in every exported file; 12 digits keep the cents of any spend below ten billion.
pub fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 12 - x.abs().log10().ceil() as i32;
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) == [1.75, 2.5, 3.25]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.25), Some(1.75));
        assert_eq!(quantile_sorted(&v, 0.5), Some(2.5));
        assert_eq!(quantile_sorted(&v, 0.75), Some(3.25));
        assert_eq!(quantile_sorted(&[], 0.5), None);
        // IQR = 1.5, fences at 1.75 - 2.25 and 3.25 + 2.25.
        assert_eq!(iqr_fences(&v, 1.5), Some((-0.5, 5.5)));
    }

    #[test]
    fn population_std() {
        // numpy.std([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0
        let v: Vec<Option<f64>> = [2., 4., 4., 4., 5., 5., 7., 9.].map(Some).to_vec();
        assert_eq!(mean_std(&v), Some((5.0, 2.0)));
        assert_eq!(mean_std(&[None]), None);
    }
}
