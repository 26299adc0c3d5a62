//! Shared helpers for Ember's end-to-end tests: TPC-H data generation with `tpchgen`, the 22
//! TPC-H queries, a single-node DataFusion oracle and a result comparison that follows the
//! project's rules (integers and strings exactly, floats within a relative 1e-9, order as the
//! query's ORDER BY).

use std::path::{Path, PathBuf};

pub mod binaries;
pub use binaries::built_binary;
pub mod docker;
pub mod events;
pub mod fuzz;
pub mod golden;
pub mod k8s;
pub mod local_dirs;
pub mod pki;
pub mod results;
pub mod sorted;

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::{SessionConfig, SessionContext};
use parquet::arrow::ArrowWriter;

/// The TPC-H tables with their generated part counts.
pub const TABLES: [&str; 8] = [
    "nation", "region", "part", "supplier", "partsupp", "customer", "orders", "lineitem",
];

/// Text of TPC-H query `n` (1..=22), as kept in `tests/tpch/qN.sql`.
pub fn tpch_query(n: usize) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tpch")
        .join(format!("q{n}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write_table<I>(dir: &Path, table: &str, part: usize, batches: I) -> std::io::Result<()>
where
    I: Iterator<Item = RecordBatch>,
{
    let folder = dir.join(table);
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(format!("part-{part}.parquet"));
    let file = std::fs::File::create(&path)?;
    let mut batches = batches.peekable();
    let Some(first) = batches.peek() else {
        return Ok(());
    };
    // Row groups of 128 Ki rows, as files written by Spark or DataFusion have: a reader holds a
    // row group's column chunks in memory, and the writer's default of 1 Mi rows would make a
    // `lineitem` row group alone larger than the small executors of the memory tests.
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(128 * 1024))
        .build();
    let mut writer = ArrowWriter::try_new(file, first.schema(), Some(properties))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    for batch in batches {
        writer
            .write(&batch)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    writer
        .close()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(())
}

/// Generates TPC-H at `scale` into `dir/<table>/part-<i>.parquet`, `parts` files per large table
/// (so that scans have several partitions even at small scales).
pub fn generate_tpch(dir: &Path, scale: f64, parts: usize) -> std::io::Result<()> {
    use tpchgen::generators::*;
    use tpchgen_arrow::*;
    let n = parts as i32;
    write_table(
        dir,
        "nation",
        0,
        NationArrow::new(NationGenerator::new(scale, 1, 1)),
    )?;
    write_table(
        dir,
        "region",
        0,
        RegionArrow::new(RegionGenerator::new(scale, 1, 1)),
    )?;
    for p in 1..=n {
        let i = (p - 1) as usize;
        write_table(
            dir,
            "part",
            i,
            PartArrow::new(PartGenerator::new(scale, p, n)),
        )?;
        write_table(
            dir,
            "supplier",
            i,
            SupplierArrow::new(SupplierGenerator::new(scale, p, n)),
        )?;
        write_table(
            dir,
            "partsupp",
            i,
            PartSuppArrow::new(PartSuppGenerator::new(scale, p, n)),
        )?;
        write_table(
            dir,
            "customer",
            i,
            CustomerArrow::new(CustomerGenerator::new(scale, p, n)),
        )?;
        write_table(
            dir,
            "orders",
            i,
            OrderArrow::new(OrderGenerator::new(scale, p, n)),
        )?;
        write_table(
            dir,
            "lineitem",
            i,
            LineItemArrow::new(LineItemGenerator::new(scale, p, n)),
        )?;
    }
    Ok(())
}

/// `CREATE EXTERNAL TABLE` statements for the generated folders.
pub fn tpch_ddl(dir: &Path) -> Vec<String> {
    TABLES
        .iter()
        .map(|t| {
            format!(
                "CREATE EXTERNAL TABLE {t} STORED AS PARQUET LOCATION '{}/'",
                dir.join(t).display()
            )
        })
        .collect()
}

/// A TPC-H data set generated once per test process.
pub fn shared_tpch(scale: f64) -> PathBuf {
    static DIRS: std::sync::Mutex<Vec<(String, PathBuf, tempfile::TempDir)>> =
        std::sync::Mutex::new(Vec::new());
    let key = format!("{scale}");
    let mut dirs = DIRS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path, _)) = dirs.iter().find(|(k, _, _)| *k == key) {
        return path.clone();
    }
    let tmp = tempfile::Builder::new()
        .prefix("ember-tpch-")
        .tempdir()
        .expect("temp dir");
    let path = tmp.path().to_path_buf();
    generate_tpch(&path, scale, 2).expect("generate TPC-H");
    dirs.push((key, path.clone(), tmp));
    path
}

/// Single-node DataFusion with `partitions` partitions over the same data: the oracle.
pub async fn datafusion_oracle(dir: &Path, partitions: usize) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    for ddl in tpch_ddl(dir) {
        ctx.sql(&ddl).await.expect("register table");
    }
    ctx
}

/// One cell, normalised for comparison.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Float(f64),
    Text(String),
}

