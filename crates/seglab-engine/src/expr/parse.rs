//! Text to `Expr`: a lexer and a precedence-climbing parser.
//! Precedence, loosest first: `or`, `and`, `not`, comparisons (not chained), `+ -`, `* /`,
//! unary `-`, then values, function calls and parentheses.

use super::{BinaryOp, Expr, ExprError, ExprKind, Function, Offset, UnaryOp};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    /// A bare name: a column, a function, `as_of` or a keyword.
    Word(String),
    /// A name in backticks: always a column.
    QuotedName(String),
    Text(String),
    Symbol(&'static str),
    End,
}

const SYMBOLS: [&str; 15] = [
    "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", ",", "=", "!",
];

/// Parsing, checking and evaluating recurse once per nesting level, and a long chain like
/// `a + b + …` nests once per operator: a cap on tokens keeps every recursion shallow (no stack
/// overflow on a hostile recipe or model file) while leaving room for any real expression.
pub const MAX_TOKENS: usize = 500;

struct Lexer<'a> {
    text: &'a str,
    context: &'a str,
}

impl Lexer<'_> {
    fn error(&self, at: Offset, message: impl Into<String>) -> ExprError {
        ExprError::Syntax {
            context: self.context.to_string(),
            text: self.text.to_string(),
            at,
            message: message.into(),
        }
    }

    fn tokens(&self) -> Result<Vec<(Token, Offset)>, ExprError> {
        let bytes = self.text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let start = i;
            if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
            {
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                // An exponent: 1e6, 2.5E-3.
                if i < bytes.len() && (bytes[i] | 0x20) == b'e' {
                    let mut j = i + 1;
                    if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                        j += 1;
                    }
                    if j < bytes.len() && bytes[j].is_ascii_digit() {
                        i = j;
                        while i < bytes.len() && bytes[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                let literal = &self.text[start..i];
                let value = literal
                    .parse::<f64>()
                    .map_err(|_| self.error(start, format!("'{literal}' is not a number")))?;
                out.push((Token::Number(value), start));
            } else if c.is_ascii_alphabetic() || c == b'_' {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((Token::Word(self.text[start..i].to_string()), start));
            } else if c == b'`' || c == b'"' {
                let close = self.text[i + 1..].find(c as char).ok_or_else(|| {
                    let what = if c == b'`' { "column name" } else { "text" };
                    self.error(
                        start,
                        format!("this {what} is not closed with {}", c as char),
                    )
                })?;
                let inner = self.text[i + 1..i + 1 + close].to_string();
                i += close + 2;
                if c == b'`' {
                    if inner.is_empty() {
                        return Err(self.error(start, "empty column name in backticks"));
                    }
                    out.push((Token::QuotedName(inner), start));
                } else {
                    out.push((Token::Text(inner), start));
                }
            } else if let Some(symbol) = SYMBOLS.iter().find(|s| self.text[i..].starts_with(**s)) {
                i += symbol.len();
                out.push((Token::Symbol(symbol), start));
            } else {
                let ch = self.text[i..].chars().next().unwrap_or(' ');
                return Err(self.error(start, format!("unexpected character '{ch}'")));
            }
        }
        if let Some(&(_, at)) = out.get(MAX_TOKENS) {
            return Err(self.error(
                at,
                format!(
                    "more than {MAX_TOKENS} tokens: split the expression into several [derive] \
                     columns"
                ),
            ));
        }
        out.push((Token::End, self.text.len()));
        Ok(out)
    }
}

