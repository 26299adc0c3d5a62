//! Spark's functions that re-encode values: `conv` (number bases), `to_base32`/`from_base32`,
//! `hmac`, `encode`/`decode` (text to and from a character set's bytes) and
//! `validate_utf8`/`try_validate_utf8`.

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use datafusion::scalar::ScalarValue;
use sha2::Digest;

use super::rows::{Arg, RowFunction, bytes, int, text};

/// The functions of this module.
pub fn encoding_functions() -> Vec<Arc<ScalarUDF>> {
    use Arg::*;
    vec![
        RowFunction::new("conv", &[String, Int, Int], 3, DataType::Utf8, conv).udf(),
        RowFunction::new("to_base32", &[Binary], 1, DataType::Utf8, to_base32).udf(),
        RowFunction::new("from_base32", &[String], 1, DataType::Binary, from_base32).udf(),
        RowFunction::new("hmac", &[Binary, Binary, String], 2, DataType::Binary, hmac).udf(),
        RowFunction::new("encode", &[String, String], 2, DataType::Binary, encode).udf(),
        RowFunction::new("decode", &[Binary, String], 2, DataType::Utf8, decode).udf(),
        RowFunction::new("validate_utf8", &[Binary], 1, DataType::Utf8, validate_utf8).udf(),
        RowFunction::new(
            "try_validate_utf8",
            &[Binary],
            1,
            DataType::Utf8,
            try_validate_utf8,
        )
        .udf(),
    ]
}

/// `conv(num, from_base, to_base)`: `num` read in `from_base` as an unsigned 64-bit number (up
/// to its first character that is not a digit of that base), written in `|to_base|`; a negative
/// `to_base` writes it signed. Bases outside 2..=36 and empty input give NULL; a number that
/// does not fit 64 bits raises `ARITHMETIC_OVERFLOW` (Spark's ANSI behaviour).
fn conv(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(num), Some(from), Some(to)) = (text(&args[0]), int(&args[1]), int(&args[2])) else {
        return Ok(ScalarValue::Utf8(None));
    };
    let radix = |b: i32| {
        (2..=36)
            .contains(&b.unsigned_abs())
            .then_some(b.unsigned_abs())
    };
    let (Some(from_radix), Some(to_radix)) = (radix(from), radix(to)) else {
        return Ok(ScalarValue::Utf8(None));
    };
    if from < 0 {
        return Ok(ScalarValue::Utf8(None));
    }
    let num = num.trim();
    if num.is_empty() {
        return Ok(ScalarValue::Utf8(None));
    }
    let (negative, digits) = match num.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, num),
    };
    let mut value: u64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(from_radix) else {
            break;
        };
        value = value
            .checked_mul(u64::from(from_radix))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or_else(|| {
                DataFusionError::Execution(
                    "[ARITHMETIC_OVERFLOW] Overflow in function conv(). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.".into(),
                )
            })?;
    }
    // Spark's sign rules: a `-` read with a positive `to_base` negates the 64-bit value
    // (wrapping); a negative `to_base` prints the value as signed, keeping a `-` it read.
    let mut signed = value as i64;
    let mut minus = negative;
    if negative && to > 0 {
        signed = if signed < 0 {
            -1
        } else {
            signed.wrapping_neg()
        };
    }
    if to < 0 && signed < 0 {
        signed = signed.wrapping_neg();
        minus = true;
    }
    let minus = minus && to < 0;
    let magnitude = signed as u64;
    let mut out = to_radix_string(magnitude, to_radix);
    if minus {
        out.insert(0, '-');
    }
    Ok(ScalarValue::Utf8(Some(out)))
}

/// `value` in base `radix` (2..=36), upper-case digits.
fn to_radix_string(mut value: u64, radix: u32) -> String {
    if value == 0 {
        return "0".into();
    }
    let mut digits = Vec::new();
    while value > 0 {
        let d = (value % u64::from(radix)) as u32;
        digits.push(
            std::char::from_digit(d, radix)
                .unwrap_or('0')
                .to_ascii_uppercase(),
        );
        value /= u64::from(radix);
    }
    digits.iter().rev().collect()
}

fn to_base32(args: &[ScalarValue]) -> Result<ScalarValue> {
    Ok(ScalarValue::Utf8(
        bytes(&args[0]).map(|b| data_encoding::BASE32.encode(b)),
    ))
}

/// `from_base32(s)`: Spark decodes leniently (case-insensitive, padding optional) and gives
/// the bytes of the longest valid prefix.
fn from_base32(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(s) = text(&args[0]) else {
        return Ok(ScalarValue::Binary(None));
    };
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u64, 0u32);
    for c in s.chars() {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => break,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(ScalarValue::Binary(Some(out)))
}

/// `hmac(key, message[, algorithm])`: the keyed hash (RFC 2104) with `SHA-256` by default.
fn hmac(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(key), Some(message)) = (bytes(&args[0]), bytes(&args[1])) else {
        return Ok(ScalarValue::Binary(None));
    };
    let algorithm = args.get(2).and_then(text).unwrap_or("SHA-256");
    let mac = match algorithm.to_ascii_uppercase().as_str() {
        "SHA-224" => keyed::<sha2::Sha224>(key, message, 64),
        "SHA-256" => keyed::<sha2::Sha256>(key, message, 64),
        "SHA-384" => keyed::<sha2::Sha384>(key, message, 128),
        "SHA-512" => keyed::<sha2::Sha512>(key, message, 128),
        "SHA-1" => keyed::<sha1::Sha1>(key, message, 64),
        "MD5" => keyed::<md5::Md5>(key, message, 64),
        _ => {
            return Err(DataFusionError::Execution(format!(
                "[INVALID_PARAMETER_VALUE.HMAC_ALGORITHM] The value of parameter(s) `algorithm` in `hmac` is invalid: expects one of the algorithms 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA-1', 'MD5', but got '{algorithm}'."
            )));
        }
    };
    Ok(ScalarValue::Binary(Some(mac)))
}

