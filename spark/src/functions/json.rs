//! Spark's JSON functions: `to_json` (a struct, array or map as JSON text, as Spark's Jackson
//! writer prints it), `get_json_object` (a JSONPath subset: `$`, `.name`, `['name']`, `[n]`,
//! `[*]`), `json_array_length` and `json_object_keys`. Text that is not valid JSON gives NULL,
//! as in Spark.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int32Array, ListBuilder, StringBuilder};
use arrow::datatypes::{DataType, Float32Type, Float64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::format::{hive_value, java_double, java_float};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    ToJson,
    GetJsonObject,
    JsonArrayLength,
    JsonObjectKeys,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

/// The JSON functions, for registration.
pub fn json_functions() -> Vec<Arc<ScalarUDF>> {
    [
        ("to_json", Kind::ToJson),
        ("get_json_object", Kind::GetJsonObject),
        ("json_array_length", Kind::JsonArrayLength),
        ("json_object_keys", Kind::JsonObjectKeys),
    ]
    .into_iter()
    .map(|(name, kind)| {
        Arc::new(ScalarUDF::new_from_impl(JsonFunction {
            name,
            kind,
            signature: Signature::variadic_any(Volatility::Immutable),
        }))
    })
    .collect()
}

fn quote(out: &mut String, s: &str) {
    // serde_json escapes as Jackson does for the characters that must be escaped.
    out.push_str(&serde_json::Value::String(s.to_string()).to_string());
}

/// Row `row` of `array` as JSON, appended to `out`.
fn write_json(out: &mut String, array: &ArrayRef, row: usize) {
    if array.is_null(row) {
        out.push_str("null");
        return;
    }
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Decimal128(..) => out.push_str(&hive_value(array, row, false)),
        // NaN and the infinities are not JSON numbers: Spark writes them as strings.
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            if v.is_finite() {
                out.push_str(&java_double(v));
            } else {
                quote(out, &java_double(v));
            }
        }
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            if v.is_finite() {
                out.push_str(&java_float(v));
            } else {
                quote(out, &java_float(v));
            }
        }
        DataType::Timestamp(_, _) => {
            // Spark's default timestampFormat, yyyy-MM-dd'T'HH:mm:ss.SSSXXX, in UTC.
            let micros = arrow::compute::cast(
                &array.slice(row, 1),
                &DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
            )
            .ok()
            .and_then(|a| arrow::compute::cast(&a, &DataType::Int64).ok())
            .map(|a| a.as_primitive::<arrow::datatypes::Int64Type>().value(0));
            let text = micros
                .and_then(chrono::DateTime::from_timestamp_micros)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                .unwrap_or_default();
            quote(out, &text);
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                DataType::LargeList(_) => array.as_list::<i64>().value(row),
                _ => array.as_fixed_size_list().value(row),
            };
            out.push('[');
            for i in 0..values.len() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, &values, i);
            }
            out.push(']');
        }
        DataType::Map(_, _) => {
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            out.push('{');
            for i in 0..entries.len() {
                if i > 0 {
                    out.push(',');
                }
                quote(out, &key_text(keys, i));
                out.push(':');
                write_json(out, values, i);
            }
            out.push('}');
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            out.push('{');
            let mut first = true;
            for (i, field) in fields.iter().enumerate() {
                // Spark leaves out NULL fields (ignoreNullFields).
                if s.column(i).is_null(row) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                quote(out, field.name());
                out.push(':');
                write_json(out, s.column(i), row);
            }
            out.push('}');
        }
        _ => quote(out, &hive_value(array, row, false)),
    }
}

