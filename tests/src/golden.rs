//! The Spark compatibility suite: golden files produced by JVM Spark
//! (`tests/spark/generate_golden.py`) and their comparison with Ember's output.

use std::path::{Path, PathBuf};

use ember::Session;
use ember::format::{hive_rows, spark_type_name};

/// What Spark did with one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A statement that succeeded (its output is not compared).
    Ok,
    /// A query: column names, column types (Spark's names) and rows as spark-sql prints them.
    Rows {
        columns: Vec<String>,
        types: Vec<String>,
        rows: Vec<String>,
    },
    /// Spark raised an error of this class (`ERROR` when Spark's error had none).
    Error(String),
}

/// One statement of a golden file.
#[derive(Debug, Clone)]
pub struct Record {
    /// `file:N`, N counting statements from 1.
    pub id: String,
    pub sql: String,
    pub expected: Expected,
}

/// Parses a golden file.
pub fn parse_golden(name: &str, text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    for block in text.split("\n\n") {
        // `#` starts a comment line, except in a result (after `----`): DESCRIBE prints
        // `# Partition Information` rows.
        let mut in_result = false;
        let lines: Vec<&str> = block
            .lines()
            .filter(|l| {
                in_result |= *l == "----";
                in_result || !l.starts_with('#')
            })
            .collect();
        let Some((head, rest)) = lines.split_first() else {
            continue;
        };
        let sep = rest.iter().position(|l| *l == "----");
        let (sql_lines, result) = match sep {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        let sql = sql_lines.join("\n");
        let expected = match *head {
            "statement ok" => Expected::Ok,
            "query" => {
                let line = |i: usize| -> Vec<String> {
                    result
                        .get(i)
                        .map(|h| h.split('\t').map(str::to_string).collect())
                        .unwrap_or_default()
                };
                Expected::Rows {
                    columns: line(0),
                    types: line(1),
                    // `(empty)` stands for a row that prints as nothing.
                    rows: result
                        .iter()
                        .skip(2)
                        .map(|r| if *r == "(empty)" { "" } else { r }.to_string())
                        .collect(),
                }
            }
            "query error" | "statement error" => {
                Expected::Error(result.first().map(|s| s.to_string()).unwrap_or_default())
            }
            _ => continue,
        };
        records.push(Record {
            id: format!("{name}:{}", records.len() + 1),
            sql,
            expected,
        });
    }
    records
}

/// How Ember did on one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Same rows (or same success / failure).
    Match { names_match: bool },
    /// Different rows, or a failure where Spark succeeded, or success where Spark failed.
    Differ(String),
}

/// Runs one record on `session`; `${OUT}` in its SQL is the folder `out` (where statements
/// write directories).
pub async fn run_record(session: &Session, record: &Record, out: &Path) -> Outcome {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("spark")
        .join("data");
    let sql = record
        .sql
        .replace("${DATA}", &data.display().to_string())
        .replace("${OUT}", &out.display().to_string());
    let result = match session.sql(&sql).await {
        Ok(df) => {
            let schema = df.schema();
            let display = df.spark_sql_display().map(<[String]>::to_vec);
            df.collect().await.map(|batches| (schema, batches, display))
        }
        Err(e) => Err(e),
    };
    match (&record.expected, result) {
        (Expected::Ok, Ok(_)) => Outcome::Match { names_match: true },
        (Expected::Ok, Err(e)) => Outcome::Differ(format!("failed: {e}")),
        (Expected::Error(class), Err(e)) => {
            // The class the CLI prints (`Error: [CLASS] message`). Spark errors without a class
            // (`ERROR`) and Spark's unnamed legacy classes only require an error.
            let message = ember_spark::errors::spark_message(&e.to_string());
            let actual = ember_spark::errors::class_in_message(&message).unwrap_or("ERROR");
            if class == "ERROR" || class.starts_with("_LEGACY_ERROR") || class == actual {
                Outcome::Match { names_match: true }
            } else {
                Outcome::Differ(format!(
                    "failed with {actual}, Spark with {class}: {message}"
                ))
            }
        }
        (Expected::Error(class), Ok(_)) => {
            Outcome::Differ(format!("succeeded; Spark raised {class}"))
        }
        (Expected::Rows { .. }, Err(e)) => Outcome::Differ(format!(
            "failed: {}",
            e.to_string().lines().next().unwrap_or("")
        )),
        (
            Expected::Rows {
                columns,
                types,
                rows,
            },
            Ok((schema, batches, display)),
        ) => {
            let actual: Vec<String> = display.unwrap_or_else(|| {
                hive_rows(&batches)
                    .into_iter()
                    .map(|r| r.join("\t"))
                    .collect()
            });
            if &actual != rows {
                return Outcome::Differ(format!("rows {actual:?}, Spark {rows:?}"));
            }
            let actual_types: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| spark_type_name(f.data_type()))
                .collect();
            if &actual_types != types {
                return Outcome::Differ(format!("types {actual_types:?}, Spark {types:?}"));
            }
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            // `EMBER_SHOW_NAME_DIFFS=1` lists the statements whose column names differ.
            if &names != columns && std::env::var_os("EMBER_SHOW_NAME_DIFFS").is_some() {
                eprintln!("names {}: {names:?}, Spark {columns:?}", record.id);
            }
            Outcome::Match {
                names_match: &names == columns,
            }
        }
    }
}

/// The golden files of the main suite (`tests/spark/golden/`), sorted.
pub fn golden_files() -> Vec<PathBuf> {
    golden_files_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("spark"))
}

/// The golden files of the suite in `suite` (its `golden/` folder), sorted.
pub fn golden_files_in(suite: &Path) -> Vec<PathBuf> {
    let dir = suite.join("golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "slt"));
    files.sort();
    files
}

/// The `key<TAB>text` lines of a list file (blank lines and `#` comments skipped; a missing file
/// is an empty list).
pub fn tsv_entries(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(key, text)| (key.trim().to_string(), text.trim().to_string()))
        .collect()
}

/// `id -> reason` of the queries known to differ from Spark (`tests/spark/known_differences.tsv`).
pub fn known_differences() -> Vec<(String, String)> {
    tsv_entries(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("spark")
            .join("known_differences.tsv"),
    )
}

/// For each statement of a case file (split as `generate_golden.py` splits it: statements end
/// with `;` at the end of a line, `--` lines before a statement are comments), the name given by
/// the last `-- function: NAME` comment before it.
pub fn case_functions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut function = String::new();
    let mut in_statement = false;
    for line in text.lines() {
        let stripped = line.trim();
        if !in_statement && (stripped.is_empty() || stripped.starts_with("--")) {
            if let Some(name) = stripped.strip_prefix("-- function:") {
                function = name.trim().to_string();
            }
            continue;
        }
        in_statement = true;
        if stripped.ends_with(';') {
            in_statement = false;
            out.push(function.clone());
        }
    }
    if in_statement {
        out.push(function);
    }
    out
}
