//! Spark's `hash(…)`: Murmur3 (x86, 32-bit) over the arguments with seed 42, each value hashed
//! by its type exactly as Spark's `Murmur3Hash` does, so that values (and the bucketing Spark
//! derives from them) agree with JVM Spark. `xxhash64` comes from `datafusion-spark`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int32Array};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimeUnit,
};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

fn mix_k1(k1: u32) -> u32 {
    k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

fn mix_h1(h1: u32, k1: u32) -> u32 {
    (h1 ^ k1)
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

fn fmix(h1: u32, length: u32) -> u32 {
    let mut h = h1 ^ length;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Spark's `Murmur3_x86_32.hashInt`.
pub fn hash_int(value: i32, seed: u32) -> u32 {
    fmix(mix_h1(seed, mix_k1(value as u32)), 4)
}

/// Spark's `Murmur3_x86_32.hashLong`.
pub fn hash_long(value: i64, seed: u32) -> u32 {
    let low = value as u32;
    let high = ((value as u64) >> 32) as u32;
    let h1 = mix_h1(seed, mix_k1(low));
    fmix(mix_h1(h1, mix_k1(high)), 8)
}

/// Spark's `Murmur3_x86_32.hashUnsafeBytes`: whole little-endian words, then each remaining
/// byte (sign-extended) as a word of its own.
pub fn hash_bytes(bytes: &[u8], seed: u32) -> u32 {
    let aligned = bytes.len() - bytes.len() % 4;
    let mut h1 = seed;
    for word in bytes[..aligned].chunks_exact(4) {
        h1 = mix_h1(
            h1,
            mix_k1(u32::from_le_bytes([word[0], word[1], word[2], word[3]])),
        );
    }
    for &b in &bytes[aligned..] {
        h1 = mix_h1(h1, mix_k1(b as i8 as i32 as u32));
    }
    fmix(h1, bytes.len() as u32)
}

/// The minimal big-endian two's complement bytes of `v` (Java's `BigInteger.toByteArray`).
fn big_integer_bytes(v: i128) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// Folds row `row` of `array` into `seed` as Spark hashes a value of that type; NULL leaves the
/// seed unchanged.
fn hash_value(array: &dyn Array, row: usize, seed: u32) -> Result<u32> {
    if array.is_null(row) {
        return Ok(seed);
    }
    Ok(match array.data_type() {
        DataType::Null => seed,
        DataType::Boolean => hash_int(array.as_boolean().value(row) as i32, seed),
        DataType::Int8 => hash_int(array.as_primitive::<Int8Type>().value(row) as i32, seed),
        DataType::Int16 => hash_int(array.as_primitive::<Int16Type>().value(row) as i32, seed),
        DataType::Int32 => hash_int(array.as_primitive::<Int32Type>().value(row), seed),
        DataType::Date32 => hash_int(array.as_primitive::<Date32Type>().value(row), seed),
        DataType::Int64 => hash_long(array.as_primitive::<Int64Type>().value(row), seed),
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            let bits = if v == 0.0 {
                0
            } else if v.is_nan() {
                0x7fc0_0000
            } else {
                v.to_bits() as i32
            };
            hash_int(bits, seed)
        }
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            let bits = if v == 0.0 {
                0
            } else if v.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                v.to_bits() as i64
            };
            hash_long(bits, seed)
        }
        DataType::Decimal128(precision, _) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            if *precision <= 18 {
                hash_long(v as i64, seed)
            } else {
                hash_bytes(&big_integer_bytes(v), seed)
            }
        }
        DataType::Timestamp(_, _) => {
            // Spark hashes a timestamp's microseconds since the epoch.
            let micros = arrow::compute::cast(
                &array.slice(row, 1),
                &DataType::Timestamp(TimeUnit::Microsecond, None),
            )?;
            let micros = arrow::compute::cast(&micros, &DataType::Int64)?;
            hash_long(micros.as_primitive::<Int64Type>().value(0), seed)
        }
        DataType::Utf8 => hash_bytes(array.as_string::<i32>().value(row).as_bytes(), seed),
        DataType::LargeUtf8 => hash_bytes(array.as_string::<i64>().value(row).as_bytes(), seed),
        DataType::Utf8View => hash_bytes(array.as_string_view().value(row).as_bytes(), seed),
        DataType::Binary => hash_bytes(array.as_binary::<i32>().value(row), seed),
        DataType::LargeBinary => hash_bytes(array.as_binary::<i64>().value(row), seed),
        DataType::BinaryView => hash_bytes(array.as_binary_view().value(row), seed),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            (0..items.len()).try_fold(seed, |h, i| hash_value(items.as_ref(), i, h))?
        }
        DataType::LargeList(_) => {
            let items = array.as_list::<i64>().value(row);
            (0..items.len()).try_fold(seed, |h, i| hash_value(items.as_ref(), i, h))?
        }
        DataType::Struct(_) => {
            let s = array.as_struct();
            s.columns()
                .iter()
                .try_fold(seed, |h, c| hash_value(c.as_ref(), row, h))?
        }
        DataType::Dictionary(_, _) => {
            let plain = arrow::compute::cast(
                &array.slice(row, 1),
                &match array.data_type() {
                    DataType::Dictionary(_, v) => v.as_ref().clone(),
                    other => other.clone(),
                },
            )?;
            hash_value(plain.as_ref(), 0, seed)?
        }
        DataType::Map(_, _) => {
            return Err(DataFusionError::Plan(
                "[DATATYPE_MISMATCH.HASH_MAP_TYPE] Input to the function `hash` cannot contain elements of the \"MAP\" type.".into(),
            ));
        }
        other => {
            return Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] hash does not support {other}"
            )));
        }
    })
}

