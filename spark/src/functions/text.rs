//! Spark's functions on natural-language text: `sentences`, `jaro_winkler_similarity` and
//! `initcap`.

use std::sync::Arc;

use arrow::array::{ListBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field};
use datafusion::error::Result;
use datafusion::logical_expr::ScalarUDF;
use datafusion::scalar::ScalarValue;

use super::rows::{Arg, RowFunction, text};

/// The functions of this module.
pub fn text_functions() -> Vec<Arc<ScalarUDF>> {
    use Arg::*;
    let words = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let sentences_type = DataType::List(Arc::new(Field::new("item", words, true)));
    vec![
        // The language and country only choose Java's locale rules; the rules here are the
        // English ones Spark applies by default.
        RowFunction::new(
            "sentences",
            &[String, String, String],
            1,
            sentences_type,
            sentences,
        )
        .sees_nulls()
        .udf(),
        RowFunction::new("initcap", &[String], 1, DataType::Utf8, initcap).udf(),
        RowFunction::new(
            "jaro_winkler_similarity",
            &[String, String],
            2,
            DataType::Float64,
            jaro_winkler,
        )
        .udf(),
    ]
}

/// `sentences(text)`: the text split into sentences (ended by `.`, `!` or `?` before a space or
/// the end), each a list of its words (runs of letters and digits, joined across `'`, `-` and
/// `.` inside a word as `don't`, `stop-me`, `2.5`); punctuation is dropped.
fn sentences(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(s) = text(&args[0]) else {
        return Ok(ScalarValue::Null);
    };
    let mut builder = ListBuilder::new(ListBuilder::new(StringBuilder::new()));
    let chars: Vec<char> = s.chars().collect();
    let mut words: Vec<std::string::String> = Vec::new();
    let mut word = std::string::String::new();
    let flush_sentence =
        |words: &mut Vec<std::string::String>,
         builder: &mut ListBuilder<ListBuilder<StringBuilder>>| {
            if !words.is_empty() {
                for w in words.drain(..) {
                    builder.values().values().append_value(w);
                }
                builder.values().append(true);
            }
        };
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let inner = |p: Option<&char>| p.is_some_and(|c| c.is_alphanumeric());
        if c.is_alphanumeric()
            || (matches!(c, '\'' | '\u{2019}' | '-' | '.') && inner(prev) && inner(next))
        {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        let ends = matches!(c, '.' | '!' | '?') && next.is_none_or(|n| n.is_whitespace());
        if ends {
            flush_sentence(&mut words, &mut builder);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    flush_sentence(&mut words, &mut builder);
    builder.append(true);
    Ok(ScalarValue::List(Arc::new(builder.finish())))
}

/// `initcap(text)`: lower case, with the first letter of each word upper case, where only a
/// space separates words (`Foo-bar Baz_qux`, as Spark; DataFusion's also starts a word after
/// `-` and `_`).
fn initcap(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(s) = text(&args[0]) else {
        return Ok(ScalarValue::Utf8(None));
    };
    let mut out = std::string::String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == ' ';
    }
    Ok(ScalarValue::Utf8(Some(out)))
}

/// `jaro_winkler_similarity(a, b)`: Jaro similarity raised for a common prefix (at most four
/// characters, scale 0.1) when it is at least 0.7, computed in the order Apache Commons Text
/// (Spark's implementation) does so the last digit agrees.
fn jaro_winkler(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(a), Some(b)) = (text(&args[0]), text(&args[1])) else {
        return Ok(ScalarValue::Float64(None));
    };
    Ok(ScalarValue::Float64(Some(jaro_winkler_similarity(a, b))))
}

fn jaro_winkler_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (longer, shorter) = if a.len() > b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let range = (longer.len() / 2).saturating_sub(1);
    let mut matched_at = vec![None; shorter.len()];
    let mut taken = vec![false; longer.len()];
    let mut matches = 0usize;
    for (i, c) in shorter.iter().enumerate() {
        let end = (i + range + 1).min(longer.len());
        for j in i.saturating_sub(range)..end {
            if !taken[j] && *c == longer[j] {
                matched_at[i] = Some(j);
                taken[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let first: Vec<char> = shorter
        .iter()
        .zip(&matched_at)
        .filter(|(_, m)| m.is_some())
        .map(|(c, _)| *c)
        .collect();
    let second: Vec<char> = longer
        .iter()
        .zip(&taken)
        .filter(|(_, t)| **t)
        .map(|(c, _)| *c)
        .collect();
    let half_transpositions = first.iter().zip(&second).filter(|(x, y)| x != y).count();
    let prefix = a
        .iter()
        .zip(&b)
        .take(4.min(shorter.len()))
        .take_while(|(x, y)| x == y)
        .count();
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - half_transpositions as f64 / 2.0) / m)
            / 3.0;
    if jaro < 0.7 {
        jaro
    } else {
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_gives_commons_texts_digits() {
        // Values printed by JVM Spark 4.3.
        assert_eq!(
            jaro_winkler_similarity("MARTHA", "MARHTA"),
            0.9611111111111111
        );
        assert_eq!(
            jaro_winkler_similarity("dixon", "dicksonx"),
            0.8133333333333332
        );
        assert_eq!(
            jaro_winkler_similarity("DWAYNE", "DUANE"),
            0.8400000000000001
        );
        assert_eq!(jaro_winkler_similarity("ABC", "XYZ"), 0.0);
        assert_eq!(jaro_winkler_similarity("", ""), 1.0);
    }
}
