//! Spark's `from_json(text, schema)` and `schema_of_json(text)`.
//!
//! The schema is Spark's DDL text: a column list (`a INT, b STRING`) or one type
//! (`STRUCT<a: INT>`, `ARRAY<INT>`, `MAP<STRING, INT>`). Values are read as Spark's default
//! `PERMISSIVE` mode reads them: a field whose JSON value does not fit its type is NULL, text
//! that is not JSON gives a struct of NULLs (NULL for an array or map schema), names match
//! exactly. `schema_of_json` infers a schema as Spark prints it (`STRUCT<a: BIGINT, …>`,
//! fields sorted by name, integers `BIGINT`, other numbers `DOUBLE`).

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float32Array, Float64Array, Int8Array, Int16Array,
    Int32Array, Int64Array, ListArray, MapArray, StringArray, StructArray,
    TimestampMicrosecondArray, new_null_array,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field, FieldRef, Fields, TimeUnit};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::{self, ArrayElemTypeDef, ExactNumberInfo, Statement};
use datafusion::sql::sqlparser::parser::Parser;
use serde_json::Value;

use super::rows::{Arg, RowFunction, text};
use super::{call_result, call_rows, cast_argument};

/// `from_json` and `schema_of_json`.
pub fn json_schema_functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(FromJson {
            signature: Signature::user_defined(Volatility::Immutable),
        })),
        RowFunction::new(
            "schema_of_json",
            &[Arg::String, Arg::Any],
            1,
            DataType::Utf8,
            schema_of_json,
        )
        .udf(),
    ]
}

fn parse_error(schema: &str) -> DataFusionError {
    DataFusionError::Plan(format!(
        "[PARSE_SYNTAX_ERROR] Syntax error in the schema {schema:?} of from_json."
    ))
}

/// The Arrow type of Spark DDL text (see the module documentation).
fn schema_type(ddl: &str) -> Result<DataType> {
    let dialect = crate::parser::dialect::EmberDialect::without_escapes();
    let single = ["struct", "array", "map"]
        .iter()
        .any(|k| ddl.trim_start().to_ascii_lowercase().starts_with(k));
    if single {
        let parsed = Parser::new(&dialect)
            .try_with_sql(ddl)
            .and_then(|mut p| p.parse_data_type())
            .map_err(|_| parse_error(ddl))?;
        return arrow_type(&parsed).ok_or_else(|| parse_error(ddl));
    }
    let statements = Parser::parse_sql(&dialect, &format!("CREATE TABLE t ({ddl})"))
        .map_err(|_| parse_error(ddl))?;
    let Some(Statement::CreateTable(table)) = statements.first() else {
        return Err(parse_error(ddl));
    };
    let fields = table
        .columns
        .iter()
        .map(|c| arrow_type(&c.data_type).map(|t| Field::new(c.name.value.clone(), t, true)))
        .collect::<Option<Vec<Field>>>()
        .ok_or_else(|| parse_error(ddl))?;
    Ok(DataType::Struct(Fields::from(fields)))
}

