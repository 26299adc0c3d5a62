//! Fuzz targets for the decoders that read bytes from other processes or users: the task
//! decoder (stage plans the driver sends), the shuffle block reader (Arrow IPC segments other
//! executors serve) and the properties-file parser. Each mutates real inputs for a bounded time
//! (`EMBER_FUZZ_SECONDS`, default 10 s; `EMBER_FUZZ_SEED` replays a run) and fails on the first
//! panic, naming the saved input. Errors are fine; panics and aborts are not.

use std::sync::Arc;
use std::time::Duration;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, StringArray,
};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use datafusion::execution::TaskContext;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use ember::Session;
use ember_executor::codec::{decode_plan, encode_plan};
use ember_executor::executor::executor_session_state;
use ember_executor::memory::Codec;
use ember_executor::shuffle::file::{CountingWriter, decode_segment, ipc_options, write_segment};
use ember_tests::fuzz::{budget, fuzz};
use ember_tests::{register_tpch, shared_tpch, tpch_query};

const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

/// Fails the test with `message` printed first: the fuzzer silences the panic hook.
fn fail(message: &str) -> ember_tests::fuzz::FuzzReport {
    eprintln!("{message}");
    panic!("{message}");
}

/// Stage plans of TPC-H queries as the driver encodes them for executors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_decoder_never_panics() {
    let session = Session::builder()
        .master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .build()
        .await
        .expect("session");
    register_tpch(&session, &shared_tpch(0.01)).await;
    let mut seeds = Vec::new();
    for q in [1, 3, 9, 18] {
        let plan = session
            .context()
            .sql(&tpch_query(q))
            .await
            .expect("plans")
            .create_physical_plan()
            .await
            .expect("physical plan");
        let dag = ember::planner::plan_stages(plan, 4).expect("stages");
        for stage in dag.stages {
            seeds.push(encode_plan(stage.plan).expect("encodes").to_vec());
        }
    }
    session.stop().await;
    let runtime = RuntimeEnvBuilder::new().build_arc().expect("runtime");
    let ctx = TaskContext::from(&executor_session_state(runtime));
    let report = tokio::task::block_in_place(|| {
        fuzz("task-plan", &seeds, budget(DEFAULT_BUDGET), |bytes| {
            decode_plan(bytes, &ctx).is_ok()
        })
    })
    .unwrap_or_else(|e| fail(&e));
    eprintln!("{report}");
    assert!(report.executions > 0);
}

fn batch(offset: i64, rows: usize) -> RecordBatch {
    let ids: Vec<i64> = (0..rows as i64).map(|i| offset + i).collect();
    let names: Vec<Option<String>> = (0..rows)
        .map(|i| (i % 5 != 0).then(|| format!("name-{}", offset as usize + i)))
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids.clone())),
        Arc::new(StringArray::from(names)),
        Arc::new(Float64Array::from(
            ids.iter().map(|i| *i as f64 / 3.0).collect::<Vec<_>>(),
        )),
        Arc::new(
            Decimal128Array::from(ids.iter().map(|i| i128::from(*i) * 100).collect::<Vec<_>>())
                .with_precision_and_scale(12, 2)
                .expect("decimal"),
        ),
        Arc::new(Date32Array::from(
            ids.iter()
                .map(|i| 19_000 + (*i as i32 % 400))
                .collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            ids.iter().map(|i| i % 2 == 0).collect::<Vec<_>>(),
        )),
    ];
    RecordBatch::try_new(schema(), columns).expect("batch")
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("ratio", DataType::Float64, false),
        Field::new("price", DataType::Decimal128(12, 2), false),
        Field::new("day", DataType::Date32, false),
        Field::new("even", DataType::Boolean, false),
    ]))
}

/// Shuffle segments as executors write and serve them, with each codec.
#[test]
fn the_shuffle_block_reader_never_panics() {
    let mut seeds = Vec::new();
    for codec in [Codec::None, Codec::Lz4, Codec::Zstd] {
        for batches in [vec![batch(0, 3)], vec![batch(0, 40), batch(40, 17)]] {
            let mut out = CountingWriter::new(Vec::new());
            let options = ipc_options(codec).expect("options");
            write_segment(&mut out, &schema(), 0, &batches, &options)
                .expect("writes")
                .expect("a segment");
            seeds.push(out.into_inner());
        }
    }
    let report = fuzz("shuffle-block", &seeds, budget(DEFAULT_BUDGET), |bytes| {
        decode_segment(bytes::Bytes::copy_from_slice(bytes)).is_ok()
    })
    .unwrap_or_else(|e| fail(&e));
    eprintln!("{report}");
    assert!(report.executions > 0);
}

