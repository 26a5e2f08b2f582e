//! Which Parquet columns polars can turn into a frame. Converting some Arrow types (decimals
//! without polars' `dtype-decimal` feature, intervals, 128-bit integers, half floats, unions)
//! panics inside polars, so they are decided on the file's schema before anything is read.

use polars::prelude::{ArrowDataType, ArrowSchema};

/// What to read, and what not.
#[derive(Debug, Default)]
pub struct Plan {
    /// Indices of the columns to read, in file order.
    pub projection: Vec<usize>,
    /// One note per skipped column, naming it and its type.
    pub warnings: Vec<String>,
}

/// A column the file needs but this build of seglab cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub column: String,
    pub message: String,
}

pub fn plan(schema: &ArrowSchema) -> Result<Plan, Refused> {
    let mut plan = Plan::default();
    for (i, (name, field)) in schema.iter().enumerate() {
        if let Some(kind) = decimal(&field.dtype) {
            // A decimal is usually money: skipping it silently would drop the key feature.
            return Err(Refused {
                column: name.to_string(),
                message: format!(
                    "column '{name}' is a {kind}, which seglab cannot read yet; convert it to \
                     double in the export (e.g. CAST({name} AS DOUBLE)) or export CSV"
                ),
            });
        }
        if polars_reads(&field.dtype) {
            plan.projection.push(i);
        } else {
            plan.warnings.push(format!(
                "column '{name}' ({}) skipped: seglab cannot read this Parquet type",
                arrow_name(&field.dtype)
            ));
        }
    }
    Ok(plan)
}

fn decimal(dtype: &ArrowDataType) -> Option<String> {
    match dtype {
        ArrowDataType::Decimal(p, s)
        | ArrowDataType::Decimal32(p, s)
        | ArrowDataType::Decimal64(p, s)
        | ArrowDataType::Decimal256(p, s) => Some(format!("decimal({p}, {s})")),
        _ => None,
    }
}

/// The Arrow types polars converts without a panic in seglab's build (nested types when every
/// child is convertible; the frame conversion then skips lists and structs with a note).
fn polars_reads(dtype: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    match dtype {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Timestamp(..)
        | A::Date32
        | A::Date64
        | A::Time32(_)
        | A::Time64(_)
        | A::Duration(_)
        | A::Binary
        | A::LargeBinary
        | A::FixedSizeBinary(_)
        | A::BinaryView
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View => true,
        A::List(f) | A::LargeList(f) | A::Map(f, _) => polars_reads(&f.dtype),
        A::Struct(fields) => fields.iter().all(|f| polars_reads(&f.dtype)),
        A::Dictionary(_, values, _) => polars_reads(values),
        _ => false,
    }
}

/// A short name for messages ("decimal(12, 2)", "interval", ...).
fn arrow_name(dtype: &ArrowDataType) -> String {
    decimal(dtype).unwrap_or_else(|| {
        let debug = format!("{dtype:?}");
        let head = debug.split(['(', ' ']).next().unwrap_or("");
        head.to_ascii_lowercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::ArrowField;

    fn schema(fields: Vec<(&str, ArrowDataType)>) -> ArrowSchema {
        fields
            .into_iter()
            .map(|(n, t)| {
                let f = ArrowField::new(n.into(), t, true);
                (f.name.clone(), f)
            })
            .collect()
    }

    #[test]
    fn decimals_are_refused_by_name_and_odd_types_skipped() {
        let s = schema(vec![
            ("id", ArrowDataType::Int64),
            ("amount", ArrowDataType::Decimal(12, 2)),
        ]);
        let refused = plan(&s).unwrap_err();
        assert_eq!(refused.column, "amount");
        assert!(refused.message.contains("decimal(12, 2)"), "{refused:?}");
        let s = schema(vec![
            ("id", ArrowDataType::Int64),
            ("big", ArrowDataType::Int128),
            ("name", ArrowDataType::Utf8View),
        ]);
        let p = plan(&s).unwrap();
        assert_eq!(p.projection, vec![0, 2]);
        assert!(p.warnings[0].contains("'big' (int128)"), "{:?}", p.warnings);
    }
}
