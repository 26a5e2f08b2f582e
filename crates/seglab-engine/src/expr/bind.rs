//! Checking a parsed expression against a table: every column exists, every operator gets the
//! types it works on. The result refers to columns by position, ready to evaluate.

use super::{closest_names, BinaryOp, Expr, ExprError, ExprKind, Function, Offset, UnaryOp};
use crate::table::{ColumnData, Table};
use std::collections::HashMap;

/// What an expression (or a column, as the language sees it) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// Number, integer and boolean columns (true = 1).
    Number,
    /// The result of a comparison or of `and`/`or`/`not`.
    Boolean,
    Text,
    /// Date and date-time columns, and `as_of` (date-times count by their day).
    Date,
}

impl ValueType {
    fn name(self) -> &'static str {
        match self {
            ValueType::Number => "a number",
            ValueType::Boolean => "true/false",
            ValueType::Text => "text",
            ValueType::Date => "a date",
        }
    }

    /// Booleans take part in arithmetic and comparisons as 1 and 0.
    fn is_numeric(self) -> bool {
        matches!(self, ValueType::Number | ValueType::Boolean)
    }

    pub fn of_column(data: &ColumnData) -> ValueType {
        match data {
            ColumnData::Number(_) | ColumnData::Boolean(_) => ValueType::Number,
            ColumnData::Date(_) | ColumnData::DateTime(_) => ValueType::Date,
            ColumnData::Text(_) => ValueType::Text,
        }
    }
}

/// An expression bound to a table's columns (by position) with its result type.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub(super) node: Node,
    pub value_type: ValueType,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    Number(f64),
    Text(String),
    Column(usize),
    AsOf,
    Unary(UnaryOp, Box<Node>),
    Binary(BinaryOp, Box<Node>, Box<Node>),
    Call(Function, Vec<Node>),
}

struct Binder<'a> {
    table: &'a Table,
    by_name: HashMap<&'a str, usize>,
    context: &'a str,
    text: &'a str,
}

impl Expr {
    /// Check this expression (parsed from `text`) against `table`'s columns.
    pub fn bind(&self, table: &Table, text: &str, context: &str) -> Result<Bound, ExprError> {
        let binder = Binder {
            table,
            by_name: table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.as_str(), i))
                .collect(),
            context,
            text,
        };
        let (node, value_type) = binder.bind(self)?;
        Ok(Bound { node, value_type })
    }
}