/// HMAC with hash `D` whose block is `block` bytes.
fn keyed<D: Digest>(key: &[u8], message: &[u8], block: usize) -> Vec<u8> {
    let mut key = if key.len() > block {
        D::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    key.resize(block, 0);
    let mut inner = D::new();
    inner.update(key.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
    inner.update(message);
    let mut outer = D::new();
    outer.update(key.iter().map(|b| b ^ 0x5c).collect::<Vec<u8>>());
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

fn validate_utf8(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(b) = bytes(&args[0]) else {
        return Ok(ScalarValue::Utf8(None));
    };
    match std::str::from_utf8(b) {
        Ok(s) => Ok(ScalarValue::Utf8(Some(s.to_string()))),
        Err(_) => {
            let shown: String = b
                .iter()
                .map(|&c| {
                    if c.is_ascii() && !c.is_ascii_control() {
                        (c as char).to_string()
                    } else {
                        format!("\\x{c:02X}")
                    }
                })
                .collect();
            Err(DataFusionError::Execution(format!(
                "[INVALID_UTF8_STRING] Invalid UTF8 byte sequence found in string: {shown}."
            )))
        }
    }
}

fn try_validate_utf8(args: &[ScalarValue]) -> Result<ScalarValue> {
    Ok(ScalarValue::Utf8(bytes(&args[0]).and_then(|b| {
        std::str::from_utf8(b).ok().map(str::to_string)
    })))
}

/// The character sets Spark's `encode`/`decode` accept.
const CHARSETS: &str = "iso-8859-1, us-ascii, utf-16, utf-16be, utf-16le, utf-32, utf-8";

fn charset_error(function: &str, charset: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[INVALID_PARAMETER_VALUE.CHARSET] The value of parameter(s) `charset` in `{function}` is invalid: expects one of the {CHARSETS}, but got {charset}."
    ))
}

fn malformed(function: &str, charset: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[MALFORMED_CHARACTER_CODING] Invalid value found when performing `{function}` with {charset}"
    ))
}

/// `encode(text, charset)`: the text's bytes in `charset`; a character the set cannot hold
/// raises `MALFORMED_CHARACTER_CODING` (Spark 4's default).
fn encode(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(s), Some(charset)) = (text(&args[0]), text(&args[1])) else {
        return Ok(ScalarValue::Binary(None));
    };
    let units = |big_endian: bool| -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    let single_byte = |limit: u32| -> Result<Vec<u8>> {
        s.chars()
            .map(|c| {
                u8::try_from(u32::from(c))
                    .ok()
                    .filter(|b| u32::from(*b) <= limit)
                    .ok_or_else(|| malformed("encode", charset))
            })
            .collect()
    };
    let out = match charset.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => s.as_bytes().to_vec(),
        "utf-16be" => units(true),
        // Java writes a byte-order mark, big-endian.
        "utf-16" => [0xFE, 0xFF].into_iter().chain(units(true)).collect(),
        "utf-16le" => units(false),
        "utf-32" => s.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect(),
        "us-ascii" => single_byte(0x7F)?,
        "iso-8859-1" => single_byte(0xFF)?,
        _ => return Err(charset_error("encode", charset)),
    };
    Ok(ScalarValue::Binary(Some(out)))
}

/// `decode(bytes, charset)`: the text the bytes spell in `charset`; bytes that are not valid
/// there raise `MALFORMED_CHARACTER_CODING`.
fn decode(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(b), Some(charset)) = (bytes(&args[0]), text(&args[1])) else {
        return Ok(ScalarValue::Utf8(None));
    };
    let utf16 = |data: &[u8], big_endian: bool| -> Result<String> {
        if !data.len().is_multiple_of(2) {
            return Err(malformed("decode", charset));
        }
        let units: Vec<u16> = data
            .chunks_exact(2)
            .map(|p| {
                if big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| malformed("decode", charset))
    };
    let out = match charset.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| malformed("decode", charset))?,
        "utf-16be" => utf16(b, true)?,
        "utf-16le" => utf16(b, false)?,
        // A byte-order mark chooses the order (big-endian without one).
        "utf-16" => match b {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, false)?,
            [0xFE, 0xFF, rest @ ..] => utf16(rest, true)?,
            _ => utf16(b, true)?,
        },
        "utf-32" => {
            if !b.len().is_multiple_of(4) {
                return Err(malformed("decode", charset));
            }
            b.chunks_exact(4)
                .map(|q| {
                    char::from_u32(u32::from_be_bytes([q[0], q[1], q[2], q[3]]))
                        .ok_or_else(|| malformed("decode", charset))
                })
                .collect::<Result<String>>()?
        }
        "us-ascii" => {
            if !b.is_ascii() {
                return Err(malformed("decode", charset));
            }
            b.iter().map(|c| char::from(*c)).collect()
        }
        "iso-8859-1" => b.iter().map(|c| char::from(*c)).collect(),
        _ => return Err(charset_error("decode", charset)),
    };
    Ok(ScalarValue::Utf8(Some(out)))
}
