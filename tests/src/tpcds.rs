//! TPC-DS for the end-to-end tests: data from the `tpcdsgen` generator (the one `tpcgen-cli
//! tpcds` runs), Spark's own query set (`tests/tpcds/queries/`, copied unchanged from Apache
//! Spark, see its README) and JVM Spark's committed answers (rows, types and column names) (`tests/tpcds/spark/sf<scale>/`,
//! written by `tests/tpcds/generate_answers.py`).

use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;

use crate::results::{self, ResultFile};

/// Where the queries and answers live.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tpcds")
}

/// The TPC-DS tables the queries read.
pub const TABLES: [&str; 24] = [
    "call_center",
    "catalog_page",
    "catalog_returns",
    "catalog_sales",
    "customer",
    "customer_address",
    "customer_demographics",
    "date_dim",
    "household_demographics",
    "income_band",
    "inventory",
    "item",
    "promotion",
    "reason",
    "ship_mode",
    "store",
    "store_returns",
    "store_sales",
    "time_dim",
    "warehouse",
    "web_page",
    "web_returns",
    "web_sales",
    "web_site",
];

/// The query names (`q1`, `q14a`, …), in the order q1, q2, …, q99.
pub fn query_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("queries"))
        .expect("tests/tpcds/queries")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".sql"))
                .map(str::to_string)
        })
        .collect();
    names.sort_by_key(|n| {
        let digits: String = n[1..].chars().take_while(char::is_ascii_digit).collect();
        (digits.parse::<u32>().unwrap_or(0), n.clone())
    });
    names
}

