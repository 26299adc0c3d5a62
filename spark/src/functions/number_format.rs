//! Spark's number formats: `to_char(number, format)` (also `to_varchar`) and
//! `to_number(text, format)` / `try_to_number`.
//!
//! A format is made of digits (`0` or `9`), a decimal point (`.` or `D`), grouping separators
//! (`,` or `G`), a currency sign (`$`) and a sign (`S` first or last, `MI` or `PR` last).
//! `to_char` prints a number in it: digits right-aligned before the point, padded with zeros
//! when the digits start with `0` and with spaces otherwise; a number with more digits than
//! the format prints as `#`s. `to_number` reads text in it as a `DECIMAL` with as many digits
//! as the format; text that does not match raises `INVALID_FORMAT.MISMATCH_INPUT`
//! (`try_to_number`: NULL). `to_char` of a date, timestamp or binary is `date_format`,
//! `base64`/`hex` or `decode`, as in Spark.

use std::sync::Arc;

use arrow::array::{Array, Decimal128Array, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::scalar::ScalarValue;

use super::{call_result, call_rows, cast_argument, constant_argument};

/// One element of a number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Digit { zero: bool },
    Point,
    Group,
    Currency,
}

/// Where a format shows the sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignAt {
    None,
    First,
    Last,
    Minus,
    Brackets,
}

/// A parsed number format.
#[derive(Debug)]
struct NumberFormat {
    tokens: Vec<Token>,
    sign: SignAt,
    integer_digits: usize,
    fraction_digits: usize,
}

fn invalid_format(kind: &str, format: &str, detail: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[INVALID_FORMAT.{kind}] The format is invalid: '{format}'. {detail}"
    ))
}

impl NumberFormat {
    fn parse(text: &str) -> Result<Self> {
        let upper = text.to_ascii_uppercase();
        let mut rest = upper.as_str();
        let mut sign = SignAt::None;
        if let Some(r) = rest.strip_prefix('S') {
            sign = SignAt::First;
            rest = r;
        }
        if let Some(r) = rest.strip_suffix("MI") {
            sign = SignAt::Minus;
            rest = r;
        } else if let Some(r) = rest.strip_suffix("PR") {
            sign = SignAt::Brackets;
            rest = r;
        } else if sign == SignAt::None
            && let Some(r) = rest.strip_suffix('S')
        {
            sign = SignAt::Last;
            rest = r;
        }
        if !rest.contains(['0', '9']) {
            return Err(invalid_format(
                "WRONG_NUM_DIGIT",
                &upper,
                "The format string requires at least one number digit.",
            ));
        }
        let mut tokens = Vec::new();
        let (mut integer_digits, mut fraction_digits, mut seen_point) = (0, 0, false);
        for c in rest.chars() {
            let token = match c {
                '0' | '9' => {
                    if seen_point {
                        fraction_digits += 1;
                    } else {
                        integer_digits += 1;
                    }
                    Token::Digit { zero: c == '0' }
                }
                '.' | 'D' if !seen_point => {
                    seen_point = true;
                    Token::Point
                }
                ',' | 'G' if !seen_point => Token::Group,
                '$' => Token::Currency,
                _ => {
                    return Err(invalid_format(
                        "UNEXPECTED_TOKEN",
                        text,
                        &format!("Found the unexpected character '{c}' in the format string."),
                    ));
                }
            };
            tokens.push(token);
        }
        Ok(Self {
            tokens,
            sign,
            integer_digits,
            fraction_digits,
        })
    }