/// Parse `text`; `context` names where it came from in errors (e.g. "derive.total").
pub fn parse(text: &str, context: &str) -> Result<Expr, ExprError> {
    let lexer = Lexer { text, context };
    let tokens = lexer.tokens()?;
    let mut parser = Parser {
        lexer,
        tokens,
        next: 0,
    };
    let expr = parser.or()?;
    match parser.peek() {
        Token::End => Ok(expr),
        _ => Err(parser.error_here(format!(
            "unexpected {} after a complete expression",
            parser.describe()
        ))),
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tokens: Vec<(Token, Offset)>,
    next: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // `tokens` always ends with End, and `advance` never moves past it.
        &self.tokens[self.next].0
    }

    fn at(&self) -> Offset {
        self.tokens[self.next].1
    }

    fn advance(&mut self) -> (Token, Offset) {
        let t = self.tokens[self.next].clone();
        if self.next + 1 < self.tokens.len() {
            self.next += 1;
        }
        t
    }

    fn is_symbol(&self, symbol: &str) -> bool {
        matches!(self.peek(), Token::Symbol(s) if *s == symbol)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Token::Word(w) if w == word)
    }

    fn error_here(&self, message: String) -> ExprError {
        self.lexer.error(self.at(), message)
    }

    fn describe(&self) -> String {
        match self.peek() {
            Token::Number(_) | Token::Text(_) => "value".into(),
            Token::Word(w) => format!("'{w}'"),
            Token::QuotedName(n) => format!("`{n}`"),
            Token::Symbol(s) => format!("'{s}'"),
            Token::End => "end".into(),
        }
    }

    fn binary(op: BinaryOp, left: Expr, right: Expr, at: Offset) -> Expr {
        Expr {
            kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            at,
        }
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.is_word("or") {
            let (_, at) = self.advance();
            let right = self.operand(Self::and, "or")?;
            left = Self::binary(BinaryOp::Or, left, right, at);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.not()?;
        while self.is_word("and") {
            let (_, at) = self.advance();
            let right = self.operand(Self::not, "and")?;
            left = Self::binary(BinaryOp::And, left, right, at);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ExprError> {
        if self.is_word("not") {
            let (_, at) = self.advance();
            let inner = self.operand(Self::not, "not")?;
            return Ok(Expr {
                kind: ExprKind::Unary(UnaryOp::Not, Box::new(inner)),
                at,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ExprError> {
        let left = self.additive()?;
        let op = match self.peek() {
            Token::Symbol("==") => BinaryOp::Equal,
            Token::Symbol("!=") => BinaryOp::NotEqual,
            Token::Symbol("<") => BinaryOp::Less,
            Token::Symbol("<=") => BinaryOp::LessOrEqual,
            Token::Symbol(">") => BinaryOp::Greater,
            Token::Symbol(">=") => BinaryOp::GreaterOrEqual,
            Token::Symbol("=") => {
                return Err(self.error_here("'=' is not a comparison; write '=='".into()))
            }
            _ => return Ok(left),
        };
        let (_, at) = self.advance();
        let right = self.operand(Self::additive, op.symbol())?;
        if matches!(
            self.peek(),
            Token::Symbol("==" | "!=" | "<" | "<=" | ">" | ">=")
        ) {
            return Err(self.error_here(
                "comparisons do not chain; join them with 'and' (a < b and b < c)".into(),
            ));
        }
        Ok(Self::binary(op, left, right, at))
    }

    fn additive(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Token::Symbol("+") => BinaryOp::Add,
                Token::Symbol("-") => BinaryOp::Subtract,
                _ => return Ok(left),
            };
            let (_, at) = self.advance();
            let right = self.operand(Self::multiplicative, op.symbol())?;
            left = Self::binary(op, left, right, at);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Symbol("*") => BinaryOp::Multiply,
                Token::Symbol("/") => BinaryOp::Divide,
                _ => return Ok(left),
            };
            let (_, at) = self.advance();
            let right = self.operand(Self::unary, op.symbol())?;
            left = Self::binary(op, left, right, at);
        }
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.is_symbol("-") {
            let (_, at) = self.advance();
            let inner = self.operand(Self::unary, "-")?;
            return Ok(Expr {
                kind: ExprKind::Unary(UnaryOp::Negate, Box::new(inner)),
                at,
            });
        }
        self.primary()
    }

    /// The right-hand side of `after`, with an error pointing at whatever stands there instead.
    fn operand(
        &mut self,
        parse: fn(&mut Self) -> Result<Expr, ExprError>,
        after: &str,
    ) -> Result<Expr, ExprError> {
        if !self.starts_value() {
            return Err(self.error_here(format!("expected a value after '{after}'")));
        }
        parse(self)
    }

    fn starts_value(&self) -> bool {
        match self.peek() {
            Token::Number(_) | Token::Text(_) | Token::QuotedName(_) => true,
            Token::Word(w) => w != "and" && w != "or",
            Token::Symbol(s) => *s == "(" || *s == "-",
            Token::End => false,
        }
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let at = self.at();
        let kind = match self.peek().clone() {
            Token::Number(x) => ExprKind::Number(x),
            Token::Text(s) => ExprKind::Text(s),
            Token::QuotedName(n) => ExprKind::Column(n),
            Token::Symbol("(") => {
                self.advance();
                let inner = self.operand(Self::or, "(")?;
                if !self.is_symbol(")") {
                    return Err(self.error_here(format!(
                        "expected ')' to close the '(' here, found {}",
                        self.describe()
                    )));
                }
                self.advance();
                return Ok(inner);
            }
            Token::Word(w) if w == "as_of" => ExprKind::AsOf,
            Token::Word(w) if w == "and" || w == "or" || w == "not" => {
                return Err(self.error_here(format!("expected a value, found '{w}'")))
            }
            Token::Word(w) => {
                self.advance();
                if self.is_symbol("(") {
                    return self.call(&w, at);
                }
                return Ok(Expr {
                    kind: ExprKind::Column(w),
                    at,
                });
            }
            _ => {
                return Err(self.error_here(format!("expected a value, found {}", self.describe())))
            }
        };
        self.advance();
        Ok(Expr { kind, at })
    }

    fn call(&mut self, name: &str, at: Offset) -> Result<Expr, ExprError> {
        let function = Function::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names = Function::ALL.map(Function::name).join(", ");
                self.lexer.error(
                    at,
                    format!("unknown function '{name}' (functions: {names})"),
                )
            })?;
        self.advance(); // the '('
        let mut args = Vec::new();
        if !self.is_symbol(")") {
            loop {
                let after = if args.is_empty() { "(" } else { "," };
                args.push(self.operand(Self::or, after)?);
                if self.is_symbol(",") {
                    self.advance();
                    continue;
                }
                if self.is_symbol(")") {
                    break;
                }
                return Err(self.error_here(format!(
                    "expected ',' or ')' in the arguments of {name}, found {}",
                    self.describe()
                )));
            }
        }
        self.advance(); // the ')'
        let (fewest, most) = function.arity();
        if args.len() < fewest || args.len() > most {
            let wanted = match (fewest, most) {
                (a, b) if a == b => format!("{a}"),
                (a, _) => format!("at least {a}"),
            };
            return Err(self.lexer.error(
                at,
                format!("{name} takes {wanted} argument(s), not {}", args.len()),
            ));
        }
        Ok(Expr {
            kind: ExprKind::Call(function, args),
            at,
        })
    }
}