/// Spark's SQL type `t` in Arrow (`TIMESTAMP` in UTC).
fn arrow_type(t: &ast::DataType) -> Option<DataType> {
    use ast::DataType as T;
    Some(match t {
        T::TinyInt(_) => DataType::Int8,
        T::SmallInt(_) => DataType::Int16,
        T::Int(_) | T::Integer(_) => DataType::Int32,
        T::BigInt(_) => DataType::Int64,
        T::Float(_) | T::Real => DataType::Float32,
        T::Double(_) | T::Float64 | T::DoublePrecision => DataType::Float64,
        T::String(_) | T::Text | T::Varchar(_) | T::Char(_) => DataType::Utf8,
        T::Boolean | T::Bool => DataType::Boolean,
        T::Date => DataType::Date32,
        T::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        T::TimestampNtz(_) => DataType::Timestamp(TimeUnit::Microsecond, None),
        T::Binary(_) | T::Bytea => DataType::Binary,
        T::Decimal(info) => match info {
            ExactNumberInfo::None => DataType::Decimal128(10, 0),
            ExactNumberInfo::Precision(p) => DataType::Decimal128(u8::try_from(*p).ok()?, 0),
            ExactNumberInfo::PrecisionAndScale(p, s) => {
                DataType::Decimal128(u8::try_from(*p).ok()?, i8::try_from(*s).ok()?)
            }
        },
        T::Array(
            ArrayElemTypeDef::AngleBracket(inner)
            | ArrayElemTypeDef::SquareBracket(inner, _)
            | ArrayElemTypeDef::Parenthesis(inner),
        ) => DataType::new_list(arrow_type(inner)?, true),
        T::Map(key, value) => DataType::Map(
            Arc::new(Field::new(
                "entries",
                DataType::Struct(Fields::from(vec![
                    Field::new("key", arrow_type(key)?, false),
                    Field::new("value", arrow_type(value)?, true),
                ])),
                false,
            )),
            false,
        ),
        T::Struct(fields, _) => DataType::Struct(Fields::from(
            fields
                .iter()
                .map(|f| {
                    let name = f.field_name.as_ref()?.value.clone();
                    Some(Field::new(name, arrow_type(&f.field_type)?, true))
                })
                .collect::<Option<Vec<Field>>>()?,
        )),
        T::Custom(name, _) => match name.to_string().to_ascii_lowercase().as_str() {
            "long" => DataType::Int64,
            "short" => DataType::Int16,
            "byte" => DataType::Int8,
            "timestamp_ntz" => DataType::Timestamp(TimeUnit::Microsecond, None),
            "timestamp_ltz" => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            _ => return None,
        },
        _ => return None,
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct FromJson {
    signature: Signature,
}

fn schema_argument(value: Option<&ScalarValue>) -> Result<String> {
    value.and_then(text).map(str::to_string).ok_or_else(|| {
        DataFusionError::Plan(
            "[INVALID_SCHEMA.NON_STRING_LITERAL] The input schema is not a valid schema string: it must be a string literal.".into(),
        )
    })
}

impl ScalarUDFImpl for FromJson {
    fn name(&self) -> &str {
        "from_json"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [_, _] => Ok(vec![DataType::Utf8, DataType::Utf8]),
            [_, _, options] => Ok(vec![DataType::Utf8, DataType::Utf8, options.clone()]),
            _ => Err(super::rows::wrong_num_args(
                "from_json",
                "[2, 3]",
                arg_types.len(),
            )),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(
            "return_field_from_args is used".into(),
        ))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let schema = schema_argument(args.scalar_arguments.get(1).copied().flatten())?;
        Ok(Arc::new(Field::new(
            "from_json",
            schema_type(&schema)?,
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let texts: StringArray = cast_argument(&args.args[0], rows, &DataType::Utf8)?;
        let target = args.return_field.data_type().clone();
        let parsed: Vec<Option<Value>> = texts
            .iter()
            .map(|t| t.map(|t| serde_json::from_str(t).unwrap_or(Value::Null)))
            .collect();
        let top: Vec<Option<&Value>> = parsed
            .iter()
            .map(|v| match v {
                // Text that is not JSON: a struct of NULLs (PERMISSIVE), NULL otherwise.
                Some(Value::Null) if matches!(target, DataType::Struct(_)) => Some(&*EMPTY_OBJECT),
                Some(v) => Some(v),
                None => None,
            })
            .collect();
        call_result(build(&top, &target)?, scalar)
    }
}

static EMPTY_OBJECT: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| Value::Object(serde_json::Map::new()));

/// The values `values` (None: NULL) as an array of type `t`; a value of the wrong JSON kind
/// is NULL.
fn build(values: &[Option<&Value>], t: &DataType) -> Result<ArrayRef> {
    let int = |v: &Option<&Value>| v.and_then(Value::as_i64);
    Ok(match t {
        DataType::Int8 => Arc::new(
            values
                .iter()
                .map(|v| int(v).and_then(|i| i8::try_from(i).ok()))
                .collect::<Int8Array>(),
        ),
        DataType::Int16 => Arc::new(
            values
                .iter()
                .map(|v| int(v).and_then(|i| i16::try_from(i).ok()))
                .collect::<Int16Array>(),
        ),
        DataType::Int32 => Arc::new(
            values
                .iter()
                .map(|v| int(v).and_then(|i| i32::try_from(i).ok()))
                .collect::<Int32Array>(),
        ),
        DataType::Int64 => Arc::new(values.iter().map(int).collect::<Int64Array>()),
        DataType::Float32 => Arc::new(
            values
                .iter()
                .map(|v| v.and_then(Value::as_f64).map(|f| f as f32))
                .collect::<Float32Array>(),
        ),
        DataType::Float64 => Arc::new(
            values
                .iter()
                .map(|v| v.and_then(Value::as_f64))
                .collect::<Float64Array>(),
        ),
        DataType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| v.and_then(Value::as_bool))
                .collect::<BooleanArray>(),
        ),
        DataType::Utf8 => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(other) => Some(other.to_string()),
                })
                .collect::<StringArray>(),
        ),
        DataType::Date32 => Arc::new(
            values
                .iter()
                .map(|v| {
                    v.and_then(Value::as_str)
                        .and_then(|s| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
                        .map(|d| {
                            (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
                                .num_days() as i32
                        })
                })
                .collect::<Date32Array>(),
        ),
        DataType::Timestamp(_, zone) => {
            let texts: StringArray = values.iter().map(|v| v.and_then(Value::as_str)).collect();
            let parsed = super::datetime::strings_to_timestamps(&(Arc::new(texts) as ArrayRef))?;
            let micros = parsed
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>()
                .cloned()
                .ok_or_else(|| DataFusionError::Internal("timestamps expected".into()))?;
            match zone {
                Some(z) => Arc::new(micros.with_timezone(Arc::clone(z))),
                None => Arc::new(micros),
            }
        }
        DataType::Decimal128(_, _) | DataType::Binary => {
            let texts: StringArray = values
                .iter()
                .map(|v| match v {
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(Value::String(s)) if t == &DataType::Binary => Some(s.clone()),
                    _ => None,
                })
                .collect();
            let options = arrow::compute::CastOptions {
                safe: true,
                ..Default::default()
            };
            arrow::compute::cast_with_options(&texts, t, &options)?
        }
        DataType::List(item) => {
            let mut lengths = Vec::with_capacity(values.len());
            let mut children: Vec<Option<&Value>> = Vec::new();
            let mut valid = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Some(Value::Array(items)) => {
                        lengths.push(items.len());
                        children.extend(items.iter().map(Some));
                        valid.push(true);
                    }
                    _ => {
                        lengths.push(0);
                        valid.push(false);
                    }
                }
            }
            Arc::new(ListArray::try_new(
                Arc::clone(item),
                OffsetBuffer::from_lengths(lengths),
                build(&children, item.data_type())?,
                Some(NullBuffer::from(valid)),
            )?)
        }
        DataType::Struct(fields) => {
            let valid: Vec<bool> = values
                .iter()
                .map(|v| matches!(v, Some(Value::Object(_))))
                .collect();
            let columns = fields
                .iter()
                .map(|f| {
                    let children: Vec<Option<&Value>> = values
                        .iter()
                        .map(|v| match v {
                            Some(Value::Object(o)) => o.get(f.name()),
                            _ => None,
                        })
                        .collect();
                    build(&children, f.data_type())
                })
                .collect::<Result<Vec<ArrayRef>>>()?;
            if fields.is_empty() {
                new_null_array(t, values.len())
            } else {
                Arc::new(StructArray::try_new(
                    fields.clone(),
                    columns,
                    Some(NullBuffer::from(valid)),
                )?)
            }
        }
        DataType::Map(entries, sorted) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(DataFusionError::Internal("map entries are a struct".into()));
            };
            let mut lengths = Vec::with_capacity(values.len());
            let (mut keys, mut items): (Vec<Option<&str>>, Vec<Option<&Value>>) =
                (Vec::new(), Vec::new());
            let mut valid = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Some(Value::Object(o)) => {
                        lengths.push(o.len());
                        for (k, item) in o {
                            keys.push(Some(k.as_str()));
                            items.push(Some(item));
                        }
                        valid.push(true);
                    }
                    _ => {
                        lengths.push(0);
                        valid.push(false);
                    }
                }
            }
            let key_type = kv[0].data_type();
            let keys = arrow::compute::cast(&StringArray::from(keys), key_type)?;
            let items = build(&items, kv[1].data_type())?;
            let entries_array = StructArray::try_new(kv.clone(), vec![keys, items], None)?;
            Arc::new(MapArray::try_new(
                Arc::clone(entries),
                OffsetBuffer::from_lengths(lengths),
                entries_array,
                Some(NullBuffer::from(valid)),
                *sorted,
            )?)
        }
        other => {
            return Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.INVALID_JSON_SCHEMA] from_json cannot read {other}"
            )));
        }
    })
}

