//! The `spark.sql.*` settings that change what SQL means, read once into a typed value.

use datafusion::common::config::Dialect;
use datafusion::prelude::SessionConfig;

/// A setting whose value is not what its key accepts.
#[derive(Debug, thiserror::Error)]
#[error("invalid value {value:?} for {key}: {expected}")]
pub struct OptionError {
    /// The `spark.*` key.
    pub key: &'static str,
    /// The value as given.
    pub value: String,
    /// What the key accepts.
    pub expected: &'static str,
}

/// Spark SQL settings with Spark's defaults, so that no caller repeats a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlOptions {
    /// `spark.sql.ansi.enabled` (Spark 4: on): overflow, invalid casts and division by zero
    /// raise errors instead of returning NULL or wrapping.
    pub ansi: bool,
    /// `spark.sql.caseSensitive` (off): identifiers resolve without regard to case.
    pub case_sensitive: bool,
    /// `spark.sql.session.timeZone`: where timestamps are read and printed.
    pub session_time_zone: String,
}

impl Default for SqlOptions {
    fn default() -> Self {
        Self {
            ansi: true,
            case_sensitive: false,
            session_time_zone: "UTC".to_string(),
        }
    }
}

fn boolean(key: &'static str, value: Option<String>, default: bool) -> Result<bool, OptionError> {
    match value {
        None => Ok(default),
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(OptionError {
                key,
                value: v,
                expected: "true or false",
            }),
        },
    }
}

impl SqlOptions {
    /// Reads the settings through `get` (the explicitly set value of a key, if any).
    ///
    /// # Errors
    /// A value the key does not accept.
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> Result<Self, OptionError> {
        let defaults = Self::default();
        Ok(Self {
            ansi: boolean(
                "spark.sql.ansi.enabled",
                get("spark.sql.ansi.enabled"),
                true,
            )?,
            case_sensitive: boolean(
                "spark.sql.caseSensitive",
                get("spark.sql.caseSensitive"),
                false,
            )?,
            session_time_zone: get("spark.sql.session.timeZone")
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or(defaults.session_time_zone),
        })
    }

    /// Sets the DataFusion options that give `config` Spark's behaviour:
    /// - the Spark SQL dialect of sqlparser;
    /// - ascending sorts put NULLs first (`nulls_min`), as Spark does;
    /// - `0.1` is a decimal literal, as in Spark;
    /// - ANSI mode and the session time zone.
    pub fn apply(&self, config: &mut SessionConfig) {
        let options = config.options_mut();
        options.sql_parser.dialect = Dialect::Spark;
        options.sql_parser.default_null_ordering = "nulls_min".to_string();
        options.sql_parser.parse_float_as_decimal = true;
        // DataFusion resolves unquoted identifiers by lowercasing them; that is Spark's
        // case-insensitive resolution as long as catalogs hold lowercase names.
        options.sql_parser.enable_ident_normalization = !self.case_sensitive;
        options.execution.enable_ansi_mode = self.ansi;
        options.execution.time_zone = Some(self.session_time_zone.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sparks_and_bad_values_name_their_key() {
        let options = SqlOptions::from_settings(|_| None).expect("defaults");
        assert_eq!(options, SqlOptions::default());
        let err = SqlOptions::from_settings(|k| {
            (k == "spark.sql.ansi.enabled").then(|| "yes".to_string())
        })
        .expect_err("not a boolean");
        assert_eq!(err.key, "spark.sql.ansi.enabled");
    }
}
