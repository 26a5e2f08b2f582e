//! Scalers with fitted parameters that can be re-applied to new data: x' = (x - center) / scale.

use crate::stats::{mean_std, quantile_sorted};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScaleMethod {
    None,
    Minmax,
    #[default]
    Zscore,
    Robust,
}

impl ScaleMethod {
    pub fn name(self) -> &'static str {
        match self {
            ScaleMethod::None => "none",
            ScaleMethod::Minmax => "minmax",
            ScaleMethod::Zscore => "zscore",
            ScaleMethod::Robust => "robust",
        }
    }
}

/// What to do with a feature that has one value only (its spread is zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConstantRule {
    /// Remove the feature (it cannot separate segments).
    #[default]
    Drop,
    /// Keep it as all zeros.
    Zero,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScaleOptions {
    pub method: ScaleMethod,
    pub constant: ConstantRule,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaledColumn {
    pub name: String,
    pub center: f64,
    pub scale: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedScaler {
    pub method: ScaleMethod,
    pub columns: Vec<ScaledColumn>,
}

impl FittedScaler {
    pub fn apply(&self, j: usize, x: f64) -> f64 {
        let c = &self.columns[j];
        (x - c.center) / c.scale
    }
}

/// The outcome of fitting: the scaler for the kept columns, and the columns dropped as constant.
pub struct Fit {
    pub scaler: FittedScaler,
    pub kept: Vec<usize>,
    pub warnings: Vec<String>,
}

/// Fit on complete columns. `passthrough[j]` keeps a column unscaled (one-hot 0/1 indicators).
pub fn fit(
    names: &[String],
    columns: &[Vec<f64>],
    passthrough: &[bool],
    opts: &ScaleOptions,
) -> Fit {
    let mut scaler = FittedScaler {
        method: opts.method,
        columns: Vec::new(),
    };
    let mut kept = Vec::new();
    let mut warnings = Vec::new();
    for (j, values) in columns.iter().enumerate() {
        let (min, max) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        if values.is_empty() || min == max {
            let what = match opts.constant {
                ConstantRule::Drop => "dropped",
                ConstantRule::Zero => "kept as zeros",
            };
            warnings.push(format!("feature '{}' has a single value; {what}", names[j]));
            if opts.constant == ConstantRule::Drop {
                continue;
            }
            let center = values.first().copied().unwrap_or(0.0);
            scaler.columns.push(ScaledColumn {
                name: names[j].clone(),
                center,
                scale: 1.0,
            });
            kept.push(j);
            continue;
        }
        let (center, scale) = if passthrough[j] {
            (0.0, 1.0)
        } else {
            center_scale(values, opts.method, min, max)
        };
        // A robust scale can be zero while min != max (more than half the values equal);
        // fall back to the range so no value becomes infinite.
        let scale = if scale > 0.0 { scale } else { max - min };
        scaler.columns.push(ScaledColumn {
            name: names[j].clone(),
            center,
            scale,
        });
        kept.push(j);
    }
    Fit {
        scaler,
        kept,
        warnings,
    }
}

fn center_scale(values: &[f64], method: ScaleMethod, min: f64, max: f64) -> (f64, f64) {
    match method {
        ScaleMethod::None => (0.0, 1.0),
        ScaleMethod::Minmax => (min, max - min),
        ScaleMethod::Zscore => {
            let opt: Vec<Option<f64>> = values.iter().map(|&x| Some(x)).collect();
            mean_std(&opt).unwrap_or((0.0, 1.0))
        }
        ScaleMethod::Robust => {
            let mut s = values.to_vec();
            s.sort_unstable_by(f64::total_cmp);
            let q = |p| quantile_sorted(&s, p).unwrap_or(0.0);
            (q(0.5), q(0.75) - q(0.25))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit_one(values: &[f64], method: ScaleMethod) -> Vec<f64> {
        let f = fit(
            &["x".into()],
            &[values.to_vec()],
            &[false],
            &ScaleOptions {
                method,
                ..Default::default()
            },
        );
        values.iter().map(|&x| f.scaler.apply(0, x)).collect()
    }

    #[test]
    fn matches_scikit_learn_scalers() {
        // StandardScaler().fit_transform([[1],[2],[3],[4]]) → ±1.3416407865, ±0.4472135955
        let z = fit_one(&[1., 2., 3., 4.], ScaleMethod::Zscore);
        assert!((z[0] + 1.341_640_786_5).abs() < 1e-9 && (z[2] - 0.447_213_595_5).abs() < 1e-9);
        // MinMaxScaler on [2, 4, 10] → 0, 0.25, 1
        assert_eq!(
            fit_one(&[2., 4., 10.], ScaleMethod::Minmax),
            vec![0.0, 0.25, 1.0]
        );
        // RobustScaler on [1, 2, 3, 4, 100]: median 3, IQR 4 - 2 = 2 → 100 ↦ 48.5
        assert_eq!(
            fit_one(&[1., 2., 3., 4., 100.], ScaleMethod::Robust)[4],
            48.5
        );
    }

    #[test]
    fn constant_columns_never_make_nan() {
        let names = vec!["c".to_string(), "x".to_string()];
        let cols = vec![vec![5.0; 3], vec![1.0, 2.0, 3.0]];
        let f = fit(&names, &cols, &[false, false], &ScaleOptions::default());
        assert_eq!(f.kept, vec![1]);
        assert_eq!(f.warnings.len(), 1);
        let opts = ScaleOptions {
            constant: ConstantRule::Zero,
            ..Default::default()
        };
        let f = fit(&names, &cols, &[false, false], &opts);
        assert_eq!(f.scaler.apply(0, 5.0), 0.0);
        // Robust scale of [1,1,1,1,9] has IQR 0: falls back to the range.
        let r = fit_one(&[1., 1., 1., 1., 9.], ScaleMethod::Robust);
        assert!(r.iter().all(|v| v.is_finite()));
    }
}