/// A map key as the JSON object key Spark writes: its text; a struct as `[v1,v2]`.
fn key_text(keys: &ArrayRef, i: usize) -> String {
    match keys.data_type() {
        DataType::Struct(_) => {
            let s = keys.as_struct();
            let parts: Vec<String> = s
                .columns()
                .iter()
                .map(|c| hive_value(c, i, false))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        _ => hive_value(keys, i, false),
    }
}

/// A parsed JSON document whose objects keep their keys in document order, as Spark's
/// `json_object_keys` and `get_json_object` return them (`serde_json`'s own map sorts them).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) => quote(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

fn parse_json(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> std::result::Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
                Ok(Value::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
                Ok(Value::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
                Ok(Value::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
                Ok(Value::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Value::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    entries.push((k, v));
                }
                Ok(Value::Object(entries))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// One step of a JSONPath.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

/// Parses Spark's JSONPath subset; `None` for a path Spark rejects (its result is NULL).
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() {
                return None;
            }
            steps.push(if name == "*" {
                Step::Wildcard
            } else {
                Step::Key(name.to_string())
            });
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inside = &r[..end];
            steps.push(if inside == "*" {
                Step::Wildcard
            } else if let Some(q) = inside.strip_prefix('\'').and_then(|q| q.strip_suffix('\'')) {
                Step::Key(q.to_string())
            } else {
                Step::Index(inside.trim().parse().ok()?)
            });
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The values `steps` select in `value`; `wildcard` tells whether a `[*]` was crossed (several
/// matches are then returned as one JSON array).
fn select<'a>(value: &'a Value, steps: &[Step], found: &mut Vec<&'a Value>, wildcard: &mut bool) {
    let Some((step, rest)) = steps.split_first() else {
        found.push(value);
        return;
    };
    match (step, value) {
        (Step::Key(k), Value::Object(_)) => {
            if let Some(v) = value.get(k) {
                select(v, rest, found, wildcard);
            }
        }
        (Step::Key(k), Value::Array(items)) if *wildcard => {
            for item in items {
                if let Some(v) = item.get(k) {
                    select(v, rest, found, wildcard);
                }
            }
        }
        (Step::Index(i), Value::Array(items)) => {
            if let Some(v) = items.get(i.to_owned()) {
                select(v, rest, found, wildcard);
            }
        }
        (Step::Wildcard, Value::Array(items)) => {
            *wildcard = true;
            for item in items {
                select(item, rest, found, wildcard);
            }
        }
        _ => {}
    }
}

/// `get_json_object(json, path)`: a selected string as its text, anything else as JSON.
pub fn get_json_object(json: &str, path: &str) -> Option<String> {
    let value = parse_json(json)?;
    let steps = parse_path(path)?;
    let mut found = Vec::new();
    let mut wildcard = false;
    select(&value, &steps, &mut found, &mut wildcard);
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.text(),
    };
    match found.as_slice() {
        [] => None,
        // One match is returned bare, also through `[*]` (as Spark and Hive do).
        [Value::Null] => None,
        [one] => Some(text(one)),
        many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect()).text()),
    }
}

impl ScalarUDFImpl for JsonFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::ToJson | Kind::GetJsonObject => DataType::Utf8,
            Kind::JsonArrayLength => DataType::Int32,
            Kind::JsonObjectKeys => DataType::new_list(DataType::Utf8, true),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let expected = match self.kind {
            Kind::ToJson => 1..=2,
            Kind::GetJsonObject => 2..=2,
            _ => 1..=1,
        };
        if !expected.contains(&args.args.len()) {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] {} takes {:?} arguments",
                self.name, expected
            )));
        }
        let (rows, scalar) = super::call_rows(&args);
        let first = args.args[0].to_array(rows)?;
        let out: ArrayRef = match self.kind {
            Kind::ToJson => {
                let mut b = StringBuilder::new();
                for row in 0..rows {
                    if first.is_null(row) {
                        b.append_null();
                    } else {
                        let mut text = String::new();
                        write_json(&mut text, &first, row);
                        b.append_value(text);
                    }
                }
                Arc::new(b.finish())
            }
            Kind::GetJsonObject => {
                let json = arrow::compute::cast(&first, &DataType::Utf8)?;
                let path = arrow::compute::cast(&args.args[1].to_array(rows)?, &DataType::Utf8)?;
                let (json, path) = (json.as_string::<i32>(), path.as_string::<i32>());
                let mut b = StringBuilder::new();
                for row in 0..rows {
                    let v = (json.is_valid(row) && path.is_valid(row))
                        .then(|| get_json_object(json.value(row), path.value(row)))
                        .flatten();
                    b.append_option(v);
                }
                Arc::new(b.finish())
            }
            Kind::JsonArrayLength => {
                let json = arrow::compute::cast(&first, &DataType::Utf8)?;
                let out: Int32Array = json
                    .as_string::<i32>()
                    .iter()
                    .map(|s| match parse_json(s?) {
                        Some(Value::Array(items)) => Some(items.len() as i32),
                        _ => None,
                    })
                    .collect();
                Arc::new(out)
            }
            Kind::JsonObjectKeys => {
                let json = arrow::compute::cast(&first, &DataType::Utf8)?;
                let mut b = ListBuilder::new(StringBuilder::new());
                for s in json.as_string::<i32>().iter() {
                    match s.and_then(parse_json) {
                        Some(Value::Object(entries)) => {
                            for (k, _) in &entries {
                                b.values().append_value(k);
                            }
                            b.append(true);
                        }
                        _ => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
        };
        super::call_result(out, scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_follow_spark() {
        assert_eq!(get_json_object(r#"{"a":"b"}"#, "$.a").as_deref(), Some("b"));
        let list = r#"[{"a":"b"},{"a":"c"}]"#;
        assert_eq!(get_json_object(list, "$[0].a").as_deref(), Some("b"));
        assert_eq!(
            get_json_object(list, "$[*].a").as_deref(),
            Some(r#"["b","c"]"#)
        );
        assert_eq!(
            get_json_object(r#"{"a":{"x":1}}"#, "$.a").as_deref(),
            Some(r#"{"x":1}"#)
        );
        assert_eq!(get_json_object("not json", "$.a"), None);
        // Keys stay in document order.
        assert_eq!(
            get_json_object(r#"{"b":1,"a":{"y":1,"x":[2,"s"]}}"#, "$.a").as_deref(),
            Some(r#"{"y":1,"x":[2,"s"]}"#)
        );
        let mut s = String::new();
        quote(&mut s, "a\"b");
        assert_eq!(s, r#""a\"b""#);
    }
}
