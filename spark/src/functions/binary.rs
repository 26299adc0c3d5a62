//! Spark's `to_binary(str[, fmt])` and `try_to_binary`: text to bytes as hexadecimal (the
//! default), UTF-8 or base64. Malformed text raises `CONVERSION_INVALID_INPUT` (NULL with
//! `try_to_binary`); an unknown format raises `DATATYPE_MISMATCH.INVALID_ARG_VALUE`.

use std::sync::Arc;

use arrow::array::{Array, BinaryBuilder, StringArray};
use arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::cast_argument;

/// `to_binary` or `try_to_binary`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToBinary {
    name: &'static str,
    /// `try_to_binary`: NULL for malformed text.
    tolerant: bool,
    signature: Signature,
}

/// `to_binary` and `try_to_binary`, for registration.
pub fn binary_functions() -> Vec<Arc<ScalarUDF>> {
    [("to_binary", false), ("try_to_binary", true)]
        .into_iter()
        .map(|(name, tolerant)| {
            Arc::new(ScalarUDF::new_from_impl(ToBinary {
                name,
                tolerant,
                signature: Signature::variadic_any(Volatility::Immutable),
            }))
        })
        .collect()
}

/// The bytes of `text` in `format` (lower case), `None` when `text` is malformed for it.
fn decode(text: &str, format: &str) -> Option<Vec<u8>> {
    match format {
        "utf-8" | "utf8" => Some(text.as_bytes().to_vec()),
        "hex" => hex(text),
        _ => base64(text),
    }
}

/// Hexadecimal digits, two per byte; an odd count reads as if a leading `0` were written.
fn hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let padded: Vec<u8> = if !digits.len().is_multiple_of(2) {
        std::iter::once(0).chain(digits).collect()
    } else {
        digits
    };
    Some(padded.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// RFC 4648 base64 as Spark accepts it: whitespace between data characters is ignored, at
/// most two `=` end the text (nothing but whitespace after them), and the length must make
/// whole bytes.
fn base64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end();
    let (data, padding) = match trimmed.find('=') {
        Some(at) => trimmed.split_at(at),
        None => (trimmed, ""),
    };
    if padding.len() > 2 || padding.chars().any(|c| c != '=') {
        return None;
    }
    let values: Vec<u32> = data
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'A'..='Z' => Some(c as u32 - 'A' as u32),
            'a'..='z' => Some(c as u32 - 'a' as u32 + 26),
            '0'..='9' => Some(c as u32 - '0' as u32 + 52),
            '+' => Some(62),
            '/' => Some(63),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let whole = if padding.is_empty() {
        values.len() % 4 != 1
    } else {
        (values.len() + padding.len()).is_multiple_of(4)
    };
    if !whole {
        return None;
    }
    let mut out = Vec::with_capacity(values.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for v in values {
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

impl ScalarUDFImpl for ToBinary {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if !(1..=2).contains(&arg_types.len()) {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires [1, 2] parameters but the actual number is {}.",
                self.name,
                arg_types.len()
            )));
        }
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = super::call_rows(&args);
        let texts: StringArray = cast_argument(&args.args[0], rows, &DataType::Utf8)?;
        let formats: Option<StringArray> = args
            .args
            .get(1)
            .map(|f| cast_argument(f, rows, &DataType::Utf8))
            .transpose()?;
        let mut out = BinaryBuilder::new();
        for row in 0..rows {
            let format = match &formats {
                None => Some("hex".to_string()),
                Some(f) if f.is_null(row) => None,
                Some(f) => Some(f.value(row).to_ascii_lowercase()),
            };
            let (Some(format), false) = (format, texts.is_null(row)) else {
                out.append_null();
                continue;
            };
            if !matches!(format.as_str(), "hex" | "utf-8" | "utf8" | "base64") {
                return Err(DataFusionError::Execution(format!(
                    "[DATATYPE_MISMATCH.INVALID_ARG_VALUE] Cannot resolve \"{}\" due to data type mismatch: the format must be one of 'base64', 'hex', 'utf-8' (any case), but got '{format}'. SQLSTATE: 42K09",
                    self.name
                )));
            }
            let text = texts.value(row);
            match decode(text, &format) {
                Some(bytes) => out.append_value(bytes),
                None if self.tolerant => out.append_null(),
                None => {
                    return Err(DataFusionError::Execution(format!(
                        "[CONVERSION_INVALID_INPUT] The value '{text}' ({format}) cannot be converted to BINARY because it is malformed. Correct the value as per the syntax, or change its format. Use 'try_to_binary' to tolerate malformed input and return NULL instead. SQLSTATE: 22018"
                    )));
                }
            }
        }
        super::call_result(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_follows_spark_padding_rules() {
        assert_eq!(base64(" ab cd "), Some(vec![0x69, 0xb7, 0x1d]));
        assert_eq!(base64(" ab c="), Some(vec![0x69, 0xb7]));
        assert_eq!(base64("  "), Some(vec![]));
        for bad in [" ab cdef= = ", "a", "a?", "abcde", "abcd=", "a===", "ab==f"] {
            assert_eq!(base64(bad), None, "{bad}");
        }
    }

    #[test]
    fn hex_pads_an_odd_digit_count() {
        assert_eq!(hex("737472696E67"), Some(b"string".to_vec()));
        assert_eq!(hex("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(hex("xy"), None);
    }
}
