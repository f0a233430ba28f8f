//! The calculator tool: a small arithmetic evaluator (recursive descent over + - * / % ^,
//! parentheses, unary signs, decimals with exponents), its JSON Schema as chat templates take
//! tools, and the call a model makes to it. Models are poor at arithmetic and good at asking.

use serde_json::{Value, json};

/// What the model calls it.
pub const CALCULATOR: &str = "calculator";

/// Longer expressions are refused: a model that writes one is looping, not calculating.
const MAX_LEN: usize = 1000;
/// Bounds recursion on inputs like "((((((...".
const MAX_DEPTH: usize = 64;

/// Why an expression could not be evaluated; the message goes back to the model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalcError {
    #[error("the expression is empty")]
    Empty,
    #[error("the expression is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("parentheses are nested too deeply")]
    TooDeep,
    #[error("expected a number at position {0}")]
    ExpectedNumber(usize),
    #[error("unexpected {found:?} at position {at}")]
    Unexpected { found: char, at: usize },
    #[error("a '(' is never closed")]
    Unclosed,
    #[error("division by zero")]
    DivisionByZero,
    #[error("the result is not a finite number")]
    NotFinite,
}

/// Evaluates `expr`: `2 * (3 + 4)`, `-1.5e3 / 4`, `2 ^ 10`, `17 % 5`. `^` binds tightest and
/// to the right; unary minus binds looser than `^` (`-2^2` is -4, as in mathematics).
pub fn calculate(expr: &str) -> Result<f64, CalcError> {
    if expr.len() > MAX_LEN {
        return Err(CalcError::TooLong);
    }
    let mut p = Parser {
        text: expr.as_bytes(),
        at: 0,
        depth: 0,
    };
    if p.peek().is_none() {
        return Err(CalcError::Empty);
    }
    let v = p.sum()?;
    if let Some(c) = p.peek() {
        return Err(p.unexpected(c));
    }
    if v.is_finite() {
        Ok(v)
    } else {
        Err(CalcError::NotFinite)
    }
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Option<u8> {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    fn unexpected(&self, _byte: u8) -> CalcError {
        // Report the whole character, not the byte, when it is not ASCII.
        let found = std::str::from_utf8(&self.text[self.at..])
            .ok()
            .or_else(|| std::str::from_utf8(&self.text[self.at..self.at + 1]).ok())
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{FFFD}');
        CalcError::Unexpected { found, at: self.at }
    }

    /// sum := product (('+' | '-') product)*
    fn sum(&mut self) -> Result<f64, CalcError> {
        let mut v = self.product()?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.at += 1;
            let r = self.product()?;
            v = if op == b'+' { v + r } else { v - r };
        }
        Ok(v)
    }

    /// product := unary (('*' | '/' | '%') unary)*
    fn product(&mut self) -> Result<f64, CalcError> {
        let mut v = self.unary()?;
        while let Some(op @ (b'*' | b'/' | b'%')) = self.peek() {
            // `**` is power, as models trained on Python write it.
            if op == b'*' && self.text.get(self.at + 1) == Some(&b'*') {
                break;
            }
            self.at += 1;
            let r = self.unary()?;
            v = match op {
                b'*' => v * r,
                _ if r == 0.0 => return Err(CalcError::DivisionByZero),
                b'/' => v / r,
                _ => v % r,
            };
        }
        Ok(v)
    }

    /// unary := ('-' | '+') unary | power
    fn unary(&mut self) -> Result<f64, CalcError> {
        match self.peek() {
            Some(b'-') => {
                self.at += 1;
                Ok(-self.nested(Self::unary)?)
            }
            Some(b'+') => {
                self.at += 1;
                self.nested(Self::unary)
            }
            _ => self.power(),
        }
    }

    /// power := atom (('^' | '**') unary)?   (right-associative through `unary`)
    fn power(&mut self) -> Result<f64, CalcError> {
        let base = self.atom()?;
        let width = match (self.peek(), self.text.get(self.at + 1)) {
            (Some(b'^'), _) => 1,
            (Some(b'*'), Some(b'*')) => 2,
            _ => return Ok(base),
        };
        self.at += width;
        let exponent = self.nested(Self::unary)?;
        Ok(base.powf(exponent))
    }

    /// atom := number | '(' sum ')'
    fn atom(&mut self) -> Result<f64, CalcError> {
        match self.peek() {
            Some(b'(') => {
                self.at += 1;
                let v = self.nested(Self::sum)?;
                if self.peek() != Some(b')') {
                    return Err(CalcError::Unclosed);
                }
                self.at += 1;
                Ok(v)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => self.number(),
            Some(c) => Err(self.unexpected(c)),
            None => Err(CalcError::ExpectedNumber(self.at)),
        }
    }

    fn number(&mut self) -> Result<f64, CalcError> {
        let start = self.at;
        let digits = |p: &mut Self| {
            while p
                .text
                .get(p.at)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'_' || *c == b',')
            {
                p.at += 1;
            }
        };
        digits(self);
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            digits(self);
        }
        if matches!(self.text.get(self.at), Some(b'e' | b'E')) {
            let mark = self.at;
            self.at += 1;
            if matches!(self.text.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.text.get(self.at).is_some_and(u8::is_ascii_digit) {
                digits(self);
            } else {
                self.at = mark;
            }
        }
        // Thousands separators ("1,234" or "1_234") are how people and models write numbers.
        let text: String = self.text[start..self.at]
            .iter()
            .filter(|c| **c != b'_' && **c != b',')
            .map(|c| char::from(*c))
            .collect();
        text.parse().map_err(|_| CalcError::ExpectedNumber(start))
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<f64, CalcError>) -> Result<f64, CalcError> {
        if self.depth >= MAX_DEPTH {
            return Err(CalcError::TooDeep);
        }
        self.depth += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }
}

