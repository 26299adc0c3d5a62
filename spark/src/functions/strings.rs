//! Spark's string functions that DataFusion lacks or names differently: `split` (by regular
//! expression), `regexp_extract`, `regexp_extract_all`, `locate`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int32Array, ListBuilder, StringArray, StringBuilder};
use arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::cast_argument;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Split,
    RegexpExtract,
    RegexpExtractAll,
    Locate,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkString {
    kind: Kind,
    name: &'static str,
    signature: Signature,
}

fn string_arg(args: &[ColumnarValue], i: usize, rows: usize) -> Result<Option<StringArray>> {
    args.get(i)
        .map(|v| cast_argument(v, rows, &DataType::Utf8))
        .transpose()
}

fn int_arg(args: &[ColumnarValue], i: usize, rows: usize) -> Result<Option<Int32Array>> {
    args.get(i)
        .map(|v| cast_argument(v, rows, &DataType::Int32))
        .transpose()
}

/// Compiles patterns, reusing the last one (patterns are usually the same on every row).
#[derive(Default)]
struct RegexCache {
    last: Option<(String, Regex)>,
}

impl RegexCache {
    fn get(&mut self, pattern: &str) -> Result<&Regex> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            let re = Regex::new(pattern).map_err(|e| {
                DataFusionError::Execution(format!(
                    "[INVALID_PARAMETER_VALUE.PATTERN] invalid regular expression {pattern:?}: {e}"
                ))
            })?;
            self.last = Some((pattern.to_string(), re));
        }
        match &self.last {
            Some((_, re)) => Ok(re),
            None => Err(DataFusionError::Internal("regex cache is empty".into())),
        }
    }
}

