//! Checks a deserialised `model.json` for consistency before anything computes with it, so the
//! kernels (scaler, PCA, nearest centroid, core points) can index without checking. Every
//! problem is reported with the JSON path of the value at fault.

use super::{ModelError, SegmentModel, SCHEMA_VERSION};
use crate::segment::Algorithm;

/// Largest magnitude accepted for any stored number: squared distances of such values stay finite.
pub const MAX_ABS: f64 = 1e100;

fn invalid(path: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError::Invalid {
        path: path.into(),
        message: message.into(),
    }
}

/// A number as a message shows it: huge and tiny magnitudes in exponent form.
fn num(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-5..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Every value finite and within ±MAX_ABS.
fn check_values(path: &str, values: &[f64]) -> Result<(), ModelError> {
    match values
        .iter()
        .position(|v| !v.is_finite() || v.abs() > MAX_ABS)
    {
        Some(i) => Err(invalid(
            format!("{path}[{i}]"),
            format!("{} is not a finite number within ±1e100", num(values[i])),
        )),
        None => Ok(()),
    }
}

fn check_value(path: &str, v: f64) -> Result<(), ModelError> {
    if v.is_finite() && v.abs() <= MAX_ABS {
        Ok(())
    } else {
        Err(invalid(
            path,
            format!("{} is not a finite number within ±1e100", num(v)),
        ))
    }
}

impl SegmentModel {
    /// All the consistency rules of schema versions 0 and 1.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.schema_version > SCHEMA_VERSION {
            return Err(invalid(
                "schema_version",
                format!(
                    "{} is newer than this seglab reads (0 to {SCHEMA_VERSION}); update seglab",
                    self.schema_version
                ),
            ));
        }
        let n_features = self.validate_fitted()?;
        let width = self.validate_pca(n_features)?;
        if self.n_cols != width {
            let from = if self.pca.is_some() {
                "pca.n_kept"
            } else {
                "fitted.kept"
            };
            return Err(invalid(
                "n_cols",
                format!("{} but {from} gives {width} columns", self.n_cols),
            ));
        }
        let k = self.validate_centroids()?;
        self.validate_segments(k)?;
        self.validate_core_points(k)
    }

    /// Returns the number of features after `kept` (the width of the scaled matrix).
    fn validate_fitted(&self) -> Result<usize, ModelError> {
        let f = &self.fitted;
        for (i, b) in f.bounds.iter().enumerate() {
            check_value(&format!("fitted.bounds[{i}].low"), b.low)?;
            check_value(&format!("fitted.bounds[{i}].high"), b.high)?;
            if b.low > b.high {
                return Err(invalid(
                    format!("fitted.bounds[{i}]"),
                    format!(
                        "low {} > high {} (column '{}')",
                        num(b.low),
                        num(b.high),
                        b.column
                    ),
                ));
            }
        }
        for (i, fill) in f.fills.iter().enumerate() {
            let Some(value) = &fill.value else { continue };
            let numeric = f.numeric.contains(&fill.column);
            if numeric && !value.trim().parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(invalid(
                    format!("fitted.fills[{i}].value"),
                    format!(
                        "'{value}' is not a number, but '{}' is a numeric feature",
                        fill.column
                    ),
                ));
            }
        }
        for (i, name) in f.log1p.iter().enumerate() {
            if !f.numeric.contains(name) {
                return Err(invalid(
                    format!("fitted.log1p[{i}]"),
                    format!("'{name}' is not one of fitted.numeric"),
                ));
            }
        }
        let n_raw = f.numeric.len() + f.one_hot.iter().map(|o| o.categories.len()).sum::<usize>();
        if f.kept.is_empty() {
            return Err(invalid(
                "fitted.kept",
                "is empty: the model has no features",
            ));
        }
        for (i, &k) in f.kept.iter().enumerate() {
            if k >= n_raw {
                return Err(invalid(
                    format!("fitted.kept[{i}]"),
                    format!("{k} is out of range: there are {n_raw} features (fitted.numeric, then each fitted.one_hot category)"),
                ));
            }
            if i > 0 && k <= f.kept[i - 1] {
                return Err(invalid(
                    format!("fitted.kept[{i}]"),
                    format!("{k} after {}: indices must increase", f.kept[i - 1]),
                ));
            }
        }
        if f.scaler.columns.len() != f.kept.len() {
            return Err(invalid(
                "fitted.scaler.columns",
                format!(
                    "{} columns, but fitted.kept has {}",
                    f.scaler.columns.len(),
                    f.kept.len()
                ),
            ));
        }
        for (i, c) in f.scaler.columns.iter().enumerate() {
            check_value(&format!("fitted.scaler.columns[{i}].center"), c.center)?;
            let path = format!("fitted.scaler.columns[{i}].scale");
            check_value(&path, c.scale)?;
            if c.scale < 1.0 / MAX_ABS {
                return Err(invalid(
                    path,
                    format!("{} must be positive (at least 1e-100)", num(c.scale)),
                ));
            }
        }
        for (i, r) in self.ranges.iter().enumerate() {
            check_value(&format!("ranges[{i}].min"), r.min)?;
            check_value(&format!("ranges[{i}].max"), r.max)?;
            if r.min > r.max {
                return Err(invalid(
                    format!("ranges[{i}]"),
                    format!(
                        "min {} > max {} (column '{}')",
                        num(r.min),
                        num(r.max),
                        r.column
                    ),
                ));
            }
        }
        self.validate_labels()?;
        Ok(f.kept.len())
    }

    /// Expressions parse and the label options hold, so `apply` blames the model, not the input.
    fn validate_labels(&self) -> Result<(), ModelError> {
        let f = &self.fitted;
        // The path leads the error once: the expression's message starts with its context.
        let parses = |text: &str, path: String| {
            crate::expr::parse(text, &path).map(drop).map_err(|e| {
                let message = e.to_string();
                let message = message
                    .strip_prefix(&format!("{path}: "))
                    .unwrap_or(&message);
                invalid(&path, message)
            })
        };
        for (name, text) in &f.derive {
            parses(text, format!("fitted.derive.{name}"))?;
        }
        for (i, rule) in f.labels.rules.iter().enumerate() {
            parses(&rule.when, format!("fitted.labels.rules[{i}].when"))?;
        }
        if let Some(l) = &f.labels.lifecycle {
            l.check()
                .map_err(|e| invalid("fitted.labels.lifecycle", e.to_string()))?;
        }
        if let Some(score) = &f.labels.score {
            score
                .check()
                .map_err(|e| invalid("fitted.labels.score", e.to_string()))?;
            for (column, values) in &score.reference {
                let path = format!("fitted.labels.score.reference.{column}");
                check_values(&path, values)?;
                if values.windows(2).any(|w| w[0] > w[1]) {
                    return Err(invalid(path, "values are not sorted"));
                }
            }
        }
        Ok(())
    }

    /// Returns the width of the space the centroids live in.
    fn validate_pca(&self, n_features: usize) -> Result<usize, ModelError> {
        let Some(p) = &self.pca else {
            return Ok(n_features);
        };
        if p.mean.len() != n_features {
            return Err(invalid(
                "pca.mean",
                format!(
                    "{} values, but the model has {n_features} features (fitted.kept)",
                    p.mean.len()
                ),
            ));
        }
        if p.n_kept == 0 || p.n_kept > n_features {
            return Err(invalid(
                "pca.n_kept",
                format!("{} must be between 1 and {n_features}", p.n_kept),
            ));
        }
        if p.components.len() != p.n_kept * n_features {
            return Err(invalid(
                "pca.components",
                format!(
                    "{} values, expected n_kept × features = {} × {n_features}",
                    p.components.len(),
                    p.n_kept
                ),
            ));
        }
        check_values("pca.mean", &p.mean)?;
        check_values("pca.components", &p.components)?;
        check_values("pca.explained_variance", &p.explained_variance)?;
        check_values("pca.explained_variance_ratio", &p.explained_variance_ratio)?;
        Ok(p.n_kept)
    }

    /// Returns k, the number of centroids.
    fn validate_centroids(&self) -> Result<usize, ModelError> {
        let n = self.n_cols;
        if !self.centroids.len().is_multiple_of(n) {
            return Err(invalid(
                "centroids",
                format!(
                    "{} values is not a whole number of centroids of n_cols = {n}",
                    self.centroids.len()
                ),
            ));
        }
        if self.centroids.is_empty() && self.algorithm != Algorithm::Dbscan {
            return Err(invalid(
                "centroids",
                "is empty: there is no segment to assign",
            ));
        }
        check_values("centroids", &self.centroids)?;
        Ok(self.centroids.len() / n)
    }

    fn validate_segments(&self, k: usize) -> Result<(), ModelError> {
        let mut named = vec![false; k];
        for (i, s) in self.segments.iter().enumerate() {
            if s.id >= k {
                return Err(invalid(
                    format!("segments[{i}].id"),
                    format!("{} but there are only {k} centroids", s.id),
                ));
            }
            if std::mem::replace(&mut named[s.id], true) {
                return Err(invalid(
                    format!("segments[{i}].id"),
                    format!("segment {} is named twice", s.id),
                ));
            }
        }
        match named.iter().position(|n| !n) {
            Some(c) => Err(invalid(
                "segments",
                format!(
                    "{} names for {k} centroids: segment {c} has none",
                    self.segments.len()
                ),
            )),
            None => Ok(()),
        }
    }

    fn validate_core_points(&self, k: usize) -> Result<(), ModelError> {
        let dbscan = self.algorithm == Algorithm::Dbscan;
        let core = match &self.core_points {
            None if dbscan => {
                return Err(invalid(
                    "core_points",
                    "missing: a DBSCAN model labels new rows by its core points",
                ))
            }
            None => return Ok(()),
            Some(_) if !dbscan => {
                return Err(invalid(
                    "core_points",
                    "only a DBSCAN model has core points",
                ))
            }
            Some(c) => c,
        };
        let path = "core_points.eps";
        check_value(path, core.eps)?;
        if core.eps <= 0.0 {
            return Err(invalid(path, format!("{} must be positive", num(core.eps))));
        }
        if core.points.len() != core.labels.len() * self.n_cols {
            return Err(invalid(
                "core_points.points",
                format!(
                    "{} values, expected labels × n_cols = {} × {}",
                    core.points.len(),
                    core.labels.len(),
                    self.n_cols
                ),
            ));
        }
        check_values("core_points.points", &core.points)?;
        match core.labels.iter().position(|&l| l >= k) {
            Some(i) => Err(invalid(
                format!("core_points.labels[{i}]"),
                format!("{} but there are only {k} segments", core.labels[i]),
            )),
            None => Ok(()),
        }
    }
}