    /// `to_char`: the decimal `unscaled * 10^-scale` printed in this format.
    fn print(&self, unscaled: i128, scale: i8) -> String {
        let negative = unscaled < 0;
        let text = unscaled.unsigned_abs().to_string();
        let scale = usize::try_from(scale.max(0)).unwrap_or(0);
        let padded = format!("{text:0>width$}", width = scale + 1);
        let (integer, fraction) = padded.split_at(padded.len() - scale);
        let fraction = fraction.trim_end_matches('0');
        let overflow = integer.len() > self.integer_digits || fraction.len() > self.fraction_digits;
        let zero_pad = self
            .tokens
            .iter()
            .find_map(|t| match t {
                Token::Digit { zero } => Some(*zero),
                _ => None,
            })
            .unwrap_or(false);
        // Before the point: right to left, digits then padding.
        let point = self
            .tokens
            .iter()
            .position(|t| *t == Token::Point)
            .unwrap_or(self.tokens.len());
        let mut digits = integer.chars().rev();
        let mut remaining = integer.len();
        let mut before: Vec<char> = Vec::new();
        for token in self.tokens[..point].iter().rev() {
            match token {
                Token::Digit { .. } if overflow => before.push('#'),
                Token::Digit { .. } => match digits.next() {
                    Some(d) => {
                        before.push(d);
                        remaining -= 1;
                    }
                    None => before.push(if zero_pad { '0' } else { ' ' }),
                },
                Token::Group if overflow || remaining > 0 || zero_pad => before.push(','),
                Token::Group => before.push(' '),
                Token::Currency => before.push('$'),
                Token::Point => {}
            }
        }
        before.reverse();
        let mut body: String = before.into_iter().collect();
        let mut fraction_digits = fraction.chars();
        for token in &self.tokens[point..] {
            match token {
                Token::Point => body.push('.'),
                Token::Digit { .. } if overflow => body.push('#'),
                Token::Digit { .. } => body.push(fraction_digits.next().unwrap_or('0')),
                Token::Group => body.push(','),
                Token::Currency => body.push('$'),
            }
        }
        // The sign goes right before the first shown character; padding stays in front.
        let shown = body.trim_start_matches(' ');
        let padding = " ".repeat(body.len() - shown.len());
        match self.sign {
            SignAt::None => body,
            SignAt::First => format!("{padding}{}{shown}", if negative { '-' } else { '+' }),
            SignAt::Last => format!("{body}{}", if negative { '-' } else { '+' }),
            SignAt::Minus => format!("{body}{}", if negative { '-' } else { ' ' }),
            SignAt::Brackets if negative => format!("{padding}<{shown}>"),
            SignAt::Brackets => format!("{body}  "),
        }
    }

    /// `to_number`: `text` read in this format as an unscaled decimal of scale
    /// `fraction_digits`; `None` when it does not match.
    fn read(&self, text: &str) -> Option<i128> {
        let mut s = text.trim();
        let mut negative = false;
        match self.sign {
            SignAt::First => {
                if let Some(r) = s.strip_prefix('-') {
                    negative = true;
                    s = r;
                } else if let Some(r) = s.strip_prefix('+') {
                    s = r;
                }
            }
            SignAt::Last | SignAt::Minus => {
                if let Some(r) = s.strip_suffix('-') {
                    negative = true;
                    s = r;
                } else if let Some(r) = s.strip_suffix('+') {
                    s = r;
                }
            }
            SignAt::Brackets => {
                if let Some(r) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
                    negative = true;
                    s = r;
                }
            }
            SignAt::None => {}
        }
        if self.tokens.contains(&Token::Currency) {
            s = s.strip_prefix('$')?;
        }
        let s = s.trim();
        let (integer, fraction) = match s.split_once('.') {
            Some((i, f)) if self.tokens.contains(&Token::Point) => (i, f),
            Some(_) => return None,
            None => (s, ""),
        };
        let integer: String = if self.tokens.contains(&Token::Group) {
            integer.chars().filter(|c| *c != ',').collect()
        } else {
            integer.to_string()
        };
        let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if !all_digits(&integer)
            || !all_digits(fraction)
            || integer.len() > self.integer_digits
            || fraction.len() > self.fraction_digits
            || (integer.is_empty() && fraction.is_empty())
        {
            return None;
        }
        let digits = format!("{integer}{fraction:0<width$}", width = self.fraction_digits);
        let value: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        Some(if negative { -value } else { value })
    }
}

/// The format of a call, which must be a constant.
fn format_argument(value: Option<&ScalarValue>, function: &str) -> Result<Option<String>> {
    match value {
        Some(ScalarValue::Utf8(f) | ScalarValue::LargeUtf8(f) | ScalarValue::Utf8View(f)) => {
            Ok(f.clone())
        }
        Some(ScalarValue::Null) => Ok(None),
        _ => Err(DataFusionError::Plan(format!(
            "[NON_FOLDABLE_ARGUMENT] The function `{function}` requires the parameter `format` to be a foldable expression of the type \"STRING\", but the actual argument is a non-foldable."
        ))),
    }
}