fn cells(array: &ArrayRef) -> Vec<Cell> {
    let floats = match array.data_type() {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            arrow::compute::cast(array, &DataType::Float64).ok()
        }
        _ => None,
    };
    if let Some(f) = floats {
        let f = f
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .expect("cast to f64");
        return (0..f.len())
            .map(|i| {
                if f.is_null(i) {
                    Cell::Null
                } else {
                    Cell::Float(f.value(i))
                }
            })
            .collect();
    }
    let formatter =
        ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()).expect("formatter");
    (0..array.len())
        .map(|i| {
            if array.is_null(i) {
                Cell::Null
            } else {
                Cell::Text(formatter.value(i).to_string())
            }
        })
        .collect()
}

/// Rows of a result as normalised cells.
fn rows(batches: &[RecordBatch]) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    for batch in batches {
        let columns: Vec<Vec<Cell>> = batch.columns().iter().map(cells).collect();
        for r in 0..batch.num_rows() {
            out.push(columns.iter().map(|c| c[r].clone()).collect());
        }
    }
    out
}

fn close(x: f64, y: f64) -> bool {
    x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
}

fn same(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Float(x), Cell::Float(y)) => close(*x, *y),
        // A decimal on one side (Spark types `100.00` as a decimal) and a double on the other:
        // compare by value.
        (Cell::Float(x), Cell::Text(t)) | (Cell::Text(t), Cell::Float(x)) => {
            t.parse::<f64>().is_ok_and(|y| close(*x, y))
        }
        _ => a == b,
    }
}

/// Compares two results row by row in order. Returns a description of the first difference.
pub fn compare_results(actual: &[RecordBatch], expected: &[RecordBatch]) -> Result<usize, String> {
    let a = rows(actual);
    let e = rows(expected);
    if a.len() != e.len() {
        return Err(format!("{} rows, expected {}", a.len(), e.len()));
    }
    for (i, (ra, re)) in a.iter().zip(&e).enumerate() {
        if ra.len() != re.len() || !ra.iter().zip(re).all(|(x, y)| same(x, y)) {
            return Err(format!("row {i} differs: {ra:?} vs expected {re:?}"));
        }
    }
    Ok(a.len())
}

/// JVM Spark's result of TPC-H query `q` at `scale`, if committed (`tests/tpch/spark/sf<scale>/`,
/// written by `ember-benches tpch` from its JVM Spark run).
pub fn spark_tpch_result(scale: f64, q: usize) -> Option<results::ResultFile> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tpch")
        .join("spark")
        .join(format!("sf{scale}"))
        .join(format!("q{q}.tsv"));
    results::read(&path).ok()
}

/// Runs TPC-H queries `queries` on `session` (tables already registered, data of `scale` in
/// `dir`) and compares each result with JVM Spark's committed result when there is one (decimals
/// by value and scale), else with single-node DataFusion's; returns one line per query whose
/// result differs or fails.
pub async fn check_tpch(
    session: &ember::Session,
    dir: &Path,
    scale: f64,
    queries: impl IntoIterator<Item = usize>,
) -> Vec<String> {
    let oracle = datafusion_oracle(dir, 2).await;
    let mut failures = Vec::new();
    for q in queries {
        let sql = tpch_query(q);
        if let Some(expected) = spark_tpch_result(scale, q) {
            let actual = match session.sql(&sql).await {
                Ok(df) => df.collect().await,
                Err(e) => Err(e),
            };
            match actual
                .map_err(|e| e.to_string())
                .and_then(|b| results::from_batches(&b))
            {
                Ok(actual) => match results::compare(&actual, &expected) {
                    Ok(()) => eprintln!("q{q}: {} rows match JVM Spark", actual.rows.len()),
                    Err(diff) => failures.push(format!("q{q} (against JVM Spark): {diff}")),
                },
                Err(e) => failures.push(format!("q{q}: {e}")),
            }
            continue;
        }
        let expected = oracle
            .sql(&sql)
            .await
            .expect("oracle plans")
            .collect()
            .await
            .expect("oracle runs");
        let actual = match session.sql(&sql).await {
            Ok(df) => df.collect().await,
            Err(e) => Err(e),
        };
        match actual {
            Ok(actual) => match compare_results(&actual, &expected) {
                Ok(rows) => eprintln!("q{q}: {rows} rows match"),
                Err(diff) => failures.push(format!("q{q}: {diff}")),
            },
            Err(e) => failures.push(format!("q{q}: {e}")),
        }
    }
    failures
}

/// Registers the TPC-H tables of `dir` in `session`.
pub async fn register_tpch(session: &ember::Session, dir: &Path) {
    for ddl in tpch_ddl(dir) {
        session.sql(&ddl).await.expect("register table");
    }
}

/// A shuffle across all executors (each fetches from the others) with a known answer: the
/// rows of `range(0, 70000)` grouped by `id % 7`, 10 000 in each group. Panics otherwise.
pub async fn check_grouped_counts(session: &ember::Session) {
    let batches = session
        .sql("SELECT id % 7 AS k, count(*) AS n FROM range(0, 70000) GROUP BY id % 7 ORDER BY k")
        .await
        .expect("plans")
        .collect()
        .await
        .expect("runs");
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 7);
    let text = arrow::util::pretty::pretty_format_batches(&batches)
        .expect("format")
        .to_string();
    assert_eq!(text.matches("| 10000 |").count(), 7, "{text}");
}