/// Spark's `hash(expr, …)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkHash {
    signature: Signature,
}

/// `hash`, for registration.
pub fn hash_function() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(SparkHash {
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

impl ScalarUDFImpl for SparkHash {
    fn name(&self) -> &str {
        "hash"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = super::call_rows(&args);
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            let mut h = 42u32;
            for array in &arrays {
                h = hash_value(array.as_ref(), row, h)?;
            }
            out.push(h as i32);
        }
        super::call_result(Arc::new(Int32Array::from(out)), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_spark_murmur3() {
        // Spark: hash(1) = -559580957, hash('Spark') = 228093765 (SELECT hash(…) on JVM Spark).
        assert_eq!(hash_int(1, 42) as i32, -559580957);
        assert_eq!(hash_bytes(b"Spark", 42) as i32, 228093765);
        // Further answers of JVM Spark 4.3 for one value of each type.
        assert_eq!(hash_long(1, 42) as i32, -1712319331);
        assert_eq!(hash_long(1.5f64.to_bits() as i64, 42) as i32, 1290763749);
        assert_eq!(hash_int(1.5f32.to_bits() as i32, 42) as i32, -221251528);
        assert_eq!(hash_int(18262, 42) as i32, -725858435); // DATE '2020-01-01'
        assert_eq!(hash_long(1_577_836_800_000_000, 42) as i32, -1486022740);
        assert_eq!(hash_long(15, 42) as i32, -18083236); // 1.5BD: decimal(2,1)
        assert_eq!(
            hash_bytes(&big_integer_bytes(1_234_567_890_123_456_789_012), 42) as i32,
            -2030013727
        );
        assert_eq!(hash_bytes(&[1, 2], 42) as i32, 1964783052);
        assert_eq!(hash_bytes("é".as_bytes(), 42) as i32, 2119106806);
        assert_eq!(hash_bytes(b"abcdefg", 42) as i32, 2132013596);
        assert_eq!(hash_long(0, 42) as i32, -1670924195); // -0.0 and 0.0
        assert_eq!(hash_bytes(b"x", hash_int(1, 42)) as i32, -1305545736); // a struct
        assert_eq!(big_integer_bytes(255), vec![0x00, 0xff]);
        assert_eq!(big_integer_bytes(-1), vec![0xff]);
    }
}