impl Binder<'_> {
    fn type_error(&self, at: Offset, message: String) -> ExprError {
        ExprError::Type {
            context: self.context.to_string(),
            text: self.text.to_string(),
            at,
            message,
        }
    }

    fn bind(&self, e: &Expr) -> Result<(Node, ValueType), ExprError> {
        Ok(match &e.kind {
            ExprKind::Number(x) => (Node::Number(*x), ValueType::Number),
            ExprKind::Text(s) => (Node::Text(s.clone()), ValueType::Text),
            ExprKind::AsOf => (Node::AsOf, ValueType::Date),
            ExprKind::Column(name) => {
                let Some(&i) = self.by_name.get(name.as_str()) else {
                    return Err(ExprError::UnknownColumn {
                        context: self.context.to_string(),
                        text: self.text.to_string(),
                        at: e.at,
                        column: name.clone(),
                        closest: closest_names(name, self.table.names().into_iter()),
                    });
                };
                let ty = ValueType::of_column(&self.table.columns[i].data);
                (Node::Column(i), ty)
            }
            ExprKind::Unary(op, inner) => {
                let (node, ty) = self.bind(inner)?;
                let (wanted, out) = match op {
                    UnaryOp::Negate => ("'-'", ValueType::Number),
                    UnaryOp::Not => ("'not'", ValueType::Boolean),
                };
                if !ty.is_numeric() {
                    return Err(self.type_error(
                        inner.at,
                        format!("{wanted} needs a number or true/false, not {}", ty.name()),
                    ));
                }
                (Node::Unary(*op, Box::new(node)), out)
            }
            ExprKind::Binary(op, left, right) => {
                let (l, lt) = self.bind(left)?;
                let (r, rt) = self.bind(right)?;
                let out = self.binary_type(*op, (lt, left.at), (rt, right.at), e.at)?;
                (Node::Binary(*op, Box::new(l), Box::new(r)), out)
            }
            ExprKind::Call(f, args) => {
                let mut nodes = Vec::with_capacity(args.len());
                let mut types = Vec::with_capacity(args.len());
                for a in args {
                    let (n, t) = self.bind(a)?;
                    nodes.push(n);
                    types.push((t, a.at));
                }
                let out = self.call_type(*f, &types)?;
                (Node::Call(*f, nodes), out)
            }
        })
    }

    fn binary_type(
        &self,
        op: BinaryOp,
        (lt, lat): (ValueType, Offset),
        (rt, rat): (ValueType, Offset),
        at: Offset,
    ) -> Result<ValueType, ExprError> {
        let symbol = op.symbol();
        match op {
            BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply | BinaryOp::Divide => {
                for (t, where_) in [(lt, lat), (rt, rat)] {
                    if !t.is_numeric() {
                        let hint = if t == ValueType::Date {
                            " (use days_between(d1, d2) or year(d) for dates)"
                        } else {
                            ""
                        };
                        return Err(self.type_error(
                            where_,
                            format!("'{symbol}' needs numbers, not {}{hint}", t.name()),
                        ));
                    }
                }
                Ok(ValueType::Number)
            }
            BinaryOp::And | BinaryOp::Or => {
                for (t, where_) in [(lt, lat), (rt, rat)] {
                    if !t.is_numeric() {
                        return Err(self.type_error(
                            where_,
                            format!("'{symbol}' needs true/false, not {}", t.name()),
                        ));
                    }
                }
                Ok(ValueType::Boolean)
            }
            _ => {
                let same = (lt.is_numeric() && rt.is_numeric()) || lt == rt;
                if !same {
                    return Err(self.type_error(
                        at,
                        format!("'{symbol}' compares {} with {}", lt.name(), rt.name()),
                    ));
                }
                let ordered = !matches!(op, BinaryOp::Equal | BinaryOp::NotEqual);
                if ordered && lt == ValueType::Text {
                    return Err(self.type_error(
                        at,
                        format!("'{symbol}' does not order text; only == and != compare text"),
                    ));
                }
                Ok(ValueType::Boolean)
            }
        }
    }

    fn call_type(&self, f: Function, args: &[(ValueType, Offset)]) -> Result<ValueType, ExprError> {
        let want = |wanted: ValueType| -> Result<(), ExprError> {
            for &(t, at) in args {
                let fits = if wanted == ValueType::Number {
                    t.is_numeric()
                } else {
                    t == wanted
                };
                if !fits {
                    return Err(self.type_error(
                        at,
                        format!("{} needs {}, not {}", f.name(), wanted.name(), t.name()),
                    ));
                }
            }
            Ok(())
        };
        match f {
            Function::Min | Function::Max | Function::Abs | Function::Ln => {
                want(ValueType::Number)?;
                Ok(ValueType::Number)
            }
            Function::Year | Function::DaysBetween => {
                want(ValueType::Date)?;
                Ok(ValueType::Number)
            }
            Function::Coalesce => {
                let Some(&(first, _)) = args.first() else {
                    return Ok(ValueType::Number);
                };
                for &(t, at) in args {
                    let fits = t == first || (t.is_numeric() && first.is_numeric());
                    if !fits {
                        return Err(self.type_error(
                            at,
                            format!(
                                "coalesce needs arguments of one kind: {} and {}",
                                first.name(),
                                t.name()
                            ),
                        ));
                    }
                }
                let all_boolean = args.iter().all(|(t, _)| *t == ValueType::Boolean);
                Ok(if first.is_numeric() && !all_boolean {
                    ValueType::Number
                } else {
                    first
                })
            }
        }
    }
}
