//! Spark's string functions that DataFusion lacks or names differently: `split` (by regular
//! expression), `regexp_extract`, `locate`.

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
            Kind::Split => DataType::List(Arc::new(arrow::datatypes::Field::new(
                "item",
                DataType::Utf8,
                true,
            ))),
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
