//! Evaluating a bound expression, row by row. Never fails: what cannot be computed is missing.

use super::bind::{Bound, Node, ValueType};
use super::{BinaryOp, Function, UnaryOp};
use crate::table::{date_to_days, days_to_date, ColumnData, Table};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;

/// One cell's value while evaluating.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Missing,
    Number(f64),
    Boolean(bool),
    Text(Cow<'a, str>),
    /// Days since 1970-01-01.
    Date(i32),
}

impl Value<'_> {
    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            Value::Boolean(b) => Some(*b as u8 as f64),
            _ => None,
        }
    }

    /// Numbers count as true when not zero (a boolean column read as 1/0).
    fn truth(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            Value::Number(x) => Some(*x != 0.0),
            _ => None,
        }
    }
}

fn finite(x: f64) -> Value<'static> {
    if x.is_finite() {
        Value::Number(x)
    } else {
        Value::Missing
    }
}

impl Bound {
    /// The value at `row` of `table` (the table it was bound to, or one with the same columns).
    pub fn value_at<'a>(&self, table: &'a Table, row: usize, as_of: NaiveDate) -> Value<'a> {
        eval(&self.node, table, row, as_of)
    }

    /// Whether the condition holds at `row`; missing counts as false.
    pub fn holds_at(&self, table: &Table, row: usize, as_of: NaiveDate) -> bool {
        self.value_at(table, row, as_of).truth() == Some(true)
    }

    /// The whole column: numbers, true/false, text or dates as the expression's type says.
    pub fn evaluate(&self, table: &Table, as_of: NaiveDate) -> ColumnData {
        let rows = 0..table.n_rows();
        let value = |r| self.value_at(table, r, as_of);
        match self.value_type {
            ValueType::Number => ColumnData::Number(rows.map(|r| value(r).number()).collect()),
            ValueType::Boolean => ColumnData::Boolean(rows.map(|r| value(r).truth()).collect()),
            ValueType::Date => ColumnData::Date(
                rows.map(|r| match value(r) {
                    Value::Date(d) => Some(d),
                    _ => None,
                })
                .collect(),
            ),
            ValueType::Text => ColumnData::Text(
                rows.map(|r| match value(r) {
                    Value::Text(s) => Some(s.into_owned()),
                    _ => None,
                })
                .collect(),
            ),
        }
    }
}

fn cell(data: &ColumnData, row: usize) -> Value<'_> {
    let present = match data {
        ColumnData::Number(v) => v.get(row).copied().flatten().map(Value::Number),
        ColumnData::Boolean(v) => v.get(row).copied().flatten().map(Value::Boolean),
        ColumnData::Date(v) => v.get(row).copied().flatten().map(Value::Date),
        ColumnData::DateTime(v) => v
            .get(row)
            .copied()
            .flatten()
            .and_then(|s| i32::try_from(s.div_euclid(86_400)).ok())
            .map(Value::Date),
        ColumnData::Text(t) => (row < t.len())
            .then(|| t.get(row))
            .flatten()
            .map(|s| Value::Text(Cow::Borrowed(s))),
    };
    present.unwrap_or(Value::Missing)
}

fn eval<'a>(node: &Node, table: &'a Table, row: usize, as_of: NaiveDate) -> Value<'a> {
    let sub = |n: &Node| eval(n, table, row, as_of);
    match node {
        Node::Number(x) => Value::Number(*x),
        Node::Text(s) => Value::Text(Cow::Owned(s.clone())),
        Node::AsOf => Value::Date(date_to_days(as_of)),
        Node::Column(i) => table
            .columns
            .get(*i)
            .map_or(Value::Missing, |c| cell(&c.data, row)),
        Node::Unary(UnaryOp::Negate, inner) => sub(inner)
            .number()
            .map_or(Value::Missing, |x| Value::Number(-x)),
        Node::Unary(UnaryOp::Not, inner) => sub(inner)
            .truth()
            .map_or(Value::Missing, |b| Value::Boolean(!b)),
        Node::Binary(op, left, right) => binary(*op, sub(left), || sub(right)),
        Node::Call(f, args) => call(*f, args, &sub),
    }
}

/// `right` is evaluated only when needed (`false and …`, `true or …`).
fn binary<'a>(op: BinaryOp, left: Value<'a>, right: impl FnOnce() -> Value<'a>) -> Value<'a> {
    match op {
        BinaryOp::And | BinaryOp::Or => {
            let decisive = op == BinaryOp::Or;
            let l = left.truth();
            if l == Some(decisive) {
                return Value::Boolean(decisive);
            }
            let r = right().truth();
            if r == Some(decisive) {
                return Value::Boolean(decisive);
            }
            match (l, r) {
                (Some(_), Some(_)) => Value::Boolean(!decisive),
                _ => Value::Missing,
            }
        }
        BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply | BinaryOp::Divide => {
            let (Some(a), Some(b)) = (left.number(), right().number()) else {
                return Value::Missing;
            };
            finite(match op {
                BinaryOp::Add => a + b,
                BinaryOp::Subtract => a - b,
                BinaryOp::Multiply => a * b,
                // Division by zero gives missing, not infinity (finite() drops it).
                _ => a / b,
            })
        }
        _ => {
            let right = right();
            let ordering = match (&left, &right) {
                (Value::Text(a), Value::Text(b)) => Some(a.as_ref().cmp(b.as_ref())),
                (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
                _ => match (left.number(), right.number()) {
                    (Some(a), Some(b)) => a.partial_cmp(&b),
                    _ => None,
                },
            };
            let Some(o) = ordering else {
                return Value::Missing;
            };
            Value::Boolean(match op {
                BinaryOp::Equal => o.is_eq(),
                BinaryOp::NotEqual => o.is_ne(),
                BinaryOp::Less => o.is_lt(),
                BinaryOp::LessOrEqual => o.is_le(),
                BinaryOp::Greater => o.is_gt(),
                _ => o.is_ge(),
            })
        }
    }
}

fn call<'a>(f: Function, args: &[Node], sub: &dyn Fn(&Node) -> Value<'a>) -> Value<'a> {
    let number = |i: usize| args.get(i).and_then(|a| sub(a).number());
    let date = |i: usize| match args.get(i).map(sub) {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    };
    match f {
        Function::Min | Function::Max => {
            let mut best: Option<f64> = None;
            for i in 0..args.len() {
                let x = match number(i) {
                    Some(x) => x,
                    None => return Value::Missing,
                };
                best = Some(match best {
                    None => x,
                    Some(b) if f == Function::Min => b.min(x),
                    Some(b) => b.max(x),
                });
            }
            best.map_or(Value::Missing, Value::Number)
        }
        Function::Abs => number(0).map_or(Value::Missing, |x| Value::Number(x.abs())),
        Function::Ln => match number(0) {
            Some(x) if x > 0.0 => finite(x.ln()),
            _ => Value::Missing,
        },
        Function::Coalesce => args
            .iter()
            .map(sub)
            .find(|v| *v != Value::Missing)
            .unwrap_or(Value::Missing),
        Function::Year => date(0)
            .and_then(days_to_date)
            .map_or(Value::Missing, |d| Value::Number(d.year() as f64)),
        Function::DaysBetween => match (date(0), date(1)) {
            (Some(a), Some(b)) => Value::Number(b as f64 - a as f64),
            _ => Value::Missing,
        },
    }
}
