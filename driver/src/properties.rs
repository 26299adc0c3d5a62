//! `spark-defaults.conf`-format properties files: one `key value` (or `key=value`,
//! `key: value`) per line, `#` and `!` comments, blank lines ignored.

use std::path::{Path, PathBuf};

use crate::config::SparkConf;
use crate::error::{EmberError, Result};

/// Parses properties text into `(key, value)` pairs.
///
/// # Errors
/// A line whose key is empty (e.g. `= value`), naming the line number.
pub fn parse_properties(text: &str, origin: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let split = line
            .find(|c: char| c == '=' || c == ':' || c.is_whitespace())
            .unwrap_or(line.len());
        let key = line[..split].trim();
        let mut value = line[split..].trim_start();
        if let Some(rest) = value.strip_prefix(['=', ':']) {
            value = rest.trim_start();
        }
        if key.is_empty() {
            return Err(EmberError::config(
                &format!("{origin}:{}", n + 1),
                raw,
                "a property line needs a key",
            ));
        }
        out.push((key.to_string(), value.trim_end().to_string()));
    }
    Ok(out)
}

/// The defaults file Spark would read: `$SPARK_CONF_DIR/spark-defaults.conf`, if it exists.
pub fn default_properties_file() -> Option<PathBuf> {
    let dir = std::env::var_os("SPARK_CONF_DIR")?;
    let path = Path::new(&dir).join("spark-defaults.conf");
    path.is_file().then_some(path)
}

/// Reads a properties file into `conf` (validating known keys).
///
/// # Errors
/// An unreadable file or an invalid value of a known key.
pub fn load_properties(path: &Path, conf: &mut SparkConf) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| EmberError::Io {
        context: format!("cannot read properties file {}", path.display()),
        source: e,
    })?;
    for (key, value) in parse_properties(&text, &path.display().to_string())? {
        conf.set(&key, &value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spark_defaults_lines() {
        let text = "# comment\n! other\nspark.master  local[2]\nspark.app.name=demo\nspark.x: y\n\nspark.empty\n";
        let pairs = parse_properties(text, "f").expect("valid");
        assert_eq!(
            pairs,
            vec![
                ("spark.master".to_string(), "local[2]".to_string()),
                ("spark.app.name".to_string(), "demo".to_string()),
                ("spark.x".to_string(), "y".to_string()),
                ("spark.empty".to_string(), String::new()),
            ]
        );
        assert!(parse_properties("= nothing", "f").is_err());
    }
}