/// `to_char` / `to_varchar`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToChar {
    name: &'static str,
    signature: Signature,
}

/// `to_number` / `try_to_number`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToNumber {
    name: &'static str,
    tolerant: bool,
    signature: Signature,
}

/// The functions of this module.
pub fn number_format_functions() -> Vec<Arc<ScalarUDF>> {
    let mut out: Vec<Arc<ScalarUDF>> = ["to_char", "to_varchar"]
        .into_iter()
        .map(|name| {
            Arc::new(ScalarUDF::new_from_impl(ToChar {
                name,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect();
    for (name, tolerant) in [("to_number", false), ("try_to_number", true)] {
        out.push(Arc::new(ScalarUDF::new_from_impl(ToNumber {
            name,
            tolerant,
            signature: Signature::user_defined(Volatility::Immutable),
        })));
    }
    out
}

/// What `to_char` of a value of type `t` is.
enum CharOf {
    Number,
    DateTime,
    Binary,
}

fn char_of(t: &DataType) -> Option<CharOf> {
    match t {
        t if t.is_numeric() => Some(CharOf::Number),
        DataType::Null => Some(CharOf::Number),
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => Some(CharOf::DateTime),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Some(CharOf::Binary),
        _ => None,
    }
}

impl ScalarUDFImpl for ToChar {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [value, _] = arg_types else {
            return Err(super::rows::wrong_num_args(self.name, "2", arg_types.len()));
        };
        let value = match (value, char_of(value)) {
            (DataType::Decimal128(_, _), _) => value.clone(),
            (_, Some(CharOf::Number)) => match value {
                DataType::Float32 | DataType::Float64 => DataType::Decimal128(38, 18),
                _ => DataType::Decimal128(38, 0),
            },
            (_, Some(_)) => value.clone(),
            (other, None) => {
                return Err(super::rows::unexpected_input_type(
                    self.name, 0, "NUMERIC", other,
                ));
            }
        };
        Ok(vec![value, DataType::Utf8])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let format = format_argument(constant_argument(&args, 1), self.name)?;
        let Some(format) = format else {
            return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(None)));
        };
        let values = args.args[0].to_array(rows)?;
        let out: StringArray = match char_of(values.data_type()) {
            Some(CharOf::DateTime) => {
                let pattern = super::datetime::spark_pattern_to_chrono(&format);
                let walls = super::datetime::wall_clock(&values)?;
                walls
                    .iter()
                    .map(|v| {
                        v.and_then(chrono::DateTime::from_timestamp_micros)
                            .map(|t| t.naive_utc().format(&pattern).to_string())
                    })
                    .collect()
            }
            Some(CharOf::Binary) => {
                let bytes: arrow::array::BinaryArray =
                    cast_argument(&ColumnarValue::Array(values), rows, &DataType::Binary)?;
                let encode = |b: &[u8]| -> Result<String> {
                    Ok(match format.to_ascii_lowercase().as_str() {
                        "base64" => data_encoding::BASE64.encode(b),
                        "hex" => b.iter().map(|c| format!("{c:02X}")).collect(),
                        "utf-8" | "utf8" => std::str::from_utf8(b)
                            .map_err(|_| {
                                DataFusionError::Execution(format!(
                                    "[MALFORMED_CHARACTER_CODING] Invalid value found when performing `{}` with utf-8",
                                    self.name
                                ))
                            })?
                            .to_string(),
                        _ => {
                            return Err(DataFusionError::Execution(format!(
                                "[INVALID_PARAMETER_VALUE.BINARY_FORMAT] The value of parameter(s) `format` in `{}` is invalid: expects one of binary formats 'base64', 'hex', 'utf-8', but got '{format}'.",
                                self.name
                            )));
                        }
                    })
                };
                bytes
                    .iter()
                    .map(|b| b.map(encode).transpose())
                    .collect::<Result<StringArray>>()?
            }
            _ => {
                let parsed = NumberFormat::parse(&format)?;
                let decimals = values
                    .as_any()
                    .downcast_ref::<Decimal128Array>()
                    .ok_or_else(|| DataFusionError::Internal("to_char takes a decimal".into()))?;
                let scale = decimals.scale();
                decimals
                    .iter()
                    .map(|v| v.map(|v| parsed.print(v, scale)))
                    .collect()
            }
        };
        call_result(Arc::new(out), scalar)
    }
}

impl ScalarUDFImpl for ToNumber {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types.len() {
            2 => Ok(vec![DataType::Utf8, DataType::Utf8]),
            n => Err(super::rows::wrong_num_args(self.name, "2", n)),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(
            "return_field_from_args is used".into(),
        ))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let format = format_argument(args.scalar_arguments.get(1).copied().flatten(), self.name)?;
        let t = match format {
            Some(f) => {
                let parsed = NumberFormat::parse(&f)?;
                let digits = (parsed.integer_digits + parsed.fraction_digits).clamp(1, 38);
                DataType::Decimal128(digits as u8, parsed.fraction_digits.min(38) as i8)
            }
            None => DataType::Decimal128(38, 0),
        };
        Ok(Arc::new(Field::new(self.name, t, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let DataType::Decimal128(p, s) = args.return_field.data_type().clone() else {
            return Err(DataFusionError::Internal(
                "to_number returns a decimal".into(),
            ));
        };
        let format = format_argument(constant_argument(&args, 1), self.name)?;
        let texts: StringArray = cast_argument(&args.args[0], rows, &DataType::Utf8)?;
        let out: Decimal128Array = match format {
            None => (0..rows).map(|_| None).collect(),
            Some(format) => {
                let parsed = NumberFormat::parse(&format)?;
                texts
                    .iter()
                    .map(|t| {
                        let Some(t) = t else {
                            return Ok(None);
                        };
                        match parsed.read(t) {
                            Some(v) => Ok(Some(v)),
                            None if self.tolerant => Ok(None),
                            None => Err(DataFusionError::Execution(format!(
                                "[INVALID_FORMAT.MISMATCH_INPUT] The format is invalid: {format}. The input \"STRING\" {t} does not match the format."
                            ))),
                        }
                    })
                    .collect::<Result<Decimal128Array>>()?
            }
        };
        call_result(Arc::new(out.with_precision_and_scale(p, s)?), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(value: i128, scale: i8, format: &str) -> String {
        NumberFormat::parse(format)
            .map(|f| f.print(value, scale))
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn prints_as_spark() {
        // JVM Spark 4.3's to_char.
        assert_eq!(show(454, 0, "999"), "454");
        assert_eq!(show(45400, 2, "000D00"), "454.00");
        assert_eq!(show(12454, 0, "99G999"), "12,454");
        assert_eq!(show(7812, 2, "$99.99"), "$78.12");
        assert_eq!(show(-124548, 1, "99G999D9S"), "12,454.8-");
        assert_eq!(show(5, 0, "999"), "  5");
        assert_eq!(show(5, 0, "000"), "005");
        assert_eq!(show(-5, 0, "S999"), "  -5");
        assert_eq!(show(-55, 1, "99.9MI"), " 5.5-");
        assert_eq!(show(-5, 0, "999PR"), "  <5>");
        assert_eq!(show(5, 0, "999PR"), "  5  ");
        assert_eq!(show(12345, 0, "999"), "###");
        assert_eq!(show(1256, 3, "9.99"), "#.##");
        assert_eq!(show(12, 1, "9.999"), "1.200");
        assert_eq!(show(5, 1, "9.9"), "0.5");
        assert_eq!(show(12, 0, "9,999"), "   12");
    }

    #[test]
    fn reads_as_spark() {
        let read = |t: &str, f: &str| NumberFormat::parse(f).ok().and_then(|f| f.read(t));
        assert_eq!(read("12,454.8-", "99,999.9S"), Some(-124548));
        assert_eq!(read("<454>", "999PR"), Some(-454));
        assert_eq!(read("$78.12", "$99.99"), Some(7812));
        assert_eq!(read("  454", "999"), Some(454));
        assert_eq!(read("4545", "99"), None);
        assert_eq!(read("abc", "999"), None);
    }
}