/// `schema_of_json(text)`: the schema Spark infers for one JSON value.
fn schema_of_json(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(t) = text(&args[0]) else {
        return Ok(ScalarValue::Utf8(None));
    };
    let value: Value = serde_json::from_str(t).map_err(|e| {
        DataFusionError::Execution(format!(
            "[INVALID_JSON_SCHEMA] schema_of_json cannot infer a schema from invalid JSON: {e}"
        ))
    })?;
    Ok(ScalarValue::Utf8(Some(infer(&value))))
}

/// The Spark type name inferred for `value`.
fn infer(value: &Value) -> String {
    match value {
        Value::Null | Value::String(_) => "STRING".into(),
        Value::Bool(_) => "BOOLEAN".into(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "BIGINT".into(),
        Value::Number(_) => "DOUBLE".into(),
        Value::Array(items) => {
            let mut element: Option<String> = None;
            for item in items {
                let t = infer(item);
                element = Some(match element {
                    None => t,
                    Some(e) if e == t => e,
                    Some(e)
                        if matches!(
                            (e.as_str(), t.as_str()),
                            ("BIGINT", "DOUBLE") | ("DOUBLE", "BIGINT")
                        ) =>
                    {
                        "DOUBLE".into()
                    }
                    Some(_) => "STRING".into(),
                });
            }
            format!("ARRAY<{}>", element.unwrap_or_else(|| "STRING".into()))
        }
        Value::Object(fields) => {
            let mut names: Vec<&String> = fields.keys().collect();
            names.sort();
            let parts: Vec<String> = names
                .iter()
                .map(|k| format!("{k}: {}", infer(&fields[k.as_str()])))
                .collect();
            format!("STRUCT<{}>", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_read_as_spark_writes_them() {
        assert_eq!(
            schema_type("a INT, b DOUBLE").ok(),
            Some(DataType::Struct(Fields::from(vec![
                Field::new("a", DataType::Int32, true),
                Field::new("b", DataType::Float64, true),
            ])))
        );
        assert!(schema_type("ARRAY<INT>").is_ok());
        assert!(schema_type("STRUCT<a: INT, b: ARRAY<STRUCT<c: STRING>>>").is_ok());
        assert!(schema_type("MAP<STRING, INT>").is_ok());
        assert!(schema_type("a INT,,").is_err());
        // JVM Spark 4.3's schema_of_json.
        let inferred = infer(
            &serde_json::from_str(r#"{"b":"x", "a":1, "c":[1.5], "d":{"e":true}, "f":null}"#)
                .unwrap_or(Value::Null),
        );
        assert_eq!(
            inferred,
            "STRUCT<a: BIGINT, b: STRING, c: ARRAY<DOUBLE>, d: STRUCT<e: BOOLEAN>, f: STRING>"
        );
    }
}