/// `spark-defaults.conf` files, as `--properties-file` reads them.
#[test]
fn the_properties_parser_never_panics() {
    let seeds: Vec<Vec<u8>> = [
        "spark.master local[4]\nspark.app.name = nightly etl\n",
        "# comment\n! also a comment\nspark.executor.memory=4g\n\n  spark.sql.shuffle.partitions : 8\n",
        "spark.driver.extraJavaOptions -Dx=y \\\n    -Dz=w\nspark.kubernetes.namespace\tteam-a\n",
        "key\\ with\\ spaces = value \\u00e9t\\u00e9\nunicode.key=caf\u{e9}\r\nlast.line.without.newline=1",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let report = fuzz("properties", &seeds, budget(DEFAULT_BUDGET), |bytes| {
        ember::properties::parse_properties(&String::from_utf8_lossy(bytes), "fuzz").is_ok()
    })
    .unwrap_or_else(|e| fail(&e));
    eprintln!("{report}");
    assert!(report.executions > 0);
}

/// SQL text as users write it, through every scanner of the SQL front before planning: the
/// script splitter, the typed-literal rewrite, Ember's own statements (`CACHE`, `SET`, DDL…),
/// direct file references, sqlparser with Spark's dialect and the rewrites of Spark syntax and
/// names. Non-ASCII text in names, strings and comments is in the seeds.
#[test]
fn the_sql_front_never_panics() {
    use ember_spark::parser::{dialect::EmberDialect, literals, names, pivot, rewrite, setops};
    use std::collections::HashMap;
    let seeds: Vec<Vec<u8>> = [
        "SELECT `café`.x FROM `café`; SELECT café.`x` FROM café",
        "CACHE abcé",
        "CACHE LAZY TABLE été AS SELECT 'ü' AS ü",
        "UNCACHE TABLE IF EXISTS naïve",
        "SET spark.sql.session.timeZone = 'Europe/Zürich'",
        "USE DATABASE dé",
        "DESCRIBE EXTENDED `tablé`",
        "SHOW FUNCTIONS LIKE 'ç*'",
        "EXPLAIN FORMATTED SELECT 1L + 2S + 3Y + 1.5BD + 2.5D + 1.0F -- commentaire é\n",
        "CREATE TABLE t (a INT COMMENT 'é', b STRING) USING parquet PARTITIONED BY (b) OPTIONS (compression 'zstd')",
        "CREATE OR REPLACE TEMPORARY VIEW vé USING csv OPTIONS (path '/d/é.csv', header 'true')",
        "INSERT OVERWRITE TABLE t PARTITION (b = 'ñ') SELECT 1",
        "SELECT * FROM parquet.`/data/naïve` /* ☃ */ WHERE s LIKE '%日本%'",
        "SELECT k, sum(v) FROM t GROUP BY k UNION ALL SELECT 'ß', 1 EXCEPT SELECT * FROM VALUES ('a', 2)",
        "SELECT * FROM (SELECT year, course, earnings FROM sales) PIVOT (sum(earnings) FOR course IN ('dotNET', 'Java'))",
        "SELECT id, c FROM t LATERAL VIEW OUTER explode(array(1, 2)) tab AS c WHERE `ключ` = 'значение'",
        "SELECT transform(array(1, 2), x -> x + 1), INTERVAL '1' DAY, DATE '2024-01-01', X'CAFE'",
        "DROP TABLE IF EXISTS `数据`; TRUNCATE TABLE t",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let dialect = EmberDialect::default();
    let report = fuzz("sql", &seeds, budget(DEFAULT_BUDGET), |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let mut accepted = false;
        for statement in ember::sql::split::split_statements(&text) {
            let sql = literals::rewrite_literal_suffixes(&statement);
            accepted |= ember::sql::parse(&sql).is_some();
            let (rewritten, _) = ember::datasource::file_references(&sql);
            let _ = names::written_case(&rewritten);
            let _ = names::spark_column_names(&rewritten);
            let Ok(mut parsed) = datafusion::sql::parser::DFParserBuilder::new(rewritten.as_str())
                .with_dialect(&dialect)
                .build()
                .and_then(|mut p| p.parse_statements())
            else {
                continue;
            };
            for parsed in parsed.iter_mut() {
                accepted = true;
                if let datafusion::sql::parser::Statement::Statement(inner) = parsed {
                    setops::name_inline_tables(inner);
                    if let Some(query) = rewrite::statement_query_mut(inner) {
                        names::alias_with_spark_names(query);
                    }
                    let _ = pivot::pivot_sources(inner);
                    pivot::rewrite_pivots(inner, &HashMap::new());
                    let _ = setops::set_operation_inputs(inner);
                    setops::rewrite_set_operations(inner, &HashMap::new());
                    rewrite::rewrite_spark_syntax(inner);
                }
            }
        }
        accepted
    })
    .unwrap_or_else(|e| fail(&e));
    eprintln!("{report}");
    assert!(report.executions > 0);
}