/// The tool as chat templates take it (OpenAI's function-tool shape with a JSON Schema).
pub fn calculator_tool() -> Value {
    json!({
        "type": "function",
        "function": {
            "name": CALCULATOR,
            "description": "Evaluate an arithmetic expression with + - * / % ^ and parentheses.",
            "parameters": {
                "type": "object",
                "properties": {
                    "expression": {"type": "string", "description": "The expression, e.g. 2*(3+4)"}
                },
                "required": ["expression"]
            }
        }
    })
}

/// Runs a call's `arguments` (`{"expression": ...}`): `Ok` with the JSON result for the model
/// (`{"result": 110791}`), or `Err` with a JSON error it can read and correct.
pub fn run_calculator(arguments: &Value) -> Result<String, String> {
    let Some(expr) = arguments.get("expression").and_then(Value::as_str) else {
        return Err(json!({"error": "the call needs an \"expression\" string"}).to_string());
    };
    match calculate(expr) {
        Ok(v) => Ok(json!({"result": number(v)}).to_string()),
        Err(e) => Err(json!({"error": e.to_string(), "expression": expr}).to_string()),
    }
}

/// Whole results as integers (`110791`, not `110791.0`): that is how the model should quote them.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_associativity_and_signs() {
        assert_eq!(calculate("(1234 + 766) * 3 / 2"), Ok(3000.0));
        assert_eq!(calculate("2 + 3 * 4"), Ok(14.0));
        assert_eq!(calculate("10 - 4 - 3"), Ok(3.0));
        assert_eq!(calculate("2 ^ 3 ^ 2"), Ok(512.0));
        assert_eq!(calculate("2 ** 10"), Ok(1024.0));
        assert_eq!(calculate("-2 ^ 2"), Ok(-4.0));
        assert_eq!(calculate("2 ^ -1"), Ok(0.5));
        assert_eq!(calculate("--3"), Ok(3.0));
        assert_eq!(calculate("17 % 5"), Ok(2.0));
        assert_eq!(calculate(" 1.5e3 / .5 "), Ok(3000.0));
        assert_eq!(calculate("4,817 * 23"), Ok(110791.0));
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        assert_eq!(calculate(""), Err(CalcError::Empty));
        assert_eq!(calculate("2 +"), Err(CalcError::ExpectedNumber(3)));
        assert_eq!(calculate("(2 + 3"), Err(CalcError::Unclosed));
        assert_eq!(calculate("1 / (2 - 2)"), Err(CalcError::DivisionByZero));
        assert_eq!(
            calculate("2 x 3"),
            Err(CalcError::Unexpected { found: 'x', at: 2 })
        );
        assert_eq!(
            calculate("2 × 3"),
            Err(CalcError::Unexpected { found: '×', at: 2 })
        );
        assert_eq!(calculate("10 ^ 400"), Err(CalcError::NotFinite));
        assert_eq!(calculate(&"(".repeat(500)), Err(CalcError::TooDeep));
        assert_eq!(calculate(&"1+".repeat(600)), Err(CalcError::TooLong));
    }

    #[test]
    fn calls_give_json_for_the_model() {
        assert_eq!(
            run_calculator(&json!({"expression": "4817 * 23"})),
            Ok(r#"{"result":110791}"#.into())
        );
        assert_eq!(
            run_calculator(&json!({"expression": "1/8"})),
            Ok(r#"{"result":0.125}"#.into())
        );
        let err = run_calculator(&json!({"expression": "1/0"})).unwrap_err();
        assert!(err.contains("division by zero"), "{err}");
        let err = run_calculator(&json!({"expr": "1"})).unwrap_err();
        assert!(err.contains("expression"), "{err}");
        assert_eq!(calculator_tool()["function"]["name"], CALCULATOR);
    }
}
