//! A small expression language over a table's columns, for `[derive]` columns and rule
//! conditions: numbers, columns (bare, or in backticks), "text", arithmetic, comparisons,
//! `and`/`or`/`not` and a few functions. `parse` reads the text; `Expr::bind` checks it against
//! a table (columns exist, operand types fit); `Bound::evaluate` computes one value per row.
//!
//! Missing values propagate: any missing operand gives missing, division by zero and `ln` of a
//! non-positive number give missing. `and`/`or` follow SQL: `false and missing` is false,
//! `true or missing` is true.

mod bind;
mod eval;
mod parse;

pub use bind::{Bound, ValueType};
pub use eval::Value;
pub use parse::parse;

/// Byte offset into the expression text where a token starts.
pub type Offset = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Negate,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessOrEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterOrEqual => ">=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Min,
    Max,
    Abs,
    Ln,
    Coalesce,
    Year,
    DaysBetween,
}

impl Function {
    pub const ALL: [Function; 7] = [
        Function::Min,
        Function::Max,
        Function::Abs,
        Function::Ln,
        Function::Coalesce,
        Function::Year,
        Function::DaysBetween,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Function::Min => "min",
            Function::Max => "max",
            Function::Abs => "abs",
            Function::Ln => "ln",
            Function::Coalesce => "coalesce",
            Function::Year => "year",
            Function::DaysBetween => "days_between",
        }
    }

    /// (fewest, most) arguments.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::Min | Function::Max | Function::Coalesce => (1, usize::MAX),
            Function::Abs | Function::Ln | Function::Year => (1, 1),
            Function::DaysBetween => (2, 2),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Text(String),
    Column(String),
    /// The run's as-of date (`features.as_of`).
    AsOf,
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
}

/// A parsed expression node and where it starts in the text (for error carets).
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub at: Offset,
}

impl Expr {
    /// Every column name the expression reads, in order of appearance.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>) {
        match &self.kind {
            ExprKind::Column(name) => out.push(name),
            ExprKind::Unary(_, e) => e.collect_columns(out),
            ExprKind::Binary(_, a, b) => {
                a.collect_columns(out);
                b.collect_columns(out);
            }
            ExprKind::Call(_, args) => args.iter().for_each(|a| a.collect_columns(out)),
            ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::AsOf => {}
        }
    }
}

/// A bad expression. Every message ends with the expression and a caret under the bad token.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExprError {
    #[error("{context}: {message}\n{}", caret_lines(text, *at))]
    Syntax {
        context: String,
        text: String,
        at: Offset,
        message: String,
    },
    #[error("{context}: unknown column '{column}'{}\n{}", suggestion(closest), caret_lines(text, *at))]
    UnknownColumn {
        context: String,
        text: String,
        at: Offset,
        column: String,
        closest: Vec<String>,
    },
    #[error("{context}: {message}\n{}", caret_lines(text, *at))]
    Type {
        context: String,
        text: String,
        at: Offset,
        message: String,
    },
}

fn suggestion(closest: &[String]) -> String {
    match closest {
        [] => String::new(),
        names => format!(
            " (did you mean {}?)",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// The expression on one line, then a caret under the character at byte `at`.
pub fn caret_lines(text: &str, at: Offset) -> String {
    // Line breaks inside the text would misplace the caret: show them as spaces.
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let column = text.get(..at).map_or(0, |t| t.chars().count());
    format!("  {one_line}\n  {}^", " ".repeat(column))
}

/// Up to three names most like `wanted` (case-insensitive edit distance), best first.
pub fn closest_names<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| {
            let score = strsim::normalized_damerau_levenshtein(&wanted, &n.to_lowercase());
            (score, n)
        })
        .filter(|(score, _)| *score >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

#[cfg(test)]
mod tests;