impl ScalarUDFImpl for SparkString {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::Split | Kind::RegexpExtractAll => DataType::List(Arc::new(
                arrow::datatypes::Field::new("item", DataType::Utf8, true),
            )),
            Kind::RegexpExtract => DataType::Utf8,
            Kind::Locate => DataType::Int32,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let a = args.args.as_slice();
        let missing = || DataFusionError::Plan(format!("{} is missing arguments", self.name));
        let first = string_arg(a, 0, rows)?.ok_or_else(missing)?;
        let second = string_arg(a, 1, rows)?.ok_or_else(missing)?;
        let third = int_arg(a, 2, rows)?;
        let mut cache = RegexCache::default();
        let out: ArrayRef = match self.kind {
            Kind::Split => {
                let mut builder = ListBuilder::new(StringBuilder::new());
                for i in 0..rows {
                    if first.is_null(i) || second.is_null(i) {
                        builder.append_null();
                        continue;
                    }
                    let limit = third.as_ref().map_or(-1, |l| l.value(i));
                    // An empty pattern splits into characters (no empty first or last part).
                    if second.value(i).is_empty() {
                        let text = first.value(i);
                        let mut chars: Vec<&str> = text
                            .char_indices()
                            .map(|(k, c)| &text[k..k + c.len_utf8()])
                            .collect();
                        if limit > 0 && chars.len() > limit as usize {
                            let keep = limit as usize - 1;
                            let rest_at: usize = chars[..keep].iter().map(|s| s.len()).sum();
                            chars.truncate(keep);
                            chars.push(&text[rest_at..]);
                        }
                        if chars.is_empty() {
                            chars.push("");
                        }
                        for p in chars {
                            builder.values().append_value(p);
                        }
                        builder.append(true);
                        continue;
                    }
                    let re = cache.get(second.value(i))?;
                    let parts: Vec<&str> = if limit > 0 {
                        re.splitn(first.value(i), limit as usize).collect()
                    } else {
                        re.split(first.value(i)).collect()
                    };
                    for p in parts {
                        builder.values().append_value(p);
                    }
                    builder.append(true);
                }
                Arc::new(builder.finish())
            }
            Kind::RegexpExtract => {
                let mut builder = StringBuilder::new();
                for i in 0..rows {
                    if first.is_null(i) || second.is_null(i) {
                        builder.append_null();
                        continue;
                    }
                    let group = third.as_ref().map_or(1, |g| g.value(i)).max(0) as usize;
                    let re = cache.get(second.value(i))?;
                    let value = re
                        .captures(first.value(i))
                        .and_then(|c| c.get(group))
                        .map_or("", |m| m.as_str());
                    builder.append_value(value);
                }
                Arc::new(builder.finish())
            }
            Kind::RegexpExtractAll => {
                // Every match's group `idx` (default 1), in order.
                let mut builder = ListBuilder::new(StringBuilder::new());
                for i in 0..rows {
                    if first.is_null(i) || second.is_null(i) {
                        builder.append_null();
                        continue;
                    }
                    let group = third.as_ref().map_or(1, |g| g.value(i));
                    let re = cache.get(second.value(i))?;
                    if group < 0 || group as usize >= re.captures_len() {
                        return Err(DataFusionError::Execution(format!(
                            "[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] The value of parameter(s) `idx` in `regexp_extract_all` is invalid: Expects group index between 0 and {}, but got {group}.",
                            re.captures_len() - 1
                        )));
                    }
                    for captures in re.captures_iter(first.value(i)) {
                        builder
                            .values()
                            .append_value(captures.get(group as usize).map_or("", |m| m.as_str()));
                    }
                    builder.append(true);
                }
                Arc::new(builder.finish())
            }
            Kind::Locate => {
                // locate(substr, str[, pos]): 1-based position of substr in str at or after pos.
                let values: Int32Array = (0..rows)
                    .map(|i| {
                        if first.is_null(i) || second.is_null(i) {
                            return None;
                        }
                        let start = third.as_ref().map_or(1, |p| p.value(i));
                        if start < 1 {
                            return Some(0);
                        }
                        let hay: Vec<char> = second.value(i).chars().collect();
                        let needle: Vec<char> = first.value(i).chars().collect();
                        let from = (start - 1) as usize;
                        if from > hay.len() {
                            return Some(0);
                        }
                        let found = (from..=hay.len().saturating_sub(needle.len()))
                            .find(|&k| hay[k..].starts_with(&needle));
                        Some(found.map_or(0, |k| k as i32 + 1))
                    })
                    .collect();
                Arc::new(values)
            }
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// The string functions, under Spark's names.
pub fn spark_string_functions() -> Vec<Arc<ScalarUDF>> {
    [
        (Kind::Split, "split"),
        (Kind::RegexpExtract, "regexp_extract"),
        (Kind::RegexpExtractAll, "regexp_extract_all"),
        (Kind::Locate, "locate"),
    ]
    .into_iter()
    .map(|(kind, name)| {
        Arc::new(ScalarUDF::new_from_impl(SparkString {
            kind,
            name,
            signature: Signature::variadic_any(Volatility::Immutable),
        }))
    })
    .collect()
}

/// Spark's `mask(str[, upperChar, lowerChar, digitChar, otherChar])`: each upper-case letter,
/// lower-case letter, digit and other character replaced by its class's character (defaults
/// `X`, `x`, `n` and none); a NULL class character leaves that class as it is.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Mask {
    signature: Signature,
}

/// `mask`, for registration.
pub fn mask_function() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(Mask {
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

impl ScalarUDFImpl for Mask {
    fn name(&self) -> &str {
        "mask"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = args.args.as_slice();
        if !(1..=5).contains(&a.len()) {
            return Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] mask takes 1 to 5 arguments".into(),
            ));
        }
        let rows = args.number_rows;
        let text = string_arg(a, 0, rows)?
            .ok_or_else(|| DataFusionError::Plan("mask needs a string".into()))?;
        let defaults = [Some('X'), Some('x'), Some('n'), None];
        let mut classes = Vec::with_capacity(4);
        for k in 0..4 {
            classes.push(string_arg(a, k + 1, rows)?);
        }
        let class_char = |k: usize, row: usize| -> Result<Option<char>> {
            match &classes[k] {
                None => Ok(defaults[k]),
                Some(chars) if chars.is_null(row) => Ok(None),
                Some(chars) => {
                    let mut it = chars.value(row).chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Ok(Some(c)),
                        _ => Err(DataFusionError::Execution(format!(
                            "[INVALID_PARAMETER_VALUE.MASK_CHAR] mask's replacement characters must be one character, got {:?}",
                            chars.value(row)
                        ))),
                    }
                }
            }
        };
        let mut out = StringBuilder::new();
        for row in 0..rows {
            if text.is_null(row) {
                out.append_null();
                continue;
            }
            let replacement = [
                class_char(0, row)?,
                class_char(1, row)?,
                class_char(2, row)?,
                class_char(3, row)?,
            ];
            let masked: String = text
                .value(row)
                .chars()
                .map(|c| {
                    let class = if c.is_uppercase() {
                        0
                    } else if c.is_lowercase() {
                        1
                    } else if c.is_ascii_digit() {
                        2
                    } else {
                        3
                    };
                    replacement[class].unwrap_or(c)
                })
                .collect();
            out.append_value(masked);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