/// The text of query `name`, without its trailing `;`.
pub fn query(name: &str) -> String {
    let path = root().join("queries").join(format!("{name}.sql"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.trim().trim_end_matches(';').to_string()
}

/// JVM Spark's answer to one query.
pub enum SparkAnswer {
    /// The rows, with Spark's column types, and Spark's column names.
    Rows(ResultFile, Vec<String>),
    /// Spark refused the query with this error class.
    Error(String),
}

/// JVM Spark's committed answer to query `name` at `scale`, if there is one.
pub fn spark_answer(scale: f64, name: &str) -> Option<SparkAnswer> {
    let dir = root().join("spark").join(format!("sf{scale}"));
    if let Ok(class) = std::fs::read_to_string(dir.join(format!("{name}.error"))) {
        return Some(SparkAnswer::Error(class.trim().to_string()));
    }
    let names = std::fs::read_to_string(dir.join(format!("{name}.names"))).ok()?;
    let names = names
        .trim_end_matches('\n')
        .split('\t')
        .map(str::to_string)
        .collect();
    results::read(&dir.join(format!("{name}.tsv")))
        .ok()
        .map(|rows| SparkAnswer::Rows(rows, names))
}

/// Generates TPC-DS at `scale` into `dir/<table>/part-0.parquet`, as `tpcgen-cli tpcds parquet
/// -s <scale>` does (the same generator, so the committed Spark answers hold for it).
pub fn generate(dir: &Path, scale: f64) -> Result<(), String> {
    use tpcdsgen::config::SessionBuilder;
    use tpcdsgen_arrow::*;
    let session = || {
        SessionBuilder::new()
            .with_scale_factor(scale)
            .build()
            .map_err(|e| e.to_string())
    };
    fn all<I, E>(batches: I) -> Result<Vec<RecordBatch>, String>
    where
        I: Iterator<Item = Result<RecordBatch, E>>,
        E: std::fmt::Display,
    {
        batches
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
    }
    for table in TABLES {
        let s = session()?;
        let batches = match table {
            "call_center" => all(CallCenterArrow::new(s))?,
            "catalog_page" => all(CatalogPageArrow::new(s))?,
            "catalog_returns" => all(CatalogReturnsArrow::new(s))?,
            "catalog_sales" => all(CatalogSalesArrow::new(s))?,
            "customer" => all(CustomerArrow::new(s))?,
            "customer_address" => all(CustomerAddressArrow::new(s))?,
            "customer_demographics" => all(CustomerDemographicsArrow::new(s))?,
            "date_dim" => all(DateDimArrow::new(s))?,
            "household_demographics" => all(HouseholdDemographicsArrow::new(s))?,
            "income_band" => all(IncomeBandArrow::new(s))?,
            "inventory" => all(InventoryArrow::new(s))?,
            "item" => all(ItemArrow::new(s))?,
            "promotion" => all(PromotionArrow::new(s))?,
            "reason" => all(ReasonArrow::new(s))?,
            "ship_mode" => all(ShipModeArrow::new(s))?,
            "store" => all(StoreArrow::new(s))?,
            "store_returns" => all(StoreReturnsArrow::new(s))?,
            "store_sales" => all(StoreSalesArrow::new(s))?,
            "time_dim" => all(TimeDimArrow::new(s))?,
            "warehouse" => all(WarehouseArrow::new(s))?,
            "web_page" => all(WebPageArrow::new(s))?,
            "web_returns" => all(WebReturnsArrow::new(s))?,
            "web_sales" => all(WebSalesArrow::new(s))?,
            "web_site" => all(WebSiteArrow::new(s))?,
            other => return Err(format!("no generator for {other}")),
        };
        crate::write_table(dir, table, 0, batches.into_iter()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A TPC-DS data set generated once per test process.
pub fn shared(scale: f64) -> PathBuf {
    crate::shared_dataset("tpcds", scale, |dir| generate(dir, scale))
}

/// Registers the TPC-DS tables of `dir` in `session`.
pub async fn register(session: &ember::Session, dir: &Path) {
    for table in TABLES {
        let ddl = format!(
            "CREATE EXTERNAL TABLE {table} STORED AS PARQUET LOCATION '{}/'",
            dir.join(table).display()
        );
        session.sql(&ddl).await.expect("register table");
    }
}

/// Queries whose ORDER BY leaves ties among rows Spark returns (q77: the rollup's subtotal row
/// and a row whose key is NULL both sort as `NULL`), from `tests/tpcds/order_ties.tsv`: their
/// rows, like those of queries without an ORDER BY, are compared as a multiset once the
/// in-order comparison fails.
fn order_ties() -> Vec<String> {
    crate::golden::tsv_entries(&root().join("order_ties.tsv"))
        .into_iter()
        .map(|(query, _)| query)
        .collect()
}

/// `result` with its rows sorted, for a comparison that ignores order.
fn sorted(mut result: ResultFile) -> ResultFile {
    result.rows.sort();
    result
}

/// Runs the TPC-DS queries `names` on `session` (tables registered, data of `scale`) and compares
/// each with JVM Spark's committed answer: rows in order, column types by Spark's names, errors
/// by class. Returns one line per query that differs, fails or has no committed answer.
pub async fn check(session: &ember::Session, scale: f64, names: &[String]) -> Vec<String> {
    let ties = order_ties();
    let mut failures = Vec::new();
    for name in names {
        let Some(expected) = spark_answer(scale, name) else {
            failures.push(format!(
                "{name}: no JVM Spark answer committed at SF{scale}"
            ));
            continue;
        };
        let sql = query(name);
        // Without an ORDER BY any order is Spark's answer; with ties, any order of the tied rows.
        let unordered = !sql.to_ascii_lowercase().contains("order by") || ties.contains(name);
        let actual = match session.sql(&sql).await {
            Ok(df) => {
                let schema = df.schema();
                df.collect().await.map(|batches| (schema, batches))
            }
            Err(e) => Err(e),
        };
        match (actual, expected) {
            (Ok((schema, _)), SparkAnswer::Rows(_, spark_names))
                if schema
                    .fields()
                    .iter()
                    .map(|f| f.name())
                    .ne(spark_names.iter()) =>
            {
                let actual: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                failures.push(format!(
                    "{name}: column names ({}), JVM Spark ({})",
                    actual.join(", "),
                    spark_names.join(", ")
                ));
            }
            (Ok((schema, batches)), SparkAnswer::Rows(expected, _)) => {
                let compared = results::from_batches(&schema, &batches).and_then(|actual| {
                    match results::compare(&actual, &expected) {
                        Err(_) if unordered => {
                            results::compare(&sorted(actual), &sorted(expected.clone()))
                        }
                        other => other,
                    }
                });
                match compared {
                    Ok(()) => eprintln!("{name}: {} rows match JVM Spark", expected.rows.len()),
                    Err(diff) => failures.push(format!("{name}: {diff}")),
                }
            }
            (Ok(_), SparkAnswer::Error(class)) => {
                failures.push(format!("{name}: returned rows, JVM Spark raises {class}"))
            }
            (Err(e), SparkAnswer::Error(class)) => {
                // The error as `ember sql` shows it: Spark's class first.
                let text = ember_spark::errors::spark_message(&e.to_string());
                if ember_spark::errors::class_in_message(&text) == Some(class.as_str()) {
                    eprintln!("{name}: raises {class} as JVM Spark does");
                } else {
                    failures.push(format!("{name}: JVM Spark raises {class}, Ember: {text}"));
                }
            }
            (Err(e), SparkAnswer::Rows(..)) => failures.push(format!("{name}: {e}")),
        }
    }
    failures
}
